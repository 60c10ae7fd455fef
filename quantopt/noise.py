r"""The white-noise hypothesis for the rounding error of a quantized step, tested.

The research program behind the note "Quantized Optimization" (seed 001; Seok & Kim, ETRI J.
45(1), 2023) models the error of the quantized step as i.i.d. white noise, uniform on a cell,
of variance Qp⁻²/12. This module measures that error on real runs of
:func:`quantopt.minimize` and gives the exact law of the rounding error of a Gaussian input,
which says when the model holds::

    s_t         the unquantized step: lr d_t (fixed step) or alpha_t d_t (quantized Armijo)
    (s_t)^Q     the step the driver quantized: to nearest on the step's grid 1/Qp_t, or
                stochastically (options={"rounding": "stochastic"})
    e_t         = (s_t)^Q - s_t,  Qp_t e_t in (-1/2, 1/2] to nearest, in (-1, 1) stochastically
    hypothesis  Qp_t e_t ~ Uniform[-1/2, 1/2), independent over t and coordinates

Sign: e_t is the error the quantizer adds (Q4's ε̄ in CLAIMS.md), −``residual`` of Qp s_t over
Qp; the uniform law is symmetric, so the test does not depend on the sign.

What the functions give:

* :func:`record_steps` runs ``minimize`` and records, at each iteration, the step the driver
  quantized and the quantized step, by wrapping :meth:`quantopt.grid.Grid.step_codes` (the
  fixed grid step) and :func:`quantopt.linesearch.quantized_armijo` (the quantized search)
  while it runs; the driver itself is unchanged. The record is checked against the run's
  path, code for code, before it is returned. :func:`gd_steps` reconstructs the fixed steps of
  gradient descent from the path alone (s_t = lr (−∇f(x_t)), the driver's float operations).
* :func:`ks_uniform`, :func:`autocorrelation`, :func:`zero_shares`, :func:`phases`: the
  statistics of the error in a phase of the run.
* :func:`gaussian_rounding_error_density` and :func:`gaussian_rounding_error_cdf`: the exact
  law of the rounding error of X ~ N(mu, sigma²) (a Fourier series with a truncation bound,
  :func:`gaussian_series_bound`); :func:`gaussian_cf_at_grid_frequency` is
  |Φ_X(2π Qp)| = exp(−2π² σ² Qp²), which governs its distance from uniform
  (:func:`gaussian_ks_distance`).

The conditions (Widrow, Kollár & Liu 1996; Sripad & Snyder 1977)::

    nu = Q(X) - X on the grid q Z, q = 1/Qp, Psi = 2 pi / q = 2 pi Qp, Phi_X(u) = E exp(i u X)
    f_nu(e) = q^-1 sum_l Phi_X(l Psi) exp(i l Psi e),   e in (-q/2, q/2]
    nu ~ Uniform(-q/2, q/2]            iff   Phi_X(l Psi) = 0 for every integer l != 0
    nu_1, nu_2 independent, uniform    iff   Phi_{X1 X2}(l1 Psi, l2 Psi) = 0, (l1, l2) != 0

A quantized optimizer's step is a deterministic function of the iterate; near convergence it
is smaller than half a cell, where the rounding error is exactly −s_t (the step rounds to
zero): deterministic, correlated from one iteration to the next, and not uniform.

Sources: B. Widrow, I. Kollár & M.-C. Liu, "Statistical theory of quantization", IEEE Trans.
Instrum. Meas. 45(2):353–361, 1996; A. B. Sripad & D. L. Snyder, "A necessary and sufficient
condition for quantization errors to be uniform and white", IEEE Trans. Acoust. Speech Signal
Process. 25(5):442–448, 1977; B. Widrow & I. Kollár, *Quantization Noise*, Cambridge UP, 2008
(ch. 4–5: QT I–III, the Gaussian case); R. M. Gray, "Quantization noise spectra", IEEE Trans.
Inf. Theory 36(6):1220–1244, 1990 (deterministic inputs: the error is a function of the input,
with line spectra). Research note: shared/research/quantization_based_optimization.md, §3A, §7.

numpy is this module's only dependency; scipy appears only in the tests and the bench.

Examples
--------
>>> import numpy as np
>>> from quantopt import noise, problems
>>> prob = problems.quadratic(n=2, cond=10)
>>> res, steps = noise.record_steps(prob.f, prob.x0, jac=prob.grad, method="gd", qp=2**6,
...                                 line_search=None, options={"lr": 0.05})
>>> steps.kind.size == res.nit, bool(np.all(np.abs(steps.scaled) <= 0.5))
(True, True)
>>> round(noise.gaussian_cf_at_grid_frequency(0.5 / 1024, 1024), 6)  # sigma: half a cell
0.007192
>>> [str(e) for e in noise.grid_input_errors(4)]  # one error per quarter of the cell
['0', '-1/4', '1/2', '1/4']
"""
from __future__ import annotations

