#include "ot/ferret.hpp"

#include <algorithm>
#include <span>
#include <string>
#include <utility>

#include "core/errors.hpp"
#include "ot/bit_range.hpp"

namespace twain::ot {
namespace {

constexpr core::Block kNoLsb{~uint64_t{1}, ~uint64_t{0}};

const FerretParams& checked(const FerretParams& params) {
  params.validate();
  return params;
}

// Rows per segment and thread (16 MiB). Measured on the project's VM (ferret_rot_total): the
// LPN product runs about 1.4x faster per row in segments of 2^20 rows than of 2^14, where the
// trees and the hashing between segments keep disturbing its cache state; larger segments gain
// nothing more and only take memory.
constexpr std::size_t kSegmentRows = std::size_t{1} << 20;

}  // namespace

namespace detail {

FerretOutput::FerretOutput(const FerretParams& params, const core::ThreadPool* pool)
    : params_(params),
      segment_trees_(std::min(params.noise.trees,
                              std::max<std::size_t>(1, kSegmentRows >> params.noise.depth) *
                                  (pool != nullptr ? pool->size() : 1))),
      base_(params.reserve()),
      next_base_(params.reserve()),
      segment_(segment_trees_ << params.noise.depth) {}

std::span<core::Block> FerretOutput::rows() {
  const std::size_t trees = std::min(segment_trees_, params_.noise.trees - next_tree_);
  return segment_.span().first(trees << params_.noise.depth);
}

void FerretOutput::finish_segment() {
  const std::size_t first = first_row();
  const std::size_t size = rows().size();
  const std::size_t reserve = params_.reserve();
  const std::size_t kept = first < reserve ? std::min(reserve - first, size) : 0;
  std::copy_n(segment_.data(), kept, next_base_.data() + first);
  used_ = kept;
  ready_ = size;
  next_tree_ += size >> params_.noise.depth;
  if (next_tree_ == params_.noise.trees) {
    std::swap(base_, next_base_);
    next_tree_ = 0;
  }
}

}  // namespace detail

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
      out_(params, pool) {
  bootstrap(prg);
}

void FerretCotSender::bootstrap(core::Prg& prg) {
  const bool staged = bootstraps_through_setup(params_);
  const std::size_t count = staged ? kFerretSetup128.reserve() : params_.reserve();
  CotSender iknp(channel_, prg, count);
  delta_ = iknp.delta();
  const std::vector<core::Block> q = iknp.get(count).q;
  BlockBuffer first(staged ? count : 0);
  const std::span<core::Block> target = staged ? first.span() : out_.base();
  for (std::size_t i = 0; i < count; ++i) target[i] = q[i] & kNoLsb;
  if (!staged) return;
  const std::size_t k = kFerretSetup128.k;
  BlockBuffer out(kFerretSetup128.n());
  SpcotSender(kFerretSetup128.noise)
      .send(channel_, prg_, delta_, first.span().subspan(k), out.span(), pool_);
  LpnEncoder(kFerretSetup128.n(), k).encode(first.span().first(k), out.span(), pool_);
  std::copy_n(out.data(), params_.reserve(), out_.base().data());
}

void FerretCotSender::produce_segment() {
  const std::size_t k = params_.k;
  const std::span<const core::Block> base = out_.base();
  if (out_.first_tree() == 0) spcot_.begin(channel_, prg_, delta_);
  const std::span<core::Block> rows = out_.rows();
  spcot_.send_trees(channel_, base.subspan(k), rows, pool_);
  code_.encode_rows(base.first(k), out_.first_row(), rows, pool_);
  out_.finish_segment();
}

CotSenderBatch FerretCotSender::get(std::size_t n) {
  CotSenderBatch out{out_.produced(), delta_, huge_vector<core::Block>(n)};
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
      out_(params, pool) {
  bootstrap(prg);
}

void FerretCotReceiver::bootstrap(core::Prg& prg) {
  const bool staged = bootstraps_through_setup(params_);
  const std::size_t count = staged ? kFerretSetup128.reserve() : params_.reserve();
  CotReceiver iknp(channel_, prg, count);
  const CotReceiverBatch cots = iknp.get(count);
  BlockBuffer first(staged ? count : 0);
  const std::span<core::Block> target = staged ? first.span() : out_.base();
  for (std::size_t i = 0; i < count; ++i) {
    target[i] = (cots.t[i] & kNoLsb) ^ core::Block{cots.choices.get(i) ? 1U : 0U, 0};
  }
  if (!staged) return;
  const std::size_t k = kFerretSetup128.k;
  BlockBuffer out(kFerretSetup128.n());
  LpnEncoder(kFerretSetup128.n(), k).assign(first.span().first(k), out.span(), pool_);
  SpcotReceiver(kFerretSetup128.noise)
      .receive(channel_, first.span().subspan(k), out.span(), pool_);
  std::copy_n(out.data(), params_.reserve(), out_.base().data());
}

void FerretCotReceiver::produce_segment() {
  const std::size_t k = params_.k;
  const std::span<const core::Block> base = out_.base();
  if (out_.first_tree() == 0) spcot_.begin(channel_);
  const std::span<core::Block> rows = out_.rows();
  code_.assign_rows(base.first(k), out_.first_row(), rows, pool_);
  spcot_.receive_trees(channel_, base.subspan(k), rows, pool_);
  out_.finish_segment();
}

CotReceiverBatch FerretCotReceiver::get(std::size_t n) {
  CotReceiverBatch out{out_.produced(), core::BitVector(n), huge_vector<core::Block>(n)};
  consume(n, [&](uint64_t, std::span<const core::Block> t) {
    put_low_bits(t.data(), t.size(), out.choices, out.t.size());
    out.t.insert(out.t.end(), t.begin(), t.end());
  });
  return out;
}

}  // namespace twain::ot
