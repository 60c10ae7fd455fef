"""BFGS and L-BFGS against scipy (BFGS, L-BFGS-B): evaluation counts to the same gradient tolerance.

Run: `make bench` (or `.venv/bin/python bench/bench_quasi_newton.py`). Prints one table; counts
are deterministic, so the table is reproducible. Both runs stop on max|grad| <= GTOL; each row
also reports the final max|grad| and the distance to the known minimizer, re-evaluated here.
"""
from __future__ import annotations

import time

import numpy as np
from scipy.optimize import minimize as scipy_minimize

import quantopt as qo
from quantopt import problems

GTOL = 1e-7

CASES = {
    "quadratic n=5 cond=100": lambda: problems.quadratic(n=5, cond=100.0, seed=1),
    "rosenbrock n=2": lambda: problems.rosenbrock(n=2),
    "rosenbrock n=6": lambda: problems.rosenbrock(n=6),
    "rosenbrock n=100": lambda: problems.rosenbrock(n=100),
    "beale": problems.beale,
    "himmelblau": problems.himmelblau,
    "logistic n_features=5": problems.logistic_regression,
}


def _row(label, method, prob, x, nit, nfev, njev, secs):
    g = np.max(np.abs(prob.grad(x)))
    dist = np.min(np.linalg.norm(prob.minimizers - x, axis=1))
    return (f"{label:<24} {method:<10} {nit:>6} {nfev:>6} {njev:>6} {g:>10.2e} {dist:>10.2e} "
            f"{secs * 1e3:>9.1f}")


def main() -> None:
    print(f"gradient tolerance max|grad| <= {GTOL:g}; quantopt uses line_search='wolfe'")
    head = (f"{'problem':<24} {'method':<10} {'nit':>6} {'nfev':>6} {'njev':>6} "
            f"{'max|g|':>10} {'|x-x*|':>10} {'ms':>9}")
    print(head)
    print("-" * len(head))
    for label, make in CASES.items():
        prob = make()
        for ours, theirs in (("bfgs", "BFGS"), ("lbfgs", "L-BFGS-B")):
            t = time.perf_counter()
            r = qo.minimize(prob.f, prob.x0, jac=prob.grad, method=ours, line_search="wolfe",
                            options={"gtol": GTOL, "maxiter": 20000, "path": False})
            t = time.perf_counter() - t
            print(_row(label, "qo." + ours, prob, r.x, r.nit, r.nfev, r.njev, t))
            opts = {"gtol": GTOL, "maxiter": 20000}
            if theirs == "L-BFGS-B":
                opts["ftol"] = 1e-15
            t = time.perf_counter()
            s = scipy_minimize(prob.f, prob.x0, jac=prob.grad, method=theirs, options=opts)
            t = time.perf_counter() - t
            print(_row(label, "sp." + theirs, prob, s.x, s.nit, s.nfev, s.njev, t))
    print("\nnfev counts every call of f (line-search trials included); scipy's BFGS and")
    print("L-BFGS-B evaluate f and grad together, so their nfev equals njev.")


if __name__ == "__main__":
    main()
