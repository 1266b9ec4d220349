#include "engine/request_codec.hpp"

#include <cmath>
#include <string>

#include "core/errors.hpp"

#include "engine/wire.hpp"

namespace twain::engine {
namespace {

constexpr uint32_t kRequestMagic = 0x51525754;  // "TWRQ"
constexpr uint8_t kRequestVersion = 1;
constexpr uint64_t kMinLinkBitsPerSecond = 1000;
constexpr uint64_t kMaxLinkBitsPerSecond = uint64_t{1} << 50;
constexpr uint64_t kMaxLinkLatencyNs = 10'000'000'000;

}  // namespace

std::vector<uint8_t> encode_request(const SessionOptions& o) {
  WireWriter w;
  w.u32(kRequestMagic);
  w.u8(kRequestVersion);
  w.u8(static_cast<uint8_t>(o.mode));
  w.u8(static_cast<uint8_t>(o.backend));
  w.u8(static_cast<uint8_t>(o.compare));
  w.u32(static_cast<uint32_t>(o.top_k));
  w.u8(o.reveal_logits ? 1 : 0);
  TWAIN_REQUIRE(std::isfinite(o.link.bits_per_second) && o.link.bits_per_second >= kMinLinkBitsPerSecond &&
                    o.link.bits_per_second <= kMaxLinkBitsPerSecond,
                InvalidArgument, "link bandwidth " + std::to_string(o.link.bits_per_second) + " bit/s outside [1e3, 2^50]");
  TWAIN_REQUIRE(std::isfinite(o.link.one_way_latency_s) && o.link.one_way_latency_s >= 0 &&
                    o.link.one_way_latency_s * 1e9 <= static_cast<double>(kMaxLinkLatencyNs),
                InvalidArgument, "link latency " + std::to_string(o.link.one_way_latency_s) + " s outside [0, 10]");
  // Rounded to nearest, so that encoding a decoded request gives back its bytes: the client plans
  // from the decoded values (as_sent), and what it then sends must decode to them again.
  w.u64(static_cast<uint64_t>(std::llround(o.link.bits_per_second)));
  w.u64(static_cast<uint64_t>(std::llround(o.link.one_way_latency_s * 1e9)));
  return w.take();
}

SessionOptions decode_request(std::span<const uint8_t> bytes) {
  WireReader r(bytes, "session request");
  if (r.u32("magic") != kRequestMagic) r.fail("bad magic (not a twain client)");
  if (const uint8_t v = r.u8("version"); v != kRequestVersion)
    r.fail("version " + std::to_string(v) + ", this server speaks version " + std::to_string(kRequestVersion));
  SessionOptions o;
  o.mode = static_cast<nonlinear::TruncMode>(r.small("mode", 1));
  o.backend = static_cast<nonlinear::Backend>(r.small("backend", 2));
  o.compare = static_cast<nonlinear::CompareMode>(r.small("compare", 2));
  o.top_k = static_cast<int>(r.integer("top_k", 1, kMaxTopK));
  o.reveal_logits = r.small("reveal_logits", 1) != 0;
  const uint64_t bits_per_second = r.u64("link bandwidth"), latency_ns = r.u64("link latency");
  if (bits_per_second < kMinLinkBitsPerSecond || bits_per_second > kMaxLinkBitsPerSecond || latency_ns > kMaxLinkLatencyNs)
    r.fail("link model out of range");
  o.link.bits_per_second = static_cast<double>(bits_per_second);
  o.link.one_way_latency_s = static_cast<double>(latency_ns) * 1e-9;
  r.finish();
  return o;
}

SessionOptions as_sent(const SessionOptions& options) {
  SessionOptions sent = decode_request(encode_request(options));
  sent.choose_backend = options.choose_backend;
  return sent;
}

std::vector<uint8_t> encode_command(const SessionCommand& command) {
  const bool prepare = command.kind == SessionCommand::Kind::kPrepare;
  TWAIN_REQUIRE(prepare ? command.count >= 1 && command.count <= kMaxInferences : command.count == 0, InvalidArgument,
                "session command: count " + std::to_string(command.count) +
                    (prepare ? " outside [1, " + std::to_string(kMaxInferences) + "]" : " for a command without one"));
  WireWriter w;
  w.u8(static_cast<uint8_t>(command.kind));
  w.u32(static_cast<uint32_t>(command.count));
  return w.take();
}

SessionCommand decode_command(std::span<const uint8_t> bytes) {
  WireReader r(bytes, "session command");
  SessionCommand c;
  const auto kind = r.u8("kind");
  if (kind < 1 || kind > 3) r.fail("unknown kind " + std::to_string(kind));
  c.kind = static_cast<SessionCommand::Kind>(kind);
  if (c.kind == SessionCommand::Kind::kPrepare) {
    c.count = static_cast<uint64_t>(r.integer("count", 1, static_cast<int64_t>(kMaxInferences)));
  } else if (r.u32("count") != 0) {
    r.fail("a count on a command without one");
  }
  r.finish();
  return c;
}

}  // namespace twain::engine
