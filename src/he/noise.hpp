// High-probability noise bounds that decide flooding widths and the modulus to switch down to.
//
// A coefficient's error is tracked as a sub-Gaussian part with variance proxy `variance` plus a
// bounded part `worst_case`. For sub-Gaussian X, P(|X| > z sqrt(v)) <= 2 exp(-z^2 / 2), so with
// z = kTailFactor a coefficient exceeds bound() with probability at most 2^-kTailBits: small
// enough to add over every coefficient of a session (he/flooding.hpp).
#pragma once

#include <cmath>

namespace twain::he {

inline constexpr int kTailBits = 80;
inline constexpr double kTailFactor = 10.6;  // sqrt(2 ln 2^81) = 10.596
// Flooding makes what the client sees in a whole session statistically 2^-40-close to a
// distribution that depends only on its outputs (DESIGN.md section 1: 40-bit statistical security).
inline constexpr int kStatisticalSecurityBits = 40;

struct NoiseEstimate {
  double variance = 0;  // sub-Gaussian variance proxy of the whole error
  // The part of `variance` that products with the server's weights contributed: the part
  // flooding must hide. Computed from public weight bounds only, never from the weights.
  double weight_variance = 0;
  double worst_case = 0;  // absolute bound of the bounded part (flooding)

  double bound() const { return kTailFactor * std::sqrt(variance) + worst_case; }
  double bound_log2() const { return std::log2(bound()); }
};

}  // namespace twain::he
