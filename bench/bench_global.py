"""Global-optimization success ratios at the authors' testbench protocol (issue 13, item 5).

Run: `.venv/bin/python bench/bench_global.py [--quick] [--workers 2] [--starts 100]`. The full
run (what `make bench` does) took 100 min wall with 2 worker processes on a shared 2-core machine;
--quick took 2 min (bench/README.md).

The claim under test (Seok & Kim, ETRI J. 45(1), 2023, abstract): quantization-based
optimization finds global minima "with a higher success rate and fewer iterations" than the
conventional algorithms. The protocol is the authors' testbench's (research note
quantization_based_optimization.md, sections 3A and 5.2):

* success: |f(x_final) - f*| <= TOL = 0.01; reported per function and method: the success
  ratio, the mean iteration count over the successful runs, the mean |f - f*| and the mean
  distance to the nearest listed minimizer (both over all runs), and here also the mean nfev
  and njev and the Wilson 95% interval of the success ratio;
* starts: STARTS (100) points drawn uniformly in the box ``Problem.bounds`` (the literature's
  domains, not the testbench's shrunken plot ranges), the same starts for every method (a
  paired design), in 2-D and in 10-D for the functions defined for any n; Powell's singular
  function is defined for n = 4k only and runs at n = 4 (in the 2-D group) and n = 12 (in the
  10-D group); egg_holder, drop_wave and schaffer_n2 are 2-D only;
* local methods, unconstrained as in the testbench: GD, CG (quantopt's default PR+ beta; the
  testbench's CG-PR differs only where beta < 0) and BFGS, each with the Armijo search with the
  testbench's constants (first trial step 0.9, sufficient-decrease constant 0.55, shrink
  factor 0.612; CG and BFGS take min(0.9, Nocedal & Wright (3.60)) as first trial, quantopt's
  rule), maxiter MAXITER = 12000 (the testbench's batch cap), default gtol (1e-6 on max|grad|);
  each in float (qp=None), on the fixed grid qp = 2^5 (the testbench's ``-q 5``), and with the
  schedules on_zero_step(2^5) and annealing(2^5) (qp_max = 2^16, alpha = 20, c = 1e-6: the
  testbench's ``-qm 1`` and ``-qm 2``). A run may leave the box: it is scored by the protocol
  all the same, and a final point outside the box with f < f* - TOL is counted as an "escape"
  (not a success);
* global methods, each given the same budget of BUDGET_PER_DIM * n evaluations of f per run:
  "bfgs multistart" (BFGS float with the same Armijo search, restarted from fresh uniform
  points of the box until the budget is used; the budget is enforced by a callback that stops
  the run in progress; the result is the best final point inside the box, or the best of all
  if none is inside); scipy's dual_annealing (bounds = the box, maxfun = budget, x0 = the
  start, its local search L-BFGS-B given the gradient); scipy's basinhopping (local minimizer
  BFGS with the gradient, stepsize = box width / 10, T = 1 (scipy's default), an accept_test
  that rejects minima outside the box, stopped by its callback once the budget is used); and
  annealed Langevin dynamics (quantopt method="langevin", default temperature = the testbench's
  T(t), maxiter = budget, seeded), not clipped to the box (as the local methods);
* Langevin's step (chosen a priori from the problem's curvature, not from any outcome):
  lr = 0.5 / max(median of ||hess f(u)||_2 over LR_SAMPLES uniform points u of the box,
  max over the listed minimizers x* of ||hess f(x*)||_2), i.e. a gradient step that is stable
  (lr L < 2) wherever the curvature is below 4x the box's median and at the minimizers;
* derived row "bfgs multistart @ anneal nfev": the multistart run cut at the nfev that
  bfgs/annealing used from the same start (the restarts completed within it, at least the
  first), i.e. restarting the float method with the quantized method's own evaluations;
* a separate small table: one run per function and method from the testbench's fixed start
  ``Problem.x0``, as the authors' README examples.

Also printed: the status counts of every method (quantopt statuses 0-6; scipy's messages), the
paired comparisons of each local method's grid variants against its float run on the same
starts (runs where only one succeeded, with the exact two-sided sign-test p-value), and a
compact success matrix. Writes figures/global_success.png (success ratio with Wilson bars).

Seeds: numpy SeedSequence(SEED, spawn_key=(case, ...)) for the starts, every stochastic
method's run and the Langevin step sample, so that the run is reproducible. --quick: the 2-D
group only, QUICK_STARTS starts, maxiter 2000 (the testbench's default -t), a smoke test
whose numbers are not the result (its figure goes to the temporary directory, not figures/).
Multiprocessing with --workers processes (fork). --dump FILE pickles the runs; --load FILE
prints the tables and redraws the figure from such a file without running.
"""
from __future__ import annotations

