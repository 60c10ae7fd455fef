"""The driver quantopt.minimize itself (issue 12): memory, cost outside f and grad, grid vs float,
small n. Ratios measured in the same run, interleaved repeats, medians with their range.

Written against the public API only (quantopt.minimize, quantopt.optim, quantopt.problems), so
that it measures the driver as it is whenever it is run. Options that the driver may not accept
(``path``, ``poll``) are probed once with a two-variable run and left out, with a note, where
they are rejected. "defaults" means no ``path`` key at all, so a changed default (e.g. a future
``path="auto"``) is what gets measured; every run's result says how many path rows it kept.

Every timing is repeated ``--repeat`` times, the cases of one section interleaved inside each
repeat (case A, case B, ..., then again), because the two cores are shared with other jobs.
Ratios are paired: each case divided by its reference timed next to it in the same repeat (a
copy right before, or the other solver, the two taking turns at going first; in section 1 the
runs that record a path alternate with those that do not, see there). Printed: the median over
repeats and the range (min-max).
One BLAS thread by default, for both quantopt and scipy (``--blas-threads``; see
bench_quasi_newton.py for why two threads per process oversubscribe this shared machine).

Objective for the first-order rules: the separable quadratic ``quad(n)``,
f(x) = 1/2 sum_i a_i (x_i - c_i)^2, a = linspace(0.01, 1, n), c ~ N(0, 1) (seed 0), x0 = c + 1,
written as a student would::

    def f(x):
        d = x - c
        return 0.5 * float(np.dot(a * d, d))

    def grad(x):
        return a * (x - c)

No rule reaches max|grad| <= 1e-6 from x0 within the iteration counts used here (gd lr 1e-2,
momentum lr 1e-2 and 0.9, adam lr 1e-3), so every such run makes exactly maxiter iterations
(checked: a run that stops early is flagged). L-BFGS runs on problems.extended_rosenbrock(n)
and problems.rosenbrock(2).

1. Memory. Adam, n = 10**6, maxiter 200 and 1000: peak traced memory (tracemalloc: numpy
   reports its buffers to it; the problem's arrays made before the call are not counted) and
   wall time of the same traced run (tracemalloc's overhead was within the noise: a few
   Python allocations per iteration against 8 MB arrays), for default options, path=True and
   path=False. A recorded path costs about two arrays of n per iteration (the list of rows,
   then np.array of it), so the runs whose peak, extrapolated linearly in maxiter from two
   short probe runs (maxiter 25 and 50), would exceed --mem-budget-gb (default 4 GB, and at
   most 40% of MemAvailable) are not run: their predicted peak is printed instead. The runs
   with a big peak alternate with the small ones, so that each big one follows a small one:
   on this VM, touching memory that a run has just freed is about twice as fast as touching
   memory not used lately, which made a run right after another big one look twice as fast.
   Target: peak < 1 GB with default options at maxiter 1000.

2. Cost per iteration outside f and grad, in copy-times, gd / momentum / adam with the fixed
   step, n = 10**6 (8 MB arrays: inside this machine's 32 MiB L3) and 4*10**6 (outside it):
   ((time of minimize) - (time inside f and grad, measured by wrapping them)) / nit, divided by
   the time of np.copyto of one n-array timed right before (median of five copies). nit = 50
   at 10**6 and 25 at 4*10**6; the fixed set-up (x0's float64 copy, rule.init, the result's
   copies) is included, spread over nit. Beside it, in the same units: the rule's fused
   rule.step_inplace(state, x, g, lr) alone, and the pure step with the driver's update
   ``d, state = rule.step(state, x, g); x = x + lr*d`` alone (means over 10 calls). With
   path=False (the driver's loop) and with default options (whatever the default records).

3. Grid vs float. Time per iteration of minimize (f and grad included) with qp = 2**20 against
   the same call without qp, paired in each repeat, at n = 10**6 (30 iterations, path=False,
   and poll=None on the grid: a poll at n = 10**6 could evaluate f up to 2n times) and at n = 2
   (path=False; gd and adam 1000 iterations, L-BFGS to convergence on Rosenbrock). gd and adam
   with the fixed step (quad(n)); L-BFGS on extended Rosenbrock (capped at 30 iterations at
   10**6) with line_search="armijo" for both (on the grid, the quantized Armijo search), and
   default vs default (float: its default search, Wolfe; grid: the quantized Armijo search).
   nfev per iteration is printed: the searches of the two runs may evaluate f differently.
   Target: grid/float <= 1.3 at n = 10**6.

4. Small n. At n = 2, the driver (default options but lr, maxiter 1000) against the hand-written
   NumPy loop of the same update, which evaluates f and grad every iteration, tests
   max|grad| <= gtol and updates with numpy arrays; its exact code (the functions hand_gd,
   hand_momentum and hand_adam below)::

    def hand_gd(f, grad, x0, lr, gtol, maxiter):
        x = x0.copy()
        fx, g = f(x), grad(x)
        nit = 0
        while not np.max(np.abs(g)) <= gtol and nit < maxiter:
            x = x - lr * g
            fx, g = f(x), grad(x)
            nit += 1
        return x, fx, nit

    def hand_momentum(f, grad, x0, lr, gtol, maxiter, momentum=0.9):
        x = x0.copy()
        v = np.zeros_like(x)
        fx, g = f(x), grad(x)
        nit = 0
        while not np.max(np.abs(g)) <= gtol and nit < maxiter:
            v = momentum * v + g
            x = x - lr * v
            fx, g = f(x), grad(x)
            nit += 1
        return x, fx, nit

    def hand_adam(f, grad, x0, lr, gtol, maxiter, beta1=0.9, beta2=0.999, eps=1e-7):
        x = x0.copy()
        m, v = np.zeros_like(x), np.zeros_like(x)
        fx, g = f(x), grad(x)
        nit = 0
        while not np.max(np.abs(g)) <= gtol and nit < maxiter:
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * (g * g)
            m_hat = m / (1 - beta1 ** (nit + 1))
            v_hat = v / (1 - beta2 ** (nit + 1))
            x = x - lr * (m_hat / (np.sqrt(v_hat) + eps))
            fx, g = f(x), grad(x)
            nit += 1
        return x, fx, nit

   The final x of the driver and of the hand loop must be equal bit for bit (checked: same
   update, same numbers). Target: driver/hand <= 1.3 per iteration. L-BFGS (default options,
   i.e. its Wolfe search) against scipy's L-BFGS-B on the 2-D Rosenbrock, both to
   max|grad| <= 1e-6 (L-BFGS-B with ftol = 0), time per iteration, nit and nfev. Target: <= 1.5.
   And total seconds at n = 10**6 on the extended Rosenbrock, same stopping test (ours with
   default options, and path=False for contrast). Target: ours takes fewer seconds (ratio < 1).

Run: ``make bench`` (all scripts) or ``.venv/bin/python bench/bench_driver.py [--repeat R]
[--sections 1,2,3,4] [--quick]``. --quick shrinks the sizes for a smoke test (its verdicts do
not count). It ran in 270-330 s at the defaults on the shared 2-core machine, a third of
it in section 1, whose largest runs trace 3.3 GB.
"""
from __future__ import annotations

