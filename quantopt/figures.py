"""`make demo`'s figures: the notebooks' key pictures, rendered into figures/ (PNG and GIF).

Each function builds one figure or animation with :mod:`quantopt.viz` from the same library
calls the notebooks make. ``render_all(outdir)`` writes them all and returns their paths.
matplotlib is needed (the ``notebooks`` or ``test`` extra); ``import quantopt`` does not import
this module.
"""
from __future__ import annotations

import pathlib

import numpy as np
from matplotlib.figure import Figure

from . import minimize, problems, prox, viz


def _runs(prob, specs):
    return {label: minimize(prob.f, prob.x0, jac=prob.grad, hess=prob.hess, method=method,
                            line_search=search, options={"maxiter": 400, **opts})
            for label, (method, search, opts) in specs.items()}


COMPARISON = {
    "GD": ("gd", None, {"lr": 1e-3}),
    "Momentum": ("momentum", None, {"lr": 1e-3, "momentum": 0.9}),
    "AdaGrad": ("adagrad", None, {"lr": 0.3}),
    "Adam": ("adam", None, {"lr": 0.05}),
}


def optimizer_comparison():
    """GD, Momentum, AdaGrad and Adam on the Rosenbrock function (seed 002's comparison)."""
    prob = problems.rosenbrock(n=2)
    return viz.plot_contour(prob, _runs(prob, COMPARISON), title="Rosenbrock: 400 steps each")


def convergence():
    prob = problems.rosenbrock(n=2)
    return viz.plot_convergence(prob, _runs(prob, COMPARISON))


def zigzag():
    """GD zig-zagging on an ill-conditioned quadratic (condition number 50)."""
    prob = problems.quadratic(n=2, cond=50.0, angle=0.5)
    res = {"GD lr=0.035": minimize(prob.f, prob.x0, jac=prob.grad, method="gd",
                                   options={"lr": 0.035, "maxiter": 60}),
           "Momentum": minimize(prob.f, prob.x0, jac=prob.grad, method="momentum",
                                options={"lr": 0.02, "momentum": 0.8, "maxiter": 60})}
    return viz.animate_paths(prob, res, max_frames=60)


def adagrad_state():
    """AdaGrad's path and its growing accumulated second moment G_t (seed 002)."""
    prob = problems.rosenbrock(n=2)
    res = minimize(prob.f, prob.x0, jac=prob.grad, method="adagrad",
                   options={"lr": 0.3, "maxiter": 150, "record_state": True})
    return viz.animate_with_state(prob, res, ("G",), max_frames=60)


def adam_state():
    """Adam's path, first moment m_t and second moment v_t side by side (seed 002)."""
    prob = problems.rosenbrock(n=2)
    res = minimize(prob.f, prob.x0, jac=prob.grad, method="adam",
                   options={"lr": 0.05, "maxiter": 150, "record_state": True})
    return viz.animate_with_state(prob, res, ("m", "v"), max_frames=60)


def quantized_paths():
    """BFGS with quantized Armijo on the grids 1/10 and 1/100, and without a grid."""
    prob = problems.rosenbrock(n=2)
    res = {f"qp={qp}": minimize(prob.f, prob.x0, jac=prob.grad, method="bfgs", qp=qp,
                                line_search="armijo", options={"maxiter": 200})
           for qp in (10, 100)}
    return viz.plot_contour(prob, res, qp=10, title="Iterates on the grid (grid 1/10 drawn)")


def w_prox():
    """The W-shaped regularizer's prox: toward ±1 by at most λ; λ → ∞ is hard quantization."""
    v = np.linspace(-2.5, 2.5, 1001)
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.add_subplot()
    for i, lam in enumerate((0.25, 0.5, 1.0)):
        ax.plot(v, prox.binary(v, lam), color=viz.COLORS[i + 1], label=f"soft, $\\lambda$={lam}")
    ax.plot(v, prox.project(v, [-1, 1]), color=viz.COLORS[0], lw=2.5,
            label="hard (projection, $\\lambda\\to\\infty$)")
    ax.plot(v, v, color="0.6", ls=":", label="identity ($\\lambda = 0$)")
    ax.set_xlabel("$v$")
    ax.set_ylabel(r"$\mathrm{prox}_{\lambda R}(v)$")
    ax.set_title("ProxQuant's W-shaped regularizer: its prox")
    ax.legend(fontsize=8)
    return fig


FIGURES = {
    "optimizer_comparison.png": optimizer_comparison,
    "convergence.png": convergence,
    "quantized_paths.png": quantized_paths,
    "w_prox.png": w_prox,
    "zigzag.gif": zigzag,
    "adagrad_state.gif": adagrad_state,
    "adam_state.gif": adam_state,
}


def render_all(outdir="figures") -> list[pathlib.Path]:
    """Write every figure into ``outdir`` and return the paths."""
    out = pathlib.Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in FIGURES.items():
        obj = make()
        path = out / name
        if name.endswith(".gif"):
            viz.save_animation(obj, path)
        else:
            obj.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
        written.append(path)
    return written
