// The standalone batch normalisation end to end: the reconstructed output must equal
// scale[c] x + shift[c] mod 2^l exactly for x = x_C + x_S, with the plan's traffic.
#include <gtest/gtest.h>

#include "conv2d_test_support.hpp"
#include "core/errors.hpp"
#include "core/thread_pool.hpp"
#include "he/params.hpp"
#include "linear/batch_norm.hpp"

namespace twain::linear {
namespace {

using testing::add_shares;
using testing::random_share;

void check_layer(const he::ContextPtr& context, const BatchNormShape& shape, uint64_t scale_bound, uint8_t seed,
                 core::ThreadPool* server_pool = nullptr, core::ThreadPool* client_pool = nullptr) {
  const int bits = context->plain_bits();
  const uint64_t mask = context->plain_mask();
  core::Prg prg(core::Seed{seed, 6});
  const auto channels = static_cast<std::size_t>(shape.channels);
  const auto scale = testing::random_weights(channels, scale_bound, prg);
  const auto shift = random_share(channels, bits, prg);
  const auto client_share = random_share(shape.size(), bits, prg);
  const auto server_share = random_share(shape.size(), bits, prg);
  const BatchNormServer server(context, shape, scale, shift, scale_bound);
  const BatchNormClient client(context, shape, scale_bound);
  const auto result =
      testing::run_two_party(context, server, client, client_share, server_share, seed, server_pool, client_pool);
  const auto x = add_shares(client_share, server_share, bits);
  std::vector<uint64_t> expected(x.size());
  const std::size_t plane = shape.size() / channels;
  for (std::size_t i = 0; i < x.size(); ++i)
    expected[i] = (x[i] * static_cast<uint64_t>(scale[i / plane]) + shift[i / plane]) & mask;
  EXPECT_EQ(add_shares(result.client_share, result.server_share, bits), expected)
      << shape.describe() << ", l = " << bits << ", " << server.plan().describe();
  EXPECT_EQ(result.client_traffic.bytes_sent, server.plan().bytes_sent(Role::Client));
  EXPECT_EQ(result.server_traffic.bytes_sent, server.plan().bytes_sent(Role::Server));
}

class BatchNormExact : public ::testing::TestWithParam<int> {};

TEST_P(BatchNormExact, MatchesScaleAndShift) {
  const auto context = he::Context::create(he::Parameters::standard(GetParam()));
  check_layer(context, {16, 28, 28}, 1 << 12, 1);  // one ciphertext per channel
  core::ThreadPool server_pool(2), client_pool(3);
  check_layer(context, {3, 70, 70}, 1 << 12, 2, &server_pool, &client_pool);  // split spatially, threads
  check_layer(context, {5, 1, 1}, 1 << 12, 3);
}

INSTANTIATE_TEST_SUITE_P(PlainBits, BatchNormExact, ::testing::Values(37, 32));

TEST(BatchNorm, RejectsBadArguments) {
  const auto context = he::Context::create(he::Parameters::standard(37));
  const BatchNormShape shape{2, 3, 3};
  EXPECT_THROW(BatchNormShape({0, 3, 3}).validate(), InvalidArgument);
  EXPECT_THROW(BatchNormServer(context, shape, std::vector<int64_t>{1, 1}, std::vector<uint64_t>{1}, 4),
               InvalidArgument);
  EXPECT_THROW(BatchNormServer(context, shape, std::vector<int64_t>{1, 5}, std::vector<uint64_t>{1, 1}, 4),
               InvalidArgument);
  EXPECT_THROW(
      BatchNormServer(context, shape, std::vector<int64_t>{1, 1}, std::vector<uint64_t>{1, uint64_t{1} << 37}, 4),
      InvalidArgument);
  const BatchNormServer server(context, shape, std::vector<int64_t>{1, 1}, std::vector<uint64_t>{1, 1}, 4);
  auto [server_end, client_end] = net::make_memory_channel_pair();
  core::Prg prg(core::Seed{9});
  const he::SecretKey sk = he::generate_secret_key(*context, prg);
  const he::PublicKey pk = he::generate_public_key(*context, sk, prg);
  EXPECT_THROW(server.run(*server_end, pk, std::vector<uint64_t>{}, prg), InvalidArgument);
  EXPECT_EQ(shape.describe(), "BatchNorm 2x3x3");
}

}  // namespace
}  // namespace twain::linear
