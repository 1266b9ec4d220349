#include "server_load.hpp"

#include <sys/resource.h>

#include "engine/model_loader.hpp"
#include "model_card.hpp"

namespace twain::apps {

std::vector<OptionSpec> server_option_specs() { return {{"--model"}, {"--bits"}, {"--frac"}, {"--kernel-cache-mib"}}; }

engine::ServerModel load_server_model(const CliOptions& options, std::ostream& log) {
  const std::string file = options.required("--model");
  const int bits = static_cast<int>(options.integer("--bits", engine::kDefaultRingBits, 24, 48));
  const int frac = static_cast<int>(options.integer("--frac", engine::kDefaultFracBits, 1, 20));
  const auto cache_mib = static_cast<std::size_t>(options.integer(
      "--kernel-cache-mib", static_cast<int64_t>(engine::kDefaultKernelCacheBytes >> 20), 0, int64_t{1} << 30));
  engine::ServerModel model(engine::load_quantized_model(file, bits, frac), make_card(file), cache_mib << 20);
  log << "model " << file << " (l = " << bits << ", f = " << frac << "): " << model.graph().ops.size()
      << " ops, preprocessed in " << model.preprocess_seconds() << " s; kernels keep "
      << (model.kernel_bytes() >> 20) << " MiB";
  if (model.on_demand_layers() > 0)
    log << " (" << model.on_demand_layers() << " convolution(s) beyond --kernel-cache-mib " << cache_mib
        << " transform their kernels on use)";
  log << "\n";
  return model;
}

uint64_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;
}

}  // namespace twain::apps
