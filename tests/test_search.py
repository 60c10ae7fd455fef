"""quantopt.search: quantized acceptance, simulated annealing, and the proposal helpers.

Oracles, each independent of the code under test:

* the quantized-acceptance rule replayed in exact Fraction arithmetic: eta by halving and
  doubling (not frexp), f^Q = floor(Qp*v + 1/2)/Qp with math.floor on a Fraction (not
  quantize), the float spacing by powers of two (not math.ulp); the code's accept/reject
  sequence, Qp path, f^Q path and stop must be the replay's, on recorded candidate streams;
* the simulated-annealing rule replayed from the documented streams (numpy Generator draws);
  its acceptance rate measured over many trials against exp(-Delta/T), within 5 standard errors;
* call counts and evaluated values recorded by the tests' own wrappers;
* the parabolic washboard's global minimizer, f*, and the next-lowest local minimum, from a
  dense grid refined by Newton's method on the analytic derivatives, with a sign change of f'
  around x* that rounding cannot fake.

Run ``python tests/test_search.py`` to print the measured comparison of the two methods (50 seeds
per setting, Wilson 95% intervals); it is not part of the test suite.
"""
import doctest
import functools
import itertools
import math
import sys
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import quantopt
from quantopt import problems
import quantopt.search as search
from quantopt.search import (
    Status,
    gaussian_proposal,
    quantized_acceptance,
    simulated_annealing,
    uniform_proposal,
)

HALF = Fraction(1, 2)
TWO = Fraction(2)


# ---------------------------------------------------------------------------------------------
# Exact oracles for the quantized-acceptance rule
# ---------------------------------------------------------------------------------------------
def eta_exact(f0):
    """eta = 2^-(floor(log2|f0|) + 1) by halving/doubling until eta*|f0| is in [1/2, 1)."""
    a = abs(Fraction(f0))
    eta = Fraction(1)
    if a == 0:
        return eta  # the documented choice for f(x0) = 0
    while eta * a >= 1:
        eta /= 2
    while eta * a < HALF:
        eta *= 2
    return min(eta, TWO**1023)  # the documented clamp (only for |f0| < 2**-1024)


def fq_exact(v, qp):
    """floor(qp*v + 1/2) / qp in exact rational arithmetic."""
    return Fraction(math.floor(qp * Fraction(v) + HALF)) / qp


def spacing_exact(v):
    """The spacing of float64 at |v|: 2^(floor(log2|v|) - 52), or 2^-1074 below 2^-1022."""
    a = abs(Fraction(v))
    if a < TWO**-1022:
        return TWO**-1074
    e = 0
    while TWO**e > a:
        e -= 1
    while TWO**(e + 1) <= a:
        e += 1
    return TWO**(e - 52)


def replay_quantized(values, maxiter, qp0=None, kmax=None):
    """The rule on the stream f(x0) = values[0], f(y_t) = values[t + 1], in Fractions.

    Returns (decisions, qp path, f^Q path, status name)."""
    qp = eta_exact(values[0]) if qp0 is None else Fraction(qp0)
    k, cur = 0, values[0]
    fq = fq_exact(cur, qp)
    decisions, qps, fqs = [], [qp], [fq]
    while True:
        if 1 / qp <= spacing_exact(cur):
            return decisions, qps, fqs, "INERT"
        if qp >= TWO**1023 or (kmax is not None and k >= kmax):
            return decisions, qps, fqs, "QP_LIMIT"
        if len(decisions) >= maxiter:
            return decisions, qps, fqs, "MAXITER"
        v = values[len(decisions) + 1]
        accept = math.isfinite(v) and fq_exact(v, qp) <= fq
        decisions.append(accept)
        if accept:
            cur, qp, k = v, 2 * qp, k + 1
            fq = fq_exact(cur, qp)
            qps.append(qp)
            fqs.append(fq)


def counter_stream(values):
    """(fun, x0, propose): x0 = [0], candidate t (t = 1, 2, ...) is the point [t] whatever the
    current point, and f([t]) = values[t]: a recorded stream of objective values."""
    count = itertools.count(1)

    def fun(x):
        return values[int(x[0])]

    def propose(x, rng):
        return np.array([float(next(count))])

    return fun, np.array([0.0]), propose


class Recorder:
    """Wraps fun and propose: every call and every value, in order."""

    def __init__(self, fun, propose):
        self.fun, self.propose = fun, propose
        self.xs, self.fs, self.ys = [], [], []

    def f(self, x):
        v = self.fun(x)
        self.xs.append(np.array(x))
        self.fs.append(v)
        return v

    def p(self, x, rng):
        y = self.propose(x, rng)
        self.ys.append(np.array(y))
        return y


# ---------------------------------------------------------------------------------------------
# The test landscapes: the testbench's parabolic washboard (1-D) and two 2-D ones
# ---------------------------------------------------------------------------------------------
def washboard(x):
    """f(x) = 0.125 x^2 + 2 sin(10 x) + 2 on [-6, 6] (Stella, Santoro & Tosatti, PRB 72, 014303
    (2005); the testbench's 1-D test, x* about -0.157)."""
    return 0.125 * x[0] ** 2 + 2.0 * math.sin(10.0 * x[0]) + 2.0


def _wash(x):
    return 0.125 * x**2 + 2.0 * np.sin(10.0 * x) + 2.0


def _dwash(x):
    return 0.25 * x + 20.0 * np.cos(10.0 * x)


def _d2wash(x):
    return 0.25 - 200.0 * np.sin(10.0 * x)


