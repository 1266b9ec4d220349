#include "linear/conv2d_client.hpp"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

#include "core/errors.hpp"
#include "he/decryptor.hpp"
#include "he/encryptor.hpp"
#include "he/serialization.hpp"
#include "linear/group_merge.hpp"
#include "linear/parallel.hpp"
#include "linear/strided_pointwise.hpp"

namespace twain::linear {

Conv2dClient::Conv2dClient(he::ContextPtr context, const core::Conv2dGeometry& shape, uint64_t weight_bound,
                           const he::FloodBudget& budget)
    : context_(std::move(context)), layer_(shape), plan_(plan_layer(shape, *context_, weight_bound, budget)) {}

std::vector<uint64_t> Conv2dClient::run(net::Channel& channel, const he::SecretKey& sk,
                                        std::span<const uint64_t> client_share, core::Prg& prg,
                                        core::ThreadPool* pool) const {
  TWAIN_REQUIRE(client_share.size() == layer_.input_size(), InvalidArgument,
                "Conv2dClient: share of " + std::to_string(client_share.size()) + " values where " +
                    layer_.describe() + " takes " + std::to_string(layer_.input_size()));
  std::vector<uint64_t> subsampled;
  client_share = unstrided_input(layer_, client_share, subsampled);
  const he::Context& context = *context_;
  const core::Conv2dGeometry& shape = plan_.shape();
  const auto& spatial = plan_.spatial_blocks();
  TWAIN_REQUIRE(client_share.size() == shape.input_size(), InvalidArgument,
                "Conv2dClient: share of " + std::to_string(client_share.size()) + " values where " + shape.describe() +
                    " takes " + std::to_string(shape.input_size()));
  const std::size_t batch = batch_size(pool);
  std::vector<std::vector<uint8_t>> messages(batch);

  // Uploads, ordered group, spatial block, channel block; each encrypted with its own child generator.
  const auto channel_blocks = static_cast<std::size_t>(plan_.channel_blocks());
  const std::size_t uploads = plan_.uploads();
  const std::vector<core::Seed> seeds = derive_seeds(prg, uploads);
  for (std::size_t start = 0; start < uploads; start += batch) {
    const std::size_t count = std::min(batch, uploads - start);
    for_each_index(pool, count, [&](std::size_t i) {
      const std::size_t index = start + i;
      const std::size_t b = index % channel_blocks, s = index / channel_blocks % spatial.size();
      const int g = static_cast<int>(index / channel_blocks / spatial.size());
      core::Prg child(seeds[index]);
      messages[i] = he::serialize(
          context, he::encrypt(context, sk, plan_.encode_input(client_share, g, static_cast<int>(b), spatial[s]), child));
    });
    for (std::size_t i = 0; i < count; ++i) channel.send_message(messages[i]);
  }
  channel.flush();

  // Responses, ordered group, spatial block, response, weight digit: read in order, decrypted
  // concurrently, a response's digits by one task (sum_j (x w_j + r_j) 2^(d j)).
  std::vector<uint64_t> share(shape.output_size());
  const auto responses = static_cast<std::size_t>(plan_.responses_per_block());
  const WeightDigits& digits = plan_.weight_digits();
  const auto digit_count = static_cast<std::size_t>(digits.count);
  const std::size_t tasks = plan_.responses() / digit_count;
  messages.resize(batch * digit_count);
  for (std::size_t start = 0; start < tasks; start += batch) {
    std::exception_ptr lost;
    // Only responses whose every digit arrived are decrypted before a lost connection is rethrown.
    const std::size_t count = receive_until_lost(
                                  std::min(batch, tasks - start) * digit_count,
        [&](std::size_t i) {
          const std::size_t index = start + i / digit_count;
          const SpatialBlock& block = spatial[index / responses % spatial.size()];
          const std::size_t expected = plan_.response_bytes(block, static_cast<int>(index % responses));
          messages[i] = channel.recv_message(expected);
          TWAIN_REQUIRE(messages[i].size() == expected, FormatError,
                        "Conv2dClient: response of " + std::to_string(messages[i].size()) + " bytes where " +
                            std::to_string(expected) + " were expected (" + shape.describe() + ")");
        },
        lost) / digit_count;
    for_each_index(pool, count, [&](std::size_t i) {
      const std::size_t index = start + i;
      const int r = static_cast<int>(index % responses);
      const std::size_t g = index / responses / spatial.size();
      const SpatialBlock& block = spatial[index / responses % spatial.size()];
      const std::vector<uint32_t> kept = plan_.response_kept(block, r);
      std::vector<uint64_t> values(kept.size(), 0);
      for (std::size_t j = 0; j < digit_count; ++j) {
        const he::SwitchedCiphertext response = he::deserialize_switched(context, messages[i * digit_count + j], kept);
        TWAIN_REQUIRE(response.bits == plan_.response_bits(block, r), FormatError,
                      "Conv2dClient: response at modulus 2^" + std::to_string(response.bits) + " where 2^" +
                          std::to_string(plan_.response_bits(block, r)) + " was expected (" + shape.describe() + ")");
        const std::vector<uint64_t> digit = he::decrypt(context, sk, response);
        const int shift = static_cast<int>(j) * digits.bits;
        for (std::size_t k = 0; k < values.size(); ++k) values[k] += digit[k] << shift;
      }
      const int first = static_cast<int>(g) * shape.out_channels_per_group() + r * plan_.channels_per_response();
      const std::size_t m = block.kept.size();
      for (std::size_t j = 0; j < values.size(); ++j)
        share[plan_.output_index(first + static_cast<int>(j / m), block, j % m)] = values[j] & context.plain_mask();
    });
    if (lost) std::rethrow_exception(lost);
  }
  return share;
}

}  // namespace twain::linear
