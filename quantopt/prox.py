r"""Proximal operators for quantization: hard and soft quantizers, ternary and multi-bit.

The proximal operator of a function :math:`\lambda R` is

.. math:: \operatorname{prox}_{\lambda R}(v) = \arg\min_x \tfrac12\|x - v\|_2^2 + \lambda R(x).

Every operator here is the exact prox of a *separable* R (a sum over coordinates), so it acts
elementwise; its docstring states the objective it minimizes, the closed form and the source.

Equations::

    prox_{lam R}(v) = argmin_x  1/2 ||x - v||^2 + lam R(x)
    project:          R = indicator of Q^n          (lam = infinity; the hard quantizer)
    soft_quantize:    R(x) = sum_j dist(x_j, Q)     (ProxQuant's W-shaped regularizer for Q={-1,1})
    soft_quantize_l2: R(x) = 1/2 sum_j dist(x_j, Q)^2
    soft_threshold:   R(x) = ||x||_1                (Q = {0})

Sources: the course note on quantization (seed 000: min_q ||x - q||^2, prox_f(v) =
argmin 1/2||x - v||^2 + f(x), hard versus soft quantization); Bai, Wang & Liberty, "ProxQuant:
Quantized Neural Networks via Proximal Operators", ICLR 2019 (arXiv:1810.00861); Li & Liu,
"Ternary Weight Networks" (2016); Zhu, Han, Mao & Dally, "Trained Ternary Quantization" (ICLR
2017); Xu et al., "Alternating Multi-bit Quantization for Recurrent Neural Networks" (ICLR 2018).

Conventions
-----------
* **Ties go up.** A value exactly halfway between two neighbouring levels is sent to the *upper*
  level, as ``quantopt.quantize`` rounds half up ((2.5)^R = 3, (-0.5)^R = 0). For the binary
  levels {-1, +1}, 0 maps to +1; for ternary levels, +Δ goes to +α and -Δ goes to 0. The prox of
  a nonconvex R is set-valued at such ties (both neighbours are minimizers); the operators pick
  the one on the side of the upper level, everywhere in this module. The midpoint test is exact
  for every float (no rounding error in forming (a + b)/2 can flip it).
* ``levels``: a 1-D array of finite, strictly increasing reals (|levels| <= 2**1020), non-empty.
* ``lam``: a finite real >= 0.
* ``v``: a real scalar or array (int, float16/32/64); NaN raises ValueError, ±inf is allowed
  (it maps to the extreme level, or stays infinite under the soft operators). Integers are
  computed as float64. Computation is in float64; the result has v's float dtype (float32 in,
  float32 out), rounded once at the end.
* No function modifies ``v``. With ``out=`` (a writeable ndarray of v's shape and of the
  result's dtype, checked by ``_checks.check_out`` before any work), the result is written into
  ``out`` and ``out`` is returned; ``out`` may be ``v`` itself.
* A 0-d input (Python or numpy scalar) gives a numpy scalar; an array gives an array.
"""
from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any

import numpy as np

from ._checks import (
    check_bool,
    check_int,
    check_nonnegative,
    check_out,
    check_positive,
    check_real_array,
)
from ._rounding_kernels import _parse_qp, _parse_x, _quantize, _round_fraction

__all__ = [
    "project",
    "project_grid",
    "soft_quantize",
    "binary",
    "soft_quantize_l2",
    "soft_threshold",
    "ternary",
    "fit_ternary",
    "ternary_quantize",
    "soft_ternary",
    "multibit_codebook",
    "multibit_assign",
    "fit_multibit",
    "multibit_quantize",
    "multibit_prox",
]

_FLOAT_DTYPES = (np.float16, np.float32, np.float64)
_LEVEL_LIMIT = 2.0**1020  # a + b and 2v stay finite for levels below this
_MAX_BITS = 16


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------
def _as_input(v: Any, name: str = "v") -> tuple[np.ndarray, np.dtype]:
    """v as a float64 array (a copy or a fresh conversion) and the dtype of the result."""
    if isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{name} must be real numbers, got bool")
    try:
        a = np.asarray(v)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be a real number or an array of reals") from exc
    kind = a.dtype.kind
    if kind == "f":
        if a.dtype.type not in _FLOAT_DTYPES:
            raise TypeError(f"{name} has dtype {a.dtype}; supported float dtypes are float16, "
                            "float32 and float64")
        dtype = a.dtype
    elif kind in "iu":
        dtype = np.dtype(np.float64)
    elif kind == "b":
        raise TypeError(f"{name} must be real numbers, got an array of bool")
    else:
        raise TypeError(f"{name} must be real numbers (int or float), got dtype {a.dtype}")
    a64 = a.astype(np.float64)  # always a new array: v is never written to
    if np.isnan(a64).any():
        raise ValueError(f"{name} contains NaN; the prox is not defined there")
    return a64, dtype


def _check_lam(lam: Any, name: str = "lam") -> float:
    """A finite real >= 0 (a 0-d real array is taken as its scalar)."""
    if isinstance(lam, np.ndarray) and lam.ndim == 0 and lam.dtype.kind in "iuf":
        lam = lam[()]
    return check_nonnegative(name, lam)


def _check_levels(levels: Any, name: str = "levels") -> np.ndarray:
    if isinstance(levels, (bool, np.bool_)):
        raise TypeError(f"{name} must be a 1-D array of reals, got bool")
    try:
        a = np.asarray(levels)
    except Exception as exc:
        raise TypeError(f"{name} must be a 1-D array of reals") from exc
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a 1-D array of reals, got dtype {a.dtype}")
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must be non-empty")
    a = a.astype(np.float64)
    if not np.isfinite(a).all():
        raise ValueError(f"{name} must be finite, got {a[~np.isfinite(a)][0]!r}")
    if np.abs(a).max() > _LEVEL_LIMIT:
        raise ValueError(f"{name} must satisfy |level| <= 2**1020, got {np.abs(a).max()!r}")
    if a.size > 1 and not (np.diff(a) > 0).all():
        raise ValueError(f"{name} must be strictly increasing (sorted, no duplicates), "
                         f"got {a!r}")
    return a


def _finish(x64: np.ndarray, dtype: np.dtype, shape: tuple, out: Any) -> Any:
    """Cast the float64 result to dtype; write into out if given; 0-d -> numpy scalar."""
    if out is None:
        res = x64.astype(dtype, copy=False).reshape(shape)
        return res[()] if res.ndim == 0 else res
    _check_out_early(out, shape, dtype)
    out[...] = x64.reshape(shape)
    return out


