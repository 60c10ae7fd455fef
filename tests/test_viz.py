"""Tests of quantopt.viz: the data drawn equals the inputs, labels, animations, GIFs, errors."""
import gc
import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # only to forbid plt.show
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure

import quantopt
from quantopt import problems, viz


@pytest.fixture(autouse=True)
def no_show(monkeypatch):
    """viz must never call plt.show (nor pyplot's figure manager)."""
    def boom(*args, **kwargs):
        raise AssertionError("plt.show was called")
    monkeypatch.setattr(plt, "show", boom)
    n_before = len(plt.get_fignums())
    with warnings.catch_warnings():
        # animations checked with _draw_frame only are never "rendered": matplotlib warns when
        # they are garbage-collected, so collect them here, inside the filter
        warnings.filterwarnings("ignore", "Animation was deleted without rendering")
        yield
        gc.collect()
    assert len(plt.get_fignums()) == n_before, "viz created a pyplot-managed figure"


def _run(p, method, maxiter=40, **opts):
    options = {"maxiter": maxiter, "record_state": True, **opts}
    return quantopt.minimize(p.f, p.x0, jac=p.grad, method=method, options=options)


@pytest.fixture(scope="module")
def quad():
    return problems.quadratic(cond=10.0)


@pytest.fixture(scope="module")
def runs(quad):
    return {"GD": _run(quad, "gd", lr=0.05), "Momentum": _run(quad, "momentum", lr=0.02),
            "Adam": _run(quad, "adam", lr=0.1)}


def _lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def _legend_labels(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


# --- palette ---------------------------------------------------------------------------------
def test_palette_is_okabe_ito_and_cycles():
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
                 "#000000"}
    assert set(viz.COLORS) == okabe_ito and len(viz.COLORS) == 8
    assert [viz.color_for(i) for i in range(8)] == list(viz.COLORS)
    assert viz.color_for(8) == viz.COLORS[0] and viz.color_for(11) == viz.COLORS[3]


@pytest.mark.parametrize("label, method", [
    ("GD", "gd"), ("gd", "gd"), ("GD, annealing(1)", "gd"), ("SGD", "sgd"),
    ("SGD+Momentum", "momentum"), ("SGD + momentum", "momentum"), ("Nesterov", "nesterov"),
    ("AdaGrad", "adagrad"), ("RMSProp", "rmsprop"), ("Adam (no bias correction)", "adam"),
    ("Newton", "newton"), ("BFGS, float", "bfgs"), ("L-BFGS", "lbfgs"), ("lbfgs", "lbfgs"),
    ("CG (PR+)", "cg"), ("Langevin, T(t)", "langevin"), ("fixed grid 1/256", None),
    ("Adamant", None), ("start", None), (None, None), ("GD lr=0.035", "gd"),
    ("Adam uncorrected", "adam"), ("Momentum beta=0.9", "momentum"), ("rms_prop", "rmsprop"),
    ("SGD with momentum", "momentum"), ("AdamW, wd=0.01", "adamw")])
def test_method_of_reads_the_method_in_a_label(label, method):
    assert viz.method_of(label) == method


def test_every_method_has_its_own_colour_and_marker():
    methods = set(qo_minimize_methods())
    assert set(viz.METHOD_STYLES) == methods
    colors = [s["color"] for s in viz.METHOD_STYLES.values()]
    markers = [s["marker"] for s in viz.METHOD_STYLES.values()]
    assert len(set(colors)) == len(colors) and len(set(markers)) == len(markers)
    assert "#F0E442" not in colors          # Okabe-Ito's yellow: invisible on white


def qo_minimize_methods():
    from quantopt.optim import RULES
    return RULES.keys()


def test_styles_for_is_the_same_in_every_plot_and_separates_duplicates():
    a = viz.styles_for(["GD", "Momentum", "Adam"])
    b = viz.styles_for(["Adam", "fixed grid", "Momentum"])
    assert a[1]["color"] == b[2]["color"] == viz.METHOD_STYLES["momentum"]["color"]
    assert a[2]["color"] == b[0]["color"] == viz.METHOD_STYLES["adam"]["color"]
    # a label naming no method takes a colour no method of this plot uses
    assert b[1]["color"] not in {b[0]["color"], b[2]["color"]}
    # the same method twice: same colour, another line style, a hollow marker
    c = viz.styles_for(["BFGS, float", "BFGS, annealing", "BFGS, fixed"])
    assert len({s["color"] for s in c}) == 1
    assert [s["linestyle"] for s in c] == ["-", "--", ":"]
    assert c[0]["markerfacecolor"] == c[0]["color"] and c[1]["markerfacecolor"] == "white"
    # later paths above earlier ones
    assert c[0]["zorder"] < c[1]["zorder"] < c[2]["zorder"]


