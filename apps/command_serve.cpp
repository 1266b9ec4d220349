// twain serve / query / local.
#include <chrono>
#include <iostream>
#include <optional>

#include "client_run.hpp"
#include "loopback_run.hpp"
#include "commands.hpp"
#include "core/errors.hpp"
#include "engine/server_model.hpp"
#include "health_probe.hpp"
#include "serve_admission.hpp"
#include "serve_loop.hpp"
#include "session_log_json.hpp"
#include "server_load.hpp"
#include "net/tcp_channel.hpp"
#include "net/tls_channel.hpp"

namespace twain::apps {
namespace {

constexpr int64_t kMaxConcurrentSessions = 1024;
constexpr int64_t kMaxHandshakes = 65536;

}  // namespace

int command_serve(const std::vector<std::string>& args) {
  auto specs = server_option_specs();
  for (const char* name : {"--port", "--host", "--threads", "--max-sessions", "--max-concurrent", "--tls-cert",
                           "--tls-key", "--handshake-timeout", "--session-timeout", "--max-per-peer",
                           "--max-handshakes", "--health-port", "--health-host"})
    specs.push_back({name});
  specs.push_back({"--log-json", false});
  const CliOptions options("serve", args, specs);
  if (options.has("--tls-cert") != options.has("--tls-key"))
    throw InvalidArgument("serve: --tls-cert and --tls-key go together");
  if (options.has("--health-host") && !options.has("--health-port"))
    throw InvalidArgument("serve: --health-host needs --health-port");
  ServeLimits limits;
  limits.handshake_timeout = options.seconds("--handshake-timeout", limits.handshake_timeout,
                                             std::chrono::milliseconds(1), std::chrono::minutes(10));
  if (options.has("--session-timeout"))
    limits.session_timeout = options.seconds("--session-timeout", {}, std::chrono::seconds(1), net::kMaxChannelTimeout);
  limits.max_handshakes = static_cast<std::size_t>(
      options.integer("--max-handshakes", static_cast<int64_t>(limits.max_handshakes), 1, kMaxHandshakes));
  const auto concurrent = options.integer("--max-concurrent", 4, 1, kMaxConcurrentSessions);
  limits.max_concurrent = static_cast<std::size_t>(concurrent);
  limits.max_per_peer = static_cast<std::size_t>(options.integer("--max-per-peer", concurrent, 1, kMaxConcurrentSessions));
  limits.max_sessions = options.integer("--max-sessions", 0, 0, int64_t{1} << 40);
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
  Admission admission(limits.max_concurrent, limits.max_per_peer);
  std::optional<HealthProbe> health;
  if (options.has("--health-port")) {
    const std::string health_port = options.required("--health-port");
    const std::string health_host = options.get("--health-host", options.get("--host", "127.0.0.1"));
    health.emplace(health_host, health_port == "0" ? 0 : parse_port(health_port), model.fingerprint(), admission);
    std::cerr << "twain serve: health probe on " << health_host << ":" << health->port() << "\n";
  }
  const bool log_json = options.has("--log-json");
  const std::string instance = process_instance_id();
  serve_connections(
      model, listener, tls ? &*tls : nullptr, policy, limits,
      [&](const ConnectionEnd& end) {
        std::cerr << "twain serve: session " << end.number << " from " << end.peer << ": " << end.text << "\n";
        if (log_json) {
          // Peer bytes can reach an error message: invalid UTF-8 is replaced, never a throw.
          std::cout << session_log_json(end, instance, model.fingerprint())
                           .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                    << std::endl;
        }
      },
      nullptr, std::chrono::milliseconds(100), &admission);
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
