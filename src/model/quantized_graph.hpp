// The quantised graph: a flat list of integer operations in execution order on tensors of
// Z_{2^l} (DESIGN.md section 2). It is the contract between the plaintext fixed-point evaluator
// (fixed_evaluator.hpp, the oracle) and the secure engine: both must give the same integers.
//
// Conventions for every op below:
// - Tensors hold ring values in uint64_t, reduced mod 2^l (l = ring_bits), flat row-major over
//   the tensor's shape ([1, C, H, W] or [1, N]; the batch is always 1). A value v stands for the
//   signed integer s(v) = v - 2^l when v >= 2^(l-1), else v (model/ring.hpp). Every sum and
//   product wraps mod 2^l.
// - A tensor with scale_bits s holds round-to-integer(x 2^s) of the real value x. The input has
//   scale f = frac_bits; a multiply-by-weights op outputs scale 2f; Truncate-type ops go back to f.
// - Weights are round(w 2^f) (round half away from zero), biases round(b 2^(2f)), and are added
//   before the truncation. Weight and bias vectors are int64 and enter the ring as to_ring(x).
// Op semantics (x = first input, y = output, indices as in geometry.hpp):
//   Conv2d        y[o][i][j] = bias[o] + sum_{c in group(o), kh, kw} w[o][c'][kh][kw] x[c][i s - pt + kh]
//                 [j s - pl + kw], positions outside the input contribute 0. Input scale f, output 2f.
//   Gemm          y[o] = bias[o] + sum_i w[o][i] x[i], x read flat (any shape with in_features
//                 elements). Input scale f, output 2f.
//   ChannelAffine y[c][p] = scale[c] x[c][p] + shift[c] for channel c = dims[1], p over the rest.
//                 scale at f, shift at 2f; input f, output 2f (a standalone BatchNormalization).
//   Truncate      y = to_ring(floor(s(x) / 2^shift)) (arithmetic right shift). input_nonnegative says
//                 that s(x) >= 0 is guaranteed by construction (x comes from a ReLU or a max of
//                 such values), so a protocol for non-negative inputs may be used; the result is the
//                 same. Output scale = input scale - shift.
//   Relu          y = s(x) > 0 ? x : 0.
//   Relu6         y = min(max(s(x), 0), upper) with upper = 6 2^scale (ONNX Clip(0, 6)).
//   ReluTruncate  y = floor(max(s(x), 0) / 2^shift) (Relu then Truncate, fused).
//   MaxPool       y[c][oh][ow] = max over the window of s(x) (padding positions are ignored; every
//                 window holds at least one input position). Scale unchanged.
//   SumPool       y[c][oh][ow] = sum over the window of x (padding positions ignored). Scale unchanged.
//   DivideFloor   y[c][p] = to_ring(floor(s(x[c][p]) / d)), d = divisors[0] when there is one divisor,
//                 else divisors[p] for the spatial position p in [0, H W) (averages whose window
//                 holds fewer positions at the borders). Divisors are public and >= 1.
//   Add           y = x + x2 (two inputs of equal shape and equal scale).
//   AddConstant   y[k] = x[k] + values[k] (values at the scale of x, one per element).
//   Concat        inputs (equal scale, equal dims except dims[1]) joined along dims[1] (channels);
//                 on flat CHW data this is the inputs' data one after the other.
//   Reshape       y = x (same data, the output's shape; ONNX Flatten and Reshape).
//   Pad           spatial zero/constant padding of a [1, C, H, W] tensor: y[c][i][j] =
//                 x[c][i - top][j - left] inside, value elsewhere (value at the input's scale).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/geometry.hpp"
#include "model/shape.hpp"

namespace twain::model {

struct QTensor {
  std::string name;  // the ONNX value name, or "<producer>/<what>" for tensors the quantiser adds
  Shape shape;
  int scale_bits = 0;  // frac_bits or 2 frac_bits
};

namespace qop {

struct Conv2d {
  core::Conv2dGeometry shape;
  std::vector<int64_t> weights;  // OIHW, scale f
  std::vector<int64_t> bias;     // out_channels, scale 2f
  uint64_t weight_bound = 1;     // a power of two >= max |weights|
};

struct Gemm {
  int in_features = 0, out_features = 0;
  std::vector<int64_t> weights;  // out_features x in_features row-major, scale f
  std::vector<int64_t> bias;     // out_features, scale 2f
  uint64_t weight_bound = 1;     // a power of two >= max |weights|
};

struct ChannelAffine {
  int channels = 0;
  std::vector<int64_t> scale;  // channels, scale f
  std::vector<int64_t> shift;  // channels, scale 2f
  uint64_t scale_bound = 1;    // a power of two >= max |scale|
};

struct Truncate {
  int shift = 0;
  bool input_nonnegative = false;
};

struct Relu {};

struct Relu6 {
  int64_t upper = 0;  // 6 2^scale of the input
};

struct ReluTruncate {
  int shift = 0;
};

struct MaxPool {
  core::Pool2dGeometry shape;
};

struct SumPool {
  core::Pool2dGeometry shape;
};

struct DivideFloor {
  std::vector<int64_t> divisors;  // one, or one per spatial position of the tensor
};

struct Add {};

struct AddConstant {
  std::vector<int64_t> values;  // one per element, at the input's scale
};

struct Concat {};

struct Reshape {};

struct Pad {
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t value = 0;  // at the input's scale
};

}  // namespace qop

using QOpKind = std::variant<qop::Conv2d, qop::Gemm, qop::ChannelAffine, qop::Truncate, qop::Relu, qop::Relu6,
                             qop::ReluTruncate, qop::MaxPool, qop::SumPool, qop::DivideFloor, qop::Add,
                             qop::AddConstant, qop::Concat, qop::Reshape, qop::Pad>;

struct QOp {
  std::string name;  // the ONNX node it comes from (with a suffix for ops the quantiser adds)
  std::vector<TensorId> inputs;
  TensorId output = 0;
  QOpKind op;
};

struct QuantizedGraph {
  int ring_bits = 37;
  int frac_bits = 12;
  std::vector<QTensor> tensors;  // indexed by TensorId
  std::vector<QOp> ops;          // in execution order; every op writes a tensor no other op writes
  TensorId input = 0;            // scale frac_bits
  TensorId output = 0;           // the logits, scale frac_bits

  // kAbsent: a public description (engine/model_description.hpp), whose server-only vectors
  // (weights, biases, scales, shifts, constants) are empty; everything else is checked alike.
  enum class Parameters { kPresent, kAbsent };

  // Checks every id, shape, scale and parameter count against the semantics above; throws
  // InvalidArgument naming the op. quantize() returns validated graphs.
  void validate(Parameters parameters = Parameters::kPresent) const;
};

// "Conv2d", "Truncate", ... (the variant's alternative).
std::string op_name(const QOpKind& op);

// "conv1: Conv2d [1, 3, 8, 8] (scale 12) -> [1, 8, 8, 8] (scale 24)", for per-layer reports.
std::string describe(const QuantizedGraph& graph, const QOp& op);

}  // namespace twain::model
