// A standalone BatchNormalization (one not folded into a preceding convolution, e.g. DenseNet's
// BN before ReLU) on additive shares in Z_{2^l}, DESIGN.md section 4: y[c] = scale[c] x[c] +
// shift[c] per channel c, with scale[c] = gamma / sqrt(var + eps) at scale f and shift[c] =
// beta - mean scale[c] at scale 2f (the caller truncates by f afterwards, as after a convolution).
//
// The scale is a depthwise 1 x 1 convolution (groups = channels): each channel's block is its own
// ciphertext, multiplied by the constant polynomial scale[c] (Cheetah's HomBN, Huang et al.,
// USENIX Security 2022, section 4.3); the protocol is Conv2dServer / Conv2dClient's. The shift is
// the server's and is added to its output share, with no message.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/prg.hpp"
#include "he/keys.hpp"
#include "linear/conv2d_client.hpp"
#include "linear/conv2d_server.hpp"
#include "net/channel.hpp"

namespace twain::linear {

struct BatchNormShape {
  int channels = 0, height = 0, width = 0;

  // Throws InvalidArgument naming the extent outside [1, core::kMaxExtent].
  void validate() const;
  // The depthwise 1 x 1 convolution applying the scales (its weights are the C scales).
  core::Conv2dGeometry as_conv2d() const;
  std::size_t size() const;
  // "BatchNorm 64x56x56".
  std::string describe() const;
};

class BatchNormServer {
 public:
  // scale: C fixed-point integers with |scale| <= scale_bound (the public bound, below 2^40);
  // shift: C values below 2^l (Z_{2^l}). Throws InvalidArgument for wrong counts or values,
  // CapacityError as Conv2dServer's constructor, which also says how precompute_limit_bytes
  // decides where the kernels are kept.
  BatchNormServer(he::ContextPtr context, const BatchNormShape& shape, std::span<const int64_t> scale,
                  std::span<const uint64_t> shift, uint64_t scale_bound, std::size_t precompute_limit_bytes = SIZE_MAX,
                  const he::FloodBudget& budget = {});
  // From what a server of the same layer kept for its scales (Conv2dServer's constructor from it).
  BatchNormServer(he::ContextPtr context, const BatchNormShape& shape, std::span<const uint64_t> shift,
                  uint64_t scale_bound, const he::FloodBudget& budget, const PreparedLayer& prepared);

  const Conv2dPlan& plan() const { return conv_.plan(); }
  // The convolution applying the scales.
  const Conv2dServer& convolution() const { return conv_; }

  // server_share: CHW values below 2^l. Returns the server's output share (CHW), shift included.
  // Throws, and uses pool, as Conv2dServer::run.
  std::vector<uint64_t> run(net::Channel& channel, const he::PublicKey& pk, std::span<const uint64_t> server_share,
                            core::Prg& prg, core::ThreadPool* pool = nullptr) const;

 private:
  void check_shift() const;

  BatchNormShape shape_;
  uint64_t plain_mask_;
  std::vector<uint64_t> shift_;
  Conv2dServer conv_;
};

class BatchNormClient {
 public:
  BatchNormClient(he::ContextPtr context, const BatchNormShape& shape, uint64_t scale_bound,
                  const he::FloodBudget& budget = {});

  const Conv2dPlan& plan() const { return conv_.plan(); }

  // client_share: CHW values below 2^l. Returns the client's output share. Throws as
  // Conv2dClient::run, and uses pool as it does.
  std::vector<uint64_t> run(net::Channel& channel, const he::SecretKey& sk, std::span<const uint64_t> client_share,
                            core::Prg& prg, core::ThreadPool* pool = nullptr) const;

 private:
  Conv2dClient conv_;
};

}  // namespace twain::linear
