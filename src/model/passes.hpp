// Rewrites of the float graph before quantisation (issue 6 part 2). Each pass keeps the graph's
// function (up to float rounding) and returns a validated graph; node names and ONNX positions
// stay with the nodes that survive.
#pragma once

#include "model/graph.hpp"

namespace twain::model {

// Removes Identity (ONNX Dropout, Identity), Pads of zero amounts, and the Softmax / LogSoftmax
// that end the graph (argmax of the logits is unchanged), rewiring their consumers to their input.
Graph drop_inference_noops(Graph graph);

// Folds a BatchNorm into the Conv or Gemm before it when that output feeds only the BatchNorm:
// w'[o] = w[o] s[o], b'[o] = (b[o] - mean[o]) s[o] + beta[o], s = gamma / sqrt(var + epsilon),
// computed in double (DESIGN.md section 2: folded in float before quantisation).
Graph fold_batch_norm(Graph graph);

// Turns every remaining BatchNorm into ChannelAffine{scale = s, shift = beta - mean s}.
Graph batch_norm_to_affine(Graph graph);

// Folds an AddConstant after a Gemm (ONNX MatMul + Add), or after a Conv when the constant is
// uniform over each channel, into the bias.
Graph fold_bias_add(Graph graph);

// Folds a zero-valued Pad into the consumer that follows it alone: a Conv; a MaxPool when the
// padded tensor is a Relu / Relu6 output (the zeros cannot win the max over non-negative values);
// an AvgPool that counts its padding or has none (it then counts the merged padding). Pools only
// when the merged padding stays below the kernel and the output extent is unchanged.
Graph fold_pad(Graph graph);

// Relu(6) then MaxPool becomes MaxPool then Relu(6) when the Relu output feeds only the MaxPool:
// both are monotone, so they commute, and the Relu then runs on the pooled (smaller) tensor
// (DESIGN.md section 6).
Graph swap_maxpool_relu(Graph graph);

// All of the above in the order listed.
Graph optimize(Graph graph);

}  // namespace twain::model
