#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "core/errors.hpp"
#include "he/params.hpp"
#include "he/sampling.hpp"

namespace twain::he {
namespace {

TEST(HeSampling, ErrorIsCenteredBinomialWithTheStatedVariance) {
  core::Prg prg(core::Seed{31});
  const auto e = sample_error(1 << 18, prg);
  double sum = 0, square = 0;
  for (int64_t v : e) {
    ASSERT_LE(std::llabs(v), kErrorCoinPairs);
    sum += static_cast<double>(v);
    square += static_cast<double>(v * v);
  }
  const double mean = sum / e.size(), variance = square / e.size() - mean * mean;
  EXPECT_NEAR(mean, 0.0, 0.03);
  EXPECT_NEAR(variance, kErrorVariance, 0.15);
  EXPECT_GE(std::sqrt(variance), 3.2);
}

TEST(HeSampling, TernaryValuesAreBalanced) {
  core::Prg prg(core::Seed{32});
  const auto s = sample_ternary(30000, prg);
  int counts[3] = {0, 0, 0};
  for (int64_t v : s) {
    ASSERT_TRUE(v >= -1 && v <= 1);
    ++counts[v + 1];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 500);
}

TEST(HeSampling, UniformBelowStaysInRangeAndCoversIt) {
  core::Prg prg(core::Seed{33});
  const math::u128 range = (math::u128{1} << 100) + 12345;  // just above a power of two: many rejections
  const auto v = sample_uniform_below(20000, range, prg);
  std::size_t upper_half = 0;
  for (const auto x : v) {
    ASSERT_TRUE(x < range);
    upper_half += x >= range / 2;
  }
  EXPECT_NEAR(static_cast<double>(upper_half), 10000.0, 400.0);
  for (const auto x : sample_uniform_below(10, 1, prg)) EXPECT_TRUE(x == 0);
  EXPECT_THROW(sample_uniform_below(1, 0, prg), InvalidArgument);
}

TEST(HeSampling, ExpandedMasksDependOnlyOnTheSeed) {
  const auto context = Context::create(Parameters::standard(37));
  const core::Seed seed{1, 2, 3};
  const math::RnsPoly a = expand_uniform(context->rns(), seed), b = expand_uniform(context->rns(), seed);
  EXPECT_TRUE(std::equal(a.data().begin(), a.data().end(), b.data().begin()));
  const math::RnsPoly c = expand_uniform(context->rns(), core::Seed{1, 2, 4});
  EXPECT_FALSE(std::equal(a.data().begin(), a.data().end(), c.data().begin()));
  for (std::size_t i = 0; i < a.limbs(); ++i) {
    double mean = 0;
    for (std::size_t j = 0; j < a.n(); ++j) {
      ASSERT_LT(a.limb(i)[j], context->rns().prime(i));
      mean += a.limb(i)[j];
    }
    mean /= static_cast<double>(a.n());
    EXPECT_NEAR(mean / context->rns().prime(i), 0.5, 0.02);
  }
}

}  // namespace
}  // namespace twain::he
