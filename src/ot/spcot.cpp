#include "ot/spcot.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "core/errors.hpp"

namespace twain::ot {
namespace {

// Fixed public keys of the GGM PRG: fraction bits of sqrt(2) and sqrt(3).
constexpr core::Block kLeftKey{0x6A09E667F3BCC908ULL, 0xB2FB1366EA957D3EULL};
constexpr core::Block kRightKey{0xBB67AE8584CAA73BULL, 0x3A5D3C5F8A4E7F4AULL};
// Parents expanded per call of the PRG.
constexpr std::size_t kChunk = 64;
// Clears the least significant bit (the choice-bit slot of the LSB form).
constexpr core::Block kNoLsb{~uint64_t{1}, ~uint64_t{0}};
// A node index no level has.
constexpr uint64_t kNoNode = ~uint64_t{0};

core::Block masked(const core::Block& b, uint64_t mask) { return {b.lo & mask, b.hi & mask}; }

// All ones when a == b, else zero, without a branch.
uint64_t equal_mask(uint64_t a, uint64_t b) {
  const uint64_t x = a ^ b;
  return ((x | (0 - x)) >> 63) - 1;
}

uint64_t shape_header(const GgmShape& shape) {
  return (static_cast<uint64_t>(shape.trees) << 8) | shape.depth;
}

// The receiver's repair of one level, applied as the next level reads it: node `sibling` takes
// `value`, node `path` becomes zero, the others are kept.
struct Repair {
  uint64_t sibling = kNoNode;
  uint64_t path = kNoNode;
  core::Block value;

