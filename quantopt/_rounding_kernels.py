r"""The exact kernels of quantopt.rounding: input parsing, Dekker's error-free product, the
exact code and grid-value computations, and the blocked fast paths with their certificates.

Private: the public functions and the mathematics they compute are in :mod:`quantopt.rounding`
(its module docstring states the exactness contract). Every kernel here computes what exact
rational arithmetic gives; the proofs are in the comments next to the code.
"""
from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any

import numpy as np

from ._checks import check_out, check_rng

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
        try:
            a = np.asarray(x)
        except (TypeError, ValueError) as err:  # ragged nested lists and the like
            raise TypeError(f"{name} must be a real number or a (rectangular) array of reals: "
                            f"{err}") from err
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
    check_out("out", out, shape, dtype)  # an ndarray of x's shape and the result's dtype
    if not out.flags.c_contiguous:
        raise ValueError("out must be C-contiguous")
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


def _inside_code_limit(p: np.ndarray, e: np.ndarray) -> np.ndarray:
    """|p + e| < 2**52 for the exact product qf·a = p + e (not the rounded |p| < 2**52).

    p = fl(p + e), and rounding is monotone with 2**52 a float, so |p + e| < 2**52 implies
    |p| <= 2**52; and |p| < 2**52 implies |p + e| < 2**52 (|e| <= ulp(p)/2 and p + e rounds to
    p, not to ±2**52). At |p| = 2**52 the exact product is inside exactly when e points toward
    0 (e and p of opposite signs). Example: x = 0x1.5555555555555p+50, qp = 3 gives p = 2**52,
    e = -1/4.
    """
    ap = np.abs(p)
    inward = ((p > 0) & (e < 0)) | ((p < 0) & (e > 0))
    return (ap < _CODE_LIMIT) | ((ap == _CODE_LIMIT) & inward)


def _round_codes(a: np.ndarray, qf: float, name: str, caller: str) -> np.ndarray:
    """Exact k = [qf·a + 1/2] as integer-valued float64, for finite float64 a.

    With p + e = qf·a exactly, k̂ = p^R and r = p - k̂ (exact, r in [-1/2, 1/2)):
        k = k̂ + 1  if r + e >= 1/2,   k̂ - 1  if r + e < -1/2,   k̂ otherwise.
    |e| <= ulp(p)/2 <= 1/4 when |p| <= 2**52. The tests e >= 1/2 - r and e < -1/2 - r are exact:
    1/2 ∓ r is exact whenever it is not far larger than |e| (r is a multiple of ulp(p)). The
    domain test is on the exact product: |p + e| < 2**52 (see _inside_code_limit); at
    |p| = 2**52 inside it, r = 0 and |e| <= 1/4, so k = p, the exact code.
    """
    shape, a = a.shape, a.reshape(-1)
    p, e, tiny = _scaled_product(a, qf)
    inside = _inside_code_limit(p, e)
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
                f"{caller}: {name}={bad!r} with qp={qf!r} gives an exact |qp*{name}| >= 2**52, "
                "where the code k = floor(qp*x + 1/2) cannot be computed exactly in float64 "
                "unless qp is a power of two; pass a fractions.Fraction for exact arithmetic")
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
    outside = ~(_inside_code_limit(p, e) | tiny)
    if outside.any():
        if math.frexp(qf)[0] == 0.5:  # exact product: an integer out there
            k[outside] = p[outside]
            frac[outside] = 0.0
        else:
            bad = _first_bad(a, outside)
            raise OverflowError(
                f"{caller}: {name}={bad!r} with qp={qf!r} gives an exact |qp*{name}| >= 2**52, "
                "beyond the range where the code is exact for qp not a power of two")
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
def _require_representable(res: np.ndarray, a: np.ndarray, qf: float, name: str,
                           caller: str) -> None:
    """OverflowError where a finite input gave an infinite result.

    The grid point k/qf of a finite x can lie beyond the largest float of the result's dtype
    (x = 65504 in float16 with qp = 0.001: k/qp = 66000; x = DBL_MAX with qp = 2**-1000:
    k/qp = 2**1024); its nearest float is then ±inf (IEEE overflow), which is no grid point.
    """
    over = np.isinf(res) & np.isfinite(a)
    if over.any():
        bad = _first_bad(a, over)
        raise OverflowError(
            f"{caller}: {name}={bad!r} with qp={qf!r}: its grid point k/qp is beyond the range "
            f"of {res.dtype} (its nearest {res.dtype} is inf); use a wider dtype, or Fractions "
            "for exact arithmetic")


