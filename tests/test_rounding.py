"""quantopt.rounding against an independent oracle: exact Fraction arithmetic.

The oracle never calls the library: x^R = floor(x + 1/2) and k = floor(qp*x + 1/2) on the exact
rational value of each float (Fraction(float) is exact), and the float nearest a rational is
found by comparing exact distances to the candidate floats.
"""
import math
import tracemalloc
from contextlib import contextmanager
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import quantopt as qo
import quantopt._rounding_kernels as qk

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
    # issue 15 item 5: 2**52/3 rounds to x = 0x1.5555555555555p+50 with 3x = 2**52 - 1/4 exactly,
    # inside the domain (the rounded product fl(3x) = 2**52 is not); the next float is outside
    x = float.fromhex("0x1.5555555555555p+50")
    assert Fraction(3) * Fraction(x) == 2**52 - Fraction(1, 4)
    assert qo.to_codes(x, 3) == code(x, 3) == 2**52
    beyond = math.nextafter(x, math.inf)
    assert Fraction(3) * Fraction(beyond) >= 2**52
    with pytest.raises(OverflowError, match="2\\*\\*52"):
        qo.to_codes(beyond, 3)


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


# =========================================================================================== #
# The blocked kernels against the exact Fraction oracle
# =========================================================================================== #
# quantize, to_codes and stochastic_round run block by block with a fast path and a certificate
# (quantopt/_rounding_kernels.py, "Blocked kernels"). Every element of the result is compared
# bit for bit (value and sign of zero) with the exact answer: the code from Fraction arithmetic
# on the exact value of each float, and the float of the result's dtype nearest to k/qp found
# by exact rational rounding (`round_to` below); the errors raised are those the exact domain
# calls for. Inputs span several blocks, so that block boundaries and the patching of
# uncertified elements are exercised.


def round_to(v: Fraction, dtype):
    """IEEE round to nearest (ties to even) of the rational v in dtype; ±inf on overflow.

    float(v) is the correctly rounded float64 c (Python's int/int division). For float16/32,
    the cast dtype(c) double-rounds, and that can differ from rounding v directly only where c
    is exactly a midpoint m of two adjacent floats of dtype: m is a float64, so by monotonicity
    v < m gives c <= m and v > m gives c >= m, i.e. c off every midpoint lies on v's side of all
    of them. Where c = m, the exact comparison of v with m decides (v = m: ties to even, as
    numpy's cast does). The overflow threshold max + ulp(max)/2 is such a midpoint too.
    """
    dtype = np.dtype(dtype).type
    try:
        c = float(v)
    except OverflowError:
        return dtype(math.inf if v > 0 else -math.inf)
    if dtype is np.float64:
        return np.float64(c)
    with np.errstate(over="ignore"):
        w = dtype(c)
    if float(w) == c:
        return w
    other = np.nextafter(w, dtype(math.copysign(math.inf, c - float(w))))  # c lies between
    ew, eo = exact_value(w), exact_value(other)
    if 2 * Fraction(c) != ew + eo or v == Fraction(c):
        return w  # not a midpoint (single rounding agrees), or an exact tie (cast: to even)
    return w if (v > Fraction(c)) == (ew > eo) else other


def exact_value(f) -> Fraction:
    """The exact value of a float; ±inf of a dtype counts as ±2**emax (the next power of two
    after its largest float, where the overflow threshold is the midpoint)."""
    if np.isfinite(f):
        return Fraction(float(f))
    big = Fraction(2) ** np.finfo(type(f)).maxexp
    return big if f > 0 else -big


def test_round_to_is_exact_at_midpoints_and_overflow():
    """The oracle's own test: its cases against nearest_float (exact candidate search)."""
    lo = np.float32(1.5)
    m = Fraction(float(lo)) + Fraction(1, 2**24)  # midpoint of lo and the next float32
    for v in (m, m + Fraction(1, 2**80), m - Fraction(1, 2**80)):
        assert float(v) == float(m)  # all three are the same float64: the cast cannot tell
        assert round_to(v, np.float32) == nearest_float(v, np.float32)
    assert round_to(m + Fraction(1, 2**80), np.float32) > lo == round_to(m, np.float32)
    big = Fraction(65504) + 16  # float16's max + ulp/2: rounds to inf (ties to even)
    assert round_to(big, np.float16) == np.inf and round_to(big - Fraction(1, 2**60),
                                                            np.float16) == 65504
    assert round_to(-Fraction(10) ** 400, np.float64) == -np.inf


@contextmanager
def block_size(n):
    """Run the kernels with blocks of n elements (small arrays then span several blocks)."""
    saved = qk._BLOCK
    qk._BLOCK = n
    try:
        yield
    finally:
        qk._BLOCK = saved


def outcome(fn, *args, **kwargs):
    """("ok", array) or ("error", exception type)."""
    try:
        return "ok", np.asarray(fn(*args, **kwargs))
    except (OverflowError, ValueError) as err:
        return "error", type(err)


def assert_same_bits(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)  # nan == nan here
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