def test_method_colour_does_not_depend_on_the_order(quad, runs):
    reordered = {k: runs[k] for k in ("Adam", "Momentum", "GD")}
    for fig in (viz.plot_contour(quad, runs), viz.plot_contour(quad, reordered)):
        lines = _lines_by_label(fig.axes[0])
        assert lines["Momentum"].get_color() == viz.METHOD_STYLES["momentum"]["color"]
        assert lines["Adam"].get_color() == viz.METHOD_STYLES["adam"]["color"]
    fig = viz.plot_convergence(quad, reordered)
    for ax in fig.axes:
        assert _lines_by_label(ax)["GD"].get_color() == viz.METHOD_STYLES["gd"]["color"]


def test_import_quantopt_does_not_import_matplotlib():
    code = "import sys, quantopt; print('matplotlib' in sys.modules, 'quantopt.viz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# --- plot_contour ----------------------------------------------------------------------------
def test_contour_paths_data_legend_labels(quad, runs):
    fig = viz.plot_contour(quad, runs, title="quadratic")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    lines = _lines_by_label(ax)
    for label, r in runs.items():
        np.testing.assert_array_equal(lines[label].get_xdata(), r.path[:, 0])
        np.testing.assert_array_equal(lines[label].get_ydata(), r.path[:, 1])
    # each method in its own colour (GD black, Momentum blue, Adam vermillion)
    assert [lines[k].get_color() for k in runs] == ["#000000", "#0072B2", "#D55E00"]
    legend = _legend_labels(ax)
    assert set(runs) <= set(legend) and "minimizer" in legend and "start" in legend
    np.testing.assert_array_equal(lines["minimizer"].get_xydata(), quad.minimizers)
    np.testing.assert_array_equal(lines["start"].get_xydata(), quad.x0[None, :])
    assert "$x_1$" in ax.get_xlabel() and "$x_2$" in ax.get_ylabel()
    assert ax.get_title() == "quadratic"
    # default bounds contain every iterate and the minimizer
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for r in runs.values():
        assert np.all((r.path[:, 0] > x0) & (r.path[:, 0] < x1))
        assert np.all((r.path[:, 1] > y0) & (r.path[:, 1] < y1))
    fig.savefig(__import__("io").BytesIO(), format="png")


def test_contour_array_paths_saddles_bounds_and_given_ax():
    p = problems.saddle()
    path = np.array([[1.0, 0.1], [0.5, 0.3], [0.2, 0.7], [0.0, 1.0]])
    fig = Figure()
    ax = fig.add_subplot()
    out = viz.plot_contour(p, {"walk": path}, ax=ax, bounds=((-2, 2), (-1.5, 1.5)), log=False)
    assert out is fig
    lines = _lines_by_label(ax)
    np.testing.assert_array_equal(lines["walk"].get_xydata(), path)
    np.testing.assert_array_equal(lines["saddle"].get_xydata(), p.saddles)
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-1.5, 1.5)
    assert ax.get_title() == p.name
    # no paths: the landscape alone
    fig2 = viz.plot_contour(problems.himmelblau())
    np.testing.assert_array_equal(_lines_by_label(fig2.axes[0])["minimizer"].get_xydata(),
                                  problems.himmelblau().minimizers)


def test_contour_qp_grid_lines_or_dots(quad):
    bounds = ((-2, 2), (-1, 1))
    # qp=2: x in 9 lines, y in 5 lines -> drawn as lines at k/2
    ax = viz.plot_contour(quad, qp=2, bounds=bounds).axes[0]
    segs = [c for c in ax.collections if isinstance(c, LineCollection)
            and not hasattr(c, "levels") and len(c.get_segments()) in (9, 5)]
    xs = sorted(s[0][0] for c in segs for s in c.get_segments() if s[0][0] == s[1][0])
    assert xs == [k / 2 for k in range(-4, 5)]
    # qp=10: 41 + 21 lines > 60 -> dots at the 861 grid points
    ax = viz.plot_contour(quad, qp=10, bounds=bounds).axes[0]
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(dots) == 1 and len(dots[0].get_offsets()) == 41 * 21
    # qp=1000: too fine for dots (every m-th line instead, tested below), no dots
    ax = viz.plot_contour(quad, qp=1000, bounds=bounds).axes[0]
    assert not [c for c in ax.collections if isinstance(c, PathCollection)]


