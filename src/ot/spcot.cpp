#include "ot/spcot.hpp"

#include <array>
#include <string>
#include <vector>

#include "core/errors.hpp"

namespace twain::ot {
namespace {

// Fixed public key of the tree hash: fraction bits of sqrt(2).
constexpr core::Block kTreeKey{0x6A09E667F3BCC908ULL, 0xB2FB1366EA957D3EULL};
// Parents expanded per call of the hash.
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

// The XOR of the left children and the XOR of the parents (as read) of one level.
struct LevelSums {
  core::Block left;
  core::Block parents;
};

// Expands the `parents` nodes at nodes[0..parents) into their children at nodes[2p], nodes[2p+1].
// Chunks go from the last down, and each is copied out before its children are written, so no
// parent is overwritten before it is read. The receiver repairs each parent as it reads it (and
// sums the parents); with ClearLsb the children are stored with their least significant bit
// cleared (the sums use them as expanded).
template <bool Repaired, bool ClearLsb>
LevelSums expand_level(const HalfTreeHash& hash, core::Block* nodes, std::size_t parents,
                       const Repair& repair) {
  alignas(32) std::array<core::Block, kChunk> x;
  LevelSums sums;
  for (std::size_t end = parents; end > 0;) {
    const std::size_t begin = end > kChunk ? end - kChunk : 0;
    const std::size_t n = end - begin;
    for (std::size_t i = 0; i < n; ++i) {
      if constexpr (Repaired) {
        x[i] = repair.apply(begin + i, nodes[begin + i]);
        sums.parents ^= x[i];
      } else {
        x[i] = nodes[begin + i];
      }
    }
    core::Block* children = nodes + 2 * begin;
    sums.left ^= hash.expand(x.data(), children, n);
    if constexpr (ClearLsb) {
      for (std::size_t i = 0; i < 2 * n; ++i) children[i].lo &= ~uint64_t{1};
    }
    end = begin;
  }
  return sums;
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

std::size_t detail::TreeCursor::take(const GgmShape& shape, std::size_t base, std::size_t out,
                                     std::size_t& count) {
  TWAIN_REQUIRE(base == shape.base_cots(), InvalidArgument,
                "SPCOT: expected " + std::to_string(shape.base_cots()) + " base COTs, got " +
                    std::to_string(base));
  TWAIN_REQUIRE(begun_, InvalidArgument, "SPCOT: trees asked for before the batch began");
  TWAIN_REQUIRE(out % shape.leaves() == 0 && out / shape.leaves() <= shape.trees - next_,
                InvalidArgument,
                "SPCOT: " + std::to_string(out) + " outputs are not whole trees of the " +
                    std::to_string(shape.trees - next_) + " left in the batch");
  count = out / shape.leaves();
  const std::size_t first = next_;
  next_ += count;
  begun_ = next_ < shape.trees;
  return first;
}

void GgmShape::validate() const {
  TWAIN_REQUIRE(depth >= 6 && depth <= 24, InvalidArgument,
                "SPCOT: the tree depth must be in [6, 24], got " + std::to_string(depth));
  TWAIN_REQUIRE(trees >= 1 && trees <= (std::size_t{1} << 20), InvalidArgument,
                "SPCOT: the number of trees must be in [1, 2^20], got " + std::to_string(trees));
}

SpcotSender::SpcotSender(GgmShape shape) : shape_(shape), hash_(kTreeKey) {
  shape_.validate();
  roots_.resize(shape_.trees);
  message_.resize(shape_.message_blocks());
}

void SpcotSender::send(net::Channel& channel, core::Prg& prg, const core::Block& delta,
                       std::span<const core::Block> base_q, std::span<core::Block> out,
                       core::ThreadPool* pool) {
  check_sizes(shape_, base_q.size(), out.size());
  begin(channel, prg, delta);
  send_trees(channel, base_q, out, pool);
}

void SpcotSender::begin(net::Channel& channel, core::Prg& prg, const core::Block& delta) {
  TWAIN_REQUIRE((delta.lo & 1U) == 1, InvalidArgument,
                "SPCOT: delta must have least significant bit 1 (LSB form)");
  delta_ = delta;
  for (core::Block& root : roots_) root = prg.next_block();
  channel.send_u64(shape_header(shape_));
  cursor_.begin();
}

void SpcotSender::send_trees(net::Channel& channel, std::span<const core::Block> base_q,
                             std::span<core::Block> out, core::ThreadPool* pool) {
  std::size_t count = 0;
  const std::size_t first = cursor_.take(shape_, base_q.size(), out.size(), count);
  for_trees(count, pool, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      build_tree(first + i, base_q, out.data() + i * shape_.leaves());
    }
  });
  channel.send(std::span<const core::Block>(message_).subspan(first * shape_.depth,
                                                             count * shape_.depth));
  channel.flush();
}

void SpcotSender::build_tree(std::size_t tree, std::span<const core::Block> base_q,
                             core::Block* nodes) {
  const std::size_t depth = shape_.depth;
  core::Block* message = message_.data() + tree * depth;
  const core::Block* q = base_q.data() + tree * depth;
  // Level 1: (s, s ^ delta).
  nodes[0] = roots_[tree];
  nodes[1] = roots_[tree] ^ delta_;
  message[0] = nodes[0] ^ q[0];
  const Repair none;
  for (std::size_t level = 2; level <= depth; ++level) {
    const std::size_t parents = std::size_t{1} << (level - 1);
    const LevelSums sums = level < depth ? expand_level<false, false>(hash_, nodes, parents, none)
                                         : expand_level<false, true>(hash_, nodes, parents, none);
    message[level - 1] = sums.left ^ q[level - 1];
  }
}

SpcotReceiver::SpcotReceiver(GgmShape shape)
    : shape_(shape), hash_(kTreeKey), zero_child_(hash_.of_zero()) {
  shape_.validate();
  message_.resize(shape_.message_blocks());
}

void SpcotReceiver::receive(net::Channel& channel, std::span<const core::Block> base_t,
                            std::span<core::Block> out, core::ThreadPool* pool) {
  check_sizes(shape_, base_t.size(), out.size());
  begin(channel);
  receive_trees(channel, base_t, out, pool);
}

void SpcotReceiver::begin(net::Channel& channel) {
  const uint64_t header = channel.recv_u64();
  TWAIN_REQUIRE(header == shape_header(shape_), FormatError,
                "SPCOT: the sender expands " + std::to_string(header >> 8) + " trees of depth " +
                    std::to_string(header & 0xFF) + ", this side " +
                    std::to_string(shape_.trees) + " of depth " + std::to_string(shape_.depth));
  cursor_.begin();
}

void SpcotReceiver::receive_trees(net::Channel& channel, std::span<const core::Block> base_t,
                                  std::span<core::Block> out, core::ThreadPool* pool) {
  std::size_t count = 0;
  const std::size_t first = cursor_.take(shape_, base_t.size(), out.size(), count);
  channel.recv(std::span<core::Block>(message_).subspan(first * shape_.depth, count * shape_.depth));
  for_trees(count, pool, [&](std::size_t begin, std::size_t end) {
    std::vector<core::Block> nodes(shape_.leaves());  // one tree's scratch, in L2 cache
    for (std::size_t i = begin; i < end; ++i) {
      rebuild_tree(first + i, base_t, nodes.data(), out.data() + i * shape_.leaves());
    }
  });
}

void SpcotReceiver::rebuild_tree(std::size_t tree, std::span<const core::Block> base_t,
                                 core::Block* nodes, core::Block* leaves) const {
  const std::size_t depth = shape_.depth;
  const core::Block* message = message_.data() + tree * depth;
  const core::Block* t = base_t.data() + tree * depth;
  // Level 1: the learned node K_1^{b_1} is node b_1 itself, the path goes to node 1 - b_1.
  uint64_t b = t[0].lo & 1U;
  nodes[0] = core::Block{};
  nodes[1] = core::Block{};
  Repair repair{b, 1 - b, message[0] ^ t[0]};
  LevelSums sums;
  for (std::size_t level = 2; level <= depth; ++level) {
    const std::size_t parents = std::size_t{1} << (level - 1);
    sums = expand_level<true, false>(hash_, nodes, parents, repair);
    // The sums on both sides count the zero path node's children H(0) once.
    b = t[level - 1].lo & 1U;
    const core::Block right = sums.parents ^ sums.left;
    const core::Block side_sum = sums.left ^ masked(right ^ sums.left, 0 - b);
    const core::Block learned = message[level - 1] ^ t[level - 1];
    const uint64_t parent = repair.path;
    repair = Repair{2 * parent + b, 2 * parent + (1 - b), learned ^ side_sum ^ zero_child_};
  }
  // Leaves: the known ones are every leaf but the path one, the sibling repaired; their XOR is
  // that of the parents (each parent XORs to its two children) with the garbage sibling H(0)
  // swapped for the repaired one and the garbage path leaf H(0) taken out.
  const core::Block others = sums.parents ^ repair.value;
  const core::Block punctured{others.lo | 1U, others.hi};
  const core::Block sibling = repair.value & kNoLsb;
  for (std::size_t i = 0; i < shape_.leaves(); ++i) {
    const uint64_t is_sibling = equal_mask(i, repair.sibling);
    const uint64_t is_path = equal_mask(i, repair.path);
    leaves[i] ^= masked(nodes[i] & kNoLsb, ~(is_sibling | is_path)) ^
                 masked(sibling, is_sibling) ^ masked(punctured, is_path);
  }
}

}  // namespace twain::ot
