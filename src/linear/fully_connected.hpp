// A fully connected layer (ONNX Gemm y = W x for one input vector, W of O x I, no bias: a bias at
// scale 2f is added to either output share by the caller) on additive shares in Z_{2^l}: Cheetah's
// HomFC (Huang, Lu, Hong, Liu, Zhang, Wang, "Cheetah", USENIX Security 2022, section 4.2).
//
// It is the convolution encoding of conv2d_plan.hpp for a 1 x 1 input and kernel with I input
// and O output channels: the input is cut into blocks of Cn features, x(X) = sum x[c] X^c, a row
// of W over a block is reversed, k(X) = sum w[o][c] X^(Cn - 1 - c), so x k holds the block's dot
// product at coefficient Cn - 1, and P rows share a response at offsets j Cn (P Cn <= N). The
// plan chooses Cn and P for the fewest bytes; the protocol is Conv2dServer / Conv2dClient's.
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

struct FullyConnectedShape {
  int in_features = 0, out_features = 0;

  // Throws InvalidArgument naming the feature count outside [1, core::kMaxExtent].
  void validate() const;
  // The 1 x 1 convolution computing the same layer (weights O x I row-major are its OIHW).
  core::Conv2dGeometry as_conv2d() const;
  // "FullyConnected 512 -> 1000".
  std::string describe() const;
};

class FullyConnectedServer {
 public:
  // weights: O x I row-major fixed-point integers with |w| <= weight_bound (below 2^40). Throws
  // as Conv2dServer's constructor.
  FullyConnectedServer(he::ContextPtr context, const FullyConnectedShape& shape, std::span<const int64_t> weights,
                       uint64_t weight_bound, std::size_t precompute_limit_bytes = SIZE_MAX,
                       const he::FloodBudget& budget = {});
  // From what a server of the same layer kept (Conv2dServer's constructor from it).
  FullyConnectedServer(he::ContextPtr context, const FullyConnectedShape& shape, uint64_t weight_bound,
                       const he::FloodBudget& budget, const PreparedLayer& prepared);

  const Conv2dPlan& plan() const { return conv_.plan(); }
  // The convolution it runs (precompute_limit_bytes works as there).
  const Conv2dServer& convolution() const { return conv_; }

  // server_share: I values below 2^l, or empty when the client owns the whole input. Returns the
  // server's share of the O outputs. Throws, and uses pool, as Conv2dServer::run.
  std::vector<uint64_t> run(net::Channel& channel, const he::PublicKey& pk, std::span<const uint64_t> server_share,
                            core::Prg& prg, core::ThreadPool* pool = nullptr) const;

 private:
  Conv2dServer conv_;
};

class FullyConnectedClient {
 public:
  FullyConnectedClient(he::ContextPtr context, const FullyConnectedShape& shape, uint64_t weight_bound,
                       const he::FloodBudget& budget = {});

  const Conv2dPlan& plan() const { return conv_.plan(); }

  // client_share: I values below 2^l. Returns the client's share of the O outputs. Throws as
  // Conv2dClient::run, and uses pool as it does.
  std::vector<uint64_t> run(net::Channel& channel, const he::SecretKey& sk, std::span<const uint64_t> client_share,
                            core::Prg& prg, core::ThreadPool* pool = nullptr) const;

 private:
  Conv2dClient conv_;
};

}  // namespace twain::linear
