// The ops that need no communication (DESIGN.md section 4, "local layers"): each party applies
// them to its own share. Additions and sums are linear, so the shares stay shares of the result;
// constants (biases, AddConstant, Pad values) are added by the server alone.
#pragma once

#include <span>
#include <vector>

#include "model/quantized_graph.hpp"

namespace twain::engine {

// SumPool, Add, AddConstant, Concat, Reshape, Pad. inputs: the op's input shares in order.
// Throws InvalidArgument for another op or inputs of the wrong size.
std::vector<uint64_t> run_local_op(const model::QuantizedGraph& graph, const model::QOp& op,
                                   std::span<const std::span<const uint64_t>> inputs, bool server);

// The server adds a Conv2d's or Gemm's bias (scale 2f) to its output share, channel by channel.
void add_bias(const model::QuantizedGraph& graph, const model::QOp& op, std::vector<uint64_t>& y);

}  // namespace twain::engine
