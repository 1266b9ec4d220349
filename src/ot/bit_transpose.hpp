// Transposition of 128 x 128 bit matrices: the row/column turn at the heart of OT extension.
#pragma once

#include <span>

#include "core/block.hpp"

namespace twain::ot {

// In place: afterwards bit j of rows[i] is what bit i of rows[j] was. Bit j of a Block is bit
// j % 64 of lo (j < 64) or of hi (j >= 64). Portable code on 64-bit words that compilers turn
// into SSE2; about 2,500 word operations per matrix.
void transpose_128x128(std::span<core::Block, 128> rows);

}  // namespace twain::ot
