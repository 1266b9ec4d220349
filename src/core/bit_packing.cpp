#include "core/bit_packing.hpp"

#include <string>

#include "core/errors.hpp"

namespace twain::core {

void BitWriter::write(uint64_t value, int width) {
  TWAIN_DEBUG_CHECK(width >= 1 && width <= 64, "BitWriter: width out of range");
  TWAIN_DEBUG_CHECK(width == 64 || (value >> width) == 0, "BitWriter: value wider than width");
  pending_ |= static_cast<u128>(value) << pending_bits_;
  pending_bits_ += width;
  while (pending_bits_ >= 8) {
    out_.push_back(static_cast<uint8_t>(pending_));
    pending_ >>= 8;
    pending_bits_ -= 8;
  }
}

void BitWriter::flush() {
  if (pending_bits_ > 0) out_.push_back(static_cast<uint8_t>(pending_));
  pending_ = 0;
  pending_bits_ = 0;
}

uint64_t BitReader::read(int width) {
  TWAIN_REQUIRE(width >= 1 && width <= 64, InvalidArgument, "BitReader: width out of range");
  while (pending_bits_ < width) {
    TWAIN_REQUIRE(position_ < in_.size(), FormatError,
                  "packed data is truncated: needed more than the " + std::to_string(in_.size()) + " bytes given");
    pending_ |= static_cast<u128>(in_[position_++]) << pending_bits_;
    pending_bits_ += 8;
  }
  const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  const uint64_t value = static_cast<uint64_t>(pending_) & mask;
  pending_ >>= width;
  pending_bits_ -= width;
  return value;
}

void BitReader::require_zero_padding() const {
  TWAIN_REQUIRE(pending_ == 0, FormatError, "packed data has non-zero padding bits");
}

}  // namespace twain::core
