// TlsChannel over 127.0.0.1: the same bytes and counters as TcpChannel, every way the server's
// identity can fail to check out (pin, CA, host, a relay in between), peers that do not speak TLS,
// and silent or slow peers during and after the handshake.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <functional>
#include <future>
#include <thread>
#include <vector>

#include "core/errors.hpp"
#include "core/prg.hpp"
#include "net/tcp_channel.hpp"
#include "net/test_pki.hpp"
#include "net/tls_channel.hpp"
#include "slow_drip.hpp"

namespace twain::net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const testing::TestPki& pki() {
  static const testing::TestPki instance;
  return instance;
}

TcpOptions test_options(std::chrono::milliseconds io_timeout = 10s, std::chrono::milliseconds message_timeout = 60s) {
  TcpOptions options;
  options.io_timeout = io_timeout;
  options.message_timeout = message_timeout;
  options.connect_timeout = 5s;
  return options;
}

TlsClientOptions trust_ca(const std::string& ca_file) { return {ca_file, {}}; }
TlsClientOptions trust_pin(const std::string& pin) { return {{}, pin}; }

// What each side of one connection attempt ended with.
struct Outcome {
  std::unique_ptr<Channel> server, client;
  std::exception_ptr server_error, client_error;
  Clock::duration server_elapsed{}, client_elapsed{};
};

// Runs `serve` on an accepted TCP channel in a thread and `connect` (given the port) here.
Outcome run_pair(const TcpOptions& options, const std::function<std::unique_ptr<Channel>(std::unique_ptr<TcpChannel>)>& serve,
                 const std::function<std::unique_ptr<Channel>(uint16_t)>& connect) {
  TcpListener listener(0, "127.0.0.1", options);
  Outcome out;
  auto server = std::async(std::launch::async, [&] {
    const auto start = Clock::now();
    try {
      out.server = serve(listener.accept(5s));
    } catch (...) {
      out.server_error = std::current_exception();
    }
    out.server_elapsed = Clock::now() - start;
  });
  const auto start = Clock::now();
  try {
    out.client = connect(listener.port());
  } catch (...) {
    out.client_error = std::current_exception();
  }
  out.client_elapsed = Clock::now() - start;
  server.get();
  return out;
}

Outcome tls_pair(const std::string& cert, const std::string& key, const TlsClientOptions& client,
                 const TcpOptions& options = test_options()) {
  const TlsServerContext server_context(cert, key);
  return run_pair(
      options, [&](std::unique_ptr<TcpChannel> tcp) { return TlsChannel::server(std::move(tcp), server_context); },
      [&](uint16_t port) { return TlsChannel::connect("127.0.0.1", port, TlsClientContext(client), options); });
}

