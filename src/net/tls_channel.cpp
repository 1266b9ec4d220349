#include "net/tls_channel.hpp"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/errors.hpp"
#include "core/hash.hpp"

namespace twain::net {
namespace {

using Clock = std::chrono::steady_clock;

std::string ms_text(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

std::string hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(bytes.size() * 2);
  for (const uint8_t b : bytes) {
    text.push_back(kDigits[b >> 4]);
    text.push_back(kDigits[b & 15]);
  }
  return text;
}

// Every error OpenSSL queued on this thread, oldest first, as ERR_error_string_n writes them;
// the queue is emptied.
std::string openssl_errors() {
  std::string text;
  for (unsigned long code = ERR_get_error(); code != 0; code = ERR_get_error()) {
    char line[256];
    ERR_error_string_n(code, line, sizeof(line));
    if (!text.empty()) text += "; ";
    text += line;
  }
  return text.empty() ? "no OpenSSL error recorded" : text;
}

// The reason text of the oldest queued error ("certificate verify failed"), queue untouched.
std::string first_reason() {
  const unsigned long code = ERR_peek_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  return reason != nullptr ? reason : "unknown error";
}

void check_readable(const std::string& file, const char* what, const char* where) {
  TWAIN_REQUIRE(!file.empty(), InvalidArgument, std::string(where) + ": no " + what + " file given");
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) {
    throw InvalidArgument(std::string(where) + ": cannot read the " + what + " file '" + file +
                          "': " + std::strerror(errno));
  }
  std::fclose(f);
}

std::string pin_of(X509* certificate) {
  unsigned char* der = nullptr;
  const int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(certificate), &der);
  if (length <= 0) throw FormatError("TLS: cannot encode the certificate's public key: " + openssl_errors());
  const core::Digest digest = core::sha256(der, static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return "sha256:" + hex(digest);
}

// TLS 1.3 only, large reads (several records per recv), writes that may return after one
// record so progress is visible to the timeouts.
std::shared_ptr<SSL_CTX> new_context(const SSL_METHOD* method, const char* where) {
  ERR_clear_error();
  std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(method), SSL_CTX_free);
  if (!ctx) throw SystemError(std::string(where) + ": SSL_CTX_new failed: " + openssl_errors());
  if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx.get(), TLS1_3_VERSION) != 1) {
    throw SystemError(std::string(where) + ": this OpenSSL cannot restrict itself to TLS 1.3: " + openssl_errors());
  }
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_read_ahead(ctx.get(), 1);
  SSL_CTX_set_default_read_buffer_len(ctx.get(), std::size_t{128} << 10);
  return ctx;
}

// A plausible TLS record header (content type 20..23, major version 3) in the first bytes seen.
bool looks_like_tls(const uint8_t* first, std::size_t count) {
  if (count >= 1 && (first[0] < 0x14 || first[0] > 0x17)) return false;
  if (count >= 2 && first[1] != 0x03) return false;
  if (count >= 3 && first[2] > 0x04) return false;
  return true;
}

enum class Wait { kReady, kIdle, kMessage };

// Polls fd for `events` until the inactivity timeout or the message deadline, whichever is first.
Wait wait_for(int fd, short events, std::chrono::milliseconds io_timeout, Clock::time_point message_deadline) {
  const auto idle_deadline = Clock::now() + io_timeout;
  const bool message_first = message_deadline <= idle_deadline;
  const auto deadline = message_first ? message_deadline : idle_deadline;
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return message_first ? Wait::kMessage : Wait::kIdle;
    pollfd entry{fd, events, 0};
    const int rc = ::poll(&entry, 1, static_cast<int>(std::min<long long>(left, 0x7fffffff)));
    if (rc > 0) return Wait::kReady;
    if (rc < 0 && errno != EINTR) throw SystemError(std::string("poll failed: ") + std::strerror(errno));
  }
}

}  // namespace

