// The model file of twain prepare: a model served from it answers exactly as the one it was made
// from (the fixed-point evaluator is the oracle in exact mode), and every damaged, foreign or
// out-of-date file is refused with what is wrong.
#include "engine/model_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <tuple>

#include "core/errors.hpp"
#include "core/prg.hpp"
#include "engine/model_loader.hpp"
#include "engine_test_support.hpp"
#include "model/fixed_evaluator.hpp"
#include "model/quantize.hpp"
#include "model/ring.hpp"
#include "net/transcript_checksum.hpp"

namespace twain::engine {
namespace {

const std::filesystem::path kFashionModel = std::filesystem::path(TWAIN_SOURCE_DIR) / "models/fashion_mnist/model.onnx";

ModelPolicy every_kernel() {
  ModelPolicy policy;
  policy.kernel_cache_bytes = SIZE_MAX;
  policy.max_inferences = 2;
  return policy;
}

ModelFileServing with_logits() {
  ModelFileServing serving;
  serving.allow_logits = true;
  return serving;
}

std::vector<uint8_t> read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_all(const std::filesystem::path& file, std::span<const uint8_t> bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// One file for every test, made from the shipped model.
struct Fixture {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("twain_model_file_" + std::to_string(::getpid()));
  std::filesystem::path file = dir / "fashion.twain";
  ServerModel source{load_quantized_model(kFashionModel), "{\"card\": 1}", every_kernel()};
  std::vector<uint8_t> bytes;

  Fixture() {
    std::filesystem::create_directories(dir);
    write_model_file(source, file);
    bytes = read_all(file);
  }
  ~Fixture() { std::filesystem::remove_all(dir); }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// The refusal of `bytes` written as a file, as text (empty when it loads).
std::string refusal(std::span<const uint8_t> bytes, const ModelFileServing& serving = {}) {
  const std::filesystem::path damaged = fixture().dir / "damaged.twain";
  write_all(damaged, bytes);
  try {
    load_model_file(damaged, serving);
  } catch (const FormatError& e) {
    return e.what();
  } catch (const PolicyError& e) {
    return std::string("policy: ") + e.what();
  }
  return {};
}

// A session with `served` (from a file, revealing logits) on a seeded image: every logit equals the
// fixed-point evaluator's on `source`, the model the file was made from (a model from a file keeps
// no weights outside its layers, so the oracle runs on the source's graph).
void expect_fixed_point_logits(const ServerModel& served, const ServerModel& source, uint8_t seed) {
  const auto& g = source.graph();
  std::vector<float> image(static_cast<std::size_t>(model::element_count(g.tensors[static_cast<std::size_t>(g.input)].shape)));
  core::Prg prg(core::Seed{seed});
  for (float& v : image) v = static_cast<float>(prg.next_u64() % 4096) / 1024.0f - 0.8f;
  SessionOptions options;
  options.backend = nonlinear::Backend::kIknp;
  options.reveal_logits = true;
  const auto run = testing::run_local(served, image, options);
  const std::vector<uint64_t> expected = model::evaluate_fixed(g, model::quantize_input(g, image));
  ASSERT_EQ(run.client.logits.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(run.client.logits[i], model::to_signed(expected[i], g.ring_bits)) << "logit " << i;
}

TEST(ModelFile, AModelServedFromItsFileAnswersAsTheModelItWasMadeFrom) {
  Fixture& f = fixture();
  EXPECT_TRUE(is_model_file(f.file));
  EXPECT_FALSE(is_model_file(kFashionModel));
  const ServerModel mapped = load_model_file(f.file, {});
  EXPECT_EQ(mapped.description(), f.source.description());
  EXPECT_EQ(mapped.card(), f.source.card());
  EXPECT_EQ(mapped.fingerprint(), f.source.fingerprint());
  EXPECT_EQ(mapped.kernel_bytes(), f.source.kernel_bytes());
  EXPECT_EQ(mapped.flooding().statistical_bits, f.source.flooding().statistical_bits);
  for (const model::QOp& op : mapped.graph().ops)
    if (const auto* conv = std::get_if<model::qop::Conv2d>(&op.op)) {
      EXPECT_TRUE(conv->weights.empty()) << op.name;
    }
  EXPECT_EQ(mapped.policy().max_inferences, 2u);
  // The output policy is the server's to choose; with logits the whole output can be compared.
  const ServerModel revealing = load_model_file(f.file, with_logits());
  EXPECT_TRUE(revealing.policy().allow_logits);
  expect_fixed_point_logits(revealing, f.source, 33);
}

TEST(ModelFile, ForeignTruncatedAndCorruptedFilesAreRefusedSayingWhich) {
  Fixture& f = fixture();
  const std::vector<uint8_t>& good = f.bytes;
  ASSERT_EQ(refusal(good), "");
  const std::vector<uint8_t> onnx = read_all(kFashionModel);
  EXPECT_NE(refusal(onnx).find("not a twain model file"), std::string::npos);
  EXPECT_NE(refusal({}).find("not a twain model file"), std::string::npos);
  // Cut anywhere: in the header, in the graph, in the kernels, one byte short.
  for (const std::size_t size : {std::size_t{16}, std::size_t{4000}, std::size_t{5000}, good.size() / 2, good.size() - 1}) {
    const std::string why = refusal(std::span(good).first(size));
    EXPECT_NE(why.find("truncated"), std::string::npos) << size << ": " << why;
    EXPECT_NE(why.find("twain prepare"), std::string::npos) << size << ": " << why;
  }
  // A flipped byte in the graph section, and in the kernels of a layer.
  std::vector<uint8_t> bad = good;
  bad[4096 + 100] ^= 0x10;
  EXPECT_NE(refusal(bad).find("the graph section fails its checksum"), std::string::npos) << refusal(bad);
  bad = good;
  bad[bad.size() - 3 * 4096 + 7] ^= 0x01;
  const std::string kernel_why = refusal(bad);
  EXPECT_NE(kernel_why.find("corrupted: the kernels of op"), std::string::npos) << kernel_why;
  // Another format version, or other HE parameters: out of date.
  bad = good;
  bad[8] ^= 0xff;
  EXPECT_NE(refusal(bad).find("out of date: format version"), std::string::npos) << refusal(bad);
  bad = good;
  bad[16] ^= 0x01;
  EXPECT_NE(refusal(bad).find("out of date: made for other HE parameters"), std::string::npos) << refusal(bad);
  // The flooding (and so every kernel) is the file's.
  ModelFileServing four;
  four.max_inferences = 4;
  EXPECT_NE(refusal(good, four).find("policy: "), std::string::npos);
  ModelFileServing two;
  two.max_inferences = 2;
  EXPECT_EQ(refusal(good, two), "");
  EXPECT_THROW(load_model_file(f.dir / "missing.twain", {}), InvalidArgument);
}

uint64_t get_u64(std::span<const uint8_t> b, std::size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{b[at + i]} << (8 * i);
  return v;
}

void put_u32(std::vector<uint8_t>& b, std::size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// A hostile file whose checksums are right (the key is public): its last layer record claims
// counts whose product wraps around 2^64, or kernels outside the file. It is refused before any
// kernel is read.
TEST(ModelFile, HostileLayerRecordsWithValidChecksumsAreRefused) {
  const std::vector<uint8_t>& good = fixture().bytes;
  const std::size_t meta_at = get_u64(good, 24), meta_bytes = get_u64(good, 32);
  const std::size_t record = meta_at + meta_bytes - 41;  // count, words, offset, on demand, digest
  for (const auto& [count, words, offset] : {std::tuple<uint32_t, uint32_t, uint32_t>{0x80000000u, 0x80000000u, 0},
                                            {0xffffffffu, 0, 0}, {1, 1024, 4096 * 1000000u}, {2, 1024, 100}}) {
    std::vector<uint8_t> bad = good;
    put_u32(bad, record, count);
    put_u32(bad, record + 4, words);
    put_u32(bad, record + 8, offset);
    net::TranscriptChecksum c;
    c.update(bad.data() + meta_at, meta_bytes);
    const net::TranscriptDigest d = c.digest();
    std::copy(d.checksum.begin(), d.checksum.end(), bad.begin() + 56);
    const std::string why = refusal(bad);
    EXPECT_NE(why.find("corrupted"), std::string::npos) << count << " x " << words << " at " << offset << ": " << why;
  }
}

// Layers beyond the kernel cache are written without kernels and transform theirs on use when
// served, with the same answers.
TEST(ModelFile, OnDemandLayersStayOnDemandAndAnswerAlike) {
  ModelPolicy small;
  small.kernel_cache_bytes = 1 << 20;
  const ServerModel source(load_quantized_model(kFashionModel), "", small);
  ASSERT_GT(source.on_demand_layers(), 0u);
  const std::filesystem::path file = fixture().dir / "on_demand.twain";
  write_model_file(source, file);
  EXPECT_LT(std::filesystem::file_size(file), fixture().bytes.size());
  const ServerModel mapped = load_model_file(file, with_logits());
  EXPECT_EQ(mapped.on_demand_layers(), source.on_demand_layers());
  expect_fixed_point_logits(mapped, source, 34);
}

}  // namespace
}  // namespace twain::engine
