// Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ from the real
// serializers and the bundled model, so every seed is a valid input the parser accepts.
//   fuzz_make_corpus SOURCE_DIR
#include <stb_image_write.h>  // implementation in stb_instrumented.c

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "core/prg.hpp"
#include "engine/model_description.hpp"
#include "engine/model_loader.hpp"
#include "engine/request_codec.hpp"
#include "fuzz_he_context.hpp"
#include "he/encryptor.hpp"
#include "he/evaluator.hpp"
#include "he/keys.hpp"
#include "he/serialization.hpp"
#include "model_card.hpp"
#include "net/memory_channel.hpp"
#include "ot/base_ot.hpp"

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

namespace {

fs::path g_corpus;

void write(const std::string& target, const std::string& name, const Bytes& bytes) {
  const fs::path dir = g_corpus / target;
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + (dir / name).string());
}

Bytes tagged(uint8_t tag, const Bytes& bytes) {
  Bytes out{tag};
  out.insert(out.end(), bytes.begin(), bytes.end());
  return out;
}

Bytes text(uint8_t tag, const std::string& s) { return tagged(tag, Bytes(s.begin(), s.end())); }

Bytes read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void he_seeds() {
  using namespace twain::he;
  const Context& context = twain::fuzz::he_context();
  twain::core::Prg prg(twain::core::Seed{3});
  const SecretKey sk = generate_secret_key(context, prg);
  std::vector<uint64_t> message(context.n());
  for (std::size_t i = 0; i < message.size(); ++i) message[i] = i % 17;
  const Ciphertext ct = encrypt(context, sk, message, prg);
  write("he", "ciphertext_seeded", tagged(0, serialize(context, ct)));
  write("he", "client_ciphertext", tagged(1, serialize(context, ct)));
  Ciphertext plain_form = ct;
  plain_form.c0.to_coefficients();
  plain_form.c1.to_coefficients();
  plain_form.seed.reset();
  write("he", "ciphertext_coefficients", tagged(0, serialize(context, plain_form)));
  write("he", "switched_all", tagged(2, serialize(context, switch_modulus(context, plain_form, 30, {}))));
  std::vector<uint32_t> kept;
  for (uint32_t j = 0; j < context.n(); j += 2) kept.push_back(j);
  write("he", "switched_half", tagged(3, serialize(context, switch_modulus(context, plain_form, 30, kept))));
  write("he", "public_key", tagged(4, serialize(context, generate_public_key(context, sk, prg))));
}

void message_seeds() {
  auto [a, b] = twain::net::make_memory_channel_pair();
  const Bytes payload{1, 2, 3, 4, 5};
  a->send_message(payload);
  a->send_message({});
  a->flush();
  Bytes framed(8 + payload.size() + 8);
  b->recv(framed.data(), framed.size());
  write("message", "two_messages", framed);
  Bytes over(8, 0);
  over[2] = 1;  // 65536 bytes declared, none sent
  write("message", "truncated", over);
}

void model_seeds(const fs::path& source) {
  const fs::path model = source / "models/fashion_mnist/model.onnx";
  const auto graph = twain::engine::load_quantized_model(model);
  write("public_model", "fashion_mnist", twain::engine::describe_public(graph, {}));
  write("public_model", "fashion_mnist_names", twain::engine::describe_public(graph, {40, 3, true}, true));
  const std::string card = twain::apps::make_card(model);
  write("model_card", "fashion_mnist_card", text(1, card));
  write("model_card", "empty_card", text(1, ""));
  const Bytes spec = read_file(source / "models/fashion_mnist/preprocess.json");
  write("model_card", "preprocess", tagged(0, spec));
}

void request_seeds() {
  using namespace twain;
  engine::SessionOptions defaults;
  write("request", "defaults", engine::encode_request(defaults));
  engine::SessionOptions other;
  other.mode = nonlinear::TruncMode::kFast;
  other.backend = nonlinear::Backend::kIknp;
  other.top_k = engine::kMaxTopK;
  other.reveal_logits = true;
  other.link.bits_per_second = 400e6;
  other.link.one_way_latency_s = 0.02;
  write("request", "fast_iknp_wan_logits", engine::encode_request(other));
}

