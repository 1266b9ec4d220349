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

std::vector<uint8_t> encode_request(const SessionOptions& options);
// Throws FormatError naming the field for a truncated, foreign, out-of-range or oversized request.
// Policy checks (what this server allows) come after, in the session.
SessionOptions decode_request(std::span<const uint8_t> bytes);

}  // namespace twain::engine
