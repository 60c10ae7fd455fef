"""The fused, blocked in-place kernels behind ``rule.step_inplace`` of the elementwise rules.

Private: the teaching modules (first_order.py, adaptive.py) state each rule's equations and its
pure ``step``; this module repeats those operations in place, for large n. The contract (see
:mod:`quantopt.optim.base`): ``state = kernel(state, x, g, lr, ...)`` overwrites x and the
state's arrays with bit for bit the numbers of ``d, new = rule.step(state, x, g); x + lr*d``.

One driver, :func:`run_blocks`, does what every kernel needs: check the arguments
(:func:`prepare_inplace`), convert step's Python floats to x's dtype once (:func:`dtype_scalars`),
allocate a few block-sized scratch buffers, and walk the arrays in blocks of ``BLOCK_BYTES`` per
array. Each kernel is only its ufunc sequence on block views (a ``body`` function): the same IEEE
operations, on the same operands in the same order, as ``step`` and ``x + lr*d``, so the bits
agree, NaN signs included. No algebraic rewrite is allowed (``x - lr*v`` for ``x + lr*(-v)`` is
equal for numbers, not for the sign bit of a NaN coming from v); ``-a / b`` is ``(-a) / b`` in
Python, so the negation comes first here too. Outputs are passed positionally (cheaper calls).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

import numpy as np

from .._checks import check_positive

#: Bytes per array per block of the fused in-place kernels (16384 float64, 32768 float32).
#: Each ufunc call costs about a microsecond of overhead, so blocks must not be too small:
#: measured with bench/bench_first_order.py at n = 10**7 on the 2-core EPYC (L2 512 KiB), Adam
#: took 4-9x its floor with blocks of 2048-4096 elements and about 2x with 128 KiB per array.
#: Read at call time (the tests set it small to cross many block boundaries with small arrays).
BLOCK_BYTES = 1 << 17


# --------------------------------------------------------------------------------------------
# Argument checks of an in-place step (errors name the argument; nothing is written before).


def check_x_inplace(x: Any) -> np.ndarray:
    """x for an in-place step: a writeable float32/float64 ndarray (TypeError/ValueError)."""
    if not isinstance(x, np.ndarray):
        raise TypeError("x must be a numpy.ndarray of float32 or float64 for step_inplace, got "
                        f"{type(x).__name__}")
    if x.dtype == object:
        raise TypeError("x: object arrays (e.g. of Fractions) are not supported by step_inplace; "
                        "use step for exact arithmetic")
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"x must have dtype float32 or float64 for step_inplace, got {x.dtype}")
    if not x.flags.writeable:
        raise ValueError("x must be a writeable array for step_inplace (it is overwritten)")
    return x


def _check_like_x(label: str, a: Any, x: np.ndarray, why: str) -> np.ndarray:
    """An array that must have x's type, shape and dtype (``why``: the reason for the dtype)."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{label} must be a numpy.ndarray like x, got {type(a).__name__}")
    if a.shape != x.shape:
        raise ValueError(f"{label} must have x's shape {x.shape}, got {a.shape}")
    if a.dtype != x.dtype:
        raise TypeError(f"{label} must have x's dtype {x.dtype}, got {a.dtype} ({why})")
    return a


def check_g_inplace(x: np.ndarray, g: Any) -> np.ndarray:
    """g for an in-place step: an ndarray of x's shape and dtype."""
    return _check_like_x("g", g, x, "the pure step would promote the result, which cannot be "
                                    "written into x")


def check_float_hyper(**hyper: Any) -> None:
    """Hyperparameters of a fused kernel must be floats: a Fraction makes step use exact
    object arithmetic, which an in-place float step cannot reproduce."""
    for name, value in hyper.items():
        if isinstance(value, Fraction):
            raise TypeError(f"{name} is a Fraction: step_inplace needs float hyperparameters "
                            "(exact arithmetic runs only through step)")


def check_state_type(state: Any, state_type: type) -> None:
    """state must be an instance of the rule's state type (a NamedTuple from its init)."""
    if not isinstance(state, state_type):
        raise TypeError(f"state must be a {state_type.__name__} (from this rule's init), got "
                        f"{type(state).__name__}")