import argparse
import gc
import inspect
import os
import platform
import subprocess
import sys
import textwrap
import time
import tracemalloc

import numpy as np
import scipy
from scipy.optimize import minimize as scipy_minimize

import quantopt as qo
from quantopt import optim, problems

QP = 2**20
GTOL = 1e-6
LR = {"gd": 1e-2, "momentum": 1e-2, "adam": 1e-3}
GIB = 2**30
GB = 1e9
TARGETS = {"memory_gb": 1.0, "grid": 1.3, "small": 1.3, "lbfgs_small": 1.5, "lbfgs_large": 1.0}
NOTES: list[str] = []
QUICK = False  # --quick: small sizes, no verdicts
DEFAULT = object()  # "leave the argument out": the driver's own default


# ------------------------------------------------------------------------------ set-up --
def machine() -> str:
    """One line: CPU, cores, memory, versions, BLAS threads, the quantopt commit, the load."""
    cpu = platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            names = [ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    mem = _meminfo("MemTotal")
    commit = "?"
    here = os.path.dirname(os.path.abspath(qo.__file__))
    try:  # the last commit that changed the package's files, and whether they changed since
        git = ["git", "-C", here]
        commit = subprocess.run([*git, "log", "-1", "--format=%h %cs", "--", "."],
                                capture_output=True, text=True, timeout=10,
                                check=False).stdout.strip() or "?"
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "."], capture_output=True,
                               text=True, timeout=10, check=False).stdout.strip()
        commit += " + uncommitted changes" if dirty else ""
    except (OSError, subprocess.SubprocessError):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"machine: {cpu}, {os.cpu_count()} CPUs, {mem / GIB:.0f} GiB, {platform.system()} "
            f"{platform.release()}; Python {sys.version.split()[0]}, numpy {np.__version__}, "
            f"scipy {scipy.__version__}, quantopt {qo.__version__} (its files as of {commit}, "
            f"{here}); OPENBLAS_NUM_THREADS="
            f"{os.environ.get('OPENBLAS_NUM_THREADS', 'default')}; load average {load:.2f}")


