// NTT tests. Oracles: direct evaluation at the odd powers of psi in bit-reversed order, schoolbook
// negacyclic products, the 64-bit kernel against the 32-bit kernels, and AVX2 and AVX-512 against
// scalar.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/cpu_features.hpp"
#include "core/errors.hpp"
#include "core/prg.hpp"
#include "math/modarith.hpp"
#include "math/ntt.hpp"
#include "math/primes.hpp"

namespace twain::math {
namespace {

using Vec64 = std::vector<uint64_t>;
using Vec32 = std::vector<uint32_t>;

core::Prg make_prg(uint8_t tag) { return core::Prg(core::Seed{0x6e, 0x74, 0x74, tag}); }

Vec64 random_poly(core::Prg& prg, std::size_t n, uint64_t p) {
  Vec64 a(n);
  for (auto& x : a) x = prg.uniform(p);
  return a;
}

Vec32 to32(const Vec64& a) { return Vec32(a.begin(), a.end()); }
Vec64 to64(const Vec32& a) { return Vec64(a.begin(), a.end()); }

uint32_t bit_reverse(uint32_t x, int bits) {
  uint32_t r = 0;
  for (int i = 0; i < bits; ++i) r |= ((x >> i) & 1u) << (bits - 1 - i);
  return r;
}

int log2_of(std::size_t n) {
  int l = 0;
  while ((std::size_t{1} << l) < n) ++l;
  return l;
}

// Slot j of the forward transform is a(psi^(2 brv(j) + 1)), evaluated by Horner's rule; psi is
// the minimal primitive 2n-th root (recomputed when not given).
uint64_t evaluate_slot(const Vec64& a, std::size_t j, uint64_t p, uint64_t psi = 0) {
  const Modulus mod(p);
  const std::size_t n = a.size();
  if (psi == 0) psi = minimal_primitive_root(2 * n, p);
  const uint64_t x = mod.pow(psi, 2 * uint64_t{bit_reverse(static_cast<uint32_t>(j), log2_of(n))} + 1);
  uint64_t acc = 0;
  for (std::size_t i = n; i-- > 0;) acc = mod.add(mod.mul(acc, x), a[i]);
  return acc;
}

// Schoolbook product in Z_p[X]/(X^n + 1), accumulating up to 32 products (< 2^122 each) in 128 bits
// before reducing.
Vec64 negacyclic_schoolbook(const Vec64& a, const Vec64& b, uint64_t p) {
  const Modulus mod(p);
  const std::size_t n = a.size();
  std::vector<u128> pos(n, 0), neg(n, 0);
  Vec64 out(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      const u128 prod = static_cast<u128>(a[i]) * b[j];
      if (i + j < n) {
        pos[i + j] += prod;
      } else {
        neg[i + j - n] += prod;
      }
    }
    if (i % 32 == 31 || i + 1 == n) {
      for (std::size_t k = 0; k < n; ++k) {
        out[k] = mod.sub(mod.add(out[k], mod.reduce(pos[k])), mod.reduce(neg[k]));
        pos[k] = neg[k] = 0;
      }
    }
  }
  return out;
}

Vec64 pointwise_product(const Vec64& a, const Vec64& b, uint64_t p) {
  const Modulus mod(p);
  Vec64 c(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) c[i] = mod.mul(a[i], b[i]);
  return c;
}

bool avx2_present() { return core::cpu_features_detected().avx2 && core::cpu_features_detected().bmi2; }
bool avx512_present() { return avx2_present() && core::cpu_features_detected().avx512f; }

const NttKernel kAllKernels[] = {NttKernel::Scalar, NttKernel::Avx2, NttKernel::Avx512};

// 64-bit path primes: 50..61 bits. 32-bit path primes: 20..30 bits.
const int kBits64[] = {50, 55, 60, 61};
const int kBits32[] = {20, 25, 28, 30};

TEST(NttTables, RejectsBadArguments) {
  const uint64_t p = ntt_primes(30, 1, 4096)[0];
  EXPECT_THROW(NttTables(1000, p), InvalidArgument);               // not a power of two
  EXPECT_THROW(NttTables(4, 97), InvalidArgument);                 // below kMinN
  EXPECT_THROW(NttTables(65536, ntt_primes(40, 1, 65536)[0]), InvalidArgument);  // above kMaxN
  EXPECT_THROW(NttTables(4096, p + 2), InvalidArgument);           // not 1 mod 2n
  EXPECT_THROW(NttTables(4096, 8193), InvalidArgument);            // 1 mod 2n, 3 * 2731
  EXPECT_THROW(NttTables(1024, 2049 * 2049), InvalidArgument);     // 1 mod 2n, composite
  EXPECT_THROW(NttTables(1024, (uint64_t{1} << 61) + 1), InvalidArgument);  // >= 2^61
  EXPECT_THROW(NttTables(1024, (uint64_t{1} << 62) + 1), InvalidArgument);
  EXPECT_THROW(NttTables(1024, 1), InvalidArgument);
  EXPECT_NO_THROW(NttTables(1024, p));
}

TEST(NttTables, RootTablesMatchDefinition) {
  for (int bits : {30, 60}) {
    const std::size_t n = 256;
    const uint64_t p = ntt_primes(bits, 1, n)[0];
    const NttTables t(n, p);
    const Modulus mod(p);
    const uint64_t psi = minimal_primitive_root(2 * n, p);
    const uint64_t psi_inv = mod.inv(psi);
    EXPECT_EQ(t.n(), n);
    EXPECT_EQ(t.log_n(), 8);
    EXPECT_EQ(t.p(), p);
    EXPECT_EQ(t.has_32bit_tables(), bits == 30);
    EXPECT_EQ(mod.mul(t.inv_n(), n), 1u);
    EXPECT_EQ(t.inv_n_shoup(), shoup_precompute(t.inv_n(), p));
    for (std::size_t k = 0; k < n; ++k) {
      const uint32_t e = bit_reverse(static_cast<uint32_t>(k), 8);
      ASSERT_EQ(t.roots()[k], mod.pow(psi, e));
      ASSERT_EQ(t.inv_roots()[k], mod.pow(psi_inv, e));
      ASSERT_EQ(t.roots_shoup()[k], shoup_precompute(t.roots()[k], p));
      ASSERT_EQ(t.inv_roots_shoup()[k], shoup_precompute(t.inv_roots()[k], p));
      if (t.has_32bit_tables()) {
        ASSERT_EQ(t.roots32()[k], t.roots()[k]);
        ASSERT_EQ(t.inv_roots32()[k], t.inv_roots()[k]);
        ASSERT_EQ(t.roots32_shoup()[k], static_cast<uint32_t>((t.roots()[k] << 32) / p));
        ASSERT_EQ(t.inv_roots32_shoup()[k], static_cast<uint32_t>((t.inv_roots()[k] << 32) / p));
      }
    }
  }
}

// The forward transform evaluates at psi^(2 brv(j) + 1), slot j, for both data widths.
TEST(Ntt, ForwardMatchesDirectEvaluation) {
  auto prg = make_prg(1);
  for (std::size_t n : {8, 64, 1024}) {
    for (int bits : {30, 61}) {
      const uint64_t p = ntt_primes(bits, 1, n)[0];
      const NttTables t(n, p);
      const Vec64 a = random_poly(prg, n, p);
      Vec64 f = a;
      ntt_forward(f.data(), t);
      const uint64_t psi = minimal_primitive_root(2 * n, p);
      for (std::size_t j = 0; j < n; ++j) ASSERT_EQ(f[j], evaluate_slot(a, j, p, psi)) << n << " " << j;
      if (t.has_32bit_tables()) {
        Vec32 f32 = to32(a);
        ntt_forward(f32.data(), t);
        EXPECT_EQ(to64(f32), f) << n;
      }
    }
  }
}

// Large sizes: spot-check random slots against direct evaluation (O(n) per slot).
TEST(Ntt, ForwardSpotChecksAtLargeSizes) {
  auto prg = make_prg(2);
  for (std::size_t n : {16384, 32768}) {
    for (int bits : {29, 59}) {
      const uint64_t p = ntt_primes(bits, 1, n)[0];
      const NttTables t(n, p);
      const Vec64 a = random_poly(prg, n, p);
      Vec64 f = a;
      ntt_forward(f.data(), t);
      Vec32 f32;
      if (t.has_32bit_tables()) {
        f32 = to32(a);
        ntt_forward(f32.data(), t);
        EXPECT_EQ(to64(f32), f);
      }
      for (int k = 0; k < 6; ++k) {
        const std::size_t j = prg.uniform(n);
        EXPECT_EQ(f[j], evaluate_slot(a, j, p)) << n << " slot " << j;
      }
    }
  }
}

TEST(Ntt, RoundTrip64) {
  auto prg = make_prg(3);
  for (std::size_t n = 8; n <= 32768; n *= 2) {
    for (int bits : kBits64) {
      const uint64_t p = ntt_primes(bits, 1, n)[0];
      const NttTables t(n, p);
      const Vec64 a = random_poly(prg, n, p);
      Vec64 b = a;
      ntt_forward(b.data(), t);
      for (uint64_t x : b) ASSERT_LT(x, p);
      EXPECT_NE(b, a);
      ntt_inverse(b.data(), t);
      ASSERT_EQ(b, a) << "n=" << n << " bits=" << bits;
    }
  }
}

TEST(Ntt, RoundTrip32AllKernels) {
  auto prg = make_prg(4);
  std::vector<NttKernel> kernels = {NttKernel::Scalar};
  if (avx2_present()) kernels.push_back(NttKernel::Avx2);
  if (avx512_present()) kernels.push_back(NttKernel::Avx512);
  for (std::size_t n = 8; n <= 32768; n *= 2) {
    for (int bits : kBits32) {
      const uint64_t p = ntt_primes(bits, 1, n)[0];
      const NttTables t(n, p);
      const Vec32 a = to32(random_poly(prg, n, p));
      for (NttKernel kernel : kernels) {
        Vec32 b = a;
        ntt_forward(b.data(), t, kernel);
        for (uint32_t x : b) ASSERT_LT(x, p);
        ntt_inverse(b.data(), t, kernel);
        ASSERT_EQ(b, a) << "n=" << n << " bits=" << bits << " kernel=" << static_cast<int>(kernel);
      }
      Vec32 b = a;  // the dispatched kernel
      ntt_forward(b.data(), t);
      ntt_inverse(b.data(), t);
      ASSERT_EQ(b, a);
    }
  }
}

TEST(Ntt, EdgeInputs) {
  for (std::size_t n : {8, 64, 128, 4096}) {
    for (int bits : {30, 61}) {
      const uint64_t p = ntt_primes(bits, 1, n)[0];
      const NttTables t(n, p);
      Vec64 zeros(n, 0);
      ntt_forward(zeros.data(), t);
      EXPECT_EQ(zeros, Vec64(n, 0));
      // The constant 1 evaluates to 1 everywhere; X to psi^(2 brv(j) + 1).
      Vec64 one(n, 0);
      one[0] = 1;
      ntt_forward(one.data(), t);
      EXPECT_EQ(one, Vec64(n, 1));
      Vec64 x(n, 0);
      x[1] = 1;
      Vec64 fx = x;
      ntt_forward(fx.data(), t);
      const uint64_t psi = minimal_primitive_root(2 * n, p);
      for (std::size_t j = 0; j < n; ++j) ASSERT_EQ(fx[j], evaluate_slot(x, j, p, psi));
      // All p - 1: the largest inputs, checked by the inverse and against direct evaluation.
      const Vec64 top(n, p - 1);
      Vec64 f = top;
      ntt_forward(f.data(), t);
      EXPECT_EQ(f[0], evaluate_slot(top, 0, p));
      EXPECT_EQ(f[n - 1], evaluate_slot(top, n - 1, p));
      Vec64 back = f;
      ntt_inverse(back.data(), t);
      EXPECT_EQ(back, top);
      Vec64 inv_top = top;  // the inverse of an all-(p-1) spectrum is -1 * (inverse of all ones)
      ntt_inverse(inv_top.data(), t);
      Vec64 inv_one(n, 1);
      ntt_inverse(inv_one.data(), t);
      Vec64 constant_one(n, 0);
      constant_one[0] = 1;
      EXPECT_EQ(inv_one, constant_one);
      const Modulus mod(p);
      for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(inv_top[i], mod.neg(inv_one[i]));
      if (t.has_32bit_tables()) {
        for (NttKernel kernel : kAllKernels) {
          if (!ntt_kernel_available(kernel)) continue;
          Vec32 f32 = to32(top);
          ntt_forward(f32.data(), t, kernel);
          EXPECT_EQ(to64(f32), f);
          Vec32 z32(n, 0);
          ntt_inverse(z32.data(), t, kernel);
          EXPECT_EQ(z32, Vec32(n, 0));
          Vec32 i32(n, static_cast<uint32_t>(p - 1));
          ntt_inverse(i32.data(), t, kernel);
          EXPECT_EQ(to64(i32), inv_top);
        }
      }
    }
  }
}

void check_negacyclic_product(std::size_t n, uint64_t p, core::Prg& prg) {
  const NttTables t(n, p);
  const Vec64 a = random_poly(prg, n, p), b = random_poly(prg, n, p);
  const Vec64 expected = negacyclic_schoolbook(a, b, p);
  Vec64 fa = a, fb = b;
  ntt_forward(fa.data(), t);
  ntt_forward(fb.data(), t);
  Vec64 c = pointwise_product(fa, fb, p);
  ntt_inverse(c.data(), t);
  ASSERT_EQ(c, expected) << "64-bit n=" << n << " p=" << p;
  if (t.has_32bit_tables()) {
    for (NttKernel kernel : kAllKernels) {
      if (!ntt_kernel_available(kernel)) continue;
      Vec32 ga = to32(a), gb = to32(b);
      ntt_forward(ga.data(), t, kernel);
      ntt_forward(gb.data(), t, kernel);
      Vec32 g = to32(pointwise_product(to64(ga), to64(gb), p));
      ntt_inverse(g.data(), t, kernel);
      ASSERT_EQ(to64(g), expected) << "32-bit n=" << n << " p=" << p;
    }
  }
}

TEST(Ntt, NegacyclicProductMatchesSchoolbook) {
  auto prg = make_prg(5);
  for (std::size_t n : {8, 64, 1024, 2048, 4096}) {
    for (int bits : {20, 30, 50, 61}) check_negacyclic_product(n, ntt_primes(bits, 1, n)[0], prg);
  }
  // The HE layer's shape: four primes of 27-28 bits at n = 4096.
  for (uint64_t p : ntt_primes(28, 2, 4096)) check_negacyclic_product(4096, p, prg);
  for (uint64_t p : ntt_primes(27, 2, 4096)) check_negacyclic_product(4096, p, prg);
}

TEST(Ntt, NegacyclicProductMatchesSchoolbookLarge) {
  auto prg = make_prg(6);
  check_negacyclic_product(8192, ntt_primes(25, 1, 8192)[0], prg);
  check_negacyclic_product(16384, ntt_primes(30, 1, 16384)[0], prg);
  check_negacyclic_product(16384, ntt_primes(60, 1, 16384)[0], prg);
}

// Same canonical output from every 32-bit kernel and the 64-bit kernel, on random and edge data,
// for primes near 2^30 (the tightest lazy bounds) and small ones.
TEST(Ntt, Avx2MatchesScalarBitForBit) {
  if (!avx2_present()) GTEST_SKIP() << "CPU lacks AVX2/BMI2: nothing to compare";
  auto prg = make_prg(7);
  for (std::size_t n = 8; n <= 32768; n *= 2) {
    std::vector<uint64_t> primes = ntt_primes(30, 3, n);
    primes.push_back(ntt_primes(21, 1, n)[0]);
    for (uint64_t p : primes) {
      const NttTables t(n, p);
      std::vector<Vec32> inputs = {to32(random_poly(prg, n, p)), Vec32(n, static_cast<uint32_t>(p - 1)),
                                   Vec32(n, 0)};
      Vec32 alternating(n);
      for (std::size_t i = 0; i < n; ++i) alternating[i] = i % 2 ? static_cast<uint32_t>(p - 1) : 0;
      inputs.push_back(alternating);
      for (const Vec32& in : inputs) {
        Vec32 s = in, v = in;
        ntt_forward(s.data(), t, NttKernel::Scalar);
        ntt_forward(v.data(), t, NttKernel::Avx2);
        ASSERT_EQ(v, s) << "forward n=" << n << " p=" << p;
        Vec64 w = to64(in);
        ntt_forward(w.data(), t);
        ASSERT_EQ(to64(s), w);
        s = in;
        v = in;
        ntt_inverse(s.data(), t, NttKernel::Scalar);
        ntt_inverse(v.data(), t, NttKernel::Avx2);
        ASSERT_EQ(v, s) << "inverse n=" << n << " p=" << p;
        w = to64(in);
        ntt_inverse(w.data(), t);
        ASSERT_EQ(to64(s), w);
      }
    }
  }
}

TEST(Ntt, Avx2HandlesUnalignedData) {
  if (!avx2_present()) GTEST_SKIP() << "CPU lacks AVX2/BMI2";
  auto prg = make_prg(8);
  const std::size_t n = 1024;
  const uint64_t p = ntt_primes(28, 1, n)[0];
  const NttTables t(n, p);
  Vec32 buffer(n + 1);
  const Vec32 a = to32(random_poly(prg, n, p));
  std::copy(a.begin(), a.end(), buffer.begin() + 1);
  Vec32 s = a;
  ntt_forward(s.data(), t, NttKernel::Scalar);
  ntt_forward(buffer.data() + 1, t, NttKernel::Avx2);
  EXPECT_TRUE(std::equal(s.begin(), s.end(), buffer.begin() + 1));
  ntt_inverse(buffer.data() + 1, t, NttKernel::Avx2);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), buffer.begin() + 1));
}

