#include "onnx/node_context.hpp"

#include <cmath>
#include <cstring>

#include "onnx/importer.hpp"

namespace twain::onnx {
namespace {

template <class T>
std::vector<double> from_raw(const std::string& raw, std::size_t count, const std::string& where) {
  if (raw.size() != count * sizeof(T))
    throw ImportError(where + ": raw_data holds " + std::to_string(raw.size()) + " bytes, the dims need " +
                      std::to_string(count * sizeof(T)));
  std::vector<double> out(count);
  for (std::size_t k = 0; k < count; ++k) {
    T v;
    std::memcpy(&v, raw.data() + k * sizeof(T), sizeof(T));  // little-endian on every supported host
    out[k] = static_cast<double>(v);
  }
  return out;
}

template <class Field>
std::vector<double> from_field(const Field& field, std::size_t count, const std::string& where) {
  if (static_cast<std::size_t>(field.size()) != count)
    throw ImportError(where + ": holds " + std::to_string(field.size()) + " values, the dims need " +
                      std::to_string(count));
  return std::vector<double>(field.begin(), field.end());
}

}  // namespace

Constant read_tensor(const ::onnx::TensorProto& tensor, const std::string& where) {
  if (tensor.data_location() == ::onnx::TensorProto_DataLocation_EXTERNAL || tensor.external_data_size() > 0)
    throw ImportError(where + ": external tensor data is not supported");
  Constant c;
  if (static_cast<std::size_t>(tensor.dims_size()) > model::kMaxRank)
    throw ImportError(where + ": rank " + std::to_string(tensor.dims_size()) + " is above " +
                      std::to_string(model::kMaxRank));
  int64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0) throw ImportError(where + ": negative dimension " + std::to_string(dim));
    if (dim > 0 && count > model::kMaxTensorElements / dim)
      throw ImportError(where + ": more than " + std::to_string(model::kMaxTensorElements) + " elements");
    count *= dim;
    c.dims.push_back(dim);
  }
  const auto n = static_cast<std::size_t>(count);
  const bool raw = tensor.has_raw_data();
  switch (tensor.data_type()) {
    case ::onnx::TensorProto_DataType_FLOAT:
      c.values = raw ? from_raw<float>(tensor.raw_data(), n, where) : from_field(tensor.float_data(), n, where);
      break;
    case ::onnx::TensorProto_DataType_DOUBLE:
      c.values = raw ? from_raw<double>(tensor.raw_data(), n, where) : from_field(tensor.double_data(), n, where);
      break;
    case ::onnx::TensorProto_DataType_INT32:
      c.values = raw ? from_raw<int32_t>(tensor.raw_data(), n, where) : from_field(tensor.int32_data(), n, where);
      break;
    case ::onnx::TensorProto_DataType_INT64:
      c.values = raw ? from_raw<int64_t>(tensor.raw_data(), n, where) : from_field(tensor.int64_data(), n, where);
      break;
    default:
      throw ImportError(where + ": element type " + std::to_string(tensor.data_type()) +
                        " is not supported (float, double, int32, int64)");
  }
  for (double v : c.values)
    if (!std::isfinite(v)) throw ImportError(where + ": holds a non-finite value");
  return c;
}

NodeContext::NodeContext(const ::onnx::NodeProto& node, int index, int opset,
                         const std::map<std::string, model::TensorId>& activations,
                         const std::map<std::string, Constant>& constants, const model::Graph& graph)
    : node_(node), index_(index), opset_(opset), activations_(activations), constants_(constants), graph_(graph) {}

std::string NodeContext::where() const {
  return "node " + std::to_string(index_) + " '" + node_.name() + "' (" + node_.op_type() + ")";
}

void NodeContext::fail(const std::string& reason) const { throw ImportError(where() + ": " + reason); }

bool NodeContext::is_constant(int k) const { return has_input(k) && constants_.count(node_.input(k)) > 0; }

model::TensorId NodeContext::activation(int k) const {
  if (!has_input(k)) fail("input " + std::to_string(k) + " is missing");
  if (is_constant(k)) fail("input " + std::to_string(k) + " '" + node_.input(k) + "' must be computed, not a constant");
  const auto it = activations_.find(node_.input(k));
  if (it == activations_.end())
    fail("input " + std::to_string(k) + " '" + node_.input(k) + "' is not produced by a supported node");
  return it->second;
}

const model::Shape& NodeContext::activation_shape(int k) const {
  return graph_.tensors[static_cast<std::size_t>(activation(k))].shape;
}

const Constant& NodeContext::constant(int k) const {
  if (!has_input(k)) fail("input " + std::to_string(k) + " is missing");
  const auto it = constants_.find(node_.input(k));
  if (it == constants_.end())
    fail("input " + std::to_string(k) + " '" + node_.input(k) + "' must be a constant (initializer or Constant node)");
  return it->second;
}

const ::onnx::AttributeProto* NodeContext::find(const std::string& name) const {
  for (const auto& a : node_.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

const ::onnx::AttributeProto& NodeContext::typed(const std::string& name,
                                                 ::onnx::AttributeProto_AttributeType type) const {
  const auto* a = find(name);
  if (a->type() != type) fail("attribute '" + name + "' has the wrong type");
  return *a;
}

int64_t NodeContext::attribute_int(const std::string& name, int64_t fallback) const {
  return find(name) ? typed(name, ::onnx::AttributeProto_AttributeType_INT).i() : fallback;
}

float NodeContext::attribute_float(const std::string& name, float fallback) const {
  return find(name) ? typed(name, ::onnx::AttributeProto_AttributeType_FLOAT).f() : fallback;
}

std::string NodeContext::attribute_string(const std::string& name, const std::string& fallback) const {
  return find(name) ? typed(name, ::onnx::AttributeProto_AttributeType_STRING).s() : fallback;
}

std::optional<std::vector<int64_t>> NodeContext::attribute_ints(const std::string& name) const {
  if (!find(name)) return std::nullopt;
  const auto& a = typed(name, ::onnx::AttributeProto_AttributeType_INTS);
  return std::vector<int64_t>(a.ints().begin(), a.ints().end());
}

void NodeContext::allow_attributes(std::initializer_list<const char*> known) const {
  for (const auto& a : node_.attribute()) {
    bool ok = false;
    for (const char* k : known) ok = ok || a.name() == k;
    if (!ok) fail("attribute '" + a.name() + "' is not supported");
  }
}

}  // namespace twain::onnx
