r"""Test problems for the optimizers: an objective with its gradient, Hessian and known solutions.

Every factory returns a :class:`Problem`. The conventions (seed 004: "local minima and saddle
points, where the gradient vanishes"; "a high condition number"):

* ``f(x)`` takes ``x`` of shape ``(n,)`` and returns a NumPy float. It also takes ``x`` of shape
  ``(n, ...)``, coordinates along axis 0, and returns shape ``(...)``: ``f(np.stack([X, Y]))``
  evaluates a meshgrid at once, for contour plots.
* ``grad(x)`` maps shape ``(n,)`` to ``(n,)``; ``hess(x)`` maps ``(n,)`` to ``(n, n)``. ``hess``
  is None for the Moré-Garbow-Hillstrom problems (:func:`mgh`), which are sums of squares
  given by their residuals and Jacobian (:class:`LeastSquaresProblem`).
* Per-sample problems (``n_samples`` set) take an optional ``batch``, an integer index array:
  ``f(x, batch)``, ``grad(x, batch)``, ``hess(x, batch)`` are means over the samples in the batch
  (with multiplicity, so that sampling with replacement is allowed).
* Inputs are never modified. Integer and float inputs are computed in float64; the polynomial
  problems also accept complex input (for complex-step differentiation), and so do the entire
  benchmarks rastrigin, griewank, whitley and schaffer_n2.
* ``minimizers`` lists the known global minimizers, one per row, each with ``f = f_star``;
  ``saddles`` lists known saddle points. Both have shape ``(k, n)`` and may be empty.
* ``bounds`` (shape ``(n, 2)``, rows ``[low, high]``) is the search box of the
  global-optimization benchmarks (:func:`global_problems`), whose minimizers and f* are the
  minima over that box; None for the other problems.
* Where a benchmark is not differentiable, ``grad`` returns the symmetric derivative
  lim_h (f(x + h e_i) - f(x - h e_i)) / 2h, which exists at every such point of these
  functions; each docstring says where that is and what ``hess`` returns there. f, grad and
  hess return no nan for finite input (tested up to |x_i| = 1e6 and at the kinks).

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
    mgh(k)       sum_i r_i(x)^2, Moré-Garbow-Hillstrom problem k   where known exactly   as printed

    global-optimization benchmarks (bounds: the box; kinks: where not differentiable)
    ackley       -20 exp(-0.2 sqrt(mean x^2)) - exp(mean cos 2 pi x) + 20 + e
                 [-32.768, 32.768]^n      0                kink at 0              0
    whitley      sum_ij y_ij^2/4000 - cos y_ij + 1,  y_ij = 100 (x_i^2 - x_j)^2 + (1 - x_j)^2
                 [-10.24, 10.24]^n        (1, ..., 1)                             0
    egg_holder   -(x2 + 47) sin sqrt|x2 + x1/2 + 47| - x1 sin sqrt|x1 - x2 - 47|
                 [-512, 512]^2            (512, 404.2318...)  kinks on 2 lines   -959.6406...
    xin_she_yang_n4  (sum sin^2 x_i - exp(-sum x_i^2)) exp(-sum sin^2 sqrt|x_i|)
                 [-10, 10]^n              0                kinks where x_i = 0   -1
    salomon      1 - cos(2 pi |x|) + 0.1 |x|
                 [-100, 100]^n            0                kink at 0              0
    drop_wave    -(1 + cos(12 |x|)) / (|x|^2/2 + 2)
                 [-5.12, 5.12]^2          0                                       -1
    schaffer_n2  1/2 + (sin^2(x1^2 - x2^2) - 1/2) / (1 + 0.001 |x|^2)^2
                 [-100, 100]^2            0                                       0
    powell       sum over blocks (a + 10b)^2 + 5(c - d)^2 + (b - 2c)^4 + 10(a - d)^4
                 [-4, 5]^n, n = 4k        0                                       0
    rastrigin    10 n + sum x_i^2 - 10 cos(2 pi x_i)
                 [-5.12, 5.12]^n          0                                       0
    griewank     1 + sum x_i^2/4000 - prod cos(x_i / sqrt i)
                 [-600, 600]^n            0                                       0
    styblinski_tang  1/2 sum x_i^4 - 16 x_i^2 + 5 x_i
                 [-5, 5]^n                (-2.9035..., ...)                       -39.1661... n

``rosenbrock`` is the chained form (scipy.optimize.rosen), ``extended_rosenbrock`` the
decoupled pairs of Moré, Garbow & Hillstrom; ``logistic_regression_wide`` has O(n_samples n)
f and grad for n up to 10^6 (the large-scale benchmarks use these two). ``mgh(k)`` is the
test set of Moré, Garbow & Hillstrom (ACM TOMS 7(1), 1981): problems 1-18, 20-26 and 35, as
:class:`LeastSquaresProblem` (residuals and Jacobian too; no Hessian). The global-optimization
benchmarks (:func:`global_problems`) are the functions of the authors' quantization-based
optimization testbench, with the literature's definitions, domains and minima (Jamil & Yang
2013; Surjanovic & Bingham's Virtual Library); each docstring says where the testbench's
variant differs.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import numbers
import types
from typing import Any, Callable, Mapping, NamedTuple

import numpy as np

from ._checks import check_int, check_real, check_real_array, check_rng

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
    "LeastSquaresProblem",
    "mgh",
    "MGH_PROBLEMS",
    "all_problems",
    "ackley",
    "whitley",
    "egg_holder",
    "xin_she_yang_n4",
    "salomon",
    "drop_wave",
    "schaffer_n2",
    "powell",
    "rastrigin",
    "griewank",
    "styblinski_tang",
    "GLOBAL_PROBLEMS",
    "global_problems",
    "shifted",
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
        The Hessian, likewise; None where the problem gives none (the Moré-Garbow-Hillstrom
        problems of :func:`mgh`, whose source gives residuals and Jacobians only).
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
    bounds : ndarray, shape (n, 2), or None
        The search domain, a box: row i is ``[low_i, high_i]``, low_i <= high_i. None for the
        problems without one (all but the global-optimization benchmarks of
        :func:`global_problems`). For those, ``minimizers`` and ``f_star`` are the minima over
        this box.

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
    bounds: np.ndarray | None = None

    def __post_init__(self) -> None:
        x0 = _frozen(self.x0)
        n = x0.shape[0]
        if self.bounds is not None:
            object.__setattr__(self, "bounds", _box(self.bounds, n))
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


def _box(bounds: Any, n: int) -> np.ndarray:
    """bounds as a read-only float64 (n, 2) array of rows [low, high], low <= high, no nan."""
    arr = np.asarray(bounds)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"bounds must be an array of real numbers, got dtype {arr.dtype}")
    if arr.shape != (n, 2):
        raise ValueError(f"bounds must have shape ({n}, 2), got {arr.shape}")
    arr = np.array(arr, dtype=np.float64)
    if np.isnan(arr).any() or np.any(arr[:, 0] > arr[:, 1]):
        raise ValueError("bounds must hold rows [low, high] with low <= high (no nan)")
    arr.flags.writeable = False
    return arr


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
    if cond > PARAMETER_BOUND:
        raise ValueError(f"cond must be <= {PARAMETER_BOUND:g} (so that A, f and grad stay "
                         f"finite away from the minimizer), got {cond!r}")
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
        q = _haar_orthogonal(n, check_rng("seed", seed))
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
    c = check_real_array("center", center, shape=(n,))
    if n and float(np.max(np.abs(c))) > PARAMETER_BOUND:
        raise ValueError(f"center must be within +-{PARAMETER_BOUND:g} (so that x - center and "
                         "f stay finite)")
    return c


def _bounded(**params: float) -> None:
    """Each parameter within +-PARAMETER_BOUND (ValueError naming it)."""
    for name, value in params.items():
        if abs(value) > PARAMETER_BOUND:
            raise ValueError(f"{name} must be within +-{PARAMETER_BOUND:g} (so that f and grad "
                             f"stay finite near the minimizer), got {value!r}")


#: Largest magnitude of a scale parameter (cond, noise, center): finite parameters then give
#: finite data, and f and grad stay finite for |x| up to about this size (1e100^2 * n < 1e308).
PARAMETER_BOUND = 1e100


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
    _bounded(a=a, b=b)
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
    _bounded(a=a, b=b)

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
    if noise > PARAMETER_BOUND:
        raise ValueError(f"noise must be <= {PARAMETER_BOUND:g} (so that b and f stay finite), "
                         f"got {noise!r}")
    rng = check_rng("seed", seed)
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
    if l2 > PARAMETER_BOUND:
        raise ValueError(f"l2 must be <= {PARAMETER_BOUND:g}, got {l2!r}")
    rng = check_rng("seed", seed)
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
    if l2 > PARAMETER_BOUND:
        raise ValueError(f"l2 must be <= {PARAMETER_BOUND:g}, got {l2!r}")
    rng = check_rng("seed", seed)
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


# ---------------------------------------------------------------------------------------------
# Moré, Garbow & Hillstrom (1981): sums of squares given by residuals and their Jacobian
# ---------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class LeastSquaresProblem(Problem):
    """A :class:`Problem` whose objective is a sum of squares, f(x) = sum_i r_i(x)^2.

    Everything of :class:`Problem` holds (``f``, ``grad``, ``x0``, ``minimizers``, ``f_star``,
    ``name``, ``data``); in addition:

    Attributes
    ----------
    residuals : callable
        ``residuals(x)``: the m residuals r(x), shape ``(m,)`` for x of shape ``(n,)``, or
        ``(m, ...)`` for x of shape ``(n, ...)`` (points along axis 0, as ``f`` takes them).
    jacobian : callable
        ``jacobian(x)``: J(x), the ``(m, n)`` matrix of dr_i/dx_j, for x of shape ``(n,)``.
        ``grad(x)`` is ``2 J(x)^T r(x)``.
    local_minima : tuple of float
        f at local, non-global minima that the source lists (some approached only as x runs
        off to infinity), so that a solver ending at one of them can be recognized. Empty
        when none is listed.

    ``hess`` is None: the source gives no Hessians. ``f_star`` is the value the source prints
    (to the digits it prints; nan where it prints none for these n and m); ``minimizers``
    holds the minimizers known exactly and may be empty when f* is known only as a number.
    """

    residuals: Callable[..., np.ndarray] | None = None
    jacobian: Callable[..., np.ndarray] | None = None
    local_minima: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "local_minima", tuple(float(v) for v in self.local_minima))

    @property
    def m(self) -> int:
        """The number of residuals."""
        return self.residuals(self.x0).shape[0]

    def __repr__(self) -> str:
        return (f"LeastSquaresProblem(name={self.name!r}, n={self.n}, m={self.m}, "
                f"f_star={self.f_star!r})")


class _Spec(NamedTuple):
    """What one MGH problem function returns. ``residuals`` maps points given as the rows of a
    (K, n) array to a (K, m) array; ``jacobian`` maps one point (n,) to J, (m, n)."""

    residuals: Callable[[np.ndarray], np.ndarray]
    jacobian: Callable[[np.ndarray], np.ndarray]
    x0: Any
    f_star: float = math.nan
    minimizers: Any = ()
    local_minima: tuple = ()
    data: Mapping[str, Any] = {}


def _cols(v: np.ndarray) -> tuple[np.ndarray, ...]:
    """The coordinates of the points in the rows of v, each as a (K, 1) column: against data
    vectors of shape (m,) they broadcast to (K, m), one row of residuals per point."""
    return tuple(v[:, j:j + 1] for j in range(v.shape[1]))


def _columns(m: int, *cols: Any) -> np.ndarray:
    """The (m, len(cols)) matrix with these columns; scalars are repeated down the column."""
    return np.column_stack([np.broadcast_to(c, (m,)) for c in cols])


def _block_diagonal(blocks: np.ndarray) -> np.ndarray:
    """The block-diagonal matrix of q blocks of shape (b, b), given as a (q, b, b) array."""
    q, b, _ = blocks.shape
    out = np.zeros((q, b, q, b), dtype=blocks.dtype)
    idx = np.arange(q)
    out[idx, :, idx, :] = blocks
    return out.reshape(q * b, q * b)


# The data tables of the paper (Moré, Garbow & Hillstrom 1981, section 3), hand-entered.
_BARD_Y = np.array([0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96,
                    1.34, 2.10, 4.39])
_GAUSSIAN_Y = np.array([0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989,
                        0.3521, 0.2420, 0.1295, 0.0540, 0.0175, 0.0044, 0.0009])
_MEYER_Y = np.array([34780.0, 28610.0, 23650.0, 19630.0, 16370.0, 13720.0, 11540.0, 9744.0,
                     8261.0, 7030.0, 6005.0, 5147.0, 4427.0, 3820.0, 3307.0, 2872.0])
_KOWALIK_Y = np.array([0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342,
                       0.0323, 0.0235, 0.0246])
_KOWALIK_U = np.array([4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625])
_OSBORNE1_Y = np.array([0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784,
                        0.751, 0.718, 0.685, 0.658, 0.628, 0.603, 0.580, 0.558, 0.538, 0.522,
                        0.506, 0.490, 0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.420,
                        0.414, 0.411, 0.406])


def _mgh01(n: int, m: int) -> _Spec:
    """Rosenbrock: problem 21 with n = 2."""
    return _mgh21(2, 2)


def _mgh02(n: int, m: int) -> _Spec:
    def residuals(v):
        x1, x2 = _cols(v)
        return np.hstack([-13 + x1 + ((5 - x2) * x2 - 2) * x2,
                          -29 + x1 + ((x2 + 1) * x2 - 14) * x2])

    def jacobian(x):
        _, x2 = x
        return np.array([[1.0, (10 - 3 * x2) * x2 - 2], [1.0, (3 * x2 + 2) * x2 - 14]])

    return _Spec(residuals, jacobian, [0.5, -2.0], 0.0, [[5.0, 4.0]], (48.9842,))


def _mgh03(n: int, m: int) -> _Spec:
    def residuals(v):
        x1, x2 = _cols(v)
        return np.hstack([1e4 * x1 * x2 - 1, np.exp(-x1) + np.exp(-x2) - 1.0001])

    def jacobian(x):
        x1, x2 = x
        return np.array([[1e4 * x2, 1e4 * x1], [-np.exp(-x1), -np.exp(-x2)]])

    return _Spec(residuals, jacobian, [0.0, 1.0], 0.0)


def _mgh04(n: int, m: int) -> _Spec:
    def residuals(v):
        x1, x2 = _cols(v)
        return np.hstack([x1 - 1e6, x2 - 2e-6, x1 * x2 - 2])

    def jacobian(x):
        x1, x2 = x
        return np.array([[1.0, 0.0], [0.0, 1.0], [x2, x1]])

    return _Spec(residuals, jacobian, [1.0, 1.0], 0.0, [[1e6, 2e-6]])


def _mgh05(n: int, m: int) -> _Spec:
    i, y = np.arange(1, 4), np.array([1.5, 2.25, 2.625])

    def residuals(v):
        x1, x2 = _cols(v)
        return y - x1 * (1 - x2**i)

    def jacobian(x):
        x1, x2 = x
        return _columns(3, x2**i - 1, i * x1 * x2 ** (i - 1))

    return _Spec(residuals, jacobian, [1.0, 1.0], 0.0, [[3.0, 0.5]], data={"y": y})


def _mgh06(n: int, m: int) -> _Spec:
    i = np.arange(1, m + 1)

    def residuals(v):
        x1, x2 = _cols(v)
        return 2 + 2 * i - (np.exp(i * x1) + np.exp(i * x2))

    def jacobian(x):
        x1, x2 = x
        return _columns(m, -i * np.exp(i * x1), -i * np.exp(i * x2))

    return _Spec(residuals, jacobian, [0.3, 0.4], 124.362 if m == 10 else math.nan)


def _helix_angle(x1: Any, x2: Any) -> Any:
    """theta = arctan(x2/x1)/(2 pi), plus 1/2 when x1 < 0: atan2/(2 pi), moved from
    [-1/2, -1/4) to [1/2, 3/4). Where x1 = 0 it is +-1/4, the limit from x1 > 0."""
    theta = np.arctan2(x2, x1) / (2 * np.pi)
    return np.where(theta < -0.25, theta + 1, theta)


def _mgh07(n: int, m: int) -> _Spec:
    def residuals(v):
        x1, x2, x3 = _cols(v)
        return np.hstack([10 * (x3 - 10 * _helix_angle(x1, x2)), 10 * (np.hypot(x1, x2) - 1),
                          x3])

    def jacobian(x):
        x1, x2, _ = x
        r2 = x1 * x1 + x2 * x2
        c, r = 50 / (np.pi * r2), math.sqrt(r2)
        return np.array([[c * x2, -c * x1, 10.0], [10 * x1 / r, 10 * x2 / r, 0.0],
                         [0.0, 0.0, 1.0]])

    return _Spec(residuals, jacobian, [-1.0, 0.0, 0.0], 0.0, [[1.0, 0.0, 0.0]])


def _mgh08(n: int, m: int) -> _Spec:
    u = np.arange(1.0, 16.0)
    v_, w = 16 - u, np.minimum(u, 16 - u)

    def residuals(v):
        x1, x2, x3 = _cols(v)
        return _BARD_Y - (x1 + u / (v_ * x2 + w * x3))

    def jacobian(x):
        _, x2, x3 = x
        d2 = (v_ * x2 + w * x3) ** 2
        return _columns(15, -1.0, u * v_ / d2, u * w / d2)

    return _Spec(residuals, jacobian, [1.0, 1.0, 1.0], 8.21487e-3, (), (17.4286,),
                 {"y": _BARD_Y})


def _mgh09(n: int, m: int) -> _Spec:
    t = (8 - np.arange(1, 16)) / 2

    def residuals(v):
        x1, x2, x3 = _cols(v)
        return x1 * np.exp(-x2 * (t - x3) ** 2 / 2) - _GAUSSIAN_Y

    def jacobian(x):
        x1, x2, x3 = x
        e = np.exp(-x2 * (t - x3) ** 2 / 2)
        return _columns(15, e, -x1 * (t - x3) ** 2 / 2 * e, x1 * x2 * (t - x3) * e)

    return _Spec(residuals, jacobian, [0.4, 1.0, 0.0], 1.12793e-8, data={"y": _GAUSSIAN_Y,
                                                                           "t": t})


def _mgh10(n: int, m: int) -> _Spec:
    t = 45 + 5 * np.arange(1, 17)

    def residuals(v):
        x1, x2, x3 = _cols(v)
        return x1 * np.exp(x2 / (t + x3)) - _MEYER_Y

    def jacobian(x):
        x1, x2, x3 = x
        d = t + x3
        e = np.exp(x2 / d)
        return _columns(16, e, x1 * e / d, -x1 * x2 * e / d**2)

    return _Spec(residuals, jacobian, [0.02, 4000.0, 250.0], 87.9458, data={"y": _MEYER_Y,
                                                                              "t": t})


def _mgh11(n: int, m: int) -> _Spec:
    t = np.arange(1, m + 1) / 100
    y = 25 + (-50 * np.log(t)) ** (2 / 3)

    def residuals(v):
        x1, x2, x3 = _cols(v)
        return np.exp(-np.abs(y - x2) ** x3 / x1) - t

    def jacobian(x):
        x1, x2, x3 = x
        a = np.abs(y - x2)
        p = a**x3
        e = np.exp(-p / x1)
        pos = a > 0  # where y_i = x2 the x2- and x3-derivatives are taken as 0 (their limit)
        safe = np.where(pos, a, 1.0)
        d2 = np.where(pos, e * x3 * np.sign(y - x2) * safe ** (x3 - 1) / x1, 0.0)
        d3 = np.where(pos, -e * p * np.log(safe) / x1, 0.0)
        return _columns(m, e * p / x1**2, d2, d3)

    return _Spec(residuals, jacobian, [5.0, 2.5, 0.15], 0.0, [[50.0, 25.0, 1.5]],
                 data={"y": y, "t": t})


def _mgh12(n: int, m: int) -> _Spec:
    t = np.arange(1, m + 1) / 10
    c = np.exp(-t) - np.exp(-10 * t)

    def residuals(v):
        x1, x2, x3 = _cols(v)
        return np.exp(-t * x1) - np.exp(-t * x2) - x3 * c

    def jacobian(x):
        x1, x2, _ = x
        return _columns(m, -t * np.exp(-t * x1), t * np.exp(-t * x2), -c)

    return _Spec(residuals, jacobian, [0.0, 10.0, 20.0], 0.0,
                 [[1.0, 10.0, 1.0], [10.0, 1.0, -1.0]], data={"t": t})


def _mgh13(n: int, m: int) -> _Spec:
    """Powell singular: problem 22 with n = 4."""
    return _mgh22(4, 4)


def _mgh14(n: int, m: int) -> _Spec:
    s90, s10 = math.sqrt(90), math.sqrt(10)

    def residuals(v):
        x1, x2, x3, x4 = _cols(v)
        return np.hstack([10 * (x2 - x1**2), 1 - x1, s90 * (x4 - x3**2), 1 - x3,
                          s10 * (x2 + x4 - 2), (x2 - x4) / s10])

    def jacobian(x):
        x1, _, x3, _ = x
        return np.array([[-20 * x1, 10, 0, 0], [-1, 0, 0, 0], [0, 0, -2 * s90 * x3, s90],
                         [0, 0, -1, 0], [0, s10, 0, s10], [0, 1 / s10, 0, -1 / s10]],
                        dtype=np.float64)

    return _Spec(residuals, jacobian, [-3.0, -1.0, -3.0, -1.0], 0.0, [[1.0, 1.0, 1.0, 1.0]])


def _mgh15(n: int, m: int) -> _Spec:
    y, u = _KOWALIK_Y, _KOWALIK_U

    def residuals(v):
        x1, x2, x3, x4 = _cols(v)
        return y - x1 * (u * u + u * x2) / (u * u + u * x3 + x4)

    def jacobian(x):
        x1, x2, x3, x4 = x
        num, den = u * u + u * x2, u * u + u * x3 + x4
        return _columns(11, -num / den, -x1 * u / den, x1 * num * u / den**2,
                        x1 * num / den**2)

    return _Spec(residuals, jacobian, [0.25, 0.39, 0.415, 0.39], 3.07505e-4, (), (1.02734e-3,),
                 {"y": y, "u": u})


def _mgh16(n: int, m: int) -> _Spec:
    t = np.arange(1, m + 1) / 5
    e, s, c = np.exp(t), np.sin(t), np.cos(t)

    def residuals(v):
        x1, x2, x3, x4 = _cols(v)
        return (x1 + t * x2 - e) ** 2 + (x3 + x4 * s - c) ** 2

    def jacobian(x):
        x1, x2, x3, x4 = x
        a, b = 2 * (x1 + t * x2 - e), 2 * (x3 + x4 * s - c)
        return _columns(m, a, a * t, b, b * s)

    return _Spec(residuals, jacobian, [25.0, 5.0, -5.0, -1.0],
                 85822.2 if m == 20 else math.nan, data={"t": t})


def _mgh17(n: int, m: int) -> _Spec:
    t = 10.0 * np.arange(33)

    def residuals(v):
        x1, x2, x3, x4, x5 = _cols(v)
        return _OSBORNE1_Y - (x1 + x2 * np.exp(-t * x4) + x3 * np.exp(-t * x5))

    def jacobian(x):
        _, x2, x3, x4, x5 = x
        e4, e5 = np.exp(-t * x4), np.exp(-t * x5)
        return _columns(33, -1.0, -e4, -e5, t * x2 * e4, t * x3 * e5)

    return _Spec(residuals, jacobian, [0.5, 1.5, -1.0, 0.01, 0.02], 5.46489e-5,
                 data={"y": _OSBORNE1_Y, "t": t})


def _mgh18(n: int, m: int) -> _Spec:
    t = np.arange(1, m + 1) / 10
    y = np.exp(-t) - 5 * np.exp(-10 * t) + 3 * np.exp(-4 * t)

    def residuals(v):
        x1, x2, x3, x4, x5, x6 = _cols(v)
        return x3 * np.exp(-t * x1) - x4 * np.exp(-t * x2) + x6 * np.exp(-t * x5) - y

    def jacobian(x):
        x1, x2, x3, x4, x5, x6 = x
        e1, e2, e5 = np.exp(-t * x1), np.exp(-t * x2), np.exp(-t * x5)
        return _columns(m, -t * x3 * e1, t * x4 * e2, e1, -e2, -t * x6 * e5, e5)

    return _Spec(residuals, jacobian, [1.0, 2.0, 1.0, 1.0, 1.0, 1.0], 0.0,
                 [[1.0, 10.0, 1.0, 5.0, 4.0, 3.0], [4.0, 10.0, 3.0, 5.0, 1.0, 1.0]],
                 (5.65565e-3,) if m == 13 else (), {"y": y, "t": t})


_WATSON_F_STAR = {6: 2.28767e-3, 9: 1.39976e-6, 12: 4.72238e-10, 20: 2.48631e-20}


def _mgh20(n: int, m: int) -> _Spec:
    t = np.arange(1, 30) / 29
    powers = t[:, None] ** np.arange(n)                 # t_i^(j-1), (29, n)
    slopes = np.arange(1, n) * powers[:, :-1]           # (j-1) t_i^(j-2), j = 2..n

    def residuals(v):
        s1, s2 = v[:, 1:] @ slopes.T, v @ powers.T
        x1, x2 = _cols(v[:, :2])
        return np.hstack([s1 - s2**2 - 1, x1, x2 - x1**2 - 1])

    def jacobian(x):
        s2 = powers @ x
        top = np.hstack([np.zeros((29, 1)), slopes]) - 2 * s2[:, None] * powers
        last = np.zeros((2, n))
        last[0, 0], last[1, 0], last[1, 1] = 1.0, -2 * x[0], 1.0
        return np.vstack([top, last])

    return _Spec(residuals, jacobian, np.zeros(n), _WATSON_F_STAR.get(n, math.nan),
                 data={"t": t})


def _mgh21(n: int, m: int) -> _Spec:
    def residuals(v):
        odd, even = v[:, 0::2], v[:, 1::2]
        return np.stack([10 * (even - odd**2), 1 - odd], axis=-1).reshape(v.shape[0], n)

    def jacobian(x):
        blocks = np.zeros((n // 2, 2, 2))
        blocks[:, 0, 0], blocks[:, 0, 1], blocks[:, 1, 0] = -20 * x[0::2], 10.0, -1.0
        return _block_diagonal(blocks)

    return _Spec(residuals, jacobian, np.tile([-1.2, 1.0], n // 2), 0.0, np.ones((1, n)))


def _mgh22(n: int, m: int) -> _Spec:
    s5, s10 = math.sqrt(5), math.sqrt(10)

    def residuals(v):
        a, b, c, d = (v[:, k::4] for k in range(4))
        r = [a + 10 * b, s5 * (c - d), (b - 2 * c) ** 2, s10 * (a - d) ** 2]
        return np.stack(r, axis=-1).reshape(v.shape[0], n)

    def jacobian(x):
        a, b, c, d = (x[k::4] for k in range(4))
        zero, one = np.zeros_like(a), np.ones_like(a)
        p, q = 2 * (b - 2 * c), 2 * s10 * (a - d)
        rows = [[one, 10 * one, zero, zero], [zero, zero, s5 * one, -s5 * one],
                [zero, p, -2 * p, zero], [q, zero, zero, -q]]
        return _block_diagonal(np.moveaxis(np.array(rows), -1, 0))

    return _Spec(residuals, jacobian, np.tile([3.0, -1.0, 0.0, 1.0], n // 4), 0.0,
                 np.zeros((1, n)))


_PENALTY1_F_STAR = {4: 2.24997e-5, 10: 7.08765e-5}
_PENALTY2_F_STAR = {4: 9.37629e-6, 10: 2.93660e-4}


def _mgh23(n: int, m: int) -> _Spec:
    ra = math.sqrt(1e-5)

    def residuals(v):
        return np.hstack([ra * (v - 1), np.sum(v * v, axis=1, keepdims=True) - 0.25])

    def jacobian(x):
        return np.vstack([ra * np.eye(n), 2 * x])

    return _Spec(residuals, jacobian, np.arange(1.0, n + 1), _PENALTY1_F_STAR.get(n, math.nan))


def _mgh24(n: int, m: int) -> _Spec:
    ra = math.sqrt(1e-5)
    i = np.arange(2, n + 1)
    y = np.exp(i / 10) + np.exp((i - 1) / 10)
    weights = np.arange(n, 0, -1)                       # n - j + 1

    def residuals(v):
        e = np.exp(v / 10)
        return np.hstack([v[:, :1] - 0.2, ra * (e[:, 1:] + e[:, :-1] - y),
                          ra * (e[:, 1:] - math.exp(-0.1)),
                          np.sum(weights * v * v, axis=1, keepdims=True) - 1])

    def jacobian(x):
        de = ra * np.exp(x / 10) / 10
        k = np.arange(n - 1)
        jac = np.zeros((2 * n, n))
        jac[0, 0] = 1.0
        jac[1 + k, 1 + k], jac[1 + k, k] = de[1:], de[:-1]
        jac[n + k, 1 + k] = de[1:]
        jac[-1] = 2 * weights * x
        return jac

    return _Spec(residuals, jacobian, np.full(n, 0.5), _PENALTY2_F_STAR.get(n, math.nan),
                 data={"y": y})


def _mgh25(n: int, m: int) -> _Spec:
    j = np.arange(1.0, n + 1)

    def residuals(v):
        s = (v - 1) @ j[:, None]
        return np.hstack([v - 1, s, s * s])

    def jacobian(x):
        return np.vstack([np.eye(n), j, 2 * ((x - 1) @ j) * j])

    return _Spec(residuals, jacobian, 1 - j / n, 0.0, np.ones((1, n)))


def _mgh26(n: int, m: int) -> _Spec:
    i = np.arange(1.0, n + 1)

    def residuals(v):
        return n - np.sum(np.cos(v), axis=1, keepdims=True) + i * (1 - np.cos(v)) - np.sin(v)

    def jacobian(x):
        return np.tile(np.sin(x), (n, 1)) + np.diag(i * np.sin(x) - np.cos(x))

    return _Spec(residuals, jacobian, np.full(n, 1 / n), 0.0, np.zeros((1, n)))


def _mgh35(n: int, m: int) -> _Spec:
    cheb = np.polynomial.chebyshev
    i = np.arange(1, m + 1)
    integral = np.where(i % 2 == 0, -1.0, 0.0) / np.maximum(i * i - 1.0, 1.0)  # int T_i(2x-1)
    derivative = cheb.chebder(np.eye(m + 1))           # column k: T_k' in the basis T_0..

    def residuals(v):
        return np.mean(cheb.chebvander(2 * v - 1, m)[..., 1:], axis=1) - integral

    def jacobian(x):
        slopes = cheb.chebvander(2 * x - 1, m - 1) @ derivative   # T_k'(2 x_j - 1), (n, m+1)
        return 2 * slopes[:, 1:].T / n

    if m == n and (n <= 7 or n == 9):
        f_star = 0.0
    else:
        f_star = {8: 3.51687e-3, 10: 6.50395e-3}.get(n, math.nan) if m == n else math.nan
    return _Spec(residuals, jacobian, np.arange(1, n + 1) / (n + 1), f_star)


class _Entry(NamedTuple):
    name: str
    build: Callable[[int, int], _Spec]
    n: int                  # the default n
    n_rule: tuple           # (smallest, largest or None, step): allowed n
    m: Callable[[int], int]  # the default m for an n
    m_range: Callable[[int], tuple] | None = None  # (smallest, largest or None) if m may vary


def _fixed(value: int) -> Callable[[int], int]:
    return lambda n: value


#: k -> the problem's entry; the keys are the problem numbers of the paper.
_MGH: dict[int, _Entry] = {
    1: _Entry("rosenbrock", _mgh01, 2, (2, 2, 1), _fixed(2)),
    2: _Entry("freudenstein_roth", _mgh02, 2, (2, 2, 1), _fixed(2)),
    3: _Entry("powell_badly_scaled", _mgh03, 2, (2, 2, 1), _fixed(2)),
    4: _Entry("brown_badly_scaled", _mgh04, 2, (2, 2, 1), _fixed(3)),
    5: _Entry("beale", _mgh05, 2, (2, 2, 1), _fixed(3)),
    6: _Entry("jennrich_sampson", _mgh06, 2, (2, 2, 1), _fixed(10), lambda n: (n, None)),
    7: _Entry("helical_valley", _mgh07, 3, (3, 3, 1), _fixed(3)),
    8: _Entry("bard", _mgh08, 3, (3, 3, 1), _fixed(15)),
    9: _Entry("gaussian", _mgh09, 3, (3, 3, 1), _fixed(15)),
    10: _Entry("meyer", _mgh10, 3, (3, 3, 1), _fixed(16)),
    11: _Entry("gulf", _mgh11, 3, (3, 3, 1), _fixed(99), lambda n: (n, 100)),
    12: _Entry("box_3d", _mgh12, 3, (3, 3, 1), _fixed(10), lambda n: (n, None)),
    13: _Entry("powell_singular", _mgh13, 4, (4, 4, 1), _fixed(4)),
    14: _Entry("wood", _mgh14, 4, (4, 4, 1), _fixed(6)),
    15: _Entry("kowalik_osborne", _mgh15, 4, (4, 4, 1), _fixed(11)),
    16: _Entry("brown_dennis", _mgh16, 4, (4, 4, 1), _fixed(20), lambda n: (n, None)),
    17: _Entry("osborne1", _mgh17, 5, (5, 5, 1), _fixed(33)),
    18: _Entry("biggs_exp6", _mgh18, 6, (6, 6, 1), _fixed(13), lambda n: (n, None)),
    20: _Entry("watson", _mgh20, 6, (2, 31, 1), _fixed(31)),
    21: _Entry("extended_rosenbrock", _mgh21, 10, (2, None, 2), lambda n: n),
    22: _Entry("extended_powell_singular", _mgh22, 12, (4, None, 4), lambda n: n),
    23: _Entry("penalty1", _mgh23, 4, (1, None, 1), lambda n: n + 1),
    24: _Entry("penalty2", _mgh24, 4, (1, None, 1), lambda n: 2 * n),
    25: _Entry("variably_dimensioned", _mgh25, 10, (1, None, 1), lambda n: n + 2),
    26: _Entry("trigonometric", _mgh26, 10, (1, None, 1), lambda n: n),
    35: _Entry("chebyquad", _mgh35, 8, (1, None, 1), lambda n: n, lambda n: (n, None)),
}

#: The numbers of the Moré-Garbow-Hillstrom problems :func:`mgh` provides.
MGH_PROBLEMS: tuple[int, ...] = tuple(_MGH)


def _integer(name: str, value: Any) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    return int(value)


def _check_mgh_size(label: str, name: str, value: int, low: int, high: int | None,
                    step: int = 1) -> None:
    if low <= value and (high is None or value <= high) and value % step == 0:
        return
    if high == low:
        allowed = f"{low}"
    else:
        kind = {1: "an integer", 2: "an even integer"}.get(step, f"a multiple of {step},")
        allowed = f"{kind} >= {low}" + ("" if high is None else f" and <= {high}")
    raise ValueError(f"{label} must be {allowed} for {name}, got {value}")


def mgh(k: int, n: int | None = None, m: int | None = None) -> LeastSquaresProblem:
    r"""Problem k of Moré, Garbow & Hillstrom's unconstrained test set: f(x) = sum_i r_i(x)^2.

    The problems of J. J. Moré, B. S. Garbow, K. E. Hillstrom, "Testing unconstrained
    optimization software", *ACM Trans. Math. Software* 7(1):17-41, 1981 (section 3), with
    their numbers: 1-18, 20-26 and 35 (``MGH_PROBLEMS``). Each is given, as in the paper, by
    m residuals :math:`r_i(x)`; :math:`f = \sum_i r_i^2`, :math:`\nabla f = 2 J^\top r` with
    the analytic Jacobian :math:`J_{ij} = \partial r_i / \partial x_j`. The paper's standard
    start is ``x0``; ``f_star`` is the minimum it prints (rounded or truncated to about six
    digits: "f = 8.21487...10^-3"); ``local_minima`` the other minima it lists; ``minimizers``
    the minimizers it gives exactly. Returns a :class:`LeastSquaresProblem` (``residuals``,
    ``jacobian``, ``m``; ``hess`` is None) named ``"mgh%02d_<name>"``, e.g.
    ``"mgh06_jennrich_sampson"``.

    Equations::

        k  name: n, m (defaults)      residuals r_i, i = 1..m
           standard start x0
        1  rosenbrock: 2, 2           10 (x2 - x1^2),  1 - x1
           x0 = (-1.2, 1)
        2  freudenstein_roth: 2, 2    -13 + x1 + ((5 - x2) x2 - 2) x2,
                                      -29 + x1 + ((x2 + 1) x2 - 14) x2
           x0 = (0.5, -2)
        3  powell_badly_scaled: 2, 2  1e4 x1 x2 - 1,  e^-x1 + e^-x2 - 1.0001
           x0 = (0, 1)
        4  brown_badly_scaled: 2, 3   x1 - 1e6,  x2 - 2e-6,  x1 x2 - 2
           x0 = (1, 1)
        5  beale: 2, 3                y_i - x1 (1 - x2^i),  y = (1.5, 2.25, 2.625)
           x0 = (1, 1)
        6  jennrich_sampson: 2, m >= 2 (10)
                                      2 + 2i - (e^(i x1) + e^(i x2))
           x0 = (0.3, 0.4)
        7  helical_valley: 3, 3       10 (x3 - 10 theta),  10 (sqrt(x1^2 + x2^2) - 1),  x3;
                                      theta = arctan(x2/x1) / (2 pi)  [+ 1/2 if x1 < 0]
           x0 = (-1, 0, 0)
        8  bard: 3, 15                y_i - (x1 + u / (v x2 + w x3)),
                                      u = i, v = 16 - i, w = min(u, v)
           x0 = (1, 1, 1)
        9  gaussian: 3, 15            x1 exp(-x2 (t - x3)^2 / 2) - y_i,  t = (8 - i) / 2
           x0 = (0.4, 1, 0)
        10 meyer: 3, 16               x1 exp(x2 / (t + x3)) - y_i,  t = 45 + 5i
           x0 = (0.02, 4000, 250)
        11 gulf: 3, 3 <= m <= 100 (99)
                                      exp(-|y_i - x2|^x3 / x1) - t,  t = i/100,
                                      y_i = 25 + (-50 ln t)^(2/3)
           x0 = (5, 2.5, 0.15)
        12 box_3d: 3, m >= 3 (10)     e^(-t x1) - e^(-t x2) - x3 (e^-t - e^(-10 t)),  t = i/10
           x0 = (0, 10, 20)
        13 powell_singular: 4, 4      problem 22 with n = 4
           x0 = (3, -1, 0, 1)
        14 wood: 4, 6                 10 (x2 - x1^2),  1 - x1,  90^(1/2) (x4 - x3^2),  1 - x3,
                                      10^(1/2) (x2 + x4 - 2),  10^(-1/2) (x2 - x4)
           x0 = (-3, -1, -3, -1)
        15 kowalik_osborne: 4, 11     y_i - x1 (u_i^2 + u_i x2) / (u_i^2 + u_i x3 + x4)
           x0 = (0.25, 0.39, 0.415, 0.39)
        16 brown_dennis: 4, m >= 4 (20)
                                      (x1 + t x2 - e^t)^2 + (x3 + x4 sin t - cos t)^2,  t = i/5
           x0 = (25, 5, -5, -1)
        17 osborne1: 5, 33            y_i - (x1 + x2 e^(-t x4) + x3 e^(-t x5)),  t = 10 (i - 1)
           x0 = (0.5, 1.5, -1, 0.01, 0.02)
        18 biggs_exp6: 6, m >= 6 (13)
                                      x3 e^(-t x1) - x4 e^(-t x2) + x6 e^(-t x5) - y_i,
                                      t = i/10,  y_i = e^-t - 5 e^(-10 t) + 3 e^(-4 t)
           x0 = (1, 2, 1, 1, 1, 1)
        20 watson: 2 <= n <= 31 (6), 31
                                      i <= 29, t = i/29:  sum_{j=2..n} (j - 1) x_j t^(j-2)
                                          - (sum_{j=1..n} x_j t^(j-1))^2 - 1;
                                      r_30 = x1,  r_31 = x2 - x1^2 - 1
           x0 = (0, ..., 0)
        21 extended_rosenbrock: n even (10), n
                                      r_{2i-1} = 10 (x_{2i} - x_{2i-1}^2),  r_{2i} = 1 - x_{2i-1}
           x0 = (-1.2, 1, -1.2, 1, ...)
        22 extended_powell_singular: n = 4k (12), n
                                      on each block (x1, x2, x3, x4) of 4 coordinates:
                                      x1 + 10 x2,  5^(1/2) (x3 - x4),  (x2 - 2 x3)^2,
                                      10^(1/2) (x1 - x4)^2
           x0 = (3, -1, 0, 1, 3, -1, 0, 1, ...)
        23 penalty1: n (4), n + 1     a^(1/2) (x_i - 1) for i <= n,  sum_j x_j^2 - 1/4;
                                      a = 1e-5
           x0 = (1, 2, ..., n)
        24 penalty2: n (4), 2n        x1 - 0.2;
                                      a^(1/2) (e^(x_i/10) + e^(x_{i-1}/10) - y_i), 2 <= i <= n,
                                      y_i = e^(i/10) + e^((i-1)/10);
                                      a^(1/2) (e^(x_{i-n+1}/10) - e^(-1/10)), n < i < 2n;
                                      sum_j (n - j + 1) x_j^2 - 1;  a = 1e-5
           x0 = (1/2, ..., 1/2)
        25 variably_dimensioned: n (10), n + 2
                                      x_i - 1 for i <= n,  s,  s^2;  s = sum_j j (x_j - 1)
           x0_j = 1 - j/n
        26 trigonometric: n (10), n   n - sum_j cos x_j + i (1 - cos x_i) - sin x_i
           x0 = (1/n, ..., 1/n)
        35 chebyquad: n (8), m >= n (n)
                                      (1/n) sum_j T_i(x_j) - int_0^1 T_i(x) dx,  T_i the
                                      Chebyshev polynomial shifted to [0, 1]: T_i(2x - 1);
                                      the integral is -1/(i^2 - 1) for even i, 0 for odd i
           x0_j = j/(n + 1)
        f = sum_i r_i^2,   grad f = 2 J^T r,   J_ij = dr_i/dx_j

    f* as the paper prints it (``f_star``; nan where it prints none for the n, m chosen), the
    minimizers it gives exactly (``minimizers``) and the other minima it lists
    (``local_minima``, values only)::

        1  0 at (1, 1)
        2  0 at (5, 4);  local 48.9842... at (11.41..., -0.8968...)
        3  0 at (1.098...e-5, 9.106...)   (not exact: ``minimizers`` is empty)
        4  0 at (1e6, 2e-6)
        5  0 at (3, 0.5)
        6  124.362... at x1 = x2 = 0.2578... (m = 10)
        7  0 at (1, 0, 0)
        8  8.21487...e-3;  local 17.4286... at (0.8406..., -inf, -inf)
        9  1.12793...e-8
        10 87.9458...
        11 0 at (50, 25, 1.5)
        12 0 at (1, 10, 1), (10, 1, -1), and wherever x1 = x2 and x3 = 0
        13 0 at (0, 0, 0, 0)
        14 0 at (1, 1, 1, 1)
        15 3.07505...e-4;  local 1.02734...e-3 at (+inf, -14.07..., -inf, -inf)
        16 85822.2... (m = 20)
        17 5.46489...e-5
        18 0 at (1, 10, 1, 5, 4, 3) and (4, 10, 3, 5, 1, 1);  local 5.65565...e-3 (m = 13)
        20 2.28767...e-3 (n = 6), 1.39976...e-6 (n = 9), 4.72238...e-10 (n = 12),
           2.48631...e-20 (n = 20)
        21 0 at (1, ..., 1)
        22 0 at (0, ..., 0)
        23 2.24997...e-5 (n = 4), 7.08765...e-5 (n = 10)
        24 9.37629...e-6 (n = 4), 2.93660...e-4 (n = 10)
        25 0 at (1, ..., 1)
        26 0 at (0, ..., 0)
        35 0 (m = n, 1 <= n <= 7 and n = 9), 3.51687...e-3 (m = n = 8),
           6.50395...e-3 (m = n = 10)

    The second minimizer of 18 is the first with the two exponentials e^(-t x1), e^(-t x5)
    exchanged (x1 <-> x5, x3 <-> x6). On 26 the usual solvers stop from x0 at f = 2.79506e-5
    (n = 10), a local minimum the paper does not list.

    Parameters
    ----------
    k : int
        The paper's problem number, one of ``MGH_PROBLEMS``.
    n : int, optional
        The dimension: fixed for problems 1-18 (give it or leave it None); for the others,
        as in the table (defaults in parentheses). The paper fixes no n for problems 20-26 and
        35: the defaults are the smallest n for which it prints f* (20, 23, 24), the first n
        with f* > 0 (35: n = 8), and n = 10 (12 for problem 22, a multiple of 4) where f* = 0
        for every n. ValueError names n and the allowed values otherwise.
    m : int, optional
        The number of residuals, for problems 6, 11, 12, 16, 18 and 35, where the paper lets
        it vary (defaults: the m of the paper's printed f*; for 11, m = 99, as Burkardt's
        ``test_opt`` and Jamil & Yang (2013) use, since the paper fixes none); elsewhere it is
        determined by n, and a different m raises ValueError naming m.

    Notes
    -----
    * Problem 11: the paper prints the residual as exp(-|y_i m i x2|^x3 / x1) - t_i, where
      "m i" is a typesetting slip for the minus sign (the minimizer (50, 25, 1.5) makes every
      residual zero only with y_i - x2); MINPACK's and Burkardt's codes have the minus sign.
    * Problem 7: theta is taken as atan2(x2, x1)/(2 pi) shifted to [-1/4, 3/4), which is the
      paper's formula for x1 != 0 and extends it to x1 = 0, x2 != 0 by continuity from x1 > 0
      (as MINPACK does, sign(1/4, x2)); f jumps across x1 = 0, x2 < 0.
    * Problem 11: where y_i = x2 (only for i = 100, x2 = 25) the residual is not differentiable
      in x2 when x3 <= 1; the Jacobian there holds 0 for the x2 and x3 entries (the limits
      when x3 > 1).

    Examples
    --------
    >>> p = mgh(6)
    >>> p.name, p.n, p.m, p.f_star
    ('mgh06_jennrich_sampson', 2, 10, 124.362)
    >>> float(p.f(p.x0))  # doctest: +ELLIPSIS
    4171.3...
    >>> mgh(21, n=4).residuals([-1.2, 1.0, -1.2, 1.0])
    array([-4.4,  2.2, -4.4,  2.2])
    """
    k = _integer("k", k)
    if k not in _MGH:
        raise ValueError(f"k must be one of {', '.join(map(str, MGH_PROBLEMS))}, got {k}")
    entry = _MGH[k]
    name = f"mgh{k:02d}_{entry.name}"
    n = entry.n if n is None else _integer("n", n)
    _check_mgh_size("n", name, n, *entry.n_rule)
    if m is None:
        m = entry.m(n)
    else:
        m = _integer("m", m)
        if entry.m_range is None:
            _check_mgh_size("m", name, m, entry.m(n), entry.m(n))
        else:
            _check_mgh_size("m", name, m, *entry.m_range(n))
    spec = entry.build(n, m)
    rows, jac = spec.residuals, spec.jacobian

    def residuals(x: Any) -> np.ndarray:
        x = _point(x, n, grid=True, complex_ok=False)
        r = rows(x.reshape(n, -1).T)
        return r.T.reshape((m,) + x.shape[1:])

    def jacobian(x: Any) -> np.ndarray:
        return jac(_point(x, n, complex_ok=False))

    def f(x: Any) -> Any:
        return np.sum(residuals(x) ** 2, axis=0)

    def grad(x: Any) -> np.ndarray:
        x = _point(x, n, complex_ok=False)
        return 2 * (jac(x).T @ rows(x[None, :])[0])

    data = {"k": k, **spec.data}
    return LeastSquaresProblem(f, grad, None, np.array(spec.x0, dtype=np.float64),
                               spec.minimizers, spec.f_star, name, data=data,
                               residuals=residuals, jacobian=jacobian,
                               local_minima=spec.local_minima)


# ---------------------------------------------------------------------------------------------
# Global-optimization benchmarks (issue 13): multimodal functions on a box, with known minima
# ---------------------------------------------------------------------------------------------
# Sources, cited in each docstring as [JY], [SB] and [TB]:
# [JY] M. Jamil, X.-S. Yang, "A literature survey of benchmark functions for global
#      optimization problems", Int. J. Math. Modelling and Numerical Optimisation 4(2):150-194,
#      2013 (arXiv:1308.4008).
# [SB] S. Surjanovic, D. Bingham, Virtual Library of Simulation Experiments: Test Functions
#      and Datasets, www.sfu.ca/~ssurjano/optimization.html.
# [TB] The authors' testbench: github.com/SDE-AI-00/Quantization-based-Optimization, HEAD
#      9fb79b6 (2025-05-23), nlp_test_anonymopus/nlp_functions.py (function IDs 0-9) and the
#      pybenchfunction package it bundles (nlp_test_anonymopus/pybenchfunction/function.py).
#      Read for its definitions only; nothing here is copied from it.


def _testbench_start(n: int) -> np.ndarray:
    """The testbench's fixed start: -1.212 at even (0-based) positions, 1.321 at odd ones."""
    return np.where(np.arange(n) % 2 == 0, -1.212, 1.321)


