// 512-bit VAES kernels: four AES blocks per instruction, eight registers (32 blocks) in flight so
// that the AES rounds' latency is covered. Built with -mvaes -mavx512f -mavx2 -maes only;
// wide_aes.cpp calls them when the CPU has VAES and AVX-512F. The algorithms are those of
// wide_aes_vaes.cpp on wider registers; what is left after the last whole group goes to the
// 256-bit kernels (the CPU has them too), so both files give the same outputs as core::Aes128.
//
// Nothing here calls inline library code (core::Block's member functions included; Blocks are
// made by aggregate initialization): a copy compiled with these flags could otherwise be the one
// the linker keeps for portable translation units.
// AES with fixed round keys is constant time in hardware; no branch or address depends on data.
// GCC 12 reports the _mm512_undefined_epi32() pass-through operands inside its own AVX-512
// headers as (maybe-)uninitialized (GCC bug 105593); the warnings are about the header, not this
// code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include "ot/wide_aes_vaes512.hpp"

namespace twain::ot::detail {
namespace {

__m128i load(const core::Block& b) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(&b)); }
void store(core::Block& b, __m128i x) { _mm_storeu_si128(reinterpret_cast<__m128i*>(&b), x); }
__m512i load4(const core::Block* b) { return _mm512_loadu_si512(b); }
void store4(core::Block* b, __m512i x) { _mm512_storeu_si512(b, x); }

// Round keys broadcast to the four 128-bit lanes.
struct WideKeys {
  __m512i k[11];
};

WideKeys broadcast(const RoundKeys& keys) {
  WideKeys w;
  for (int r = 0; r < 11; ++r) w.k[r] = _mm512_broadcast_i32x4(load(keys.k[r]));
  return w;
}

constexpr int kWidth = 8;               // registers in flight
constexpr std::size_t kGroup = 4 * kWidth;  // blocks per group

// Encrypts Width registers (4 * Width blocks) together.
template <int Width>
void encrypt_group(const WideKeys& w, __m512i* s) {
  for (int i = 0; i < Width; ++i) s[i] = _mm512_xor_si512(s[i], w.k[0]);
  for (int r = 1; r < 10; ++r) {
    for (int i = 0; i < Width; ++i) s[i] = _mm512_aesenc_epi128(s[i], w.k[r]);
  }
  for (int i = 0; i < Width; ++i) s[i] = _mm512_aesenclast_epi128(s[i], w.k[10]);
}

// The tweaks {first + k + j, 0} of four adjacent blocks, j = 0..3.
__m512i tweak_quad(uint64_t first, std::size_t k) {
  const auto t = static_cast<long long>(first + k);
  return _mm512_set_epi64(0, t + 3, 0, t + 2, 0, t + 1, 0, t);
}

// (w * bound) >> 32 for each 32-bit word w.
__m512i scale_below(__m512i words, __m512i bound) {
  const __m512i even = _mm512_srli_epi64(_mm512_mul_epu32(words, bound), 32);
  const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(words, 32), bound);
  return _mm512_mask_blend_epi32(0xAAAA, even, odd);
}

// Encrypts the counters counter + i for the whole groups that fit in n, calling emit(i, s) with
// each group's blocks in s; returns the number of blocks done. The caller has checked that the
// low 64 bits do not carry over the n counters (one vector add per register then suffices).
template <class Emit>
std::size_t keystream_groups(const WideKeys& w, core::Block counter, std::size_t n, Emit&& emit) {
  const __m512i four = _mm512_set_epi64(0, 4, 0, 4, 0, 4, 0, 4);
  const auto lo = static_cast<long long>(counter.lo);
  const auto hi = static_cast<long long>(counter.hi);
  __m512i next = _mm512_set_epi64(hi, lo + 3, hi, lo + 2, hi, lo + 1, hi, lo);
  std::size_t i = 0;
  for (; i + kGroup <= n; i += kGroup) {
    __m512i s[kWidth];
    for (int j = 0; j < kWidth; ++j) {
      s[j] = next;
      next = _mm512_add_epi64(next, four);
    }
    encrypt_group<kWidth>(w, s);
    emit(i, s);
  }
  return i;
}

