// From bits to ring elements: chosen-choice correlated OTs of l-bit messages, B2A and the
// bit-times-value multiplexer, on preprocessed (hashed) correlated OTs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "nonlinear/gmw.hpp"

namespace twain::nonlinear {

// Values mod 2^bits.
constexpr uint64_t ring_mask(int bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

// Bits 0..n-1 of bit-sliced words as a BitVector.
core::BitVector to_bits(std::span<const uint64_t> words, std::size_t n);

// Correlated OT with chosen correlation (Asharov, Lindell, Schneider and Zohner, CCS 2013,
// section 5.4) over Z_{2^width}, from a random correlated OT and the receiver's choice offset
// d = choice ^ u (Beaver's derandomisation, CRYPTO 1995): the sender swaps its two hashes where
// d = 1 (through masks) and sends m = r + x - H1 (width bits); the receiver gets r + choice * x.
//
// Receiver, first flight: the offsets to send.
core::BitVector cot_offsets(const CotReceive& cots, const core::BitVector& choices);
// Sender, second flight: writes the messages for correlations x (each below 2^width) and
// returns r (below 2^width).
std::vector<uint64_t> cot_messages(const CotSend& cots, const core::BitVector& offsets,
                                   std::span<const uint64_t> x, int width, MessageWriter& out);
// Receiver: r + choice * x mod 2^width.
std::vector<uint64_t> cot_outputs(const CotReceive& cots, const core::BitVector& choices, int width,
                                  MessageReader& in);

// B2A: arithmetic shares mod 2^width of the XOR-shared bits w = w_S ^ w_C (n of them,
// bit-sliced): w = w_S + w_C - 2 w_S w_C, the product by one forward correlated OT of width - 1
// bits (the client chooses with w_C). Two flights (offsets, then messages); width in [1, 64].
std::vector<uint64_t> b2a(Context& ctx, std::span<const uint64_t> bits, std::size_t n, int width);
Needs b2a_needs(std::size_t n, int width);

// Multiplexer: shares mod 2^l (l = ring bits) of b_i * v_{j,i} for the XOR-shared bits b
// (n of them) and per_bit arithmetic values per bit (values[j * n + i]). b v = (b_S ^ b_C) v_S
// + (b_S ^ b_C) v_C; the first term by a forward OT with correlation (1 - 2 b_S) v_S chosen by
// b_C, the second by a backward one: two flights (offsets, then messages), 2 (l + 1) bits per
// value over both directions.
std::vector<uint64_t> mux(Context& ctx, std::span<const uint64_t> bits, std::size_t n,
                          std::span<const uint64_t> values, std::size_t per_bit = 1);
Needs mux_needs(std::size_t n, std::size_t per_bit = 1);

// The bits repeated per_bit times, as the choice vector of per_bit * n OTs.
core::BitVector repeat_bits(std::span<const uint64_t> bits, std::size_t n, std::size_t per_bit);

}  // namespace twain::nonlinear