def _cube(low: float, high: float, n: int) -> np.ndarray:
    """The bounds of the box [low, high]^n, shape (n, 2)."""
    return np.tile([low, high], (n, 1)).astype(np.float64)


def _two_d(n: Any, name: str) -> None:
    n = check_int("n", n, 1)
    if n != 2:
        raise ValueError(f"n must be 2 ({name} is defined in two dimensions only), got {n}")


def _norm0(x: np.ndarray) -> np.ndarray:
    """The Euclidean norm along axis 0, scaled by max |x_i| so that no square over- or
    underflows: exact to a few ulp for every finite x (0 at x = 0)."""
    scale = np.max(np.abs(x), axis=0)
    safe = np.where(scale > 0, scale, 1.0)
    return scale * np.sqrt(np.sum((x / safe) ** 2, axis=0))


def _unit(x: np.ndarray, r: Any) -> np.ndarray:
    """x / r for r = |x| > 0, and 0 where r = 0 (x = 0)."""
    return x / r if r > 0 else np.zeros_like(x)


def _sinc1(z: Any) -> Any:
    """sin(z) / z, and 1 at z = 0."""
    return np.sinc(np.asarray(z) / np.pi)


# (v cos v - sin v) / v^3 = sum_{k>=1} (-1)^k 2k / (2k+1)! v^(2k-2): the coefficients, k = 1..13.
_Q_SERIES = tuple((-1) ** k * 2 * k / math.factorial(2 * k + 1) for k in range(1, 14))


