"""Rounding throughput against the memory-bandwidth floor (issue 6, item 3): ratios, one run.

For n = 10**7 float64 (and 10**8 with --large), times quantize, to_codes and stochastic_round,
and the inexact one-liner floor(qp*x + 0.5)/qp for reference, each divided by the time of
np.copyto of the same array measured in the same run (absolute times on a shared machine are
noise; ratios are what the targets are stated in). Every repeat times the copy and then each
case, interleaved, and each row reports its best repeat over the best copy. qp = 256 (a power
of two: exact product) and qp = 100 (a decimal grid: certified fast path).

At n <= 10**7 the previous whole-array implementation (the exact path the blocked kernels
fall back to, quantopt.rounding._quantize_reference) is timed too, for the speed-up. float32
rows divide by the float32 copy. Target (issue 6): quantize, float64, within 6x copy.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import quantopt as qo
from quantopt import rounding

TARGET = 6.0


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def run(n: int, qp: float, dtype, repeat: int, reference: bool) -> dict[str, float]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=n).astype(dtype)
    out = np.empty_like(x)
    cases = {
        "floor(qp*x + 0.5)/qp (inexact)": lambda: np.floor(qp * x + 0.5) / qp,
        "quantize (exact)": lambda: qo.quantize(x, qp),
    }
    if dtype == np.float64:
        cases["to_codes (exact)"] = lambda: qo.to_codes(x, qp)
        cases["stochastic_round"] = lambda: qo.stochastic_round(x, qp, rng=1)
        if reference:
            cases["previous quantize (whole array)"] = (
                lambda: rounding._quantize_reference(x, qp, np.float64))
    best = {name: np.inf for name in cases}
    copy = np.inf
    for _ in range(repeat):
        copy = min(copy, timed(lambda: np.copyto(out, x)))
        for name, fn in cases.items():
            best[name] = min(best[name], timed(fn))
    print(f"n = {n:.0e}, qp = {qp:g}, {np.dtype(dtype).name}; copy {copy * 1e3:.1f} ms "
          f"(best of {repeat})")
    ratios = {}
    for name, t in best.items():
        ratios[name] = t / copy
        print(f"  {name:<34} {t * 1e3:9.1f} ms   {t / copy:6.1f} x copy")
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", action="store_true",
                        help="also n = 10**8 (about 5 GB of arrays at the peak)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes = [10**7] + ([10**8] if args.large else [])
    verdicts = []
    for n in sizes:
        for qp in (256.0, 100.0):  # a power of two (exact product) and a decimal grid
            r = run(n, qp, np.float64, args.repeat, reference=n <= 10**7)
            q = r["quantize (exact)"]
            verdicts.append(f"  n = {n:.0e}, qp = {qp:g}: quantize {q:.1f} x copy -> "
                            + ("met" if q <= TARGET else "NOT met"))
        for qp in (256.0, 100.0):
            run(n, qp, np.float32, args.repeat, reference=False)
    print(f"\ntarget: quantize (float64, exact) within {TARGET:g}x np.copyto")
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()
