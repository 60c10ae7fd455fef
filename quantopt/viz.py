r"""Plots and animations of the optimizers and the rounding functions (matplotlib).

``import quantopt`` needs NumPy alone; this module is the only one that imports matplotlib, and it
is not imported by ``quantopt/__init__.py``: use ``from quantopt import viz``.

Pictures the course notes describe (DESIGN.md, "Pictures the notes describe")::

    plot_contour        the landscape of a 2-D problem, its minimizers (*) and saddles (x),
                        optimizer paths from the same start, optionally the grid (1/qp)Z^2
    plot_convergence    f(x_t) - f*  and  |grad f(x_t)|  against t, log scale, several methods
    animate_paths       the landscape with each path growing frame by frame
    animate_with_state  the path (left) beside the optimizer's state over time (right):
                        AdaGrad's G_t growing and shrinking the steps; Adam's m_t and v_t
    save_animation      an animation as a GIF (Pillow; no ffmpeg needed)
    sliders             ipywidgets sliders that redraw a figure; None (and nothing shown)
                        where ipywidgets is missing, so a notebook still runs headless
    plot_rounding       x^R, eps = x - x^R, x^Q as step functions, filled circles at the value
                        taken at each jump (half up: the upper value), open circles at the other

Conventions
-----------
* Only matplotlib's object-oriented API is used: figures are ``matplotlib.figure.Figure()``
  objects (not ``pyplot`` figures), so nothing depends on a GUI backend, ``plt.show()`` is never
  called, and figures are not kept alive by pyplot. In Jupyter, after ``%matplotlib inline``
  (the notebooks' first cell), a returned Figure is displayed as the cell's value (or with
  ``IPython.display.display(fig)``); elsewhere use ``fig.savefig``.
* Animations are :class:`matplotlib.animation.FuncAnimation` objects over a list of frames:
  ``anim.to_jshtml()`` renders them in a notebook without ffmpeg, and :func:`save_animation`
  writes a GIF with Pillow. Each returned animation also carries, as plain attributes,
  ``frame_rows`` (the path row shown last in each frame) and ``lines`` (label -> the Line2D of
  each growing path), so that its content can be checked. To keep rendering fast (each frame of
  ``to_jshtml`` is a full PNG), everything that does not move (contours, ticks, labels, legends)
  is drawn once into an image shown in a background Axes labelled ``"background"``; each frame
  then draws only the moving lines and the title on top of it.
* One colour per method, everywhere: :data:`METHOD_STYLES` gives each method of
  :func:`quantopt.minimize` a fixed colour, marker and line style, and :func:`styles_for` maps
  a plot's labels to styles by the method named in each label ("GD, float", "Momentum",
  "L-BFGS" ...), so that Momentum is the same blue in every plot and animation. A second label
  of the same method (e.g. "BFGS, float" and "BFGS, annealing") keeps the colour and gets the
  next line style and a hollow marker; labels that name no method take the Okabe-Ito colours
  :data:`COLORS` not used by a method in that plot. Paths are drawn in the order given, each
  above the one before, with markers at every iterate, so overlapping paths stay visible.
  The colours are the Okabe-Ito palette (without its yellow, invisible on a light
  background) and four of Paul Tol's (wine, indigo, olive, teal), all distinguishable under
  the common colour-vision deficiencies.
* A path is either an :class:`~quantopt.OptimizeResult` (its ``.path``, one row per iterate,
  first row x0) or an array of shape (T, 2).
"""
from __future__ import annotations

import itertools
import math
import pathlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib import animation as _animation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap, LogNorm
from matplotlib.figure import Figure

from .rounding import quantize, residual, round_half_up

__all__ = [
    "COLORS",
    "color_for",
    "METHOD_STYLES",
    "method_of",
    "styles_for",
    "sliders",
    "plot_contour",
    "plot_convergence",
    "animate_paths",
    "animate_with_state",
    "save_animation",
    "plot_rounding",
]

#: The Okabe-Ito colour-blind-safe palette, ordered for lines on a light background
#: (orange, sky blue, bluish green, blue, vermillion, reddish purple, yellow, black).
COLORS: tuple[str, ...] = (
    "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000",
)

#: The most grid lines (vertical plus horizontal) drawn as lines by ``qp=`` overlays; beyond
#: that the grid points are drawn as dots, up to ``_MAX_GRID_DOTS`` of them, else every m-th line
#: (with a note saying so).
_MAX_GRID_LINES = 60
_MAX_GRID_DOTS = 4000
_GRID_RES = 200  # contour evaluation grid: _GRID_RES x _GRID_RES points
_MAX_JUMPS = 2000  # plot_rounding: the most jumps drawn

# A light white-to-slate colormap for the landscape, so that the coloured paths stand out.
_LANDSCAPE_CMAP = LinearSegmentedColormap.from_list("quantopt_landscape", ["#ffffff", "#7f8c99"])

_STATE_LABELS = {"G": "G_t", "m": "m_t", "v": "v_t", "s": "s_t", "t": "t"}


#: One style per method of quantopt.minimize: colour, marker. The same in every plot.
METHOD_STYLES: dict[str, dict[str, str]] = {
    "gd":       {"color": "#000000", "marker": "o"},   # black
    "sgd":      {"color": "#7F7F7F", "marker": "8"},   # grey
    "momentum": {"color": "#0072B2", "marker": "s"},   # blue
    "nesterov": {"color": "#56B4E9", "marker": "D"},   # sky blue
    "adagrad":  {"color": "#009E73", "marker": "^"},   # bluish green
    "rmsprop":  {"color": "#CC79A7", "marker": "v"},   # reddish purple
    "adam":     {"color": "#D55E00", "marker": "P"},   # vermillion
    "adamw":    {"color": "#AA4499", "marker": ">"},   # purple (Tol)
    "newton":   {"color": "#E69F00", "marker": "*"},   # orange
    "bfgs":     {"color": "#882255", "marker": "X"},   # wine (Tol)
    "lbfgs":    {"color": "#332288", "marker": "h"},   # indigo (Tol)
    "cg":       {"color": "#999933", "marker": "p"},   # olive (Tol)
    "langevin": {"color": "#44AA99", "marker": "d"},   # teal (Tol)
}

# The order in which a label is searched for method names: specific names before the names
# they contain ("sgd" before "gd"; "nesterov" and "momentum" before "sgd", so that "SGD +
# momentum" is Momentum; "lbfgs" before "bfgs"; "adamw" before "adam", though the letter rule
# alone keeps "AdamW" from matching adam).
_METHOD_SEARCH = ("langevin", "nesterov", "momentum", "adagrad", "rmsprop", "adamw", "adam",
                  "newton", "lbfgs", "bfgs", "cg", "sgd", "gd")