def check_step_count(state: Any, state_type: type) -> int:
    """state.t of a state that counts its steps: a Python int >= 0, as init makes. (A numpy
    integer t would make beta1**t a numpy float64 in step, which promotes float32 arrays, so the
    in-place numbers could not match.)"""
    check_state_type(state, state_type)
    t = state.t
    if isinstance(t, bool) or not isinstance(t, int) or t < 0:
        raise TypeError(f"state.t must be a Python int >= 0 (steps taken), got {t!r}")
    return t


def prepare_inplace(state: Any, state_type: type, fields: tuple[str, ...], x: Any, g: Any,
                    lr: Any) -> tuple[float, list[np.ndarray]]:
    """Check the arguments of a fused in-place step; return lr and flat views of x, g, fields.

    The views are 1-D and share memory with the arrays (C order when all are C-contiguous, else
    Fortran order when all are Fortran-contiguous), so that element i of every view is the same
    element of the math. Errors name the argument.
    """
    x = check_x_inplace(x)
    g = check_g_inplace(x, g)
    lr = check_positive("lr", lr)
    check_state_type(state, state_type)
    named = [("x", x), ("g", g)]
    for field in fields:
        label = f"state.{field}"
        a = _check_like_x(label, getattr(state, field), x, "the pure step would give other numbers")
        if not a.flags.writeable:
            raise ValueError(f"{label} must be writeable (step_inplace overwrites it)")
        named.append((label, a))
    if all(a.flags.c_contiguous for _, a in named):
        order = "C"
    elif all(a.flags.f_contiguous for _, a in named):
        order = "F"
    else:
        bad = next(label for label, a in named if not a.flags.c_contiguous)
        raise ValueError(f"{bad} is not C-contiguous: step_inplace needs x, g and the state's "
                         "arrays all C-contiguous (or all Fortran-contiguous); pass "
                         "np.ascontiguousarray copies or use step")
    for i, (label_a, a) in enumerate(named):
        for label_b, b in named[i + 1:]:
            # contiguous arrays: overlapping bounds means shared elements, so this is exact
            if a.size and b.size and np.may_share_memory(a, b):
                raise ValueError(f"{label_a} and {label_b} share memory: step_inplace needs "
                                 "separate arrays")
    return lr, [a.ravel(order) for _, a in named]


