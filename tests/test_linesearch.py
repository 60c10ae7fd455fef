"""Armijo backtracking and the quantized Armijo search on the grid (1/qp)Z^n.

Oracles: the Armijo condition re-evaluated here for every trial step (brute force over the
trial sequence), and exact Fraction arithmetic for grid membership.
"""
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from quantopt import from_codes, to_codes
from quantopt import linesearch as ls

QPS = [1, 2, 8, 3, 10, 100, 1024, 0.5]


def quadratic(a_diag, c):
    a = np.asarray(a_diag, float)

    def f(x):
        return 0.5 * float(np.sum(a * (x - c) ** 2))

    def g(x):
        return a * (x - c)

    return f, g


@st.composite
def quadratic_case(draw, n_max=4):
    n = draw(st.integers(1, n_max))
    a = draw(st.lists(st.floats(0.1, 100), min_size=n, max_size=n))
    c = draw(st.lists(st.floats(-5, 5), min_size=n, max_size=n))
    x = draw(st.lists(st.floats(-5, 5), min_size=n, max_size=n))
    return np.array(a), np.array(c), np.array(x)


@given(quadratic_case(), st.floats(1e-3, 10), st.sampled_from([0.5, 0.1, 0.9]),
       st.sampled_from([1e-4, 0.3]))
def test_armijo_accepts_the_first_trial_that_decreases_enough(case, alpha0, shrink, c1):
    a, c, x = case
    f, g = quadratic(a, c)
    fx, gx = f(x), g(x)
    p = -gx
    res = ls.armijo(f, x, fx, gx, p, alpha0=alpha0, c1=c1, shrink=shrink, maxls=60)
    slope = float(gx @ p)
    if slope >= 0:
        assert res.status == ls.NOT_DESCENT and res.nfev == 0
        return
    # brute force over the trial sequence
    alphas = [alpha0 * shrink**j for j in range(60)]
    ok = [f(x + al * p) <= fx + c1 * al * slope for al in alphas]
    if any(ok):
        j = ok.index(True)
        assert res.status == ls.ACCEPTED
        assert res.alpha == alphas[j] and res.ntrials == j + 1 == res.nfev
        assert res.fx == f(x + alphas[j] * p) <= fx
    else:
        assert res.status == ls.MAX_TRIALS and res.alpha == 0.0


def test_armijo_reports_not_descent_and_exhaustion():
    f, g = quadratic([1.0], np.array([0.0]))
    x = np.array([1.0])
    res = ls.armijo(f, x, f(x), g(x), g(x))  # uphill
    assert res.status == ls.NOT_DESCENT and res.x is x
    calls = []

    def nan_f(z):
        calls.append(z)
        return float("nan")

    res = ls.armijo(nan_f, x, 0.5, g(x), -g(x), maxls=7)
    assert res.status == ls.MAX_TRIALS and res.nfev == 7 == len(calls)
    assert res.x is x and res.fx == 0.5


@pytest.mark.parametrize("kw, name", [({"c1": 0}, "c1"), ({"c1": 1}, "c1"),
                                      ({"shrink": 1.0}, "shrink"), ({"shrink": 0}, "shrink"),
                                      ({"maxls": 0}, "maxls"), ({"maxls": 2.5}, "maxls")])
def test_armijo_bad_parameters(kw, name):
    f, g = quadratic([1.0], np.array([0.0]))
    x = np.array([1.0])
    with pytest.raises(ValueError, match=name):
        ls.armijo(f, x, f(x), g(x), -g(x), **kw)


@given(quadratic_case(), st.sampled_from(QPS), st.floats(1e-3, 10),
       st.sampled_from([0.5, 0.25]))
def test_quantized_armijo_trial_points_on_grid_and_first_acceptable(case, qp, alpha0, shrink):
    a, c, x = case
    f, g = quadratic(a, c)
    codes = to_codes(x, qp)
    xq = from_codes(codes, qp)
    fx, gx = f(xq), g(xq)
    seen = []

    def f_rec(z):
        # every trial point the search evaluates is exactly a grid point
        k = np.array([math.floor(Fraction(qp) * Fraction(float(v)) + Fraction(1, 2)) for v in z])
        assert np.array_equal(from_codes(k, qp), z)
        seen.append(z.copy())
        return f(z)

    maxls = 40
    res = ls.quantized_armijo(f_rec, codes, qp, fx, gx, -gx, alpha0=alpha0, shrink=shrink,
                              maxls=maxls)
    assert res.ntrials <= maxls and res.nfev == len(seen)
    assert res.codes.dtype == np.int64 and np.array_equal(from_codes(res.codes, qp), res.x)
    if not float(gx @ -gx) < 0:  # zero gradient: no descent direction to search along
        assert res.status == ls.NOT_DESCENT and res.nfev == 0
        return
    # brute force: replay the trial sequence
    for j in range(maxls):
        d = to_codes(alpha0 * shrink**j * -gx, qp)
        if not d.any():
            assert res.status == ls.STEP_QUANTIZED_TO_ZERO and res.ntrials == j + 1
            assert np.array_equal(res.codes, codes) and res.fx == fx
            return
        delta = from_codes(d, qp)
        slope = float(gx @ delta)
        trial = from_codes(codes + d, qp)
        if slope < 0 and f(trial) <= fx + 1e-4 * slope:
            assert res.status == ls.ACCEPTED and res.ntrials == j + 1
            assert np.array_equal(res.codes, codes + d)
            assert res.fx <= fx + 1e-4 * slope < fx  # f strictly decreases on acceptance
            return
    assert res.status == ls.MAX_TRIALS


