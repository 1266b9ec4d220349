#include "he/decryptor.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "he/scaled_division.hpp"

namespace twain::he {
namespace {

// c0 + c1 s in coefficient form, each coefficient in [0, Q).
math::RnsPoly phase(const Context& context, const SecretKey& secret, const Ciphertext& ct) {
  require_same_parameters(context, ct.params_id, "ciphertext");
  require_same_parameters(context, secret.params_id, "secret key");
  math::RnsPoly c0 = ct.c0, c1 = ct.c1;
  if (c1.form() == math::PolyForm::Coefficient) c1.to_ntt();
  c1.mul_pointwise(secret.s);
  if (c0.form() == math::PolyForm::Ntt) c0.to_coefficients();
  c1.to_coefficients();
  c0 += c1;
  return c0;
}

// c0 + c1 s mod 2^k at the kept coefficients. c1 s is computed exactly over the integers: its
// coefficients are below n 2^k < Q / 2 in magnitude.
std::vector<uint64_t> switched_phase(const Context& context, const SecretKey& secret, const SwitchedCiphertext& ct) {
  require_same_parameters(context, ct.params_id, "switched ciphertext");
  require_same_parameters(context, secret.params_id, "secret key");
  const std::size_t n = context.n();
  TWAIN_REQUIRE(ct.bits > context.plain_bits() && ct.bits <= 62, InvalidArgument,
                "decrypt: modulus 2^" + std::to_string(ct.bits) + " is outside (t, 2^62]");
  TWAIN_REQUIRE(ct.bits + std::log2(static_cast<double>(n)) + 2 <= context.q_log2(), InvalidArgument,
                "decrypt: modulus 2^" + std::to_string(ct.bits) + " is too large to compute c1 s exactly under Q");
  TWAIN_REQUIRE(ct.c1.size() == n, InvalidArgument, "decrypt: c1 must hold n coefficients");
  const std::size_t kept = ct.c0_indices.empty() ? n : ct.c0_indices.size();
  TWAIN_REQUIRE(ct.c0.size() == kept, InvalidArgument, "decrypt: c0 does not match its index list");
  const uint64_t mask = (uint64_t{1} << ct.bits) - 1;
  const uint64_t half = uint64_t{1} << (ct.bits - 1);
  std::vector<int64_t> centered(n);
  for (std::size_t j = 0; j < n; ++j) {
    const uint64_t c = ct.c1[j] & mask;
    centered[j] = c >= half ? static_cast<int64_t>(c) - static_cast<int64_t>(mask) - 1 : static_cast<int64_t>(c);
  }
  math::RnsPoly product(context.rns(), math::PolyForm::Coefficient);
  product.set_signed(centered);
  product.to_ntt();
  product.mul_pointwise(secret.s);
  product.to_coefficients();
  const math::u128 q = context.q();
  std::vector<uint64_t> out(kept);
  for (std::size_t i = 0; i < kept; ++i) {
    const std::size_t j = ct.c0_indices.empty() ? i : ct.c0_indices[i];
    TWAIN_REQUIRE(j < n, InvalidArgument, "decrypt: c0 index " + std::to_string(j) + " is not below n");
    const math::u128 v = product.coefficient(j);
    // v represents a signed integer in (-Q/2, Q/2); reduce it mod 2^k (two's complement),
    // subtracting Q arithmetically rather than behind a branch on this secret-dependent value.
    const math::u128 negative = static_cast<math::u128>(v > q / 2);
    const auto low = static_cast<uint64_t>(v - negative * q);
    out[i] = (low + ct.c0[i]) & mask;
  }
  return out;
}

double log2_or_minus_infinity(double v) {
  return v == 0 ? -std::numeric_limits<double>::infinity() : std::log2(v);
}

}  // namespace

std::vector<uint64_t> decrypt(const Context& context, const SecretKey& secret, const Ciphertext& ct) {
  const math::RnsPoly v = phase(context, secret, ct);
  const ScaledDivider divider(context.q(), context.plain_bits());
  std::vector<uint64_t> m(context.n());
  for (std::size_t j = 0; j < context.n(); ++j) m[j] = divider.round(v.coefficient(j)) & context.plain_mask();
  return m;
}

std::vector<uint64_t> decrypt(const Context& context, const SecretKey& secret, const SwitchedCiphertext& ct) {
  std::vector<uint64_t> v = switched_phase(context, secret, ct);
  const int shift = ct.bits - context.plain_bits();
  const uint64_t half = uint64_t{1} << (shift - 1);
  for (auto& x : v) x = ((x + half) >> shift) & context.plain_mask();
  return v;
}

std::vector<double> measure_noise(const Context& context, const SecretKey& secret, const Ciphertext& ct) {
  const math::RnsPoly v = phase(context, secret, ct);
  const ScaledDivider divider(context.q(), context.plain_bits());
  const double t = std::ldexp(1.0, context.plain_bits());
  std::vector<double> noise(context.n());
  for (std::size_t j = 0; j < context.n(); ++j) {
    // t v = quotient Q + remainder, so v - (Q/t) round(t v / Q) is remainder/t or (remainder - Q)/t.
    const math::u128 r = divider.divide(v.coefficient(j)).remainder;
    noise[j] = 2 * r >= context.q() ? -static_cast<double>(context.q() - r) / t : static_cast<double>(r) / t;
  }
  return noise;
}

double measure_noise_log2(const Context& context, const SecretKey& secret, const Ciphertext& ct) {
  double largest = 0;
  for (const double e : measure_noise(context, secret, ct)) largest = std::max(largest, std::fabs(e));
  return log2_or_minus_infinity(largest);
}

double measure_noise_log2(const Context& context, const SecretKey& secret, const SwitchedCiphertext& ct) {
  const std::vector<uint64_t> v = switched_phase(context, secret, ct);
  const int shift = ct.bits - context.plain_bits();
  const uint64_t step = uint64_t{1} << shift;
  double largest = 0;
  for (uint64_t x : v) {
    const uint64_t r = x & (step - 1);
    largest = std::max(largest, static_cast<double>(std::min(r, step - r)));
  }
  return log2_or_minus_infinity(largest);
}

}  // namespace twain::he