def assert_same_outcome(new, ref):
    assert new[0] == ref[0], (new, ref)
    if new[0] == "ok":
        assert_same_bits(new[1], ref[1])
    else:
        assert new[1] is ref[1]


def is_pow2(qp) -> bool:
    return math.frexp(qp)[0] == 0.5


def oracle_quantize(x: float, qp: float, dtype):
    """x^Q by exact arithmetic, as a float of dtype; None where the library must refuse (the
    exact |qp·x| >= 2**52 on a grid that is not a power of two, or k/qp beyond dtype's range)."""
    v = Fraction(qp) * Fraction(x)
    if abs(v) >= 2**52:
        return dtype(x) if is_pow2(qp) else None  # a grid point already / outside the domain
    w = round_to(Fraction(math.floor(v + HALF)) / Fraction(qp), dtype)
    return None if np.isinf(w) else w


def oracle_quantize_array(x: np.ndarray, qp: float, idx=None):
    """("ok", exact x^Q of every element) or ("error", OverflowError); non-finite pass."""
    dtype = x.dtype.type
    flat = x.reshape(-1)
    idx = range(flat.size) if idx is None else idx
    want = flat.copy()
    for i in idx:
        if np.isfinite(flat[i]):
            w = oracle_quantize(float(flat[i]), qp, dtype)
            if w is None:
                return "error", OverflowError
            want[i] = w
    return "ok", want.reshape(x.shape)


def oracle_codes_array(x: np.ndarray, qp: float, idx=None):
    """("ok", exact int64 codes) or ("error", ValueError for non-finite, else OverflowError)."""
    flat = x.reshape(-1).astype(np.float64)
    idx = range(flat.size) if idx is None else idx
    if not np.isfinite(flat).all():
        return "error", ValueError
    want = np.zeros(flat.size, dtype=np.int64)
    for i in idx:
        v = Fraction(qp) * Fraction(float(flat[i]))
        k = math.floor(v + HALF)
        if (abs(v) >= 2**52 and not is_pow2(qp)) or abs(k) >= 2**63:
            return "error", OverflowError
        want[i] = k
    return "ok", want.reshape(x.shape)


def check_stochastic(got, x: np.ndarray, qp: float, u: np.ndarray, idx=None):
    """Every element of got against the exact rule: floor(qp·x)/qp or the next grid point, up
    exactly when u < F = qp·x - floor(qp·x) (F is rounded to float64 by the library, so where
    |u - F| <= 2**-52 either neighbour is accepted); on a power-of-two grid beyond 2**52, x."""
    dtype = x.dtype.type
    flat, out = x.reshape(-1), got.reshape(-1)
    q = Fraction(qp)
    for i in (range(flat.size) if idx is None else idx):
        v = q * Fraction(float(flat[i]))
        if is_pow2(qp) and abs(v) >= 2**52:
            assert_same_bits(out[i:i + 1], flat[i:i + 1])
            continue
        f = math.floor(v)
        frac, ui = v - f, Fraction(float(u[i]))
        if abs(ui - frac) > Fraction(1, 2**52):
            want = round_to(Fraction(f + (ui < frac)) / q, dtype)
            assert_same_bits(out[i:i + 1], np.array([want], out.dtype))
        else:
            assert out[i] in (round_to(Fraction(f) / q, dtype),
                              round_to(Fraction(f + 1) / q, dtype))


def stochastic_must_fail(x: np.ndarray, qp: float):
    """(exception type or None, whether OverflowError is possible): ValueError for non-finite x,
    OverflowError outside the exact domain; OverflowError is possible where a neighbouring grid
    point of some element is beyond dtype's range (whether it is drawn is random)."""
    flat = x.reshape(-1)
    if not np.isfinite(flat).all():
        return ValueError, False
    may = False
    for xi in flat:
        v = Fraction(qp) * Fraction(float(xi))
        if abs(v) >= 2**52:
            if is_pow2(qp):
                continue
            return OverflowError, False
        if abs(float(xi)) + 2 / qp >= float(np.finfo(x.dtype).max) / 2:  # else both are finite
            f = math.floor(v)
            may = may or np.isinf(round_to(Fraction(f + 1) / Fraction(qp), x.dtype.type)) \
                or np.isinf(round_to(Fraction(f) / Fraction(qp), x.dtype.type))
    return None, may


SMALL_BLOCK = 64
N_SPAN = 3 * SMALL_BLOCK + 7  # three full blocks and a partial one
POW2_QPS = [1.0, 256.0, 2.0**-3, 2.0**40, 2.0**-30, 2.0**1000, 2.0**-1060]
OTHER_QPS = [3.0, 10.0, 100.0, 1000.0, 7.5, 0.1, 12345.678, 1e-3, 255.0]
block_qps = st.sampled_from(POW2_QPS + OTHER_QPS)
dtypes = st.sampled_from([np.float64, np.float32, np.float16])


def to_float(v: Fraction) -> float:
    """float(v), saturating at the largest finite float instead of raising OverflowError."""
    try:
        return float(v)
    except OverflowError:
        return 1.7976931348623157e308 if v > 0 else -1.7976931348623157e308


