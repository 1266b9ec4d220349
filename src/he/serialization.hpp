// Wire format of HE objects: a versioned header, then values packed at their actual bit width.
//
// header: "TWHE", version (1 byte), kind (1 byte), flags (1 byte), reserved 0 (1 byte),
//         parameter id (8 bytes, little-endian)
// kind 1, ciphertext: form (1 byte), then the 32-byte seed when flags bit 0 is set (c1 is
//         expanded from it), c0 per limb at bit_width(q_i) bits, then c1 likewise without seed
// kind 2, switched ciphertext: bits (1 byte), kept c0 count (4 bytes), c1 (n values), c0
// kind 3, public key: seed, p0 per limb
// Parsing checks every field, bound and residue and rejects trailing bytes, with FormatError.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "he/ciphertext.hpp"
#include "he/keys.hpp"

namespace twain::he {

inline constexpr uint8_t kWireVersion = 1;
inline constexpr std::size_t kHeaderBytes = 16;

std::vector<uint8_t> serialize(const Context& context, const Ciphertext& ct);
// Sets the noise estimate of a fresh encryption (the semi-honest client encrypted honestly).
Ciphertext deserialize_ciphertext(const Context& context, std::span<const uint8_t> bytes);

// What a server accepts from a client: as above, but only the seeded NTT form (FormatError otherwise).
Ciphertext deserialize_client_ciphertext(const Context& context, std::span<const uint8_t> bytes);

std::vector<uint8_t> serialize(const Context& context, const SwitchedCiphertext& ct);
// c0_indices: the coefficients the sender kept, agreed by the protocol (all n when empty).
SwitchedCiphertext deserialize_switched(const Context& context, std::span<const uint8_t> bytes,
                                        std::span<const uint32_t> c0_indices = {});

std::vector<uint8_t> serialize(const Context& context, const PublicKey& pk);
PublicKey deserialize_public_key(const Context& context, std::span<const uint8_t> bytes);

}  // namespace twain::he
