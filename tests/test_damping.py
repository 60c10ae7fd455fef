"""Powell's damping in L-BFGS (lbfgs(damping=True)), against oracles written here.

Oracles: numbers worked out by hand; a dense L-BFGS with damping in exact rational arithmetic
(numpy object arrays of Fractions, the BFGS update in the notes' product form, built here);
Sylvester's criterion in Fractions for positive definiteness; the damping decisions replayed in
floats from a driver's path; and the same rule with damping=False, which must give the same
bits whenever no pair fails the curvature test.
"""
from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import quantopt as qo
from quantopt import problems
from quantopt.optim import lbfgs, lbfgs_inverse_hessian

# ------------------------------------------------------------------------------------------------
# exact helpers (independent of quantopt.optim.second_order)

small_frac = st.fractions(min_value=-3, max_value=3, max_denominator=4)


def obj(values) -> np.ndarray:
    return np.array(values, dtype=object)


def frac_vec(n: int):
    return st.lists(small_frac, min_size=n, max_size=n).map(obj)


def dot(a, b):
    return sum((F(u) * F(v) for u, v in zip(a, b)), F(0))


def exact_equal(a, b) -> bool:
    return np.asarray(a).shape == np.asarray(b).shape and bool(np.all(obj(a) == obj(b)))


def exact_is_positive_definite(M) -> bool:
    """Sylvester's criterion by Gaussian elimination without pivoting: a symmetric matrix is PD
    iff every pivot is > 0 (the pivots are ratios of leading principal minors). Exact."""
    A = [[F(e) for e in row] for row in np.asarray(M)]
    n = len(A)
    for k in range(n):
        if A[k][k] <= 0:
            return False
        for i in range(k + 1, n):
            f = A[i][k] / A[k][k]
            for j in range(k, n):
                A[i][j] -= f * A[k][j]
    return True


def dense_inverse_bfgs(pairs, gamma) -> np.ndarray:
    """H_0 = gamma I, H+ = (I - rho s y^T) H (I - rho y s^T) + rho s s^T (the notes' form), oldest
    pair first: the matrix L-BFGS applies, formed densely in Fractions."""
    n = len(pairs[0][0]) if pairs else 0
    eye = np.eye(n, dtype=int).astype(object)
    H = eye * gamma
    for s, y in pairs:
        rho = 1 / dot(y, s)
        H = (eye - rho * np.outer(s, y)).dot(H).dot(eye - rho * np.outer(y, s)) + \
            rho * np.outer(s, s)
    return H


def damped_lbfgs_oracle(x0, g0, steps, memory):
    """Dense L-BFGS with Powell's damping (tol = 0), step by step; yields, after each step,
    (kept pairs, d, n_damped, n_skipped, record) with record = (s, y, y_d, gamma_prev) for a
    damped pair, else None."""
    kept, n_damped, n_skipped = [], 0, 0
    x, g = x0, g0
    gamma = F(1)                     # the gamma of the last direction (no pair yet: 1)
    for s, y in steps:
        x, g = x + s, g + y
        record = None
        if dot(y, s) > 0:
            kept = (kept + [(s, y)])[-memory:]
        else:
            Bs = obj([F(e) / gamma for e in s])                  # B_0 s, B_0 = I / gamma
            sBs = dot(s, Bs)
            if sBs > 0 and dot(s, y) < F(1, 5) * sBs:
                theta = F(4, 5) * sBs / (sBs - dot(s, y))
                y_d = obj([theta * F(a) + (1 - theta) * b for a, b in zip(y, Bs)])
                kept = (kept + [(s, y_d)])[-memory:]
                n_damped += 1
                record = (s, y, y_d, gamma)
            else:
                n_skipped += 1
        if kept:
            s_new, y_new = kept[-1]
            gamma = dot(s_new, y_new) / dot(y_new, y_new)
            d = -dense_inverse_bfgs(kept, gamma).dot(g)
        else:
            gamma = F(1)
            d = -g
        yield kept, d, n_damped, n_skipped, record


