// From an ONNX file to the quantised graph the engine runs: import (onnx/), graph passes
// (model/passes.hpp: no-ops dropped, BatchNorm folded, pads folded, MaxPool before ReLU;
// model/sibling_fusion.hpp: fire-module expands as one convolution) and
// quantisation to (l, f) (DESIGN.md section 2).
#pragma once

#include <filesystem>
#include <optional>

#include "model/quantized_graph.hpp"

namespace twain::engine {

inline constexpr int kDefaultRingBits = 37;
inline constexpr int kDefaultFracBits = 12;

// Throws onnx::ImportError for a file it cannot import, InvalidArgument / CapacityError from
// the passes and the quantiser.
// weight_bits: the public weight bound's exponent (model::quantize; f + 1 when not given).
model::QuantizedGraph load_quantized_model(const std::filesystem::path& onnx_file, int ring_bits = kDefaultRingBits,
                                          int frac_bits = kDefaultFracBits,
                                          std::optional<int> weight_bits = std::nullopt);

}  // namespace twain::engine
