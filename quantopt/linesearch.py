r"""Line searches: Armijo backtracking (in floating point and on the grid (1/qp)ℤⁿ) and Wolfe.

Sources: Nocedal & Wright, *Numerical Optimization* (2nd ed.), Algorithm 3.1 (backtracking line
search with the sufficient-decrease condition); Moré & Thuente, ACM TOMS 20(3), 1994 (the
strong Wolfe search dcsrch/dcstep of MINPACK-2, used by L-BFGS-B); the note "Quantized
Optimization" (seed 001) for the quantized update x_{t+1}^Q = (x_t^Q − λh)^Q.

The Armijo searches try the steps α_j = α₀·shrink^j, j = 0, 1, …, maxls − 1, and accept the
first trial point that decreases f sufficiently. Backtracking alone does not make yᵀs > 0, which
BFGS and L-BFGS need to update (they skip the update otherwise); the Wolfe search also enforces
the curvature condition, and may lengthen the step. All searches return a
:class:`LineSearchResult` whose ``status`` says why they stopped; they never raise for a failed
search.
"""
from __future__ import annotations

import math
from enum import IntEnum
from typing import Callable, NamedTuple

import numpy as np

from ._checks import check_int, check_nonnegative, check_positive, check_real, returned_real
from .grid import as_grid


class Status(IntEnum):
    """Why a line search (or the grid poll) stopped; one meaning each (see ``MESSAGES``)."""

    ACCEPTED = 0        #: a step along p satisfied the search's conditions
    MAX_TRIALS = 1      #: maxls trials along p, none acceptable
    NOT_DESCENT = 2     #: grad·p >= 0: no search was made
    STEP_QUANTIZED_TO_ZERO = 3  #: even the first trial step rounds to zero on the grid
    ROUNDING = 4        #: Wolfe: no float left inside the bracket
    XTOL = 5            #: Wolfe: the bracket is narrower than xtol
    STPMAX = 6          #: Wolfe: f still decreasing at the largest step
    POLLED = 7          #: grid: no step along p accepted; a neighbour with lower f was taken
    GRID_LOCAL_MIN = 8  #: grid: no step along p accepted and no polled neighbour has lower f
    NOT_POLLED = 9      #: grid: no step along p accepted; the neighbours were not polled


ACCEPTED, MAX_TRIALS, NOT_DESCENT, STEP_QUANTIZED_TO_ZERO = (
    Status.ACCEPTED, Status.MAX_TRIALS, Status.NOT_DESCENT, Status.STEP_QUANTIZED_TO_ZERO)
ROUNDING, XTOL, STPMAX = Status.ROUNDING, Status.XTOL, Status.STPMAX
POLLED, GRID_LOCAL_MIN, NOT_POLLED = Status.POLLED, Status.GRID_LOCAL_MIN, Status.NOT_POLLED

MESSAGES = {
    ACCEPTED: "step accepted",
    MAX_TRIALS: "no step satisfied the line-search conditions within maxls trials",
    NOT_DESCENT: "the direction is not a descent direction (grad·p >= 0)",
    STEP_QUANTIZED_TO_ZERO: "every trial step rounded to zero on the grid",
    ROUNDING: "rounding errors prevent progress: the Wolfe bracket holds no float between its ends",
    XTOL: "the Wolfe bracket is narrower than xtol (relative) and holds no acceptable step",
    STPMAX: "the step reached stpmax with f still decreasing: f may be unbounded below along p",
    POLLED: "no step along p satisfied the Armijo condition on the grid; a grid neighbour with "
            "lower f was taken",
    GRID_LOCAL_MIN: "no step along p satisfied the Armijo condition on the grid, and no polled "
                    "grid neighbour has lower f (a grid-local minimum)",
    NOT_POLLED: "no trial point along p on the grid satisfied the Armijo condition, down to the "
                "smallest step that moves a coordinate by one grid unit; the grid neighbours "
                "were not polled (poll=None)",
}

#: polls: the 2n coordinate neighbours x ± e_i/qp, or all 3^n - 1 points of the surrounding box
POLLS = ("coordinates", "full", None)
#: the largest n for poll="full" (3^10 - 1 = 59048 neighbours)
FULL_POLL_MAX_N = 10


class LineSearchResult(NamedTuple):
    """Outcome of a line search.

    alpha : the accepted step (0.0 if none). x, fx : the accepted point and f there (the start
    point and f(start) if none). codes : the accepted point's integer codes (quantized search
    only, else None). nfev : calls of f made. ntrials : trial steps tried. status : one of
    ACCEPTED, MAX_TRIALS, NOT_DESCENT, STEP_QUANTIZED_TO_ZERO, ROUNDING, XTOL, STPMAX (see
    ``MESSAGES``).

    The Wolfe searches (:func:`wolfe`, :func:`wolfe_zoom`) report their best point on failure:
    when status is not ACCEPTED, alpha, x, fx and g are those of the trial with the lowest f
    (the first such trial on ties) among the trials where f and ∇f are finite, if that f is
    below f(start); otherwise the start's, with alpha = 0.0. So alpha == 0.0 exactly when no
    trial decreased f. The status stays the failure code: the caller decides whether to take
    that point (it satisfies neither Wolfe condition necessarily, only f < f(start)).
    """

    alpha: float
    x: np.ndarray
    fx: float
    codes: np.ndarray | None
    nfev: int
    ntrials: int
    status: int
    g: np.ndarray | None = None  # the gradient at x (Wolfe search only)
    njev: int = 0


def _open_unit(name: str, value) -> float:
    """A real number in (0, 1) (c1, c2, shrink), as a float; errors name it."""
    value = check_real(name, value)
    if not 0 < value < 1:
        raise ValueError(f"{name} must be in (0, 1), got {value!r}")
    return value


def _check_params(c1: float, shrink: float | None, maxls: int) -> tuple:
    """c1 in (0, 1), shrink in (0, 1) (None: a search that does not backtrack), maxls >= 1;
    returned checked (floats and an int). TypeError for a non-number, ValueError out of range,
    each naming the parameter."""
    c1 = _open_unit("c1", c1)
    shrink = None if shrink is None else _open_unit("shrink", shrink)
    return c1, shrink, check_int("maxls", maxls, 1)


def _value(f) -> float:
    """What fun returned: a real scalar (TypeError naming fun otherwise), as a float. A Python
    float (what the driver's wrapped fun returns) passes unchecked."""
    if type(f) is float:
        return f
    return float(returned_real("fun", f, ()))


