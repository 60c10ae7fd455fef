"""Every statement of the note "Quantized Optimization" (seed 001), checked.

One group of tests per claim ID of CLAIMS.md. The claims are checked in exact rational
arithmetic (``fractions.Fraction``) against an oracle written here, independently of the
library::

    R(v)  = floor(v + 1/2)                 x^R
    eps(v) = v - R(v)  in [-1/2, 1/2)      ε  (the library's sign convention: x = x^R + ε)
    QZ(v, qp) = R(qp*v) / qp               x^Q

and, where it makes sense, on float64 arrays through ``quantopt`` (its output compared with the
oracle applied to the exact value of each float). False statements get (1) a search that finds
a counterexample, (2) a brute-force enumeration that pins the smallest one (in an order stated
in the test), and (3) a property test of the corrected statement.

Randomness: hypothesis (profile from tests/conftest.py; the ci profile is derandomized) and
numpy Generators with fixed seeds. Statistical tolerances are derived next to each test.
"""
from __future__ import annotations

import functools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, example, find, given, settings
from hypothesis import strategies as st
from scipy import stats

from quantopt import (
    from_codes,
    quantize,
    residual,
    round_half_up,
    stochastic_round,
    to_codes,
)
from quantopt import noise, problems

# ---------------------------------------------------------------------------------------------
# The oracle (exact, independent of the library)
# ---------------------------------------------------------------------------------------------
HALF = Fraction(1, 2)


def R(v) -> int:
    """x^R = [v + 1/2] for an exact rational v (int result)."""
    return math.floor(Fraction(v) + HALF)


def eps(v) -> Fraction:
    """ε = v - v^R, in [-1/2, 1/2)."""
    return Fraction(v) - R(v)


def code(v, qp) -> int:
    """The integer code [qp·v + 1/2] of the exact values of v and qp."""
    return R(Fraction(qp) * Fraction(v))


def QZ(v, qp) -> Fraction:
    """x^Q = [qp·v + 1/2] / qp, exactly."""
    return Fraction(code(v, qp)) / Fraction(qp)


def is_int(v) -> bool:
    return Fraction(v).denominator == 1


def nudge(x: float, k: int) -> float:
    """The float |k| ulps above (k > 0) or below (k < 0) x."""
    for _ in range(abs(k)):
        x = math.nextafter(x, math.copysign(math.inf, k))
    return x


def small_grid(max_den: int, max_abs: int) -> list[Fraction]:
    """All rationals p/q with 1 <= q <= max_den and |p/q| <= max_abs (sorted)."""
    return sorted({Fraction(p, q) for q in range(1, max_den + 1)
                   for p in range(-max_abs * q, max_abs * q + 1)})


def argmin_set(candidates, key):
    """(smallest key, sorted list of all candidates attaining it)."""
    candidates = list(candidates)
    best = min(key(c) for c in candidates)
    return best, sorted(c for c in candidates if key(c) == best)


# hypothesis.find: a fixed, derandomized search, independent of the active profile. No
# shrinking: the first counterexample found is enough here; the smallest one is pinned down by
# a separate brute-force enumeration for each claim.
FIND = settings(derandomize=True, database=None, max_examples=3000, deadline=None,
                phases=[Phase.generate], suppress_health_check=list(HealthCheck))

# ---------------------------------------------------------------------------------------------
# Strategies. Each branch names the hard case it reaches.
# ---------------------------------------------------------------------------------------------
_N = 10**6
_small_or_any_int = st.one_of(st.integers(-8, 8), st.integers(-_N, _N))


@functools.lru_cache(maxsize=None)
def exact_reals() -> st.SearchStrategy[Fraction]:
    """Exact rationals reaching every hard case of [v + 1/2]."""
    return st.one_of(
        _small_or_any_int.map(Fraction),                              # integers, zero: ε = 0
        _small_or_any_int.map(lambda n: n + HALF),                    # exact ties: ε = -1/2
        st.builds(lambda n, s, j: n + HALF + s * Fraction(1, 2**j),   # a dyadic hair off a tie
                  _small_or_any_int, st.sampled_from([-1, 1]), st.integers(1, 80)),
        st.builds(lambda n, s, d: n + HALF + s * Fraction(1, d),      # a rational hair off a tie
                  _small_or_any_int, st.sampled_from([-1, 1]), st.integers(2, 10**12)),
        st.builds(Fraction, st.integers(-10**4, 10**4), st.integers(1, 16)),  # small denominators
        st.builds(Fraction, st.integers(-2**80, 2**80), st.integers(1, 2**20)),  # large magnitudes
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6)
        .map(Fraction),                                                # exact values of floats
    )


@functools.lru_cache(maxsize=None)
def float_reals(max_abs: float = 1.7e308) -> st.SearchStrategy[float]:
    """Finite floats reaching ties, values 1-3 ulps from ties, huge values and zero."""
    m = int(min(2**51, max_abs / 2))
    n = st.one_of(st.integers(-8, 8), st.integers(-m, m))
    branches = [
        st.floats(min_value=-max_abs, max_value=max_abs,               # anything finite: ±0.0,
                  allow_nan=False, allow_infinity=False),              # subnormals, huge
        n.map(lambda k: k + 0.5),                                      # exact ties (|k| < 2**51)
        st.builds(lambda k, j: nudge(k + 0.5, j), n, st.integers(-3, 3)),  # 1-3 ulps from a tie
    ]
    if max_abs >= 2.0**54:
        branches.append(st.builds(lambda k, s: s * float(k),           # integers >= 2**52, odd
                                  st.integers(2**52 - 4, 2**53 + 4),   # ones where x + 0.5 is a
                                  st.sampled_from([1, -1])))           # float tie
    return st.one_of(branches)


def float_arrays(max_abs: float = 1.7e308, max_size: int = 6):
    return st.lists(float_reals(max_abs), min_size=1, max_size=max_size).map(
        lambda v: np.array(v, dtype=np.float64))


def dyadic_floats() -> st.SearchStrategy[float]:
    """k / 2**j with |k| < 2**40: sums of two of them are exact in float64."""
    return st.builds(lambda k, j: k / 2.0**j, st.integers(-2**40, 2**40), st.integers(0, 10))


# Grids. Fraction qp (exact path): includes non-dyadic 1/3 and 7/5. Float qp: exactly floats.
QP_EXACT = [1, 2, 3, 10, 100, 2**10,
            Fraction(1, 3), Fraction(1, 2), Fraction(7, 5), Fraction(1, 1024)]
QP_FLOAT = [1, 2, 3, 7, 10, 100, 1000, 1024, 0.5, 0.25, 0.1, 2.0**-20]


@functools.lru_cache(maxsize=None)
def grid_floats(qp, limit: float = 2.0**50) -> st.SearchStrategy[float]:
    """Floats x with |qp·x| <= ~limit (the library's exact range for any qp), reaching
    grid ties (n + 1/2)/qp and the floats 1-3 ulps away from them."""
    q = Fraction(qp)
    n = st.one_of(st.integers(-8, 8), st.integers(-10**12, 10**12))
    return st.one_of(
        st.builds(lambda k, j: nudge(float((k + HALF) / q), j), n, st.integers(-3, 3)),
        st.floats(min_value=-limit / float(qp), max_value=limit / float(qp),
                  allow_nan=False, allow_infinity=False),
        st.sampled_from([0.0, -0.0, 0.123456789, 0.1, 0.3, -0.005, 0.015]),
    )


@st.composite
def qp_and_grid_array(draw, qps=QP_FLOAT):
    qp = draw(st.sampled_from(qps))
    values = draw(st.lists(grid_floats(qp), min_size=1, max_size=6))
    return qp, np.array(values, dtype=np.float64)


# =============================================================================================
# R1  x = [x] + ϵ (0 <= ϵ < 1);  [x] <= x < [x] + 1  =>  x - 1 < [x] <= x;  "= python floor"
# =============================================================================================
@given(exact_reals())
def test_r1_floor_bounds(x):
    """R1: [x] <= x < [x] + 1 => x - 1 < [x] <= x, with ϵ = x - [x] in [0, 1)."""
    f = math.floor(x)
    assert f <= x < f + 1
    assert x - 1 < f <= x
    assert 0 <= x - f < 1


# =============================================================================================
# R2  round(x) = [x + 0.5]  (definition; not Python's round, which rounds half to even)
# =============================================================================================
@given(exact_reals())
@example(Fraction(1, 2))
@example(Fraction(-3, 2))
def test_r2_builtin_round_differs_exactly_at_even_ties(x):
    """R2: Python's round (half to even) differs from [x + 0.5] exactly when x - 1/2 is even."""
    even_tie = is_int(x - HALF) and (x - HALF) % 2 == 0
    assert (round(x) != R(x)) == even_tie


