// Tweakable correlation-robust hash from fixed-key AES: turns correlated OTs into random ones.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "core/block.hpp"
#include "ot/wide_aes.hpp"

namespace twain::ot {

// The tweakable circular correlation-robust hash of Guo, Katz, Wang and Yu, "Efficient and
// secure multiparty computation from fixed-key block ciphers", IEEE S&P 2020 (section 7.3):
//
//   H(x, i) = pi(pi(x) ^ i) ^ pi(x),   pi = AES-128 under a fixed public key,
//
// secure when pi is modelled as a random permutation and every tweak i is used for one
// correlation only (here: the index of the correlated OT in its session).
class CrHash {
 public:
  CrHash();

  // out[k] = H(in[k], first_tweak + k); in.size() == out.size() (else InvalidArgument); in and
  // out may be the same span.
  void hash(std::span<const core::Block> in, uint64_t first_tweak, std::span<core::Block> out) const;
  // Both hashes of a correlated OT sender's q: out0[k] = H(q[k], first_tweak + k) and
  // out1[k] = H(q[k] ^ delta, first_tweak + k) (sizes equal to q's, else InvalidArgument).
  void hash_pairs(std::span<const core::Block> q, const core::Block& delta, uint64_t first_tweak,
                  std::span<core::Block> out0, std::span<core::Block> out1) const;
  // The same into pairs: out[k] = {H(q[k], .), H(q[k] ^ delta, .)}.
  void hash_pairs(std::span<const core::Block> q, const core::Block& delta, uint64_t first_tweak,
                  std::span<std::array<core::Block, 2>> out) const;

 private:
  WideAes pi_;
};

}  // namespace twain::ot
