// MaxPool, ArgMax and top-k as trees of pairwise maxima (DESIGN.md section 6):
// max(a, b) = b + ReLU(a - b), one batched ReLU per tree level.
//
// Headroom: every input must satisfy |x| < 2^(l-2) so that a - b does not wrap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "nonlinear/gmw.hpp"

namespace twain::nonlinear {

// A MaxPool over a C x H x W tensor (channel-major, row-major), ONNX/PyTorch semantics: padded
// positions never win (they are left out of their windows), ceil_mode rounds the output size up
// but drops a last window that would start inside the bottom/right padding.
struct PoolShape {
  std::size_t channels = 0;
  std::size_t height = 0;
  std::size_t width = 0;
  int kernel_h = 1;
  int kernel_w = 1;
  int stride_h = 1;
  int stride_w = 1;
  int pad_top = 0;
  int pad_left = 0;
  int pad_bottom = 0;
  int pad_right = 0;
  bool ceil_mode = false;

  // Throws InvalidArgument on empty sizes, non-positive kernels/strides, negative padding or
  // padding not smaller than the kernel.
  void validate() const;
  std::size_t out_height() const;
  std::size_t out_width() const;
  std::size_t inputs() const { return channels * height * width; }
  std::size_t outputs() const { return channels * out_height() * out_width(); }
};

// How a k_h x k_w window is reduced. kDirect: one tree over the whole window. kSeparable: rows
// first (a tree over the k_w columns of every input row), then columns (a tree over the k_h
// row maxima): fewer comparisons when windows overlap (3x3 stride 1: 4 per output instead of
// 8; 3x3 stride 2: about 6 instead of 8). choose_pool_method takes the one with fewer
// pairwise maxima (kDirect on a tie).
enum class PoolMethod : uint8_t { kDirect, kSeparable };
PoolMethod choose_pool_method(const PoolShape& shape);
// Pairwise maxima each method needs.
std::size_t pool_comparisons(const PoolShape& shape, PoolMethod method);

// Shares of the C x H' x W' maxima.
std::vector<uint64_t> maxpool(Context& ctx, std::span<const uint64_t> x, const PoolShape& shape);
std::vector<uint64_t> maxpool(Context& ctx, std::span<const uint64_t> x, const PoolShape& shape, PoolMethod method);
Needs maxpool_needs(const Options& options, const PoolShape& shape);
Needs maxpool_needs(const Options& options, const PoolShape& shape, PoolMethod method);

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
