#include "model/passes.hpp"

#include <cmath>
#include <utility>

#include "core/errors.hpp"

namespace twain::model {
namespace {

// Number of nodes reading `id`, plus one when it is the graph output.
int uses(const Graph& g, TensorId id) {
  int count = g.output == id ? 1 : 0;
  for (const Node& n : g.nodes)
    for (TensorId in : n.inputs) count += in == id ? 1 : 0;
  return count;
}

// Index of the node writing `id`, or -1 for the graph input.
int producer(const Graph& g, TensorId id) {
  for (std::size_t k = 0; k < g.nodes.size(); ++k)
    if (g.nodes[k].output == id) return static_cast<int>(k);
  return -1;
}

// Index of the single node reading `id` when nothing else uses it (not the graph output either).
int sole_consumer(const Graph& g, TensorId id) {
  if (uses(g, id) != 1 || g.output == id) return -1;
  for (std::size_t k = 0; k < g.nodes.size(); ++k)
    for (TensorId in : g.nodes[k].inputs)
      if (in == id) return static_cast<int>(k);
  return -1;
}

// Removes node k, whose output is replaced everywhere by `replacement`.
void bypass(Graph& g, std::size_t k, TensorId replacement) {
  const TensorId old = g.nodes[k].output;
  g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(k));
  for (Node& n : g.nodes)
    for (TensorId& in : n.inputs)
      if (in == old) in = replacement;
  if (g.output == old) g.output = replacement;
}

std::vector<double> bn_scale(const op::BatchNorm& bn) {
  std::vector<double> s(bn.gamma.size());
  for (std::size_t c = 0; c < s.size(); ++c) s[c] = bn.gamma[c] / std::sqrt(static_cast<double>(bn.var[c]) + bn.epsilon);
  return s;
}

// Scales the weights of each output (equal rows, one per output) and rewrites the bias.
void fold_into(std::vector<float>& weights, std::vector<float>& bias, std::size_t outputs, const op::BatchNorm& bn) {
  const std::vector<double> s = bn_scale(bn);
  const std::size_t row = weights.size() / outputs;
  if (bias.empty()) bias.assign(outputs, 0.0f);
  for (std::size_t o = 0; o < outputs; ++o) {
    for (std::size_t k = 0; k < row; ++k) weights[o * row + k] = static_cast<float>(weights[o * row + k] * s[o]);
    bias[o] = static_cast<float>((static_cast<double>(bias[o]) - bn.mean[o]) * s[o] + bn.beta[o]);
  }
}

bool is_relu(const Graph& g, TensorId id) {
  const int p = producer(g, id);
  return p >= 0 && (std::holds_alternative<op::Relu>(g.nodes[static_cast<std::size_t>(p)].op) ||
                    std::holds_alternative<op::Relu6>(g.nodes[static_cast<std::size_t>(p)].op));
}

// A pool with merged padding is valid (padding below the kernel) and has the same output extent.
bool same_windows(const core::Pool2dGeometry& before, const core::Pool2dGeometry& merged) {
  return merged.pad_top < merged.kernel_h && merged.pad_bottom < merged.kernel_h && merged.pad_left < merged.kernel_w &&
         merged.pad_right < merged.kernel_w && merged.output_height() == before.output_height() &&
         merged.output_width() == before.output_width();
}

Graph checked(Graph g) {
  g.validate();
  return g;
}

}  // namespace

Graph drop_inference_noops(Graph g) {
  for (std::size_t k = 0; k < g.nodes.size();) {
    const OpKind& op = g.nodes[k].op;
    const bool at_output = g.nodes[k].output == g.output;
    const auto* pad = std::get_if<op::Pad>(&op);
    const bool empty_pad = pad && pad->pad_top == 0 && pad->pad_left == 0 && pad->pad_bottom == 0 && pad->pad_right == 0;
    if (std::holds_alternative<op::Identity>(op) || empty_pad ||
        (at_output && (std::holds_alternative<op::Softmax>(op) || std::holds_alternative<op::LogSoftmax>(op)))) {
      bypass(g, k, g.nodes[k].inputs[0]);
    } else {
      ++k;
    }
  }
  TWAIN_REQUIRE(g.output != g.input, InvalidArgument, "the graph computes nothing once the no-ops are dropped");
  return checked(std::move(g));
}

Graph fold_batch_norm(Graph g) {
  for (std::size_t k = 0; k < g.nodes.size(); ++k) {
    const auto* bn = std::get_if<op::BatchNorm>(&g.nodes[k].op);
    if (!bn) continue;
    const int p = producer(g, g.nodes[k].inputs[0]);
    if (p < 0 || sole_consumer(g, g.nodes[k].inputs[0]) != static_cast<int>(k)) continue;
    Node& prev = g.nodes[static_cast<std::size_t>(p)];
    if (auto* conv = std::get_if<op::Conv>(&prev.op)) {
      fold_into(conv->weights, conv->bias, static_cast<std::size_t>(conv->shape.out_channels), *bn);
    } else if (auto* gemm = std::get_if<op::Gemm>(&prev.op)) {
      fold_into(gemm->weights, gemm->bias, static_cast<std::size_t>(gemm->out_features), *bn);
    } else {
      continue;
    }
    prev.output = g.nodes[k].output;
    g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(k));
    --k;
  }
  return checked(std::move(g));
}

