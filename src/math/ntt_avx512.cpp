// AVX-512 negacyclic NTT on 32-bit data (p < 2^30), 16 lanes per vector. Compiled with -mavx512f
// only; reached only through ntt_dispatch.cpp. Results are bit-identical to ntt_scalar.cpp (both
// are fully reduced, so the canonical values agree).
//
// Technique: the butterflies, lazy bounds and 32-bit Shoup products of ntt_avx2.cpp (Harvey 2014;
// the twist merged into the bit-reversed psi powers, Longa-Naehrig 2016), on 16 x 32-bit lanes.
//
// Why 32-bit lanes and not IFMA: the IFMA NTT of Intel HEXL (Boemer et al., "Intel HEXL:
// Accelerating Homomorphic Encryption with Intel AVX512-IFMA52", 2021) multiplies 8 x 64-bit
// lanes with 52-bit products, which is what primes of up to 50 bits need. Our primes are below
// 2^30, so a residue and its Shoup quotient fit 32 bits: 16 lanes per instruction instead of 8,
// with the same count of multiplies per vector (two vpmuludq for the quotient, two vpmulld for
// x w - q p), i.e. half the multiplies per coefficient of an IFMA kernel.
//
// Layout: as in ntt_avx2.cpp, except that each 512-bit register holds the same row of two
// adjacent 64-coefficient blocks (block b in the low 256 bits, block b + 1 in the high 256 bits),
// so the six stages with distance 32..1 run on two blocks at once with the 8x8 transposes done in
// both halves, and the roots of the two blocks sit side by side (two broadcasts, or two loads of
// the permuted lane tables NttTables::KernelData::simd_roots). The stages with distance >= 64 use
// whole 16-lane rows. n >= 128 (two blocks); ntt_dispatch.cpp sends smaller n elsewhere.
//
// Constant time: no branch or address depends on the data.
// GCC 12 reports the _mm512_undefined_epi32() pass-through operands inside its own AVX-512
// headers as (maybe-)uninitialized (GCC bug 105593); the warnings are about the header, not this
// code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include <cstddef>

#include "math/ntt_kernels.hpp"

namespace twain::math::detail {

namespace {

struct Consts {
  __m512i p, two_p;
};

// A root vector with its Shoup companion; ws_odd holds the companions of the odd lanes in the
// low halves of the 64-bit lanes (equal to ws when the root is constant over 64-bit lanes).
struct Root {
  __m512i w, ws, ws_odd;
};

inline __m512i set1(uint32_t x) { return _mm512_set1_epi32(static_cast<int>(x)); }

// One root for all 16 lanes (the passes over whole rows).
inline Root broadcast_root(const uint32_t* roots, const uint32_t* shoup, std::size_t k) {
  const __m512i ws = set1(shoup[k]);
  return {set1(roots[k]), ws, ws};
}

// Root k_lo in the low half (block b), root k_hi in the high half (block b + 1).
inline __m512i halves(uint32_t lo, uint32_t hi) {
  return _mm512_inserti64x4(set1(lo), _mm256_set1_epi32(static_cast<int>(hi)), 1);
}
inline Root pair_root(const uint32_t* roots, const uint32_t* shoup, std::size_t k_lo,
                      std::size_t k_hi) {
  const __m512i ws = halves(shoup[k_lo], shoup[k_hi]);
  return {halves(roots[k_lo], roots[k_hi]), ws, ws};
}

// Eight per-lane roots at k for block b and eight at k + hi_delta for block b + 1.
inline __m512i load_halves(const uint32_t* a, std::size_t k, std::size_t hi_delta) {
  const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + k));
  const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + k + hi_delta));
  return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}
inline Root lane_roots(const uint32_t* roots, const uint32_t* shoup, std::size_t k,
                       std::size_t hi_delta) {
  const __m512i ws = load_halves(shoup, k, hi_delta);
  return {load_halves(roots, k, hi_delta), ws, _mm512_srli_epi64(ws, 32)};
}

// x * w mod p in [0, 2p) for any 32-bit x (Shoup): q = hi32(x * ws) from the even and the odd
// lanes' 64-bit products (one masked shuffle merges them), then x * w - q * p modulo 2^32.
inline __m512i mul_shoup_lazy(__m512i x, const Root& r, __m512i p) {
  const __m512i prod_even = _mm512_mul_epu32(x, r.ws);
  const __m512i prod_odd = _mm512_mul_epu32(_mm512_srli_epi64(x, 32), r.ws_odd);
  // Odd lanes keep prod_odd's high word; even lanes take the high word of prod_even.
  const __m512i q = _mm512_mask_shuffle_epi32(prod_odd, 0x5555, prod_even, _MM_PERM_DDBB);
  return _mm512_sub_epi32(_mm512_mullo_epi32(x, r.w), _mm512_mullo_epi32(q, p));
}

