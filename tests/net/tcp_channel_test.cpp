// TcpChannel over 127.0.0.1: bulk transfer, counters, and every failure mode of the transport.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <future>
#include <thread>
#include <vector>

#include "core/errors.hpp"
#include "core/prg.hpp"
#include "net/tcp_channel.hpp"
#include "slow_drip.hpp"

namespace twain::net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TcpOptions test_options(std::chrono::milliseconds io_timeout = 10s,
                        std::chrono::milliseconds message_timeout = 60s) {
  TcpOptions options;
  options.io_timeout = io_timeout;
  options.message_timeout = message_timeout;
  options.connect_timeout = 5s;
  return options;
}

struct Connected {
  std::unique_ptr<TcpChannel> server;
  std::unique_ptr<TcpChannel> client;
};

Connected connect_pair(const TcpOptions& options = test_options()) {
  TcpListener listener(0, "127.0.0.1", options);
  EXPECT_NE(listener.port(), 0);
  auto client = std::async(std::launch::async, [&] {
    return TcpChannel::connect("127.0.0.1", listener.port(), options);
  });
  auto server = listener.accept(5s);
  return {std::move(server), client.get()};
}

// A port that was free a moment ago (bound to an ephemeral port, then released).
uint16_t free_port() {
  TcpListener probe(0);
  return probe.port();
}

core::Seed seed_of(uint8_t tag) {
  core::Seed seed{};
  seed.fill(tag);
  return seed;
}

// Sends `total` PRG bytes in chunks of `chunk`, the stream drawn from `seed`.
void send_stream(Channel& channel, const core::Seed& seed, std::size_t total, std::size_t chunk,
                 std::vector<uint8_t>& scratch) {
  core::Prg prg(seed);
  scratch.resize(chunk);
  for (std::size_t done = 0; done < total; done += chunk) {
    const std::size_t n = std::min(chunk, total - done);
    prg.fill(scratch.data(), n);
    channel.send(scratch.data(), n);
  }
  channel.flush();
}

// Receives `total` bytes and checks them against the same PRG stream; returns mismatching chunks.
std::size_t recv_and_check(Channel& channel, const core::Seed& seed, std::size_t total,
                           std::size_t chunk, std::vector<uint8_t>& got,
                           std::vector<uint8_t>& want) {
  core::Prg prg(seed);
  got.resize(chunk);
  want.resize(chunk);
  std::size_t bad = 0;
  for (std::size_t done = 0; done < total; done += chunk) {
    const std::size_t n = std::min(chunk, total - done);
    channel.recv(got.data(), n);
    prg.fill(want.data(), n);
    if (std::memcmp(got.data(), want.data(), n) != 0) ++bad;
  }
  return bad;
}

TEST(TcpChannel, OneGibEachWayWithExactCounters) {
  auto [server, client] = connect_pair();
  constexpr std::size_t kTotal = std::size_t{1} << 30;
  constexpr std::size_t kChunk = std::size_t{8} << 20;
  const core::Seed up = seed_of(0x11), down = seed_of(0x22);

  // Client -> server: the client streams while the server verifies on the other core.
  auto uploader = std::async(std::launch::async, [&, c = client.get()] {
    std::vector<uint8_t> scratch;
    send_stream(*c, up, kTotal, kChunk, scratch);
  });
  std::vector<uint8_t> got, want;
  EXPECT_EQ(recv_and_check(*server, up, kTotal, kChunk, got, want), 0u);
  uploader.get();

  // Server -> client.
  auto downloader = std::async(std::launch::async, [&, c = client.get()] {
    std::vector<uint8_t> g, w;
    return recv_and_check(*c, down, kTotal, kChunk, g, w);
  });
  send_stream(*server, down, kTotal, kChunk, got);
  EXPECT_EQ(downloader.get(), 0u);

  EXPECT_EQ(client->counters().bytes_sent, kTotal);
  EXPECT_EQ(client->counters().bytes_received, kTotal);
  EXPECT_EQ(server->counters().bytes_sent, kTotal);
  EXPECT_EQ(server->counters().bytes_received, kTotal);
  EXPECT_EQ(client->counters().rounds, 1u);
  EXPECT_EQ(server->counters().rounds, 1u);
  EXPECT_EQ(client->counters().messages, kTotal / kChunk);
}

