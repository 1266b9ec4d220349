#include "client_core.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>
#include <pybind11/stl.h>

#include "core/errors.hpp"
#include "engine/server_model.hpp"
#include "engine/session.hpp"
#include "image_source.hpp"
#include "model_card.hpp"
#include "model_core.hpp"
#include "net/tcp_channel.hpp"
#include "net/tls_channel.hpp"
#include "released_run.hpp"
#include "server_load.hpp"
#include "session_report.hpp"

namespace py = pybind11;

namespace twain::python {
namespace {

// What the client asks, as query's and local's options say it.
struct ClientRequest {
  engine::SessionOptions options;
  int threads = 1;
  std::optional<std::string> expected_model;  // lowercase fingerprint
  ImageSource image;
};

struct ClientOutcome {
  engine::InferenceResult result;
  apps::ModelCard card;
  std::string fingerprint;
};

engine::SessionOptions session_options(const std::string& mode, const std::string& ot, int top_k, bool logits) {
  if (mode != "exact" && mode != "fast") throw InvalidArgument("mode must be 'fast' or 'exact', got '" + mode + "'");
  if (ot != "auto" && ot != "ferret" && ot != "iknp")
    throw InvalidArgument("ot must be 'auto', 'ferret' or 'iknp', got '" + ot + "'");
  if (top_k < 1 || top_k > engine::kMaxTopK)
    throw InvalidArgument("topk must lie in 1.." + std::to_string(engine::kMaxTopK) + ", got " + std::to_string(top_k));
  engine::SessionOptions s;
  s.mode = mode == "exact" ? nonlinear::TruncMode::kExact : nonlinear::TruncMode::kFast;
  s.choose_backend = ot == "auto";
  s.backend = ot == "iknp" ? nonlinear::Backend::kIknp : nonlinear::Backend::kFerret;
  s.top_k = top_k;
  s.reveal_logits = logits;
  return s;
}

// The session on `channel`, as apps::run_client runs it: the description and card, the
// --expect-model check before anything is sent, the image under the card, the inference.
ClientOutcome run_inference(net::Channel& channel, const ClientRequest& request, const ProgressSink& progress) {
  engine::ClientSession session(channel, request.options, request.threads);
  ClientOutcome out;
  out.fingerprint = session.fingerprint();
  if (request.expected_model && *request.expected_model != out.fingerprint)
    throw PolicyError("the server's model has fingerprint " + out.fingerprint + ", not the expected " +
                      *request.expected_model + " (expect_model); nothing was sent to it");
  out.card = apps::parse_card(session.card(), session.model());
  const std::vector<float> input = model_input(request.image, out.card.spec, session.model());
  out.result = session.infer(input, progress);
  return out;
}

// A TCP connection whose socket `cancellation` can shut down. The connection is retried in
// short attempts so that a cancel also ends a wait for a server that is not up yet.
std::unique_ptr<net::TcpChannel> connect(const std::string& host, uint16_t port, const net::TcpOptions& options,
                                         Cancellation& cancellation, int& fd) {
  const auto give_up = std::chrono::steady_clock::now() + options.connect_timeout;
  net::TcpOptions attempt = options;
  attempt.connect_timeout = std::min(options.connect_timeout, std::chrono::milliseconds(200));
  for (;;) {
    cancellation.check();
    try {
      auto tcp = net::TcpChannel::connect(host, port, attempt);
      // Taken back from the channel so that the descriptor is known (and watched).
      const std::string peer = tcp->peer();
      fd = tcp->release();
      return std::make_unique<net::TcpChannel>(fd, peer, options);
    } catch (const NetworkError&) {
      if (std::chrono::steady_clock::now() >= give_up) throw;
    }
  }
}

double score(int64_t value, int frac_bits) { return std::ldexp(static_cast<double>(value), -frac_bits); }

// The prediction as a dict; "report" holds what `--json` writes, as JSON text.
py::dict outcome_dict(const ClientOutcome& out, const nlohmann::json& extra) {
  py::dict d;
  py::list top;
  for (const engine::ClassScore& c : out.result.top)
    top.append(py::make_tuple(c.index, apps::class_name(out.card, c.index), score(c.value, out.result.frac_bits)));
  d["top_k"] = top;
  if (!out.result.logits.empty()) {
    py::list logits;
    for (const int64_t v : out.result.logits) logits.append(score(v, out.result.frac_bits));
    d["logits"] = logits;
  } else {
    d["logits"] = py::none();
  }
  d["labels"] = out.card.labels;
  d["fingerprint"] = out.fingerprint;
  nlohmann::json report = extra;
  report["top_k"] = apps::top_json(out.result, out.card);
  report["model_fingerprint"] = out.fingerprint;
  report["phases"] = apps::phases_json(out.result.report);
  report["layers"] = apps::steps_json(out.result.report);
  report["peak_rss_bytes"] = apps::peak_rss_bytes();
  report["statistical_bits_session"] = out.result.report.statistical_bits_session;
  report["flooded_responses"] = out.result.report.flooded_responses;
  d["report"] = report.dump();
  return d;
}

std::optional<std::string> expected_fingerprint(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  std::string lower = *text;
  bool ok = lower.size() == 64;
  for (char& c : lower) {
    ok = ok && std::isxdigit(static_cast<unsigned char>(c)) != 0;
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (!ok) throw InvalidArgument("expect_model must be the 64 hex digits of a model fingerprint, got '" + *text + "'");
  return lower;
}

std::chrono::milliseconds milliseconds(double seconds, const char* name) {
  if (!(seconds > 0) || seconds > std::chrono::duration<double>(net::kMaxChannelTimeout).count())
    throw InvalidArgument(std::string(name) + " must be a positive number of seconds within the channel limit");
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(seconds * 1e3)));
}


// The client's half of a session on a fresh connection to host:port, TLS when `tls` is given.
// Adds what `twain query` adds to its JSON report for TLS.
ClientOutcome run_connected(const std::string& host, uint16_t port, const net::TcpOptions& tcp,
                            const net::TlsClientContext* tls, const ClientRequest& request, Cancellation& cancellation,
                            const ProgressSink& progress, nlohmann::json& extra) {
  // The channels outlive the watch on their socket (see WatchedSocket).
  std::unique_ptr<net::TcpChannel> plain;
  std::unique_ptr<net::TlsChannel> secure;
  std::optional<WatchedSocket> watched;
  int fd = -1;
  plain = connect(host, port, tcp, cancellation, fd);
  watched.emplace(cancellation, fd);
  if (tls != nullptr) {
    secure = net::TlsChannel::client(std::move(plain), host, *tls);
    ClientOutcome out = run_inference(*secure, request, progress);
    const auto records = secure->record_bytes();
    extra["tls"] = {{"cipher", secure->cipher()},
                    {"record_bytes_sent", records.sent},
                    {"record_bytes_received", records.received}};
    return out;
  }
  try {
    return run_inference(*plain, request, progress);
  } catch (const NetworkError& e) {
    if (plain->counters().bytes_received != 0 || cancellation.cancelled()) throw;
    // A TLS server waits for a ClientHello that a plain client never sends.
    const std::string what = std::string(e.what()) +
                             " (nothing came from the server: if it serves TLS, connect with tls_ca or tls_pin)";
    if (dynamic_cast<const TimeoutError*>(&e) != nullptr) throw TimeoutError(what);
    throw NetworkError(what);
  }
}

// Both parties in this process, as `twain local` runs them: the model preprocessed under the
// policy of one user (what the client asks is allowed), the server session on a thread, the
// client on this one, over loopback TCP.
ClientOutcome run_local(ModelCore& model, const ClientRequest& request, std::size_t kernel_cache_mib,
                        Cancellation& cancellation, const ProgressSink& progress) {
  engine::ModelPolicy policy;
  policy.kernel_cache_bytes = kernel_cache_mib << 20;
  policy.max_top_k = std::max(5, request.options.top_k);
  policy.allow_logits = request.options.reveal_logits;
  const std::shared_ptr<const engine::ServerModel> served_model = model.served(policy);
  const engine::ServerModel& served = *served_model;
  net::TcpListener listener(0, "127.0.0.1");
  engine::ServerPolicy server_policy;
  server_policy.threads = request.threads;
  std::exception_ptr server_error;
  std::thread server([&] {
    try {
      std::unique_ptr<net::TcpChannel> channel;
      while (!channel && !cancellation.cancelled()) {
        try {
          channel = listener.accept(std::chrono::milliseconds(100));
        } catch (const TimeoutError&) {
        }
      }
      if (channel) engine::serve_session(served, *channel, server_policy);
    } catch (...) {
      server_error = std::current_exception();
    }
  });
  ClientOutcome out;
  try {
    nlohmann::json unused;
    out = run_connected("127.0.0.1", listener.port(), net::TcpOptions{}, nullptr, request, cancellation, progress, unused);
  } catch (...) {
    cancellation.cancel();  // a client that never connected leaves the server waiting in accept
    server.join();
    throw;
  }
  server.join();
  if (server_error) std::rethrow_exception(server_error);
  return out;
}

}  // namespace