Graph batch_norm_to_affine(Graph g) {
  for (Node& n : g.nodes) {
    const auto* bn = std::get_if<op::BatchNorm>(&n.op);
    if (!bn) continue;
    const std::vector<double> s = bn_scale(*bn);
    op::ChannelAffine affine;
    for (std::size_t c = 0; c < s.size(); ++c) {
      affine.scale.push_back(static_cast<float>(s[c]));
      affine.shift.push_back(static_cast<float>(bn->beta[c] - bn->mean[c] * s[c]));
    }
    n.op = std::move(affine);
  }
  return checked(std::move(g));
}

Graph fold_bias_add(Graph g) {
  for (std::size_t k = 0; k < g.nodes.size(); ++k) {
    const auto* add = std::get_if<op::AddConstant>(&g.nodes[k].op);
    if (!add) continue;
    const int p = producer(g, g.nodes[k].inputs[0]);
    if (p < 0 || sole_consumer(g, g.nodes[k].inputs[0]) != static_cast<int>(k)) continue;
    Node& prev = g.nodes[static_cast<std::size_t>(p)];
    std::vector<float>* bias = nullptr;
    std::size_t outputs = 0;
    if (auto* gemm = std::get_if<op::Gemm>(&prev.op)) {
      bias = &gemm->bias;
      outputs = static_cast<std::size_t>(gemm->out_features);
    } else if (auto* conv = std::get_if<op::Conv>(&prev.op)) {
      bias = &conv->bias;
      outputs = static_cast<std::size_t>(conv->shape.out_channels);
    } else {
      continue;
    }
    const std::size_t inner = add->values.size() / outputs;
    bool uniform = true;
    for (std::size_t o = 0; o < outputs; ++o)
      for (std::size_t i = 0; i < inner; ++i) uniform = uniform && add->values[o * inner + i] == add->values[o * inner];
    if (!uniform) continue;
    if (bias->empty()) bias->assign(outputs, 0.0f);
    for (std::size_t o = 0; o < outputs; ++o) (*bias)[o] += add->values[o * inner];
    prev.output = g.nodes[k].output;
    g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(k));
    --k;
  }
  return checked(std::move(g));
}

Graph fold_pad(Graph g) {
  for (std::size_t k = 0; k < g.nodes.size(); ++k) {
    const auto* pad = std::get_if<op::Pad>(&g.nodes[k].op);
    if (!pad) continue;
    const int next = sole_consumer(g, g.nodes[k].output);
    if (next < 0 || pad->value != 0.0f) continue;
    Node& consumer = g.nodes[static_cast<std::size_t>(next)];
    const TensorId source = g.nodes[k].inputs[0];
    const Shape& x = g.tensors[static_cast<std::size_t>(source)].shape;
    auto merge = [&](auto& geometry) {
      geometry.height = static_cast<int>(x[2]);
      geometry.width = static_cast<int>(x[3]);
      geometry.pad_top += pad->pad_top;
      geometry.pad_left += pad->pad_left;
      geometry.pad_bottom += pad->pad_bottom;
      geometry.pad_right += pad->pad_right;
    };
    if (auto* conv = std::get_if<op::Conv>(&consumer.op)) {
      merge(conv->shape);
    } else if (auto* pool = std::get_if<op::MaxPool>(&consumer.op)) {
      core::Pool2dGeometry merged = pool->shape;
      merge(merged);
      if (!is_relu(g, source) || !same_windows(pool->shape, merged)) continue;
      pool->shape = merged;
    } else if (auto* avg = std::get_if<op::AvgPool>(&consumer.op)) {
      // The padded zeros were counted as elements: the merged pool counts its padding, which is
      // only the same average when the pool had no padding of its own or counted it already.
      const core::Pool2dGeometry& p = avg->shape;
      const bool own_pads = p.pad_top || p.pad_left || p.pad_bottom || p.pad_right;
      core::Pool2dGeometry merged = p;
      merge(merged);
      if ((own_pads && !avg->count_include_pad) || !same_windows(p, merged)) continue;
      avg->shape = merged;
      avg->count_include_pad = true;
    } else {
      continue;
    }
    consumer.inputs[0] = source;
    g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(k));
    --k;
  }
  return checked(std::move(g));
}

Graph swap_maxpool_relu(Graph g) {
  for (std::size_t k = 0; k < g.nodes.size(); ++k) {
    if (!std::holds_alternative<op::Relu>(g.nodes[k].op) && !std::holds_alternative<op::Relu6>(g.nodes[k].op)) continue;
    const int next = sole_consumer(g, g.nodes[k].output);
    if (next < 0 || !std::holds_alternative<op::MaxPool>(g.nodes[static_cast<std::size_t>(next)].op)) continue;
    Node& relu = g.nodes[k];
    Node& pool = g.nodes[static_cast<std::size_t>(next)];
    const TensorId x = relu.inputs[0], middle = relu.output, y = pool.output;
    g.tensors[static_cast<std::size_t>(middle)].shape = g.tensors[static_cast<std::size_t>(y)].shape;
    std::swap(relu, pool);  // position k now holds the pool, position next the relu
    g.nodes[k].inputs = {x};
    g.nodes[k].output = middle;
    g.nodes[static_cast<std::size_t>(next)].inputs = {middle};
    g.nodes[static_cast<std::size_t>(next)].output = y;
  }
  return checked(std::move(g));
}

Graph optimize(Graph g) {
  g = drop_inference_noops(std::move(g));
  g = fold_batch_norm(std::move(g));
  g = batch_norm_to_affine(std::move(g));
  g = fold_bias_add(std::move(g));
  g = fold_pad(std::move(g));
  return swap_maxpool_relu(std::move(g));
}

}  // namespace twain::model
