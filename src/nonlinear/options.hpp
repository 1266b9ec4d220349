// Settings shared by every nonlinear protocol: who plays which part, the ring, the OT backend
// and the comparison circuit.
#pragma once

#include <cstdint>

#include "ot/party.hpp"

namespace twain::nonlinear {

// The server owns the model, the client the input (DESIGN.md section 1). Inside the OT layer the
// server is ot::Party::kFirst: the sender of the "forward" correlated-OT direction.
enum class Role : uint8_t { kServer, kClient };

inline ot::Party to_party(Role role) {
  return role == Role::kServer ? ot::Party::kFirst : ot::Party::kSecond;
}

// Where the correlated OTs behind triples and multiplexers come from. kIknp: 128 bits on the
// wire per OT, cheap setup (tests, small batches). kFerret: silent OT with the 128-bit parameter
// set (about 0.46 bits per OT, a 10 MB IKNP bootstrap per direction at setup).
// kFerretInsecureForTests: Ferret with the small insecure parameters, for tests only.
enum class Backend : uint8_t { kIknp, kFerret, kFerretInsecureForTests };

// kFast: at most one unit in the last place below the floor shift (the carry out of the
// dropped bits is ignored, as in Cheetah and SecONNds). kExact: the floor shift bit for bit.
enum class TruncMode : uint8_t { kFast, kExact };

// The carry circuit behind every comparison (DESIGN.md section 6).
// kLogDepth: generate/propagate tree, ceil(log2 k) AND rounds after the leaf round.
// kSerial: ripple-carry chain, one AND per bit (least communication, k rounds).
// kAuto: per call, whichever of the two is faster on the session's LinkModel, the offline
// generation of its triples included.
enum class CompareMode : uint8_t { kLogDepth, kSerial, kAuto };

// How the leaf ANDs of a comparison (one bit of each party) are computed.
// kRandomOt: one random bit OT, 2 bits on the wire (one each way) and one correlated OT.
// kTriple: a Beaver triple, 4 bits on the wire and two correlated OTs.
enum class LeafMode : uint8_t { kRandomOt, kTriple };

// The link the session runs over, for CompareMode::kAuto.
struct LinkModel {
  double bits_per_second = 3e9;
  double one_way_latency_s = 0.15e-3;
  // What one correlated OT costs to generate offline (both parties, Ferret on one core each):
  // kAuto weighs the triples a circuit consumes, not only its online traffic.
  double offline_seconds_per_cot = 1e-7;
  friend bool operator==(const LinkModel&, const LinkModel&) = default;
};

// Public parameters both parties must set identically.
struct Options {
  int ring_bits = 37;
  CompareMode compare = CompareMode::kAuto;
  LeafMode leaf = LeafMode::kRandomOt;
  LinkModel link;
  friend bool operator==(const Options&, const Options&) = default;
};

// Accepted ring widths.
inline constexpr int kMinRingBits = 24;
inline constexpr int kMaxRingBits = 48;

}  // namespace twain::nonlinear
