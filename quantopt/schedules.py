r"""Resolution schedules: the grid 1/Qp of each iteration, refined while the run goes on.

The note's research program (Seok & Kim, ETRI J. 45(1), 2023; the authors' testbench,
GitHub SDE-AI-00/Quantization-based-Optimization, ``nlp_test_anonymopus``) lets the
quantization resolution Qp grow during a quantized search, so that the rounding error, modelled
as white noise of variance Qp⁻²/12, cools like the temperature of simulated annealing. A
schedule here says, at every iteration t of :func:`quantopt.minimize` (``qp=schedule``), by
which integer factor m the grid is refined:

    Qp_{t+1} = m_t Qp_t,   k -> m_t k                  codes re-expressed exactly: k/Qp = m k/(m Qp)

so every iterate stays exactly on the grid of its own iteration and nothing moves when the grid
refines. Three kinds::

    on_zero_step(qp0, factor, qp_max)      m = factor after a step that rounds to zero (or a
                                           grid-local minimum), while Qp < qp_max
    annealing(qp0, alpha, c, qp_max)       the same, and Qp_t >= the floor Qp with
                                           Qp^-2 / 24 <= T(t) = 2^(2 alpha/(t+2)) c / ln(t+2)
    from a callable t -> Qp(t)             Qp(t) must be an integer multiple of Qp(t-1)

Refinement only: a schedule never coarsens the grid (that would move the iterate).
"""
from __future__ import annotations

import math
import numbers
from typing import Callable

from ._checks import check_int, check_positive, check_real
from .grid import Grid

__all__ = ["Schedule", "on_zero_step", "annealing", "annealing_temperature", "as_schedule"]


def annealing_temperature(t: int, alpha: float = 20.0, c: float = 1e-6) -> float:
    r"""T(t) = 2^{2 alpha/(t+2)} c / ln(t+2), the testbench's annealing temperature.

    A Geman–Hwang cooling c/ln(t+2) times a transient factor 2^{2α/(t+2)} that tends to 1
    (research note §3A; ``Limited_Index`` of the authors' ``nlp_class02.py``).
    """
    return 2.0 ** (2.0 * alpha / (t + 2)) * c / math.log(t + 2)


class Schedule:
    """A resolution schedule: the first grid, the floor Qp_t must reach at iteration t, and
    whether a zero step refines the grid.

    Parameters
    ----------
    qp0 : positive number
        The first resolution (the grid 1/qp0).
    factor : int >= 2
        The refinement factor of one zero-step refinement, and the factor by whose powers a
        floor is reached.
    qp_max : positive number
        No refinement beyond it: Qp_t <= qp_max (qp_max >= qp0).
    on_zero : bool
        Refine by ``factor`` after a step that rounds to zero on the grid, or a grid-local
        minimum, while Qp < qp_max.
    floor : callable t -> float, or None
        The smallest resolution iteration t must use; reached by powers of ``factor``, capped
        at qp_max.
    name : str
        For messages and repr.
    """

    def __init__(self, qp0, *, factor: int = 2, qp_max=2**16, on_zero: bool = True,
                 floor: Callable[[int], float] | None = None, name: str = "schedule"):
        self.grid0 = Grid(qp0)
        self.factor = check_int("factor", factor, 2)
        self.qp_max = check_positive("qp_max", qp_max)
        if self.qp_max < float(self.grid0.qp):
            raise ValueError(f"qp_max must be >= qp0 = {self.grid0.qp}, got {qp_max!r}")
        self.on_zero, self.floor, self.name = bool(on_zero), floor, name

    def __repr__(self) -> str:
        return (f"{self.name}(qp0={self.grid0.qp}, factor={self.factor}, "
                f"qp_max={self.qp_max:g})")

    def _capped(self, grid: Grid, m: int) -> int:
        """The largest power of factor up to m that keeps Qp <= qp_max (1 if none)."""
        while m > 1 and float(grid.qp) * m > self.qp_max:
            m //= self.factor
        return max(m, 1)

    def due(self, t: int, grid: Grid) -> int:
        """The factor by which iteration t must refine ``grid`` to reach the floor (1: none)."""
        if self.floor is None:
            return 1
        need = self.floor(t)
        m = 1
        while float(grid.qp) * m < need and float(grid.qp) * m * self.factor <= self.qp_max:
            m *= self.factor
        return m

    def after_zero(self, grid: Grid) -> int:
        """The factor after a zero step on ``grid`` (1: the grid stays)."""
        return self._capped(grid, self.factor) if self.on_zero else 1

    def can_refine(self, grid: Grid) -> bool:
        """Whether a zero step on ``grid`` would still refine it."""
        return self.after_zero(grid) > 1


