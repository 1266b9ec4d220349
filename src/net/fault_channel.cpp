#include "net/fault_channel.hpp"

#include <algorithm>
#include <thread>

#include "core/errors.hpp"

namespace twain::net {
namespace {

const char* kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kCut:
      return "cut";
    case FaultKind::kStall:
      return "stall";
    case FaultKind::kPause:
      return "pause";
    case FaultKind::kDuplicate:
      return "duplicate";
    case FaultKind::kCorrupt:
      return "corrupt";
  }
  return "?";
}

}  // namespace

FaultPlan FaultPlan::random(core::Prg& prg, uint64_t bytes_sent, uint64_t bytes_received,
                            std::chrono::milliseconds pause) {
  FaultPlan plan;
  plan.kind = static_cast<FaultKind>(prg.next_u64() % kFaultKinds);
  plan.corrupt_mask = static_cast<uint8_t>(1 + prg.next_u64() % 255);
  plan.on_send = bytes_received == 0 || (bytes_sent != 0 && prg.next_u64() % 2 == 0);
  const uint64_t span = plan.on_send ? bytes_sent : bytes_received;
  TWAIN_REQUIRE(span != 0, InvalidArgument, "FaultPlan::random: a fault-free run that moved no bytes");
  plan.at_byte = prg.next_u64() % span;
  plan.pause = pause;
  return plan;
}

std::string FaultPlan::describe() const {
  std::string text = std::string(kind_name(kind)) + " at byte " + std::to_string(at_byte) + " of what this end " +
                     (on_send ? "sends" : "receives");
  if (kind == FaultKind::kPause) text += " for " + std::to_string(pause.count()) + " ms";
  if (kind == FaultKind::kCorrupt) text += " with mask " + std::to_string(corrupt_mask);
  return text;
}

FaultChannel::FaultChannel(Channel& inner, const FaultPlan& plan) : Channel(0), inner_(inner), plan_(plan) {
  TWAIN_REQUIRE(plan.kind != FaultKind::kCorrupt || plan.corrupt_mask != 0, InvalidArgument,
                "FaultChannel: a corrupt fault needs a nonzero mask");
  inner_.skip_transcript_checksums();
}

FaultChannel::~FaultChannel() = default;

void FaultChannel::close() {
  if (closed_) return;
  closed_ = true;
  if (!stalled_) inner_.close();
}

std::size_t FaultChannel::before_fault(uint64_t position, std::size_t bytes) const noexcept {
  if (fired_ || plan_.at_byte < position) return bytes;
  return static_cast<std::size_t>(std::min<uint64_t>(bytes, plan_.at_byte - position));
}

void FaultChannel::fire_common() {
  fired_ = true;
  switch (plan_.kind) {
    case FaultKind::kCut:
      closed_ = true;
      inner_.close();
      throw NetworkError("FaultChannel: injected " + plan_.describe());
    case FaultKind::kStall:
      stalled_ = true;
      return;
    case FaultKind::kPause:
      std::this_thread::sleep_for(plan_.pause);
      return;
    case FaultKind::kDuplicate:
    case FaultKind::kCorrupt:
      return;  // applied to the bytes by the caller
  }
}

void FaultChannel::fire_on_send(const uint8_t* data, std::size_t bytes) {
  fire_common();
  if (stalled_) return;
  if (plan_.kind == FaultKind::kDuplicate || plan_.kind == FaultKind::kCorrupt) {
    const uint8_t first = plan_.kind == FaultKind::kCorrupt ? static_cast<uint8_t>(data[0] ^ plan_.corrupt_mask) : data[0];
    inner_.send(&first, 1);
    if (plan_.kind == FaultKind::kDuplicate) inner_.send(&first, 1);
    ++data;
    --bytes;
    sent_ += 1;
  }
  inner_.send(data, bytes);
  inner_.flush();
  sent_ += bytes;
}

void FaultChannel::fire_on_receive(uint8_t* data, std::size_t bytes) {
  fire_common();
  if (stalled_) drain_forever();
  inner_.recv(data, 1);
  received_ += 1;
  switch (plan_.kind) {
    case FaultKind::kCorrupt:
      data[0] ^= plan_.corrupt_mask;
      break;
    case FaultKind::kDuplicate:
      // The byte comes twice: the second copy takes the next position, so every later byte of
      // the stream arrives one position late.
      if (bytes == 1) {
        replay_pending_ = true;
        replay_ = data[0];
        return;
      }
      data[1] = data[0];
      ++data;
      --bytes;
      break;
    case FaultKind::kCut:
    case FaultKind::kStall:
    case FaultKind::kPause:
      break;
  }
  inner_.recv(data + 1, bytes - 1);
  received_ += bytes - 1;
}

void FaultChannel::write_raw(const uint8_t* data, std::size_t bytes) {
  TWAIN_REQUIRE(!closed_, NetworkError, "FaultChannel: send on a closed channel");
  // A stalled link swallows what is sent: the peer waits for bytes that never come.
  if (stalled_) return;
  const bool armed = plan_.on_send && !fired_;
  const std::size_t first = armed ? before_fault(sent_, bytes) : bytes;
  inner_.send(data, first);
  inner_.flush();
  sent_ += first;
  if (first < bytes) fire_on_send(data + first, bytes - first);
}

void FaultChannel::read_raw(uint8_t* data, std::size_t bytes) {
  TWAIN_REQUIRE(!closed_, NetworkError, "FaultChannel: recv on a closed channel");
  if (stalled_) drain_forever();
  if (replay_pending_ && bytes > 0) {
    replay_pending_ = false;
    *data++ = replay_;
    --bytes;
  }
  const bool armed = !plan_.on_send && !fired_;
  const std::size_t first = armed ? before_fault(received_, bytes) : bytes;
  inner_.recv(data, first);
  received_ += first;
  if (first < bytes) fire_on_receive(data + first, bytes - first);
}

void FaultChannel::drain_forever() {
  // Nothing is delivered any more: what the peer sends is read and dropped, so the wait ends as
  // the inner channel's waits end (its TimeoutError, or NetworkError once the peer gives up).
  uint8_t sink[4096];
  for (;;) inner_.recv(sink, sizeof(sink));
}

}  // namespace twain::net
