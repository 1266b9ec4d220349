// twain serve / query / local.
#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <semaphore>
#include <thread>

#include "client_run.hpp"
#include "loopback_run.hpp"
#include "commands.hpp"
#include "core/errors.hpp"
#include "engine/server_model.hpp"
#include "server_load.hpp"
#include "net/tcp_channel.hpp"

namespace twain::apps {
namespace {

constexpr int64_t kMaxConcurrentSessions = 1024;

// One client on its own thread; an error ends that session only.
void serve_one(const engine::ServerModel& model, std::unique_ptr<net::TcpChannel> channel,
               const engine::ServerPolicy& policy, std::size_t number, std::mutex& log) {
  try {
    const engine::SessionReport r = engine::serve_session(model, *channel, policy);
    std::lock_guard lock(log);
    std::cerr << "twain serve: session " << number << " done: online " << r.online.seconds << " s, "
              << (r.online.traffic.bytes_sent + r.online.traffic.bytes_received) << " bytes online; server peak resident memory "
              << (peak_rss_bytes() >> 20) << " MiB\n";
  } catch (const std::exception& e) {
    std::lock_guard lock(log);
    std::cerr << "twain serve: session " << number << " ended with an error: " << e.what() << "\n";
  }
}

}  // namespace

int command_serve(const std::vector<std::string>& args) {
  const CliOptions options("serve", args,
                           {{"--model"}, {"--port"}, {"--host"}, {"--threads"}, {"--bits"}, {"--frac"},
                            {"--kernel-cache-mib"}, {"--max-sessions"}, {"--max-concurrent"}});
  const engine::ServerModel model = load_server_model(options, std::cerr);
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
      serve_one(model, std::move(channel), policy, static_cast<std::size_t>(number), log);
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
  specs.push_back({"--server"});
  const CliOptions options("query", args, specs);
  const Endpoint server = parse_endpoint(options.required("--server"));
  auto channel = net::TcpChannel::connect(server.host, server.port);
  return report_client(run_client(*channel, options), options);
}

int command_local(const std::vector<std::string>& args) {
  auto specs = client_option_specs();
  for (const OptionSpec& spec : server_option_specs()) specs.push_back(spec);
  const CliOptions options("local", args, specs);
  const engine::ServerModel model = load_server_model(options, std::cerr);
  return report_client(run_loopback(model, options, std::nullopt, nullptr).client, options);
}

}  // namespace twain::apps
