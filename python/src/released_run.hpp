// Running a protocol without the GIL, interruptibly. The work runs on its own thread; the calling
// (Python) thread waits without the GIL, hands each progress event to the Python callback and
// checks for signals. When the callback raises or a signal handler does (Ctrl-C), the work is
// cancelled: its sockets are shut down, so a party blocked on the peer wakes at once, the session
// ends on both sides as a closed connection, and the Python exception propagates.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <set>
#include <string>

#include <pybind11/pybind11.h>

namespace twain::python {

class Cancellation {
 public:
  bool cancelled() const noexcept { return cancelled_.load(); }
  // Throws NetworkError when cancelled (the session is ending anyway).
  void check() const;
  // Shuts down every watched socket; later watch() calls shut theirs down at once.
  void cancel();
  void watch(int fd);
  void unwatch(int fd);

 private:
  std::atomic<bool> cancelled_{false};
  std::mutex mutex_;
  std::set<int> fds_;
};

// Watches a socket for as long as it lives; declare it after the channel that owns the socket
// so that it stops watching before the socket closes (a closed descriptor may be reused).
class WatchedSocket {
 public:
  WatchedSocket(Cancellation& cancellation, int fd) : cancellation_(cancellation), fd_(fd) { cancellation_.watch(fd_); }
  ~WatchedSocket() { cancellation_.unwatch(fd_); }
  WatchedSocket(const WatchedSocket&) = delete;
  WatchedSocket& operator=(const WatchedSocket&) = delete;

 private:
  Cancellation& cancellation_;
  int fd_;
};

// What the work reports before each online op: (ops done, ops in all, the op's name).
using ProgressSink = std::function<void(std::size_t done, std::size_t total, const std::string& label)>;

// Runs work(cancellation, progress) on a new thread while the caller waits without the GIL (the
// caller must hold it). progress: a Python callable (done, total, label) or None. Rethrows the
// work's exception, or the Python exception of the callback or of a signal handler.
void run_released(const std::function<void(Cancellation&, const ProgressSink&)>& work, const pybind11::object& progress);

}  // namespace twain::python
