#include "net/channel.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "core/errors.hpp"

namespace twain::net {
namespace {

std::array<uint8_t, 8> encode_u64(uint64_t value) {
  std::array<uint8_t, 8> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(value >> (8 * i));
  return bytes;
}

uint64_t decode_u64(const std::array<uint8_t, 8>& bytes) {
  uint64_t value = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) value |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  return value;
}

// First payload chunk of recv_message; later chunks double the buffer up to the declared length.
constexpr std::size_t kFirstMessageChunk = std::size_t{64} << 10;

}  // namespace

// Marks one public operation; nested operations (the flush inside recv) share the outer one.
class Channel::OperationScope {
 public:
  explicit OperationScope(Channel& channel) noexcept : channel_(channel) {
    ++channel_.operation_depth_;
  }
  ~OperationScope() {
    if (--channel_.operation_depth_ == 0) channel_.operation_started_ = false;
  }
  OperationScope(const OperationScope&) = delete;
  OperationScope& operator=(const OperationScope&) = delete;

 private:
  Channel& channel_;
};

Channel::Clock::time_point Channel::operation_start() noexcept {
  if (operation_depth_ == 0) return Clock::now();
  if (!operation_started_) {
    operation_start_ = Clock::now();
    operation_started_ = true;
  }
  return operation_start_;
}

Channel::Channel(std::size_t write_buffer_bytes) : out_(write_buffer_bytes) {}

void Channel::send(const void* data, std::size_t bytes) {
  TWAIN_REQUIRE(data != nullptr || bytes == 0, InvalidArgument,
                "Channel::send: null data pointer with " + std::to_string(bytes) + " bytes");
  OperationScope scope(*this);
  ++counters_.messages;
  send_bytes(static_cast<const uint8_t*>(data), bytes);
}

void Channel::recv(void* data, std::size_t bytes) {
  TWAIN_REQUIRE(data != nullptr || bytes == 0, InvalidArgument,
                "Channel::recv: null data pointer with " + std::to_string(bytes) + " bytes");
  OperationScope scope(*this);
  recv_bytes(static_cast<uint8_t*>(data), bytes);
}

void Channel::send_bytes(const uint8_t* data, std::size_t bytes) {
  if (bytes == 0) return;
  if (last_ != Direction::kSent) ++counters_.rounds;
  last_ = Direction::kSent;
  counters_.bytes_sent += bytes;
  if (checksums_) sent_checksum_.update(data, bytes);

  const std::size_t capacity = out_.size();
  if (out_used_ + bytes <= capacity) {
    std::memcpy(out_.data() + out_used_, data, bytes);
    out_used_ += bytes;
    if (out_used_ == capacity) flush();
    return;
  }
  // Does not fit: top the buffer up if that fills it, push it, and send large writes directly.
  if (out_used_ > 0) {
    const std::size_t top_up = capacity - out_used_;
    if (bytes - top_up < capacity) {
      std::memcpy(out_.data() + out_used_, data, top_up);
      out_used_ = capacity;
      data += top_up;
      bytes -= top_up;
    }
    flush();
  }
  if (bytes >= capacity) {
    ++counters_.flushes;
    write_raw(data, bytes);
  } else {
    std::memcpy(out_.data(), data, bytes);
    out_used_ = bytes;
  }
}

void Channel::recv_bytes(uint8_t* data, std::size_t bytes) {
  flush();
  if (bytes == 0) return;
  read_raw(data, bytes);
  counters_.bytes_received += bytes;
  if (checksums_) received_checksum_.update(data, bytes);
  last_ = Direction::kReceived;
}

void Channel::flush() {
  if (out_used_ == 0) return;
  OperationScope scope(*this);
  // Reset first: if the transport fails, the lost bytes are not retried by a later flush.
  const std::size_t used = out_used_;
  out_used_ = 0;
  ++counters_.flushes;
  write_raw(out_.data(), used);
}

void Channel::flush_noexcept() noexcept {
  try {
    flush();
  } catch (...) {
    // Best effort during teardown: the peer observes the missing bytes as a NetworkError.
  }
}

void Channel::send_u64(uint64_t value) {
  const auto bytes = encode_u64(value);
  OperationScope scope(*this);
  ++counters_.messages;
  send_bytes(bytes.data(), bytes.size());
}

uint64_t Channel::recv_u64() {
  std::array<uint8_t, 8> bytes{};
  OperationScope scope(*this);
  recv_bytes(bytes.data(), bytes.size());
  return decode_u64(bytes);
}

void Channel::send_message(std::span<const uint8_t> payload) {
  const auto prefix = encode_u64(payload.size());
  OperationScope scope(*this);
  ++counters_.messages;
  send_bytes(prefix.data(), prefix.size());
  send_bytes(payload.data(), payload.size());
}

std::vector<uint8_t> Channel::recv_message(std::size_t max_bytes) {
  OperationScope scope(*this);
  std::array<uint8_t, 8> prefix{};
  recv_bytes(prefix.data(), prefix.size());
  const uint64_t length = decode_u64(prefix);
  if (length > max_bytes) {
    throw FormatError("Channel::recv_message: peer declared a message of " + std::to_string(length) +
                      " bytes, over the limit of " + std::to_string(max_bytes) + " bytes");
  }
  // Grow with the data actually received: the declared length alone commits no memory.
  const auto total = static_cast<std::size_t>(length);
  std::vector<uint8_t> payload;
  payload.reserve(std::min(total, kFirstMessageChunk));
  std::size_t received = 0;
  const auto context = [&] {
    return " (framed message of " + std::to_string(total) + " bytes, " + std::to_string(received) +
           " received before the failing read of " + std::to_string(payload.size() - received) +
           ")";
  };
  try {
    while (received < total) {
      if (received == payload.capacity()) {
        payload.reserve(std::min(total, 2 * payload.capacity()));
      }
      payload.resize(payload.capacity());
      recv_bytes(payload.data() + received, payload.size() - received);
      received = payload.size();
    }
  } catch (const TimeoutError& e) {
    throw TimeoutError(e.what() + context());
  } catch (const NetworkError& e) {
    throw NetworkError(e.what() + context());
  }
  return payload;
}

}  // namespace twain::net