def _rastrigin1(x):
    return x**2 - 10.0 * np.cos(2 * np.pi * x) + 10.0


def _drastrigin1(x):
    return 2 * x + 20 * np.pi * np.sin(2 * np.pi * x)


def _d2rastrigin1(x):
    return 2 + 40 * np.pi**2 * np.cos(2 * np.pi * x)


def rastrigin2(x):
    """2-D Rastrigin on [-5.12, 5.12]^2: 20 + sum(x_i^2 - 10 cos(2 pi x_i)); f* = 0 at 0."""
    return float(np.sum(_rastrigin1(x)))


def washboard2(x):
    """A separable 2-D washboard on [-6, 6]^2: the sum of the 1-D washboard in each coordinate."""
    return float(np.sum(_wash(x)))


def local_minima_1d(f, df, d2f, lo, hi, n=1_200_001):
    """Every local minimum of a smooth 1-D f on [lo, hi]: a dense grid's discrete minima, each
    refined by Newton on f' (sorted by value)."""
    xs = np.linspace(lo, hi, n)
    v = f(xs)
    idx = np.nonzero((v[1:-1] < v[:-2]) & (v[1:-1] <= v[2:]))[0] + 1
    out = []
    for x in xs[idx]:
        for _ in range(60):
            step = df(x) / d2f(x)
            x = x - step
            if abs(step) < 1e-16:
                break
        assert d2f(x) > 0 and abs(df(x)) < 1e-9
        out.append((float(f(x)), float(x)))
    return sorted(out)


@functools.cache
def washboard_minima():
    return local_minima_1d(_wash, _dwash, _d2wash, -6.0, 6.0)


@functools.cache
def rastrigin1_minima():
    return local_minima_1d(_rastrigin1, _drastrigin1, _d2rastrigin1, -5.12, 5.12)


def second_level(minima_1d, dim=1):
    """For a separable sum of `dim` copies of a 1-D function: f* and the second-lowest local
    minimum value (one coordinate at the 1-D second minimum, the others at the first)."""
    (f1, _), (f2, _) = minima_1d[0], minima_1d[1]
    return dim * f1, (dim - 1) * f1 + f2


def test_washboard_minimizer_and_levels():
    """x* and f* of the washboard, and the next-lowest local minimum, by grid + Newton."""
    minima = washboard_minima()
    (f_star, x_star), (f_2, x_2) = minima[0], minima[1]
    assert len(minima) == 19
    assert abs(x_star - (-0.157)) < 1e-3  # the testbench's value, to its 3 digits
    assert x_star == pytest.approx(-0.15688352814, abs=1e-10)
    assert f_star == pytest.approx(0.00308040087, abs=1e-10)
    assert x_2 == pytest.approx(0.47065058142, abs=1e-10) and f_2 == pytest.approx(0.02772360777,
                                                                                    abs=1e-10)
    # f' changes sign from - to + across x* -+ 1e-9: there |f'| is about f''(x*) * 1e-9 = 2e-7,
    # far above the rounding error of evaluating f' (about 1e-14), so the signs are real
    assert _dwash(x_star - 1e-9) < 0 < _dwash(x_star + 1e-9)
    # f* is not undercut anywhere on the dense grid (spacing 1e-5; the basins are 0.63 wide)
    xs = np.linspace(-6, 6, 1_200_001)
    assert _wash(xs).min() >= f_star - 1e-12


def test_rastrigin_like_levels():
    """The 2-D landscapes of the comparison: their f* and second-lowest local minimum, from the
    1-D analysis (separable sums), checked against a dense 2-D grid."""
    f_star, f_2 = second_level(rastrigin1_minima(), 2)
    assert f_star == pytest.approx(0.0, abs=1e-15)
    assert f_2 == pytest.approx(0.99495905709, abs=1e-10)
    g = np.linspace(-5.12, 5.12, 2049)
    xx, yy = np.meshgrid(g, g)
    assert (_rastrigin1(xx) + _rastrigin1(yy)).min() >= f_star - 1e-12
    w_star, w_2 = second_level(washboard_minima(), 2)
    assert w_2 - w_star == pytest.approx(washboard_minima()[1][0] - washboard_minima()[0][0])
    g = np.linspace(-6, 6, 2401)
    xx, yy = np.meshgrid(g, g)
    assert (_wash(xx) + _wash(yy)).min() >= w_star - 1e-12


