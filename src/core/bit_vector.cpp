#include "core/bit_vector.hpp"

#include <bit>
#include <string>

#include "core/errors.hpp"
#include "core/prg.hpp"

namespace twain::core {
namespace {

void require_same_size(const BitVector& a, const BitVector& b) {
  TWAIN_REQUIRE(a.size() == b.size(), InvalidArgument,
                "BitVector: sizes differ (" + std::to_string(a.size()) + " vs " + std::to_string(b.size()) + ")");
}

}  // namespace

BitVector BitVector::random(std::size_t bits, Prg& prg) {
  BitVector v(bits);
  prg.fill(v.words_.data(), v.words_.size() * sizeof(uint64_t));
  v.clear_tail();
  return v;
}

void BitVector::resize(std::size_t bits) {
  bits_ = bits;
  words_.resize((bits + 63) / 64, 0);
  clear_tail();
}

std::size_t BitVector::popcount() const {
  std::size_t n = 0;
  for (uint64_t w : words_) n += static_cast<std::size_t>(std::popcount(w));
  return n;
}

BitVector& BitVector::operator^=(const BitVector& other) {
  require_same_size(*this, other);
  for (std::size_t i = 0; i < words_.size(); ++i) words_[i] ^= other.words_[i];
  return *this;
}

BitVector& BitVector::operator&=(const BitVector& other) {
  require_same_size(*this, other);
  for (std::size_t i = 0; i < words_.size(); ++i) words_[i] &= other.words_[i];
  return *this;
}

// Bits past size() stay zero so that equality and popcount see only real bits.
void BitVector::clear_tail() {
  if (bits_ % 64 != 0) words_.back() &= (uint64_t{1} << (bits_ % 64)) - 1;
}

}  // namespace twain::core
