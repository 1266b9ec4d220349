// The flooding distributions of he/flooding.hpp: the width under a session budget, the Hellinger
// bound the Irwin-Hall shape relies on (checked against the exact distribution computed from the
// Irwin-Hall distribution function), and the sampler's statistics.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/errors.hpp"
#include "core/prg.hpp"
#include "he/decryptor.hpp"
#include "he/encoding.hpp"
#include "he/encryptor.hpp"
#include "he/evaluator.hpp"
#include "he/keys.hpp"
#include "he/plaintext.hpp"
#include "he_test_support.hpp"
#include "he/flooding.hpp"
#include "he/noise.hpp"

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

TEST(HeFloodingDistribution, WidthFollowsTheSessionBudget) {
  const double p = std::ldexp(1.0, 40);  // a variance proxy: sqrt(p) = 2^20
  for (const std::size_t m : {1u, 13u, 196u, 4096u})
    for (const uint64_t r : {uint64_t{1}, uint64_t{7}, uint64_t{2048}, uint64_t{1} << 20})
      for (const double kappa : {1.0, 2.5, kTailFactor * kTailFactor}) {
        // L = sqrt(I3 m R kappa p) 2^s / 1.7, |Z| <= 1.5 L.
        const FloodDistribution d = choose_flooding(p, m, FloodBudget{40, r, kappa});
        const double l = std::ceil(std::ldexp(
            std::sqrt(kIrwinHall3Fisher * static_cast<double>(m) * static_cast<double>(r) * kappa * p) / 1.7, 40));
        EXPECT_TRUE(d.width == static_cast<math::u128>(l)) << m << " " << r << " " << kappa;
        EXPECT_EQ(d.bound, std::ceil(1.5 * l));
      }
  // About 1.88 sqrt(m) B 2^40 for one response under the per-coefficient bound B = 10.6 sqrt(p):
  // 4096 coefficients cost 2^(40 + 20 + 6 + 3.4 + 0.9); a session of 2^20 responses 10 bits
  // more; a concentration of 1 instead of 10.6^2 log2(10.6) = 3.4 bits less.
  const double b = std::log2(kTailFactor);
  EXPECT_NEAR(std::log2(choose_flooding(p, 4096, FloodBudget{40, 1}).bound), 40 + 20 + 6 + b + std::log2(1.885), 0.01);
  EXPECT_NEAR(std::log2(choose_flooding(p, 4096, FloodBudget{40, 1 << 20}).bound), 50 + 20 + 6 + b + std::log2(1.885),
              0.01);
  EXPECT_NEAR(std::log2(choose_flooding(p, 4096, FloodBudget{40, 1, 1.0}).bound), 40 + 20 + 6 + std::log2(1.885), 0.01);
  const FloodBudget one{40, 1};
  EXPECT_EQ(choose_flooding(0, 100, one).width, 0u);
  EXPECT_EQ(choose_flooding(0, 100, one).bound, 0.0);
  EXPECT_TRUE(std::isinf(choose_flooding(std::ldexp(1.0, 170), 1, one).bound));
  EXPECT_THROW(choose_flooding(p, 0, one), InvalidArgument);
  EXPECT_THROW(choose_flooding(p, 1, FloodBudget{129, 1}), InvalidArgument);
  EXPECT_THROW(choose_flooding(p, 1, FloodBudget{40, 0}), InvalidArgument);
  EXPECT_THROW(choose_flooding(p, 1, FloodBudget{40, 1, 0.5}), InvalidArgument);
  EXPECT_THROW(choose_flooding(p, 1, FloodBudget{40, 1, 113.0}), InvalidArgument);
  EXPECT_THROW(choose_flooding(-1, 1, one), InvalidArgument);
}

