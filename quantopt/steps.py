r"""Step policies: how the iterate moves along the update rule's direction.

:func:`quantopt.minimize` chooses one policy before its loop, from ``line_search`` and ``qp``,
and calls it the same way at every iteration::

    move, new_state = policy(rule, state, fun, pt, g, h)

    rule, state  the update rule (quantopt.optim) and its state at pt
    fun          the function this iteration descends (f, or f on SGD's mini-batch):
                 fun.f(x), fun.g(x); fun.exact is False for a mini-batch
    pt           the current Iterate (x, f, g, codes)
    g, h         the gradient of fun at pt.x, and the Hessian (or None)
    move         Move(point, stop, detail): the next Iterate (pt itself if x stays), or a
                 reason ``stop`` (a Status) to end the run
    new_state    the rule's state after this step

Each policy asks the rule for its direction, ``d, new_state = rule.step(state, x, g, h)``,
and moves x::

    FixedStep         x <- x + lr d                                  (line_search=None)
    FusedStep         the same, x and the state overwritten in place by rule.step_inplace
    FixedGridStep     k <- k + (lr d)^Q qp      to nearest or stochastically (qp, None)
    Armijo            x <- x + alpha d,  alpha by backtracking          ("armijo")
    QuantizedArmijo   k <- k + (alpha d)^Q qp,  then the neighbour poll  ("armijo", qp)
    Wolfe             x <- x + alpha d,  strong Wolfe (Moré-Thuente)     ("wolfe")

The searching policies start at the rule's own first trial step (``UpdateRule.first_trial``:
BFGS starts at Nocedal & Wright (3.60), L-BFGS at lr/||d|| before it has pairs), given f at
the previous iterate, which the policy remembers; and they restart the rule (count in
``n_restarts``) when its direction is not a descent direction, or once when a float search
fails along it. A policy never modifies pt or g (FusedStep writes into its own buffer).
"""
from __future__ import annotations

from enum import IntEnum
from typing import Any, Callable, NamedTuple

import numpy as np

from . import linesearch as ls
from .grid import Grid
from .optim.base import UpdateRule, initial_step


class Status(IntEnum):
    """Why :func:`quantopt.minimize` stopped (``OptimizeResult.status``); 0 is success, as in
    scipy. One meaning each; the messages are ``quantopt.minimize.MESSAGES``."""

    SUCCESS = 0            #: max|grad f| <= gtol
    MAXITER = 1            #: maxiter iterations made
    LINESEARCH_FAILED = 2  #: a float line search found no acceptable step
    STEP_ZERO = 3          #: on the grid, x cannot move again and the neighbours were not polled
    NONFINITE = 4          #: nan or inf met; x is the last finite iterate
    CALLBACK = 5           #: the callback raised StopIteration
    GRID_LOCAL_MIN = 6     #: no polled grid neighbour has lower f (a checked certificate)


LINESEARCH_FAILED, STEP_ZERO = Status.LINESEARCH_FAILED, Status.STEP_ZERO
GRID_LOCAL_MIN = Status.GRID_LOCAL_MIN


class NonFinite(ArithmeticError):
    """The run met nan or inf (status 4): the message says where."""


class Iterate(NamedTuple):
    """A point of the run: x (float64), f and ∇f there (None where not evaluated yet; for SGD g
    is the full gradient, known at epoch ends), on the grid its integer codes (x = codes/qp
    exactly; else None), and gmax = max|g_i| (set with g by the objective). A policy returns f
    and g of the function it descended, which the objective replaces for a mini-batch."""

    x: np.ndarray
    f: float | None
    g: np.ndarray | None
    codes: np.ndarray | None = None
    gmax: float | None = None


class Move(NamedTuple):
    """A policy's answer: the next point, or a driver status ``stop`` with a ``detail``."""

    point: Iterate | None
    stop: int | None = None
    detail: str = ""


def _stuck(rule: UpdateRule, new_state: Any, pt: Iterate, g, h, d) -> bool:
    """Would the rule take the same direction d again at the same x (gd, newton, bfgs, lbfgs:
    yes; momentum and the adaptive rules: their state moves on)?"""
    return np.array_equal(rule.step(new_state, pt.x, g, h)[0], d)


def _fresh(rule: UpdateRule, state: Any, x: np.ndarray) -> Any:
    """rule.init(x) for a restart, its safeguard counters carried over from state (so that
    n_skipped, n_damped, ... count the whole run)."""
    fresh = rule.init(x)
    return fresh._replace(**{name: getattr(state, name) for name in rule.counters})


