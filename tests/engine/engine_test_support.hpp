// Runs a whole secure inference in one process: the server session in a thread, the client in
// the caller's, over an in-memory channel pair.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <span>
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

// The server session in a thread, against a client session on the other end of a memory pair that
// `script` drives (any number of prepare and infer calls; the session is closed after it).
// server_trace: when given, the server's share of every tensor of the last inference. Rethrows
// the first error that is not a closed connection, else the server's, else the client's.
inline SessionReport run_session(const ServerModel& model, const SessionOptions& options,
                                 const std::function<void(ClientSession&)>& script, Trace* server_trace = nullptr) {
  auto server_end_client_end = net::make_memory_channel_pair();
  auto& server_end = server_end_client_end.first;
  auto& client_end = server_end_client_end.second;
  SessionReport server_report;
  std::exception_ptr server_error, client_error;
  std::thread server([&] {
    try {
      server_report = serve_session(model, *server_end, test_policy(), {}, server_trace);
    } catch (...) {
      server_error = std::current_exception();
    }
    server_end->close();
  });
  try {
    ClientSession client(*client_end, options);
    script(client);
    client.close();
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
  return server_report;
}

// One inference in a session of its own (run_session), both parties' traces kept.
inline LocalRun run_local(const ServerModel& model, std::span<const float> image, const SessionOptions& options) {
  LocalRun run;
  run.server = run_session(
      model, options, [&](ClientSession& client) { run.client = client.infer(image, {}, &run.client_trace); },
      &run.server_trace);
  return run;
}

// Both parties' outcomes, errors kept apart (for fault tests): the server runs in a thread, the
// client in the caller's, each over `wrap(end)` when a wrapper is given (for example a
// net::FaultChannel), else over its end of a memory pair with `channel_options`.
struct PairOutcome {
  std::optional<InferenceResult> client;
  std::optional<SessionReport> server;
  std::exception_ptr client_error, server_error;
  std::chrono::steady_clock::duration client_elapsed{}, server_elapsed{};
  // Each party's whole traffic, its phases and the commands between them (the end included).
  net::ChannelCounters client_total, server_total;
};
using ChannelWrap = std::function<std::unique_ptr<net::Channel>(net::Channel&)>;

inline PairOutcome run_pair(const ServerModel& model, std::span<const float> image, const SessionOptions& options,
                            const net::MemoryChannelOptions& channel_options, const ChannelWrap& wrap_server = {},
                            const ChannelWrap& wrap_client = {}) {
  auto server_end_client_end = net::make_memory_channel_pair(channel_options);
  auto& server_end = server_end_client_end.first;
  auto& client_end = server_end_client_end.second;
  PairOutcome out;
  std::thread server([&] {
    const auto start = std::chrono::steady_clock::now();
    auto wrapped = wrap_server ? wrap_server(*server_end) : nullptr;
    net::Channel& channel = wrapped ? *wrapped : *server_end;
    try {
      out.server = serve_session(model, channel, test_policy());
      out.server_total = channel.counters();
      channel.close();
    } catch (...) {
      out.server_error = std::current_exception();
    }
    out.server_elapsed = std::chrono::steady_clock::now() - start;
  });
  const auto start = std::chrono::steady_clock::now();
  {
    auto wrapped = wrap_client ? wrap_client(*client_end) : nullptr;
    net::Channel& channel = wrapped ? *wrapped : *client_end;
    try {
      {
        ClientSession client(channel, options);
        out.client = client.infer(image);
        client.close();
      }
      out.client_total = channel.counters();
      channel.close();
    } catch (...) {
      out.client_error = std::current_exception();
    }
  }
  out.client_elapsed = std::chrono::steady_clock::now() - start;
  // A party that failed leaves its end open only while it is wrapped in a stall; closing both
  // ends after the client is done lets a server still waiting see the end of the connection.
  client_end->close();
  server.join();
  return out;
}

}  // namespace twain::engine::testing
