#include "linear/strided_pointwise.hpp"

#include <gtest/gtest.h>

#include "conv2d_test_support.hpp"
#include "linear/conv2d_plan.hpp"

namespace twain::linear {
namespace {

using testing::plaintext_conv2d;
using testing::random_share;
using testing::random_weights;

TEST(StridedPointwise, TheUnstridedLayerOnTheSubsampledInputIsTheLayer) {
  core::Prg prg(core::Seed{0x5b, 1});
  const core::Conv2dGeometry shapes[] = {{5, 9, 8, 7, 1, 1, 2, 2, 0, 0, 0, 0, 1},
                                {6, 7, 11, 4, 1, 1, 3, 2, 1, 2, 0, 1, 2},
                                {3, 6, 6, 3, 1, 1, 2, 1, 2, 0, 2, 0, 3}};
  for (const core::Conv2dGeometry& shape : shapes) {
    ASSERT_TRUE(is_strided_pointwise(shape));
    const core::Conv2dGeometry layer = unstrided_layer(shape);
    EXPECT_EQ(layer.stride_h * layer.stride_w, 1);
    EXPECT_EQ(layer.output_size(), shape.output_size());
    const auto weights = random_weights(shape.weight_size(), 1 << 12, prg);
    const auto input = random_share(shape.input_size(), 37, prg);
    EXPECT_EQ(plaintext_conv2d(layer, subsample_input(shape, input), weights, 37),
              plaintext_conv2d(shape, input, weights, 37))
        << shape.describe();
  }
  const core::Conv2dGeometry three_by_three{4, 8, 8, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1};
  EXPECT_FALSE(is_strided_pointwise(three_by_three));
  EXPECT_EQ(unstrided_layer(three_by_three).stride_h, 2);
  EXPECT_THROW(subsample_input(shapes[0], std::vector<uint64_t>(3)), InvalidArgument);
}

TEST(StridedPointwise, ResNetShortcutRunsOnAQuarterOfTheInputAndIsExact) {
  const auto context = he::Context::create(he::Parameters::standard(37));
  // ResNet50's layer2 shortcut at a quarter of its width, and a padded first layer.
  const core::Conv2dGeometry shape{64, 56, 56, 128, 1, 1, 2, 2, 0, 0, 0, 0, 1};
  EXPECT_EQ(Conv2dClient(context, shape, 1 << 12).plan().shape().height, 28);
  const auto traffic = testing::check_layer(context, shape, 1 << 12, false, 81);
  const Conv2dPlan phases(shape, *context, 1 << 12);
  // A quarter of the uploads; the responses shrink less (they pack the same outputs).
  EXPECT_LT((traffic.up + traffic.down) * 3, (phases.bytes_sent(Role::Client) + phases.bytes_sent(Role::Server)) * 2);
  testing::check_layer(context, {3, 32, 32, 8, 1, 1, 2, 2, 1, 1, 1, 1, 1}, 1 << 12, true, 83);
  // A share of the unstrided size is refused: the layer's own input size is the contract.
  const Conv2dServer server(context, shape, std::vector<int64_t>(shape.weight_size()), 1 << 12);
  const Conv2dClient client(context, shape, 1 << 12);
  EXPECT_THROW(testing::run_two_party(context, server, client, std::vector<uint64_t>(64 * 28 * 28),
                                      std::vector<uint64_t>(64 * 28 * 28), 82),
               InvalidArgument);
}

}  // namespace
}  // namespace twain::linear
