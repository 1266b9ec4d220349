// The client side of the two-party convolution of conv2d_server.hpp (Cheetah HomConv, Huang et
// al., USENIX Security 2022, section 4.1).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/prg.hpp"
#include "core/thread_pool.hpp"
#include "he/keys.hpp"
#include "linear/conv2d_plan.hpp"
#include "net/channel.hpp"

namespace twain::linear {

class Conv2dClient {
 public:
  // The same public description the server has: shape and weight bound (the plan is rebuilt
  // here, so both parties agree on every message without sending it).
  Conv2dClient(he::ContextPtr context, const core::Conv2dGeometry& shape, uint64_t weight_bound,
               const he::FloodBudget& budget = {});

  const Conv2dPlan& plan() const { return plan_; }

  // One layer with the server. client_share: the client's input share (CHW, values < 2^l); in
  // first-layer mode, the whole input. Returns the client's output share (C'H'W'). Throws
  // InvalidArgument for a share of the wrong size or with a value not below 2^l, FormatError for
  // a malformed or unexpected response, NetworkError when the transport fails. pool: optional
  // threads for encryption and decryption; the result and every message are the same for any
  // pool (each upload is encrypted with a child generator of prg).
  std::vector<uint64_t> run(net::Channel& channel, const he::SecretKey& sk, std::span<const uint64_t> client_share,
                            core::Prg& prg, core::ThreadPool* pool = nullptr) const;

 private:
  he::ContextPtr context_;
  core::Conv2dGeometry layer_;  // as given; plan_ may run it unstrided (strided_pointwise.hpp) or with merged groups
  Conv2dPlan plan_;
};

}  // namespace twain::linear
