#include "ot/cot.hpp"

#include <algorithm>
#include <span>
#include <string>

#include "core/errors.hpp"
#include "ot/bit_range.hpp"

namespace twain::ot {
namespace {

std::size_t checked_batch(std::size_t batch) {
  TWAIN_REQUIRE(batch > 0, InvalidArgument, "COT: the batch size must be positive");
  return batch;
}

}  // namespace

CotSender::CotSender(net::Channel& channel, core::Prg& prg, std::size_t batch)
    : channel_(channel), batch_(checked_batch(batch)), extension_(channel, prg) {}

CotSenderBatch CotSender::get(std::size_t n) {
  CotSenderBatch out{produced_, delta(), std::vector<core::Block>(n)};
  std::size_t filled = 0;
  while (filled < n) {
    if (used_ == buffer_.size()) {
      // A whole batch still to go: extend straight into the output, else refill the buffer.
      // Either way every extension has batch_ OTs, so both ends stay in lockstep.
      if (n - filled >= batch_) {
        extension_.extend(std::span(out.q).subspan(filled, batch_));
        filled += batch_;
        continue;
      }
      buffer_.resize(batch_);
      extension_.extend(buffer_);
      used_ = 0;
    }
    const std::size_t take = std::min(n - filled, buffer_.size() - used_);
    std::copy_n(buffer_.begin() + static_cast<std::ptrdiff_t>(used_), take, out.q.begin() + static_cast<std::ptrdiff_t>(filled));
    used_ += take;
    filled += take;
  }
  produced_ += n;
  return out;
}

CotSenderBatch CotSender::get_chosen(std::size_t n) {
  CotSenderBatch out = get(n);
  const core::BitVector flips = recv_bits(channel_, n);
  for (std::size_t i = 0; i < n; ++i) {
    const uint64_t mask = 0 - static_cast<uint64_t>(flips.get(i));
    out.q[i] ^= core::Block{out.delta.lo & mask, out.delta.hi & mask};
  }
  return out;
}

CotReceiver::CotReceiver(net::Channel& channel, core::Prg& prg, std::size_t batch)
    : channel_(channel),
      batch_(checked_batch(batch)),
      prg_(prg.derive_seed()),
      extension_(channel, prg) {}

void CotReceiver::refill() {
  buffer_choices_ = core::BitVector::random(batch_, prg_);
  buffer_.resize(batch_);
  extension_.extend(buffer_choices_, buffer_);
  used_ = 0;
}

CotReceiverBatch CotReceiver::get(std::size_t n) {
  CotReceiverBatch out{produced_, core::BitVector(n), std::vector<core::Block>(n)};
  std::size_t filled = 0;
  while (filled < n) {
    if (used_ == buffer_.size()) {
      if (n - filled >= batch_) {
        const core::BitVector choices = core::BitVector::random(batch_, prg_);
        extension_.extend(choices, std::span(out.t).subspan(filled, batch_));
        copy_bits(choices, 0, out.choices, filled, batch_);
        filled += batch_;
        continue;
      }
      refill();
    }
    const std::size_t take = std::min(n - filled, buffer_.size() - used_);
    std::copy_n(buffer_.begin() + static_cast<std::ptrdiff_t>(used_), take, out.t.begin() + static_cast<std::ptrdiff_t>(filled));
    copy_bits(buffer_choices_, used_, out.choices, filled, take);
    used_ += take;
    filled += take;
  }
  produced_ += n;
  return out;
}

CotReceiverBatch CotReceiver::get(const core::BitVector& choices) {
  CotReceiverBatch out = get(choices.size());
  send_bits(channel_, out.choices ^ choices);
  channel_.flush();
  out.choices = choices;
  return out;
}

}  // namespace twain::ot
