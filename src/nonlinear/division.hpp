// Exact division of shares by a public constant (average pooling).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "nonlinear/gmw.hpp"

namespace twain::nonlinear {

// Shares of floor(x / d) for signed x (the floor, rounding towards minus infinity, bit for bit),
// public d in [1, 2^(l-2)]; x must lie in [-2^(l-1), 2^(l-1) - d).
//
// The division of CrypTFlow2 (Rathee et al., CCS 2020, section 5, "division by a public
// constant"), on a shifted value: x' = x + O with O = d ceil(2^(l-1) / d) is non-negative, and
// with x'_P = q_P d + r_P, 2^l = Q d + R and W the wrap of x'_S + x'_C,
//   floor(x' / d) = q_S + q_C - W Q + [s >= d] + W ([s >= d + R] - [s < R] - [s >= d]),
// s = r_S + r_C < 2d. W comes from the carry circuit at position l; the three thresholds are
// three comparisons of ceil(log2 3d)-bit values (one circuit); one AND layer forms W & ...,
// one B2A of five bits per element brings everything to Z_{2^l}. The server subtracts O / d.
std::vector<uint64_t> divide_floor(Context& ctx, std::span<const uint64_t> x, uint64_t d);
Needs divide_needs(const Options& options, std::size_t n, uint64_t d);

}  // namespace twain::nonlinear
