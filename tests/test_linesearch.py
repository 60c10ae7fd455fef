"""Armijo backtracking and the quantized Armijo search on the grid (1/qp)Z^n.

Oracles: the Armijo condition re-evaluated here for every trial step (brute force over the
trial sequence), and exact Fraction arithmetic for grid membership.
"""
import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from mt_functions import mt_paper_functions

from quantopt import from_codes
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
                                      ({"maxls": 0}, "maxls")])
def test_armijo_bad_parameters(kw, name):
    f, g = quadratic([1.0], np.array([0.0]))
    x = np.array([1.0])
    with pytest.raises(ValueError, match=name):
        ls.armijo(f, x, f(x), g(x), -g(x), **kw)


# issue 15 item 12: a wrong type is a TypeError naming the parameter (it was "'<' not supported"
# or "truth value ... ambiguous")
@pytest.mark.parametrize("kw, name", [({"maxls": 2.5}, "maxls"), ({"c1": "a"}, "c1"),
                                      ({"alpha0": None}, "alpha0"),
                                      ({"c1": np.array([0.1, 0.2])}, "c1")])
def test_armijo_parameters_of_a_wrong_type(kw, name):
    f, g = quadratic([1.0], np.array([0.0]))
    x = np.array([1.0])
    with pytest.raises(TypeError, match=name):
        ls.armijo(f, x, f(x), g(x), -g(x), **kw)


def fcode(v: float, qp) -> int:
    """floor(qp·v + 1/2) of the float's exact value (the oracle for every code below)."""
    return math.floor(Fraction(qp) * Fraction(float(v)) + Fraction(1, 2))


def fvalue(k, qp) -> np.ndarray:
    """The floats nearest to k/qp, by Fraction arithmetic."""
    return np.array([float(Fraction(int(c)) / Fraction(qp)) for c in k])


def oracle_offsets(g, mode):
    """The poll order as documented, written out by brute force: coordinates by decreasing
    |g_i| (ties: lower i), -sign(g_i) first (+ first where g_i = 0); the full box by increasing
    g.e, ties in lexicographic order of e."""
    n = len(g)
    if mode == "coordinates":
        out = []
        for i in sorted(range(n), key=lambda i: (-abs(g[i]), i)):
            first = -1 if g[i] > 0 else 1
            for s in (first, -first):
                e = [0] * n
                e[i] = s
                out.append(e)
        return out
    box = [list(e) for e in itertools.product([-1, 0, 1], repeat=n) if any(e)]
    return sorted(box, key=lambda e: (float(np.dot(g, e)), e))


def replay_quantized_armijo(f, codes, qp, fx, g, p, alpha0, shrink, maxls, c1, poll):
    """The search of quantized_armijo's docstring, step by step: (status, codes, points)."""
    evaluated = {}
    tried = []

    def trial(d):
        if d in tried:
            return None
        tried.append(d)
        slope = float(g @ np.array(d, dtype=float)) / float(qp)  # (grad.d)/qp, as documented
        if not slope < 0:
            return None
        k = tuple(c + e for c, e in zip(codes, d))
        if k not in evaluated:
            evaluated[k] = f(fvalue(k, qp))
        return k if evaluated[k] <= fx + c1 * slope else None

    for j in range(maxls):
        d = [fcode(v, qp) for v in alpha0 * shrink**j * p]
        if not any(d):
            break
        if (k := trial(d)) is not None:
            return ls.ACCEPTED, k, evaluated
    if tried:
        big = np.abs(p) == np.max(np.abs(p))
        if (k := trial([int(np.sign(v)) if b else 0 for v, b in zip(p, big)])) is not None:
            return ls.ACCEPTED, k, evaluated
    if poll is None:
        return ls.NOT_POLLED, tuple(codes), evaluated
    for e in oracle_offsets(g, poll):
        k = tuple(c + s for c, s in zip(codes, e))
        if k not in evaluated:
            evaluated[k] = f(fvalue(k, qp))
        if evaluated[k] < fx:
            return ls.POLLED, k, evaluated
    return ls.GRID_LOCAL_MIN, tuple(codes), evaluated


@given(quadratic_case(), st.sampled_from(QPS), st.floats(1e-3, 10),
       st.sampled_from([0.5, 0.25]), st.sampled_from(["coordinates", "full", None]),
       st.integers(1, 40))
