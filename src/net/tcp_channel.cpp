#include "net/tcp_channel.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include "core/errors.hpp"

namespace twain::net {
namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text(int error) { return std::string(std::strerror(error)); }

std::string ms_text(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

std::string address_text(const std::string& host, uint16_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

// The numeric host of a socket address and its port (0 for an unknown family).
std::pair<std::string, uint16_t> host_and_port(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto& in4 = reinterpret_cast<const sockaddr_in&>(address);
    inet_ntop(AF_INET, &in4.sin_addr, text, sizeof(text));
    return {text, ntohs(in4.sin_port)};
  }
  if (address.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(address);
    inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof(text));
    return {text, ntohs(in6.sin6_port)};
  }
  return {"(unknown address family)", 0};
}

void close_fd(int fd) noexcept {
  if (fd >= 0) ::close(fd);
}

// Owns an addrinfo list from getaddrinfo.
struct AddressList {
  addrinfo* head = nullptr;
  ~AddressList() {
    if (head) freeaddrinfo(head);
  }
};

// Resolves host:port for a stream socket; returns the getaddrinfo status (0 on success).
int resolve(const std::string& host, uint16_t port, bool passive, AddressList& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  const std::string service = std::to_string(port);
  return getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &out.head);
}

void set_socket_buffers(int fd, int bytes) {
  if (bytes <= 0) return;
  // The kernel caps the request at its configured maximum; a refusal is not fatal.
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

// Milliseconds left until `deadline`, clamped to [0, INT_MAX] for poll().
int ms_until(Clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 0x7fffffff));
}

// Polls one descriptor for `events` until `deadline`; returns false on timeout.
bool poll_until(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd entry{fd, events, 0};
    const int rc = ::poll(&entry, 1, ms_until(deadline));
    if (rc > 0) return true;
    if (rc == 0) {
      if (Clock::now() >= deadline) return false;
      continue;  // woke a hair early
    }
    if (errno != EINTR) throw SystemError("poll failed: " + errno_text(errno));
  }
}

// One non-blocking connection attempt; returns the connected descriptor or -1 with `error` set.
int try_connect(const addrinfo& address, const TcpOptions& options, Clock::time_point deadline,
                std::string& error) {
  const int fd = ::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          address.ai_protocol);
  if (fd < 0) {
    error = "socket: " + errno_text(errno);
    return -1;
  }
  set_socket_buffers(fd, options.socket_buffer_bytes);
  if (::connect(fd, address.ai_addr, address.ai_addrlen) != 0) {
    if (errno != EINPROGRESS && errno != EINTR) {
      error = errno_text(errno);
      close_fd(fd);
      return -1;
    }
    if (!poll_until(fd, POLLOUT, deadline)) {
      error = "connection attempt timed out";
      close_fd(fd);
      return -1;
    }
    int so_error = 0;
    socklen_t length = sizeof(so_error);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &length) != 0) so_error = errno;
    if (so_error != 0) {
      error = errno_text(so_error);
      close_fd(fd);
      return -1;
    }
  }
  // Loopback quirk: connecting to a free ephemeral port can "succeed" by connecting the socket
  // to itself (TCP simultaneous open). That is not a peer.
  sockaddr_storage local{}, remote{};
  socklen_t local_length = sizeof(local), remote_length = sizeof(remote);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) == 0 &&
      getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &remote_length) == 0 &&
      local_length == remote_length && std::memcmp(&local, &remote, local_length) == 0) {
    error = "connected to itself (no listener)";
    close_fd(fd);
    return -1;
  }
  return fd;
}

// Throws InvalidArgument unless `value` lies in [0, kMaxChannelTimeout] (above 0 if positive).
void check_timeout(std::chrono::milliseconds value, bool positive, const std::string& what) {
  const bool low_ok = positive ? value.count() > 0 : value.count() >= 0;
  TWAIN_REQUIRE(low_ok && value <= kMaxChannelTimeout, InvalidArgument,
                what + " must be " + (positive ? "positive" : "non-negative") + " and at most " +
                    ms_text(kMaxChannelTimeout) + ", got " + ms_text(value));
}