// The message of `error` if it holds an exception of type E, else a failure naming what it holds.
template <class E>
std::string message_of(const std::exception_ptr& error) {
  if (!error) return "(no exception)";
  try {
    std::rethrow_exception(error);
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "unexpected exception type: " << e.what();
  }
  return "(wrong type)";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Framed messages of several sizes echoed back, a raw stream each way, u64s: returns the payloads
// the client got back so the TCP and TLS runs can be compared too.
std::vector<std::vector<uint8_t>> exchange(Channel& server, Channel& client) {
  const std::vector<std::size_t> sizes = {0, 1, 7, 8, 1000, 16383, 16384, 65537, std::size_t{1} << 20,
                                          (std::size_t{1} << 20) + 3, std::size_t{3} << 20};
  auto echo = std::async(std::launch::async, [&] {
    for (std::size_t i = 0; i < sizes.size(); ++i) server.send_message(server.recv_message(std::size_t{4} << 20));
    server.send_u64(server.recv_u64() + 1);
    std::vector<uint8_t> stream(std::size_t{5} << 20);
    core::Prg(core::Seed{7}).fill(stream.data(), stream.size());
    server.send(stream.data(), stream.size());
    server.flush();
  });
  std::vector<std::vector<uint8_t>> got;
  core::Prg prg(core::Seed{3});
  for (const std::size_t size : sizes) {
    std::vector<uint8_t> message(size);
    prg.fill(message.data(), message.size());
    client.send_message(message);
    got.push_back(client.recv_message(std::size_t{4} << 20));
    EXPECT_EQ(got.back(), message) << size << " bytes";
  }
  client.send_u64(41);
  EXPECT_EQ(client.recv_u64(), 42u);
  std::vector<uint8_t> stream(std::size_t{5} << 20), want(stream.size());
  client.recv(stream.data(), stream.size());
  core::Prg(core::Seed{7}).fill(want.data(), want.size());
  EXPECT_TRUE(stream == want);
  got.push_back(std::move(stream));
  echo.get();
  return got;
}

TEST(TlsChannel, CarriesTheSameBytesAndCountsTheSameAsTcp) {
  auto tcp = run_pair(
      test_options(), [](std::unique_ptr<TcpChannel> t) -> std::unique_ptr<Channel> { return t; },
      [](uint16_t port) { return TcpChannel::connect("127.0.0.1", port, test_options()); });
  ASSERT_TRUE(tcp.server && tcp.client);
  auto tls = tls_pair(pki().server.cert_file, pki().server.key_file, trust_ca(pki().ca_file));
  ASSERT_FALSE(tls.server_error) << message_of<Error>(tls.server_error);
  ASSERT_FALSE(tls.client_error) << message_of<Error>(tls.client_error);
  const auto plain_bytes = exchange(*tcp.server, *tcp.client);
  const auto tls_bytes = exchange(*tls.server, *tls.client);
  EXPECT_TRUE(plain_bytes == tls_bytes);
  EXPECT_EQ(tls.client->counters(), tcp.client->counters());
  EXPECT_EQ(tls.server->counters(), tcp.server->counters());

  auto& client = static_cast<TlsChannel&>(*tls.client);
  auto& server = static_cast<TlsChannel&>(*tls.server);
  EXPECT_EQ(client.cipher().rfind("TLS_", 0), 0u) << client.cipher();
  // Records carry every application byte plus headers, tags and the handshake.
  EXPECT_GT(client.record_bytes().sent, client.counters().bytes_sent);
  EXPECT_GT(client.record_bytes().received, client.counters().bytes_received);
  EXPECT_EQ(client.record_bytes().sent, server.record_bytes().received);
  EXPECT_LT(client.record_bytes().received, client.counters().bytes_received + client.counters().bytes_received / 50 + 8192);
}

TEST(TlsChannel, PinAloneAuthenticatesASelfSignedServer) {
  auto out = tls_pair(pki().self_signed.cert_file, pki().self_signed.key_file, trust_pin(pki().self_signed.pin));
  ASSERT_FALSE(out.client_error) << message_of<Error>(out.client_error);
  ASSERT_FALSE(out.server_error) << message_of<Error>(out.server_error);
  out.client->send_u64(5);
  out.client->flush();
  EXPECT_EQ(out.server->recv_u64(), 5u);
  EXPECT_EQ(certificate_pin(pki().self_signed.cert_file), pki().self_signed.pin);
  const TlsServerContext context(pki().server.cert_file, pki().server.key_file);
  EXPECT_EQ(context.pin(), pki().server.pin);
}

TEST(TlsChannel, CaAndPinTogetherMustBothHold) {
  TlsClientOptions both{pki().ca_file, pki().server.pin};
  auto good = tls_pair(pki().server.cert_file, pki().server.key_file, both);
  EXPECT_FALSE(good.client_error) << message_of<Error>(good.client_error);
  both.pin = pki().self_signed.pin;
  auto bad_pin = tls_pair(pki().server.cert_file, pki().server.key_file, both);
  EXPECT_TRUE(contains(message_of<NetworkError>(bad_pin.client_error), "is not the pinned"));
  TlsClientOptions wrong_ca{pki().other_ca_file, pki().server.pin};
  auto bad_ca = tls_pair(pki().server.cert_file, pki().server.key_file, wrong_ca);
  EXPECT_TRUE(contains(message_of<NetworkError>(bad_ca.client_error), "certificate verify failed"));
}

TEST(TlsChannel, WrongPinIsRefused) {
  auto out = tls_pair(pki().server.cert_file, pki().server.key_file, trust_pin(pki().self_signed.pin));
  const std::string client = message_of<NetworkError>(out.client_error);
  EXPECT_TRUE(contains(client, "TLS handshake with 127.0.0.1:")) << client;
  EXPECT_TRUE(contains(client, "the server's public key " + pki().server.pin + " is not the pinned " +
                                   pki().self_signed.pin))
      << client;
  EXPECT_TRUE(contains(client, "error:")) << client;  // the OpenSSL error strings
  // The client aborted the handshake with an alert: the server knows, and got no channel.
  EXPECT_FALSE(out.server);
  EXPECT_TRUE(contains(message_of<NetworkError>(out.server_error), "TLS handshake with 127.0.0.1:"));
}

TEST(TlsChannel, WrongCaSelfSignedAndWrongHostAreRefused) {
  const auto refused = [](const testing::Identity& id, const std::string& ca, const std::string& why) {
    auto out = tls_pair(id.cert_file, id.key_file, trust_ca(ca));
    const std::string client = message_of<NetworkError>(out.client_error);
    EXPECT_TRUE(contains(client, "failed: certificate verify failed (" + why + ")")) << client;
    EXPECT_FALSE(out.client);
    EXPECT_FALSE(out.server);
  };
  refused(pki().server, pki().other_ca_file, "unable to get local issuer certificate");
  refused(pki().self_signed, pki().ca_file, "self-signed certificate");
  refused(pki().wrong_host, pki().ca_file, "IP address mismatch");
}

// A relay terminates TLS with its own certificate and forwards framed messages to the real
// server. It works for a client that trusts the relay, and is refused by one that pins or
// CA-verifies the real server.
TEST(TlsChannel, RelayWithItsOwnCertificateIsRefused) {
  const TlsServerContext real_context(pki().server.cert_file, pki().server.key_file);
  TcpListener real(0, "127.0.0.1", test_options());
  std::atomic<int> real_sessions{0};
  std::atomic<bool> stop{false};
  std::thread real_server([&] {
    while (!stop) {
      try {
        auto channel = TlsChannel::server(real.accept(200ms), real_context);
        ++real_sessions;
        channel->send_message(channel->recv_message(1024));
      } catch (const Error&) {
      }
    }
  });
  const auto relay_through = [&](const testing::Identity& relay_id, const TlsClientOptions& client_trust) {
    const TlsServerContext relay_context(relay_id.cert_file, relay_id.key_file);
    return run_pair(
        test_options(),
        [&](std::unique_ptr<TcpChannel> tcp) -> std::unique_ptr<Channel> {
          auto downstream = TlsChannel::server(std::move(tcp), relay_context);
          auto upstream = TlsChannel::connect("127.0.0.1", real.port(), TlsClientContext(trust_pin(pki().server.pin)),
                                              test_options());
          upstream->send_message(downstream->recv_message(1024));
          downstream->send_message(upstream->recv_message(1024));
          downstream->flush();
          return downstream;
        },
        [&](uint16_t port) -> std::unique_ptr<Channel> {
          auto channel = TlsChannel::connect("127.0.0.1", port, TlsClientContext(client_trust), test_options());
          const std::vector<uint8_t> hello = {'h', 'i'};
          channel->send_message(hello);
          EXPECT_EQ(channel->recv_message(1024), hello);
          return channel;
        });
  };
  // Control: the relay works for a client that trusts it.
  auto trusting = relay_through(pki().self_signed, trust_pin(pki().self_signed.pin));
  EXPECT_FALSE(trusting.client_error) << message_of<Error>(trusting.client_error);
  EXPECT_FALSE(trusting.server_error) << message_of<Error>(trusting.server_error);
  EXPECT_EQ(real_sessions.load(), 1);

  auto pinned = relay_through(pki().self_signed, trust_pin(pki().server.pin));
  EXPECT_TRUE(contains(message_of<NetworkError>(pinned.client_error), "is not the pinned"));
  EXPECT_TRUE(pinned.server_error);
  auto other_ca = relay_through(pki().other_ca_server, trust_ca(pki().ca_file));
  EXPECT_TRUE(contains(message_of<NetworkError>(other_ca.client_error), "certificate verify failed"));
  EXPECT_TRUE(other_ca.server_error);
  auto ca_self_signed = relay_through(pki().self_signed, trust_ca(pki().ca_file));
  EXPECT_TRUE(contains(message_of<NetworkError>(ca_self_signed.client_error), "self-signed certificate"));
  EXPECT_EQ(real_sessions.load(), 1) << "a refused client's relay reached the real server";
  stop = true;
  real_server.join();
}

// A plain twain client waits for the server to speak; a TLS server waits for the ClientHello.
// The server gives up at its 2 s inactivity timeout, not the 60 s message timeout, and the client
// (whose own timeout is longer here, so the order is fixed) learns it as soon as the server closes.
TEST(TlsChannel, PlainClientAgainstTlsServerTimesOutOnBothSides) {
  const TlsServerContext context(pki().server.cert_file, pki().server.key_file);
  auto out = run_pair(
      test_options(2s), [&](std::unique_ptr<TcpChannel> tcp) { return TlsChannel::server(std::move(tcp), context); },
      [](uint16_t port) -> std::unique_ptr<Channel> {
        auto channel = TcpChannel::connect("127.0.0.1", port, test_options(5s));
        (void)channel->recv_message(1 << 20);
        return channel;
      });
  const std::string server = message_of<TimeoutError>(out.server_error);
  EXPECT_TRUE(contains(server, "a plain twain client?")) << server;
  EXPECT_TRUE(contains(server, "2000 ms")) << server;
  const std::string client = message_of<NetworkError>(out.client_error);
  EXPECT_TRUE(contains(client, "closed the connection after 0 of 8 bytes")) << client;
  for (const auto elapsed : {out.server_elapsed, out.client_elapsed}) {
    EXPECT_GE(elapsed, 1900ms);
    EXPECT_LT(elapsed, 4s);
  }
}

// A plain twain server speaks first (the model description); the TLS client sees bytes that are
// no TLS record and says so at once; the plain server reads the ClientHello as a length.
TEST(TlsChannel, TlsClientAgainstPlainServerFailsFastOnBothSides) {
  auto out = run_pair(
      test_options(2s),
      [](std::unique_ptr<TcpChannel> tcp) -> std::unique_ptr<Channel> {
        tcp->send_message(std::vector<uint8_t>(3000, 0x5a));
        (void)tcp->recv_message(1 << 20);
        return tcp;
      },
      [](uint16_t port) -> std::unique_ptr<Channel> {
        return TlsChannel::connect("127.0.0.1", port, TlsClientContext(trust_pin(pki().server.pin)), test_options(2s));
      });
  const std::string client = message_of<NetworkError>(out.client_error);
  EXPECT_TRUE(contains(client, "the server at 127.0.0.1:")) << client;
  EXPECT_TRUE(contains(client, "did not answer TLS (a plain twain server?)")) << client;
  EXPECT_TRUE(contains(message_of<FormatError>(out.server_error), "over the limit"));
  EXPECT_LT(out.client_elapsed, 1s);
  EXPECT_LT(out.server_elapsed, 1s);
}

TEST(TlsChannel, NonTlsBytesFromAClientAreRefusedAtOnce) {
  const TlsServerContext context(pki().server.cert_file, pki().server.key_file);
  auto out = run_pair(
      test_options(2s), [&](std::unique_ptr<TcpChannel> tcp) { return TlsChannel::server(std::move(tcp), context); },
      [](uint16_t port) -> std::unique_ptr<Channel> {
        auto channel = TcpChannel::connect("127.0.0.1", port, test_options(2s));
        const char request[] = "GET / HTTP/1.0\r\n\r\n";
        channel->send(request, sizeof(request) - 1);
        channel->flush();
        return channel;
      });
  const std::string server = message_of<NetworkError>(out.server_error);
  EXPECT_TRUE(contains(server, "did not speak TLS")) << server;
  EXPECT_LT(out.server_elapsed, 1s);
}

TEST(TlsChannel, OnlyTls13IsAccepted) {
  const TlsServerContext context(pki().server.cert_file, pki().server.key_file);
  TcpListener listener(0, "127.0.0.1", test_options(2s));
  auto server = std::async(std::launch::async, [&] {
    try {
      (void)TlsChannel::server(listener.accept(5s), context);
    } catch (const NetworkError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  });
  // A blocking OpenSSL client limited to TLS 1.2.
  auto tcp = TcpChannel::connect("127.0.0.1", listener.port(), test_options(2s));
  const int fd = tcp->release();
  const int flags = fcntl(fd, F_GETFL, 0);
  fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  EXPECT_NE(SSL_connect(ssl), 1);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  ::close(fd);
  const std::string error = server.get();
  EXPECT_TRUE(contains(error, "TLS handshake with 127.0.0.1:")) << error;
  EXPECT_TRUE(contains(error, "protocol")) << error;  // "unsupported protocol"
}

TEST(TlsChannel, SilentPeerDuringHandshakeIsTimeoutError) {
  const TlsServerContext context(pki().server.cert_file, pki().server.key_file);
  // A client that connects and says nothing.
  auto silent_client = run_pair(
      test_options(300ms), [&](std::unique_ptr<TcpChannel> tcp) { return TlsChannel::server(std::move(tcp), context); },
      [](uint16_t port) -> std::unique_ptr<Channel> {
        auto channel = TcpChannel::connect("127.0.0.1", port, test_options(300ms));
        std::this_thread::sleep_for(1s);
        return channel;
      });
  EXPECT_TRUE(contains(message_of<TimeoutError>(silent_client.server_error), "sent nothing for 300 ms"));
  EXPECT_GE(silent_client.server_elapsed, 290ms);
  EXPECT_LT(silent_client.server_elapsed, 1s);
  // A server that accepts and says nothing.
  auto silent_server = run_pair(
      test_options(300ms),
      [](std::unique_ptr<TcpChannel> tcp) -> std::unique_ptr<Channel> {
        std::this_thread::sleep_for(1s);
        return tcp;
      },
      [](uint16_t port) -> std::unique_ptr<Channel> {
        return TlsChannel::connect("127.0.0.1", port, TlsClientContext(trust_pin(pki().server.pin)),
                                   test_options(300ms));
      });
  EXPECT_TRUE(contains(message_of<TimeoutError>(silent_server.client_error), "sent nothing for 300 ms"));
  EXPECT_GE(silent_server.client_elapsed, 290ms);
  EXPECT_LT(silent_server.client_elapsed, 1s);
}

// A client that starts a plausible record (a 16 KiB handshake record) and drips its body keeps
// the 5 s inactivity timer alive; the 300 ms message timeout bounds the handshake.
TEST(TlsChannel, DrippedHandshakeHitsMessageTimeout) {
  const TlsServerContext context(pki().server.cert_file, pki().server.key_file);
  auto out = run_pair(
      test_options(5s, 300ms),
      [&](std::unique_ptr<TcpChannel> tcp) { return TlsChannel::server(std::move(tcp), context); },
      [](uint16_t port) -> std::unique_ptr<Channel> {
        auto channel = TcpChannel::connect("127.0.0.1", port, test_options(5s, 300ms));
        const uint8_t header[] = {0x16, 0x03, 0x01, 0x40, 0x00, 0x01};
        channel->send(header, sizeof(header));
        channel->flush();
        for (int i = 0; i < 30; ++i) {
          std::this_thread::sleep_for(50ms);
          const uint8_t byte = 0;
          try {
            channel->send(&byte, 1);
            channel->flush();
          } catch (const NetworkError&) {
            break;
          }
        }
        return channel;
      });
  EXPECT_TRUE(contains(message_of<TimeoutError>(out.server_error), "message timeout of 300 ms"));
  EXPECT_GE(out.server_elapsed, 290ms);
  EXPECT_LT(out.server_elapsed, 2s);
}

TEST(TlsChannel, SlowDripAfterHandshakeHitsMessageTimeout) {
  auto out = tls_pair(pki().server.cert_file, pki().server.key_file, trust_pin(pki().server.pin),
                      test_options(5s, 300ms));
  ASSERT_TRUE(out.server && out.client);
  const auto drip = testing::read_from_dripping_peer(*out.client, *out.server);
  ASSERT_TRUE(drip.timed_out) << "expected TimeoutError";
  EXPECT_TRUE(contains(drip.error, "message timeout of 300 ms")) << drip.error;
  EXPECT_LT(drip.elapsed, 2s);
}

// The TCP channel's deadline carries over to TLS and bounds waits after the handshake.
TEST(TlsChannel, DeadlineCarriesOverAndEndsADrippingPeer) {
  auto out = tls_pair(pki().server.cert_file, pki().server.key_file, trust_pin(pki().server.pin),
                      test_options(5s, 5s));
  ASSERT_TRUE(out.server && out.client);
  auto& server = dynamic_cast<TlsChannel&>(*out.server);
  EXPECT_EQ(server.peer_host(), "127.0.0.1");
  server.set_deadline(std::chrono::steady_clock::now() + 300ms);
  const auto drip = testing::read_from_dripping_peer(*out.client, *out.server);
  ASSERT_TRUE(drip.timed_out) << "expected TimeoutError";
  EXPECT_TRUE(contains(drip.error, "the time allowed for the connection")) << drip.error;
  EXPECT_LT(drip.elapsed, 2s);
}

TEST(TlsChannel, PeerClosingMidMessageIsNetworkError) {
  auto out = tls_pair(pki().server.cert_file, pki().server.key_file, trust_pin(pki().server.pin), test_options(2s));
  ASSERT_TRUE(out.server && out.client);
  out.client->send_u64(1000);
  std::vector<uint8_t> part(10, 7);
  out.client->send(part.data(), part.size());
  out.client.reset();  // flushes, sends close_notify, closes
  const auto start = Clock::now();
  try {
    (void)out.server->recv_message(1 << 20);
    FAIL() << "expected NetworkError";
  } catch (const TimeoutError& e) {
    FAIL() << "expected a closed-connection error, got a timeout: " << e.what();
  } catch (const NetworkError& e) {
    EXPECT_TRUE(contains(e.what(), "closed the connection after 10 of 1000 bytes")) << e.what();
  }
  EXPECT_LT(Clock::now() - start, 1s);
}

TEST(TlsChannel, ClosedChannelRejectsUseAndPeerSeesTheClose) {
  auto out = tls_pair(pki().server.cert_file, pki().server.key_file, trust_pin(pki().server.pin), test_options(2s));
  ASSERT_TRUE(out.server && out.client);
  out.client->close();
  out.client->send_u64(1);
  EXPECT_THROW(out.client->flush(), NetworkError);
  EXPECT_THROW((void)out.server->recv_u64(), NetworkError);
}

TEST(TlsChannel, BadConfigurationIsRefusedUpFront) {
  EXPECT_THROW(TlsClientContext(TlsClientOptions{}), InvalidArgument);
  EXPECT_THROW(TlsClientContext(trust_pin("sha256:1234")), InvalidArgument);
  EXPECT_THROW(TlsClientContext(trust_ca(pki().dir() + "/missing.pem")), InvalidArgument);
  EXPECT_THROW(TlsClientContext(trust_ca(pki().server.key_file)), FormatError);  // a key, no certificate
  EXPECT_THROW(TlsServerContext(pki().server.cert_file, pki().self_signed.key_file), InvalidArgument);
  EXPECT_THROW(TlsServerContext(pki().server.key_file, pki().server.key_file), FormatError);
  std::string upper = pki().server.pin;
  for (std::size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_EQ(parse_pin(upper), pki().server.pin);
}

}  // namespace
}  // namespace twain::net
