#include "server_core.hpp"

#include <atomic>
#include <cmath>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <pybind11/stl.h>

#include "core/errors.hpp"
#include "engine/server_model.hpp"
#include "model_core.hpp"
#include "net/tcp_channel.hpp"
#include "net/tls_channel.hpp"
#include "serve_loop.hpp"

namespace py = pybind11;

namespace twain::python {
namespace {

// The log keeps the last lines only: a long-running server must not grow without bound.
constexpr std::size_t kLogLines = 10'000;

std::chrono::milliseconds to_milliseconds(double seconds, const char* name, std::chrono::milliseconds least,
                                          std::chrono::milliseconds most) {
  const auto value = std::chrono::milliseconds(static_cast<int64_t>(std::llround(seconds * 1e3)));
  if (!(seconds >= 0) || value < least || value > most)
    throw InvalidArgument(std::string(name) + " must lie in [" + std::to_string(least.count() / 1e3) + ", " +
                          std::to_string(most.count() / 1e3) + "] seconds");
  return value;
}

class ServerCore {
 public:
  ServerCore(const ModelCore& model, const engine::ModelPolicy& policy, const std::string& host, uint16_t port,
             int threads, const apps::ServeLimits& limits, const std::optional<std::string>& tls_cert,
             const std::optional<std::string>& tls_key, py::object log)
      : limits_(limits), log_(std::move(log)) {
    if (tls_cert.has_value() != tls_key.has_value()) throw InvalidArgument("tls_cert and tls_key go together");
    policy_.threads = threads;
    py::gil_scoped_release release;
    // As `twain serve`: the TLS files before the model, so that a wrong file fails at once.
    if (tls_cert) tls_.emplace(*tls_cert, *tls_key);
    model_ = std::make_unique<engine::ServerModel>(model.graph, model.card, policy);
    listener_ = std::make_unique<net::TcpListener>(port, host);
    port_ = listener_->port();
    host_ = listener_->host();
  }

  ~ServerCore() { stop(); }

  uint16_t port() const { return port_; }
  const std::string& host() const { return host_; }
  const std::string& fingerprint() const { return model_->fingerprint(); }
  std::optional<std::string> pin() const { return tls_ ? std::optional<std::string>(tls_->pin()) : std::nullopt; }
  bool running() const { return thread_.joinable() && !finished_.load(); }

  void start() {
    if (thread_.joinable() || !listener_) throw InvalidArgument("this server was started already (a Server serves once)");
    thread_ = std::thread([this] {
      apps::serve_connections(*model_, *listener_, tls_ ? &*tls_ : nullptr, policy_, limits_,
                              [this](const apps::ConnectionEnd& end) {
                                log_line("session " + std::to_string(end.number) + " from " + end.peer + ": " +
                                         end.text);
                              },
                              &stop_);
      finished_ = true;
    });
  }

  // Stops accepting and waits for the sessions under way (each ends by its own deadline at the
  // latest); then closes the listener, so that a later client is refused instead of waiting in
  // the backlog for a server that will never answer.
  void stop() {
    stop_ = true;
    py::gil_scoped_release release;
    if (thread_.joinable()) thread_.join();
    listener_.reset();
  }

  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return {lines_.begin(), lines_.end()};
  }

 private:
  void log_line(const std::string& line) {
    {
      std::lock_guard lock(mutex_);
      lines_.push_back(line);
      if (lines_.size() > kLogLines) lines_.pop_front();
    }
    if (log_.is_none() || Py_IsInitialized() == 0) return;
    py::gil_scoped_acquire acquire;
    try {
      log_(line);
    } catch (py::error_already_set& e) {
      // A failing log callback must not end the serving thread.
      e.discard_as_unraisable("twain.Server log callback");
    }
  }

  engine::ServerPolicy policy_;
  apps::ServeLimits limits_;
  py::object log_;
  std::optional<net::TlsServerContext> tls_;
  std::unique_ptr<engine::ServerModel> model_;
  std::unique_ptr<net::TcpListener> listener_;  // null once stopped
  uint16_t port_ = 0;
  std::string host_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::deque<std::string> lines_;
};

}  // namespace

