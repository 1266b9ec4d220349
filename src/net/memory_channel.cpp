#include "net/memory_channel.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <vector>

#include "core/errors.hpp"

namespace twain::net {
namespace detail {

// One direction of a pair: a queue of byte chunks guarded by a mutex.
struct MemoryPipe {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::vector<uint8_t>> chunks;
  std::size_t front_offset = 0;  // bytes of chunks.front() already read
  std::size_t queued = 0;        // unread bytes over all chunks
  bool writer_closed = false;
  bool reader_closed = false;
};

}  // namespace detail

namespace {

// Largest chunk one queue entry holds, so a huge flush is copied in bounded pieces.
constexpr std::size_t kMaxChunk = std::size_t{1} << 20;

std::string ms_text(std::chrono::milliseconds timeout) {
  return std::to_string(timeout.count()) + " ms";
}

}  // namespace

MemoryChannel::MemoryChannel(std::shared_ptr<detail::MemoryPipe> outgoing,
                             std::shared_ptr<detail::MemoryPipe> incoming,
                             MemoryChannelOptions options, std::string name)
    : Channel(options.write_buffer_bytes),
      outgoing_(std::move(outgoing)),
      incoming_(std::move(incoming)),
      options_(options),
      name_(std::move(name)) {
  TWAIN_REQUIRE(outgoing_ && incoming_, InvalidArgument, "MemoryChannel: null pipe");
  TWAIN_REQUIRE(options_.queue_capacity_bytes > 0, InvalidArgument,
                "MemoryChannel: queue_capacity_bytes must be positive");
  TWAIN_REQUIRE(options_.timeout.count() > 0, InvalidArgument,
                "MemoryChannel: timeout must be positive, got " + ms_text(options_.timeout));
}

MemoryChannel::~MemoryChannel() {
  if (!closed_) flush_noexcept();
  release();
}

void MemoryChannel::set_timeout(std::chrono::milliseconds timeout) {
  TWAIN_REQUIRE(timeout.count() > 0, InvalidArgument,
                "MemoryChannel::set_timeout: timeout must be positive, got " + ms_text(timeout));
  options_.timeout = timeout;
}

void MemoryChannel::close() {
  if (closed_) return;
  try {
    flush();
  } catch (...) {
    release();
    throw;
  }
  release();
}

void MemoryChannel::release() noexcept {
  if (closed_) return;
  closed_ = true;
  {
    std::lock_guard lock(outgoing_->mutex);
    outgoing_->writer_closed = true;
  }
  outgoing_->changed.notify_all();
  {
    std::lock_guard lock(incoming_->mutex);
    incoming_->reader_closed = true;
    incoming_->chunks.clear();
    incoming_->queued = 0;
    incoming_->front_offset = 0;
  }
  incoming_->changed.notify_all();
}

void MemoryChannel::write_raw(const uint8_t* data, std::size_t bytes) {
  TWAIN_REQUIRE(!closed_, NetworkError, name_ + ": send on a closed channel");
  detail::MemoryPipe& pipe = *outgoing_;
  std::size_t done = 0;
  while (done < bytes) {
    const std::size_t piece = std::min({bytes - done, kMaxChunk, options_.queue_capacity_bytes});
    std::vector<uint8_t> chunk(data + done, data + done + piece);
    std::unique_lock lock(pipe.mutex);
    const bool ready = pipe.changed.wait_for(lock, options_.timeout, [&] {
      return pipe.reader_closed || pipe.queued + piece <= options_.queue_capacity_bytes;
    });
    if (pipe.reader_closed) {
      throw NetworkError(name_ + ": peer closed the connection after " + std::to_string(done) +
                         " of " + std::to_string(bytes) + " bytes were sent");
    }
    if (!ready) {
      throw TimeoutError(name_ + ": peer did not read for " + ms_text(options_.timeout) +
                         " (queue full) after " + std::to_string(done) + " of " +
                         std::to_string(bytes) + " bytes were sent");
    }
    pipe.chunks.push_back(std::move(chunk));
    pipe.queued += piece;
    lock.unlock();
    pipe.changed.notify_all();
    done += piece;
  }
}

void MemoryChannel::read_raw(uint8_t* data, std::size_t bytes) {
  TWAIN_REQUIRE(!closed_, NetworkError, name_ + ": recv on a closed channel");
  detail::MemoryPipe& pipe = *incoming_;
  std::size_t done = 0;
  std::unique_lock lock(pipe.mutex);
  while (done < bytes) {
    const bool ready = pipe.changed.wait_for(
        lock, options_.timeout, [&] { return pipe.queued > 0 || pipe.writer_closed; });
    if (pipe.queued == 0) {
      if (pipe.writer_closed) {
        throw NetworkError(name_ + ": peer closed the connection after " + std::to_string(done) +
                           " of " + std::to_string(bytes) + " bytes");
      }
      if (!ready) {
        throw TimeoutError(name_ + ": no data from peer for " + ms_text(options_.timeout) +
                           " after " + std::to_string(done) + " of " + std::to_string(bytes) +
                           " bytes");
      }
    }
    while (done < bytes && pipe.queued > 0) {
      std::vector<uint8_t>& front = pipe.chunks.front();
      const std::size_t take = std::min(bytes - done, front.size() - pipe.front_offset);
      std::memcpy(data + done, front.data() + pipe.front_offset, take);
      done += take;
      pipe.front_offset += take;
      pipe.queued -= take;
      if (pipe.front_offset == front.size()) {
        pipe.chunks.pop_front();
        pipe.front_offset = 0;
      }
    }
    pipe.changed.notify_all();  // space freed for a blocked writer
  }
}

std::pair<std::unique_ptr<MemoryChannel>, std::unique_ptr<MemoryChannel>> make_memory_channel_pair(
    MemoryChannelOptions options) {
  auto first_to_second = std::make_shared<detail::MemoryPipe>();
  auto second_to_first = std::make_shared<detail::MemoryPipe>();
  auto first = std::make_unique<MemoryChannel>(first_to_second, second_to_first, options,
                                               "memory channel end 0");
  auto second = std::make_unique<MemoryChannel>(second_to_first, first_to_second, options,
                                                "memory channel end 1");
  return {std::move(first), std::move(second)};
}

}  // namespace twain::net