# ---------------------------------------------------------------------------------------------
# Quantized acceptance: the rule, replayed exactly
# ---------------------------------------------------------------------------------------------
_pool = [0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.0, 3.0, -3.0, 0.75, -0.25, 1e-3, 4096.0, 2297.87]
finite_values = (st.sampled_from(_pool)
                 | st.integers(-64, 64).map(lambda i: i / 8)
                 | st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
candidate_values = finite_values | st.sampled_from([math.nan, math.inf, -math.inf])


def _check_against_replay(values, res, maxiter, **kw):
    decisions, qps, fqs, status = replay_quantized(values, maxiter, **kw)
    assert res.accepted.tolist() == decisions
    assert [Fraction(float(q)) for q in res.qp_path] == qps
    assert [Fraction(float(q)) for q in res.fq_path] == fqs
    assert res.status.name == status
    assert res.nit == len(decisions) and res.nfev == len(decisions) + 1
    assert res.n_accepted == sum(decisions) == len(res.path) - 1
    accepted_values = [values[0]] + [values[t + 1] for t, a in enumerate(decisions) if a]
    assert res.fun_path.tolist() == accepted_values
    assert res.fun == min(accepted_values)
    assert res.n_nonfinite == sum(not math.isfinite(v) for v in values[1:len(decisions) + 1])


@given(finite_values, st.lists(candidate_values, max_size=40))
def test_quantized_acceptance_replayed_in_fractions(f0, rest):
    values = [f0] + rest
    fun, x0, propose = counter_stream(values)
    res = quantized_acceptance(fun, x0, propose, maxiter=len(rest))
    _check_against_replay(values, res, len(rest))


@given(finite_values, st.lists(finite_values, max_size=30),
       st.integers(-40, 40).map(lambda p: 2.0**p), st.integers(0, 12))
def test_quantized_acceptance_qp0_and_kmax_replayed(f0, rest, qp0, kmax):
    values = [f0] + rest
    fun, x0, propose = counter_stream(values)
    res = quantized_acceptance(fun, x0, propose, maxiter=len(rest), qp0=qp0, kmax=kmax)
    _check_against_replay(values, res, len(rest), qp0=qp0, kmax=kmax)


def test_replay_on_the_washboard_with_local_proposals():
    """The same replay on a real run: recorded candidates of a Gaussian walk on the washboard."""
    rec = Recorder(washboard, gaussian_proposal(0.3, (-6, 6)))
    res = quantized_acceptance(rec.f, [2.3], rec.p, maxiter=2000, rng=7)
    _check_against_replay(rec.fs, res, 2000)
    assert 5 < res.n_accepted < res.nit  # both decisions occur
    # the accepted path is made of the accepted candidates, in order
    cands = np.array(rec.ys)
    assert np.array_equal(res.path[1:], cands[res.accepted])


def test_qp_doubles_exactly_at_each_acceptance_and_never_otherwise():
    rec = Recorder(washboard, gaussian_proposal(0.3, (-6, 6)))
    res = quantized_acceptance(rec.f, [2.3], rec.p, maxiter=1500, rng=3)
    q0 = Fraction(float(res.qp_path[0]))
    assert [Fraction(float(q)) for q in res.qp_path] == [q0 * 2**j
                                                         for j in range(res.n_accepted + 1)]
    # the Qp of iteration t is q0 * 2^(acceptances before t): its decision is the rule at that Qp
    # and the current point's value, and only an acceptance changes the next iteration's Qp
    before = np.concatenate([[0], np.cumsum(res.accepted)[:-1]])
    cur = res.fun_path[before]
    for t, (j, fc) in enumerate(zip(before, cur)):
        qp = q0 * 2**int(j)
        assert res.accepted[t] == (fq_exact(rec.fs[t + 1], qp) <= fq_exact(fc, qp))


def test_acceptance_threshold_between_f_and_f_plus_one_step():
    """Every candidate with f(y) <= f(x) is accepted, none with f(y) >= f(x) + 1/Qp."""
    rec = Recorder(washboard, gaussian_proposal(0.5, (-6, 6)))
    res = quantized_acceptance(rec.f, [2.3], rec.p, maxiter=3000, rng=11)
    before = np.concatenate([[0], np.cumsum(res.accepted)[:-1]]).astype(int)
    fy = np.array(rec.fs[1:])
    fx = res.fun_path[before]
    step = 1.0 / res.qp_path[before]
    assert np.all(res.accepted[fy <= fx])
    assert not np.any(res.accepted[fy >= fx + step])
    assert np.any(res.accepted & (fy > fx))  # uphill moves are accepted early on


@given(st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False).filter(
    lambda c: abs(c) >= 2.0**-900))
def test_constant_f_runs_to_the_inert_cap(c):
    """f constant: every candidate ties and is accepted; the run stops (INERT) at the first k
    with 1/Qp <= spacing(c), where f^Q(c) = c and the rule is the exact comparison f(y) <= c."""
    res = quantized_acceptance(lambda x: c, [0.0], lambda x, rng: x, maxiter=5000)
    eta, spacing = eta_exact(c), spacing_exact(c)
    k = 0
    while 1 / (eta * 2**k) > spacing:
        k += 1
    assert res.status == Status.INERT and res.success
    assert res.nit == res.n_accepted == k and res.accepted.all()
    qp = eta * 2**k
    assert Fraction(float(res.qp_path[-1])) == qp and res.fq_path[-1] == c
    up, down = math.nextafter(c, math.inf), math.nextafter(c, -math.inf)
    assert fq_exact(c, qp) == Fraction(c)
    assert fq_exact(up, qp) > fq_exact(c, qp) >= fq_exact(down, qp)  # f(y) <= c exactly
    assert "greedy descent" in res.message and f"{k} acceptances" in res.message


def test_constant_one_example():
    res = quantized_acceptance(lambda x: 1.0, [0.0], lambda x, rng: x, maxiter=100)
    assert (res.nit, res.qp_path[0], res.qp_path[-1]) == (53, 0.5, 2.0**52)


