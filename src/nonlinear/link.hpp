// The transport of the nonlinear protocols: simultaneous exchanges and one-way flights over a
// net::Channel, with a count of sequential flights, and the packing of a flight's payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/bit_vector.hpp"
#include "net/channel.hpp"
#include "nonlinear/options.hpp"

namespace twain::nonlinear {

// Both parties send at once in exchange(); the payload goes in windows of kExchangeWindow bytes
// (send one window, then alternately receive one and send the next), so two large payloads
// never wait on each other's socket buffers. flights() counts the protocol's sequential
// communication steps: an exchange is one flight (both directions travel together), a one-way
// send/receive pair is one flight.
class Link {
 public:
  static constexpr std::size_t kExchangeWindow = std::size_t{64} << 10;

  Link(Role role, net::Channel& channel) : role_(role), channel_(channel) {}

  Role role() const { return role_; }
  bool is_server() const { return role_ == Role::kServer; }
  net::Channel& channel() { return channel_; }

  // Sends `out` and returns the peer's payload of `in_bytes` bytes (both sizes are fixed by
  // the protocol; a peer that closes early throws NetworkError).
  std::vector<uint8_t> exchange(std::span<const uint8_t> out, std::size_t in_bytes);
  // One-way flight: `from` sends `out` (the other side passes an empty span), the other side
  // receives `in_bytes` (the sender passes 0). Returns what was received.
  std::vector<uint8_t> one_way(Role from, std::span<const uint8_t> out, std::size_t in_bytes);

  uint64_t flights() const { return flights_; }

 private:
  Role role_;
  net::Channel& channel_;
  uint64_t flights_ = 0;
};

// Builds a flight's payload: bit vectors packed 8 per byte, values at a bit width.
class MessageWriter {
 public:
  void bits(const core::BitVector& v);
  // Each value must fit in `width` bits (1..64); values are packed back to back, then padded
  // to a whole byte.
  void values(std::span<const uint64_t> v, int width);
  std::span<const uint8_t> bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// Reads what MessageWriter wrote, in the same order; FormatError on a short payload or on
// non-zero padding.
class MessageReader {
 public:
  explicit MessageReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  core::BitVector bits(std::size_t count);
  std::vector<uint64_t> values(std::size_t count, int width);
  // Throws FormatError unless every byte was read.
  void finish() const;

 private:
  std::span<const uint8_t> take(std::size_t n);
  std::span<const uint8_t> bytes_;
  std::size_t position_ = 0;
};

// Payload sizes matching MessageWriter.
constexpr std::size_t bits_bytes(std::size_t count) { return (count + 7) / 8; }
constexpr std::size_t values_bytes(std::size_t count, int width) {
  return (count * static_cast<std::size_t>(width) + 7) / 8;
}

}  // namespace twain::nonlinear
