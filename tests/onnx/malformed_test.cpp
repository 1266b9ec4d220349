// Malformed and unsupported ONNX input: every case ends in ImportError with a message that says
// what and where; nothing crashes or allocates without bound.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/prg.hpp"
#include "onnx/importer.hpp"
#include "onnx_builder.hpp"

namespace twain::onnx {
namespace {

using namespace twain::onnx::testing;

// x [1, 2, 4, 4] -> Conv 3x3 pad 1 -> Relu -> y.
ModelBuilder conv_relu() {
  ModelBuilder b;
  b.input("x", {1, 2, 4, 4});
  b.initializer("w", {3, 2, 3, 3}, std::vector<float>(54, 0.25f));
  b.initializer("bias", {3}, {0.5f, -0.5f, 1.0f});
  auto* conv = b.node("Conv", {"x", "w", "bias"}, {"c"}, "conv1");
  attr_ints(conv, "pads", {1, 1, 1, 1});
  b.node("Relu", {"c"}, {"y"}, "relu1");
  b.output("y", 4);
  return b;
}

// x [1, 3, 8, 8] -> Conv stride 2 -> Relu -> MaxPool and AveragePool -> Add -> Reshape -> MatMul.
ModelBuilder pool_net() {
  ModelBuilder b;
  b.input("x", {1, 3, 8, 8});
  b.initializer("w", {4, 3, 3, 3}, std::vector<float>(108, 0.1f));
  auto* conv = b.node("Conv", {"x", "w"}, {"c"}, "conv");
  attr_ints(conv, "pads", {1, 1, 1, 1});
  attr_ints(conv, "strides", {2, 2});
  b.node("Relu", {"c"}, {"r"}, "relu");
  for (const char* op : {"MaxPool", "AveragePool"}) {
    auto* pool = b.node(op, {"r"}, {op}, op);
    attr_ints(pool, "kernel_shape", {2, 2});
    attr_ints(pool, "strides", {2, 2});
  }
  b.node("Add", {"MaxPool", "AveragePool"}, {"s"}, "add");
  b.int_initializer("shape", {1, -1});
  b.node("Reshape", {"s", "shape"}, {"f"}, "flatten");
  b.initializer("fc", {16, 4}, std::vector<float>(64, 0.5f));
  b.node("MatMul", {"f", "fc"}, {"y"}, "fc");
  b.output("y", 2);
  return b;
}

std::string import_error(const std::string& bytes) {
  try {
    load_model_bytes(bytes);
  } catch (const ImportError& e) {
    return e.what();
  }
  ADD_FAILURE() << "the model was accepted";
  return "";
}

void expect_error(const std::string& bytes, std::initializer_list<const char*> parts) {
  const std::string what = import_error(bytes);
  for (const char* part : parts) EXPECT_NE(what.find(part), std::string::npos) << "missing '" << part << "' in: " << what;
}

TEST(OnnxMalformed, ValidBaselineLoads) {
  EXPECT_EQ(load_model_bytes(pool_net().bytes()).nodes.size(), 7u);
  const model::Graph g = load_model_bytes(conv_relu().bytes());
  EXPECT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.tensors[static_cast<std::size_t>(g.output)].shape, (model::Shape{1, 3, 4, 4}));
}

TEST(OnnxMalformed, EveryTruncationIsRefused) {
  const std::string bytes = conv_relu().bytes();
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    try {
      load_model_bytes(bytes.substr(0, n));
      ADD_FAILURE() << "a prefix of " << n << " of " << bytes.size() << " bytes was accepted";
    } catch (const ImportError&) {
    }
  }
}

// Run with 100000 while developing (no crash, 6 s); kept smaller so the suite stays fast.
constexpr int kCorruptions = 3000;

