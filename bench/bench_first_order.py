"""First-order steps against the memory-bandwidth floor (issue 6, items 2 and 5): ratios, one run.

For n = 10**7 float32 and float64 arrays, times each elementwise rule's fused in-place step
``state = rule.step_inplace(state, x, g, lr)`` and, for contrast, the pure step followed by the
driver's update (``d, state = rule.step(state, x, g); x = x + lr*d``), against the floor

    t_floor = t_copy * N

where t_copy is the time of ``np.copyto`` of one array of the same size and dtype, measured in the
same run, and N is the number of distinct arrays the step reads or writes (gd/sgd: x, g -> 2;
momentum: x, g, v -> 3; nesterov: x, g, b -> 3; adagrad: x, g, G -> 3; rmsprop: x, g, s -> 3;
adam: x, g, m, v -> 4). Target: step_inplace within 3x of t_floor. For information the table
also gives the step in copy-times and the bytes-moved floor, (arrays read + arrays written) / 2
copy-times (a copy reads one array and writes one).

Peak memory of one call is measured with tracemalloc (numpy reports its buffers to it), for
step_inplace and for the pure step + ``x + lr*d``. Timings are the best of ``--repeat`` runs
(other processes share the machine); the state keeps evolving between repeats, which changes no
operation count.

If PyTorch is importable, the same steps are timed with torch.optim on a tensor of the same data
(``p.grad`` set once, ``opt.step()`` timed alone; foreach default, i.e. the multi-tensor path,
and foreach=False), with torch's default thread count, reported. PyTorch is never a dependency:
without it the script says so and skips that part.
"""
from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

import numpy as np

import quantopt.optim as optim
import quantopt.optim.base as base

# rule name -> (arrays read or written N, arrays read, arrays written)
ARRAYS = {
    "gd": (2, 2, 1),
    "sgd": (2, 2, 1),
    "momentum": (3, 3, 2),
    "nesterov": (3, 3, 2),
    "adagrad": (3, 3, 2),
    "rmsprop": (3, 3, 2),
    "adam": (4, 4, 3),
}
LR = 1e-3
TARGET = 3.0


def best_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def peak_bytes(fn) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def make_rule(name: str):
    hyper = {"rmsprop": {"decay_rate": 0.99}, "momentum": {"momentum": 0.9},
             "nesterov": {"momentum": 0.9}}.get(name, {})
    return optim.RULES[name](**hyper)


def bench_rule(name, x0, g, repeat):
    rule = make_rule(name)
    x = x0.copy()
    state = rule.init(x)
    box = {"state": state}

    def inplace():
        box["state"] = rule.step_inplace(box["state"], x, g, LR)

    inplace()  # warm-up (first touch of the state pages)
    t_in = best_time(inplace, repeat)
    mem_in = peak_bytes(inplace)

    pure_box = {"state": rule.init(x0), "x": x0.copy()}

    def pure():
        d, pure_box["state"] = rule.step(pure_box["state"], pure_box["x"], g)
        pure_box["x"] = pure_box["x"] + LR * d

    pure()
    t_pure = best_time(pure, repeat)
    mem_pure = peak_bytes(pure)
    return t_in, mem_in, t_pure, mem_pure


def torch_optimizers(torch, name, p, foreach):
    kw = {"foreach": foreach}
    if name in ("gd", "sgd"):
        return torch.optim.SGD([p], lr=LR, **kw)
    if name == "momentum":
        return torch.optim.SGD([p], lr=LR, momentum=0.9, **kw)
    if name == "nesterov":
        return torch.optim.SGD([p], lr=LR, momentum=0.9, nesterov=True, **kw)
    if name == "adagrad":
        return torch.optim.Adagrad([p], lr=LR, eps=1e-7, **kw)
    if name == "rmsprop":
        return torch.optim.RMSprop([p], lr=LR, alpha=0.99, eps=1e-7, **kw)
    if name == "adam":
        return torch.optim.Adam([p], lr=LR, eps=1e-7, **kw)
    raise KeyError(name)


def bench_torch(torch, name, x0, g, repeat, foreach):
    p = torch.nn.Parameter(torch.from_numpy(x0.copy()))
    p.grad = torch.from_numpy(g.copy())
    opt = torch_optimizers(torch, name, p, foreach)
    with torch.no_grad():
        opt.step()  # creates the state
        return best_time(opt.step, repeat)


