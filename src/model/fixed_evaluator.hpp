// The fixed-point plaintext evaluator: runs a QuantizedGraph on ring values with exactly the
// integer semantics documented in quantized_graph.hpp (wrapping mod 2^l, floor truncation). It is
// the oracle of the secure engine in exact mode (DESIGN.md section 2).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "model/quantized_graph.hpp"

namespace twain::model {

// Every tensor's ring values, indexed by TensorId (each op's intermediate output is
// result[op.output]). input: the input tensor's values, each below 2^l. Throws InvalidArgument for
// a wrong count or value, or a graph that does not validate.
std::vector<std::vector<uint64_t>> evaluate_fixed_all(const QuantizedGraph& graph, std::span<const uint64_t> input);

// The output tensor's ring values (the logits at scale f).
std::vector<uint64_t> evaluate_fixed(const QuantizedGraph& graph, std::span<const uint64_t> input);

}  // namespace twain::model
