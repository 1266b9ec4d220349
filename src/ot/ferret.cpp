#include "ot/ferret.hpp"

#include <algorithm>
#include <span>
#include <string>
#include <utility>

#include "core/errors.hpp"
#include "ot/bit_range.hpp"

namespace twain::ot {
namespace {

constexpr uint64_t kFirstSpcotTweak = uint64_t{1} << 63;

const FerretParams& checked(const FerretParams& params) {
  params.validate();
  return params;
}

}  // namespace

void FerretParams::validate() const {
  noise.validate();
  TWAIN_REQUIRE(k >= 128 && k < (std::size_t{1} << 32), InvalidArgument,
                "Ferret: k must be in [128, 2^32), got " + std::to_string(k));
  TWAIN_REQUIRE(reserve() < n(), InvalidArgument,
                "Ferret: an iteration of " + std::to_string(n()) + " COTs cannot refill its " +
                    std::to_string(reserve()) + " base COTs");
}

FerretCotSender::FerretCotSender(net::Channel& channel, core::Prg& prg, const FerretParams& params,
                                 core::ThreadPool* pool)
    : channel_(channel),
      params_(checked(params)),
      pool_(pool),
      prg_(prg.derive_seed()),
      spcot_(params.noise),
      code_(params.n(), params.k),
      buffer_(params.n()),
      used_(params.n()),
      tweak_(kFirstSpcotTweak) {
  CotSender iknp(channel, prg, params_.reserve());
  delta_ = iknp.delta();
  base_ = std::move(iknp.get(params_.reserve()).q);
}

void FerretCotSender::iterate() {
  const std::size_t k = params_.k;
  const std::span<const core::Block> base(base_);
  spcot_.send(channel_, prg_, delta_, base.subspan(k), tweak_, buffer_, pool_);
  tweak_ += params_.noise.base_cots();
  code_.encode(base.first(k), buffer_, pool_);
  std::copy_n(buffer_.begin(), params_.reserve(), base_.begin());
  used_ = params_.reserve();
}

CotSenderBatch FerretCotSender::get(std::size_t n) {
  CotSenderBatch out{produced_, delta_, std::vector<core::Block>(n)};
  for (std::size_t filled = 0; filled < n;) {
    if (used_ == buffer_.size()) iterate();
    const std::size_t take = std::min(n - filled, buffer_.size() - used_);
    std::copy_n(buffer_.begin() + static_cast<std::ptrdiff_t>(used_), take,
                out.q.begin() + static_cast<std::ptrdiff_t>(filled));
    used_ += take;
    filled += take;
  }
  produced_ += n;
  return out;
}

FerretCotReceiver::FerretCotReceiver(net::Channel& channel, core::Prg& prg,
                                     const FerretParams& params, core::ThreadPool* pool)
    : channel_(channel),
      params_(checked(params)),
      pool_(pool),
      spcot_(params.noise),
      code_(params.n(), params.k),
      buffer_(params.n()),
      buffer_choices_(params.n()),
      used_(params.n()),
      tweak_(kFirstSpcotTweak) {
  CotReceiver iknp(channel, prg, params_.reserve());
  CotReceiverBatch first = iknp.get(params_.reserve());
  base_ = std::move(first.t);
  base_choices_ = std::move(first.choices);
}

void FerretCotReceiver::iterate() {
  const std::size_t k = params_.k;
  const std::span<const core::Block> base(base_);
  std::fill(buffer_choices_.words().begin(), buffer_choices_.words().end(), 0);
  spcot_.receive(channel_, base_choices_, k, base.subspan(k), tweak_, buffer_, buffer_choices_,
                 pool_);
  tweak_ += params_.noise.base_cots();
  code_.encode(base.first(k), base_choices_.words(), buffer_, buffer_choices_, pool_);
  std::copy_n(buffer_.begin(), params_.reserve(), base_.begin());
  copy_bits(buffer_choices_, 0, base_choices_, 0, params_.reserve());
  used_ = params_.reserve();
}

CotReceiverBatch FerretCotReceiver::get(std::size_t n) {
  CotReceiverBatch out{produced_, core::BitVector(n), std::vector<core::Block>(n)};
  for (std::size_t filled = 0; filled < n;) {
    if (used_ == buffer_.size()) iterate();
    const std::size_t take = std::min(n - filled, buffer_.size() - used_);
    std::copy_n(buffer_.begin() + static_cast<std::ptrdiff_t>(used_), take,
                out.t.begin() + static_cast<std::ptrdiff_t>(filled));
    copy_bits(buffer_choices_, used_, out.choices, filled, take);
    used_ += take;
    filled += take;
  }
  produced_ += n;
  return out;
}

}  // namespace twain::ot
