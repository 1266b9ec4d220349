// The graph passes keep the function (against the unoptimised float evaluation) and rewrite what
// they promise.
#include <gtest/gtest.h>

#include <algorithm>

#include "model/float_evaluator.hpp"
#include "model/passes.hpp"
#include "model_test_support.hpp"

namespace twain::model {
namespace {

using namespace twain::model::testing;

template <class Op>
int count_ops(const Graph& g) {
  return static_cast<int>(std::count_if(g.nodes.begin(), g.nodes.end(),
                                        [](const Node& n) { return std::holds_alternative<Op>(n.op); }));
}

void expect_close(const std::vector<float>& a, const std::vector<float>& b, float tolerance) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k) EXPECT_NEAR(a[k], b[k], tolerance) << "element " << k;
}

TEST(Passes, OptimizeKeepsTheLogitsAndRewritesEverything) {
  core::Prg prg = seeded_prg(2);
  const SmallCnn cnn = small_cnn(prg);
  const Graph optimized = optimize(cnn.graph);
  for (int trial = 0; trial < 3; ++trial) {
    const std::vector<float> x = uniform_vector(prg, 3 * 64, -1, 1);
    const auto all = evaluate_float_all(cnn.graph, x);
    expect_close(evaluate_float(optimized, x), all[static_cast<std::size_t>(cnn.logits)], 1e-4f);
  }
  EXPECT_EQ(count_ops<op::BatchNorm>(optimized), 0);
  EXPECT_EQ(count_ops<op::ChannelAffine>(optimized), 1);  // bn3 follows an Add, not a Conv
  EXPECT_EQ(count_ops<op::Identity>(optimized), 0);
  EXPECT_EQ(count_ops<op::Softmax>(optimized), 0);
  EXPECT_EQ(count_ops<op::Pad>(optimized), 0);
  EXPECT_EQ(count_ops<op::AddConstant>(optimized), 0);
  EXPECT_EQ(optimized.nodes.size(), cnn.graph.nodes.size() - 6);  // bn1, pad2, bn2, fc_bias, dropout, softmax
  // conv1 -> pool1 -> relu1: the MaxPool moved before the ReLU.
  EXPECT_EQ(optimized.nodes[0].name, "conv1");
  EXPECT_EQ(optimized.nodes[1].name, "pool1");
  EXPECT_EQ(optimized.nodes[2].name, "relu1");
  const auto* dw = std::get_if<op::Conv>(&optimized.nodes[3].op);
  ASSERT_NE(dw, nullptr);
  EXPECT_EQ(dw->shape.pad_top, 1);
  EXPECT_EQ(dw->shape.height, 4);
}

TEST(Passes, BatchNormFoldingEqualsUnfoldedEvaluation) {
  core::Prg prg = seeded_prg(3);
  GraphBuilder b({1, 4, 6, 6});
  TensorId t = b.add(random_conv(prg, {4, 6, 6, 6, 3, 3, 2, 2, 1, 1, 1, 1, 2}, 0.5f), {b.input()});
  t = b.add(random_batch_norm(prg, 6), {t});
  t = b.add(op::Reshape{{1, 54}}, {t});
  t = b.add(op::Gemm{54, 3, uniform_vector(prg, 162, -0.2f, 0.2f), {}}, {t});
  t = b.add(random_batch_norm(prg, 3), {t});
  const Graph g = b.finish(t);
  const Graph folded = fold_batch_norm(g);
  EXPECT_EQ(count_ops<op::BatchNorm>(folded), 0);
  EXPECT_EQ(folded.nodes.size(), 3u);
  const std::vector<float> x = uniform_vector(prg, 144, -1, 1);
  expect_close(evaluate_float(folded, x), evaluate_float(g, x), 1e-4f);
  const Graph affine = batch_norm_to_affine(g);
  EXPECT_EQ(count_ops<op::ChannelAffine>(affine), 2);
  expect_close(evaluate_float(affine, x), evaluate_float(g, x), 1e-4f);
}

