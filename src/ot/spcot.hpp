// Single-point correlated OT from GGM trees, batched: the noise of Ferret's regular LPN.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/aes.hpp"
#include "core/bit_vector.hpp"
#include "core/block.hpp"
#include "core/prg.hpp"
#include "core/thread_pool.hpp"
#include "net/channel.hpp"
#include "ot/cr_hash.hpp"

namespace twain::ot {

// `trees` GGM trees of 2^depth leaves each, laid out one after the other (regular noise: one
// punctured leaf per tree). depth in [6, 24] (whole 64-bit words of noise bits per tree),
// trees in [1, 2^20] (else InvalidArgument).
struct GgmShape {
  std::size_t trees = 0;
  unsigned depth = 0;

  std::size_t leaves() const { return std::size_t{1} << depth; }
  std::size_t outputs() const { return trees << depth; }
  // Correlated OTs consumed per batch: one per tree level.
  std::size_t base_cots() const { return trees * depth; }
  // What goes on the wire, after the 8-byte shape header: per tree, the two level sums of
  // every level (masked) and the leaf correction.
  std::size_t message_blocks() const { return trees * (2 * std::size_t{depth} + 1); }
  void validate() const;
};

// Single-point COT of Ferret (Yang, Weng, Lan, Zhang and Wang, CCS 2020, section 4,
// semi-honest), after the puncturable PRF of Boyle, Couteau, Gilboa and Ishai, "Compressing
// vector OLE", CCS 2018, and Schoppmann, Gascon, Reichert and Raykova, CCS 2019:
//
//   The sender expands a random root into a GGM tree with the length-doubling PRG
//   G(x) = (AES_k0(x) ^ x, AES_k1(x) ^ x) under two fixed public keys, and for every level j
//   forms the XOR K_j^0 of its left children and K_j^1 of its right children. With the base
//   COT (q_j; b_j, t_j = q_j ^ b_j delta) of that level it sends
//   m_j^0 = K_j^0 ^ H(q_j), m_j^1 = K_j^1 ^ H(q_j ^ delta), and the leaf correction
//   c = delta ^ XOR of all leaves. The receiver learns K_j^{b_j} = m_j^{b_j} ^ H(t_j): the path
//   to the punctured leaf goes the other way (bit 1 - b_j at level j, most significant first),
//   so the punctured index alpha is uniform and the receiver rebuilds every node off the path.
//   Its leaf alpha becomes c ^ XOR of its other leaves = v_alpha ^ delta.
//
// Outputs: sender v, receiver w and the unit vector e at alpha, with w = v ^ e delta.
// H is the correlation-robust hash of cr_hash.hpp, tweaked by first_tweak + (tree * depth +
// level): the caller keeps tweaks unique per delta. One message, sender to receiver.

class SpcotSender {
 public:
  explicit SpcotSender(GgmShape shape);

  // base_q.size() == base_cots(), out.size() == outputs() (else InvalidArgument). Fills out
  // with the leaves v, sends the header and the message on `channel`. With a pool, the trees
  // are split among its threads (same result).
  void send(net::Channel& channel, core::Prg& prg, const core::Block& delta,
            std::span<const core::Block> base_q, uint64_t first_tweak, std::span<core::Block> out,
            core::ThreadPool* pool = nullptr);

 private:
  void build_tree(std::size_t tree, const core::Block& delta, std::span<core::Block> out);

  GgmShape shape_;
  core::Aes128 left_;
  core::Aes128 right_;
  CrHash hash_;
  std::vector<core::Block> hashed0_;
  std::vector<core::Block> hashed1_;
  std::vector<core::Block> roots_;
  std::vector<core::Block> message_;
};

// Constant time in the choice bits and the punctured indices: the path node is located by
// masks computed for every node of each level, never by a branch or an address.
class SpcotReceiver {
 public:
  explicit SpcotReceiver(GgmShape shape);

  // Uses the base COTs (choice bits base_choices[choices_first + i], base_t[i]) with
  // base_t.size() == base_cots(); out.size() == outputs() and noise.size() == outputs() (else
  // InvalidArgument). Fills out with w and XORs the unit vectors e into noise. Throws
  // FormatError if the sender's shape differs, NetworkError if it closes first. With a pool,
  // the trees are split among its threads.
  void receive(net::Channel& channel, const core::BitVector& base_choices,
               std::size_t choices_first, std::span<const core::Block> base_t,
               uint64_t first_tweak, std::span<core::Block> out, core::BitVector& noise,
               core::ThreadPool* pool = nullptr);

 private:
  void rebuild_tree(std::size_t tree, const core::BitVector& base_choices,
                    std::size_t choices_first, std::span<core::Block> out,
                    core::BitVector& noise) const;

  GgmShape shape_;
  core::Aes128 left_;
  core::Aes128 right_;
  CrHash hash_;
  std::vector<core::Block> hashed_;
  std::vector<core::Block> message_;
};

}  // namespace twain::ot