// x - m if x >= m else x (unsigned lanes; x - m wraps above x otherwise).
inline __m512i reduce_once(__m512i x, __m512i m) {
  return _mm512_min_epu32(x, _mm512_sub_epi32(x, m));
}

// Cooley-Tukey: in x, y < 4p; out x + wy, x - wy + 2p < 4p.
inline void fwd_bf(__m512i& x, __m512i& y, const Root& r, const Consts& c) {
  const __m512i u = reduce_once(x, c.two_p);
  const __m512i v = mul_shoup_lazy(y, r, c.p);
  x = _mm512_add_epi32(u, v);
  y = _mm512_add_epi32(_mm512_sub_epi32(u, v), c.two_p);
}

// Gentleman-Sande: in x, y < 2p; out (x + y) mod 2p, (x - y + 2p) w lazily, both < 2p.
inline void inv_bf(__m512i& x, __m512i& y, const Root& r, const Consts& c) {
  const __m512i s = reduce_once(_mm512_add_epi32(x, y), c.two_p);
  const __m512i d = _mm512_add_epi32(_mm512_sub_epi32(x, y), c.two_p);
  x = s;
  y = mul_shoup_lazy(d, r, c.p);
}

inline __m512i load(const uint32_t* a) { return _mm512_loadu_si512(a); }
inline void store(uint32_t* a, __m512i v) { _mm512_storeu_si512(a, v); }

// Row k of the blocks at blk and blk + 64.
inline __m512i load_pair(const uint32_t* blk, int k) {
  return _mm512_inserti64x4(
      _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 8 * k))),
      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 64 + 8 * k)), 1);
}
inline void store_pair(uint32_t* blk, int k, __m512i v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(blk + 8 * k), _mm512_castsi512_si256(v));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(blk + 64 + 8 * k), _mm512_extracti64x4_epi64(v, 1));
}

