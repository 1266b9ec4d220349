#include "ot/ferret.hpp"

#include <algorithm>
#include <span>
#include <string>
#include <utility>

#include "core/errors.hpp"

namespace twain::ot {
namespace {

constexpr uint64_t kFirstSpcotTweak = uint64_t{1} << 63;
constexpr core::Block kNoLsb{~uint64_t{1}, ~uint64_t{0}};

const FerretParams& checked(const FerretParams& params) {
  params.validate();
  return params;
}

// Bits [first, first + n) of `bits` (zero on entry) from the low bits of t[0..n).
void low_bits(const core::Block* t, std::size_t n, core::BitVector& bits, std::size_t first) {
  const auto words = bits.words();
  for (std::size_t k = 0; k < n; ++k) {
    words[(first + k) / 64] |= (t[k].lo & 1U) << ((first + k) % 64);
  }
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
      base_(params.reserve()),
      buffer_(params.n()),
      used_(params.n()),
      tweak_(kFirstSpcotTweak) {
  CotSender iknp(channel, prg, params_.reserve());
  delta_ = iknp.delta();
  const std::vector<core::Block> q = iknp.get(params_.reserve()).q;
  for (std::size_t i = 0; i < q.size(); ++i) base_[i] = q[i] & kNoLsb;
}

void FerretCotSender::iterate() {
  const std::size_t k = params_.k;
  const std::span<const core::Block> base = base_.span();
  spcot_.send(channel_, prg_, delta_, base.subspan(k), tweak_, buffer_.span(), pool_);
  tweak_ += params_.noise.base_cots();
  code_.encode(base.first(k), buffer_.span(), pool_);
  std::copy_n(buffer_.data(), params_.reserve(), base_.data());
  used_ = params_.reserve();
}

CotSenderBatch FerretCotSender::get(std::size_t n) {
  CotSenderBatch out{produced_, delta_, huge_vector<core::Block>(n)};
  consume(n, [&](uint64_t, std::span<const core::Block> q) {
    out.q.insert(out.q.end(), q.begin(), q.end());
  });
  return out;
}

FerretCotReceiver::FerretCotReceiver(net::Channel& channel, core::Prg& prg,
                                     const FerretParams& params, core::ThreadPool* pool)
    : channel_(channel),
      params_(checked(params)),
      pool_(pool),
      spcot_(params.noise),
      code_(params.n(), params.k),
      base_(params.reserve()),
      buffer_(params.n()),
      used_(params.n()),
      tweak_(kFirstSpcotTweak) {
  CotReceiver iknp(channel, prg, params_.reserve());
  const CotReceiverBatch first = iknp.get(params_.reserve());
  for (std::size_t i = 0; i < first.t.size(); ++i) {
    base_[i] = (first.t[i] & kNoLsb) ^ core::Block{first.choices.get(i) ? 1U : 0U, 0};
  }
}

void FerretCotReceiver::iterate() {
  const std::size_t k = params_.k;
  const std::span<const core::Block> base = base_.span();
  spcot_.receive(channel_, base.subspan(k), tweak_, buffer_.span(), pool_);
  tweak_ += params_.noise.base_cots();
  code_.encode(base.first(k), buffer_.span(), pool_);
  std::copy_n(buffer_.data(), params_.reserve(), base_.data());
  used_ = params_.reserve();
}

CotReceiverBatch FerretCotReceiver::get(std::size_t n) {
  CotReceiverBatch out{produced_, core::BitVector(n), huge_vector<core::Block>(n)};
  consume(n, [&](uint64_t, std::span<const core::Block> t) {
    low_bits(t.data(), t.size(), out.choices, out.t.size());
    out.t.insert(out.t.end(), t.begin(), t.end());
  });
  return out;
}

}  // namespace twain::ot
