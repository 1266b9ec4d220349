// What a session measured: phases (DESIGN.md section 7) and one line per executed op.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "net/channel.hpp"

namespace twain::engine {

struct StepReport {
  std::string name;  // the op's name (its ONNX node)
  std::string op;    // "Conv2d", "ReluTruncate", ...
  double seconds = 0;
  net::ChannelCounters traffic;  // this party's channel over the interval
};

struct PhaseReport {
  double seconds = 0;
  net::ChannelCounters traffic;  // this party's channel over the interval
};

struct SessionReport {
  PhaseReport setup;    // request, model description, key exchange, base OTs
  PhaseReport offline;  // triples and correlated OTs, sized from the plan
  PhaseReport online;   // everything that depends on the input
  std::vector<StepReport> steps;  // the online phase, op by op
  // The client's whole view of the session is within 2^-statistical_bits_session of a function
  // of its outputs (engine/session_flooding.hpp), over flooded_responses HE responses.
  double statistical_bits_session = 0;
  uint64_t flooded_responses = 0;
};

// This party's share of every tensor of the graph, by tensor id (tests and debugging: each party
// sees only its own shares).
using Trace = std::vector<std::vector<uint64_t>>;

// Called before each online op: (ops done, ops in all, the op's name).
using Progress = std::function<void(std::size_t done, std::size_t total, const std::string& label)>;

}  // namespace twain::engine
