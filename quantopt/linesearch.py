r"""Line searches: Armijo backtracking (in floating point and on the grid (1/qp)ℤⁿ) and Wolfe.

Sources: Nocedal & Wright, *Numerical Optimization* (2nd ed.), Algorithm 3.1 (backtracking line
search with the sufficient-decrease condition) and Algorithms 3.5-3.6 (line search for the
strong Wolfe conditions, with zoom); the note "Quantized Optimization" (seed 001) for the
quantized update x_{t+1}^Q = (x_t^Q − λh)^Q.

The Armijo searches try the steps α_j = α₀·shrink^j, j = 0, 1, …, maxls − 1, and accept the
first trial point that decreases f sufficiently. Backtracking alone does not make yᵀs > 0, which
BFGS and L-BFGS need to update (they skip the update otherwise); the Wolfe search also enforces
the curvature condition, and may lengthen the step. All searches return a
:class:`LineSearchResult` whose ``status`` says why they stopped; they never raise for a failed
search.
"""
from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np

from .rounding import from_codes, to_codes

#: status codes of a line search
ACCEPTED = 0
MAX_TRIALS = 1
NOT_DESCENT = 2
STEP_QUANTIZED_TO_ZERO = 3
ROUNDING = 4

MESSAGES = {
    ACCEPTED: "step accepted",
    MAX_TRIALS: "no step satisfied the line-search conditions within maxls trials",
    NOT_DESCENT: "the direction is not a descent direction (grad·p >= 0)",
    STEP_QUANTIZED_TO_ZERO: "every trial step rounded to zero on the grid before one was accepted",
    ROUNDING: "rounding errors prevent progress: the Wolfe bracket holds no float between its ends",
}


