// Element-wise kernels against 64-bit schoolbook arithmetic, and AVX2 and AVX-512 against scalar
// bit for bit.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/cpu_features.hpp"
#include "core/errors.hpp"
#include "core/prg.hpp"
#include "math/modarith.hpp"
#include "math/pointwise.hpp"
#include "math/pointwise_kernels.hpp"

namespace twain::math {
namespace {

using Vec32 = std::vector<uint32_t>;
using Vec64 = std::vector<uint64_t>;

bool avx2_present() { return core::cpu_features_detected().avx2 && core::cpu_features_detected().bmi2; }
bool avx512_present() { return avx2_present() && core::cpu_features_detected().avx512f; }

const NttKernel kAllKernels[] = {NttKernel::Scalar, NttKernel::Avx2, NttKernel::Avx512};

// Small, odd, power-of-two, NTT primes of 20..30 bits and the largest allowed modulus.
const uint32_t kModuli[] = {2, 3, 17, 1u << 16, 12289, 1038337, 268369921, 1073479681,
                            (1u << 30) - 1};
// Lengths exercising the vector bodies and the scalar tails.
const std::size_t kLengths[] = {0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 4096, 4099, 4111};

Vec32 residues(core::Prg& prg, std::size_t n, uint32_t p) {
  Vec32 a(n);
  for (auto& x : a) x = static_cast<uint32_t>(prg.uniform(p));
  // Extremes at both ends so that tails and vector bodies both see them.
  if (n > 0) a[0] = p - 1;
  if (n > 1) a[n - 1] = p - 1;
  if (n > 2) a[1] = 0;
  return a;
}

TEST(Pointwise, MulMatchesSchoolbook) {
  core::Prg prg(core::Seed{0x70, 0x77, 1});
  for (uint32_t p : kModuli) {
    for (std::size_t n : kLengths) {
      const Vec32 a = residues(prg, n, p), b = residues(prg, n, p);
      Vec32 expected(n);
      for (std::size_t i = 0; i < n; ++i) expected[i] = static_cast<uint32_t>(uint64_t{a[i]} * b[i] % p);
      for (NttKernel kernel : kAllKernels) {
        if (!ntt_kernel_available(kernel)) continue;
        Vec32 out(n, 0xdeadbeef);
        pointwise_mul(out.data(), a.data(), b.data(), n, p, kernel);
        ASSERT_EQ(out, expected) << "p=" << p << " n=" << n << " kernel=" << static_cast<int>(kernel);
        Vec32 in_place = a;  // out aliasing an input
        pointwise_mul(in_place.data(), in_place.data(), b.data(), n, p, kernel);
        ASSERT_EQ(in_place, expected);
      }
      Vec32 out(n);
      pointwise_mul(out.data(), a.data(), b.data(), n, p);
      ASSERT_EQ(out, expected);
    }
  }
}

TEST(Pointwise, MulAllPairsOfExtremes) {
  for (uint32_t p : kModuli) {
    Vec32 a, b;
    for (uint32_t x : {0u, 1u, p / 2, p - 2, p - 1}) {
      for (uint32_t y : {0u, 1u, p / 2, p - 2, p - 1}) {
        a.push_back(x % p);
        b.push_back(y % p);
      }
    }
    for (NttKernel kernel : kAllKernels) {
      if (!ntt_kernel_available(kernel)) continue;
      Vec32 out(a.size());
      pointwise_mul(out.data(), a.data(), b.data(), a.size(), p, kernel);
      for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(out[i], uint64_t{a[i]} * b[i] % p) << p << " " << a[i] << " " << b[i];
      }
    }
  }
}

TEST(Pointwise, MulAccumulatesPlainProducts) {
  core::Prg prg(core::Seed{0x70, 0x77, 2});
  for (std::size_t n : kLengths) {
    const uint32_t p = (1u << 30) - 1;
    Vec64 start(n);
    for (auto& x : start) x = prg.next_u64() >> 2;  // no wrap-around after a few products
    Vec64 expected = start;
    std::vector<Vec32> as, bs;
    for (int round = 0; round < 3; ++round) {
      as.push_back(residues(prg, n, p));
      bs.push_back(residues(prg, n, p));
      for (std::size_t i = 0; i < n; ++i) expected[i] += uint64_t{as.back()[i]} * bs.back()[i];
    }
    for (NttKernel kernel : kAllKernels) {
      if (!ntt_kernel_available(kernel)) continue;
      Vec64 acc = start;
      for (int round = 0; round < 3; ++round) {
        pointwise_mul_acc(acc.data(), as[round].data(), bs[round].data(), n, kernel);
      }
      ASSERT_EQ(acc, expected) << n;
    }
    Vec64 acc = start;
    for (int round = 0; round < 3; ++round) pointwise_mul_acc(acc.data(), as[round].data(), bs[round].data(), n);
    ASSERT_EQ(acc, expected);
  }
}

TEST(Pointwise, ScalarMulAccumulatesPlainProducts) {
  core::Prg prg(core::Seed{0x70, 0x77, 4});
  for (std::size_t n : kLengths) {
    const uint32_t p = (1u << 30) - 1;
    Vec64 start(n);
    for (auto& x : start) x = prg.next_u64() >> 2;
    const Vec32 a = residues(prg, n, p);
    const uint32_t c = static_cast<uint32_t>(prg.next_u64() % p);
    Vec64 expected = start;
    for (std::size_t i = 0; i < n; ++i) expected[i] += uint64_t{a[i]} * c;
    for (NttKernel kernel : kAllKernels) {
      if (!ntt_kernel_available(kernel)) continue;
      Vec64 acc = start;
      scalar_mul_acc(acc.data(), a.data(), c, n, kernel);
      ASSERT_EQ(acc, expected) << n;
    }
    Vec64 acc = start;
    scalar_mul_acc(acc.data(), a.data(), c, n);
    ASSERT_EQ(acc, expected);
  }
}

TEST(Pointwise, ReduceAccumulator) {
  core::Prg prg(core::Seed{0x70, 0x77, 3});
  for (uint32_t p : kModuli) {
    if (p < 2) continue;
    const Modulus mod(p);
    for (std::size_t n : kLengths) {
      Vec64 acc(n);
      for (auto& x : acc) x = prg.next_u64() >> (prg.next_u64() % 64);
      if (n > 0) acc[0] = ~uint64_t{0};
      if (n > 1) acc[n - 1] = uint64_t{p} * p;
      if (n > 2) acc[1] = 0;
      Vec32 expected(n);
      for (std::size_t i = 0; i < n; ++i) expected[i] = static_cast<uint32_t>(acc[i] % p);
      Vec32 out(n, 0xdeadbeef);
      reduce_accumulator(out.data(), acc.data(), n, mod);
      ASSERT_EQ(out, expected) << "p=" << p << " n=" << n;
    }
  }
  EXPECT_THROW(reduce_accumulator(nullptr, nullptr, 0, Modulus(uint64_t{1} << 30)), InvalidArgument);
}

TEST(Pointwise, AddSubMatchSchoolbook) {
  core::Prg prg(core::Seed{0x70, 0x77, 4});
  for (uint32_t p : kModuli) {
    for (std::size_t n : kLengths) {
      const Vec32 a = residues(prg, n, p), b = residues(prg, n, p);
      Vec32 sum(n), diff(n);
      pointwise_add(sum.data(), a.data(), b.data(), n, p);
      pointwise_sub(diff.data(), a.data(), b.data(), n, p);
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_EQ(sum[i], (uint64_t{a[i]} + b[i]) % p);
        ASSERT_EQ(diff[i], (uint64_t{a[i]} + p - b[i]) % p);
      }
      Vec32 in_place = a;
      pointwise_sub(in_place.data(), in_place.data(), b.data(), n, p);
      ASSERT_EQ(in_place, diff);
    }
  }
}

