"""The shape shared by every update rule: a pair of pure functions with explicit state.

An update rule (optax's "gradient transformation", without the pytrees) is::

    rule  = adam(beta1=0.9, beta2=0.999, eps=1e-7)    # hyperparameters bound here
    state = rule.init(x0)                              # a NamedTuple of arrays and counters
    d, state = rule.step(state, x, g, hess)            # a direction and the next state

and the driver (quantopt.minimize) moves ``x <- x + alpha * d``, where ``alpha`` is the fixed
learning rate ``lr`` or the step a line search accepts. ``step`` never modifies ``state``,
``x``, ``g`` or ``hess``: it returns new arrays.

Checked arguments (one place for every rule: :class:`UpdateRule`'s ``init`` and ``step``
attributes wrap the functions a rule is built with, see :func:`checked_init` and
:func:`checked_step`; errors name the argument). ``init(x0)``: x0 real numbers (an array, a
list or a number; bool, complex, strings, None raise TypeError) or an object array of exact
numbers such as Fractions. ``step(state, x, g, hess)``: state an instance of the rule's state
type (the class its init is annotated to return; TypeError), x and g numpy arrays of reals (or
of Fractions) of the same shape (ValueError naming g: no silent broadcasting), hess given where
the rule needs it, with x.size**2 entries (ValueError). A rule whose init has no return
annotation (a user's lambda) gets every check but the state's type.

In-place steps (an extension for large n, see docs/design.md, "In-place steps")::

    state = rule.step_inplace(state, x, g, lr, hess=None)

is the fused step ``x <- x + lr*d`` done in place: x and the state's arrays are overwritten (the
returned state shares them; do not use the old state afterwards); g is only read. It gives bit
for bit the numbers of ``d, new = rule.step(state, x, g, hess); x + lr*d`` and ``new``, for
float32 and float64 arrays. The elementwise rules (gd, sgd, momentum, nesterov, adagrad,
rmsprop, adam) have fused kernels (the private module ``quantopt.optim._fused``) that work
through the arrays in cache-sized blocks of ``_fused.BLOCK_BYTES`` per array with a few
block-sized scratch buffers: nothing proportional to n is allocated. The other rules get
:func:`generic_step_inplace`: the pure step followed by an in-place ``x += lr*d`` (the same
numbers, but it allocates like ``step``, and the state it returns is step's new one, not the
old arrays overwritten).

Contract of every ``step_inplace`` (checked by ``_fused.prepare_inplace``; errors name the
argument): x is a writeable float32 or float64 ``numpy.ndarray`` (object arrays, e.g. of
Fractions, raise TypeError: use ``step``); g is an ndarray of x's shape and dtype; ``lr`` is a
positive finite number, used as a Python float (as the driver does); the state's arrays have x's
shape and dtype and are writeable; x, g and the state's arrays do not overlap; and they are all
C-contiguous or all Fortran-contiguous (anything else raises ValueError: pass
``np.ascontiguousarray(...)`` copies, or use ``step``).
"""
from __future__ import annotations

import functools
import typing
from typing import Any, Callable, NamedTuple

import numpy as np

# check_nonnegative and check_unit_interval are imported by name from here by other modules
from .._checks import check_int, check_nonnegative, check_positive, check_unit_interval  # noqa: F401
from ._fused import check_g_inplace, check_x_inplace


class _UpdateRuleFields(NamedTuple):
    name: str
    init: Callable[[np.ndarray], Any]
    step: Callable[..., tuple[np.ndarray, Any]]
    hyper: dict
    needs_hess: bool = False
    counters: tuple[str, ...] = ()
    step_inplace: Callable[..., Any] | None = None
    defaults: dict = {}
    first_trial: Callable[..., float] | None = None
    minibatch: bool = False
    noisy: bool = False


