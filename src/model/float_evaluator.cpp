#include "model/float_evaluator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "model/overloaded.hpp"

namespace twain::model {
namespace {

using Values = std::vector<float>;

// Output planes accumulated in double, kernel tap by kernel tap over whole rows.
Values conv(const op::Conv& o, const Values& x) {
  const core::Conv2dGeometry& g = o.shape;
  const int oh_n = g.output_height(), ow_n = g.output_width();
  const int ipg = g.in_channels_per_group(), opg = g.out_channels_per_group();
  const std::size_t plane = static_cast<std::size_t>(oh_n) * ow_n;
  Values y(static_cast<std::size_t>(g.out_channels) * plane);
  std::vector<double> acc(plane);
  for (int oc = 0; oc < g.out_channels; ++oc) {
    std::fill(acc.begin(), acc.end(), o.bias.empty() ? 0.0 : o.bias[static_cast<std::size_t>(oc)]);
    const int first_in = (oc / opg) * ipg;
    for (int c = 0; c < ipg; ++c) {
      const float* in = x.data() + static_cast<std::size_t>(first_in + c) * g.height * g.width;
      for (int kh = 0; kh < g.kernel_h; ++kh) {
        for (int kw = 0; kw < g.kernel_w; ++kw) {
          const double w = o.weights[((static_cast<std::size_t>(oc) * ipg + c) * g.kernel_h + kh) * g.kernel_w + kw];
          const auto [ow_begin, ow_end] = g.tap_columns(kw);
          for (int oh = 0; oh < oh_n; ++oh) {
            const int ih = oh * g.stride_h - g.pad_top + kh;
            if (ih < 0 || ih >= g.height) continue;
            const std::ptrdiff_t row = static_cast<std::ptrdiff_t>(ih) * g.width - g.pad_left + kw;
            double* out_row = acc.data() + static_cast<std::size_t>(oh) * ow_n;
            for (int ow = ow_begin; ow < ow_end; ++ow) out_row[ow] += w * in[row + ow * g.stride_w];
          }
        }
      }
    }
    for (std::size_t k = 0; k < plane; ++k) y[static_cast<std::size_t>(oc) * plane + k] = static_cast<float>(acc[k]);
  }
  return y;
}

Values gemm(const op::Gemm& o, const Values& x) {
  Values y(static_cast<std::size_t>(o.out_features));
  for (int r = 0; r < o.out_features; ++r) {
    double sum = o.bias.empty() ? 0.0 : o.bias[static_cast<std::size_t>(r)];
    const float* row = o.weights.data() + static_cast<std::size_t>(r) * o.in_features;
    for (int i = 0; i < o.in_features; ++i) sum += static_cast<double>(row[i]) * x[static_cast<std::size_t>(i)];
    y[static_cast<std::size_t>(r)] = static_cast<float>(sum);
  }
  return y;
}

// y[c][p] = scale[c] x[c][p] + shift[c], c the channel (dims[1]).
Values channel_affine(const std::vector<double>& scale, const std::vector<double>& shift, const Values& x) {
  const std::size_t channels = scale.size();
  const std::size_t inner = x.size() / channels;
  Values y(x.size());
  for (std::size_t c = 0; c < channels; ++c)
    for (std::size_t p = 0; p < inner; ++p)
      y[c * inner + p] = static_cast<float>(scale[c] * x[c * inner + p] + shift[c]);
  return y;
}

template <class Reduce>
Values pool(const core::Pool2dGeometry& g, Reduce reduce) {
  const int oh_n = g.output_height(), ow_n = g.output_width();
  Values y(static_cast<std::size_t>(g.channels) * oh_n * ow_n);
  for (int c = 0; c < g.channels; ++c)
    for (int oh = 0; oh < oh_n; ++oh)
      for (int ow = 0; ow < ow_n; ++ow)
        y[(static_cast<std::size_t>(c) * oh_n + oh) * ow_n + ow] = reduce(c, oh, ow);
  return y;
}

Values pad(const op::Pad& o, const Shape& in, const Values& x) {
  const int64_t c_n = in[1], h = in[2], w = in[3];
  const int64_t oh = h + o.pad_top + o.pad_bottom, ow = w + o.pad_left + o.pad_right;
  Values y(static_cast<std::size_t>(c_n * oh * ow), o.value);
  for (int64_t c = 0; c < c_n; ++c)
    for (int64_t i = 0; i < h; ++i)
      std::copy_n(x.begin() + (c * h + i) * w, w, y.begin() + (c * oh + i + o.pad_top) * ow + o.pad_left);
  return y;
}

Values softmax(const Values& x, bool logarithm) {
  const float top = *std::max_element(x.begin(), x.end());
  double sum = 0;
  for (float v : x) sum += std::exp(static_cast<double>(v) - top);
  Values y(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double shifted = static_cast<double>(x[k]) - top;
    y[k] = static_cast<float>(logarithm ? shifted - std::log(sum) : std::exp(shifted) / sum);
  }
  return y;
}

Values run(const Node& node, const Graph& graph, const std::vector<Values>& values) {
  const Values& x = values[static_cast<std::size_t>(node.inputs[0])];
  const Shape& in_shape = graph.tensors[static_cast<std::size_t>(node.inputs[0])].shape;
  return std::visit(
      Overloaded{
          [&](const op::Conv& o) { return conv(o, x); },
          [&](const op::Gemm& o) { return gemm(o, x); },
          [&](const op::BatchNorm& o) {
            std::vector<double> scale(o.gamma.size()), shift(o.gamma.size());
            for (std::size_t c = 0; c < scale.size(); ++c) {
              scale[c] = o.gamma[c] / std::sqrt(static_cast<double>(o.var[c]) + o.epsilon);
              shift[c] = o.beta[c] - o.mean[c] * scale[c];
            }
            return channel_affine(scale, shift, x);
          },
          [&](const op::ChannelAffine& o) {
            return channel_affine({o.scale.begin(), o.scale.end()}, {o.shift.begin(), o.shift.end()}, x);
          },
          [&](const op::Relu&) {
            Values y(x);
            for (float& v : y) v = std::max(v, 0.0f);
            return y;
          },
          [&](const op::Relu6&) {
            Values y(x);
            for (float& v : y) v = std::clamp(v, 0.0f, 6.0f);
            return y;
          },
          [&](const op::MaxPool& o) {
            const core::Pool2dGeometry& g = o.shape;
            return pool(g, [&](int c, int oh, int ow) {
              float best = -std::numeric_limits<float>::infinity();
              for (int i = g.row_begin(oh); i < g.row_end(oh); ++i)
                for (int j = g.col_begin(ow); j < g.col_end(ow); ++j)
                  best = std::max(best, x[(static_cast<std::size_t>(c) * g.height + i) * g.width + j]);
              return best;
            });
          },
          [&](const op::AvgPool& o) {
            const core::Pool2dGeometry& g = o.shape;
            return pool(g, [&](int c, int oh, int ow) {
              double sum = 0;
              for (int i = g.row_begin(oh); i < g.row_end(oh); ++i)
                for (int j = g.col_begin(ow); j < g.col_end(ow); ++j)
                  sum += x[(static_cast<std::size_t>(c) * g.height + i) * g.width + j];
              const int count = o.count_include_pad ? g.padded_window_size(oh, ow)
                                                    : (g.row_end(oh) - g.row_begin(oh)) * (g.col_end(ow) - g.col_begin(ow));
              return static_cast<float>(sum / count);
            });
          },
          [&](const op::GlobalAvgPool&) {
            const std::size_t channels = static_cast<std::size_t>(in_shape[1]);
            const std::size_t inner = x.size() / channels;
            Values y(channels);
            for (std::size_t c = 0; c < channels; ++c) {
              double sum = 0;
              for (std::size_t p = 0; p < inner; ++p) sum += x[c * inner + p];
              y[c] = static_cast<float>(sum / static_cast<double>(inner));
            }
            return y;
          },
          [&](const op::Add&) {
            const Values& b = values[static_cast<std::size_t>(node.inputs[1])];
            Values y(x);
            for (std::size_t k = 0; k < y.size(); ++k) y[k] += b[k];
            return y;
          },
          [&](const op::AddConstant& o) {
            Values y(x);
            for (std::size_t k = 0; k < y.size(); ++k) y[k] += o.values[k];
            return y;
          },
          [&](const op::Concat&) {
            Values y;
            for (TensorId id : node.inputs) {
              const Values& part = values[static_cast<std::size_t>(id)];
              y.insert(y.end(), part.begin(), part.end());
            }
            return y;
          },
          [&](const op::Reshape&) { return x; },
          [&](const op::Pad& o) { return pad(o, in_shape, x); },
          [&](const op::Identity&) { return x; },
          [&](const op::Softmax&) { return softmax(x, false); },
          [&](const op::LogSoftmax&) { return softmax(x, true); },
      },
      node.op);
}

}  // namespace

std::vector<std::vector<float>> evaluate_float_all(const Graph& graph, std::span<const float> input) {
  graph.validate();
  const auto expected = element_count(graph.tensors[static_cast<std::size_t>(graph.input)].shape);
  TWAIN_REQUIRE(static_cast<int64_t>(input.size()) == expected, InvalidArgument,
                "evaluate_float: the input has " + std::to_string(input.size()) + " values, the graph expects " +
                    std::to_string(expected));
  std::vector<Values> values(graph.tensors.size());
  values[static_cast<std::size_t>(graph.input)].assign(input.begin(), input.end());
  for (const Node& node : graph.nodes) values[static_cast<std::size_t>(node.output)] = run(node, graph, values);
  return values;
}

std::vector<float> evaluate_float(const Graph& graph, std::span<const float> input) {
  return std::move(evaluate_float_all(graph, input)[static_cast<std::size_t>(graph.output)]);
}

}  // namespace twain::model
