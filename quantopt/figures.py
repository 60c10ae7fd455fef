"""`make demo`'s figures: the notebooks' key pictures, rendered into figures/ (PNG and GIF).

Each function builds one figure or animation with :mod:`quantopt.viz` from the same library
calls the notebooks make. ``render_all(outdir)`` writes them all and returns their paths.
matplotlib is needed (the ``notebooks`` or ``test`` extra); ``import quantopt`` does not import
this module.
"""
from __future__ import annotations

import math
import pathlib
from fractions import Fraction

import numpy as np
from matplotlib import animation as _animation
from matplotlib.figure import Figure

from . import minimize, problems, prox, schedules, viz


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

#: Line widths of the comparison's paths. On Rosenbrock, GD, AdaGrad and Adam all crawl along the
#: same valley floor, so their paths lie on top of each other: each is drawn above the wider ones,
#: GD (the shortest) thinnest and on top, Adam widest and at the bottom, so that every path shows.
COMPARISON_WIDTHS = {"Adam": 6.5, "AdaGrad": 3.6, "Momentum": 1.4, "GD": 1.4}


def plot_race(problem, runs, *, every=50, widths=None, ax=None, bounds=None, title=None,
              legend_loc="upper right"):
    r"""Paths that overlap, all visible: stacked widths, a marker every ``every`` steps, the ends.

    Like :func:`quantopt.viz.plot_contour` (same landscape, the colours and markers of
    :data:`quantopt.viz.METHOD_STYLES` from the labels), but drawn for paths that follow one
    another, as optimizers crawling along the same valley do:

    * the paths are drawn from the widest (bottom) to the thinnest (top), so a path lying on top
      of another shows as a thin line inside a wider band of the other's colour;
    * markers only at steps ``every``, ``2 every``, ... (where each run is after the same number
      of steps, so one reads off their speeds), and a large marker with a black edge at each
      run's last iterate;
    * each legend entry gives the run's final objective value; the legend keeps the order of
      ``runs``.

    Parameters
    ----------
    problem : quantopt.problems.Problem
        2-D.
    runs : dict
        label -> OptimizeResult (its ``path`` and ``fun`` are used) or (T, 2) array.
    every : int
        Steps between markers.
    widths : dict label -> float, optional
        Line widths (default 1.5); the wider paths are drawn first.
    ax, bounds, title
        As in :func:`quantopt.viz.plot_contour`.
    legend_loc : str
        Where the legend goes: a matplotlib ``loc``, or ``"outside"`` (right of the Axes).

    Returns
    -------
    matplotlib.figure.Figure
        Its Axes' lines carry the labels of ``runs`` (with the final value appended), and
        ``fig.race_order`` lists the labels bottom to top.
    """
    widths = dict(widths or {})
    labels = list(runs)
    order = sorted(labels, key=lambda k: -widths.get(k, 1.5))      # stable: ties keep the order
    fig = viz.plot_contour(problem, {k: runs[k] for k in order}, ax=ax, bounds=bounds,
                           title=title)
    if ax is None:
        ax = fig.axes[0]
        if legend_loc == "outside":          # room for the legend beside the Axes
            fig.set_figwidth(fig.get_figwidth() + 3.6)
    lines = {ln.get_label(): ln for ln in ax.get_lines() if ln.get_label() in runs}
    handles = {}
    for k in order:
        ln = lines[k]
        path = viz._as_path(runs[k], k, "runs")
        ln.set_linewidth(widths.get(k, 1.5))
        ln.set_solid_capstyle("round")
        ln.set_markevery(list(range(every, len(path), every)))
        ln.set_markersize(7)
        ln.set_markeredgecolor("k")
        ln.set_markeredgewidth(0.6)
        ax.plot(path[-1, 0], path[-1, 1], linestyle="none", marker=ln.get_marker(),
                markersize=13, color=ln.get_color(), markeredgecolor="k", zorder=8)
        fun = getattr(runs[k], "fun", None)
        fun = float(problem.f(path[-1])) if fun is None else float(fun)
        ln.set_label(f"{k}: $f = {fun:.3g}$ after {len(path) - 1} steps")
        handles[k] = ln
    others = [h for h in ax.get_legend_handles_labels()[0] if h not in handles.values()]
    where = ({"loc": "upper left", "bbox_to_anchor": (1.02, 1.0)} if legend_loc == "outside"
             else {"loc": legend_loc})
    ax.legend(handles=[handles[k] for k in labels] + others, fontsize="small", framealpha=0.9,
              **where)
    ax.text(0.015, 0.015, f"markers: every {every} steps; large marker: the last iterate",
            transform=ax.transAxes, fontsize=8, ha="left", va="bottom",
            bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.85, "lw": 0.5})
    fig.race_order = order
    return fig


