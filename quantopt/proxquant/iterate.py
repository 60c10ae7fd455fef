r"""The deterministic iteration of any method on any gradient (the paper's toy problems).

Equations (one :func:`~quantopt.proxquant.methods.take_step` per t, full gradient)::

    p_t         = theta_t | q(theta_t) | prox_{mu_t R}(theta_t)     (FP, PQ | BC | lazy)
    (d_t, s)    = rule.step(s, theta_t, grad(p_t))                  (gd: d_t = -grad(p_t))
    theta_{t+1} = prox_{mu_t R}(theta_t + lr d_t)  (ProxQuant)  or  theta_t + lr d_t
    mu_t        = lr * lam * t  (homotopy "step")  or  lr * lam  ("constant")
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from .._checks import (check_bool, check_callable, check_choice, check_int, check_positive,
                       check_real_array, returned_real)
from .methods import (BINARY_LEVELS, Quantizer, check_lam, check_levels, check_mask,
                      check_rule, get_method, prox_strength, take_step)


class Path(NamedTuple):
    """The iterates of :func:`iterate`.

    Attributes
    ----------
    theta : ndarray, shape (n_steps + 1, *theta0.shape)
        θ_0 .. θ_T, the sequence the method updates (the real-valued vector).
    points : ndarray, shape (n_steps, *theta0.shape)
        Where the gradient was evaluated at each step: θ_t (full precision, ProxQuant), q(θ_t)
        (BinaryConnect), prox(θ_t) (lazy prox).
    mu : ndarray, shape (n_steps,)
        The prox strength η·λ_t used at each step (inf for BinaryConnect, 0 for full precision).
    """

    theta: np.ndarray
    points: np.ndarray
    mu: np.ndarray


def iterate(method: str, grad: Callable, theta0: Any, *, lr: float, n_steps: int,
            lam: float = 0.0, levels: Any = BINARY_LEVELS, prox: Callable | None = None,
            homotopy: str = "step", rule: Any = "gd", mask: Any = None,
            clip: bool = False) -> Path:
    r"""Run one of the methods deterministically (full gradient) on ``grad``, for the toys.

    The same step as the training loops (:func:`quantopt.proxquant.methods.take_step`), without
    data or mini-batches: ``method`` is ``"full_precision"`` (alias ``"gd"``), ``"proxquant"``,
    ``"binaryconnect"`` or ``"lazy_prox"``; ``rule`` is plain gradient descent by default
    (``d = -g``), so e.g. ProxQuant is exactly
    :math:`\theta_{t+1} = \operatorname{prox}_{\eta\lambda_t R}(\theta_t - \eta\nabla
    L(\theta_t))`. ``homotopy`` is ``"step"`` (:math:`\lambda_t = \lambda t`, t = 0, 1, ...)
    or ``"constant"`` (:math:`\lambda_t = \lambda`, the setting of Theorems 5.1 and 5.2).
    ``prox(v, mu)`` replaces the default prox (``soft_quantize(v, levels, mu)``); ``mask``
    selects the quantized entries (default: all). ``lam = inf`` makes the prox the projection.

    Equations::

        p_t         = theta_t | q(theta_t) | prox_{mu_t R}(theta_t)     (FP, PQ | BC | lazy)
        d_t         = rule direction at theta_t from g_t = grad(p_t)    (gd: d_t = -g_t)
        theta_{t+1} = prox_{mu_t R}(theta_t + lr d_t)   (ProxQuant)   or theta_t + lr d_t
        mu_t        = lr * lam * t   (homotopy "step")   or  lr * lam   ("constant")

    Inputs and errors: ``grad(theta)`` must return real numbers of theta0's shape (None, complex
    or a wrong shape raise TypeError/ValueError naming ``grad``), finite at every finite point
    (else ValueError naming ``grad``); a user ``prox(v, mu)`` likewise (naming ``prox``). An
    iterate that overflows to inf/NaN raises ValueError naming ``lr``: a Path never holds NaN.
    theta0 is real and finite (any shape); mask None or boolean of theta0's shape.

    Examples
    --------
    BinaryConnect sees the same gradients on f₊ and f₋ (both are sign(x) on {-1, +1}):

    >>> from quantopt.proxquant import f_minus_grad, f_plus_grad
    >>> a = iterate("binaryconnect", f_plus_grad, 0.375, lr=0.25, n_steps=4)
    >>> b = iterate("binaryconnect", f_minus_grad, 0.375, lr=0.25, n_steps=4)
    >>> a.theta.tolist(), a.points.tolist(), bool(np.array_equal(a.theta, b.theta))
    ([0.375, 0.125, -0.125, 0.125, -0.125], [1.0, 1.0, -1.0, 1.0], True)
    """
    spec = get_method(method)
    check_callable("grad", grad)
    x0 = check_real_array("theta0", theta0)
    lr = check_positive("lr", lr)
    n_steps = check_int("n_steps", n_steps, 0)
    lam = check_lam(lam)
    check_choice("homotopy", homotopy, ("step", "constant"))
    if prox is not None:
        check_callable("prox", prox)
    quant = Quantizer(check_levels(levels), prox)
    rule = check_rule(rule)
    m = check_mask(mask, x0.shape)
    clip = check_bool("clip", clip)
    shape = x0.shape
    theta = x0.reshape(-1)
    active = m if spec.quantized else np.zeros_like(m)

    def gradient(point: np.ndarray) -> np.ndarray:
        return returned_real("grad", grad(point.reshape(shape).copy()), shape).reshape(-1)

    state = rule.init(theta)
    path = np.empty((n_steps + 1, theta.size))
    points = np.empty((n_steps, theta.size))
    mus = np.empty(n_steps)
    path[0] = theta
    for t in range(n_steps):
        mu = prox_strength(spec, lr, lam, homotopy, t, 0)[1]
        theta, state, points[t] = take_step(spec, quant, rule, state, theta, gradient, lr=lr,
                                            mu=mu, active=active, clip=clip, t=t)
        path[t + 1], mus[t] = theta, mu
    return Path(path.reshape((n_steps + 1,) + shape), points.reshape((n_steps,) + shape), mus)