bool low_word_carries(const core::Block& counter, std::size_t n) { return counter.lo + n < counter.lo; }

}  // namespace

void vaes512_encrypt(const RoundKeys& keys, const core::Block* in, core::Block* out, std::size_t n) {
  const WideKeys w = broadcast(keys);
  std::size_t i = 0;
  for (; i + kGroup <= n; i += kGroup) {
    __m512i s[kWidth];
    for (int j = 0; j < kWidth; ++j) s[j] = load4(in + i + 4 * j);
    encrypt_group<kWidth>(w, s);
    for (int j = 0; j < kWidth; ++j) store4(out + i + 4 * j, s[j]);
  }
  vaes_encrypt(keys, in + i, out + i, n - i);
}

void vaes512_keystream(const RoundKeys& keys, core::Block counter, core::Block* out, std::size_t n) {
  // A carry out of the low word inside the range is left to the 256-bit kernel (it handles it).
  if (low_word_carries(counter, n)) return vaes_keystream(keys, counter, out, n);
  const std::size_t i = keystream_groups(broadcast(keys), counter, n, [&](std::size_t at, const __m512i* s) {
    for (int j = 0; j < kWidth; ++j) store4(out + at + 4 * j, s[j]);
  });
  vaes_keystream(keys, core::Block{counter.lo + i, counter.hi}, out + i, n - i);
}

void vaes512_keystream_below(const RoundKeys& keys, core::Block counter, uint32_t bound,
                             uint32_t* out, std::size_t blocks) {
  if (low_word_carries(counter, blocks)) return vaes_keystream_below(keys, counter, bound, out, blocks);
  const __m512i wide_bound = _mm512_set1_epi32(static_cast<int>(bound));
  const std::size_t i =
      keystream_groups(broadcast(keys), counter, blocks, [&](std::size_t at, const __m512i* s) {
        for (int j = 0; j < kWidth; ++j) {
          _mm512_storeu_si512(out + 4 * (at + 4 * j), scale_below(s[j], wide_bound));
        }
      });
  vaes_keystream_below(keys, core::Block{counter.lo + i, counter.hi}, bound, out + 4 * i, blocks - i);
}

void vaes512_tccr_hash(const RoundKeys& keys, const core::Block* in, uint64_t first_tweak,
                       core::Block* out, std::size_t n) {
  const WideKeys w = broadcast(keys);
  std::size_t i = 0;
  for (; i + kGroup <= n; i += kGroup) {
    __m512i p[kWidth];
    __m512i t[kWidth];
    for (int j = 0; j < kWidth; ++j) p[j] = load4(in + i + 4 * j);
    encrypt_group<kWidth>(w, p);
    for (int j = 0; j < kWidth; ++j) t[j] = _mm512_xor_si512(p[j], tweak_quad(first_tweak, i + 4 * j));
    encrypt_group<kWidth>(w, t);
    for (int j = 0; j < kWidth; ++j) store4(out + i + 4 * j, _mm512_xor_si512(t[j], p[j]));
  }
  vaes_tccr_hash(keys, in + i, first_tweak + i, out + i, n - i);
}