def test_zero_f_and_the_float_limit():
    """f(x0) = 0: eta = 1. f = 0 everywhere: the spacing test never holds at 0, and the run
    stops at the float limit Qp = 2**1023 after 1023 acceptances."""
    res = quantized_acceptance(lambda x: 0.0, [0.0], lambda x, rng: x, maxiter=5000)
    assert res.qp_path[0] == 1.0 and res.qp_path[-1] == 2.0**1023
    assert res.status == Status.QP_LIMIT and res.nit == 1023
    assert "largest power of two" in res.message
    res = quantized_acceptance(lambda x: 0.0, [0.0], lambda x, rng: x, maxiter=5000, kmax=2000)
    assert res.nit == 1023 and "largest power of two" in res.message  # kmax above the limit
    res = quantized_acceptance(lambda x: 0.0, [0.0], lambda x, rng: x, maxiter=5000, kmax=5)
    assert res.status == Status.QP_LIMIT and res.nit == 5 and "kmax = 5" in res.message
    res = quantized_acceptance(lambda x: 0.0, [0.0], lambda x, rng: x, maxiter=4, kmax=5)
    assert res.status == Status.MAXITER and not res.success and "maxiter=4" in res.message


def test_negative_start_value():
    """f(x0) = -3: eta = 1/4 (from |f(x0)|), f^Q(x0) = -4 (rounding -0.75 + 1/2 down), so the
    threshold is -4 + 1/(2 Qp) = -2: -2.5 is accepted (uphill), -2 is not."""
    fun, x0, propose = counter_stream([-3.0, -2.0, -2.5, -2.5])
    res = quantized_acceptance(fun, x0, propose, maxiter=3)
    assert res.qp_path[0] == 0.25 and res.fq_path[0] == -4.0
    assert res.accepted.tolist() == [False, True, True]
    assert res.fun == -3.0 and res.fun_path.tolist() == [-3.0, -2.5, -2.5]
    # the tie eta*f(x0) = -1/2 rounds up, to 0
    fun, x0, propose = counter_stream([-2.0])
    assert quantized_acceptance(fun, x0, propose, maxiter=0).fq_path[0] == 0.0


@pytest.mark.parametrize("f0", [2297.87, 1.0, 0.75, -0.75, 4096.0, math.nextafter(4096.0, 0),
                                2.0**-29, math.nextafter(2.0**-29, 0), 3e-310, 5e-324,
                                -1e300, math.nextafter(2.0**1023, 0)])
def test_initial_eta(f0):
    """eta*|f(x0)| in [1/2, 1) exactly (for |f0| >= 2**-1024), eta a power of two; values just
    below a power of two are where a float log2 misjudges the floor."""
    fun, x0, propose = counter_stream([f0])
    res = quantized_acceptance(fun, x0, propose, maxiter=0)
    eta = Fraction(float(res.qp_path[0]))
    assert eta == eta_exact(f0)
    assert eta.numerator == 1 or eta.denominator == 1
    assert math.frexp(float(eta))[0] == 0.5
    if abs(f0) >= 2.0**-1024:
        assert HALF <= eta * abs(Fraction(f0)) < 1
    else:  # clamped at the float limit: the run cannot refine and stops at once
        assert eta == TWO**1023 and res.status == Status.QP_LIMIT
    assert quantized_acceptance(fun, x0, propose, maxiter=0).fq_path[0] == \
        float(fq_exact(f0, eta))
    if f0 == 2297.87:  # the note's example: a grid step of 4096
        assert eta == TWO**-12 and res.fq_path[0] == 4096.0


# ---------------------------------------------------------------------------------------------
# Simulated annealing
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("delta, T", [(1.0, 1 / math.log(2)), (2.0, 1.0), (0.1, 1.0),
                                      (3.0, 0.5)])
def test_sa_acceptance_rate_matches_exp(delta, T):
    """Each candidate is uphill by delta (f(x) = delta*x[0], proposals x + 1); T held fixed by
    cooling = 1 - 2**-53. The number of acceptances in n trials is a sum of independent
    Bernoulli(exp(-delta/T_t)); it must be within 5 standard errors of its mean."""
    n = 20000
    res = simulated_annealing(lambda x: delta * x[0], [0.0], lambda x, rng: x + 1.0,
                              maxiter=n, rng=12345, T0=T, cooling=1 - 2.0**-53)
    p = np.exp(-delta / res.T_path)
    assert np.allclose(res.T_path, T, rtol=1e-11)
    mean, sd = p.sum(), math.sqrt(np.sum(p * (1 - p)))
    assert abs(res.n_accepted - mean) < 5 * sd
    assert abs(res.n_accepted / n - math.exp(-delta / T)) < 5 * math.sqrt(
        math.exp(-delta / T) * (1 - math.exp(-delta / T)) / n)


def test_sa_downhill_and_level_moves_always_accepted():
    fun, x0, propose = counter_stream([5.0, 4.0, 4.0, 3.5, 3.5, -10.0])
    res = simulated_annealing(fun, x0, propose, maxiter=5, rng=0, T0=1e-3, T_min=1e-9)
    assert res.accepted.all() and res.fun == -10.0


def test_sa_replayed_from_the_documented_streams():
    """Decisions: u_t < exp(-Delta_t/T_t) with u_t the t-th double of default_rng(seed).spawn(1)[0]
    and T_t = T0 * cooling^t (repeated multiplication)."""
    seed, T0, cooling = 2024, 3.0, 0.999
    rec = Recorder(washboard, gaussian_proposal(0.4, (-6, 6)))
    res = simulated_annealing(rec.f, [2.3], rec.p, maxiter=3000, rng=seed, T0=T0,
                              cooling=cooling)
    u = np.random.default_rng(seed).spawn(1)[0].random(res.nit)
    T, cur, decisions, temps = T0, rec.fs[0], [], []
    for t in range(res.nit):
        d = rec.fs[t + 1] - cur
        acc = d <= 0 or u[t] < math.exp(-d / T)
        decisions.append(acc)
        temps.append(T)
        if acc:
            cur = rec.fs[t + 1]
        T *= cooling
    assert res.accepted.tolist() == decisions
    assert res.T_path.tolist() == temps and res.T == T
    assert np.allclose(res.T_path, T0 * cooling ** np.arange(res.nit), rtol=1e-12)
    assert 100 < res.n_accepted < res.nit
    # proposals came from default_rng(seed) itself: the first candidate is 2.3 + 0.4 z_0
    z0 = np.random.default_rng(seed).standard_normal(1)[0]
    assert rec.ys[0][0] == _reflect_loop(2.3 + 0.4 * z0, -6, 6)


