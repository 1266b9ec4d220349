// floor(c * 2^k / Q) with its remainder, exactly, for c < Q < 2^120 and k <= 62: the arithmetic
// behind modulus switching to 2^k and behind decryption.
#pragma once

#include <cstdint>

#include "math/modarith.hpp"

namespace twain::he {

struct ScaledQuotient {
  uint64_t quotient;      // floor(c * 2^k / Q)
  math::u128 remainder;   // c * 2^k - quotient * Q, in [0, Q)
};

class ScaledDivider {
 public:
  ScaledDivider(math::u128 q, int k);
  ScaledQuotient divide(math::u128 c) const;
  // round(c * 2^k / Q), not reduced mod 2^k.
  uint64_t round(math::u128 c) const;

 private:
  math::u128 q_;
  int k_;
  long double scale_;  // 2^k / Q
};

}  // namespace twain::he
