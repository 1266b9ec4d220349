// The whole linear-layer pipeline of DESIGN.md section 4 against an independent plaintext oracle:
// client encrypts its share, server adds its share, multiply-accumulates 512 products, masks,
// re-randomises, floods, switches down and drops c0 coefficients; the client's decryption must
// equal sum_k (x_C + x_S)_k * w_k + r mod 2^l exactly, on every coefficient of every trial.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "he/decryptor.hpp"
#include "he/encryptor.hpp"
#include "he/evaluator.hpp"
#include "he/serialization.hpp"
#include "he_test_support.hpp"

namespace twain::he {
namespace {

using testing::ProductSumOracle;
using testing::random_message;

struct PipelineCase {
  int plain_bits;
  int weight_bits;          // |w| <= 2^weight_bits: fixed-point weights at scale 2^f
  std::size_t nonzeros;     // nonzero weight coefficients per polynomial (a kernel's support)
  int trials;
  // Flooding hides the weights over this many revealed coefficients at 2^-40: the kept c0 of a
  // response (0), or one coefficient (1), which fits larger products under the same Q.
  std::size_t flood_revealed;
};

// Weight polynomials: a quarter of them at the worst-case magnitude +-2^weight_bits on every
// nonzero, the rest uniform in [-2^weight_bits, 2^weight_bits].
std::vector<std::vector<int64_t>> weight_pool(std::size_t count, std::size_t n, const PipelineCase& c,
                                              core::Prg& prg) {
  const int64_t bound = int64_t{1} << c.weight_bits;
  std::vector<std::vector<int64_t>> pool(count, std::vector<int64_t>(n, 0));
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t offset = prg.uniform(n);
    for (std::size_t i = 0; i < c.nonzeros; ++i) {
      const std::size_t j = (offset + i * (n / c.nonzeros)) % n;
      pool[k][j] = k % 4 == 0 ? ((prg.next_u64() & 1) ? bound : -bound)
                              : static_cast<int64_t>(prg.uniform(2 * bound + 1)) - bound;
    }
  }
  return pool;
}

void run_pipeline(const PipelineCase& c, uint8_t seed) {
  constexpr std::size_t kProducts = 512;
  const auto context = Context::create(Parameters::standard(c.plain_bits));
  const std::size_t n = context->n();
  const uint64_t mask = context->plain_mask();
  core::Prg client_prg(core::Seed{seed, 1}), server_prg(core::Seed{seed, 2}), test_prg(core::Seed{seed, 3});
  const SecretKey sk = generate_secret_key(*context, client_prg);
  const PublicKey pk = deserialize_public_key(*context, serialize(*context, generate_public_key(*context, sk, client_prg)));
  const ProductSumOracle oracle(n);

  // 512 input ciphertexts: client share encrypted and sent, server share added on arrival.
  std::vector<Ciphertext> inputs;
  std::vector<ProductSumOracle::Transformed> plain_inputs;
  std::vector<std::vector<uint64_t>> plain_x;
  for (std::size_t k = 0; k < kProducts; ++k) {
    const auto x_client = random_message(n, c.plain_bits, test_prg);
    const auto x_server = random_message(n, c.plain_bits, test_prg);
    Ciphertext ct = deserialize_client_ciphertext(*context, serialize(*context, encrypt(*context, sk, x_client, client_prg)));
    add_plain(*context, ct, x_server, server_prg);
    inputs.push_back(std::move(ct));
    std::vector<uint64_t> x(n);
    for (std::size_t j = 0; j < n; ++j) x[j] = (x_client[j] + x_server[j]) & mask;
    plain_inputs.push_back(oracle.transform(x));
    plain_x.push_back(x);
    if (k == 0) {
      ASSERT_EQ(decrypt(*context, sk, inputs[0]), x);
    }
  }
  const auto weights = weight_pool(2 * kProducts, n, c, test_prg);
  std::vector<NttPlaintext> encoded;
  std::vector<ProductSumOracle::Transformed> plain_weights;
  for (const auto& w : weights) {
    encoded.push_back(NttPlaintext::from_signed(*context, w, {uint64_t{1} << c.weight_bits, c.nonzeros}));
    plain_weights.push_back(oracle.transform(w));
  }

  // Keep every third coefficient of c0, as a convolution keeps only its valid outputs.
  std::vector<uint32_t> kept;
  for (uint32_t j = 0; j < n; j += 3) kept.push_back(j);

  double worst_margin_bits = 1e9;
  for (int trial = 0; trial < c.trials; ++trial) {
    std::vector<std::size_t> order(weights.size());
    std::iota(order.begin(), order.end(), 0);
    for (std::size_t i = 0; i < kProducts; ++i) std::swap(order[i], order[i + test_prg.uniform(order.size() - i)]);

    MultiplyAccumulator acc(*context);
    std::vector<const ProductSumOracle::Transformed*> a, b;
    for (std::size_t k = 0; k < kProducts; ++k) {
      acc.add(inputs[k], encoded[order[k]]);
      a.push_back(&plain_inputs[k]);
      b.push_back(&plain_weights[order[k]]);
    }
    Ciphertext response = acc.result();
    const auto r = random_message(n, c.plain_bits, server_prg);
    add_plain(*context, response, r, server_prg);
    rerandomize(*context, response, pk, server_prg);
    const double before_flood = measure_noise_log2(*context, sk, response);
    ASSERT_LT(before_flood, response.noise.bound_log2()) << "estimate must bound the real noise";
    flood(*context, response, server_prg, {FloodBudget{}, c.flood_revealed == 0 ? kept.size() : c.flood_revealed});
    const int bits = minimal_switch_bits(*context, response.noise);
    const SwitchedCiphertext sent = switch_modulus(*context, response, bits, kept);
    const SwitchedCiphertext received = deserialize_switched(*context, serialize(*context, sent), kept);

    const auto got = decrypt(*context, sk, received);
    const auto expected = oracle.product_sum(a, b);
    ASSERT_EQ(got.size(), kept.size());
    for (std::size_t i = 0; i < kept.size(); ++i) {
      ASSERT_EQ(got[i], (expected[kept[i]] + r[kept[i]]) & mask)
          << "l=" << c.plain_bits << " trial " << trial << " coefficient " << kept[i];
    }
    // The oracle itself, spot-checked by schoolbook on one coefficient per trial.
    const std::size_t probe = test_prg.uniform(n);
    uint64_t schoolbook = 0;
    for (std::size_t k = 0; k < kProducts; ++k) {
      schoolbook += testing::schoolbook_coefficient(plain_x[k], weights[order[k]], probe);
    }
    ASSERT_EQ(schoolbook, expected[probe]);
    // Noise after switching, measured with the key, stays a factor 2 under the bound 2^(k-l-1).
    const double noise = measure_noise_log2(*context, sk, received);
    const double margin = (bits - c.plain_bits - 1) - noise;
    ASSERT_GT(margin, 1.0) << "l=" << c.plain_bits << " trial " << trial;
    worst_margin_bits = std::min(worst_margin_bits, margin);
  }
  ::testing::Test::RecordProperty("worst_margin_bits", std::to_string(worst_margin_bits));
}

// Worst-case 12-bit fixed-point weights where the flooding budget allows; the noise budget at
// N = 4096, log2 Q = 109 is what limits the others (README: noise budget).
TEST(HePipeline, ExactForL32) { run_pipeline({32, 12, 64, 350, 0}, 32); }
TEST(HePipeline, ExactForL37WorstCaseWeights) { run_pipeline({37, 12, 64, 200, 1}, 37); }
TEST(HePipeline, ExactForL37ResponseFlooding) { run_pipeline({37, 8, 16, 150, 0}, 38); }
TEST(HePipeline, ExactForL44WorstCaseWeights) { run_pipeline({44, 10, 8, 350, 1}, 44); }

}  // namespace
}  // namespace twain::he
