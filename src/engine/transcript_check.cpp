#include "engine/transcript_check.hpp"

#include <array>
#include <cstring>
#include <string>

#include "core/errors.hpp"

namespace twain::engine {
namespace {

// Both digests (what this end sent, what it received): 2 x (16-byte checksum, u64 count).
constexpr std::size_t kDigestBytes = 24;
using DigestPair = std::array<uint8_t, 2 * kDigestBytes>;

void put(uint8_t* out, const net::TranscriptDigest& d) {
  std::memcpy(out, d.checksum.data(), d.checksum.size());
  for (std::size_t i = 0; i < 8; ++i) out[16 + i] = static_cast<uint8_t>(d.bytes >> (8 * i));
}

net::TranscriptDigest get(const uint8_t* in) {
  net::TranscriptDigest d;
  std::memcpy(d.checksum.data(), in, d.checksum.size());
  for (std::size_t i = 0; i < 8; ++i) d.bytes |= static_cast<uint64_t>(in[16 + i]) << (8 * i);
  return d;
}

void compare(const net::TranscriptDigest& sent, const net::TranscriptDigest& received, const char* direction) {
  if (sent == received) return;
  std::string detail = sent.bytes == received.bytes
                           ? "the same number of bytes (" + std::to_string(sent.bytes) + ") with different contents"
                           : std::to_string(sent.bytes) + " bytes sent, " + std::to_string(received.bytes) + " received";
  throw IntegrityError(std::string("transcript check failed: the bytes ") + direction +
                       " differ from what was sent: " + detail +
                       " (a corrupted, duplicated or lost byte on the link; the session's result is discarded)");
}

}  // namespace

void check_transcript(net::Channel& channel) {
  const net::TranscriptDigest mine_sent = channel.sent_digest();
  const net::TranscriptDigest mine_received = channel.received_digest();
  DigestPair out{};
  put(out.data(), mine_sent);
  put(out.data() + kDigestBytes, mine_received);
  channel.send(std::span<const uint8_t>(out));
  channel.flush();
  DigestPair in{};
  channel.recv(std::span<uint8_t>(in));
  const net::TranscriptDigest peer_sent = get(in.data());
  const net::TranscriptDigest peer_received = get(in.data() + kDigestBytes);
  compare(peer_sent, mine_received, "this party received");
  compare(mine_sent, peer_received, "the peer received");
}

}  // namespace twain::engine
