// The session request: the options a client asks for, as the few bytes it sends after reading the
// description. Both parties derive their choices from these options.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/options.hpp"

namespace twain::engine {

// Largest request a server reads (a fixed-size record today, with room to grow).
inline constexpr std::size_t kMaxRequestBytes = 64;

// Throws InvalidArgument for a link model outside what a request carries (bandwidth in
// [1e3, 2^50] bit/s, latency in [0, 10] s, both finite). encode_request(decode_request(b)) == b
// for every request b that decodes.
std::vector<uint8_t> encode_request(const SessionOptions& options);
// Throws FormatError naming the field for a truncated, foreign, out-of-range or oversized request.
// Policy checks (what this server allows) come after, in the session.
SessionOptions decode_request(std::span<const uint8_t> bytes);

// The options as the server decodes them from this client's request (the link model rounded to
// the nanosecond and bit/s the request carries), with the client-only choose_backend kept. The
// client plans from these, so that both parties derive every choice from the same bytes: a value
// that does not survive the round trip cannot make them plan different circuits.
SessionOptions as_sent(const SessionOptions& options);

// What the client asks for next within a session, after its request and key: the offline
// material of `count` more inferences, one inference on material already prepared, or the end.
// Both parties act on the same command, so their offline and online phases stay in step.
struct SessionCommand {
  enum class Kind : uint8_t { kPrepare = 1, kInfer = 2, kEnd = 3 };
  Kind kind = Kind::kEnd;
  uint64_t count = 0;  // kPrepare: in [1, kMaxInferences]; otherwise 0

  bool operator==(const SessionCommand&) const = default;
};

inline constexpr std::size_t kMaxCommandBytes = 16;

// Throws InvalidArgument for a count outside its kind's range.
std::vector<uint8_t> encode_command(const SessionCommand& command);
// Throws FormatError for a truncated, unknown or out-of-range command.
SessionCommand decode_command(std::span<const uint8_t> bytes);

}  // namespace twain::engine
