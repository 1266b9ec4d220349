#include "model/quantize.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>

#include "core/errors.hpp"
#include "model/overloaded.hpp"
#include "model/passes.hpp"
#include "model/ring.hpp"

namespace twain::model {
namespace {


class Lowering {
 public:
  Lowering(const Graph& g, int ring_bits, int frac_bits, int weight_bits)
      : g_(g), f_(frac_bits), weight_bits_(weight_bits) {
    q_.ring_bits = ring_bits;
    q_.frac_bits = frac_bits;
    limit_ = std::ldexp(1.0, ring_bits - 1);
  }

  QuantizedGraph run() {
    const Tensor& in = g_.tensors[static_cast<std::size_t>(g_.input)];
    q_.input = add_tensor(in.name, in.shape, f_, false);
    ids_[g_.input] = q_.input;
    for (const Node& node : g_.nodes) lower(node);
    q_.output = at_scale_f(ids_.at(g_.output));
    fuse_relu_truncate();
    q_.validate();
    return std::move(q_);
  }

 private:
  TensorId add_tensor(std::string name, Shape shape, int scale, bool nonnegative) {
    q_.tensors.push_back({std::move(name), std::move(shape), scale});
    nonnegative_.push_back(nonnegative);
    return static_cast<TensorId>(q_.tensors.size() - 1);
  }

  const QTensor& tensor(TensorId id) const { return q_.tensors[static_cast<std::size_t>(id)]; }
  bool nonnegative(TensorId id) const { return nonnegative_[static_cast<std::size_t>(id)]; }

  TensorId emit(std::string name, std::vector<TensorId> inputs, QOpKind op, std::string out_name, Shape shape,
                int scale, bool nonneg) {
    const TensorId out = add_tensor(std::move(out_name), std::move(shape), scale, nonneg);
    q_.ops.push_back({std::move(name), std::move(inputs), out, std::move(op)});
    return out;
  }

  // The tensor at scale f: itself, or its (cached) truncation.
  TensorId at_scale_f(TensorId id) {
    if (tensor(id).scale_bits == f_) return id;
    const auto cached = truncated_.find(id);
    if (cached != truncated_.end()) return cached->second;
    const QTensor t = tensor(id);
    const TensorId out = emit(t.name + "/truncate", {id}, qop::Truncate{t.scale_bits - f_, nonnegative(id)},
                              t.name + "/truncated", t.shape, f_, nonnegative(id));
    truncated_[id] = out;
    return out;
  }

  // The policy's bound, after checking every value against it.
  uint64_t policy_bound(const std::vector<int64_t>& values, const Node& node, const char* what) const {
    const int64_t bound = int64_t{1} << weight_bits_;
    for (int64_t v : values)
      TWAIN_REQUIRE(v >= -bound && v <= bound, PolicyError,
                    Graph::describe(node) + ": a " + what + " of " + std::to_string(std::ldexp(static_cast<double>(v), -f_)) +
                        " (" + std::to_string(v) + " at scale 2^" + std::to_string(f_) +
                        ") exceeds the public weight bound 2^" + std::to_string(weight_bits_) + " (|w| <= " +
                        std::to_string(std::ldexp(1.0, weight_bits_ - f_)) + "); raise it with --weight-bits " +
                        std::to_string(std::bit_width(static_cast<uint64_t>(v < 0 ? -v : v) - 1)));
    return static_cast<uint64_t>(bound);
  }

  int64_t fixed(double x, int bits, const Node& node, const char* what) const {
    const int64_t v = quantize_value(x, bits);
    TWAIN_REQUIRE(std::fabs(static_cast<double>(v)) < limit_, CapacityError,
                  Graph::describe(node) + ": a " + what + " is too large for the ring (" + std::to_string(x) + ")");
    return v;
  }

  std::vector<int64_t> fixed_all(const std::vector<float>& xs, std::size_t count, int bits, const Node& node,
                                 const char* what) const {
    std::vector<int64_t> out(count, 0);
    for (std::size_t k = 0; k < xs.size(); ++k) out[k] = fixed(xs[k], bits, node, what);
    return out;
  }

