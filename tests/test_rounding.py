"""quantopt.rounding against an independent oracle: exact Fraction arithmetic.

The oracle never calls the library: x^R = floor(x + 1/2) and k = floor(qp*x + 1/2) on the exact
rational value of each float (Fraction(float) is exact), and the float nearest a rational is
found by comparing exact distances to the candidate floats.
"""
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import quantopt as qo

HALF = Fraction(1, 2)


# ----------------------------------------------------------------------------------- oracle --
def rhu(v):
    """floor(v + 1/2) on an exact rational: the definition of x^R."""
    return math.floor(Fraction(v) + HALF)


def code(x, qp):
    return math.floor(Fraction(qp) * Fraction(x) + HALF)


def floor_code(x, qp):
    return math.floor(Fraction(qp) * Fraction(x))


def nearest_float(v: Fraction, dtype) -> float:
    """The float of `dtype` nearest to the rational v, ties to even (IEEE round-to-nearest)."""
    dtype = np.dtype(dtype)
    c = dtype.type(float(v))  # within a few ulps of the answer; the exact search decides
    cands = {c}
    for _ in range(2):
        cands |= {np.nextafter(d, dtype.type(np.inf)) for d in cands}
        cands |= {np.nextafter(d, dtype.type(-np.inf)) for d in cands}
    cands = [d for d in cands if np.isfinite(d)]
    best = min(abs(Fraction(float(d)) - v) for d in cands)
    ties = [d for d in cands if abs(Fraction(float(d)) - v) == best]
    if len(ties) == 1:
        return ties[0]
    uint = {2: np.uint16, 4: np.uint32, 8: np.uint64}[dtype.itemsize]
    return next(d for d in ties if int(np.array(d, dtype).view(uint)) % 2 == 0)


# ------------------------------------------------------------------------------- strategies --
# Exact ties n + 1/2 (representable for |n| < 2**52), the floats one ulp either side of them,
# negative values, and large magnitudes around 2**52 and 2**53 where float spacing reaches 1, 2.
ints52 = st.integers(-(2**52) + 1, 2**52 - 1)
ties = ints52.map(lambda n: n + 0.5)
near_ties = st.tuples(ties, st.sampled_from([-2, -1, 1, 2])).map(
    lambda t: t[0] if t[1] == 0 else _ulps(t[0], t[1]))
large = st.floats(min_value=2.0**50, max_value=2.0**55) | st.floats(
    min_value=-(2.0**55), max_value=-(2.0**50))
small_ties = st.integers(-40, 40).map(lambda n: n + 0.5)
any_finite = st.floats(allow_nan=False, allow_infinity=False)
hard_floats = st.one_of(ties, near_ties, large, small_ties, any_finite,
                        st.sampled_from([0.0, -0.0, 0.5, -0.5, 0.49999999999999994, -1.5,
                                         5e-324, -5e-324, 1.7976931348623157e308]))


def _ulps(x: float, n: int) -> float:
    for _ in range(abs(n)):
        x = math.nextafter(x, math.inf if n > 0 else -math.inf)
    return x


# Grid resolutions: powers of two (exact products), decimal and odd ones (inexact products).
pow2_qp = st.integers(-30, 30).map(lambda e: 2.0**e)
other_qp = st.sampled_from([3, 10, 100, 255, 127, 1000, 0.1, 7.5, 1e-3, 1e6, 12345.678])
qps = pow2_qp | other_qp | st.floats(min_value=1e-6, max_value=1e9)


@st.composite
def x_near_grid_tie(draw, qp_strategy=qps):
    """A float at, or a few ulps from, the grid midpoint (k + 1/2)/qp, and its qp."""
    qp = draw(qp_strategy)
    k = draw(st.integers(-(2**40), 2**40) | st.integers(-50, 50))
    x = float(Fraction(2 * k + 1, 2) / Fraction(qp))
    x = _ulps(x, draw(st.integers(-3, 3)))
    return x, qp


# ------------------------------------------------------------------------------ round_half_up --
@given(hard_floats)
@example(0.49999999999999994)  # fl(x + 0.5) = 1.0: the naive floor(x + 0.5) gives 1
@example(2.0**52 + 1)  # fl(x + 0.5) rounds to even 2**52 + 2
@example(-0.5)
@example(-2.5)
def test_round_half_up_exact_float64(x):
    got = qo.round_half_up(x)
    assert type(got) is float
    assert Fraction(got) == rhu(x)


