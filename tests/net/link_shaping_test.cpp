// ShapedChannel: delivery is delayed by latency and serialisation, counters stay payload-only.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <future>
#include <thread>
#include <vector>

#include "core/errors.hpp"
#include "core/prg.hpp"
#include "net/link_shaping.hpp"
#include "net/memory_channel.hpp"
#include "net/tcp_channel.hpp"

namespace twain::net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const LinkProfile kTestLink{100e6, 20ms};  // 100 Mbit/s, 20 ms one way

struct ShapedPair {
  std::unique_ptr<ShapedChannel> a;
  std::unique_ptr<ShapedChannel> b;
};

ShapedPair shaped_memory_pair(const LinkProfile& profile) {
  MemoryChannelOptions options;
  options.timeout = 10s;
  auto [a, b] = make_memory_channel_pair(options);
  return {std::make_unique<ShapedChannel>(std::move(a), profile),
          std::make_unique<ShapedChannel>(std::move(b), profile)};
}

TEST(LinkProfile, PresetsAndParsing) {
  EXPECT_EQ(LinkProfile::lan().bandwidth_bits_per_second, 3e9);
  EXPECT_EQ(LinkProfile::lan().one_way_latency, 150us);
  EXPECT_EQ(LinkProfile::wan().bandwidth_bits_per_second, 400e6);
  EXPECT_EQ(LinkProfile::wan().one_way_latency, 20ms);
  ASSERT_TRUE(parse_link_profile("lan").has_value());
  EXPECT_EQ(parse_link_profile("lan")->bandwidth_bits_per_second, 3e9);
  ASSERT_TRUE(parse_link_profile("wan").has_value());
  EXPECT_EQ(parse_link_profile("wan")->one_way_latency, 20ms);
  EXPECT_FALSE(parse_link_profile("none").has_value());
  EXPECT_THROW((void)parse_link_profile("fast"), InvalidArgument);
  EXPECT_THROW((void)parse_link_profile(""), InvalidArgument);
  EXPECT_EQ(LinkProfile::wan().describe(), "400 Mbit/s, 20 ms one-way");
  EXPECT_EQ(LinkProfile::lan().describe(), "3 Gbit/s, 0.15 ms one-way");
  // 1 MB at 400 Mbit/s is 20 ms on the wire.
  EXPECT_EQ(LinkProfile::wan().transfer_time(1'000'000), 20ms);
}

TEST(ShapedChannel, RejectsBadProfiles) {
  auto [a, b] = make_memory_channel_pair();
  EXPECT_THROW(ShapedChannel(std::move(a), LinkProfile{0, 1ms}), InvalidArgument);
  EXPECT_THROW(ShapedChannel(std::move(b), LinkProfile{1e6, -1ms}), InvalidArgument);
  EXPECT_THROW(ShapedChannel(nullptr, LinkProfile::lan()), InvalidArgument);
}

