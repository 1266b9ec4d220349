// Nonlinear-layer benchmarks: comparison, ReLU, truncation and MaxPool batches, and all ReLU /
// MaxPool layers of SqueezeNet 1.1 at 224x224. Both parties run over loopback TCP, one thread
// each (the server on the benchmark thread, the client on a helper), each iteration a fresh
// session: setup (base OTs, Ferret bootstrap), offline (exactly the planned triples and OTs),
// online. The benchmark time is the online phase (manual time).
//
// Counters (both directions, summed over both parties): bytes_total = setup + offline + online
// bytes; setup_bytes, offline_bytes, online_bytes; rounds = online flights (sequential message
// steps; a simultaneous exchange counts once); setup_s, offline_s, online_s; for the batch
// benchmarks online_bits_per_op and offline_bits_per_op (per element).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <future>
#include <vector>

#include "core/prg.hpp"
#include "loopback.hpp"
#include "nonlinear/session.hpp"

namespace {

using twain::core::Prg;
using twain::core::Seed;
using twain::nonlinear::Backend;
using twain::nonlinear::CompareMode;
using twain::nonlinear::NonlinearSession;
using twain::nonlinear::Options;
using twain::nonlinear::Plan;
using twain::nonlinear::Role;
using twain::nonlinear::SessionStats;
using twain::nonlinear::TruncMode;

constexpr int kRingBits = 37;
constexpr int kScale = 12;

Seed seed_of(uint8_t tag) {
  Seed seed{};
  seed.fill(tag);
  return seed;
}

std::vector<uint64_t> random_shares(std::size_t n, uint8_t tag) {
  Prg prg(seed_of(tag));
  std::vector<uint64_t> v(n);
  for (auto& x : v) x = prg.next_u64() & ((uint64_t{1} << kRingBits) - 1);
  return v;
}

// Runs body(session, own shares tag) on both parties; returns both parties' stats.
template <class Body>
std::pair<SessionStats, SessionStats> run_pair(const Options& options, Backend backend, Body body) {
  twain::bench::Loopback link = twain::bench::connect_loopback();
  auto party = [&](Role role, twain::net::Channel& channel) {
    Prg prg(seed_of(role == Role::kServer ? 1 : 2));
    NonlinearSession session(role, channel, prg, options, backend);
    body(session);
    return session.stats();
  };
  auto peer = std::async(std::launch::async, [&] { return party(Role::kClient, *link.client); });
  const SessionStats mine = party(Role::kServer, *link.server);
  return {mine, peer.get()};
}

void record(benchmark::State& state, const std::pair<SessionStats, SessionStats>& s, double ops) {
  const auto& a = s.first;
  const auto& b = s.second;
  const double setup = static_cast<double>(a.setup.bytes_sent + b.setup.bytes_sent);
  const double offline = static_cast<double>(a.offline.bytes_sent + b.offline.bytes_sent);
  const double online = static_cast<double>(a.online.bytes_sent + b.online.bytes_sent);
  state.counters["bytes_total"] = setup + offline + online;
  state.counters["setup_bytes"] = setup;
  state.counters["offline_bytes"] = offline;
  state.counters["online_bytes"] = online;
  state.counters["rounds"] = static_cast<double>(a.online.flights);
  state.counters["setup_s"] = std::max(a.setup.seconds, b.setup.seconds);
  state.counters["offline_s"] = std::max(a.offline.seconds, b.offline.seconds);
  state.counters["online_s"] = std::max(a.online.seconds, b.online.seconds);
  if (ops > 0) {
    state.counters["online_bits_per_op"] = 8 * online / ops;
    state.counters["offline_bits_per_op"] = 8 * offline / ops;
  }
  state.SetIterationTime(std::max(a.online.seconds, b.online.seconds));
}

Options options_with(CompareMode mode) {
  Options o;
  o.ring_bits = kRingBits;
  o.compare = mode;
  return o;
}

CompareMode mode_of(int64_t arg) { return arg == 0 ? CompareMode::kLogDepth : CompareMode::kSerial; }

// compare_{logdepth,serial}/n: n comparisons of (l-1)-bit values; compare_logdepth_triple_leaves:
// the leaf ANDs by Beaver triples instead of random OTs.
void compare_batch(benchmark::State& state, CompareMode mode,
                   twain::nonlinear::LeafMode leaf = twain::nonlinear::LeafMode::kRandomOt) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto a = random_shares(n, 3);
  Options options = options_with(mode);
  options.leaf = leaf;
  for (auto _ : state) {
    const auto s = run_pair(options, Backend::kFerret, [&](NonlinearSession& session) {
      Plan plan = session.plan();
      plan.add_compare(n, kRingBits - 1);
      session.offline(plan);
      std::vector<uint64_t> own(a);
      for (auto& x : own) x &= (uint64_t{1} << (kRingBits - 1)) - 1;
      benchmark::DoNotOptimize(session.compare(own, kRingBits - 1));
    });
    record(state, s, static_cast<double>(n));
  }
}
void compare_logdepth(benchmark::State& state) { compare_batch(state, CompareMode::kLogDepth); }
void compare_serial(benchmark::State& state) { compare_batch(state, CompareMode::kSerial); }
void compare_logdepth_triple_leaves(benchmark::State& state) {
  compare_batch(state, CompareMode::kLogDepth, twain::nonlinear::LeafMode::kTriple);
}