TEST(TcpChannel, SmallMessagesPingPong) {
  auto [server, client] = connect_pair();
  auto echo = std::async(std::launch::async, [s = server.get()] {
    for (int i = 0; i < 1000; ++i) {
      const auto message = s->recv_message(64);
      s->send_message(message);
    }
    s->flush();
  });
  for (int i = 0; i < 1000; ++i) {
    std::vector<uint8_t> message(static_cast<std::size_t>(i % 64), static_cast<uint8_t>(i));
    client->send_message(message);
    ASSERT_EQ(client->recv_message(64), message);
  }
  echo.get();
  EXPECT_EQ(client->counters().rounds, 1000u);
  EXPECT_EQ(server->counters().rounds, 1000u);
  EXPECT_EQ(client->counters().bytes_sent, server->counters().bytes_received);
  EXPECT_EQ(server->counters().bytes_sent, client->counters().bytes_received);
}

TEST(TcpChannel, PeerDisconnectingMidMessageIsNetworkError) {
  auto [server, client] = connect_pair(test_options(2s));
  client->send_u64(1000);
  std::vector<uint8_t> part(10, 7);
  client->send(part.data(), part.size());
  client.reset();  // flushes the 18 bytes, then closes
  const auto start = Clock::now();
  try {
    (void)server->recv_message(1 << 20);
    FAIL() << "expected NetworkError";
  } catch (const TimeoutError& e) {
    FAIL() << "expected a closed-connection error, got a timeout: " << e.what();
  } catch (const NetworkError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("closed the connection after 10 of 1000 bytes"), std::string::npos) << what;
    EXPECT_NE(what.find("127.0.0.1:"), std::string::npos) << what;
  }
  EXPECT_LT(Clock::now() - start, 2s);
}

TEST(TcpChannel, OverLimitLengthFromPeerIsFormatError) {
  auto [server, client] = connect_pair(test_options(2s));
  client->send_u64(uint64_t{1} << 40);
  client->flush();
  try {
    (void)server->recv_message(1 << 20);
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(uint64_t{1} << 40)), std::string::npos);
  }
}

TEST(TcpChannel, StallingPeerIsTimeoutError) {
  auto [server, client] = connect_pair(test_options(300ms));
  const auto start = Clock::now();
  try {
    (void)server->recv_u64();
    FAIL() << "expected TimeoutError";
  } catch (const TimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("300 ms"), std::string::npos) << e.what();
  }
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 3s);
}

TEST(TcpChannel, StalledReaderMakesSendTimeOut) {
  auto [server, client] = connect_pair(test_options(300ms));
  std::vector<uint8_t> data(std::size_t{64} << 20, 1);  // far more than the socket buffers
  const auto start = Clock::now();
  EXPECT_THROW(client->send(data.data(), data.size()), TimeoutError);
  EXPECT_LT(Clock::now() - start, 5s);
}

TEST(TcpChannel, WritingToClosedPeerIsNetworkErrorNotSigpipe) {
  auto [server, client] = connect_pair(test_options(2s));
  server.reset();
  std::vector<uint8_t> data(std::size_t{1} << 20, 2);
  EXPECT_THROW(
      {
        for (int i = 0; i < 1000; ++i) client->send(data.data(), data.size());
      },
      NetworkError);
}

TEST(TcpChannel, ConnectRetriesUntilListenerAppears) {
  const uint16_t port = free_port();
  TcpOptions options = test_options();
  options.connect_timeout = 5s;
  std::promise<uint64_t> received;
  std::thread late_server([&] {
    std::this_thread::sleep_for(300ms);
    TcpListener listener(port, "127.0.0.1", options);
    auto channel = listener.accept(5s);
    received.set_value(channel->recv_u64());
  });
  const auto start = Clock::now();
  auto client = TcpChannel::connect("127.0.0.1", port, options);
  EXPECT_GE(Clock::now() - start, 250ms);
  client->send_u64(42);
  client->flush();
  EXPECT_EQ(received.get_future().get(), 42u);
  late_server.join();
}