@given(float_arrays())
@example(np.array([0.5, 2.5, -1.5, -0.5, 1.5, 0.49999999999999994]))
def test_r2_numpy_round_vs_library_float_arrays(a):
    """R2: numpy.round differs from x^R exactly at even ties; quantopt.round_half_up never does."""
    lib = round_half_up(a)
    npr = np.round(a)
    for xi, li, ni in zip(a.tolist(), lib.tolist(), npr.tolist()):
        X = Fraction(xi)
        assert li == R(X)
        even_tie = is_int(X - HALF) and (X - HALF) % 2 == 0
        assert (ni != R(X)) == even_tie


def test_r2_counterexample_found():
    """R2: search for x with round(x) != [x + 0.5] (Python's round as the "round function")."""
    x = find(exact_reals(), lambda v: round(v) != R(v), settings=FIND)
    assert round(x) != R(x)


def test_r2_smallest_counterexample():
    """R2: smallest |x| on the grid p/q (q <= 8, |x| <= 3) where round(x) != x^R: x = 1/2."""
    bad = [x for x in small_grid(8, 3) if round(x) != R(x)]
    best, where = argmin_set(bad, abs)
    assert where == [HALF]
    assert (round(HALF), R(HALF)) == (0, 1)


# =============================================================================================
# R3  x + 0.5 - 1 < [x + 0.5] <= x + 0.5  =>  x - 0.5 < x^R <= x + 0.5
# =============================================================================================
@given(exact_reals())
def test_r3_bounds(x):
    """R3: x - 0.5 < x^R <= x + 0.5, with equality on the right iff x is a tie n + 1/2."""
    assert x - HALF < R(x) <= x + HALF
    assert (R(x) == x + HALF) == is_int(x - HALF)


@given(float_arrays())
@example(np.array([0.49999999999999994, 2.0**52 + 1, -(2.0**52 + 1), -0.5, 0.5, 1.5]))
def test_r3_bounds_float_arrays_library(a):
    """R3 (also R1, P4 corrected, I1) on floats: quantopt.round_half_up equals the oracle and
    satisfies x - 1/2 < x^R <= x + 1/2 and |x^R| <= |x| + 1/2; numpy.floor is the exact [x]."""
    out = round_half_up(a)
    assert out.dtype == a.dtype and out.shape == a.shape
    for xi, ri, fi in zip(a.tolist(), out.tolist(), np.floor(a).tolist()):
        X = Fraction(xi)
        assert ri == R(X)
        assert X - HALF < Fraction(ri) <= X + HALF
        assert abs(Fraction(ri)) <= abs(X) + HALF
        assert fi == math.floor(X)


def test_r3_lower_bound_approached_not_attained():
    """R3: x^R - (x - 1/2) = 2**-j for x = n + 1/2 - 2**-j: the strict lower bound is sharp."""
    for n in (-3, 0, 5):
        for j in (1, 10, 60):
            x = n + HALF - Fraction(1, 2**j)
            assert R(x) - (x - HALF) == Fraction(1, 2**j)


# =============================================================================================
# R4  x^R = x + 0.5 - ϵ = x - ε,  x = x^R + ε,  -0.5 <= ε < 0.5
# =============================================================================================
@given(exact_reals())
@example(Fraction(1, 4))
def test_r4_residual_decomposition(x):
    """R4: ϵ = frac(x + 1/2) in [0,1); x^R = x + 1/2 - ϵ = x - ε, ε = ϵ - 1/2 in [-1/2, 1/2).
    The expectation paragraph's "x^R = x + ε_k" (sign flipped) holds only for integers x."""
    e_floor = (x + HALF) - math.floor(x + HALF)
    assert 0 <= e_floor < 1
    assert R(x) == x + HALF - e_floor
    e = e_floor - HALF
    assert -HALF <= e < HALF
    assert R(x) == x - e and x == R(x) + e
    assert residual(x) == e and round_half_up(x) == R(x)  # library, exact Fraction path
    assert (R(x) == x + e) == is_int(x)  # the note's later sign


@given(float_arrays())
def test_r4_residual_float_arrays_library(a):
    """R4 (also P3) on floats: quantopt.residual is exact, ε = x - x^R in [-1/2, 1/2), and
    |ε| = 1/2 exactly at ties."""
    out = residual(a)
    for xi, ei in zip(a.tolist(), out.tolist()):
        X = Fraction(xi)
        assert Fraction(ei) == eps(X)
        assert -0.5 <= ei < 0.5
        assert (abs(ei) == 0.5) == is_int(X - HALF)


# =============================================================================================
# R5  E x^R := lim (1/N) Σ_k x^R = lim (1/N) Σ_k (x - ε_k) = x   (false as written)
# =============================================================================================
_N_COPIES = 100


def _note_average(x) -> Fraction:
    """The note's (1/N) Σ_{k<N} x^R for a fixed x: every term is the same number x^R."""
    return Fraction(sum(R(x) for _ in range(_N_COPIES)), _N_COPIES)


def test_r5_counterexample_found():
    """R5: search for x whose average of N copies of x^R is not x."""
    x = find(exact_reals(), lambda v: _note_average(v) != v, settings=FIND)
    assert _note_average(x) == R(x) != x


def test_r5_smallest_counterexample():
    """R5: in the order (denominator, |x|) over p/q, q <= 8, |x| <= 3, the smallest x with
    average(x^R) != x are x = ±1/2 (any non-integer fails; integers are the only fixed points)."""
    bad = [x for x in small_grid(8, 3) if _note_average(x) != x]
    assert all(not is_int(x) for x in bad) and len(bad) == len(small_grid(8, 3)) - 7
    _, where = argmin_set(bad, lambda v: (v.denominator, abs(v)))
    assert where == [-HALF, HALF]


@given(st.integers(1, 64), st.integers(-10**6, 10**6))
def test_r5_corrected_uniform_grid_exact_mean(m, c):
    """R5 corrected: for X uniform on the grid {c + j/M}, E ε = 0 if M is odd and -1/(2M) if M
    is even (exact). So E X^R = E X iff M is odd; half up is biased by +1/(2M) on even grids,
    and floats are dyadic (even) grids."""
    xs = [c + Fraction(j, m) for j in range(m)]
    mean_eps = sum(eps(x) for x in xs) / m
    mean_xr = Fraction(sum(R(x) for x in xs), m)
    mean_x = sum(xs) / m
    assert mean_eps == (0 if m % 2 else -Fraction(1, 2 * m))
    assert mean_xr - mean_x == -mean_eps


def test_r5_corrected_uniform_fractional_part_statistical():
    """R5 corrected: X = c + U, U ~ Uniform[0, 1): E ε(X) = 0, so E X^R = E X.

    Tolerance: ε is then uniform on [-1/2, 1/2), variance 1/12, so the mean of N = 200_000
    samples has standard deviation sqrt(1/12/N) = 6.5e-4; we allow 5 of them (3.2e-3).
    A false failure has probability < 6e-7, and the seed is fixed, so the test is deterministic.
    The float U lies on a dyadic grid (M = 2**53, even): its exact bias 2**-54 is negligible.
    """
    n = 200_000
    rng = np.random.default_rng(20240501)
    x = rng.integers(-1000, 1000, n) + rng.random(n)
    e = residual(x)
    tol = 5 * math.sqrt(1 / 12 / n)
    assert abs(e.mean()) < tol
    assert abs((round_half_up(x) - x).mean()) < tol


@given(exact_reals(), st.integers(1, 3))
@example(HALF, 1)
def test_r5_corrected_subtractive_dither_exact(x, mult):
    """R5 corrected: with a dither U uniform on {j/M - 1/2} (M a multiple of x's denominator),
    E (x + U)^R = E [x + j/M] = x exactly, for every x: adding a uniform dither before rounding
    is what makes rounding unbiased (the continuous U ~ U[-1/2, 1/2) is the limit)."""
    m = x.denominator * mult
    if m > 512:  # keep the enumeration small; the property is exact for every m
        x = Fraction(R(x * 64), 64)
        m = 64 * mult
    mean = Fraction(sum(R(x + Fraction(j, m) - HALF) for j in range(m)), m)
    assert mean == x


# Cases for stochastic_round: (x, qp). p = frac(qp x) is the up-probability.
_SR_CASES = [(Fraction(1, 3), 1), (Fraction(-2, 7), 1), (Fraction(5, 2), 1),
             (Fraction(123456789, 10**9), 100), (Fraction(1, 7), Fraction(1, 3)),
             (Fraction(4, 3), 3)]


