#include "serve_admission.hpp"

#include "core/errors.hpp"

namespace twain::apps {

Admission::Admission(std::size_t slots, std::size_t per_peer) : slots_(slots), per_peer_(per_peer) {
  TWAIN_REQUIRE(slots >= 1 && per_peer >= 1, InvalidArgument, "Admission: slots and per_peer must be positive");
}

Admission::Verdict Admission::admit(const std::string& peer, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  std::size_t& mine = by_peer_[peer];
  if (mine >= per_peer_) return Verdict::kPeerLimit;
  // Counted while waiting too, so one address cannot queue more than per_peer requests.
  ++mine;
  ++waiting_;
  const bool freed = freed_.wait_until(lock, deadline, [&] { return running_ < slots_; });
  --waiting_;
  if (!freed) {
    if (--by_peer_[peer] == 0) by_peer_.erase(peer);
    return Verdict::kBusy;
  }
  ++running_;
  return Verdict::kAdmitted;
}

void Admission::release(const std::string& peer) {
  {
    std::lock_guard lock(mutex_);
    --running_;
    if (const auto it = by_peer_.find(peer); it != by_peer_.end() && --it->second == 0) by_peer_.erase(it);
  }
  freed_.notify_one();
}

std::size_t Admission::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

std::size_t Admission::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

}  // namespace twain::apps
