// AVX2 negacyclic NTT on 32-bit data (p < 2^30), 8 lanes per vector. Compiled with -mavx2 -mbmi2;
// reached only through ntt_dispatch.cpp. Results are bit-identical to ntt_scalar.cpp (both are
// fully reduced, so the canonical values agree).
//
// Technique: Harvey, "Faster arithmetic for number-theoretic transforms" (2014): lazy butterflies
// with Shoup products, values in [0, 4p) forward and [0, 2p) inverse; the twist is merged into the
// bit-reversed psi powers (Longa-Naehrig 2016). 32-bit Shoup: q = hi32(x * w') is formed with
// _mm256_mul_epu32 on the even and the odd lanes, then x * w - q * p with 32-bit wrap-around.
//
// Layout of passes: the stages with butterfly distance >= 64 run up to three at a time (radix-8,
// eight vectors in registers) over the whole array; the six stages with distance 32..1 run on
// 64-coefficient blocks held in eight registers: distances 32, 16, 8 combine whole rows, then an
// 8x8 transpose puts coefficient 8r + j in lane r of vector j so that distances 4, 2, 1 also
// combine whole vectors, with per-lane roots loaded contiguously from the permuted tables
// NttTables::KernelData::simd_roots. Measured on the target (Zen 3), the kernel is bound by the
// vector multiply/shuffle ports; radix-4 and radix-8 outer passes perform the same.
//
// The `#pragma GCC unroll` lines are needed: without them GCC leaves the nested constant-trip
// loops rolled and keeps the eight data vectors in memory (twice slower).
#include <immintrin.h>

#include <cstddef>

#include "math/ntt_kernels.hpp"

namespace twain::math::detail {

namespace {

struct Consts {
  __m256i p, two_p;
};

// A root vector with its Shoup companion; ws_odd holds the companions of the odd lanes in the
// low halves of the 64-bit lanes (equal to ws when the root is broadcast).
struct Root {
  __m256i w, ws, ws_odd;
};

inline Root broadcast_root(const uint32_t* roots, const uint32_t* shoup, std::size_t k) {
  const __m256i ws = _mm256_set1_epi32(static_cast<int>(shoup[k]));
  return {_mm256_set1_epi32(static_cast<int>(roots[k])), ws, ws};
}

inline Root lane_roots(const uint32_t* roots, const uint32_t* shoup, std::size_t k) {
  const __m256i ws = _mm256_load_si256(reinterpret_cast<const __m256i*>(shoup + k));
  return {_mm256_load_si256(reinterpret_cast<const __m256i*>(roots + k)), ws,
          _mm256_srli_epi64(ws, 32)};
}

// x * w mod p in [0, 2p) for any 32-bit x (Shoup).
inline __m256i mul_shoup_lazy(__m256i x, const Root& r, __m256i p) {
  const __m256i prod_even = _mm256_mul_epu32(x, r.ws);
  const __m256i prod_odd = _mm256_mul_epu32(_mm256_shuffle_epi32(x, 0xF5), r.ws_odd);
  const __m256i q = _mm256_blend_epi32(_mm256_shuffle_epi32(prod_even, 0xF5), prod_odd, 0xAA);
  return _mm256_sub_epi32(_mm256_mullo_epi32(x, r.w), _mm256_mullo_epi32(q, p));
}

// x - m if x >= m else x (unsigned lanes; x < 2^32 - m is not needed since x - m wraps above x).
inline __m256i reduce_once(__m256i x, __m256i m) {
  return _mm256_min_epu32(x, _mm256_sub_epi32(x, m));
}

// Cooley-Tukey: in x, y < 4p; out x + wy, x - wy + 2p < 4p.
inline void fwd_bf(__m256i& x, __m256i& y, const Root& r, const Consts& c) {
  const __m256i u = reduce_once(x, c.two_p);
  const __m256i v = mul_shoup_lazy(y, r, c.p);
  x = _mm256_add_epi32(u, v);
  y = _mm256_add_epi32(_mm256_sub_epi32(u, v), c.two_p);
}

// Gentleman-Sande: in x, y < 2p; out (x + y) mod 2p, (x - y + 2p) w lazily, both < 2p.
inline void inv_bf(__m256i& x, __m256i& y, const Root& r, const Consts& c) {
  const __m256i s = reduce_once(_mm256_add_epi32(x, y), c.two_p);
  const __m256i d = _mm256_add_epi32(_mm256_sub_epi32(x, y), c.two_p);
  x = s;
  y = mul_shoup_lazy(d, r, c.p);
}

inline __m256i load(const uint32_t* a) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a));
}
inline void store(uint32_t* a, __m256i v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(a), v);
}

