#include "he/sampling.hpp"

#include <bit>

#include "core/errors.hpp"

namespace twain::he {
namespace {

// Portable SWAR population count (no dependence on the popcnt instruction or a library call).
inline int bit_count(uint64_t x) {
  x -= (x >> 1) & 0x5555555555555555ULL;
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
  return static_cast<int>((x * 0x0101010101010101ULL) >> 56);
}

}  // namespace

std::vector<int64_t> sample_error(std::size_t n, core::Prg& prg) {
  std::vector<uint64_t> words(n);
  prg.fill(words.data(), words.size() * sizeof(uint64_t));
  std::vector<int64_t> e(n);
  constexpr uint64_t kMask = (uint64_t{1} << kErrorCoinPairs) - 1;
  for (std::size_t i = 0; i < n; ++i) {
    const uint64_t w = words[i];
    e[i] = bit_count(w & kMask) - bit_count((w >> kErrorCoinPairs) & kMask);
  }
  return e;
}

std::vector<int64_t> sample_ternary(std::size_t n, core::Prg& prg) {
  std::vector<uint64_t> words(n);
  prg.fill(words.data(), words.size() * sizeof(uint64_t));
  std::vector<int64_t> s(n);
  // floor(3 w / 2^64) is uniform on {0, 1, 2} up to 2^-62 and needs no data-dependent branch.
  for (std::size_t i = 0; i < n; ++i) {
    s[i] = static_cast<int64_t>((static_cast<math::u128>(words[i]) * 3) >> 64) - 1;
  }
  return s;
}

std::vector<math::u128> sample_uniform_below(std::size_t n, math::u128 range, core::Prg& prg) {
  TWAIN_REQUIRE(range >= 1, InvalidArgument, "sample_uniform_below: the range must be positive");
  int bits = 0;
  while (bits < 128 && (range >> bits) != 0) ++bits;
  const math::u128 mask = bits == 128 ? ~math::u128{0} : (math::u128{1} << bits) - 1;
  std::vector<math::u128> values(n);
  std::vector<math::u128> draws(64);
  std::size_t next = draws.size();
  for (auto& v : values) {
    do {
      if (next == draws.size()) {
        prg.fill(draws.data(), draws.size() * sizeof(math::u128));
        next = 0;
      }
      v = draws[next++] & mask;
    } while (v >= range);
  }
  return values;
}

math::RnsPoly expand_uniform(const math::RnsBase& base, const core::Seed& seed) {
  core::Prg prg(seed);
  math::RnsPoly a(base, math::PolyForm::Ntt);
  constexpr std::size_t kBatch = 1024;
  uint32_t draws[kBatch];
  std::size_t used = kBatch;
  for (std::size_t i = 0; i < base.size(); ++i) {
    const uint32_t q = base.prime(i);
    const uint32_t mask = (uint32_t{1} << std::bit_width(q)) - 1;
    uint32_t* limb = a.limb(i);
    // Rejection sampling of public values: the timing depends only on the public seed.
    for (std::size_t j = 0; j < base.n();) {
      if (used == kBatch) {
        prg.fill(draws, sizeof(draws));
        used = 0;
      }
      const uint32_t v = draws[used++] & mask;
      if (v < q) limb[j++] = v;
    }
  }
  return a;
}

}  // namespace twain::he