// The internal kernels without a public kernel choice (reduce, add, sub): AVX2 against scalar.
TEST(Pointwise, Avx2MatchesScalarBitForBit) {
  if (!avx2_present()) GTEST_SKIP() << "CPU lacks AVX2/BMI2: nothing to compare";
  core::Prg prg(core::Seed{0x70, 0x77, 5});
  for (uint32_t p : kModuli) {
    const uint32_t c = static_cast<uint32_t>((uint64_t{1} << 32) % p);
    const detail::Split64 split{p, c, static_cast<uint32_t>((uint64_t{c} << 32) / p),
                                static_cast<uint32_t>((uint64_t{1} << 32) / p)};
    for (std::size_t n : kLengths) {
      const Vec32 a = residues(prg, n, p), b = residues(prg, n, p);
      Vec32 s(n), v(n);
      detail::pointwise_add_scalar(s.data(), a.data(), b.data(), n, p);
      detail::pointwise_add_avx2(v.data(), a.data(), b.data(), n, p);
      ASSERT_EQ(v, s);
      detail::pointwise_sub_scalar(s.data(), a.data(), b.data(), n, p);
      detail::pointwise_sub_avx2(v.data(), a.data(), b.data(), n, p);
      ASSERT_EQ(v, s);
      Vec64 acc(n);
      for (auto& x : acc) x = prg.next_u64();
      detail::reduce_accumulator_scalar(s.data(), acc.data(), n, split);
      detail::reduce_accumulator_avx2(v.data(), acc.data(), n, split);
      ASSERT_EQ(v, s);
      pointwise_mul(s.data(), a.data(), b.data(), n, p, NttKernel::Scalar);
      pointwise_mul(v.data(), a.data(), b.data(), n, p, NttKernel::Avx2);
      ASSERT_EQ(v, s);
    }
  }
}