@pytest.mark.parametrize("x,qp", _SR_CASES)
def test_r5_stochastic_round_unbiased_fraction(x, qp):
    """R5 corrected: quantopt.stochastic_round is unbiased, E x^S = x (Fraction path, exact
    up-probabilities). Each sample is f/qp or (f+1)/qp with P(up) = p = frac(qp x), so the
    mean of N samples has standard deviation sqrt(p(1-p)/N)/qp; we allow 5 of them (a false
    failure would have probability < 6e-7; the seed is fixed). p = 0 is checked exactly."""
    n = 2000
    q = Fraction(qp)
    f = math.floor(q * x)
    p = q * x - f
    rng = np.random.default_rng(7)
    samples = [stochastic_round(x, qp, rng) for _ in range(n)]
    assert all(isinstance(s, Fraction) for s in samples)
    assert set(samples) <= {Fraction(f) / q, Fraction(f + 1) / q}
    mean = sum(samples) / n
    if p == 0:
        assert mean == x
    else:
        sd = math.sqrt(p * (1 - p) / n) / q
        assert abs(float(mean - x)) < 5 * float(sd)


@pytest.mark.parametrize("x,qp", [(0.1, 1), (-2.7, 1), (0.123456789, 100), (2.5, 1),
                                  (1e6 + 0.25, 10)])
def test_r5_stochastic_round_unbiased_float_arrays(x, qp):
    """R5 corrected: stochastic_round on a float64 array is unbiased. Tolerance as for the
    Fraction path: 5·sqrt(p(1-p)/N)/qp with N = 200_000 and p = frac(qp·x) computed exactly
    (p is 0.1 to 0.9 here, so N·p(1-p) >= 18_000 and the normal approximation is accurate; the
    1e-15 slack covers the documented 2**-52/qp bias of the float path)."""
    n = 200_000
    X = Fraction(x)
    f = math.floor(Fraction(qp) * X)
    p = float(Fraction(qp) * X - f)
    out = stochastic_round(np.full(n, x), qp, np.random.default_rng(11))
    lo, hi = float(Fraction(f, 1) / qp), float(Fraction(f + 1, 1) / qp)
    assert set(np.unique(out).tolist()) <= {lo, hi}
    ups = int((out == hi).sum())
    mean = (Fraction(f) + Fraction(ups, n)) / Fraction(qp)  # exact mean of the codes / qp
    sd = math.sqrt(p * (1 - p) / n) / qp
    assert abs(float(mean - X)) <= 5 * sd + 1e-15


# =============================================================================================
# R6  "whether ε is Gaussian is to be studied later" (+ white-noise and linearity remarks)
# =============================================================================================
def test_r6_residual_uniform_not_gaussian_ks():
    """R6: when frac(x) is uniform, ε is Uniform[-1/2, 1/2), not Gaussian (bounded support).

    Kolmogorov-Smirnov on N = 20_000 seeded samples at significance level α = 0.01: uniformity
    is not rejected (p > 0.01), and the Gaussian with the same mean and variance (σ² = 1/12)
    is rejected (p < 1e-6). The seed is fixed, so both outcomes are deterministic."""
    rng = np.random.default_rng(123)
    e = residual(rng.uniform(-1000.0, 1000.0, 20_000))
    assert e.min() >= -0.5 and e.max() < 0.5
    assert stats.kstest(e, "uniform", args=(-0.5, 1.0)).pvalue > 0.01
    assert stats.kstest(e, "norm", args=(0.0, math.sqrt(1 / 12))).pvalue < 1e-6


@given(exact_reals(), st.integers(-10**6, 10**6))
def test_r6_residual_is_periodic_sawtooth(x, n):
    """R6: ε is a deterministic sawtooth of x: ε(x + n) = ε(x), ε(x) = x on [-1/2, 1/2).
    (The white-noise and linearity remarks are heuristics; this is the checkable fact beneath.)"""
    assert eps(x + n) == eps(x)
    y = eps(x)
    assert eps(y) == y


# R6b on a trajectory. Reading adopted (CLAIMS.md, R6b): along a quantized run,
# x_t = x_0 + sum_{tau<t} s_tau + E_t with E_t = sum_{tau<t} e_tau the accumulated rounding
# error (e_t = (s_t)^Q - s_t, s_t the unquantized step); "its derivative" is the increment e_t,
# and "white noise" means zero mean and no correlation between lags (the Box-Pierce test on the
# lags 1..10, not centred, or the martingale z-scores). Runs: gradient descent on the grid
# 2^-10 from the problem's x0 (quantopt.noise.record_steps, checked against the path).
def _r6b_steps(prob, lr, rounding):
    _, steps = noise.record_steps(prob.f, prob.x0, jac=prob.grad, method="gd", qp=2**10,
                                  line_search=None,
                                  options={"lr": lr, "maxiter": 3000, "rounding": rounding,
                                           "seed": 0})
    return steps


@pytest.mark.parametrize("prob,lr", [(problems.rosenbrock(2), 1e-3),
                                     (problems.quadratic(n=10, cond=100, seed=0), 1e-2),
                                     (problems.himmelblau(), 1e-3)])
def test_r6b_step_error_not_white_rounding_to_nearest(prob, lr):
    """R6b, false for rounding to nearest: in the last third of the run the errors of
    successive steps are correlated (Box-Pierce p < 1e-6; a white sequence is rejected with
    probability <= 1e-6). Most components there are below half a cell, where e_t = -s_t
    exactly: the increments follow the (smooth, slowly shrinking) step, not a noise."""
    st = _r6b_steps(prob, lr, "nearest")
    i = noise.phase_rows(st, "converging")
    r, counts = noise.autocorrelation(st.scaled[i], range(1, 11))
    assert noise.portmanteau(r, counts)[1] < 1e-6
    small = np.abs(st.s[i] * st.qp[i, None]) < 0.5
    assert small.mean() > 0.5
    assert np.array_equal(st.e[i][small], -st.s[i][small])


@pytest.mark.parametrize("prob,lr", [(problems.rosenbrock(2), 1e-3),
                                     (problems.quadratic(n=10, cond=100, seed=0), 1e-2)])
def test_r6b_step_error_white_with_stochastic_rounding(prob, lr):
    """R6b, holds for stochastic rounding: e_t is a martingale difference sequence
    (E[e_t | past] = 0), so E_t is a martingale and its increments are uncorrelated. Over the
    whole run, the sum and the lag-k products (k = 1..10), self-normalized by the conditional
    variances phi(1 - phi)/Qp^2 (quantopt.noise.martingale_z), are within +-4.5: each is about
    N(0, 1) for a martingale difference sequence, so the 11 checks fail together with
    probability < 1e-4 (normal approximation)."""
    st = _r6b_steps(prob, lr, "stochastic")
    v = noise.stochastic_error_variance(st.s, st.qp) * st.qp[:, None] ** 2
    z = noise.martingale_z(st.scaled, v, range(11))
    assert np.all(np.abs(z) < 4.5)


# =============================================================================================
# P1  xy = x^R y^R + ε_y x^R + ε_x y^R + ε_x ε_y
# =============================================================================================
@given(exact_reals(), exact_reals())
def test_p1_product_identity(x, y):
    """P1: xy = x^R y^R + ε_y x^R + ε_x y^R + ε_x ε_y."""
    assert x * y == R(x) * R(y) + eps(y) * R(x) + eps(x) * R(y) + eps(x) * eps(y)


@given(float_arrays(max_abs=1e150), float_arrays(max_abs=1e150))
def test_p1_product_identity_float_arrays_library(a, b):
    """P1 with x^R and ε from quantopt on floats, checked in exact arithmetic."""
    k = min(len(a), len(b))
    a, b = a[:k], b[:k]
    ar, ae, br, be = round_half_up(a), residual(a), round_half_up(b), residual(b)
    for x, xr, xe, y, yr, ye in zip(a.tolist(), ar.tolist(), ae.tolist(),
                                    b.tolist(), br.tolist(), be.tolist()):
        X, XR, XE, Y, YR, YE = map(Fraction, (x, xr, xe, y, yr, ye))
        assert X * Y == XR * YR + YE * XR + XE * YR + XE * YE


# =============================================================================================
# P2  (xy)^R = x^R y^R + (ε_y x + ε_x y^R)^R
# =============================================================================================
@given(exact_reals(), exact_reals())
def test_p2_product_rounding_identity(x, y):
    """P2: (xy)^R = x^R y^R + (ε_y x + ε_x y^R)^R; the inner term equals xy - x^R y^R."""
    t = eps(y) * x + eps(x) * R(y)
    assert t == x * y - R(x) * R(y)
    assert R(x * y) == R(x) * R(y) + R(t)
    assert round_half_up(x * y) == R(x) * R(y) + round_half_up(t)  # library, Fraction path


