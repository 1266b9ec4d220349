// Internal: element-wise kernels behind pointwise_dispatch.cpp. Arguments are not checked here.
// The constants are precomputed by the dispatcher, so the AVX2 and AVX-512 files (compiled with
// -mavx2 / -mavx512f) need no inline library code.
#pragma once

#include <cstddef>
#include <cstdint>

namespace twain::math::detail {

// Barrett reduction of products x < p^2 < 2^(2L), L = bit length of p < 2^30 (Menezes, van
// Oorschot, Vanstone, Handbook of Applied Cryptography, 14.42 with base 2):
// q = floor(floor(x / 2^(L-1)) * mu / 2^(L+1)), mu = floor(2^(2L) / p), and x - q p < 3p.
struct Barrett32 {
  uint32_t p;
  int shift_in;   // L - 1
  int shift_out;  // L + 1
  uint32_t mu;    // < 2^(L+1) <= 2^31
};

// Reduction of any 64-bit x = hi 2^32 + lo modulo p < 2^30 as hi (2^32 mod p) + lo, each term by
// a 32-bit Shoup product (lo times 1), so the sum stays below 4p < 2^32.
struct Split64 {
  uint32_t p;
  uint32_t c, c_shoup;  // 2^32 mod p and floor(c 2^32 / p)
  uint32_t one_shoup;   // floor(2^32 / p)
};

void pointwise_mul_scalar(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                          const Barrett32& k);
void pointwise_mul_acc_scalar(uint64_t* acc, const uint32_t* a, const uint32_t* b, std::size_t n);
void scalar_mul_acc_scalar(uint64_t* acc, const uint32_t* a, uint32_t c, std::size_t n);
void reduce_accumulator_scalar(uint32_t* out, const uint64_t* acc, std::size_t n, const Split64& k);
void pointwise_add_scalar(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                          uint32_t p);
void pointwise_sub_scalar(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                          uint32_t p);

// pointwise_avx2.cpp: the same contracts; call only when the CPU has AVX2 and BMI2.
void pointwise_mul_avx2(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                        const Barrett32& k);
void pointwise_mul_acc_avx2(uint64_t* acc, const uint32_t* a, const uint32_t* b, std::size_t n);
void scalar_mul_acc_avx2(uint64_t* acc, const uint32_t* a, uint32_t c, std::size_t n);
void reduce_accumulator_avx2(uint32_t* out, const uint64_t* acc, std::size_t n, const Split64& k);
void pointwise_add_avx2(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                        uint32_t p);
void pointwise_sub_avx2(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                        uint32_t p);

// pointwise_avx512.cpp: the same contracts; call only when the CPU has AVX-512F, AVX2 and BMI2
// (their tails use the AVX2 kernels).
void pointwise_mul_avx512(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                          const Barrett32& k);
void pointwise_mul_acc_avx512(uint64_t* acc, const uint32_t* a, const uint32_t* b, std::size_t n);
void scalar_mul_acc_avx512(uint64_t* acc, const uint32_t* a, uint32_t c, std::size_t n);
void reduce_accumulator_avx512(uint32_t* out, const uint64_t* acc, std::size_t n, const Split64& k);
void pointwise_add_avx512(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                          uint32_t p);
void pointwise_sub_avx512(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                          uint32_t p);

}  // namespace twain::math::detail
