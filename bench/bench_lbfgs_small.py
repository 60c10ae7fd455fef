"""L-BFGS's own cost per step against n, and per iteration against L-BFGS-B at n = 2 (issue 12).

Run: `make bench` (or `.venv/bin/python bench/bench_lbfgs_small.py [--rounds R]`). Prints

1. microseconds per call of ``lbfgs(memory=10).step`` in steady state (ten pairs stored, a new
   pair entering and the oldest leaving at every call), at n = 2 ... 10^6, for both of its
   paths: the basis stacked in one (2m + 1, n) array (the default for n <= 2048) and the
   vectors kept separate (the default beyond), each forced through the module's thresholds.
   The stacked path is not run at n = 10^6 (a 168 MB array per step);
2. microseconds per iteration of ``minimize(method="lbfgs")`` (its default Wolfe search) and of
   scipy's L-BFGS-B (ftol = 0, gtol = 1e-7 for both) on the 2-D Rosenbrock and extended
   Rosenbrock functions: total time of a run / its iterations, with the counts.

Every number is a median over R rounds (default 9); within a round the alternatives run one
after another in alternating order, and the ratios are medians of the per-round (paired) ratios,
printed with their range. One BLAS thread (as bench_quasi_newton.py). Times are wall-clock on a
shared machine: read the ratios.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np
from scipy.optimize import minimize as scipy_minimize

import quantopt as qo
from quantopt import problems
from quantopt.optim import lbfgs, second_order

MEMORY = 10
SIZES = [2, 10, 100, 1000, 2048, 4096, 10**4, 10**6]
STACKED_MAX = 10**4
PATHS = {"stacked": 10**12, "separate": 0}   # values of the two thresholds that force a path
GTOL = 1e-7


def _steady_state(n: int):
    """A state with MEMORY pairs from a separable quadratic, and the next (x, g)."""
    rng = np.random.default_rng(0)
    a = rng.uniform(1.0, 10.0, size=n)
    x = rng.standard_normal(n)
    rule = lbfgs(memory=MEMORY)
    state = rule.init(x)
    for _ in range(MEMORY + 4):
        d, state = rule.step(state, x, a * x)
        x = x + 0.1 * d
    return rule, state, x, a * x


def _step_us(n: int, path: str, calls: int) -> float:
    old = second_order._STACK_MAX_N, second_order._STACK_MAX_ENTRIES
    second_order._STACK_MAX_N = second_order._STACK_MAX_ENTRIES = PATHS[path]
    try:
        rule, state, x, g = _steady_state(n)
        times = []
        for _ in range(calls):
            t = time.perf_counter()
            rule.step(state, x, g)
            times.append(time.perf_counter() - t)
    finally:
        second_order._STACK_MAX_N, second_order._STACK_MAX_ENTRIES = old
    return float(np.median(times)) * 1e6


def step_table(rounds: int) -> None:
    default = {n: "stacked" if n <= second_order._STACK_MAX_N else "separate" for n in SIZES}
    print(f"lbfgs(memory={MEMORY}).step, microseconds per call (median over {rounds} rounds of "
          "the median of many calls); *: the path lbfgs takes at that n")
    print(f"{'n':>8} {'stacked':>11} {'separate':>11} {'stacked/separate':>18}")
    for n in SIZES:
        paths = ["stacked", "separate"] if n <= STACKED_MAX else ["separate"]
        calls = 1000 if n <= 1000 else (100 if n <= 10**4 else 5)
        res = {p: [] for p in paths}
        for r in range(rounds):
            for p in (paths if r % 2 == 0 else paths[::-1]):
                res[p].append(_step_us(n, p, calls))
        cells = []
        for p in ("stacked", "separate"):
            mark = "*" if default[n] == p else " "
            cells.append(f"{np.median(res[p]):>10.1f}{mark}" if p in res else f"{'-':>11}")
        ratio = ""
        if len(paths) == 2:
            r = np.array(res["stacked"]) / np.array(res["separate"])
            ratio = f"{np.median(r):.2f} [{r.min():.2f}-{r.max():.2f}]"
        print(f"{n:>8} {cells[0]} {cells[1]} {ratio:>18}")


def _run(who: str, prob):
    t = time.perf_counter()
    if who == "qo":
        r = qo.minimize(prob.f, prob.x0, jac=prob.grad, method="lbfgs",
                        options={"gtol": GTOL, "maxiter": 20000, "path": False})
    else:
        r = scipy_minimize(prob.f, prob.x0, jac=prob.grad, method="L-BFGS-B",
                           options={"gtol": GTOL, "ftol": 0.0, "maxiter": 20000,
                                    "maxfun": 40000})
    return time.perf_counter() - t, r.nit, r.nfev


def iteration_table(rounds: int, runs: int = 30) -> None:
    print(f"\nPer iteration at n = 2: median over {rounds} rounds of the median of {runs} runs, "
          "total time / nit; ratio: paired, median [range]")
    print(f"{'problem':<24} {'method':<12} {'nit':>4} {'nfev':>5} {'us/it':>8} {'qo/sp':>17}")
    for label, prob in (("rosenbrock(2)", problems.rosenbrock(2)),
                        ("extended_rosenbrock(2)", problems.extended_rosenbrock(2))):
        res = {"qo": [], "sp": []}
        counts = {}
        for r in range(rounds):
            for who in (("qo", "sp") if r % 2 == 0 else ("sp", "qo")):
                out = [_run(who, prob) for _ in range(runs)]
                counts[who] = out[0][1:]
                res[who].append(np.median([t for t, _, _ in out]) / counts[who][0])
        ratio = np.array(res["qo"]) / np.array(res["sp"])
        for who, name in (("qo", "qo.lbfgs"), ("sp", "sp.L-BFGS-B")):
            tail = f"{np.median(ratio):.2f} [{ratio.min():.2f}-{ratio.max():.2f}]" \
                if who == "qo" else ""
            print(f"{label:<24} {name:<12} {counts[who][0]:>4} {counts[who][1]:>5} "
                  f"{np.median(res[who]) * 1e6:>8.1f} {tail:>17}")


_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds (default 9)")
    args = parser.parse_args()
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        # BLAS reads its thread count when it loads: run again in a fresh interpreter
        env = {**os.environ, **{v: "1" for v in _THREAD_VARS}}
        subprocess.run([sys.executable, os.path.abspath(__file__), *sys.argv[1:]], env=env,
                       check=True)
        return
    print("BLAS threads: 1 (OPENBLAS_NUM_THREADS)")
    step_table(args.rounds)
    iteration_table(args.rounds)


if __name__ == "__main__":
    main()
