"""Tests of the update rules in quantopt.optim.

Oracles are independent of the code under test: the other form of Momentum and the look-ahead
form of Nesterov (as the notes write them), an explicit BFGS matrix built here for L-BFGS, exact
rational arithmetic (numpy object arrays of Fractions: the first-order rules, BFGS and L-BFGS use
no square root), an exact rational linear solve for Newton, scipy's Rosenbrock gradient, and a
stored run of torch.optim (tests/data/torch_reference.json, written by make_torch_reference.py;
torch is not imported here).
"""
from __future__ import annotations

import doctest
import inspect
import json
import pathlib
import re
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import rosen_der

import quantopt.optim as optim
from quantopt.optim import (
    RULES,
    UpdateRule,
    adagrad,
    adam,
    bfgs,
    gd,
    lbfgs,
    lbfgs_inverse_hessian,
    momentum,
    nesterov,
    newton,
    rmsprop,
    sgd,
)
from quantopt.optim import adaptive, first_order, second_order

EPS = np.finfo(np.float64).eps
DATA = pathlib.Path(__file__).resolve().parent / "data"
METHODS = ["gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "newton",
           "bfgs", "lbfgs", "cg", "langevin"]

# ------------------------------------------------------------------------------------------------
# strategies and exact helpers

small_frac = st.fractions(min_value=-3, max_value=3, max_denominator=4)
rho_frac = st.fractions(min_value=0, max_value=F(15, 16), max_denominator=16)
alpha_frac = st.sampled_from([F(1, 8), F(1, 4), F(1, 2), F(1, 1), F(3, 10)])


def obj(values) -> np.ndarray:
    """A numpy object array (of Fractions)."""
    return np.array(values, dtype=object)


def frac_vec(n: int):
    return st.lists(small_frac, min_size=n, max_size=n).map(obj)


@st.composite
def frac_quadratic(draw, spd: bool):
    """f(x) = x^T A x / 2 - b^T x with rational A (symmetric; SPD if spd), b and x0."""
    n = draw(st.integers(1, 3))
    M = obj(draw(st.lists(st.lists(small_frac, min_size=n, max_size=n), min_size=n, max_size=n)))
    A = M.T.dot(M) + np.eye(n, dtype=int).astype(object) if spd else M + M.T
    return A, draw(frac_vec(n)), draw(frac_vec(n))


def all_fractions(a) -> bool:
    return all(isinstance(e, (F, int)) for e in np.asarray(a, dtype=object).ravel())


def exact_equal(a, b) -> bool:
    return np.asarray(a).shape == np.asarray(b).shape and bool(np.all(obj(a) == obj(b)))


def exact_is_positive_definite(B) -> bool:
    """Symmetric B is PD iff Gaussian elimination without pivoting has all pivots > 0 (the pivots
    are ratios of successive leading principal minors: Sylvester's criterion). Exact."""
    M = [[F(e) for e in row] for row in np.asarray(B)]
    n = len(M)
    for k in range(n):
        if M[k][k] <= 0:
            return False
        for i in range(k + 1, n):
            f = M[i][k] / M[k][k]
            for j in range(k, n):
                M[i][j] -= f * M[k][j]
    return True


def exact_solve(A, b) -> list[F]:
    """Gauss-Jordan elimination in Fractions (A nonsingular)."""
    n = len(b)
    M = [[F(A[i][j]) for j in range(n)] + [F(b[i])] for i in range(n)]
    for k in range(n):
        p = next(i for i in range(k, n) if M[i][k] != 0)
        M[k], M[p] = M[p], M[k]
        for i in range(n):
            if i != k and M[i][k] != 0:
                f = M[i][k] / M[k][k]
                M[i] = [a - f * c for a, c in zip(M[i], M[k])]
    return [M[i][n] / M[i][i] for i in range(n)]


def explicit_bfgs_matrix(pairs, gamma) -> np.ndarray:
    """H = gamma I updated by each pair, oldest first, with Nocedal & Wright (6.17) written with
    explicit n x n matrices: H <- V^T H V + rho s s^T, V = I - rho y s^T. Works on Fractions."""
    n = len(pairs[0][0])
    exact = pairs[0][0].dtype == object
    eye = np.eye(n, dtype=int).astype(object) if exact else np.eye(n)
    H = gamma * eye
    for s, y in pairs:
        rho = 1 / np.dot(y, s)
        V = eye - rho * np.outer(y, s)
        H = V.T.dot(H).dot(V) + rho * np.outer(s, s)
    return H


def run(rule: UpdateRule, x0, grad, alpha, steps, hess=None):
    """The driver's loop x <- x + alpha d; returns the iterates, directions and states."""
    x, state = x0, rule.init(x0)
    xs, ds, states = [x0], [], [state]
    for _ in range(steps):
        d, state = rule.step(state, x, grad(x), None if hess is None else hess(x))
        x = x + alpha * d
        xs.append(x)
        ds.append(d)
        states.append(state)
    return xs, ds, states


# ------------------------------------------------------------------------------------------------
# 1. Momentum: the notes' two forms give the same iterates (exactly)


@given(frac_quadratic(spd=False), rho_frac, alpha_frac)
@settings(max_examples=40)
def test_momentum_two_forms_same_iterates_exact(quad, rho, alpha):
    A, b, x0 = quad
    grad = lambda x: A.dot(x) - b  # noqa: E731
    xs, _, states = run(momentum(momentum=rho), x0, grad, alpha, steps=8)

    # the other form, as the notes write it: v' = rho v' - alpha grad f(x), x = x + v'
    x, vp = x0, obj([0] * len(x0))
    for t in range(1, 9):
        vp = rho * vp - alpha * grad(x)
        x = x + vp
        assert exact_equal(xs[t], x)
        assert exact_equal(vp, -alpha * states[t].v)  # the proof's v' = -alpha v
    assert all_fractions(xs[-1])


# ------------------------------------------------------------------------------------------------
# 2. Nesterov: the look-ahead form and our x-tilde form (exactly)


@given(frac_quadratic(spd=False), rho_frac, alpha_frac)
@settings(max_examples=40)
def test_nesterov_lookahead_form_matches_xtilde_form_exact(quad, rho, alpha):
    A, b, x0 = quad
    grad = lambda x: A.dot(x) - b  # noqa: E731
    xts, _, states = run(nesterov(momentum=rho), x0, grad, alpha, steps=8)

    # look-ahead form: v_{t+1} = rho v_t - alpha grad f(x_t + rho v_t), x_{t+1} = x_t + v_{t+1}
    x, v = x0, obj([0] * len(x0))
    for t in range(9):
        assert exact_equal(xts[t], x + rho * v)  # x-tilde_t = x_t + rho v_t
        assert exact_equal(states[t].b, -v / alpha)  # v = -alpha b
        v = rho * v - alpha * grad(x + rho * v)
        x = x + v
    assert all_fractions(xts[-1])


@given(frac_quadratic(spd=False), rho_frac, alpha_frac)
@settings(max_examples=30)
def test_nesterov_xtilde_recursion_of_the_notes_exact(quad, rho, alpha):
    """x~_{t+1} = x~_t - rho v_t + (1 + rho) v_{t+1}, with v_t = -alpha b_t from the state."""
    A, b, x0 = quad
    grad = lambda x: A.dot(x) - b  # noqa: E731
    xts, _, states = run(nesterov(momentum=rho), x0, grad, alpha, steps=6)
    for t in range(6):
        v_t, v_next = -alpha * states[t].b, -alpha * states[t + 1].b
        assert exact_equal(xts[t + 1], xts[t] - rho * v_t + (1 + rho) * v_next)


# ------------------------------------------------------------------------------------------------
# 3. L-BFGS: two-loop recursion = explicit H_k; memory >= pairs: BFGS restarted from gamma_k I


