"""Resolution schedules (quantopt.schedules) and minimize(..., qp=schedule).

Oracles: the closed form of the testbench's temperature and its floor (computed here, and the
research note's table); exact Fraction arithmetic for grid membership of every iterate on the
grid of its own row; replays of the zero-step rule from the recorded path.
"""
import math
from fractions import Fraction

import numpy as np
import pytest

import quantopt as qo
from quantopt import problems, schedules


def on_grid(x, qp) -> bool:
    q = Fraction(qp)
    return all(float(Fraction(math.floor(q * Fraction(float(v)) + Fraction(1, 2))) / q) == v
               for v in np.ravel(x))


def test_annealing_temperature_and_floor_match_the_closed_form_and_the_notes_table():
    for t in (0, 1, 2, 5, 10, 20, 50, 100, 1000):
        expected = 2.0 ** (40.0 / (t + 2)) * 1e-6 / math.log(t + 2)
        assert schedules.annealing_temperature(t) == pytest.approx(expected, rel=1e-15)
    # research note, section 3A: the floor Qp (powers of two from 1) at these t
    table = {0: 1, 1: 4, 2: 8, 5: 64, 10: 128, 20: 256, 50: 512, 100: 512, 1000: 1024}
    sched = schedules.annealing(1)
    grid = sched.grid0
    for t, qp in table.items():
        m = sched.due(t, grid)
        assert float(grid.qp) * m == qp, t


def test_floor_is_capped_at_qp_max_and_never_coarsens():
    sched = schedules.annealing(1, qp_max=64)
    g = sched.grid0
    assert float(g.qp) * sched.due(1000, g) == 64
    fine = g.refine(128)  # already finer than the floor: nothing to do
    assert sched.due(5, fine) == 1


def test_bad_schedules_name_the_argument():
    with pytest.raises(ValueError, match="qp_max"):
        schedules.on_zero_step(64, qp_max=8)
    with pytest.raises(ValueError, match="factor"):
        schedules.on_zero_step(4, factor=1)
    with pytest.raises(ValueError, match="qp"):
        schedules.on_zero_step(0)
    prob = problems.rosenbrock(2)
    with pytest.raises(ValueError, match="integer multiple"):
        qo.minimize(prob.f, prob.x0, jac=prob.grad, method="gd", line_search=None,
                    qp=lambda t: 10 if t < 1 else 15, options={"lr": 1e-3, "maxiter": 10})
    with pytest.raises(ValueError, match="positive"):
        qo.minimize(prob.f, prob.x0, jac=prob.grad, method="gd", line_search=None,
                    qp=lambda t: -1.0, options={"maxiter": 3})


def _rows_on_their_grids(res):
    assert res.qp_path.shape == (res.path.shape[0],)
    return all(on_grid(x, qp) for x, qp in zip(res.path, res.qp_path))


@pytest.mark.parametrize("method, line_search", [("gd", None), ("momentum", None),
                                                  ("gd", "armijo"), ("bfgs", "auto")])
def test_on_zero_step_refines_exactly_when_the_step_rounds_to_zero(method, line_search):
    """Every iterate lies on the grid of its row; the grid only refines (by the factor) on a
    row where x did not move; and the run ends at qp_max with a certified grid-local minimum
    (or gtol)."""
    prob = problems.rosenbrock(2)
    sched = schedules.on_zero_step(4, factor=2, qp_max=2**10)
    res = qo.minimize(prob.f, prob.x0, jac=prob.grad, method=method, qp=sched,
                      line_search=line_search, options={"lr": 1e-3, "maxiter": 5000})
    assert _rows_on_their_grids(res)
    ratios = res.qp_path[1:] / res.qp_path[:-1]
    assert set(np.unique(ratios).tolist()) <= {1.0, 2.0}
    for r in np.flatnonzero(ratios == 2.0):
        assert np.array_equal(res.path[r + 1], res.path[r])  # refined without moving
    assert res.qp_path[0] == 4 and res.qp_path[-1] <= 2**10
    assert res.status in (0, 1, 6)
    if res.status == 6:
        assert res.qp_path[-1] == 2**10  # the certificate comes only at qp_max


def test_zero_step_rule_replayed_for_gd():
    """For gd with a fixed step, row t+1 refines exactly when (lr g(x_t))^Q = 0 on the grid of
    row t (the step rounded to zero), checked by exact rounding here."""
    prob = problems.rosenbrock(2)
    lr = 1e-3
    res = qo.minimize(prob.f, prob.x0, jac=prob.grad, method="gd", line_search=None,
                      qp=schedules.on_zero_step(8, qp_max=2**12),
                      options={"lr": lr, "maxiter": 3000})
    for t in range(res.nit):
        step = -lr * prob.grad(res.path[t])
        q = Fraction(res.qp_path[t])
        zero = all(math.floor(q * Fraction(float(v)) + Fraction(1, 2)) == 0 for v in step)
        refined = res.qp_path[t + 1] > res.qp_path[t]
        assert refined == (zero and res.qp_path[t] < 2**12), t


def test_annealing_floor_holds_on_every_row():
    prob = problems.himmelblau()
    sched = schedules.annealing(1, qp_max=2**14)
    res = qo.minimize(prob.f, prob.x0, jac=prob.grad, method="gd", qp=sched,
                      line_search="armijo", options={"maxiter": 400})
    assert _rows_on_their_grids(res)
    for r in range(1, res.path.shape[0]):
        floor = 1 / math.sqrt(24 * schedules.annealing_temperature(r - 1))
        assert res.qp_path[r] >= min(floor, 2**14) or res.qp_path[r] * 2 > 2**14


def test_callable_schedule_is_followed_and_codes_are_re_expressed_exactly():
    prob = problems.rosenbrock(2)

    def qp(t):
        return 4 * 2 ** min(t // 50, 6)

    res = qo.minimize(prob.f, prob.x0, jac=prob.grad, method="gd", line_search=None, qp=qp,
                      options={"lr": 1e-3, "maxiter": 400, "poll": None})
    assert _rows_on_their_grids(res)
    for r in range(1, res.path.shape[0]):
        assert res.qp_path[r] == qp(r - 1) or res.status == 3


def test_fixed_qp_has_a_constant_qp_path():
    prob = problems.rosenbrock(2)
    res = qo.minimize(prob.f, prob.x0, jac=prob.grad, method="bfgs", qp=100)
    assert res.qp_path.shape == (res.nit + 1,) and np.all(res.qp_path == 100)
    res = qo.minimize(prob.f, prob.x0, jac=prob.grad, method="bfgs")
    assert "qp_path" not in res
