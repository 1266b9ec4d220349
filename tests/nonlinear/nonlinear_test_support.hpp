// Shared by the nonlinear tests: two sessions over an in-memory or loopback TCP channel, secret
// sharing of plaintext vectors with fixed seeds, and signed ring helpers.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/prg.hpp"
#include "net/memory_channel.hpp"
#include "net/tcp_channel.hpp"
#include "nonlinear/session.hpp"

namespace twain::nonlinear::testing {

inline core::Seed seed_of(uint8_t tag) {
  core::Seed seed{};
  seed.fill(tag);
  return seed;
}

inline uint64_t mask_of(int l) { return (uint64_t{1} << l) - 1; }

// The ring element of a signed value, and back.
inline uint64_t to_ring(int64_t v, int l) { return static_cast<uint64_t>(v) & mask_of(l); }
inline int64_t to_signed(uint64_t v, int l) {
  return v >= (uint64_t{1} << (l - 1)) ? static_cast<int64_t>(v) - (int64_t{1} << l) : static_cast<int64_t>(v);
}
inline int64_t floor_shift(int64_t v, int f) { return v >> f; }  // arithmetic shift = floor

// Additive shares of signed values: server gets random, client the rest.
struct Shared {
  std::vector<uint64_t> server;
  std::vector<uint64_t> client;
  const std::vector<uint64_t>& of(Role r) const { return r == Role::kServer ? server : client; }
};

inline Shared share(const std::vector<int64_t>& values, int l, uint8_t seed = 9) {
  core::Prg prg(seed_of(seed));
  Shared s;
  for (int64_t v : values) {
    const uint64_t r = prg.next_u64() & mask_of(l);
    s.server.push_back(r);
    s.client.push_back((to_ring(v, l) - r) & mask_of(l));
  }
  return s;
}

inline std::vector<int64_t> reconstruct(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b, int l) {
  std::vector<int64_t> out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = to_signed((a[i] + b[i]) & mask_of(l), l);
  return out;
}

// XOR of two parties' bit-sliced shares, element i.
inline bool open_bit(const Words& a, const Words& b, std::size_t i) {
  return (((a[i / 64] ^ b[i / 64]) >> (i % 64)) & 1U) != 0;
}

// Random signed values in [-bound, bound) plus the edge values that fit.
inline std::vector<int64_t> test_values(int l, std::size_t count, int64_t bound, uint8_t seed = 3) {
  core::Prg prg(seed_of(seed));
  std::vector<int64_t> v;
  const int64_t top = (int64_t{1} << (l - 1)) - 1;
  for (int64_t e : {int64_t{0}, int64_t{1}, int64_t{-1}, top, -top - 1, int64_t{4095}, int64_t{4096},
                    int64_t{-4096}, int64_t{-4097}, int64_t{4097}, top - 1, -top}) {
    if (e >= -bound && e < bound) v.push_back(e);
  }
  while (v.size() < count) {
    v.push_back(static_cast<int64_t>(prg.uniform(static_cast<uint64_t>(2 * bound))) - bound);
  }
  return v;
}

struct Ends {
  std::unique_ptr<net::Channel> server;
  std::unique_ptr<net::Channel> client;
};

inline Ends memory_ends() {
  net::MemoryChannelOptions options;
  options.timeout = std::chrono::seconds(20);
  auto [a, b] = net::make_memory_channel_pair(options);
  return {std::move(a), std::move(b)};
}

inline Ends tcp_ends() {
  net::TcpOptions options;
  options.io_timeout = std::chrono::seconds(20);
  net::TcpListener listener(0, "127.0.0.1", options);
  auto client = std::async(std::launch::async,
                           [&] { return net::TcpChannel::connect("127.0.0.1", listener.port(), options); });
  auto server = listener.accept();
  return {std::move(server), client.get()};
}

// Runs f(session) for both parties (the server here, the client on another thread) and returns
// both results. A party that throws closes its end so the other fails fast; the first
// exception propagates.
template <class F>
auto run_both(const Options& options, F f, bool tcp = false, Backend backend = Backend::kIknp) {
  Ends ends = tcp ? tcp_ends() : memory_ends();
  auto party = [&](Role role, net::Channel& channel, uint8_t seed) {
    try {
      core::Prg prg(seed_of(seed));
      NonlinearSession session(role, channel, prg, options, backend);
      return f(session);
    } catch (...) {
      channel.close();
      throw;
    }
  };
  auto peer = std::async(std::launch::async, [&] { return party(Role::kClient, *ends.client, 2); });
  std::optional<decltype(party(Role::kServer, *ends.server, 1))> mine;
  try {
    mine.emplace(party(Role::kServer, *ends.server, 1));
  } catch (...) {
    try {
      peer.get();
    } catch (...) {  // a consequence of ours
    }
    throw;
  }
  return std::make_pair(std::move(*mine), peer.get());
}

inline Options options_for(int l, CompareMode mode = CompareMode::kLogDepth, LeafMode leaf = LeafMode::kRandomOt) {
  Options o;
  o.ring_bits = l;
  o.compare = mode;
  o.leaf = leaf;
  return o;
}

}  // namespace twain::nonlinear::testing
