// Modulus and Shoup helpers against schoolbook __int128 arithmetic.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/errors.hpp"
#include "core/prg.hpp"
#include "math/modarith.hpp"

namespace twain::math {
namespace {

// Moduli from 2 to 2^61 - 1: powers of two, small odd, NTT primes, random odd values, the extremes.
std::vector<uint64_t> moduli() {
  return {2,
          3,
          17,
          1u << 20,
          12289,
          268369921,                       // 28-bit NTT prime
          (uint64_t{1} << 30) - 35,        // odd, 30 bits
          1099511480321ull,                // 40 bits
          (uint64_t{1} << 50) + 55,        // odd, 51 bits
          1152921504606830593ull,          // 60-bit NTT prime
          (uint64_t{1} << 60),             // power of two
          (uint64_t{1} << 61) - 1,         // Mersenne prime, largest allowed value
          (uint64_t{1} << 61) - 2};
}

u128 random_u128(core::Prg& prg) { return (static_cast<u128>(prg.next_u64()) << 64) | prg.next_u64(); }

TEST(Modulus, RejectsOutOfRange) {
  EXPECT_THROW(Modulus(0), InvalidArgument);
  EXPECT_THROW(Modulus(1), InvalidArgument);
  EXPECT_THROW(Modulus(uint64_t{1} << 61), InvalidArgument);
  EXPECT_THROW(Modulus(~uint64_t{0}), InvalidArgument);
  EXPECT_NO_THROW(Modulus(2));
  EXPECT_NO_THROW(Modulus((uint64_t{1} << 61) - 1));
}

TEST(Modulus, Bits) {
  EXPECT_EQ(Modulus(2).bits(), 2);
  EXPECT_EQ(Modulus(3).bits(), 2);
  EXPECT_EQ(Modulus(268369921).bits(), 28);
  EXPECT_EQ(Modulus((uint64_t{1} << 61) - 1).bits(), 61);
  EXPECT_EQ(Modulus(uint64_t{1} << 60).bits(), 61);
}

TEST(Modulus, ReduceMatchesSchoolbook) {
  core::Prg prg(core::Seed{0x6d, 1});
  for (uint64_t p : moduli()) {
    const Modulus mod(p);
    EXPECT_EQ(mod.value(), p);
    const std::vector<uint64_t> edges64 = {0, 1, p - 1, p, p + 1, 2 * p - 1, 2 * p, ~uint64_t{0},
                                           ~uint64_t{0} - 1};
    for (uint64_t x : edges64) ASSERT_EQ(mod.reduce(x), x % p) << p << " " << x;
    const std::vector<u128> edges128 = {0, ~u128{0}, ~u128{0} - 1, static_cast<u128>(p) * p,
                                        static_cast<u128>(p - 1) * (p - 1), u128{1} << 64,
                                        (u128{1} << 127), static_cast<u128>(p) << 64};
    for (u128 x : edges128) ASSERT_EQ(mod.reduce(x), static_cast<uint64_t>(x % p)) << p;
    for (int i = 0; i < 20000; ++i) {
      const uint64_t x = prg.next_u64();
      ASSERT_EQ(mod.reduce(x), x % p);
      const u128 y = random_u128(prg);
      ASSERT_EQ(mod.reduce(y), static_cast<uint64_t>(y % p));
      const u128 z = y >> (prg.next_u64() % 128);  // all magnitudes
      ASSERT_EQ(mod.reduce(z), static_cast<uint64_t>(z % p));
    }
  }
}

TEST(Modulus, FieldOperationsMatchSchoolbook) {
  core::Prg prg(core::Seed{0x6d, 2});
  for (uint64_t p : moduli()) {
    const Modulus mod(p);
    std::vector<uint64_t> values = {0, 1, p - 1, p / 2, (p / 2 + 1) % p};
    for (int i = 0; i < 200; ++i) values.push_back(prg.uniform(p));
    for (uint64_t a : values) {
      for (std::size_t j = 0; j < values.size(); j += 7) {
        const uint64_t b = values[j];
        ASSERT_EQ(mod.add(a, b), static_cast<uint64_t>((u128{a} + b) % p));
        ASSERT_EQ(mod.sub(a, b), static_cast<uint64_t>((u128{a} + p - b) % p));
        ASSERT_EQ(mod.mul(a, b), static_cast<uint64_t>(u128{a} * b % p));
      }
      ASSERT_EQ(mod.neg(a), (p - a) % p);
    }
  }
}

TEST(Modulus, PowMatchesRepeatedMultiplication) {
  core::Prg prg(core::Seed{0x6d, 3});
  for (uint64_t p : moduli()) {
    const Modulus mod(p);
    const uint64_t base = prg.uniform(p);
    uint64_t expected = 1 % p;
    for (uint64_t e = 0; e < 70; ++e) {
      ASSERT_EQ(mod.pow(base, e), expected) << p << "^" << e;
      expected = static_cast<uint64_t>(u128{expected} * base % p);
    }
    EXPECT_EQ(mod.pow(0, 0), 1u);
    EXPECT_EQ(mod.pow(p + 3, 1), 3 % p);  // base reduced first
  }
  // Fermat: a^(p-1) = 1 for primes.
  for (uint64_t p : {uint64_t{268369921}, uint64_t{1152921504606830593ull}, (uint64_t{1} << 61) - 1}) {
    const Modulus mod(p);
    for (int i = 0; i < 20; ++i) EXPECT_EQ(mod.pow(1 + prg.uniform(p - 1), p - 1), 1u);
  }
}

TEST(Modulus, InverseAndNonInvertible) {
  core::Prg prg(core::Seed{0x6d, 4});
  for (uint64_t p : moduli()) {
    const Modulus mod(p);
    EXPECT_THROW(mod.inv(0), InvalidArgument);
    EXPECT_THROW(mod.inv(p), InvalidArgument);  // p = 0 mod p
    for (int i = 0; i < 300; ++i) {
      const uint64_t a = prg.uniform(p);
      uint64_t g = a, h = p;
      while (h != 0) {
        const uint64_t r = g % h;
        g = h;
        h = r;
      }
      if (g == 1) {
        const uint64_t inv = mod.inv(a);
        ASSERT_LT(inv, p);
        ASSERT_EQ(static_cast<uint64_t>(u128{a} * inv % p), 1 % p) << p << " " << a;
      } else {
        ASSERT_THROW(mod.inv(a), InvalidArgument) << p << " " << a;
      }
    }
  }
  EXPECT_THROW(Modulus(uint64_t{1} << 60).inv(uint64_t{1} << 10), InvalidArgument);
  EXPECT_EQ(Modulus(12289).inv(12288), 12288u);
}

TEST(Shoup, MatchesSchoolbook) {
  core::Prg prg(core::Seed{0x6d, 5});
  for (uint64_t p : moduli()) {
    if (p < 3) continue;
    std::vector<uint64_t> ws = {0, 1, p - 1};
    for (int i = 0; i < 30; ++i) ws.push_back(prg.uniform(p));
    for (uint64_t w : ws) {
      const uint64_t w_shoup = shoup_precompute(w, p);
      ASSERT_EQ(w_shoup, static_cast<uint64_t>((u128{w} << 64) / p));
      std::vector<uint64_t> xs = {0, 1, p - 1, 4 * p - 1, ~uint64_t{0}};
      for (int i = 0; i < 100; ++i) xs.push_back(prg.next_u64());
      for (uint64_t x : xs) {
        const uint64_t expected = static_cast<uint64_t>(u128{x} * w % p);
        const uint64_t lazy = mul_shoup_lazy(x, w, w_shoup, p);
        ASSERT_LT(lazy, 2 * p);
        ASSERT_EQ(lazy % p, expected);
        ASSERT_EQ(mul_shoup(x, w, w_shoup, p), expected);
      }
    }
  }
  EXPECT_THROW(shoup_precompute(17, 17), InvalidArgument);
}

}  // namespace
}  // namespace twain::math
