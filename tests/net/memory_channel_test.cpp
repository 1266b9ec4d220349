// Channel semantics over the in-memory pair: typed round trips, counters, framing, failures.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <new>
#include <numeric>
#include <thread>
#include <vector>

#include "core/errors.hpp"
#include "core/prg.hpp"
#include "net/memory_channel.hpp"
#include "slow_drip.hpp"

// The replacement operator new below hands out malloc memory, so free() matches it.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

// Allocation probe: while armed on a thread, records the largest single allocation it makes.
// ThreadSanitizer's runtime defines operator new itself, so under TSan there is no probe and the
// two tests that read it are skipped (the plain and ASan runs keep them).
#if defined(__SANITIZE_THREAD__)
#define TWAIN_ALLOCATION_PROBE 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TWAIN_ALLOCATION_PROBE 0
#endif
#endif
#ifndef TWAIN_ALLOCATION_PROBE
#define TWAIN_ALLOCATION_PROBE 1
#endif

namespace {
thread_local bool probe_armed = false;
thread_local std::size_t probe_largest = 0;
}  // namespace

#if TWAIN_ALLOCATION_PROBE
void* operator new(std::size_t size) {
  if (probe_armed && size > probe_largest) probe_largest = size;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

#define SKIP_WITHOUT_ALLOCATION_PROBE() \
  if (!TWAIN_ALLOCATION_PROBE) GTEST_SKIP() << "no allocation probe under ThreadSanitizer"

namespace twain::net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A failing test should fail in seconds, not wait for the 30 s default.
auto test_pair(MemoryChannelOptions options = {}) {
  if (options.timeout > 5s) options.timeout = 5s;
  return make_memory_channel_pair(options);
}

core::Seed seed_of(uint8_t tag) {
  core::Seed seed{};
  seed.fill(tag);
  return seed;
}

TEST(MemoryChannel, TypedRoundTrip) {
  auto [a, b] = test_pair();
  std::vector<uint64_t> words(1000);
  core::Prg(seed_of(1)).fill(std::span<uint64_t>(words));
  std::array<uint32_t, 3> small = {7, 8, 9};
  a->send(std::span<const uint64_t>(words));
  a->send(std::span(small));
  a->send_u64(0x0123456789abcdefULL);
  a->flush();

  std::vector<uint64_t> got(words.size());
  std::array<uint32_t, 3> got_small{};
  b->recv(std::span(got));
  b->recv(std::span(got_small));
  EXPECT_EQ(got, words);
  EXPECT_EQ(got_small, small);
  EXPECT_EQ(b->recv_u64(), 0x0123456789abcdefULL);
}

TEST(MemoryChannel, LargeTransferAcrossThreadsIsExact) {
  MemoryChannelOptions options;
  options.queue_capacity_bytes = 1 << 20;  // forces back-pressure on the sender
  auto a_b = test_pair(options);
  auto& a = a_b.first;
  auto& b = a_b.second;
  constexpr std::size_t kBytes = 24 << 20;
  std::thread sender([&a] {
    std::vector<uint8_t> data(kBytes);
    core::Prg(seed_of(2)).fill(data.data(), data.size());
    a->send(data.data(), data.size());
    a->flush();
  });
  std::vector<uint8_t> got(kBytes), want(kBytes);
  b->recv(got.data(), got.size());
  sender.join();
  core::Prg(seed_of(2)).fill(want.data(), want.size());
  EXPECT_EQ(got, want);
  EXPECT_EQ(a->counters().bytes_sent, kBytes);
  EXPECT_EQ(b->counters().bytes_received, kBytes);
}

TEST(MemoryChannel, CountersForScriptedPingPong) {
  auto a_b = test_pair();
  auto& a = a_b.first;
  auto& b = a_b.second;
  std::thread peer([&b] {
    for (int i = 0; i < 5; ++i) {
      const uint64_t v = b->recv_u64();
      b->send_u64(v + 1);
      b->send_u64(v + 2);  // two sends in a row: still one round
    }
    b->flush();
  });
  for (uint64_t i = 0; i < 5; ++i) {
    a->send_u64(10 * i);
    EXPECT_EQ(a->recv_u64(), 10 * i + 1);
    EXPECT_EQ(a->recv_u64(), 10 * i + 2);
  }
  peer.join();
  const ChannelCounters ca = a->counters();
  const ChannelCounters cb = b->counters();
  EXPECT_EQ(ca.bytes_sent, 5u * 8);
  EXPECT_EQ(ca.bytes_received, 5u * 16);
  EXPECT_EQ(ca.rounds, 5u);
  EXPECT_EQ(ca.messages, 5u);
  EXPECT_EQ(cb.bytes_sent, 5u * 16);
  EXPECT_EQ(cb.bytes_received, 5u * 8);
  EXPECT_EQ(cb.rounds, 5u);
  EXPECT_EQ(cb.messages, 10u);

  a->reset_counters();
  EXPECT_EQ(a->counters(), ChannelCounters{});
  // After a reset the first send counts as a new round.
  a->send_u64(1);
  EXPECT_EQ(a->counters().rounds, 1u);
  a->send_u64(2);
  EXPECT_EQ(a->counters().rounds, 1u);
  EXPECT_EQ(a->counters().bytes_sent, 16u);
  // Empty sends carry nothing and start no round.
  b->reset_counters();
  b->send(nullptr, 0);
  EXPECT_EQ(b->counters().rounds, 0u);
  EXPECT_EQ(b->counters().bytes_sent, 0u);
}

TEST(MemoryChannel, CounterDifference) {
  auto [a, b] = test_pair();
  a->send_u64(1);
  const ChannelCounters before = a->counters();
  a->send_u64(2);
  a->send_u64(3);
  const ChannelCounters delta = a->counters() - before;
  EXPECT_EQ(delta.bytes_sent, 16u);
  EXPECT_EQ(delta.messages, 2u);
  EXPECT_EQ(delta.rounds, 0u);
}

TEST(MemoryChannel, FramedMessageRoundTrip) {
  auto [a, b] = test_pair();
  std::vector<uint8_t> payload(100'000);
  core::Prg(seed_of(3)).fill(payload.data(), payload.size());
  a->send_message(payload);
  a->send_message({});
  a->flush();
  EXPECT_EQ(b->recv_message(payload.size()), payload);
  EXPECT_TRUE(b->recv_message(0).empty());
  EXPECT_EQ(a->counters().bytes_sent, payload.size() + 16);
  EXPECT_EQ(a->counters().messages, 2u);
  EXPECT_EQ(b->counters().bytes_received, payload.size() + 16);
}

TEST(MemoryChannel, OverLimitLengthThrowsFormatErrorWithoutAllocating) {
  SKIP_WITHOUT_ALLOCATION_PROBE();
  auto [a, b] = test_pair();
  for (const uint64_t declared : {uint64_t{1} << 30, uint64_t{1} << 62, ~uint64_t{0}}) {
    a->send_u64(declared);
    a->flush();
    probe_largest = 0;
    probe_armed = true;
    try {
      (void)b->recv_message(1 << 20);
      probe_armed = false;
      ADD_FAILURE() << "no exception for a declared length of " << declared;
    } catch (const FormatError& e) {
      probe_armed = false;
      const std::string what = e.what();
      EXPECT_NE(what.find(std::to_string(declared)), std::string::npos) << what;
      EXPECT_NE(what.find(std::to_string(1 << 20)), std::string::npos) << what;
    }
    probe_armed = false;
    // The exception text itself allocates a little; a payload buffer would be over 1 MiB.
    EXPECT_LT(probe_largest, std::size_t{4096});
  }
}

TEST(MemoryChannel, MessageAtExactlyTheLimitIsAccepted) {
  auto [a, b] = test_pair();
  std::vector<uint8_t> payload(4096, 0x5a);
  a->send_message(payload);
  a->flush();
  EXPECT_EQ(b->recv_message(4096), payload);
  a->send_message(payload);
  a->flush();
  EXPECT_THROW((void)b->recv_message(4095), FormatError);
}

TEST(MemoryChannel, PeerDestroyedMidMessageThrowsNetworkError) {
  auto [a, b] = test_pair();
  a->send_u64(1000);
  std::vector<uint8_t> part(10, 1);
  a->send(part.data(), part.size());
  a.reset();  // flushes what was sent, then closes
  try {
    (void)b->recv_message(1 << 20);
    FAIL() << "expected NetworkError";
  } catch (const TimeoutError&) {
    FAIL() << "expected a closed-peer error, not a timeout";
  } catch (const NetworkError& e) {
    EXPECT_NE(std::string(e.what()).find("10 of 1000 bytes"), std::string::npos) << e.what();
  }
  // Sending to a vanished peer fails too.
  b->send_u64(5);
  EXPECT_THROW(b->flush(), NetworkError);
}

TEST(MemoryChannel, PeerDestroyedWhileBlockedInRecv) {
  auto a_b = test_pair();
  auto& a = a_b.first;
  auto& b = a_b.second;
  std::thread closer([&a] {
    std::this_thread::sleep_for(50ms);
    a->close();
  });
  const auto start = Clock::now();
  EXPECT_THROW((void)b->recv_u64(), NetworkError);
  EXPECT_LT(Clock::now() - start, 5s);
  closer.join();
  a->send_u64(1);
  EXPECT_THROW(a->flush(), NetworkError);
}

TEST(MemoryChannel, RecvTimeoutThrowsTimeoutError) {
  MemoryChannelOptions options;
  options.timeout = 200ms;
  auto [a, b] = test_pair(options);
  const auto start = Clock::now();
  EXPECT_THROW((void)b->recv_u64(), TimeoutError);
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 190ms);
  EXPECT_LT(elapsed, 3s);
}

TEST(MemoryChannel, SendBlockedOnFullQueueTimesOut) {
  MemoryChannelOptions options;
  options.timeout = 200ms;
  options.queue_capacity_bytes = 1 << 16;
  auto [a, b] = test_pair(options);
  std::vector<uint8_t> data(1 << 20, 3);
  EXPECT_THROW(
      {
        a->send(data.data(), data.size());
        a->flush();
      },
      TimeoutError);
}

TEST(MemoryChannel, InvalidArgumentsAreRejected) {
  auto [a, b] = test_pair();
  EXPECT_THROW(a->send(nullptr, 4), InvalidArgument);
  EXPECT_THROW(b->recv(nullptr, 4), InvalidArgument);
  EXPECT_THROW(a->set_timeout(0ms), InvalidArgument);
  MemoryChannelOptions bad;
  bad.queue_capacity_bytes = 0;
  EXPECT_THROW(make_memory_channel_pair(bad), InvalidArgument);
}

TEST(MemoryChannel, TimeoutsBeyondTheMaximumAreRejected) {
  auto [a, b] = test_pair();
  // now + timeout would overflow the clock for these.
  EXPECT_THROW(a->set_timeout(std::chrono::milliseconds::max()), InvalidArgument);
  EXPECT_THROW(a->set_timeout(kMaxChannelTimeout + 1ms), InvalidArgument);
  EXPECT_THROW(a->set_message_timeout(std::chrono::milliseconds::max()), InvalidArgument);
  EXPECT_THROW(a->set_message_timeout(0ms), InvalidArgument);
  EXPECT_NO_THROW(a->set_timeout(kMaxChannelTimeout));
  EXPECT_NO_THROW(a->set_message_timeout(kMaxChannelTimeout));
  MemoryChannelOptions huge;
  huge.timeout = std::chrono::hours(25);
  try {
    (void)make_memory_channel_pair(huge);
    ADD_FAILURE() << "a 25 h timeout was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("timeout"), std::string::npos) << e.what();
  }
  MemoryChannelOptions negative;
  negative.message_timeout = -1ms;
  try {
    (void)make_memory_channel_pair(negative);
    ADD_FAILURE() << "a negative message timeout was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("message_timeout"), std::string::npos) << e.what();
  }
}

// A peer that sends one byte every 50 ms keeps the 5 s inactivity timer alive forever; the
// 300 ms message timeout ends the read regardless.
TEST(MemoryChannel, SlowDripPeerHitsMessageTimeout) {
  MemoryChannelOptions options;
  options.timeout = 5s;
  options.message_timeout = 300ms;
  auto [a, b] = test_pair(options);
  const auto drip = testing::read_from_dripping_peer(*a, *b);
  ASSERT_TRUE(drip.timed_out) << "expected TimeoutError";
  EXPECT_NE(drip.error.find("message timeout of 300 ms"), std::string::npos) << drip.error;
  const auto elapsed = drip.elapsed;
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 2s);
}

