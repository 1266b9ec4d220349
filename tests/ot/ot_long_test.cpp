// Long tests, opt-in: TWAIN_LONG_TESTS=1 runs them (else they are skipped). Ferret's full
// parameter set over >= 10^7 outputs: the COT relation, random OTs, bit triples, balance and no
// repeats, across Ferret iterations.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "net/memory_channel.hpp"
#include "ot/bit_triples.hpp"
#include "ot/ferret.hpp"
#include "ot/random_ot.hpp"
#include "ot_test_support.hpp"

namespace twain::ot {
namespace {

using testing::run_parties;
using testing::seed_of;

constexpr std::size_t kLong = 10'000'000;

bool long_tests_enabled() {
  const char* flag = std::getenv("TWAIN_LONG_TESTS");
  return flag != nullptr && std::strcmp(flag, "1") == 0;
}

#define TWAIN_REQUIRE_LONG()                                            \
  if (!long_tests_enabled()) GTEST_SKIP() << "set TWAIN_LONG_TESTS=1 to run"

// A pair whose ends wait up to a minute (a Ferret iteration on a loaded machine takes seconds).
auto patient_pair() {
  net::MemoryChannelOptions options;
  options.timeout = std::chrono::seconds(60);
  return net::make_memory_channel_pair(options);
}

// |ones - n/2| within 6 standard deviations.
void expect_balanced(std::size_t ones, std::size_t n) {
  const double count = static_cast<double>(n);
  EXPECT_LT(std::abs(static_cast<double>(ones) - count / 2), 6 * std::sqrt(count) / 2);
}

TEST(OtLong, FerretCorrelatedAndRandomOts) {
  TWAIN_REQUIRE_LONG();
  auto [ch0, ch1] = patient_pair();
  core::Prg sender_prg(seed_of(70));
  core::Prg receiver_prg(seed_of(71));
  // 10^7 COTs, then 10^7 random OTs hashed from the buffer (about two Ferret iterations, so
  // both cross an iteration boundary).
  const auto [sent, received] = run_parties(
      *ch0, *ch1,
      [&](net::Channel& ch) {
        FerretCotSender cot(ch, sender_prg);
        CotSenderBatch c = cot.get(kLong);
        return std::make_pair(std::move(c), random_ot(cot, kLong));
      },
      [&](net::Channel& ch) {
        FerretCotReceiver cot(ch, receiver_prg);
        CotReceiverBatch c = cot.get(kLong);
        return std::make_pair(std::move(c), random_ot(cot, kLong));
      });
  testing::expect_cot_relation(sent.first, received.first);
  expect_balanced(received.first.choices.popcount(), kLong);
  EXPECT_EQ(testing::distinct(received.first.t), kLong);

  const RotSenderBatch& s = sent.second;
  const RotReceiverBatch& r = received.second;
  ASSERT_EQ(s.m.size(), kLong);
  ASSERT_EQ(r.m.size(), kLong);
  for (std::size_t i = 0; i < kLong; ++i) {
    ASSERT_EQ(r.m[i], s.m[i][r.choices.get(i) ? 1 : 0]) << i;
    ASSERT_FALSE(s.m[i][0] == s.m[i][1]) << i;
  }
  expect_balanced(r.choices.popcount(), kLong);
  EXPECT_EQ(testing::distinct(r.m), kLong);
}

TEST(OtLong, FerretBitTriples) {
  TWAIN_REQUIRE_LONG();
  auto [ch0, ch1] = patient_pair();
  core::Prg prg0(seed_of(72));
  core::Prg prg1(seed_of(73));
  const auto [first, second] = run_parties(
      *ch0, *ch1,
      [&](net::Channel& ch) {
        return BitTripleProvider(Party::kFirst, ch, prg0, kFerretRegular128, kLong / 4).get(kLong);
      },
      [&](net::Channel& ch) {
        return BitTripleProvider(Party::kSecond, ch, prg1, kFerretRegular128, kLong / 4).get(kLong);
      });
  const auto a0 = first.a.words();
  const auto b0 = first.b.words();
  const auto c0 = first.c.words();
  const auto a1 = second.a.words();
  const auto b1 = second.b.words();
  const auto c1 = second.c.words();
  for (std::size_t w = 0; w < a0.size(); ++w) {
    ASSERT_EQ((a0[w] ^ a1[w]) & (b0[w] ^ b1[w]), c0[w] ^ c1[w]) << "word " << w;
  }
  expect_balanced((first.a ^ second.a).popcount(), kLong);
  expect_balanced((first.b ^ second.b).popcount(), kLong);
  expect_balanced(first.a.popcount(), kLong);
  expect_balanced(second.b.popcount(), kLong);
}

}  // namespace
}  // namespace twain::ot
