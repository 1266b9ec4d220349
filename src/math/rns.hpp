// Residue-number-system polynomials over R_Q = Z_Q[X]/(X^n + 1), Q a product of primes < 2^30.
// Each residue ("limb") is a 32-bit polynomial so the AVX2 kernels process 8 coefficients a step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/aligned_buffer.hpp"
#include "math/modarith.hpp"
#include "math/ntt.hpp"

namespace twain::math {

// The primes of Q for ring dimension n, their NTT tables and Garner's CRT constants. Immutable,
// always owned by a shared_ptr: every polynomial made over it shares that ownership, so a
// polynomial never outlives its tables.
class RnsBase : public std::enable_shared_from_this<RnsBase> {
 public:
  // Distinct primes (at most 8), each < 2^30 and = 1 mod 2n, with a product below 2^120.
  static std::shared_ptr<const RnsBase> create(std::size_t n, const std::vector<uint64_t>& primes);

  std::size_t n() const { return n_; }
  std::size_t size() const { return tables_.size(); }
  uint32_t prime(std::size_t i) const { return static_cast<uint32_t>(tables_[i].p()); }
  const Modulus& modulus(std::size_t i) const { return tables_[i].modulus(); }
  const NttTables& ntt(std::size_t i) const { return tables_[i]; }
  u128 product() const { return product_; }
  // log2(Q), as a real number.
  double product_log2() const;

  // Same ring dimension and primes (two bases built from equal parameters are interchangeable).
  bool same_as(const RnsBase& other) const;

  // The x in [0, Q) with x = residues[i * stride] mod q_i for every limb i (Garner's algorithm).
  u128 reconstruct(const uint32_t* residues, std::size_t stride) const;

 private:
  RnsBase(std::size_t n, const std::vector<uint64_t>& primes);

  std::size_t n_;
  std::vector<NttTables> tables_;
  u128 product_ = 1;
  // Garner's constants: q_j^-1 mod q_i (j < i) with Shoup companions, row i at i (i - 1) / 2.
  std::vector<uint64_t> inverse_, inverse_shoup_;
  std::vector<uint64_t> digit_offset_;  // a multiple of q_i at least 2^30, keeps differences positive
};

enum class PolyForm { Coefficient, Ntt };

// A polynomial as L residue polynomials, limb-major, 64-byte aligned.
class RnsPoly {
 public:
  RnsPoly() = default;
  // The zero polynomial.
  RnsPoly(const RnsBase& base, PolyForm form);

  const RnsBase& base() const { return *base_; }
  std::size_t n() const { return base_->n(); }
  std::size_t limbs() const { return base_->size(); }
  PolyForm form() const { return form_; }
  bool empty() const { return base_ == nullptr; }
  bool same_base(const RnsPoly& other) const {
    return base_ != nullptr && other.base_ != nullptr && (base_ == other.base_ || base_->same_as(*other.base_));
  }

  uint32_t* limb(std::size_t i) { return data_.data() + i * n(); }
  const uint32_t* limb(std::size_t i) const { return data_.data() + i * n(); }
  std::span<uint32_t> data() { return data_; }
  std::span<const uint32_t> data() const { return data_; }

  void to_ntt();
  void to_coefficients();

  RnsPoly& operator+=(const RnsPoly& other);
  RnsPoly& operator-=(const RnsPoly& other);
  void negate();
  // this *= other, both in NTT form (coefficient-wise product of evaluations).
  void mul_pointwise(const RnsPoly& other);

  // Sets coefficient j to the signed integer value mod Q for each limb (coefficient form);
  // |value| < 2^62, no branch on the values.
  void set_signed(std::span<const int64_t> coefficients);
  // Coefficient j in [0, Q) (coefficient form).
  u128 coefficient(std::size_t j) const { return base_->reconstruct(data_.data() + j, n()); }

 private:
  void require_compatible(const RnsPoly& other, const char* operation) const;

  std::shared_ptr<const RnsBase> base_;
  PolyForm form_ = PolyForm::Coefficient;
  core::AlignedVector<uint32_t> data_;
};

// Sum of products of NTT-form polynomials, accumulated in 64 bits and reduced only when needed.
class RnsAccumulator {
 public:
  explicit RnsAccumulator(const RnsBase& base);

  // acc += a * b (both NTT form).
  void add_product(const RnsPoly& a, const RnsPoly& b);
  // acc += a * b for b given by its NTT-form limbs (limbs x n words, each below its prime), as
  // kept outside an RnsPoly (a mapped model file).
  void add_product(const RnsPoly& a, std::span<const uint32_t> b_ntt);
  // acc += a * c for the constant polynomial c given by its residues (one per limb, each below
  // its prime); a in NTT form.
  void add_scaled(const RnsPoly& a, std::span<const uint32_t> c);
  std::size_t products() const { return products_; }
  // The reduced sum, in NTT form.
  RnsPoly result() const;

 private:
  void reduce_in_place();

  std::shared_ptr<const RnsBase> base_;
  core::AlignedVector<uint64_t> acc_;
  std::size_t capacity_;  // products that may be added after a reduction without overflow
  std::size_t since_reduction_ = 0;
  std::size_t products_ = 0;
};

}  // namespace twain::math