// The ledger's bound, recomputed from the definitions (he/flooding.hpp) for a session of R
// responses flooded under a budget of R: T = sum of m p / L^2, the per-coefficient bound
// sqrt(I3 10.6^2 T / 4), the quadratic form's sqrt(I3 (T + 2 sqrt(N T t) + 2 N t) / 4) + 2^-80
// with N the largest block's sum of operator proxies over L^2, and 2^-80 per revealed
// coefficient. It reaches the budget's bits, and stops reaching them when more responses than the
// budget are flooded for it.
TEST(HeFloodingDistribution, LedgerOfAFullSessionReachesItsStatisticalBits) {
  const double p = std::ldexp(1.0, 40), t = 80 * std::log(2.0);
  for (const double kappa : {kTailFactor * kTailFactor, 4.0})
    for (const uint64_t r : {uint64_t{2}, uint64_t{8}, uint64_t{2048}, uint64_t{1} << 16}) {
      const FloodBudget budget{40, r, kappa};
      // r / 2 blocks of two responses, one revealing 4 coefficients and one 2048; the operator
      // proxy of each is 64 times its variance proxy.
      const FloodDistribution few = choose_flooding(p, 4, budget), many = choose_flooding(p, 2048, budget);
      FloodLedger ledger;
      const FloodedResponses block[] = {{few, p, 64 * p, 4, 1}, {many, p, 64 * p, 2048, 1}};
      ledger.add_block(block, r / 2);
      EXPECT_EQ(ledger.responses(), r);
      const double lf = static_cast<double>(few.width), lm = static_cast<double>(many.width);
      const double blocks = static_cast<double>(r / 2);
      const double trace = blocks * (4 * p / (lf * lf) + 2048 * p / (lm * lm));
      const double norm = 64 * p / (lf * lf) + 64 * p / (lm * lm);
      const double per_coefficient = std::sqrt(kIrwinHall3Fisher * kTailFactor * kTailFactor * trace / 4);
      const double concentrated =
          std::sqrt(kIrwinHall3Fisher * (trace + 2 * std::sqrt(norm * trace * t) + 2 * norm * t) / 4) + 0x1p-80;
      const double tails = blocks * 2052 * 0x1p-80;
      EXPECT_NEAR(ledger.statistical_bits(), -std::log2(std::min(per_coefficient, concentrated) + tails), 1e-9) << r;
      const double rho = norm / trace;
      EXPECT_NEAR(ledger.concentration_needed(),
                  std::min(kTailFactor * kTailFactor, 1 + 2 * std::sqrt(rho * t) + 2 * rho * t), 1e-9);
      // The bits hold whenever the budget's kappa covers what the blocks need.
      if (ledger.concentration_needed() <= kappa) EXPECT_GE(ledger.statistical_bits(), 40.0) << r << " " << kappa;
      if (kappa > 100) EXPECT_GE(ledger.statistical_bits(), 40.0) << r;
    }
  // 2^12 responses flooded for a budget of 1 reach about 34 bits, not 40.
  FloodLedger short_budget;
  const FloodedResponses lone[] = {{choose_flooding(p, 2048, FloodBudget{40, 1, 1.0}), p, p, 2048, 1}};
  short_budget.add_block(lone, 4096);
  EXPECT_LT(short_budget.statistical_bits(), 35.0);
  EXPECT_TRUE(std::isinf(FloodLedger{}.statistical_bits()));
  EXPECT_EQ(FloodLedger{}.concentration_needed(), 1.0);
}

// Many small independent blocks concentrate: a session of 2^16 blocks needs a kappa near 1, one
// block holding the whole session the per-coefficient factor.
TEST(HeFloodingDistribution, ConcentrationFollowsTheLargestBlock) {
  const double p = 1e6;
  const FloodDistribution d = choose_flooding(p, 4096, FloodBudget{40, 1 << 16, 1.0});
  FloodLedger spread, single;
  const FloodedResponses one[] = {{d, p, 4096 * p, 4096, 1}};
  spread.add_block(one, 1 << 16);
  const FloodedResponses all[] = {{d, p, 4096 * p, 4096, 1 << 16}};
  single.add_block(all, 1);
  EXPECT_LT(spread.concentration_needed(), 1.2);
  EXPECT_GE(spread.statistical_bits(), 40.0);
  EXPECT_EQ(single.concentration_needed(), kTailFactor * kTailFactor);
  // The per-coefficient bound: 0.85 * 10.6 times 2^-40.
  EXPECT_NEAR(single.statistical_bits(), 40.0 - std::log2(kFloodingDistance * kTailFactor), 0.01);
  EXPECT_DOUBLE_EQ(spread.coefficients(), single.coefficients());
}