def _q(v: Any) -> Any:
    """(v cos v - sin v) / v^3, the derivative of sinc1 divided by v; -1/3 at v = 0.

    The quotient cancels badly for small v (relative error about 6u/v^2), so below |v| = 2 the
    Taylor series is summed instead (the first omitted term is below 1e-18 there). Measured
    against 40-digit values: within 2 ulp for |v| < 2; beyond, within 3 u (|v| + 1) / |v|^3
    (the rounding of v cos v and sin v; relative accuracy is lost only near the roots of
    tan v = v, as for any formula).
    """
    v = np.asarray(v, dtype=np.float64)
    small = np.abs(v) < 2
    w = v * v
    series = np.zeros_like(v)
    for c in reversed(_Q_SERIES):
        series = series * w + c
    safe = np.where(small, 1.0, v)
    direct = (safe * np.cos(safe) - np.sin(safe)) / safe**3
    return np.where(small, series, direct)


def ackley(n: int = 2) -> Problem:
    r"""The Ackley function: a nearly flat outer region and a deep funnel at the origin.

    .. math::

        f(x) = -a\,e^{-b\,r} - e^{\bar c} + a + e, \qquad
        r = \sqrt{\tfrac1n \textstyle\sum_i x_i^2}, \quad
        \bar c = \tfrac1n \textstyle\sum_i \cos(2\pi x_i), \quad a = 20,\ b = 0.2 .

    Computed as :math:`a(1 - e^{-br}) + e(1 - e^{\bar c - 1})` with ``expm1`` and
    :math:`\bar c - 1 = -\tfrac2n \sum_i \sin^2(\pi x_i)`: both terms are >= 0, f(0) = 0 exactly.
    Global minimizer 0 with :math:`f^* = 0`, unique: both terms vanish only at x = 0.

    Not differentiable at x = 0 only, where :math:`a(1 - e^{-br})` has a cone
    (:math:`\approx a b |x| / \sqrt n`). There ``grad`` returns 0: the symmetric derivative
    :math:`\lim_h (f(x + h e_i) - f(x - h e_i))/2h` (f is even in each x_i), which lies in the
    Clarke subdifferential (the ball of radius :math:`ab/\sqrt n`). The cone's Hessian grows
    like 1/|x| near 0; at x = 0 ``hess`` returns the Hessian of the smooth cosine term alone,
    :math:`(4\pi^2 e / n) I`.

    Domain :math:`[-32.768, 32.768]^n` ([SB]; [JY] use [-35, 35]). x0: the testbench's fixed
    start (-1.212, 1.321, -1.212, ...).

    Testbench ([TB], ID 1): the same function (a, b, c = 20, 0.2, 2 pi) and minimum; its
    domain is changed to [-1.5, 1.5]^n (its formula string still says [-32, 32]^n).

    Source: D. H. Ackley, *A connectionist machine for genetic hillclimbing*, Kluwer, 1987;
    [SB] (ackley.html).

    Equations::

        r     = sqrt(sum_i x_i^2 / n),   cbar = sum_i cos(2 pi x_i) / n
        f     = -20 exp(-0.2 r) - exp(cbar) + 20 + e
              = 20 (1 - exp(-0.2 r)) + e (1 - exp(cbar - 1)),  cbar - 1 = -(2/n) sum sin^2(pi x_i)
        grad  = (4 exp(-0.2 r) / n) x / r  +  (2 pi / n) exp(cbar) sin(2 pi x)
        hess  = (4 exp(-0.2 r) / n) [(I - u u^T) / r - 0.2 u u^T]              (u = x / |x|)
              + exp(cbar) [diag((4 pi^2 / n) cos(2 pi x)) - v v^T],   v = (2 pi / n) sin(2 pi x)
        at x = 0: grad = 0, hess = (4 pi^2 e / n) I   (cone term's terms taken as 0)
        minimizer 0, f* = 0;  domain [-32.768, 32.768]^n
    """
    n = check_int("n", n, 1)
    a, b = 20.0, 0.2

    def f(x: Any) -> Any:
        x = _point(x, n, grid=True, complex_ok=False)
        r = _norm0(x) / math.sqrt(n)
        dip = -(2 / n) * np.sum(np.sin(np.pi * x) ** 2, axis=0)      # cbar - 1
        return -a * np.expm1(-b * r) - math.e * np.expm1(dip)

    def grad(x: Any) -> np.ndarray:
        x = _point(x, n, complex_ok=False)
        norm = _norm0(x)
        cone = (a * b / math.sqrt(n)) * math.exp(-b * norm / math.sqrt(n)) * _unit(x, norm)
        cbar = np.mean(np.cos(2 * np.pi * x))
        return cone + (2 * np.pi / n) * math.exp(cbar) * np.sin(2 * np.pi * x)

    def hess(x: Any) -> np.ndarray:
        x = _point(x, n, complex_ok=False)
        norm = _norm0(x)
        r = norm / math.sqrt(n)
        h = np.zeros((n, n))
        if norm > 0:
            u = x / norm
            uu = np.outer(u, u)
            h += (a * b * math.exp(-b * r) / n) * ((np.eye(n) - uu) / r - b * uu)
        cbar = np.mean(np.cos(2 * np.pi * x))
        v = (2 * np.pi / n) * np.sin(2 * np.pi * x)
        h += math.exp(cbar) * (np.diag((4 * np.pi**2 / n) * np.cos(2 * np.pi * x))
                               - np.outer(v, v))
        return (h + h.T) / 2

    return Problem(f, grad, hess, _testbench_start(n), np.zeros((1, n)), 0.0, "ackley",
                   bounds=_cube(-32.768, 32.768, n))


