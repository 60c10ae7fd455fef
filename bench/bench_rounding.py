"""Rounding throughput against the memory-bandwidth floor (issue 6, item 3): ratios, one run.

For n = 10**7 float64 (and 10**8 with --large), times quantize, to_codes and stochastic_round,
and the inexact one-liner floor(qp*x + 0.5) for reference, each divided by the time of
np.copyto of the same array measured in the same run (absolute times on a shared machine are
noise; ratios are what the targets are stated in). Best of `--repeat` runs.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import quantopt as qo


def best_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def run(n: int, qp: float, repeat: int) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=n)
    out = np.empty_like(x)
    copy = best_time(lambda: np.copyto(out, x), repeat)
    cases = {
        "np.copyto (the floor)": lambda: np.copyto(out, x),
        "floor(qp*x + 0.5) (inexact)": lambda: np.floor(qp * x + 0.5) / qp,
        "quantize (exact)": lambda: qo.quantize(x, qp),
        "to_codes (exact)": lambda: qo.to_codes(x, qp),
        "stochastic_round": lambda: qo.stochastic_round(x, qp, rng=1),
    }
    print(f"n = {n:.0e}, qp = {qp:g}, float64; copy time {copy * 1e3:.1f} ms")
    for name, fn in cases.items():
        t = best_time(fn, repeat)
        print(f"  {name:<30} {t * 1e3:9.1f} ms   {t / copy:6.1f} x copy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", action="store_true", help="also n = 10**8 (about 10 GB)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [10**7] + ([10**8] if args.large else [])
    for n in sizes:
        for qp in (256.0, 100.0):  # a power of two (exact product) and a decimal grid
            run(n, qp, args.repeat)


if __name__ == "__main__":
    main()
