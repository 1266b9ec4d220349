#include "onnx/importer.hpp"

#include <fstream>
#include <map>
#include <system_error>

#include <onnx/checker.h>
#include <onnx/proto_utils.h>
#include <onnx/shape_inference/implementation.h>

#include "onnx/node_context.hpp"

namespace twain::onnx {
namespace {

Constant constant_node(const NodeContext& c) {
  c.allow_attributes({"value", "value_float", "value_floats", "value_int", "value_ints"});
  if (c.node().attribute_size() != 1) c.fail("needs exactly one value attribute");
  const auto& a = c.node().attribute(0);
  Constant out;
  if (a.name() == "value") {
    if (a.type() != ::onnx::AttributeProto_AttributeType_TENSOR) c.fail("attribute 'value' is not a tensor");
    return read_tensor(a.t(), c.where());
  }
  if (a.name() == "value_float" || a.name() == "value_int") {
    out.values = {a.name() == "value_float" ? static_cast<double>(c.attribute_float("value_float", 0))
                                            : static_cast<double>(c.attribute_int("value_int", 0))};
    return out;
  }
  if (a.name() == "value_floats") {
    if (a.floats_size() > model::kMaxTensorElements) c.fail("too many values");
    out.values.assign(a.floats().begin(), a.floats().end());
  } else {
    const auto ints = c.attribute_ints("value_ints");
    out.values.assign(ints->begin(), ints->end());
  }
  out.dims = {static_cast<int64_t>(out.values.size())};
  return out;
}

// The static shape of a value, or nothing when the type carries no complete shape.
std::optional<model::Shape> static_shape(const ::onnx::TypeProto& type) {
  if (!type.has_tensor_type() || !type.tensor_type().has_shape()) return std::nullopt;
  model::Shape shape;
  for (const auto& d : type.tensor_type().shape().dim()) {
    if (!d.has_dim_value()) return std::nullopt;
    shape.push_back(d.dim_value());
  }
  return shape;
}

// Every shape ONNX inference derived must equal the one the importer computed.
void cross_check(const ::onnx::GraphProto& onnx_graph, const model::Graph& graph) {
  std::map<std::string, model::TensorId> ids;
  for (std::size_t k = 0; k < graph.tensors.size(); ++k) ids[graph.tensors[k].name] = static_cast<model::TensorId>(k);
  auto check = [&](const ::onnx::ValueInfoProto& v) {
    const auto it = ids.find(v.name());
    const auto inferred = static_shape(v.type());
    if (it == ids.end() || !inferred) return;
    const model::Shape& ours = graph.tensors[static_cast<std::size_t>(it->second)].shape;
    if (*inferred != ours)
      throw ImportError("value '" + v.name() + "': ONNX shape inference gives " + model::to_string(*inferred) +
                        ", the importer " + model::to_string(ours));
  };
  for (const auto& v : onnx_graph.value_info()) check(v);
  for (const auto& v : onnx_graph.output()) check(v);
}

class Importer {
 public:
  explicit Importer(const ::onnx::ModelProto& model) : model_(model), g_(model.graph()) {}

  model::Graph run() {
    opset_ = default_opset();
    for (const auto& t : g_.initializer()) constants_[t.name()] = read_tensor(t, "initializer '" + t.name() + "'");
    for (const auto& v : g_.value_info()) declared_[v.name()] = &v.type();
    for (const auto& v : g_.output()) declared_[v.name()] = &v.type();
    add_input();
    for (int i = 0; i < g_.node_size(); ++i) add_node(g_.node(i), i);
    finish();
    return std::move(graph_);
  }

 private:
  int default_opset() const {
    for (const auto& o : model_.opset_import())
      if (o.domain().empty() || o.domain() == "ai.onnx") return static_cast<int>(o.version());
    throw ImportError("the model imports no opset of the default ONNX domain");
  }

  void add_input() {
    const ::onnx::ValueInfoProto* input = nullptr;
    int count = 0;
    for (const auto& v : g_.input()) {
      if (constants_.count(v.name())) continue;
      input = &v;
      ++count;
    }
    if (count != 1)
      throw ImportError("the graph has " + std::to_string(count) +
                        " inputs besides its initializers; exactly one (the image) is supported");
    const std::string where = "graph input '" + input->name() + "'";
    const auto& type = input->type();
    if (!type.has_tensor_type() || type.tensor_type().elem_type() != ::onnx::TensorProto_DataType_FLOAT)
      throw ImportError(where + " is not a float tensor");
    if (!type.tensor_type().has_shape()) throw ImportError(where + " has no shape (dynamic shapes are not supported)");
    model::Shape shape;
    for (int k = 0; k < type.tensor_type().shape().dim_size(); ++k) {
      const auto& d = type.tensor_type().shape().dim(k);
      if (!d.has_dim_value() || d.dim_value() < 1)
        throw ImportError(where + " has a dynamic or empty dimension '" + (d.has_dim_param() ? d.dim_param() : "?") +
                          "' at axis " + std::to_string(k) + " (static shapes only)");
      shape.push_back(d.dim_value());
    }
    if (shape.size() < 2 || shape[0] != 1) throw ImportError(where + " shape " + model::to_string(shape) + " is not [1, C, ...] (batch 1)");
    try {
      model::element_count(shape);
    } catch (const InvalidArgument& e) {
      throw ImportError(where + ": " + e.what());
    }
    graph_.input = graph_.add_tensor(input->name(), shape);
    activations_[input->name()] = graph_.input;
  }

