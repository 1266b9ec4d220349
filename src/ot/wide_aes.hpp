// Fixed-key AES-128 for the OT hot loops: VAES (two blocks per instruction) when the CPU has it,
// core::Aes128 (AES-NI or portable) otherwise. Same outputs either way.
#pragma once

#include <cstddef>

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

  bool uses_vaes() const { return vaes_; }

 private:
  friend class WideAesPair;
  core::Aes128 fallback_;
  detail::RoundKeys keys_{};
  bool vaes_ = false;
};

// The length-doubling PRG of the GGM trees: out[2i] = AES_left(in[i]) ^ in[i],
// out[2i + 1] = AES_right(in[i]) ^ in[i].
class WideAesPair {
 public:
  WideAesPair(const core::Block& left_key, const core::Block& right_key);

  // in and out must not overlap.
  void expand(const core::Block* in, core::Block* out, std::size_t n) const;
  const WideAes& left() const { return left_; }
  const WideAes& right() const { return right_; }

 private:
  WideAes left_;
  WideAes right_;
};

}  // namespace twain::ot
