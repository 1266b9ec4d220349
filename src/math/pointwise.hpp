// Element-wise kernels on 32-bit residues (p < 2^30) used by RNS polynomials in NTT form.
// Dispatched at run time (scalar reference, AVX2 and AVX-512, following ntt_best_kernel()) in
// pointwise_dispatch.cpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "math/ntt.hpp"

namespace twain::math {

// out[i] = a[i] * b[i] mod p; inputs in [0, p), output in [0, p). out may alias a or b.
void pointwise_mul(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n, uint32_t p);
// acc[i] += a[i] * b[i] as plain 64-bit integers, no reduction: the caller reduces before
// 2^64 / p^2 products have been added.
void pointwise_mul_acc(uint64_t* acc, const uint32_t* a, const uint32_t* b, std::size_t n);
// acc[i] += a[i] * c, the same way: the product by a constant polynomial c (NTT form of c is c).
void scalar_mul_acc(uint64_t* acc, const uint32_t* a, uint32_t c, std::size_t n);
// out[i] = acc[i] mod p.
void reduce_accumulator(uint32_t* out, const uint64_t* acc, std::size_t n, const Modulus& p);
// out[i] = a[i] + b[i] mod p and a[i] - b[i] mod p; inputs in [0, p).
void pointwise_add(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n, uint32_t p);
void pointwise_sub(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n, uint32_t p);

// The same, with a named kernel (tests compare every kernel with the scalar reference).
void pointwise_mul(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n, uint32_t p,
                   NttKernel kernel);
void pointwise_mul_acc(uint64_t* acc, const uint32_t* a, const uint32_t* b, std::size_t n,
                       NttKernel kernel);
void scalar_mul_acc(uint64_t* acc, const uint32_t* a, uint32_t c, std::size_t n, NttKernel kernel);

}  // namespace twain::math
