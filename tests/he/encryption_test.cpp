#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.hpp"
#include "he/decryptor.hpp"
#include "he/encryptor.hpp"
#include "he/evaluator.hpp"
#include "he/sampling.hpp"
#include "he/serialization.hpp"
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
    return NttPlaintext::from_signed(*context, w, {static_cast<uint64_t>(c < 0 ? -c : c), 1});
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
  const double width = std::log2(flood(*k.context, ct, k.prg, {FloodBudget{}, 1}));
  EXPECT_GE(width, before + kStatisticalSecurityBits);
  const double after = measure_noise_log2(*k.context, k.sk, ct);
  // The largest of n uniform draws on [-W, W] is within a bit of W.
  EXPECT_GT(after, width - 1.0);
  EXPECT_LE(after, width + 0.01);
  const auto product = decrypt(*k.context, k.sk, ct);
  for (std::size_t j = 0; j < k.context->n(); ++j) ASSERT_EQ(product[j], (k.m[j] * 4096) & k.context->plain_mask());
}

TEST(HeMultiply, ConstantPlaintextEqualsTheSameConstantAsAPolynomial) {
  Keyed k(37, 7);
  const Ciphertext a = encrypt(*k.context, k.sk, k.m, k.prg);
  const Ciphertext b = encrypt(*k.context, k.sk, random_message(k.context->n(), 37, k.prg), k.prg);
  for (int64_t c : {int64_t{-4096}, int64_t{-1}, int64_t{0}, int64_t{1}, int64_t{3001}}) {
    const PlainBound bound{4096, 1};
    const NttPlaintext scalar = NttPlaintext::constant(*k.context, c, bound);
    std::vector<int64_t> coefficients(k.context->n(), 0);
    coefficients[0] = c;
    const NttPlaintext poly = NttPlaintext::from_signed(*k.context, coefficients, bound);
    ASSERT_TRUE(scalar.is_constant());
    ASSERT_FALSE(poly.is_constant());
    EXPECT_LT(scalar.memory_bytes(), 256U);
    MultiplyAccumulator by_scalar(*k.context), by_poly(*k.context);
    for (const Ciphertext* ct : {&a, &b}) {
      by_scalar.add(*ct, scalar);
      by_poly.add(*ct, poly);
    }
    const Ciphertext x = by_scalar.result(), y = by_poly.result();
    ASSERT_TRUE(std::equal(x.c0.data().begin(), x.c0.data().end(), y.c0.data().begin())) << c;
    ASSERT_TRUE(std::equal(x.c1.data().begin(), x.c1.data().end(), y.c1.data().begin())) << c;
    EXPECT_EQ(x.noise.variance, y.noise.variance);
  }
  EXPECT_THROW(NttPlaintext::constant(*k.context, 4097, {4096, 1}), InvalidArgument);
  EXPECT_THROW(NttPlaintext::constant(*k.context, 5, {4096, 0}), InvalidArgument);
  EXPECT_THROW(static_cast<void>(NttPlaintext::constant(*k.context, 5, {4096, 1}).ntt()), InvalidArgument);
}

// A view of a polynomial's NTT words (as a mapped model file holds them) multiplies exactly as
// the polynomial itself, and owns nothing.
TEST(HeMultiply, AViewOfNttWordsEqualsThePolynomialItViews) {
  Keyed k(37, 8);
  const Ciphertext a = encrypt(*k.context, k.sk, k.m, k.prg);
  std::vector<int64_t> coefficients(k.context->n());
  for (int64_t& c : coefficients) c = static_cast<int64_t>(k.prg.next_u64() % 8193) - 4096;
  const PlainBound bound{4096, k.context->n()};
  const NttPlaintext poly = NttPlaintext::from_signed(*k.context, coefficients, bound);
  const std::vector<uint32_t> words(poly.ntt().begin(), poly.ntt().end());
  const NttPlaintext view = NttPlaintext::view(*k.context, words, bound);
  EXPECT_FALSE(view.is_constant());
  EXPECT_LT(view.memory_bytes(), 256U);
  MultiplyAccumulator by_poly(*k.context), by_view(*k.context);
  by_poly.add(a, poly);
  by_view.add(a, view);
  const Ciphertext x = by_poly.result(), y = by_view.result();
  EXPECT_TRUE(std::equal(x.c0.data().begin(), x.c0.data().end(), y.c0.data().begin()));
  EXPECT_TRUE(std::equal(x.c1.data().begin(), x.c1.data().end(), y.c1.data().begin()));
  EXPECT_EQ(x.noise.variance, y.noise.variance);
  EXPECT_THROW(NttPlaintext::view(*k.context, std::span(words).first(words.size() - 1), bound), InvalidArgument);
}

