r"""Half-up rounding x^R, its residual ε, and quantization x^Q onto the grid (1/qp)ℤ.

Source: the note "Quantized Optimization" (seed 001 of the course notes)::

    x^R = [x + 1/2]                 (round half up; [.] is the floor)
    ε   = x - x^R  ∈ [-1/2, 1/2)
    x^Q = [qp·x + 1/2] / qp          (qp > 0 is the grid's resolution; grid step 1/qp)
    k   = [qp·x + 1/2]  ∈ ℤ          (the integer code of x^Q: x^Q = k / qp)

Exactness
---------
Every function here computes the code ``k`` of the *exact* binary value of its input: the
result is what exact rational arithmetic gives, with no error from forming ``qp*x`` or ``x + 0.5``
in floating point. (``numpy.floor(x + 0.5)`` is wrong for x = 0.49999999999999994 and for
x = 2**52 + 1; ``numpy.round`` and Python's ``round`` round half to even.)

* ``fractions.Fraction`` (and Python ``int``) inputs are computed in exact rational arithmetic;
  a Fraction anywhere among the arguments gives a Fraction result.
* float16/float32/float64 inputs (Python floats, numpy scalars and arrays) are computed
  vectorized in float64. The exact method: ``qp*x = p + e`` is split exactly into a float ``p``
  and its rounding error ``e`` (Dekker's error-free product, with Veltkamp splitting), and the
  code follows from ``p`` and ``e`` by exact comparisons. The float that is returned for a grid
  point k/qp is the float of the input's dtype nearest to k/qp (ties to even), since k/qp
  itself is usually not a float (0.12 is not). For qp a power of two, k/qp is exactly a float64.
* Speed: ``quantize``, ``to_codes`` and ``stochastic_round`` run over the flattened array in
  cache-sized blocks, with a fast path whose result is proven equal to the exact method's
  (for qp a power of two p = qp*x is exact and p^R = [2p] - [p]; otherwise the code is
  [fl(fl(qp*x) + 1/2)] unless that sum is exactly an integer, by monotonicity of rounding), and
  the exact method for the elements and blocks the fast path cannot certify (ties, non-finite
  or huge values). Results are bit for bit those of the exact method; the only memory of the
  size of x they allocate is the result (float16/32 and non-contiguous inputs are converted
  block by block into scratch; an integer array is first converted to float64 as a whole).
  The proofs are in the comments of the kernels.
* Domain of exactness for floats: every finite x when qp is a power of two; |qp·x| < 2**52
  otherwise (outside it, the float64 product cannot carry the code exactly, and OverflowError is
  raised, naming the value). Integer codes must also fit in int64 (|k| < 2**63).
* ``qp`` must be a positive finite real; for float inputs it must be exactly representable as a
  float64 (``Fraction(1, 3)`` is not: pass x as a Fraction for exact rational grids).

No function modifies its input. Non-finite floats: ``round_half_up`` and ``quantize`` return
±inf and nan unchanged (as numpy.floor does); ``residual``, ``to_codes`` and
``stochastic_round`` raise ValueError, since ε and k are not defined there.
"""
from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = [
    "round_half_up",
    "residual",
    "quantize",
    "to_codes",
    "from_codes",
    "stochastic_round",
]

_HALF = Fraction(1, 2)
_VELTKAMP = 134217729.0  # 2**27 + 1: splits a float64 into two 26-bit halves
_CODE_LIMIT = 2.0**52  # |qp*x| below this: the code is exact for any float64 qp
_INT64_LIMIT = 2.0**63  # codes must satisfy |k| < 2**63 to be int64
_TINY = 2.0**-900  # |x·2^eq| below this: qp·x is far below 1/2 and Dekker's product may underflow
_FLOAT_DTYPES = (np.float16, np.float32, np.float64)


# ---------------------------------------------------------------------------------------------
# Input handling
# ---------------------------------------------------------------------------------------------
class _Arg:
    """An input sorted into one of three kinds: exact (Fraction/int), float, or integer array."""

    __slots__ = ("kind", "value", "wrap")

    def __init__(self, kind: str, value: Any, wrap: str):
        self.kind = kind  # "fraction", "int", "float" or "intarray"
        self.value = value  # Fraction, int, or an ndarray (never the caller's own array object)
        self.wrap = wrap  # "python", "numpy" or "array": the form the result is returned in


def _parse_x(x: Any, name: str = "x") -> _Arg:
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number or array of reals, got bool")
    if isinstance(x, Fraction):
        return _Arg("fraction", x, "python")
    if isinstance(x, int):  # Python int: exact
        return _Arg("int", x, "python")
    if isinstance(x, float) and not isinstance(x, np.floating):
        return _Arg("float", np.asarray(x, dtype=np.float64), "python")
    if isinstance(x, (np.generic, np.ndarray, list, tuple)):
        wrap = "numpy" if isinstance(x, np.generic) else "array"
        a = np.asarray(x)
        if a.dtype.kind == "f":
            if a.dtype.type not in _FLOAT_DTYPES:
                raise TypeError(f"{name} has dtype {a.dtype}; supported float dtypes are "
                                "float16, float32 and float64")
            return _Arg("float", a, wrap)
        if a.dtype.kind in "iu":
            return _Arg("intarray", a, wrap)
        if a.dtype.kind == "b":
            raise TypeError(f"{name} must be real numbers, got an array of bool")
        raise TypeError(f"{name} must be real numbers (int, float, Fraction or a numeric array), "
                        f"got dtype {a.dtype}; for exact rationals pass Fraction scalars")
    if isinstance(x, numbers.Real):  # other real types, e.g. decimal-like
        raise TypeError(f"{name} of type {type(x).__name__} is not supported; use int, float, "
                        "Fraction or a numpy array")
    raise TypeError(f"{name} must be a real number or array of reals, got {type(x).__name__}")


