r"""Derivative-free search: quantized acceptance (level-set quantization) and simulated annealing.

Both methods walk a chain x_0, x_1, ...: each iteration draws one candidate y = propose(x_t, rng),
evaluates f(y) once, and either moves there (accepts) or stays. They differ only in the rule::

    quantized_acceptance   accept iff f^Q(y) <= f^Q(x_t), f^Q the objective value rounded onto
                           the grid (1/Qp)Z; Qp doubles at every acceptance (Seok & Cho)
    simulated_annealing    accept iff u_t < exp(-(f(y) - f(x_t)) / T_t), u_t ~ U[0, 1),
                           T_t = T0 * cooling^t (Metropolis acceptance, geometric cooling)

``propose`` is any callable ``propose(x, rng) -> y``; :func:`gaussian_proposal` (a random walk
reflected into a box) and :func:`uniform_proposal` (a uniform draw from the whole box, the
testbench's "blind random search") make the usual ones. Both methods draw the proposals from the
same stream of ``rng``, so that with one seed and proposals that ignore x they see exactly the
same candidates (simulated annealing takes its acceptance uniforms from a child stream, see
:func:`simulated_annealing`).

A fact both methods share (proved in each docstring, checked by the tests): a rejected candidate
has f(y) > f(x_t) (or a non-finite f(y)), so the best point on the accepted path is the best point
ever evaluated. With proposals that ignore x, such as :func:`uniform_proposal`, both methods
therefore return the best of the same candidates: the point pure random search would return.
The acceptance rule matters only for proposals that depend on x.

Sources: J. Seok & C. S. Cho, "Quantization-Based Optimization: Alternative Stochastic
Approximation of Global Optimization", arXiv:2211.03972 (2022); the authors' testbench
github.com/SDE-AI-00/Quantization-based-Optimization (commit 9fb79b6),
``tsp_test_anonymopus/qz_proc.py`` (quantized acceptance) and ``sa_proc.py`` (the simulated
annealing it is compared with); N. Metropolis et al., J. Chem. Phys. 21:1087-1092 (1953);
S. Kirkpatrick, C. D. Gelatt & M. P. Vecchi, Science 220:671-680 (1983).
"""
from __future__ import annotations

import math
from enum import IntEnum
from typing import Any, Callable

import numpy as np

from ._checks import (check_int, check_positive, check_real_array, check_rng,
                      check_unit_interval, returned_real)
from ._objective import _CountedFun, all_finite
from .minimize import OptimizeResult
from .rounding import quantize

__all__ = [
    "quantized_acceptance",
    "simulated_annealing",
    "gaussian_proposal",
    "uniform_proposal",
    "Status",
    "MESSAGES",
]

#: Qp = 2**p with p <= 1023: 2**1023 is the largest power of two in float64
P_MAX = 1023
#: and p >= -1023: the grid step 1/Qp = 2**-p must be a finite float64
P_MIN = -1023


class Status(IntEnum):
    """Why a search stopped (``OptimizeResult.status``); the messages are ``MESSAGES``."""

    MAXITER = 1     #: maxiter candidates evaluated
    INERT = 2       #: quantized acceptance: 1/Qp <= ulp(f(x_t)), quantization no longer acts
    QP_LIMIT = 3    #: quantized acceptance: k reached kmax (by default the float64 limit of Qp)
    FROZEN = 4      #: simulated annealing: the temperature fell below T_min


MESSAGES = {
    Status.MAXITER: "Maximum number of iterations (maxiter={maxiter}) reached.",
    Status.INERT: "Quantization is inert: the grid step 1/Qp = 2**{neg_p} is at most the float "
                  "spacing ulp(f(x)) at the current value f(x) = {fx!r}, so f^Q = f there and the "
                  "acceptance test is the exact comparison f(y) <= f(x): from here the method "
                  "would be plain greedy descent ({k} acceptances).",
    Status.QP_LIMIT: "Qp reached its cap after k = {k} acceptances: Qp = 2**{p} ({why}).",
    Status.FROZEN: "The temperature fell below T_min: T = {T!r} < T_min = {T_min!r}.",
}