  void lower(const Node& node) {
    const TensorId x = ids_.at(node.inputs[0]);
    const Tensor& out = g_.tensors[static_cast<std::size_t>(node.output)];
    const int s = tensor(x).scale_bits;
    const bool pos = nonnegative(x);
    TensorId result = std::visit(
        Overloaded{
            [&](const op::Conv& o) {
              qop::Conv2d c{o.shape, fixed_all(o.weights, o.weights.size(), f_, node, "weight"),
                            fixed_all(o.bias, static_cast<std::size_t>(o.shape.out_channels), 2 * f_, node, "bias"), 1};
              c.weight_bound = policy_bound(c.weights, node, "weight");
              return emit(node.name, {at_scale_f(x)}, std::move(c), out.name, out.shape, 2 * f_, false);
            },
            [&](const op::Gemm& o) {
              qop::Gemm c{o.in_features, o.out_features, fixed_all(o.weights, o.weights.size(), f_, node, "weight"),
                          fixed_all(o.bias, static_cast<std::size_t>(o.out_features), 2 * f_, node, "bias"), 1};
              c.weight_bound = policy_bound(c.weights, node, "weight");
              return emit(node.name, {at_scale_f(x)}, std::move(c), out.name, out.shape, 2 * f_, false);
            },
            [&](const op::ChannelAffine& o) {
              qop::ChannelAffine c{static_cast<int>(o.scale.size()), fixed_all(o.scale, o.scale.size(), f_, node, "scale"),
                                   fixed_all(o.shift, o.shift.size(), 2 * f_, node, "shift"), 1};
              c.scale_bound = policy_bound(c.scale, node, "BatchNorm scale");
              return emit(node.name, {at_scale_f(x)}, std::move(c), out.name, out.shape, 2 * f_, false);
            },
            [&](const op::Relu&) { return emit(node.name, {x}, qop::Relu{}, out.name, out.shape, s, true); },
            [&](const op::Relu6&) {
              return emit(node.name, {x}, qop::Relu6{int64_t{6} << s}, out.name, out.shape, s, true);
            },
            [&](const op::MaxPool& o) { return emit(node.name, {x}, qop::MaxPool{o.shape}, out.name, out.shape, s, pos); },
            [&](const op::AvgPool& o) {
              const core::Pool2dGeometry& g = o.shape;
              const TensorId xf = at_scale_f(x);
              const TensorId sum = emit(node.name + "/sum", {xf}, qop::SumPool{g}, out.name + "/sum", out.shape, f_, pos);
              std::vector<int64_t> divisors;
              for (int oh = 0; oh < g.output_height(); ++oh)
                for (int ow = 0; ow < g.output_width(); ++ow)
                  divisors.push_back(o.count_include_pad ? g.padded_window_size(oh, ow)
                                                         : int64_t{g.row_end(oh) - g.row_begin(oh)} *
                                                               (g.col_end(ow) - g.col_begin(ow)));
              if (std::all_of(divisors.begin(), divisors.end(), [&](int64_t d) { return d == divisors[0]; }))
                divisors.resize(1);
              return emit(node.name, {sum}, qop::DivideFloor{std::move(divisors)}, out.name, out.shape, f_, pos);
            },
            [&](const op::GlobalAvgPool&) {
              const Shape in = tensor(x).shape;
              core::Pool2dGeometry g{static_cast<int>(in[1]), static_cast<int>(in[2]), static_cast<int>(in[3]),
                               static_cast<int>(in[2]), static_cast<int>(in[3])};
              const TensorId sum =
                  emit(node.name + "/sum", {at_scale_f(x)}, qop::SumPool{g}, out.name + "/sum", out.shape, f_, pos);
              return emit(node.name, {sum}, qop::DivideFloor{{in[2] * in[3]}}, out.name, out.shape, f_, pos);
            },
            [&](const op::Add&) {
              TensorId a = x, b = ids_.at(node.inputs[1]);
              if (tensor(a).scale_bits != tensor(b).scale_bits) {
                a = at_scale_f(a);
                b = at_scale_f(b);
              }
              return emit(node.name, {a, b}, qop::Add{}, out.name, out.shape, tensor(a).scale_bits,
                          nonnegative(a) && nonnegative(b));
            },
            [&](const op::AddConstant& o) {
              return emit(node.name, {x}, qop::AddConstant{fixed_all(o.values, o.values.size(), s, node, "constant")},
                          out.name, out.shape, s, false);
            },
            [&](const op::Concat&) {
              std::vector<TensorId> parts;
              bool mixed = false, all_pos = true;
              for (TensorId in : node.inputs) {
                parts.push_back(ids_.at(in));
                mixed = mixed || tensor(parts.back()).scale_bits != s;
              }
              for (TensorId& p : parts) {
                if (mixed) p = at_scale_f(p);
                all_pos = all_pos && nonnegative(p);
              }
              return emit(node.name, parts, qop::Concat{}, out.name, out.shape, tensor(parts[0]).scale_bits, all_pos);
            },
            [&](const op::Reshape&) { return emit(node.name, {x}, qop::Reshape{}, out.name, out.shape, s, pos); },
            [&](const op::Pad& o) {
              const int64_t value = fixed(o.value, s, node, "pad value");
              return emit(node.name, {x}, qop::Pad{o.pad_top, o.pad_left, o.pad_bottom, o.pad_right, value}, out.name,
                          out.shape, s, pos && value >= 0);
            },
            [&](const auto&) -> TensorId {
              throw InvalidArgument(Graph::describe(node) + ": " + op_name(node.op) +
                                    " cannot be quantised (optimize() removes or rewrites it)");
            },
        },
        node.op);
    ids_[node.output] = result;
  }