TEST(Passes, BatchNormOfASharedConvOutputIsNotFolded) {
  core::Prg prg = seeded_prg(4);
  GraphBuilder b({1, 2, 4, 4});
  const TensorId c = b.add(random_conv(prg, {2, 4, 4, 2, 1, 1}, 0.5f), {b.input()});
  const TensorId n = b.add(random_batch_norm(prg, 2), {c});
  const Graph g = b.finish(b.add(op::Add{}, {c, n}));
  const Graph folded = fold_batch_norm(g);
  EXPECT_EQ(count_ops<op::BatchNorm>(folded), 1);
}

TEST(Passes, PadFoldsIntoMaxPoolOnlyAfterRelu) {
  for (bool after_relu : {true, false}) {
    GraphBuilder b({1, 1, 4, 4});
    const TensorId src = after_relu ? b.add(op::Relu{}, {b.input()}) : b.input();
    const TensorId p = b.add(op::Pad{1, 1, 1, 1, 0.0f}, {src});
    const Graph g = b.finish(b.add(op::MaxPool{{1, 6, 6, 3, 3, 2, 2}}, {p}));
    const Graph folded = fold_pad(g);
    EXPECT_EQ(count_ops<op::Pad>(folded), after_relu ? 0 : 1);
    const std::vector<float> x{-1, -2, -3, -4, -5, -6, -7, -8, 1, 2, 3, 4, -9, -9, -9, -9};
    expect_close(evaluate_float(folded, x), evaluate_float(g, x), 0.0f);
  }
}

TEST(Passes, ZeroPadFoldsIntoAveragesThatCountTheirPadding) {
  core::Prg prg = seeded_prg(6);
  for (int own_pad : {0, 1}) {
    for (bool include : {false, true}) {
      GraphBuilder b({1, 2, 5, 5});
      const TensorId p = b.add(op::Pad{1, 0, 1, 1, 0.0f}, {b.input()});
      const core::Pool2dGeometry pool{2, 7, 6, 3, 3, 2, 2, own_pad, own_pad, own_pad, own_pad};
      const Graph g = b.finish(b.add(op::AvgPool{pool, include}, {p}));
      const Graph folded = fold_pad(g);
      const bool expect_fold = own_pad == 0 || include;
      EXPECT_EQ(count_ops<op::Pad>(folded), expect_fold ? 0 : 1) << own_pad << include;
      const std::vector<float> x = uniform_vector(prg, 50, -2, 2);
      expect_close(evaluate_float(folded, x), evaluate_float(g, x), 1e-6f);
    }
  }
  GraphBuilder empty({1, 1, 2, 2});
  const Graph dropped = drop_inference_noops(empty.finish(empty.add(op::Relu{}, {empty.add(op::Pad{}, {empty.input()})})));
  EXPECT_EQ(count_ops<op::Pad>(dropped), 0);
}

TEST(Passes, MaxPoolReluSwapKeepsValues) {
  core::Prg prg = seeded_prg(5);
  GraphBuilder b({1, 2, 6, 6});
  TensorId t = b.add(op::Relu6{}, {b.input()});
  t = b.add(op::MaxPool{{2, 6, 6, 3, 3, 2, 2, 1, 1, 1, 1, true}}, {t});
  const Graph g = b.finish(t);
  const Graph swapped = swap_maxpool_relu(g);
  ASSERT_TRUE(std::holds_alternative<op::MaxPool>(swapped.nodes[0].op));
  ASSERT_TRUE(std::holds_alternative<op::Relu6>(swapped.nodes[1].op));
  const std::vector<float> x = uniform_vector(prg, 72, -8, 8);
  expect_close(evaluate_float(swapped, x), evaluate_float(g, x), 0.0f);
}

TEST(Passes, DropNoopsRewiresConsumers) {
  GraphBuilder b({1, 3});
  TensorId t = b.add(op::Identity{}, {b.input()});
  t = b.add(op::Relu{}, {t});
  t = b.add(op::Identity{}, {t});
  const Graph g = b.finish(b.add(op::LogSoftmax{}, {t}));
  const Graph dropped = drop_inference_noops(g);
  ASSERT_EQ(dropped.nodes.size(), 1u);
  EXPECT_EQ(dropped.nodes[0].inputs[0], dropped.input);
  EXPECT_EQ(evaluate_float(dropped, std::vector<float>{-1, 2, 3}), (std::vector<float>{0, 2, 3}));
}

}  // namespace
}  // namespace twain::model
