"""quantopt.grid.Grid: codes <-> floats, exact code addition, quantized steps, refinement.

Oracles: exact Fraction arithmetic (k = floor(qp·x + 1/2) of the float's exact value; the
float nearest to k/qp is float(Fraction(k)/qp), which Python rounds correctly), and counting
for the stochastic rounding's mean.
"""
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from quantopt.grid import Grid

QPS = [1, 2, 8, 1024, 2.0**-3, 3, 10, 100, 0.1, 1000]


def code_oracle(x: float, qp) -> int:
    return math.floor(Fraction(qp) * Fraction(x) + Fraction(1, 2))


def value_oracle(k: int, qp) -> float:
    return float(Fraction(k) / Fraction(qp))


@given(st.sampled_from(QPS), st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=8))
@example(10, [0.15, -0.15, 0.25, -0.05])  # ties: the float 0.15 is above 3/20, -0.05 below
@example(4, [0.125, -0.125, 0.375])       # exact ties at half a grid step: round half up
def test_codes_and_values_against_fractions(qp, xs):
    grid = Grid(qp)
    x = np.array(xs)
    k = grid.codes(x)
    assert k.dtype == np.int64
    assert k.tolist() == [code_oracle(v, qp) for v in xs]
    assert grid.values(k).tolist() == [value_oracle(c, qp) for c in k.tolist()]
    # a grid point's float has the same code again (the round trip the driver relies on)
    assert np.array_equal(grid.codes(grid.values(k)), k)
    assert grid.on_grid(grid.values(k))


@given(st.sampled_from([3, 10, 100, 0.1]), st.integers(-(2**52) + 1, 2**52 - 1))
@example(3, 2**52 - 1)
@example(10, -(2**52) + 1)
def test_round_trip_at_the_code_bound(qp, k):
    grid = Grid(qp)
    x = grid.values(np.array([k]))
    assert x[0] == value_oracle(k, qp)
    assert grid.codes(x).tolist() == [k]


def test_power_of_two_values_are_exact_up_to_2_53():
    grid = Grid(2**20)
    k = np.array([3, -2**53, 2**53, 1])
    assert grid.values(k).tolist() == [value_oracle(c, 2**20) for c in k.tolist()]
    assert grid.CODE_BOUND == 2**53 and Grid(10).CODE_BOUND == 2**52 - 1


def test_add_is_exact_and_refuses_codes_beyond_the_bound():
    grid = Grid(10)
    assert grid.add(np.array([2**51]), np.array([2**51 - 1])).tolist() == [2**52 - 1]
    with pytest.raises(OverflowError, match="exceeds"):
        grid.add(np.array([2**51]), np.array([2**51]))
    with pytest.raises(OverflowError, match="exceeds"):
        Grid(4).add(np.array([-(2**53)]), np.array([-1]))


@given(st.sampled_from(QPS), st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=6))
def test_step_codes_to_nearest_is_the_code_of_the_step(qp, step):
    grid = Grid(qp)
    assert grid.step_codes(np.array(step)).tolist() == [code_oracle(v, qp) for v in step]


def test_stochastic_step_codes_are_unbiased():
    grid = Grid(8)
    step = np.full(20000, 0.3 / 8)  # 0.3 of a grid step: 1 with probability 0.3, else 0
    k = grid.step_codes(step, rng=np.random.default_rng(0))
    assert set(np.unique(k).tolist()) <= {0, 1}
    p, n = 0.3, k.size
    assert abs(k.mean() - p) <= 5 * math.sqrt(p * (1 - p) / n)


@given(st.sampled_from(QPS), st.integers(1, 1000), st.lists(st.integers(-10**9, 10**9),
                                                              min_size=1, max_size=5))
def test_refine_keeps_every_point_exactly(qp, m, codes):
    grid = Grid(qp)
    exact = Fraction(qp) * m
    if Fraction(float(exact)) != exact:  # e.g. 0.1 * 3: the finer grid is not a float64 qp
        with pytest.raises(ValueError, match="qp"):
            grid.refine(m)
        return
    fine = grid.refine(m)
    assert fine.qp == exact
    k = np.array(codes)
    k_fine = grid.refine_codes(k, m)
    assert k_fine.tolist() == [c * m for c in codes]
    # the same rational points: k/qp = (k m)/(qp m), hence the same floats
    assert np.array_equal(fine.values(k_fine), grid.values(k))


def test_refine_rejects_bad_factors_and_overflow():
    grid = Grid(10)
    with pytest.raises(ValueError, match="m"):
        grid.refine(0)
    with pytest.raises(TypeError, match="m"):
        grid.refine(1.5)
    with pytest.raises(OverflowError, match="refining"):
        grid.refine_codes(np.array([2**50]), 8)


def test_bad_qp_names_qp():
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="qp"):
            Grid(bad)
    with pytest.raises(ValueError, match="qp"):
        Grid(Fraction(1, 3))  # not a float64
    with pytest.raises(TypeError, match="qp"):
        Grid("10")


def test_codes_of_non_finite_or_huge_x_raise():
    grid = Grid(10)
    with pytest.raises(ValueError, match="finite"):
        grid.codes(np.array([np.nan]))
    with pytest.raises(OverflowError):
        grid.codes(np.array([1e300]))
    assert not grid.on_grid(np.array([np.inf])) and not grid.on_grid(np.array([0.05]))


def test_grids_compare_by_qp():
    assert Grid(10) == Grid(10.0) == Grid(Fraction(10)) and Grid(10) != Grid(100)
    assert len({Grid(10), Grid(10.0)}) == 1
    assert repr(Grid(8)) == "Grid(qp=8)"


def test_add_catches_a_sum_that_wraps_around_int64():
    """A step's codes are only known to be below 2**63 in magnitude; k + dk can then wrap
    around int64, and the one bound check of the sum must still refuse it."""
    grid = Grid(4)
    big = np.iinfo(np.int64).max
    for k, dk in ((2**53, big), (-(2**53), -big), (2**52, big - 2**52 + 5)):
        with np.errstate(over="ignore"):
            with pytest.raises(OverflowError, match="exceeds"):
                grid.add(np.array([k]), np.array([dk]))
