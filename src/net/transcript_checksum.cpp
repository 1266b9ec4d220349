#include "net/transcript_checksum.hpp"

#include <sodium.h>

#include <cstring>

namespace twain::net {
namespace {

static_assert(sizeof(crypto_onetimeauth_state) <= 256 && alignof(crypto_onetimeauth_state) <= 16,
              "TranscriptChecksum's storage is too small for crypto_onetimeauth_state");

// A fixed, public key: the checksum needs no secret, only the same key at both ends. The first
// half is Poly1305's evaluation point r (clamped by libsodium), the second the final offset s.
constexpr unsigned char kKey[crypto_onetimeauth_KEYBYTES] = {
    't', 'w', 'a', 'i', 'n', ' ', 't', 'r', 'a', 'n', 's', 'c', 'r', 'i', 'p', 't',
    ' ', 'c', 'h', 'e', 'c', 'k', 's', 'u', 'm', ' ', 'v', '1', 0,   0,   0,   0};

crypto_onetimeauth_state* as_state(unsigned char* storage) noexcept {
  return reinterpret_cast<crypto_onetimeauth_state*>(storage);
}

// libsodium chooses its vectorised Poly1305 only after sodium_init(); before, the portable one
// (same result, slower).
void initialise_sodium() noexcept {
  static const int status = sodium_init();
  (void)status;
}

}  // namespace

TranscriptChecksum::TranscriptChecksum() noexcept {
  initialise_sodium();
  crypto_onetimeauth_init(as_state(state_.data()), kKey);
}

void TranscriptChecksum::update(const uint8_t* data, std::size_t bytes) noexcept {
  if (bytes == 0) return;
  crypto_onetimeauth_update(as_state(state_.data()), data, bytes);
  bytes_ += bytes;
}

TranscriptDigest TranscriptChecksum::digest() const noexcept {
  alignas(16) std::array<unsigned char, 256> copy = state_;
  TranscriptDigest out;
  crypto_onetimeauth_final(as_state(copy.data()), out.checksum.data());
  out.bytes = bytes_;
  return out;
}

}  // namespace twain::net