def _quantize_reference(a: np.ndarray, qf: float, dtype: Any, name: str = "x") -> np.ndarray:
    """x^Q of a float64 array ``a`` in ``dtype`` (non-finite values pass through)."""
    finite = np.isfinite(a)
    if finite.all():
        k = _round_codes(a, qf, name, "quantize")
        out = _codes_to_float(k, qf, dtype)
    else:
        out = a.astype(dtype, copy=True)
        k = _round_codes(a[finite], qf, name, "quantize")
        out[finite] = _codes_to_float(k, qf, dtype)
    if math.frexp(qf)[0] == 0.5:  # beyond 2**52 on a power-of-two grid, x is its own x^Q
        big = finite & (np.abs(a) >= _CODE_LIMIT / qf)  # qf a power of two: exact
        if big.any():
            out[big] = a[big].astype(dtype)
    _require_representable(out, a, qf, name, "quantize")
    return out


def _to_codes_reference(a: np.ndarray, qf: float, name: str = "x") -> np.ndarray:
    """int64 codes of a float64 array; ValueError/OverflowError as documented in to_codes."""
    _require_finite(a, name, "to_codes")
    k = _round_codes(a, qf, name, "to_codes")
    too_big = ~(np.abs(k) < _INT64_LIMIT)
    if too_big.any():
        raise OverflowError(f"to_codes: {name}={_first_bad(a, too_big)!r} with qp={qf!r} has a "
                            "code of magnitude >= 2**63, which int64 cannot hold")
    return k.astype(np.int64)


def _stochastic_reference(a: np.ndarray, qf: float, dtype: Any, draw: Any,
                          name: str = "x") -> np.ndarray:
    """x^S of a float64 array; ``draw(shape)`` gives the uniforms, called after the checks."""
    _require_finite(a, name, "stochastic_round")
    k, frac = _floor_codes(a, qf, name, "stochastic_round")
    k = k + (draw(a.shape) < frac)
    out = _codes_to_float(k, qf, dtype)
    if math.frexp(qf)[0] == 0.5:  # beyond 2**52 on a power-of-two grid, x is its own x^S
        big = np.abs(a) >= _CODE_LIMIT / qf  # (where qf·x overflows, k above is not x·qf)
        if big.any():
            out[big] = a[big].astype(dtype)
    _require_representable(out, a, qf, name, "stochastic_round")
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
#
# Grid values beyond the result's dtype (issue 15 item 4): k/qf in float64 or its cast to
# float16/32 overflows to ±inf exactly when the nearest float of the dtype is infinite, and the
# ufunc signals an IEEE overflow (quiet: an infinite or nan input passes without a signal). A
# block whose output stage signalled one raises, and the caller re-runs the reference, which
# names the element (_require_representable), or computes the finite result where only a
# patched element's provisional value overflowed.
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
        flag.hit = False  # from here on: an overflow of k/qf in the result's dtype
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
            flag.hit |= bool(np.any(np.isinf(ob) & np.isfinite(xb)))
        if flag.hit and not whole and mode != "codes":
            # k/qf overflowed the result's dtype (the ufuncs above signal it): the caller
            # re-runs the reference, which raises the error naming the element (or, where a
            # tie's fast code was one too large, computes the finite result).
            raise OverflowError("a grid point is beyond the range of the result's dtype")
        if patch is not None and patch.size:
            if mode == "quantize":
                ob[patch] = _quantize_reference(xb[patch], qf, out.dtype)
            else:
                ob[patch] = _to_codes_reference(xb[patch], qf)


# ---------------------------------------------------------------------------------------------
# Helpers of the public functions
# ---------------------------------------------------------------------------------------------
def _exact_round_code(v: Fraction | int, q: Fraction) -> int:
    return math.floor(q * v + _HALF)


