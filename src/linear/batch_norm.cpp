#include "linear/batch_norm.hpp"

#include <algorithm>
#include <utility>

#include "core/errors.hpp"

namespace twain::linear {
namespace {

void require_extent(int value, const char* field) {
  TWAIN_REQUIRE(value >= 1 && value <= core::kMaxExtent, InvalidArgument,
                std::string("BatchNormShape: ") + field + " = " + std::to_string(value) + " is outside [1, " +
                    std::to_string(core::kMaxExtent) + "]");
}

}  // namespace

void BatchNormShape::validate() const {
  require_extent(channels, "channels");
  require_extent(height, "height");
  require_extent(width, "width");
}

core::Conv2dGeometry BatchNormShape::as_conv2d() const {
  validate();
  return {channels, height, width, channels, 1, 1, 1, 1, 0, 0, 0, 0, channels};
}

std::size_t BatchNormShape::size() const {
  return static_cast<std::size_t>(channels) * static_cast<std::size_t>(height) * static_cast<std::size_t>(width);
}

std::string BatchNormShape::describe() const {
  return "BatchNorm " + std::to_string(channels) + "x" + std::to_string(height) + "x" + std::to_string(width);
}

BatchNormServer::BatchNormServer(he::ContextPtr context, const BatchNormShape& shape, std::span<const int64_t> scale,
                                 std::span<const uint64_t> shift, uint64_t scale_bound,
                                 std::size_t precompute_limit_bytes, const he::FloodBudget& budget)
    : shape_(shape),
      plain_mask_(context->plain_mask()),
      shift_(shift.begin(), shift.end()),
      conv_(std::move(context), shape.as_conv2d(), scale, scale_bound, precompute_limit_bytes, budget) {
  check_shift();
}

BatchNormServer::BatchNormServer(he::ContextPtr context, const BatchNormShape& shape, std::span<const uint64_t> shift,
                                 uint64_t scale_bound, const he::FloodBudget& budget, const PreparedLayer& prepared)
    : shape_(shape),
      plain_mask_(context->plain_mask()),
      shift_(shift.begin(), shift.end()),
      conv_(std::move(context), shape.as_conv2d(), scale_bound, budget, prepared) {
  check_shift();
}

void BatchNormServer::check_shift() const {
  TWAIN_REQUIRE(shift_.size() == static_cast<std::size_t>(shape_.channels), InvalidArgument,
                "BatchNormServer: " + std::to_string(shift_.size()) + " shifts where " + shape_.describe() +
                    " takes " + std::to_string(shape_.channels));
  const auto wide = std::find_if(shift_.begin(), shift_.end(), [&](uint64_t s) { return s > plain_mask_; });
  TWAIN_REQUIRE(wide == shift_.end(), InvalidArgument,
                "BatchNormServer: shift " + std::to_string(wide - shift_.begin()) +
                    " is not below the plaintext modulus");
}

std::vector<uint64_t> BatchNormServer::run(net::Channel& channel, const he::PublicKey& pk,
                                           std::span<const uint64_t> server_share, core::Prg& prg,
                                           core::ThreadPool* pool) const {
  TWAIN_REQUIRE(server_share.size() == shape_.size(), InvalidArgument,
                "BatchNormServer: share of " + std::to_string(server_share.size()) + " values where " +
                    shape_.describe() + " takes " + std::to_string(shape_.size()));
  std::vector<uint64_t> share = conv_.run(channel, pk, server_share, prg, pool);
  const std::size_t plane = static_cast<std::size_t>(shape_.height) * static_cast<std::size_t>(shape_.width);
  for (std::size_t i = 0; i < share.size(); ++i) share[i] = (share[i] + shift_[i / plane]) & plain_mask_;
  return share;
}

BatchNormClient::BatchNormClient(he::ContextPtr context, const BatchNormShape& shape, uint64_t scale_bound,
                                 const he::FloodBudget& budget)
    : conv_(std::move(context), shape.as_conv2d(), scale_bound, budget) {}

std::vector<uint64_t> BatchNormClient::run(net::Channel& channel, const he::SecretKey& sk,
                                           std::span<const uint64_t> client_share, core::Prg& prg,
                                           core::ThreadPool* pool) const {
  return conv_.run(channel, sk, client_share, prg, pool);
}

}  // namespace twain::linear
