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
