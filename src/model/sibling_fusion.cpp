#include "model/sibling_fusion.hpp"

#include <optional>

namespace twain::model {
namespace {

std::vector<int> consumers(const Graph& g, TensorId id) {
  std::vector<int> users;
  for (std::size_t n = 0; n < g.nodes.size(); ++n)
    for (TensorId in : g.nodes[n].inputs)
      if (in == id) users.push_back(static_cast<int>(n));
  return users;
}

// The node that writes `id` and is its only reader's producer, if it is a `Op` read only once.
template <class Op>
std::optional<int> single_use_producer(const Graph& g, TensorId id) {
  for (std::size_t n = 0; n < g.nodes.size(); ++n)
    if (g.nodes[n].output == id && std::holds_alternative<Op>(g.nodes[n].op) && consumers(g, id).size() == 1)
      return static_cast<int>(n);
  return std::nullopt;
}

// `small` embedded in `large`'s window: the row/column offset, or nullopt when it does not fit.
std::optional<std::pair<int, int>> embedding(const core::Conv2dGeometry& small, const core::Conv2dGeometry& large) {
  const int dy = large.pad_top - small.pad_top, dx = large.pad_left - small.pad_left;
  if (dy < 0 || dx < 0 || dy + small.kernel_h > large.kernel_h || dx + small.kernel_w > large.kernel_w)
    return std::nullopt;
  if (small.stride_h != large.stride_h || small.stride_w != large.stride_w || small.groups != 1 ||
      large.groups != 1 || small.output_height() != large.output_height() ||
      small.output_width() != large.output_width())
    return std::nullopt;
  return std::pair{dy, dx};
}

// [first; second] as one convolution with the larger window.
op::Conv fuse(const op::Conv& first, const op::Conv& second, bool first_is_small, std::pair<int, int> offset) {
  const op::Conv& large = first_is_small ? second : first;
  op::Conv fused;
  fused.shape = large.shape;
  fused.shape.out_channels = first.shape.out_channels + second.shape.out_channels;
  const core::Conv2dGeometry& g = fused.shape;
  const std::size_t kernel = static_cast<std::size_t>(g.in_channels) * g.kernel_h * g.kernel_w;
  fused.weights.assign(kernel * static_cast<std::size_t>(g.out_channels), 0.0f);
  std::size_t out = 0;
  for (const op::Conv* part : {&first, &second}) {
    const bool small = (part == &first) == first_is_small;
    const int dy = small ? offset.first : 0, dx = small ? offset.second : 0;
    const core::Conv2dGeometry& p = part->shape;
    for (int o = 0; o < p.out_channels; ++o, ++out)
      for (int c = 0; c < p.in_channels; ++c)
        for (int i = 0; i < p.kernel_h; ++i)
          for (int j = 0; j < p.kernel_w; ++j)
            fused.weights[out * kernel + (static_cast<std::size_t>(c) * g.kernel_h + i + dy) * g.kernel_w + j + dx] =
                part->weights[((static_cast<std::size_t>(o) * p.in_channels + c) * p.kernel_h + i) * p.kernel_w + j];
    for (int o = 0; o < p.out_channels; ++o)
      fused.bias.push_back(part->bias.empty() ? 0.0f : part->bias[static_cast<std::size_t>(o)]);
  }
  return fused;
}

// Fuses the pair under Concat node `concat`; false when the pattern does not match.
bool fuse_at(Graph& g, std::size_t concat) {
  const Node& cat = g.nodes[concat];
  if (!std::holds_alternative<op::Concat>(cat.op) || cat.inputs.size() != 2) return false;
  const auto relu_a = single_use_producer<op::Relu>(g, cat.inputs[0]);
  const auto relu_b = single_use_producer<op::Relu>(g, cat.inputs[1]);
  if (!relu_a || !relu_b) return false;
  const auto conv_a = single_use_producer<op::Conv>(g, g.nodes[*relu_a].inputs[0]);
  const auto conv_b = single_use_producer<op::Conv>(g, g.nodes[*relu_b].inputs[0]);
  if (!conv_a || !conv_b || g.nodes[*conv_a].inputs[0] != g.nodes[*conv_b].inputs[0]) return false;
  const auto& a = std::get<op::Conv>(g.nodes[*conv_a].op);
  const auto& b = std::get<op::Conv>(g.nodes[*conv_b].op);
  const bool a_small = a.shape.kernel_h * a.shape.kernel_w <= b.shape.kernel_h * b.shape.kernel_w;
  const auto offset = a_small ? embedding(a.shape, b.shape) : embedding(b.shape, a.shape);
  if (!offset) return false;
  // The fused convolution writes conv_a's tensor (reshaped to the joint channel count) and the
  // Relu writes the Concat's output; the other nodes go.
  const TensorId joint = g.nodes[*conv_a].output;
  g.tensors[static_cast<std::size_t>(joint)].shape[1] = a.shape.out_channels + b.shape.out_channels;
  g.tensors[static_cast<std::size_t>(joint)].name += "+fused";
  g.nodes[*conv_a].op = fuse(a, b, a_small, *offset);
  g.nodes[*conv_a].name += "+" + g.nodes[*conv_b].name;
  g.nodes[*relu_a].output = cat.output;
  const std::vector<std::size_t> dropped{static_cast<std::size_t>(*conv_b), static_cast<std::size_t>(*relu_b), concat};
  std::vector<Node> kept;
  for (std::size_t n = 0; n < g.nodes.size(); ++n)
    if (n != dropped[0] && n != dropped[1] && n != dropped[2]) kept.push_back(std::move(g.nodes[n]));
  // Still topological: the Relu now writes the Concat's output, and both fused nodes come before
  // the Concat's readers.
  g.nodes = std::move(kept);
  return true;
}

}  // namespace

Graph fuse_sibling_convolutions(Graph graph) {
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t n = 0; n < graph.nodes.size() && !changed; ++n) changed = fuse_at(graph, n);
  }
  graph.validate();
  return graph;
}

}  // namespace twain::model
