#include "nonlinear/link.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/bit_packing.hpp"
#include "core/errors.hpp"

namespace twain::nonlinear {

std::vector<uint8_t> Link::exchange(std::span<const uint8_t> out, std::size_t in_bytes) {
  ++flights_;
  std::vector<uint8_t> in(in_bytes);
  std::size_t sent = std::min(out.size(), kExchangeWindow);
  if (sent > 0) channel_.send(out.data(), sent);
  channel_.flush();
  std::size_t received = 0;
  while (received < in_bytes || sent < out.size()) {
    if (received < in_bytes) {
      const std::size_t n = std::min(in_bytes - received, kExchangeWindow);
      channel_.recv(in.data() + received, n);
      received += n;
    }
    if (sent < out.size()) {
      const std::size_t n = std::min(out.size() - sent, kExchangeWindow);
      channel_.send(out.data() + sent, n);
      channel_.flush();
      sent += n;
    }
  }
  return in;
}

std::vector<uint8_t> Link::one_way(Role from, std::span<const uint8_t> out, std::size_t in_bytes) {
  ++flights_;
  if (from == role_) {
    TWAIN_REQUIRE(in_bytes == 0, InvalidArgument, "Link::one_way: the sender receives nothing");
    if (!out.empty()) channel_.send(out.data(), out.size());
    channel_.flush();
    return {};
  }
  TWAIN_REQUIRE(out.empty(), InvalidArgument, "Link::one_way: the receiver sends nothing");
  std::vector<uint8_t> in(in_bytes);
  if (in_bytes > 0) channel_.recv(in.data(), in_bytes);
  return in;
}

void MessageWriter::bits(const core::BitVector& v) {
  const std::size_t n = bits_bytes(v.size());
  const std::size_t at = bytes_.size();
  bytes_.resize(at + n);
  const auto words = v.words();
  for (std::size_t i = 0; i < n; ++i) bytes_[at + i] = static_cast<uint8_t>(words[i / 8] >> (8 * (i % 8)));
}

void MessageWriter::values(std::span<const uint64_t> v, int width) {
  TWAIN_REQUIRE(width >= 1 && width <= 64, InvalidArgument,
                "MessageWriter: width " + std::to_string(width) + " outside [1, 64]");
  core::BitWriter writer(bytes_);
  for (uint64_t x : v) writer.write(x, width);
}

std::span<const uint8_t> MessageReader::take(std::size_t n) {
  TWAIN_REQUIRE(bytes_.size() - position_ >= n, FormatError,
                "nonlinear message: " + std::to_string(n) + " more bytes needed at offset " +
                    std::to_string(position_) + " of " + std::to_string(bytes_.size()));
  const auto out = bytes_.subspan(position_, n);
  position_ += n;
  return out;
}

core::BitVector MessageReader::bits(std::size_t count) {
  const auto in = take(bits_bytes(count));
  core::BitVector v(count);
  auto words = v.words();
  for (std::size_t i = 0; i < in.size(); ++i) words[i / 8] |= uint64_t{in[i]} << (8 * (i % 8));
  if (count % 64 != 0 && !words.empty()) {
    const uint64_t tail = words.back() >> (count % 64);
    TWAIN_REQUIRE(tail == 0, FormatError, "nonlinear message: non-zero padding after a bit vector");
  }
  return v;
}

std::vector<uint64_t> MessageReader::values(std::size_t count, int width) {
  TWAIN_REQUIRE(width >= 1 && width <= 64, InvalidArgument,
                "MessageReader: width " + std::to_string(width) + " outside [1, 64]");
  const auto in = take(values_bytes(count, width));
  core::BitReader reader(in);
  std::vector<uint64_t> out(count);
  for (auto& x : out) x = reader.read(width);
  reader.require_zero_padding();
  return out;
}

void MessageReader::finish() const {
  TWAIN_REQUIRE(position_ == bytes_.size(), FormatError,
                "nonlinear message: " + std::to_string(bytes_.size() - position_) +
                    " unexpected trailing bytes");
}

}  // namespace twain::nonlinear
