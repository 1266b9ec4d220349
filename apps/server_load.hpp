// Loading the server's model from the command line (serve, local, bench): the options they share
// and the preprocessing, with the kernel memory it took.
#pragma once

#include <ostream>
#include <vector>

#include "cli_options.hpp"
#include "engine/server_model.hpp"

namespace twain::apps {

// --model, --bits, --frac and --kernel-cache-mib.
std::vector<OptionSpec> server_option_specs();

// Loads, quantises and preprocesses --model; writes one line on what it kept to `log`.
engine::ServerModel load_server_model(const CliOptions& options, std::ostream& log);

// This process's peak resident memory so far, in bytes.
uint64_t peak_rss_bytes();

}  // namespace twain::apps
