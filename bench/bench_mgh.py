"""BFGS and L-BFGS (quantopt) against scipy's BFGS and L-BFGS-B on the Moré-Garbow-Hillstrom set.

Run: `make bench` (or `.venv/bin/python bench/bench_mgh.py`). For every problem of
quantopt.problems.mgh (problems 1-18, 20-26 and 35, default n and m, the paper's x0) prints
f*, then one row per solver: the final f, whether it reached f* or a local minimum the paper
lists, nit, nfev, the final max|grad| and the status. Counts are deterministic: the table is
reproducible on one machine (round-off can move long runs elsewhere).

All four stop on the same test, max|grad f| <= GTOL = 1e-6: quantopt's gtol is on max|grad|;
scipy's BFGS gets gtol=1e-6 with norm=inf; L-BFGS-B gets gtol (its pgtol, the max-norm of the
projected gradient, which is the gradient here: no bounds) = 1e-6 and ftol = 0, so that it does
not stop on a small relative decrease of f. Every solver may take MAXITER iterations.

"Reached": |f - f_ref| <= RTOL |f_ref| for f_ref = f* or a listed local minimum, f_ref != 0;
RTOL = 1e-4 is ten times the precision of the paper's values (six digits, rounded or truncated:
up to 1e-5 relative). For f* = 0 a relative test says nothing: there it is f <= ZERO_ATOL =
1e-8. A stop at max|grad| = 1e-6 leaves f - f* ~ |g|^2 / (2 lambda_min) at a nonsingular
minimizer (1e-12 or less when lambda_min >= 1/2), but at the singular ones of problems 13 and 22
(f grows like |x - x*|^4 along the null space of the Hessian) f ~ |g|^(4/3) ~ 1e-8. The verdict
names the value reached: "f*", "local" (a listed local minimum), or "no": another stationary
point, a stop before f settled (ill-conditioned problems, where f - f* ~ |g|^2 / (2 lambda_min)
exceeds the tolerance), or a failure (see the status). nfev counts the calls of f (scipy's
methods evaluate f and grad together).
"""
from __future__ import annotations

import math
import os
import platform
import sys

import numpy as np
import scipy
from scipy.optimize import minimize as scipy_minimize

import quantopt as qo
from quantopt import problems

GTOL = 1e-6
MAXITER = 10000
RTOL = 1e-4
ZERO_ATOL = 1e-8

_QO_STATUS = {0: "gtol", 1: "maxiter", 2: "line search failed", 3: "step 0", 4: "nan/inf",
              5: "callback"}
_BFGS_STATUS = {0: "gtol", 1: "maxiter", 2: "precision loss", 3: "nan/inf"}


def _lbfgsb_status(r) -> str:
    """L-BFGS-B's status 0 means either test: the gradient one or, with ftol = 0, that f did
    not decrease at all in an iteration; its message tells which."""
    message = str(r.message)
    if "PROJECTED GRADIENT" in message:
        return "gtol"
    if "REDUCTION OF F" in message:
        return "f did not decrease"
    return {1: "maxiter/maxfun", 2: "abnormal"}.get(r.status, message)


def run_quantopt(prob, method: str):
    """quantopt's minimize with method "bfgs" or "lbfgs" at its defaults (the Wolfe search with
    its fallback), stopping at max|grad| <= GTOL."""
    return qo.minimize(prob.f, prob.x0, jac=prob.grad, method=method,
                       options={"gtol": GTOL, "maxiter": MAXITER, "path": False})


def run_scipy(prob, method: str):
    """scipy's minimize with method "BFGS" or "L-BFGS-B", stopping at max|grad| <= GTOL."""
    if method == "BFGS":
        options = {"gtol": GTOL, "norm": np.inf, "maxiter": MAXITER}
    else:
        options = {"gtol": GTOL, "ftol": 0.0, "maxiter": MAXITER, "maxfun": 10 * MAXITER}
    return scipy_minimize(prob.f, prob.x0, jac=prob.grad, method=method, options=options)


def verdict(prob, f: float) -> str:
    """Which listed minimum f reached: "f*", "local" or "no" (see the module docstring)."""
    def near(ref: float) -> bool:
        return abs(f - ref) <= RTOL * abs(ref) if ref != 0 else f <= ZERO_ATOL

    if math.isfinite(prob.f_star) and near(prob.f_star):
        return "f*"
    return "local" if any(near(v) for v in prob.local_minima) else "no"


def machine() -> str:
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    cpu = " ".join(filter(None, (platform.machine(), platform.processor())))
    return (f"machine: {cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}; "
            f"Python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}, "
            f"quantopt {qo.__version__}; OPENBLAS_NUM_THREADS={blas}")


def main() -> None:
    print(machine())
    print(f"stop: max|grad| <= {GTOL:g} for all four, maxiter {MAXITER}; quantopt with its "
          f"default line search (Wolfe + fallback); reached: |f - f_ref| <= {RTOL:g} |f_ref|, "
          f"or f <= {ZERO_ATOL:g} when f_ref = 0")
    head = (f"{'problem':<31} {'n':>3} {'m':>3} {'f*':>11} {'solver':<12} {'f':>12} "
            f"{'reached':>7} {'nit':>6} {'nfev':>6} {'max|g|':>8}  status")
    print(head)
    print("-" * len(head))
    counts = {}
    for k in problems.MGH_PROBLEMS:
        prob = problems.mgh(k)
        label = f"{prob.name:<31} {prob.n:>3} {prob.m:>3} {prob.f_star:>11.6g}"
        for solver, method in (("qo", "bfgs"), ("qo", "lbfgs"), ("sp", "BFGS"),
                               ("sp", "L-BFGS-B")):
            with np.errstate(all="ignore"):
                if solver == "qo":
                    r = run_quantopt(prob, method)
                    status = f"{r.status} {_QO_STATUS[r.status]}"
                else:
                    r = run_scipy(prob, method)
                    tag = (_BFGS_STATUS.get(r.status, r.message) if method == "BFGS"
                           else _lbfgsb_status(r))
                    status = f"{r.status} {tag}"
                f = float(prob.f(r.x))
                gmax = float(np.max(np.abs(prob.grad(r.x))))
            reached = verdict(prob, f)
            name = f"{solver}.{method}"
            counts.setdefault(name, {"f*": 0, "local": 0, "no": 0})[reached] += 1
            print(f"{label} {name:<12} {f:>12.6g} {reached:>7} {r.nit:>6} {r.nfev:>6} "
                  f"{gmax:>8.1e}  {status}")
            label = " " * len(label)
    print(f"\nreached, of {len(problems.MGH_PROBLEMS)} problems:")
    for name, c in counts.items():
        print(f"  {name:<12} f* {c['f*']:>2}, listed local minimum {c['local']:>2}, "
              f"neither {c['no']:>2}")


if __name__ == "__main__":
    main()
