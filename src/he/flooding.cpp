#include "he/flooding.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "core/errors.hpp"
#include "he/sampling.hpp"

namespace twain::he {
namespace {

constexpr double kWidthLimit = 0x1p120;  // widths at or above this are reported as infinite

}  // namespace

FloodDistribution choose_flooding(double noise_bound, std::size_t revealed, const FloodBudget& budget) {
  const int s = budget.statistical_bits;
  TWAIN_REQUIRE(s >= 0 && s <= 128, InvalidArgument,
                "choose_flooding: statistical_bits = " + std::to_string(s) + " is outside [0, 128]");
  TWAIN_REQUIRE(budget.responses >= 1, InvalidArgument, "choose_flooding: a session budget of no responses");
  TWAIN_REQUIRE(revealed >= 1, InvalidArgument, "choose_flooding: no revealed coefficient");
  TWAIN_REQUIRE(noise_bound >= 0, InvalidArgument, "choose_flooding: negative noise bound");
  if (noise_bound == 0) return {};
  const double mr = static_cast<double>(revealed) * static_cast<double>(budget.responses);
  const double l = std::ceil(std::ldexp(std::sqrt(kIrwinHall3Fisher * mr) * noise_bound / (2 * kFloodingDistance), s));
  if (l >= kWidthLimit) return {0, std::numeric_limits<double>::infinity()};
  return {static_cast<math::u128>(l), std::ceil(1.5 * l)};
}

void FloodLedger::add(const FloodDistribution& distribution, double noise_bound, std::size_t revealed,
                      uint64_t count) {
  responses_ += count;
  if (noise_bound == 0) return;
  const double m = static_cast<double>(revealed), n = static_cast<double>(count);
  const double width = static_cast<double>(distribution.width);
  coefficients_ += n * m;
  hellinger_squared_ += n * m * noise_bound * noise_bound * kIrwinHall3Fisher / (8 * width * width);
}

void FloodLedger::repeat(uint64_t times) {
  TWAIN_REQUIRE(times >= 1, InvalidArgument, "FloodLedger::repeat: at least once");
  const double n = static_cast<double>(times);
  responses_ *= times;
  coefficients_ *= n;
  hellinger_squared_ *= n;
}

double FloodLedger::statistical_bits() const {
  const double distance = std::sqrt(2 * hellinger_squared_) + coefficients_ * std::ldexp(1.0, -kTailBits);
  return distance == 0 ? std::numeric_limits<double>::infinity() : -std::log2(distance);
}

math::u128 flooding_offset(const FloodDistribution& distribution) { return 3 * distribution.width / 2; }

std::vector<math::u128> sample_flooding(const FloodDistribution& distribution, std::size_t count, core::Prg& prg) {
  TWAIN_REQUIRE(distribution.width >= 1, InvalidArgument, "sample_flooding: the width must be positive");
  // A1 + A2 + A3 + K, K = round(F1 + F2 + F3) drawn exactly: (1, 23, 23, 1) / 48.
  std::vector<math::u128> values = sample_uniform_below(count, distribution.width, prg);
  for (int j = 0; j < 2; ++j) {
    const std::vector<math::u128> more = sample_uniform_below(count, distribution.width, prg);
    for (std::size_t i = 0; i < count; ++i) values[i] += more[i];
  }
  const std::vector<math::u128> rounding = sample_uniform_below(count, 48, prg);
  for (std::size_t i = 0; i < count; ++i) {
    const math::u128 u = rounding[i];
    values[i] += static_cast<math::u128>(u >= 1) + static_cast<math::u128>(u >= 24) + static_cast<math::u128>(u >= 47);
  }
  return values;
}

}  // namespace twain::he
