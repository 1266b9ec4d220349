// twain plain: the float and fixed-point references on one image, no cryptography.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>

#include "cli_options.hpp"
#include "commands.hpp"
#include "engine/model_loader.hpp"
#include "model/fixed_evaluator.hpp"
#include "model/float_evaluator.hpp"
#include "model/passes.hpp"
#include "model/quantize.hpp"
#include "model/ring.hpp"
#include "model_card.hpp"
#include "onnx/importer.hpp"

namespace twain::apps {
namespace {

std::vector<std::size_t> ranking(const std::vector<double>& scores) {
  std::vector<std::size_t> order(scores.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  return order;
}

void print_ranking(const char* title, const std::vector<double>& scores, std::size_t k, const ModelCard& card) {
  std::cout << title << ":\n";
  const auto order = ranking(scores);
  for (std::size_t r = 0; r < std::min(k, order.size()); ++r)
    std::cout << "  " << r + 1 << ". " << std::left << std::setw(24) << class_name(card, order[r]) << std::right
              << " (index " << order[r] << ")  score " << std::fixed << std::setprecision(4) << scores[order[r]]
              << "\n";
}

}  // namespace

int command_plain(const std::vector<std::string>& args) {
  const CliOptions options("plain", args, {{"--model"}, {"--image"}, {"--topk"}, {"--spec"}, {"--bits"}, {"--frac"}});
  const std::string file = options.required("--model");
  const int bits = static_cast<int>(options.integer("--bits", engine::kDefaultRingBits, 24, 48));
  const int frac = static_cast<int>(options.integer("--frac", engine::kDefaultFracBits, 1, 20));
  const auto k = static_cast<std::size_t>(options.integer("--topk", 5, 1, 1000));
  const model::Graph graph = model::optimize(onnx::load_model(file));
  const model::QuantizedGraph quantized = model::quantize(graph, bits, frac);
  ModelCard card = parse_card(make_card(file), quantized);
  if (options.has("--spec")) card.spec = PreprocessSpec::load(options.required("--spec"));
  const std::vector<float> image = load_image(options.required("--image"), card.spec);
  const std::vector<float> floats = model::evaluate_float(graph, image);
  const std::vector<uint64_t> fixed = model::evaluate_fixed(quantized, model::quantize_input(quantized, image));
  const std::vector<double> fixed_scores = model::dequantize(fixed, bits, frac);
  print_ranking("float reference", std::vector<double>(floats.begin(), floats.end()), k, card);
  print_ranking(("fixed point (l = " + std::to_string(bits) + ", f = " + std::to_string(frac) + ")").c_str(),
                fixed_scores, k, card);
  double largest = 0;
  for (std::size_t i = 0; i < floats.size(); ++i) largest = std::max(largest, std::fabs(floats[i] - fixed_scores[i]));
  std::cout << "largest |float - fixed| over the " << floats.size() << " outputs: " << largest << "\n";
  return 0;
}

}  // namespace twain::apps
