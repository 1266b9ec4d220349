// twain demo: secure inference of the embedded Fashion-MNIST model on the real test images
// shipped with it, predictions next to the true labels, each checked against the fixed-point
// evaluator (exact mode: equal bit for bit).
#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "core/errors.hpp"
#include "engine/model_loader.hpp"
#include "loopback_run.hpp"
#include "model/fixed_evaluator.hpp"
#include "model/quantize.hpp"
#include "model/ring.hpp"

namespace twain::apps {
namespace {

// "0002_trouser.png" -> "trouser"; the label part of the shipped images' names.
std::string true_label(const std::filesystem::path& image) {
  const std::string stem = image.stem().string();
  const auto underscore = stem.find('_');
  return underscore == std::string::npos ? "?" : stem.substr(underscore + 1);
}

// "T-shirt/top" -> "t-shirt-top": labels as the file names spell them.
std::string slug(const std::string& label) {
  std::string s;
  for (char c : label) s += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '-';
  return s;
}

bool equals_fixed(const ClientRun& run, const model::QuantizedGraph& graph) {
  const std::vector<uint64_t> fixed = model::evaluate_fixed(graph, model::quantize_input(graph, run.images.at(0).image));
  for (const engine::ClassScore& c : run.first().top)
    if (c.value != model::to_signed(fixed[c.index], graph.ring_bits)) return false;
  return true;
}

}  // namespace

int command_demo(const std::vector<std::string>& args) {
  const CliOptions options("demo", args, {{"--model"}, {"--images"}, {"--mode"}, {"--ot"}, {"--threads"}});
  const std::filesystem::path file = options.get("--model", "models/fashion_mnist/model.onnx");
  const std::filesystem::path dir = options.get("--images", (file.parent_path() / "images").string());
  std::vector<std::filesystem::path> images;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".png") images.push_back(entry.path());
  std::sort(images.begin(), images.end());
  if (images.empty()) throw InvalidArgument("no .png images in " + dir.string());
  const engine::ServerModel model(engine::load_quantized_model(file), make_card(file));
  std::cout << "twain demo: " << file.string() << " (" << model.graph().ops.size() << " ops, l = "
            << model.graph().ring_bits << ", f = " << model.graph().frac_bits << "), " << images.size()
            << " real test images; server and client over loopback TCP, one session per image\n\n"
            << std::left << std::setw(24) << "image" << std::setw(14) << "true label" << std::setw(14) << "secure"
            << std::right << std::setw(9) << "score" << std::setw(10) << "online s" << std::setw(10) << "total s"
            << std::setw(10) << "MiB" << "  = fixed point\n";
  std::size_t correct = 0, exact = 0;
  for (const auto& image : images) {
    std::vector<std::string> words{"--image", image.string(), "--topk", "1"};
    for (const char* name : {"--mode", "--ot", "--threads"})
      if (options.has(name)) words.insert(words.end(), {name, options.required(name)});
    const CliOptions query("demo", words, client_option_specs());
    const LoopbackRun run = run_loopback(model, query, std::nullopt, nullptr);
    const engine::InferenceResult& r = run.client.first();
    const std::string predicted = class_name(run.client.card, r.top.at(0).index);
    const engine::SessionReport& rep = r.report;
    const double mib = static_cast<double>(rep.setup.traffic.bytes_sent + rep.setup.traffic.bytes_received +
                                           rep.offline.traffic.bytes_sent + rep.offline.traffic.bytes_received +
                                           rep.online.traffic.bytes_sent + rep.online.traffic.bytes_received) /
                       (1024.0 * 1024.0);
    const bool same = equals_fixed(run.client, model.graph());
    correct += slug(predicted) == true_label(image);
    exact += same;
    std::cout << std::left << std::setw(24) << image.filename().string() << std::setw(14) << true_label(image)
              << std::setw(14) << predicted << std::right << std::fixed << std::setprecision(3) << std::setw(9)
              << std::ldexp(static_cast<double>(r.top[0].value), -r.frac_bits) << std::setw(10) << rep.online.seconds
              << std::setw(10) << run.seconds << std::setw(10) << std::setprecision(1) << mib << "  "
              << (same ? "yes" : "NO") << "\n";
  }
  std::cout << "\n" << correct << " of " << images.size() << " predicted correctly; " << exact << " of "
            << images.size() << " equal to the fixed-point evaluator\n";
  return exact == images.size() ? 0 : 1;
}

}  // namespace twain::apps
