#include "linear/conv2d_server.hpp"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

#include "core/errors.hpp"
#include "he/encoding.hpp"
#include "he/serialization.hpp"
#include "linear/group_merge.hpp"
#include "linear/parallel.hpp"
#include "linear/strided_pointwise.hpp"

namespace twain::linear {

Conv2dServer::Conv2dServer(he::ContextPtr context, const core::Conv2dGeometry& shape, std::span<const int64_t> weights,
                           uint64_t weight_bound, std::size_t precompute_limit_bytes, const he::FloodBudget& budget)
    : context_(std::move(context)), layer_(shape), plan_(plan_layer(shape, *context_, weight_bound, budget)) {
  TWAIN_REQUIRE(weights.size() == shape.weight_size(), InvalidArgument,
                "Conv2dServer: " + std::to_string(weights.size()) + " weights where " + shape.describe() +
                    " takes " + std::to_string(shape.weight_size()));
  const auto bound = static_cast<int64_t>(weight_bound);
  const auto outside = std::find_if(weights.begin(), weights.end(), [&](int64_t w) { return w < -bound || w > bound; });
  TWAIN_REQUIRE(outside == weights.end(), InvalidArgument,
                "Conv2dServer: weight " + std::to_string(outside - weights.begin()) +
                    " exceeds the public bound " + std::to_string(weight_bound) + " in magnitude");
  const int merged = shape.groups / plan_.shape().groups;
  const std::vector<int64_t> merged_weights =
      merged > 1 ? merge_group_weights(shape, weights, merged) : std::vector<int64_t>(weights.begin(), weights.end());
  const std::size_t count = plan_.kernel_count();
  const std::size_t poly_bytes = context_->n() * context_->rns().size() * sizeof(uint32_t);
  if (!plan_.constant_kernels() && count > precompute_limit_bytes / poly_bytes) {
    auto owned = std::make_shared<const std::vector<int64_t>>(merged_weights);
    weights_ = {std::shared_ptr<const int64_t>(owned, owned->data()), owned->size()};
    kernel_bytes_ = weights_.count * sizeof(int64_t);
    return;
  }
  kernels_.reserve(count);
  for (int g = 0; g < plan_.shape().groups; ++g)
    for (int r = 0; r < plan_.responses_per_block(); ++r)
      for (int j = 0; j < plan_.weight_digits().count; ++j)
        for (int b = 0; b < plan_.channel_blocks(); ++b) {
          kernels_.push_back(make_kernel(merged_weights, g, r, j, b));
          kernel_bytes_ += kernels_.back().memory_bytes();
        }
}

Conv2dServer::Conv2dServer(he::ContextPtr context, const core::Conv2dGeometry& shape, uint64_t weight_bound,
                           const he::FloodBudget& budget, const PreparedLayer& prepared)
    : context_(std::move(context)), layer_(shape), plan_(plan_layer(shape, *context_, weight_bound, budget)) {
  if (const auto* weights = std::get_if<PreparedWeights>(&prepared)) {
    weights_ = *weights;
    const int merged = shape.groups / plan_.shape().groups;
    TWAIN_REQUIRE(weights_.count > 0 && weights_.count == merge_groups(shape, merged).weight_size(), InvalidArgument,
                  "Conv2dServer: " + std::to_string(weights_.count) + " prepared weights where " + shape.describe() +
                      " takes " + std::to_string(shape.weight_size()));
    const auto bound = static_cast<int64_t>(weight_bound);
    const std::span<const int64_t> values = weights_.values();
    TWAIN_REQUIRE(std::all_of(values.begin(), values.end(), [&](int64_t w) { return w >= -bound && w <= bound; }),
                  InvalidArgument,
                  "Conv2dServer: a prepared weight exceeds the public bound " + std::to_string(weight_bound));
    kernel_bytes_ = weights_.count * sizeof(int64_t);
    return;
  }
  const PreparedKernels kernels = std::get<PreparedKernels>(prepared);
  TWAIN_REQUIRE(kernels.size() == plan_.kernel_count(), InvalidArgument,
                "Conv2dServer: " + std::to_string(kernels.size()) + " prepared kernels where the plan of " +
                    shape.describe() + " has " + std::to_string(plan_.kernel_count()));
  kernels_.reserve(kernels.size());
  std::size_t index = 0;
  for (int g = 0; g < plan_.shape().groups; ++g)
    for (int r = 0; r < plan_.responses_per_block(); ++r)
      for (int j = 0; j < plan_.weight_digits().count; ++j)
        for (int b = 0; b < plan_.channel_blocks(); ++b) {
          const he::PlainBound bound = plan_.kernel_bound(b, r);
          const std::span<const uint32_t> words = kernels[index++];
          kernels_.push_back(plan_.constant_kernels() ? he::NttPlaintext::constant_from_residues(*context_, words, bound)
                                                      : he::NttPlaintext::view(*context_, words, bound));
          // The words of a view lie in the mapping, which holds them for this layer.
          kernel_bytes_ += kernels_.back().memory_bytes() +
                           (plan_.constant_kernels() ? 0 : words.size() * sizeof(uint32_t));
      }
}

std::vector<std::span<const uint32_t>> Conv2dServer::kernel_words() const {
  std::vector<std::span<const uint32_t>> words;
  for (const he::NttPlaintext& k : kernels_) words.push_back(k.is_constant() ? k.residues() : k.ntt());
  return words;
}

he::NttPlaintext Conv2dServer::make_kernel(std::span<const int64_t> weights, int group, int response, int digit,
                                           int channel_block) const {
  // Public bounds only: the digit bound and the packed kernel's support in this channel block.
  const he::PlainBound bound = plan_.kernel_bound(channel_block, response);
  std::vector<int64_t> poly = plan_.encode_kernel(weights, group, response, channel_block);
  // The kernel of a digit is the digits of the kernel (a zero's digits are zeros).
  if (plan_.weight_digits().count > 1)
    for (int64_t& w : poly) w = plan_.weight_digit(w, digit);
  return plan_.constant_kernels() ? he::NttPlaintext::constant(*context_, poly[0], bound)
                                  : he::NttPlaintext::from_signed(*context_, poly, bound);
}

void Conv2dServer::accumulate(he::MultiplyAccumulator& acc, const he::Ciphertext& input, int group, int response,
                              int digit, int channel_block) const {
  if (precomputed()) {
    const std::size_t index =
        ((static_cast<std::size_t>(group) * static_cast<std::size_t>(plan_.responses_per_block()) +
          static_cast<std::size_t>(response)) * static_cast<std::size_t>(plan_.weight_digits().count) +
         static_cast<std::size_t>(digit)) * static_cast<std::size_t>(plan_.channel_blocks()) +
        static_cast<std::size_t>(channel_block);
    acc.add(input, kernels_[index]);
  } else {
    acc.add(input, make_kernel(weights_.values(), group, response, digit, channel_block));
  }
}

std::vector<uint64_t> Conv2dServer::run(net::Channel& channel, const he::PublicKey& pk,
                                        std::span<const uint64_t> server_share, core::Prg& prg,
                                        core::ThreadPool* pool) const {
  const bool first_layer = server_share.empty();
  TWAIN_REQUIRE(first_layer || server_share.size() == layer_.input_size(), InvalidArgument,
                "Conv2dServer: share of " + std::to_string(server_share.size()) + " values where " +
                    layer_.describe() + " takes " + std::to_string(layer_.input_size()) +
                    " (or none in first-layer mode)");
  std::vector<uint64_t> subsampled;
  if (!first_layer) server_share = unstrided_input(layer_, server_share, subsampled);
  const he::Context& context = *context_;
  const core::Conv2dGeometry& shape = plan_.shape();
  const auto& spatial = plan_.spatial_blocks();
  const auto channel_blocks = static_cast<std::size_t>(plan_.channel_blocks());

  // Every upload first: the client sends them all before it reads, so answering early could
  // fill both directions of the transport at once.
  const std::size_t upload_count = plan_.uploads();
  const std::vector<core::Seed> upload_seeds = derive_seeds(prg, first_layer ? 0 : upload_count);
  std::vector<he::Ciphertext> inputs(upload_count);
  const std::size_t batch = batch_size(pool);
  std::vector<std::vector<uint8_t>> messages(batch);
  for (std::size_t start = 0; start < upload_count; start += batch) {
    std::exception_ptr lost;
    const std::size_t count = receive_until_lost(
        std::min(batch, upload_count - start),
        [&](std::size_t i) { messages[i] = channel.recv_message(plan_.upload_bytes()); }, lost);
    for_each_index(pool, count, [&](std::size_t i) {
      const std::size_t index = start + i;
      he::Ciphertext ct = he::deserialize_client_ciphertext(context, messages[i]);
      if (first_layer) {
        // No server share: the noise estimate still counts one, so that the response moduli,
        // and with them every message size, do not depend on the mode the client cannot see.
        ct.noise.variance += he::kRoundingVariance;
      } else {
        // Uploads are ordered group, spatial block, channel block.
        const std::size_t b = index % channel_blocks, s = index / channel_blocks % spatial.size();
        const int g = static_cast<int>(index / channel_blocks / spatial.size());
        core::Prg child(upload_seeds[index]);
        he::add_plain(context, ct, plan_.encode_input(server_share, g, static_cast<int>(b), spatial[s]), child);
      }
      inputs[index] = std::move(ct);
    });
    if (lost) std::rethrow_exception(lost);
  }
  // The noise estimate (hence the plan's response moduli) assumes independent encryptions.
  for (std::size_t block = 0; block < inputs.size(); block += channel_blocks) {
    std::vector<core::Seed> seeds;
    for (std::size_t b = 0; b < channel_blocks; ++b) seeds.push_back(*inputs[block + b].seed);
    std::sort(seeds.begin(), seeds.end());
    TWAIN_REQUIRE(std::adjacent_find(seeds.begin(), seeds.end()) == seeds.end(), FormatError,
                  "Conv2dServer: the client reused a ciphertext seed within one block (" + shape.describe() + ")");
  }

  // Responses, ordered group, spatial block, response, digit; each from its own child generator.
  // One task answers every digit of a response, so that concurrent tasks write disjoint shares.
  std::vector<uint64_t> share(shape.output_size());
  const auto responses = static_cast<std::size_t>(plan_.responses_per_block());
  const WeightDigits& digits = plan_.weight_digits();
  const auto digit_count = static_cast<std::size_t>(digits.count);
  const std::size_t total = plan_.responses(), tasks = total / digit_count;
  const std::vector<core::Seed> response_seeds = derive_seeds(prg, total);
  std::vector<std::vector<uint8_t>> answers(batch * digit_count);
  const auto respond = [&](std::size_t index, std::vector<uint8_t>* out) {
    const std::size_t r = index % responses, s = index / responses % spatial.size();
    const std::size_t g = index / responses / spatial.size();
    const SpatialBlock& block = spatial[s];
    const auto response_index = static_cast<int>(r);
    const he::Ciphertext* block_inputs = &inputs[(g * spatial.size() + s) * channel_blocks];
    const std::vector<uint32_t> kept = plan_.response_kept(block, response_index);
    // The server's share: -sum_j r_j 2^(d j) over the digits' masks.
    std::vector<uint64_t> masked(kept.size(), 0);
    for (std::size_t j = 0; j < digit_count; ++j) {
      core::Prg child(response_seeds[index * digit_count + j]);
      he::MultiplyAccumulator acc(context);
      for (std::size_t b = 0; b < channel_blocks; ++b)
        accumulate(acc, block_inputs[b], static_cast<int>(g), response_index, static_cast<int>(j), static_cast<int>(b));
      std::vector<uint64_t> mask(context.n());
      for (auto& x : mask) x = child.next_u64() & context.plain_mask();
      const he::SwitchedCiphertext response =
          he::finish_response(context, acc.result(), mask, pk, child, kept, plan_.flood_budget());
      // The client sizes every response from the public plan; a mismatch is a bug, caught here.
      TWAIN_REQUIRE(response.bits == plan_.response_bits(block, response_index), Error,
                    "Conv2dServer: response modulus 2^" + std::to_string(response.bits) +
                        " differs from the plan's 2^" + std::to_string(plan_.response_bits(block, response_index)) +
                        " (" + shape.describe() + ")");
      const int shift = static_cast<int>(j) * digits.bits;
      for (std::size_t i = 0; i < kept.size(); ++i) masked[i] += mask[kept[i]] << shift;
      out[j] = he::serialize(context, response);
    }
    const int first = static_cast<int>(g) * shape.out_channels_per_group() +
                      response_index * plan_.channels_per_response();
    const std::size_t m = block.kept.size();
    for (std::size_t i = 0; i < kept.size(); ++i)
      share[plan_.output_index(first + static_cast<int>(i / m), block, i % m)] = (0 - masked[i]) & context.plain_mask();
  };
  for (std::size_t start = 0; start < tasks; start += batch) {
    const std::size_t count = std::min(batch, tasks - start);
    for_each_index(pool, count, [&](std::size_t i) { respond(start + i, &answers[i * digit_count]); });
    for (std::size_t i = 0; i < count * digit_count; ++i) channel.send_message(answers[i]);
  }
  channel.flush();
  return share;
}

}  // namespace twain::linear
