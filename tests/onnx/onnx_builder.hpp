// Builds small ONNX models in memory with the protobuf API (tests only), and reads the tensors of
// Debian's libonnx-testdata.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace twain::onnx::testing {

inline void set_dims(::onnx::TypeProto* type, const std::vector<int64_t>& dims) {
  auto* tensor = type->mutable_tensor_type();
  tensor->set_elem_type(::onnx::TensorProto_DataType_FLOAT);
  auto* shape = tensor->mutable_shape();
  shape->clear_dim();
  for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
}

class ModelBuilder {
 public:
  explicit ModelBuilder(int opset = 13) {
    model_.set_ir_version(8);
    model_.set_producer_name("twain-tests");
    auto* o = model_.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    model_.mutable_graph()->set_name("test");
  }

  ::onnx::ValueInfoProto* input(const std::string& name, const std::vector<int64_t>& dims) {
    auto* v = graph()->add_input();
    v->set_name(name);
    set_dims(v->mutable_type(), dims);
    return v;
  }

  // The checker needs a shape; its dimensions are left symbolic ("d0", "d1", ...).
  void output(const std::string& name, int rank) {
    auto* v = graph()->add_output();
    v->set_name(name);
    auto* tensor = v->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(::onnx::TensorProto_DataType_FLOAT);
    for (int k = 0; k < rank; ++k) {
      std::string name = "d";  // (GCC 12 warns falsely on "d" + std::to_string(k))
      name += std::to_string(k);
      tensor->mutable_shape()->add_dim()->set_dim_param(name);
    }
  }

  ::onnx::TensorProto* initializer(const std::string& name, const std::vector<int64_t>& dims,
                                   const std::vector<float>& values) {
    auto* t = graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(::onnx::TensorProto_DataType_FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float v : values) t->add_float_data(v);
    return t;
  }

  void int_initializer(const std::string& name, const std::vector<int64_t>& values) {
    auto* t = graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(::onnx::TensorProto_DataType_INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
  }

  ::onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs,
                          const std::vector<std::string>& outputs, const std::string& name = "") {
    auto* n = graph()->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? op + "_" + std::to_string(graph()->node_size()) : name);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return n;
  }

  ::onnx::GraphProto* graph() { return model_.mutable_graph(); }
  ::onnx::ModelProto& model() { return model_; }
  std::string bytes() const { return model_.SerializeAsString(); }

 private:
  ::onnx::ModelProto model_;
};

inline void attr_int(::onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto_AttributeType_INT);
  a->set_i(v);
}

inline void attr_float(::onnx::NodeProto* n, const std::string& name, float v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto_AttributeType_FLOAT);
  a->set_f(v);
}

inline void attr_ints(::onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto_AttributeType_INTS);
  for (int64_t x : v) a->add_ints(x);
}

inline void attr_string(::onnx::NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto_AttributeType_STRING);
  a->set_s(v);
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Float values of a serialised TensorProto (float_data or raw_data).
inline std::vector<float> tensor_values(const ::onnx::TensorProto& t) {
  if (t.has_raw_data()) {
    std::vector<float> v(t.raw_data().size() / sizeof(float));
    std::copy_n(t.raw_data().data(), v.size() * sizeof(float), reinterpret_cast<char*>(v.data()));
    return v;
  }
  return {t.float_data().begin(), t.float_data().end()};
}

}  // namespace twain::onnx::testing
