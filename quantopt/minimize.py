r"""The driver: ``minimize(fun, x0, *, jac, method, ...)``, scipy-style, for every update rule.

One loop serves all methods. Each iteration asks the method's update rule for a direction d
(:mod:`quantopt.optim`), then moves

    x <- x + lr * d                          line_search=None (fixed step)
    x <- x + alpha * d                        line_search="armijo" (alpha from backtracking)

and, on the grid (qp given), the iterate is held as integer codes k (x = k/qp), so that every
iterate is exactly a grid point::

    k <- k + to_codes(lr * d, qp)             fixed step: x_{t+1} = x_t + (lr d)^Q
    k <- k + to_codes(alpha * d, qp)          quantized Armijo (quantopt.linesearch)

Methods are looked up in a registry (``METHODS``, a dict), not an if/elif chain.
"""
from __future__ import annotations

import inspect
import math
from typing import Any, Callable

import numpy as np

from . import linesearch as ls
from ._checks import check_int, check_nonnegative, check_positive
from .optim import RULES
from .rounding import _parse_qp, from_codes, stochastic_round, to_codes

__all__ = ["minimize", "OptimizeResult", "METHODS"]

#: method name -> update-rule factory (quantopt.optim)
METHODS: dict[str, Callable] = dict(RULES)

# Status codes, as in scipy: 0 is success.
SUCCESS, MAXITER, LINESEARCH_FAILED, STEP_ZERO, NONFINITE, CALLBACK = 0, 1, 2, 3, 4, 5
_MESSAGES = {
    SUCCESS: "Optimization terminated successfully: max|grad| <= gtol.",
    MAXITER: "Maximum number of iterations (maxiter) reached.",
    LINESEARCH_FAILED: "Line search failed: {detail}.",
    STEP_ZERO: "Step quantized to zero: every component of the step is below half a grid "
               "spacing (1/(2 qp)), and the method's next direction is the same, so the iterate "
               "cannot move again.",
    NONFINITE: "{detail}: stopped; x is the last finite iterate.",
    CALLBACK: "Stopped by the callback (StopIteration).",
}

# Options every method takes, with defaults. lr=None means: 1.0 with a line search or for
# newton/bfgs/lbfgs, else the method's entry in _DEFAULT_LR.
_COMMON = {
    "lr": None,
    "maxiter": 1000,
    "gtol": 1e-6,
    "c1": 1e-4,
    "c2": 0.9,
    "shrink": 0.5,
    "maxls": 30,
    "path": True,
    "record_state": False,
    "seed": None,
}
_GRID_ONLY = {"rounding": "nearest"}
_SGD_ONLY = {"batch_size": None, "n_samples": None}
_DEFAULT_LR = {"gd": 1e-2, "sgd": 1e-2, "momentum": 1e-2, "nesterov": 1e-2, "adagrad": 1e-2,
               "rmsprop": 1e-2, "adam": 1e-3, "newton": 1.0, "bfgs": 1.0, "lbfgs": 1.0}


class OptimizeResult(dict):
    """The result of :func:`minimize`: a dict whose keys are also attributes (as in scipy).

    Keys: x, fun, jac, nit, nfev, njev, nhev, success, status, message (scipy's names), path
    (one row per iterate, first row the start x0 or its grid point), fun_path (f at each row of
    path), and, when asked, states (the optimizer state at each row of path, one array per
    state field). Methods with safeguards add their counters (``n_skipped`` for BFGS and
    L-BFGS, ``n_modified`` for Newton).
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as err:
            raise AttributeError(name) from err

    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__

    def __repr__(self) -> str:
        keys = ["message", "success", "status", "fun", "x", "nit", "nfev", "njev"]
        keys += [k for k in self if k not in keys]
        width = max(map(len, keys))
        lines = []
        for k in keys:
            if k in self:
                v = self[k]
                if isinstance(v, np.ndarray) and (v.ndim == 2 or v.size > 8):
                    v = f"<array of shape {v.shape}>"
                elif isinstance(v, dict):
                    v = "{" + ", ".join(f"{f}: {np.shape(a)}" for f, a in v.items()) + "}"
                lines.append(f"{k:>{width}}: {v}")
        return "\n".join(lines)

    def __dir__(self):
        return list(self.keys())


class _Counted:
    """Wraps fun/jac/hess: counts every call and checks what comes back."""

    def __init__(self, fn: Callable, name: str, n: int, kind: str):
        self.fn, self.name, self.n, self.kind, self.calls = fn, name, n, kind, 0

    def __call__(self, x: np.ndarray, *batch) -> Any:
        self.calls += 1
        out = self.fn(x.copy(), *batch)  # the caller's x is never exposed to user code
        if self.kind == "fun":
            arr = np.asarray(out)
            if arr.shape != () or arr.dtype.kind not in "fiu":
                raise ValueError(f"{self.name} must return a real scalar, got "
                                 f"{type(out).__name__} of shape {arr.shape}")
            return float(arr)
        arr = np.array(out, dtype=np.float64)  # a fresh array: the result owns it
        shape = (self.n,) if self.kind == "jac" else (self.n, self.n)
        if arr.shape != shape:
            raise ValueError(f"{self.name} must return an array of shape {shape}, "
                             f"got shape {arr.shape}")
        return arr


def _max_abs(a: np.ndarray) -> float:
    """max|a_i| without the |a| temporary (two reading passes); nan if a holds a nan."""
    hi, lo = float(np.max(a)), float(np.min(a))
    return hi if hi >= -lo else -lo


def _all_finite(a: np.ndarray) -> bool:
    """Whether every entry is finite. A finite sum proves it (a nan or inf entry makes the sum
    nan or inf) without the boolean temporary; only an overflowing sum needs the full test."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(np.sum(a))
    return math.isfinite(total) or bool(np.all(np.isfinite(a)))


