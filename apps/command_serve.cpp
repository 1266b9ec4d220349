// twain serve / query / local.
#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <optional>
#include <iomanip>
#include <sstream>
#include <system_error>
#include <thread>

#include "client_run.hpp"
#include "loopback_run.hpp"
#include "commands.hpp"
#include "core/errors.hpp"
#include "engine/server_model.hpp"
#include "serve_admission.hpp"
#include "server_load.hpp"
#include "net/tcp_channel.hpp"
#include "net/tls_channel.hpp"

namespace twain::apps {
namespace {

constexpr int64_t kMaxConcurrentSessions = 1024;
constexpr int64_t kMaxHandshakes = 65536;
// How long a connection with a valid request waits for a session slot before it is told the
// server is busy: below the client's default inactivity timeout, so the client sees a closed
// connection rather than timing out itself.
constexpr std::chrono::seconds kSlotWait{20};

struct ServeLimits {
  std::chrono::milliseconds handshake_timeout{5'000};
  std::optional<std::chrono::milliseconds> session_timeout;  // else engine::session_time_budget
  std::size_t max_handshakes = 512;
};

// One line per connection, whatever its outcome.
class ServeLog {
 public:
  void line(std::size_t number, const std::string& peer, const std::string& text) {
    std::lock_guard lock(mutex_);
    std::cerr << "twain serve: session " << number << " from " << peer << ": " << text << "\n";
  }

 private:
  std::mutex mutex_;
};

std::string seconds_text(double seconds) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(2) << seconds << " s";
  return out.str();
}

// One connection on its own thread: the TLS handshake (when `tls` is given) and the request under
// the handshake deadline, before any session slot is taken; then the session under its budget.
// Every error ends this connection only.
void serve_connection(const engine::ServerModel& model, std::unique_ptr<net::TcpChannel> tcp,
                      const net::TlsServerContext* tls, const engine::ServerPolicy& policy, const ServeLimits& limits,
                      Admission& admission, std::atomic<std::size_t>& handshaking, std::size_t number, ServeLog& log) {
  const std::string peer = tcp->peer();
  const std::string host = tcp->peer_host();
  const auto accepted = std::chrono::steady_clock::now();
  std::unique_ptr<net::Channel> channel;
  const net::TlsChannel* secure = nullptr;
  std::optional<engine::SessionRequest> request;
  try {
    tcp->set_deadline(accepted + limits.handshake_timeout);
    if (tls != nullptr) {
      auto tls_channel = net::TlsChannel::server(std::move(tcp), *tls);
      secure = tls_channel.get();
      channel = std::move(tls_channel);
    } else {
      channel = std::move(tcp);
    }
    request.emplace(engine::receive_request(model, *channel, policy));
  } catch (const PolicyError& e) {
    --handshaking;
    log.line(number, peer, std::string("refused: ") + e.what());
    return;
  } catch (const std::exception& e) {
    --handshaking;
    log.line(number, peer, std::string("no valid request: ") + e.what());
    return;
  }
  --handshaking;
  const auto set_deadline = [&](std::chrono::steady_clock::time_point deadline) {
    if (secure != nullptr) {
      static_cast<net::TlsChannel&>(*channel).set_deadline(deadline);
    } else {
      static_cast<net::TcpChannel&>(*channel).set_deadline(deadline);
    }
  };
  const auto verdict = admission.admit(host, std::chrono::steady_clock::now() + kSlotWait);
  if (verdict == Admission::Verdict::kPeerLimit) {
    log.line(number, peer, "refused: " + host + " already has " + std::to_string(admission.per_peer()) +
                               " sessions (--max-per-peer)");
    return;
  }
  if (verdict == Admission::Verdict::kBusy) {
    log.line(number, peer, "refused: all " + std::to_string(admission.slots()) + " session slots stayed busy for " +
                               std::to_string(kSlotWait.count()) + " s (--max-concurrent)");
    return;
  }
  const AdmissionTicket ticket(admission, host);
  try {
    const auto budget = limits.session_timeout.value_or(engine::session_time_budget(model, request->options));
    set_deadline(std::chrono::steady_clock::now() + budget);
    const engine::SessionReport r = engine::serve_session(model, *channel, std::move(*request), policy);
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - accepted).count();
    std::ostringstream text;
    text << "done in " << seconds_text(seconds) << " of its " << seconds_text(std::chrono::duration<double>(budget).count())
         << " (online " << seconds_text(r.online.seconds) << "), "
         << (channel->counters().bytes_sent + channel->counters().bytes_received) << " bytes";
    if (secure != nullptr) {
      const auto records = secure->record_bytes();
      text << " (" << (records.sent + records.received) << " bytes of TLS records, " << secure->cipher() << ")";
    }
    text << "; server resident memory " << (resident_bytes() >> 20) << " MiB, peak " << (peak_rss_bytes() >> 20)
         << " MiB";
    log.line(number, peer, text.str());
  } catch (const std::exception& e) {
    log.line(number, peer, std::string("ended with an error: ") + e.what());
  }
}

}  // namespace