def test_contour_errors(quad, runs):
    with pytest.raises(ValueError, match="problem"):
        viz.plot_contour(problems.rosenbrock(n=3))
    with pytest.raises(ValueError, match="paths"):
        viz.plot_contour(quad, {})
    with pytest.raises(ValueError, match="paths"):
        viz.plot_contour(quad, {"empty": np.empty((0, 2))})
    with pytest.raises(ValueError, match="paths"):
        viz.plot_contour(quad, {"3d": np.zeros((4, 3))})
    with pytest.raises(ValueError, match="bounds"):
        viz.plot_contour(quad, runs, bounds=((1, 0), (0, 1)))
    with pytest.raises(ValueError, match="qp"):
        viz.plot_contour(quad, runs, qp=-1)


# --- plot_convergence ------------------------------------------------------------------------
def test_convergence_log_axes_and_data(quad, runs):
    fig = viz.plot_convergence(quad, runs)
    assert isinstance(fig, Figure)
    ax_f, ax_g = fig.axes[:2]
    assert ax_f.get_yscale() == "log" and ax_g.get_yscale() == "log"
    assert "$f(x_t) - f^*$" in ax_f.get_ylabel()
    assert r"$\|\nabla f(x_t)\|$" in ax_g.get_ylabel()
    assert "$t$" in ax_f.get_xlabel() and "$t$" in ax_g.get_xlabel()
    assert _legend_labels(ax_f) == list(runs)
    lf, lg = _lines_by_label(ax_f), _lines_by_label(ax_g)
    for label, r in runs.items():
        gap = np.array([quad.f(x) for x in r.path]) - quad.f_star
        norm = np.array([np.linalg.norm(quad.grad(x)) for x in r.path])
        np.testing.assert_array_equal(lf[label].get_xdata(), np.arange(len(r.path)))
        np.testing.assert_allclose(lf[label].get_ydata(), gap, rtol=1e-15, atol=0)
        np.testing.assert_allclose(lg[label].get_ydata(), norm, rtol=1e-15, atol=0)


def test_convergence_any_dimension_given_axes_and_errors():
    p = problems.rosenbrock(n=4)
    r = _run(p, "adam", maxiter=10, lr=0.01)
    fig = Figure()
    axes = fig.subplots(1, 2)
    assert viz.plot_convergence(p, {"Adam": r}, axes=axes) is fig
    assert len(axes[0].get_lines()) == 1
    with pytest.raises(ValueError, match="results"):
        viz.plot_convergence(p, {})


# --- animations ------------------------------------------------------------------------------
def test_animate_paths_frames_last_frame_and_jshtml(quad, runs):
    anim = viz.animate_paths(quad, runs, max_frames=7, interval=40, qp=4)
    assert isinstance(anim, FuncAnimation)
    frames = list(anim.new_frame_seq())
    longest = max(len(r.path) for r in runs.values())
    assert len(frames) > 1 and len(frames) <= 7
    assert anim.frame_rows[0] == 0 and anim.frame_rows[-1] == longest - 1
    assert np.all(np.diff(anim.frame_rows) > 0)
    html = anim.to_jshtml()  # renders every frame; no ffmpeg needed
    assert isinstance(html, str) and ("<img" in html or "animation" in html.lower())
    # after the last frame each path is shown in full
    for label, r in runs.items():
        np.testing.assert_array_equal(anim.lines[label].get_xydata(), r.path)
    assert set(runs) <= set(_legend_labels(anim._fig.axes[0]))


def test_animate_paths_short_run_has_one_frame_per_iterate(quad):
    path = np.array([[1.0, 1.0], [0.5, 0.4], [0.1, 0.2]])
    anim = viz.animate_paths(quad, {"three": path}, max_frames=150)
    assert anim.frame_rows == [0, 1, 2]
    anim._draw_frame(1)
    np.testing.assert_array_equal(anim.lines["three"].get_xydata(), path[:2])


