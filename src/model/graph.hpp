// The float graph IR: what onnx::load_model produces and the passes rewrite. Tensors have static
// shapes with the batch first and equal to 1 ([1, C, H, W] or [1, N]), data flat row-major;
// nodes are in topological order; weights are float vectors inside the nodes.
//
// Op semantics (x = first input, y = output; real arithmetic):
//   Conv          ONNX Conv (2-D; a dilated one arrives with zeros between its taps): geometry.hpp;
//                 bias empty means zero.
//   Gemm          y[o] = bias[o] + sum_i w[o][i] x[i], x read flat; bias empty means zero.
//   BatchNorm     y[c][p] = gamma[c] (x[c][p] - mean[c]) / sqrt(var[c] + epsilon) + beta[c], c = dims[1].
//   ChannelAffine y[c][p] = scale[c] x[c][p] + shift[c].
//   Relu, Relu6   max(x, 0); min(max(x, 0), 6).
//   MaxPool       max over the window (padding ignored).
//   AvgPool       window sum / divisor: the window's positions inside the padded input when
//                 count_include_pad, else inside the input.
//   GlobalAvgPool mean over each channel's H W positions; output [1, C, 1, 1].
//   Add           x + x2, equal shapes.
//   AddConstant   x + values (one per element; broadcasts are expanded by the importer).
//   Concat        join along dims[1].
//   Reshape       same data, the output's shape (Flatten, Reshape).
//   Pad           constant spatial padding of a [1, C, H, W] tensor.
//   Identity      y = x (Dropout and Identity at inference).
//   Softmax       exp(x_k) / sum exp over all elements; LogSoftmax its logarithm (only as the last
//                 node: argmax of the logits is unchanged, so drop_inference_noops removes them).
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "core/geometry.hpp"
#include "model/shape.hpp"

namespace twain::model {

namespace op {

struct Conv {
  core::Conv2dGeometry shape;
  std::vector<float> weights;  // OIHW
  std::vector<float> bias;     // out_channels or empty
};

struct Gemm {
  int in_features = 0, out_features = 0;
  std::vector<float> weights;  // out_features x in_features row-major
  std::vector<float> bias;     // out_features or empty
};

struct BatchNorm {
  std::vector<float> gamma, beta, mean, var;  // one per channel
  float epsilon = 1e-5f;
};

struct ChannelAffine {
  std::vector<float> scale, shift;  // one per channel
};

struct Relu {};
struct Relu6 {};

struct MaxPool {
  core::Pool2dGeometry shape;
};

struct AvgPool {
  core::Pool2dGeometry shape;
  bool count_include_pad = false;
};

struct GlobalAvgPool {};
struct Add {};

struct AddConstant {
  std::vector<float> values;  // one per element of the output
};

struct Concat {};
struct Reshape {
  Shape shape;  // the output shape (batch first, equal to 1)
};

struct Pad {
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  float value = 0.0f;
};

struct Identity {};
struct Softmax {};
struct LogSoftmax {};

}  // namespace op

using OpKind = std::variant<op::Conv, op::Gemm, op::BatchNorm, op::ChannelAffine, op::Relu, op::Relu6, op::MaxPool,
                            op::AvgPool, op::GlobalAvgPool, op::Add, op::AddConstant, op::Concat, op::Reshape, op::Pad,
                            op::Identity, op::Softmax, op::LogSoftmax>;

struct Tensor {
  std::string name;
  Shape shape;
};

struct Node {
  std::string name;     // the ONNX node name (may be empty in the file)
  std::string op_type;  // the ONNX operator it came from ("Conv", "Flatten", "Clip", ...)
  int index = 0;        // its position in the ONNX graph's node list
  std::vector<TensorId> inputs;
  TensorId output = 0;
  OpKind op;
};

struct Graph {
  std::vector<Tensor> tensors;  // indexed by TensorId
  std::vector<Node> nodes;      // topological order
  TensorId input = 0;
  TensorId output = 0;

  TensorId add_tensor(std::string name, Shape shape);
  // "node 3 'conv1' (Conv)": how errors name a node.
  static std::string describe(const Node& node);
  // Checks ids, the topological order, parameter counts and every output shape against
  // infer_shape; throws InvalidArgument naming the node.
  void validate() const;
};

// The output shape of `op` on inputs of `inputs` shapes; throws InvalidArgument saying what does
// not fit (wrong input count, rank, channel count, weight count, window).
Shape infer_shape(const OpKind& op, const std::vector<Shape>& inputs);

// "Conv", "Relu6", ... (the variant's alternative).
std::string op_name(const OpKind& op);

}  // namespace twain::model