class FixedStep:
    """x_{t+1} = x_t + lr d_t."""

    searches = False

    def __init__(self, lr: float):
        self.lr = lr

    def __call__(self, rule, state, fun, pt: Iterate, g, h) -> tuple[Move, Any]:
        d, new_state = rule.step(state, pt.x, g, h)
        return Move(Iterate(pt.x + self.lr * d, None, None)), new_state


class FusedStep:
    """x_{t+1} = x_t + lr d_t by the rule's fused ``step_inplace`` (gd, sgd, momentum, nesterov,
    adagrad, rmsprop, adam, adamw; weight decay too): bit for bit the numbers of FixedStep,
    without its temporaries.

    The rule's state arrays are overwritten (so it is chosen only when the states are not
    recorded). x_t is kept: the step writes into a second buffer, a copy of x_t, and the two
    buffers alternate, so that after a nan or inf the last finite iterate is still there.
    """

    searches = False

    def __init__(self, lr: float):
        self.lr, self.spare = lr, None

    def __call__(self, rule, state, fun, pt: Iterate, g, h) -> tuple[Move, Any]:
        x = self.spare if self.spare is not None else np.empty_like(pt.x)
        np.copyto(x, pt.x)
        new_state = rule.step_inplace(state, x, g, self.lr)
        self.spare = pt.x  # x_t's array: free once x_{t+1} is accepted, reused next time
        return Move(Iterate(x, None, None)), new_state


class FixedGridStep:
    """k_{t+1} = k_t + (lr d_t)^Q qp, rounded to nearest (round half up) or stochastically.

    lr d_t is formed in a buffer: by the rule's pure step and one multiplication, or, for the
    elementwise rules at large n (``fused``), by the rule's fused step_inplace applied to a zero
    buffer, which leaves exactly 0 + lr d_t = lr d_t with the state updated in place (the same
    bits; no temporaries). A step that rounds to zero leaves x where it is; the rule's state
    still advances (momentum and the adaptive rules accumulate until a step is large enough to
    move). When the rule's next step from there would be the same one (gd, newton, bfgs,
    lbfgs) with deterministic rounding, x can never move again: the grid neighbours are
    polled instead (:func:`quantopt.linesearch.poll_neighbours`), and the run ends with a
    certified grid-local minimum if none is lower (with poll=None, with status 3).
    """

    searches = False

    def __init__(self, grid: Grid, lr: float, rng: np.random.Generator | None, poll: str | None,
                 fused: bool = False):
        self.grid, self.lr, self.rng, self.poll, self.fused = grid, lr, rng, poll, fused
        self.step = self.spare = None  # buffers: lr d, and the arrays of the last iterate

    def __call__(self, rule, state, fun, pt: Iterate, g, h) -> tuple[Move, Any]:
        if self.step is None:
            self.step = np.empty_like(pt.x)
        step = self.step
        if self.fused:  # the rule's fused step_inplace from x = 0 leaves exactly 0 + lr d = lr d
            step.fill(0.0)  # (-0 becomes +0, the same code), the state updated in place
            new_state = rule.step_inplace(state, step, g, self.lr)
        else:
            d, new_state = rule.step(state, pt.x, g, h)
            np.multiply(d, self.lr, out=step)  # lr d, as x + lr*d would form it
        k_new, x_new = self.spare or (np.empty_like(pt.codes), np.empty_like(pt.x))
        try:
            dk = self.grid.step_codes(step, self.rng, out=k_new)
        except OverflowError:  # say which number broke: the direction, lr d, or its codes
            raise NonFinite(_step_failure(step, None if self.fused else d, self.lr)) from None
        if dk.any():
            k = self.grid.add(pt.codes, dk, out=k_new)  # written over dk, elementwise
            self.spare = (pt.codes, pt.x)  # free once the new iterate is accepted
            return Move(Iterate(self.grid.values(k, out=x_new), None, None, k)), new_state
        stuck = (self.rng is None and fun.exact  # the next step would be this one again
                 and np.array_equal(self.lr * rule.step(new_state, pt.x, g, h)[0], step))
        if not stuck:
            return Move(pt), new_state  # x stays; the state advances (or the next draw moves)
        if self.poll is None:
            return Move(None, STEP_ZERO, "The step rounded to zero on the grid and the method's "
                        "next direction is the same; the grid neighbours were not polled "
                        "(poll=None)"), new_state
        res = ls.poll_neighbours(fun.f, pt.codes, self.grid, pt.f, g, mode=self.poll)
        return _grid_outcome(res, pt, self.poll), new_state


def _step_failure(step: np.ndarray, d: np.ndarray | None, lr: float) -> str:
    """Why the step lr d could not be quantized (it was not finite, or its codes overflow)."""
    if d is not None and not np.all(np.isfinite(d)):
        return "The update rule's direction became nan or inf"
    if not np.all(np.isfinite(step)):
        return f"The step lr*d became nan or inf (lr = {lr!r}: the product overflowed)"
    return (f"The step lr*d (max |lr*d| = {float(np.max(np.abs(step))):.3g}) has grid codes "
            "beyond int64's range (the iteration diverges)")


