// Printing a session's measurements: phases, op-by-op table, predictions, and the JSON report.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "engine/session.hpp"
#include "model_card.hpp"

namespace twain::apps {

// "setup 0.12 s, 1.2 MiB, 4 rounds" lines for the three phases.
void print_phases(std::ostream& out, const engine::SessionReport& report);
// One line per online op: time, bytes each way (this party's view), rounds.
void print_steps(std::ostream& out, const engine::SessionReport& report);
// "1. Trouser  (index 1)  score 7.123".
void print_top(std::ostream& out, const engine::InferenceResult& result, const ModelCard& card);

nlohmann::json phases_json(const engine::SessionReport& report);
nlohmann::json steps_json(const engine::SessionReport& report);
nlohmann::json top_json(const engine::InferenceResult& result, const ModelCard& card);

// Writes `json` to `file` (indented); throws InvalidArgument when the file cannot be written.
void write_json(const std::string& file, const nlohmann::json& json);

}  // namespace twain::apps