def blocks(n: int, dtype: np.dtype) -> tuple[int, range]:
    """The block length b (BLOCK_BYTES of dtype, at most n, at least 1) and the starts 0, b, ..."""
    b = max(1, min(BLOCK_BYTES // np.dtype(dtype).itemsize, n))
    return b, range(0, n, b)


def dtype_scalars(dtype: np.dtype, *values: float) -> list[np.ndarray]:
    """Python floats as 0-d arrays of dtype, for the fused kernels' ufunc calls.

    The value is the one NEP 50 uses when a Python float meets an array of that dtype (float64:
    the float itself; float32: the float rounded to the nearest float32, by the same C cast),
    so ``np.multiply(dtype_scalars(a.dtype, r)[0], a)`` gives the bits of ``r * a``. A 0-d array
    of the array's own dtype makes a ufunc call about twice as cheap as a Python float does.
    """
    return [np.array(v, dtype=dtype) for v in values]


# --------------------------------------------------------------------------------------------
# The one blockwise driver.


def run_blocks(state: Any, state_type: type, fields: tuple[str, ...], x: Any, g: Any, lr: Any,
               scalars: tuple[float, ...], body: Callable[..., None], n_scratch: int) -> None:
    """Check the arguments, then call ``body(lr, *scalars, x, g, *fields, *scratch)`` on block
    views: lr and the scalars as 0-d arrays of x's dtype, x, g and the state's ``fields`` as
    blocks of the flat views, and ``n_scratch`` block-sized scratch buffers (cut to the block).
    ``body`` overwrites the blocks of x and of the fields in place; g is only read.
    """
    lr, views = prepare_inplace(state, state_type, fields, x, g, lr)
    dtype, n = views[0].dtype, views[0].size
    consts = dtype_scalars(dtype, lr, *scalars)
    b, starts = blocks(n, dtype)
    scratch = [np.empty(b, dtype=dtype) for _ in range(n_scratch)]
    for i in starts:
        k = min(b, n - i)
        body(*consts, *[v[i:i + k] for v in views], *[s[:k] for s in scratch])


# --------------------------------------------------------------------------------------------
# The kernels: each body is the ufunc sequence of its rule's step and of x + lr*d.


def square(g: Any, out: np.ndarray | None = None, *, rule: str) -> Any:
    """``g * g`` (into out if given) for the second moments of adagrad, rmsprop and adam(w);
    an overflow raises OverflowError naming the rule and g.

    Where |g_i| > sqrt(max float) (1.34e154 in float64, 1.84e19 in float32), g*g is beyond the
    dtype's range: the moment would be inf and the step m/(sqrt(v) + eps) silently 0 there, so
    that a run stands still and reports maxiter. The same check in the pure step and in the
    fused kernels (an in-place step that raises leaves the blocks before this one updated). An
    inf already in g is not an overflow (inf*inf raises no flag) and propagates as before.
    """
    with np.errstate(over="raise"):
        try:
            return g * g if out is None else np.multiply(g, g, out)
        except FloatingPointError:
            limit = float(np.sqrt(np.finfo(np.asarray(g).dtype).max))
            raise OverflowError(
                f"{rule}: g*g overflows {np.asarray(g).dtype} where |g_i| > {limit:.3g} (g "
                "after weight decay): the second moment would be inf and the step silently 0; "
                "scale the objective down") from None


def decayed(wd: np.ndarray, x: np.ndarray, g: np.ndarray, w: np.ndarray) -> np.ndarray:
    """step's ``g = g + weight_decay * x`` into the scratch block w (g is only read)."""
    np.multiply(wd, x, w)            # weight_decay * x
    np.add(g, w, w)                  # g + weight_decay*x
    return w


def gd(state: Any, x: Any, g: Any, lr: Any, state_type: type, weight_decay: float) -> Any:
    """gd/sgd: ``g = g + wd*x`` (if wd), ``d = -g``, ``x + lr*d``."""
    check_float_hyper(weight_decay=weight_decay)
    decay = weight_decay != 0

    def body(lr, wd, x, g, t, w):
        if decay:
            g = decayed(wd, x, g, w)
        np.negative(g, t)            # d = -g
        np.multiply(lr, t, t)        # lr * d
        np.add(x, t, x)              # x + lr*d

    run_blocks(state, state_type, (), x, g, lr, (weight_decay,), body, 2)
    return state


def momentum(state: Any, x: Any, g: Any, lr: Any, state_type: type, rho: float,
             dampening: float, weight_decay: float) -> Any:
    """``g = g + wd*x`` (if wd); ``v = rho*v + g`` (no dampening), or ``v = g`` on the first
    step and ``v = rho*v + (1-dampening)*g`` afterwards; ``d = -v``, ``x + lr*d``."""
    check_float_hyper(momentum=rho, dampening=dampening, weight_decay=weight_decay)
    steps = check_step_count(state, state_type)
    decay = weight_decay != 0
    damped = dampening != 0 and rho != 0
    c = 1 - dampening                # the same Python float as in step

    def body(lr, rho, c, wd, x, g, v, t, w):
        if decay:
            g = decayed(wd, x, g, w)
        if not damped:
            np.multiply(rho, v, v)   # rho * v
            np.add(v, g, v)          # v = rho*v + g
        elif steps == 0:
            np.copyto(v, g)          # v = g (the first step is not damped)
        else:
            np.multiply(rho, v, v)   # rho * v
            np.multiply(c, g, t)     # (1 - dampening) * g
            np.add(v, t, v)          # v = rho*v + (1-dampening)*g
        np.negative(v, t)            # d = -v
        np.multiply(lr, t, t)        # lr * d
        np.add(x, t, x)              # x + lr*d

    run_blocks(state, state_type, ("v",), x, g, lr, (rho, c, weight_decay), body, 2)
    return state._replace(t=steps + 1)


def nesterov(state: Any, x: Any, g: Any, lr: Any, state_type: type, rho: float,
             weight_decay: float) -> Any:
    """``g = g + wd*x`` (if wd), ``b = rho*b + g``, ``d = -(g + rho*b)``, ``x + lr*d``."""
    check_float_hyper(momentum=rho, weight_decay=weight_decay)
    decay = weight_decay != 0

    def body(lr, rho, wd, x, g, b, t, w):
        if decay:
            g = decayed(wd, x, g, w)
        np.multiply(rho, b, b)       # rho * b
        np.add(b, g, b)              # b = rho*b + g
        np.multiply(rho, b, t)       # rho * b  (the new b)
        np.add(g, t, t)              # g + rho*b
        np.negative(t, t)            # d = -(g + rho*b)
        np.multiply(lr, t, t)        # lr * d
        np.add(x, t, x)              # x + lr*d

    run_blocks(state, state_type, ("b",), x, g, lr, (rho, weight_decay), body, 2)
    return state


def adagrad(state: Any, x: Any, g: Any, lr: Any, state_type: type, eps: float,
            lr_decay: float, weight_decay: float) -> Any:
    """``g = g + wd*x`` (if wd), ``G = G + g*g``, ``d = -g / (sqrt(G) + eps)``,
    ``d = d / (1 + (t-1)*lr_decay)`` (if lr_decay), ``x + lr*d``."""
    steps = check_step_count(state, state_type) + 1
    decay = weight_decay != 0
    scaled = lr_decay != 0
    scale = 1 + (steps - 1) * lr_decay   # the same Python float as in step

    def body(lr, eps, scale, wd, x, g, G, p, q, w):
        if decay:
            g = decayed(wd, x, g, w)
        square(g, p, rule="adagrad")     # g * g
        np.add(G, p, G)              # G = G + g*g
        np.negative(g, p)            # -g
        np.sqrt(G, q)                # sqrt(G)
        np.add(q, eps, q)            # sqrt(G) + eps
        np.divide(p, q, p)           # d = -g / (sqrt(G) + eps)
        if scaled:
            np.divide(p, scale, p)   # d = d / (1 + (t-1)*lr_decay)
        np.multiply(lr, p, p)        # lr * d
        np.add(x, p, x)              # x + lr*d

    run_blocks(state, state_type, ("G",), x, g, lr, (eps, scale, weight_decay), body, 3)
    return state._replace(t=steps)


def rmsprop(state: Any, x: Any, g: Any, lr: Any, state_type: type, delta: float, eps: float,
            mu: float, centered: bool, weight_decay: float) -> Any:
    """``g = g + wd*x`` (if wd), ``s = delta*s + (1-delta)*(g*g)``; centered:
    ``a = delta*a + (1-delta)*g``, ``den = sqrt(max(s - a*a, 0)) + eps``, else
    ``den = sqrt(s) + eps``; ``d = -g / den``, or with momentum ``b = mu*b + g/den``,
    ``d = -b``; ``x + lr*d``."""
    check_float_hyper(decay_rate=delta, momentum=mu)
    c = 1 - delta                    # the same Python float as in step
    decay = weight_decay != 0
    fields = ("s",) + (("g_avg",) if centered else ()) + (("buf",) if mu else ())

    def body(lr, delta, c, eps, mu, wd, zero, x, g, s, *more):
        *averages, p, q, w = more    # g_avg and buf when the options keep them, then scratch
        if decay:
            g = decayed(wd, x, g, w)
        np.multiply(delta, s, s)     # delta * s
        square(g, p, rule="rmsprop")     # g * g
        np.multiply(c, p, p)         # (1 - delta) * (g*g)
        np.add(s, p, s)              # s = delta*s + (1-delta)*g*g
        if centered:
            a = averages.pop(0)
            np.multiply(delta, a, a)     # delta * a
            np.multiply(c, g, p)         # (1 - delta) * g
            np.add(a, p, a)              # a = delta*a + (1-delta)*g
            np.multiply(a, a, q)         # a * a
            np.subtract(s, q, q)         # s - a*a
            np.maximum(q, zero, out=q)   # max(s - a*a, 0)
            np.sqrt(q, q)                # sqrt(max(s - a*a, 0))
        else:
            np.sqrt(s, q)                # sqrt(s)
        np.add(q, eps, q)            # den = sqrt(.) + eps
        if mu:
            b = averages.pop(0)
            np.divide(g, q, p)           # g / den
            np.multiply(mu, b, b)        # mu * b
            np.add(b, p, b)              # b = mu*b + g/den
            np.negative(b, p)            # d = -b
        else:
            np.negative(g, p)            # -g
            np.divide(p, q, p)           # d = -g / den
        np.multiply(lr, p, p)        # lr * d
        np.add(x, p, x)              # x + lr*d

    run_blocks(state, state_type, fields, x, g, lr, (delta, c, eps, mu, weight_decay, 0.0),
               body, 3)
    return state


def adam(state: Any, x: Any, g: Any, lr: Any, state_type: type, beta1: float, beta2: float,
         eps: float, weight_decay: float, amsgrad: bool, decoupled: bool) -> Any:
    """adam/adamw: ``g = g + wd*x`` (adam, if wd), ``m = beta1*m + (1-beta1)*g``,
    ``v = beta2*v + (1-beta2)*(g*g)``, ``v_max = max(v_max, v)`` (if amsgrad),
    ``d = -(m/(1-beta1**t)) / (sqrt(v/(1-beta2**t)) + eps)`` (v_max for v if amsgrad),
    ``d = d - wd*x`` (adamw, if wd), ``x + lr*d``."""
    check_float_hyper(beta1=beta1, beta2=beta2)
    t = check_step_count(state, state_type) + 1
    c1, c2 = 1 - beta1, 1 - beta2        # the same Python floats as in step
    bc1, bc2 = 1 - beta1**t, 1 - beta2**t
    name = "adamw" if decoupled else "adam"
    coupled = weight_decay != 0 and not decoupled
    decoupled = weight_decay != 0 and decoupled
    fields = ("m", "v") + (("v_max",) if amsgrad else ())

    def body(lr, beta1, beta2, c1, c2, bc1, bc2, eps, wd, x, g, m, v, *more):
        *v_max, p, q, w = more       # v_max when amsgrad, then scratch
        if coupled:
            g = decayed(wd, x, g, w)
        np.multiply(beta1, m, m)     # beta1 * m
        np.multiply(c1, g, p)        # (1 - beta1) * g
        np.add(m, p, m)              # m = beta1*m + (1-beta1)*g
        np.multiply(beta2, v, v)     # beta2 * v
        square(g, p, rule=name)       # g * g
        np.multiply(c2, p, p)        # (1 - beta2) * (g*g)
        np.add(v, p, v)              # v = beta2*v + (1-beta2)*g*g
        if amsgrad:
            np.maximum(v_max[0], v, out=v_max[0])   # v_max = max(v_max, v)
        np.divide(m, bc1, p)         # m_hat = m / (1 - beta1**t)
        np.negative(p, p)            # -m_hat
        np.divide(v_max[0] if amsgrad else v, bc2, q)   # v_hat = v / (1 - beta2**t)
        np.sqrt(q, q)                # sqrt(v_hat)
        np.add(q, eps, q)            # sqrt(v_hat) + eps
        np.divide(p, q, p)           # d = -m_hat / (sqrt(v_hat) + eps)
        if decoupled:
            np.multiply(wd, x, w)    # weight_decay * x
            np.subtract(p, w, p)     # d = d - weight_decay*x
        np.multiply(lr, p, p)        # lr * d
        np.add(x, p, x)              # x + lr*d

    run_blocks(state, state_type, fields, x, g, lr,
               (beta1, beta2, c1, c2, bc1, bc2, eps, weight_decay), body, 3)
    return state._replace(t=t)
