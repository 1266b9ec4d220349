#include "engine/session_flooding.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/errors.hpp"
#include "engine/linear_shapes.hpp"
#include "linear/group_merge.hpp"

namespace twain::engine {
namespace {

// R and kappa only grow from round to round, and wider flooding moves few layers to smaller
// responses: a plan that has not settled after this many rounds, or whose shares average more
// than kMaxAverageShare per response (a few layers taking ever more of a growing budget), will not.
constexpr int kMaxRounds = 12;
// kappa is planned in quarters (exact in binary, so both parties compute the same widths).
constexpr double kConcentrationStep = 0.25;
constexpr uint64_t kMaxAverageShare = 16;

}  // namespace

std::vector<LinearLayer> linear_layers(const model::QuantizedGraph& graph) {
  std::vector<LinearLayer> layers;
  for (std::size_t i = 0; i < graph.ops.size(); ++i) {
    const model::QOp& op = graph.ops[i];
    if (const auto* conv = std::get_if<model::qop::Conv2d>(&op.op)) {
      layers.push_back({i, conv->shape, conv->weight_bound});
    } else if (const auto* gemm = std::get_if<model::qop::Gemm>(&op.op)) {
      layers.push_back({i, gemm_shape(*gemm).as_conv2d(), gemm->weight_bound});
    } else if (const auto* affine = std::get_if<model::qop::ChannelAffine>(&op.op)) {
      layers.push_back({i, affine_shape(graph, op).as_conv2d(), affine->scale_bound});
    }
  }
  return layers;
}

SessionFlooding plan_session_flooding(const model::QuantizedGraph& graph, const he::Context& context,
                                      int statistical_bits, uint64_t inferences) {
  TWAIN_REQUIRE(inferences >= 1 && inferences <= kMaxInferences, InvalidArgument,
                "inferences per session = " + std::to_string(inferences) + " outside [1, " +
                    std::to_string(kMaxInferences) + "]");
  const std::vector<LinearLayer> layers = linear_layers(graph);
  // kappa starts at its least; the plan's own blocks say how much it needs (he/flooding.hpp).
  he::FloodBudget budget{statistical_bits, 1, 1.0};
  std::vector<uint64_t> shares(layers.size(), 1);
  std::vector<he::FloodBudget> by_op(graph.ops.size(), budget);
  for (int round = 0; round < kMaxRounds; ++round) {
    he::FloodLedger ledger;
    uint64_t needed = 0;
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const LinearLayer& layer = layers[l];
      for (;;) {
        // Flooded for R / w (rounded up: each response's part of the distance stays within w / R).
        const he::FloodBudget mine{statistical_bits, (budget.responses + shares[l] - 1) / shares[l],
                                   budget.concentration};
        try {
          const linear::Conv2dPlan plan = linear::plan_layer(layer.shape, context, layer.weight_bound, mine);
          // A layer that fits only with a share w has a capacity near R / w; if its own responses
          // times w exceed R it needs more than its own responses' worth of budget, and a larger
          // R only raises w with it: no fixed point exists at this target.
          if (shares[l] > 1 && inferences * plan.responses() * shares[l] > budget.responses)
            throw CapacityError(layer.shape.describe() + ": its flooding for a session of " +
                                std::to_string(budget.responses) + " responses does not decrypt at 2^-" +
                                std::to_string(statistical_bits));
          plan.account(context, ledger);
          needed += inferences * plan.responses() * shares[l];
          by_op[layer.op] = mine;
          break;
        } catch (const CapacityError&) {
          if (shares[l] >= budget.responses) throw;
          shares[l] *= 2;
        }
      }
    }
    ledger.repeat(inferences);
    const double concentration = ledger.concentration_needed();
    if (needed <= budget.responses && concentration <= budget.concentration) {
      // The analysis of he/flooding.hpp guarantees this unless the tails of 2^57 or more revealed
      // coefficients add up.
      TWAIN_REQUIRE(ledger.statistical_bits() >= statistical_bits, CapacityError,
                    "the session's " + std::to_string(ledger.coefficients()) +
                        " revealed coefficients leave 2^-" + std::to_string(ledger.statistical_bits()) +
                        " statistical distance, short of 2^-" + std::to_string(statistical_bits));
      return {budget, by_op, ledger.responses(), ledger.coefficients(), ledger.statistical_bits()};
    }
    if (needed > kMaxAverageShare * ledger.responses()) break;
    budget.responses = std::max(budget.responses, needed);
    if (concentration > budget.concentration)
      budget.concentration = std::min(he::kTailFactor * he::kTailFactor,
                                      std::ceil(concentration / kConcentrationStep) * kConcentrationStep);
  }
  throw CapacityError("the session's flooding budget did not settle after " + std::to_string(kMaxRounds) +
                      " rounds of planning (" + std::to_string(budget.responses) + " responses)");
}

SessionFlooding strongest_session_flooding(const model::QuantizedGraph& graph, const he::Context& context,
                                           int statistical_bits, uint64_t inferences) {
  for (int s = statistical_bits; s >= 1; --s) {
    try {
      return plan_session_flooding(graph, context, s, inferences);
    } catch (const CapacityError&) {
      if (s == 1) throw;
    }
  }
  throw CapacityError("no statistical security target fits the parameters");
}

}  // namespace twain::engine
