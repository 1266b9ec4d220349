#include "nonlinear/pool.hpp"

#include <algorithm>
#include <string>

#include "core/errors.hpp"
#include "ot/bit_range.hpp"
#include "ot/cot_hash.hpp"
#include "ot/random_ot.hpp"

namespace twain::nonlinear {
namespace {

void require_left(std::size_t have, std::size_t used, std::size_t want, const char* what) {
  TWAIN_REQUIRE(have - used >= want, CapacityError,
                std::string("nonlinear online phase: ") + what + ": asked for " + std::to_string(want) +
                    ", " + std::to_string(have - used) +
                    " left from the offline phase (the plan did not count this call)");
}

void append_bits(core::BitVector& dst, const core::BitVector& src) {
  const std::size_t at = dst.size();
  dst.resize(at + src.size());
  ot::copy_bits(src, 0, dst, at, src.size());
}

core::BitVector take_bits(const core::BitVector& src, std::size_t first, std::size_t n) {
  core::BitVector out(n);
  ot::copy_bits(src, first, out, 0, n);
  return out;
}

}  // namespace

TripleWords Pool::take_triples(std::size_t words) {
  require_left(ta_.size(), triple_words_used_, words, "bit triples (words of 64)");
  const std::size_t at = triple_words_used_;
  triple_words_used_ += words;
  consumed_.triples += 64 * words;
  return {std::span<const uint64_t>(ta_).subspan(at, words), std::span<const uint64_t>(tb_).subspan(at, words),
          std::span<const uint64_t>(tc_).subspan(at, words)};
}

LeafOtSend Pool::take_leaf_send(std::size_t n) {
  TWAIN_REQUIRE(role_ == Role::kServer, InvalidArgument, "Pool: the client receives the leaf OTs");
  require_left(leaf0_.size(), leaf_used_, n, "leaf OTs");
  LeafOtSend out{take_bits(leaf0_, leaf_used_, n), take_bits(leaf1_, leaf_used_, n)};
  leaf_used_ += n;
  consumed_.leaf_ots += n;
  return out;
}

LeafOtReceive Pool::take_leaf_receive(std::size_t n) {
  TWAIN_REQUIRE(role_ == Role::kClient, InvalidArgument, "Pool: the server sends the leaf OTs");
  require_left(leaf0_.size(), leaf_used_, n, "leaf OTs");
  LeafOtReceive out{take_bits(leaf0_, leaf_used_, n), take_bits(leaf1_, leaf_used_, n)};
  leaf_used_ += n;
  consumed_.leaf_ots += n;
  return out;
}

CotSend Pool::take_cot_send(std::size_t n) {
  require_left(send0_.size(), send_used_, n, "correlated OTs (as sender)");
  const auto first = static_cast<std::ptrdiff_t>(send_used_);
  const auto last = first + static_cast<std::ptrdiff_t>(n);
  CotSend out{{send0_.begin() + first, send0_.begin() + last}, {send1_.begin() + first, send1_.begin() + last}};
  send_used_ += n;
  (role_ == Role::kServer ? consumed_.cots_forward : consumed_.cots_backward) += n;
  return out;
}

CotReceive Pool::take_cot_receive(std::size_t n) {
  require_left(receive_h_.size(), receive_used_, n, "correlated OTs (as receiver)");
  const auto first = static_cast<std::ptrdiff_t>(receive_used_);
  CotReceive out{take_bits(receive_choices_, receive_used_, n),
                 {receive_h_.begin() + first, receive_h_.begin() + first + static_cast<std::ptrdiff_t>(n)}};
  receive_used_ += n;
  (role_ == Role::kServer ? consumed_.cots_backward : consumed_.cots_forward) += n;
  return out;
}

Needs Pool::available() const {
  Needs n;
  n.triples = 64 * (ta_.size() - triple_words_used_);
  n.leaf_ots = leaf0_.size() - leaf_used_;
  const uint64_t sends = send0_.size() - send_used_;
  const uint64_t receives = receive_h_.size() - receive_used_;
  n.cots_forward = role_ == Role::kServer ? sends : receives;
  n.cots_backward = role_ == Role::kServer ? receives : sends;
  return n;
}

void Pool::add_triples(std::span<const uint64_t> a, std::span<const uint64_t> b, std::span<const uint64_t> c) {
  ta_.insert(ta_.end(), a.begin(), a.end());
  tb_.insert(tb_.end(), b.begin(), b.end());
  tc_.insert(tc_.end(), c.begin(), c.end());
}

void Pool::add_leaf_send(const core::BitVector& m0, const core::BitVector& m1) {
  append_bits(leaf0_, m0);
  append_bits(leaf1_, m1);
}

void Pool::add_leaf_receive(const core::BitVector& choices, const core::BitVector& m) {
  append_bits(leaf0_, choices);
  append_bits(leaf1_, m);
}

void Pool::add_cot_send(std::span<const uint64_t> h0, std::span<const uint64_t> h1) {
  send0_.insert(send0_.end(), h0.begin(), h0.end());
  send1_.insert(send1_.end(), h1.begin(), h1.end());
}

void Pool::add_cot_receive(const core::BitVector& choices, std::span<const uint64_t> h) {
  append_bits(receive_choices_, choices);
  receive_h_.insert(receive_h_.end(), h.begin(), h.end());
}

void Pool::release_consumed() {
  const auto drop = [](std::vector<uint64_t>& v, std::size_t used) {
    v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(used));
    v.shrink_to_fit();
  };
  const auto drop_bits = [](core::BitVector& v, std::size_t used) { v = take_bits(v, used, v.size() - used); };
  drop(ta_, triple_words_used_);
  drop(tb_, triple_words_used_);
  drop(tc_, triple_words_used_);
  triple_words_used_ = 0;
  drop_bits(leaf0_, leaf_used_);
  drop_bits(leaf1_, leaf_used_);
  leaf_used_ = 0;
  drop(send0_, send_used_);
  drop(send1_, send_used_);
  send_used_ = 0;
  drop_bits(receive_choices_, receive_used_);
  drop(receive_h_, receive_used_);
  receive_used_ = 0;
}

