#include "ot/bit_triples.hpp"

#include <algorithm>

#include "core/errors.hpp"
#include "ot/bit_range.hpp"

namespace twain::ot {

BitTripleProvider::BitTripleProvider(Party party, net::Channel& channel, core::Prg& prg,
                                     std::size_t batch)
    : party_(party), batch_(batch) {
  TWAIN_REQUIRE(batch > 0, InvalidArgument, "BitTripleProvider: the batch must hold at least one triple");
  if (party_ == Party::kFirst) {
    sender_.emplace(channel, prg, batch);
    receiver_.emplace(channel, prg, batch);
  } else {
    receiver_.emplace(channel, prg, batch);
    sender_.emplace(channel, prg, batch);
  }
}

BitTripleProvider::BitTripleProvider(Party party, net::Channel& channel, core::Prg& prg, const FerretParams& params,
                                     std::size_t batch)
    : party_(party), batch_(batch) {
  TWAIN_REQUIRE(batch > 0, InvalidArgument, "BitTripleProvider: the batch must hold at least one triple");
  if (party_ == Party::kFirst) {
    ferret_sender_.emplace(channel, prg, params);
    ferret_receiver_.emplace(channel, prg, params);
  } else {
    ferret_receiver_.emplace(channel, prg, params);
    ferret_sender_.emplace(channel, prg, params);
  }
}

// Ferret's outputs are hashed straight from its buffer.
BitOtSenderBatch BitTripleProvider::send_bits(std::size_t n) {
  return sender_ ? random_bit_ot(sender_->get(n)) : random_bit_ot(*ferret_sender_, n);
}

BitOtReceiverBatch BitTripleProvider::receive_bits(std::size_t n) {
  return receiver_ ? random_bit_ot(receiver_->get(n)) : random_bit_ot(*ferret_receiver_, n);
}

BitTriples BitTripleProvider::generate(std::size_t n) {
  // kFirst is the sender of the first direction: both ends run the directions in one order.
  BitOtSenderBatch sent;
  BitOtReceiverBatch received;
  if (party_ == Party::kFirst) {
    sent = send_bits(n);
    received = receive_bits(n);
  } else {
    received = receive_bits(n);
    sent = send_bits(n);
  }
  BitTriples out{std::move(received.choices), std::move(sent.m0), std::move(received.m)};
  // b = s0 ^ s1 and c = (a & b) ^ s0 ^ s_u, a word at a time.
  const auto a = out.a.words();
  const auto b = out.b.words();
  const auto c = out.c.words();
  const auto s1 = sent.m1.words();
  for (std::size_t w = 0; w < b.size(); ++w) {
    const uint64_t s0 = b[w];
    b[w] = s0 ^ s1[w];
    c[w] ^= (a[w] & b[w]) ^ s0;
  }
  return out;
}

BitTriples BitTripleProvider::get(std::size_t n) {
  BitTriples out{core::BitVector(n), core::BitVector(n), core::BitVector(n)};
  std::size_t filled = 0;
  while (filled < n) {
    if (used_ == buffer_.a.size()) {
      buffer_ = generate(batch_);
      used_ = 0;
    }
    const std::size_t take = std::min(n - filled, buffer_.a.size() - used_);
    copy_bits(buffer_.a, used_, out.a, filled, take);
    copy_bits(buffer_.b, used_, out.b, filled, take);
    copy_bits(buffer_.c, used_, out.c, filled, take);
    used_ += take;
    filled += take;
  }
  return out;
}

}  // namespace twain::ot
