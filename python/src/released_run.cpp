#include "released_run.hpp"

#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <thread>

#include "core/errors.hpp"

namespace py = pybind11;

namespace twain::python {

void Cancellation::check() const {
  if (cancelled()) throw NetworkError("the session was cancelled by this process");
}

void Cancellation::cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  for (const int fd : fds_) ::shutdown(fd, SHUT_RDWR);
}

void Cancellation::watch(int fd) {
  std::lock_guard lock(mutex_);
  fds_.insert(fd);
  if (cancelled_) ::shutdown(fd, SHUT_RDWR);
}

void Cancellation::unwatch(int fd) {
  std::lock_guard lock(mutex_);
  fds_.erase(fd);
}

namespace {

// How often the waiting thread checks for signals when nothing else wakes it.
constexpr std::chrono::milliseconds kSignalPoll{50};

struct Event {
  std::size_t done, total;
  std::string label;
};

// Between the work's thread and the waiting one.
struct Mailbox {
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Event> events;
  bool finished = false;
  std::exception_ptr error;
};

}  // namespace

void run_released(const std::function<void(Cancellation&, const ProgressSink&)>& work, const py::object& progress) {
  Cancellation cancellation;
  Mailbox box;
  const bool reporting = !progress.is_none();
  const ProgressSink sink = [&](std::size_t done, std::size_t total, const std::string& label) {
    cancellation.check();
    if (!reporting) return;
    std::lock_guard lock(box.mutex);
    box.events.push_back({done, total, label});
    box.wake.notify_one();
  };
  std::thread worker([&] {
    std::exception_ptr error;
    try {
      work(cancellation, sink);
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard lock(box.mutex);
    box.error = error;
    box.finished = true;
    box.wake.notify_one();
  });
  // Cancels and waits for the work before a Python exception leaves this frame (the thread uses it).
  const auto stop_worker = [&] {
    cancellation.cancel();
    py::gil_scoped_release release;
    worker.join();
  };
  for (;;) {
    std::deque<Event> events;
    bool finished = false;
    {
      py::gil_scoped_release release;
      std::unique_lock lock(box.mutex);
      box.wake.wait_for(lock, kSignalPoll, [&] { return box.finished || !box.events.empty(); });
      events.swap(box.events);
      finished = box.finished;
    }
    try {
      for (const Event& e : events) progress(e.done, e.total, e.label);
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    } catch (...) {
      stop_worker();
      throw;
    }
    if (finished) break;
  }
  {
    py::gil_scoped_release release;
    worker.join();
  }
  if (box.error) std::rethrow_exception(box.error);
}

}  // namespace twain::python