def _parse_qp(qp: Any) -> Fraction:
    """qp as an exact positive Fraction; TypeError/ValueError naming qp otherwise."""
    if isinstance(qp, (bool, np.bool_)):
        raise TypeError("qp must be a positive real number, got bool")
    if isinstance(qp, Fraction):
        q = qp
    elif isinstance(qp, numbers.Integral):
        q = Fraction(int(qp))
    elif isinstance(qp, numbers.Real):
        f = float(qp)
        if not math.isfinite(f):
            raise ValueError(f"qp must be a positive finite number, got {qp!r}")
        q = Fraction(f)
    else:
        raise TypeError(f"qp must be a positive real number (int, float or Fraction), "
                        f"got {type(qp).__name__}")
    if q <= 0:
        raise ValueError(f"qp must be > 0, got {qp!r}")
    return q


def _qp_float(q: Fraction) -> float:
    """q as a float64, which must be exact for the vectorized float path."""
    try:
        f = float(q)
    except OverflowError:
        f = math.inf
    if not math.isfinite(f) or Fraction(f) != q:
        raise ValueError(f"qp={q} is not exactly representable as a float64, so the grid "
                         "(1/qp)Z cannot be used exactly with float inputs; pass x as a "
                         "fractions.Fraction for exact rational arithmetic")
    return f


def _exact_int_as_float(a: np.ndarray, name: str) -> np.ndarray:
    """An integer array as float64, refusing values that float64 cannot hold exactly."""
    # compared as integers: in floats, 2**53 + 1 would round to 2**53 and pass the test
    bad = (a > 2**53) if a.dtype.kind == "u" else (a > 2**53) | (a < -2**53)
    if a.size and np.any(bad):
        big = a.flat[int(np.argmax(bad))]
        raise OverflowError(f"{name} contains {big}, beyond 2**53: not exactly a float64; "
                            "pass Python ints or Fractions for exact arithmetic")
    return a.astype(np.float64)


def _wrap(result: np.ndarray, arg: _Arg, pytype: type = float) -> Any:
    result = np.asarray(result)
    if arg.wrap == "array":
        return result
    if arg.wrap == "numpy":
        return result[()]
    return pytype(result[()])


def _first_bad(a: np.ndarray, mask: np.ndarray) -> Any:
    return a[mask].flat[0].item()


def _require_finite(a: np.ndarray, name: str, what: str) -> None:
    finite = np.isfinite(a)
    if not finite.all():
        raise ValueError(f"{name} must be finite for {what}, got {_first_bad(a, ~finite)!r}")


def _output(out: Any, x: np.ndarray, shape: tuple, dtype: Any) -> np.ndarray:
    """A fresh result array, or the caller's ``out`` after checking that it can take the result.

    For array x only (the callers refuse ``out`` for scalars). ``out`` must be a writeable,
    C-contiguous ndarray of exactly the result's shape and dtype, sharing no memory with x (the
    kernels read x block by block after writing earlier blocks, and x is never modified).
    """
    if out is None:
        return np.empty(shape, dtype)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy array, got {type(out).__name__}")
    if out.dtype != np.dtype(dtype):
        raise TypeError(f"out must have the result's dtype {np.dtype(dtype)}, got {out.dtype}")
    if out.shape != shape:
        raise ValueError(f"out must have x's shape {shape}, got {out.shape}")
    if not out.flags.c_contiguous:
        raise ValueError("out must be C-contiguous")
    if not out.flags.writeable:
        raise ValueError("out is read-only")
    if np.may_share_memory(out, x):
        raise ValueError("out must not share memory with x (x is never modified)")
    return out


# ---------------------------------------------------------------------------------------------
# Exact float kernels (vectorized; every operation below is exact or exactly decided)
# ---------------------------------------------------------------------------------------------
def _round_half_up_float(a: np.ndarray) -> np.ndarray:
    """[a + 1/2] for a float array, in its own dtype, exactly.

    f = floor(a) is exact; s = a - f is exact except for a in (-1/2, 0) where it may round, but
    it rounds monotonically and 1/2 is a float, so the test s >= 1/2 is decided exactly
    (for a in [-1, -1/2] the subtraction is exact by Sterbenz's lemma).
    """
    with np.errstate(invalid="ignore"):  # inf - inf for infinite a: the test is False, f stays
        f = np.floor(a)
        up = (a - f) >= 0.5
    return f + up.astype(a.dtype)


def _split(a: np.ndarray | float) -> tuple[Any, Any]:
    """Veltkamp's split: a = hi + lo exactly, hi and lo with at most 26 significant bits."""
    c = _VELTKAMP * a
    hi = c - (c - a)
    return hi, a - hi


