#include "client_run.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "core/errors.hpp"
#include "image_input.hpp"
#include "net/link_shaping.hpp"
#include "progress.hpp"
#include "server_load.hpp"
#include "session_report.hpp"

namespace twain::apps {

std::vector<OptionSpec> client_option_specs() {
  return {{"--image", true, true}, {"--image-dir"}, {"--prepare"}, {"--topk"},   {"--labels"},  {"--spec"},
          {"--mode"},              {"--ot"},        {"--logits", false}, {"--threads"}, {"--json"}};
}

std::vector<std::string> image_files(const CliOptions& options) {
  std::vector<std::string> files = options.all("--image");
  if (options.has("--image-dir")) {
    const std::filesystem::path dir = options.required("--image-dir");
    std::error_code error;
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
      std::string ext = entry.path().extension().string();
      for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (entry.is_regular_file() && (ext == ".png" || ext == ".jpg" || ext == ".jpeg")) found.push_back(entry.path());
      if (found.size() > engine::kMaxInferences) break;
    }
    if (error) throw InvalidArgument("--image-dir " + dir.string() + ": " + error.message());
    if (found.empty()) throw InvalidArgument("--image-dir " + dir.string() + " holds no PNG or JPEG file");
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  if (files.empty()) throw InvalidArgument("no image: give --image FILE (repeatable) or --image-dir DIR");
  if (files.size() > engine::kMaxInferences)
    throw InvalidArgument(std::to_string(files.size()) + " images; a session carries at most " +
                          std::to_string(engine::kMaxInferences));
  return files;
}

const engine::InferenceResult& ClientRun::first() const {
  const ImageRun& run = images.at(0);
  if (!run.result) throw InvalidArgument(run.name + ": " + run.error);
  return *run.result;
}

std::optional<std::string> expected_model(const CliOptions& options) {
  if (!options.has("--expect-model")) return std::nullopt;
  std::string text = options.required("--expect-model");
  bool ok = text.size() == 64;
  for (char& c : text) {
    ok = ok && std::isxdigit(static_cast<unsigned char>(c)) != 0;
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (!ok) throw InvalidArgument("--expect-model must be the 64 hex digits of a model fingerprint, got '" + text + "'");
  return text;
}

engine::SessionOptions session_options(const CliOptions& options) {
  engine::SessionOptions s;
  const std::string mode = options.get("--mode", "exact");
  if (mode != "exact" && mode != "fast") throw InvalidArgument("--mode must be fast or exact, got '" + mode + "'");
  s.mode = mode == "exact" ? nonlinear::TruncMode::kExact : nonlinear::TruncMode::kFast;
  const std::string ot = options.get("--ot", "auto");
  if (ot != "auto" && ot != "ferret" && ot != "iknp")
    throw InvalidArgument("--ot must be auto, ferret or iknp, got '" + ot + "'");
  s.choose_backend = ot == "auto";
  s.backend = ot == "iknp" ? nonlinear::Backend::kIknp : nonlinear::Backend::kFerret;
  s.top_k = static_cast<int>(options.integer("--topk", 5, 1, engine::kMaxTopK));
  s.reveal_logits = options.has("--logits");
  if (options.has("--net")) {
    const auto link = net::parse_link_profile(options.required("--net"));
    if (!link) throw InvalidArgument("--net must be lan or wan, got '" + options.required("--net") + "'");
    s.link.bits_per_second = link->bandwidth_bits_per_second;
    s.link.one_way_latency_s = std::chrono::duration<double>(link->one_way_latency).count();
  }
  return s;
}

ClientRun run_client(net::Channel& channel, const CliOptions& options, const std::vector<float>* image) {
  const int threads = static_cast<int>(options.integer("--threads", 1, 1, engine::kMaxThreads));
  // Checked before connecting: a wrong list fails at once.
  const std::vector<std::string> files = image != nullptr ? std::vector<std::string>{"input"} : image_files(options);
  const auto ahead = static_cast<uint64_t>(options.integer("--prepare", 1, 1, static_cast<int64_t>(engine::kMaxPreparedAhead)));
  const auto start = std::chrono::steady_clock::now();
  engine::ClientSession session(channel, session_options(options), threads);
  ClientRun run;
  run.fingerprint = session.fingerprint();
  // Before anything is sent: the request would already tell the server what the client wants.
  const auto expected = expected_model(options);
  if (expected && *expected != run.fingerprint) {
    throw PolicyError("the server's model has fingerprint " + run.fingerprint + ", not the expected " + *expected +
                      " (--expect-model); nothing was sent to it");
  }
  run.graph = session.model();
  run.card = parse_card(session.card(), run.graph);
  if (options.has("--spec")) run.card.spec = PreprocessSpec::load(options.required("--spec"));
  if (options.has("--labels")) run.card.labels = load_labels(options.required("--labels"));
  if (files.size() > session.policy().max_inferences)
    throw PolicyError("the server allows " + std::to_string(session.policy().max_inferences) +
                      " inference(s) per session (its --max-images), " + std::to_string(files.size()) +
                      " images were given; nothing was sent to it");
  // Material for the next `ahead` images (at most those left), before each image is needed.
  const auto top_up = [&](std::size_t next) {
    const uint64_t left = files.size() - next;
    const uint64_t want = std::min<uint64_t>(ahead, left);
    if (want > session.prepared()) session.prepare(want - session.prepared());
  };
  top_up(0);
  for (std::size_t i = 0; i < files.size(); ++i) {
    ImageRun& one = run.images.emplace_back();
    one.name = files[i];
    try {
      one.image = image != nullptr ? *image : load_image(files[i], run.card.spec);
    } catch (const std::exception& e) {
      if (files.size() == 1) throw;
      one.error = e.what();
      continue;
    }
    const std::string label =
        files.size() == 1 ? "secure inference" : "image " + std::to_string(i + 1) + "/" + std::to_string(files.size());
    ProgressBar bar(stderr, label);
    one.result = session.infer(one.image, [&](std::size_t done, std::size_t total, const std::string& op) {
      bar.update(done, total, op);
    });
    bar.finish();
    top_up(i + 1);
  }
  session.close();
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

namespace {

nlohmann::json image_json(const ImageRun& one, const ModelCard& card) {
  nlohmann::json j;
  j["image"] = one.name;
  if (!one.result) {
    j["error"] = one.error;
    return j;
  }
  j["top_k"] = top_json(*one.result, card);
  j["phases"] = phases_json(one.result->report);
  j["latency_seconds"] = one.result->report.online.seconds;
  return j;
}

}  // namespace

int report_client(const ClientRun& run, const CliOptions& options, nlohmann::json extra) {
  const engine::SessionReport* last = nullptr;
  int failed = 0;
  if (run.images.size() == 1) {
    const engine::InferenceResult& r = run.first();
    std::cout << "prediction (top " << r.top.size() << "):\n";
    print_top(std::cout, r, run.card);
    last = &r.report;
  } else {
    for (const ImageRun& one : run.images) {
      if (!one.result) {
        ++failed;
        std::cout << one.name << ": not run: " << one.error << "\n";
        continue;
      }
      const engine::InferenceResult& r = *one.result;
      const engine::ClassScore& best = r.top.at(0);
      std::cout << one.name << ": " << class_name(run.card, best.index) << " (index " << best.index << ", score "
                << std::ldexp(static_cast<double>(best.value), -r.frac_bits) << "); online "
                << r.report.online.seconds << " s, offline " << r.report.offline.seconds << " s behind it\n";
      last = &r.report;
    }
  }
  std::cout << "model fingerprint " << run.fingerprint << "\n";
  engine::SessionReport total;
  if (run.images.size() == 1) {
    std::cout << "client's view of the session:\n";
    print_phases(std::cout, *last);
  } else {
    for (const ImageRun& one : run.images) {
      if (!one.result) continue;
      total.setup += one.result->report.setup;
      total.offline += one.result->report.offline;
      total.online += one.result->report.online;
    }
    std::cout << "client's view of the session (" << run.images.size() - failed << " inferences, " << run.seconds
              << " s in all):\n";
    print_phases(std::cout, total);
  }
  if (last != nullptr)
    std::cout << "statistical security of the whole session: " << last->statistical_bits_session << " bits over "
              << last->flooded_responses << " HE responses\n";
  std::cout << "peak resident memory of this process: " << (peak_rss_bytes() >> 20) << " MiB\n";
  if (options.has("--json")) {
    if (run.images.size() == 1) {
      const engine::InferenceResult& r = run.first();
      extra["top_k"] = top_json(r, run.card);
      extra["phases"] = phases_json(r.report);
      extra["layers"] = steps_json(r.report);
    } else {
      // One record per image, and the session's phases summed over them.
      nlohmann::json images = nlohmann::json::array();
      for (const ImageRun& one : run.images) images.push_back(image_json(one, run.card));
      extra["images"] = images;
      extra["phases"] = phases_json(total);
      extra["session_seconds"] = run.seconds;
    }
    extra["model_fingerprint"] = run.fingerprint;
    extra["peak_rss_bytes"] = peak_rss_bytes();
    if (last != nullptr) {
      extra["statistical_bits_session"] = last->statistical_bits_session;
      extra["flooded_responses"] = last->flooded_responses;
    }
    write_json(options.required("--json"), extra);
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace twain::apps