_POLLED = {"coordinates": "coordinate neighbour x ± e_i/qp",
           "full": "neighbour x + e/qp, e in {-1, 0, 1}^n"}


def _grid_outcome(res: ls.LineSearchResult, pt: Iterate, poll: str | None) -> Move:
    """A grid search's result as a Move: a new point, or the certificate (status 6)."""
    if res.status in (ls.ACCEPTED, ls.POLLED):
        return Move(Iterate(res.x, res.fx, None, res.codes))
    if res.status == ls.GRID_LOCAL_MIN:
        return Move(None, GRID_LOCAL_MIN, _POLLED[poll])
    return Move(pt, None, ls.MESSAGES[res.status])  # NOT_POLLED, NOT_DESCENT: x stays


class _Search:
    """The shared part of the searching policies: the rule's direction with gradient restarts,
    the rule's first trial step, and one retry after a failed search.

    Equations::

        d, state' = rule.step(state, x, g)
        if g.d >= 0 (not a descent direction):  d, state' = rule.step(rule.init(x), x, g)
                                                 (the rule's counters carried over)
        search along d from alpha0 = rule.first_trial(state', lr, f, f_prev, g, d)
                                     (f_prev = None after a restart: a first iteration)
        if the search fails (status 2) and d was not a restart: restart as above, search again
    """

    searches = True

    def __init__(self, rule: UpdateRule, lr: float):
        self.rule, self.lr, self.f_prev, self.n_restarts = rule, lr, None, 0

    def __call__(self, rule, state, fun, pt: Iterate, g, h) -> tuple[Move, Any]:
        d, new_state = rule.step(state, pt.x, g, h)
        restart = not float(np.dot(g, d)) < 0
        while True:
            if restart:  # gradient restart: the rule's first direction, from a fresh state
                d, new_state = rule.step(_fresh(rule, state, pt.x), pt.x, g, h)
                self.n_restarts += 1
            if not np.all(np.isfinite(d)):
                raise NonFinite("The update rule's direction became nan or inf")
            # a restarted rule starts its search as at the first iteration (no f_prev)
            alpha0 = initial_step(rule, new_state, self.lr, pt.f,
                                  None if restart else self.f_prev, g, d)
            move = self.search(fun, pt, g, d, alpha0, rule, new_state, h)
            if move.stop != LINESEARCH_FAILED or restart:
                break
            restart = True  # the search failed along the rule's own direction: once more
        self.f_prev = pt.f
        return move, new_state


class Armijo(_Search):
    """x_{t+1} = x_t + alpha_t d_t, alpha_t by Armijo backtracking from the first trial step."""

    def __init__(self, rule: UpdateRule, lr: float, c1: float, shrink: float, maxls: int):
        super().__init__(rule, lr)
        self.c1, self.shrink, self.maxls = c1, shrink, maxls

    def search(self, fun, pt: Iterate, g, d, alpha0, rule, new_state, h) -> Move:
        res = ls.armijo(fun.f, pt.x, _f(fun, pt), g, d, alpha0=alpha0, c1=self.c1,
                        shrink=self.shrink, maxls=self.maxls)
        if res.status != ls.ACCEPTED:
            return Move(None, LINESEARCH_FAILED, ls.MESSAGES[res.status])
        return Move(Iterate(res.x, res.fx, None))


class QuantizedArmijo(Armijo):
    """k_{t+1} = k_t + (alpha_t d_t)^Q qp by the quantized Armijo search, then the poll
    (:func:`quantopt.linesearch.quantized_armijo`). On a mini-batch the search descends the
    batch's function, and the poll is made on f itself (so its certificate is one for f)."""

    def __init__(self, rule: UpdateRule, grid: Grid, lr: float, c1: float, shrink: float,
                 maxls: int, poll: str | None):
        super().__init__(rule, lr, c1, shrink, maxls)
        self.grid, self.poll = grid, poll

    def search(self, fun, pt: Iterate, g, d, alpha0, rule, new_state, h) -> Move:
        res = ls.quantized_armijo(fun.f, pt.codes, self.grid, _f(fun, pt), g, d, alpha0=alpha0,
                                  c1=self.c1, shrink=self.shrink, maxls=self.maxls,
                                  poll=self.poll if fun.exact else None)
        if res.status == ls.NOT_POLLED and not fun.exact and self.poll is not None:
            # the search was on a mini-batch; the poll is on f itself, so that its certificate
            # is one for f
            res = ls.poll_neighbours(fun.whole.f, pt.codes, self.grid, pt.f, g, mode=self.poll)
        if res.status != ls.NOT_POLLED:
            return _grid_outcome(res, pt, self.poll)
        if fun.exact and _stuck(rule, new_state, pt, g, h, d):
            return Move(None, STEP_ZERO, ls.MESSAGES[res.status] + ", and the method's next "
                        "direction is the same")
        return Move(pt)  # x stays; the rule's state (or the next mini-batch) may move it