def _gradient(g, shape: tuple) -> np.ndarray:
    """What jac returned: real numbers of x's shape (TypeError or ValueError naming jac)."""
    if type(g) is np.ndarray and g.dtype == np.float64 and g.shape == shape:
        return g
    return returned_real("jac", g, shape)


def _check_alpha0(alpha0) -> float:
    return check_positive("alpha0", alpha0)


def armijo(fun: Callable[[np.ndarray], float], x: np.ndarray, fx: float, g: np.ndarray,
           p: np.ndarray, *, alpha0: float = 1.0, c1: float = 1e-4, shrink: float = 0.5,
           maxls: int = 30) -> LineSearchResult:
    r"""Backtracking line search with the Armijo (sufficient decrease) condition.

    .. math:: f(x + \alpha p) \le f(x) + c_1 \alpha \nabla f(x)^\top p,
              \qquad \alpha \in \{\alpha_0, \alpha_0 s, \alpha_0 s^2, \dots\}

    Equations::

        slope   = grad f(x) . p                     (must be < 0: p a descent direction)
        alpha_j = alpha0 * shrink**j,  j = 0 .. maxls-1
        accept the first j with  f(x + alpha_j p) <= f(x) + c1 * alpha_j * slope

    A trial where f is nan or inf counts as not accepted (the search backs off from it).

    Parameters
    ----------
    fun : callable, f(x) -> float
    x, fx, g : the current point, f(x) and ∇f(x) (not modified)
    p : search direction
    alpha0 : first trial step (the driver passes the option ``lr``)
    c1 : sufficient-decrease constant in (0, 1)
    shrink : backtracking factor in (0, 1)
    maxls : maximum number of trial steps

    Source: Nocedal & Wright, Algorithm 3.1.
    """
    c1, shrink, maxls = _check_params(c1, _open_unit("shrink", shrink), maxls)
    alpha0 = _check_alpha0(alpha0)
    slope = float(np.dot(g, p))
    if not slope < 0:
        return LineSearchResult(0.0, x, fx, None, 0, 0, NOT_DESCENT)
    for j in range(maxls):
        alpha = alpha0 * shrink**j
        with np.errstate(over="ignore", invalid="ignore"):  # an inf trial: f is inf or nan,
            x_new = x + alpha * p                           # not accepted
        f_new = _value(fun(x_new))
        if np.isfinite(f_new) and f_new <= fx + c1 * alpha * slope:
            return LineSearchResult(alpha, x_new, f_new, None, j + 1, j + 1, ACCEPTED)
    return LineSearchResult(0.0, x, fx, None, maxls, maxls, MAX_TRIALS)


def quantized_armijo(fun: Callable[[np.ndarray], float], codes: np.ndarray, grid, fx: float,
                     g: np.ndarray, p: np.ndarray, *, alpha0: float = 1.0, c1: float = 1e-4,
                     shrink: float = 0.5, maxls: int = 30,
                     poll: str | None = "coordinates") -> LineSearchResult:
    r"""Armijo backtracking on the grid (1/qp)ℤⁿ, then a poll of the grid neighbours.

    The iterate is held as integer codes k (x = k/qp). Each trial step is quantized,
    d_j = (α_j p)^Q, i.e. its codes are ``grid.step_codes(alpha_j * p)``, and the trial point
    k + d_j is exactly on the grid. The Armijo test is made at that quantized point, with the
    step actually taken, δ_j = d_j/qp:

    .. math:: f(x + \delta_j) \le f(x) + c_1 \nabla f(x)^\top \delta_j,\qquad
              \nabla f(x)^\top \delta_j < 0,\qquad \delta_j = (\alpha_j p)^Q

    Equations::

        x       = k / qp                                   (k: int64 codes)
        d_j     = (alpha0 * shrink**j * p)^Q * qp           j = 0 .. maxls-1, until d_j = 0
        u       = sign(p_i) on the i with the largest |p_i|, 0 elsewhere
                                                           (the smallest step that moves: the
                                                           limit of d_j just before it is 0)
        trials  = the distinct d_j != 0, then u (if some d_j != 0 and u is new)
        accept the first trial with  s < 0  and  f((k + d)/qp) <= f(x) + c1 s,
                                     s = (grad.d)/qp  (= grad.delta, delta = d/qp)
        none accepted -> poll the grid neighbours k + e (see poll_neighbours):
                         POLLED with the first one that has lower f, else GRID_LOCAL_MIN;
                         with poll=None: NOT_POLLED

    Every distinct grid point is evaluated at most once (halving α can give the same rounded
    step twice, and a neighbour may already be a trial): nfev counts evaluations. Trials whose
    quantized step is not a descent step for the linear model (grad·δ >= 0, possible when
    rounding removes components) are skipped without an evaluation. If even the first trial
    rounds to zero, the search makes no trial and goes to the poll (a step smaller than one grid
    unit along p does not exist; the poll tries the unit steps e_i). Once every component of
    α_j p rounds to 0, smaller steps round to 0 too (rounding is monotone), so that is where the
    sequence ends.

    Why quantize the step rather than choose λ with λh = (λh)^Q, as the note proposes: for a
    vector h the admissible λ form the lattice λ_min·ℤ, which is empty of useful points
    unless all ratios h_i/h_j are rational with small denominators (for h = (1, 0.1) in float64
    and qp = 100, λ_min = 2⁵⁵/100; CLAIMS.md, U2). Quantizing the step keeps the note's
    conclusion x_{t+1}^Q = x_t^Q − (λh)^Q exact (U3, U4) for any h.

    Why the poll: a failed search along p says nothing about the other grid points next to x;
    generalized pattern search (Torczon 1997; Audet & Dennis 2006) polls them, so that a run
    ends only where no neighbour is lower, which is then certified (status GRID_LOCAL_MIN).

    Parameters
    ----------
    fun : callable, f(x) -> float
    codes : int64 array, the current iterate's codes (not modified)
    grid : :class:`quantopt.grid.Grid` or its qp (see :func:`quantopt.quantize`)
    fx, g : f and ∇f at x = codes/qp
    p, alpha0, c1, shrink, maxls : as in :func:`armijo`
    poll : "coordinates" (the 2n points x ± e_i/qp, default), "full" (all 3^n − 1 points of
        the box, n <= FULL_POLL_MAX_N) or None (no poll)

    Returns
    -------
    LineSearchResult with ``codes`` the codes of the new point (the start's if none), alpha the
    accepted α (0.0 for a polled neighbour or none), and status ACCEPTED, POLLED,
    GRID_LOCAL_MIN, NOT_POLLED, or NOT_DESCENT (grad·p >= 0: nothing evaluated).

    A trial whose step α_j p overflows, or whose point k + d_j lies beyond the grid's code
    bound (``Grid.CODE_BOUND``), counts as not accepted, as a trial with f = inf does in
    :func:`armijo`: the search backs off from it (no evaluation).
    """
    c1, shrink, maxls = _check_params(c1, _open_unit("shrink", shrink), maxls)
    alpha0 = _check_alpha0(alpha0)
    grid = as_grid(grid)
    poll = check_poll(poll, codes.size)
    if not float(np.dot(g, p)) < 0:
        return LineSearchResult(0.0, grid.values(codes), fx, codes, 0, 0, NOT_DESCENT)
    seen: dict = {}  # f at evaluated trials that are also grid neighbours (see _neighbour_key)
    nfev = ntrials = 0
    last = None  # the previous trial step: rounding is monotone in alpha, so a repeated step
    #              can only repeat the one just before it

    def attempt(d: np.ndarray, alpha: float) -> LineSearchResult | None:
        nonlocal nfev, ntrials, last
        if last is not None and np.array_equal(d, last):
            return None
        last = d
        ntrials += 1
        slope = float(np.dot(g, d)) / grid.qp_float  # grad . delta, delta = d/qp
        if not slope < 0:
            return None
        try:
            trial = grid.add(codes, d)
        except OverflowError:  # beyond the grid's exact range: not accepted, as f = inf would be
            return None
        x_new = grid.values(trial)  # the trial's one conversion
        f_new = _value(fun(x_new))
        nfev += 1
        if (key := _neighbour_key(d)) is not None:
            seen[key] = f_new
        if math.isfinite(f_new) and f_new <= fx + c1 * slope:
            return LineSearchResult(alpha, x_new, f_new, trial, nfev, ntrials, ACCEPTED)
        return None

    for j in range(maxls):
        alpha = alpha0 * shrink**j
        with np.errstate(over="ignore"):  # a non-finite step raises OverflowError below
            step = alpha * p
        try:
            d = grid.step_codes(step)
        except OverflowError:  # alpha p overflowed, or its codes exceed int64: a smaller alpha
            continue
        if not d.any():
            break
        if (res := attempt(d, alpha)) is not None:
            return res
    if last is not None:
        big = np.abs(p) == np.max(np.abs(p))
        unit = np.where(big, np.sign(p), 0).astype(np.int64)
        if (res := attempt(unit, 0.0)) is not None:
            return res
    if poll is None:
        return LineSearchResult(0.0, grid.values(codes), fx, codes, nfev, ntrials, NOT_POLLED)
    return poll_neighbours(fun, codes, grid, fx, g, mode=poll, seen=seen, nfev=nfev,
                           ntrials=ntrials)