// The message timeout covers a whole framed message, not each piece recv_message reads: the
// payload below arrives in three bursts 200 ms apart (each piece faster than 300 ms), 400 ms
// in all.
TEST(MemoryChannel, MessageTimeoutSpansTheWholeFramedMessage) {
  MemoryChannelOptions options;
  options.timeout = 5s;
  options.message_timeout = 300ms;
  auto [a, b] = test_pair(options);
  constexpr std::size_t kPiece = std::size_t{64} << 10;  // recv_message's first read
  constexpr std::size_t kLength = 2 * kPiece + 1;        // reads of 64 KiB, 64 KiB, 1 byte
  std::atomic<bool> stop{false};
  std::thread sender([&stop, a = a.get()] {
    std::vector<uint8_t> data(kPiece, 7);
    a->send_u64(kLength);
    a->send(data.data(), kPiece);
    a->flush();
    for (int i = 0; i < 20 && !stop; ++i) std::this_thread::sleep_for(10ms);
    if (stop) return;
    a->send(data.data(), kPiece);
    a->flush();
    for (int i = 0; i < 20 && !stop; ++i) std::this_thread::sleep_for(10ms);
    if (stop) return;
    a->send(data.data(), 1);
    a->flush();
  });
  const auto start = Clock::now();
  try {
    (void)b->recv_message(1 << 20);
    ADD_FAILURE() << "expected TimeoutError";
  } catch (const TimeoutError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("message timeout of 300 ms"), std::string::npos) << what;
    EXPECT_NE(what.find("framed message of " + std::to_string(kLength) + " bytes"),
              std::string::npos)
        << what;
  }
  const auto elapsed = Clock::now() - start;
  stop = true;
  sender.join();
  EXPECT_LT(elapsed, 2s);
}