def _check_out_early(out: Any, shape: tuple, dtype: np.dtype) -> None:
    """Validate out before any work, so that a bad out never leaves partial results."""
    if out is not None:
        check_out("out", out, shape, dtype)  # an ndarray of v's shape and dtype, writeable


# ---------------------------------------------------------------------------------------------
# Nearest level, with exact ties-up
# ---------------------------------------------------------------------------------------------
def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """s, e with a + b = s + e exactly (Knuth's TwoSum; no overflow for |a|,|b| <= 2**1020)."""
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    return s, e


def _nearest_index(v64: np.ndarray, lev: np.ndarray) -> np.ndarray:
    """Index of the nearest level for each element; exact midpoints go to the upper level.

    The test "v >= (a + b)/2" is decided exactly: a + b = s + e (TwoSum), and 2v - s is exact
    (Sterbenz) whenever it is comparable to e, so fl(2v - s) >= e iff 2v >= a + b.
    """
    m = lev.size
    if m == 1:
        return np.zeros(v64.shape, dtype=np.intp)
    s, e = _two_sum(lev[:-1], lev[1:])
    i = np.clip(np.searchsorted(lev, v64, side="right") - 1, 0, m - 2)
    with np.errstate(over="ignore", invalid="ignore"):
        up = (2.0 * v64 - s[i]) >= e[i]
    return i + up


# ---------------------------------------------------------------------------------------------
# Hard and soft quantizers
# ---------------------------------------------------------------------------------------------
def project(v, levels, out=None):
    r"""Nearest level, elementwise: the hard quantizer, prox of the indicator of :math:`Q^n`.

    .. math:: \operatorname{proj}_{Q^n}(v) = \arg\min_{x \in Q^n} \tfrac12\|x - v\|_2^2,
              \qquad x_j = \arg\min_{q \in Q} |q - v_j|

    Equations::

        x_j = the level q in Q nearest to v_j          (ties: the upper level)
            = prox of lam * indicator(Q^n), for every lam > 0 (the lam -> infinity limit of
              soft_quantize)

    Source: seed 000 (the quantization problem min_q ||x - q||^2, the hard quantizer); ProxQuant
    (Bai, Wang & Liberty 2019), the projection q(θ) onto the quantized set.

    Parameters
    ----------
    v : real scalar or array
        No NaN; ±inf maps to the last / first level.
    levels : 1-D array
        Finite, strictly increasing, non-empty.
    out : ndarray, optional
        Receives the result (shape of v, dtype of the result).

    Returns
    -------
    The nearest level of each element, in v's float dtype (float64 for integer v).

    Examples
    --------
    >>> project(np.array([-0.4, 0.0, 0.49, 0.5, 2.0]), [0.0, 1.0])
    array([0., 0., 0., 1., 1.])
    >>> float(project(0.0, [-1.0, 1.0]))       # the tie goes up
    1.0
    """
    lev = _check_levels(levels)
    v64, dtype = _as_input(v)
    _check_out_early(out, v64.shape, dtype)
    return _finish(lev[_nearest_index(v64, lev)], dtype, v64.shape, out)


def soft_quantize(v, levels, lam, out=None):
    r"""Prox of :math:`\lambda \sum_j \operatorname{dist}(x_j, Q)`: move toward the nearest level
    by at most λ.

    .. math:: \operatorname{prox}(v) = \arg\min_x \tfrac12\|x - v\|_2^2
              + \lambda\sum_j \min_{q\in Q} |x_j - q|,
              \qquad x_j = q_j + \operatorname{sign}(v_j - q_j)\max(|v_j - q_j| - \lambda, 0),
              \quad q_j = \operatorname{proj}_Q(v_j)

    Equations::

        R(x)  = sum_j min_{q in Q} |x_j - q|          (the W-shaped regularizer for Q = {-1, 1})
        q_j   = project(v_j, Q)                        (nearest level, ties up)
        x_j   = q_j                            if |v_j - q_j| <= lam
              = v_j - lam * sign(v_j - q_j)    otherwise
        lam = 0: x = v;   lam >= |v_j - q_j|: x_j = q_j (the hard quantizer)

    Why this is the exact prox of a nonconvex R. R is a minimum of convex functions,
    R(x) = min_k |x - q_k| per coordinate, so

        min_x 1/2 (x - v)^2 + lam R(x) = min_k [ min_x 1/2 (x - v)^2 + lam |x - q_k| ].

    The inner problem is a shifted ℓ1 prox: its minimizer is the soft threshold of v toward q_k,
    and its optimal value is the Huber function h(d) of d = |v - q_k| (h(d) = d^2/2 for
    d <= lam, lam d - lam^2/2 for d > lam), which is strictly increasing in d >= 0. So the
    outer minimum is attained at the nearest level q_k and nowhere else, except at a midpoint
    between two levels, where both neighbours give the same value and the prox is two points;
    we take the one toward the upper level (the module's tie convention).

    Source: ProxQuant (Bai, Wang & Liberty, ICLR 2019): the W-shaped binary regularizer
    R_bin(θ) = sum_j min(|θ_j - 1|, |θ_j + 1|), the ℓ1 distance to the quantized set {±1}^n,
    whose prox soft-thresholds toward sign(θ) (the released code, reg.py, computes exactly
    that). Here the same distance regularizer is taken to an arbitrary finite level set Q; the
    proof above is ours.

    Parameters
    ----------
    v : real scalar or array (no NaN)
    levels : 1-D array, finite, strictly increasing
    lam : float >= 0
    out : ndarray, optional

    Examples
    --------
    >>> soft_quantize(np.array([-2.0, -0.3, 0.0, 0.3, 0.95]), [-1.0, 1.0], 0.1)
    array([-1.9, -0.4,  0.1,  0.4,  1. ])
    """
    lev = _check_levels(levels)
    lam = _check_lam(lam)
    v64, dtype = _as_input(v)
    _check_out_early(out, v64.shape, dtype)
    return _finish(_soft_toward(v64, lev[_nearest_index(v64, lev)], lam), dtype, v64.shape, out)


def _soft_toward(v64: np.ndarray, q: np.ndarray, lam: float) -> np.ndarray:
    """q + sign(v - q) max(|v - q| - lam, 0), computed as v - lam sign(v - q) when it moves."""
    with np.errstate(invalid="ignore"):
        d = v64 - q  # ±inf for infinite v: stays infinite below
        reach = np.abs(d) <= lam
        x = np.where(reach, q, v64 - lam * np.sign(d))
    return x