// In-register transpose of the 8x8 matrix of 32-bit words whose rows are v[0..7].
inline void transpose8(__m256i v[8]) {
  __m256i t[8], u[8];
  #pragma GCC unroll 8
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm256_unpacklo_epi32(v[2 * i], v[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_epi32(v[2 * i], v[2 * i + 1]);
  }
  #pragma GCC unroll 8
  for (int i = 0; i < 2; ++i) {
    u[4 * i + 0] = _mm256_unpacklo_epi64(t[4 * i + 0], t[4 * i + 2]);
    u[4 * i + 1] = _mm256_unpackhi_epi64(t[4 * i + 0], t[4 * i + 2]);
    u[4 * i + 2] = _mm256_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
    u[4 * i + 3] = _mm256_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
  }
  #pragma GCC unroll 8
  for (int i = 0; i < 4; ++i) {
    v[i] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x20);
    v[i + 4] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x31);
  }
}

// S consecutive forward stages on the 2^S vectors v[k] = coefficients j + k * (distance of the
// last stage) of one group: stage s has m << s groups, of which this block holds (i << s) + g.
template <int S>
inline void forward_vectors(__m256i* v, const uint32_t* roots, const uint32_t* shoup,
                            std::size_t m, std::size_t i, const Consts& c) {
  #pragma GCC unroll 8
  for (int s = 0; s < S; ++s) {
    const int d = 1 << (S - 1 - s);  // butterfly distance, in vectors
    #pragma GCC unroll 8
    for (int g = 0; g < (1 << s); ++g) {
      const Root r = broadcast_root(roots, shoup, (m << s) + (i << s) + g);
      #pragma GCC unroll 8
      for (int k = 0; k < d; ++k) fwd_bf(v[2 * d * g + k], v[2 * d * g + k + d], r, c);
    }
  }
}

// Butterflies of the final inverse stage merged with 1/n: (x + y) / n and (x - y) psi^-brv(1) / n,
// fully reduced. The Shoup inputs are below 4p < 2^32.
inline void inv_bf_last(__m256i& x, __m256i& y, const Root& scale, const Root& scale_root,
                        const Consts& c) {
  const __m256i d = _mm256_add_epi32(_mm256_sub_epi32(x, y), c.two_p);
  x = reduce_once(mul_shoup_lazy(_mm256_add_epi32(x, y), scale, c.p), c.p);
  y = reduce_once(mul_shoup_lazy(d, scale_root, c.p), c.p);
}

// S consecutive inverse stages on 2^S vectors at distance 1, 2, ... (in vectors): stage s has
// m >> s groups, of which this block holds (G << (S - 1 - s)) + h. With `last`, stage S - 1 is the
// final one (a single group) and is merged with the 1/n scaling.
template <int S>
inline void inverse_vectors(__m256i* v, const Ntt32View& view, std::size_t m, std::size_t G,
                            const Consts& c, bool last) {
  #pragma GCC unroll 8
  for (int s = 0; s < S; ++s) {
    const int d = 1 << s;
    const int groups = 1 << (S - 1 - s);
    if (last && s == S - 1) {
      const Root scale = broadcast_root(&view.inv_n, &view.inv_n_shoup, 0);
      const Root scale_root = broadcast_root(&view.inv_n_root, &view.inv_n_root_shoup, 0);
      #pragma GCC unroll 8
      for (int k = 0; k < d; ++k) inv_bf_last(v[k], v[k + d], scale, scale_root, c);
      break;
    }
    #pragma GCC unroll 8
    for (int h = 0; h < groups; ++h) {
      const std::size_t k_root = (m >> s) + (G << (S - 1 - s)) + h;
      const Root r = broadcast_root(view.roots, view.roots_shoup, k_root);
      #pragma GCC unroll 8
      for (int k = 0; k < d; ++k) inv_bf(v[2 * d * h + k], v[2 * d * h + k + d], r, c);
    }
  }
}

// Forward stages m, 2m, ..., (m << (S - 1)) over the whole array; t is the first distance and
// t >> (S - 1) >= 8.
template <int S>
void forward_pass(uint32_t* a, std::size_t m, std::size_t t, const Ntt32View& view,
                  const Consts& c) {
  const std::size_t q = t >> (S - 1);
  for (std::size_t i = 0; i < m; ++i) {
    uint32_t* base = a + 2 * i * t;
    for (std::size_t j = 0; j < q; j += 8) {
      __m256i v[1 << S];
      #pragma GCC unroll 8
      for (int k = 0; k < (1 << S); ++k) v[k] = load(base + j + k * q);
      forward_vectors<S>(v, view.roots, view.roots_shoup, m, i, c);
      #pragma GCC unroll 8
      for (int k = 0; k < (1 << S); ++k) store(base + j + k * q, v[k]);
    }
  }
}