# ---------------------------------------------------------------------------------------------
# Shared set-up: the arguments checked once, the user's callables wrapped
# ---------------------------------------------------------------------------------------------
def _start(x0: Any) -> np.ndarray:
    """x0 as a fresh float64 array of shape (n,); the caller's x0 is never touched again."""
    return check_real_array("x0", x0, ndim=1, min_size=1)  # a new float64 array


class _Proposer:
    """Wraps propose: gives it a copy of x (the chain's state can never be changed by it) and
    checks that it returns a finite point of x's shape, returned as a fresh float64 array."""

    __slots__ = ("fn", "n")

    def __init__(self, propose: Callable, n: int):
        if not callable(propose):
            raise TypeError(f"propose must be a callable propose(x, rng) -> y, got "
                            f"{type(propose).__name__}")
        self.fn, self.n = propose, n

    def __call__(self, x: np.ndarray, gen: np.random.Generator) -> np.ndarray:
        out = self.fn(x.copy(), gen)
        y = returned_real("propose", out, (self.n,))  # real numbers of x0's shape
        if not all_finite(y):
            raise ValueError(f"propose returned a non-finite point {y!r}")
        return y


def _setup(fun: Callable, x0: Any, propose: Callable, maxiter: Any, rng: Any):
    """The checked arguments: (counted fun, x0 copy, proposer, maxiter, generator)."""
    if not callable(fun):
        raise TypeError(f"fun must be a callable f(x) -> float, got {type(fun).__name__}")
    x = _start(x0)
    draw = _Proposer(propose, x.size)
    maxiter = check_int("maxiter", maxiter, 0)
    gen = check_rng("rng", rng)
    return _CountedFun(fun), x, draw, maxiter, gen


def _first_value(f: _CountedFun, x: np.ndarray) -> float:
    """f(x0), which must be finite (every argument has been checked before fun is called)."""
    fx = f(x)
    if not math.isfinite(fx):
        raise ValueError(f"fun(x0) must be finite, got {fx!r}")
    return fx


def _result(f: _CountedFun, path: list, fun_path: list, accepted: list, status: Status,
            message: str, n_nonfinite: int, **extra) -> OptimizeResult:
    """The result: x and fun the best point of the accepted path (the first one, on ties)."""
    best = int(np.argmin(fun_path))
    return OptimizeResult(
        x=path[best].copy(), fun=fun_path[best], nit=len(accepted), nfev=f.calls,
        success=status != Status.MAXITER, status=status, message=message,
        path=np.array(path), fun_path=np.array(fun_path),
        accepted=np.array(accepted, dtype=bool), n_accepted=len(path) - 1,
        n_nonfinite=n_nonfinite, **extra)


# ---------------------------------------------------------------------------------------------
# Quantized acceptance (the level-set variant of Seok & Cho)
# ---------------------------------------------------------------------------------------------
def _eta_exponent(f0: float) -> int:
    """p0 with eta = 2**p0 = 2**-(floor(log2|f0|) + 1), so that eta*|f0| is in [1/2, 1).

    frexp gives |f0| = m * 2**e with m in [1/2, 1) exactly, so floor(log2|f0|) = e - 1 and
    eta*|f0| = m. (The testbench's float log2 misjudges the floor for some values, e.g. just
    below a power of two.) f0 = 0 has no scale: p0 = 0 (eta = 1, grid step 1). |f0| < 2**-1024
    would need eta > 2**1023: p0 is clamped to P_MAX, and eta*|f0| < 1/2.
    """
    if f0 == 0.0:
        return 0
    e = math.frexp(abs(f0))[1]
    return min(-e, P_MAX)


def _power_of_two_exponent(name: str, value: Any) -> int:
    """p with value = 2**p exactly, P_MIN <= p <= P_MAX; errors name the argument."""
    q = check_positive(name, value)
    m, e = math.frexp(q)
    if m != 0.5 or not P_MIN <= e - 1 <= P_MAX:
        raise ValueError(f"{name} must be a power of two between 2**{P_MIN} and 2**{P_MAX} "
                         f"(the grids of this method are 2**p), got {value!r}")
    return e - 1


