// Loading the server's model from the command line (serve, local, bench): the options they share
// and the preprocessing, with the kernel memory it took.
#pragma once

#include <ostream>
#include <vector>

#include "cli_options.hpp"
#include "engine/server_model.hpp"

namespace twain::apps {

// --model, --bits, --frac, --weight-bits, --kernel-cache-mib, --max-topk, --allow-logits,
// --send-names, --min-statistical-bits, --max-images.
std::vector<OptionSpec> server_option_specs();

// Loads, quantises and preprocesses --model (an ONNX file), or maps it (a model file of twain
// prepare); writes one line on what it kept to `log`. one_user: both parties belong to the one
// user of this command (local, bench), so the output policy allows what its client options ask
// for. Throws InvalidArgument for options a model file fixes.
engine::ServerModel load_server_model(const CliOptions& options, std::ostream& log, bool one_user = false);

// The policy of --kernel-cache-mib, --max-topk, --allow-logits, --send-names, --min-statistical-bits,
// --max-images (for one_user, the images the command was given).
engine::ModelPolicy model_policy(const CliOptions& options, bool one_user);

// --model imported and quantised under --bits, --frac and --weight-bits (no kernels prepared).
model::QuantizedGraph load_server_graph(const CliOptions& options);

// This process's peak resident memory so far, in bytes.
uint64_t peak_rss_bytes();
// The process's resident memory now (0 where /proc is not readable).
uint64_t resident_bytes();

}  // namespace twain::apps