def on_zero_step(qp0, factor: int = 2, qp_max=2**16) -> Schedule:
    r"""Refine the grid by ``factor`` whenever the quantized step rounds to zero.

    Equations::

        Qp_0 = qp0
        Qp_{t+1} = factor * Qp_t   if the step of iteration t rounds to zero on the grid
                                   (or the iterate is a grid-local minimum), and
                                   factor * Qp_t <= qp_max
        Qp_{t+1} = Qp_t            otherwise

    The testbench's rule (i), ``Increment_Index`` (research note §3A), with factor 2 and
    qp_max = 2^16 (its cap h = 16). With the neighbour poll on (the default), a zero step
    refines the grid without polling while the grid can still be refined; at qp_max the run
    polls and ends with a certified grid-local minimum.
    """
    return Schedule(qp0, factor=factor, qp_max=qp_max, on_zero=True, name="on_zero_step")


#: the largest alpha of :func:`annealing`: 2^alpha, the factor of T(0), stays a finite float64
ALPHA_MAX = 1000.0


def annealing(qp0, alpha: float = 20.0, c: float = 1e-6, qp_max=2**16,
              factor: int = 2) -> Schedule:
    r"""The testbench's annealing schedule: the zero-step rule and a floor tied to T(t).

    Equations::

        T(t)   = 2^(2 alpha/(t+2)) * c / ln(t+2)          (annealing_temperature)
        floor  Qp_t >= Qp_min(t) = 1 / sqrt(24 T(t)),  i.e.  Qp_t^-2 / 24 <= T(t)
               reached by refining with powers of factor, capped at qp_max
        and    Qp_{t+1} = factor * Qp_t after a zero step (on_zero_step)

    Since the rounding error's variance is Qp⁻²/12 (white-noise model), the floor makes T(t)
    half that variance: the temperature of a Langevin diffusion dX = −∇f dt + √(2T) dW with
    the Geman–Hwang cooling c/ln(t+2) (research note §3A). With α = 20, c = 1e-6 and
    qp0 = 1 the floor is 1, 4, 8, 64, 128, 256, 512 at t = 0, 1, 2, 5, 10, 20, 50 and grows
    like √ln t afterwards.

    The floor is applied when it is due, at the start of iteration t. The testbench computes
    it every iteration but applies it only at the next zero step (``Limited_Index`` raises the
    recorded index without changing the quantizer); here the run's grid is the grid the
    schedule states, so that ``qp_path`` is the resolution each iterate was computed on. Pass
    ``on_zero_step`` plus a callable for other variants.

    Parameters: alpha (the testbench's "speed control", 20; at most ALPHA_MAX = 1000, so that
    T(0) is finite), c (1e-6), and as :func:`on_zero_step`.
    """
    alpha = check_real("alpha", alpha, minimum=0.0)
    if alpha > ALPHA_MAX:
        raise ValueError(f"alpha must be <= {ALPHA_MAX} (T(0) = 2^alpha c / ln 2 must be a "
                         f"finite float64), got {alpha!r}")
    c = check_positive("c", c)

    def floor(t: int) -> float:
        return 1.0 / math.sqrt(24.0 * annealing_temperature(t, alpha, c))

    return Schedule(qp0, factor=factor, qp_max=qp_max, on_zero=True, floor=floor,
                    name="annealing")


class _CallableSchedule(Schedule):
    """Qp_t = qp(t) for a user callable: each value an integer multiple of the one before."""

    def __init__(self, qp: Callable[[int], float]):
        self.fn = qp
        self.grid0 = Grid(_checked_value(qp(0), 0))
        self.factor, self.qp_max, self.on_zero, self.floor = 2, math.inf, False, None
        self.name = "callable"

    def due(self, t: int, grid: Grid) -> int:
        want = _checked_value(self.fn(t), t)
        ratio = want / grid.qp_float
        m = round(ratio)
        if m < 1 or Grid(want).qp != grid.qp * m:
            raise ValueError(f"the qp schedule went from {grid.qp} to {want!r} at t = {t}: each "
                             "qp must be an integer multiple of the one before (a schedule "
                             "refines the grid; it never coarsens or shifts it)")
        return m


def _checked_value(want, t: int) -> float:
    if isinstance(want, bool) or not isinstance(want, numbers.Real) or not want > 0 \
            or not math.isfinite(want):
        raise ValueError(f"the qp schedule returned {want!r} at t = {t}: it must return a "
                         "positive finite number")
    return want


def as_schedule(qp) -> Schedule | None:
    """qp as a Schedule: a Schedule itself, a callable t -> qp, or None for a number (a fixed
    grid)."""
    if isinstance(qp, Schedule):
        return qp
    if callable(qp) and not isinstance(qp, Grid):
        return _CallableSchedule(qp)
    return None