def _meminfo(key: str) -> float:
    """A /proc/meminfo value in bytes (nan where there is none)."""
    try:
        with open("/proc/meminfo") as fh:
            for ln in fh:
                if ln.startswith(key + ":"):
                    return float(ln.split()[1]) * 1024
    except OSError:
        pass
    return float("nan")


class Quad:
    """f(x) = 1/2 sum a_i (x_i - c_i)^2, a = linspace(0.01, 1, n), c ~ N(0, 1), x0 = c + 1."""

    def __init__(self, n: int):
        rng = np.random.default_rng(0)
        self.a = np.linspace(0.01, 1.0, n)
        self.c = rng.normal(size=n)
        self.x0 = self.c + 1.0
        a, c = self.a, self.c

        def f(x):
            d = x - c
            return 0.5 * float(np.dot(a * d, d))

        def grad(x):
            return a * (x - c)

        self.f, self.grad = f, grad


class Timed:
    """Wraps f or grad: accumulates the time spent inside."""

    def __init__(self, fn):
        self.fn, self.secs = fn, 0.0

    def __call__(self, x):
        t = time.perf_counter()
        out = self.fn(x)
        self.secs += time.perf_counter() - t
        return out


_ACCEPTED: dict = {}


def accepted(key: str, value, grid: bool) -> bool:
    """Whether minimize takes options={key: value} (with or without qp): probed once on n = 2."""
    memo = (key, repr(value), grid)
    if memo not in _ACCEPTED:
        q = Quad(2)
        try:
            qo.minimize(q.f, q.x0, jac=q.grad, method="gd", qp=QP if grid else None,
                        options={key: value, "maxiter": 1})
            _ACCEPTED[memo] = True
        except (ValueError, TypeError) as err:
            _ACCEPTED[memo] = False
            NOTES.append(f"options={{{key!r}: {value!r}}}{' with qp' if grid else ''} rejected "
                         f"by this driver ({str(err)[:100]}...): left out, so that case runs "
                         "without it")
    return _ACCEPTED[memo]


def opts(grid: bool = False, **options) -> dict:
    """options without the keys this driver rejects (``path``, ``poll`` are probed)."""
    return {k: v for k, v in options.items()
            if k not in ("path", "poll") or accepted(k, v, grid)}


def spread(values) -> str:
    """median (min-max)."""
    v = np.asarray(values, dtype=float)
    return f"{np.median(v):.3g} ({v.min():.3g}-{v.max():.3g})"


def verdict(ok: bool) -> str:
    return "n/a (--quick)" if QUICK else ("met" if ok else "NOT met")


def size(n: int) -> str:
    """10**6 -> '10^6', 4*10**6 -> '4*10^6', 2 -> '2'."""
    e = len(str(n)) - 1
    lead = n // 10**e
    if n != lead * 10**e or e < 2:
        return str(n)
    return ("" if lead == 1 else f"{lead}*") + f"10^{e}"


def med(values) -> float:
    return float(np.median(np.asarray(values, dtype=float)))


def rotated(items, k: int) -> list:
    """items rotated left by k (mod len): repeat k starts at another case."""
    items = list(items)
    k %= len(items)
    return items[k:] + items[:k]


def copy_time(out: np.ndarray, src: np.ndarray) -> float:
    """np.copyto of one array: the median of five, timed now."""
    times = []
    for _ in range(5):
        t = time.perf_counter()
        np.copyto(out, src)
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def timed(fn, *args, **kwargs):
    """(seconds, fn(*args, **kwargs))."""
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t, out


def repeated(times: int, fn, *args, **kwargs):
    """fn(*args, **kwargs) called ``times`` times; the last result."""
    for _ in range(times):
        out = fn(*args, **kwargs)
    return out


def rows(r) -> int:
    path = r.get("path") if isinstance(r, dict) else None
    return -1 if path is None else int(np.shape(path)[0])


def check_maxiter(label: str, r, maxiter: int) -> None:
    if r.nit != maxiter:
        NOTES.append(f"{label}: stopped at nit {r.nit} (status {int(r.status)}), not maxiter "
                     f"{maxiter}")