def binary(v, lam, out=None):
    r"""ProxQuant's binary prox: :func:`soft_quantize` with levels {-1, +1}.

    .. math:: \operatorname{prox}(v) = \arg\min_x \tfrac12\|x - v\|_2^2
              + \lambda\|x - \operatorname{sign}(x)\|_1,
              \qquad x = \operatorname{sign}(v) + \operatorname{sign}(v - \operatorname{sign}(v))
              \max(|v - \operatorname{sign}(v)| - \lambda, 0)

    Equations::

        R_bin(x) = sum_j | x_j - sign(x_j) |           (the W-shaped regularizer)
        s = sign(v) with sign(0) = +1                  (the tie convention: 0 -> +1)
        x = s + sign(v - s) * max(|v - s| - lam, 0)    (soft threshold toward ±1)

    Source: ProxQuant (Bai, Wang & Liberty, ICLR 2019), the prox of λR_bin; seed 003. The
    released code uses torch's sign(0) = 0 and so leaves 0 at 0; here 0 moves toward +1.

    Examples
    --------
    >>> binary(np.array([-1.5, -0.2, 0.0, 0.7, 3.0]), 0.5)
    array([-1. , -0.7,  0.5,  1. ,  2.5])
    """
    return soft_quantize(v, _BINARY, lam, out=out)


_BINARY = np.array([-1.0, 1.0])


def soft_threshold(v, lam, out=None):
    r"""Prox of :math:`\lambda\|x\|_1`: soft thresholding (shrinkage toward 0 by λ).

    .. math:: \operatorname{prox}_{\lambda\|\cdot\|_1}(v) = \arg\min_x \tfrac12\|x - v\|_2^2
              + \lambda\|x\|_1, \qquad x_j = \operatorname{sign}(v_j)\max(|v_j| - \lambda, 0)

    Equations::

        x_j = sign(v_j) * max(|v_j| - lam, 0)
            = v_j - lam  if v_j > lam;   v_j + lam  if v_j < -lam;   0 otherwise

    It is :func:`soft_quantize` with the single level Q = {0}. Moreau's decomposition holds:
    v = prox_{lam ||.||_1}(v) + lam * proj_{[-1, 1]}(v / lam) for lam > 0.

    Source: the classical ℓ1 prox (e.g. Parikh & Boyd, "Proximal Algorithms", 2014, §6.5.2);
    ProxQuant uses it as the building block of every prox above.

    Examples
    --------
    >>> soft_threshold(np.array([-2.0, -0.5, 0.0, 0.5, 2.0]), 1.0)
    array([-1.,  0.,  0.,  0.,  1.])
    """
    lam = _check_lam(lam)
    v64, dtype = _as_input(v)
    _check_out_early(out, v64.shape, dtype)
    return _finish(_soft_toward(v64, np.zeros_like(v64), lam), dtype, v64.shape, out)


def soft_quantize_l2(v, levels, lam, out=None):
    r"""Prox of :math:`\tfrac{\lambda}{2}\sum_j \operatorname{dist}(x_j, Q)^2`: a convex
    combination of v and its nearest level.

    .. math:: \operatorname{prox}(v) = \arg\min_x \tfrac12\|x - v\|_2^2
              + \tfrac{\lambda}{2}\sum_j \min_{q\in Q}(x_j - q)^2
              = \frac{v + \lambda\,\operatorname{proj}_Q(v)}{1 + \lambda}

    Equations::

        R(x) = 1/2 sum_j min_{q in Q} (x_j - q)^2
        q_j  = project(v_j, Q)                      (nearest level, ties up)
        x_j  = (v_j + lam q_j) / (1 + lam)          (computed as w v_j + (1 - w) q_j, w = 1/(1+lam))
        lam = 0: x = v;  lam -> infinity: x -> q  (never reached for finite lam)

    Exactness of the prox: as for :func:`soft_quantize`, R is a minimum over levels of convex
    pieces (x - q_k)^2 / 2; piece k has minimizer (v + lam q_k)/(1 + lam) and optimal value
    lam/(2(1 + lam)) (v - q_k)^2, strictly increasing in |v - q_k|, so the nearest level wins
    (at a midpoint both do; ties go up).

    Source: ProxQuant (Bai, Wang & Liberty, ICLR 2019), the squared-distance regularizer used for
    ternary and multi-bit quantization, whose prox the released code computes as
    ``(θ + λ q(θ)) / (1 + λ)``.

    Examples
    --------
    >>> soft_quantize_l2(np.array([-0.4, 0.2, 0.9]), [-1.0, 1.0], 1.0)
    array([-0.7 ,  0.6 ,  0.95])
    """
    lev = _check_levels(levels)
    lam = _check_lam(lam)
    v64, dtype = _as_input(v)
    _check_out_early(out, v64.shape, dtype)
    q = lev[_nearest_index(v64, lev)]
    w = 1.0 / (1.0 + lam)
    with np.errstate(invalid="ignore"):
        x = np.where(np.isinf(v64), v64, w * v64 + (1.0 - w) * q)
    return _finish(x, dtype, v64.shape, out)


