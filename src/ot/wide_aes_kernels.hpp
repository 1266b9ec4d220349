// Internal: the VAES kernels wide_aes.cpp chooses. Not part of the public API.
#pragma once

#include <cstddef>

#include "core/block.hpp"

namespace twain::ot::detail {

// Round keys of AES-128: 11 blocks.
struct RoundKeys {
  core::Block k[11];
};

// Kernels of wide_aes_vaes.cpp, built with -mvaes -mavx2 -maes; call only when the CPU has
// VAES and AVX2. Two blocks per instruction, 16 blocks in flight.
RoundKeys vaes_expand_key(const core::Block& key);
void vaes_encrypt(const RoundKeys& keys, const core::Block* in, core::Block* out, std::size_t n);
void vaes_keystream(const RoundKeys& keys, core::Block counter, core::Block* out, std::size_t n);
// The Half-Tree expansion of HalfTreeHash::expand (wide_aes.hpp): out[2i] = H(in[i]),
// out[2i + 1] = in[i] ^ H(in[i]); returns the XOR of the out[2i].
core::Block vaes_half_tree_expand(const RoundKeys& keys, const core::Block* in, core::Block* out,
                                  std::size_t n);

}  // namespace twain::ot::detail