// relu*/n/mode: ReLU, ReLU-then-truncate (fast, exact), truncate (fast, exact).
enum class Op { kRelu, kReluTruncFast, kReluTruncExact, kTruncFast, kTruncExact };

void nonlinear_batch(benchmark::State& state, Op op) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const CompareMode mode = mode_of(state.range(1));
  for (auto _ : state) {
    const auto s = run_pair(options_with(mode), Backend::kFerret, [&](NonlinearSession& session) {
      const auto x = random_shares(n, session.role() == Role::kServer ? 4 : 5);
      Plan plan = session.plan();
      switch (op) {
        case Op::kRelu: plan.add_relu(n); break;
        case Op::kReluTruncFast: plan.add_relu(n, kScale, TruncMode::kFast); break;
        case Op::kReluTruncExact: plan.add_relu(n, kScale, TruncMode::kExact); break;
        case Op::kTruncFast: plan.add_truncate(n, kScale, TruncMode::kFast); break;
        case Op::kTruncExact: plan.add_truncate(n, kScale, TruncMode::kExact); break;
      }
      session.offline(plan);
      switch (op) {
        case Op::kRelu: benchmark::DoNotOptimize(session.relu(x)); break;
        case Op::kReluTruncFast: benchmark::DoNotOptimize(session.relu_truncate(x, kScale, TruncMode::kFast)); break;
        case Op::kReluTruncExact: benchmark::DoNotOptimize(session.relu_truncate(x, kScale, TruncMode::kExact)); break;
        case Op::kTruncFast: benchmark::DoNotOptimize(session.truncate(x, kScale, TruncMode::kFast)); break;
        case Op::kTruncExact: benchmark::DoNotOptimize(session.truncate(x, kScale, TruncMode::kExact)); break;
      }
    });
    record(state, s, static_cast<double>(n));
  }
}
void relu(benchmark::State& state) { nonlinear_batch(state, Op::kRelu); }
void relu_truncate_fast(benchmark::State& state) { nonlinear_batch(state, Op::kReluTruncFast); }
void relu_truncate_exact(benchmark::State& state) { nonlinear_batch(state, Op::kReluTruncExact); }
void truncate_fast(benchmark::State& state) { nonlinear_batch(state, Op::kTruncFast); }
void truncate_exact(benchmark::State& state) { nonlinear_batch(state, Op::kTruncExact); }

twain::core::Pool2dGeometry pool3x3s2(std::size_t c, std::size_t h) {
  return twain::nonlinear::make_pool_shape(c, h, h, 3, 3, 2, 2, {0, 0, 0, 0}, true);
}

// maxpool_{direct,separable}/mode: the first MaxPool of SqueezeNet 1.1 (64 x 111 x 111, 3x3/2).
void maxpool_layer(benchmark::State& state, twain::nonlinear::PoolMethod method) {
  const CompareMode mode = mode_of(state.range(0));
  const twain::core::Pool2dGeometry shape = pool3x3s2(64, 111);
  for (auto _ : state) {
    const auto s = run_pair(options_with(mode), Backend::kFerret, [&](NonlinearSession& session) {
      const auto x = random_shares(shape.input_size(), session.role() == Role::kServer ? 6 : 7);
      Plan plan = session.plan();
      plan.add_maxpool(shape, method);
      session.offline(plan);
      benchmark::DoNotOptimize(session.maxpool(x, shape, method));
    });
    record(state, s, 0);
    state.counters["comparisons"] = static_cast<double>(twain::nonlinear::pool_comparisons(shape, method));
  }
}
void maxpool_direct(benchmark::State& state) { maxpool_layer(state, twain::nonlinear::PoolMethod::kDirect); }
void maxpool_separable(benchmark::State& state) { maxpool_layer(state, twain::nonlinear::PoolMethod::kSeparable); }

