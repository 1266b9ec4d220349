#include "linear/group_merge.hpp"

#include <gtest/gtest.h>

#include "conv2d_test_support.hpp"
#include "linear/conv2d_plan.hpp"

namespace twain::linear {
namespace {

using testing::plaintext_conv2d;
using testing::random_share;
using testing::random_weights;

uint64_t plan_bytes(const core::Conv2dGeometry& shape, const he::Context& context) {
  const Conv2dPlan plan(shape, context, 1 << 12);
  return plan.bytes_sent(Role::Client) + plan.bytes_sent(Role::Server);
}

TEST(GroupMerge, MergedWeightsComputeTheSameConvolution) {
  core::Prg prg(core::Seed{0x6d, 1});
  for (int trial = 0; trial < 40; ++trial) {
    const core::Conv2dGeometry shape = testing::random_shape(prg, 12, 9);
    const auto weights = random_weights(shape.weight_size(), 1 << 12, prg);
    const auto input = random_share(shape.input_size(), 37, prg);
    const auto expected = plaintext_conv2d(shape, input, weights, 37);
    for (int m = 1; m <= shape.groups; ++m) {
      if (shape.groups % m != 0) continue;
      const core::Conv2dGeometry merged = merge_groups(shape, m);
      ASSERT_EQ(merged.groups * m, shape.groups);
      ASSERT_EQ(plaintext_conv2d(merged, input, merge_group_weights(shape, weights, m), 37), expected)
          << shape.describe() << " merged by " << m;
    }
  }
  const core::Conv2dGeometry depthwise{6, 5, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 6};
  EXPECT_THROW(merge_groups(depthwise, 4), InvalidArgument);
  EXPECT_THROW(merge_group_weights(depthwise, std::vector<int64_t>(5), 2), InvalidArgument);
}

TEST(GroupMerge, SmallDepthwiseLayersAndBatchNormsShareCiphertexts) {
  const auto context = he::Context::create(he::Parameters::standard(37));
  // MobileNetV2's last depthwise layer and a DenseNet BatchNorm at 14x14 (a depthwise 1x1 layer).
  for (const core::Conv2dGeometry shape : {core::Conv2dGeometry{960, 7, 7, 960, 3, 3, 1, 1, 1, 1, 1, 1, 960},
                                  core::Conv2dGeometry{512, 14, 14, 512, 1, 1, 1, 1, 0, 0, 0, 0, 512}}) {
    const core::Conv2dGeometry best = cheapest_group_merge(shape, *context, 1 << 12).shape();
    EXPECT_LT(best.groups, shape.groups) << shape.describe();
    EXPECT_LT(plan_bytes(best, *context) * 3, plan_bytes(shape, *context)) << shape.describe();
  }
  // Dense layers have nothing to merge.
  const core::Conv2dGeometry dense{16, 20, 20, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1};
  EXPECT_EQ(cheapest_group_merge(dense, *context, 1 << 12).shape().groups, 1);
}

TEST(GroupMerge, MergedDepthwiseLayerIsExactOverTheProtocol) {
  const auto context = he::Context::create(he::Parameters::standard(37));
  const core::Conv2dGeometry shape{96, 7, 7, 96, 3, 3, 2, 2, 1, 1, 1, 1, 96};
  ASSERT_LT(Conv2dServer(context, shape, std::vector<int64_t>(shape.weight_size()), 1 << 12).plan().shape().groups,
            shape.groups);
  testing::check_layer(context, shape, 1 << 12, false, 80);
  testing::check_layer(context, shape, 1 << 12, true, 81);
}

}  // namespace
}  // namespace twain::linear