// The OpenSSL session and the socket under it. The socket BIO is our own so that writes use
// MSG_NOSIGNAL (a closed peer is an error, not SIGPIPE for the whole process), record bytes are
// counted and the first bytes from the peer are kept to recognise a peer that is not speaking TLS.
struct TlsChannel::State {
  int fd = -1;
  SSL* ssl = nullptr;
  bool is_server = false;
  bool failed = false;  // a fatal TLS error: no close_notify may follow
  bool eof = false;     // the peer closed its side of the TCP connection
  int socket_error = 0;
  uint8_t first[3] = {};
  std::size_t first_count = 0;
  TlsRecordBytes records;
  // Client checks, read by the certificate callback.
  bool verify_chain = false;
  std::string pin;
  std::string presented_pin;  // the server's, when it did not match

  ~State() { release(); }
  void release() noexcept {
    if (ssl != nullptr) SSL_free(ssl);
    ssl = nullptr;
    if (fd >= 0) {
      ::shutdown(fd, SHUT_WR);
      ::close(fd);
    }
    fd = -1;
  }
};

namespace {

using State = TlsChannel::State;

int bio_write(BIO* bio, const char* data, std::size_t length, std::size_t* written) {
  auto* s = static_cast<State*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  for (;;) {
    const ssize_t n = ::send(s->fd, data, length, MSG_NOSIGNAL);
    if (n >= 0) {
      *written = static_cast<std::size_t>(n);
      s->records.sent += static_cast<uint64_t>(n);
      return 1;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      BIO_set_retry_write(bio);
    } else {
      s->socket_error = errno;
    }
    return 0;
  }
}

int bio_read(BIO* bio, char* data, std::size_t length, std::size_t* read) {
  auto* s = static_cast<State*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  *read = 0;
  for (;;) {
    const ssize_t n = ::recv(s->fd, data, length, 0);
    if (n > 0) {
      for (ssize_t i = 0; i < n && s->first_count < sizeof(s->first); ++i) {
        s->first[s->first_count++] = static_cast<uint8_t>(data[i]);
      }
      *read = static_cast<std::size_t>(n);
      s->records.received += static_cast<uint64_t>(n);
      return 1;
    }
    if (n == 0) {
      s->eof = true;
      return 0;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      BIO_set_retry_read(bio);
    } else {
      s->socket_error = errno;
    }
    return 0;
  }
}

long bio_ctrl(BIO* bio, int command, long, void*) {
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;  // nothing is buffered here
    case BIO_CTRL_EOF:
      return static_cast<State*>(BIO_get_data(bio))->eof ? 1 : 0;
    default:
      return 0;
  }
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

const BIO_METHOD* socket_method() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "twain socket");
    if (m == nullptr || BIO_meth_set_write_ex(m, bio_write) != 1 || BIO_meth_set_read_ex(m, bio_read) != 1 ||
        BIO_meth_set_ctrl(m, bio_ctrl) != 1 || BIO_meth_set_create(m, bio_create) != 1) {
      return static_cast<BIO_METHOD*>(nullptr);
    }
    return m;
  }();
  if (method == nullptr) throw SystemError("TlsChannel: cannot create the socket BIO method");
  return method;
}

// Replaces OpenSSL's certificate check on the client: the chain (and host) when a CA file is
// configured, then the pin when one is configured.
int check_server_certificate(X509_STORE_CTX* store, void*) {
  SSL* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* s = static_cast<State*>(SSL_get_app_data(ssl));
  if (s->verify_chain && X509_verify_cert(store) != 1) return 0;
  if (!s->pin.empty()) {
    X509* leaf = X509_STORE_CTX_get0_cert(store);
    std::string presented = "(no certificate)";
    try {
      if (leaf != nullptr) presented = pin_of(leaf);
    } catch (...) {  // never through OpenSSL's C frames
      presented = "(a key that does not encode)";
    }
    if (presented != s->pin) {
      s->presented_pin = presented;
      X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
      return 0;
    }
  }
  return 1;
}

}  // namespace

// ---------------------------------------------------------------- pins and contexts

