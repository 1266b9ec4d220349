#include "ot/random_ot.hpp"

#include "ot/cot_hash.hpp"

namespace twain::ot {
namespace {

// Sets bit first + k of `bits` to the least significant bit of h[k] (the bits start out zero).
void put_low_bits(core::BitVector& bits, std::size_t first, std::size_t n, const core::Block* h) {
  const auto words = bits.words();
  for (std::size_t k = 0; k < n; ++k) {
    words[(first + k) / 64] |= (h[k].lo & 1U) << ((first + k) % 64);
  }
}

}  // namespace

RotSenderBatch random_ot(const CotSenderBatch& cot) {
  RotSenderBatch out{std::vector<BlockPair>(cot.q.size())};
  hash_sender_chunks(cot, [&](std::size_t first, std::size_t n, const core::Block* h0,
                              const core::Block* h1) {
    for (std::size_t k = 0; k < n; ++k) out.m[first + k] = {h0[k], h1[k]};
  });
  return out;
}

RotReceiverBatch random_ot(const CotReceiverBatch& cot) {
  RotReceiverBatch out{cot.choices, std::vector<core::Block>(cot.t.size())};
  hash_receiver_chunks(cot, [&](std::size_t first, std::size_t n, const core::Block* h) {
    std::copy_n(h, n, out.m.begin() + static_cast<std::ptrdiff_t>(first));
  });
  return out;
}

BitOtSenderBatch random_bit_ot(const CotSenderBatch& cot) {
  BitOtSenderBatch out{core::BitVector(cot.q.size()), core::BitVector(cot.q.size())};
  hash_sender_chunks(cot, [&](std::size_t first, std::size_t n, const core::Block* h0,
                              const core::Block* h1) {
    put_low_bits(out.m0, first, n, h0);
    put_low_bits(out.m1, first, n, h1);
  });
  return out;
}

BitOtReceiverBatch random_bit_ot(const CotReceiverBatch& cot) {
  BitOtReceiverBatch out{cot.choices, core::BitVector(cot.t.size())};
  hash_receiver_chunks(cot, [&](std::size_t first, std::size_t n, const core::Block* h) {
    put_low_bits(out.m, first, n, h);
  });
  return out;
}

}  // namespace twain::ot
