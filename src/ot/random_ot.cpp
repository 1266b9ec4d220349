#include "ot/random_ot.hpp"

#include <string>

#include "core/errors.hpp"

#include "ot/bit_range.hpp"
#include "ot/block_buffer.hpp"
#include "ot/cot_hash.hpp"
#include "ot/cr_hash.hpp"

namespace twain::ot {
namespace {

// Appends the hashed pairs of q (OT indices from first_index) to out.
void append_pairs(uint64_t first_index, const core::Block& delta, std::span<const core::Block> q,
                  std::vector<BlockPair>& out) {
  hash_sender_chunks(first_index, delta, q, [&](std::size_t, std::size_t n, const core::Block* h0,
                                                const core::Block* h1) {
    for (std::size_t k = 0; k < n; ++k) out.push_back({h0[k], h1[k]});
  });
}

void append_hashes(uint64_t first_index, std::span<const core::Block> t, std::vector<core::Block>& out) {
  hash_receiver_chunks(first_index, t, [&](std::size_t, std::size_t n, const core::Block* h) {
    out.insert(out.end(), h, h + n);
  });
}

// Bits [at, at + q.size()) of m0, m1 from the hashed pairs of q.
void put_pair_bits(uint64_t first_index, const core::Block& delta, std::span<const core::Block> q,
                   BitOtSenderBatch& out, std::size_t at) {
  hash_sender_chunks(first_index, delta, q, [&](std::size_t first, std::size_t n, const core::Block* h0,
                                                const core::Block* h1) {
    put_low_bits(h0, n, out.m0, at + first);
    put_low_bits(h1, n, out.m1, at + first);
  });
}

void put_hash_bits(uint64_t first_index, std::span<const core::Block> t, core::BitVector& m,
                   std::size_t at) {
  hash_receiver_chunks(first_index, t, [&](std::size_t first, std::size_t n, const core::Block* h) {
    put_low_bits(h, n, m, at + first);
  });
}

}  // namespace

RotSenderBatch random_ot(const CotSenderBatch& cot) {
  RotSenderBatch out{huge_vector<BlockPair>(cot.q.size())};
  append_pairs(cot.first_index, cot.delta, cot.q, out.m);
  return out;
}

RotReceiverBatch random_ot(const CotReceiverBatch& cot) {
  RotReceiverBatch out{cot.choices, huge_vector<core::Block>(cot.t.size())};
  append_hashes(cot.first_index, cot.t, out.m);
  return out;
}

BitOtSenderBatch random_bit_ot(const CotSenderBatch& cot) {
  BitOtSenderBatch out{core::BitVector(cot.q.size()), core::BitVector(cot.q.size())};
  put_pair_bits(cot.first_index, cot.delta, cot.q, out, 0);
  return out;
}

BitOtReceiverBatch random_bit_ot(const CotReceiverBatch& cot) {
  BitOtReceiverBatch out{cot.choices, core::BitVector(cot.t.size())};
  put_hash_bits(cot.first_index, cot.t, out.m, 0);
  return out;
}

RotSenderBatch random_ot(FerretCotSender& cot, std::size_t n) {
  RotSenderBatch out{huge_vector<BlockPair>(n)};
  const core::Block delta = cot.delta();
  cot.consume(n, [&](uint64_t first_index, std::span<const core::Block> q) {
    append_pairs(first_index, delta, q, out.m);
  });
  return out;
}

RotReceiverBatch random_ot(FerretCotReceiver& cot, std::size_t n) {
  RotReceiverBatch out{core::BitVector(n), huge_vector<core::Block>(n)};
  cot.consume(n, [&](uint64_t first_index, std::span<const core::Block> t) {
    const std::size_t at = out.m.size();
    put_low_bits(t.data(), t.size(), out.choices, at);
    append_hashes(first_index, t, out.m);
  });
  return out;
}

BitOtSenderBatch random_bit_ot(FerretCotSender& cot, std::size_t n) {
  BitOtSenderBatch out{core::BitVector(n), core::BitVector(n)};
  const core::Block delta = cot.delta();
  std::size_t at = 0;
  cot.consume(n, [&](uint64_t first_index, std::span<const core::Block> q) {
    put_pair_bits(first_index, delta, q, out, at);
    at += q.size();
  });
  return out;
}

BitOtReceiverBatch random_bit_ot(FerretCotReceiver& cot, std::size_t n) {
  BitOtReceiverBatch out{core::BitVector(n), core::BitVector(n)};
  std::size_t at = 0;
  cot.consume(n, [&](uint64_t first_index, std::span<const core::Block> t) {
    put_low_bits(t.data(), t.size(), out.choices, at);
    put_hash_bits(first_index, t, out.m, at);
    at += t.size();
  });
  return out;
}

void random_ot(FerretCotSender& cot, std::span<BlockPair> out) {
  const CrHash hash;
  const core::Block delta = cot.delta();
  std::size_t at = 0;
  cot.consume(out.size(), [&](uint64_t first_index, std::span<const core::Block> q) {
    hash.hash_pairs(q, delta, first_index, out.subspan(at, q.size()));
    at += q.size();
  });
}

void random_ot(FerretCotReceiver& cot, core::BitVector& choices, std::span<core::Block> out) {
  const CrHash hash;
  TWAIN_REQUIRE(choices.size() == out.size(), InvalidArgument,
                "random_ot: " + std::to_string(choices.size()) + " choice bits for " +
                    std::to_string(out.size()) + " outputs");
  std::size_t at = 0;
  cot.consume(out.size(), [&](uint64_t first_index, std::span<const core::Block> t) {
    put_low_bits(t.data(), t.size(), choices, at);
    hash.hash(t, first_index, out.subspan(at, t.size()));
    at += t.size();
  });
}

}  // namespace twain::ot