def project_grid(v, qp, lo=None, hi=None):
    r"""Projection onto the grid :math:`(1/q_p)\mathbb Z` (optionally its points in [lo, hi]).

    .. math:: \operatorname{proj}(v) = \frac{\lfloor q_p v + \tfrac12\rfloor}{q_p}
              \quad\text{clipped to } \Big[\frac{\lceil q_p\,lo\rceil}{q_p},
              \frac{\lfloor q_p\,hi\rfloor}{q_p}\Big]

    Equations::

        x   = quantize(v, qp) = floor(qp*v + 1/2) / qp     (ties up, exact: quantopt.quantize)
        k_lo = ceil(qp*lo), k_hi = floor(qp*hi)             (the grid points inside [lo, hi])
        x   = min(max(x, k_lo/qp), k_hi/qp)

    Without ``lo``/``hi`` this *is* ``quantopt.quantize(v, qp)`` (same value and type: a
    Fraction in gives a Fraction out). In one dimension, the nearest point of a grid restricted
    to an interval is the clipped nearest point of the whole grid, so clipping the code is the
    exact projection onto {k/qp : lo <= k/qp <= hi}. The bounds are computed in exact rational
    arithmetic; the clipped end points are the floats of v's dtype nearest to k/qp (as
    ``quantopt.from_codes``).

    Source: seed 001 (x^Q) and seed 000 (the hard quantizer as a projection).

    lo and hi may lie anywhere, far beyond the data and beyond int64 codes (the end codes are
    Python ints). An end point k/qp beyond the range of v's dtype clips nothing finite on its
    side; a value that would have to be clipped to it (v = +inf with hi = 1e300 in float16, or
    lo = 1e300 for float16 data) has no float to be clipped to.

    Raises TypeError for a v that is not real (naming v), ValueError for NaN in v (the
    projection is undefined there; ``quantize`` would pass it through), for non-finite lo/hi,
    and when no grid point lies in [lo, hi]; OverflowError where a value must be clipped to an
    end point beyond v's dtype (naming lo or hi), and as :func:`quantopt.quantize` (naming v).

    Examples
    --------
    >>> project_grid(np.array([-0.26, 0.25, 0.74, 3.0]), 2, lo=-0.2, hi=1.0)
    array([0. , 0.5, 0.5, 1. ])
    """
    arg = _parse_x(v, "v")  # TypeError naming v for bool, None, strings, ...
    if arg.kind == "float" and np.isnan(arg.value).any():
        raise ValueError("v contains NaN; the projection is not defined there")
    q = _quantize(v, qp, None, "v")
    if lo is None and hi is None:
        return q
    qexact = _parse_qp(qp)
    k_lo = None if lo is None else math.ceil(_exact_bound(lo, "lo") * qexact)
    k_hi = None if hi is None else math.floor(_exact_bound(hi, "hi") * qexact)
    if k_lo is not None and k_hi is not None and k_lo > k_hi:
        raise ValueError(f"no grid point k/qp lies in [lo, hi] = [{lo!r}, {hi!r}] for qp={qp!r}")
    if isinstance(q, Fraction):
        if k_lo is not None:
            q = max(q, Fraction(k_lo) / qexact)
        if k_hi is not None:
            q = min(q, Fraction(k_hi) / qexact)
        return q
    res = np.array(q)  # a copy, of the result's float dtype
    for k, name, bound, side in ((k_lo, "lo", lo, -1), (k_hi, "hi", hi, 1)):
        if k is not None:
            res = _clip_to_grid_point(res, Fraction(k) / qexact, side, name, bound)
    if type(q) is float:
        return float(res)
    return res if isinstance(q, np.ndarray) else res[()]


def _clip_to_grid_point(res: np.ndarray, end: Fraction, side: int, name: str,
                        bound: Any) -> np.ndarray:
    """res clipped at the grid point ``end`` (below it for side = -1, above for +1), which is
    represented by the float of res's dtype nearest to it (exactly rounded).

    When that float is infinite, end is beyond the dtype's range: a bound far beyond the data
    clips nothing, and a result on its far side (±inf from an infinite v, or every finite value
    when the bound lies beyond the largest float on the data's side) has no float to be
    clipped to: OverflowError naming the bound.
    """
    pt = _round_fraction(end, res.dtype)
    if math.isinf(pt):
        beyond = (res == pt) if pt * side > 0 else (res != pt)
        if beyond.any():
            raise OverflowError(f"{name}={bound!r}: the grid point k/qp at that end is beyond "
                                f"the range of {res.dtype}, so a value of v beyond it cannot "
                                "be clipped to a float")
        return res
    beyond = res < pt if side < 0 else res > pt
    return np.where(beyond, res.dtype.type(pt), res)


def _exact_bound(b: Any, name: str) -> Fraction:
    if isinstance(b, (bool, np.bool_)) or not isinstance(b, numbers.Real):
        raise TypeError(f"{name} must be a real number or None, got {type(b).__name__}")
    if isinstance(b, (Fraction, int)):
        return Fraction(b)
    f = float(b)
    if not math.isfinite(f):
        raise ValueError(f"{name} must be finite (or None), got {b!r}")
    return Fraction(f)


# ---------------------------------------------------------------------------------------------
# Ternary: TWN / TTQ thresholded quantizer and the soft ternary prox
# ---------------------------------------------------------------------------------------------
def ternary(v, delta, alpha_pos, alpha_neg=None, out=None):
    r"""Hard ternary quantizer with threshold Δ and scales α₊, α₋ (TWN / TTQ).

    .. math:: t(v) = \begin{cases} \alpha_+ & v \ge \Delta \\ 0 & -\Delta \le v < \Delta \\
              -\alpha_- & v < -\Delta \end{cases}

    Equations::

        t(v) =  alpha_pos   if v >= delta
             =  0           if -delta <= v < delta
             = -alpha_neg   if v < -delta
        (alpha_neg defaults to alpha_pos: TWN's symmetric scale; separate scales are TTQ's)

    Ties: at v = +Δ the value goes up to α₊ and at v = -Δ up to 0 (the module's convention: a
    tie goes to the upper value). TWN writes |v| > Δ for the nonzero values (both ties to 0) and
    the ProxQuant code |v| >= Δ (both ties away from 0); each differs from this rule at exactly
    one point. With Δ = α/2 and α₊ = α₋ = α this is exactly ``project(v, [-α, 0, α])``; a TWN
    threshold Δ = 0.7·mean|v| is in general *not* the midpoint α/2, so the thresholded quantizer
    is then not a nearest-level projection (and not the λ → ∞ limit of :func:`soft_ternary`).

    Source: Li & Liu, "Ternary Weight Networks" (2016), eq. for W^t; Zhu et al., "Trained
    Ternary Quantization" (ICLR 2017), separate positive and negative scales W_p, W_n.

    Parameters
    ----------
    v : real scalar or array (no NaN)
    delta : float >= 0
    alpha_pos : float >= 0
    alpha_neg : float >= 0, optional (default alpha_pos)
    out : ndarray, optional

    Examples
    --------
    >>> ternary(np.array([-1.0, -0.5, 0.0, 0.49, 0.5, 2.0]), 0.5, 1.0, 0.8)
    array([-0.8,  0. ,  0. ,  0. ,  1. ,  1. ])
    """
    delta = check_nonnegative("delta", delta)
    ap = check_nonnegative("alpha_pos", alpha_pos)
    an = ap if alpha_neg is None else check_nonnegative("alpha_neg", alpha_neg)
    v64, dtype = _as_input(v)
    _check_out_early(out, v64.shape, dtype)
    x = np.where(v64 >= delta, ap, np.where(v64 < -delta, -an, 0.0))
    return _finish(x, dtype, v64.shape, out)


