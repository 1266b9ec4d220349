// The public description of a model that the server sends the client at the start of a session:
// the quantised graph's architecture, fixed-point parameters and public weight bounds, without
// any server-only vector (weights, biases, BatchNorm scales and shifts, constants). Both parties
// know the architecture (DESIGN.md section 1); this message is how the client learns it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "model/quantized_graph.hpp"

namespace twain::engine {

// Bounds a description from the peer must respect (checked before anything is allocated).
inline constexpr std::size_t kMaxDescriptionBytes = std::size_t{1} << 24;
inline constexpr std::size_t kMaxGraphTensors = 1 << 16;
inline constexpr std::size_t kMaxNameLength = 1024;

// "TWMD", version 1. The result holds no weight, bias, scale, shift or constant value.
std::vector<uint8_t> describe_public(const model::QuantizedGraph& graph);

// Parses and validates (QuantizedGraph::validate with Parameters::kAbsent) a description.
// Throws FormatError naming the field and the byte position for a malformed or hostile message.
model::QuantizedGraph parse_public(std::span<const uint8_t> bytes);

}  // namespace twain::engine