@st.composite
def hard_value(draw, qp):
    """One hard input for the grid of resolution qp (a Python float; cast by the caller)."""
    kind = draw(st.sampled_from(["tie", "near", "grid", "large", "beyond", "tiny", "any"]))
    q = Fraction(qp)
    if kind in ("tie", "near", "grid"):
        k = draw(st.integers(-50, 50) | st.integers(-(2**45), 2**45))
        v = Fraction(2 * k + 1, 2) / q if kind != "grid" else Fraction(k) / q
        x = to_float(v)
        return _ulps(x, draw(st.integers(-2, 2))) if kind == "near" else x
    if kind == "large":  # |qp*x| just below 2**52, ties and near-ties there included
        k = draw(st.integers(2**50, 2**52 - 1))
        x = to_float((k + draw(st.sampled_from([Fraction(0), HALF]))) / q)
        x = _ulps(x, draw(st.integers(-1, 1)))
        return -x if draw(st.booleans()) else x
    if kind == "beyond":  # |qp*x| >= 2**52: OverflowError unless qp is a power of two
        x = min(to_float(Fraction(2**52) / q) * draw(st.floats(1.0, 1e6)), 1.7e308)
        return -x if draw(st.booleans()) else x
    if kind == "tiny":
        return draw(st.sampled_from([0.0, -0.0, 5e-324, -5e-324, 2.0**-1022, -(2.0**-1022),
                                     1e-310, -1e-300, 2.0**-1074 * 3]))
    return draw(any_finite)


@st.composite
def spanning_array(draw, allow_nonfinite=True):
    """(array, qp, positions): a background of ordinary values over several small blocks, and
    hard values at drawn positions (block edges among them)."""
    qp = draw(block_qps)
    dtype = draw(dtypes)
    n = draw(st.sampled_from([N_SPAN, 1, SMALL_BLOCK, SMALL_BLOCK + 1, 2 * SMALL_BLOCK]))
    seed = draw(st.integers(0, 2**32 - 1))
    with np.errstate(over="ignore"):
        scale = min(10.0 / qp, float(np.finfo(dtype).max) / 100)
        x = (np.random.default_rng(seed).normal(size=n) * scale).astype(dtype)
        edges = [0, SMALL_BLOCK - 1, SMALL_BLOCK, 2 * SMALL_BLOCK, n - 1]
        pos = draw(st.lists(st.integers(0, n - 1) | st.sampled_from([e for e in edges if e < n]),
                            min_size=1, max_size=12))
        for i in pos:
            x[i] = dtype(draw(hard_value(qp)))
        if allow_nonfinite and draw(st.integers(0, 9)) == 0:
            x[draw(st.integers(0, n - 1))] = draw(st.sampled_from(
                [np.inf, -np.inf, np.nan, np.copysign(np.nan, -1.0)]))
    return x, qp, sorted(set(pos))


@given(spanning_array())
@example((np.array([0.015, 0.125, -0.125, -0.0] * 50 + [0.5] * 7), 100.0, [0, 1, 2, 3]))
@example((np.array([0.49999999999999994, -0.5, 2.0**52 + 1, -1.5] * 50), 1.0, [0, 1, 2, 3]))
@example((np.array([0.49999999999999994 / 256, 0.5 / 256] * 100), 256.0, [0, 1]))
@example((np.array([2.0**-1074 * 3, -5e-324, -0.0] * 67 + [1.5]), 0.1, [0, 1, 2]))
def test_blocked_quantize_bit_for_bit_against_the_exact_oracle(case):
    x, qp, pos = case
    before = x.copy()
    with block_size(SMALL_BLOCK):
        new = outcome(qo.quantize, x, qp)
    assert_same_outcome(new, oracle_quantize_array(x, qp))
    np.testing.assert_array_equal(x, before)


@given(spanning_array())
@example((np.array([1e19] + [np.nan] * (2 * SMALL_BLOCK)), 1.0, [0]))  # which error first
@example((np.array([np.nan] + [1e300] * (2 * SMALL_BLOCK)), 100.0, [0]))
@example((np.array([1.0] * SMALL_BLOCK + [-(2.0**52) / 3]), 3.0, [0]))  # 3x = -2**52 + 1/4
@example((np.array([float.fromhex("0x1.5555555555555p+50")] * 3), 3.0, [0]))  # item 5
def test_blocked_to_codes_against_the_exact_oracle(case):
    x, qp, pos = case
    with block_size(SMALL_BLOCK):
        new = outcome(qo.to_codes, x, qp)
    assert_same_outcome(new, oracle_codes_array(x, qp))


