#include "ot/cr_hash.hpp"

#include <array>

#include "core/errors.hpp"

namespace twain::ot {
namespace {

// The fixed public key: the first 128 fraction bits of pi (nothing up the sleeve).
constexpr core::Block kFixedKey{0x243F6A8885A308D3ULL, 0x13198A2E03707344ULL};

}  // namespace

CrHash::CrHash() : pi_(kFixedKey) {}

void CrHash::hash(std::span<const core::Block> in, uint64_t first_tweak,
                  std::span<core::Block> out) const {
  TWAIN_REQUIRE(in.size() == out.size(), InvalidArgument, "CrHash: input and output sizes differ");
  pi_.tccr_hash(in.data(), first_tweak, out.data(), in.size());
}

void CrHash::hash_pairs(std::span<const core::Block> q, const core::Block& delta,
                        uint64_t first_tweak, std::span<core::Block> out0,
                        std::span<core::Block> out1) const {
  TWAIN_REQUIRE(out0.size() == q.size() && out1.size() == q.size(), InvalidArgument,
                "CrHash: input and output sizes differ");
  pi_.tccr_hash_pairs(q.data(), delta, first_tweak, out0.data(), out1.data(), 1, q.size());
}

void CrHash::hash_pairs(std::span<const core::Block> q, const core::Block& delta,
                        uint64_t first_tweak, std::span<std::array<core::Block, 2>> out) const {
  TWAIN_REQUIRE(out.size() == q.size(), InvalidArgument, "CrHash: input and output sizes differ");
  if (out.empty()) return;
  pi_.tccr_hash_pairs(q.data(), delta, first_tweak, out[0].data(), out[0].data() + 1, 2, q.size());
}

}  // namespace twain::ot
