#include "health_probe.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <vector>

#include "core/errors.hpp"

namespace twain::apps {
namespace {

// How often the thread looks at the stop flag when nothing happens.
constexpr std::chrono::milliseconds kStopPoll{100};

struct Probe {
  int fd = -1;
  std::chrono::steady_clock::time_point deadline;
  std::string request;
};

// The end of the headers, or npos: HTTP says CRLF CRLF, and a bare LF LF is accepted too.
std::size_t headers_end(const std::string& request) {
  const std::size_t crlf = request.find("\r\n\r\n");
  if (crlf != std::string::npos) return crlf + 4;
  const std::size_t lf = request.find("\n\n");
  return lf == std::string::npos ? std::string::npos : lf + 2;
}

std::string http_response(const char* status, const std::string& body, bool with_body) {
  std::string out = std::string("HTTP/1.0 ") + status +
                    "\r\nContent-Type: text/plain\r\nCache-Control: no-store\r\nConnection: close\r\n"
                    "Content-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n";
  if (with_body) out += body;
  return out;
}

int bind_listener(const std::string& host, uint16_t port, uint16_t& bound) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
    throw NetworkError("health probe: cannot resolve " + host + ": " + gai_strerror(rc));
  std::string last = "no address";
  int fd = -1;
  for (const addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last = std::strerror(errno);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 64) != 0) {
      last = std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) throw NetworkError("health probe: cannot listen on " + host + ":" + service + ": " + last);
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  bound = address.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port)
                                        : ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
  return fd;
}

}  // namespace

std::string health_response(const std::string& request, const std::string& fingerprint, std::size_t running,
                            std::size_t waiting, std::size_t slots) {
  const bool get = request.rfind("GET ", 0) == 0;
  const bool head = request.rfind("HEAD ", 0) == 0;
  if (!get && !head) return http_response("400 Bad Request", "twain: the health probe answers GET and HEAD only\n", true);
  const bool busy = running >= slots && waiting > 0;
  const std::string body = std::string(busy ? "twain busy " : "twain ok ") + fingerprint + " sessions " +
                           std::to_string(running) + "/" + std::to_string(slots) + " waiting " +
                           std::to_string(waiting) + "\n";
  return http_response(busy ? "503 Service Unavailable" : "200 OK", body, get);
}

HealthProbe::HealthProbe(const std::string& host, uint16_t port, std::string model_fingerprint,
                         const Admission& admission, HealthProbeOptions options)
    : fingerprint_(std::move(model_fingerprint)), admission_(admission), options_(options) {
  TWAIN_REQUIRE(options_.max_open >= 1 && options_.max_request_bytes >= 16, InvalidArgument,
                "HealthProbe: max_open and max_request_bytes are too small");
  listener_ = bind_listener(host, port, port_);
  try {
    thread_ = std::thread([this] { run(); });
  } catch (...) {
    ::close(listener_);
    throw;
  }
}

HealthProbe::~HealthProbe() {
  stop_ = true;
  thread_.join();
  ::close(listener_);
}

void HealthProbe::run() {
  std::deque<Probe> open;
  std::vector<pollfd> fds;
  char buffer[1024];
  const auto drop = [](Probe& probe) {
    ::close(probe.fd);
    probe.fd = -1;
  };
  while (!stop_.load()) {
    const auto now = std::chrono::steady_clock::now();
    auto wait = kStopPoll;
    for (const Probe& probe : open)
      wait = std::min(wait, std::max(std::chrono::milliseconds(0),
                                     std::chrono::duration_cast<std::chrono::milliseconds>(probe.deadline - now)));
    fds.assign(1, pollfd{listener_, POLLIN, 0});
    for (const Probe& probe : open) fds.push_back(pollfd{probe.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), static_cast<int>(wait.count()) + 1) < 0 && errno != EINTR) break;

    for (std::size_t i = 0; i < open.size(); ++i) {
      Probe& probe = open[i];
      if ((fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const std::size_t room = options_.max_request_bytes - probe.request.size();
      const ssize_t got = ::recv(probe.fd, buffer, std::min(room, sizeof buffer), 0);
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
      if (got <= 0) {
        drop(probe);  // closed (or failed) before its request was whole: nothing to answer
        continue;
      }
      probe.request.append(buffer, static_cast<std::size_t>(got));
      const std::size_t end = headers_end(probe.request);
      std::string response;
      if (end != std::string::npos) {
        response = health_response(probe.request.substr(0, end), fingerprint_, admission_.running(),
                                   admission_.waiting(), admission_.slots());
      } else if (probe.request.size() >= options_.max_request_bytes) {
        response = http_response("400 Bad Request", "twain: the request is too long\n", true);
      } else {
        continue;
      }
      // A few hundred bytes: the socket's buffer takes them at once, or the prober loses them.
      (void)::send(probe.fd, response.data(), response.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      drop(probe);
    }
    const auto after = std::chrono::steady_clock::now();
    for (Probe& probe : open)
      if (probe.fd >= 0 && after >= probe.deadline) drop(probe);
    open.erase(std::remove_if(open.begin(), open.end(), [](const Probe& probe) { return probe.fd < 0; }), open.end());

    if ((fds[0].revents & POLLIN) == 0) continue;
    // Bounded per round, so that a flood of connections cannot starve the probes already open.
    for (std::size_t accepted = 0; accepted < options_.max_open; ++accepted) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        // Out of descriptors, the listener stays readable: pause rather than spin.
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
          std::this_thread::sleep_for(kStopPoll);
        break;
      }
      if (open.size() >= options_.max_open) {
        // The oldest has had the longest to send its request; a prober that sends it at once
        // keeps its place.
        ::close(open.front().fd);
        open.pop_front();
      }
      open.push_back(Probe{fd, after + options_.request_timeout, {}});
    }
  }
  for (Probe& probe : open) ::close(probe.fd);
}

}  // namespace twain::apps