// A session of n inferences reveals each response n times, each inference from its own inputs:
// repeat(n) is the same ledger as adding every block n times over.
TEST(HeFloodingDistribution, RepeatedInferencesCountEveryResponseAgain) {
  const FloodBudget budget{40, 300};
  const FloodDistribution a = choose_flooding(1e6, 4096, budget);
  const FloodDistribution b = choose_flooding(3e7, 128, budget);
  const FloodedResponses block[] = {{a, 1e6, 1e9, 4096, 7}, {b, 3e7, 3e9, 128, 2}};
  FloodLedger once, repeated, by_hand;
  once.add_block(block);
  repeated = once;
  repeated.repeat(5);
  for (int k = 0; k < 5; ++k) by_hand.add_block(block);
  EXPECT_EQ(repeated.responses(), by_hand.responses());
  EXPECT_DOUBLE_EQ(repeated.coefficients(), by_hand.coefficients());
  EXPECT_NEAR(repeated.statistical_bits(), by_hand.statistical_bits(), 1e-9);
  EXPECT_NEAR(repeated.concentration_needed(), by_hand.concentration_needed(), 1e-12);
  // Five times the trace costs at most log2(sqrt 5) bits (the largest block stays the same).
  EXPECT_GT(once.statistical_bits() - repeated.statistical_bits(), 0.0);
  EXPECT_LE(once.statistical_bits() - repeated.statistical_bits(), 0.5 * std::log2(5.0) + 1e-9);
  EXPECT_THROW(repeated.repeat(0), InvalidArgument);
}

// The quadratic form the flooding relies on, measured: blocks of fresh encryptions (plus a
// server share's add_plain) multiply-accumulated with kernels of the largest l1 norm the bounds
// allow, the exact weight noise of every coefficient decrypted with the secret key. Its sum of
// squares over the session lies near the trace of the variance proxies (the model is not loose
// by much) and below the 2^-80 bound that FloodLedger's concentration gives; every coefficient
// lies within its own tail bound kTailFactor sqrt(proxy).
TEST(HeFloodingDistribution, MeasuredWeightNoiseStaysWithinItsQuadraticFormBound) {
  const auto context = Context::create(Parameters::standard(37));
  core::Prg prg(core::Seed{43});
  const SecretKey secret = generate_secret_key(*context, prg);
  const std::size_t n = context->n(), support = 256;
  const uint64_t w_max = uint64_t{1} << 13;
  const int inputs = 4, blocks = 8;
  // Every coefficient of the kernel is +w_max on its support: |w|_1 = support w_max.
  std::vector<int64_t> kernel(n, 0);
  for (std::size_t j = 0; j < support; ++j) kernel[j] = static_cast<int64_t>(w_max);
  const PlainBound bound{w_max, support};
  const NttPlaintext w = NttPlaintext::from_signed(*context, kernel, bound);
  const double input_proxy = fresh_encryption_noise().variance + kRoundingVariance;
  const double proxy = input_proxy * inputs * bound.norm2_squared();
  const double operator_proxy = input_proxy * inputs * bound.norm1() * bound.norm1();
  double squares = 0, largest = 0;
  FloodLedger ledger;
  for (int b = 0; b < blocks; ++b) {
    MultiplyAccumulator acc(*context);
    std::vector<Ciphertext> cts;
    for (int i = 0; i < inputs; ++i) {
      cts.push_back(encrypt(*context, secret, testing::random_message(n, 37, prg), prg));
      add_plain(*context, cts.back(), testing::random_message(n, 37, prg), prg);
      acc.add(cts.back(), w);
    }
    const Ciphertext product = acc.result();
    EXPECT_DOUBLE_EQ(product.noise.weight_variance, proxy);
    for (const double e : measure_noise(*context, secret, product)) {
      squares += e * e;
      largest = std::max(largest, std::fabs(e));
    }
    const FloodedResponses block[] = {{FloodDistribution{1, 2}, proxy, operator_proxy, n, 1}};
    ledger.add_block(block);
  }
  const double trace = blocks * static_cast<double>(n) * proxy;
  EXPECT_GT(squares, 0.8 * trace);
  EXPECT_LT(squares, ledger.concentration_needed() * trace);
  EXPECT_LT(largest, kTailFactor * std::sqrt(proxy));
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
  const FloodDistribution d{64, 96};
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
    const FloodDistribution d = {static_cast<math::u128>(std::ldexp(1.0, log_width)),
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
  EXPECT_THROW(sample_flooding(FloodDistribution{}, 1, prg), InvalidArgument);
}

}  // namespace
}  // namespace twain::he
