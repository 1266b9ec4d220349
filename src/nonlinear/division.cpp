#include "nonlinear/division.hpp"

#include <bit>
#include <string>

#include "core/errors.hpp"
#include "core/int128.hpp"
#include "nonlinear/arith.hpp"
#include "nonlinear/carry.hpp"
#include "nonlinear/relu.hpp"

namespace twain::nonlinear {
namespace {

void require_divisor(int l, uint64_t d) {
  TWAIN_REQUIRE(d >= 1 && d <= (uint64_t{1} << (l - 2)), InvalidArgument,
                "divide_floor: divisor " + std::to_string(d) + " outside [1, 2^" + std::to_string(l - 2) + "]");
}

// Bits of the comparison values: 2^K >= 3d.
int threshold_bits(uint64_t d) { return static_cast<int>(std::bit_width(3 * d - 1)); }

// Element i of `bits` (bit-sliced) as bit at + i of `out` (bit-sliced).
void place(const Words& bits, std::size_t n, Words& out, std::size_t at) {
  for (std::size_t i = 0; i < n; ++i) {
    const uint64_t bit = (bits[i / 64] >> (i % 64)) & 1U;
    out[(at + i) / 64] |= bit << ((at + i) % 64);
  }
}

// x / d and x mod d for x < 2^48 without a data-dependent division instruction (whose timing
// varies with the operand, here a share): q = (x * m) >> k with m = ceil(2^k / d),
// k = 64 + bit_width(d); the error x (m - 2^k / d) / 2^k < 2^(48 - k) < 1 / d keeps the floor.
struct Reciprocal {
  uint64_t d;
  int k;
  u128 m;
  explicit Reciprocal(uint64_t divisor)
      : d(divisor), k(64 + static_cast<int>(std::bit_width(divisor))),
        m(((u128{1} << k) + divisor - 1) / divisor) {}
  uint64_t quotient(uint64_t x) const { return static_cast<uint64_t>((u128{x} * m) >> k); }
};

Words slice(const Words& bits, std::size_t first, std::size_t n) {
  Words out(words_for(n), 0);
  for (std::size_t i = 0; i < n; ++i) {
    const uint64_t bit = (bits[(first + i) / 64] >> ((first + i) % 64)) & 1U;
    out[i / 64] |= bit << (i % 64);
  }
  return out;
}

}  // namespace

std::vector<uint64_t> divide_floor(Context& ctx, std::span<const uint64_t> x, uint64_t d) {
  const int l = ctx.options.ring_bits;
  require_divisor(l, d);
  require_ring(ctx, x, "divide_floor");
  const std::size_t n = x.size();
  if (d == 1) return {x.begin(), x.end()};
  const uint64_t mask = ring_mask(l);
  const bool server = ctx.server();
  const uint64_t half = uint64_t{1} << (l - 1);
  const uint64_t offset = d * ((half + d - 1) / d);
  const uint64_t big_q = (uint64_t{1} << l) / d;
  const uint64_t big_r = (uint64_t{1} << l) % d;

  std::vector<uint64_t> shifted(x.begin(), x.end());
  if (server) {
    for (auto& v : shifted) v = (v + offset) & mask;
  }
  const int top = l;
  const Words wrap = carries(ctx, shifted, l, std::span<const int>(&top, 1))[0];

  const Reciprocal divide(d);
  const int k = threshold_bits(d);
  const uint64_t thresholds[3] = {d, d + big_r, big_r};
  std::vector<uint64_t> values(3 * n);
  for (std::size_t t = 0; t < 3; ++t) {
    for (std::size_t i = 0; i < n; ++i) {
      const uint64_t r = shifted[i] - divide.quotient(shifted[i]) * d;
      values[t * n + i] = server ? r + d : r + (uint64_t{1} << k) - thresholds[t] - d;
    }
  }
  const Words ge = carries(ctx, values, k, std::span<const int>(&k, 1))[0];
  const Words a = slice(ge, 0, n);
  const Words b = slice(ge, n, n);
  const Words e = slice(ge, 2 * n, n);

  const std::size_t words = words_for(n);
  Words xs, ys;
  for (int j = 0; j < 3; ++j) xs.insert(xs.end(), wrap.begin(), wrap.end());
  ys.insert(ys.end(), b.begin(), b.end());
  ys.insert(ys.end(), e.begin(), e.end());
  ys.insert(ys.end(), a.begin(), a.end());
  const Words products = and_layer(ctx, xs, ys);  // W & B, W & E, W & A

  Words all(words_for(5 * n), 0);
  place(a, n, all, 0);
  place(Words(products.begin(), products.begin() + static_cast<std::ptrdiff_t>(words)), n, all, n);
  place(Words(products.begin() + static_cast<std::ptrdiff_t>(words), products.begin() + static_cast<std::ptrdiff_t>(2 * words)),
        n, all, 2 * n);
  place(Words(products.begin() + static_cast<std::ptrdiff_t>(2 * words), products.end()), n, all, 3 * n);
  place(wrap, n, all, 4 * n);
  const auto arith = b2a(ctx, all, 5 * n, l);

  std::vector<uint64_t> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    uint64_t v = divide.quotient(shifted[i]) + arith[i] + arith[n + i] + arith[2 * n + i] - arith[3 * n + i] -
                 arith[4 * n + i] * (big_q + 1);
    if (server) v -= offset / d;
    out[i] = v & mask;
  }
  return out;
}

Needs divide_needs(const Options& options, std::size_t n, uint64_t d) {
  const int l = options.ring_bits;
  require_divisor(l, d);
  if (d == 1) return {};
  const int top = l;
  const int k = threshold_bits(d);
  return carries_needs(options, n, l, std::span<const int>(&top, 1)) +
         carries_needs(options, 3 * n, k, std::span<const int>(&k, 1)) + and_layer_needs(3 * words_for(n)) +
         b2a_needs(5 * n, l);
}

}  // namespace twain::nonlinear