def _neighbour_key(e: np.ndarray):
    """A key for a code offset e that the poll may try (its entries in {-1, 0, 1}): e itself
    as a tuple for small n (the "full" poll's offsets), else (i, s) for e = s e_i; None for an
    offset the poll never tries. Keys are O(1) in size, whatever n."""
    if e.size <= FULL_POLL_MAX_N:
        return tuple(e.tolist()) if np.abs(e).max() <= 1 else None
    nonzero = np.flatnonzero(e)
    if nonzero.size == 1 and abs(int(e[nonzero[0]])) == 1:
        return int(nonzero[0]), int(e[nonzero[0]])
    return None


def check_poll(poll, n: int) -> str | None:
    """poll as one of POLLS; "full" only for n <= FULL_POLL_MAX_N (ValueError naming poll)."""
    if not (poll is None or isinstance(poll, str)) or poll not in POLLS:
        raise ValueError(f"poll must be 'coordinates', 'full' or None, got {poll!r}")
    if poll == "full" and n > FULL_POLL_MAX_N:
        raise ValueError(f"poll='full' evaluates 3^n - 1 neighbours; it is for n <= "
                         f"{FULL_POLL_MAX_N}, got n = {n}: use poll='coordinates'")
    return poll


def neighbour_offsets(g: np.ndarray, mode: str):
    """The poll's code offsets, as (index, sign) pairs or rows, in the order they are tried.

    "coordinates": (i, s) for e = s e_i, i in order of decreasing |g_i| (ties: lower i first),
    s = -sign(g_i) first (+1 first where g_i = 0); a generator, so that n large costs nothing
    before the first evaluation. "full": every e in {-1, 0, 1}^n other than 0, as rows of an
    int64 array, in order of increasing predicted change g·e (ties: lexicographic order of e).
    """
    n = g.size
    if mode == "coordinates":
        def pairs():
            for i in np.argsort(-np.abs(g), kind="stable").tolist():
                first = -1 if g[i] > 0 else 1
                yield i, first
                yield i, -first
        return pairs()
    box = np.array(np.meshgrid(*[[-1, 0, 1]] * n, indexing="ij")).reshape(n, -1).T
    box = box[np.any(box != 0, axis=1)].astype(np.int64)
    return box[np.argsort(box @ g, kind="stable")]


