"""quantopt.problems: derivatives against independent oracles, and the known solutions.

Oracles: quantopt.gradcheck (central differences); complex-step differentiation (exact to
round-off for the polynomial problems, Im f(x + i h e_j) / h); scipy.differentiate (high-order
finite differences of f alone); hand-computed values; a loop implementation of Rosenbrock
written here; scipy.optimize.rosen*, scipy.optimize.root and scipy.optimize.minimize; the
objectives of the per-sample problems rewritten here with scipy.special.expit.

Tolerances for "zero gradient at a minimizer": the stored minimizer is the exact one rounded
to float64, off by at most u*|x*| per coordinate (u = 2**-53), which moves the gradient by at
most ||H|| * u * ||x*||; evaluating the gradient adds a few u times the size of its terms.
So |grad(x*)| <= 32 u (1 + ||H||) (1 + ||x*||_inf) with room to spare. f(x*) - f* is then
second order, (1/2) dx^T H dx ~ u^2, plus the evaluation error of f (a few u |terms|).
"""
import math

import numpy as np
import pytest
import scipy.differentiate
import scipy.linalg
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import expit

from quantopt.gradcheck import check_grad, check_hess
from quantopt.problems import (
    Problem,
    all_problems,
    beale,
    himmelblau,
    least_squares,
    extended_rosenbrock,
    logistic_regression,
    logistic_regression_wide,
    quadratic,
    rosenbrock,
    saddle,
)

