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
  he::NttPlaintext weights() {
    std::vector<int64_t> w(context->n());
    for (auto& v : w) v = static_cast<int64_t>(prg.uniform(8193)) - 4096;
    return he::NttPlaintext::from_signed(*context, w);
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

// Server: turn an accumulated product into a response (mask, re-randomise, flood, switch, serialise).
void he_response(benchmark::State& state) {
  auto& f = HeFixture::get();
  he::MultiplyAccumulator acc(*f.context);
  acc.add(he::encrypt(*f.context, f.sk, f.message(), f.prg), f.weights());
  const he::Ciphertext product = acc.result();
  const auto r = f.message();
  std::size_t bytes = 0;
  for (auto _ : state) {
    he::Ciphertext ct = product;
    he::add_plain(*f.context, ct, r, f.prg);
    he::rerandomize(*f.context, ct, f.pk, f.prg);
    he::flood(*f.context, ct, f.prg);
    const int bits = he::minimal_switch_bits(*f.context, ct.noise);
    bytes = he::serialize(*f.context, he::switch_modulus(*f.context, ct, bits)).size();
  }
  state.counters["bytes_per_response"] = static_cast<double>(bytes);
}
BENCHMARK(he_response)->Unit(benchmark::kMicrosecond);

// Client: parse and decrypt a switched response (all 4096 coefficients).
void he_decrypt(benchmark::State& state) {
  auto& f = HeFixture::get();
  he::Ciphertext ct = he::encrypt(*f.context, f.sk, f.message(), f.prg);
  he::flood(*f.context, ct, f.prg);
  const auto wire = he::serialize(*f.context, he::switch_modulus(*f.context, ct, he::minimal_switch_bits(*f.context, ct.noise)));
  for (auto _ : state) {
    const auto m = he::decrypt(*f.context, f.sk, he::deserialize_switched(*f.context, wire));
    benchmark::DoNotOptimize(m.data());
  }
}
BENCHMARK(he_decrypt)->Unit(benchmark::kMicrosecond);

}  // namespace