def _options(method: str, options: dict | None, qp, line_search) -> tuple[dict, dict]:
    """Split options into driver options and the update rule's hyperparameters."""
    factory = METHODS[method]
    hyper_names = [p for p in inspect.signature(factory).parameters]
    valid = dict(_COMMON)
    if qp is not None:
        valid.update(_GRID_ONLY)
    if method == "sgd":
        valid.update(_SGD_ONLY)
    options = {} if options is None else options
    if not isinstance(options, dict):
        raise TypeError(f"options must be a dict, got {type(options).__name__}")
    unknown = sorted(set(options) - set(valid) - set(hyper_names))
    if unknown:
        names = sorted(set(valid) | set(hyper_names))
        raise ValueError(f"unknown option(s) {unknown} for method={method!r}"
                         f"{'' if qp is not None else ' without qp'}; "
                         f"valid options: {', '.join(names)}")
    hyper = {k: v for k, v in options.items() if k in hyper_names}
    opts = {**valid, **{k: v for k, v in options.items() if k in valid}}
    if opts["lr"] is None:
        opts["lr"] = 1.0 if line_search is not None else _DEFAULT_LR[method]
    opts["lr"] = check_positive("lr", opts["lr"])
    opts["maxiter"] = check_int("maxiter", opts["maxiter"], 0)
    opts["gtol"] = check_nonnegative("gtol", opts["gtol"])
    ls._check_params(opts["c1"], opts["shrink"], opts["maxls"])
    if not opts["c1"] < opts["c2"] < 1:
        raise ValueError(f"c2 must be in (c1, 1) = ({opts['c1']}, 1), got {opts['c2']!r}")
    if qp is not None and opts["rounding"] not in ("nearest", "stochastic"):
        raise ValueError(f"rounding must be 'nearest' or 'stochastic', got {opts['rounding']!r}")
    if qp is not None and opts["rounding"] == "stochastic" and line_search is not None:
        raise ValueError("rounding='stochastic' is supported with the fixed step "
                         "(line_search=None) only; the quantized Armijo search rounds to nearest")
    return opts, hyper


def _sgd_batches(n_samples: int, batch_size: int, rng: np.random.Generator):
    """Mini-batches by reshuffling each epoch: yields (sorted index array, end_of_epoch)."""
    while True:
        perm = rng.permutation(n_samples)
        starts = range(0, n_samples, batch_size)
        for i, s in enumerate(starts):
            yield np.sort(perm[s:s + batch_size]), i == len(starts) - 1


