// Channel: the byte transport between the two parties, with buffered writes and traffic counters.
//
// A Channel is used by one thread at a time (one end per party). Writes are buffered; the
// buffer is pushed to the transport by flush(), when it fills, when a write is too large to
// buffer, and before every recv (so a ping-pong never deadlocks on data stuck in a buffer).
//
// Timeouts. Transports bound waiting in two ways: an inactivity timeout (no progress at all for
// that long) and a message timeout: one public operation (send, recv, send_u64, recv_u64,
// send_message, recv_message, flush) may not take longer than that in total, measured from its
// first transport call, so a peer trickling one byte at a time cannot hold a call open forever.
// Both throw TimeoutError; both are checked whenever the transport has to wait for the peer.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

#include "net/transcript_checksum.hpp"

namespace twain::net {

// Largest timeout any transport accepts (larger ones throw InvalidArgument): deadlines are
// computed as now + timeout, and a day is far beyond any useful wait.
inline constexpr std::chrono::milliseconds kMaxChannelTimeout = std::chrono::hours(24);

// Traffic seen by one end of a channel since construction or the last reset_counters().
//
// bytes_sent / bytes_received: every byte the protocol handed to send() or took with recv(),
//   including the 8-byte length prefix of framed messages and the 8 bytes of send_u64; nothing
//   the transport adds underneath (TCP headers, the delivery stamps of ShapedChannel) counts.
// rounds: the number of changes of direction seen from this end: it increments on a send of
//   at least one byte that is this end's first send, or that follows a recv. In a strict
//   ping-pong where this party speaks first, rounds equals the number of messages it sent; a
//   run of sends without a recv in between is one round.
// messages: the number of send operations (send, send_u64, send_message each count one).
// flushes: how many times buffered output was pushed to the transport.
struct ChannelCounters {
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  uint64_t rounds = 0;
  uint64_t messages = 0;
  uint64_t flushes = 0;

  // Traffic between two snapshots of the same channel (later - earlier).
  friend ChannelCounters operator-(const ChannelCounters& later, const ChannelCounters& earlier) {
    return {later.bytes_sent - earlier.bytes_sent, later.bytes_received - earlier.bytes_received,
            later.rounds - earlier.rounds, later.messages - earlier.messages,
            later.flushes - earlier.flushes};
  }
  // Traffic of two intervals together.
  ChannelCounters& operator+=(const ChannelCounters& o) {
    bytes_sent += o.bytes_sent;
    bytes_received += o.bytes_received;
    rounds += o.rounds;
    messages += o.messages;
    flushes += o.flushes;
    return *this;
  }
  friend bool operator==(const ChannelCounters&, const ChannelCounters&) = default;
};

class Channel {
 public:
  virtual ~Channel() = default;
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Raw bytes. send() may keep the bytes in the write buffer until the next flush; recv()
  // flushes pending output first, then blocks until exactly `bytes` bytes arrived.
  // Transport failures throw NetworkError (TimeoutError when the peer stays silent too long).
  void send(const void* data, std::size_t bytes);
  void recv(void* data, std::size_t bytes);

  // Typed spans of trivially copyable values, in host byte order (both parties run the same
  // build on the same kind of machine).
  template <class T, std::size_t Extent>
    requires std::is_trivially_copyable_v<std::remove_const_t<T>>
  void send(std::span<T, Extent> values) {
    send(static_cast<const void*>(values.data()), values.size_bytes());
  }
  template <class T, std::size_t Extent>
    requires(std::is_trivially_copyable_v<T> && !std::is_const_v<T>)
  void recv(std::span<T, Extent> values) {
    recv(static_cast<void*>(values.data()), values.size_bytes());
  }

  // One 64-bit value, little-endian on the wire.
  void send_u64(uint64_t value);
  uint64_t recv_u64();

  // Framed message: an 8-byte little-endian length, then the payload.
  void send_message(std::span<const uint8_t> payload);
  // Throws FormatError naming the declared length and the limit, before allocating anything,
  // if the declared length exceeds max_bytes; NetworkError if the peer closes mid-message.
  // The payload buffer grows as bytes arrive (64 KiB first, then doubling up to the declared
  // length), so a peer that declares a large message but sends little commits little memory.
  // The whole message (prefix and payload) is one operation for the message timeout.
  std::vector<uint8_t> recv_message(std::size_t max_bytes);

  // Pushes buffered output to the transport.
  void flush();

  // Flushes, then ends this side of the connection: the peer's pending and later recv calls
  // throw NetworkError once the data already sent is consumed. Further use of this end throws
  // NetworkError. Destroying a channel closes it too (flushing best-effort, errors dropped).
  virtual void close() = 0;

  const ChannelCounters& counters() const noexcept { return counters_; }
  void reset_counters() noexcept { counters_ = {}; }

  // Checksums of every byte handed to send() and taken by recv() since construction (counter
  // resets do not touch them), for the end-of-session transcript check.
  TranscriptDigest sent_digest() const noexcept { return sent_checksum_.digest(); }
  TranscriptDigest received_digest() const noexcept { return received_checksum_.digest(); }
  // For a channel that is only the transport of another one (link shaping, fault injection): the
  // outer channel checksums the session's bytes, so this one stops keeping its own (its digests
  // then stay those of what it carried before).
  void skip_transcript_checksums() noexcept { checksums_ = false; }

 protected:
  // write_buffer_bytes = 0 disables buffering (every send goes straight to write_raw).
  explicit Channel(std::size_t write_buffer_bytes);

  // Transport hooks. write_raw must hand all `bytes` to the transport (blocking as needed);
  // read_raw must fill exactly `bytes` bytes (blocking as needed). Neither touches counters.
  virtual void write_raw(const uint8_t* data, std::size_t bytes) = 0;
  virtual void read_raw(uint8_t* data, std::size_t bytes) = 0;

  // Bytes sitting in the write buffer; derived destructors call flush_noexcept() then release.
  std::size_t pending_output() const noexcept { return out_used_; }
  void flush_noexcept() noexcept;

  using Clock = std::chrono::steady_clock;
  // Start of the public operation in progress, for the message timeout: the time of the first
  // call to operation_start() within that operation (transports call it on entry to write_raw /
  // read_raw, so an operation served from buffers never reads the clock). Outside any
  // operation, returns the current time.
  Clock::time_point operation_start() noexcept;

 private:
  class OperationScope;

  void send_bytes(const uint8_t* data, std::size_t bytes);
  void recv_bytes(uint8_t* data, std::size_t bytes);

  enum class Direction : uint8_t { kNone, kSent, kReceived };

  std::vector<uint8_t> out_;
  std::size_t out_used_ = 0;
  ChannelCounters counters_;
  TranscriptChecksum sent_checksum_, received_checksum_;
  bool checksums_ = true;
  Direction last_ = Direction::kNone;
  unsigned operation_depth_ = 0;  // nesting of public operations (recv flushes first, ...)
  bool operation_started_ = false;
  Clock::time_point operation_start_{};
};

}  // namespace twain::net