TEST(TcpChannel, ConnectToSilentPortFailsAfterTimeout) {
  const uint16_t port = free_port();
  TcpOptions options = test_options();
  options.connect_timeout = 300ms;
  const auto start = Clock::now();
  try {
    (void)TcpChannel::connect("127.0.0.1", port, options);
    FAIL() << "expected NetworkError";
  } catch (const NetworkError& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(port)), std::string::npos)
        << e.what();
  }
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 3s);
}

TEST(TcpChannel, AcceptTimesOut) {
  TcpListener listener(0);
  const auto start = Clock::now();
  EXPECT_THROW((void)listener.accept(200ms), TimeoutError);
  EXPECT_GE(Clock::now() - start, 190ms);
}

TEST(TcpChannel, ListenOnBusyPortIsNetworkError) {
  TcpListener first(0);
  EXPECT_THROW(TcpListener second(first.port()), NetworkError);
}

TEST(TcpChannel, UnresolvableHostIsNetworkError) {
  TcpOptions options = test_options();
  options.connect_timeout = 200ms;
  EXPECT_THROW((void)TcpChannel::connect("no-such-host.invalid", 9, options), NetworkError);
}

TEST(TcpChannel, ClosedChannelRejectsUse) {
  auto [server, client] = connect_pair(test_options(2s));
  client->close();
  client->send_u64(1);
  EXPECT_THROW(client->flush(), NetworkError);
  EXPECT_THROW((void)server->recv_u64(), NetworkError);
}

// One byte every 50 ms keeps the 5 s inactivity timeout from ever firing; the 300 ms message
// timeout bounds the whole recv.
TEST(TcpChannel, SlowDripPeerHitsMessageTimeout) {
  auto [server, client] = connect_pair(test_options(5s, 300ms));
  const auto drip = testing::read_from_dripping_peer(*client, *server);
  ASSERT_TRUE(drip.timed_out) << "expected TimeoutError";
  EXPECT_NE(drip.error.find("message timeout of 300 ms"), std::string::npos) << drip.error;
  EXPECT_NE(drip.error.find("127.0.0.1:"), std::string::npos) << drip.error;
  const auto elapsed = drip.elapsed;
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 2s);
}

// A deadline bounds every wait on the connection, across operations: a peer that keeps both the
// inactivity and the message timeouts happy by dripping still ends at the deadline.
TEST(TcpChannel, DeadlineEndsADrippingPeer) {
  auto [server, client] = connect_pair(test_options(5s, 5s));
  EXPECT_EQ(server->deadline(), std::chrono::steady_clock::time_point::max());
  server->set_deadline(std::chrono::steady_clock::now() + 300ms);
  const auto drip = testing::read_from_dripping_peer(*client, *server);
  ASSERT_TRUE(drip.timed_out) << "expected TimeoutError";
  EXPECT_NE(drip.error.find("the time allowed for the connection to 127.0.0.1:"), std::string::npos) << drip.error;
  EXPECT_GE(drip.elapsed, 290ms);
  EXPECT_LT(drip.elapsed, 2s);
}

TEST(TcpChannel, AcceptedChannelKnowsThePeerHost) {
  auto [server, client] = connect_pair();
  EXPECT_EQ(server->peer_host(), "127.0.0.1");
  EXPECT_EQ(server->peer().rfind("127.0.0.1:", 0), 0u) << server->peer();
}

