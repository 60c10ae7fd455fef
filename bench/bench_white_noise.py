"""The white-noise hypothesis for the quantized step, tested on real runs (issue 13, item 6).

Run: `.venv/bin/python bench/bench_white_noise.py [--quick]`. The research program behind the
note (seed 001) models the rounding error of the quantized step, e_t = (s_t)^Q - s_t, as i.i.d.
noise, uniform on a cell: Qp e_t ~ Uniform[-1/2, 1/2), variance Qp^-2/12. Prints

1. the trajectory table: for gradient descent (fixed step LR) and BFGS (the quantized Armijo
   search) on each problem, on a fixed grid (QP = 2^10), with the schedules on_zero_step
   (Qp 16 -> 2^16) and annealing (Qp 1 -> 2^16), and with stochastic rounding (GD, fixed
   grid), the steps of STARTS runs (the problem's x0 and STARTS - 1 starts x0 + U(-box, box)^n
   drawn with default_rng(SEED)) recorded by quantopt.noise.record_steps (checked against
   each run's path) and pooled: in the early phase (first third of each run's iterations) and
   the converging phase (last third),
     N      samples Qp e (iterations x coordinates, pooled over runs),
     D, p   the KS distance of the pooled sample from Uniform[-1/2, 1/2) and scipy's p-value
            (the samples are not independent under the alternative; p is that of the i.i.d.
            hypothesis being tested),
     12var  12 Var(Qp e) (1 for the uniform law),
     r1     the lag-1 autocorrelation (not centred: the hypothesis has mean 0; pooled over
            coordinates and runs), out = lags of 1..10 with |r(k)| > 1.96/sqrt(N_k), and
     p_BP   the Box-Pierce p-value of r(1..10) (it assumes errors of equal variance: for
            stochastic rounding, whose conditional variance varies with s_t, table 2a has the
            valid test),
     zc, zw the shares of quantized step components, and of whole steps, that are exactly 0,
     small  the share of components with |Qp s| < 1/2 (where e = -s exactly),
     fb     iterations where the search took its unit step or polled (no s_t: left out);
2. stochastic rounding against what it guarantees: the error is a martingale difference
   sequence (zero conditional mean, hence uncorrelated) with conditional variance
   phi(1 - phi)/Qp^2, phi = frac(Qp s), not uniform: z0 = sum e / sqrt(sum Var[e | s]) and
   max |z(k)|, k = 1..10, the self-normalized lag products (quantopt.noise.martingale_z), and
   12 mean Var[Qp e | s]; and, for contrast, subtractive dither applied to the recorded steps
   of the nearest-rounding GD runs (e = Q(s + U/Qp) - (s + U/Qp), U ~ U[-1/2, 1/2) drawn with
   default_rng(SEED)):
   uniform and white by Schuchman's theorem, but off the grid, so not available to the driver;
3. the Gaussian input (Widrow, Kollar & Liu 1996; Sripad & Snyder 1977): the exact KS distance
   of the rounding error of N(mu, sigma^2) from uniform, against its leading term
   rho (1 + |sin 2 pi Qp mu|)/pi, rho = exp(-2 pi^2 sigma^2 Qp^2), and the empirical distance of
   quantopt.quantize's errors on 10^5 and 10^6 seeded samples, with the DKW bound
   sqrt(ln(2/1e-6)/(2n)) within which the empirical distance must lie (probability >= 1 - 1e-6);
4. the uniform input, exactly (Fractions): Y ~ U[a, a + L) (in cells) has an exactly uniform
   error iff L is an integer; on M equally spaced points of a cell, one error per 1/M of the
   cell (KS distance 1/(2M) for odd M, 1/M for even M at a = 0).

--quick: STARTS_QUICK starts and fewer samples (a smoke test). Deterministic: fixed seeds.
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import sys
from fractions import Fraction

import numpy as np
import scipy
from scipy import stats

import quantopt as qo
from quantopt import noise, problems, schedules

SEED = 0
QP = 2**10
MAXITER = 3000
STARTS = 10
STARTS_QUICK = 2
LAGS = range(1, 11)


def cases():
    """(label, problem, GD's lr, the half-width of the box of starts around x0)."""
    c = np.random.default_rng(1).uniform(-1.0, 1.0, 10)  # a minimizer off every dyadic grid
    return [
        ("rosenbrock(2)", problems.rosenbrock(2), 1e-3, 0.5),
        ("quadratic(10,100)", problems.quadratic(n=10, cond=100, seed=0), 1e-2, 1.0),
        ("quadratic, c off-grid", problems.quadratic(n=10, cond=100, seed=0, center=c), 1e-2,
         1.0),
        ("himmelblau", problems.himmelblau(), 1e-3, 1.0),
    ]


SETTINGS = [  # (method, label, qp factory, rounding)
    ("gd", "fixed 2^10", lambda: QP, "nearest"),
    ("gd", "on_zero_step", lambda: schedules.on_zero_step(16, qp_max=2**16), "nearest"),
    ("gd", "annealing", lambda: schedules.annealing(1, qp_max=2**16), "nearest"),
    ("gd", "stochastic 2^10", lambda: QP, "stochastic"),
    ("bfgs", "fixed 2^10", lambda: QP, "nearest"),
    ("bfgs", "on_zero_step", lambda: schedules.on_zero_step(16, qp_max=2**16), "nearest"),
    ("bfgs", "annealing", lambda: schedules.annealing(1, qp_max=2**16), "nearest"),
]


def starts(prob, box: float, k: int) -> list[np.ndarray]:
    rng = np.random.default_rng(SEED)
    return [prob.x0] + [prob.x0 + rng.uniform(-box, box, prob.n) for _ in range(k - 1)]


def run(prob, lr: float, method: str, qp, rounding: str, x0s) -> list[noise.StepErrors]:
    runs = []
    for i, x0 in enumerate(x0s):
        options = {"maxiter": MAXITER}
        kw = {}
        if method == "gd":
            options.update(lr=lr, rounding=rounding, seed=SEED + i)
            kw["line_search"] = None
        _, st = noise.record_steps(prob.f, x0, jac=prob.grad, method=method, qp=qp(),
                                   options=options, **kw)
        runs.append(st)
    return runs


def ks_p(u: np.ndarray) -> float:
    return float(stats.kstest(u, stats.uniform(loc=-0.5, scale=1.0).cdf).pvalue)


def pooled(runs, phase: str) -> np.ndarray:
    return np.concatenate([st.scaled[noise.phase_rows(st, phase)].ravel() for st in runs])


def machine() -> str:
    cpu = " ".join(filter(None, (platform.machine(), platform.processor())))
    return (f"machine: {cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}; "
            f"Python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}, "
            f"quantopt {qo.__version__}")


def table_trajectories(k: int) -> dict:
    print(f"\n1. The rounding error of the quantized step, Qp e_t, e_t = (s_t)^Q - s_t: {k} runs "
          f"per row (x0 and {k - 1} starts around it), maxiter {MAXITER}; GD lr per problem; "
          f"phases: first and last third of each run's iterations")
    head = (f"{'problem':<22} {'method':<5} {'grid':<16} {'phase':<5} {'N':>6} {'D':>6} "
            f"{'p(KS)':>8} {'12var':>6} {'r1':>6} {'out':>4} {'p(BP)':>8} {'zc':>5} {'zw':>5} "
            f"{'small':>5} {'fb':>3}")
    print(head)
    print("-" * len(head))
    kept = {}
    for label, prob, lr, box in cases():
        x0s = starts(prob, box, k)
        for method, grid, qp, rounding in SETTINGS:
            runs = run(prob, lr, method, qp, rounding, x0s)
            kept[(label, method, grid)] = runs
            name = f"{label:<22} {method:<5} {grid:<16}"
            for phase, short in (("early", "early"), ("converging", "conv")):
                s = noise.summary(runs, phase, LAGS)
                if s["N"] == 0:
                    print(f"{name} {short:<5} {0:>6}  (no iterations)")
                else:
                    p_ks = ks_p(pooled(runs, phase))
                    print(f"{name} {short:<5} {s['N']:>6} {s['ks']:>6.3f} {p_ks:>8.1e} "
                          f"{s['var12']:>6.2f} {s['r'][0]:>+6.2f} {s['outside']:>4} "
                          f"{s['p_Q']:>8.1e} {s['zero_components']:>5.2f} "
                          f"{s['zero_steps']:>5.2f} {s['small']:>5.2f} {s['fallback']:>3}")
                name = " " * len(name)
    return kept


def table_dither(kept: dict) -> None:
    print("\n2a. Stochastic rounding (GD, grid 2^10): white (a martingale difference sequence) but "
          "not uniform; z ~ N(0, 1) if E[e_t | past] = 0")
    head = (f"{'problem':<22} {'phase':<5} {'N':>6} {'D':>6} {'p(KS)':>8} {'12var':>6} "
            f"{'12E[v]':>6} {'z0':>6} {'max|zk|':>7} {'r1':>6} {'out':>4}")
    print(head)
    print("-" * len(head))
    for label, *_ in cases():
        runs = kept[(label, "gd", "stochastic 2^10")]
        name = f"{label:<22}"
        for phase, short in (("early", "early"), ("converging", "conv")):
            rows = [noise.phase_rows(st, phase) for st in runs]
            u = [st.scaled[i] for st, i in zip(runs, rows)]
            v = [noise.stochastic_error_variance(st.s[i], st.qp[i]) * st.qp[i, None] ** 2
                 for st, i in zip(runs, rows)]
            z = noise.martingale_z(u, v, [0, *LAGS])
            s = noise.summary(runs, phase, LAGS)
            vbar = float(np.mean(np.concatenate([x.ravel() for x in v])))
            p_ks = ks_p(pooled(runs, phase))
            print(f"{name} {short:<5} {s['N']:>6} {s['ks']:>6.3f} {p_ks:>8.1e} "
                  f"{s['var12']:>6.2f} {12 * vbar:>6.2f} {z[0]:>+6.2f} "
                  f"{np.max(np.abs(z[1:])):>7.2f} {s['r'][0]:>+6.2f} {s['outside']:>4}")
            name = " " * len(name)

    print("\n2b. Subtractive dither on the recorded steps of the nearest-rounding GD runs (fixed "
          "grid 2^10): e = Q(s + U/Qp) - (s + U/Qp)")
    head = (f"{'problem':<22} {'phase':<5} {'N':>6} {'D':>6} {'p(KS)':>8} {'12var':>6} "
            f"{'r1':>6} {'p(BP)':>8}")
    print(head)
    print("-" * len(head))
    rng = np.random.default_rng(SEED)
    for label, *_ in cases():
        runs = kept[(label, "gd", "fixed 2^10")]
        name = f"{label:<22}"
        for phase, short in (("early", "early"), ("converging", "conv")):
            us = []
            for st in runs:
                i = noise.phase_rows(st, phase)
                s, qp = st.s[i], st.qp[i, None]
                y = s + rng.uniform(-0.5, 0.5, s.shape) / qp
                us.append((qo.quantize(y, QP) - y) * qp)
            u = np.concatenate([x.ravel() for x in us])
            r, counts = noise.autocorrelation(us, LAGS)
            _, pq = noise.portmanteau(r, counts)
            print(f"{name} {short:<5} {u.size:>6} {noise.ks_uniform(u):>6.3f} {ks_p(u):>8.1e} "
                  f"{12 * np.var(u):>6.2f} {r[0]:>+6.2f} {pq:>8.1e}")
            name = " " * len(name)


def table_gaussian(quick: bool) -> None:
    qp = 2.0**10
    sizes = [10**4, 10**5] if quick else [10**5, 10**6]
    print("\n3. Rounding X ~ N(mu, sigma^2) on the grid 1/Qp, Qp = 2^10, mu = 0.25/Qp (a = Qp mu "
          "= 1/4: the largest deviation): KS distance of Qp e from uniform")
    head = (f"{'sigma Qp':>8} {'rho':>9} {'D exact':>9} {'lead':>9} {'|D-lead|':>9} {'bound':>9}"
            + "".join(f" {'D n=' + format(n, '.0e'):>11} {'p(KS)':>8} {'DKW':>7}" for n in sizes))
    print(head)
    print("-" * len(head))
    for sq in (0.25, 0.35, 0.5, 0.75, 1.0):
        sigma, mu = sq / qp, 0.25 / qp
        rho = noise.gaussian_cf_at_grid_frequency(sigma, qp)
        d, lead = noise.gaussian_ks_distance(mu, sigma, qp)
        bound = sum(2 * rho ** (ell * ell) / (math.pi * ell) for ell in range(2, 50))
        line = f"{sq:>8.2f} {rho:>9.2e} {d:>9.2e} {lead:>9.2e} {abs(d - lead):>9.1e} {bound:>9.1e}"
        for n in sizes:
            x = np.random.default_rng(SEED).normal(mu, sigma, n)
            u = (qo.quantize(x, qp) - x) * qp
            dkw = math.sqrt(math.log(2 / 1e-6) / (2 * n))
            line += f" {noise.ks_uniform(u):>11.2e} {ks_p(u):>8.1e} {dkw:>7.4f}"
        print(line)


def table_uniform() -> None:
    half = Fraction(1, 2)
    ts = [Fraction(i, 64) - half for i in range(65)]
    print("\n4a. Y ~ U[a, a + L) (cells), exact: max over t in {-1/2 + i/64} of "
          "|P(R(Y) - Y <= t) - (t + 1/2)|")
    for a in (Fraction(0), Fraction(1, 3)):
        row = []
        for L in (Fraction(1), Fraction(2), Fraction(3), Fraction(1, 2), Fraction(3, 2),
                  Fraction(7, 10)):
            dev = max(abs(noise.uniform_input_error_cdf(t, a, L) - (t + half)) for t in ts)
            row.append(f"L={str(L):>4}: {str(dev):>7}")
        print(f"  a = {str(a):>3}   " + "   ".join(row))
    print("\n4b. Y uniform on the M points a + j/M of one cell, exact: the errors, their KS "
          "distance from U[-1/2, 1/2), mean and 12 var (1 - 1/M^2 for the discrete uniform law)")
    for a in (Fraction(0), Fraction(1, 3)):
        for M in (2, 3, 4, 5, 7, 8):
            e = sorted(noise.grid_input_errors(M, a))
            ks = max(max(Fraction(i + 1, M) - (x + half), (x + half) - Fraction(i, M))
                     for i, x in enumerate(e))
            mean = sum(e) / M
            var = sum((x - mean) ** 2 for x in e) / M
            print(f"  a = {str(a):>3} M = {M}: errors {', '.join(map(str, e)):<58} KS {str(ks):>5}"
                  f"  mean {str(mean):>6}  12 var {str(12 * var):>6}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{STARTS_QUICK} starts, fewer "
                        "samples: a smoke test")
    args = parser.parse_args()
    print(machine())
    kept = table_trajectories(STARTS_QUICK if args.quick else STARTS)
    table_dither(kept)
    table_gaussian(args.quick)
    table_uniform()


if __name__ == "__main__":
    main()
