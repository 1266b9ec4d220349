// Internal: the AES kernels aes.cpp chooses between. Not part of the public API.
#pragma once

#include <cstddef>
#include <memory>

#include "core/block.hpp"

namespace twain::core::detail {

// AES-NI kernels (aes_aesni.cpp, built with -maes).
void aesni_expand_key(const Block& key, unsigned char round_keys[176]);
void aesni_encrypt(const unsigned char round_keys[176], const Block* in, Block* out, std::size_t n);
void aesni_keystream(const unsigned char round_keys[176], Block counter, Block* out, std::size_t n);

// Portable kernel (aes_portable.cpp): OpenSSL's constant-time software AES.
struct PortableAesState;
struct PortableAesDeleter {
  void operator()(PortableAesState* s) const;
};
using PortableAes = std::unique_ptr<PortableAesState, PortableAesDeleter>;
PortableAes portable_aes_create(const Block& key);
void portable_aes_encrypt(const PortableAesState& s, const Block* in, Block* out, std::size_t n);

}  // namespace twain::core::detail
