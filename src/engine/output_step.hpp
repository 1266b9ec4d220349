// The last step of a session: the client learns the top-k logits (indices and values, by the
// comparison tree of nonlinear/pooling.hpp), or every logit if it asked; the server learns nothing.
#pragma once

#include <span>
#include <vector>

#include "engine/options.hpp"
#include "engine/session.hpp"
#include "model/quantized_graph.hpp"
#include "nonlinear/plan.hpp"
#include "nonlinear/session.hpp"

namespace twain::engine {

void serve_output(nonlinear::NonlinearSession& session, std::span<const uint64_t> logits,
                  const SessionOptions& options);
// Fills `top` (best first: options.top_k entries, or all when revealed) and, when revealed, `all`.
void receive_output(nonlinear::NonlinearSession& session, const model::QuantizedGraph& graph,
                    std::span<const uint64_t> logits, const SessionOptions& options, std::vector<ClassScore>& top,
                    std::vector<int64_t>& all);

void plan_output(nonlinear::Plan& plan, const model::QuantizedGraph& graph, const SessionOptions& options);

}  // namespace twain::engine