@example((np.array([1.0, 1.0]), np.array([0.0, 0.0]), np.array([0.3, -0.2])), 10, 1.0, 0.5,
         "coordinates", 30)  # x already at the grid point nearest the minimizer: certified
def test_quantized_armijo_replayed_step_by_step(case, qp, alpha0, shrink, poll, maxls):
    """Every documented rule at once, against a replay written from the docstring: the trial
    sequence, duplicates skipped, the unit step, the poll order, the statuses, nfev = distinct
    points evaluated, and every evaluated point exactly on the grid and evaluated once."""
    a, c, x = case
    f, g = quadratic(a, c)
    codes = np.array([fcode(v, qp) for v in x], dtype=np.int64)
    xq = fvalue(codes, qp)
    fx, gx = f(xq), g(xq)
    calls = []

    def f_rec(z):
        k = tuple(fcode(v, qp) for v in z)
        assert np.array_equal(fvalue(k, qp), z)  # exactly a grid point
        calls.append(k)
        return f(z)

    res = ls.quantized_armijo(f_rec, codes, qp, fx, gx, -gx, alpha0=alpha0, shrink=shrink,
                              maxls=maxls, poll=poll)
    assert len(calls) == len(set(calls)) == res.nfev  # no point evaluated twice
    assert res.codes.dtype == np.int64 and np.array_equal(fvalue(res.codes, qp), res.x)
    if not float(gx @ -gx) < 0:  # zero gradient: no descent direction to search along
        assert res.status == ls.NOT_DESCENT and res.nfev == 0
        return
    status, k, evaluated = replay_quantized_armijo(f, codes.tolist(), qp, fx, gx, -gx, alpha0,
                                                   shrink, maxls, 1e-4, poll)
    assert res.status == status
    assert tuple(res.codes.tolist()) == k
    assert set(calls) == set(evaluated)
    assert res.fx == (fx if status in (ls.NOT_POLLED, ls.GRID_LOCAL_MIN) else evaluated[k])
    if status == ls.ACCEPTED or status == ls.POLLED:
        assert res.fx < fx  # f strictly decreases whenever x moves


@given(quadratic_case(n_max=3), st.sampled_from([4, 10, 3, 0.5]),
       st.sampled_from(["coordinates", "full"]))
def test_grid_local_min_certificate_by_brute_force(case, qp, poll):
    """GRID_LOCAL_MIN is returned exactly when no neighbour (the 2n coordinate ones, or the
    whole box) has lower f: checked here on every neighbour, by integer codes."""
    a, c, x = case
    f, g = quadratic(a, c)
    codes = np.array([fcode(v, qp) for v in x], dtype=np.int64)
    xq = fvalue(codes, qp)
    res = ls.poll_neighbours(f, codes, qp, f(xq), g(xq), mode=poll)
    n = len(x)
    if poll == "coordinates":
        offsets = [e for i in range(n) for e in ([0] * i + [1] + [0] * (n - i - 1),
                                                 [0] * i + [-1] + [0] * (n - i - 1))]
    else:
        offsets = [e for e in itertools.product([-1, 0, 1], repeat=n) if any(e)]
    lower = [e for e in offsets if f(fvalue(codes + np.array(e), qp)) < f(xq)]
    assert (res.status == ls.GRID_LOCAL_MIN) == (not lower)
    if lower:
        assert res.status == ls.POLLED and res.fx < f(xq)
        assert tuple((res.codes - codes).tolist()) in {tuple(e) for e in lower}
    else:
        assert res.nfev == len(offsets) and np.array_equal(res.codes, codes)


def test_quantized_armijo_first_trial_below_half_spacing_goes_to_the_poll():
    # |alpha p| < 1/(2 qp) in every component: no trial along p; the poll finds (2, -2)/10
    f, g = quadratic([1.0, 1.0], np.array([0.0, 0.0]))
    qp = 10
    codes = np.array([3, -2])
    x = from_codes(codes, qp)
    p = np.array([-0.049, 0.049])  # less than half of 1/10
    res = ls.quantized_armijo(f, codes, qp, f(x), g(x), p, alpha0=1.0)
    assert res.status == ls.POLLED and res.ntrials == 0 and res.nfev == 1
    assert res.codes.tolist() == [2, -2]  # |g_0| > |g_1|: coordinate 0 first, against g
    res = ls.quantized_armijo(f, codes, qp, f(x), g(x), p, alpha0=1.0, poll=None)
    assert res.status == ls.NOT_POLLED and res.nfev == 0 and np.array_equal(res.codes, codes)


