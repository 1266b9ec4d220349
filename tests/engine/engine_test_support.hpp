// Runs a whole secure inference in one process: the server session in a thread, the client in
// the caller's, over an in-memory channel pair.
#pragma once

#include <exception>
#include <thread>

#include "core/errors.hpp"
#include "engine/session.hpp"
#include "net/memory_channel.hpp"

namespace twain::engine::testing {

inline engine::ServerPolicy test_policy() {
  engine::ServerPolicy policy;
  policy.allow_insecure_for_tests = true;
  return policy;
}

struct LocalRun {
  InferenceResult client;
  SessionReport server;
  Trace server_trace, client_trace;
};

// Rethrows the first error that is not a closed connection, else the server's, else the client's.
inline LocalRun run_local(const ServerModel& model, std::span<const float> image, const SessionOptions& options) {
  auto [server_end, client_end] = net::make_memory_channel_pair();
  LocalRun run;
  std::exception_ptr server_error, client_error;
  std::thread server([&] {
    try {
      run.server = serve_session(model, *server_end, test_policy(), {}, &run.server_trace);
    } catch (...) {
      server_error = std::current_exception();
    }
    server_end->close();
  });
  try {
    ClientSession client(*client_end, options);
    run.client = client.infer(image, {}, &run.client_trace);
  } catch (...) {
    client_error = std::current_exception();
  }
  client_end->close();
  server.join();
  // The first failure closes its end, so the other side's error is usually "peer closed":
  // report the one that is not.
  for (const auto& error : {server_error, client_error}) {
    if (!error) continue;
    try {
      std::rethrow_exception(error);
    } catch (const NetworkError&) {
    }
  }
  if (server_error) std::rethrow_exception(server_error);
  if (client_error) std::rethrow_exception(client_error);
  return run;
}

}  // namespace twain::engine::testing