def quantized_acceptance(fun: Callable, x0: Any, propose: Callable, *, maxiter: int,
                         rng: Any = None, qp0: Any = None, kmax: int | None = None
                         ) -> OptimizeResult:
    r"""Minimize f by random search that accepts a candidate when its *quantized* value is no
    worse: the level-set quantization of Seok & Cho, with Qp doubling at each acceptance.

    Equations::

        f^Q(v)  = floor(Qp*v + 1/2) / Qp          v an objective value (quantopt.quantize)
        eta     = 2^-(floor(log2|f(x0)|) + 1)      so eta*|f(x0)| in [1/2, 1)  (qp0 overrides)
        Qp      = eta * 2^k,   k = acceptances so far (Qp_0 = eta: a grid step of about |f(x0)|)
        y_t     = propose(x_t, rng)
        accept  iff  f^Q(f(y_t)) <= f^Q(f(x_t))                     (both at the current Qp)
                iff  f(y_t) < f^Q(f(x_t)) + 1/(2 Qp),   a threshold in (f(x_t), f(x_t) + 1/Qp]
        accept: x_{t+1} = y_t,  k <- k + 1 (Qp doubles), f^Q(f(x_{t+1})) at the new Qp
        reject: x_{t+1} = x_t
        result: the best f on the accepted path (tracked apart from the current point)
        stop:   t = maxiter;  or 1/Qp <= ulp(f(x_t)) (status INERT);  or k = kmax (QP_LIMIT)

    Every candidate with f(y) <= f(x_t) is accepted; a worse one only below the threshold, so
    less than one grid step 1/Qp worse. Early on (coarse grid) the chain can thus climb out of a
    basin, and every acceptance halves that tolerance: there is no acceptance probability, the
    resolution plays the temperature. A rejected candidate has f(y) > f(x_t) (floor(Qp v + 1/2) is
    nondecreasing in v), so the best accepted point is the best point evaluated.

    Parameters
    ----------
    fun : callable
        f(x) -> float, x an array of shape (n,) (a copy: fun cannot change the run).
    x0 : array_like, shape (n,)
        The start; never modified. f(x0) must be finite with |f(x0)| < 2**1023.
    propose : callable
        propose(x, rng) -> y, shape (n,): a candidate near (or independent of) x, drawn with the
        numpy Generator rng. It is given a copy of x. See :func:`gaussian_proposal`,
        :func:`uniform_proposal`.
    maxiter : int >= 0
        The most candidates to evaluate (nfev <= maxiter + 1).
    rng : None, int, SeedSequence or numpy Generator
        The proposals' randomness (never numpy's global state); the rule itself is
        deterministic. None draws fresh OS entropy.
    qp0 : power of two, optional
        Qp_0 instead of eta (2**-1023 <= qp0 <= 2**1023). Powers of two keep f^Q exact in float64
        and make the INERT test below exact.
    kmax : int >= 0, optional
        Stop after kmax acceptances (status QP_LIMIT). The cap is never above the float64 limit
        Qp <= 2**1023, which is the default (the testbench's k < 1023 plays that role there).

    Returns
    -------
    OptimizeResult
        x, fun: the best point and f there; nit (candidates evaluated), nfev (calls of fun,
        nit + 1); success (True when the method's own rule stopped it: INERT or QP_LIMIT; False
        when maxiter ran out; neither certifies a global minimum), status (:class:`Status`),
        message; path (x0 then each accepted point, one row each), fun_path (f there), fq_path
        (f^Q there, at the Qp after that acceptance), qp_path (that Qp: eta * 2^j on row j),
        n_accepted (= k), accepted (bool per iteration), n_nonfinite (candidates with
        non-finite f, always rejected).

    Notes
    -----
    *Negative and zero f.* eta is set from |f(x0)|, so the first grid step is about |f(x0)|
    whatever the sign; rounding is half up on the signed value (for -1 < eta*f(x0) <= -1/2,
    f^Q(x0) is -1/eta, or 0 at the tie eta*f(x0) = -1/2). f(x0) = 0 gives no scale: eta = 1 (pass
    qp0 for another). The rule is therefore not invariant under f -> f + c: a start whose value is
    near 0 gets a fine first grid and little tolerance for uphill moves.

    *The cap (status INERT).* When 1/Qp <= ulp(|f(x_t)|) (both powers of two), f(x_t) is a grid
    point, so f^Q(f(x_t)) = f(x_t), and the next float above f(x_t) is at least ulp/2 >= 1/(2Qp)
    higher, so f(y) > f(x_t) gives f^Q(f(y)) > f(x_t): the test is exactly f(y) <= f(x_t), plain
    (non-strict) greedy descent. Quantization has stopped acting at the current level, and the run
    stops there. The test is sufficient, not necessary (at the previous Qp the rule may already
    have been exact). For |f(x_t)| < 2**-971, 0 included, ulp(f(x_t)) < 2**-1023 and this cannot
    happen before the float limit Qp = 2**1023 (status QP_LIMIT). Exactness: f^Q is computed
    exactly (a power-of-two grid) unless it overflows, i.e. for |f(y)| beyond about 2**1023,
    where it is compared as +-inf.

    *Versus the testbench* (qz_proc.py): the same rule and schedule; there eta comes from a float
    log2 (and f(x0) <= 0 fails), f^Q from floor(Qp*(v + 0.5/Qp)) in floats (not always the exact
    rounding), and the run stops at k = 1023 or the iteration limit.

    Examples
    --------
    f constant: every candidate ties, so each iteration accepts and Qp doubles, until 1/Qp is the
    spacing of floats at f = 1.0 (2**-52): eta = 2**-1, and 53 doublings later Qp = 2**52.

    >>> res = quantized_acceptance(lambda x: 1.0, [0.0], lambda x, rng: x, maxiter=100)
    >>> res.nit, res.n_accepted, res.status.name
    (53, 53, 'INERT')
    >>> float(res.qp_path[0]), float(res.qp_path[-1]) == 2.0**52
    (0.5, True)
    """
    f, x, draw, maxiter, gen = _setup(fun, x0, propose, maxiter, rng)
    p_given = None if qp0 is None else _power_of_two_exponent("qp0", qp0)
    kmax = None if kmax is None else check_int("kmax", kmax, 0)
    fx = _first_value(f, x)
    if abs(fx) >= 2.0**P_MAX:
        raise ValueError(f"|f(x0)| must be below 2**{P_MAX} (the first grid step is about "
                         f"|f(x0)|), got {fx!r}")
    p0 = _eta_exponent(fx) if p_given is None else p_given
    p_cap = P_MAX if kmax is None else min(P_MAX, p0 + kmax)

    p = p0                          # Qp = 2**p = eta * 2**k, k = p - p0
    qp = math.ldexp(1.0, p)
    fq = quantize(fx, qp)           # f^Q(current), at the current Qp
    path, fun_path, fq_path, qp_path = [x], [fx], [fq], [qp]
    accepted: list[bool] = []
    n_nonfinite = 0
    while True:
        if math.ldexp(1.0, -p) <= math.ulp(fx):
            status = Status.INERT
            break
        if p >= p_cap:
            status = Status.QP_LIMIT
            break
        if len(accepted) >= maxiter:
            status = Status.MAXITER
            break
        y = draw(x, gen)
        fy = f(y)
        if not math.isfinite(fy):
            n_nonfinite += 1
            accept = False
        else:
            accept = quantize(fy, qp) <= fq
        accepted.append(accept)
        if accept:
            x, fx = y, fy
            p += 1                  # k <- k + 1: Qp doubles
            qp = math.ldexp(1.0, p)
            fq = quantize(fx, qp)   # f^Q(current), re-expressed on the finer grid
            path.append(x)
            fun_path.append(fx)
            fq_path.append(fq)
            qp_path.append(qp)

    k = p - p0
    if kmax is not None and p0 + kmax <= P_MAX:
        why = f"kmax = {kmax}"
    else:
        why = f"2**{P_MAX} is the largest power of two in float64"
    message = MESSAGES[status].format(maxiter=maxiter, neg_p=-p, fx=fx, k=k, p=p, why=why)
    return _result(f, path, fun_path, accepted, status, message, n_nonfinite=n_nonfinite,
                   fq_path=np.array(fq_path), qp_path=np.array(qp_path))


