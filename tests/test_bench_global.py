"""bench/bench_global.py's own helpers: the Wilson interval, the sign test, the scoring of a run
(success, escape), the multistart's choice of its result, and the budgets of the global
methods. Fast: the bench itself is never part of `make test`."""
import importlib.util
import math
import pathlib
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

PATH = pathlib.Path(__file__).resolve().parent.parent / "bench" / "bench_global.py"


def _load():
    spec = importlib.util.spec_from_file_location("bench_global", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_global", module)
    spec.loader.exec_module(module)
    return module


bg = _load()


@pytest.mark.parametrize("k, n", [(0, 1), (1, 1), (0, 100), (1, 100), (50, 100), (99, 100),
                                  (100, 100), (3, 7), (0, 10), (10, 10), (37, 1000)])
def test_wilson_matches_scipy(k, n):
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    lo, hi = bg.wilson(k, n)
    assert lo == pytest.approx(ci.low, abs=1e-12)
    assert hi == pytest.approx(ci.high, abs=1e-12)


@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_bounds_solve_the_score_equation(kn):
    """Both bounds p solve (k/n - p)^2 = z^2 p (1 - p) / n (Wilson's score test at the
    boundary); they bracket k/n and lie in [0, 1]; scipy agrees."""
    k, n = kn
    z = bg.Z95
    phat = k / n
    lo, hi = bg.wilson(k, n)
    assert 0.0 <= lo <= phat <= hi <= 1.0
    for p in (lo, hi):
        assert (phat - p) ** 2 == pytest.approx(z * z * p * (1 - p) / n, abs=1e-12)
    ci = stats.binomtest(k, n).proportion_ci(method="wilson")
    assert (lo, hi) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_wilson_closed_form_example():
    """k = 0 of n: (0, z^2 / (n + z^2)) exactly."""
    z2 = bg.Z95**2
    assert bg.wilson(0, 100) == (0.0, pytest.approx(z2 / (100 + z2), rel=1e-14))
    assert bg.Z95 == pytest.approx(stats.norm.ppf(0.975), rel=1e-15)


@pytest.mark.parametrize("k, n", [(-1, 10), (11, 10), (0, 0), (1.5, 10), (1, 2.0)])
def test_wilson_rejects_bad_counts(k, n):
    with pytest.raises(ValueError):
        bg.wilson(k, n)


def test_sign_test():
    assert bg.sign_test_p(0, 0) == 1.0
    assert bg.sign_test_p(0, 5) == pytest.approx(2 / 32)
    assert bg.sign_test_p(5, 0) == pytest.approx(2 / 32)
    assert bg.sign_test_p(3, 3) == pytest.approx(1.0)


def test_score_success_and_escape():
    p = bg.problem("egg_holder", 2)
    inside = bg.score(p, p.minimizers[0], 3, 10, 5, ("q0",))
    assert inside.success and not inside.outside and not inside.escape
    assert inside.dist == 0.0 and inside.err <= 1e-9
    out = bg.score(p, np.array([522.1605290, 413.3157982]), 3, 10, 5, ("q0",))
    assert out.outside and out.escape and not out.success  # f = -976.9 < f*, outside the box
    near = bg.score(p, p.minimizers[0] + [0.0, 1.0], 0, 0, 0, ("q0",))
    assert not near.success and not near.escape and near.dist == pytest.approx(1.0)


def test_starts_are_reproducible_and_in_the_box():
    case = bg.CASES.index(("griewank", 10))
    a, b = bg.starts(case, 100), bg.starts(case, 100)
    assert a.shape == (100, 10) and np.array_equal(a, b)
    box = bg.problem("griewank", 10).bounds
    assert np.all((a >= box[:, 0]) & (a <= box[:, 1]))
    assert not np.array_equal(a[:, :2], bg.starts(bg.CASES.index(("griewank", 2)), 100))


def test_langevin_lr_is_the_curvature_rule():
    case = bg.CASES.index(("rastrigin", 2))
    lr = bg.langevin_lr(case)
    # the Hessian of rastrigin is diag(2 + 40 pi^2 cos(2 pi x)): at 0 its norm is the largest
    assert lr == pytest.approx(0.5 / (2 + 40 * math.pi**2))


def _restart(nfev, fun, inside):
    return bg.Restart(nfev, nfev, nfev, fun, inside, np.array([fun, 0.0]), 0)


def test_multistart_result_prefers_the_box_and_respects_the_cut():
    p = bg.problem("rastrigin", 2)
    trace = (_restart(30, 2.0, True), _restart(60, -5.0, False), _restart(90, 1.0, True),
             _restart(120, 0.0, True))
    assert bg.multistart_result(p, trace, math.inf).fun == 0.0   # x = (0, 0), in the box
    cut = bg.multistart_result(p, trace, 95)
    assert cut.nfev == 90 and cut.fun == p.f(np.array([1.0, 0.0])) and len(cut.status) == 3
    first = bg.multistart_result(p, trace, 10)                    # none finished: the first
    assert first.nfev == 30 and len(first.status) == 1
    out_only = (_restart(30, 2.0, False), _restart(60, 1.0, False))  # none in the box
    assert bg.multistart_result(p, out_only, math.inf).fun == p.f(np.array([1.0, 0.0]))


@pytest.mark.parametrize("runner", ["run_multistart", "run_dual_annealing", "run_basinhopping"])
def test_global_methods_spend_the_budget(runner):
    p = bg.problem("rastrigin", 2)
    rng = np.random.default_rng(0)
    run = getattr(bg, runner)(p, np.array([3.3, -2.2]), rng, 300, 12000)
    assert 300 <= run.nfev <= 300 + 200      # the budget, plus at most the run in progress
    assert run.err == abs(run.fun - p.f_star) and run.success == (run.err <= bg.TOL)


def test_local_run_is_scored():
    p = bg.problem("rastrigin", 2)
    run = bg.run_local(p, np.array([0.3, -0.2]), "bfgs", "annealing", 12000)
    assert run.success and run.status in (("q0",), ("q6",))
    lang = bg.run_langevin(p, np.array([0.3, -0.2]), 7, 50, 1e-3)
    assert lang.nfev == 51 and lang.status == ("q1",)
