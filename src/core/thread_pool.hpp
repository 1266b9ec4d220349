// A fixed pool of worker threads with a blocking parallel-for.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace twain::core {

class ThreadPool {
 public:
  // threads = 1 runs everything on the calling thread; 0 means one per hardware core.
  explicit ThreadPool(std::size_t threads = 1);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  std::size_t size() const { return workers_.size() + 1; }

  // Calls body(begin, end) on disjoint chunks covering [0, count), the caller taking part;
  // returns when all chunks are done and rethrows the first exception a chunk threw. Calls from
  // several threads are serialised.
  void parallel_for(std::size_t count, const std::function<void(std::size_t, std::size_t)>& body);

 private:
  struct Job {
    const std::function<void(std::size_t, std::size_t)>* body = nullptr;
    std::size_t count = 0;
    std::size_t chunk = 0;
    std::size_t next = 0;      // next chunk start to hand out
    std::size_t finished = 0;  // chunks completed
    std::size_t chunks = 0;
    std::exception_ptr error;
  };

  void worker_loop();
  // Runs chunks of the current job until none is left; returns with the lock held.
  void run_chunks(std::unique_lock<std::mutex>& lock);

  std::vector<std::thread> workers_;
  std::mutex call_mutex_;  // one parallel_for at a time
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  Job job_;
  std::size_t generation_ = 0;
  bool stopping_ = false;
};

}  // namespace twain::core