std::string certificate_pin(const std::string& cert_file) {
  check_readable(cert_file, "certificate", "certificate_pin");
  ERR_clear_error();
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(cert_file.c_str(), "r"), BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr, X509_free);
  if (!cert) throw FormatError("certificate_pin: no PEM certificate in '" + cert_file + "': " + openssl_errors());
  return pin_of(cert.get());
}

std::string parse_pin(const std::string& text) {
  const std::string prefix = "sha256:";
  bool ok = text.size() == prefix.size() + 64 && text.compare(0, prefix.size(), prefix) == 0;
  std::string pin = prefix;
  for (std::size_t i = prefix.size(); ok && i < text.size(); ++i) {
    const char c = text[i];
    ok = std::isxdigit(static_cast<unsigned char>(c)) != 0;
    pin.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  TWAIN_REQUIRE(ok, InvalidArgument,
                "a key pin must be sha256: followed by 64 hex digits (the SHA-256 of the certificate's "
                "SubjectPublicKeyInfo), got '" + text + "'");
  return pin;
}

TlsServerContext::TlsServerContext(const std::string& cert_file, const std::string& key_file) {
  const char* where = "TlsServerContext";
  check_readable(cert_file, "certificate", where);
  check_readable(key_file, "private key", where);
  ctx_ = new_context(TLS_server_method(), where);
  SSL_CTX_set_num_tickets(ctx_.get(), 0);
  SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_NONE, nullptr);
  if (SSL_CTX_use_certificate_chain_file(ctx_.get(), cert_file.c_str()) != 1) {
    throw FormatError(std::string(where) + ": cannot load the certificate chain '" + cert_file +
                      "': " + openssl_errors());
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(key_file.c_str(), "r"), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr, EVP_PKEY_free);
  if (!key) {
    throw FormatError(std::string(where) + ": no PEM private key in '" + key_file + "': " + openssl_errors());
  }
  if (SSL_CTX_use_PrivateKey(ctx_.get(), key.get()) != 1 || SSL_CTX_check_private_key(ctx_.get()) != 1) {
    throw InvalidArgument(std::string(where) + ": the private key '" + key_file +
                          "' does not belong to the certificate '" + cert_file + "': " + openssl_errors());
  }
  pin_ = pin_of(SSL_CTX_get0_certificate(ctx_.get()));
}

TlsClientContext::TlsClientContext(const TlsClientOptions& options) : options_(options) {
  const char* where = "TlsClientContext";
  TWAIN_REQUIRE(!options_.ca_file.empty() || !options_.pin.empty(), InvalidArgument,
                std::string(where) + ": a CA file or a key pin is required to know who the server is");
  if (!options_.pin.empty()) options_.pin = parse_pin(options_.pin);
  ctx_ = new_context(TLS_client_method(), where);
  if (!options_.ca_file.empty()) {
    check_readable(options_.ca_file, "CA", where);
    if (SSL_CTX_load_verify_file(ctx_.get(), options_.ca_file.c_str()) != 1) {
      throw FormatError(std::string(where) + ": no CA certificate in '" + options_.ca_file + "': " + openssl_errors());
    }
  }
  SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_cert_verify_callback(ctx_.get(), check_server_certificate, nullptr);
}

// ---------------------------------------------------------------- TlsChannel

TlsChannel::TlsChannel(int fd, std::string peer, const TcpOptions& options, ssl_ctx_st* context, bool is_server)
    : Channel(options.write_buffer_bytes), state_(std::make_unique<State>()), peer_(std::move(peer)),
      options_(options) {
  state_->fd = fd;
  state_->is_server = is_server;
  ERR_clear_error();
  state_->ssl = SSL_new(context);
  BIO* bio = state_->ssl != nullptr ? BIO_new(socket_method()) : nullptr;
  if (bio == nullptr) throw SystemError("TlsChannel: cannot create the TLS session for " + peer_ + ": " + openssl_errors());
  BIO_set_data(bio, state_.get());
  SSL_set_bio(state_->ssl, bio, bio);
  SSL_set_app_data(state_->ssl, state_.get());
  if (is_server) {
    SSL_set_accept_state(state_->ssl);
  } else {
    SSL_set_connect_state(state_->ssl);
  }
}