@given(frac_quadratic(spd=True), alpha_frac, st.integers(1, 6))
@settings(max_examples=25)
def test_lbfgs_two_loop_equals_explicit_matrix_exact(quad, alpha, memory):
    A, b, x0 = quad
    grad = lambda x: A.dot(x) - b  # noqa: E731
    steps = 5
    xs, ds, states = run(lbfgs(memory=memory, curvature_tol=0), x0, grad, alpha, steps)
    pairs = []
    for k in range(steps):
        if k > 0:
            s, y = xs[k] - xs[k - 1], grad(xs[k]) - grad(xs[k - 1])
            if np.dot(y, s) > 0:  # convex quadratic: y^T s = s^T A s > 0 unless s = 0
                pairs.append((s, y))
        kept = pairs[-memory:]
        g = grad(xs[k])
        if kept:
            s, y = kept[-1]
            gamma = np.dot(s, y) / np.dot(y, y)
            H = explicit_bfgs_matrix(kept, gamma)
            assert exact_equal(lbfgs_inverse_hessian(kept, gamma), H)
            assert exact_equal(ds[k], -H.dot(g))
        else:
            assert exact_equal(ds[k], -g)
        assert states[k + 1].count == len(kept)
        assert all_fractions(ds[k])


@given(frac_quadratic(spd=True), alpha_frac)
@settings(max_examples=25)
def test_lbfgs_with_full_memory_is_bfgs_restarted_from_gamma_identity_exact(quad, alpha):
    """Precisely: if memory >= the number of pairs stored so far, L-BFGS's direction at step k is
    the direction of BFGS (same points, same pairs) whose B_0 is gamma_k I, with gamma_k the
    scaling of step k. (gamma_k changes with k: L-BFGS is not BFGS with one fixed B_0.)"""
    A, b, x0 = quad
    grad = lambda x: A.dot(x) - b  # noqa: E731
    steps = 4
    xs, ds, states = run(lbfgs(memory=steps, curvature_tol=0), x0, grad, alpha, steps)
    n = len(x0)
    for k in range(steps):
        rule = bfgs(curvature_tol=0)
        gamma = states[k + 1].gamma
        state = rule.init(x0)._replace(B=gamma * np.eye(n, dtype=int).astype(object))
        for j in range(k + 1):
            d, state = rule.step(state, xs[j], grad(xs[j]))
        assert exact_equal(d, ds[k])


