#include "ot/spcot.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "core/errors.hpp"

namespace twain::ot {
namespace {

// Fixed public keys of the GGM PRG: fraction bits of sqrt(2) and sqrt(3).
constexpr core::Block kLeftKey{0x6A09E667F3BCC908ULL, 0xB2FB1366EA957D3EULL};
constexpr core::Block kRightKey{0xBB67AE8584CAA73BULL, 0x3A5D3C5F8A4E7F4AULL};
constexpr std::size_t kChunk = 64;

core::Block masked(const core::Block& b, uint64_t mask) { return {b.lo & mask, b.hi & mask}; }

// All ones when a == b, else zero, without a branch.
uint64_t equal_mask(uint64_t a, uint64_t b) {
  const uint64_t x = a ^ b;
  return ((x | (0 - x)) >> 63) - 1;
}

uint64_t shape_header(const GgmShape& shape) {
  return (static_cast<uint64_t>(shape.trees) << 8) | shape.depth;
}

// Expands the `parents` nodes at nodes[0..parents) into their children at nodes[2p], nodes[2p+1].
// Chunks go from the last down, so no parent is overwritten before it is read.
void expand_level(const core::Aes128& left, const core::Aes128& right, core::Block* nodes,
                  std::size_t parents) {
  std::array<core::Block, kChunk> x;
  std::array<core::Block, kChunk> l;
  std::array<core::Block, kChunk> r;
  for (std::size_t end = parents; end > 0;) {
    const std::size_t begin = end > kChunk ? end - kChunk : 0;
    const std::size_t n = end - begin;
    std::copy_n(nodes + begin, n, x.data());
    left.encrypt(x.data(), l.data(), n);
    right.encrypt(x.data(), r.data(), n);
    for (std::size_t i = 0; i < n; ++i) {
      nodes[2 * (begin + i)] = l[i] ^ x[i];
      nodes[2 * (begin + i) + 1] = r[i] ^ x[i];
    }
    end = begin;
  }
}

void check_sizes(const GgmShape& shape, std::size_t base, std::size_t out) {
  TWAIN_REQUIRE(base == shape.base_cots() && out == shape.outputs(), InvalidArgument,
                "SPCOT: expected " + std::to_string(shape.base_cots()) + " base COTs and " +
                    std::to_string(shape.outputs()) + " outputs, got " + std::to_string(base) +
                    " and " + std::to_string(out));
}

}  // namespace

void GgmShape::validate() const {
  TWAIN_REQUIRE(depth >= 6 && depth <= 24, InvalidArgument,
                "SPCOT: the tree depth must be in [6, 24], got " + std::to_string(depth));
  TWAIN_REQUIRE(trees >= 1 && trees <= (std::size_t{1} << 20), InvalidArgument,
                "SPCOT: the number of trees must be in [1, 2^20], got " + std::to_string(trees));
}

SpcotSender::SpcotSender(GgmShape shape) : shape_(shape), left_(kLeftKey), right_(kRightKey) {
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
  hash_.hash(base_q, first_tweak, hashed0_);
  for (std::size_t i = 0; i < base_q.size(); ++i) hashed1_[i] = base_q[i] ^ delta;
  hash_.hash(hashed1_, first_tweak, hashed1_);
  for (core::Block& root : roots_) root = prg.next_block();
  const auto body = [&](std::size_t begin, std::size_t end) {
    for (std::size_t tree = begin; tree < end; ++tree) build_tree(tree, delta, out);
  };
  if (pool != nullptr) {
    pool->parallel_for(shape_.trees, body);
  } else {
    body(0, shape_.trees);
  }
  channel.send_u64(shape_header(shape_));
  channel.send(std::span<const core::Block>(message_));
  channel.flush();
}

void SpcotSender::build_tree(std::size_t tree, const core::Block& delta,
                             std::span<core::Block> out) {
  const std::size_t depth = shape_.depth;
  core::Block* nodes = out.data() + tree * shape_.leaves();
  core::Block* message = message_.data() + tree * (2 * depth + 1);
  nodes[0] = roots_[tree];
  for (std::size_t level = 1; level <= depth; ++level) {
    const std::size_t parents = std::size_t{1} << (level - 1);
    expand_level(left_, right_, nodes, parents);
    core::Block sum0;
    core::Block sum1;
    for (std::size_t p = 0; p < parents; ++p) {
      sum0 ^= nodes[2 * p];
      sum1 ^= nodes[2 * p + 1];
    }
    const std::size_t base = tree * depth + level - 1;
    message[2 * (level - 1)] = sum0 ^ hashed0_[base];
    message[2 * (level - 1) + 1] = sum1 ^ hashed1_[base];
  }
  core::Block correction = delta;
  for (std::size_t i = 0; i < shape_.leaves(); ++i) correction ^= nodes[i];
  message[2 * depth] = correction;
}

SpcotReceiver::SpcotReceiver(GgmShape shape) : shape_(shape), left_(kLeftKey), right_(kRightKey) {
  shape_.validate();
  hashed_.resize(shape_.base_cots());
  message_.resize(shape_.message_blocks());
}

void SpcotReceiver::receive(net::Channel& channel, const core::BitVector& base_choices,
                            std::size_t choices_first, std::span<const core::Block> base_t,
                            uint64_t first_tweak, std::span<core::Block> out,
                            core::BitVector& noise, core::ThreadPool* pool) {
  check_sizes(shape_, base_t.size(), out.size());
  TWAIN_REQUIRE(choices_first <= base_choices.size() &&
                    base_choices.size() - choices_first >= shape_.base_cots() &&
                    noise.size() == shape_.outputs(),
                InvalidArgument, "SPCOT: the choice or noise bits do not match the shape");
  const uint64_t header = channel.recv_u64();
  TWAIN_REQUIRE(header == shape_header(shape_), FormatError,
                "SPCOT: the sender expands " + std::to_string(header >> 8) + " trees of depth " +
                    std::to_string(header & 0xFF) + ", this side " +
                    std::to_string(shape_.trees) + " of depth " + std::to_string(shape_.depth));
  channel.recv(std::span<core::Block>(message_));
  hash_.hash(base_t, first_tweak, hashed_);
  const auto work = [&](std::size_t begin, std::size_t end) {
    for (std::size_t tree = begin; tree < end; ++tree) {
      rebuild_tree(tree, base_choices, choices_first, out, noise);
    }
  };
  if (pool != nullptr) {
    pool->parallel_for(shape_.trees, work);
  } else {
    work(0, shape_.trees);
  }
}

void SpcotReceiver::rebuild_tree(std::size_t tree, const core::BitVector& base_choices,
                                 std::size_t choices_first, std::span<core::Block> out,
                                 core::BitVector& noise) const {
  const std::size_t depth = shape_.depth;
  const std::size_t leaves = shape_.leaves();
  core::Block* nodes = out.data() + tree * leaves;
  const core::Block* message = message_.data() + tree * (2 * depth + 1);
  nodes[0] = core::Block{};
  uint64_t path = 0;  // the punctured node of the level just built
  for (std::size_t level = 1; level <= depth; ++level) {
    const std::size_t parents = std::size_t{1} << (level - 1);
    expand_level(left_, right_, nodes, parents);
    const std::size_t base = tree * depth + level - 1;
    const uint64_t b = base_choices.get(choices_first + base);
    const uint64_t side = 0 - b;  // all ones: the receiver learns the right sum
    const core::Block m0 = message[2 * (level - 1)];
    const core::Block m1 = message[2 * (level - 1) + 1];
    const core::Block known = m0 ^ masked(m0 ^ m1, side) ^ hashed_[base];
    // The path node's children are garbage: clear them, and sum each side without them.
    core::Block sum0;
    core::Block sum1;
    for (std::size_t p = 0; p < parents; ++p) {
      const uint64_t keep = ~equal_mask(p, path);
      nodes[2 * p] = masked(nodes[2 * p], keep);
      nodes[2 * p + 1] = masked(nodes[2 * p + 1], keep);
      sum0 ^= nodes[2 * p];
      sum1 ^= nodes[2 * p + 1];
    }
    const core::Block sibling = known ^ sum0 ^ masked(sum0 ^ sum1, side);
    for (std::size_t p = 0; p < parents; ++p) {
      const uint64_t here = equal_mask(p, path);
      nodes[2 * p] ^= masked(sibling, here & ~side);
      nodes[2 * p + 1] ^= masked(sibling, here & side);
    }
    path = 2 * path + (1 - b);
  }
  core::Block punctured = message[2 * depth];
  for (std::size_t i = 0; i < leaves; ++i) punctured ^= nodes[i];
  for (std::size_t i = 0; i < leaves; ++i) nodes[i] ^= masked(punctured, equal_mask(i, path));
  uint64_t* words = noise.words().data() + tree * (leaves / 64);
  const uint64_t bit = uint64_t{1} << (path % 64);
  for (std::size_t w = 0; w < leaves / 64; ++w) words[w] ^= bit & equal_mask(w, path / 64);
}

}  // namespace twain::ot
