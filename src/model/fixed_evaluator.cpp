#include "model/fixed_evaluator.hpp"

#include <algorithm>
#include <limits>

#include "core/errors.hpp"
#include "model/overloaded.hpp"
#include "model/ring.hpp"

namespace twain::model {
namespace {

using Values = std::vector<uint64_t>;

// Floor division of a signed value by d >= 1.
int64_t floor_divide(int64_t a, int64_t d) {
  int64_t q = a / d;
  if (a % d != 0 && a < 0) --q;
  return q;
}

class Evaluator {
 public:
  explicit Evaluator(const QuantizedGraph& g) : g_(g), l_(g.ring_bits), mask_(ring_mask(g.ring_bits)) {}

  Values run(const QOp& op, const std::vector<Values>& values) const {
    const Values& x = values[static_cast<std::size_t>(op.inputs[0])];
    const Shape& in_shape = g_.tensors[static_cast<std::size_t>(op.inputs[0])].shape;
    return std::visit(
        Overloaded{
            [&](const qop::Conv2d& o) { return conv(o, x); },
            [&](const qop::Gemm& o) {
              Values y(static_cast<std::size_t>(o.out_features));
              const auto in = static_cast<std::size_t>(o.in_features);
              for (std::size_t r = 0; r < y.size(); ++r) {
                uint64_t acc = static_cast<uint64_t>(o.bias[r]);
                for (std::size_t i = 0; i < in; ++i) acc += static_cast<uint64_t>(o.weights[r * in + i]) * x[i];
                y[r] = acc & mask_;
              }
              return y;
            },
            [&](const qop::ChannelAffine& o) {
              Values y(x.size());
              const std::size_t inner = x.size() / static_cast<std::size_t>(o.channels);
              for (std::size_t c = 0; c < static_cast<std::size_t>(o.channels); ++c)
                for (std::size_t p = 0; p < inner; ++p)
                  y[c * inner + p] =
                      (static_cast<uint64_t>(o.scale[c]) * x[c * inner + p] + static_cast<uint64_t>(o.shift[c])) & mask_;
              return y;
            },
            [&](const qop::Truncate& o) {
              return map(x, [&](int64_t v) { return v >> o.shift; });
            },
            [&](const qop::Relu&) {
              return map(x, [](int64_t v) { return v > 0 ? v : 0; });
            },
            [&](const qop::Relu6& o) {
              return map(x, [&](int64_t v) { return std::clamp<int64_t>(v, 0, o.upper); });
            },
            [&](const qop::ReluTruncate& o) {
              return map(x, [&](int64_t v) { return v > 0 ? v >> o.shift : 0; });
            },
            [&](const qop::MaxPool& o) {
              return pool(o.shape, x, true);
            },
            [&](const qop::SumPool& o) {
              return pool(o.shape, x, false);
            },
            [&](const qop::DivideFloor& o) {
              Values y(x.size());
              const std::size_t spatial = o.divisors.size();
              for (std::size_t k = 0; k < x.size(); ++k)
                y[k] = to_ring(floor_divide(to_signed(x[k], l_), o.divisors[k % spatial]), l_);
              return y;
            },
            [&](const qop::Add&) {
              const Values& b = values[static_cast<std::size_t>(op.inputs[1])];
              Values y(x.size());
              for (std::size_t k = 0; k < y.size(); ++k) y[k] = (x[k] + b[k]) & mask_;
              return y;
            },
            [&](const qop::AddConstant& o) {
              Values y(x.size());
              for (std::size_t k = 0; k < y.size(); ++k) y[k] = (x[k] + static_cast<uint64_t>(o.values[k])) & mask_;
              return y;
            },
            [&](const qop::Concat&) {
              Values y;
              for (TensorId id : op.inputs) {
                const Values& part = values[static_cast<std::size_t>(id)];
                y.insert(y.end(), part.begin(), part.end());
              }
              return y;
            },
            [&](const qop::Reshape&) { return x; },
            [&](const qop::Pad& o) {
              const int64_t channels = in_shape[1], h = in_shape[2], w = in_shape[3];
              const int64_t oh = h + o.pad_top + o.pad_bottom, ow = w + o.pad_left + o.pad_right;
              Values y(static_cast<std::size_t>(channels * oh * ow), to_ring(o.value, l_));
              for (int64_t c = 0; c < channels; ++c)
                for (int64_t i = 0; i < h; ++i)
                  std::copy_n(x.begin() + (c * h + i) * w, w, y.begin() + (c * oh + i + o.pad_top) * ow + o.pad_left);
              return y;
            },
        },
        op.op);
  }

 private:
  // y = to_ring(f(s(x))) elementwise.
  template <class F>
  Values map(const Values& x, F f) const {
    Values y(x.size());
    for (std::size_t k = 0; k < x.size(); ++k) y[k] = to_ring(f(to_signed(x[k], l_)), l_);
    return y;
  }

