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
(``p.grad`` set once, ``opt.step()`` timed alone), with torch's default thread count, in each of
torch's implementations: the default (foreach=None: on CPU torch 2.x picks the single-tensor
for-loop, as ``_default_to_fused_or_foreach`` decides and the script prints), foreach=True (the
multi-tensor path), foreach=False, and fused=True where the optimizer accepts it on CPU (Adam,
SGD and Adagrad in torch 2.13; probed on a small tensor, "n/a" otherwise), also with one thread
(``torch.set_num_threads(1)`` around its step, as numpy's kernels have), beside our
step_inplace on the same data. These cases are interleaved: every repeat (``--torch-repeat``)
times each of them once, right after an ``np.copyto`` of one array, starting at another case
in each repeat (the order rotates), and the table gives the median and the range (min-max)
over repeats of the paired ratio step / copy-just-before, in copy-times. PyTorch is never a
dependency: without it the script says so and skips that part.
"""
from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

import numpy as np

import quantopt.optim as optim
import quantopt.optim._fused as fused

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


# torch.optim's implementations: label -> constructor keywords
TORCH_VARIANTS = {
    "default": {},
    "foreach=True": {"foreach": True},
    "foreach=False": {"foreach": False},
    "fused=True": {"fused": True},
    "fused, 1 thread": {"fused": True},  # torch.set_num_threads(1) around its step
}
ONE_THREAD = ("fused, 1 thread",)


def one_thread(torch, step):
    """step run with torch.set_num_threads(1) (the count restored after)."""
    def run():
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            step()
        finally:
            torch.set_num_threads(threads)
    return run


def torch_optimizer(torch, name, p, **kw):
    """The torch.optim optimizer taking rule ``name``'s steps (same hyperparameters)."""
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


def torch_supports(torch, name, dtype, kw) -> str | None:
    """None if torch.optim takes rule ``name``'s step with keywords kw on a CPU tensor of this
    dtype, else the reason it does not (probed on a 4-element tensor)."""
    try:
        p = torch.nn.Parameter(torch.zeros(4, dtype=getattr(torch, np.dtype(dtype).name)))
        p.grad = torch.ones_like(p)
        with torch.no_grad():
            torch_optimizer(torch, name, p, **kw).step()
    except (TypeError, RuntimeError, ValueError) as err:
        return str(err).splitlines()[0][:80]
    return None


def torch_default_path(torch, p) -> str:
    """Which implementation torch.optim's default (foreach=None, fused=None) runs for p."""
    try:
        from torch.optim.optimizer import _default_to_fused_or_foreach
        fused, foreach = _default_to_fused_or_foreach([p], False, False)
    except (ImportError, TypeError, ValueError):
        return "unknown (torch's private _default_to_fused_or_foreach changed)"
    return "fused" if fused else "foreach (multi-tensor)" if foreach else \
        "single-tensor for-loop"


def bench_torch_rule(torch, name, x0, g, out, repeat):
    """Paired ratios step / copy-just-before (copy-times), one list per variant, the variants
    (and our step_inplace) interleaved in every repeat; None for an unsupported variant."""
    steps, reasons = {}, {}
    for label, kw in TORCH_VARIANTS.items():
        reason = torch_supports(torch, name, x0.dtype, kw)
        if reason is not None:
            reasons[label] = reason
            continue
        p = torch.nn.Parameter(torch.from_numpy(x0.copy()))
        p.grad = torch.from_numpy(g.copy())
        opt = torch_optimizer(torch, name, p, **kw)
        with torch.no_grad():
            opt.step()  # creates the state
        steps[label] = one_thread(torch, opt.step) if label in ONE_THREAD else opt.step
    rule = make_rule(name)
    x = x0.copy()
    box = {"state": rule.init(x)}

    def ours():
        box["state"] = rule.step_inplace(box["state"], x, g, LR)

    ours()
    steps["quantopt step_inplace"] = ours
    ratios = {label: [] for label in steps}
    order = list(steps.items())
    with torch.no_grad():
        for rep in range(repeat):
            k = rep % len(order)  # rotated: every case takes every place in the order
            for label, step in order[k:] + order[:k]:
                t = time.perf_counter()
                np.copyto(out, x0)
                c = time.perf_counter() - t
                t = time.perf_counter()
                step()
                ratios[label].append((time.perf_counter() - t) / c)
    for label in reasons:
        ratios[label] = None
    return ratios, reasons


def spread(values) -> str:
    """median (min-max)."""
    v = np.asarray(values, dtype=float)
    return f"{np.median(v):.3g} ({v.min():.3g}-{v.max():.3g})"


def run(n: int, dtype, rules, repeat: int, torch, torch_rules,
        torch_repeat: int) -> list[str]:
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
    measure_copy()
    copy = min(copies)

    itemsize = np.dtype(dtype).itemsize
    mb = n * itemsize / 2**20
    print(f"\nn = {n:.0e}, {np.dtype(dtype).name}: one array {mb:.0f} MiB, np.copyto "
          f"{copy * 1e3:.1f} ms (= 1 copy-time; best of {len(copies)}x{repeat} measured between "
          f"the rules, median of bests {np.median(copies) * 1e3:.1f} ms), "
          f"block {fused.BLOCK_BYTES // itemsize} elements, best of {repeat}")
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
    summary += torch_table(torch, torch_rules, x0, g, out, torch_repeat)
    return summary


def torch_table(torch, rules, x0, g, out, repeat: int) -> list[str]:
    """torch.optim's implementations beside our step_inplace, interleaved, paired ratios."""
    dt = np.dtype(x0.dtype).name
    a, b = torch.from_numpy(x0.copy()), torch.from_numpy(x0.copy())
    t_copy = []
    for _ in range(repeat):
        t = time.perf_counter()
        np.copyto(out, x0)
        c = time.perf_counter() - t
        t = time.perf_counter()
        a.copy_(b)
        t_copy.append((time.perf_counter() - t) / c)
    del a, b
    probe = torch.nn.Parameter(torch.from_numpy(x0[:4].copy()))
    print(f"  torch {torch.__version__}, torch.get_num_threads() = {torch.get_num_threads()} "
          "(numpy's kernels and np.copyto use one thread); opt.step() only, p.grad set once; "
          f"torch's own tensor.copy_ takes {spread(t_copy)} copy-times; torch.optim's default "
          f"on a CPU tensor: {torch_default_path(torch, probe)}")
    print(f"  median (min-max) over {repeat} interleaved repeats of step / np.copyto timed just "
          "before, in copy-times; [x floor] = the median over copy-time x N")
    labels = [*TORCH_VARIANTS, "quantopt step_inplace"]
    print(f"  {'rule':<9} {'torch.optim':<24} " + " ".join(f"{lb:>23}" for lb in labels))
    summary, notes = [], {}
    for name in rules:
        ratios, reasons = bench_torch_rule(torch, name, x0, g, out, repeat)
        notes.update({f"{name} {lb}": r for lb, r in reasons.items()})
        N = ARRAYS[name][0]
        desc = type(torch_optimizer(torch, name, torch.nn.Parameter(torch.zeros(1)))).__name__
        desc += {"momentum": "(momentum=0.9)", "nesterov": "(nesterov=True)"}.get(name, "")
        cells = []
        for lb in labels:
            r = ratios[lb]
            cells.append("n/a" if r is None else f"{spread(r)} [{np.median(r) / N:.2f}]")
        print(f"  {name:<9} {desc:<24} " + " ".join(f"{c:>23}" for c in cells))
        if name == "adam":
            parts = [f"{lb} {spread(ratios[lb])}" for lb in labels if ratios[lb] is not None]
            summary.append(f"{dt} adam, copy-times: " + "; ".join(parts))
        del ratios
        gc.collect()
    for key, reason in notes.items():
        print(f"  n/a: {key}: {reason}")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10**7)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--block-bytes", type=int, default=None,
                        help="bytes per array per block (quantopt.optim.fused.BLOCK_BYTES)")
    parser.add_argument("--rules", default=",".join(ARRAYS))
    parser.add_argument("--no-torch", action="store_true", help="skip the torch.optim part")
    parser.add_argument("--torch-repeat", type=int, default=7,
                        help="interleaved repeats of the torch.optim table (default 7)")
    parser.add_argument("--dtypes", default="float32,float64")
    args = parser.parse_args()
    if args.block_bytes is not None:
        fused.BLOCK_BYTES = args.block_bytes
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
        summary += run(args.n, np.dtype(dt).type, rules, args.repeat, torch, torch_rules,
                       args.torch_repeat)
    if torch is None:
        print("\nPyTorch is not importable: the torch.optim comparison was skipped")
    print("\nsummary (step_inplace / floor, target <= 3; adam beside torch.optim: median "
          "(min-max) of paired ratios):")
    for line in summary:
        print("  " + line)


if __name__ == "__main__":
    main()
