// A channel that injects one transport fault into another channel, for tests of both parties:
// at a chosen byte of what this end sends (or receives), the connection is cut, stalls for good,
// pauses and then carries on, delivers that byte twice, or delivers it with bits flipped. Each
// party must end a faulty session with a typed error within its configured timeouts (or, for a
// pause shorter than them, finish it with the same result), never hang, crash, or give the
// client another prediction (engine/transcript_check.hpp catches what the bytes alone do not).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/prg.hpp"
#include "net/channel.hpp"

namespace twain::net {

enum class FaultKind : uint8_t {
  kCut,    // the connection closes at that byte (this end's later calls fail, the peer sees EOF)
  kStall,  // nothing more is delivered, the connection stays open: only timeouts end the waits
  kPause,  // delivery stops for `pause`, then resumes: a slow link, not a broken one
  kDuplicate,  // that byte is delivered twice; everything after it arrives one byte late
  kCorrupt,    // that byte is delivered XORed with `corrupt_mask`
};
inline constexpr int kFaultKinds = 5;

struct FaultPlan {
  FaultKind kind = FaultKind::kCut;
  bool on_send = true;     // the fault sits in the bytes this end sends, else in those it receives
  uint64_t at_byte = 0;    // offset in that direction's stream where it fires
  std::chrono::milliseconds pause{0};  // kPause only
  uint8_t corrupt_mask = 0x01;         // kCorrupt only; nonzero

  // A plan drawn from `prg`: the kind, the direction and the offset uniformly (and, for kCorrupt,
  // a nonzero mask), within the bytes
  // a fault-free run sent and received (so the fault fires within the session).
  static FaultPlan random(core::Prg& prg, uint64_t bytes_sent, uint64_t bytes_received,
                          std::chrono::milliseconds pause);
  std::string describe() const;
};

// Wraps `inner` (not owned; it must outlive this channel; close() closes it unless the link
// stalled, when only the peer's timeouts end the session). Unbuffered: every send is forwarded
// and flushed at once, so the fault fires at the exact byte.
class FaultChannel final : public Channel {
 public:
  FaultChannel(Channel& inner, const FaultPlan& plan);
  ~FaultChannel() override;

  void close() override;
  bool fired() const noexcept { return fired_; }

 protected:
  void write_raw(const uint8_t* data, std::size_t bytes) override;
  void read_raw(uint8_t* data, std::size_t bytes) override;

 private:
  // Applies the fault once the stream position passes at_byte; returns how many of `bytes` may
  // still go through before it.
  std::size_t before_fault(uint64_t position, std::size_t bytes) const noexcept;
  // Applies the fault to the `bytes` (at least one) that start at the fault point and sends them.
  void fire_on_send(const uint8_t* data, std::size_t bytes);
  // Fills `bytes` (at least one) starting at the fault point, applying the fault.
  void fire_on_receive(uint8_t* data, std::size_t bytes);
  // The part of fire_* that is the same in both directions: cut, stall and pause.
  void fire_common();
  [[noreturn]] void drain_forever();

  Channel& inner_;
  FaultPlan plan_;
  uint64_t sent_ = 0;
  uint64_t received_ = 0;
  bool fired_ = false;
  bool stalled_ = false;
  bool closed_ = false;
  bool replay_pending_ = false;  // a received byte duplicated at the end of a read, owed to the next
  uint8_t replay_ = 0;
};

}  // namespace twain::net
