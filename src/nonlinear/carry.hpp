// The carry circuit behind every comparison: XOR shares of the carries out of the low bits of
// a + b, where the server holds a and the client holds b (DESIGN.md section 6).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "nonlinear/gmw.hpp"

namespace twain::nonlinear {

// Millionaires by carry: a > b  <=>  a + (2^k - 1 - b) >= 2^k, so one circuit serves comparison,
// DReLU, truncation and division.
//
// For each requested position p (1 <= p <= k, strictly increasing), the shares of
//   c_p = [ (a mod 2^p) + (b mod 2^p) >= 2^p ]
// for every element, bit-sliced (words_for(n) words per position). Bit i of the two values gives
// the generate bit g_i = a_i & b_i (a leaf AND, gmw.hpp cross_and) and the propagate bit
// p_i = a_i ^ b_i (local: the server's share is a_i, the client's b_i).
//
// CompareMode::kLogDepth: the positions cut [0, k) into segments; each segment is reduced by a
// balanced tree of (G, P) o (G', P') = (G ^ (P & G'), P & P') (the parallel-prefix carry of
// Brent and Kung, IEEE Trans. Computers 1982; the (lt, eq) tree of DESIGN.md section 6), all
// segments' levels sharing one AND layer; then c_{p_{j+1}} = G_j ^ (P_j & c_{p_j}) segment by
// segment. Flights: 1 + ceil(log2 longest segment) + (segments - 1).
// CompareMode::kSerial: the ripple chain c_{i+1} = a_i ^ ((a_i ^ b_i) & (a_i ^ c_i)) (one AND
// per bit, as the serial comparison of SecONNds), k flights, about half the AND gates.
//
// `own` holds this party's values (each below 2^k; k in [1, 64]).
std::vector<Words> carries(Context& ctx, std::span<const uint64_t> own, int k,
                           std::span<const int> positions);
Needs carries_needs(const Options& options, std::size_t n, int k, std::span<const int> positions);

// The mode `carries` runs with for this shape: options.compare, with kAuto resolved on
// options.link (online bits over bandwidth plus flights times latency, the cheaper one).
CompareMode resolve_compare_mode(const Options& options, std::size_t n, int k,
                                 std::span<const int> positions);

// Shares of [a > b] (server's a, client's b, k-bit values): carries at k of a and ~b.
Words greater_than(Context& ctx, std::span<const uint64_t> own, int k);
Needs greater_than_needs(const Options& options, std::size_t n, int k);

}  // namespace twain::nonlinear
