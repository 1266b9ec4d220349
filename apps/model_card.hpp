// The public "model card" a server sends with its model (engine::ServerModel::card): how to
// preprocess an image for it and the names of its classes, as JSON
//   {"preprocess": {...preprocess.json...}, "labels": ["T-shirt/top", ...]}.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "image_input.hpp"
#include "model/quantized_graph.hpp"

namespace twain::apps {

struct ModelCard {
  PreprocessSpec spec;
  std::vector<std::string> labels;  // empty when unknown
};

// From preprocess.json next to the model file (and the labels file it names), or "" when there is none.
std::string make_card(const std::filesystem::path& model_file);

// The card a client received, or ImageNet defaults sized from the model's input when it is
// empty. Throws FormatError for a malformed card or one that does not fit the model's input.
ModelCard parse_card(const std::string& text, const model::QuantizedGraph& graph);

// A class's display name: its label when known, else "class N".
std::string class_name(const ModelCard& card, std::size_t index);

}  // namespace twain::apps