  // Output planes accumulated weight by weight: for each (input channel, kh, kw) the rows of the
  // input that the kernel tap reaches are added, scaled, to the output rows (wrapping mod 2^64).
  Values conv(const qop::Conv2d& o, const Values& x) const {
    const core::Conv2dGeometry& g = o.shape;
    const int oh_n = g.output_height(), ow_n = g.output_width();
    const int ipg = g.in_channels_per_group(), opg = g.out_channels_per_group();
    const std::size_t plane = static_cast<std::size_t>(oh_n) * ow_n;
    Values y(static_cast<std::size_t>(g.out_channels) * plane);
    for (int oc = 0; oc < g.out_channels; ++oc) {
      uint64_t* out = y.data() + static_cast<std::size_t>(oc) * plane;
      std::fill(out, out + plane, static_cast<uint64_t>(o.bias[static_cast<std::size_t>(oc)]));
      const int first_in = (oc / opg) * ipg;
      for (int c = 0; c < ipg; ++c) {
        const uint64_t* in = x.data() + static_cast<std::size_t>(first_in + c) * g.height * g.width;
        for (int kh = 0; kh < g.kernel_h; ++kh) {
          for (int kw = 0; kw < g.kernel_w; ++kw) {
            const uint64_t w = static_cast<uint64_t>(
                o.weights[((static_cast<std::size_t>(oc) * ipg + c) * g.kernel_h + kh) * g.kernel_w + kw]);
            const auto [ow_begin, ow_end] = g.tap_columns(kw);
            for (int oh = 0; oh < oh_n; ++oh) {
              const int ih = oh * g.stride_h - g.pad_top + kh;
              if (ih < 0 || ih >= g.height) continue;
              const std::ptrdiff_t row = static_cast<std::ptrdiff_t>(ih) * g.width - g.pad_left + kw;
              uint64_t* out_row = out + static_cast<std::size_t>(oh) * ow_n;
              for (int ow = ow_begin; ow < ow_end; ++ow) out_row[ow] += w * in[row + ow * g.stride_w];
            }
          }
        }
      }
      for (std::size_t k = 0; k < plane; ++k) out[k] &= mask_;
    }
    return y;
  }

  // The signed maximum or the ring sum of each window.
  Values pool(const core::Pool2dGeometry& g, const Values& x, bool is_max) const {
    const int oh_n = g.output_height(), ow_n = g.output_width();
    Values y(static_cast<std::size_t>(g.channels) * oh_n * ow_n);
    for (int c = 0; c < g.channels; ++c) {
      for (int oh = 0; oh < oh_n; ++oh) {
        for (int ow = 0; ow < ow_n; ++ow) {
          int64_t best = std::numeric_limits<int64_t>::min();
          uint64_t sum = 0;
          for (int i = g.row_begin(oh); i < g.row_end(oh); ++i) {
            for (int j = g.col_begin(ow); j < g.col_end(ow); ++j) {
              const uint64_t v = x[(static_cast<std::size_t>(c) * g.height + i) * g.width + j];
              best = std::max(best, to_signed(v, l_));
              sum += v;
            }
          }
          y[(static_cast<std::size_t>(c) * oh_n + oh) * ow_n + ow] = is_max ? to_ring(best, l_) : sum & mask_;
        }
      }
    }
    return y;
  }

  const QuantizedGraph& g_;
  int l_;
  uint64_t mask_;
};

}  // namespace

std::vector<std::vector<uint64_t>> evaluate_fixed_all(const QuantizedGraph& graph, std::span<const uint64_t> input) {
  graph.validate();
  const int64_t expected = element_count(graph.tensors[static_cast<std::size_t>(graph.input)].shape);
  TWAIN_REQUIRE(static_cast<int64_t>(input.size()) == expected, InvalidArgument,
                "evaluate_fixed: the input has " + std::to_string(input.size()) + " values, the graph expects " +
                    std::to_string(expected));
  const uint64_t mask = ring_mask(graph.ring_bits);
  for (uint64_t v : input)
    TWAIN_REQUIRE((v & ~mask) == 0, InvalidArgument, "evaluate_fixed: an input value is not below 2^l");
  std::vector<Values> values(graph.tensors.size());
  values[static_cast<std::size_t>(graph.input)].assign(input.begin(), input.end());
  const Evaluator evaluator(graph);
  for (const QOp& op : graph.ops) values[static_cast<std::size_t>(op.output)] = evaluator.run(op, values);
  return values;
}

std::vector<uint64_t> evaluate_fixed(const QuantizedGraph& graph, std::span<const uint64_t> input) {
  return std::move(evaluate_fixed_all(graph, input)[static_cast<std::size_t>(graph.output)]);
}

}  // namespace twain::model
