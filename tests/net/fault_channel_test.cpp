// net::FaultChannel against a memory pair: each fault fires at its byte and does what it says.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <numeric>

#include "core/errors.hpp"
#include "net/fault_channel.hpp"
#include "net/memory_channel.hpp"

namespace twain::net {
namespace {

using namespace std::chrono_literals;

MemoryChannelOptions quick() {
  MemoryChannelOptions options;
  options.timeout = 300ms;
  return options;
}

std::array<uint8_t, 100> counting() {
  std::array<uint8_t, 100> bytes{};
  std::iota(bytes.begin(), bytes.end(), uint8_t{0});
  return bytes;
}

TEST(FaultChannel, CutOnSendDeliversTheBytesBeforeItThenEndsBothSides) {
  auto [a, b] = make_memory_channel_pair(quick());
  FaultChannel faulty(*a, {FaultKind::kCut, true, 40, {}});
  const auto bytes = counting();
  EXPECT_THROW(faulty.send(bytes.data(), bytes.size()), NetworkError);
  EXPECT_TRUE(faulty.fired());
  std::array<uint8_t, 40> got{};
  b->recv(got.data(), got.size());
  EXPECT_TRUE(std::equal(got.begin(), got.end(), bytes.begin()));
  uint8_t more = 0;
  EXPECT_THROW(b->recv(&more, 1), NetworkError);  // closed, not a timeout
  EXPECT_THROW(faulty.send(bytes.data(), 1), NetworkError);
}

TEST(FaultChannel, StallOnSendSwallowsTheRestAndThePeerTimesOut) {
  auto [a, b] = make_memory_channel_pair(quick());
  FaultChannel faulty(*a, {FaultKind::kStall, true, 10, {}});
  const auto bytes = counting();
  faulty.send(bytes.data(), bytes.size());
  faulty.flush();
  std::array<uint8_t, 10> got{};
  b->recv(got.data(), got.size());
  EXPECT_TRUE(std::equal(got.begin(), got.end(), bytes.begin()));
  uint8_t more = 0;
  EXPECT_THROW(b->recv(&more, 1), TimeoutError);
}

TEST(FaultChannel, StallOnReceiveEndsInTheInnerTimeout) {
  auto [a, b] = make_memory_channel_pair(quick());
  FaultChannel faulty(*b, {FaultKind::kStall, false, 5, {}});
  const auto bytes = counting();
  a->send(bytes.data(), bytes.size());
  a->flush();
  std::array<uint8_t, 20> got{};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(faulty.recv(got.data(), got.size()), TimeoutError);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_TRUE(std::equal(got.begin(), got.begin() + 5, bytes.begin()));
}

TEST(FaultChannel, PauseOnReceiveDelaysButDeliversEverything) {
  auto [a, b] = make_memory_channel_pair(quick());
  FaultChannel faulty(*b, {FaultKind::kPause, false, 50, 150ms});
  const auto bytes = counting();
  a->send(bytes.data(), bytes.size());
  a->flush();
  std::array<uint8_t, 100> got{};
  const auto start = std::chrono::steady_clock::now();
  faulty.recv(got.data(), got.size());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
  EXPECT_EQ(got, bytes);
  EXPECT_TRUE(faulty.fired());
}

TEST(FaultChannel, CutOnReceiveAfterTheGivenBytes) {
  auto [a, b] = make_memory_channel_pair(quick());
  FaultChannel faulty(*b, {FaultKind::kCut, false, 30, {}});
  const auto bytes = counting();
  a->send(bytes.data(), bytes.size());
  a->flush();
  std::array<uint8_t, 30> first{};
  faulty.recv(first.data(), first.size());  // exactly up to the fault: nothing fires yet
  EXPECT_FALSE(faulty.fired());
  uint8_t next = 0;
  EXPECT_THROW(faulty.recv(&next, 1), NetworkError);
  a->send(bytes.data(), 1);
  EXPECT_THROW(a->flush(), NetworkError);  // the peer sees the closed connection
}

TEST(FaultChannel, DuplicateOnSendRepeatsThatByteAndShiftsTheRest) {
  auto [a, b] = make_memory_channel_pair(quick());
  FaultChannel faulty(*a, {FaultKind::kDuplicate, true, 37, {}});
  const auto bytes = counting();
  faulty.send(bytes.data(), bytes.size());
  faulty.flush();
  std::array<uint8_t, 101> got{};
  b->recv(got.data(), got.size());
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.begin() + 38, got.begin()));
  EXPECT_EQ(got[38], bytes[37]);
  EXPECT_TRUE(std::equal(bytes.begin() + 38, bytes.end(), got.begin() + 39));
}