  core::Block apply(uint64_t node, const core::Block& x) const {
    const uint64_t is_sibling = equal_mask(node, sibling);
    const uint64_t is_path = equal_mask(node, path);
    return masked(x, ~(is_sibling | is_path)) ^ masked(value, is_sibling);
  }
};

// Expands the `parents` nodes at nodes[0..parents) into their children at nodes[2p], nodes[2p+1]
// and returns the XORs of the left and of the right children. Chunks go from the last down, so
// no parent is overwritten before it is read. The receiver repairs each parent as it reads it;
// with ClearLsb the children are stored with their least significant bit cleared (the sums
// still use them as expanded).
template <bool Repaired, bool ClearLsb>
std::array<core::Block, 2> expand_level(const WideAesPair& prg, core::Block* nodes,
                                        std::size_t parents, const Repair& repair) {
  alignas(32) std::array<core::Block, kChunk> x;
  alignas(32) std::array<core::Block, 2 * kChunk> kids;
  core::Block sum0;
  core::Block sum1;
  for (std::size_t end = parents; end > 0;) {
    const std::size_t begin = end > kChunk ? end - kChunk : 0;
    const std::size_t n = end - begin;
    for (std::size_t i = 0; i < n; ++i) {
      if constexpr (Repaired) {
        x[i] = repair.apply(begin + i, nodes[begin + i]);
      } else {
        x[i] = nodes[begin + i];
      }
    }
    prg.expand(x.data(), kids.data(), n);
    core::Block* children = nodes + 2 * begin;
    for (std::size_t i = 0; i < n; ++i) {
      const core::Block a = kids[2 * i];
      const core::Block b = kids[2 * i + 1];
      sum0 ^= a;
      sum1 ^= b;
      children[2 * i] = ClearLsb ? a & kNoLsb : a;
      children[2 * i + 1] = ClearLsb ? b & kNoLsb : b;
    }
    end = begin;
  }
  return {sum0, sum1};
}

void check_sizes(const GgmShape& shape, std::size_t base, std::size_t out) {
  TWAIN_REQUIRE(base == shape.base_cots() && out == shape.outputs(), InvalidArgument,
                "SPCOT: expected " + std::to_string(shape.base_cots()) + " base COTs and " +
                    std::to_string(shape.outputs()) + " outputs, got " + std::to_string(base) +
                    " and " + std::to_string(out));
}

template <class Body>
void for_trees(std::size_t trees, core::ThreadPool* pool, Body&& body) {
  if (pool != nullptr) {
    pool->parallel_for(trees, body);
  } else {
    body(0, trees);
  }
}

}  // namespace

void GgmShape::validate() const {
  TWAIN_REQUIRE(depth >= 6 && depth <= 24, InvalidArgument,
                "SPCOT: the tree depth must be in [6, 24], got " + std::to_string(depth));
  TWAIN_REQUIRE(trees >= 1 && trees <= (std::size_t{1} << 20), InvalidArgument,
                "SPCOT: the number of trees must be in [1, 2^20], got " + std::to_string(trees));
}

SpcotSender::SpcotSender(GgmShape shape) : shape_(shape), prg_(kLeftKey, kRightKey) {
  shape_.validate();
  hashed0_.resize(shape_.base_cots());
  hashed1_.resize(shape_.base_cots());
  roots_.resize(shape_.trees);
  message_.resize(shape_.message_blocks());
}

void SpcotSender::send(net::Channel& channel, core::Prg& prg, const core::Block& delta,
                       std::span<const core::Block> base_q, uint64_t first_tweak,
                       std::span<core::Block> out, core::ThreadPool* pool) {
  check_sizes(shape_, base_q.size(), out.size());
  TWAIN_REQUIRE((delta.lo & 1U) == 1, InvalidArgument,
                "SPCOT: delta must have least significant bit 1 (LSB form)");
  hash_.hash(base_q, first_tweak, hashed0_);
  for (std::size_t i = 0; i < base_q.size(); ++i) hashed1_[i] = base_q[i] ^ delta;
  hash_.hash(hashed1_, first_tweak, hashed1_);
  for (core::Block& root : roots_) root = prg.next_block();
  for_trees(shape_.trees, pool, [&](std::size_t begin, std::size_t end) {
    for (std::size_t tree = begin; tree < end; ++tree) build_tree(tree, delta, out);
  });
  channel.send_u64(shape_header(shape_));
  channel.send(std::span<const core::Block>(message_));
  channel.flush();
}

void SpcotSender::build_tree(std::size_t tree, const core::Block& delta,
                             std::span<core::Block> out) {
  const std::size_t depth = shape_.depth;
  core::Block* nodes = out.data() + tree * shape_.leaves();
  core::Block* message = message_.data() + tree * (2 * depth + 1);
  const core::Block* h0 = hashed0_.data() + tree * depth;
  const core::Block* h1 = hashed1_.data() + tree * depth;
  nodes[0] = roots_[tree];
  const Repair none;
  std::array<core::Block, 2> sums;
  for (std::size_t level = 1; level <= depth; ++level) {
    const std::size_t parents = std::size_t{1} << (level - 1);
    sums = level < depth ? expand_level<false, false>(prg_, nodes, parents, none)
                         : expand_level<false, true>(prg_, nodes, parents, none);
    message[2 * (level - 1)] = sums[0] ^ h0[level - 1];
    message[2 * (level - 1) + 1] = sums[1] ^ h1[level - 1];
  }
  // The XOR of the stored leaves is that of the expanded ones with its low bit cleared.
  message[2 * depth] = delta ^ ((sums[0] ^ sums[1]) & kNoLsb);
}

SpcotReceiver::SpcotReceiver(GgmShape shape) : shape_(shape), prg_(kLeftKey, kRightKey) {
  shape_.validate();
  const core::Block zero;
  std::array<core::Block, 2> children;
  prg_.expand(&zero, children.data(), 1);
  zero_left_ = children[0];
  zero_right_ = children[1];
  hashed_.resize(shape_.base_cots());
  message_.resize(shape_.message_blocks());
}

void SpcotReceiver::receive(net::Channel& channel, std::span<const core::Block> base_t,
                            uint64_t first_tweak, std::span<core::Block> out,
                            core::ThreadPool* pool) {
  check_sizes(shape_, base_t.size(), out.size());
  const uint64_t header = channel.recv_u64();
  TWAIN_REQUIRE(header == shape_header(shape_), FormatError,
                "SPCOT: the sender expands " + std::to_string(header >> 8) + " trees of depth " +
                    std::to_string(header & 0xFF) + ", this side " +
                    std::to_string(shape_.trees) + " of depth " + std::to_string(shape_.depth));
  channel.recv(std::span<core::Block>(message_));
  hash_.hash(base_t, first_tweak, hashed_);
  for_trees(shape_.trees, pool, [&](std::size_t begin, std::size_t end) {
    std::vector<core::Block> nodes(shape_.leaves());  // one tree's scratch, in L2 cache
    for (std::size_t tree = begin; tree < end; ++tree) rebuild_tree(tree, base_t, nodes.data(), out);
  });
}

void SpcotReceiver::rebuild_tree(std::size_t tree, std::span<const core::Block> base_t,
                                 core::Block* nodes, std::span<core::Block> out) const {
  const std::size_t depth = shape_.depth;
  core::Block* leaves = out.data() + tree * shape_.leaves();
  const core::Block* message = message_.data() + tree * (2 * depth + 1);
  nodes[0] = core::Block{};
  Repair repair{kNoNode, 0, core::Block{}};  // the root is on the path
  std::array<core::Block, 2> sums;
  for (std::size_t level = 1; level <= depth; ++level) {
    const std::size_t parents = std::size_t{1} << (level - 1);
    sums = expand_level<true, false>(prg_, nodes, parents, repair);
    const std::size_t base = tree * depth + level - 1;
    const uint64_t b = base_t[base].lo & 1U;
    const uint64_t side = 0 - b;  // all ones: the receiver learns the right sum
    const core::Block m0 = message[2 * (level - 1)];
    const core::Block m1 = message[2 * (level - 1) + 1];
    const core::Block known = m0 ^ masked(m0 ^ m1, side) ^ hashed_[base];
    const core::Block sum = sums[0] ^ masked(sums[0] ^ sums[1], side);
    const core::Block garbage = zero_left_ ^ masked(zero_left_ ^ zero_right_, side);
    const uint64_t parent = repair.path;
    repair = Repair{2 * parent + b, 2 * parent + (1 - b), known ^ sum ^ garbage};
  }
  // Leaves: the stored XOR of the known ones (sibling repaired, path and garbage out), then the
  // punctured leaf from the correction; one masked pass writes the repairs.
  const core::Block known =
      (sums[0] ^ sums[1] ^ zero_left_ ^ zero_right_ ^ repair.value) & kNoLsb;
  const core::Block punctured = message[2 * depth] ^ known;
  const core::Block sibling = repair.value & kNoLsb;
  for (std::size_t i = 0; i < shape_.leaves(); ++i) {
    const uint64_t is_sibling = equal_mask(i, repair.sibling);
    const uint64_t is_path = equal_mask(i, repair.path);
    leaves[i] ^= masked(nodes[i] & kNoLsb, ~(is_sibling | is_path)) ^
                 masked(sibling, is_sibling) ^ masked(punctured, is_path);
  }
}

}  // namespace twain::ot
