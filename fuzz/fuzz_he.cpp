// HE objects from a peer: ciphertexts, the client's seeded ciphertexts, switched responses and
// public keys. The first byte chooses the parser; a typed FormatError is the only allowed failure.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/errors.hpp"
#include "fuzz_he_context.hpp"
#include "he/serialization.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const twain::he::Context& context = twain::fuzz::he_context();
  const std::span<const uint8_t> bytes(data + 1, size - 1);
  // Every other coefficient kept, as a protocol that drops half of c0 agrees.
  static const std::vector<uint32_t> kept = [] {
    std::vector<uint32_t> v;
    for (uint32_t j = 0; j < 256; j += 2) v.push_back(j);
    return v;
  }();
  try {
    switch (data[0] % 5) {
      case 0: twain::he::deserialize_ciphertext(context, bytes); break;
      case 1: twain::he::deserialize_client_ciphertext(context, bytes); break;
      case 2: twain::he::deserialize_switched(context, bytes); break;
      case 3: twain::he::deserialize_switched(context, bytes, kept); break;
      default: twain::he::deserialize_public_key(context, bytes); break;
    }
  } catch (const twain::FormatError&) {
  }
  return 0;
}
