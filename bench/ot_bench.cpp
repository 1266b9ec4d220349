// OT benchmarks: base OT, IKNP correlated and random OT, bit triples. Both parties run over
// loopback TCP, one on the benchmark thread and one on a helper thread; the time covers both.
//
// Counters: bytes_total (both directions) and rounds (flights of messages: the sum over both
// ends of ChannelCounters::rounds) of one run, measured on an untimed first run; bits_per_ot /
// bits_per_triple = 8 * bytes_total / items; items_per_second.
//
// The fixed-key AES kernels alone (no channel): wide_aes_* through WideAes / HalfTreeHash (the
// dispatched kernel, named in the label; under TWAIN_DISABLE_SIMD=1 the portable core::Aes128
// path), vaes256_* and vaes512_* the named VAES kernels; items are blocks.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <future>
#include <memory>
#include <span>
#include <vector>
#include <utility>

#include "core/bit_vector.hpp"
#include "core/cpu_features.hpp"
#include "core/prg.hpp"
#include "net/tcp_channel.hpp"
#include "ot/base_ot.hpp"
#include "ot/bit_triples.hpp"
#include "ot/block_buffer.hpp"
#include "ot/cot.hpp"
#include "ot/lpn.hpp"
#include "ot/random_ot.hpp"
#include "ot/wide_aes.hpp"
#include "ot/wide_aes_kernels.hpp"
#include "ot/wide_aes_vaes512.hpp"
#include "loopback.hpp"