import contextlib
import math
from fractions import Fraction
from typing import Any, Callable, Iterator, NamedTuple

import numpy as np

from . import linesearch as _ls
from .grid import Grid, as_grid
from .minimize import minimize
from .rounding import round_half_up

__all__ = [
    "STEP",
    "ZERO",
    "FALLBACK",
    "StepErrors",
    "record_steps",
    "gd_steps",
    "phases",
    "phase_rows",
    "summary",
    "ks_uniform",
    "ks_distance",
    "autocorrelation",
    "chi2_sf",
    "portmanteau",
    "martingale_z",
    "zero_shares",
    "stochastic_error_variance",
    "gaussian_cf_at_grid_frequency",
    "gaussian_series_bound",
    "gaussian_rounding_error_density",
    "gaussian_rounding_error_cdf",
    "gaussian_ks_distance",
    "uniform_input_error_cdf",
    "grid_input_errors",
]

#: kind of an iteration: x moved by the quantized step (s_t)^Q != 0
STEP = 0
#: the whole step rounded to zero, (s_t)^Q = 0: x stayed (or the grid was refined, or a grid
#: neighbour was polled)
ZERO = 1
#: the quantized search accepted no (alpha d)^Q although some trial moved (it took the unit step
#: along the largest |d_i| or a polled neighbour): no unquantized step s_t is defined
FALLBACK = 2


class StepErrors(NamedTuple):
    """The steps of a run, one row per iteration t = 0 .. T-1 (the move from path[t] to
    path[t+1]; an iteration that ended the run, with no new row, is not included).
    On a power-of-two grid q, e and Qp e are exact; otherwise q is the float nearest to k/Qp.

    s : (T, n) the unquantized step s_t (nan for FALLBACK rows)
    q : (T, n) the quantized step (s_t)^Q that the driver computed (nan for FALLBACK rows)
    qp : (T,) the resolution of the grid the step was quantized on
    kind : (T,) STEP, ZERO or FALLBACK
    stochastic : whether the steps were rounded stochastically
    """

    s: np.ndarray
    q: np.ndarray
    qp: np.ndarray
    kind: np.ndarray
    stochastic: bool

    @property
    def e(self) -> np.ndarray:
        """The rounding error e_t = (s_t)^Q − s_t, (T, n)."""
        return self.q - self.s

    @property
    def scaled(self) -> np.ndarray:
        """Qp_t e_t, the error in units of the step's own grid, (T, n): in (−½, ½] to nearest."""
        return self.e * self.qp[:, None]

    @property
    def defined(self) -> np.ndarray:
        """The rows where s_t is defined (STEP and ZERO), a boolean mask (T,)."""
        return self.kind != FALLBACK


# ----------------------------------------------------------------------- recording a run --
class _Log:
    def __init__(self) -> None:
        self.entries: list[tuple] = []
        self.depth = 0  # > 0 inside quantized_armijo: its trial steps are not the step


@contextlib.contextmanager
def _recording() -> Iterator[_Log]:
    """While active, Grid.step_codes and linesearch.quantized_armijo log their calls (module
    and class attributes are replaced and restored on exit; not thread-safe)."""
    log = _Log()
    step_codes, armijo = Grid.step_codes, _ls.quantized_armijo

    def logged_step_codes(self, step, rng=None, out=None):
        dk = step_codes(self, step, rng, out)
        if log.depth == 0:  # the fixed grid step: one call per iteration
            log.entries.append(("fixed", self.qp_float, np.array(step, np.float64),
                                np.array(dk), rng is not None))
        return dk

    def logged_armijo(fun, codes, grid, fx, g, p, **kw):
        log.depth += 1
        try:
            res = armijo(fun, codes, grid, fx, g, p, **kw)
        finally:
            log.depth -= 1
        log.entries.append(("search", as_grid(grid).qp_float, np.array(p, np.float64),
                            float(kw.get("alpha0", 1.0)), res, np.array(codes)))
        return res

    Grid.step_codes = logged_step_codes
    _ls.quantized_armijo = logged_armijo
    try:
        yield log
    finally:
        Grid.step_codes = step_codes
        _ls.quantized_armijo = armijo