@given(spanning_array(), st.integers(0, 2**32 - 1))
@example((np.arange(-100, 100) / 10.0, 10.0, [0]), 5)  # on the grid (and 0.1 is not exact)
@example((np.array([0.3, -0.0, 5e-324, -5e-324] * 50), 100.0, [1, 2, 3]), 0)
def test_blocked_stochastic_round_against_the_exact_rule(case, seed):
    x, qp, pos = case
    with block_size(SMALL_BLOCK):
        new = outcome(qo.stochastic_round, x, qp, rng=seed)
    must, may_overflow = stochastic_must_fail(x, qp)
    if new[0] == "error":
        assert new[1] is must or (must is None and may_overflow and new[1] is OverflowError)
    else:
        assert must is None
        u = np.random.default_rng(seed).random(x.size)  # the documented stream, in C order
        check_stochastic(new[1], x, qp, u)


@pytest.mark.parametrize("qp", [256.0, 100.0, 3.0, 2.0**-3, 0.1])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_blocked_kernels_at_the_real_block_size(qp, dtype):
    """3 real blocks + 7, hard values at random positions and at the block edges."""
    rng = np.random.default_rng(int(qp * 8) + np.dtype(dtype).itemsize)
    n = 3 * qk._BLOCK + 7
    x = rng.normal(size=n) * 100 / qp
    k = rng.integers(-(2**30), 2**30, size=n)
    ties = (k + 0.5) / qp
    pos = np.concatenate([rng.integers(0, n, 4000),
                          np.array([0, qk._BLOCK - 1, qk._BLOCK, 2 * qk._BLOCK, n - 1])])
    x[pos] = ties[pos]
    x[pos[::3]] = np.nextafter(ties[pos[::3]], np.inf)
    x[pos[1::3]] = (k / qp)[pos[1::3]]  # on the grid
    x[pos[:50]] = np.array([0.0, -0.0, 5e-324, -5e-324, -1e-300] * 10)
    x = x.astype(dtype)
    # the exact oracle on the block edges, the special values, 1500 of the hard positions and
    # every 97th element (about 2500 in all; the small-block tests check every element)
    idx = np.unique(np.concatenate([pos[-5:], pos[:1500], np.arange(0, n, 97)]))
    got = qo.quantize(x, qp)
    want = oracle_quantize_array(x, qp, idx)
    assert want[0] == "ok"
    assert_same_bits(got[idx], want[1][idx])
    codes = oracle_codes_array(x, qp, idx)
    assert codes[0] == "ok"
    np.testing.assert_array_equal(qo.to_codes(x, qp)[idx], codes[1][idx])
    check_stochastic(qo.stochastic_round(x, qp, rng=3), x, qp,
                     np.random.default_rng(3).random(n), idx)


@pytest.mark.parametrize("qp", [256.0, 100.0])
def test_blocked_kernels_layouts_scalars_and_0d(qp):
    rng = np.random.default_rng(1)
    base = ((rng.integers(-10**6, 10**6, size=(40, 30)) + 0.5) / qp).astype(np.float64)
    base[::7, ::3] = np.nextafter(base[::7, ::3], -np.inf)
    views = [base, base.T, base[::3, ::-2], np.asfortranarray(base), base.astype(np.float32).T,
             base.reshape(-1)[5:5 + 12 * SMALL_BLOCK:12]]
    with block_size(SMALL_BLOCK):
        for v in views:
            before = v.copy()
            for fn, oracle in ((qo.quantize, oracle_quantize_array),
                               (qo.to_codes, oracle_codes_array)):
                got, want = fn(v, qp), oracle(v, qp)
                assert got.shape == v.shape and got.flags.c_contiguous
                assert_same_outcome(("ok", got), want)
            check_stochastic(qo.stochastic_round(v, qp, rng=9), v, qp,
                             np.random.default_rng(9).random(v.size))
            np.testing.assert_array_equal(v, before)
    for x in (0.125, -0.125, -0.0, 0.015, 2.5e-320):
        for wrap in (float, np.float64, np.float32, np.array):
            xv = wrap(x)
            got, want = qo.quantize(xv, qp), oracle_quantize_array(np.asarray(xv), qp)[1][()]
            assert type(got) is (float if wrap is float else type(xv))
            assert_same_bits(np.asarray(got), np.asarray(want))
            assert qo.to_codes(xv, qp) == code(float(xv), qp)
    for dt in (">f8", ">f4", "<f2"):  # byte orders: values as for the native dtype
        v = base.astype(dt)
        assert_same_outcome(("ok", qo.quantize(v, qp)), oracle_quantize_array(v, qp))
        check_stochastic(qo.stochastic_round(v, qp, rng=2), v, qp,
                         np.random.default_rng(2).random(v.size))
        assert_same_outcome(("ok", qo.to_codes(v, qp)), oracle_codes_array(v, qp))
    assert qo.quantize(np.empty((0, 3)), qp).shape == (0, 3)
    assert qo.to_codes(np.empty(0), qp).dtype == np.int64


def test_blocked_errors_name_the_same_element_and_leave_the_rng_untouched():
    with block_size(SMALL_BLOCK):
        x = np.zeros(4 * SMALL_BLOCK)
        x[3] = 1e300  # beyond 2**52 for qp = 100, in the first block
        x[3 * SMALL_BLOCK] = np.nan  # not finite, in a later block: to_codes checks this first
        with pytest.raises(ValueError, match="nan"):
            qo.to_codes(x, 100)
        with pytest.raises(OverflowError, match="x=1e\\+300"):
            qo.quantize(x, 100)
        gen = np.random.default_rng(11)
        with pytest.raises(ValueError, match="finite"):
            qo.stochastic_round(x, 100, rng=gen)
        assert gen.random() == np.random.default_rng(11).random()  # no draw was consumed


