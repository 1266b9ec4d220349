// DReLU, ReLU, truncation and the fused ReLU-then-truncate on l-bit arithmetic shares.
//
// Values: additive shares in Z_{2^l} (each share below 2^l), l = ctx.options.ring_bits; a ring
// element v >= 2^(l-1) stands for v - 2^l. These functions work on the whole signed range (no
// headroom bit needed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "nonlinear/gmw.hpp"

namespace twain::nonlinear {

// DESIGN.md section 6: DReLU(x) = [x >= 0] = 1 ^ MSB(x_S) ^ MSB(x_C) ^ carry, the carry out of
// the low l - 1 bits of x_S + x_C (carry.hpp). XOR shares, bit-sliced.
Words drelu(Context& ctx, std::span<const uint64_t> x);
Needs drelu_needs(const Options& options, std::size_t n);

// ReLU(x) = DReLU(x) * x by the multiplexer of arith.hpp (2 (l + 1) bits beyond the comparison).
std::vector<uint64_t> relu(Context& ctx, std::span<const uint64_t> x);
Needs relu_needs(const Options& options, std::size_t n);

// Signed arithmetic right shift by f bits, f in [1, l - 2]. With x_S + x_C = x_u + W 2^l (x_u
// the unsigned reading of x, W the wrap), M = MSB(x), m_P = MSB(x_P) and c the carry out of the
// low l - 1 bits (so m_S + m_C + c = M + 2 W):
//   floor(x / 2^f) = (x_S >> f) + (x_C >> f) + C_f - 2^(l-f) (W + M)
//                  = (x_S >> f) + (x_C >> f) + C_f - 2^(l-f-1) (m_S + m_C + c + M),
// C_f the carry out of the low f bits. c and M (XOR shares m_P ^ c_P, local) are needed mod
// 2^(f+1) only: two B2As of f + 1 bits, no AND. kFast drops C_f (the result is the floor or one
// below: the truncation of Cheetah, Huang et al., USENIX Security 2022, section 4.2, here
// without a headroom assumption); kExact adds it (B2A of l bits, the carry read off the same
// circuit at position f), so the result is the floor shift bit for bit.
std::vector<uint64_t> truncate(Context& ctx, std::span<const uint64_t> x, int f, TruncMode mode);
Needs truncate_needs(const Options& options, std::size_t n, int f, TruncMode mode);

// floor(ReLU(x) / 2^f) = ReLU(floor(x / 2^f)): the truncation above (one carry circuit gives
// DReLU, c_{l-1} and C_f) and the multiplexer on the shifted value; where DReLU(x) = 1, M = 0,
// so the B2A of M is left out. In kFast mode an x in [0, 2^f) may give -1 (one below the floor).
// ReLU6 (Clip(0, c) with c a multiple of 2^f at the scale of x): run relu_truncate on the
// concatenation [x, x - c] in one call and subtract the second half from the first; exact in
// kExact mode since floor((x - c) / 2^f) = floor(x / 2^f) - c / 2^f. Three flights after the
// circuit: offsets (both ways), the server's B2A and multiplexer messages, the client's
// multiplexer messages.
std::vector<uint64_t> relu_truncate(Context& ctx, std::span<const uint64_t> x, int f, TruncMode mode);
Needs relu_truncate_needs(const Options& options, std::size_t n, int f, TruncMode mode);

// Throws InvalidArgument naming `what` unless every value is below 2^l.
void require_ring(const Context& ctx, std::span<const uint64_t> x, const char* what);

}  // namespace twain::nonlinear