// The AVX-512 kernel against the scalar one (and AVX2) for every supported n (below 128 the
// dispatch falls back to AVX2 or scalar; compared as well), primes near 2^30 (the tightest lazy
// bounds) and a small one, on random data from several seeds and on the edge inputs 0, p - 1,
// alternating 0 / p - 1 and one large coefficient.
TEST(Ntt, Avx512MatchesScalarBitForBit) {
  if (!avx512_present()) GTEST_SKIP() << "CPU lacks AVX-512F (or AVX2/BMI2): nothing to compare";
  auto prg = make_prg(9);
  for (std::size_t n = 8; n <= 32768; n *= 2) {
    std::vector<uint64_t> primes = ntt_primes(30, 3, n);
    primes.push_back(ntt_primes(21, 1, n)[0]);
    primes.push_back(ntt_primes(28, 1, n)[0]);
    for (uint64_t p : primes) {
      const NttTables t(n, p);
      const auto top = static_cast<uint32_t>(p - 1);
      std::vector<Vec32> inputs = {Vec32(n, top), Vec32(n, 0)};
      for (int r = 0; r < (n <= 4096 ? 3 : 1); ++r) inputs.push_back(to32(random_poly(prg, n, p)));
      Vec32 alternating(n), spike(n, 0);
      for (std::size_t i = 0; i < n; ++i) alternating[i] = i % 2 ? top : 0;
      spike[n / 2 + 1] = top;
      inputs.push_back(alternating);
      inputs.push_back(spike);
      for (const Vec32& in : inputs) {
        Vec32 s = in, v = in, w = in;
        ntt_forward(s.data(), t, NttKernel::Scalar);
        ntt_forward(v.data(), t, NttKernel::Avx512);
        ntt_forward(w.data(), t, NttKernel::Avx2);
        ASSERT_EQ(v, s) << "forward n=" << n << " p=" << p;
        ASSERT_EQ(w, s) << "forward (AVX2) n=" << n << " p=" << p;
        ntt_inverse(v.data(), t, NttKernel::Avx512);  // round trip
        ASSERT_EQ(v, in) << "round trip n=" << n << " p=" << p;
        s = in;
        v = in;
        ntt_inverse(s.data(), t, NttKernel::Scalar);
        ntt_inverse(v.data(), t, NttKernel::Avx512);
        ASSERT_EQ(v, s) << "inverse n=" << n << " p=" << p;
      }
    }
  }
}