def poll_neighbours(fun: Callable[[np.ndarray], float], codes: np.ndarray, grid, fx: float,
                    g: np.ndarray, *, mode: str = "coordinates", seen: dict | None = None,
                    nfev: int = 0, ntrials: int = 0) -> LineSearchResult:
    r"""Poll the grid neighbours of x = codes/qp: take the first with f lower than f(x).

    Equations::

        neighbours  x + e/qp,  e in E (neighbour_offsets: the order they are tried)
            "coordinates":  E = {±e_i},  i by decreasing |grad_i|, -sign(grad_i) first
            "full":         E = {-1, 0, 1}^n minus 0, by increasing grad.e
        POLLED          at the first e with  f(x + e/qp) < f(x)  (simple decrease)
        GRID_LOCAL_MIN  if f(x + e/qp) >= f(x) (or is nan) for every e in E: then x is a
                        minimum of f over x + E/qp, a certificate checked on every point

    This is the poll step of generalized pattern search (Torczon, SIAM J. Optim. 7(1), 1997;
    Audet & Dennis, SIAM J. Optim. 17(1), 2006) on the mesh (1/qp)ℤⁿ, with the opportunistic
    order of the gradient's prediction. ``seen`` maps the keys of offsets already evaluated
    (by :func:`quantized_armijo`'s trials) to f there, so no point is evaluated twice; ``nfev``
    and ``ntrials`` continue the caller's counts. Cost: up to 2n (or 3^n - 1) evaluations of f,
    each of O(n), at a certified point: the poll is for moderate n.
    """
    grid = as_grid(grid)
    seen = {} if seen is None else seen
    n = codes.size
    for e in neighbour_offsets(np.asarray(g, dtype=np.float64), mode):
        if mode == "full":
            k, key = grid.add(codes, e), tuple(e.tolist())
        else:  # e = (i, s): change one code, without an offset vector of size n
            i, sign = e
            k = codes.copy()
            k[i] += sign
            if abs(int(k[i])) > grid.CODE_BOUND:
                raise OverflowError(f"a grid neighbour's code exceeds {grid.CODE_BOUND} on the "
                                    f"grid 1/{grid.qp}")
            key = e if n > FULL_POLL_MAX_N else tuple(sign if j == i else 0 for j in range(n))
        if key in seen:
            f_k = seen[key]
        else:
            f_k = seen[key] = _value(fun(grid.values(k)))
            nfev += 1
        if f_k < fx:
            return LineSearchResult(0.0, grid.values(k), f_k, k, nfev, ntrials, POLLED)
    return LineSearchResult(0.0, grid.values(codes), fx, codes, nfev, ntrials, GRID_LOCAL_MIN)


#: Moré-Thuente constants (those of MINPACK-2's dcsrch, as used by L-BFGS-B)
_XTOL = 0.1  # relative width of the bracket below which the search gives up (XTOL)
_XTRAPL, _XTRAPU = 1.1, 4.0  # an unbracketed trial moves to [stp + 1.1 (stp - stx), stp + 4 ...]
_STPMAX = 1e10  # largest step (L-BFGS-B's stpmax without bounds)


def _dcstep(stx: float, fx: float, dx: float, sty: float, fy: float, dy: float, stp: float,
            fp: float, dp: float, brackt: bool, stpmin: float, stpmax: float):
    r"""One safeguarded step of Moré & Thuente (1994), section 4 (MINPACK-2's dcstep).

    stx is the best step so far (f, slope fx, dx), sty the other end of the interval (fy, dy),
    stp the current trial (fp, dp); dx (stp - stx) < 0. Returns the updated
    (stx, fx, dx, sty, fy, dy), the next trial step and brackt.

    Equations::

        cubic step  c(a, fa, da, b, fb, db) = a + r (b - a),  minimizer of the cubic with values
                    fa, fb and slopes da, db at a, b:
                    theta = 3 (fa - fb)/(b - a) + da + db,
                    gamma = sign(b - a) sqrt(theta^2 - da db),
                    r = (gamma - da + theta) / (2 gamma - da + db)
        quadratic   q = a + (da / ((fa - fb)/(b - a) + da)) / 2 * (b - a)   (fa, da, fb)
        secant      s = b + db / (db - da) * (a - b)                         (da, db)
        case 1  fp > fx:                      brackt; c = c(stx, stp), q = q(stx, stp):
                                              c if |c - stx| <= |q - stx| else (c + q)/2
        case 2  dp dx < 0:                    brackt; c = c(stp, stx) (rooted at stp),
                                              s = s(stx, stp): c if |c - stp| > |s - stp| else s
        case 3  |dp| < |dx| (same sign):      c = the cubic's step when it tends to infinity in
                                              the direction of the step, else stpmax/stpmin;
                                              bracketed: the one nearer stp, at most
                                              stp + 0.66 (sty - stp); else the farther, in
                                              [stpmin, stpmax]
        case 4  |dp| >= |dx| (same sign):     bracketed: c(stp, sty); else stpmax or stpmin
        interval: fp > fx -> sty = stp; else (dp dx < 0 -> sty = stx), stx = stp
    """
    stx, fx, dx, sty, fy, dy, stp, fp, dp = (np.float64(v) for v in
                                             (stx, fx, dx, sty, fy, dy, stp, fp, dp))
    opposite = (dp < 0 < dx) or (dx < 0 < dp)  # sign(dp) sign(dx) < 0
    if fp > fx:  # case 1: higher value, the minimum is bracketed
        theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp
        s = max(abs(theta), abs(dx), abs(dp))
        gamma = s * np.sqrt((theta / s) ** 2 - (dx / s) * (dp / s))
        if stp < stx:
            gamma = -gamma
        p = (gamma - dx) + theta
        q = ((gamma - dx) + gamma) + dp
        stpc = stx + p / q * (stp - stx)
        stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx)
        stpf = stpc if abs(stpc - stx) <= abs(stpq - stx) else stpc + (stpq - stpc) / 2.0
        brackt = True
    elif opposite:  # case 2: lower value, slopes of opposite sign: bracketed
        theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp
        s = max(abs(theta), abs(dx), abs(dp))
        gamma = s * np.sqrt((theta / s) ** 2 - (dx / s) * (dp / s))
        if stp > stx:
            gamma = -gamma
        p = (gamma - dp) + theta
        q = ((gamma - dp) + gamma) + dx
        stpc = stp + p / q * (stx - stp)
        stpq = stp + (dp / (dp - dx)) * (stx - stp)
        stpf = stpc if abs(stpc - stp) > abs(stpq - stp) else stpq
        brackt = True
    elif abs(dp) < abs(dx):  # case 3: lower value, same sign, the slope decreases in size
        theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp
        s = max(abs(theta), abs(dx), abs(dp))
        gamma = s * np.sqrt(max(0.0, (theta / s) ** 2 - (dx / s) * (dp / s)))
        if stp > stx:
            gamma = -gamma
        p = (gamma - dp) + theta
        q = (gamma + (dx - dp)) + gamma
        r = p / q
        if r < 0 and gamma != 0:
            stpc = stp + r * (stx - stp)
        elif stp > stx:
            stpc = stpmax
        else:
            stpc = stpmin
        stpq = stp + (dp / (dp - dx)) * (stx - stp)
        if brackt:
            stpf = stpc if abs(stpc - stp) < abs(stpq - stp) else stpq
            if stp > stx:
                stpf = min(stp + 0.66 * (sty - stp), stpf)
            else:
                stpf = max(stp + 0.66 * (sty - stp), stpf)
        else:
            stpf = stpc if abs(stpc - stp) > abs(stpq - stp) else stpq
            stpf = min(max(stpf, stpmin), stpmax)
    else:  # case 4: lower value, same sign, the slope does not decrease in size
        if brackt:
            theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp
            s = max(abs(theta), abs(dy), abs(dp))
            gamma = s * np.sqrt((theta / s) ** 2 - (dy / s) * (dp / s))
            if stp > sty:
                gamma = -gamma
            p = (gamma - dp) + theta
            q = ((gamma - dp) + gamma) + dy
            stpf = stp + p / q * (sty - stp)
        elif stp > stx:
            stpf = stpmax
        else:
            stpf = stpmin
    stpf = float(stpf)
    if fp > fx:
        sty, fy, dy = stp, fp, dp
    else:
        if opposite:
            sty, fy, dy = stx, fx, dx
        stx, fx, dx = stp, fp, dp
    return float(stx), float(fx), float(dx), float(sty), float(fy), float(dy), stpf, brackt