TEST(HeFlooding, WeightsBeyondTheNoiseBudgetAreRefused) {
  Keyed k(44, 6);
  // Dense worst-case weights: too much noise to flood at l = 44.
  const NttPlaintext plain =
      NttPlaintext::from_signed(*k.context, std::vector<int64_t>(k.context->n(), 1 << 12), {1 << 12, k.context->n()});
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
  // What the client could compute from the public seed.
  math::RnsAccumulator product(k.context->rns());
  product.add_product(input.c1, plain.ntt());
  const math::RnsPoly known = product.result();
  ASSERT_TRUE(std::equal(known.data().begin(), known.data().end(), ct.c1.data().begin()));
  rerandomize(*k.context, ct, k.pk, k.prg);
  ASSERT_EQ(ct.c1.form(), math::PolyForm::Coefficient);
  ct.c1.to_ntt();
  EXPECT_FALSE(std::equal(known.data().begin(), known.data().end(), ct.c1.data().begin()));
  EXPECT_FALSE(ct.seed.has_value());
}

TEST(HeFlooding, AccumulatedNoiseEstimateBoundsTheMeasuredNoise) {
  Keyed k(37, 10);
  MultiplyAccumulator acc(*k.context);
  const NttPlaintext plain =
      NttPlaintext::from_signed(*k.context, std::vector<int64_t>(k.context->n(), -4096), {4096, k.context->n()});
  for (int i = 0; i < 8; ++i) acc.add(encrypt(*k.context, k.sk, k.m, k.prg), plain);
  const Ciphertext ct = acc.result();
  const double measured = measure_noise_log2(*k.context, k.sk, ct);
  EXPECT_LT(measured, ct.noise.bound_log2());
  // Not absurdly loose either: within 8 bits of the measured maximum.
  EXPECT_GT(measured, ct.noise.bound_log2() - 8);
}

TEST(HeFlooding, ResponsesDependOnWeightBoundsNotOnWeights) {
  // Two weight sets within the same public bounds, one tiny and one at the bound: the response
  // modulus, its size and the flooding width must be equal; only the result may differ.
  Keyed k(37, 11);
  const PlainBound bound{1 << 12, 144};
  std::vector<int64_t> small(k.context->n(), 0), large(k.context->n(), 0);
  for (std::size_t i = 0; i < bound.support; ++i) {
    small[i * 28] = 1;
    large[i * 28] = (i % 2 ? 1 : -1) * (1 << 12);
  }
  const Ciphertext input = encrypt(*k.context, k.sk, k.m, k.prg);
  std::vector<uint32_t> kept;
  for (uint32_t j = 0; j < 196; ++j) kept.push_back(j * 20);
  const std::vector<uint64_t> mask(k.context->n(), 12345);
  std::vector<double> widths;
  std::vector<int> bits;
  std::vector<std::size_t> sizes;
  for (const auto* w : {&small, &large}) {
    MultiplyAccumulator acc(*k.context);
    acc.add(input, NttPlaintext::from_signed(*k.context, *w, bound));
    Ciphertext ct = acc.result();
    add_plain(*k.context, ct, mask, k.prg);
    rerandomize(*k.context, ct, k.pk, k.prg);
    widths.push_back(flood(*k.context, ct, k.prg, {FloodBudget{}, kept.size()}));
    const SwitchedCiphertext response =
        switch_modulus(*k.context, ct, minimal_switch_bits(*k.context, ct.noise), kept);
    bits.push_back(response.bits);
    sizes.push_back(serialize(*k.context, response).size());
  }
  EXPECT_EQ(widths[0], widths[1]);
  EXPECT_EQ(bits[0], bits[1]);
  EXPECT_EQ(sizes[0], sizes[1]);
  // The public prediction both parties use to size messages agrees with what was sent.
  const NoiseEstimate predicted =
      response_noise(*k.context, product_noise(fresh_encryption_noise(), bound.norm2_squared()), kept.size());
  EXPECT_EQ(minimal_switch_bits(*k.context, predicted), bits[0]);
}