TEST(Ntt, Avx512HandlesUnalignedData) {
  if (!avx512_present()) GTEST_SKIP() << "CPU lacks AVX-512F (or AVX2/BMI2)";
  auto prg = make_prg(10);
  for (std::size_t n : {128, 1024, 4096}) {
    const uint64_t p = ntt_primes(28, 1, n)[0];
    const NttTables t(n, p);
    for (std::size_t offset : {1, 3, 8}) {
      Vec32 buffer(n + offset);
      const Vec32 a = to32(random_poly(prg, n, p));
      std::copy(a.begin(), a.end(), buffer.begin() + static_cast<std::ptrdiff_t>(offset));
      Vec32 s = a;
      ntt_forward(s.data(), t, NttKernel::Scalar);
      ntt_forward(buffer.data() + offset, t, NttKernel::Avx512);
      EXPECT_TRUE(std::equal(s.begin(), s.end(), buffer.begin() + static_cast<std::ptrdiff_t>(offset)));
      ntt_inverse(buffer.data() + offset, t, NttKernel::Avx512);
      EXPECT_TRUE(std::equal(a.begin(), a.end(), buffer.begin() + static_cast<std::ptrdiff_t>(offset)));
    }
  }
}

// ntt_best_kernel() follows the effective features: the widest kernel the CPU has, and the
// portable one under TWAIN_DISABLE_SIMD=1 (ctest math.portable_kernels runs this with it set).
TEST(Ntt, DispatchFollowsCpuFeatures) {
  const core::CpuFeatures& f = core::cpu_features();
  const char* disable = std::getenv("TWAIN_DISABLE_SIMD");
  if (disable != nullptr && std::strcmp(disable, "1") == 0) {
    EXPECT_FALSE(f.avx2 || f.bmi2 || f.aesni || f.avx512f || f.avx512dq || f.avx512bw ||
                 f.avx512vl || f.avx512ifma || f.vaes);
    EXPECT_EQ(ntt_best_kernel(), NttKernel::Scalar);
    return;
  }
  if (f.avx512f && f.avx2 && f.bmi2) {
    EXPECT_EQ(ntt_best_kernel(), NttKernel::Avx512);
  } else if (f.avx2 && f.bmi2) {
    EXPECT_EQ(ntt_best_kernel(), NttKernel::Avx2);
  } else {
    EXPECT_EQ(ntt_best_kernel(), NttKernel::Scalar);
  }
  // Detection is the same either way; TWAIN_DISABLE_AVX512=1 leaves the AVX2 kernels.
  const char* no_avx512 = std::getenv("TWAIN_DISABLE_AVX512");
  if (no_avx512 != nullptr && std::strcmp(no_avx512, "1") == 0) {
    EXPECT_FALSE(f.avx512f || f.avx512dq || f.avx512bw || f.avx512vl || f.avx512ifma);
  } else {
    EXPECT_EQ(f.avx512f, core::cpu_features_detected().avx512f);
  }
}

