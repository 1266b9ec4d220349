// 128 x 128 bit transposition against the definition.
#include <gtest/gtest.h>

#include <array>

#include "core/prg.hpp"
#include "ot/bit_transpose.hpp"
#include "ot_test_support.hpp"

namespace twain::ot {
namespace {

using testing::block_bit;

TEST(BitTranspose, MatchesTheDefinition) {
  core::Prg prg(testing::seed_of(1));
  for (int trial = 0; trial < 20; ++trial) {
    std::array<core::Block, 128> m;
    prg.fill(m.data(), sizeof(m));
    std::array<core::Block, 128> t = m;
    transpose_128x128(t);
    for (std::size_t i = 0; i < 128; ++i) {
      for (std::size_t j = 0; j < 128; ++j) {
        ASSERT_EQ(block_bit(t[i], j), block_bit(m[j], i)) << "row " << i << " column " << j;
      }
    }
    transpose_128x128(t);
    EXPECT_EQ(t, m);
  }
}

TEST(BitTranspose, SingleBitsLandInPlace) {
  for (std::size_t i = 0; i < 128; i += 7) {
    for (std::size_t j = 0; j < 128; j += 5) {
      std::array<core::Block, 128> m{};
      (j < 64 ? m[i].lo : m[i].hi) = uint64_t{1} << (j % 64);
      transpose_128x128(m);
      for (std::size_t r = 0; r < 128; ++r) {
        const core::Block expected = r == j ? core::Block{i < 64 ? uint64_t{1} << i : 0, i >= 64 ? uint64_t{1} << (i - 64) : 0}
                                            : core::Block{};
        ASSERT_EQ(m[r], expected) << "bit (" << i << ", " << j << "), row " << r;
      }
    }
  }
}

}  // namespace
}  // namespace twain::ot
