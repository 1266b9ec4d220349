// Single-point correlated OT from Half-Tree GGM trees, batched: the noise of Ferret's regular LPN.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/block.hpp"
#include "core/prg.hpp"
#include "core/thread_pool.hpp"
#include "net/channel.hpp"
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
  // What goes on the wire, after the 8-byte shape header: per tree, one masked level sum per
  // level.
  std::size_t message_blocks() const { return trees * std::size_t{depth}; }
  void validate() const;
};

namespace detail {

// The trees of a batch taken so far: a batch is begun, then taken whole trees at a time, in
// order, until none is left.
class TreeCursor {
 public:
  void begin() {
    next_ = 0;
    begun_ = true;
  }
  // The first of the trees that `out` blocks hold, which it claims, after checking base ==
  // shape.base_cots(), that the batch was begun and that out holds whole trees of those left
  // (else InvalidArgument); count receives how many.
  std::size_t take(const GgmShape& shape, std::size_t base, std::size_t out, std::size_t& count);

 private:
  std::size_t next_ = 0;
  bool begun_ = false;
};

}  // namespace detail

// Single-point COT of Ferret (Yang, Weng, Lan, Zhang and Wang, CCS 2020, section 4,
// semi-honest) from the correlated GGM trees of Half-Tree: Guo, Yang, Wang, Zhang, Xie, Liu
// and Zhao, "Half-Tree: Halving the Cost of Tree Expansion in COT and DPF", EUROCRYPT 2023,
// section 4 (the semi-honest SPCOT):
//
//   Level 1 of a tree is (s, s ^ delta) for a random s. A node x at a level has the children
//   left = H(x) and right = x ^ H(x), H the circular correlation-robust hash of wide_aes.hpp
//   (one fixed-key AES call per parent), so every level, the leaves included, XORs to delta.
//   For level i the sender forms K_i^0, the XOR of its left nodes (K_i^1 = K_i^0 ^ delta is
//   the XOR of its right ones) and with the base COT (q_i; b_i, t_i = q_i ^ b_i delta) of that
//   level sends the single block c_i = K_i^0 ^ q_i. The receiver learns
//   K_i^{b_i} = c_i ^ t_i: the path to the punctured leaf goes the other way (bit 1 - b_i at
//   level i, most significant first), so the punctured index alpha is uniform, and the
//   receiver rebuilds every node off the path: the sibling of the path node on level i is
//   K_i^{b_i} ^ the XOR of the other known nodes on side b_i. There is no leaf correction: the
//   receiver's leaf alpha is the XOR of its other leaves, v_alpha ^ delta.
//
// Outputs: sender v, receiver w and the unit vector e at alpha, with w = v ^ e delta.
// H takes no tweak: circular correlation robustness (in the random-permutation model) covers
// every tree and every iteration under the one delta, as in the paper.
// One message, sender to receiver: depth blocks per tree (Ferret's GGM sent 2 depth + 1).
//
// Choice bits ride in the blocks ("LSB form", as Ferret uses it, ferret.hpp): delta has least
// significant bit 1, the base COTs have lsb(q_i) = 0 and so lsb(t_i) = b_i. The leaves come out
// the same way: lsb(v_j) = 0 (the sender clears it when it stores the leaves; the inner nodes
// and level sums use the full blocks) and lsb(w_j) = e_j. With cleared leaves v'_j, the XOR of
// all v'_j is delta with its low bit cleared, so the receiver's punctured leaf
// v'_alpha ^ delta is the XOR of its other cleared leaves (low bit 0) with the low bit set.
//
// Why lsb(q_i) = 0 leaks nothing: in the receiver's view c_i = K_i^{b_i} ^ t_i, a function of
// its own base COT and of the sum it is meant to learn, whatever the form of q_i. In particular
// lsb(c_i) = lsb(K_i^0) is no news: K_i^{b_i}, b_i and lsb(delta) = 1 give it. The other 127
// bits of K_i^{1 - b_i} stay masked by delta, as in the base COT.
//
// The receiver never branches on or indexes by its path: the node on the path is kept at zero,
// so both its children are the public constant H(0) and the level sums just cancel it; the
// path node and its sibling are fixed up with masks as the next level reads its parents.

class SpcotSender {
 public:
  explicit SpcotSender(GgmShape shape);

  // base_q.size() == base_cots(), out.size() == outputs(), lsb(delta) = 1 (else
  // InvalidArgument). Fills out with the leaves v, sends the header and the message on
  // `channel`. With a pool, the trees are split among its threads (same result).
  void send(net::Channel& channel, core::Prg& prg, const core::Block& delta,
            std::span<const core::Block> base_q, std::span<core::Block> out,
            core::ThreadPool* pool = nullptr);

  // The same batch a few trees at a time, so that a caller holds only those trees' leaves; the
  // bytes on the wire are those of send. begin checks delta, draws every root and queues the
  // header; send_trees then expands the next out.size() / leaves() trees into out and sends
  // their message blocks. Each call of send_trees takes whole trees, and the batch's trees are
  // taken in order before the next begin (else InvalidArgument).
  void begin(net::Channel& channel, core::Prg& prg, const core::Block& delta);
  void send_trees(net::Channel& channel, std::span<const core::Block> base_q,
                  std::span<core::Block> out, core::ThreadPool* pool = nullptr);

 private:
  void build_tree(std::size_t tree, std::span<const core::Block> base_q, core::Block* nodes);

  GgmShape shape_;
  HalfTreeHash hash_;
  core::Block delta_;
  std::vector<core::Block> roots_;
  std::vector<core::Block> message_;
  detail::TreeCursor cursor_;
};

// Constant time in the choice bits and the punctured indices.
class SpcotReceiver {
 public:
  explicit SpcotReceiver(GgmShape shape);

  // Uses the base COTs base_t (LSB form: their choice bits are their least significant bits),
  // base_t.size() == base_cots(), out.size() == outputs() (else InvalidArgument). XORs w into
  // out (lsb(w_j) = e_j): the caller may fill out with something else first, such as its LPN
  // product, while the sender still expands. Throws FormatError if the sender's shape differs,
  // NetworkError if it closes first. With a pool, the trees are split among its threads.
  void receive(net::Channel& channel, std::span<const core::Block> base_t,
               std::span<core::Block> out, core::ThreadPool* pool = nullptr);

  // The batch a few trees at a time, as SpcotSender::send_trees: begin receives and checks the
  // header, receive_trees the message blocks of the next out.size() / leaves() trees, whose
  // w it XORs into out.
  void begin(net::Channel& channel);
  void receive_trees(net::Channel& channel, std::span<const core::Block> base_t,
                     std::span<core::Block> out, core::ThreadPool* pool = nullptr);

 private:
  // Rebuilds the tree in `nodes` (leaves() blocks of scratch) and XORs its leaves into `leaves`.
  void rebuild_tree(std::size_t tree, std::span<const core::Block> base_t, core::Block* nodes,
                    core::Block* leaves) const;

  GgmShape shape_;
  HalfTreeHash hash_;
  // H(0): both children of a zero node.
  core::Block zero_child_;
  std::vector<core::Block> message_;
  detail::TreeCursor cursor_;
};

}  // namespace twain::ot
