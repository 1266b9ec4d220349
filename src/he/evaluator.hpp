// Server side: operations on the client's ciphertexts (Cheetah-style linear layers, DESIGN.md
// section 4; Huang, Lu, Hong, Liu, Zhang, Wang, "Cheetah", USENIX Security 2022, section 3).
//
// A response is made by: add_plain (server share, then after the products the mask r),
// MultiplyAccumulator, rerandomize (public-key encryption of zero so c1 reveals nothing about the
// weights), flood (statistical circuit privacy), switch_modulus (to the fewest bits that still
// decrypt exactly, keeping only the c0 coefficients the client needs).
#pragma once

#include <cstdint>
#include <span>
#include <unordered_set>

#include "core/prg.hpp"
#include "he/ciphertext.hpp"
#include "he/flooding.hpp"
#include "he/keys.hpp"
#include "he/plaintext.hpp"

namespace twain::he {

// ct += round(Q m / t) for m in [0, t)^(<= n); ct in either form.
void add_plain(const Context& context, Ciphertext& ct, std::span<const uint64_t> message, core::Prg& prg);

// Sum of ciphertext-plaintext products, accumulated lazily in NTT form.
class MultiplyAccumulator {
 public:
  explicit MultiplyAccumulator(const Context& context);
  // acc += ct * w; ct in NTT form.
  void add(const Ciphertext& ct, const NttPlaintext& w);
  std::size_t products() const { return acc0_.products(); }
  // The sum as a ciphertext in NTT form, with its noise estimate.
  Ciphertext result() const;

 private:
  const Context* context_;
  math::RnsAccumulator acc0_, acc1_;
  double independent_variance_ = 0;  // valid while every input is a distinct fresh ciphertext
  double linear_stddev_ = 0;         // always valid: triangle inequality on the sub-Gaussian norms
  bool independent_ = true;
  std::unordered_set<uint64_t> seen_;
};

// Adds a public-key encryption of zero (u p0 + e1, u p1 + e2): c1 becomes a fresh RLWE sample.
// The ciphertext comes out in coefficient form (u p is added in NTT form, e1 and e2 after the
// inverse transform, so only u is transformed).
void rerandomize(const Context& context, Ciphertext& ct, const PublicKey& pk, core::Prg& prg);

struct FloodPolicy {
  // The session this response belongs to (he/flooding.hpp).
  FloodBudget budget;
  // How many coefficients of this response the client will see (the c0 kept); 0 means all n.
  std::size_t revealed_coefficients = 0;
  // The c0 coefficients to flood: the ones the client will see (all n when empty). Coefficients
  // dropped before sending need no noise.
  std::span<const uint32_t> coefficients = {};
};

// Adds to c0 (coefficient form; converted if needed) flooding noise (he/flooding.hpp: Irwin-Hall
// of order 3 of width L = sqrt(I3 m R kappa p) 2^s / 1.7, p the variance proxy of the
// weight-dependent noise and m the revealed coefficients, under the session's budget): for any two
// weight sets within the same public bounds that give the same results, what the client sees of
// all the session's responses differs by less than 2^-budget.statistical_bits in statistical
// distance. Returns the bound of the added noise (0 when no products contributed noise). Throws
// CapacityError when the result would no longer decrypt exactly.
double flood(const Context& context, Ciphertext& ct, core::Prg& prg, const FloodPolicy& policy = {});

// The smallest k such that a ciphertext with this noise still decrypts exactly after switching
// to 2^k: its high-probability bound below half a message step. Throws CapacityError if none fits
// (k <= 62, and n 2^k < Q / 4 so the client computes c1 s exactly).
int minimal_switch_bits(const Context& context, const NoiseEstimate& noise);
// The same without throwing: 0 when no modulus fits (planners try many candidates).
int fitting_switch_bits(const Context& context, const NoiseEstimate& noise);
// minimal_switch_bits of response_noise(context, product, revealed_coefficients, budget), or 0
// when that response would not decrypt exactly.
int response_switch_bits(const Context& context, const NoiseEstimate& product, std::size_t revealed_coefficients,
                         const FloodBudget& budget = {});

// Switches a coefficient-form ciphertext to modulus 2^bits: c' = round(2^bits c / Q) mod 2^bits.
// c0_indices lists the c0 coefficients to keep (all when empty). A ciphertext carrying products
// must have been re-randomised and flooded (InvalidArgument otherwise).
SwitchedCiphertext switch_modulus(const Context& context, const Ciphertext& ct, int bits,
                                  std::span<const uint32_t> c0_indices = {});

// The noise a response made by finish_response from a product with noise `product` will carry
// (mask rounding, re-randomisation, flooding over `revealed_coefficients`, 0 meaning n): public
// data only, so both parties agree on every response's modulus before any is sent. Throws
// CapacityError when the flooded noise would not decrypt exactly.
NoiseEstimate response_noise(const Context& context, const NoiseEstimate& product, std::size_t revealed_coefficients,
                             const FloodBudget& budget = {});
// The flooding finish_response adds to such a response (response_noise's bounded part).
FloodDistribution response_flooding(const Context& context, const NoiseEstimate& product,
                                    std::size_t revealed_coefficients, const FloodBudget& budget = {});
// The noise of sum_k ct_k * w_k over distinct fresh inputs with noise `input`, given the sum of
// the squared-norm bounds of the w_k (as MultiplyAccumulator computes it).
NoiseEstimate product_noise(const NoiseEstimate& input, double weight_norm2_squared_sum);

// The whole server side of a response: add the mask (the server keeps -mask as its share),
// re-randomise, flood for the coefficients kept, switch to the smallest exact modulus.
SwitchedCiphertext finish_response(const Context& context, Ciphertext product, std::span<const uint64_t> mask,
                                   const PublicKey& pk, core::Prg& prg, std::span<const uint32_t> c0_indices = {},
                                   const FloodBudget& budget = {});

}  // namespace twain::he
