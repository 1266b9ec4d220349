// Hand-made ONNX graphs: the importer's float graph computes what the same network written
// directly in the model IR computes (weights laid out, attributes and opset variants converted by
// hand here), and quantises to a fixed-point graph that agrees with it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "model/fixed_evaluator.hpp"
#include "model/float_evaluator.hpp"
#include "model/quantize.hpp"
#include "onnx/importer.hpp"
#include "onnx_builder.hpp"

namespace twain::onnx {
namespace {

using namespace twain::onnx::testing;

std::vector<float> ramp(std::size_t n, float start, float step) {
  std::vector<float> v(n);
  for (std::size_t k = 0; k < n; ++k) v[k] = start + step * static_cast<float>((k * 7) % 13) - step * static_cast<float>(k % 3);
  return v;
}

// The expected graph, written op by op.
class Expected {
 public:
  explicit Expected(model::Shape input) { g_.input = g_.add_tensor("x", std::move(input)); }
  model::TensorId add(model::OpKind op, std::vector<model::TensorId> in) {
    std::vector<model::Shape> shapes;
    for (auto id : in) shapes.push_back(g_.tensors[static_cast<std::size_t>(id)].shape);
    std::string name = "t";
    name += std::to_string(g_.tensors.size());
    const auto out = g_.add_tensor(std::move(name), model::infer_shape(op, shapes));
    g_.nodes.push_back({"", model::op_name(op), static_cast<int>(g_.nodes.size()), std::move(in), out, std::move(op)});
    return out;
  }
  model::Graph finish(model::TensorId out) {
    g_.output = out;
    g_.validate();
    return g_;
  }

