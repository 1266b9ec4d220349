// Server-side plaintext multipliers (weight polynomials), transformed to NTT form once when the
// model is loaded and reused by every session.
#pragma once

#include <cstdint>
#include <span>

#include "he/params.hpp"

namespace twain::he {

class NttPlaintext {
 public:
  // coefficients: at most n signed integers (the rest are zero).
  static NttPlaintext from_signed(const Context& context, std::span<const int64_t> coefficients);

  uint64_t params_id() const { return params_id_; }
  const math::RnsPoly& poly() const { return poly_; }
  // Squared Euclidean norm of the coefficients: the factor by which a product scales the
  // variance of independent noise.
  double norm2_squared() const { return norm2_squared_; }

 private:
  uint64_t params_id_ = 0;
  math::RnsPoly poly_;
  double norm2_squared_ = 0;
};

}  // namespace twain::he
