#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "core/hash.hpp"

namespace twain::core {
namespace {

std::string hex(const Digest& d) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

TEST(Sha256, KnownAnswers) {
  EXPECT_EQ(hex(sha256("abc", 3)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(sha256("", 0)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  Sha256 h;
  h.update("ab").update("c");
  EXPECT_EQ(h.finish(), sha256("abc", 3));
  EXPECT_THROW(h.finish(), InvalidArgument);
}

TEST(Sha256, U64IsLittleEndianFixedWidth) {
  const uint8_t bytes[8] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
  Sha256 h;
  h.update_u64(0x0102030405060708ULL);
  EXPECT_EQ(h.finish(), sha256(bytes, 8));
}

}  // namespace
}  // namespace twain::core
