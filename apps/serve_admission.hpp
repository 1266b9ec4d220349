// Who gets a session slot on `twain serve`: a connection is admitted only after it sent a valid
// request (engine::receive_request), at most `slots` sessions run at once, and at most `per_peer`
// of them (running or waiting for a slot) come from one address. Connections that have not sent
// a request yet hold no slot, so silent or trickling peers cannot keep a valid client out.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace twain::apps {

class Admission {
 public:
  Admission(std::size_t slots, std::size_t per_peer);

  enum class Verdict { kAdmitted, kPeerLimit, kBusy };
  // Waits until a slot is free or `deadline` passes. kPeerLimit at once when `peer` already has
  // per_peer sessions; kBusy when no slot freed in time. Every kAdmitted needs one release(peer).
  Verdict admit(const std::string& peer, std::chrono::steady_clock::time_point deadline);
  void release(const std::string& peer);

  std::size_t running() const;
  // Valid requests waiting for a slot now (what the health probe reports as overload).
  std::size_t waiting() const;
  std::size_t slots() const noexcept { return slots_; }
  std::size_t per_peer() const noexcept { return per_peer_; }

 private:
  const std::size_t slots_;
  const std::size_t per_peer_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  std::size_t running_ = 0;
  std::size_t waiting_ = 0;
  std::map<std::string, std::size_t> by_peer_;  // sessions running or waiting, per address
};

// RAII for one admitted session.
class AdmissionTicket {
 public:
  AdmissionTicket(Admission& admission, std::string peer) : admission_(admission), peer_(std::move(peer)) {}
  ~AdmissionTicket() { admission_.release(peer_); }
  AdmissionTicket(const AdmissionTicket&) = delete;
  AdmissionTicket& operator=(const AdmissionTicket&) = delete;

 private:
  Admission& admission_;
  std::string peer_;
};

}  // namespace twain::apps