void Pool::clear() {
  const Needs used = consumed_;
  *this = Pool(role_);
  consumed_ = used;
}

OtSource::OtSource(Role role, net::Channel& channel, core::Prg& prg, Backend backend) : role_(role) {
  const bool server = role == Role::kServer;
  if (backend == Backend::kIknp) {
    if (server) {
      iknp_sender_.emplace(channel, prg);
      iknp_receiver_.emplace(channel, prg);
    } else {
      iknp_receiver_.emplace(channel, prg);
      iknp_sender_.emplace(channel, prg);
    }
    return;
  }
  const ot::FerretParams& params =
      backend == Backend::kFerret ? ot::kFerretRegular128 : ot::kFerretInsecureForTests;
  if (server) {
    ferret_sender_.emplace(channel, prg, params);
    ferret_receiver_.emplace(channel, prg, params);
  } else {
    ferret_receiver_.emplace(channel, prg, params);
    ferret_sender_.emplace(channel, prg, params);
  }
}

ot::CotSenderBatch OtSource::send(std::size_t n) {
  return iknp_sender_ ? iknp_sender_->get(n) : ferret_sender_->get(n);
}

ot::CotReceiverBatch OtSource::receive(std::size_t n) {
  return iknp_receiver_ ? iknp_receiver_->get(n) : ferret_receiver_->get(n);
}

void OtSource::next(std::size_t n, bool forward, std::optional<ot::CotSenderBatch>& s,
                    std::optional<ot::CotReceiverBatch>& r) {
  // This party sends in the forward direction iff it is the server.
  const bool sending = forward == (role_ == Role::kServer);
  if (sending) {
    s.emplace(send(n));
  } else {
    r.emplace(receive(n));
  }
}

