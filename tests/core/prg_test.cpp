#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

#include "core/errors.hpp"
#include "core/prg.hpp"

namespace twain::core {
namespace {

std::vector<uint8_t> draw(Prg& prg, std::size_t bytes) {
  std::vector<uint8_t> v(bytes);
  prg.fill(v.data(), v.size());
  return v;
}

TEST(Prg, SameSeedSameStream) {
  Prg a(Seed{1, 2, 3}), b(Seed{1, 2, 3});
  EXPECT_EQ(draw(a, 5000), draw(b, 5000));
}

TEST(Prg, DifferentSeedsDiffer) {
  Prg a(Seed{1}), b(Seed{2});
  EXPECT_NE(draw(a, 64), draw(b, 64));
}

TEST(Prg, StreamDoesNotDependOnRequestSizes) {
  Prg whole(Seed{9});
  const auto expected = draw(whole, 10000);
  Prg pieces(Seed{9});
  std::vector<uint8_t> got;
  for (std::size_t size : {1, 15, 16, 17, 1024, 3, 4096, 100}) {
    auto part = draw(pieces, size);
    got.insert(got.end(), part.begin(), part.end());
  }
  got.resize(std::min(got.size(), expected.size()));
  EXPECT_TRUE(std::equal(got.begin(), got.end(), expected.begin()));
}

TEST(Prg, KnownAnswerForZeroSeed) {
  // Zero key, zero counter: the first block is AES_0(0) = 66e94bd4ef8a2c3b884cfa59ca342b2e.
  Prg prg(Seed{});
  const auto bytes = draw(prg, 16);
  const std::vector<uint8_t> expected = {0x66, 0xe9, 0x4b, 0xd4, 0xef, 0x8a, 0x2c, 0x3b,
                                         0x88, 0x4c, 0xfa, 0x59, 0xca, 0x34, 0x2b, 0x2e};
  EXPECT_EQ(bytes, expected);
}

TEST(Prg, UniformStaysInRangeAndIsBalanced) {
  Prg prg(Seed{5});
  constexpr uint64_t kBound = 7;
  constexpr int kDraws = 70000;
  std::vector<int> counts(kBound, 0);
  for (int i = 0; i < kDraws; ++i) {
    const uint64_t v = prg.uniform(kBound);
    ASSERT_LT(v, kBound);
    ++counts[v];
  }
  double chi2 = 0;
  const double expected = double(kDraws) / kBound;
  for (int c : counts) chi2 += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi2, 22.5);  // 6 degrees of freedom, p = 0.001
  EXPECT_THROW(prg.uniform(0), InvalidArgument);
}

TEST(Prg, BitsAreBalanced) {
  Prg prg(Seed{11});
  const auto bytes = draw(prg, 1 << 16);
  std::size_t ones = 0;
  for (uint8_t b : bytes) ones += static_cast<std::size_t>(__builtin_popcount(b));
  const double n = bytes.size() * 8.0;
  EXPECT_LT(std::abs(ones - n / 2), 5 * std::sqrt(n) / 2);
}

TEST(Prg, OsSeedsAreFresh) {
  std::set<Seed> seen;
  for (int i = 0; i < 16; ++i) seen.insert(os_seed());
  EXPECT_EQ(seen.size(), 16U);
}

}  // namespace
}  // namespace twain::core
