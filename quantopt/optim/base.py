"""The shape shared by every update rule: a pair of pure functions with explicit state.

An update rule (optax's "gradient transformation", without the pytrees) is::

    rule  = adam(beta1=0.9, beta2=0.999, eps=1e-7)    # hyperparameters bound here
    state = rule.init(x0)                              # a NamedTuple of arrays and counters
    d, state = rule.step(state, x, g, hess)            # a direction and the next state

and the driver (quantopt.minimize) moves ``x <- x + alpha * d``, where ``alpha`` is the fixed
learning rate ``lr`` or the step a line search accepts. ``step`` never modifies ``state``,
``x``, ``g`` or ``hess``: it returns new arrays.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from .._checks import check_int, check_nonnegative, check_positive, check_unit_interval


class UpdateRule(NamedTuple):
    """An optimizer as an init/step pair.

    Attributes
    ----------
    name : str
        The ``method`` name in :func:`quantopt.minimize`.
    init : callable
        ``init(x0) -> state``. ``state`` is a NamedTuple; its array fields have x0's shape.
    step : callable
        ``step(state, x, g, hess=None) -> (d, state)``: the direction d (x moves to
        ``x + alpha*d``) and the new state. ``hess`` is the Hessian at x, passed only when
        ``needs_hess`` is True.
    hyper : dict
        The hyperparameters bound into this rule, by option name.
    needs_hess : bool
        Whether ``step`` needs the Hessian.
    counters : tuple of str
        Names of integer state fields that count safeguards (skipped updates, modified
        Hessians); the driver reports them in the result under the same names.
    """

    name: str
    init: Callable[[np.ndarray], Any]
    step: Callable[..., tuple[np.ndarray, Any]]
    hyper: dict
    needs_hess: bool = False
    counters: tuple[str, ...] = ()


def state_zeros(x0, shape=None) -> np.ndarray:
    """Zeros for a state array: x0's float (or object) dtype, float64 otherwise."""
    x0 = np.asarray(x0)
    dtype = x0.dtype if (x0.dtype.kind == "f" or x0.dtype == object) else np.float64
    return np.zeros(x0.shape if shape is None else shape, dtype=dtype)


def check_count(name: str, value: Any) -> int:
    """A hyperparameter that must be an int >= 1 (like L-BFGS's memory)."""
    return check_int(name, value, 1)


__all__ = ["UpdateRule", "state_zeros", "check_positive", "check_nonnegative", "check_count",
           "check_unit_interval"]
