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

using Clock = std::chrono::steady_clock;

std::string ms_text(std::chrono::milliseconds timeout) {
  return std::to_string(timeout.count()) + " ms";
}

void check_timeout(std::chrono::milliseconds value, const std::string& what) {
  TWAIN_REQUIRE(value.count() > 0 && value <= kMaxChannelTimeout, InvalidArgument,
                what + " must be positive and at most " + ms_text(kMaxChannelTimeout) + ", got " +
                    ms_text(value));
}

// Waits on `pipe` (locked by `lock`) until `ready()` holds or a deadline passes: the inactivity
// one (now + idle) or the operation's message deadline. Returns whether ready() holds; when it
// does not, sets `message_expired` to say which deadline ended the wait.
template <class Ready>
bool wait_ready(std::unique_lock<std::mutex>& lock, detail::MemoryPipe& pipe, Ready ready,
                std::chrono::milliseconds idle, Clock::time_point message_deadline,
                bool& message_expired) {
  const auto idle_deadline = Clock::now() + idle;
  message_expired = message_deadline <= idle_deadline;
  return pipe.changed.wait_until(lock, message_expired ? message_deadline : idle_deadline, ready);
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
  check_timeout(options_.timeout, "MemoryChannel: timeout");
  check_timeout(options_.message_timeout, "MemoryChannel: message_timeout");
}

MemoryChannel::~MemoryChannel() {
  if (!closed_) flush_noexcept();
  release();
}

void MemoryChannel::set_timeout(std::chrono::milliseconds timeout) {
  check_timeout(timeout, "MemoryChannel::set_timeout: timeout");
  options_.timeout = timeout;
}

void MemoryChannel::set_message_timeout(std::chrono::milliseconds timeout) {
  check_timeout(timeout, "MemoryChannel::set_message_timeout: timeout");
  options_.message_timeout = timeout;
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
  const auto message_deadline = operation_start() + options_.message_timeout;
  std::size_t done = 0;
  while (done < bytes) {
    const std::size_t piece = std::min({bytes - done, kMaxChunk, options_.queue_capacity_bytes});
    std::vector<uint8_t> chunk(data + done, data + done + piece);
    std::unique_lock lock(pipe.mutex);
    bool message_expired = false;
    const bool ready = wait_ready(
        lock, pipe,
        [&] { return pipe.reader_closed || pipe.queued + piece <= options_.queue_capacity_bytes; },
        options_.timeout, message_deadline, message_expired);
    if (pipe.reader_closed) {
      throw NetworkError(name_ + ": peer closed the connection after " + std::to_string(done) +
                         " of " + std::to_string(bytes) + " bytes were sent");
    }
    if (!ready && message_expired) {
      throw TimeoutError(name_ + ": peer had taken only " + std::to_string(done) + " of " +
                         std::to_string(bytes) + " bytes when the message timeout of " +
                         ms_text(options_.message_timeout) + " for one operation ran out");
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
  const auto message_deadline = operation_start() + options_.message_timeout;
  std::size_t done = 0;
  std::unique_lock lock(pipe.mutex);
  while (done < bytes) {
    bool message_expired = false;
    const bool ready = wait_ready(
        lock, pipe, [&] { return pipe.queued > 0 || pipe.writer_closed; }, options_.timeout,
        message_deadline, message_expired);
    if (pipe.queued == 0) {
      if (pipe.writer_closed) {
        throw NetworkError(name_ + ": peer closed the connection after " + std::to_string(done) +
                           " of " + std::to_string(bytes) + " bytes");
      }
      if (!ready && message_expired) {
        throw TimeoutError(name_ + ": peer had delivered only " + std::to_string(done) + " of " +
                           std::to_string(bytes) + " bytes when the message timeout of " +
                           ms_text(options_.message_timeout) + " for one operation ran out");
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
