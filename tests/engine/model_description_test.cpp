// The public model description: a round trip keeps the architecture and the policy, carries no
// server-only value and no name unless asked, depends on the architecture and policy only (not on
// the weights), and every truncated, corrupted or oversized message is refused with FormatError.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <filesystem>
#include <string>

#include "core/errors.hpp"
#include "engine/model_description.hpp"
#include "engine/model_loader.hpp"
#include "engine/wire.hpp"

namespace twain::engine {
namespace {

const std::filesystem::path kFashionModel = std::filesystem::path(TWAIN_SOURCE_DIR) / "models/fashion_mnist/model.onnx";
const PublicPolicy kPolicy{40, 3, false};

bool contains(const std::vector<uint8_t>& bytes, const std::string& text) {
  return std::search(bytes.begin(), bytes.end(), text.begin(), text.end()) != bytes.end();
}

TEST(ModelDescription, RoundTripKeepsTheArchitectureAndDropsEveryParameter) {
  const model::QuantizedGraph graph = load_quantized_model(kFashionModel);
  const std::vector<uint8_t> bytes = describe_public(graph, kPolicy, true);
  const PublicModel parsed = parse_public(bytes);
  EXPECT_EQ(describe_public(parsed.graph, parsed.policy, true), bytes);
  EXPECT_EQ(parsed.policy, kPolicy);
  ASSERT_EQ(parsed.graph.ops.size(), graph.ops.size());
  std::size_t parameters = 0;
  for (std::size_t i = 0; i < graph.ops.size(); ++i) {
    EXPECT_EQ(parsed.graph.ops[i].op.index(), graph.ops[i].op.index());
    EXPECT_EQ(parsed.graph.ops[i].inputs, graph.ops[i].inputs);
    if (const auto* conv = std::get_if<model::qop::Conv2d>(&parsed.graph.ops[i].op)) {
      EXPECT_TRUE(conv->weights.empty() && conv->bias.empty());
      EXPECT_EQ(conv->weight_bound, std::get<model::qop::Conv2d>(graph.ops[i].op).weight_bound);
      parameters += std::get<model::qop::Conv2d>(graph.ops[i].op).weights.size();
    }
    if (const auto* gemm = std::get_if<model::qop::Gemm>(&parsed.graph.ops[i].op))
      EXPECT_TRUE(gemm->weights.empty() && gemm->bias.empty());
  }
  // Far smaller than the weights it leaves out.
  EXPECT_GT(parameters, 10000u);
  EXPECT_LT(bytes.size(), parameters);
}

TEST(ModelDescription, NamesTravelOnlyWhenAsked) {
  const model::QuantizedGraph graph = load_quantized_model(kFashionModel);
  const std::string name = graph.ops.front().name;
  ASSERT_FALSE(name.empty());
  EXPECT_TRUE(contains(describe_public(graph, kPolicy, true), name));
  const std::vector<uint8_t> anonymous = describe_public(graph, kPolicy);
  EXPECT_FALSE(contains(anonymous, name));
  // The client labels unnamed ops by kind and position.
  EXPECT_EQ(parse_public(anonymous).graph.ops.front().name, model::op_name(graph.ops.front().op) + " #0");
}

// Same architecture, other weights (every weight and scale replaced, biases too): the same bytes.
TEST(ModelDescription, DependsOnTheArchitectureAndPolicyOnly) {
  const model::QuantizedGraph graph = load_quantized_model(kFashionModel);
  model::QuantizedGraph other = graph;
  int64_t k = 0;
  for (model::QOp& op : other.ops) {
    if (auto* conv = std::get_if<model::qop::Conv2d>(&op.op)) {
      for (int64_t& w : conv->weights) w = (k++ % 7) - 3;
      for (int64_t& b : conv->bias) b = -b;
    } else if (auto* gemm = std::get_if<model::qop::Gemm>(&op.op)) {
      for (int64_t& w : gemm->weights) w = static_cast<int64_t>(gemm->weight_bound) - (k++ % 5);
    }
  }
  EXPECT_EQ(describe_public(other, kPolicy), describe_public(graph, kPolicy));
  // The policy is part of it.
  EXPECT_NE(describe_public(graph, PublicPolicy{40, 5, false}), describe_public(graph, kPolicy));
}

TEST(ModelDescription, AWeightBeyondThePolicyIsRefusedAtLoadNamingTheLayer) {
  try {
    load_quantized_model(kFashionModel, 37, 12, 10);
    FAIL() << "a weight above 2^10 was accepted";
  } catch (const PolicyError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("Conv"), std::string::npos) << what;
    EXPECT_NE(what.find("--weight-bits"), std::string::npos) << what;
  }
  // The default bound (f + 1) is what every layer gets.
  for (const model::QOp& op : load_quantized_model(kFashionModel).ops)
    if (const auto* conv = std::get_if<model::qop::Conv2d>(&op.op)) EXPECT_EQ(conv->weight_bound, uint64_t{1} << 13);
}

TEST(ModelDescription, EveryTruncationIsRefused) {
  const std::vector<uint8_t> bytes = describe_public(load_quantized_model(kFashionModel), kPolicy);
  for (std::size_t cut = 0; cut < bytes.size(); ++cut)
    EXPECT_THROW(parse_public(std::span(bytes.data(), cut)), FormatError) << "cut at " << cut;
}

TEST(ModelDescription, CorruptedBytesAreRefusedOrStillValid) {
  const std::vector<uint8_t> bytes = describe_public(load_quantized_model(kFashionModel), kPolicy);
  std::size_t refused = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::vector<uint8_t> corrupted = bytes;
    corrupted[i] ^= 0xa5;
    try {
      parse_public(corrupted).graph.validate(model::QuantizedGraph::Parameters::kAbsent);
    } catch (const FormatError&) {
      ++refused;
    }
  }
  // Bounds and policy fields may change harmlessly; structure changes must be caught.
  EXPECT_GT(refused, bytes.size() / 4);
}

// A forged description of 65,536 tensors of 2^27 elements each (every one within its own bound):
// refused for its total before the reader gets far, and the reader's memory stays small.
TEST(ModelDescription, ForgedTotalsAreRefusedWithBoundedMemory) {
  WireWriter w;
  w.u32(0x444d5754);
  w.u8(3);
  w.u8(37);
  w.u8(12);
  w.u8(40);
  w.u32(5);
  w.u8(0);
  w.u32(1);  // max_inferences
  w.u32(1 << 16);
  for (int i = 0; i < (1 << 16); ++i) {
    w.string("");
    w.u8(1);
    w.u32(uint32_t{1} << 27);
    w.u32(12);
  }
  const std::vector<uint8_t> forged = w.take();
  rusage before{}, after{};
  getrusage(RUSAGE_SELF, &before);
  try {
    parse_public(forged);
    FAIL() << "a description of 2^43 elements was accepted";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("elements in all"), std::string::npos) << e.what();
  }
  getrusage(RUSAGE_SELF, &after);
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 64 * 1024) << "KiB of peak memory for a refused description";
}

}  // namespace
}  // namespace twain::engine
