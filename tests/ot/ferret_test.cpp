// Ferret silent OT: the LPN code, and the providers' relation
// q = t ^ b delta over many iterations; mismatched shapes and vanishing peers.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <tuple>
#include <utility>
#include <vector>

#include "core/aes.hpp"
#include "core/errors.hpp"
#include "ot/ferret.hpp"
#include "ot/lpn.hpp"
#include "ot/random_ot.hpp"
#include "ot_test_support.hpp"

namespace twain::ot {
namespace {

using testing::memory_pair;
using testing::run_parties;
using testing::seed_of;

std::vector<core::Block> random_blocks(std::size_t n, core::Prg& prg) {
  std::vector<core::Block> blocks(n);
  prg.fill(std::span<core::Block>(blocks));
  return blocks;
}

// The code against a plain oracle: the same positions (AES-128 counter mode under the code's
// public key, 32-bit words w, position (w * k) >> 32), XORed one row at a time.
TEST(Lpn, CodeMatchesItsDefinitionAndIsLinear) {
  const std::size_t rows = 1000;
  const std::size_t columns = 300;
  const LpnEncoder code(rows, columns);
  core::Prg prg(seed_of(42));
  const std::vector<core::Block> a = random_blocks(columns, prg);
  const std::vector<core::Block> b = random_blocks(columns, prg);
  std::vector<core::Block> sum(columns);
  for (std::size_t i = 0; i < columns; ++i) sum[i] = a[i] ^ b[i];
  std::vector<core::Block> ya(rows);
  std::vector<core::Block> yb(rows);
  std::vector<core::Block> ysum(rows);
  prg.fill(std::span<core::Block>(ya));
  const std::vector<core::Block> initial = ya;
  code.encode(a, ya);
  code.encode(b, yb);
  code.encode(sum, ysum);
  std::vector<core::Block> assigned = initial;  // assign ignores the old contents
  code.assign(a, assigned);
  const core::Aes128 aes(core::Block{0xB7E151628AED2A6AULL, 0xBF7158809CF4F3C7ULL});
  std::vector<core::Block> stream((rows * kLpnRowWeight + 3) / 4);
  aes.keystream(core::Block{}, stream.data(), stream.size());
  for (std::size_t i = 0; i < rows; ++i) {
    core::Block expected = initial[i];
    for (std::size_t j = 0; j < kLpnRowWeight; ++j) {
      uint32_t word;
      std::memcpy(&word, reinterpret_cast<const uint8_t*>(stream.data()) + 4 * (i * kLpnRowWeight + j), 4);
      expected ^= a[(static_cast<uint64_t>(word) * columns) >> 32];
    }
    ASSERT_EQ(ya[i], expected) << i;
    ASSERT_EQ(assigned[i], expected ^ initial[i]) << i;
    ASSERT_EQ(ysum[i], (ya[i] ^ initial[i]) ^ yb[i]) << i;
  }
  EXPECT_THROW(code.encode(std::span<const core::Block>(a).first(299), ya), InvalidArgument);
  EXPECT_THROW(LpnEncoder(10, 0), InvalidArgument);
}

// Rows taken a range at a time equal the whole product; ranges that do not start on a multiple
// of 64 or run past the code are refused.
TEST(Lpn, RowRangesEqualTheWholeProduct) {
  const std::size_t rows = 1000;
  const std::size_t columns = 5000;
  const LpnEncoder code(rows, columns);
  core::Prg prg(seed_of(43));
  const std::vector<core::Block> base = random_blocks(columns, prg);
  const std::vector<core::Block> initial = random_blocks(rows, prg);
  std::vector<core::Block> whole = initial;
  code.encode(base, whole);
  std::vector<core::Block> assigned(rows);
  code.assign(base, assigned);
  std::vector<core::Block> pieces = initial;
  std::vector<core::Block> assigned_pieces(rows);
  for (const auto [first, count] : {std::pair<std::size_t, std::size_t>{0, 64}, {64, 320},
                                    {384, 0}, {384, 576}, {960, 40}}) {
    code.encode_rows(base, first, std::span(pieces).subspan(first, count));
    code.assign_rows(base, first, std::span(assigned_pieces).subspan(first, count));
  }
  EXPECT_EQ(pieces, whole);
  EXPECT_EQ(assigned_pieces, assigned);
  EXPECT_THROW(code.encode_rows(base, 32, std::span(pieces).first(64)), InvalidArgument);
  EXPECT_THROW(code.encode_rows(base, 960, std::span(pieces).first(64)), InvalidArgument);
  EXPECT_THROW(code.assign_rows(base, 1024, std::span(pieces).first(0)), InvalidArgument);
}

TEST(Ferret, ParametersAreValidated) {
  EXPECT_NO_THROW(kFerretRegular128.validate());
  EXPECT_EQ(kFerretRegular128.n(), 10'805'248U);
  EXPECT_EQ(kFerretInsecureForTests.usable(), 122'176U);
  EXPECT_NO_THROW(kFerretSetup128.validate());
  EXPECT_EQ(kFerretSetup128.n(), 870'400U);
  EXPECT_EQ(kFerretSetup128.reserve(), 74'036U);  // 65,536 + 850 * 10
  // One setup iteration refills kFerretRegular128's base COTs.
  EXPECT_GE(kFerretSetup128.n(), kFerretRegular128.reserve());
  EXPECT_TRUE(bootstraps_through_setup(kFerretRegular128));
  EXPECT_FALSE(bootstraps_through_setup(kFerretInsecureForTests));
  EXPECT_THROW((FerretParams{100, GgmShape{64, 11}}.validate()), InvalidArgument);
  EXPECT_THROW((FerretParams{1 << 20, GgmShape{8, 10}}.validate()), InvalidArgument);
}

// Counts asked for, in order: small, odd, across iteration boundaries, several iterations at once.
const std::vector<std::size_t> kRequests = {1, 127, 129, 1000, 122'000, 300'000, 5, 65'536, 600'000};

TEST(Ferret, ProvidersSatisfyTheRelationOverManyIterations) {
  const auto [sent, received] = testing::request_cots(
      kRequests, 43, 44,
      [](net::Channel& ch, core::Prg& prg) { return FerretCotSender(ch, prg, kFerretInsecureForTests); },
      [](net::Channel& ch, core::Prg& prg) { return FerretCotReceiver(ch, prg, kFerretInsecureForTests); });
  std::vector<core::Block> all_t;
  std::size_t ones = 0;
  uint64_t index = 0;
  for (std::size_t k = 0; k < kRequests.size(); ++k) {
    testing::expect_cot_relation(sent[k], received[k]);
    EXPECT_EQ(sent[k].first_index, index);
    EXPECT_EQ(sent[k].delta, sent[0].delta);
    index += kRequests[k];
    ones += received[k].choices.popcount();
    all_t.insert(all_t.end(), received[k].t.begin(), received[k].t.end());
  }
  ASSERT_GE(index, 1'000'000U);
  // Balanced choice bits: within 6 standard deviations of index / 2.
  const double n = static_cast<double>(index);
  EXPECT_LT(std::abs(static_cast<double>(ones) - n / 2), 6 * std::sqrt(n) / 2);
  EXPECT_EQ(testing::distinct(all_t), all_t.size());
}

// One iteration of the full set, bootstrapped through one iteration of kFerretSetup128: the
// constructors (base OTs, IKNP, the setup iteration) send about 1.33 MB, not IKNP's 9.7 MB;
// each iteration 0.215 bits per usable COT.
TEST(Ferret, FullParameterSetSatisfiesTheRelation) {
  auto [ch0, ch1] = memory_pair();
  core::Prg sender_prg(seed_of(45));
  core::Prg receiver_prg(seed_of(46));
  const std::size_t n = kFerretRegular128.usable();  // one iteration (the others cover more)
  const auto [sent, received] = run_parties(
      *ch0, *ch1,
      [&](net::Channel& ch) {
        FerretCotSender cot(ch, sender_prg);
        const uint64_t setup = ch.counters().bytes_sent;
        CotSenderBatch batch = cot.get(n);
        return std::make_tuple(setup, ch.counters().bytes_sent - setup, std::move(batch));
      },
      [&](net::Channel& ch) {
        FerretCotReceiver cot(ch, receiver_prg);
        const uint64_t setup = ch.counters().bytes_sent;
        CotReceiverBatch batch = cot.get(n);
        return std::make_tuple(setup, ch.counters().bytes_sent - setup, std::move(batch));
      });
  const auto& [sender_setup, sender_iteration, sent_cots] = sent;
  const auto& [receiver_setup, receiver_iteration, received_cots] = received;
  testing::expect_cot_relation(sent_cots, received_cots);
  const double count = static_cast<double>(n);
  EXPECT_LT(std::abs(static_cast<double>(received_cots.choices.popcount()) - count / 2),
            6 * std::sqrt(count) / 2);
  const uint64_t setup_bytes = sender_setup + receiver_setup;
  // From the wire formats: IKNP sends 128 bits per COT for the setup set's reserve() COTs
  // (padded to whole 128-COT blocks), the setup SPCOT one block per tree level; on top, the
  // 128 base OTs (a count and 32-byte points: one from the sender, one per OT back) and the
  // 8-byte headers of the IKNP extension and the SPCOT.
  const uint64_t iknp = kFerretSetup128.reserve() * 16;
  const uint64_t spcot = kFerretSetup128.noise.message_blocks() * 16;
  const uint64_t overhead = 127 * 16 + (8 + 32 + 128 * 32) + 2 * 8;
  EXPECT_GE(setup_bytes, iknp + spcot);
  EXPECT_LE(setup_bytes, iknp + spcot + overhead);
  EXPECT_LT(setup_bytes, kFerretRegular128.reserve() * 16);  // cheaper than IKNP alone
  // One iteration: the SPCOT header and one block per tree level, sender to receiver only.
  EXPECT_EQ(sender_iteration, 8U + 1'319U * 13 * 16);
  EXPECT_EQ(receiver_iteration, 0U);
}

TEST(Ferret, ThreadPoolGivesTheSameOutputs) {
  const auto run = [](core::ThreadPool* sender_pool, core::ThreadPool* receiver_pool) {
    auto [ch0, ch1] = memory_pair();
    core::Prg sender_prg(seed_of(53));
    core::Prg receiver_prg(seed_of(54));
    return run_parties(
        *ch0, *ch1,
        [&](net::Channel& ch) {
          return FerretCotSender(ch, sender_prg, kFerretInsecureForTests, sender_pool).get(300'000);
        },
        [&](net::Channel& ch) {
          return FerretCotReceiver(ch, receiver_prg, kFerretInsecureForTests, receiver_pool)
              .get(300'000);
        });
  };
  core::ThreadPool pool0(3);
  core::ThreadPool pool1(2);
  const auto [sent, received] = run(&pool0, &pool1);
  const auto [sent_alone, received_alone] = run(nullptr, nullptr);
  testing::expect_cot_relation(sent, received);
  EXPECT_EQ(sent.q, sent_alone.q);
  EXPECT_EQ(received.t, received_alone.t);
  EXPECT_EQ(received.choices, received_alone.choices);
}

TEST(Ferret, RandomOtFromFerret) {
  auto [ch0, ch1] = memory_pair();
  core::Prg sender_prg(seed_of(47));
  core::Prg receiver_prg(seed_of(48));
  const auto [sent, received] = run_parties(
      *ch0, *ch1,
      [&](net::Channel& ch) {
        return random_ot(FerretCotSender(ch, sender_prg, kFerretInsecureForTests).get(5000));
      },
      [&](net::Channel& ch) {
        return random_ot(FerretCotReceiver(ch, receiver_prg, kFerretInsecureForTests).get(5000));
      });
  for (std::size_t i = 0; i < 5000; ++i) {
    ASSERT_EQ(received.m[i], sent.m[i][received.choices.get(i) ? 1 : 0]) << i;
    ASSERT_FALSE(sent.m[i][0] == sent.m[i][1]) << i;
  }
}

// Fused conversions (hashing straight from Ferret's buffer, across iteration boundaries) equal
// the conversions of the copied batches from the same seeds.
TEST(Ferret, FusedConversionsEqualBatchConversions) {
  const std::vector<std::size_t> counts = {1000, 130'000, 77};
  const auto run = [&](bool fused) {
    auto [ch0, ch1] = memory_pair();
    core::Prg sender_prg(seed_of(55));
    core::Prg receiver_prg(seed_of(56));
    return run_parties(
        *ch0, *ch1,
        [&](net::Channel& ch) {
          FerretCotSender cot(ch, sender_prg, kFerretInsecureForTests);
          std::vector<RotSenderBatch> rots;
          std::vector<BitOtSenderBatch> bits;
          for (std::size_t n : counts) {
            if (fused && n == counts[1]) {  // into caller-owned storage
              RotSenderBatch into{std::vector<BlockPair>(n)};
              random_ot(cot, std::span<BlockPair>(into.m));
              rots.push_back(std::move(into));
            } else {
              rots.push_back(fused ? random_ot(cot, n) : random_ot(cot.get(n)));
            }
            bits.push_back(fused ? random_bit_ot(cot, n) : random_bit_ot(cot.get(n)));
          }
          return std::make_pair(rots, bits);
        },
        [&](net::Channel& ch) {
          FerretCotReceiver cot(ch, receiver_prg, kFerretInsecureForTests);
          std::vector<RotReceiverBatch> rots;
          std::vector<BitOtReceiverBatch> bits;
          for (std::size_t n : counts) {
            if (fused && n == counts[1]) {
              RotReceiverBatch into{core::BitVector(n), std::vector<core::Block>(n)};
              into.choices.set(0, true);  // overwritten
              random_ot(cot, into.choices, std::span<core::Block>(into.m));
              rots.push_back(std::move(into));
            } else {
              rots.push_back(fused ? random_ot(cot, n) : random_ot(cot.get(n)));
            }
            bits.push_back(fused ? random_bit_ot(cot, n) : random_bit_ot(cot.get(n)));
          }
          return std::make_pair(rots, bits);
        });
  };
  const auto [sent, received] = run(true);
  const auto [sent_batch, received_batch] = run(false);
  for (std::size_t k = 0; k < counts.size(); ++k) {
    EXPECT_EQ(sent.first[k].m, sent_batch.first[k].m) << k;
    EXPECT_EQ(sent.second[k].m0, sent_batch.second[k].m0) << k;
    EXPECT_EQ(sent.second[k].m1, sent_batch.second[k].m1) << k;
    EXPECT_EQ(received.first[k].choices, received_batch.first[k].choices) << k;
    EXPECT_EQ(received.first[k].m, received_batch.first[k].m) << k;
    EXPECT_EQ(received.second[k].choices, received_batch.second[k].choices) << k;
    EXPECT_EQ(received.second[k].m, received_batch.second[k].m) << k;
    for (std::size_t i = 0; i < counts[k]; ++i) {
      const int c = received.first[k].choices.get(i) ? 1 : 0;
      ASSERT_EQ(received.first[k].m[i], sent.first[k].m[i][c]) << k << " " << i;
      ASSERT_EQ(received.second[k].m.get(i),
                (received.second[k].choices.get(i) ? sent.second[k].m1 : sent.second[k].m0).get(i));
    }
  }
}

// The whole pipeline (base OTs, IKNP bootstrap, two Ferret iterations) from fixed seeds: the
// last three COTs of a 250,000 request, captured once from this implementation (Half-Tree
// SPCOT, after its relation tests in spcot_test.cpp passed).
TEST(Ferret, KnownAnswer) {
  auto [ch0, ch1] = memory_pair();
  core::Prg sender_prg(seed_of(57));
  core::Prg receiver_prg(seed_of(58));
  const std::size_t n = 250'000;
  const auto [sent, received] = run_parties(
      *ch0, *ch1,
      [&](net::Channel& ch) { return FerretCotSender(ch, sender_prg, kFerretInsecureForTests).get(n); },
      [&](net::Channel& ch) {
        return FerretCotReceiver(ch, receiver_prg, kFerretInsecureForTests).get(n);
      });
  testing::expect_cot_relation(sent, received);
  const std::array<core::Block, 4> got = {sent.delta, received.t[n - 3], received.t[n - 2],
                                          received.t[n - 1]};
  const std::array<core::Block, 4> expected = {
      core::Block{0xcf7f51ccff61fd29ULL, 0x33854731f82ff9eeULL},
      core::Block{0xffeac56c866c1847ULL, 0xfbc4b31729a7d9c8ULL},
      core::Block{0x26ae0650281980d8ULL, 0x5653441cf91b8311ULL},
      core::Block{0xf2bf522a630de1d5ULL, 0x4fbf6500a919dd62ULL}};
  EXPECT_EQ(got, expected);
}

TEST(Ferret, MismatchedShapesThrowFormatError) {
  // Same number of base COTs (so IKNP agrees), different noise shapes.
  const FerretParams other{8'192 + 64 * 11 - 128 * 10, GgmShape{128, 10}};
  ASSERT_EQ(other.reserve(), kFerretInsecureForTests.reserve());
  auto [ch0, ch1] = memory_pair();
  core::Prg sender_prg(seed_of(49));
  core::Prg receiver_prg(seed_of(50));
  EXPECT_THROW(run_parties(
                   *ch0, *ch1,
                   [&](net::Channel& ch) {
                     return FerretCotReceiver(ch, receiver_prg, kFerretInsecureForTests).get(10);
                   },
                   [&](net::Channel& ch) { return FerretCotSender(ch, sender_prg, other).get(10); }),
               FormatError);
}

TEST(Ferret, PeerClosingMidProtocolThrowsNetworkError) {
  auto [ch0, ch1] = memory_pair();
  core::Prg sender_prg(seed_of(51));
  core::Prg receiver_prg(seed_of(52));
  EXPECT_THROW(run_parties(
                   *ch0, *ch1,
                   [&](net::Channel& ch) {
                     return FerretCotReceiver(ch, receiver_prg, kFerretInsecureForTests).get(10);
                   },
                   [&](net::Channel& ch) {
                     FerretCotSender cot(ch, sender_prg, kFerretInsecureForTests);
                     ch.close();  // after the IKNP bootstrap, before the first iteration
                     return 0;
                   }),
               NetworkError);
}

// The sender vanishes after the IKNP bootstrap, before the setup iteration of the full set.
TEST(Ferret, PeerClosingDuringTheSetupIterationThrowsNetworkError) {
  auto [ch0, ch1] = memory_pair();
  core::Prg sender_prg(seed_of(59));
  core::Prg receiver_prg(seed_of(60));
  EXPECT_THROW(run_parties(
                   *ch0, *ch1,
                   [&](net::Channel& ch) {
                     FerretCotReceiver cot(ch, receiver_prg);
                     return 0;
                   },
                   [&](net::Channel& ch) {
                     CotSender iknp(ch, sender_prg, kFerretSetup128.reserve());
                     iknp.get(kFerretSetup128.reserve());
                     ch.close();
                     return 0;
                   }),
               NetworkError);
}

}  // namespace
}  // namespace twain::ot