TEST(LinkProfile, ValidationNamesTheField) {
  const auto expect_rejected = [](const LinkProfile& profile, const std::string& field) {
    try {
      profile.validate();
      ADD_FAILURE() << profile.bandwidth_bits_per_second << " bit/s, "
                    << profile.one_way_latency.count() << " ns was accepted";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (const double bandwidth : {0.0, -1e6, 999.0, 1e-300, kInf, -kInf, std::nan("")}) {
    expect_rejected(LinkProfile{bandwidth, 1ms}, "bandwidth_bits_per_second");
  }
  for (const std::chrono::nanoseconds latency :
       {std::chrono::nanoseconds(-1), std::chrono::nanoseconds(10s) + std::chrono::nanoseconds(1),
        std::chrono::nanoseconds(std::chrono::hours(1'000'000)),
        std::chrono::nanoseconds::max(), std::chrono::nanoseconds::min()}) {
    expect_rejected(LinkProfile{1e6, latency}, "one_way_latency");
  }
  EXPECT_NO_THROW(LinkProfile({1e3, 10s}).validate());
  EXPECT_NO_THROW(LinkProfile::lan().validate());
  EXPECT_NO_THROW(LinkProfile::wan().validate());

  // The ShapedChannel constructor reports the same field.
  auto [a, b] = make_memory_channel_pair();
  try {
    ShapedChannel shaped(std::move(a), LinkProfile{1e6, std::chrono::hours(1)});
    ADD_FAILURE() << "a latency of 1 h was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("one_way_latency"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(ShapedChannel(std::move(b), LinkProfile{1e3, 10s}));
}

TEST(LinkProfile, TransferTimeIsComputedSafely) {
  const LinkProfile slowest{LinkProfile::kMinBandwidthBitsPerSecond, 0ns};
  EXPECT_EQ(slowest.transfer_time(1), 8ms);
  EXPECT_EQ(slowest.transfer_time(0), 0ns);
  // 2^64 bytes at 1 kbit/s is about 1.5e26 ns: not representable, so it saturates.
  EXPECT_EQ(slowest.transfer_time(std::numeric_limits<std::size_t>::max()),
            std::chrono::nanoseconds::max());
  EXPECT_EQ(LinkProfile::lan().transfer_time(std::numeric_limits<std::size_t>::max()),
            std::chrono::nanoseconds::max());
  // An unvalidated profile (bandwidth 0 would divide to infinity) is rejected, not cast.
  EXPECT_THROW((void)LinkProfile{}.transfer_time(1), InvalidArgument);
}

TEST(ShapedChannel, SenderFarAheadOfTheLinkIsNetworkError) {
  // 1 MiB at 1 kbit/s would arrive in about 2.3 hours; the receiver rejects stamps over an
  // hour ahead, so the sender reports it instead of sending stamps nobody accepts.
  auto [a, b] = make_memory_channel_pair();
  ShapedChannel shaped(std::move(a), LinkProfile{1e3, 0ns});
  std::vector<uint8_t> data(std::size_t{1} << 20, 4);
  const auto start = Clock::now();
  try {
    shaped.send(data.data(), data.size());
    shaped.flush();
    ADD_FAILURE() << "expected NetworkError";
  } catch (const NetworkError& e) {
    EXPECT_NE(std::string(e.what()).find("too far ahead of the link"), std::string::npos)
        << e.what();
  }
  EXPECT_LT(Clock::now() - start, 2s);
}

TEST(ShapedChannel, PingPongPaysLatencyEveryRound) {
  auto [a, b] = shaped_memory_pair(kTestLink);
  constexpr int kRounds = 10;
  auto peer = std::async(std::launch::async, [p = b.get()] {
    for (int i = 0; i < kRounds; ++i) p->send_u64(p->recv_u64() * 3);
    p->flush();
  });
  const auto start = Clock::now();
  for (uint64_t i = 0; i < kRounds; ++i) {
    a->send_u64(i);
    ASSERT_EQ(a->recv_u64(), 3 * i);
  }
  const auto elapsed = Clock::now() - start;
  peer.get();
  EXPECT_GE(elapsed, kRounds * 2 * 20ms);
  EXPECT_LT(elapsed, 5s);
  // Counters see payload only, not the delivery stamps underneath.
  EXPECT_EQ(a->counters().bytes_sent, kRounds * 8u);
  EXPECT_EQ(a->counters().bytes_received, kRounds * 8u);
  EXPECT_EQ(a->counters().rounds, static_cast<uint64_t>(kRounds));
  EXPECT_GT(a->inner().counters().bytes_sent, a->counters().bytes_sent);
}

TEST(ShapedChannel, BulkTransferPaysBandwidth) {
  auto [a, b] = shaped_memory_pair(kTestLink);
  constexpr std::size_t kBytes = 10'000'000;  // 0.8 s at 100 Mbit/s
  std::vector<uint8_t> data(kBytes);
  core::Prg(core::Seed{1, 2, 3}).fill(data.data(), data.size());
  const auto start = Clock::now();
  auto sender = std::async(std::launch::async, [&, p = a.get()] {
    p->send(data.data(), data.size());
    p->flush();
  });
  std::vector<uint8_t> got(kBytes);
  b->recv(got.data(), got.size());
  const auto elapsed = Clock::now() - start;
  sender.get();
  EXPECT_EQ(got, data);
  EXPECT_GE(elapsed, 800ms + 20ms);
  EXPECT_LT(elapsed, 5s);
  EXPECT_EQ(a->counters().bytes_sent, kBytes);
  EXPECT_EQ(b->counters().bytes_received, kBytes);
}

TEST(ShapedChannel, SerialisationQueuesBehindEarlierData) {
  // Two flushes back to back: the second cannot arrive before both have crossed the link.
  auto [a, b] = shaped_memory_pair(LinkProfile{80e6, 5ms});  // 10 MB/s
  std::vector<uint8_t> first(2'000'000, 1), second(1'000, 2);
  const auto start = Clock::now();
  a->send(first.data(), first.size());
  a->flush();
  a->send(second.data(), second.size());
  a->flush();
  std::vector<uint8_t> got(first.size() + second.size());
  b->recv(got.data(), got.size());
  // 2.001 MB at 10 MB/s is 200 ms, plus 5 ms latency.
  EXPECT_GE(Clock::now() - start, 205ms);
}

TEST(ShapedChannel, OverTcpAcrossThreads) {
  TcpOptions options;
  options.io_timeout = 5s;
  TcpListener listener(0, "127.0.0.1", options);
  auto client_future = std::async(std::launch::async, [&] {
    return TcpChannel::connect("127.0.0.1", listener.port(), options);
  });
  auto server = shape(listener.accept(5s), LinkProfile{1e9, 10ms});
  auto client = shape(client_future.get(), LinkProfile{1e9, 10ms});
  auto echo = std::async(std::launch::async, [s = server.get()] {
    for (int i = 0; i < 3; ++i) s->send_message(s->recv_message(1 << 20));
    s->flush();
  });
  const auto start = Clock::now();
  std::vector<uint8_t> message(100'000, 9);
  for (int i = 0; i < 3; ++i) {
    client->send_message(message);
    ASSERT_EQ(client->recv_message(1 << 20), message);
  }
  echo.get();
  // Three round trips of 2 x (10 ms + 0.8 ms serialisation).
  EXPECT_GE(Clock::now() - start, 3 * 2 * 10ms);
  EXPECT_EQ(client->counters().bytes_sent, 3 * (message.size() + 8));
}

TEST(ShapedChannel, NoneProfileLeavesChannelUnwrapped) {
  auto [a, b] = make_memory_channel_pair();
  Channel* raw = a.get();
  auto same = shape(std::move(a), parse_link_profile("none"));
  EXPECT_EQ(same.get(), raw);
}

TEST(ShapedChannel, UnshapedPeerIsDetectedAsFormatError) {
  auto [a, b] = make_memory_channel_pair();
  ShapedChannel shaped(std::move(b), LinkProfile::lan());
  a->send_u64(0);          // a "delivery stamp" ...
  a->send_u64(1u << 30);   // ... declaring a segment far over the limit
  a->flush();
  EXPECT_THROW((void)shaped.recv_u64(), FormatError);
}

TEST(ShapedChannel, PeerClosingIsNetworkError) {
  auto [a, b] = shaped_memory_pair(LinkProfile::lan());
  a->send_u64(5);
  a.reset();
  EXPECT_EQ(b->recv_u64(), 5u);
  std::vector<uint8_t> buffer(100);
  try {
    b->recv(buffer.data(), buffer.size());
    FAIL() << "expected NetworkError";
  } catch (const TimeoutError& e) {
    FAIL() << "expected a closed-peer error, got a timeout: " << e.what();
  } catch (const NetworkError& e) {
    EXPECT_NE(std::string(e.what()).find("0 of 100 bytes"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace twain::net