# =============================================================================================
# P3  ||ε|| <= 1/2 ("less than 0.5")
# =============================================================================================
@given(exact_reals())
def test_p3_residual_bounded(x):
    """P3: |ε| <= 1/2, with equality exactly at ties (ε = -1/2), so "less than" must be <=."""
    assert abs(eps(x)) <= HALF
    assert (abs(eps(x)) == HALF) == is_int(x - HALF)


# =============================================================================================
# P4  ||x^R|| <= ||x||  (false)
# =============================================================================================
def test_p4_counterexample_found():
    """P4: search for x with |x^R| > |x|."""
    x = find(exact_reals(), lambda v: abs(R(v)) > abs(v), settings=FIND)
    assert abs(R(x)) > abs(x)


def test_p4_smallest_counterexample():
    """P4: the smallest |x| with |x^R| > |x| on the grid p/q (q <= 8, |x| <= 3) is x = 1/2
    (x^R = 1), and it is unique. (Over all rationals too: counterexamples are
    [n + 1/2, n + 1), n >= 0, and (-n-1, -n-1/2), n >= 0.)"""
    bad = [x for x in small_grid(8, 3) if abs(R(x)) > abs(x)]
    best, where = argmin_set(bad, abs)
    assert where == [HALF] and R(HALF) == 1


@given(exact_reals())
@example(HALF)
@example(Fraction(-5, 8))
def test_p4_corrected_bound(x):
    """P4 corrected: |x^R| <= |x| + 1/2, with equality iff x = n + 1/2 with n >= 0; and the
    original |x^R| <= |x| fails exactly when x^R·ε < 0 (rounding away from zero)."""
    assert abs(R(x)) <= abs(x) + HALF
    assert (abs(R(x)) == abs(x) + HALF) == (is_int(x - HALF) and x > 0)
    assert (abs(R(x)) > abs(x)) == (R(x) * eps(x) < 0)


# =============================================================================================
# P5  -½(|x|+|y|) < (ε_y x + ε_x y^R)^R < ½(|x|+|y|)  (false)
# =============================================================================================
def _p5_term(x, y) -> int:
    return R(eps(y) * x + eps(x) * R(y))


def _p5_nonstrict_fails(xy) -> bool:
    x, y = xy
    b = (abs(x) + abs(y)) / 2
    return not (-b <= _p5_term(x, y) <= b)


def test_p5_counterexample_found():
    """P5: search for (x, y) violating even the non-strict bound
    |(ε_y x + ε_x y^R)^R| <= ½(|x|+|y|)."""
    x, y = find(st.tuples(exact_reals(), exact_reals()), _p5_nonstrict_fails, settings=FIND)
    assert _p5_nonstrict_fails((x, y))


def test_p5_smallest_counterexample():
    """P5: on the grid p/q (q <= 8, |.| <= 2), in the order |x| + |y|: the strict inequalities
    fail first at x = y = 0 (0 < 0), and the non-strict ones fail first, uniquely, at
    x = y = 1/2: ε_x = ε_y = -1/2, y^R = 1, T = -3/4, T^R = -1 < -1/2."""
    g = small_grid(8, 2)
    rr = {v: R(v) for v in g}
    ee = {v: v - rr[v] for v in g}
    strict, nonstrict = [], []
    for x in g:
        for y in g:
            t = R(ee[y] * x + ee[x] * rr[y])
            b = (abs(x) + abs(y)) / 2
            if not -b < t < b:
                strict.append((x, y))
            if not -b <= t <= b:
                nonstrict.append((x, y))
    l1 = lambda xy: abs(xy[0]) + abs(xy[1])  # noqa: E731
    assert argmin_set(strict, l1)[1] == [(0, 0)]
    assert argmin_set(nonstrict, l1)[1] == [(HALF, HALF)]
    assert _p5_term(HALF, HALF) == -1


@given(st.tuples(exact_reals(), exact_reals()))
@example((HALF, HALF))
@example((Fraction(0), Fraction(0)))
@example((Fraction(-1, 2) - Fraction(1, 2**40), HALF))
@example((Fraction(3, 2), Fraction(7, 2)))
def test_p5_corrected_bound(xy):
    """P5 corrected: with B = ½(|x|+|y|) and T = ε_y x + ε_x y^R = xy - x^R y^R,
    -B - 1/2 <= T^R < B + 1/2, with equality on the left iff x and y are positive ties with
    x^R + y^R even (hence the weaker -B - 3/4 < T^R <= B + 3/4 via |y^R| <= |y| + 1/2, and
    |T| <= ½(|x| + |y^R|))."""
    x, y = xy
    t = eps(y) * x + eps(x) * R(y)
    b = (abs(x) + abs(y)) / 2
    assert abs(t) <= (abs(x) + abs(R(y))) / 2
    assert -b - HALF <= R(t) < b + HALF
    assert -b - Fraction(3, 4) < R(t) <= b + Fraction(3, 4)
    positive_ties = is_int(x - HALF) and is_int(y - HALF) and x > 0 and y > 0
    assert (R(t) == -b - HALF) == (positive_ties and (R(x) + R(y)) % 2 == 0)


def test_p5_corrected_bound_is_sharp():
    """P5 corrected: the lower bound is attained (x = y = 1/2: T^R = -1 = -B - 1/2) and the
    upper is approached: x = -1/2 - 2**-j, y = 1/2 give T^R - B = 1/2 - 2**-(j+1)."""
    assert _p5_term(HALF, HALF) == -(HALF + HALF) / 2 - HALF
    for j in (1, 5, 30, 60):
        x = -HALF - Fraction(1, 2**j)
        b = (abs(x) + HALF) / 2
        assert _p5_term(x, HALF) - b == HALF - Fraction(1, 2**(j + 1))


# =============================================================================================
# S1  [x + 0.5 + n] = x^R + n,  n ∈ Z
# =============================================================================================
@given(exact_reals(), st.integers(-2**70, 2**70))
def test_s1_integer_shift(x, n):
    """S1: [x + 0.5 + n] = x^R + n for integer n."""
    assert math.floor(x + HALF + n) == R(x) + n


@given(st.lists(st.one_of(dyadic_floats(), float_reals(2.0**40)), min_size=1, max_size=6),
       st.integers(-2**10, 2**10))
def test_s1_integer_shift_float_arrays_library(values, n):
    """S1 on floats through quantopt.round_half_up, where x + n is exact in float64."""
    a = np.array(values, dtype=np.float64)
    exact = np.array([Fraction(v) + n == Fraction(v + n) for v in values])
    a, s = a[exact], a[exact] + n
    assert np.array_equal(round_half_up(s), round_half_up(a) + n)


# =============================================================================================
# S2  x^R + y^R = (x + y^R)^R ≠ (x + y)^R   (the ≠ is not universal)
# =============================================================================================
@given(exact_reals(), exact_reals())
def test_s2_equality_part(x, y):
    """S2: x^R + y^R = (x + y^R)^R (S1 with n = y^R)."""
    assert R(x) + R(y) == R(x + R(y))
    assert round_half_up(x) + round_half_up(y) == round_half_up(x + round_half_up(y))


def test_s2_counterexample_found():
    """S2: search for (x, y) where "x^R + y^R ≠ (x + y)^R" fails, i.e. they are equal."""
    x, y = find(st.tuples(exact_reals(), exact_reals()),
                lambda p: R(p[0]) + R(p[1]) == R(p[0] + p[1]), settings=FIND)
    assert R(x) + R(y) == R(x + y)


def test_s2_smallest_counterexample():
    """S2: on the grid p/q (q <= 8, |.| <= 2): the smallest pair (|x|+|y|) where x^R + y^R =
    (x+y)^R is (0, 0). Pairs where they do differ start at |x|+|y| = 1/2 (all x + y = 1/2,
    0 < x, y < 1/2); the one of smallest denominator is (1/4, 1/4): 0 + 0 vs (1/2)^R = 1."""
    g = small_grid(8, 2)
    rr = {v: R(v) for v in g}
    equal, differ = [], []
    for x in g:
        for y in g:
            (equal if rr[x] + rr[y] == R(x + y) else differ).append((x, y))
    l1 = lambda p: abs(p[0]) + abs(p[1])  # noqa: E731
    assert argmin_set(equal, l1)[1] == [(0, 0)]
    best, where = argmin_set(differ, l1)
    assert best == HALF and all(x + y == HALF and 0 < x < HALF and 0 < y < HALF for x, y in where)
    _, where = argmin_set(differ, lambda p: (l1(p), max(p[0].denominator, p[1].denominator)))
    assert where == [(Fraction(1, 4), Fraction(1, 4))]


