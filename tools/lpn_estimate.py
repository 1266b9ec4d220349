#!/usr/bin/env python3
"""Concrete bit security of primal LPN over F_2, exact or regular noise.

The estimator of Liu, Wang, Yang and Yu, "The Hardness of LPN over Any Integer Ring and Field for
PCG Applications", EUROCRYPT 2024 (eprint 2022/712; "LWYY" below), for the binary field, with the
algebraic attack of Briaud and Oygarden, "A New Algebraic Approach to the Regular Syndrome
Decoding Problem and Implications for PCG Constructions", EUROCRYPT 2023 (eprint 2023/176; "BO"),
in the form LWYY evaluate it. An instance (n, k, t) is y = A s + e with A an n x k matrix, s of
length k and e of Hamming weight t; regular noise has one nonzero entry in each of t blocks of
n / t consecutive positions (Ferret's noise, src/ot/ferret.hpp).

Costs are log2 of bit operations, as in LWYY:

  gauss   Pooled Gauss (Esser, Kubler and May, CRYPTO 2017): guess k noise-free samples and solve,
          min(k, n - k)^2.8 (Strassen) per guess, success C(n - k, t) / C(n, t).
  sd      statistical decoding, LWYY's estimate over F_2: log2(k + 1) + 2 t log2((n - t + 1) /
          (n - k - t)): parity checks of weight k + 1 (any k + 1 samples are dependent) are
          noise-free with probability about ((n - k - t) / (n - t + 1))^t, and about the inverse
          square of that bias many of them decide each secret bit.
  sd2     statistical decoding 2.0 (Carrier, Debris-Alazard, Meyer-Hilfiger and Tillich, eprint
          2022/1000) as LWYY bound it: sd on k - s secret coordinates, s = floor(gauss).
  sd_isd  Stern/Dumer information set decoding (LWYY's non-asymptotic SD-ISD): a window of l
          redundant coordinates, two lists of C((k + l) / 2, p / 2) half-sums, per iteration
          n ((n - k - l) n / log2(n - k - l) + 2 L0 + 2 L0^2 / 2^l) operations, success
          C((k + l) / 2, p / 2)^2 C(n - k - l, t - p) / C(n, t); minimised over p and l.
  bjmm    BJMM information set decoding (Becker, Joux, May and Meurer, EUROCRYPT 2012) in the
          depth-3 form of Hamdaoui and Sendrier, "A non asymptotic analysis of information set
          decoding" (eprint 2013/162), as LWYY state it: weights p2 -> p1 = 2 (p2 - e2) ->
          p = 2 (p1 - e1), filters r2, r1 set to the expected numbers of representations
          (Hamdaoui-Sendrier's choice), minimised over p2, l, e2 and e1.
  agb     (regular noise only) BO's algebraic attack: the noise as t(n/t - 1) boolean unknowns
          with e_i e_j = 0 inside a block, the n - k parity checks linear in them; f blocks are
          guessed to avoid mu chosen positions each (success (1 - mu / beta)^f, beta = n / t),
          the system is linearised at the first degree D in {2, 3, 4} where the Hilbert series
          (1 + (beta - mu - 1) z)^f (1 + (beta - 1) z)^(t - f) / (1 + z)^(n - k - 1) has a
          non-positive coefficient, at the cost 3 (k + 1 - f mu) M^2 of sparse elimination over
          M monomials of degree 1..D. Minimised over all (f, mu) with f mu <= k.

Regular noise (LWYY's treatment of regular LPN over F_2): the noise of each block sums to 1, so
each block gives one noise-free linear equation in s. The attacker eliminates t secret
coordinates and drops one sample per block: gauss, sd, sd2, sd_isd and bjmm are evaluated on the
exact-noise instance (n - t, k - t, t); agb works on (n, k, t) itself.

The searches follow LWYY's: l, p and p2 are scanned with the stopping rules their tables use
(ternary search in l, which they note is convex, then a local scan; p and p2 increase until the
cost exceeds the best by 30 and 8 bits); agb is exhaustive, in exact integer arithmetic. Later
attacks (the hybrid algebraic/ISD attack of eprint 2025/1284, the regular ISD of Esser and
Santini, eprint 2023/1568, BO's improved "AGB 2.0", eprint 2025/1476) are not included.

Only the Python standard library is used. Run with --help for the command line.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

INF = float("inf")
LN2 = math.log(2.0)


def log2_binom(n: int, m: int) -> float:
    """log2 C(n, m); -inf when the binomial is 0."""
    if m < 0 or m > n:
        return -INF
    if m == 0 or m == n:
        return 0.0
    return (math.lgamma(n + 1) - math.lgamma(m + 1) - math.lgamma(n - m + 1)) / LN2


def log2_sum(*terms: float) -> float:
    """log2 of a sum of values given by their log2."""
    top = max(terms)
    if top == -INF:
        return -INF
    return top + math.log2(sum(2.0 ** (x - top) for x in terms))


# --- Pooled Gauss and statistical decoding ---------------------------------------------------


def pooled_gauss(n: int, k: int, t: int) -> float:
    if n - k < t:
        return INF
    success = log2_binom(n - k, t) - log2_binom(n, t)
    return 2.8 * math.log2(min(k, n - k)) - success


def statistical_decoding(n: int, k: int, t: int) -> float:
    if k < 0 or n - k - t <= 0:
        return INF
    return math.log2(k + 1) + 2 * t * math.log2((n - t + 1) / (n - k - t))


def statistical_decoding_2(n: int, k: int, t: int) -> float:
    # SD 2.0 first removes s secret coordinates by a partial Gauss step whose cost in bits LWYY
    # take as s itself; s = floor(Pooled Gauss) is their choice.
    s = math.floor(pooled_gauss(n, k, t))
    if s >= k:
        return INF
    return statistical_decoding(n, k - s, t)


# --- information set decoding ----------------------------------------------------------------


def _window(k: int, l: int) -> int:
    # LWYY round the window so that k + l is even (the two halves of k + l have integer size),
    # moving l up: l -> 2 floor((k + l) / 2) - k + 2.
    return (k + l) // 2 * 2 - k + 2


def _sd_isd_point(n: int, k: int, t: int, l: int, p: int) -> float:
    l = _window(k, l)
    p = p // 2 * 2
    r = n - k - l  # coordinates outside the information set and the window
    if r < 2 or p > t or t - p > r:
        return INF
    log_l0 = log2_binom((k + l) // 2, p // 2)
    log_s = 2 * log_l0 - l  # expected collisions on the l window bits
    log_gauss = math.log2(r * n / math.log2(r))
    log_iteration = math.log2(n) + log2_sum(log_gauss, 1 + log_l0, 1 + log_s)
    log_success = log2_binom(r, t - p) - log2_binom(n, t) + l + log_s
    if log_success >= 0:
        return INF  # the formula's probability is meaningless here
    return log_iteration - log_success


def _ternary_min(f, lo: int, hi: int, stop: int, margin: int) -> float:
    """min of f over [lo, hi] for f unimodal up to local noise: ternary search until the range is
    at most `stop` wide, then a scan of the range widened by `margin` on each side."""
    best = f(lo)
    while hi - lo > stop:
        third = (hi - lo) // 3
        m1, m2 = lo + third, hi - third
        f1, f2 = f(m1), f(m2)
        if f1 > f2:
            lo = m1
            best = min(best, f2)
        else:
            hi = m2
            best = min(best, f1)
    for x in range(max(lo - margin, 0), hi + margin):
        best = min(best, f(x))
    return best


def sd_isd(n: int, k: int, t: int) -> float:
    best = _sd_isd_point(n, k, t, 0, 0)
    for p in range(0, t // 2, 2):
        cost = _ternary_min(lambda l: _sd_isd_point(n, k, t, l, p), 1, n - k - 8, 30, 10)
        best = min(best, cost)
        if cost > best + 30:
            break
    return best


def _bjmm_point(n: int, k: int, t: int, p2: int, l: int, e1: int, e2: int, r1: int, r2: int,
                bound: float) -> float:
    l = _window(k, l)
    p1 = 2 * (p2 - e2)
    p = 2 * (p1 - e1)
    w = k + l
    r = n - k - l
    if r < 2 or p > t or t - p > r or p1 > w:
        return INF
    log_s3 = log2_binom(w // 2, p2 // 2)  # base lists of weight p2 / 2 on half the window
    log_c3 = 2 * log_s3 - r2  # level-2 lists after filtering on r2 bits
    log_c2 = 2 * log_c3 - r1  # level-1 candidates after r1 more bits
    if log_s3 > bound or log_c3 > bound or log_c2 > bound:
        return INF
    # mu2 / mu1: the fraction of pairs of weight-p2 (p1) words that overlap in exactly e2 (e1)
    # positions, i.e. whose sum has weight p1 (p).
    log_mu2 = log2_binom(p2, e2) + log2_binom(w - p2, p2 - e2) - log2_binom(w, p2)
    log_s1 = min(log_mu2 + log_c2, log2_binom(w, p1) - (r1 + r2))
    log_c1 = 2 * log_s1 - l + r1 + r2
    log_mu1 = log2_binom(p1, e1) + log2_binom(w - p1, p1 - e1) - log2_binom(w, p1)
    log_s0 = min(log_mu1 + log_c1, log2_binom(w, p) - l)
    log_gauss = math.log2(r * n / math.log2(r))
    log_iteration = math.log2(n) + log2_sum(log_gauss, 3 + log_s3, 2 + log_c3, 1 + log_c2,
                                            1 + log_c1)
    log_success = log2_binom(r, t - p) + l + log_s0 - log2_binom(n, t)
    if log_success >= 0:
        return INF
    return log_iteration - log_success


def _bjmm_fixed_l(n: int, k: int, t: int, p2: int, l: int) -> float:
    best = INF
    w = _window(k, l) + k
    lw = _window(k, l)
    for e2 in range(p2):
        p1 = 2 * (p2 - e2)
        for e1 in range(max(0, p1 - t // 2), p1):
            p = 2 * (p1 - e1)
            if p1 > w or p > w:
                continue
            # Hamdaoui-Sendrier: filter on as many bits as there are representations.
            log_mu2 = log2_binom(p2, e2) + log2_binom(w - p2, p2 - e2) - log2_binom(w, p2)
            r2 = int(log_mu2 + 4 * log2_binom(w // 2, p2 // 2) - log2_binom(w, p1))
            r2 = min(max(r2, 0), max(lw - 1, 0))
            reps1 = (log2_binom(p1, e1) + log2_binom(w - p1, p1 - e1) + log2_binom(w, p1)
                     - log2_binom(w, p))
            r1 = int(reps1) - r2
            r1 = max(r1, 0)
            if r1 + r2 >= lw:
                r1 = max(lw - r2 - 1, 0)
            best = min(best, _bjmm_point(n, k, t, p2, l, e1, e2, r1, r2, min(best, 999.0)))
    return best


def bjmm_isd(n: int, k: int, t: int) -> float:
    best = INF
    for p2 in range(2, t, 2):
        cost = _ternary_min(lambda l: _bjmm_fixed_l(n, k, t, p2, l), 0, (n - k - 2) // 8, 10, 5)
        best = min(best, cost)
        if cost > best + 8:
            break
    return best


# --- Briaud-Oygarden algebraic attack ---------------------------------------------------------


def _series(coeffs_a, coeffs_b, degree):
    """Coefficients 0..degree of the product of two power series."""
    return [sum(coeffs_a[j] * coeffs_b[i - j] for j in range(i + 1)) for i in range(degree + 1)]


def algebraic(n: int, k: int, t: int) -> float:
    beta = n // t
    m = n - k - 1
    # 1 / (1 + z)^m: one generic boolean linear equation per parity check (one is implied).
    c = [1, -m, m * (m + 1) // 2, -m * (m + 1) * (m + 2) // 6,
         m * (m + 1) * (m + 2) * (m + 3) // 24]
    best = INF
    for f in range(t):
        g = t - f
        y = beta - 1
        b = [1, y * g, y * y * g * (g - 1) // 2, y ** 3 * g * (g - 1) * (g - 2) // 6,
             y ** 4 * g * (g - 1) * (g - 2) * (g - 3) // 24]
        bc = _series(b, c, 4)
        binom_f = [1, f, f * (f - 1) // 2, f * (f - 1) * (f - 2) // 6,
                   f * (f - 1) * (f - 2) * (f - 3) // 24]
        for mu in range(beta):
            if f * mu > k:
                break
            # The guess alone costs f log2(beta / (beta - mu)), increasing in mu: once it exceeds
            # the best cost, no larger mu can win for this f.
            guess = -f * math.log2(1 - mu / beta) if mu else 0.0
            if guess >= best:
                break
            x = beta - mu - 1
            a = [binom_f[i] * x ** i for i in range(5)]
            h = _series(a, bc, 4)
            # BO's degree of regularity as LWYY test it: 2 if h1 + h2 < 1, else the first of
            # 3, 4 with h_D < 1; beyond 4 the attack is not counted.
            if h[1] + h[2] < 1:
                degree = 2
            elif h[3] < 1:
                degree = 3
            elif h[4] < 1:
                degree = 4
            else:
                continue
            ab = _series(a, b, degree)
            monomials = sum(ab[1:degree + 1])
            cost = 2 * math.log2(monomials) + math.log2(3 * (k + 1 - f * mu)) + guess
            best = min(best, cost)
    return best


# --- the whole estimate -----------------------------------------------------------------------

ATTACKS = ("gauss", "sd", "sd2", "sd_isd", "bjmm", "agb")


def estimate(n: int, k: int, t: int, regular: bool = True, attacks=ATTACKS) -> dict:
    """The cost in bits of each attack and the minimum, for primal LPN (n, k, t) over F_2."""
    if not (0 < t <= n and 0 < k < n):
        raise ValueError(f"need 0 < t <= n and 0 < k < n, got n={n} k={k} t={t}")
    if regular and n % t:
        raise ValueError(f"regular noise needs t | n, got n={n} t={t}")
    rn, rk = (n - t, k - t) if regular else (n, k)
    plain = {"gauss": pooled_gauss, "sd": statistical_decoding, "sd2": statistical_decoding_2,
             "sd_isd": sd_isd, "bjmm": bjmm_isd}
    costs = {}
    for name in attacks:
        if name == "agb":
            if regular:
                costs[name] = algebraic(n, k, t)
        else:
            costs[name] = plain[name](rn, rk, t)
    binding = min(costs, key=costs.get)
    return {
        "n": n, "k": k, "t": t, "noise": "regular" if regular else "exact",
        "reduced": {"n": rn, "k": rk, "t": t},
        "attacks": {name: round(value, 2) for name, value in costs.items()},
        "min": round(costs[binding], 2),
        "binding": binding,
    }


# The Ferret parameter sets of src/ot/ferret.hpp, read from the header so that the estimate
# follows the code.
_FERRET_SET = re.compile(
    r"inline\s+constexpr\s+FerretParams\s+(\w+)\s*\{\s*([\d']+)\s*,\s*GgmShape\s*\{\s*([\d']+)"
    r"\s*,\s*(\d+)\s*\}\s*\}\s*;")


def ferret_sets(header: Path) -> dict:
    """name -> (n, k, t) for each `inline constexpr FerretParams name{k, GgmShape{t, depth}};`."""
    sets = {}
    for name, k, trees, depth in _FERRET_SET.findall(header.read_text()):
        t = int(trees.replace("'", ""))
        sets[name] = (t << int(depth), int(k.replace("'", "")), t)
    return sets


def _default_header() -> Path:
    return Path(__file__).resolve().parent.parent / "src" / "ot" / "ferret.hpp"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Bit security of primal LPN over F_2 (Liu-Wang-Yang-Yu estimator with the "
                    "Briaud-Oygarden algebraic attack).")
    parser.add_argument("--n", type=int, help="number of samples (LPN outputs)")
    parser.add_argument("--k", type=int, help="secret length")
    parser.add_argument("--t", type=int, help="noise weight")
    parser.add_argument("--exact", action="store_true",
                        help="exact-weight noise instead of regular noise")
    parser.add_argument("--ferret", nargs="?", const=str(_default_header()), metavar="HEADER",
                        help="estimate every FerretParams set of HEADER (default "
                             "src/ot/ferret.hpp)")
    parser.add_argument("--attacks", default=",".join(ATTACKS),
                        help="comma-separated subset of " + ",".join(ATTACKS))
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    attacks = tuple(a for a in args.attacks.split(",") if a)
    unknown = set(attacks) - set(ATTACKS)
    if unknown:
        parser.error("unknown attacks: " + ",".join(sorted(unknown)))

    if args.ferret:
        instances = ferret_sets(Path(args.ferret))
        if not instances:
            parser.error("no FerretParams sets found in " + args.ferret)
    elif None not in (args.n, args.k, args.t):
        instances = {"instance": (args.n, args.k, args.t)}
    else:
        parser.error("give --n, --k and --t, or --ferret")

    results = {name: estimate(n, k, t, not args.exact, attacks)
               for name, (n, k, t) in instances.items()}
    if args.json:
        json.dump(results if args.ferret else results["instance"], sys.stdout, indent=2)
        print()
        return 0
    for name, r in results.items():
        print(f"{name}: n={r['n']} k={r['k']} t={r['t']} ({r['noise']} noise; "
              f"reduced to n={r['reduced']['n']} k={r['reduced']['k']})")
        for attack, bits in r["attacks"].items():
            print(f"  {attack:7s} {bits:8.2f}")
        print(f"  {'min':7s} {r['min']:8.2f}  ({r['binding']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
