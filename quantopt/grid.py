r"""The grid (1/qp)ℤⁿ as a value object: qp parsed once, integer codes and their floats.

Source: the note "Quantized Optimization" (seed 001): x^Q = [qp·x + 1/2] / qp, and the update
x_{t+1}^Q = (x_t − λ_t h_t)^Q. On the grid an iterate is held as its integer codes k (x = k/qp),
so that moving it is exact integer addition and no floating-point drift accumulates::

    k_{t+1} = k_t + (step)^Q·qp              step quantized once, codes added exactly
    x_{t+1} = k_{t+1} / qp                   the float of a grid point, derived when f is called

A :class:`Grid` owns everything that depends on qp: it parses and checks qp once, converts
floats to codes (exactly, as :func:`quantopt.to_codes`) and codes to floats (one correctly
rounded division, or one exact multiplication when qp is a power of two), adds codes with an
overflow check, quantizes a step (to the nearest grid point or stochastically), and refines
itself to the grid of qp·m, on which every old grid point keeps its exact value (code k·m).

Exactness. Codes are bounded by ``CODE_BOUND`` (2⁵³ when qp is a power of two, 2⁵² − 1
otherwise): within that bound k/qp rounds to a float x whose code is k again
(``codes(values(k)) == k``; for qp not a power of two, |qp·x − k| < 1/2 keeps the product below
2⁵², inside :func:`quantopt.to_codes`'s exact domain), so a float iterate and its codes always
describe the same grid point. Additions that would
leave the bound raise OverflowError (the driver reports it as a diverging run).

Examples
--------
>>> import numpy as np
>>> from quantopt.grid import Grid
>>> grid = Grid(10)
>>> k = grid.codes(np.array([0.3, -0.15, 0.04]))    # round half up: -1.5 -> -1
>>> k
array([ 3, -1,  0])
>>> grid.values(grid.add(k, grid.step_codes(np.array([-0.1, 0.26, 0.0]))))
array([0.2, 0.2, 0. ])
>>> fine = grid.refine(4)                          # the grid 1/40: old points keep their value
>>> fine.qp, fine.values(grid.refine_codes(k, 4))
(Fraction(40, 1), array([ 0.3, -0.1,  0. ]))
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._checks import check_int
from ._rounding_kernels import _float_codes, _parse_qp, _qp_float
from .rounding import stochastic_round

__all__ = ["Grid"]


class Grid:
    """The grid (1/qp)ℤⁿ: qp parsed once; codes <-> floats; exact code arithmetic.

    Parameters
    ----------
    qp : positive int, float or Fraction
        The resolution: grid points are k/qp, k an integer. It must be exactly a float64
        (``Fraction(1, 3)`` is not), since iterates are float64 arrays.

    Attributes
    ----------
    qp : Fraction
        The resolution, exactly.
    qp_float : float
        The same number as a float64 (exact).
    power_of_two : bool
        Whether qp = 2^p for an integer p; then k/qp is exactly a float64.
    spacing : float
        1/qp rounded to float64 (exact when qp is a power of two).
    CODE_BOUND : int
        Largest |k| an iterate may have (2**53 for a power of two, 2**52 - 1 otherwise).
    """

    __slots__ = ("qp", "qp_float", "power_of_two", "spacing", "CODE_BOUND", "_inv")

    def __init__(self, qp: Any):
        if isinstance(qp, Grid):
            qp = qp.qp
        q = _parse_qp(qp)
        self.qp = q
        self.qp_float = _qp_float(q)
        self.power_of_two = math.frexp(self.qp_float)[0] == 0.5
        self.spacing = 1.0 / self.qp_float
        self.CODE_BOUND = 2**53 if self.power_of_two else 2**52 - 1
        # 1/qp is a power of two, exact unless it would be subnormal or overflow
        self._inv = self.spacing if self.power_of_two and math.isfinite(self.spacing) \
            and self.spacing >= 2.0**-1022 else None

    def __repr__(self) -> str:
        return f"Grid(qp={self.qp})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Grid) and self.qp == other.qp

    def __hash__(self) -> int:
        return hash(("Grid", self.qp))

    # ---------------------------------------------------------------- codes <-> floats --
    def codes(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """k = [qp·x + 1/2] for a finite float64 array x, exactly (int64).

        ``out``: an int64 array of x's shape (C-contiguous, not sharing memory with x) to write
        the codes into. Raises ValueError for a non-finite x and OverflowError where |k| would
        exceed ``CODE_BOUND`` (or |qp·x| >= 2**52 for qp not a power of two, as to_codes).
        """
        k = self._codes(x, out)
        self._check_bound(k)
        return k

    def _codes(self, x: np.ndarray, out: np.ndarray | None) -> np.ndarray:
        """The exact codes, |k| < 2**63 (to_codes' own check), not checked against the bound."""
        x = np.asarray(x, dtype=np.float64)
        return _float_codes(x, self.qp_float, np.empty(x.shape, np.int64) if out is None else out)

    def values(self, k: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """The float64 nearest to k/qp: one multiplication by 1/qp (exact) when qp is a power of
        two, else one correctly rounded division. k must be within CODE_BOUND (as every code
        made by this grid is), so that k converts to float64 exactly. ``out``: a float64 array
        of k's shape to write into."""
        if self._inv is not None:
            return np.multiply(k, self._inv, out=out)
        return np.divide(k, self.qp_float, out=out)

    def add(self, k: np.ndarray, dk: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """k + dk in int64, exactly; OverflowError if a result leaves CODE_BOUND (``out``, if
        given, then holds the sum).

        k is within the bound (|k| <= 2**53) and |dk| < 2**63, as every code is: a sum that
        wraps around int64 lands at magnitude >= 2**63 - 2**53, far beyond the bound, so the
        one check of the result catches it too.
        """
        out = np.add(k, dk, out=out)
        self._check_bound(out)
        return out

    def step_codes(self, step: np.ndarray, rng: np.random.Generator | None = None,
                   out: np.ndarray | None = None) -> np.ndarray:
        """The codes of a quantized step: (step)^Q·qp, to nearest (round half up) when rng is
        None, else stochastically rounded with rng (E[(step)^S] = step). OverflowError for a
        non-finite step or codes of magnitude >= 2**63; codes beyond CODE_BOUND are caught when
        the step is added (:meth:`add`). ``out``: as in :meth:`codes`."""
        step = np.asarray(step, dtype=np.float64)
        try:
            if rng is not None:
                step = stochastic_round(step, self.qp_float, rng=rng)
            return self._codes(step, out)  # bounded by whatever it is added to (see add)
        except ValueError:  # the rounding refuses nan and inf: a step that overflowed
            raise OverflowError("the step is not finite: it cannot be quantized") from None

    def on_grid(self, x: np.ndarray) -> bool:
        """Whether every entry of the float array x is exactly a point of this grid."""
        x = np.asarray(x, dtype=np.float64)
        if not np.all(np.isfinite(x)):
            return False
        try:
            return bool(np.array_equal(self.values(self.codes(x)), x))
        except OverflowError:
            return False

    # ---------------------------------------------------------------------- refinement --
    def refine(self, m: int) -> Grid:
        """The grid of qp·m (m an integer >= 1): it contains every point of this grid.

        ValueError if qp·m is not exactly a float64 (e.g. qp = 0.1, m = 3)."""
        m = check_int("m", m, 1)
        return Grid(self.qp * m)

    def refine_codes(self, k: np.ndarray, m: int) -> np.ndarray:
        """k re-expressed on the grid of qp·m: k·m, exactly (k/qp = k·m/(qp·m)).

        OverflowError if a code leaves the finer grid's bound."""
        m = check_int("m", m, 1)
        fine = self.refine(m)
        if k.size and int(np.max(np.abs(k))) > fine.CODE_BOUND // m:
            raise OverflowError(f"refining by m={m}: a code would exceed the bound "
                                f"{fine.CODE_BOUND} of the grid 1/{fine.qp}")
        return k * m

    def _check_bound(self, k: np.ndarray) -> None:
        if k.size:
            hi, lo = int(np.max(k)), int(np.min(k))
            if max(hi, -lo) > self.CODE_BOUND:
                raise OverflowError(
                    f"a grid code of magnitude {max(hi, -lo)} exceeds {self.CODE_BOUND} on the "
                    f"grid 1/{self.qp}: beyond it k/qp has no exact float64 round trip (the "
                    "iteration diverges)")


def as_grid(qp: Any) -> Grid:
    """qp (a number or a Grid) as a Grid."""
    return qp if isinstance(qp, Grid) else Grid(qp)
