// The server side of a two-party convolution on additive shares in Z_{2^l}: Cheetah's HomConv
// (Huang, Lu, Hong, Liu, Zhang, Wang, "Cheetah: Lean and Fast Secure Two-Party Deep Neural
// Network Inference", USENIX Security 2022, section 4.1), with the encoding of Conv2dPlan.
//
// Per layer: the client sends its share, block by block, as seeded ciphertexts; the server adds
// its share block, multiply-accumulates each response's packed kernel polynomials (one or more
// output channels each) over the channel blocks of a spatial block, and answers with
// he::finish_response under a fresh mask r (its output share is -r), keeping only the c0
// coefficients of the block's outputs. The client
// decrypts its output share x * w + r. Message counts and sizes come from the plan on both sides.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <variant>
#include <vector>

#include "core/prg.hpp"
#include "core/thread_pool.hpp"
#include "he/evaluator.hpp"
#include "he/keys.hpp"
#include "he/plaintext.hpp"
#include "linear/conv2d_plan.hpp"
#include "net/channel.hpp"

namespace twain::linear {

// A layer's kernels as made before (Conv2dServer::kernel_words of a server of the same layer,
// plan and parameters), in [group][response][weight digit][channel block] order: NTT-form words, or a
// constant's residues.
using PreparedKernels = std::span<const std::span<const uint32_t>>;

// The weights of a layer that transforms its kernels on use, as Conv2dServer::on_demand_weights
// gives them (groups already merged as the plan runs them), and what keeps them alive.
struct PreparedWeights {
  std::shared_ptr<const int64_t> data;
  std::size_t count = 0;
  std::span<const int64_t> values() const { return {data.get(), count}; }
};

// What a layer was prepared with: its precomputed kernels, or its weights (on demand).
using PreparedLayer = std::variant<PreparedKernels, PreparedWeights>;

class Conv2dServer {
 public:
  // weights: OIHW fixed-point integers with |w| <= weight_bound (the public bound, below 2^40).
  // Plans the layer and keeps its kernel polynomials in one of two ways, then is immutable and
  // may serve any number of sessions, concurrently:
  //   precomputed: NTT-transformed once (64 KiB each at n = 4096), when they fit in
  //     precompute_limit_bytes;
  //   on demand: otherwise only the weights are kept, and each session encodes and transforms a
  //     kernel when it uses it (one NTT per kernel and use; same messages, same result).
  // Constant kernels (Conv2dPlan::constant_kernels) are kept as scalars either way.
  // budget: the session's flooding budget (Conv2dPlan). Throws InvalidArgument for a bad shape,
  // weight count or weight, CapacityError when the bound does not fit the parameters.
  Conv2dServer(he::ContextPtr context, const core::Conv2dGeometry& shape, std::span<const int64_t> weights,
               uint64_t weight_bound, std::size_t precompute_limit_bytes = SIZE_MAX,
               const he::FloodBudget& budget = {});

  // From what a server of the same layer, plan and parameters kept: its prepared kernels, which
  // are not copied (they must outlive this object, as a mapped model file does; constants are
  // copied), or its on-demand weights (not copied either; PreparedWeights keeps them alive).
  // Throws InvalidArgument when their count or sizes do not match the plan, or a weight its bound;
  // CapacityError as the other constructor.
  Conv2dServer(he::ContextPtr context, const core::Conv2dGeometry& shape, uint64_t weight_bound,
               const he::FloodBudget& budget, const PreparedLayer& prepared);

  const Conv2dPlan& plan() const { return plan_; }
  bool precomputed() const { return weights_.count == 0; }
  // The words of every precomputed kernel (what PreparedKernels takes back); empty when on demand.
  std::vector<std::span<const uint32_t>> kernel_words() const;
  // The weights a layer on demand keeps (what PreparedWeights takes back); empty when precomputed.
  std::span<const int64_t> on_demand_weights() const { return weights_.values(); }
  // Bytes the layer keeps for its kernels (precomputed kernels, or the weights).
  std::size_t kernel_bytes() const { return kernel_bytes_; }

  // One layer with one client. server_share: the server's input share (CHW, values < 2^l), or
  // empty in first-layer mode (the client owns the whole input). Returns the server's output
  // share (C'H'W'). Throws InvalidArgument for a share of the wrong size or with a value not
  // below 2^l, FormatError for a malformed or unexpected message from the client (including a
  // ciphertext seed repeated within one block), NetworkError when the transport fails. pool:
  // optional threads for the uploads' decoding and the responses; the result and every message
  // are the same for any pool (each upload and response has a child generator of prg).
  std::vector<uint64_t> run(net::Channel& channel, const he::PublicKey& pk, std::span<const uint64_t> server_share,
                            core::Prg& prg, core::ThreadPool* pool = nullptr) const;

 private:
  // acc += input * the kernel of (group, response, weight digit, channel block).
  void accumulate(he::MultiplyAccumulator& acc, const he::Ciphertext& input, int group, int response, int digit,
                  int channel_block) const;
  he::NttPlaintext make_kernel(std::span<const int64_t> weights, int group, int response, int digit,
                               int channel_block) const;

  he::ContextPtr context_;
  core::Conv2dGeometry layer_;  // as given; plan_ may run it unstrided (strided_pointwise.hpp) or with merged groups
  Conv2dPlan plan_;
  std::vector<he::NttPlaintext> kernels_;  // [group][response][digit][channel block], when precomputed
  PreparedWeights weights_;                // when on demand: owned, or in a mapped file
  std::size_t kernel_bytes_ = 0;
};

}  // namespace twain::linear
