#include "he/scaled_division.hpp"

#include <cmath>

#include "core/errors.hpp"

namespace twain::he {

ScaledDivider::ScaledDivider(math::u128 q, int k) : q_(q), k_(k) {
  TWAIN_REQUIRE(k >= 1 && k <= 62, InvalidArgument, "scaled division: k must be in [1, 62]");
  TWAIN_REQUIRE(q > 1 && (q >> 120) == 0, InvalidArgument, "scaled division: Q must be below 2^120");
  scale_ = std::ldexp(1.0L, k) / static_cast<long double>(q);
}

ScaledQuotient ScaledDivider::divide(math::u128 c) const {
  // A 64-bit-mantissa estimate is within 2 of the quotient; the remainder, exact modulo 2^128
  // because its true value is tiny, corrects it.
  const long double estimate = static_cast<long double>(c) * scale_;
  uint64_t quotient = estimate <= 0 ? 0 : static_cast<uint64_t>(estimate);
  i128 remainder = static_cast<i128>((c << k_) - static_cast<math::u128>(quotient) * q_);
  const i128 q = static_cast<i128>(q_);
  while (remainder < 0) {
    --quotient;
    remainder += q;
  }
  while (remainder >= q) {
    ++quotient;
    remainder -= q;
  }
  return {quotient, static_cast<math::u128>(remainder)};
}

uint64_t ScaledDivider::round(math::u128 c) const {
  const ScaledQuotient d = divide(c);
  return d.quotient + (2 * d.remainder >= q_ ? 1 : 0);
}

}  // namespace twain::he
