// NTT and pointwise benchmarks: one transform of one RNS limb (n coefficients) per iteration.
// ntt_*_avx512 / ntt_*_avx2 / ntt_*_scalar32 use a 28-bit prime (the HE layer's limb size);
// ntt_*_scalar64 a 60-bit prime. pointwise_* and *_mul_acc_* run the element-wise kernels on one
// limb of 4096 coefficients with each named kernel (speed-ups: the ratios of the medians).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <memory>
#include <utility>

#include "core/aligned_buffer.hpp"
#include "core/prg.hpp"
#include "math/ntt.hpp"
#include "math/pointwise.hpp"
#include "math/primes.hpp"

namespace {

using twain::core::AlignedVector;
using twain::math::NttKernel;
using twain::math::NttTables;

const NttTables& tables_for(std::size_t n, int bits) {
  static std::map<std::pair<std::size_t, int>, std::unique_ptr<NttTables>> cache;
  auto& slot = cache[{n, bits}];
  if (!slot) slot = std::make_unique<NttTables>(n, twain::math::ntt_primes(bits, 1, n)[0]);
  return *slot;
}

template <class Word>
AlignedVector<Word> random_residues(std::size_t n, uint64_t p) {
  twain::core::Prg prg(twain::core::Seed{0xbe, 0x4c});
  AlignedVector<Word> a(n);
  for (auto& x : a) x = static_cast<Word>(prg.uniform(p));
  return a;
}

template <bool Forward>
void run32(benchmark::State& state, NttKernel kernel) {
  const auto n = static_cast<std::size_t>(state.range(0));
  if (!twain::math::ntt_kernel_available(kernel)) {
    state.SkipWithError("kernel not available on this CPU");
    return;
  }
  const NttTables& t = tables_for(n, 28);
  auto a = random_residues<uint32_t>(n, t.p());
  for (auto _ : state) {
    if constexpr (Forward) {
      twain::math::ntt_forward(a.data(), t, kernel);
    } else {
      twain::math::ntt_inverse(a.data(), t, kernel);
    }
    benchmark::DoNotOptimize(a.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
}

template <bool Forward>
void run64(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const NttTables& t = tables_for(n, 60);
  auto a = random_residues<uint64_t>(n, t.p());
  for (auto _ : state) {
    if constexpr (Forward) {
      twain::math::ntt_forward(a.data(), t);
    } else {
      twain::math::ntt_inverse(a.data(), t);
    }
    benchmark::DoNotOptimize(a.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
}

void ntt_forward_avx512(benchmark::State& s) { run32<true>(s, NttKernel::Avx512); }
void ntt_inverse_avx512(benchmark::State& s) { run32<false>(s, NttKernel::Avx512); }
void ntt_forward_avx2(benchmark::State& s) { run32<true>(s, NttKernel::Avx2); }
void ntt_inverse_avx2(benchmark::State& s) { run32<false>(s, NttKernel::Avx2); }
void ntt_forward_scalar32(benchmark::State& s) { run32<true>(s, NttKernel::Scalar); }
void ntt_inverse_scalar32(benchmark::State& s) { run32<false>(s, NttKernel::Scalar); }
void ntt_forward_scalar64(benchmark::State& s) { run64<true>(s); }
void ntt_inverse_scalar64(benchmark::State& s) { run64<false>(s); }

template <NttKernel Kernel>
void pointwise_mul_bench(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  if (!twain::math::ntt_kernel_available(Kernel)) {
    state.SkipWithError("kernel not available on this CPU");
    return;
  }
  const auto p = static_cast<uint32_t>(twain::math::ntt_primes(28, 1, n)[0]);
  auto a = random_residues<uint32_t>(n, p), b = random_residues<uint32_t>(n, p / 2);
  for (auto _ : state) {
    twain::math::pointwise_mul(a.data(), a.data(), b.data(), n, p, Kernel);
    benchmark::DoNotOptimize(a.data());
    benchmark::ClobberMemory();
  }
}
void pointwise_mul_avx512(benchmark::State& s) { pointwise_mul_bench<NttKernel::Avx512>(s); }
void pointwise_mul_avx2(benchmark::State& s) { pointwise_mul_bench<NttKernel::Avx2>(s); }
void pointwise_mul_scalar(benchmark::State& s) { pointwise_mul_bench<NttKernel::Scalar>(s); }

// The lazy multiply-accumulate of MultiplyAccumulator: acc += a * b (or a * c) over 64-bit sums,
// one product per coefficient per iteration (the sums wrap after many iterations, which changes
// neither the work nor the timing).
template <NttKernel Kernel, bool Constant>
void mul_acc_bench(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  if (!twain::math::ntt_kernel_available(Kernel)) {
    state.SkipWithError("kernel not available on this CPU");
    return;
  }
  const auto p = static_cast<uint32_t>(twain::math::ntt_primes(28, 1, n)[0]);
  const auto a = random_residues<uint32_t>(n, p), b = random_residues<uint32_t>(n, p / 2);
  AlignedVector<uint64_t> acc(n, 0);
  for (auto _ : state) {
    if constexpr (Constant) {
      twain::math::scalar_mul_acc(acc.data(), a.data(), p - 1, n, Kernel);
    } else {
      twain::math::pointwise_mul_acc(acc.data(), a.data(), b.data(), n, Kernel);
    }
    benchmark::DoNotOptimize(acc.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
}
void pointwise_mul_acc_avx512(benchmark::State& s) { mul_acc_bench<NttKernel::Avx512, false>(s); }
void pointwise_mul_acc_avx2(benchmark::State& s) { mul_acc_bench<NttKernel::Avx2, false>(s); }
void pointwise_mul_acc_scalar(benchmark::State& s) { mul_acc_bench<NttKernel::Scalar, false>(s); }
void scalar_mul_acc_avx512(benchmark::State& s) { mul_acc_bench<NttKernel::Avx512, true>(s); }
void scalar_mul_acc_avx2(benchmark::State& s) { mul_acc_bench<NttKernel::Avx2, true>(s); }
void scalar_mul_acc_scalar(benchmark::State& s) { mul_acc_bench<NttKernel::Scalar, true>(s); }

}  // namespace

BENCHMARK(ntt_forward_avx512)->RangeMultiplier(2)->Range(1024, 32768);
BENCHMARK(ntt_inverse_avx512)->RangeMultiplier(2)->Range(1024, 32768);
BENCHMARK(ntt_forward_avx2)->RangeMultiplier(2)->Range(1024, 32768);
BENCHMARK(ntt_inverse_avx2)->RangeMultiplier(2)->Range(1024, 32768);
BENCHMARK(ntt_forward_scalar32)->RangeMultiplier(2)->Range(1024, 32768);
BENCHMARK(ntt_inverse_scalar32)->RangeMultiplier(2)->Range(1024, 32768);
BENCHMARK(ntt_forward_scalar64)->RangeMultiplier(2)->Range(1024, 32768);
BENCHMARK(ntt_inverse_scalar64)->RangeMultiplier(2)->Range(1024, 32768);
BENCHMARK(pointwise_mul_avx512)->Arg(4096);
BENCHMARK(pointwise_mul_avx2)->Arg(4096);
BENCHMARK(pointwise_mul_scalar)->Arg(4096);
BENCHMARK(pointwise_mul_acc_avx512)->Arg(4096);
BENCHMARK(pointwise_mul_acc_avx2)->Arg(4096);
BENCHMARK(pointwise_mul_acc_scalar)->Arg(4096);
BENCHMARK(scalar_mul_acc_avx512)->Arg(4096);
BENCHMARK(scalar_mul_acc_avx2)->Arg(4096);
BENCHMARK(scalar_mul_acc_scalar)->Arg(4096);
