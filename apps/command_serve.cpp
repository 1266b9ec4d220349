// twain serve / query / local.
#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <optional>
#include <semaphore>
#include <thread>

#include "client_run.hpp"
#include "loopback_run.hpp"
#include "commands.hpp"
#include "core/errors.hpp"
#include "engine/server_model.hpp"
#include "server_load.hpp"
#include "net/tcp_channel.hpp"
#include "net/tls_channel.hpp"

namespace twain::apps {
namespace {

constexpr int64_t kMaxConcurrentSessions = 1024;

// One client on its own thread (its TLS handshake too, when `tls` is given); an error ends that
// session only.
void serve_one(const engine::ServerModel& model, std::unique_ptr<net::TcpChannel> tcp, const net::TlsServerContext* tls,
               const engine::ServerPolicy& policy, std::size_t number, std::mutex& log) {
  try {
    std::unique_ptr<net::Channel> channel;
    const net::TlsChannel* secure = nullptr;
    if (tls != nullptr) {
      auto tls_channel = net::TlsChannel::server(std::move(tcp), *tls);
      secure = tls_channel.get();
      channel = std::move(tls_channel);
    } else {
      channel = std::move(tcp);
    }
    const engine::SessionReport r = engine::serve_session(model, *channel, policy);
    std::lock_guard lock(log);
    std::cerr << "twain serve: session " << number << " done: online " << r.online.seconds << " s, "
              << (r.online.traffic.bytes_sent + r.online.traffic.bytes_received) << " bytes online; server peak resident memory "
              << (peak_rss_bytes() >> 20) << " MiB\n";
    if (secure != nullptr) {
      const auto app = channel->counters();
      const auto records = secure->record_bytes();
      std::cerr << "twain serve: session " << number << " over " << secure->cipher() << ": "
                << (app.bytes_sent + app.bytes_received) << " application bytes in "
                << (records.sent + records.received) << " bytes of TLS records\n";
    }
  } catch (const std::exception& e) {
    std::lock_guard lock(log);
    std::cerr << "twain serve: session " << number << " ended with an error: " << e.what() << "\n";
  }
}

}  // namespace

int command_serve(const std::vector<std::string>& args) {
  auto specs = server_option_specs();
  for (const char* name : {"--port", "--host", "--threads", "--max-sessions", "--max-concurrent", "--tls-cert",
                           "--tls-key"})
    specs.push_back({name});
  const CliOptions options("serve", args, specs);
  if (options.has("--tls-cert") != options.has("--tls-key"))
    throw InvalidArgument("serve: --tls-cert and --tls-key go together");
  // Loaded before the model so that a wrong file fails at once.
  std::optional<net::TlsServerContext> tls;
  if (options.has("--tls-cert")) tls.emplace(options.required("--tls-cert"), options.required("--tls-key"));
  const engine::ServerModel model = load_server_model(options, std::cerr);
  std::cerr << "twain serve: model fingerprint " << model.fingerprint() << "\n";
  if (tls) std::cerr << "twain serve: TLS 1.3 only, certificate key pin " << tls->pin() << "\n";
  engine::ServerPolicy policy;
  policy.threads = static_cast<int>(options.integer("--threads", 1, 1, engine::kMaxThreads));
  const auto max_sessions = options.integer("--max-sessions", 0, 0, int64_t{1} << 40);
  // Port 0 asks the system for a free port (printed below).
  const std::string port = options.required("--port");
  net::TcpListener listener(port == "0" ? 0 : parse_port(port), options.get("--host", "127.0.0.1"));
  std::cerr << "twain serve: listening on " << options.get("--host", "127.0.0.1") << ":" << listener.port() << "\n";
  // At most --max-concurrent sessions at once (a flood of connections waits in the backlog
  // instead of spawning threads without bound).
  const auto concurrent = options.integer("--max-concurrent", 4, 1, kMaxConcurrentSessions);
  std::counting_semaphore<kMaxConcurrentSessions> slots(static_cast<std::ptrdiff_t>(concurrent));
  std::atomic<int64_t> active{0};
  std::mutex log;
  for (int64_t number = 1; max_sessions == 0 || number <= max_sessions;) {
    slots.acquire();
    std::unique_ptr<net::TcpChannel> channel;
    try {
      channel = listener.accept();
    } catch (const std::exception& e) {
      slots.release();
      std::lock_guard lock(log);
      std::cerr << "twain serve: accept failed: " << e.what() << "\n";
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    ++active;
    std::thread([&, number, channel = std::move(channel)]() mutable {
      serve_one(model, std::move(channel), tls ? &*tls : nullptr, policy, static_cast<std::size_t>(number), log);
      slots.release();
      --active;
      active.notify_all();
    }).detach();
    ++number;
  }
  for (int64_t left = active.load(); left != 0; left = active.load()) active.wait(left);
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