void register_client(py::module_& module) {
  module.def(
      "infer",
      [](const std::string& host, uint16_t port, const py::tuple& image, int topk, const std::string& mode,
         const std::string& ot, bool logits, int threads, const std::optional<std::string>& expect_model,
         const std::optional<std::string>& tls_ca, const std::optional<std::string>& tls_pin, double connect_timeout,
         double io_timeout, const py::object& progress) {
        if (threads < 1 || threads > engine::kMaxThreads) throw InvalidArgument("threads must lie in 1..256");
        const ClientRequest request{session_options(mode, ot, topk, logits), threads, expected_fingerprint(expect_model),
                                    image_source(image)};
        net::TcpOptions tcp;
        tcp.connect_timeout = milliseconds(connect_timeout, "connect_timeout");
        tcp.io_timeout = milliseconds(io_timeout, "io_timeout");
        std::optional<net::TlsClientContext> tls;
        if (tls_ca || tls_pin) tls.emplace(net::TlsClientOptions{tls_ca.value_or(""), tls_pin.value_or("")});
        ClientOutcome out;
        nlohmann::json extra;
        run_released(
            [&](Cancellation& cancellation, const ProgressSink& sink) {
              out = run_connected(host, port, tcp, tls ? &*tls : nullptr, request, cancellation, sink, extra);
            },
            progress);
        return outcome_dict(out, extra);
      },
      py::arg("host"), py::arg("port"), py::arg("image"), py::arg("topk"), py::arg("mode"), py::arg("ot"),
      py::arg("logits"), py::arg("threads"), py::arg("expect_model"), py::arg("tls_ca"), py::arg("tls_pin"),
      py::arg("connect_timeout"), py::arg("io_timeout"), py::arg("progress"), "One secure inference (C++ side).");

  module.def(
      "local",
      [](ModelCore& model, const py::tuple& image, int topk, const std::string& mode, const std::string& ot,
         bool logits, int threads, std::size_t kernel_cache_mib, const py::object& progress) {
        if (threads < 1 || threads > engine::kMaxThreads) throw InvalidArgument("threads must lie in 1..256");
        if (kernel_cache_mib > (std::size_t{1} << 30)) throw InvalidArgument("kernel_cache_mib is over 2^30");
        const ClientRequest request{session_options(mode, ot, topk, logits), threads, std::nullopt, image_source(image)};
        ClientOutcome out;
        run_released(
            [&](Cancellation& cancellation, const ProgressSink& sink) {
              out = run_local(model, request, kernel_cache_mib, cancellation, sink);
            },
            progress);
        return outcome_dict(out, nlohmann::json::object());
      },
      py::arg("model"), py::arg("image"), py::arg("topk"), py::arg("mode"), py::arg("ot"), py::arg("logits"),
      py::arg("threads"), py::arg("kernel_cache_mib"), py::arg("progress"), "Both parties in this process (C++ side).");
}

}  // namespace twain::python
