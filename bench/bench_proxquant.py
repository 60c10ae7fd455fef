"""ProxQuant vs BinaryConnect (and the lazy prox-gradient method) on small binary networks.

Run: `make bench` (or `.venv/bin/python bench/bench_proxquant.py`). Deterministic (every random
draw comes from a seed), about 4 s on 2 cores. Results and their reading:
docs/proxquant_results.md.

The paper's protocol, scaled down (Bai, Wang & Liberty, ICLR 2019, section 4.1 and Appendix C):
for each seed, a full-precision warm start (Adam, lr 0.01); from it, ProxQuant (binary W-shaped
prox, lambda_t = lambda * t per step), BinaryConnect (straight-through, weights clipped to
[-1, 1]) and the lazy prox-gradient method, each for the same number of epochs with Adam at the
same constant lr, a hard quantization at 2/3 of the run (the paper: epoch 200 of 300), then
training of the full-precision entries (biases, gains) only. Test accuracy is that of the binary
model q(theta); "sign change" is the fraction of binarized weights whose sign differs from the
warm start (the paper's Appendix C); "flips before freeze" is the fraction whose sign changed
during one epoch just before the hard quantization (epoch 39; Theorem 5.3: BinaryConnect's signs
keep changing); "|w - q(w)| at freeze" is the mean distance of the real-valued weights to the
nearest level at the end of that epoch (0: already binary).
"""
from __future__ import annotations

import time

import numpy as np

from quantopt import proxquant as pq

SEEDS = range(5)
N_SAMPLES, N_FEATURES, NOISE = 900, 4, 0.2   # moons in 2 dimensions + 2 noise features
HIDDEN = 32
FP_EPOCHS, EPOCHS = 60, 60
LR, BATCH = 0.01, 32
LAM = 2e-3                                    # per step: lambda_t = LAM * t reaches 1 at
                                              # step 500 (epoch ~26 of 60)
METHODS = ("proxquant", "binaryconnect", "lazy_prox")


def models():
    return {"logistic": pq.make_logistic(N_FEATURES), "mlp": pq.make_mlp(N_FEATURES, HIDDEN)}


def run_seed(name, model, seed):
    """One seed: the warm start and the three quantized runs from it; a dict of numbers."""
    data = pq.make_dataset(N_SAMPLES, N_FEATURES, noise=NOISE, seed=seed)
    fp = pq.train_full_precision(model, data, lr=LR, epochs=FP_EPOCHS, batch_size=BATCH,
                                 rng=seed)
    theta0 = fp.theta
    out = {"fp": fp.history["test_acc"][-1],
           "q(fp)": model.accuracy(pq.quantize_model(model, theta0), data.X_test, data.y_test)}
    for method in METHODS:
        kwargs = {"lam": LAM} if method != "binaryconnect" else {}
        res = pq.TRAINERS[method](model, data, theta0, lr=LR, epochs=EPOCHS, batch_size=BATCH,
                                  rng=1000 + seed, record_theta=True, **kwargs)
        h = res.history
        hq_epoch = int(np.argmax(h["frozen"]))  # first epoch that ended frozen
        before, last = h["theta"][hq_epoch - 1], h["theta"][hq_epoch - 2]
        out[method] = h["test_acc"][-1]
        out[method + ":sc"] = h["sign_change"][-1]
        out[method + ":flips"] = pq.sign_changes(before, last, model.quantized_mask)
        out[method + ":gap"] = h["quant_gap"][hq_epoch - 1]
    return out


def fmt(values, pct=True):
    v = np.asarray(values, dtype=float) * (100 if pct else 1)
    return f"{v.mean():6.2f} ± {v.std(ddof=1):5.2f}"


def main() -> None:
    t0 = time.perf_counter()
    print(f"moons + {N_FEATURES - 2} noise features, {N_SAMPLES} samples (2/3 train), "
          f"{len(SEEDS)} seeds; Adam lr {LR}, batch {BATCH}; warm start {FP_EPOCHS} epochs, then "
          f"{EPOCHS} epochs, hard quantization at 2/3; ProxQuant/lazy lambda = {LAM:g} per step")
    print("mean ± sd over seeds (sd with ddof=1); accuracies and fractions in %")
    head = (f"{'model':<9} {'method':<23} {'test acc':>15} {'sign change':>15} "
            f"{'flips before freeze':>20} {'|w - q(w)| at freeze':>21}")
    print(head)
    print("-" * len(head))
    for name, model in models().items():
        rows = [run_seed(name, model, s) for s in SEEDS]
        col = {k: [r[k] for r in rows] for k in rows[0]}
        print(f"{name:<9} {'full precision (warm)':<23} {fmt(col['fp']):>15}")
        print(f"{name:<9} {'q(warm start), no train':<23} {fmt(col['q(fp)']):>15} "
              f"{'0.00 ±  0.00':>15}")
        for method in METHODS:
            print(f"{name:<9} {method:<23} {fmt(col[method]):>15} "
                  f"{fmt(col[method + ':sc']):>15} {fmt(col[method + ':flips']):>20} "
                  f"{fmt(col[method + ':gap'], pct=False):>21}")
        diff = np.array(col["proxquant"]) - np.array(col["binaryconnect"])
        more = sum(b > p for b, p in zip(col["binaryconnect:sc"], col["proxquant:sc"]))
        print(f"{'':<9} ProxQuant - BinaryConnect test acc (paired): {fmt(diff)}; "
              f"BinaryConnect changed more signs on {more}/{len(rows)} seeds")
    print(f"\n{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
