// Fixed-key AES-128 for the OT hot loops: VAES when the CPU has it (four blocks per instruction
// with AVX-512F, two with AVX2), core::Aes128 (AES-NI or portable) otherwise. Same outputs either way.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/aes.hpp"
#include "core/block.hpp"
#include "ot/wide_aes_kernels.hpp"

namespace twain::ot {

class WideAes {
 public:
  explicit WideAes(const core::Block& key);

  // out[i] = AES_k(in[i]); in and out may be the same array.
  void encrypt(const core::Block* in, core::Block* out, std::size_t n) const;
  // out[i] = AES_k(counter + i), counter read as a little-endian 128-bit integer.
  void keystream(core::Block counter, core::Block* out, std::size_t n) const;
  // The 4 * blocks little-endian 32-bit words w of keystream(counter, ., blocks), each mapped
  // below bound: out[j] = (w_j * bound) >> 32.
  void keystream_below(core::Block counter, uint32_t bound, uint32_t* out, std::size_t blocks) const;

  // The tweakable hash of cr_hash.hpp under this key, H(x, i) = AES(AES(x) ^ i) ^ AES(x):
  // out[k] = H(in[k], first_tweak + k), in and out possibly the same array.
  void tccr_hash(const core::Block* in, uint64_t first_tweak, core::Block* out, std::size_t n) const;
  // Both hashes of each correlated OT of a sender: out0[k * stride] = H(q[k], first_tweak + k),
  // out1[k * stride] = H(q[k] ^ delta, first_tweak + k), stride >= 1 (interleaved pairs: 2).
  void tccr_hash_pairs(const core::Block* q, const core::Block& delta, uint64_t first_tweak,
                       core::Block* out0, core::Block* out1, std::size_t stride,
                       std::size_t n) const;

  bool uses_vaes() const { return vaes_; }

 private:
  friend class HalfTreeHash;
  core::Aes128 fallback_;
  detail::RoundKeys keys_{};
  bool vaes_ = false;
};

// The circular correlation-robust hash of the Half-Tree GGM trees (spcot.hpp), the
// "MMO with an orthomorphism" of Guo, Katz, Wang and Yu, IEEE S&P 2020 (section 7.2):
//
//   H(x) = pi(sigma(x)) ^ sigma(x),  sigma(x_L || x_R) = (x_L ^ x_R) || x_L,
//
// pi = AES-128 under a fixed public key, x_L the high and x_R the low 64 bits of x (so
// sigma({lo, hi}) = {hi, hi ^ lo}), a linear orthomorphism.
class HalfTreeHash {
 public:
  explicit HalfTreeHash(const core::Block& key);

  // H(0) = pi(0): the children of a zero node.
  core::Block of_zero() const;
  // Expands n parents: out[2i] = H(in[i]) (left child), out[2i + 1] = in[i] ^ H(in[i]) (right
  // child). Returns the XOR of the left children. in and out must not overlap.
  core::Block expand(const core::Block* in, core::Block* out, std::size_t n) const;

 private:
  WideAes pi_;
};
}  // namespace twain::ot