  // Relu (x -> r) followed by the only reader of r, Truncate (r -> t), becomes ReluTruncate (x -> t).
  void fuse_relu_truncate() {
    for (std::size_t k = 0; k + 1 < q_.ops.size(); ++k) {
      if (!std::holds_alternative<qop::Relu>(q_.ops[k].op)) continue;
      const TensorId r = q_.ops[k].output;
      if (r == q_.output) continue;
      int readers = 0;
      std::size_t reader = 0;
      for (std::size_t j = 0; j < q_.ops.size(); ++j)
        for (TensorId in : q_.ops[j].inputs)
          if (in == r) ++readers, reader = j;
      const auto* trunc = readers == 1 ? std::get_if<qop::Truncate>(&q_.ops[reader].op) : nullptr;
      if (!trunc) continue;
      q_.ops[reader].op = qop::ReluTruncate{trunc->shift};
      q_.ops[reader].inputs = q_.ops[k].inputs;
      q_.ops[reader].name = q_.ops[k].name + "/truncate";
      q_.ops.erase(q_.ops.begin() + static_cast<std::ptrdiff_t>(k));
      --k;
    }
  }

  const Graph& g_;
  int f_;
  int weight_bits_;
  double limit_ = 0;
  QuantizedGraph q_;
  std::vector<bool> nonnegative_;
  std::map<TensorId, TensorId> ids_;        // float tensor -> quantised tensor
  std::map<TensorId, TensorId> truncated_;  // quantised tensor at 2f -> its truncation
};

}  // namespace

int64_t quantize_value(double x, int bits) {
  const double scaled = std::round(std::ldexp(x, bits));
  TWAIN_REQUIRE(std::fabs(scaled) < 0x1p62, CapacityError,
                "fixed-point value of " + std::to_string(x) + " at scale 2^" + std::to_string(bits) + " is out of range");
  return static_cast<int64_t>(scaled);
}

QuantizedGraph quantize(const Graph& graph, int ring_bits, int frac_bits, std::optional<int> weight_bits) {
  TWAIN_REQUIRE(ring_bits >= 16 && ring_bits <= 64, InvalidArgument,
                "quantize: ring_bits = " + std::to_string(ring_bits) + " is outside [16, 64]");
  TWAIN_REQUIRE(frac_bits >= 1 && 2 * frac_bits < ring_bits, InvalidArgument,
                "quantize: frac_bits = " + std::to_string(frac_bits) + " is outside [1, (l - 1) / 2]");
  const int bits = weight_bits.value_or(frac_bits + kWeightHeadroomBits);
  TWAIN_REQUIRE(bits >= 0 && bits <= kMaxWeightBits && bits < ring_bits - 1, InvalidArgument,
                "quantize: weight_bits = " + std::to_string(bits) + " is outside [0, " +
                    std::to_string(std::min(kMaxWeightBits, ring_bits - 2)) + "]");
  const Graph optimized = optimize(graph);
  return Lowering(optimized, ring_bits, frac_bits, bits).run();
}

std::vector<uint64_t> quantize_input(const QuantizedGraph& graph, std::span<const float> input) {
  const int64_t expected = element_count(graph.tensors[static_cast<std::size_t>(graph.input)].shape);
  TWAIN_REQUIRE(static_cast<int64_t>(input.size()) == expected, InvalidArgument,
                "quantize_input: " + std::to_string(input.size()) + " values, the graph expects " +
                    std::to_string(expected));
  const double limit = std::ldexp(1.0, graph.ring_bits - 1);
  std::vector<uint64_t> out(input.size());
  for (std::size_t k = 0; k < input.size(); ++k) {
    const int64_t v = quantize_value(input[k], graph.frac_bits);
    TWAIN_REQUIRE(std::fabs(static_cast<double>(v)) < limit, CapacityError,
                  "quantize_input: value " + std::to_string(input[k]) + " at index " + std::to_string(k) +
                      " does not fit the ring");
    out[k] = to_ring(v, graph.ring_bits);
  }
  return out;
}

std::vector<double> dequantize(std::span<const uint64_t> values, int ring_bits, int scale_bits) {
  std::vector<double> out(values.size());
  for (std::size_t k = 0; k < values.size(); ++k)
    out[k] = std::ldexp(static_cast<double>(to_signed(values[k], ring_bits)), -scale_bits);
  return out;
}

}  // namespace twain::model