def wolfe(fun: Callable[[np.ndarray], float], jac: Callable[[np.ndarray], np.ndarray],
          x: np.ndarray, fx: float, g: np.ndarray, p: np.ndarray, *, alpha0: float = 1.0,
          c1: float = 1e-4, c2: float = 0.9, maxls: int = 30, xtol: float = _XTOL,
          stpmax: float | None = None) -> LineSearchResult:
    r"""Line search for the strong Wolfe conditions: Moré & Thuente's algorithm (dcsrch).

    With φ(α) = f(x + αp), find α with

    .. math:: \varphi(\alpha) \le \varphi(0) + c_1 \alpha \varphi'(0), \qquad
              |\varphi'(\alpha)| \le c_2 |\varphi'(0)|, \qquad 0 < c_1 < c_2 < 1.

    Equations::

        phi(a) = f(x + a p),  dphi(a) = grad f(x + a p) . p,  dphi(0) < 0
        psi(a) = phi(a) - phi(0) - c1 a dphi(0)          (the auxiliary function)
        stx = sty = 0 (interval ends), stp = alpha0, stage 1, not bracketed,
        [stmin, stmax] = [0, 5 alpha0]; at every trial stp (f and grad evaluated together):
          accept stp if phi(stp) <= phi(0) + c1 stp dphi(0) and |dphi(stp)| <= c2 |dphi(0)|
          stage 2 from the first stp with psi(stp) <= 0 and dphi(stp) >= 0
          in stage 1 while psi(stp) > 0 >= phi(stp) - phi(stx) (lower phi, not enough
          decrease): stp_next = dcstep on psi and psi' (values and slopes of psi),
          else dcstep on phi and dphi; dcstep (see _dcstep) updates [stx, sty] and proposes
          the next step by cubic, quadratic or secant interpolation
          bracketed: if |sty - stx| >= 0.66 * (width two trials ago): bisect instead;
                     [stmin, stmax] = [min, max](stx, sty)
          else:      [stmin, stmax] = [stp + 1.1 (stp - stx), stp + 4 (stp - stx)]
          stp_next clipped to [0, stpmax]          (stpmax: max(1e10, alpha0) by default)
          stop with ROUNDING if stp_next is not finite or, bracketed, not strictly inside
          (stmin, stmax),
          with XTOL if bracketed and stmax - stmin <= xtol stmax, with STPMAX if
          stp = stpmax and still psi(stp) <= 0, dphi(stp) <= c1 dphi(0)
        a trial where phi or dphi is not finite: stp_next = stx + (stp - stx)/2, and every
        later trial stays below that stp (bisection towards it)
        on any failure: report the trial with the lowest phi (phi and dphi finite) if
        phi there < phi(0), else the start (alpha = 0)

    With the defaults this is the search of L-BFGS-B with the same constants (ftol = c1,
    gtol = c2, xtol = 0.1, stpmin = 0, stpmax = 1e10), so with the same starting steps the
    driver's L-BFGS takes the same steps as L-BFGS-B. scipy's BFGS runs the same dcsrch with
    xtol = 1e-14, stpmin = 1e-100, stpmax = 1e100 and at most 100 trials (its
    ``line_search_wolfe1``): ``xtol=1e-14, stpmax=1e100, maxls=100`` give the same trials (stpmin
    = 0 here; it differs from 1e-100 only where a trial step would fall below 1e-100).
    Differences from dcsrch: dcsrch tests for ROUNDING and XTOL after evaluating f and ∇f at
    the next step (and still converges if that step is acceptable); this search stops before
    that evaluation, one trial earlier. Where dcsrch ends with a warning, L-BFGS-B takes the
    last trial point; this search instead returns the failure status with its best point (see
    below), as only strong Wolfe steps are accepted. Non-finite trials are backed off from
    (dcsrch assumes finite values). The strong Wolfe conditions give
    yᵀs = (∇f(x+αp) − ∇f(x))ᵀ αp >= (c2 − 1) α φ'(0) > 0,
    so a BFGS or L-BFGS update after such a step is never skipped.

    Parameters
    ----------
    fun, jac : f(x) -> float and ∇f(x) -> array, called together at every trial point
    x, fx, g : current point, f(x), ∇f(x) (not modified)
    p : a descent direction
    alpha0 : first trial step; c1, c2 : the Wolfe constants, 0 < c1 < c2 < 1
    maxls : maximum number of trial points (calls of f, and of jac)
    xtol : relative bracket width (>= 0) below which the search stops with XTOL
    stpmax : largest step, >= alpha0 (None: max(1e10, alpha0), L-BFGS-B's 1e10 without bounds)

    Returns
    -------
    LineSearchResult with ``g`` the gradient at the returned point, and ``njev`` the calls of
    jac (= nfev). On failure (status ROUNDING, XTOL, STPMAX or MAX_TRIALS) alpha, x, fx, g are
    those of the trial with the lowest f among the trials where f and the slope were finite,
    if that f is below fx (the first such trial on ties); else the start's, and alpha is 0.0.
    No extra evaluation is made for that point. NOT_DESCENT: the start, nothing evaluated.

    Source: J. J. Moré, D. J. Thuente, "Line search algorithms with guaranteed sufficient
    decrease", ACM Trans. Math. Software 20(3), 286-307, 1994 (MINPACK-2 dcsrch, dcstep).
    """
    c1, _, maxls = _check_params(c1, None, maxls)
    c2 = check_real("c2", c2)
    if not c1 < c2 < 1:
        raise ValueError(f"c2 must be in (c1, 1) = ({c1}, 1), got {c2!r}")
    alpha0 = _check_alpha0(alpha0)
    xtol = check_nonnegative("xtol", xtol)
    if stpmax is not None:
        stpmax = check_real("stpmax", stpmax)
        if not stpmax >= alpha0:
            raise ValueError(f"stpmax must be a finite number >= alpha0 = {alpha0}, got "
                             f"{stpmax!r}")
    dphi0 = float(np.dot(g, p))
    if not dphi0 < 0:
        return LineSearchResult(0.0, x, fx, None, 0, 0, NOT_DESCENT, g, 0)
    stp = float(alpha0)
    stpmax = max(_STPMAX, stp) if stpmax is None else float(stpmax)
    gtest = c1 * dphi0
    brackt, stage = False, 1
    width = stpmax
    width1 = width / 0.5
    stx, fstx, gstx = 0.0, fx, dphi0
    sty, fsty, gsty = 0.0, fx, dphi0
    stmin, stmax = 0.0, stp + _XTRAPU * stp
    cap = math.inf  # every trial stays below a step where phi or dphi was not finite
    nfev = 0
    best = (0.0, x, fx, g)  # (alpha, point, f, gradient) of the lowest f so far; start: fx

    def fail(status):
        alpha, z, f, gz = best
        return LineSearchResult(alpha, z, f, None, nfev, nfev, status, gz, nfev)

    while nfev < maxls:
        with np.errstate(over="ignore", invalid="ignore"):  # inf/nan: handled just below
            z = p * stp
            z += x
        f = _value(fun(z))
        gz = _gradient(jac(z), z.shape)
        nfev += 1
        with np.errstate(over="ignore", invalid="ignore"):
            d = float(np.dot(gz, p))
        if not (math.isfinite(f) and math.isfinite(d)):
            cap = stp
            stp = stx + 0.5 * (stp - stx)
            if not stx < stp < cap:
                return fail(ROUNDING)
            continue
        f = float(f)
        if f < best[2]:
            best = (stp, z, f, gz)
        ftest = fx + stp * gtest
        if stage == 1 and f <= ftest and d >= 0:
            stage = 2
        if f <= ftest and abs(d) <= -c2 * dphi0:
            return LineSearchResult(stp, z, f, None, nfev, nfev, ACCEPTED, gz, nfev)
        if stp == stpmax and f <= ftest and d <= gtest:
            return fail(STPMAX)
        if stage == 1 and f <= fstx and f > ftest:
            # dcstep on the modified function psi (its values and slopes)
            fm, fxm, fym = f - stp * gtest, fstx - stx * gtest, fsty - sty * gtest
            gm, gxm, gym = d - gtest, gstx - gtest, gsty - gtest
            with np.errstate(all="ignore"):
                stx, fxm, gxm, sty, fym, gym, stp, brackt = _dcstep(
                    stx, fxm, gxm, sty, fym, gym, stp, fm, gm, brackt, stmin, stmax)
            fstx, fsty = fxm + stx * gtest, fym + sty * gtest
            gstx, gsty = gxm + gtest, gym + gtest
        else:
            with np.errstate(all="ignore"):
                stx, fstx, gstx, sty, fsty, gsty, stp, brackt = _dcstep(
                    stx, fstx, gstx, sty, fsty, gsty, stp, f, d, brackt, stmin, stmax)
        if not math.isfinite(stp):
            return fail(ROUNDING)  # the interpolation broke down in floating point
        if brackt:
            if abs(sty - stx) >= 0.66 * width1:
                stp = stx + 0.5 * (sty - stx)  # too little progress: bisect
            width1, width = width, abs(sty - stx)
            stmin, stmax = min(stx, sty), max(stx, sty)
        else:
            stmin, stmax = stp + _XTRAPL * (stp - stx), stp + _XTRAPU * (stp - stx)
        stp = min(max(stp, 0.0), stpmax)
        if brackt and not stmin < stp < stmax:
            return fail(ROUNDING)  # rounding errors prevent progress
        if brackt and stmax - stmin <= xtol * stmax:
            return fail(XTOL)
        if stp >= cap:
            stp = stx + 0.5 * (cap - stx)
            if not stx < stp < cap:
                return fail(ROUNDING)
    return fail(MAX_TRIALS)


