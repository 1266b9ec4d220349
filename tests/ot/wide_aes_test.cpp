// ot/'s fixed-key AES (VAES where the CPU has it) against core::Aes128, the reference, and the
// 512-bit VAES kernels one by one against it (skipped where the CPU lacks VAES or AVX-512F).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/aes.hpp"
#include "core/cpu_features.hpp"
#include "core/prg.hpp"
#include "ot/wide_aes.hpp"
#include "ot/wide_aes_vaes512.hpp"
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

bool vaes512_present() {
  const core::CpuFeatures& f = core::cpu_features_detected();
  return f.vaes && f.avx512f && f.avx2 && f.aesni;
}

using Blocks = std::vector<core::Block>;

// H(x, i) = AES(AES(x) ^ {i, 0}) ^ AES(x) with the reference AES.
core::Block reference_tccr(const core::Aes128& aes, const core::Block& x, uint64_t tweak) {
  core::Block p;
  aes.encrypt(&x, &p, 1);
  core::Block t = p ^ core::Block{tweak, 0};
  aes.encrypt(&t, &t, 1);
  return t ^ p;
}

// Lengths around the 32-block groups of the 512-bit kernels and the 16-block groups of the
// 256-bit kernels that take their tails.
const std::size_t kVaes512Lengths[] = {0, 1, 3, 4, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 100, 1000};

