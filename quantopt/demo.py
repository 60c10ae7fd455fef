"""`python -m quantopt.demo` (what `make demo` runs): a printed tour of the rounding algebra.

Every number printed is computed here, by the library or by exact Fraction arithmetic.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from . import (
    from_codes,
    minimize,
    problems,
    prox,
    proxquant,
    quantize,
    residual,
    round_half_up,
    stochastic_round,
    to_codes,
)


def _section(title: str) -> None:
    print()
    print(title)
    print("-" * len(title))


def rounding_tour() -> None:
    _section("1. x^R = floor(x + 1/2): round half up")
    xs = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])
    print(f"x                  {xs}")
    print(f"round_half_up(x)   {round_half_up(xs)}")
    print(f"numpy.round(x)     {np.round(xs)}   <- half to even: a different function")
    print(f"residual eps=x-x^R {residual(xs)}   (always in [-1/2, 1/2))")

    _section("2. A float one ulp below a tie")
    x = math.nextafter(0.5, 0.0)
    print(f"x = nextafter(0.5, 0) = {x!r}  (exactly {Fraction(x)})")
    print(f"naive numpy.floor(x + 0.5) = {np.floor(x + 0.5)!r}  (x + 0.5 rounds up to 1.0)")
    print(f"round_half_up(x)           = {round_half_up(x)!r}  (exact: x + 1/2 < 1)")
    big = 2.0**52 + 1
    print(f"x = 2**52 + 1: naive gives {np.floor(big + 0.5):.0f}, "
          f"round_half_up gives {round_half_up(big):.0f}")

    _section("3. The note's worked example: x = 0.123456789, Qp = 100")
    x, qp = 0.123456789, 100
    exact = Fraction("0.123456789")
    print(f"Qp*x = {qp * exact} ; Qp*x + 0.5 = {qp * exact + Fraction(1, 2)} ; "
          f"floor = {math.floor(qp * exact + Fraction(1, 2))}")
    print(f"to_codes(x, 100) = {to_codes(x, qp)},  quantize(x, 100) = {quantize(x, qp)!r},  "
          f"exact: {quantize(exact, qp)}")

    _section("4. A grid tie that floating point invents: x = 0.015, Qp = 100")
    x = 0.015
    print(f"the float 0.015 is exactly {Fraction(x)} < 3/200")
    print(f"float product 100*x = {100 * x!r}: a false tie, and naive rounding gives "
          f"{round_half_up(100 * x):.0f}")
    print(f"to_codes(0.015, 100) = {to_codes(x, 100)}  (exact: floor(100*x + 1/2) = "
          f"{math.floor(100 * Fraction(x) + Fraction(1, 2))})")

    _section("5. Grid arithmetic on integer codes stays exact")
    a, b = to_codes(0.3, 10), to_codes(0.1, 10)
    print(f"float: 0.3 - 0.1 = {0.3 - 0.1!r}, not the grid point {quantize(0.2, 10)!r}")
    print(f"codes: {a} - {b} = {a - b} -> from_codes = {from_codes(a - b, 10)!r}")

    _section("6. Where the note is wrong (see CLAIMS.md)")
    h = Fraction(1, 2)
    print(f"P4 claims |x^R| <= |x|.  x = 1/2: x^R = {round_half_up(h)} > 1/2."
          "  Corrected: |x^R| <= |x| + 1/2.")
    print(f"Q3 claims x^Q < x + 0.5/Qp.  Qp = 1, x = 1/2: x^Q = {quantize(h, 1)} = x + 1/2."
          "  Corrected: x - 0.5/Qp < x^Q <= x + 0.5/Qp.")
    ex, ey = residual(h), residual(h)
    t = ey * h + ex * round_half_up(h)
    print(f"P5 claims |(e_y x + e_x y^R)^R| < (|x| + |y|)/2.  x = y = 1/2: "
          f"(e_y x + e_x y^R)^R = ({t})^R = {round_half_up(t)}, bound 1/2.")

    _section("7. Stochastic rounding is unbiased; x^R is not")
    n = 100_000
    x = 0.3
    sr = stochastic_round(np.full(n, x), 1, rng=0)
    print(f"x = {x}: x^R = {round_half_up(x)}; mean of {n} stochastic roundings = {sr.mean():.4f}"
          f" (sd of that mean: {math.sqrt(0.21 / n):.4f})")


# (method, line_search, options) for the optimizer tour on the 2-D Rosenbrock function
TOUR = [
    ("gd", "armijo", {}),
    ("momentum", None, {"lr": 1e-3, "momentum": 0.9}),
    ("nesterov", None, {"lr": 1e-3, "momentum": 0.9}),
    ("adagrad", None, {"lr": 0.5}),
    ("rmsprop", None, {"lr": 1e-2}),
    ("adam", None, {"lr": 5e-2}),
    ("newton", "armijo", {}),
    ("bfgs", "wolfe", {}),
    ("lbfgs", "wolfe", {}),
]


def optimizer_tour() -> None:
    prob = problems.rosenbrock(n=2)
    _section(f"8. The optimizers on the Rosenbrock function, from x0 = {prob.x0.tolist()}")
    print(f"{'method':<9} {'line search':<11} {'nit':>6} {'nfev':>6} {'f(x)':>10}  x")
    for method, search, opts in TOUR:
        res = minimize(prob.f, prob.x0, jac=prob.grad, hess=prob.hess, method=method,
                       line_search=search, options={"maxiter": 5000, "gtol": 1e-6, **opts})
        outcome = "converged" if res.success else res.message
        print(f"{method:<9} {str(search):<11} {res.nit:>6} {res.nfev:>6} {res.fun:>10.2e}  "
              f"{np.array2string(res.x, precision=4)}  ({outcome})")

    _section("9. On the grid 1/qp: quantized Armijo keeps every iterate exactly on it")
    for qp in (10, 100, 1000):
        res = minimize(prob.f, prob.x0, jac=prob.grad, method="bfgs", qp=qp,
                       line_search="armijo", options={"maxiter": 2000})
        codes = to_codes(res.x, qp)
        print(f"qp = {qp:>4}: stopped after {res.nit:>3} iterations at x = {res.x.tolist()} "
              f"(codes {codes.tolist()}), f = {res.fun:.3g}: {res.message.split(':')[0]}")


def prox_tour() -> None:
    _section("10. Proximal operators: hard and soft quantization onto {-1, +1}")
    v = np.array([-1.7, -0.4, 0.0, 0.3, 0.95, 2.0])
    print(f"v                          {v}")
    print(f"project(v, [-1, 1])        {prox.project(v, [-1, 1])}   (the lam -> inf limit)")
    for lam in (0.25, 0.5, 1.0):
        print(f"binary(v, lam={lam:<4})         {prox.binary(v, lam)}   (toward ±1 by <= lam)")

    _section("11. ProxQuant's toy: f+(x) = |x + 1/2| - 1/2 and f-(x) = |x - 1/2| - 1/2")
    pts = np.array([-1.0, 1.0])
    print(f"gradients on {{-1, +1}}: f+ {proxquant.f_plus_grad(pts)}, "
          f"f- {proxquant.f_minus_grad(pts)} (identical)")
    for name, grad in (("f+", proxquant.f_plus_grad), ("f-", proxquant.f_minus_grad)):
        bc = proxquant.iterate("binaryconnect", grad, 0.3, lr=0.01, n_steps=1000)
        pq = proxquant.iterate("proxquant", grad, 0.3, lr=0.01, n_steps=1000, lam=2e-3)
        q_bc = prox.project(bc.theta[-1:], [-1, 1])[0]
        print(f"{name}: BinaryConnect ends at q = {q_bc:+.0f}, ProxQuant at {pq.theta[-1]:+.0f} "
              f"(the binary minimizer is {-1 if name == 'f+' else 1:+d})")


def render_figures(outdir: str = "figures") -> None:
    _section(f"12. Figures and animations of the notebooks, written to {outdir}/")
    try:
        from . import figures  # needs matplotlib (the notebooks extra, installed by make demo)
    except ImportError as err:
        print(f"skipped: {err} (install the 'notebooks' extra for figures)")
        return
    for path in figures.render_all(outdir):
        print(f"  {path}")
    print("Open the notebooks with: .venv/bin/jupyter lab notebooks/")


def main() -> None:
    print("quantopt demo: the rounding algebra of the note 'Quantized Optimization', and the "
          "optimizers of the lecture notes")
    rounding_tour()
    optimizer_tour()
    prox_tour()
    render_figures()
    print()


if __name__ == "__main__":
    main()
