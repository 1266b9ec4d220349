// Fusing two convolutions of the same input: the fused layer's output is the channel
// concatenation of the two layers' outputs (plaintext oracle, then two-party), it sends fewer
// bytes than the two layers for SqueezeNet's fire modules, and layers that cannot fuse are refused.
#include <gtest/gtest.h>

#include "conv2d_test_support.hpp"
#include "core/errors.hpp"
#include "he/params.hpp"
#include "linear/conv2d_fusion.hpp"
#include "linear/conv2d_plan.hpp"

namespace twain::linear {
namespace {

using testing::add_shares;
using testing::plaintext_conv2d;
using testing::random_share;
using testing::random_weights;

std::vector<uint64_t> concatenated(const core::Conv2dGeometry& a, std::span<const int64_t> wa, const core::Conv2dGeometry& b,
                                   std::span<const int64_t> wb, std::span<const uint64_t> x, int bits) {
  std::vector<uint64_t> out = plaintext_conv2d(a, x, wa, bits);
  const std::vector<uint64_t> second = plaintext_conv2d(b, x, wb, bits);
  out.insert(out.end(), second.begin(), second.end());
  return out;
}

TEST(Conv2dFusion, FusedOutputIsTheConcatenation) {
  core::Prg prg(core::Seed{70});
  const std::pair<core::Conv2dGeometry, core::Conv2dGeometry> pairs[] = {
      {{16, 13, 13, 8, 1, 1, 1, 1, 0, 0, 0, 0, 1}, {16, 13, 13, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1}},  // fire expand
      {{5, 11, 9, 4, 5, 5, 2, 2, 2, 2, 2, 2, 1}, {5, 11, 9, 3, 1, 1, 2, 2, 0, 0, 0, 0, 1}},      // stride 2, larger first
      {{4, 7, 10, 2, 3, 1, 1, 1, 1, 0, 1, 0, 1}, {4, 7, 10, 3, 1, 3, 1, 1, 0, 1, 0, 1, 1}},      // 3x1 with 1x3
      {{3, 8, 8, 2, 2, 2, 1, 1, 0, 0, 1, 1, 1}, {3, 8, 8, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1}}};       // asymmetric padding
  for (const auto& [a, b] : pairs) {
    const core::Conv2dGeometry fused = fuse_shapes(a, b);
    EXPECT_EQ(fused.out_channels, a.out_channels + b.out_channels);
    EXPECT_EQ(fused.output_height(), a.output_height());
    EXPECT_EQ(fused.output_width(), a.output_width());
    const auto wa = random_weights(a.weight_size(), 1 << 12, prg), wb = random_weights(b.weight_size(), 1 << 12, prg);
    const auto x = random_share(a.input_size(), 37, prg);
    EXPECT_EQ(plaintext_conv2d(fused, x, fuse_weights(a, wa, b, wb), 37), concatenated(a, wa, b, wb, x, 37))
        << fused.describe();
  }
  const core::Conv2dGeometry fire = fuse_shapes({16, 55, 55, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1}, {16, 55, 55, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1});
  EXPECT_EQ(fire.describe(), core::Conv2dGeometry({16, 55, 55, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1}).describe());
}

TEST(Conv2dFusion, FusedFireExpandIsExactAndSendsLess) {
  const auto context = he::Context::create(he::Parameters::standard(37));
  const core::Conv2dGeometry e1{32, 14, 14, 48, 1, 1, 1, 1, 0, 0, 0, 0, 1}, e3{32, 14, 14, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1};
  const core::Conv2dGeometry fused = fuse_shapes(e1, e3);
  core::Prg prg(core::Seed{71});
  const auto w1 = random_weights(e1.weight_size(), 1 << 12, prg), w3 = random_weights(e3.weight_size(), 1 << 12, prg);
  const auto client_share = random_share(e1.input_size(), 37, prg), server_share = random_share(e1.input_size(), 37, prg);
  const Conv2dServer server(context, fused, fuse_weights(e1, w1, e3, w3), 1 << 12);
  const Conv2dClient client(context, fused, 1 << 12);
  const auto result = testing::run_two_party(context, server, client, client_share, server_share, 72);
  EXPECT_EQ(add_shares(result.client_share, result.server_share, 37),
            concatenated(e1, w1, e3, w3, add_shares(client_share, server_share, 37), 37));
  // SqueezeNet 1.1's fire modules at 224x224 (squeeze output extent, squeeze and expand channels).
  const int fires[][3] = {{55, 16, 64}, {27, 32, 128}, {13, 48, 192}, {13, 64, 256}};
  for (const auto& [extent, squeeze, expand] : fires) {
    const core::Conv2dGeometry a{squeeze, extent, extent, expand, 1, 1, 1, 1, 0, 0, 0, 0, 1};
    const core::Conv2dGeometry b{squeeze, extent, extent, expand, 3, 3, 1, 1, 1, 1, 1, 1, 1};
    const auto bytes = [&](const core::Conv2dGeometry& s) {
      const Conv2dPlan plan(s, *context, 1 << 12);
      return plan.bytes_sent(Role::Client) + plan.bytes_sent(Role::Server);
    };
    EXPECT_LT(bytes(fuse_shapes(a, b)), bytes(a) + bytes(b)) << a.describe();
  }
}

TEST(Conv2dFusion, LayersThatCannotFuseAreRefused) {
  const core::Conv2dGeometry base{8, 10, 10, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1};
  core::Conv2dGeometry other = base;
  other.stride_h = 2;
  EXPECT_THROW(fuse_shapes(base, other), InvalidArgument);  // strides
  other = base;
  other.width = 11;
  EXPECT_THROW(fuse_shapes(base, other), InvalidArgument);  // input extent
  other = base;
  other.pad_left = 0;
  EXPECT_THROW(fuse_shapes(base, other), InvalidArgument);  // output extent
  other = base;
  other.pad_top = 0;
  other.pad_bottom = 2;
  EXPECT_THROW(fuse_shapes(base, other), InvalidArgument);  // windows shifted by a row
  other = base;
  other.groups = 2;
  EXPECT_THROW(fuse_shapes(base, other), InvalidArgument);  // groups
  const core::Conv2dGeometry one{8, 10, 10, 4, 1, 1, 1, 1, 0, 0, 0, 0, 1};
  EXPECT_NO_THROW(fuse_shapes(base, one));
  EXPECT_THROW(fuse_weights(base, std::vector<int64_t>(3), one, std::vector<int64_t>(one.weight_size())),
               InvalidArgument);
}

}  // namespace
}  // namespace twain::linear
