// IKNP correlated OT and its buffered providers: the relation q = t ^ b delta at scale, chosen
// choices, known answers, mismatched and vanishing peers, TCP.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <future>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "ot/cot.hpp"
#include "ot/iknp.hpp"
#include "ot_test_support.hpp"

namespace twain::ot {
namespace {

using testing::block_bit;
using testing::memory_pair;
using testing::run_parties;
using testing::seed_of;

// The counts asked for, in order: small, odd, across batch boundaries, several batches at once.
const std::vector<std::size_t> kRequests = {1, 127, 129, 1000, 31'000, 70'000, 5, 65'536, 20'000};

TEST(Cot, ProvidersSatisfyTheRelationOverManyBatches) {
  constexpr std::size_t kBatch = 1 << 15;
  const auto [sent, received] = testing::request_cots(
      kRequests, 1, 2, [](net::Channel& ch, core::Prg& prg) { return CotSender(ch, prg, kBatch); },
      [](net::Channel& ch, core::Prg& prg) { return CotReceiver(ch, prg, kBatch); });
  std::vector<core::Block> all_t;
  std::vector<core::Block> all_q;
  std::size_t ones = 0;
  std::size_t t_bits_set = 0;
  uint64_t index = 0;
  for (std::size_t k = 0; k < kRequests.size(); ++k) {
    testing::expect_cot_relation(sent[k], received[k]);
    EXPECT_EQ(sent[k].first_index, index);
    EXPECT_EQ(sent[k].delta, sent[0].delta);
    index += kRequests[k];
    ones += received[k].choices.popcount();
    all_t.insert(all_t.end(), received[k].t.begin(), received[k].t.end());
    all_q.insert(all_q.end(), sent[k].q.begin(), sent[k].q.end());
  }
  for (const core::Block& t : all_t) {
    t_bits_set += static_cast<std::size_t>(std::popcount(t.lo) + std::popcount(t.hi));
  }
  const std::size_t total = all_t.size();
  ASSERT_GE(total, 100'000u);
  // Balanced choices and message bits (about 6 standard deviations of slack).
  EXPECT_NEAR(static_cast<double>(ones), total / 2.0, 6 * std::sqrt(total / 4.0));
  EXPECT_NEAR(static_cast<double>(t_bits_set), total * 64.0, 6 * std::sqrt(total * 32.0));
  EXPECT_EQ(testing::distinct(all_t), total);
  EXPECT_EQ(testing::distinct(all_q), total);
}

TEST(Cot, ChosenChoicesAreHonoured) {
  auto [ch0, ch1] = memory_pair();
  core::Prg sender_prg(seed_of(3));
  core::Prg receiver_prg(seed_of(4));
  core::Prg choice_prg(seed_of(5));
  const core::BitVector choices = core::BitVector::random(3000, choice_prg);
  core::BitVector ones(777);
  for (std::size_t i = 0; i < ones.size(); ++i) ones.set(i, true);
  const auto [sent, received] = run_parties(
      *ch0, *ch1,
      [&](net::Channel& ch) {
        CotSender cot(ch, sender_prg, 1024);
        return std::array{cot.get_chosen(choices.size()), cot.get(10), cot.get_chosen(ones.size())};
      },
      [&](net::Channel& ch) {
        CotReceiver cot(ch, receiver_prg, 1024);
        return std::array{cot.get(choices), cot.get(10), cot.get(ones)};
      });
  for (std::size_t k = 0; k < 3; ++k) testing::expect_cot_relation(sent[k], received[k]);
  EXPECT_EQ(received[0].choices, choices);
  EXPECT_EQ(received[2].choices, ones);
}

TEST(Iknp, ExtendsAnyCountAcrossCalls) {
  auto [ch0, ch1] = memory_pair();
  core::Prg sender_prg(seed_of(6));
  core::Prg receiver_prg(seed_of(7));
  core::Prg choice_prg(seed_of(8));
  const std::vector<std::size_t> counts = {1, 128, 300, 2048, 2049, 5000};
  std::vector<core::BitVector> choices;
  for (std::size_t n : counts) choices.push_back(core::BitVector::random(n, choice_prg));
  const auto [sent, received] = run_parties(
      *ch0, *ch1,
      [&](net::Channel& ch) {
        IknpSender iknp(ch, sender_prg);
        std::vector<CotSenderBatch> out;
        for (std::size_t n : counts) {
          out.push_back({0, iknp.delta(), std::vector<core::Block>(n)});
          iknp.extend(out.back().q);
        }
        return out;
      },
      [&](net::Channel& ch) {
        IknpReceiver iknp(ch, receiver_prg);
        std::vector<CotReceiverBatch> out;
        for (const core::BitVector& c : choices) {
          out.push_back({0, c, std::vector<core::Block>(c.size())});
          iknp.extend(c, out.back().t);
        }
        return out;
      });
  for (std::size_t k = 0; k < counts.size(); ++k) testing::expect_cot_relation(sent[k], received[k]);
}

TEST(Cot, KnownAnswer) {
  // Captured once from this implementation: a change means the wire format, the base OTs or
  // the expansion changed.
  auto [ch0, ch1] = memory_pair();
  core::Prg sender_prg(seed_of(9));
  core::Prg receiver_prg(seed_of(10));
  const auto [sent, received] = run_parties(
      *ch0, *ch1, [&](net::Channel& ch) { return CotSender(ch, sender_prg, 256).get(3); },
      [&](net::Channel& ch) { return CotReceiver(ch, receiver_prg, 256).get(3); });
  testing::expect_cot_relation(sent, received);
  const core::Block delta{0x02d586f1e7dce72bULL, 0x883f8f606fc6738aULL};
  const std::array<core::Block, 3> t = {core::Block{0x2efa8790fd0bd0f4ULL, 0xdd309b6be8331850ULL},
                                        core::Block{0xf1557965c591e96dULL, 0xdab7777c50d37c9eULL},
                                        core::Block{0xbdfe28f6dcdf0fa1ULL, 0x8a74435527b6792aULL}};
  const uint64_t choice_word = 0b011;
  EXPECT_EQ(sent.delta, delta);
  EXPECT_EQ(received.choices.words()[0], choice_word);
  for (std::size_t i = 0; i < t.size(); ++i) EXPECT_EQ(received.t[i], t[i]) << "COT " << i;
}

TEST(Cot, SenderRejectsAnotherCount) {
  auto [ch0, ch1] = memory_pair();
  core::Prg sender_prg(seed_of(11));
  core::Prg receiver_prg(seed_of(12));
  EXPECT_THROW(run_parties(
                   *ch0, *ch1, [&](net::Channel& ch) { return CotSender(ch, sender_prg, 256).get(1); },
                   [&](net::Channel& ch) { return CotReceiver(ch, receiver_prg, 512).get(1); }),
               FormatError);
}

TEST(Cot, SenderThrowsNetworkErrorWhenTheReceiverHangsUpMidMatrix) {
  auto ch0_ch1 = memory_pair();
  auto& ch0 = ch0_ch1.first;
  auto& ch1 = ch0_ch1.second;
  core::Prg sender_prg(seed_of(13));
  core::Prg receiver_prg(seed_of(14));
  auto receiver = std::async(std::launch::async, [&] {
    IknpReceiver iknp(*ch1, receiver_prg);
    ch1->send_u64(4096);  // announces 4096 OTs, sends a fraction of the matrix, leaves
    const std::vector<uint8_t> partial(1000, 0x5a);
    ch1->send(partial.data(), partial.size());
    ch1->close();
  });
  IknpSender iknp(*ch0, sender_prg);
  std::vector<core::Block> q(4096);
  EXPECT_THROW(iknp.extend(q), NetworkError);
  receiver.get();
}

TEST(Cot, ZeroBatchIsRejectedBeforeAnyTraffic) {
  auto [ch0, ch1] = memory_pair();
  core::Prg prg(seed_of(18));
  EXPECT_THROW(CotSender(*ch0, prg, 0), InvalidArgument);
  EXPECT_THROW(CotReceiver(*ch0, prg, 0), InvalidArgument);
  EXPECT_EQ(ch0->counters().bytes_sent, 0u);
}

TEST(Cot, ReceiverThrowsNetworkErrorWhenTheSenderHangsUpDuringSetup) {
  auto [ch0, ch1] = memory_pair();
  core::Prg receiver_prg(seed_of(15));
  ch0->close();
  EXPECT_THROW(CotReceiver(*ch1, receiver_prg), NetworkError);
}

TEST(Cot, WorksOverTcpLoopback) {
  auto [ch0, ch1] = testing::tcp_pair();
  core::Prg sender_prg(seed_of(16));
  core::Prg receiver_prg(seed_of(17));
  const auto [sent, received] = run_parties(
      *ch0, *ch1, [&](net::Channel& ch) { return CotSender(ch, sender_prg).get(100'000); },
      [&](net::Channel& ch) { return CotReceiver(ch, receiver_prg).get(100'000); });
  testing::expect_cot_relation(sent, received);
  EXPECT_EQ(testing::distinct(received.t), 100'000u);
  // Receiver: the base-OT count and point A, then the count and 128 bits per OT of the one
  // 2^17 batch. Sender: the 128 base-OT points B_j.
  EXPECT_EQ(ch1->counters().bytes_sent, 8 + 32 + 8 + kDefaultCotBatch * 16);
  EXPECT_EQ(ch0->counters().bytes_sent, 128u * 32u);
}

}  // namespace
}  // namespace twain::ot
