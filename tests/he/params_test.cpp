#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "he/encryptor.hpp"
#include "he/evaluator.hpp"
#include "he/keys.hpp"
#include "he/params.hpp"
#include "math/primes.hpp"

namespace twain::he {
namespace {

TEST(HeParameters, StandardChainFitsTheSecurityTable) {
  const auto context = Context::create(Parameters::standard(37));
  EXPECT_EQ(context->n(), 4096U);
  EXPECT_EQ(context->rns().size(), 4U);
  EXPECT_LE(context->q_log2(), 109.0);
  EXPECT_GT(context->q_log2(), 108.0);
  EXPECT_EQ(context->plain_mask(), (uint64_t{1} << 37) - 1);
}

TEST(HeParameters, RejectsModulusBeyondTheTable) {
  Parameters p = Parameters::insecure_for_tests(4096, 28, 4, 37);  // ~112 bits at n = 4096
  p.insecure_allowed = false;
  EXPECT_THROW(Context::create(p), ParameterError);
  p.insecure_allowed = true;
  EXPECT_NO_THROW(Context::create(p));
}

TEST(HeParameters, RejectsSmallRingsUnlessMarkedInsecure) {
  Parameters p = Parameters::insecure_for_tests(1024, 28, 2, 20);
  EXPECT_TRUE(p.insecure_allowed);
  EXPECT_NO_THROW(Context::create(p));
  p.insecure_allowed = false;
  EXPECT_THROW(Context::create(p), ParameterError);
}

TEST(HeParameters, RejectsMalformedChains) {
  Parameters p = Parameters::standard(37);
  p.primes[1] = p.primes[0];
  EXPECT_THROW(Context::create(p), ParameterError);
  p = Parameters::standard(37);
  p.primes[0] += 2;  // no longer prime or not 1 mod 2n
  EXPECT_THROW(Context::create(p), ParameterError);
  p = Parameters::standard(37);
  p.n = 3000;
  EXPECT_THROW(Context::create(p), ParameterError);
  EXPECT_THROW(Context::create(Parameters::standard(100)), ParameterError);
}

TEST(HeParameters, IdsSeparateParameterSetsAndCallsCheckThem) {
  const auto a = Context::create(Parameters::standard(37));
  const auto b = Context::create(Parameters::standard(32));
  EXPECT_NE(a->id(), b->id());
  EXPECT_EQ(a->id(), Context::create(Parameters::standard(37))->id());
  core::Prg prg(core::Seed{1});
  const SecretKey sk = generate_secret_key(*a, prg);
  const std::vector<uint64_t> m(16, 1);
  EXPECT_THROW(encrypt(*b, sk, m, prg), ParameterError);
  Ciphertext ct = encrypt(*a, sk, m, prg);
  EXPECT_THROW(add_plain(*b, ct, m, prg), ParameterError);
}

}  // namespace
}  // namespace twain::he
