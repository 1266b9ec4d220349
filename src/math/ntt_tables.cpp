// Root tables for the negacyclic NTT: powers of psi (a minimal primitive 2n-th root of unity) in
// bit-reversed order with Shoup companions, in 64-bit form and, for p < 2^30, 32-bit form.
#include <string>

#include "core/errors.hpp"
#include "math/ntt.hpp"
#include "math/primes.hpp"

namespace twain::math {

namespace {

bool is_power_of_two(std::size_t x) { return x != 0 && (x & (x - 1)) == 0; }

uint32_t bit_reverse(uint32_t x, int bits) {
  uint32_t r = 0;
  for (int i = 0; i < bits; ++i) r |= ((x >> i) & 1u) << (bits - 1 - i);
  return r;
}

// Validates (n, p) before any table is built, so that errors name the NTT and not Modulus.
uint64_t checked_modulus(std::size_t n, uint64_t p) {
  TWAIN_REQUIRE(is_power_of_two(n) && n >= NttTables::kMinN && n <= NttTables::kMaxN,
                InvalidArgument,
                "NttTables: n must be a power of two in [" + std::to_string(NttTables::kMinN) +
                    ", " + std::to_string(NttTables::kMaxN) + "], got " + std::to_string(n));
  TWAIN_REQUIRE(p < (uint64_t{1} << 61), InvalidArgument,
                "NttTables: p must be below 2^61, got " + std::to_string(p));
  TWAIN_REQUIRE(p % (2 * n) == 1, InvalidArgument,
                "NttTables: p = " + std::to_string(p) + " is not 1 mod 2n = " +
                    std::to_string(2 * n));
  TWAIN_REQUIRE(is_prime(p), InvalidArgument,
                "NttTables: p = " + std::to_string(p) + " is not prime");
  return p;
}

uint32_t shoup32(uint64_t w, uint64_t p) { return static_cast<uint32_t>((w << 32) / p); }

// Permutes the root ranges [n/4, n/2) and [n/2, n) of a bit-reversed table for 8-lane kernels that
// work on 64-coefficient blocks transposed as an 8x8 matrix (lane r holds coefficients 8r + j):
//  distance 2: out[n/4 + 16b + 8h + r] = in[n/4 + 16b + 2r + h]   (h = 0, 1)
//  distance 1: out[n/2 + 32b + 8s + r] = in[n/2 + 32b + 4r + s]   (s = 0..3)
core::AlignedVector<uint32_t> simd_layout(const core::AlignedVector<uint32_t>& in) {
  const std::size_t n = in.size();
  core::AlignedVector<uint32_t> out(in);
  for (std::size_t b = 0; b < n / 64; ++b) {
    for (std::size_t r = 0; r < 8; ++r) {
      for (std::size_t h = 0; h < 2; ++h) out[n / 4 + 16 * b + 8 * h + r] = in[n / 4 + 16 * b + 2 * r + h];
      for (std::size_t s = 0; s < 4; ++s) out[n / 2 + 32 * b + 8 * s + r] = in[n / 2 + 32 * b + 4 * r + s];
    }
  }
  return out;
}

}  // namespace

NttTables::NttTables(std::size_t n, uint64_t p)
    : n_(n), log_n_(0), modulus_(checked_modulus(n, p)) {
  while ((std::size_t{1} << log_n_) < n) ++log_n_;
  const uint64_t psi = minimal_primitive_root(2 * n, p);
  const uint64_t psi_inv = modulus_.inv(psi);

  roots_.resize(n);
  inv_roots_.resize(n);
  roots_shoup_.resize(n);
  inv_roots_shoup_.resize(n);
  // roots[k] = psi^brv(k): stage m of the forward transform uses roots[m .. 2m).
  uint64_t power = 1, inv_power = 1;
  for (std::size_t i = 0; i < n; ++i) {
    const uint32_t k = bit_reverse(static_cast<uint32_t>(i), log_n_);
    roots_[k] = power;
    inv_roots_[k] = inv_power;
    power = modulus_.mul(power, psi);
    inv_power = modulus_.mul(inv_power, psi_inv);
  }
  for (std::size_t k = 0; k < n; ++k) {
    roots_shoup_[k] = shoup_precompute(roots_[k], p);
    inv_roots_shoup_[k] = shoup_precompute(inv_roots_[k], p);
  }
  inv_n_ = modulus_.inv(n);
  inv_n_shoup_ = shoup_precompute(inv_n_, p);
  kernel_.inv_n_root = modulus_.mul(inv_n_, inv_roots_[1]);
  kernel_.inv_n_root_shoup = shoup_precompute(kernel_.inv_n_root, p);

  if (p < (uint64_t{1} << 30)) {
    roots32_.resize(n);
    roots32_shoup_.resize(n);
    inv_roots32_.resize(n);
    inv_roots32_shoup_.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
      roots32_[k] = static_cast<uint32_t>(roots_[k]);
      roots32_shoup_[k] = shoup32(roots_[k], p);
      inv_roots32_[k] = static_cast<uint32_t>(inv_roots_[k]);
      inv_roots32_shoup_[k] = shoup32(inv_roots_[k], p);
    }
    kernel_.inv_n32 = static_cast<uint32_t>(inv_n_);
    kernel_.inv_n32_shoup = shoup32(inv_n_, p);
    kernel_.inv_n_root32 = static_cast<uint32_t>(kernel_.inv_n_root);
    kernel_.inv_n_root32_shoup = shoup32(kernel_.inv_n_root, p);
    if (n >= 64) {
      kernel_.simd_roots = simd_layout(roots32_);
      kernel_.simd_roots_shoup = simd_layout(roots32_shoup_);
      kernel_.simd_inv_roots = simd_layout(inv_roots32_);
      kernel_.simd_inv_roots_shoup = simd_layout(inv_roots32_shoup_);
    }
  }
}

}  // namespace twain::math