void OtSource::bit_ots(uint64_t count, bool forward,
                       const std::function<void(uint64_t, const ot::BitOtSenderBatch&)>& sent,
                       const std::function<void(uint64_t, const ot::BitOtReceiverBatch&)>& received) {
  for (uint64_t done = 0; done < count;) {
    const std::size_t n = std::min<uint64_t>(kChunk, count - done);
    std::optional<ot::CotSenderBatch> s;
    std::optional<ot::CotReceiverBatch> r;
    next(n, forward, s, r);
    if (s) {
      sent(done, ot::random_bit_ot(*s));
    } else {
      received(done, ot::random_bit_ot(*r));
    }
    done += n;
  }
}

void OtSource::generate(const Needs& needs, Pool& pool) {
  TWAIN_REQUIRE(needs.triples % 64 == 0, InvalidArgument,
                "OtSource: triples come in words of 64, asked for " + std::to_string(needs.triples));
  // Triples (Beaver, CRYPTO 1991) from two random bit OTs, one in each direction (Asharov,
  // Lindell, Schneider and Zohner, CCS 2013): a = u, b = s0 ^ s1, c = (a & b) ^ s0 ^ s_u.
  // Every forward bit OT first, then every backward one: one change of direction whatever the
  // count (a Ferret end sends as it produces, so alternating would cost a flight per chunk).
  ot::BitOtSenderBatch sent{core::BitVector(needs.triples), core::BitVector(needs.triples)};
  ot::BitOtReceiverBatch received{core::BitVector(needs.triples), core::BitVector(needs.triples)};
  for (const bool forward : {true, false}) {
    bit_ots(
        needs.triples, forward,
        [&](uint64_t first, const ot::BitOtSenderBatch& bits) {
          ot::copy_bits(bits.m0, 0, sent.m0, first, bits.m0.size());
          ot::copy_bits(bits.m1, 0, sent.m1, first, bits.m1.size());
        },
        [&](uint64_t first, const ot::BitOtReceiverBatch& bits) {
          ot::copy_bits(bits.choices, 0, received.choices, first, bits.choices.size());
          ot::copy_bits(bits.m, 0, received.m, first, bits.m.size());
        });
  }
  const auto a = received.choices.words();
  std::vector<uint64_t> b(a.size()), c(a.size());
  for (std::size_t w = 0; w < a.size(); ++w) {
    const uint64_t s0 = sent.m0.words()[w];
    b[w] = s0 ^ sent.m1.words()[w];
    c[w] = (a[w] & b[w]) ^ s0 ^ received.m.words()[w];
  }
  pool.add_triples(a, b, c);
  bit_ots(
      needs.leaf_ots, true,
      [&](uint64_t, const ot::BitOtSenderBatch& bits) { pool.add_leaf_send(bits.m0, bits.m1); },
      [&](uint64_t, const ot::BitOtReceiverBatch& bits) {
        pool.add_leaf_receive(bits.choices, bits.m);
      });
  for (const bool forward : {true, false}) {
    const uint64_t total = forward ? needs.cots_forward : needs.cots_backward;
    for (uint64_t done = 0; done < total;) {
      const std::size_t n = std::min<uint64_t>(kChunk, total - done);
      std::optional<ot::CotSenderBatch> s;
      std::optional<ot::CotReceiverBatch> r;
      next(n, forward, s, r);
      if (s) {
        std::vector<uint64_t> h0(n), h1(n);
        ot::hash_sender_chunks(*s, [&](std::size_t first, std::size_t count, const core::Block* x0,
                                       const core::Block* x1) {
          for (std::size_t k = 0; k < count; ++k) {
            h0[first + k] = x0[k].lo;
            h1[first + k] = x1[k].lo;
          }
        });
        pool.add_cot_send(h0, h1);
      } else {
        std::vector<uint64_t> h(n);
        ot::hash_receiver_chunks(*r, [&](std::size_t first, std::size_t count, const core::Block* x) {
          for (std::size_t k = 0; k < count; ++k) h[first + k] = x[k].lo;
        });
        pool.add_cot_receive(r->choices, h);
      }
      done += n;
    }
  }
}

}  // namespace twain::nonlinear
