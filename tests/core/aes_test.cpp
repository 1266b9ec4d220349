#include <gtest/gtest.h>

#include "core/aes.hpp"
#include "core/aes_kernels.hpp"
#include "core/cpu_features.hpp"
#include "core/prg.hpp"

namespace twain::core {
namespace {

Block block_from_bytes(std::initializer_list<uint8_t> bytes) {
  Block b;
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<uint8_t*>(&b));
  return b;
}

// FIPS-197 appendix C.1.
const Block kKey = block_from_bytes({0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
                                     0x0c, 0x0d, 0x0e, 0x0f});
const Block kPlain = block_from_bytes({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
                                       0xcc, 0xdd, 0xee, 0xff});
const Block kCipher = block_from_bytes({0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30, 0xd8, 0xcd, 0xb7, 0x80,
                                        0x70, 0xb4, 0xc5, 0x5a});

TEST(Aes128, Fips197KnownAnswer) {
  Aes128 aes(kKey);
  Block out;
  aes.encrypt(&kPlain, &out, 1);
  EXPECT_EQ(out, kCipher);
}

TEST(Aes128, PortableKernelMatchesKnownAnswer) {
  auto state = detail::portable_aes_create(kKey);
  Block out;
  detail::portable_aes_encrypt(*state, &kPlain, &out, 1);
  EXPECT_EQ(out, kCipher);
}

TEST(Aes128, AesNiKernelEqualsPortableKernel) {
  if (!cpu_features_detected().aesni) GTEST_SKIP() << "CPU has no AES-NI; only the portable kernel runs here";
  Prg prg(Seed{7});
  const Block key = prg.next_block();
  std::vector<Block> in(1000);
  for (auto& b : in) b = prg.next_block();
  std::vector<Block> a(in.size()), b(in.size());
  alignas(16) unsigned char round_keys[176];
  detail::aesni_expand_key(key, round_keys);
  detail::aesni_encrypt(round_keys, in.data(), a.data(), in.size());
  detail::portable_aes_encrypt(*detail::portable_aes_create(key), in.data(), b.data(), in.size());
  EXPECT_EQ(a, b);
}

TEST(Aes128, KeystreamIsEncryptionOfCounters) {
  Aes128 aes(kKey);
  const Block start{~uint64_t{0} - 3, 5};  // crosses the 64-bit carry
  std::vector<Block> stream(20), counters(20), expected(20);
  aes.keystream(start, stream.data(), stream.size());
  for (std::size_t i = 0; i < counters.size(); ++i) counters[i] = start.plus(i);
  aes.encrypt(counters.data(), expected.data(), counters.size());
  EXPECT_EQ(stream, expected);
  EXPECT_EQ(counters[4].hi, 6U);
}

}  // namespace
}  // namespace twain::core
