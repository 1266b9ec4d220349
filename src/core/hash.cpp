#include "core/hash.hpp"

#include <openssl/evp.h>

#include "core/errors.hpp"

namespace twain::core {

struct Sha256::State {
  EVP_MD_CTX* ctx = nullptr;
  bool finished = false;
  ~State() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  TWAIN_REQUIRE(state_->ctx != nullptr && EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr) == 1,
                SystemError, "SHA-256: OpenSSL could not initialise a digest");
}

Sha256::~Sha256() = default;

Sha256& Sha256::update(const void* data, std::size_t bytes) {
  TWAIN_REQUIRE(!state_->finished, InvalidArgument, "SHA-256: update after finish");
  TWAIN_REQUIRE(EVP_DigestUpdate(state_->ctx, data, bytes) == 1, SystemError, "SHA-256: update failed");
  return *this;
}

Sha256& Sha256::update_u64(uint64_t value) {
  uint8_t bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(value >> (8 * i));
  return update(bytes, sizeof(bytes));
}

Digest Sha256::finish() {
  TWAIN_REQUIRE(!state_->finished, InvalidArgument, "SHA-256: finish called twice");
  Digest d{};
  unsigned int len = 0;
  TWAIN_REQUIRE(EVP_DigestFinal_ex(state_->ctx, d.data(), &len) == 1 && len == d.size(), SystemError,
                "SHA-256: final failed");
  state_->finished = true;
  return d;
}

Digest sha256(const void* data, std::size_t bytes) { return Sha256().update(data, bytes).finish(); }

std::string to_hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes.size());
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

}  // namespace twain::core