# -------------------------------------------------------------------------- 1. memory --
def traced(fn):
    """(result summary, seconds, peak bytes) of fn() under tracemalloc."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        t = time.perf_counter()
        r = fn()
        secs = time.perf_counter() - t
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    summary = (r.nit, int(r.status), rows(r))
    del r
    gc.collect()
    return summary, secs, peak


def section_memory(n: int, repeat: int, budget: float, summary: list, quick: bool) -> None:
    q = Quad(n)
    arr = n * 8

    def run(maxiter: int, extra: dict):
        return lambda: qo.minimize(q.f, q.x0, jac=q.grad, method="adam",
                                   options={"maxiter": maxiter, **extra})

    modes = {"defaults": {}, "path=True": opts(path=True), "path=False": opts(path=False)}
    print(f"\n1. Memory: Adam, n = {size(n)} (one array {arr / 1e6:.0f} MB), lr 1e-3, quad(n); "
          f"peak traced memory and wall time of the same run; budget for a run "
          f"{budget / GB:.1f} GB; {repeat} repeats, big and small runs alternating")
    # probes: the peak grows linearly in maxiter where the path is kept
    probe_iters = (5, 10) if quick else (25, 50)
    slope = {}
    for mode, extra in modes.items():
        (_, _, _), _, p1 = traced(run(probe_iters[0], extra))
        (_, _, _), _, p2 = traced(run(probe_iters[1], extra))
        per_it = (p2 - p1) / (probe_iters[1] - probe_iters[0])
        slope[mode] = (p1, per_it)
        print(f"  probe {mode:<10}: peak {p1 / GB:.3f} GB at maxiter {probe_iters[0]}, "
              f"{p2 / GB:.3f} GB at {probe_iters[1]}: {per_it / arr:.2f} arrays of n per "
              "iteration")

    def predicted(mode: str, maxiter: int) -> float:
        p1, per_it = slope[mode]
        return p1 + per_it * (maxiter - probe_iters[0])

    iters = (20, 100) if quick else (200, 1000)
    cases, skipped = [], []
    for maxiter in iters:
        for mode, extra in modes.items():
            label = f"{mode} maxiter {maxiter}"
            pred = predicted(mode, maxiter)
            if pred > budget:
                skipped.append((label, mode, maxiter, pred))
            else:
                cases.append((label, mode, maxiter, run(maxiter, extra), pred))
    res = {label: {"secs": [], "peak": [], "info": None} for label, *_ in cases}
    # Runs that record a path allocate GBs. Re-touching memory that a run just freed is faster
    # than touching memory the VM has not backed lately (measured: a 200-iteration run took
    # 4-6 s right after another one, 9-14 s after a small run), so the big and the small runs
    # alternate: every big run follows a small one, as a user's single run would.
    big = [c for c in cases if c[4] > 10 * slope["path=False"][0]]
    small = [c for c in cases if c not in big]
    order = [c for pair in zip(big, small) for c in pair]
    order += [c for c in cases if c not in order]
    for rep in range(repeat):
        # rotated by two: each repeat starts at another big case, the alternation kept
        for label, mode, maxiter, fn, _ in rotated(order, 2 * rep):
            info, secs, peak = traced(fn)
            res[label]["secs"].append(secs)
            res[label]["peak"].append(peak)
            res[label]["info"] = info
    print(f"  {'case':<26} {'nit':>5} {'rows':>5} {'peak GB':>22} {'predicted':>9} "
          f"{'wall s':>22} {'ms/it':>7}")
    for label, mode, maxiter, _, pred in cases:
        nit, status, nrows = res[label]["info"]
        peaks = np.array(res[label]["peak"]) / GB
        print(f"  {label:<26} {nit:>5} {nrows:>5} {spread(peaks):>22} {pred / GB:>9.3f} "
              f"{spread(res[label]['secs']):>22} {med(res[label]['secs']) / nit * 1e3:>7.1f}")
        if nit != maxiter:
            NOTES.append(f"memory {label}: nit {nit} (status {status}), not {maxiter}")
    for label, mode, maxiter, pred in skipped:
        print(f"  {label:<26} not run: predicted peak {pred / GB:.2f} GB > budget "
              f"{budget / GB:.1f} GB")
    big = iters[1]
    key = f"defaults maxiter {big}"
    if key in res:
        peak = np.array(res[key]["peak"]) / 1e9
        ok = verdict(med(peak) < TARGETS["memory_gb"])
        summary.append(f"1. Adam n={size(n)} maxiter={big} default options: peak "
                       f"{spread(peak)} GB, wall {spread(res[key]['secs'])} s; target < 1 GB: "
                       f"{ok}")
    else:
        pred = predicted("defaults", big) / 1e9
        summary.append(f"1. Adam n={size(n)} maxiter={big} default options: not run, predicted "
                       f"peak {pred:.1f} GB (from the probes); target < 1 GB: {verdict(False)}")
    key = f"path=False maxiter {big}"
    if key in res:
        peak = np.array(res[key]["peak"]) / 1e9
        summary.append(f"   (path=False, maxiter={big}: peak {spread(peak)} GB, wall "
                       f"{spread(res[key]['secs'])} s)")


# ----------------------------------------------------------- 2. cost outside f and grad --
def make_rule(name: str):
    return optim.RULES[name]()  # the defaults: momentum 0.9, adam (0.9, 0.999, 1e-7)


def inplace_steps(rule, state, x, g, lr: float, calls: int):
    """``calls`` fused steps in place; the last state."""
    for _ in range(calls):
        state = rule.step_inplace(state, x, g, lr)
    return state


def pure_steps(rule, state, x, g, lr: float, calls: int):
    """``calls`` pure steps, each followed by the driver's update x + lr*d; the last x."""
    for _ in range(calls):
        d, state = rule.step(state, x, g)
        x = x + lr * d
    return x


