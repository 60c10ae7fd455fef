"""quantopt.problems.mgh: the Moré-Garbow-Hillstrom problems against independent references.

Oracles:

* derivatives: quantopt.gradcheck (central differences of f and of each residual) and
  scipy.differentiate.jacobian (adaptive high-order differences of the residuals);
* f at the standard start: the printed output of two independent programs, hand-entered below.
  MINPACK's test drivers (Moré, Garbow & Hillstrom's own Fortran, run as shipped with cminpack:
  github.com/devernay/cminpack, examples/ref/lmddrv.fortran.ref and hybdrv.fortran.ref) print
  the initial L2 norm of the residuals, sqrt(f(x0)), to 8 significant digits; J. Burkardt's
  test_opt (github.com/johannesgerer/jburkardt-f, test_opt/test_opt_prb_output.txt) prints
  f(x0) to 6 (g format);
* f*: the values printed in the paper (J. J. Moré, B. S. Garbow, K. E. Hillstrom, "Testing
  unconstrained optimization software", ACM TOMS 7(1):17-41, 1981, section 3), hand-entered
  below, reproduced by minimizing with scipy.optimize.least_squares (MINPACK's
  Levenberg-Marquardt, not quantopt's code), and the final norms printed by MINPACK's lmder
  driver (a second, independent source for the same minima);
* exact minimizers: f and grad there, to the rounding of evaluating them.

A printed value v with its last digit in the place 10^e stands for the true value to within one
unit of that place, |true - v| <= 10^e: the paper truncates ("8.21487..." for 8.2148773e-3) or
rounds (5.65565e-3 for 5.6556499e-3); the programs round (half a unit).
"""
import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.differentiate
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st

from quantopt.gradcheck import check_grad, numeric_hess
from quantopt.problems import (
    MGH_PROBLEMS,
    LeastSquaresProblem,
    Problem,
    mgh,
    rosenbrock,
)

