#include "model/graph.hpp"

#include <utility>

#include "core/errors.hpp"
#include "model/overloaded.hpp"

namespace twain::model {
namespace {

void require(bool condition, const std::string& message) { TWAIN_REQUIRE(condition, InvalidArgument, message); }

const Shape& single_input(const std::vector<Shape>& inputs, const char* op) {
  require(inputs.size() == 1, std::string(op) + " takes one input, not " + std::to_string(inputs.size()));
  const Shape& shape = inputs[0];
  element_count(shape);
  require(shape.size() >= 2 && shape[0] == 1,
          std::string(op) + " input " + to_string(shape) + " is not [1, C, ...] (batch 1, rank >= 2)");
  return shape;
}

const Shape& image_input(const std::vector<Shape>& inputs, const char* op) {
  const Shape& shape = single_input(inputs, op);
  require(shape.size() == 4, std::string(op) + " input " + to_string(shape) + " is not [1, C, H, W]");
  return shape;
}

void require_count(std::size_t count, int64_t expected, const char* op, const char* what) {
  require(static_cast<int64_t>(count) == expected, std::string(op) + " has " + std::to_string(count) + " " + what +
                                                       ", expected " + std::to_string(expected));
}

Shape pool_shape(const core::Pool2dGeometry& g, const std::vector<Shape>& inputs, const char* op) {
  const Shape& x = image_input(inputs, op);
  require(x[1] == g.channels && x[2] == g.height && x[3] == g.width,
          std::string(op) + " geometry " + g.describe() + " does not match its input " + to_string(x));
  g.validate();
  return {1, g.channels, g.output_height(), g.output_width()};
}

Shape channel_wise(const std::vector<Shape>& inputs, std::size_t channels, const char* op) {
  const Shape& x = single_input(inputs, op);
  require_count(channels, x[1], op, "per-channel parameters");
  return x;
}

}  // namespace

Shape infer_shape(const OpKind& kind, const std::vector<Shape>& inputs) {
  return std::visit(
      Overloaded{
          [&](const op::Conv& o) -> Shape {
            const Shape& x = image_input(inputs, "Conv");
            const core::Conv2dGeometry& g = o.shape;
            require(x[1] == g.in_channels && x[2] == g.height && x[3] == g.width,
                    "Conv geometry " + g.describe() + " does not match its input " + to_string(x));
            g.validate();
            require_count(o.weights.size(), g.weight_count(), "Conv", "weights");
            if (!o.bias.empty()) require_count(o.bias.size(), g.out_channels, "Conv", "biases");
            Shape out{1, g.out_channels, g.output_height(), g.output_width()};
            element_count(out);
            return out;
          },
          [&](const op::Gemm& o) -> Shape {
            const Shape& x = single_input(inputs, "Gemm");
            require(o.in_features >= 1 && o.out_features >= 1 && o.out_features <= kMaxTensorElements,
                    "Gemm feature counts must be positive");
            require_count(static_cast<std::size_t>(element_count(x)), o.in_features, "Gemm", "input elements");
            require_count(o.weights.size(), int64_t{o.in_features} * o.out_features, "Gemm", "weights");
            if (!o.bias.empty()) require_count(o.bias.size(), o.out_features, "Gemm", "biases");
            return {1, o.out_features};
          },
          [&](const op::BatchNorm& o) -> Shape {
            require(o.beta.size() == o.gamma.size() && o.mean.size() == o.gamma.size() &&
                        o.var.size() == o.gamma.size(),
                    "BatchNorm parameter vectors differ in length");
            return channel_wise(inputs, o.gamma.size(), "BatchNorm");
          },
          [&](const op::ChannelAffine& o) -> Shape {
            require(o.shift.size() == o.scale.size(), "ChannelAffine scale and shift differ in length");
            return channel_wise(inputs, o.scale.size(), "ChannelAffine");
          },
          [&](const op::Relu&) -> Shape { return single_input(inputs, "Relu"); },
          [&](const op::Relu6&) -> Shape { return single_input(inputs, "Relu6"); },
          [&](const op::Identity&) -> Shape { return single_input(inputs, "Identity"); },
          [&](const op::Softmax&) -> Shape { return single_input(inputs, "Softmax"); },
          [&](const op::LogSoftmax&) -> Shape { return single_input(inputs, "LogSoftmax"); },
          [&](const op::MaxPool& o) -> Shape { return pool_shape(o.shape, inputs, "MaxPool"); },
          [&](const op::AvgPool& o) -> Shape { return pool_shape(o.shape, inputs, "AvgPool"); },
          [&](const op::GlobalAvgPool&) -> Shape {
            const Shape& x = image_input(inputs, "GlobalAvgPool");
            return {1, x[1], 1, 1};
          },
          [&](const op::Add&) -> Shape {
            require(inputs.size() == 2, "Add takes two inputs, not " + std::to_string(inputs.size()));
            require(inputs[0] == inputs[1],
                    "Add inputs differ in shape: " + to_string(inputs[0]) + " and " + to_string(inputs[1]));
            return single_input({inputs[0]}, "Add");
          },
          [&](const op::AddConstant& o) -> Shape {
            const Shape& x = single_input(inputs, "AddConstant");
            require_count(o.values.size(), element_count(x), "AddConstant", "values");
            return x;
          },
          [&](const op::Concat&) -> Shape {
            require(!inputs.empty(), "Concat has no input");
            Shape out = single_input({inputs[0]}, "Concat");
            for (std::size_t k = 1; k < inputs.size(); ++k) {
              const Shape x = single_input({inputs[k]}, "Concat");
              Shape a = out, b = x;
              a[1] = b[1] = 1;
              require(a == b, "Concat inputs " + to_string(out) + " and " + to_string(x) +
                                  " differ outside the channel axis");
              out[1] += x[1];
              element_count(out);
            }
            return out;
          },
          [&](const op::Reshape& o) -> Shape {
            const Shape& x = single_input(inputs, "Reshape");
            require(o.shape.size() >= 2 && o.shape[0] == 1, "Reshape target " + to_string(o.shape) +
                                                                 " is not [1, ...] (batch 1, rank >= 2)");
            require(element_count(o.shape) == element_count(x),
                    "Reshape from " + to_string(x) + " to " + to_string(o.shape) + " changes the element count");
            return o.shape;
          },
          [&](const op::Pad& o) -> Shape {
            const Shape& x = image_input(inputs, "Pad");
            require(o.pad_top >= 0 && o.pad_left >= 0 && o.pad_bottom >= 0 && o.pad_right >= 0 &&
                        o.pad_top <= core::kMaxExtent && o.pad_left <= core::kMaxExtent && o.pad_bottom <= core::kMaxExtent &&
                        o.pad_right <= core::kMaxExtent,
                    "Pad amounts must lie in [0, " + std::to_string(core::kMaxExtent) + "]");
            Shape out{1, x[1], x[2] + o.pad_top + o.pad_bottom, x[3] + o.pad_left + o.pad_right};
            element_count(out);
            return out;
          },
      },
      kind);
}

std::string op_name(const OpKind& kind) {
  static const char* const names[] = {"Conv",    "Gemm",          "BatchNorm", "ChannelAffine", "Relu",
                                      "Relu6",   "MaxPool",       "AvgPool",   "GlobalAvgPool", "Add",
                                      "AddConstant", "Concat",    "Reshape",   "Pad",           "Identity",
                                      "Softmax", "LogSoftmax"};
  static_assert(std::size(names) == std::variant_size_v<OpKind>);
  return names[kind.index()];
}

TensorId Graph::add_tensor(std::string name, Shape shape) {
  tensors.push_back({std::move(name), std::move(shape)});
  return static_cast<TensorId>(tensors.size() - 1);
}

std::string Graph::describe(const Node& node) {
  return "node " + std::to_string(node.index) + " '" + node.name + "' (" + node.op_type + ")";
}

void Graph::validate() const {
  const auto count = static_cast<TensorId>(tensors.size());
  require(input >= 0 && input < count && output >= 0 && output < count, "graph input or output id out of range");
  std::vector<bool> defined(tensors.size(), false);
  defined[static_cast<std::size_t>(input)] = true;
  element_count(tensors[static_cast<std::size_t>(input)].shape);
  for (const Node& node : nodes) {
    std::vector<Shape> shapes;
    for (TensorId id : node.inputs) {
      require(id >= 0 && id < count && defined[static_cast<std::size_t>(id)],
              describe(node) + " reads a tensor that is not computed before it");
      shapes.push_back(tensors[static_cast<std::size_t>(id)].shape);
    }
    require(node.output >= 0 && node.output < count && !defined[static_cast<std::size_t>(node.output)],
            describe(node) + " writes an invalid or already computed tensor");
    Shape expected;
    try {
      expected = infer_shape(node.op, shapes);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(describe(node) + ": " + e.what());
    }
    require(expected == tensors[static_cast<std::size_t>(node.output)].shape,
            describe(node) + " output shape " + to_string(tensors[static_cast<std::size_t>(node.output)].shape) +
                " differs from the inferred " + to_string(expected));
    defined[static_cast<std::size_t>(node.output)] = true;
  }
  require(defined[static_cast<std::size_t>(output)], "the graph output is never computed");
}

}  // namespace twain::model