def fit_ternary(v, threshold=0.7, symmetric=False):
    r"""Threshold and scales of a ternary quantization of v: TWN's Δ, least-squares scales.

    .. math:: \Delta = t\cdot\frac1n\sum_j |v_j|,\qquad
              \alpha_+ = \operatorname{mean}\{v_j : v_j \ge \Delta\},\qquad
              \alpha_- = \operatorname{mean}\{-v_j : v_j < -\Delta\}

    Equations::

        delta     = threshold * mean(|v|)                 (TWN: threshold = 0.7)
        P = {j : v_j >= delta},   N = {j : v_j < -delta}  (the sets ternary() assigns)
        symmetric=False (TTQ-style separate scales):
            alpha_pos = mean(v_j, j in P),   alpha_neg = mean(-v_j, j in N)
        symmetric=True (TWN):
            alpha_pos = alpha_neg = mean(|v_j|, j in P u N)
        (an empty set gives the scale 0)
        Means are computed without overflow: finite v gives a finite fit (OverflowError
        only if threshold * mean(|v|) itself exceeds float64's range).

    For the fixed assignment, these scales minimize the error ||v - ternary(v, delta, ...)||^2
    (the least-squares fit of one or two scales). TWN derives Δ* ≈ 0.7·E|v| as an approximation
    of the error-minimizing threshold for uniformly or normally distributed weights; its scale is
    α* = mean of |v_j| over |v_j| > Δ. TTQ learns W_p, W_n by gradient descent (with a threshold
    t·max|v|, t = 0.05); here the two scales are instead fit in closed form (what the ProxQuant
    code does for its ternary quantizer), so ``fit_ternary`` + :func:`ternary` is a post-hoc
    ternarization, not TTQ training. The sets P and N follow :func:`ternary`'s tie rule.

    Source: Li & Liu, "Ternary Weight Networks" (2016), eqs. for Δ* and α*; Zhu et al.,
    "Trained Ternary Quantization" (ICLR 2017).

    Parameters
    ----------
    v : non-empty real array (no NaN, no inf)
    threshold : float >= 0, default 0.7
    symmetric : bool, default False

    Returns
    -------
    (delta, alpha_pos, alpha_neg) : tuple of Python floats

    Examples
    --------
    >>> fit_ternary(np.array([-2.0, -0.5, 0.0, 0.5, 1.0, 2.0]))
    (0.7, 1.5, 2.0)
    >>> fit_ternary(np.array([-2.0, -0.5, 0.0, 0.5, 1.0, 2.0]), symmetric=True)
    (0.7, 1.6666666666666667, 1.6666666666666667)
    """
    threshold = check_nonnegative("threshold", threshold)
    symmetric = check_bool("symmetric", symmetric)
    v64, _ = _as_input(v)
    if v64.size == 0:
        raise ValueError("v must be non-empty to fit a ternary quantization")
    if not np.isfinite(v64).all():
        raise ValueError("v must be finite to fit a ternary quantization")
    a = v64.ravel()
    delta = threshold * _mean(np.abs(a))
    if not math.isfinite(delta):
        raise OverflowError(f"threshold={threshold!r} times mean(|v|) overflows float64")
    pos = a >= delta
    neg = a < -delta
    if symmetric:
        both = pos | neg
        s = _mean(np.abs(a[both])) if both.any() else 0.0
        return delta, s, s
    ap = _mean(a[pos]) if pos.any() else 0.0
    an = _mean(-a[neg]) if neg.any() else 0.0
    return delta, ap, an


