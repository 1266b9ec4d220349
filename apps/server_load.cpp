#include "server_load.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include "core/errors.hpp"
#include "engine/model_file.hpp"
#include "engine/model_loader.hpp"
#include "engine/options.hpp"
#include "model/quantize.hpp"
#include "client_run.hpp"
#include "model_card.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <optional>

namespace twain::apps {

std::vector<OptionSpec> server_option_specs() {
  return {{"--model"},     {"--bits"},         {"--frac"},          {"--weight-bits"},           {"--kernel-cache-mib"},
          {"--max-topk"},  {"--allow-logits", false}, {"--send-names", false}, {"--min-statistical-bits"},
          {"--max-images"}};
}

engine::ModelPolicy model_policy(const CliOptions& options, bool one_user) {
  engine::ModelPolicy p;
  const auto cache_mib = static_cast<std::size_t>(options.integer(
      "--kernel-cache-mib", static_cast<int64_t>(engine::kDefaultKernelCacheBytes >> 20), 0, int64_t{1} << 30));
  p.kernel_cache_bytes = cache_mib << 20;
  const int64_t asked_topk = one_user ? options.integer("--topk", 5, 1, engine::kMaxTopK) : 5;
  p.max_top_k = static_cast<int>(options.integer("--max-topk", std::max<int64_t>(5, asked_topk), 1, engine::kMaxTopK));
  p.allow_logits = options.has("--allow-logits") || (one_user && options.has("--logits"));
  p.send_names = options.has("--send-names");
  // local and bench run every image they are given in one session.
  p.max_inferences = static_cast<uint64_t>(options.integer(
      "--max-images", one_user && (options.has("--image") || options.has("--image-dir")) ? static_cast<int64_t>(image_files(options).size()) : 1,
      1, static_cast<int64_t>(engine::kMaxInferences)));
  p.min_statistical_bits = static_cast<int>(
      options.integer("--min-statistical-bits", engine::kDefaultMinStatisticalBits, 1, he::kStatisticalSecurityBits));
  return p;
}

model::QuantizedGraph load_server_graph(const CliOptions& options) {
  const int bits = static_cast<int>(options.integer("--bits", engine::kDefaultRingBits, 24, 48));
  const int frac = static_cast<int>(options.integer("--frac", engine::kDefaultFracBits, 1, 20));
  std::optional<int> weight_bits;
  if (options.has("--weight-bits"))
    weight_bits = static_cast<int>(options.integer("--weight-bits", 0, 0, model::kMaxWeightBits));
  return engine::load_quantized_model(options.required("--model"), bits, frac, weight_bits);
}

engine::ServerModel load_server_model(const CliOptions& options, std::ostream& log, bool one_user) {
  const std::string file = options.required("--model");
  engine::ModelPolicy policy = model_policy(options, one_user);
  if (engine::is_model_file(file)) {
    for (const char* fixed : {"--bits", "--frac", "--weight-bits", "--kernel-cache-mib"})
      if (options.has(fixed))
        throw InvalidArgument(std::string(fixed) + " is fixed when a model file is made: " + file +
                              " keeps what `twain prepare` was given; prepare it again to change it");
    engine::ModelFileServing serving;
    serving.max_top_k = policy.max_top_k;
    serving.allow_logits = policy.allow_logits;
    serving.send_names = policy.send_names;
    if (options.has("--max-images")) serving.max_inferences = policy.max_inferences;
    if (options.has("--min-statistical-bits")) serving.min_statistical_bits = policy.min_statistical_bits;
    const auto start = std::chrono::steady_clock::now();
    engine::ServerModel model = engine::load_model_file(file, serving);
    log << "model file " << file << " (l = " << model.graph().ring_bits << ", f = " << model.graph().frac_bits
        << "): " << model.graph().ops.size() << " ops, mapped and checked in "
        << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s; kernels "
        << (model.kernel_bytes() >> 20) << " MiB in the shared mapping";
    if (model.on_demand_layers() > 0) log << " (" << model.on_demand_layers() << " layer(s) transform theirs on use)";
    log << "; sessions of "
        << model.policy().max_inferences << " inference(s) reach " << model.flooding().statistical_bits
        << " bits of statistical security (" << model.flooding().responses << " HE responses)\n";
    return model;
  }
  const auto cache_mib = policy.kernel_cache_bytes >> 20;
  engine::ServerModel model(load_server_graph(options), make_card(file), policy);
  log << "model " << file << " (l = " << model.graph().ring_bits << ", f = " << model.graph().frac_bits << "): " << model.graph().ops.size()
      << " ops, preprocessed in " << model.preprocess_seconds() << " s; kernels keep "
      << (model.kernel_bytes() >> 20) << " MiB";
  if (model.on_demand_layers() > 0)
    log << " (" << model.on_demand_layers() << " convolution(s) beyond --kernel-cache-mib " << cache_mib
        << " transform their kernels on use)";
  log << "; sessions reach " << model.flooding().statistical_bits << " bits of statistical security ("
      << model.flooding().responses << " HE responses)\n";
  return model;
}

uint64_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;
}

uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace twain::apps
