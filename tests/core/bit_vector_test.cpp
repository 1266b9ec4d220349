#include <gtest/gtest.h>

#include <vector>

#include "core/bit_vector.hpp"
#include "core/errors.hpp"
#include "core/prg.hpp"

namespace twain::core {
namespace {

std::vector<bool> to_bools(const BitVector& v) {
  std::vector<bool> b(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) b[i] = v.get(i);
  return b;
}

TEST(BitVector, OperationsMatchVectorOfBool) {
  Prg prg(Seed{3});
  for (std::size_t bits : {1, 63, 64, 65, 1000}) {
    const BitVector a = BitVector::random(bits, prg), b = BitVector::random(bits, prg);
    const auto x = to_bools(a), y = to_bools(b);
    const auto axb = to_bools(a ^ b), aab = to_bools(a & b);
    std::size_t ones = 0;
    for (std::size_t i = 0; i < bits; ++i) {
      EXPECT_EQ(axb[i], x[i] != y[i]);
      EXPECT_EQ(aab[i], x[i] && y[i]);
      ones += x[i];
    }
    EXPECT_EQ(a.popcount(), ones);
  }
}

TEST(BitVector, SetGetAndTailStaysClear) {
  BitVector v(70);
  v.set(0, true);
  v.set(69, true);
  v.set(69, false);
  v.set(65, true);
  EXPECT_TRUE(v.get(0));
  EXPECT_FALSE(v.get(69));
  EXPECT_TRUE(v.get(65));
  EXPECT_EQ(v.popcount(), 2U);
  v.resize(66);
  EXPECT_EQ(v.words()[1], uint64_t{2});
  v.resize(65);
  EXPECT_EQ(v.words()[1], uint64_t{0});
}

TEST(BitVector, MismatchedSizesThrow) {
  BitVector a(10), b(11);
  EXPECT_THROW(a ^= b, InvalidArgument);
}

}  // namespace
}  // namespace twain::core
