r"""Gradient check: compare an analytic gradient (or Hessian) with central differences.

Seed 004 ("Numeric vs Analytic"): the numeric gradient is approximate, slow and easy to write;
the analytic one is exact, fast and error-prone; so in practice the analytic gradient is
debugged against the numeric one. That is a *gradient check*, as in
``torch.autograd.gradcheck(func, inputs, eps=1e-06, atol=1e-05, rtol=0.001)`` (whose defaults
are the ones here), which compares with ``allclose`` semantics, the numeric value being the
reference ("other")::

    |analytic - numeric| <= atol + rtol * |numeric|        (elementwise)

Central differences, for h = eps:

.. math::

    \frac{f(x + h e_i) - f(x - h e_i)}{2h} = \partial_i f(x) + \frac{h^2}{6}\,
    \partial_i^3 f(\xi), \qquad \xi \in [x - h e_i,\ x + h e_i],

a truncation error of :math:`O(h^2)` (exactly :math:`h^2 \partial_i^3 f / 6` when
:math:`\partial_i^3 f` is constant). Each value of f carries a rounding error of about
:math:`u|f|` (:math:`u = 2^{-53} \approx 1.1\times 10^{-16}` in float64), which the division
by 2h amplifies to about :math:`u|f|/h`. The total :math:`h^2|f'''|/6 + u|f|/h` is smallest
near :math:`h \approx (3u|f|/|f'''|)^{1/3}`, i.e. :math:`h \sim u^{1/3} \approx 5\times10^{-6}`
for a function whose derivatives are of order one: hence eps ~ 1e-6 for the gradient (error
about 1e-10) and eps ~ 1e-5 for the Hessian.

Equations::

    numeric_i   = (f(x + h e_i) - f(x - h e_i)) / (2h)
    error       ~ h^2 |f'''| / 6  (truncation)  +  u |f| / h  (round-off),  u = 2^-53
    best h      ~ (3 u |f| / |f'''|)^(1/3) ~ 1e-6 .. 1e-5 in float64
    check       |analytic - numeric| <= atol + rtol * |numeric|   (elementwise)

Refinement: the divisor is the distance actually stepped, ``(x_i + h) - (x_i - h)`` computed in
floating point (exact by Sterbenz's lemma in the usual cases), not 2h; the points
``x_i +- h`` are rounded to floats, and dividing by 2h would add a relative error of about
``ulp(x_i)/h``.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from ._checks import (check_callable, check_nonnegative, check_positive, check_real_array,
                      returned_real)

__all__ = ["numeric_grad", "numeric_hess", "check_grad", "check_hess", "CheckResult"]


class CheckResult(NamedTuple):
    """The outcome of :func:`check_grad` or :func:`check_hess`.

    Attributes
    ----------
    ok : bool
        Whether ``|analytic - numeric| <= atol + rtol * |numeric|`` holds elementwise (NaN
        anywhere fails). ``bool(result)`` is ``result.ok``.
    max_abs_err : float
        ``max |analytic - numeric|``.
    max_rel_err : float
        ``max |analytic - numeric| / |numeric|`` (0 where both are 0, inf where only numeric is).
    worst_index : tuple of int
        The index of the entry with the largest excess ``|a - n| - (atol + rtol |n|)``: the
        worst violation, or the entry closest to violating when ``ok``.
    numeric, analytic : ndarray
        The two arrays compared.
    """

    ok: bool
    max_abs_err: float
    max_rel_err: float
    worst_index: tuple
    numeric: np.ndarray
    analytic: np.ndarray

    def __bool__(self) -> bool:
        return bool(self.ok)


def numeric_grad(f: Callable[[np.ndarray], Any], x: Any, eps: float = 1e-6) -> np.ndarray:
    r"""The central-difference gradient of a scalar function f at x.

    .. math::

        g_i = \frac{f(x + h e_i) - f(x - h e_i)}{(x_i + h) - (x_i - h)}, \qquad h = \varepsilon,

    which is :math:`\partial_i f(x) + h^2\,\partial_i^3 f/6 + O(u|f|/h)` (see the module
    docstring). Costs 2 x.size evaluations of f, one coordinate at a time.

    Equations::

        g_i = (f(x + h e_i) - f(x - h e_i)) / ((x_i + h) - (x_i - h)),   h = eps

    Parameters
    ----------
    f : callable
        ``f(x) -> scalar`` for x of x's shape. It receives a read-only float64 array.
    x : array_like
        The point, any shape; finite reals. Not modified.
    eps : float
        The step h > 0.

    Returns
    -------
    ndarray
        float64, x's shape.
    """
    check_callable("f", f)
    x = _as_point(x)
    eps = check_positive("eps", eps)
    flat = x.reshape(-1)
    plus, minus = _steps(flat, eps)
    work = flat.copy()
    view = work.reshape(x.shape).view()
    view.flags.writeable = False
    g = np.empty(flat.size)
    for i in range(flat.size):
        work[i] = plus[i]
        f_plus = _scalar(f(view))
        work[i] = minus[i]
        f_minus = _scalar(f(view))
        work[i] = flat[i]
        g[i] = f_plus - f_minus
    g /= plus - minus
    if not np.all(np.isfinite(g)):
        i = int(np.argmin(np.isfinite(g)))
        raise ValueError(f"f returned values whose difference is not finite at x ± eps e_{i} "
                         "(nan or inf, or overflow): the numeric gradient does not exist there")
    return g.reshape(x.shape)


def _steps(x: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """x + eps and x - eps, each of which must differ from x and be finite: a step below the
    spacing of x_i (x_i ± eps rounds back to x_i, e.g. x_i = 1e20 with eps = 1e-6) or one that
    overflows is refused with ValueError naming eps."""
    plus, minus = x + eps, x - eps
    bad = ~((plus > x) & (minus < x) & np.isfinite(plus) & np.isfinite(minus))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"eps = {eps!r} is not a usable step at x_{i} = {float(x[i])!r}: "
                         "x_i ± eps rounds back to x_i (eps is below the spacing "
                         f"{float(np.spacing(abs(x[i]))):.3g} of float64 there) or overflows; "
                         "use an eps of the order of |x_i| * 1e-6")
    return plus, minus


def numeric_hess(grad: Callable[[np.ndarray], Any], x: Any, eps: float = 1e-5) -> np.ndarray:
    r"""The central-difference Hessian from a gradient, symmetrized.

    .. math::

        D_{:,i} = \frac{\nabla f(x + h e_i) - \nabla f(x - h e_i)}{(x_i + h) - (x_i - h)},
        \qquad H = \tfrac12 (D + D^\top).

    Column i of D approximates :math:`\partial_i \nabla f`, with truncation error
    :math:`h^2 \partial_i^3 \nabla f / 6` and round-off about :math:`u|\nabla f|/h`. The true
    Hessian of a twice continuously differentiable f is symmetric, so the symmetric part of D is
    returned; it is at least as accurate as D in the Frobenius norm (the projection onto
    symmetric matrices does not increase the distance to a symmetric matrix). Costs 2n gradient
    evaluations.

    Equations::

        D[:, i] = (grad(x + h e_i) - grad(x - h e_i)) / ((x_i + h) - (x_i - h)),   h = eps
        H       = (D + D^T) / 2

    Parameters
    ----------
    grad : callable
        ``grad(x) -> array of shape (n,)``. It receives a read-only float64 array.
    x : array_like, shape (n,)
        The point; finite reals. Not modified.
    eps : float
        The step h > 0.

    Returns
    -------
    ndarray, shape (n, n)
    """
    check_callable("grad", grad)
    x = _as_point(x)
    if x.ndim != 1:
        raise ValueError(f"x must have shape (n,) for a Hessian, got {x.shape}")
    eps = check_positive("eps", eps)
    plus, minus = _steps(x, eps)
    work = x.copy()
    view = work.view()
    view.flags.writeable = False
    d = np.empty((x.size, x.size))
    for i in range(x.size):
        work[i] = plus[i]
        g_plus = _vector(grad(view), x.shape)
        work[i] = minus[i]
        g_minus = _vector(grad(view), x.shape)
        work[i] = x[i]
        d[:, i] = (g_plus - g_minus) / (plus[i] - minus[i])
    if not np.all(np.isfinite(d)):
        i = int(np.argmin(np.all(np.isfinite(d), axis=0)))
        raise ValueError(f"grad returned values whose difference is not finite at x ± eps e_{i} "
                         "(nan or inf, or overflow): the numeric Hessian does not exist there")
    return (d + d.T) / 2


def check_grad(f: Callable[[np.ndarray], Any], grad: Callable[[np.ndarray], Any], x: Any, *,
               eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3) -> CheckResult:
    r"""Compare ``grad(x)`` with :func:`numeric_grad` ``(f, x, eps)``: a gradient check.

    Passes when, elementwise,

    .. math::

        |g_{\text{analytic}} - g_{\text{numeric}}| \le \text{atol}
        + \text{rtol}\,|g_{\text{numeric}}|,

    the ``allclose(input, other)`` test of seed 004 and ``torch.autograd.gradcheck``, with the
    numeric gradient as the reference ``other``. The defaults (eps 1e-6, atol 1e-5, rtol 1e-3)
    are PyTorch's. A correct float64 gradient typically differs from the numeric one by about
    1e-10 (module docstring); a wrong one by the size of the mistake.

    Equations::

        numeric = numeric_grad(f, x, eps),   analytic = grad(x)
        ok      = all(|analytic - numeric| <= atol + rtol * |numeric|)

    Parameters
    ----------
    f, grad : callable
        The function and its claimed gradient, ``grad(x)`` of x's shape.
    x : array_like
        The point; finite reals, any shape. Not modified.
    eps, atol, rtol : float
        Step > 0, absolute and relative tolerances >= 0.

    Returns
    -------
    CheckResult
        ``ok``, ``max_abs_err``, ``max_rel_err``, ``worst_index``, ``numeric``, ``analytic``.

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda x: x[0] ** 2 * x[1]
    >>> check_grad(f, lambda x: np.array([2 * x[0] * x[1], x[0] ** 2]), [1.0, 2.0]).ok
    True
    >>> bad = check_grad(f, lambda x: np.array([x[0] * x[1], x[0] ** 2]), [1.0, 2.0])
    >>> bad.ok, bad.worst_index
    (False, (0,))
    """
    check_callable("grad", grad)
    atol, rtol = check_nonnegative("atol", atol), check_nonnegative("rtol", rtol)
    x = _as_point(x)
    analytic = _vector(grad(x.copy()), x.shape)
    numeric = numeric_grad(f, x, eps)
    return _compare(analytic, numeric, atol, rtol)


def check_hess(grad: Callable[[np.ndarray], Any], hess: Callable[[np.ndarray], Any], x: Any,
               *, eps: float = 1e-5, atol: float = 1e-4, rtol: float = 1e-3) -> CheckResult:
    r"""Compare ``hess(x)`` with :func:`numeric_hess` ``(grad, x, eps)``: a Hessian check.

    Passes when, elementwise, :math:`|H_{\text{analytic}} - H_{\text{numeric}}| \le
    \text{atol} + \text{rtol}\,|H_{\text{numeric}}|` (the second-order check of seed 004,
    ``torch.autograd.gradgradcheck``, here with central differences of the gradient). Since
    the numeric Hessian is symmetrized, a non-symmetric analytic Hessian fails by about the
    size of its asymmetry.

    Equations::

        numeric = numeric_hess(grad, x, eps) = (D + D^T) / 2,
        D[:, i] = (grad(x + h e_i) - grad(x - h e_i)) / (2h)
        ok      = all(|hess(x) - numeric| <= atol + rtol * |numeric|)

    Parameters
    ----------
    grad, hess : callable
        The gradient, ``(n,) -> (n,)``, and the claimed Hessian, ``(n,) -> (n, n)``.
    x : array_like, shape (n,)
        The point; finite reals. Not modified.
    eps, atol, rtol : float
        Step > 0, absolute and relative tolerances >= 0.

    Returns
    -------
    CheckResult
    """
    check_callable("hess", hess)
    atol, rtol = check_nonnegative("atol", atol), check_nonnegative("rtol", rtol)
    x = _as_point(x)
    if x.ndim != 1:
        raise ValueError(f"x must have shape (n,) for a Hessian, got {x.shape}")
    analytic = _vector(hess(x.copy()), (x.size, x.size), name="hess")
    numeric = numeric_hess(grad, x, eps)
    return _compare(analytic, numeric, atol, rtol)


def _compare(analytic: np.ndarray, numeric: np.ndarray, atol: float,
             rtol: float) -> CheckResult:
    err = np.abs(analytic - numeric)
    allowed = atol + rtol * np.abs(numeric)
    close = err <= allowed
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(err == 0, 0.0, err / np.abs(numeric))
    excess = np.where(np.isnan(err), np.inf, err - allowed)
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(excess), excess.shape))
    return CheckResult(bool(np.all(close)), float(np.max(err)), float(np.max(rel)), worst,
                       numeric, analytic)


def _as_point(x: Any) -> np.ndarray:
    """x as a new finite float64 array of at least one element (errors name x)."""
    return check_real_array("x", x, min_size=1)


def _scalar(value: Any) -> float:
    """What f returned: a real scalar (TypeError naming f otherwise)."""
    if type(value) is float:
        return value
    arr = returned_real("f", value)
    if arr.shape != ():
        raise TypeError(f"f must return a real scalar, got an array of shape {arr.shape}")
    return float(arr)


def _vector(value: Any, shape: tuple, name: str = "grad") -> np.ndarray:
    """What grad or hess returned: real numbers of the given shape, as a new float64 array."""
    return returned_real(name, value, shape)
