"""quantopt: a NumPy reference library for optimization and quantization in machine learning.

The public API is listed in ``__all__``; ``import quantopt`` needs numpy alone. The plotting
modules ``quantopt.viz`` and ``quantopt.figures`` need matplotlib and are loaded on first use
(``quantopt.viz.plot_contour(...)`` works after a plain ``import quantopt``).
"""
import importlib
from . import gradcheck, grid, noise, optim, problems, prox, proxquant, schedules, search
from .minimize import OptimizeResult, minimize
from .rounding import (
    from_codes,
    quantize,
    residual,
    round_half_up,
    stochastic_round,
    to_codes,
)

__version__ = "0.1.0"

__all__ = [
    "round_half_up",
    "residual",
    "quantize",
    "to_codes",
    "from_codes",
    "stochastic_round",
    "minimize",
    "OptimizeResult",
    "problems",
    "schedules",
    "grid",
    "gradcheck",
    "optim",
    "prox",
    "proxquant",
    "search",
    "noise",
]

#: submodules loaded on first attribute access (they import matplotlib); not in ``__all__``,
#: so that ``from quantopt import *`` needs numpy alone too
_LAZY = ("viz", "figures")


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
