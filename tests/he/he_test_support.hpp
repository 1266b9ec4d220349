// Shared helpers of the he/ tests: random messages and an independent plaintext oracle.
#pragma once

#include <cstdint>
#include <vector>

#include "core/prg.hpp"
#include "math/modarith.hpp"
#include "math/ntt.hpp"
#include "math/primes.hpp"

namespace twain::he::testing {

inline std::vector<uint64_t> random_message(std::size_t n, int bits, core::Prg& prg) {
  std::vector<uint64_t> m(n);
  for (auto& v : m) v = prg.next_u64() & ((uint64_t{1} << bits) - 1);
  return m;
}

// Coefficient i of the negacyclic product a * b, mod 2^64 (schoolbook; the last-resort oracle).
inline uint64_t schoolbook_coefficient(const std::vector<uint64_t>& a, const std::vector<int64_t>& b, std::size_t i) {
  const std::size_t n = a.size();
  uint64_t sum = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const uint64_t w = static_cast<uint64_t>(b[(i + n - j) % n]);
    sum += j <= i ? a[j] * w : 0 - a[j] * w;
  }
  return sum;
}

// Exact sums of negacyclic products of unsigned messages (< 2^48) with signed weights (< 2^20),
// computed over two 50-bit primes with the 64-bit NTT (a different code path from the HE limbs)
// and Garner's CRT; correct while |sum| < 2^99.
class ProductSumOracle {
 public:
  explicit ProductSumOracle(std::size_t n)
      : n_(n), primes_(math::ntt_primes(50, 2, n)), t0_(n, primes_[0]), t1_(n, primes_[1]) {}

  struct Transformed {
    std::vector<uint64_t> r0, r1;
  };

  Transformed transform(const std::vector<uint64_t>& message) const {
    Transformed t{message, message};
    for (auto& v : t.r0) v %= primes_[0];
    for (auto& v : t.r1) v %= primes_[1];
    math::ntt_forward(t.r0.data(), t0_);
    math::ntt_forward(t.r1.data(), t1_);
    return t;
  }
  Transformed transform(const std::vector<int64_t>& weights) const {
    Transformed t{std::vector<uint64_t>(n_), std::vector<uint64_t>(n_)};
    for (std::size_t j = 0; j < n_; ++j) {
      const int64_t w = weights[j];
      t.r0[j] = w < 0 ? primes_[0] - static_cast<uint64_t>(-w) : static_cast<uint64_t>(w);
      t.r1[j] = w < 0 ? primes_[1] - static_cast<uint64_t>(-w) : static_cast<uint64_t>(w);
    }
    math::ntt_forward(t.r0.data(), t0_);
    math::ntt_forward(t.r1.data(), t1_);
    return t;
  }

  // sum_k a_k * b_k mod 2^64, over pairs of transformed operands.
  std::vector<uint64_t> product_sum(const std::vector<const Transformed*>& a,
                                    const std::vector<const Transformed*>& b) const {
    std::vector<math::u128> acc0(n_, 0), acc1(n_, 0);
    for (std::size_t k = 0; k < a.size(); ++k) {
      for (std::size_t j = 0; j < n_; ++j) {
        acc0[j] += static_cast<math::u128>(a[k]->r0[j]) * b[k]->r0[j];
        acc1[j] += static_cast<math::u128>(a[k]->r1[j]) * b[k]->r1[j];
      }
    }
    std::vector<uint64_t> r0(n_), r1(n_);
    for (std::size_t j = 0; j < n_; ++j) {
      r0[j] = t0_.modulus().reduce(acc0[j]);
      r1[j] = t1_.modulus().reduce(acc1[j]);
    }
    math::ntt_inverse(r0.data(), t0_);
    math::ntt_inverse(r1.data(), t1_);
    const math::Modulus& q1 = t1_.modulus();
    const uint64_t p0_inv = q1.inv(q1.reduce(primes_[0]));
    const math::u128 p = static_cast<math::u128>(primes_[0]) * primes_[1];
    std::vector<uint64_t> out(n_);
    for (std::size_t j = 0; j < n_; ++j) {
      const uint64_t digit = q1.mul(q1.sub(r1[j], q1.reduce(r0[j])), p0_inv);
      const math::u128 x = r0[j] + static_cast<math::u128>(primes_[0]) * digit;
      out[j] = x > p / 2 ? static_cast<uint64_t>(x) - static_cast<uint64_t>(p) : static_cast<uint64_t>(x);
    }
    return out;
  }

 private:
  std::size_t n_;
  std::vector<uint64_t> primes_;
  math::NttTables t0_, t1_;
};

}  // namespace twain::he::testing