 private:
  model::Graph g_;
};

void expect_same_function(const model::Graph& imported, const model::Graph& expected, std::size_t input_size) {
  for (int trial = 0; trial < 3; ++trial) {
    const std::vector<float> x = ramp(input_size, -1.5f + 0.4f * static_cast<float>(trial), 0.37f);
    const auto got = model::evaluate_float(imported, x);
    const auto want = model::evaluate_float(expected, x);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t k = 0; k < got.size(); ++k) EXPECT_NEAR(got[k], want[k], 1e-5f) << "element " << k;
  }
}

TEST(OnnxImport, Opset13NetworkMatchesTheIrWrittenByHand) {
  const auto w1 = ramp(4 * 2 * 9, -0.4f, 0.11f);
  const auto b1 = ramp(4, -0.1f, 0.05f);
  const std::vector<float> gamma{1.2f, 0.8f, 1.0f, 1.5f}, beta{0.1f, -0.2f, 0.0f, 0.3f}, mean{0.05f, -0.1f, 0.2f, 0.0f},
      var{1.0f, 0.5f, 2.0f, 0.9f};
  const auto w2 = ramp(8 * 5, -0.5f, 0.09f);
  const std::vector<float> b2{0.1f, -0.1f, 0.2f, 0.0f, -0.3f};

  ModelBuilder b(13);
  b.input("x", {1, 4, 6, 6});
  auto* cw = b.node("Constant", {}, {"w1"}, "weights");
  auto* value = cw->add_attribute();
  value->set_name("value");
  value->set_type(::onnx::AttributeProto_AttributeType_TENSOR);
  value->mutable_t()->set_data_type(::onnx::TensorProto_DataType_FLOAT);
  for (int64_t d : {4, 2, 3, 3}) value->mutable_t()->add_dims(d);
  std::string* raw = value->mutable_t()->mutable_raw_data();
  raw->resize(w1.size() * sizeof(float));
  std::memcpy(raw->data(), w1.data(), raw->size());
  b.initializer("b1", {4}, b1);
  auto* conv = b.node("Conv", {"x", "w1", "b1"}, {"c1"}, "conv");
  attr_int(conv, "group", 2);
  attr_ints(conv, "strides", {2, 2});
  attr_string(conv, "auto_pad", "SAME_UPPER");
  b.initializer("gamma", {4}, gamma);
  b.initializer("beta", {4}, beta);
  b.initializer("mean", {4}, mean);
  b.initializer("var", {4}, var);
  attr_float(b.node("BatchNormalization", {"c1", "gamma", "beta", "mean", "var"}, {"n1"}, "bn"), "epsilon", 1e-3f);
  b.initializer("lo", {}, {0.0f});
  b.initializer("hi", {}, {6.0f});
  b.node("Clip", {"n1", "lo", "hi"}, {"r1"}, "relu6");
  b.int_initializer("pads", {0, 0, 1, 1, 0, 0, 0, 0});
  b.node("Pad", {"r1", "pads"}, {"p1"}, "pad");
  auto* pool = b.node("MaxPool", {"p1"}, {"m1"}, "pool");
  attr_ints(pool, "kernel_shape", {2, 2});
  attr_int(b.node("Concat", {"m1", "r1"}, {"cat"}, "cat"), "axis", -3);
  b.node("Add", {"cat", "cat"}, {"sum"}, "residual");
  auto* avg = b.node("AveragePool", {"sum"}, {"avg"}, "avg");
  attr_ints(avg, "kernel_shape", {3, 3});
  attr_ints(avg, "pads", {1, 1, 1, 1});
  attr_int(avg, "count_include_pad", 1);
  b.node("GlobalAveragePool", {"avg"}, {"gap"}, "gap");
  b.int_initializer("shape", {0, -1});
  b.node("Reshape", {"gap", "shape"}, {"flat"}, "flatten");
  b.initializer("w2", {8, 5}, w2);
  b.node("MatMul", {"flat", "w2"}, {"mm"}, "fc");
  b.initializer("b2", {5}, b2);
  b.node("Add", {"b2", "mm"}, {"logits"}, "fc_bias");
  b.node("Dropout", {"logits"}, {"drop"}, "dropout");
  attr_int(b.node("LogSoftmax", {"drop"}, {"y"}, "logsoftmax"), "axis", 1);
  b.output("y", 2);
  const model::Graph imported = load_model_bytes(b.bytes());
  ASSERT_EQ(imported.nodes.size(), 14u);  // every node but the Constant
  EXPECT_EQ(imported.nodes[0].name, "conv");
  EXPECT_EQ(imported.nodes[0].index, 1);
  EXPECT_TRUE(std::holds_alternative<model::op::Relu6>(imported.nodes[2].op));

  // SAME_UPPER for 6 -> 3 with kernel 3, stride 2: total padding 1, at the bottom / right.
  Expected e({1, 4, 6, 6});
  auto t = e.add(model::op::Conv{{4, 6, 6, 4, 3, 3, 2, 2, 0, 0, 1, 1, 2}, w1, b1}, {0});
  t = e.add(model::op::BatchNorm{gamma, beta, mean, var, 1e-3f}, {t});
  const auto r = e.add(model::op::Relu6{}, {t});
  t = e.add(model::op::Pad{1, 1, 0, 0, 0.0f}, {r});
  t = e.add(model::op::MaxPool{{4, 4, 4, 2, 2}}, {t});
  t = e.add(model::op::Concat{}, {t, r});
  t = e.add(model::op::Add{}, {t, t});
  t = e.add(model::op::AvgPool{{8, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1}, true}, {t});
  t = e.add(model::op::GlobalAvgPool{}, {t});
  t = e.add(model::op::Reshape{{1, 8}}, {t});
  std::vector<float> w2_t(40);
  for (int o = 0; o < 5; ++o)
    for (int i = 0; i < 8; ++i) w2_t[static_cast<std::size_t>(o * 8 + i)] = w2[static_cast<std::size_t>(i * 5 + o)];
  t = e.add(model::op::Gemm{8, 5, w2_t, {}}, {t});
  t = e.add(model::op::AddConstant{b2}, {t});
  t = e.add(model::op::LogSoftmax{}, {t});
  expect_same_function(imported, e.finish(t), 144);
}

TEST(OnnxImport, Opset10AttributesMatchTheIrWrittenByHand) {
  const auto w = ramp(3 * 2 * 2 * 2, -0.3f, 0.07f);
  const auto fc = ramp(6 * 27, -0.2f, 0.05f);
  const std::vector<float> fc_bias{0.5f, -0.5f, 0.25f, 0.0f, 1.0f, -1.0f};
  ModelBuilder b(10);  // Pad and Clip take attributes before opset 11
  b.input("x", {1, 2, 4, 4});
  auto* pad = b.node("Pad", {"x"}, {"p"}, "pad");
  attr_ints(pad, "pads", {0, 0, 0, 1, 0, 0, 1, 0});
  attr_float(pad, "value", 0.5f);
  b.initializer("w", {3, 2, 2, 2}, w);
  auto* conv = b.node("Conv", {"p", "w"}, {"c"}, "conv");
  attr_ints(conv, "kernel_shape", {2, 2});
  attr_ints(conv, "pads", {1, 0, 0, 1});
  auto* clip = b.node("Clip", {"c"}, {"r"}, "clip");
  attr_float(clip, "min", 0.0f);
  attr_float(clip, "max", 6.0f);
  auto* pool = b.node("AveragePool", {"r"}, {"a"}, "avg");
  attr_ints(pool, "kernel_shape", {2, 2});
  attr_ints(pool, "strides", {2, 2});
  attr_int(pool, "ceil_mode", 1);
  attr_int(b.node("Flatten", {"a"}, {"f"}, "flatten"), "axis", 1);
  b.initializer("fc", {6, 27}, fc);
  b.initializer("fc_bias", {1, 6}, fc_bias);
  auto* gemm = b.node("Gemm", {"f", "fc", "fc_bias"}, {"y"}, "gemm");
  attr_int(gemm, "transB", 1);
  attr_float(gemm, "alpha", 0.5f);
  attr_float(gemm, "beta", 2.0f);
  b.output("y", 2);
  const model::Graph imported = load_model_bytes(b.bytes());

  Expected e({1, 2, 4, 4});
  auto t = e.add(model::op::Pad{0, 1, 1, 0, 0.5f}, {0});
  t = e.add(model::op::Conv{{2, 5, 5, 3, 2, 2, 1, 1, 1, 0, 0, 1, 1}, w, {}}, {t});
  t = e.add(model::op::Relu6{}, {t});
  t = e.add(model::op::AvgPool{{3, 5, 5, 2, 2, 2, 2, 0, 0, 0, 0, true}, false}, {t});
  t = e.add(model::op::Reshape{{1, 27}}, {t});
  std::vector<float> scaled(fc), bias(fc_bias);
  for (float& v : scaled) v *= 0.5f;
  for (float& v : bias) v *= 2.0f;
  t = e.add(model::op::Gemm{27, 6, scaled, bias}, {t});
  expect_same_function(imported, e.finish(t), 32);
}

// A dilated Conv is the undilated Conv whose kernel holds each tap (u, v) at (u d_h, v d_w) with
// zeros between: 3x3 taps at dilations (2, 3) make a 5x7 kernel, and the output extent is ONNX's
// (H + pads - ((k - 1) d + 1)) / stride + 1.
TEST(OnnxImport, DilatedConvolutionIsTheConvolutionWithZerosBetweenItsTaps) {
  const auto w = ramp(2 * 2 * 3 * 3, -0.4f, 0.05f);
  const std::vector<float> bias{0.25f, -0.5f};
  ModelBuilder b(13);
  b.input("x", {1, 2, 9, 10});
  b.initializer("w", {2, 2, 3, 3}, w);
  b.initializer("b", {2}, bias);
  auto* conv = b.node("Conv", {"x", "w", "b"}, {"y"}, "conv");
  attr_ints(conv, "dilations", {2, 3});
  attr_ints(conv, "pads", {1, 2, 1, 0});
  attr_ints(conv, "strides", {2, 1});
  b.output("y", 4);
  const model::Graph imported = load_model_bytes(b.bytes());

  std::vector<float> expanded(2 * 2 * 5 * 7, 0.0f);
  for (int f = 0; f < 4; ++f)
    for (int u = 0; u < 3; ++u)
      for (int v = 0; v < 3; ++v) expanded[(f * 5 + 2 * u) * 7 + 3 * v] = w[(f * 3 + u) * 3 + v];
  Expected e({1, 2, 9, 10});
  const core::Conv2dGeometry g{2, 9, 10, 2, 5, 7, 2, 1, 1, 2, 1, 0, 1};
  EXPECT_EQ(g.output_height(), 4);  // (9 + 2 - 5) / 2 + 1
  EXPECT_EQ(g.output_width(), 6);   // (10 + 2 - 7) / 1 + 1
  const auto t = e.add(model::op::Conv{g, expanded, bias}, {0});
  expect_same_function(imported, e.finish(t), 180);

  // Dilations that are not positive, or a dilated kernel beyond the padded input, are refused.
  ModelBuilder bad(13);
  bad.input("x", {1, 2, 9, 10});
  bad.initializer("w", {2, 2, 3, 3}, w);
  attr_ints(bad.node("Conv", {"x", "w"}, {"y"}, "conv"), "dilations", {6, 1});
  bad.output("y", 4);
  try {
    load_model_bytes(bad.bytes());
    FAIL() << "a 13-row kernel on 9 rows was accepted";
  } catch (const ImportError& err) {
    EXPECT_NE(std::string(err.what()).find("dilated kernel"), std::string::npos) << err.what();
  }
}

TEST(OnnxImport, IdentityOfAnInitializerIsAnAlias) {
  // PyTorch exports weights shared by two layers as Identity nodes on the initializer.
  ModelBuilder b(13);
  b.input("x", {1, 2});
  b.initializer("w", {2, 2}, {1, 2, 3, 4});
  b.node("Identity", {"w"}, {"w_shared"}, "alias");
  b.node("MatMul", {"x", "w"}, {"a"}, "first");
  b.node("MatMul", {"a", "w_shared"}, {"y"}, "second");
  b.output("y", 2);
  const model::Graph g = load_model_bytes(b.bytes());
  ASSERT_EQ(g.nodes.size(), 2u);
  // x = [1, 1]: a = [4, 6], y = [4 + 18, 8 + 24].
  EXPECT_EQ(model::evaluate_float(g, std::vector<float>{1, 1}), (std::vector<float>{22, 32}));
}

TEST(OnnxImport, ImportedNetworkQuantisesWithinTheExpectedError) {
  ModelBuilder b(13);
  b.input("x", {1, 3, 8, 8});
  b.initializer("w1", {8, 3, 3, 3}, ramp(8 * 27, -0.3f, 0.05f));
  b.initializer("b1", {8}, ramp(8, -0.1f, 0.03f));
  attr_ints(b.node("Conv", {"x", "w1", "b1"}, {"c1"}, "conv1"), "pads", {1, 1, 1, 1});
  b.node("Relu", {"c1"}, {"r1"}, "relu1");
  auto* pool = b.node("MaxPool", {"r1"}, {"m1"}, "pool1");
  attr_ints(pool, "kernel_shape", {2, 2});
  attr_ints(pool, "strides", {2, 2});
  b.node("Flatten", {"m1"}, {"f"}, "flatten");
  b.initializer("w2", {10, 128}, ramp(1280, -0.1f, 0.02f));
  auto* gemm = b.node("Gemm", {"f", "w2"}, {"y"}, "fc");
  attr_int(gemm, "transB", 1);
  b.output("y", 2);
  const model::Graph g = load_model_bytes(b.bytes());
  const model::QuantizedGraph q = model::quantize(g, 37, 12);
  const std::vector<float> x = ramp(192, -1.0f, 0.15f);
  const auto want = model::evaluate_float(g, x);
  const auto got = model::dequantize(model::evaluate_fixed(q, model::quantize_input(q, x)), 37, 12);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t k = 0; k < got.size(); ++k) EXPECT_NEAR(got[k], want[k], 0.01) << k;
  EXPECT_EQ(q.ops[0].name, "conv1");
  EXPECT_TRUE(std::holds_alternative<model::qop::MaxPool>(q.ops[1].op));  // pooled before the ReLU
}

}  // namespace
}  // namespace twain::onnx
