"""The objective as the driver sees it: the user's fun, jac and hess, counted and checked.

:class:`Objective` wraps the three callables once: every call is counted (nfev, njev, nhev),
the user's code is given a copy of x (it can never change the run's iterate), and what comes
back is checked (a real scalar; a gradient of shape (n,); a Hessian of shape (n, n)) and owned
(a fresh float64 array). :class:`MiniBatchObjective` adds SGD's mini-batches: each iteration
descends f on one batch, drawn by reshuffling the sample indices every epoch.

Both answer the two questions of the loop:

* ``for_step(pt)``: which function this iteration descends, and its gradient at pt.x;
* ``settle(new, pt)``: the new iterate with f (and, where the run needs it, the gradient of f)
  evaluated, after checking that x, f and the gradient are finite (``NonFinite`` otherwise).
"""
from __future__ import annotations

import math
from typing import Callable, Iterator

import numpy as np

from .steps import Iterate, NonFinite


class _CountedFun:
    """Wraps fun: counts every call, gives it a copy of x, checks that it returns a real
    scalar, and returns it as a Python float."""

    __slots__ = ("fn", "calls")

    def __init__(self, fn: Callable):
        self.fn, self.calls = fn, 0

    def __call__(self, x: np.ndarray, *batch) -> float:
        self.calls += 1
        out = self.fn(x.copy(), *batch)  # the caller's x is never exposed to user code
        if type(out) is float:  # the common case, checked cheaply
            return out
        arr = np.asarray(out)
        if arr.shape != () or arr.dtype.kind not in "fiu":
            raise ValueError(f"fun must return a real scalar, got {type(out).__name__} of "
                             f"shape {arr.shape}")
        return float(arr)


class _CountedArray:
    """Wraps jac or hess: counts every call, gives it a copy of x, and returns what it gives
    back as a fresh float64 array (the run and the result own it) of the expected shape."""

    __slots__ = ("fn", "name", "shape", "calls")

    def __init__(self, fn: Callable, name: str, shape: tuple):
        self.fn, self.name, self.shape, self.calls = fn, name, shape, 0

    def __call__(self, x: np.ndarray, *batch) -> np.ndarray:
        self.calls += 1
        out = self.fn(x.copy(), *batch)
        # a fresh float64 array; astype copies an ndarray at half the cost of np.array
        arr = out.astype(np.float64) if type(out) is np.ndarray else np.array(out, np.float64)
        if arr.shape != self.shape:
            raise ValueError(f"{self.name} must return an array of shape {self.shape}, "
                             f"got shape {arr.shape}")
        return arr


#: below this size the checks take the cheapest route for small arrays: a Python list of
#: floats for finiteness, the |a| temporary for max|a| (measured by bench/bench_driver.py)
_SMALL = 64


def all_finite(a: np.ndarray) -> bool:
    """Whether every entry is finite: min and max are finite exactly then (a nan makes both
    nan); two reading passes, no temporary, no floating-point warning. Small arrays: the same
    test on a list of Python floats, several times cheaper there."""
    if a.size <= _SMALL:
        return all(map(math.isfinite, a.tolist()))
    return math.isfinite(a.min()) and math.isfinite(a.max())


def max_abs(a: np.ndarray) -> float:
    """max|a_i|; nan if a holds a nan. Large arrays: two reading passes (max and min), no
    temporary of their size."""
    if a.size <= _SMALL:
        return float(np.abs(a).max())
    hi, lo = float(a.max()), float(a.min())
    return hi if hi >= -lo else -lo


