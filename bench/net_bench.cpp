// Transport benchmarks: loopback TCP throughput and small-message round-trip time.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <future>
#include <memory>
#include <vector>

#include "core/prg.hpp"
#include "loopback.hpp"
#include "net/tcp_channel.hpp"
#include "net/transcript_checksum.hpp"

namespace {

using twain::bench::connect_loopback;
using twain::net::TcpChannel;

// Each iteration: a header announcing N bytes, N bytes of data, and a u64 acknowledgement once
// the receiver holds all of it (so the time covers delivery, not just queueing). N = 0 stops.
void tcp_throughput(benchmark::State& state) {
  const auto bytes = static_cast<std::size_t>(state.range(0));
  auto loopback = connect_loopback();
  auto& receiver = loopback.server;
  auto& sender = loopback.client;
  std::vector<uint8_t> data(bytes);
  twain::core::Prg(twain::core::Seed{7}).fill(data.data(), data.size());

  auto sink = std::async(std::launch::async, [r = receiver.get(), bytes] {
    std::vector<uint8_t> in(bytes);
    for (;;) {
      const uint64_t n = r->recv_u64();
      if (n == 0) break;
      r->recv(in.data(), n);
      r->send_u64(n);
      r->flush();
    }
  });

  const auto transfer = [&] {
    sender->send_u64(bytes);
    sender->send(data.data(), data.size());
    return sender->recv_u64() == bytes;
  };
  // One untimed transfer first: a fresh connection ramps its window and socket buffers up.
  transfer();
  sender->reset_counters();

  for (auto _ : state) {
    if (!transfer()) state.SkipWithError("acknowledgement mismatch");
  }
  const auto counters = sender->counters();
  sender->send_u64(0);
  sender->flush();
  sink.get();

  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["bytes_total"] = static_cast<double>(counters.bytes_sent);
  state.counters["rounds"] = static_cast<double>(counters.rounds);
}
BENCHMARK(tcp_throughput)->Arg(256 << 20)->Unit(benchmark::kMillisecond)->UseRealTime();

// Round trip of a 64-byte framed message and its echo.
void tcp_round_trip(benchmark::State& state) {
  auto [server, client] = connect_loopback();
  auto echo = std::async(std::launch::async, [s = server.get()] {
    for (;;) {
      auto message = s->recv_message(1 << 16);
      if (message.empty()) break;
      s->send_message(message);
      s->flush();
    }
  });
  std::vector<uint8_t> message(64, 0xab);
  for (auto _ : state) {
    client->send_message(message);
    benchmark::DoNotOptimize(client->recv_message(1 << 16));
  }
  const auto counters = client->counters();
  client->send_message({});
  client->flush();
  echo.get();
  state.counters["bytes_total"] = static_cast<double>(counters.bytes_sent + counters.bytes_received);
  state.counters["rounds"] = static_cast<double>(counters.rounds);
}
BENCHMARK(tcp_round_trip)->Unit(benchmark::kMicrosecond)->UseRealTime();

// The transcript checksum every channel keeps of what it sends and receives: each party runs it
// over the whole traffic of a session (both directions), in the chunk sizes a channel sees.
void transcript_checksum(benchmark::State& state) {
  const auto chunk = static_cast<std::size_t>(state.range(0));
  std::vector<uint8_t> data(std::size_t{16} << 20);
  twain::core::Prg(twain::core::Seed{8}).fill(data.data(), data.size());
  for (auto _ : state) {
    twain::net::TranscriptChecksum checksum;
    for (std::size_t at = 0; at < data.size(); at += chunk) checksum.update(data.data() + at, std::min(chunk, data.size() - at));
    benchmark::DoNotOptimize(checksum.digest());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}
BENCHMARK(transcript_checksum)->Arg(8)->Arg(4096)->Arg(64 << 10)->Unit(benchmark::kMillisecond);

}  // namespace
