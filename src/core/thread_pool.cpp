#include "core/thread_pool.hpp"

#include <algorithm>

namespace twain::core {

ThreadPool::ThreadPool(std::size_t threads) {
  if (threads == 0) threads = std::max(1U, std::thread::hardware_concurrency());
  for (std::size_t i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::run_chunks(std::unique_lock<std::mutex>& lock) {
  while (job_.body != nullptr && job_.next < job_.count) {
    const std::size_t begin = job_.next;
    const std::size_t end = std::min(job_.count, begin + job_.chunk);
    job_.next = end;
    const auto* body = job_.body;
    lock.unlock();
    std::exception_ptr error;
    try {
      (*body)(begin, end);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    if (error && !job_.error) job_.error = error;
    if (++job_.finished == job_.chunks) work_done_.notify_all();
  }
}

void ThreadPool::worker_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  std::size_t seen = generation_;
  for (;;) {
    work_ready_.wait(lock, [&] { return stopping_ || generation_ != seen; });
    if (stopping_) return;
    seen = generation_;
    run_chunks(lock);
  }
}

void ThreadPool::parallel_for(std::size_t count, const std::function<void(std::size_t, std::size_t)>& body) {
  if (count == 0) return;
  if (workers_.empty() || count == 1) {
    body(0, count);
    return;
  }
  std::lock_guard<std::mutex> call(call_mutex_);
  std::unique_lock<std::mutex> lock(mutex_);
  const std::size_t pieces = std::min(count, size() * 4);
  job_ = Job{&body, count, (count + pieces - 1) / pieces, 0, 0, 0, nullptr};
  job_.chunks = (count + job_.chunk - 1) / job_.chunk;
  ++generation_;
  work_ready_.notify_all();
  run_chunks(lock);
  work_done_.wait(lock, [&] { return job_.finished == job_.chunks; });
  std::exception_ptr error = job_.error;
  job_ = Job{};
  lock.unlock();
  if (error) std::rethrow_exception(error);
}

}  // namespace twain::core