class Objective:
    """f, ∇f and ∇²f of the user, counted and checked; the function every iteration descends."""

    exact = True  #: this is f itself (a mini-batch view is not)

    def __init__(self, fun: Callable, jac: Callable, hess: Callable | None, n: int):
        self.f = _CountedFun(fun)                    # f(x, *batch) -> float
        self.g = _CountedArray(jac, "jac", (n,))     # g(x, *batch) -> array (n,)
        self.h = _CountedArray(hess, "hess", (n, n)) if hess is not None else None

    @property
    def counts(self) -> tuple[int, int, int]:
        """(nfev, njev, nhev)."""
        return self.f.calls, self.g.calls, (self.h.calls if self.h else 0)

    def start(self, x: np.ndarray, codes: np.ndarray | None) -> Iterate:
        """The first iterate: f and ∇f at x, which must be finite (ValueError otherwise)."""
        fx = self.f(x)
        if not math.isfinite(fx):
            raise ValueError(f"fun returned {fx} at the start x0: it must be finite there")
        g = self.g(x)
        gmax = max_abs(g)
        if not math.isfinite(gmax):
            raise ValueError("jac returned a non-finite gradient at the start x0")
        return Iterate(x, fx, g, codes, gmax)

    def for_step(self, pt: Iterate) -> tuple[Objective, np.ndarray]:
        """The function this iteration descends (f) and its gradient at pt.x."""
        return self, pt.g

    def settle(self, new: Iterate, pt: Iterate, need_g: bool = True) -> Iterate:
        """new with f (and ∇f, if need_g) evaluated where the step did not; NonFinite on nan or
        inf, checked in that order (no call at a point already known to be bad)."""
        if new is pt:
            return pt
        x, f, g = new.x, new.f, new.g
        if not all_finite(x):
            raise NonFinite("The iterate became nan or inf")
        if f is None:
            f = self.f(x)
        if not math.isfinite(f):
            raise NonFinite(f"fun returned {f}")
        if g is None:
            if not need_g:
                return Iterate(x, f, None, new.codes)
            g = self.g(x)
        return Iterate(x, f, g, new.codes, _checked_max(g))


class _Batch:
    """f on one mini-batch: fun(x, batch), jac(x, batch)."""

    exact = False

    def __init__(self, whole: Objective, batch: np.ndarray):
        self.whole, self.batch = whole, batch

    def f(self, x: np.ndarray) -> float:
        return self.whole.f(x, self.batch)

    def g(self, x: np.ndarray) -> np.ndarray:
        return self.whole.g(x, self.batch)


def sgd_batches(n_samples: int, batch_size: int,
                rng: np.random.Generator) -> Iterator[tuple[np.ndarray, bool]]:
    """Mini-batches by reshuffling each epoch: yields (sorted index array, end_of_epoch)."""
    while True:
        perm = rng.permutation(n_samples)
        starts = range(0, n_samples, batch_size)
        for i, s in enumerate(starts):
            yield np.sort(perm[s:s + batch_size]), i == len(starts) - 1


class MiniBatchObjective(Objective):
    """SGD's objective: each iteration descends f on the next mini-batch.

    Batches come from :func:`sgd_batches`. f is evaluated on all samples at every iterate (for
    the path), the full gradient only at the end of each epoch (for the gtol test; between, the
    iterate's g is None).
    """

    def __init__(self, fun: Callable, jac: Callable, hess: Callable | None, n: int,
                 n_samples: int, batch_size: int, rng: np.random.Generator):
        super().__init__(fun, jac, hess, n)
        self._batches = sgd_batches(n_samples, batch_size, rng)
        self._epoch_end = True

    def for_step(self, pt: Iterate) -> tuple[_Batch, np.ndarray]:
        batch, self._epoch_end = next(self._batches)
        view = _Batch(self, batch)
        return view, view.g(pt.x)

    def settle(self, new: Iterate, pt: Iterate, need_g: bool = True) -> Iterate:
        if new is not pt:  # f and g of the batch are not those of f: evaluate f on all samples
            return Objective.settle(self, new._replace(f=None, g=None), pt, self._epoch_end)
        if self._epoch_end and pt.g is None:
            g = self.g(pt.x)
            return pt._replace(g=g, gmax=_checked_max(g))
        return pt


def _checked_max(g: np.ndarray) -> float:
    """max|g_i|, which must be finite (NonFinite otherwise). Small arrays: on a list of Python
    floats (finiteness first: Python's max is not nan-safe), several times cheaper there."""
    if g.size <= _SMALL:
        values = g.tolist()
        if all(map(math.isfinite, values)):
            return max(map(abs, values))
        raise NonFinite("jac returned nan or inf")
    gmax = max_abs(g)
    if not math.isfinite(gmax):
        raise NonFinite("jac returned nan or inf")
    return gmax