# --------------------------------------------------------------------------------------------
# Nocedal & Wright's bracketing + zoom search (scipy's line_search_wolfe2), the fallback

#: an interpolated zoom trial must lie at least this fraction of the bracket's width inside it
#: (cubic, then quadratic; else the zoom bisects): scipy's delta1 and delta2 in _zoom
_ZOOM_CUBIC_MARGIN = 0.2
_ZOOM_QUAD_MARGIN = 0.1


def _cubic_min_3pt(a: float, fa: float, da: float, b: float, fb: float, c: float,
                   fc: float) -> float | None:
    """Local minimizer of the cubic with value fa and slope da at a, value fb at b, fc at c.

    Equations::

        q(t) = fa + da (t - a) + B (t - a)^2 + A (t - a)^3
        u = b - a, v = c - a,  ru = fb - fa - da u,  rv = fc - fa - da v
        [u^2 u^3; v^2 v^3] [B; A] = [ru; rv]:  det = u^2 v^2 (v - u),
                              A = (u^2 rv - v^2 ru) / det,  B = (v^3 ru - u^3 rv) / det
        q'(t) = 0 with q'' > 0:  t = a + (-B + sqrt(B^2 - 3 A da)) / (3 A)
                                   = a - da / (B + sqrt(B^2 - 3 A da))

    The two forms are equal in exact arithmetic; in float64 the first cancels when B > 0 (the
    data nearly quadratic, A ~ 0: -B + sqrt(B^2 - 3 A da) loses every digit), the second when
    B < 0. The one without cancellation is used: the second for B >= 0, the first otherwise
    (scipy's ``_cubicmin`` always uses the first; near quadratic data its step is noise, and
    the trials of the two searches part there: tests/test_wolfe_fallback.py checks that ours is
    then the nearer to the exact minimizer). For A = 0 the second form is the quadratic's
    minimizer a - da / (2B).

    None when that fails in float64 (det zero, B^2 - 3 A da < 0 or a zero denominator: the
    cubic has no local minimizer, an overflow) or the result is not finite.
    """
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        try:
            a, fa, da, b, fb, c, fc = (np.float64(v) for v in (a, fa, da, b, fb, c, fc))
            u, v = b - a, c - a
            ru, rv = fb - fa - da * u, fc - fa - da * v
            det = (u * v) ** 2 * (v - u)
            cubic = (u * u * rv - v * v * ru) / det
            quad = (v ** 3 * ru - u ** 3 * rv) / det
            root = np.sqrt(quad * quad - 3.0 * cubic * da)
            if quad >= 0:
                t = a - da / (quad + root)              # no cancellation for B >= 0
            else:
                t = a + (-quad + root) / (3.0 * cubic)  # no cancellation for B < 0
        except FloatingPointError:
            return None
    return float(t) if np.isfinite(t) else None


