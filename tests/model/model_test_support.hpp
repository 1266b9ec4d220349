// Builds float graphs node by node for the model/ tests, with seeded random weights.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "core/prg.hpp"
#include "model/graph.hpp"

namespace twain::model::testing {

inline core::Prg seeded_prg(uint8_t tag) {
  core::Seed seed{};
  seed[0] = tag;
  seed[1] = 0x6d;
  return core::Prg(seed);
}

inline float uniform(core::Prg& prg, float low, float high) {
  const double unit = static_cast<double>(prg.next_u64() >> 11) * 0x1p-53;
  return static_cast<float>(low + (high - low) * unit);
}

inline std::vector<float> uniform_vector(core::Prg& prg, std::size_t n, float low, float high) {
  std::vector<float> v(n);
  for (float& x : v) x = uniform(prg, low, high);
  return v;
}

class GraphBuilder {
 public:
  explicit GraphBuilder(Shape input) { graph_.input = graph_.add_tensor("input", std::move(input)); }

  TensorId input() const { return graph_.input; }
  const Shape& shape(TensorId id) const { return graph_.tensors[static_cast<std::size_t>(id)].shape; }

  TensorId add(OpKind op, std::vector<TensorId> inputs, const std::string& name = "") {
    std::vector<Shape> shapes;
    for (TensorId id : inputs) shapes.push_back(shape(id));
    const Shape out_shape = infer_shape(op, shapes);
    const int index = static_cast<int>(graph_.nodes.size());
    const std::string node_name = name.empty() ? op_name(op) + std::to_string(index) : name;
    const TensorId out = graph_.add_tensor(node_name + "_out", out_shape);
    graph_.nodes.push_back({node_name, op_name(op), index, std::move(inputs), out, std::move(op)});
    return out;
  }

  Graph finish(TensorId output) {
    graph_.output = output;
    graph_.validate();
    return graph_;
  }

 private:
  Graph graph_;
};

inline op::Conv random_conv(core::Prg& prg, core::Conv2dGeometry shape, float weight_range) {
  op::Conv c{shape, {}, {}};
  c.weights = uniform_vector(prg, static_cast<std::size_t>(shape.weight_count()), -weight_range, weight_range);
  c.bias = uniform_vector(prg, static_cast<std::size_t>(shape.out_channels), -0.2f, 0.2f);
  return c;
}

inline op::BatchNorm random_batch_norm(core::Prg& prg, std::size_t channels) {
  op::BatchNorm bn;
  bn.gamma = uniform_vector(prg, channels, 0.5f, 1.5f);
  bn.beta = uniform_vector(prg, channels, -0.3f, 0.3f);
  bn.mean = uniform_vector(prg, channels, -0.2f, 0.2f);
  bn.var = uniform_vector(prg, channels, 0.5f, 2.0f);
  bn.epsilon = 1e-5f;
  return bn;
}

// A small CNN with every float op kind: Conv + BN + Relu + MaxPool, Pad before a depthwise Conv +
// BN + Relu6, two branches (1x1 Conv; AvgPool + 1x1 Conv) joined by Concat, a residual Add, a
// standalone BN, GlobalAvgPool, Reshape, Gemm + AddConstant, Identity and Softmax. `logits` is the
// tensor before the Softmax.
struct SmallCnn {
  Graph graph;
  TensorId logits = 0;
};

inline SmallCnn small_cnn(core::Prg& prg) {
  GraphBuilder b({1, 3, 8, 8});
  TensorId t = b.add(random_conv(prg, {3, 8, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1}, 0.4f), {b.input()}, "conv1");
  t = b.add(random_batch_norm(prg, 8), {t}, "bn1");
  t = b.add(op::Relu{}, {t}, "relu1");
  const TensorId m = b.add(op::MaxPool{{8, 8, 8, 2, 2, 2, 2}}, {t}, "pool1");
  t = b.add(op::Pad{1, 1, 1, 1, 0.0f}, {m}, "pad2");
  t = b.add(random_conv(prg, {8, 6, 6, 8, 3, 3, 1, 1, 0, 0, 0, 0, 8}, 0.5f), {t}, "dwconv2");
  t = b.add(random_batch_norm(prg, 8), {t}, "bn2");
  const TensorId r6 = b.add(op::Relu6{}, {t}, "relu6_2");
  const TensorId left = b.add(random_conv(prg, {8, 4, 4, 4, 1, 1}, 0.5f), {r6}, "branch_a");
  const TensorId avg = b.add(op::AvgPool{{8, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1}, false}, {r6}, "avg_b");
  const TensorId right = b.add(random_conv(prg, {8, 4, 4, 4, 1, 1}, 0.5f), {avg}, "branch_b");
  t = b.add(op::Concat{}, {left, right}, "cat");
  t = b.add(op::Add{}, {t, m}, "residual");
  t = b.add(random_batch_norm(prg, 8), {t}, "bn3");
  t = b.add(op::Relu{}, {t}, "relu3");
  t = b.add(op::GlobalAvgPool{}, {t}, "gap");
  t = b.add(op::Reshape{{1, 8}}, {t}, "flatten");
  op::Gemm fc{8, 5, uniform_vector(prg, 40, -0.6f, 0.6f), {}};
  t = b.add(fc, {t}, "fc");
  t = b.add(op::AddConstant{uniform_vector(prg, 5, -0.3f, 0.3f)}, {t}, "fc_bias");
  const TensorId logits = b.add(op::Identity{}, {t}, "dropout");
  return {b.finish(b.add(op::Softmax{}, {logits}, "softmax")), logits};
}

}  // namespace twain::model::testing
