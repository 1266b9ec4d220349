#include "ot/ferret.hpp"

#include <algorithm>
#include <span>
#include <string>
#include <utility>

#include "core/errors.hpp"

namespace twain::ot {
namespace {

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

bool bootstraps_through_setup(const FerretParams& params) {
  return params.reserve() > kFerretSetup128.reserve() && kFerretSetup128.n() >= params.reserve();
}

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
      used_(params.n()) {
  bootstrap(prg);
}

void FerretCotSender::bootstrap(core::Prg& prg) {
  const bool staged = bootstraps_through_setup(params_);
  const std::size_t count = staged ? kFerretSetup128.reserve() : params_.reserve();
  CotSender iknp(channel_, prg, count);
  delta_ = iknp.delta();
  const std::vector<core::Block> q = iknp.get(count).q;
  BlockBuffer first(staged ? count : 0);
  BlockBuffer& target = staged ? first : base_;
  for (std::size_t i = 0; i < count; ++i) target[i] = q[i] & kNoLsb;
  if (!staged) return;
  const std::size_t k = kFerretSetup128.k;
  BlockBuffer out(kFerretSetup128.n());
  SpcotSender(kFerretSetup128.noise)
      .send(channel_, prg_, delta_, first.span().subspan(k), out.span(), pool_);
  LpnEncoder(kFerretSetup128.n(), k).encode(first.span().first(k), out.span(), pool_);
  std::copy_n(out.data(), params_.reserve(), base_.data());
}

void FerretCotSender::iterate() {
  const std::size_t k = params_.k;
  const std::span<const core::Block> base = base_.span();
  spcot_.send(channel_, prg_, delta_, base.subspan(k), buffer_.span(), pool_);
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
      used_(params.n()) {
  bootstrap(prg);
}

void FerretCotReceiver::bootstrap(core::Prg& prg) {
  const bool staged = bootstraps_through_setup(params_);
  const std::size_t count = staged ? kFerretSetup128.reserve() : params_.reserve();
  CotReceiver iknp(channel_, prg, count);
  const CotReceiverBatch cots = iknp.get(count);
  BlockBuffer first(staged ? count : 0);
  BlockBuffer& target = staged ? first : base_;
  for (std::size_t i = 0; i < count; ++i) {
    target[i] = (cots.t[i] & kNoLsb) ^ core::Block{cots.choices.get(i) ? 1U : 0U, 0};
  }
  if (!staged) return;
  const std::size_t k = kFerretSetup128.k;
  BlockBuffer out(kFerretSetup128.n());
  LpnEncoder(kFerretSetup128.n(), k).assign(first.span().first(k), out.span(), pool_);
  SpcotReceiver(kFerretSetup128.noise)
      .receive(channel_, first.span().subspan(k), out.span(), pool_);
  std::copy_n(out.data(), params_.reserve(), base_.data());
}

// The LPN product first, while the sender expands its trees; then the SPCOT leaves on top.
void FerretCotReceiver::iterate() {
  const std::size_t k = params_.k;
  const std::span<const core::Block> base = base_.span();
  code_.assign(base.first(k), buffer_.span(), pool_);
  spcot_.receive(channel_, base.subspan(k), buffer_.span(), pool_);
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