def test_save_animation_gif(tmp_path, quad, runs):
    from PIL import Image
    anim = viz.animate_paths(quad, {"GD": runs["GD"]}, max_frames=4)
    out = viz.save_animation(anim, tmp_path / "sub" / "dir" / "gd.gif", fps=5)
    assert out == tmp_path / "sub" / "dir" / "gd.gif" and out.is_file()
    with Image.open(out) as im:
        assert im.format == "GIF" and im.n_frames > 1
    with pytest.raises(ValueError, match="anim"):
        viz.save_animation("not an animation", tmp_path / "x.gif")


def test_animate_with_state_adagrad_log_scale(quad):
    r = _run(quad, "adagrad", maxiter=30, lr=0.5)
    anim = viz.animate_with_state(quad, r, ("G",), max_frames=5)
    assert isinstance(anim, FuncAnimation)
    assert len(list(anim.new_frame_seq())) <= 5 and anim.frame_rows[-1] == len(r.path) - 1
    fig = anim._fig
    assert [ax.get_label() for ax in fig.axes][-1] == "background"  # the static parts, baked
    assert len(fig.axes) == 3 and fig.axes[1].get_yscale() == "log"
    assert "G_t" in fig.axes[1].get_ylabel()
    anim._draw_frame(len(anim.frame_rows) - 1)
    np.testing.assert_array_equal(anim.lines["path"].get_xydata(), r.path)
    G = r.states["G"]
    assert len(anim.state_lines["G"]) == G.shape[1]
    for j, line in enumerate(anim.state_lines["G"]):
        np.testing.assert_array_equal(line.get_xdata(), np.arange(len(G)))
        np.testing.assert_array_equal(line.get_ydata(), G[:, j])
    anim._draw_frame(0)
    np.testing.assert_array_equal(anim.lines["path"].get_xydata(), r.path[:1])


def test_animate_with_state_adam_two_panels_labels_and_gif(tmp_path, quad):
    from PIL import Image
    r = _run(quad, "adam", maxiter=20, lr=0.1)
    anim = viz.animate_with_state(quad, r, ("m", "v"), labels={"m": "m", "v": "v"}, max_frames=4)
    fig = anim._fig
    assert len(fig.axes) == 4  # path, m, v, and the background image
    assert fig.axes[1].get_yscale() == ("log" if np.all(r.states["m"] >= 0) else "linear")
    assert fig.axes[2].get_yscale() == "log"
    assert fig.axes[1].get_ylabel() == "$m$" and fig.axes[2].get_ylabel() == "$v$"
    out = viz.save_animation(anim, tmp_path / "adam.gif")
    with Image.open(out) as im:
        assert im.n_frames > 1
    np.testing.assert_array_equal(anim.state_lines["v"][1].get_ydata(), r.states["v"][:, 1])


def test_animation_errors(quad, runs):
    r = _run(quad, "adagrad", maxiter=5)
    with pytest.raises(ValueError, match="fields"):
        viz.animate_with_state(quad, r, ("nope",))
    with pytest.raises(ValueError, match="fields"):
        viz.animate_with_state(quad, r, ())
    no_state = quantopt.minimize(quad.f, quad.x0, jac=quad.grad, method="gd",
                                 options={"maxiter": 3})
    with pytest.raises(ValueError, match="record_state"):
        viz.animate_with_state(quad, no_state, ("v",))
    p3 = problems.rosenbrock(n=3)
    r3 = _run(p3, "adagrad", maxiter=3)
    with pytest.raises(ValueError, match="problem"):
        viz.animate_with_state(p3, r3, ("G",))
    with pytest.raises(ValueError, match="problem"):
        viz.animate_paths(p3, {"a": r3})
    with pytest.raises(ValueError, match="results"):
        viz.animate_paths(quad, {})
    with pytest.raises(ValueError, match="results"):
        viz.animate_paths(quad, {"e": np.empty((0, 2))})
    with pytest.raises(ValueError, match="max_frames"):
        viz.animate_paths(quad, runs, max_frames=0)
    with pytest.raises(ValueError, match="labels"):
        viz.animate_with_state(quad, r, ("G",), labels=["a", "b"])


# --- plot_rounding ---------------------------------------------------------------------------
def _by_gid(ax, gid):
    return [line for line in ax.get_lines() if line.get_gid() == gid]