TEST(OnnxMalformed, GarbageAndCorruptedBytesGiveImportErrorOnly) {
  core::Seed seed{};
  seed[0] = 6;
  core::Prg prg(seed);
  for (int round = 0; round < 200; ++round) {
    std::string garbage(1 + prg.uniform(600), '\0');
    prg.fill(garbage.data(), garbage.size());
    EXPECT_THROW(load_model_bytes(garbage), ImportError);
  }
  // Corrupt valid models in one to four bytes: each result loads or throws ImportError, never
  // anything else (this found libonnx's shape-inference crash and a division by a zero stride).
  const std::string models[] = {conv_relu().bytes(), pool_net().bytes()};
  for (int round = 0; round < kCorruptions; ++round) {
    std::string corrupted = models[round % 2];
    for (uint64_t edits = 1 + prg.uniform(4); edits > 0; --edits)
      corrupted[prg.uniform(corrupted.size())] = static_cast<char>(prg.uniform(256));
    try {
      load_model_bytes(corrupted);
    } catch (const ImportError&) {
    }
  }
}

TEST(OnnxMalformed, UnknownOperatorNamesNodeOperatorAndPosition) {
  ModelBuilder b = conv_relu();
  b.graph()->mutable_node(1)->set_op_type("Sigmoid");
  expect_error(b.bytes(), {"node 1 'relu1' (Sigmoid)", "operator 'Sigmoid' is not supported"});
}

TEST(OnnxMalformed, UnsupportedAttributeValues) {
  // Dilations: positive, and the dilated kernel within the padded input (4 + 2 rows: a 3-tap
  // kernel at dilation 2 spans 5, at dilation 3 spans 7).
  ModelBuilder dilated = conv_relu();
  attr_ints(dilated.graph()->mutable_node(0), "dilations", {2, 2});
  EXPECT_NO_THROW(load_model_bytes(dilated.bytes()));
  ModelBuilder zero = conv_relu();
  attr_ints(zero.graph()->mutable_node(0), "dilations", {0, 1});
  expect_error(zero.bytes(), {"node 0 'conv1' (Conv)", "dilations must be positive"});
  ModelBuilder wide = conv_relu();
  attr_ints(wide.graph()->mutable_node(0), "dilations", {1, 3});
  expect_error(wide.bytes(), {"node 0 'conv1' (Conv)", "dilated kernel of 3x7 exceeds the padded input 6x6"});
  ModelBuilder pads3 = conv_relu();
  pads3.graph()->mutable_node(0)->mutable_attribute(0)->add_ints(1);
  pads3.graph()->mutable_node(0)->mutable_attribute(0)->clear_ints();
  for (int k = 0; k < 3; ++k) pads3.graph()->mutable_node(0)->mutable_attribute(0)->add_ints(1);
  expect_error(pads3.bytes(), {"node 0 'conv1' (Conv)"});
  ModelBuilder autopad = conv_relu();
  autopad.graph()->mutable_node(0)->clear_attribute();
  attr_string(autopad.graph()->mutable_node(0), "auto_pad", "SOMETIMES");
  expect_error(autopad.bytes(), {"node 0 'conv1' (Conv)", "auto_pad"});
  ModelBuilder typed = conv_relu();
  typed.graph()->mutable_node(0)->clear_attribute();
  attr_int(typed.graph()->mutable_node(0), "pads", 1);
  expect_error(typed.bytes(), {"conv1 : pads"});
  ModelBuilder stride0 = pool_net();
  stride0.graph()->mutable_node(2)->mutable_attribute(1)->set_ints(0, 0);
  expect_error(stride0.bytes(), {"node 2 'MaxPool' (MaxPool)", "stride_h"});
  ModelBuilder conv_stride0 = conv_relu();
  attr_ints(conv_stride0.graph()->mutable_node(0), "strides", {1, 0});
  expect_error(conv_stride0.bytes(), {"node 0 'conv1' (Conv)"});
  ModelBuilder groups = conv_relu();
  attr_int(groups.graph()->mutable_node(0), "group", 3);
  expect_error(groups.bytes(), {"node 0 'conv1' (Conv)"});
}

