#include <gtest/gtest.h>

#include <vector>

#include "core/bit_packing.hpp"
#include "core/errors.hpp"
#include "core/prg.hpp"

namespace twain::core {
namespace {

TEST(BitPacking, RoundTripsEveryWidth) {
  Prg prg(Seed{2});
  for (int width = 1; width <= 64; ++width) {
    std::vector<uint64_t> values(37);
    for (auto& v : values) v = width == 64 ? prg.next_u64() : prg.next_u64() & ((uint64_t{1} << width) - 1);
    std::vector<uint8_t> bytes;
    {
      BitWriter w(bytes);
      for (uint64_t v : values) w.write(v, width);
    }
    ASSERT_EQ(bytes.size(), packed_size(values.size(), width));
    BitReader r(bytes);
    for (uint64_t v : values) ASSERT_EQ(r.read(width), v);
    EXPECT_THROW(r.read(8), FormatError);
  }
}

TEST(BitPacking, NonZeroPaddingIsRejected) {
  std::vector<uint8_t> bytes = {0xff};
  BitReader r(bytes);
  EXPECT_EQ(r.read(3), 7U);
  EXPECT_THROW(r.require_zero_padding(), FormatError);
}

}  // namespace
}  // namespace twain::core
