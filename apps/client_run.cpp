#include "client_run.hpp"

#include <cctype>
#include <iostream>

#include "core/errors.hpp"
#include "net/link_shaping.hpp"
#include "progress.hpp"
#include "server_load.hpp"
#include "session_report.hpp"

namespace twain::apps {

std::vector<OptionSpec> client_option_specs() {
  return {{"--image"}, {"--topk"},  {"--labels"},         {"--spec"}, {"--mode"},
          {"--ot"},    {"--logits", false}, {"--threads"}, {"--json"}};
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
  run.image = image != nullptr ? *image : load_image(options.required("--image"), run.card.spec);
  ProgressBar bar(stderr, "secure inference");
  run.result = session.infer(run.image, [&](std::size_t done, std::size_t total, const std::string& label) {
    bar.update(done, total, label);
  });
  bar.finish();
  return run;
}

int report_client(const ClientRun& run, const CliOptions& options, nlohmann::json extra) {
  std::cout << "prediction (top " << run.result.top.size() << "):\n";
  print_top(std::cout, run.result, run.card);
  std::cout << "model fingerprint " << run.fingerprint << "\n";
  std::cout << "client's view of the session:\n";
  print_phases(std::cout, run.result.report);
  std::cout << "statistical security of the whole session: " << run.result.report.statistical_bits_session
            << " bits over " << run.result.report.flooded_responses << " HE responses\n";
  std::cout << "peak resident memory of this process: " << (peak_rss_bytes() >> 20) << " MiB\n";
  if (options.has("--json")) {
    extra["top_k"] = top_json(run.result, run.card);
    extra["model_fingerprint"] = run.fingerprint;
    extra["phases"] = phases_json(run.result.report);
    extra["layers"] = steps_json(run.result.report);
    extra["peak_rss_bytes"] = peak_rss_bytes();
    extra["statistical_bits_session"] = run.result.report.statistical_bits_session;
    extra["flooded_responses"] = run.result.report.flooded_responses;
    write_json(options.required("--json"), extra);
  }
  return 0;
}

}  // namespace twain::apps
