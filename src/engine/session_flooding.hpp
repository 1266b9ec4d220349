// The flooding of a whole session (DESIGN.md section 1: 40 statistical bits for everything the
// client sees, he/flooding.hpp). Every response is flooded for R, the most responses the session
// carries; R comes from the plan of every linear layer, and the plans depend on R (wider flooding
// can move a layer to smaller responses), so both parties compute the same fixed point from the
// public description: plan with R, count the responses, and plan again with R = the count until
// the count fits. A layer whose responses cannot be flooded for R and still decrypt gets a larger
// share w of the session's distance (its responses are flooded for R / w and count w times), so
// the few layers with the largest weight noise take the budget the others do not need. The
// concentration kappa comes from the same fixed point: the plan's blocks give the factor its
// quadratic form needs (he::FloodLedger::concentration_needed), and the layers are planned again
// under it until the budget's kappa covers it.
#pragma once

#include <cstdint>
#include <vector>

#include "he/flooding.hpp"
#include "he/params.hpp"
#include "core/geometry.hpp"
#include "engine/options.hpp"
#include "model/quantized_graph.hpp"

namespace twain::engine {

// A linear op of the graph as linear/ runs it: the convolution (Gemm and ChannelAffine as theirs)
// and its public weight bound.
struct LinearLayer {
  std::size_t op = 0;  // index in graph.ops
  core::Conv2dGeometry shape;
  uint64_t weight_bound = 0;
};
std::vector<LinearLayer> linear_layers(const model::QuantizedGraph& graph);

struct SessionFlooding {
  he::FloodBudget budget;        // the session's target and its R (in shares of one response)
  std::vector<he::FloodBudget> layers;  // what each op's responses are flooded for, by op index
  uint64_t responses = 0;        // responses the plans send in all inferences (at most budget.responses)
  double coefficients = 0;       // revealed coefficients carrying weight noise
  double statistical_bits = 0;   // -log2 of the session's statistical distance (FloodLedger)
};

// inferences: how many times a session may run the whole graph (ModelPolicy::max_inferences):
// the client sees every response of every inference, so R counts them all.
// Throws CapacityError when a layer does not fit the parameters at this target (as its plan
// does), or when no fixed point is reached (a plan that keeps growing with its budget);
// InvalidArgument for inferences outside [1, kMaxInferences].
SessionFlooding plan_session_flooding(const model::QuantizedGraph& graph, const he::Context& context,
                                      int statistical_bits = he::kStatisticalSecurityBits, uint64_t inferences = 1);

// The flooding of the largest target in [1, statistical_bits] whose plans fit the parameters:
// a flooding width grows with the session's responses, and the widest response of a model must
// still decrypt exactly under Q, so large models with large weight bounds may reach fewer bits.
// Throws CapacityError when not even 1 bit fits.
SessionFlooding strongest_session_flooding(const model::QuantizedGraph& graph, const he::Context& context,
                                           int statistical_bits = he::kStatisticalSecurityBits,
                                           uint64_t inferences = 1);

}  // namespace twain::engine
