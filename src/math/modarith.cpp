// Modulus: Barrett reduction with a 128-bit constant floor(2^128 / p), and Shoup companions.
#include "math/modarith.hpp"

#include <string>

#include "core/errors.hpp"

namespace twain::math {

Modulus::Modulus(uint64_t value) : value_(value), bits_(0), barrett_(0) {
  TWAIN_REQUIRE(value >= 2 && value < (uint64_t{1} << 61), InvalidArgument,
                "Modulus: value must be in [2, 2^61), got " + std::to_string(value));
  bits_ = 64 - __builtin_clzll(value);
  // floor(2^128 / p) = floor((2^128 - 1) / p), plus one when p divides 2^128 (p a power of two).
  const u128 all_ones = ~u128{0};
  barrett_ = all_ones / value;
  if (all_ones % value == value - 1) ++barrett_;
}

uint64_t Modulus::reduce(uint64_t x) const {
  // q = floor(x * floor(2^64 / p) / 2^64) is floor(x / p) or one less, so one correction suffices.
  const uint64_t m1 = static_cast<uint64_t>(barrett_ >> 64);
  const uint64_t q = static_cast<uint64_t>((static_cast<u128>(x) * m1) >> 64);
  uint64_t r = x - q * value_;
  return r >= value_ ? r - value_ : r;
}

uint64_t Modulus::reduce(u128 x) const {
  // q = floor(x * m / 2^128) with m = floor(2^128 / p), computed exactly from four 64x64 products;
  // q >= floor(x / p) - 1, so r = x - q * p < 2p.
  const uint64_t x0 = static_cast<uint64_t>(x), x1 = static_cast<uint64_t>(x >> 64);
  const uint64_t m0 = static_cast<uint64_t>(barrett_), m1 = static_cast<uint64_t>(barrett_ >> 64);
  const u128 lo = static_cast<u128>(x0) * m0;
  const u128 mid_a = static_cast<u128>(x0) * m1;
  const u128 mid_b = static_cast<u128>(x1) * m0;
  const u128 hi = static_cast<u128>(x1) * m1;
  const u128 carry = (lo >> 64) + static_cast<uint64_t>(mid_a) + static_cast<uint64_t>(mid_b);
  const u128 q = hi + (mid_a >> 64) + (mid_b >> 64) + (carry >> 64);
  const uint64_t r = static_cast<uint64_t>(x - q * value_);
  return r >= value_ ? r - value_ : r;
}

uint64_t Modulus::add(uint64_t a, uint64_t b) const {
  const uint64_t s = a + b;
  return s >= value_ ? s - value_ : s;
}

uint64_t Modulus::sub(uint64_t a, uint64_t b) const { return a >= b ? a - b : a + value_ - b; }

uint64_t Modulus::neg(uint64_t a) const { return a == 0 ? 0 : value_ - a; }

uint64_t Modulus::mul(uint64_t a, uint64_t b) const { return reduce(static_cast<u128>(a) * b); }

uint64_t Modulus::pow(uint64_t base, uint64_t exponent) const {
  uint64_t result = 1;
  base = reduce(base);
  while (exponent != 0) {
    if (exponent & 1) result = mul(result, base);
    base = mul(base, base);
    exponent >>= 1;
  }
  return result;
}

uint64_t Modulus::inv(uint64_t a) const {
  // Extended Euclid on (a mod p, p), tracking only the coefficient of a (signed, |coef| <= p).
  int64_t old_s = 1, s = 0;
  uint64_t old_r = reduce(a), r = value_;
  while (r != 0) {
    const uint64_t q = old_r / r;
    const uint64_t next_r = old_r - q * r;
    old_r = r;
    r = next_r;
    const int64_t next_s = old_s - static_cast<int64_t>(q) * s;
    old_s = s;
    s = next_s;
  }
  TWAIN_REQUIRE(old_r == 1, InvalidArgument,
                "Modulus::inv: " + std::to_string(a) + " is not invertible modulo " +
                    std::to_string(value_));
  return old_s < 0 ? static_cast<uint64_t>(old_s + static_cast<int64_t>(value_))
                   : static_cast<uint64_t>(old_s);
}

uint64_t shoup_precompute(uint64_t w, uint64_t p) {
  TWAIN_REQUIRE(p != 0 && w < p, InvalidArgument, "shoup_precompute: need w < p");
  return static_cast<uint64_t>((static_cast<u128>(w) << 64) / p);
}

}  // namespace twain::math
