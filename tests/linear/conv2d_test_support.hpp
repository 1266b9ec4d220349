// Shared helpers of the linear/ tests: random tensors, the plaintext convolution oracle, and a
// two-party run of one layer over an in-memory channel pair (server in its own thread).
#pragma once

#include <cstdint>
#include <exception>
#include <span>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "core/prg.hpp"
#include "he/keys.hpp"
#include "linear/conv2d_client.hpp"
#include "linear/conv2d_server.hpp"
#include "net/memory_channel.hpp"

namespace twain::linear::testing {

inline std::vector<uint64_t> random_share(std::size_t count, int bits, core::Prg& prg) {
  std::vector<uint64_t> v(count);
  for (auto& x : v) x = prg.next_u64() & ((uint64_t{1} << bits) - 1);
  return v;
}

// Fixed-point values in [-bound, bound] as elements of Z_{2^bits} (a first-layer input).
inline std::vector<uint64_t> random_signed_input(std::size_t count, int64_t bound, int bits, core::Prg& prg) {
  std::vector<uint64_t> v(count);
  for (auto& x : v)
    x = static_cast<uint64_t>(static_cast<int64_t>(prg.uniform(2 * static_cast<uint64_t>(bound) + 1)) - bound) &
        ((uint64_t{1} << bits) - 1);
  return v;
}

// Weights in [-bound, bound]; every fourth one at +-bound, so the worst case of the bound occurs.
inline std::vector<int64_t> random_weights(std::size_t count, uint64_t bound, core::Prg& prg) {
  const auto b = static_cast<int64_t>(bound);
  std::vector<int64_t> w(count);
  for (std::size_t i = 0; i < count; ++i)
    w[i] = i % 4 == 0 ? ((prg.next_u64() & 1) ? b : -b) : static_cast<int64_t>(prg.uniform(2 * bound + 1)) - b;
  return w;
}

// A random valid shape: kernels 1, 3, 5 or 7 per side, strides 1 or 2, paddings 0..3, groups 1,
// 2 or depthwise (with channel multiplier 1 or 2), channels up to max_channels, extents up to
// max_extent.
inline core::Conv2dGeometry random_shape(core::Prg& prg, int max_channels, int max_extent) {
  const int kernels[] = {1, 3, 5, 7};
  for (;;) {
    core::Conv2dGeometry s;
    s.height = 1 + static_cast<int>(prg.uniform(static_cast<uint64_t>(max_extent)));
    s.width = 1 + static_cast<int>(prg.uniform(static_cast<uint64_t>(max_extent)));
    s.kernel_h = kernels[prg.uniform(4)];
    s.kernel_w = kernels[prg.uniform(4)];
    s.stride_h = 1 + static_cast<int>(prg.uniform(2));
    s.stride_w = 1 + static_cast<int>(prg.uniform(2));
    s.pad_top = static_cast<int>(prg.uniform(4));
    s.pad_left = static_cast<int>(prg.uniform(4));
    s.pad_bottom = static_cast<int>(prg.uniform(4));
    s.pad_right = static_cast<int>(prg.uniform(4));
    const auto channels = [&](int most) { return 1 + static_cast<int>(prg.uniform(static_cast<uint64_t>(most))); };
    switch (prg.uniform(3)) {
      case 0:
        s.in_channels = channels(max_channels);
        s.out_channels = channels(max_channels);
        s.groups = 1;
        break;
      case 1:
        s.in_channels = 2 * channels(max_channels / 2);
        s.out_channels = 2 * channels(max_channels / 2);
        s.groups = 2;
        break;
      default:
        s.in_channels = channels(max_channels);
        s.out_channels = s.in_channels * channels(2);
        s.groups = s.in_channels;
    }
    if (s.kernel_h <= s.padded_height() && s.kernel_w <= s.padded_width()) return s;
  }
}

// (a + b) mod 2^bits, element-wise.
inline std::vector<uint64_t> add_shares(std::span<const uint64_t> a, std::span<const uint64_t> b, int bits) {
  std::vector<uint64_t> sum(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) sum[i] = (a[i] + b[i]) & ((uint64_t{1} << bits) - 1);
  return sum;
}

// The convolution mod 2^bits by direct loops over the unpadded input: the oracle.
inline std::vector<uint64_t> plaintext_conv2d(const core::Conv2dGeometry& s, std::span<const uint64_t> x,
                                              std::span<const int64_t> w, int bits) {
  const int oh = s.output_height(), ow = s.output_width();
  const int ig = s.in_channels_per_group(), og = s.out_channels_per_group();
  std::vector<uint64_t> y(s.output_size());
  for (int o = 0; o < s.out_channels; ++o)
    for (int i = 0; i < oh; ++i)
      for (int j = 0; j < ow; ++j) {
        uint64_t sum = 0;
        for (int c = 0; c < ig; ++c)
          for (int u = 0; u < s.kernel_h; ++u)
            for (int v = 0; v < s.kernel_w; ++v) {
              const int row = i * s.stride_h + u - s.pad_top, col = j * s.stride_w + v - s.pad_left;
              if (row < 0 || row >= s.height || col < 0 || col >= s.width) continue;
              const int in_channel = (o / og) * ig + c;
              const uint64_t xv = x[(static_cast<std::size_t>(in_channel) * s.height + row) * s.width + col];
              const int64_t wv = w[((static_cast<std::size_t>(o) * ig + c) * s.kernel_h + u) * s.kernel_w + v];
              sum += xv * static_cast<uint64_t>(wv);
            }
        y[(static_cast<std::size_t>(o) * oh + i) * ow + j] = sum & ((uint64_t{1} << bits) - 1);
      }
  return y;
}

// Ends this side so a peer blocked in recv fails instead of waiting; a flush that fails because
// the peer already left is part of the error being reported, not a new one.
inline void close_quietly(net::Channel& channel) {
  try {
    channel.close();
  } catch (const Error&) {
  }
}

struct TwoPartyResult {
  std::vector<uint64_t> client_share, server_share;
  net::ChannelCounters client_traffic, server_traffic;
};

// Runs `server` and `client` (Conv2dServer / Conv2dClient or a layer built on them) on one
// layer, the server in a thread; keys made here from `seed`. Rethrows the server's exception,
// else the client's.
template <class Server, class Client>
TwoPartyResult run_two_party(const he::ContextPtr& context, const Server& server, const Client& client,
                             std::span<const uint64_t> client_share, std::span<const uint64_t> server_share,
                             uint8_t seed, core::ThreadPool* server_pool = nullptr,
                             core::ThreadPool* client_pool = nullptr) {
  auto server_end_client_end = net::make_memory_channel_pair();
  auto& server_end = server_end_client_end.first;
  auto& client_end = server_end_client_end.second;
  core::Prg key_prg(core::Seed{seed, 0}), client_prg(core::Seed{seed, 1}), server_prg(core::Seed{seed, 2});
  const he::SecretKey sk = he::generate_secret_key(*context, key_prg);
  const he::PublicKey pk = he::generate_public_key(*context, sk, key_prg);
  TwoPartyResult result;
  std::exception_ptr server_error, client_error;
  std::thread server_thread([&] {
    try {
      result.server_share = server.run(*server_end, pk, server_share, server_prg, server_pool);
    } catch (...) {
      server_error = std::current_exception();
    }
    close_quietly(*server_end);
  });
  try {
    result.client_share = client.run(*client_end, sk, client_share, client_prg, client_pool);
  } catch (...) {
    client_error = std::current_exception();
  }
  close_quietly(*client_end);
  server_thread.join();
  if (server_error) std::rethrow_exception(server_error);
  if (client_error) std::rethrow_exception(client_error);
  result.client_traffic = client_end->counters();
  result.server_traffic = server_end->counters();
  return result;
}

struct TwoPartyTraffic {
  uint64_t up = 0, down = 0;
};

// Runs one layer on fresh random shares (or a client-owned input) and checks it exactly, and
// the traffic against the plan's byte model.
inline TwoPartyTraffic check_layer(const he::ContextPtr& context, const core::Conv2dGeometry& shape, uint64_t weight_bound,
                            bool first_layer, uint8_t seed) {
  const int bits = context->plain_bits();
  core::Prg prg(core::Seed{seed, 9});
  const auto weights = random_weights(shape.weight_size(), weight_bound, prg);
  const auto client_share = first_layer ? testing::random_signed_input(shape.input_size(), 1 << 12, bits, prg)
                                        : random_share(shape.input_size(), bits, prg);
  const auto server_share = first_layer ? std::vector<uint64_t>{} : random_share(shape.input_size(), bits, prg);
  const Conv2dServer server(context, shape, weights, weight_bound);
  const Conv2dClient client(context, shape, weight_bound);
  const auto result = run_two_party(context, server, client, client_share, server_share, seed);
  const auto input = first_layer ? client_share : add_shares(client_share, server_share, bits);
  EXPECT_EQ(add_shares(result.client_share, result.server_share, bits), plaintext_conv2d(shape, input, weights, bits))
      << shape.describe() << ", l = " << bits << ", bound " << weight_bound << ", " << server.plan().describe();
  EXPECT_EQ(result.client_traffic.bytes_sent, server.plan().bytes_sent(Role::Client)) << shape.describe();
  EXPECT_EQ(result.server_traffic.bytes_sent, server.plan().bytes_sent(Role::Server)) << shape.describe();
  EXPECT_EQ(result.client_traffic.bytes_received, result.server_traffic.bytes_sent);
  EXPECT_EQ(result.client_traffic.rounds, 1u);
  return {result.client_traffic.bytes_sent, result.server_traffic.bytes_sent};
}

}  // namespace twain::linear::testing
