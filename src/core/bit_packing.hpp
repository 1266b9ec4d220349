// Packing of unsigned integers at an exact bit width into bytes (little-endian bit order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/int128.hpp"

namespace twain::core {

// Appends values of `width` bits (1..64) to a byte vector.
class BitWriter {
 public:
  explicit BitWriter(std::vector<uint8_t>& out) : out_(out) {}
  ~BitWriter() { flush(); }
  BitWriter(const BitWriter&) = delete;
  BitWriter& operator=(const BitWriter&) = delete;

  // Writes the low `width` bits of value; higher bits must be zero (checked in debug builds).
  void write(uint64_t value, int width);
  // Pads the last partial byte with zero bits.
  void flush();

 private:
  std::vector<uint8_t>& out_;
  uint64_t pending_ = 0;
  int pending_bits_ = 0;  // always below 64
};

// Reads values written by BitWriter; throws FormatError when the input runs out.
class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> in) : in_(in) {}
  uint64_t read(int width);
  // Bytes covered by the values read so far (the last one possibly in part).
  std::size_t bytes_consumed() const { return (bits_read_ + 7) / 8; }
  // Throws FormatError unless the bits between the last value read and the next byte boundary are zero.
  void require_zero_padding() const;

 private:
  std::span<const uint8_t> in_;
  std::size_t position_ = 0;  // bytes fetched into pending_
  std::size_t bits_read_ = 0;
  u128 pending_ = 0;
  int pending_bits_ = 0;
};

// Bytes needed for `count` values of `width` bits.
constexpr std::size_t packed_size(std::size_t count, int width) {
  return (count * static_cast<std::size_t>(width) + 7) / 8;
}

}  // namespace twain::core
