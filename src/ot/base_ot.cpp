#include "ot/base_ot.hpp"

#include <sodium.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "core/errors.hpp"
#include "core/hash.hpp"

namespace twain::ot {
namespace {

constexpr std::size_t kPointBytes = crypto_core_ristretto255_BYTES;
constexpr std::size_t kScalarBytes = crypto_core_ristretto255_SCALARBYTES;
using Point = std::array<uint8_t, kPointBytes>;
using Scalar = std::array<uint8_t, kScalarBytes>;
static_assert(kPointBytes == 32 && kScalarBytes == 32);

void init_sodium() {
  static const int status = sodium_init();
  TWAIN_REQUIRE(status >= 0, SystemError, "base OT: libsodium failed to initialise");
}

void require_count(std::size_t count) {
  TWAIN_REQUIRE(count >= 1 && count <= kMaxBaseOts, InvalidArgument,
                "base OT: count " + std::to_string(count) + " outside [1, " +
                    std::to_string(kMaxBaseOts) + "]");
}

// Uniform scalar: 512 PRG bits reduced modulo the group order (bias below 2^-250).
Scalar random_scalar(core::Prg& prg) {
  std::array<uint8_t, crypto_core_ristretto255_NONREDUCEDSCALARBYTES> wide;
  prg.fill(wide.data(), wide.size());
  Scalar s;
  crypto_core_ristretto255_scalar_reduce(s.data(), wide.data());
  sodium_memzero(wide.data(), wide.size());
  return s;
}

Point base_times(const Scalar& s) {
  Point p;
  TWAIN_REQUIRE(crypto_scalarmult_ristretto255_base(p.data(), s.data()) == 0, Error,
                "base OT: sampled the zero scalar");
  return p;
}

// Canonical encoding of a group element other than the identity, else FormatError.
void require_valid_point(const Point& p, const std::string& what) {
  TWAIN_REQUIRE(crypto_core_ristretto255_is_valid_point(p.data()) == 1, FormatError,
                "base OT: " + what + " is not a canonical ristretto255 encoding");
  TWAIN_REQUIRE(!sodium_is_zero(p.data(), p.size()), FormatError,
                "base OT: " + what + " is the identity element");
}

// s * P for a valid non-identity P and a non-zero scalar s (the group has prime order).
Point times(const Scalar& s, const Point& p) {
  Point q;
  TWAIN_REQUIRE(crypto_scalarmult_ristretto255(q.data(), s.data(), p.data()) == 0, FormatError,
                "base OT: scalar multiplication gave the identity");
  return q;
}

// H(i, A, B_i, K): SHA-256 with a domain label, truncated to 128 bits.
core::Block derive_key(uint64_t index, const Point& a, const Point& b, const Point& shared) {
  core::Sha256 h;
  h.update("twain/ot/simplest-ot/v1");
  h.update_u64(index);
  h.update(a.data(), a.size()).update(b.data(), b.size()).update(shared.data(), shared.size());
  const core::Digest digest = h.finish();
  core::Block key;
  std::memcpy(&key, digest.data(), sizeof(key));
  return key;
}

}  // namespace

std::vector<BlockPair> base_ot_send(net::Channel& channel, core::Prg& prg, std::size_t count) {
  require_count(count);
  init_sodium();
  Scalar a = random_scalar(prg);
  const Point big_a = base_times(a);
  channel.send_u64(count);
  channel.send(big_a.data(), big_a.size());

  std::vector<Point> big_b(count);
  channel.recv(big_b.data(), count * kPointBytes);
  const Point a_times_a = times(a, big_a);

  std::vector<BlockPair> out(count);
  for (std::size_t i = 0; i < count; ++i) {
    require_valid_point(big_b[i], "receiver point " + std::to_string(i));
    const Point k0 = times(a, big_b[i]);
    Point k1;
    crypto_core_ristretto255_sub(k1.data(), k0.data(), a_times_a.data());
    out[i] = {derive_key(i, big_a, big_b[i], k0), derive_key(i, big_a, big_b[i], k1)};
  }
  sodium_memzero(a.data(), a.size());
  return out;
}

std::vector<core::Block> base_ot_receive(net::Channel& channel, core::Prg& prg,
                                         const core::BitVector& choices) {
  const std::size_t count = choices.size();
  require_count(count);
  init_sodium();
  const uint64_t announced = channel.recv_u64();
  TWAIN_REQUIRE(announced == count, FormatError,
                "base OT: the sender runs " + std::to_string(announced) + " OTs, this side " +
                    std::to_string(count));
  Point big_a;
  channel.recv(big_a.data(), big_a.size());
  require_valid_point(big_a, "sender point");

  std::vector<Scalar> b(count);
  std::vector<Point> big_b(count);
  for (std::size_t i = 0; i < count; ++i) {
    b[i] = random_scalar(prg);
    const Point p0 = base_times(b[i]);
    Point p1;
    crypto_core_ristretto255_add(p1.data(), p0.data(), big_a.data());
    // B_i = c_i ? p1 : p0, selected by a mask so the choice bit steers no branch or address.
    const auto mask = static_cast<uint8_t>(0U - static_cast<unsigned>(choices.get(i)));
    for (std::size_t k = 0; k < kPointBytes; ++k) {
      big_b[i][k] = static_cast<uint8_t>(p0[k] ^ (mask & (p0[k] ^ p1[k])));
    }
  }
  // Send first: the sender's multiplications overlap with the key derivation below.
  channel.send(big_b.data(), count * kPointBytes);
  channel.flush();
  std::vector<core::Block> out(count);
  for (std::size_t i = 0; i < count; ++i) out[i] = derive_key(i, big_a, big_b[i], times(b[i], big_a));
  sodium_memzero(b.data(), count * kScalarBytes);
  return out;
}

}  // namespace twain::ot