@given(st.integers(2, 5), st.integers(1, 4), st.integers(0, 2**32 - 1))
@settings(max_examples=40)
def test_lbfgs_two_loop_float_matches_explicit_matrix(n, memory, seed):
    """Float version: both sides compute -H g from the same stored float pairs; each is accurate to
    a few units of round-off times cond(H) (the two-loop recursion is a product of m rank-two
    updates applied to a vector), so we allow 100 * n * (m + 1) * eps * cond(H)."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = (Q * rng.uniform(1, 10, n)) @ Q.T
    b = rng.standard_normal(n)
    grad = lambda x: A @ x - b  # noqa: E731
    xs, ds, states = run(lbfgs(memory=memory), rng.standard_normal(n), grad, 0.05, 8)
    for k in range(1, 8):
        st_k = states[k + 1]
        pairs = [(st_k.S[i], st_k.Y[i]) for i in range(st_k.count)]
        H = explicit_bfgs_matrix(pairs, st_k.gamma)
        expected = -H @ grad(xs[k])
        tol = 100 * n * (memory + 1) * EPS * np.linalg.cond(H)
        assert np.linalg.norm(ds[k] - expected) <= tol * np.linalg.norm(expected)
        H_lib = lbfgs_inverse_hessian(pairs, st_k.gamma)
        assert np.linalg.norm(H_lib - H, 2) <= tol * np.linalg.norm(H, 2)  # norm-wise


def test_lbfgs_drops_the_oldest_pair_and_skips_bad_pairs():
    rule = lbfgs(memory=2, curvature_tol=0, damping=False)  # damping=True: tests/test_damping.py
    state = rule.init(np.zeros(2))
    points = [([0.0, 0.0], [1.0, 0.0]), ([1.0, 0.0], [2.0, 0.0]), ([1.0, 1.0], [2.0, 3.0]),
              ([2.0, 1.0], [1.0, 3.0]),   # y^T s = -1: skipped
              ([3.0, 1.0], [3.0, 3.0])]
    for x, g in points:
        _, state = rule.step(state, np.array(x), np.array(g))
    assert state.count == 2 and state.n_skipped == 1
    np.testing.assert_array_equal(state.S, [[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_array_equal(state.Y, [[0.0, 3.0], [2.0, 0.0]])


def reference_two_loop(pairs, g):
    """The sequential two-loop recursion (Nocedal & Wright, Algorithm 7.4) on vectors: the
    implementation lbfgs used before the vector-free form, kept here as an oracle."""
    q = g
    rho = [1 / np.dot(y, s) for s, y in pairs]
    alpha = [0] * len(pairs)
    for i in reversed(range(len(pairs))):
        s, y = pairs[i]
        alpha[i] = rho[i] * np.dot(s, q)
        q = q - alpha[i] * y
    if pairs:
        s, y = pairs[-1]
        gamma = np.dot(s, y) / np.dot(y, y)
    else:
        gamma = 1
    r = gamma * q
    for i, (s, y) in enumerate(pairs):
        beta = rho[i] * np.dot(y, r)
        r = r + s * (alpha[i] - beta)
    return -r


def _run_quadratic(rule, n, seed, steps, cond=10.0, dtype=np.float64):
    """A run on g(x) = D x + 0.5 (x_{i+1} - x_{i-1}) (cyclic): the skew part keeps y^T s =
    s^T D s > 0 but makes s_i^T y_j != s_j^T y_i, as for a non-quadratic f."""
    rng = np.random.default_rng(seed)
    diag = np.geomspace(1.0, cond, n)
    x = rng.standard_normal(n).astype(dtype)
    state = rule.init(x)
    out = []
    for _ in range(steps):
        g = (diag * x + 0.5 * (np.roll(x, -1) - np.roll(x, 1))).astype(dtype)
        d, new_state = rule.step(state, x, g)
        out.append((g, d, new_state))
        state = new_state
        x = (x + np.asarray(0.3, dtype) * d).astype(dtype)
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n, block", [(1, 4), (10, 3), (100, 7), (64, 64), (1000, 16384)])
def test_combine_is_the_sequential_loop_bit_for_bit(monkeypatch, dtype, n, block):
    """_combine(d, cs, vs) performs, element by element, the roundings of ``d += c * v`` for each
    vector in order, whatever the block size (ragged last block included)."""
    monkeypatch.setattr(second_order, "_COMBINE_BLOCK", block)
    rng = np.random.default_rng(n + block)
    vectors = tuple((rng.standard_normal(n) * 10.0 ** rng.integers(-8, 8, n)).astype(dtype)
                    for _ in range(5))
    coeffs = [dtype(c) for c in rng.standard_normal(5) * 1e3]
    d = (rng.standard_normal(n)).astype(dtype)
    expected = d.copy()
    for c, v in zip(coeffs, vectors):
        expected += c * v
    before = [v.copy() for v in vectors]
    second_order._combine(d, coeffs, vectors)
    assert d.dtype == dtype
    assert np.array_equal(d.view(np.uint8), expected.view(np.uint8))
    assert all(np.array_equal(a, b) for a, b in zip(before, vectors))  # vectors only read


@pytest.mark.parametrize("block", [7, 1000, 16384])  # many blocks, a ragged last one, one block
@pytest.mark.parametrize("memory", [1, 3, 7])
def test_lbfgs_vector_free_equals_sequential_two_loop(monkeypatch, block, memory):
    """At n = 3000, with the direction accumulated in blocks of several sizes, each direction
    equals the sequential two-loop on the same stored float pairs. Both evaluate -H g for a
    well-conditioned H (cond <= ~100), each to a few m eps of round-off: 1e-12 relative."""
    monkeypatch.setattr(second_order, "_COMBINE_BLOCK", block)
    monkeypatch.setattr(second_order, "_STACK_MAX_N", 0)  # the blocked (large-n) path
    for g, d, state in _run_quadratic(lbfgs(memory=memory), 3000, memory, 14):
        expected = reference_two_loop(list(zip(state.S, state.Y)), g)
        assert state.count == len(state.S) <= memory
        np.testing.assert_allclose(d, expected, rtol=0, atol=1e-12 * np.linalg.norm(expected))


@given(st.integers(1, 3).flatmap(lambda n: st.tuples(
    frac_vec(n), frac_vec(n), st.lists(st.tuples(frac_vec(n), frac_vec(n)), min_size=1,
                                       max_size=7))), st.integers(1, 4))
@settings(max_examples=60)
def test_lbfgs_vector_free_equals_sequential_two_loop_exact(data, memory):
    """Arbitrary rational steps s and gradient changes y (not from one quadratic, so s_i^T y_j !=
    s_j^T y_i in general; pairs with y^T s <= 0 are skipped): the vector-free evaluation equals
    the sequential two-loop and the explicit matrix exactly, including after pairs are dropped;
    the Gram matrices in the state are the exact inner products."""
    x0, g0, steps = data
    rule = lbfgs(memory=memory, curvature_tol=0, damping=False)  # damped: tests/test_damping.py
    x, g = x0, g0
    d, state = rule.step(rule.init(x0), x, g)
    assert exact_equal(d, -g)
    kept = []
    for s, y in steps:
        x, g = x + s, g + y
        d, state = rule.step(state, x, g)
        if np.dot(y, s) > 0:
            kept = (kept + [(s, y)])[-memory:]
        pairs = list(zip(state.S, state.Y))
        assert len(pairs) == len(kept) and all(
            exact_equal(a, c) and exact_equal(b, e) for (a, b), (c, e) in zip(pairs, kept))
        assert exact_equal(d, reference_two_loop(pairs, g))
        if kept:
            gamma = np.dot(kept[-1][0], kept[-1][1]) / np.dot(kept[-1][1], kept[-1][1])
            assert exact_equal(d, -explicit_bfgs_matrix(kept, gamma).dot(g))
        for i, (s_i, y_i) in enumerate(pairs):
            for j, (s_j, y_j) in enumerate(pairs):
                assert state.SY[i, j] == np.dot(s_i, y_j) and state.YY[i, j] == np.dot(y_i, y_j)
        assert all_fractions(d)


#: _STACK_MAX_N and _STACK_MAX_ENTRIES values that force each of lbfgs's two paths
PATHS = {"stacked": 10**12, "separate": 0}


def _run_mixed(rule, n, seed, steps, dtype=np.float64):
    """The rule fed random points x_k and gradients g_k = (D + c_k I) x_k, c_k = 0 or -12
    at random (D's diagonal in [1, 10]): when c_k = c_{k-1} = -12, y^T s = s^T (D - 12 I) s < 0
    and the pair is damped, otherwise it is usually stored; the memory fills and pairs drop."""
    rng = np.random.default_rng(seed)
    diag = np.geomspace(1.0, 10.0, n)
    x = rng.standard_normal(n).astype(dtype)
    state = rule.init(x)
    out = []
    for _ in range(steps):
        g = ((diag + rng.choice([0.0, -12.0])) * x).astype(dtype)
        d, state = rule.step(state, x, g)
        out.append((g, d, state))
        x = rng.standard_normal(n).astype(dtype)
    return out


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", [1, 2, 3, 8, 33, 200])
@pytest.mark.parametrize("memory", [1, 3, 10])
def test_lbfgs_stacked_and_separate_paths_are_bit_identical(monkeypatch, dtype, n, memory):
    """Both paths do the same floating-point operations in the same order: np.vecdot's row
    products are np.dot's, and the reduction of the stacked rows adds them in order, as _combine
    does. Directions, Gram matrices and gamma agree bit for bit, with pairs stored, dropped,
    damped and skipped along the way."""
    runs = {}
    for path, limit in PATHS.items():
        monkeypatch.setattr(second_order, "_STACK_MAX_N", limit)
        monkeypatch.setattr(second_order, "_STACK_MAX_ENTRIES", limit)
        runs[path] = _run_mixed(lbfgs(memory=memory), n, n + memory, 30, dtype)
    for (g, d, st_a), (_, e, st_b) in zip(runs["stacked"], runs["separate"]):
        assert d.dtype == e.dtype == dtype and d.tobytes() == e.tobytes()
        assert st_a.SY.tobytes() == st_b.SY.tobytes() and st_a.YY.tobytes() == st_b.YY.tobytes()
        assert np.asarray(st_a.gamma).tobytes() == np.asarray(st_b.gamma).tobytes()
    states = [state for _, _, state in runs["stacked"]]
    assert max(st_.count for st_ in states) == memory and states[-1].n_damped > 0
    assert all(np.all(np.isfinite(d)) for _, d, _ in runs["stacked"])


@pytest.mark.parametrize("n", [1, 2, 5, 60])
@pytest.mark.parametrize("memory", [1, 3, 10])
def test_lbfgs_stacked_path_equals_sequential_two_loop(monkeypatch, n, memory):
    """The small-n (stacked) path against the sequential two-loop on the same float pairs, as
    the n = 3000 test above for the blocked path: 1e-12 relative."""
    monkeypatch.setattr(second_order, "_STACK_MAX_N", PATHS["stacked"])
    monkeypatch.setattr(second_order, "_STACK_MAX_ENTRIES", PATHS["stacked"])
    for g, d, state in _run_quadratic(lbfgs(memory=memory), n, memory, 14):
        expected = reference_two_loop(list(zip(state.S, state.Y)), g)
        np.testing.assert_allclose(d, expected, rtol=0, atol=1e-12 * np.linalg.norm(expected))


@given(st.integers(1, 3).flatmap(lambda n: st.tuples(
    frac_vec(n), frac_vec(n), st.lists(st.tuples(frac_vec(n), frac_vec(n)), min_size=1,
                                       max_size=7))), st.integers(1, 4), st.booleans())
@settings(max_examples=40)
def test_lbfgs_both_paths_equal_sequential_two_loop_exact(data, memory, damping):
    """In Fractions each path gives exactly the sequential two-loop's d on the pairs it stored
    (damped y's included), and the two paths store the same pairs and Gram matrices."""
    x0, g0, steps = data
    runs = {}
    for path, limit in PATHS.items():
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(second_order, "_STACK_MAX_N", limit)
            mp.setattr(second_order, "_STACK_MAX_ENTRIES", limit)
            rule = lbfgs(memory=memory, curvature_tol=0, damping=damping)
            x, g = x0, g0
            d, state = rule.step(rule.init(x0), x, g)
            out = [(g, d, state)]
            for s, y in steps:
                x, g = x + s, g + y
                d, state = rule.step(state, x, g)
                out.append((g, d, state))
            runs[path] = out
    for (g, d, st_a), (_, e, st_b) in zip(runs["stacked"], runs["separate"]):
        assert exact_equal(d, reference_two_loop(list(zip(st_a.S, st_a.Y)), g))
        assert exact_equal(d, e) and all_fractions(d)
        assert exact_equal(st_a.SY, st_b.SY) and exact_equal(st_a.YY, st_b.YY)
        assert (st_a.n_damped, st_a.n_skipped) == (st_b.n_damped, st_b.n_skipped)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n, k", [(1, 1), (1, 21), (2, 21), (3, 9), (7, 2), (64, 21), (1000, 41)])
def test_row_combination_is_the_sequential_loop_bit_for_bit(dtype, n, k):
    """_row_combination(c, V) performs, element by element, the roundings of d = c_0 V_0 and
    then d += c_i V_i in row order (n = 1 included, where numpy would otherwise sum pairwise)."""
    rng = np.random.default_rng(n * k)
    V = (rng.standard_normal((k, n)) * 10.0 ** rng.integers(-8, 8, (k, n))).astype(dtype)
    c = (rng.standard_normal(k) * 1e3).astype(dtype)
    expected = c[0] * V[0]
    for i in range(1, k):
        expected += c[i] * V[i]
    d = second_order._row_combination(c, V)
    assert d.dtype == dtype and d.shape == (n,)
    assert d.tobytes() == expected.tobytes()


@pytest.mark.parametrize("has_vecdot", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 2, 3, 8, 33, 100, 2048])
def test_row_dots_are_np_dot_bit_for_bit(monkeypatch, has_vecdot, dtype, n):
    """_row_dots(V, w) is [np.dot(v, w) for v in V] bit for bit, with np.vecdot (numpy >= 2) and
    with the one-call-per-row fallback of older numpy."""
    if has_vecdot and not hasattr(np, "vecdot"):
        pytest.skip("numpy < 2 has no vecdot")
    monkeypatch.setattr(second_order, "_HAS_VECDOT", has_vecdot)
    rng = np.random.default_rng(n)
    V = (rng.standard_normal((21, n)) * 10.0 ** rng.integers(-8, 8, (21, n))).astype(dtype)
    w = rng.standard_normal(n).astype(dtype)
    got = second_order._row_dots(V, w)
    expected = np.array([np.dot(v, w) for v in V])
    assert got.dtype == dtype and got.tobytes() == expected.tobytes()
    assert second_order._row_dots(V[:0], w).shape == (0,)


@pytest.mark.parametrize("memory", [10, 40])
def test_lbfgs_path_is_chosen_by_n_and_the_size_of_the_stacked_array(monkeypatch, memory):
    """Stacked while n <= _STACK_MAX_N and (2m + 1) n <= _STACK_MAX_ENTRIES (n <= 2048 at m = 10,
    n <= 1618 at m = 40), separate beyond: only the separate path calls _combine."""
    calls = []
    combine = second_order._combine
    monkeypatch.setattr(second_order, "_combine", lambda *a: (calls.append(1), combine(*a)))
    limit = min(second_order._STACK_MAX_N,
                second_order._STACK_MAX_ENTRIES // (2 * memory + 1))
    assert limit == {10: 2048, 40: 1618}[memory]
    for n, separate in ((limit, False), (limit + 1, True)):
        calls.clear()
        _run_quadratic(lbfgs(memory=memory), n, 0, 3)
        assert bool(calls) is separate


def test_lbfgs_float32_stays_float32_and_matches_float64():
    run32 = _run_quadratic(lbfgs(memory=4), 500, 0, 8, dtype=np.float32)
    for g, d, state in run32:
        assert d.dtype == np.float32
        assert all(a.dtype == np.float32 for a in state.S + state.Y + (state.SY, state.YY))
        pairs = [(s.astype(np.float64), y.astype(np.float64)) for s, y in zip(state.S, state.Y)]
        expected = reference_two_loop(pairs, g.astype(np.float64))
        assert np.linalg.norm(d - expected) <= 1e-4 * np.linalg.norm(expected)


def test_lbfgs_shares_pairs_between_states_instead_of_copying():
    """Dropping the oldest pair is a tuple slice: the new state holds the very arrays of the old
    one (the purity tests check that none of them is ever written)."""
    out = _run_quadratic(lbfgs(memory=3), 50, 1, 6)
    for (_, _, old), (_, _, new) in zip(out[3:], out[4:]):
        assert old.count == new.count == 3
        assert all(a is b for a, b in zip(old.S[1:] + old.Y[1:], new.S[:-1] + new.Y[:-1]))


def test_lbfgs_step_allocates_o_n_not_o_mn():
    """One step with a full memory of m = 10 pairs at n = 10^5 allocates a few n-vectors (x, g,
    s, y and d: 5 n), not (m, n) arrays: the rebuilt buffers of the earlier implementation
    allocated 2 m n. Peak traced allocation < 8 n floats (deterministic with tracemalloc)."""
    import tracemalloc

    n = 10**5
    out = _run_quadratic(lbfgs(memory=10), n, 2, 12)
    g, _, state = out[-1]
    assert state.count == 10
    x = state.x_prev - 0.1 * g
    rule = lbfgs(memory=10)
    rule.step(state, x, g)  # warm up (lazy imports)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        rule.step(state, x, 2.0 * g)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * n * 8


# ------------------------------------------------------------------------------------------------
# 4. BFGS: secant condition, symmetry, positive definiteness, skipped pairs


@given(st.integers(1, 3).flatmap(lambda n: st.tuples(frac_vec(n), frac_vec(n),
                                                     st.lists(st.tuples(frac_vec(n), frac_vec(n)),
                                                              min_size=1, max_size=4))))
@settings(max_examples=50)
def test_bfgs_secant_symmetry_pd_and_skip_exact(data):
    x0, g0, steps = data
    rule = bfgs(curvature_tol=0)
    x, g = x0, g0
    d, state = rule.step(rule.init(x0), x, g)
    assert exact_equal(state.B, np.eye(len(x0), dtype=int)) and exact_equal(d, -g)  # B_0 = I
    for s, y in steps:
        x, g = x + s, g + y
        B_old, skipped_old = state.B, state.n_skipped
        d, state = rule.step(state, x, g)
        if np.dot(y, s) > 0:
            assert state.n_skipped == skipped_old
            assert exact_equal(state.B.dot(y), s)             # secant condition B_{k+1} y_k = s_k
            assert exact_equal(state.B, state.B.T)            # symmetric
            assert exact_is_positive_definite(state.B)        # PD (B_0 = I and y^T s > 0 so far)
        else:
            assert state.n_skipped == skipped_old + 1         # y^T s <= 0: skipped, counted
            assert exact_equal(state.B, B_old)
        assert exact_equal(d, -state.B.dot(g))
        assert all_fractions(state.B)


def test_bfgs_curvature_tol_skips_nearly_orthogonal_pairs():
    s, y = np.array([1.0, 0.0]), np.array([1e-3, 1.0])  # y^T s = 1e-3 = 1e-3 ||y|| ||s|| (nearly)
    for tol, skipped in [(0.0, 0), (1e-10, 0), (1e-2, 1)]:
        rule = bfgs(curvature_tol=tol)
        _, state = rule.step(rule.init(np.zeros(2)), np.zeros(2), np.ones(2))
        _, state = rule.step(state, s, np.ones(2) + y)
        assert state.n_skipped == skipped
        assert np.array_equal(state.B, np.eye(2)) == bool(skipped)
    # a pair with y^T s < 0 is skipped whatever the tolerance
    rule = bfgs(curvature_tol=0)
    _, state = rule.step(rule.init(np.zeros(2)), np.zeros(2), np.zeros(2))
    _, state = rule.step(state, s, -y)
    assert state.n_skipped == 1 and np.array_equal(state.B, np.eye(2))


@pytest.mark.parametrize("block", [1, 2, 1 << 18])  # one row per block, two rows, one block
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.lists(st.lists(small_frac, min_size=n, max_size=n), min_size=n, max_size=n),
    frac_vec(n), frac_vec(n))))
