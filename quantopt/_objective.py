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

from ._checks import returned_real
from .steps import Iterate, NonFinite


class _CountedFun:
    """Wraps fun: counts every call, gives it a copy of x, checks that it returns a real
    scalar (int or float; not bool, complex, strings or None: TypeError naming fun), and
    returns it as a Python float."""

    __slots__ = ("fn", "calls")

    def __init__(self, fn: Callable):
        self.fn, self.calls = fn, 0

    def __call__(self, x: np.ndarray, *batch) -> float:
        self.calls += 1
        try:
            out = self.fn(x.copy(), *batch)  # the caller's x is never exposed to user code
        except TypeError as err:
            _raise_if_call_failed("fun", err, batch)
            raise
        if type(out) is float:  # the common case, checked cheaply
            return out
        if type(out) is np.float64:
            return float(out)
        return float(returned_real("fun", out, ()))


class _CountedArray:
    """Wraps jac or hess: counts every call, gives it a copy of x, and returns what it gives
    back as a fresh float64 array (the run and the result own it) of the expected shape:
    real numbers only (a complex, bool, string or object result raises TypeError naming the
    callable; its imaginary part is never dropped), the shape checked (ValueError)."""

    __slots__ = ("fn", "name", "shape", "calls")

    def __init__(self, fn: Callable, name: str, shape: tuple):
        self.fn, self.name, self.shape, self.calls = fn, name, shape, 0

    def __call__(self, x: np.ndarray, *batch) -> np.ndarray:
        self.calls += 1
        try:
            out = self.fn(x.copy(), *batch)
        except TypeError as err:
            _raise_if_call_failed(self.name, err, batch)
            raise
        # the common case, a float64 array of the right shape: one copy (the run owns it)
        if type(out) is np.ndarray and out.dtype is _FLOAT64 and out.shape == self.shape:
            return out.copy()
        return returned_real(self.name, out, self.shape)


_FLOAT64 = np.dtype(np.float64)


def _raise_if_call_failed(name: str, err: TypeError, batch: tuple) -> None:
    """A TypeError raised by the call itself (the callable does not take these arguments: its
    traceback has no frame inside the callable) is re-raised naming the callable and how it
    was called, chained to the original; a TypeError raised inside the user's code returns
    here untouched, for the caller to re-raise with its own traceback."""
    if err.__traceback__ is not None and err.__traceback__.tb_next is not None:
        return  # raised inside the user's function: the user's own error
    how = f"{name}(x, batch)" if batch else f"{name}(x)"
    why = (" (method='sgd' passes each mini-batch's sample indices as the second argument)"
           if batch else "")
    raise TypeError(f"{name} could not be called as {how}{why}: {err}") from err


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

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """∇²f(x), which must be finite (NonFinite otherwise)."""
        h = self.h(x)
        if not all_finite(h.reshape(-1)):
            raise NonFinite("hess returned nan or inf")
        return h

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
        g = view.g(pt.x)
        if not all_finite(g):
            raise NonFinite("jac returned nan or inf on a mini-batch")
        return view, g

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
