// The public model description: a round trip keeps the architecture, carries no server-only
// value, and every truncated or corrupted message is refused with FormatError.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/errors.hpp"
#include "engine/model_description.hpp"
#include "engine/model_loader.hpp"

namespace twain::engine {
namespace {

const std::filesystem::path kFashionModel = std::filesystem::path(TWAIN_SOURCE_DIR) / "models/fashion_mnist/model.onnx";

TEST(ModelDescription, RoundTripKeepsTheArchitectureAndDropsEveryParameter) {
  const model::QuantizedGraph graph = load_quantized_model(kFashionModel);
  const std::vector<uint8_t> bytes = describe_public(graph);
  const model::QuantizedGraph parsed = parse_public(bytes);
  EXPECT_EQ(describe_public(parsed), bytes);
  ASSERT_EQ(parsed.ops.size(), graph.ops.size());
  std::size_t parameters = 0;
  for (std::size_t i = 0; i < graph.ops.size(); ++i) {
    EXPECT_EQ(parsed.ops[i].op.index(), graph.ops[i].op.index());
    EXPECT_EQ(parsed.ops[i].inputs, graph.ops[i].inputs);
    if (const auto* conv = std::get_if<model::qop::Conv2d>(&parsed.ops[i].op)) {
      EXPECT_TRUE(conv->weights.empty() && conv->bias.empty());
      EXPECT_EQ(conv->weight_bound, std::get<model::qop::Conv2d>(graph.ops[i].op).weight_bound);
      parameters += std::get<model::qop::Conv2d>(graph.ops[i].op).weights.size();
    }
    if (const auto* gemm = std::get_if<model::qop::Gemm>(&parsed.ops[i].op))
      EXPECT_TRUE(gemm->weights.empty() && gemm->bias.empty());
  }
  // Far smaller than the weights it leaves out.
  EXPECT_GT(parameters, 10000u);
  EXPECT_LT(bytes.size(), parameters);
}

TEST(ModelDescription, EveryTruncationIsRefused) {
  const std::vector<uint8_t> bytes = describe_public(load_quantized_model(kFashionModel));
  for (std::size_t cut = 0; cut < bytes.size(); ++cut)
    EXPECT_THROW(parse_public(std::span(bytes.data(), cut)), FormatError) << "cut at " << cut;
}

TEST(ModelDescription, CorruptedBytesAreRefusedOrStillValid) {
  const std::vector<uint8_t> bytes = describe_public(load_quantized_model(kFashionModel));
  std::size_t refused = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::vector<uint8_t> corrupted = bytes;
    corrupted[i] ^= 0xa5;
    try {
      parse_public(corrupted).validate(model::QuantizedGraph::Parameters::kAbsent);
    } catch (const FormatError&) {
      ++refused;
    }
  }
  // Names and bounds may change harmlessly; structure changes must be caught.
  EXPECT_GT(refused, bytes.size() / 4);
}

}  // namespace
}  // namespace twain::engine