@pytest.mark.parametrize("kind, qp, func", [
    ("R", 1, lambda x: quantopt.round_half_up(x)),
    ("eps", 1, lambda x: quantopt.residual(x)),
    ("Q", 4, lambda x: quantopt.quantize(x, 4)),
    ("Q", 0.5, lambda x: quantopt.quantize(x, 0.5)),
])
def test_rounding_step_data_matches_quantopt(kind, qp, func):
    xlim = (-2.0, 2.0)
    fig = viz.plot_rounding(kind, qp=qp, xlim=xlim)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    segments = _by_gid(ax, "segment")
    (closed,), (opened,) = _by_gid(ax, "closed"), _by_gid(ax, "open")
    # ties (k - 1/2)/qp in view: the filled circle is the value quantopt gives there (half up)
    k = np.arange(np.ceil(xlim[0] * qp + 0.5), np.floor(xlim[1] * qp + 0.5) + 1)
    ties = (k - 0.5) / qp
    np.testing.assert_array_equal(closed.get_xdata(), ties)
    np.testing.assert_array_equal(closed.get_ydata(), func(ties))
    if kind in ("R", "Q"):
        assert np.all(closed.get_ydata() > opened.get_ydata())  # closed at the upper value
    # the open circle is the limit from the left
    left = np.asarray(func(np.nextafter(opened.get_xdata(), -np.inf)))
    np.testing.assert_allclose(opened.get_ydata(), left, atol=1e-12)
    # each segment [a, b) agrees with quantopt's function at sample points, a tie included
    assert len(segments) == len(ties) + 1
    xs_all = []
    for seg in segments:
        (a, b), (ya, yb) = seg.get_xdata(), seg.get_ydata()
        xs = np.concatenate([[a], np.linspace(a, b, 7)[1:-1]])
        xs_all.extend(xs)
        np.testing.assert_allclose(np.interp(xs, [a, b], [ya, yb]), func(xs), atol=1e-12)
    assert set(ties[ties > xlim[0]]) <= set(xs_all)
    assert ax.get_xlabel() == "$x$"


def test_rounding_eps_range_and_errors():
    ax = viz.plot_rounding("eps", xlim=(-1.5, 1.5)).axes[0]
    (closed,) = _by_gid(ax, "closed")
    np.testing.assert_array_equal(closed.get_ydata(), -0.5)  # eps in [-1/2, 1/2)
    assert r"\varepsilon" in ax.get_ylabel()
    ax = viz.plot_rounding("eps", qp=2, xlim=(-1, 1)).axes[0]
    np.testing.assert_array_equal(_by_gid(ax, "closed")[0].get_ydata(), -0.25)
    fig = Figure()
    ax = fig.add_subplot()
    assert viz.plot_rounding("R", ax=ax) is fig
    with pytest.raises(ValueError, match="kind"):
        viz.plot_rounding("floor")
    with pytest.raises(ValueError, match="qp"):
        viz.plot_rounding("Q", qp=0)
    with pytest.raises(ValueError, match="qp"):
        viz.plot_rounding("R", qp=2)
    with pytest.raises(ValueError, match="xlim"):
        viz.plot_rounding("R", xlim=(1, -1))


# --- sliders ---------------------------------------------------------------------------------
def test_sliders_redraw_with_the_slider_values():
    import ipywidgets  # the notebooks extra, which make installs with the test extra
    calls = []

    def draw(lr, beta, kind):
        calls.append((lr, beta, kind))
        return Figure()

    assert viz.sliders(draw, lr=("log", 1e-3, 1.0, 0.1)) is None     # shown, not returned
    box = viz.sliders(draw, lr=("log", 1e-3, 1.0, 0.1), beta=(0.0, 0.99, 0.01, 0.9),
                      kind=["gd", "momentum"], show=False)
    assert isinstance(box, ipywidgets.VBox) and calls == []     # nothing drawn until moved
    lr, beta, kind = box.children[0].children
    assert isinstance(lr, ipywidgets.FloatLogSlider) and lr.value == pytest.approx(0.1)
    beta.value = 0.5
    assert calls[-1] == (pytest.approx(0.1), 0.5, "gd")
    kind.value = "momentum"
    assert calls[-1][2] == "momentum"
    n = viz.sliders(lambda k: Figure(), k=(1, 10, 1, 3), show=False).children[0].children[0]
    assert isinstance(n, ipywidgets.IntSlider) and n.value == 3


@pytest.mark.parametrize("controls, err", [({}, ValueError), ({"a": (1, 0, 1, 0)}, ValueError),
                                           ({"a": ("log", 0, 1, 0.5)}, ValueError),
                                           ({"a": 3}, ValueError), ({"a": []}, ValueError)])
