// Portable element-wise kernels on 32-bit residues (the reference for pointwise_avx2.cpp).
#include "math/pointwise_kernels.hpp"

namespace twain::math::detail {

namespace {

inline uint32_t shoup_lazy(uint32_t x, uint32_t w, uint32_t ws, uint32_t p) {
  const uint32_t q = static_cast<uint32_t>((static_cast<uint64_t>(x) * ws) >> 32);
  return x * w - q * p;  // in [0, 2p), exact modulo 2^32
}

}  // namespace

void pointwise_mul_scalar(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                          const Barrett32& k) {
  // Local copies: out may alias the constants' type, which would force reloads every element.
  const uint32_t p = k.p, mu = k.mu;
  const int shift_in = k.shift_in, shift_out = k.shift_out;
  for (std::size_t i = 0; i < n; ++i) {
    const uint64_t x = static_cast<uint64_t>(a[i]) * b[i];
    const uint64_t q = ((x >> shift_in) * mu) >> shift_out;
    uint32_t r = static_cast<uint32_t>(x) - static_cast<uint32_t>(q) * p;  // < 3p
    r = r >= p ? r - p : r;
    out[i] = r >= p ? r - p : r;
  }
}

void pointwise_mul_acc_scalar(uint64_t* acc, const uint32_t* a, const uint32_t* b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) acc[i] += static_cast<uint64_t>(a[i]) * b[i];
}

void scalar_mul_acc_scalar(uint64_t* acc, const uint32_t* a, uint32_t c, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) acc[i] += static_cast<uint64_t>(a[i]) * c;
}

void reduce_accumulator_scalar(uint32_t* out, const uint64_t* acc, std::size_t n,
                               const Split64& k) {
  const uint32_t p = k.p, two_p = 2 * k.p, c = k.c, c_shoup = k.c_shoup, one_shoup = k.one_shoup;
  for (std::size_t i = 0; i < n; ++i) {
    const auto hi = static_cast<uint32_t>(acc[i] >> 32), lo = static_cast<uint32_t>(acc[i]);
    uint32_t r = shoup_lazy(hi, c, c_shoup, p) + shoup_lazy(lo, 1, one_shoup, p);  // < 4p
    r = r >= two_p ? r - two_p : r;
    out[i] = r >= p ? r - p : r;
  }
}

void pointwise_add_scalar(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                          uint32_t p) {
  for (std::size_t i = 0; i < n; ++i) {
    const uint32_t s = a[i] + b[i];
    out[i] = s >= p ? s - p : s;
  }
}

void pointwise_sub_scalar(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                          uint32_t p) {
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = a[i] >= b[i] ? a[i] - b[i] : a[i] + p - b[i];
  }
}

}  // namespace twain::math::detail