@settings(max_examples=30)
def test_bfgs_update_blocks_equal_the_explicit_formula_exact(block, data):
    """bfgs_update row block by row block equals the notes' (I - rho s y^T) B (I - rho y s^T)
    + rho s s^T, with explicit matrices, exactly, for a symmetric B and any block size."""
    import unittest.mock

    M, s, y = data
    assume(np.dot(y, s) != 0)
    B = obj(M) + obj(M).T
    with unittest.mock.patch.object(second_order, "_BLOCK_ENTRIES", block):
        got = optim.bfgs_update(B, s, y)
    n = len(s)
    eye = np.eye(n, dtype=int).astype(object)
    rho = 1 / np.dot(y, s)
    expected = (eye - rho * np.outer(s, y)).dot(B).dot(eye - rho * np.outer(y, s)) \
        + rho * np.outer(s, s)
    assert exact_equal(got, expected) and exact_equal(got, got.T)
    assert exact_equal(B, obj(M) + obj(M).T)  # B not modified


def test_bfgs_update_peak_memory_is_about_one_matrix():
    """B+ (n^2 floats) plus two block-sized temporaries (_BLOCK_ENTRIES floats each) and a few
    n-vectors: at n = 1500 that bound is 1.3 n^2; the earlier form, with whole outer products
    and their sums, peaked at ~5 n^2."""
    import tracemalloc

    n = 1500
    rng = np.random.default_rng(0)
    s, y = rng.standard_normal(n), rng.standard_normal(n)
    y = y if y @ s > 0 else -y
    B = np.eye(n)
    tracemalloc.start()
    try:
        out = optim.bfgs_update(B, s, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert np.array_equal(out, out.T)
    np.testing.assert_allclose(out @ y, s, rtol=0, atol=1e-9 * np.linalg.norm(s))
    assert peak < 8 * (n * n + 3 * second_order._BLOCK_ENTRIES + 10 * n)


@given(st.integers(2, 5), st.integers(0, 2**32 - 1))
@settings(max_examples=40)
def test_bfgs_float_secant_to_roundoff_and_cholesky(n, seed):
    """On a convex quadratic (y^T s = s^T A s > 0) B stays exactly symmetric and PD (Cholesky
    succeeds). The secant residual B y - s is the round-off of B+ = B - rho(s u^T + u s^T) + c s s^T
    applied to y: at most a few eps times the size of its terms, so we allow
    10 n eps (||B|| + 2|rho| ||s|| ||u|| + |c| ||s||^2) ||y||."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = (Q * rng.uniform(1, 10, n)) @ Q.T
    grad = lambda x: A @ x  # noqa: E731
    xs, _, states = run(bfgs(), rng.standard_normal(n), grad, 0.05, 8)
    for k in range(1, 8):
        B_old, B = states[k].B, states[k + 1].B
        s, y = xs[k] - xs[k - 1], grad(xs[k]) - grad(xs[k - 1])
        assert states[k + 1].n_skipped == 0
        assert np.array_equal(B, B.T)
        np.linalg.cholesky(B)  # raises LinAlgError if B is not positive definite
        rho, u = 1 / (y @ s), B_old @ y
        c = rho * (1 + rho * (y @ u))
        scale = np.linalg.norm(B_old, 2) + 2 * abs(rho) * np.linalg.norm(s) * np.linalg.norm(u) \
            + abs(c) * (s @ s)
        assert np.linalg.norm(B @ y - s) <= 10 * n * EPS * scale * np.linalg.norm(y)


# ------------------------------------------------------------------------------------------------
# 5. Newton


@st.composite
def spd_matrix(draw, max_log_cond=6):
    n = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    lam = 10.0 ** rng.uniform(-max_log_cond / 2, max_log_cond / 2, n)
    A = (Q * lam) @ Q.T
    return (A + A.T) / 2, rng.uniform(-5, 5, n), rng.uniform(-5, 5, n)


@given(spd_matrix())
@settings(max_examples=100)
def test_newton_solves_a_convex_quadratic_in_one_step(data):
    """f(x) = x^T A x / 2 - b^T x. The oracle x* = A^{-1} b is solved exactly in Fractions from the
    float entries of A and b. Error budget (first order, ||.|| = 2-norm, kappa = cond(A)):
    the gradient A x0 - b is computed with error <= n eps (||A|| ||x0|| + ||b||), which A^{-1}
    turns into <= n eps kappa (||x0|| + ||b||/||A||); the eigendecomposition solve is backward
    stable, adding <= c n eps kappa ||d||; forming x0 + d adds eps (||x0|| + ||d||). We allow
    20 n eps kappa (||x0|| + ||b||/||A|| + ||d||) + 2 eps (||x0|| + ||d||)."""
    A, b, x0 = data
    n = len(b)
    rule = newton()
    d, state = rule.step(rule.init(x0), x0, A @ x0 - b, hess=A)
    x_star = np.array([float(v) for v in exact_solve(A.tolist(), b.tolist())])
    kappa = np.linalg.cond(A)
    nA, nx0, nd = np.linalg.norm(A, 2), np.linalg.norm(x0), np.linalg.norm(x_star - x0)
    tol = 20 * n * EPS * kappa * (nx0 + np.linalg.norm(b) / nA + nd) + 2 * EPS * (nx0 + nd)
    assert np.linalg.norm(x0 + d - x_star) <= tol
    assert state.n_modified == 0


@given(st.integers(1, 5), st.integers(0, 2**32 - 1), st.sampled_from(["indefinite", "singular"]))
@settings(max_examples=100)
def test_newton_indefinite_or_singular_hessian_gives_descent_and_is_counted(n, seed, kind):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    lam = rng.choice([-1, 1], n) * rng.uniform(0.1, 10, n)
    lam[rng.integers(n)] = -rng.uniform(0.1, 10) if kind == "indefinite" else 0.0
    H = (Q * lam) @ Q.T
    H = (H + H.T) / 2
    g = rng.uniform(-1, 1, n)
    assume(np.linalg.norm(g) > 0.1)
    rule = newton(min_curvature=1e-8)
    state = rule.init(g)
    d, state = rule.step(state, np.zeros(n), g, hess=H)
    assert g @ d < 0  # descent
    assert state.n_modified == 1
    # the documented modification: eigenvalues -> max(|lam|, tau), tau = mu max(1, max|lam|)
    tau = 1e-8 * max(1.0, np.max(np.abs(lam)))
    expected = -(Q / np.maximum(np.abs(lam), tau)) @ (Q.T @ g)
    # |lam| >= 0.1 or = 0 (-> tau): the modified inverse is well-conditioned except along the
    # singular direction, whose 1/tau factor is exact in both; rtol covers eigh's round-off
    if kind == "indefinite":
        np.testing.assert_allclose(d, expected, rtol=1e-9, atol=1e-9 * np.linalg.norm(expected))
    # a positive definite Hessian is not counted
    _, state = rule.step(state, np.zeros(n), g, hess=np.eye(n))
    assert state.n_modified == 1


def test_newton_needs_the_hessian():
    rule = newton()
    assert rule.needs_hess and rule.counters == ("n_modified",)
    with pytest.raises(ValueError, match="hess"):
        rule.step(rule.init(np.zeros(2)), np.zeros(2), np.ones(2))


# ------------------------------------------------------------------------------------------------
# 6. PyTorch equivalence (stored torch run; torch is not imported)


REFERENCE = json.loads((DATA / "torch_reference.json").read_text())


def _run_rosenbrock(method, options, steps):
    """quantopt's iterates x_0..x_steps on the reference problem (rosen_der as the gradient)."""
    opts = dict(options)
    lr = opts.pop("lr")
    rule = RULES[method](**opts)
    x = np.array(REFERENCE["x0"], dtype=np.float64)
    state = rule.init(x)
    path = [x]
    for _ in range(steps):
        d, state = rule.step(state, x, rosen_der(x))
        x = x + lr * d
        path.append(x)
    return np.array(path)


#: torch.optim's options (issue 15): each must change the run where a case sets it
TORCH_OPTIONS = ("weight_decay", "dampening", "lr_decay", "initial_accumulator_value",
                 "centered", "momentum", "amsgrad")


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=[c["name"] for c in REFERENCE["cases"]])
def test_iterates_match_torch_optim(case):
    """Same algorithm, different code: torch's kernels order some operations differently (e.g.
    Adam's sqrt(v)/sqrt(1 - beta2^t), AdamW's p*(1 - lr*wd), Adagrad's lr/(1 + (t-1)*lr_decay),
    RMSprop's lerp for the centered average, add with alpha for weight decay) and scipy's
    rosen_der is not torch's gradient expression, so the iterates may differ by round-off: a few
    eps per step, amplified over 25 steps by the iteration map's Jacobian (at most
    (1 + lr ||Hessian||)^25 ~ 1.1 for SGD here). Measured: at most 4.5e-16 relative over all
    cases (torch 2.13.0). 1e-12 relative to the iterates' scale leaves ample margin for that and
    fails for any change of the update rule (a different eps placement, momentum form, step
    counter or option semantics moves the iterates by > 1e-6; the option check below shows that
    each option set in a case moves the run by far more than 1e-12).
    The test is norm-wise (scale max(1, max|x|)) because components pass near 0, where an
    elementwise relative test would measure round-off of a cancellation."""
    assert REFERENCE["torch_version"].startswith("2.13.0")
    ours = _run_rosenbrock(case["method"], case["options"], REFERENCE["steps"])
    torch_path = np.array(case["path"])
    assert ours.shape == torch_path.shape == (REFERENCE["steps"] + 1, 3)
    scale = np.maximum(1.0, np.max(np.abs(torch_path), axis=1))
    assert np.all(np.max(np.abs(ours - torch_path), axis=1) <= 1e-12 * scale)
    assert np.max(np.abs(torch_path[-1] - torch_path[0])) > 0.05  # the run goes somewhere
    # each of torch's options set in this case matters: without it the run ends elsewhere
    params = inspect.signature(RULES[case["method"]]).parameters
    defaults = {k: p.default for k, p in params.items()}
    for name in TORCH_OPTIONS:
        if name in case["options"] and case["options"][name] != defaults[name]:
            without = _run_rosenbrock(case["method"], {**case["options"], name: defaults[name]},
                                      REFERENCE["steps"])
            assert np.max(np.abs(without[-1] - torch_path[-1])) > 1e-8, name


