// The offline phase's output and the online phase's input: preprocessed triples and OTs, each
// handed out once, with a count of what was consumed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "core/bit_vector.hpp"
#include "core/prg.hpp"
#include "net/channel.hpp"
#include "nonlinear/needs.hpp"
#include "nonlinear/options.hpp"
#include "ot/cot.hpp"
#include "ot/ferret.hpp"
#include "ot/random_ot.hpp"

namespace twain::nonlinear {

// One party's XOR shares of 64 * words bit triples, a word per 64 triples.
struct TripleWords {
  std::span<const uint64_t> a;
  std::span<const uint64_t> b;
  std::span<const uint64_t> c;
};

// Random bit OTs: the sender's two messages, the receiver's choice and message.
struct LeafOtSend {
  core::BitVector m0;
  core::BitVector m1;
};
struct LeafOtReceive {
  core::BitVector choices;
  core::BitVector m;
};

// Correlated OTs already hashed (the low 64 bits of H(q, i) and H(q ^ delta, i) for the
// sender; the random choice u and H(t, i) = the u-th of those for the receiver). Enough for
// the l-bit correlated OTs of Asharov, Lindell, Schneider and Zohner (CCS 2013) with l <= 64.
struct CotSend {
  std::vector<uint64_t> h0;
  std::vector<uint64_t> h1;
};
struct CotReceive {
  core::BitVector choices;
  std::vector<uint64_t> h;
};

class Pool {
 public:
  explicit Pool(Role role) : role_(role) {}

  // Each take throws CapacityError naming the material, the request and what is left when
  // the offline phase generated too little (the plan missed a call).
  TripleWords take_triples(std::size_t words);
  LeafOtSend take_leaf_send(std::size_t n);        // server only
  LeafOtReceive take_leaf_receive(std::size_t n);  // client only
  CotSend take_cot_send(std::size_t n);            // forward on the server, backward on the client
  CotReceive take_cot_receive(std::size_t n);

  Needs consumed() const { return consumed_; }
  Needs available() const;

  // Appends material (the offline phase).
  void add_triples(std::span<const uint64_t> a, std::span<const uint64_t> b, std::span<const uint64_t> c);
  void add_leaf_send(const core::BitVector& m0, const core::BitVector& m1);
  void add_leaf_receive(const core::BitVector& choices, const core::BitVector& m);
  void add_cot_send(std::span<const uint64_t> h0, std::span<const uint64_t> h1);
  void add_cot_receive(const core::BitVector& choices, std::span<const uint64_t> h);
  // Drops everything not consumed yet.
  void clear();
  // Frees what was consumed (the online phase of one inference), keeping what is left in order:
  // a session that runs many inferences holds only the material still to come.
  void release_consumed();

 private:
  Role role_;
  std::vector<uint64_t> ta_, tb_, tc_;
  std::size_t triple_words_used_ = 0;
  core::BitVector leaf0_, leaf1_;
  std::size_t leaf_used_ = 0;
  std::vector<uint64_t> send0_, send1_;
  std::size_t send_used_ = 0;
  core::BitVector receive_choices_;
  std::vector<uint64_t> receive_h_;
  std::size_t receive_used_ = 0;
  Needs consumed_;
};

// The correlated-OT providers of a session, in both directions, and the offline generation
// of a Pool from them. The server is the sender of the forward direction.
class OtSource {
 public:
  // Runs the base OTs (and Ferret's bootstrap) on `channel`; both parties at once.
  OtSource(Role role, net::Channel& channel, core::Prg& prg, Backend backend);

  // Generates exactly `needs` into `pool`, in chunks of kChunk correlated OTs.
  void generate(const Needs& needs, Pool& pool);

  static constexpr std::size_t kChunk = std::size_t{1} << 20;

 private:
  ot::CotSenderBatch send(std::size_t n);
  ot::CotReceiverBatch receive(std::size_t n);
  // The next n forward and backward correlations as seen from this party.
  void next(std::size_t n, bool forward, std::optional<ot::CotSenderBatch>& s,
            std::optional<ot::CotReceiverBatch>& r);
  // `count` random bit OTs in one direction, kChunk at a time: each chunk goes to
  // sent(first, bits) where this party sends and to received(first, bits) where it receives.
  void bit_ots(uint64_t count, bool forward,
               const std::function<void(uint64_t, const ot::BitOtSenderBatch&)>& sent,
               const std::function<void(uint64_t, const ot::BitOtReceiverBatch&)>& received);

  Role role_;
  std::optional<ot::CotSender> iknp_sender_;
  std::optional<ot::CotReceiver> iknp_receiver_;
  std::optional<ot::FerretCotSender> ferret_sender_;
  std::optional<ot::FerretCotReceiver> ferret_receiver_;
};

}  // namespace twain::nonlinear