def _scaled_product(a: np.ndarray, qf: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """qf·a = p + e exactly (Dekker), with qf scaled to [1/2, 1) so that nothing overflows.

    Returns (p, e, tiny). Where ``tiny`` is True, |qf·a| < 2**-899 and p, e are not used.
    Where |p| >= 2**52 (or a is huge) p and e are not meaningful either: callers check p.
    """
    mq, eq = math.frexp(qf)  # qf = mq·2**eq exactly, mq in [1/2, 1)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        xs = np.ldexp(a, eq)  # exact wherever it is neither tiny nor overflowing
        p = xs * mq
        if mq == 0.5:  # qp is a power of two: the product is exact
            e = np.zeros_like(p)
        else:
            xh, xl = _split(xs)
            qh, ql = _split(mq)
            e = ((xh * qh - p) + xh * ql + xl * qh) + xl * ql
    tiny = np.abs(xs) < _TINY
    return p, e, tiny


def _round_codes(a: np.ndarray, qf: float, name: str, caller: str) -> np.ndarray:
    """Exact k = [qf·a + 1/2] as integer-valued float64, for finite float64 a.

    With p + e = qf·a exactly, k̂ = p^R and r = p - k̂ (exact, r in [-1/2, 1/2)):
        k = k̂ + 1  if r + e >= 1/2,   k̂ - 1  if r + e < -1/2,   k̂ otherwise.
    |e| <= ulp(p)/2 <= 1/4 when |p| < 2**52. The tests e >= 1/2 - r and e < -1/2 - r are exact:
    1/2 ∓ r is exact whenever it is not far larger than |e| (r is a multiple of ulp(p)).
    """
    shape, a = a.shape, a.reshape(-1)
    p, e, tiny = _scaled_product(a, qf)
    inside = np.abs(p) < _CODE_LIMIT
    k = _round_half_up_float(p)
    with np.errstate(invalid="ignore"):
        r = p - k
        k = k + (e >= 0.5 - r) - (e < -0.5 - r)
    k[tiny] = 0.0
    outside = ~(inside | tiny)
    if outside.any():
        if math.frexp(qf)[0] == 0.5:  # power of two: qf·a is exact, and an integer out there
            k[outside] = p[outside]
        else:
            bad = _first_bad(a, outside)
            raise OverflowError(
                f"{caller}: {name}={bad!r} with qp={qf!r} gives |qp*{name}| >= 2**52, where the "
                "code k = floor(qp*x + 1/2) cannot be computed exactly in float64 unless qp is a "
                "power of two; pass a fractions.Fraction for exact arithmetic")
    return k.reshape(shape)


def _floor_codes(a: np.ndarray, qf: float, name: str, caller: str) -> tuple[np.ndarray, np.ndarray]:
    """Exact k = [qf·a] (the floor) and the fractional part qf·a - k in [0, 1), for finite a.

    With p + e = qf·a, k̂ = p^R, r = p - k̂:  [qf·a] = k̂ - 1 if r + e < 0 else k̂  (exact test
    e < -r). The fractional part (r + e) + [r + e < 0] is rounded once (error <= 2**-53).
    """
    shape, a = a.shape, a.reshape(-1)
    p, e, tiny = _scaled_product(a, qf)
    k = _round_half_up_float(p)
    with np.errstate(invalid="ignore"):
        r = p - k
        below = e < -r
        k = k - below
        frac = (r + e) + below
    if tiny.any():
        neg = a[tiny] < 0
        k[tiny] = -neg.astype(np.float64)
        frac[tiny] = qf * a[tiny] + neg  # 1 + (tiny negative) may round to 1.0: P(up) ~ 1 anyway
    outside = ~((np.abs(p) < _CODE_LIMIT) | tiny)
    if outside.any():
        if math.frexp(qf)[0] == 0.5:  # exact product: an integer out there
            k[outside] = p[outside]
            frac[outside] = 0.0
        else:
            bad = _first_bad(a, outside)
            raise OverflowError(
                f"{caller}: {name}={bad!r} with qp={qf!r} gives |qp*{name}| >= 2**52, beyond the "
                "range where the code is exact for qp not a power of two")
    return k.reshape(shape), frac.reshape(shape)


def _codes_to_float(k: np.ndarray, qf: float, dtype: Any) -> np.ndarray:
    """The float of ``dtype`` nearest to k/qf (ties to even), for integer-valued float64 k.

    In float64 this is one correctly rounded division (k and qf are exact float64s). For a
    narrower dtype, rounding that quotient again can err when it lands exactly on a midpoint of
    the narrow format (double rounding); there the sign of k - v·qf decides, computed exactly.
    """
    mq, eq = math.frexp(qf)
    shape, k = k.shape, k.reshape(-1)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        if mq == 0.5:
            v = np.ldexp(k, 1 - eq)  # k / 2**(eq-1), exact
            return v.astype(dtype).reshape(shape)
        v = k / qf
        if np.dtype(dtype) == np.float64:
            return v.reshape(shape)
        w = v.astype(dtype)
        w64 = w.astype(np.float64)
        toward = np.nextafter(w, np.where(v > w64, np.inf, -np.inf).astype(dtype))
        mid = (w64 != v) & (2.0 * v == w64 + toward.astype(np.float64))
        if mid.any():
            vm, km = v[mid], k[mid]
            vs = np.ldexp(vm, eq)  # vm·qf = vs·mq
            ph = vs * mq
            xh, xl = _split(vs)
            qh, ql = _split(mq)
            eh = ((xh * qh - ph) + xh * ql + xl * qh) + xl * ql  # vm·qf = ph + eh exactly
            d_hi = km - ph  # exact (Sterbenz: ph is within an ulp of km)
            above = d_hi > eh  # k > vm·qf  <=>  k/qf > vm
            below = d_hi < eh
            wm, tm = w[mid], toward[mid]
            w64m, t64m = w64[mid], toward.astype(np.float64)[mid]
            up_pick = np.where(t64m > w64m, tm, wm)  # the larger of the two neighbours
            dn_pick = np.where(t64m > w64m, wm, tm)
            w[mid] = np.where(above, up_pick, np.where(below, dn_pick, wm))
        return w.reshape(shape)


# ---------------------------------------------------------------------------------------------
# Reference array paths: the exact kernels above applied to a whole float64 array. They are the
# slow path of the blocked kernels below (for the rare elements a fast certificate cannot
# decide), and they raise the errors of the public functions.
# ---------------------------------------------------------------------------------------------
def _quantize_reference(a: np.ndarray, qf: float, dtype: Any) -> np.ndarray:
    """x^Q of a float64 array ``a`` in ``dtype`` (non-finite values pass through)."""
    finite = np.isfinite(a)
    if finite.all():
        k = _round_codes(a, qf, "x", "quantize")
        out = _codes_to_float(k, qf, dtype)
    else:
        out = a.astype(dtype, copy=True)
        k = _round_codes(a[finite], qf, "x", "quantize")
        out[finite] = _codes_to_float(k, qf, dtype)
    if math.frexp(qf)[0] == 0.5:  # beyond 2**52 on a power-of-two grid, x is its own x^Q
        big = finite & (np.abs(a) >= _CODE_LIMIT / qf)  # qf a power of two: exact
        if big.any():
            out[big] = a[big].astype(dtype)
    return out


def _to_codes_reference(a: np.ndarray, qf: float) -> np.ndarray:
    """int64 codes of a float64 array; ValueError/OverflowError as documented in to_codes."""
    _require_finite(a, "x", "to_codes")
    k = _round_codes(a, qf, "x", "to_codes")
    too_big = ~(np.abs(k) < _INT64_LIMIT)
    if too_big.any():
        raise OverflowError(f"to_codes: x={_first_bad(a, too_big)!r} with qp={qf!r} has a code "
                            "of magnitude >= 2**63, which int64 cannot hold")
    return k.astype(np.int64)


def _stochastic_reference(a: np.ndarray, qf: float, dtype: Any, draw: Any) -> np.ndarray:
    """x^S of a float64 array; ``draw(shape)`` gives the uniforms, called after the checks."""
    _require_finite(a, "x", "stochastic_round")
    k, frac = _floor_codes(a, qf, "x", "stochastic_round")
    k = k + (draw(a.shape) < frac)
    out = _codes_to_float(k, qf, dtype)
    if math.frexp(qf)[0] == 0.5:  # beyond 2**52 on a power-of-two grid, x is its own x^S
        big = np.abs(a) >= _CODE_LIMIT / qf  # (where qf·x overflows, k above is not x·qf)
        if big.any():
            out[big] = a[big].astype(dtype)
    return out


# ---------------------------------------------------------------------------------------------
# Blocked kernels: the same results, computed block by block with a cheap certificate
# ---------------------------------------------------------------------------------------------
# The flattened input is processed in blocks of _BLOCK elements (a few scratch buffers of this
# size stay in the L2/L3 caches), with ufuncs writing into preallocated scratch and straight into
# the output, so that a call allocates the output and O(_BLOCK) scratch, nothing of size n.
#
# Power-of-two qp: p = qf·x is exact (it cannot lose bits to underflow unless |qf·x| < 2**-1022,
# where both p and qf·x round half up to 0), and p^R = [2p] - [p] exactly: both floors are
# integers and their difference is [p] or [p] + 1 ([p] + 1 iff p - [p] >= 1/2), for every
# finite p with 2p finite. A block where p or 2p overflows, or x is not finite, goes to the
# reference path (quantize: an overflow or inf - inf was signalled; a nan x just gives nan;
# to_codes and stochastic_round: the codes' extremes or sum are not finite).
#
# Other qp: with v = qf·x exact, p = fl(v), t = fl(p + 1/2) and k = [t], the code is
# K = [v + 1/2], i.e. K - 1/2 <= v < K + 1/2. While |K| < 2**52 the numbers K ± 1/2, K and K + 1
# are floats, and rounding to nearest is monotone (with underflow too), so K - 1/2 <= v gives
# K - 1/2 <= p, K <= p + 1/2 and K <= t; and v < K + 1/2 gives p <= K + 1/2 and t <= K + 1.
# Hence k = K, or k = K + 1 with t = K + 1 an integer. The certificate is d = fl(t - k) > 0:
# t - k is exact for t >= 0 and t <= -1 (Sterbenz) and in (0, 1) for t in (-1, 0), where it
# rounds to a positive float. So d = 0 exactly where t is an integer, and those elements (for
# instance p a tie k + 1/2 whose exact v may lie just below it) take the exact path. So do the
# elements where the reference raises OverflowError, |p| >= 2**52: there t is an integer too,
# except for p = -2**52, which k <= -2**52 catches; and non-finite x, where d is nan. The
# bounds on K hold for the others: |t| < 2**52 with d > 0 gives -2**52 < K < 2**52.
#
# Stochastic rounding, other qp: the reference returns [v] + [u < frac] for the uniform draw u,
# where its fractional part frac is within 2**-53 of F = v - [v]; the fast path must match it
# bit for bit, so it keeps a margin. With y = fl(p - u), k = [y], e = fl(y - k), M = max|k| + 2
# (so |p| <= M) and c = fl(M + 1)·2**-51: |v - p| <= 2**-53·M + 2**-1075, |y - (p - u)| <=
# 2**-53·(M + 1), and e and fl(1 - c) are within 2**-54 of y - k and of 1 - c. So if
# c <= e <= fl(1 - c), v - u - k is at distance >= c - 2**-52·(M + 1) - 2**-1075 > 2**-53 from
# 0 and from 1. F - u is v - u - k or that minus 1, so |F - u| > 2**-53: u < frac exactly when
# u < F, which is exactly when k = [v - u] equals [v] (otherwise k = [v] - 1). Hence k + 1 =
# [v] + [u < frac]. Uncertified elements take the exact path with their own u. For power-of-two
# qp, p - [p] (rounded once, for p in (-1, 0)) is the reference's frac exactly, and
# [p] + [u < p - [p]] is computed as the reference does; no certificate is needed.
_BLOCK = 32768  # 256 KiB per float64 scratch buffer; 16384..131072 measured within ~10%
_CERT_LIMIT = 2.0**50  # stochastic_round, other qp: M below this for a certified block
_MIN = np.minimum.reduce
_MAX = np.maximum.reduce
_SUM = np.add.reduce


class _Source:
    """Blocks of the flattened (C order) input as float64 arrays, without a full-size copy."""

    __slots__ = ("flat", "a", "direct", "buf")

    def __init__(self, a: np.ndarray, size: int):
        self.a = a
        self.flat = a.reshape(-1) if a.flags.c_contiguous else None
        self.direct = self.flat is not None and a.dtype == np.float64
        self.buf = None if self.direct else np.empty(size)

    def get(self, i: int, j: int) -> np.ndarray:
        if self.direct:
            return self.flat[i:j]
        src = self.flat[i:j] if self.flat is not None else self.a.flat[i:j]
        b = self.buf[: j - i]
        np.copyto(b, src)  # float16/32 -> float64 is exact
        return b


def _narrow_masks(dtype: Any, qf: float) -> tuple[int, int, float] | None:
    """(mask, half, limit) for the midpoint filter of _narrow_block, or None if it is unsafe.

    A float64 v in the normal range of ``dtype`` (precision m bits) is a midpoint of two
    adjacent floats of dtype only if its 52 - m + 1 lowest fraction bits are 100...0. Codes give
    |v| >= 1/qf unless v = 0, so when 1/qf is at least twice dtype's smallest normal no nonzero
    v is subnormal there; v below ``limit`` keeps clear of dtype's overflow threshold.
    """
    info = np.finfo(dtype)
    if 1.0 / qf < 2.0 * float(info.smallest_normal):
        return None
    low = 52 - info.nmant  # float64 fraction bits below dtype's last fraction bit
    return (1 << low) - 1, 1 << (low - 1), float(info.max) / 4.0


def _narrow_block(k: np.ndarray, qf: float, ob: np.ndarray, scratch: np.ndarray,
                  masks: tuple[int, int, float]) -> None:
    """ob = the float of ob's dtype nearest k/qf, as _codes_to_float gives, for one block.

    fl64(k/qf) cast to the narrow dtype is correctly rounded unless it is a midpoint of the
    narrow format (double rounding); only elements whose bit pattern could be one go through
    _codes_to_float, which decides them exactly.
    """
    mask, half, _ = masks
    v = scratch
    np.divide(k, qf, out=v)
    np.copyto(ob, v, casting="same_kind")
    low = np.bitwise_and(v.view(np.uint64), np.uint64(mask))
    cand = np.flatnonzero(low == np.uint64(half))
    if cand.size:
        ob[cand] = _codes_to_float(k[cand], qf, ob.dtype)


def _blocked(a: np.ndarray, qf: float, out: np.ndarray, mode: str, gen: Any = None) -> None:
    """Fill ``out`` (fresh, C-contiguous, a's shape) with mode(a) block by block.

    mode is "quantize" (out of a float dtype), "codes" (int64 out) or "stochastic" (uniforms
    from ``gen``, drawn block by block in order: the same stream as one draw of a.size).
    Raises the reference path's errors (possibly for a different element than the reference
    would name first: callers re-run the reference on the whole array to raise its error).
    """
    flag = _FpFlag()
    # Overflow and inf - inf are expected (such blocks take the reference path). For quantize
    # on a power-of-two grid they are detected from the floating-point status flags, which
    # numpy reads after every ufunc call anyway, instead of by one more pass over the block.
    with np.errstate(all="ignore", over="call", invalid="call", call=flag):
        _blocked_loop(a, qf, out, mode, gen, flag)


class _FpFlag:
    """np.errstate callback: records that an overflow or invalid operation was signalled."""

    __slots__ = ("hit",)

    def __init__(self):
        self.hit = False

    def __call__(self, kind: str, flag: int) -> None:
        self.hit = True


def _blocked_loop(a: np.ndarray, qf: float, out: np.ndarray, mode: str, gen: Any,
                  flag: _FpFlag) -> None:
    n = a.size
    size = min(n, _BLOCK)
    src = _Source(a, size)
    dst = out.reshape(-1)
    pow2 = math.frexp(qf)[0] == 0.5
    inv = 1.0 / qf if pow2 and qf >= 2.0**-1023 else 0.0  # a power of two: exact
    out64 = out.dtype.type is np.float64  # (either byte order)
    narrow = _narrow_masks(out.dtype, qf) if mode != "codes" and not out64 else None
    if narrow is not None and not 2.0**53 / qf < narrow[2]:
        narrow = None  # certified codes have |k| < 2**52: k/qf must stay far below dtype's max
    tk = np.empty((2, size))  # rows t and k, reduced together
    t = tk[0]  # p, t, d, y or e
    k = tk[1]  # codes
    if mode == "stochastic":
        u = np.empty(size)
        up = np.empty(size, dtype=bool)
    for i in range(0, n, _BLOCK):
        j = min(i + _BLOCK, n)
        m = j - i
        xb, tb, kb, ob = src.get(i, j), t[:m], k[:m], dst[i:j]
        if mode == "stochastic":
            ub = u[:m]
            gen.random(out=ub)
        whole = False  # the block goes through the reference path entirely
        patch = None  # elements that the reference path overwrites in the output
        if pow2:
            flag.hit = False
            np.multiply(xb, qf, out=tb)
            if mode == "stochastic":
                np.floor(tb, out=kb)  # f = [p]
                np.subtract(tb, kb, out=tb)  # p - f, exact but for p in (-1, 0): rounded once
                np.less(ub, tb, out=up[:m])
                np.add(kb, up[:m], out=kb)
            else:
                np.floor(tb, out=kb)
                np.add(tb, tb, out=tb)
                np.floor(tb, out=tb)
                np.subtract(tb, kb, out=kb)  # [2p] - [p] = p^R
            if mode == "codes":
                lo, hi = float(_MIN(kb)), float(_MAX(kb))
                whole = not (-_INT64_LIMIT < lo and hi < _INT64_LIMIT)
            elif mode == "quantize":
                # x = ±inf gives inf - inf and a too large x overflows qf·x or 2p: both are
                # signalled. A nan x gives a nan code and so a nan result, as it should.
                whole = flag.hit
            else:
                whole = not math.isfinite(float(_SUM(kb)))
        else:
            np.multiply(xb, qf, out=tb)
            if mode == "stochastic":
                np.subtract(tb, ub, out=tb)  # y = fl(p - u)
                np.floor(tb, out=kb)
                np.subtract(tb, kb, out=tb)  # e = fl(y - [y])
                lo, hi = float(_MIN(kb)), float(_MAX(kb))
                bound = max(hi, -lo) + 2.0
                c = (bound + 1.0) * 2.0**-51
                ok = bound < _CERT_LIMIT
                np.add(kb, 1.0, out=kb)  # [y] + 1 (nonzero where certified: -0 is not)
                if ok and not (float(_MIN(tb)) >= c and float(_MAX(tb)) <= 1.0 - c):
                    bad = np.flatnonzero((tb < c) | (tb > 1.0 - c))
                    kf, frac = _floor_codes(xb[bad], qf, "x", "stochastic_round")
                    kb[bad] = kf + (ub[bad] < frac)
                whole = not ok
            else:
                np.add(tb, 0.5, out=tb)
                np.floor(tb, out=kb)
                np.subtract(tb, kb, out=tb)  # d: 0 where t is an integer, nan where x is not finite
                dmin, kmin = _MIN(tk[:, :m], axis=1)
                if not (dmin > 0.0 and kmin > -_CODE_LIMIT):
                    patch = np.flatnonzero(~(tb > 0.0) | (kb <= -_CODE_LIMIT))
        if whole:
            if mode == "quantize":
                ob[...] = _quantize_reference(xb, qf, out.dtype)
            elif mode == "codes":
                ob[...] = _to_codes_reference(xb, qf)
            else:
                ob[...] = _stochastic_reference(xb, qf, out.dtype, lambda shape, _u=ub: _u)
        elif mode == "codes":
            np.copyto(ob, kb, casting="unsafe")  # integer-valued, |k| < 2**63: exact
        elif pow2 and inv:
            if out64:
                np.multiply(kb, inv, out=ob)  # k/qf exactly
            else:
                np.multiply(kb, inv, out=kb)
                np.copyto(ob, kb, casting="same_kind")  # one rounding of the exact k/qf
        elif out64:
            np.divide(kb, qf, out=ob)  # correctly rounded k/qf
        elif narrow is not None and not pow2:
            _narrow_block(kb, qf, ob, tb, narrow)
        else:
            ob[...] = _codes_to_float(kb, qf, out.dtype)
        if patch is not None and patch.size:
            if mode == "quantize":
                ob[patch] = _quantize_reference(xb[patch], qf, out.dtype)
            else:
                ob[patch] = _to_codes_reference(xb[patch], qf)


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------
def round_half_up(x):
    r"""Round half up: x^R = [x + 1/2], exactly.

    .. math:: x^R = \lfloor x + \tfrac12 \rfloor, \qquad x - \tfrac12 < x^R \le x + \tfrac12

    Equations::

        x^R = floor(x + 1/2)         (2.5 -> 3, -0.5 -> 0, -2.5 -> -2)

    Source: note "Quantized Optimization" (seed 001), definition of x^R.

    Parameters
    ----------
    x : int, float, Fraction, or array of float16/32/64 or integers
        Floats are rounded in their own dtype, exactly, for every float (ties, one ulp from a
        tie, and |x| >= 2**52, which are integers already); ±inf and nan pass through.

    Returns
    -------
    Same kind as x: a Fraction for a Fraction, an int for an int, a float for a float, an array
    of the input's dtype for an array.

    Examples
    --------
    >>> round_half_up(2.5), round_half_up(-0.5), round_half_up(0.49999999999999994)
    (3.0, 0.0, 0.0)
    """
    arg = _parse_x(x)
    if arg.kind == "fraction":
        return Fraction(math.floor(arg.value + _HALF))
    if arg.kind == "int":
        return arg.value
    if arg.kind == "intarray":
        return _wrap(arg.value.copy(), arg, int)
    return _wrap(_round_half_up_float(arg.value), arg)


def residual(x):
    r"""The rounding residual ε = x - x^R, which lies in [-1/2, 1/2).

    Equations::

        eps = x - x^R = x - floor(x + 1/2),   -1/2 <= eps < 1/2

    Source: note "Quantized Optimization" (seed 001): x = x^R + ε.

    Exact for every finite float (the subtraction is exact). Raises ValueError for inf or nan,
    where ε is undefined. Types as in :func:`round_half_up`.
    """
    arg = _parse_x(x)
    if arg.kind == "fraction":
        return arg.value - math.floor(arg.value + _HALF)
    if arg.kind == "int":
        return 0
    if arg.kind == "intarray":
        return _wrap(np.zeros_like(arg.value), arg, int)
    a = arg.value
    _require_finite(a, "x", "residual")
    return _wrap(a - _round_half_up_float(a), arg)


def _exact_round_code(v: Fraction | int, q: Fraction) -> int:
    return math.floor(q * v + _HALF)


def quantize(x, qp, *, out=None):
    r"""Quantize onto the grid (1/qp)ℤ: x^Q = [qp·x + 1/2] / qp, the code computed exactly.

    .. math:: x^Q = \frac{1}{q_p}\left\lfloor q_p x + \tfrac12 \right\rfloor,
              \qquad x - \frac{1}{2q_p} < x^Q \le x + \frac{1}{2q_p}

    Equations::

        k   = floor(qp*x + 1/2)      the integer code (see to_codes)
        x^Q = k / qp                 -1/(2 qp) < x^Q - x <= 1/(2 qp)

    Source: note "Quantized Optimization" (seed 001), definition of x^Q; the worked example
    x = 0.123456789, qp = 100 gives x^Q = 0.12.

    Parameters
    ----------
    x : int, float, Fraction, or array of float16/32/64 or integers
    qp : positive int, float or Fraction
        Grid resolution (grid step 1/qp). For float x it must be exactly a float64.
    out : ndarray, optional
        Array x only: where to write the result (as numpy's ``out=``), instead of a new array.
        It must have x's shape and the result's dtype (x's float dtype, float64 for integer x),
        be C-contiguous and writeable, and share no memory with x. Reusing one buffer saves the
        page faults of a fresh result on very large arrays. On an error its contents are
        unspecified.

    Returns
    -------
    A Fraction (exactly k/qp) if x or qp is a Fraction. Otherwise the float nearest to k/qp, in
    x's float dtype (float64 for ints): a float for a scalar, an array for an array (``out``
    itself when given). ±inf and nan pass through.

    Raises
    ------
    OverflowError
        For a float x with |qp·x| >= 2**52 when qp is not a power of two (the code cannot be
        exact in float64 there); for an integer array with values beyond 2**53.

    Examples
    --------
    >>> quantize(0.123456789, 100)
    0.12
    >>> quantize(Fraction(1, 8), 4)   # a tie, rounded up
    Fraction(1, 4)
    """
    q = _parse_qp(qp)
    arg = _parse_x(x)
    if out is not None and arg.wrap != "array":
        raise TypeError(f"out is only for array x, got x of type {type(x).__name__}")
    if arg.kind in ("fraction", "int"):
        exact = Fraction(_exact_round_code(arg.value, q)) / q
        if arg.kind == "fraction" or isinstance(qp, Fraction):
            return exact
        return float(exact)
    if isinstance(qp, Fraction) and arg.wrap == "python":
        return quantize(Fraction(float(arg.value)), q)
    qf = _qp_float(q)
    dtype = np.float64 if arg.kind == "intarray" else arg.value.dtype
    res = _output(out, arg.value, arg.value.shape, dtype)
    a = _exact_int_as_float(arg.value, "x") if arg.kind == "intarray" else arg.value
    try:
        _blocked(a, qf, res, "quantize")
    except (OverflowError, ValueError):  # raise the error the whole-array reference names
        res[...] = _quantize_reference(a.astype(np.float64), qf, dtype)
    return _wrap(res, arg)


def to_codes(x, qp, *, out=None):
    r"""The integer codes k = [qp·x + 1/2] with x^Q = k/qp, computed exactly.

    Equations::

        k = floor(qp*x + 1/2)        (int64 for float input; Python int for int/Fraction)

    On-grid state is kept as such codes, so that updates k <- k - d are exact integer arithmetic
    and no float drift accumulates (from_codes turns them back into floats).

    ``out``: as in :func:`quantize`, an int64 array of x's shape to write the codes into (array
    x only); it is returned.

    Raises
    ------
    ValueError
        x not finite, or qp not positive.
    OverflowError
        |k| >= 2**63, or |qp·x| >= 2**52 for float x and qp not a power of two: never wraps.
    """
    q = _parse_qp(qp)
    arg = _parse_x(x)
    if out is not None and arg.wrap != "array":
        raise TypeError(f"out is only for array x, got x of type {type(x).__name__}")
    if arg.kind in ("fraction", "int"):
        return _exact_round_code(arg.value, q)
    if isinstance(qp, Fraction) and arg.wrap == "python":
        return _exact_round_code(Fraction(float(arg.value)), q)
    qf = _qp_float(q)
    res = _output(out, arg.value, arg.value.shape, np.int64)
    a = _exact_int_as_float(arg.value, "x") if arg.kind == "intarray" else arg.value
    _float_codes(a, qf, res)
    return _wrap(res, arg, int)


def _float_codes(a: np.ndarray, qf: float, res: np.ndarray) -> np.ndarray:
    """The exact codes of a float array into the int64 array ``res`` (a's shape, C order), for
    a float64 qf: the blocked kernel, and the whole-array reference to raise its errors."""
    try:
        _blocked(a, qf, res, "codes")
    except (OverflowError, ValueError):  # raise the error the whole-array reference names
        res[...] = _to_codes_reference(a.astype(np.float64), qf)
    return res


def from_codes(k, qp, dtype=np.float64):
    r"""Grid values from integer codes: k / qp.

    Equations::

        x^Q = k / qp

    Parameters
    ----------
    k : int or integer array
        Codes, as returned by :func:`to_codes`.
    qp : positive int, float or Fraction
    dtype : float16, float32 or float64
        Dtype of the float result (ignored for exact results).

    Returns
    -------
    A Fraction if qp is a Fraction and k is a Python int. Otherwise the float of ``dtype``
    nearest to k/qp (ties to even); exact in float64 when qp is a power of two.

    Raises
    ------
    TypeError if k is not integer; OverflowError if an integer array holds |k| > 2**53 (its
    float64 copy would not be exact, so k/qp could not be rounded from an exact numerator).
    """
    q = _parse_qp(qp)
    if isinstance(k, (bool, np.bool_)):
        raise TypeError("k must be integer codes, got bool")
    if np.dtype(dtype).type not in _FLOAT_DTYPES:
        raise TypeError(f"dtype must be float16, float32 or float64, got {dtype!r}")
    if isinstance(k, int):
        exact = Fraction(k) / q
        if isinstance(qp, Fraction):
            return exact
        if np.dtype(dtype) == np.float64:
            return float(exact)  # Fraction -> float is correctly rounded, for any size of k
        if abs(k) >= 2**63:
            raise OverflowError(f"k={k} is beyond int64; use dtype=float64 or a Fraction qp")
        k = np.int64(k)
    arr = np.asarray(k)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"k must be integer codes (int or an integer array), got dtype {arr.dtype}")
    kf = _exact_int_as_float(arr, "k")
    out = _codes_to_float(kf, _qp_float(q), dtype)
    if isinstance(k, np.ndarray):
        return out
    return out[()] if isinstance(k, np.generic) else float(out[()])