# ------------------------------------------------------------------------------------------------
# 1. the damped pair, worked out by hand


def test_damped_pair_by_hand_first_pair():
    """No pair stored: gamma = 1, B_0 = I. s = (-1, 0), y = (1, 1): s^T y = -1, s^T B s = 1,
    theta = 0.8 * 1 / (1 + 1) = 2/5, y_d = 2/5 (1, 1) + 3/5 (-1, 0) = (-1/5, 2/5),
    s^T y_d = 1/5 = 0.2 s^T B s."""
    rule = lbfgs(curvature_tol=0)
    x0, g0 = obj([F(0), F(0)]), obj([F(1), F(0)])
    _, state = rule.step(rule.init(x0), x0, g0)
    _, state = rule.step(state, obj([F(-1), F(0)]), obj([F(2), F(1)]))
    assert state.n_damped == 1 and state.n_skipped == 0 and state.count == 1
    assert exact_equal(state.S[0], [F(-1), F(0)])
    assert exact_equal(state.Y[0], [F(-1, 5), F(2, 5)])


def test_damped_pair_by_hand_uses_the_gamma_of_the_step_taken():
    """Pair 1: s = (1, 0), y = (2, 0) passes; gamma = 2/4 = 1/2. Pair 2: s = (0, 1), y = (0, -1)
    fails. B s = s / gamma = (0, 2), s^T B s = 2, theta = 0.8 * 2 / (2 + 1) = 8/15,
    y_d = 8/15 (0, -1) + 7/15 (0, 2) = (0, 2/5), s^T y_d = 2/5 = 0.2 * 2. The pairs act on
    orthogonal axes, so H = diag(1/2, 1 / (2/5)) = diag(1/2, 5/2) whatever gamma:
    d = -H (3, 1) = (-3/2, -5/2). With damping=False pair 2 is skipped, gamma = 1/2, H = I/2:
    d = (-3/2, -1/2)."""
    points = [((0, 0), (1, 1)), ((1, 0), (3, 1)), ((1, 1), (3, 0))]
    expected = {True: ([F(-3, 2), F(-5, 2)], 1, 0, 2), False: ([F(-3, 2), F(-1, 2)], 0, 1, 1)}
    last_g = obj([F(3), F(1)])
    for damping, (d_exp, n_damped, n_skipped, count) in expected.items():
        rule = lbfgs(curvature_tol=0, damping=damping)
        state = rule.init(obj([F(0), F(0)]))
        for x, g in points:
            _, state = rule.step(state, obj([F(v) for v in x]), obj([F(v) for v in g]))
        assert (state.n_damped, state.n_skipped, state.count) == (n_damped, n_skipped, count)
        if damping:
            assert exact_equal(state.Y[1], [F(0), F(2, 5)])
            assert state.gamma == F(5, 2)              # (2/5) / (4/25)
        # the direction at the last point, for a new gradient there (same pairs, same gamma)
        d, _ = rule.step(state, obj([F(1), F(1)]), last_g)
        assert exact_equal(d, d_exp)


def test_damped_pair_must_pass_the_same_curvature_test():
    """s = (-1, 0), y = (0, 10): y^T s = 0 fails; B = I, theta = 0.8 * 1 / (1 - 0) = 0.8,
    y_d = (-1/5, 8), s^T y_d = 1/5. With tol = 1/2 the damped pair fails too
    (1/5 <= 1/2 * |y_d| * 1, |y_d| > 8) and is skipped; with the default tol it is stored."""
    for tol, (n_damped, n_skipped) in ((0.5, (0, 1)), (1e-10, (1, 0))):
        rule = lbfgs(curvature_tol=tol)
        x0, g0 = obj([F(0), F(0)]), obj([F(1), F(0)])
        _, state = rule.step(rule.init(x0), x0, g0)
        _, state = rule.step(state, obj([F(-1), F(0)]), obj([F(1), F(10)]))
        assert (state.n_damped, state.n_skipped, state.count) == (n_damped, n_skipped, n_damped)
        if n_damped:
            assert exact_equal(state.Y[0], [F(-1, 5), F(8)])


