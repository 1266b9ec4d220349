// Portable negacyclic NTT kernels for 64-bit (p < 2^61) and 32-bit (p < 2^30) data.
//
// Technique: Harvey, "Faster arithmetic for number-theoretic transforms" (J. Symb. Comp. 2014):
// Cooley-Tukey (forward) and Gentleman-Sande (inverse) butterflies with Shoup multiplication by
// precomputed constants, values kept lazily in [0, 4p) (forward) or [0, 2p) (inverse) and fully
// reduced only at the end. The psi twist is merged into the butterflies through the bit-reversed
// powers of psi (Longa and Naehrig, "Speeding up the NTT for ring-LWE", CANS 2016), and the 1/n
// scaling is merged into the last inverse stage.
#include <cstddef>

#include "math/ntt.hpp"
#include "math/ntt_kernels.hpp"

namespace twain::math::detail {

namespace {

// x * w mod p in [0, 2p) for any word x, with ws = floor(w * 2^bits / p) (Shoup).
inline uint64_t shoup_lazy(uint64_t x, uint64_t w, uint64_t ws, uint64_t p) {
  return mul_shoup_lazy(x, w, ws, p);
}
inline uint32_t shoup_lazy(uint32_t x, uint32_t w, uint32_t ws, uint32_t p) {
  const uint32_t q = static_cast<uint32_t>((static_cast<uint64_t>(x) * ws) >> 32);
  return x * w - q * p;  // exact modulo 2^32 because the true value is below 2p < 2^32
}

template <class Word>
void forward(Word* a, std::size_t n, const Word* roots, const Word* roots_shoup, Word p) {
  const Word two_p = 2 * p;
  std::size_t t = n;
  for (std::size_t m = 1; m < n; m <<= 1) {
    t >>= 1;
    for (std::size_t i = 0; i < m; ++i) {
      const Word w = roots[m + i], ws = roots_shoup[m + i];
      Word* x = a + 2 * i * t;
      Word* y = x + t;
      for (std::size_t j = 0; j < t; ++j) {
        // In: x, y < 4p. Out: x + v, x - v + 2p < 4p.
        Word u = x[j];
        u = u >= two_p ? u - two_p : u;
        const Word v = shoup_lazy(y[j], w, ws, p);
        x[j] = u + v;
        y[j] = u - v + two_p;
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    Word u = a[i];
    u = u >= two_p ? u - two_p : u;
    a[i] = u >= p ? u - p : u;
  }
}

template <class Word>
void inverse(Word* a, std::size_t n, const Word* inv_roots, const Word* inv_roots_shoup, Word p,
             Word inv_n, Word inv_n_shoup, Word inv_n_root, Word inv_n_root_shoup) {
  const Word two_p = 2 * p;
  std::size_t t = 1;
  for (std::size_t m = n / 2; m > 1; m >>= 1) {
    for (std::size_t i = 0; i < m; ++i) {
      const Word w = inv_roots[m + i], ws = inv_roots_shoup[m + i];
      Word* x = a + 2 * i * t;
      Word* y = x + t;
      for (std::size_t j = 0; j < t; ++j) {
        // In: x, y < 2p. Out: (x + y) mod 2p and (x - y + 2p) * w lazily, both < 2p.
        const Word u = x[j], v = y[j];
        Word s = u + v;
        s = s >= two_p ? s - two_p : s;
        x[j] = s;
        y[j] = shoup_lazy(static_cast<Word>(u - v + two_p), w, ws, p);
      }
    }
    t <<= 1;
  }
  // Last stage with 1/n merged: x' = (x + y) / n, y' = (x - y) * psi^-brv(1) / n; both inputs to
  // the Shoup products are < 4p, which fits the word.
  Word* x = a;
  Word* y = a + n / 2;
  for (std::size_t j = 0; j < n / 2; ++j) {
    const Word u = x[j], v = y[j];
    Word s = shoup_lazy(static_cast<Word>(u + v), inv_n, inv_n_shoup, p);
    Word d = shoup_lazy(static_cast<Word>(u - v + two_p), inv_n_root, inv_n_root_shoup, p);
    x[j] = s >= p ? s - p : s;
    y[j] = d >= p ? d - p : d;
  }
}

}  // namespace

void ntt_forward_scalar64(uint64_t* a, const NttTables& tables) {
  forward<uint64_t>(a, tables.n(), tables.roots().data(), tables.roots_shoup().data(), tables.p());
}

void ntt_inverse_scalar64(uint64_t* a, const NttTables& tables) {
  const auto& k = tables.kernel_data();
  inverse<uint64_t>(a, tables.n(), tables.inv_roots().data(), tables.inv_roots_shoup().data(),
                    tables.p(), tables.inv_n(), tables.inv_n_shoup(), k.inv_n_root,
                    k.inv_n_root_shoup);
}

void ntt_forward_scalar32(uint32_t* a, const NttTables& tables) {
  forward<uint32_t>(a, tables.n(), tables.roots32().data(), tables.roots32_shoup().data(),
                    static_cast<uint32_t>(tables.p()));
}

void ntt_inverse_scalar32(uint32_t* a, const NttTables& tables) {
  const auto& k = tables.kernel_data();
  inverse<uint32_t>(a, tables.n(), tables.inv_roots32().data(), tables.inv_roots32_shoup().data(),
                    static_cast<uint32_t>(tables.p()), k.inv_n32, k.inv_n32_shoup, k.inv_n_root32,
                    k.inv_n_root32_shoup);
}

}  // namespace twain::math::detail