def test_quantized_armijo_codes_not_modified():
    f, g = quadratic([1.0, 4.0], np.array([0.3, -0.2]))
    codes = np.array([10, 10])
    before = codes.copy()
    x = from_codes(codes, 4)
    res = ls.quantized_armijo(f, codes, 4, f(x), g(x), -g(x))
    assert res.status == ls.ACCEPTED
    assert np.array_equal(codes, before) and res.codes is not codes


def test_poll_argument_is_checked():
    f, g = quadratic([1.0, 4.0], np.array([0.3, -0.2]))
    codes = np.array([10, 10])
    x = from_codes(codes, 4)
    with pytest.raises(ValueError, match="poll"):
        ls.quantized_armijo(f, codes, 4, f(x), g(x), -g(x), poll="diagonal")
    big = np.zeros(11, dtype=np.int64)
    with pytest.raises(ValueError, match="poll='full'.*n <= 10"):
        ls.quantized_armijo(lambda z: 0.0, big, 4, 0.0, np.ones(11), -np.ones(11), poll="full")


# ---------------------------------------------------------------------------------- wolfe --
FAILURES = (ls.MAX_TRIALS, ls.ROUNDING, ls.XTOL, ls.STPMAX)


def rosen(x):
    return float(100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2)


def rosen_g(x):
    return np.array([-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)])


def check_result(res, f, g, x, fx, gx, p, c1, c2, maxls):
    """The documented guarantees: an ACCEPTED step satisfies the strong Wolfe conditions
    (re-evaluated here) and returns f, grad there; a failure returns the start (alpha 0) or a
    trial point with f below fx, with f and grad re-evaluated here (which trial: see
    tests/test_wolfe_fallback.py); f and grad are evaluated together, never more than maxls
    times."""
    dphi0 = float(gx @ p)
    assert res.nfev == res.njev == res.ntrials <= maxls
    if res.status != ls.ACCEPTED:
        assert res.status in FAILURES
        if res.alpha == 0.0:
            assert res.x is x and res.fx == fx and res.g is gx
        else:
            z = x + res.alpha * p
            np.testing.assert_array_equal(res.x, z)
            assert res.fx == f(z) < fx and np.array_equal(res.g, g(z))
        return
    a = res.alpha
    z = x + a * p
    np.testing.assert_array_equal(res.x, z)
    assert res.fx == f(z) and np.array_equal(res.g, g(z))
    assert f(z) <= fx + c1 * a * dphi0
    assert abs(float(g(z) @ p)) <= c2 * abs(dphi0)
    # hence the curvature condition of BFGS
    assert float((g(z) - gx) @ (z - x)) > 0


@given(st.lists(st.floats(-2, 2), min_size=2, max_size=2), st.floats(1e-4, 10),
       st.sampled_from([(1e-4, 0.9), (1e-4, 0.1), (0.3, 0.5), (1e-3, 0.9)]),
       st.sampled_from(["grad", "scaled", "newton-like"]))
def test_wolfe_accepts_only_strong_wolfe_points(x, alpha0, cs, kind):
    c1, c2 = cs
    x = np.array(x)
    g = rosen_g(x)
    p = {"grad": -g, "scaled": -g / max(1.0, np.linalg.norm(g)),
         "newton-like": -g / (1.0 + 400 * x[0] ** 2)}[kind]
    res = ls.wolfe(rosen, rosen_g, x, rosen(x), g, p, alpha0=alpha0, c1=c1, c2=c2, maxls=50)
    if not float(g @ p) < 0:
        assert res.status == ls.NOT_DESCENT and res.nfev == 0
        return
    check_result(res, rosen, rosen_g, x, rosen(x), g, p, c1, c2, 50)


