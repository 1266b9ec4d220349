#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.hpp"
#include "he/decryptor.hpp"
#include "he/encryptor.hpp"
#include "he/evaluator.hpp"
#include "he/sampling.hpp"
#include "he_test_support.hpp"

namespace twain::he {
namespace {

using testing::random_message;

class HeEncryption : public ::testing::TestWithParam<int> {};

TEST_P(HeEncryption, DecryptsWhatWasEncryptedWithNoiseUnderTheEstimate) {
  const int l = GetParam();
  const auto context = Context::create(Parameters::standard(l));
  core::Prg prg(core::Seed{static_cast<uint8_t>(l)});
  const SecretKey sk = generate_secret_key(*context, prg);
  for (int trial = 0; trial < 20; ++trial) {
    const auto m = random_message(context->n(), l, prg);
    const Ciphertext ct = encrypt(*context, sk, m, prg);
    EXPECT_EQ(decrypt(*context, sk, ct), m);
    const double noise = measure_noise_log2(*context, sk, ct);
    EXPECT_LE(noise, std::log2(kErrorCoinPairs + 1.0));  // |e| <= 21, plus rounding below 1
    EXPECT_LT(noise, ct.noise.bound_log2());
  }
}

TEST_P(HeEncryption, ShortMessagesFillTheLowCoefficients) {
  const int l = GetParam();
  const auto context = Context::create(Parameters::standard(l));
  core::Prg prg(core::Seed{9});
  const SecretKey sk = generate_secret_key(*context, prg);
  const std::vector<uint64_t> m = {context->plain_mask(), 0, 1, context->plain_mask() / 2 + 1};
  const auto got = decrypt(*context, sk, encrypt(*context, sk, m, prg));
  EXPECT_TRUE(std::equal(m.begin(), m.end(), got.begin()));
  EXPECT_TRUE(std::all_of(got.begin() + 4, got.end(), [](uint64_t v) { return v == 0; }));
}

INSTANTIATE_TEST_SUITE_P(PlainBits, HeEncryption, ::testing::Values(24, 32, 37, 44, 48));

TEST(HeEncryption, SeedsAreFreshAndCiphertextsDiffer) {
  const auto context = Context::create(Parameters::standard(37));
  core::Prg prg(core::Seed{4});
  const SecretKey sk = generate_secret_key(*context, prg);
  const std::vector<uint64_t> m(8, 5);
  const Ciphertext a = encrypt(*context, sk, m, prg), b = encrypt(*context, sk, m, prg);
  EXPECT_NE(*a.seed, *b.seed);
  EXPECT_FALSE(std::equal(a.c0.data().begin(), a.c0.data().end(), b.c0.data().begin()));
}

TEST(HeEncryption, RejectsOverlongMessages) {
  const auto context = Context::create(Parameters::standard(37));
  core::Prg prg(core::Seed{4});
  const SecretKey sk = generate_secret_key(*context, prg);
  EXPECT_THROW(encrypt(*context, sk, std::vector<uint64_t>(context->n() + 1), prg), InvalidArgument);
}

// Keys and a random message under the standard parameters for plaintext modulus 2^l.
struct Keyed {
  Keyed(int l, uint8_t seed)
      : context(Context::create(Parameters::standard(l))),
        prg(core::Seed{seed}),
        sk(generate_secret_key(*context, prg)),
        pk(generate_public_key(*context, sk, prg)),
        m(random_message(context->n(), l, prg)) {}

  // c X^j as a plaintext multiplier.
  NttPlaintext monomial(std::size_t j, int64_t c) const {
    std::vector<int64_t> w(context->n(), 0);
    w[j] = c;
    return NttPlaintext::from_signed(*context, w);
  }

  ContextPtr context;
  core::Prg prg;
  SecretKey sk;
  PublicKey pk;
  std::vector<uint64_t> m;
};

TEST(HeFlooding, FloodingNoiseOfTheStatedWidthIsPresent) {
  Keyed k(37, 5);
  MultiplyAccumulator acc(*k.context);
  acc.add(encrypt(*k.context, k.sk, k.m, k.prg), k.monomial(0, 4096));
  Ciphertext ct = acc.result();
  rerandomize(*k.context, ct, k.pk, k.prg);
  const double before = measure_noise_log2(*k.context, k.sk, ct);
  const int width = flood(*k.context, ct, k.prg);
  EXPECT_GE(width, static_cast<int>(std::ceil(before)) + kStatisticalSecurityBits);
  const double after = measure_noise_log2(*k.context, k.sk, ct);
  // The largest of n uniform draws on [-2^w, 2^w) is within a bit of 2^w.
  EXPECT_GT(after, width - 1.0);
  EXPECT_LE(after, width + 0.01);
  const auto product = decrypt(*k.context, k.sk, ct);
  for (std::size_t j = 0; j < k.context->n(); ++j) ASSERT_EQ(product[j], (k.m[j] * 4096) & k.context->plain_mask());
}

TEST(HeFlooding, WeightsBeyondTheNoiseBudgetAreRefused) {
  Keyed k(44, 6);
  // Dense worst-case weights: too much noise to flood at l = 44.
  const NttPlaintext plain = NttPlaintext::from_signed(*k.context, std::vector<int64_t>(k.context->n(), 1 << 12));
  MultiplyAccumulator acc(*k.context);
  for (int i = 0; i < 64; ++i) acc.add(encrypt(*k.context, k.sk, k.m, k.prg), plain);
  Ciphertext ct = acc.result();
  EXPECT_THROW(flood(*k.context, ct, k.prg), CapacityError);
}

TEST(HeFlooding, RerandomisedC1NoLongerEqualsTheWeightedMasks) {
  Keyed k(37, 8);
  const NttPlaintext plain = k.monomial(3, -77);
  const Ciphertext input = encrypt(*k.context, k.sk, k.m, k.prg);
  MultiplyAccumulator acc(*k.context);
  acc.add(input, plain);
  Ciphertext ct = acc.result();
  math::RnsPoly known = input.c1;  // what the client could compute from the public seed
  known.mul_pointwise(plain.poly());
  ASSERT_TRUE(std::equal(known.data().begin(), known.data().end(), ct.c1.data().begin()));
  rerandomize(*k.context, ct, k.pk, k.prg);
  EXPECT_FALSE(std::equal(known.data().begin(), known.data().end(), ct.c1.data().begin()));
  EXPECT_FALSE(ct.seed.has_value());
}

TEST(HeFlooding, AccumulatedNoiseEstimateBoundsTheMeasuredNoise) {
  Keyed k(37, 10);
  MultiplyAccumulator acc(*k.context);
  const NttPlaintext plain = NttPlaintext::from_signed(*k.context, std::vector<int64_t>(k.context->n(), -4096));
  for (int i = 0; i < 8; ++i) acc.add(encrypt(*k.context, k.sk, k.m, k.prg), plain);
  const Ciphertext ct = acc.result();
  const double measured = measure_noise_log2(*k.context, k.sk, ct);
  EXPECT_LT(measured, ct.noise.bound_log2());
  // Not absurdly loose either: within 8 bits of the measured maximum.
  EXPECT_GT(measured, ct.noise.bound_log2() - 8);
}

}  // namespace
}  // namespace twain::he