// SqueezeNet 1.1 at 224x224: the ReLU layers, each preceded by a convolution, so each is a
// ReLU-then-truncate by f = 12. pool_first = true: as the engine runs the model, each MaxPool
// moved before the ReLU in front of it (they commute; model/passes.hpp swap_maxpool_relu), so
// conv1's ReLU runs on 64 x 55 x 55, fire3's expands on 27 x 27 and fire5's on 13 x 13
// (1,557,160 ReLUs); false: every ReLU at its original size (2,589,352 ReLUs).
std::vector<std::size_t> squeezenet_relu_sizes(bool pool_first) {
  std::vector<std::size_t> sizes{std::size_t{64} * (pool_first ? 55 * 55 : 111 * 111)};
  struct Fire {
    std::size_t squeeze, expand, hw, pooled_hw;
  };
  const Fire fires[] = {{16, 64, 55, 55},  {16, 64, 55, 27},  {32, 128, 27, 27}, {32, 128, 27, 13},
                        {48, 192, 13, 13}, {48, 192, 13, 13}, {64, 256, 13, 13}, {64, 256, 13, 13}};
  for (const Fire& f : fires) {
    const std::size_t out_hw = pool_first ? f.pooled_hw : f.hw;
    sizes.push_back(f.squeeze * f.hw * f.hw);
    sizes.push_back(f.expand * out_hw * out_hw);  // expand1x1
    sizes.push_back(f.expand * out_hw * out_hw);  // expand3x3
  }
  sizes.push_back(1000 * 13 * 13);  // conv10
  return sizes;
}

// relu_network/squeezenet1_1/mode/trunc/order: mode 0 = log-depth, 1 = serial; trunc 0 = fast,
// 1 = exact; order 0 = MaxPool first (as the engine runs it), 1 = every ReLU at its original size.
void relu_network(benchmark::State& state) {
  const CompareMode mode = mode_of(state.range(0));
  const TruncMode trunc = state.range(1) == 0 ? TruncMode::kFast : TruncMode::kExact;
  const auto sizes = squeezenet_relu_sizes(state.range(2) == 0);
  std::size_t total = 0;
  for (auto n : sizes) total += n;
  for (auto _ : state) {
    const auto s = run_pair(options_with(mode), Backend::kFerret, [&](NonlinearSession& session) {
      Plan plan = session.plan();
      for (auto n : sizes) plan.add_relu(n, kScale, trunc);
      session.offline(plan);
      for (auto n : sizes) {
        const auto x = random_shares(n, session.role() == Role::kServer ? 8 : 9);
        benchmark::DoNotOptimize(session.relu_truncate(x, kScale, trunc));
      }
    });
    record(state, s, static_cast<double>(total));
  }
  state.counters["relus"] = static_cast<double>(total);
}

// maxpool_network/squeezenet1_1/mode.
void maxpool_network(benchmark::State& state) {
  const CompareMode mode = mode_of(state.range(0));
  const twain::core::Pool2dGeometry shapes[] = {pool3x3s2(64, 111), pool3x3s2(128, 55), pool3x3s2(256, 27)};
  for (auto _ : state) {
    const auto s = run_pair(options_with(mode), Backend::kFerret, [&](NonlinearSession& session) {
      Plan plan = session.plan();
      for (const auto& shape : shapes) plan.add_maxpool(shape);
      session.offline(plan);
      for (const auto& shape : shapes) {
        const auto x = random_shares(shape.input_size(), session.role() == Role::kServer ? 10 : 11);
        benchmark::DoNotOptimize(session.maxpool(x, shape));
      }
    });
    record(state, s, 0);
  }
}

}  // namespace

BENCHMARK(compare_logdepth)->Arg(1 << 17)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);
BENCHMARK(compare_logdepth_triple_leaves)->Arg(1 << 17)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);
BENCHMARK(compare_serial)->Arg(1 << 17)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);
BENCHMARK(relu)->Args({1 << 17, 0})->Args({1 << 17, 1})->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);
BENCHMARK(relu_truncate_fast)->Args({1 << 17, 0})->Args({1 << 17, 1})->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);
BENCHMARK(relu_truncate_exact)->Args({1 << 17, 0})->Args({1 << 17, 1})->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);
BENCHMARK(truncate_fast)->Args({1 << 17, 0})->Args({1 << 17, 1})->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);
BENCHMARK(truncate_exact)->Args({1 << 17, 0})->Args({1 << 17, 1})->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);
BENCHMARK(maxpool_direct)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);
BENCHMARK(maxpool_separable)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);
BENCHMARK(relu_network)->Name("relu_network/squeezenet1_1")->Args({1, 0, 0})->Args({1, 1, 0})->Args({0, 0, 0})
    ->Args({0, 1, 0})->Args({1, 0, 1})
    ->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);
BENCHMARK(maxpool_network)->Name("maxpool_network/squeezenet1_1")->Arg(1)->Arg(0)
    ->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);