// In-register transpose of the two 8x8 matrices of 32-bit words whose rows are the low and the
// high halves of v[0..7] (the AVX2 transpose in each half; the 128-bit lane moves become
// two-source qword permutes).
inline void transpose8x2(__m512i v[8]) {
  __m512i t[8], u[8];
  #pragma GCC unroll 8
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm512_unpacklo_epi32(v[2 * i], v[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_epi32(v[2 * i], v[2 * i + 1]);
  }
  #pragma GCC unroll 8
  for (int i = 0; i < 2; ++i) {
    u[4 * i + 0] = _mm512_unpacklo_epi64(t[4 * i + 0], t[4 * i + 2]);
    u[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i + 0], t[4 * i + 2]);
    u[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
    u[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
  }
  // Per 256-bit half: low 128 bits of a then of b (first), high 128 bits of a then of b (second).
  const __m512i first = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
  const __m512i second = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
  #pragma GCC unroll 8
  for (int i = 0; i < 4; ++i) {
    v[i] = _mm512_permutex2var_epi64(u[i], first, u[i + 4]);
    v[i + 4] = _mm512_permutex2var_epi64(u[i], second, u[i + 4]);
  }
}

// S consecutive forward stages on the 2^S vectors v[k] = coefficients j + k * (distance of the
// last stage) of one group: stage s has m << s groups, of which this vector holds (i << s) + g.
// With Pair, the high half holds group i + 1 (the next 64-coefficient block).
template <int S, bool Pair>
inline void forward_vectors(__m512i* v, const uint32_t* roots, const uint32_t* shoup,
                            std::size_t m, std::size_t i, const Consts& c) {
  #pragma GCC unroll 8
  for (int s = 0; s < S; ++s) {
    const int d = 1 << (S - 1 - s);  // butterfly distance, in vectors
    #pragma GCC unroll 8
    for (int g = 0; g < (1 << s); ++g) {
      const std::size_t k = (m << s) + (i << s) + g;
      const Root r = Pair ? pair_root(roots, shoup, k, k + (std::size_t{1} << s))
                          : broadcast_root(roots, shoup, k);
      #pragma GCC unroll 8
      for (int j = 0; j < d; ++j) fwd_bf(v[2 * d * g + j], v[2 * d * g + j + d], r, c);
    }
  }
}

// Butterflies of the final inverse stage merged with 1/n: (x + y) / n and (x - y) psi^-brv(1) / n,
// fully reduced. The Shoup inputs are below 4p < 2^32.
inline void inv_bf_last(__m512i& x, __m512i& y, const Root& scale, const Root& scale_root,
                        const Consts& c) {
  const __m512i d = _mm512_add_epi32(_mm512_sub_epi32(x, y), c.two_p);
  x = reduce_once(mul_shoup_lazy(_mm512_add_epi32(x, y), scale, c.p), c.p);
  y = reduce_once(mul_shoup_lazy(d, scale_root, c.p), c.p);
}

// S consecutive inverse stages on 2^S vectors at distance 1, 2, ... (in vectors): stage s has
// m >> s groups, of which this vector holds (G << (S - 1 - s)) + h (with Pair, the high half the
// next block's). With `last`, stage S - 1 is the final one (a single group, never with Pair) and
// is merged with the 1/n scaling.
template <int S, bool Pair>
inline void inverse_vectors(__m512i* v, const Ntt32View& view, std::size_t m, std::size_t G,
                            const Consts& c, bool last) {
  #pragma GCC unroll 8
  for (int s = 0; s < S; ++s) {
    const int d = 1 << s;
    const int groups = 1 << (S - 1 - s);
    if (!Pair && last && s == S - 1) {
      const Root scale = broadcast_root(&view.inv_n, &view.inv_n_shoup, 0);
      const Root scale_root = broadcast_root(&view.inv_n_root, &view.inv_n_root_shoup, 0);
      #pragma GCC unroll 8
      for (int k = 0; k < d; ++k) inv_bf_last(v[k], v[k + d], scale, scale_root, c);
      break;
    }
    #pragma GCC unroll 8
    for (int h = 0; h < groups; ++h) {
      const std::size_t k_root = (m >> s) + (G << (S - 1 - s)) + h;
      const Root r = Pair ? pair_root(view.roots, view.roots_shoup, k_root,
                                      k_root + (std::size_t{1} << (S - 1 - s)))
                          : broadcast_root(view.roots, view.roots_shoup, k_root);
      #pragma GCC unroll 8
      for (int k = 0; k < d; ++k) inv_bf(v[2 * d * h + k], v[2 * d * h + k + d], r, c);
    }
  }
}

// Forward stages m, 2m, ..., (m << (S - 1)) over the whole array; t is the first distance and
// t >> (S - 1) >= 16.
template <int S>
void forward_pass(uint32_t* a, std::size_t m, std::size_t t, const Ntt32View& view,
                  const Consts& c) {
  const std::size_t q = t >> (S - 1);
  for (std::size_t i = 0; i < m; ++i) {
    uint32_t* base = a + 2 * i * t;
    for (std::size_t j = 0; j < q; j += 16) {
      __m512i v[1 << S];
      #pragma GCC unroll 8
      for (int k = 0; k < (1 << S); ++k) v[k] = load(base + j + k * q);
      forward_vectors<S, false>(v, view.roots, view.roots_shoup, m, i, c);
      #pragma GCC unroll 8
      for (int k = 0; k < (1 << S); ++k) store(base + j + k * q, v[k]);
    }
  }
}

// Inverse stages with distances t, 2t, ..., (t << (S - 1)), t >= 16, m groups at distance t.
template <int S>
void inverse_pass(uint32_t* a, std::size_t m, std::size_t t, const Ntt32View& view,
                  const Consts& c, bool last) {
  for (std::size_t g = 0; g < (m >> (S - 1)); ++g) {
    uint32_t* base = a + (g * t << S);
    for (std::size_t j = 0; j < t; j += 16) {
      __m512i v[1 << S];
      #pragma GCC unroll 8
      for (int k = 0; k < (1 << S); ++k) v[k] = load(base + j + k * t);
      inverse_vectors<S, false>(v, view, m, g, c, last);
      #pragma GCC unroll 8
      for (int k = 0; k < (1 << S); ++k) store(base + j + k * t, v[k]);
    }
  }
}

// The last six forward stages (distances 32..1) on each pair of 64-coefficient blocks, then full
// reduction.
void forward_blocks(uint32_t* a, const Ntt32View& view, const Consts& c) {
  const std::size_t n = view.n;
  for (std::size_t b = 0; b < n / 64; b += 2) {
    uint32_t* blk = a + 64 * b;
    __m512i v[8];
    #pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) v[k] = load_pair(blk, k);
    forward_vectors<3, true>(v, view.roots, view.roots_shoup, n / 64, b, c);
    transpose8x2(v);
    {
      const Root r = lane_roots(view.lane_roots, view.lane_roots_shoup, n / 8 + 8 * b, 8);
      #pragma GCC unroll 8
      for (int k = 0; k < 4; ++k) fwd_bf(v[k], v[k + 4], r, c);
    }
    #pragma GCC unroll 8
    for (int g = 0; g < 2; ++g) {
      const Root r =
          lane_roots(view.lane_roots, view.lane_roots_shoup, n / 4 + 16 * b + 8 * g, 16);
      fwd_bf(v[4 * g], v[4 * g + 2], r, c);
      fwd_bf(v[4 * g + 1], v[4 * g + 3], r, c);
    }
    #pragma GCC unroll 8
    for (int g = 0; g < 4; ++g) {
      const Root r =
          lane_roots(view.lane_roots, view.lane_roots_shoup, n / 2 + 32 * b + 8 * g, 32);
      fwd_bf(v[2 * g], v[2 * g + 1], r, c);
    }
    #pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) v[k] = reduce_once(reduce_once(v[k], c.two_p), c.p);
    transpose8x2(v);
    #pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) store_pair(blk, k, v[k]);
  }
}

// The first six inverse stages (distances 1..32) on pairs of 64-coefficient blocks (n >= 128, so
// the distance-32 stage is never the final one).
void inverse_blocks(uint32_t* a, const Ntt32View& view, const Consts& c) {
  const std::size_t n = view.n;
  for (std::size_t b = 0; b < n / 64; b += 2) {
    uint32_t* blk = a + 64 * b;
    __m512i v[8];
    #pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) v[k] = load_pair(blk, k);
    transpose8x2(v);
    #pragma GCC unroll 8
    for (int g = 0; g < 4; ++g) {
      const Root r =
          lane_roots(view.lane_roots, view.lane_roots_shoup, n / 2 + 32 * b + 8 * g, 32);
      inv_bf(v[2 * g], v[2 * g + 1], r, c);
    }
    #pragma GCC unroll 8
    for (int g = 0; g < 2; ++g) {
      const Root r =
          lane_roots(view.lane_roots, view.lane_roots_shoup, n / 4 + 16 * b + 8 * g, 16);
      inv_bf(v[4 * g], v[4 * g + 2], r, c);
      inv_bf(v[4 * g + 1], v[4 * g + 3], r, c);
    }
    {
      const Root r = lane_roots(view.lane_roots, view.lane_roots_shoup, n / 8 + 8 * b, 8);
      #pragma GCC unroll 8
      for (int k = 0; k < 4; ++k) inv_bf(v[k], v[k + 4], r, c);
    }
    transpose8x2(v);
    inverse_vectors<3, true>(v, view, n / 16, b, c, false);
    #pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) store_pair(blk, k, v[k]);
  }
}

// How many stages the next pass merges: passes of 3 stages where possible, evenly balanced.
int next_pass_stages(int remaining) {
  const int passes = (remaining + 2) / 3;
  return (remaining + passes - 1) / passes;
}

Consts make_consts(uint32_t p) { return {set1(p), set1(2 * p)}; }

}  // namespace

void ntt_forward_avx512(uint32_t* a, const Ntt32View& view) {
  const Consts c = make_consts(view.p);
  // Stages with distance >= 64 (m = 1, 2, 4, ... while t = n / (2m) >= 64), then the blocks.
  std::size_t m = 1, t = view.n / 2;
  for (int remaining = view.log_n - 6; remaining > 0;) {
    const int stages = next_pass_stages(remaining);
    if (stages == 3) {
      forward_pass<3>(a, m, t, view, c);
    } else if (stages == 2) {
      forward_pass<2>(a, m, t, view, c);
    } else {
      forward_pass<1>(a, m, t, view, c);
    }
    m <<= stages;
    t >>= stages;
    remaining -= stages;
  }
  forward_blocks(a, view, c);
}

void ntt_inverse_avx512(uint32_t* a, const Ntt32View& view) {
  const Consts c = make_consts(view.p);
  inverse_blocks(a, view, c);
  // Remaining stages: distance t = 64, 128, ..., n/2 with m = n / (2t) groups; the last pass ends
  // with the scaled final stage.
  std::size_t t = 64, m = view.n / 128;
  for (int remaining = view.log_n - 6; remaining > 0;) {
    const int stages = next_pass_stages(remaining);
    const bool last = stages == remaining;
    if (stages == 3) {
      inverse_pass<3>(a, m, t, view, c, last);
    } else if (stages == 2) {
      inverse_pass<2>(a, m, t, view, c, last);
    } else {
      inverse_pass<1>(a, m, t, view, c, last);
    }
    m >>= stages;
    t <<= stages;
    remaining -= stages;
  }
}

}  // namespace twain::math::detail
