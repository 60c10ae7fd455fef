"""The driver quantopt.minimize: every method, with and without qp and line search.

Oracles: call counts kept by the test's own wrappers; grid membership in exact Fraction
arithmetic; the Armijo decrease re-checked on the returned path; closed-form minimizers.
"""
import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import quantopt as qo
from quantopt import problems
from quantopt.minimize import METHODS

ALL = ["gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "newton",
       "bfgs", "lbfgs", "cg", "langevin"]
A = np.array([[3.0, 1.0], [1.0, 2.0]])
C = np.array([0.4, -0.7])


class Quad:
    """f = 1/2 (x-c)^T A (x-c), with per-sample form for sgd (all samples are the same here)."""

    def __init__(self):
        self.nf = self.ng = self.nh = 0

    def f(self, x, batch=None):
        self.nf += 1
        r = x - C
        return 0.5 * float(r @ A @ r)

    def g(self, x, batch=None):
        self.ng += 1
        return A @ (x - C)

    def h(self, x):
        self.nh += 1
        return A.copy()


def run(method, prob=None, **kw):
    prob = prob or Quad()
    opts = dict(kw.pop("options", {}))
    if method == "sgd":
        opts.setdefault("n_samples", 4)
    return qo.minimize(prob.f, kw.pop("x0", np.array([2.0, 1.0])), jac=prob.g, method=method,
                       hess=prob.h, options=opts, **kw), prob


def on_grid(x, qp):
    q = Fraction(qp)
    for v in np.ravel(x):
        k = math.floor(q * Fraction(float(v)) + Fraction(1, 2))
        if float(Fraction(k) / q) != v:
            return False
    return True


def grid_codes(x, qp):
    """The integer codes of grid points, by Fraction arithmetic."""
    q = Fraction(qp)
    return [math.floor(q * Fraction(float(v)) + Fraction(1, 2)) for v in x]


def lower_neighbours(f, x, qp, full=False):
    """Brute force on the integer codes: the neighbours k ± e_i (or the whole box k + e,
    e in {-1, 0, 1}^n) whose f is below f(x), their floats computed as Fraction(k)/qp."""
    k = grid_codes(x, qp)
    n = len(k)
    if full:
        offsets = [e for e in itertools.product([-1, 0, 1], repeat=n) if any(e)]
    else:
        offsets = [tuple(s if j == i else 0 for j in range(n)) for i in range(n) for s in (1, -1)]
    fx = f(np.asarray(x, dtype=float))
    points = [np.array([float(Fraction(c + e) / Fraction(qp)) for c, e in zip(k, off)])
              for off in offsets]
    return [z for z in points if f(z) < fx]


MODES = [dict(line_search=None), dict(), dict(line_search="armijo"), dict(line_search="wolfe"),
         dict(qp=64, line_search=None), dict(qp=10), dict(qp=100, line_search="armijo"),
         dict(qp=10, line_search=None, options={"poll": None})]


@pytest.mark.parametrize("method", ALL)
@pytest.mark.parametrize("mode", MODES, ids=["fixed", "auto", "armijo", "wolfe", "grid64",
                                              "grid10-auto", "grid-armijo", "grid10-nopoll"])
def test_every_method_every_mode(method, mode):
    x0 = np.array([2.0, 1.0])
    x0_copy = x0.copy()
    mode = dict(mode)
    options = {"maxiter": 200, **mode.pop("options", {})}
    if method == "langevin" and mode.get("line_search") in ("armijo", "wolfe"):
        with pytest.raises(ValueError, match="line_search"):  # a random direction: no search
            run(method, x0=x0, options=options, **mode)
        return
    res, prob = run(method, x0=x0, options=options, **mode)
    np.testing.assert_array_equal(x0, x0_copy)  # x0 never modified
    assert res.nfev == prob.nf and res.njev == prob.ng  # counts are true
    assert res.nhev == (prob.nh if method == "newton" else 0)
    assert res.status in (0, 1, 2, 3, 6) and res.success == (res.status == 0)
    if res.status == 6:  # the certificate, checked on every neighbour
        assert "qp" in mode and not lower_neighbours(Quad().f, res.x, mode["qp"])
    if res.status == 3:
        assert options.get("poll", "coordinates") is None
    assert res.path.shape == (res.nit + 1, 2) and res.fun_path.shape == (res.nit + 1,)
    np.testing.assert_array_equal(res.path[-1], res.x)
    assert res.fun == res.fun_path[-1] == Quad().f(res.x)
    for row, fv in zip(res.path, res.fun_path):
        assert fv == Quad().f(row)
    if "qp" in mode:
        assert all(on_grid(row, mode["qp"]) for row in res.path)  # exactly on the grid
        assert on_grid(res.x, mode["qp"])
    if mode.get("line_search", "auto") is not None and (method in ("newton", "bfgs", "lbfgs")
                                                        or mode.get("line_search")):
        assert np.all(np.diff(res.fun_path) <= 0)  # f never increases under Armijo or Wolfe
    # the result owns its arrays
    res.x[0] = 99.0
    assert res.path[-1][0] != 99.0


@pytest.mark.parametrize("method", ["gd", "newton", "bfgs", "lbfgs"])
def test_converges_to_the_minimizer(method):
    res, _ = run(method, line_search="armijo", options={"maxiter": 500, "gtol": 1e-10})
    assert res.status == 0
    x_star = C
    # |x - x*| <= |A^-1| |grad| <= gtol * sqrt(n) / lambda_min(A)
    bound = 1e-10 * math.sqrt(2) / np.linalg.eigvalsh(A).min()
    assert np.linalg.norm(res.x - x_star) <= bound


