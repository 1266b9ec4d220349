// The server's model, loaded once (DESIGN.md section 7, "model load"): the quantised graph, its
// public description, and every linear layer with its kernels prepared (linear/: constant ones
// as scalars, the others NTT-transformed while the kernel memory budget lasts, else kept as
// weights and transformed on use), ready to serve any number of sessions, concurrently.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/model_description.hpp"
#include "engine/session_flooding.hpp"
#include "he/params.hpp"
#include "linear/batch_norm.hpp"
#include "linear/conv2d_server.hpp"
#include "linear/fully_connected.hpp"
#include "model/quantized_graph.hpp"

namespace twain::engine {

// One linear op's server object, or monostate for ops without one.
using LinearServer = std::variant<std::monostate, linear::Conv2dServer, linear::FullyConnectedServer,
                                  linear::BatchNormServer>;

inline constexpr std::size_t kMaxCardBytes = std::size_t{1} << 20;
// Default memory for precomputed (NTT-form) convolution kernels; layers beyond it keep their
// weights and transform kernels on use (linear::Conv2dServer).
inline constexpr std::size_t kDefaultKernelCacheBytes = std::size_t{4} << 30;

// The least statistical security a server accepts by default: the target, 40 bits for a whole
// session (DESIGN.md section 1). A model whose flooding cannot reach it (the flooding must still
// decrypt exactly, even with weight digits) is refused unless the operator accepts fewer.
inline constexpr int kDefaultMinStatisticalBits = he::kStatisticalSecurityBits;

// What the server operator decides about a model it serves (DESIGN.md section 1): all of it is
// public, none of it depends on the weights.
struct ModelPolicy {
  // Memory for precomputed kernels (see the constructor).
  std::size_t kernel_cache_bytes = kDefaultKernelCacheBytes;
  // The client learns at most this many classes ...
  int max_top_k = 5;
  // ... and every logit only when this is set.
  bool allow_logits = false;
  // A session may run this many inferences (one key exchange and setup for all of them); every
  // response is flooded for all of them together, so more inferences mean wider flooding or
  // fewer statistical bits.
  uint64_t max_inferences = 1;
  // Tensor and op names travel in the description only when this is set.
  bool send_names = false;
  // Statistical security of a session: the target, and the least the server accepts when the
  // model's flooding cannot reach the target under the HE parameters (engine/session_flooding.hpp).
  int statistical_bits = he::kStatisticalSecurityBits;
  int min_statistical_bits = kDefaultMinStatisticalBits;
};

// What a server sends about a model under `policy`, and the flooding it commits to: the session
// flooding's strongest target (engine/session_flooding.hpp), the public policy, the description.
// Throws PolicyError when that target is below policy.min_statistical_bits, CapacityError when a
// layer does not fit the HE parameters at all.
struct ServedDescription {
  SessionFlooding flooding;
  PublicPolicy policy;
  std::vector<uint8_t> bytes;
};
// known: the flooding planned before for this graph, context and policy (a model file's), used
// instead of planning it again.
ServedDescription describe_for_serving(const model::QuantizedGraph& graph, const he::Context& context,
                                       const ModelPolicy& policy, const SessionFlooding* known = nullptr);

// What the linear layers kept when they were prepared before, by op index (nothing for ops
// without a linear server): kernels as linear::Conv2dServer::kernel_words gives them, or the
// weights of a layer on demand; and what keeps their words alive (a mapped model file,
// engine/model_file.hpp).
struct PreparedKernels {
  std::vector<std::optional<linear::PreparedLayer>> layers;
  std::shared_ptr<const void> storage;
  SessionFlooding flooding;  // the flooding the kernels were planned under
};

class ServerModel {
 public:
  // Validates the graph (with its parameters) and preprocesses every linear op. Throws
  // InvalidArgument for an invalid graph or policy, CapacityError when a layer's public weight
  // bound does not fit the HE parameters of the graph's ring, PolicyError when the session's
  // statistical security stays below policy.min_statistical_bits.
  // card: public text the client receives with the description (the preprocessing spec and class
  // names of apps/, as JSON), at most kMaxCardBytes.
  // policy.kernel_cache_bytes: memory for precomputed kernels (convolutions, and the Gemm and
  // BatchNorm layers that run as convolutions), given to layers in graph order while it lasts (a
  // layer that does not fit transforms its kernels on use).
  explicit ServerModel(model::QuantizedGraph graph, std::string card = {}, const ModelPolicy& policy = {});
  // As above, with every linear layer taken from `prepared` instead of transformed from the
  // weights (policy.kernel_cache_bytes does not apply); graph() then keeps no weights of its linear layers (their servers hold what they
  // need), so it cannot be evaluated. Throws InvalidArgument when a layer's kernels do not match
  // its plan.
  ServerModel(model::QuantizedGraph graph, std::string card, const ModelPolicy& policy, PreparedKernels prepared);

  // The quantised graph (without the linear layers' weights for a model from prepared kernels).
  const model::QuantizedGraph& graph() const { return graph_; }
  const std::vector<uint8_t>& description() const { return description_; }
  const std::string& card() const { return card_; }
  const PublicPolicy& policy() const { return public_policy_; }
  // The operator's policy the model was loaded under.
  const ModelPolicy& model_policy() const { return model_policy_; }
  // model_fingerprint(description(), card()): what a client pins with --expect-model.
  const std::string& fingerprint() const { return fingerprint_; }
  const he::ContextPtr& context() const { return context_; }
  // How every response of a session is flooded (the client derives the same).
  const SessionFlooding& flooding() const { return flooding_; }
  // The linear server of op `index` (monostate for other ops).
  const LinearServer& linear(std::size_t index) const { return *linear_[index]; }
  double preprocess_seconds() const { return preprocess_seconds_; }
  // Bytes the linear layers keep for their kernels, and how many transform them on use.
  std::size_t kernel_bytes() const { return kernel_bytes_; }
  std::size_t on_demand_layers() const { return on_demand_layers_; }

 private:
  void prepare(const PreparedKernels* prepared);

  model::QuantizedGraph graph_;
  ModelPolicy model_policy_;
  std::shared_ptr<const void> storage_;  // the prepared kernels' words, when they came from a file
  std::vector<uint8_t> description_;
  std::string card_;
  PublicPolicy public_policy_;
  std::string fingerprint_;
  he::ContextPtr context_;
  SessionFlooding flooding_;
  std::vector<std::unique_ptr<LinearServer>> linear_;
  double preprocess_seconds_ = 0;
  std::size_t kernel_bytes_ = 0;
  std::size_t on_demand_layers_ = 0;
};

}  // namespace twain::engine