@given(st.lists(hard_floats, min_size=1, max_size=30))
def test_round_half_up_array_matches_oracle(xs):
    a = np.array(xs)
    before = a.copy()
    got = qo.round_half_up(a)
    assert got.dtype == np.float64 and got.shape == a.shape
    assert [Fraction(float(g)) for g in got] == [rhu(x) for x in xs]
    np.testing.assert_array_equal(a, before)  # input untouched


f32_ties = st.integers(-(2**23), 2**23).map(lambda n: np.float32(n + 0.5))
f32_any = st.floats(width=32, allow_nan=False, allow_infinity=False).map(np.float32)
f32_hard = st.one_of(f32_ties, f32_any, st.tuples(f32_ties, st.sampled_from([-1, 1])).map(
    lambda t: np.nextafter(t[0], np.float32(np.inf * t[1]))))


@given(st.lists(f32_hard, min_size=1, max_size=20))
def test_round_half_up_float32_stays_float32_and_exact(xs):
    a = np.array(xs, dtype=np.float32)
    got = qo.round_half_up(a)
    assert got.dtype == np.float32
    assert [Fraction(float(g)) for g in got] == [rhu(float(x)) for x in xs]


@given(st.fractions(max_denominator=10**6) | small_ties.map(Fraction))
def test_round_half_up_fraction_exact(v):
    got = qo.round_half_up(v)
    assert isinstance(got, Fraction) and got == rhu(v)


def test_round_half_up_types_and_nonfinite():
    assert qo.round_half_up(7) == 7 and type(qo.round_half_up(7)) is int
    assert qo.round_half_up(np.array([3, -4])).tolist() == [3, -4]
    assert type(qo.round_half_up(np.float32(2.5))) is np.float32
    assert qo.round_half_up([0.5, 1.5, 2.5]).tolist() == [1.0, 2.0, 3.0]
    out = qo.round_half_up(np.array([np.inf, -np.inf, np.nan]))
    assert out[0] == np.inf and out[1] == -np.inf and np.isnan(out[2])


def test_round_half_up_is_not_numpy_round():
    # numpy.round and Python's round go half to even; x^R goes half up.
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])
    assert qo.round_half_up(x).tolist() == [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0]
    assert np.round(x).tolist() == [-2.0, -2.0, -0.0, 0.0, 2.0, 2.0]


# ----------------------------------------------------------------------------------- residual --
@given(hard_floats)
@example(0.49999999999999994)
@example(-0.5)
def test_residual_exact_and_in_range(x):
    eps = qo.residual(x)
    assert Fraction(eps) == Fraction(x) - rhu(x)  # the float subtraction is exact
    assert -HALF <= Fraction(eps) < HALF


def test_residual_rejects_nonfinite_and_handles_exact_types():
    with pytest.raises(ValueError, match="x"):
        qo.residual(np.array([1.0, np.inf]))
    with pytest.raises(ValueError, match="x"):
        qo.residual(float("nan"))
    assert qo.residual(Fraction(5, 2)) == Fraction(-1, 2)
    assert qo.residual(3) == 0


# ----------------------------------------------------------------------------------- quantize --
@given(x_near_grid_tie())
@example((0.125, 100))  # 12.5 exactly: a tie, up to 13
@example((0.015, 100))  # 100*x is 1.4999999999999999...: the float product rounds to 1.5
@example((0.15, 10))
@example((-0.125, 100))
def test_quantize_float64_code_exact_and_value_correctly_rounded(case):
    x, qp = case
    k = code(x, qp)
    assume(abs(Fraction(qp) * Fraction(x)) < 2**52)
    assert qo.to_codes(x, qp) == k
    got = qo.quantize(x, qp)
    assert got == float(Fraction(k) / Fraction(qp))  # Fraction -> float: correctly rounded


@given(st.lists(hard_floats, min_size=1, max_size=20), pow2_qp)
def test_quantize_power_of_two_exact_for_every_finite_float(xs, qp):
    a = np.array(xs)
    got = qo.quantize(a, qp)
    for x, g in zip(xs, got):
        assert Fraction(float(g)) == Fraction(code(x, qp)) / Fraction(qp)  # exact, no rounding


