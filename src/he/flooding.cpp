#include "he/flooding.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "core/errors.hpp"
#include "he/sampling.hpp"

namespace twain::he {
namespace {

constexpr double kWidthLimit = 0x1p120;  // widths at or above this are reported as infinite

FloodDistribution make(FloodShape shape, double width, double bound) {
  if (width >= kWidthLimit) return {shape, 0, std::numeric_limits<double>::infinity()};
  return {shape, static_cast<math::u128>(width), bound};
}

}  // namespace

FloodDistribution choose_flooding(double noise_bound, std::size_t revealed, int statistical_bits) {
  TWAIN_REQUIRE(statistical_bits >= 0 && statistical_bits <= 128, InvalidArgument,
                "choose_flooding: statistical_bits = " + std::to_string(statistical_bits) + " is outside [0, 128]");
  TWAIN_REQUIRE(revealed >= 1, InvalidArgument, "choose_flooding: no revealed coefficient");
  TWAIN_REQUIRE(noise_bound >= 0, InvalidArgument, "choose_flooding: negative noise bound");
  if (noise_bound == 0) return {};
  const double m = static_cast<double>(revealed);
  const double uniform_width = std::ceil(std::ldexp(noise_bound * m, statistical_bits));
  FloodDistribution best = make(FloodShape::Uniform, uniform_width, uniform_width);
  if (statistical_bits <= 58 && m <= std::ldexp(1.0, 58 - statistical_bits)) {
    const double l = std::ceil(
        std::ldexp(kIrwinHallMargin * std::sqrt(kIrwinHall3Fisher) * std::sqrt(m) * noise_bound, statistical_bits));
    const double bound = std::ceil(1.5 * l);
    if (bound < best.bound) best = make(FloodShape::IrwinHall3, l, bound);
  }
  return best;
}

math::u128 flooding_offset(const FloodDistribution& distribution) {
  return distribution.shape == FloodShape::Uniform ? distribution.width : 3 * distribution.width / 2;
}

std::vector<math::u128> sample_flooding(const FloodDistribution& distribution, std::size_t count, core::Prg& prg) {
  TWAIN_REQUIRE(distribution.width >= 1, InvalidArgument, "sample_flooding: the width must be positive");
  if (distribution.shape == FloodShape::Uniform) return sample_uniform_below(count, 2 * distribution.width + 1, prg);
  // Irwin-Hall: A1 + A2 + A3 + round(F1 + F2 + F3), the F_j as 64-bit fractions.
  std::vector<math::u128> values = sample_uniform_below(count, distribution.width, prg);
  for (int j = 0; j < 2; ++j) {
    const std::vector<math::u128> more = sample_uniform_below(count, distribution.width, prg);
    for (std::size_t i = 0; i < count; ++i) values[i] += more[i];
  }
  std::vector<uint64_t> fractions(3 * count);
  prg.fill(fractions.data(), fractions.size() * sizeof(uint64_t));
  constexpr math::u128 kHalf = math::u128{1} << 63;
  for (std::size_t i = 0; i < count; ++i) {
    const math::u128 sum = static_cast<math::u128>(fractions[3 * i]) + fractions[3 * i + 1] + fractions[3 * i + 2];
    values[i] += (sum + kHalf) >> 64;  // round(sum / 2^64), in {0, 1, 2, 3}
  }
  return values;
}

}  // namespace twain::he