def run(n: int, dtype, rules, repeat: int, torch, torch_rules) -> list[str]:
    rng = np.random.default_rng(0)
    x0 = rng.normal(size=n).astype(dtype)
    g = rng.normal(size=n).astype(dtype)
    out = np.empty_like(x0)
    copies = []

    def measure_copy():  # before every rule: the floor is the best copy seen in the whole run
        copies.append(best_time(lambda: np.copyto(out, x0), repeat))

    rows = []
    for name in rules:
        measure_copy()
        rows.append((name, bench_rule(name, x0, g, repeat)))
    torch_rows = []
    if torch is not None:
        for name in torch_rules:
            measure_copy()
            torch_rows.append((name, bench_torch(torch, name, x0, g, repeat, None),
                               bench_torch(torch, name, x0, g, repeat, False)))
        a, b = torch.from_numpy(x0.copy()), torch.from_numpy(x0.copy())
        t_torch_copy = best_time(lambda: a.copy_(b), repeat)
    measure_copy()
    copy = min(copies)

    itemsize = np.dtype(dtype).itemsize
    mb = n * itemsize / 2**20
    print(f"\nn = {n:.0e}, {np.dtype(dtype).name}: one array {mb:.0f} MiB, np.copyto "
          f"{copy * 1e3:.1f} ms (= 1 copy-time; best of {len(copies)}x{repeat} measured between "
          f"the rules, median of bests {np.median(copies) * 1e3:.1f} ms), "
          f"block {base.BLOCK_BYTES // itemsize} elements, best of {repeat}")
    print("  floor = copy-time x N, N = arrays read or written; bytes floor = (reads + writes)/2 "
          "copy-times; target: step_inplace <= 3 x floor")
    head = (f"  {'rule':<9} {'N':>2} {'bytes':>5} {'inplace':>8} {'/floor':>6} {'target':>7} "
            f"{'pure':>7} {'/floor':>6} {'peak inplace':>13} {'peak pure':>10}")
    print(head + "   (times in copy-times; peaks in MiB and in arrays of n)")
    summary = []
    for name, (t_in, mem_in, t_pure, mem_pure) in rows:
        N, reads, writes = ARRAYS[name]
        r_in, r_pure = t_in / (copy * N), t_pure / (copy * N)
        met = "met" if r_in <= TARGET else "NOT met"
        print(f"  {name:<9} {N:>2} {(reads + writes) / 2:>5.1f} {t_in / copy:>8.2f} {r_in:>6.2f} "
              f"{met:>7} {t_pure / copy:>7.2f} {r_pure:>6.2f} "
              f"{mem_in / 2**20:>6.2f} ({mem_in / (n * itemsize):.3f}) "
              f"{mem_pure / 2**20:>5.0f} ({mem_pure / (n * itemsize):.1f})")
        summary.append(f"{np.dtype(dtype).name} {name}: {r_in:.2f} x floor ({met})")
    if torch is None:
        print("  PyTorch not installed: torch.optim comparison skipped")
        return summary
    print(f"  torch {torch.__version__}, torch.get_num_threads() = {torch.get_num_threads()} "
          "(numpy's kernels and np.copyto use one thread); opt.step() only, p.grad set once; "
          f"torch's own tensor.copy_ takes {t_torch_copy / copy:.2f} copy-times")
    print(f"  {'rule':<9} {'torch.optim':<34} {'foreach':>8} {'/floor':>6} {'no foreach':>10} "
          f"{'/floor':>6}   (copy-times)")
    for name, t_fe, t_nf in torch_rows:
        N = ARRAYS[name][0]
        desc = type(torch_optimizers(torch, name, torch.nn.Parameter(torch.zeros(1)),
                                     None)).__name__
        desc += {"momentum": "(momentum=0.9)", "nesterov": "(nesterov=True)"}.get(name, "")
        print(f"  {name:<9} {desc:<34} {t_fe / copy:>8.2f} {t_fe / (copy * N):>6.2f} "
              f"{t_nf / copy:>10.2f} {t_nf / (copy * N):>6.2f}")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10**7)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--block-bytes", type=int, default=None,
                        help="bytes per array per block (quantopt.optim.base.BLOCK_BYTES)")
    parser.add_argument("--rules", default=",".join(ARRAYS))
    parser.add_argument("--no-torch", action="store_true", help="skip the torch.optim part")
    parser.add_argument("--dtypes", default="float32,float64")
    args = parser.parse_args()
    if args.block_bytes is not None:
        base.BLOCK_BYTES = args.block_bytes
    rules = args.rules.split(",")
    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            torch = None
    # sgd is gd's kernel under another name: torch's side skips it
    torch_rules = [r for r in rules if r != "sgd"]
    summary = []
    for dt in args.dtypes.split(","):
        summary += run(args.n, np.dtype(dt).type, rules, args.repeat, torch, torch_rules)
    print("\nsummary (step_inplace / floor, target <= 3):")
    for line in summary:
        print("  " + line)


if __name__ == "__main__":
    main()