def test_newton_one_step_on_quadratic_through_driver():
    res, _ = run("newton", options={"maxiter": 1})
    # the Newton step solves A d = -grad; error bounded by cond(A) * eps * |x*| (a few ulps)
    err = np.linalg.norm(res.path[1] - C)
    assert err <= 10 * np.linalg.cond(A) * np.finfo(float).eps * (1 + np.linalg.norm(C))


def test_gtol_and_maxiter_statuses():
    res, _ = run("gd", options={"maxiter": 3})
    assert res.status == 1 and res.nit == 3 and not res.success and "maxiter" in res.message
    res, _ = run("gd", options={"lr": 0.2, "gtol": 1e-8})
    assert res.status == 0 and np.max(np.abs(res.jac)) <= 1e-8
    res, _ = run("gd", options={"maxiter": 0})
    assert res.nit == 0 and res.path.shape == (1, 2) and res.status == 1


def test_start_at_minimizer_is_success_without_steps():
    res, _ = run("bfgs", x0=C.copy(), line_search="armijo")
    assert res.status == 0 and res.nit == 0 and res.nfev == 1 and res.njev == 1


def test_step_quantized_to_zero_with_deterministic_rounding():
    # lr * |grad| < 1/(2 qp): the first step rounds to zero, and GD would repeat it forever.
    # poll=None: the run stops with status 3 at x0; the default polls the neighbours instead
    res, _ = run("gd", x0=np.array([0.5, -0.5]), qp=4, options={"lr": 1e-3, "poll": None})
    assert res.status == 3 and res.nit == 0 and "not polled" in res.message
    np.testing.assert_array_equal(res.x, [0.5, -0.5])
    res, _ = run("gd", x0=np.array([0.5, -0.5]), qp=4, options={"lr": 1e-3})
    assert res.status == 6 and res.nit > 0 and "Grid-local minimum" in res.message
    assert not lower_neighbours(Quad().f, res.x, 4)
    # every move was to a neighbour with lower f: one grid unit in one coordinate
    steps = np.abs(np.diff(res.path, axis=0)) * 4
    assert np.all(np.sort(steps, axis=1) == [0, 1]) and np.all(np.diff(res.fun_path) < 0)


def test_stochastic_rounding_moves_small_steps_in_expectation():
    """A step of lr*|g| = 0.1 grid spacings: lost when rounded, taken on average when stochastic."""
    qp = 8
    g0 = np.array([1.0, -2.0])
    lr = 0.1 / (qp * 2.0)  # |lr * g| <= 0.1/qp, below half a spacing
    f = lambda x: float(g0 @ x)  # noqa: E731  (a linear function: constant gradient)
    jac = lambda x: g0.copy()  # noqa: E731
    x0 = np.zeros(2)
    det = qo.minimize(f, x0, jac=jac, method="gd", qp=qp, options={"lr": lr, "poll": None})
    assert det.status == 3 and np.array_equal(det.x, x0)
    # 1 step, many seeds: the mean displacement is -lr*g within 5 sd of a Bernoulli/qp mean.
    n = 4000
    moves = np.array([qo.minimize(f, x0, jac=jac, method="gd", qp=qp,
                                  options={"lr": lr, "maxiter": 1, "rounding": "stochastic",
                                           "seed": s}).x for s in range(n)])
    expected = -lr * g0
    p = np.abs(expected) * qp  # probability of moving one grid point
    sd = np.sqrt(p * (1 - p) / n) / qp
    assert np.all(np.abs(moves.mean(axis=0) - expected) <= 5 * sd)


def test_callback_and_stop_iteration():
    seen = []

    def cb(intermediate_result):
        seen.append((intermediate_result.nit, intermediate_result.x.copy(),
                     intermediate_result.fun))
        if intermediate_result.nit == 4:
            raise StopIteration

    res, _ = run("momentum", callback=cb, options={"maxiter": 50})
    assert res.status == 5 and res.nit == 4 and not res.success
    assert [s[0] for s in seen] == [1, 2, 3, 4]
    for (nit, x, fv) in seen:
        np.testing.assert_array_equal(x, res.path[nit])
        assert fv == res.fun_path[nit]


def test_nan_mid_run_returns_last_finite_iterate():
    def f(x):
        return float("nan") if x[0] > 3 else float(x @ x)

    def g(x):
        return np.array([-1.0, 0.0])  # pushes x[0] upward forever

    res = qo.minimize(f, np.array([0.0, 0.0]), jac=g, method="gd", options={"lr": 1.0})
    assert res.status == 4 and not res.success and "nan" in res.message
    np.testing.assert_array_equal(res.x, [3.0, 0.0])
    assert np.isfinite(res.fun)


def test_path_false_keeps_only_ends():
    res, _ = run("adam", options={"path": False, "maxiter": 30})
    assert res.path.shape == (2, 2)
    np.testing.assert_array_equal(res.path[0], [2.0, 1.0])
    np.testing.assert_array_equal(res.path[1], res.x)


def test_record_state_stacks_adam_moments():
    res, _ = run("adam", options={"record_state": True, "maxiter": 10, "lr": 0.01})
    st_ = res.states
    assert set(st_) >= {"m", "v", "t"}
    assert st_["m"].shape == (11, 2) and st_["v"].shape == (11, 2)
    assert st_["t"].tolist() == list(range(11))  # t counts steps, starting at 0 before the first


