// Correlated OT with a global delta, buffered: callers ask for any count, IKNP extends in batches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/bit_vector.hpp"
#include "core/block.hpp"
#include "core/prg.hpp"
#include "net/channel.hpp"
#include "ot/iknp.hpp"

namespace twain::ot {

// Sender's side of n correlated OTs: q[i] = t[i] ^ choices[i] * delta. first_index numbers the
// first of them within the session (the tweak of the correlation-robust hash). Each batch must
// be consumed once: two uses of the same correlations leak the receiver's choices.
struct CotSenderBatch {
  uint64_t first_index = 0;
  core::Block delta;
  std::vector<core::Block> q;
};

// Receiver's side of the same n correlated OTs.
struct CotReceiverBatch {
  uint64_t first_index = 0;
  core::BitVector choices;
  std::vector<core::Block> t;
};

// Default number of OTs generated per IKNP extension (2 MiB of 128-bit correlations).
inline constexpr std::size_t kDefaultCotBatch = std::size_t{1} << 17;

// Both ends of a session must be built with the same batch size and ask for the same counts in
// the same order (the ends refill in lockstep; a mismatch throws FormatError or times out).
// The constructor runs the 128 base OTs on `channel`, which must outlive the provider; batch
// must be positive (else InvalidArgument, before any traffic). The receiver draws its choice
// bits from a child generator of `prg`.
class CotSender {
 public:
  CotSender(net::Channel& channel, core::Prg& prg, std::size_t batch = kDefaultCotBatch);

  core::Block delta() const { return extension_.delta(); }
  // The next n correlations, with choice bits chosen at random on the receiver's side.
  CotSenderBatch get(std::size_t n);
  // The next n correlations, with the choice bits the receiver passes to
  // CotReceiver::get(choices): receives the n bits d = choices ^ random choices and sets
  // q[i] ^= d[i] * delta ("derandomisation", one bit per OT on the wire).
  CotSenderBatch get_chosen(std::size_t n);
  // Correlations handed out so far: first_index of the next batch.
  uint64_t produced() const { return produced_; }

 private:
  net::Channel& channel_;
  std::size_t batch_;
  IknpSender extension_;
  std::vector<core::Block> buffer_;
  std::size_t used_ = 0;  // elements of buffer_ already handed out
  uint64_t produced_ = 0;
};

class CotReceiver {
 public:
  CotReceiver(net::Channel& channel, core::Prg& prg, std::size_t batch = kDefaultCotBatch);

  // The next n correlations with uniformly random choice bits.
  CotReceiverBatch get(std::size_t n);
  // The next choices.size() correlations with these choice bits (pairs with
  // CotSender::get_chosen; sends choices ^ random choices, which reveals nothing).
  CotReceiverBatch get(const core::BitVector& choices);
  uint64_t produced() const { return produced_; }

 private:
  void refill();

  net::Channel& channel_;
  std::size_t batch_;
  core::Prg prg_;
  IknpReceiver extension_;
  core::BitVector buffer_choices_;
  std::vector<core::Block> buffer_;
  std::size_t used_ = 0;
  uint64_t produced_ = 0;
};

}  // namespace twain::ot
