// The float plaintext evaluator: runs a model::Graph in single precision with double accumulators,
// to compare with PyTorch / ONNX reference outputs and with the fixed-point evaluator.
#pragma once

#include <span>
#include <vector>

#include "model/graph.hpp"

namespace twain::model {

// Every tensor's values, indexed by TensorId (a tensor that no node computes and that is not the
// input stays empty). input: the graph input's elements, flat row-major (CHW). Throws
// InvalidArgument when the input's size differs from the input tensor's element count or the
// graph does not validate.
std::vector<std::vector<float>> evaluate_float_all(const Graph& graph, std::span<const float> input);

// The graph output's values.
std::vector<float> evaluate_float(const Graph& graph, std::span<const float> input);

}  // namespace twain::model