@pytest.mark.parametrize("method", ["bfgs", "lbfgs"])
def test_skipped_updates_counted_exactly(method):
    """n_skipped equals the number of pairs (s, y) along the path that fail y.s > tol |y||s|,
    recounted here from the path; Armijo on Rosenbrock's curved valley produces many."""
    prob = problems.rosenbrock(n=2)
    options = {"maxiter": 300, **({"damping": False} if method == "lbfgs" else {})}
    res = qo.minimize(prob.f, prob.x0, jac=prob.grad, method=method, line_search="armijo",
                      options=options)
    s = np.diff(res.path, axis=0)
    g = np.array([prob.grad(x) for x in res.path])
    y = np.diff(g, axis=0)
    ys = np.sum(s * y, axis=1)
    fails = ys <= 1e-10 * np.linalg.norm(s, axis=1) * np.linalg.norm(y, axis=1)
    # step is called once per iteration; the first call has no pair, call t >= 2 forms the
    # pair (path[t-2], path[t-1]): nit calls examine the first nit - 1 pairs
    assert res.status in (0, 1)
    assert res.n_skipped == int(np.sum(fails[:res.nit - 1]))
    if method == "lbfgs":
        assert res.n_skipped > 0  # the failure that motivated line_search="wolfe"


def test_newton_counts_modified_hessians():
    res, _ = run("newton")  # A is positive definite: never modified
    assert res.n_modified == 0
    sad = problems.saddle()  # starts near the saddle, where the Hessian is indefinite
    res = qo.minimize(sad.f, sad.x0, jac=sad.grad, hess=sad.hess, method="newton",
                      line_search="armijo", options={"maxiter": 50})
    # the rule's test, recomputed: some eigenvalue below tau = 1e-8 * max(1, max |lambda|)
    eig = [np.linalg.eigvalsh(sad.hess(x)) for x in res.path[:res.nit]]
    assert res.n_modified == sum(lam.min() < 1e-8 * max(1.0, np.abs(lam).max()) for lam in eig)
    assert res.n_modified > 0


# ---------------------------------------------------------------------------------- sgd --
class LeastSquares:
    """Per-sample least squares: f(x, B) = mean_{i in B} (a_i.x - b_i)^2 / 2."""

    def __init__(self, m=12, n=3, seed=0):
        rng = np.random.default_rng(seed)
        self.A = rng.normal(size=(m, n))
        self.b = rng.normal(size=m)
        self.batches = []

    def f(self, x, batch=None):
        idx = slice(None) if batch is None else batch
        r = self.A[idx] @ x - self.b[idx]
        return 0.5 * float(np.mean(r * r))

    def g(self, x, batch=None):
        if batch is not None:
            self.batches.append(np.array(batch))
        idx = slice(None) if batch is None else batch
        a = self.A[idx]
        return a.T @ (a @ x - self.b[idx]) / a.shape[0]


def test_sgd_with_full_batch_is_gd():
    p = LeastSquares()
    x0 = np.zeros(3)
    opts = {"lr": 0.1, "maxiter": 25}
    gd = qo.minimize(p.f, x0, jac=p.g, method="gd", options=opts)
    sgd = qo.minimize(p.f, x0, jac=p.g, method="sgd",
                      options={**opts, "n_samples": 12, "batch_size": 12, "seed": 3})
    np.testing.assert_array_equal(gd.path, sgd.path)  # the same floats, not merely close


def test_sgd_reshuffles_every_epoch():
    p = LeastSquares(m=10)
    qo.minimize(p.f, np.zeros(3), jac=p.g, method="sgd",
                options={"lr": 0.01, "maxiter": 12, "n_samples": 10, "batch_size": 3,
                         "seed": 0, "gtol": 0})
    batches = p.batches
    sizes = [len(b) for b in batches]
    assert sizes == [3, 3, 3, 1] * 3  # the last batch of an epoch is smaller
    epochs = [np.concatenate(batches[i:i + 4]) for i in (0, 4, 8)]
    for e in epochs:
        assert sorted(e.tolist()) == list(range(10))  # each epoch covers every sample once
    assert not all(np.array_equal(epochs[0], e) for e in epochs[1:])  # reshuffled


def test_sgd_gtol_uses_full_gradient_at_epoch_ends():
    p = LeastSquares(m=8)
    x_star = np.linalg.lstsq(p.A, p.b, rcond=None)[0]
    res = qo.minimize(p.f, x_star, jac=p.g, method="sgd",
                      options={"n_samples": 8, "batch_size": 2, "gtol": 1e-8})
    assert res.status == 0 and res.nit == 0


# ---------------------------------------------------------------------------- bad input --
@pytest.mark.parametrize("x0", [np.array([np.nan, 1.0]), np.array([np.inf, 0.0])])
def test_nonfinite_x0(x0):
    with pytest.raises(ValueError, match="x0"):
        run("gd", x0=x0)


@pytest.mark.parametrize("x0", [np.zeros((2, 2)), np.array([])])
def test_bad_x0_shape(x0):
    with pytest.raises(ValueError, match="x0"):
        run("gd", x0=x0)


# issue 15 item 13: x0 is parsed by _checks.check_real_array: strings, bools, objects and
# ragged lists are a TypeError naming x0 (a ragged list was numpy's "inhomogeneous shape")
@pytest.mark.parametrize("x0", [np.array(["a", "b"]), [True, False], [1.0, [2.0, 3.0]],
                                np.array([Fraction(1, 2), 1], dtype=object), None])
