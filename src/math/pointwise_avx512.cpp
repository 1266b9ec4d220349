// AVX-512 element-wise kernels on 32-bit residues: the algorithms of pointwise_avx2.cpp on 16
// lanes of 32 bits (or 8 of 64 for the accumulators); tails go to the AVX2 kernels. Compiled with
// -mavx512f and reached only through pointwise_dispatch.cpp. Outputs are fully reduced (the
// accumulators exact), hence identical to pointwise_scalar.cpp. No branch or address depends on
// the data.
// GCC 12 reports the _mm512_undefined_epi32() pass-through operands inside its own AVX-512
// headers as (maybe-)uninitialized (GCC bug 105593); the warnings are about the header, not this
// code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include "math/pointwise_kernels.hpp"

namespace twain::math::detail {

namespace {

inline __m512i load(const uint32_t* a) { return _mm512_loadu_si512(a); }
inline void store(uint32_t* a, __m512i v) { _mm512_storeu_si512(a, v); }
inline __m512i set1(uint32_t x) { return _mm512_set1_epi32(static_cast<int>(x)); }

// Eight residues zero-extended to 64-bit lanes, so that products land in element order.
inline __m512i load_wide(const uint32_t* a) {
  return _mm512_cvtepu32_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a)));
}

// x - m if x >= m else x, per unsigned 32-bit lane.
inline __m512i reduce_once(__m512i x, __m512i m) {
  return _mm512_min_epu32(x, _mm512_sub_epi32(x, m));
}

// x * w mod p in [0, 2p) for any 32-bit lanes x, with w and its Shoup companion ws broadcast.
inline __m512i mul_shoup_lazy(__m512i x, __m512i w, __m512i ws, __m512i p) {
  const __m512i prod_even = _mm512_mul_epu32(x, ws);
  const __m512i prod_odd = _mm512_mul_epu32(_mm512_srli_epi64(x, 32), ws);
  // Even lanes take the high word of prod_even, odd lanes keep prod_odd's.
  const __m512i q = _mm512_mask_shuffle_epi32(prod_odd, 0x5555, prod_even, _MM_PERM_DDBB);
  return _mm512_sub_epi32(_mm512_mullo_epi32(x, w), _mm512_mullo_epi32(q, p));
}

// Barrett remainder (< 3p, in the low 32 bits of each 64-bit lane) of 64-bit products x < p^2.
inline __m512i barrett_lazy(__m512i x, __m128i shift_in, __m128i shift_out, __m512i mu,
                            __m512i p) {
  const __m512i q = _mm512_srl_epi64(_mm512_mul_epu32(_mm512_srl_epi64(x, shift_in), mu), shift_out);
  return _mm512_sub_epi32(x, _mm512_mul_epu32(q, p));
}

}  // namespace

void pointwise_mul_avx512(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                          const Barrett32& k) {
  const __m512i p = set1(k.p), mu = set1(k.mu);
  const __m128i shift_in = _mm_cvtsi32_si128(k.shift_in), shift_out = _mm_cvtsi32_si128(k.shift_out);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512i va = load(a + i), vb = load(b + i);
    const __m512i even = _mm512_mul_epu32(va, vb);
    const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(va, 32), _mm512_srli_epi64(vb, 32));
    const __m512i r_even = barrett_lazy(even, shift_in, shift_out, mu, p);
    const __m512i r_odd = barrett_lazy(odd, shift_in, shift_out, mu, p);
    __m512i r = _mm512_mask_blend_epi32(0xAAAA, r_even, _mm512_slli_epi64(r_odd, 32));
    r = reduce_once(reduce_once(r, p), p);
    store(out + i, r);
  }
  pointwise_mul_avx2(out + i, a + i, b + i, n - i, k);
}

void pointwise_mul_acc_avx512(uint64_t* acc, const uint32_t* a, const uint32_t* b, std::size_t n) {
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    // Two independent 8-lane chains per iteration keep the loads ahead of the adds.
    const __m512i p0 = _mm512_mul_epu32(load_wide(a + i), load_wide(b + i));
    const __m512i p1 = _mm512_mul_epu32(load_wide(a + i + 8), load_wide(b + i + 8));
    _mm512_storeu_si512(acc + i, _mm512_add_epi64(_mm512_loadu_si512(acc + i), p0));
    _mm512_storeu_si512(acc + i + 8, _mm512_add_epi64(_mm512_loadu_si512(acc + i + 8), p1));
  }
  pointwise_mul_acc_avx2(acc + i, a + i, b + i, n - i);
}

void scalar_mul_acc_avx512(uint64_t* acc, const uint32_t* a, uint32_t c, std::size_t n) {
  const __m512i vc = _mm512_set1_epi64(static_cast<int64_t>(c));
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512i p0 = _mm512_mul_epu32(load_wide(a + i), vc);
    const __m512i p1 = _mm512_mul_epu32(load_wide(a + i + 8), vc);
    _mm512_storeu_si512(acc + i, _mm512_add_epi64(_mm512_loadu_si512(acc + i), p0));
    _mm512_storeu_si512(acc + i + 8, _mm512_add_epi64(_mm512_loadu_si512(acc + i + 8), p1));
  }
  scalar_mul_acc_avx2(acc + i, a + i, c, n - i);
}

void reduce_accumulator_avx512(uint32_t* out, const uint64_t* acc, std::size_t n,
                               const Split64& k) {
  const __m512i p = set1(k.p), two_p = set1(2 * k.p), c = set1(k.c), c_shoup = set1(k.c_shoup);
  const __m512i one = set1(1), one_shoup = set1(k.one_shoup);
  // The low and the high words of sixteen 64-bit values, in element order.
  const __m512i low_words = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i high_words = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512i v0 = _mm512_loadu_si512(acc + i), v1 = _mm512_loadu_si512(acc + i + 8);
    const __m512i lo = _mm512_permutex2var_epi32(v0, low_words, v1);
    const __m512i hi = _mm512_permutex2var_epi32(v0, high_words, v1);
    __m512i r = _mm512_add_epi32(mul_shoup_lazy(hi, c, c_shoup, p),
                                 mul_shoup_lazy(lo, one, one_shoup, p));
    r = reduce_once(reduce_once(r, two_p), p);
    store(out + i, r);
  }
  reduce_accumulator_avx2(out + i, acc + i, n - i, k);
}

void pointwise_add_avx512(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                          uint32_t p) {
  const __m512i vp = set1(p);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) store(out + i, reduce_once(_mm512_add_epi32(load(a + i), load(b + i)), vp));
  pointwise_add_avx2(out + i, a + i, b + i, n - i, p);
}

void pointwise_sub_avx512(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n,
                          uint32_t p) {
  const __m512i vp = set1(p);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    // a - b wraps above 2^32 - p when a < b; adding p then gives the smaller, correct value.
    const __m512i d = _mm512_sub_epi32(load(a + i), load(b + i));
    store(out + i, _mm512_min_epu32(d, _mm512_add_epi32(d, vp)));
  }
  pointwise_sub_avx2(out + i, a + i, b + i, n - i, p);
}

}  // namespace twain::math::detail