def _row(entry: tuple, n: int) -> tuple[np.ndarray, np.ndarray, float, int]:
    """One log entry as (s, q, qp, kind)."""
    if entry[0] == "fixed":
        _, qp, s, dk, _ = entry
        return s, dk / qp, qp, STEP if dk.any() else ZERO
    _, qp, p, alpha0, res, codes = entry
    if res.status == _ls.ACCEPTED and res.alpha > 0:
        s = res.alpha * p  # the accepted trial step, as quantized_armijo forms it
        return s, (res.codes - codes) / qp, qp, STEP
    with np.errstate(over="ignore"):
        s0 = alpha0 * p
    if not Grid(qp).step_codes(s0).any():  # the first trial rounded to zero: no trial made
        return s0, np.zeros(n), qp, ZERO
    return np.full(n, np.nan), np.full(n, np.nan), qp, FALLBACK


def record_steps(fun: Callable, x0, *, jac: Callable, method: str, qp,
                 **kwargs: Any) -> tuple[Any, StepErrors]:
    r"""Run :func:`quantopt.minimize` on a grid and record the step of every iteration.

    Equations::

        fixed step (line_search=None):  s_t = lr d_t,  (s_t)^Q = grid.step_codes(s_t)/Qp_t
        quantized Armijo:               s_t = alpha_t d_t for the accepted alpha_t > 0,
                                        (s_t)^Q = (k_{t+1} - k_t)/Qp_t
                                        s_t = alpha0 d_t when even the first trial rounds to 0
        check, for every t:  Qp_t in [qp_path[t], qp_path[t+1]] and, on the grid of Qp_t,
            STEP     k_{t+1} - k_t = Qp_t (s_t)^Q != 0, and (s_t)^Q = Q(s_t) when rounding
                     to nearest (the quantizer applied again gives the same codes)
            ZERO     (s_t)^Q = 0 and x_{t+1} = x_t or a grid neighbour x_t + e/Qp_t,
                     e in {-1, 0, 1}^n (the poll)

    Parameters: as :func:`quantopt.minimize` (``qp`` a number or a schedule; ``path`` is set to
    True). Returns (result, :class:`StepErrors`). Raises RuntimeError if the record does not
    reproduce the run's path (then the driver quantized something this module does not know
    about: a mini-batch search, a fused step at n >= 4096, ...).
    """
    options = dict(kwargs.pop("options", None) or {})
    options["path"] = True
    with _recording() as log:
        result = minimize(fun, x0, jac=jac, method=method, qp=qp, options=options, **kwargs)
    path = result.path
    T, n = path.shape[0] - 1, path.shape[1]
    if len(log.entries) not in (T, T + 1):  # the last call may have ended the run
        raise RuntimeError(f"{len(log.entries)} recorded steps for {T} iterations")
    rows = [_row(entry, n) for entry in log.entries[:T]]
    steps = StepErrors(
        s=np.array([r[0] for r in rows]).reshape(T, n),
        q=np.array([r[1] for r in rows]).reshape(T, n),
        qp=np.array([r[2] for r in rows], dtype=np.float64),
        kind=np.array([r[3] for r in rows], dtype=np.int64),
        stochastic=any(e[0] == "fixed" and e[4] for e in log.entries))
    _check(steps, result)
    return result, steps