def test_torch_reference_covers_every_option():
    """issue 15 (torch.optim's options): the stored runs set each new option of each rule."""
    covered = {(c["method"], k) for c in REFERENCE["cases"] for k in c["options"]}
    for method, name in [("gd", "weight_decay"), ("sgd", "weight_decay"),
                         ("momentum", "weight_decay"), ("momentum", "dampening"),
                         ("nesterov", "weight_decay"), ("adagrad", "weight_decay"),
                         ("adagrad", "lr_decay"), ("adagrad", "initial_accumulator_value"),
                         ("rmsprop", "weight_decay"), ("rmsprop", "centered"),
                         ("rmsprop", "momentum"), ("adam", "weight_decay"), ("adam", "amsgrad"),
                         ("adamw", "weight_decay"), ("adamw", "amsgrad")]:
        assert (method, name) in covered, (method, name)


# ------------------------------------------------------------------------------------------------
# 7. Purity, Adam's step counter and bias correction, eps outside the square root


def _snapshot(state):
    """Deep copies of the state's arrays, also inside tuple fields (L-BFGS's pairs)."""
    def copy(f):
        if isinstance(f, np.ndarray):
            return np.array(f, copy=True)
        if isinstance(f, tuple):
            return tuple(copy(e) for e in f)
        return f
    return tuple(copy(f) for f in state)


