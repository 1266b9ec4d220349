// The AES dispatch point: AES-NI kernel when the CPU has it, OpenSSL's software AES otherwise.
#include "core/aes.hpp"

#include <cstring>
#include <vector>

#include "core/aes_kernels.hpp"
#include "core/cpu_features.hpp"

namespace twain::core {

struct Aes128::Portable {
  detail::PortableAes state;
};

Aes128::Aes128(const Block& key) : key_(key) {
  if (cpu_features().aesni) {
    detail::aesni_expand_key(key, round_keys_);
  } else {
    portable_ = std::make_unique<Portable>(Portable{detail::portable_aes_create(key)});
  }
}

Aes128::~Aes128() = default;
Aes128::Aes128(Aes128&&) noexcept = default;
Aes128& Aes128::operator=(Aes128&&) noexcept = default;

Aes128::Aes128(const Aes128& other) : Aes128(other.key_) {}

Aes128& Aes128::operator=(const Aes128& other) {
  if (this != &other) *this = Aes128(other.key_);
  return *this;
}

void Aes128::encrypt(const Block* in, Block* out, std::size_t n) const {
  if (portable_ == nullptr) {
    detail::aesni_encrypt(round_keys_, in, out, n);
  } else {
    detail::portable_aes_encrypt(*portable_->state, in, out, n);
  }
}

void Aes128::keystream(Block counter, Block* out, std::size_t n) const {
  if (portable_ == nullptr) {
    detail::aesni_keystream(round_keys_, counter, out, n);
    return;
  }
  for (std::size_t i = 0; i < n; ++i) out[i] = counter.plus(i);
  detail::portable_aes_encrypt(*portable_->state, out, out, n);
}

}  // namespace twain::core