TEST(WideAes, Vaes512EncryptAndKeystreamMatchTheReference) {
  if (!vaes512_present()) GTEST_SKIP() << "CPU lacks VAES or AVX-512F: no 512-bit AES kernel to test";
  const detail::RoundKeys keys = detail::vaes_expand_key(kKey);
  const core::Aes128 reference(kKey);
  core::Prg prg(testing::seed_of(62));
  for (std::size_t n : kVaes512Lengths) {
    Blocks in(n);
    prg.fill(std::span<core::Block>(in));
    if (n > 1) {
      in[0] = core::Block{};
      in[1] = core::Block{~uint64_t{0}, ~uint64_t{0}};
    }
    Blocks got(n), expected(n);
    detail::vaes512_encrypt(keys, in.data(), got.data(), n);
    reference.encrypt(in.data(), expected.data(), n);
    ASSERT_EQ(got, expected) << n;
    detail::vaes512_encrypt(keys, in.data(), in.data(), n);  // in place
    ASSERT_EQ(in, expected) << n;
    // Counters whose low word carries at the start, inside the range or not at all.
    for (const core::Block counter : {core::Block{~uint64_t{0} - 5, 7}, core::Block{~uint64_t{0} - 40, 3},
                                      core::Block{12, 0}, core::Block{~uint64_t{0}, ~uint64_t{0}}}) {
      detail::vaes512_keystream(keys, counter, got.data(), n);
      reference.keystream(counter, expected.data(), n);
      ASSERT_EQ(got, expected) << n << " " << counter.lo;
      for (const uint32_t bound : {1U, 589'760U, 0xFFFFFFFFU}) {
        std::vector<uint32_t> below(4 * n);
        detail::vaes512_keystream_below(keys, counter, bound, below.data(), n);
        const auto* words = reinterpret_cast<const uint32_t*>(expected.data());
        for (std::size_t j = 0; j < 4 * n; ++j) {
          ASSERT_EQ(below[j], detail::scale_below(words[j], bound)) << n << " " << bound << " " << j;
        }
      }
    }
  }
}

TEST(WideAes, Vaes512TweakableHashMatchesTheDefinition) {
  if (!vaes512_present()) GTEST_SKIP() << "CPU lacks VAES or AVX-512F: no 512-bit AES kernel to test";
  const detail::RoundKeys keys = detail::vaes_expand_key(kKey);
  const core::Aes128 reference(kKey);
  core::Prg prg(testing::seed_of(63));
  const core::Block delta{0x5555AAAA5555AAABULL, 0x0F0F0F0FF0F0F0F0ULL};
  for (std::size_t n : kVaes512Lengths) {
    for (const uint64_t first : {uint64_t{0}, uint64_t{1'000'003}, ~uint64_t{0} - 20}) {
      Blocks in(n);
      prg.fill(std::span<core::Block>(in));
      Blocks expected(n), expected1(n);
      for (std::size_t k = 0; k < n; ++k) {
        expected[k] = reference_tccr(reference, in[k], first + k);
        expected1[k] = reference_tccr(reference, in[k] ^ delta, first + k);
      }
      Blocks got(n);
      detail::vaes512_tccr_hash(keys, in.data(), first, got.data(), n);
      ASSERT_EQ(got, expected) << n << " " << first;
      Blocks same = in;
      detail::vaes512_tccr_hash(keys, same.data(), first, same.data(), n);  // in place
      ASSERT_EQ(same, expected) << n;
      for (std::size_t stride : {1U, 2U, 3U}) {
        Blocks out0(n * stride), out1(n * stride);
        detail::vaes512_tccr_hash_pairs(keys, in.data(), delta, first, out0.data(), out1.data(), stride, n);
        for (std::size_t k = 0; k < n; ++k) {
          ASSERT_EQ(out0[k * stride], expected[k]) << n << " " << stride << " " << k;
          ASSERT_EQ(out1[k * stride], expected1[k]) << n << " " << stride << " " << k;
        }
        // Interleaved pairs, as the senders use them: out1 = out0 + 1 with stride 2.
        if (stride == 2 && n > 0) {
          Blocks pairs(2 * n);
          detail::vaes512_tccr_hash_pairs(keys, in.data(), delta, first, pairs.data(), pairs.data() + 1, 2, n);
          for (std::size_t k = 0; k < n; ++k) {
            ASSERT_EQ(pairs[2 * k], expected[k]);
            ASSERT_EQ(pairs[2 * k + 1], expected1[k]);
          }
        }
      }
    }
  }
}

TEST(WideAes, Vaes512HalfTreeExpandMatchesTheDefinition) {
  if (!vaes512_present()) GTEST_SKIP() << "CPU lacks VAES or AVX-512F: no 512-bit AES kernel to test";
  const detail::RoundKeys keys = detail::vaes_expand_key(kKey);
  const core::Aes128 pi(kKey);
  core::Prg prg(testing::seed_of(64));
  for (std::size_t n : kVaes512Lengths) {
    Blocks in(n);
    prg.fill(std::span<core::Block>(in));
    if (n > 0) in[0] = core::Block{};
    Blocks out(2 * n);
    const core::Block sum = detail::vaes512_half_tree_expand(keys, in.data(), out.data(), n);
    core::Block expected_sum;
    for (std::size_t i = 0; i < n; ++i) {
      const core::Block s{in[i].hi, in[i].hi ^ in[i].lo};
      core::Block h;
      pi.encrypt(&s, &h, 1);
      h ^= s;
      expected_sum ^= h;
      ASSERT_EQ(out[2 * i], h) << n << " " << i;
      ASSERT_EQ(out[2 * i + 1], in[i] ^ h) << n << " " << i;
    }
    EXPECT_EQ(sum, expected_sum) << n;
  }
}

// WideAes takes VAES only from the effective features: never under TWAIN_DISABLE_SIMD=1 (ctest
// ot.portable_kernels runs this with it set).
TEST(WideAes, DispatchFollowsCpuFeatures) {
  const WideAes wide(kKey);
  const core::CpuFeatures& f = core::cpu_features();
  EXPECT_EQ(wide.uses_vaes(), f.vaes && f.avx2 && f.aesni);
  const char* disable = std::getenv("TWAIN_DISABLE_SIMD");
  if (disable != nullptr && std::strcmp(disable, "1") == 0) {
    EXPECT_FALSE(wide.uses_vaes());
    EXPECT_FALSE(f.vaes || f.avx512f || f.avx2 || f.aesni);
  }
}

}  // namespace
}  // namespace twain::ot