// Inverse stages with distances t, 2t, ..., (t << (S - 1)), t >= 8, m groups at distance t.
template <int S>
void inverse_pass(uint32_t* a, std::size_t m, std::size_t t, const Ntt32View& view,
                  const Consts& c, bool last) {
  for (std::size_t g = 0; g < (m >> (S - 1)); ++g) {
    uint32_t* base = a + (g * t << S);
    for (std::size_t j = 0; j < t; j += 8) {
      __m256i v[1 << S];
      #pragma GCC unroll 8
      for (int k = 0; k < (1 << S); ++k) v[k] = load(base + j + k * t);
      inverse_vectors<S>(v, view, m, g, c, last);
      #pragma GCC unroll 8
      for (int k = 0; k < (1 << S); ++k) store(base + j + k * t, v[k]);
    }
  }
}

// The last six forward stages (distances 32..1) on each 64-coefficient block, then full reduction.
void forward_blocks(uint32_t* a, const Ntt32View& view, const Consts& c) {
  const std::size_t n = view.n;
  for (std::size_t b = 0; b < n / 64; ++b) {
    uint32_t* blk = a + 64 * b;
    __m256i v[8];
    #pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) v[k] = load(blk + 8 * k);
    forward_vectors<3>(v, view.roots, view.roots_shoup, n / 64, b, c);
    transpose8(v);
    {
      const Root r = lane_roots(view.lane_roots, view.lane_roots_shoup, n / 8 + 8 * b);
      #pragma GCC unroll 8
      for (int k = 0; k < 4; ++k) fwd_bf(v[k], v[k + 4], r, c);
    }
    #pragma GCC unroll 8
    for (int g = 0; g < 2; ++g) {
      const Root r = lane_roots(view.lane_roots, view.lane_roots_shoup, n / 4 + 16 * b + 8 * g);
      fwd_bf(v[4 * g], v[4 * g + 2], r, c);
      fwd_bf(v[4 * g + 1], v[4 * g + 3], r, c);
    }
    #pragma GCC unroll 8
    for (int g = 0; g < 4; ++g) {
      const Root r = lane_roots(view.lane_roots, view.lane_roots_shoup, n / 2 + 32 * b + 8 * g);
      fwd_bf(v[2 * g], v[2 * g + 1], r, c);
    }
    #pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) v[k] = reduce_once(reduce_once(v[k], c.two_p), c.p);
    transpose8(v);
    #pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) store(blk + 8 * k, v[k]);
  }
}

// The first six inverse stages (distances 1..32) on 64-coefficient blocks; for n == 64 the
// distance-32 stage is the final, scaled one.
void inverse_blocks(uint32_t* a, const Ntt32View& view, const Consts& c) {
  const std::size_t n = view.n;
  for (std::size_t b = 0; b < n / 64; ++b) {
    uint32_t* blk = a + 64 * b;
    __m256i v[8];
    #pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) v[k] = load(blk + 8 * k);
    transpose8(v);
    #pragma GCC unroll 8
    for (int g = 0; g < 4; ++g) {
      const Root r = lane_roots(view.lane_roots, view.lane_roots_shoup, n / 2 + 32 * b + 8 * g);
      inv_bf(v[2 * g], v[2 * g + 1], r, c);
    }
    #pragma GCC unroll 8
    for (int g = 0; g < 2; ++g) {
      const Root r = lane_roots(view.lane_roots, view.lane_roots_shoup, n / 4 + 16 * b + 8 * g);
      inv_bf(v[4 * g], v[4 * g + 2], r, c);
      inv_bf(v[4 * g + 1], v[4 * g + 3], r, c);
    }
    {
      const Root r = lane_roots(view.lane_roots, view.lane_roots_shoup, n / 8 + 8 * b);
      #pragma GCC unroll 8
      for (int k = 0; k < 4; ++k) inv_bf(v[k], v[k + 4], r, c);
    }
    transpose8(v);
    inverse_vectors<3>(v, view, n / 16, b, c, n == 64);
    #pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) store(blk + 8 * k, v[k]);
  }
}

// How many stages the next pass merges: passes of 3 stages where possible, evenly balanced.
int next_pass_stages(int remaining) {
  const int passes = (remaining + 2) / 3;
  return (remaining + passes - 1) / passes;
}

Consts make_consts(uint32_t p) {
  return {_mm256_set1_epi32(static_cast<int>(p)), _mm256_set1_epi32(static_cast<int>(2 * p))};
}

}  // namespace

void ntt_forward_avx2(uint32_t* a, const Ntt32View& view) {
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

void ntt_inverse_avx2(uint32_t* a, const Ntt32View& view) {
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
