#include "model_card.hpp"

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "core/errors.hpp"

namespace twain::apps {

std::string make_card(const std::filesystem::path& model_file) {
  const std::filesystem::path spec_file = model_file.parent_path() / "preprocess.json";
  if (!std::filesystem::exists(spec_file)) return {};
  const PreprocessSpec spec = PreprocessSpec::load(spec_file);
  std::ifstream in(spec_file);
  nlohmann::json card;
  card["preprocess"] = nlohmann::json::parse(in);
  card["preprocess"].erase("labels");
  card["labels"] = spec.labels.empty() ? std::vector<std::string>{} : load_labels(spec.labels);
  return card.dump();
}

ModelCard parse_card(const std::string& text, const model::QuantizedGraph& graph) {
  const model::Shape& input = graph.tensors[static_cast<std::size_t>(graph.input)].shape;
  ModelCard card;
  if (text.empty()) {
    if (input.size() != 4) throw FormatError("the model's input " + model::to_string(input) + " is not an image");
    card.spec = PreprocessSpec::imagenet(static_cast<int>(input[2]), static_cast<int>(input[3]));
    return card;
  }
  try {
    const nlohmann::json json = nlohmann::json::parse(text);
    card.spec = PreprocessSpec::parse(json.at("preprocess").dump(), "the server's model card");
    for (const auto& label : json.at("labels")) card.labels.push_back(label.get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(std::string("the server's model card: ") + e.what());
  }
  const model::Shape expected{1, card.spec.channels, card.spec.height, card.spec.width};
  if (input != expected)
    throw FormatError("the server's model card describes input " + model::to_string(expected) + ", the model takes " +
                      model::to_string(input));
  return card;
}

std::string class_name(const ModelCard& card, std::size_t index) {
  return index < card.labels.size() ? card.labels[index] : "class " + std::to_string(index);
}

}  // namespace twain::apps
