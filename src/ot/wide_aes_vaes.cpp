// VAES kernels (two AES blocks per 256-bit instruction). Built with -mvaes -mavx2 -maes only;
// wide_aes.cpp calls them when the CPU has VAES.
#include <immintrin.h>

#include "ot/wide_aes_kernels.hpp"

namespace twain::ot::detail {
namespace {

template <int Rcon>
__m128i expand_step(__m128i key) {
  const __m128i assist = _mm_shuffle_epi32(_mm_aeskeygenassist_si128(key, Rcon), 0xff);
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  return _mm_xor_si128(key, assist);
}

__m128i load(const core::Block& b) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(&b)); }
void store(core::Block& b, __m128i x) { _mm_storeu_si128(reinterpret_cast<__m128i*>(&b), x); }

// Round keys broadcast to both halves, or left key low and right key high.
struct WideKeys {
  __m256i k[11];
};

WideKeys broadcast(const RoundKeys& keys) {
  WideKeys w;
  for (int r = 0; r < 11; ++r) w.k[r] = _mm256_broadcastsi128_si256(load(keys.k[r]));
  return w;
}

// Encrypts Width registers (2 * Width blocks) together.
template <int Width>
void encrypt_group(const WideKeys& w, __m256i* s) {
  for (int i = 0; i < Width; ++i) s[i] = _mm256_xor_si256(s[i], w.k[0]);
  for (int r = 1; r < 10; ++r) {
    for (int i = 0; i < Width; ++i) s[i] = _mm256_aesenc_epi128(s[i], w.k[r]);
  }
  for (int i = 0; i < Width; ++i) s[i] = _mm256_aesenclast_epi128(s[i], w.k[10]);
}

__m128i encrypt_one(const RoundKeys& keys, __m128i s) {
  s = _mm_xor_si128(s, load(keys.k[0]));
  for (int r = 1; r < 10; ++r) s = _mm_aesenc_si128(s, load(keys.k[r]));
  return _mm_aesenclast_si128(s, load(keys.k[10]));
}

constexpr int kWidth = 8;  // registers in flight: 16 blocks

}  // namespace

RoundKeys vaes_expand_key(const core::Block& key) {
  RoundKeys out;
  __m128i k = load(key);
  store(out.k[0], k);
  k = expand_step<0x01>(k); store(out.k[1], k);
  k = expand_step<0x02>(k); store(out.k[2], k);
  k = expand_step<0x04>(k); store(out.k[3], k);
  k = expand_step<0x08>(k); store(out.k[4], k);
  k = expand_step<0x10>(k); store(out.k[5], k);
  k = expand_step<0x20>(k); store(out.k[6], k);
  k = expand_step<0x40>(k); store(out.k[7], k);
  k = expand_step<0x80>(k); store(out.k[8], k);
  k = expand_step<0x1b>(k); store(out.k[9], k);
  k = expand_step<0x36>(k); store(out.k[10], k);
  return out;
}

void vaes_encrypt(const RoundKeys& keys, const core::Block* in, core::Block* out, std::size_t n) {
  const WideKeys w = broadcast(keys);
  std::size_t i = 0;
  for (; i + 2 * kWidth <= n; i += 2 * kWidth) {
    __m256i s[kWidth];
    for (int j = 0; j < kWidth; ++j) {
      s[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i + 2 * j));
    }
    encrypt_group<kWidth>(w, s);
    for (int j = 0; j < kWidth; ++j) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i + 2 * j), s[j]);
    }
  }
  for (; i < n; ++i) store(out[i], encrypt_one(keys, load(in[i])));
}

