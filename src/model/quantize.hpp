// Quantisation of a float graph to the integer ops of quantized_graph.hpp (DESIGN.md section 2).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "model/graph.hpp"
#include "model/quantized_graph.hpp"

namespace twain::model {

// round(x 2^bits), half away from zero. Throws CapacityError when |x 2^bits| >= 2^62.
int64_t quantize_value(double x, int bits);

// Runs optimize() (passes.hpp) on a copy of `graph`, then lowers it:
// - Conv, Gemm, ChannelAffine: weights (scales) at f, biases (shifts) at 2f; input at scale f,
//   output at 2f; weight_bound 2^weight_bits for every layer: a public policy that does not look
//   at the weights (DESIGN.md section 1), f + kWeightHeadroomBits unless given (|w| <= 2 in
//   float). A weight beyond it is refused with PolicyError naming the node, the value and the bound.
// - Truncations are placed lazily: a tensor at 2f is truncated by f only where a consumer needs
//   scale f (a linear op, an average, whose window sum would grow the 2f value by the window size,
//   Add / Concat mixing scales, the output), once per tensor, so MaxPool, ReLU and Add run at 2f
//   before the truncation; Truncate.input_nonnegative is set for ReLU / ReLU6
//   outputs and values derived from them by MaxPool, SumPool, DivideFloor, Reshape, Concat, Pad
//   (value >= 0), Add and Truncate. A Relu whose output only feeds a Truncate becomes ReluTruncate.
// - AvgPool: SumPool then DivideFloor by the window's count (one divisor when all windows agree);
//   GlobalAvgPool: SumPool over H x W then DivideFloor by H W.
// - AddConstant and Pad values at the scale of their input.
// Throws InvalidArgument for ring_bits outside [16, 64] or frac_bits outside [1, (l - 1) / 2], for
// ops that cannot be lowered, and CapacityError for a weight whose fixed-point value reaches
// 2^(l-1). The result is validated.
QuantizedGraph quantize(const Graph& graph, int ring_bits = 37, int frac_bits = 12,
                        std::optional<int> weight_bits = std::nullopt);

inline constexpr int kWeightHeadroomBits = 1;
inline constexpr int kMaxWeightBits = 39;  // the HE layers take bounds below 2^40

// round(x 2^f) mod 2^l for the graph input (the client's image). Throws InvalidArgument for a
// wrong count, CapacityError for values out of range.
std::vector<uint64_t> quantize_input(const QuantizedGraph& graph, std::span<const float> input);

// s(v) / 2^scale_bits for ring values v (to compare with the float evaluator).
std::vector<double> dequantize(std::span<const uint64_t> values, int ring_bits, int scale_bits);

}  // namespace twain::model
