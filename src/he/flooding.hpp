// Flooding distributions for statistical circuit privacy (noise smudging; Gentry, "Fully
// homomorphic encryption using ideal lattices", STOC 2009, section 4; for the many-coefficient
// argument by Hellinger distance see Pollard, "A User's Guide to Measure Theoretic Probability",
// 2002, section 3.3, and Lehmann-Casella, "Theory of Point Estimation", 2nd ed., section 2.6 for
// Fisher information).
//
// A response reveals m coefficients, each carrying a weight-dependent noise v_i with |v_i| <= B
// (the public high-probability bound, violated with probability at most 2^-80 per coefficient,
// he/noise.hpp). The simulator replaces v by 0; the server adds independent flooding Z to every
// revealed coefficient, and what matters is the statistical distance between v + Z and Z.
//
// The client sees every response of its session, so the bound that counts is the one on all of
// them together (DESIGN.md section 1). A FloodBudget names the session's target s, R, the most
// responses the session carries (public: both parties count them from the plan of the whole
// model), and kappa, the concentration of the session's weight noise (below).
//
// Z is Irwin-Hall of order 3 (the sum of three uniforms): Z = round(V1 + V2 + V3) - floor(3L/2)
// with V_j independent and uniform on the real interval [0, L). Because rounding commutes with
// integer shifts, SD(v + Z, Z) <= SD(v + Y, Y) for Y the real vector before rounding (data
// processing). Y has the density f(y / L) / L with f the Irwin-Hall density on [0, 3], whose
// Fisher information is I3 = integral f'^2 / f = 2 + 2 + (12 ln(2 + sqrt 3) / (2 sqrt 3) - 4)
// = 4.5621 (the two outer quadratic pieces contribute 2 each). For a translate by d, with sqrt(f)
// absolutely continuous, Cauchy-Schwarz gives the squared Hellinger distance
//   H^2 = 1/2 integral (sqrt f(y) - sqrt f(y - d))^2 dy <= d^2 I3 / (8 L^2)
// for every real d. The Bhattacharyya coefficient multiplies over independent coordinates, so H^2
// adds (as a bound) over every coordinate of every response of the session, and for one value x
// of all the noise the weights multiply (the client's encryption noise and the rounding of the
// server's share) SD <= sqrt(2 H^2) <= sqrt(I3 T / 4), T = sum_i v_i^2 / L_i^2 over the session's
// revealed coefficients i. Averaging over x, the session is within P(T > T*) + sqrt(I3 T* / 4).
//
// The weight noise is v = A x, A linear in the weights, and x has independent sub-Gaussian
// coordinates (he/noise.hpp). So T = |D A x|^2 with D the diagonal of 1/L_i, a quadratic form of
// Sigma = (D A)^T D A, whose trace sums the variance proxies of v_i / L_i and whose norm is at most
// the largest norm of a block of responses that read the same input ciphertexts (blocks of
// distinct ciphertexts are independent; within a block, the stacked responses' norm is at most
// the root of the sum of their squared norms, and one response's multiplication by a kernel w has
// norm at most |w|_1 by the Schur test). Hsu, Kakade and Zhang, "A tail inequality for quadratic
// forms of subgaussian random vectors" (Electron. Commun. Probab. 17, 2012), theorem 1, with
// tr(Sigma^2) <= |Sigma| tr(Sigma) and t = 80 ln 2:
//   P(T > tr + 2 sqrt(|Sigma| tr t) + 2 |Sigma| t) <= 2^-80.
// kappa is a factor the session's T* stays within, kappa tr: FloodLedger computes the factor a
// plan needs and engine/session_flooding.hpp plans again until the budget's kappa covers it. Each
// coefficient's own tail (|v_i| <= B_i = kTailFactor sqrt(proxy), except with 2^-80) gives the
// same bound with kappa = kTailFactor^2 whatever the blocks: a budget's default, and the bound
// FloodLedger falls back to when it is smaller.
//
// With L = ceil(sqrt(I3 m R kappa p) 2^s / (2 kFloodingDistance)) for a response of m revealed
// coefficients of variance proxy p, a response adds at most kFloodingDistance^2 2^-2s / (I3 R kappa)
// to tr, the session at most R times that, and SD <= kFloodingDistance 2^-s + 2^-80. With the
// tails of the noise bounds the decryption relies on, over at most 2^37 revealed coefficients
// (2^-43), the session's whole view is within (0.85 + 1/8) 2^-s < 2^-s of a function of its
// outputs for s = 40; FloodLedger computes the bound a plan actually reaches. The width grows
// like sqrt(m R kappa p): what a 2^-s bound for each response alone costs, times sqrt(R kappa)
// over the root of the variance proxy instead of the per-coefficient bound B.
//
// The sampler is exact: A1 + A2 + A3 + K with A_j uniform on {0, ..., L - 1} and
// K = round(F1 + F2 + F3) for F_j uniform on [0, 1), whose distribution is (1, 23, 23, 1) / 48 on
// {0, 1, 2, 3} (P(F1 + F2 + F3 < 1/2) = 1/48), drawn as one uniform value below 48. |Z| <= ceil(3L / 2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/prg.hpp"
#include "he/noise.hpp"
#include "math/modarith.hpp"

