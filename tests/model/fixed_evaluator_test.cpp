// The fixed-point evaluator: hand-computed integers on tiny graphs, ring wrapping, floor semantics,
// and agreement with the float evaluator within the quantisation error.
#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.hpp"
#include "model/fixed_evaluator.hpp"
#include "model/float_evaluator.hpp"
#include "model/passes.hpp"
#include "model/quantize.hpp"
#include "model/ring.hpp"
#include "model_test_support.hpp"

namespace twain::model {
namespace {

using namespace twain::model::testing;

std::vector<uint64_t> ring(std::initializer_list<int64_t> values, int l) {
  std::vector<uint64_t> out;
  for (int64_t v : values) out.push_back(to_ring(v, l));
  return out;
}

// x [1, 1, 2, 2] -> Conv 1x1 (w = 0.6, b = -1/16) -> [Relu] -> output, with l = 16, f = 2.
Graph tiny_conv(bool relu) {
  GraphBuilder b({1, 1, 2, 2});
  TensorId t = b.add(op::Conv{{1, 2, 2, 1, 1, 1}, {0.6f}, {-0.0625f}}, {b.input()});
  if (relu) t = b.add(op::Relu{}, {t});
  return b.finish(t);
}

TEST(FixedEvaluator, HandComputedConvTruncation) {
  const std::vector<float> x{1.0f, -0.75f, 0.3f, 2.6f};
  // Inputs round(4 x) = 4, -3, 1, 10; weight round(0.6 * 4) = 2; bias round(-16 / 16) = -1.
  // Conv at scale 4: 7, -7, 1, 19. Floor shift by 2: 1, -2 (not -1), 0, 4.
  const QuantizedGraph plain = quantize(tiny_conv(false), 16, 2);
  EXPECT_EQ(quantize_input(plain, x), ring({4, -3, 1, 10}, 16));
  ASSERT_EQ(plain.ops.size(), 2u);
  const auto& conv = std::get<qop::Conv2d>(plain.ops[0].op);
  EXPECT_EQ(conv.weights, std::vector<int64_t>{2});
  EXPECT_EQ(conv.bias, std::vector<int64_t>{-1});
  EXPECT_EQ(conv.weight_bound, 8u);  // the policy's 2^(f + 1), whatever the weights
  const auto all = evaluate_fixed_all(plain, quantize_input(plain, x));
  EXPECT_EQ(all[static_cast<std::size_t>(plain.ops[0].output)], ring({7, -7, 1, 19}, 16));
  EXPECT_EQ(evaluate_fixed(plain, quantize_input(plain, x)), ring({1, -2, 0, 4}, 16));
  EXPECT_FALSE(std::get<qop::Truncate>(plain.ops[1].op).input_nonnegative);

  // With the ReLU, Relu + Truncate fuse: max(v, 0) >> 2 = 1, 0, 0, 4.
  const QuantizedGraph fused = quantize(tiny_conv(true), 16, 2);
  ASSERT_EQ(fused.ops.size(), 2u);
  EXPECT_EQ(std::get<qop::ReluTruncate>(fused.ops[1].op).shift, 2);
  EXPECT_EQ(evaluate_fixed(fused, quantize_input(fused, x)), ring({1, 0, 0, 4}, 16));
}

TEST(FixedEvaluator, HandComputedAveragesDivideByFloor) {
  GraphBuilder b({1, 1, 2, 2});
  TensorId t = b.add(op::Conv{{1, 2, 2, 1, 1, 1}, {0.6f}, {-0.0625f}}, {b.input()});
  t = b.add(op::GlobalAvgPool{}, {t});
  const QuantizedGraph q = quantize(b.finish(t), 16, 2);
  // Conv 7, -7, 1, 19 at scale 16 -> truncated 1, -2, 0, 4 -> sum 3 -> floor(3 / 4) = 0.
  ASSERT_EQ(q.ops.size(), 4u);
  EXPECT_TRUE(std::holds_alternative<qop::Truncate>(q.ops[1].op));
  EXPECT_TRUE(std::holds_alternative<qop::SumPool>(q.ops[2].op));
  EXPECT_EQ(std::get<qop::DivideFloor>(q.ops[3].op).divisors, std::vector<int64_t>{4});
  EXPECT_EQ(evaluate_fixed(q, quantize_input(q, std::vector<float>{1.0f, -0.75f, 0.3f, 2.6f})), ring({0}, 16));
  // Negative values round down: input -1.0 everywhere gives conv 2 * -4 - 1 = -9, truncated
  // floor(-9 / 4) = -3 each, sum -12, floor(-12 / 4) = -3; with 1.5: conv 11 -> 2 each, sum 8 -> 2.
  EXPECT_EQ(evaluate_fixed(q, quantize_input(q, std::vector<float>(4, -1.0f))), ring({-3}, 16));
  EXPECT_EQ(evaluate_fixed(q, quantize_input(q, std::vector<float>{-1.0f, -1.0f, -1.0f, 0.0f})), ring({-3}, 16));
}

// A quantised graph written by hand: input [1, 1, 2, 2] at scale 2 in Z_{2^16}, one op, and a
// Truncate back to scale 2 when the op's output has scale 4 (the output must be at scale f).
QuantizedGraph by_hand(QOpKind op, Shape out_shape, int out_scale) {
  QuantizedGraph q;
  q.ring_bits = 16;
  q.frac_bits = 2;
  q.tensors = {{"x", {1, 1, 2, 2}, 2}, {"y", out_shape, out_scale}};
  q.ops = {{"op", {0}, 1, std::move(op)}};
  q.input = 0;
  q.output = 1;
  if (out_scale != 2) {
    q.tensors.push_back({"z", std::move(out_shape), 2});
    q.ops.push_back({"trunc", {1}, 2, qop::Truncate{2, false}});
    q.output = 2;
  }
  return q;
}

TEST(FixedEvaluator, IntegerSemanticsOfSingleOps) {
  const auto x = ring({-5, 30000, -9, -4}, 16);
  EXPECT_EQ(evaluate_fixed(by_hand(qop::MaxPool{{1, 2, 2, 2, 2}}, {1, 1, 1, 1}, 2), ring({-5, -3, -9, -4}, 16)),
            ring({-3}, 16));
  // The window sum of all four is 29982.
  EXPECT_EQ(evaluate_fixed(by_hand(qop::SumPool{{1, 2, 2, 2, 2}}, {1, 1, 1, 1}, 2), x), ring({29982}, 16));
  // 30000 + 30000 wraps mod 2^16 to -5536.
  EXPECT_EQ(evaluate_fixed(by_hand(qop::AddConstant{{30000, 30000, 2, 3}}, {1, 1, 2, 2}, 2), x),
            ring({29995, -5536, -7, -1}, 16));
  EXPECT_EQ(evaluate_fixed(by_hand(qop::DivideFloor{{3}}, {1, 1, 2, 2}, 2), ring({-7, 7, -9, 0}, 16)),
            ring({-3, 2, -3, 0}, 16));
  EXPECT_EQ(evaluate_fixed(by_hand(qop::DivideFloor{{1, 2, 3, 4}}, {1, 1, 2, 2}, 2), ring({-7, 7, -9, -1}, 16)),
            ring({-7, 3, -3, -1}, 16));
  EXPECT_EQ(evaluate_fixed(by_hand(qop::Relu6{24}, {1, 1, 2, 2}, 2), ring({-1, 5, 30, 24}, 16)),
            ring({0, 5, 24, 24}, 16));
  EXPECT_EQ(evaluate_fixed(by_hand(qop::Pad{0, 1, 0, 0, -2}, {1, 1, 2, 3}, 2), x), ring({-2, -5, 30000, -2, -9, -4}, 16));
  const QuantizedGraph affine = by_hand(qop::ChannelAffine{1, {-3}, {100}, 4}, {1, 1, 2, 2}, 4);
  const auto values = evaluate_fixed_all(affine, ring({1, 2, -3, 30000}, 16));
  EXPECT_EQ(values[1], ring({97, 94, 109, 100 - 90000}, 16));
  // 100 - 90000 is -24364 as a signed value of Z_{2^16}; floor(-24364 / 4) = -6091.
  EXPECT_EQ(values[2], ring({24, 23, 27, -6091}, 16));
}

TEST(FixedEvaluator, ValidateRefusesInconsistentGraphs) {
  EXPECT_THROW(by_hand(qop::Truncate{0, false}, {1, 1, 2, 2}, 2).validate(), InvalidArgument);
  EXPECT_THROW(by_hand(qop::Relu{}, {1, 1, 2, 2}, 4).validate(), InvalidArgument);
  EXPECT_THROW(by_hand(qop::Relu6{25}, {1, 1, 2, 2}, 2).validate(), InvalidArgument);
  EXPECT_THROW(by_hand(qop::DivideFloor{{0}}, {1, 1, 2, 2}, 2).validate(), InvalidArgument);
  EXPECT_THROW(by_hand(qop::ChannelAffine{1, {5}, {0}, 4}, {1, 1, 2, 2}, 4).validate(), InvalidArgument);
  EXPECT_THROW(by_hand(qop::Conv2d{{1, 2, 2, 1, 1, 1}, {1}, {0}, 1}, {1, 1, 2, 2}, 2).validate(), InvalidArgument);
  EXPECT_NO_THROW(by_hand(qop::Conv2d{{1, 2, 2, 1, 1, 1}, {1}, {0}, 1}, {1, 1, 2, 2}, 4).validate());
  EXPECT_THROW(evaluate_fixed(by_hand(qop::Relu{}, {1, 1, 2, 2}, 2), std::vector<uint64_t>{1, 2, 3, 1 << 16}),
               InvalidArgument);
}

TEST(FixedEvaluator, LazyTruncationPlacement) {
  core::Prg prg = seeded_prg(7);
  const QuantizedGraph q = quantize(small_cnn(prg).graph, 37, 12);
  std::vector<std::string> kinds;
  for (const QOp& op : q.ops) kinds.push_back(op_name(op.op));
  // conv1 -> pool1 and relu1 at 2f; relu1's output feeds both the depthwise conv (through one
  // Truncate) and the residual Add (at 2f), so it is not fused. relu6's output is truncated once for
  // branch_a's conv and the AvgPool (averages sum at scale f); the residual Add joins two 2f tensors
  // and is truncated once before the ChannelAffine; relu3 fuses with the truncation before the
  // GlobalAvgPool; the logits are truncated to f.
  const std::vector<std::string> want{"Conv2d",  "MaxPool",     "Relu",         "Truncate", "Conv2d",        "Relu6",
                                      "Truncate", "Conv2d",     "SumPool",      "DivideFloor", "Conv2d",     "Concat",
                                      "Add",     "Truncate",    "ChannelAffine", "ReluTruncate", "SumPool",  "DivideFloor",
                                      "Reshape", "Gemm",        "Truncate"};
  EXPECT_EQ(kinds, want);
  for (std::size_t k : {3, 6}) EXPECT_TRUE(std::get<qop::Truncate>(q.ops[k].op).input_nonnegative) << k;
  for (std::size_t k : {13, 20}) EXPECT_FALSE(std::get<qop::Truncate>(q.ops[k].op).input_nonnegative) << k;
  EXPECT_EQ(std::get<qop::Relu6>(q.ops[5].op).upper, int64_t{6} << 24);
  EXPECT_EQ(q.tensors[static_cast<std::size_t>(q.ops[12].output)].scale_bits, 24);
  EXPECT_EQ(q.tensors[static_cast<std::size_t>(q.ops[16].output)].scale_bits, 12);
  EXPECT_EQ(q.tensors[static_cast<std::size_t>(q.output)].shape, (Shape{1, 5}));
  EXPECT_EQ(describe(q, q.ops[0]), "conv1: Conv2d [1, 3, 8, 8] (scale 12) -> [1, 8, 8, 8] (scale 24)");
}

TEST(FixedEvaluator, AgreesWithFloatWithinQuantisationError) {
  core::Prg prg = seeded_prg(8);
  const SmallCnn cnn = small_cnn(prg);
  const Graph optimized = optimize(cnn.graph);
  double error_f12 = 0, error_f6 = 0;
  for (int trial = 0; trial < 4; ++trial) {
    const std::vector<float> x = uniform_vector(prg, 3 * 64, -1, 1);
    const auto want = evaluate_float_all(optimized, x);
    for (int f : {12, 6}) {
      const QuantizedGraph q = quantize(cnn.graph, 37, f);
      const auto got_all = evaluate_fixed_all(q, quantize_input(q, x));
      const auto got = dequantize(got_all[static_cast<std::size_t>(q.output)], 37, f);
      const auto& logits = want[static_cast<std::size_t>(optimized.output)];
      for (std::size_t k = 0; k < got.size(); ++k) (f == 12 ? error_f12 : error_f6) = std::max(f == 12 ? error_f12 : error_f6, std::fabs(got[k] - logits[k]));
    }
  }
  // Each rounding or floor costs at most 2^-f per value; through 7 layers with gains about 1
  // the logits stay within a few dozen ulps.
  EXPECT_LT(error_f12, 64 * std::ldexp(1.0, -12));
  EXPECT_LT(error_f6, 64 * std::ldexp(1.0, -6));
  EXPECT_GT(error_f6, error_f12);
}

TEST(FixedEvaluator, QuantisationRefusesOutOfRangeValues) {
  GraphBuilder b({1, 1, 2, 2});
  const Graph huge = b.finish(b.add(op::Conv{{1, 2, 2, 1, 1, 1}, {1e6f}, {}}, {b.input()}));
  EXPECT_THROW(quantize(huge, 24, 8), CapacityError);
  const QuantizedGraph q = quantize(tiny_conv(false), 16, 2);
  EXPECT_THROW(quantize_input(q, std::vector<float>{1, 2, 3, 1e5f}), CapacityError);
  EXPECT_THROW(quantize_input(q, std::vector<float>{1, 2, 3}), InvalidArgument);
  EXPECT_THROW(quantize(tiny_conv(false), 16, 8), InvalidArgument);
}

}  // namespace
}  // namespace twain::model