namespace {

// Encrypts the counters counter + i for the whole groups of 2 * kWidth blocks that fit in n
// while the low 64 bits cannot carry (one vector add per register), calling emit(i, s) with
// the group's blocks in s; returns the number of blocks done.
template <class Emit>
std::size_t keystream_groups(const WideKeys& w, core::Block counter, std::size_t n, Emit&& emit) {
  std::size_t i = 0;
  if (counter.lo + n < counter.lo) return i;
  const __m256i two = _mm256_set_epi64x(0, 2, 0, 2);
  __m256i next = _mm256_set_epi64x(static_cast<long long>(counter.hi),
                                   static_cast<long long>(counter.lo + 1),
                                   static_cast<long long>(counter.hi),
                                   static_cast<long long>(counter.lo));
  for (; i + 2 * kWidth <= n; i += 2 * kWidth) {
    __m256i s[kWidth];
    for (int j = 0; j < kWidth; ++j) {
      s[j] = next;
      next = _mm256_add_epi64(next, two);
    }
    encrypt_group<kWidth>(w, s);
    emit(i, s);
  }
  return i;
}

// (w * bound) >> 32 for each 32-bit word w.
__m256i scale_below(__m256i words, __m256i bound) {
  const __m256i even = _mm256_srli_epi64(_mm256_mul_epu32(words, bound), 32);
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(words, 32), bound);
  return _mm256_blend_epi32(even, odd, 0xAA);
}

}  // namespace

void vaes_keystream(const RoundKeys& keys, core::Block counter, core::Block* out, std::size_t n) {
  std::size_t i = keystream_groups(broadcast(keys), counter, n, [&](std::size_t at, const __m256i* s) {
    for (int j = 0; j < kWidth; ++j) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + at + 2 * j), s[j]);
    }
  });
  for (; i < n; ++i) store(out[i], encrypt_one(keys, load(counter.plus(i))));
}

void vaes_keystream_below(const RoundKeys& keys, core::Block counter, uint32_t bound, uint32_t* out,
                          std::size_t blocks) {
  const __m256i wide_bound = _mm256_set1_epi32(static_cast<int>(bound));
  std::size_t i = keystream_groups(broadcast(keys), counter, blocks, [&](std::size_t at, const __m256i* s) {
    for (int j = 0; j < kWidth; ++j) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 4 * (at + 2 * j)),
                          scale_below(s[j], wide_bound));
    }
  });
  for (; i < blocks; ++i) {
    alignas(16) uint32_t words[4];
    _mm_store_si128(reinterpret_cast<__m128i*>(words), encrypt_one(keys, load(counter.plus(i))));
    for (std::size_t j = 0; j < 4; ++j) out[4 * i + j] = scale_below(words[j], bound);
  }
}

namespace {

// The tweaks first + k and first + k + 1 of two adjacent blocks ({tweak, 0} each).
__m256i tweak_pair(uint64_t first, std::size_t k) {
  return _mm256_set_epi64x(0, static_cast<long long>(first + k + 1), 0,
                           static_cast<long long>(first + k));
}

// H(x, i) = pi(pi(x) ^ i) ^ pi(x) of one block.
__m128i tccr_one(const RoundKeys& keys, __m128i x, uint64_t tweak) {
  const __m128i p = encrypt_one(keys, x);
  const __m128i t = _mm_set_epi64x(0, static_cast<long long>(tweak));
  return _mm_xor_si128(encrypt_one(keys, _mm_xor_si128(p, t)), p);
}

}  // namespace

void vaes_tccr_hash(const RoundKeys& keys, const core::Block* in, uint64_t first_tweak,
                    core::Block* out, std::size_t n) {
  const WideKeys w = broadcast(keys);
  std::size_t i = 0;
  for (; i + 2 * kWidth <= n; i += 2 * kWidth) {
    __m256i p[kWidth];
    __m256i t[kWidth];
    for (int j = 0; j < kWidth; ++j) {
      p[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i + 2 * j));
    }
    encrypt_group<kWidth>(w, p);
    for (int j = 0; j < kWidth; ++j) t[j] = _mm256_xor_si256(p[j], tweak_pair(first_tweak, i + 2 * j));
    encrypt_group<kWidth>(w, t);
    for (int j = 0; j < kWidth; ++j) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i + 2 * j), _mm256_xor_si256(t[j], p[j]));
    }
  }
  for (; i < n; ++i) store(out[i], tccr_one(keys, load(in[i]), first_tweak + i));
}

