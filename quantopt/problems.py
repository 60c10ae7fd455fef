r"""Test problems for the optimizers: an objective with its gradient, Hessian and known solutions.

Every factory returns a :class:`Problem`. The conventions (seed 004: "local minima and saddle
points, where the gradient vanishes"; "a high condition number"):

* ``f(x)`` takes ``x`` of shape ``(n,)`` and returns a NumPy float. It also takes ``x`` of shape
  ``(n, ...)``, coordinates along axis 0, and returns shape ``(...)``: ``f(np.stack([X, Y]))``
  evaluates a meshgrid at once, for contour plots.
* ``grad(x)`` maps shape ``(n,)`` to ``(n,)``; ``hess(x)`` maps ``(n,)`` to ``(n, n)``. ``hess``
  may be None: a problem whose source gives no Hessian has none.
* Per-sample problems (``n_samples`` set) take an optional ``batch``, an integer index array:
  ``f(x, batch)``, ``grad(x, batch)``, ``hess(x, batch)`` are means over the samples in the batch
  (with multiplicity, so that sampling with replacement is allowed).
* Inputs are never modified. Integer and float inputs are computed in float64; the polynomial
  problems also accept complex input (for complex-step differentiation).
* ``minimizers`` lists the known global minimizers, one per row, each with ``f = f_star``;
  ``saddles`` lists known saddle points. Both have shape ``(k, n)`` and may be empty.

Equations::

    problem      f(x)                                             minimizers            f*
    quadratic    1/2 (x - c)^T A (x - c),  A = Q diag(lam) Q^T     c                     0
    rosenbrock   sum_i b (x_{i+1} - x_i^2)^2 + (a - x_i)^2         (1, ..., 1)           0
    extended_rosenbrock  sum over pairs b (x_2i - x_2i-1^2)^2 + (a - x_2i-1)^2  (a, a^2, ...)  0
    beale        sum_k (c_k - x + x y^k)^2,  c = (1.5, 2.25, 2.625) (3, 1/2)             0
    himmelblau   (x^2 + y - 11)^2 + (x + y^2 - 7)^2                (3, 2) and three more 0
    saddle       x^2/2 + y^4/4 - y^2/2                              (0, +-1)              -1/4
    least_squares        mean_i (a_i^T x - b_i)^2 / 2              lstsq(A, b)           f(x*)
    logistic_regression  mean_i log(1 + exp(-y_i a_i^T x)) + l2/2 |x|^2   Newton          f(x*)
    logistic_regression_wide  the same, n_features >> n_samples   x* = A^T c*, Newton on c   f(x*)

``rosenbrock`` is the chained form (scipy.optimize.rosen), ``extended_rosenbrock`` the
decoupled pairs of Moré, Garbow & Hillstrom; ``logistic_regression_wide`` has O(n_samples n)
f and grad for n up to 10^6 (the large-scale benchmarks use these two).
"""
from __future__ import annotations

import dataclasses
import functools
import math
import types
from typing import Any, Callable, Mapping

import numpy as np

from ._checks import check_int, check_real

__all__ = [
    "Problem",
    "quadratic",
    "rosenbrock",
    "extended_rosenbrock",
    "beale",
    "himmelblau",
    "saddle",
    "least_squares",
    "logistic_regression",
    "logistic_regression_wide",
    "all_problems",
]

_U = np.finfo(np.float64).eps / 2  # unit round-off of float64, 2**-53


@dataclasses.dataclass(frozen=True, eq=False)
class Problem:
    """An objective with its derivatives and known solutions.

    Attributes
    ----------
    f, grad : callable
        The objective and its gradient (see the module docstring for shapes). For per-sample
        problems each takes an optional second argument ``batch``.
    hess : callable or None
        The Hessian, likewise; None where the problem gives none.
    x0 : ndarray, shape (n,)
        A starting point.
    minimizers : ndarray, shape (k, n)
        Known global minimizers, one per row (k >= 0); ``f`` equals ``f_star`` at each.
    f_star : float
        The minimum value.
    name : str
        The factory's name (the key in :func:`all_problems`).
    saddles : ndarray, shape (s, n)
        Known saddle points (s >= 0).
    n_samples : int or None
        The number of samples of a per-sample problem; None otherwise.
    data : mapping
        Arrays that define the problem (``A``, ``b``, ``y``, ``Q``, ...), read-only. Each key is
        also an attribute: ``problem.A is problem.data["A"]``.

    All arrays are read-only copies, so a Problem cannot be changed after construction.
    """

    f: Callable[..., Any]
    grad: Callable[..., np.ndarray]
    hess: Callable[..., np.ndarray] | None
    x0: np.ndarray
    minimizers: np.ndarray
    f_star: float
    name: str
    saddles: np.ndarray | None = None
    n_samples: int | None = None
    data: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        x0 = _frozen(self.x0)
        n = x0.shape[0]
        saddles = np.empty((0, n)) if self.saddles is None else self.saddles
        object.__setattr__(self, "x0", x0)
        object.__setattr__(self, "minimizers", _frozen(np.reshape(self.minimizers, (-1, n))))
        object.__setattr__(self, "saddles", _frozen(np.reshape(saddles, (-1, n))))
        object.__setattr__(self, "f_star", float(self.f_star))
        frozen_data = {k: _frozen(v) if isinstance(v, np.ndarray) else v
                       for k, v in self.data.items()}
        object.__setattr__(self, "data", types.MappingProxyType(frozen_data))

    def __repr__(self) -> str:
        extra = "" if self.n_samples is None else f", n_samples={self.n_samples}"
        return f"Problem(name={self.name!r}, n={self.n}, f_star={self.f_star!r}{extra})"

    @property
    def n(self) -> int:
        """The dimension of x."""
        return self.x0.shape[0]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "data":
            raise AttributeError(name)
        try:
            return self.data[name]
        except KeyError:
            raise AttributeError(f"Problem {self.name!r} has no attribute {name!r}") from None