def test_zero_step_is_skipped_not_damped():
    """s = 0 (a step rounded to zero on the grid): s^T B s = 0, nothing to damp; skipped."""
    rule = lbfgs(curvature_tol=0)
    x = obj([F(1), F(2)])
    _, state = rule.step(rule.init(x), x, obj([F(1), F(1)]))
    _, state = rule.step(state, x, obj([F(3), F(-1)]))
    assert state.n_skipped == 1 and state.n_damped == 0 and state.count == 0


# ------------------------------------------------------------------------------------------------
# 2. exact oracle, target identity, positive definiteness


@given(st.integers(1, 3).flatmap(lambda n: st.tuples(
    frac_vec(n), frac_vec(n), st.lists(st.tuples(frac_vec(n), frac_vec(n)), min_size=1,
                                       max_size=7))), st.integers(1, 4))
@settings(max_examples=80)
def test_damped_lbfgs_equals_the_dense_exact_oracle(data, memory):
    """Arbitrary rational steps and gradient changes (many with y^T s <= 0): every stored pair,
    every direction and both counters equal the dense oracle's exactly; every damped pair hits
    s^T y_d = s^T s / (5 gamma_prev) exactly; the matrix L-BFGS applies is SPD, and with the
    raw pair in place of the damped one it would not be (when y^T s < 0)."""
    x0, g0, steps = data
    rule = lbfgs(memory=memory, curvature_tol=0)
    x, g = x0, g0
    d, state = rule.step(rule.init(x0), x, g)
    oracle = damped_lbfgs_oracle(x0, g0, steps, memory)
    for (s, y), (kept, d_exp, n_damped, n_skipped, record) in zip(steps, oracle):
        gamma_prev = state.gamma
        x, g = x + s, g + y
        d, state = rule.step(state, x, g)
        assert (state.n_damped, state.n_skipped) == (n_damped, n_skipped)
        pairs = list(zip(state.S, state.Y))
        assert len(pairs) == len(kept) and all(
            exact_equal(a, c) and exact_equal(b, e) for (a, b), (c, e) in zip(pairs, kept))
        assert exact_equal(d, d_exp)
        if record is not None:
            s_r, y_r, y_d, gamma_o = record
            assert gamma_prev == gamma_o
            assert dot(s_r, y_d) == F(1, 5) * dot(s_r, s_r) / gamma_o      # the target, exactly
            assert exact_equal(state.Y[-1], y_d) and exact_equal(state.S[-1], s_r)
            if dot(s_r, y_r) < 0:   # the undamped update would lose positive definiteness
                raw = list(zip(state.S, state.Y))[:-1] + [(s_r, y_r)]
                assert not exact_is_positive_definite(dense_inverse_bfgs(raw, state.gamma))
        if pairs:
            H = lbfgs_inverse_hessian(pairs, state.gamma)
            assert exact_equal(H, H.T) and exact_is_positive_definite(H)
            assert exact_equal(H, dense_inverse_bfgs(pairs, state.gamma))


# ------------------------------------------------------------------------------------------------
# 3. the counter, recounted from a driver's path