def rastrigin(n: int = 2) -> Problem:
    r"""The Rastrigin function: a paraboloid with a regular lattice of local minima.

    .. math::

        f(x) = 10 n + \sum_i \bigl(x_i^2 - 10\cos(2\pi x_i)\bigr)
             = \sum_i \bigl(x_i^2 + 20\sin^2(\pi x_i)\bigr),

    computed in the second form (every term >= 0, f(0) = 0 exactly). Separable and smooth:
    :math:`\partial_i f = 2x_i + 20\pi\sin(2\pi x_i)`, diagonal Hessian
    :math:`2 + 40\pi^2\cos(2\pi x_i)`. Global minimizer 0, :math:`f^* = 0`, unique (each term
    vanishes only at x_i = 0); a local minimum near every integer point.

    Domain :math:`[-5.12, 5.12]^n` ([SB]). x0: the testbench's fixed start
    (-1.212, 1.321, ...). Accepts complex input (f is entire), for complex-step
    differentiation.

    Testbench ([TB]): present in the bundled pybenchfunction (same formula, domain and
    minimum) but not among the function IDs the testbench runs.

    Source: L. A. Rastrigin, *Systems of extremal control*, Nauka, 1974; [SB] (rastr.html).

    Equations::

        f      = sum_i x_i^2 - 10 cos(2 pi x_i) + 10 = sum_i x_i^2 + 20 sin^2(pi x_i)
        grad_i = 2 x_i + 20 pi sin(2 pi x_i)
        hess   = diag(2 + 40 pi^2 cos(2 pi x_i))
        minimizer 0, f* = 0;  domain [-5.12, 5.12]^n
    """
    n = check_int("n", n, 1)

    def f(x: Any) -> Any:
        x = _point(x, n, grid=True)
        return np.sum(x**2 + 20 * np.sin(np.pi * x) ** 2, axis=0)

    def grad(x: Any) -> np.ndarray:
        x = _point(x, n)
        return 2 * x + 20 * np.pi * np.sin(2 * np.pi * x)

    def hess(x: Any) -> np.ndarray:
        x = _point(x, n)
        return np.diag(2 + 40 * np.pi**2 * np.cos(2 * np.pi * x))

    return Problem(f, grad, hess, _testbench_start(n), np.zeros((1, n)), 0.0, "rastrigin",
                   bounds=_cube(-5.12, 5.12, n))