def _frozen(a: Any) -> np.ndarray:
    out = np.array(a, dtype=np.float64) if not isinstance(a, np.ndarray) else a.copy()
    out.flags.writeable = False
    return out


def _point(x: Any, n: int, *, grid: bool = False, complex_ok: bool = True) -> np.ndarray:
    """x as a float64 (or complex128) array of shape (n,), or (n, ...) when grid is True."""
    arr = np.asarray(x)
    kinds = "iuf" + ("c" if complex_ok else "")
    if arr.dtype.kind not in kinds:
        raise TypeError(f"x must be an array of real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.result_type(arr.dtype, np.float64), copy=False)
    if arr.ndim == 0 or arr.shape[0] != n or (not grid and arr.ndim != 1):
        wanted = f"({n},) or ({n}, ...)" if grid else f"({n},)"
        raise ValueError(f"x must have shape {wanted}, got {arr.shape}")
    return arr


def _trailing(v: np.ndarray, ndim: int) -> np.ndarray:
    """v of shape (k,) reshaped to broadcast against an array of shape (k, ...) of ndim dims."""
    return v.reshape(v.shape + (1,) * (ndim - 1))


# ---------------------------------------------------------------------------------------------
# Quadratic
# ---------------------------------------------------------------------------------------------
def quadratic(n: int = 2, cond: float = 10.0, angle: float | None = None,
              seed: int | np.random.Generator | None = None,
              center: Any = None) -> Problem:
    r"""A convex quadratic with a prescribed condition number: the zig-zag problem of seed 004.

    .. math::

        f(x) = \tfrac12 (x - c)^\top A (x - c), \qquad A = Q\,\mathrm{diag}(\lambda)\,Q^\top,
        \qquad \lambda_i = \kappa^{i/(n-1)},\ i = 0, \dots, n-1,

    so the eigenvalues are log-spaced from 1 to :math:`\kappa` = ``cond`` and the condition
    number of the Hessian :math:`A` is exactly :math:`\kappa`. Gradient :math:`A(x - c)`,
    Hessian :math:`A`, unique minimizer :math:`c`, :math:`f^* = 0`. Gradient descent with the
    best fixed step contracts the error by :math:`(\kappa - 1)/(\kappa + 1)` per step
    (Nocedal & Wright, *Numerical Optimization*, 2nd ed., 2006, §3.3), hence the zig-zag when
    :math:`\kappa` is large.

    Equations::

        f(x)    = 1/2 (x - c)^T A (x - c),   A = Q diag(lam) Q^T
        lam_i   = cond^(i/(n-1)),  i = 0..n-1       (lam_0 = 1, lam_{n-1} = cond)
        grad(x) = A (x - c),   hess(x) = A,   minimizer c,   f* = 0

    Parameters
    ----------
    n : int
        Dimension, >= 1 (n = 1 needs cond = 1).
    cond : float
        :math:`\kappa \ge 1`, the ratio of the largest to the smallest eigenvalue.
    angle : float, optional
        For n = 2 only: Q is the rotation by ``angle`` radians,
        ``[[cos, -sin], [sin, cos]]``, so the eigenvector of eigenvalue 1 points at ``angle``.
    seed : int or numpy.random.Generator, optional
        When given (and ``angle`` is not), Q is a Haar-random orthogonal matrix drawn with
        ``numpy.random.default_rng(seed)`` (QR of a Gaussian matrix, signs fixed by diag(R);
        Mezzadri, *Notices AMS* 54, 2007). With neither ``angle`` nor ``seed``, Q = I.
    center : array_like, shape (n,), optional
        The minimizer c; zeros by default.

    Returns
    -------
    Problem
        ``data`` holds ``A``, ``Q``, ``eigenvalues`` and ``center``. ``x0`` is
        ``c + (-2, 1, -2, 1, ...)``.
    """
    n = check_int("n", n, 1)
    cond = check_real("cond", cond, minimum=1.0)
    if n == 1 and cond != 1.0:
        raise ValueError(f"cond must be 1 when n = 1 (one eigenvalue), got {cond!r}")
    if angle is not None:
        if n != 2:
            raise ValueError(f"angle is only defined for n = 2, got n = {n}")
        if seed is not None:
            raise ValueError("give angle or seed, not both")
        angle = check_real("angle", angle)
        cos, sin = math.cos(angle), math.sin(angle)
        q = np.array([[cos, -sin], [sin, cos]])
    elif seed is not None:
        q = _haar_orthogonal(n, np.random.default_rng(seed))
    else:
        q = np.eye(n)
    c = np.zeros(n) if center is None else _center(center, n)
    lam = cond ** (np.arange(n) / max(n - 1, 1))
    lam[0], lam[-1] = 1.0, cond
    a = (q * lam) @ q.T
    a = (a + a.T) / 2

    def f(x: Any) -> Any:
        x = _point(x, n, grid=True)
        d = x - _trailing(c, x.ndim)
        return 0.5 * np.sum(d * np.tensordot(a, d, axes=(1, 0)), axis=0)

    def grad(x: Any) -> np.ndarray:
        return a @ (_point(x, n) - c)

    def hess(x: Any) -> np.ndarray:
        _point(x, n)
        return a.copy()

    x0 = c + np.where(np.arange(n) % 2 == 0, -2.0, 1.0)
    return Problem(f, grad, hess, x0, c[None, :], 0.0, "quadratic",
                   data={"A": a, "Q": q, "eigenvalues": lam, "center": c})


def _haar_orthogonal(n: int, rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def _center(center: Any, n: int) -> np.ndarray:
    c = np.asarray(center)
    if c.dtype.kind not in "iuf":
        raise TypeError(f"center must be an array of real numbers, got dtype {c.dtype}")
    c = np.array(c, dtype=np.float64)
    if c.shape != (n,):
        raise ValueError(f"center must have shape ({n},), got {c.shape}")
    if not np.all(np.isfinite(c)):
        raise ValueError("center must be finite")
    return c


# ---------------------------------------------------------------------------------------------
# Rosenbrock
# ---------------------------------------------------------------------------------------------
def rosenbrock(n: int = 2, a: float = 1.0, b: float = 100.0) -> Problem:
    r"""The chained Rosenbrock "banana" function in n dimensions.

    .. math::

        f(x) = \sum_{i=1}^{n-1} b\,(x_{i+1} - x_i^2)^2 + (a - x_i)^2 .

    With :math:`t_i = x_{i+1} - x_i^2`, the gradient is
    :math:`\partial_j f = [j<n]\,\bigl(-4b\,x_j t_j - 2(a - x_j)\bigr) + [j>1]\,2b\,t_{j-1}`
    and the Hessian is tridiagonal:
    :math:`H_{jj} = [j<n]\,(12b\,x_j^2 - 4b\,x_{j+1} + 2) + [j>1]\,2b`,
    :math:`H_{j,j+1} = H_{j+1,j} = -4b\,x_j`.

    The global minimizer makes every term vanish: :math:`x_i = a` for :math:`i < n` and
    :math:`x_{i+1} = x_i^2`, i.e. :math:`(a, a^2)` for n = 2 and, for n > 2, only when
    :math:`a^2 = a`; so n > 2 requires a in {0, 1} (minimizer all a's). :math:`f^* = 0`.
    For a = 1 the n-D form is the one of ``scipy.optimize.rosen``. For 4 <= n <= 7 there is
    also a local, non-global minimizer near (-1, 1, ..., 1) (Shang & Qiu, *Evolutionary
    Computation* 14(1), 2006); it is not listed in ``minimizers``.

    Source: H. H. Rosenbrock, "An automatic method for finding the greatest or least value of a
    function", *The Computer Journal* 3(3), 1960.

    Equations::

        f(x) = sum_{i=1}^{n-1} b (x_{i+1} - x_i^2)^2 + (a - x_i)^2
        t_i  = x_{i+1} - x_i^2
        df/dx_j  = [j<n] (-4 b x_j t_j - 2 (a - x_j)) + [j>1] 2 b t_{j-1}
        H_jj     = [j<n] (12 b x_j^2 - 4 b x_{j+1} + 2) + [j>1] 2 b
        H_j,j+1  = H_j+1,j = -4 b x_j
        minimizer (a, a^2) for n = 2; (a, ..., a) with a in {0, 1} for n > 2;  f* = 0
        x0 = (-1.2, 1, -1.2, 1, ...)

    Parameters
    ----------
    n : int
        Dimension, >= 2.
    a, b : float
        Real a (0 or 1 when n > 2) and b > 0.
    """
    n = check_int("n", n, 2)
    a = check_real("a", a)
    b = check_real("b", b, minimum=0.0, strict=True)
    if n > 2 and a not in (0.0, 1.0):
        raise ValueError(f"a must be 0 or 1 when n > 2 (otherwise the minimizer has no "
                         f"closed form), got {a!r}")

    def f(x: Any) -> Any:
        x = _point(x, n, grid=True)
        head, tail = x[:-1], x[1:]
        return np.sum(b * (tail - head**2) ** 2 + (a - head) ** 2, axis=0)

    def grad(x: Any) -> np.ndarray:
        # The formula's operations in its order (same rounding), written into g and two
        # temporaries instead of eight new arrays: a call costs about a third of the time.
        x = _point(x, n)
        head = x[:-1]
        t = np.multiply(head, head)
        np.subtract(x[1:], t, out=t)                   # t = x_{i+1} - x_i^2
        g = np.empty_like(x)
        gh = g[:-1]
        np.multiply(head, -4 * b, out=gh)
        gh *= t                                         # -4 b x_i t_i
        u = np.subtract(a, head)
        u *= 2
        gh -= u                                         # - 2 (a - x_i)
        g[-1] = 0
        t *= 2 * b
        g[1:] += t                                      # + 2 b t_{j-1}
        return g

    def hess(x: Any) -> np.ndarray:
        x = _point(x, n)
        head = x[:-1]
        diag = np.zeros_like(x)
        diag[:-1] = 12 * b * head**2 - 4 * b * x[1:] + 2
        diag[1:] += 2 * b
        off = -4 * b * head
        return np.diag(diag) + np.diag(off, 1) + np.diag(off, -1)

    minimizer = np.array([a, a * a]) if n == 2 else np.full(n, a)
    x0 = np.where(np.arange(n) % 2 == 0, -1.2, 1.0)
    return Problem(f, grad, hess, x0, minimizer[None, :], 0.0, "rosenbrock",
                   data={"a": a, "b": b})


def extended_rosenbrock(n: int = 4, a: float = 1.0, b: float = 100.0) -> Problem:
    r"""The extended Rosenbrock function: n/2 independent 2-D Rosenbrock problems side by side.

    .. math::

        f(x) = \sum_{i=1}^{n/2} b\,(x_{2i} - x_{2i-1}^2)^2 + (a - x_{2i-1})^2 ,

    a sum over disjoint pairs (x_{2i-1}, x_{2i}), unlike :func:`rosenbrock` (the chained form,
    where each x_i appears in two terms). With :math:`t_i = x_{2i} - x_{2i-1}^2`:
    :math:`\partial_{2i-1} f = -4b\,x_{2i-1} t_i - 2(a - x_{2i-1})`,
    :math:`\partial_{2i} f = 2b\,t_i`; the Hessian is block diagonal with 2 x 2 blocks
    :math:`\begin{pmatrix} 12b\,x_{2i-1}^2 - 4b\,x_{2i} + 2 & -4b\,x_{2i-1} \\
    -4b\,x_{2i-1} & 2b \end{pmatrix}`. The unique minimizer is (a, a^2, a, a^2, ...) for any
    real a (each pair is a 2-D Rosenbrock problem), :math:`f^* = 0`. Quasi-Newton methods
    solve it in a few dozen iterations whatever n (the pairs are alike from the standard start),
    which makes it the usual large-scale test: Moré, Garbow & Hillstrom's problem 21.

    Source: J. J. Moré, B. S. Garbow, K. E. Hillstrom, "Testing unconstrained optimization
    software", *ACM Trans. Math. Software* 7(1), 1981 (problem 21, extended Rosenbrock);
    Nocedal & Wright, 2nd ed., use it for L-BFGS (section 7.2).

    Equations::

        f(x) = sum_{i=1}^{n/2} b (x_{2i} - x_{2i-1}^2)^2 + (a - x_{2i-1})^2      (1-based)
        t_i  = x_{2i} - x_{2i-1}^2
        df/dx_{2i-1} = -4 b x_{2i-1} t_i - 2 (a - x_{2i-1}),   df/dx_{2i} = 2 b t_i
        H: 2 x 2 blocks [[12 b x_{2i-1}^2 - 4 b x_{2i} + 2, -4 b x_{2i-1}],
                         [-4 b x_{2i-1}, 2 b]]
        minimizer (a, a^2, a, a^2, ...),  f* = 0,   x0 = (-1.2, 1, -1.2, 1, ...)

    Parameters
    ----------
    n : int
        Dimension, even and >= 2 (n = 2 is :func:`rosenbrock` with n = 2).
    a, b : float
        Real a and b > 0.
    """
    n = check_int("n", n, 2)
    if n % 2:
        raise ValueError(f"n must be even (the variables come in pairs), got {n}")
    a = check_real("a", a)
    b = check_real("b", b, minimum=0.0, strict=True)

    def f(x: Any) -> Any:
        x = _point(x, n, grid=True)
        odd, even = x[0::2], x[1::2]
        return np.sum(b * (even - odd**2) ** 2 + (a - odd) ** 2, axis=0)

    def grad(x: Any) -> np.ndarray:
        x = _point(x, n)
        odd = x[0::2]
        t = np.multiply(odd, odd)
        np.subtract(x[1::2], t, out=t)                  # t_i = x_{2i} - x_{2i-1}^2
        g = np.empty_like(x)
        go = g[0::2]
        np.multiply(odd, -4 * b, out=go)
        go *= t
        u = np.subtract(a, odd)
        u *= 2
        go -= u                                         # -4 b x t - 2 (a - x)
        np.multiply(t, 2 * b, out=g[1::2])              # 2 b t
        return g

    def hess(x: Any) -> np.ndarray:
        x = _point(x, n)
        odd, even = x[0::2], x[1::2]
        h = np.zeros((n, n), dtype=x.dtype)
        i = np.arange(0, n, 2)
        h[i, i] = 12 * b * odd**2 - 4 * b * even + 2
        h[i, i + 1] = h[i + 1, i] = -4 * b * odd
        h[i + 1, i + 1] = 2 * b
        return h

    minimizer = np.tile([a, a * a], n // 2)
    x0 = np.where(np.arange(n) % 2 == 0, -1.2, 1.0)
    return Problem(f, grad, hess, x0, minimizer[None, :], 0.0, "extended_rosenbrock",
                   data={"a": a, "b": b})


# ---------------------------------------------------------------------------------------------
# Beale
# ---------------------------------------------------------------------------------------------
_BEALE_C = np.array([1.5, 2.25, 2.625])


def beale() -> Problem:
    r"""Beale's function: a narrow curved valley with steep walls.

    .. math::

        f(x, y) = \sum_{k=1}^{3} r_k^2, \qquad r_k = c_k - x + x\,y^k,
        \qquad c = (1.5,\ 2.25,\ 2.625).

    With :math:`\nabla r_k = (y^k - 1,\ k x y^{k-1})` the gradient is
    :math:`2 \sum_k r_k \nabla r_k` and the Hessian is
    :math:`2 \sum_k (\nabla r_k \nabla r_k^\top + r_k \nabla^2 r_k)`, with
    :math:`\nabla^2 r_k = \begin{pmatrix} 0 & k y^{k-1} \\ k y^{k-1} & k(k-1) x y^{k-2}
    \end{pmatrix}`. Global minimizer (3, 1/2), :math:`f^* = 0`. (0, 1) is a saddle point: f is
    constant along x = 0, and there :math:`\partial_x f = 3(y-1) + 4.5(y^2-1) + 5.25(y^3-1)`
    vanishes at y = 1, with Hessian :math:`\begin{pmatrix} 0 & 27.75 \\ 27.75 & 0
    \end{pmatrix}` (eigenvalues :math:`\pm 27.75`), which is indefinite. x0 = (1, 1.5):
    gradient descent with a fixed step of about 1e-2 makes visible progress from there.

    Source: E. M. L. Beale, "On an iterative method for finding a local minimum of a function
    of more than one variable", Tech. Rep. 25, Statistical Techniques Research Group,
    Princeton University, 1958; values as in Surjanovic & Bingham, *Virtual Library of
    Simulation Experiments* (www.sfu.ca/~ssurjano/beale.html).

    Equations::

        r_k = c_k - x + x y^k,   c = (1.5, 2.25, 2.625),   k = 1, 2, 3
        f   = r_1^2 + r_2^2 + r_3^2
        grad r_k = (y^k - 1, k x y^(k-1))
        grad f   = 2 sum_k r_k grad r_k
        hess f   = 2 sum_k (grad r_k grad r_k^T + r_k hess r_k),
        hess r_k = [[0, k y^(k-1)], [k y^(k-1), k (k-1) x y^(k-2)]]
        minimizer (3, 0.5), f* = 0;   saddle (0, 1), hess = [[0, 27.75], [27.75, 0]]
    """
    def residuals(x: np.ndarray) -> np.ndarray:
        u, v = x[0], x[1]
        c = _trailing(_BEALE_C, x.ndim)
        return c - u + u * np.stack([v, v**2, v**3])

    def f(x: Any) -> Any:
        return np.sum(residuals(_point(x, 2, grid=True)) ** 2, axis=0)

    def jacobian(x: np.ndarray) -> np.ndarray:
        u, v = x
        return np.array([[v - 1, u], [v**2 - 1, 2 * u * v], [v**3 - 1, 3 * u * v**2]])

    def grad(x: Any) -> np.ndarray:
        x = _point(x, 2)
        return 2 * residuals(x) @ jacobian(x)

    def hess(x: Any) -> np.ndarray:
        x = _point(x, 2)
        u, v = x
        r = residuals(x)
        j = jacobian(x)
        second = np.array([[[0, 1], [1, 0]],
                           [[0, 2 * v], [2 * v, 2 * u]],
                           [[0, 3 * v**2], [3 * v**2, 6 * u * v]]])
        return 2 * (j.T @ j + np.tensordot(r, second, axes=(0, 0)))

    return Problem(f, grad, hess, np.array([1.0, 1.5]), np.array([[3.0, 0.5]]), 0.0, "beale",
                   saddles=np.array([[0.0, 1.0]]))


# ---------------------------------------------------------------------------------------------
# Himmelblau
# ---------------------------------------------------------------------------------------------
_HIMMELBLAU_MINIMA = ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                      (3.584428, -1.848126))
_HIMMELBLAU_SADDLES = ((0.086677, 2.884255), (-3.073026, -0.081353), (3.385154, 0.073852),
                       (-0.127961, -1.953715))
_HIMMELBLAU_MAXIMUM = (-0.270845, -0.923039)


def _himmelblau_f(x: np.ndarray) -> Any:
    u, v = x[0], x[1]
    return (u**2 + v - 11) ** 2 + (u + v**2 - 7) ** 2


def _himmelblau_grad(x: np.ndarray) -> np.ndarray:
    u, v = x
    r1, r2 = u**2 + v - 11, u + v**2 - 7
    return np.array([4 * u * r1 + 2 * r2, 2 * r1 + 4 * v * r2])


def _himmelblau_hess(x: np.ndarray) -> np.ndarray:
    u, v = x
    r1, r2 = u**2 + v - 11, u + v**2 - 7
    return np.array([[8 * u**2 + 4 * r1 + 2, 4 * (u + v)], [4 * (u + v), 8 * v**2 + 4 * r2 + 2]])


def _newton_root(x: np.ndarray) -> np.ndarray:
    """A zero of the Himmelblau gradient by Newton's method from x, to full float64 accuracy."""
    start = x = np.array(x, dtype=np.float64)
    for _ in range(50):
        step = np.linalg.solve(_himmelblau_hess(x), _himmelblau_grad(x))
        x = x - step
        if np.max(np.abs(step)) <= 4 * _U * np.max(np.abs(x)):
            break
    if np.max(np.abs(x - start)) > 1e-5:
        raise RuntimeError(f"Newton's method from {start} did not converge nearby")
    return x


@functools.cache
def _himmelblau_points() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    minima = np.array([_newton_root(p) for p in _HIMMELBLAU_MINIMA])
    minima[0] = (3.0, 2.0)
    saddles = np.array([_newton_root(p) for p in _HIMMELBLAU_SADDLES])
    maximum = _newton_root(_HIMMELBLAU_MAXIMUM)
    return minima, saddles, maximum


def himmelblau() -> Problem:
    r"""Himmelblau's function: four global minima, four saddles and a local maximum.

    .. math::

        f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2 .

    With :math:`r_1 = x^2 + y - 11`, :math:`r_2 = x + y^2 - 7`:
    :math:`\nabla f = (4x r_1 + 2 r_2,\ 2 r_1 + 4 y r_2)`,
    :math:`\nabla^2 f = \begin{pmatrix} 8x^2 + 4r_1 + 2 & 4(x+y) \\ 4(x+y) & 8y^2 + 4r_2 + 2
    \end{pmatrix}`. :math:`f^* = 0` at four minimizers: (3, 2) exactly, and three others that
    are known only numerically, near (-2.805118, 3.131312), (-3.779310, -3.283186) and
    (3.584428, -1.848126). Those three, the four saddle points near (0.086677, 2.884255),
    (-3.073026, -0.081353), (3.385154, 0.073852), (-0.127961, -1.953715), and the local maximum
    near (-0.270845, -0.923039) (``data["local_maximizer"]``, f = 181.617) are refined from
    these six-decimal literature values by Newton's method on :math:`\nabla f = 0`, iterated
    until the step is below 4 ulp: full float64 accuracy. Computed once, on first use.
    x0 = (0, 0).

    Source: D. M. Himmelblau, *Applied Nonlinear Programming*, McGraw-Hill, 1972; the
    approximate stationary points as listed in Wikipedia's "Himmelblau's function".

    Equations::

        f = r1^2 + r2^2,   r1 = x^2 + y - 11,   r2 = x + y^2 - 7
        grad f = (4 x r1 + 2 r2,  2 r1 + 4 y r2)
        hess f = [[8 x^2 + 4 r1 + 2, 4 (x + y)], [4 (x + y), 8 y^2 + 4 r2 + 2]]
        minimizers (3, 2), ~(-2.805118, 3.131312), ~(-3.779310, -3.283186),
                   ~(3.584428, -1.848126)  (Newton-refined);   f* = 0
    """
    minima, saddles, maximum = _himmelblau_points()

    def f(x: Any) -> Any:
        return _himmelblau_f(_point(x, 2, grid=True))

    def grad(x: Any) -> np.ndarray:
        return _himmelblau_grad(_point(x, 2))

    def hess(x: Any) -> np.ndarray:
        return _himmelblau_hess(_point(x, 2))

    return Problem(f, grad, hess, np.zeros(2), minima, 0.0, "himmelblau", saddles=saddles,
                   data={"local_maximizer": maximum})


# ---------------------------------------------------------------------------------------------
# Saddle
# ---------------------------------------------------------------------------------------------
def saddle() -> Problem:
    r"""A saddle point between two minima, where gradient descent stalls (seed 004).

    .. math::

        f(x, y) = \tfrac12 x^2 + \tfrac14 y^4 - \tfrac12 y^2, \qquad
        \nabla f = (x,\ y^3 - y), \qquad \nabla^2 f = \mathrm{diag}(1,\ 3y^2 - 1).

    The gradient vanishes at (0, 0), where the Hessian diag(1, -1) is indefinite: a saddle
    point (seed 004: "the gradient is zero but a descent direction exists"). The minimizers are
    (0, 1) and (0, -1), with :math:`f^* = -1/4` and Hessian diag(1, 2). From
    x0 = (1, 1e-3), near the saddle's attracting axis, gradient descent with step
    :math:`\alpha` reaches the saddle's neighbourhood quickly (x shrinks by
    :math:`1 - \alpha` per step) and then leaves it slowly (y grows by about
    :math:`1 + \alpha` per step): with :math:`\alpha = 0.1` it needs about 70 steps to reach
    |y| = 0.5. Compare Dauphin et al., "Identifying and attacking the saddle point problem in
    high-dimensional non-convex optimization", NeurIPS 2014.

    Equations::

        f(x, y) = x^2/2 + y^4/4 - y^2/2
        grad    = (x, y^3 - y),   hess = diag(1, 3 y^2 - 1)
        saddle (0, 0);   minimizers (0, 1), (0, -1);   f* = -1/4
        x0 = (1, 1e-3)
    """
    def f(x: Any) -> Any:
        x = _point(x, 2, grid=True)
        u, v = x[0], x[1]
        return 0.5 * u**2 + 0.25 * v**4 - 0.5 * v**2

    def grad(x: Any) -> np.ndarray:
        u, v = _point(x, 2)
        return np.array([u, v**3 - v])

    def hess(x: Any) -> np.ndarray:
        _, v = _point(x, 2)
        return np.diag([np.ones_like(v), 3 * v**2 - 1])

    return Problem(f, grad, hess, np.array([1.0, 1e-3]), np.array([[0.0, 1.0], [0.0, -1.0]]),
                   -0.25, "saddle", saddles=np.zeros((1, 2)))


# ---------------------------------------------------------------------------------------------
# Per-sample problems
# ---------------------------------------------------------------------------------------------
def _batch(batch: Any, n_samples: int) -> np.ndarray | slice:
    """Validate a batch of sample indices; None means all samples."""
    if batch is None:
        return slice(None)
    idx = np.asarray(batch)
    if idx.size and idx.dtype.kind not in "iu":
        raise TypeError(f"batch must be an array of integer indices, got dtype {idx.dtype}")
    if idx.ndim != 1 or idx.size == 0:
        raise ValueError(f"batch must be a non-empty 1-D index array, got shape {idx.shape}")
    if idx.min() < 0 or idx.max() >= n_samples:
        raise ValueError(f"batch indices must be in [0, {n_samples}), got values in "
                         f"[{idx.min()}, {idx.max()}]")
    return idx


def _features(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """a_i^T x for every row a_i, for x of shape (n,) or (n, ...)."""
    return np.tensordot(a, x, axes=(1, 0))


def least_squares(n_samples: int = 100, n_features: int = 5, noise: float = 0.1,
                  seed: int | np.random.Generator | None = 0) -> Problem:
    r"""Linear least squares as a finite sum, for SGD (seed 004: minibatches; seed 002).

    .. math::

        f_B(x) = \frac{1}{2|B|} \sum_{i \in B} (a_i^\top x - b_i)^2, \qquad
        \nabla f_B = \frac{1}{|B|} A_B^\top (A_B x - b_B), \qquad
        \nabla^2 f_B = \frac{1}{|B|} A_B^\top A_B,

    where B is the batch (all samples when ``batch`` is None; repeated indices count with
    their multiplicity). Data: :math:`A_{ij} \sim N(0, 1)`, :math:`x_{\text{true}} \sim N(0, I)`,
    :math:`b = A x_{\text{true}} + \text{noise}\cdot N(0, I)`, drawn in that order from
    ``numpy.random.default_rng(seed)``. The minimizer of the full objective is
    ``numpy.linalg.lstsq(A, b)``; it is unique because ``n_samples >= n_features`` and a
    Gaussian A has full column rank with probability one. :math:`f^* = f(x^*)`. x0 = 0.

    Source: the finite-sum setting of Bottou, Curtis & Nocedal, "Optimization methods for
    large-scale machine learning", *SIAM Review* 60(2), 2018, §2.

    Equations::

        f(x, B)    = 1/(2|B|) sum_{i in B} (a_i^T x - b_i)^2
        grad(x, B) = A_B^T (A_B x - b_B) / |B|
        hess(x, B) = A_B^T A_B / |B|
        x* = lstsq(A, b),   f* = f(x*)

    ``f`` also takes x of shape (n_features, ...). ``data`` holds ``A``, ``b``, ``x_true``;
    ``problem.A`` and ``problem.b`` work too.
    """
    m = check_int("n_samples", n_samples, 1)
    d = check_int("n_features", n_features, 1)
    if m < d:
        raise ValueError(f"n_samples must be >= n_features = {d} (a unique minimizer), got {m}")
    noise = check_real("noise", noise, minimum=0.0)
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, d))
    x_true = rng.standard_normal(d)
    b = a @ x_true + noise * rng.standard_normal(m)

    def f(x: Any, batch: Any = None) -> Any:
        idx = _batch(batch, m)
        x = _point(x, d, grid=True)
        r = _features(a[idx], x) - _trailing(b[idx], x.ndim)
        return 0.5 * np.mean(r**2, axis=0)

    def grad(x: Any, batch: Any = None) -> np.ndarray:
        idx = _batch(batch, m)
        a_b = a[idx]
        return a_b.T @ (a_b @ _point(x, d) - b[idx]) / a_b.shape[0]

    def hess(x: Any, batch: Any = None) -> np.ndarray:
        idx = _batch(batch, m)
        _point(x, d)
        a_b = a[idx]
        h = a_b.T @ a_b / a_b.shape[0]
        return (h + h.T) / 2

    x_star = np.linalg.lstsq(a, b, rcond=None)[0]
    return Problem(f, grad, hess, np.zeros(d), x_star[None, :], f(x_star), "least_squares",
                   n_samples=m, data={"A": a, "b": b, "x_true": x_true})


def _log_sigmoid(z: np.ndarray) -> np.ndarray:
    """log(1 / (1 + exp(-z))), without overflow."""
    return -np.logaddexp(0.0, -z)


def logistic_regression(n_samples: int = 200, n_features: int = 5, l2: float = 1e-2,
                        seed: int | np.random.Generator | None = 0) -> Problem:
    r"""L2-regularized logistic regression as a finite sum, for SGD (seed 002: the negative
    log-likelihood).

    .. math::

        f_B(x) = \frac{1}{|B|} \sum_{i \in B} \log\bigl(1 + e^{-y_i a_i^\top x}\bigr)
                 + \frac{\lambda}{2} \|x\|^2,

    with labels :math:`y_i \in \{-1, +1\}`. With :math:`z_i = y_i a_i^\top x` and the sigmoid
    :math:`\sigma(t) = 1/(1 + e^{-t})`:
    :math:`\nabla f_B = -\frac{1}{|B|}\sum_{i\in B} \sigma(-z_i)\, y_i a_i + \lambda x`,
    :math:`\nabla^2 f_B = \frac{1}{|B|}\sum_{i\in B} \sigma(z_i)\sigma(-z_i)\, a_i a_i^\top
    + \lambda I`. The loss is computed as ``logaddexp(0, -z)``, which neither overflows nor
    loses accuracy for large |z|. For :math:`\lambda > 0` f is
    :math:`\lambda`-strongly convex, so the minimizer is unique.

    Data: :math:`A_{ij} \sim N(0, 1)`, :math:`x_{\text{true}} \sim N(0, I)`, and
    :math:`y_i = +1` with probability :math:`\sigma(a_i^\top x_{\text{true}})`, else -1, drawn in
    that order from ``numpy.random.default_rng(seed)``. The minimizer of the full objective
    is computed at construction by Newton's method from 0 (with Armijo backtracking far from
    the solution) until :math:`\|\nabla f\|_2 < 10^{-12}`, then one more Newton step if it
    lowers the gradient further (to round-off, about 1e-16); :math:`f^* = f(x^*)`. x0 = 0.

    Source: Hastie, Tibshirani & Friedman, *The Elements of Statistical Learning*, 2nd ed.,
    2009, §4.4 (Newton's method for logistic regression); Bottou, Curtis & Nocedal, *SIAM
    Review* 60(2), 2018.

    Equations::

        z_i        = y_i a_i^T x,   sigma(t) = 1 / (1 + exp(-t))
        f(x, B)    = mean_{i in B} log(1 + exp(-z_i)) + l2/2 |x|^2
        grad(x, B) = -mean_{i in B} sigma(-z_i) y_i a_i + l2 x
        hess(x, B) = mean_{i in B} sigma(z_i) sigma(-z_i) a_i a_i^T + l2 I
        x*: Newton's method until |grad f(x*)| < 1e-12, plus one polishing step;  f* = f(x*)

    ``f`` also takes x of shape (n_features, ...). ``data`` holds ``A``, ``y``, ``x_true``
    and ``l2``. ``l2 = 0`` is allowed, but then a minimizer exists only if the data are not
    linearly separable; if Newton's method does not converge, ValueError names l2.
    """
    m = check_int("n_samples", n_samples, 1)
    d = check_int("n_features", n_features, 1)
    l2 = check_real("l2", l2, minimum=0.0)
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, d))
    x_true = rng.standard_normal(d)
    y = np.where(rng.random(m) < np.exp(_log_sigmoid(a @ x_true)), 1.0, -1.0)

    f, grad, hess = _logistic_functions(a, y, l2)
    x_star = _newton_minimize(f, grad, hess, np.zeros(d))
    if x_star is None or not _well_posed(hess(x_star)):
        raise ValueError(f"no minimizer found with l2 = {l2!r}: the data may be linearly "
                         "separable; use l2 > 0")
    return Problem(f, grad, hess, np.zeros(d), x_star[None, :], f(x_star),
                   "logistic_regression", n_samples=m,
                   data={"A": a, "y": y, "x_true": x_true, "l2": l2})


