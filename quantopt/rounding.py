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
  a Fraction anywhere among the arguments gives a Fraction result. A Python int of any size is
  exact; where the result is a float (an int x with a float or int qp) it is k/qp correctly
  rounded to float64, and OverflowError (naming the argument) if that is beyond float64's range.
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
  The kernels and their proofs are in the private module ``quantopt._rounding_kernels``.
* Domain of exactness for floats: every finite x when qp is a power of two; |qp·x| < 2**52
  otherwise, for the *exact* product qp·x = p + e (x = 0x1.5555555555555p+50 with qp = 3 has
  qp·x = 2**52 - 1/4, inside, although fl(qp·x) = 2**52). Outside it the float64 product cannot
  carry the code exactly, and OverflowError is raised, naming the value. Integer codes must also
  fit in int64 (|k| < 2**63).
* The grid point k/qp of a finite x can lie beyond the largest float of the result's dtype
  (x = 65504 in float16 with qp = 0.001: k/qp = 66000; x = DBL_MAX with qp = 2**-1000:
  k/qp = 2**1024). Its nearest float would be inf, which is no grid point: OverflowError naming
  x, qp and the dtype (``from_codes`` likewise for a code k), never a silent inf.
* ``qp`` must be a positive finite real; for float inputs it must be exactly representable as a
  float64 (``Fraction(1, 3)`` is not: pass x as a Fraction for exact rational grids).

No function modifies its input. Non-finite floats: ``round_half_up`` and ``quantize`` return
±inf and nan unchanged (as numpy.floor does); ``residual``, ``to_codes`` and
``stochastic_round`` raise ValueError, since ε and k are not defined there.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ._rounding_kernels import (
    _HALF,
    _from_codes,
    _parse_x,
    _quantize,
    _require_finite,
    _round_half_up_float,
    _stochastic_round,
    _to_codes,
    _wrap,
)

__all__ = [
    "round_half_up",
    "residual",
    "quantize",
    "to_codes",
    "from_codes",
    "stochastic_round",
]


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
        For a float x with an exact |qp·x| >= 2**52 when qp is not a power of two (the code
        cannot be exact in float64 there); for an integer array with values beyond 2**53; where
        the grid point k/qp of a finite x is beyond the range of the result's dtype (a float16
        x = 65504 with qp = 0.001; x = DBL_MAX with qp = 2**-1000, whose grid point is 2**1024);
        for a Python int x whose float result k/qp is beyond float64.

    Examples
    --------
    >>> quantize(0.123456789, 100)
    0.12
    >>> quantize(Fraction(1, 8), 4)   # a tie, rounded up
    Fraction(1, 4)
    """
    return _quantize(x, qp, out, "x")


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
    return _to_codes(x, qp, out)


def from_codes(k, qp, dtype=np.float64):
    r"""Grid values from integer codes: k / qp.

    Equations::

        x^Q = k / qp

    Parameters
    ----------
    k : int, integer array, or list/tuple of ints
        Codes, as returned by :func:`to_codes`. A Python int of any size is exact; a list or
        tuple is taken as an integer array (and gives an array).
    qp : positive int, float or Fraction
    dtype : float16, float32 or float64
        Dtype of the float result (ignored for exact results).

    Returns
    -------
    A Fraction if qp is a Fraction and k is a Python int. Otherwise the float of ``dtype``
    nearest to k/qp (ties to even; for a Python int by exact integer arithmetic); exact in
    float64 when qp is a power of two.

    Raises
    ------
    TypeError if k is not integer; OverflowError if an integer array holds |k| > 2**53 (its
    float64 copy would not be exact, so k/qp could not be rounded from an exact numerator), or
    where k/qp is beyond the range of ``dtype`` (``from_codes([10**6], 1, np.float16)``: the
    nearest float16 would be inf), naming k.
    """
    return _from_codes(k, qp, dtype)


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
    rng : None, int >= 0, numpy.random.SeedSequence, BitGenerator or Generator
        Source of randomness (never numpy's global state), checked by ``_checks.check_rng``:
        other values raise TypeError/ValueError naming rng. None draws fresh OS entropy.

    Exactness: the floor f is exact. For a Fraction x the up-probability is exactly the
    fractional part (uniform random integers, rejection sampling). For floats it is the
    fractional part rounded to float64 and compared with a uniform double u (one
    ``rng.random()`` double per element, in C order: drawn block by block, the same stream as a
    single draw of x.size doubles), so E[x^S] = x holds to within 2**-52/qp per element. On a
    power-of-two grid, |qp·x| >= 2**52 is a grid point and x^S = x. Errors are those of
    :func:`quantize` (including OverflowError where the drawn grid point is beyond the
    result's dtype) plus ValueError for non-finite x; when an error is raised, no draw has been
    consumed from rng. Results follow the types of :func:`quantize`, and ``out`` (array x
    only) is as there.
    """
    return _stochastic_round(x, qp, rng, out)
