#include "core/prg.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/errors.hpp"

namespace twain::core {
namespace {

Block block_from(const uint8_t* bytes) {
  Block b;
  std::memcpy(&b, bytes, sizeof(b));
  return b;
}

}  // namespace

Seed os_seed() {
  Seed seed{};
  std::size_t got = 0;
  while (got < seed.size()) {
    const ssize_t n = getrandom(seed.data() + got, seed.size() - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw SystemError("PRG: getrandom failed: " + std::string(std::strerror(errno)));
    got += static_cast<std::size_t>(n);
  }
  return seed;
}

Prg::Prg(const Seed& seed) : aes_(block_from(seed.data())), counter_(block_from(seed.data() + 16)) {}

void Prg::refill() {
  aes_.keystream(counter_, buffer_.data(), kBufferBlocks);
  counter_ = counter_.plus(kBufferBlocks);
  position_ = 0;
}

void Prg::fill(void* out, std::size_t bytes) {
  // Keystream blocks land in buffer_ (typed Block) and are copied out, so callers may pass any
  // memory without aliasing a Block over it.
  auto* dst = static_cast<uint8_t*>(out);
  while (bytes > 0) {
    if (position_ == sizeof(buffer_)) refill();
    const std::size_t take = std::min(bytes, sizeof(buffer_) - position_);
    std::memcpy(dst, reinterpret_cast<const uint8_t*>(buffer_.data()) + position_, take);
    position_ += take;
    dst += take;
    bytes -= take;
  }
}

uint64_t Prg::next_u64() {
  uint64_t v;
  fill(&v, sizeof(v));
  return v;
}

Block Prg::next_block() {
  Block b;
  fill(&b, sizeof(b));
  return b;
}

uint64_t Prg::uniform(uint64_t bound) {
  TWAIN_REQUIRE(bound > 0, InvalidArgument, "Prg::uniform: bound must be positive");
  // Accept only values below the largest multiple of bound, so every residue is equally likely.
  const uint64_t limit = bound * (UINT64_MAX / bound);
  uint64_t v;
  do {
    v = next_u64();
  } while (v >= limit);
  return v % bound;
}

Seed Prg::derive_seed() {
  Seed s;
  fill(s.data(), s.size());
  return s;
}

}  // namespace twain::core