TEST(Ntt, RejectsBadCalls) {
  const NttTables wide(1024, ntt_primes(40, 1, 1024)[0]);
  Vec32 a(1024, 0);
  EXPECT_THROW(ntt_forward(a.data(), wide), InvalidArgument);  // 32-bit data needs p < 2^30
  EXPECT_THROW(ntt_inverse(a.data(), wide), InvalidArgument);
  EXPECT_THROW(ntt_forward(a.data(), wide, NttKernel::Scalar), InvalidArgument);
  const NttTables narrow(1024, ntt_primes(30, 1, 1024)[0]);
  EXPECT_THROW(ntt_forward(static_cast<uint32_t*>(nullptr), narrow), InvalidArgument);
  EXPECT_THROW(ntt_inverse(static_cast<uint64_t*>(nullptr), narrow), InvalidArgument);
  EXPECT_TRUE(ntt_kernel_available(NttKernel::Scalar));
  EXPECT_EQ(ntt_kernel_available(NttKernel::Avx2), avx2_present());
  EXPECT_EQ(ntt_kernel_available(NttKernel::Avx512), avx512_present());
  if (!avx2_present()) {
    EXPECT_THROW(ntt_forward(a.data(), narrow, NttKernel::Avx2), InvalidArgument);
  }
  if (!avx512_present()) {
    EXPECT_THROW(ntt_forward(a.data(), narrow, NttKernel::Avx512), InvalidArgument);
    EXPECT_THROW(ntt_inverse(a.data(), narrow, NttKernel::Avx512), InvalidArgument);
  }
  if (!core::cpu_features().avx2) {
    EXPECT_EQ(ntt_best_kernel(), NttKernel::Scalar);
  }
}

}  // namespace
}  // namespace twain::math