def test_bad_x0_type(x0):
    with pytest.raises(TypeError, match="x0"):
        run("gd", x0=x0)


def test_fun_returning_bad_values():
    g = lambda x: x  # noqa: E731
    with pytest.raises(ValueError, match="fun"):
        qo.minimize(lambda x: x, np.ones(2), jac=g, method="gd")  # not a scalar
    with pytest.raises(ValueError, match="fun"):
        qo.minimize(lambda x: float("nan"), np.ones(2), jac=g, method="gd")
    with pytest.raises(ValueError, match="fun"):
        qo.minimize(lambda x: float("inf"), np.ones(2), jac=g, method="gd")
    with pytest.raises(ValueError, match="jac"):
        qo.minimize(lambda x: 0.0, np.ones(2), jac=lambda x: np.ones(3), method="gd")
    with pytest.raises(ValueError, match="hess"):
        qo.minimize(lambda x: 0.0 + x @ x, np.ones(2), jac=lambda x: 2 * x, method="newton",
                    hess=lambda x: np.eye(3))


@pytest.mark.parametrize("options, name", [
    ({"lr": 0}, "lr"), ({"lr": -1.0}, "lr"), ({"lr": float("nan")}, "lr"),
    ({"maxiter": -1}, "maxiter"), ({"gtol": -1}, "gtol"), ({"c1": 2}, "c1"),
    ({"shrink": 1.5}, "shrink"), ({"maxls": 0}, "maxls"),
])
def test_bad_options(options, name):
    with pytest.raises(ValueError, match=name):
        run("gd", options=options)


def test_bad_hyperparameters_name_the_argument():
    with pytest.raises(ValueError, match="memory"):
        run("lbfgs", options={"memory": 0})
    with pytest.raises(ValueError, match="momentum"):
        run("momentum", options={"momentum": 1.5})


def test_unknown_method_and_option_list_the_valid_ones():
    with pytest.raises(ValueError, match="valid methods: .*lbfgs"):
        run("sgdd")
    with pytest.raises(ValueError, match="valid options: .*beta1"):
        run("adam", options={"beta3": 0.5})
    with pytest.raises(ValueError, match="rounding"):
        run("gd", options={"rounding": "stochastic"})  # not valid without qp
    with pytest.raises(ValueError, match="wolfe"):
        run("bfgs", qp=8, line_search="wolfe")
    with pytest.raises(ValueError, match="c2"):
        run("bfgs", line_search="wolfe", options={"c2": 1e-5})
    with pytest.raises(ValueError, match="stochastic"):
        run("gd", qp=8, line_search="armijo", options={"rounding": "stochastic"})
    with pytest.raises(ValueError, match="line_search"):
        run("gd", line_search="goldstein")
    with pytest.raises(ValueError, match="n_samples"):
        qo.minimize(Quad().f, np.ones(2), jac=Quad().g, method="sgd")
    with pytest.raises(ValueError, match="batch_size"):
        run("sgd", options={"batch_size": 10})
    with pytest.raises(ValueError, match="newton"):
        qo.minimize(Quad().f, np.ones(2), jac=Quad().g, method="newton")
    with pytest.raises(ValueError, match="qp"):
        run("gd", qp=-1)


def test_methods_registry_is_complete():
    assert sorted(METHODS) == sorted(ALL)


@settings(max_examples=40)
@given(st.sampled_from(ALL), st.sampled_from([4, 10, 100, 0.5, 3]),
       st.lists(st.floats(-3, 3), min_size=2, max_size=2), st.sampled_from([None, "armijo"]))
def test_grid_runs_terminate_on_grid(method, qp, start, line_search):
    if method == "langevin" and line_search is not None:
        line_search = None  # a random direction: the driver refuses searches for it
    res, _ = run(method, x0=np.array(start), qp=qp, line_search=line_search,
                 options={"maxiter": 300, "lr": 0.05 if line_search is None else 1.0})
    assert res.status in (0, 1, 6)
    assert all(on_grid(row, qp) for row in res.path)
    if res.status == 6:
        assert not lower_neighbours(Quad().f, res.x, qp)
    if line_search:
        assert np.all(np.diff(res.fun_path) <= 0)


def test_zero_step_ends_a_run_only_when_the_method_is_stuck():
    """A zero quantized step: GD/BFGS would repeat it forever (stop, status 3); momentum keeps
    accumulating velocity at the same x and moves once lr*|v| passes half a grid spacing."""
    qp = 4
    g0 = np.array([1.0, 0.0])
    f = lambda x: float(g0 @ x)  # noqa: E731  (constant gradient g0)
    jac = lambda x: g0.copy()  # noqa: E731
    lr = 0.05  # lr*|g| = 0.05 < 1/8; momentum's v -> g/(1-0.9) gives lr*|v| -> 0.5 > 1/8
    gd = qo.minimize(f, np.zeros(2), jac=jac, method="gd", qp=qp,
                     options={"lr": lr, "poll": None})
    assert gd.status == 3 and gd.nit == 0
    mom = qo.minimize(f, np.zeros(2), jac=jac, method="momentum", qp=qp,
                      options={"lr": lr, "momentum": 0.9, "maxiter": 10})
    # v_t = (1 - 0.9^t)/(1 - 0.9) |g| = 1, 1.9, 2.71: lr*v_t = 0.05, 0.095, 0.1355, which
    # passes 1/8 first at t = 3; that step (-0.1355)^Q = floor(-0.542 + 1/2)/4 = -1/4
    moved = [i for i in range(1, len(mom.path)) if not np.array_equal(mom.path[i], mom.path[0])]
    assert moved and moved[0] == 3
    assert mom.path[3][0] == -0.25


