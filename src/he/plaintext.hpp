// Server-side plaintext multipliers (weight polynomials), transformed to NTT form once when the
// model is loaded and reused by every session.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "he/params.hpp"

namespace twain::he {

// Public bounds of a weight polynomial: every |coefficient| <= max_abs and at most `support`
// of them nonzero (the positions a layer's shape allows). These bounds, never the weights,
// decide noise estimates, flooding widths and response moduli, so a response reveals nothing
// about the weights beyond them.
struct PlainBound {
  uint64_t max_abs = 0;
  std::size_t support = 0;

  // The largest squared Euclidean norm a polynomial within the bounds can have.
  double norm2_squared() const { return static_cast<double>(max_abs) * static_cast<double>(max_abs) * support; }
  // The largest l1 norm: a bound on the norm of multiplying by the polynomial (he/flooding.hpp).
  double norm1() const { return static_cast<double>(max_abs) * static_cast<double>(support); }
};

class NttPlaintext {
 public:
  // coefficients: at most n signed integers (the rest are zero) within `bound` (checked;
  // InvalidArgument otherwise). max_abs must be below 2^40.
  static NttPlaintext from_signed(const Context& context, std::span<const int64_t> coefficients,
                                  const PlainBound& bound);
  // The constant polynomial c, kept as its residues (16 bytes instead of a 64 KiB polynomial):
  // its NTT form is c in every slot, so it multiplies as a scalar. Whether a weight polynomial
  // is constant must follow from public facts (a layer's layout), never from the weights.
  static NttPlaintext constant(const Context& context, int64_t c, const PlainBound& bound);

  // A polynomial already in NTT form, kept elsewhere (a mapped model file) and not copied:
  // `ntt` (limbs x n words, each below its prime, as ntt() gives them) must outlive every use.
  // `bound` is the public bound it was made under. InvalidArgument for a wrong size.
  static NttPlaintext view(const Context& context, std::span<const uint32_t> ntt, const PlainBound& bound);
  // A constant from its residues (as residues() gives them, one per limb, each below its prime;
  // copied). InvalidArgument otherwise.
  static NttPlaintext constant_from_residues(const Context& context, std::span<const uint32_t> residues,
                                             const PlainBound& bound);

  uint64_t params_id() const { return params_id_; }
  bool is_constant() const { return poly_.empty() && view_.empty(); }
  // The NTT-form polynomial, limb by limb (InvalidArgument for a constant).
  std::span<const uint32_t> ntt() const;
  // A constant's residues, one per limb (InvalidArgument otherwise).
  std::span<const uint32_t> residues() const;
  const PlainBound& bound() const { return bound_; }
  // Bytes this object keeps.
  std::size_t memory_bytes() const;

 private:
  uint64_t params_id_ = 0;
  math::RnsPoly poly_;              // owned (from_signed), or empty for a view or a constant
  std::span<const uint32_t> view_;  // the viewed words (view)
  std::vector<uint32_t> residues_;
  PlainBound bound_;
};

}  // namespace twain::he
