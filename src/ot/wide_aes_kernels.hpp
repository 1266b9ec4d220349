// Internal: the VAES kernels wide_aes.cpp chooses. Not part of the public API.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/block.hpp"

namespace twain::ot::detail {

// (w * bound) >> 32: a 32-bit word mapped below bound, the reference of the kernels.
inline uint32_t scale_below(uint32_t w, uint32_t bound) {
  return static_cast<uint32_t>((static_cast<uint64_t>(w) * bound) >> 32);
}

// Round keys of AES-128: 11 blocks.
struct RoundKeys {
  core::Block k[11];
};

// Kernels of wide_aes_vaes.cpp, built with -mvaes -mavx2 -maes; call only when the CPU has
// VAES and AVX2. Two blocks per instruction, 16 blocks in flight.
RoundKeys vaes_expand_key(const core::Block& key);
void vaes_encrypt(const RoundKeys& keys, const core::Block* in, core::Block* out, std::size_t n);
void vaes_keystream(const RoundKeys& keys, core::Block counter, core::Block* out, std::size_t n);
// WideAes::keystream_below.
void vaes_keystream_below(const RoundKeys& keys, core::Block counter, uint32_t bound, uint32_t* out,
                          std::size_t blocks);
// The tweakable hash of cr_hash.hpp, H(x, i) = AES(AES(x) ^ i) ^ AES(x) under keys:
// out[k] = H(in[k], first_tweak + k) (in and out may be the same array), and the pairs of a
// correlated OT sender, out0[k * stride] = H(q[k], first_tweak + k) and
// out1[k * stride] = H(q[k] ^ delta, first_tweak + k).
void vaes_tccr_hash(const RoundKeys& keys, const core::Block* in, uint64_t first_tweak,
                    core::Block* out, std::size_t n);
void vaes_tccr_hash_pairs(const RoundKeys& keys, const core::Block* q, const core::Block& delta,
                          uint64_t first_tweak, core::Block* out0, core::Block* out1,
                          std::size_t stride, std::size_t n);
// The Half-Tree expansion of HalfTreeHash::expand (wide_aes.hpp): out[2i] = H(in[i]),
// out[2i + 1] = in[i] ^ H(in[i]); returns the XOR of the out[2i].
core::Block vaes_half_tree_expand(const RoundKeys& keys, const core::Block* in, core::Block* out,
                                  std::size_t n);

}  // namespace twain::ot::detail