class LineSearchResult(NamedTuple):
    """Outcome of a line search.

    alpha : the accepted step (0.0 if none). x, fx : the accepted point and f there (the start
    point and f(start) if none). codes : the accepted point's integer codes (quantized search
    only, else None). nfev : calls of f made. ntrials : trial steps tried. status : one of
    ACCEPTED, MAX_TRIALS, NOT_DESCENT, STEP_QUANTIZED_TO_ZERO, ROUNDING (see ``MESSAGES``).
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


_CODE_BOUND = 2**53  # codes beyond this have no exact float64 value (from_codes refuses them)


def add_codes(codes: np.ndarray, d: np.ndarray) -> np.ndarray:
    """codes + d in int64, refusing (OverflowError) any step whose codes exceed 2**53.

    Iterate codes are at most 2**53 (from_codes refuses larger ones), so with |d| <= 2**53 the
    int64 sum cannot wrap around.
    """
    if d.size and int(np.max(np.abs(d))) > _CODE_BOUND:
        raise OverflowError("a step of more than 2**53 grid points: the iteration diverges")
    return codes + d


def _check_params(c1: float, shrink: float | None, maxls: int) -> None:
    """c1 in (0, 1), shrink in (0, 1) (None: a search that does not backtrack), maxls >= 1."""
    if not 0 < c1 < 1:
        raise ValueError(f"c1 must be in (0, 1), got {c1!r}")
    if shrink is not None and not 0 < shrink < 1:
        raise ValueError(f"shrink must be in (0, 1), got {shrink!r}")
    if isinstance(maxls, bool) or not isinstance(maxls, (int, np.integer)) or maxls < 1:
        raise ValueError(f"maxls must be an integer >= 1, got {maxls!r}")


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
    _check_params(c1, shrink, maxls)
    slope = float(np.dot(g, p))
    if not slope < 0:
        return LineSearchResult(0.0, x, fx, None, 0, 0, NOT_DESCENT)
    for j in range(maxls):
        alpha = alpha0 * shrink**j
        x_new = x + alpha * p
        f_new = fun(x_new)
        if np.isfinite(f_new) and f_new <= fx + c1 * alpha * slope:
            return LineSearchResult(alpha, x_new, f_new, None, j + 1, j + 1, ACCEPTED)
    return LineSearchResult(0.0, x, fx, None, maxls, maxls, MAX_TRIALS)


def quantized_armijo(fun: Callable[[np.ndarray], float], codes: np.ndarray, qp, fx: float,
                     g: np.ndarray, p: np.ndarray, *, alpha0: float = 1.0, c1: float = 1e-4,
                     shrink: float = 0.5, maxls: int = 30) -> LineSearchResult:
    r"""Armijo backtracking on the grid (1/qp)ℤⁿ: every trial point is exactly a grid point.

    The iterate is held as integer codes k (x = k/qp). Each trial step is quantized,
    d_j = (α_j p)^Q, i.e. its codes are ``to_codes(alpha_j * p, qp)``, and the trial point is
    k + d_j, exactly on the grid. The Armijo test is made at that quantized point, with the step
    actually taken, δ_j = d_j/qp:

    .. math:: f(x + \delta_j) \le f(x) + c_1 \nabla f(x)^\top \delta_j,\qquad
              \nabla f(x)^\top \delta_j < 0,\qquad \delta_j = (\alpha_j p)^Q

    Equations::

        x       = k / qp                                   (k: int64 codes)
        d_j     = to_codes(alpha0 * shrink**j * p, qp)     (d_j / qp = (alpha_j p)^Q)
        delta_j = d_j / qp
        accept the first j with  grad.delta_j < 0  and  f((k + d_j)/qp) <= f(x) + c1 * grad.delta_j
        stop with STEP_QUANTIZED_TO_ZERO as soon as d_j = 0 (all components)

    Why quantize the step rather than choose λ with λh = (λh)^Q, as the note proposes: for a
    vector h the admissible λ form the lattice λ_min·ℤ, which is empty of useful points
    unless all ratios h_i/h_j are rational with small denominators (for h = (1, 0.1) in float64
    and qp = 100, λ_min = 2⁵⁵/100; CLAIMS.md, U2). Quantizing the step keeps the note's
    conclusion x_{t+1}^Q = x_t^Q − (λh)^Q exact (U3, U4) for any h.

    Once every component of α_j p is rounded to 0, smaller steps round to 0 too (rounding is
    monotone), so the search ends there: the grid is too coarse for any step along p.

    Parameters
    ----------
    fun : callable, f(x) -> float
    codes : int64 array, the current iterate's codes (not modified)
    qp : grid resolution (see :func:`quantopt.quantize`)
    fx, g : f and ∇f at x = codes/qp
    p, alpha0, c1, shrink, maxls : as in :func:`armijo`

    Returns
    -------
    LineSearchResult with ``codes`` the accepted codes (the start codes if none).
    """
    _check_params(c1, shrink, maxls)
    x = from_codes(codes, qp)
    if not float(np.dot(g, p)) < 0:
        return LineSearchResult(0.0, x, fx, codes, 0, 0, NOT_DESCENT)
    nfev = 0
    for j in range(maxls):
        alpha = alpha0 * shrink**j
        d = to_codes(alpha * p, qp)
        if not d.any():
            return LineSearchResult(0.0, x, fx, codes, nfev, j + 1, STEP_QUANTIZED_TO_ZERO)
        slope = float(np.dot(g, from_codes(d, qp)))
        if slope < 0:
            trial = add_codes(codes, d)
            x_new = from_codes(trial, qp)
            f_new = fun(x_new)
            nfev += 1
            if np.isfinite(f_new) and f_new <= fx + c1 * slope:
                return LineSearchResult(alpha, x_new, f_new, trial, nfev, j + 1, ACCEPTED)
    return LineSearchResult(0.0, x, fx, codes, nfev, maxls, MAX_TRIALS)


def _cubic_min(a: float, fa: float, da: float, b: float, fb: float, db: float):
    """The minimizer of the cubic with values fa, fb and slopes da, db at a and b (Nocedal &
    Wright (3.59)); None when that cubic has no local minimizer or the numbers are not finite."""
    if a == b:
        return None
    d1 = da + db - 3.0 * (fa - fb) / (a - b)
    disc = d1 * d1 - da * db
    if not (np.isfinite(disc) and disc >= 0):
        return None
    d2 = math.copysign(math.sqrt(disc), b - a)
    denom = db - da + 2.0 * d2
    if denom == 0 or not np.isfinite(denom):
        return None
    t = b - (b - a) * (db + d2 - d1) / denom
    return t if np.isfinite(t) else None


def _cubic3_min(a: float, fa: float, da: float, b: float, fb: float, c: float, fc: float):
    """The minimizer of the cubic with value fa and slope da at a and values fb at b, fc at c
    (Nocedal & Wright, section 3.5); None when it has none or the numbers are not finite."""
    db, dc = b - a, c - a
    det = db * db * dc * dc * (db - dc)
    if det == 0 or not np.isfinite(det):
        return None
    rb, rc = fb - fa - da * db, fc - fa - da * dc  # = B t^2 + C t^3 at t = db, dc
    C = (dc * dc * rb - db * db * rc) / det
    B = (-dc ** 3 * rb + db ** 3 * rc) / det
    if C == 0:
        return a - da / (2.0 * B) if B > 0 else None
    disc = B * B - 3.0 * C * da
    if not (np.isfinite(disc) and disc >= 0):
        return None
    t = a + (-B + math.sqrt(disc)) / (3.0 * C)
    return t if np.isfinite(t) else None


def wolfe(fun: Callable[[np.ndarray], float], jac: Callable[[np.ndarray], np.ndarray],
          x: np.ndarray, fx: float, g: np.ndarray, p: np.ndarray, *, alpha0: float = 1.0,
          c1: float = 1e-4, c2: float = 0.9, maxls: int = 30) -> LineSearchResult:
    r"""Line search for the strong Wolfe conditions (bracketing, then zoom).

    With φ(α) = f(x + αp), find α with

    .. math:: \varphi(\alpha) \le \varphi(0) + c_1 \alpha \varphi'(0), \qquad
              |\varphi'(\alpha)| \le c_2 |\varphi'(0)|, \qquad 0 < c_1 < c_2 < 1.

    Equations::

        phi(a) = f(x + a p),   dphi(a) = grad f(x + a p) . p,   dphi(0) < 0
        bracket: a_1 = alpha0; at each trial a_i (prev = a_{i-1}, a_0 = 0):
                 a_i violates sufficient decrease or phi(a_i) >= phi(prev)
                                             -> zoom(prev, a_i)
                 |dphi(a_i)| <= c2 |dphi(0)| -> accept a_i
                 dphi(a_i) >= 0              -> zoom(a_i, prev)
                 else extrapolate: a_{i+1} = minimizer of the cubic through phi, dphi at
                      prev and a_i, kept in [a_i + 1.1 (a_i - prev), a_i + 4 (a_i - prev)]
                      (the upper end when the cubic has no minimizer there)
        zoom(lo, hi): a = minimizer of the cubic through phi, dphi at lo and hi when dphi(hi)
                 is known, else of the cubic through phi(lo), dphi(lo), phi(hi) and phi at the
                 point the bracket last dropped; taken if inside the middle 80% of [lo, hi],
                 else the quadratic through phi(lo), dphi(lo), phi(hi), clamped to it;
                 shrink [lo, hi] around a (N&W Alg. 3.6); stop with ROUNDING when no float
                 lies strictly between lo and hi
        dphi is evaluated at every trial where phi is finite, rejected trials included

    The gradient is evaluated at every trial point where f is finite, as Moré-Thuente's dcsrch
    (the search of L-BFGS-B) evaluates f and ∇f together: the slope at a trial rejected for
    insufficient decrease lets zoom use the two-slope cubic (N&W (3.59)) from its first step,
    which on the Rosenbrock problems takes fewer calls of f than the quadratic through
    φ(lo), φ'(lo), φ(hi) did (issue 6). So njev = nfev, except where f or the slope is not
    finite (njev <= nfev always). The strong Wolfe conditions give
    yᵀs = (∇f(x+αp) − ∇f(x))ᵀ αp >= (c2 − 1) α φ'(0) > 0,
    so a BFGS or L-BFGS update after such a step is never skipped.

    Parameters
    ----------
    fun, jac : f(x) -> float and ∇f(x) -> array
    x, fx, g : current point, f(x), ∇f(x) (not modified)
    p : a descent direction
    alpha0 : first trial step; c1, c2 : the Wolfe constants, 0 < c1 < c2 < 1
    maxls : maximum number of evaluations of f

    Returns
    -------
    LineSearchResult with ``g`` the gradient at the accepted point, and ``njev`` the calls of
    jac; status ROUNDING when the bracket has shrunk to adjacent floats.
    Source: Nocedal & Wright, Algorithms 3.5 and 3.6, (3.57) and (3.59) for the
    interpolation; the extrapolation bounds 1.1 and 4 are those of Moré & Thuente's dcsrch
    (ACM TOMS 20(3), 1994), the search of L-BFGS-B.
    """
    _check_params(c1, None, maxls)
    if not c1 < c2 < 1:
        raise ValueError(f"c2 must be in (c1, 1) = ({c1}, 1), got {c2!r}")
    dphi0 = float(np.dot(g, p))
    if not dphi0 < 0:
        return LineSearchResult(0.0, x, fx, None, 0, 0, NOT_DESCENT, g, 0)
    counts = {"f": 0, "g": 0}

    def phi(a: float) -> tuple[np.ndarray, float]:
        counts["f"] += 1
        z = p * a
        z += x
        return z, fun(z)

    def dphi(z: np.ndarray) -> tuple[np.ndarray, float]:
        counts["g"] += 1
        gz = jac(z)
        return gz, float(np.dot(gz, p))

    def done(a, z, fz, gz, status=ACCEPTED):
        n = counts["f"]
        if status != ACCEPTED:
            return LineSearchResult(0.0, x, fx, None, n, n, status, g, counts["g"])
        return LineSearchResult(a, z, fz, None, n, n, status, gz, counts["g"])

    def armijo_fails(a: float, fa: float) -> bool:
        return not (np.isfinite(fa) and fa <= fx + c1 * a * dphi0)

    def trial(lo, f_lo, d_lo, hi, f_hi, d_hi, rec, f_rec):
        """The next zoom point: a cubic or quadratic model's minimizer inside the middle 80%
        of [lo, hi], else the quadratic's clamped there, else the midpoint."""
        width = hi - lo
        edge_a, edge_b = sorted((lo + 0.1 * width, lo + 0.9 * width))

        def inside(t):
            return t is not None and edge_a < t < edge_b

        if d_hi is not None:
            t = _cubic_min(lo, f_lo, d_lo, hi, f_hi, d_hi)
            if inside(t):
                return t
        elif rec is not None:
            t = _cubic3_min(lo, f_lo, d_lo, hi, f_hi, rec, f_rec)
            if inside(t):
                return t
        denom = 2.0 * (f_hi - f_lo - d_lo * width)
        t = lo - d_lo * width * width / denom if denom > 0 and np.isfinite(f_hi) else \
            lo + 0.5 * width
        return min(max(t, lo + 0.1 * width), lo + 0.9 * width) if width > 0 else \
            max(min(t, lo + 0.1 * width), lo + 0.9 * width)

    def slope_at(z: np.ndarray, fz: float) -> float | None:
        """dphi at a rejected trial (for the zoom's two-slope cubic); None where f is not
        finite there or the slope is not finite."""
        if not np.isfinite(fz):
            return None
        d = dphi(z)[1]
        return d if np.isfinite(d) else None

    def zoom(lo, f_lo, d_lo, hi, f_hi, d_hi, rec, f_rec):
        while counts["f"] < maxls:
            a = trial(lo, f_lo, d_lo, hi, f_hi, d_hi, rec, f_rec)
            if not min(lo, hi) < a < max(lo, hi):
                # the bracket holds no float between its ends: rounding errors prevent progress
                return done(0, x, fx, g, ROUNDING)
            z, fa = phi(a)
            if armijo_fails(a, fa) or fa >= f_lo:
                rec, f_rec = hi, f_hi
                hi, f_hi, d_hi = a, fa, slope_at(z, fa)
                continue
            gz, da = dphi(z)
            if abs(da) <= -c2 * dphi0:
                return done(a, z, fa, gz)
            if da * (hi - lo) >= 0:
                rec, f_rec = hi, f_hi
                hi, f_hi, d_hi = lo, f_lo, d_lo
            else:
                rec, f_rec = lo, f_lo
            lo, f_lo, d_lo = a, fa, da
        return done(0, x, fx, g, MAX_TRIALS)

    prev, f_prev, d_prev = 0.0, fx, dphi0
    rec, f_rec = None, None  # the trial before prev, for the zoom's three-point cubic
    a = float(alpha0)
    while counts["f"] < maxls:
        z, fa = phi(a)
        if armijo_fails(a, fa) or (prev > 0 and fa >= f_prev):
            return zoom(prev, f_prev, d_prev, a, fa, slope_at(z, fa), rec, f_rec)
        gz, da = dphi(z)
        if abs(da) <= -c2 * dphi0:
            return done(a, z, fa, gz)
        if da >= 0:
            return zoom(a, fa, da, prev, f_prev, d_prev, None, None)
        low, high = a + 1.1 * (a - prev), a + 4.0 * (a - prev)
        nxt = _cubic_min(prev, f_prev, d_prev, a, fa, da)
        nxt = high if nxt is None or not nxt > a else min(max(nxt, low), high)
        rec, f_rec = prev, f_prev
        prev, f_prev, d_prev = a, fa, da
        a = nxt
    return done(0, x, fx, g, MAX_TRIALS)