void validate(const TcpOptions& options, const char* where) {
  const std::string prefix = std::string(where) + ": ";
  check_timeout(options.io_timeout, true, prefix + "io_timeout");
  check_timeout(options.message_timeout, true, prefix + "message_timeout");
  check_timeout(options.connect_timeout, false, prefix + "connect_timeout");
  check_timeout(options.connect_retry_interval, false, prefix + "connect_retry_interval");
  TWAIN_REQUIRE(options.read_buffer_bytes > 0, InvalidArgument,
                prefix + "read_buffer_bytes must be positive");
}

}  // namespace

// ---------------------------------------------------------------- TcpChannel

std::unique_ptr<TcpChannel> TcpChannel::connect(const std::string& host, uint16_t port,
                                                const TcpOptions& options) {
  validate(options, "TcpChannel::connect");
  TWAIN_REQUIRE(port != 0, InvalidArgument, "TcpChannel::connect: port 0 is not connectable");
  const std::string target = address_text(host, port);
  const auto deadline = Clock::now() + options.connect_timeout;
  std::string last_error = "no attempt made";
  int attempts = 0;
  for (;;) {
    ++attempts;
    AddressList addresses;
    const int status = resolve(host, port, /*passive=*/false, addresses);
    if (status == 0) {
      for (const addrinfo* a = addresses.head; a != nullptr; a = a->ai_next) {
        const int fd = try_connect(*a, options, deadline, last_error);
        if (fd >= 0) return std::make_unique<TcpChannel>(fd, target, options);
      }
    } else if (status == EAI_AGAIN) {
      last_error = std::string("name resolution: ") + gai_strerror(status);
    } else {
      throw NetworkError("TcpChannel::connect: cannot resolve " + target + ": " +
                         gai_strerror(status));
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      throw NetworkError("TcpChannel::connect: could not connect to " + target + " within " +
                         ms_text(options.connect_timeout) + " (" + std::to_string(attempts) +
                         " attempts, last error: " + last_error + ")");
    }
    std::this_thread::sleep_for(std::min<Clock::duration>(options.connect_retry_interval, deadline - now));
  }
}

TcpChannel::TcpChannel(int fd, std::string peer, const TcpOptions& options, std::string peer_host)
    : Channel(options.write_buffer_bytes), fd_(fd), peer_(std::move(peer)), peer_host_(std::move(peer_host)),
      options_(options) {
  if (peer_host_.empty()) peer_host_ = peer_;
  try {
    validate(options_, "TcpChannel");
    TWAIN_REQUIRE(fd_ >= 0, InvalidArgument, "TcpChannel: invalid socket descriptor");
    const int flags = fcntl(fd_, F_GETFL, 0);
    if (flags < 0 || fcntl(fd_, F_SETFL, flags | O_NONBLOCK) != 0) {
      throw SystemError("TcpChannel: cannot make the socket to " + peer_ +
                        " non-blocking: " + errno_text(errno));
    }
    const int one = 1;
    if (setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
      throw SystemError("TcpChannel: cannot set TCP_NODELAY on the socket to " + peer_ + ": " +
                        errno_text(errno));
    }
    in_ = std::make_unique<uint8_t[]>(options_.read_buffer_bytes);
  } catch (...) {
    close_fd(fd_);
    fd_ = -1;
    throw;
  }
}

TcpChannel::~TcpChannel() {
  if (fd_ < 0) return;
  flush_noexcept();
  ::shutdown(fd_, SHUT_WR);
  close_fd(fd_);
}

void TcpChannel::close() {
  if (fd_ < 0) return;
  const int fd = fd_;
  try {
    flush();
  } catch (...) {
    fd_ = -1;
    close_fd(fd);
    throw;
  }
  fd_ = -1;
  ::shutdown(fd, SHUT_WR);
  close_fd(fd);
}

