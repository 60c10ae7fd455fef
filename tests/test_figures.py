"""`make demo`'s figures: every one builds; PNGs are written as images; GIFs are animations.

Saving the GIFs (Pillow encodes every frame) takes most of `make demo`'s time, so the test
builds the animations and counts their frames without encoding them; tests/test_viz.py checks
that viz.save_animation writes a GIF.
"""
import gc

import matplotlib
import pytest

matplotlib.use("Agg")

from matplotlib.animation import FuncAnimation  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from quantopt import figures  # noqa: E402


# The animations are built and counted but deliberately not rendered (see above).
@pytest.mark.filterwarnings("ignore:Animation was deleted without rendering:UserWarning")
def test_every_figure_builds(tmp_path):
    for name, make in figures.FIGURES.items():
        obj = make()
        if name.endswith(".gif"):
            assert isinstance(obj, FuncAnimation)
            assert len(list(obj.new_frame_seq())) > 5  # an animation, not a still
        else:
            assert isinstance(obj, Figure)
            path = tmp_path / name
            obj.savefig(path, dpi=60)
            with Image.open(path) as img:
                assert img.size[0] > 100 and img.size[1] > 100
        del obj
    gc.collect()  # the unrendered animations are freed here, where their warning is filtered


def _changed_pixels(fig, artists) -> int:
    """How many pixels change when ``artists`` are hidden: the part of them one can see."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.canvas.draw()
    shown = np.asarray(fig.canvas.buffer_rgba()).copy()
    for a in artists:
        a.set_visible(False)
    fig.canvas.draw()
    hidden = np.asarray(fig.canvas.buffer_rgba()).copy()
    for a in artists:
        a.set_visible(True)
    return int(np.any(shown != hidden, axis=-1).sum())


def test_optimizer_comparison_every_path_visible_in_its_method_colour():
    """The README's comparison: GD, AdaGrad and Adam crawl along the same valley floor. Each
    path must still show (with plain plot_contour, GD's path changed about 200 pixels at this
    size, hidden under Adam's), and each in its method's colour, no two alike."""
    from quantopt import viz

    fig = figures.optimizer_comparison()
    ax = fig.axes[0]
    ax.get_legend().set_visible(False)       # the legend's samples do not count as a path
    paths = {ln.get_label().split(":")[0]: ln for ln in ax.get_lines()
             if ln.get_label().split(":")[0] in figures.COMPARISON}
    assert set(paths) == set(figures.COMPARISON)
    for label, line in paths.items():
        assert line.get_color() == viz.METHOD_STYLES[viz.method_of(label)]["color"]
        assert _changed_pixels(fig, [line]) > 600, f"{label}'s path is hidden"
    assert len({line.get_color() for line in paths.values()}) == len(paths)
    # drawn from the widest path (bottom) to the thinnest (top)
    order = sorted(paths.values(), key=lambda ln: ln.get_zorder())
    assert [ln.get_linewidth() for ln in order] == sorted((ln.get_linewidth() for ln in order),
                                                          reverse=True)


def test_figures_use_method_colours():
    """Runs are labelled with their method, so each takes METHOD_STYLES' colour."""
    import warnings

    from quantopt import viz

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)     # unrendered animations
        for make in (figures.quantized_paths, figures.convergence, figures.zigzag,
                     figures.adagrad_state, figures.adam_state):
            obj = make()
            if isinstance(obj, FuncAnimation):
                lines = obj.lines
            else:
                lines = {ln.get_label(): ln for ax in obj.axes for ln in ax.get_lines()
                         if not ln.get_label().startswith("_")}
                lines = {k: v for k, v in lines.items() if viz.method_of(k) is not None}
            assert lines, make.__name__
            for label, line in lines.items():
                method = viz.method_of(label if label != "path" else make.__name__.split("_")[0])
                assert method is not None, (make.__name__, label)
                assert line.get_color() == viz.METHOD_STYLES[method]["color"], (make.__name__,
                                                                                label)
            del obj
        gc.collect()