namespace {

using twain::core::Prg;
using twain::core::Seed;
using twain::bench::connect_loopback;
using twain::net::TcpChannel;
using twain::bench::Loopback;

Seed seed_of(uint8_t tag) {
  Seed seed{};
  seed.fill(tag);
  return seed;
}

// Runs `second` on a helper thread and `first` here; returns when both are done.
template <class First, class Second>
void run_both(First&& first, Second&& second) {
  auto peer = std::async(std::launch::async, std::forward<Second>(second));
  first();
  peer.get();
}

// One untimed run with fresh counters, recorded on the benchmark state. Both ends first
// exchange a byte and read the other's, so each end's first send in the run counts as a round
// whatever the setup before it ended with.
template <class First, class Second>
void measure_traffic(benchmark::State& state, Loopback& link, double items, const char* per_item,
                     First&& first, Second&& second) {
  const auto ping = [](TcpChannel& channel) {
    channel.send_u64(0);
    channel.recv_u64();
  };
  run_both([&] { ping(*link.server); }, [&] { ping(*link.client); });
  link.server->reset_counters();
  link.client->reset_counters();
  run_both(first, second);
  const auto a = link.server->counters();
  const auto b = link.client->counters();
  const double bytes = static_cast<double>(a.bytes_sent + b.bytes_sent);
  state.counters["bytes_total"] = bytes;
  state.counters["rounds"] = static_cast<double>(a.rounds + b.rounds);
  state.counters[per_item] = 8.0 * bytes / items;
}

void base_ot(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Loopback link = connect_loopback();
  Prg sender_prg(seed_of(1));
  Prg receiver_prg(seed_of(2));
  const twain::core::BitVector choices = twain::core::BitVector::random(n, receiver_prg);
  const auto send = [&] { benchmark::DoNotOptimize(twain::ot::base_ot_send(*link.server, sender_prg, n)); };
  const auto receive = [&] {
    benchmark::DoNotOptimize(twain::ot::base_ot_receive(*link.client, receiver_prg, choices));
  };
  measure_traffic(state, link, static_cast<double>(n), "bits_per_ot", send, receive);
  for (auto _ : state) run_both(send, receive);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(base_ot)->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();

// n random OTs from a COT provider: hashed straight from its buffer where the provider offers
// that (Ferret), else from a copied batch (IKNP).
template <class Provider>
auto random_ots(Provider& cot, std::size_t n) {
  if constexpr (requires { twain::ot::random_ot(cot, n); }) {
    return twain::ot::random_ot(cot, n);
  } else {
    return twain::ot::random_ot(cot.get(n));
  }
}

// Times n correlated OTs (random OTs when Hashed) per iteration from a provider pair, with the
// traffic counters of one untimed run.
template <bool Hashed, class Sender, class Receiver>
void time_cots(benchmark::State& state, Loopback& link, std::size_t n, Sender& sender, Receiver& receiver) {
  const auto send = [&] {
    if constexpr (Hashed) {
      benchmark::DoNotOptimize(random_ots(sender, n));
    } else {
      benchmark::DoNotOptimize(sender.get(n));
    }
  };
  const auto receive = [&] {
    if constexpr (Hashed) {
      benchmark::DoNotOptimize(random_ots(receiver, n));
    } else {
      benchmark::DoNotOptimize(receiver.get(n));
    }
  };
  measure_traffic(state, link, static_cast<double>(n), "bits_per_ot", send, receive);
  for (auto _ : state) run_both(send, receive);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}

template <bool Hashed>
void iknp(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Loopback link = connect_loopback();
  Prg sender_prg(seed_of(3));
  Prg receiver_prg(seed_of(4));
  std::unique_ptr<twain::ot::CotSender> sender;
  std::unique_ptr<twain::ot::CotReceiver> receiver;
  run_both([&] { sender = std::make_unique<twain::ot::CotSender>(*link.server, sender_prg, n); },
           [&] { receiver = std::make_unique<twain::ot::CotReceiver>(*link.client, receiver_prg, n); });
  time_cots<Hashed>(state, link, n, *sender, *receiver);
}
void iknp_cot(benchmark::State& state) { iknp<false>(state); }
void iknp_rot(benchmark::State& state) { iknp<true>(state); }
BENCHMARK(iknp_cot)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(iknp_rot)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// n bit triples per iteration; make(party, channel, prg) builds one party's provider (with batch
// n, so each get is one generation) before timing.
template <class Make>
void time_triples(benchmark::State& state, Seed first_seed, Seed second_seed, Make make) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Loopback link = connect_loopback();
  Prg prg0(first_seed);
  Prg prg1(second_seed);
  using twain::ot::BitTripleProvider;
  using twain::ot::Party;
  std::unique_ptr<BitTripleProvider> first;
  std::unique_ptr<BitTripleProvider> second;
  run_both([&] { first = make(Party::kFirst, *link.server, prg0, n); },
           [&] { second = make(Party::kSecond, *link.client, prg1, n); });
  const auto run_first = [&] { benchmark::DoNotOptimize(first->get(n)); };
  const auto run_second = [&] { benchmark::DoNotOptimize(second->get(n)); };
  measure_traffic(state, link, static_cast<double>(n), "bits_per_triple", run_first, run_second);
  for (auto _ : state) run_both(run_first, run_second);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}

// Triples from IKNP correlated OTs.
void bit_triples(benchmark::State& state) {
  time_triples(state, seed_of(5), seed_of(6), [](auto party, auto& channel, Prg& prg, std::size_t n) {
    return std::make_unique<twain::ot::BitTripleProvider>(party, channel, prg, n);
  });
}
BENCHMARK(bit_triples)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

#include <thread>

#include "core/thread_pool.hpp"
#include "ot/ferret.hpp"
#include "ot/random_ot.hpp"
#include "ot/wide_aes.hpp"
#include "ot/wide_aes_kernels.hpp"
#include "ot/wide_aes_vaes512.hpp"

namespace {

// Ferret silent OT (kFerretRegular128): n correlated OTs per iteration of the benchmark, with
// `Hashed` also turned into random OTs (hashed straight from Ferret's buffer). The bootstrap
// (IKNP, then one iteration of kFerretSetup128) runs in the constructors, before timing and
// traffic measurement, so the counters show the steady state (about one Ferret
// iteration, 10.2 M COTs, per 10^7). ferret_cot_pool gives each party a thread pool of
// hardware threads / 2 + 1 (counter `threads`; the two parties share the machine).
template <bool Hashed, bool Pooled>
void ferret(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::size_t threads = Pooled ? std::thread::hardware_concurrency() / 2 + 1 : 1;
  state.counters["threads"] = static_cast<double>(threads);
  twain::core::ThreadPool sender_pool(threads);
  twain::core::ThreadPool receiver_pool(threads);
  Loopback link = connect_loopback();
  Prg sender_prg(seed_of(7));
  Prg receiver_prg(seed_of(8));
  std::unique_ptr<twain::ot::FerretCotSender> sender;
  std::unique_ptr<twain::ot::FerretCotReceiver> receiver;
  run_both(
      [&] {
        sender = std::make_unique<twain::ot::FerretCotSender>(
            *link.server, sender_prg, twain::ot::kFerretRegular128, &sender_pool);
      },
      [&] {
        receiver = std::make_unique<twain::ot::FerretCotReceiver>(
            *link.client, receiver_prg, twain::ot::kFerretRegular128, &receiver_pool);
      });
  time_cots<Hashed>(state, link, n, *sender, *receiver);
}
void ferret_cot(benchmark::State& state) { ferret<false, false>(state); }
void ferret_rot(benchmark::State& state) { ferret<true, false>(state); }
void ferret_cot_pool(benchmark::State& state) { ferret<false, true>(state); }
BENCHMARK(ferret_cot)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ferret_rot)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ferret_cot_pool)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// Issue 4's measurement: n random OTs (128-bit messages) from a fresh Ferret pair, everything
// counted: base OTs, the IKNP bootstrap and every Ferret iteration, one thread per party. Each
// party converts its OTs in pieces of 10^7 into storage it reuses (as a streaming consumer
// would; the fresh-vector forms add page faults, see ferret_rot), so 10^8 ROTs need no 4.8 GB. Counters: bytes_total and rounds of the whole run,
// bits_per_ot over all of it, setup_bytes (base OTs and IKNP: the constructors' traffic) and
// steady_bits_per_ot (the Ferret iterations alone).
void ferret_rot_total(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  constexpr std::size_t kPiece = 10'000'000;
  Loopback link = connect_loopback();
  Prg sender_prg(seed_of(11));
  Prg receiver_prg(seed_of(12));
  std::unique_ptr<twain::ot::FerretCotSender> sender;
  std::unique_ptr<twain::ot::FerretCotReceiver> receiver;
  const auto setup = [&] {
    run_both([&] { sender = std::make_unique<twain::ot::FerretCotSender>(*link.server, sender_prg); },
             [&] { receiver = std::make_unique<twain::ot::FerretCotReceiver>(*link.client, receiver_prg); });
  };
  std::vector<twain::ot::BlockPair> sent(std::min(kPiece, n));
  std::vector<twain::core::Block> received(sent.size());
  twain::core::BitVector choices(sent.size());
  const auto send = [&] {
    for (std::size_t done = 0; done < n; done += kPiece) {
      const std::size_t m = std::min(kPiece, n - done);
      twain::ot::random_ot(*sender, std::span(sent).first(m));
      benchmark::DoNotOptimize(sent.data());
    }
  };
  const auto receive = [&] {
    for (std::size_t done = 0; done < n; done += kPiece) {
      const std::size_t m = std::min(kPiece, n - done);
      if (choices.size() != m) choices = twain::core::BitVector(m);
      twain::ot::random_ot(*receiver, choices, std::span(received).first(m));
      benchmark::DoNotOptimize(received.data());
    }
  };
  const auto bytes = [&] {
    return static_cast<double>(link.server->counters().bytes_sent + link.client->counters().bytes_sent);
  };
  for (auto _ : state) {
    link.server->reset_counters();
    link.client->reset_counters();
    setup();
    const double setup_bytes = bytes();
    run_both(send, receive);
    const double total = bytes();
    state.counters["setup_bytes"] = setup_bytes;
    state.counters["bytes_total"] = total;
    state.counters["rounds"] =
        static_cast<double>(link.server->counters().rounds + link.client->counters().rounds);
    state.counters["bits_per_ot"] = 8.0 * total / static_cast<double>(n);
    state.counters["steady_bits_per_ot"] = 8.0 * (total - setup_bytes) / static_cast<double>(n);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
// ferret_rot into storage allocated once, before timing (no fresh pages per call).
void ferret_rot_into(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Loopback link = connect_loopback();
  Prg sender_prg(seed_of(13));
  Prg receiver_prg(seed_of(14));
  std::unique_ptr<twain::ot::FerretCotSender> sender;
  std::unique_ptr<twain::ot::FerretCotReceiver> receiver;
  run_both([&] { sender = std::make_unique<twain::ot::FerretCotSender>(*link.server, sender_prg); },
           [&] { receiver = std::make_unique<twain::ot::FerretCotReceiver>(*link.client, receiver_prg); });
  std::vector<twain::ot::BlockPair> sent(n);
  std::vector<twain::core::Block> received(n);
  twain::core::BitVector choices(n);
  const auto send = [&] {
    twain::ot::random_ot(*sender, std::span(sent));
    benchmark::DoNotOptimize(sent.data());
  };
  const auto receive = [&] {
    twain::ot::random_ot(*receiver, choices, std::span(received));
    benchmark::DoNotOptimize(received.data());
  };
  measure_traffic(state, link, static_cast<double>(n), "bits_per_ot", send, receive);
  for (auto _ : state) run_both(send, receive);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(ferret_rot_into)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK(ferret_rot_total)->Arg(100'000'000)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

namespace {

// Triples from Ferret (kFerretRegular128); the IKNP bootstrap of both directions runs before
// timing, so the counters show the steady state.
void bit_triples_ferret(benchmark::State& state) {
  time_triples(state, seed_of(9), seed_of(10), [](auto party, auto& channel, Prg& prg, std::size_t n) {
    return std::make_unique<twain::ot::BitTripleProvider>(party, channel, prg, twain::ot::kFerretRegular128, n);
  });
}
BENCHMARK(bit_triples_ferret)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

namespace {

// The LPN product of kFerretRegular128 alone, one thread: rows per second (items) of
// encode_rows over a whole iteration, a segment of 2^14 rows at a time, as Ferret runs it.
void ferret_lpn_encode(benchmark::State& state) {
  const twain::ot::FerretParams& params = twain::ot::kFerretRegular128;
  const twain::ot::LpnEncoder code(params.n(), params.k);
  twain::ot::BlockBuffer base(params.k);
  Prg prg(seed_of(13));
  for (std::size_t i = 0; i < base.size(); ++i) base[i] = prg.next_block();
  constexpr std::size_t kSegment = std::size_t{1} << 14;
  twain::ot::BlockBuffer segment(kSegment);
  for (auto _ : state) {
    for (std::size_t first = 0; first < params.n(); first += kSegment) {
      const std::size_t rows = std::min(kSegment, params.n() - first);
      code.encode_rows(base.span(), first, segment.span().first(rows));
      benchmark::DoNotOptimize(segment.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * params.n()));
}
BENCHMARK(ferret_lpn_encode)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

namespace {

using twain::core::Block;

// What each AES benchmark runs on n blocks: the dispatched WideAes, or a named VAES kernel.
enum class AesPath { Dispatched, Vaes256, Vaes512 };

bool aes_path_available(AesPath path) {
  const twain::core::CpuFeatures& f = twain::core::cpu_features_detected();
  const bool vaes = f.vaes && f.avx2 && f.aesni;
  if (path == AesPath::Vaes256) return vaes;
  if (path == AesPath::Vaes512) return vaes && f.avx512f;
  return true;
}

enum class AesOp { Encrypt, Keystream, KeystreamBelow, TccrHash, TccrHashPairs, HalfTreeExpand };

template <AesOp Op, AesPath Path>
void aes_kernel(benchmark::State& state) {
  if (!aes_path_available(Path)) {
    state.SkipWithError("kernel not available on this CPU");
    return;
  }
  namespace d = twain::ot::detail;
  const Block key{0x0123456789ABCDEFULL, 0xFEDCBA9876543210ULL};
  const Block delta{0x5555AAAA5555AAABULL, 0x0F0F0F0FF0F0F0F0ULL};
  const auto n = static_cast<std::size_t>(state.range(0));
  const twain::ot::WideAes wide(key);
  const twain::ot::HalfTreeHash tree(key);
  const d::RoundKeys keys = d::vaes_expand_key(key);
  Prg prg(seed_of(21));
  std::vector<Block> in(n), out(2 * n);
  for (auto& b : in) b = prg.next_block();
  std::vector<uint32_t> words(4 * n);
  constexpr bool wide512 = Path == AesPath::Vaes512;
  for (auto _ : state) {
    if constexpr (Op == AesOp::Encrypt) {
      if constexpr (Path == AesPath::Dispatched) wide.encrypt(in.data(), out.data(), n);
      else (wide512 ? d::vaes512_encrypt : d::vaes_encrypt)(keys, in.data(), out.data(), n);
    } else if constexpr (Op == AesOp::Keystream) {
      if constexpr (Path == AesPath::Dispatched) wide.keystream(in[0], out.data(), n);
      else (wide512 ? d::vaes512_keystream : d::vaes_keystream)(keys, in[0], out.data(), n);
    } else if constexpr (Op == AesOp::KeystreamBelow) {
      if constexpr (Path == AesPath::Dispatched) wide.keystream_below(in[0], 589'760, words.data(), n);
      else (wide512 ? d::vaes512_keystream_below : d::vaes_keystream_below)(keys, in[0], 589'760, words.data(), n);
    } else if constexpr (Op == AesOp::TccrHash) {
      if constexpr (Path == AesPath::Dispatched) wide.tccr_hash(in.data(), 7, out.data(), n);
      else (wide512 ? d::vaes512_tccr_hash : d::vaes_tccr_hash)(keys, in.data(), 7, out.data(), n);
    } else if constexpr (Op == AesOp::TccrHashPairs) {
      // Interleaved pairs, as the random-OT sender writes them.
      if constexpr (Path == AesPath::Dispatched) {
        wide.tccr_hash_pairs(in.data(), delta, 7, out.data(), out.data() + 1, 2, n);
      } else {
        (wide512 ? d::vaes512_tccr_hash_pairs : d::vaes_tccr_hash_pairs)(keys, in.data(), delta, 7, out.data(),
                                                                         out.data() + 1, 2, n);
      }
    } else {
      Block sum;
      if constexpr (Path == AesPath::Dispatched) sum = tree.expand(in.data(), out.data(), n);
      else sum = (wide512 ? d::vaes512_half_tree_expand : d::vaes_half_tree_expand)(keys, in.data(), out.data(), n);
      benchmark::DoNotOptimize(sum);
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::DoNotOptimize(words.data());
    benchmark::ClobberMemory();
  }
  if constexpr (Path == AesPath::Dispatched) {
    const twain::core::CpuFeatures& f = twain::core::cpu_features();
    state.SetLabel(!wide.uses_vaes() ? "portable" : f.avx512f ? "vaes512" : "vaes256");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}

#define TWAIN_AES_BENCH(op, Op)                                                                        \
  void wide_aes_##op(benchmark::State& s) { aes_kernel<AesOp::Op, AesPath::Dispatched>(s); }           \
  void vaes256_##op(benchmark::State& s) { aes_kernel<AesOp::Op, AesPath::Vaes256>(s); }               \
  void vaes512_##op(benchmark::State& s) { aes_kernel<AesOp::Op, AesPath::Vaes512>(s); }               \
  BENCHMARK(wide_aes_##op)->Arg(4096);                                                                 \
  BENCHMARK(vaes256_##op)->Arg(4096);                                                                  \
  BENCHMARK(vaes512_##op)->Arg(4096);

TWAIN_AES_BENCH(encrypt, Encrypt)
TWAIN_AES_BENCH(keystream, Keystream)
TWAIN_AES_BENCH(keystream_below, KeystreamBelow)
TWAIN_AES_BENCH(tccr_hash, TccrHash)
TWAIN_AES_BENCH(tccr_hash_pairs, TccrHashPairs)
TWAIN_AES_BENCH(half_tree_expand, HalfTreeExpand)

#undef TWAIN_AES_BENCH

}  // namespace
