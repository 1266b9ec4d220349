// Preprocessed material a protocol consumes: what the offline phase must generate.
#pragma once

#include <cstdint>

namespace twain::nonlinear {

// triples: bit (AND) triples, in bits (AND layers consume whole 64-bit words);
// leaf_ots: random bit OTs with the server as sender;
// cots_forward / cots_backward: correlated OTs turned into l-bit multiplexer / B2A OTs, with the
// server / the client as sender.
struct Needs {
  uint64_t triples = 0;
  uint64_t leaf_ots = 0;
  uint64_t cots_forward = 0;
  uint64_t cots_backward = 0;

  Needs& operator+=(const Needs& o) {
    triples += o.triples;
    leaf_ots += o.leaf_ots;
    cots_forward += o.cots_forward;
    cots_backward += o.cots_backward;
    return *this;
  }
  friend Needs operator+(Needs a, const Needs& b) { return a += b; }
  friend Needs operator*(uint64_t k, Needs a) {
    a.triples *= k;
    a.leaf_ots *= k;
    a.cots_forward *= k;
    a.cots_backward *= k;
    return a;
  }
  friend bool operator==(const Needs&, const Needs&) = default;
  // Correlated OTs the offline phase draws: two per triple, one per other item.
  uint64_t correlated_ots() const { return 2 * triples + leaf_ots + cots_forward + cots_backward; }
};

}  // namespace twain::nonlinear
