// round(2^k c / Q) mod 2^k computed from the residues of c, without a 128-bit CRT per coefficient.
//
// With y_i = c_i (Q/q_i)^-1 mod q_i, c = sum_i y_i Q/q_i - v Q for an integer v, so
// 2^k c / Q = sum_i y_i 2^k / q_i - v 2^k, which is sum_i y_i 2^k / q_i modulo 2^k (the
// fast-base-conversion identity of Bajard, Eynard, Hasan, Zucca, SAC 2016). The fractions
// 2^k / q_i are kept to 64 fractional bits, so the sum is within 2^-34 of the true value: the
// result is round(2^k c / Q) except when its fraction is within 2^-34 of 1/2, a rounding error of
// at most 1/2 + 2^-34 that the switching noise bound includes.
#pragma once

#include <cstdint>
#include <vector>

#include "math/rns.hpp"

namespace twain::he {

// Largest rounding error of RnsModulusSwitcher, in units of the target modulus.
inline constexpr double kSwitchRoundingError = 0.5 + 1.0 / (1ULL << 34);

class RnsModulusSwitcher {
 public:
  // bits in [1, 62].
  RnsModulusSwitcher(const math::RnsBase& base, int bits);

  // The switched value of the coefficient whose limb-i residue is residues[i * stride].
  uint64_t switch_coefficient(const uint32_t* residues, std::size_t stride) const {
    math::u128 sum = 0;  // wraps modulo 2^128, which keeps it exact modulo 2^(bits + 64)
    for (std::size_t i = 0; i < primes_.size(); ++i) {
      const uint64_t y = math::mul_shoup(residues[i * stride], hat_inverse_[i], hat_inverse_shoup_[i], primes_[i]);
      sum += static_cast<math::u128>(y) * scaled_[i];
    }
    return static_cast<uint64_t>((sum + (math::u128{1} << 63)) >> 64) & mask_;
  }

 private:
  std::vector<uint64_t> primes_;
  std::vector<uint64_t> hat_inverse_;        // (Q / q_i)^-1 mod q_i
  std::vector<uint64_t> hat_inverse_shoup_;
  std::vector<math::u128> scaled_;           // floor(2^(bits + 64) / q_i)
  uint64_t mask_;
};

}  // namespace twain::he