def test_quantized_armijo_step_below_half_spacing_is_lost():
    # |alpha p| < 1/(2 qp) in every component: the step rounds to zero at once
    f, g = quadratic([1.0, 1.0], np.array([0.0, 0.0]))
    qp = 10
    codes = np.array([3, -2])
    x = from_codes(codes, qp)
    p = np.array([-0.049, 0.049])  # less than half of 1/10
    res = ls.quantized_armijo(f, codes, qp, f(x), g(x), p, alpha0=1.0)
    assert res.status == ls.STEP_QUANTIZED_TO_ZERO and res.nfev == 0 and res.ntrials == 1


def test_quantized_armijo_codes_not_modified():
    f, g = quadratic([1.0, 4.0], np.array([0.3, -0.2]))
    codes = np.array([10, 10])
    before = codes.copy()
    x = from_codes(codes, 4)
    res = ls.quantized_armijo(f, codes, 4, f(x), g(x), -g(x))
    assert res.status == ls.ACCEPTED
    assert np.array_equal(codes, before) and res.codes is not codes


def test_add_codes_refuses_huge_steps():
    with pytest.raises(OverflowError, match="2\\*\\*53"):
        ls.add_codes(np.array([0]), np.array([2**60]))
    assert ls.add_codes(np.array([2**52]), np.array([2**52])).tolist() == [2**53]


# ---------------------------------------------------------------------------------- wolfe --
def rosen(x):
    return float(100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2)


def rosen_g(x):
    return np.array([-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)])


@given(st.lists(st.floats(-2, 2), min_size=2, max_size=2), st.floats(1e-4, 10),
       st.sampled_from([(1e-4, 0.9), (1e-4, 0.1), (0.3, 0.5)]),
       st.sampled_from(["grad", "scaled", "newton-like"]))
def test_wolfe_accepts_only_strong_wolfe_points(x, alpha0, cs, kind):
    c1, c2 = cs
    x = np.array(x)
    g = rosen_g(x)
    p = {"grad": -g, "scaled": -g / max(1.0, np.linalg.norm(g)),
         "newton-like": -g / (1.0 + 400 * x[0] ** 2)}[kind]
    res = ls.wolfe(rosen, rosen_g, x, rosen(x), g, p, alpha0=alpha0, c1=c1, c2=c2, maxls=50)
    dphi0 = float(g @ p)
    if not dphi0 < 0:
        assert res.status == ls.NOT_DESCENT
        return
    if res.status != ls.ACCEPTED:
        assert res.status == ls.MAX_TRIALS and res.nfev == 50
        return
    a = res.alpha
    z = x + a * p
    np.testing.assert_array_equal(res.x, z)
    assert res.fx == rosen(z) and np.array_equal(res.g, rosen_g(z))
    # the strong Wolfe conditions, re-evaluated here
    assert rosen(z) <= rosen(x) + c1 * a * dphi0
    assert abs(float(rosen_g(z) @ p)) <= c2 * abs(dphi0)
    # hence the curvature condition of BFGS
    assert float((rosen_g(z) - g) @ (z - x)) > 0


def test_wolfe_lengthens_a_short_first_step_and_counts_calls():
    f, g = quadratic([1.0], np.array([10.0]))
    x = np.array([0.0])
    calls = {"f": 0, "g": 0}

    def fc(z):
        calls["f"] += 1
        return f(z)

    def gc(z):
        calls["g"] += 1
        return g(z)

    res = ls.wolfe(fc, gc, x, f(x), g(x), -g(x), alpha0=1e-3, c2=0.1)
    assert res.status == ls.ACCEPTED and res.alpha > 1e-3  # Armijo could only shrink
    assert res.nfev == calls["f"] and res.njev == calls["g"]