def section_outside(sizes, repeat: int, summary: list) -> None:
    print("\n2. Cost per iteration outside f and grad, in copy-times (np.copyto of one n-array "
          "timed right before each case); fixed step, quad(n)")
    for n, nit in sizes:
        _outside_one(n, nit, repeat, summary)


def _outside_one(n: int, nit: int, repeat: int, summary: list) -> None:
    rules = ("gd", "momentum", "adam")
    q = Quad(n)
    out = np.empty(n)
    x = q.x0.copy()
    g = q.grad(q.x0)
    calls = 10
    cases = {}
    for name in rules:
        for mode, extra in (("path=False", opts(path=False)), ("defaults", {})):
            cases[(name, mode)] = ("driver", name, extra)
        cases[(name, "step_inplace")] = ("inplace", name, None)
        cases[(name, "pure step")] = ("pure", name, None)
    ratios = {k: [] for k in cases}
    copies, info = [], {}
    for _ in range(repeat):
        for key, (kind, name, extra) in cases.items():
            c = copy_time(out, q.x0)
            copies.append(c)
            if kind == "driver":
                f, gr = Timed(q.f), Timed(q.grad)
                secs, r = timed(qo.minimize, f, q.x0, jac=gr, method=name,
                                options={"lr": LR[name], "maxiter": nit, **extra})
                check_maxiter(f"outside {name} {key[1]} n={size(n)}", r, nit)
                per_it = (secs - f.secs - gr.secs) / r.nit
                info[key] = rows(r)
                del r
            else:
                rule = make_rule(name)
                np.copyto(x, q.x0)
                state = rule.init(x)
                if kind == "inplace":
                    state = rule.step_inplace(state, x, g, LR[name])  # first touch
                    secs, _ = timed(inplace_steps, rule, state, x, g, LR[name], calls)
                else:
                    secs, _ = timed(pure_steps, rule, state, x, g, LR[name], calls)
                per_it = secs / calls
            ratios[key].append(per_it / c)
            gc.collect()
    print(f"  n = {size(n)} ({n * 8 / 2**20:.0f} MiB per array): copy-time "
          f"{spread(np.array(copies) * 1e3)} ms; driver runs of {nit} iterations")
    print(f"  {'rule':<9} {'driver, path=False':>22} {'driver, defaults':>22} "
          f"{'step_inplace':>20} {'pure step + x+lr*d':>20}")
    for name in rules:
        cells = [spread(ratios[(name, m)]) for m in
                 ("path=False", "defaults", "step_inplace", "pure step")]
        print(f"  {name:<9} {cells[0]:>22} {cells[1]:>22} {cells[2]:>20} {cells[3]:>20}")
        summary.append(f"2. outside f/grad, n={size(n)}, {name}: driver path=False "
                       f"{spread(ratios[(name, 'path=False')])}, defaults "
                       f"{spread(ratios[(name, 'defaults')])} (path rows "
                       f"{info[(name, 'defaults')]}), step_inplace "
                       f"{spread(ratios[(name, 'step_inplace')])}, pure "
                       f"{spread(ratios[(name, 'pure step')])} copy-times (no target)")


