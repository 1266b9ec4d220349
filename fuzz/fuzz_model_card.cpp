// The model card a client receives (apps::parse_card, which parses the preprocessing spec), and
// a preprocessing spec on its own (apps::PreprocessSpec::parse).
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/errors.hpp"
#include "model_card.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const twain::model::QuantizedGraph graph = [] {
    twain::model::QuantizedGraph g;
    g.tensors.resize(1);
    g.tensors[0].shape = {1, 1, 28, 28};
    g.input = 0;
    return g;
  }();
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    if (data[0] & 1)
      twain::apps::parse_card(text, graph);
    else
      twain::apps::PreprocessSpec::parse(text, "fuzz input");
  } catch (const twain::FormatError&) {
  }
  return 0;
}
