// The plan without encryption: blocks tile the output exactly once and fit the ring, the
// encoding's product polynomials hold the convolution at the kept coefficients (checked with
// plaintext negacyclic products), the byte model is consistent, and bad inputs are refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <string>

#include "core/errors.hpp"
#include "core/prg.hpp"
#include "conv2d_test_support.hpp"
#include "he/params.hpp"
#include "linear/conv2d_plan.hpp"

namespace twain::linear {
namespace {

using testing::random_shape;

he::ContextPtr small_ring(std::size_t n, int plain_bits = 37) {
  return he::Context::create(he::Parameters::insecure_for_tests(n, 27, 4, plain_bits));
}

void expect_tiles_output(const Conv2dPlan& plan, int plain_bits = 37) {
  // Geometry in the layout the blocks are laid on (the layer itself, or its stride phases).
  const core::Conv2dGeometry& s = plan.layout();
  ASSERT_EQ(s.output_height(), plan.shape().output_height()) << s.describe();
  ASSERT_EQ(s.output_width(), plan.shape().output_width()) << s.describe();
  ASSERT_EQ(s.out_channels, plan.shape().out_channels);
  ASSERT_EQ(s.groups, plan.shape().groups);
  if (plan.stride_phases()) {
    EXPECT_EQ(s.in_channels, plan.shape().in_channels * plan.shape().stride_h * plan.shape().stride_w);
    EXPECT_EQ(s.stride_h * s.stride_w, 1);
  } else {
    EXPECT_EQ(s.describe(), plan.shape().describe());
  }
  const BlockExtent& block = plan.block();
  ASSERT_LE(static_cast<std::size_t>(block.channels) * block.height * block.width, plan.n()) << s.describe();
  int channels = 0;
  for (int b = 0; b < plan.channel_blocks(); ++b) {
    ASSERT_GE(plan.channels_in_block(b), 1);
    channels += plan.channels_in_block(b);
  }
  EXPECT_EQ(channels, s.in_channels_per_group()) << s.describe();
  std::vector<int> covered(static_cast<std::size_t>(s.output_height()) * s.output_width(), 0);
  for (const SpatialBlock& sb : plan.spatial_blocks()) {
    ASSERT_EQ(sb.kept.size(), static_cast<std::size_t>(sb.output_rows) * sb.output_cols);
    EXPECT_LE((sb.output_rows - 1) * s.stride_h + s.kernel_h, block.height) << s.describe();
    EXPECT_LE((sb.output_cols - 1) * s.stride_w + s.kernel_w, block.width) << s.describe();
    EXPECT_EQ(sb.input_row, sb.output_row * s.stride_h);
    EXPECT_EQ(sb.input_col, sb.output_col * s.stride_w);
    EXPECT_GE(sb.response_bits, plain_bits + 2);
    const std::set<uint32_t> distinct(sb.kept.begin(), sb.kept.end());
    EXPECT_EQ(distinct.size(), sb.kept.size());
    EXPECT_LT(*distinct.rbegin(), plan.n());
    for (std::size_t i = 0; i < sb.kept.size(); ++i) ++covered[plan.output_index(0, sb, i)];
  }
  for (std::size_t i = 0; i < covered.size(); ++i) ASSERT_EQ(covered[i], 1) << "output " << i << " of " << s.describe();
}

TEST(Conv2dPlan, BlocksCoverEveryOutputExactlyOnce) {
  core::Prg prg(core::Seed{41});
  for (std::size_t n : {std::size_t{64}, std::size_t{256}, std::size_t{4096}}) {
    const auto context = n == 4096 ? he::Context::create(he::Parameters::standard(37)) : small_ring(n);
    for (int trial = 0; trial < 150; ++trial) {
      const core::Conv2dGeometry shape = random_shape(prg, 64, n == 64 ? 12 : 40);
      if (static_cast<std::size_t>(shape.kernel_h) * shape.kernel_w > n) continue;
      const Conv2dPlan plan(shape, *context, 1 + prg.uniform(1 << 10));
      expect_tiles_output(plan);
    }
  }
}

// Coefficient i of the negacyclic product x * k, mod 2^64.
uint64_t negacyclic_coefficient(const std::vector<uint64_t>& x, const std::vector<int64_t>& k, std::size_t i) {
  const std::size_t n = x.size();
  uint64_t sum = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const uint64_t term = x[j] * static_cast<uint64_t>(k[(i + n - j) % n]);
    sum += j <= i ? term : 0 - term;
  }
  return sum;
}

TEST(Conv2dPlan, EncodedProductsHoldTheConvolutionAtTheKeptCoefficients) {
  constexpr int kBits = 37;
  core::Prg prg(core::Seed{42});
  for (std::size_t n : {std::size_t{128}, std::size_t{512}}) {
    const auto context = small_ring(n, kBits);
    for (int trial = 0; trial < 25; ++trial) {
      const core::Conv2dGeometry shape = random_shape(prg, 8, 14);
      if (static_cast<std::size_t>(shape.kernel_h) * shape.kernel_w > n) continue;
      const Conv2dPlan plan(shape, *context, 1 << 12);
      const auto x = testing::random_share(shape.input_size(), kBits, prg);
      const auto w = testing::random_weights(shape.weight_size(), 1 << 12, prg);
      const auto expected = testing::plaintext_conv2d(shape, x, w, kBits);
      std::vector<uint64_t> got(shape.output_size(), ~uint64_t{0});
      for (int g = 0; g < shape.groups; ++g)
        for (const SpatialBlock& sb : plan.spatial_blocks())
          for (int r = 0; r < plan.responses_per_block(); ++r) {
            const auto kept = plan.response_kept(sb, r);
            ASSERT_EQ(kept.size(), sb.kept.size() * plan.channels_in_response(r));
            std::vector<uint64_t> sum(kept.size(), 0);
            for (int b = 0; b < plan.channel_blocks(); ++b) {
              const auto input = plan.encode_input(x, g, b, sb);
              const auto kernel = plan.encode_kernel(w, g, r, b);
              for (std::size_t i = 0; i < kept.size(); ++i) sum[i] += negacyclic_coefficient(input, kernel, kept[i]);
            }
            const int first = g * shape.out_channels_per_group() + r * plan.channels_per_response();
            for (std::size_t i = 0; i < sum.size(); ++i)
              got[plan.output_index(first + static_cast<int>(i / sb.kept.size()), sb, i % sb.kept.size())] =
                  sum[i] & context->plain_mask();
          }
      ASSERT_EQ(got, expected) << shape.describe() << " with " << plan.describe();
    }
  }
}

TEST(Conv2dPlan, ChoosesFewestBytesForSqueezeNetFireShapes) {
  const auto context = he::Context::create(he::Parameters::standard(37));
  // Squeeze 1x1 64 -> 16 on 14x14: blocks of 10 channels (7 uploads) leave room for two output
  // channels per response (2 x 10 x 196 <= 4096), halving the 16 responses of 4 blocks of 16.
  const Conv2dPlan squeeze({64, 14, 14, 16, 1, 1, 1, 1, 0, 0, 0, 0, 1}, *context, 1 << 12);
  EXPECT_EQ(squeeze.block().channels, 10);
  EXPECT_EQ(squeeze.spatial_blocks().size(), 1u);
  EXPECT_EQ(squeeze.uploads(), 7u);
  EXPECT_EQ(squeeze.channels_per_response(), 2);
  EXPECT_EQ(squeeze.responses(), 8u);
  // Expand 3x3 16 -> 64 on 14x14, pad 1: four uploads of 4x16x16 leave room for four output
  // channels per response (16 responses); the Irwin-Hall flood fits their 784 revealed outputs.
  const Conv2dPlan expand({16, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1}, *context, 1 << 12);
  EXPECT_EQ(expand.block().channels, 4);
  EXPECT_EQ(expand.block().height, 16);
  EXPECT_EQ(expand.block().width, 16);
  EXPECT_EQ(expand.uploads(), 4u);
  EXPECT_EQ(expand.channels_per_response(), 4);
  EXPECT_EQ(expand.responses_per_block(), 16);
  EXPECT_EQ(expand.responses(), 16u);
  EXPECT_EQ(expand.upload_bytes(), 16u + 1 + 32 + 4096 * 109 / 8);
  const SpatialBlock& only = expand.spatial_blocks().front();
  EXPECT_EQ(only.response_bits, only.last_response_bits);
  EXPECT_EQ(expand.bytes_sent(Role::Client), 4 * (8 + expand.upload_bytes()));
  EXPECT_EQ(expand.bytes_sent(Role::Server), 16 * (8 + expand.response_bytes(only, 0)));
  EXPECT_EQ(expand.response_bytes(only, 0),
            16u + 5 + ((4096 + 784) * static_cast<std::size_t>(only.response_bits) + 7) / 8);
  const auto kept = expand.response_kept(only, 1);
  ASSERT_EQ(kept.size(), 784u);
  EXPECT_EQ(kept[196], only.kept[0] + 1024);  // the second channel sits one block (4 x 16 x 16) higher
}

TEST(Conv2dPlan, PacksUnevenOutputChannelsIntoALastSmallerResponse) {
  // 7 output channels of a 1x1 layer on 4x4 in a 256-coefficient ring: 4 and 3 per response
  // (5 blocks of 48 fit, balanced over two responses); the last is sized for its 3.
  const auto context = small_ring(256);
  const core::Conv2dGeometry shape{3, 4, 4, 7, 1, 1, 1, 1, 0, 0, 0, 0, 1};
  const Conv2dPlan plan(shape, *context, 1 << 6);
  ASSERT_EQ(plan.channels_per_response(), 4) << plan.describe();
  ASSERT_EQ(plan.responses_per_block(), 2) << plan.describe();
  const int last = plan.responses_per_block() - 1;
  EXPECT_EQ(plan.channels_in_response(last), 3);
  EXPECT_THROW(plan.channels_in_response(last + 1), InvalidArgument);
  const SpatialBlock& sb = plan.spatial_blocks().front();
  EXPECT_EQ(plan.response_kept(sb, last).size(), sb.kept.size() * plan.channels_in_response(last));
  EXPECT_EQ(plan.kernel_bound(0, 0).support, static_cast<std::size_t>(plan.channels_per_response()) *
                                                 static_cast<std::size_t>(plan.channels_in_block(0)));
  EXPECT_LE(plan.response_bits(sb, last), plan.response_bits(sb, 0));
}

TEST(Conv2dPlan, SmallerBlocksOrDigitsWhenTheWeightBoundRequiresThem) {
  // A large bound's responses would not decrypt with the blocks of a small one: the plan reveals
  // fewer outputs per response or splits the weights into digits, whichever sends fewer bytes.
  const auto context = he::Context::create(he::Parameters::standard(37));
  const core::Conv2dGeometry shape{4, 64, 64, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1};
  const Conv2dPlan loose(shape, *context, 1);
  const Conv2dPlan tight(shape, *context, 1 << 18);
  std::size_t loose_most = 0, tight_most = 0;
  for (const auto& sb : loose.spatial_blocks()) loose_most = std::max(loose_most, sb.kept.size());
  for (const auto& sb : tight.spatial_blocks()) tight_most = std::max(tight_most, sb.kept.size());
  EXPECT_TRUE(tight_most < loose_most || tight.weight_digits().count > 1)
      << loose.describe() << " vs " << tight.describe();
  EXPECT_EQ(loose.weight_digits().count, 1);
  expect_tiles_output(tight);
}

// Weight digits, by their definition: the digits of every weight within the bound sum, times
// 2^(bits j), to the weight, and each lies within the digit bound.
TEST(Conv2dPlan, WeightDigitsRecomposeEveryWeight) {
  const auto context = he::Context::create(he::Parameters::standard(37));
  const core::Conv2dGeometry shape{256, 24, 24, 64, 7, 7, 1, 1, 3, 3, 3, 3, 1};
  core::Prg prg(core::Seed{77});
  for (const int log_bound : {13, 16, 20, 39}) {
    const Conv2dPlan plan(shape, *context, uint64_t{1} << log_bound);
    const WeightDigits& digits = plan.weight_digits();
    EXPECT_EQ(digits.count > 1, log_bound > 13) << log_bound;
    if (digits.count > 1) EXPECT_LT(digits.bound, plan.weight_bound()) << log_bound;
    const auto bound = static_cast<int64_t>(plan.weight_bound());
    std::vector<int64_t> weights = {0, 1, -1, bound, -bound, bound - 1, -bound + 1};
    for (int i = 0; i < 2000; ++i)
      weights.push_back(static_cast<int64_t>(prg.next_u64() % (2 * plan.weight_bound() + 1)) - bound);
    for (const int64_t w : weights) {
      int64_t sum = 0;
      for (int j = 0; j < digits.count; ++j) {
        const int64_t digit = plan.weight_digit(w, j);
        EXPECT_LE(std::abs(digit), static_cast<int64_t>(digits.bound)) << w << " digit " << j;
        sum += digit * (int64_t{1} << (digits.bits * j));
      }
      EXPECT_EQ(sum, w) << log_bound;
    }
    EXPECT_THROW(plan.weight_digit(1, digits.count), InvalidArgument);
  }
  // A layer that fits whole keeps its weights: one digit, the weight itself.
  const Conv2dPlan whole(shape, *context, 1 << 12);
  EXPECT_EQ(whole.weight_digits().count, 1);
  EXPECT_EQ(whole.weight_digit(-4095, 0), -4095);
}

TEST(Conv2dPlan, RefusesWhatItCannotPlan) {
  const auto context = he::Context::create(he::Parameters::standard(37));
  const core::Conv2dGeometry shape{64, 24, 24, 64, 7, 7, 1, 1, 3, 3, 3, 3, 1};
  EXPECT_THROW(Conv2dPlan({0, 24, 24, 64, 7, 7, 1, 1, 3, 3, 3, 3, 1}, *context, 1), InvalidArgument);
  EXPECT_THROW(Conv2dPlan(shape, *context, uint64_t{1} << 40), InvalidArgument);
  // At t = 2^60 not even three digits of 2^39 leave room for the flooding.
  const auto wide = he::Context::create(he::Parameters::standard(60));
  try {
    Conv2dPlan(shape, *wide, uint64_t{1} << 39);
    FAIL() << "planned an over-budget layer";
  } catch (const CapacityError& e) {
    EXPECT_NE(std::string(e.what()).find(shape.describe()), std::string::npos) << e.what();
  }
  const auto tiny = small_ring(64);
  try {
    Conv2dPlan({1, 12, 12, 1, 9, 9, 1, 1, 0, 0, 0, 0, 1}, *tiny, 1);
    FAIL() << "planned a kernel larger than the ring";
  } catch (const CapacityError& e) {
    EXPECT_NE(std::string(e.what()).find("kernel alone"), std::string::npos) << e.what();
  }
}

TEST(Conv2dPlan, EncodersCheckTheirInputs) {
  const auto context = he::Context::create(he::Parameters::standard(32));
  const core::Conv2dGeometry shape{2, 4, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1};
  const Conv2dPlan plan(shape, *context, 10);
  const SpatialBlock& sb = plan.spatial_blocks().front();
  std::vector<uint64_t> x(shape.input_size(), 1);
  EXPECT_NO_THROW(plan.encode_input(x, 0, 0, sb));
  x[5] = uint64_t{1} << 32;
  EXPECT_THROW(plan.encode_input(x, 0, 0, sb), InvalidArgument);
  EXPECT_THROW(plan.encode_input(std::vector<uint64_t>(3), 0, 0, sb), InvalidArgument);
  EXPECT_THROW(plan.encode_input(std::vector<uint64_t>(shape.input_size()), 1, 0, sb), InvalidArgument);
  const std::vector<int64_t> w(shape.weight_size());
  EXPECT_NO_THROW(plan.encode_kernel(w, 0, plan.responses_per_block() - 1, 0));
  EXPECT_THROW(plan.encode_kernel(w, 1, 0, 0), InvalidArgument);
  EXPECT_THROW(plan.encode_kernel(w, 0, plan.responses_per_block(), 0), InvalidArgument);
  EXPECT_THROW(plan.encode_kernel(w, 0, 0, 1), InvalidArgument);
  EXPECT_THROW(plan.encode_kernel(std::vector<int64_t>(5), 0, 0, 0), InvalidArgument);
}

}  // namespace
}  // namespace twain::linear
