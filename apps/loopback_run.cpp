#include "loopback_run.hpp"

#include <chrono>
#include <thread>

#include "net/tcp_channel.hpp"

namespace twain::apps {
namespace {

std::unique_ptr<net::Channel> shaped(std::unique_ptr<net::Channel> channel, const std::optional<net::LinkProfile>& link) {
  if (!link) return channel;
  return std::make_unique<net::ShapedChannel>(std::move(channel), *link);
}

}  // namespace

LoopbackRun run_loopback(const engine::ServerModel& model, const CliOptions& options,
                         const std::optional<net::LinkProfile>& link, const std::vector<float>* image) {
  net::TcpListener listener(0, "127.0.0.1");
  engine::ServerPolicy policy;
  policy.threads = static_cast<int>(options.integer("--threads", 1, 1, engine::kMaxThreads));
  std::exception_ptr server_error;
  std::thread server([&] {
    try {
      auto channel = shaped(listener.accept(std::chrono::minutes(1)), link);
      engine::serve_session(model, *channel, policy);
    } catch (...) {
      server_error = std::current_exception();
    }
  });
  const auto start = std::chrono::steady_clock::now();
  LoopbackRun run;
  try {
    auto channel = shaped(net::TcpChannel::connect("127.0.0.1", listener.port()), link);
    run.client = run_client(*channel, options, image);
  } catch (...) {
    server.join();
    throw;
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  server.join();
  if (server_error) std::rethrow_exception(server_error);
  return run;
}

}  // namespace twain::apps
