// Hashing correlated OTs chunk by chunk: the shared step of every COT-to-OT conversion.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/block.hpp"
#include "ot/cot.hpp"
#include "ot/cr_hash.hpp"

namespace twain::ot {

// OTs hashed per chunk: two chunks of blocks stay in L1 cache.
inline constexpr std::size_t kCotHashChunk = 256;

// Calls emit(first, n, h0, h1) for consecutive chunks of n OTs starting at OT `first` of q,
// with h0[k] = H(q, i) and h1[k] = H(q ^ delta, i) for OT first + k (tweak i = first_index +
// first + k, its index in the session).
template <class Emit>
void hash_sender_chunks(uint64_t first_index, const core::Block& delta,
                        std::span<const core::Block> q, Emit&& emit) {
  const CrHash hash;
  alignas(16) std::array<core::Block, kCotHashChunk> h0;
  alignas(16) std::array<core::Block, kCotHashChunk> h1;
  for (std::size_t first = 0; first < q.size(); first += kCotHashChunk) {
    const std::size_t n = std::min(kCotHashChunk, q.size() - first);
    hash.hash_pairs(q.subspan(first, n), delta, first_index + first, std::span(h0).first(n),
                    std::span(h1).first(n));
    emit(first, n, h0.data(), h1.data());
  }
}

template <class Emit>
void hash_sender_chunks(const CotSenderBatch& cot, Emit&& emit) {
  hash_sender_chunks(cot.first_index, cot.delta, cot.q, emit);
}

// Calls emit(first, n, h) with h[k] = H(t, i) for OT first + k of t.
template <class Emit>
void hash_receiver_chunks(uint64_t first_index, std::span<const core::Block> t, Emit&& emit) {
  const CrHash hash;
  alignas(16) std::array<core::Block, kCotHashChunk> h;
  for (std::size_t first = 0; first < t.size(); first += kCotHashChunk) {
    const std::size_t n = std::min(kCotHashChunk, t.size() - first);
    hash.hash(t.subspan(first, n), first_index + first, std::span(h).first(n));
    emit(first, n, h.data());
  }
}

template <class Emit>
void hash_receiver_chunks(const CotReceiverBatch& cot, Emit&& emit) {
  hash_receiver_chunks(cot.first_index, cot.t, emit);
}

}  // namespace twain::ot
