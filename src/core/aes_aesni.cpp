#include <wmmintrin.h>
#include <smmintrin.h>

#include "core/aes_kernels.hpp"

namespace twain::core::detail {
namespace {

template <int Rcon>
__m128i expand_step(__m128i key) {
  __m128i assist = _mm_shuffle_epi32(_mm_aeskeygenassist_si128(key, Rcon), 0xff);
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  return _mm_xor_si128(key, assist);
}

__m128i load(const Block& b) { return _mm_load_si128(reinterpret_cast<const __m128i*>(&b)); }

// Encrypts `Width` independent blocks together so the AES units stay busy.
template <int Width>
void encrypt_group(const __m128i* rk, __m128i* s) {
  for (int i = 0; i < Width; ++i) s[i] = _mm_xor_si128(s[i], rk[0]);
  for (int r = 1; r < 10; ++r) {
    for (int i = 0; i < Width; ++i) s[i] = _mm_aesenc_si128(s[i], rk[r]);
  }
  for (int i = 0; i < Width; ++i) s[i] = _mm_aesenclast_si128(s[i], rk[10]);
}

}  // namespace

void aesni_expand_key(const Block& key, unsigned char round_keys[176]) {
  __m128i* rk = reinterpret_cast<__m128i*>(round_keys);
  __m128i k = load(key);
  rk[0] = k;
  k = expand_step<0x01>(k); rk[1] = k;
  k = expand_step<0x02>(k); rk[2] = k;
  k = expand_step<0x04>(k); rk[3] = k;
  k = expand_step<0x08>(k); rk[4] = k;
  k = expand_step<0x10>(k); rk[5] = k;
  k = expand_step<0x20>(k); rk[6] = k;
  k = expand_step<0x40>(k); rk[7] = k;
  k = expand_step<0x80>(k); rk[8] = k;
  k = expand_step<0x1b>(k); rk[9] = k;
  k = expand_step<0x36>(k); rk[10] = k;
}

void aesni_encrypt(const unsigned char round_keys[176], const Block* in, Block* out, std::size_t n) {
  const __m128i* rk = reinterpret_cast<const __m128i*>(round_keys);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m128i s[8];
    for (int j = 0; j < 8; ++j) s[j] = load(in[i + j]);
    encrypt_group<8>(rk, s);
    for (int j = 0; j < 8; ++j) _mm_store_si128(reinterpret_cast<__m128i*>(&out[i + j]), s[j]);
  }
  for (; i < n; ++i) {
    __m128i s[1] = {load(in[i])};
    encrypt_group<1>(rk, s);
    _mm_store_si128(reinterpret_cast<__m128i*>(&out[i]), s[0]);
  }
}

void aesni_keystream(const unsigned char round_keys[176], Block counter, Block* out, std::size_t n) {
  const __m128i* rk = reinterpret_cast<const __m128i*>(round_keys);
  std::size_t i = 0;
  // While the low 64 bits cannot carry, counters are made with one vector add each.
  if (counter.lo + n >= counter.lo) {
    const __m128i one = _mm_set_epi64x(0, 1);
    __m128i next = load(counter);
    for (; i + 8 <= n; i += 8) {
      __m128i s[8];
      for (int j = 0; j < 8; ++j) {
        s[j] = next;
        next = _mm_add_epi64(next, one);
      }
      encrypt_group<8>(rk, s);
      for (int j = 0; j < 8; ++j) _mm_storeu_si128(reinterpret_cast<__m128i*>(&out[i + j]), s[j]);
    }
  }
  for (; i < n; ++i) {
    __m128i s[1] = {load(counter.plus(i))};
    encrypt_group<1>(rk, s);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&out[i]), s[0]);
  }
}

}  // namespace twain::core::detail