# ------------------------------------------------------------------ 3. grid vs float --
def section_grid(large_n: int, repeat: int, summary: list, quick: bool) -> None:
    print("\n3. Grid (qp = 2**20) vs float: time per iteration of minimize, f and grad "
          "included, grid/float paired in each repeat")
    for n in (large_n, 2):
        big = n > 2
        quad = Quad(n)
        rosen = problems.extended_rosenbrock(n) if big else problems.rosenbrock(2)
        maxiter_fixed = 30 if big else 1000
        lb_cap = 30 if big else 1000
        # (label, problem, method, line_search float, line_search grid, maxiter)
        cases = [("gd fixed step", quad, "gd", None, None, maxiter_fixed),
                 ("adam fixed step", quad, "adam", None, None, maxiter_fixed),
                 ("lbfgs armijo/armijo", rosen, "lbfgs", "armijo", "armijo", lb_cap),
                 ("lbfgs default/default", rosen, "lbfgs", DEFAULT, DEFAULT, lb_cap)]
        inner = 1 if big else 20 if not quick else 3
        res = {c[0]: {"ratio": [], "float": [], "grid": [], "info": {}} for c in cases}
        for rep in range(repeat):
            for label, prob, method, ls_f, ls_g, maxiter in cases:
                base = {"maxiter": maxiter}
                if method in LR:
                    base["lr"] = LR[method]
                per = {}
                # float first in even repeats, grid first in odd ones
                for side, qp, ls in rotated((("float", None, ls_f), ("grid", QP, ls_g)), rep):
                    extra = opts(grid=qp is not None, path=False,
                                 **({"poll": None} if big and qp is not None else {}))
                    kw = {} if ls is DEFAULT else {"line_search": ls}
                    secs, r = timed(repeated, inner, qo.minimize, prob.f, prob.x0,
                                    jac=prob.grad, method=method, qp=qp,
                                    options={**base, **extra}, **kw)
                    per[side] = secs / inner / max(r.nit, 1)
                    res[label][side].append(per[side])
                    res[label]["info"][side] = (r.nit, r.nfev, int(r.status))
                    if method != "lbfgs":
                        check_maxiter(f"grid/float {label} {side} n={n}", r, maxiter)
                    del r
                res[label]["ratio"].append(per["grid"] / per["float"])
        print(f"  n = {size(n)}" + (" (30 iterations, poll=None on the grid)" if big else
                                  f" (mean of {inner} runs per timing)"))
        print(f"  {'case':<22} {'float ms/it':>20} {'grid ms/it':>20} {'grid/float':>20} "
              f"{'nit, nfev, status: float | grid':>34}")
        for label, *_ in cases:
            r = res[label]
            (nf, ef, sf), (ng, eg, sg) = r["info"]["float"], r["info"]["grid"]
            print(f"  {label:<22} {spread(np.array(r['float']) * 1e3):>20} "
                  f"{spread(np.array(r['grid']) * 1e3):>20} {spread(r['ratio']):>20} "
                  f"{f'{nf}, {ef}, {sf} | {ng}, {eg}, {sg}':>34}")
            if big:
                ok = verdict(med(r["ratio"]) <= TARGETS["grid"])
                tail = f"target <= {TARGETS['grid']}: {ok}"
            else:
                tail = "(no target at n = 2)"
            summary.append(f"3. grid/float n={size(n)} {label}: {spread(r['ratio'])} {tail}")


# --------------------------------------------------------------------- 4. small n --
def hand_gd(f, grad, x0, lr, gtol, maxiter):
    x = x0.copy()
    fx, g = f(x), grad(x)
    nit = 0
    while not np.max(np.abs(g)) <= gtol and nit < maxiter:
        x = x - lr * g
        fx, g = f(x), grad(x)
        nit += 1
    return x, fx, nit


def hand_momentum(f, grad, x0, lr, gtol, maxiter, momentum=0.9):
    x = x0.copy()
    v = np.zeros_like(x)
    fx, g = f(x), grad(x)
    nit = 0
    while not np.max(np.abs(g)) <= gtol and nit < maxiter:
        v = momentum * v + g
        x = x - lr * v
        fx, g = f(x), grad(x)
        nit += 1
    return x, fx, nit


def hand_adam(f, grad, x0, lr, gtol, maxiter, beta1=0.9, beta2=0.999, eps=1e-7):
    x = x0.copy()
    m, v = np.zeros_like(x), np.zeros_like(x)
    fx, g = f(x), grad(x)
    nit = 0
    while not np.max(np.abs(g)) <= gtol and nit < maxiter:
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * (g * g)
        m_hat = m / (1 - beta1 ** (nit + 1))
        v_hat = v / (1 - beta2 ** (nit + 1))
        x = x - lr * (m_hat / (np.sqrt(v_hat) + eps))
        fx, g = f(x), grad(x)
        nit += 1
    return x, fx, nit


HAND = {"gd": hand_gd, "momentum": hand_momentum, "adam": hand_adam}