@given(st.lists(st.tuples(f32_hard, st.integers(-2, 2)), min_size=1, max_size=10), qps)
def test_quantize_float32_is_nearest_float32_to_exact_grid_point(items, qp):
    a = np.array([x for x, _ in items], dtype=np.float32)
    assume(np.all(np.abs(a.astype(np.float64)) * qp < 2**52))
    got = qo.quantize(a, qp)
    assert got.dtype == np.float32
    for x, g in zip(a, got):
        k = code(float(x), qp)
        assert g == nearest_float(Fraction(k) / Fraction(qp), np.float32)


@st.composite
def float32_double_rounding_case(draw):
    """Codes k and qp whose float64 quotient lands exactly on a float32 midpoint.

    m is a midpoint of two adjacent float32s; qp = fl(k/m) makes k/qp = m(1 + δ) with |δ| about
    2**-53, so fl64(k/qp) is often m itself, and rounding m to float32 then needs the sign of δ.
    """
    lo = draw(st.floats(min_value=1.0, max_value=1e6, width=32))
    lo = np.float32(lo)
    m = (float(lo) + float(np.nextafter(lo, np.float32(np.inf)))) / 2
    k = draw(st.integers(2**45, 2**52))
    qp = k / m
    return k, qp


@given(float32_double_rounding_case())
def test_from_codes_float32_avoids_double_rounding(case):
    k, qp = case
    got = qo.from_codes(np.array([k]), qp, dtype=np.float32)[0]
    assert got == nearest_float(Fraction(k) / Fraction(qp), np.float32)


def test_double_rounding_cases_exist_where_naive_cast_fails():
    """The previous test can fail: the naive float32(k / qp) is wrong on some of its cases."""
    rng = np.random.default_rng(0)
    wrong = 0
    for _ in range(400):
        lo = np.float32(rng.uniform(1, 1e6))
        m = (float(lo) + float(np.nextafter(lo, np.float32(np.inf)))) / 2
        k = int(rng.integers(2**45, 2**52))
        qp = k / m
        exact = nearest_float(Fraction(k) / Fraction(qp), np.float32)
        wrong += np.float32(k / qp) != exact
        assert qo.from_codes(np.array([k]), qp, dtype=np.float32)[0] == exact
    assert wrong > 10


@given(st.fractions(max_denominator=1000), st.fractions(min_value=Fraction(1, 50),
                                                        max_value=1000, max_denominator=50))
def test_quantize_fraction_exact(v, qp):
    got = qo.quantize(v, qp)
    assert isinstance(got, Fraction)
    assert got == Fraction(code(v, qp)) / qp


def test_quantize_worked_example_of_the_note():
    assert qo.quantize(0.123456789, 100) == 0.12
    assert qo.to_codes(0.123456789, 100) == 12
    assert qo.quantize(Fraction("0.123456789"), 100) == Fraction(3, 25)


@given(x_near_grid_tie())
def test_quantize_idempotent_and_round_trips_through_codes(case):
    x, qp = case
    assume(abs(Fraction(qp) * Fraction(x)) < 2**51)
    xq = qo.quantize(x, qp)
    assert qo.quantize(xq, qp) == xq
    assert qo.from_codes(qo.to_codes(x, qp), qp) == xq
    assert qo.to_codes(xq, qp) == qo.to_codes(x, qp)


def test_quantize_nonfinite_pass_through_and_large_power_of_two():
    out = qo.quantize(np.array([np.inf, -np.inf, np.nan, 2.5]), 2)
    assert out[0] == np.inf and out[1] == -np.inf and np.isnan(out[2]) and out[3] == 2.5
    out = qo.quantize(np.array([np.inf, 0.125]), 100)
    assert out[0] == np.inf and out[1] == 0.13
    # beyond 2**52 on a power-of-two grid every float is a grid point
    big = np.array([1.7976931348623157e308, -1e300, 2.0**60 + 2.0**8])
    np.testing.assert_array_equal(qo.quantize(big, 4), big)


