#include "linear/fully_connected.hpp"

#include <utility>

#include "core/errors.hpp"

namespace twain::linear {
namespace {

void require_features(int value, const char* field) {
  TWAIN_REQUIRE(value >= 1 && value <= core::kMaxExtent, InvalidArgument,
                std::string("FullyConnectedShape: ") + field + " = " + std::to_string(value) + " is outside [1, " +
                    std::to_string(core::kMaxExtent) + "]");
}

}  // namespace

void FullyConnectedShape::validate() const {
  require_features(in_features, "in_features");
  require_features(out_features, "out_features");
}

core::Conv2dGeometry FullyConnectedShape::as_conv2d() const {
  validate();
  return {in_features, 1, 1, out_features, 1, 1, 1, 1, 0, 0, 0, 0, 1};
}

std::string FullyConnectedShape::describe() const {
  return "FullyConnected " + std::to_string(in_features) + " -> " + std::to_string(out_features);
}

FullyConnectedServer::FullyConnectedServer(he::ContextPtr context, const FullyConnectedShape& shape,
                                           std::span<const int64_t> weights, uint64_t weight_bound,
                                           std::size_t precompute_limit_bytes, const he::FloodBudget& budget)
    : conv_(std::move(context), shape.as_conv2d(), weights, weight_bound, precompute_limit_bytes, budget) {}

FullyConnectedServer::FullyConnectedServer(he::ContextPtr context, const FullyConnectedShape& shape,
                                           uint64_t weight_bound, const he::FloodBudget& budget,
                                           const PreparedLayer& prepared)
    : conv_(std::move(context), shape.as_conv2d(), weight_bound, budget, prepared) {}

std::vector<uint64_t> FullyConnectedServer::run(net::Channel& channel, const he::PublicKey& pk,
                                                std::span<const uint64_t> server_share, core::Prg& prg,
                                                core::ThreadPool* pool) const {
  return conv_.run(channel, pk, server_share, prg, pool);
}

FullyConnectedClient::FullyConnectedClient(he::ContextPtr context, const FullyConnectedShape& shape,
                                           uint64_t weight_bound, const he::FloodBudget& budget)
    : conv_(std::move(context), shape.as_conv2d(), weight_bound, budget) {}

std::vector<uint64_t> FullyConnectedClient::run(net::Channel& channel, const he::SecretKey& sk,
                                                std::span<const uint64_t> client_share, core::Prg& prg,
                                                core::ThreadPool* pool) const {
  return conv_.run(channel, sk, client_share, prg, pool);
}

}  // namespace twain::linear
