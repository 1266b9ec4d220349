// Internal: the 512-bit VAES kernels wide_aes.cpp chooses when the CPU has AVX-512F and VAES. Not
// part of the public API. Same contracts (and outputs) as the 256-bit kernels of
// wide_aes_kernels.hpp; the round keys come from vaes_expand_key.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/block.hpp"
#include "ot/wide_aes_kernels.hpp"

namespace twain::ot::detail {

// Kernels of wide_aes_vaes512.cpp, built with -mvaes -mavx512f -mavx2 -maes; call only when the
// CPU has VAES, AVX-512F and AVX2. Four blocks per instruction, 32 blocks in flight; what is left
// of n after the last group of 32 goes to the 256-bit kernels.
void vaes512_encrypt(const RoundKeys& keys, const core::Block* in, core::Block* out, std::size_t n);
void vaes512_keystream(const RoundKeys& keys, core::Block counter, core::Block* out, std::size_t n);
void vaes512_keystream_below(const RoundKeys& keys, core::Block counter, uint32_t bound,
                             uint32_t* out, std::size_t blocks);
void vaes512_tccr_hash(const RoundKeys& keys, const core::Block* in, uint64_t first_tweak,
                       core::Block* out, std::size_t n);
void vaes512_tccr_hash_pairs(const RoundKeys& keys, const core::Block* q, const core::Block& delta,
                             uint64_t first_tweak, core::Block* out0, core::Block* out1,
                             std::size_t stride, std::size_t n);
core::Block vaes512_half_tree_expand(const RoundKeys& keys, const core::Block* in, core::Block* out,
                                     std::size_t n);

}  // namespace twain::ot::detail
