"""quantopt: a NumPy reference library for optimization and quantization in machine learning.

The public API is listed in ``__all__``; ``import quantopt`` needs numpy alone.
"""
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