def _mean(x: np.ndarray) -> float:
    """The mean of a non-empty finite float64 array, finite even where its sum overflows.

    np.mean first; if its sum overflowed, the mean of x·2**-m with m = bit_length(n) + 1 (so
    that |sum| <= n·DBL_MAX·2**-m < DBL_MAX/2), scaled back. Multiplying by a power of two is
    exact but for values below 2**(m-1074), whose share of the mean is below its rounding.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        m = float(np.mean(x))
    if math.isfinite(m):
        return m
    scale = 2.0 ** -(x.size.bit_length() + 1)
    return float(np.mean(x * scale)) / scale


def ternary_quantize(v, threshold=0.7, symmetric=False, out=None):
    r"""Ternarize v with its own fitted threshold and scales: ``ternary(v, *fit_ternary(v))``.

    Equations::

        (delta, alpha_pos, alpha_neg) = fit_ternary(v, threshold, symmetric)
        x = ternary(v, delta, alpha_pos, alpha_neg)

    Source: Li & Liu (TWN, 2016) with ``symmetric=True``; separate scales as in TTQ (Zhu et al.,
    2017) and in the ProxQuant code's ternary quantizer otherwise.

    Examples
    --------
    >>> ternary_quantize(np.array([-2.0, -0.5, 0.0, 0.5, 1.0, 2.0]))
    array([-2. ,  0. ,  0. ,  0. ,  1.5,  1.5])
    """
    delta, ap, an = fit_ternary(v, threshold=threshold, symmetric=symmetric)
    return ternary(v, delta, ap, an, out=out)


def _check_scale(name: str, value: Any) -> float:
    """A ternary scale for soft_ternary: > 0 and <= 2**1020 (the bound on levels)."""
    value = check_positive(name, value)
    if value > _LEVEL_LIMIT:
        raise ValueError(f"{name} must be <= 2**1020 (a level of soft_quantize), got {value!r}")
    return value


def soft_ternary(v, lam, alpha_pos, alpha_neg=None, out=None):
    r"""Soft ternary prox: :func:`soft_quantize` toward the levels {-α₋, 0, α₊}.

    .. math:: \operatorname{prox}(v) = \arg\min_x \tfrac12\|x - v\|_2^2
              + \lambda\sum_j \min_{q\in\{-\alpha_-, 0, \alpha_+\}} |x_j - q|

    Equations::

        x = soft_quantize(v, [-alpha_neg, 0, alpha_pos], lam)
          : each coordinate moves toward its nearest ternary level by at most lam

    Relation to the thresholded quantizer :func:`ternary`: for lam >= the distance to the
    nearest level, x is the nearest-level projection, i.e. the ternary quantizer with the
    *midpoint* thresholds +α₊/2 and -α₋/2 (for α₊ = α₋ = α exactly ``ternary(v, α/2, α)``,
    ties included). It is not TWN's Δ = 0.7·mean|v| rule, which is no prox of this R. The
    ProxQuant code's ternary prox is different again: ``(θ + λ t(θ)) / (1 + λ)`` with t the
    TWN-style thresholded quantizer (a squared-distance prox toward t(θ)).

    Source: ProxQuant's ℓ1 distance regularizer (as for :func:`soft_quantize`) with the ternary
    levels of TWN / TTQ.

    Parameters
    ----------
    v : real scalar or array (no NaN)
    lam : float >= 0
    alpha_pos : float > 0
    alpha_neg : float > 0, optional (default alpha_pos)
    out : ndarray, optional

    Examples
    --------
    >>> soft_ternary(np.array([-0.9, -0.2, 0.3, 0.6]), 0.1, 1.0)
    array([-1. , -0.1,  0.2,  0.7])
    """
    ap = _check_scale("alpha_pos", alpha_pos)
    an = ap if alpha_neg is None else _check_scale("alpha_neg", alpha_neg)
    return soft_quantize(v, np.array([-an, 0.0, ap]), lam, out=out)


# ---------------------------------------------------------------------------------------------
# Multi-bit quantization (Xu et al. 2018) and its ProxQuant prox
# ---------------------------------------------------------------------------------------------
def _check_bits(bits: Any) -> int:
    """An integer in [1, 16] (2**bits codewords are enumerated)."""
    bits = check_int("bits", bits, 1)
    if bits > _MAX_BITS:
        raise ValueError(f"bits must be an integer in [1, {_MAX_BITS}], got {bits!r}")
    return bits


def _check_alphas(alphas: Any) -> np.ndarray:
    """1 to 16 finite reals whose codewords sum_i ±alpha_i are all finite floats."""
    a = check_real_array("alphas", alphas, finite=False)
    if a.ndim != 1 or not 1 <= a.size <= _MAX_BITS:
        raise ValueError(f"alphas must be 1-D with 1 to {_MAX_BITS} entries, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError("alphas must be finite")
    with np.errstate(over="ignore"):
        largest = float(np.sum(np.abs(a)))  # the largest codeword
    if not math.isfinite(largest):
        raise ValueError("alphas: sum(|alphas|), the largest codeword, exceeds float64's range")
    return a


def _patterns(k: int) -> np.ndarray:
    """All 2^k sign patterns, (2^k, k) int8; row m has -1 where bit i of m is set (row 0: +1s)."""
    m = np.arange(2**k)[:, None]
    return (1 - 2 * ((m >> np.arange(k)[None, :]) & 1)).astype(np.int8)


def multibit_codebook(alphas):
    r"""The codebook of a multi-bit quantization: all values Σ_i ±α_i, sorted, distinct.

    Equations::

        values = sorted distinct { sum_i s_i alpha_i : s in {-1, +1}^k }
        patterns[m] = one s with s @ alphas == values[m]   (among equal sums: the one listed
                      first in the order "all +1 first", i.e. bit i of the row index -> -1)

    Source: Xu et al., "Alternating Multi-bit Quantization for Recurrent Neural Networks" (ICLR
    2018), the 2^k candidate values searched by their binary search tree.

    Parameters
    ----------
    alphas : 1-D array of k finite reals (1 <= k <= 16)

    Returns
    -------
    values : (m,) float64, strictly increasing, m <= 2^k
    patterns : (m, k) int8 with entries ±1

    Examples
    --------
    >>> values, patterns = multibit_codebook([1.0, 0.5])
    >>> values
    array([-1.5, -0.5,  0.5,  1.5])
    >>> patterns.tolist()
    [[-1, -1], [-1, 1], [1, -1], [1, 1]]
    """
    a = _check_alphas(alphas)
    return _codebook(a)


def _codebook(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pats = _patterns(a.size)
    sums = pats.astype(np.float64) @ a
    values, first = np.unique(sums, return_index=True)  # first occurrence: +1-heavy pattern
    return values, pats[first]


def multibit_assign(v, alphas):
    r"""Nearest-codeword assignment: the sign pattern b_j minimizing |v_j - b_j·α|.

    .. math:: b_j = \arg\min_{s\in\{\pm1\}^k} |v_j - s^\top\alpha|

    Equations::

        values, patterns = multibit_codebook(alphas)
        codes[j] = patterns[ index of the value nearest to v_j ]    (ties: the upper value)

    Vectorized with ``searchsorted`` on the sorted codebook (Xu et al.'s binary search tree),
    O(n k + 2^k log 2^k). The tie rule is the module's: midpoints go to the upper value.

    Source: Xu et al. (ICLR 2018), the B-step of alternating multi-bit quantization.

    Returns
    -------
    codes : int8 array of shape v.shape + (k,), entries ±1

    Examples
    --------
    >>> multibit_assign(np.array([-2.0, 0.0, 0.7]), [1.0, 0.5]).tolist()
    [[-1, -1], [1, -1], [1, -1]]
    """
    a = _check_alphas(alphas)
    v64, _ = _as_input(v)
    values, pats = _codebook(a)
    return pats[_nearest_index(v64, values)]


def _greedy(a: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Greedy multi-bit start (Guo et al. 2017; Xu et al. 2018): b_i = sign(r), α_i = mean|r|."""
    r = a.copy()
    alphas = np.empty(k)
    codes = np.empty((a.size, k), dtype=np.int8)
    for i in range(k):  # a loop over bits, not elements
        b = np.where(r >= 0, 1, -1).astype(np.int8)  # sign with sign(0) = +1
        alphas[i] = np.mean(np.abs(r))
        codes[:, i] = b
        r = r - alphas[i] * b
    return alphas, codes


def _canonical_ls(a: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares α for fixed codes, then α >= 0 (flipping code columns) sorted descending."""
    B = codes.astype(np.float64)
    alphas = np.linalg.lstsq(B, a, rcond=None)[0]
    flip = np.where(alphas < 0, -1, 1).astype(np.int8)
    alphas = np.abs(alphas)
    codes = codes * flip[None, :]
    order = np.argsort(-alphas, kind="stable")
    return alphas[order], codes[:, order]


def _sq_error(a: np.ndarray, approx: np.ndarray) -> float:
    return float(np.sum((a - approx) ** 2))


def _fit_multibit(a: np.ndarray, k: int, iters: int):
    """Alternating minimization on a flat float64 array; returns alphas, codes, values, errors."""
    alphas, codes = _greedy(a, k)
    order = np.argsort(-alphas, kind="stable")  # canonical: descending (greedy alphas are >= 0)
    alphas, codes = alphas[order], codes[:, order]
    errors = [_sq_error(a, _pattern_values(codes, alphas))]
    return _alternate(a, alphas, iters, errors)


def _pattern_values(codes: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """codes @ alphas, each row's value taken from the same product of all patterns that
    _codebook computes, so that errors of assigned and given codes are evaluated alike (a
    nearest codeword then never has a larger computed error than any other pattern)."""
    k = alphas.size
    row = ((codes < 0).astype(np.int64) << np.arange(k)).sum(axis=-1)  # its row in _patterns
    return (_patterns(k).astype(np.float64) @ alphas)[row]


def _alternate(a: np.ndarray, alphas: np.ndarray, iters: int, errors: list):
    """Assign the nearest codewords for alphas, then alternate least squares and assignment
    while that strictly lowers the error, at most ``iters`` times.

    An alternation is kept only if its least-squares error is <= the current error, its
    assignment error <= that, and the result is strictly below the current error; otherwise
    the loop stops at the current state (in exact arithmetic the error never increases, and an
    alternation that does not lower it changes nothing that matters; in floating point it may
    cycle between two assignments whose errors differ in the last bit, e.g. 2.4 and
    2.4000000000000004). Since every kept step strictly lowers the error, no assignment can
    repeat, and the returned errors are non-increasing. It also stops when the assignment
    equals the least-squares codes (a fixed point). Returns alphas, codes, values, errors with
    codes the nearest codewords for alphas.
    """
    values, pats = _codebook(alphas)
    idx = _nearest_index(a, values)
    codes = pats[idx]
    err = _sq_error(a, values[idx])
    errors.append(err)
    for _ in range(iters):
        new_alphas, ls_codes = _canonical_ls(a, codes)
        err_ls = _sq_error(a, _pattern_values(ls_codes, new_alphas))
        new_values, new_pats = _codebook(new_alphas)
        new_idx = _nearest_index(a, new_values)
        err_as = _sq_error(a, new_values[new_idx])
        if not (err_ls <= err and err_as <= err_ls and err_as < err):
            break  # no strict decrease: the current state is the result
        alphas, values, idx, codes, err = new_alphas, new_values, new_idx, new_pats[new_idx], \
            err_as
        errors += [err_ls, err_as]
        if np.array_equal(codes, ls_codes):
            break  # the assignment is a fixed point of the alternation
    return alphas, codes, values[idx], np.array(errors)


def fit_multibit(v, bits, iters=10, return_errors=False):
    r"""Alternating multi-bit quantization: v ≈ B α with B ∈ {±1}^{n×k}, α ∈ ℝ^k.

    .. math:: \min_{\alpha\in\mathbb R^k,\;B\in\{\pm1\}^{n\times k}} \|v - B\alpha\|_2^2

    Equations::

        greedy start:  r = v;  for i = 1..k:  b_i = sign(r) (sign(0) = +1),  alpha_i = mean|r|,
                                               r = r - alpha_i b_i
        then B <- nearest codeword of each v_j for alpha    (multibit_assign)
        repeat at most iters times:
            alpha <- argmin_alpha ||v - B alpha||^2 = (B^T B)^+ B^T v      (least squares)
                     made canonical: alpha_i >= 0 (flip column i of B), sorted descending
            B     <- nearest codeword for alpha                              (multibit_assign)
            keep this step only if the error strictly decreased (and neither half raised it);
            otherwise stop at the previous alpha, B. Also stop when B no longer changes.
        error = ||v - B alpha||^2 never increases from one step to the next.

    Each step minimizes the error over one block with the other fixed, so in exact arithmetic
    the error sequence is non-increasing; in floating point an alternation can raise it by an
    ulp and cycle between two assignments until ``iters`` runs out, which is why a step that
    does not strictly lower the error ends the loop. The returned errors (``return_errors=True``)
    are therefore non-increasing, no assignment repeats, and the loop terminates. Alternating
    minimization finds a local, not necessarily global, minimum. For bits = 1 the result is
    the closed form α = mean|v|, b = sign(v) (sign(0) = +1), which is the global minimum.

    The returned codes are always the nearest codewords for the returned α, so
    ``multibit_quantize(v, bits) == project(v, multibit_codebook(alphas)[0])``.

    Range: where max|v| is beyond 2**500 (or below 2**-500) the fit runs on v·2**-e (exact,
    the problem is scale-equivariant) so that codeword sums and squared errors do not
    overflow, and α, the codewords and the errors are scaled back by 2**e (errors by 2**2e);
    OverflowError naming v if one of them is then beyond float64 (the errors of v near 1e308
    are: ask for them only on smaller data). Finite v otherwise gives finite results.

    Source: Xu et al., "Alternating Multi-bit Quantization for Recurrent Neural Networks" (ICLR
    2018), Algorithm (greedy initialization, then alternating least squares for α and binary
    search for B); used by ProxQuant (Bai, Wang & Liberty, ICLR 2019) as its multi-bit quantizer.
    The ProxQuant code assigns B greedily for k <= 4 bits; here the assignment is always the
    exact nearest codeword.

    Parameters
    ----------
    v : non-empty real array (no NaN, no inf); all its entries share one α (whole-tensor fit)
    bits : int in [1, 16]
    iters : int >= 0, default 10
        Alternations after the greedy start and its first assignment.
    return_errors : bool
        Also return the error after the greedy start, after its assignment, and after each
        least-squares and each assignment step.

    Returns
    -------
    alphas : (bits,) float64, >= 0, descending
    codes : int8 array of shape v.shape + (bits,), entries ±1; v ≈ codes @ alphas
    errors : float64 array (only with return_errors=True)

    Examples
    --------
    >>> alphas, codes = fit_multibit(np.array([-1.0, -0.25, 0.5, 2.0]), 1)
    >>> alphas, codes[:, 0]
    (array([0.9375]), array([-1, -1,  1,  1], dtype=int8))
    """
    k = _check_bits(bits)
    iters = check_int("iters", iters, 0)
    v64, _ = _multibit_input(v, None)
    e = _binary_exponent(v64)
    alphas, codes, values, errors = _fit_multibit(np.ldexp(v64.ravel(), -e), k, iters)
    alphas = _unscaled(alphas, e, "alphas")
    _unscaled(values, e, "codewords")  # every codeword used must be a finite float too
    codes = codes.reshape(v64.shape + (k,))
    if not return_errors:
        return alphas, codes
    return alphas, codes, _unscaled(errors, 2 * e, "squared errors (call without return_errors)")


def _multibit_input(v, out):
    """v as float64 for a multi-bit fit (non-empty, finite), its result dtype; out checked."""
    v64, dtype = _as_input(v)
    _check_out_early(out, v64.shape, dtype)
    if v64.size == 0:
        raise ValueError("v must be non-empty to fit a multi-bit quantization")
    if not np.isfinite(v64).all():
        raise ValueError("v must be finite to fit a multi-bit quantization")
    return v64, dtype


def _binary_exponent(a: np.ndarray) -> int:
    """e with max|a|·2**-e in [1/2, 1) when max|a| lies outside [2**-500, 2**500], else 0.

    The multi-bit fit and prox are equivariant under v -> c·v (alphas, codewords and the prox
    scale by c, errors by c**2), and multiplying by a power of two is exact. Far outside that
    range they run on v·2**-e, where codeword sums and squared errors cannot overflow (or
    underflow), and their results are scaled back (_unscaled)."""
    e = math.frexp(float(np.max(np.abs(a))))[1]
    return e if abs(e) > 500 else 0


def _unscaled(values: np.ndarray, e: int, what: str) -> np.ndarray:
    """values·2**e, exactly; OverflowError naming v where that is beyond float64."""
    if e == 0:
        return values
    with np.errstate(over="ignore"):
        out = np.ldexp(values, e)
    if not np.isfinite(out).all():
        raise OverflowError(f"v: the fitted {what} exceed float64's range (v is fitted scaled "
                            "by a power of two, and the result scaled back overflows)")
    return out


def multibit_quantize(v, bits, iters=10, out=None):
    r"""Hard multi-bit quantization of v: the codeword values B α of :func:`fit_multibit`.

    Equations::

        alphas, codes = fit_multibit(v, bits, iters)
        x_j = the codebook value nearest to v_j      (= codes[j] @ alphas, up to rounding)

    Source: Xu et al. (ICLR 2018); ProxQuant's multi-bit quantizer q(θ).

    Examples
    --------
    >>> multibit_quantize(np.array([-1.0, -0.25, 0.5, 2.0]), 1)
    array([-0.9375, -0.9375,  0.9375,  0.9375])
    """
    k = _check_bits(bits)
    iters = check_int("iters", iters, 0)
    v64, dtype = _multibit_input(v, out)
    e = _binary_exponent(v64)
    _, _, q, _ = _fit_multibit(np.ldexp(v64.ravel(), -e), k, iters)
    return _finish(_unscaled(q, e, "codewords"), dtype, v64.shape, out)


def multibit_prox(v, bits, lam, rounds=1, iters=10, out=None):
    r"""ProxQuant's multi-bit prox: alternate the quantizer and the closed-form average.

    .. math:: \min_x \tfrac12\|x - v\|_2^2 + \tfrac{\lambda}{2}
              \min_{\alpha, B}\|x - B\alpha\|_2^2
              \;=\; \min_{x,\alpha,B}\; F(x, \alpha, B)

    Equations::

        R(x) = 1/2 min_{alpha, B} ||x - B alpha||^2           (k-bit, adaptive levels alpha)
        F(x, q) = 1/2 ||x - v||^2 + lam/2 ||x - q||^2,  q = B alpha
        x = v
        repeat rounds times:
            q = multibit quantization of x   (fit_multibit; warm-started after round 1)
            x = (v + lam q) / (1 + lam)      (the closed-form minimizer of F over x)

    Each half-step minimizes F over one block (the quantizer step only approximately: it is
    alternating minimization warm-started at the previous α, B, so it never increases
    ||x - q||^2), so F never increases across rounds. Eliminating x shows
    min_x F = lam/(2(1 + lam)) ||v - q||^2: the exact prox is x* = (v + lam q*)/(1 + lam) with
    q* the *best* k-bit quantization of v itself, which is what the first round computes (up to
    the quantizer's own optimality: exact for bits = 1, a local optimum of Xu et al.'s
    alternating minimization for bits >= 2). Later rounds re-fit q to x and can only lower F.
    R is not separable (α is shared by all coordinates), so this prox is not elementwise.

    Source: ProxQuant (Bai, Wang & Liberty, ICLR 2019), multi-bit quantization "by alternating
    between the closed form and the quantizer"; the released code (reg.py, reg_type="mean")
    computes ``p = (θ + λ q(p)) / (1 + λ)`` for n_rounds rounds (default 1), i.e. this
    function with R = ½·dist². If a text writes the regularizer as λ·dist² (no ½), its λ is
    half of the λ here; the paper's exact constant was not verified against the code.

    Parameters
    ----------
    v : non-empty real array (no NaN, no inf)
    bits : int in [1, 16]
    lam : float >= 0
    rounds : int >= 1, default 1
    iters : int >= 0, default 10 (alternations of each quantizer fit)
    out : ndarray, optional

    Examples
    --------
    >>> multibit_prox(np.array([-1.0, -0.25, 0.5, 2.0]), 1, 1.0)
    array([-0.96875, -0.59375,  0.71875,  1.46875])
    """
    k = _check_bits(bits)
    lam = _check_lam(lam)
    rounds = check_int("rounds", rounds, 1)
    iters = check_int("iters", iters, 0)
    v64, dtype = _multibit_input(v, out)
    e = _binary_exponent(v64)
    a = np.ldexp(v64.ravel(), -e)  # v·2**-e, exactly (e = 0 unless v is huge or tiny)
    w = 1.0 / (1.0 + lam)
    alphas, codes, q, _ = _fit_multibit(a, k, iters)
    x = w * a + (1.0 - w) * q
    for _ in range(rounds - 1):
        alphas, codes, q = _refit(x, alphas, codes, iters)
        x = w * a + (1.0 - w) * q
    return _finish(_unscaled(x, e, "prox values"), dtype, v64.shape, out)


def _refit(x: np.ndarray, alphas: np.ndarray, codes: np.ndarray, iters: int):
    """Warm-started alternating minimization of ||x - B α||^2 (never increases it)."""
    alphas, codes, q, _ = _alternate(x, alphas, iters, [])
    return alphas, codes, q