class Wolfe(_Search):
    """x_{t+1} = x_t + alpha_t d_t, alpha_t satisfying the strong Wolfe conditions.

    Equations::

        res = wolfe(..., xtol, stpmax)              Moré-Thuente (dcsrch), from alpha0
        ACCEPTED                        -> take it
        failed, but f decreased         -> take the best trial (as L-BFGS-B takes its point)
        else res2 = wolfe_zoom(..., amax=stpmax)     Nocedal & Wright 3.5-3.6 (scipy's fallback)
        ACCEPTED                        -> take it
        either search decreased f       -> take the lower of their best trials
        else                            -> stop: line search failed (status 2)

    The best trials satisfy f < f(x_t) only, not the curvature condition: the next quasi-Newton
    pair may then fail the curvature test and be damped or skipped, which the rules count.
    """

    def __init__(self, rule: UpdateRule, lr: float, c1: float, c2: float, maxls: int,
                 xtol: float, stpmax: float):
        super().__init__(rule, lr)
        self.c1, self.c2, self.maxls, self.xtol, self.stpmax = c1, c2, maxls, xtol, stpmax

    def search(self, fun, pt: Iterate, g, d, alpha0, rule, new_state, h) -> Move:
        f0, stpmax = _f(fun, pt), max(self.stpmax, alpha0)
        res = ls.wolfe(fun.f, fun.g, pt.x, f0, g, d, alpha0=alpha0, c1=self.c1, c2=self.c2,
                       maxls=self.maxls, xtol=self.xtol, stpmax=stpmax)
        if res.status == ls.ACCEPTED or res.alpha > 0:
            return Move(Iterate(res.x, res.fx, res.g))
        zoom = ls.wolfe_zoom(fun.f, fun.g, pt.x, f0, g, d, alpha0=alpha0, c1=self.c1,
                             c2=self.c2, amax=stpmax)
        found = [r for r in (zoom, res) if r.status == ls.ACCEPTED or r.alpha > 0]
        if not found:
            return Move(None, LINESEARCH_FAILED, ls.MESSAGES[res.status] + " (then the zoom "
                        "search: " + ls.MESSAGES[zoom.status] + ")")
        best = found[0] if zoom.status == ls.ACCEPTED else min(found, key=lambda r: r.fx)
        return Move(Iterate(best.x, best.fx, best.g))


def _f(fun, pt: Iterate) -> float:
    """f of the descended function at pt (evaluated here for a mini-batch)."""
    return pt.f if fun.exact else fun.f(pt.x)


#: The fused step pays from this n on: below, its argument checks and blocking cost more than
#: the pure step's temporaries (measured by bench/bench_driver.py).
FUSED_MIN_N = 4096


def choose(rule: UpdateRule, line_search: str | None, grid: Grid | None, opts: dict,
           rng: np.random.Generator, n: int, in_place: bool) -> Callable[..., tuple[Move, Any]]:
    """The policy for this run, chosen once (see the module docstring's table). ``in_place``:
    whether the rule's state may be overwritten (no recorded states): then a fixed float step
    of a rule with a fused kernel uses it, for n >= FUSED_MIN_N."""
    lr = opts["lr"]
    if line_search is None and grid is None:  # x's own buffer: weight decay stays fused too
        fused = in_place and rule.has_kernel and n >= FUSED_MIN_N
        return FusedStep(lr) if fused else FixedStep(lr)
    if line_search is None:
        stochastic = rng if opts["rounding"] == "stochastic" else None
        fused = in_place and rule.fused and n >= FUSED_MIN_N
        return FixedGridStep(grid, lr, stochastic, opts["poll"], fused)
    if line_search == "wolfe":
        return Wolfe(rule, lr, opts["c1"], opts["c2"], opts["maxls"], opts["xtol"],
                     opts["stpmax"])
    if grid is None:
        return Armijo(rule, lr, opts["c1"], opts["shrink"], opts["maxls"])
    return QuantizedArmijo(rule, grid, lr, opts["c1"], opts["shrink"], opts["maxls"],
                           opts["poll"])


__all__ = ["Status", "NonFinite", "Iterate", "Move", "FixedStep", "FusedStep", "FixedGridStep",
           "Armijo", "QuantizedArmijo", "Wolfe", "choose"]
