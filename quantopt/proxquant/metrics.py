r"""What is measured on a run: the binarized model q(θ) and the sign changes of the paper's
Appendix C.

Equations::

    quantize_model(theta)_j = q(theta_j) = project(theta_j, Q)  on the quantized entries j,
                              theta_j                          elsewhere
    sign_changes(theta, theta0) = mean_{j in mask} [ (theta_j >= 0) != (theta0_j >= 0) ]
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_real_array
from .methods import BINARY_LEVELS, Quantizer, check_levels, check_mask, projected
from .models import Model, _theta


def sign_changes(theta: Any, theta0: Any, mask: Any = None) -> float:
    r"""The fraction of quantized entries whose sign differs between θ and θ0.

    .. math:: \operatorname{SignChange}(\theta_0, \theta) = \frac{1}{|M|}\sum_{j \in M}
              \mathbb 1[\operatorname{sign}(\theta_j) \ne \operatorname{sign}(\theta_{0,j})]

    the paper's Appendix C metric (a rescaled Hamming distance between the binarizations), over
    the entries M where ``mask`` is True (all entries if ``mask`` is None). Sign 0 counts as +
    (the prox's tie convention: 0 is quantized to +1), so it compares ``theta >= 0`` with
    ``theta0 >= 0``. An empty mask gives 0.0.

    Equations::

        sign_changes = mean_{j in mask} [ (theta_j >= 0) != (theta0_j >= 0) ]

    Inputs: theta and theta0 real arrays of one shape (±inf have a sign and are accepted; NaN
    raises ValueError); complex, bool, strings and None raise TypeError naming the argument;
    mask None or a boolean array of that shape.

    Examples
    --------
    >>> sign_changes([1.0, -2.0, 0.0, 3.0], [0.5, 1.0, -0.0, -1.0])
    0.5
    """
    t = check_real_array("theta", theta, finite=False)
    t0 = check_real_array("theta0", theta0, finite=False)
    if t.shape != t0.shape:
        raise ValueError(f"theta and theta0 must have the same shape, got {t.shape} and "
                         f"{t0.shape}")
    if np.isnan(t).any() or np.isnan(t0).any():
        raise ValueError("theta and theta0 must not contain NaN (their sign is undefined)")
    m = check_mask(mask, t.shape)
    if not m.any():
        return 0.0
    return float(np.mean((t.reshape(-1)[m] >= 0) != (t0.reshape(-1)[m] >= 0)))


def quantize_model(model: Model, theta: Any, levels: Any = BINARY_LEVELS) -> np.ndarray:
    """θ with its quantized entries replaced by their nearest level q(θ) (a new array).

    Examples
    --------
    >>> from quantopt.proxquant import make_logistic
    >>> m = make_logistic(2)
    >>> quantize_model(m, np.array([0.3, -2.0, 0.7, 0.1]))
    array([ 1. , -1. ,  0.7,  0.1])
    """
    if not isinstance(model, Model):
        raise TypeError(f"model must be a Model (make_logistic, make_mlp), got "
                        f"{type(model).__name__}")
    quant = Quantizer(check_levels(levels), None)
    return projected(_theta(theta, model.n_params), model.quantized_mask, 0.0, quant).copy()