def _logistic_functions(a: np.ndarray, y: np.ndarray, l2: float):
    """f, grad, hess of mean_i log(1 + exp(-y_i a_i^T x)) + l2/2 |x|^2, with batches."""
    m, d = a.shape

    def f(x: Any, batch: Any = None) -> Any:
        idx = _batch(batch, m)
        x = _point(x, d, grid=True, complex_ok=False)
        z = _trailing(y[idx], x.ndim) * _features(a[idx], x)
        return np.mean(-_log_sigmoid(z), axis=0) + 0.5 * l2 * np.sum(x**2, axis=0)

    def grad(x: Any, batch: Any = None) -> np.ndarray:
        idx = _batch(batch, m)
        x = _point(x, d, complex_ok=False)
        a_b, y_b = a[idx], y[idx]
        weights = np.exp(_log_sigmoid(-y_b * (a_b @ x))) * y_b
        return -(weights @ a_b) / a_b.shape[0] + l2 * x

    def hess(x: Any, batch: Any = None) -> np.ndarray:
        idx = _batch(batch, m)
        x = _point(x, d, complex_ok=False)
        a_b = a[idx]
        z = a_b @ x
        weights = np.exp(_log_sigmoid(z) + _log_sigmoid(-z))
        h = (a_b.T * weights) @ a_b / a_b.shape[0]
        return (h + h.T) / 2 + l2 * np.eye(d)

    return f, grad, hess