def _same(snapshot, state) -> bool:
    def same(a, b):
        if isinstance(a, np.ndarray):
            return (isinstance(b, np.ndarray) and a.dtype == b.dtype
                    and np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
        if isinstance(a, tuple):
            return isinstance(b, tuple) and len(a) == len(b) and all(map(same, a, b))
        return a == b
    return all(same(a, b) for a, b in zip(snapshot, state))


float_entries = st.floats(-10, 10, allow_nan=False, width=64)


def _check_pure_step(rule, state, x, g, H):
    """One step: no input or state array is modified, and the new state aliases nothing the caller
    (or the driver, through d) may modify afterwards. Returns the new state."""
    copies = [a.copy() for a in (x, g, H)]
    before = _snapshot(state)
    d, new_state = rule.step(state, x, g, H)
    assert _same(before, state), f"{rule.name} modified its state in place"
    for a, c in zip((x, g, H), copies):
        assert np.array_equal(a, c), f"{rule.name} modified an input in place"
    assert type(new_state) is type(state) and d.shape == x.shape
    after = _snapshot(new_state)
    x[...] = np.nan
    g[...] = np.nan
    d[...] = np.nan
    assert _same(after, new_state), f"{rule.name}'s state aliases x, g or d"
    return new_state


@pytest.mark.parametrize("method", METHODS)
@given(data=st.integers(1, 4).flatmap(
    lambda n: st.lists(st.lists(float_entries, min_size=2 * n + n * n, max_size=2 * n + n * n),
                       min_size=3, max_size=3).map(lambda rows: (n, rows))))
@settings(max_examples=25)
def test_step_never_modifies_its_inputs_or_aliases_them(method, data):
    n, rows = data
    rule = RULES[method]()
    state = rule.init(np.array(rows[0][:n]))
    for row in rows:
        H = np.array(row[2 * n:]).reshape(n, n)
        state = _check_pure_step(rule, state, np.array(row[:n]), np.array(row[n:2 * n]), H + H.T)


@pytest.mark.parametrize("method", METHODS)
def test_step_is_pure_along_a_convex_run(method):
    """The same checks along a run on a convex quadratic, where BFGS and L-BFGS accept every pair
    (so their buffers are written: L-BFGS with memory 2 both fills and shifts its buffer)."""
    A = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]])
    rule = RULES[method](memory=2) if method == "lbfgs" else RULES[method]()
    x = np.array([1.0, -2.0, 0.5])
    state = rule.init(x)
    for _ in range(5):
        d, _ = rule.step(state, x, A @ x, A)
        state = _check_pure_step(rule, state, x.copy(), A @ x, A.copy())
        x = x + 0.1 * d
    if method in ("bfgs", "lbfgs"):
        assert state.n_skipped == 0 and state.k == 5
    if method == "lbfgs":
        assert state.count == 2


@given(st.lists(st.floats(1e-3, 1e3) | st.floats(-1e3, -1e-3), min_size=1, max_size=6))
def test_adam_first_step_is_sign_of_gradient(g):
    """t = 1 on the first step: m_hat = g and v_hat = g^2, so d = -g/|g| for eps -> 0. (A counter
    starting at 0 divides by 1 - beta^0 = 0; one starting at 2 gives |d| = sqrt(1 - beta2^2)/(1 -
    beta1^2) * (1-beta1)/sqrt(1-beta2) != 1.) A few ulps of round-off: 8 eps."""
    g = np.array(g)
    rule = adam(eps=1e-300)
    d, state = rule.step(rule.init(g), np.zeros_like(g), g)
    assert state.t == 1
    np.testing.assert_allclose(d, -np.sign(g), rtol=8 * EPS, atol=0)


