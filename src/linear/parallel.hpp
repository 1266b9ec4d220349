// Work of the linear layers spread over an optional core::ThreadPool. Every randomised item gets
// its own child generator, derived from the caller's Prg in item order before any item runs, so
// that the results are the same for every thread count and batch size.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <vector>

#include "core/errors.hpp"
#include "core/prg.hpp"
#include "core/thread_pool.hpp"

namespace twain::linear {

// body(i) for i in [0, count): on the calling thread without a pool, else over the pool's threads.
template <class Body>
void for_each_index(core::ThreadPool* pool, std::size_t count, const Body& body) {
  if (pool == nullptr || pool->size() == 1 || count <= 1) {
    for (std::size_t i = 0; i < count; ++i) body(i);
    return;
  }
  pool->parallel_for(count, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) body(i);
  });
}

// Items handled together between two rounds of messages: enough to keep the pool busy, few
// enough that the peer starts working on the first messages early.
inline std::size_t batch_size(const core::ThreadPool* pool) { return pool == nullptr ? 1 : 4 * pool->size(); }

// Calls receive(i) for i in [0, count) until one throws NetworkError; returns how many succeeded
// and keeps the error in `lost`, so that the caller can process (and reject) the messages that
// did arrive before reporting the lost connection.
template <class Receive>
std::size_t receive_until_lost(std::size_t count, const Receive& receive, std::exception_ptr& lost) {
  std::size_t received = 0;
  try {
    for (; received < count; ++received) receive(received);
  } catch (const NetworkError&) {
    lost = std::current_exception();
  }
  return received;
}

// count seeds for child generators, drawn from prg in order.
inline std::vector<core::Seed> derive_seeds(core::Prg& prg, std::size_t count) {
  std::vector<core::Seed> seeds(count);
  for (auto& seed : seeds) seed = prg.derive_seed();
  return seeds;
}

}  // namespace twain::linear