def test_sa_stops_when_frozen_with_the_testbench_defaults():
    """T0 = 1000, cooling = 0.9995, T_min = 1e-6: T_t >= T_min for t <= ln(1e-9)/ln(0.9995) =
    41436.17, so 41437 iterations (t = 0..41436), then status FROZEN. (The research note's
    41438 is the testbench's counter, which starts at 1.) The float product T0*cooling^t is
    within 1e-11 of the real one, far inside the margin 0.17*ln(1/0.9995) = 8.5e-5."""
    res = simulated_annealing(lambda x: 1.0, [0.0], lambda x, rng: x, maxiter=10**6, rng=0)
    n = math.floor(math.log(1e-6 / 1000) / math.log(0.9995)) + 1
    assert n == 41437 and res.nit == n
    assert res.status == Status.FROZEN and res.success
    assert res.T < 1e-6 <= res.T_path[-1]
    assert "T_min" in res.message


# ---------------------------------------------------------------------------------------------
# Shared properties of both methods
# ---------------------------------------------------------------------------------------------
METHODS = {
    "quantized": lambda fun, x0, prop, **kw: quantized_acceptance(fun, x0, prop, **kw),
    "annealing": lambda fun, x0, prop, **kw: simulated_annealing(fun, x0, prop, T0=2.0,
                                                                 cooling=0.999, **kw),
}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("proposal", ["gaussian", "uniform"])
def test_result_fields_are_truthful(method, proposal):
    """nfev is the wrapper's count; x, fun are the best evaluated point (a rejected candidate is
    never better than the current point); the path is made of the accepted candidates."""
    prop = gaussian_proposal(0.3, (-6, 6)) if proposal == "gaussian" else uniform_proposal((-6, 6))
    rec = Recorder(washboard, prop)
    res = METHODS[method](rec.f, np.array([2.3]), rec.p, maxiter=800, rng=5)
    assert res.nfev == len(rec.fs) == res.nit + 1 == 801
    assert res.fun == min(rec.fs) and washboard(res.x) == res.fun
    assert np.array_equal(res.x, rec.xs[int(np.argmin(rec.fs))])
    assert np.array_equal(res.path[1:], np.array(rec.ys)[res.accepted])
    assert res.fun_path.tolist() == [rec.fs[0]] + [v for v, a in zip(rec.fs[1:], res.accepted)
                                                    if a]
    assert res.n_accepted == res.accepted.sum() == len(res.path) - 1
    rejected = np.array(rec.fs[1:])[~res.accepted]
    before = np.concatenate([[0], np.cumsum(res.accepted)[:-1]]).astype(int)
    assert np.all(rejected > res.fun_path[before][~res.accepted])
    assert res.status == Status.MAXITER and not res.success and "maxiter=800" in res.message


@pytest.mark.parametrize("method", METHODS)
def test_reproducible_no_global_rng_x0_untouched(method):
    np.random.seed(99)
    state = np.random.get_state()
    x0 = np.array([2.3])
    x0.flags.writeable = False  # any write would raise
    prop = gaussian_proposal(0.3, (-6, 6))
    a = METHODS[method](washboard, x0, prop, maxiter=500, rng=42)
    b = METHODS[method](washboard, x0, prop, maxiter=500, rng=np.random.default_rng(42))
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1])
    assert state[2:] == after[2:]
    assert x0[0] == 2.3
    for key in a:
        if isinstance(a[key], np.ndarray):
            assert np.array_equal(a[key], b[key]), key
        else:
            assert a[key] == b[key], key
    c = METHODS[method](washboard, x0, prop, maxiter=500, rng=43)
    assert not np.array_equal(a.accepted, c.accepted)


@pytest.mark.parametrize("method", METHODS)
def test_propose_cannot_change_the_chain(method):
    """A propose that writes into its x (and returns it) gets a copy: the path is unharmed."""
    def sloppy(x, rng):
        x += rng.normal(0, 0.3, x.shape)
        return x

    res = METHODS[method](washboard, [2.3], sloppy, maxiter=300, rng=1)
    assert res.path[0][0] == 2.3
    assert len({float(r[0]) for r in res.path}) == len(res.path)  # distinct rows


def test_same_proposals_for_both_methods():
    """One seed gives both methods the same proposal stream: with uniform proposals (which
    ignore x) the same candidates, hence the same best point, that of blind random search."""
    ra, rb = (Recorder(washboard, uniform_proposal((-6, 6))) for _ in range(2))
    qa = quantized_acceptance(ra.f, [2.3], ra.p, maxiter=1000, rng=8)
    sa = simulated_annealing(rb.f, [2.3], rb.p, maxiter=1000, rng=8)
    assert np.array_equal(np.array(ra.ys), np.array(rb.ys))
    direct = np.random.default_rng(8).uniform(-6, 6, (1000, 1))
    assert np.array_equal(np.array(ra.ys), direct)
    assert np.array_equal(qa.x, sa.x) and qa.fun == sa.fun
    assert not np.array_equal(qa.accepted, sa.accepted)  # the rules differ, the best does not


