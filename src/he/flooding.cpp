#include "he/flooding.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/errors.hpp"
#include "he/sampling.hpp"

namespace twain::he {
namespace {

constexpr double kWidthLimit = 0x1p120;  // widths at or above this are reported as infinite

}  // namespace

FloodDistribution choose_flooding(double weight_variance, std::size_t revealed, const FloodBudget& budget) {
  const int s = budget.statistical_bits;
  TWAIN_REQUIRE(s >= 0 && s <= 128, InvalidArgument,
                "choose_flooding: statistical_bits = " + std::to_string(s) + " is outside [0, 128]");
  TWAIN_REQUIRE(budget.responses >= 1, InvalidArgument, "choose_flooding: a session budget of no responses");
  TWAIN_REQUIRE(budget.concentration >= 1 && budget.concentration <= kTailFactor * kTailFactor, InvalidArgument,
                "choose_flooding: concentration " + std::to_string(budget.concentration) + " is outside [1, " +
                    std::to_string(kTailFactor * kTailFactor) + "]");
  TWAIN_REQUIRE(revealed >= 1, InvalidArgument, "choose_flooding: no revealed coefficient");
  TWAIN_REQUIRE(weight_variance >= 0, InvalidArgument, "choose_flooding: negative variance");
  if (weight_variance == 0) return {};
  const double mr = static_cast<double>(revealed) * static_cast<double>(budget.responses);
  const double l = std::ceil(std::ldexp(
      std::sqrt(kIrwinHall3Fisher * mr * budget.concentration * weight_variance) / (2 * kFloodingDistance), s));
  if (l >= kWidthLimit) return {0, std::numeric_limits<double>::infinity()};
  return {static_cast<math::u128>(l), std::ceil(1.5 * l)};
}

void FloodLedger::add_block(std::span<const FloodedResponses> responses, uint64_t blocks) {
  const double n = static_cast<double>(blocks);
  double norm = 0;
  for (const FloodedResponses& r : responses) {
    responses_ += blocks * r.count;
    if (r.weight_variance == 0 || r.count == 0) continue;
    TWAIN_REQUIRE(r.distribution.width >= 1 && r.operator_variance >= 0, InvalidArgument,
                  "FloodLedger: a response with weight noise and no flooding");
    const double width = static_cast<double>(r.distribution.width);
    const double count = static_cast<double>(r.count), m = static_cast<double>(r.revealed);
    coefficients_ += n * count * m;
    trace_ += n * count * m * r.weight_variance / (width * width);
    norm += count * r.operator_variance / (width * width);
  }
  norm_ = std::max(norm_, norm);
}

void FloodLedger::repeat(uint64_t times) {
  TWAIN_REQUIRE(times >= 1, InvalidArgument, "FloodLedger::repeat: at least once");
  // Every inference encrypts its own inputs: its blocks are independent of the others'.
  const double n = static_cast<double>(times);
  responses_ *= times;
  coefficients_ *= n;
  trace_ *= n;
}

namespace {

// ln 2^80: the tail exponent t of the quadratic form's bound.
const double kQuadraticTail = kTailBits * std::log(2.0);

}  // namespace

double FloodLedger::concentration_needed() const {
  if (trace_ == 0) return 1;
  const double rho = norm_ / trace_;
  return std::min(kTailFactor * kTailFactor, 1 + 2 * std::sqrt(rho * kQuadraticTail) + 2 * rho * kQuadraticTail);
}

double FloodLedger::statistical_bits() const {
  // Each coefficient's own tail, or the session's quadratic form (he/flooding.hpp), whichever
  // bounds the distance more tightly.
  const double per_coefficient = std::sqrt(kIrwinHall3Fisher * kTailFactor * kTailFactor * trace_ / 4);
  const double quadratic_form = trace_ + 2 * std::sqrt(norm_ * trace_ * kQuadraticTail) + 2 * norm_ * kQuadraticTail;
  const double concentrated = std::sqrt(kIrwinHall3Fisher * quadratic_form / 4) + std::ldexp(1.0, -kTailBits);
  const double distance = (trace_ == 0 ? 0 : std::min(per_coefficient, concentrated)) +
                          coefficients_ * std::ldexp(1.0, -kTailBits);
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
