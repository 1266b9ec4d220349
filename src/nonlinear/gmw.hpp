// Batched Boolean GMW over XOR shares: bit-sliced AND layers (64 gates per word, one exchange
// per layer for the whole batch) and the leaf AND of one bit held by each party.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "nonlinear/link.hpp"
#include "nonlinear/needs.hpp"
#include "nonlinear/options.hpp"
#include "nonlinear/pool.hpp"

namespace twain::nonlinear {

// Bit-sliced shares: bit j of word w is gate 64 w + j.
using Words = std::vector<uint64_t>;

// What every protocol runs with: the transport, the preprocessed material, the public options.
struct Context {
  Link& link;
  Pool& pool;
  Options options;

  bool server() const { return link.is_server(); }
};

// Goldreich, Micali and Wigderson, STOC 1987, with Beaver's preprocessed triples (CRYPTO 1991):
// with a triple (a, b, c), each party opens d = x ^ a and e = y ^ b (both in one exchange) and
// sets z = c ^ (d & b) ^ (e & a), the server adding d & e. x.size() == y.size() words (else
// InvalidArgument); consumes 64 triples per word; 2 bits per gate each way.
Words and_layer(Context& ctx, std::span<const uint64_t> x, std::span<const uint64_t> y);
inline Needs and_layer_needs(std::size_t words) { return Needs{64 * words, 0, 0, 0}; }

// Shares of a & b where the server alone knows a and the client alone knows b (each passes its
// own bits as `own`). LeafMode::kRandomOt: with a random bit OT (server: m0, m1; client: u, m_u)
// the client sends e = b ^ u and the server sends v = m0 ^ m1 ^ a, in one exchange; the server's
// share is m_e, the client's m_u ^ (b & v) (v hides a behind the message the client lacks, e
// hides b behind u). One bit each way per gate. LeafMode::kTriple: and_layer on (a, 0) & (0, b).
Words cross_and(Context& ctx, std::span<const uint64_t> own);
Needs cross_and_needs(LeafMode mode, std::size_t words);

// Words needed for n bit-sliced values.
constexpr std::size_t words_for(std::size_t n) { return (n + 63) / 64; }

// Column `bit` of the values (bit `bit` of each value, bit-sliced), words_for(values.size()) words.
Words bit_column(std::span<const uint64_t> values, int bit);

}  // namespace twain::nonlinear