void vaes_tccr_hash_pairs(const RoundKeys& keys, const core::Block* q, const core::Block& delta,
                          uint64_t first_tweak, core::Block* out0, core::Block* out1,
                          std::size_t stride, std::size_t n) {
  const WideKeys w = broadcast(keys);
  const __m256i wide_delta = _mm256_broadcastsi128_si256(load(delta));
  constexpr int kPairs = kWidth / 2;  // registers of q per group: 2 * kPairs blocks
  std::size_t i = 0;
  for (; i + 2 * kPairs <= n; i += 2 * kPairs) {
    // p[2j] holds q, p[2j + 1] holds q ^ delta, for the blocks i + 2j and i + 2j + 1.
    __m256i p[kWidth];
    __m256i t[kWidth];
    for (int j = 0; j < kPairs; ++j) {
      p[2 * j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + i + 2 * j));
      p[2 * j + 1] = _mm256_xor_si256(p[2 * j], wide_delta);
    }
    encrypt_group<kWidth>(w, p);
    for (int j = 0; j < kPairs; ++j) {
      const __m256i tweaks = tweak_pair(first_tweak, i + 2 * j);
      t[2 * j] = _mm256_xor_si256(p[2 * j], tweaks);
      t[2 * j + 1] = _mm256_xor_si256(p[2 * j + 1], tweaks);
    }
    encrypt_group<kWidth>(w, t);
    for (int j = 0; j < kPairs; ++j) {
      const __m256i h0 = _mm256_xor_si256(t[2 * j], p[2 * j]);
      const __m256i h1 = _mm256_xor_si256(t[2 * j + 1], p[2 * j + 1]);
      const std::size_t at = (i + 2 * j) * stride;
      store(out0[at], _mm256_castsi256_si128(h0));
      store(out0[at + stride], _mm256_extracti128_si256(h0, 1));
      store(out1[at], _mm256_castsi256_si128(h1));
      store(out1[at + stride], _mm256_extracti128_si256(h1, 1));
    }
  }
  for (; i < n; ++i) {
    const __m128i x = load(q[i]);
    store(out0[i * stride], tccr_one(keys, x, first_tweak + i));
    store(out1[i * stride], tccr_one(keys, _mm_xor_si128(x, load(delta)), first_tweak + i));
  }
}

core::Block vaes_half_tree_expand(const RoundKeys& keys, const core::Block* in, core::Block* out,
                                  std::size_t n) {
  const WideKeys w = broadcast(keys);
  const __m256i high = _mm256_set_epi64x(-1, 0, -1, 0);
  __m256i sum = _mm256_setzero_si256();
  std::size_t i = 0;
  for (; i + 2 * kWidth <= n; i += 2 * kWidth) {
    __m256i x[kWidth];
    __m256i s[kWidth];
    __m256i h[kWidth];
    for (int j = 0; j < kWidth; ++j) {
      x[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i + 2 * j));
      // sigma({lo, hi}) = {hi, lo} ^ {0, hi}
      s[j] = _mm256_xor_si256(_mm256_shuffle_epi32(x[j], 0x4E), _mm256_and_si256(x[j], high));
      h[j] = s[j];
    }
    encrypt_group<kWidth>(w, h);
    for (int j = 0; j < kWidth; ++j) {
      const __m256i left = _mm256_xor_si256(h[j], s[j]);
      const __m256i right = _mm256_xor_si256(left, x[j]);
      sum = _mm256_xor_si256(sum, left);
      __m256i* o = reinterpret_cast<__m256i*>(out + 2 * (i + 2 * j));
      _mm256_storeu_si256(o, _mm256_permute2x128_si256(left, right, 0x20));
      _mm256_storeu_si256(o + 1, _mm256_permute2x128_si256(left, right, 0x31));
    }
  }
  __m128i total = _mm_xor_si128(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
  for (; i < n; ++i) {
    const __m128i x = load(in[i]);
    const __m128i s = _mm_xor_si128(_mm_shuffle_epi32(x, 0x4E),
                                    _mm_and_si128(x, _mm_set_epi64x(-1, 0)));
    const __m128i left = _mm_xor_si128(encrypt_one(keys, s), s);
    total = _mm_xor_si128(total, left);
    store(out[2 * i], left);
    store(out[2 * i + 1], _mm_xor_si128(left, x));
  }
  core::Block result;
  store(result, total);
  return result;
}

}  // namespace twain::ot::detail
