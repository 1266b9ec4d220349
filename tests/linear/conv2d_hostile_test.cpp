// A peer that sends garbage, truncated or oversized messages, or reuses seeds, ends the layer
// with FormatError (NetworkError when it leaves), never a crash or a hang; bad local arguments
// are InvalidArgument.
#include <gtest/gtest.h>

#include <functional>

#include "conv2d_test_support.hpp"
#include "core/errors.hpp"
#include "he/encryptor.hpp"
#include "he/params.hpp"
#include "he/serialization.hpp"

namespace twain::linear {
namespace {

using testing::close_quietly;

class Conv2dHostile : public ::testing::Test {
 protected:
  // Two channel blocks per spatial block (48 channels of 10x10 do not fit one ciphertext).
  const core::Conv2dGeometry shape{48, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1};
  static constexpr uint64_t kBound = 1 << 10;
  he::ContextPtr context = he::Context::create(he::Parameters::standard(37));
  core::Prg prg{core::Seed{77}};
  he::SecretKey sk = he::generate_secret_key(*context, prg);
  he::PublicKey pk = he::generate_public_key(*context, sk, prg);
  std::vector<int64_t> weights = testing::random_weights(shape.weight_size(), kBound, prg);
  std::vector<uint64_t> share = testing::random_share(shape.input_size(), 37, prg);

  // Runs the real server against `peer` (the fake client); returns what the server threw.
  std::exception_ptr server_against(const std::function<void(net::Channel&)>& peer) {
    const Conv2dServer server(context, shape, weights, kBound);
    EXPECT_EQ(server.plan().channel_blocks(), 2);
    auto server_end_client_end = net::make_memory_channel_pair();
    auto& server_end = server_end_client_end.first;
    auto& client_end = server_end_client_end.second;
    std::exception_ptr error;
    std::thread thread([&] {
      core::Prg server_prg(core::Seed{78});
      try {
        server.run(*server_end, pk, share, server_prg);
      } catch (...) {
        error = std::current_exception();
      }
      close_quietly(*server_end);
    });
    peer(*client_end);
    close_quietly(*client_end);
    thread.join();
    return error;
  }

  // Runs the real client against `peer` (the fake server, which first drains the uploads).
  std::exception_ptr client_against(const std::function<void(net::Channel&)>& peer) {
    const Conv2dClient client(context, shape, kBound);
    auto [server_end, client_end] = net::make_memory_channel_pair();
    std::thread thread([&, &end = *server_end] {
      try {
        for (std::size_t i = 0; i < client.plan().uploads(); ++i) end.recv_message(client.plan().upload_bytes());
        peer(end);
      } catch (const Error&) {
      }
      close_quietly(end);
    });
    std::exception_ptr error;
    try {
      core::Prg client_prg(core::Seed{79});
      client.run(*client_end, sk, share, client_prg);
    } catch (...) {
      error = std::current_exception();
    }
    close_quietly(*client_end);
    thread.join();
    return error;
  }

  std::vector<uint8_t> honest_upload(core::Prg& p) const {
    return he::serialize(*context, he::encrypt(*context, sk, std::vector<uint64_t>(context->n(), 3), p));
  }
};

template <class Ex>
void expect_throws(const std::exception_ptr& error, const char* what) {
  ASSERT_TRUE(error) << what << ": nothing was thrown";
  try {
    std::rethrow_exception(error);
  } catch (const Ex&) {
  } catch (const std::exception& e) {
    FAIL() << what << ": unexpected exception " << e.what();
  }
}

TEST_F(Conv2dHostile, ServerRejectsGarbageInsteadOfACiphertext) {
  const Conv2dPlan plan(shape, *context, kBound);
  expect_throws<FormatError>(server_against([&](net::Channel& c) {
                               std::vector<uint8_t> garbage(plan.upload_bytes());
                               prg.fill(std::span<uint8_t>(garbage));
                               c.send_message(garbage);
                             }),
                             "garbage of the right length");
  expect_throws<FormatError>(server_against([&](net::Channel& c) {
                               const auto bytes = honest_upload(prg);
                               c.send_message(std::span<const uint8_t>(bytes).first(bytes.size() / 2));
                             }),
                             "truncated ciphertext");
  expect_throws<FormatError>(server_against([&](net::Channel& c) {
                               auto bytes = honest_upload(prg);
                               bytes.push_back(0);
                               c.send_message(bytes);
                             }),
                             "one byte over the expected size");
  expect_throws<FormatError>(server_against([&](net::Channel& c) { c.send_u64(uint64_t{1} << 40); }),
                             "declared length of 1 TiB");
}

TEST_F(Conv2dHostile, ServerRejectsARepeatedSeedWithinABlock) {
  expect_throws<FormatError>(server_against([&](net::Channel& c) {
                               const auto bytes = honest_upload(prg);
                               c.send_message(bytes);
                               c.send_message(bytes);
                             }),
                             "the same ciphertext for both channel blocks");
}

TEST_F(Conv2dHostile, ServerFailsCleanlyWhenTheClientLeaves) {
  expect_throws<NetworkError>(server_against([&](net::Channel& c) { c.send_message(honest_upload(prg)); }),
                              "client left after one upload");
}

TEST_F(Conv2dHostile, ClientRejectsMalformedResponses) {
  const Conv2dPlan plan(shape, *context, kBound);
  const std::size_t expected = plan.response_bytes(plan.spatial_blocks().front(), 0);
  expect_throws<FormatError>(client_against([&](net::Channel& c) {
                               std::vector<uint8_t> garbage(expected);
                               prg.fill(std::span<uint8_t>(garbage));
                               c.send_message(garbage);
                             }),
                             "garbage response");
  expect_throws<FormatError>(client_against([&](net::Channel& c) { c.send_message(std::vector<uint8_t>(expected - 1)); }),
                             "short response");
  expect_throws<FormatError>(client_against([&](net::Channel& c) { c.send_message(std::vector<uint8_t>(expected + 1)); }),
                             "long response");
  expect_throws<NetworkError>(client_against([](net::Channel&) {}), "server left");
}

TEST_F(Conv2dHostile, BadLocalArgumentsAreInvalidArgument) {
  auto bad = weights;
  bad[7] = kBound + 1;
  EXPECT_THROW(Conv2dServer(context, shape, bad, kBound), InvalidArgument);
  EXPECT_THROW(Conv2dServer(context, shape, std::span(weights).first(10), kBound), InvalidArgument);
  const Conv2dServer server(context, shape, weights, kBound);
  const Conv2dClient client(context, shape, kBound);
  auto [server_end, client_end] = net::make_memory_channel_pair();
  EXPECT_THROW(server.run(*server_end, pk, std::span(share).first(5), prg), InvalidArgument);
  EXPECT_THROW(client.run(*client_end, sk, std::span(share).first(5), prg), InvalidArgument);
  auto too_wide = share;
  too_wide[3] = uint64_t{1} << 37;
  EXPECT_THROW(client.run(*client_end, sk, too_wide, prg), InvalidArgument);
}

}  // namespace
}  // namespace twain::linear