def logistic_regression_wide(n_features: int = 50, n_samples: int = 20, l2: float = 1e-3,
                             seed: int | np.random.Generator | None = 0) -> Problem:
    r"""L2-regularized logistic regression with many more features than samples (n up to 10^6).

    The objective, gradient and Hessian are those of :func:`logistic_regression` (same formulas,
    same batches); what differs is the data's scale and how the minimizer is found, so that
    n = 10^6 features work: f and grad cost O(n_samples * n) (two matrix-vector products) and
    the data take n_samples * n floats; the n x n Hessian is only formed when ``hess`` is called.

    Data: :math:`A_{ij} \sim N(0, 1/n)` (so :math:`\|a_i\| pprox 1` for every n),
    :math:`x_{	ext{true}} \sim N(0, I_n)`, :math:`y_i = +1` with probability
    :math:`\sigma(a_i^	op x_{	ext{true}})`, else -1, drawn in that order from
    ``numpy.random.default_rng(seed)``. With l2 > 0, f is l2-strongly convex: the minimizer is
    unique. Setting the gradient :math:`-rac1m A^	op(\sigma(-z) \circ y) + \lambda x` to zero
    shows it lies in the row space, :math:`x^* = A^	op c^*` (the representer theorem), so it is
    computed at construction by Newton's method on the m numbers c (with :math:`K = A A^	op`,
    :math:`z = y \circ K c`, :math:`\|x\|^2 = c^	op K c`), until the gradient in c is below
    1e-12, then one polishing step; :math:`f^* = f(x^*)`. x0 = 0.

    Equations::

        z_i        = y_i a_i^T x,   sigma(t) = 1 / (1 + exp(-t))
        f(x, B)    = mean_{i in B} log(1 + exp(-z_i)) + l2/2 |x|^2
        grad(x, B) = -mean_{i in B} sigma(-z_i) y_i a_i + l2 x
        hess(x, B) = mean_{i in B} sigma(z_i) sigma(-z_i) a_i a_i^T + l2 I
        A_ij ~ N(0, 1/n),   x* = A^T c*,  c* = argmin_c f(A^T c)  (Newton in m dimensions)

    Parameters
    ----------
    n_features : int
        n, the dimension of x (>= n_samples).
    n_samples : int
        m >= 1, the number of samples (a few dozen at most for large n: memory m n floats).
    l2 : float
        > 0, the regularization.
    seed : int or numpy.random.Generator, optional

    ``data`` holds ``A``, ``y``, ``x_true``, ``l2`` and ``c_star`` (x* = A^T c_star).

    Source: the representer theorem for regularized empirical risk (B. Schölkopf, R. Herbrich,
    A. J. Smola, "A generalized representer theorem", COLT 2001); Bottou, Curtis & Nocedal,
    *SIAM Review* 60(2), 2018, for logistic regression as a large-scale test problem.
    """
    d = check_int("n_features", n_features, 1)
    m = check_int("n_samples", n_samples, 1)
    if m > d:
        raise ValueError(f"n_samples must be <= n_features = {d} (wide data), got {m}")
    l2 = check_real("l2", l2, minimum=0.0, strict=True)
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, d))
    a *= 1 / math.sqrt(d)
    x_true = rng.standard_normal(d)
    y = np.where(rng.random(m) < np.exp(_log_sigmoid(a @ x_true)), 1.0, -1.0)
    f, grad, hess = _logistic_functions(a, y, l2)
    K = a @ a.T
    K = (K + K.T) / 2

    def f_c(c: np.ndarray) -> float:
        return float(np.mean(-_log_sigmoid(y * (K @ c))) + 0.5 * l2 * (c @ K @ c))

    def r_c(c: np.ndarray) -> np.ndarray:  # grad f(A^T c) = A^T r_c(c)
        return -np.exp(_log_sigmoid(-y * (K @ c))) * y / m + l2 * c

    def grad_c(c: np.ndarray) -> np.ndarray:
        return K @ r_c(c)

    def hess_c(c: np.ndarray) -> np.ndarray:
        z = K @ c
        w = np.exp(_log_sigmoid(z) + _log_sigmoid(-z)) / m
        h = (K * w) @ K + l2 * K
        return (h + h.T) / 2

    c_star = _newton_minimize(f_c, grad_c, hess_c, np.zeros(m))
    if c_star is None:
        raise ValueError("no minimizer found: the rows of A are (nearly) linearly dependent; "
                         "use fewer n_samples or another seed")
    x_star = a.T @ c_star
    return Problem(f, grad, hess, np.zeros(d), x_star[None, :], f(x_star),
                   "logistic_regression_wide", n_samples=m,
                   data={"A": a, "y": y, "x_true": x_true, "l2": l2, "c_star": c_star})


