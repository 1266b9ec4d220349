// Internal to the importer: constants read from TensorProtos and the view of one NodeProto that
// the operator converters work on (attributes, inputs as activations or constants, errors that
// name the node).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "model/graph.hpp"

namespace twain::onnx {

// A constant tensor (initializer or Constant node). dims may be empty (a scalar) or hold zeros;
// values are converted to double (exact for float, int32 and int64 up to 2^53).
struct Constant {
  model::Shape dims;
  std::vector<double> values;
};

// Reads a float, double, int32 or int64 TensorProto (typed fields or raw_data). Throws
// ImportError naming `where` for other types, external data, a size that disagrees with the
// dims, more than model::kMaxTensorElements elements, or non-finite values.
Constant read_tensor(const ::onnx::TensorProto& tensor, const std::string& where);

class NodeContext {
 public:
  NodeContext(const ::onnx::NodeProto& node, int index, int opset, const std::map<std::string, model::TensorId>& activations,
              const std::map<std::string, Constant>& constants, const model::Graph& graph);

  const ::onnx::NodeProto& node() const { return node_; }
  int opset() const { return opset_; }
  // "node 3 'conv1' (Conv)".
  std::string where() const;
  [[noreturn]] void fail(const std::string& reason) const;

  // Number of inputs, counting empty (omitted optional) names.
  int input_count() const { return node_.input_size(); }
  bool has_input(int k) const { return k < node_.input_size() && !node_.input(k).empty(); }
  bool is_constant(int k) const;
  // The activation (graph input or a node's output) at input k; fails for constants and unknowns.
  model::TensorId activation(int k) const;
  const model::Shape& activation_shape(int k) const;
  // The constant at input k; fails for activations and unknowns.
  const Constant& constant(int k) const;

  bool has_attribute(const std::string& name) const { return find(name) != nullptr; }
  int64_t attribute_int(const std::string& name, int64_t fallback) const;
  float attribute_float(const std::string& name, float fallback) const;
  std::string attribute_string(const std::string& name, const std::string& fallback) const;
  std::optional<std::vector<int64_t>> attribute_ints(const std::string& name) const;
  // Fails unless every attribute of the node is one of `known` (catches misspelled or unsupported ones).
  void allow_attributes(std::initializer_list<const char*> known) const;

 private:
  const ::onnx::AttributeProto* find(const std::string& name) const;
  const ::onnx::AttributeProto& typed(const std::string& name, ::onnx::AttributeProto_AttributeType type) const;

  const ::onnx::NodeProto& node_;
  int index_;
  int opset_;
  const std::map<std::string, model::TensorId>& activations_;
  const std::map<std::string, Constant>& constants_;
  const model::Graph& graph_;
};

// The model op and its activation inputs for one supported ONNX node (not Constant). Fails with
// the node named for unsupported operators, attributes and shapes.
struct Converted {
  model::OpKind op;
  std::vector<model::TensorId> inputs;
};
Converted convert_node(const NodeContext& context);

}  // namespace twain::onnx