def _all_but_one(c: np.ndarray) -> np.ndarray:
    """prod_{k != j} c_k along the last axis, for every j, without division (c may hold 0)."""
    left, right = np.ones_like(c), np.ones_like(c)
    left[..., 1:] = np.cumprod(c[..., :-1], axis=-1)
    right[..., :-1] = np.cumprod(c[..., :0:-1], axis=-1)[..., ::-1]
    return left * right


def griewank(n: int = 2) -> Problem:
    r"""The Griewank function: a wide paraboloid times a product of cosines.

    .. math::

        f(x) = 1 + \frac{1}{4000}\sum_i x_i^2 - \prod_i \cos\frac{x_i}{\sqrt i},
        \qquad i = 1, \dots, n .

    With :math:`c_i = \cos(x_i/\sqrt i)`, :math:`s_i = \sin(x_i/\sqrt i)` and
    :math:`P_i = \prod_{k \ne i} c_k`, :math:`P_{ij} = \prod_{k \ne i, j} c_k` (computed with
    prefix and suffix products, no division by a cosine that may vanish):
    :math:`\partial_i f = x_i/2000 + s_i P_i/\sqrt i`,
    :math:`H_{ii} = 1/2000 + c_i P_i / i`, :math:`H_{ij} = -s_i s_j P_{ij}/\sqrt{ij}`.
    Global minimizer 0, :math:`f^* = 0`, unique: :math:`f \ge \sum x_i^2/4000`.
    Near 0 the value 1 - prod cos carries an absolute rounding error of about 1e-16.

    Domain :math:`[-600, 600]^n` ([SB]). x0: the testbench's fixed start
    (-1.212, 1.321, ...). Accepts complex input (f is entire).

    Testbench ([TB]): Griewank is in the bundled pybenchfunction (same formula, domain and
    minimum) but not among the IDs run. Its "Whitley" (ID 2) is this Griewank formula on
    [-10.24, 10.24]^n, not the Whitley function of the literature (see :func:`whitley`).

    Source: A. O. Griewank, "Generalized descent for global optimization", *J. Optim. Theory
    Appl.* 34(1), 1981; [SB] (griewank.html).

    Equations::

        f       = 1 + sum_i x_i^2 / 4000 - prod_i cos(x_i / sqrt(i)),   i = 1..n
        c_i = cos(x_i / sqrt i),  s_i = sin(x_i / sqrt i),
        P_i = prod_{k != i} c_k,  P_ij = prod_{k != i, j} c_k
        grad_i  = x_i / 2000 + s_i P_i / sqrt(i)
        H_ii    = 1/2000 + c_i P_i / i,    H_ij = -s_i s_j P_ij / sqrt(i j)   (i != j)
        minimizer 0, f* = 0;  domain [-600, 600]^n
    """
    n = check_int("n", n, 1)
    root = np.sqrt(np.arange(1.0, n + 1))

    def f(x: Any) -> Any:
        x = _point(x, n, grid=True)
        t = x / _trailing(root, x.ndim)
        return 1 + np.sum(x**2, axis=0) / 4000 - np.prod(np.cos(t), axis=0)

    def grad(x: Any) -> np.ndarray:
        x = _point(x, n)
        t = x / root
        return x / 2000 + np.sin(t) * _all_but_one(np.cos(t)) / root

    def hess(x: Any) -> np.ndarray:
        x = _point(x, n)
        t = x / root
        c, s = np.cos(t), np.sin(t)
        rows = np.tile(c, (n, 1))
        np.fill_diagonal(rows, 1)                    # row i: c with c_i replaced by 1
        pair = _all_but_one(rows)                    # pair[i, j] = P_ij, pair[i, i] = P_i
        h = -np.outer(s / root, s / root) * pair
        np.fill_diagonal(h, 1 / 2000 + c * np.diag(pair) / root**2)
        return (h + h.T) / 2

    return Problem(f, grad, hess, _testbench_start(n), np.zeros((1, n)), 0.0, "griewank",
                   bounds=_cube(-600.0, 600.0, n))


@functools.cache
def _styblinski_tang_root() -> float:
    """The smallest root of g'(t)/2 = t^3 - 8 t + 5/4, the 1-D global minimizer: Viete's
    trigonometric formula for the depressed cubic t^3 + p t + q (p = -8, q = 5/4), polished by
    one Newton step in float64."""
    p, q = -8.0, 1.25
    m = 2 * math.sqrt(-p / 3)
    theta = math.acos(3 * q / (p * m)) / 3
    t = m * math.cos(theta - 4 * math.pi / 3)     # k = 2 of t_k = m cos(theta - 2 pi k / 3)
    return t - (t**3 - 8 * t + 1.25) / (3 * t * t - 8)


def styblinski_tang(n: int = 2) -> Problem:
    r"""The Styblinski-Tang function: a separable quartic with 2^n local minima.

    .. math::

        f(x) = \tfrac12 \sum_i \bigl(x_i^4 - 16 x_i^2 + 5 x_i\bigr).

    :math:`\partial_i f = 2x_i^3 - 16x_i + 5/2`, diagonal Hessian :math:`6x_i^2 - 16`. Each
    coordinate has two local minima, at the roots near -2.9035 and 2.7468 of
    :math:`t^3 - 8t + 5/4 = 0` (and a local maximum near 0.1567); the global minimizer takes the
    smaller root t* in every coordinate. t* is computed once from Viete's trigonometric solution
    of the cubic, polished by one Newton step: t* = -2.9035340277711770 (to float64), which
    agrees with the printed -2.903534 of [SB] and [JY] to its six decimals. f* = n g(t*),
    evaluated with the root relation :math:`t^3 = 8t - 5/4` as :math:`g(t^*) = -4t^{*2} +
    15t^*/8 = -39.166165703771415`. [JY] print :math:`f^* = -78.332` for n = 2, correct to its
    digits; [SB] print :math:`-39.16599\,n`, which is off by 1.76e-4 per coordinate (the value
    at its own x* is -39.1661657...).

    Domain :math:`[-5, 5]^n` ([SB]). x0: the testbench's fixed start
    (-1.212, 1.321, ...). Accepts complex input (a polynomial).

    Testbench ([TB]): "Styblinski Tank" is in the bundled pybenchfunction (same formula and
    domain; minimum listed as -39.16599 d at -2.903534) but not among the IDs run.

    Source: M. A. Styblinski, T.-S. Tang, "Experiments in nonconvex optimization: stochastic
    approximation with function smoothing and simulated annealing", *Neural Networks* 3(4),
    1990; [SB] (stybtang.html); [JY] (Styblinski-Tang).

    Equations::

        f      = 1/2 sum_i x_i^4 - 16 x_i^2 + 5 x_i
        grad_i = 2 x_i^3 - 16 x_i + 5/2,     hess = diag(6 x_i^2 - 16)
        t*: smallest root of t^3 - 8 t + 5/4 = 0,  t* = m cos(theta - 4 pi/3),
            m = 2 sqrt(8/3),  theta = arccos(3 q / (p m)) / 3,  p = -8, q = 5/4
        minimizer (t*, ..., t*),  t* = -2.903534027771177
        f* = n (-4 t*^2 + 15 t*/8) = -39.166165703771415 n;  domain [-5, 5]^n
    """
    n = check_int("n", n, 1)
    t = _styblinski_tang_root()

    def f(x: Any) -> Any:
        x = _point(x, n, grid=True)
        return 0.5 * np.sum(x**4 - 16 * x**2 + 5 * x, axis=0)

    def grad(x: Any) -> np.ndarray:
        x = _point(x, n)
        return 2 * x**3 - 16 * x + 2.5

    def hess(x: Any) -> np.ndarray:
        x = _point(x, n)
        return np.diag(6 * x**2 - 16)

    f_star = n * (-4 * t * t + 1.875 * t)
    return Problem(f, grad, hess, _testbench_start(n), np.full((1, n), t), f_star,
                   "styblinski_tang", bounds=_cube(-5.0, 5.0, n))