def test_stochastic_round_huge_values_on_a_power_of_two_grid_stay_put():
    """qp*x beyond 2**52 is an integer: x^S = x. (The previous code returned inf where 2*qp*x
    overflowed, e.g. x = 1e308 with qp = 1.)"""
    x = np.array([1e308, -1.7e308, 2.0**60 + 4, 1.5, -3.25], dtype=np.float64)
    for qp, keep in ((1.0, [0, 1, 2]), (2.0**1023, [3, 4])):
        for n_block in (SMALL_BLOCK, qk._BLOCK):
            with block_size(n_block):
                out = qo.stochastic_round(x, qp, rng=0)
            for i in keep:
                assert Fraction(qp) * Fraction(float(x[i])) == floor_code(float(x[i]), qp)
                assert out[i] == x[i]
    assert qo.stochastic_round(np.float32(-1.734), 2.0**1023, rng=0) == np.float32(-1.734)


@pytest.mark.parametrize("fn", [lambda a: qo.quantize(a, 100.0), lambda a: qo.quantize(a, 256.0),
                                lambda a: qo.to_codes(a, 100.0),
                                lambda a: qo.stochastic_round(a, 100.0, rng=0)])
def test_blocked_kernels_allocate_little_beyond_the_output(fn):
    """On n = 10**6 float64 the peak allocation is the output plus O(block) scratch, where the
    previous code held about twenty arrays of n elements (160 MB) at once."""
    n = 10**6
    x = np.random.default_rng(0).normal(size=n)
    fn(x[:10])  # warm up
    tracemalloc.start()
    try:
        out = fn(x)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.nbytes == 8 * n
    assert peak - out.nbytes <= 8 * 8 * qk._BLOCK + 2**16  # a few scratch blocks


def test_block_draws_are_the_stream_of_one_draw():
    """stochastic_round draws its uniforms block by block; numpy's Generator.random gives the
    same doubles for draws of sizes a, b as for one draw of a + b (checked here, since the
    oracle above draws the whole stream at once)."""
    for bitgen in (np.random.PCG64, np.random.MT19937, np.random.Philox, np.random.SFC64):
        one = np.random.Generator(bitgen(5)).random(1000)
        gen = np.random.Generator(bitgen(5))
        parts = [gen.random(n) for n in (64, 1, 300, 635)]
        np.testing.assert_array_equal(np.concatenate(parts), one)


class ScriptedUniforms(np.random.Generator):
    """A Generator whose random() returns the given values in order: exact ties u == frac,
    u = 0 and u = 1 - 2**-53 happen with probability 2**-53 from a real generator."""

    def __init__(self, values):
        super().__init__(np.random.PCG64(0))
        self.values = np.asarray(values, dtype=np.float64)
        self.pos = 0

    def random(self, size=None, dtype=np.float64, out=None):
        n = out.size if out is not None else int(np.prod(size))
        v = self.values[self.pos:self.pos + n]
        self.pos += n
        if out is None:
            return v.reshape(size).copy()
        out[...] = v
        return out


@pytest.mark.parametrize("qp", [1.0, 4.0, 2.0**-3, 10.0, 100.0, 3.0, 0.1])
def test_blocked_stochastic_round_at_exact_uniform_values(qp):
    """Every x against uniforms 0, 2**-53, the exact fractional parts and 1 - 2**-53: the exact
    rule (check_stochastic), and where the fractional part F of qp*x is a short dyadic (so the
    library's float64 F is exact) the result is floor(qp*x) + [u < F] exactly, ties included."""
    t = [0.0, -0.0, 3.0, -7.0, 0.5, 0.75, -0.25, 1 / 3, 0.1, 5e-324, -5e-324,
         0.49999999999999994, 12.375]
    xs = np.array(t + [v / qp for v in t + [2.0**45 + 0.5, -(2.0**47) - 0.75]])
    us = np.array([0.0, 2.0**-53, 0.25, 0.5, 0.75, 0.375, 1 - 2.0**-53])
    x, u = np.repeat(xs, len(us)), np.tile(us, len(xs))
    with block_size(SMALL_BLOCK):
        got = qo.stochastic_round(x, qp, rng=ScriptedUniforms(u))
    check_stochastic(got, x, qp, u)
    for xi, ui, gi in zip(x, u, got):
        v = Fraction(qp) * Fraction(float(xi))
        f = math.floor(v)
        if (v - f) * 1024 == math.floor((v - f) * 1024):  # F exact with few bits
            k = f + (Fraction(float(ui)) < v - f)
            assert gi == round_to(Fraction(k) / Fraction(qp), np.float64)


