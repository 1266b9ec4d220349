// The float evaluator against independent loops (the libonnx-testdata comparisons are in tests/onnx).
#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.hpp"
#include "model/float_evaluator.hpp"
#include "model_test_support.hpp"

namespace twain::model {
namespace {

using namespace twain::model::testing;

// Scatter form of a grouped, strided, padded convolution: every input element adds its products
// to the outputs it reaches (the evaluator gathers per output instead).
std::vector<double> scatter_conv(const op::Conv& conv, const std::vector<float>& x) {
  const core::Conv2dGeometry& g = conv.shape;
  const int oh_n = g.output_height(), ow_n = g.output_width();
  const int ipg = g.in_channels / g.groups, opg = g.out_channels / g.groups;
  std::vector<double> y(static_cast<std::size_t>(g.out_channels * oh_n * ow_n));
  for (int o = 0; o < g.out_channels; ++o)
    for (int p = 0; p < oh_n * ow_n; ++p) y[static_cast<std::size_t>(o * oh_n * ow_n + p)] = conv.bias[static_cast<std::size_t>(o)];
  for (int c = 0; c < g.in_channels; ++c)
    for (int ih = 0; ih < g.height; ++ih)
      for (int iw = 0; iw < g.width; ++iw)
        for (int o = (c / ipg) * opg; o < (c / ipg + 1) * opg; ++o)
          for (int kh = 0; kh < g.kernel_h; ++kh)
            for (int kw = 0; kw < g.kernel_w; ++kw) {
              const int ph = ih + g.pad_top - kh, pw = iw + g.pad_left - kw;
              if (ph < 0 || pw < 0 || ph % g.stride_h != 0 || pw % g.stride_w != 0) continue;
              const int oh = ph / g.stride_h, ow = pw / g.stride_w;
              if (oh >= oh_n || ow >= ow_n) continue;
              const float w = conv.weights[static_cast<std::size_t>(((o * ipg + c % ipg) * g.kernel_h + kh) * g.kernel_w + kw)];
              y[static_cast<std::size_t>((o * oh_n + oh) * ow_n + ow)] += static_cast<double>(w) * x[static_cast<std::size_t>((c * g.height + ih) * g.width + iw)];
            }
  return y;
}

TEST(FloatEvaluator, GroupedStridedPaddedConvMatchesScatterLoop) {
  core::Prg prg = seeded_prg(1);
  const core::Conv2dGeometry shapes[] = {{4, 7, 6, 6, 3, 2, 2, 1, 1, 0, 2, 1, 2},
                                   {6, 5, 5, 6, 3, 3, 1, 2, 1, 1, 1, 1, 6},
                                   {3, 9, 4, 2, 1, 1, 3, 3, 0, 0, 0, 0, 1}};
  for (const core::Conv2dGeometry& shape : shapes) {
    GraphBuilder b({1, shape.in_channels, shape.height, shape.width});
    const op::Conv conv = random_conv(prg, shape, 1.0f);
    const Graph g = b.finish(b.add(conv, {b.input()}));
    const std::vector<float> x = uniform_vector(prg, static_cast<std::size_t>(shape.in_channels * shape.height * shape.width), -2, 2);
    const std::vector<float> got = evaluate_float(g, x);
    const std::vector<double> want = scatter_conv(conv, x);
    ASSERT_EQ(got.size(), want.size()) << shape.describe();
    for (std::size_t k = 0; k < got.size(); ++k) EXPECT_NEAR(got[k], want[k], 1e-4) << shape.describe() << " at " << k;
  }
}

TEST(FloatEvaluator, ElementwiseAndDataMovement) {
  GraphBuilder b({1, 2, 2, 2});
  const TensorId relu = b.add(op::Relu{}, {b.input()});
  const TensorId relu6 = b.add(op::Relu6{}, {b.input()});
  const TensorId sum = b.add(op::Add{}, {relu, relu6});
  const TensorId padded = b.add(op::Pad{1, 0, 0, 1, -1.0f}, {sum});
  const TensorId cat = b.add(op::Concat{}, {padded, padded});
  const TensorId flat = b.add(op::Reshape{{1, 36}}, {cat});
  const Graph g = b.finish(flat);
  const std::vector<float> x{-1, 2, 7, 0.5f, -3, 6.5f, 1, 0};
  const std::vector<float> y = evaluate_float(g, x);
  // relu + relu6 per element: 0, 4, 13, 1, 0, 12.5, 2, 0; padded to 3x3 (top row and right column -1).
  const std::vector<float> channel0{-1, -1, -1, 0, 4, -1, 13, 1, -1};
  const std::vector<float> channel1{-1, -1, -1, 0, 12.5f, -1, 2, 0, -1};
  std::vector<float> want;
  for (int copy = 0; copy < 2; ++copy) {
    want.insert(want.end(), channel0.begin(), channel0.end());
    want.insert(want.end(), channel1.begin(), channel1.end());
  }
  EXPECT_EQ(y, want);
}

TEST(FloatEvaluator, SoftmaxAndLogSoftmaxSpanAllElements) {
  for (bool logarithm : {false, true}) {
    GraphBuilder b({1, 4});
    const Graph g = logarithm ? b.finish(b.add(op::LogSoftmax{}, {b.input()})) : b.finish(b.add(op::Softmax{}, {b.input()}));
    const std::vector<float> x{1, 2, 3, 4};
    const std::vector<float> y = evaluate_float(g, x);
    double total = 0;
    for (float v : x) total += std::exp(v);
    for (std::size_t k = 0; k < x.size(); ++k) {
      const double p = std::exp(x[k]) / total;
      EXPECT_NEAR(y[k], logarithm ? std::log(p) : p, 1e-6);
    }
  }
}

TEST(FloatEvaluator, RefusesWrongInputSize) {
  GraphBuilder b({1, 3});
  const Graph g = b.finish(b.add(op::Relu{}, {b.input()}));
  EXPECT_THROW(evaluate_float(g, std::vector<float>(4)), InvalidArgument);
}

TEST(GraphShapes, InferenceRefusesInconsistentOps) {
  EXPECT_THROW(infer_shape(op::Add{}, {{1, 2, 3}, {1, 3, 2}}), InvalidArgument);
  EXPECT_THROW(infer_shape(op::Reshape{{1, 5}}, {{1, 2, 3}}), InvalidArgument);
  EXPECT_THROW(infer_shape(op::Conv{{2, 4, 4, 2, 5, 5}, std::vector<float>(100), {}}, {{1, 2, 4, 4}}), InvalidArgument);
  EXPECT_THROW(infer_shape(op::Relu{}, {{2, 3}}), InvalidArgument);
  EXPECT_THROW(element_count({1, 1 << 20, 1 << 20}), InvalidArgument);
  EXPECT_EQ(infer_shape(op::Concat{}, {{1, 2, 3, 3}, {1, 5, 3, 3}}), (Shape{1, 7, 3, 3}));
}

}  // namespace
}  // namespace twain::model