def replay_pair_decisions(path, grad, tol=1e-10, memory=10):
    """The pair logic of damped L-BFGS replayed in floats from the iterates alone: the curvature
    test, Powell's damping with B_0 = I / gamma (gamma from the newest stored pair, 1 if none)
    and the test again on the damped pair. Returns (n_damped, n_skipped, n_failed) over the pairs
    the rule examined (one per step after the first: nit - 1 of them)."""
    def passes(s, y):
        return np.dot(y, s) > tol * np.linalg.norm(y) * np.linalg.norm(s)

    grads = [grad(x) for x in path]
    kept, n_damped, n_skipped, n_failed = [], 0, 0, 0
    for t in range(len(path) - 2):
        s, y = path[t + 1] - path[t], grads[t + 1] - grads[t]
        if passes(s, y):
            kept = (kept + [(s, y)])[-memory:]
            continue
        n_failed += 1
        gamma = np.dot(kept[-1][0], kept[-1][1]) / np.dot(kept[-1][1], kept[-1][1]) \
            if kept else 1.0
        Bs = s / gamma
        sBs, sy = np.dot(s, Bs), np.dot(s, y)
        if sBs > 0 and sy < 0.2 * sBs:
            theta = 0.8 * sBs / (sBs - sy)
            y_d = theta * y + (1 - theta) * Bs
            if passes(s, y_d):
                kept = (kept + [(s, y_d)])[-memory:]
                n_damped += 1
                continue
        n_skipped += 1
    return n_damped, n_skipped, n_failed


@pytest.mark.parametrize("name, make, qp", [
    ("rosenbrock", lambda: problems.rosenbrock(2), None),
    ("rosenbrock", lambda: problems.rosenbrock(2), 10**4),
    ("saddle", problems.saddle, None),
    ("saddle", problems.saddle, 1000),
    ("himmelblau", problems.himmelblau, None),
])
def test_n_damped_counts_exactly_the_damped_pairs_of_a_path(name, make, qp):
    prob = make()
    res = qo.minimize(prob.f, prob.x0, jac=prob.grad, method="lbfgs", qp=qp,
                      line_search="armijo", options={"maxiter": 300})
    assert res.status in (0, 1, 3)
    n_damped, n_skipped, n_failed = replay_pair_decisions(res.path, prob.grad)
    assert n_failed > 0                          # the path has pairs with y^T s <= 0
    assert (res.n_damped, res.n_skipped) == (n_damped, n_skipped)
    assert res.n_damped + res.n_skipped == n_failed
    off = qo.minimize(prob.f, prob.x0, jac=prob.grad, method="lbfgs", qp=qp,
                      line_search="armijo", options={"maxiter": 300, "damping": False})
    assert off.n_damped == 0


# ------------------------------------------------------------------------------------------------
# 4. bit for bit the same numbers when no pair needs damping

PROBLEMS = {
    "rosenbrock(2)": lambda: problems.rosenbrock(2),
    "beale": problems.beale,
    "himmelblau": problems.himmelblau,
    "extended_rosenbrock(10)": lambda: problems.extended_rosenbrock(10),
    "rosenbrock(6)": lambda: problems.rosenbrock(6),
    "quadratic": lambda: problems.quadratic(n=10, cond=1000, seed=0),
    "logistic_regression": problems.logistic_regression,
}


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_wolfe_runs_are_bit_identical_with_and_without_damping(name):
    """Strong Wolfe steps give y^T s > 0: nothing is skipped or damped, and damping=True changes
    no bit of the path and no evaluation count (so scipy's counts stay exact)."""
    prob = PROBLEMS[name]()
    runs = [qo.minimize(prob.f, prob.x0, jac=prob.grad, method="lbfgs", line_search="wolfe",
                        options={"damping": damping}) for damping in (True, False)]
    on, off = runs
    assert on.n_damped == off.n_damped == on.n_skipped == off.n_skipped == 0
    assert on.path.tobytes() == off.path.tobytes()
    assert (on.nit, on.nfev, on.njev) == (off.nit, off.nfev, off.njev)