void register_server(py::module_& module) {
  py::class_<ServerCore>(module, "Server", "A server of one model (C++ side).")
      .def(py::init([](const ModelCore& model, const std::string& host, int port, int max_topk, bool allow_logits,
                       bool send_names, std::size_t kernel_cache_mib, int min_statistical_bits, int threads,
                       int max_concurrent, std::optional<int> max_per_peer, double handshake_timeout,
                       std::optional<double> session_timeout, int max_handshakes, std::optional<int> max_sessions,
                       const std::optional<std::string>& tls_cert, const std::optional<std::string>& tls_key,
                       py::object log) {
             // The ranges of `twain serve`'s options.
             if (port < 0 || port > 65535) throw InvalidArgument("port must lie in 0..65535");
             if (max_topk < 1 || max_topk > engine::kMaxTopK) throw InvalidArgument("max_topk must lie in 1..1000");
             if (threads < 1 || threads > engine::kMaxThreads) throw InvalidArgument("threads must lie in 1..256");
             if (max_concurrent < 1 || max_concurrent > 1024) throw InvalidArgument("max_concurrent must lie in 1..1024");
             const int per_peer = max_per_peer.value_or(max_concurrent);
             if (per_peer < 1 || per_peer > 1024) throw InvalidArgument("max_per_peer must lie in 1..1024");
             if (max_handshakes < 1 || max_handshakes > 65536) throw InvalidArgument("max_handshakes must lie in 1..65536");
             if (max_sessions && *max_sessions < 1) throw InvalidArgument("max_sessions must be positive (None: no limit)");
             if (kernel_cache_mib > (std::size_t{1} << 30)) throw InvalidArgument("kernel_cache_mib is over 2^30");
             if (min_statistical_bits < 1 || min_statistical_bits > he::kStatisticalSecurityBits)
               throw InvalidArgument("min_statistical_bits must lie in 1.." + std::to_string(he::kStatisticalSecurityBits));
             engine::ModelPolicy policy;
             policy.kernel_cache_bytes = kernel_cache_mib << 20;
             policy.max_top_k = max_topk;
             policy.allow_logits = allow_logits;
             policy.send_names = send_names;
             policy.min_statistical_bits = min_statistical_bits;
             apps::ServeLimits limits;
             limits.handshake_timeout = to_milliseconds(handshake_timeout, "handshake_timeout",
                                                        std::chrono::milliseconds(1), std::chrono::minutes(10));
             if (session_timeout)
               limits.session_timeout =
                   to_milliseconds(*session_timeout, "session_timeout", std::chrono::seconds(1), net::kMaxChannelTimeout);
             limits.max_handshakes = static_cast<std::size_t>(max_handshakes);
             limits.max_concurrent = static_cast<std::size_t>(max_concurrent);
             limits.max_per_peer = static_cast<std::size_t>(per_peer);
             limits.max_sessions = max_sessions.value_or(0);
             return std::make_unique<ServerCore>(model, policy, host, static_cast<uint16_t>(port), threads, limits,
                                                 tls_cert, tls_key, std::move(log));
           }),
           py::arg("model"), py::arg("host"), py::arg("port"), py::arg("max_topk"), py::arg("allow_logits"),
           py::arg("send_names"), py::arg("kernel_cache_mib"), py::arg("min_statistical_bits"), py::arg("threads"),
           py::arg("max_concurrent"), py::arg("max_per_peer"), py::arg("handshake_timeout"), py::arg("session_timeout"),
           py::arg("max_handshakes"), py::arg("max_sessions"), py::arg("tls_cert"), py::arg("tls_key"), py::arg("log"))
      .def_property_readonly("port", &ServerCore::port)
      .def_property_readonly("host", &ServerCore::host)
      .def_property_readonly("fingerprint", &ServerCore::fingerprint)
      .def_property_readonly("pin", &ServerCore::pin)
      .def_property_readonly("running", &ServerCore::running)
      .def("start", &ServerCore::start)
      .def("stop", &ServerCore::stop)
      .def("log_lines", &ServerCore::lines);
}

}  // namespace twain::python