@pytest.mark.parametrize("method", METHODS)
def test_nonfinite_candidates_are_rejected(method):
    values = [1.0, math.nan, math.inf, -math.inf, 0.5, math.nan]
    fun, x0, propose = counter_stream(values)
    res = METHODS[method](fun, x0, propose, maxiter=5, rng=0)
    assert res.accepted.tolist() == [False, False, False, True, False]
    assert res.n_nonfinite == 4 and res.fun == 0.5


def test_washboard_global_basin_with_uniform_proposals():
    """Both methods reach the washboard's global basin from the testbench's x0 = 2.3.

    What is tested: f(best) < f_2, the second-lowest local minimum value; no point of another
    basin is that low, so best lies in the basin of x*. Why it is not luck: with proposals that
    ignore x, best = min over the maxiter uniform candidates (asserted above, and here), so a
    run fails only if none of its 3000 draws lands in S = {f < f_2}, an interval around x* whose
    length the test computes. With p = |S|/12 (about 0.0026), P(fail) = (1-p)^3000 < 4e-4 per
    seed, and P(2 or more failures in 20 seeds) < 1e-4: we require at least 19 of 20."""
    (_, x_star), (f_2, _) = washboard_minima()[:2]
    lo = _bisect(lambda x: _wash(x) - f_2, x_star - 0.1, x_star)
    hi = _bisect(lambda x: _wash(x) - f_2, x_star, x_star + 0.1)
    p = (hi - lo) / 12.0
    p_fail = (1 - p) ** 3000
    # guards on the test's own failure bound (they fail if S, maxiter or the seeds change so
    # that 19 of 20 is no longer a 1e-4 event); the library is tested below
    assert 0.002 < p < 0.003 and p_fail < 4e-4
    assert 1 - (1 - p_fail) ** 20 - 20 * p_fail * (1 - p_fail) ** 19 < 1e-4
    prop = uniform_proposal((-6.0, 6.0))
    wins = {"quantized": 0, "annealing": 0}
    for seed in range(20):
        for name in wins:
            rec = Recorder(washboard, prop)
            res = METHODS[name](rec.f, [2.3], rec.p, maxiter=3000, rng=seed)
            assert res.fun == min(rec.fs)
            wins[name] += res.fun < f_2 and lo < res.x[0] < hi
    assert wins["quantized"] >= 19 and wins["annealing"] >= 19


def _bisect(g, a, b):
    """The root of g in [a, b] (a sign change), to float precision."""
    ga = g(a)
    for _ in range(200):
        m = 0.5 * (a + b)
        if m in (a, b):
            break
        if (g(m) > 0) == (ga > 0):
            a, ga = m, g(m)
        else:
            b = m
    return 0.5 * (a + b)


# ---------------------------------------------------------------------------------------------
# Proposals
# ---------------------------------------------------------------------------------------------
def _reflect_loop(y, lo, hi):
    """Reflection at the walls, one bounce at a time."""
    while y < lo or y > hi:
        y = 2 * lo - y if y < lo else 2 * hi - y
    return y


@given(st.floats(-50, 50), st.floats(-3, 3), st.floats(0.5, 10))
def test_reflection_matches_bouncing(y, lo, width):
    hi = lo + width
    got = search._reflect(np.array([y]), np.array(lo), np.array(hi))[0]
    assert lo <= got <= hi
    assert got == pytest.approx(_reflect_loop(y, lo, hi), abs=1e-9)


def test_gaussian_proposal_draws_and_leaves_x_alone():
    x = np.array([0.5, -1.0, 2.0])
    x.flags.writeable = False
    prop = gaussian_proposal(np.array([0.1, 1.0, 2.0]))
    y = prop(x, np.random.default_rng(3))
    assert np.array_equal(y, x + np.array([0.1, 1.0, 2.0]) *
                          np.random.default_rng(3).standard_normal(3))
    boxed = gaussian_proposal(5.0, [[-1.0, 1.0], [-1.0, 2.0], [-1.0, 3.0]])
    ys = np.array([boxed(x, np.random.default_rng(s)) for s in range(2000)])
    assert np.all(ys >= -1.0) and np.all(ys <= [1.0, 2.0, 3.0])
    z = np.random.default_rng(0).standard_normal(3)
    expect = [_reflect_loop(v, -1.0, h) for v, h in zip(x + 5.0 * z, [1.0, 2.0, 3.0])]
    assert ys[0] == pytest.approx(expect, abs=1e-12)


def _reflected_probability(a, sigma, c, h):
    """P(y in [c - h, c + h]) for y = a + sigma z folded into [0, 1] (method of images: y comes
    from a + sigma z in [c - h + 2m, c + h + 2m] or [-c - h + 2m, -c + h + 2m], m integer)."""
    def cdf(t):
        return 0.5 * (1 + math.erf((t - a) / (sigma * math.sqrt(2))))

    return sum(cdf(c + h + 2 * m) - cdf(c - h + 2 * m) + cdf(-c + h + 2 * m) - cdf(-c - h + 2 * m)
               for m in range(-20, 21))


