"""Time per step against n for every update rule, log-log: the scaling figure (issue 6, item 4).

Run: `make bench` (or `.venv/bin/python bench/bench_scaling.py [--out figures/scaling.png]`).
Writes figures/scaling.png and prints, for each method, the time per step at each n and the
slope of log(time) against log(n) fitted over the largest sizes measured, beside the slope the
method's cost model predicts:

    gd, sgd, momentum, nesterov, adagrad, rmsprop, adam    O(n)      elementwise
    lbfgs (memory m = 10)                                   O(m n)    two-loop recursion
    bfgs                                                    O(n^2)    rank-two update of B
    newton                                                  O(n^3)    eigendecomposition of H

What is timed is one step as :func:`quantopt.minimize` takes it with a fixed lr: the rule's
pure ``step`` (the direction d and the new state) and the move ``x + lr*d``, in steady state:
BFGS and L-BFGS have already stored their pairs (memory full), so the time includes the update.
Where a rule also has an in-place step (``step_inplace``), it is timed too and drawn dashed.
f and its gradient are not part of a step: the gradients fed to the rules are fixed arrays, so
what is measured is the optimizer's own cost.

Each point is the best of several repeats (the repeats shrink as n grows); small n is
dominated by the fixed Python cost of a call (a few microseconds), which is why every curve is
flat on the left and the fitted slopes use the largest sizes only.
"""
from __future__ import annotations

import argparse
import pathlib
import time

import numpy as np

from quantopt.optim import RULES

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "figures" / "scaling.png"