import argparse
import collections
import functools
import math
import multiprocessing
import os
import pathlib
import pickle
import platform
import subprocess
import sys
import tempfile
import time
from typing import NamedTuple

import numpy as np
import scipy
from scipy import optimize, stats

import quantopt as qo
from quantopt import problems, schedules

SEED = 20130513
STARTS = 100
QUICK_STARTS = 20
TOL = 0.01                      # the testbench's success threshold on |f - f*|
MAXITER = 12000                 # the testbench's batch cap (-t 12000)
QUICK_MAXITER = 2000            # its default -t
QP0 = 2**5                      # the testbench's -q 5
BUDGET_PER_DIM = 1000           # f evaluations per run for the global methods: 1000 n
LR_SAMPLES = 1000
CHUNK = 5                       # starts per task
Z95 = 1.959963984540054         # the 0.975 quantile of N(0, 1)
#: the testbench's Armijo constants: initial step 0.9, alpha = 0.55, beta = 0.612. c2 is
#: unused by the Armijo search, but CG's Wolfe default c2 = 0.4 is checked against c1 = 0.55
#: (c1 < c2 < 1) even with line_search="armijo": so it is set to 0.9 (see the README).
ARMIJO = {"lr": 0.9, "c1": 0.55, "shrink": 0.612, "c2": 0.9}

DIR = pathlib.Path(__file__).resolve().parent
DEFAULT_OUT = DIR.parent / "figures" / "global_success.png"

#: (function, n); the index in this tuple is the case's seed key
CASES = (("ackley", 2), ("whitley", 2), ("egg_holder", 2), ("xin_she_yang_n4", 2),
         ("salomon", 2), ("drop_wave", 2), ("schaffer_n2", 2), ("powell", 4),
         ("rastrigin", 2), ("griewank", 2), ("styblinski_tang", 2),
         ("ackley", 10), ("whitley", 10), ("xin_she_yang_n4", 10), ("salomon", 10),
         ("powell", 12), ("rastrigin", 10), ("griewank", 10), ("styblinski_tang", 10))
LOW_DIM = tuple(c for c in CASES if c[1] <= 4)

LOCAL = ("gd", "cg", "bfgs")
GRIDS = ("float", "fixed 2^5", "on_zero_step", "annealing")
GLOBAL = ("bfgs multistart", "dual_annealing", "basinhopping", "langevin")
METHODS = tuple(f"{m} {g}" for m in LOCAL for g in GRIDS) + GLOBAL
MATCHED = "bfgs multistart @ anneal nfev"   # derived from "bfgs multistart"
ROWS = METHODS + (MATCHED,)


class Run(NamedTuple):
    """One run's outcome, scored by the protocol."""

    fun: float          # f at the final point (recomputed, not counted)
    err: float          # |f - f*|
    dist: float         # distance to the nearest listed minimizer
    success: bool       # err <= TOL
    outside: bool       # the final point is outside the box
    escape: bool        # outside and f < f* - TOL
    nit: int            # the method's own iterations (multistart: summed over its runs)
    nfev: int
    njev: int
    status: tuple       # the status of each of its quantopt runs (q0-q6), or scipy's message
    trace: tuple = ()   # multistart: its runs (Restart), in order


# ----------------------------------------------------------------------------- statistics

def wilson(k, n, z: float = Z95) -> tuple[float, float]:
    r"""The Wilson score interval for a binomial proportion k/n (95% for the default z).

    .. math::

        \frac{\hat p + z^2/(2n)}{1 + z^2/n} \pm
        \frac{z}{1 + z^2/n}\sqrt{\frac{\hat p(1 - \hat p)}{n} + \frac{z^2}{4n^2}},
        \qquad \hat p = k/n

    E. B. Wilson, "Probable inference, the law of succession, and statistical inference",
    J. Amer. Statist. Assoc. 22(158), 1927. Returns (lo, hi), clipped to [0, 1] against
    round-off (the exact bounds lie in it); lo = 0 for k = 0 and hi = 1 for k = n exactly.
    """
    if not (isinstance(n, (int, np.integer)) and n > 0):
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not (isinstance(k, (int, np.integer)) and 0 <= k <= n):
        raise ValueError(f"k must be an integer in [0, n = {n}], got {k!r}")
    p = k / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return lo, hi


def sign_test_p(b: int, c: int) -> float:
    """The exact two-sided sign-test (McNemar) p-value of b against c discordant pairs."""
    return 1.0 if b + c == 0 else float(stats.binomtest(b, b + c, 0.5).pvalue)


# ----------------------------------------------------------------------------- problems

@functools.cache
def problem(name: str, n: int) -> problems.Problem:
    return getattr(problems, name)(n)


def budget(n: int) -> int:
    return BUDGET_PER_DIM * n


