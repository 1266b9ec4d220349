// Shared by the OT tests: fixed seeds, channel pairs and running both parties of a protocol.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/bit_vector.hpp"
#include "core/block.hpp"
#include "core/prg.hpp"
#include "net/channel.hpp"
#include "net/memory_channel.hpp"
#include "net/tcp_channel.hpp"
#include "ot/cot.hpp"

namespace twain::ot::testing {

inline core::Seed seed_of(uint8_t tag) {
  core::Seed seed{};
  seed.fill(tag);
  return seed;
}

// An in-memory pair whose ends give up after 5 s of silence, so a broken test fails quickly.
inline auto memory_pair() {
  net::MemoryChannelOptions options;
  options.timeout = std::chrono::seconds(5);
  return net::make_memory_channel_pair(options);
}

// A connected loopback TCP pair (first = the accepting end).
inline std::pair<std::unique_ptr<net::TcpChannel>, std::unique_ptr<net::TcpChannel>> tcp_pair() {
  net::TcpOptions options;
  options.io_timeout = std::chrono::seconds(5);
  net::TcpListener listener(0, "127.0.0.1", options);
  auto client = std::async(std::launch::async, [&] {
    return net::TcpChannel::connect("127.0.0.1", listener.port(), options);
  });
  auto server = listener.accept();
  return {std::move(server), client.get()};
}

// Runs first(ch0) here and second(ch1) on another thread and returns both results. A party
// that throws closes its end first, so the other one fails fast instead of waiting; the first
// exception (this thread's, else the peer's) propagates.
template <class First, class Second>
auto run_parties(net::Channel& ch0, net::Channel& ch1, First first, Second second) {
  auto peer = std::async(std::launch::async, [&] {
    try {
      return second(ch1);
    } catch (...) {
      ch1.close();
      throw;
    }
  });
  std::optional<decltype(first(ch0))> mine;
  try {
    mine.emplace(first(ch0));
  } catch (...) {
    ch0.close();
    try {
      peer.get();
    } catch (...) {  // the peer's failure is a consequence of ours
    }
    throw;
  }
  return std::make_pair(std::move(*mine), peer.get());
}

// Bit k of the block (k < 128).
inline bool block_bit(const core::Block& b, std::size_t k) {
  return ((k < 64 ? b.lo : b.hi) >> (k % 64)) & 1U;
}

// Builds a COT sender and receiver with the factories (called with the channel and a PRG seeded by
// the tag), asks both for `counts` in order, checks each side's produced() count and returns
// every batch of both sides.
template <class MakeSender, class MakeReceiver>
auto request_cots(const std::vector<std::size_t>& counts, uint8_t sender_tag, uint8_t receiver_tag,
                  MakeSender make_sender, MakeReceiver make_receiver) {
  auto [ch0, ch1] = memory_pair();
  core::Prg sender_prg(seed_of(sender_tag));
  core::Prg receiver_prg(seed_of(receiver_tag));
  return run_parties(
      *ch0, *ch1,
      [&](net::Channel& ch) {
        auto cot = make_sender(ch, sender_prg);
        std::vector<CotSenderBatch> out;
        for (std::size_t n : counts) out.push_back(cot.get(n));
        EXPECT_EQ(cot.produced(), out.back().first_index + out.back().q.size());
        return out;
      },
      [&](net::Channel& ch) {
        auto cot = make_receiver(ch, receiver_prg);
        std::vector<CotReceiverBatch> out;
        for (std::size_t n : counts) out.push_back(cot.get(n));
        EXPECT_EQ(cot.produced(), out.back().first_index + out.back().t.size());
        return out;
      });
}

// Every pair satisfies q_i = t_i ^ (b_i * delta), with matching sizes and indices.
inline void expect_cot_relation(const CotSenderBatch& s, const CotReceiverBatch& r) {
  ASSERT_EQ(s.q.size(), r.t.size());
  ASSERT_EQ(r.choices.size(), r.t.size());
  ASSERT_EQ(s.first_index, r.first_index);
  for (std::size_t i = 0; i < s.q.size(); ++i) {
    const core::Block expected = r.choices.get(i) ? r.t[i] ^ s.delta : r.t[i];
    ASSERT_EQ(s.q[i], expected) << "COT " << i;
  }
}

// Number of distinct values among the blocks.
inline std::size_t distinct(std::vector<core::Block> blocks) {
  const auto less = [](const core::Block& a, const core::Block& b) {
    return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo;
  };
  std::sort(blocks.begin(), blocks.end(), less);
  return static_cast<std::size_t>(std::unique(blocks.begin(), blocks.end()) - blocks.begin());
}

}  // namespace twain::ot::testing