def salomon(n: int = 2) -> Problem:
    r"""The Salomon function: concentric rings of local minima around a cone at the origin.

    .. math::

        f(x) = 1 - \cos(2\pi r) + 0.1\,r = 2\sin^2(\pi r) + 0.1\,r, \qquad r = |x|_2 .

    The smooth part :math:`S(s) = 2\sin^2(\pi\sqrt s)` is an entire function of
    :math:`s = |x|^2`, with :math:`S' = 2\pi^2\,\mathrm{sinc}(2\pi r)` and
    :math:`S'' = 4\pi^4 q(2\pi r)`, where :math:`\mathrm{sinc}(z) = \sin z / z` and
    :math:`q(v) = (v\cos v - \sin v)/v^3` (summed as a series for small v); so
    :math:`\nabla f = 4\pi^2 \mathrm{sinc}(2\pi r)\, x + 0.1\, x/r` and
    :math:`\nabla^2 f = 4\pi^2\mathrm{sinc}(2\pi r) I + 16\pi^4 q(2\pi r)\, x x^\top
    + 0.1\,(I - u u^\top)/r`, u = x/r. Global minimizer 0, :math:`f^* = 0`, unique
    (:math:`f \ge 0.1 r`); local minima on spheres near r = 1, 2, ....

    Not differentiable at x = 0 only (the cone 0.1 r). There ``grad`` returns 0, the symmetric
    derivative (f is even), an element of the Clarke subdifferential (the ball of radius 0.1);
    ``hess`` returns :math:`4\pi^2 I`, the Hessian of the smooth part (the cone's Hessian grows
    like 0.1/r).

    Domain :math:`[-100, 100]^n` ([JY]). x0: the testbench's fixed start (-1.212, 1.321, ...).

    Testbench ([TB], ID 6): the same formula and minimum; domain changed to [-1, 1]^n.

    Source: R. Salomon, "Re-evaluating genetic algorithm performance under coordinate rotation
    of benchmark functions", *BioSystems* 39(3), 1996; [JY] (Salomon).

    Equations::

        r    = |x|,   f = 1 - cos(2 pi r) + 0.1 r = 2 sin^2(pi r) + 0.1 r
        sinc(z) = sin z / z,   q(v) = (v cos v - sin v) / v^3   (q(0) = -1/3)
        grad = 4 pi^2 sinc(2 pi r) x + 0.1 x / r
        hess = 4 pi^2 sinc(2 pi r) I + 16 pi^4 q(2 pi r) x x^T + 0.1 (I - u u^T) / r,  u = x / r
        at x = 0: grad = 0, hess = 4 pi^2 I   (the cone's terms taken as 0)
        minimizer 0, f* = 0;  domain [-100, 100]^n
    """
    n = check_int("n", n, 1)

    def f(x: Any) -> Any:
        x = _point(x, n, grid=True, complex_ok=False)
        r = _norm0(x)
        return 2 * np.sin(np.pi * r) ** 2 + 0.1 * r

    def grad(x: Any) -> np.ndarray:
        x = _point(x, n, complex_ok=False)
        r = _norm0(x)
        return 4 * np.pi**2 * _sinc1(2 * np.pi * r) * x + 0.1 * _unit(x, r)

    def hess(x: Any) -> np.ndarray:
        x = _point(x, n, complex_ok=False)
        r = _norm0(x)
        h = 4 * np.pi**2 * _sinc1(2 * np.pi * r) * np.eye(n)
        h += 16 * np.pi**4 * _q(2 * np.pi * r) * np.outer(x, x)
        if r > 0:
            u = x / r
            h += 0.1 * (np.eye(n) - np.outer(u, u)) / r
        return (h + h.T) / 2

    return Problem(f, grad, hess, _testbench_start(n), np.zeros((1, n)), 0.0, "salomon",
                   bounds=_cube(-100.0, 100.0, n))


def xin_she_yang_n4(n: int = 2) -> Problem:
    r"""Xin-She Yang's function N.4: a product of a smooth well and a kinked envelope.

    .. math::

        f(x) = \bigl(S - E\bigr)\,G, \qquad S = \sum_i \sin^2 x_i, \quad
        E = e^{-\sum_i x_i^2}, \quad G = e^{-\sum_i \sin^2\sqrt{|x_i|}} .

    With :math:`a_i = \sin 2x_i + 2x_i E` (the gradient of S - E), :math:`u_i = \sqrt{|x_i|}`
    and :math:`w_i = \mathrm{sign}(x_i)\,\sin(2u_i)/(2u_i)` (the derivative of
    :math:`\sin^2\sqrt{|x_i|}`, so :math:`\nabla G = -G w`):
    :math:`\nabla f = G\,(a - (S - E)\,w)` and
    :math:`\nabla^2 f = G\,[\mathrm{diag}(2\cos 2x_i + 2E) - 4E\,x x^\top - a w^\top - w a^\top
    + (S - E)(w w^\top - \mathrm{diag}\,\varphi'')]`, where
    :math:`\varphi''_i = 2 q(2u_i)` is the second derivative of :math:`\sin^2\sqrt{|x_i|}`,
    :math:`q(v) = (v\cos v - \sin v)/v^3` (so :math:`\varphi''_i \to -2/3` as
    :math:`x_i \to 0`). Global minimizer 0 with :math:`f^* = -1`, unique:
    :math:`f \ge -E G \ge -1`, with equality only where E = 1.

    Not differentiable wherever some :math:`x_i = 0` (the hyperplanes; :math:`\sin^2\sqrt{|t|}
    \approx |t|` there), unless S = E. f is even in each x_i, and at :math:`x_i = 0`
    ``grad`` returns the symmetric derivative in x_i, which is 0: the average of the two
    one-sided limits :math:`\mp (S - E) G` (an element of the Clarke subdifferential). So
    grad(0) = 0. The one-sided Hessians there differ only through :math:`w_i = \pm 1`; ``hess``
    returns their average (:math:`w_i w_j \to 0` for j != i, :math:`w_i^2 \to 1`).

    Domain :math:`[-10, 10]^n` ([JY]; [Y]). x0: the testbench's fixed start
    (-1.212, 1.321, ...).

    Testbench ([TB], ID 5): a different function. Its code computes
    :math:`2 + \bigl(\sum_i \sin^2 x_i - n\,e^{-(\sum_i x_i)^2}\bigr) G`: the exponential is
    summed n times inside the sum, of :math:`(\sum x_i)^2` instead of :math:`\sum x_i^2`, and a
    constant 2 is added. So f(0) = 2 - n (0 for n = 2), and as the exponential no longer decays
    along the line :math:`\sum_i x_i = 0`, f comes back close to that value far from the origin
    (n = 2: f = 0.0204 at (3 pi, -3 pi)). Its domain is [-5, 5]^n.

    Source: [Y] X.-S. Yang, "Test problems in optimization", in *Engineering Optimization: An
    Introduction with Metaheuristic Applications*, Wiley, 2010 (arXiv:1008.0549); [JY]
    (Xin-She Yang 4).

    Equations::

        S = sum_i sin^2 x_i,   E = exp(-sum_i x_i^2),   G = exp(-sum_i sin^2 sqrt|x_i|)
        f = (S - E) G
        a_i = sin 2x_i + 2 x_i E,   u_i = sqrt|x_i|,   w_i = sign(x_i) sin(2 u_i) / (2 u_i)
        grad = G (a - (S - E) w)
        hess = G [diag(2 cos 2x_i + 2E) - 4E x x^T - a w^T - w a^T + (S - E)(w w^T - diag(p))],
               p_i = 2 q(2 u_i),  q(v) = (v cos v - sin v) / v^3,  q(0) = -1/3
        at x_i = 0: w_i = 0 in grad (grad_i = 0); in hess (w w^T)_ii = 1, (w w^T)_ij = 0
        minimizer 0, f* = -1;  domain [-10, 10]^n
    """
    n = check_int("n", n, 1)

    def f(x: Any) -> Any:
        x = _point(x, n, grid=True, complex_ok=False)
        s = np.sum(np.sin(x) ** 2, axis=0)
        e = np.exp(-np.sum(x**2, axis=0))
        g = np.exp(-np.sum(np.sin(np.sqrt(np.abs(x))) ** 2, axis=0))
        return (s - e) * g

    def parts(x: np.ndarray):
        s = np.sum(np.sin(x) ** 2)
        e = math.exp(-np.sum(x**2))
        u = np.sqrt(np.abs(x))
        g = math.exp(-np.sum(np.sin(u) ** 2))
        a = np.sin(2 * x) + 2 * x * e
        w = np.sign(x) * _sinc1(2 * u)
        return s, e, g, u, a, w

    def grad(x: Any) -> np.ndarray:
        x = _point(x, n, complex_ok=False)
        s, e, g, _, a, w = parts(x)
        return g * (a - (s - e) * w)

    def hess(x: Any) -> np.ndarray:
        x = _point(x, n, complex_ok=False)
        s, e, g, u, a, w = parts(x)
        ww = np.outer(w, w)
        ww[np.diag_indices(n)] = np.where(x == 0, 1.0, w * w)   # the one-sided limits' mean
        h = np.diag(2 * np.cos(2 * x) + 2 * e) - 4 * e * np.outer(x, x)
        h -= np.outer(a, w) + np.outer(w, a)
        h += (s - e) * (ww - np.diag(2 * _q(2 * u)))
        h *= g
        return (h + h.T) / 2

    return Problem(f, grad, hess, _testbench_start(n), np.zeros((1, n)), -1.0,
                   "xin_she_yang_n4", bounds=_cube(-10.0, 10.0, n))


def whitley(n: int = 2) -> Problem:
    r"""The Whitley function: Griewank's cosine wrapped around n^2 Rosenbrock terms.

    .. math::

        f(x) = \sum_{i=1}^n \sum_{j=1}^n \Bigl(\frac{y_{ij}^2}{4000} - \cos y_{ij} + 1\Bigr),
        \qquad y_{ij} = 100\,(x_i^2 - x_j)^2 + (1 - x_j)^2 .

    With :math:`T(y) = y^2/4000 - \cos y + 1`, :math:`T' = y/2000 + \sin y`,
    :math:`T'' = 1/2000 + \cos y`, and :math:`\nabla y_{ij} = \alpha_{ij} e_i + \beta_{ij} e_j`,
    :math:`\alpha_{ij} = 400 x_i (x_i^2 - x_j)`,
    :math:`\beta_{ij} = -200 (x_i^2 - x_j) - 2(1 - x_j)`:
    :math:`\nabla f = \sum_{ij} T'(y_{ij}) \nabla y_{ij}` and :math:`\nabla^2 f =
    \sum_{ij} T''(y_{ij}) \nabla y_{ij} \nabla y_{ij}^\top + T'(y_{ij}) \nabla^2 y_{ij}`, where
    :math:`\nabla^2 y_{ij}` has entries :math:`400(3x_i^2 - x_j)` at (i, i), :math:`-400 x_i` at
    (i, j) and (j, i), and 202 at (j, j) (entries at the same place add up when i = j).
    Smooth everywhere. Global minimizer (1, ..., 1), :math:`f^* = 0`, unique: T(y) >= 0 with
    equality only at y = 0, and every :math:`y_{ij} = 0` forces :math:`x_j = 1` and
    :math:`x_i^2 = x_j`. The minimum is degenerate: every :math:`\nabla y_{ij}` vanishes at x*,
    so the Hessian there is 0 and f grows like :math:`|x - x^*|^4`. Within the domain,
    :math:`y_{ij}` reaches about 1.2e6, so :math:`\cos y_{ij}` oscillates on a scale of 1e-5 in x
    near the boundary.

    Domain :math:`[-10.24, 10.24]^n` ([JY]). x0: the testbench's fixed start
    (-1.212, 1.321, ...). Accepts complex input (f is entire).

    Testbench ([TB], ID 2): a different function. Its "Whitley" computes
    :math:`1 + \sum_i x_i^2/4000 - \prod_i \cos(x_i/\sqrt i)`, which is the Griewank function
    (:func:`griewank`), on [-10.24, 10.24]^n, minimum 0 at x = 0.

    Source: D. Whitley, K. Mathias, S. Rana, J. Dzubera, "Evaluating evolutionary algorithms",
    *Artificial Intelligence* 85, 1996; [JY] (Whitley).

    Equations::

        y_ij  = 100 (x_i^2 - x_j)^2 + (1 - x_j)^2,   T(y) = y^2/4000 - cos y + 1
        f     = sum_{i,j=1..n} T(y_ij)
        T'(y) = y/2000 + sin y,   T''(y) = 1/2000 + cos y
        alpha_ij = 400 x_i (x_i^2 - x_j),   beta_ij = -200 (x_i^2 - x_j) - 2 (1 - x_j)
        grad_k = sum_j T'(y_kj) alpha_kj + sum_i T'(y_ik) beta_ik
        hess   = sum_ij T''(y_ij) g_ij g_ij^T + T'(y_ij) hess y_ij,
                 g_ij = alpha_ij e_i + beta_ij e_j
        hess y_ij: 400 (3 x_i^2 - x_j) at (i,i), -400 x_i at (i,j), (j,i), 202 at (j,j)
        minimizer (1, ..., 1), f* = 0 (hess = 0 there);  domain [-10.24, 10.24]^n
    """
    n = check_int("n", n, 1)

    def f(x: Any) -> Any:
        x = _point(x, n, grid=True)
        xi, xj = x[:, None], x[None, :]
        y = 100 * (xi**2 - xj) ** 2 + (1 - xj) ** 2
        return np.sum(y**2 / 4000 - np.cos(y) + 1, axis=(0, 1))

    def pieces(x: np.ndarray):
        xi, xj = x[:, None], x[None, :]          # (n, 1) and (1, n): entry (i, j)
        d = xi**2 - xj
        y = 100 * d**2 + (1 - xj) ** 2
        alpha = 400 * xi * d
        beta = -200 * d - 2 * (1 - xj)
        return xi, xj, y, alpha, beta

    def grad(x: Any) -> np.ndarray:
        x = _point(x, n)
        _, _, y, alpha, beta = pieces(x)
        t1 = y / 2000 + np.sin(y)
        return np.sum(t1 * alpha, axis=1) + np.sum(t1 * beta, axis=0)

    def hess(x: Any) -> np.ndarray:
        x = _point(x, n)
        xi, xj, y, alpha, beta = pieces(x)
        t1, t2 = y / 2000 + np.sin(y), 1 / 2000 + np.cos(y)
        at_ii = t2 * alpha**2 + t1 * 400 * (3 * xi**2 - xj)    # lands on (i, i)
        at_jj = t2 * beta**2 + t1 * 202                        # lands on (j, j)
        at_ij = t2 * alpha * beta - t1 * 400 * xi              # lands on (i, j) and (j, i)
        h = at_ij + at_ij.T
        h[np.diag_indices(n)] += np.sum(at_ii, axis=1) + np.sum(at_jj, axis=0)
        return h

    return Problem(f, grad, hess, _testbench_start(n), np.ones((1, n)), 0.0, "whitley",
                   bounds=_cube(-10.24, 10.24, n))