def smooth_1d(coef):
    """f(z) = a z^2 + b z^4 + sum_k c_k sin(w_k z + s_k): smooth, bounded below for a, b > 0."""
    a, b, terms = coef

    def f(z):
        t = float(z[0])
        return a * t * t + b * t ** 4 + sum(c * math.sin(w * t + s) for c, w, s in terms)

    def g(z):
        t = float(z[0])
        return np.array([2 * a * t + 4 * b * t ** 3
                         + sum(c * w * math.cos(w * t + s) for c, w, s in terms)])

    return f, g


smooth_coefs = st.tuples(st.floats(0.01, 10), st.floats(0, 1),
                         st.lists(st.tuples(st.floats(-3, 3), st.floats(0.1, 20),
                                            st.floats(-3, 3)), max_size=3))


@given(smooth_coefs, st.floats(-5, 5), st.floats(1e-3, 10).map(lambda v: 10 ** (v / 5 - 1)),
       st.sampled_from([(1e-4, 0.9), (1e-4, 0.1), (1e-3, 0.9), (0.3, 0.5)]),
       st.integers(1, 40))
def test_wolfe_strong_wolfe_on_random_smooth_functions(coef, x0, alpha0, cs, maxls):
    f, g = smooth_1d(coef)
    c1, c2 = cs
    x = np.array([x0])
    gx = g(x)
    p = -np.sign(gx) * np.maximum(1.0, np.abs(gx))
    assume(float(gx @ p) < 0)
    calls = []

    def fc(z):
        calls.append("f")
        return f(z)

    def gc(z):
        calls.append("g")
        return g(z)

    res = ls.wolfe(fc, gc, x, f(x), gx, p, alpha0=alpha0, c1=c1, c2=c2, maxls=maxls)
    assert calls == ["f", "g"] * res.nfev  # f and grad together at every trial, <= maxls
    check_result(res, f, g, x, f(x), gx, p, c1, c2, maxls)


def _dcsrch_reference(phi, dphi, alpha0, c1, c2, maxls):
    """scipy's port of MINPACK-2 dcsrch (an independent implementation): the accepted step
    and the number of trials, or None when it ends with a warning or runs out of trials."""
    from scipy.optimize._dcsrch import DCSRCH

    calls = []

    def phi_c(a):
        calls.append(a)
        return phi(a)

    search = DCSRCH(phi_c, dphi, ftol=c1, gtol=c2, xtol=0.1, stpmin=0.0, stpmax=1e10)
    stp, _, _, task = search(alpha0, phi0=phi(0.0), derphi0=dphi(0.0), maxiter=maxls + 1)
    if stp is None or not task.startswith(b"CONV"):
        return None, len(calls)
    return stp, len(calls)


@given(smooth_coefs, st.floats(-5, 5), st.floats(0, 10).map(lambda v: 10 ** (v / 5 - 1)),
       st.sampled_from([(1e-4, 0.9), (1e-3, 0.9), (1e-4, 0.1), (0.3, 0.5)]))
def test_wolfe_agrees_with_scipy_dcsrch(coef, x0, alpha0, cs):
    """Same constants as L-BFGS-B: the same trial sequence, hence the same accepted step after
    the same number of trials; where dcsrch ends with a warning, this search fails too (one
    trial earlier at most: it does not re-evaluate the best step)."""
    f, g = smooth_1d(coef)
    c1, c2 = cs
    x = np.array([x0])
    gx = g(x)
    p = -np.sign(gx)
    assume(float(gx @ p) < 0)
    phi = lambda a: f(x + a * p)  # noqa: E731
    dphi = lambda a: float(g(x + a * p) @ p)  # noqa: E731
    ref, nref = _dcsrch_reference(phi, dphi, alpha0, c1, c2, 30)
    res = ls.wolfe(f, g, x, f(x), gx, p, alpha0=alpha0, c1=c1, c2=c2, maxls=30)
    if ref is None:
        assert res.status in FAILURES and nref - 1 <= res.nfev <= nref
    else:
        assert res.status == ls.ACCEPTED and res.nfev == nref
        assert res.alpha == pytest.approx(ref, rel=1e-12)




