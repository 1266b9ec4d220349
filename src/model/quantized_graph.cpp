#include "model/quantized_graph.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>

#include "core/errors.hpp"
#include "model/overloaded.hpp"

namespace twain::model {
namespace {

struct Checker {
  const QuantizedGraph& graph;
  const QOp& op;
  bool with_parameters;
  std::vector<const QTensor*> in;

  void require(bool condition, const std::string& message) const {
    TWAIN_REQUIRE(condition, InvalidArgument, "quantised op '" + op.name + "' (" + op_name(op.op) + "): " + message);
  }
  void inputs(std::size_t count) const {
    require(in.size() == count, "takes " + std::to_string(count) + " inputs, has " + std::to_string(in.size()));
  }
  void scale(const QTensor& t, int bits) const {
    require(t.scale_bits == bits, "tensor '" + t.name + "' has scale " + std::to_string(t.scale_bits) +
                                      ", expected " + std::to_string(bits));
  }
  void bound(const std::vector<int64_t>& values, uint64_t bound_value, const char* what) const {
    require(std::has_single_bit(bound_value) && bound_value < (uint64_t{1} << 62),
            std::string(what) + " bound is not a power of two below 2^62");
    // The message is built only for a value out of bounds: a model has millions of weights.
    const auto inside = [&](int64_t v) {
      return v > -static_cast<int64_t>(bound_value) - 1 && static_cast<uint64_t>(std::llabs(v)) <= bound_value;
    };
    if (!std::all_of(values.begin(), values.end(), inside))
      require(false, std::string("a ") + what + " exceeds its bound " + std::to_string(bound_value));
  }
  // The count of a server-only parameter vector (weights, biases, ...), empty in a public description.
  void parameters(std::size_t have, int64_t expected, const char* what) const {
    if (with_parameters) count(have, expected, what);
  }
  void count(std::size_t have, int64_t expected, const char* what) const {
    require(static_cast<int64_t>(have) == expected,
            "has " + std::to_string(have) + " " + what + ", expected " + std::to_string(expected));
  }
  void image(const QTensor& t, int64_t c, int64_t h, int64_t w) const {
    require(t.shape == Shape{1, c, h, w}, "tensor '" + t.name + "' has shape " + to_string(t.shape) + ", expected " +
                                              to_string(Shape{1, c, h, w}));
  }
  void same(const QTensor& out, const QTensor& x, int bits) const {
    require(out.shape == x.shape, "output shape " + to_string(out.shape) + " differs from input " + to_string(x.shape));
    scale(out, bits);
  }
};

}  // namespace

std::string op_name(const QOpKind& op) {
  static const char* const names[] = {"Conv2d",  "Gemm",        "ChannelAffine", "Truncate", "Relu",
                                      "Relu6",   "ReluTruncate", "MaxPool",      "SumPool",  "DivideFloor",
                                      "Add",     "AddConstant", "Concat",        "Reshape",  "Pad"};
  static_assert(std::size(names) == std::variant_size_v<QOpKind>);
  return names[op.index()];
}

std::string describe(const QuantizedGraph& graph, const QOp& op) {
  auto tensor = [&](TensorId id) {
    const QTensor& t = graph.tensors.at(static_cast<std::size_t>(id));
    return to_string(t.shape) + " (scale " + std::to_string(t.scale_bits) + ")";
  };
  std::string text = op.name + ": " + op_name(op.op) + " ";
  for (std::size_t k = 0; k < op.inputs.size(); ++k) text += (k > 0 ? ", " : "") + tensor(op.inputs[k]);
  return text + " -> " + tensor(op.output);
}

void QuantizedGraph::validate(Parameters parameters) const {
  TWAIN_REQUIRE(ring_bits >= 8 && ring_bits <= 64 && frac_bits >= 0 && 2 * frac_bits < ring_bits, InvalidArgument,
                "QuantizedGraph: ring_bits = " + std::to_string(ring_bits) + ", frac_bits = " +
                    std::to_string(frac_bits) + " are outside 8 <= l <= 64, 0 <= 2 f < l");
  const auto n = static_cast<TensorId>(tensors.size());
  TWAIN_REQUIRE(input >= 0 && input < n && output >= 0 && output < n, InvalidArgument,
                "QuantizedGraph: input or output id out of range");
  std::vector<bool> defined(tensors.size(), false);
  for (const QTensor& t : tensors) element_count(t.shape);
  defined[static_cast<std::size_t>(input)] = true;
  const int f = frac_bits;
  TWAIN_REQUIRE(tensors[static_cast<std::size_t>(input)].scale_bits == f, InvalidArgument,
                "QuantizedGraph: the input's scale is not frac_bits");
  for (const QOp& op : ops) {
    Checker c{*this, op, parameters == Parameters::kPresent, {}};
    for (TensorId id : op.inputs) {
      c.require(id >= 0 && id < n && defined[static_cast<std::size_t>(id)], "reads a tensor not computed before it");
      c.in.push_back(&tensors[static_cast<std::size_t>(id)]);
    }
    c.require(op.output >= 0 && op.output < n && !defined[static_cast<std::size_t>(op.output)],
              "writes an invalid or already computed tensor");
    const QTensor& out = tensors[static_cast<std::size_t>(op.output)];
    std::visit(
        Overloaded{
            [&](const qop::Conv2d& o) {
              c.inputs(1);
              o.shape.validate();
              c.image(*c.in[0], o.shape.in_channels, o.shape.height, o.shape.width);
              c.scale(*c.in[0], f);
              c.image(out, o.shape.out_channels, o.shape.output_height(), o.shape.output_width());
              c.scale(out, 2 * f);
              c.parameters(o.weights.size(), o.shape.weight_count(), "weights");
              c.parameters(o.bias.size(), o.shape.out_channels, "biases");
              c.bound(o.weights, o.weight_bound, "weight");
            },
            [&](const qop::Gemm& o) {
              c.inputs(1);
              c.require(o.in_features >= 1 && o.out_features >= 1, "feature counts must be positive");
              c.count(static_cast<std::size_t>(element_count(c.in[0]->shape)), o.in_features, "input elements");
              c.scale(*c.in[0], f);
              c.require(out.shape == Shape{1, o.out_features}, "output shape is not [1, out_features]");
              c.scale(out, 2 * f);
              c.parameters(o.weights.size(), int64_t{o.in_features} * o.out_features, "weights");
              c.parameters(o.bias.size(), o.out_features, "biases");
              c.bound(o.weights, o.weight_bound, "weight");
            },
            [&](const qop::ChannelAffine& o) {
              c.inputs(1);
              c.require(c.in[0]->shape.size() >= 2 && c.in[0]->shape[1] == o.channels, "channel count mismatch");
              c.scale(*c.in[0], f);
              c.same(out, *c.in[0], 2 * f);
              c.parameters(o.scale.size(), o.channels, "scales");
              c.parameters(o.shift.size(), o.channels, "shifts");
              c.bound(o.scale, o.scale_bound, "scale");
            },
            [&](const qop::Truncate& o) {
              c.inputs(1);
              c.require(o.shift >= 1 && o.shift <= c.in[0]->scale_bits, "shift outside [1, input scale]");
              c.same(out, *c.in[0], c.in[0]->scale_bits - o.shift);
            },
            [&](const qop::Relu&) {
              c.inputs(1);
              c.same(out, *c.in[0], c.in[0]->scale_bits);
            },
            [&](const qop::Relu6& o) {
              c.inputs(1);
              c.require(o.upper == int64_t{6} << c.in[0]->scale_bits, "upper is not 6 2^scale");
              c.same(out, *c.in[0], c.in[0]->scale_bits);
            },
            [&](const qop::ReluTruncate& o) {
              c.inputs(1);
              c.require(o.shift >= 1 && o.shift <= c.in[0]->scale_bits, "shift outside [1, input scale]");
              c.same(out, *c.in[0], c.in[0]->scale_bits - o.shift);
            },
            [&](const qop::MaxPool& o) {
              c.inputs(1);
              o.shape.validate();
              c.image(*c.in[0], o.shape.channels, o.shape.height, o.shape.width);
              c.image(out, o.shape.channels, o.shape.output_height(), o.shape.output_width());
              c.scale(out, c.in[0]->scale_bits);
            },
            [&](const qop::SumPool& o) {
              c.inputs(1);
              o.shape.validate();
              c.image(*c.in[0], o.shape.channels, o.shape.height, o.shape.width);
              c.image(out, o.shape.channels, o.shape.output_height(), o.shape.output_width());
              c.scale(out, c.in[0]->scale_bits);
            },
            [&](const qop::DivideFloor& o) {
              c.inputs(1);
              const Shape& x = c.in[0]->shape;
              c.require(o.divisors.size() == 1 || (x.size() == 4 && static_cast<int64_t>(o.divisors.size()) == x[2] * x[3]),
                        "needs one divisor or one per spatial position");
              for (int64_t d : o.divisors) c.require(d >= 1, "a divisor is below 1");
              c.same(out, *c.in[0], c.in[0]->scale_bits);
            },
            [&](const qop::Add&) {
              c.inputs(2);
              c.require(c.in[0]->shape == c.in[1]->shape, "inputs differ in shape");
              c.scale(*c.in[1], c.in[0]->scale_bits);
              c.same(out, *c.in[0], c.in[0]->scale_bits);
            },
            [&](const qop::AddConstant& o) {
              c.inputs(1);
              c.parameters(o.values.size(), element_count(c.in[0]->shape), "values");
              c.same(out, *c.in[0], c.in[0]->scale_bits);
            },
            [&](const qop::Concat&) {
              c.require(!c.in.empty(), "has no input");
              Shape expected = c.in[0]->shape;
              c.require(expected.size() >= 2, "inputs need a channel axis");
              for (std::size_t k = 1; k < c.in.size(); ++k) {
                Shape a = expected, b = c.in[k]->shape;
                c.require(a.size() == b.size(), "inputs differ in rank");
                a[1] = b[1] = 1;
                c.require(a == b, "inputs differ outside the channel axis");
                c.scale(*c.in[k], c.in[0]->scale_bits);
                expected[1] += c.in[k]->shape[1];
              }
              c.require(out.shape == expected, "output shape is not the channel concatenation");
              c.scale(out, c.in[0]->scale_bits);
            },
            [&](const qop::Reshape&) {
              c.inputs(1);
              c.require(element_count(out.shape) == element_count(c.in[0]->shape), "changes the element count");
              c.scale(out, c.in[0]->scale_bits);
            },
            [&](const qop::Pad& o) {
              c.inputs(1);
              const Shape& x = c.in[0]->shape;
              c.require(x.size() == 4, "input is not [1, C, H, W]");
              c.require(o.pad_top >= 0 && o.pad_left >= 0 && o.pad_bottom >= 0 && o.pad_right >= 0, "negative pad");
              c.image(out, x[1], x[2] + o.pad_top + o.pad_bottom, x[3] + o.pad_left + o.pad_right);
              c.scale(out, c.in[0]->scale_bits);
            },
        },
        op.op);
    defined[static_cast<std::size_t>(op.output)] = true;
  }
  TWAIN_REQUIRE(defined[static_cast<std::size_t>(output)], InvalidArgument,
                "QuantizedGraph: the output is never computed");
  TWAIN_REQUIRE(tensors[static_cast<std::size_t>(output)].scale_bits == f, InvalidArgument,
                "QuantizedGraph: the output's scale is not frac_bits");
}

}  // namespace twain::model
