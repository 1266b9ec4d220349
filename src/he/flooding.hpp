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
// them together (DESIGN.md section 1). A FloodBudget names the session's target s and R, the
// most responses the session carries (public: both parties count them from the plan of the
// whole model).
//
// Z is Irwin-Hall of order 3 (the sum of three uniforms): Z = round(V1 + V2 + V3) - floor(3L/2)
// with V_j independent and uniform on the real interval [0, L). Because rounding commutes with
// integer shifts, SD(v + Z, Z) <= SD(v + Y, Y) for Y the real vector before rounding (data
// processing). Y has the density f(y / L) / L with f the Irwin-Hall density on [0, 3], whose
// Fisher information is I3 = integral f'^2 / f = 2 + 2 + (12 ln(2 + sqrt 3) / (2 sqrt 3) - 4)
// = 4.5621 (the two outer quadratic pieces contribute 2 each). For a translate by d, with sqrt(f)
// absolutely continuous, Cauchy-Schwarz gives the squared Hellinger distance
//   H^2 = 1/2 integral (sqrt f(y) - sqrt f(y - d))^2 dy <= d^2 I3 / (8 L^2).
// The Bhattacharyya coefficient multiplies over independent coordinates, so H^2 adds (as a bound)
// over every coordinate of every response of the session: with
// L = ceil(sqrt(I3 m R) B 2^s / (2 kFloodingDistance)) a response contributes at most
// m B^2 I3 / (8 L^2) <= kFloodingDistance^2 2^-2s / (2 R), the session at most
// kFloodingDistance^2 2^-2s / 2, and SD <= sqrt(2 H^2) <= kFloodingDistance 2^-s. With the tails
// of B over at most 2^37 revealed coefficients (2^-43), the session's whole view is within
// (0.85 + 1/8) 2^-s < 2^-s of a function of its outputs for s = 40; FloodLedger computes the bound
// a plan actually reaches. The width grows like sqrt(m R) B: what a 2^-s bound for each response
// alone costs, times sqrt(R).
//
// The sampler is exact: A1 + A2 + A3 + K with A_j uniform on {0, ..., L - 1} and
// K = round(F1 + F2 + F3) for F_j uniform on [0, 1), whose distribution is (1, 23, 23, 1) / 48 on
// {0, 1, 2, 3} (P(F1 + F2 + F3 < 1/2) = 1/48), drawn as one uniform value below 48. |Z| <= ceil(3L / 2).
#pragma once

#include <cstddef>
#include <cstdint>
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
};

struct FloodDistribution {
  math::u128 width = 0;  // L: each of the three summands spans [0, L)
  // The largest |Z| the distribution produces: the bounded part the noise model adds.
  double bound = 0;
};

// The flooding of one response of a session under `budget` that hides a weight-dependent noise
// bounded by `noise_bound` on each of its `revealed` coefficients (see above), from public values
// only. width 0 when noise_bound is 0. Throws InvalidArgument for revealed = 0, a negative bound,
// statistical_bits outside [0, 128] or no responses; the bound is infinite when the width would
// not fit below 2^120 (callers treat that as over capacity).
FloodDistribution choose_flooding(double noise_bound, std::size_t revealed, const FloodBudget& budget);

// The statistical distance a session's flooded responses reach together, from the distributions
// they were flooded with (the bound above, summed over the actual responses, plus the tails of
// the noise bounds): what `twain bench --json` reports as statistical_bits_session.
class FloodLedger {
 public:
  // `count` responses, each with `revealed` coefficients of weight-dependent noise bound
  // `noise_bound`, flooded with `distribution`.
  void add(const FloodDistribution& distribution, double noise_bound, std::size_t revealed, uint64_t count = 1);
  // Everything added so far, `times` over in all: a session that runs the same plans for `times`
  // inferences reveals each of their responses that many times. Throws InvalidArgument for 0.
  void repeat(uint64_t times);
  uint64_t responses() const { return responses_; }
  double coefficients() const { return coefficients_; }
  // -log2 of the bound on the session's statistical distance (infinite when nothing was revealed).
  double statistical_bits() const;

 private:
  double hellinger_squared_ = 0;  // sum over responses of m B^2 I3 / (8 L^2)
  double coefficients_ = 0;       // revealed coefficients that carry weight noise (their tails)
  uint64_t responses_ = 0;
};

// count draws of `distribution`, each as Z + flooding_offset(distribution): a value in [0, 3L].
// Constant-time in the drawn values (the only rejections are on fresh uniform draws, see
// sample_uniform_below).
std::vector<math::u128> sample_flooding(const FloodDistribution& distribution, std::size_t count, core::Prg& prg);
// The offset that centres the draws of sample_flooding: floor(3L / 2).
math::u128 flooding_offset(const FloodDistribution& distribution);

}  // namespace twain::he