def test_sliders_bad_controls(controls, err):
    with pytest.raises(err):
        viz.sliders(lambda **kw: Figure(), **controls)


def test_sliders_draw_must_be_callable():
    with pytest.raises(TypeError, match="draw"):
        viz.sliders(None, a=(0, 1, 1, 0))


# --- the qp grid overlay is never silently left out ------------------------------------------
def _grid_lines(ax):
    """The x positions of the vertical and the y positions of the horizontal grid lines."""
    xs, ys = [], []
    for c in ax.collections:
        if isinstance(c, LineCollection) and not hasattr(c, "levels"):
            for s in c.get_segments():
                if s[0][0] == s[1][0]:
                    xs.append(s[0][0])
                else:
                    ys.append(s[0][1])
    return np.array(sorted(xs)), np.array(sorted(ys))


def _grid_note(ax):
    notes = [t.get_text() for t in ax.texts if t.get_gid() == "grid_note"]
    assert len(notes) <= 1
    return notes[0] if notes else None


@pytest.mark.parametrize("qp, bounds, m", [
    (100, ((-2, 2), (-1, 1)), 20),             # 401 + 201 lines, 80 601 points
    (100, ((-1.5, 1.5), (-0.5, 1.5)), 10),     # notebook 06's window
    (10_000, ((-2, 2), (-1, 1)), 2000),
    (1e4, ((-1.5, 1.5), (-0.5, 1.5)), 1000),
    (256, ((-2, 2), (-1, 1)), 32),             # a power of two: dyadic lines, m = 2^5
    (1000, ((-2, 2), (-1, 1)), 200)])
def test_contour_fine_grid_every_mth_line_and_a_note(quad, qp, bounds, m):
    ax = viz.plot_contour(quad, qp=qp, bounds=bounds).axes[0]
    xs, ys = _grid_lines(ax)
    assert 0 < len(xs) + len(ys) <= 60
    (x0, x1), (y0, y1) = bounds
    # exactly the lines k*m/qp in view: a subset of the grid (1/qp)Z^2, every m-th line
    kx = np.arange(np.ceil(x0 * qp / m), np.floor(x1 * qp / m) + 1) * m / qp
    ky = np.arange(np.ceil(y0 * qp / m), np.floor(y1 * qp / m) + 1) * m / qp
    np.testing.assert_allclose(xs, kx, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ys, ky, rtol=0, atol=1e-12)
    codes = np.concatenate([xs, ys]) * qp
    np.testing.assert_allclose(codes, np.round(codes), rtol=0, atol=1e-6)
    suffix = "nd" if m % 10 == 2 and m % 100 != 12 else "th"
    note = _grid_note(ax)
    assert note == f"grid 1/{float(qp):g}: every {m}{suffix} line shown (spacing {m / qp:g})"
    # m is the smallest of its sequence: the next finer subset would be too many lines
    finer = m // 2 if qp == 256 else (m // 2 if str(m)[0] in "12" else m * 2 // 5)
    n_finer = (np.floor(x1 * qp / finer) - np.ceil(x0 * qp / finer) + 1
               + np.floor(y1 * qp / finer) - np.ceil(y0 * qp / finer) + 1)
    assert n_finer > 60


def test_contour_full_grid_has_no_note(quad):
    for qp in (2, 10):   # lines, dots: the whole grid, nothing to say
        ax = viz.plot_contour(quad, qp=qp, bounds=((-2, 2), (-1, 1))).axes[0]
        assert _grid_note(ax) is None


def test_grid_overlay_never_draws_nothing_silently():
    rng = np.random.default_rng(0)
    fig = Figure()
    for _ in range(300):
        ax = fig.add_subplot()
        qp = float(10 ** rng.uniform(-1, 9))
        c = rng.uniform(-5, 5, 2)
        w = 10 ** rng.uniform(-4, 1, 2)
        bounds = ((c[0], c[0] + w[0]), (c[1], c[1] + w[1]))
        viz._grid_overlay(ax, qp, bounds)
        xs, ys = _grid_lines(ax)
        dots = [d for d in ax.collections if isinstance(d, PathCollection)]
        note = _grid_note(ax)
        assert len(xs) + len(ys) or dots or "no grid line in view" in note, (qp, bounds)
        assert len(xs) + len(ys) <= 60 and sum(len(d.get_offsets()) for d in dots) <= 4000
        if note is not None and "every" in note:  # the lines drawn are grid lines
            codes = np.concatenate([xs, ys]) * qp
            assert np.allclose(codes, np.round(codes), rtol=1e-9, atol=1e-6), (qp, bounds)
        if note is not None and "no grid line" in note:  # and truly none in view
            assert all(np.floor(b * qp) < np.ceil(a * qp) for a, b in bounds), (qp, bounds)
        fig.delaxes(ax)