TEST(OnnxMalformed, DynamicInputShape) {
  ModelBuilder b = conv_relu();
  b.graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_param(
      "N");
  expect_error(b.bytes(), {"graph input 'x'", "dynamic", "'N'", "axis 0"});
  ModelBuilder no_shape = conv_relu();
  no_shape.graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  expect_error(no_shape.bytes(), {"'shape'"});
}

TEST(OnnxMalformed, HugeDeclaredDimensionsAreRefusedBeforeAllocation) {
  ModelBuilder input;
  input.input("x", {1, 3, 1 << 20, 1 << 20});
  input.node("Relu", {"x"}, {"y"});
  input.output("y", 4);
  expect_error(input.bytes(), {"graph input 'x'", "elements"});
  // An initializer that declares 2^40 elements without holding them.
  ModelBuilder weights = conv_relu();
  auto* w = weights.graph()->mutable_initializer(0);
  w->clear_dims();
  for (int64_t d : {int64_t{1} << 20, int64_t{1} << 20, int64_t{3}, int64_t{3}}) w->add_dims(d);
  expect_error(weights.bytes(), {"initializer 'w'"});
  // Consistent dims and data, but the output would exceed the tensor bound.
  ModelBuilder pad(13);
  pad.input("x", {1, 1, 2, 2});
  pad.int_initializer("pads", {0, 0, 60000, 60000, 0, 0, 60000, 60000});
  pad.node("Pad", {"x", "pads"}, {"y"}, "pad0");
  pad.output("y", 4);
  expect_error(pad.bytes(), {"node 0 'pad0' (Pad)", "elements"});
}

TEST(OnnxMalformed, StructuralLimits) {
  ModelBuilder two_inputs = conv_relu();
  two_inputs.input("z", {1, 2, 4, 4});
  expect_error(two_inputs.bytes(), {"2 inputs"});
  ModelBuilder two_outputs = conv_relu();
  two_outputs.output("c", 4);
  expect_error(two_outputs.bytes(), {"2 outputs"});
  ModelBuilder batch = conv_relu();
  batch.graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_value(2);
  expect_error(batch.bytes(), {"graph input 'x'", "batch 1"});
  ModelBuilder weight_input = conv_relu();
  weight_input.graph()->mutable_initializer()->DeleteSubrange(0, 1);
  weight_input.input("w", {3, 2, 3, 3});
  expect_error(weight_input.bytes(), {"inputs besides its initializers"});
  ModelBuilder domain = conv_relu();
  domain.graph()->mutable_node(1)->set_domain("com.example");
  auto* opset = domain.model().add_opset_import();
  opset->set_domain("com.example");
  opset->set_version(1);
  expect_error(domain.bytes(), {"node 1 'relu1' (Relu)"});
}

