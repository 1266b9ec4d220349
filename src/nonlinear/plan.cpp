#include "nonlinear/plan.hpp"

#include <string>

#include "core/errors.hpp"
#include "nonlinear/arith.hpp"
#include "nonlinear/carry.hpp"
#include "nonlinear/division.hpp"
#include "nonlinear/pooling.hpp"
#include "nonlinear/relu.hpp"

namespace twain::nonlinear {

Plan::Plan(const Options& options) : options_(options) {
  TWAIN_REQUIRE(options.ring_bits >= kMinRingBits && options.ring_bits <= kMaxRingBits, InvalidArgument,
                "nonlinear: ring width " + std::to_string(options.ring_bits) + " outside [" +
                    std::to_string(kMinRingBits) + ", " + std::to_string(kMaxRingBits) + "]");
}

void Plan::add_compare(std::size_t n, int bits) { needs_ += greater_than_needs(options_, n, bits); }
void Plan::add_drelu(std::size_t n) { needs_ += drelu_needs(options_, n); }
void Plan::add_b2a(std::size_t n, int width) { needs_ += b2a_needs(n, width); }
void Plan::add_mux(std::size_t n, std::size_t per_bit) { needs_ += mux_needs(n, per_bit); }

void Plan::add_relu(std::size_t n, int trunc_bits, TruncMode mode) {
  needs_ += trunc_bits == 0 ? relu_needs(options_, n) : relu_truncate_needs(options_, n, trunc_bits, mode);
}

void Plan::add_truncate(std::size_t n, int f, TruncMode mode) { needs_ += truncate_needs(options_, n, f, mode); }
void Plan::add_maxpool(const core::Pool2dGeometry& shape) { needs_ += maxpool_needs(options_, shape); }
void Plan::add_maxpool(const core::Pool2dGeometry& shape, PoolMethod method) { needs_ += maxpool_needs(options_, shape, method); }
void Plan::add_argmax(std::size_t n) { needs_ += argmax_needs(options_, n); }
void Plan::add_top_k(std::size_t n, std::size_t k) { needs_ += top_k_needs(options_, n, k); }
void Plan::add_divide(std::size_t n, uint64_t divisor) { needs_ += divide_needs(options_, n, divisor); }

}  // namespace twain::nonlinear