std::unique_ptr<TlsChannel> TlsChannel::connect(const std::string& host, uint16_t port,
                                                const TlsClientContext& context, const TcpOptions& options) {
  return client(TcpChannel::connect(host, port, options), host, context);
}

std::unique_ptr<TlsChannel> TlsChannel::client(std::unique_ptr<TcpChannel> tcp, const std::string& host,
                                               const TlsClientContext& context) {
  TWAIN_REQUIRE(tcp != nullptr, InvalidArgument, "TlsChannel::client: no TCP channel");
  const std::string peer = tcp->peer();
  const TcpOptions options = tcp->options();
  const int fd = tcp->release();
  std::unique_ptr<TlsChannel> channel(new TlsChannel(fd, peer, options, context.native(), false));
  channel->peer_host_ = tcp->peer_host();
  channel->deadline_ = tcp->deadline();
  channel->handshake(host, &context.options());
  return channel;
}

std::unique_ptr<TlsChannel> TlsChannel::server(std::unique_ptr<TcpChannel> tcp, const TlsServerContext& context) {
  TWAIN_REQUIRE(tcp != nullptr, InvalidArgument, "TlsChannel::server: no TCP channel");
  const std::string peer = tcp->peer();
  const TcpOptions options = tcp->options();
  const int fd = tcp->release();
  std::unique_ptr<TlsChannel> channel(new TlsChannel(fd, peer, options, context.native(), true));
  channel->peer_host_ = tcp->peer_host();
  channel->deadline_ = tcp->deadline();
  channel->handshake({}, nullptr);
  return channel;
}

void TlsChannel::handshake(const std::string& host, const TlsClientOptions* client) {
  State& s = *state_;
  if (client != nullptr) {
    s.verify_chain = !client->ca_file.empty();
    s.pin = client->pin;
    if (s.verify_chain) {
      // The certificate must name what the client connected to: an IP address as an IP SAN,
      // a name as a DNS name (also sent as SNI).
      X509_VERIFY_PARAM* param = SSL_get0_param(s.ssl);
      in6_addr scratch{};
      const bool is_ip = inet_pton(AF_INET, host.c_str(), &scratch) == 1 || inet_pton(AF_INET6, host.c_str(), &scratch) == 1;
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      const int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                           : X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
      TWAIN_REQUIRE(ok == 1, InvalidArgument, "TlsChannel: cannot check the server name '" + host + "'");
      if (!is_ip) SSL_set_tlsext_host_name(s.ssl, host.c_str());
    }
  }
  const char* them = s.is_server ? "the client at " : "the server at ";
  const std::string head = "TlsChannel: TLS handshake with " + peer_;
  const auto [message_deadline, overall] = wait_limit(Clock::now() + options_.message_timeout);
  for (;;) {
    ERR_clear_error();
    s.socket_error = 0;
    const int rc = SSL_do_handshake(s.ssl);
    if (rc == 1) return;
    const int error = SSL_get_error(s.ssl, rc);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      const Wait wait = wait_for(s.fd, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, options_.io_timeout,
                                 message_deadline);
      if (wait == Wait::kReady) continue;
      s.failed = true;
      if (wait == Wait::kMessage && overall) {
        throw TimeoutError(head + " timed out: the time allowed for the connection ran out (" + them + peer_ +
                           " is too slow)");
      }
      if (wait == Wait::kMessage) {
        throw TimeoutError(head + " timed out: the handshake did not complete within the message timeout of " +
                           ms_text(options_.message_timeout) + " (" + them + peer_ + " is too slow)");
      }
      std::string hint;
      if (s.records.received == 0) {
        hint = s.is_server ? " (a plain twain client? it waits for the server to speak first)"
                           : " (is it a TLS server that is busy, or not answering at all?)";
      }
      throw TimeoutError(head + " timed out: " + them + peer_ + " sent nothing for " + ms_text(options_.io_timeout) +
                         " after " + std::to_string(s.records.received) + " bytes" + hint);
    }
    s.failed = true;
    if (s.first_count > 0 && !looks_like_tls(s.first, s.first_count)) {
      const std::string what = s.is_server ? " did not speak TLS (a plain twain client, or another protocol?)"
                                           : " did not answer TLS (a plain twain server?)";
      throw NetworkError(head + " failed: " + them + peer_ + what + "; OpenSSL: " + openssl_errors());
    }
    if (!s.presented_pin.empty()) {
      throw NetworkError(head + " failed: the server's public key " + s.presented_pin + " is not the pinned " + s.pin +
                         " (another server, or something in between); OpenSSL: " + openssl_errors());
    }
    std::string reason = first_reason();
    const long verify = SSL_get_verify_result(s.ssl);
    if (!s.is_server && verify != X509_V_OK) reason += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
    if (reason.find("alert") != std::string::npos) reason = them + peer_ + " refused the handshake: " + reason;
    if (s.eof) reason = them + peer_ + " closed the connection during the handshake";
    if (s.socket_error != 0) reason += std::string(" (") + std::strerror(s.socket_error) + ")";
    throw NetworkError(head + " failed: " + reason + "; OpenSSL: " + openssl_errors());
  }
}