// recv_message grows its buffer with the bytes that arrive: a peer that declares 512 MiB and
// sends 10 bytes makes the receiver allocate kilobytes, not the declared length.
TEST(MemoryChannel, DeclaredLengthAloneCommitsNoMemory) {
  SKIP_WITHOUT_ALLOCATION_PROBE();
  auto [a, b] = test_pair();
  constexpr uint64_t kDeclared = uint64_t{512} << 20;
  a->send_u64(kDeclared);
  std::vector<uint8_t> part(10, 1);
  a->send(part.data(), part.size());
  a.reset();  // flushes, then closes
  probe_largest = 0;
  probe_armed = true;
  try {
    (void)b->recv_message(std::size_t{1} << 30);
    probe_armed = false;
    ADD_FAILURE() << "expected NetworkError";
  } catch (const TimeoutError& e) {
    probe_armed = false;
    ADD_FAILURE() << "expected a closed-peer error, not a timeout: " << e.what();
  } catch (const NetworkError& e) {
    probe_armed = false;
    const std::string what = e.what();
    EXPECT_NE(what.find("10 of 65536 bytes"), std::string::npos) << what;
    EXPECT_NE(what.find("framed message of " + std::to_string(kDeclared) + " bytes"),
              std::string::npos)
        << what;
  }
  probe_armed = false;
  EXPECT_LE(probe_largest, std::size_t{64} << 10);
}

TEST(MemoryChannel, FramedMessagesAcrossBufferGrowthSteps) {
  auto [a, b] = test_pair();
  constexpr std::size_t k64 = std::size_t{64} << 10;
  for (const std::size_t length : {k64 - 1, k64, k64 + 1, 2 * k64, 3 * k64 + 5,
                                   std::size_t{3} << 20, (std::size_t{3} << 20) + 17}) {
    std::vector<uint8_t> payload(length);
    core::Prg(seed_of(static_cast<uint8_t>(length))).fill(payload.data(), payload.size());
    a->send_message(payload);
    a->flush();
    b->reset_counters();
    const std::vector<uint8_t> got = b->recv_message(length);
    EXPECT_EQ(got, payload) << "length " << length;
    EXPECT_EQ(b->counters().bytes_received, length + 8) << "length " << length;
  }
}

}  // namespace
}  // namespace twain::net
