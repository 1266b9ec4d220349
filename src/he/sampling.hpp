// Samplers of the RLWE distributions. Every sampler is constant-time in the sampled values.
#pragma once

#include <cstdint>
#include <vector>

#include "core/prg.hpp"
#include "math/rns.hpp"

namespace twain::he {

// Error distribution: centered binomial with 21 coin pairs, standard deviation sqrt(10.5) ~ 3.24
// (at least the 3.2 the security table assumes), bounded by 21 in absolute value.
inline constexpr int kErrorCoinPairs = 21;
inline constexpr double kErrorVariance = kErrorCoinPairs / 2.0;

// n samples of the error distribution.
std::vector<int64_t> sample_error(std::size_t n, core::Prg& prg);
// n uniform ternary values in {-1, 0, 1}.
std::vector<int64_t> sample_ternary(std::size_t n, core::Prg& prg);
// n values uniform in [0, range), range >= 1, by rejection sampling of fresh draws (which are
// independent of every secret, so the rejections leak nothing).
std::vector<math::u128> sample_uniform_below(std::size_t n, math::u128 range, core::Prg& prg);
// A uniform polynomial of R_Q in NTT form expanded from a public seed (the "a" of RLWE): the
// seed travels instead of the polynomial.
math::RnsPoly expand_uniform(const math::RnsBase& base, const core::Seed& seed);

}  // namespace twain::he