@pytest.mark.parametrize("qp", [100.0, 3.0, 0.1])
def test_blocked_stochastic_round_large_codes_need_the_exact_path(qp):
    """Near |qp*x| = 2**45..2**50 the float product errs by up to 2**-8..2**-3, so the fast
    decision often disagrees with the exact one: the patching must make every element equal."""
    rng = np.random.default_rng(4)
    n = 4 * SMALL_BLOCK + 3
    codes = rng.integers(2**45, 2**50, size=n) * rng.choice([-1, 1], size=n)
    x = (codes + rng.random(n)) / qp
    for seed in range(5):
        with block_size(SMALL_BLOCK):
            got = qo.stochastic_round(x, qp, rng=seed)
        check_stochastic(got, x, qp, np.random.default_rng(seed).random(n))


@st.composite
def float32_quantize_midpoint_case(draw):
    """float32 x whose code k has fl64(k/qp) on a float32 midpoint m (k/qp itself is not m).

    m = (lo + hi)/2 for adjacent float32 lo, hi in [1, 2); qp = fl(k/m) for k < 2**22 makes
    k/qp = m(1 + δ), |δ| ~ 2**-53, and qp < 2**23 keeps the codes of lo and hi equal to k.
    """
    lo = np.float32(draw(st.floats(min_value=1.0, max_value=1.875, width=32)))
    hi = np.nextafter(lo, np.float32(2))
    m = (float(lo) + float(hi)) / 2
    k = draw(st.integers(2**21, 2**22))
    return lo, hi, k / m


@given(float32_quantize_midpoint_case(), st.sampled_from([1, SMALL_BLOCK, 3 * SMALL_BLOCK + 7]))
def test_blocked_quantize_float32_double_rounding(case, n):
    lo, hi, qp = case
    x = np.full(n, lo, dtype=np.float32)
    x[1::2] = hi
    with block_size(SMALL_BLOCK):
        got = qo.quantize(x, qp)
    want = oracle_quantize_array(x[:2], qp)[1]  # x holds two values, alternating
    assert_same_bits(got, np.resize(want, n))
    for i in range(min(n, 2)):
        assert got[i] == nearest_float(Fraction(code(float(x[i]), qp)) / Fraction(qp), np.float32)


def test_float32_quantize_midpoint_cases_defeat_the_naive_cast():
    """The previous test can fail: on its cases the plain float32(fl64(k/qp)) is often wrong."""
    rng = np.random.default_rng(2)
    wrong = 0
    for _ in range(300):
        lo = np.float32(rng.uniform(1, 1.99))
        m = (float(lo) + float(np.nextafter(lo, np.float32(2)))) / 2
        qp = int(rng.integers(2**21, 2**22)) / m
        k = code(float(lo), qp)
        exact = nearest_float(Fraction(k) / Fraction(qp), np.float32)
        wrong += np.float32(k / qp) != exact
        assert qo.quantize(np.array([lo]), qp)[0] == exact
    assert wrong > 10


# -------------------------------------------------------------------------------------- out= --
OUT_FNS = {
    "quantize": (lambda x, qp, **kw: qo.quantize(x, qp, **kw), None),
    "to_codes": (lambda x, qp, **kw: qo.to_codes(x, qp, **kw), np.int64),
    "stochastic_round": (lambda x, qp, **kw: qo.stochastic_round(x, qp, rng=7, **kw), None),
}


@given(spanning_array(), st.sampled_from(sorted(OUT_FNS)))
@example((np.array([0.015, 0.125, -0.125, -0.0] * 50 + [0.5] * 7), 100.0, [0, 1, 2, 3]),
         "quantize")  # ties and near-ties: the exact patch path, block by block
@example((np.array([1.0] * SMALL_BLOCK + [1e300]), 100.0, [0]), "quantize")  # refused
def test_out_gives_the_same_result_into_the_callers_array(case, name):
    """With out=, the result is written into out and out is returned; its bits, or the error
    raised, are those of the call without out (itself checked against Fraction above), and the
    positions holding hard values match the exact oracle. x is never modified."""
    x, qp, pos = case
    fn, out_dtype = OUT_FNS[name]
    before = x.copy()
    out = np.full(x.shape, 99, dtype=out_dtype or x.dtype)
    with block_size(SMALL_BLOCK):
        plain = outcome(fn, x, qp)
        try:
            got = fn(x, qp, out=out)
        except (OverflowError, ValueError) as err:
            assert plain == ("error", type(err))
        else:
            assert got is out
            assert plain[0] == "ok"
            assert_same_bits(out, plain[1])
            if name == "quantize":
                for i in pos:
                    if np.isfinite(x[i]):
                        assert out[i] == oracle_quantize(float(x[i]), qp, x.dtype.type)
            elif name == "to_codes":
                for i in pos:
                    assert int(out[i]) == code(float(x[i]), qp)
    np.testing.assert_array_equal(x, before)