// Every AVX-512 kernel against the scalar one, on residues with 0 and p - 1 at both ends, random
// and extreme 64-bit accumulators, every length class (vector body, AVX2 tail, scalar tail).
TEST(Pointwise, Avx512MatchesScalarBitForBit) {
  if (!avx512_present()) GTEST_SKIP() << "CPU lacks AVX-512F (or AVX2/BMI2): nothing to compare";
  core::Prg prg(core::Seed{0x70, 0x77, 6});
  for (uint32_t p : kModuli) {
    const uint32_t c = static_cast<uint32_t>((uint64_t{1} << 32) % p);
    const detail::Split64 split{p, c, static_cast<uint32_t>((uint64_t{c} << 32) / p),
                                static_cast<uint32_t>((uint64_t{1} << 32) / p)};
    for (std::size_t n : kLengths) {
      const Vec32 a = residues(prg, n, p), b = residues(prg, n, p);
      Vec32 s(n), v(n);
      detail::pointwise_add_scalar(s.data(), a.data(), b.data(), n, p);
      detail::pointwise_add_avx512(v.data(), a.data(), b.data(), n, p);
      ASSERT_EQ(v, s) << "add p=" << p << " n=" << n;
      detail::pointwise_sub_scalar(s.data(), a.data(), b.data(), n, p);
      detail::pointwise_sub_avx512(v.data(), a.data(), b.data(), n, p);
      ASSERT_EQ(v, s) << "sub p=" << p << " n=" << n;
      Vec64 acc(n);
      for (auto& x : acc) x = prg.next_u64();
      if (n > 3) {
        acc[0] = ~uint64_t{0};
        acc[1] = 0;
        acc[2] = uint64_t{0xFFFFFFFF};
        acc[3] = uint64_t{1} << 32;
      }
      detail::reduce_accumulator_scalar(s.data(), acc.data(), n, split);
      detail::reduce_accumulator_avx512(v.data(), acc.data(), n, split);
      ASSERT_EQ(v, s) << "reduce p=" << p << " n=" << n;
      pointwise_mul(s.data(), a.data(), b.data(), n, p, NttKernel::Scalar);
      pointwise_mul(v.data(), a.data(), b.data(), n, p, NttKernel::Avx512);
      ASSERT_EQ(v, s) << "mul p=" << p << " n=" << n;
      Vec64 acc_s = acc, acc_v = acc;
      pointwise_mul_acc(acc_s.data(), a.data(), b.data(), n, NttKernel::Scalar);
      pointwise_mul_acc(acc_v.data(), a.data(), b.data(), n, NttKernel::Avx512);
      ASSERT_EQ(acc_v, acc_s) << "mul_acc p=" << p << " n=" << n;
      scalar_mul_acc(acc_s.data(), a.data(), p - 1, n, NttKernel::Scalar);
      scalar_mul_acc(acc_v.data(), a.data(), p - 1, n, NttKernel::Avx512);
      ASSERT_EQ(acc_v, acc_s) << "scalar_mul_acc p=" << p << " n=" << n;
    }
  }
}

TEST(Pointwise, RejectsBadArguments) {
  Vec32 a(8, 1), out(8);
  EXPECT_THROW(pointwise_mul(out.data(), a.data(), a.data(), 8, 0), InvalidArgument);
  EXPECT_THROW(pointwise_mul(out.data(), a.data(), a.data(), 8, 1), InvalidArgument);
  EXPECT_THROW(pointwise_mul(out.data(), a.data(), a.data(), 8, 1u << 30), InvalidArgument);
  EXPECT_THROW(pointwise_add(out.data(), a.data(), a.data(), 8, 1u << 31), InvalidArgument);
  EXPECT_THROW(pointwise_sub(out.data(), a.data(), a.data(), 8, 0), InvalidArgument);
  EXPECT_THROW(pointwise_mul(nullptr, a.data(), a.data(), 8, 17), InvalidArgument);
  EXPECT_NO_THROW(pointwise_mul(nullptr, nullptr, nullptr, 0, 17));
  if (!avx2_present()) {
    EXPECT_THROW(pointwise_mul(out.data(), a.data(), a.data(), 8, 17, NttKernel::Avx2), InvalidArgument);
  }
  if (!avx512_present()) {
    EXPECT_THROW(pointwise_mul(out.data(), a.data(), a.data(), 8, 17, NttKernel::Avx512), InvalidArgument);
  }
}

}  // namespace
}  // namespace twain::math
