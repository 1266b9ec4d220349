// The two-party convolution end to end (keys, seeded uploads, products, masked, re-randomised,
// flooded, switched responses, decryption): the reconstructed output must equal the plaintext
// convolution of x_C + x_S mod 2^l exactly, and the traffic must equal the plan's byte model.
#include <gtest/gtest.h>

#include "conv2d_test_support.hpp"
#include "core/thread_pool.hpp"
#include "he/params.hpp"

namespace twain::linear {
namespace {

using testing::add_shares;
using testing::plaintext_conv2d;
using testing::random_share;
using testing::random_weights;
using testing::check_layer;
using testing::run_two_party;

// The largest power-of-two weight bound up to 2^12 that does not force smaller blocks (more
// responses) than the smallest bound would: the plan's noise budget decides it per shape.
uint64_t fitting_bound(const he::Context& context, const core::Conv2dGeometry& shape) {
  const std::size_t responses = Conv2dPlan(shape, context, 1).responses();
  uint64_t bound = uint64_t{1} << 12;
  while (bound > 1 && Conv2dPlan(shape, context, bound).responses() > responses) bound /= 2;
  return bound;
}

class Conv2dProtocolFixed : public ::testing::TestWithParam<int> {};

TEST_P(Conv2dProtocolFixed, SqueezeNetLikeLayersAreExact) {
  const auto context = he::Context::create(he::Parameters::standard(GetParam()));
  const uint64_t full = uint64_t{1} << 12;  // every fixed layer fits worst-case 12-bit weights
  const auto squeeze = check_layer(context, {64, 14, 14, 16, 1, 1, 1, 1, 0, 0, 0, 0, 1}, full, false, 1);
  const auto expand3 = check_layer(context, {16, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1}, full, false, 2);
  const auto expand1 = check_layer(context, {16, 14, 14, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1}, full, false, 3);
  const auto first = check_layer(context, {3, 32, 32, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1}, full, true, 4);
  RecordProperty("squeeze_1x1_64_16_up", std::to_string(squeeze.up));
  RecordProperty("squeeze_1x1_64_16_down", std::to_string(squeeze.down));
  RecordProperty("expand_3x3_16_64_up", std::to_string(expand3.up));
  RecordProperty("expand_3x3_16_64_down", std::to_string(expand3.down));
  RecordProperty("expand_1x1_16_64_up", std::to_string(expand1.up));
  RecordProperty("expand_1x1_16_64_down", std::to_string(expand1.down));
  RecordProperty("first_3x3s2_3_64_up", std::to_string(first.up));
  RecordProperty("first_3x3s2_3_64_down", std::to_string(first.down));
}

INSTANTIATE_TEST_SUITE_P(PlainBits, Conv2dProtocolFixed, ::testing::Values(37, 32));

TEST(Conv2dProtocol, GroupedDepthwiseAndStridedLayersAreExact) {
  const auto context = he::Context::create(he::Parameters::standard(37));
  check_layer(context, {32, 12, 12, 32, 3, 3, 1, 1, 1, 1, 1, 1, 32}, 1 << 12, false, 10);  // depthwise
  check_layer(context, {16, 9, 11, 32, 3, 5, 2, 1, 1, 2, 0, 3, 16}, 1 << 12, false, 11);   // multiplier 2
  check_layer(context, {8, 13, 13, 6, 5, 5, 2, 2, 2, 2, 2, 2, 2}, 1 << 12, false, 12);     // 2 groups, stride 2
  check_layer(context, {2, 1, 1, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1}, 1 << 12, false, 13);       // 1x1 input
}

TEST(Conv2dProtocol, StridedLayersTakeTheCheaperLayoutAndAreExact) {
  const auto context = he::Context::create(he::Parameters::standard(37));
  // SqueezeNet's conv1 (3 -> 64, 3x3, stride 2, 224x224): the stride phases (12 channels of 2x2
  // kernels, dense outputs) send 13.7 MB where stride 1 with dropped outputs sends 29.1 MB.
  const Conv2dPlan conv1({3, 224, 224, 64, 3, 3, 2, 2, 0, 0, 0, 0, 1}, *context, 1 << 12);
  EXPECT_TRUE(conv1.stride_phases()) << conv1.describe();
  EXPECT_EQ(conv1.layout().in_channels, 12);
  EXPECT_EQ(conv1.layout().kernel_h, 2);
  EXPECT_LT(conv1.bytes_sent(Role::Client) + conv1.bytes_sent(Role::Server), 14'000'000u) << conv1.describe();
  // Phases carry only their own taps: a 3x3 kernel splits into 4 + 2 + 2 + 1 taps.
  std::size_t support = 0;
  for (int b = 0; b < conv1.channel_blocks(); ++b) support += conv1.kernel_bound(b, 0).support;
  EXPECT_EQ(support, static_cast<std::size_t>(3 * 9 * conv1.channels_per_response()));
  // A 1x1 kernel at stride 2 would upload three phases that no tap reads: direct is cheaper.
  EXPECT_FALSE(Conv2dPlan({16, 20, 20, 16, 1, 1, 2, 2, 0, 0, 0, 0, 1}, *context, 1 << 12).stride_phases());
  // Exact in both layouts, with paddings, uneven strides, kernels not divisible by the stride,
  // groups and a client-owned input; the first two take stride phases, the last two not.
  const core::Conv2dGeometry shapes[] = {{6, 91, 87, 8, 5, 3, 3, 2, 2, 1, 0, 2, 2},
                                {4, 64, 64, 8, 7, 7, 2, 2, 3, 3, 3, 3, 1},
                                {3, 40, 40, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1},
                                {16, 20, 20, 16, 1, 1, 2, 2, 0, 0, 0, 0, 1}};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(Conv2dPlan(shapes[i], *context, 1 << 12).stride_phases(), i < 2) << shapes[i].describe();
    for (const bool first : {false, true})
      check_layer(context, shapes[i], 1 << 12, first, static_cast<uint8_t>(60 + 2 * i + first));
  }
}

TEST(Conv2dProtocol, ThreadPoolsGiveTheSameSharesAsOneThread) {
  // Every upload and response draws from its own child generator: any pool, on either side,
  // yields the very shares of the single-threaded run, and they are exact.
  const auto context = he::Context::create(he::Parameters::standard(37));
  core::ThreadPool two(2), three(3);
  const core::Conv2dGeometry shapes[] = {{48, 20, 20, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1},  // many uploads and responses
                                {3, 40, 40, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1},   // client-owned input
                                {4, 64, 64, 8, 7, 7, 2, 2, 3, 3, 3, 3, 1}};   // stride phases
  for (int i = 0; i < 3; ++i) {
    const core::Conv2dGeometry& shape = shapes[i];
    const bool first_layer = i == 1;
    core::Prg prg(core::Seed{static_cast<uint8_t>(90 + i)});
    const auto weights = random_weights(shape.weight_size(), 1 << 12, prg);
    const auto client_share = first_layer ? testing::random_signed_input(shape.input_size(), 1 << 12, 37, prg)
                                          : random_share(shape.input_size(), 37, prg);
    const auto server_share = first_layer ? std::vector<uint64_t>{} : random_share(shape.input_size(), 37, prg);
    const Conv2dServer server(context, shape, weights, 1 << 12);
    const Conv2dClient client(context, shape, 1 << 12);
    const auto single = run_two_party(context, server, client, client_share, server_share, 50);
    const auto input = first_layer ? client_share : add_shares(client_share, server_share, 37);
    EXPECT_EQ(add_shares(single.client_share, single.server_share, 37), plaintext_conv2d(shape, input, weights, 37))
        << shape.describe();
    core::ThreadPool* none = nullptr;
    for (auto [server_pool, client_pool] : {std::pair{&two, &three}, std::pair{&three, none}}) {
      const auto pooled =
          run_two_party(context, server, client, client_share, server_share, 50, server_pool, client_pool);
      EXPECT_EQ(pooled.server_share, single.server_share) << shape.describe();
      EXPECT_EQ(pooled.client_share, single.client_share) << shape.describe();
      EXPECT_EQ(pooled.server_traffic.bytes_sent, single.server_traffic.bytes_sent);
      EXPECT_EQ(pooled.client_traffic.rounds, 1u);
    }
  }
}

TEST(Conv2dProtocol, OnDemandAndConstantKernelsGiveTheSharesOfPrecomputedOnes) {
  // Kernels transformed on use, or kept as scalars (a 1x1 layer whose blocks hold one channel),
  // change neither a message nor a share; both are exact.
  const auto context = he::Context::create(he::Parameters::standard(37));
  core::ThreadPool two(2);
  const core::Conv2dGeometry shapes[] = {{12, 20, 20, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1},
                                {6, 60, 60, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1},    // constant kernels
                                {4, 120, 120, 3, 1, 1, 2, 2, 0, 0, 0, 0, 1}}; // constant, stride phases
  for (int i = 0; i < 3; ++i) {
    const core::Conv2dGeometry& shape = shapes[i];
    core::Prg prg(core::Seed{static_cast<uint8_t>(120 + i)});
    const auto weights = random_weights(shape.weight_size(), 1 << 12, prg);
    const auto client_share = random_share(shape.input_size(), 37, prg);
    const auto server_share = random_share(shape.input_size(), 37, prg);
    const Conv2dServer precomputed(context, shape, weights, 1 << 12);
    const Conv2dServer on_demand(context, shape, weights, 1 << 12, 0);
    const Conv2dClient client(context, shape, 1 << 12);
    const std::size_t poly_bytes = context->n() * context->rns().size() * sizeof(uint32_t);
    ASSERT_EQ(precomputed.plan().constant_kernels(), i > 0) << shape.describe();
    EXPECT_TRUE(precomputed.precomputed());
    EXPECT_EQ(on_demand.precomputed(), i > 0) << "constant kernels are always kept";
    if (i == 0) {
      EXPECT_GE(precomputed.kernel_bytes(), precomputed.plan().kernel_count() * poly_bytes);
      EXPECT_EQ(on_demand.kernel_bytes(), weights.size() * sizeof(int64_t));
    } else {
      EXPECT_LT(precomputed.kernel_bytes(), precomputed.plan().kernel_count() * 256);
    }
    const auto expected = plaintext_conv2d(shape, add_shares(client_share, server_share, 37), weights, 37);
    const auto a = run_two_party(context, precomputed, client, client_share, server_share, 70);
    const auto b = run_two_party(context, on_demand, client, client_share, server_share, 70, &two);
    EXPECT_EQ(add_shares(a.client_share, a.server_share, 37), expected) << shape.describe();
    EXPECT_EQ(b.server_share, a.server_share) << shape.describe();
    EXPECT_EQ(b.client_share, a.client_share) << shape.describe();
    EXPECT_EQ(b.server_traffic.bytes_sent, a.server_traffic.bytes_sent);
  }
}

TEST(Conv2dProtocol, PackedResponsesAreExact) {
  // Several output channels per response, with a smaller last response: 64 = 21 x 3 + 1 for the
  // first layer, 7 = 4 + 3 in a small ring, and depthwise with channel multiplier 2.
  for (int bits : {37, 32}) {
    const auto context = he::Context::create(he::Parameters::standard(bits));
    const core::Conv2dGeometry first{3, 32, 32, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1};
    const Conv2dPlan plan(first, *context, 1 << 12);
    EXPECT_GT(plan.channels_per_response(), 1) << plan.describe();
    EXPECT_LT(plan.channels_in_response(plan.responses_per_block() - 1), plan.channels_per_response());
    check_layer(context, first, 1 << 12, true, static_cast<uint8_t>(100 + bits));
    const core::Conv2dGeometry depthwise{16, 9, 11, 32, 3, 5, 2, 1, 1, 2, 0, 3, 16};
    EXPECT_EQ(Conv2dPlan(depthwise, *context, 1 << 12).channels_per_response(), 2);
    check_layer(context, depthwise, 1 << 12, false, static_cast<uint8_t>(110 + bits));
    const auto small = he::Context::create(he::Parameters::insecure_for_tests(256, 27, 4, bits));
    const core::Conv2dGeometry uneven{3, 4, 4, 7, 1, 1, 1, 1, 0, 0, 0, 0, 1};
    EXPECT_EQ(Conv2dPlan(uneven, *small, 1 << 6).channels_per_response(), 4);
    check_layer(small, uneven, 1 << 6, false, static_cast<uint8_t>(120 + bits));
  }
}

TEST(Conv2dProtocol, LayersSplitIntoManySpatialBlocksAreExact) {
  // 64x64 does not fit one ciphertext: the plan cuts rows and columns with overlaps.
  const auto context = he::Context::create(he::Parameters::standard(37));
  const core::Conv2dGeometry shape{4, 64, 64, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1};
  EXPECT_GT(Conv2dPlan(shape, *context, 1 << 8).spatial_blocks().size(), 1u);
  check_layer(context, shape, 1 << 8, false, 20);
  // A small (insecure, test-only) ring forces many blocks of every kind on small layers.
  const auto small = he::Context::create(he::Parameters::insecure_for_tests(256, 27, 4, 37));
  core::Prg prg(core::Seed{21});
  for (int trial = 0; trial < 16; ++trial) {
    const core::Conv2dGeometry s = testing::random_shape(prg, 12, 20);
    if (s.kernel_h * s.kernel_w > 256) continue;
    check_layer(small, s, fitting_bound(*small, s), trial % 3 == 0, static_cast<uint8_t>(30 + trial));
  }
}

TEST(Conv2dProtocol, LargeFanInFitsTheNoiseBudget) {
  // 256 input channels of 7x7 at l = 37: 13-bit weights fit one block whole; with 14-bit weights
  // a response revealing all 576 outputs would not decrypt exactly, so the plan cuts more spatial
  // blocks (more responses); 16-bit weights would need far more, and the plan splits them into two
  // digits instead (twice the responses, each with 8-bit digits); 2^39 takes three digits. Each is
  // exact against the plaintext convolution. At l = 32 one block fits 12-bit weights.
  const core::Conv2dGeometry shape{256, 24, 24, 64, 7, 7, 1, 1, 3, 3, 3, 3, 1};
  const auto l37 = he::Context::create(he::Parameters::standard(37));
  EXPECT_EQ(fitting_bound(*l37, shape), 1u << 12);
  const Conv2dPlan whole(shape, *l37, 1 << 13), cut(shape, *l37, 1 << 14), split(shape, *l37, 1 << 16),
      three(shape, *l37, uint64_t{1} << 39);
  EXPECT_EQ(whole.spatial_blocks().size(), 1u);
  EXPECT_EQ(whole.weight_digits().count, 1);
  EXPECT_GT(cut.spatial_blocks().size(), 1u);
  EXPECT_EQ(cut.weight_digits().count, 1);
  EXPECT_EQ(split.weight_digits().count, 2);
  EXPECT_EQ(split.responses(), 2 * whole.responses());
  EXPECT_EQ(three.weight_digits().count, 3);
  check_layer(l37, shape, 1 << 16, false, 14);
  check_layer(l37, shape, 1 << 14, false, 15);
  check_layer(l37, shape, uint64_t{1} << 39, false, 17);
  const auto l32 = he::Context::create(he::Parameters::standard(32));
  EXPECT_EQ(Conv2dPlan(shape, *l32, 1 << 12).spatial_blocks().size(), 1u);
  check_layer(l32, shape, 1 << 12, false, 16);
}

TEST(Conv2dProtocol, OneServerObjectServesConcurrentSessions) {
  const auto context = he::Context::create(he::Parameters::standard(37));
  const core::Conv2dGeometry shape{24, 10, 10, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1};
  core::Prg prg(core::Seed{17});
  const auto weights = random_weights(shape.weight_size(), 1 << 12, prg);
  const Conv2dServer server(context, shape, weights, 1 << 12);
  const Conv2dClient client(context, shape, 1 << 12);
  std::vector<std::vector<uint64_t>> client_shares(4), server_shares(4), outputs(4);
  for (int i = 0; i < 4; ++i) {
    client_shares[i] = random_share(shape.input_size(), 37, prg);
    server_shares[i] = random_share(shape.input_size(), 37, prg);
  }
  std::vector<std::thread> sessions;
  for (int i = 0; i < 4; ++i)
    sessions.emplace_back([&, i] {
      try {
        const auto r =
            run_two_party(context, server, client, client_shares[i], server_shares[i], static_cast<uint8_t>(90 + i));
        outputs[i] = add_shares(r.client_share, r.server_share, 37);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "session " << i << ": " << e.what();
      }
    });
  for (auto& t : sessions) t.join();
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(outputs[i], plaintext_conv2d(shape, add_shares(client_shares[i], server_shares[i], 37), weights, 37));
}

TEST(Conv2dProtocol, RandomShapesAreExact) {
  core::Prg prg(core::Seed{50});
  for (int bits : {37, 32}) {
    const auto context = he::Context::create(he::Parameters::standard(bits));
    for (int trial = 0; trial < 20; ++trial) {
      const core::Conv2dGeometry shape = testing::random_shape(prg, 64, 24);
      // Channels up to 64 with 7x7 kernels exceed the l = 37 budget at 12-bit weights over the
      // outputs of one response: those shapes get the largest bound that keeps their blocks.
      check_layer(context, shape, fitting_bound(*context, shape), trial % 4 == 0,
                  static_cast<uint8_t>(60 + trial + bits));
    }
  }
}

}  // namespace
}  // namespace twain::linear