# ---------------------------------------------------------------------------------------------
# Simulated annealing (the baseline, with the same proposals)
# ---------------------------------------------------------------------------------------------
def simulated_annealing(fun: Callable, x0: Any, propose: Callable, *, maxiter: int,
                        rng: Any = None, T0: float = 1000.0, cooling: float = 0.9995,
                        T_min: float = 1e-6) -> OptimizeResult:
    r"""Minimize f by simulated annealing: Metropolis acceptance, geometric cooling.

    Equations::

        T_t     = T0 * cooling^t           (T <- cooling*T after each iteration)
        y_t     = propose(x_t, rng)
        Delta_t = f(y_t) - f(x_t)
        accept  iff  u_t < exp(-Delta_t / T_t),   u_t ~ U[0, 1)    (always when Delta_t <= 0)
        accept: x_{t+1} = y_t;  reject: x_{t+1} = x_t
        result: the best f on the accepted path
        stop:   T_t < T_min (status FROZEN), or t = maxiter

    The acceptance probability is min(1, exp(-Delta/T)) (Metropolis et al. 1953; as an optimizer
    with a decreasing T, Kirkpatrick, Gelatt & Vecchi 1983). A rejected candidate has Delta > 0,
    so the best accepted point is the best point evaluated. Metropolis acceptance presumes a
    symmetric proposal, q(x -> y) = q(y -> x): :func:`gaussian_proposal` (reflected, not clipped)
    and :func:`uniform_proposal` are.

    Parameters
    ----------
    fun, x0, propose, maxiter
        As in :func:`quantized_acceptance`.
    rng : None, int, SeedSequence or numpy Generator
        The proposals are drawn from ``gen = numpy.random.default_rng(rng)`` exactly as in
        :func:`quantized_acceptance`, so that one seed gives both methods the same proposal
        stream (common random numbers: with proposals that ignore x, the same candidates). The
        acceptance uniforms u_t, one per iteration, come from the child ``gen.spawn(1)[0]``,
        which does not advance gen. Never numpy's global state.
    T0 : float > 0, default 1000
    cooling : float in (0, 1), default 0.9995
    T_min : float, 0 < T_min <= T0, default 1e-6
        The testbench's settings (sa_proc.py with its TSP runs: T0 = 1000, alpha = 0.9995, stop
        at T < 0.1/100000 = 1e-6: 41437 iterations; the testbench's counter, which starts at 1,
        reports 41438). They are kept as the defaults so that
        the baseline is the authors' one, but they are scale-dependent: T0 should be about the
        size of the increases of f to be climbed, and for a budget of maxiter iterations
        ``cooling = (T_min / T0) ** (1 / maxiter)`` spends it all on the way down. With f of order
        1-10 (the 1-D test functions), T0 = 1000 keeps T above the whole range of f for the first
        ~9000 iterations, so SA is a random walk there (the testbench's 1-D runs stopped at
        10000 iterations, T about 6.7).

    Returns
    -------
    OptimizeResult
        As :func:`quantized_acceptance` (x, fun, nit, nfev, success, status, message, path,
        fun_path, n_accepted, accepted, n_nonfinite), with T_path (the T_t of each iteration)
        and T (the temperature after the last one). success is True when T < T_min stopped it.

    Examples
    --------
    Every candidate is uphill by Delta = 1, at T = 1/ln 2 (cooling = 1 - 2**-53 keeps T
    fixed): each is accepted with probability exp(-Delta/T) = 1/2, and the best point stays x0.

    >>> import math
    >>> res = simulated_annealing(lambda x: x[0], [0.0], lambda x, rng: x + 1, maxiter=4000,
    ...                           rng=0, T0=1 / math.log(2), cooling=1 - 2.0**-53)
    >>> res.nit, res.n_accepted, float(res.path[-1][0]), float(res.x[0])
    (4000, 1971, 1971.0, 0.0)
    """
    f, x, draw, maxiter, gen = _setup(fun, x0, propose, maxiter, rng)
    T = check_positive("T0", T0)
    cooling = float(check_unit_interval("cooling", cooling, closed_left=False))
    T_min = check_positive("T_min", T_min)
    if T_min > T:
        raise ValueError(f"T_min must be <= T0, got T_min={T_min!r} > T0={T!r}")
    fx = _first_value(f, x)
    uniforms = gen.spawn(1)[0]      # acceptance draws: the proposals keep gen's stream

    path, fun_path, T_path = [x], [fx], []
    accepted: list[bool] = []
    n_nonfinite = 0
    while True:
        if T < T_min:
            status = Status.FROZEN
            break
        if len(accepted) >= maxiter:
            status = Status.MAXITER
            break
        y = draw(x, gen)
        fy = f(y)
        u = uniforms.random()
        delta = fy - fx
        if not math.isfinite(fy):
            n_nonfinite += 1
            accept = False
        else:
            accept = delta <= 0 or u < math.exp(-delta / T)
        accepted.append(accept)
        T_path.append(T)
        if accept:
            x, fx = y, fy
            path.append(x)
            fun_path.append(fx)
        T *= cooling

    message = MESSAGES[status].format(maxiter=maxiter, T=T, T_min=T_min)
    return _result(f, path, fun_path, accepted, status, message, n_nonfinite=n_nonfinite,
                   T_path=np.array(T_path), T=T)