MEMORY = 10
FIRST_ORDER = ("gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
#: method -> (sizes, predicted slope, label of the cost model)
SIZES = {
    **{m: ([10**k for k in range(1, 8)], 1, "O(n)") for m in FIRST_ORDER},
    "lbfgs": ([10**k for k in range(1, 7)] + [3 * 10**6], 1, f"O(mn), m={MEMORY}"),
    "bfgs": ([10, 30, 100, 300, 1000, 2000, 4000], 2, "O(n^2)"),
    "newton": ([10, 30, 100, 200, 400, 800, 1600], 3, "O(n^3)"),
}
QUICK_CAP = {"first": 10**6, "lbfgs": 10**5, "bfgs": 1000, "newton": 400}


def _repeats(n_work: float) -> int:
    """More repeats for cheap steps: about 0.2 s of work or at least 3 repeats."""
    return int(np.clip(2e7 / max(n_work, 1.0), 3, 200))


def _best(fn, repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _warm_state(rule, x, g_of, steps: int):
    """Run a few steps on the separable quadratic f = sum(a x^2)/2 so that the state is in steady
    state (BFGS/L-BFGS with their pairs stored: y^T s > 0 there for any step)."""
    state = rule.init(x)
    for _ in range(steps):
        d, state = rule.step(state, x, g_of(x))
        x = x + 0.1 * d
    return state, x


def time_step(method: str, n: int, rng: np.random.Generator) -> tuple[float, float | None]:
    """Seconds per step (``step`` then ``x + lr*d``; ``step_inplace`` too where there is one)."""
    rule = RULES[method](memory=MEMORY) if method == "lbfgs" else RULES[method]()
    a = rng.uniform(1.0, 10.0, size=n)  # the quadratic's curvatures
    x = rng.standard_normal(n)
    hess = None
    if rule.needs_hess:
        M = rng.standard_normal((n, n))
        hess = M @ M.T / n + np.eye(n)
    warm = MEMORY + 2 if method in ("lbfgs", "bfgs") else 2
    if method == "newton":
        state = rule.init(x)
    else:
        state, x = _warm_state(rule, x, lambda z: a * z, warm)
    g = a * x
    work = {"lbfgs": MEMORY * n, "bfgs": n * n, "newton": n**3 / 10}.get(method, n)
    repeat = _repeats(work)
    def pure():
        d, _ = rule.step(state, x, g, hess)
        return x + 1e-12 * d  # the driver's move x + lr*d is part of a step

    t_step = _best(pure, repeat)
    t_inplace = None
    inplace = getattr(rule, "step_inplace", None)
    if inplace is not None and method in FIRST_ORDER:
        xi = x.copy()
        st = state
        def call():
            nonlocal st
            st = inplace(st, xi, g, 1e-12)  # a tiny lr keeps xi essentially fixed
        t_inplace = _best(call, repeat)
    return t_step, t_inplace


def fitted_slope(ns, ts, last: int = 3) -> float:
    """Least-squares slope of log t against log n over the ``last`` largest sizes."""
    ln, lt = np.log(np.asarray(ns[-last:], float)), np.log(np.asarray(ts[-last:], float))
    return float(np.polyfit(ln, lt, 1)[0])


def plot(results: dict, out: pathlib.Path) -> None:
    """Left: every method's step with reference slopes. Right: the elementwise rules, pure step
    (solid) against step_inplace (dashed)."""
    from matplotlib.figure import Figure

    from quantopt.viz import color_for

    fig = Figure(figsize=(13.0, 5.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    markers = "osv^DPX*h<"  # 10 methods, 8 colours: the marker tells the repeats apart
    for i, (method, (ns, ts, tis)) in enumerate(results.items()):
        c, mk = color_for(i), markers[i % len(markers)]
        left.loglog(ns, ts, mk + "-", color=c, markersize=4, linewidth=1.3, label=method)
        if any(t is not None for t in tis):
            right.loglog(ns, ts, mk + "-", color=c, markersize=4, linewidth=1.3, label=method)
            pts = [(n, t) for n, t in zip(ns, tis) if t is not None]
            right.loglog(*zip(*pts), mk + "--", color=c, markersize=3.5, linewidth=1.0,
                         markerfacecolor="none", label=f"{method}, step_inplace")
    # reference slopes through the largest measured point of a representative method
    for method, k, text in (("adam", 1, "O(n)"), ("lbfgs", 1, "O(mn)"), ("bfgs", 2, "O(n²)"),
                            ("newton", 3, "O(n³)")):
        if method not in results:
            continue
        ns, ts, _ = results[method]
        n1, t1 = ns[-1], ts[-1]
        ref_n = np.array([ns[max(0, len(ns) - 4)], n1], float)
        left.loglog(ref_n, 2.5 * t1 * (ref_n / n1) ** k, ":", color="0.3", linewidth=1.6)
        left.annotate(text, (n1, 2.5 * t1), textcoords="offset points", xytext=(-10, 6),
                      fontsize=10, color="0.2")
    left.set_title("Every method: one step (dotted: reference slopes)")
    right.set_title("Elementwise rules: step + x + lr·d (solid) vs step_inplace (dashed)")
    for ax in (left, right):
        ax.set_xlabel("n (number of parameters)")
        ax.set_ylabel("time per step (s)")
        ax.grid(True, which="major", linewidth=0.4, alpha=0.6)
    left.legend(fontsize=8, ncol=2, loc="lower right")
    right.legend(fontsize=7.5, ncol=2, loc="upper left")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    parser.add_argument("--quick", action="store_true", help="small sizes only (a few seconds)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    results = {}
    print(f"{'method':<10} {'model':<14} {'fitted slope':>12}   time per step (s) at n")
    for method, (sizes, slope, model) in SIZES.items():
        if args.quick:
            cap = QUICK_CAP["first" if method in FIRST_ORDER else method]
            sizes = [n for n in sizes if n <= cap]
        ts, tis = [], []
        for n in sizes:
            t, ti = time_step(method, n, rng)
            ts.append(t)
            tis.append(ti)
        results[method] = (sizes, ts, tis)
        fit = fitted_slope(sizes, ts)
        cells = "  ".join(f"{n:.0e}:{t:.2e}" for n, t in zip(sizes, ts))
        print(f"{method:<10} {model:<14} {fit:>6.2f} (≈{slope})   {cells}", flush=True)
        if any(t is not None for t in tis):
            cells = "  ".join(f"{n:.0e}:{t:.2e}" for n, t in zip(sizes, tis))
            fit = fitted_slope(sizes, tis)
            print(f"{'  inplace':<10} {model:<14} {fit:>6.2f} (≈{slope})   {cells}", flush=True)
    plot(results, args.out)
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