@pytest.mark.parametrize("name", sorted(mt_paper_functions()))
@pytest.mark.parametrize("alpha0", [1e-3, 1e-1, 1e1, 1e3])
def test_wolfe_matches_scipy_dcsrch_on_the_more_thuente_functions(name, alpha0):
    """The functions of the paper's section 5 from its starting steps 1e-3 .. 1e3: the same
    outcome as scipy's DCSRCH (the ported MINPACK-2): the same accepted step after the same
    number of trials, or (MT2, MT3, whose minimizers need a narrower bracket than xtol = 0.1
    allows) an XTOL failure one trial earlier than dcsrch's warning (no re-evaluation)."""
    fun, c1, c2 = mt_paper_functions()[name]
    phi = lambda a: fun(a)[0]  # noqa: E731
    dphi = lambda a: fun(a)[1]  # noqa: E731
    ref, nref = _dcsrch_reference(phi, dphi, alpha0, c1, c2, 30)
    x, p = np.array([0.0]), np.array([1.0])
    res = ls.wolfe(lambda z: phi(float(z[0])), lambda z: np.array([dphi(float(z[0]))]),
                   x, phi(0.0), np.array([dphi(0.0)]), p, alpha0=alpha0, c1=c1, c2=c2, maxls=30)
    if ref is None:
        assert name in ("MT2", "MT3") and res.status == ls.XTOL and res.nfev == nref - 1
    else:
        assert res.status == ls.ACCEPTED and res.nfev == nref
        assert res.alpha == pytest.approx(ref, rel=1e-12)
    if name == "MT1":  # the paper's Table 1: trials and final step
        expected = {1e-3: (6, 1.4), 1e-1: (3, 1.4), 1e1: (1, 10), 1e3: (4, 37)}[alpha0]
        assert res.nfev == expected[0] and round(res.alpha, 1 if res.alpha < 10 else 0) == \
            pytest.approx(expected[1])


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
    for bad in (0.0, -1.0, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="alpha0"):
            ls.wolfe(f, g, x, f(x), g(x), -g(x), alpha0=bad)
    res = ls.wolfe(f, g, x, f(x), g(x), g(x))
    assert res.status == ls.NOT_DESCENT and res.nfev == 0


# closed forms for dcstep's interpolants
def cubic_min_closed_form(k, t0, e):
    """phi(t) = k (t - t0)^3 / 3 - k e^2 (t - t0): phi' = k ((t - t0)^2 - e^2), local
    minimizer t0 + |e| (phi'' = 2 k |e| > 0 there)."""
    phi = lambda t: k * (t - t0) ** 3 / 3 - k * e * e * (t - t0)  # noqa: E731
    dphi = lambda t: k * ((t - t0) ** 2 - e * e)  # noqa: E731
    return phi, dphi, t0 + abs(e)


def quad_min(a, fa, da, b, fb):
    """Minimizer of the quadratic with value fa, slope da at a and value fb at b (closed form:
    q(t) = fa + da (t - a) + A (t - a)^2, A = (fb - fa - da (b - a)) / (b - a)^2)."""
    A = (fb - fa - da * (b - a)) / (b - a) ** 2
    return a - da / (2 * A)


@given(st.floats(-5, 5), st.floats(0.1, 5), st.floats(0.05, 3), st.floats(0.05, 4),
       st.floats(0.05, 4))
def test_dcstep_case1_higher_value_cubic_or_mean_with_quadratic(t0, k, e, left, right):
    """fp > fx: bracketed; the cubic through (fx, dx, fp, dp) is the function itself, so its
    step is the exact minimizer; the quadratic uses fx, dx, fp; dcstep takes the cubic step if
    nearer stx, else the mean of the two."""
    phi, dphi, m = cubic_min_closed_form(k, t0, e)
    stx, stp = m - left, m + right
    fx, dx, fp, dp = phi(stx), dphi(stx), phi(stp), dphi(stp)
    assume(fp > fx and dx < 0)
    c, q = m, quad_min(stx, fx, dx, stp, fp)
    expected = c if abs(c - stx) <= abs(q - stx) else (c + q) / 2
    out = ls._dcstep(stx, fx, dx, 0.0, 0.0, 0.0, stp, fp, dp, False, 0.0, 1e10)
    assert out[:6] == (stx, fx, dx, stp, fp, dp) and out[7] is True
    assert out[6] == pytest.approx(expected, rel=1e-7, abs=1e-7)


@given(st.floats(-5, 5), st.floats(0.1, 5), st.floats(0.05, 3), st.floats(0.05, 1.5),
       st.floats(0.05, 0.7))
