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

TEST(HeFlooding, FloodingNoiseOfTheStatedWidthIsPresent) {
  const auto context = Context::create(Parameters::standard(37));
  core::Prg prg(core::Seed{5});
  const SecretKey sk = generate_secret_key(*context, prg);
  const PublicKey pk = generate_public_key(*context, sk, prg);
  const auto m = random_message(context->n(), 37, prg);
  std::vector<int64_t> w(context->n(), 0);
  w[0] = 4096;
  MultiplyAccumulator acc(*context);
  acc.add(encrypt(*context, sk, m, prg), NttPlaintext::from_signed(*context, w));
  Ciphertext ct = acc.result();
  rerandomize(*context, ct, pk, prg);
  const double before = measure_noise_log2(*context, sk, ct);
  const int width = flood(*context, ct, prg);
  EXPECT_GE(width, static_cast<int>(std::ceil(before)) + kStatisticalSecurityBits);
  const double after = measure_noise_log2(*context, sk, ct);
  // The largest of n uniform draws on [-2^w, 2^w) is within a bit of 2^w.
  EXPECT_GT(after, width - 1.0);
  EXPECT_LE(after, width + 0.01);
  const auto product = decrypt(*context, sk, ct);
  for (std::size_t j = 0; j < context->n(); ++j) ASSERT_EQ(product[j], (m[j] * 4096) & context->plain_mask());
}

TEST(HeFlooding, WeightsBeyondTheNoiseBudgetAreRefused) {
  const auto context = Context::create(Parameters::standard(44));
  core::Prg prg(core::Seed{6});
  const SecretKey sk = generate_secret_key(*context, prg);
  const auto m = random_message(context->n(), 44, prg);
  std::vector<int64_t> w(context->n(), 1 << 12);  // dense worst-case weights: too much noise at l = 44
  MultiplyAccumulator acc(*context);
  const NttPlaintext plain = NttPlaintext::from_signed(*context, w);
  for (int k = 0; k < 64; ++k) acc.add(encrypt(*context, sk, m, prg), plain);
  Ciphertext ct = acc.result();
  EXPECT_THROW(flood(*context, ct, prg), CapacityError);
}

TEST(HeFlooding, RerandomisedC1NoLongerEqualsTheWeightedMasks) {
  const auto context = Context::create(Parameters::standard(37));
  core::Prg prg(core::Seed{8});
  const SecretKey sk = generate_secret_key(*context, prg);
  const PublicKey pk = generate_public_key(*context, sk, prg);
  const auto m = random_message(context->n(), 37, prg);
  std::vector<int64_t> w(context->n(), 0);
  w[3] = -77;
  const NttPlaintext plain = NttPlaintext::from_signed(*context, w);
  const Ciphertext input = encrypt(*context, sk, m, prg);
  MultiplyAccumulator acc(*context);
  acc.add(input, plain);
  Ciphertext ct = acc.result();
  math::RnsPoly known = input.c1;  // what the client could compute from the public seed
  known.mul_pointwise(plain.poly());
  ASSERT_TRUE(std::equal(known.data().begin(), known.data().end(), ct.c1.data().begin()));
  rerandomize(*context, ct, pk, prg);
  EXPECT_FALSE(std::equal(known.data().begin(), known.data().end(), ct.c1.data().begin()));
  EXPECT_FALSE(ct.seed.has_value());
}

}  // namespace
}  // namespace twain::he
