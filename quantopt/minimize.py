r"""The driver: ``minimize(fun, x0, *, jac, method, ...)``, scipy-style, for every update rule.

One short loop serves all methods. Each iteration asks the method's update rule for a direction
d (:mod:`quantopt.optim`), then a step policy chosen once before the loop moves the iterate
(:mod:`quantopt.steps`)::

    x <- x + lr d                  line_search=None: a fixed step
    x <- x + alpha d               "armijo" or "wolfe": alpha from a line search
    k <- k + (lr d)^Q qp           qp given: every iterate is the grid point k/qp
    k <- k + (alpha d)^Q qp        qp and "armijo": the quantized Armijo search, then the poll

Read it beside scipy's ``_minimize_bfgs`` and optax's update loop: the rule is the update
(init/step with explicit state), the policy is the line search, and the loop only tests for
convergence, restarts a rule whose direction is not a descent direction, and records the path.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable

import numpy as np

from . import linesearch as ls
from . import steps
from ._checks import (check_callable, check_choice, check_int, check_nonnegative,
                      check_positive, check_real, check_real_array, check_seed)
from ._objective import MiniBatchObjective, Objective
from .grid import Grid
from .schedules import Schedule, as_schedule
from .optim import RULES, lookup
from .steps import Iterate, NonFinite, Status

__all__ = ["minimize", "OptimizeResult", "METHODS", "Status", "MESSAGES"]

#: method name -> update-rule factory: the one registry, quantopt.optim.RULES
METHODS: dict[str, Callable] = RULES

MESSAGES = {
    Status.SUCCESS: "Optimization terminated successfully: max|grad| <= gtol.",
    Status.MAXITER: "Maximum number of iterations (maxiter) reached.",
    Status.LINESEARCH_FAILED: "Line search failed: {detail}.",
    Status.STEP_ZERO: "The iterate cannot move again on the grid: {detail}.",
    Status.NONFINITE: "{detail}: stopped; x is the last finite iterate.",
    Status.CALLBACK: "Stopped by the callback (StopIteration).",
    Status.GRID_LOCAL_MIN: "Grid-local minimum: no {detail} has a lower f than x (each one "
                           "was evaluated).",
}

# Options every method takes, with their defaults. None: the rule's own default
# (UpdateRule.defaults), else the value in _FALLBACK. lr's fallback is 1.0 with a line search.
_COMMON = {"lr": None, "maxiter": 1000, "gtol": 1e-6, "c1": 1e-4, "c2": None, "shrink": 0.5,
           "maxls": None, "xtol": None, "stpmax": None, "path": "auto", "record_state": False,
           "seed": None}
_FALLBACK = {"lr": 1e-2, "maxls": 30, "xtol": 0.1, "stpmax": 1e10,  # L-BFGS-B's xtol, stpmax
             "c2": 0.9}
_GRID_ONLY = {"rounding": "nearest", "poll": "coordinates"}
_MINIBATCH_ONLY = {"batch_size": None, "n_samples": None}


class OptimizeResult(dict):
    """The result of :func:`minimize`: a dict whose keys are also attributes (as in scipy).

    Keys: x, fun, jac, nit, nfev, njev, nhev, success, status, message (scipy's names), path
    (one row per iterate, first row the start x0 or its grid point; only the first and the last
    when path_complete is False), fun_path (f at each row of path), n_restarts (gradient
    restarts), and, when asked, states (the optimizer state at each row, one array per state
    field) with states_complete. Methods with safeguards add their counters
    (``n_skipped`` for BFGS and L-BFGS, ``n_modified`` for Newton).
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


def minimize(fun: Callable, x0, *, jac: Callable, method: str, hess: Callable | None = None,
             qp=None, line_search: str | None = "auto", options: dict | None = None,
             callback: Callable | None = None) -> OptimizeResult:
    r"""Minimize f from x0 with one of the lecture notes' methods.

    Equations::

        d_t, state_{t+1} = rule.step(state_t, x_t, grad f(x_t))      quantopt.optim
            if a line search is used and grad f(x_t).d_t >= 0, or the   gradient restart
            search fails along d_t:
                d_t, state_{t+1} = rule.step(rule.init(x_t), x_t, grad f(x_t))
        x_{t+1} = x_t + lr * d_t                          line_search=None
        x_{t+1} = x_t + alpha_t * d_t                     "armijo" or "wolfe": alpha_t from a
                                                          search starting at the rule's first
                                                          trial step (lr; bfgs: Nocedal &
                                                          Wright (3.60); lbfgs: lr/||d|| while
                                                          it has no pair)
        x_{t+1} = x_t + (lr * d_t)^Q                      qp given: on the grid (1/qp)Z^n
        x_{t+1} = x_t + (alpha_t * d_t)^Q                 qp and "armijo": quantized Armijo;
                  or a neighbour x_t + e/qp with lower f  when no step along d_t is accepted
        stop when max|grad f(x_t)| <= gtol, after maxiter iterations, or at a certified
        grid-local minimum (status 6)

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
        "gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "newton",
        "bfgs", "lbfgs", "cg", "langevin" (the keys of ``METHODS``; case is ignored, and "L-BFGS-B"
        means "lbfgs").
    hess : callable, optional
        ∇²f(x) -> array (n, n); required by "newton".
    qp : positive number, schedule or callable, optional
        Keep every iterate exactly on the grid (1/qp)ℤⁿ (integer codes inside,
        :class:`quantopt.grid.Grid`). A resolution schedule (:mod:`quantopt.schedules`:
        ``on_zero_step``, ``annealing``) or a callable t -> qp(t) refines the grid during the
        run (each qp an integer multiple of the one before; the codes are re-expressed
        exactly, so the iterate does not move); the result's ``qp_path`` has the resolution
        of each row of ``path``.
    line_search : "auto" (default), None, "armijo" or "wolfe"
        "auto" is the method's own default, as scipy users expect: "wolfe" for bfgs and lbfgs
        (the Moré–Thuente search of scipy's BFGS and L-BFGS-B), "armijo" for newton (damped
        Newton), None (the fixed step ``lr``) for the first-order methods; with qp, the
        quantized Armijo search for bfgs, lbfgs and newton. None: fixed step ``lr``.
        "armijo": backtracking from the first trial step (quantized Armijo with qp, followed by
        the neighbour poll). "wolfe": strong Wolfe conditions by Moré–Thuente's search (not
        with qp); when it gives up on xtol or rounding after f has decreased, its best point
        is taken (as L-BFGS-B does), and when it fails otherwise, Nocedal & Wright's zoom
        search is tried (as scipy's BFGS falls back to ``line_search_wolfe2``); see
        :class:`quantopt.steps.Wolfe`.
    options : dict, optional
        lr (the fixed step, or the line search's first trial step: default 1 with a line
        search; else 1e-2, adam 1e-3), maxiter (1000), gtol (1e-6, on max|grad|), c1 (1e-4),
        c2 (Wolfe curvature constant: 0.9, or the method's own), shrink (0.5, Armijo
        backtracking factor), maxls
        (trials per search: 30; bfgs 100), xtol and stpmax (the Wolfe search's relative
        bracket tolerance and largest step: 1e-14 and 1e100 for bfgs, as scipy's BFGS; 0.1
        and 1e10 otherwise, as L-BFGS-B), path ("auto": every iterate while n (maxiter + 1)
        <= RECORD_BUDGET = 10**7 numbers, else only x0 and the final x; True: every iterate;
        False: only x0 and the final x), record_state (False; True stores the optimizer state
        at every iterate in ``states``; "auto" within RECORD_BUDGET, as path), seed (for
        SGD's shuffling and stochastic rounding); with qp: rounding ("nearest" or
        "stochastic", the latter for the fixed step only) and poll ("coordinates": the 2n
        neighbours x ± e_i/qp, default; "full": all 3^n − 1 neighbours, n <= 10; None: no
        poll, status 3 where the iterate cannot move); for sgd: n_samples (required),
        batch_size (default n_samples); and the method's hyperparameters, the keywords of its
        factory in :mod:`quantopt.optim` (momentum, beta1, beta2, eps, decay_rate, memory, and
        torch.optim's options: weight_decay, dampening, amsgrad, centered, lr_decay,
        initial_accumulator_value, ...). An unknown key raises ValueError listing the
        valid ones.
    callback : callable, optional
        callback(intermediate_result) after each iteration, with an OptimizeResult holding x,
        fun, jac, nit; raising StopIteration stops the run (scipy's convention).

    Returns
    -------
    OptimizeResult
        x, fun, jac, nit, nfev (every call of fun), njev (every call of jac), nhev, success,
        status, message, path, fun_path, path_complete (whether path has every iterate or
        only the first and the last), n_restarts, qp_path (with qp: the resolution of each
        row), and states and states_complete when record_state is set.
        status (:class:`Status`): 0 gtol reached, 1 maxiter, 2 line search failed, 3 the grid
        iterate cannot move and poll=None, 4 nan/inf met (x is the last finite iterate), 5
        callback raised StopIteration, 6 grid-local minimum: no polled neighbour (x ± e_i/qp,
        or the whole box with poll="full") has a lower f, checked by evaluating every one.

    Raises
    ------
    TypeError
        An argument or option of the wrong type, each error naming it (``x0``, ``method``,
        ``line_search``, ``options['c1']``, ...): x0 must be real numbers (bool, complex,
        strings, objects and ragged lists are refused; parsed by
        ``_checks.check_real_array``); options['seed'] None, an int >= 0, a SeedSequence or a
        Generator. What fun, jac or hess return must be real (int or float; a complex, bool,
        string or None result is refused naming the callable, never cast); a callable that
        cannot be called as the driver calls it (``fun(x, batch)`` for sgd) is named, the
        original TypeError chained. A TypeError raised inside the user's own code passes
        through unchanged.
    ValueError
        A value out of range (naming it), nan or inf in x0, a wrong shape returned by jac or
        hess, f or grad f not finite at the start.
    OverflowError
        x0 with integers beyond 2**53, or too large for the grid of qp (the codes qp*x0).

    A run that meets nan or inf later (a step lr*d that overflows, a nan direction, hess or a
    mini-batch gradient returning nan or inf, grid codes leaving their exact range, an update
    rule's numbers beyond float64's range) is not an error: it ends with status 4, x, fun and
    jac those of the last finite iterate, and the message naming what became non-finite.

    Restarts: with a line search, a direction that is not a descent direction (momentum,
    Nesterov and Adam can point uphill after a long step) resets the rule's state and takes the
    rule's first direction from there, -grad f for gd, momentum, bfgs and lbfgs, a positive
    multiple or diagonal scaling of it for nesterov and the adaptive rules (gradient restart,
    O'Donoghue & Candès, "Adaptive restart for accelerated gradient schemes", Found. Comput.
    Math. 15, 2015). A float search that finds no acceptable step along the rule's own
    direction is retried once the same way, as L-BFGS-B discards its pairs and restarts along
    -grad f after a failed search (Byrd, Lu, Nocedal & Zhu, SIAM J. Sci. Comput. 16(5), 1995);
    only a failure after the restart ends the run (status 2). ``n_restarts`` counts both.

    Speed and memory: a fixed float step of an elementwise rule (gd, sgd, momentum, nesterov,
    adagrad, rmsprop, adam, adamw; every option) runs the rule's fused ``step_inplace`` (bit for
    bit the same iterates, without the pure step's temporaries) unless every state is recorded
    or n < 4096; with path="auto" a large run keeps O(n) memory, not O(n × maxiter).

    SGD: each iteration uses one mini-batch; batches are drawn by reshuffling the sample
    indices every epoch (the last batch of an epoch may be smaller). gtol is tested on the full
    gradient at the end of each epoch (those calls count in njev).
    """
    rule, policy, objective, pt, state, trace, resolution, opts = _setup(
        fun, x0, jac, method, hess, qp, line_search, options, callback)
    status, detail, nit = None, "", 0
    while True:
        if pt.gmax is not None and pt.gmax <= opts["gtol"]:  # max|grad f(x)|
            status = Status.SUCCESS
            break
        if nit >= opts["maxiter"]:
            status = Status.MAXITER
            break
        if resolution is not None:  # a schedule's floor for this iteration: a finer grid
            pt = resolution.before(nit, pt)
        try:
            fun_t, g = objective.for_step(pt)  # f, or f on this iteration's mini-batch
            h = objective.hessian(pt.x) if rule.needs_hess else None
            move, new_state = policy(rule, state, fun_t, pt, g, h)  # the rule's step, x moved
            if resolution is not None:  # a zero step refines the grid instead of ending
                move, pt = resolution.after(move, pt)
            if move.stop is None:
                pt = objective.settle(move.point, pt)  # f and grad f at the new x, checked
        except OverflowError as err:  # grid codes beyond their exact range, or an update rule's
            status, detail = Status.NONFINITE, f"Overflow: {err}"  # numbers beyond float64's
            break
        except NonFinite as err:
            status, detail = Status.NONFINITE, str(err)
            break
        if move.stop is not None:
            status, detail = move.stop, move.detail
            break
        state, nit = new_state, nit + 1
        trace.add(pt, state, resolution.grid if resolution is not None else None)
        if callback is not None:
            try:
                callback(OptimizeResult(x=pt.x.copy(), fun=pt.f, nit=nit,
                                        jac=None if pt.g is None else pt.g.copy()))
            except StopIteration:
                status = Status.CALLBACK
                break
    g = objective.g(pt.x) if pt.g is None else pt.g  # SGD mid-epoch: the full gradient
    nfev, njev, nhev = objective.counts
    result = OptimizeResult(
        x=pt.x.copy(), fun=pt.f, jac=g.copy(), nit=nit, nfev=nfev, njev=njev, nhev=nhev,
        success=status == Status.SUCCESS, status=status,
        message=MESSAGES[status].format(detail=detail),
        n_restarts=getattr(policy, "n_restarts", 0), **trace.arrays(pt, state))
    for name in rule.counters:
        result[name] = int(getattr(state, name))
    return result


def _setup(fun, x0, jac, method, hess, qp, line_search, options, callback):
    """Check every argument once; return the rule, the step policy, the objective, the first
    iterate (f and ∇f evaluated), the rule's first state, the record and the options."""
    key = lookup(method)
    if line_search is not None:
        check_choice("line_search", line_search, ("auto", None, "armijo", "wolfe"))
    check_callable("fun", fun)
    check_callable("jac", jac)
    for name, fn in (("hess", hess), ("callback", callback)):
        if fn is not None:
            check_callable(name, fn)
    # x0 first: a start that cannot be a float64 array is refused before anything is built
    x = check_real_array("x0", x0, ndim=1, min_size=1)  # a new float64 array; x0 untouched
    schedule = as_schedule(qp)
    grid = schedule.grid0 if schedule is not None else None if qp is None else Grid(qp)
    rule, opts = _options(key, options, grid)
    if line_search == "auto":
        line_search = rule.defaults.get("line_search")
        if grid is not None and line_search == "wolfe":
            line_search = "armijo"  # the quantized Armijo search: Wolfe has no grid form
    if rule.noisy and line_search is not None:
        raise ValueError(f"method={key!r} takes a random direction by design: it runs with the "
                         f"fixed step lr (line_search=None), not line_search={line_search!r}")
    if line_search == "wolfe" and grid is not None:
        raise ValueError("line_search='wolfe' has no quantized form: with qp, use 'armijo' "
                         "(the quantized Armijo search) or None")
    opts = _resolve(opts, rule, line_search, grid)
    if rule.needs_hess and hess is None:
        raise ValueError(f"method={key!r} needs hess, the Hessian function")

    if grid is not None:
        if opts["poll"] is not None:
            check_choice("options['poll']", opts["poll"], ls.POLLS)
        opts["poll"] = ls.check_poll(opts["poll"], x.size)
    rng = np.random.default_rng(opts["seed"])
    if rule.minibatch:
        objective = MiniBatchObjective(fun, jac, hess, x.size, opts["n_samples"],
                                       opts["batch_size"], rng)
    else:
        objective = Objective(fun, jac, hess, x.size)
    codes = None
    if grid is not None:
        try:
            codes = grid.codes(x)
        except OverflowError as err:
            raise OverflowError(f"x0 is too large for the grid of qp={grid.qp}: the integer "
                                f"codes [qp*x0 + 1/2] must be at most {grid.CODE_BOUND} in "
                                "magnitude") from err
        x = grid.values(codes)
    pt = objective.start(x, codes)
    state = rule.init(pt.x)
    trace = _Trace(pt, state, opts, grid)
    policy = steps.choose(rule, line_search, grid, opts, rng, x.size,
                          in_place=not trace.keep_states)
    resolution = _Resolution(schedule, grid, policy, opts) if schedule is not None else None
    return rule, policy, objective, pt, state, trace, resolution, opts


def _options(key: str, options: dict | None, grid: Grid | None):
    """The update rule, made with the hyperparameters among the options, and the driver
    options with their defaults, checked (each error names the option)."""
    factory = METHODS[key]
    options = {} if options is None else options
    if not isinstance(options, dict):
        raise TypeError(f"options must be a dict, got {type(options).__name__}")
    hyper_names = list(inspect.signature(factory).parameters)
    rule = factory(**{k: v for k, v in options.items() if k in hyper_names})
    valid = {**_COMMON, **(_GRID_ONLY if grid is not None else {}),
             **(_MINIBATCH_ONLY if rule.minibatch else {})}
    unknown = sorted(set(options) - set(valid) - set(hyper_names), key=str)
    if unknown:
        names = sorted(set(valid) | set(hyper_names))
        raise ValueError(f"unknown option(s) {unknown} for method={key!r}"
                         f"{'' if grid is not None else ' without qp'}; "
                         f"valid options: {', '.join(names)}")
    opts = {**valid, **{k: v for k, v in options.items() if k in valid}}
    opts["maxiter"] = check_int("options['maxiter']", opts["maxiter"], 0)
    opts["gtol"] = check_nonnegative("options['gtol']", opts["gtol"])
    opts["c1"] = _check_open_unit("c1", opts["c1"])
    opts["shrink"] = _check_open_unit("shrink", opts["shrink"])
    for name in ("path", "record_state"):
        if isinstance(opts[name], (bool, np.bool_)):
            opts[name] = bool(opts[name])
        elif not (isinstance(opts[name], str) and opts[name] == "auto"):
            raise (ValueError if isinstance(opts[name], str) else TypeError)(
                f"options[{name!r}] must be True, False or 'auto', got {opts[name]!r}")
    opts["seed"] = check_seed("options['seed']", opts["seed"])
    if grid is not None:
        check_choice("options['rounding']", opts["rounding"], ("nearest", "stochastic"))
    if rule.minibatch:
        if opts["n_samples"] is None:
            raise ValueError(f"method={key!r} needs options['n_samples'], the number of samples")
        opts["n_samples"] = check_int("options['n_samples']", opts["n_samples"], 1)
        size = opts["n_samples"] if opts["batch_size"] is None else opts["batch_size"]
        opts["batch_size"] = check_int("options['batch_size']", size, 1)
        if opts["batch_size"] > opts["n_samples"]:
            raise ValueError(f"options['batch_size'] must be in [1, n_samples="
                             f"{opts['n_samples']}], got {opts['batch_size']!r}")
    return rule, opts


def _check_open_unit(name: str, value) -> float:
    """options[name], a number in (0, 1) (c1, shrink), as a float."""
    value = check_real(f"options[{name!r}]", value)
    if not 0 < value < 1:
        raise ValueError(f"options[{name!r}] must be in (0, 1), got {value!r}")
    return value


def _resolve(opts: dict, rule, line_search: str | None, grid: Grid | None) -> dict:
    """The defaults that depend on the method and the line search (lr, c2, maxls, xtol,
    stpmax), checked."""
    if opts["lr"] is None and line_search is not None:
        opts["lr"] = 1.0
    c2_given = opts["c2"] is not None
    for name, fallback in _FALLBACK.items():
        if opts[name] is None:
            opts[name] = rule.defaults.get(name, fallback)
    opts["lr"] = check_positive("options['lr']", opts["lr"])
    opts["c2"] = check_positive("options['c2']", opts["c2"])
    # c1 < c2 < 1 binds the Wolfe search; a method's default c2 (cg: 0.4) is not held against
    # an Armijo search's c1 (the testbench's Armijo uses c1 = 0.55), a c2 the user gives is
    if (line_search == "wolfe" or c2_given) and not opts["c1"] < opts["c2"] < 1:
        raise ValueError(f"options['c2'] must be in (c1, 1) = ({opts['c1']}, 1), got "
                         f"{opts['c2']!r}")
    opts["maxls"] = check_int("options['maxls']", opts["maxls"], 1)
    opts["xtol"] = check_nonnegative("options['xtol']", opts["xtol"])
    opts["stpmax"] = check_positive("options['stpmax']", opts["stpmax"])
    if grid is not None and opts["rounding"] == "stochastic" and line_search is not None:
        raise ValueError("rounding='stochastic' is supported with the fixed step "
                         "(line_search=None) only; the quantized Armijo search rounds to nearest")
    return opts


class _Resolution:
    """A run's grid under a resolution schedule (quantopt.schedules): it refines the grid when
    the schedule says so and re-expresses the iterate's codes exactly (k -> m k: the same point
    on the grid of qp m), and keeps the policy on the current grid. While the schedule can
    still refine, a zero step refines instead of polling the neighbours (the poll is switched
    off); at qp_max the run's poll option applies again."""

    def __init__(self, schedule: Schedule, grid: Grid, policy, opts: dict):
        self.schedule, self.grid, self.policy, self.poll = schedule, grid, policy, opts["poll"]
        self._use(grid)

    def _use(self, grid: Grid) -> None:
        self.grid = self.policy.grid = grid
        self.policy.poll = None if self.schedule.can_refine(grid) else self.poll

    def _refine(self, pt: Iterate, m: int) -> Iterate:
        codes = self.grid.refine_codes(pt.codes, m)
        self._use(self.grid.refine(m))
        return pt._replace(codes=codes)

    def before(self, t: int, pt: Iterate) -> Iterate:
        """The iterate on the grid that iteration t must use (the schedule's floor)."""
        m = self.schedule.due(t, self.grid)
        return self._refine(pt, m) if m > 1 else pt

    def after(self, move: steps.Move, pt: Iterate) -> tuple[steps.Move, Iterate]:
        """After a zero step (x stayed, or the policy would stop at a grid-local minimum or
        a stuck step): refine, and let the run go on from the same point."""
        zero = move.point is pt or move.stop in (Status.GRID_LOCAL_MIN, Status.STEP_ZERO)
        m = self.schedule.after_zero(self.grid) if zero else 1
        if m == 1:
            return move, pt
        pt = self._refine(pt, m)
        return steps.Move(pt), pt


#: What "auto" recording may keep: every iterate while the numbers to store, n (maxiter + 1)
#: for the path, or the state's entries times (maxiter + 1) for record_state, are at most
#: this many float64s (10**7: 80 MB); beyond, only the first and the last iterate are kept.
RECORD_BUDGET = 10**7


def _records_all(setting, numbers_per_row: int, rows: int) -> bool:
    """Whether to keep every row: path or record_state True, False or "auto"."""
    return setting is True or (setting == "auto" and numbers_per_row * rows <= RECORD_BUDGET)


class _Trace:
    """The run's record: path, fun_path and (record_state) states, one row per iterate.

    path / record_state: True keeps every row; False (path) or "auto" over RECORD_BUDGET keeps
    only the first and the last iterate (memory O(n) instead of O(n × iterations)), and the
    result says so (``path_complete``, ``states_complete``). The rule's state arrays may be
    overwritten in place by a fused step when not every state is kept, so the first state is
    copied here.
    """

    def __init__(self, pt: Iterate, state: Any, opts: dict, grid: Grid | None):
        rows = opts["maxiter"] + 1
        self.keep_path = _records_all(opts["path"], pt.x.size, rows)
        self.path, self.fun_path = [pt.x.copy()], [pt.f]
        self.qp_path = None if grid is None else [grid.qp_float]
        self.states = self.keep_states = None
        if opts["record_state"] is not False:
            entries = sum(np.size(v) for v in state)
            self.keep_states = _records_all(opts["record_state"], entries, rows)
            self.states = [_copy_state(state)]
        self.moves = 0

    def add(self, pt: Iterate, state: Any, grid: Grid | None = None) -> None:
        """Record iterate pt, the rule's state, and (on a schedule) the grid it lies on."""
        self.moves += 1
        if grid is not None:
            self.last_qp = grid.qp_float
        if self.keep_path:
            self.path.append(pt.x.copy())
            self.fun_path.append(pt.f)
            if self.qp_path is not None:
                self.qp_path.append(self.qp_path[-1] if grid is None else grid.qp_float)
        if self.keep_states:
            self.states.append(state)

    def arrays(self, last: Iterate, state: Any) -> dict:
        path, fun_path, qp_path = self.path, self.fun_path, self.qp_path
        if not self.keep_path and self.moves:
            path, fun_path = [path[0], last.x.copy()], [fun_path[0], last.f]
            if qp_path is not None:
                qp_path = [qp_path[0], getattr(self, "last_qp", qp_path[0])]
        out = {"path": np.array(path), "fun_path": np.array(fun_path),
               "path_complete": self.keep_path}
        if qp_path is not None:
            out["qp_path"] = np.array(qp_path)
        if self.states is not None:
            states = self.states
            if not self.keep_states and self.moves:
                states = [states[0], state]
            out["states"] = _stack_states(states)
            out["states_complete"] = self.keep_states
        return out


def _copy_state(state: Any) -> Any:
    """The state with copies of its arrays (NamedTuple fields that are ndarrays)."""
    return state._replace(**{k: v.copy() for k, v in state._asdict().items()
                             if isinstance(v, np.ndarray)})


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
