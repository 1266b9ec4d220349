// ONNX import (issue 6 part 1): reads a model file with Debian's libonnx, runs the ONNX checker,
// converts every node to the float model::Graph (batch 1, static shapes) with its own checks, then
// runs libonnx's strict shape inference on the accepted graph and cross-checks every shape (the
// inference runs last because libonnx 1.12 crashes on some hostile graphs, e.g. a Conv on a rank-2
// input).
//
// Supported (default domain, opsets up to 17): Conv (2-D, groups, strides, pads, auto_pad,
// dilations as a kernel with zero taps between), Gemm, MatMul (with a constant right operand; a following Add of a constant becomes
// its bias through model::fold_bias_add), BatchNormalization (inference), Relu, Clip(0, 6) as
// Relu6 and Clip(0, none) as Relu, MaxPool, AveragePool, GlobalAveragePool, Add (two activations of
// one shape, or an activation and a broadcast constant), Concat (channel axis), Flatten, Reshape,
// Dropout and Identity (inference no-ops; of a constant, an alias), Pad (constant mode, spatial),
// Softmax and LogSoftmax as the last node. Weights come from initializers or Constant nodes. The
// graph has one float input of static shape [1, ...] and one output.
//
// Everything else is refused with ImportError whose message names what and where: for a node,
// "node <index> '<name>' (<op_type>): <reason>" (index = position in the ONNX node list). Sizes are
// bounded before anything is allocated (model::kMaxTensorElements per tensor, kMaxModelBytes per
// file).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/errors.hpp"
#include "model/graph.hpp"

namespace twain::onnx {

// A file that is not an ONNX model this library can run.
class ImportError : public FormatError {
 public:
  using FormatError::FormatError;
};

// Largest model file accepted (protobuf's own limit is 2 GiB).
inline constexpr std::uintmax_t kMaxModelBytes = (std::uintmax_t{1} << 31) - 1;

// Throws ImportError (also for unreadable or oversized files).
model::Graph load_model(const std::filesystem::path& path);

// The same from the serialised ModelProto bytes.
model::Graph load_model_bytes(std::string_view bytes);

}  // namespace twain::onnx