def optimizer_comparison():
    """GD, Momentum, AdaGrad and Adam on the Rosenbrock function (seed 002's comparison), 400
    steps each: every path visible (:func:`plot_race`)."""
    prob = problems.rosenbrock(n=2)
    return plot_race(prob, _runs(prob, COMPARISON), widths=COMPARISON_WIDTHS,
                     title="Rosenbrock: GD, Momentum, AdaGrad and Adam, 400 steps each")


def convergence():
    prob = problems.rosenbrock(n=2)
    return viz.plot_convergence(prob, _runs(prob, COMPARISON))


def zigzag():
    """GD zig-zagging on an ill-conditioned quadratic (condition number 50)."""
    prob = problems.quadratic(n=2, cond=50.0, angle=0.5)
    res = {"GD, lr = 0.035": minimize(prob.f, prob.x0, jac=prob.grad, method="gd",
                                      options={"lr": 0.035, "maxiter": 60}),
           "Momentum": minimize(prob.f, prob.x0, jac=prob.grad, method="momentum",
                                options={"lr": 0.02, "momentum": 0.8, "maxiter": 60})}
    return viz.animate_paths(prob, res, max_frames=60)


def adagrad_state():
    """AdaGrad's path and its growing accumulated second moment G_t (seed 002)."""
    prob = problems.rosenbrock(n=2)
    res = minimize(prob.f, prob.x0, jac=prob.grad, method="adagrad",
                   options={"lr": 0.3, "maxiter": 150, "record_state": True})
    return viz.animate_with_state(prob, res, ("G",), max_frames=60, method="AdaGrad")


def adam_state():
    """Adam's path, first moment m_t and second moment v_t side by side (seed 002)."""
    prob = problems.rosenbrock(n=2)
    res = minimize(prob.f, prob.x0, jac=prob.grad, method="adam",
                   options={"lr": 0.05, "maxiter": 150, "record_state": True})
    return viz.animate_with_state(prob, res, ("m", "v"), max_frames=60, method="Adam")


