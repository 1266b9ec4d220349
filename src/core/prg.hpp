// Pseudorandom generator: AES-128 in counter mode, keyed by a 32-byte seed.
// Seeded from the OS (getrandom) in production; from an explicit seed for reproducible tests.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/aes.hpp"
#include "core/block.hpp"

namespace twain::core {

// Bytes 0..15 are the AES key, bytes 16..31 the initial counter.
using Seed = std::array<uint8_t, 32>;

// 32 bytes from the operating system's CSPRNG (getrandom); throws SystemError if it fails.
Seed os_seed();

// Not copyable: a copy would repeat the stream (reused noise, masks or keys). Movable.
class Prg {
 public:
  explicit Prg(const Seed& seed);
  Prg(const Prg&) = delete;
  Prg& operator=(const Prg&) = delete;
  Prg(Prg&&) = default;
  Prg& operator=(Prg&&) = default;
  // A generator seeded from the operating system.
  static Prg from_os() { return Prg(os_seed()); }

  void fill(void* out, std::size_t bytes);
  template <class T>
  void fill(std::span<T> out) {
    fill(out.data(), out.size_bytes());
  }
  uint64_t next_u64();
  Block next_block();
  // Uniform in [0, bound) without modulo bias (rejection sampling); bound > 0.
  uint64_t uniform(uint64_t bound);
  // A fresh seed for an independent child generator.
  Seed derive_seed();

 private:
  void refill();

  static constexpr std::size_t kBufferBlocks = 64;
  Aes128 aes_;
  Block counter_;
  alignas(16) std::array<Block, kBufferBlocks> buffer_{};
  std::size_t position_ = sizeof(buffer_);  // bytes of buffer_ already used
};

}  // namespace twain::core
