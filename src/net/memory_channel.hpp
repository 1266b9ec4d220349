// In-process channel pair for tests: two connected ends, each usable from its own thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "net/channel.hpp"

namespace twain::net {

// Both timeouts must satisfy 0 < timeout <= kMaxChannelTimeout (else InvalidArgument).
struct MemoryChannelOptions {
  // Inactivity: recv waiting longer than this for data, or send waiting longer for queue
  // space, throws TimeoutError.
  std::chrono::milliseconds timeout{30'000};
  // Total time one Channel operation may take (see channel.hpp), as for TcpOptions: past it,
  // the next wait for the peer throws TimeoutError.
  std::chrono::milliseconds message_timeout{600'000};
  // Bytes one direction may hold queued before send blocks (back-pressure, so a sender that
  // outruns its reader cannot grow memory without bound). A single flush larger than this is
  // still accepted in pieces as the reader drains.
  std::size_t queue_capacity_bytes = std::size_t{64} << 20;
  std::size_t write_buffer_bytes = std::size_t{64} << 10;
};

namespace detail {
struct MemoryPipe;
}

// One end of an in-memory pair. Closing or destroying an end makes the other end's recv throw
// NetworkError once the bytes already queued are consumed, and its send throw NetworkError.
class MemoryChannel final : public Channel {
 public:
  MemoryChannel(std::shared_ptr<detail::MemoryPipe> outgoing,
                std::shared_ptr<detail::MemoryPipe> incoming, MemoryChannelOptions options,
                std::string name);
  ~MemoryChannel() override;

  void close() override;
  // Throw InvalidArgument unless 0 < timeout <= kMaxChannelTimeout.
  void set_timeout(std::chrono::milliseconds timeout);
  void set_message_timeout(std::chrono::milliseconds timeout);
  const std::string& name() const noexcept { return name_; }

 protected:
  void write_raw(const uint8_t* data, std::size_t bytes) override;
  void read_raw(uint8_t* data, std::size_t bytes) override;

 private:
  void release() noexcept;

  std::shared_ptr<detail::MemoryPipe> outgoing_;
  std::shared_ptr<detail::MemoryPipe> incoming_;
  MemoryChannelOptions options_;
  std::string name_;
  bool closed_ = false;
};

// Two connected ends: whatever first sends, second receives, and the other way round.
std::pair<std::unique_ptr<MemoryChannel>, std::unique_ptr<MemoryChannel>> make_memory_channel_pair(
    MemoryChannelOptions options = {});

}  // namespace twain::net