TEST(OnnxMalformed, UnsupportedUsesOfSupportedOperators) {
  ModelBuilder softmax_inside;
  softmax_inside.input("x", {1, 4});
  softmax_inside.node("Softmax", {"x"}, {"s"}, "sm");
  softmax_inside.node("Relu", {"s"}, {"y"});
  softmax_inside.output("y", 2);
  expect_error(softmax_inside.bytes(), {"node 0 'sm' (Softmax)", "last node"});

  ModelBuilder clip;
  clip.input("x", {1, 4});
  clip.initializer("lo", {}, {-1.0f});
  clip.initializer("hi", {}, {1.0f});
  clip.node("Clip", {"x", "lo", "hi"}, {"y"}, "clip0");
  clip.output("y", 2);
  expect_error(clip.bytes(), {"node 0 'clip0' (Clip)", "Clip(-1"});

  ModelBuilder trans_a;
  trans_a.input("x", {1, 3});
  trans_a.initializer("w", {1, 2}, {1, 2});
  auto* g = trans_a.node("Gemm", {"x", "w"}, {"y"}, "fc");
  attr_int(g, "transA", 1);
  trans_a.output("y", 2);
  expect_error(trans_a.bytes(), {"node 0 'fc' (Gemm)", "transA"});

  ModelBuilder concat_axis;
  concat_axis.input("x", {1, 2, 3, 3});
  concat_axis.node("Relu", {"x"}, {"r"});
  auto* cat = concat_axis.node("Concat", {"x", "r"}, {"y"}, "cat");
  attr_int(cat, "axis", 2);
  concat_axis.output("y", 4);
  expect_error(concat_axis.bytes(), {"node 1 'cat' (Concat)", "channel axis"});

  ModelBuilder reflect(13);
  reflect.input("x", {1, 1, 3, 3});
  reflect.int_initializer("pads", {0, 0, 1, 1, 0, 0, 1, 1});
  auto* p = reflect.node("Pad", {"x", "pads"}, {"y"}, "pad0");
  attr_string(p, "mode", "reflect");
  reflect.output("y", 4);
  expect_error(reflect.bytes(), {"node 0 'pad0' (Pad)", "reflect"});

  ModelBuilder weights_computed;
  weights_computed.input("x", {1, 2, 4, 4});
  weights_computed.node("Relu", {"x"}, {"r"});
  weights_computed.node("Conv", {"x", "r"}, {"y"}, "conv");
  weights_computed.output("y", 4);
  expect_error(weights_computed.bytes(), {"node 1 'conv' (Conv)", "must be a constant"});

  ModelBuilder nonfinite = conv_relu();
  nonfinite.graph()->mutable_initializer(1)->set_float_data(1, std::numeric_limits<float>::infinity());
  expect_error(nonfinite.bytes(), {"initializer 'bias'", "non-finite"});
}

TEST(OnnxMalformed, InconsistentConstants) {
  ModelBuilder reshape;
  reshape.input("x", {1, 4});
  reshape.int_initializer("shape", std::vector<int64_t>(1000, 1));
  reshape.node("Reshape", {"x", "shape"}, {"y"}, "reshape0");
  reshape.output("y", 1000);
  expect_error(reshape.bytes(), {"node 0 'reshape0' (Reshape)", "dimensions"});

  ModelBuilder channels = conv_relu();
  auto* w = channels.graph()->mutable_initializer(0);
  w->set_dims(1, 1);
  w->mutable_float_data()->Truncate(27);
  expect_error(channels.bytes(), {"node 0 'conv1' (Conv)"});

  ModelBuilder count_mismatch = conv_relu();
  count_mismatch.graph()->mutable_initializer(0)->mutable_float_data()->RemoveLast();
  expect_error(count_mismatch.bytes(), {"initializer 'w'", "53 values"});

  ModelBuilder bn;
  bn.input("x", {1, 3, 2, 2});
  for (const char* name : {"g", "b", "m"}) bn.initializer(name, {3}, {1, 1, 1});
  bn.initializer("v", {2}, {1, 1});
  bn.node("BatchNormalization", {"x", "g", "b", "m", "v"}, {"y"}, "bn0");
  bn.output("y", 4);
  expect_error(bn.bytes(), {"bn0"});

  ModelBuilder softmax;
  softmax.input("x", {1, 2, 3});
  attr_int(softmax.node("Softmax", {"x"}, {"y"}, "sm"), "axis", 1);
  softmax.output("y", 3);
  expect_error(softmax.bytes(), {"node 0 'sm' (Softmax)", "does not span"});
}

TEST(OnnxMalformed, FileErrors) {
  EXPECT_THROW(load_model("/nonexistent/model.onnx"), ImportError);
  const auto path = std::filesystem::temp_directory_path() / "twain_onnx_truncated.onnx";
  const std::string bytes = conv_relu().bytes();
  {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  try {
    load_model(path);
    ADD_FAILURE() << "a truncated file was accepted";
  } catch (const ImportError& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
  {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  EXPECT_EQ(load_model(path).nodes.size(), 2u);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace twain::onnx