def quantized_paths():
    """BFGS with quantized Armijo on the grids 1/10 and 1/100 (BFGS's colour, one line style
    per grid)."""
    prob = problems.rosenbrock(n=2)
    res = {f"BFGS, qp = {qp}": minimize(prob.f, prob.x0, jac=prob.grad, method="bfgs", qp=qp,
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


# ---------------------------------------------------------------------------------------------
# Notebook 09: quantization as annealing
# ---------------------------------------------------------------------------------------------
#: Notebook 09's shift of the Rastrigin function, off every dyadic grid (problems.shifted).
SHIFT = (0.3, -0.41)
#: The window of the annealing animation (the shifted Rastrigin function around its path).
ANNEALING_BOUNDS = ((-2.2, 3.7), (-1.9, 2.1))


def _grid_step(qp: float, bounds, max_dots: int) -> tuple[int, int]:
    """The number of points of (1/qp)Z² in ``bounds``, and the smallest power of two m for
    which (m/qp)Z² has at most ``max_dots`` points there (1: the whole grid can be drawn)."""
    (x0, x1), (y0, y1) = bounds
    nx = math.floor(x1 * qp) - math.ceil(x0 * qp) + 1
    ny = math.floor(y1 * qp) - math.ceil(y0 * qp) + 1
    m = 1
    while (nx // m + 1) * (ny // m + 1) > max_dots:
        m *= 2
    return m, nx * ny


def _grid_points(qp: float, bounds, m: int) -> tuple[np.ndarray, np.ndarray]:
    """The points of (m/qp)Z² in ``bounds``, as x and y arrays."""
    (x0, x1), (y0, y1) = bounds
    kx = np.arange(math.ceil(x0 * qp / m), math.floor(x1 * qp / m) + 1) * m / qp
    ky = np.arange(math.ceil(y0 * qp / m), math.floor(y1 * qp / m) + 1) * m / qp
    gx, gy = np.meshgrid(kx, ky)
    return gx.ravel(), gy.ravel()


def _qp_text(qp: float) -> str:
    return f"{int(qp)}" if float(qp).is_integer() else f"{qp:g}"


def animate_refining_grid(problem, result, *, bounds=None, floor=None, zoom_cells=6,
                          max_frames=60, interval=600, max_dots=1000):
    r"""A run on a refining grid, frame by frame: the path over the grid (1/Qp_t)Z² of its row.

    Frame k shows the path up to row r = ``frame_rows[k]`` of ``result.path``, on the grid of
    that row, Qp_r = ``result.qp_path[r]``:

    * left, the landscape (as :func:`quantopt.viz.plot_contour`), the path so far, and the grid
      points (1/Qp_r)Z² in the window as dots. When more than ``max_dots`` of them are in view,
      every m-th point along each axis is drawn instead (the coarser grid (m/Qp_r)Z², m the
      smallest power of two that fits) and the frame says so; the title gives t, Qp_r, f;
    * top right, a zoom of ±``zoom_cells`` cells of 1/Qp_r around x_r: every grid point there,
      the path, and f's landscape (colour, rescaled in each frame; its width in the title);
    * bottom right, Qp against the row (log scale), with ``floor(t)`` of the step that made
      row t + 1 dashed if given (e.g. 1/sqrt(24 T(t)) of :func:`quantopt.schedules.annealing`),
      and the current row marked.

    Parameters
    ----------
    problem : quantopt.problems.Problem
        2-D.
    result : OptimizeResult
        From ``minimize(..., qp=schedule)``: ``path`` and ``qp_path`` (one entry per row).
    bounds : ((xmin, xmax), (ymin, ymax)), optional
        The left panel's window; by default the path and the minimizers with a margin.
    floor : callable t -> float, optional
        The schedule's floor for the step of iteration t.
    zoom_cells, max_frames, interval, max_dots : int
        Zoom half-width in cells; the most frames (rows subsampled evenly, the last kept);
        milliseconds between frames; the most grid dots drawn on the left.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        With the attributes of :func:`quantopt.viz.animate_paths` (``frame_rows``, ``lines``:
        "path" and "zoom path") and ``grid_dots`` (the left grid's Line2D), ``grid_step``
        (m of each frame: 1 when every grid point in view is drawn), ``notes`` (the Text
        that says which grid is drawn).
    """
    problem = viz._as_problem(problem)
    path = np.asarray(result["path"] if isinstance(result, dict) else result.path, dtype=float)
    qps = result["qp_path"] if isinstance(result, dict) else getattr(result, "qp_path", None)
    if qps is None:
        raise ValueError("result has no qp_path: run minimize with qp=...")
    qps = np.asarray(qps, dtype=float)
    if path.ndim != 2 or path.shape[1] != 2 or len(qps) != len(path):
        raise ValueError(f"result must have a (T, 2) path and T qp values, got {path.shape} "
                         f"and {qps.shape}")
    bounds = (viz._auto_bounds(problem, [path]) if bounds is None
              else viz._check_bounds(bounds))
    rows = viz._frame_rows(len(path), max_frames)
    name = getattr(problem, "name", "")
    f_star = float(getattr(problem, "f_star", 0.0))

    fig = Figure(figsize=(11.0, 5.6), layout="constrained")
    axd = fig.subplot_mosaic([["main", "zoom"], ["main", "qp"]], width_ratios=[1.55, 1.0],
                             height_ratios=[1.25, 1.0])
    ax, az, aq = axd["main"], axd["zoom"], axd["qp"]

    viz._landscape(ax, problem, bounds, levels=24, line_every=3)
    viz._draw_start(ax, [path])
    (dots,) = ax.plot([], [], linestyle="none", marker="o", markersize=2.0, color="0.2",
                      alpha=0.6, zorder=2, label="grid points (the box says which)")
    (line,) = ax.plot([], [], "-o", color=viz.COLORS[4], markersize=3.5, linewidth=1.6,
                      label="path", zorder=4)
    (head,) = ax.plot([], [], "o", color=viz.COLORS[4], markersize=9, markeredgecolor="k",
                      zorder=7)
    legend = ax.legend(loc="upper right", fontsize="small", framealpha=0.9)
    note = ax.text(0.015, 0.015, "", transform=ax.transAxes, fontsize=8, va="bottom",
                   ha="left", zorder=8,
                   bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.9, "lw": 0.5})
    title = ax.set_title("", y=1.0)

    az.set_xticks([])
    az.set_yticks([])
    az.set_box_aspect(1)
    image = az.imshow(np.zeros((2, 2)), origin="lower", cmap=viz._LANDSCAPE_CMAP, alpha=0.8,
                      extent=(0, 1, 0, 1), aspect="auto", interpolation="bilinear", zorder=0)
    (zdots,) = az.plot([], [], linestyle="none", marker="o", markersize=3.5, color="0.25",
                       zorder=2)
    (zline,) = az.plot([], [], "-o", color=viz.COLORS[4], markersize=5, linewidth=1.6,
                       zorder=4)
    (zhead,) = az.plot([], [], "o", color=viz.COLORS[4], markersize=11, markeredgecolor="k",
                       zorder=7)
    mins = np.reshape(np.asarray(problem.minimizers, dtype=float), (-1, 2))
    (zmin,) = az.plot(mins[:, 0], mins[:, 1], linestyle="none", marker="*", markersize=14,
                      markerfacecolor=viz.COLORS[6], markeredgecolor="k", zorder=5)
    ztitle = az.set_title("", fontsize="medium", y=1.0)

    t_rows = np.arange(len(qps))
    aq.plot(t_rows, qps, drawstyle="steps-mid", color=viz.COLORS[3], linewidth=1.8,
            label="$Q_p$ of row $t$")
    if floor is not None and len(qps) > 1:
        fl = np.array([floor(t) for t in range(len(qps) - 1)], dtype=float)
        aq.plot(t_rows[1:], fl, "--", color="0.35", linewidth=1.2,
                label=r"floor $(24\,T(t-1))^{-1/2}$")
    aq.set_yscale("log", base=2)
    aq.set_xlabel("row $t$ of the path")
    aq.set_ylabel("$Q_p$ (grid $1/Q_p$)")
    aq.grid(True, alpha=0.3)
    aq.legend(loc="lower right", fontsize="small")
    aq.set_xlim(-0.5, len(qps) - 0.5)
    (qmark,) = aq.plot([], [], "o", color=viz.COLORS[4], markersize=8, markeredgecolor="k",
                       zorder=5)
    qline = aq.axvline(0.0, color=viz.COLORS[4], linewidth=1.0, alpha=0.6)

    grid = [_grid_step(float(qps[r]), bounds, max_dots) for r in rows]  # (m, points in view)
    zoom_res = 120

    def update(k: int):
        r = rows[k]
        q = float(qps[r])
        shown = path[: r + 1]
        x = shown[-1]
        m, total = grid[k]
        gx, gy = _grid_points(q, bounds, m)
        dots.set_data(gx, gy)
        dots.set_markersize(3.0 if len(gx) <= 200 else 2.0 if len(gx) <= 600 else 1.4)
        if m == 1:
            note.set_text(f"grid $(1/{_qp_text(q)})\\mathbb{{Z}}^2$: all {total:,} points "
                          "in view drawn")
        else:
            note.set_text(f"grid $(1/{_qp_text(q)})\\mathbb{{Z}}^2$: {total:,} points in view,"
                          f" too dense to draw;\nevery {m}th point along each axis drawn "
                          f"(the grid ${Fraction(m) / Fraction(q)}$)")
        line.set_data(shown[:, 0], shown[:, 1])
        head.set_data(shown[-1:, 0], shown[-1:, 1])
        title.set_text(f"{name}\n$t = {r}$:  $Q_p = {_qp_text(q)}$ (grid $1/{_qp_text(q)}$),"
                       f"  $f(x_t) = {problem.f(x):.4g}$")
        h = zoom_cells / q
        zx, zy = (x[0] - h, x[0] + h), (x[1] - h, x[1] + h)
        az.set_xlim(*zx)
        az.set_ylim(*zy)
        X, Y = np.meshgrid(np.linspace(*zx, zoom_res), np.linspace(*zy, zoom_res))
        with np.errstate(all="ignore"):
            D = np.asarray(problem.f(np.stack([X, Y])), dtype=float) - f_star
        D = np.log10(np.maximum(D, 0.0) + max(float(np.nanmax(np.abs(D))), 1e-300) * 1e-9)
        image.set_data(D)
        image.set_extent((*zx, *zy))
        lo, hi = float(np.nanmin(D)), float(np.nanmax(D))
        image.set_clim(lo, hi if hi > lo else lo + 1.0)
        kk = np.arange(-zoom_cells, zoom_cells + 1)
        base = np.round(x * q)  # x is on the grid: its integer codes
        ZX, ZY = np.meshgrid((base[0] + kk) / q, (base[1] + kk) / q)
        zdots.set_data(ZX.ravel(), ZY.ravel())
        zline.set_data(shown[:, 0], shown[:, 1])
        zhead.set_data(shown[-1:, 0], shown[-1:, 1])
        ztitle.set_text(f"zoom: $\\pm{zoom_cells}$ cells around $x_t$, every grid point\n"
                        f"(window width {2 * h:.3g})")
        qmark.set_data([r], [q])
        qline.set_xdata([r, r])
        return [dots, line, head, legend, note, title, image, zdots, zline, zhead, zmin, ztitle,
                qmark, qline]

    moving = update(len(rows) - 1)  # the layout is computed with the full data in view
    viz._freeze_layout(fig, moving)
    update(0)
    anim = _animation.FuncAnimation(fig, update, frames=list(range(len(rows))),
                                    interval=interval, blit=False, repeat=True)
    anim.frame_rows = rows
    anim.lines = {"path": line, "zoom path": zline}
    anim.grid_dots = dots
    anim.grid_step = [m for m, _ in grid]
    anim.notes = note
    return anim


def annealing_run():
    """Notebook 09's animated run: GD with quantized Armijo and the testbench's annealing
    schedule (Qp 1 -> 2^16) on the shifted Rastrigin function, from its x0."""
    prob = problems.shifted(problems.rastrigin(2), SHIFT)
    sched = schedules.annealing(1)
    res = minimize(prob.f, prob.x0, jac=prob.grad, method="gd", line_search="armijo",
                   qp=sched, options={"maxiter": 1000})
    return prob, sched, res


def annealing():
    """The grid refining under the path: GD + annealing schedule on shifted Rastrigin."""
    prob, sched, res = annealing_run()
    return animate_refining_grid(prob, res, bounds=ANNEALING_BOUNDS, floor=sched.floor)


FIGURES = {
    "optimizer_comparison.png": optimizer_comparison,
    "convergence.png": convergence,
    "quantized_paths.png": quantized_paths,
    "w_prox.png": w_prox,
    "zigzag.gif": zigzag,
    "adagrad_state.gif": adagrad_state,
    "adam_state.gif": adam_state,
    "annealing.gif": annealing,
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