def _float_codes(a: np.ndarray, qf: float, res: np.ndarray) -> np.ndarray:
    """The exact codes of a float array into the int64 array ``res`` (a's shape, C order), for
    a float64 qf: the blocked kernel, and the whole-array reference to raise its errors."""
    try:
        _blocked(a, qf, res, "codes")
    except (OverflowError, ValueError):  # raise the error the whole-array reference names
        res[...] = _to_codes_reference(a.astype(np.float64), qf)
    return res


def _exact_uniform_below(rng: np.random.Generator, n: int, d: int) -> bool:
    """True with probability exactly n/d (0 <= n < d), using whole random integers."""
    nbits = d.bit_length()
    nbytes = (nbits + 7) // 8
    while True:  # rejection sampling of u uniform on {0, ..., d-1}; accepts with prob > 1/2
        u = int.from_bytes(rng.bytes(nbytes), "little") >> (8 * nbytes - nbits)
        if u < d:
            return u < n


def _round_fraction(v: Fraction, dtype: Any) -> float:
    """The float of ``dtype`` nearest to the rational v, ties to even, as a Python float; ±inf
    where IEEE round-to-nearest overflows (the rounded value would be >= 2**emax).

    Exact integer arithmetic: with 2**e <= |v| < 2**(e+1) (e raised to the smallest normal
    exponent for subnormals), the quantum is 2**s, s = e - (p - 1) for p significand bits, and
    |v|/2**s is rounded to the integer n (half to even); n·2**s is the answer (n <= 2**p, so
    math.ldexp is exact).
    """
    if v == 0:
        return 0.0
    info = np.finfo(dtype)
    p, emin, emax = info.nmant + 1, info.minexp, info.maxexp
    a = abs(v)
    num, den = a.numerator, a.denominator
    e = num.bit_length() - den.bit_length()  # 2**(e-1) < a < 2**(e+1)
    if (num if e >= 0 else num << -e) < (den << e if e >= 0 else den):
        e -= 1
    s = max(e, emin) - (p - 1)
    top, bottom = (num, den << s) if s >= 0 else (num << -s, den)
    n, r = divmod(top, bottom)
    if 2 * r > bottom or (2 * r == bottom and n % 2 == 1):
        n += 1
    sign = 1.0 if v > 0 else -1.0
    if s + n.bit_length() - 1 >= emax:  # n·2**s >= 2**emax: overflow
        return sign * math.inf
    return sign * math.ldexp(n, s)


def _python_float(exact: Fraction, caller: str, name: str, value: Any) -> float:
    """float(exact), correctly rounded; OverflowError naming the argument beyond float64."""
    try:
        return float(exact)
    except OverflowError:
        shown = repr(value)
        if len(shown) > 40:  # a huge Python int or Fraction: its start and its length
            shown = f"{shown[:12]}... ({len(shown)} characters)"
        raise OverflowError(f"{caller}: {name}={shown} gives a grid value k/qp beyond "
                            "float64's range; pass qp as a Fraction for an exact Fraction "
                            "result") from None


# ---------------------------------------------------------------------------------------------
# The public functions' bodies (quantopt.rounding holds their documentation)
# ---------------------------------------------------------------------------------------------
def _quantize(x: Any, qp: Any, out: Any, name: str) -> Any:
    """quantize(x, qp, out=out), errors naming the argument ``name``."""
    q = _parse_qp(qp)
    arg = _parse_x(x, name)
    if out is not None and arg.wrap != "array":
        raise TypeError(f"out is only for array {name}, got {name} of type {type(x).__name__}")
    if arg.kind in ("fraction", "int"):
        exact = Fraction(_exact_round_code(arg.value, q)) / q
        if arg.kind == "fraction" or isinstance(qp, Fraction):
            return exact
        return _python_float(exact, "quantize", name, x)
    if isinstance(qp, Fraction) and arg.wrap == "python":
        return _quantize(Fraction(float(arg.value)), q, None, name)
    qf = _qp_float(q)
    dtype = np.float64 if arg.kind == "intarray" else arg.value.dtype
    res = _output(out, arg.value, arg.value.shape, dtype)
    a = _exact_int_as_float(arg.value, name) if arg.kind == "intarray" else arg.value
    try:
        _blocked(a, qf, res, "quantize")
    except (OverflowError, ValueError):  # raise the error the whole-array reference names
        res[...] = _quantize_reference(a.astype(np.float64), qf, dtype, name)
    return _wrap(res, arg)