def test_sgd_full_batch_is_gd_on_the_library_problems():
    for prob in (problems.least_squares(), problems.logistic_regression()):
        x0 = np.zeros(prob.n)
        opts = {"lr": 0.1, "maxiter": 20}
        gd = qo.minimize(prob.f, x0, jac=prob.grad, method="gd", options=opts)
        sgd = qo.minimize(prob.f, x0, jac=prob.grad, method="sgd",
                          options={**opts, "n_samples": prob.n_samples,
                                   "batch_size": prob.n_samples, "seed": 5})
        np.testing.assert_array_equal(gd.path, sgd.path)


def test_sgd_minibatches_approach_the_least_squares_minimum():
    prob = problems.least_squares()
    res = qo.minimize(prob.f, np.zeros(prob.n), jac=prob.grad, method="sgd",
                      options={"lr": 0.05, "maxiter": 3000, "n_samples": prob.n_samples,
                               "batch_size": 10, "seed": 1})
    # SGD with a constant step ends in a noise ball around x*, not at it: f - f* small but > 0
    assert 0 < res.fun - prob.f_star < 1e-3 * prob.f_star


_any_float = st.floats(allow_nan=True, allow_infinity=True, width=64)


@given(hnp.arrays(np.float64, st.integers(1, 200),
                  elements=_any_float | st.sampled_from([1.7e308, -1.7e308, -0.0, 0.0])))
def test_allocation_free_checks_equal_the_numpy_expressions(a):
    """The driver's max|g| and all-finite tests, written without n-sized temporaries, against
    np.max(np.abs(a)) and np.all(np.isfinite(a)) (sums that overflow, nan, inf, signed zeros)."""
    from quantopt._objective import all_finite, max_abs

    expected = np.max(np.abs(a))
    got = max_abs(a)
    assert (math.isnan(got) and math.isnan(expected)) or got == expected
    assert all_finite(a) == bool(np.all(np.isfinite(a)))


def _recorded_run(method, prob, maxiter):
    """minimize with line_search="wolfe", recording every point where f is evaluated."""
    points = []

    def f(x):
        points.append(np.array(x, copy=True))
        return prob.f(x)

    res = qo.minimize(f, prob.x0, jac=prob.grad, method=method, line_search="wolfe",
                      options={"maxiter": maxiter})
    return res, points


@pytest.mark.parametrize("method, length", [("lbfgs", 1.0), ("bfgs", 1.01)])
def test_quasi_newton_first_wolfe_trial_length(method, length):
    """The first search starts along d = -g(x0): the second point where f is evaluated (the
    first is x0) is x0 - a g0 with a = lr/||g0|| for lbfgs (L-BFGS-B's unit step) and
    a = min(lr, 1.01/||g0||) for bfgs (scipy's BFGS: N&W (3.60) with f_{-1} = f_0 + ||g0||/2),
    computed here from the problem's gradient. From x0 = (-1.2, 1), ||g0|| = 232.9, so both
    are below lr = 1 (a trial of length 233)."""
    prob = problems.rosenbrock(n=2)
    _, points = _recorded_run(method, prob, 1)
    g0 = prob.grad(prob.x0)
    assert np.array_equal(points[0], prob.x0)
    np.testing.assert_allclose(points[1], prob.x0 - length * g0 / np.linalg.norm(g0),
                               rtol=1e-15, atol=1e-15)
    assert np.linalg.norm(points[1] - points[0]) == pytest.approx(length, rel=1e-14)


def test_bfgs_first_wolfe_trial_is_capped_at_lr():
    """With ||g0|| < 1.01/lr the bfgs guess 1.01/||g0|| exceeds lr, and the first trial is the
    full step lr * d = -lr * g0 (scipy's min(1, ...) with lr = 1)."""
    prob = problems.quadratic(n=3, cond=4.0, seed=0)
    x0 = prob.minimizers[0] + 1e-3  # a small gradient: ||g0|| << 1.01
    g0 = prob.grad(x0)
    assert np.linalg.norm(g0) < 1.01
    points = []

    def f(x):
        points.append(np.array(x, copy=True))
        return prob.f(x)

    qo.minimize(f, x0, jac=prob.grad, method="bfgs", line_search="wolfe",
                options={"maxiter": 1, "lr": 1.0})
    np.testing.assert_array_equal(points[1], x0 - g0)


def test_bfgs_later_wolfe_trials_start_at_the_step_repeating_the_last_decrease():
    """Iteration t >= 1 of bfgs starts its search at min(lr, 2.02 (f_t - f_{t-1}) / g_t.d_t)
    (N&W (3.60)). Replayed here from the recorded points: the first trial of each search,
    the previous iterates and BFGS's own direction (from the rule, given the iterates)."""
    prob = problems.extended_rosenbrock(n=4)
    res, points = _recorded_run("bfgs", prob, 6)
    rule = qo.optim.bfgs()
    res_path = qo.minimize(prob.f, prob.x0, jac=prob.grad, method="bfgs", line_search="wolfe",
                           options={"maxiter": 6})
    xs = res_path.path
    state = rule.init(xs[0])
    seen = [p.tobytes() for p in points]
    for t in range(len(xs) - 1):
        d, state = rule.step(state, xs[t], prob.grad(xs[t]))
        if t == 0:
            continue
        guess = 2.02 * (prob.f(xs[t]) - prob.f(xs[t - 1])) / float(prob.grad(xs[t]) @ d)
        alpha0 = min(1.0, guess) if guess > 0 else 1.0
        first_trial = d * alpha0
        first_trial += xs[t]
        assert first_trial.tobytes() in seen


