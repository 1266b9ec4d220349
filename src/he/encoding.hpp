// Coefficient encoding of Z_t messages (t = 2^l) as round(Q * m / t) in R_Q.
//
// Rounding is randomised (up with probability equal to the fractional part), so the encoding
// error is zero-mean, independent per coefficient and sub-Gaussian with parameter 1/2. With
// the exact rational scale Q/t, a product by an integer polynomial w carries (Q/t) m w exactly
// even when m w wraps mod t, and only the rounding error is multiplied by w.
#pragma once

#include <cstdint>
#include <span>

#include "core/prg.hpp"
#include "he/params.hpp"

namespace twain::he {

// Sub-Gaussian variance proxy of one randomised rounding.
inline constexpr double kRoundingVariance = 0.25;

// The coefficient-form polynomial round(Q * m_j / t); m_j in [0, t), at most n values (rest 0).
math::RnsPoly encode_scaled(const Context& context, std::span<const uint64_t> message, core::Prg& prg);

}  // namespace twain::he
