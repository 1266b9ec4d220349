// Both parties in one command: the server session on a thread, the client on the caller's,
// over loopback TCP (optionally shaped as a LAN or WAN link).
#pragma once

#include <optional>
#include <vector>

#include "client_run.hpp"
#include "engine/server_model.hpp"
#include "net/link_shaping.hpp"

namespace twain::apps {

struct LoopbackRun {
  ClientRun client;
  double seconds = 0;  // the client's wall time, connection to result
};

// image: the normalised input, or nullptr to load --image. Rethrows the server's error.
LoopbackRun run_loopback(const engine::ServerModel& model, const CliOptions& options,
                         const std::optional<net::LinkProfile>& link, const std::vector<float>* image);

}  // namespace twain::apps
