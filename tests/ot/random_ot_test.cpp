// Random OT, random bit OT and the correlation-robust hash under them.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "core/aes.hpp"
#include "core/errors.hpp"
#include "ot/cr_hash.hpp"
#include "ot/random_ot.hpp"
#include "ot_test_support.hpp"

namespace twain::ot {
namespace {

using testing::memory_pair;
using testing::run_parties;
using testing::seed_of;

constexpr std::size_t kCount = 100'000;

void expect_balanced(std::size_t ones, std::size_t total, const char* what) {
  EXPECT_NEAR(static_cast<double>(ones), total / 2.0, 6 * std::sqrt(total / 4.0)) << what;
}

TEST(CrHash, MatchesTheFixedKeyDefinition) {
  const core::Aes128 pi(core::Block{0x243F6A8885A308D3ULL, 0x13198A2E03707344ULL});
  core::Prg prg(seed_of(1));
  std::vector<core::Block> in(1000);
  prg.fill(in.data(), in.size() * sizeof(core::Block));
  std::vector<core::Block> out(in.size());
  const CrHash hash;
  hash.hash(in, 77, out);
  for (std::size_t k = 0; k < in.size(); ++k) {
    core::Block p;
    pi.encrypt(&in[k], &p, 1);
    core::Block e = p ^ core::Block{77 + k, 0};
    pi.encrypt(&e, &e, 1);
    ASSERT_EQ(out[k], e ^ p) << k;
  }
  // In place gives the same, and another tweak another value.
  std::vector<core::Block> again = in;
  hash.hash(again, 77, again);
  EXPECT_EQ(again, out);
  hash.hash(in, 78, again);
  EXPECT_FALSE(again[0] == out[0]);
  EXPECT_THROW(hash.hash(in, 0, std::span(out).first(10)), InvalidArgument);
}

// A sender's pairs, as two arrays and interleaved, equal the hashes of q and of q ^ delta, for
// counts around the kernels' group sizes.
TEST(CrHash, PairsAreTheHashesOfBothMessages) {
  core::Prg prg(seed_of(4));
  const CrHash hash;
  const core::Block delta = prg.next_block();
  for (std::size_t n : {0U, 1U, 7U, 8U, 9U, 17U, 1000U}) {
    std::vector<core::Block> q(n);
    prg.fill(q.data(), n * sizeof(core::Block));
    std::vector<core::Block> flipped(n);
    for (std::size_t k = 0; k < n; ++k) flipped[k] = q[k] ^ delta;
    std::vector<core::Block> h0(n);
    std::vector<core::Block> h1(n);
    hash.hash(q, 1000, h0);
    hash.hash(flipped, 1000, h1);
    std::vector<core::Block> got0(n);
    std::vector<core::Block> got1(n);
    hash.hash_pairs(q, delta, 1000, got0, got1);
    EXPECT_EQ(got0, h0) << n;
    EXPECT_EQ(got1, h1) << n;
    std::vector<BlockPair> pairs(n);
    hash.hash_pairs(q, delta, 1000, pairs);
    for (std::size_t k = 0; k < n; ++k) {
      ASSERT_EQ(pairs[k][0], h0[k]) << n << " " << k;
      ASSERT_EQ(pairs[k][1], h1[k]) << n << " " << k;
    }
  }
  std::vector<core::Block> q(4);
  std::vector<core::Block> short_out(3);
  EXPECT_THROW(hash.hash_pairs(q, delta, 0, short_out, short_out), InvalidArgument);
}

TEST(RandomOt, ReceiverGetsTheChosenMessageOnly) {
  auto [ch0, ch1] = memory_pair();
  core::Prg sender_prg(seed_of(2));
  core::Prg receiver_prg(seed_of(3));
  const auto [sent, received] = run_parties(
      *ch0, *ch1,
      [&](net::Channel& ch) {
        CotSender cot(ch, sender_prg);
        RotSender rot(cot);
        return std::array{rot.get(3), rot.get(kCount)};
      },
      [&](net::Channel& ch) {
        CotReceiver cot(ch, receiver_prg);
        RotReceiver rot(cot);
        return std::array{rot.get(3), rot.get(kCount)};
      });
  std::vector<std::pair<uint64_t, uint64_t>> all;
  for (std::size_t b = 0; b < 2; ++b) {
    const auto& s = sent[b];
    const auto& r = received[b];
    ASSERT_EQ(s.m.size(), r.m.size());
    for (std::size_t i = 0; i < r.m.size(); ++i) {
      const bool c = r.choices.get(i);
      ASSERT_EQ(r.m[i], s.m[i][c]) << i;
      ASSERT_FALSE(r.m[i] == s.m[i][!c]) << i;
      all.emplace_back(s.m[i][0].lo, s.m[i][0].hi);
      all.emplace_back(s.m[i][1].lo, s.m[i][1].hi);
    }
  }
  expect_balanced(received[1].choices.popcount(), kCount, "choices");
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << "a repeated message";

  // Known answer, captured once from this implementation (seeds 2 and 3, the first 3 ROTs).
  const std::array<BlockPair, 3> expected = {{
      {core::Block{0x5e59bb56a3051c70ULL, 0xa54209f36ec9b125ULL},
       core::Block{0xdf4eef1096da2e4dULL, 0x0378d274d4c0ff97ULL}},
      {core::Block{0x4289398468580462ULL, 0xa8eedc69d8f69db1ULL},
       core::Block{0x8f362cc08646f3e3ULL, 0xeb1444067e5b9b83ULL}},
      {core::Block{0x6dd772229090fed2ULL, 0x533d5219fcf5d98aULL},
       core::Block{0x5a603cafc96bb206ULL, 0xb512b2a1336759acULL}},
  }};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(sent[0].m[i][0], expected[i][0]) << i;
    EXPECT_EQ(sent[0].m[i][1], expected[i][1]) << i;
  }
}

TEST(RandomBitOt, ReceiverGetsTheChosenBit) {
  auto [ch0, ch1] = memory_pair();
  core::Prg sender_prg(seed_of(4));
  core::Prg receiver_prg(seed_of(5));
  constexpr std::size_t kBits = 200'003;
  const auto [sent, received] = run_parties(
      *ch0, *ch1,
      [&](net::Channel& ch) {
        CotSender cot(ch, sender_prg, 1 << 16);
        return BitOtSender(cot).get(kBits);
      },
      [&](net::Channel& ch) {
        CotReceiver cot(ch, receiver_prg, 1 << 16);
        return BitOtReceiver(cot).get(kBits);
      });
  ASSERT_EQ(sent.m0.size(), kBits);
  ASSERT_EQ(received.m.size(), kBits);
  // m = m0 ^ c (m0 ^ m1), word by word.
  EXPECT_EQ(received.m, sent.m0 ^ (received.choices & (sent.m0 ^ sent.m1)));
  expect_balanced(sent.m0.popcount(), kBits, "m0");
  expect_balanced(sent.m1.popcount(), kBits, "m1");
  expect_balanced((sent.m0 ^ sent.m1).popcount(), kBits, "m0 ^ m1");
  expect_balanced(received.choices.popcount(), kBits, "choices");
}

}  // namespace
}  // namespace twain::ot
