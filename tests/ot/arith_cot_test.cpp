// l-bit correlated OT: y = r + b x mod 2^l for random and chosen choices, hostile messages.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "core/bit_packing.hpp"
#include "core/errors.hpp"
#include "ot/arith_cot.hpp"
#include "ot_test_support.hpp"

namespace twain::ot {
namespace {

using testing::memory_pair;
using testing::run_parties;
using testing::seed_of;

uint64_t mask_of(int bits) { return bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

std::vector<uint64_t> random_values(std::size_t n, int bits, uint8_t tag) {
  core::Prg prg(seed_of(tag));
  std::vector<uint64_t> x(n);
  for (auto& v : x) v = prg.next_u64() & mask_of(bits);
  return x;
}

// Runs n l-bit COTs on correlations x; with `chosen`, the receiver picks these choice bits.
struct ArithRun {
  std::vector<uint64_t> r;
  std::vector<uint64_t> y;
  core::BitVector choices;
  net::ChannelCounters sender_traffic;
};

ArithRun run_arith(const std::vector<uint64_t>& x, int bits, const core::BitVector* chosen) {
  auto [ch0, ch1] = memory_pair();
  core::Prg sender_prg(seed_of(1));
  core::Prg receiver_prg(seed_of(2));
  ArithRun run;
  auto [r, received] = run_parties(
      *ch0, *ch1,
      [&](net::Channel& ch) {
        CotSender cot(ch, sender_prg, 1 << 16);
        const CotSenderBatch batch = chosen != nullptr ? cot.get_chosen(x.size()) : cot.get(x.size());
        const net::ChannelCounters before = ch.counters();
        auto out = arith_cot_send(ch, batch, bits, x);
        run.sender_traffic = ch.counters() - before;
        return out;
      },
      [&](net::Channel& ch) {
        CotReceiver cot(ch, receiver_prg, 1 << 16);
        CotReceiverBatch batch = chosen != nullptr ? cot.get(*chosen) : cot.get(x.size());
        auto y = arith_cot_receive(ch, batch, bits);
        return std::make_pair(std::move(y), std::move(batch.choices));
      });
  run.r = std::move(r);
  run.y = std::move(received.first);
  run.choices = std::move(received.second);
  return run;
}

void expect_relation(const ArithRun& run, const std::vector<uint64_t>& x, int bits) {
  const uint64_t mask = mask_of(bits);
  ASSERT_EQ(run.r.size(), x.size());
  ASSERT_EQ(run.y.size(), x.size());
  for (std::size_t k = 0; k < x.size(); ++k) {
    ASSERT_EQ(run.r[k] & ~mask, 0u) << k;
    ASSERT_EQ(run.y[k], (run.r[k] + (run.choices.get(k) ? x[k] : 0)) & mask) << "OT " << k << ", l = " << bits;
  }
}

TEST(ArithCot, RandomChoicesAtSeveralWidths) {
  for (int bits : {1, 13, 37, 64}) {
    const std::size_t n = bits == 37 ? 100'000 : 5'000;
    const auto x = random_values(n, bits, static_cast<uint8_t>(bits));
    const ArithRun run = run_arith(x, bits, nullptr);
    expect_relation(run, x, bits);
    // l bits per OT, one message.
    EXPECT_EQ(run.sender_traffic.bytes_sent, core::packed_size(n, bits)) << bits;
    EXPECT_EQ(run.sender_traffic.bytes_received, 0u) << bits;
  }
}

TEST(ArithCot, ChosenChoices) {
  core::Prg prg(seed_of(3));
  const core::BitVector choices = core::BitVector::random(20'000, prg);
  const auto x = random_values(choices.size(), 37, 4);
  const ArithRun run = run_arith(x, 37, &choices);
  EXPECT_EQ(run.choices, choices);
  expect_relation(run, x, 37);
}

TEST(ArithCot, RejectsBadArguments) {
  auto [ch0, ch1] = memory_pair();
  CotSenderBatch batch{0, core::Block{1, 2}, std::vector<core::Block>(4)};
  const std::vector<uint64_t> x = {1, 2, 3, 4};
  EXPECT_THROW(arith_cot_send(*ch0, batch, 0, x), InvalidArgument);
  EXPECT_THROW(arith_cot_send(*ch0, batch, 65, x), InvalidArgument);
  EXPECT_THROW(arith_cot_send(*ch0, batch, 2, x), InvalidArgument);  // 4 needs 3 bits
  EXPECT_THROW(arith_cot_send(*ch0, batch, 8, std::vector<uint64_t>{1, 2}), InvalidArgument);
  EXPECT_EQ(ch0->counters().bytes_sent, 0u);
}

TEST(ArithCot, ReceiverRejectsNonZeroPadding) {
  auto [ch0, ch1] = memory_pair();
  // 3 OTs of 5 bits: 15 bits in 2 bytes; the last bit is padding and set here.
  const std::array<uint8_t, 2> message = {0x00, 0x80};
  ch0->send(message.data(), message.size());
  ch0->flush();
  const CotReceiverBatch batch{0, core::BitVector(3), std::vector<core::Block>(3)};
  EXPECT_THROW(arith_cot_receive(*ch1, batch, 5), FormatError);
}

TEST(ArithCot, ReceiverThrowsNetworkErrorOnATruncatedMessage) {
  auto [ch0, ch1] = memory_pair();
  const std::array<uint8_t, 10> partial{};
  ch0->send(partial.data(), partial.size());
  ch0->close();
  const CotReceiverBatch batch{0, core::BitVector(100), std::vector<core::Block>(100)};
  EXPECT_THROW(arith_cot_receive(*ch1, batch, 37), NetworkError);
}

}  // namespace
}  // namespace twain::ot
