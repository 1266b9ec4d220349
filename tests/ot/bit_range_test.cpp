// Bit-range copies and packed bit transport against bit-by-bit definitions.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "core/errors.hpp"
#include "ot/bit_range.hpp"
#include "ot_test_support.hpp"

namespace twain::ot {
namespace {

using testing::seed_of;

TEST(BitRange, CopyMatchesBitByBit) {
  core::Prg prg(seed_of(1));
  const core::BitVector src = core::BitVector::random(700, prg);
  for (std::size_t src_first : {0, 1, 63, 64, 65, 200}) {
    for (std::size_t dst_first : {0, 5, 64, 127}) {
      for (std::size_t count : {0, 1, 63, 64, 65, 300}) {
        core::BitVector dst = core::BitVector::random(500, prg);
        core::BitVector expected = dst;
        for (std::size_t k = 0; k < count; ++k) expected.set(dst_first + k, src.get(src_first + k));
        copy_bits(src, src_first, dst, dst_first, count);
        ASSERT_EQ(dst, expected) << src_first << " " << dst_first << " " << count;
      }
    }
  }
}

TEST(BitRange, CopyRejectsRangesOutside) {
  core::BitVector src(100);
  core::BitVector dst(100);
  EXPECT_THROW(copy_bits(src, 50, dst, 0, 51), InvalidArgument);
  EXPECT_THROW(copy_bits(src, 0, dst, 101, 0), InvalidArgument);
}

// The low bits of blocks land in the range, bit by bit, and the bits around it are kept.
TEST(BitRange, PutLowBitsMatchesBitByBit) {
  core::Prg prg(seed_of(3));
  std::vector<core::Block> blocks(300);
  prg.fill(std::span<core::Block>(blocks));
  for (std::size_t first : {0, 1, 63, 64, 127}) {
    for (std::size_t n : {0, 1, 63, 64, 65, 300}) {
      core::BitVector dst = core::BitVector::random(500, prg);
      core::BitVector expected = dst;
      for (std::size_t k = 0; k < n; ++k) expected.set(first + k, (blocks[k].lo & 1U) != 0);
      put_low_bits(blocks.data(), n, dst, first);
      ASSERT_EQ(dst, expected) << first << " " << n;
    }
  }
  core::BitVector small(100);
  EXPECT_THROW(put_low_bits(blocks.data(), 51, small, 50), InvalidArgument);
}

TEST(BitRange, SendAndReceiveBits) {
  auto [ch0, ch1] = testing::memory_pair();
  core::Prg prg(seed_of(2));
  const core::BitVector bits = core::BitVector::random(77, prg);
  send_bits(*ch0, bits);
  ch0->flush();
  EXPECT_EQ(recv_bits(*ch1, 77), bits);
  EXPECT_EQ(ch0->counters().bytes_sent, 10u);
}

TEST(BitRange, ReceiveRejectsNonZeroPadding) {
  auto [ch0, ch1] = testing::memory_pair();
  const std::array<uint8_t, 2> bytes = {0xff, 0x02};  // 9 bits: bit 9 is padding
  ch0->send(bytes.data(), bytes.size());
  ch0->flush();
  EXPECT_THROW(recv_bits(*ch1, 9), FormatError);
}

}  // namespace
}  // namespace twain::ot
