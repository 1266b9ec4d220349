// Hashing correlated OTs chunk by chunk: the shared step of every COT-to-OT conversion.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>

#include "core/block.hpp"
#include "ot/cot.hpp"
#include "ot/cr_hash.hpp"

namespace twain::ot {

// OTs hashed per chunk: two chunks of blocks stay in L1 cache.
inline constexpr std::size_t kCotHashChunk = 256;

// Calls emit(first, n, h0, h1) for consecutive chunks of n OTs starting at OT `first` of the
// batch, with h0[k] = H(q, i) and h1[k] = H(q ^ delta, i) for OT first + k (tweak i its index).
template <class Emit>
void hash_sender_chunks(const CotSenderBatch& cot, Emit&& emit) {
  const CrHash hash;
  std::array<core::Block, kCotHashChunk> h0;
  std::array<core::Block, kCotHashChunk> h1;
  for (std::size_t first = 0; first < cot.q.size(); first += kCotHashChunk) {
    const std::size_t n = std::min(kCotHashChunk, cot.q.size() - first);
    const std::span<const core::Block> q(cot.q.data() + first, n);
    for (std::size_t k = 0; k < n; ++k) h1[k] = q[k] ^ cot.delta;
    hash.hash(q, cot.first_index + first, std::span(h0).first(n));
    hash.hash(std::span(h1).first(n), cot.first_index + first, std::span(h1).first(n));
    emit(first, n, h0.data(), h1.data());
  }
}

// Calls emit(first, n, h) with h[k] = H(t, i) for OT first + k of the batch.
template <class Emit>
void hash_receiver_chunks(const CotReceiverBatch& cot, Emit&& emit) {
  const CrHash hash;
  std::array<core::Block, kCotHashChunk> h;
  for (std::size_t first = 0; first < cot.t.size(); first += kCotHashChunk) {
    const std::size_t n = std::min(kCotHashChunk, cot.t.size() - first);
    hash.hash(std::span(cot.t.data() + first, n), cot.first_index + first, std::span(h).first(n));
    emit(first, n, h.data());
  }
}

}  // namespace twain::ot
