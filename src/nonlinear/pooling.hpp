// MaxPool, ArgMax and top-k as trees of pairwise maxima (DESIGN.md section 6):
// max(a, b) = b + ReLU(a - b), one batched ReLU per tree level.
//
// Headroom: every input must satisfy |x| < 2^(l-2) so that a - b does not wrap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/geometry.hpp"
#include "nonlinear/gmw.hpp"

namespace twain::nonlinear {

// A MaxPool's window geometry is core::Pool2dGeometry (ONNX/PyTorch semantics, one ceil-mode
// rule for every layer) over a C x H x W tensor, channel-major, row-major: padded positions never
// win (they are left out of their windows).

// How a k_h x k_w window is reduced. kDirect: one tree over the whole window. kSeparable: rows
// first (a tree over the k_w columns of every input row), then columns (a tree over the k_h
// row maxima): fewer comparisons when windows overlap (3x3 stride 1: 4 per output instead of
// 8; 3x3 stride 2: about 6 instead of 8). choose_pool_method takes the one with fewer
// pairwise maxima (kDirect on a tie).
enum class PoolMethod : uint8_t { kDirect, kSeparable };
PoolMethod choose_pool_method(const core::Pool2dGeometry& shape);
// Pairwise maxima each method needs.
std::size_t pool_comparisons(const core::Pool2dGeometry& shape, PoolMethod method);

// Shares of the C x H' x W' maxima.
std::vector<uint64_t> maxpool(Context& ctx, std::span<const uint64_t> x, const core::Pool2dGeometry& shape);
std::vector<uint64_t> maxpool(Context& ctx, std::span<const uint64_t> x, const core::Pool2dGeometry& shape, PoolMethod method);
Needs maxpool_needs(const Options& options, const core::Pool2dGeometry& shape);
Needs maxpool_needs(const Options& options, const core::Pool2dGeometry& shape, PoolMethod method);

// Shares of the largest value of x and of its index (the lowest index among equal maxima).
struct ArgMaxShares {
  uint64_t value = 0;
  uint64_t index = 0;
};
ArgMaxShares argmax(Context& ctx, std::span<const uint64_t> x);
Needs argmax_needs(const Options& options, std::size_t n);

// The k largest entries, revealed to the client only, largest first (ties: lower index first);
// the server gets an empty vector. Each round runs argmax, the server sends its two shares to
// the client, and the client, who now knows index i and value v, adds -2^(l-2) - v to its own
// share of x_i so that entry i drops to the minimum: the server learns nothing.
struct TopEntry {
  std::size_t index = 0;
  int64_t value = 0;  // signed, as the ring element stands for
};
std::vector<TopEntry> top_k(Context& ctx, std::span<const uint64_t> x, std::size_t k);
Needs top_k_needs(const Options& options, std::size_t n, std::size_t k);

}  // namespace twain::nonlinear