def _check(steps: StepErrors, result) -> None:
    """Raise RuntimeError unless the recorded steps reproduce the path (see record_steps)."""
    path, qp_path = result.path, result.qp_path
    for t in range(steps.kind.size):
        grid = Grid(steps.qp[t])
        if not qp_path[t] <= steps.qp[t] <= qp_path[t + 1]:
            raise RuntimeError(f"t = {t}: the step's grid {steps.qp[t]} is not between "
                               f"{qp_path[t]} and {qp_path[t + 1]}")
        dk = grid.codes(path[t + 1]) - grid.codes(path[t])
        if steps.kind[t] == FALLBACK:
            continue
        qk = grid.codes(steps.q[t])
        if not np.array_equal(grid.values(qk), steps.q[t]):
            raise RuntimeError(f"t = {t}: the quantized step is not on its grid")
        if not steps.stochastic and not np.array_equal(grid.step_codes(steps.s[t]), qk):
            raise RuntimeError(f"t = {t}: the quantized step is not Q(s_t)")
        if steps.kind[t] == STEP and not np.array_equal(dk, qk):
            raise RuntimeError(f"t = {t}: the path moved by {dk}, the step by {qk}")
        if steps.kind[t] == ZERO and (qk.any() or np.abs(dk).max() > 1):
            raise RuntimeError(f"t = {t}: a zero step, but the path moved by {dk}")


def gd_steps(path: np.ndarray, grad: Callable, lr: float) -> np.ndarray:
    """The fixed steps of gradient descent along a path: s_t = lr (−∇f(x_t)), t = 0 .. T−1.

    The driver's float operations: the rule's direction −∇f(x_t) (∇f as float64), times lr
    (``FixedGridStep``: ``np.multiply(d, lr)``), so the result is bit for bit the step it
    quantized."""
    path = np.asarray(path, dtype=np.float64)
    return np.array([np.multiply(-np.asarray(grad(x.copy()), np.float64), lr)
                     for x in path[:-1]]).reshape(path.shape[0] - 1, path.shape[1])


# ----------------------------------------------------------------------------- statistics --
def phases(T: int) -> dict[str, slice]:
    """The phases of a run of T iterations: "early", the first third (t < T//3), and
    "converging", the last third (t >= T − T//3)."""
    third = T // 3
    return {"early": slice(0, third), "converging": slice(T - third, T)}


def ks_distance(samples, cdf: Callable[[np.ndarray], np.ndarray]) -> float:
    r"""The Kolmogorov–Smirnov distance sup_u |F_N(u) − F(u)| of a sample from a continuous CDF.

    Equations::

        u_(1) <= ... <= u_(N) sorted,  D = max_i max(i/N - F(u_(i)), F(u_(i)) - (i-1)/N)
    """
    u = np.sort(np.ravel(np.asarray(samples, dtype=np.float64)))
    if u.size == 0:
        raise ValueError("ks_distance needs at least one sample")
    F = np.asarray(cdf(u), dtype=np.float64)
    i = np.arange(1, u.size + 1)
    return float(max(np.max(i / u.size - F), np.max(F - (i - 1) / u.size)))


def ks_uniform(scaled_errors) -> float:
    """The KS distance of Qp e (pooled: every entry of the array is one sample) from
    Uniform[−½, ½), whose CDF is F(u) = u + ½ on [−½, ½]."""
    return ks_distance(scaled_errors, lambda u: np.clip(u + 0.5, 0.0, 1.0))


def autocorrelation(errors, lags, center: bool = False) -> tuple[np.ndarray, np.ndarray]:
    r"""The sample autocorrelation of an error sequence at the given lags, pooled over
    coordinates and runs; and N_k, the number of lag-k products, for the white-noise band
    ±1.96/√N_k.

    Equations::

        r(k) = [ (1/N_k) sum_runs sum_i sum_{t<T-k} e_{t,i} e_{t+k,i} ]
               / [ (1/N) sum_runs sum_i sum_t e_{t,i}^2 ]
        N_k  = sum_runs n (T - k),   N = N_0
        i.i.d. zero-mean errors: r(k) is about N(0, 1/N_k), outside ±1.96/√N_k with
        probability about 5% per lag

    The hypothesis is zero-mean noise, so the errors are not centred (``center=False``): a
    nonzero mean is part of what r measures. With ``center=True`` each coordinate of each run
    is centred on its own mean first; that biases r(k) by about −1/T for short runs of T
    iterations (pooled short runs show a spurious negative correlation), hence not the default.

    errors : (T,) or (T, n), or a list of such arrays (separate runs: no product spans two
    runs). r is nan where N_k = 0 or all errors are 0.
    """
    series = errors if isinstance(errors, (list, tuple)) else [errors]
    lags = [int(k) for k in lags]
    num = np.zeros(len(lags))
    count = np.zeros(len(lags), dtype=np.int64)
    square, N = 0.0, 0
    for e in series:
        e = np.asarray(e, dtype=np.float64)
        if e.shape[0] == 0:
            continue
        c = e.reshape(e.shape[0], -1)
        if center:
            c = c - c.mean(axis=0)
        square += float(np.sum(c * c))
        N += c.size
        for j, k in enumerate(lags):
            if k < c.shape[0]:
                num[j] += float(np.sum(c[: c.shape[0] - k] * c[k:]))
                count[j] += (c.shape[0] - k) * c.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (num / count) / (square / N) if N and square > 0 else np.full(num.shape, np.nan)
    return np.where(count > 0, r, np.nan), count