// The same on the sending side: a reader draining 1 KiB every 20 ms never lets the 5 s
// inactivity timeout fire, but the send of 64 MiB must end at the 300 ms message timeout.
TEST(TcpChannel, SlowReadingPeerHitsMessageTimeoutOnSend) {
  auto [server, client] = connect_pair(test_options(5s, 300ms));
  std::atomic<bool> stop{false};
  auto reader = std::async(std::launch::async, [&stop, s = server.get()] {
    std::array<uint8_t, 1024> buffer{};
    for (int i = 0; i < 150 && !stop; ++i) {  // at most 3 s
      s->recv(buffer.data(), buffer.size());
      std::this_thread::sleep_for(20ms);
    }
  });
  std::vector<uint8_t> data(std::size_t{64} << 20, 1);
  const auto start = Clock::now();
  try {
    client->send(data.data(), data.size());
    ADD_FAILURE() << "expected TimeoutError";
  } catch (const TimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("message timeout of 300 ms"), std::string::npos)
        << e.what();
  }
  const auto elapsed = Clock::now() - start;
  stop = true;
  reader.get();
  EXPECT_LT(elapsed, 2s);
}

TEST(TcpChannel, HugeDeclaredLengthThenCloseIsNetworkError) {
  auto [server, client] = connect_pair(test_options(2s));
  constexpr uint64_t kDeclared = uint64_t{512} << 20;
  client->send_u64(kDeclared);
  std::vector<uint8_t> part(10, 3);
  client->send(part.data(), part.size());
  client.reset();
  try {
    (void)server->recv_message(std::size_t{1} << 30);
    FAIL() << "expected NetworkError";
  } catch (const TimeoutError& e) {
    FAIL() << "expected a closed-connection error, got a timeout: " << e.what();
  } catch (const NetworkError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("closed the connection after 10 of 65536 bytes"), std::string::npos)
        << what;
    EXPECT_NE(what.find("framed message of " + std::to_string(kDeclared) + " bytes"),
              std::string::npos)
        << what;
  }
}

TEST(TcpChannel, OutOfRangeTimeoutsAreInvalidArgument) {
  const auto expect_rejected = [](TcpOptions options, const std::string& field) {
    try {
      TcpListener listener(0, "127.0.0.1", options);
      ADD_FAILURE() << field << " was accepted";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  TcpOptions options = test_options();
  options.io_timeout = std::chrono::milliseconds::max();  // now + io_timeout would overflow
  expect_rejected(options, "io_timeout");
  options = test_options();
  options.io_timeout = kMaxChannelTimeout + 1ms;
  expect_rejected(options, "io_timeout");
  options = test_options();
  options.message_timeout = 0ms;
  expect_rejected(options, "message_timeout");
  options = test_options();
  options.message_timeout = std::chrono::hours(25);
  expect_rejected(options, "message_timeout");
  options = test_options();
  options.connect_timeout = std::chrono::milliseconds::max();
  expect_rejected(options, "connect_timeout");
  options = test_options();
  options.connect_retry_interval = -1ms;
  expect_rejected(options, "connect_retry_interval");
  options = test_options();
  options.connect_timeout = std::chrono::milliseconds::max();
  EXPECT_THROW((void)TcpChannel::connect("127.0.0.1", 9, options), InvalidArgument);

  TcpListener listener(0);
  EXPECT_THROW((void)listener.accept(std::chrono::milliseconds::max()), InvalidArgument);
  EXPECT_THROW((void)listener.accept(-1ms), InvalidArgument);

  auto [server, client] = connect_pair(test_options(2s));
  EXPECT_THROW(client->set_io_timeout(std::chrono::milliseconds::max()), InvalidArgument);
  EXPECT_THROW(client->set_message_timeout(std::chrono::milliseconds::max()), InvalidArgument);
  EXPECT_THROW(client->set_message_timeout(0ms), InvalidArgument);
  EXPECT_NO_THROW(client->set_io_timeout(kMaxChannelTimeout));
  EXPECT_NO_THROW(client->set_message_timeout(kMaxChannelTimeout));
  EXPECT_EQ(client->message_timeout(), kMaxChannelTimeout);
}

}  // namespace
}  // namespace twain::net
