// net::TranscriptChecksum and the channel's two running checksums: what the definition says
// (Poly1305 under the fixed public key, over the bytes in order, however they were split), and
// that the faults the end-of-session check must catch change it.
#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <numeric>
#include <vector>

#include "core/prg.hpp"
#include "net/fault_channel.hpp"
#include "net/memory_channel.hpp"
#include "net/transcript_checksum.hpp"

namespace twain::net {
namespace {

// The key as documented in net/transcript_checksum.cpp: part of the wire format.
std::array<unsigned char, crypto_onetimeauth_KEYBYTES> documented_key() {
  std::array<unsigned char, crypto_onetimeauth_KEYBYTES> key{};
  const char text[] = "twain transcript checksum v1";
  std::copy(text, text + sizeof(text) - 1, key.begin());
  return key;
}

std::vector<uint8_t> random_bytes(std::size_t n, uint8_t seed) {
  std::vector<uint8_t> bytes(n);
  core::Prg(core::Seed{seed}).fill(bytes.data(), bytes.size());
  return bytes;
}

TEST(TranscriptChecksum, EqualsOneShotPoly1305UnderTheDocumentedKey) {
  ASSERT_GE(sodium_init(), 0);
  const auto key = documented_key();
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{17},
                              std::size_t{1000}, std::size_t{1} << 20}) {
    const auto bytes = random_bytes(n, 3);
    std::array<uint8_t, 16> want{};
    crypto_onetimeauth(want.data(), bytes.data(), bytes.size(), key.data());
    TranscriptChecksum checksum;
    checksum.update(bytes.data(), bytes.size());
    EXPECT_EQ(checksum.digest().checksum, want) << n << " bytes";
    EXPECT_EQ(checksum.digest().bytes, n);
  }
}

TEST(TranscriptChecksum, DependsOnTheBytesNotOnHowTheyWereSplit) {
  const auto bytes = random_bytes(5000, 4);
  TranscriptChecksum whole, pieces;
  whole.update(bytes.data(), bytes.size());
  core::Prg prg(core::Seed{5});
  for (std::size_t at = 0; at < bytes.size();) {
    const std::size_t n = std::min<std::size_t>(bytes.size() - at, 1 + prg.next_u64() % 97);
    pieces.update(bytes.data() + at, n);
    const auto snapshot = pieces.digest();  // taking a digest leaves the running state alone
    (void)snapshot;
    at += n;
  }
  EXPECT_EQ(whole.digest(), pieces.digest());
}

TEST(TranscriptChecksum, EveryOneBitFlipAndEveryDuplicatedOrDroppedByteChangesIt) {
  const auto bytes = random_bytes(300, 6);
  TranscriptChecksum clean;
  clean.update(bytes.data(), bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto flipped = bytes;
      flipped[i] ^= static_cast<uint8_t>(1 << bit);
      TranscriptChecksum c;
      c.update(flipped.data(), flipped.size());
      EXPECT_NE(c.digest().checksum, clean.digest().checksum) << "byte " << i << " bit " << bit;
    }
    auto duplicated = bytes;
    duplicated.insert(duplicated.begin() + static_cast<std::ptrdiff_t>(i), bytes[i]);
    duplicated.pop_back();  // same length: only the checksum can tell
    TranscriptChecksum d;
    d.update(duplicated.data(), duplicated.size());
    if (duplicated != bytes) {
      EXPECT_NE(d.digest(), clean.digest()) << "byte " << i << " duplicated";
    }
  }
  std::vector<uint8_t> zero_extended = bytes;
  zero_extended.push_back(0);
  TranscriptChecksum z;
  z.update(zero_extended.data(), zero_extended.size());
  EXPECT_NE(z.digest().checksum, clean.digest().checksum);
}

TEST(TranscriptChecksum, ChannelEndsAgreeAfterAnExchangeAndCounterResetsKeepThem) {
  auto [a, b] = make_memory_channel_pair();
  const auto ping = random_bytes(70000, 7), pong = random_bytes(33, 8);
  a->send_message(ping);
  a->send_u64(42);
  a->flush();
  EXPECT_EQ(b->recv_message(1 << 20), ping);
  EXPECT_EQ(b->recv_u64(), 42u);
  b->reset_counters();
  b->send(pong.data(), pong.size());
  b->flush();
  std::vector<uint8_t> got(pong.size());
  a->recv(got.data(), got.size());
  EXPECT_EQ(a->sent_digest(), b->received_digest());
  EXPECT_EQ(a->received_digest(), b->sent_digest());
  EXPECT_EQ(a->sent_digest().bytes, 8 + ping.size() + 8);
  EXPECT_NE(a->sent_digest(), a->received_digest());
}

// A wrapper's transport channel leaves the checksums to the wrapper: the bytes are hashed once.
TEST(TranscriptChecksum, AWrappersInnerChannelKeepsNone) {
  auto [a, b] = make_memory_channel_pair();
  FaultChannel outer(*a, {FaultKind::kPause, true, ~uint64_t{0}, {}});  // never fires
  const auto bytes = random_bytes(1000, 9);
  outer.send(bytes.data(), bytes.size());
  outer.flush();
  std::vector<uint8_t> got(bytes.size());
  b->recv(got.data(), got.size());
  EXPECT_EQ(outer.sent_digest(), b->received_digest());
  EXPECT_EQ(a->sent_digest().bytes, 0u);
}

}  // namespace
}  // namespace twain::net
