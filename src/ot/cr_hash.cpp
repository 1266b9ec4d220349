#include "ot/cr_hash.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

#include "core/errors.hpp"

namespace twain::ot {
namespace {

// The fixed public key: the first 128 fraction bits of pi (nothing up the sleeve).
constexpr core::Block kFixedKey{0x243F6A8885A308D3ULL, 0x13198A2E03707344ULL};
constexpr std::size_t kChunk = 256;

}  // namespace

CrHash::CrHash() : pi_(kFixedKey) {}

void CrHash::hash(std::span<const core::Block> in, uint64_t first_tweak,
                  std::span<core::Block> out) const {
  TWAIN_REQUIRE(in.size() == out.size(), InvalidArgument, "CrHash: input and output sizes differ");
  std::array<core::Block, kChunk> permuted;
  std::array<core::Block, kChunk> tweaked;
  for (std::size_t done = 0; done < in.size(); done += kChunk) {
    const std::size_t n = std::min(kChunk, in.size() - done);
    pi_.encrypt(in.data() + done, permuted.data(), n);
    for (std::size_t k = 0; k < n; ++k) {
      tweaked[k] = permuted[k] ^ core::Block{first_tweak + done + k, 0};
    }
    pi_.encrypt(tweaked.data(), tweaked.data(), n);
    for (std::size_t k = 0; k < n; ++k) out[done + k] = tweaked[k] ^ permuted[k];
  }
}

}  // namespace twain::ot