def _newton_minimize(f: Callable, grad: Callable, hess: Callable, x: np.ndarray,
                     gtol: float = 1e-12, maxiter: int = 100) -> np.ndarray | None:
    """Damped Newton: Armijo backtracking until the Newton decrement is small, then full steps.

    Returns the first iterate with ||grad|| < gtol, polished by one more full Newton step when
    that lowers ||grad|| further; None after maxiter iterations or at a singular Hessian.
    """
    for _ in range(maxiter):
        g = grad(x)
        if np.linalg.norm(g) < gtol:
            polished = x - np.linalg.solve(hess(x), g)
            return polished if np.linalg.norm(grad(polished)) < np.linalg.norm(g) else x
        try:
            step = -np.linalg.solve(hess(x), g)
        except np.linalg.LinAlgError:
            return None
        slope = g @ step
        t = 1.0
        if -slope > 1e-8:
            fx = f(x)
            while f(x + t * step) > fx + 1e-4 * t * slope and t > 1e-10:
                t /= 2
        x = x + t * step
    return None


def _well_posed(h: np.ndarray) -> bool:
    """A minimizer is isolated when the Hessian there is safely positive definite; on separable
    data without l2, Newton's iterates run off to infinity, where the Hessian vanishes."""
    eig = np.linalg.eigvalsh(h)
    return bool(eig[0] > 1e-8 * max(1.0, eig[-1]))


def all_problems() -> dict[str, Problem]:
    """A default instance of every problem, by name: for tests and notebooks."""
    return {p.name: p for p in (quadratic(), rosenbrock(), extended_rosenbrock(), beale(),
                                himmelblau(), saddle(), least_squares(), logistic_regression(),
                                logistic_regression_wide())}
