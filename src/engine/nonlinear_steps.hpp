// The quantised graph's comparison-based ops on shares, through nonlinear/ (DESIGN.md section 6),
// and their entries in the offline plan.
#pragma once

#include <span>
#include <vector>

#include "engine/options.hpp"
#include "model/quantized_graph.hpp"
#include "nonlinear/plan.hpp"
#include "nonlinear/session.hpp"

namespace twain::engine {

// Truncate, Relu, Relu6, ReluTruncate, MaxPool, DivideFloor.
bool is_nonlinear(const model::QOpKind& op);

// Runs one such op on this party's share x of its input; returns the share of its output.
std::vector<uint64_t> run_nonlinear_op(nonlinear::NonlinearSession& session, const model::QuantizedGraph& graph,
                                       const model::QOp& op, std::span<const uint64_t> x,
                                       const SessionOptions& options);

// Adds what run_nonlinear_op consumes for `op` to `plan` (nothing for other ops).
void plan_nonlinear_op(nonlinear::Plan& plan, const model::QuantizedGraph& graph, const model::QOp& op,
                       const SessionOptions& options);

}  // namespace twain::engine