U = 2.0**-53
PROBLEMS = all_problems()
NAMES = sorted(PROBLEMS)
POLYNOMIAL = [name for name in NAMES if not name.startswith("logistic_regression")]
TWO_D = [name for name in NAMES if PROBLEMS[name].n == 2]
coords = st.floats(-3, 3, allow_nan=False, allow_infinity=False)
FEW = max(10, settings().max_examples // 4)  # per parametrized case: 50 under the ci profile


def point(n):
    return hnp.arrays(np.float64, n, elements=coords)


def complex_step_grad(f, x, h=1e-30):
    return np.array([f(x + 1j * h * e).imag / h for e in np.eye(x.size)])


def complex_step_jacobian(grad, x, h=1e-30):
    return np.column_stack([grad(x + 1j * h * e).imag / h for e in np.eye(x.size)])


def scale(p, x):
    """The size of the terms whose round-off the gradient and Hessian carry."""
    return 1.0 + abs(p.f(x)) + np.abs(p.hess(x)).max() * (1.0 + np.abs(x).max())


# Closed forms for the per-sample problems, written from the formulas, not from the module.
def ls_f(p, x, idx=slice(None)):
    return 0.5 * np.mean((p.A[idx] @ x - p.b[idx]) ** 2)


def ls_grad(p, x, idx=slice(None)):
    a = p.A[idx]
    return a.T @ (a @ x - p.b[idx]) / a.shape[0]


def ls_hess(p, x, idx=slice(None)):
    a = p.A[idx]
    return a.T @ a / a.shape[0]


def lr_f(p, x, idx=slice(None)):
    z = p.y[idx] * (p.A[idx] @ x)
    return np.mean(np.log1p(np.exp(-z))) + 0.5 * p.l2 * x @ x


def lr_grad(p, x, idx=slice(None)):
    a, y = p.A[idx], p.y[idx]
    return -(a.T @ (y * expit(-y * (a @ x)))) / a.shape[0] + p.l2 * x


def lr_hess(p, x, idx=slice(None)):
    a = p.A[idx]
    s = expit(a @ x)
    return (a.T * (s * (1 - s))) @ a / a.shape[0] + p.l2 * np.eye(x.size)


CLOSED_FORMS = {"least_squares": (ls_f, ls_grad, ls_hess),
                "logistic_regression": (lr_f, lr_grad, lr_hess),
                "logistic_regression_wide": (lr_f, lr_grad, lr_hess)}


# ---------------------------------------------------------------------------------------------
# Gradients and Hessians of every problem
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
@settings(max_examples=FEW)
def test_gradient_and_hessian_pass_the_gradient_check(name, data):
    p = PROBLEMS[name]
    x = data.draw(point(p.n))
    assert check_grad(p.f, p.grad, x).ok
    assert check_hess(p.grad, p.hess, x).ok
    h = p.hess(x)
    assert np.array_equal(h, h.T)


@pytest.mark.parametrize("name", POLYNOMIAL)
@given(data=st.data())
@settings(max_examples=FEW)
def test_derivatives_match_the_complex_step(name, data):
    p = PROBLEMS[name]
    x = data.draw(point(p.n))
    tol = 1e-12 * scale(p, x)
    assert np.max(np.abs(p.grad(x) - complex_step_grad(p.f, x))) <= tol
    assert np.max(np.abs(p.hess(x) - complex_step_jacobian(p.grad, x))) <= tol


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
@given(data=st.data())
@settings(max_examples=FEW)
def test_per_sample_derivatives_match_closed_forms(name, data):
    p = PROBLEMS[name]
    f, grad, hess = CLOSED_FORMS[name]
    x = data.draw(point(p.n))
    np.testing.assert_allclose(p.f(x), f(p, x), rtol=1e-13)
    np.testing.assert_allclose(p.grad(x), grad(p, x), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(p.hess(x), hess(p, x), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_derivatives_match_scipy_differentiate(name):
    """scipy.differentiate differentiates f alone (8th-order differences with step
    refinement, on f's vectorized (n, ...) form), typically to 1e-11 relative. Its own
    convergence test is relative, so it reports non-convergence where a derivative is 0
    (at minimizers); the values are compared regardless."""
    p = PROBLEMS[name]
    rng = np.random.default_rng(1)
    for x in [p.x0, p.minimizers[0], rng.uniform(-2, 2, p.n)]:
        jac = scipy.differentiate.jacobian(lambda z: p.f(z)[None], x)
        np.testing.assert_allclose(p.grad(x), jac.df[0], rtol=1e-8, atol=1e-8 * scale(p, x))
        hes = scipy.differentiate.hessian(p.f, x)
        np.testing.assert_allclose(p.hess(x), hes.ddf, rtol=1e-7, atol=1e-7 * scale(p, x))


HAND_VALUES = [
    # problem, x, f, grad, hess (computed by hand from the formulas)
    (rosenbrock(), [-1.2, 1.0], 24.2, [-215.6, -88.0], [[1330.0, 480.0], [480.0, 200.0]]),
    (beale(), [1.0, 1.0], 14.203125, [0.0, 27.75], None),
    (beale(), [0.0, 1.0], 14.203125, [0.0, 0.0], [[0.0, 27.75], [27.75, 0.0]]),
    (himmelblau(), [0.0, 0.0], 170.0, [-14.0, -22.0], [[-42.0, 0.0], [0.0, -26.0]]),
    (saddle(), [1.0, 2.0], 2.5, [1.0, 6.0], [[1.0, 0.0], [0.0, 11.0]]),
    (quadratic(angle=0.0, center=[1.0, -1.0]), [0.0, 0.0], 5.5, [-1.0, 10.0],
     [[1.0, 0.0], [0.0, 10.0]]),
]


@pytest.mark.parametrize("p, x, f, g, h", HAND_VALUES)
def test_hand_computed_values(p, x, f, g, h):
    x = np.array(x)
    assert p.f(x) == pytest.approx(f, rel=1e-14)
    np.testing.assert_allclose(p.grad(x), g, rtol=1e-13, atol=1e-13)
    if h is not None:
        np.testing.assert_allclose(p.hess(x), h, rtol=1e-13, atol=1e-13)


# ---------------------------------------------------------------------------------------------
# Known minimizers and saddle points
# ---------------------------------------------------------------------------------------------
def zero_grad_tol(p, x):
    return 32 * U * (1 + np.linalg.norm(p.hess(x), 2)) * (1 + np.abs(x).max())


@pytest.mark.parametrize("name", NAMES)
def test_minimizers_are_strict_minima_with_value_f_star(name):
    p = PROBLEMS[name]
    assert p.minimizers.shape[0] >= 1 and p.minimizers.shape[1] == p.n
    for x in p.minimizers:
        tol = 1e-12 if name.startswith("logistic_regression") else zero_grad_tol(p, x)
        assert np.linalg.norm(p.grad(x)) <= tol
        assert abs(p.f(x) - p.f_star) <= 32 * U * (1 + abs(p.f_star))
        eig = np.linalg.eigvalsh(p.hess(x))
        assert eig[0] > 1e-6 * eig[-1] > 0
        np.linalg.cholesky(p.hess(x))


@pytest.mark.parametrize("name", [n for n in NAMES if PROBLEMS[n].saddles.shape[0]])
def test_saddles_have_zero_gradient_and_indefinite_hessian(name):
    p = PROBLEMS[name]
    for x in p.saddles:
        assert np.linalg.norm(p.grad(x)) <= zero_grad_tol(p, x)
        eig = np.linalg.eigvalsh(p.hess(x))
        assert eig[0] < -1e-3 * abs(eig[-1]) and eig[-1] > 1e-3 * abs(eig[0])
        assert p.f(x) > p.f_star


def test_which_problems_have_saddles():
    assert {n for n in NAMES if PROBLEMS[n].saddles.shape[0]} == {"beale", "himmelblau",
                                                                 "saddle"}
    assert PROBLEMS["himmelblau"].saddles.shape == (4, 2)
    for name in NAMES:
        assert PROBLEMS[name].saddles.shape[1] == PROBLEMS[name].n


def test_saddle_problem():
    p = saddle()
    assert np.array_equal(p.saddles, [[0.0, 0.0]])
    assert np.array_equal(p.hess([0.0, 0.0]), np.diag([1.0, -1.0]))
    assert np.array_equal(p.grad([0.0, 0.0]), [0.0, 0.0])
    assert p.f_star == -0.25
    assert {tuple(m) for m in p.minimizers} == {(0.0, 1.0), (0.0, -1.0)}


def steps_to_reach(p, x, level, lr=0.1, maxiter=1000):
    for k in range(maxiter):
        if p.f(x) <= level:
            return k
        x = x - lr * p.grad(x)
    return maxiter


def test_saddle_slows_gradient_descent():
    """From x0 = (1, 1e-3), GD (lr 0.1) lingers at the saddle: y grows by ~1.1 per step from
    1e-3, so reaching f <= -0.2 takes ~log(500)/log(1.1) ~ 65 steps or more; from (1, 0.5),
    away from the saddle, it takes a handful."""
    p = saddle()
    slow = steps_to_reach(p, p.x0, -0.2)
    fast = steps_to_reach(p, np.array([1.0, 0.5]), -0.2)
    assert 60 <= slow <= 90
    assert fast <= 20


def test_beale_start_lets_gradient_descent_progress():
    p = beale()
    x = p.x0
    for _ in range(1000):
        x = x - 1e-2 * p.grad(x)
    assert p.f(x) < 1e-4 * p.f(p.x0)
    assert np.linalg.norm(x - p.minimizers[0]) < 0.05


def test_himmelblau_points_are_the_float64_roots_near_the_literature_values():
    """Oracle: scipy.optimize.root (MINPACK hybrd) on the gradient written here."""
    def grad(z):
        x, y = z
        return [4 * x * (x * x + y - 11) + 2 * (x + y * y - 7),
                2 * (x * x + y - 11) + 4 * y * (x + y * y - 7)]

    literature = {
        "minimizers": [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                       (3.584428, -1.848126)],
        "saddles": [(0.086677, 2.884255), (-3.073026, -0.081353), (3.385154, 0.073852),
                    (-0.127961, -1.953715)],
    }
    p = himmelblau()
    for field, approx in literature.items():
        computed = getattr(p, field)
        for ours, lit in zip(computed, approx):
            assert np.max(np.abs(ours - lit)) <= 1e-6
            root = scipy.optimize.root(grad, lit, tol=1e-14)
            assert np.max(np.abs(grad(root.x))) <= 1e-12
            assert np.max(np.abs(ours - root.x)) <= 1e-13
    assert np.array_equal(p.minimizers[0], [3.0, 2.0])
    top = p.local_maximizer
    assert np.max(np.abs(top - (-0.270845, -0.923039))) <= 1e-6
    assert np.all(np.linalg.eigvalsh(p.hess(top)) < 0)
    assert p.f(top) == pytest.approx(181.6165, abs=1e-4)


# ---------------------------------------------------------------------------------------------
# Vectorized f: meshgrids and (n, ...) arrays
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_f_on_a_grid_equals_f_point_by_point(name):
    p = PROBLEMS[name]
    rng = np.random.default_rng(2)
    if p.n == 2:
        xs, ys = np.meshgrid(np.linspace(-3, 3, 7), np.linspace(-2, 4, 5))
        grid = np.stack([xs, ys])
    else:
        grid = rng.uniform(-3, 3, (p.n, 4, 3))
    values = p.f(grid)
    assert values.shape == grid.shape[1:]
    expected = np.array([p.f(grid[(slice(None),) + idx]) for idx in np.ndindex(grid.shape[1:])])
    np.testing.assert_allclose(values.ravel(), expected, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_f_of_a_vector_is_a_scalar(name):
    p = PROBLEMS[name]
    value = p.f(p.x0)
    assert np.ndim(value) == 0 and isinstance(float(value), float)
    assert p.grad(p.x0).shape == (p.n,) and p.hess(p.x0).shape == (p.n, p.n)


def test_integer_input_is_computed_in_float64():
    p = rosenbrock()
    assert p.f(np.array([2, 3])) == p.f(np.array([2.0, 3.0])) == 101.0
    assert p.grad([2, 3]).dtype == np.float64


# ---------------------------------------------------------------------------------------------
# Quadratic
# ---------------------------------------------------------------------------------------------
@given(n=st.integers(2, 8), cond=st.floats(1.0, 1e6), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=FEW)
def test_quadratic_condition_number_and_rotation(n, cond, seed):
    """A = Q diag(lam) Q^T is formed with absolute error ~ n u cond, which moves the smallest
    eigenvalue (1) by as much: the relative error of cond(A) is ~ n u cond."""
    p = quadratic(n=n, cond=cond, seed=seed)
    q = p.Q
    tol = 64 * n * U
    assert np.max(np.abs(q.T @ q - np.eye(n))) <= tol
    assert abs(np.linalg.cond(p.hess(p.x0)) / cond - 1) <= tol * cond
    np.testing.assert_allclose(np.linalg.eigvalsh(p.A), np.sort(p.eigenvalues),
                               atol=tol * cond, rtol=0)
    np.testing.assert_allclose(np.log(p.eigenvalues), np.linspace(0, math.log(cond), n),
                               atol=1e-12 * (1 + math.log(cond)))
    assert p.eigenvalues[0] == 1.0 and p.eigenvalues[-1] == cond
    np.testing.assert_allclose(p.A, (q * p.eigenvalues) @ q.T, atol=tol * cond)


@given(angle=st.floats(-math.pi, math.pi), cond=st.floats(1.0, 1e4))
@settings(max_examples=FEW)
def test_quadratic_angle_rotates_the_eigenvectors(angle, cond):
    p = quadratic(cond=cond, angle=angle)
    c, s = math.cos(angle), math.sin(angle)
    assert np.array_equal(p.Q, [[c, -s], [s, c]])
    np.testing.assert_allclose(p.A @ [c, s], [c, s], atol=1e-12 * cond)
    np.testing.assert_allclose(p.A @ [-s, c], cond * np.array([-s, c]), atol=1e-12 * cond)


def test_quadratic_defaults_center_seed_and_start():
    assert np.array_equal(quadratic().A, np.diag([1.0, 10.0]))
    np.testing.assert_allclose(quadratic(n=4, cond=8.0).A, np.diag([1.0, 2.0, 4.0, 8.0]),
                               rtol=4 * U, atol=0)
    center = np.array([0.5, -1.5, 2.0])
    p = quadratic(n=3, cond=100.0, seed=7, center=center)
    assert np.array_equal(p.minimizers, [center]) and p.f(center) == 0.0
    assert np.linalg.norm(p.x0 - center) > 1
    assert np.array_equal(p.A, quadratic(n=3, cond=100.0, seed=7).A)
    assert not np.allclose(p.A, quadratic(n=3, cond=100.0, seed=8).A)
    assert np.array_equal(quadratic(n=1, cond=1.0).hess([0.3]), [[1.0]])


# ---------------------------------------------------------------------------------------------
# Rosenbrock against a loop implementation and scipy.optimize.rosen
# ---------------------------------------------------------------------------------------------
def rosenbrock_loop(x, a, b):
    """Term by term: each term b (x_{i+1} - x_i^2)^2 + (a - x_i)^2 differentiated alone."""
    n = len(x)
    f, g, h = 0.0, np.zeros(n), np.zeros((n, n))
    for i in range(n - 1):
        t = x[i + 1] - x[i] ** 2
        f += b * t**2 + (a - x[i]) ** 2
        g[i] += -4 * b * x[i] * t - 2 * (a - x[i])
        g[i + 1] += 2 * b * t
        h[i, i] += -4 * b * t + 8 * b * x[i] ** 2 + 2
        h[i, i + 1] += -4 * b * x[i]
        h[i + 1, i] += -4 * b * x[i]
        h[i + 1, i + 1] += 2 * b
    return f, g, h


@pytest.mark.parametrize("n", [2, 3, 7])
@given(data=st.data(), a=st.sampled_from([0.0, 1.0]), b=st.floats(0.5, 200.0))
@settings(max_examples=FEW)
def test_rosenbrock_matches_the_loop_implementation(n, data, a, b):
    x = data.draw(point(n))
    p = rosenbrock(n=n, a=a, b=b)
    f, g, h = rosenbrock_loop(x, a, b)
    assert p.f(x) == pytest.approx(f, rel=1e-13, abs=1e-13)
    np.testing.assert_allclose(p.grad(x), g, rtol=1e-12, atol=1e-12 * (1 + b))
    np.testing.assert_allclose(p.hess(x), h, rtol=1e-12, atol=1e-12 * (1 + b))


@given(data=st.data(), a=st.floats(-2.0, 2.0), b=st.floats(0.5, 200.0))
@settings(max_examples=FEW)
def test_rosenbrock_2d_with_any_a(data, a, b):
    x = data.draw(point(2))
    p = rosenbrock(a=a, b=b)
    f, g, h = rosenbrock_loop(x, a, b)
    assert p.f(x) == pytest.approx(f, rel=1e-13, abs=1e-13)
    np.testing.assert_allclose(p.grad(x), g, rtol=1e-12, atol=1e-12 * (1 + b))
    np.testing.assert_allclose(p.hess(x), h, rtol=1e-12, atol=1e-12 * (1 + b))
    assert np.array_equal(p.minimizers, [[a, a * a]])
    assert np.linalg.norm(p.grad(p.minimizers[0])) <= 1e-13 * (1 + b)


@pytest.mark.parametrize("n", [2, 3, 7, 20])
def test_rosenbrock_matches_scipy(n):
    p = rosenbrock(n=n)
    rng = np.random.default_rng(n)
    for x in [p.x0, rng.uniform(-2, 2, n)]:
        assert p.f(x) == pytest.approx(scipy.optimize.rosen(x), rel=1e-14)
        np.testing.assert_allclose(p.grad(x), scipy.optimize.rosen_der(x), rtol=1e-13,
                                   atol=1e-10)
        np.testing.assert_allclose(p.hess(x), scipy.optimize.rosen_hess(x), rtol=1e-13,
                                   atol=1e-10)
    assert np.array_equal(p.minimizers, [np.ones(n)])
    assert np.array_equal(p.x0[:4], [-1.2, 1.0, -1.2, 1.0][:n])


def chained_grad_formula(x, a, b):
    """The chained gradient as the module wrote it before it was rewritten in place: the
    rewrite keeps its operations and their order, so the two agree bit for bit."""
    head = x[:-1]
    t = x[1:] - head**2
    g = np.zeros_like(x)
    g[:-1] = -4 * b * head * t - 2 * (a - head)
    g[1:] += 2 * b * t
    return g


@pytest.mark.parametrize("n", [2, 3, 8, 1001])
@given(data=st.data(), a=st.sampled_from([0.0, 1.0]), b=st.floats(0.5, 200.0))
@settings(max_examples=FEW)
def test_rosenbrock_gradient_bitwise_equals_the_formula(n, data, a, b):
    x = data.draw(hnp.arrays(np.float64, n, elements=st.floats(-1e3, 1e3) | st.just(-0.0)))
    x.flags.writeable = False
    assert np.array_equal(rosenbrock(n=n, a=a, b=b).grad(x), chained_grad_formula(x, a, b))


@pytest.mark.parametrize("n", [2, 6, 40])
def test_extended_rosenbrock_is_scipy_rosen_on_each_pair(n):
    """Oracle: scipy.optimize.rosen (a = 1, b = 100) on each pair (x_{2i-1}, x_{2i}), summed;
    the gradient and Hessian are the pairs' rosen_der and rosen_hess side by side."""
    p = extended_rosenbrock(n=n)
    rng = np.random.default_rng(n)
    for x in [p.x0, rng.uniform(-2, 2, n), p.minimizers[0]]:
        pairs = x.reshape(-1, 2)
        assert p.f(x) == pytest.approx(sum(scipy.optimize.rosen(q) for q in pairs), rel=1e-14,
                                       abs=1e-300)
        expected_g = np.concatenate([scipy.optimize.rosen_der(q) for q in pairs])
        np.testing.assert_allclose(p.grad(x), expected_g, rtol=1e-13, atol=1e-10)
        expected_h = scipy.linalg.block_diag(*[scipy.optimize.rosen_hess(q) for q in pairs])
        np.testing.assert_allclose(p.hess(x), expected_h, rtol=1e-13, atol=1e-10)
    assert np.array_equal(p.minimizers, [np.ones(n)]) and p.f_star == 0.0
    assert p.f(p.minimizers[0]) == 0.0 and not np.any(p.grad(p.minimizers[0]))
    assert np.array_equal(p.x0, np.tile([-1.2, 1.0], n // 2))


@given(data=st.data(), a=st.floats(-2.0, 2.0), b=st.floats(0.5, 200.0), half=st.integers(1, 4))
@settings(max_examples=FEW)
def test_extended_rosenbrock_with_any_a_is_the_2d_problem_on_each_pair(data, a, b, half):
    """Any real a: each pair is rosenbrock(n=2, a, b) (itself checked against a loop above), and
    the minimizer (a, a^2, ...) has f = 0 and gradient 0 exactly."""
    x = data.draw(point(2 * half))
    p, two = extended_rosenbrock(n=2 * half, a=a, b=b), rosenbrock(n=2, a=a, b=b)
    pairs = x.reshape(-1, 2)
    assert p.f(x) == pytest.approx(sum(two.f(q) for q in pairs), rel=1e-13, abs=1e-13)
    np.testing.assert_allclose(p.grad(x), np.concatenate([two.grad(q) for q in pairs]),
                               rtol=1e-13, atol=1e-13 * (1 + b))
    x_star = p.minimizers[0]
    assert np.array_equal(x_star, np.tile([a, a * a], half))
    assert p.f(x_star) == 0.0 and not np.any(p.grad(x_star))


# ---------------------------------------------------------------------------------------------
# Per-sample problems
# ---------------------------------------------------------------------------------------------
def strong_convexity(p):
    """A lower bound mu on the Hessian's eigenvalues everywhere: lam_min(A^T A / m) for least
    squares (constant Hessian), l2 for logistic regression (the loss term is convex)."""
    if p.name == "least_squares":
        return np.linalg.eigvalsh(p.A.T @ p.A / p.n_samples)[0]
    return p.l2


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_minimizer_agrees_with_scipy_minimize(name):
    """For a mu-strongly convex f, |x - x*| <= |grad f(x)| / mu and
    0 <= f(x) - f* <= |grad f(x)|^2 / (2 mu): bounds computed from scipy's own result and the
    closed-form gradient written here, so the test holds whatever BFGS's accuracy. scipy's
    point is polished by Newton steps with the closed-form Hessian while they lower |grad|
    (scipy's gtol is on max|grad|, which leaves |grad|/mu ~ 1e-6 for the wide problem)."""
    p = PROBLEMS[name]
    f, grad, hess = CLOSED_FORMS[name]
    res = scipy.optimize.minimize(lambda x: f(p, x), np.zeros(p.n), jac=lambda x: grad(p, x),
                                  method="BFGS", options={"gtol": 1e-11})
    x, gnorm = res.x, np.linalg.norm(grad(p, res.x))
    for _ in range(3):
        x_new = x - np.linalg.solve(hess(p, x), grad(p, x))
        g_new = np.linalg.norm(grad(p, x_new))
        if not g_new < gnorm:
            break
        x, gnorm = x_new, g_new
    mu = strong_convexity(p)
    assert gnorm / mu < 1e-8
    slack = 1e-13 * (1 + np.linalg.norm(x))
    assert np.linalg.norm(p.minimizers[0] - x) <= gnorm / mu + slack
    assert -1e-14 <= f(p, x) - p.f_star <= gnorm**2 / (2 * mu) + 1e-14
    assert p.f_star == p.f(p.minimizers[0])


def test_least_squares_minimizer_solves_the_normal_equations():
    p = PROBLEMS["least_squares"]
    x = np.linalg.solve(p.A.T @ p.A, p.A.T @ p.b)
    np.testing.assert_allclose(p.minimizers[0], x, rtol=1e-12, atol=1e-13)


def test_logistic_minimizer_gradient_below_the_documented_1e_12():
    p = PROBLEMS["logistic_regression"]
    assert np.linalg.norm(lr_grad(p, p.minimizers[0])) < 1e-12


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
@given(data=st.data(), sizes=st.lists(st.integers(1, 60), min_size=1, max_size=6))
@settings(max_examples=FEW)
def test_batch_means_over_a_partition_recover_the_full_objective(name, data, sizes):
    p = PROBLEMS[name]
    x = data.draw(point(p.n))
    m = p.n_samples
    perm = np.random.default_rng(len(sizes)).permutation(m)
    cuts = np.cumsum(sizes)
    batches = [b for b in np.split(perm, cuts[cuts < m]) if b.size]
    weights = [b.size / m for b in batches]
    assert sum(b.size for b in batches) == m
    for fn, tol in ((p.f, 1e-13), (p.grad, 1e-12), (p.hess, 1e-12)):
        full = fn(x)
        combined = sum(w * fn(x, b) for w, b in zip(weights, batches))
        np.testing.assert_allclose(combined, full, rtol=tol, atol=tol * (1 + np.abs(full).max()))
    f, grad, hess = CLOSED_FORMS[name]
    b = batches[0]
    np.testing.assert_allclose(p.f(x, b), f(p, x, b), rtol=1e-13)
    np.testing.assert_allclose(p.grad(x, b), grad(p, x, b), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(p.hess(x, b), hess(p, x, b), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_repeated_batch_indices_count_with_multiplicity(name):
    p = PROBLEMS[name]
    x = np.linspace(-1, 1, p.n)
    for fn in (p.f, p.grad, p.hess):
        np.testing.assert_allclose(fn(x, [3, 3, 8]), (2 * fn(x, [3]) + fn(x, [8])) / 3,
                                   rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(p.f(x, np.arange(p.n_samples)), p.f(x), rtol=1e-14)


@pytest.mark.parametrize("factory, labels", [(least_squares, ("A", "b")),
                                             (logistic_regression, ("A", "y"))])
def test_seeded_data_is_reproducible_and_seeds_differ(factory, labels):
    one, same, other = factory(seed=3), factory(seed=3), factory(seed=4)
    for key in labels:
        assert np.array_equal(one.data[key], same.data[key])
        assert not np.array_equal(one.data[key], other.data[key])
    assert np.array_equal(one.minimizers, same.minimizers)
    assert one.f_star == same.f_star
    gen = factory(seed=np.random.default_rng(3))
    assert np.array_equal(gen.A, one.A)


def test_per_sample_shapes_and_labels():
    ls, lr = least_squares(n_samples=30, n_features=4), logistic_regression(n_samples=50,
                                                                           n_features=3)
    assert ls.A.shape == (30, 4) and ls.b.shape == (30,) and ls.n_samples == 30
    assert lr.A.shape == (50, 3) and set(np.unique(lr.y)) == {-1.0, 1.0}
    assert lr.n_samples == 50 and lr.n == 3
    assert all(PROBLEMS[n].n_samples is None for n in NAMES if n not in CLOSED_FORMS)


def test_logistic_loss_is_stable_for_large_margins():
    p = PROBLEMS["logistic_regression"]
    for x in (1e4 * p.x_true, -1e4 * p.x_true):
        assert np.isfinite(p.f(x)) and np.all(np.isfinite(p.grad(x)))
        assert np.all(np.isfinite(p.hess(x)))
    z = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    small = logistic_regression(n_samples=5, n_features=1, l2=0.5)
    for zi in z:
        x = np.array([zi])
        exact = np.mean(np.logaddexp(0, -small.y * small.A[:, 0] * zi)) + 0.25 * zi**2
        assert small.f(x) == pytest.approx(exact, rel=1e-14)


def test_logistic_without_regularization():
    p = logistic_regression(l2=0.0)
    assert np.linalg.norm(p.grad(p.minimizers[0])) < 1e-12
    with pytest.raises(ValueError, match="l2"):
        logistic_regression(n_samples=3, n_features=5, l2=0.0)


@pytest.mark.parametrize("n_features, n_samples, l2", [(20, 20, 1e-3), (3000, 16, 1e-4),
                                                       (10**5, 8, 1e-2)])
def test_wide_logistic_minimizer_zeroes_the_closed_form_gradient(n_features, n_samples, l2):
    """f is l2-strongly convex, so x* is the minimizer iff grad f(x*) = 0: checked with the
    closed-form gradient written in this module, at sizes up to n = 10^5; x* = A^T c*."""
    p = logistic_regression_wide(n_features=n_features, n_samples=n_samples, l2=l2, seed=7)
    x_star = p.minimizers[0]
    assert p.A.shape == (n_samples, n_features) and set(np.unique(p.y)) <= {-1.0, 1.0}
    assert np.linalg.norm(lr_grad(p, x_star)) < 1e-12
    np.testing.assert_allclose(x_star, p.A.T @ p.c_star, rtol=0, atol=1e-15)
    assert p.f_star == pytest.approx(lr_f(p, x_star), rel=1e-14)
    assert np.all(np.abs(np.linalg.norm(p.A, axis=1) - 1) < 0.5)  # rows ~ unit length
    same = logistic_regression_wide(n_features=n_features, n_samples=n_samples, l2=l2, seed=7)
    assert np.array_equal(same.A, p.A) and np.array_equal(same.minimizers, p.minimizers)


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("factory, kwargs, arg", [
    (quadratic, {"cond": 0.5}, "cond"),
    (quadratic, {"cond": math.nan}, "cond"),
    (quadratic, {"n": 0}, "n"),
    (quadratic, {"n": 1, "cond": 10.0}, "cond"),
    (quadratic, {"n": 3, "angle": 0.5}, "angle"),
    (quadratic, {"angle": 0.5, "seed": 1}, "angle"),
    (quadratic, {"center": [1.0, 2.0, 3.0]}, "center"),
    (quadratic, {"center": [1.0, math.inf]}, "center"),
    (rosenbrock, {"n": 1}, "n"),
    (rosenbrock, {"b": 0.0}, "b"),
    (rosenbrock, {"n": 3, "a": 2.0}, "a"),
    (least_squares, {"n_samples": 0}, "n_samples"),
    (least_squares, {"n_samples": 3, "n_features": 5}, "n_samples"),
    (least_squares, {"n_features": 0}, "n_features"),
    (least_squares, {"noise": -0.1}, "noise"),
    (logistic_regression, {"n_samples": 0}, "n_samples"),
    (logistic_regression, {"l2": -1e-3}, "l2"),
    (extended_rosenbrock, {"n": 3}, "n"),
    (extended_rosenbrock, {"n": 0}, "n"),
    (extended_rosenbrock, {"b": -1.0}, "b"),
    (logistic_regression_wide, {"n_features": 5, "n_samples": 6}, "n_samples"),
    (logistic_regression_wide, {"l2": 0.0}, "l2"),
])
def test_invalid_parameters_raise_value_error_naming_them(factory, kwargs, arg):
    with pytest.raises(ValueError, match=arg):
        factory(**kwargs)


@pytest.mark.parametrize("factory, kwargs, arg", [
    (quadratic, {"n": 2.5}, "n"),
    (quadratic, {"cond": "10"}, "cond"),
    (rosenbrock, {"n": True}, "n"),
    (least_squares, {"n_samples": 10.0}, "n_samples"),
    (logistic_regression, {"l2": None}, "l2"),
    (extended_rosenbrock, {"n": 4.0}, "n"),
    (logistic_regression_wide, {"n_features": 1e3}, "n_features"),
])
def test_wrong_parameter_types_raise_type_error(factory, kwargs, arg):
    with pytest.raises(TypeError, match=arg):
        factory(**kwargs)


@pytest.mark.parametrize("name", NAMES)
def test_wrong_dimension_raises_value_error_naming_x(name):
    p = PROBLEMS[name]
    for bad in (np.zeros(p.n + 1), np.zeros(p.n - 1), 1.0):
        for fn in (p.f, p.grad, p.hess):
            with pytest.raises(ValueError, match="x"):
                fn(bad)
    for fn in (p.grad, p.hess):
        with pytest.raises(ValueError, match="x"):
            fn(np.zeros((p.n, 3)))
    with pytest.raises(TypeError, match="x"):
        p.f(np.array(["a"] * p.n))


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
@pytest.mark.parametrize("batch, error", [
    ([], ValueError), ([[0, 1]], ValueError), ([0, -1], ValueError), ([0, 10**6], ValueError),
    ([0.0, 1.0], TypeError), ([True, False], TypeError),
])
def test_bad_batches_raise_naming_batch(name, batch, error):
    p = PROBLEMS[name]
    for fn in (p.f, p.grad, p.hess):
        with pytest.raises(error, match="batch"):
            fn(p.x0, batch)


# ---------------------------------------------------------------------------------------------
# Inputs untouched, problems immutable
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_inputs_are_not_modified(name):
    p = PROBLEMS[name]
    x = np.linspace(-1.5, 2.0, p.n)
    x.flags.writeable = False
    copy = x.copy()
    batch = np.array([4, 1, 1])
    batch.flags.writeable = False
    args = (batch,) if p.n_samples else ()
    p.f(x, *args), p.grad(x, *args), p.hess(x, *args)
    assert np.array_equal(x, copy)
    grid = np.stack([x, x[::-1]], axis=1)
    grid.flags.writeable = False
    p.f(grid)


@pytest.mark.parametrize("name", NAMES)
def test_problems_are_immutable(name):
    p = PROBLEMS[name]
    assert isinstance(p, Problem) and p.name == name
    for arr in (p.x0, p.minimizers, p.saddles, *[v for v in p.data.values()
                                                  if isinstance(v, np.ndarray)]):
        with pytest.raises(ValueError):
            arr[...] = 0
    with pytest.raises(AttributeError):
        p.x0 = np.zeros(p.n)
    with pytest.raises(TypeError):
        p.data["A"] = None
    h = p.hess(p.x0)
    h[...] = 123.0
    assert not np.array_equal(p.hess(p.x0), h)


def test_all_problems_returns_every_factory_default():
    assert set(PROBLEMS) == {"quadratic", "rosenbrock", "extended_rosenbrock", "beale",
                             "himmelblau", "saddle", "least_squares", "logistic_regression",
                             "logistic_regression_wide"}
    again = all_problems()
    for name in NAMES:
        assert np.array_equal(again[name].minimizers, PROBLEMS[name].minimizers)
        assert np.array_equal(again[name].x0, PROBLEMS[name].x0)
    with pytest.raises(AttributeError, match="nope"):
        PROBLEMS["beale"].nope