def test_out_for_integer_arrays_and_nd_shapes():
    x = np.arange(-12, 12, dtype=np.int32).reshape(2, 3, 4)
    out = np.empty(x.shape)
    assert qo.quantize(x, 3, out=out) is out
    want = [float(Fraction(code(int(v), 3)) / 3) for v in x.ravel()]
    assert out.ravel().tolist() == want
    codes = np.empty(x.shape, np.int64)
    qo.to_codes(x / 7.0, 10, out=codes)
    assert codes.ravel().tolist() == [code(int(v) / 7.0, 10) for v in x.ravel()]


@pytest.mark.parametrize("name", sorted(OUT_FNS))
def test_out_is_checked_before_anything_is_written(name):
    fn, out_dtype = OUT_FNS[name]
    dtype = out_dtype or np.float64
    x = np.linspace(-3.0, 3.0, 12)
    x_before = x.copy()
    bad = [
        (TypeError, "numpy.ndarray", [0.0] * 12),
        (TypeError, "dtype", np.zeros(12, np.float32 if dtype == np.float64 else np.float64)),
        (ValueError, "shape", np.zeros(13, dtype)),
        (ValueError, "shape", np.zeros((3, 4), dtype)),
        (ValueError, "C-contiguous", np.zeros(24, dtype)[::2]),
        (ValueError, "share memory", x if dtype == np.float64 else x.view(np.int64)),
    ]
    read_only = np.zeros(12, dtype)
    read_only.flags.writeable = False
    bad.append((ValueError, "read-only", read_only))
    for err, words, out in bad:
        before = np.array(out, copy=True)
        with pytest.raises(err, match=words):
            fn(x, 100.0, out=out)
        np.testing.assert_array_equal(np.asarray(out), before)  # nothing written
    np.testing.assert_array_equal(x, x_before)
    for scalar in (0.25, np.float64(0.25), Fraction(1, 4), 3):
        with pytest.raises(TypeError, match="only for array x"):
            fn(scalar, 100.0, out=np.zeros((), dtype))


