// Flooding distributions for statistical circuit privacy (noise smudging; Gentry, "Fully
// homomorphic encryption using ideal lattices", STOC 2009, section 4; for the many-coefficient
// argument by Hellinger distance see Pollard, "A User's Guide to Measure Theoretic Probability",
// 2002, section 3.3, and Lehmann-Casella, "Theory of Point Estimation", 2nd ed., section 2.6 for
// Fisher information).
//
// A response reveals m coefficients, each carrying a weight-dependent noise v_i with |v_i| <= B
// (the public high-probability bound, violated with probability at most 2^-64 per coefficient).
// The simulator replaces v by 0; the server adds independent flooding Z to every revealed
// coefficient, and what matters is the statistical distance between v + Z and Z. Two shapes:
//
// Uniform on [-W, W], W = ceil(m B 2^s): per coefficient SD(v_i + Z_i, Z_i) = |v_i| / (2W + 1),
// summed over the m coefficients (union bound): at most m B / (2W) < 2^-s.
//
// Irwin-Hall of order 3 (the sum of three uniforms), for many coefficients: Z = round(V1 + V2 + V3)
// - floor(3L/2) with V_j independent and uniform on the real interval [0, L). Because rounding
// commutes with integer shifts, SD(v + Z, Z) <= SD(v + Y, Y) for Y the real vector before rounding
// (data processing). Y has the density f(y / L) / L with f the Irwin-Hall density on [0, 3], whose
// Fisher information is I3 = integral f'^2 / f = 2 + 2 + (12 ln(2 + sqrt 3) / (2 sqrt 3) - 4)
// = 4.5621 (the two outer quadratic pieces contribute 2 each). For a translate by d, with
// sqrt(f) absolutely continuous, Cauchy-Schwarz gives the squared Hellinger distance
//   H^2 = 1/2 integral (sqrt f(y) - sqrt f(y - d))^2 dy <= d^2 I3 / (8 L^2);
// the Bhattacharyya coefficient multiplies over independent coordinates, so for the vector
// H^2(v + Y, Y) <= sum_i H_i^2 <= ||v||^2 I3 / (8 L^2), and SD <= sqrt(2 H^2) <= ||v||_2 sqrt(I3) / (2 L)
// <= sqrt(m) B sqrt(I3) / (2 L). With L = ceil(1.1 sqrt(I3) sqrt(m) B 2^s) this is below
// 2^-s / 2.2. The sampler draws V_j = A_j + F_j with A_j uniform on {0, ..., L - 1} and F_j given
// by 64 fractional bits; it rounds F1 + F2 + F3 from those bits, which differs from the exact
// rounding only when the 64-bit sum lies within 3 units of a half-integer: probability at most
// 9 * 2^-64 per coefficient, in each of the two worlds. With the 2^-64 tail of B the total is at
// most 2^-s / 2.2 + 19 m 2^-64, below 2^-s whenever m <= 2^(58 - s) (the only case where this
// shape is used). |Z| <= ceil(3L / 2).
//
// The uniform bound grows like m B, the Irwin-Hall bound like 3.5 sqrt(m) B: both parties pick
// the shape with the smaller bound from the public m and B, so the choice reveals nothing.
#pragma once

#include <cstddef>
#include <vector>

#include "core/prg.hpp"
#include "math/modarith.hpp"

namespace twain::he {

// Fisher information of the Irwin-Hall density of order 3 on [0, 3].
inline constexpr double kIrwinHall3Fisher = 4.562075977805678;
// Margin on the Irwin-Hall width that absorbs the sampler's rounding and the tail of B.
inline constexpr double kIrwinHallMargin = 1.1;

enum class FloodShape { Uniform, IrwinHall3 };

struct FloodDistribution {
  FloodShape shape = FloodShape::Uniform;
  // Uniform: W (draws on [-W, W]); Irwin-Hall: L (each of the three summands spans [0, L)).
  math::u128 width = 0;
  // The largest |Z| the distribution produces: the bounded part the noise model adds.
  double bound = 0;
};

// The flooding that hides a weight-dependent noise bounded by `noise_bound` on each of `revealed`
// coefficients to 2^-statistical_bits in statistical distance (see above): whichever shape has
// the smaller bound (Irwin-Hall only for revealed <= 2^(58 - statistical_bits)), from public
// values only. width 0 when noise_bound is 0. Throws InvalidArgument for revealed = 0, a negative
// bound or statistical_bits outside [0, 128]; the bound is infinite when the width would not fit
// below 2^120 (callers treat that as over capacity).
FloodDistribution choose_flooding(double noise_bound, std::size_t revealed, int statistical_bits);

// count draws of `distribution`, each as Z + flooding_offset(distribution): a value in [0, 2W]
// (uniform) or [0, 3L] (Irwin-Hall). Constant-time in the drawn values (the only rejections are
// on fresh uniform draws, see sample_uniform_below).
std::vector<math::u128> sample_flooding(const FloodDistribution& distribution, std::size_t count, core::Prg& prg);
// The offset that centres the draws of sample_flooding: W, or floor(3L / 2).
math::u128 flooding_offset(const FloodDistribution& distribution);

}  // namespace twain::he
