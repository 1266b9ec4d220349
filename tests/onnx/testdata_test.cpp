// The float evaluator against the stored outputs of Debian's libonnx-testdata node tests. Graph
// inputs other than the first become initializers (weights are constants in twain); a batch of N
// is run as N models of batch 1 on the slices.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "model/float_evaluator.hpp"
#include "onnx/importer.hpp"
#include "onnx_builder.hpp"

namespace twain::onnx {
namespace {

using namespace twain::onnx::testing;

const std::string kNodeTests = "/usr/include/onnx/backend/test/data/node/";

::onnx::TensorProto load_tensor(const std::string& path) {
  ::onnx::TensorProto t;
  EXPECT_TRUE(t.ParseFromString(read_file(path))) << path;
  return t;
}

// Slice b of a float tensor along axis 0, with that axis set to 1.
::onnx::TensorProto slice(const ::onnx::TensorProto& t, int64_t b) {
  const std::vector<float> values = tensor_values(t);
  const std::size_t inner = values.size() / static_cast<std::size_t>(t.dims(0));
  ::onnx::TensorProto out;
  out.set_name(t.name());
  out.set_data_type(::onnx::TensorProto_DataType_FLOAT);
  out.add_dims(1);
  for (int k = 1; k < t.dims_size(); ++k) out.add_dims(t.dims(k));
  for (std::size_t k = 0; k < inner; ++k) out.add_float_data(values[static_cast<std::size_t>(b) * inner + k]);
  return out;
}

// The model of `test` with inputs 1.. bound as initializers, for batch slice b of `batch`.
std::string bound_model(const std::string& test, int64_t batch, int64_t b) {
  const std::string dir = kNodeTests + test + "/";
  ::onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromString(read_file(dir + "model.onnx")));
  auto* g = m.mutable_graph();
  const int rank = g->input(0).type().tensor_type().shape().dim_size();
  for (int k = 1; k < g->input_size(); ++k) {
    ::onnx::TensorProto t = load_tensor(dir + "test_data_set_0/input_" + std::to_string(k) + ".pb");
    if (batch > 1 && t.dims_size() == rank && t.dims(0) == batch) t = slice(t, b);
    t.set_name(g->input(k).name());
    *g->add_initializer() = t;
  }
  g->mutable_input()->DeleteSubrange(1, g->input_size() - 1);
  g->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_value(1);
  if (batch > 1)
    for (auto& out : *g->mutable_output())
      out.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_param("batch");
  return m.SerializeAsString();
}

class NodeTest : public ::testing::TestWithParam<const char*> {};

TEST_P(NodeTest, FloatEvaluatorMatchesStoredOutput) {
  const std::string test = GetParam();
  const std::string dir = kNodeTests + test + "/";
  ASSERT_TRUE(std::filesystem::exists(dir + "model.onnx")) << "libonnx-testdata is not installed: " << dir;
  const ::onnx::TensorProto x = load_tensor(dir + "test_data_set_0/input_0.pb");
  const ::onnx::TensorProto y = load_tensor(dir + "test_data_set_0/output_0.pb");
  const int64_t batch = x.dims(0);
  ASSERT_EQ(y.dims(0), batch);
  const std::vector<float> expected_all = tensor_values(y);
  const std::size_t out_inner = expected_all.size() / static_cast<std::size_t>(batch);
  for (int64_t b = 0; b < batch; ++b) {
    const model::Graph graph = load_model_bytes(bound_model(test, batch, b));
    const std::vector<float> input = tensor_values(batch > 1 ? slice(x, b) : x);
    const std::vector<float> got = model::evaluate_float(graph, input);
    ASSERT_EQ(got.size(), out_inner);
    for (std::size_t k = 0; k < got.size(); ++k) {
      const float e = expected_all[static_cast<std::size_t>(b) * out_inner + k];
      ASSERT_NEAR(got[k], e, 1e-4f + 1e-4f * std::fabs(e)) << test << " batch " << b << " element " << k;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    LibonnxTestdata, NodeTest,
    ::testing::Values("test_basic_conv_with_padding", "test_basic_conv_without_padding", "test_conv_with_autopad_same",
                      "test_conv_with_strides_and_asymmetric_padding", "test_conv_with_strides_no_padding",
                      "test_conv_with_strides_padding", "test_maxpool_2d_ceil", "test_maxpool_2d_default",
                      "test_maxpool_2d_pads", "test_maxpool_2d_precomputed_pads",
                      "test_maxpool_2d_precomputed_same_upper", "test_maxpool_2d_precomputed_strides",
                      "test_maxpool_2d_same_lower", "test_maxpool_2d_same_upper", "test_maxpool_2d_strides",
                      "test_averagepool_2d_ceil", "test_averagepool_2d_default", "test_averagepool_2d_pads",
                      "test_averagepool_2d_pads_count_include_pad", "test_averagepool_2d_precomputed_pads",
                      "test_averagepool_2d_precomputed_pads_count_include_pad",
                      "test_averagepool_2d_precomputed_same_upper", "test_averagepool_2d_precomputed_strides",
                      "test_averagepool_2d_same_lower", "test_averagepool_2d_same_upper",
                      "test_averagepool_2d_strides", "test_batchnorm_epsilon", "test_batchnorm_example",
                      "test_gemm_alpha", "test_gemm_beta", "test_gemm_default_matrix_bias",
                      "test_gemm_default_no_bias", "test_gemm_default_scalar_bias",
                      "test_gemm_default_single_elem_vector_bias", "test_gemm_default_vector_bias",
                      "test_gemm_default_zero_bias", "test_gemm_transposeB", "test_matmul_2d", "test_relu",
                      "test_add", "test_add_bcast", "test_flatten_axis1", "test_flatten_default_axis",
                      "test_flatten_negative_axis3", "test_globalaveragepool", "test_globalaveragepool_precomputed",
                      "test_softmax_example", "test_logsoftmax_example_1", "test_identity", "test_dropout_default",
                      "test_constant_pad"));

// Debian's libonnx-testdata PyTorch conversions keep their weights as initializers that are
// also graph inputs: the model of `test` with only its first input, for batch slice b.
const std::string kConvertedTests = "/usr/share/libonnx-testdata/data/pytorch-converted/";

std::string converted_model(const std::string& test) {
  ::onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromString(read_file(kConvertedTests + test + "/model.onnx")));
  // IR version 4 lets initializers stand apart from the graph inputs.
  if (m.ir_version() < 4) m.set_ir_version(4);
  auto* g = m.mutable_graph();
  g->mutable_input()->DeleteSubrange(1, g->input_size() - 1);
  g->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_value(1);
  for (auto& out : *g->mutable_output())
    out.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_value(1);
  return m.SerializeAsString();
}

class ConvertedTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ConvertedTest, FloatEvaluatorMatchesStoredOutput) {
  const std::string test = GetParam();
  const std::string dir = kConvertedTests + test + "/";
  ASSERT_TRUE(std::filesystem::exists(dir + "model.onnx")) << "libonnx-testdata is not installed: " << dir;
  const ::onnx::TensorProto x = load_tensor(dir + "test_data_set_0/input_0.pb");
  const ::onnx::TensorProto y = load_tensor(dir + "test_data_set_0/output_0.pb");
  const int64_t batch = x.dims(0);
  const std::vector<float> expected_all = tensor_values(y);
  const std::size_t out_inner = expected_all.size() / static_cast<std::size_t>(batch);
  const model::Graph graph = load_model_bytes(converted_model(test));
  for (int64_t b = 0; b < batch; ++b) {
    const std::vector<float> got = model::evaluate_float(graph, tensor_values(slice(x, b)));
    ASSERT_EQ(got.size(), out_inner);
    for (std::size_t k = 0; k < got.size(); ++k) {
      const float e = expected_all[static_cast<std::size_t>(b) * out_inner + k];
      ASSERT_NEAR(got[k], e, 1e-4f + 1e-4f * std::fabs(e)) << test << " batch " << b << " element " << k;
    }
  }
}

// test_Conv2d_dilated: dilations 2x2 with stride 2 and padding 1.
INSTANTIATE_TEST_SUITE_P(LibonnxTestdata, ConvertedTest, ::testing::Values("test_Conv2d_dilated"));

struct Refusal {
  const char* test;
  const char* message;
};

class NodeRefusal : public ::testing::TestWithParam<Refusal> {};

TEST_P(NodeRefusal, SaysWhyAndWhere) {
  const Refusal r = GetParam();
  const ::onnx::TensorProto x = load_tensor(kNodeTests + r.test + "/test_data_set_0/input_0.pb");
  try {
    load_model_bytes(bound_model(r.test, x.dims(0), 0));
    FAIL() << r.test << " was accepted";
  } catch (const ImportError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(r.message), std::string::npos) << what;
  }
}

INSTANTIATE_TEST_SUITE_P(LibonnxTestdata, NodeRefusal,
                         ::testing::Values(Refusal{"test_maxpool_2d_dilations", "node 0 '' (MaxPool): dilations"},
                                           Refusal{"test_clip", "(Clip): Clip(-1"},
                                           Refusal{"test_convtranspose", "operator 'ConvTranspose' is not supported"},
                                           Refusal{"test_flatten_axis2", "folds channels into the batch"},
                                           Refusal{"test_concat_3d_axis_1", "must be computed, not a constant"},
                                           Refusal{"test_maxpool_2d_uint8", "graph input 'x' is not a float tensor"},
                                           Refusal{"test_dropout_default_mask", "output 1"},
                                           Refusal{"test_batchnorm_example_training_mode", "training_mode"}));

}  // namespace
}  // namespace twain::onnx