@given(exact_reals(), exact_reals())
@example(Fraction(1, 4), Fraction(1, 4))
@example(Fraction(0), Fraction(0))
@example(HALF, HALF)
def test_s2_corrected_difference_is_minus1_0_or_1(x, y):
    """S2 corrected: (x + y)^R - (x^R + y^R) ∈ {-1, 0, 1}; 0 iff -1/2 <= ε_x + ε_y < 1/2."""
    d = R(x + y) - (R(x) + R(y))
    assert d in (-1, 0, 1)
    assert (d == 0) == (-HALF <= eps(x) + eps(y) < HALF)


# =============================================================================================
# S3  (x + y)^R = x^R + y^R + (ε_x + ε_y)^R
# =============================================================================================
@given(exact_reals(), exact_reals())
def test_s3_sum_rounding_identity(x, y):
    """S3: (x + y)^R = x^R + y^R + (ε_x + ε_y)^R."""
    assert R(x + y) == R(x) + R(y) + R(eps(x) + eps(y))


# =============================================================================================
# S4  -1 <= ε_x + ε_y < 1
# =============================================================================================
@given(exact_reals(), exact_reals())
def test_s4_residual_sum_bounds(x, y):
    """S4: -1 <= ε_x + ε_y < 1; -1 exactly when both are ties."""
    s = eps(x) + eps(y)
    assert -1 <= s < 1
    assert (s == -1) == (is_int(x - HALF) and is_int(y - HALF))


def test_s4_bounds_are_sharp():
    """S4: -1 is attained (x = y = 1/2) and 1 is approached (x = y = 1/2 - 2**-j)."""
    assert eps(HALF) + eps(HALF) == -1
    for j in (2, 20, 70):
        x = HALF - Fraction(1, 2**j)
        assert Fraction(2, 2**j) == 1 - (eps(x) + eps(x))


# =============================================================================================
# S5  (x + y)^R = x^R + y^R + {-1, 0, +1} on [-1, -0.5), [-0.5, 0.5), [0.5, 1)
# =============================================================================================
def _s5_case(s) -> int:
    if -1 <= s < -HALF:
        return -1
    if -HALF <= s < HALF:
        return 0
    assert HALF <= s < 1
    return 1


@given(exact_reals(), exact_reals())
@example(HALF, HALF)                          # s = -1
@example(Fraction(-1, 4), Fraction(-1, 4))    # s = -1/2 (case 0)
@example(Fraction(1, 4), Fraction(1, 4))      # s = 1/2 (case +1)
@example(Fraction(-3, 4), Fraction(1, 4))     # s = 1/2 with x < 0: ε(-3/4) = 1/4
def test_s5_three_cases(x, y):
    """S5: the three cases of (x + y)^R by s = ε_x + ε_y."""
    s = eps(x) + eps(y)
    assert R(x + y) == R(x) + R(y) + _s5_case(s)


def test_s5_each_case_and_boundary_reached():
    """S5: every case, and each boundary s = -1, -1/2, 1/2, is reached."""
    cases = {(HALF, HALF): (-1, -1),
             (Fraction(-1, 4), Fraction(-1, 4)): (-HALF, 0),
             (Fraction(1, 4), Fraction(1, 4)): (HALF, 1),
             (Fraction(1, 3), Fraction(-1, 5)): (None, 0),
             (Fraction(3, 5), Fraction(3, 5)): (None, -1),
             (Fraction(2, 5), Fraction(2, 5)): (None, 1)}
    seen = set()
    for (x, y), (s_expected, case) in cases.items():
        s = eps(x) + eps(y)
        if s_expected is not None:
            assert s == s_expected
        assert _s5_case(s) == case == R(x + y) - R(x) - R(y)
        seen.add(case)
    assert seen == {-1, 0, 1}


@given(st.lists(st.tuples(dyadic_floats(), dyadic_floats()), min_size=1, max_size=6))
def test_s5_three_cases_float_arrays_library(pairs):
    """S5 (and S3) on floats through quantopt (dyadic floats, so x + y is exact)."""
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    s = residual(a) + residual(b)  # exact: both are dyadic with small exponents
    case = np.where(s < -0.5, -1.0, np.where(s < 0.5, 0.0, 1.0))
    assert np.array_equal(round_half_up(a + b), round_half_up(a) + round_half_up(b) + case)
    assert np.array_equal(round_half_up(a + b),
                          round_half_up(a) + round_half_up(b) + round_half_up(s))


# =============================================================================================
# Q1  x^Q = [Qp·x + 0.5] / Qp   (definition; the library must agree)
# =============================================================================================
@given(exact_reals(), st.sampled_from(QP_EXACT))
def test_q1_quantize_matches_oracle_fraction(x, qp):
    """Q1: quantopt.quantize/to_codes/from_codes on Fractions equal [Qp x + 1/2]/Qp exactly."""
    q = Fraction(qp)
    assert quantize(x, qp) == QZ(x, q)
    assert to_codes(x, qp) == code(x, q)
    assert from_codes(code(x, q), q) == QZ(x, q)


@given(qp_and_grid_array())
@example((100, np.array([0.123456789, -0.005, 0.015, 0.005])))
@example((10, np.array([0.25, 0.35, 0.45, -0.05])))
def test_q1_quantize_matches_oracle_float_arrays(qp_a):
    """Q1 (and Q3 corrected) on float64 arrays: to_codes is the exact code k, quantize the float
    nearest k/qp, and x - 0.5/Qp < k/Qp <= x + 0.5/Qp."""
    qp, a = qp_a
    q = Fraction(qp)
    k = to_codes(a, qp)
    xq = quantize(a, qp)
    assert k.dtype == np.int64 and xq.dtype == np.float64
    for xi, ki, qi in zip(a.tolist(), k.tolist(), xq.tolist()):
        c = code(xi, q)
        assert ki == c
        assert qi == float(Fraction(c) / q)
        assert Fraction(xi) - HALF / q < Fraction(c) / q <= Fraction(xi) + HALF / q


@given(float_arrays(), st.sampled_from([1, 2, 0.5, 1024, 2.0**-20]))
def test_q1_quantize_power_of_two_all_finite_floats(a, qp):
    """Q1: for qp a power of two quantize is exact for every finite float (huge ones included)."""
    xq = quantize(a, qp)
    for xi, qi in zip(a.tolist(), xq.tolist()):
        assert Fraction(qi) == QZ(xi, qp)  # k/qp is exactly a float here


# =============================================================================================
# Q2  x = 0.123456789, Qp = 100: 12.3456789 -> 12.8456789 -> 12 -> 0.12
# =============================================================================================
def test_q2_worked_example():
    """Q2: the worked example, exactly and through the library (float and Fraction input)."""
    x = Fraction("0.123456789")
    assert 100 * x == Fraction("12.3456789")
    assert 100 * x + HALF == Fraction("12.8456789")
    assert math.floor(100 * x + HALF) == 12
    assert Fraction(12, 100) == Fraction("0.12") == QZ(x, 100)
    assert quantize(0.123456789, 100) == 0.12
    assert to_codes(0.123456789, 100) == 12
    assert quantize(x, 100) == Fraction(3, 25)
    assert quantize(np.array([0.123456789]), 100).tolist() == [0.12]


# =============================================================================================
# Q3  x - 0.5/Qp <= (Qp x)^R/Qp <= x + 0.5/Qp  =>  x - 0.5/Qp < x^Q < x + 0.5/Qp  (false)
# =============================================================================================
_Q3_SEARCH = st.tuples(exact_reals(), st.sampled_from(QP_EXACT))


def _q3_fails(xq) -> bool:
    x, qp = xq
    h = HALF / Fraction(qp)
    return not (x - h < QZ(x, qp) < x + h)


def test_q3_counterexample_found():
    """Q3: search for (x, Qp) with x^Q = x + 0.5/Qp (the strict upper bound fails)."""
    x, qp = find(_Q3_SEARCH, _q3_fails, settings=FIND)
    assert QZ(x, qp) == x + HALF / Fraction(qp)


@pytest.mark.parametrize("qp", [1, 3, 100])
def test_q3_smallest_counterexample(qp):
    """Q3: over x = p/(Qp·q) with q <= 6 and |Qp·x| <= 3, the smallest |x| violating the strict
    bounds are x = ±1/(2Qp) (x^Q = x + 1/(2Qp): 1 and 0); for Qp = 1: x = ±1/2."""
    xs = sorted({Fraction(p, qp * q) for q in range(1, 7) for p in range(-3 * q, 3 * q + 1)})
    _, where = argmin_set((x for x in xs if _q3_fails((x, qp))), abs)
    assert where == [-HALF / qp, HALF / qp]
    assert all(QZ(x, qp) == x + HALF / qp for x in where)