int TcpChannel::release() {
  TWAIN_REQUIRE(fd_ >= 0, NetworkError, "TcpChannel: release of the closed channel to " + peer_);
  TWAIN_REQUIRE(in_begin_ == in_end_, InvalidArgument,
                "TcpChannel::release: " + std::to_string(in_end_ - in_begin_) + " bytes received from " + peer_ +
                    " are still buffered");
  flush();
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void TcpChannel::set_io_timeout(std::chrono::milliseconds timeout) {
  check_timeout(timeout, true, "TcpChannel::set_io_timeout: timeout");
  options_.io_timeout = timeout;
}

void TcpChannel::set_message_timeout(std::chrono::milliseconds timeout) {
  check_timeout(timeout, true, "TcpChannel::set_message_timeout: timeout");
  options_.message_timeout = timeout;
}

void TcpChannel::wait_ready(short events, const char* doing, std::size_t done, std::size_t total,
                            Clock::time_point message_deadline) {
  const auto now = Clock::now();
  const auto idle_deadline = now + options_.io_timeout;
  const bool overall_first = deadline_ < message_deadline && deadline_ <= idle_deadline;
  if (overall_first) message_deadline = deadline_;
  const bool message_first = message_deadline <= idle_deadline;
  if (now < message_deadline &&
      poll_until(fd_, events, message_first ? message_deadline : idle_deadline)) {
    return;
  }
  const bool sending = (events & POLLOUT) != 0;
  if (overall_first) {
    throw TimeoutError("TcpChannel: " + std::string(doing) + " timed out: the time allowed for the connection to " +
                       peer_ + " ran out after " + std::to_string(done) + " of " + std::to_string(total) +
                       " bytes of this operation");
  }
  if (message_first) {
    throw TimeoutError("TcpChannel: " + std::string(doing) + " timed out: peer " + peer_ +
                       (sending ? " had accepted only " : " had delivered only ") +
                       std::to_string(done) + " of " + std::to_string(total) +
                       " bytes when the message timeout of " + ms_text(options_.message_timeout) +
                       " for one operation ran out");
  }
  throw TimeoutError("TcpChannel: " + std::string(doing) + " timed out: peer " + peer_ +
                     (sending ? " accepted no data for " : " sent nothing for ") +
                     ms_text(options_.io_timeout) + " after " + std::to_string(done) + " of " +
                     std::to_string(total) + " bytes");
}

void TcpChannel::write_raw(const uint8_t* data, std::size_t bytes) {
  TWAIN_REQUIRE(fd_ >= 0, NetworkError, "TcpChannel: send to " + peer_ + " on a closed channel");
  const auto message_deadline = operation_start() + options_.message_timeout;
  std::size_t done = 0;
  while (done < bytes) {
    const ssize_t n = ::send(fd_, data + done, bytes - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    const int error = n < 0 ? errno : EIO;
    if (error == EINTR) continue;
    if (error == EAGAIN || error == EWOULDBLOCK) {
      wait_ready(POLLOUT, "send", done, bytes, message_deadline);
      continue;
    }
    if (error == EPIPE || error == ECONNRESET) {
      throw NetworkError("TcpChannel: peer " + peer_ + " closed the connection after " +
                         std::to_string(done) + " of " + std::to_string(bytes) +
                         " bytes were sent (" + errno_text(error) + ")");
    }
    throw NetworkError("TcpChannel: send to " + peer_ + " failed after " + std::to_string(done) +
                       " of " + std::to_string(bytes) + " bytes: " + errno_text(error));
  }
}

std::size_t TcpChannel::recv_some(uint8_t* dst, std::size_t capacity, std::size_t done,
                                  std::size_t total, Clock::time_point message_deadline) {
  for (;;) {
    const ssize_t n = ::recv(fd_, dst, capacity, 0);
    if (n > 0) return static_cast<std::size_t>(n);
    if (n == 0) {
      throw NetworkError("TcpChannel: peer " + peer_ + " closed the connection after " +
                         std::to_string(done) + " of " + std::to_string(total) + " bytes");
    }
    const int error = errno;
    if (error == EINTR) continue;
    if (error == EAGAIN || error == EWOULDBLOCK) {
      wait_ready(POLLIN, "recv", done, total, message_deadline);
      continue;
    }
    if (error == ECONNRESET) {
      throw NetworkError("TcpChannel: peer " + peer_ + " reset the connection after " +
                         std::to_string(done) + " of " + std::to_string(total) + " bytes");
    }
    throw NetworkError("TcpChannel: recv from " + peer_ + " failed after " + std::to_string(done) +
                       " of " + std::to_string(total) + " bytes: " + errno_text(error));
  }
}

void TcpChannel::read_raw(uint8_t* data, std::size_t bytes) {
  TWAIN_REQUIRE(fd_ >= 0, NetworkError, "TcpChannel: recv from " + peer_ + " on a closed channel");
  std::size_t done = std::min(bytes, in_end_ - in_begin_);
  std::memcpy(data, in_.get() + in_begin_, done);
  in_begin_ += done;
  if (done == bytes) return;
  const auto message_deadline = operation_start() + options_.message_timeout;
  while (done < bytes) {
    const std::size_t remaining = bytes - done;
    if (remaining >= options_.read_buffer_bytes) {
      // Large read: straight into the caller's memory, no extra copy.
      done += recv_some(data + done, remaining, done, bytes, message_deadline);
      continue;
    }
    in_end_ = recv_some(in_.get(), options_.read_buffer_bytes, done, bytes, message_deadline);
    in_begin_ = std::min(remaining, in_end_);
    std::memcpy(data + done, in_.get(), in_begin_);
    done += in_begin_;
  }
}

// ---------------------------------------------------------------- TcpListener

TcpListener::TcpListener(uint16_t port, const std::string& host, const TcpOptions& options)
    : host_(host), options_(options) {
  validate(options_, "TcpListener");
  const std::string target = address_text(host, port);
  AddressList addresses;
  const int status = resolve(host, port, /*passive=*/true, addresses);
  if (status != 0) {
    throw NetworkError("TcpListener: cannot resolve " + target + ": " + gai_strerror(status));
  }
  std::string last_error = "no address";
  for (const addrinfo* a = addresses.head; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last_error = "socket: " + errno_text(errno);
      continue;
    }
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    set_socket_buffers(fd, options_.socket_buffer_bytes);  // inherited by accepted sockets
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0) {
      last_error = "bind: " + errno_text(errno);
      close_fd(fd);
      continue;
    }
    if (::listen(fd, 16) != 0) {
      last_error = "listen: " + errno_text(errno);
      close_fd(fd);
      continue;
    }
    sockaddr_storage bound{};
    socklen_t length = sizeof(bound);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
      last_error = "getsockname: " + errno_text(errno);
      close_fd(fd);
      continue;
    }
    fd_ = fd;
    port_ = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6&>(bound).sin6_port)
                                        : ntohs(reinterpret_cast<sockaddr_in&>(bound).sin_port);
    return;
  }
  throw NetworkError("TcpListener: cannot listen on " + target + ": " + last_error);
}

TcpListener::~TcpListener() { close_fd(fd_); }

std::unique_ptr<TcpChannel> TcpListener::accept() { return accept(options_.connect_timeout); }

std::unique_ptr<TcpChannel> TcpListener::accept(std::chrono::milliseconds timeout) {
  check_timeout(timeout, false, "TcpListener::accept: timeout");
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    sockaddr_storage remote{};
    socklen_t length = sizeof(remote);
    const int fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&remote), &length, SOCK_CLOEXEC);
    if (fd >= 0) {
      auto [host, port] = host_and_port(remote);
      return std::make_unique<TcpChannel>(fd, address_text(host, port), options_, std::move(host));
    }
    const int error = errno;
    if (error == EINTR || error == ECONNABORTED) continue;
    if (error != EAGAIN && error != EWOULDBLOCK) {
      throw NetworkError("TcpListener: accept on " + address_text(host_, port_) +
                         " failed: " + errno_text(error));
    }
    if (!poll_until(fd_, POLLIN, deadline)) {
      throw TimeoutError("TcpListener: no connection on " + address_text(host_, port_) +
                         " within " + ms_text(timeout));
    }
  }
}

}  // namespace twain::net