def _docstring_has_hand_code() -> bool:
    """Whether the module docstring quotes the hand loops' code exactly."""
    return all(textwrap.indent(inspect.getsource(fn), "    ") in (__doc__ or "")
               for fn in HAND.values())


def section_small(large_n: int, repeat: int, summary: list, quick: bool) -> None:
    print("\n4. Small n: the driver against a hand-written NumPy loop (n = 2, quad(2), 1000 "
          "iterations, default options but lr), per iteration, paired in each repeat")
    q = Quad(2)
    maxiter = 1000
    res = {name: {"ratio": [], "drv": [], "hand": []} for name in HAND}
    for rep in range(repeat):
        for name, hand in HAND.items():
            if rep % 2:  # the hand loop first in odd repeats
                secs_h, (x, _, nit) = timed(hand, q.f, q.grad, q.x0, LR[name], GTOL, maxiter)
            secs_d, r = timed(qo.minimize, q.f, q.x0, jac=q.grad, method=name,
                              options={"lr": LR[name], "maxiter": maxiter, "gtol": GTOL})
            if not rep % 2:
                secs_h, (x, _, nit) = timed(hand, q.f, q.grad, q.x0, LR[name], GTOL, maxiter)
            if r.nit != nit or not np.array_equal(r.x, x):
                NOTES.append(f"small n {name}: driver and hand loop differ (nit {r.nit} vs "
                             f"{nit}, max|dx| {np.max(np.abs(r.x - x)):.3g})")
            check_maxiter(f"small n {name}", r, maxiter)
            res[name]["drv"].append(secs_d / r.nit)
            res[name]["hand"].append(secs_h / nit)
            res[name]["ratio"].append((secs_d / r.nit) / (secs_h / nit))
            del r
    print(f"  {'rule':<9} {'driver us/it':>20} {'hand us/it':>20} {'driver/hand':>20}")
    for name, r in res.items():
        print(f"  {name:<9} {spread(np.array(r['drv']) * 1e6):>20} "
              f"{spread(np.array(r['hand']) * 1e6):>20} {spread(r['ratio']):>20}")
        ok = verdict(med(r["ratio"]) <= TARGETS["small"])
        summary.append(f"4. n=2 {name} driver/hand loop per iteration: {spread(r['ratio'])}; "
                       f"target <= {TARGETS['small']}: {ok}")

    # L-BFGS vs L-BFGS-B at n = 2
    prob = problems.rosenbrock(2)
    inner = 5 if quick else 20
    scipy_opts = {"gtol": GTOL, "ftol": 0.0}
    out = {"qo": [], "sp": [], "ratio": []}
    info = {}
    for rep in range(repeat):
        per = {}
        for who in rotated(("qo", "sp"), rep):
            if who == "qo":
                secs, r = timed(repeated, inner, qo.minimize, prob.f, prob.x0, jac=prob.grad,
                                method="lbfgs", options={"gtol": GTOL})
            else:
                secs, r = timed(repeated, inner, scipy_minimize, prob.f, prob.x0,
                                jac=prob.grad, method="L-BFGS-B", options=scipy_opts)
            per[who] = secs / inner / r.nit
            gmax = float(np.max(np.abs(prob.grad(r.x))))
            info[who] = (r.nit, r.nfev, gmax)
            out[who].append(per[who])
        out["ratio"].append(per["qo"] / per["sp"])
    print(f"\n  L-BFGS (defaults) vs scipy L-BFGS-B (ftol=0), rosenbrock n = 2, max|grad| <= "
          f"{GTOL:g}; time per iteration (mean of {inner} runs per timing)")
    print(f"  {'solver':<12} {'nit':>5} {'nfev':>5} {'max|g|':>9} {'us/it':>20}")
    for who, label in (("qo", "qo.lbfgs"), ("sp", "sp.L-BFGS-B")):
        nit, nfev, gmax = info[who]
        print(f"  {label:<12} {nit:>5} {nfev:>5} {gmax:>9.1e} "
              f"{spread(np.array(out[who]) * 1e6):>20}")
    ok = verdict(med(out["ratio"]) <= TARGETS["lbfgs_small"])
    print(f"  ours / scipy per iteration: {spread(out['ratio'])}")
    summary.append(f"4. n=2 L-BFGS / L-BFGS-B per iteration: {spread(out['ratio'])} (nit "
                   f"{info['qo'][0]} vs {info['sp'][0]}, nfev {info['qo'][1]} vs "
                   f"{info['sp'][1]}); target <= {TARGETS['lbfgs_small']}: {ok}")

    # total seconds at large n
    prob = problems.extended_rosenbrock(large_n)
    reps = max(3, repeat // 2) if not quick else repeat
    variants = {"qo defaults": {"gtol": GTOL}, "qo path=False": opts(gtol=GTOL, path=False)}
    secs = {k: [] for k in (*variants, "sp")}
    ratios = {k: [] for k in variants}
    info = {}
    for rep in range(reps):
        t = {}
        for label in rotated(("sp", *variants), rep):
            gc.collect()
            if label == "sp":
                t[label], r = timed(scipy_minimize, prob.f, prob.x0, jac=prob.grad,
                                    method="L-BFGS-B", options=scipy_opts)
            else:
                t[label], r = timed(qo.minimize, prob.f, prob.x0, jac=prob.grad,
                                    method="lbfgs", options=variants[label])
            info[label] = (r.nit, r.nfev, float(np.max(np.abs(prob.grad(r.x)))),
                           -1 if label == "sp" else rows(r))
            secs[label].append(t[label])
            del r
        for label in variants:
            ratios[label].append(t[label] / t["sp"])
    print(f"\n  L-BFGS vs L-BFGS-B, extended rosenbrock n = {size(large_n)}, max|grad| <= "
          f"{GTOL:g}, total seconds ({reps} interleaved repeats, rotated order)")
    print(f"  {'solver':<16} {'nit':>5} {'nfev':>5} {'max|g|':>9} {'rows':>5} {'s':>20} "
          f"{'ours/scipy':>20}")
    for label in ("sp", *variants):
        nit, nfev, gmax, nrows = info[label]
        ratio = spread(ratios[label]) if label in ratios else ""
        name = "sp.L-BFGS-B" if label == "sp" else label
        nrows = "" if nrows < 0 else nrows
        print(f"  {name:<16} {nit:>5} {nfev:>5} {gmax:>9.1e} {nrows:>5} {spread(secs[label]):>20} "
              f"{ratio:>20}")
    ok = verdict(med(ratios["qo defaults"]) < TARGETS["lbfgs_large"])
    summary.append(f"4. n={size(large_n)} extended Rosenbrock, L-BFGS (defaults) / L-BFGS-B total "
                   f"seconds: {spread(ratios['qo defaults'])} ({med(secs['qo defaults']):.2f} "
                   f"s vs {med(secs['sp']):.2f} s; path=False "
                   f"{spread(ratios['qo path=False'])}); target < 1: {ok}")


# ---------------------------------------------------------------------------- main --
_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="interleaved repeats (default 5; "
                        "section 1 uses min(repeat, 3), the n = 10**6 L-BFGS totals 3)")
    parser.add_argument("--sections", default="1,2,3,4")
    parser.add_argument("--mem-budget-gb", type=float, default=4.0,
                        help="largest predicted peak a section-1 run may have (default 4)")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument("--blas-threads", type=int, default=1)
    args = parser.parse_args()
    global QUICK
    QUICK = args.quick
    wanted = str(args.blas_threads)
    if os.environ.get("OPENBLAS_NUM_THREADS") != wanted:
        # BLAS reads its thread count when it loads: run again in a fresh interpreter (this
        # script may run inside bench/run_all.py, where numpy is already imported).
        env = {**os.environ, **{v: wanted for v in _THREAD_VARS}}
        subprocess.run([sys.executable, os.path.abspath(__file__), *sys.argv[1:]], env=env,
                       check=True)
        return
    print(machine())
    if not _docstring_has_hand_code():
        print("WARNING: the hand loops' code differs from the module docstring's copy")
    sections = {int(s) for s in args.sections.split(",")}
    large = 10**5 if args.quick else 10**6
    budget = min(args.mem_budget_gb * GB, 0.4 * _meminfo("MemAvailable"))
    summary: list[str] = []
    t0 = time.perf_counter()
    if 1 in sections:
        section_memory(large, min(args.repeat, 3), budget, summary, args.quick)
    if 2 in sections:
        sizes = [(10**5, 50), (4 * 10**5, 25)] if args.quick else [(10**6, 50), (4 * 10**6, 25)]
        section_outside(sizes, args.repeat, summary)
    if 3 in sections:
        section_grid(large, args.repeat, summary, args.quick)
    if 4 in sections:
        section_small(large, args.repeat, summary, args.quick)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n{time.perf_counter() - t0:.0f} s; load average at the end {load:.2f}")
    if NOTES:
        print("notes:")
        for note in NOTES:
            print("  " + note)
    quick = " [--quick: no verdicts]" if args.quick else ""
    print(f"\nsummary (median (min-max) over interleaved repeats){quick}:")
    for line in summary:
        print("  " + line)


if __name__ == "__main__":
    main()
