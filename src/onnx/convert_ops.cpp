// One converter per supported ONNX operator: checks inputs and attributes against what the model
// IR can express and builds the model op (ONNX operator documentation, opsets 1 to 17).
#include <array>
#include <cmath>
#include <limits>

#include "onnx/importer.hpp"
#include "onnx/node_context.hpp"

namespace twain::onnx {
namespace {

using model::Shape;

int to_int(const NodeContext& c, int64_t v, const std::string& what) {
  if (v < -(int64_t{1} << 30) || v > (int64_t{1} << 30)) c.fail(what + " = " + std::to_string(v) + " is out of range");
  return static_cast<int>(v);
}

int64_t to_int64(const NodeContext& c, double v, const std::string& what) {
  if (!(std::fabs(v) < 9.0e15) || std::trunc(v) != v) c.fail(what + " holds a value that is not an integer in range");
  return static_cast<int64_t>(v);
}

std::vector<float> to_float(const std::vector<double>& values) { return {values.begin(), values.end()}; }

const Shape& image(const NodeContext& c, int k) {
  const Shape& x = c.activation_shape(k);
  if (x.size() != 4 || x[0] != 1) c.fail("input " + model::to_string(x) + " is not [1, C, H, W]");
  return x;
}

const Shape& batched(const NodeContext& c, int k) {
  const Shape& x = c.activation_shape(k);
  if (x.size() < 2 || x[0] != 1) c.fail("input " + model::to_string(x) + " is not [1, C, ...]");
  return x;
}

void single_output(const NodeContext& c) {
  for (int k = 1; k < c.node().output_size(); ++k)
    if (!c.node().output(k).empty()) c.fail("output " + std::to_string(k) + " ('" + c.node().output(k) + "') is not supported");
}

// A 2-element ints attribute (kernel_shape, strides, dilations) or `fallback`.
std::array<int, 2> pair_attribute(const NodeContext& c, const std::string& name, int fallback) {
  const auto v = c.attribute_ints(name);
  if (!v) return {fallback, fallback};
  if (v->size() != 2) c.fail("attribute '" + name + "' must hold 2 values (2-D only), has " + std::to_string(v->size()));
  return {to_int(c, (*v)[0], name), to_int(c, (*v)[1], name)};
}

// {top, left, bottom, right} from pads or auto_pad (ONNX Conv / pooling).
std::array<int, 4> window_pads(const NodeContext& c, int height, int width, std::array<int, 2> kernel,
                               std::array<int, 2> stride) {
  const std::string mode = c.attribute_string("auto_pad", "NOTSET");
  const auto pads = c.attribute_ints("pads");
  if (mode == "NOTSET") {
    if (!pads) return {0, 0, 0, 0};
    if (pads->size() != 4) c.fail("attribute 'pads' must hold 4 values, has " + std::to_string(pads->size()));
    std::array<int, 4> out{};
    for (int k = 0; k < 4; ++k) {
      out[k] = to_int(c, (*pads)[static_cast<std::size_t>(k)], "pads");
      if (out[k] < 0) c.fail("negative pads are not supported");
    }
    return out;
  }
  if (pads) c.fail("attributes 'pads' and 'auto_pad' = " + mode + " exclude each other");
  if (mode == "VALID") return {0, 0, 0, 0};
  if (mode != "SAME_UPPER" && mode != "SAME_LOWER") c.fail("auto_pad = '" + mode + "' is not supported");
  const int extent[2] = {height, width};
  std::array<int, 4> out{};
  for (int axis = 0; axis < 2; ++axis) {
    if (stride[axis] < 1 || kernel[axis] < 1) c.fail("kernel and strides must be positive");
    const int64_t o = (int64_t{extent[axis]} + stride[axis] - 1) / stride[axis];
    const int total = static_cast<int>(std::max<int64_t>((o - 1) * stride[axis] + kernel[axis] - extent[axis], 0));
    const int begin = mode == "SAME_UPPER" ? total / 2 : total - total / 2;
    out[axis] = begin;
    out[axis + 2] = total - begin;
  }
  return out;
}

void require_unit_dilations(const NodeContext& c) {
  const auto d = pair_attribute(c, "dilations", 1);
  if (d[0] != 1 || d[1] != 1) c.fail("dilations other than 1 are not supported");
}

// A dilated convolution is the convolution whose kernel holds each tap (u, v) at (u d_h, v d_w)
// and zeros between them: the kernel extent (k - 1) d + 1 gives the output extent ONNX defines,
// and every layer below (evaluators, quantisation, the HE convolution) runs it unchanged. The
// zeros are public (they follow from the dilation), like a padded kernel's.
std::vector<float> dilated_weights(const std::vector<float>& weights, const core::Conv2dGeometry& g,
                                   std::array<int, 2> kernel, std::array<int, 2> dilation) {
  if (dilation[0] == 1 && dilation[1] == 1) return weights;
  std::vector<float> out(g.weight_size(), 0.0f);
  const std::size_t taps = static_cast<std::size_t>(kernel[0]) * static_cast<std::size_t>(kernel[1]);
  const std::size_t filters = static_cast<std::size_t>(g.out_channels) * static_cast<std::size_t>(g.in_channels_per_group());
  for (std::size_t f = 0; f < filters; ++f)
    for (int u = 0; u < kernel[0]; ++u)
      for (int v = 0; v < kernel[1]; ++v)
        out[(f * static_cast<std::size_t>(g.kernel_h) + static_cast<std::size_t>(u * dilation[0])) *
                static_cast<std::size_t>(g.kernel_w) +
            static_cast<std::size_t>(v * dilation[1])] =
            weights[f * taps + static_cast<std::size_t>(u) * static_cast<std::size_t>(kernel[1]) +
                    static_cast<std::size_t>(v)];
  return out;
}

Converted conv(const NodeContext& c) {
  c.allow_attributes({"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  const Shape& x = image(c, 0);
  const Constant& w = c.constant(1);
  if (w.dims.size() != 4) c.fail("weights must be 4-D (OIHW), have shape " + model::to_string(w.dims));
  const std::array<int, 2> kernel{to_int(c, w.dims[2], "kernel height"), to_int(c, w.dims[3], "kernel width")};
  if (c.has_attribute("kernel_shape") && pair_attribute(c, "kernel_shape", 0) != kernel)
    c.fail("attribute 'kernel_shape' disagrees with the weights' shape " + model::to_string(w.dims));
  const auto stride = pair_attribute(c, "strides", 1);
  const auto dilation = pair_attribute(c, "dilations", 1);
  model::op::Conv op;
  core::Conv2dGeometry& g = op.shape;
  g.in_channels = to_int(c, x[1], "channels");
  g.height = to_int(c, x[2], "height");
  g.width = to_int(c, x[3], "width");
  g.out_channels = to_int(c, w.dims[0], "output channels");
  // The dilated kernel's extent, bounded by the input before anything is allocated for it.
  std::array<int, 2> extent{};
  for (int axis = 0; axis < 2; ++axis) {
    if (dilation[axis] < 1) c.fail("dilations must be positive, got " + std::to_string(dilation[axis]));
    const int64_t e = int64_t{kernel[axis] - 1} * dilation[axis] + 1;
    const int64_t limit = int64_t{axis == 0 ? g.height : g.width} + 2 * int64_t{core::kMaxExtent};
    if (kernel[axis] < 1 || e > limit)
      c.fail("a dilated kernel of extent " + std::to_string(e) + " exceeds the input");
    extent[axis] = static_cast<int>(e);
  }
  g.kernel_h = extent[0];
  g.kernel_w = extent[1];
  g.stride_h = stride[0];
  g.stride_w = stride[1];
  g.groups = to_int(c, c.attribute_int("group", 1), "group");
  if (g.groups < 1 || g.in_channels % g.groups != 0 || g.out_channels % g.groups != 0)
    c.fail("group = " + std::to_string(g.groups) + " does not divide the channel counts");
  if (w.dims[1] != g.in_channels / g.groups)
    c.fail("weights " + model::to_string(w.dims) + " do not match " + std::to_string(g.in_channels) +
           " input channels in " + std::to_string(g.groups) + " groups");
  const auto pads = window_pads(c, g.height, g.width, extent, stride);
  g.pad_top = pads[0];
  g.pad_left = pads[1];
  g.pad_bottom = pads[2];
  g.pad_right = pads[3];
  if (g.kernel_h > g.padded_height() || g.kernel_w > g.padded_width())
    c.fail("a dilated kernel of " + std::to_string(g.kernel_h) + "x" + std::to_string(g.kernel_w) +
           " exceeds the padded input " + std::to_string(g.padded_height()) + "x" + std::to_string(g.padded_width()));
  if (g.weight_count() > model::kMaxTensorElements)
    c.fail("the dilated kernel holds " + std::to_string(g.weight_count()) + " weights, more than " +
           std::to_string(model::kMaxTensorElements));
  op.weights = dilated_weights(to_float(w.values), g, kernel, dilation);
  if (c.has_input(2)) {
    const Constant& b = c.constant(2);
    if (b.values.size() != static_cast<std::size_t>(g.out_channels)) c.fail("bias count differs from the output channels");
    op.bias = to_float(b.values);
  }
  return {op, {c.activation(0)}};
}

Converted pool(const NodeContext& c, bool is_max) {
  if (is_max)
    c.allow_attributes({"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"});
  else
    c.allow_attributes({"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"});
  single_output(c);
  const Shape& x = image(c, 0);
  if (!c.has_attribute("kernel_shape")) c.fail("attribute 'kernel_shape' is required");
  const auto kernel = pair_attribute(c, "kernel_shape", 0);
  const auto stride = pair_attribute(c, "strides", 1);
  if (is_max) require_unit_dilations(c);
  core::Pool2dGeometry g;
  g.channels = to_int(c, x[1], "channels");
  g.height = to_int(c, x[2], "height");
  g.width = to_int(c, x[3], "width");
  g.kernel_h = kernel[0];
  g.kernel_w = kernel[1];
  g.stride_h = stride[0];
  g.stride_w = stride[1];
  const auto pads = window_pads(c, g.height, g.width, kernel, stride);
  g.pad_top = pads[0];
  g.pad_left = pads[1];
  g.pad_bottom = pads[2];
  g.pad_right = pads[3];
  const int64_t ceil_mode = c.attribute_int("ceil_mode", 0);
  if (ceil_mode != 0 && ceil_mode != 1) c.fail("ceil_mode must be 0 or 1");
  g.ceil_mode = ceil_mode == 1 && c.attribute_string("auto_pad", "NOTSET") == "NOTSET";
  if (is_max) return {model::op::MaxPool{g}, {c.activation(0)}};
  const int64_t include = c.attribute_int("count_include_pad", 0);
  if (include != 0 && include != 1) c.fail("count_include_pad must be 0 or 1");
  return {model::op::AvgPool{g, include == 1}, {c.activation(0)}};
}

// Bias of Gemm: a constant broadcastable to [1, n] (shapes [], [1], [n], [1, 1], [1, n]).
std::vector<float> gemm_bias(const NodeContext& c, const Constant& b, int n, float beta) {
  int64_t leading = 1;
  for (std::size_t k = 0; k + 1 < b.dims.size(); ++k) leading *= b.dims[k];
  if (b.dims.size() > 2 || leading != 1 || (b.values.size() != 1 && b.values.size() != static_cast<std::size_t>(n)))
    c.fail("bias " + model::to_string(b.dims) + " does not broadcast to [1, " + std::to_string(n) + "]");
  std::vector<float> bias(static_cast<std::size_t>(n));
  for (std::size_t k = 0; k < bias.size(); ++k)
    bias[k] = static_cast<float>(beta * b.values[b.values.size() == 1 ? 0 : k]);
  return bias;
}

Converted gemm(const NodeContext& c, bool is_matmul) {
  if (is_matmul)
    c.allow_attributes({});
  else
    c.allow_attributes({"alpha", "beta", "transA", "transB", "broadcast"});
  const Shape& x = c.activation_shape(0);
  if (x.size() != 2 || x[0] != 1) c.fail("input " + model::to_string(x) + " is not [1, K]");
  if (c.attribute_int("transA", 0) != 0) c.fail("transA = 1 is not supported (the input is a row vector)");
  const Constant& b = c.constant(1);
  if (b.dims.size() != 2) c.fail("weights must be 2-D, have shape " + model::to_string(b.dims));
  const bool trans_b = c.attribute_int("transB", 0) != 0;
  const int64_t k_dim = trans_b ? b.dims[1] : b.dims[0];
  const int64_t n_dim = trans_b ? b.dims[0] : b.dims[1];
  if (k_dim != x[1]) c.fail("weights " + model::to_string(b.dims) + " do not match the input " + model::to_string(x));
  model::op::Gemm op;
  op.in_features = to_int(c, k_dim, "input features");
  op.out_features = to_int(c, n_dim, "output features");
  const double alpha = c.attribute_float("alpha", 1.0f);
  op.weights.resize(b.values.size());
  const auto in = static_cast<std::size_t>(op.in_features), out = static_cast<std::size_t>(op.out_features);
  for (std::size_t o = 0; o < out; ++o)
    for (std::size_t i = 0; i < in; ++i)
      op.weights[o * in + i] = static_cast<float>(alpha * (trans_b ? b.values[o * in + i] : b.values[i * out + o]));
  if (c.has_input(2)) op.bias = gemm_bias(c, c.constant(2), op.out_features, c.attribute_float("beta", 1.0f));
  return {op, {c.activation(0)}};
}

Converted batch_norm(const NodeContext& c) {
  c.allow_attributes({"epsilon", "momentum", "training_mode", "spatial", "is_test", "consumed_inputs"});
  if (c.attribute_int("training_mode", 0) != 0) c.fail("training_mode = 1 is not supported (inference only)");
  single_output(c);
  if (c.attribute_int("spatial", 1) != 1) c.fail("spatial = 0 is not supported");
  const Shape& x = batched(c, 0);
  model::op::BatchNorm op;
  std::vector<float>* targets[4] = {&op.gamma, &op.beta, &op.mean, &op.var};
  for (int k = 0; k < 4; ++k) {
    const Constant& p = c.constant(k + 1);
    if (p.values.size() != static_cast<std::size_t>(x[1]))
      c.fail("parameter " + std::to_string(k + 1) + " has " + std::to_string(p.values.size()) + " values for " +
             std::to_string(x[1]) + " channels");
    *targets[k] = to_float(p.values);
  }
  op.epsilon = c.attribute_float("epsilon", 1e-5f);
  for (float v : op.var)
    if (!(v + op.epsilon > 0)) c.fail("variance + epsilon is not positive");
  return {op, {c.activation(0)}};
}

Converted clip(const NodeContext& c) {
  double low = -std::numeric_limits<double>::infinity(), high = std::numeric_limits<double>::infinity();
  if (c.opset() < 11) {
    c.allow_attributes({"min", "max", "consumed_inputs"});
    low = c.attribute_float("min", -std::numeric_limits<float>::infinity());
    high = c.attribute_float("max", std::numeric_limits<float>::infinity());
  } else {
    c.allow_attributes({});
    for (int k = 1; k <= 2; ++k) {
      if (!c.has_input(k)) continue;
      const Constant& bound = c.constant(k);
      if (bound.values.size() != 1) c.fail("bound " + std::to_string(k) + " is not a scalar");
      (k == 1 ? low : high) = bound.values[0];
    }
  }
  if (high >= std::numeric_limits<float>::max()) high = std::numeric_limits<double>::infinity();
  if (low == 0.0 && high == 6.0) return {model::op::Relu6{}, {c.activation(0)}};
  if (low == 0.0 && std::isinf(high)) return {model::op::Relu{}, {c.activation(0)}};
  c.fail("Clip(" + std::to_string(low) + ", " + std::to_string(high) +
         ") is not supported: only Clip(0, 6) (ReLU6) and Clip(0, none) (ReLU)");
}

std::vector<float> broadcast(const NodeContext& c, const Constant& k, const Shape& to) {
  if (k.dims.size() > to.size()) c.fail("constant " + model::to_string(k.dims) + " does not broadcast to " + model::to_string(to));
  const std::size_t offset = to.size() - k.dims.size();
  std::vector<int64_t> stride(to.size(), 0);
  int64_t step = 1;
  for (std::size_t i = k.dims.size(); i-- > 0;) {
    const int64_t kd = k.dims[i], td = to[offset + i];
    if (kd != 1 && kd != td)
      c.fail("constant " + model::to_string(k.dims) + " does not broadcast to " + model::to_string(to));
    stride[offset + i] = kd == 1 ? 0 : step;
    step *= kd;
  }
  std::vector<float> out(static_cast<std::size_t>(model::element_count(to)));
  std::vector<int64_t> index(to.size(), 0);
  for (std::size_t flat = 0; flat < out.size(); ++flat) {
    int64_t source = 0;
    for (std::size_t d = 0; d < to.size(); ++d) source += index[d] * stride[d];
    out[flat] = static_cast<float>(k.values[static_cast<std::size_t>(source)]);
    for (std::size_t d = to.size(); d-- > 0;) {
      if (++index[d] < to[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

Converted add(const NodeContext& c) {
  c.allow_attributes({});
  if (c.input_count() != 2) c.fail("Add takes two inputs");
  if (c.is_constant(0) && c.is_constant(1)) c.fail("adding two constants is not supported");
  if (c.is_constant(0) || c.is_constant(1)) {
    const int a = c.is_constant(0) ? 1 : 0;
    const Shape& x = batched(c, a);
    return {model::op::AddConstant{broadcast(c, c.constant(1 - a), x)}, {c.activation(a)}};
  }
  if (batched(c, 0) != batched(c, 1))
    c.fail("inputs " + model::to_string(c.activation_shape(0)) + " and " + model::to_string(c.activation_shape(1)) +
           " differ in shape (broadcasting between computed tensors is not supported)");
  return {model::op::Add{}, {c.activation(0), c.activation(1)}};
}

Converted concat(const NodeContext& c) {
  c.allow_attributes({"axis"});
  const Shape& x = batched(c, 0);
  int64_t axis = c.attribute_int("axis", 1);
  if (axis < 0) axis += static_cast<int64_t>(x.size());
  if (axis != 1) c.fail("axis = " + std::to_string(c.attribute_int("axis", 1)) + " is not the channel axis");
  Converted out{model::op::Concat{}, {}};
  for (int k = 0; k < c.input_count(); ++k) {
    batched(c, k);
    out.inputs.push_back(c.activation(k));
  }
  return out;
}

Converted flatten(const NodeContext& c) {
  c.allow_attributes({"axis"});
  const Shape& x = batched(c, 0);
  const auto rank = static_cast<int64_t>(x.size());
  int64_t axis = c.attribute_int("axis", 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) c.fail("axis out of range");
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d) (d < axis ? outer : inner) *= x[static_cast<std::size_t>(d)];
  if (outer != 1) c.fail("axis = " + std::to_string(axis) + " folds channels into the batch");
  return {model::op::Reshape{{1, inner}}, {c.activation(0)}};
}

Converted reshape(const NodeContext& c) {
  c.allow_attributes({"allowzero", "shape", "consumed_inputs"});
  const Shape& x = batched(c, 0);
  std::vector<int64_t> target;
  if (c.opset() < 5) {
    const auto s = c.attribute_ints("shape");
    if (!s) c.fail("attribute 'shape' is required");
    target = *s;
  } else {
    const Constant& shape = c.constant(1);
    if (shape.values.size() > model::kMaxRank) c.fail("shape has more than " + std::to_string(model::kMaxRank) + " dimensions");
    for (double v : shape.values) target.push_back(to_int64(c, v, "shape"));
  }
  if (target.size() > model::kMaxRank) c.fail("shape has more than " + std::to_string(model::kMaxRank) + " dimensions");
  const bool allow_zero = c.attribute_int("allowzero", 0) != 0;
  Shape out;
  int infer = -1;
  int64_t known = 1;
  for (std::size_t k = 0; k < target.size(); ++k) {
    int64_t d = target[k];
    if (d == 0 && !allow_zero) {
      if (k >= x.size()) c.fail("shape copies a dimension the input does not have");
      d = x[k];
    }
    if (d == -1) {
      if (infer >= 0) c.fail("shape has more than one -1");
      infer = static_cast<int>(k);
      d = 1;
    } else if (d < 1 || d > model::kMaxTensorElements) {
      c.fail("shape holds the dimension " + std::to_string(target[k]));
    }
    if (d > model::kMaxTensorElements / known) c.fail("shape holds too many elements");
    known *= d;
    out.push_back(d);
  }
  const int64_t total = model::element_count(x);
  if (infer >= 0) {
    if (total % known != 0) c.fail("shape " + model::to_string(target) + " does not divide the input " + model::to_string(x));
    out[static_cast<std::size_t>(infer)] = total / known;
  }
  return {model::op::Reshape{out}, {c.activation(0)}};
}

Converted dropout(const NodeContext& c) {
  c.allow_attributes({"ratio", "seed", "is_test", "consumed_inputs"});
  single_output(c);
  if (c.has_input(2) && c.constant(2).values != std::vector<double>{0.0}) c.fail("training_mode = true is not supported");
  if (c.has_input(1)) c.constant(1);
  batched(c, 0);
  return {model::op::Identity{}, {c.activation(0)}};
}

Converted pad(const NodeContext& c) {
  c.allow_attributes({"mode", "pads", "value"});
  image(c, 0);
  if (c.attribute_string("mode", "constant") != "constant")
    c.fail("mode = '" + c.attribute_string("mode", "") + "' is not supported (constant only)");
  std::vector<int64_t> pads;
  double value = 0.0;
  if (c.opset() < 11) {
    const auto p = c.attribute_ints("pads");
    if (!p) c.fail("attribute 'pads' is required");
    pads = *p;
    value = c.attribute_float("value", 0.0f);
  } else {
    for (double v : c.constant(1).values) pads.push_back(to_int64(c, v, "pads"));
    if (c.has_input(2)) {
      const Constant& v = c.constant(2);
      if (v.values.size() != 1) c.fail("constant_value is not a scalar");
      value = v.values[0];
    }
    if (c.has_input(3)) c.fail("the axes input is not supported");
  }
  if (pads.size() != 8) c.fail("pads must hold 8 values for a 4-D input");
  if (pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0) c.fail("only spatial (H, W) padding is supported");
  model::op::Pad op;
  op.pad_top = to_int(c, pads[2], "pads");
  op.pad_left = to_int(c, pads[3], "pads");
  op.pad_bottom = to_int(c, pads[6], "pads");
  op.pad_right = to_int(c, pads[7], "pads");
  if (op.pad_top < 0 || op.pad_left < 0 || op.pad_bottom < 0 || op.pad_right < 0) c.fail("negative pads are not supported");
  op.value = static_cast<float>(value);
  return {op, {c.activation(0)}};
}

Converted softmax(const NodeContext& c, bool logarithm) {
  c.allow_attributes({"axis"});
  const Shape& x = batched(c, 0);
  const auto rank = static_cast<int64_t>(x.size());
  int64_t axis = c.attribute_int("axis", c.opset() < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) c.fail("axis out of range");
  for (int64_t d = 1; d < rank; ++d) {
    const bool reduced = c.opset() < 13 ? d >= axis : d == axis;
    if (!reduced && x[static_cast<std::size_t>(d)] != 1)
      c.fail("axis = " + std::to_string(axis) + " does not span every element of " + model::to_string(x));
  }
  if (logarithm) return {model::op::LogSoftmax{}, {c.activation(0)}};
  return {model::op::Softmax{}, {c.activation(0)}};
}

Converted unary(const NodeContext& c, model::OpKind op, bool needs_image) {
  c.allow_attributes({});
  needs_image ? image(c, 0) : batched(c, 0);
  return {std::move(op), {c.activation(0)}};
}

}  // namespace

Converted convert_node(const NodeContext& c) {
  const std::string& type = c.node().op_type();
  if (type == "Conv") return conv(c);
  if (type == "Gemm") return gemm(c, false);
  if (type == "MatMul") return gemm(c, true);
  if (type == "BatchNormalization") return batch_norm(c);
  if (type == "Relu") return unary(c, model::op::Relu{}, false);
  if (type == "Clip") return clip(c);
  if (type == "MaxPool") return pool(c, true);
  if (type == "AveragePool") return pool(c, false);
  if (type == "GlobalAveragePool") return unary(c, model::op::GlobalAvgPool{}, true);
  if (type == "Add") return add(c);
  if (type == "Concat") return concat(c);
  if (type == "Flatten") return flatten(c);
  if (type == "Reshape") return reshape(c);
  if (type == "Dropout") return dropout(c);
  if (type == "Identity") return unary(c, model::op::Identity{}, false);
  if (type == "Pad") return pad(c);
  if (type == "Softmax") return softmax(c, false);
  if (type == "LogSoftmax") return softmax(c, true);
  c.fail("operator '" + type + "' is not supported");
}

}  // namespace twain::onnx