def _exact_uniform_below(rng: np.random.Generator, n: int, d: int) -> bool:
    """True with probability exactly n/d (0 <= n < d), using whole random integers."""
    nbits = d.bit_length()
    nbytes = (nbits + 7) // 8
    while True:  # rejection sampling of u uniform on {0, ..., d-1}; accepts with prob > 1/2
        u = int.from_bytes(rng.bytes(nbytes), "little") >> (8 * nbytes - nbits)
        if u < d:
            return u < n


def stochastic_round(x, qp=1, rng=None, *, out=None):
    r"""Stochastic rounding onto (1/qp)ℤ: down or up to a neighbouring grid point, unbiased.

    .. math:: x^S = \frac{1}{q_p}\left(\lfloor q_p x\rfloor + B\right),\quad
              B \sim \mathrm{Bernoulli}(q_p x - \lfloor q_p x\rfloor),\qquad
              \mathbb E\, x^S = x,\quad \operatorname{Var} x^S \le \frac{1}{4 q_p^2}

    Equations::

        f   = floor(qp*x)               (exact, as in to_codes)
        x^S = (f + 1)/qp  with probability  qp*x - f,   f/qp otherwise
        E[x^S] = x,   Var[x^S] = (qp*x - f)(1 - (qp*x - f)) / qp^2 <= 1/(4 qp^2)

    Equivalently x^S = [qp·x + U]/qp with U ~ Uniform[0, 1): rounding after adding a uniform
    dither, which is why it is unbiased where deterministic rounding is not.

    Parameters
    ----------
    x : int, float, Fraction, or float/int array
    qp : positive int, float or Fraction, default 1
    rng : None, int, numpy.random.SeedSequence or Generator
        Source of randomness (never numpy's global state). None draws fresh OS entropy.

    Exactness: the floor f is exact. For a Fraction x the up-probability is exactly the
    fractional part (uniform random integers, rejection sampling). For floats it is the
    fractional part rounded to float64 and compared with a uniform double u (one
    ``rng.random()`` double per element, in C order: drawn block by block, the same stream as a
    single draw of x.size doubles), so E[x^S] = x holds to within 2**-52/qp per element. On a
    power-of-two grid, |qp·x| >= 2**52 is a grid point and x^S = x. When an error is raised,
    no draw has been consumed from rng. Results follow the types of :func:`quantize`, and
    ``out`` (array x only) is as there.
    """
    q = _parse_qp(qp)
    arg = _parse_x(x)
    if out is not None and arg.wrap != "array":
        raise TypeError(f"out is only for array x, got x of type {type(x).__name__}")
    try:
        gen = np.random.default_rng(rng)
    except (TypeError, ValueError) as err:
        raise TypeError(f"rng must be None, an int seed, a SeedSequence or a numpy Generator, "
                        f"got {type(rng).__name__}") from err
    if arg.kind in ("fraction", "int"):
        t = q * arg.value
        f = math.floor(t)
        frac = t - f
        up = frac != 0 and _exact_uniform_below(gen, frac.numerator, frac.denominator)
        exact = Fraction(f + up) / q
        if arg.kind == "fraction" or isinstance(qp, Fraction):
            return exact
        return float(exact)
    if isinstance(qp, Fraction) and arg.wrap == "python":
        return stochastic_round(Fraction(float(arg.value)), q, gen)
    qf = _qp_float(q)
    dtype = np.float64 if arg.kind == "intarray" else arg.value.dtype
    res = _output(out, arg.value, arg.value.shape, dtype)
    a = _exact_int_as_float(arg.value, "x") if arg.kind == "intarray" else arg.value
    state = gen.bit_generator.state
    try:
        _blocked(a, qf, res, "stochastic", gen)
    except (OverflowError, ValueError):  # as if no draw was made; the reference raises
        gen.bit_generator.state = state
        res[...] = _stochastic_reference(a.astype(np.float64), qf, dtype, gen.random)
    return _wrap(res, arg)
