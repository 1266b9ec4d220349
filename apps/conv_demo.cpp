#include "conv_demo.hpp"

#include <chrono>
#include <ostream>

#include "core/errors.hpp"
#include "he/decryptor.hpp"
#include "he/encryptor.hpp"
#include "he/evaluator.hpp"
#include "he/serialization.hpp"

namespace twain::apps {
namespace {

// Shape of the demo layer. One input ciphertext holds kBlockChannels x H x W = N values.
constexpr int kPlainBits = 37;
constexpr int kScaleBits = 12;  // fixed-point scale f of inputs and weights
constexpr int kInChannels = 64, kOutChannels = 64, kHeight = 16, kWidth = 16, kKernel = 3;
constexpr int kBlockChannels = 16;
constexpr int kBlocks = kInChannels / kBlockChannels;
constexpr int kOutHeight = kHeight - kKernel + 1, kOutWidth = kWidth - kKernel + 1;
constexpr std::size_t kMaxMessage = std::size_t{1} << 20;

// Coefficient of input value (c, i, j) of a block: channel-row-column order.
std::size_t input_slot(int c, int i, int j) { return (static_cast<std::size_t>(c) * kHeight + i) * kWidth + j; }
// The kernel is written reversed, so the product holds output (i, j) at a known coefficient.
std::size_t kernel_slot(int c, int u, int v) {
  return input_slot(kBlockChannels - 1 - c, kKernel - 1 - u, kKernel - 1 - v);
}
std::size_t output_slot(int i, int j) { return input_slot(kBlockChannels - 1, i + kKernel - 1, j + kKernel - 1); }

std::vector<uint32_t> output_slots() {
  std::vector<uint32_t> slots;
  for (int i = 0; i < kOutHeight; ++i)
    for (int j = 0; j < kOutWidth; ++j) slots.push_back(static_cast<uint32_t>(output_slot(i, j)));
  return slots;
}

// Weights k[o][c][u][v] and inputs x[c][i][j], fixed-point values in [-2^f, 2^f].
std::vector<int64_t> random_fixed_point(std::size_t count, core::Prg& prg) {
  std::vector<int64_t> v(count);
  for (auto& x : v) x = static_cast<int64_t>(prg.uniform((uint64_t{2} << kScaleBits) + 1)) - (int64_t{1} << kScaleBits);
  return v;
}
std::size_t weight_index(int o, int c, int u, int v) {
  return ((static_cast<std::size_t>(o) * kInChannels + c) * kKernel + u) * kKernel + v;
}

// The plaintext convolution mod 2^l, by direct loops: the oracle the secure result must equal.
std::vector<uint64_t> plaintext_convolution(const std::vector<int64_t>& x, const std::vector<int64_t>& k) {
  std::vector<uint64_t> y;
  for (int o = 0; o < kOutChannels; ++o)
    for (int i = 0; i < kOutHeight; ++i)
      for (int j = 0; j < kOutWidth; ++j) {
        uint64_t sum = 0;
        for (int c = 0; c < kInChannels; ++c)
          for (int u = 0; u < kKernel; ++u)
            for (int v = 0; v < kKernel; ++v) {
              const int64_t in = x[(static_cast<std::size_t>(c) * kHeight + i + u) * kWidth + j + v];
              sum += static_cast<uint64_t>(in * k[weight_index(o, c, u, v)]);
            }
        y.push_back(sum & ((uint64_t{1} << kPlainBits) - 1));
      }
  return y;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void run_conv_demo_server(net::Channel& channel, std::ostream& log) {
  const auto context = he::Context::create(he::Parameters::standard(kPlainBits));
  core::Prg prg = core::Prg::from_os();
  // Demo only: the weights come from a seed revealed at the end so the client can check the result.
  const core::Seed weight_seed = prg.derive_seed();
  core::Prg weight_prg(weight_seed);
  const auto weights = random_fixed_point(static_cast<std::size_t>(kOutChannels) * kInChannels * kKernel * kKernel, weight_prg);

  const auto preprocess_start = std::chrono::steady_clock::now();
  std::vector<he::NttPlaintext> kernels;  // [o][block]
  for (int o = 0; o < kOutChannels; ++o)
    for (int b = 0; b < kBlocks; ++b) {
      std::vector<int64_t> poly(context->n(), 0);
      for (int c = 0; c < kBlockChannels; ++c)
        for (int u = 0; u < kKernel; ++u)
          for (int v = 0; v < kKernel; ++v) poly[kernel_slot(c, u, v)] = weights[weight_index(o, b * kBlockChannels + c, u, v)];
      // Public bounds: the fixed-point range and the kernel's support, not the weights themselves.
      kernels.push_back(he::NttPlaintext::from_signed(*context, poly, {uint64_t{1} << kScaleBits, kBlockChannels * kKernel * kKernel}));
    }
  log << "[server] weights encoded and NTT-transformed once: " << kernels.size() << " polynomials in "
      << seconds_since(preprocess_start) * 1e3 << " ms\n";

  const he::PublicKey pk = he::deserialize_public_key(*context, channel.recv_message(kMaxMessage));
  std::vector<he::Ciphertext> inputs;
  for (int b = 0; b < kBlocks; ++b) inputs.push_back(he::deserialize_client_ciphertext(*context, channel.recv_message(kMaxMessage)));

  const auto online_start = std::chrono::steady_clock::now();
  const auto slots = output_slots();
  std::vector<uint64_t> server_shares;
  for (int o = 0; o < kOutChannels; ++o) {
    he::MultiplyAccumulator acc(*context);
    for (int b = 0; b < kBlocks; ++b) acc.add(inputs[b], kernels[static_cast<std::size_t>(o) * kBlocks + b]);
    std::vector<uint64_t> mask(context->n());
    for (auto& r : mask) r = prg.next_u64() & context->plain_mask();
    channel.send_message(he::serialize(*context, he::finish_response(*context, acc.result(), mask, pk, prg, slots)));
    for (uint32_t s : slots) server_shares.push_back((0 - mask[s]) & context->plain_mask());
  }
  channel.flush();
  log << "[server] " << kOutChannels << " responses computed and sent in " << seconds_since(online_start) * 1e3
      << " ms\n";
  // Demo only: reveal the weights' seed and the server's output shares so the client can verify.
  channel.send(std::span<const uint8_t>(weight_seed));
  channel.send(std::span<const uint64_t>(server_shares));
  channel.flush();
}

ConvDemoReport run_conv_demo_client(net::Channel& channel, std::ostream& log) {
  const auto context = he::Context::create(he::Parameters::standard(kPlainBits));
  core::Prg prg = core::Prg::from_os();
  const auto start = std::chrono::steady_clock::now();
  const auto before = channel.counters();
  const he::SecretKey sk = he::generate_secret_key(*context, prg);
  channel.send_message(he::serialize(*context, he::generate_public_key(*context, sk, prg)));

  const auto input = random_fixed_point(static_cast<std::size_t>(kInChannels) * kHeight * kWidth, prg);
  for (int b = 0; b < kBlocks; ++b) {
    std::vector<uint64_t> message(context->n());
    for (int c = 0; c < kBlockChannels; ++c)
      for (int i = 0; i < kHeight; ++i)
        for (int j = 0; j < kWidth; ++j) {
          const int64_t v = input[input_slot(b * kBlockChannels + c, i, j)];
          message[input_slot(c, i, j)] = static_cast<uint64_t>(v) & context->plain_mask();
        }
    channel.send_message(he::serialize(*context, he::encrypt(*context, sk, message, prg)));
  }
  log << "[client] input encrypted and sent: " << kBlocks << " ciphertexts" << std::endl;

  ConvDemoReport report;
  const auto slots = output_slots();
  std::vector<uint64_t> client_shares;
  for (int o = 0; o < kOutChannels; ++o) {
    const he::SwitchedCiphertext response = he::deserialize_switched(*context, channel.recv_message(kMaxMessage), slots);
    report.response_bits = response.bits;
    const auto share = he::decrypt(*context, sk, response);
    client_shares.insert(client_shares.end(), share.begin(), share.end());
  }
  report.seconds = seconds_since(start);
  report.traffic = channel.counters() - before;

  core::Seed weight_seed;
  channel.recv(std::span<uint8_t>(weight_seed));
  std::vector<uint64_t> server_shares(client_shares.size());
  channel.recv(std::span<uint64_t>(server_shares));
  core::Prg weight_prg(weight_seed);
  const auto weights = random_fixed_point(static_cast<std::size_t>(kOutChannels) * kInChannels * kKernel * kKernel, weight_prg);
  const auto expected = plaintext_convolution(input, weights);
  report.outputs = expected.size();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (((client_shares[i] + server_shares[i]) & context->plain_mask()) != expected[i]) ++report.mismatches;
  }
  return report;
}

}  // namespace twain::apps
