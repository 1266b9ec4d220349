#include "ot/bit_range.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "core/errors.hpp"

namespace twain::ot {
namespace {

uint64_t low_mask(std::size_t width) { return width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1; }

// `width` (1..64) bits of `words` starting at bit `pos`.
uint64_t read_bits(std::span<const uint64_t> words, std::size_t pos, std::size_t width) {
  const std::size_t w = pos / 64;
  const std::size_t shift = pos % 64;
  uint64_t value = words[w] >> shift;
  if (shift != 0 && shift + width > 64) value |= words[w + 1] << (64 - shift);
  return value & low_mask(width);
}

void require_range(const core::BitVector& v, std::size_t first, std::size_t count, const char* what) {
  TWAIN_REQUIRE(first <= v.size() && count <= v.size() - first, InvalidArgument,
                std::string("bit range: ") + what + " range [" + std::to_string(first) + ", +" +
                    std::to_string(count) + ") outside a vector of " + std::to_string(v.size()) +
                    " bits");
}

}  // namespace

void copy_bits(const core::BitVector& src, std::size_t src_first, core::BitVector& dst,
               std::size_t dst_first, std::size_t count) {
  require_range(src, src_first, count, "source");
  require_range(dst, dst_first, count, "destination");
  const auto in = src.words();
  const auto out = dst.words();
  while (count > 0) {
    // Fill the rest of the current destination word, or as much of it as is left to copy.
    const std::size_t shift = dst_first % 64;
    const std::size_t width = std::min(count, 64 - shift);
    const uint64_t mask = low_mask(width) << shift;
    uint64_t& word = out[dst_first / 64];
    word = (word & ~mask) | (read_bits(in, src_first, width) << shift);
    src_first += width;
    dst_first += width;
    count -= width;
  }
}

void put_low_bits(const core::Block* blocks, std::size_t n, core::BitVector& dst, std::size_t first) {
  require_range(dst, first, n, "destination");
  const auto out = dst.words();
  while (n > 0) {
    const std::size_t shift = first % 64;
    const std::size_t width = std::min(n, 64 - shift);
    uint64_t bits = 0;
    for (std::size_t k = 0; k < width; ++k) bits |= (blocks[k].lo & 1U) << k;
    const uint64_t mask = low_mask(width) << shift;
    uint64_t& word = out[first / 64];
    word = (word & ~mask) | (bits << shift);
    blocks += width;
    first += width;
    n -= width;
  }
}

void send_bits(net::Channel& channel, const core::BitVector& bits) {
  channel.send(bits.words().data(), (bits.size() + 7) / 8);
}

core::BitVector recv_bits(net::Channel& channel, std::size_t count) {
  core::BitVector bits(count);
  channel.recv(bits.words().data(), (count + 7) / 8);
  if (count % 64 != 0) {
    const uint64_t last = bits.words().back();
    TWAIN_REQUIRE((last & ~low_mask(count % 64)) == 0, FormatError,
                  "OT: non-zero padding after " + std::to_string(count) + " packed bits");
  }
  return bits;
}

}  // namespace twain::ot
