// twain bench: both parties in one command over loopback TCP (optionally shaped as a LAN or WAN
// link), every phase timed, the result checked against the fixed-point evaluator when asked;
// --accuracy N runs N real Fashion-MNIST test images through separate secure sessions.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <thread>

#include "client_run.hpp"
#include "loopback_run.hpp"
#include "commands.hpp"
#include "core/errors.hpp"
#include "core/prg.hpp"
#include "engine/model_file.hpp"
#include "engine/model_loader.hpp"
#include "fashion_mnist.hpp"
#include "model/fixed_evaluator.hpp"
#include "model/float_evaluator.hpp"
#include "model/passes.hpp"
#include "onnx/importer.hpp"
#include "model/quantize.hpp"
#include "model/ring.hpp"
#include "net/link_shaping.hpp"
#include "net/tcp_channel.hpp"
#include "server_load.hpp"
#include "session_report.hpp"

namespace twain::apps {
namespace {

std::vector<float> seeded_image(const model::QuantizedGraph& graph) {
  core::Prg prg(core::Seed{7});
  std::vector<float> image(static_cast<std::size_t>(model::element_count(graph.tensors[graph.input].shape)));
  for (float& v : image) v = static_cast<float>(prg.next_u64() % 4001) / 1000.0f - 2.0f;
  return image;
}

// The largest difference (units of 2^-f) between the secure result (the revealed logits, or the
// top-k values) and the fixed-point evaluator; 0 in exact mode. Also whether top-1 agrees.
std::pair<int64_t, bool> compare_fixed(const ClientRun& run, const engine::ServerModel& model) {
  const model::QuantizedGraph& g = model.graph();
  const std::vector<uint64_t> fixed = model::evaluate_fixed(g, model::quantize_input(g, run.images.at(0).image));
  int64_t largest = 0;
  std::size_t best = 0;
  for (std::size_t i = 1; i < fixed.size(); ++i)
    if (model::to_signed(fixed[i], g.ring_bits) > model::to_signed(fixed[best], g.ring_bits)) best = i;
  const auto deviation = [&](std::size_t i, int64_t value) {
    largest = std::max(largest, std::abs(value - model::to_signed(fixed[i], g.ring_bits)));
  };
  const engine::InferenceResult& result = run.first();
  for (const engine::ClassScore& c : result.top) deviation(c.index, c.value);
  for (std::size_t i = 0; i < result.logits.size(); ++i) deviation(i, result.logits[i]);
  return {largest, !result.top.empty() && result.top[0].index == best};
}

std::vector<float> normalised(const std::vector<uint8_t>& pixels, const ModelCard& card) {
  std::vector<float> image(pixels.size());
  for (std::size_t p = 0; p < image.size(); ++p)
    image[p] = (pixels[p] * card.spec.scale - card.spec.mean[0]) / card.spec.std[0];
  return image;
}

template <class T>
std::size_t argmax(const std::vector<T>& v) {
  return static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

// Secure top-1 on the first N test images (one session each); float and fixed-point top-1 on
// all 10,000 (plaintext, fast), so the three accuracies can be compared.
int accuracy(const engine::ServerModel& model, const CliOptions& options, const std::optional<net::LinkProfile>& link) {
  const auto count = static_cast<std::size_t>(options.integer("--accuracy", 0, 1, 10000));
  // --accuracy-from K: the secure inferences run on images [K, K + N), so parts can run in parallel.
  const auto from = static_cast<std::size_t>(options.integer("--accuracy-from", 0, 0, 10000 - static_cast<int64_t>(count)));
  const LabelledImages data = load_fashion_mnist_test(0);
  const ModelCard card = parse_card(model.card(), model.graph());
  const model::QuantizedGraph& g = model.graph();
  const model::Graph float_graph = model::optimize(onnx::load_model(options.required("--model")));
  std::size_t float_correct = 0, fixed_correct = 0, secure_correct = 0, fixed_on_secure_set = 0, agree = 0;
  std::vector<std::size_t> fixed_top1(data.images.size());
  for (std::size_t i = 0; i < data.images.size(); ++i) {
    const std::vector<float> image = normalised(data.images[i], card);
    std::vector<int64_t> fixed;
    for (uint64_t v : model::evaluate_fixed(g, model::quantize_input(g, image))) fixed.push_back(model::to_signed(v, g.ring_bits));
    fixed_top1[i] = argmax(fixed);
    fixed_correct += fixed_top1[i] == data.labels[i];
    float_correct += argmax(model::evaluate_float(float_graph, image)) == data.labels[i];
  }
  double seconds = 0;
  for (std::size_t i = from; i < from + count; ++i) {
    const std::vector<float> image = normalised(data.images[i], card);
    const LoopbackRun run = run_loopback(model, options, link, &image);
    seconds += run.seconds;
    const std::size_t secure = run.client.first().top.at(0).index;
    secure_correct += secure == data.labels[i];
    fixed_on_secure_set += fixed_top1[i] == data.labels[i];
    agree += secure == fixed_top1[i];
    std::cerr << "\r\033[Kaccuracy: " << i + 1 - from << "/" << count << " secure inferences, " << secure_correct
              << " correct, " << agree << " equal to fixed point" << std::flush;
  }
  std::cerr << "\r\033[K";
  const auto pct = [](std::size_t k, std::size_t n) { return 100.0 * static_cast<double>(k) / static_cast<double>(n); };
  std::cout << std::fixed << std::setprecision(2) << "Fashion-MNIST t10k:\n  float top-1 accuracy, all "
            << data.images.size() << " images: " << pct(float_correct, data.images.size())
            << "%\n  fixed-point top-1 accuracy, all " << data.images.size() << " images: "
            << pct(fixed_correct, data.images.size()) << "%\n  secure top-1 accuracy, images " << from << ".." << from + count - 1
            << ": " << pct(secure_correct, count) << "% (fixed point on the same images: "
            << pct(fixed_on_secure_set, count) << "%)\n  secure top-1 equals fixed-point top-1 on " << agree << " of "
            << count << "\n  mean end-to-end time per secure inference " << seconds / static_cast<double>(count)
            << " s\n";
  if (options.has("--json"))
    write_json(options.required("--json"), {{"images_plaintext", data.images.size()},
                                            {"float_accuracy", pct(float_correct, data.images.size())},
                                            {"fixed_accuracy", pct(fixed_correct, data.images.size())},
                                            {"images_secure", count},
                                            {"images_secure_from", from},
                                            {"secure_accuracy", pct(secure_correct, count)},
                                            {"fixed_accuracy_same_images", pct(fixed_on_secure_set, count)},
                                            {"secure_equals_fixed", agree},
                                            {"mean_end_to_end_s", seconds / static_cast<double>(count)}});
  return agree == count ? 0 : 1;
}

}  // namespace

int command_bench(const std::vector<std::string>& args) {
  auto specs = client_option_specs();
  for (const OptionSpec& spec : server_option_specs()) specs.push_back(spec);
  for (const char* name : {"--net", "--accuracy", "--accuracy-from"}) specs.push_back({name});
  specs.push_back({"--check", false});
  const CliOptions options("bench", args, specs);
  std::optional<net::LinkProfile> link;
  if (options.has("--net")) {
    link = net::parse_link_profile(options.required("--net"));
    if (!link) throw InvalidArgument("--net must be lan or wan, got '" + options.required("--net") + "'");
  }
  const std::string file = options.required("--model");
  // The fixed-point and float references need the weights, which a model file keeps in its layers.
  if ((options.has("--check") || options.has("--accuracy")) && engine::is_model_file(file))
    throw InvalidArgument("bench: --check and --accuracy compare with the evaluators, which need the ONNX model, not " +
                          file);
  std::cout << std::fixed << std::setprecision(3);
  const engine::ServerModel model = load_server_model(options, std::cout, true);
  if (options.has("--accuracy")) return accuracy(model, options, link);
  const std::vector<float> random = seeded_image(model.graph());
  const auto [run, seconds] = run_loopback(model, options, link, options.has("--image") ? nullptr : &random);
  const engine::SessionReport& r = run.first().report;
  std::cout << "per op (client's view):\n";
  print_steps(std::cout, r);
  std::cout << "end to end " << seconds << " s (" << options.get("--mode", "exact") << " mode, "
            << options.get("--threads", "1") << " thread(s) per party, link " << options.get("--net", "loopback")
            << ")\n";
  nlohmann::json json{{"model", file},
                      {"mode", options.get("--mode", "exact")},
                      {"threads", options.integer("--threads", 1, 1, engine::kMaxThreads)},
                      {"net", options.get("--net", "loopback")},
                      {"end_to_end_s", seconds},
                      {"preprocess_s", model.preprocess_seconds()},
                      {"kernel_bytes", model.kernel_bytes()},
                      {"setup_s", r.setup.seconds},
                      {"offline_s", r.offline.seconds},
                      {"online_s", r.online.seconds}};
  uint64_t bytes = 0, rounds = 0;
  for (const engine::PhaseReport* p : {&r.setup, &r.offline, &r.online}) {
    bytes += p->traffic.bytes_sent + p->traffic.bytes_received;
    rounds += p->traffic.rounds;
  }
  json["bytes_total"] = bytes;
  json["rounds"] = rounds;
  // Both parties live in this process, so this bounds each party's peak from above.
  const uint64_t peak = peak_rss_bytes();
  json["peak_rss_bytes_both_parties"] = peak;
  std::cout << "bytes both directions, all phases: " << bytes << " (" << std::setprecision(1)
            << static_cast<double>(bytes) / (1024.0 * 1024.0) << " MiB), rounds " << rounds
            << ", peak resident memory of both parties together " << (peak >> 20) << " MiB\n"
            << std::setprecision(3);
  if (options.has("--check")) {
    const auto [deviation, top1] = compare_fixed(run, model);
    const bool exact = options.get("--mode", "exact") == "exact";
    json["top1_matches_fixed"] = top1;
    json["max_deviation_from_fixed"] = deviation;
    if (exact) json["exact_match"] = deviation == 0;
    std::cout << "against the fixed-point evaluator: largest difference " << deviation << " unit(s) of 2^-"
              << model.graph().frac_bits << (exact ? (deviation == 0 ? " (bit-exact)" : " (NOT bit-exact)") : " (fast mode)")
              << ", top-1 " << (top1 ? "equal" : "DIFFERENT") << "\n";
    report_client(run, options, json);
    return (exact && deviation != 0) ? 1 : 0;
  }
  return report_client(run, options, json);
}

}  // namespace twain::apps