@pytest.mark.parametrize("a, c", [(0.9, 0.6), (0.6, 0.9), (0.95, 0.9), (0.05, 0.5)])
def test_reflected_walk_distribution(a, c):
    """The reflected walk in [0, 1] against the method-of-images law (within 5 s.e.; windows
    [c - h, c + h] inside the box); that law
    is symmetric, P(c | a) = P(a | c) for small windows, and has no atom on the walls (clipping
    would put P(a + sigma z > 1) on the wall 1)."""
    prop, rng, n, h = gaussian_proposal(0.5, (0.0, 1.0)), np.random.default_rng(17), 20000, 0.05
    y = np.array([prop(np.array([a]), rng)[0] for _ in range(n)])
    p = _reflected_probability(a, 0.5, c, h)
    assert abs(np.mean(np.abs(y - c) <= h) - p) < 5 * math.sqrt(p * (1 - p) / n)
    assert p == pytest.approx(_reflected_probability(c, 0.5, a, h), rel=0.01)
    assert np.all((y > 0) & (y < 1))


def test_uniform_proposal_ignores_x_and_covers_the_box():
    prop = uniform_proposal([[-6.0, 6.0], [0.0, 1.0]])
    x = np.array([100.0, -100.0])
    ys = np.array([prop(x, np.random.default_rng(s)) for s in range(4000)])
    assert np.all(ys >= [-6.0, 0.0]) and np.all(ys <= [6.0, 1.0])
    assert x.tolist() == [100.0, -100.0]
    assert np.array_equal(ys[0], np.random.default_rng(0).uniform([-6.0, 0.0], [6.0, 1.0], 2))
    # means within 5 s.e. of the box's centre (sd of U[a, b] is (b - a)/sqrt(12))
    assert abs(ys[:, 0].mean()) < 5 * 12 / math.sqrt(12 * 4000)
    assert abs(ys[:, 1].mean() - 0.5) < 5 / math.sqrt(12 * 4000)


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------
def _ok(x, rng):
    return x + 0.1


BOTH = [quantized_acceptance, simulated_annealing]


@pytest.mark.parametrize("run", BOTH)
@pytest.mark.parametrize("kw, err, name", [
    ({"maxiter": -1}, ValueError, "maxiter"),
    ({"maxiter": 2.5}, TypeError, "maxiter"),
    ({"maxiter": True}, TypeError, "maxiter"),
    ({"rng": "seed"}, TypeError, "rng"),
    ({"x0": [[1.0]]}, ValueError, "x0"),
    ({"x0": [np.nan]}, ValueError, "x0"),
    ({"propose": 3}, TypeError, "propose"),
    ({"propose": lambda x, rng: np.zeros(2)}, ValueError, "propose"),
    ({"propose": lambda x, rng: 1.0}, ValueError, "propose"),
    ({"propose": lambda x, rng: "a"}, TypeError, "propose"),  # issue 15 item 9: a type
    ({"propose": lambda x, rng: x * np.nan}, ValueError, "propose"),
    ({"fun": lambda x: math.inf}, ValueError, "fun(x0)"),
    ({"fun": lambda x: math.nan}, ValueError, "fun(x0)"),
    ({"x0": [1.0, [2.0]]}, TypeError, "x0"),  # issue 15 item 13: ragged, not numpy's message
    ({"rng": -1}, ValueError, "rng"),  # issue 15 item 13: check_rng
    ({"fun": lambda x: np.ones(2)}, ValueError, "fun"),
    ({"fun": None}, TypeError, "fun"),
])
def test_bad_input_names_the_argument(run, kw, err, name):
    args = {"fun": washboard, "x0": [1.0], "propose": _ok, "maxiter": 5, **kw}
    with pytest.raises(err, match=name.replace("(", r"\(").replace(")", r"\)")):
        run(args.pop("fun"), args.pop("x0"), args.pop("propose"), **args)


@pytest.mark.parametrize("kw, err, name", [
    ({"T0": 0.0}, ValueError, "T0"), ({"T0": -1.0}, ValueError, "T0"),
    ({"T0": math.nan}, ValueError, "T0"), ({"T0": "hot"}, TypeError, "T0"),
    ({"cooling": 0.0}, ValueError, "cooling"), ({"cooling": 1.0}, ValueError, "cooling"),
    ({"cooling": 1.5}, ValueError, "cooling"), ({"cooling": -0.5}, ValueError, "cooling"),
    ({"T_min": 0.0}, ValueError, "T_min"), ({"T_min": 2000.0}, ValueError, "T_min"),
])
def test_bad_annealing_parameters(kw, err, name):
    with pytest.raises(err, match=name):
        simulated_annealing(washboard, [1.0], _ok, maxiter=5, **kw)


@pytest.mark.parametrize("kw, err, name", [
    ({"qp0": 3.0}, ValueError, "qp0"), ({"qp0": 0.0}, ValueError, "qp0"),
    ({"qp0": 2.0**-1024}, ValueError, "qp0"), ({"qp0": "1"}, TypeError, "qp0"),
    ({"kmax": -1}, ValueError, "kmax"), ({"kmax": 1.5}, TypeError, "kmax"),
])
def test_bad_quantization_parameters(kw, err, name):
    with pytest.raises(err, match=name):
        quantized_acceptance(washboard, [1.0], _ok, maxiter=5, **kw)


def test_start_value_too_large_for_a_finite_grid():
    with pytest.raises(ValueError, match=r"f\(x0\)"):
        quantized_acceptance(lambda x: 2.0**1023, [0.0], _ok, maxiter=5)


