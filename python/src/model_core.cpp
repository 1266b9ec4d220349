#include "model_core.hpp"

#include <algorithm>
#include <cmath>

#include <pybind11/stl.h>

#include "engine/model_loader.hpp"
#include "image_source.hpp"
#include "model/fixed_evaluator.hpp"
#include "model/float_evaluator.hpp"
#include "model/passes.hpp"
#include "model/quantize.hpp"
#include "model_card.hpp"
#include "onnx/importer.hpp"

namespace py = pybind11;

namespace twain::python {

ModelCore::ModelCore(std::string file, int bits, int frac, std::optional<int> weights)
    : path(std::move(file)),
      ring_bits(bits),
      frac_bits(frac),
      weight_bits(weights),
      graph(engine::load_quantized_model(path, bits, frac, weights)),
      card(apps::make_card(path)) {}

std::shared_ptr<const engine::ServerModel> ModelCore::served(const engine::ModelPolicy& policy) {
  std::lock_guard lock(mutex_);
  const auto same = [](const engine::ModelPolicy& a, const engine::ModelPolicy& b) {
    return a.kernel_cache_bytes == b.kernel_cache_bytes && a.max_top_k == b.max_top_k &&
           a.allow_logits == b.allow_logits && a.send_names == b.send_names &&
           a.statistical_bits == b.statistical_bits && a.min_statistical_bits == b.min_statistical_bits;
  };
  if (!served_ || !same(policy, served_policy_)) {
    served_.reset();  // the old kernels go before the new ones are made
    served_ = std::make_shared<const engine::ServerModel>(graph, card, policy);
    served_policy_ = policy;
  }
  return served_;
}

namespace {

// (index, label, score) best first, the first k of them; ties keep the lower index first.
py::list ranking(const std::vector<double>& scores, std::size_t k, const apps::ModelCard& card) {
  std::vector<std::size_t> order(scores.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  py::list top;
  for (std::size_t r = 0; r < std::min(k, order.size()); ++r)
    top.append(py::make_tuple(order[r], apps::class_name(card, order[r]), scores[order[r]]));
  return top;
}

struct PlainOutcome {
  std::vector<double> floats, fixed;
  apps::ModelCard card;
};

// What `twain plain` computes: the float graph after the passes, and its quantisation to the
// model's (l, f) run by the fixed-point evaluator.
PlainOutcome plain(const ModelCore& model, const ImageSource& image) {
  const model::Graph graph = model::optimize(onnx::load_model(model.path));
  const model::QuantizedGraph quantized = model::quantize(graph, model.ring_bits, model.frac_bits);
  PlainOutcome out;
  out.card = apps::parse_card(model.card, quantized);
  const std::vector<float> input = model_input(image, out.card.spec, quantized);
  const std::vector<float> floats = model::evaluate_float(graph, input);
  out.floats.assign(floats.begin(), floats.end());
  const std::vector<uint64_t> fixed = model::evaluate_fixed(quantized, model::quantize_input(quantized, input));
  out.fixed = model::dequantize(fixed, model.ring_bits, model.frac_bits);
  return out;
}

}  // namespace

void register_model(py::module_& module) {
  py::class_<ModelCore>(module, "Model", py::dynamic_attr(), "An ONNX model imported and quantised (C++ side).")
      .def(py::init([](const std::string& path, int bits, int frac, std::optional<int> weight_bits) {
             py::gil_scoped_release release;
             return std::make_unique<ModelCore>(path, bits, frac, weight_bits);
           }),
           py::arg("path"), py::arg("bits"), py::arg("frac"), py::arg("weight_bits"))
      .def_readonly("path", &ModelCore::path)
      .def_readonly("ring_bits", &ModelCore::ring_bits)
      .def_readonly("frac_bits", &ModelCore::frac_bits)
      .def_readonly("weight_bits", &ModelCore::weight_bits)
      .def_readonly("card", &ModelCore::card)
      .def_property_readonly("input_shape",
                             [](const ModelCore& m) {
                               const auto& shape = m.graph.tensors[static_cast<std::size_t>(m.graph.input)].shape;
                               return std::vector<int64_t>(shape.begin(), shape.end());
                             })
      .def_property_readonly("num_ops", [](const ModelCore& m) { return m.graph.ops.size(); })
      .def_property_readonly("labels", [](const ModelCore& m) { return apps::parse_card(m.card, m.graph).labels; });

  module.def(
      "plain",
      [](const ModelCore& model, const py::tuple& image, std::size_t k) {
        const ImageSource source = image_source(image);
        PlainOutcome out;
        {
          py::gil_scoped_release release;
          out = plain(model, source);
        }
        double largest = 0;
        for (std::size_t i = 0; i < out.floats.size(); ++i)
          largest = std::max(largest, std::fabs(out.floats[i] - out.fixed[i]));
        py::dict result;
        result["float_logits"] = out.floats;
        result["fixed_logits"] = out.fixed;
        result["float_top_k"] = ranking(out.floats, k, out.card);
        result["fixed_top_k"] = ranking(out.fixed, k, out.card);
        result["max_abs_difference"] = largest;
        return result;
      },
      py::arg("model"), py::arg("image"), py::arg("topk"), "The float and fixed-point references (C++ side).");
}

}  // namespace twain::python
