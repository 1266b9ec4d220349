// A running checksum of one direction of a channel's byte stream, so that the two parties can
// tell at the end of a session whether each received exactly the bytes the other sent.
//
// Why: over plain TCP nothing stops a flipped, duplicated or dropped byte (a faulty middlebox,
// memory error or buggy proxy) from silently changing a share, and a changed share changes the
// prediction the client is given. Comparing transcripts before the result is returned turns
// every such fault into an IntegrityError instead (engine/transcript_check.hpp).
//
// The checksum is Poly1305 (libsodium) evaluated under a fixed public key: a polynomial of degree
// about bytes/16 over GF(2^130 - 5), followed by the byte count. It detects accidental faults; it
// proves nothing against an active attacker who knows the key, which is public. Authenticity
// against an attacker is TLS's job (net/tls_channel.hpp), whose records carry real MACs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace twain::net {

struct TranscriptDigest {
  std::array<uint8_t, 16> checksum{};
  uint64_t bytes = 0;
  friend bool operator==(const TranscriptDigest&, const TranscriptDigest&) = default;
};

class TranscriptChecksum {
 public:
  TranscriptChecksum() noexcept;
  void update(const uint8_t* data, std::size_t bytes) noexcept;
  // The digest of everything so far; the running state is left as it was (a copy is finalised).
  TranscriptDigest digest() const noexcept;

 private:
  // libsodium's crypto_onetimeauth_state, kept opaque so this header does not need sodium.h
  // (the size and alignment are checked against it in the .cpp).
  alignas(16) std::array<unsigned char, 256> state_{};
  uint64_t bytes_ = 0;
};

}  // namespace twain::net
