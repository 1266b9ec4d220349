// twain.Model's C++ side: an ONNX file imported and quantised once, with its model card; every
// server and local run made from it starts from this graph (engine::ServerModel adds the policy
// and the preprocessed kernels).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <pybind11/pybind11.h>

#include "engine/server_model.hpp"
#include "model/quantized_graph.hpp"

namespace twain::python {

struct ModelCore {
  // engine::load_quantized_model and apps::make_card, as `twain serve --model` does.
  ModelCore(std::string path, int ring_bits, int frac_bits, std::optional<int> weight_bits);

  std::string path;
  int ring_bits, frac_bits;
  std::optional<int> weight_bits;
  model::QuantizedGraph graph;
  std::string card;  // JSON, or empty without preprocess.json next to the file

  // The model preprocessed under `policy`, kept for the next call with the same policy: local()
  // called again on one Model reuses its kernels instead of transforming them again.
  std::shared_ptr<const engine::ServerModel> served(const engine::ModelPolicy& policy);

 private:
  std::mutex mutex_;
  std::shared_ptr<const engine::ServerModel> served_;
  engine::ModelPolicy served_policy_;
};

// Binds ModelCore as _twain.Model and plain() as _twain.plain.
void register_model(pybind11::module_& module);

}  // namespace twain::python