def powell(n: int = 4) -> Problem:
    r"""Powell's singular function, extended to n = 4k variables: a singular minimum.

    .. math::

        f(x) = \sum_{k=1}^{n/4} (a + 10b)^2 + 5(c - d)^2 + (b - 2c)^4 + 10(a - d)^4,
        \qquad (a, b, c, d) = (x_{4k-3}, x_{4k-2}, x_{4k-1}, x_{4k}).

    The same f as Moré-Garbow-Hillstrom problem 22 (:func:`mgh` (22)), here with an analytic
    Hessian and a domain. On each block: :math:`\partial_a = 2(a + 10b) + 40(a - d)^3`,
    :math:`\partial_b = 20(a + 10b) + 4(b - 2c)^3`, :math:`\partial_c = 10(c - d) - 8(b - 2c)^3`,
    :math:`\partial_d = -10(c - d) - 40(a - d)^3`; the Hessian is block diagonal (Equations).
    Global minimizer 0, :math:`f^* = 0`, unique (the four terms vanish together only at 0);
    the Hessian there is singular (rank 2 per block), so Newton's method converges only
    linearly.

    Domain :math:`[-4, 5]^n` ([SB]). x0 = (3, -1, 0, 1, 3, -1, 0, 1, ...), the standard start
    of Moré, Garbow & Hillstrom.

    Testbench ([TB], ID 8): a different function. Its "Powell" is the bundled pybenchfunction's
    :math:`\sum_i |x_i|^{i+1}` ("sum of different powers", [SB] sumpow.html), on [-1, 1]^n with
    minimum 0 at 0; for n = 2 it is :math:`x_1^2 + |x_2|^3`.

    Source: M. J. D. Powell, "An iterative method for finding stationary values of a function
    of several variables", *The Computer Journal* 5(2), 1962; Moré, Garbow & Hillstrom, *ACM
    TOMS* 7(1), 1981 (problems 13 and 22); [SB] (powell.html).

    Equations::

        on each block (a, b, c, d) = x[4k-3 .. 4k]:
        f      = sum (a + 10 b)^2 + 5 (c - d)^2 + (b - 2 c)^4 + 10 (a - d)^4
        grad   = (2 (a + 10b) + 40 (a - d)^3,  20 (a + 10b) + 4 (b - 2c)^3,
                  10 (c - d) - 8 (b - 2c)^3,   -10 (c - d) - 40 (a - d)^3)
        hess   = [[2 + 120 P,  20,           0,            -120 P    ],
                  [20,         200 + 12 Q,   -24 Q,        0         ],
                  [0,          -24 Q,        10 + 48 Q,    -10       ],
                  [-120 P,     0,            -10,          10 + 120 P]],
                 P = (a - d)^2,  Q = (b - 2c)^2
        minimizer 0, f* = 0;  domain [-4, 5]^n;  x0 = (3, -1, 0, 1, ...)
    """
    n = check_int("n", n, 4)
    if n % 4:
        raise ValueError(f"n must be a multiple of 4 (the variables come in blocks of 4), "
                         f"got {n}")

    def f(x: Any) -> Any:
        x = _point(x, n, grid=True)
        a, b, c, d = x[0::4], x[1::4], x[2::4], x[3::4]
        return np.sum((a + 10 * b) ** 2 + 5 * (c - d) ** 2 + (b - 2 * c) ** 4
                      + 10 * (a - d) ** 4, axis=0)

    def grad(x: Any) -> np.ndarray:
        x = _point(x, n)
        a, b, c, d = x[0::4], x[1::4], x[2::4], x[3::4]
        g = np.empty_like(x)
        g[0::4] = 2 * (a + 10 * b) + 40 * (a - d) ** 3
        g[1::4] = 20 * (a + 10 * b) + 4 * (b - 2 * c) ** 3
        g[2::4] = 10 * (c - d) - 8 * (b - 2 * c) ** 3
        g[3::4] = -10 * (c - d) - 40 * (a - d) ** 3
        return g

    def hess(x: Any) -> np.ndarray:
        x = _point(x, n)
        a, b, c, d = x[0::4], x[1::4], x[2::4], x[3::4]
        p, q = 120 * (a - d) ** 2, 12 * (b - 2 * c) ** 2
        zero, one = np.zeros_like(a), np.ones_like(a)
        rows = [[2 + p, 20 * one, zero, -p],
                [20 * one, 200 + q, -2 * q, zero],
                [zero, -2 * q, 10 + 4 * q, -10 * one],
                [-p, zero, -10 * one, 10 + p]]
        return _block_diagonal(np.moveaxis(np.array(rows), -1, 0))

    return Problem(f, grad, hess, np.tile([3.0, -1.0, 0.0, 1.0], n // 4), np.zeros((1, n)),
                   0.0, "powell", bounds=_cube(-4.0, 5.0, n))


def drop_wave(n: int = 2) -> Problem:
    r"""The Drop-Wave function: circular ripples damped away from a central drop.

    .. math::

        f(x) = -\frac{1 + \cos(12 r)}{r^2/2 + 2} = -\frac{4\cos^2(6r)}{s + 4},
        \qquad s = r^2 = x_1^2 + x_2^2 .

    A function of s alone, f = F(s), and an entire one (cos(6 sqrt s)^2 is a power series in
    s), so f is smooth everywhere, the origin included. With :math:`C = \cos^2(6\sqrt s)`,
    :math:`C' = -36\,\mathrm{sinc}(12r)`, :math:`C'' = -2592\,q(12r)` (sinc z = sin z / z,
    :math:`q(v) = (v\cos v - \sin v)/v^3`, both evaluated without cancellation):
    :math:`F' = -4[C'/(s + 4) - C/(s + 4)^2]`,
    :math:`F'' = -4[C''/(s + 4) - 2C'/(s + 4)^2 + 2C/(s + 4)^3]`, and
    :math:`\nabla f = 2F' x`, :math:`\nabla^2 f = 2F' I + 4F'' x x^\top`. Global minimizer 0 with
    :math:`f^* = -1`, unique: :math:`f \ge -4/(s + 4)`, with equality only at s = 0.

    Domain :math:`[-5.12, 5.12]^2` ([SB]). x0: the testbench's fixed start (-1.212, 1.321).
    Two-dimensional only: ValueError names n otherwise.

    Testbench ([TB], ID 7): the same ripples shifted up by 1 (:math:`1 + f`, so its minimum is
    0 at the origin); domain [-1, 1]^2.

    Source: [SB] (drop.html).

    Equations::

        s = x1^2 + x2^2,  r = sqrt(s),  f = -(1 + cos 12 r) / (s/2 + 2) = -4 C / (s + 4)
        C = cos^2(6 r),  C' = dC/ds = -36 sinc(12 r),  C'' = -2592 q(12 r)
        sinc(z) = sin z / z,   q(v) = (v cos v - sin v) / v^3   (q(0) = -1/3)
        F'  = -4 [C' / (s + 4) - C / (s + 4)^2]
        F'' = -4 [C'' / (s + 4) - 2 C' / (s + 4)^2 + 2 C / (s + 4)^3]
        grad = 2 F' x,   hess = 2 F' I + 4 F'' x x^T
        minimizer (0, 0), f* = -1;  domain [-5.12, 5.12]^2
    """
    _two_d(n, "drop_wave")

    def f(x: Any) -> Any:
        x = _point(x, 2, grid=True, complex_ok=False)
        s = x[0] ** 2 + x[1] ** 2
        return -4 * np.cos(6 * np.sqrt(s)) ** 2 / (s + 4)

    def slopes(x: np.ndarray) -> tuple[float, float]:
        s = x[0] ** 2 + x[1] ** 2
        r = math.sqrt(s)
        c0 = math.cos(6 * r) ** 2
        c1 = -36 * _sinc1(12 * r)
        c2 = -2592 * _q(12 * r)
        d = s + 4
        f1 = -4 * (c1 / d - c0 / d**2)
        f2 = -4 * (c2 / d - 2 * c1 / d**2 + 2 * c0 / d**3)
        return f1, f2

    def grad(x: Any) -> np.ndarray:
        x = _point(x, 2, complex_ok=False)
        f1, _ = slopes(x)
        return 2 * f1 * x

    def hess(x: Any) -> np.ndarray:
        x = _point(x, 2, complex_ok=False)
        f1, f2 = slopes(x)
        return 2 * f1 * np.eye(2) + 4 * f2 * np.outer(x, x)

    return Problem(f, grad, hess, _testbench_start(2), np.zeros((1, 2)), -1.0, "drop_wave",
                   bounds=_cube(-5.12, 5.12, 2))


def schaffer_n2(n: int = 2) -> Problem:
    r"""Schaffer's function N.2: a damped sin^2 of the saddle x1^2 - x2^2.

    .. math::

        f(x) = \frac12 + \frac{\sin^2(x_1^2 - x_2^2) - 1/2}{(1 + 0.001\,(x_1^2 + x_2^2))^2}
             = \frac{\sin^2 p + (D^2 - 1)/2}{D^2},

    with :math:`p = x_1^2 - x_2^2`, :math:`s = x_1^2 + x_2^2`, D = 1 + 0.001 s; computed in the
    second form, :math:`(D^2 - 1)/2 = 0.001 s + 5\cdot 10^{-7} s^2` (no cancellation near 0,
    f(0) = 0 exactly). With N = sin^2 p - 1/2, :math:`\nabla N = \sin(2p)\,(2x_1, -2x_2)`,
    :math:`\nabla D = 0.002\,x`: :math:`\nabla f = \nabla N/D^2 - 2N\nabla D/D^3` and
    :math:`\nabla^2 f = \nabla^2 N/D^2 - 2(\nabla N\nabla D^\top + \nabla D\nabla N^\top)/D^3
    - 0.004 N I/D^3 + 6N\nabla D\nabla D^\top/D^4`, :math:`\nabla^2 N = 2\cos(2p)\nabla p
    \nabla p^\top + \sin(2p)\,\mathrm{diag}(2, -2)`, :math:`\nabla p = (2x_1, -2x_2)`. Smooth.
    Global minimizer 0, :math:`f^* = 0`, unique: :math:`f \ge (D^2 - 1)/(2D^2) \ge 0`, with
    equality only at s = 0.

    Domain :math:`[-100, 100]^2` ([SB]). x0: the testbench's fixed start (-1.212, 1.321).
    Two-dimensional only: ValueError names n otherwise. Accepts complex input (f is entire).

    Testbench ([TB], ID 9, "Schaffel N. 2"): a different function. Its formula string reads
    sin^2(x^2 - y^2), but its code computes :math:`\sin^2(x^2 + y^2)`: a radial function (the
    same minimum 0 at the origin, rings of local minima instead of this function's
    saddle-shaped ridges); domain [-4, 4]^2.

    Source: [SB] (schaffer2.html).

    Equations::

        p = x1^2 - x2^2,  s = x1^2 + x2^2,  D = 1 + 0.001 s,  N = sin^2 p - 1/2
        f      = 1/2 + N / D^2 = (sin^2 p + 0.001 s + 5e-7 s^2) / D^2
        grad p = (2 x1, -2 x2),  grad N = sin(2p) grad p,  grad D = 0.002 x
        grad   = grad N / D^2 - 2 N grad D / D^3
        hess N = 2 cos(2p) grad p grad p^T + sin(2p) diag(2, -2)
        hess   = hess N / D^2 - 2 (grad N grad D^T + grad D grad N^T) / D^3
                 - 0.004 N I / D^3 + 6 N grad D grad D^T / D^4
        minimizer (0, 0), f* = 0;  domain [-100, 100]^2
    """
    _two_d(n, "schaffer_n2")

    def f(x: Any) -> Any:
        x = _point(x, 2, grid=True)
        p, s = x[0] ** 2 - x[1] ** 2, x[0] ** 2 + x[1] ** 2
        return (np.sin(p) ** 2 + 0.001 * s + 5e-7 * s**2) / (1 + 0.001 * s) ** 2

    def pieces(x: np.ndarray):
        p, s = x[0] ** 2 - x[1] ** 2, x[0] ** 2 + x[1] ** 2
        d = 1 + 0.001 * s
        big_n = np.sin(p) ** 2 - 0.5
        dp = np.array([2 * x[0], -2 * x[1]])
        dn = np.sin(2 * p) * dp
        dd = 0.002 * x
        return p, d, big_n, dp, dn, dd

    def grad(x: Any) -> np.ndarray:
        x = _point(x, 2)
        _, d, big_n, _, dn, dd = pieces(x)
        return dn / d**2 - 2 * big_n * dd / d**3

    def hess(x: Any) -> np.ndarray:
        x = _point(x, 2)
        p, d, big_n, dp, dn, dd = pieces(x)
        hn = 2 * np.cos(2 * p) * np.outer(dp, dp) + np.sin(2 * p) * np.diag([2.0, -2.0])
        cross = np.outer(dn, dd)
        h = (hn / d**2 - 2 * (cross + cross.T) / d**3 - 0.004 * big_n * np.eye(2) / d**3
             + 6 * big_n * np.outer(dd, dd) / d**4)
        return (h + h.T) / 2

    return Problem(f, grad, hess, _testbench_start(2), np.zeros((1, 2)), 0.0, "schaffer_n2",
                   bounds=_cube(-100.0, 100.0, 2))


def _sqrt_wave(s: Any) -> Any:
    """sin(sqrt|s|), the Egg Holder's building block psi(s)."""
    return np.sin(np.sqrt(np.abs(s)))


def _sqrt_wave_slope(coef: Any, s: Any) -> Any:
    """coef * psi'(s) = coef cos(sqrt|s|) sign(s) / (2 sqrt|s|), and 0 at s = 0 (psi is even:
    its symmetric derivative there is 0). Divides coef by sqrt|s| first, so that coef = 0 gives
    0 and a small coef with a small s does not overflow in between."""
    u = np.sqrt(np.abs(s))
    safe = np.where(u > 0, u, 1.0)
    return np.where(u > 0, (coef / safe) * np.cos(u) * np.sign(s) / 2, 0.0)


def _sqrt_wave_curvature(coef: Any, s: Any) -> Any:
    """coef * psi''(s) = -coef (u sin u + cos u) / (4 u^3), u = sqrt|s| (the same for s < 0,
    psi being even); taken as 0 at s = 0, where psi'' is unbounded. Divides by u three times,
    so that the result overflows only where the exact value does."""
    u = np.sqrt(np.abs(s))
    safe = np.where(u > 0, u, 1.0)
    return np.where(u > 0, -(((coef / safe) / safe) / safe) * (u * np.sin(u) + np.cos(u)) / 4,
                    0.0)


def _egg_holder_grad(x: np.ndarray) -> np.ndarray:
    u, v = x
    s1, s2 = v + u / 2 + 47, u - v - 47
    p1, p2 = _sqrt_wave_slope(v + 47, s1), _sqrt_wave_slope(u, s2)
    return np.array([-p1 / 2 - _sqrt_wave(s2) - p2, -_sqrt_wave(s1) - p1 + p2])


def _egg_holder_hess(x: np.ndarray) -> np.ndarray:
    u, v = x
    s1, s2 = v + u / 2 + 47, u - v - 47
    d1, d2 = _sqrt_wave_slope(1.0, s1), _sqrt_wave_slope(1.0, s2)
    c1, c2 = _sqrt_wave_curvature(v + 47, s1), _sqrt_wave_curvature(u, s2)
    return -(d1 * np.array([[0.0, 0.5], [0.5, 2.0]]) + c1 * np.array([[0.25, 0.5], [0.5, 1.0]])
             + d2 * np.array([[2.0, -1.0], [-1.0, 0.0]])
             + c2 * np.array([[1.0, -1.0], [-1.0, 1.0]]))


#: The Egg Holder's minimizer over [-512, 512]^2 and f* there, correctly rounded to float64.
#: The literature ([SB], [JY]) prints (512, 404.2319) and -959.6407. These are from a 50-digit
#: computation (mpmath 1.3, mp.dps = 50): y* = findroot(d/dy f(512, y), 404.2319) =
#: 404.23180511375781093..., f(512, y*) = -959.64066272085080283...; float64 Newton on
#: df/dy(512, y) = 0 from 404.2319 lands within one ulp of y* (the tests redo both).
_EGG_HOLDER_MINIMIZER = (512.0, 404.2318051137578)
_EGG_HOLDER_F_STAR = -959.6406627208508


def egg_holder(n: int = 2) -> Problem:
    r"""The Egg Holder function: a rugged surface whose global minimum lies on the boundary.

    .. math::

        f(x) = -(x_2 + 47)\,\psi(s_1) - x_1\,\psi(s_2), \qquad \psi(s) = \sin\sqrt{|s|},
        \qquad s_1 = x_2 + x_1/2 + 47, \quad s_2 = x_1 - x_2 - 47 .

    With :math:`\psi'(s) = \cos\sqrt{|s|}\,\mathrm{sign}(s)/(2\sqrt{|s|})` and
    :math:`\psi''(s) = -(u\sin u + \cos u)/(4u^3)`, :math:`u = \sqrt{|s|}`:
    :math:`\partial_1 f = -(x_2 + 47)\psi'(s_1)/2 - \psi(s_2) - x_1\psi'(s_2)`,
    :math:`\partial_2 f = -\psi(s_1) - (x_2 + 47)\psi'(s_1) + x_1\psi'(s_2)`, and the Hessian in
    the Equations below.

    Not differentiable on the two lines :math:`s_1 = 0` (x2 = -x1/2 - 47) and :math:`s_2 = 0`
    (x2 = x1 - 47): :math:`\psi(s) \approx \sqrt{|s|}` there, so the one-sided derivatives are
    infinite (f is not even Lipschitz near them; no subgradient exists). On a line ``grad``
    takes :math:`\psi'(0) = 0`, the symmetric derivative (psi is even), so that ``grad`` is
    :math:`\lim_h (f(x + h e_i) - f(x - h e_i))/2h`; ``hess`` takes
    :math:`\psi'(0) = \psi''(0) = 0` (psi'' grows like :math:`|s|^{-3/2}`). Near the lines the
    gradient grows like :math:`|s|^{-1/2}` (the Hessian entries may overflow to inf within
    1e-200 of them); neither returns nan for finite input.

    Global minimizer over the domain (:math:`[-512, 512]^2`, [SB], [JY]): (512, y*) on the
    boundary x1 = 512, where :math:`\partial_1 f = -3.3856 < 0` (f keeps decreasing outside the
    box) and :math:`\partial_2 f = 0` (a KKT point). The literature prints (512, 404.2319) and
    :math:`f^* = -959.6407`. Here y* is the root of :math:`\partial_2 f(512, y) = 0` near
    404.2319, computed in 50-digit arithmetic (mpmath ``findroot``) and rounded to float64:
    y* = 404.2318051137578, f* = f(512, y*) = -959.6406627208508 (float64 Newton from 404.2319
    lands within one ulp of this y*). The printed f* is correct to its 4 decimals; the printed
    404.2319 is not correctly rounded (y* = 404.23180511..., off by 9.5e-5). Global optimality
    over the box rests on the literature and on brute-force search (the tests).

    x0: the testbench's fixed start (-1.212, 1.321). Two-dimensional only: ValueError names n
    otherwise.

    Testbench ([TB], ID 4): the formula plus a constant 977; domain [400, 600] x [300, 500]
    (outside the literature's box in x1); its minimizer is listed as (522.16060416,
    413.31588386) with value 0.088999, an interior stationary point of the unbounded function,
    at (522.1605290, 413.3157982) to 7 digits, with f = -976.911001 (977 + f = 0.088999).

    Source: [SB] (egg.html); [JY] (Egg Holder); after D. Whitley et al., *Artificial
    Intelligence* 85, 1996.

    Equations::

        s1 = x2 + x1/2 + 47,   s2 = x1 - x2 - 47,   psi(s) = sin(sqrt|s|)
        f  = -(x2 + 47) psi(s1) - x1 psi(s2)
        psi'(s)  = cos(sqrt|s|) sign(s) / (2 sqrt|s|),   psi'(0) := 0 (symmetric derivative)
        psi''(s) = -(u sin u + cos u) / (4 u^3),  u = sqrt|s|,   psi''(0) := 0
        grad = (-(x2 + 47) psi'(s1) / 2 - psi(s2) - x1 psi'(s2),
                -psi(s1) - (x2 + 47) psi'(s1) + x1 psi'(s2))
        hess = -psi'(s1) [[0, 1/2], [1/2, 2]] - (x2 + 47) psi''(s1) [[1/4, 1/2], [1/2, 1]]
               -psi'(s2) [[2, -1], [-1, 0]]   - x1 psi''(s2) [[1, -1], [-1, 1]]
        minimizer (512, 404.2318051137578), f* = -959.6406627208508;  domain [-512, 512]^2
    """
    _two_d(n, "egg_holder")

    def f(x: Any) -> Any:
        x = _point(x, 2, grid=True, complex_ok=False)
        u, v = x[0], x[1]
        return -(v + 47) * _sqrt_wave(v + u / 2 + 47) - u * _sqrt_wave(u - v - 47)

    def grad(x: Any) -> np.ndarray:
        return _egg_holder_grad(_point(x, 2, complex_ok=False))

    def hess(x: Any) -> np.ndarray:
        return _egg_holder_hess(_point(x, 2, complex_ok=False))

    return Problem(f, grad, hess, _testbench_start(2), [_EGG_HOLDER_MINIMIZER],
                   _EGG_HOLDER_F_STAR, "egg_holder", bounds=_cube(-512.0, 512.0, 2))


def all_problems() -> dict[str, Problem]:
    """A default instance of every problem, by name: for tests and notebooks."""
    return {p.name: p for p in (quadratic(), rosenbrock(), extended_rosenbrock(), beale(),
                                himmelblau(), saddle(), least_squares(), logistic_regression(),
                                logistic_regression_wide())}


#: The global-optimization benchmarks, in the order of :func:`global_problems`.
GLOBAL_PROBLEMS: tuple[str, ...] = (
    "ackley", "whitley", "egg_holder", "xin_she_yang_n4", "salomon", "drop_wave", "schaffer_n2",
    "powell", "rastrigin", "griewank", "styblinski_tang")


def global_problems() -> dict[str, Problem]:
    """A default instance of every global-optimization benchmark, by name (``GLOBAL_PROBLEMS``).

    These are kept out of :func:`all_problems`, whose consumers assume a smooth objective with
    a positive definite Hessian at each minimizer: five of these are not differentiable
    somewhere, Whitley's and Powell's minima are singular, and the Egg Holder's minimizer lies
    on the boundary of its domain. Each has ``bounds``. The scalable ones have n = 2 here
    (Powell: n = 4), the dimension of the authors' testbench runs.

    Examples
    --------
    >>> probs = global_problems()
    >>> probs["egg_holder"].bounds
    array([[-512.,  512.],
           [-512.,  512.]])
    >>> float(probs["drop_wave"].f(probs["drop_wave"].minimizers[0]))
    -1.0
    """
    factories = {"ackley": ackley, "whitley": whitley, "egg_holder": egg_holder,
                 "xin_she_yang_n4": xin_she_yang_n4, "salomon": salomon,
                 "drop_wave": drop_wave, "schaffer_n2": schaffer_n2, "powell": powell,
                 "rastrigin": rastrigin, "griewank": griewank,
                 "styblinski_tang": styblinski_tang}
    return {name: factories[name]() for name in GLOBAL_PROBLEMS}


def shifted(problem: Problem, c: Any) -> Problem:
    r"""``problem`` moved by the vector c: f_c(x) = f(x - c).

    Equations::

        f_c(x) = f(x - c),   grad f_c(x) = grad f(x - c),   hess f_c(x) = hess f(x - c)
        x0, minimizers, saddles  ->  + c;   bounds  ->  + c (each row [low, high]);   f* unchanged

    Benchmark suites shift their functions (CEC 2005's F9 is the shifted Rastrigin function) so
    that no method profits from a minimizer at the origin or on a lattice. For quantized
    methods this matters: the minimizer 0 of most benchmarks, and Rastrigin's integer lattice of
    local minima, lie on every grid (1/Qp)Z^n, so a grid method can land on them exactly. A
    shift c off the dyadic grids removes that coincidence.

    The moved points are rounded: x* + c is the float nearest to it, so f_c there equals f* only
    up to the rounding of (x* + c) - c (exactly, when c and x* are on a common dyadic grid
    fine enough for the sums to be exact). The per-sample arguments (``batch``) are passed on.
    f_c accepts what f accepts, a point of shape (n,) or, where f does, a grid (n, ...).

    Parameters
    ----------
    problem : Problem
    c : array_like, shape (n,)
        The shift: finite real numbers.

    Examples
    --------
    >>> p = shifted(rastrigin(2), [0.3, -0.41])
    >>> p.minimizers, float(p.f(p.minimizers[0]))
    (array([[ 0.3 , -0.41]]), 0.0)
    >>> p.bounds
    array([[-4.82,  5.42],
           [-5.53,  4.71]])
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a quantopt.problems.Problem, got "
                        f"{type(problem).__name__}")
    n = problem.n
    arr = np.asarray(c)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"c must be an array of real numbers, got dtype {arr.dtype}")
    if arr.shape != (n,):
        raise ValueError(f"c must have shape ({n},), got {arr.shape}")
    shift = np.array(arr, dtype=np.float64)
    if not np.all(np.isfinite(shift)):
        raise ValueError("c must be finite (no nan or inf)")
    shift.flags.writeable = False

    def back(x: Any) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim == 0 or x.shape[0] != n:
            raise ValueError(f"x must have shape ({n},) or ({n}, ...), got {x.shape}")
        return x - _trailing(shift, x.ndim)

    def f(x: Any, *batch: Any) -> Any:
        return problem.f(back(x), *batch)

    def grad(x: Any, *batch: Any) -> np.ndarray:
        return problem.grad(back(x), *batch)

    hess = None
    if problem.hess is not None:
        def hess(x: Any, *batch: Any) -> np.ndarray:
            return problem.hess(back(x), *batch)

    label = ", ".join(f"{v:g}" for v in shift[:4]) + (", ..." if n > 4 else "")
    return Problem(f, grad, hess, problem.x0 + shift, problem.minimizers + shift, problem.f_star,
                   f"{problem.name} shifted by ({label})", saddles=problem.saddles + shift,
                   n_samples=problem.n_samples, data=dict(problem.data),
                   bounds=None if problem.bounds is None else problem.bounds + shift[:, None])
