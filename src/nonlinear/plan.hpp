// The cost of a protocol run, known before it runs: the engine adds every nonlinear call of a
// model, the offline phase generates exactly that much, the online phase consumes it.
#pragma once

#include "core/geometry.hpp"

#include <cstddef>
#include <cstdint>

#include "nonlinear/needs.hpp"
#include "nonlinear/options.hpp"

namespace twain::nonlinear {

enum class PoolMethod : uint8_t;

// Each add_* mirrors the online call of the same name in session.hpp with the same arguments;
// calls must be added for every online call (their order does not matter).
class Plan {
 public:
  // Throws InvalidArgument unless ring_bits is in [kMinRingBits, kMaxRingBits].
  explicit Plan(const Options& options);

  const Options& options() const { return options_; }
  const Needs& needs() const { return needs_; }

  void add_compare(std::size_t n, int bits);
  void add_drelu(std::size_t n);
  void add_b2a(std::size_t n, int width);
  void add_mux(std::size_t n, std::size_t per_bit = 1);
  // trunc_bits = 0: relu(x); otherwise relu_truncate(x, trunc_bits, mode).
  void add_relu(std::size_t n, int trunc_bits = 0, TruncMode mode = TruncMode::kFast);
  void add_truncate(std::size_t n, int f, TruncMode mode);
  void add_maxpool(const core::Pool2dGeometry& shape);  // with choose_pool_method(shape)
  void add_maxpool(const core::Pool2dGeometry& shape, PoolMethod method);
  void add_argmax(std::size_t n);
  void add_top_k(std::size_t n, std::size_t k);
  void add_divide(std::size_t n, uint64_t divisor);
  void add(const Needs& needs) { needs_ += needs; }

 private:
  Options options_;
  Needs needs_;
};

}  // namespace twain::nonlinear
