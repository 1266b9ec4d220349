// Shared by the transport tests: a peer that drips one byte every 50 ms.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "core/errors.hpp"
#include "net/channel.hpp"

namespace twain::net::testing {

struct DripResult {
  bool timed_out = false;
  std::string error;
  std::chrono::steady_clock::duration elapsed{};
};

// `sender` drips from its own thread (at most 100 bytes, 5 s) while `receiver` reads 64 bytes;
// reports whether and how fast the read ended in TimeoutError.
inline DripResult read_from_dripping_peer(Channel& sender, Channel& receiver) {
  using namespace std::chrono_literals;
  std::atomic<bool> stop{false};
  std::thread dripper([&] {
    const uint8_t byte = 0x42;
    for (int i = 0; i < 100 && !stop; ++i) {
      sender.send(&byte, 1);
      sender.flush();
      std::this_thread::sleep_for(50ms);
    }
  });
  DripResult result;
  std::array<uint8_t, 64> buffer{};
  const auto start = std::chrono::steady_clock::now();
  try {
    receiver.recv(buffer.data(), buffer.size());
  } catch (const TimeoutError& e) {
    result.timed_out = true;
    result.error = e.what();
  }
  result.elapsed = std::chrono::steady_clock::now() - start;
  stop = true;
  dripper.join();
  return result;
}

}  // namespace twain::net::testing
