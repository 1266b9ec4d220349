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

// --image (repeatable) --image-dir --prepare --topk --labels --spec --mode --ot --logits --threads --json
std::vector<OptionSpec> client_option_specs();
engine::SessionOptions session_options(const CliOptions& options);
// The fingerprint --expect-model names (lowercase), if given; throws InvalidArgument unless it
// is 64 hex digits.
std::optional<std::string> expected_model(const CliOptions& options);

// The image files of --image (in the order given), then those of --image-dir (PNG and JPEG, by
// name). Throws InvalidArgument when there are none, or more than a session may carry.
std::vector<std::string> image_files(const CliOptions& options);

// One image of a session: its result, or why it was not run (a file that does not decode is
// refused before any traffic, and the session goes on with the next).
struct ImageRun {
  std::string name;            // the file ("input" for values given directly)
  std::vector<float> image;    // as normalised for the model
  std::optional<engine::InferenceResult> result;
  std::string error;           // when there is no result
};

struct ClientRun {
  std::vector<ImageRun> images;  // in order; at least one
  ModelCard card;
  model::QuantizedGraph graph;   // the public description
  std::string fingerprint;       // of the description and card the server sent
  double seconds = 0;            // wall time of the whole session, description to the end
  // The first result (bench, demo and tests run one image); throws the image's error if none.
  const engine::InferenceResult& first() const;
};

// Connects the session on `channel`; for each image of image_files (or `image` when given, as
// the one input) loads and normalises it and runs its inference, with a progress bar on stderr,
// all in one session; the material of --prepare N inferences (default 1) is made before the
// first image and kept that far ahead. With --expect-model, throws PolicyError before sending
// anything when the server's model has another fingerprint.
ClientRun run_client(net::Channel& channel, const CliOptions& options, const std::vector<float>* image = nullptr);

// Prints the predictions and the phases (one line per image when there are several); writes
// --json when asked. Returns 0, or 1 when an image had no result.
int report_client(const ClientRun& run, const CliOptions& options, nlohmann::json extra = {});

}  // namespace twain::apps