def test_grid_overlay_thin_window_and_empty_window():
    fig = Figure()
    # no vertical line in view and 201 horizontal ones: every 5th horizontal line, not 0 dots
    ax = fig.add_subplot()
    viz._grid_overlay(ax, 100, ((0.001, 0.009), (-1, 1)))
    xs, ys = _grid_lines(ax)
    assert len(xs) == 0 and len(ys) == 41 and not [c for c in ax.collections
                                                   if isinstance(c, PathCollection)]
    assert _grid_note(ax) == "grid 1/100: every 5th line shown (spacing 0.05)"
    # the window inside one cell: nothing to draw, and the note says so
    ax = fig.add_subplot()
    viz._grid_overlay(ax, 1, ((0.1, 0.9), (0.2, 0.8)))
    assert _grid_lines(ax) == (pytest.approx([]), pytest.approx([]))
    assert _grid_note(ax) == "grid 1/1: no grid line in view (spacing 1)"


# --- frictions met as a new user (issue 15) --------------------------------------------------
def test_quantopt_viz_loads_on_first_access():
    code = ("import sys, quantopt; before = 'matplotlib' in sys.modules; "
            "f = quantopt.viz.plot_contour; g = quantopt.figures; "
            "print(before, 'matplotlib' in sys.modules, 'viz' in dir(quantopt), "
            "'viz' in quantopt.__all__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "True", "False"]
    with pytest.raises(AttributeError, match="no attribute 'vizz'"):
        quantopt.vizz  # noqa: B018


def test_contour_takes_one_result_and_one_array(quad, runs):
    r = runs["Momentum"]
    for one in (r, r.path):
        ax = viz.plot_contour(quad, one).axes[0]
        line = _lines_by_label(ax)["path"]
        np.testing.assert_array_equal(line.get_xdata(), r.path[:, 0])
        np.testing.assert_array_equal(line.get_ydata(), r.path[:, 1])
    anim = viz.animate_paths(quad, r.path, max_frames=5)
    assert list(anim.lines) == ["path"]
    with pytest.raises(ValueError, match="paths must be an OptimizeResult"):
        viz.plot_contour(quad, 3.0)


@pytest.mark.parametrize("vectorized", [True, False])
def test_contour_of_a_plain_callable(vectorized):
    """A callable of one 2-vector (or of a stack of them) is drawn like a problem: its contour
    values are f on the grid, the levels start at the grid's smallest value."""
    def f(x):
        if not vectorized and np.ndim(x) != 1:
            raise ValueError("one point at a time")
        return (x[0] - 1.0) ** 2 + 4.0 * x[1] ** 2

    path = np.array([[3.0, 2.0], [1.0, 0.5], [1.0, 0.0]])
    ax = viz.plot_contour(f, path, log=False, levels=[0.5, 2.0, 8.0]).axes[0]
    (cs,) = [c for c in ax.collections if hasattr(c, "levels") and not c.filled]
    np.testing.assert_array_equal(cs.levels, [0.5, 2.0, 8.0])
    # the grid of f was drawn over the path's region (from the path alone)
    x_lo, x_hi = ax.get_xlim()
    assert x_lo < 1.0 < 3.0 < x_hi
    ax2 = viz.plot_contour(f, bounds=((-1, 2), (-1, 1))).axes[0]
    assert ax2.get_xlim() == (-1.0, 2.0)
    with pytest.raises(ValueError, match="bounds must be given"):
        viz.plot_contour(f)
    with pytest.raises(ValueError, match="problem must be a quantopt.problems.Problem or a "
                                         "callable"):
        viz.plot_contour("not a function")


def test_method_of_scipy_spellings():
    assert viz.method_of("L-BFGS-B") == "lbfgs"
    assert viz.method_of("BFGS") == "bfgs"
    assert viz.method_of("L-BFGS-Bee") is None