int command_serve(const std::vector<std::string>& args) {
  auto specs = server_option_specs();
  for (const char* name : {"--port", "--host", "--threads", "--max-sessions", "--max-concurrent", "--tls-cert",
                           "--tls-key", "--handshake-timeout", "--session-timeout", "--max-per-peer",
                           "--max-handshakes"})
    specs.push_back({name});
  const CliOptions options("serve", args, specs);
  if (options.has("--tls-cert") != options.has("--tls-key"))
    throw InvalidArgument("serve: --tls-cert and --tls-key go together");
  ServeLimits limits;
  limits.handshake_timeout = options.seconds("--handshake-timeout", limits.handshake_timeout,
                                             std::chrono::milliseconds(1), std::chrono::minutes(10));
  if (options.has("--session-timeout"))
    limits.session_timeout = options.seconds("--session-timeout", {}, std::chrono::seconds(1), net::kMaxChannelTimeout);
  limits.max_handshakes = static_cast<std::size_t>(
      options.integer("--max-handshakes", static_cast<int64_t>(limits.max_handshakes), 1, kMaxHandshakes));
  const auto concurrent = options.integer("--max-concurrent", 4, 1, kMaxConcurrentSessions);
  const auto per_peer = options.integer("--max-per-peer", concurrent, 1, kMaxConcurrentSessions);
  const auto max_sessions = options.integer("--max-sessions", 0, 0, int64_t{1} << 40);
  // Loaded before the model so that a wrong file fails at once.
  std::optional<net::TlsServerContext> tls;
  if (options.has("--tls-cert")) tls.emplace(options.required("--tls-cert"), options.required("--tls-key"));
  const engine::ServerModel model = load_server_model(options, std::cerr);
  std::cerr << "twain serve: model fingerprint " << model.fingerprint() << "\n";
  if (tls) std::cerr << "twain serve: TLS 1.3 only, certificate key pin " << tls->pin() << "\n";
  engine::ServerPolicy policy;
  policy.threads = static_cast<int>(options.integer("--threads", 1, 1, engine::kMaxThreads));
  // Port 0 asks the system for a free port (printed below).
  const std::string port = options.required("--port");
  net::TcpListener listener(port == "0" ? 0 : parse_port(port), options.get("--host", "127.0.0.1"));
  std::cerr << "twain serve: listening on " << options.get("--host", "127.0.0.1") << ":" << listener.port() << "\n";
  Admission admission(static_cast<std::size_t>(concurrent), static_cast<std::size_t>(per_peer));
  std::atomic<std::size_t> handshaking{0};
  std::atomic<int64_t> open{0};
  ServeLog log;
  for (int64_t number = 1; max_sessions == 0 || number <= max_sessions; ++number) {
    std::unique_ptr<net::TcpChannel> channel;
    for (;;) {
      try {
        channel = listener.accept(net::kMaxChannelTimeout);
        break;
      } catch (const TimeoutError&) {
        // An idle server stays quiet.
      } catch (const std::exception& e) {
        // Out of descriptors, most likely: say so, and give sessions time to end.
        log.line(static_cast<std::size_t>(number), "(not accepted)", std::string("accept failed: ") + e.what());
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    // Connections that have not sent a request yet are bounded too (each holds a thread and a
    // descriptor until its handshake deadline).
    if (handshaking.load() >= limits.max_handshakes) {
      log.line(static_cast<std::size_t>(number), channel->peer(),
               "refused: " + std::to_string(limits.max_handshakes) +
                   " connections are already waiting for their request (--max-handshakes)");
      continue;
    }
    ++handshaking;
    ++open;
    const std::string peer = channel->peer();
    try {
      std::thread([&, number, channel = std::move(channel)]() mutable {
        serve_connection(model, std::move(channel), tls ? &*tls : nullptr, policy, limits, admission, handshaking,
                         static_cast<std::size_t>(number), log);
        --open;
        open.notify_all();
      }).detach();
    } catch (const std::system_error& e) {
      // No thread to be had (the connection closed with the lambda that held it).
      --handshaking;
      --open;
      log.line(static_cast<std::size_t>(number), peer, std::string("refused: no thread for it: ") + e.what());
    }
  }
  for (int64_t left = open.load(); left != 0; left = open.load()) open.wait(left);
  return 0;
}

int command_query(const std::vector<std::string>& args) {
  auto specs = client_option_specs();
  for (const char* name : {"--server", "--tls-ca", "--tls-pin", "--expect-model"}) specs.push_back({name});
  const CliOptions options("query", args, specs);
  const Endpoint server = parse_endpoint(options.required("--server"));
  (void)expected_model(options);  // a malformed fingerprint fails before connecting
  if (options.has("--tls-ca") || options.has("--tls-pin")) {
    const net::TlsClientContext context({options.get("--tls-ca", ""), options.get("--tls-pin", "")});
    auto channel = net::TlsChannel::connect(server.host, server.port, context);
    const ClientRun run = run_client(*channel, options);
    const auto records = channel->record_bytes();
    const auto app = channel->counters();
    std::cout << "TLS 1.3 (" << channel->cipher() << "): " << (records.sent + records.received)
              << " bytes of TLS records for " << (app.bytes_sent + app.bytes_received) << " application bytes\n";
    nlohmann::json extra;
    extra["tls"] = {{"cipher", channel->cipher()},
                    {"record_bytes_sent", records.sent},
                    {"record_bytes_received", records.received}};
    return report_client(run, options, extra);
  }
  auto channel = net::TcpChannel::connect(server.host, server.port);
  const ClientRun run = [&] {
    try {
      return run_client(*channel, options);
    } catch (const NetworkError& e) {
      if (channel->counters().bytes_received != 0) throw;
      // A TLS server waits for a ClientHello that a plain client never sends.
      const std::string what = std::string(e.what()) +
                               " (nothing came from the server: if it serves TLS, query it with --tls-ca or --tls-pin)";
      if (dynamic_cast<const TimeoutError*>(&e) != nullptr) throw TimeoutError(what);
      throw NetworkError(what);
    }
  }();
  return report_client(run, options);
}

int command_local(const std::vector<std::string>& args) {
  auto specs = client_option_specs();
  for (const OptionSpec& spec : server_option_specs()) specs.push_back(spec);
  const CliOptions options("local", args, specs);
  const engine::ServerModel model = load_server_model(options, std::cerr, true);
  return report_client(run_loopback(model, options, std::nullopt, nullptr).client, options);
}

}  // namespace twain::apps