def minimize(fun: Callable, x0, *, jac: Callable, method: str, hess: Callable | None = None,
             qp=None, line_search: str | None = None, options: dict | None = None,
             callback: Callable | None = None) -> OptimizeResult:
    r"""Minimize f from x0 with one of the lecture notes' methods.

    Equations::

        d_t     = step of the method's update rule at x_t (quantopt.optim)
        x_{t+1} = x_t + lr * d_t                          line_search=None
        x_{t+1} = x_t + alpha_t * d_t                     line_search="armijo" or "wolfe":
                                                          alpha_t from a search starting at lr
                                                          (with "wolfe": lbfgs at lr/||d_0||
                                                          for t = 0; bfgs at min(lr, 1.01/||d_0||)
                                                          for t = 0, later at
                                                          min(lr, 2.02 (f_t - f_{t-1})/g_t.d_t))
        x_{t+1} = x_t + (lr * d_t)^Q                      qp given: on the grid (1/qp)Z^n
        stop when max|grad f(x_t)| <= gtol, or after maxiter iterations

    Parameters
    ----------
    fun : callable
        f(x) -> float. For method="sgd", f(x, batch) -> mean loss over the samples ``batch``
        (an int array), and f(x) the loss over all samples.
    x0 : array_like, shape (n,)
        Start. Never modified. With qp, the run starts from its grid point x0^Q.
    jac : callable
        ∇f(x) -> array (n,); for "sgd" also jac(x, batch).
    method : str
        "gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "newton", "bfgs",
        "lbfgs" (the keys of ``METHODS``).
    hess : callable, optional
        ∇²f(x) -> array (n, n); required by "newton".
    qp : positive number, optional
        Keep every iterate exactly on the grid (1/qp)ℤⁿ (integer codes inside).
    line_search : None, "armijo" or "wolfe"
        None: fixed step ``lr``. "armijo": backtracking from ``lr`` (quantized Armijo with qp).
        "wolfe": strong Wolfe conditions from ``lr`` (Moré-Thuente, as scipy's L-BFGS-B and
        BFGS; see :func:`quantopt.linesearch.wolfe`; not with qp). Use
        "wolfe" for bfgs and lbfgs: Armijo steps need not satisfy yᵀs > 0, and the quasi-Newton
        update is skipped (and counted in n_skipped) whenever they do not. The first direction
        of bfgs and lbfgs is the unscaled -g. lbfgs starts its first Wolfe search at
        ``lr / ||d||_2`` (L-BFGS-B's choice) and later ones at ``lr``. bfgs starts every search
        at ``min(lr, 2.02 (f_t - f_{t-1}) / (g_t . d_t))`` (Nocedal & Wright (3.60), as
        scipy's BFGS: the step that would repeat the last decrease), with scipy's fictitious
        f_{-1} = f_0 + ||g_0||_2 / 2 for the first, which makes it ``min(lr, 1.01 / ||d||_2)``.
    options : dict, optional
        lr (default 1 with a line search or for newton/bfgs/lbfgs; else 1e-2, adam 1e-3),
        maxiter (1000), gtol (1e-6, on max|grad|), c1 (1e-4), c2 (0.9, Wolfe curvature
        constant), shrink (0.5, Armijo backtracking factor), maxls (30 trials),
        path (True; False keeps only x0 and the final x), record_state (False; True stores the
        optimizer state at every iterate in ``states``), seed (for SGD's shuffling and
        stochastic rounding); with qp: rounding ("nearest" or "stochastic", the latter for the
        fixed step only); for sgd: n_samples (required), batch_size (default n_samples); and the
        method's hyperparameters (momentum, beta1, beta2, eps, decay_rate, memory, ...). An
        unknown key raises ValueError listing the valid ones.
    callback : callable, optional
        callback(intermediate_result) after each iteration, with an OptimizeResult holding x,
        fun, jac, nit; raising StopIteration stops the run (scipy's convention).

    Returns
    -------
    OptimizeResult
        x, fun, jac, nit, nfev (every call of fun), njev (every call of jac), nhev, success,
        status, message, path, fun_path, and states when record_state is set. status: 0 gtol
        reached, 1 maxiter, 2 line search failed, 3 step quantized to zero, 4 nan/inf met (x is
        the last finite iterate), 5 callback raised StopIteration.

    SGD: each iteration uses one mini-batch; batches are drawn by reshuffling the sample
    indices every epoch (the last batch of an epoch may be smaller). gtol is tested on the full
    gradient at the end of each epoch (those calls count in njev).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; valid methods: {', '.join(METHODS)}")
    if line_search not in (None, "armijo", "wolfe"):
        raise ValueError(f"line_search must be None, 'armijo' or 'wolfe', got {line_search!r}")
    if line_search == "wolfe" and qp is not None:
        raise ValueError("line_search='wolfe' has no quantized form: with qp, use 'armijo' "
                         "(the quantized Armijo search) or None")
    for name, fn in (("fun", fun), ("jac", jac)):
        if not callable(fn):
            raise TypeError(f"{name} must be callable, got {type(fn).__name__}")
    if hess is not None and not callable(hess):
        raise TypeError(f"hess must be callable or None, got {type(hess).__name__}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    if qp is not None:
        _parse_qp(qp)
    opts, hyper = _options(method, options, qp, line_search)
    rule = METHODS[method](**hyper)
    if rule.needs_hess and hess is None:
        raise ValueError(f"method={method!r} needs hess, the Hessian function")

    x0 = np.asarray(x0)
    if x0.dtype.kind not in "fiu" or x0.ndim != 1 or x0.size == 0:
        raise ValueError(f"x0 must be a non-empty 1-D array of real numbers, got dtype "
                         f"{x0.dtype} and shape {x0.shape}")
    if not np.all(np.isfinite(x0)):
        raise ValueError("x0 must be finite (no nan or inf)")
    n = x0.size
    f = _Counted(fun, "fun", n, "fun")
    g_fn = _Counted(jac, "jac", n, "jac")
    h_fn = _Counted(hess, "hess", n, "hess") if hess is not None else None
    rng = np.random.default_rng(opts["seed"])

    batches = None
    if method == "sgd":
        if opts["n_samples"] is None:
            raise ValueError("method='sgd' needs option n_samples, the number of samples")
        n_samples = check_int("n_samples", opts["n_samples"], 1)
        batch_size = n_samples if opts["batch_size"] is None else \
            check_int("batch_size", opts["batch_size"], 1)
        if batch_size > n_samples:
            raise ValueError(f"batch_size must be in [1, n_samples={n_samples}], "
                             f"got {batch_size!r}")
        batches = _sgd_batches(int(n_samples), int(batch_size), rng)

    # The start: on the grid, its codes.
    codes = None
    x = x0.astype(np.float64)
    if qp is not None:
        codes = to_codes(x, qp)
        x = from_codes(codes, qp)
    fx = f(x)
    if not math.isfinite(fx):
        raise ValueError(f"fun returned {fx} at the start x0: it must be finite there")
    g = g_fn(x)
    if not np.all(np.isfinite(g)):
        raise ValueError("jac returned a non-finite gradient at the start x0")

    state = rule.init(x)
    keep_path = bool(opts["path"])
    path, fun_path = [x.copy()], [fx]
    states = [state] if opts["record_state"] else None
    lr = float(opts["lr"])
    ls_opts = {"alpha0": lr, "c1": opts["c1"], "shrink": opts["shrink"], "maxls": opts["maxls"]}
    status, detail, nit = None, "", 0
    f_before = None  # f at the previous iterate
    full_g, full_g_fresh = g, True  # the full gradient, and whether it is at the current x

    def quantized_step(step: np.ndarray) -> np.ndarray:
        if opts["rounding"] == "stochastic":
            return to_codes(stochastic_round(step, qp, rng=rng), qp)
        return to_codes(step, qp)

    while True:
        if full_g_fresh and _max_abs(full_g) <= opts["gtol"]:
            status = SUCCESS
            break
        if nit >= opts["maxiter"]:
            status = MAXITER
            break
        if batches is not None:
            batch, end_of_epoch = next(batches)
            f_obj = lambda z, b=batch: f(z, b)  # noqa: E731  (the mini-batch objective)
            g_step = g_fn(x, batch)
        else:
            f_obj, g_step, end_of_epoch = f, g, False
        h = h_fn(x) if rule.needs_hess else None
        d, new_state = rule.step(state, x, g_step, h)
        try:
            if line_search is None and qp is None:
                x_new, codes_new, f_new = x + lr * d, None, None
            elif line_search is None:
                step_codes = quantized_step(lr * d)
                if step_codes.any():
                    codes_new = ls.add_codes(codes, step_codes)
                    x_new, f_new = from_codes(codes_new, qp), None
                else:
                    x_new, codes_new, f_new = x, codes, fx
            elif line_search == "wolfe":
                f_start = f_obj(x) if batches else fx
                g_obj = g_fn if batches is None else (lambda z, b=batch: g_fn(z, b))
                alpha0 = lr
                if nit == 0 and method == "bfgs":
                    # N&W (3.60) with scipy's BFGS's fictitious last decrease ||g_0||/2: d = -g
                    alpha0 = min(lr, 1.01 / float(np.linalg.norm(d)))
                elif nit == 0 and method == "lbfgs":
                    alpha0 = lr / float(np.linalg.norm(d))  # d = -g: unit length, as L-BFGS-B
                elif method == "bfgs" and f_before is not None and batches is None:
                    # N&W (3.60), as scipy's BFGS: the step that repeats the last decrease
                    guess = 1.01 * 2 * (fx - f_before) / float(np.dot(g_step, d))
                    alpha0 = min(lr, guess) if guess > 0 else lr
                res = ls.wolfe(f_obj, g_obj, x, f_start, g_step, d, alpha0=alpha0, c1=opts["c1"],
                               c2=opts["c2"], maxls=opts["maxls"])
                if res.status != ls.ACCEPTED:
                    status, detail = LINESEARCH_FAILED, ls.MESSAGES[res.status]
                    break
                x_new, codes_new = res.x, None
                f_new = None if batches else res.fx
                g_wolfe = res.g
            else:
                f_start = f_obj(x) if batches else fx
                if qp is None:
                    res = ls.armijo(f_obj, x, f_start, g_step, d, **ls_opts)
                else:
                    res = ls.quantized_armijo(f_obj, codes, qp, f_start, g_step, d, **ls_opts)
                if res.status == ls.STEP_QUANTIZED_TO_ZERO:
                    x_new, codes_new, f_new = x, codes, fx
                elif res.status == ls.ACCEPTED:
                    x_new, codes_new = res.x, res.codes
                    f_new = None if batches else res.fx
                else:
                    status, detail = LINESEARCH_FAILED, ls.MESSAGES[res.status]
                    break
        except OverflowError as err:
            status, detail = NONFINITE, f"Overflow on the grid ({err})"
            break
        if x_new is x:  # the step rounded to zero on the grid: x stays, the state advances
            if batches is None and opts["rounding"] == "nearest" and \
                    np.array_equal(rule.step(new_state, x, g_step, h)[0], d):
                status = STEP_ZERO  # the next direction is this one again: stuck for good
                break
        if not _all_finite(x_new):
            status, detail = NONFINITE, "The iterate became nan or inf"
            break
        f_new = f(x_new) if f_new is None else f_new
        if not math.isfinite(f_new):
            status, detail = NONFINITE, f"fun returned {f_new}"
            break
        if batches is not None:
            g_new = None
        elif line_search == "wolfe":
            g_new = g_wolfe  # computed by the search at x_new
        else:
            g_new = g if x_new is x else g_fn(x_new)
        if g_new is not None and not _all_finite(g_new):
            status, detail = NONFINITE, "jac returned nan or inf"
            break
        f_before = fx
        x, fx, state = x_new, f_new, new_state
        if qp is not None:
            codes = codes_new
        if batches is None:
            g = full_g = g_new
        elif end_of_epoch:
            g = full_g = g_fn(x)
            full_g_fresh = True
        else:
            full_g_fresh = False
        nit += 1
        if keep_path:
            path.append(x.copy())
            fun_path.append(fx)
        if states is not None:
            states.append(state)
        if callback is not None:
            try:
                callback(OptimizeResult(x=x.copy(), fun=fx, jac=None if batches else g.copy(),
                                        nit=nit))
            except StopIteration:
                status = CALLBACK
                break

    if not full_g_fresh:
        g = g_fn(x)  # SGD: the full gradient at the final x, for the result
    if not keep_path and nit > 0:
        path.append(x.copy())
        fun_path.append(fx)
    message = _MESSAGES[status].format(detail=detail)
    result = OptimizeResult(
        x=x.copy(), fun=fx, jac=g.copy(), nit=nit, nfev=f.calls, njev=g_fn.calls,
        nhev=h_fn.calls if h_fn is not None else 0, success=status == SUCCESS, status=status,
        message=message, path=np.array(path), fun_path=np.array(fun_path))
    for name in rule.counters:
        result[name] = int(getattr(state, name))
    if states is not None:
        result["states"] = _stack_states(states)
    return result


def _stack_states(states: list) -> dict[str, np.ndarray]:
    """The recorded states as one array per field (fields that are arrays or numbers)."""
    out = {}
    for field in states[0]._fields:
        values = [getattr(s, field) for s in states]
        if all(isinstance(v, (np.ndarray, int, float, np.number)) for v in values):
            shapes = {np.shape(v) for v in values}
            if len(shapes) == 1:
                out[field] = np.array(values)
    return out
