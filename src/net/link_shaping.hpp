// Link shaping: makes a fast local channel behave like a LAN or WAN link.
//
// ShapedChannel wraps another Channel. Each chunk of output it pushes is stamped with the time
// at which a real link would have delivered it; the receiving ShapedChannel sleeps until that
// time before handing the bytes over. For a chunk of B bytes pushed at time T:
//   start     = max(T, time the link finished serialising the previous chunk of this direction)
//   delivered = start + B * 8 / bandwidth + one_way_latency
// The stamps use CLOCK_MONOTONIC, which is one clock for the whole machine on Linux, so the two
// ends may live in different threads or different processes of the same host. Both ends must be
// ShapedChannels (the stamps are part of the wire format underneath).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/channel.hpp"

namespace twain::net {

struct LinkProfile {
  // Accepted ranges (validate()): bandwidth finite and at least 1 kbit/s; latency 0 to 10 s.
  static constexpr double kMinBandwidthBitsPerSecond = 1e3;
  static constexpr std::chrono::nanoseconds kMaxOneWayLatency = std::chrono::seconds(10);

  double bandwidth_bits_per_second = 0;
  std::chrono::nanoseconds one_way_latency{0};

  // Throws InvalidArgument naming the field that lies outside the accepted ranges.
  void validate() const;

  // 3 Gbit/s, 0.15 ms one way.
  static LinkProfile lan() { return {3e9, std::chrono::microseconds(150)}; }
  // 400 Mbit/s, 20 ms one way.
  static LinkProfile wan() { return {400e6, std::chrono::milliseconds(20)}; }

  // Time the link needs to carry `bytes` (serialisation only, no latency), rounded up to whole
  // nanoseconds; nanoseconds::max() if that is not representable. Validates the profile first.
  std::chrono::nanoseconds transfer_time(std::size_t bytes) const;
  // e.g. "400 Mbit/s, 20 ms one-way".
  std::string describe() const;
};

// "lan" or "wan" give the presets, "none" gives nullopt (no shaping); anything else throws
// InvalidArgument listing the accepted names.
std::optional<LinkProfile> parse_link_profile(std::string_view name);

class ShapedChannel final : public Channel {
 public:
  // Largest chunk carried under one stamp; a longer flush is split (and stamped) in pieces.
  static constexpr std::size_t kMaxSegmentBytes = std::size_t{64} << 10;

  // Throws InvalidArgument for a null inner channel or a profile that fails validate().
  // A sender that runs so far ahead of the simulated link that its data would be delivered
  // more than an hour from now gets NetworkError (the receiver would reject such a stamp).
  ShapedChannel(std::unique_ptr<Channel> inner, const LinkProfile& profile,
                std::size_t write_buffer_bytes = std::size_t{256} << 10);
  ~ShapedChannel() override;

  void close() override;
  const LinkProfile& profile() const noexcept { return profile_; }
  // The wrapped channel; its counters include the 12-byte stamp of every segment.
  Channel& inner() noexcept { return *inner_; }

 protected:
  void write_raw(const uint8_t* data, std::size_t bytes) override;
  void read_raw(uint8_t* data, std::size_t bytes) override;

 private:
  // Reads segment by segment, sleeping until each one's delivery time; `done` tracks progress.
  void read_segments(uint8_t* data, std::size_t bytes, std::size_t& done);

  std::unique_ptr<Channel> inner_;
  LinkProfile profile_;
  int64_t link_free_ns_ = 0;           // when this direction finishes serialising queued data
  std::size_t segment_remaining_ = 0;  // unread payload bytes of the current incoming segment
  bool closed_ = false;
};

// Wraps `channel` in a ShapedChannel when a profile is given; returns it unchanged otherwise.
std::unique_ptr<Channel> shape(std::unique_ptr<Channel> channel,
                               const std::optional<LinkProfile>& profile);

}  // namespace twain::net
