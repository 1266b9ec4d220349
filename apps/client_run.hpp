// The client's part shared by query, local and bench: options, image, inference, printing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_options.hpp"
#include "engine/session.hpp"
#include "model_card.hpp"
#include "net/channel.hpp"

namespace twain::apps {

// --image --topk --labels --spec --mode --ot --logits --threads --json
std::vector<OptionSpec> client_option_specs();
engine::SessionOptions session_options(const CliOptions& options);
// The fingerprint --expect-model names (lowercase), if given; throws InvalidArgument unless it
// is 64 hex digits.
std::optional<std::string> expected_model(const CliOptions& options);

struct ClientRun {
  engine::InferenceResult result;
  ModelCard card;
  model::QuantizedGraph graph;  // the public description
  std::vector<float> image;     // as normalised for the model
  std::string fingerprint;      // of the description and card the server sent
};

// Connects the session on `channel`, loads and normalises the image named by --image (or
// `image` when given), runs the inference with a progress bar on stderr. With --expect-model,
// throws PolicyError before sending anything when the server's model has another fingerprint.
ClientRun run_client(net::Channel& channel, const CliOptions& options, const std::vector<float>* image = nullptr);

// Prints the predictions and the phases; writes --json when asked. Returns 0.
int report_client(const ClientRun& run, const CliOptions& options, nlohmann::json extra = {});

}  // namespace twain::apps
