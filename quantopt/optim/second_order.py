r"""Second-order and quasi-Newton rules: Newton (with Hessian modification), BFGS, L-BFGS.

Source: lecture notes "Optimization" (seed 004, "Second-Order Optimization", "BFGS", "L-BGFS")
and seed 002 ("Newton Method"); J. Nocedal, S. J. Wright, *Numerical Optimization*, 2nd ed.,
Springer 2006: section 3.4 (Hessian modification), 6.1 (BFGS), 7.2 (L-BFGS, Algorithm 7.4).

Notation follows the notes: **B is the inverse-Hessian approximation** (Nocedal & Wright call it
H and keep B for the Hessian approximation). The driver calls ``step(state, x, g)``; BFGS and
L-BFGS form the pair s = x - x_prev, y = g - g_prev from the previous call, so the pair of step k
enters the direction of step k+1, exactly as in the notes' algorithm.

x may have any shape; these rules work on its flattened copy (n = x.size) and return d in x's
shape. BFGS and L-BFGS use no square root when ``curvature_tol == 0``, so numpy object arrays of
:class:`fractions.Fraction` give exact directions (the tests use this).
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import NamedTuple, Sequence

import numpy as np

from .._checks import check_bool
from .base import UpdateRule, check_count, check_nonnegative, check_positive, state_zeros


def _flat_copy(a, dtype) -> np.ndarray:
    return np.array(a, dtype=dtype, copy=True).reshape(-1)


def _norm(v: np.ndarray) -> float:
    if v.dtype == object or v.dtype == np.float64:  # for float64, numpy's 2-norm is this
        return math.sqrt(float(np.dot(v, v)))         # number; for Fractions a float bound
    return float(np.linalg.norm(v))


def _curvature_ok(s: np.ndarray, y: np.ndarray, tol: float, ys=None, yy=None) -> bool:
    """The curvature condition of the update: y^T s > tol * ||y|| * ||s||. ys = y^T s and
    yy = y^T y may be passed when the caller has them (the same numbers either way)."""
    ys = np.dot(y, s) if ys is None else ys
    if tol == 0:
        return bool(ys > 0)
    norm_y = _norm(y) if yy is None else _sqrt_nonneg(yy)
    return bool(ys > tol * norm_y * _norm(s))


def _sqrt_nonneg(v) -> float:
    """sqrt(v) for v = x^T x, as _norm computes it (numpy's 2-norm of a real vector is
    sqrt(dot(x, x)); object entries go through float)."""
    return math.sqrt(float(v))


#: Powell's damping constant (0.2): a damped pair has s^T y_d = _POWELL_DAMPING * s^T B s
_POWELL_DAMPING = Fraction(1, 5)


def _powell_damped_y(s: np.ndarray, y: np.ndarray, Bs: np.ndarray):
    r"""Powell's damped gradient difference, or None when damping cannot help.

    .. math::

        \theta = \frac{0.8\, s^\top B s}{s^\top B s - s^\top y}, \qquad
        y_d = \theta y + (1 - \theta) B s, \qquad s^\top y_d = 0.2\, s^\top B s

    B is a symmetric positive definite model of the Hessian; the caller passes ``Bs = B @ s``.
    y_d is returned only when ``s^T y < 0.2 s^T B s``: then 0 < theta <= 1 and
    ``s^T y_d = s^T B s - theta (s^T B s - s^T y) = 0.2 s^T B s > 0``, so the BFGS update with
    (s, y_d) keeps the approximation positive definite. None when ``s^T B s <= 0`` (s = 0) or
    when s^T y already reaches 0.2 s^T B s (no damping needed). The constant 0.2 is
    ``_POWELL_DAMPING`` in s's precision: exactly 1/5 for object arrays of Fractions, so that
    s^T y_d = s^T B s / 5 holds exactly there.

    Source: M. J. D. Powell, "Algorithms for nonlinear constraints that use Lagrangian
    functions", Math. Programming 14, 1978; Nocedal & Wright, 2nd ed., Procedure 18.2
    ((18.14)-(18.15)).
    """
    eta = _POWELL_DAMPING if s.dtype == object else s.dtype.type(_POWELL_DAMPING)
    sBs = np.dot(s, Bs)
    sy = np.dot(s, y)
    if not (sBs > 0 and sy < eta * sBs):
        return None
    theta = (1 - eta) * sBs / (sBs - sy)
    y_d = y - Bs                            # y_d = theta y + (1 - theta) Bs
    y_d *= theta                            # = Bs + theta (y - Bs), built in one array
    y_d += Bs
    return y_d


# --------------------------------------------------------------------------------------------
# Newton


class NewtonState(NamedTuple):
    """n_modified: how many steps used a modified Hessian; lam: eigenvalues of the last Hessian."""

    n_modified: int
    lam: np.ndarray


def newton(min_curvature: float = 1e-8) -> UpdateRule:
    r"""Newton's method with an eigenvalue modification of the Hessian.

    The step minimizes the second-order Taylor model
    :math:`f(x) + d^\top \nabla f(x) + \tfrac12 d^\top H d` (H the Hessian at x):

    .. math::

        H d = -\nabla f(x), \qquad x_{t+1} = x_t + \alpha d \quad (\alpha = 1 \text{: full step})

    It is a descent direction only when H is positive definite. The rule therefore symmetrizes H,
    takes its eigendecomposition and replaces each eigenvalue by a safe one:

    .. math::

        \tfrac12 (H + H^\top) = Q \Lambda Q^\top, \quad
        \tau = \mu \max(1, \max_i |\lambda_i|), \quad
        \tilde\lambda_i = \max(|\lambda_i|, \tau), \quad
        d = -Q \tilde\Lambda^{-1} Q^\top \nabla f(x)

    Equations::

        Hs       = (H + H^T) / 2 = Q diag(lam) Q^T      (numpy.linalg.eigh)
        tau      = mu * max(1, max_i |lam_i|)
        lam_mod  = max(|lam|, tau)                      elementwise
        d        = -Q ((Q^T g) / lam_mod)               g = grad f(x)
        x_{t+1}  = x_t + alpha * d
        n_modified += 1 if some lam_i < tau             (H not sufficiently positive definite)

        mu:    option min_curvature (> 0)
        alpha: option lr, 1 for the pure Newton step (or the line search's step)

    When every eigenvalue is >= tau, lam_mod = lam and d is the exact Newton step
    ``-H^{-1} g`` (computed through the eigendecomposition). Otherwise negative eigenvalues are
    flipped (|lam_i|) and those below tau in magnitude (H singular or nearly so) are raised to
    tau, so that ``g^T d = -sum_i (q_i^T g)^2 / lam_mod_i < 0`` whenever g != 0: a descent
    direction, whose length along each eigenvector with |lam_i| >= tau is still
    ``|q_i^T g| / |lam_i|``. The
    threshold is relative to the largest eigenvalue (absolute when all |lam_i| <= 1), so tau
    bounds the condition number of the modified matrix by 1/mu.

    Source: lecture notes "Optimization" (seed 004), "Second-Order Optimization" (the Newton step
    from the Taylor expansion); seed 002, "Newton Method"; Nocedal & Wright, 2nd ed., section 3.4
    ("Newton's method with Hessian modification", eigenvalue modification; the variant here takes
    |lam_i| for a negative eigenvalue instead of a small constant, so a direction of negative
    curvature keeps its Newton length). PyTorch has no Newton optimizer.

    Examples
    --------
    >>> import numpy as np
    >>> rule = newton()
    >>> A, b = np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([2.0, 4.0])
    >>> x0 = np.zeros(2)
    >>> d, state = rule.step(rule.init(x0), x0, A @ x0 - b, hess=A)
    >>> x0 + d, state.n_modified
    (array([1., 1.]), 0)
    >>> d, state = rule.step(state, x0, np.array([1.0, 1.0]), hess=np.diag([2.0, -4.0]))
    >>> d, state.n_modified
    (array([-0.5 , -0.25]), 1)
    """
    mu = check_positive("min_curvature", min_curvature)

    def init(x0: np.ndarray) -> NewtonState:
        return NewtonState(n_modified=0, lam=state_zeros(x0, shape=(np.asarray(x0).size,)))

    def step(state: NewtonState, x: np.ndarray, g: np.ndarray, hess=None):
        if hess is None:
            raise ValueError("newton needs the Hessian: pass hess (the driver's hess=)")
        x = np.asarray(x)
        gf = np.asarray(g, dtype=np.result_type(g, np.float64)).reshape(-1)
        n = gf.size
        H = np.asarray(hess, dtype=gf.dtype).reshape(n, n)
        lam, Q = np.linalg.eigh((H + H.T) / 2)
        tau = mu * max(1.0, float(np.max(np.abs(lam))))
        lam_mod = np.maximum(np.abs(lam), tau)
        d = -(Q @ ((Q.T @ gf) / lam_mod))
        modified = bool(np.any(lam < tau))
        new_state = NewtonState(n_modified=state.n_modified + int(modified), lam=lam)
        return d.reshape(x.shape), new_state

    return UpdateRule("newton", init, step, {"min_curvature": mu}, needs_hess=True,
                      defaults={"lr": 1.0, "line_search": "armijo"},
                      counters=("n_modified",))


# --------------------------------------------------------------------------------------------
# BFGS


#: bfgs_update works on row blocks of about this many entries (a few MB of temporaries)
_BLOCK_ENTRIES = 1 << 18


def bfgs_update(B: np.ndarray, s: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""One BFGS update of the inverse-Hessian approximation B (a new array; B is not modified).

    .. math::

        \rho = \frac{1}{y^\top s}, \qquad
        B^+ = (I - \rho s y^\top) B (I - \rho y s^\top) + \rho s s^\top

    Equations::

        rho = 1 / (y^T s)
        B+  = (I - rho s y^T) B (I - rho y s^T) + rho s s^T           (the notes' form)
            = B - rho (s u^T + u s^T) + rho (1 + rho y^T u) s s^T      u = B y, B symmetric
            = B + (s w^T + w s^T),   w = (c/2) s - rho u,  c = rho (1 + rho y^T u)

    The last line (O(n^2), no n x n products) is what is computed, one block of rows at a time,
    so that besides B and B+ only a block-sized temporary exists (peak memory 2 n^2 + O(n)
    instead of about six n x n temporaries): this is what lets BFGS run at n = 10^4.
    ``rho (1 + rho y^T u)`` rather than ``rho + rho**2 y^T u``, which overflows for tiny y^T s.
    Entry (i, j) is ``B_ij + (s_i w_j + w_i s_j)`` and entry (j, i) adds the same two products
    in the other order, so a symmetric B stays exactly symmetric in floating point. B+ satisfies
    the secant condition ``B+ y = s`` and is positive definite when B is and y^T s > 0. Works
    on object arrays of Fractions (exact).

    Huge or tiny s and y (float arrays). B+ does not change when s is scaled by a power of two
    2^-a and y by 2^-b, provided the 1 in c becomes sigma = 2^(a-b)::

        s^ = 2^-a s,  y^ = 2^-b y,  rho^ = 1/(y^^T s^),  u^ = B y^
        c^ = rho^ (sigma + rho^ y^^T u^),  w^ = (c^/2) s^ - rho^ u^,  B+ = B + s^ w^^T + w^ s^^T

    (every quantity is the unscaled one times a power of two, so the bits are the same). When
    the direct computation meets inf or nan (y^T s or B y overflowing, or y^T s underflowing to
    0), it is redone with a and b the binary exponents of max|s_i| and max|y_i|, so that
    |s^_i|, |y^_i| < 1: finite s, y and B then give a finite B+, unless B+ itself has entries
    beyond float64's range.

    Raises
    ------
    ValueError
        B, s or y of mismatched shapes (B must be n x n, s and y of n entries) or not finite
        (naming the argument); y^T s = 0, where rho and the update do not exist (naming s and
        y; the bfgs rule never calls it there: its curvature test skips such pairs).
    OverflowError
        B+ has entries beyond float64's range (naming s and y).
    """
    n = np.size(s)
    if np.shape(B) != (n, n) or np.shape(y) != np.shape(s) or np.ndim(s) != 1:
        raise ValueError(f"bfgs_update needs B of shape (n, n) and s, y of shape (n,); got B "
                         f"{np.shape(B)}, s {np.shape(s)}, y {np.shape(y)}")
    if object in (B.dtype, s.dtype, y.dtype):  # exact arithmetic (Fractions)
        ys = np.dot(y, s)
        if ys == 0:
            raise ValueError(_YS_ZERO)
        return _bfgs_blocks(B, s, y, 1, exact=True)
    for name, v in (("s", s), ("y", y)):
        if not all(map(math.isfinite, (np.max(v), np.min(v)))):
            raise ValueError(f"bfgs_update: {name} must be finite (no nan or inf)")
    with np.errstate(all="ignore"):  # inf and nan are detected and handled below
        out = _bfgs_blocks(B, s, y, 1.0)
        if out is None:  # redo with s and y scaled by powers of two (the same bits if finite)
            s_max, y_max = float(np.max(np.abs(s))), float(np.max(np.abs(y)))
            if s_max == 0 or y_max == 0:
                raise ValueError(_YS_ZERO)
            a, b = math.frexp(s_max)[1], math.frexp(y_max)[1]
            if a - b > 1023:  # sigma = 2^(a-b) overflows: |s|/|y| beyond float64's range
                raise OverflowError(_OVERFLOW)
            ys_zero = np.dot(y, s) == 0
            s, y = np.ldexp(s, -a), np.ldexp(y, -b)
            if np.dot(y, s) == 0:  # zero at both scales: y^T s = 0; else out of float64's reach
                raise ValueError(_YS_ZERO) if ys_zero else OverflowError(_OVERFLOW)
            out = _bfgs_blocks(B, s, y, math.ldexp(1.0, a - b))
    if out is None:
        if not all(map(math.isfinite, (np.max(B), np.min(B)))):
            raise ValueError("bfgs_update: B must be finite (no nan or inf)")
        raise OverflowError(_OVERFLOW)
    return out


_YS_ZERO = ("bfgs_update: y^T s = 0 for the given s and y, so rho = 1/(y^T s) and the update "
            "do not exist (the bfgs rule skips such a pair by its curvature test)")
_OVERFLOW = ("bfgs_update: the updated matrix has entries beyond float64's range for the given "
             "s and y (|s|/|y|, 1/(y^T s) or y^T B y too large)")


def _bfgs_blocks(B, s, y, sigma, exact: bool = False):
    """B + s w^T + w s^T row block by row block (see bfgs_update), with sigma in place of the 1
    of c; None if a number met is not finite (float arrays only) or y^T s = 0."""
    ys = np.dot(y, s)
    if ys == 0:
        return None
    rho = 1 / ys
    u = B @ y
    c = rho * (sigma + rho * np.dot(y, u))
    w = (c / 2) * s - rho * u
    n = s.size
    out = np.empty(B.shape, dtype=np.result_type(B.dtype, w.dtype))
    rows = max(1, _BLOCK_ENTRIES // max(n, 1))
    for i in range(0, n, rows):
        blk = slice(i, i + rows)
        t = np.multiply.outer(s[blk], w)
        t += np.multiply.outer(w[blk], s)
        np.add(B[blk], t, out=out[blk])
        # one reading pass: the sum is finite when every entry is (a huge finite block whose
        # sum overflows is looked at entry by entry)
        if not (exact or math.isfinite(out[blk].sum()) or np.isfinite(out[blk]).all()):
            return None
    return out


class BFGSState(NamedTuple):
    """B: inverse-Hessian approximation; x_prev, g_prev: previous point and gradient (flattened);
    k: steps taken; n_skipped: pairs skipped by the curvature test."""

    B: np.ndarray
    x_prev: np.ndarray
    g_prev: np.ndarray
    k: int
    n_skipped: int


def bfgs(curvature_tol: float = 1e-10) -> UpdateRule:
    r"""BFGS: a quasi-Newton method that updates an approximation B of the inverse Hessian.

    .. math::

        s_k = x_{k+1} - x_k, \quad y_k = \nabla f(x_{k+1}) - \nabla f(x_k), \quad
        \rho_k = \frac{1}{y_k^\top s_k}

        B_{k+1} = (I - \rho_k s_k y_k^\top) B_k (I - \rho_k y_k s_k^\top) + \rho_k s_k s_k^\top,
        \qquad B_0 = I

        d_{k+1} = -B_{k+1} \nabla f(x_{k+1}), \qquad x_{k+2} = x_{k+1} + \alpha d_{k+1}

    Equations::

        step(state, x, g):                          x = x_{k+1}, g = grad f(x_{k+1})
            if k > 0:                               (the first call has no previous pair)
                s = x - x_prev,  y = g - g_prev
                if y^T s > tol * ||y|| * ||s||:
                    B = bfgs_update(B, s, y)        the notes' formula, see bfgs_update
                else:
                    n_skipped += 1                  B unchanged
            d = -B g                                B_0 = I: the first step is a GD step
            x_prev, g_prev = x, g;  k += 1
        x_{k+2} = x_{k+1} + alpha * d

        tol:   option curvature_tol (>= 0)
        alpha: option lr (or the line search's step; Wolfe steps guarantee y^T s > 0)

    The update satisfies the secant condition ``B_{k+1} y_k = s_k`` and keeps B symmetric
    positive definite when y_k^T s_k > 0. Pairs failing the curvature test (y^T s <= 0 can happen
    with a fixed lr or an Armijo-only line search on a nonconvex f) would destroy positive
    definiteness; they are skipped and counted (Nocedal & Wright, section 6.1, discuss skipping
    and damping). BFGS has no damping option (:func:`lbfgs` has): Powell's damping needs B s for
    the Hessian approximation, here H^{-1} s with H the n x n matrix held (the state's B), a
    linear solve, O(n^3) time and an n x n copy beyond the 2 n^2 of :func:`bfgs_update`.

    Source: lecture notes "Optimization" (seed 004), "BFGS" (procedure, update formula, secant
    condition, B_0 = I); Nocedal & Wright, 2nd ed., section 6.1 (formula 6.17, where H is
    the inverse approximation). PyTorch has no BFGS (``torch.optim.LBFGS`` is limited-memory).

    Examples
    --------
    >>> import numpy as np
    >>> rule = bfgs()
    >>> A = np.array([[2.0, 0.0], [0.0, 4.0]])           # f(x) = x^T A x / 2
    >>> x = np.array([1.0, 1.0])
    >>> state = rule.init(x)
    >>> d, state = rule.step(state, x, A @ x)           # B_0 = I
    >>> d
    array([-2., -4.])
    >>> x1 = x + 0.25 * d
    >>> d, state = rule.step(state, x1, A @ x1)
    >>> s, y = x1 - x, A @ x1 - A @ x
    >>> bool(np.allclose(state.B @ y, s))               # the secant condition B_1 y_0 = s_0
    True
    """
    tol = check_nonnegative("curvature_tol", curvature_tol)

    def init(x0: np.ndarray) -> BFGSState:
        z = state_zeros(x0, shape=(np.asarray(x0).size,))
        B = np.eye(z.size, dtype=z.dtype)
        return BFGSState(B=B, x_prev=z, g_prev=z.copy(), k=0, n_skipped=0)

    def step(state: BFGSState, x: np.ndarray, g: np.ndarray, hess=None):
        shape = np.shape(x)
        xf = _flat_copy(x, state.B.dtype)
        gf = _flat_copy(g, state.B.dtype)
        B, n_skipped = state.B, state.n_skipped
        if state.k > 0:
            s = xf - state.x_prev
            y = gf - state.g_prev
            if _curvature_ok(s, y, tol):
                B = bfgs_update(B, s, y)
            else:
                n_skipped += 1
        d = -(B @ gf)
        return d.reshape(shape), BFGSState(B=B, x_prev=xf, g_prev=gf, k=state.k + 1,
                                           n_skipped=n_skipped)

    return UpdateRule("bfgs", init, step, {"curvature_tol": tol}, counters=("n_skipped",),
                      defaults={"lr": 1.0, "line_search": "wolfe", "xtol": 1e-14,
                                "stpmax": 1e100, "maxls": 100},
                      first_trial=_bfgs_first_trial)


def _bfgs_first_trial(state, lr: float, f: float, f_prev: float | None, g: np.ndarray,
                      d: np.ndarray) -> float:
    """BFGS's first trial step: Nocedal & Wright (3.60), as scipy's BFGS.

    Equations::

        alpha0 = min(lr, 2.02 (f_t - f_{t-1}) / (g_t . d_t))   the step that would repeat the
                                                               last decrease (lr if that is <= 0)
        t = 0:   f_{-1} = f_0 + ||g_0||_2 / 2 (scipy's fictitious value), d_0 = -g_0,
                 so alpha0 = min(lr, 1.01 / ||d_0||_2)
    """
    if f_prev is None:
        return min(lr, 1.01 / float(np.linalg.norm(d)))
    guess = 1.01 * 2 * (f - f_prev) / float(np.dot(g, d))
    return min(lr, guess) if guess > 0 else lr


# --------------------------------------------------------------------------------------------
# L-BFGS


def lbfgs_inverse_hessian(pairs: Sequence[tuple[np.ndarray, np.ndarray]], gamma) -> np.ndarray:
    r"""The n x n matrix that L-BFGS applies implicitly: BFGS updates of gamma*I, oldest pair first.

    .. math::

        H^{(0)} = \gamma I, \qquad H^{(j+1)} = \mathrm{bfgs\_update}(H^{(j)}, s_j, y_j),
        \qquad H_k = H^{(m)}

    ``pairs`` is a sequence of (s, y), oldest first (the order :func:`lbfgs` stores them). The
    two-loop recursion of :func:`lbfgs` returns ``d = -H_k @ g`` without forming H_k (Nocedal &
    Wright, 2nd ed., section 7.2, (7.19)). For tests and teaching: O(m n^2).

    Examples
    --------
    >>> import numpy as np
    >>> s, y = np.array([1.0, 0.0]), np.array([2.0, 0.0])
    >>> lbfgs_inverse_hessian([(s, y)], gamma=0.5)
    array([[0.5, 0. ],
           [0. , 0.5]])
    """
    pairs = [(np.asarray(s).reshape(-1), np.asarray(y).reshape(-1)) for s, y in pairs]
    if not pairs:
        raise ValueError("pairs must hold at least one (s, y) pair, to know n")
    n = pairs[0][0].size
    arrays = [a for p in pairs for a in p]
    exact = any(a.dtype == object for a in arrays)
    dtype = object if exact else np.result_type(*arrays, np.float64)
    if isinstance(gamma, Fraction):  # exact arithmetic keeps the Fraction
        if gamma <= 0:
            raise ValueError(f"gamma must be > 0, got {gamma!r}")
    else:
        gamma = check_positive("gamma", gamma)
    H = gamma * np.eye(n, dtype=dtype)
    for s, y in pairs:
        H = bfgs_update(H, s, y)
    return H


class LBFGSState(NamedTuple):
    """S, Y: tuples of the stored pairs s_i, y_i (flat arrays, oldest first; an array is never
    written after it is created, so states share them and dropping the oldest pair is a tuple
    slice); count: the number of stored pairs; x_prev, g_prev: previous point and gradient; k:
    steps taken; n_skipped: pairs skipped (they failed the curvature test and were not damped);
    n_damped: pairs that failed the curvature test and were stored with Powell's damped y instead;
    gamma: the initial scaling used by the last step; SY, YY: (count, count) Gram matrices
    SY[i, j] = s_i^T y_j and YY[i, j] = y_i^T y_j of the stored pairs (y_i the damped vector for a
    damped pair), kept up to date incrementally."""

    S: tuple
    Y: tuple
    count: int
    x_prev: np.ndarray
    g_prev: np.ndarray
    k: int
    n_skipped: int
    n_damped: int
    gamma: float
    SY: np.ndarray
    YY: np.ndarray


#: the direction is accumulated in blocks of this many elements (128 KiB of float64): the block
#: of d stays in cache while every basis vector is added to it
_COMBINE_BLOCK = 16384


def _combine(d: np.ndarray, coeffs, vectors) -> None:
    """d += sum_i coeffs[i] * vectors[i], in place, vectors added in order.

    For floats this runs over cache-sized blocks of d with one block-sized scratch buffer: each
    vector is read once, d once, and no temporary of length n is made. Element by element it is
    the same sequence of roundings as ``for c, v in ...: d += c * v``. Object arrays (Fractions)
    take that loop.
    """
    if d.dtype.kind != "f":
        for c, v in zip(coeffs, vectors):
            d += c * v
        return
    b = min(_COMBINE_BLOCK, d.size)
    scratch = np.empty(b, dtype=d.dtype)
    for i in range(0, d.size, b):
        db = d[i:i + b]
        tb = scratch[:db.size]
        for c, v in zip(coeffs, vectors):
            np.multiply(v[i:i + b], c, out=tb)
            np.add(db, tb, out=db)


#: lbfgs stacks its 2m + 1 basis vectors in one array per step while n <= _STACK_MAX_N and
#: the array has at most _STACK_MAX_ENTRIES entries (1 MiB of float64; this binds for m > 31);
#: beyond, they stay separate (see lbfgs, "How it is computed", for the measurements)
_STACK_MAX_N = 2048
_STACK_MAX_ENTRIES = 1 << 17


def _scalars(a: np.ndarray) -> list:
    """a's entries as a (nested) list of scalars that compute exactly as a's dtype does.

    float64 and object arrays go through ``.tolist()``: Python floats are IEEE doubles, so each
    +, -, *, / rounds exactly as numpy's float64 scalars do (and costs a fraction of the time), and
    object arrays give back their Fractions. Other dtypes (float32) keep numpy scalars, so that
    their arithmetic stays in their precision.
    """
    if a.dtype == np.float64 or a.dtype == object:
        return a.tolist()
    return [list(r) for r in a] if a.ndim == 2 else list(a)


def _two_loop_coefficients(sg, yg, SY, YY, rho, gamma):
    """The two-loop recursion on numbers: the coefficients of d = -H g in the basis (g, s_i, y_i).

    sg[i] = s_i^T g, yg[i] = y_i^T g; SY, YY the Gram matrices of the stored pairs (oldest
    first), as nested lists (rows); rho[i] = 1 / SY[i][i]; gamma the initial scaling. Returns
    (c_g, c_s, c_y) with d = c_g g + sum_i c_s[i] s_i + sum_i c_y[i] y_i, as lists of scalars.
    Every inner product the vector recursion takes is expanded in the basis: in the first loop
    q = g - sum_{j>i} alpha_j y_j, so s_i^T q = sg[i] - sum_{j>i} alpha_j SY[i, j]; in the
    second r = gamma q + sum_{j<i} (alpha_j - beta_j) s_j, so y_i^T r = gamma yg[i]
    - gamma sum_j alpha_j YY[i, j] + sum_{j<i} (alpha_j - beta_j) SY[j, i].
    """
    p = len(sg)
    alpha = [0] * p
    for i in reversed(range(p)):            # first loop, newest to oldest
        sq = sg[i]
        for a, sy in zip(alpha[i + 1:], SY[i][i + 1:]):
            sq = sq - a * sy
        alpha[i] = rho[i] * sq
    ry = [-(gamma * a) for a in alpha]      # r = gamma q: coefficients on y_j and g
    rs = [0] * p
    for i in range(p):                      # second loop, oldest to newest
        yr = gamma * yg[i]
        for c, yy in zip(ry, YY[i]):
            yr = yr + c * yy
        for j in range(i):
            yr = yr + rs[j] * SY[j][i]
        beta = rho[i] * yr
        rs[i] = alpha[i] - beta
    return -gamma, [-c for c in rs], [-c for c in ry]


def _grown_gram(SY, YY, drop, sy_col, s_y_row, yy_col, ys, yy):
    """The Gram matrices after the oldest ``drop`` pairs left and the pair (s, y) came in.

    sy_col[j] = s_j^T y, s_y_row[j] = s^T y_j, yy_col[j] = y_j^T y over the pairs kept (oldest
    first); ys = y^T s and yy = y^T y the new corner. New (p, p) arrays: the old ones are
    never written, states share them.
    """
    p = SY.shape[0] - drop + 1
    SY_new = np.empty((p, p), dtype=SY.dtype)
    YY_new = np.empty((p, p), dtype=SY.dtype)
    SY_new[:-1, :-1] = SY[drop:, drop:]
    YY_new[:-1, :-1] = YY[drop:, drop:]
    SY_new[:-1, -1] = sy_col
    SY_new[-1, :-1] = s_y_row
    YY_new[:-1, -1] = YY_new[-1, :-1] = yy_col
    SY_new[-1, -1], YY_new[-1, -1] = ys, yy
    return SY_new, YY_new


def _row_dots(V: np.ndarray, w: np.ndarray) -> np.ndarray:
    """[np.dot(v, w) for v in V] as an array, in one call: np.vecdot (numpy >= 2) takes each
    row's product with the same BLAS dot as np.dot (the tests check it bit for bit); older
    numpy makes the calls one by one."""
    if _HAS_VECDOT:
        return np.vecdot(V, w)
    return np.array([np.dot(v, w) for v in V], dtype=V.dtype)


_HAS_VECDOT = hasattr(np, "vecdot")


def _row_combination(coeffs: np.ndarray, V: np.ndarray) -> np.ndarray:
    """sum_i coeffs[i] * V[i] for a C-ordered (k, n) array V (a new length-n array).

    Element by element the same roundings as ``d = coeffs[0] * V[0]; d += coeffs[i] * V[i]``
    for i = 1, 2, ... in order (the products are single roundings either way): numpy reduces the
    outer axis of a C-ordered array by adding its rows in order, one at a time. A (k, 1) array
    is reduced over its only long axis, pairwise; for n = 1 the running sum of add.accumulate
    (sequential by definition) is taken instead. The tests check this bit for bit.
    """
    T = coeffs[:, None] * V
    if V.shape[1] == 1:
        return np.add.accumulate(T, axis=0)[-1].copy()
    return np.add.reduce(T, axis=0)


def lbfgs(memory: int = 10, curvature_tol: float = 1e-10, damping: bool = True) -> UpdateRule:
    r"""L-BFGS: BFGS with the last ``memory`` pairs (s_i, y_i) instead of an n x n matrix.

    The direction is :math:`d_k = -H_k \nabla f(x_k)` where :math:`H_k` is the result of applying
    the BFGS update (see :func:`bfgs`) for each stored pair, oldest first, to
    :math:`H_k^0 = \gamma_k I`, with

    .. math::

        \gamma_k = \frac{s_{k-1}^\top y_{k-1}}{y_{k-1}^\top y_{k-1}}
        \quad (\gamma_k = 1 \text{ with no stored pair}),

    given by the two-loop recursion without forming H_k.

    Equations::

        step(state, x, g):                          x = x_k, g = grad f(x_k)
            if k > 0:
                s = x - x_prev,  y = g - g_prev
                Bs = s / gamma_prev                  B s for B = B_0 = I / gamma_prev
                if y^T s > tol * ||y|| * ||s||:  store (s, y), dropping the oldest beyond m pairs
                elif damping and s^T y < 0.2 s^T Bs:               (Powell's damping)
                    theta = 0.8 s^T Bs / (s^T Bs - s^T y)          0 < theta <= 1
                    y_d   = theta y + (1 - theta) Bs               s^T y_d = 0.2 s^T Bs > 0
                    if y_d^T s > tol * ||y_d|| * ||s||:  store (s, y_d) as above;  n_damped += 1
                    else:                                n_skipped += 1
                else:                            n_skipped += 1
            q = g
            for i = newest ... oldest:               (first loop, backward)
                rho_i   = 1 / (y_i^T s_i)
                alpha_i = rho_i * s_i^T q
                q       = q - alpha_i * y_i
            gamma = s^T y / y^T y of the newest pair  (1 if none stored)
            r = gamma * q
            for i = oldest ... newest:               (second loop, forward)
                beta = rho_i * y_i^T r
                r    = r + s_i * (alpha_i - beta)
            d = -r                                   d = -H_k g, H_k = lbfgs_inverse_hessian
        x_{k+1} = x_k + lr * d

        m:          option memory (an int >= 1)
        tol:        option curvature_tol (>= 0)
        damping:    option damping (True: Powell's damping of a pair that fails the test;
                    False: skip it, the classical L-BFGS)
        gamma_prev: state.gamma, the gamma of the step that moved by s (1 if it had no pair)
        lr:         option lr (or the line search's step)

    (alpha_i of the two loops is the algorithm's scalar, not the step size lr.)

    Damping. A step whose line search checks only sufficient decrease (Armijo) can give
    y^T s <= 0 wherever f has negative curvature along s. Skipping such pairs keeps H_k positive
    definite but can stall: the stored pairs and gamma stay those of the last good pair, so each
    later step is again a short step along the direction of negative curvature, which Armijo
    accepts at once (it never lengthens a step), and whose pair is skipped in turn. On
    Rosenbrock's valley near (-1, 1), where the Hessian is indefinite (x_2 > x_1^2 + 0.005),
    this repeats for hundreds of iterations. Powell's damping instead stores (s, y_d): y_d is
    moved from y towards B s just enough that s^T y_d = 0.2 s^T B s > 0, so H_k stays positive
    definite and records along s a curvature of 0.2 times the model's, and the next steps along
    s grow. The Hessian model B is L-BFGS's initial matrix of the step just taken,
    B_0 = (H^0)^{-1} = I / gamma_prev (O(n), exact in Fractions), not the full L-BFGS matrix.
    A pair that passes the curvature test is never changed, so every run that skips no pair
    (with the Wolfe search, whose steps give y^T s > 0, for one) is bit for bit the same with
    damping=True as with damping=False.

    How it is computed (the "vector-free" form of W. Chen, Z. Wang, J. Zhou, "Large-scale
    L-BFGS using MapReduce", NIPS 2014): q and r always lie in the span of g, s_i, y_i, so the
    two loops run on their coefficients in that basis, and every inner product they take is a
    combination of the numbers s_i^T g, y_i^T g, SY[i, j] = s_i^T y_j and YY[i, j] = y_i^T y_j.
    The state keeps SY and YY; a step computes only the inner products that are new (the new
    pair's with the stored ones, and every basis vector's with g: about 5m dot products), runs
    the two loops on m x m numbers, and forms d as one linear combination of the 2m + 1 vectors.
    The two loops run on Python scalars (the matrices' ``.tolist()``): Python floats round each
    +, -, *, / exactly as numpy's float64 scalars, at a fraction of their cost; Fractions stay
    Fractions, and float32 keeps numpy's float32 scalars. The O(m n) part takes one of two
    paths, by n and the size of the (2m + 1, n) array the basis would fill:

    - n <= 2048 and (2m + 1) n <= 2^17: the vectors are stacked as the rows of one array
      V = [g; s_0 ... s_{p-1}; y_0 ... y_{p-1}], the new dot products are three ``np.vecdot``
      calls on V (numpy >= 2), and d is one reduction over the rows of c V (c the
      coefficients): a few numpy calls per step instead of about seven per pair. With m = 10
      a step takes half the time of the separate form at n <= 256 and 0.83 of it at n = 2048
      (measured 2026-12-03, one BLAS thread; about equal at m = 1, with few calls to save).
    - beyond: no (m, n) array is built or copied: one ``np.dot`` per inner product, and d
      accumulated in place, block by block, so each vector is read once. Copying the 2m + 1
      vectors costs more than the calls it saves from about n = 4096, and with arrays of
      1.7 MB and more a stacked step took 5 to 8 times as long in some runs (m = 10,
      n = 10^4 and 3 10^4; m = 30, n = 4096): ``bench/bench_lbfgs_small.py`` times both paths.

    Both paths do the same floating-point operations in the same order (``np.vecdot`` takes each
    row's product with the BLAS dot that ``np.dot`` calls, and the reduction adds the rows in
    order, as the block loop does), so d is bit for bit the same on either (tested). That is
    O(m n) per step; in exact arithmetic (Fractions) it is the two-loop recursion's d exactly, in
    floats the same up to round-off. Stored pairs are never written again, so ``step`` stays pure
    while the states it returns share the pair arrays.

    With memory >= the number of pairs stored so far, the direction is exactly that of
    :func:`bfgs` restarted from B_0 = gamma_k I on the same points, if no pair was damped
    (gamma_k changes with k, so L-BFGS and BFGS with a fixed B_0 are different methods).

    Source: lecture notes "Optimization" (seed 004), "L-BGFS" (the two-loop recursion and gamma_k);
    Nocedal & Wright, 2nd ed., section 7.2, Algorithm 7.4 (two-loop recursion) and (7.20)
    (gamma_k); D. C. Liu, J. Nocedal, "On the limited memory BFGS method for large scale
    optimization", Math. Programming 45, 1989; Chen, Wang & Zhou, NIPS 2014 (vector-free form).
    Damping: M. J. D. Powell, "Algorithms for nonlinear constraints that use Lagrangian
    functions", Math. Programming 14, 1978; Nocedal & Wright, Procedure 18.2 ((18.14) and
    (18.15), theta and y_d, B the Hessian approximation); for L-BFGS, M. Al-Baali,
    L. Grandinetti, O. Pisacane, "Damped techniques for the limited memory BFGS method for
    large-scale optimization", JOTA 161, 2014 (also with line searches that check only
    sufficient decrease); damping against the initial matrix instead of the full L-BFGS matrix,
    as in X. Wang, S. Ma, D. Goldfarb, W. Liu, "Stochastic quasi-Newton methods for nonconvex
    stochastic optimization", SIAM J. Optim. 27(2), 2017 (SdLBFGS, with 0.25 instead of 0.2).

    PyTorch: ``torch.optim.LBFGS(params, history_size=m)`` uses the same two-loop recursion and
    gamma, but wraps it in its own loop (max_iter inner iterations per ``step``, its own
    tolerances and optional strong-Wolfe search), so its iterates are not compared here.

    Examples
    --------
    >>> import numpy as np
    >>> rule = lbfgs(memory=5)
    >>> A = np.array([[2.0, 0.0], [0.0, 4.0]])           # f(x) = x^T A x / 2
    >>> x = np.array([1.0, 1.0])
    >>> state = rule.init(x)
    >>> d, state = rule.step(state, x, A @ x)           # no pair yet: gamma = 1, d = -g
    >>> d
    array([-2., -4.])
    >>> x = x + 0.25 * d
    >>> d, state = rule.step(state, x, A @ x)
    >>> state.count, state.S[0], state.Y[0]
    (1, array([-0.5, -1. ]), array([-1., -4.]))

    Damping, in exact arithmetic: f'(0) = 1, f'(-1) = 2 (f concave along the step, y^T s = -1)

    >>> from fractions import Fraction as F
    >>> rule = lbfgs(curvature_tol=0)
    >>> x0, g0 = np.array([F(0)]), np.array([F(1)])
    >>> d, state = rule.step(rule.init(x0), x0, g0)     # d = -g0: s = -1, B s = s / 1
    >>> d, state = rule.step(state, x0 + d, np.array([F(2)]))
    >>> state.Y[0], state.n_damped, state.n_skipped     # theta = 0.8 / 2, s^T y_d = 1/5
    (array([Fraction(-1, 5)], dtype=object), 1, 0)
    >>> d                                               # gamma = 5: a long step along s
    array([Fraction(-10, 1)], dtype=object)
    """
    m = check_count("memory", memory)
    tol = check_nonnegative("curvature_tol", curvature_tol)
    damping = check_bool("damping", damping)

    def init(x0: np.ndarray) -> LBFGSState:
        z = state_zeros(x0, shape=(np.asarray(x0).size,))
        gram = np.zeros((0, 0), dtype=z.dtype)
        return LBFGSState(S=(), Y=(), count=0, x_prev=z, g_prev=z.copy(), k=0, n_skipped=0,
                          n_damped=0, gamma=1.0, SY=gram, YY=gram.copy())

    def step(state: LBFGSState, x: np.ndarray, g: np.ndarray, hess=None):
        shape = np.shape(x)
        dtype = state.x_prev.dtype
        xf = _flat_copy(x, dtype)
        gf = _flat_copy(g, dtype)
        S, Y, SY, YY = state.S, state.Y, state.SY, state.YY
        n_skipped, n_damped = state.n_skipped, state.n_damped
        stacked = xf.size <= _STACK_MAX_N and (2 * m + 1) * xf.size <= _STACK_MAX_ENTRIES
        new_pair = None
        if state.k > 0:
            s = xf - state.x_prev
            y = gf - state.g_prev
            ys, yy = np.dot(y, s), np.dot(y, y)         # also the Gram matrices' new corner
            ok = _curvature_ok(s, y, tol, ys=ys, yy=yy)
            if not ok and damping:
                # Powell's damping with the Hessian model B_0 = I / gamma of the step just taken
                y_d = _powell_damped_y(s, y, s / state.gamma)
                if y_d is not None:
                    ys_d, yy_d = np.dot(y_d, s), np.dot(y_d, y_d)
                    if _curvature_ok(s, y_d, tol, ys=ys_d, yy=yy_d):
                        y, ys, yy, ok = y_d, ys_d, yy_d, True
                        n_damped += 1
            if ok:
                drop = 1 if len(S) == m else 0          # the oldest pair leaves a full memory
                S, Y = S[drop:] + (s,), Y[drop:] + (y,)
                new_pair = (drop, s, y, ys, yy)
            else:
                n_skipped += 1

        p = len(S)
        if stacked:
            # small n: the basis vectors as the rows of one (2p + 1, n) array, rows g, s_i, y_i
            V = np.array((gf,) + S + Y, dtype=dtype)
            if new_pair is not None:
                drop, s, y, ys, yy = new_pair
                v_y = _row_dots(V[1:], y)               # s_j^T y, then y_j^T y
                SY, YY = _grown_gram(SY, YY, drop, v_y[:p - 1], _row_dots(V[p + 1:-1], s),
                                     v_y[p:-1], ys, yy)
            vg = _scalars(_row_dots(V[1:], gf))
            sg, yg = vg[:p], vg[p:]
        else:
            # large n: no (m, n) array is built; one dot product per pair of vectors
            if new_pair is not None:
                drop, s, y, ys, yy = new_pair
                SY, YY = _grown_gram(SY, YY, drop, [np.dot(v, y) for v in S[:-1]],
                                     [np.dot(s, v) for v in Y[:-1]],
                                     [np.dot(v, y) for v in Y[:-1]], ys, yy)
            sg = _scalars(np.array([np.dot(v, gf) for v in S], dtype=dtype))
            yg = _scalars(np.array([np.dot(v, gf) for v in Y], dtype=dtype))

        one = 1 if dtype.kind == "O" else dtype.type(1)
        # gamma by numpy's division (y^T y may underflow to 0: inf, as before, not an exception)
        gamma = SY[p - 1, p - 1] / YY[p - 1, p - 1] if p else one
        gamma_s = gamma
        if dtype == np.float64:                       # the scalars of _scalars: Python floats
            one, gamma_s = 1.0, float(gamma)
        SYl = _scalars(SY)
        rho = [one / SYl[i][i] for i in range(p)]      # s_i^T y_i > 0: a stored pair passed
        c_g, c_s, c_y = _two_loop_coefficients(sg, yg, SYl, _scalars(YY), rho, gamma_s)
        if stacked:
            d = _row_combination(np.array([c_g] + c_s + c_y, dtype=dtype), V)
        else:
            d = c_g * gf                              # a new array: the only one written here
            _combine(d, c_s + c_y, S + Y)
        return d.reshape(shape), LBFGSState(S=S, Y=Y, count=p, x_prev=xf, g_prev=gf,
                                            k=state.k + 1, n_skipped=n_skipped,
                                            n_damped=n_damped, gamma=gamma, SY=SY, YY=YY)

    return UpdateRule("lbfgs", init, step,
                      {"memory": m, "curvature_tol": tol, "damping": damping},
                      counters=("n_skipped", "n_damped"),
                      defaults={"lr": 1.0, "line_search": "wolfe"},
                      first_trial=_lbfgs_first_trial)


def _lbfgs_first_trial(state, lr: float, f: float, f_prev: float | None, g: np.ndarray,
                       d: np.ndarray) -> float:
    """L-BFGS's first trial step, as L-BFGS-B: lr / ||d||_2 while no pair is stored (d = -g,
    unscaled: a trial of length lr), lr once the pairs scale d."""
    return lr / float(np.linalg.norm(d)) if state.count == 0 else lr
