// Primality (known primes, Carmichael numbers, strong pseudoprimes, trial division) and NTT primes.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/errors.hpp"
#include "core/prg.hpp"
#include "math/modarith.hpp"
#include "math/primes.hpp"

namespace twain::math {
namespace {

bool trial_division(uint64_t n) {
  if (n < 2) return false;
  for (uint64_t d = 2; d * d <= n; ++d) {
    if (n % d == 0) return false;
  }
  return true;
}

int bit_length(uint64_t x) { return 64 - __builtin_clzll(x); }

TEST(IsPrime, KnownPrimes) {
  for (uint64_t p : {2ull, 3ull, 5ull, 7ull, 37ull, 41ull, 12289ull, 65537ull, 1000000007ull,
                     2147483647ull,                      // 2^31 - 1
                     268369921ull, 1152921504606830593ull,
                     2305843009213693951ull,             // 2^61 - 1
                     18446744073709551557ull}) {         // largest prime below 2^64
    EXPECT_TRUE(is_prime(p)) << p;
  }
}

TEST(IsPrime, KnownComposites) {
  // Carmichael numbers fool the Fermat test for every coprime base.
  for (uint64_t n : {561ull, 1105ull, 1729ull, 2465ull, 2821ull, 6601ull, 8911ull, 41041ull,
                     825265ull, 321197185ull}) {
    EXPECT_FALSE(is_prime(n)) << n;
  }
  // Strong pseudoprimes: to base 2; to bases 2, 3, 5, 7; and 3825123056546413051, which passes
  // every prime base up to 31 and is caught only by base 37.
  for (uint64_t n : {2047ull, 3277ull, 4033ull, 4681ull, 8321ull, 3215031751ull,
                     3825123056546413051ull}) {
    EXPECT_FALSE(is_prime(n)) << n;
  }
  // Products of two large primes, squares, edge values.
  for (uint64_t n : {0ull, 1ull, 4ull, 9ull, 25ull, 18446743979220271189ull /* (2^32-5)(2^32-17) */,
                     4611686014132420609ull /* (2^31-1)^2 */, 18446744073709551615ull,
                     18446744073709551614ull, 2305843009213693953ull}) {
    EXPECT_FALSE(is_prime(n)) << n;
  }
}

TEST(IsPrime, MatchesTrialDivision) {
  for (uint64_t n = 0; n < 30000; ++n) ASSERT_EQ(is_prime(n), trial_division(n)) << n;
  core::Prg prg(core::Seed{0x70, 1});
  for (int i = 0; i < 300; ++i) {
    const uint64_t n = (prg.next_u64() >> 24) | 1;  // random odd 40-bit numbers
    ASSERT_EQ(is_prime(n), trial_division(n)) << n;
  }
}

TEST(NttPrimes, KnownValues) {
  // Independently computed (Python, trial division).
  EXPECT_EQ(ntt_primes(28, 4, 4096),
            (std::vector<uint64_t>{268369921, 268361729, 268271617, 268238849}));
  EXPECT_EQ(ntt_primes(20, 3, 1024), (std::vector<uint64_t>{1038337, 1032193, 1017857}));
}

TEST(NttPrimes, PropertiesAndCompleteness) {
  struct Case {
    int bits;
    std::size_t count, n;
  };
  for (const Case& c : {Case{20, 5, 1024}, Case{27, 6, 4096}, Case{30, 4, 32768}, Case{50, 3, 8192},
                        Case{60, 3, 16384}, Case{61, 2, 4096}, Case{10, 1, 8}}) {
    const auto primes = ntt_primes(c.bits, c.count, c.n);
    ASSERT_EQ(primes.size(), c.count);
    // Walk every candidate 1 mod 2n downwards from 2^bits: the skipped ones must be composite.
    uint64_t candidate = (uint64_t{1} << c.bits) - 2 * c.n + 1;
    for (uint64_t p : primes) {
      for (; candidate > p; candidate -= 2 * c.n) EXPECT_FALSE(is_prime(candidate)) << candidate;
      EXPECT_EQ(candidate, p);
      EXPECT_TRUE(is_prime(p)) << p;
      EXPECT_EQ(p % (2 * c.n), 1u) << p;
      EXPECT_EQ(bit_length(p), c.bits) << p;
      candidate -= 2 * c.n;
    }
  }
}

TEST(NttPrimes, RejectsBadArguments) {
  EXPECT_THROW(ntt_primes(9, 1, 8), InvalidArgument);
  EXPECT_THROW(ntt_primes(62, 1, 8), InvalidArgument);
  EXPECT_THROW(ntt_primes(30, 1, 1000), InvalidArgument);    // n not a power of two
  EXPECT_THROW(ntt_primes(30, 1, 0), InvalidArgument);
  EXPECT_THROW(ntt_primes(10, 1, 256), InvalidArgument);     // only 513 = 27 * 19 qualifies
  EXPECT_THROW(ntt_primes(12, 1, 4096), InvalidArgument);    // 2n > 2^bits: no candidate
  EXPECT_THROW(ntt_primes(20, 1000, 4096), InvalidArgument);  // too few 20-bit primes
  EXPECT_TRUE(ntt_primes(30, 0, 1024).empty());
}

TEST(MinimalPrimitiveRoot, KnownValues) {
  // Independently computed by brute force (smallest g with g^n = -1).
  EXPECT_EQ(minimal_primitive_root(2048, 12289), 7u);
  EXPECT_EQ(minimal_primitive_root(512, 7681), 62u);
  EXPECT_EQ(minimal_primitive_root(16, 17), 3u);
  EXPECT_EQ(minimal_primitive_root(8, 17), 2u);
  EXPECT_EQ(minimal_primitive_root(2, 11), 10u);
}

TEST(MinimalPrimitiveRoot, IsPrimitiveAndMinimal) {
  for (std::size_t two_n : {16u, 256u, 8192u}) {
    for (uint64_t p : ntt_primes(20, 2, two_n / 2)) {
      const Modulus mod(p);
      const uint64_t g = minimal_primitive_root(two_n, p);
      EXPECT_EQ(mod.pow(g, two_n / 2), p - 1);
      for (uint64_t x = 2; x < g; ++x) ASSERT_NE(mod.pow(x, two_n / 2), p - 1) << x;
    }
  }
  const uint64_t big = ntt_primes(60, 1, 32768)[0];
  const Modulus mod(big);
  const uint64_t g = minimal_primitive_root(65536, big);
  EXPECT_EQ(mod.pow(g, 32768), big - 1);
  EXPECT_EQ(minimal_primitive_root(65536, big), g);  // deterministic
}

TEST(MinimalPrimitiveRoot, RejectsBadArguments) {
  EXPECT_THROW(minimal_primitive_root(12, 13), InvalidArgument);   // order not a power of two
  EXPECT_THROW(minimal_primitive_root(1, 13), InvalidArgument);
  EXPECT_THROW(minimal_primitive_root(16, 13), InvalidArgument);   // 13 != 1 mod 16
  EXPECT_THROW(minimal_primitive_root(16, 33), InvalidArgument);   // 33 = 1 mod 16, composite
  EXPECT_THROW(minimal_primitive_root(4, (uint64_t{1} << 62) + 1), InvalidArgument);
}

}  // namespace
}  // namespace twain::math