_LINESTYLES = ("-", "--", ":", "-.")
#: the state panels' coordinate lines (animate_with_state): greys, not method colours
_COORD_COLORS = ("#1A1A1A", "#8C8C8C", "#4D4D4D", "#BFBFBF")


def color_for(i: int) -> str:
    """The colour of the i-th line: ``COLORS[i % len(COLORS)]`` (a hex string)."""
    return COLORS[int(i) % len(COLORS)]


def method_of(label: Any) -> str | None:
    """The method a label names (a key of :data:`METHOD_STYLES`), or None.

    Case is ignored, and a hyphen or underscore between letters joins them ("L-BFGS" is
    lbfgs, and so is scipy's "L-BFGS-B"); the most specific name wins: ``"SGD+Momentum" ->
    "momentum"``, ``"GD lr=0.035" -> "gd"``, ``"Adam uncorrected" -> "adam"``, ``"fixed grid"
    -> None``. A word that merely contains a name does not count: the name must not be
    preceded or followed by a letter ("Adam" is adam, "Adamant" is nothing).
    """
    import re

    text = re.sub(r"(?<=[a-z])[-_](?=[a-z])", "", str(label).lower())
    text = re.sub(r"(?<![a-z])lbfgsb(?![a-z])", "lbfgs", text)  # scipy's "L-BFGS-B"
    for name in _METHOD_SEARCH:
        if re.search(rf"(?<![a-z]){name}(?![a-z])", text):
            return name
    return None


def styles_for(labels: Sequence[Any]) -> list[dict[str, Any]]:
    """Plot styles for the labels of one plot: matplotlib keyword arguments (color, marker,
    linestyle, markerfacecolor, zorder), one dict per label, in order.

    A label naming a method gets :data:`METHOD_STYLES`' colour and marker; the k-th label of
    the same method (k = 0, 1, ...) gets line style ``("-", "--", ":", "-.")[k % 4]`` and, for
    k >= 1, a hollow marker. Other labels take the :data:`COLORS` not used by a method here, in
    order (cycling when they run out), with the solid line and marker "o". zorder grows with
    the position, so later paths are drawn above earlier ones.
    """
    labels = list(labels)
    methods = [method_of(label) for label in labels]
    used = {METHOD_STYLES[m]["color"] for m in methods if m is not None}
    free = [c for c in COLORS if c not in used] or list(COLORS)
    seen: dict[str, int] = {}
    out, j = [], 0
    for i, m in enumerate(methods):
        if m is None:
            color, marker, k = free[j % len(free)], "o", 0
            j += 1
        else:
            k = seen.get(m, 0)
            seen[m] = k + 1
            color, marker = METHOD_STYLES[m]["color"], METHOD_STYLES[m]["marker"]
        out.append({"color": color, "marker": marker, "linestyle": _LINESTYLES[k % 4],
                    "markerfacecolor": color if k == 0 else "white", "zorder": 4 + 0.01 * i})
    return out


# ---------------------------------------------------------------------------------------------
# Input handling
# ---------------------------------------------------------------------------------------------
def _root_figure(ax: Any) -> Figure:
    """The top-level Figure that holds ``ax`` (also when ``ax`` is in a SubFigure)."""
    try:
        return ax.get_figure(root=True)
    except TypeError:  # matplotlib < 3.10
        fig = ax.figure
        while getattr(fig, "figure", fig) is not fig and fig.figure is not None:
            fig = fig.figure
        return fig


class _Landscape:
    """A plain callable f(x) of a 2-vector, seen as a problem: no minimizers, saddles or start
    are known, and f* is taken as the smallest value on the contour grid."""

    n = 2
    minimizers = np.empty((0, 2))
    saddles = np.empty((0, 2))
    f_star = None

    def __init__(self, func: Callable) -> None:
        self.func = func
        self.name = getattr(func, "__name__", "f")

    def f(self, xy: np.ndarray) -> np.ndarray:
        """f on a stack of points ``xy`` of shape (2, ...): one vectorized call if the callable
        takes the stack and returns one value per point, else one call per point (a callable
        written for a single 2-vector)."""
        try:
            with np.errstate(all="ignore"):
                z = np.asarray(self.func(xy), dtype=float)
            if z.shape == xy.shape[1:]:
                return z
        except Exception:  # noqa: BLE001 - not vectorized; evaluated point by point below
            pass
        pts = xy.reshape(2, -1).T
        z = np.fromiter((float(self.func(pt.copy())) for pt in pts), dtype=float,
                        count=len(pts))
        return z.reshape(xy.shape[1:])


def _as_problem(problem: Any) -> Any:
    """A 2-D Problem as it is, or a plain callable f(x) wrapped as :class:`_Landscape`;
    ValueError naming ``problem`` otherwise."""
    if not callable(getattr(problem, "f", None)):
        if callable(problem):
            return _Landscape(problem)
        raise ValueError("problem must be a quantopt.problems.Problem or a callable f(x) of a "
                         f"2-vector, got {type(problem).__name__}")
    n = getattr(problem, "n", None)
    if n is None:  # a duck-typed problem without .n: its start's length
        n = int(np.size(getattr(problem, "x0", ())))
    if n != 2:
        raise ValueError(f"problem must be 2-D to be drawn as a contour plot; "
                         f"{getattr(problem, 'name', 'it')!r} has n = {n}")
    return problem


def _as_path(value: Any, label: Any, name: str, n: int | None = 2) -> np.ndarray:
    """The (T, n) float array of iterates of an OptimizeResult or array; ValueError if empty."""
    if isinstance(value, Mapping) or hasattr(value, "path"):
        try:
            value = value["path"] if isinstance(value, Mapping) else value.path
        except (KeyError, AttributeError):
            raise ValueError(f"{name}[{label!r}] has no 'path'") from None
    path = np.asarray(value, dtype=float)
    if path.ndim != 2 or (n is not None and path.shape[1] != n):
        want = f"(T, {n})" if n is not None else "(T, n)"
        raise ValueError(f"{name}[{label!r}] must be a path of shape {want}, "
                         f"got shape {path.shape}")
    if path.shape[0] == 0:
        raise ValueError(f"{name}[{label!r}] is an empty path (no iterates)")
    return path