class UpdateRule(_UpdateRuleFields):
    """An optimizer as an init/step pair, with an optional fused in-place step.

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
    step_inplace : callable
        ``step_inplace(state, x, g, lr, hess=None) -> state``: the fused step
        ``x <- x + lr*d`` in place, x and the state's arrays overwritten (the returned state
        shares them), g only read; bit for bit the numbers of ``step`` followed by
        ``x + lr*d``. Constructed with ``step_inplace=None`` (the default, so that existing
        constructions keep working), the attribute gives :func:`generic_step_inplace` of the
        rule's current ``step``. See the module docstring for the argument contract.
    defaults : dict
        This method's defaults for options of :func:`quantopt.minimize` that are not
        hyperparameters: ``lr`` (the fixed step when there is no line search; 1e-2 if absent),
        ``line_search`` (None if absent), and ``maxls``, ``xtol``, ``stpmax`` (the line
        searches' trial budget, and the Wolfe search's bracket tolerance and largest step).
        The driver reads them here, so that every fact about a method lives with its rule.
    first_trial : callable or None
        ``first_trial(state, lr, f, f_prev, g, d) -> alpha0``: the first trial step of a line
        search along d, given the rule's new state, f and g at x, f at the previous iterate
        (None at the first) and the option lr. None: start at lr.
    minibatch : bool
        Whether the driver feeds the rule mini-batch gradients (method "sgd").
    noisy : bool
        Whether the direction is random by design (method "langevin"): the driver refuses a
        line search for it (a search would test the noise, and a restart would replay it).

    Examples
    --------
    >>> import numpy as np
    >>> from quantopt.optim import adam
    >>> rule = adam()
    >>> x = np.array([1.0, -2.0, 0.0], dtype=np.float32)
    >>> g = np.array([0.5, 0.25, -0.0], dtype=np.float32)
    >>> d, new = rule.step(rule.init(x), x, g)
    >>> expected = x + 0.1 * d
    >>> state = rule.step_inplace(rule.init(x), x, g, 0.1)   # overwrites x
    >>> bool(np.array_equal(x, expected)), x.dtype, state.t
    (True, dtype('float32'), 1)
    """

    __slots__ = ()

    @property
    def init(self) -> Callable[[Any], Any]:
        """``init(x0)``, with x0 checked first (see :func:`checked_init`)."""
        return checked_init(tuple.__getitem__(self, 1))

    @property
    def step(self) -> Callable[..., tuple[np.ndarray, Any]]:
        """``step(state, x, g, hess=None)``, with its arguments checked first (see
        :func:`checked_step`): every rule goes through the same checks."""
        return checked_step(self.name, tuple.__getitem__(self, 1), tuple.__getitem__(self, 2),
                            self.needs_hess)

    @property
    def step_inplace(self) -> Callable[..., Any]:
        fused = tuple.__getitem__(self, 6)
        return generic_step_inplace(self.step) if fused is None else fused

    @property
    def has_kernel(self) -> bool:
        """Whether the rule has its own fused ``step_inplace`` (the elementwise rules, every
        option included), not the generic pure step followed by ``x += lr*d``."""
        return tuple.__getitem__(self, 6) is not None

    @property
    def fused(self) -> bool:
        """Whether the driver may run ``step_inplace`` in place of ``step`` on any buffer: the
        rule has a fused kernel (the elementwise rules; the others get the generic pure step
        followed by ``x += lr*d``) AND its direction does not read x. A weight-decayed rule
        (``hyper["weight_decay"] != 0``: d depends on x) has a fused kernel too, but the
        driver's grid step applies step_inplace to a zero buffer to form lr*d, which would
        drop the decay, so it is False there: the driver then takes the pure step (the same
        numbers, with temporaries)."""
        return self.has_kernel and not self.hyper.get("weight_decay")


# --------------------------------------------------------------------------------------------
# The checks every rule's init and step go through (issue 15 item 6). UpdateRule's init and
# step attributes wrap the functions it was built with, so that no rule can forget them; the
# raw functions stay in the tuple (``tuple.__getitem__(rule, 2)``). Kept cheap: the driver
# calls step at every iteration (a few isinstance and shape comparisons; no pass over the
# elements).


@functools.lru_cache(maxsize=4096)
def state_type_of(init: Callable[..., Any]) -> type | None:
    """The class ``init`` is annotated to return (``def init(x0) -> AdamState``): the rule's
    state type. None when init has no such annotation (a user's lambda): then step does not
    check the state's type."""
    try:
        returned = typing.get_type_hints(init).get("return")
    except Exception:  # unresolvable annotations: no state check, as for a missing one
        return None
    return returned if isinstance(returned, type) else None


#: what an object array x0 must not hold: bool, complex and text are not real numbers
_NOT_REAL = (bool, np.bool_, complex, np.complexfloating, str, bytes)


def check_x0(x0: Any) -> None:
    """x0 for init: real numbers (a real array, a list or a number; float32 stays float32) or
    an object array of exact numbers (Fractions, ints, or number-like objects) for the rules
    without square roots. bool, complex, strings and None (also as elements of an object
    array) raise TypeError naming x0."""
    if x0 is None or isinstance(x0, (bool, np.bool_, str, bytes)):
        raise TypeError(f"x0 must be a real array, got {type(x0).__name__}")
    try:
        arr = np.asarray(x0)
    except (TypeError, ValueError) as err:  # ragged nested lists
        raise TypeError(f"x0 must be a real (rectangular) array: {err}") from err
    if arr.dtype == object:
        # exact numbers (Fractions) or number-like objects (the notebooks count operations
        # with them): refuse only what is certainly not a real number
        bad = [v for v in arr.flat if v is None or isinstance(v, _NOT_REAL)]
        if bad:
            raise TypeError(f"x0: an object array must hold real numbers (e.g. Fractions), got "
                            f"{type(bad[0]).__name__}")
    elif arr.dtype.kind not in "iuf":
        raise TypeError(f"x0 must be a real array (int or float, or Fractions), got dtype "
                        f"{arr.dtype}")


