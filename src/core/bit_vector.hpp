// A packed vector of bits, 64 per word, the storage of bit-sliced GMW and OT choice bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace twain::core {

class Prg;

class BitVector {
 public:
  BitVector() = default;
  explicit BitVector(std::size_t bits) : bits_(bits), words_((bits + 63) / 64, 0) {}
  static BitVector random(std::size_t bits, Prg& prg);

  std::size_t size() const { return bits_; }
  std::size_t word_count() const { return words_.size(); }
  bool get(std::size_t i) const { return (words_[i / 64] >> (i % 64)) & 1U; }
  void set(std::size_t i, bool value) {
    const uint64_t mask = uint64_t{1} << (i % 64);
    words_[i / 64] = (words_[i / 64] & ~mask) | (value ? mask : 0);
  }
  void resize(std::size_t bits);
  std::size_t popcount() const;

  std::span<uint64_t> words() { return words_; }
  std::span<const uint64_t> words() const { return words_; }

  // Element-wise operations; both operands must have the same size.
  BitVector& operator^=(const BitVector& other);
  BitVector& operator&=(const BitVector& other);
  friend BitVector operator^(BitVector a, const BitVector& b) { return a ^= b; }
  friend BitVector operator&(BitVector a, const BitVector& b) { return a &= b; }
  friend bool operator==(const BitVector& a, const BitVector& b) = default;

 private:
  void clear_tail();

  std::size_t bits_ = 0;
  std::vector<uint64_t> words_;
};

}  // namespace twain::core