TlsChannel::~TlsChannel() {
  if (state_->ssl == nullptr) return;
  flush_noexcept();
  shutdown_noexcept();
}

void TlsChannel::shutdown_noexcept() noexcept {
  State& s = *state_;
  if (s.ssl != nullptr && !s.failed && SSL_is_init_finished(s.ssl)) {
    // Best effort: the close_notify record fits any socket buffer that is not already full.
    ERR_clear_error();
    SSL_shutdown(s.ssl);
    ERR_clear_error();
  }
  s.release();
}

void TlsChannel::close() {
  if (state_->ssl == nullptr) return;
  try {
    flush();
  } catch (...) {
    state_->failed = true;
    state_->release();
    throw;
  }
  shutdown_noexcept();
}

void TlsChannel::set_io_timeout(std::chrono::milliseconds timeout) {
  TWAIN_REQUIRE(timeout.count() > 0 && timeout <= kMaxChannelTimeout, InvalidArgument,
                "TlsChannel::set_io_timeout: timeout must be positive and at most " + ms_text(kMaxChannelTimeout) +
                    ", got " + ms_text(timeout));
  options_.io_timeout = timeout;
}

void TlsChannel::set_message_timeout(std::chrono::milliseconds timeout) {
  TWAIN_REQUIRE(timeout.count() > 0 && timeout <= kMaxChannelTimeout, InvalidArgument,
                "TlsChannel::set_message_timeout: timeout must be positive and at most " +
                    ms_text(kMaxChannelTimeout) + ", got " + ms_text(timeout));
  options_.message_timeout = timeout;
}

std::string TlsChannel::cipher() const {
  if (state_->ssl == nullptr) return {};
  const char* name = SSL_get_cipher_name(state_->ssl);
  return name != nullptr ? name : "";
}

TlsRecordBytes TlsChannel::record_bytes() const noexcept { return state_->records; }

std::pair<Clock::time_point, bool> TlsChannel::wait_limit(Clock::time_point message_deadline) const noexcept {
  if (deadline_ < message_deadline) return {deadline_, true};
  return {message_deadline, false};
}