namespace twain::he {

// Fisher information of the Irwin-Hall density of order 3 on [0, 3].
inline constexpr double kIrwinHall3Fisher = 4.562075977805678;
// The part of the session's distance 2^-s the flooding may take (the rest covers the tails).
inline constexpr double kFloodingDistance = 0.85;

// What flooding must hide for a whole session: its responses together within 2^-statistical_bits
// of a function of the outputs. responses: the most responses the session carries; a budget of 1
// covers a session of a single response.
struct FloodBudget {
  int statistical_bits = kStatisticalSecurityBits;
  uint64_t responses = 1;
  // kappa: the session's sum of squared weight noise over flooding widths stays within kappa times
  // its variance proxy (see above); kTailFactor^2 holds for any session.
  double concentration = kTailFactor * kTailFactor;
};

struct FloodDistribution {
  math::u128 width = 0;  // L: each of the three summands spans [0, L)
  // The largest |Z| the distribution produces: the bounded part the noise model adds.
  double bound = 0;
};

// The flooding of one response of a session under `budget` that hides a weight-dependent noise
// of variance proxy `weight_variance` on each of its `revealed` coefficients (see above), from
// public values only. width 0 when weight_variance is 0. Throws InvalidArgument for revealed = 0,
// a negative variance, statistical_bits outside [0, 128], no responses or a concentration outside
// [1, kTailFactor^2]; the bound is infinite when the width would not fit below 2^120 (callers
// treat that as over capacity).
FloodDistribution choose_flooding(double weight_variance, std::size_t revealed, const FloodBudget& budget);

// Responses of one block: they read the same input ciphertexts (see above). operator_variance
// bounds the squared norm of the map from those inputs' noise to one response's revealed weight
// noise, in the units of weight_variance (the input's variance proxy times the squared norm).
struct FloodedResponses {
  FloodDistribution distribution;
  double weight_variance = 0;    // variance proxy of each revealed coefficient's weight noise
  double operator_variance = 0;  // (see above)
  std::size_t revealed = 0;
  uint64_t count = 0;            // responses of this kind in the block
};

// The statistical distance a session's flooded responses reach together, from the distributions
// they were flooded with (the bound above, summed over the actual responses, plus the tails of
// the noise bounds): what `twain bench --json` reports as statistical_bits_session.
class FloodLedger {
 public:
  // `blocks` blocks of independent inputs, each holding `responses`.
  void add_block(std::span<const FloodedResponses> responses, uint64_t blocks = 1);
  // Everything added so far, `times` over in all: a session that runs the same plans for `times`
  // inferences reveals each of their responses that many times. Throws InvalidArgument for 0.
  void repeat(uint64_t times);
  uint64_t responses() const { return responses_; }
  double coefficients() const { return coefficients_; }
  // -log2 of the bound on the session's statistical distance (infinite when nothing was revealed).
  double statistical_bits() const;
  // The concentration the session needs: the factor over tr of the quadratic form's 2^-80 bound
  // (at least 1, at most kTailFactor^2, 1 when nothing was revealed).
  double concentration_needed() const;

 private:
  double trace_ = 0;         // tr(Sigma): sum over revealed coefficients of their proxy over L^2
  double norm_ = 0;          // bound on |Sigma|: the largest block's
  double coefficients_ = 0;  // revealed coefficients that carry weight noise (their tails)
  uint64_t responses_ = 0;
};

// count draws of `distribution`, each as Z + flooding_offset(distribution): a value in [0, 3L].
// Constant-time in the drawn values (the only rejections are on fresh uniform draws, see
// sample_uniform_below).
std::vector<math::u128> sample_flooding(const FloodDistribution& distribution, std::size_t count, core::Prg& prg);
// The offset that centres the draws of sample_flooding: floor(3L / 2).
math::u128 flooding_offset(const FloodDistribution& distribution);

}  // namespace twain::he