def _as_paths(paths: Any, name: str, n: int | None = 2) -> dict[str, np.ndarray]:
    """A dict label -> (T, n) array from a dict of results/arrays, or from one result or one
    array (labelled "path"); ValueError if empty."""
    if hasattr(paths, "path") or not isinstance(paths, Mapping):  # an OptimizeResult is a Mapping
        if hasattr(paths, "path") or isinstance(paths, (np.ndarray, list, tuple)):
            paths = {"path": paths}
        else:
            raise ValueError(f"{name} must be an OptimizeResult, a (T, 2) array, or a dict "
                             f"label -> OptimizeResult or (T, 2) array, got "
                             f"{type(paths).__name__}")
    if len(paths) == 0:
        raise ValueError(f"{name} is empty: give at least one path")
    return {str(label): _as_path(value, label, name, n) for label, value in paths.items()}


def _check_bounds(bounds: Any) -> tuple[tuple[float, float], tuple[float, float]]:
    b = np.asarray(bounds, dtype=float)
    if b.shape != (2, 2) or not np.all(np.isfinite(b)) or not np.all(b[:, 0] < b[:, 1]):
        raise ValueError(f"bounds must be ((xmin, xmax), (ymin, ymax)) with finite min < max, "
                         f"got {bounds!r}")
    return (float(b[0, 0]), float(b[0, 1])), (float(b[1, 0]), float(b[1, 1]))


def _auto_bounds(problem: Any, paths: Sequence[np.ndarray], margin: float = 0.15):
    """Bounds around the paths, minimizers, saddles (and x0 if nothing else), with a margin."""
    pts = [p for p in paths]
    for extra in (getattr(problem, "minimizers", None), getattr(problem, "saddles", None)):
        if extra is not None and np.size(extra):
            pts.append(np.reshape(np.asarray(extra, dtype=float), (-1, 2)))
    if not pts:
        if getattr(problem, "x0", None) is None:
            raise ValueError("bounds must be given to draw a plain callable without paths "
                             "(nothing else says where to look)")
        pts.append(np.reshape(np.asarray(problem.x0, dtype=float), (1, 2)))
    allp = np.concatenate(pts, axis=0)
    allp = allp[np.all(np.isfinite(allp), axis=1)]
    if allp.size == 0:
        allp = np.zeros((1, 2))
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    span = hi - lo
    pad = np.maximum(margin * span, 0.5 * max(float(span.max()), 1.0) * margin + 0.25)
    xlim = (float(lo[0] - pad[0]), float(hi[0] + pad[0]))
    ylim = (float(lo[1] - pad[1]), float(hi[1] + pad[1]))
    return xlim, ylim


# ---------------------------------------------------------------------------------------------
# Drawing helpers
# ---------------------------------------------------------------------------------------------
def _landscape(ax: Any, problem: Any, bounds, *, qp=None, levels=30, log=True,
               line_every: int = 1) -> None:
    """Contours of f on ``bounds``, minimizers (*), saddles (x), the qp grid; sets limits/labels.

    Contour lines are drawn at every ``line_every``-th level (animations use fewer lines: each
    frame is an embedded PNG, and thin curved lines make PNGs large).
    """
    (x0, x1), (y0, y1) = bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, _GRID_RES), np.linspace(y0, y1, _GRID_RES))
    with np.errstate(all="ignore"):
        Z = np.asarray(problem.f(np.stack([X, Y])), dtype=float)
    finite = np.isfinite(Z)
    f_star = getattr(problem, "f_star", None)
    if f_star is None or not np.isfinite(f_star):
        f_star = float(Z[finite].min()) if finite.any() else 0.0
    if finite.any():
        if log:
            D = Z - f_star
            d_max = float(D[finite].max())
            if d_max > 0:
                tiny = d_max * 1e-12
                D = np.where(finite, np.maximum(D, 0.0) + tiny, np.nan)
                if np.isscalar(levels) or np.ndim(levels) == 0:
                    d_min = max(float(np.nanmin(D)), d_max * 1e-10)
                    lv = np.geomspace(d_min, d_max + tiny, int(levels))
                else:
                    lv = np.asarray(levels, dtype=float)
                Dm = np.ma.masked_invalid(D)
                ax.contourf(X, Y, Dm, levels=lv, norm=LogNorm(lv[0], lv[-1]), cmap=_LANDSCAPE_CMAP,
                            alpha=0.6, extend="both")
                ax.contour(X, Y, Dm, levels=lv[::line_every], norm=LogNorm(lv[0], lv[-1]),
                           colors="0.55",
                           linewidths=0.4)
            else:
                log = False
        if not log:
            Zm = np.ma.masked_invalid(Z)
            ax.contourf(X, Y, Zm, levels=levels, cmap=_LANDSCAPE_CMAP, alpha=0.6)
            ax.contour(X, Y, Zm, levels=levels, colors="0.55", linewidths=0.4)
    if qp is not None:
        _grid_overlay(ax, qp, bounds)
    mins = np.reshape(np.asarray(getattr(problem, "minimizers", np.empty((0, 2))), float), (-1, 2))
    if len(mins):
        ax.plot(mins[:, 0], mins[:, 1], linestyle="none", marker="*", markersize=14,
                markerfacecolor=COLORS[6], markeredgecolor="k", zorder=5, label="minimizer")
    sads = np.reshape(np.asarray(getattr(problem, "saddles", np.empty((0, 2))), float), (-1, 2))
    if len(sads):
        ax.plot(sads[:, 0], sads[:, 1], linestyle="none", marker="X", markersize=10,
                markerfacecolor="k", markeredgecolor="w", zorder=5, label="saddle")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")