# ------------------------------------------------------------------- defaults (issue 11) --
# The defaults a scipy user expects, as the issue states them (not read from the code).
FLOAT_DEFAULT = {"gd": None, "sgd": None, "momentum": None, "nesterov": None, "adagrad": None,
                 "rmsprop": None, "adam": None, "adamw": None, "newton": "armijo",
                 "bfgs": "wolfe",
                 "lbfgs": "wolfe", "cg": "wolfe", "langevin": None}
GRID_DEFAULT = {**FLOAT_DEFAULT, "newton": "armijo", "bfgs": "armijo", "lbfgs": "armijo",
                "cg": "armijo"}


@pytest.mark.parametrize("method", ALL)
@pytest.mark.parametrize("qp", [None, 10])
def test_line_search_auto_is_the_documented_default(method, qp):
    expected = (FLOAT_DEFAULT if qp is None else GRID_DEFAULT)[method]
    options = {"maxiter": 30, "seed": 0}  # the seed: langevin's noise, the same in both runs
    auto, _ = run(method, qp=qp, options=options)
    explicit, _ = run(method, qp=qp, line_search=expected, options=options)
    np.testing.assert_array_equal(auto.path, explicit.path)
    assert (auto.nfev, auto.njev, auto.status) == (explicit.nfev, explicit.njev, explicit.status)


def test_bfgs_default_is_scipy_like_on_rosenbrock_and_beale():
    """Without line_search, bfgs no longer takes the fixed step 1 (132 iterations on
    Rosenbrock, divergence on Beale): it takes scipy's iteration counts with its Wolfe search."""
    scipy_opt = pytest.importorskip("scipy.optimize")
    for prob in (problems.rosenbrock(2), problems.beale()):
        res = qo.minimize(prob.f, prob.x0, jac=prob.grad, method="bfgs")
        ref = scipy_opt.minimize(prob.f, prob.x0, jac=prob.grad, method="BFGS",
                                 options={"gtol": 1e-6, "norm": np.inf})
        assert res.success and ref.success
        assert (res.nit, res.nfev) == (ref.nit, ref.nfev)


def test_scipy_spellings_of_method_names():
    prob = problems.rosenbrock(2)
    for alias, name in (("BFGS", "bfgs"), ("L-BFGS-B", "lbfgs"), ("Adam", "adam")):
        a = qo.minimize(prob.f, prob.x0, jac=prob.grad, method=alias, options={"maxiter": 20})
        b = qo.minimize(prob.f, prob.x0, jac=prob.grad, method=name, options={"maxiter": 20})
        np.testing.assert_array_equal(a.path, b.path)
    with pytest.raises(TypeError, match="method"):
        qo.minimize(prob.f, prob.x0, jac=prob.grad, method=["gd"])
    # issue 15 item 12: an array is not a line_search name: TypeError naming it (it was numpy's
    # "truth value of an array is ambiguous")
    with pytest.raises(TypeError, match="line_search"):
        qo.minimize(prob.f, prob.x0, jac=prob.grad, method="gd",
                    line_search=np.array(["armijo"]))


# --------------------------------------------------------------------- restarts (issue 11) --
def _recount_restarts(method, prob, res):
    """Restarts recounted from the recorded states: iteration t >= 1 restarted exactly when the
    state after it is the one the rule makes from a fresh state at x_t (for these rules that
    state differs from the continued one: Adam's step counter is 1 again, momentum's velocity
    is g_t alone). Iteration 0 starts from a fresh state anyway and never needs a restart."""
    rule = qo.optim.RULES[method]()
    count = 0
    for t in range(1, res.nit):
        x = res.path[t]
        fresh = rule.step(rule.init(x), x, prob.grad(x))[1]
        after = {f: res.states[f][t + 1] for f in res.states}
        count += all(np.array_equal(np.asarray(getattr(fresh, f)), v) for f, v in after.items())
    return count


@pytest.mark.parametrize("method", ["momentum", "nesterov", "adam"])
@pytest.mark.parametrize("line_search", ["armijo", "wolfe"])
def test_restarts_replace_not_a_descent_direction(method, line_search):
    """Momentum, Nesterov and Adam used to stop at iteration 1-2 with "not a descent
    direction" under any line search; now the state is reset and the run goes on (also after a
    search that fails along the rule's own direction)."""
    prob = problems.rosenbrock(2)
    res = qo.minimize(prob.f, prob.x0, jac=prob.grad, method=method, line_search=line_search,
                      options={"maxiter": 3000, "record_state": True})
    assert "descent direction" not in res.message
    assert res.status == 0, res.message
    assert res.n_restarts > 0
    assert res.n_restarts == _recount_restarts(method, prob, res)


# langevin is left out: its direction is -grad f plus noise, uphill for some draws, and the
# restart (a fresh state, t = 0) draws xi_0 again; it is a fixed-step method (line_search None)
@pytest.mark.parametrize("method", [m for m in ALL if m != "langevin"])
@pytest.mark.parametrize("line_search", ["armijo", "wolfe"])
def test_no_run_ends_with_not_a_descent_direction(method, line_search):
    for prob in (problems.rosenbrock(2), problems.beale(), problems.himmelblau(),
                 problems.saddle()):
        res, _ = run(method, prob=type("P", (), {"f": staticmethod(lambda x, b=None: prob.f(x)),
                                                "g": staticmethod(lambda x, b=None: prob.grad(x)),
                                                "h": staticmethod(prob.hess)})(),
                     x0=prob.x0, line_search=line_search, options={"maxiter": 300})
        assert "not a descent direction" not in res.message