def chi2_sf(x: float, df: int) -> float:
    r"""P(χ²_df > x), exactly (closed forms; no scipy).

    Equations::

        df = 2m:      e^{-x/2} sum_{j<m} (x/2)^j / j!
        df = 2m + 1:  erfc(sqrt(x/2)) + e^{-x/2} sum_{j=1..m} (x/2)^{j-1/2} / Gamma(j + 1/2)
    """
    if df < 1:
        raise ValueError(f"df must be >= 1, got {df}")
    if x <= 0:
        return 1.0
    h = x / 2.0
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for j in range(1, df // 2):
            term *= h / j
            total += term
        return min(1.0, math.exp(-h) * total)
    total = math.erfc(math.sqrt(h))
    for j in range(1, df // 2 + 1):
        total += math.exp((j - 0.5) * math.log(h) - h - math.lgamma(j + 0.5))
    return min(1.0, total)


def portmanteau(r, counts) -> tuple[float, float]:
    r"""The Box–Pierce statistic of autocorrelations r(1..K) with N_k lag products each (as
    :func:`autocorrelation` returns them), and its p-value.

    Equations::

        Q = sum_k N_k r(k)^2,   p = P(chi^2_K > Q)     (i.i.d. errors: Q about chi^2_K)

    (Box & Pierce, J. Amer. Statist. Assoc. 65(332):1509–1526, 1970; N_k = N for one long
    series.) Lags with no products are left out; (nan, nan) if none is left.
    """
    r = np.asarray(r, dtype=np.float64)
    counts = np.broadcast_to(np.asarray(counts, dtype=np.float64), r.shape)
    ok = (counts > 0) & np.isfinite(r)
    if not ok.any():
        return math.nan, math.nan
    Q = float(np.sum(counts[ok] * r[ok] ** 2))
    return Q, chi2_sf(Q, int(ok.sum()))


def martingale_z(errors, variances, lags) -> np.ndarray:
    r"""Self-normalized lag products of a zero-mean error sequence with known conditional
    variances: z-scores that are about N(0, 1) when the errors are a martingale difference
    sequence (E[e_t | the past] = 0), whatever their variances.

    Equations::

        z(0) = sum e_t / sqrt(sum v_t)                 v_t = Var[e_t | the past]
        z(k) = sum_t e_t e_{t+k} / sqrt(sum_t e_t^2 v_{t+k}),   k >= 1

    (sums over t and coordinates, and over runs for a list of arrays; the numerators are sums
    of martingale differences, the denominators their predictable variances: the central
    limit theorem for martingales, Hall & Heyde, *Martingale Limit Theory*, 1980, §3.2).
    For stochastic rounding v_t = :func:`stochastic_error_variance`.
    """
    es = errors if isinstance(errors, (list, tuple)) else [errors]
    vs = variances if isinstance(variances, (list, tuple)) else [variances]
    out = []
    for k in lags:
        num = den = 0.0
        for e, v in zip(es, vs):
            e = np.asarray(e, dtype=np.float64).reshape(np.shape(e)[0], -1)
            v = np.asarray(v, dtype=np.float64).reshape(e.shape)
            if k == 0:
                num += float(e.sum())
                den += float(v.sum())
            elif k < e.shape[0]:
                num += float(np.sum(e[:-k] * e[k:]))
                den += float(np.sum(e[:-k] ** 2 * v[k:]))
        out.append(num / math.sqrt(den) if den > 0 else math.nan)
    return np.array(out)


def zero_shares(q) -> tuple[float, float]:
    """The share of quantized step components that are exactly 0, and of whole steps that
    are 0 (every component), for q of shape (T, n)."""
    q = np.asarray(q)
    zero = q == 0
    return float(zero.mean()), float(np.all(zero, axis=1).mean())


def stochastic_error_variance(s, qp) -> np.ndarray:
    r"""Var[(s)^S − s | s] = φ(1 − φ)/Qp², φ = frac(Qp s): the conditional variance of the
    error of stochastic rounding, which is −φ/Qp (down) with probability 1 − φ and (1 − φ)/Qp
    (up) with probability φ, so its conditional mean is 0 and its law is not uniform. The
    fractional part is computed in float64 (as stochastic_round compares it); qp of shape (T,)
    goes with s of shape (T, n)."""
    s = np.asarray(s, dtype=np.float64)
    qp = np.asarray(qp, dtype=np.float64)
    if qp.ndim == 1 and s.ndim == 2:
        qp = qp[:, None]
    v = s * qp
    phi = v - np.floor(v)
    return phi * (1.0 - phi) / qp**2


def phase_rows(steps: StepErrors, phase: str) -> np.ndarray:
    """The iterations of a run in a phase ("early", "converging" or "all"; see
    :func:`phases`) where s_t is defined (FALLBACK rows left out; the rows kept stay in order,
    so lag products may span a left-out row: rare, counted by :func:`summary`)."""
    T = steps.kind.size
    idx = np.arange(T)[slice(0, T) if phase == "all" else phases(T)[phase]]
    return idx[steps.defined[idx]]


def summary(runs, phase: str, lags=range(1, 11)) -> dict[str, Any]:
    r"""The statistics of the white-noise hypothesis on the runs' errors in one phase.

    Keys: T (iterations in the phase, over the runs), N (samples Qp e: T n, coordinates and
    runs pooled), ks (:func:`ks_uniform` of the pooled sample), var12 (12 Var(Qp e): 1 for the
    uniform law), mean (mean of Qp e), r and counts (autocorrelations at ``lags`` and their
    numbers of products N_k, :func:`autocorrelation`), band (1.96/√N_k per lag), outside (lags
    with |r| > band), Q and p_Q
    (:func:`portmanteau`), zero_components and zero_steps (:func:`zero_shares` of the
    quantized steps), small (share of components with |Qp s| < 1/2), e_is_minus_s (share of
    those where e = −s exactly: 1 when rounding to nearest), fallback (FALLBACK rows in the
    phase: left out).
    """
    runs = [runs] if isinstance(runs, StepErrors) else list(runs)
    rows = [phase_rows(st, phase) for st in runs]
    us = [st.scaled[i] for st, i in zip(runs, rows)]
    u = np.concatenate([x.ravel() for x in us])
    out: dict[str, Any] = {"T": int(sum(i.size for i in rows)), "N": int(u.size)}
    out["fallback"] = int(sum(np.sum(st.kind[phases(st.kind.size)[phase] if phase != "all"
                                              else slice(None)] == FALLBACK) for st in runs))
    if u.size == 0:
        return out
    r, counts = autocorrelation(us, list(lags))
    Q, pQ = portmanteau(r, counts)
    q = np.concatenate([st.q[i] for st, i in zip(runs, rows)])
    s = np.concatenate([st.s[i] for st, i in zip(runs, rows)])
    qp = np.concatenate([st.qp[i] for st, i in zip(runs, rows)])
    small = np.abs(s * qp[:, None]) < 0.5
    zc, zw = zero_shares(q)
    band = 1.96 / np.sqrt(np.maximum(counts, 1))
    out.update(ks=ks_uniform(u), var12=12.0 * float(np.var(u)), mean=float(np.mean(u)), r=r,
               band=band, outside=int(np.sum(np.abs(r) > band)), counts=counts, Q=Q, p_Q=pQ,
               zero_components=zc, zero_steps=zw, small=float(np.mean(small)),
               e_is_minus_s=(float(np.mean((q - s)[small] == -s[small])) if small.any()
                             else math.nan))
    return out


# ------------------------------------------------------- the rounding error of a Gaussian --
def gaussian_cf_at_grid_frequency(sigma: float, qp: float, ell: int = 1) -> float:
    r"""|Φ_X(2π ℓ Qp)| = exp(−2π² ℓ² σ² Qp²) for X ~ N(mu, sigma²): the size of the ℓ-th (ell)
    Fourier term of the error density (Widrow & Kollár 2008, §5)."""
    return math.exp(-2.0 * math.pi**2 * (ell * sigma * qp) ** 2)


def gaussian_series_bound(sigma: float, qp: float, terms: int) -> float:
    r"""A bound on the error of the density series truncated after ``terms`` terms, in units
    of Qp (the density of Qp e): 2 Σ_{l>L} ρ^{l²} <= 2 ρ^{(L+1)²} / (1 − ρ^{2L+3}),
    ρ = exp(−2π²σ²Qp²) (the terms after the first omitted one shrink at least by ρ^{2L+3})."""
    rho = gaussian_cf_at_grid_frequency(sigma, qp)
    L = terms
    if rho >= 1.0:
        return math.inf
    return 2.0 * rho ** ((L + 1) ** 2) / (1.0 - rho ** (2 * L + 3))


def _terms_for(sigma: float, qp: float, tol: float = 1e-17) -> int:
    """The fewest terms L whose truncation bound is below tol (at most 10**6)."""
    L = 1
    while gaussian_series_bound(sigma, qp, L) > tol and L < 10**6:
        L *= 2
    return L


def gaussian_rounding_error_density(e, mu: float, sigma: float, qp: float,
                                    terms: int | None = None) -> np.ndarray:
    r"""The density of the rounding error nu = Q(X) − X of X ~ N(mu, sigma²) on the grid
    (1/Qp)ℤ, at e in (−1/(2Qp), 1/(2Qp)] (per unit of e, so it integrates to 1).

    Equations::

        f_nu(e) = Qp sum_l Phi_X(2 pi l Qp) exp(2 pi i l Qp e)
                  Phi_X(u) = exp(i mu u - sigma^2 u^2 / 2)       (the CF of N(mu, sigma^2))
                = Qp [1 + 2 sum_{l=1..L} rho^(l^2) cos(2 pi l Qp (mu + e))]
                  rho = exp(-2 pi^2 sigma^2 Qp^2)

    (Poisson summation of f_nu(e) = sum_k f_X(k/Qp - e); Widrow, Kollár & Liu 1996, eq. for
    the PDF of the quantization noise; Sripad & Snyder 1977). Truncated after L = ``terms``
    terms (None: enough for a bound below 1e-17 relative to Qp); the error is at most
    Qp·:func:`gaussian_series_bound`. Zero outside the cell.
    """
    e = np.asarray(e, dtype=np.float64)
    L = _terms_for(sigma, qp) if terms is None else int(terms)
    rho = gaussian_cf_at_grid_frequency(sigma, qp)
    phase = 2.0 * math.pi * qp * (mu + e)
    total = np.ones_like(e)
    for ell in range(1, L + 1):
        w = rho ** (ell * ell)
        if w == 0.0:
            break
        total = total + 2.0 * w * np.cos(ell * phase)
    inside = (e > -0.5 / qp) & (e <= 0.5 / qp)
    return np.where(inside, qp * total, 0.0)


def gaussian_rounding_error_cdf(u, mu: float, sigma: float, qp: float,
                                terms: int | None = None) -> np.ndarray:
    r"""The CDF of Qp·nu (the error in units of the cell) for X ~ N(mu, sigma²), at u.

    Equations::

        F(u) = u + 1/2 + sum_{l=1..L} rho^(l^2)/(pi l) [sin(2 pi l (a + u)) - (-1)^l sin(2 pi l a)]
               for u in [-1/2, 1/2],  a = Qp mu,  rho = exp(-2 pi^2 sigma^2 Qp^2)

    (the density's series integrated from −½; the truncation error is at most
    :func:`gaussian_series_bound` / π). 0 below −½, 1 above ½.
    """
    u = np.asarray(u, dtype=np.float64)
    L = _terms_for(sigma, qp) if terms is None else int(terms)
    rho = gaussian_cf_at_grid_frequency(sigma, qp)
    a = (qp * mu) % 1.0
    total = u + 0.5
    for ell in range(1, L + 1):
        w = rho ** (ell * ell)
        if w == 0.0:
            break
        total = total + w / (math.pi * ell) * (np.sin(2.0 * math.pi * ell * (a + u))
                                               - (-1) ** ell * math.sin(2.0 * math.pi * ell * a))
    return np.where(u < -0.5, 0.0, np.where(u > 0.5, 1.0, total))


def gaussian_ks_distance(mu: float, sigma: float, qp: float) -> tuple[float, float]:
    r"""The KS distance sup_u |F(u) − (u + ½)| of the exact law of Qp·nu from Uniform[−½, ½),
    and its leading-order value.

    Equations::

        D = sup_u |sum_l rho^(l^2)/(pi l) [sin(2 pi l (a + u)) - (-1)^l sin(2 pi l a)]|
        D = rho (1 + |sin 2 pi a|) / pi + r,   |r| <= sum_{l>=2} 2 rho^(l^2)/(pi l),  a = Qp mu

    so D decreases like |Φ_X(2π Qp)| = rho = exp(−2π²σ²Qp²). The supremum is taken on a grid
    of 2¹⁶ + 1 points of [−½, ½] refined by golden-section search around the best one (the
    first term alone has its maximum where 2π(a + u) = ±π/2; the function is smooth).
    """
    rho = gaussian_cf_at_grid_frequency(sigma, qp)
    a = (qp * mu) % 1.0
    lead = rho * (1.0 + abs(math.sin(2.0 * math.pi * a))) / math.pi

    def dev(u):
        return np.abs(gaussian_rounding_error_cdf(u, mu, sigma, qp) - (np.asarray(u) + 0.5))

    grid = np.linspace(-0.5, 0.5, 2**16 + 1)
    d = dev(grid)
    i = int(np.argmax(d))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    g = (math.sqrt(5.0) - 1.0) / 2.0
    for _ in range(80):  # golden-section search for the maximum on [lo, hi]
        c, d2 = hi - g * (hi - lo), lo + g * (hi - lo)
        if dev(c) >= dev(d2):
            hi = d2
        else:
            lo = c
    return float(max(d[i], dev(0.5 * (lo + hi)))), lead


# ----------------------------------------------------------- a uniform input, exactly --
def uniform_input_error_cdf(t, start, length) -> Fraction:
    r"""P(R(Y) − Y <= t) for Y ~ Uniform[start, start + length), exactly (Fractions), R the
    round half up: the rounding error of a uniform input, in units of the cell (Y = Qp X).

    Equations::

        R(Y) - Y <= t   iff   Y in [k - t, k + 1/2) for the k with Y in [k - 1/2, k + 1/2)
        P = |U_k [k - t, k + 1/2)  ∩  [start, start + length)| / length,   t in [-1/2, 1/2]
          = t + 1/2                 when length is a positive integer (every unit period
                                    holds the same share 1/2 + t): the error is exactly
                                    uniform, as Φ_Y(2π l) = 0 for every l != 0
    """
    t, a, L = Fraction(t), Fraction(start), Fraction(length)
    if not L > 0:
        raise ValueError(f"length must be positive, got {length!r}")
    if t < -Fraction(1, 2):
        return Fraction(0)
    if t >= Fraction(1, 2):
        return Fraction(1)
    total = Fraction(0)
    for k in range(math.floor(a) - 1, math.ceil(a + L) + 2):
        lo, hi = max(k - t, a), min(k + Fraction(1, 2), a + L)
        if hi > lo:
            total += hi - lo
    return total / L


def grid_input_errors(M: int, start=0) -> list[Fraction]:
    r"""The rounding errors R(y_j) − y_j of the M inputs y_j = start + j/M, j = 0 .. M−1 (one
    cell, in units of the cell), exactly (Fractions; R by :func:`quantopt.round_half_up`).

    Y uniform on these M points has Φ_Y(2π l) = (1/M) Σ_j e^{2πi l j/M} = 0 unless M divides
    l: the uniformity condition holds at every frequency but the multiples of M, and the
    errors form one point in each interval (c + (i−1)/M, c + i/M] of the cell (a discrete
    uniform law, within 1/M of the continuous one).
    """
    M = int(M)
    if M < 1:
        raise ValueError(f"M must be >= 1, got {M}")
    a = Fraction(start)
    ys = [a + Fraction(j, M) for j in range(M)]
    return [round_half_up(y) - y for y in ys]
