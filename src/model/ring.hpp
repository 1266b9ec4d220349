// Values of the ring Z_{2^l} (DESIGN.md section 2) stored in uint64_t, l in [2, 64], with the
// signed convention: v >= 2^(l-1) stands for v - 2^l.
#pragma once

#include <cstdint>

namespace twain::model {

inline constexpr uint64_t ring_mask(int ring_bits) {
  return ring_bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << ring_bits) - 1;
}

// The signed value in [-2^(l-1), 2^(l-1)) that v (reduced mod 2^l) stands for.
inline constexpr int64_t to_signed(uint64_t v, int ring_bits) {
  v &= ring_mask(ring_bits);
  if (ring_bits < 64 && (v >> (ring_bits - 1)) != 0) return static_cast<int64_t>(v - (uint64_t{1} << ring_bits));
  return static_cast<int64_t>(v);
}

// x mod 2^l (two's complement).
inline constexpr uint64_t to_ring(int64_t x, int ring_bits) { return static_cast<uint64_t>(x) & ring_mask(ring_bits); }

}  // namespace twain::model
