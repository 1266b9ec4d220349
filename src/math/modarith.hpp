// Modular arithmetic for NTT-friendly primes up to 61 bits (Barrett reduction, Shoup multiplication).
#pragma once

#include <cstdint>

#include "core/int128.hpp"

namespace twain::math {

using u128 = twain::u128;

class Modulus {
 public:
  // 2 <= value < 2^61; throws InvalidArgument otherwise.
  explicit Modulus(uint64_t value);

  uint64_t value() const { return value_; }
  int bits() const { return bits_; }

  uint64_t reduce(uint64_t x) const;  // x mod p
  uint64_t reduce(u128 x) const;      // x mod p, Barrett
  uint64_t add(uint64_t a, uint64_t b) const;  // a, b < p
  uint64_t sub(uint64_t a, uint64_t b) const;  // a, b < p
  uint64_t neg(uint64_t a) const;              // a < p
  uint64_t mul(uint64_t a, uint64_t b) const;  // a, b < p
  uint64_t pow(uint64_t base, uint64_t exponent) const;
  uint64_t inv(uint64_t a) const;  // throws InvalidArgument when a is not invertible

 private:
  uint64_t value_;
  int bits_;
  u128 barrett_;  // floor(2^128 / p), stored as 128 bits
};

// Shoup's precomputed companion of a constant w < p: floor(w * 2^64 / p).
uint64_t shoup_precompute(uint64_t w, uint64_t p);
// x * w mod p in [0, 2p) for any x < 2^64, given w' = shoup_precompute(w, p).
inline uint64_t mul_shoup_lazy(uint64_t x, uint64_t w, uint64_t w_shoup, uint64_t p) {
  const uint64_t q = static_cast<uint64_t>((static_cast<u128>(x) * w_shoup) >> 64);
  return x * w - q * p;
}
inline uint64_t mul_shoup(uint64_t x, uint64_t w, uint64_t w_shoup, uint64_t p) {
  const uint64_t r = mul_shoup_lazy(x, w, w_shoup, p);
  return r >= p ? r - p : r;
}

}  // namespace twain::math
