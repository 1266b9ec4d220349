#include "engine/server_model.hpp"

#include <algorithm>
#include <chrono>

#include "core/errors.hpp"
#include "engine/linear_shapes.hpp"
#include "engine/model_description.hpp"
#include "model/ring.hpp"

namespace twain::engine {

ServerModel::ServerModel(model::QuantizedGraph graph, std::string card, std::size_t kernel_cache_bytes)
    : graph_(std::move(graph)), card_(std::move(card)) {
  const auto start = std::chrono::steady_clock::now();
  TWAIN_REQUIRE(card_.size() <= kMaxCardBytes, InvalidArgument,
                "the model card has " + std::to_string(card_.size()) + " bytes, more than " +
                    std::to_string(kMaxCardBytes));
  graph_.validate();
  description_ = describe_public(graph_);
  context_ = he::Context::create(he::Parameters::standard(graph_.ring_bits));
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
  for (const model::QOp& op : graph_.ops) {
    auto server = std::make_unique<LinearServer>();
    const std::size_t left = kernel_cache_bytes - std::min(kernel_cache_bytes, cached);
    if (const auto* conv = std::get_if<model::qop::Conv2d>(&op.op)) {
      account(server->emplace<linear::Conv2dServer>(context_, conv_shape(*conv), conv->weights, conv->weight_bound,
                                                    left));
    } else if (const auto* gemm = std::get_if<model::qop::Gemm>(&op.op)) {
      account(server->emplace<linear::FullyConnectedServer>(context_, gemm_shape(*gemm), gemm->weights,
                                                            gemm->weight_bound, left)
                  .convolution());
    } else if (const auto* affine = std::get_if<model::qop::ChannelAffine>(&op.op)) {
      std::vector<uint64_t> shift;
      for (int64_t s : affine->shift) shift.push_back(model::to_ring(s, graph_.ring_bits));
      account(server->emplace<linear::BatchNormServer>(context_, affine_shape(graph_, op), affine->scale, shift,
                                                       affine->scale_bound, left)
                  .convolution());
    }
    linear_.push_back(std::move(server));
  }
  preprocess_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace twain::engine
