// Benchmarks of the RLWE engine at the standard parameters (N = 4096, log2 Q ~ 109, l = 37).
#include <benchmark/benchmark.h>

#include "he/decryptor.hpp"
#include "he/encryptor.hpp"
#include "he/evaluator.hpp"
#include "he/serialization.hpp"

namespace {

using namespace twain;

struct HeFixture {
  he::ContextPtr context = he::Context::create(he::Parameters::standard(37));
  core::Prg prg{core::Seed{42}};
  he::SecretKey sk = he::generate_secret_key(*context, prg);
  he::PublicKey pk = he::generate_public_key(*context, sk, prg);

  std::vector<uint64_t> message() {
    std::vector<uint64_t> m(context->n());
    for (auto& v : m) v = prg.next_u64() & context->plain_mask();
    return m;
  }
  // A 16-channel 3x3 kernel block of 12-bit fixed-point weights (144 nonzero coefficients).
  he::NttPlaintext weights() {
    std::vector<int64_t> w(context->n(), 0);
    for (std::size_t i = 0; i < 144; ++i) w[i * 28] = static_cast<int64_t>(prg.uniform(8193)) - 4096;
    return he::NttPlaintext::from_signed(*context, w, {4096, 144});
  }
  static HeFixture& get() {
    static HeFixture fixture;
    return fixture;
  }
};

// One whole polynomial mod Q (all four limbs) through `transform`, limb by limb.
template <void (*Transform)(uint32_t*, const math::NttTables&)>
void transform_poly(benchmark::State& state) {
  auto& f = HeFixture::get();
  math::RnsPoly p(f.context->rns(), math::PolyForm::Coefficient);
  p.set_signed(std::vector<int64_t>(f.context->n(), 12345));
  for (auto _ : state) {
    for (std::size_t i = 0; i < p.limbs(); ++i) Transform(p.limb(i), f.context->rns().ntt(i));
    benchmark::DoNotOptimize(p.data().data());
  }
  state.counters["limbs"] = static_cast<double>(p.limbs());
  state.counters["log2_q"] = f.context->q_log2();
}
void ntt_poly_forward(benchmark::State& state) { transform_poly<math::ntt_forward>(state); }
void ntt_poly_inverse(benchmark::State& state) { transform_poly<math::ntt_inverse>(state); }
BENCHMARK(ntt_poly_forward)->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK(ntt_poly_inverse)->Arg(4096)->Unit(benchmark::kMicrosecond);

// Client: encrypt 4096 values (seed expansion, noise, encoding, NTT) and serialise.
void he_encrypt(benchmark::State& state) {
  auto& f = HeFixture::get();
  const auto m = f.message();
  std::size_t bytes = 0;
  for (auto _ : state) {
    const auto wire = he::serialize(*f.context, he::encrypt(*f.context, f.sk, m, f.prg));
    bytes = wire.size();
    benchmark::DoNotOptimize(wire.data());
  }
  state.counters["bytes_per_ciphertext"] = static_cast<double>(bytes);
}
BENCHMARK(he_encrypt)->Unit(benchmark::kMicrosecond);

// Server: one ciphertext-plaintext product added into an accumulator (both components).
void he_mul_acc(benchmark::State& state) {
  auto& f = HeFixture::get();
  const he::Ciphertext ct = he::encrypt(*f.context, f.sk, f.message(), f.prg);
  const he::NttPlaintext w = f.weights();
  he::MultiplyAccumulator acc(*f.context);
  for (auto _ : state) acc.add(ct, w);
  benchmark::DoNotOptimize(acc.products());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(he_mul_acc)->Unit(benchmark::kMicrosecond);

// Server: turn an accumulated product into a response (mask, re-randomise, flood, switch to the
// smallest exact modulus, keep the 196 c0 coefficients a 3x3 convolution needs, serialise).
void he_response(benchmark::State& state) {
  auto& f = HeFixture::get();
  he::MultiplyAccumulator acc(*f.context);
  acc.add(he::encrypt(*f.context, f.sk, f.message(), f.prg), f.weights());
  const he::Ciphertext product = acc.result();
  const auto r = f.message();
  std::vector<uint32_t> kept;  // the 14 x 14 valid outputs of a 3x3 convolution on a 16 x 16 tile
  for (uint32_t i = 0; i < 14; ++i)
    for (uint32_t j = 0; j < 14; ++j) kept.push_back(15 * 256 + (i + 2) * 16 + j + 2);
  std::size_t bytes = 0;
  for (auto _ : state) {
    bytes = he::serialize(*f.context, he::finish_response(*f.context, product, r, f.pk, f.prg, kept)).size();
  }
  state.counters["bytes_per_response"] = static_cast<double>(bytes);
}
BENCHMARK(he_response)->Unit(benchmark::kMicrosecond);

// Client: parse and decrypt a switched response (all 4096 coefficients).
void he_decrypt(benchmark::State& state) {
  auto& f = HeFixture::get();
  he::Ciphertext ct = he::encrypt(*f.context, f.sk, f.message(), f.prg);
  ct.c0.to_coefficients();
  ct.c1.to_coefficients();
  const auto wire = he::serialize(*f.context, he::switch_modulus(*f.context, ct, 48));
  for (auto _ : state) {
    const auto m = he::decrypt(*f.context, f.sk, he::deserialize_switched(*f.context, wire));
    benchmark::DoNotOptimize(m.data());
  }
}
BENCHMARK(he_decrypt)->Unit(benchmark::kMicrosecond);

}  // namespace