  void add_node(const ::onnx::NodeProto& node, int index) {
    const NodeContext c(node, index, opset_, activations_, constants_, graph_);
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      c.fail("operator domain '" + node.domain() + "' is not supported");
    if (node.output_size() < 1 || node.output(0).empty()) c.fail("has no output");
    const std::string& name = node.output(0);
    if (activations_.count(name) || constants_.count(name)) c.fail("output '" + name + "' is defined twice");
    if (node.op_type() == "Constant") {
      constants_[name] = constant_node(c);
      return;
    }
    // PyTorch exports shared weights as Identity (or Dropout) of an initializer: an alias.
    if ((node.op_type() == "Identity" || node.op_type() == "Dropout") && c.is_constant(0) && node.output_size() == 1) {
      constants_[name] = c.constant(0);
      return;
    }
    try {
      Converted converted = convert_node(c);
      std::vector<model::Shape> shapes;
      for (model::TensorId id : converted.inputs) shapes.push_back(graph_.tensors[static_cast<std::size_t>(id)].shape);
      model::Shape shape = model::infer_shape(converted.op, shapes);
      const auto declared = declared_.find(name);
      if (declared != declared_.end()) {
        const auto expected = static_shape(*declared->second);
        if (expected && *expected != shape)
          c.fail("computes shape " + model::to_string(shape) + " but the model declares " + model::to_string(*expected));
      }
      const model::TensorId out = graph_.add_tensor(name, std::move(shape));
      activations_[name] = out;
      graph_.nodes.push_back({node.name(), node.op_type(), index, std::move(converted.inputs), out, std::move(converted.op)});
    } catch (const InvalidArgument& e) {
      c.fail(e.what());
    }
  }

  void finish() {
    if (g_.output_size() != 1)
      throw ImportError("the graph has " + std::to_string(g_.output_size()) + " outputs; exactly one is supported");
    const std::string& name = g_.output(0).name();
    const auto it = activations_.find(name);
    if (it == activations_.end() || it->second == graph_.input)
      throw ImportError("graph output '" + name + "' is not computed by a node");
    graph_.output = it->second;
    for (const model::Node& node : graph_.nodes) {
      const bool softmax = std::holds_alternative<model::op::Softmax>(node.op) ||
                           std::holds_alternative<model::op::LogSoftmax>(node.op);
      if (softmax && node.output != graph_.output)
        throw ImportError(model::Graph::describe(node) + ": only supported as the last node (its output is not the graph output)");
    }
    try {
      graph_.validate();
    } catch (const InvalidArgument& e) {
      throw ImportError(std::string("the imported graph is inconsistent: ") + e.what());
    }
  }

  const ::onnx::ModelProto& model_;
  const ::onnx::GraphProto& g_;
  int opset_ = 0;
  std::map<std::string, Constant> constants_;
  std::map<std::string, model::TensorId> activations_;
  std::map<std::string, const ::onnx::TypeProto*> declared_;
  model::Graph graph_;
};

}  // namespace

model::Graph load_model_bytes(std::string_view bytes) {
  if (bytes.size() > kMaxModelBytes)
    throw ImportError("the model holds " + std::to_string(bytes.size()) + " bytes, above the limit " +
                      std::to_string(kMaxModelBytes));
  ::onnx::ModelProto model;
  if (!::onnx::ParseProtoFromBytes(&model, bytes.data(), bytes.size()))
    throw ImportError("the bytes are not an ONNX ModelProto (truncated or corrupted protobuf, " +
                      std::to_string(bytes.size()) + " bytes)");
  if (!model.has_graph()) throw ImportError("the model has no graph");
  try {
    ::onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    throw ImportError(std::string("the ONNX checker refuses the model: ") + e.what());
  }
  // Our own conversion validates every node first: libonnx's shape inference is not robust against
  // hostile input (a Conv on a rank-2 input crashes it), so it only sees graphs already accepted.
  model::Graph graph = Importer(model).run();
  try {
    ::onnx::shape_inference::InferShapes(model, ::onnx::OpSchemaRegistry::Instance(),
                                         ::onnx::ShapeInferenceOptions(true, 1, false));
  } catch (const std::exception& e) {
    throw ImportError(std::string("ONNX shape inference fails: ") + e.what());
  }
  cross_check(model.graph(), graph);
  return graph;
}

model::Graph load_model(const std::filesystem::path& path) {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) throw ImportError("cannot read the model file '" + path.string() + "': " + error.message());
  if (size > kMaxModelBytes)
    throw ImportError("the model file '" + path.string() + "' holds " + std::to_string(size) + " bytes, above the limit " +
                      std::to_string(kMaxModelBytes));
  std::string bytes(static_cast<std::size_t>(size), '\0');
  std::ifstream in(path, std::ios::binary);
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size)))
    throw ImportError("cannot read the model file '" + path.string() + "'");
  try {
    return load_model_bytes(bytes);
  } catch (const ImportError& e) {
    throw ImportError(path.string() + ": " + e.what());
  }
}

}  // namespace twain::onnx
