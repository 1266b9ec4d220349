#include "core/bit_packing.hpp"

#include <algorithm>
#include <string>

#include "core/errors.hpp"

namespace twain::core {

void BitWriter::write(uint64_t value, int width) {
  TWAIN_DEBUG_CHECK(width >= 1 && width <= 64, "BitWriter: width out of range");
  TWAIN_DEBUG_CHECK(width == 64 || (value >> width) == 0, "BitWriter: value wider than width");
  pending_ |= value << pending_bits_;
  if (pending_bits_ + width < 64) {
    pending_bits_ += width;
    return;
  }
  uint8_t bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(pending_ >> (8 * i));
  out_.insert(out_.end(), bytes, bytes + 8);
  // The bits of value that did not fit start the next word.
  pending_ = pending_bits_ == 0 ? 0 : value >> (64 - pending_bits_);
  pending_bits_ += width - 64;
}

void BitWriter::flush() {
  for (; pending_bits_ > 0; pending_bits_ -= std::min(pending_bits_, 8)) {
    out_.push_back(static_cast<uint8_t>(pending_));
    pending_ >>= 8;
  }
  pending_ = 0;
  pending_bits_ = 0;
}

uint64_t BitReader::read(int width) {
  TWAIN_REQUIRE(width >= 1 && width <= 64, InvalidArgument, "BitReader: width out of range");
  if (pending_bits_ < width && in_.size() - position_ >= 8) {
    uint64_t word = 0;
    for (int i = 0; i < 8; ++i) word |= static_cast<uint64_t>(in_[position_ + i]) << (8 * i);
    pending_ |= static_cast<u128>(word) << pending_bits_;
    pending_bits_ += 64;
    position_ += 8;
  }
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
  bits_read_ += static_cast<std::size_t>(width);
  return value;
}

void BitReader::require_zero_padding() const {
  const int padding = static_cast<int>((8 - bits_read_ % 8) % 8);
  const u128 padding_bits = pending_ & ((u128{1} << padding) - 1);
  TWAIN_REQUIRE(padding_bits == 0, FormatError, "packed data has non-zero padding bits");
}

}  // namespace twain::core