U = 2.0**-53
FEW = max(10, settings().max_examples // 4)  # per parametrized case: 50 under the ci profile

# Every problem at its defaults, and the other sizes the paper prints f* for.
CONFIGS = [(k, {}) for k in MGH_PROBLEMS] + [
    (6, {"m": 12}), (11, {"m": 3}), (11, {"m": 100}), (12, {"m": 20}), (16, {"m": 8}),
    (18, {"m": 7}), (20, {"n": 2}), (20, {"n": 9}), (20, {"n": 12}), (21, {"n": 2}),
    (22, {"n": 4}), (23, {"n": 1}), (23, {"n": 10}), (24, {"n": 1}), (24, {"n": 10}),
    (25, {"n": 1}), (26, {"n": 3}), (35, {"n": 1}), (35, {"n": 4, "m": 7}), (35, {"n": 9}),
    (35, {"n": 10}),
]
IDS = [f"{k}-{kw}" if kw else str(k) for k, kw in CONFIGS]


def digits_unit(printed: str) -> float:
    """10^e for the place of the last digit of a printed number ("124.362" -> 1e-3)."""
    mantissa, _, exponent = printed.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def near_start(p, data):
    """A point near x0: each coordinate within a quarter of (1 + |x0_j|) of it. The problems'
    singular sets (zero denominators of Bard, Kowalik-Osborne, Meyer; x1 = 0 in Gulf and the
    helical valley) are farther than that from x0."""
    width = 0.25 * (1 + np.abs(p.x0))
    delta = data.draw(st.lists(st.floats(-1, 1), min_size=p.n, max_size=p.n))
    return p.x0 + width * np.array(delta)


# ---------------------------------------------------------------------------------------------
# Derivatives
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("k, kw", CONFIGS, ids=IDS)
@given(data=st.data())
@settings(max_examples=FEW)
def test_gradient_and_jacobian_pass_the_gradient_check(k, kw, data):
    """Central differences with h = 1e-6 carry a round-off of about u |g| / h = 1.1e-10 |g|
    for g = f or r_i: atol = 1e-8 (1 + |g(x)|) leaves a factor 100; rtol 1e-5 covers the
    truncation h^2 g''' / 6 relative to the derivative."""
    p = mgh(k, **kw)
    for x in (p.x0, near_start(p, data)):
        f = float(p.f(x))
        assert check_grad(p.f, p.grad, x, atol=1e-8 * (1 + abs(f)), rtol=1e-5).ok
        r = p.residuals(x)
        for i in range(p.m):
            result = check_grad(lambda z, i=i: p.residuals(z)[i],
                                lambda z, i=i: p.jacobian(z)[i], x,
                                atol=1e-8 * (1 + abs(r[i])), rtol=1e-5)
            assert result.ok, (i, result.worst_index, result.max_abs_err)


@pytest.mark.parametrize("k, kw", CONFIGS, ids=IDS)
def test_jacobian_matches_scipy_differentiate(k, kw):
    """scipy.differentiate.jacobian differentiates the vectorized residuals (x of shape
    (n, ...)) with 8th-order differences and step refinement: typically 1e-11 relative to the
    row's largest entry, plus a round-off of u |r_i| / h for steps h >= 1e-5 (1e-11 |r_i|),
    which matters for Brown's r_1 = x1 - 1e6. Tolerance per row: 1e-7 (max_j |J_ij| + 1) plus
    1e-10 |r_i|."""
    p = mgh(k, **kw)
    rng = np.random.default_rng(k)
    for x in (p.x0, p.x0 + 0.1 * (1 + np.abs(p.x0)) * rng.uniform(-1, 1, p.n)):
        numeric = scipy.differentiate.jacobian(p.residuals, x).df
        r = p.residuals(x)
        row_tol = 1e-7 * (1 + np.abs(numeric).max(axis=1)) + 1e-10 * np.abs(r)
        assert np.all(np.abs(p.jacobian(x) - numeric) <= row_tol[:, None])
        assert np.all(np.abs(p.grad(x) - 2 * numeric.T @ r) <= 2 * np.abs(r) @ row_tol)


# ---------------------------------------------------------------------------------------------
# f at the standard start, against the printed output of independent programs
# ---------------------------------------------------------------------------------------------
# MINPACK lmder driver (lmddrv.fortran.ref), "initial l2 norm of the residuals", first start of
# each problem (factor 1 = the paper's x0). (k, kwargs, printed sqrt(f(x0))).
MINPACK_LMDER_NORM0 = [
    (1, {}, "4.9193496e+00"),                   # lmder problem 4, Rosenbrock
    (7, {}, "5.0000000e+01"),                   # 5, helical valley
    (13, {}, "1.4662878e+01"),                  # 6, Powell singular
    (2, {}, "2.0012496e+01"),                   # 7, Freudenstein and Roth
    (8, {}, "6.4561363e+00"),                   # 8, Bard
    (15, {}, "7.2891510e-02"),                  # 9, Kowalik and Osborne
    (10, {}, "4.1153467e+04"),                  # 10, Meyer
    (20, {"n": 6}, "5.4772256e+00"),            # 11, Watson (n = 6, 9, 12 alike: f(0) = 30)
    (20, {"n": 12}, "5.4772256e+00"),
    (12, {"m": 10}, "3.2111584e+01"),           # 12, Box 3-D
    (6, {"m": 10}, "6.4585650e+01"),            # 13, Jennrich and Sampson
    (16, {"m": 20}, "2.8154384e+03"),           # 14, Brown and Dennis
    (35, {"n": 1, "m": 8}, "1.8862380e+00"),    # 15, Chebyquad
    (35, {"n": 8}, "1.9651386e-01"),
    (35, {"n": 9}, "1.6994993e-01"),
    (35, {"n": 10}, "1.8374783e-01"),
    (17, {}, "9.3756402e-01"),                  # 17, Osborne 1
]
# MINPACK hybrd driver (hybdrv.fortran.ref), same quantity, for two problems lmder lacks.
MINPACK_HYBRD_NORM0 = [
    (3, {}, "1.0654866e+00"),                   # hybrd problem 3, Powell badly scaled
    (26, {"n": 10}, "8.4117534e-02"),           # 11, trigonometric
]
# Burkardt's test_opt, "F(X_START)", n = 4 for the variable-dimension problems. His start
# differs from the paper's for Box 3-D, (0, 10, 5), and Gulf, (40, 20, 1.2), where it is given.
BURKARDT_F0 = [
    (7, {}, None, "2500.00"),
    (18, {}, None, "0.779070"),
    (9, {}, None, "0.388811E-05"),
    (3, {}, None, "1.13526"),
    (12, {}, [0.0, 10.0, 5.0], "34.7325"),
    (25, {"n": 4}, None, "3222.19"),
    (20, {"n": 4}, None, "30.0000"),
    (23, {"n": 4}, None, "885.063"),
    (24, {"n": 4}, None, "2.34001"),
    (4, {}, None, "0.999998E+12"),
    (16, {}, None, "0.792669E+07"),
    (11, {"m": 99}, [40.0, 20.0, 1.2], "1.20538"),
    (26, {"n": 4}, None, "0.130531E-01"),
    (21, {"n": 4}, None, "48.4000"),
    (22, {"n": 4}, None, "215.000"),
    (5, {}, None, "14.2031"),
    (14, {}, None, "19192.0"),
    (35, {"n": 4}, None, "0.711839E-01"),
]


@pytest.mark.parametrize("k, kw, printed", MINPACK_LMDER_NORM0 + MINPACK_HYBRD_NORM0)
def test_initial_norm_matches_minpack(k, kw, printed):
    p = mgh(k, **kw)
    norm = math.sqrt(p.f(p.x0))
    assert abs(norm - float(printed)) <= 0.5 * digits_unit(printed) + 4 * U * norm
    assert np.linalg.norm(p.residuals(p.x0)) == pytest.approx(norm, rel=1e-15)


@pytest.mark.parametrize("k, kw, start, printed", BURKARDT_F0)
def test_initial_f_matches_burkardt(k, kw, start, printed):
    p = mgh(k, **kw)
    f0 = p.f(p.x0 if start is None else start)
    assert abs(f0 - float(printed)) <= 0.5 * digits_unit(printed) + 4 * U * f0


def test_hand_computed_values():
    """From the formulas by hand: Rosenbrock at x0, r = (10 (1 - 1.44), 2.2); the helical valley
    at x0 = (-1, 0, 0): theta = 1/2, r = (-50, 0, 0), and at (0, 2, 1), theta = 1/4 (x1 = 0,
    x2 > 0), r = (10 (1 - 2.5), 10, 1); Watson at 0: r_i = -1 (i <= 29), r_30 = 0, r_31 = -1;
    the variably dimensioned function at x0 for n = 4: x - 1 = (-1/4, -1/2, -3/4, -1),
    s = -7.5; Chebyquad n = 1 at 1/2: r_i = T_i(0) - int, T_1..T_4(0) = 0, -1, 0, 1."""
    np.testing.assert_allclose(mgh(1).residuals([-1.2, 1.0]), [-4.4, 2.2], rtol=1e-15)
    np.testing.assert_array_equal(mgh(7).residuals([-1.0, 0.0, 0.0]), [-50.0, 0.0, 0.0])
    np.testing.assert_allclose(mgh(7).residuals([0.0, 2.0, 1.0]), [-15.0, 10.0, 1.0],
                               rtol=1e-15)
    np.testing.assert_array_equal(mgh(20).residuals(np.zeros(6)), [-1.0] * 29 + [0.0, -1.0])
    np.testing.assert_allclose(mgh(25, n=4).residuals(mgh(25, n=4).x0),
                               [-0.25, -0.5, -0.75, -1.0, -7.5, 56.25], rtol=1e-15)
    np.testing.assert_allclose(mgh(35, n=1, m=4).residuals([0.5]),
                               [0.0, -1 + 1 / 3, 0.0, 1 + 1 / 15], rtol=1e-15, atol=1e-16)


# ---------------------------------------------------------------------------------------------
# f* and the local minima, against the paper
# ---------------------------------------------------------------------------------------------
# The paper's f* (section 3), hand-entered: (k, kwargs, printed f*, start for least_squares).
# Starts: x0, except where noted.
PAPER_F_STAR = [
    (6, {"m": 10}, "124.362", None),
    (8, {}, "8.21487e-3", None),
    (9, {}, "1.12793e-8", None),
    (10, {}, "87.9458", None),
    (15, {}, "3.07505e-4", None),
    (16, {"m": 20}, "85822.2", None),
    (17, {}, "5.46489e-5", None),
    (20, {"n": 6}, "2.28767e-3", None),
    (20, {"n": 9}, "1.39976e-6", None),
    (20, {"n": 12}, "4.72238e-10", None),
    (23, {"n": 4}, "2.24997e-5", None),
    (23, {"n": 10}, "7.08765e-5", None),
    (24, {"n": 4}, "9.37629e-6", None),
    (24, {"n": 10}, "2.93660e-4", None),
    (35, {"n": 8}, "3.51687e-3", None),
    (35, {"n": 10}, "6.50395e-3", None),
]
# f* = 0 for every n and m where the paper prints "f = 0" (with or without a minimizer).
PAPER_ZERO = [(1, {}), (2, {}), (3, {}), (4, {}), (5, {}), (7, {}), (11, {}), (11, {"m": 3}),
              (12, {}), (12, {"m": 4}), (13, {}), (14, {}), (18, {}), (18, {"m": 20}),
              (21, {}), (22, {}), (25, {}), (26, {}), (35, {"n": 1}), (35, {"n": 5}),
              (35, {"n": 7}), (35, {"n": 9})]
# MINPACK lmder driver, "final l2 norm of the residuals" at the minima of the paper's table.
MINPACK_FINAL_NORM = [
    (6, {"m": 10}, "1.1151779e+01"), (8, {}, "9.0635960e-02"), (15, {}, "1.7535838e-02"),
    (10, {}, "9.3779451e+00"), (20, {"n": 6}, "4.7829594e-02"),
    (20, {"n": 9}, "1.1831146e-03"), (20, {"n": 12}, "2.1731040e-05"),
    (16, {"m": 20}, "2.9295429e+02"), (35, {"n": 8}, "5.9303236e-02"),
    (35, {"n": 10}, "8.0647100e-02"), (17, {}, "7.3924926e-03"),
]


def least_squares_min(p, start=None):
    """MINPACK's Levenberg-Marquardt (scipy), iterated to its tightest tolerances."""
    res = scipy.optimize.least_squares(p.residuals, p.x0 if start is None else start,
                                       jac=p.jacobian, method="lm", xtol=1e-15, ftol=1e-15,
                                       gtol=1e-15, max_nfev=20000)
    return res.x, float(np.sum(res.fun**2))


def is_stationary(p, x):
    """grad = 2 J^T r vanishes relative to its terms: |J^T r| <= 1e-6 ||J|| ||r||, the residual
    orthogonal to the columns of J to 1e-6 (at the point where least_squares stops, x is
    accurate to about 1e-8 relative, and the large-residual problems keep a gradient of that
    relative size)."""
    g = np.abs(p.jacobian(x).T @ p.residuals(x)).max()
    return g <= 1e-6 * np.linalg.norm(p.jacobian(x)) * np.linalg.norm(p.residuals(x))


@pytest.mark.parametrize("k, kw, printed, start", PAPER_F_STAR)
def test_f_star_is_the_papers_and_least_squares_reproduces_it(k, kw, printed, start):
    p = mgh(k, **kw)
    assert p.f_star == float(printed)
    x, f = least_squares_min(p, start)
    assert abs(f - float(printed)) <= digits_unit(printed)
    assert p.f(x) == pytest.approx(f, rel=1e-12)
    assert is_stationary(p, x)


@pytest.mark.parametrize("k, kw, printed", MINPACK_FINAL_NORM)
def test_f_star_agrees_with_minpacks_final_norms(k, kw, printed):
    """MINPACK prints the norm at its own final iterate, rounded to 8 digits: f* <= norm^2,
    and within 1e-6 relative of it (its iterates stop at xtol ~ 1e-8)."""
    p = mgh(k, **kw)
    _, f = least_squares_min(p)
    norm = float(printed) + 0.5 * digits_unit(printed)
    assert f <= norm**2 <= f * (1 + 1e-6)


@pytest.mark.parametrize("k, kw", PAPER_ZERO)
def test_f_star_zero_is_reached(k, kw):
    p = mgh(k, **kw)
    assert p.f_star == 0.0
    starts = [x for x in p.minimizers] or [p.x0]
    for start in starts:
        _, f = least_squares_min(p, start)
        assert f <= 1e-20


def test_powell_badly_scaled_minimizer_matches_the_paper():
    """(1.098...e-5, 9.106...), f = 0: printed by the paper, truncated."""
    x, f = least_squares_min(mgh(3))
    assert f <= 1e-25
    assert 1.098e-5 <= x[0] < 1.099e-5 and 9.106 <= x[1] < 9.107


def test_jennrich_sampson_minimizer_matches_the_paper():
    """x1 = x2 = 0.2578... at f = 124.362 (m = 10)."""
    x, _ = least_squares_min(mgh(6))
    assert np.all((0.2578 <= x) & (x < 0.2579))


def test_exact_minimizers():
    """Each listed minimizer has f = 0 to rounding: every residual is a few operations on
    terms of size S = max(1, |x*|) (times the data), so |r_i| <= 64 u S and f <= m (64 u S)^2;
    most are exactly 0 in float64. grad = 2 J^T r is then of the size ||J|| |r|."""
    for k in MGH_PROBLEMS:
        p = mgh(k)
        for x in p.minimizers:
            assert p.f_star == 0.0
            bound = p.m * (64 * U * max(1.0, np.abs(x).max())) ** 2
            assert p.f(x) <= bound, p.name
            tol = 2 * np.abs(p.jacobian(x)).max() * p.m * math.sqrt(bound) + 1e-300
            assert np.abs(p.grad(x)).max() <= tol, p.name


def test_which_problems_list_exact_minimizers():
    """The paper gives the minimizer exactly for these; for the others f* is only a number
    (or, for 3, a truncated point)."""
    listed = {k for k in MGH_PROBLEMS if mgh(k).minimizers.shape[0]}
    assert listed == {1, 2, 4, 5, 7, 11, 12, 13, 14, 18, 21, 22, 25, 26}
    np.testing.assert_array_equal(mgh(12).minimizers, [[1, 10, 1], [10, 1, -1]])
    np.testing.assert_array_equal(mgh(18).minimizers, [[1, 10, 1, 5, 4, 3], [4, 10, 3, 5, 1, 1]])
    np.testing.assert_array_equal(mgh(11).minimizers, [[50, 25, 1.5]])
    np.testing.assert_array_equal(mgh(4).minimizers, [[1e6, 2e-6]])


def test_box_3d_is_zero_on_the_line_x1_equals_x2():
    p = mgh(12)
    for t in (-1.0, 0.3, 7.0):
        assert p.f([t, t, 0.0]) == 0.0


def test_freudenstein_roth_local_minimum():
    """The paper: f = 48.9842... at (11.41..., -0.8968...). scipy.optimize.root on the gradient
    from the printed point."""
    p = mgh(2)
    assert p.local_minima == (48.9842,)
    root = scipy.optimize.root(p.grad, [11.41, -0.8968], tol=1e-14)
    assert 11.41 <= root.x[0] < 11.42 and -0.8969 < root.x[1] <= -0.8968
    assert abs(p.f(root.x) - 48.9842) <= digits_unit("48.9842")


def test_bard_local_minimum_at_infinity():
    """The paper: f = 17.4286... at (0.8406..., -inf, -inf). As x2, x3 -> -inf the term
    u/(v x2 + w x3) vanishes and r_i -> y_i - x1, minimized by x1 = mean(y): f -> the sum of
    squared deviations of the data."""
    p = mgh(8)
    assert p.local_minima == (17.4286,)
    far = scipy.optimize.minimize_scalar(lambda a: p.f([a, -1e15, -1e15]))
    assert 0.8406 <= far.x < 0.8407
    assert abs(far.fun - 17.4286) <= digits_unit("17.4286")
    assert abs(np.sum((p.y - p.y.mean()) ** 2) - 17.4286) <= digits_unit("17.4286")


def test_kowalik_osborne_local_minimum_at_infinity():
    """The paper: f = 1.02734...e-3 at (+inf, -14.07..., -inf, -inf). With x1 = s, x3 = a s,
    x4 = b s and s -> inf the model x1 (u^2 + u x2)/(u^2 + u x3 + x4) tends to
    (u^2 + u x2)/(a u + b): three parameters, fitted here at s = 1e8 from (x2, a, b) =
    (-14, -45, -28) (MINPACK's lmder ends near x = (7.3e5, -14.08, -3.3e7, -2.1e7) from 10 x0,
    with final norm 3.2052193e-2)."""
    p = mgh(15)
    assert p.local_minima == (1.02734e-3,)
    s = 1e8
    res = scipy.optimize.least_squares(lambda z: p.residuals([s, z[0], z[1] * s, z[2] * s]),
                                       [-14.0, -45.0, -28.0], method="lm", xtol=1e-15,
                                       ftol=1e-15)
    f = float(np.sum(res.fun**2))
    assert abs(f - 1.02734e-3) <= digits_unit("1.02734e-3")
    assert -14.08 < res.x[0] <= -14.07
    assert abs(math.sqrt(f) - 3.2052193e-2) <= 0.5e-9


def test_biggs_local_minimum():
    """The paper: f = 5.65565...e-3 if m = 13. That minimum has x1 = x5 (the two exponentials
    merge), so it is the minimum of the 4-parameter model x3 e^(-t x1) - x4 e^(-t x2) - y."""
    p = mgh(18)
    assert p.local_minima == (5.65565e-3,)
    assert mgh(18, m=12).local_minima == ()
    res = scipy.optimize.least_squares(lambda z: p.residuals([z[0], z[1], z[2], z[3], z[0], 0]),
                                       [1.7, 17.7, 2.3, 5.2], method="lm", xtol=1e-15,
                                       ftol=1e-15)
    assert abs(np.sum(res.fun**2) - 5.65565e-3) <= digits_unit("5.65565e-3")
    assert is_stationary(p, np.array([*res.x[:4], res.x[0], 0.0]))


def test_trigonometric_stops_at_an_unlisted_local_minimum():
    """As the docstring says: from x0 (n = 10) Levenberg-Marquardt stops at f = 2.79506e-5,
    a strict local minimum (central-difference Hessian positive definite), which the paper
    does not list: it is not among local_minima."""
    p = mgh(26)
    x, f = least_squares_min(p)
    assert abs(f - 2.79506e-5) <= digits_unit("2.79506e-5")
    assert np.abs(p.grad(x)).max() <= 1e-8
    assert np.linalg.eigvalsh(numeric_hess(p.grad, x))[0] > 0.01
    assert p.local_minima == ()


def test_watson_n20_f_star_in_exact_arithmetic():
    """The paper: f = 2.48631...e-20 for n = 20. Evaluated in float64 near the minimum, f has
    a relative error of about 1e-3 (residuals of 3e-11 from terms of size 100), so the printed
    digits cannot be checked in float64. Watson's residuals are polynomials: at the point
    where scipy's Levenberg-Marquardt stops, f in exact rational arithmetic must lie at or
    above the true minimum, and close to it."""
    p = mgh(20, n=20)
    assert p.f_star == 2.48631e-20
    x, _ = least_squares_min(p)
    xs = [Fraction(v) for v in x]
    total = xs[0] ** 2 + (xs[1] - xs[0] ** 2 - 1) ** 2
    for i in range(1, 30):
        t = Fraction(i, 29)
        s1 = sum((j - 1) * xs[j - 1] * t ** (j - 2) for j in range(2, 21))
        s2 = sum(xs[j - 1] * t ** (j - 1) for j in range(1, 21))
        total += (s1 - s2 * s2 - 1) ** 2
    exact = float(total)
    assert 2.48631e-20 <= exact <= 2.48631e-20 * (1 + 1e-3)


def test_f_star_is_nan_where_the_paper_prints_none():
    for k, kw in [(6, {"m": 11}), (16, {"m": 21}), (20, {"n": 7}), (23, {"n": 5}),
                  (24, {"n": 3}), (35, {"n": 11}), (35, {"n": 8, "m": 9})]:
        assert math.isnan(mgh(k, **kw).f_star)


# ---------------------------------------------------------------------------------------------
# The object: names, shapes, grids, immutability
# ---------------------------------------------------------------------------------------------
NAMES = {1: "rosenbrock", 2: "freudenstein_roth", 3: "powell_badly_scaled",
         4: "brown_badly_scaled", 5: "beale", 6: "jennrich_sampson", 7: "helical_valley",
         8: "bard", 9: "gaussian", 10: "meyer", 11: "gulf", 12: "box_3d", 13: "powell_singular",
         14: "wood", 15: "kowalik_osborne", 16: "brown_dennis", 17: "osborne1",
         18: "biggs_exp6", 20: "watson", 21: "extended_rosenbrock",
         22: "extended_powell_singular", 23: "penalty1", 24: "penalty2",
         25: "variably_dimensioned", 26: "trigonometric", 35: "chebyquad"}
# (n, m) at the defaults: the paper's sizes (and, where it fixes none, the documented ones).
SIZES = {1: (2, 2), 2: (2, 2), 3: (2, 2), 4: (2, 3), 5: (2, 3), 6: (2, 10), 7: (3, 3),
         8: (3, 15), 9: (3, 15), 10: (3, 16), 11: (3, 99), 12: (3, 10), 13: (4, 4), 14: (4, 6),
         15: (4, 11), 16: (4, 20), 17: (5, 33), 18: (6, 13), 20: (6, 31), 21: (10, 10),
         22: (12, 12), 23: (4, 5), 24: (4, 8), 25: (10, 12), 26: (10, 10), 35: (8, 8)}
# The paper's starting points for the fixed-size problems, hand-entered.
X0 = {1: [-1.2, 1], 2: [0.5, -2], 3: [0, 1], 4: [1, 1], 5: [1, 1], 6: [0.3, 0.4],
      7: [-1, 0, 0], 8: [1, 1, 1], 9: [0.4, 1, 0], 10: [0.02, 4000, 250], 11: [5, 2.5, 0.15],
      12: [0, 10, 20], 13: [3, -1, 0, 1], 14: [-3, -1, -3, -1], 15: [0.25, 0.39, 0.415, 0.39],
      16: [25, 5, -5, -1], 17: [0.5, 1.5, -1, 0.01, 0.02], 18: [1, 2, 1, 1, 1, 1]}


def test_numbers_names_and_sizes():
    assert MGH_PROBLEMS == tuple(NAMES)
    for k, name in NAMES.items():
        p = mgh(k)
        assert isinstance(p, LeastSquaresProblem) and isinstance(p, Problem)
        assert p.name == f"mgh{k:02d}_{name}"
        assert (p.n, p.m) == SIZES[k]
        assert p.hess is None and p.k == k
        if k in X0:
            np.testing.assert_array_equal(p.x0, X0[k])
        assert repr(p).startswith(f"LeastSquaresProblem(name='mgh{k:02d}_")


def test_variable_dimension_starts():
    np.testing.assert_array_equal(mgh(20, n=5).x0, np.zeros(5))
    np.testing.assert_array_equal(mgh(21, n=6).x0, [-1.2, 1, -1.2, 1, -1.2, 1])
    np.testing.assert_array_equal(mgh(22, n=8).x0, [3, -1, 0, 1, 3, -1, 0, 1])
    np.testing.assert_array_equal(mgh(23, n=3).x0, [1, 2, 3])
    np.testing.assert_array_equal(mgh(24, n=3).x0, [0.5, 0.5, 0.5])
    np.testing.assert_allclose(mgh(25, n=4).x0, [0.75, 0.5, 0.25, 0.0], rtol=1e-15)
    np.testing.assert_allclose(mgh(26, n=4).x0, [0.25] * 4, rtol=1e-15)
    np.testing.assert_allclose(mgh(35, n=4).x0, [0.2, 0.4, 0.6, 0.8], rtol=1e-15)
    assert (mgh(23, n=7).m, mgh(24, n=7).m, mgh(25, n=7).m, mgh(35, n=3, m=5).m) == (8, 14,
                                                                                     9, 5)


@pytest.mark.parametrize("k, kw", CONFIGS, ids=IDS)
def test_shapes_and_f_is_the_sum_of_squares(k, kw):
    p = mgh(k, **kw)
    x = p.x0 + 0.05
    r, jac = p.residuals(x), p.jacobian(x)
    assert r.shape == (p.m,) and jac.shape == (p.m, p.n) and p.grad(x).shape == (p.n,)
    assert r.dtype == jac.dtype == np.float64
    assert np.ndim(p.f(x)) == 0
    assert p.f(x) == pytest.approx(math.fsum(r**2), rel=1e-13)


@pytest.mark.parametrize("k, kw", CONFIGS, ids=IDS)
def test_f_and_residuals_on_a_grid_equal_point_by_point(k, kw):
    p = mgh(k, **kw)
    rng = np.random.default_rng(3)
    grid = p.x0[:, None, None] + 0.1 * (1 + np.abs(p.x0))[:, None, None] * rng.uniform(
        -1, 1, (p.n, 4, 3))
    values, res = p.f(grid), p.residuals(grid)
    assert values.shape == (4, 3) and res.shape == (p.m, 4, 3)
    for idx in np.ndindex(4, 3):  # equal up to the order of the sums (BLAS kernels differ)
        point = grid[(slice(None),) + idx]
        assert values[idx] == pytest.approx(p.f(point), rel=1e-13)
        r = p.residuals(point)
        np.testing.assert_allclose(res[(slice(None),) + idx], r, rtol=1e-13,
                                   atol=1e-13 * np.abs(r).max())


@pytest.mark.parametrize("k", MGH_PROBLEMS)
def test_inputs_untouched_and_problem_immutable(k):
    p = mgh(k)
    x = p.x0 + 0.1
    x.flags.writeable = False
    copy = x.copy()
    p.f(x), p.grad(x), p.residuals(x), p.jacobian(x)
    assert np.array_equal(x, copy)
    for arr in (p.x0, p.minimizers, *[v for v in p.data.values() if isinstance(v, np.ndarray)]):
        with pytest.raises(ValueError):
            arr[...] = 0
    with pytest.raises(AttributeError):
        p.residuals = None
    jac = p.jacobian(x)
    jac[...] = 7.0
    assert not np.array_equal(p.jacobian(x), jac)
    assert isinstance(p.local_minima, tuple)


def test_integer_input_is_computed_in_float64():
    p = mgh(21, n=2)
    assert p.f(np.array([2, 3])) == p.f(np.array([2.0, 3.0])) == 101.0
    assert p.grad([2, 3]).dtype == p.jacobian([2, 3]).dtype == np.float64


def test_existing_problems_keep_their_hessians():
    p = rosenbrock()
    assert p.hess is not None and p.hess(p.x0).shape == (2, 2)
    assert not isinstance(p, LeastSquaresProblem)


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, arg, allowed", [
    ({"k": 0}, "k", "1, 2, 3"), ({"k": 19}, "k", "18, 20"), ({"k": 27}, "k", "26, 35"),
    ({"k": 36}, "k", "35"),
    ({"k": 1, "n": 3}, "n", "2"), ({"k": 8, "n": 4}, "n", "3"), ({"k": 18, "n": 5}, "n", "6"),
    ({"k": 20, "n": 1}, "n", ">= 2 and <= 31"), ({"k": 20, "n": 32}, "n", ">= 2 and <= 31"),
    ({"k": 21, "n": 3}, "n", "even integer >= 2"), ({"k": 21, "n": 0}, "n", "even integer >= 2"),
    ({"k": 22, "n": 6}, "n", "multiple of 4"), ({"k": 23, "n": 0}, "n", ">= 1"),
    ({"k": 35, "n": -2}, "n", ">= 1"),
    ({"k": 8, "m": 14}, "m", "15"), ({"k": 23, "n": 4, "m": 4}, "m", "5"),
    ({"k": 6, "m": 1}, "m", ">= 2"), ({"k": 11, "m": 101}, "m", "<= 100"),
    ({"k": 11, "m": 2}, "m", ">= 3"), ({"k": 16, "m": 3}, "m", ">= 4"),
    ({"k": 18, "m": 5}, "m", ">= 6"), ({"k": 35, "n": 5, "m": 4}, "m", ">= 5"),
])
def test_invalid_sizes_raise_value_error_naming_them(kwargs, arg, allowed):
    with pytest.raises(ValueError, match=rf"^{arg} must be .*{allowed}.*got"):
        mgh(**kwargs)


@pytest.mark.parametrize("kwargs, arg", [({"k": 1.0}, "k"), ({"k": True}, "k"),
                                         ({"k": 20, "n": 6.0}, "n"), ({"k": 6, "m": "10"}, "m")])
def test_wrong_types_raise_type_error_naming_them(kwargs, arg):
    with pytest.raises(TypeError, match=arg):
        mgh(**kwargs)


@pytest.mark.parametrize("k", MGH_PROBLEMS)
def test_wrong_point_raises_naming_x(k):
    p = mgh(k)
    for bad in (np.zeros(p.n + 1), np.zeros(p.n - 1), 1.0):
        for fn in (p.f, p.grad, p.residuals, p.jacobian):
            with pytest.raises(ValueError, match="x"):
                fn(bad)
    for fn in (p.grad, p.jacobian):
        with pytest.raises(ValueError, match="x"):
            fn(np.zeros((p.n, 2)))
    for fn in (p.f, p.residuals):
        with pytest.raises(TypeError, match="x"):
            fn(np.full(p.n, 1j))