@pytest.mark.parametrize("make, arg, err, name", [
    (gaussian_proposal, (0.0,), ValueError, "sigma"),
    (gaussian_proposal, (-1.0,), ValueError, "sigma"),
    (gaussian_proposal, (math.inf,), ValueError, "sigma"),
    (gaussian_proposal, ([[1.0]],), ValueError, "sigma"),
    (gaussian_proposal, (True,), ValueError, "sigma"),
    (gaussian_proposal, (1.0, (1.0, 0.0)), ValueError, "bounds"),
    (gaussian_proposal, (1.0, 5.0), ValueError, "bounds"),
    (gaussian_proposal, (1.0, "box"), TypeError, "bounds"),
    (uniform_proposal, ((0.0, math.inf),), ValueError, "bounds"),
    (uniform_proposal, ((0.0, 1.0, 2.0),), ValueError, "bounds"),
    (uniform_proposal, ([[0.0, 1.0], [2.0, 1.0]],), ValueError, "bounds"),
    (uniform_proposal, ([[0.0, 1.0, 2.0]],), ValueError, "bounds"),
])
def test_bad_proposal_arguments(make, arg, err, name):
    with pytest.raises(err, match=name):
        make(*arg)


def test_bounds_forms_agree_and_follow_problem_bounds():
    """The box as Problem.bounds' (n, 2) rows (an asymmetric box, so that rows and columns
    cannot be confused), as scipy.optimize.Bounds, and as one (low, high) pair: the same
    draws; a box of the wrong size for x is refused, naming bounds."""
    from scipy.optimize import Bounds
    rows = np.array([[-6.0, 6.0], [0.0, 1.0]])
    x = np.zeros(2)
    forms = [rows, Bounds([-6.0, 0.0], [6.0, 1.0])]
    draws = [uniform_proposal(b)(x, np.random.default_rng(5)) for b in forms]
    assert np.array_equal(draws[0], draws[1])
    assert np.array_equal(draws[0], np.random.default_rng(5).uniform([-6.0, 0.0], [6.0, 1.0]))
    same = uniform_proposal((-6.0, 6.0))(x, np.random.default_rng(5))
    assert np.array_equal(same, np.random.default_rng(5).uniform(-6.0, 6.0, 2))
    p = problems.egg_holder()
    ys = np.array([gaussian_proposal(300.0, p.bounds)(p.x0, np.random.default_rng(s))
                   for s in range(200)])
    assert np.all((ys >= -512) & (ys <= 512))
    with pytest.raises(ValueError, match="bounds"):
        uniform_proposal(rows)(np.zeros(3), np.random.default_rng(0))


def test_docstring_examples():
    result = doctest.testmod(search, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 4 and result.failed == 0


def test_public_module():
    assert quantopt.search is search and "search" in quantopt.__all__
    for name in search.__all__:
        assert hasattr(search, name)


# ---------------------------------------------------------------------------------------------
# The measured comparison (not a test): python tests/test_search.py
# ---------------------------------------------------------------------------------------------
def wilson(k, n, z=1.959963984540054):
    """Wilson's 95% score interval for k successes in n trials."""
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def _methods(fun, x0, prop, n, t_tuned):
    """The four contestants at a budget of n candidates, as functions of the seed."""
    def quantized(seed):
        return quantized_acceptance(fun, x0, prop, maxiter=n, rng=seed)

    def sa_testbench(seed):
        return simulated_annealing(fun, x0, prop, maxiter=n, rng=seed)

    def sa_tuned(seed):  # from T0 down to T_min = 1e-6 over exactly n iterations
        return simulated_annealing(fun, x0, prop, maxiter=n, rng=seed, T0=t_tuned,
                                   cooling=(1e-6 / t_tuned) ** (1 / n))

    def greedy(seed):  # T = 1e-300 throughout: accept iff f(y) <= f(x)
        return simulated_annealing(fun, x0, prop, maxiter=n, rng=seed, T0=1e-300,
                                   T_min=5e-324, cooling=1 - 2.0**-53)

    return {"quantized": quantized, "SA testbench": sa_testbench,
            f"SA T0={t_tuned:g}": sa_tuned, "greedy": greedy}


def comparison(seeds=range(50)):
    """Success (f(best) < the second-lowest local minimum) over seeds, at equal budgets."""
    settings = [
        ("washboard 1-D", washboard, [2.3], (-6.0, 6.0), washboard_minima()[1][0], 4.0,
         (0.15, 0.5)),
        ("rastrigin 2-D", rastrigin2, [3.0, -3.0], (-5.12, 5.12),
         second_level(rastrigin1_minima(), 2)[1], 10.0, (0.3, 1.0)),
        ("washboard 2-D", washboard2, [2.3, 2.3], (-6.0, 6.0),
         second_level(washboard_minima(), 2)[1], 4.0, (0.15, 0.5)),
    ]
    print("success = f(best) < second-lowest local minimum; Wilson 95% intervals")
    for name, fun, x0, box, f2, t_tuned, sigmas in settings:
        props = [("uniform", uniform_proposal(box))]
        props += [(f"gauss s={s}", gaussian_proposal(s, box)) for s in sigmas]
        for pname, prop in props:
            for n in (1000, 5000):
                cells = []
                for label, run in _methods(fun, x0, prop, n, t_tuned).items():
                    k = sum(run(seed).fun < f2 for seed in seeds)
                    lo, hi = wilson(k, len(seeds))
                    cells.append(f"{label} {k:2d}/{len(seeds)} [{lo:.2f},{hi:.2f}]")
                print(f"{name:13s} {pname:11s} N={n:5d} | " + " | ".join(cells))
                sys.stdout.flush()


if __name__ == "__main__":
    comparison()
