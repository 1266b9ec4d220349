#include "net/link_shaping.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/errors.hpp"

namespace twain::net {
namespace {

// Segment stamp: delivery time (ns of CLOCK_MONOTONIC, little-endian u64), then the payload
// length (little-endian u32).
constexpr std::size_t kStampBytes = 12;
// A stamp further ahead than this is treated as corrupt rather than slept on.
constexpr int64_t kMaxAheadNs = int64_t{3600} * 1'000'000'000;

int64_t monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

void sleep_until_ns(int64_t deadline_ns) {
  timespec until{};
  until.tv_sec = deadline_ns / 1'000'000'000;
  until.tv_nsec = deadline_ns % 1'000'000'000;
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr) == EINTR) {
  }
}

void put_le(uint8_t* out, uint64_t value, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i) out[i] = static_cast<uint8_t>(value >> (8 * i));
}

uint64_t get_le(const uint8_t* in, std::size_t bytes) {
  uint64_t value = 0;
  for (std::size_t i = 0; i < bytes; ++i) value |= static_cast<uint64_t>(in[i]) << (8 * i);
  return value;
}

std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

}  // namespace

void LinkProfile::validate() const {
  TWAIN_REQUIRE(std::isfinite(bandwidth_bits_per_second) &&
                    bandwidth_bits_per_second >= kMinBandwidthBitsPerSecond,
                InvalidArgument,
                "LinkProfile: bandwidth_bits_per_second must be finite and at least " +
                    number_text(kMinBandwidthBitsPerSecond) + " (1 kbit/s), got " +
                    number_text(bandwidth_bits_per_second));
  TWAIN_REQUIRE(one_way_latency.count() >= 0 && one_way_latency <= kMaxOneWayLatency,
                InvalidArgument,
                "LinkProfile: one_way_latency must be between 0 and " +
                    std::to_string(kMaxOneWayLatency.count()) + " ns (10 s), got " +
                    std::to_string(one_way_latency.count()) + " ns");
}

std::chrono::nanoseconds LinkProfile::transfer_time(std::size_t bytes) const {
  validate();
  const double ns = std::ceil(static_cast<double>(bytes) * 8e9 / bandwidth_bits_per_second);
  // 2^63 as a double; anything below converts to int64 exactly enough and without overflow.
  constexpr double kLimit = 9223372036854775808.0;
  if (!(ns < kLimit)) return std::chrono::nanoseconds::max();
  return std::chrono::nanoseconds(static_cast<int64_t>(ns));
}

std::string LinkProfile::describe() const {
  const double bw = bandwidth_bits_per_second;
  const std::string rate = bw >= 1e9 ? number_text(bw / 1e9) + " Gbit/s"
                           : bw >= 1e6 ? number_text(bw / 1e6) + " Mbit/s"
                                       : number_text(bw / 1e3) + " kbit/s";
  const double latency_ms = std::chrono::duration<double, std::milli>(one_way_latency).count();
  return rate + ", " + number_text(latency_ms) + " ms one-way";
}

std::optional<LinkProfile> parse_link_profile(std::string_view name) {
  if (name == "lan") return LinkProfile::lan();
  if (name == "wan") return LinkProfile::wan();
  if (name == "none") return std::nullopt;
  throw InvalidArgument("unknown link profile '" + std::string(name) +
                        "' (expected lan, wan or none)");
}

ShapedChannel::ShapedChannel(std::unique_ptr<Channel> inner, const LinkProfile& profile,
                             std::size_t write_buffer_bytes)
    : Channel(write_buffer_bytes), inner_(std::move(inner)), profile_(profile) {
  TWAIN_REQUIRE(inner_ != nullptr, InvalidArgument, "ShapedChannel: null inner channel");
  inner_->skip_transcript_checksums();
  try {
    profile_.validate();
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(std::string("ShapedChannel: ") + e.what());
  }
}

ShapedChannel::~ShapedChannel() {
  if (!closed_) flush_noexcept();
  // inner_ flushes and closes itself when destroyed.
}

void ShapedChannel::close() {
  if (closed_) return;
  try {
    flush();
  } catch (...) {
    closed_ = true;
    inner_->close();
    throw;
  }
  closed_ = true;
  inner_->close();
}