# ------------------------------------------------------------- Wolfe fallback (issue 11) --
def _jennrich_sampson():
    """Moré, Garbow & Hillstrom (1981), problem 6 with m = 10: r_i = 2 + 2i - (e^{i x1} +
    e^{i x2}); f* = 124.362 at x1 = x2 = 0.2578 (as printed)."""
    i = np.arange(1, 11)

    def f(x):
        with np.errstate(over="ignore"):  # a long trial step makes f inf: the search backs off
            r = 2 + 2 * i - (np.exp(i * x[0]) + np.exp(i * x[1]))
            return float(r @ r)

    def g(x):
        with np.errstate(over="ignore", invalid="ignore"):
            r = 2 + 2 * i - (np.exp(i * x[0]) + np.exp(i * x[1]))
            return np.array([-2 * r @ (i * np.exp(i * x[0])), -2 * r @ (i * np.exp(i * x[1]))])

    return f, g, np.array([0.3, 0.4])


def _gh_2169():
    """scipy's gh-2169 test: f = x + 1/x for x >= 0, else 1.79769313e308 (a finite wall)."""
    def f(x):
        return 1.79769313e308 if x[0] < 0 else float(x[0] + 1 / x[0])

    def g(x):
        return np.array([0.0 if x[0] < 0 else 1 - 1 / x[0] ** 2])

    return f, g, np.array([10.0])


@pytest.mark.parametrize("method", ["bfgs", "lbfgs"])
def test_wolfe_search_recovers_where_it_used_to_give_up(method):
    """The saddle (stuck at the saddle before), Jennrich-Sampson (f = 1839 before) and
    gh-2169: with the best point on XTOL/ROUNDING and the zoom fallback, the default run
    converges, as scipy's BFGS does."""
    sad = problems.saddle()
    res = qo.minimize(sad.f, sad.x0, jac=sad.grad, method=method)
    assert res.success and abs(abs(res.x[1]) - 1) < 1e-6 and res.fun == pytest.approx(-0.25)
    f, g, x0 = _jennrich_sampson()
    res = qo.minimize(f, x0, jac=g, method=method)
    assert res.success and res.fun == pytest.approx(124.362, abs=5e-4)
    np.testing.assert_allclose(res.x, [0.2578, 0.2578], atol=5e-5)
    f, g, x0 = _gh_2169()
    res = qo.minimize(f, x0, jac=g, method=method)
    assert res.success and res.x[0] == pytest.approx(1.0, abs=1e-6)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # lr*d, on purpose
@pytest.mark.parametrize("method, hess, options, line_search", [
    ("gd", None, {"lr": 1e308}, None),                      # lr * d overflows
    ("newton", lambda x: np.full((2, 2), np.nan), {}, "armijo"),   # a nan direction
    ("gd", None, {"lr": 1e308, "rounding": "stochastic", "seed": 0}, None),
])
def test_non_finite_steps_on_the_grid_end_with_status_4(method, hess, options, line_search):
    """On the grid a non-finite step cannot be quantized: the run ends with status 4 and the
    last finite iterate, instead of an exception from the rounding."""
    prob = Quad()
    res = qo.minimize(prob.f, np.array([2.0, 1.0]), jac=prob.g, method=method,
                      hess=hess or prob.h, qp=8, line_search=line_search, options=options)
    assert res.status == 4 and not res.success
    assert np.all(np.isfinite(res.x)) and on_grid(res.x, 8)
    # issue 15 item 2: the message says what became non-finite
    assert any(w in res.message for w in ("direction", "lr*d", "hess"))


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # alpha*d, on purpose
def test_quantized_armijo_backs_off_from_an_overflowing_trial():
    """issue 15 item 2: in the quantized Armijo search a trial alpha*d that overflows (or whose
    codes leave the grid's range) is not accepted, as f = inf is not in the float search: the
    search backs off, and the run goes on to a checked grid-local minimum of the quadratic."""
    prob = Quad()
    res = qo.minimize(prob.f, np.array([2.0, 1.0]), jac=prob.g, method="gd", qp=8,
                      line_search="armijo", options={"lr": 1e308, "maxls": 2000})
    assert res.status in (0, 6) and on_grid(res.x, 8)
    assert res.fun < prob.f(np.array([2.0, 1.0]))
    for i, sign in itertools.product(range(2), (-1, 1)):  # the certificate, by brute force
        e = np.zeros(2)
        e[i] = sign / 8
        assert prob.f(res.x + e) >= res.fun


# ------------------------------------------------------------- memory and speed (issue 12) --
def _separable(n, seed=0):
    rng = np.random.default_rng(seed)
    a, c = rng.uniform(1, 2, n), rng.uniform(-1, 1, n)
    return (lambda x: 0.5 * float(np.dot(a * (x - c), x - c))), (lambda x: a * (x - c))


