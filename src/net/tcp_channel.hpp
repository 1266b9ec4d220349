// TCP transport: one connection between the two parties, plus the listener that accepts it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "net/channel.hpp"

namespace twain::net {

// Every timeout must lie within [0, kMaxChannelTimeout] (io_timeout and message_timeout: above 0);
// the constructors, connect and the setters throw InvalidArgument naming the field otherwise.
struct TcpOptions {
  // Inactivity: a blocking send or recv that makes no progress for this long throws TimeoutError.
  std::chrono::milliseconds io_timeout{30'000};
  // Total time one Channel operation (send, recv, recv_message of a whole framed message,
  // flush, ...) may take, measured from its first socket call; past it, the next wait for the
  // peer throws TimeoutError. Bounds a peer that keeps the inactivity timer alive by trickling
  // bytes. The default allows about 1.7 MB/s for a 1 GiB operation; raise it for larger
  // operations on slow links.
  std::chrono::milliseconds message_timeout{600'000};
  // TcpChannel::connect keeps retrying (the server may not be listening yet) for this long.
  std::chrono::milliseconds connect_timeout{10'000};
  // Pause between connection attempts.
  std::chrono::milliseconds connect_retry_interval{20};
  // Sends are gathered up to this many bytes; a larger send goes straight to the socket.
  std::size_t write_buffer_bytes = std::size_t{256} << 10;
  // Small receives are served from a buffer of this size; larger ones read into the caller's
  // memory directly.
  std::size_t read_buffer_bytes = std::size_t{64} << 10;
  // SO_SNDBUF / SO_RCVBUF request; 0 keeps the kernel's default (and its auto-tuning).
  int socket_buffer_bytes = 0;
};

class TcpChannel final : public Channel {
 public:
  // Connects to host:port (a name or numeric address), retrying refused or failed attempts
  // until options.connect_timeout; then throws NetworkError naming the address and last error.
  static std::unique_ptr<TcpChannel> connect(const std::string& host, uint16_t port,
                                             const TcpOptions& options = {});

  // Takes ownership of a connected stream socket (made non-blocking here). peer: "host:port" of
  // the other end; peer_host: its host part (empty: peer).
  TcpChannel(int fd, std::string peer, const TcpOptions& options, std::string peer_host = {});
  ~TcpChannel() override;

  void close() override;
  // Throw InvalidArgument unless 0 < timeout <= kMaxChannelTimeout.
  void set_io_timeout(std::chrono::milliseconds timeout);
  void set_message_timeout(std::chrono::milliseconds timeout);
  std::chrono::milliseconds io_timeout() const noexcept { return options_.io_timeout; }
  std::chrono::milliseconds message_timeout() const noexcept { return options_.message_timeout; }
  // "host:port" of the other end, as used in error messages.
  const std::string& peer() const noexcept { return peer_; }
  const TcpOptions& options() const noexcept { return options_; }
  // The other end's address without the port ("host" of peer()), what per-address limits count.
  const std::string& peer_host() const noexcept { return peer_host_; }
  // Wall-clock end of everything on this connection (a server's handshake deadline, then a
  // session's time budget): a wait for the peer that would pass it throws TimeoutError, whatever
  // the other timeouts allow. time_point::max() (the default): no deadline.
  void set_deadline(Clock::time_point deadline) noexcept { deadline_ = deadline; }
  Clock::time_point deadline() const noexcept { return deadline_; }
  // Flushes, then hands the connected socket to the caller (a wrapper such as TlsChannel that
  // takes the connection over); this channel is closed afterwards. Throws NetworkError on a closed
  // channel, InvalidArgument when received bytes are still buffered (they would be lost).
  int release();

 protected:
  void write_raw(const uint8_t* data, std::size_t bytes) override;
  void read_raw(uint8_t* data, std::size_t bytes) override;

 private:
  // Waits until the socket is ready for `events`; throws TimeoutError after io_timeout without
  // readiness, or once `message_deadline` (the operation's message timeout) has passed.
  void wait_ready(short events, const char* doing, std::size_t done, std::size_t total,
                  Clock::time_point message_deadline);
  // One recv() into dst (at most `capacity` bytes); returns the count, > 0.
  std::size_t recv_some(uint8_t* dst, std::size_t capacity, std::size_t done, std::size_t total,
                        Clock::time_point message_deadline);

  int fd_ = -1;
  std::string peer_;
  std::string peer_host_;
  TcpOptions options_;
  Clock::time_point deadline_ = Clock::time_point::max();
  std::unique_ptr<uint8_t[]> in_;
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
};

class TcpListener {
 public:
  // Binds host:port (port 0 picks a free ephemeral port, see port()) and listens.
  // Accepted channels use `options`. Throws NetworkError if the address cannot be bound.
  explicit TcpListener(uint16_t port = 0, const std::string& host = "127.0.0.1",
                       const TcpOptions& options = {});
  ~TcpListener();
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;

  uint16_t port() const noexcept { return port_; }
  const std::string& host() const noexcept { return host_; }

  // Waits up to `timeout` for a connection; throws TimeoutError if none arrives, InvalidArgument
  // unless 0 <= timeout <= kMaxChannelTimeout.
  std::unique_ptr<TcpChannel> accept(std::chrono::milliseconds timeout);
  // Waits up to options.connect_timeout.
  std::unique_ptr<TcpChannel> accept();

 private:
  int fd_ = -1;
  std::string host_;
  uint16_t port_ = 0;
  TcpOptions options_;
};

}  // namespace twain::net