void ShapedChannel::write_raw(const uint8_t* data, std::size_t bytes) {
  TWAIN_REQUIRE(!closed_, NetworkError, "ShapedChannel: send on a closed channel");
  std::array<uint8_t, kStampBytes> stamp{};
  std::size_t done = 0;
  while (done < bytes) {
    const std::size_t piece = std::min(bytes - done, kMaxSegmentBytes);
    // Validated profile: one segment takes at most 64 KiB * 8 / 1 kbit/s (about 524 s) plus
    // 10 s of latency, and link_free_ns_ never runs more than kMaxAheadNs ahead of now, so
    // none of these sums can overflow.
    const int64_t now = monotonic_ns();
    const int64_t start = std::max(now, link_free_ns_);
    const int64_t free_after = start + profile_.transfer_time(piece).count();
    const int64_t deliver = free_after + profile_.one_way_latency.count();
    if (deliver - now > kMaxAheadNs) {
      const int64_t ahead_s = (deliver - now) / 1'000'000'000;
      throw NetworkError("ShapedChannel: the simulated link (" + profile_.describe() +
                         ") would deliver this data " + std::to_string(ahead_s) +
                         " s from now, beyond the limit of " +
                         std::to_string(kMaxAheadNs / 1'000'000'000) +
                         " s: the sender is running too far ahead of the link");
    }
    link_free_ns_ = free_after;
    put_le(stamp.data(), static_cast<uint64_t>(deliver), 8);
    put_le(stamp.data() + 8, piece, 4);
    inner_->send(stamp.data(), stamp.size());
    inner_->send(data + done, piece);
    done += piece;
  }
  inner_->flush();
}

void ShapedChannel::read_raw(uint8_t* data, std::size_t bytes) {
  TWAIN_REQUIRE(!closed_, NetworkError, "ShapedChannel: recv on a closed channel");
  std::size_t done = 0;
  // Transport failures underneath are reported in terms of this read, not of the stamps.
  const auto context = [&] {
    return " (shaped read: " + std::to_string(done) + " of " + std::to_string(bytes) +
           " bytes arrived)";
  };
  try {
    read_segments(data, bytes, done);
  } catch (const TimeoutError& e) {
    throw TimeoutError(std::string("ShapedChannel: ") + e.what() + context());
  } catch (const NetworkError& e) {
    throw NetworkError(std::string("ShapedChannel: ") + e.what() + context());
  }
}

void ShapedChannel::read_segments(uint8_t* data, std::size_t bytes, std::size_t& done) {
  while (done < bytes) {
    if (segment_remaining_ == 0) {
      std::array<uint8_t, kStampBytes> stamp{};
      inner_->recv(stamp.data(), stamp.size());
      const auto deliver = static_cast<int64_t>(get_le(stamp.data(), 8));
      const uint64_t length = get_le(stamp.data() + 8, 4);
      if (length == 0 || length > kMaxSegmentBytes) {
        throw FormatError("ShapedChannel: segment stamp declares " + std::to_string(length) +
                          " bytes, expected 1 to " + std::to_string(kMaxSegmentBytes) +
                          " (is the peer a ShapedChannel too?)");
      }
      const int64_t now = monotonic_ns();
      if (deliver > now + kMaxAheadNs) {
        throw FormatError("ShapedChannel: segment stamp lies " +
                          std::to_string((deliver - now) / 1'000'000'000) +
                          " s in the future (is the peer a ShapedChannel on this host?)");
      }
      if (deliver > now) sleep_until_ns(deliver);
      segment_remaining_ = static_cast<std::size_t>(length);
    }
    const std::size_t take = std::min(bytes - done, segment_remaining_);
    inner_->recv(data + done, take);
    segment_remaining_ -= take;
    done += take;
  }
}

std::unique_ptr<Channel> shape(std::unique_ptr<Channel> channel,
                               const std::optional<LinkProfile>& profile) {
  if (!profile) return channel;
  return std::make_unique<ShapedChannel>(std::move(channel), *profile);
}

}  // namespace twain::net
