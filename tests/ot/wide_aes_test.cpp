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

// Keystream words mapped below a bound, against the keystream and the product written out.
TEST(WideAes, KeystreamBelowScalesEachWord) {
  const WideAes wide(kKey);
  const core::Aes128 reference(kKey);
  for (const uint32_t bound : {1U, 589'760U, 0xFFFFFFFFU}) {
    for (std::size_t blocks : {0U, 1U, 16U, 17U, 160U, 163U}) {
      for (const core::Block counter : {core::Block{~uint64_t{0} - 5, 7}, core::Block{160, 0}}) {
        std::vector<core::Block> stream(blocks);
        reference.keystream(counter, stream.data(), blocks);
        std::vector<uint32_t> got(4 * blocks);
        wide.keystream_below(counter, bound, got.data(), blocks);
        for (std::size_t j = 0; j < 4 * blocks; ++j) {
          const core::Block& b = stream[j / 4];
          const uint64_t half = j % 4 < 2 ? b.lo : b.hi;
          const uint64_t word = (half >> (32 * (j % 2))) & 0xFFFFFFFFU;
          ASSERT_EQ(got[j], (word * bound) >> 32) << bound << " " << blocks << " " << j;
          ASSERT_LT(got[j], bound);
        }
      }
    }
  }
}

// Against the definition: sigma(x_L || x_R) = (x_L ^ x_R) || x_L with x_L the high half,
// H(x) = AES(sigma(x)) ^ sigma(x), left child H(x), right child x ^ H(x).
TEST(WideAes, HalfTreeHashExpandsAsDefined) {
  const HalfTreeHash hash(kKey);
  const core::Aes128 pi(kKey);
  core::Prg prg(testing::seed_of(61));
  for (std::size_t n : {1U, 7U, 15U, 16U, 17U, 64U, 100U}) {
    std::vector<core::Block> in(n);
    prg.fill(std::span<core::Block>(in));
    std::vector<core::Block> out(2 * n);
    const core::Block sum = hash.expand(in.data(), out.data(), n);
    core::Block expected_sum;
    for (std::size_t i = 0; i < n; ++i) {
      const uint64_t x_left = in[i].hi;
      const uint64_t x_right = in[i].lo;
      const core::Block s{x_left, x_left ^ x_right};
      core::Block h;
      pi.encrypt(&s, &h, 1);
      h ^= s;
      expected_sum ^= h;
      ASSERT_EQ(out[2 * i], h) << n << " " << i;
      ASSERT_EQ(out[2 * i + 1], in[i] ^ h) << n << " " << i;
    }
    EXPECT_EQ(sum, expected_sum) << n;
  }
  core::Block zero_image;
  const core::Block zero;
  pi.encrypt(&zero, &zero_image, 1);
  EXPECT_EQ(hash.of_zero(), zero_image);
}

}  // namespace
}  // namespace twain::ot