void TlsChannel::wait_ready(short events, const std::string& doing, std::size_t done, std::size_t total,
                            Clock::time_point message_deadline) {
  const auto [limit, overall] = wait_limit(message_deadline);
  const Wait wait = wait_for(state_->fd, events, options_.io_timeout, limit);
  if (wait == Wait::kReady) return;
  const bool sending = doing == "send";
  if (wait == Wait::kMessage && overall) {
    throw TimeoutError("TlsChannel: " + doing + " timed out: the time allowed for the connection to " + peer_ +
                       " ran out after " + std::to_string(done) + " of " + std::to_string(total) +
                       " bytes of this operation");
  }
  if (wait == Wait::kMessage) {
    throw TimeoutError("TlsChannel: " + doing + " timed out: peer " + peer_ +
                       (sending ? " had accepted only " : " had delivered only ") + std::to_string(done) + " of " +
                       std::to_string(total) + " bytes when the message timeout of " +
                       ms_text(options_.message_timeout) + " for one operation ran out");
  }
  throw TimeoutError("TlsChannel: " + doing + " timed out: peer " + peer_ +
                     (sending ? " accepted no data for " : " sent nothing for ") + ms_text(options_.io_timeout) +
                     " after " + std::to_string(done) + " of " + std::to_string(total) + " bytes");
}

void TlsChannel::after_io_error(int ssl_error, const char* doing, std::size_t done, std::size_t total,
                                Clock::time_point message_deadline) {
  State& s = *state_;
  if (ssl_error == SSL_ERROR_WANT_READ || ssl_error == SSL_ERROR_WANT_WRITE) {
    wait_ready(ssl_error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, doing, done, total, message_deadline);
    return;
  }
  const std::string progress = " after " + std::to_string(done) + " of " + std::to_string(total) + " bytes";
  if (ssl_error == SSL_ERROR_ZERO_RETURN) {
    ERR_clear_error();
    throw NetworkError("TlsChannel: peer " + peer_ + " closed the connection" + progress);
  }
  s.failed = true;
  if (s.eof) {
    ERR_clear_error();
    throw NetworkError("TlsChannel: peer " + peer_ + " closed the connection" + progress +
                       " (without a TLS close_notify)");
  }
  if (s.socket_error == ECONNRESET || s.socket_error == EPIPE) {
    ERR_clear_error();
    throw NetworkError("TlsChannel: peer " + peer_ + (s.socket_error == EPIPE ? " closed" : " reset") +
                       " the connection" + progress + " (" + std::strerror(s.socket_error) + ")");
  }
  std::string reason = first_reason();
  if (s.socket_error != 0) reason += std::string(" (") + std::strerror(s.socket_error) + ")";
  throw NetworkError("TlsChannel: " + std::string(doing) + " with " + peer_ + " failed" + progress + ": " + reason +
                     "; OpenSSL: " + openssl_errors());
}

void TlsChannel::write_raw(const uint8_t* data, std::size_t bytes) {
  TWAIN_REQUIRE(state_->ssl != nullptr && !state_->failed, NetworkError,
                "TlsChannel: send to " + peer_ + " on a closed channel (or one a TLS error ended)");
  const auto message_deadline = operation_start() + options_.message_timeout;
  std::size_t done = 0;
  while (done < bytes) {
    ERR_clear_error();
    state_->socket_error = 0;
    std::size_t n = 0;
    if (SSL_write_ex(state_->ssl, data + done, bytes - done, &n) == 1) {
      done += n;
      continue;
    }
    after_io_error(SSL_get_error(state_->ssl, 0), "send", done, bytes, message_deadline);
  }
}

void TlsChannel::read_raw(uint8_t* data, std::size_t bytes) {
  TWAIN_REQUIRE(state_->ssl != nullptr && !state_->failed, NetworkError,
                "TlsChannel: recv from " + peer_ + " on a closed channel (or one a TLS error ended)");
  const auto message_deadline = operation_start() + options_.message_timeout;
  std::size_t done = 0;
  while (done < bytes) {
    ERR_clear_error();
    state_->socket_error = 0;
    std::size_t n = 0;
    if (SSL_read_ex(state_->ssl, data + done, bytes - done, &n) == 1) {
      done += n;
      continue;
    }
    after_io_error(SSL_get_error(state_->ssl, 0), "recv", done, bytes, message_deadline);
  }
}

}  // namespace twain::net