TEST(FaultChannel, DuplicateOnReceiveRepeatsThatByteEvenAtTheEndOfARead) {
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{100}}) {
    SCOPED_TRACE("reads of " + std::to_string(chunk) + " bytes");
    auto [a, b] = make_memory_channel_pair(quick());
    FaultChannel faulty(*b, {FaultKind::kDuplicate, false, 20, {}});  // 20 ends a 7-byte read
    const auto bytes = counting();
    a->send(bytes.data(), bytes.size());
    a->flush();
    std::array<uint8_t, 100> got{};
    for (std::size_t at = 0; at < got.size(); at += chunk) faulty.recv(got.data() + at, std::min(chunk, got.size() - at));
    EXPECT_TRUE(std::equal(bytes.begin(), bytes.begin() + 21, got.begin()));
    EXPECT_EQ(got[21], bytes[20]);
    EXPECT_TRUE(std::equal(bytes.begin() + 21, bytes.end() - 1, got.begin() + 22));
    EXPECT_NE(faulty.received_digest(), a->sent_digest());
  }
}

TEST(FaultChannel, CorruptFlipsTheMaskedBitsOfThatByteOnly) {
  for (const bool on_send : {true, false}) {
    SCOPED_TRACE(on_send ? "on send" : "on receive");
    auto [a, b] = make_memory_channel_pair(quick());
    FaultPlan plan{FaultKind::kCorrupt, on_send, 63, {}};
    plan.corrupt_mask = 0x90;
    FaultChannel faulty(on_send ? *a : *b, plan);
    Channel& sender = on_send ? static_cast<Channel&>(faulty) : *a;
    Channel& receiver = on_send ? static_cast<Channel&>(*b) : faulty;
    const auto bytes = counting();
    sender.send(bytes.data(), bytes.size());
    sender.flush();
    std::array<uint8_t, 100> got{};
    receiver.recv(got.data(), got.size());
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], i == 63 ? (bytes[i] ^ 0x90) : bytes[i]) << i;
    // The checksums of the two ends now differ, which the end-of-session check reports.
    EXPECT_NE(sender.sent_digest(), receiver.received_digest());
  }
  auto [a, b] = make_memory_channel_pair(quick());
  FaultPlan zero{FaultKind::kCorrupt, true, 0, {}};
  zero.corrupt_mask = 0;
  EXPECT_THROW(FaultChannel(*a, zero), InvalidArgument);
}

TEST(FaultChannel, RandomPlansAreReproducibleAndInRange) {
  core::Prg one(core::Seed{5}), two(core::Seed{5});
  std::array<bool, kFaultKinds> kinds{};
  for (int i = 0; i < 100; ++i) {
    const auto p = FaultPlan::random(one, 1000, 10, 5ms);
    const auto q = FaultPlan::random(two, 1000, 10, 5ms);
    EXPECT_EQ(p.describe(), q.describe());
    EXPECT_LT(p.at_byte, p.on_send ? 1000u : 10u);
    EXPECT_NE(p.corrupt_mask, 0);
    kinds[static_cast<std::size_t>(p.kind)] = true;
  }
  for (int kind = 0; kind < kFaultKinds; ++kind) EXPECT_TRUE(kinds[static_cast<std::size_t>(kind)]) << kind;
  EXPECT_THROW(FaultPlan::random(one, 0, 0, 5ms), InvalidArgument);
}

}  // namespace
}  // namespace twain::net
