#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "core/prg.hpp"
#include "math/primes.hpp"
#include "math/rns.hpp"

namespace twain::math {
namespace {

std::shared_ptr<const RnsBase> standard_base(std::size_t n = 4096) {
  auto primes = ntt_primes(28, 1, n);
  for (uint64_t q : ntt_primes(27, 3, n)) primes.push_back(q);
  return RnsBase::create(n, primes);
}

TEST(RnsBase, ReconstructInvertsResidues) {
  const auto owner = standard_base();
  const RnsBase& base = *owner;
  core::Prg prg(core::Seed{1});
  for (int trial = 0; trial < 2000; ++trial) {
    const u128 x = ((static_cast<u128>(prg.next_u64()) << 64) | prg.next_u64()) % base.product();
    uint32_t residues[4];
    for (std::size_t i = 0; i < 4; ++i) residues[i] = static_cast<uint32_t>(x % base.prime(i));
    ASSERT_TRUE(base.reconstruct(residues, 1) == x);
  }
  const uint32_t top[4] = {base.prime(0) - 1, base.prime(1) - 1, base.prime(2) - 1, base.prime(3) - 1};
  EXPECT_TRUE(base.reconstruct(top, 1) == base.product() - 1);
}

TEST(RnsBase, RejectsBadPrimes) {
  EXPECT_THROW(RnsBase::create(4096, {}), InvalidArgument);
  const auto big = ntt_primes(31, 1, 4096);
  EXPECT_THROW(RnsBase::create(4096, big), InvalidArgument);
  const auto q = ntt_primes(27, 1, 4096);
  EXPECT_THROW(RnsBase::create(4096, {q[0], q[0]}), InvalidArgument);
}

// Negacyclic product of signed coefficients over the integers (schoolbook).
std::vector<i128> schoolbook(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  const std::size_t n = a.size();
  std::vector<i128> c(n, 0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      const i128 p = static_cast<i128>(a[i]) * b[j];
      if (i + j < n) c[i + j] += p; else c[i + j - n] -= p;
    }
  return c;
}

TEST(RnsPoly, ProductMatchesSchoolbookOverTheIntegers) {
  const auto owner = standard_base(1024);
  const RnsBase& base = *owner;
  core::Prg prg(core::Seed{2});
  std::vector<int64_t> a(1024), b(1024);
  for (auto& v : a) v = static_cast<int64_t>(prg.uniform(uint64_t{1} << 41)) - (int64_t{1} << 40);
  for (auto& v : b) v = static_cast<int64_t>(prg.uniform(uint64_t{1} << 25)) - (int64_t{1} << 24);
  RnsPoly pa(base, PolyForm::Coefficient), pb(base, PolyForm::Coefficient);
  pa.set_signed(a);
  pb.set_signed(b);
  pa.to_ntt();
  pb.to_ntt();
  pa.mul_pointwise(pb);
  pa.to_coefficients();
  const auto expected = schoolbook(a, b);
  for (std::size_t j = 0; j < 1024; ++j) {
    const u128 q = base.product();
    const u128 want = expected[j] < 0 ? q - static_cast<u128>(-expected[j]) : static_cast<u128>(expected[j]);
    ASSERT_TRUE(pa.coefficient(j) == want) << j;
  }
}

TEST(RnsPoly, PolynomialsKeepTheirBaseAlive) {
  std::vector<int64_t> ones(1024, 1);
  RnsPoly p = [&] {
    const auto base = standard_base(1024);
    RnsPoly q(*base, PolyForm::Coefficient);
    q.set_signed(ones);
    return q;
  }();
  p.to_ntt();  // the tables are still there
  p.to_coefficients();
  EXPECT_TRUE(p.coefficient(7) == 1);
}

TEST(RnsPoly, AddSubNegateAreModular) {
  const auto owner = standard_base(1024);
  const RnsBase& base = *owner;
  core::Prg prg(core::Seed{3});
  std::vector<int64_t> a(1024), b(1024), sum(1024), neg(1024);
  for (std::size_t j = 0; j < 1024; ++j) {
    a[j] = static_cast<int64_t>(prg.next_u64() >> 2) - (int64_t{1} << 61);
    b[j] = static_cast<int64_t>(prg.next_u64() >> 2) - (int64_t{1} << 61);
    sum[j] = a[j] + b[j];
    neg[j] = -a[j];
  }
  RnsPoly pa(base, PolyForm::Coefficient), pb(base, PolyForm::Coefficient), ps(base, PolyForm::Coefficient),
      pn(base, PolyForm::Coefficient);
  pa.set_signed(a);
  pb.set_signed(b);
  ps.set_signed(sum);
  pn.set_signed(neg);
  RnsPoly t = pa;
  t += pb;
  EXPECT_TRUE(std::equal(t.data().begin(), t.data().end(), ps.data().begin()));
  t -= pb;
  EXPECT_TRUE(std::equal(t.data().begin(), t.data().end(), pa.data().begin()));
  t.negate();
  EXPECT_TRUE(std::equal(t.data().begin(), t.data().end(), pn.data().begin()));
  RnsPoly other(base, PolyForm::Ntt);
  EXPECT_THROW(t += other, InvalidArgument);
  EXPECT_THROW(t.mul_pointwise(t), InvalidArgument);
}

TEST(RnsAccumulator, LazySumsEqualReducedSumsPastTheReductionPoint) {
  const auto owner = standard_base(1024);
  const RnsBase& base = *owner;
  core::Prg prg(core::Seed{4});
  RnsAccumulator acc(base);
  RnsPoly expected(base, PolyForm::Ntt);
  // More products than fit between reductions (about 256 for 28-bit primes), worst-case values.
  for (int k = 0; k < 700; ++k) {
    RnsPoly a(base, PolyForm::Ntt), b(base, PolyForm::Ntt);
    for (std::size_t i = 0; i < base.size(); ++i) {
      for (std::size_t j = 0; j < base.n(); ++j) {
        a.limb(i)[j] = k % 3 == 0 ? base.prime(i) - 1 : static_cast<uint32_t>(prg.uniform(base.prime(i)));
        b.limb(i)[j] = k % 3 == 0 ? base.prime(i) - 1 : static_cast<uint32_t>(prg.uniform(base.prime(i)));
      }
    }
    acc.add_product(a, b);
    RnsPoly product = a;
    product.mul_pointwise(b);
    expected += product;
  }
  EXPECT_EQ(acc.products(), 700U);
  const RnsPoly got = acc.result();
  EXPECT_TRUE(std::equal(got.data().begin(), got.data().end(), expected.data().begin()));
}

}  // namespace
}  // namespace twain::math
