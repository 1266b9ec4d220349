#include "linear/conv2d_client.hpp"

#include <string>
#include <utility>

#include "core/errors.hpp"
#include "he/decryptor.hpp"
#include "he/encryptor.hpp"
#include "he/serialization.hpp"

namespace twain::linear {

Conv2dClient::Conv2dClient(he::ContextPtr context, const Conv2dShape& shape, uint64_t weight_bound)
    : context_(std::move(context)), plan_(shape, *context_, weight_bound) {}

std::vector<uint64_t> Conv2dClient::run(net::Channel& channel, const he::SecretKey& sk,
                                        std::span<const uint64_t> client_share, core::Prg& prg) const {
  const he::Context& context = *context_;
  const Conv2dShape& shape = plan_.shape();
  const auto& spatial = plan_.spatial_blocks();
  TWAIN_REQUIRE(client_share.size() == shape.input_size(), InvalidArgument,
                "Conv2dClient: share of " + std::to_string(client_share.size()) + " values where " + shape.describe() +
                    " takes " + std::to_string(shape.input_size()));
  for (int g = 0; g < shape.groups; ++g)
    for (const SpatialBlock& block : spatial)
      for (int b = 0; b < plan_.channel_blocks(); ++b)
        channel.send_message(
            he::serialize(context, he::encrypt(context, sk, plan_.encode_input(client_share, g, b, block), prg)));
  channel.flush();

  std::vector<uint64_t> share(shape.output_size());
  for (int g = 0; g < shape.groups; ++g)
    for (const SpatialBlock& block : spatial)
      for (int r = 0; r < plan_.responses_per_block(); ++r) {
        const std::size_t expected = plan_.response_bytes(block, r);
        const std::vector<uint8_t> bytes = channel.recv_message(expected);
        TWAIN_REQUIRE(bytes.size() == expected, FormatError,
                      "Conv2dClient: response of " + std::to_string(bytes.size()) + " bytes where " +
                          std::to_string(expected) + " were expected (" + shape.describe() + ")");
        const he::SwitchedCiphertext response = he::deserialize_switched(context, bytes, plan_.response_kept(block, r));
        TWAIN_REQUIRE(response.bits == plan_.response_bits(block, r), FormatError,
                      "Conv2dClient: response at modulus 2^" + std::to_string(response.bits) + " where 2^" +
                          std::to_string(plan_.response_bits(block, r)) + " was expected (" + shape.describe() + ")");
        const std::vector<uint64_t> values = he::decrypt(context, sk, response);
        const int first = g * shape.out_channels_per_group() + r * plan_.channels_per_response();
        const std::size_t m = block.kept.size();
        for (std::size_t i = 0; i < values.size(); ++i)
          share[plan_.output_index(first + static_cast<int>(i / m), block, i % m)] = values[i];
      }
  return share;
}

}  // namespace twain::linear
