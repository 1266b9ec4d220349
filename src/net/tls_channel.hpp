// TLS 1.3 (OpenSSL) around one TCP connection: the server proves its identity with a certificate,
// the client checks it against a CA file (chain and host name) or a pinned public key, or both.
//
// The handshake runs inside the factory functions, under the same timeouts as every other wait
// (TcpOptions of the TCP connection): io_timeout bounds each wait for the peer, message_timeout
// the whole handshake. A silent, slow or non-TLS peer therefore ends with TimeoutError or
// NetworkError within those bounds, never a hang.
//
// Counters. counters() counts application bytes exactly like TcpChannel (what send() got and
// recv() returned), so reports over TLS and over plain TCP are comparable. TLS record overhead
// (record headers, authentication tags, handshake, alerts) is NOT counted there; record_bytes()
// gives the bytes of TLS records that crossed the socket, handshake included.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "net/channel.hpp"
#include "net/tcp_channel.hpp"

struct ssl_ctx_st;

namespace twain::net {

// "sha256:" then 64 lowercase hex digits: SHA-256 of the DER SubjectPublicKeyInfo of the first
// certificate in a PEM file (what `openssl x509 -pubkey | openssl pkey -pubin -outform der |
// sha256sum` prints). Throws InvalidArgument when the file cannot be read, FormatError when it
// holds no certificate.
std::string certificate_pin(const std::string& cert_file);

// Parses "sha256:HEX" (64 hex digits, either case) into the canonical lowercase form above.
// Throws InvalidArgument naming the text otherwise.
std::string parse_pin(const std::string& text);

// The server's side: its certificate chain and private key, loaded once and shared by every
// session. TLS 1.3 only; no session tickets (sessions are never resumed).
class TlsServerContext {
 public:
  // cert_file: PEM, the server certificate first, then any intermediates; key_file: its PEM
  // private key. Throws InvalidArgument when a file cannot be read or the key does not match the
  // certificate, FormatError when a file does not parse.
  TlsServerContext(const std::string& cert_file, const std::string& key_file);
  // certificate_pin of the server certificate: what clients pass to --tls-pin.
  const std::string& pin() const noexcept { return pin_; }
  ssl_ctx_st* native() const noexcept { return ctx_.get(); }

 private:
  std::shared_ptr<ssl_ctx_st> ctx_;
  std::string pin_;
};

struct TlsClientOptions {
  // PEM file of trusted CA certificates: the server's chain must verify against it and its
  // certificate must name the host (or IP address) the client connected to. Empty: no chain check.
  std::string ca_file;
  // parse_pin form ("sha256:..."): the server certificate's public key must hash to exactly this.
  // Empty: no pin. At least one of ca_file and pin is required; with both, both must hold.
  std::string pin;
};

class TlsClientContext {
 public:
  // Throws InvalidArgument when neither a CA file nor a pin is given, the pin does not parse or
  // the CA file cannot be read; FormatError when it holds no certificate.
  explicit TlsClientContext(const TlsClientOptions& options);
  const TlsClientOptions& options() const noexcept { return options_; }
  ssl_ctx_st* native() const noexcept { return ctx_.get(); }

 private:
  std::shared_ptr<ssl_ctx_st> ctx_;
  TlsClientOptions options_;
};

// Bytes of TLS records through the socket (handshake, records, alerts), each way.
struct TlsRecordBytes {
  uint64_t sent = 0;
  uint64_t received = 0;
};

class TlsChannel final : public Channel {
 public:
  // Connects to host:port (as TcpChannel::connect) and runs the client handshake, checking the
  // server as `context` says against `host`. Throws NetworkError (TimeoutError for a silent peer)
  // naming the address and the reason: a failed verification, a wrong pin, a peer that does
  // not speak TLS.
  static std::unique_ptr<TlsChannel> connect(const std::string& host, uint16_t port, const TlsClientContext& context,
                                             const TcpOptions& options = {});
  // The client handshake on an already connected TCP channel (its socket is taken over);
  // `host` is the name or address the certificate must match when a CA file is used.
  static std::unique_ptr<TlsChannel> client(std::unique_ptr<TcpChannel> tcp, const std::string& host,
                                            const TlsClientContext& context);
  // The server handshake on a channel from TcpListener::accept (its socket is taken over).
  static std::unique_ptr<TlsChannel> server(std::unique_ptr<TcpChannel> tcp, const TlsServerContext& context);

  ~TlsChannel() override;

  // Flushes, sends the TLS close_notify, then ends the connection as TcpChannel::close does.
  void close() override;
  // Throw InvalidArgument unless 0 < timeout <= kMaxChannelTimeout.
  void set_io_timeout(std::chrono::milliseconds timeout);
  void set_message_timeout(std::chrono::milliseconds timeout);
  std::chrono::milliseconds io_timeout() const noexcept { return options_.io_timeout; }
  std::chrono::milliseconds message_timeout() const noexcept { return options_.message_timeout; }
  const std::string& peer() const noexcept { return peer_; }
  const std::string& peer_host() const noexcept { return peer_host_; }
  // As TcpChannel::set_deadline; the factories carry the TCP channel's deadline over (so it
  // bounds the handshake too).
  void set_deadline(Clock::time_point deadline) noexcept { deadline_ = deadline; }
  Clock::time_point deadline() const noexcept { return deadline_; }
  // The negotiated suite, e.g. "TLS_AES_256_GCM_SHA384".
  std::string cipher() const;
  TlsRecordBytes record_bytes() const noexcept;

  struct State;  // the OpenSSL objects (tls_channel.cpp)

 protected:
  void write_raw(const uint8_t* data, std::size_t bytes) override;
  void read_raw(uint8_t* data, std::size_t bytes) override;

 private:
  TlsChannel(int fd, std::string peer, const TcpOptions& options, ssl_ctx_st* context, bool is_server);
  // Runs the handshake; on failure throws with a message naming the peer and the reason.
  void handshake(const std::string& host, const TlsClientOptions* client);
  // Waits until the socket is ready for `events` (POLLIN / POLLOUT), under both timeouts.
  void wait_ready(short events, const std::string& doing, std::size_t done, std::size_t total,
                  Clock::time_point message_deadline);
  // Turns an OpenSSL failure during I/O into the matching exception; returns normally when the
  // operation should be retried after waiting (the socket was not ready).
  void after_io_error(int ssl_error, const char* doing, std::size_t done, std::size_t total,
                      Clock::time_point message_deadline);
  void shutdown_noexcept() noexcept;

  // The earlier of an operation's message deadline and deadline_, and whether deadline_ it is.
  std::pair<Clock::time_point, bool> wait_limit(Clock::time_point message_deadline) const noexcept;

  std::unique_ptr<State> state_;
  std::string peer_;
  std::string peer_host_;
  TcpOptions options_;
  Clock::time_point deadline_ = Clock::time_point::max();
};

}  // namespace twain::net
