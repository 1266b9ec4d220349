// The public description of a model that the server sends the client at the start of a session:
// the quantised graph's architecture, fixed-point parameters and public weight bounds, without
// any server-only vector (weights, biases, BatchNorm scales and shifts, constants). Both parties
// know the architecture (DESIGN.md section 1); this message is how the client learns it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/quantized_graph.hpp"

namespace twain::engine {

// Bounds a description from the peer must respect (checked before anything is allocated).
inline constexpr std::size_t kMaxDescriptionBytes = std::size_t{1} << 24;
inline constexpr std::size_t kMaxGraphTensors = 1 << 16;
inline constexpr std::size_t kMaxNameLength = 1024;

// What the server's policy makes public with the architecture (DESIGN.md section 1): the
// session's statistical security (engine/session_flooding.hpp) and what a client may learn.
struct PublicPolicy {
  int statistical_bits = 40;
  int max_top_k = 5;
  bool allow_logits = false;
  // A session runs at most this many inferences; its flooding covers all of them.
  uint64_t max_inferences = 1;

  bool operator==(const PublicPolicy&) const = default;
};

struct PublicModel {
  model::QuantizedGraph graph;
  PublicPolicy policy;
};

// Totals a description from the peer may reach (besides each field's own bound): they bound
// what the client allocates and plans for a description before any other traffic.
inline constexpr int64_t kMaxDescribedElements = int64_t{1} << 28;  // all tensors together
inline constexpr int64_t kMaxDescribedKernelTaps = int64_t{1} << 32;  // sum of |weights| counts

// "TWMD", version 2. The result holds no weight, bias, scale, shift or constant value: only the
// architecture (shapes, scales, weight bounds) and the policy. Names of tensors and ops are
// written only with `names` (otherwise empty, and the client labels ops by kind and index).
std::vector<uint8_t> describe_public(const model::QuantizedGraph& graph, const PublicPolicy& policy,
                                     bool names = false);

// The model's fingerprint: lowercase hex SHA-256 over the description's length (8 bytes,
// little-endian), the description, the card's length and the card. Both parties compute it from
// the bytes of the session, so a client can pin the model it expects.
std::string model_fingerprint(std::span<const uint8_t> description, std::string_view card);

// Parses and validates (QuantizedGraph::validate with Parameters::kAbsent) a description, and
// checks its totals against the limits above. Throws FormatError naming the field and the byte
// position for a malformed or hostile message.
PublicModel parse_public(std::span<const uint8_t> bytes);

}  // namespace twain::engine