def test_dcstep_case2_opposite_slopes_cubic_or_secant(t0, k, e, u, frac):
    """fp <= fx and dp dx < 0: bracketed; the cubic step (exact minimizer) if farther from stp
    than the secant step stp - dp (stp - stx)/(dp - dx), else the secant step; stx <- stp,
    sty <- stx."""
    phi, dphi, m = cubic_min_closed_form(k, t0, e)
    stx, stp = m - u * e, m + frac * u * e  # dx < 0 < dp; phi(stp) < phi(stx) mostly
    fx, dx, fp, dp = phi(stx), dphi(stx), phi(stp), dphi(stp)
    assume(fp <= fx and dx < 0 < dp)
    secant = stp - dp * (stp - stx) / (dp - dx)
    expected = m if abs(m - stp) > abs(secant - stp) else secant
    out = ls._dcstep(stx, fx, dx, 0.0, 0.0, 0.0, stp, fp, dp, False, 0.0, 1e10)
    assert out[:6] == (stp, fp, dp, stx, fx, dx) and out[7] is True
    assert out[6] == pytest.approx(expected, rel=1e-7, abs=1e-7)


@given(st.floats(0.1, 10), st.floats(1, 20), st.floats(0.01, 0.9))
def test_dcstep_on_a_quadratic_steps_to_its_minimizer(k, m, frac):
    """phi(t) = k (t - m)^2: every interpolant (cubic, quadratic, secant) is exact, so from a
    trial past m (case 1 or 2) dcstep returns m."""
    phi = lambda t: k * (t - m) ** 2  # noqa: E731
    dphi = lambda t: 2 * k * (t - m)  # noqa: E731
    stp = m * (1 + 2 * frac)  # past the minimizer (slope > 0); phi(stp) > phi(0) iff frac > .5
    out = ls._dcstep(0.0, phi(0.0), dphi(0.0), 0.0, phi(0.0), dphi(0.0), stp, phi(stp),
                     dphi(stp), False, 0.0, 1e10)
    assert out[6] == pytest.approx(m, rel=1e-12) and out[7] is True


def test_dcstep_unbracketed_extrapolation_stays_in_bounds():
    """Lower value, same slope sign: case 3 (|dp| < |dx|) gives a step in [stpmin, stpmax];
    case 4 (|dp| >= |dx|, not bracketed) goes to stpmax. Oracle: the bounds passed in."""
    # phi(t) = -t + t^2 / 20 (slope -1 + t/10): at 0 slope -1, at 1 slope -0.9 -> case 3
    out = ls._dcstep(0.0, 0.0, -1.0, 0.0, 0.0, -1.0, 1.0, -0.95, -0.9, False, 2.1, 5.0)
    assert 2.1 <= out[6] <= 5.0 and out[7] is False and out[:3] == (1.0, -0.95, -0.9)
    # phi(t) = -t - t^2 (slope more negative further on) -> case 4: stpmax
    out = ls._dcstep(0.0, 0.0, -1.0, 0.0, 0.0, -1.0, 1.0, -2.0, -3.0, False, 2.1, 5.0)
    assert out[6] == 5.0 and out[7] is False


def test_wolfe_exact_on_a_quadratic_after_one_rejected_trial():
    """f(x) = (x - 10)^2 / 2 from 0 along p = 10: phi(a) = 50 (a - 1)^2, minimizer a = 1. A first
    trial a = 5 fails Armijo; dcstep's cubic and quadratic through phi, phi' at 0 and 5 are
    exact, so the second trial is a = 1, where phi' = 0: 2 calls of f and of grad."""
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


def test_wolfe_unbounded_direction_reaches_stpmax():
    """phi(a) = -a: slope -1 everywhere, so dcstep's case 4 (not bracketed) asks for stpmax and
    the step is clipped to the upper extrapolation bound a + 4 (a - prev), until it is clipped
    to stpmax = 1e10, where the search stops with STPMAX. Oracle: that recurrence."""
    x = np.array([0.0])
    steps = []

    def f(z):
        steps.append(float(z[0]))
        return float(-z[0])

    res = ls.wolfe(f, lambda z: np.array([-1.0]), x, 0.0, np.array([-1.0]), np.array([1.0]),
                   maxls=30)
    expected, prev = [1.0], 0.0
    while expected[-1] < 1e10:
        a = expected[-1]
        expected.append(min(a + 4 * (a - prev), 1e10))
        prev = a
    assert steps == expected and len(steps) == 18
    assert res.status == ls.STPMAX and res.nfev == 18