def test_path_auto_keeps_every_iterate_within_the_budget_and_says_so():
    from quantopt.minimize import RECORD_BUDGET
    f, g = _separable(10)
    small = qo.minimize(f, np.zeros(10), jac=g, method="adam", options={"maxiter": 50})
    assert small.path_complete and small.path.shape == (small.nit + 1, 10)
    n = RECORD_BUDGET // 50 + 1  # n (maxiter + 1) just above the budget with maxiter = 49
    f, g = _separable(n)
    big = qo.minimize(f, np.zeros(n), jac=g, method="adam", options={"maxiter": 49})
    assert not big.path_complete and big.path.shape == (2, n)
    np.testing.assert_array_equal(big.path[1], big.x)
    assert big.fun_path.tolist() == [f(np.zeros(n)), big.fun]
    forced = qo.minimize(f, np.zeros(n), jac=g, method="adam",
                         options={"maxiter": 3, "path": True})
    assert forced.path_complete and forced.path.shape == (4, n)


def test_large_adam_run_with_default_options_keeps_o_n_memory():
    """Adam at n = 10^6 with maxiter = 1000 and default options: the path is not recorded
    (n (maxiter + 1) = 1e9 numbers), so the run's allocations stay a few arrays of n (measured
    with tracemalloc over the first iterations; a recorded path would add one array of n per
    iteration). The issue's bound: below 1 GB for the whole run."""
    import tracemalloc
    n = 10**6
    f, g = _separable(n)
    stop_at = 20  # a recorded path would hold 20 more arrays of n by then

    def stop(res):
        if res.nit == stop_at:
            raise StopIteration

    tracemalloc.start()
    try:
        res = qo.minimize(f, np.zeros(n), jac=g, method="adam", callback=stop)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert res.nit == stop_at and not res.path_complete
    assert peak < 16 * 8 * n  # 16 arrays of n float64 (128 MB), whatever the iteration count


ELEMENTWISE = ["gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]


@pytest.mark.parametrize("method", ELEMENTWISE)
def test_fused_in_place_steps_give_the_pure_steps_bits(method, monkeypatch):
    """A fixed float step runs the rule's fused step_inplace unless the states are recorded;
    the iterates, f values and counts are bit for bit those of the pure step + x + lr d."""
    from quantopt import steps
    prob = problems.rosenbrock(2)
    def f(x, b=None):
        return prob.f(x)

    def g(x, b=None):
        return prob.grad(x)

    options = {"lr": 1e-3, "maxiter": 300, **({"n_samples": 1} if method == "sgd" else {})}
    calls = []
    original = steps.FusedStep.__call__

    def counting(self, *args):
        calls.append(1)
        return original(self, *args)

    steps.FusedStep.__call__ = counting
    monkeypatch.setattr(steps, "FUSED_MIN_N", 1)  # the fused step at n = 2, to compare bits
    try:
        fused = qo.minimize(f, prob.x0, jac=g, method=method, options=options)
        pure = qo.minimize(f, prob.x0, jac=g, method=method,
                           options={**options, "record_state": True})
    finally:
        steps.FusedStep.__call__ = original
    assert len(calls) == fused.nit > 0  # every fused iteration, and none of the pure run's
    assert fused.path.tobytes() == pure.path.tobytes()
    assert fused.fun_path.tobytes() == pure.fun_path.tobytes()
    assert (fused.nfev, fused.njev, fused.status) == (pure.nfev, pure.njev, pure.status)


def test_fused_step_keeps_the_last_finite_iterate(monkeypatch):
    """The in-place step writes into a second buffer: after a nan, x is the last finite one."""
    from quantopt import steps
    monkeypatch.setattr(steps, "FUSED_MIN_N", 1)

    def f(x):
        return float("nan") if x[0] > 3 else float(x @ x)

    res = qo.minimize(f, np.array([0.0, 0.0]), jac=lambda x: np.array([-1.0, 0.0]),
                      method="momentum", options={"lr": 0.5, "momentum": 0.5})
    assert res.status == 4 and np.all(res.x <= 3)
    assert res.fun == f(res.x) and res.x.tolist() == res.path[-1].tolist()


@pytest.mark.parametrize("method", ELEMENTWISE)
def test_fused_grid_steps_give_the_pure_steps_bits(method, monkeypatch):
    """On the grid, lr d of an elementwise rule comes from its fused step_inplace applied to a
    zero buffer (0 + lr d = lr d); the codes, iterates and counts are those of the pure step."""
    from quantopt import steps
    monkeypatch.setattr(steps, "FUSED_MIN_N", 1)
    prob = problems.rosenbrock(2)

    def f(x, b=None):
        return prob.f(x)

    def g(x, b=None):
        return prob.grad(x)

    options = {"lr": 1e-3, "maxiter": 300, **({"n_samples": 1} if method == "sgd" else {})}
    runs = [qo.minimize(f, prob.x0, jac=g, method=method, qp=2**12, line_search=None,
                        options={**options, "record_state": record}) for record in (False, True)]
    fused, pure = runs
    assert fused.path.tobytes() == pure.path.tobytes()
    assert (fused.nit, fused.nfev, fused.status) == (pure.nit, pure.nfev, pure.status)


def test_a_restart_keeps_the_rules_safeguard_counters():
    """A gradient restart resets the rule's state (B = I, no pairs) but not its counters, so
    n_skipped / n_damped / n_modified count the whole run."""
    from quantopt import steps
    for method, counters in (("bfgs", {"n_skipped": 3}), ("lbfgs", {"n_skipped": 2,
                                                                      "n_damped": 5})):
        rule = qo.optim.RULES[method]()
        x = np.array([0.5, -1.0])
        used = rule.init(x)._replace(k=7, **counters)
        fresh = steps._fresh(rule, used, x)
        assert {c: getattr(fresh, c) for c in counters} == counters
        assert fresh.k == 0
        if method == "bfgs":
            np.testing.assert_array_equal(fresh.B, np.eye(2))
