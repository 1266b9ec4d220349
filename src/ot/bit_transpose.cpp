#include "ot/bit_transpose.hpp"

#include <cstddef>
#include <cstdint>

namespace twain::ot {
namespace {

// Eklundh's recursive transposition written as seven independent passes: pass d swaps bit
// log2(d) of the row index with the same bit of the column index. For d = 64 that exchanges
// 64-bit halves; for d < 64 it is a masked "delta swap" inside each 64-bit word.
template <unsigned D, uint64_t LowColumns>
void swap_pass(core::Block* rows) {
  for (std::size_t base = 0; base < 128; base += 2 * D) {
    for (std::size_t i = base; i < base + D; ++i) {
      core::Block& a = rows[i];
      core::Block& b = rows[i + D];
      const uint64_t t_lo = ((a.lo >> D) ^ b.lo) & LowColumns;
      const uint64_t t_hi = ((a.hi >> D) ^ b.hi) & LowColumns;
      b.lo ^= t_lo;
      b.hi ^= t_hi;
      a.lo ^= t_lo << D;
      a.hi ^= t_hi << D;
    }
  }
}

void swap_halves(core::Block* rows) {
  for (std::size_t i = 0; i < 64; ++i) {
    const uint64_t upper_right = rows[i].hi;
    rows[i].hi = rows[i + 64].lo;
    rows[i + 64].lo = upper_right;
  }
}

}  // namespace

void transpose_128x128(std::span<core::Block, 128> rows) {
  core::Block* r = rows.data();
  swap_halves(r);
  swap_pass<32, 0x00000000FFFFFFFFULL>(r);
  swap_pass<16, 0x0000FFFF0000FFFFULL>(r);
  swap_pass<8, 0x00FF00FF00FF00FFULL>(r);
  swap_pass<4, 0x0F0F0F0F0F0F0F0FULL>(r);
  swap_pass<2, 0x3333333333333333ULL>(r);
  swap_pass<1, 0x5555555555555555ULL>(r);
}

}  // namespace twain::ot