def test_wolfe_backs_off_from_non_finite_values():
    """f = nan beyond z = 2 (minimizer of (z - 1)^2 at 1): from alpha0 = 8 the search halves
    towards 0 until f is finite, never evaluates at or beyond a step where f was nan again,
    and accepts a strong Wolfe step."""
    x = np.array([0.0])
    trials = []

    def f(z):
        trials.append(z[0])
        return float("nan") if z[0] > 2 else float((z[0] - 1) ** 2)

    def g(z):
        return np.array([float("nan") if z[0] > 2 else 2 * (z[0] - 1)])

    res = ls.wolfe(f, g, x, 1.0, np.array([-2.0]), np.array([1.0]), alpha0=8.0, c2=0.1)
    assert trials[:3] == [8.0, 4.0, 2.0]
    nan_at = min(t for t in trials if t > 2)
    assert all(t < nan_at for t in trials[trials.index(nan_at) + 1:])
    assert res.status == ls.ACCEPTED and abs(res.alpha - 1) <= 0.1


def test_wolfe_never_exceeds_maxls():
    """phi with phi' = -1 reported everywhere and phi constant past 1/2: never strong Wolfe;
    whatever status, at most maxls calls of f and of grad."""
    x = np.array([0.0])
    for maxls in (1, 2, 3, 7):
        calls = []

        def f(z):
            calls.append(1)
            return float(-min(z[0], 0.5))

        res = ls.wolfe(f, lambda z: np.array([-1.0]), x, 0.0, np.array([-1.0]),
                       np.array([1.0]), alpha0=1.0, maxls=maxls)
        assert res.status in FAILURES and len(calls) == res.nfev <= maxls


def test_wolfe_stops_when_the_bracket_collapses():
    """phi(a) = -a for a <= 1/2, then -1/2, while the reported slope is -1 everywhere (as for a
    function flat to rounding error): sufficient decrease holds at a = 1, the curvature test
    never does. The bracket shrinks until it is below xtol (relative) or holds no float: the
    search must say so well before maxls and accept nothing; it reports its best point, the
    first trial a = 1 (f = -1/2; later trials only tie with it), and leaves x unchanged."""
    x = np.array([0.0])

    def f(z):
        return float(-min(z[0], 0.5))

    def g(z):
        return np.array([-1.0])

    res = ls.wolfe(f, g, x, f(x), g(x), np.array([1.0]), alpha0=1.0, maxls=5000)
    assert res.status in (ls.ROUNDING, ls.XTOL) and res.nfev < 100
    assert res.alpha == 1.0 and res.x[0] == 1.0 and res.fx == -0.5 and x[0] == 0.0
    assert res.nfev == res.njev


def test_quantized_search_and_poll_keep_o_n_memory_at_large_n():
    """n = 10^5: thirty rejected trials and a poll keep no n-sized record per trial (the old
    search kept every trial's codes as bytes: 30 x 0.8 MB), and the coordinate poll builds no
    (2n, n) offset matrix; the first neighbour against the gradient is taken."""
    import tracemalloc
    n = 10**5
    qp = 2**10
    codes = np.zeros(n, dtype=np.int64)
    g = np.ones(n)
    g[7] = 2.0  # the largest |g_i|: the poll tries -e_7 first
    p = -np.ones(n)
    p[3] = -2.0  # the largest |p_i|: the search's last trial is the unit step -e_3

    def f(x):  # one grid unit costs 1000/qp^2 in the quadratic term: only -e_7 decreases f
        return 1000.0 * float(x @ x) + 3.0 * x[7]

    tracemalloc.start()
    try:
        res = ls.quantized_armijo(f, codes, qp, 0.0, g, p, alpha0=1.0, maxls=30)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert res.status == ls.POLLED and res.codes[7] == -1 and np.count_nonzero(res.codes) == 1
    assert peak < 12 * 8 * n  # a dozen arrays of n, whatever the number of trials
