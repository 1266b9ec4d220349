// twain prepare: the server's preprocessing done once and kept in a model file
// (engine/model_file.hpp) that `twain serve --model m.twain` maps instead of redoing it.
#include <chrono>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "core/errors.hpp"
#include "engine/model_file.hpp"
#include "server_load.hpp"

namespace twain::apps {

int command_prepare(const std::vector<std::string>& args) {
  auto specs = server_option_specs();
  specs.push_back({"--out"});
  const CliOptions options("prepare", args, specs);
  const std::string out = options.required("--out");
  if (engine::is_model_file(options.required("--model")))
    throw InvalidArgument("prepare: " + options.required("--model") + " is already a model file; give the ONNX model");
  const auto start = std::chrono::steady_clock::now();
  const engine::ServerModel model = load_server_model(options, std::cerr);
  engine::write_model_file(model, out);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "model file " << out << ": " << std::filesystem::file_size(out) << " bytes ("
            << (model.kernel_bytes() >> 20) << " MiB of kernels";
  if (model.on_demand_layers() > 0)
    std::cout << "; " << model.on_demand_layers() << " layer(s) beyond --kernel-cache-mib transform theirs on use";
  std::cout << "), written in " << seconds << " s\n"
            << "model fingerprint " << model.fingerprint() << " (under the output policy it was made with)\n"
            << "serve it with: twain serve --model " << out << " --port P\n";
  return 0;
}

}  // namespace twain::apps
