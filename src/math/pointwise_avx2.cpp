// AVX2 element-wise kernels on 32-bit residues, 8 lanes per vector; tails use the scalar kernels.
// Compiled with -mavx2 -mbmi2 and reached only through pointwise_dispatch.cpp. Outputs are fully
// reduced, hence identical to pointwise_scalar.cpp.
#include <immintrin.h>

#include "math/pointwise_kernels.hpp"

namespace twain::math::detail {

namespace {

inline __m256i load(const uint32_t* a) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a));
}
inline void store(uint32_t* a, __m256i v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(a), v);
}
inline __m256i set1(uint32_t x) { return _mm256_set1_epi32(static_cast<int>(x)); }

// x - m if x >= m else x, per unsigned 32-bit lane.
inline __m256i reduce_once(__m256i x, __m256i m) {
  return _mm256_min_epu32(x, _mm256_sub_epi32(x, m));
}

// x * w mod p in [0, 2p) for any 32-bit lanes x, with w and its Shoup companion ws broadcast.
inline __m256i mul_shoup_lazy(__m256i x, __m256i w, __m256i ws, __m256i p) {
  const __m256i prod_even = _mm256_mul_epu32(x, ws);
  const __m256i prod_odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), ws);
  const __m256i q = _mm256_blend_epi32(_mm256_srli_epi64(prod_even, 32), prod_odd, 0xAA);
  return _mm256_sub_epi32(_mm256_mullo_epi32(x, w), _mm256_mullo_epi32(q, p));
}

// Barrett remainder (< 3p, in the low 32 bits of each 64-bit lane) of 64-bit products x < p^2.
inline __m256i barrett_lazy(__m256i x, __m128i shift_in, __m128i shift_out, __m256i mu,
                            __m256i p) {
  const __m256i q = _mm256_srl_epi64(_mm256_mul_epu32(_mm256_srl_epi64(x, shift_in), mu), shift_out);
  return _mm256_sub_epi32(x, _mm256_mul_epu32(q, p));
}

}  // namespace

void pointwise_mul_avx2(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                        const Barrett32& k) {
  const __m256i p = set1(k.p), mu = set1(k.mu);
  const __m128i shift_in = _mm_cvtsi32_si128(k.shift_in), shift_out = _mm_cvtsi32_si128(k.shift_out);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i va = load(a + i), vb = load(b + i);
    const __m256i even = _mm256_mul_epu32(va, vb);
    const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(va, 32), _mm256_srli_epi64(vb, 32));
    const __m256i r_even = barrett_lazy(even, shift_in, shift_out, mu, p);
    const __m256i r_odd = barrett_lazy(odd, shift_in, shift_out, mu, p);
    __m256i r = _mm256_blend_epi32(r_even, _mm256_slli_epi64(r_odd, 32), 0xAA);
    r = reduce_once(reduce_once(r, p), p);
    store(out + i, r);
  }
  pointwise_mul_scalar(out + i, a + i, b + i, n - i, k);
}

void pointwise_mul_acc_avx2(uint64_t* acc, const uint32_t* a, const uint32_t* b, std::size_t n) {
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    // Zero-extend four residues to 64-bit lanes so that the products land in element order.
    const __m256i va = _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)));
    const __m256i vb = _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)));
    auto* dst = reinterpret_cast<__m256i*>(acc + i);
    _mm256_storeu_si256(dst, _mm256_add_epi64(_mm256_loadu_si256(dst), _mm256_mul_epu32(va, vb)));
  }
  pointwise_mul_acc_scalar(acc + i, a + i, b + i, n - i);
}

void scalar_mul_acc_avx2(uint64_t* acc, const uint32_t* a, uint32_t c, std::size_t n) {
  const __m256i vc = _mm256_set1_epi64x(static_cast<int64_t>(c));
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256i va = _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)));
    auto* dst = reinterpret_cast<__m256i*>(acc + i);
    _mm256_storeu_si256(dst, _mm256_add_epi64(_mm256_loadu_si256(dst), _mm256_mul_epu32(va, vc)));
  }
  scalar_mul_acc_scalar(acc + i, a + i, c, n - i);
}

void reduce_accumulator_avx2(uint32_t* out, const uint64_t* acc, std::size_t n, const Split64& k) {
  const __m256i p = set1(k.p), two_p = set1(2 * k.p), c = set1(k.c), c_shoup = set1(k.c_shoup);
  const __m256i one = set1(1), one_shoup = set1(k.one_shoup);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v0 = _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + i)));
    const __m256 v1 =
        _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + i + 4)));
    // Lanes in the order 0 1 4 5 | 2 3 6 7; the 64-bit permute below restores 0..7.
    const __m256i lo = _mm256_castps_si256(_mm256_shuffle_ps(v0, v1, _MM_SHUFFLE(2, 0, 2, 0)));
    const __m256i hi = _mm256_castps_si256(_mm256_shuffle_ps(v0, v1, _MM_SHUFFLE(3, 1, 3, 1)));
    __m256i r = _mm256_add_epi32(mul_shoup_lazy(hi, c, c_shoup, p),
                                 mul_shoup_lazy(lo, one, one_shoup, p));
    r = reduce_once(reduce_once(r, two_p), p);
    store(out + i, _mm256_permute4x64_epi64(r, _MM_SHUFFLE(3, 1, 2, 0)));
  }
  reduce_accumulator_scalar(out + i, acc + i, n - i, k);
}

void pointwise_add_avx2(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                        uint32_t p) {
  const __m256i vp = set1(p);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) store(out + i, reduce_once(_mm256_add_epi32(load(a + i), load(b + i)), vp));
  pointwise_add_scalar(out + i, a + i, b + i, n - i, p);
}

void pointwise_sub_avx2(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                        uint32_t p) {
  const __m256i vp = set1(p);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    // a - b wraps above 2^32 - p when a < b; adding p then gives the smaller, correct value.
    const __m256i d = _mm256_sub_epi32(load(a + i), load(b + i));
    store(out + i, _mm256_min_epu32(d, _mm256_add_epi32(d, vp)));
  }
  pointwise_sub_scalar(out + i, a + i, b + i, n - i, p);
}

}  // namespace twain::math::detail
