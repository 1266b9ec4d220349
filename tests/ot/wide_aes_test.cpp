// ot/'s fixed-key AES (VAES where the CPU has it) against core::Aes128, the reference.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/aes.hpp"
#include "core/prg.hpp"
#include "ot/wide_aes.hpp"
#include "ot_test_support.hpp"

namespace twain::ot {
namespace {

const core::Block kKey{0x0123456789ABCDEFULL, 0xFEDCBA9876543210ULL};
const core::Block kOtherKey{0x1111111122222222ULL, 0x3333333344444444ULL};

TEST(WideAes, EncryptAndKeystreamMatchTheReference) {
  const WideAes wide(kKey);
  const core::Aes128 reference(kKey);
  core::Prg prg(testing::seed_of(60));
  for (std::size_t n : {0U, 1U, 15U, 16U, 17U, 33U, 1000U}) {
    std::vector<core::Block> in(n);
    prg.fill(std::span<core::Block>(in));
    std::vector<core::Block> got(n);
    std::vector<core::Block> expected(n);
    wide.encrypt(in.data(), got.data(), n);
    reference.encrypt(in.data(), expected.data(), n);
    EXPECT_EQ(got, expected) << n;
    wide.encrypt(in.data(), in.data(), n);  // in place
    EXPECT_EQ(in, expected) << n;
    // Counters that carry out of the low 64 bits, and ones that do not.
    for (const core::Block counter : {core::Block{~uint64_t{0} - 5, 7}, core::Block{12, 0}}) {
      wide.keystream(counter, got.data(), n);
      reference.keystream(counter, expected.data(), n);
      EXPECT_EQ(got, expected) << n;
    }
  }
}

TEST(WideAes, PairExpandsWithBothKeys) {
  const WideAesPair pair(kKey, kOtherKey);
  const core::Aes128 left(kKey);
  const core::Aes128 right(kOtherKey);
  core::Prg prg(testing::seed_of(61));
  for (std::size_t n : {1U, 7U, 8U, 9U, 64U, 100U}) {
    std::vector<core::Block> in(n);
    prg.fill(std::span<core::Block>(in));
    std::vector<core::Block> out(2 * n);
    pair.expand(in.data(), out.data(), n);
    for (std::size_t i = 0; i < n; ++i) {
      core::Block l;
      core::Block r;
      left.encrypt(&in[i], &l, 1);
      right.encrypt(&in[i], &r, 1);
      ASSERT_EQ(out[2 * i], l ^ in[i]) << n << " " << i;
      ASSERT_EQ(out[2 * i + 1], r ^ in[i]) << n << " " << i;
    }
  }
}

}  // namespace
}  // namespace twain::ot
