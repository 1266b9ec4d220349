// SHA-256 (OpenSSL), used for parameter ids, transcripts and key derivation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace twain::core {

using Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& update(const void* data, std::size_t bytes);
  Sha256& update(std::string_view text) { return update(text.data(), text.size()); }
  Sha256& update_u64(uint64_t value);  // little-endian, fixed width
  Digest finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

Digest sha256(const void* data, std::size_t bytes);
// Lowercase hexadecimal, two digits per byte.
std::string to_hex(std::span<const uint8_t> bytes);

}  // namespace twain::core
