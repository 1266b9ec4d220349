// The flooding distributions of he/flooding.hpp: the choice between the shapes, the Hellinger
// bound the Irwin-Hall shape relies on (checked against the exact distribution computed from the
// Irwin-Hall distribution function), and the sampler's statistics.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/errors.hpp"
#include "he/flooding.hpp"

namespace twain::he {
namespace {

// Distribution function of L (V1 + V2 + V3), V_j uniform on [0, 1).
double irwin_hall_cdf(double y, double l) {
  const double u = std::fmin(std::fmax(y / l, 0.0), 3.0);
  if (u < 1) return u * u * u / 6;
  if (u < 2) return (-2 * u * u * u + 9 * u * u - 9 * u + 3) / 6;
  return 1 - (3 - u) * (3 - u) * (3 - u) / 6;
}

// P(round(L (V1 + V2 + V3)) = k): the distribution sample_flooding draws (before centring).
double irwin_hall_pmf(double k, double l) { return irwin_hall_cdf(k + 0.5, l) - irwin_hall_cdf(k - 0.5, l); }

TEST(HeFloodingDistribution, FisherInformationConstantMatchesNumericalIntegration) {
  // Midpoint rule on f'^2 / f of the Irwin-Hall density of order 3 on [0, 3].
  const int steps = 600000;
  const double h = 3.0 / steps;
  double sum = 0;
  for (int i = 0; i < steps; ++i) {
    const double x = (i + 0.5) * h;
    const double f = x < 1 ? x * x / 2 : (x < 2 ? (-2 * x * x + 6 * x - 3) / 2 : (3 - x) * (3 - x) / 2);
    const double d = x < 1 ? x : (x < 2 ? 3 - 2 * x : x - 3);
    sum += d * d / f;
  }
  EXPECT_NEAR(sum * h, kIrwinHall3Fisher, 1e-6);
}

TEST(HeFloodingDistribution, ShapeWithTheSmallerBoundIsChosen) {
  const double b = 1 << 20;
  for (const std::size_t m : {1u, 2u, 12u, 13u, 14u, 196u, 4096u}) {
    const FloodDistribution d = choose_flooding(b, m, 40);
    const double uniform = std::ceil(std::ldexp(b * static_cast<double>(m), 40));
    const double l = std::ceil(std::ldexp(kIrwinHallMargin * std::sqrt(kIrwinHall3Fisher) * std::sqrt(static_cast<double>(m)) * b, 40));
    if (m <= 12) {
      EXPECT_EQ(d.shape, FloodShape::Uniform) << m;
      EXPECT_EQ(d.bound, uniform);
      EXPECT_TRUE(d.width == static_cast<math::u128>(uniform));
    } else {
      EXPECT_EQ(d.shape, FloodShape::IrwinHall3) << m;
      EXPECT_EQ(d.bound, std::ceil(1.5 * l));
      EXPECT_TRUE(d.width == static_cast<math::u128>(l));
      EXPECT_LT(d.bound, uniform);
    }
  }
  // About 3.5 sqrt(m) B 2^40 for many coefficients: 4096 coefficients cost 2^(40 + 20 + 7.8).
  EXPECT_NEAR(std::log2(choose_flooding(b, 4096, 40).bound), 40 + 20 + 6 + std::log2(3.52), 0.01);
  EXPECT_EQ(choose_flooding(0, 100, 40).width, 0u);
  EXPECT_EQ(choose_flooding(0, 100, 40).bound, 0.0);
  EXPECT_TRUE(std::isinf(choose_flooding(std::ldexp(1.0, 80), 1, 40).bound));
  EXPECT_THROW(choose_flooding(b, 0, 40), InvalidArgument);
  EXPECT_THROW(choose_flooding(b, 1, 129), InvalidArgument);
  EXPECT_THROW(choose_flooding(-1, 1, 40), InvalidArgument);
}

TEST(HeFloodingDistribution, HellingerBoundHoldsForTheExactRoundedDistribution) {
  // For widths L and shifts d, the exact distributions of Z and Z + d: the per-coordinate squared
  // Hellinger distance stays below d^2 I3 / (8 L^2), and for m coordinates the distance
  // sqrt(1 - BC^m squared) that it bounds stays below sqrt(m) d sqrt(I3) / (2 L).
  for (const double l : {50.0, 311.0, 2000.0}) {
    for (const int d : {1, 3, 17}) {
      double bc = 0, sd = 0;
      for (int k = -2; k <= static_cast<int>(3 * l) + d + 2; ++k) {
        const double p = irwin_hall_pmf(k, l), q = irwin_hall_pmf(k - d, l);
        bc += std::sqrt(p * q);
        sd += std::fabs(p - q) / 2;
      }
      const double h2 = 1 - bc;
      EXPECT_LE(h2, d * d * kIrwinHall3Fisher / (8 * l * l)) << "L " << l << " d " << d;
      EXPECT_LE(sd, std::sqrt(2 * h2) + 1e-12);
      for (const double m : {1.0, 100.0, 4096.0}) {
        const double vector_sd_bound = std::sqrt(1 - std::pow(bc, 2 * m));
        EXPECT_LE(vector_sd_bound, std::sqrt(m) * d * std::sqrt(kIrwinHall3Fisher) / (2 * l) + 1e-12);
      }
    }
  }
}

TEST(HeFloodingDistribution, IrwinHallDrawsFollowTheExactDistribution) {
  const double l = 64;
  const FloodDistribution d{FloodShape::IrwinHall3, 64, 96};
  core::Prg prg(core::Seed{41});
  const std::size_t count = 1 << 20;
  const auto draws = sample_flooding(d, count, prg);
  ASSERT_EQ(draws.size(), count);
  std::vector<double> histogram(193, 0);
  double sum = 0, square = 0;
  for (const auto x : draws) {
    ASSERT_TRUE(x <= 192);
    histogram[static_cast<std::size_t>(x)] += 1;
    const double centred = static_cast<double>(x) - static_cast<double>(flooding_offset(d));
    sum += centred;
    square += centred * centred;
  }
  EXPECT_TRUE(flooding_offset(d) == 96);
  const double mean = sum / count, variance = square / count - mean * mean;
  EXPECT_NEAR(mean, 0.0, 0.1);
  EXPECT_NEAR(variance, l * l / 4 + 1.0 / 12, 0.01 * l * l / 4);
  // Chi-squared against the exact probabilities; 192 degrees of freedom, mean 192, sd 19.6.
  double chi2 = 0;
  for (int k = 0; k <= 192; ++k) {
    const double expected = irwin_hall_pmf(k, l) * count;
    if (expected > 0) chi2 += (histogram[k] - expected) * (histogram[k] - expected) / expected;
  }
  EXPECT_LT(chi2, 192 + 6 * 19.6);
  // The largest draws reach the top of the range: the width is really there.
  EXPECT_GT(histogram[0] + histogram[1] + histogram[191] + histogram[192], 0);
}

TEST(HeFloodingDistribution, WideDrawsStayInRangeWithTheStatedSpread) {
  core::Prg prg(core::Seed{42});
  for (const double log_width : {40.0, 70.0, 100.0}) {
    const FloodDistribution d = {FloodShape::IrwinHall3, static_cast<math::u128>(std::ldexp(1.0, log_width)),
                                 std::ldexp(1.5, log_width)};
    const auto draws = sample_flooding(d, 1 << 16, prg);
    const double offset = static_cast<double>(flooding_offset(d));
    double square = 0, largest = 0;
    for (const auto x : draws) {
      ASSERT_TRUE(x <= 3 * d.width);
      const double centred = static_cast<double>(x) - offset;
      square += centred * centred;
      largest = std::fmax(largest, std::fabs(centred));
    }
    // Variance L^2 / 4; the largest of 2^16 draws lies near the edge (P(|Z| > 1.2 L) = 0.036).
    EXPECT_NEAR(std::log2(square / draws.size()) / 2, log_width - 1, 0.02);
    EXPECT_GT(largest, 1.2 * std::ldexp(1.0, log_width));
    EXPECT_LE(largest, d.bound);
  }
  const FloodDistribution uniform{FloodShape::Uniform, 1000, 1000};
  for (const auto x : sample_flooding(uniform, 1000, prg)) ASSERT_TRUE(x <= 2000);
  EXPECT_TRUE(flooding_offset(uniform) == 1000);
  EXPECT_THROW(sample_flooding(FloodDistribution{}, 1, prg), InvalidArgument);
}

}  // namespace
}  // namespace twain::he