def test_wolfe_parameters_and_not_descent():
    f, g = quadratic([1.0], np.array([0.0]))
    x = np.array([1.0])
    with pytest.raises(ValueError, match="c2"):
        ls.wolfe(f, g, x, f(x), g(x), -g(x), c1=0.5, c2=0.4)
    res = ls.wolfe(f, g, x, f(x), g(x), g(x))
    assert res.status == ls.NOT_DESCENT and res.nfev == 0


@given(st.floats(-5, 5), st.floats(0.1, 5), st.floats(-3, 3), st.floats(0.05, 4),
       st.floats(-4, 4).filter(lambda c: abs(c) > 1e-2))
def test_cubic_interpolants_recover_a_cubic_minimizer(t0, k, e, lo_off, c_off):
    """phi(t) = k (t - t0)^3 / 3 - k e^2 (t - t0) has its local minimizer at t0 + |e| (phi' =
    k ((t - t0)^2 - e^2), phi'' > 0 there). Both interpolants are exact for a cubic: from
    value and slope at two points, and from value and slope at one point and values at two
    more. Oracle: the closed form."""
    assume(abs(e) > 1e-2)
    phi = lambda t: k * (t - t0) ** 3 / 3 - k * e * e * (t - t0)  # noqa: E731
    dphi = lambda t: k * ((t - t0) ** 2 - e * e)  # noqa: E731
    a, b = t0 - lo_off, t0 + abs(e) + lo_off
    c = a + c_off
    assume(abs(c - a) > 1e-2 and abs(c - b) > 1e-2)
    expected = t0 + abs(e)
    got = ls._cubic_min(a, phi(a), dphi(a), b, phi(b), dphi(b))
    assert got == pytest.approx(expected, rel=1e-6, abs=1e-6)
    got3 = ls._cubic3_min(a, phi(a), dphi(a), b, phi(b), c, phi(c))
    assert got3 == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_zoom_interpolation_is_exact_on_a_quadratic():
    """f(x) = (x - 10)^2 / 2 from 0 along p = 10: phi(a) = 50 (a - 1)^2, minimizer a = 1. A first
    trial a = 5 fails Armijo; the cubic through phi, phi' at 0 and 5 is phi itself, so the
    second trial is a = 1 exactly, where phi' = 0: 2 calls of f, 2 of grad (the slope at the
    rejected trial is evaluated, as in Moré-Thuente's dcsrch)."""
    f, g = quadratic([1.0], np.array([10.0]))
    x = np.array([0.0])
    res = ls.wolfe(f, g, x, f(x), g(x), -g(x), alpha0=5.0)
    assert res.status == ls.ACCEPTED and res.alpha == 1.0
    assert (res.nfev, res.njev) == (2, 2) and res.x[0] == 10.0


def test_wolfe_extrapolates_by_at_most_four_intervals():
    """A trial that is too short moves to a in [a + 1.1 (a - prev), a + 4 (a - prev)]
    (Moré-Thuente's bounds): from 1e-3 on phi(a) = 50 (a - 1)^2 every trial is recorded."""
    f, g = quadratic([1.0], np.array([10.0]))
    trials = []

    def fc(z):
        trials.append(z[0] / 10.0)
        return f(z)

    x = np.array([0.0])
    res = ls.wolfe(fc, g, x, f(x), g(x), -g(x), alpha0=1e-3, c2=0.1)
    assert res.status == ls.ACCEPTED
    prev = 0.0
    for a, b in zip(trials, trials[1:]):
        if b > a:  # extrapolation steps
            assert a + 1.1 * (a - prev) * (1 - 1e-12) <= b <= a + 4 * (a - prev) * (1 + 1e-12)
            prev = a


def test_wolfe_stops_when_rounding_leaves_no_step_between_the_bracket_ends():
    """phi(a) = -a for a <= 1/2, then -1/2, while the reported slope is -1 everywhere (as for a
    function flat to rounding error): sufficient decrease holds at a = 1, the curvature test
    never does, and every trial past 1 has phi = phi(1). The bracket [1, hi] shrinks until no
    float lies strictly inside; the search must say so (ROUNDING) well before maxls, accept
    nothing, and leave x unchanged."""
    x = np.array([0.0])

    def f(z):
        return float(-min(z[0], 0.5))

    def g(z):
        return np.array([-1.0])

    res = ls.wolfe(f, g, x, f(x), g(x), np.array([1.0]), alpha0=1.0, maxls=5000)
    assert res.status == ls.ROUNDING and res.nfev < 5000
    assert res.alpha == 0.0 and res.x is x and res.fx == 0.0
    assert res.nfev == res.njev  # the slope is evaluated at every trial with finite phi
