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
#include "engine/report.hpp"
#include "engine/session.hpp"
#include "net/tcp_channel.hpp"
#include "net/tls_channel.hpp"
#include "serve_admission.hpp"

namespace twain::apps {

struct ServeLimits {
  std::chrono::milliseconds handshake_timeout{5'000};
  std::optional<std::chrono::milliseconds> session_timeout;  // else engine::session_time_budget
  std::size_t max_handshakes = 512;
  std::size_t max_concurrent = 4;
  std::size_t max_per_peer = 4;
  int64_t max_sessions = 0;  // connections to accept before returning; 0: no limit
};

// What became of one connection, reported once at its end.
struct ConnectionEnd {
  enum class Outcome { kDone, kRefused, kNoValidRequest, kError };
  std::size_t number = 0;  // from 1, in accept order
  std::string peer;        // "host:port", or "(not accepted)" when accept itself failed
  Outcome outcome = Outcome::kError;
  std::string reason;  // why it was refused or failed; empty when done
  std::string text;    // the whole human-readable line: "done in ...", "refused: ...", ...
  double seconds = 0;  // from accept to the end
  net::ChannelCounters traffic;                 // application bytes and rounds of the whole connection
  std::optional<engine::SessionReport> report;  // the session's phases, when it was done
  std::optional<std::string> tls_cipher;        // over TLS (once the handshake was through)
  uint64_t tls_record_bytes = 0;                // both ways, over TLS
};

// "done", "refused", "no valid request", "error".
const char* outcome_name(ConnectionEnd::Outcome outcome) noexcept;

// Called once per connection as it ends; serve_connections never calls it from two threads at
// once.
using ServeLogSink = std::function<void(const ConnectionEnd& end)>;

// Accepts on `listener` until limits.max_sessions connections were taken or `stop` (when given)
// becomes true, then waits until every connection's thread has ended. tls: when given, every
// connection runs TLS. With `stop`, the listener is polled every stop_poll so that a stop takes
// effect soon; without it an idle server waits in accept for the longest channel timeout.
// admission: when given (a health probe reads it), it admits the sessions instead of one made
// here from limits.max_concurrent and limits.max_per_peer; it must outlive the call.
void serve_connections(const engine::ServerModel& model, net::TcpListener& listener,
                       const net::TlsServerContext* tls, const engine::ServerPolicy& policy,
                       const ServeLimits& limits, const ServeLogSink& log, const std::atomic<bool>* stop = nullptr,
                       std::chrono::milliseconds stop_poll = std::chrono::milliseconds(100),
                       Admission* admission = nullptr);

}  // namespace twain::apps
