// The demonstration that ./run.sh demo runs until the secure engine exists: one 3x3 convolution
// (64 -> 64 channels on a 16x16 tile) computed by the server on the client's encrypted input,
// Cheetah-style coefficient encoding, between two processes over loopback TCP.
#pragma once

#include <cstdint>
#include <iosfwd>

#include "net/channel.hpp"

namespace twain::apps {

struct ConvDemoReport {
  double seconds = 0;
  net::ChannelCounters traffic;
  std::size_t outputs = 0;
  std::size_t mismatches = 0;
  int response_bits = 0;
};

// Server role: owns the weights; answers one client on `channel`. Progress lines go to `log`.
void run_conv_demo_server(net::Channel& channel, std::ostream& log);
// Client role: owns the input; returns what it measured and whether the result was exact.
ConvDemoReport run_conv_demo_client(net::Channel& channel, std::ostream& log);

}  // namespace twain::apps