@functools.lru_cache(maxsize=4096)
def checked_init(init: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``init`` with its x0 checked first (:func:`check_x0`). Cached, so that reading
    ``rule.init`` twice gives the same function (and costs a dictionary look-up)."""
    def checked(x0: Any) -> Any:
        check_x0(x0)
        return init(x0)

    checked.__wrapped__ = init
    checked.__doc__ = init.__doc__
    return checked


_FLOATS = frozenset({np.dtype(np.float64), np.dtype(np.float32)})


def _check_step_array(label: str, a: Any) -> None:
    if not isinstance(a, (np.ndarray, np.generic)):
        raise TypeError(f"{label} must be a numpy array, got {type(a).__name__}")
    if a.dtype.kind not in "iufO":
        raise TypeError(f"{label} must be a real array (int or float, or Fractions), got dtype "
                        f"{a.dtype}")


@functools.lru_cache(maxsize=4096)
def checked_step(name: str, init: Callable[..., Any], step: Callable[..., Any],
                 needs_hess: bool) -> Callable[..., tuple[np.ndarray, Any]]:
    """``step(state, x, g, hess=None)`` with its arguments checked first, errors naming them:
    state must be an instance of the rule's state type (:func:`state_type_of` its init;
    TypeError), x and g numpy arrays of reals or of exact numbers (object dtype; TypeError) of
    the same shape (ValueError naming g), and, for a rule that needs it, hess given with
    x.size**2 entries (ValueError naming hess). Cached like :func:`checked_init`; the checks
    cost well under a microsecond per call (the driver calls step at every iteration)."""
    state_type = state_type_of(init)

    def checked(state: Any, x: Any, g: Any, hess: Any = None) -> tuple[np.ndarray, Any]:
        if state_type is not None and not isinstance(state, state_type):
            raise TypeError(f"state must be a {state_type.__name__} (from {name}'s init), got "
                            f"{type(state).__name__}")
        # the common case in few operations (float arrays), the general one checked in full
        if not (type(x) is np.ndarray and type(g) is np.ndarray and x.dtype in _FLOATS
                and g.dtype in _FLOATS):
            _check_step_array("x", x)
            _check_step_array("g", g)
        if g.shape != x.shape:
            raise ValueError(f"g must have x's shape {x.shape}, got {g.shape}")
        if needs_hess:
            if hess is None:
                raise ValueError(f"{name} needs the Hessian: pass hess (the driver's hess=)")
            if np.size(hess) != x.size * x.size:
                raise ValueError(f"hess must have x.size**2 = {x.size * x.size} entries (an "
                                 f"{x.size} x {x.size} matrix), got shape {np.shape(hess)}")
        return step(state, x, g, hess)

    checked.__wrapped__ = step
    checked.__doc__ = step.__doc__
    return checked


def initial_step(rule: UpdateRule, state: Any, lr: float, f: float, f_prev: float | None,
                 g: np.ndarray, d: np.ndarray) -> float:
    """The first trial step of a line search along d: the rule's ``first_trial``, else lr."""
    if rule.first_trial is None:
        return lr
    return rule.first_trial(state, lr, f, f_prev, g, d)


def generic_step_inplace(step: Callable[..., tuple[np.ndarray, Any]]) -> Callable[..., Any]:
    """The default ``step_inplace`` for a rule without a fused kernel (newton, bfgs, lbfgs).

    ``d, new = step(state, x.copy(), g.copy(), hess)`` and then ``x += lr*d`` written into x:
    the same numbers as ``step`` followed by ``x + lr*d``, but NOT allocation-free: it allocates
    whatever ``step`` does, plus copies of x and g (passed so that a state which keeps x or g,
    like the quasi-Newton x_prev and g_prev, is unaffected when the caller's arrays change
    later). It returns ``new``, which does not share the old state's arrays. If ``x + lr*d``
    would have another dtype than x (a rule that returns float64 directions for float32 x), it
    raises TypeError before x is touched.
    """

    def step_inplace(state: Any, x: Any, g: Any, lr: Any, hess: Any = None) -> Any:
        x = check_x_inplace(x)
        g = check_g_inplace(x, g)
        lr = check_positive("lr", lr)
        d, new = step(state, x.copy(), g.copy(), hess)
        step_x = lr * d
        if np.result_type(x, step_x) != x.dtype:
            # x + lr*d would be promoted (e.g. a float64 d for a float32 x): the pure numbers
            # do not fit into x, so refuse rather than round them silently
            raise TypeError(f"step returned a direction of dtype {np.asarray(d).dtype} for x of "
                            f"dtype {x.dtype}; x + lr*d would not be {x.dtype}, so it cannot be "
                            "written into x in place: use step")
        np.add(x, step_x, out=x)
        return new

    return step_inplace


def state_zeros(x0, shape=None) -> np.ndarray:
    """Zeros for a state array: x0's float (or object) dtype, float64 otherwise."""
    x0 = np.asarray(x0)
    dtype = x0.dtype if (x0.dtype.kind == "f" or x0.dtype == object) else np.float64
    return np.zeros(x0.shape if shape is None else shape, dtype=dtype)


def check_count(name: str, value: Any) -> int:
    """A hyperparameter that must be an int >= 1 (like L-BFGS's memory)."""
    return check_int(name, value, 1)


# What a user writing their own rule needs; the fused kernels' internals (block length, scalar
# conversion, argument checks of an in-place step) live in the private module _fused.
__all__ = ["UpdateRule", "initial_step", "state_zeros", "generic_step_inplace"]