def _grid_overlay(ax: Any, qp: Any, bounds) -> None:
    """The grid (1/qp)Z^2 in view, never silently left out.

    * At most ``_MAX_GRID_LINES`` grid lines in view (vertical plus horizontal): every grid line,
      light grey.
    * Else at most ``_MAX_GRID_DOTS`` grid points in view: every grid point, as a grey dot.
    * Else a subset: every m-th grid line, the lines k*m/qp (k integer), dashed, with m the
      smallest power of two (when qp is a power of two, so the lines stay dyadic) or the
      smallest of 2, 5, 10, 20, 50, ... (otherwise) that leaves at most ``_MAX_GRID_LINES``
      lines; a note in the lower right corner of the Axes (a Text with ``gid="grid_note"``)
      says so, e.g. "grid 1/100: every 20th line shown (spacing 0.2)".
    * No grid line in view (the window lies inside one cell): a note says so.
    """
    q = float(qp)
    if not (math.isfinite(q) and q > 0):
        raise ValueError(f"qp must be a positive finite number, got {qp!r}")
    (x0, x1), (y0, y1) = bounds

    def ticks(lo: float, hi: float, m: int = 1) -> np.ndarray:  # the lines k*m/qp in [lo, hi]
        return np.arange(math.ceil(lo * q / m), math.floor(hi * q / m) + 1) * m / q

    def count(lo: float, hi: float, m: int = 1) -> int:  # len(ticks(lo, hi, m)), no array
        return max(0, math.floor(hi * q / m) - math.ceil(lo * q / m) + 1)

    def note(text: str) -> None:
        ax.text(0.99, 0.01, text, transform=ax.transAxes, ha="right", va="bottom",
                fontsize="x-small", color="0.25", zorder=8, gid="grid_note",
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "0.7",
                      "alpha": 0.85})

    name = f"grid 1/{q:g}"
    nx, ny = count(x0, x1), count(y0, y1)
    if nx + ny == 0:
        note(f"{name}: no grid line in view (spacing {1 / q:g})")
    elif nx + ny <= _MAX_GRID_LINES:
        ax.vlines(ticks(x0, x1), y0, y1, colors="0.6", linewidths=0.6, alpha=0.7, zorder=1)
        ax.hlines(ticks(y0, y1), x0, x1, colors="0.6", linewidths=0.6, alpha=0.7, zorder=1)
    elif nx and ny and nx * ny <= _MAX_GRID_DOTS:
        GX, GY = np.meshgrid(ticks(x0, x1), ticks(y0, y1))
        ax.scatter(GX.ravel(), GY.ravel(), s=2, c="0.5", alpha=0.6, zorder=1, linewidths=0)
    else:  # too many points to draw: every m-th line, the smallest m leaving few enough lines
        dyadic = math.frexp(q)[0] == 0.5
        m = 2
        while count(x0, x1, m) + count(y0, y1, m) > _MAX_GRID_LINES:
            m = 2 * m if dyadic else (m * 5 // 2 if str(m)[0] == "2" else 2 * m)
        style = {"colors": "0.6", "linewidths": 0.6, "alpha": 0.7, "linestyles": "--",
                 "zorder": 1}
        ax.vlines(ticks(x0, x1, m), y0, y1, **style)
        ax.hlines(ticks(y0, y1, m), x0, x1, **style)
        suffix = "th" if 10 <= m % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(m % 10, "th")
        note(f"{name}: every {m}{suffix} line shown (spacing {m / q:g})")


def _draw_start(ax: Any, paths: Sequence[np.ndarray]) -> None:
    starts = np.unique(np.array([p[0] for p in paths]), axis=0)
    ax.plot(starts[:, 0], starts[:, 1], linestyle="none", marker="s", markersize=8,
            markerfacecolor="w", markeredgecolor="k", zorder=6, label="start")


def _new_axes(figsize=(6.0, 5.0)):
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


# ---------------------------------------------------------------------------------------------
# Static plots
# ---------------------------------------------------------------------------------------------
def plot_contour(problem, paths=None, *, ax=None, qp=None, levels=30, log=True, bounds=None,
                 title=None) -> Figure:
    r"""Contours of a 2-D problem's objective, its minimizers and saddles, and optimizer paths.

    Draws filled and line contours of ``f`` (with ``log=True``, log-spaced levels of
    ``f - f* + tiny``, so the valley near a minimizer stays visible), each known minimizer as a
    star and each saddle as an ``X``, and each path as a line with a small marker at every
    iterate, all from a square marking the start; the legend names the paths. With ``qp`` the
    grid (1/qp)Z^2 is overlaid: as light lines if there are at most 60 grid lines in view, as
    dots if there are at most 4000 grid points; a finer grid is never left out: every m-th
    grid line is drawn dashed (at most 60 lines) and a note in the corner says so ("grid
    1/100: every 20th line shown (spacing 0.2)"), as it does when no grid line is in view.

    Parameters
    ----------
    problem : quantopt.problems.Problem or callable
        A 2-D problem (``problem.n == 2``), or a plain callable ``f(x)`` of a 2-vector (then no
        minimizer is marked, f* is the smallest value on the contour grid, and ``bounds`` or
        paths must say where to look; f is called once on the stacked grid of shape
        (2, 200, 200) if it returns one value per point, else once per grid point). Anything
        else raises ValueError naming ``problem``.
    paths : OptimizeResult, array or dict, optional
        One run (an OptimizeResult, whose ``.path`` is drawn, or an array of shape (T, 2),
        labelled "path"), or a dict label -> OptimizeResult or (T, 2) array. An empty dict or
        an empty path raises ValueError naming ``paths``.
    ax : matplotlib Axes, optional
        Draw into this Axes; by default a new Figure with one Axes is made.
    qp : positive number, optional
        Overlay the grid (1/qp)Z^2 of quantized optimization.
    levels : int or sequence of float
        The number of contour levels, or the levels themselves (values of f - f* + tiny when
        ``log``, of f otherwise).
    log : bool
        Log-spaced levels of f - f* (default) or linear levels of f.
    bounds : ((xmin, xmax), (ymin, ymax)), optional
        The region drawn; by default the paths, minimizers and saddles with a margin.
    title : str, optional
        The Axes title; default the problem's name.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the Axes.

    Example: run GD and Adam on ``problems.rosenbrock()`` from its ``x0`` with ``minimize`` and
    call ``plot_contour(p, {"GD": r_gd, "Adam": r_adam})``; the figure shows both paths leaving
    the start square and Adam's following the curved valley toward the star at (1, 1).
    """
    problem = _as_problem(problem)
    arrays = {} if paths is None else _as_paths(paths, "paths")
    if bounds is None:
        bounds = _auto_bounds(problem, list(arrays.values()))
    else:
        bounds = _check_bounds(bounds)
    if ax is None:
        fig, ax = _new_axes()
    else:
        fig = _root_figure(ax)
    _landscape(ax, problem, bounds, qp=qp, levels=levels, log=log)
    for (label, path), style in zip(arrays.items(), styles_for(arrays)):
        ax.plot(path[:, 0], path[:, 1], markersize=4, linewidth=1.5, label=label, **style)
    if arrays:
        _draw_start(ax, list(arrays.values()))
    ax.set_title(getattr(problem, "name", "") if title is None else title)
    if arrays or len(problem.minimizers) or len(problem.saddles):
        ax.legend(loc="best", fontsize="small", framealpha=0.8)
    return fig


def _gaps_and_norms(problem: Any, path: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(x_t) - f* and |grad f(x_t)| for each row of path."""
    with np.errstate(all="ignore"):
        f = np.array([float(problem.f(x)) for x in path])
        g = np.array([float(np.linalg.norm(problem.grad(x))) for x in path])
    return f - float(problem.f_star), g


def plot_convergence(problem, results, *, axes=None) -> Figure:
    r"""Two panels: f(x_t) - f* and ||grad f(x_t)|| against the iteration t, log y scale.

    Both quantities are recomputed from each result's path with ``problem.f`` and
    ``problem.grad`` (so every method is measured the same way, also SGD whose steps use
    mini-batches). One line per method on each panel, same colour on both, legend on the left
    panel. Gaps that are exactly zero (or negative from round-off) are not shown on the log scale.

    Parameters
    ----------
    problem : quantopt.problems.Problem
        Any dimension.
    results : dict
        label -> OptimizeResult (or array of iterates of shape (T, n)); ValueError naming
        ``results`` if empty.
    axes : pair of matplotlib Axes, optional
        Draw into these; by default a new Figure with two side-by-side Axes.

    Returns
    -------
    matplotlib.figure.Figure

    Example: ``plot_convergence(p, {"GD": r_gd, "Newton": r_newton})`` on a quadratic with
    condition number 100 shows GD's gap falling along a straight line (linear rate) and Newton's
    dropping to round-off after one step.
    """
    if not callable(getattr(problem, "grad", None)):
        raise ValueError("problem must be a quantopt.problems.Problem, "
                         f"got {type(problem).__name__}")
    arrays = _as_paths(results, "results", n=problem.n if hasattr(problem, "n") else None)
    if axes is None:
        fig = Figure(figsize=(10.0, 4.0), layout="constrained")
        axes = fig.subplots(1, 2)
    else:
        if len(axes) != 2:
            raise ValueError(f"axes must be two Axes, got {len(axes)}")
        fig = _root_figure(axes[0])
    ax_f, ax_g = axes[0], axes[1]
    for (label, path), style in zip(arrays.items(), styles_for(arrays)):
        gap, norm = _gaps_and_norms(problem, path)
        t = np.arange(len(path))
        every = max(1, len(path) // 15)      # markers: sparse, so that lines stay readable
        ax_f.plot(t, gap, label=label, markevery=every, markersize=4, **style)
        ax_g.plot(t, norm, label=label, markevery=every, markersize=4, **style)
    for ax, ylabel in ((ax_f, r"$f(x_t) - f^*$"), (ax_g, r"$\|\nabla f(x_t)\|$")):
        ax.set_yscale("log")
        ax.set_xlabel("iteration $t$")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="major", alpha=0.3)
    ax_f.set_title(f"{getattr(problem, 'name', '')}: objective gap")
    ax_g.set_title("gradient norm")
    ax_f.legend(fontsize="small")
    return fig


# ---------------------------------------------------------------------------------------------
# Animations
# ---------------------------------------------------------------------------------------------
def _freeze_layout(fig: Figure, moving: Sequence[Any]) -> None:
    """Prepare an animation's figure so that each frame draws only what moves.

    The figure gets an Agg canvas of its own (Agg is always available, whatever the GUI
    backend); its constrained layout is computed once and switched off; then everything that
    does not move (contours, markers, axes, ticks, labels, legends) is rendered once into an
    image, shown in a background Axes (label ``"background"``) that fills the figure, and
    hidden in the original Axes, which keep only the ``moving`` artists. Frames then cost a
    few lines and one image instead of a full redraw with all its text; the background is
    resampled if the animation is saved at another dpi.
    """
    FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    fig.set_layout_engine(None)
    moving = list(moving)
    for artist in moving:
        artist.set_visible(False)
    fig.canvas.draw()
    background = np.array(fig.canvas.buffer_rgba())
    for artist in moving:
        artist.set_visible(True)
    keep = set(map(id, moving))
    for ax in fig.axes:
        for child in ax.get_children():
            if id(child) not in keep and child is not ax.patch:
                child.set_visible(False)
        ax.set_axis_off()
        ax.patch.set_visible(False)
    fig.patch.set_visible(False)
    bg = fig.add_axes((0.0, 0.0, 1.0, 1.0), label="background", zorder=-10)
    bg.imshow(background, extent=(0, 1, 0, 1), aspect="auto", interpolation="antialiased")
    bg.set_axis_off()


def _frame_rows(T: int, max_frames: int) -> list[int]:
    """At most max_frames row indices from 0 to T - 1, increasing, always ending at T - 1."""
    mf = int(max_frames)
    if mf < 1:
        raise ValueError(f"max_frames must be a positive integer, got {max_frames!r}")
    if T <= mf:
        return list(range(T))
    rows = np.unique(np.round(np.linspace(0, T - 1, mf)).astype(int))
    return [int(r) for r in rows]


def _check_interval(interval: Any) -> float:
    iv = float(interval)
    if not (math.isfinite(iv) and iv > 0):
        raise ValueError(f"interval must be a positive number of milliseconds, got {interval!r}")
    return iv


def animate_paths(problem, results, *, qp=None, interval=60, max_frames=150,
                  bounds=None) -> _animation.FuncAnimation:
    r"""The contour plot with each optimizer's path growing frame by frame.

    Frame k shows every path up to iterate ``frame_rows[k]`` (a path shorter than that is shown
    whole), with a larger dot on its current iterate. Paths longer than ``max_frames`` iterates
    are subsampled: the frames show evenly spaced iterates, always including the first and the
    last, so the last frame shows every path in full.

    Parameters
    ----------
    problem : quantopt.problems.Problem or callable
        A 2-D problem, or a plain callable f(x) of a 2-vector (as in :func:`plot_contour`);
        ValueError naming ``problem`` otherwise.
    results : OptimizeResult, array or dict
        One run (labelled "path"), or a dict label -> OptimizeResult or array of shape (T, 2);
        ValueError naming ``results`` if empty.
    qp : positive number, optional
        Overlay the grid (1/qp)Z^2 (as in :func:`plot_contour`).
    interval : float
        Milliseconds between frames.
    max_frames : int
        The most frames.
    bounds : ((xmin, xmax), (ymin, ymax)), optional
        The region drawn; by default the full paths and minimizers with a margin.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        With attributes ``frame_rows`` (list of int) and ``lines`` (label -> Line2D). Display
        it in a notebook with ``IPython.display.HTML(anim.to_jshtml())``, or save it with
        :func:`save_animation`.

    Example: ``animate_paths(p, {"Momentum": r_mom, "Nesterov": r_nag})`` on an ill-conditioned
    quadratic shows momentum overshooting across the valley and Nesterov correcting earlier.
    """
    problem = _as_problem(problem)
    arrays = _as_paths(results, "results")
    interval = _check_interval(interval)
    if bounds is None:
        bounds = _auto_bounds(problem, list(arrays.values()))
    else:
        bounds = _check_bounds(bounds)
    rows = _frame_rows(max(len(p) for p in arrays.values()), max_frames)
    fig, ax = _new_axes()
    _landscape(ax, problem, bounds, qp=qp, levels=24, line_every=3)
    _draw_start(ax, list(arrays.values()))
    lines, heads = {}, {}
    for label, style in zip(arrays, styles_for(arrays)):
        (lines[label],) = ax.plot([], [], markersize=4, linewidth=1.5, label=label, **style)
        (heads[label],) = ax.plot([], [], "o", color=style["color"], markersize=8,
                                  markeredgecolor="k", zorder=7)
    ax.legend(loc="best", fontsize="small", framealpha=0.8)
    title = ax.set_title("", y=1.0)  # a fixed position: the title moves with the frames
    name = getattr(problem, "name", "")

    def update(k: int):
        r = rows[k]
        for label, path in arrays.items():
            shown = path[: min(r, len(path) - 1) + 1]
            lines[label].set_data(shown[:, 0], shown[:, 1])
            heads[label].set_data(shown[-1:, 0], shown[-1:, 1])
        title.set_text(f"{name}: iteration $t = {r}$")
        return [*lines.values(), *heads.values(), title]

    update(len(rows) - 1)  # the layout is computed with the full data in view
    _freeze_layout(fig, [*lines.values(), *heads.values(), title])
    update(0)
    anim = _animation.FuncAnimation(fig, update, frames=list(range(len(rows))),
                                    interval=interval, blit=False, repeat=True)
    anim.frame_rows = rows
    anim.lines = lines
    return anim


def _state_arrays(result: Any, fields: Any) -> dict[str, np.ndarray]:
    if isinstance(fields, str):
        fields = (fields,)
    fields = tuple(fields)
    if not fields:
        raise ValueError("fields is empty: name at least one state field, e.g. ('G',)")
    if isinstance(result, Mapping):
        states = result.get("states")
    else:
        states = getattr(result, "states", None)
    if not states:
        raise ValueError("result has no recorded states: run minimize(..., "
                         "options={'record_state': True})")
    unknown = [f for f in fields if f not in states]
    if unknown:
        raise ValueError(f"fields {unknown!r} are not recorded in result.states; "
                         f"available: {sorted(states)!r}")
    out = {}
    for f in fields:
        a = np.asarray(states[f], dtype=float)
        out[f] = a.reshape(len(a), -1) if a.ndim != 2 else a
    return out


def _state_labels(fields: Sequence[str], labels: Any) -> dict[str, str]:
    if labels is None:
        return {f: _STATE_LABELS.get(f, f"{f}_t") for f in fields}
    if isinstance(labels, Mapping):
        return {f: str(labels.get(f, _STATE_LABELS.get(f, f"{f}_t"))).strip("$") for f in fields}
    labels = list(labels)
    if len(labels) != len(fields):
        raise ValueError(f"labels must give one label per field ({len(fields)}), got {len(labels)}")
    return {f: str(lab).strip("$") for f, lab in zip(fields, labels)}


def animate_with_state(problem, result, fields, *, labels=None, interval=60,
                       max_frames=150, method=None) -> _animation.FuncAnimation:
    r"""The path on the left and the optimizer's state fields over time on the right.

    Left: the contour plot (as :func:`plot_contour`) with the path growing. Right: one panel per
    field in ``fields``, each showing every coordinate of the field (``G_t[0]``, ``G_t[1]``, ...)
    as a line growing with t, on a log scale if none of its values is negative and some are
    positive (AdaGrad's G_t, Adam's v_t, RMSProp's s_t; zeros such as G_0 = 0 are then not
    drawn) and linear otherwise (Adam's m_t). The axes are fixed to the
    whole run, so one sees, for AdaGrad, G_t growing while the steps on the left shrink, and for
    Adam (``fields=("m", "v")``) the first moment following the gradient's sign while the second
    moment sets the step size.

    Parameters
    ----------
    problem : quantopt.problems.Problem
        A 2-D problem; ValueError naming ``problem`` otherwise.
    result : OptimizeResult
        From ``minimize(..., options={"record_state": True})``: ``result.states[field]`` has one
        row per iterate.
    fields : str or sequence of str
        State fields to draw, e.g. ``("G",)`` for AdaGrad, ``("m", "v")`` for Adam, ``("s",)``
        for RMSProp, ``("v",)`` for momentum. A field not in ``result.states`` raises ValueError
        naming ``fields``.
    labels : sequence of str or dict field -> str, optional
        Math labels of the fields without dollar signs (default ``G_t``, ``m_t``, ``v_t``...).
    interval : float
        Milliseconds between frames.
    max_frames : int
        The most frames (the run is subsampled evenly, last iterate included).
    method : str, optional
        The method that made the run ("adagrad", "Adam", ...): the path takes its colour and
        marker from :data:`METHOD_STYLES` and is labelled with it; by default the path is
        labelled "path" in the first colour of :data:`COLORS`.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        With attributes ``frame_rows``, ``lines`` (``"path"`` -> the path's Line2D) and
        ``state_lines`` (field -> list of Line2D, one per coordinate).

    Example: run ``minimize(p.f, p.x0, jac=p.grad, method="adagrad", options={"record_state":
    True})`` on ``problems.quadratic(cond=20)`` and call
    ``animate_with_state(p, r, ("G",))``: the right panel shows both coordinates of G_t rising,
    the steepest coordinate's fastest, while the path's steps on the left get shorter.
    """
    problem = _as_problem(problem)
    if not (isinstance(result, Mapping) and "path" in result) and not hasattr(result, "path"):
        raise ValueError("result must be an OptimizeResult with a path, "
                         f"got {type(result).__name__}")
    path = _as_path(result, "result", "result")
    states = _state_arrays(result, fields)
    fields = tuple(states)
    names = _state_labels(fields, labels)
    interval = _check_interval(interval)
    T = len(path)
    rows = _frame_rows(T, max_frames)
    k = len(fields)
    fig = Figure(figsize=(5.0 + 4.0 * k, 4.3), layout="constrained")
    axes = fig.subplots(1, 1 + k, squeeze=False)[0]
    ax = axes[0]
    _landscape(ax, problem, _auto_bounds(problem, [path]), levels=24, line_every=3)
    _draw_start(ax, [path])
    style = styles_for([method])[0] if method is not None else {"color": COLORS[0],
                                                                 "marker": "o", "zorder": 4}
    (line,) = ax.plot([], [], markersize=4, linewidth=1.5,
                      label="path" if method is None else str(method), **style)
    (head,) = ax.plot([], [], "o", color=style["color"], markersize=8, markeredgecolor="k",
                      zorder=7)
    ax.legend(loc="best", fontsize="small", framealpha=0.8)
    title = ax.set_title("", y=1.0)  # a fixed position: the title moves with the frames
    state_lines: dict[str, list] = {}
    for sax, f in zip(axes[1:], fields):
        a = states[f]
        vals = a[np.isfinite(a)]
        # log scale when no value is negative and some are positive (G_0 = 0 is then not drawn)
        positive = bool(vals.size) and bool(np.all(vals >= 0)) and bool(np.any(vals > 0))
        state_lines[f] = []
        for j in range(a.shape[1]):
            lab = f"${names[f]}[{j + 1}]$" if a.shape[1] > 1 else f"${names[f]}$"
            # neutral greys and line styles: the palette's colours belong to the methods
            (sl,) = sax.plot([], [], color=_COORD_COLORS[j % len(_COORD_COLORS)],
                             linestyle=_LINESTYLES[(j // len(_COORD_COLORS)) % 4], label=lab)
            state_lines[f].append(sl)
        sax.set_xlim(0, max(len(a) - 1, 1))
        if vals.size:
            lo, hi = float(vals.min()), float(vals.max())
            if positive:
                lo = float(vals[vals > 0].min())
                sax.set_yscale("log")
                sax.set_ylim(lo / 1.5, hi * 1.5 if hi > lo else lo * 2.25)
            else:
                pad = 0.08 * (hi - lo) if hi > lo else max(abs(hi), 1.0) * 0.1
                sax.set_ylim(lo - pad, hi + pad)
                sax.axhline(0.0, color="0.6", linewidth=0.6)
        sax.set_xlabel("iteration $t$")
        sax.set_ylabel(f"${names[f]}$")
        sax.set_title(f"${names[f]}$")
        sax.grid(True, alpha=0.3)
        sax.legend(loc="best", fontsize="small")
    name = getattr(problem, "name", "")

    def update(kf: int):
        r = rows[kf]
        shown = path[: r + 1]
        line.set_data(shown[:, 0], shown[:, 1])
        head.set_data(shown[-1:, 0], shown[-1:, 1])
        artists = [line, head, title]
        for f in fields:
            a = states[f]
            upto = min(r, len(a) - 1) + 1
            t = np.arange(upto)
            for j, sl in enumerate(state_lines[f]):
                sl.set_data(t, a[:upto, j])
                artists.append(sl)
        title.set_text(f"{name}: iteration $t = {r}$")
        return artists

    update(len(rows) - 1)  # the layout is computed with the full data in view
    _freeze_layout(fig, [line, head, title, *(sl for f in fields for sl in state_lines[f])])
    update(0)
    anim = _animation.FuncAnimation(fig, update, frames=list(range(len(rows))),
                                    interval=interval, blit=False, repeat=True)
    anim.frame_rows = rows
    anim.lines = {"path": line}
    anim.state_lines = state_lines
    return anim


def save_animation(anim, path, fps=15) -> pathlib.Path:
    """Write an animation as a GIF with Pillow (``matplotlib.animation.PillowWriter``).

    Parameters
    ----------
    anim : matplotlib.animation.Animation
        E.g. from :func:`animate_paths` or :func:`animate_with_state`.
    path : str or os.PathLike
        The output file, normally ending in ``.gif``; missing parent directories are created.
    fps : int
        Frames per second.

    Returns
    -------
    pathlib.Path
        The path written.

    Example: ``save_animation(animate_paths(p, runs), "figures/rosenbrock.gif")`` writes a GIF
    that any browser or Markdown viewer plays, without ffmpeg.
    """
    if not isinstance(anim, _animation.Animation):
        raise ValueError(f"anim must be a matplotlib Animation, got {type(anim).__name__}")
    fps_f = float(fps)
    if not (math.isfinite(fps_f) and fps_f > 0):
        raise ValueError(f"fps must be a positive number, got {fps!r}")
    out = pathlib.Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    anim.save(str(out), writer=_animation.PillowWriter(fps=fps_f))
    return out


# ---------------------------------------------------------------------------------------------
# Rounding
# ---------------------------------------------------------------------------------------------
_ROUNDING_KINDS = {
    "R": r"$x^R = \lfloor x + 1/2 \rfloor$",
    "eps": r"$\varepsilon = x - x^R$",
    "Q": r"$x^Q = \lfloor q_p x + 1/2 \rfloor / q_p$",
}


def plot_rounding(kind="R", qp=1, xlim=(-2, 2), ax=None) -> Figure:
    r"""Half-up rounding x^R, its residual eps, or quantization x^Q, drawn as a step function.

    Each piece between two jumps is a line segment; at each jump x = (k - 1/2)/qp a filled
    circle marks the value taken there and an open circle the limit from the left. Half up
    means the filled circle is at the *upper* value for x^R and x^Q (x^R(1/2) = 1), and at
    -1/2 for eps (eps(1/2) = 1/2 - 1), which is why eps lies in [-1/2, 1/2). The line y = x is
    drawn dashed for x^R and x^Q.

    The segments' Line2D objects carry ``gid="segment"``, the filled circles ``gid="closed"``,
    the open circles ``gid="open"``.

    Parameters
    ----------
    kind : {"R", "eps", "Q"}
        x^R = round_half_up(x); eps = residual(x) = x - x^R (for qp != 1, the quantization error
        x - x^Q); x^Q = quantize(x, qp). ValueError naming ``kind`` otherwise.
    qp : positive number
        The grid resolution for "Q" and "eps" (grid step 1/qp); must be 1 for "R".
    xlim : (float, float)
        The x range drawn, xmin < xmax, at most 2000 jumps.
    ax : matplotlib Axes, optional
        Draw into it; by default a new Figure.

    Returns
    -------
    matplotlib.figure.Figure

    Example: ``plot_rounding("Q", qp=4, xlim=(-1, 1))`` shows the staircase onto the grid
    (1/4)Z, with the filled circle at the top of each step, hugging the diagonal y = x.
    """
    if kind not in _ROUNDING_KINDS:
        raise ValueError(f"kind must be one of {sorted(_ROUNDING_KINDS)!r}, got {kind!r}")
    try:
        q = float(qp)
    except (TypeError, ValueError):
        raise ValueError(f"qp must be a positive finite number, got {qp!r}") from None
    if not (math.isfinite(q) and q > 0):
        raise ValueError(f"qp must be a positive finite number, got {qp!r}")
    if kind == "R" and q != 1:
        raise ValueError(f"qp must be 1 for kind='R' (x^R rounds to the integers); "
                         f"use kind='Q' for the grid (1/qp)Z, got qp={qp!r}")
    try:
        lo, hi = (float(v) for v in xlim)
    except (TypeError, ValueError):
        raise ValueError(f"xlim must be (xmin, xmax), got {xlim!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"xlim must be finite with xmin < xmax, got {xlim!r}")
    if (hi - lo) * q > _MAX_JUMPS:
        raise ValueError(f"xlim spans more than {_MAX_JUMPS} jumps at qp={qp!r}; narrow it")

    if kind == "R":
        func, step, slope = round_half_up, 1.0, 0.0
    elif kind == "Q":
        def func(x):
            return quantize(x, q)
        step, slope = 1.0 / q, 0.0
    elif q == 1:
        func, step, slope = residual, -1.0, 1.0
    else:
        def func(x):
            return x - quantize(x, q)
        step, slope = -1.0 / q, 1.0

    # jumps at (k - 1/2)/qp in [lo, hi]
    ks = np.arange(math.ceil(lo * q + 0.5), math.floor(hi * q + 0.5) + 1)
    jumps = (ks - 0.5) / q
    jumps = jumps[(jumps >= lo) & (jumps <= hi)]
    breaks = np.unique(np.concatenate([[lo], jumps, [hi]]))

    if ax is None:
        fig, ax = _new_axes((6.0, 4.5))
    else:
        fig = _root_figure(ax)
    color = COLORS[3]
    for a, b in itertools.pairwise(breaks):
        ya = float(func(np.array([a]))[0])
        mid = 0.5 * (a + b)
        yb = float(func(np.array([mid]))[0]) + slope * (b - mid)  # limit from the left at b
        ax.plot([a, b], [ya, yb], color=color, linewidth=2, gid="segment")
    if len(jumps):
        closed = np.asarray(func(jumps), dtype=float)
        left = closed - step
        ax.plot(jumps, closed, linestyle="none", marker="o", markersize=6, color=color,
                markerfacecolor=color, gid="closed", zorder=5, label="value at the jump")
        keep = jumps > lo
        ax.plot(jumps[keep], left[keep], linestyle="none", marker="o", markersize=6,
                color=color, markerfacecolor="white", gid="open", zorder=5,
                label="limit from the left")
    if kind in ("R", "Q"):
        ax.plot([lo, hi], [lo, hi], linestyle="--", color="0.5", linewidth=1, label="$y = x$",
                gid="diagonal")
    ax.set_xlim(lo - 0.02 * (hi - lo), hi + 0.02 * (hi - lo))
    ax.set_xlabel("$x$")
    label = _ROUNDING_KINDS[kind]
    if kind == "eps" and q != 1:
        label = r"$\varepsilon = x - x^Q$"
    ax.set_ylabel(label)
    ax.set_title(label + (f"  ($q_p = {qp}$)" if kind == "Q" or q != 1 else ""))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    return fig


# ---------------------------------------------------------------------------------------------
# Interactivity
# ---------------------------------------------------------------------------------------------
def sliders(draw, *, show=True, **controls) -> Any:
    r"""Sliders that redraw ``draw(**values)`` (a function returning a Figure) when moved.

    Each control is ``name=(low, high, step, value)``: an ``IntSlider`` when all four are
    integers, else a ``FloatSlider``; or ``name=("log", low, high, value)`` for a
    ``FloatLogSlider`` over [low, high] (powers of ten); or ``name=[option, ...]`` for a
    dropdown whose first option is the initial value. The sliders update on release
    (``continuous_update=False``), so a slow figure is drawn once per move.

    Headless use: a notebook should first draw the figure for the initial values as a plain
    output (the static fallback, and what the notebook's asserts check), then call
    ``sliders``. With ipywidgets installed (the ``notebooks`` extra) the widget is displayed and
    returned; it draws nothing until the first move, so the notebook does not show the
    initial figure twice. Without ipywidgets it displays nothing.

    With ``show=True`` (default) the widget is displayed and None is returned, so that a cell
    ending in ``viz.sliders(...)`` does not show it a second time as the cell's value; with
    ``show=False`` it is returned, not displayed (to embed it, or in tests).

    Returns
    -------
    None, or with show=False an ipywidgets.VBox
        The sliders above their output area (``.children``); None without ipywidgets.
    """
    if not callable(draw):
        raise TypeError(f"draw must be callable, got {type(draw).__name__}")
    if not controls:
        raise ValueError("sliders needs at least one control (name=(low, high, step, value))")
    try:
        import ipywidgets as widgets
        from IPython.display import display
    except ImportError:
        return None
    made = {}
    for name, spec in controls.items():
        if isinstance(spec, list):
            if not spec:
                raise ValueError(f"{name}: a dropdown needs at least one option")
            made[name] = widgets.Dropdown(options=spec, value=spec[0], description=name)
        elif isinstance(spec, tuple) and len(spec) == 4 and spec[0] == "log":
            _, low, high, value = spec
            if not 0 < low <= value <= high:
                raise ValueError(f"{name}: need 0 < low <= value <= high, got {spec}")
            made[name] = widgets.FloatLogSlider(
                value=value, base=10, min=math.log10(low), max=math.log10(high), step=0.05,
                description=name, continuous_update=False, readout_format=".3g")
        elif isinstance(spec, tuple) and len(spec) == 4:
            low, high, step, value = spec
            if not low <= value <= high or not step > 0:
                raise ValueError(f"{name}: need low <= value <= high and step > 0, got {spec}")
            kind = (widgets.IntSlider if all(isinstance(v, int) and not isinstance(v, bool)
                                             for v in spec) else widgets.FloatSlider)
            made[name] = kind(value=value, min=low, max=high, step=step, description=name,
                              continuous_update=False)
        else:
            raise ValueError(f"{name}: a control is (low, high, step, value), "
                             f"('log', low, high, value) or a list of options, got {spec!r}")
    out = widgets.Output()

    def redraw(change=None) -> None:
        with out:
            out.clear_output(wait=True)
            display(draw(**{k: w.value for k, w in made.items()}))

    for w in made.values():
        w.observe(redraw, names="value")
    box = widgets.VBox([widgets.HBox(list(made.values())), out])
    box.redraw = redraw          # for tests and for a caller that wants the first drawing
    if show:
        display(box)
        return None
    return box