def case_seed(case: int, *key: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(SEED, spawn_key=(case, *key))


def starts(case: int, count: int) -> np.ndarray:
    """count uniform points of the case's box (the same for every method)."""
    p = problem(*CASES[case])
    lo, hi = p.bounds[:, 0], p.bounds[:, 1]
    u = np.random.default_rng(case_seed(case, 0)).random((count, p.n))
    return lo + (hi - lo) * u


@functools.cache
def langevin_lr(case: int) -> float:
    """0.5 / max(median ||hess||_2 over LR_SAMPLES uniform box points, ||hess(x*)||_2)."""
    p = problem(*CASES[case])
    lo, hi = p.bounds[:, 0], p.bounds[:, 1]
    u = lo + (hi - lo) * np.random.default_rng(case_seed(case, 1)).random((LR_SAMPLES, p.n))
    typical = float(np.median([np.linalg.norm(p.hess(x), 2) for x in u]))
    at_min = max(float(np.linalg.norm(p.hess(x), 2)) for x in p.minimizers)
    return 0.5 / max(typical, at_min)


def score(p: problems.Problem, x: np.ndarray, nit: int, nfev: int, njev: int, status: tuple,
          trace: tuple = ()) -> Run:
    x = np.asarray(x, dtype=np.float64)
    fun = float(p.f(x))
    err = abs(fun - p.f_star)
    dist = float(np.min(np.linalg.norm(p.minimizers - x, axis=1)))
    outside = not inside(p, x)
    return Run(fun, err, dist, bool(err <= TOL), outside,
               bool(outside and fun < p.f_star - TOL), int(nit), int(nfev), int(njev), status,
               trace)


def inside(p: problems.Problem, x: np.ndarray) -> bool:
    return bool(np.all((x >= p.bounds[:, 0]) & (x <= p.bounds[:, 1])))


class Counted:
    """f and grad with call counters (for the scipy methods and the multistart budget)."""

    def __init__(self, p: problems.Problem):
        self.p, self.nfev, self.njev = p, 0, 0

    def f(self, x):
        self.nfev += 1
        return float(self.p.f(x))

    def grad(self, x):
        self.njev += 1
        return self.p.grad(x)


# ----------------------------------------------------------------------------- methods

def qp_of(grid: str):
    return {"float": None, "fixed 2^5": QP0, "on_zero_step": schedules.on_zero_step(QP0),
            "annealing": schedules.annealing(QP0)}[grid]


def run_local(p, x0, method: str, grid: str, maxiter: int) -> Run:
    r = qo.minimize(p.f, x0, jac=p.grad, method=method, line_search="armijo", qp=qp_of(grid),
                    options={**ARMIJO, "maxiter": maxiter, "path": False})
    return score(p, r.x, r.nit, r.nfev, r.njev, (f"q{int(r.status)}",))


class Restart(NamedTuple):
    """One run of a multistart: the counts so far (cumulative), its final f and point."""

    nfev: int
    njev: int
    nit: int
    fun: float
    inside: bool
    x: np.ndarray
    status: int


def run_multistart(p, x0, rng: np.random.Generator, limit: int, maxiter: int) -> Run:
    """BFGS float (Armijo, the testbench's constants) from x0, then from fresh uniform points,
    until limit evaluations of f; the best final point inside the box (else the best)."""
    counted = Counted(p)
    lo, hi = p.bounds[:, 0], p.bounds[:, 1]

    def stop(_):
        if counted.nfev >= limit:
            raise StopIteration

    trace, nit, x = [], 0, x0
    while True:
        r = qo.minimize(counted.f, x, jac=counted.grad, method="bfgs", line_search="armijo",
                        options={**ARMIJO, "maxiter": maxiter, "path": False}, callback=stop)
        nit += r.nit
        trace.append(Restart(counted.nfev, counted.njev, nit, float(r.fun), inside(p, r.x),
                             r.x, int(r.status)))
        if counted.nfev >= limit:
            break
        x = lo + (hi - lo) * rng.random(p.n)
    return multistart_result(p, tuple(trace), math.inf)


def multistart_result(p, trace: tuple, within: float) -> Run:
    """The multistart's result from the runs finished within `within` evaluations of f (at
    least the first): the lowest f inside the box, or the lowest f if none is inside."""
    done = [t for t in trace if t.nfev <= within] or [trace[0]]
    pool = [t for t in done if t.inside] or done
    best = min(pool, key=lambda t: t.fun)
    last = done[-1]
    return score(p, best.x, last.nit, last.nfev, last.njev,
                 tuple(f"q{t.status}" for t in done), trace)


def run_dual_annealing(p, x0, rng, limit: int, maxiter: int) -> Run:
    counted = Counted(p)
    r = optimize.dual_annealing(counted.f, p.bounds, maxfun=limit, x0=x0, rng=rng,
                                minimizer_kwargs={"jac": counted.grad})
    return score(p, r.x, r.nit, counted.nfev, counted.njev, (_short(r.message),))


def run_basinhopping(p, x0, rng, limit: int, maxiter: int) -> Run:
    counted = Counted(p)
    lo, hi = p.bounds[:, 0], p.bounds[:, 1]

    def in_box(f_new, x_new, f_old, x_old):
        return bool(np.all((x_new >= lo) & (x_new <= hi)))

    def enough(x, f, accept):
        return counted.nfev >= limit

    r = optimize.basinhopping(counted.f, x0, niter=10**9, stepsize=float(np.mean(hi - lo)) / 10,
                              minimizer_kwargs={"method": "BFGS", "jac": counted.grad},
                              accept_test=in_box, callback=enough, rng=rng)
    return score(p, r.x, r.nit, counted.nfev, counted.njev, (_short(r.message),))


def run_langevin(p, x0, seed: int, limit: int, lr: float) -> Run:
    r = qo.minimize(p.f, x0, jac=p.grad, method="langevin",
                    options={"lr": lr, "seed": seed, "maxiter": limit, "path": False})
    return score(p, r.x, r.nit, r.nfev, r.njev, (f"q{int(r.status)}",))


def _short(message) -> str:
    text = " ".join(message) if isinstance(message, (list, tuple)) else str(message)
    for key, short in (("Maximum number of function call", "maxfun"),
                       ("Maximum number of iteration", "maxiter"),
                       ("callback", "callback"), ("requested number", "niter")):
        if key in text:
            return short
    return text[:40]


def run_one(case: int, method: str, start: int, x0: np.ndarray, maxiter: int) -> Run:
    """One run of method from x0 (start: its index, -1 for Problem.x0)."""
    name, n = CASES[case]
    p = problem(name, n)
    seed = case_seed(case, 2 + METHODS.index(method), start + 1)
    if method in GLOBAL:
        rng = np.random.default_rng(seed)
        if method == "bfgs multistart":
            return run_multistart(p, x0, rng, budget(n), maxiter)
        if method == "dual_annealing":
            return run_dual_annealing(p, x0, rng, budget(n), maxiter)
        if method == "basinhopping":
            return run_basinhopping(p, x0, rng, budget(n), maxiter)
        return run_langevin(p, x0, int(seed.generate_state(1)[0]), budget(n), langevin_lr(case))
    local, grid = method.split(" ", 1)
    return run_local(p, x0, local, grid, maxiter)


def run_task(task):
    """A worker's unit: method on the starts `index` of the case (-1: Problem.x0)."""
    case, method, index, count, maxiter = task
    x = starts(case, count)
    out = []
    t0 = time.perf_counter()
    for i in index:
        x0 = problem(*CASES[case]).x0 if i < 0 else x[i]
        out.append((i, run_one(case, method, i, x0, maxiter)))
    return case, method, out, time.perf_counter() - t0


# ----------------------------------------------------------------------------- report

def summary(runs: list[Run]) -> dict:
    k = sum(r.success for r in runs)
    n = len(runs)
    lo, hi = wilson(k, n)
    its = [r.nit for r in runs if r.success]
    return {"k": k, "n": n, "ratio": k / n, "lo": lo, "hi": hi,
            "nit": float(np.mean(its)) if its else math.nan,
            "nfev": float(np.mean([r.nfev for r in runs])),
            "njev": float(np.mean([r.njev for r in runs])),
            "err": float(np.mean([r.err for r in runs])),
            "dist": float(np.mean([r.dist for r in runs])),
            "out": sum(r.outside for r in runs), "esc": sum(r.escape for r in runs),
            "runs": float(np.mean([len(r.status) for r in runs])),
            "status": collections.Counter(s for r in runs for s in r.status)}


def matched_runs(case: int, results: dict) -> list[Run]:
    """bfgs multistart cut at the nfev that bfgs annealing used from the same start."""
    p = problem(*CASES[case])
    return [multistart_result(p, ms.trace, ann.nfev)
            for ms, ann in zip(results[case, "bfgs multistart"], results[case, "bfgs annealing"])]


def status_text(s: dict) -> str:
    text = " ".join(f"{k}:{v}" for k, v in sorted(s["status"].items()))
    return f"{s['runs']:.1f} runs/start; {text}" if s["runs"] != 1 else text


def case_title(case: int) -> str:
    name, n = CASES[case]
    p = problem(name, n)
    lo, hi = p.bounds[0]
    return (f"{name}, n = {n}: box [{lo:g}, {hi:g}]^{n}, f* = {p.f_star:.10g}, "
            f"budget {budget(n)} f-evals, Langevin lr = {langevin_lr(case):.3g}")


HEADER = (f"{'method':30s} {'success % [Wilson 95%]':>23s} {'it(succ)':>9s} {'nfev':>9s} "
          f"{'njev':>9s} {'|f-f*|':>9s} {'|x-x*|':>9s} {'out/esc':>8s}  statuses")


def row_text(method: str, s: dict) -> str:
    interval = f"{100 * s['ratio']:5.1f} [{100 * s['lo']:5.1f}, {100 * s['hi']:5.1f}]"
    nit = "-" if math.isnan(s["nit"]) else f"{s['nit']:.1f}"
    return (f"{method:30s} {interval:>23s} {nit:>9s} {s['nfev']:9.0f} {s['njev']:9.0f} "
            f"{s['err']:9.3g} {s['dist']:9.3g} {s['out']:>4d}/{s['esc']:<3d}  {status_text(s)}")


def print_tables(cases, stats_by) -> None:
    print(f"\n=== 1. Random starts: one table per function and dimension ===\n"
          f"success: |f - f*| <= {TOL}; it(succ): mean iterations over the successes; nfev, "
          f"njev, |f-f*|, |x-x*| (nearest listed minimizer): means over all runs; out/esc: final "
          f"points outside the box / of them with f < f* - {TOL}; statuses: quantopt's q0 "
          f"gtol, q1 maxiter, q2 line search failed, q4 nan/inf, q5 stopped by the budget "
          f"callback, q6 grid-local minimum; scipy's messages (maxfun, callback, ...)")
    for case in cases:
        print(f"\n{case_title(case)}")
        print(HEADER)
        for method in ROWS:
            print(row_text(method, stats_by[case, method]))


def print_paired(cases, results, stats_by) -> None:
    print("\n=== 2. Schedule vs fixed grid vs float, same local method, same starts ===\n"
          "k: successes out of the starts; for each grid variant g against float: +b/-c = runs "
          "where only g succeeded / only float did, p = exact two-sided sign test (McNemar) on "
          "them; 'ovl' = the Wilson intervals overlap")
    print(f"{'case':22s} {'method':5s} {'float':>6s} {'fixed':>6s} {'zero':>6s} {'anneal':>6s}"
          f"   {'fixed-float':>22s}   {'zero-float':>22s}   {'anneal-float':>22s}")
    tally = {g: collections.Counter() for g in GRIDS[1:]}
    for case in cases:
        name, n = CASES[case]
        for m in LOCAL:
            ks = [stats_by[case, f"{m} {g}"]["k"] for g in GRIDS]
            parts = []
            base = results[case, f"{m} float"]
            for g in GRIDS[1:]:
                other = results[case, f"{m} {g}"]
                b = sum(o.success and not f.success for o, f in zip(other, base))
                c = sum(f.success and not o.success for o, f in zip(other, base))
                a, f_ = stats_by[case, f"{m} {g}"], stats_by[case, f"{m} float"]
                overlap = "ovl" if a["lo"] <= f_["hi"] and f_["lo"] <= a["hi"] else "SEP"
                parts.append(f"+{b:<3d}-{c:<3d} p={sign_test_p(b, c):<6.2g} {overlap}")
                k_g, k_f = a["k"], f_["k"]
                tally[g]["more" if k_g > k_f else "fewer" if k_g < k_f else "equal"] += 1
                tally[g]["p < 0.05"] += sign_test_p(b, c) < 0.05
                tally[g]["separate intervals"] += overlap == "SEP"
            print(f"{name + ' n=' + str(n):22s} {m:5s} " + " ".join(f"{k:6d}" for k in ks)
                  + "   " + "   ".join(f"{t:>22s}" for t in parts))
    pairs = len(cases) * len(LOCAL)
    print(f"\nover the {pairs} (case, method) pairs, successes of each grid variant against float:")
    for g, t in tally.items():
        print(f"  {g:13s} more in {t['more']}, fewer in {t['fewer']}, equal in {t['equal']}; "
              f"sign test p < 0.05 in {t['p < 0.05']}, Wilson intervals separate in "
              f"{t['separate intervals']}")
    print("\npooled over the functions of each group (different functions: a summary only)")
    groups = {"n <= 4": [c for c in cases if CASES[c][1] <= 4],
              "n >= 10": [c for c in cases if CASES[c][1] >= 10]}
    for label, members in groups.items():
        if not members:
            continue
        print(f"  group {label} ({len(members)} cases):")
        for method in ROWS:
            k = sum(stats_by[c, method]["k"] for c in members)
            n = sum(stats_by[c, method]["n"] for c in members)
            lo, hi = wilson(k, n)
            print(f"    {method:30s} {k:5d}/{n:<5d} = {100 * k / n:5.1f}% "
                  f"[{100 * lo:5.1f}, {100 * hi:5.1f}]")


def print_best_vs_global(cases, results, stats_by) -> None:
    print("\n=== 3. Best quantized variant (of the 9 grid runs, chosen after the fact) vs the "
          "global methods at the budget ===\n"
          "k/n [Wilson 95%]; +b/-c: starts where only the quantized run / only the other "
          "succeeded; p: exact sign test")
    quantized = [f"{m} {g}" for m in LOCAL for g in GRIDS[1:]]
    others = ("bfgs float",) + GLOBAL + (MATCHED,)
    verdicts = collections.defaultdict(list)
    for case in cases:
        name, n = CASES[case]
        best = max(quantized, key=lambda m: (stats_by[case, m]["k"], -stats_by[case, m]["nfev"]))
        q = stats_by[case, best]
        print(f"{name + ' n=' + str(n):22s} best quantized: {best:24s} {q['k']:3d}/{q['n']} "
              f"[{100 * q['lo']:.1f}, {100 * q['hi']:.1f}] nfev {q['nfev']:.0f}")
        for other in others:
            o = stats_by[case, other]
            b = sum(x.success and not y.success
                    for x, y in zip(results[case, best], results[case, other]))
            c = sum(y.success and not x.success
                    for x, y in zip(results[case, best], results[case, other]))
            print(f"{'':22s}   vs {other:30s} {o['k']:3d}/{o['n']} "
                  f"[{100 * o['lo']:5.1f}, {100 * o['hi']:5.1f}] nfev {o['nfev']:7.0f}   "
                  f"+{b}/-{c} p={sign_test_p(b, c):.2g}")
        top = max(GLOBAL, key=lambda m: stats_by[case, m]["k"])
        b = sum(x.success and not y.success
                for x, y in zip(results[case, best], results[case, top]))
        c = sum(y.success and not x.success
                for x, y in zip(results[case, best], results[case, top]))
        p = sign_test_p(b, c)
        verdict = "no significant difference" if p >= 0.05 else "worse" if c > b else "better"
        verdicts[verdict].append(f"{name} {n} ({best} {q['k']} vs {top} "
                                 f"{stats_by[case, top]['k']}, p={p:.2g})")
    print(f"\nbest quantized variant against the best global method at the budget (sign test, "
          f"p < 0.05), over {len(cases)} cases:")
    for verdict in ("worse", "no significant difference", "better"):
        print(f"  {verdict}: {len(verdicts[verdict])}: " + "; ".join(verdicts[verdict]))


ABBREV = {"float": "f", "fixed 2^5": "q", "on_zero_step": "z", "annealing": "a"}


def short_name(method: str) -> str:
    if method == MATCHED:
        return "ms@a"
    if method in GLOBAL:
        return {"bfgs multistart": "ms", "dual_annealing": "DA", "basinhopping": "BH",
                "langevin": "LD"}[method]
    m, g = method.split(" ", 1)
    return f"{m}.{ABBREV[g]}"


def print_matrix(cases, stats_by) -> None:
    print("\n=== 4. Success % (compact); .f float, .q fixed grid 2^5, .z on_zero_step, "
          ".a annealing; ms multistart BFGS, ms@a multistart cut at bfgs.a's nfev, DA "
          "dual_annealing, BH basinhopping, LD Langevin ===")
    print(f"{'case':20s}" + "".join(f"{short_name(m):>7s}" for m in ROWS))
    for case in cases:
        name, n = CASES[case]
        print(f"{name + ' ' + str(n):20s}"
              + "".join(f"{100 * stats_by[case, m]['ratio']:7.0f}" for m in ROWS))
    print(f"{'mean nfev':20s}" + "".join(
        f"{np.mean([stats_by[c, m]['nfev'] for c in cases]):7.0f}" for m in ROWS))
    print("\nmean nfev per run (the same columns)")
    print(f"{'case':20s}" + "".join(f"{short_name(m):>7s}" for m in ROWS))
    for case in cases:
        name, n = CASES[case]
        print(f"{name + ' ' + str(n):20s}" + "".join(
            f"{stats_by[case, m]['nfev']:7.0f}" if stats_by[case, m]["nfev"] < 1e6 else
            f"{stats_by[case, m]['nfev']:7.1e}".replace("e+0", "e") for m in ROWS))


def print_fixed_start(cases, fixed) -> None:
    print("\n=== 5. The testbench's fixed start Problem.x0, one run per function and method "
          "===\n|f - f*| of the final point ('ok': <= 0.01, '*' marks an escape); below it, "
          "nfev")
    print(f"{'case':20s}" + "".join(f"{short_name(m):>9s}" for m in METHODS))
    for case in cases:
        name, n = CASES[case]
        cells = []
        for m in METHODS:
            r = fixed[case, m]
            cells.append("ok" if r.success else f"{r.err:.3g}" if r.err < 1e3 else
                         f"{r.err:.1e}".replace("e+0", "e"))
            cells[-1] += "*" if r.escape else ""
        print(f"{name + ' ' + str(n):20s}" + "".join(f"{c:>9s}" for c in cells))
        print(f"{'  nfev':20s}" + "".join(f"{fixed[case, m].nfev:9d}" for m in METHODS))
    print(f"{'successes':20s}" + "".join(
        f"{sum(fixed[c, m].success for c in cases):9d}" for m in METHODS) + f"  of {len(cases)}")


# ----------------------------------------------------------------------------- figure

def colours() -> dict:
    import matplotlib

    out = {}
    for m, cmap in zip(LOCAL, ("Blues", "Greens", "Oranges")):
        shades = matplotlib.colormaps[cmap](np.linspace(0.45, 0.95, len(GRIDS)))
        for g, c in zip(GRIDS, shades):
            out[f"{m} {g}"] = c
    out.update({"bfgs multistart": "tab:purple", MATCHED: "violet", "dual_annealing": "black",
                "basinhopping": "tab:brown", "langevin": "tab:gray"})
    return out


MARKERS = {"float": "o", "fixed 2^5": "s", "on_zero_step": "^", "annealing": "D",
           "bfgs multistart": "P", MATCHED: "p", "dual_annealing": "*", "basinhopping": "X",
           "langevin": "v"}


def figure(cases, stats_by, out: pathlib.Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.lines
    import matplotlib.pyplot as plt

    groups = [[c for c in cases if CASES[c][1] <= 4], [c for c in cases if CASES[c][1] >= 10]]
    groups = [g for g in groups if g]
    legend_in = 1.25
    height = 5.0 * len(groups) + legend_in
    fig, axes = plt.subplots(len(groups), 1, figsize=(17, height), squeeze=False)
    col = colours()
    width = 0.86 / len(ROWS)
    for ax, members in zip(axes[:, 0], groups):
        for j, method in enumerate(ROWS):
            xs = np.arange(len(members)) - 0.43 + (j + 0.5) * width
            s = [stats_by[c, method] for c in members]
            y = np.array([100 * v["ratio"] for v in s])
            err = np.array([[100 * (v["ratio"] - v["lo"]) for v in s],
                            [100 * (v["hi"] - v["ratio"]) for v in s]])
            marker = MARKERS.get(method) or MARKERS[method.split(" ", 1)[1]]
            ax.errorbar(xs, y, yerr=err, fmt=marker, color=col[method],
                        ecolor=col[method], markersize=9 if marker == "*" else 6.5,
                        elinewidth=1.5, capsize=2, label=method)
        for k in range(1, len(members)):
            ax.axvline(k - 0.5, color="0.85", lw=0.8, zorder=0)
        ax.set_xticks(np.arange(len(members)))
        ax.set_xticklabels([f"{CASES[c][0]}\nn = {CASES[c][1]}" for c in members], fontsize=10)
        ax.set_xlim(-0.5, len(members) - 0.5)
        ax.set_ylim(-3, 103)
        ax.set_ylabel("success ratio, % (|f - f*| <= 0.01)\nbars: Wilson 95% interval")
        ax.grid(axis="y", color="0.9")
        group = "n = 2 (Powell: n = 4)" if CASES[members[0]][1] <= 4 else \
            "n = 10 (Powell: n = 12)"
        ax.set_title(group, fontsize=10, loc="left")
    fig.suptitle(title, fontsize=11)
    # the legend in columns by family: gd, cg, bfgs (float, fixed, on_zero, annealing), global
    handles = dict(zip(*reversed(axes[0, 0].get_legend_handles_labels())))
    blank = matplotlib.lines.Line2D([], [], linestyle="none")
    columns = [[f"{m} {g}" for g in GRIDS] + [None] for m in LOCAL]
    columns.append(list(GLOBAL) + [MATCHED])
    order = [name for column in columns for name in column]
    fig.legend([handles[k] if k else blank for k in order], [k or "" for k in order],
               loc="lower center", ncol=len(columns), fontsize=10, frameon=False,
               columnspacing=2.5)
    fig.tight_layout(rect=(0, legend_in / height, 1, 1))
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)


# ----------------------------------------------------------------------------- main

def machine() -> str:
    try:
        cpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = next((line.split(":", 1)[1].strip() for line in cpu.splitlines()
                      if line.startswith("Model name")), platform.processor())
    except (OSError, subprocess.CalledProcessError):
        model = platform.processor()
    return (f"machine: {model}, {os.cpu_count()} CPUs, {platform.system()} "
            f"{platform.release()}; Python {sys.version.split()[0]}, numpy {np.__version__}, "
            f"scipy {scipy.__version__}, quantopt {qo.__version__}; "
            f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}")


HEAVY = ("whitley", "powell", "xin_she_yang_n4", "schaffer_n2", "griewank")


def make_tasks(cases, count: int, maxiter: int) -> list:
    """Chunks of CHUNK starts per (case, method), heaviest cases first (for load balance),
    then one task per (case, method) for the fixed start."""
    def weight(case):
        name, n = CASES[case]
        return (HEAVY.index(name) if name in HEAVY else len(HEAVY), -n)

    tasks = []
    for case in sorted(cases, key=weight):
        for method in METHODS:
            for lo in range(0, count, CHUNK):
                tasks.append((case, method, tuple(range(lo, min(count, lo + CHUNK))), count,
                              maxiter))
    tasks += [(case, method, (-1,), count, maxiter) for case in cases for method in METHODS]
    return tasks


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"2-D group only, {QUICK_STARTS} starts, maxiter {QUICK_MAXITER}")
    parser.add_argument("--starts", type=int, default=None, help=f"starts per case ({STARTS})")
    parser.add_argument("--workers", type=int, default=2, help="processes (2)")
    parser.add_argument("--only", default=None,
                        help="comma-separated function names (a subset, for pilots)")
    parser.add_argument("--out", type=pathlib.Path, default=None,
                        help="the figure (default figures/global_success.png; with --quick, "
                             "global_success_quick.png in the temporary directory)")
    parser.add_argument("--dump", type=pathlib.Path, default=None,
                        help="also pickle the runs to this file")
    parser.add_argument("--load", type=pathlib.Path, default=None,
                        help="print and plot the runs pickled by --dump instead of running")
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = (pathlib.Path(tempfile.gettempdir()) / "global_success_quick.png"
                    if args.quick else DEFAULT_OUT)
    if args.load:
        with open(args.load, "rb") as fh:
            saved = pickle.load(fh)
        print(saved["header"])
        report(**{**saved["report"], "out": args.out})
        print(saved["footer"])
        return
    count = args.starts or (QUICK_STARTS if args.quick else STARTS)
    maxiter = QUICK_MAXITER if args.quick else MAXITER
    cases = [i for i, c in enumerate(CASES) if not args.quick or c in LOW_DIM]
    if args.only:
        names = set(args.only.split(","))
        cases = [i for i in cases if CASES[i][0] in names]
    header = (machine() + "\n"
              f"protocol: {count} uniform starts per case (SeedSequence({SEED})), success "
              f"|f - f*| <= {TOL}, local maxiter {maxiter}, Armijo lr/c1/shrink = "
              f"{ARMIJO['lr']}/{ARMIJO['c1']}/{ARMIJO['shrink']}, grid 2^5 = {QP0}, budget "
              f"{BUDGET_PER_DIM} n f-evals for the global methods; {args.workers} worker(s)"
              + (" [--quick: a smoke test, not the result]" if args.quick else ""))
    print(header)
    tasks = make_tasks(cases, count, maxiter)
    t0 = time.perf_counter()
    results, fixed = {}, {}
    seconds = collections.Counter()
    pool = multiprocessing.get_context("fork").Pool(args.workers) if args.workers > 1 else None
    outcomes = pool.imap_unordered(run_task, tasks) if pool else map(run_task, tasks)
    step = max(1, len(tasks) // 20)
    for done, (case, method, out, spent) in enumerate(outcomes, 1):
        seconds[method] += spent
        for i, run in out:
            if i < 0:
                fixed[case, method] = run
            else:
                results.setdefault((case, method), [None] * count)[i] = run
        if done % step == 0 or done == len(tasks):
            print(f"  {done}/{len(tasks)} tasks, {time.perf_counter() - t0:.0f} s", flush=True)
    if pool:
        pool.close()
        pool.join()
    elapsed = time.perf_counter() - t0
    footer = (f"elapsed {elapsed:.0f} s wall ({elapsed / 60:.1f} min) with {args.workers} "
              f"worker(s); worker seconds per method (summed over its tasks): "
              + ", ".join(f"{m} {seconds[m]:.0f}" for m in METHODS))
    saved = {"cases": cases, "results": results, "fixed": fixed, "count": count,
             "quick": args.quick, "out": args.out}
    if args.dump:
        with open(args.dump, "wb") as fh:
            pickle.dump({"header": header, "report": saved, "footer": footer}, fh)
    report(**saved)
    print(footer)


def report(cases, results, fixed, count, quick, out) -> None:
    """Print every table and write the figure."""
    results = dict(results)
    for case in cases:
        results[case, MATCHED] = matched_runs(case, results)
    stats_by = {(c, m): summary(results[c, m]) for c in cases for m in ROWS}
    print_tables(cases, stats_by)
    print_paired(cases, results, stats_by)
    print_best_vs_global(cases, results, stats_by)
    print_matrix(cases, stats_by)
    print_fixed_start(cases, fixed)
    title = (f"Success ratio from {count} uniform starts per function (|f - f*| <= {TOL}); "
             f"global methods at {BUDGET_PER_DIM} n f-evaluations"
             + (" [--quick]" if quick else ""))
    figure(cases, stats_by, out, title)
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