def _to_codes(x: Any, qp: Any, out: Any) -> Any:
    """to_codes(x, qp, out=out)."""
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


def _from_codes(k: Any, qp: Any, dtype: Any) -> Any:
    """from_codes(k, qp, dtype): a Python int k exactly for any size; integer arrays (and lists
    or tuples of ints) up to |k| <= 2**53; OverflowError where k/qp is beyond dtype's range."""
    q = _parse_qp(qp)
    if isinstance(k, (bool, np.bool_)):
        raise TypeError("k must be integer codes, got bool")
    if np.dtype(dtype).type not in _FLOAT_DTYPES:
        raise TypeError(f"dtype must be float16, float32 or float64, got {dtype!r}")
    if isinstance(k, int):
        exact = Fraction(k) / q
        if isinstance(qp, Fraction):
            return exact
        value = _round_fraction(exact, dtype)  # exactly the float of dtype nearest to k/qp
        if math.isinf(value):
            raise OverflowError(f"from_codes: k={k!r} with qp={qp!r}: k/qp is beyond the range "
                                f"of {np.dtype(dtype)} (its nearest {np.dtype(dtype)} is inf)")
        return value
    try:
        arr = np.asarray(k)
    except (TypeError, ValueError) as err:  # ragged nested lists and the like
        raise TypeError(f"k must be integer codes (an int or a rectangular integer array): "
                        f"{err}") from err
    if arr.dtype.kind not in "iu":
        raise TypeError(f"k must be integer codes (an int or an integer array), got dtype "
                        f"{arr.dtype}")
    res = _codes_to_float(_exact_int_as_float(arr, "k"), _qp_float(q), dtype)
    over = np.isinf(res)
    if over.any():
        raise OverflowError(f"from_codes: k={_first_bad(arr, over)!r} with qp={qp!r}: k/qp is "
                            f"beyond the range of {np.dtype(dtype)} (its nearest "
                            f"{np.dtype(dtype)} is inf)")
    return res[()] if isinstance(k, np.generic) else res


def _stochastic_round(x: Any, qp: Any, rng: Any, out: Any) -> Any:
    """stochastic_round(x, qp, rng, out=out); on an error, rng's state is as before the call."""
    q = _parse_qp(qp)
    arg = _parse_x(x)
    gen = check_rng("rng", rng)
    if out is not None and arg.wrap != "array":
        raise TypeError(f"out is only for array x, got x of type {type(x).__name__}")
    if arg.kind in ("fraction", "int"):
        t = q * arg.value
        f = math.floor(t)
        frac = t - f
        up = frac != 0 and _exact_uniform_below(gen, frac.numerator, frac.denominator)
        exact = Fraction(f + up) / q
        if arg.kind == "fraction" or isinstance(qp, Fraction):
            return exact
        return _python_float(exact, "stochastic_round", "x", x)
    if isinstance(qp, Fraction) and arg.wrap == "python":
        return _stochastic_round(Fraction(float(arg.value)), q, gen, None)
    qf = _qp_float(q)
    dtype = np.float64 if arg.kind == "intarray" else arg.value.dtype
    res = _output(out, arg.value, arg.value.shape, dtype)
    a = _exact_int_as_float(arg.value, "x") if arg.kind == "intarray" else arg.value
    state = gen.bit_generator.state
    try:
        _blocked(a, qf, res, "stochastic", gen)
    except (OverflowError, ValueError):  # as if no draw was made; the reference raises
        gen.bit_generator.state = state
        try:
            res[...] = _stochastic_reference(a.astype(np.float64), qf, dtype, gen.random)
        finally:
            gen.bit_generator.state = state
    return _wrap(res, arg)
