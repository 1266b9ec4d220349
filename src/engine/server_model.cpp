#include "engine/server_model.hpp"

#include <algorithm>
#include <chrono>

#include "core/errors.hpp"
#include "engine/linear_shapes.hpp"
#include "engine/model_description.hpp"
#include "engine/options.hpp"
#include "model/ring.hpp"

namespace twain::engine {

ServedDescription describe_for_serving(const model::QuantizedGraph& graph, const he::Context& context,
                                       const ModelPolicy& policy, const SessionFlooding* known) {
  ServedDescription d;
  d.flooding = known != nullptr ? *known
                                : strongest_session_flooding(graph, context, policy.statistical_bits, policy.max_inferences);
  TWAIN_REQUIRE(d.flooding.layers.size() == graph.ops.size(), InvalidArgument,
                "the session flooding covers " + std::to_string(d.flooding.layers.size()) + " ops, the graph has " +
                    std::to_string(graph.ops.size()));
  TWAIN_REQUIRE(d.flooding.budget.statistical_bits >= policy.min_statistical_bits, PolicyError,
                "this model's sessions reach " + std::to_string(d.flooding.budget.statistical_bits) +
                    " bits of statistical security at most (the flooding that hides its weights must decrypt "
                    "under the HE parameters), below the required " +
                    std::to_string(policy.min_statistical_bits) +
                    ": lower the public weight bound (--weight-bits), allow fewer inferences per session "
                    "(--max-images) or accept fewer bits (--min-statistical-bits)");
  d.policy = {d.flooding.budget.statistical_bits, policy.max_top_k, policy.allow_logits, policy.max_inferences};
  d.bytes = describe_public(graph, d.policy, policy.send_names);
  return d;
}

ServerModel::ServerModel(model::QuantizedGraph graph, std::string card, const ModelPolicy& policy)
    : graph_(std::move(graph)), model_policy_(policy), card_(std::move(card)) {
  prepare(nullptr);
}

ServerModel::ServerModel(model::QuantizedGraph graph, std::string card, const ModelPolicy& policy,
                         PreparedKernels prepared)
    : graph_(std::move(graph)), model_policy_(policy), storage_(std::move(prepared.storage)), card_(std::move(card)) {
  TWAIN_REQUIRE(prepared.layers.size() == graph_.ops.size(), InvalidArgument,
                "prepared kernels for " + std::to_string(prepared.layers.size()) + " ops, the graph has " +
                    std::to_string(graph_.ops.size()));
  prepare(&prepared);
  // Each linear layer now holds what it needs (its kernels, or its own copy of the weights to
  // transform on use): the graph's copy would only double the process's private memory.
  for (model::QOp& op : graph_.ops) {
    if (auto* conv = std::get_if<model::qop::Conv2d>(&op.op)) {
      conv->weights = {};
    } else if (auto* gemm = std::get_if<model::qop::Gemm>(&op.op)) {
      gemm->weights = {};
    } else if (auto* affine = std::get_if<model::qop::ChannelAffine>(&op.op)) {
      affine->scale = {};
    }
  }
}

void ServerModel::prepare(const PreparedKernels* prepared) {
  const ModelPolicy& policy = model_policy_;
  const std::size_t kernel_cache_bytes = policy.kernel_cache_bytes;
  TWAIN_REQUIRE(policy.max_top_k >= 1 && policy.max_top_k <= kMaxTopK, InvalidArgument,
                "max_top_k = " + std::to_string(policy.max_top_k) + " outside [1, " + std::to_string(kMaxTopK) + "]");
  TWAIN_REQUIRE(policy.max_inferences >= 1 && policy.max_inferences <= kMaxInferences, InvalidArgument,
                "max_inferences = " + std::to_string(policy.max_inferences) + " outside [1, " +
                    std::to_string(kMaxInferences) + "]");
  TWAIN_REQUIRE(policy.statistical_bits >= 1 && policy.statistical_bits <= 128 &&
                    policy.min_statistical_bits >= 1 && policy.min_statistical_bits <= policy.statistical_bits,
                InvalidArgument,
                "statistical security: need 1 <= minimum (" + std::to_string(policy.min_statistical_bits) +
                    ") <= target (" + std::to_string(policy.statistical_bits) + ") <= 128");
  const auto start = std::chrono::steady_clock::now();
  TWAIN_REQUIRE(card_.size() <= kMaxCardBytes, InvalidArgument,
                "the model card has " + std::to_string(card_.size()) + " bytes, more than " +
                    std::to_string(kMaxCardBytes));
  graph_.validate();
  context_ = he::Context::create(he::Parameters::standard(graph_.ring_bits));
  ServedDescription served =
      describe_for_serving(graph_, *context_, policy, prepared != nullptr ? &prepared->flooding : nullptr);
  flooding_ = served.flooding;
  public_policy_ = served.policy;
  description_ = std::move(served.bytes);
  fingerprint_ = model_fingerprint(description_, card_);
  std::size_t cached = 0;
  // Kernel memory goes to layers in graph order while it lasts.
  const auto account = [&](const linear::Conv2dServer& layer) {
    kernel_bytes_ += layer.kernel_bytes();
    if (layer.precomputed()) {
      cached += layer.kernel_bytes();
    } else {
      ++on_demand_layers_;
    }
  };
  for (std::size_t i = 0; i < graph_.ops.size(); ++i) {
    const model::QOp& op = graph_.ops[i];
    const he::FloodBudget& budget = flooding_.layers[i];
    auto server = std::make_unique<LinearServer>();
    const bool prepared_here = prepared != nullptr;
    const std::size_t left = prepared != nullptr ? 0 : kernel_cache_bytes - std::min(kernel_cache_bytes, cached);
    const auto kernels = [&]() -> const linear::PreparedLayer& {
      TWAIN_REQUIRE(prepared->layers[i].has_value(), InvalidArgument,
                    "nothing prepared for the linear op " + std::to_string(i));
      return *prepared->layers[i];
    };
    if (const auto* conv = std::get_if<model::qop::Conv2d>(&op.op)) {
      account(prepared_here
                  ? server->emplace<linear::Conv2dServer>(context_, conv->shape, conv->weight_bound, budget, kernels())
                  : server->emplace<linear::Conv2dServer>(context_, conv->shape, conv->weights, conv->weight_bound,
                                                          left, budget));
    } else if (const auto* gemm = std::get_if<model::qop::Gemm>(&op.op)) {
      account((prepared_here ? server->emplace<linear::FullyConnectedServer>(context_, gemm_shape(*gemm),
                                                                                   gemm->weight_bound, budget, kernels())
                                   : server->emplace<linear::FullyConnectedServer>(
                                         context_, gemm_shape(*gemm), gemm->weights, gemm->weight_bound, left, budget))
                  .convolution());
    } else if (const auto* affine = std::get_if<model::qop::ChannelAffine>(&op.op)) {
      std::vector<uint64_t> shift;
      for (int64_t s : affine->shift) shift.push_back(model::to_ring(s, graph_.ring_bits));
      account((prepared_here
                   ? server->emplace<linear::BatchNormServer>(context_, affine_shape(graph_, op), shift,
                                                              affine->scale_bound, budget, kernels())
                   : server->emplace<linear::BatchNormServer>(context_, affine_shape(graph_, op), affine->scale, shift,
                                                              affine->scale_bound, left, budget))
                  .convolution());
    } else {
      TWAIN_REQUIRE(prepared == nullptr || !prepared->layers[i].has_value(), InvalidArgument,
                    "prepared kernels for op " + std::to_string(i) + ", which has no linear layer");
    }
    linear_.push_back(std::move(server));
  }
  preprocess_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace twain::engine