def test_quantize_refuses_inexact_domain():
    with pytest.raises(OverflowError, match="x=1e\\+300"):
        qo.quantize(np.array([0.0, 1e300]), 100)
    with pytest.raises(OverflowError, match="2\\*\\*52"):
        qo.to_codes(2.0**52 / 3, 3)


# ------------------------------------------------------------------------- to_codes/from_codes --
@given(st.lists(hard_floats, min_size=1, max_size=20), qps)
def test_to_codes_matches_oracle_or_refuses(xs, qp):
    a = np.array(xs)
    pow2 = math.frexp(qp)[0] == 0.5
    exact_codes = [code(x, qp) for x in xs]
    limit = 2**63 if pow2 else 2**52
    in_domain = all(abs(Fraction(qp) * Fraction(x)) < limit for x in xs) and all(
        abs(k) < 2**63 for k in exact_codes)
    if in_domain:
        got = qo.to_codes(a, qp)
        assert got.dtype == np.int64
        assert got.tolist() == exact_codes
    elif pow2 and any(abs(k) >= 2**63 for k in exact_codes) or not pow2:
        with pytest.raises(OverflowError):
            qo.to_codes(a, qp)


def test_to_codes_never_wraps():
    with pytest.raises(OverflowError, match="2\\*\\*63"):
        qo.to_codes(2.0**63, 1)
    assert qo.to_codes(2.0**62, 1) == 2**62
    assert qo.to_codes(-(2.0**63) + 1024, 1) == -(2**63) + 1024
    with pytest.raises(OverflowError):
        qo.to_codes(np.array([1.0, 1e19]), 1)


def test_to_codes_types():
    assert type(qo.to_codes(0.5, 1)) is int
    assert qo.to_codes(Fraction(7, 3), 3) == 7
    assert qo.to_codes(10**30, 1) == 10**30  # Python ints are exact, any size
    assert type(qo.to_codes(np.float32(0.5), 1)) is np.int64


@given(st.lists(st.integers(-(2**53), 2**53), min_size=1, max_size=20), qps)
def test_from_codes_correctly_rounded(ks, qp):
    got = qo.from_codes(np.array(ks, dtype=np.int64), qp)
    assert got.tolist() == [float(Fraction(k) / Fraction(qp)) for k in ks]


def test_from_codes_errors_and_exact():
    assert qo.from_codes(12, Fraction(100)) == Fraction(3, 25)
    with pytest.raises(TypeError, match="k"):
        qo.from_codes(np.array([1.5]), 10)
    with pytest.raises(OverflowError, match="k"):
        qo.from_codes(np.array([2**60 + 1]), 10)
    assert qo.from_codes(2**60 + 1, 1) == float(2**60 + 1)  # a Python int is exact


# -------------------------------------------------------------------------- stochastic_round --
@given(x_near_grid_tie(), st.integers(0, 2**32))
def test_stochastic_round_lands_on_a_neighbouring_grid_point(case, seed):
    x, qp = case
    assume(abs(Fraction(qp) * Fraction(x)) < 2**51)
    out = qo.stochastic_round(np.full(8, x), qp, rng=seed)
    f = floor_code(x, qp)
    for v in out:
        kv = qo.to_codes(float(v), qp)
        assert kv in (f, f + 1)
        assert v == float(Fraction(kv) / Fraction(qp))
    if Fraction(qp) * Fraction(x) == f:  # on the grid: never moves
        assert all(qo.to_codes(float(v), qp) == f for v in out)


# The sample mean of N draws has standard deviation sigma = sqrt(p(1-p)/N)/qp, p the fractional
# part of qp*x. We accept |mean - x| <= 5 sigma: a correct implementation fails a given case with
# probability < 6e-7, and the seeds are fixed, so the test is deterministic.
@pytest.mark.parametrize("x, qp", [(0.3, 1), (-0.3, 1), (0.125 + 1e-9, 100), (-2.7, 10),
                                   (1 / 3, 3), (0.05, 100), (1e-4, 1)])
