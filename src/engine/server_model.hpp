// The server's model, loaded once (DESIGN.md section 7, "model load"): the quantised graph, its
// public description, and every linear layer with its kernels prepared (linear/: constant ones
// as scalars, the others NTT-transformed while the kernel memory budget lasts, else kept as
// weights and transformed on use), ready to serve any number of sessions, concurrently.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

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

class ServerModel {
 public:
  // Validates the graph (with its parameters) and preprocesses every linear op. Throws
  // InvalidArgument for an invalid graph, CapacityError when a layer's public weight bound does
  // not fit the HE parameters of the graph's ring.
  // card: public text the client receives with the description (the preprocessing spec and class
  // names of apps/, as JSON), at most kMaxCardBytes.
  // kernel_cache_bytes: memory for precomputed kernels (convolutions, and the Gemm and BatchNorm
  // layers that run as convolutions), given to layers in graph order while it lasts (a layer
  // that does not fit transforms its kernels on use).
  explicit ServerModel(model::QuantizedGraph graph, std::string card = {},
                       std::size_t kernel_cache_bytes = kDefaultKernelCacheBytes);

  const model::QuantizedGraph& graph() const { return graph_; }
  const std::vector<uint8_t>& description() const { return description_; }
  const std::string& card() const { return card_; }
  const he::ContextPtr& context() const { return context_; }
  // The linear server of op `index` (monostate for other ops).
  const LinearServer& linear(std::size_t index) const { return *linear_[index]; }
  double preprocess_seconds() const { return preprocess_seconds_; }
  // Bytes the linear layers keep for their kernels, and how many transform them on use.
  std::size_t kernel_bytes() const { return kernel_bytes_; }
  std::size_t on_demand_layers() const { return on_demand_layers_; }

 private:
  model::QuantizedGraph graph_;
  std::vector<uint8_t> description_;
  std::string card_;
  he::ContextPtr context_;
  std::vector<std::unique_ptr<LinearServer>> linear_;
  double preprocess_seconds_ = 0;
  std::size_t kernel_bytes_ = 0;
  std::size_t on_demand_layers_ = 0;
};

}  // namespace twain::engine
