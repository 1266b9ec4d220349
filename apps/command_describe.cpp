// twain describe: the exact public description a client of `twain serve` would receive for a
// model under the same options, and its digests, without preprocessing any kernel.
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "core/errors.hpp"
#include "core/hash.hpp"
#include "engine/server_model.hpp"
#include "model_card.hpp"
#include "server_load.hpp"

namespace twain::apps {

int command_describe(const std::vector<std::string>& args) {
  auto specs = server_option_specs();
  specs.push_back({"--out"});
  const CliOptions options("describe", args, specs);
  const std::string file = options.required("--model");
  const model::QuantizedGraph graph = load_server_graph(options);
  const auto context = he::Context::create(he::Parameters::standard(graph.ring_bits));
  const engine::ServedDescription d = engine::describe_for_serving(graph, *context, model_policy(options, false));
  if (options.has("--out")) {
    const std::string out = options.required("--out");
    std::ofstream f(out, std::ios::binary);
    f.write(reinterpret_cast<const char*>(d.bytes.data()), static_cast<std::streamsize>(d.bytes.size()));
    if (!f) throw InvalidArgument("describe: cannot write " + out);
  }
  std::cout << "description: " << d.bytes.size() << " bytes, sha256 " << core::to_hex(core::sha256(d.bytes.data(), d.bytes.size()))
            << "\nmodel fingerprint (description and card): " << engine::model_fingerprint(d.bytes, make_card(file))
            << "\nstatistical security of a session: " << d.flooding.statistical_bits << " bits over "
            << d.flooding.responses << " HE responses (target " << d.policy.statistical_bits << ")\n"
            << "output policy: top " << d.policy.max_top_k << (d.policy.allow_logits ? ", logits allowed" : ", no logits")
            << "\n";
  return 0;
}

}  // namespace twain::apps