def test_stochastic_round_unbiased(x, qp):
    n = 200_000
    out = qo.stochastic_round(np.full(n, x), qp, rng=12345)
    t = Fraction(qp) * Fraction(x)
    p = float(t - math.floor(t))
    sigma = math.sqrt(p * (1 - p) / n) / qp
    assert abs(out.mean() - x) <= 5 * sigma + 1e-15
    # variance: exactly p(1-p)/qp^2 <= 1/(4 qp^2). The data take two values 1/qp apart, so the
    # sample variance is p^(1-p^)/qp^2 with p^ the fraction rounded up, and
    # p^(1-p^) - p(1-p) = (p^-p)(1-2p) - (p^-p)^2: within |1-2p| d + d^2 when |p^-p| <= d.
    # d = 5 sd of p^ (the same 5-sigma event as the mean).
    var = p * (1 - p) / qp**2
    d = 5 * math.sqrt(p * (1 - p) / n)
    assert abs(out.var() - var) <= (abs(1 - 2 * p) * d + d * d) / qp**2 + 1e-15
    assert var <= 1 / (4 * qp**2)


def test_stochastic_round_fraction_exact_probability():
    # P(up) is exactly 1/3 for x = 1/3: the count over n draws is Binomial(n, 1/3); accept 5 sd.
    rng = np.random.default_rng(7)
    n = 30_000
    ups = sum(qo.stochastic_round(Fraction(1, 3), 1, rng=rng) == 1 for _ in range(n))
    assert abs(ups - n / 3) <= 5 * math.sqrt(n * (1 / 3) * (2 / 3))
    assert qo.stochastic_round(Fraction(5, 1), 1, rng=rng) == 5


def test_stochastic_round_reproducible_and_uses_only_its_rng():
    x = np.linspace(-3, 3, 101)
    np.random.seed(0)
    a = qo.stochastic_round(x, 4, rng=42)
    np.random.seed(1)  # the global state must not matter
    b = qo.stochastic_round(x, 4, rng=np.random.default_rng(42))
    np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match="rng"):
        qo.stochastic_round(x, 4, rng="seed")
    with pytest.raises(ValueError, match="x"):
        qo.stochastic_round(np.array([np.nan]), 4, rng=0)


def test_stochastic_round_float32():
    x = np.array([0.3, -1.7, 2.5], dtype=np.float32)
    out = qo.stochastic_round(x, 1, rng=0)
    assert out.dtype == np.float32
    assert set(out.tolist()) <= {0.0, 1.0, -2.0, -1.0, 2.0, 3.0}


# ------------------------------------------------------------------------------- bad input --
@pytest.mark.parametrize("qp", [0, -1, -0.5, float("nan"), float("inf"), Fraction(-1, 3)])
def test_bad_qp_value(qp):
    with pytest.raises(ValueError, match="qp"):
        qo.quantize(np.array([1.0]), qp)


@pytest.mark.parametrize("qp", ["1", None, True, 1j, [1]])
def test_bad_qp_type(qp):
    with pytest.raises(TypeError, match="qp"):
        qo.quantize(1.0, qp)


def test_qp_not_a_float64_for_float_input():
    with pytest.raises(ValueError, match="qp"):
        qo.quantize(np.array([0.5]), Fraction(1, 3))
    assert qo.quantize(0.5, Fraction(1, 3)) == 0  # scalar float with a Fraction qp: exact
    with pytest.raises(ValueError, match="qp"):
        qo.to_codes(np.array([1.0]), 2**60 + 1)


@pytest.mark.parametrize("fn", [qo.round_half_up, qo.residual,
                                lambda x: qo.quantize(x, 10), lambda x: qo.to_codes(x, 10),
                                lambda x: qo.stochastic_round(x, 10, rng=0)])
@pytest.mark.parametrize("x", ["1.5", 1 + 2j, True, np.array([True]), np.array(["a"]),
                               np.array([1.0], dtype=np.complex128), None])
def test_bad_x_type(fn, x):
    with pytest.raises(TypeError, match="x"):
        fn(x)


@pytest.mark.parametrize("fn", [lambda a: qo.quantize(a, 100), lambda a: qo.to_codes(a, 100),
                                lambda a: qo.stochastic_round(a, 100, rng=0),
                                qo.round_half_up, qo.residual])
def test_inputs_never_modified(fn):
    a = np.array([0.125, -0.125, 1.005, 3.0])
    b = a.copy()
    out = fn(a)
    np.testing.assert_array_equal(a, b)
    assert out is not a
