#include "he/evaluator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "he/encoding.hpp"
#include "he/flooding.hpp"
#include "he/sampling.hpp"
#include "he/modulus_switch.hpp"

namespace twain::he {
namespace {

uint64_t seed_tag(const core::Seed& seed) {
  uint64_t tag = 0;
  for (int i = 0; i < 8; ++i) tag |= static_cast<uint64_t>(seed[i]) << (8 * i);
  return tag;
}

// Noise that switching to 2^k adds: rounding c0 (at most kSwitchRoundingError) and rounding c1
// times the ternary secret (sub-Gaussian with variance proxy n kSwitchRoundingError^2).
double switching_noise_bound(std::size_t n) {
  return kTailFactor * std::sqrt(static_cast<double>(n)) * kSwitchRoundingError + kSwitchRoundingError;
}

// Variance a public-key encryption of zero adds: u e_pk + e1 + e2 s, with |e_pk| <= 21 and
// |s|, |u| <= 1 coefficient-wise.
double rerandomization_variance(std::size_t n) {
  const double e_max = kErrorCoinPairs;
  return static_cast<double>(n) * (e_max * e_max + kErrorVariance) + kErrorVariance;
}

// The flooding for `revealed` coefficients (he/flooding.hpp) and the estimate after adding it;
// throws CapacityError when it would not decrypt exactly.
FloodDistribution flood_distribution(const Context& context, const NoiseEstimate& noise, std::size_t revealed,
                                     const FloodBudget& budget, NoiseEstimate& flooded) {
  TWAIN_REQUIRE(revealed <= context.n(), InvalidArgument, "flood: revealed coefficients must be at most n");
  const FloodDistribution distribution =
      choose_flooding(noise.weight_variance, revealed == 0 ? context.n() : revealed, budget);
  flooded = noise;
  flooded.worst_case += distribution.bound;
  try {
    minimal_switch_bits(context, flooded);
  } catch (const CapacityError&) {
    throw CapacityError("flood: noise of 2^" + std::to_string(std::log2(distribution.bound)) +
                        " would not decrypt exactly under Q = 2^" + std::to_string(context.q_log2()) +
                        " and t = 2^" + std::to_string(context.plain_bits()) +
                        "; the weight bounds are too large for these parameters");
  }
  return distribution;
}

}  // namespace

NoiseEstimate product_noise(const NoiseEstimate& input, double weight_norm2_squared_sum) {
  const double variance = input.variance * weight_norm2_squared_sum;
  return {variance, variance, 0};
}

namespace {

// The largest switch modulus exponent: k <= 62, and the client computes c1 s exactly over the
// integers, so n 2^(k-1) must stay below Q / 8.
int switch_bits_limit(const Context& context) {
  const int exact_limit =
      static_cast<int>(std::floor(context.q_log2() - std::log2(static_cast<double>(context.n())))) - 2;
  return std::min(62, exact_limit);
}

NoiseEstimate unflooded_response(const Context& context, const NoiseEstimate& product) {
  NoiseEstimate noise = product;
  noise.variance += kRoundingVariance + rerandomization_variance(context.n());
  return noise;
}

}  // namespace

NoiseEstimate response_noise(const Context& context, const NoiseEstimate& product, std::size_t revealed_coefficients,
                             const FloodBudget& budget) {
  NoiseEstimate flooded;
  flood_distribution(context, unflooded_response(context, product), revealed_coefficients, budget, flooded);
  return flooded;
}

FloodDistribution response_flooding(const Context& context, const NoiseEstimate& product,
                                    std::size_t revealed_coefficients, const FloodBudget& budget) {
  NoiseEstimate flooded;
  return flood_distribution(context, unflooded_response(context, product), revealed_coefficients, budget, flooded);
}

void add_plain(const Context& context, Ciphertext& ct, std::span<const uint64_t> message, core::Prg& prg) {
  require_same_parameters(context, ct.params_id, "ciphertext");
  math::RnsPoly encoded = encode_scaled(context, message, prg);
  if (ct.c0.form() == math::PolyForm::Ntt) encoded.to_ntt();
  ct.c0 += encoded;
  ct.noise.variance += kRoundingVariance;
}

MultiplyAccumulator::MultiplyAccumulator(const Context& context)
    : context_(&context), acc0_(context.rns()), acc1_(context.rns()) {}

void MultiplyAccumulator::add(const Ciphertext& ct, const NttPlaintext& w) {
  require_same_parameters(*context_, ct.params_id, "ciphertext");
  require_same_parameters(*context_, w.params_id(), "plaintext");
  TWAIN_REQUIRE(ct.noise.worst_case == 0, InvalidArgument,
                "MultiplyAccumulator: a flooded ciphertext cannot be multiplied again");
  if (w.is_constant()) {
    acc0_.add_scaled(ct.c0, w.residues());
    acc1_.add_scaled(ct.c1, w.residues());
  } else {
    acc0_.add_product(ct.c0, w.ntt());
    acc1_.add_product(ct.c1, w.ntt());
  }
  // Products of distinct fresh encryptions have independent noise, so variances add.
  if (!ct.seed || !seen_.insert(seed_tag(*ct.seed)).second) independent_ = false;
  const double scale = w.bound().norm2_squared();
  independent_variance_ += ct.noise.variance * scale;
  linear_stddev_ += std::sqrt(ct.noise.variance * scale);
}

Ciphertext MultiplyAccumulator::result() const {
  TWAIN_REQUIRE(products() > 0, InvalidArgument, "MultiplyAccumulator: no products were added");
  Ciphertext out;
  out.params_id = context_->id();
  out.c0 = acc0_.result();
  out.c1 = acc1_.result();
  out.noise.variance = independent_ ? independent_variance_ : linear_stddev_ * linear_stddev_;
  out.noise.weight_variance = out.noise.variance;
  return out;
}

void rerandomize(const Context& context, Ciphertext& ct, const PublicKey& pk, core::Prg& prg) {
  require_same_parameters(context, ct.params_id, "ciphertext");
  require_same_parameters(context, pk.params_id, "public key");
  if (ct.c0.form() == math::PolyForm::Coefficient) {
    ct.c0.to_ntt();
    ct.c1.to_ntt();
  }
  math::RnsPoly u(context.rns(), math::PolyForm::Coefficient);
  u.set_signed(sample_ternary(context.n(), prg));
  u.to_ntt();
  math::RnsPoly u_p0 = u;
  u_p0.mul_pointwise(pk.p0);
  u.mul_pointwise(pk.p1);
  ct.c0 += u_p0;
  ct.c1 += u;
  ct.c0.to_coefficients();
  ct.c1.to_coefficients();
  math::RnsPoly e(context.rns(), math::PolyForm::Coefficient);
  e.set_signed(sample_error(context.n(), prg));
  ct.c0 += e;
  e.set_signed(sample_error(context.n(), prg));
  ct.c1 += e;
  ct.seed.reset();
  ct.noise.variance += rerandomization_variance(context.n());
  ct.rerandomized = true;
}

double flood(const Context& context, Ciphertext& ct, core::Prg& prg, const FloodPolicy& policy) {
  require_same_parameters(context, ct.params_id, "ciphertext");
  NoiseEstimate flooded;
  const FloodDistribution distribution =
      flood_distribution(context, ct.noise, policy.revealed_coefficients, policy.budget, flooded);
  if (ct.c0.form() == math::PolyForm::Ntt) {
    ct.c0.to_coefficients();
    ct.c1.to_coefficients();
  }
  if (distribution.width > 0) {
    const std::size_t count = policy.coefficients.empty() ? context.n() : policy.coefficients.size();
    const auto index = [&](std::size_t j) -> std::size_t {
      if (policy.coefficients.empty()) return j;
      TWAIN_REQUIRE(policy.coefficients[j] < context.n(), InvalidArgument,
                    "flood: coefficient " + std::to_string(policy.coefficients[j]) + " is not below n");
      return policy.coefficients[j];
    };
    // Draws are Z + offset, non-negative; the offset is subtracted mod each prime.
    const std::vector<math::u128> values = sample_flooding(distribution, count, prg);
    const math::u128 centre = flooding_offset(distribution);
    for (std::size_t i = 0; i < context.rns().size(); ++i) {
      const math::Modulus& q = context.rns().modulus(i);
      const uint64_t p = q.value();
      const uint64_t offset = q.reduce(centre);
      // x mod p = (hi (2^64 mod p) + lo) mod p, each part a Shoup product accepting any 64-bit input.
      const uint64_t two64 = q.reduce(math::u128{1} << 64);
      const uint64_t two64_shoup = math::shoup_precompute(two64, p);
      const uint64_t one_shoup = math::shoup_precompute(1, p);
      uint32_t* limb = ct.c0.limb(i);
      for (std::size_t j = 0; j < count; ++j) {
        const uint64_t high = math::mul_shoup(static_cast<uint64_t>(values[j] >> 64), two64, two64_shoup, p);
        const uint64_t low = math::mul_shoup(static_cast<uint64_t>(values[j]), 1, one_shoup, p);
        const uint64_t value = q.sub(q.add(high, low), offset);
        uint32_t& target = limb[index(j)];
        target = static_cast<uint32_t>(q.add(target, value));
      }
    }
  }
  ct.noise = flooded;
  ct.flooded = true;
  return distribution.bound;
}

int minimal_switch_bits(const Context& context, const NoiseEstimate& noise) {
  const int k = fitting_switch_bits(context, noise);
  if (k != 0) return k;
  throw CapacityError("switch_modulus: noise 2^" + std::to_string(noise.bound_log2()) + " leaves no modulus 2^k (k <= " +
                      std::to_string(switch_bits_limit(context)) + ") that decrypts exactly (" + context.describe() + ")");
}

int response_switch_bits(const Context& context, const NoiseEstimate& product, std::size_t revealed_coefficients,
                         const FloodBudget& budget) {
  TWAIN_REQUIRE(revealed_coefficients <= context.n(), InvalidArgument,
                "response_switch_bits: revealed coefficients must be at most n");
  NoiseEstimate noise = unflooded_response(context, product);
  noise.worst_case +=
      choose_flooding(noise.weight_variance, revealed_coefficients == 0 ? context.n() : revealed_coefficients, budget)
          .bound;
  return fitting_switch_bits(context, noise);
}

int fitting_switch_bits(const Context& context, const NoiseEstimate& noise) {
  const double bound = noise.bound();
  const double extra = switching_noise_bound(context.n());
  const int l = context.plain_bits();
  // The client computes c1 s exactly over the integers: n 2^(k-1) must stay below Q / 8.
  const int largest = switch_bits_limit(context);
  const double q = std::exp2(context.q_log2());
  // The condition below holds from some k on (2^k (2^(-l-1) - bound / Q) grows past extra): start
  // just below where it first can, so that planners asking for every candidate loop a few times.
  const double slope = std::ldexp(1.0, -l - 1) - bound / q;
  if (!(slope > 0)) return 0;
  const double first = std::log2(extra / slope);
  const int start = std::isfinite(first) ? std::max(l + 2, static_cast<int>(std::floor(first)) - 2) : l + 2;
  for (int k = start; k <= largest; ++k) {
    // Noise after switching: (2^k / Q) bound + extra; it must stay below 2^(k - l - 1), half a
    // step of the message (decrypt rounds to the nearest multiple of 2^(k - l)). bound and extra
    // hold except with 2^-80 per coefficient, which the session's distance counts.
    const double scaled = std::ldexp(bound, k) / q;
    if (scaled + extra < std::ldexp(1.0, k - l - 1)) return k;
  }
  return 0;
}

SwitchedCiphertext switch_modulus(const Context& context, const Ciphertext& ct, int bits,
                                  std::span<const uint32_t> c0_indices) {
  require_same_parameters(context, ct.params_id, "ciphertext");
  TWAIN_REQUIRE(ct.c0.form() == math::PolyForm::Coefficient && ct.c1.form() == math::PolyForm::Coefficient,
                InvalidArgument, "switch_modulus: the ciphertext must be in coefficient form");
  TWAIN_REQUIRE(bits > context.plain_bits() && bits <= 62, InvalidArgument,
                "switch_modulus: bits = " + std::to_string(bits) + " must be in (l, 62]");
  TWAIN_REQUIRE(ct.noise.weight_variance == 0 || (ct.rerandomized && ct.flooded), InvalidArgument,
                "switch_modulus: a ciphertext carrying products must be re-randomised and flooded first");
  const std::size_t n = context.n();
  const RnsModulusSwitcher switcher(context.rns(), bits);
  SwitchedCiphertext out;
  out.params_id = context.id();
  out.bits = bits;
  out.c0_indices.assign(c0_indices.begin(), c0_indices.end());
  out.c1.resize(n);
  for (std::size_t j = 0; j < n; ++j) out.c1[j] = switcher.switch_coefficient(ct.c1.data().data() + j, n);
  if (c0_indices.empty()) {
    out.c0.resize(n);
    for (std::size_t j = 0; j < n; ++j) out.c0[j] = switcher.switch_coefficient(ct.c0.data().data() + j, n);
  } else {
    out.c0.reserve(c0_indices.size());
    for (uint32_t j : c0_indices) {
      TWAIN_REQUIRE(j < n, InvalidArgument, "switch_modulus: c0 index " + std::to_string(j) + " is not below n");
      out.c0.push_back(switcher.switch_coefficient(ct.c0.data().data() + j, n));
    }
  }
  return out;
}

SwitchedCiphertext finish_response(const Context& context, Ciphertext product, std::span<const uint64_t> mask,
                                   const PublicKey& pk, core::Prg& prg, std::span<const uint32_t> c0_indices,
                                   const FloodBudget& budget) {
  rerandomize(context, product, pk, prg);
  add_plain(context, product, mask, prg);
  flood(context, product, prg, {budget, c0_indices.size(), c0_indices});
  return switch_modulus(context, product, minimal_switch_bits(context, product.noise), c0_indices);
}

}  // namespace twain::he