@given(exact_reals(), st.sampled_from(QP_EXACT))
@example(HALF, 1)
@example(Fraction(1, 200), 100)
def test_q3_corrected_bounds(x, qp):
    """Q3 corrected: x - 0.5/Qp < x^Q <= x + 0.5/Qp, equality iff Qp·x is a tie n + 1/2."""
    q = Fraction(qp)
    xq = QZ(x, q)
    assert x - HALF / q < xq <= x + HALF / q
    assert (xq == x + HALF / q) == is_int(q * x - HALF)


def test_q3_lower_bound_approached_not_attained():
    """Q3 corrected: x^Q - (x - 0.5/Qp) = δ for x = (n + 1/2)/Qp - δ, small δ: sharp."""
    for qp in (1, 3, 100):
        for j in (10, 50):
            d = Fraction(1, 2**j)
            x = (7 + HALF) / qp - d
            assert QZ(x, qp) - (x - HALF / qp) == d


# =============================================================================================
# Q4  x^Q = (Qp x + ε)/Qp = x + ε̄, -0.5 < ε <= 0.5, claimed -0.5/Qp <= ε̄ < 0.5/Qp  (false)
# =============================================================================================
def test_q4_counterexample_found():
    """Q4: search for (x, Qp) with ε̄ = x^Q - x >= 0.5/Qp."""
    x, qp = find(_Q3_SEARCH, lambda p: QZ(p[0], p[1]) - p[0] >= HALF / Fraction(p[1]),
                 settings=FIND)
    assert QZ(x, qp) - x == HALF / Fraction(qp)


def test_q4_smallest_counterexample():
    """Q4: smallest |x| (Qp = 1, grid p/q, q <= 8, |x| <= 3) with ε̄ outside [-1/2, 1/2):
    x = ±1/2, ε̄ = 1/2 (same points as Q3)."""
    bad = [x for x in small_grid(8, 3) if not (-HALF <= QZ(x, 1) - x < HALF)]
    _, where = argmin_set(bad, abs)
    assert where == [-HALF, HALF]


@given(exact_reals(), st.sampled_from(QP_EXACT))
@example(HALF, 1)
def test_q4_corrected_range(x, qp):
    """Q4 corrected: ε = (Qp x)^R - Qp x ∈ (-1/2, 1/2] (as the note says) and so
    ε̄ = ε/Qp = x^Q - x ∈ (-0.5/Qp, 0.5/Qp]; ε = -residual(Qp x) in the library's convention."""
    q = Fraction(qp)
    e = R(q * x) - q * x
    assert -HALF < e <= HALF
    assert e == -residual(q * x)
    eb = QZ(x, q) - x
    assert eb == e / q
    assert -HALF / q < eb <= HALF / q


# =============================================================================================
# Q5  x^Q y^Q = xy - ε̄_y x^Q - ε̄_x y^Q - ε̄_x ε̄_y,  ε̄ = x - x^Q
# =============================================================================================
def _q5_rhs(x, y, qp, sign):
    ex, ey = sign * (x - QZ(x, qp)), sign * (y - QZ(y, qp))
    return x * y - ey * QZ(x, qp) - ex * QZ(y, qp) - ex * ey


@given(exact_reals(), exact_reals(), st.sampled_from(QP_EXACT))
def test_q5_product_identity(x, y, qp):
    """Q5: x^Q y^Q = xy - ε̄_y x^Q - ε̄_x y^Q - ε̄_x ε̄_y with ε̄ = x - x^Q (as stated in Q5)."""
    assert QZ(x, qp) * QZ(y, qp) == _q5_rhs(x, y, qp, +1)


@given(qp_and_grid_array(), st.data())
def test_q5_product_identity_float_arrays_library(qa, data):
    """Q5 with x^Q from quantopt's codes on floats, checked exactly."""
    qp, a = qa
    b = np.array(data.draw(st.lists(grid_floats(qp), min_size=1, max_size=6)))
    k = min(len(a), len(b))
    q = Fraction(qp)
    for x, y, kx, ky in zip(a[:k].tolist(), b[:k].tolist(), to_codes(a[:k], qp).tolist(),
                            to_codes(b[:k], qp).tolist()):
        X, Y, XQ, YQ = Fraction(x), Fraction(y), Fraction(kx) / q, Fraction(ky) / q
        ex, ey = X - XQ, Y - YQ
        assert XQ * YQ == X * Y - ey * XQ - ex * YQ - ex * ey


def test_q5_with_q4_sign_counterexample_found():
    """Q5: with Q4's sign (ε̄ = x^Q - x) the identity is false: search finds a pair."""
    x, y = find(st.tuples(exact_reals(), exact_reals()),
                lambda p: QZ(p[0], 1) * QZ(p[1], 1) != _q5_rhs(p[0], p[1], 1, -1), settings=FIND)
    assert QZ(x, 1) * QZ(y, 1) != _q5_rhs(x, y, 1, -1)


def test_q5_with_q4_sign_smallest_counterexample():
    """Q5 with ε̄ = x^Q - x, Qp = 1, order (max denominator, |x| + |y|) on p/q, |.| <= 2: the
    smallest counterexamples are (1/2, 1/2), (1/2, -1/2), (-1/2, 1/2). Integers satisfy the
    identity (ε̄ = 0), so denominators <= 3 already decide the first key: the search is complete
    in the box |x|, |y| <= 2."""
    g = small_grid(3, 2)
    bad = [(x, y) for x in g for y in g if QZ(x, 1) * QZ(y, 1) != _q5_rhs(x, y, 1, -1)]
    _, where = argmin_set(bad, lambda p: (max(p[0].denominator, p[1].denominator),
                                          abs(p[0]) + abs(p[1])))
    assert where == [(-HALF, HALF), (HALF, -HALF), (HALF, HALF)]


# =============================================================================================
# U1  x_{t+1}^Q = (x_t - λ_t h_t)^Q   (definition of the quantized update)
# =============================================================================================
@given(exact_reals(), exact_reals(), exact_reals(), st.sampled_from(QP_EXACT))
def test_u1_quantized_update_on_grid_and_close(x, lam, h, qp):
    """U1: x_{t+1}^Q = (x_t - λ h)^Q lies on (1/Qp)Z, within (-0.5/Qp, 0.5/Qp] of x_t - λh."""
    q = Fraction(qp)
    target = x - lam * h
    nxt = quantize(target, q)  # library, Fraction path
    assert nxt == QZ(target, q)
    assert is_int(nxt * q)
    assert -HALF / q < nxt - target <= HALF / q


# =============================================================================================
# U2  choose λ_t with λ_t h_t = (λ_t h_t)^Q  and  λ_t = argmin_λ f(x_t - λ h_t)   (false)
# =============================================================================================
def _quad_exact_step(a, c, xt):
    """1-D f(x) = a/2 (x - c)^2, h = f'(x_t) = a(x_t - c); exact line search λ* = 1/a."""
    h = a * (xt - c)
    lam = 1 / a
    phi = lambda step: a / 2 * (xt - step * h - c) ** 2  # noqa: E731
    assert phi(lam) == 0  # λ* is the minimizer
    return h, lam


def _u2_both_conditions(params) -> bool:
    a, c, k, qp = params
    xt = Fraction(k) / qp
    h, lam = _quad_exact_step(a, c, xt)
    return h == 0 or QZ(lam * h, qp) == lam * h


_U2_SEARCH = st.tuples(st.builds(Fraction, st.integers(1, 50), st.integers(1, 10)),  # a > 0
                       exact_reals(), st.integers(-100, 100), st.sampled_from(QP_EXACT))


def test_u2_counterexample_found():
    """U2: search for a quadratic where the exact line-search λ* has λ* h off the grid."""
    a, c, k, qp = find(_U2_SEARCH, lambda p: not _u2_both_conditions(p), settings=FIND)
    assert not _u2_both_conditions((a, c, k, qp))


def test_u2_smallest_counterexample():
    """U2: f = ½(x - c)², x_t = 0, Qp = 1: λ* = 1 and λ* h = -c, on the grid iff c ∈ Z.
    In the order (denominator, |c|) over c = p/q, q <= 8, |c| <= 3: c = ±1/2 are smallest;
    the note's 1/3 example (Qp = 100): λ* h = -1/3 ≠ (-1/3)^Q = -33/100."""
    bad = [c for c in small_grid(8, 3) if not _u2_both_conditions((Fraction(1), c, 0, 1))]
    _, where = argmin_set(bad, lambda v: (v.denominator, abs(v)))
    assert where == [-HALF, HALF]
    h, lam = _quad_exact_step(Fraction(1), Fraction(1, 3), Fraction(0))
    assert lam * h == Fraction(-1, 3) and QZ(lam * h, 100) == Fraction(-33, 100)


