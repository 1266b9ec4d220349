// AES-128 encryption of blocks: AES-NI (8 blocks in flight) when the CPU has it, OpenSSL otherwise.
#pragma once

#include <cstddef>
#include <memory>

#include "core/block.hpp"

namespace twain::core {

class Aes128 {
 public:
  explicit Aes128(const Block& key);
  ~Aes128();
  Aes128(const Aes128& other);
  Aes128& operator=(const Aes128& other);
  Aes128(Aes128&&) noexcept;
  Aes128& operator=(Aes128&&) noexcept;

  // out[i] = AES_k(in[i]); in and out may alias.
  void encrypt(const Block* in, Block* out, std::size_t n) const;
  // Counter-mode keystream: out[i] = AES_k(counter + i), counter read as little-endian 128-bit.
  void keystream(Block counter, Block* out, std::size_t n) const;

  bool uses_aesni() const { return portable_ == nullptr; }

 private:
  struct Portable;
  Block key_;
  alignas(16) unsigned char round_keys_[11 * 16] = {};
  std::unique_ptr<Portable> portable_;
};

}  // namespace twain::core