void vaes512_tccr_hash_pairs(const RoundKeys& keys, const core::Block* q, const core::Block& delta,
                             uint64_t first_tweak, core::Block* out0, core::Block* out1,
                             std::size_t stride, std::size_t n) {
  const WideKeys w = broadcast(keys);
  const __m512i wide_delta = _mm512_broadcast_i32x4(load(delta));
  constexpr int kQuads = kWidth / 2;  // registers of q per group: 4 * kQuads blocks
  std::size_t i = 0;
  for (; i + 4 * kQuads <= n; i += 4 * kQuads) {
    // p[2j] holds q, p[2j + 1] holds q ^ delta, for the blocks i + 4j .. i + 4j + 3.
    __m512i p[kWidth];
    __m512i t[kWidth];
    for (int j = 0; j < kQuads; ++j) {
      p[2 * j] = load4(q + i + 4 * j);
      p[2 * j + 1] = _mm512_xor_si512(p[2 * j], wide_delta);
    }
    encrypt_group<kWidth>(w, p);
    for (int j = 0; j < kQuads; ++j) {
      const __m512i tweaks = tweak_quad(first_tweak, i + 4 * j);
      t[2 * j] = _mm512_xor_si512(p[2 * j], tweaks);
      t[2 * j + 1] = _mm512_xor_si512(p[2 * j + 1], tweaks);
    }
    encrypt_group<kWidth>(w, t);
    for (int j = 0; j < kQuads; ++j) {
      const __m512i h0 = _mm512_xor_si512(t[2 * j], p[2 * j]);
      const __m512i h1 = _mm512_xor_si512(t[2 * j + 1], p[2 * j + 1]);
      const std::size_t at = (i + 4 * j) * stride;
      store(out0[at], _mm512_extracti32x4_epi32(h0, 0));
      store(out0[at + stride], _mm512_extracti32x4_epi32(h0, 1));
      store(out0[at + 2 * stride], _mm512_extracti32x4_epi32(h0, 2));
      store(out0[at + 3 * stride], _mm512_extracti32x4_epi32(h0, 3));
      store(out1[at], _mm512_extracti32x4_epi32(h1, 0));
      store(out1[at + stride], _mm512_extracti32x4_epi32(h1, 1));
      store(out1[at + 2 * stride], _mm512_extracti32x4_epi32(h1, 2));
      store(out1[at + 3 * stride], _mm512_extracti32x4_epi32(h1, 3));
    }
  }
  vaes_tccr_hash_pairs(keys, q + i, delta, first_tweak + i, out0 + i * stride, out1 + i * stride,
                       stride, n - i);
}

core::Block vaes512_half_tree_expand(const RoundKeys& keys, const core::Block* in, core::Block* out,
                                     std::size_t n) {
  const WideKeys w = broadcast(keys);
  const __m512i high = _mm512_set_epi64(-1, 0, -1, 0, -1, 0, -1, 0);
  // Interleave the left and right children: L0 R0 L1 R1 and L2 R2 L3 R3 (qword indices; 8+ is b).
  const __m512i first_pairs = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);
  const __m512i second_pairs = _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4);
  __m512i sum = _mm512_setzero_si512();
  std::size_t i = 0;
  for (; i + kGroup <= n; i += kGroup) {
    __m512i x[kWidth];
    __m512i s[kWidth];
    __m512i h[kWidth];
    for (int j = 0; j < kWidth; ++j) {
      x[j] = load4(in + i + 4 * j);
      // sigma({lo, hi}) = {hi, lo} ^ {0, hi}
      s[j] = _mm512_xor_si512(_mm512_shuffle_epi32(x[j], _MM_PERM_BADC), _mm512_and_si512(x[j], high));
      h[j] = s[j];
    }
    encrypt_group<kWidth>(w, h);
    for (int j = 0; j < kWidth; ++j) {
      const __m512i left = _mm512_xor_si512(h[j], s[j]);
      const __m512i right = _mm512_xor_si512(left, x[j]);
      sum = _mm512_xor_si512(sum, left);
      core::Block* o = out + 2 * (i + 4 * j);
      store4(o, _mm512_permutex2var_epi64(left, first_pairs, right));
      store4(o + 4, _mm512_permutex2var_epi64(left, second_pairs, right));
    }
  }
  const core::Block tail = vaes_half_tree_expand(keys, in + i, out + 2 * i, n - i);
  const __m256i halves = _mm256_xor_si256(_mm512_castsi512_si256(sum), _mm512_extracti64x4_epi64(sum, 1));
  __m128i total = _mm_xor_si128(_mm256_castsi256_si128(halves), _mm256_extracti128_si256(halves, 1));
  total = _mm_xor_si128(total, load(tail));
  core::Block result{0, 0};
  store(result, total);
  return result;
}

}  // namespace twain::ot::detail