def _admissible(lam, h, qp) -> bool:
    return all(is_int(lam * hi * qp) for hi in h)


def _lambda_min(h, qp) -> Fraction:
    """The smallest λ > 0 with λ h ∈ (1/Qp)Z^n: lcm(denominators) / (gcd(numerators) · Qp)."""
    nz = [Fraction(v) for v in h if v != 0]
    return Fraction(math.lcm(*[v.denominator for v in nz]),
                    math.gcd(*[abs(v.numerator) for v in nz])) / Fraction(qp)


def _prime_factors(n: int) -> set[int]:
    out, p = set(), 2
    while p * p <= n:
        while n % p == 0:
            out.add(p)
            n //= p
        p += 1
    return out | ({n} if n > 1 else set())


@given(st.lists(st.builds(Fraction, st.integers(-30, 30).filter(bool), st.integers(1, 12)),
                min_size=1, max_size=3), st.sampled_from(QP_EXACT))
def test_u2_admissible_steps_form_lattice(h, qp):
    """U2 corrected: {λ : λ h ∈ (1/Qp)Z^n} = λ_min Z. λ_min is admissible, and λ_min/p is not
    for every prime p dividing N = λ_min·Qp·|h_1| (an integer). Since the admissible set is a
    subgroup of (1/(Qp|h_1|))Z, hence g Z with λ_min = m g and m | N, this proves minimality."""
    lm = _lambda_min(h, qp)
    assert _admissible(lm, h, qp) and _admissible(-3 * lm, h, qp)
    n = lm * Fraction(qp) * abs(h[0])
    assert is_int(n)
    for p in _prime_factors(int(n)):
        assert not _admissible(lm / p, h, qp)


def test_u2_float_vector_admissible_step_is_huge():
    """U2: for h = (1.0, 0.1) (floats) and Qp = 100 the smallest admissible λ > 0 is
    2**55/100 ≈ 3.6e14 > 2**48: 0.1 is 3602879701896397/2**55 with an odd numerator."""
    h = [Fraction(1.0), Fraction(0.1)]
    assert h[1] == Fraction(3602879701896397, 2**55)
    lm = _lambda_min(h, 100)
    assert lm == Fraction(2**55, 100) and lm > 2**48
    assert _admissible(lm, h, 100) and not _admissible(lm / 2, h, 100)
    assert _prime_factors(int(lm * 100 * h[0])) == {2}


@given(st.builds(Fraction, st.integers(1, 50), st.integers(1, 10)), exact_reals(),
       st.integers(-10**4, 10**4), st.sampled_from(QP_EXACT))
@example(Fraction(1), Fraction(1, 3), 0, 100)
def test_u2_corrected_line_search_on_lattice(a, c, k, qp):
    """U2 corrected: minimize over the admissible lattice λ_min Z. For a 1-D quadratic,
    φ(λ) = f(x_t - λh) is a parabola symmetric about λ*, so the nearest lattice point
    λ_Q = λ_min [λ*/λ_min + 1/2] is optimal, x_t - λ_Q h is on the grid, and it is a grid
    point nearest to the minimizer c."""
    q = Fraction(qp)
    xt = Fraction(k) / q
    h, lam = _quad_exact_step(a, c, xt)
    if h == 0:
        return  # x_t is already the minimizer: λ h = 0 is on the grid for every λ
    lm = _lambda_min([h], q)
    m = R(lam / lm)
    lq = lm * m
    phi = lambda step: a / 2 * (xt - step * h - c) ** 2  # noqa: E731
    assert all(phi(lq) <= phi(lm * j) for j in range(m - 3, m + 4))
    nxt = xt - lq * h
    assert is_int(nxt * q)
    assert abs(nxt - c) == abs(QZ(c, q) - c)


# =============================================================================================
# U3  if x_t = x_t^Q:  (x_t^Q - λh)^Q = (x_t^Q - (λh)^Q)^Q = x_t^Q - (λh)^Q
# =============================================================================================
_U3_SEARCH = st.tuples(st.integers(-10**6, 10**6), exact_reals(), st.sampled_from(QP_EXACT))


def _u3_chain_holds(params) -> bool:
    k, z, qp = params
    xq = Fraction(k) / Fraction(qp)
    return QZ(xq - z, qp) == QZ(xq - QZ(z, qp), qp) == xq - QZ(z, qp)


@given(st.integers(-10**9, 10**9), st.integers(-10**9, 10**9), st.sampled_from(QP_EXACT))
def test_u3_holds_under_grid_step_assumption(k, j, qp):
    """U3: with λh = (λh)^Q (a grid step z = j/Qp) the chain holds, also through the library."""
    q = Fraction(qp)
    xq, z = Fraction(k) / q, Fraction(j) / q
    assert QZ(z, q) == z
    assert _u3_chain_holds((k, z, qp))
    assert quantize(xq - z, q) == xq - quantize(z, q)


def test_u3_counterexample_found():
    """U3: without λh = (λh)^Q, search finds z with (x^Q - z)^Q ≠ x^Q - z^Q."""
    k, z, qp = find(_U3_SEARCH, lambda p: not _u3_chain_holds(p), settings=FIND)
    assert not _u3_chain_holds((k, z, qp))


@pytest.mark.parametrize("qp", [1, 3, 100])
def test_u3_smallest_counterexample(qp):
    """U3: x^Q = 0, z = p/(Qp·q), q <= 6, |Qp z| <= 3: the smallest |z| breaking the chain are
    z = ±1/(2Qp); e.g. z = 1/(2Qp): (0 - z)^Q = 0 but 0 - z^Q = -1/Qp."""
    zs = sorted({Fraction(p, qp * q) for q in range(1, 7) for p in range(-3 * q, 3 * q + 1)})
    _, where = argmin_set((z for z in zs if not _u3_chain_holds((0, z, qp))), abs)
    assert where == [-HALF / qp, HALF / qp]
    assert QZ(-HALF / qp, qp) == 0 and -QZ(HALF / qp, qp) == Fraction(-1, qp)


@given(st.integers(-10**6, 10**6), exact_reals(), st.sampled_from(QP_EXACT))
@example(0, HALF, 1)
@example(0, Fraction(1, 200), 100)
def test_u3_corrected_identity(k, z, qp):
    """U3 corrected: (x^Q - z)^Q = x^Q + (-z)^Q for every z (S1 on the grid); it equals
    x^Q - z^Q iff Qp·z is not a tie n + 1/2 (half up is not odd: (-z)^Q ≠ -z^Q at ties)."""
    q = Fraction(qp)
    xq = Fraction(k) / q
    assert QZ(xq - z, q) == xq + QZ(-z, q)
    assert quantize(xq - z, q) == xq + quantize(-z, q)  # library, Fraction path
    assert (QZ(xq - z, q) == xq - QZ(z, q)) == (not is_int(q * z - HALF))


# =============================================================================================
# U4  conclusion: run the line search so that λ_t h_t = (λ_t h_t)^Q
# =============================================================================================
@given(qp_and_grid_array(), st.floats(-4, 4, allow_nan=False), float_arrays(1e3),
       st.integers(1, 3))
def test_u4_quantized_step_on_codes_stays_on_grid(qa, lam, h, steps):
    """U4 corrected: quantize the step instead, d = (λh)^Q, k_{t+1} = k_t - d on integer codes;
    every iterate is exactly (x_t^Q - (λh)^Q) = (x_t^Q - (λh)^Q)^Q, on the grid."""
    qp, x = qa
    q = Fraction(qp)
    n = min(len(x), len(h))
    x, h = x[:n], h[:n]
    step = lam * h
    ok = (np.abs(x) * float(qp) < 2.0**40) & (np.abs(step) * float(qp) < 2.0**40)
    x, step = x[ok], step[ok]
    k = to_codes(x, qp)
    d = to_codes(step, qp)
    for _ in range(steps):
        k = k - d  # the update: exact integer arithmetic, no float drift
    exact = [QZ(v, q) - steps * QZ(s, q) for v, s in zip(x.tolist(), step.tolist())]
    assert all(Fraction(int(ki)) / q == e for ki, e in zip(k.tolist(), exact))
    assert all(QZ(e, q) == e for e in exact)  # on the grid
    assert from_codes(k, qp).tolist() == [float(e) for e in exact]


# =============================================================================================
# I1  (implementation, not a claim of the note) floor(fl(x + 0.5)) is wrong near ties
# =============================================================================================
def _naive_floor_wrong(x: float) -> bool:
    return float(np.floor(np.float64(x) + 0.5)) != R(Fraction(x))


