// Half-Tree single-point COT: the sender against a plain re-implementation of the definition
// (core::Aes128, sigma written out), the relation w = v ^ e delta with one punctured leaf per
// tree where the choice bits put it, the LSB form, the message size and the error paths.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/aes.hpp"
#include "core/bit_vector.hpp"
#include "core/errors.hpp"
#include "core/thread_pool.hpp"
#include "ot/spcot.hpp"
#include "ot_test_support.hpp"

namespace twain::ot {
namespace {

using testing::memory_pair;
using testing::run_parties;
using testing::seed_of;

// Base COTs in LSB form: lsb(q) = 0, lsb(t) = the choice bit, t = q ^ b delta.
struct BaseCots {
  core::Block delta;
  std::vector<core::Block> q;
  std::vector<core::Block> t;
  core::BitVector choices;
};

BaseCots make_base(std::size_t count, uint8_t seed) {
  core::Prg prg(seed_of(seed));
  BaseCots base;
  base.delta = prg.next_block();
  base.delta.lo |= 1U;
  base.q.resize(count);
  prg.fill(std::span<core::Block>(base.q));
  base.choices = core::BitVector::random(count, prg);
  base.t.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    base.q[i].lo &= ~uint64_t{1};
    base.t[i] = base.choices.get(i) ? base.q[i] ^ base.delta : base.q[i];
  }
  return base;
}

// The definition, one tree at a time: level 1 is (s, s ^ delta), a node x has the children
// H(x) and x ^ H(x) with H(x) = AES(sigma(x)) ^ sigma(x), sigma(x_L || x_R) = (x_L ^ x_R) || x_L
// (x_L the high half). Returns the leaves with their low bit cleared and appends the level
// messages c_i = (XOR of the left nodes of level i) ^ q_i.
std::vector<core::Block> reference_tree(const core::Block& root, const core::Block& delta,
                                        const core::Block* q, unsigned depth,
                                        std::vector<core::Block>& message) {
  const core::Aes128 pi(core::Block{0x6A09E667F3BCC908ULL, 0xB2FB1366EA957D3EULL});
  std::vector<core::Block> level = {root, root ^ delta};
  message.push_back(root ^ q[0]);
  for (unsigned i = 2; i <= depth; ++i) {
    std::vector<core::Block> next;
    core::Block left_sum;
    for (const core::Block& x : level) {
      const core::Block s{x.hi, x.hi ^ x.lo};
      core::Block h;
      pi.encrypt(&s, &h, 1);
      h ^= s;
      next.push_back(h);
      next.push_back(x ^ h);
      left_sum ^= h;
    }
    message.push_back(left_sum ^ q[i - 1]);
    level = std::move(next);
  }
  core::Block all;
  for (core::Block& leaf : level) {
    all ^= leaf;
    leaf.lo &= ~uint64_t{1};
  }
  EXPECT_EQ(all, delta);  // every level XORs to delta, the leaves included
  return level;
}

TEST(Spcot, SenderMatchesTheHalfTreeDefinition) {
  for (const GgmShape shape : {GgmShape{3, 6}, GgmShape{2, 9}}) {
    const BaseCots base = make_base(shape.base_cots(), 70);
    auto [ch0, ch1] = memory_pair();
    core::Prg prg(seed_of(71));
    std::vector<core::Block> v(shape.outputs());
    SpcotSender(shape).send(*ch0, prg, base.delta, base.q, v);
    // The wire: the shape header, then depth blocks per tree, nothing else.
    EXPECT_EQ(ch0->counters().bytes_sent, 8 + 16 * shape.message_blocks());
    EXPECT_EQ(shape.message_blocks(), shape.trees * shape.depth);
    EXPECT_EQ(ch1->recv_u64(), (uint64_t{shape.trees} << 8) | shape.depth);
    std::vector<core::Block> message(shape.message_blocks());
    ch1->recv(std::span<core::Block>(message));

    core::Prg roots(seed_of(71));  // the sender draws one root per tree, in order
    std::vector<core::Block> expected_message;
    for (std::size_t tree = 0; tree < shape.trees; ++tree) {
      const std::vector<core::Block> leaves =
          reference_tree(roots.next_block(), base.delta, base.q.data() + tree * shape.depth,
                         shape.depth, expected_message);
      for (std::size_t leaf = 0; leaf < shape.leaves(); ++leaf) {
        ASSERT_EQ(v[tree * shape.leaves() + leaf], leaves[leaf]) << tree << " " << leaf;
      }
    }
    EXPECT_EQ(message, expected_message);
  }
}

// Both ends, with and without thread pools, several shapes and seeds.
TEST(Spcot, ReceiverLearnsEveryLeafButThePuncturedOne) {
  const std::vector<GgmShape> shapes = {{1, 6}, {5, 8}, {3, 11}, {17, 7}, {2, 13}};
  core::ThreadPool sender_pool(3);
  core::ThreadPool receiver_pool(2);
  uint8_t seed = 80;
  for (const GgmShape shape : shapes) {
    for (const bool pooled : {false, true}) {
      seed += 2;
      const BaseCots base = make_base(shape.base_cots(), seed);
      auto [ch0, ch1] = memory_pair();
      core::Prg prg(seed_of(seed + 1));
      const auto [v, w] = run_parties(
          *ch0, *ch1,
          [&](net::Channel& ch) {
            std::vector<core::Block> out(shape.outputs());
            SpcotSender(shape).send(ch, prg, base.delta, base.q, out,
                                    pooled ? &sender_pool : nullptr);
            return out;
          },
          [&](net::Channel& ch) {
            // The receiver XORs its leaves into what out holds.
            std::vector<core::Block> out(shape.outputs(), core::Block{5, 9});
            SpcotReceiver(shape).receive(ch, base.t, out, pooled ? &receiver_pool : nullptr);
            for (core::Block& b : out) b ^= core::Block{5, 9};
            return out;
          });
      for (std::size_t tree = 0; tree < shape.trees; ++tree) {
        std::size_t alpha = 0;  // the path goes against the choice bits, most significant first
        for (std::size_t level = 0; level < shape.depth; ++level) {
          alpha = 2 * alpha + (base.choices.get(tree * shape.depth + level) ? 0 : 1);
        }
        std::size_t punctured = 0;
        for (std::size_t leaf = 0; leaf < shape.leaves(); ++leaf) {
          const std::size_t i = tree * shape.leaves() + leaf;
          ASSERT_EQ(v[i].lo & 1U, 0U) << shape.depth << " " << tree << " " << leaf;
          ASSERT_EQ(w[i].lo & 1U, leaf == alpha ? 1U : 0U)
              << shape.depth << " " << tree << " " << leaf;
          ASSERT_EQ(w[i], leaf == alpha ? v[i] ^ base.delta : v[i])
              << shape.depth << " " << tree << " " << leaf << (pooled ? " pooled" : "");
          punctured += w[i] == v[i] ? 0 : 1;
        }
        EXPECT_EQ(punctured, 1U) << tree;
      }
      EXPECT_EQ(testing::distinct(v), v.size());
    }
  }
}

// The same seeds give the same leaves and the same bytes with and without a pool, whole or a
// few trees at a time (2, 3 and 4 trees per call).
TEST(Spcot, PoolsAndPiecesGiveTheSameLeaves) {
  const GgmShape shape{9, 10};
  const BaseCots base = make_base(shape.base_cots(), 72);
  core::ThreadPool pool(3);
  const auto run = [&](core::ThreadPool* p, bool pieces) {
    auto [ch0, ch1] = memory_pair();
    core::Prg prg(seed_of(73));
    const std::size_t piece_trees[] = {2, 3, 4};
    auto leaves = run_parties(
        *ch0, *ch1,
        [&](net::Channel& ch) {
          std::vector<core::Block> out(shape.outputs());
          SpcotSender sender(shape);
          if (!pieces) {
            sender.send(ch, prg, base.delta, base.q, out, p);
            return out;
          }
          sender.begin(ch, prg, base.delta);
          std::span<core::Block> rest(out);
          for (const std::size_t trees : piece_trees) {
            sender.send_trees(ch, base.q, rest.first(trees * shape.leaves()), p);
            rest = rest.subspan(trees * shape.leaves());
          }
          return out;
        },
        [&](net::Channel& ch) {
          std::vector<core::Block> out(shape.outputs());
          SpcotReceiver receiver(shape);
          if (!pieces) {
            receiver.receive(ch, base.t, out, p);
            return out;
          }
          receiver.begin(ch);
          std::span<core::Block> rest(out);
          for (const std::size_t trees : piece_trees) {
            receiver.receive_trees(ch, base.t, rest.first(trees * shape.leaves()), p);
            rest = rest.subspan(trees * shape.leaves());
          }
          return out;
        });
    EXPECT_EQ(ch0->counters().bytes_sent, 8 + 16 * shape.message_blocks());
    return leaves;
  };
  const auto [v, w] = run(nullptr, false);
  for (const bool pieces : {false, true}) {
    for (core::ThreadPool* p : {&pool, static_cast<core::ThreadPool*>(nullptr)}) {
      const auto [v_other, w_other] = run(p, pieces);
      EXPECT_EQ(v_other, v) << pieces;
      EXPECT_EQ(w_other, w) << pieces;
    }
  }
}

// Trees before begin, parts of trees and more trees than the batch has are refused.
TEST(Spcot, TreesOutOfTurnAreRejected) {
  const GgmShape shape{2, 6};
  const BaseCots base = make_base(shape.base_cots(), 76);
  auto [ch0, ch1] = memory_pair();
  core::Prg prg(seed_of(77));
  std::vector<core::Block> out(3 * shape.leaves());
  const std::span<core::Block> one_tree = std::span(out).first(shape.leaves());
  SpcotSender sender(shape);
  EXPECT_THROW(sender.send_trees(*ch0, base.q, one_tree), InvalidArgument);
  EXPECT_THROW(sender.begin(*ch0, prg, core::Block{2, 5}), InvalidArgument);  // even delta
  sender.begin(*ch0, prg, base.delta);
  EXPECT_THROW(sender.send_trees(*ch0, base.q, std::span(out).first(70)), InvalidArgument);
  EXPECT_THROW(sender.send_trees(*ch0, base.q, out), InvalidArgument);
  sender.send_trees(*ch0, base.q, one_tree);
  sender.send_trees(*ch0, base.q, one_tree);
  EXPECT_THROW(sender.send_trees(*ch0, base.q, one_tree), InvalidArgument);
  SpcotReceiver receiver(shape);
  EXPECT_THROW(receiver.receive_trees(*ch1, base.t, one_tree), InvalidArgument);
}

TEST(Spcot, MismatchedShapesThrowFormatError) {
  const GgmShape sent{4, 8};
  const BaseCots base = make_base(sent.base_cots(), 74);
  auto [ch0, ch1] = memory_pair();
  core::Prg prg(seed_of(75));
  std::vector<core::Block> out(sent.outputs());
  SpcotSender(sent).send(*ch0, prg, base.delta, base.q, out);
  const GgmShape other{8, 6};
  std::vector<core::Block> t(other.base_cots());
  std::vector<core::Block> w(other.outputs());
  EXPECT_THROW(SpcotReceiver(other).receive(*ch1, t, w), FormatError);
}

TEST(Spcot, SenderRejectsAnEvenDeltaAndWrongSizes) {
  const GgmShape shape{2, 6};
  auto [ch0, ch1] = memory_pair();
  core::Prg prg(seed_of(39));
  std::vector<core::Block> q(shape.base_cots());
  std::vector<core::Block> out(shape.outputs());
  EXPECT_THROW(SpcotSender(shape).send(*ch0, prg, core::Block{2, 5}, q, out), InvalidArgument);
  std::vector<core::Block> short_q(shape.base_cots() - 1);
  EXPECT_THROW(SpcotSender(shape).send(*ch0, prg, core::Block{3, 5}, short_q, out),
               InvalidArgument);
  std::vector<core::Block> short_out(shape.outputs() - 1);
  EXPECT_THROW(SpcotReceiver(shape).receive(*ch1, q, short_out), InvalidArgument);
}

TEST(Spcot, RejectsInvalidShapes) {
  EXPECT_THROW(SpcotSender(GgmShape{4, 5}), InvalidArgument);
  EXPECT_THROW(SpcotReceiver(GgmShape{0, 8}), InvalidArgument);
  EXPECT_THROW(SpcotSender(GgmShape{4, 25}), InvalidArgument);
}

}  // namespace
}  // namespace twain::ot
