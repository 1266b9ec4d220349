// The fully connected layer end to end: the reconstructed output must equal the plaintext
// matrix-vector product of x_C + x_S mod 2^l exactly, the traffic the plan's byte model, and
// several rows must share a response where the noise budget allows.
#include <gtest/gtest.h>

#include "conv2d_test_support.hpp"
#include "core/errors.hpp"
#include "core/thread_pool.hpp"
#include "he/params.hpp"
#include "linear/fully_connected.hpp"

namespace twain::linear {
namespace {

using testing::add_shares;
using testing::random_share;
using testing::random_weights;

// y = W x mod 2^bits by direct loops: the oracle.
std::vector<uint64_t> plaintext_matvec(const FullyConnectedShape& s, std::span<const uint64_t> x,
                                       std::span<const int64_t> w, int bits) {
  std::vector<uint64_t> y(static_cast<std::size_t>(s.out_features));
  for (std::size_t o = 0; o < y.size(); ++o) {
    uint64_t sum = 0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(s.in_features); ++i)
      sum += x[i] * static_cast<uint64_t>(w[o * static_cast<std::size_t>(s.in_features) + i]);
    y[o] = sum & ((uint64_t{1} << bits) - 1);
  }
  return y;
}

// Runs one layer on random shares (or a client-owned input) and checks it; returns the plan.
// Optional pools for the two parties.
Conv2dPlan check_layer(const he::ContextPtr& context, const FullyConnectedShape& shape, uint64_t weight_bound,
                       bool first_layer, uint8_t seed, core::ThreadPool* server_pool = nullptr,
                       core::ThreadPool* client_pool = nullptr) {
  const int bits = context->plain_bits();
  core::Prg prg(core::Seed{seed, 5});
  const auto in = static_cast<std::size_t>(shape.in_features);
  const auto weights = random_weights(in * static_cast<std::size_t>(shape.out_features), weight_bound, prg);
  const auto client_share =
      first_layer ? testing::random_signed_input(in, 1 << 12, bits, prg) : random_share(in, bits, prg);
  const auto server_share = first_layer ? std::vector<uint64_t>{} : random_share(in, bits, prg);
  const FullyConnectedServer server(context, shape, weights, weight_bound);
  const FullyConnectedClient client(context, shape, weight_bound);
  const auto result =
      testing::run_two_party(context, server, client, client_share, server_share, seed, server_pool, client_pool);
  const auto input = first_layer ? client_share : add_shares(client_share, server_share, bits);
  EXPECT_EQ(add_shares(result.client_share, result.server_share, bits), plaintext_matvec(shape, input, weights, bits))
      << shape.describe() << ", l = " << bits << ", " << server.plan().describe();
  EXPECT_EQ(result.client_traffic.bytes_sent, server.plan().bytes_sent(Role::Client));
  EXPECT_EQ(result.server_traffic.bytes_sent, server.plan().bytes_sent(Role::Server));
  return server.plan();
}

class FullyConnectedExact : public ::testing::TestWithParam<int> {};

TEST_P(FullyConnectedExact, MatchesThePlaintextProduct) {
  const auto context = he::Context::create(he::Parameters::standard(GetParam()));
  // 64 -> 10 at 12-bit weights: every row fits one response with the others (10 x 64 <= 4096).
  const Conv2dPlan small = check_layer(context, {64, 10}, 1 << 12, false, 1);
  EXPECT_EQ(small.responses(), 1u) << small.describe();
  // Wider than the ring, several input blocks; a client-owned input; one output.
  check_layer(context, {5000, 3}, 1 << 8, false, 2);
  check_layer(context, {100, 37}, 1 << 12, true, 3);
  check_layer(context, {1, 1}, 1 << 12, false, 4);
  // SqueezeNet's classifier as a matrix (512 -> 1000), 8-bit weights, two threads per party.
  core::ThreadPool server_pool(2), client_pool(2);
  const Conv2dPlan classifier = check_layer(context, {512, 1000}, 1 << 8, false, 5, &server_pool, &client_pool);
  EXPECT_GT(classifier.channels_per_response(), 1) << classifier.describe();
}

INSTANTIATE_TEST_SUITE_P(PlainBits, FullyConnectedExact, ::testing::Values(37, 32));

TEST(FullyConnected, RejectsBadShapesAndWeights) {
  const auto context = he::Context::create(he::Parameters::standard(37));
  EXPECT_THROW(FullyConnectedShape({0, 3}).validate(), InvalidArgument);
  EXPECT_THROW(FullyConnectedShape({3, core::kMaxExtent + 1}).validate(), InvalidArgument);
  EXPECT_THROW(FullyConnectedClient(context, {3, 0}, 1), InvalidArgument);
  EXPECT_THROW(FullyConnectedServer(context, {3, 2}, std::vector<int64_t>(5), 1), InvalidArgument);
  EXPECT_THROW(FullyConnectedServer(context, {3, 2}, std::vector<int64_t>(6, 2), 1), InvalidArgument);
  EXPECT_EQ(FullyConnectedShape({512, 1000}).describe(), "FullyConnected 512 -> 1000");
}

}  // namespace
}  // namespace twain::linear
