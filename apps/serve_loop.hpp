// What `twain serve` does with its listener, shared with the Python module's Server: accept
// connections, each on its own thread; the TLS handshake and the request under the handshake
// deadline before any session slot is taken (serve_admission.hpp); then the session under its
// wall-clock budget. Every error ends its own connection only, and every connection ends in one
// log line.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "engine/server_model.hpp"
#include "engine/session.hpp"
#include "net/tcp_channel.hpp"
#include "net/tls_channel.hpp"

namespace twain::apps {

struct ServeLimits {
  std::chrono::milliseconds handshake_timeout{5'000};
  std::optional<std::chrono::milliseconds> session_timeout;  // else engine::session_time_budget
  std::size_t max_handshakes = 512;
  std::size_t max_concurrent = 4;
  std::size_t max_per_peer = 4;
  int64_t max_sessions = 0;  // connections to accept before returning; 0: no limit
};

// One line per connection: its number (from 1, in accept order), the peer, what became of it.
// serve_connections never calls it from two threads at once.
using ServeLogSink = std::function<void(std::size_t number, const std::string& peer, const std::string& text)>;

// Accepts on `listener` until limits.max_sessions connections were taken or `stop` (when given)
// becomes true, then waits until every connection's thread has ended. tls: when given, every
// connection runs TLS. With `stop`, the listener is polled every stop_poll so that a stop takes
// effect soon; without it an idle server waits in accept for the longest channel timeout.
void serve_connections(const engine::ServerModel& model, net::TcpListener& listener,
                       const net::TlsServerContext* tls, const engine::ServerPolicy& policy,
                       const ServeLimits& limits, const ServeLogSink& log, const std::atomic<bool>* stop = nullptr,
                       std::chrono::milliseconds stop_poll = std::chrono::milliseconds(100));

}  // namespace twain::apps