def test_out_allocates_only_block_scratch():
    """With out=, a call on 10**6 elements allocates O(block) scratch and no output."""
    n = 10**6
    x = np.random.default_rng(0).normal(size=n)
    out = np.empty_like(x)
    qo.quantize(x[:10], 100.0, out=out[:10])  # warm up
    tracemalloc.start()
    try:
        qo.quantize(x, 100.0, out=out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= 8 * 8 * qk._BLOCK + 2**16
    np.testing.assert_array_equal(out, qo.quantize(x, 100.0))


# Issue 15, item 1: integer arrays beyond 2**53 were rounded to float before the check, so
# 2**53 + 1 passed as 2**53. Oracle: the exact integer against the bound, and Fractions.
@given(st.integers(-(2**53) - 8, -(2**53) + 8) | st.integers(2**53 - 8, 2**53 + 8),
       st.sampled_from([1, 4, 2**-3]))
@example(2**53 + 1, 1)
@example(-(2**53) - 1, 1)
def test_integer_arrays_beyond_2_53_are_refused_not_rounded(k, qp):
    arr = np.array([k], dtype=np.int64)
    for call in (lambda: qo.to_codes(arr, qp), lambda: qo.quantize(arr, qp),
                 lambda: qo.from_codes(arr, 1)):
        if abs(k) > 2**53:
            with pytest.raises(OverflowError, match="beyond 2\\*\\*53"):
                call()
        else:
            call()  # exact: no error
    if abs(k) <= 2**53:
        assert qo.quantize(arr, qp)[0] == float(qo.quantize(Fraction(k), Fraction(qp)))
        assert qo.from_codes(arr, 1)[0] == float(k)


# Issue 15, item 5: the exact domain |qp·x| < 2**52 is decided on the exact product p + e, not on
# the rounded fl(qp·x). Near the boundary 2**52/qp: an exact result (Fraction oracle) whenever
# the exact |qp·x| < 2**52, OverflowError otherwise.
@given(st.sampled_from([3.0, 10.0, 0.1, 7.5, 12345.678, 255.0, 1e-3]), st.integers(-40, 40),
       st.booleans())
@example(3.0, 0, False)  # x = 0x1.5555555555555p+50: 3x = 2**52 - 1/4, fl(3x) = 2**52
def test_exact_domain_boundary_uses_the_exact_product(qp, ulps, negative):
    x = _ulps(float(Fraction(2**52) / Fraction(qp)), ulps)
    x = -x if negative else x
    v = Fraction(qp) * Fraction(x)
    for fn in (qo.to_codes, qo.quantize):
        if abs(v) < 2**52:
            got = fn(np.array([x]), qp)[0]
            if fn is qo.to_codes:
                assert int(got) == code(x, qp)
            else:
                assert got == round_to(Fraction(code(x, qp)) / Fraction(qp), np.float64)
        else:
            with pytest.raises(OverflowError, match="2\\*\\*52"):
                fn(np.array([x]), qp)
    if abs(v) < 2**52:
        f = floor_code(x, qp)
        assert qo.stochastic_round(x, qp, rng=0) in (float(Fraction(f) / Fraction(qp)),
                                                     float(Fraction(f + 1) / Fraction(qp)))


def test_item5_case_is_inside_the_domain():
    """issue 15 item 5: the reported x."""
    x = float.fromhex("0x1.5555555555555p+50")
    assert qo.to_codes(x, 3) == 2**52
    assert qo.quantize(x, 3) == float(Fraction(2**52, 3))


# Issue 15, item 4: a finite input whose grid point is beyond the result dtype's range raises
# OverflowError naming the value, the grid and the dtype (never a silent inf).
def test_grid_point_beyond_the_dtype_raises_overflow():
    with pytest.raises(OverflowError, match="x=65504.*float16"):
        qo.quantize(np.float16(65504), 0.001)  # k/qp = 66000 > float16's max
    assert round_to(Fraction(66000), np.float16) == np.inf  # the oracle agrees: no float16
    x = 1.7976931348623157e308
    assert code(x, 2.0**-1000) * 2**1000 == 2**1024  # the grid point is 2**1024: no float64
    with pytest.raises(OverflowError, match="x=1.797.*qp=9.33"):
        qo.quantize(x, 2.0**-1000)
    with pytest.raises(OverflowError, match="float64"):
        qo.quantize(np.array([1.0, x]), 2.0**-1000)
    with pytest.raises(OverflowError, match="k=1000000.*float16"):
        qo.from_codes(np.array([10**6]), 1, dtype=np.float16)
    with pytest.raises(OverflowError, match="k=1000000.*float16"):
        qo.from_codes(10**6, 1, dtype=np.float16)
    gen = np.random.default_rng(5)
    with pytest.raises(OverflowError, match="float16"):  # both neighbours 0 and 66000 ...
        for _ in range(64):  # ... one of them is drawn with probability 0.504 each time
            qo.stochastic_round(np.float16(65504), 0.001, rng=gen)
    # in range, the largest finite values are exact grid points of a power-of-two grid
    assert qo.quantize(x, 2.0**-970) == x and qo.quantize(np.float16(65504), 1) == 65504


def test_grid_point_beyond_float16_in_blocks_and_out():
    """issue 15 item 4 through the blocked kernel, at every block position."""
    with block_size(SMALL_BLOCK):
        for i in (0, SMALL_BLOCK - 1, SMALL_BLOCK, 2 * SMALL_BLOCK + 3):
            x = np.ones(3 * SMALL_BLOCK, dtype=np.float16)
            x[i] = 65504
            for qp in (0.001, 3.0 / 1024, 2.0**-10):  # exact path; power of two: cast overflow
                with pytest.raises(OverflowError, match="x=65504"):
                    qo.quantize(x, qp)
                with pytest.raises(OverflowError, match="x=65504"):
                    qo.quantize(x, qp, out=np.empty_like(x))


# Issue 15, item 14: lists of ints work like arrays; a Python int is exact, and a float result
# beyond float64 is an OverflowError naming the argument.
def test_from_codes_lists_and_python_ints():
    got = qo.from_codes([1, 2], 10)
    assert isinstance(got, np.ndarray)
    assert got.tolist() == [float(Fraction(1, 10)), float(Fraction(2, 10))]
    assert qo.from_codes((3, -7), 4, dtype=np.float32).tolist() == [0.75, -1.75]
    assert qo.from_codes(2**70 + 1, 3) == float(Fraction(2**70 + 1, 3))
    assert qo.from_codes(2**70 + 1, 3, dtype=np.float32) == round_to(Fraction(2**70 + 1, 3),
                                                                      np.float32)
    with pytest.raises(TypeError, match="k must be integer"):
        qo.from_codes([1.5, 2], 10)
    with pytest.raises(OverflowError, match="k="):
        qo.from_codes(10**400, 3)


def test_huge_python_int_x():
    x = 10**400
    assert qo.to_codes(x, 3) == 3 * x  # exact integer code
    assert qo.quantize(x, Fraction(3)) == x  # exact Fraction result
    with pytest.raises(OverflowError, match="x=1000"):
        qo.quantize(x, 3)  # a float result cannot hold it
    with pytest.raises(OverflowError, match="x=1000"):
        qo.stochastic_round(x, 3, rng=0)


# Issue 15, item 13: the seed goes through _checks.check_rng: errors name rng.
@pytest.mark.parametrize("rng, err", [("abc", TypeError), (-1, ValueError), (1.5, TypeError)])
def test_stochastic_round_bad_rng_named(rng, err):
    with pytest.raises(err, match="rng"):
        qo.stochastic_round(np.array([0.3]), 10, rng=rng)


def test_ragged_input_is_a_type_error_naming_the_argument():
    """Found by tests/test_fuzz_api.py: numpy's ValueError for ragged lists named nothing."""
    ragged = [[1.0, 2.0], [3.0]]
    for fn in (qo.round_half_up, qo.residual, lambda a: qo.quantize(a, 4),
               lambda a: qo.to_codes(a, 4), lambda a: qo.stochastic_round(a, 4, rng=0)):
        with pytest.raises(TypeError, match="^x "):
            fn(ragged)
    with pytest.raises(TypeError, match="^k "):
        qo.from_codes([[1, 2], [3]], 4)