def _quad_min(a: float, fa: float, da: float, b: float, fb: float) -> float | None:
    """Stationary point of the quadratic with value fa and slope da at a and value fb at b.

    Equations::

        q(t) = fa + da (t - a) + B (t - a)^2,  B = (fb - fa - da (b - a)) / (b - a)^2
        q'(t) = 0:  t = a - da / (2 B)            (a minimizer when B > 0)

    None when that fails in float64 (b = a, B = 0, an overflow) or the result is not finite.
    """
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        try:
            a, fa, da, b, fb = (np.float64(v) for v in (a, fa, da, b, fb))
            u = b - a
            curv = (fb - fa - da * u) / (u * u)
            t = a - da / (2.0 * curv)
        except FloatingPointError:
            return None
    return float(t) if np.isfinite(t) else None


def wolfe_zoom(fun: Callable[[np.ndarray], float], jac: Callable[[np.ndarray], np.ndarray],
               x: np.ndarray, fx: float, g: np.ndarray, p: np.ndarray, *, alpha0: float = 1.0,
               c1: float = 1e-4, c2: float = 0.9, maxiter: int = 10,
               amax: float | None = None) -> LineSearchResult:
    r"""Strong Wolfe line search by bracketing and zoom (Nocedal & Wright, Algorithms 3.5, 3.6).

    With φ(α) = f(x + αp), find α with

    .. math:: \varphi(\alpha) \le \varphi(0) + c_1 \alpha \varphi'(0), \qquad
              |\varphi'(\alpha)| \le c_2 |\varphi'(0)|, \qquad 0 < c_1 < c_2 < 1.

    The same trial steps as scipy's ``scalar_search_wolfe2`` (``line_search_wolfe2``, the
    search scipy's BFGS falls back to when dcsrch fails), with the same interpolation rules and
    constants; f is evaluated at every trial, ∇f only where Algorithm 3.5 or 3.6 needs the
    slope. Meant as the fallback of :func:`wolfe`.

    Equations::

        phi(a) = f(x + a p),  dphi(a) = grad f(x + a p) . p,  dphi(0) < 0
        armijo(a):  phi(a) <= phi(0) + c1 a dphi(0)
        bracketing (Algorithm 3.5): a_prev = 0, a = alpha0 (at most amax); up to maxiter times:
            not armijo(a), or phi(a) >= phi(a_prev) after the first trial:
                                               -> zoom(lo = a_prev, hi = a)
            |dphi(a)| <= c2 |dphi(0)|          -> accept a
            dphi(a) >= 0                       -> zoom(lo = a, hi = a_prev)
            a = amax                           -> STPMAX
            a_prev = a,  a = min(2 a, amax)    (doubling; phi evaluated at the new a)
        then MAX_TRIALS (phi at the last a is evaluated but not tested, as in scipy)
        zoom(lo, hi) (Algorithm 3.6): phi(lo) is the lowest armijo value so far and
            dphi(lo) (hi - lo) < 0; w = hi - lo (signed), [l, r] = [min, max](lo, hi);
            rec = the end the bracket last dropped (none before the first trial);
            trial a_j, at most maxiter + 1 of them:
              cubic  through phi(lo), dphi(lo), phi(hi), phi(rec)   (not on the first trial)
                     if  l + 0.2 w <= a_j <= r - 0.2 w,  else
              quadratic through phi(lo), dphi(lo), phi(hi)
                     if  l + 0.1 w <= a_j <= r - 0.1 w,  else
              bisection  a_j = lo + w / 2
            a_j = lo or hi (no float left between them) -> ROUNDING
            not armijo(a_j) or phi(a_j) >= phi(lo):  rec = hi, hi = a_j
            else:  |dphi(a_j)| <= c2 |dphi(0)|  -> accept a_j
                   dphi(a_j) (hi - lo) >= 0:     rec = hi, hi = lo
                   else:                         rec = lo
                   lo = a_j
        then MAX_TRIALS
        a trial where phi, or dphi when evaluated, is not finite counts as phi = +inf: it fails
        the armijo test and becomes hi, and while hi has phi = +inf (and instead of a cubic
        through such a rec) the zoom bisects towards lo
        on any failure: report the trial with the lowest phi (phi and grad f finite) if phi
        there < phi(0), else the start (alpha = 0)

    The margins are signed, as in scipy: w = hi - lo is negative when hi < lo, and then the
    windows reach 0.2|w| (cubic) and 0.1|w| (quadratic) outside [l, r] instead of staying that
    far inside (scipy issue #13695); kept, so that the trials are scipy's. Differences from
    scipy: it returns its last doubling step untested when the bracketing runs out of
    iterations (here MAX_TRIALS); at a = amax it evaluates phi(amax) again and zooms on an
    empty interval (here STPMAX); it keeps evaluating a trial that repeats lo or hi until its
    iterations run out (here ROUNDING, no evaluation); a nan phi in the bracketing phase makes
    it double on (here the +inf rule above); it has no best point.

    Parameters
    ----------
    fun, jac : f(x) -> float and ∇f(x) -> array
    x, fx, g : current point, f(x), ∇f(x) (not modified)
    p : a descent direction
    alpha0 : first trial step (> 0); c1, c2 : the Wolfe constants, 0 < c1 < c2 < 1
    maxiter : iterations of the bracketing phase (at most maxiter + 1 trials there), and the
        zoom's limit (at most maxiter + 1 trials), as scipy's maxiter and _zoom's fixed 10
    amax : largest step (None: no limit), > 0; alpha0 is reduced to it

    Returns
    -------
    LineSearchResult with ``g`` the gradient at the returned point; ``nfev`` calls of f,
    ``njev`` calls of jac, ``ntrials`` = nfev. On failure (ROUNDING, STPMAX, MAX_TRIALS): the
    best point (see :class:`LineSearchResult`); when ∇f was not evaluated at that trial, jac is
    called there once more (counted in njev), and a trial whose gradient then turns out not
    finite is passed over for the next lowest. NOT_DESCENT: the start, nothing evaluated.

    Source: J. Nocedal, S. J. Wright, *Numerical Optimization*, 2nd ed., Springer 2006,
    Algorithm 3.5 (line search), Algorithm 3.6 (zoom), section 3.5 (interpolation); the
    safeguards (0.2, 0.1, bisection), the doubling and the counts are those of scipy's
    ``scipy.optimize._linesearch.scalar_search_wolfe2`` and ``_zoom``.
    """
    c1, c2 = check_real("c1", c1), check_real("c2", c2)
    if not 0 < c1 < c2 < 1:
        raise ValueError(f"c1 and c2 must satisfy 0 < c1 < c2 < 1, got c1={c1!r}, c2={c2!r}")
    alpha0 = _check_alpha0(alpha0)
    maxiter = check_int("maxiter", maxiter, 1)
    if amax is not None:
        amax = check_positive("amax", amax)
    dphi0 = float(np.dot(g, p))
    if not dphi0 < 0:
        return LineSearchResult(0.0, x, fx, None, 0, 0, NOT_DESCENT, g, 0)
    counts = {"f": 0, "g": 0}
    trials = []  # [f, alpha, point, gradient or None] of every trial where f was finite

    def phi(a: float) -> tuple[np.ndarray, float]:
        with np.errstate(over="ignore", invalid="ignore"):  # a non-finite f: handled below
            z = p * a
            z += x
        f = _value(fun(z))
        counts["f"] += 1
        if not math.isfinite(f):
            return z, math.inf
        trials.append([float(f), a, z, None])
        return z, float(f)

    def dphi(z: np.ndarray) -> tuple[np.ndarray, float]:
        """The slope at z, the point phi evaluated last; a non-finite slope is returned as nan
        and that trial leaves the list of candidates for the best point."""
        gz = _gradient(jac(z), z.shape)
        counts["g"] += 1
        with np.errstate(over="ignore", invalid="ignore"):  # a non-finite slope: handled below
            d = float(np.dot(gz, p))
        if math.isfinite(d):
            trials[-1][3] = gz
            return gz, d
        trials.pop()
        return gz, math.nan

    def result(status: int, a=0.0, z=x, f=fx, gz=g) -> LineSearchResult:
        n = counts["f"]
        return LineSearchResult(a, z, f, None, n, n, status, gz, counts["g"])

    def fail(status: int) -> LineSearchResult:
        for f, a, z, gz in sorted(trials, key=lambda t: t[0]):  # stable: first trial on ties
            if not f < fx:
                break
            if gz is None:
                gz = _gradient(jac(z), z.shape)
                counts["g"] += 1
            if np.all(np.isfinite(gz)):
                return result(status, a, z, f, gz)
        return result(status)

    def armijo(a: float, f: float) -> bool:
        return f <= fx + c1 * a * dphi0

    def zoom(lo: float, f_lo: float, d_lo: float, hi: float, f_hi: float) -> LineSearchResult:
        rec, f_rec = 0.0, fx  # the end dropped last (used from the second trial on)
        for i in range(maxiter + 1):
            w = hi - lo
            left, right = min(lo, hi), max(lo, hi)
            a = None
            if i > 0 and math.isfinite(f_hi) and math.isfinite(f_rec):
                a = _cubic_min_3pt(lo, f_lo, d_lo, hi, f_hi, rec, f_rec)
                if a is not None and not left + _ZOOM_CUBIC_MARGIN * w <= a <= \
                        right - _ZOOM_CUBIC_MARGIN * w:
                    a = None
            if a is None and math.isfinite(f_hi):
                a = _quad_min(lo, f_lo, d_lo, hi, f_hi)
                if a is not None and not left + _ZOOM_QUAD_MARGIN * w <= a <= \
                        right - _ZOOM_QUAD_MARGIN * w:
                    a = None
            if a is None:
                a = lo + 0.5 * w
            if a == lo or a == hi:
                return fail(ROUNDING)  # no float strictly between lo and hi
            z, f = phi(a)
            if not armijo(a, f) or f >= f_lo:
                rec, f_rec = hi, f_hi
                hi, f_hi = a, f
                continue
            gz, d = dphi(z)
            if not math.isfinite(d):  # treated as phi = +inf: a new hi
                rec, f_rec = hi, f_hi
                hi, f_hi = a, math.inf
                continue
            if abs(d) <= -c2 * dphi0:
                return result(ACCEPTED, a, z, f, gz)
            if d * (hi - lo) >= 0:
                rec, f_rec = hi, f_hi
                hi, f_hi = lo, f_lo
            else:
                rec, f_rec = lo, f_lo
            lo, f_lo, d_lo = a, f, d
        return fail(MAX_TRIALS)

    a_prev, f_prev, d_prev = 0.0, fx, dphi0
    a = float(alpha0) if amax is None else min(float(alpha0), float(amax))
    z, f = phi(a)
    for i in range(maxiter):
        if not armijo(a, f) or (i > 0 and f >= f_prev):
            return zoom(a_prev, f_prev, d_prev, a, f)
        gz, d = dphi(z)
        if not math.isfinite(d):  # treated as phi = +inf
            return zoom(a_prev, f_prev, d_prev, a, math.inf)
        if abs(d) <= -c2 * dphi0:
            return result(ACCEPTED, a, z, f, gz)
        if d >= 0:
            return zoom(a, f, d, a_prev, f_prev)
        if amax is not None and a >= amax:
            return fail(STPMAX)
        a_prev, f_prev, d_prev = a, f, d
        a = 2.0 * a if amax is None else min(2.0 * a, float(amax))
        z, f = phi(a)
    return fail(MAX_TRIALS)
