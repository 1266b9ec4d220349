// Deterministic Miller-Rabin and generation of NTT-friendly primes p = 1 mod 2n.
#include "math/primes.hpp"

#include <algorithm>
#include <string>

#include "core/errors.hpp"
#include "math/modarith.hpp"

namespace twain::math {

namespace {

uint64_t mul_mod(uint64_t a, uint64_t b, uint64_t n) {
  return static_cast<uint64_t>(static_cast<u128>(a) * b % n);
}

uint64_t pow_mod(uint64_t base, uint64_t exponent, uint64_t n) {
  uint64_t result = 1 % n;
  base %= n;
  while (exponent != 0) {
    if (exponent & 1) result = mul_mod(result, base, n);
    base = mul_mod(base, base, n);
    exponent >>= 1;
  }
  return result;
}

bool is_power_of_two(std::size_t x) { return x != 0 && (x & (x - 1)) == 0; }

}  // namespace

bool is_prime(uint64_t n) {
  if (n < 2) return false;
  static constexpr uint64_t kBases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  for (uint64_t b : kBases) {
    if (n % b == 0) return n == b;
  }
  // The first 12 primes as bases make Miller-Rabin exact for n < 3.3 * 10^24 > 2^64
  // (Sorenson and Webster 2015).
  uint64_t d = n - 1;
  int s = 0;
  while ((d & 1) == 0) {
    d >>= 1;
    ++s;
  }
  for (uint64_t b : kBases) {
    uint64_t x = pow_mod(b, d, n);
    if (x == 1 || x == n - 1) continue;
    bool witness = true;
    for (int i = 1; i < s && witness; ++i) {
      x = mul_mod(x, x, n);
      if (x == n - 1) witness = false;
    }
    if (witness) return false;
  }
  return true;
}

std::vector<uint64_t> ntt_primes(int bits, std::size_t count, std::size_t n) {
  TWAIN_REQUIRE(bits >= 10 && bits <= 61, InvalidArgument,
                "ntt_primes: bits must be in [10, 61], got " + std::to_string(bits));
  TWAIN_REQUIRE(is_power_of_two(n), InvalidArgument,
                "ntt_primes: n must be a power of two, got " + std::to_string(n));
  const uint64_t top = uint64_t{1} << bits;
  const uint64_t bottom = uint64_t{1} << (bits - 1);
  const uint64_t step = n < bottom ? 2 * static_cast<uint64_t>(n) : top;  // top: no candidates
  std::vector<uint64_t> primes;
  // 2n divides 2^bits, so top - 2n + 1 is the largest candidate that is 1 mod 2n.
  if (step < top) {
    for (uint64_t p = top - step + 1; p > bottom && primes.size() < count; p -= step) {
      if (is_prime(p)) primes.push_back(p);
    }
  }
  TWAIN_REQUIRE(primes.size() == count, InvalidArgument,
                "ntt_primes: only " + std::to_string(primes.size()) + " primes of " +
                    std::to_string(bits) + " bits are 1 mod 2n for n = " + std::to_string(n) + ", " +
                    std::to_string(count) + " requested");
  return primes;
}

uint64_t minimal_primitive_root(std::size_t two_n, uint64_t p) {
  TWAIN_REQUIRE(two_n >= 2 && is_power_of_two(two_n), InvalidArgument,
                "minimal_primitive_root: order must be a power of two >= 2, got " +
                    std::to_string(two_n));
  TWAIN_REQUIRE(p >= 3 && p < (uint64_t{1} << 61) && is_prime(p), InvalidArgument,
                "minimal_primitive_root: modulus must be an odd prime below 2^61, got " +
                    std::to_string(p));
  TWAIN_REQUIRE((p - 1) % two_n == 0, InvalidArgument,
                "minimal_primitive_root: " + std::to_string(p) + " is not 1 mod " +
                    std::to_string(two_n));
  const Modulus mod(p);
  const uint64_t cofactor = (p - 1) / two_n;
  const uint64_t half = two_n / 2;
  // g = x^((p-1)/2n) has order dividing 2n; it has order exactly 2n iff g^n = -1.
  uint64_t root = 0;
  for (uint64_t x = 2; x < p; ++x) {
    const uint64_t g = mod.pow(x, cofactor);
    if (mod.pow(g, half) == p - 1) {
      root = g;
      break;
    }
  }
  // The primitive 2n-th roots are exactly root^k for odd k; take the smallest.
  const uint64_t root_sq = mod.mul(root, root);
  uint64_t best = root, current = root;
  for (std::size_t k = 1; k < half; ++k) {
    current = mod.mul(current, root_sq);
    best = std::min(best, current);
  }
  return best;
}

}  // namespace twain::math
