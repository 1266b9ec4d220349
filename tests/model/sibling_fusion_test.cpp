// Fusing a fire module's two expand convolutions: same float outputs and, after quantisation,
// the same integers as the unfused graph; graphs that do not match the pattern stay unchanged.
#include <gtest/gtest.h>

#include "model/fixed_evaluator.hpp"
#include "model/float_evaluator.hpp"
#include "model/quantize.hpp"
#include "model/sibling_fusion.hpp"
#include "model_test_support.hpp"

namespace twain::model {
namespace {

using namespace testing;

core::Conv2dGeometry conv(int in, int out, int hw, int kernel, int pad) {
  return core::Conv2dGeometry{in, hw, hw, out, kernel, kernel, 1, 1, pad, pad, pad, pad, 1};
}

// squeeze (1x1) + ReLU, then expand1x1 and expand3x3 of the squeeze output, each + ReLU, Concat,
// then a 1x1 convolution reading the concatenation.
Graph fire(core::Prg& prg, bool three_by_three_first) {
  GraphBuilder b(Shape{1, 6, 9, 9});
  const TensorId squeeze = b.add(op::Relu{}, {b.add(random_conv(prg, conv(6, 4, 9, 1, 0), 0.5f), {b.input()})});
  const op::Conv e1 = random_conv(prg, conv(4, 5, 9, 1, 0), 0.5f);
  const op::Conv e3 = random_conv(prg, conv(4, 7, 9, 3, 1), 0.3f);
  const TensorId a = b.add(op::Relu{}, {b.add(three_by_three_first ? e3 : e1, {squeeze})});
  const TensorId c = b.add(op::Relu{}, {b.add(three_by_three_first ? e1 : e3, {squeeze})});
  const TensorId cat = b.add(op::Concat{}, {a, c});
  return b.finish(b.add(random_conv(prg, conv(12, 3, 9, 1, 0), 0.4f), {cat}));
}

TEST(SiblingFusion, FireExpandsBecomeOneConvolutionWithTheSameResults) {
  for (bool three_first : {false, true}) {
    core::Prg prg = seeded_prg(three_first ? 2 : 1);
    const Graph original = fire(prg, three_first);
    const Graph fused = fuse_sibling_convolutions(original);
    int convs = 0;
    for (const Node& n : fused.nodes) convs += std::holds_alternative<op::Conv>(n.op);
    EXPECT_EQ(convs, 3);
    EXPECT_EQ(fused.nodes.size(), original.nodes.size() - 3);
    const std::vector<float> input = uniform_vector(prg, 6 * 9 * 9, -1.0f, 1.0f);
    const std::vector<float> want = evaluate_float(original, input), got = evaluate_float(fused, input);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5) << i;
    const QuantizedGraph q_original = quantize(original), q_fused = quantize(fused);
    const std::vector<uint64_t> ring = quantize_input(q_original, input);
    EXPECT_EQ(evaluate_fixed(q_fused, ring), evaluate_fixed(q_original, ring));
  }
}

TEST(SiblingFusion, OtherGraphsAreUnchanged) {
  core::Prg prg = seeded_prg(3);
  GraphBuilder b(Shape{1, 4, 8, 8});
  // Different inputs: nothing to share.
  const TensorId x = b.add(op::Relu{}, {b.input()});
  const TensorId a = b.add(op::Relu{}, {b.add(random_conv(prg, conv(4, 3, 8, 1, 0), 0.5f), {b.input()})});
  const TensorId c = b.add(op::Relu{}, {b.add(random_conv(prg, conv(4, 3, 8, 3, 1), 0.5f), {x})});
  const Graph graph = b.finish(b.add(op::Concat{}, {a, c}));
  EXPECT_EQ(fuse_sibling_convolutions(graph).nodes.size(), graph.nodes.size());
}

}  // namespace
}  // namespace twain::model