TEST(HeFlooding, FloodLandsOnTheListedCoefficients) {
  // The demo layer's products (four 16-channel 3x3 kernel blocks of 12-bit weights): the flood
  // is present on the coefficients it covers, and only there.
  Keyed k(37, 16);
  const PlainBound bound{1 << 12, 144};
  std::vector<int64_t> w(k.context->n(), 0);
  for (std::size_t i = 0; i < bound.support; ++i) w[i * 28] = 1 << 12;
  const NttPlaintext plain = NttPlaintext::from_signed(*k.context, w, bound);
  MultiplyAccumulator acc(*k.context);
  for (int i = 0; i < 4; ++i) acc.add(encrypt(*k.context, k.sk, k.m, k.prg), plain);
  std::vector<uint32_t> flooded, untouched;
  for (uint32_t j = 0; j < 196; ++j) {
    flooded.push_back(20 * j);
    untouched.push_back(20 * j + 10);
  }
  Ciphertext ct = acc.result();
  rerandomize(*k.context, ct, k.pk, k.prg);
  const double width = flood(*k.context, ct, k.prg, {FloodBudget{}, flooded.size(), flooded});
  // Switched well above the minimal modulus, so that the switching noise stays far below the flood.
  const int bits = minimal_switch_bits(*k.context, ct.noise) + 12;
  const double flood_after_switch = std::log2(width) + bits - k.context->q_log2();
  const double on = measure_noise_log2(*k.context, k.sk, switch_modulus(*k.context, ct, bits, flooded));
  const double off = measure_noise_log2(*k.context, k.sk, switch_modulus(*k.context, ct, bits, untouched));
  EXPECT_GT(on, flood_after_switch - 1.0);
  EXPECT_LT(off, on - 2.0);
}

TEST(HeFlooding, WeightsOutsideTheirDeclaredBoundsAreRefused) {
  Keyed k(37, 12);
  std::vector<int64_t> w(k.context->n(), 0);
  w[0] = 100;
  w[1] = -3;
  EXPECT_THROW(NttPlaintext::from_signed(*k.context, w, {99, 2}), InvalidArgument);
  EXPECT_THROW(NttPlaintext::from_signed(*k.context, w, {100, 1}), InvalidArgument);
  EXPECT_NO_THROW(NttPlaintext::from_signed(*k.context, w, {100, 2}));
}

TEST(HeFlooding, ProductsAreNotSwitchedBeforeRerandomisingAndFlooding) {
  Keyed k(37, 13);
  MultiplyAccumulator acc(*k.context);
  acc.add(encrypt(*k.context, k.sk, k.m, k.prg), k.monomial(0, 3));
  Ciphertext ct = acc.result();
  ct.c0.to_coefficients();
  ct.c1.to_coefficients();
  EXPECT_THROW(switch_modulus(*k.context, ct, 50), InvalidArgument);
  rerandomize(*k.context, ct, k.pk, k.prg);
  EXPECT_THROW(switch_modulus(*k.context, ct, 50), InvalidArgument);
  flood(*k.context, ct, k.prg);
  const auto got = decrypt(*k.context, k.sk, switch_modulus(*k.context, ct, minimal_switch_bits(*k.context, ct.noise)));
  for (std::size_t j = 0; j < k.context->n(); ++j) ASSERT_EQ(got[j], (3 * k.m[j]) & k.context->plain_mask());
}

TEST(HeContext, ObjectsOutliveTheirContextAndEqualParametersShareOne) {
  const auto made = [] {
    const auto context = Context::create(Parameters::standard(37));
    core::Prg prg(core::Seed{14});
    SecretKey sk = generate_secret_key(*context, prg);
    Ciphertext ct = encrypt(*context, sk, std::vector<uint64_t>{7, 8, 9}, prg);
    return std::make_pair(std::move(sk), std::move(ct));
  }();
  const auto context = Context::create(Parameters::standard(37));
  const auto m = decrypt(*context, made.first, made.second);
  EXPECT_EQ(m[0], 7U);
  EXPECT_EQ(m[2], 9U);
  // Mixed with objects of the new context: a fresh public key from the old secret key.
  core::Prg prg(core::Seed{15});
  const PublicKey pk = generate_public_key(*context, made.first, prg);
  Ciphertext ct = made.second;
  rerandomize(*context, ct, pk, prg);
  EXPECT_EQ(decrypt(*context, made.first, ct)[1], 8U);
  EXPECT_EQ(Context::create(Parameters::standard(37)).get(), context.get());
}

}  // namespace
}  // namespace twain::he
