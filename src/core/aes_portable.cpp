#include <openssl/evp.h>

#include "core/aes_kernels.hpp"
#include "core/errors.hpp"

namespace twain::core::detail {

struct PortableAesState {
  EVP_CIPHER_CTX* ctx = nullptr;
};

void PortableAesDeleter::operator()(PortableAesState* s) const {
  if (s != nullptr) EVP_CIPHER_CTX_free(s->ctx);
  delete s;
}

PortableAes portable_aes_create(const Block& key) {
  PortableAes state(new PortableAesState);
  state->ctx = EVP_CIPHER_CTX_new();
  TWAIN_REQUIRE(state->ctx != nullptr, SystemError, "AES: OpenSSL could not allocate a cipher context");
  const auto* key_bytes = reinterpret_cast<const unsigned char*>(&key);
  TWAIN_REQUIRE(EVP_EncryptInit_ex(state->ctx, EVP_aes_128_ecb(), nullptr, key_bytes, nullptr) == 1,
                SystemError, "AES: OpenSSL refused the AES-128-ECB key");
  EVP_CIPHER_CTX_set_padding(state->ctx, 0);
  return state;
}

void portable_aes_encrypt(const PortableAesState& s, const Block* in, Block* out, std::size_t n) {
  constexpr std::size_t kChunk = 1 << 20;  // EVP takes an int length
  for (std::size_t done = 0; done < n; done += kChunk) {
    const std::size_t count = std::min(kChunk, n - done);
    int written = 0;
    const int ok = EVP_EncryptUpdate(s.ctx, reinterpret_cast<unsigned char*>(out + done), &written,
                                     reinterpret_cast<const unsigned char*>(in + done),
                                     static_cast<int>(count * sizeof(Block)));
    TWAIN_REQUIRE(ok == 1 && written == static_cast<int>(count * sizeof(Block)), SystemError,
                  "AES: OpenSSL encryption failed");
  }
}

}  // namespace twain::core::detail
