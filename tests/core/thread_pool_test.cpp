#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "core/aligned_buffer.hpp"
#include "core/thread_pool.hpp"

namespace twain::core {
namespace {

TEST(ThreadPool, ParallelForCoversEveryIndexOnce) {
  for (std::size_t threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    for (std::size_t count : {1, 7, 1000}) {
      std::vector<std::atomic<int>> hits(count);
      pool.parallel_for(count, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) hits[i]++;
      });
      for (auto& h : hits) EXPECT_EQ(h.load(), 1);
    }
  }
}

TEST(ThreadPool, RethrowsAWorkerException) {
  ThreadPool pool(3);
  EXPECT_THROW(pool.parallel_for(100,
                                 [](std::size_t begin, std::size_t) {
                                   if (begin > 0) throw std::runtime_error("chunk failed");
                                 }),
               std::runtime_error);
  std::atomic<int> after{0};
  pool.parallel_for(10, [&](std::size_t b, std::size_t e) { after += static_cast<int>(e - b); });
  EXPECT_EQ(after.load(), 10);
}

TEST(AlignedVector, DataIsSimdAligned) {
  for (std::size_t n : {1, 3, 1000}) {
    AlignedVector<uint32_t> v(n);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % kSimdAlignment, 0U);
  }
}

}  // namespace
}  // namespace twain::core
