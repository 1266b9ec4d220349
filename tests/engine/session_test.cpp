// The secure engine against the fixed-point evaluator (DESIGN.md section 2: exact mode equals it
// bit for bit) on the embedded Fashion-MNIST model and on a small hand-built graph.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "core/prg.hpp"
#include "engine/executor.hpp"
#include "engine/model_loader.hpp"
#include "he/noise.hpp"
#include "engine_test_support.hpp"
#include "model/fixed_evaluator.hpp"
#include "model/quantize.hpp"
#include "model/ring.hpp"

namespace twain::engine {
namespace {

const std::filesystem::path kFashionModel = std::filesystem::path(TWAIN_SOURCE_DIR) / "models/fashion_mnist/model.onnx";

std::vector<float> seeded_image(std::size_t size, uint8_t seed) {
  core::Prg prg(core::Seed{seed});
  std::vector<float> image(size);
  for (float& v : image) v = static_cast<float>(prg.next_u64() % 4096) / 1024.0f - 0.8f;
  return image;
}

std::size_t input_size(const model::QuantizedGraph& g) {
  return static_cast<std::size_t>(model::element_count(g.tensors[static_cast<std::size_t>(g.input)].shape));
}

// A server whose operator allows logits (the tests below compare them).
ModelPolicy logits_allowed(std::size_t kernel_cache_bytes = kDefaultKernelCacheBytes) {
  ModelPolicy policy;
  policy.allow_logits = true;
  policy.kernel_cache_bytes = kernel_cache_bytes;
  return policy;
}

SessionOptions revealing(nonlinear::TruncMode mode) {
  SessionOptions options;
  options.mode = mode;
  options.backend = nonlinear::Backend::kIknp;
  options.reveal_logits = true;
  return options;
}

TEST(EngineSession, ExactModeEqualsTheFixedPointEvaluatorOnFashionMnist) {
  const ServerModel model(load_quantized_model(kFashionModel), "", logits_allowed());
  const std::vector<float> image = seeded_image(input_size(model.graph()), 1);
  const auto run = testing::run_local(model, image, revealing(nonlinear::TruncMode::kExact));
  const std::vector<uint64_t> expected =
      model::evaluate_fixed(model.graph(), model::quantize_input(model.graph(), image));
  ASSERT_EQ(run.client.logits.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(run.client.logits[i], model::to_signed(expected[i], model.graph().ring_bits)) << "logit " << i;
  EXPECT_EQ(run.client.report.steps.size(), model.graph().ops.size());
  EXPECT_GT(run.client.report.online.traffic.bytes_sent, 0u);
  // Both parties derive the same flooding; the target is 40 bits for the whole session, and this
  // model's weight noise under N = 4096 caps it at 39.
  EXPECT_GE(run.client.report.statistical_bits_session, 39.0);
  EXPECT_EQ(run.client.report.statistical_bits_session, run.server.statistical_bits_session);
  EXPECT_GT(run.client.report.flooded_responses, 10u);
}

// The output policy: logits only when allowed, at most max_top_k classes; the client refuses
// before any traffic beyond the description, with the check the server runs on each request.
TEST(EngineSession, OutputPolicyIsEnforcedBeforeAnyOfflineWork) {
  const ServerModel model(load_quantized_model(kFashionModel));
  EXPECT_FALSE(model.policy().allow_logits);
  EXPECT_EQ(model.policy().max_top_k, 5);
  const std::vector<float> image = seeded_image(input_size(model.graph()), 4);
  EXPECT_THROW(testing::run_local(model, image, revealing(nonlinear::TruncMode::kExact)), PolicyError);
  SessionOptions six = revealing(nonlinear::TruncMode::kExact);
  six.reveal_logits = false;
  six.top_k = 6;
  EXPECT_THROW(testing::run_local(model, image, six), PolicyError);
  // The check the server runs on every request (serve_session, before the offline phase).
  EXPECT_THROW(check_output_request(six, model.policy()), PolicyError);
  EXPECT_THROW(check_output_request(revealing(nonlinear::TruncMode::kExact), model.policy()), PolicyError);
  EXPECT_NO_THROW(check_output_request(revealing(nonlinear::TruncMode::kExact), PublicPolicy{40, 5, true}));
}

TEST(EngineSession, KernelsTransformedOnUseGiveTheSameLogits) {
  const ServerModel cached(load_quantized_model(kFashionModel), "", logits_allowed());
  const ServerModel on_demand(load_quantized_model(kFashionModel), "", logits_allowed(0));
  EXPECT_EQ(cached.on_demand_layers(), 0u);
  EXPECT_GT(on_demand.on_demand_layers(), 0u);
  EXPECT_LT(on_demand.kernel_bytes(), cached.kernel_bytes());
  const std::vector<float> image = seeded_image(input_size(cached.graph()), 2);
  const auto a = testing::run_local(cached, image, revealing(nonlinear::TruncMode::kExact));
  const auto b = testing::run_local(on_demand, image, revealing(nonlinear::TruncMode::kExact));
  EXPECT_EQ(a.client.logits, b.client.logits);
  EXPECT_EQ(a.client.report.online.traffic.bytes_sent, b.client.report.online.traffic.bytes_sent);
}

TEST(EngineSession, TopKRevealsTheLargestLogitsOnly) {
  const ServerModel model(load_quantized_model(kFashionModel), "", logits_allowed());
  const std::vector<float> image = seeded_image(input_size(model.graph()), 2);
  SessionOptions options = revealing(nonlinear::TruncMode::kExact);
  options.reveal_logits = false;
  options.top_k = 3;
  const auto run = testing::run_local(model, image, options);
  const std::vector<uint64_t> fixed = model::evaluate_fixed(model.graph(), model::quantize_input(model.graph(), image));
  std::vector<int64_t> sorted;
  for (uint64_t v : fixed) sorted.push_back(model::to_signed(v, model.graph().ring_bits));
  std::vector<std::size_t> order(sorted.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return sorted[a] > sorted[b]; });
  EXPECT_TRUE(run.client.logits.empty());
  ASSERT_EQ(run.client.top.size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(run.client.top[k].index, order[k]);
    EXPECT_EQ(run.client.top[k].value, sorted[order[k]]);
  }
}

// Fast mode: every truncation of the secure run is within one unit of the floor shift of the
// secure run's own input to it (DESIGN.md section 2); the other ops are exact on their inputs.
TEST(EngineSession, FastModeTruncationsAreWithinOneUnitOpByOp) {
  const ServerModel model(load_quantized_model(kFashionModel), "", logits_allowed());
  const model::QuantizedGraph& g = model.graph();
  const auto run = testing::run_local(model, seeded_image(input_size(g), 3), revealing(nonlinear::TruncMode::kFast));
  const auto value = [&](model::TensorId id, std::size_t i) {
    const auto t = static_cast<std::size_t>(id);
    return model::to_signed(run.server_trace[t][i] + run.client_trace[t][i], g.ring_bits);
  };
  int truncations = 0;
  for (const model::QOp& op : g.ops) {
    const auto* t = std::get_if<model::qop::Truncate>(&op.op);
    const auto* rt = std::get_if<model::qop::ReluTruncate>(&op.op);
    const bool relu = std::holds_alternative<model::qop::Relu>(op.op);
    if (t == nullptr && rt == nullptr && !relu) continue;
    const int shift = t != nullptr ? t->shift : rt != nullptr ? rt->shift : 0;
    const std::size_t n = run.client_trace[static_cast<std::size_t>(op.output)].size();
    truncations += shift > 0;
    for (std::size_t i = 0; i < n; ++i) {
      int64_t x = value(op.inputs[0], i);
      if (rt != nullptr || relu) x = std::max<int64_t>(x, 0);
      const int64_t floor_shift = x >> shift;
      const int64_t y = value(op.output, i);
      ASSERT_GE(y, floor_shift - (shift > 0 ? 1 : 0)) << op.name << " element " << i;
      ASSERT_LE(y, floor_shift) << op.name << " element " << i;
    }
  }
  EXPECT_GT(truncations, 3);
}

// A server whose sessions may run `n` inferences (and reveal logits, to compare them all).
ModelPolicy sessions_of(uint64_t n) {
  ModelPolicy policy = logits_allowed();
  policy.max_inferences = n;
  return policy;
}

// Several inferences in one session: each equals the fixed-point evaluator bit for bit, as a
// session of its own does; the setup is paid once; each inference has its own offline material,
// made ahead by prepare() or by infer() when none is left, and what was made is consumed exactly.
TEST(EngineSession, ManyInferencesInOneSessionEqualSeparateSessions) {
  const ServerModel model(load_quantized_model(kFashionModel), "", sessions_of(4));
  const SessionOptions options = revealing(nonlinear::TruncMode::kExact);
  std::vector<std::vector<float>> images;
  for (uint8_t seed = 10; seed < 14; ++seed) images.push_back(seeded_image(input_size(model.graph()), seed));
  std::vector<InferenceResult> results;
  const SessionReport server = testing::run_session(model, options, [&](ClientSession& client) {
    EXPECT_EQ(client.policy().max_inferences, 4u);
    client.prepare(2);
    EXPECT_EQ(client.prepared(), 2u);
    for (const auto& image : images) results.push_back(client.infer(image));  // the last two prepare their own
    EXPECT_EQ(client.prepared(), 0u);
    EXPECT_EQ(client.inferences(), 4u);
  });
  ASSERT_EQ(results.size(), images.size());
  for (std::size_t k = 0; k < images.size(); ++k) {
    const std::vector<uint64_t> expected =
        model::evaluate_fixed(model.graph(), model::quantize_input(model.graph(), images[k]));
    ASSERT_EQ(results[k].logits.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i)
      EXPECT_EQ(results[k].logits[i], model::to_signed(expected[i], model.graph().ring_bits)) << k << ", " << i;
    EXPECT_GT(results[k].report.offline.traffic.bytes_sent, 0u) << k;
    EXPECT_GT(results[k].report.online.traffic.bytes_sent, 0u) << k;
    if (k > 0) {
      EXPECT_EQ(results[k].report.setup.traffic.bytes_sent + results[k].report.setup.traffic.bytes_received, 0u);
    }
  }
  EXPECT_GT(results[0].report.setup.traffic.bytes_sent, 0u);
  const auto separate = testing::run_local(model, images[2], options);
  EXPECT_EQ(separate.client.logits, results[2].logits);
  EXPECT_EQ(server.inferences, 4u);
  const nonlinear::Needs one = plan_graph(model.graph(), as_sent(options)).needs();
  EXPECT_EQ(server.planned, 4 * one);
  EXPECT_EQ(server.consumed, server.planned);
  EXPECT_EQ(results.back().report.planned, 4 * one);
  EXPECT_EQ(results.back().report.consumed, 4 * one);
}

// The flooding covers every inference a session may run: more of them, wider flooding for
// sixteen times the responses (he/flooding.hpp) at the same target, the same on both sides.
TEST(EngineSession, TheFloodingCoversEveryInferenceTheSessionMayRun) {
  const ServerModel one(load_quantized_model(kFashionModel), "", sessions_of(1));
  const ServerModel sixteen(load_quantized_model(kFashionModel), "", sessions_of(16));
  EXPECT_EQ(sixteen.policy().max_inferences, 16u);
  EXPECT_NE(sixteen.description(), one.description());
  EXPECT_GE(one.flooding().statistical_bits, he::kStatisticalSecurityBits);
  EXPECT_GE(sixteen.flooding().statistical_bits, he::kStatisticalSecurityBits);
  EXPECT_GE(sixteen.flooding().responses, 16 * one.flooding().responses / 2);
  EXPECT_GE(sixteen.flooding().budget.responses, sixteen.flooding().responses);
  EXPECT_GT(sixteen.flooding().budget.responses, 8 * one.flooding().budget.responses);
  const std::vector<float> image = seeded_image(input_size(one.graph()), 20);
  const auto run = testing::run_local(sixteen, image, revealing(nonlinear::TruncMode::kExact));
  EXPECT_EQ(run.client.report.statistical_bits_session, sixteen.flooding().statistical_bits);
  // However many a session may run, it holds the material of at most kMaxPreparedAhead at once.
  testing::run_session(sixteen, revealing(nonlinear::TruncMode::kFast), [&](ClientSession& client) {
    EXPECT_THROW(client.prepare(kMaxPreparedAhead + 1), PolicyError);
    client.prepare(kMaxPreparedAhead);
    EXPECT_THROW(client.prepare(1), PolicyError);
    client.infer(image);
    client.prepare(1);
    EXPECT_EQ(client.prepared(), kMaxPreparedAhead);
  });
}

// A session runs at most max_inferences: the client refuses more before any traffic, and the
// session goes on; a default server allows one.
TEST(EngineSession, InferencesBeyondThePolicyAreRefusedBeforeAnyTraffic) {
  EXPECT_EQ(ServerModel(load_quantized_model(kFashionModel)).policy().max_inferences, 1u);
  const ServerModel model(load_quantized_model(kFashionModel), "", sessions_of(2));
  const SessionOptions options = revealing(nonlinear::TruncMode::kFast);
  const std::vector<float> image = seeded_image(input_size(model.graph()), 21);
  const SessionReport server = testing::run_session(model, options, [&](ClientSession& client) {
    EXPECT_THROW(client.prepare(3), PolicyError);
    client.prepare(1);
    EXPECT_THROW(client.prepare(2), PolicyError);
    client.infer(image);
    client.infer(image);
    EXPECT_THROW(client.infer(image), PolicyError);
    EXPECT_THROW(client.prepare(1), PolicyError);
  });
  EXPECT_EQ(server.inferences, 2u);
  EXPECT_EQ(server.consumed, server.planned);
}

}  // namespace
}  // namespace twain::engine
