// Negacyclic number-theoretic transform over Z_p[X]/(X^n + 1) with lazy (Harvey) butterflies.
//
// Forward: natural-order coefficients in [0, p) -> evaluations at the odd powers of a primitive
// 2n-th root psi, in bit-reversed order, fully reduced to [0, p). Inverse: the exact inverse
// (including the 1/n scaling), output fully reduced. The twist by psi is merged into the
// butterflies (Longa-Naehrig), so a negacyclic product is inverse(forward(a) * forward(b)).
//
// Two data widths:
//  - uint64_t data for primes p < 2^61: the scalar reference kernel;
//  - uint32_t data for primes p < 2^30 (so that 4p fits in 32 bits): a scalar kernel, an AVX2
//    kernel and an AVX-512 kernel, chosen at run time in ntt_dispatch.cpp; all give bit-identical
//    results.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/aligned_buffer.hpp"
#include "math/modarith.hpp"

namespace twain::math {

// Avx512 needs AVX-512F (with AVX2 and BMI2, which every AVX-512 CPU has).
enum class NttKernel { Scalar, Avx2, Avx512 };

// Precomputed root tables for one (n, p); immutable once built, shareable across threads.
class NttTables {
 public:
  // n a power of two in [2, 32768]... see kMinN/kMaxN; p prime, p = 1 mod 2n, p < 2^61.
  NttTables(std::size_t n, uint64_t p);

  static constexpr std::size_t kMinN = 8;
  static constexpr std::size_t kMaxN = 32768;

  std::size_t n() const { return n_; }
  int log_n() const { return log_n_; }
  const Modulus& modulus() const { return modulus_; }
  uint64_t p() const { return modulus_.value(); }
  // True when p < 2^30: the 32-bit kernels (and their tables below) are available.
  bool has_32bit_tables() const { return !roots32_.empty(); }

  // Powers of psi in bit-reversed order (forward), and of psi^-1 (inverse), with Shoup companions.
  const core::AlignedVector<uint64_t>& roots() const { return roots_; }
  const core::AlignedVector<uint64_t>& roots_shoup() const { return roots_shoup_; }
  const core::AlignedVector<uint64_t>& inv_roots() const { return inv_roots_; }
  const core::AlignedVector<uint64_t>& inv_roots_shoup() const { return inv_roots_shoup_; }
  uint64_t inv_n() const { return inv_n_; }
  uint64_t inv_n_shoup() const { return inv_n_shoup_; }

  // 32-bit forms (companions are floor(w * 2^32 / p)); empty when p >= 2^30. Kernels may add
  // layouts of their own here (for example roots replicated per SIMD lane).
  const core::AlignedVector<uint32_t>& roots32() const { return roots32_; }
  const core::AlignedVector<uint32_t>& roots32_shoup() const { return roots32_shoup_; }
  const core::AlignedVector<uint32_t>& inv_roots32() const { return inv_roots32_; }
  const core::AlignedVector<uint32_t>& inv_roots32_shoup() const { return inv_roots32_shoup_; }

  // Constants and layouts used only by the kernels (ntt_scalar.cpp, ntt_avx2.cpp, ntt_avx512.cpp).
  struct KernelData {
    // inv_n * inv_roots[1] mod p: the last inverse stage is merged with the 1/n scaling.
    uint64_t inv_n_root = 0, inv_n_root_shoup = 0;
    uint32_t inv_n32 = 0, inv_n32_shoup = 0, inv_n_root32 = 0, inv_n_root32_shoup = 0;
    // roots32()/inv_roots32() (and companions) with the ranges [n/4, n/2) and [n/2, n) permuted
    // so that each 8-lane root vector of the two butterfly distances 2 and 1 is one contiguous
    // load (see ntt_tables.cpp); empty unless has_32bit_tables() and n >= 64.
    core::AlignedVector<uint32_t> simd_roots, simd_roots_shoup, simd_inv_roots, simd_inv_roots_shoup;
  };
  const KernelData& kernel_data() const { return kernel_; }

 private:
  std::size_t n_;
  int log_n_;
  Modulus modulus_;
  core::AlignedVector<uint64_t> roots_, roots_shoup_, inv_roots_, inv_roots_shoup_;
  uint64_t inv_n_ = 0, inv_n_shoup_ = 0;
  core::AlignedVector<uint32_t> roots32_, roots32_shoup_, inv_roots32_, inv_roots32_shoup_;
  KernelData kernel_;
};

// 64-bit data, p < 2^61 (scalar).
void ntt_forward(uint64_t* a, const NttTables& tables);
void ntt_inverse(uint64_t* a, const NttTables& tables);

// 32-bit data, p < 2^30: the best kernel this CPU has (see ntt_dispatch.cpp).
void ntt_forward(uint32_t* a, const NttTables& tables);
void ntt_inverse(uint32_t* a, const NttTables& tables);
// A named kernel, for tests and benchmarks; throws InvalidArgument if this CPU lacks it (whatever
// TWAIN_DISABLE_SIMD says: it changes only the choice of ntt_best_kernel()).
void ntt_forward(uint32_t* a, const NttTables& tables, NttKernel kernel);
void ntt_inverse(uint32_t* a, const NttTables& tables, NttKernel kernel);
bool ntt_kernel_available(NttKernel kernel);
NttKernel ntt_best_kernel();

}  // namespace twain::math