void image_seeds(const fs::path& source) {
  for (const auto& entry : fs::directory_iterator(source / "models/fashion_mnist/images")) {
    const Bytes png = read_file(entry.path());
    write("image", entry.path().stem().string() + "_gray", tagged(0, png));
  }
  // Small JPEGs (gray and RGB, baseline) from stb's writer.
  for (int channels : {1, 3}) {
    std::vector<uint8_t> pixels(12 * 10 * channels);
    for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 37);
    Bytes jpeg;
    stbi_write_jpg_to_func(
        [](void* context, void* data, int size) {
          auto* out = static_cast<Bytes*>(context);
          out->insert(out->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
        },
        &jpeg, 12, 10, channels, pixels.data(), 80);
    write("image", "jpeg_" + std::to_string(channels), tagged(static_cast<uint8_t>(channels == 3), jpeg));
    Bytes png;
    stbi_write_png_to_func(
        [](void* context, void* data, int size) {
          auto* out = static_cast<Bytes*>(context);
          out->insert(out->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
        },
        &png, 12, 10, channels, pixels.data(), 12 * channels);
    write("image", "png_" + std::to_string(channels), tagged(static_cast<uint8_t>(channels == 3), png));
  }
}

void onnx_seeds(const fs::path& source) {
  // Small single-operator models from Debian's libonnx-testdata (the bundled model is over max_len).
  const fs::path testdata = "/usr/share/libonnx-testdata/data/node";
  for (const char* name : {"test_relu", "test_conv_with_strides_padding", "test_maxpool_2d_default",
                           "test_gemm_default_vector_bias", "test_averagepool_2d_default", "test_flatten_default_axis",
                           "test_add", "test_globalaveragepool", "test_batchnorm_example"})
    write("onnx", name, read_file(testdata / name / "model.onnx"));
}

void base_ot_seeds() {
  // A real 4-OT run relayed through this thread, recording what each side reads from its peer.
  // Named pointers, not structured bindings: clang 14 cannot capture those in a lambda.
  auto sender_pair = twain::net::make_memory_channel_pair();
  auto receiver_pair = twain::net::make_memory_channel_pair();
  twain::net::Channel* sender_end = sender_pair.first.get();
  twain::net::Channel* sender_peer = sender_pair.second.get();
  twain::net::Channel* receiver_end = receiver_pair.first.get();
  twain::net::Channel* receiver_peer = receiver_pair.second.get();
  twain::core::Prg sender_prg(twain::core::Seed{10}), receiver_prg(twain::core::Seed{11});
  std::thread sender([&, sender_end] { twain::ot::base_ot_send(*sender_end, sender_prg, 4); });
  std::thread receiver([&, receiver_end] {
    twain::core::BitVector choices(4);
    choices.set(1, true);
    twain::ot::base_ot_receive(*receiver_end, receiver_prg, choices);
  });
  Bytes from_sender(8 + 32), from_receiver(4 * 32);
  sender_peer->recv(from_sender.data(), from_sender.size());
  receiver_peer->send(from_sender.data(), from_sender.size());
  receiver_peer->flush();
  receiver_peer->recv(from_receiver.data(), from_receiver.size());
  sender_peer->send(from_receiver.data(), from_receiver.size());
  sender_peer->flush();
  sender.join();
  receiver.join();
  write("base_ot", "receiver_reads", tagged(0, from_sender));
  write("base_ot", "sender_reads", tagged(1, from_receiver));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_make_corpus SOURCE_DIR\n";
    return 2;
  }
  const fs::path source = argv[1];
  g_corpus = source / "fuzz/corpus";
  he_seeds();
  message_seeds();
  model_seeds(source);
  request_seeds();
  image_seeds(source);
  onnx_seeds(source);
  base_ot_seeds();
  return 0;
}