def test_i1_naive_floor_counterexample_found():
    """I1: search for a float where numpy.floor(x + 0.5) differs from [x + 1/2]."""
    x = find(float_reals(), _naive_floor_wrong, settings=FIND)
    assert _naive_floor_wrong(x)
    assert round_half_up(x) == R(Fraction(x))


def test_i1_known_counterexamples():
    """I1: 0.49999999999999994 -> 1.0 (exact 0); 2**52 + 1 -> 2**52 + 2; the library is exact."""
    x = 0.49999999999999994
    assert x == 0.5 - 2.0**-54 and np.floor(x + 0.5) == 1.0 and R(Fraction(x)) == 0
    assert round_half_up(x) == 0.0
    y = 2.0**52 + 1
    assert np.floor(y + 0.5) == 2.0**52 + 2 and R(Fraction(y)) == 2**52 + 1
    assert round_half_up(y) == y
    a = np.array([x, y, -y])
    assert np.array_equal(round_half_up(a), np.array([0.0, y, -y]))


def test_i1_smallest_counterexample_float16_exhaustive():
    """I1: exhaustively over all finite float16, floor(fl16(x + 0.5)) is wrong exactly at
    x = 0.5 - 2**-12 (the float below 1/2, the smallest |x|) and at the odd integers with
    2**10 < |x| < 2**11; quantopt.round_half_up is right on all of them (in float16)."""
    x = np.arange(2**16, dtype=np.uint16).view(np.float16)
    x = x[np.isfinite(x)]
    oracle = np.array([R(Fraction(v)) for v in x.astype(np.float64).tolist()], dtype=np.float64)
    naive = np.floor(x + np.float16(0.5)).astype(np.float64)
    bad = x[naive != oracle].astype(np.float64)
    odd = np.arange(2**10 + 1, 2**11, 2, dtype=np.float64)
    assert sorted(bad.tolist()) == sorted([0.5 - 2.0**-12] + odd.tolist() + (-odd).tolist())
    assert np.min(np.abs(bad)) == 0.5 - 2.0**-12
    lib = round_half_up(x)
    assert lib.dtype == np.float16 and np.array_equal(lib.astype(np.float64), oracle)


def test_i1_smallest_counterexample_float64():
    """I1: the smallest |x| float64 with floor(fl(x + 0.5)) wrong is 0.49999999999999994.
    Argument: for |x| < 1/2 the answer is 0 and fl(x + 1/2) ∈ [0, 1] by monotonicity, = 1 only
    if x + 1/2 >= 1 - 2**-54 (a tie that rounds to even 1.0), i.e. x = 1/2 - 2**-54. The
    enumeration below (all floats within 4 ulps of n + 1/2, |n| <= 300, and of ±1/2 ± 2**-k)
    agrees: its smallest |x| counterexample is 0.49999999999999994."""
    cands = set()
    for n in range(-300, 301):
        for k in range(-4, 5):
            cands.add(nudge(n + 0.5, k))
    for s in (1, -1):
        for k in range(2, 60):
            cands.update({s * (0.5 - 2.0**-k), s * (0.5 + 2.0**-k)})
    bad = [x for x in cands if _naive_floor_wrong(x)]
    _, where = argmin_set(bad, abs)
    assert where == [0.49999999999999994]


# =============================================================================================
# I2  (implementation) rounding fl(qp·x) is wrong for qp not a power of two
# =============================================================================================
def _naive_code_wrong(x: float, qp) -> bool:
    return int(round_half_up(qp * x)) != code(x, qp)


def test_i2_naive_product_counterexample_found():
    """I2: search for a float x with [fl(100·x) + 1/2] ≠ [100·x + 1/2]."""
    x = find(grid_floats(100), lambda v: _naive_code_wrong(v, 100), settings=FIND)
    assert _naive_code_wrong(x, 100)
    assert to_codes(x, 100) == code(x, 100)


def test_i2_smallest_counterexample():
    """I2: for Qp = 100 the smallest |x| float with a wrong naive code is x = -0.005
    (fl(100·x) = -0.5 exactly, code 0; the exact 100·x is just below -1/2, code -1).
    Complete search: the error of fl(qp·x) is <= ulp(qp·x)/2, so a wrong code needs a tie
    n + 1/2 within that distance, i.e. x within ~1 ulp of (n + 1/2)/qp: all floats within
    3 ulps of the nearest float to (n + 1/2)/100, |n| <= 500, are checked. For qp = 64 (a
    power of two, so fl(qp·x) is exact) the same search finds nothing."""
    def wrong(qp):
        xs = np.array(sorted({nudge(float((n + HALF) / qp), k)
                              for n in range(-500, 500) for k in range(-3, 4)}))
        naive = round_half_up(qp * xs).tolist()  # exact rounding of the rounded product
        return [x for x, v in zip(xs.tolist(), naive) if v != code(x, qp)]

    _, where = argmin_set(wrong(100), abs)
    assert where == [-0.005]
    assert round_half_up(100 * -0.005) == 0.0 and code(-0.005, 100) == -1
    assert to_codes(-0.005, 100) == -1
    assert wrong(64) == []


@given(st.lists(grid_floats(100), min_size=1, max_size=6).map(np.array))
@example(np.array([-0.005, 0.015, 0.025, -0.025]))
def test_i2_library_codes_exact(a):
    """I2 corrected: quantopt.to_codes gives the exact code where the naive product fails."""
    for xi, ki in zip(a.tolist(), to_codes(a, 100).tolist()):
        assert ki == code(xi, 100)


# =============================================================================================
# I3  (implementation) float subtraction of grid values leaves the grid; codes are exact
# =============================================================================================
def test_i3_float_subtraction_leaves_grid():
    """I3: with Qp = 10, 0.3 - 0.1 = 0.19999999999999998 ≠ 0.2 = quantize(0.2, 10). The
    smallest code pairs (|k1| + |k2|, |k| <= 12) with fl(k1/10 - k2/10) ≠ fl((k1-k2)/10) are
    (±2, ∓1) and (±1, ∓2): 0.2 - (-0.1) = 0.30000000000000004."""
    assert 0.3 - 0.1 != quantize(0.2, 10) == 0.2
    assert quantize(0.3 - 0.1, 10) == 0.2
    pairs = [(k1, k2) for k1 in range(-12, 13) for k2 in range(-12, 13)
             if from_codes(k1, 10) - from_codes(k2, 10) != from_codes(k1 - k2, 10)]
    _, where = argmin_set(pairs, lambda p: abs(p[0]) + abs(p[1]))
    assert where == [(-2, 1), (-1, 2), (1, -2), (2, -1)]
    assert from_codes(2, 10) - from_codes(-1, 10) == 0.30000000000000004


@given(st.integers(-2**40, 2**40), st.integers(-2**40, 2**40), st.sampled_from(QP_FLOAT))
@example(3, 1, 10)
@example(2, -1, 10)
def test_i3_codes_are_exact(k1, k2, qp):
    """I3 corrected: codes subtract exactly, and the float difference quantizes back to them:
    to_codes(from_codes(k1) - from_codes(k2)) = k1 - k2 for |k| <= 2**40 (the float error
    is ~2**-53·|k|/qp, far below the half grid step 1/(2qp))."""
    f1, f2 = from_codes(k1, qp), from_codes(k2, qp)
    assert to_codes(f1, qp) == k1 and to_codes(f2, qp) == k2
    assert to_codes(f1 - f2, qp) == k1 - k2
    expected = float(Fraction(k1 - k2) / Fraction(qp))
    assert quantize(f1 - f2, qp) == from_codes(k1 - k2, qp) == expected


def test_i3_float_detour_fails_for_large_codes():
    """I3: the float detour is safe only for moderate codes. For |k| ~ 2**51 and Qp = 10 the
    rounding errors of k/10 (about ulp/2 = 2**-6 each) and of the subtraction add up to more
    than half a grid step, so to_codes(from_codes(k1) - from_codes(k2)) ≠ k1 - k2 for some
    pairs (a seeded search over 100_000 pairs finds them); k1 - k2 on the codes stays exact."""
    rng = np.random.default_rng(0)
    k1 = rng.integers(2**50, 2**51, 100_000)
    k2 = rng.integers(-2**51, 2**51, 100_000)  # |k1 - k2| < 2**52: to_codes stays in range
    back = to_codes(from_codes(k1, 10) - from_codes(k2, 10), 10)
    bad = np.flatnonzero(back != k1 - k2)
    assert bad.size > 0
    i = int(bad[0])
    a, b = int(k1[i]), int(k2[i])
    f1, f2 = from_codes(a, 10), from_codes(b, 10)
    assert code(f1 - f2, 10) != a - b  # confirmed by the exact oracle, not only the library
