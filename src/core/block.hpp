// A 128-bit block: the unit of AES, of OT messages and of PRG output.
#pragma once

#include <cstdint>
#include <cstring>

namespace twain::core {

struct alignas(16) Block {
  uint64_t lo = 0;
  uint64_t hi = 0;

  friend constexpr Block operator^(Block a, Block b) { return {a.lo ^ b.lo, a.hi ^ b.hi}; }
  friend constexpr Block operator&(Block a, Block b) { return {a.lo & b.lo, a.hi & b.hi}; }
  constexpr Block& operator^=(Block b) {
    lo ^= b.lo;
    hi ^= b.hi;
    return *this;
  }
  friend constexpr bool operator==(Block a, Block b) { return a.lo == b.lo && a.hi == b.hi; }

  // Adds `n` to the block read as a little-endian 128-bit integer (the CTR counter step).
  constexpr Block plus(uint64_t n) const {
    Block r{lo + n, hi};
    if (r.lo < lo) ++r.hi;
    return r;
  }
};
static_assert(sizeof(Block) == 16);

}  // namespace twain::core