@given(st.integers(0, 30))
@settings(max_examples=31)
def test_adam_step_counter_counts_steps(k):
    rule = adam()
    state = rule.init(np.zeros(2))
    assert state.t == 0
    for _ in range(k):
        _, state = rule.step(state, np.zeros(2), np.array([1.0, -2.0]))
    assert state.t == k


def test_adam_bias_correction_with_constant_gradient():
    """With g constant, m_hat = g and v_hat = g^2 at every t (exact bias correction):
    d = -g/(|g| + eps)."""
    g = np.array([0.5, -2.0, 3.0])
    rule = adam(beta1=0.8, beta2=0.9, eps=1e-7)
    state = rule.init(g)
    for _ in range(20):
        d, state = rule.step(state, g, g)
        np.testing.assert_allclose(d, -g / (np.abs(g) + 1e-7), rtol=1e-13)


def test_eps_is_added_outside_the_square_root():
    """g = 1e-8, eps = 1e-7: outside, d = -g/(sqrt(acc) + eps) ~ -0.09; inside, -g/sqrt(acc + eps)
    ~ -3e-5: a factor ~3000 apart."""
    g = np.array([1e-8])
    cases = [
        (adagrad(eps=1e-7), g * g),                       # G_1 = g^2
        (rmsprop(decay_rate=0.99, eps=1e-7), 0.01 * g * g),   # s_1 = (1 - delta) g^2
        (adam(eps=1e-7), g * g),                          # v_hat_1 = g^2
    ]
    for rule, acc in cases:
        d, _ = rule.step(rule.init(g), g, g)
        outside, inside = -g / (np.sqrt(acc) + 1e-7), -g / np.sqrt(acc + 1e-7)
        assert abs(outside[0] / inside[0]) > 100
        np.testing.assert_allclose(d, outside, rtol=1e-12), rule.name


def _equations_block(doc: str) -> str:
    """The indented literal block after 'Equations::' (doc as given by inspect.getdoc)."""
    block = doc.split("Equations::", 1)[1]
    lines = block.splitlines()[1:]
    out = []
    for line in lines:
        if line.strip() and not line.startswith(" "):
            break
        out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("method", METHODS)
def test_docstrings_carry_math_options_and_examples(method):
    """Every factory has LaTeX, a plain Equations block and an example; every option the block names
    is an argument (or the driver's lr), and every argument is named (no stale names)."""
    factory = RULES[method]
    doc = inspect.getdoc(factory)
    assert ".. math::" in doc and "Equations::" in doc and "Examples" in doc and ">>>" in doc
    block = _equations_block(doc)
    named = set(re.findall(r"option (\w+)", block))
    params = set(inspect.signature(factory).parameters)
    assert params <= named, f"{method}: arguments missing from Equations: {params - named}"
    assert named - {"lr"} <= params, f"{method}: Equations names unknown options {named - params}"
    assert set(factory().hyper) == params
    if "eps" in params:  # eps after the square root, in the docs as in the code
        assert re.search(r"sqrt\([^)]*\)\s*\+\s*eps", block)
        assert not re.search(r"sqrt\([^)]*eps", block)


@pytest.mark.parametrize("module", [first_order, adaptive, second_order])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5
    assert result.failed == 0


# ------------------------------------------------------------------------------------------------
# 8. Hyperparameter validation and the registry


@pytest.mark.parametrize("factory, kwargs, exc, name", [
    (momentum, {"momentum": 1.0}, ValueError, "momentum"),
    (momentum, {"momentum": -0.1}, ValueError, "momentum"),
    (momentum, {"momentum": F(1)}, ValueError, "momentum"),
    (momentum, {"momentum": "0.9"}, TypeError, "momentum"),
    (nesterov, {"momentum": 1.5}, ValueError, "momentum"),
    (adagrad, {"eps": 0.0}, ValueError, "eps"),
    (adagrad, {"eps": float("inf")}, ValueError, "eps"),
    (rmsprop, {"decay_rate": 1.0}, ValueError, "decay_rate"),
    (rmsprop, {"eps": -1e-7}, ValueError, "eps"),
    (adam, {"beta1": 1.0}, ValueError, "beta1"),
    (adam, {"beta2": -0.5}, ValueError, "beta2"),
    (adam, {"beta1": True}, TypeError, "beta1"),
    (adam, {"eps": 0}, ValueError, "eps"),
    (newton, {"min_curvature": 0.0}, ValueError, "min_curvature"),
    (bfgs, {"curvature_tol": -1e-3}, ValueError, "curvature_tol"),
    (bfgs, {"curvature_tol": float("nan")}, ValueError, "curvature_tol"),
    (bfgs, {"curvature_tol": None}, TypeError, "curvature_tol"),
    (lbfgs, {"memory": 0}, ValueError, "memory"),
    (lbfgs, {"memory": 2.0}, TypeError, "memory"),
    (lbfgs, {"memory": True}, TypeError, "memory"),
    (lbfgs, {"curvature_tol": -1.0}, ValueError, "curvature_tol"),
])
def test_invalid_hyperparameters_are_rejected_by_name(factory, kwargs, exc, name):
    with pytest.raises(exc, match=name):
        factory(**kwargs)