# ---------------------------------------------------------------------------------------------
# Proposals for continuous problems
# ---------------------------------------------------------------------------------------------
def _bounds(bounds: Any) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) as read-only float64 arrays, from the box in one of the forms accepted
    everywhere in quantopt (``Problem.bounds``, scipy's ``dual_annealing``):

    * an array of shape (n, 2), row i = [low_i, high_i]  -> arrays of shape (n,);
    * a pair (low, high) of numbers, the same for every coordinate -> scalars;
    * an object with attributes ``lb`` and ``ub`` (``scipy.optimize.Bounds``).

    Finite, low < high in every row.
    """
    if hasattr(bounds, "lb") and hasattr(bounds, "ub"):
        pair = (bounds.lb, bounds.ub)
    else:
        try:
            box = np.array(bounds, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise TypeError("bounds must be an (n, 2) array of [low, high] rows, a pair "
                            f"(low, high) of numbers, or scipy.optimize.Bounds, got {bounds!r}"
                            ) from err
        if box.shape == (2,):
            pair = (box[0], box[1])
        elif box.ndim == 2 and box.shape[1] == 2 and box.shape[0] >= 1:
            pair = (box[:, 0], box[:, 1])
        else:
            raise ValueError("bounds must be an (n, 2) array of [low, high] rows or a pair "
                             f"(low, high), got shape {box.shape}")
    try:
        lower = np.array(pair[0], dtype=np.float64)
        upper = np.array(pair[1], dtype=np.float64)
        lower, upper = np.broadcast_arrays(lower, upper)
    except (TypeError, ValueError) as err:
        raise TypeError(f"bounds.lb and bounds.ub must be numbers or arrays of one shape, got "
                        f"{bounds!r}") from err
    lower, upper = lower.copy(), upper.copy()
    if lower.ndim > 1:
        raise ValueError(f"bounds: lb and ub must be scalars or 1-D, got shape {lower.shape}")
    if not (np.all(np.isfinite(lower)) and np.all(np.isfinite(upper))):
        raise ValueError("bounds must be finite")
    if not np.all(lower < upper):
        raise ValueError(f"bounds: every low must be < high, got low {lower} and high {upper}")
    lower.flags.writeable = upper.flags.writeable = False
    return lower, upper


def _check_shape(x: np.ndarray, lower: np.ndarray) -> None:
    if lower.ndim == 1 and np.shape(x) != lower.shape:
        raise ValueError(f"bounds has {lower.size} rows but x has shape {np.shape(x)}")


def _reflect(y: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Fold y into [lower, upper] by reflection at the walls, as often as needed.

    With L = upper - lower and t = (y - lower) mod 2L in [0, 2L): y' = lower + t for t <= L,
    lower + 2L - t otherwise (the triangle wave). Entries already inside are returned as they
    are (the formula would round them); the clip only removes rounding (lower + t may round
    just above upper).
    """
    width = upper - lower
    t = np.mod(y - lower, 2 * width)
    folded = np.clip(lower + np.where(t > width, 2 * width - t, t), lower, upper)
    return np.where((y >= lower) & (y <= upper), y, folded)


def gaussian_proposal(sigma: Any, bounds: Any = None) -> Callable:
    r"""A Gaussian random walk: propose(x, rng) -> x + sigma*z, z ~ N(0, I), reflected into bounds.

    Equations::

        y = x + sigma * z,   z ~ N(0, I_n)              (sigma a scalar or one per coordinate)
        y <- reflect(y) into [lower, upper]:  t = (y - lower) mod 2L,  L = upper - lower,
             y = lower + t  if t <= L  else  lower + 2L - t

    Reflected rather than clipped: the reflected walk's kernel is symmetric, q(x -> y) =
    q(y -> x) (method of images), as Metropolis acceptance presumes, and it puts no probability
    mass on the walls; clipping would pile candidates on the boundary.

    Parameters
    ----------
    sigma : float > 0 or array of shape (n,)
        The step's standard deviation.
    bounds : array of shape (n, 2), pair (low, high) or scipy.optimize.Bounds, optional
        The box: rows [low_i, high_i] as ``Problem.bounds`` and scipy's ``dual_annealing``
        (``problems.rastrigin(2).bounds`` works as it is), or one (low, high) for every
        coordinate; finite, low < high.

    Returns
    -------
    propose(x, rng) -> y, a new array (x is not modified); rng a numpy Generator, from which it
    draws n standard normals (``rng.standard_normal(x.shape)``).
    """
    s = np.array(sigma, dtype=np.float64) if not isinstance(sigma, (bool, np.bool_)) else None
    if s is None or s.ndim > 1 or not np.all(np.isfinite(s)) or not np.all(s > 0):
        raise ValueError(f"sigma must be a positive finite number or 1-D array, got {sigma!r}")
    s.flags.writeable = False
    box = None if bounds is None else _bounds(bounds)

    def propose(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if box is not None:
            _check_shape(x, box[0])
        y = x + s * rng.standard_normal(np.shape(x))
        return y if box is None else _reflect(y, *box)

    return propose


def uniform_proposal(bounds: Any) -> Callable:
    r"""Blind random search: propose(x, rng) -> a uniform draw from the whole box, ignoring x.

    Equations::

        y_i ~ U[lower_i, upper_i)   independently, i = 1..n     (x is not used)

    The testbench's candidate for its 1-D functions (``random.uniform(-6, 6)`` in
    tsp_operation_proc.py). Since y does not depend on x, any acceptance rule that keeps the best
    evaluated point returns the best of the same draws (see the module docstring).

    Parameters
    ----------
    bounds : array of shape (n, 2), pair (low, high) or scipy.optimize.Bounds
        The box, in the forms of :func:`gaussian_proposal`.

    Returns
    -------
    propose(x, rng) -> y, a new array of x's shape; it draws ``rng.uniform(lower, upper, x.shape)``
    (numpy's uniform is [lower, upper) up to rounding, which may give upper itself).
    """
    lower, upper = _bounds(bounds)

    def propose(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        _check_shape(x, lower)
        return rng.uniform(lower, upper, np.shape(x))

    return propose