@given(st.integers(1, 6), st.integers(1, 5), st.integers(0, 2**32 - 1))
@settings(max_examples=40)
def test_rule_is_bit_identical_while_every_pair_passes(n, memory, seed):
    """Float steps on a convex quadratic with a skew part (every y^T s = s^T D s > 0): the
    directions and the stored pairs of damping=True and damping=False are the same bits."""
    rng = np.random.default_rng(seed)
    D = np.geomspace(1.0, 100.0, n)
    x = rng.standard_normal(n)
    rules = [lbfgs(memory=memory, damping=flag) for flag in (True, False)]
    states = [r.init(x) for r in rules]
    for _ in range(8):
        g = D * x + 0.5 * (np.roll(x, -1) - np.roll(x, 1))
        outs = [r.step(st_, x, g) for r, st_ in zip(rules, states)]
        (d_on, states[0]), (d_off, states[1]) = outs
        assert d_on.tobytes() == d_off.tobytes()
        assert all(a.tobytes() == b.tobytes() for a, b in zip(states[0].S + states[0].Y,
                                                              states[1].S + states[1].Y))
        assert states[0].n_damped == states[1].n_skipped == 0
        x = x + 0.3 * d_on


def test_armijo_path_is_unchanged_up_to_the_first_failing_pair():
    """On Rosenbrock with Armijo the paths with and without damping agree bit for bit until the
    step after the first pair with y^T s <= 0, and differ from there on."""
    prob = problems.rosenbrock(2)
    on, off = (qo.minimize(prob.f, prob.x0, jac=prob.grad, method="lbfgs", line_search="armijo",
                           options={"damping": flag, "maxiter": 100}) for flag in (True, False))
    s = np.diff(off.path, axis=0)
    y = np.diff([prob.grad(x) for x in off.path], axis=0)
    first = int(np.flatnonzero(np.sum(s * y, axis=1) <= 0)[0])   # pair (path[t], path[t+1])
    # that pair is formed at iterate t + 1 and changes the direction taken there
    k = first + 2
    assert on.path[:k].tobytes() == off.path[:k].tobytes()
    assert on.path[k].tobytes() != off.path[k].tobytes()


# ------------------------------------------------------------------------------------------------
# 5. the problem this fixes, and the hyperparameter


@pytest.mark.parametrize("qp", [None, 100, 1000, 10**4])
def test_lbfgs_armijo_on_rosenbrock_within_twice_wolfe(qp):
    """L-BFGS with Armijo steps (float, or on the grid) on the 2-D Rosenbrock function from
    (-1.2, 1) reaches max|grad| <= gtol within twice the iterations of L-BFGS with Wolfe steps
    (before issue 11: 672 iterations in floats, 639 pairs skipped). The float run needs one
    damped pair; on these grids the first trial step lr/||d|| alone keeps the pairs fresh."""
    prob = problems.rosenbrock(2)
    wolfe = qo.minimize(prob.f, prob.x0, jac=prob.grad, method="lbfgs", line_search="wolfe")
    res = qo.minimize(prob.f, prob.x0, jac=prob.grad, method="lbfgs", qp=qp,
                      line_search="armijo")
    assert wolfe.success and res.success
    assert res.nit <= 2 * wolfe.nit
    if qp is None:
        assert res.n_damped >= 1


def test_damping_is_a_hyperparameter_with_its_counter():
    assert lbfgs().hyper["damping"] is True
    assert lbfgs(damping=np.bool_(False)).hyper["damping"] is False
    for bad in ("yes", 1, None, 0.2):
        with pytest.raises(TypeError, match="damping"):
            lbfgs(damping=bad)
    assert lbfgs().counters == ("n_skipped", "n_damped")
    prob = problems.saddle()
    res = qo.minimize(prob.f, prob.x0, jac=prob.grad, method="lbfgs", line_search="armijo",
                      options={"damping": False})
    assert res.n_damped == 0 and res.n_skipped > 0


def test_damped_step_in_float32_stays_float32():
    rule = lbfgs()
    x0 = np.zeros(3, dtype=np.float32)
    g0 = np.array([1.0, 0.5, 0.0], dtype=np.float32)
    d, state = rule.step(rule.init(x0), x0, g0)
    d, state = rule.step(state, x0 + d, np.float32(2) * g0)     # y^T s = -|g0|^2 < 0
    assert state.n_damped == 1 and state.count == 1
    assert d.dtype == np.float32 and state.Y[0].dtype == np.float32
    assert float(np.dot(state.S[0], state.Y[0])) > 0