def test_valid_edge_hyperparameters_are_accepted():
    assert momentum(momentum=0).hyper == {"momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0}
    assert momentum(momentum=F(9, 10)).hyper["momentum"] == F(9, 10)
    assert adam(beta1=0.0, beta2=0.0).hyper["beta2"] == 0.0
    assert lbfgs(memory=np.int64(3)).hyper["memory"] == 3
    assert bfgs(curvature_tol=0).hyper["curvature_tol"] == 0.0


def test_registry_has_all_methods():
    assert set(RULES) == set(METHODS)
    for name, factory in RULES.items():
        rule = factory()
        assert isinstance(rule, UpdateRule) and rule.name == name
        assert getattr(optim, name) is factory and name in optim.__all__
        assert rule.needs_hess == (name == "newton")
    assert RULES["bfgs"]().counters == ("n_skipped",)
    assert RULES["lbfgs"]().counters == ("n_skipped", "n_damped")
    assert sgd().step(sgd().init(np.zeros(1)), np.zeros(1), np.array([2.0]))[0][0] == -2.0
    assert gd().name == "gd"


@pytest.mark.parametrize("method", ["momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_float32_stays_float32(method):
    rule = RULES[method]()
    x = np.ones(3, dtype=np.float32)
    state = rule.init(x)
    d, state = rule.step(state, x, np.full(3, 0.5, dtype=np.float32))
    assert d.dtype == np.float32
    assert all(f.dtype == np.float32 for f in state if isinstance(f, np.ndarray))


@pytest.mark.parametrize("method", ["newton", "bfgs", "lbfgs"])
def test_second_order_rules_accept_any_shape(method):
    rule = RULES[method]()
    x = np.arange(4.0).reshape(2, 2)
    state = rule.init(x)
    for t in range(3):
        d, state = rule.step(state, x, 2 * x + 1, 2 * np.eye(4))
        assert d.shape == (2, 2)
        x = x + 0.25 * d


# ------------------------------------------------------------------------------------------------
# 9. AdaGrad's accumulator and RMSProp's moving average


@given(st.lists(st.lists(st.floats(-100, 100, allow_subnormal=False), min_size=3, max_size=3),
                min_size=1, max_size=30),
       st.floats(1e-3, 1.0))
def test_adagrad_accumulator_grows_and_effective_step_shrinks(grads, lr):
    rule = adagrad()
    state = rule.init(np.zeros(3))
    G_prev = state.G
    step_prev = np.full(3, np.inf)
    for g in grads:
        g = np.array(g)
        d, state = rule.step(state, np.zeros(3), g)
        assert np.all(state.G >= G_prev)
        effective = lr / (np.sqrt(state.G) + 1e-7)  # x moves by effective * (-g)
        assert np.all(effective <= step_prev)
        np.testing.assert_allclose(lr * d, -effective * g, rtol=4 * EPS, atol=1e-300)
        G_prev, step_prev = state.G, effective
    np.testing.assert_allclose(state.G, np.sum(np.array(grads) ** 2, axis=0), rtol=1e-12)


@given(st.floats(0.0, 0.999),
       st.lists(st.floats(1e-100, 1e3) | st.floats(-1e3, -1e-100) | st.just(0.0),  # g^2 normal
                min_size=1, max_size=4),
       st.integers(1, 60))
def test_rmsprop_is_an_exponential_moving_average(delta, g, steps):
    """Constant g: s_t = (1 - delta^t) g^2, evaluated exactly in Fractions (in floats, 1 - delta^t
    cancels for delta near 1 and would be the less accurate side). Each step of the recursion
    rounds four times (1 - delta, g*g, two products and a sum: <= 4 eps relative, all terms
    positive) and delta < 1 damps old errors, so after t steps the relative error is <= 4 t eps."""
    g = np.array(g)
    rule = rmsprop(decay_rate=delta)
    state = rule.init(g)
    delta_t, g2 = F(1), [F(gi) ** 2 for gi in g]
    for t in range(1, steps + 1):
        _, state = rule.step(state, g, g)
        delta_t *= F(delta)
        exact = [float((1 - delta_t) * gi2) for gi2 in g2]
        np.testing.assert_allclose(state.s, exact, rtol=4 * t * EPS, atol=0)


# ------------------------------------------------------------------------------------------------
# 10. Every rule's init and step check their arguments (issue 15 item 6): in UpdateRule, so that
#     no rule can forget; errors name the argument.


@pytest.mark.parametrize("method", METHODS)
def test_step_refuses_a_state_of_another_type(method):
    """issue 15 item 6: momentum().step(None, x, g) raised AttributeError."""
    rule = RULES[method]()
    x, g, H = np.zeros(3), np.ones(3), np.eye(3)
    for bad in (None, (), rule.init(x)[:-1] if len(rule.init(x)) > 1 else 0):
        with pytest.raises(TypeError, match="state must be a"):
            rule.step(bad, x, g, H)
    other = RULES["adam" if method in ("gd", "sgd") else "gd"]()  # gd and sgd share GDState
    with pytest.raises(TypeError, match="state must be a"):
        rule.step(other.init(x), x, g, H)


@pytest.mark.parametrize("method", METHODS)
def test_step_refuses_g_of_another_shape(method):
    """issue 15 item 6: a g of shape (1,) broadcast silently against x of shape (3,)."""
    rule = RULES[method]()
    x = np.zeros(3)
    state = rule.init(x)
    for g in (np.ones(1), np.ones((3, 1)), np.ones(4), np.float64(1.0)):
        with pytest.raises(ValueError, match=r"g must have x's shape \(3,\)"):
            rule.step(state, x, g, np.eye(3))


@pytest.mark.parametrize("method", METHODS)
def test_step_refuses_non_arrays_and_non_reals(method):
    rule = RULES[method]()
    x = np.zeros(2)
    state = rule.init(x)
    with pytest.raises(TypeError, match="g must be a numpy array"):
        rule.step(state, x, [1.0, 2.0], np.eye(2))
    with pytest.raises(TypeError, match="x must be a numpy array"):
        rule.step(state, None, np.ones(2), np.eye(2))
    with pytest.raises(TypeError, match="g must be a real array"):
        rule.step(state, x, np.ones(2, dtype=complex), np.eye(2))
    with pytest.raises(TypeError, match="g must be a real array"):
        rule.step(state, x, np.ones(2, dtype=bool), np.eye(2))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("x0, match", [
    (None, "x0 must be a real array"),
    (np.array([1 + 2j, 0j]), "x0 must be a real array"),
    (np.array([True, False]), "x0 must be a real array"),
    ("12", "x0 must be a real array"),
    ([[1.0, 2.0], [3.0]], "x0 must be a real"),
    (np.array([F(1), "a"], dtype=object), "x0: an object array must hold real numbers"),
])
def test_init_refuses_what_is_not_a_real_array(method, x0, match):
    """issue 15 item 6: rule.init(None) was accepted."""
    with pytest.raises(TypeError, match=match):
        RULES[method]().init(x0)


def test_init_and_step_keep_accepting_reals_lists_and_fractions():
    for method in ["gd", "momentum", "nesterov"]:
        rule = RULES[method](momentum=F(1, 2)) if method != "gd" else RULES[method]()
        x = np.array([F(1, 3), F(-2)], dtype=object)
        d, state = rule.step(rule.init(x), x, np.array([F(1), 2], dtype=object))
        assert all(isinstance(v, (F, int)) for v in d)
    assert adam().init([1.0, 2.0]).m.shape == (2,)                  # a list of floats
    assert adam().init(np.arange(3)).m.dtype == np.float64          # integers
    assert adam().init(np.ones(2, np.float32)).m.dtype == np.float32


@pytest.mark.parametrize("method", ["newton", "bfgs", "lbfgs", "cg", "langevin"])
def test_generic_step_inplace_checks_the_state(method):
    """issue 15 item 6: the generic step_inplace never checked state."""
    rule = RULES[method]()
    x, g = np.zeros(2), np.ones(2)
    with pytest.raises(TypeError, match="state must be a"):
        rule.step_inplace(None, x, g, 0.1, np.eye(2))
    np.testing.assert_array_equal(x, np.zeros(2))  # nothing written


def test_newton_hess_checked_by_the_rule_wrapper():
    rule = newton()
    x = np.zeros(2)
    with pytest.raises(ValueError, match="newton needs the Hessian"):
        rule.step(rule.init(x), x, np.ones(2))
    with pytest.raises(ValueError, match=r"hess must have x.size\*\*2 = 4 entries"):
        rule.step(rule.init(x), x, np.ones(2), np.eye(3))
    d, _ = rule.step(rule.init(x), x, np.ones(2), np.eye(2))  # valid: no error
    np.testing.assert_allclose(d, -np.ones(2))


def test_state_type_is_read_from_init_annotation_and_user_rules_are_not_checked():
    from quantopt.optim.base import state_type_of
    assert state_type_of(tuple.__getitem__(adam(), 1)).__name__ == "AdamState"
    toy = UpdateRule("toy", lambda x0: 0, lambda s, x, g, h=None: (-g, s + 1), {})
    d, s = toy.step(41, np.zeros(1), np.ones(1))  # no annotation: any state
    assert s == 42
    with pytest.raises(ValueError, match="g must have"):
        toy.step(0, np.zeros(2), np.ones(1))


def test_langevin_seed_uses_the_shared_seed_vocabulary():
    """issue 15 item 13: langevin's seed is checked by _checks.check_seed (the one vocabulary
    for seeds): SeedSequence and BitGenerator seeds are accepted, and refusals name seed with
    the same words as everywhere else."""
    from quantopt import _checks
    from quantopt.optim import langevin
    ss_key = langevin(seed=np.random.SeedSequence(3)).hyper["seed"]
    assert ss_key == np.random.default_rng(np.random.SeedSequence(3)).integers(0, 2**63)
    bg_key = langevin(seed=np.random.PCG64(4)).hyper["seed"]
    assert bg_key == np.random.default_rng(np.random.PCG64(4)).integers(0, 2**63)
    assert langevin(seed=np.int64(9)).hyper["seed"] == 9
    for bad in (-1, 1.5, True, "7"):
        with pytest.raises((TypeError, ValueError)) as ours:
            langevin(seed=bad)
        with pytest.raises((TypeError, ValueError)) as shared:
            _checks.check_seed("seed", bad)
        assert type(ours.value) is type(shared.value) and str(ours.value) == str(shared.value)
