// Single-point correlated OT from GGM trees, batched: the noise of Ferret's regular LPN.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/block.hpp"
#include "core/prg.hpp"
#include "core/thread_pool.hpp"
#include "net/channel.hpp"
#include "ot/cr_hash.hpp"
#include "ot/wide_aes.hpp"

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
//
// Choice bits ride in the blocks ("LSB form", as Ferret uses it, ferret.hpp): delta has least
// significant bit 1, the base COTs have lsb(q_j) = 0 and so lsb(t_j) = b_j. The leaves come out
// the same way: lsb(v_i) = 0 (the sender clears it; the corrections use the cleared leaves) and
// lsb(w_i) = e_i. Level sums use the leaves as expanded.
//
// The receiver never branches on or indexes by its path: the node on the path is kept at zero,
// so its children are the public constants G(0) and the level sums just cancel them; the path
// node and its sibling are fixed up with masks as the next level reads its parents.

class SpcotSender {
 public:
  explicit SpcotSender(GgmShape shape);

  // base_q.size() == base_cots(), out.size() == outputs(), lsb(delta) = 1 (else
  // InvalidArgument). Fills out with the leaves v, sends the header and the message on
  // `channel`. With a pool, the trees are split among its threads (same result).
  void send(net::Channel& channel, core::Prg& prg, const core::Block& delta,
            std::span<const core::Block> base_q, uint64_t first_tweak, std::span<core::Block> out,
            core::ThreadPool* pool = nullptr);

 private:
  void build_tree(std::size_t tree, const core::Block& delta, std::span<core::Block> out);

  GgmShape shape_;
  WideAesPair prg_;
  CrHash hash_;
  std::vector<core::Block> hashed0_;
  std::vector<core::Block> hashed1_;
  std::vector<core::Block> roots_;
  std::vector<core::Block> message_;
};

// Constant time in the choice bits and the punctured indices.
class SpcotReceiver {
 public:
  explicit SpcotReceiver(GgmShape shape);

  // Uses the base COTs base_t (LSB form: their choice bits are their least significant bits),
  // base_t.size() == base_cots(), out.size() == outputs() (else InvalidArgument). XORs w into
  // out (lsb(w_i) = e_i): the caller may fill out with something else first, such as its LPN
  // product, while the sender still expands. Throws FormatError if the sender's shape differs,
  // NetworkError if it closes first. With a pool, the trees are split among its threads.
  void receive(net::Channel& channel, std::span<const core::Block> base_t, uint64_t first_tweak,
               std::span<core::Block> out, core::ThreadPool* pool = nullptr);

 private:
  // Rebuilds the tree in `nodes` (leaves() blocks of scratch) and XORs its leaves into out.
  void rebuild_tree(std::size_t tree, std::span<const core::Block> base_t, core::Block* nodes,
                    std::span<core::Block> out) const;

  GgmShape shape_;
  WideAesPair prg_;
  // The children G(0) of a zero node.
  core::Block zero_left_;
  core::Block zero_right_;
  CrHash hash_;
  std::vector<core::Block> hashed_;
  std::vector<core::Block> message_;
};

}  // namespace twain::ot
