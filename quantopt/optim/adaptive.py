r"""Adaptive learning rates: AdaGrad, RMSProp, Adam.

Source: lecture notes "Optimization" (seed 004, "AdaGrad", "RMSProp", "Adam"; CS231n's code with
``1e-7`` added to the square root) and seed 002 ("Adaptive Learning Rates"). In all three, eps is
added AFTER the square root, as in the notes, the papers' implementations and PyTorch.

Defaults follow the notes (eps = 1e-7). PyTorch's defaults differ (see each rule); with the same
hyperparameters the iterates coincide with ``torch.optim`` up to round-off (checked against a
stored torch run in ``tests/test_optim.py``).

State arrays take x0's float dtype (float32 stays float32); other dtypes give float64.

Each rule also has ``step_inplace(state, x, g, lr)`` (see :mod:`quantopt.optim.base`): the fused
step ``x <- x + lr*d`` done in place in cache-sized blocks, bit for bit the numbers of ``step``
followed by ``x + lr*d``. Its kernel (in the private module ``quantopt.optim._fused``) performs
the same IEEE operations, on the same operands in the same order, as those lines, writing into
blocks of the state or block-sized scratch buffers: nothing proportional to n is allocated.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_positive, check_unit_interval
from . import _fused
from .base import UpdateRule, state_zeros


class AdaGradState(NamedTuple):
    """G: the running sum of squared gradients (elementwise)."""

    G: np.ndarray


def adagrad(eps: float = 1e-7) -> UpdateRule:
    r"""AdaGrad: per-coordinate steps scaled by the root of the summed squared gradients.

    .. math::

        G_{t+1} = G_t + \nabla f(x_t)^2, \qquad
        x_{t+1} = x_t - \alpha \frac{\nabla f(x_t)}{\sqrt{G_{t+1}} + \epsilon}, \qquad G_0 = 0

    Equations::

        G_{t+1} = G_t + g_t**2                   g_t = grad f(x_t), G_0 = 0, elementwise
        d_t     = -g_t / (sqrt(G_{t+1}) + eps)
        x_{t+1} = x_t + alpha * d_t

        eps:   option eps (> 0), added after the square root
        alpha: option lr

    The effective step of coordinate i, alpha / (sqrt(G_i) + eps), only shrinks: G never
    decreases (the notes' "problem": AdaGrad can stall before the minimum).

    Source: lecture notes "Optimization" (seed 004), "AdaGrad"; seed 002, "AdaGrad" (the animated
    second moment G_t); J. Duchi, E. Hazan, Y. Singer, "Adaptive subgradient methods for online
    learning and stochastic optimization", JMLR 12, 2011 (diagonal version).

    PyTorch: ``torch.optim.Adagrad(params, lr, eps=eps)`` with lr_decay=0,
    initial_accumulator_value=0, weight_decay=0 takes the same steps. Defaults differ: torch's
    eps is 1e-10 (here 1e-7, the notes' value) and its lr is 1e-2.

    Examples
    --------
    >>> import numpy as np
    >>> rule = adagrad(eps=1e-7)
    >>> state = rule.init(np.zeros(2))
    >>> d, state = rule.step(state, np.zeros(2), np.array([3.0, -4.0]))
    >>> state.G
    array([ 9., 16.])
    >>> np.round(d, 6)
    array([-1.,  1.])

    step_inplace: fused, blocked, in place; same numbers as step.
    """
    eps = check_positive("eps", eps)

    def init(x0: np.ndarray) -> AdaGradState:
        return AdaGradState(G=state_zeros(x0))

    def step(state: AdaGradState, x: np.ndarray, g: np.ndarray, hess=None):
        G = state.G + g * g
        d = -g / (np.sqrt(G) + eps)
        return d, AdaGradState(G=G)

    def step_inplace(state: AdaGradState, x: np.ndarray, g: np.ndarray, lr: float, hess=None):
        return _fused.adagrad(state, x, g, lr, AdaGradState, eps)

    return UpdateRule("adagrad", init, step, {"eps": eps}, step_inplace=step_inplace)


class RMSPropState(NamedTuple):
    """s: the exponential moving average of squared gradients (elementwise)."""

    s: np.ndarray


def rmsprop(decay_rate: float = 0.99, eps: float = 1e-7) -> UpdateRule:
    r"""RMSProp ("leaky AdaGrad"): an exponential moving average of squared gradients.

    .. math::

        s_{t+1} = \delta s_t + (1 - \delta) \nabla f(x_t)^2, \qquad
        x_{t+1} = x_t - \alpha \frac{\nabla f(x_t)}{\sqrt{s_{t+1}} + \epsilon}, \qquad s_0 = 0

    Equations::

        s_{t+1} = delta * s_t + (1 - delta) * g_t**2      g_t = grad f(x_t), s_0 = 0, elementwise
        d_t     = -g_t / (sqrt(s_{t+1}) + eps)
        x_{t+1} = x_t + alpha * d_t

        delta: option decay_rate (in [0, 1))
        eps:   option eps (> 0), added after the square root
        alpha: option lr

    For a constant gradient g, s_t = (1 - delta**t) g**2: no bias correction, so the first steps
    are larger than ``alpha`` (by 1/sqrt(1 - delta) on the first step).

    Source: lecture notes "Optimization" (seed 004), "RMSProp" (decay_rate, 1e-7 in the
    denominator "so that it is never zero"); T. Tieleman, G. Hinton, "Lecture 6.5 - RMSProp:
    divide the gradient by a running average of its recent magnitude", COURSERA: Neural Networks
    for Machine Learning, 2012.

    PyTorch: ``torch.optim.RMSprop(params, lr, alpha=delta, eps=eps)`` with centered=False,
    momentum=0, weight_decay=0 takes the same steps. Defaults differ: torch's alpha is 0.99 (the
    same), its eps is 1e-8 (here 1e-7) and its lr is 1e-2.

    Examples
    --------
    >>> import numpy as np
    >>> rule = rmsprop(decay_rate=0.75, eps=1e-7)
    >>> state = rule.init(np.zeros(1))
    >>> d, state = rule.step(state, np.zeros(1), np.array([2.0]))
    >>> state.s
    array([1.])
    >>> np.round(d, 6)
    array([-2.])

    step_inplace: fused, blocked, in place; same numbers as step.
    """
    delta = check_unit_interval("decay_rate", decay_rate)
    eps = check_positive("eps", eps)

    def init(x0: np.ndarray) -> RMSPropState:
        return RMSPropState(s=state_zeros(x0))

    def step(state: RMSPropState, x: np.ndarray, g: np.ndarray, hess=None):
        s = delta * state.s + (1 - delta) * (g * g)
        d = -g / (np.sqrt(s) + eps)
        return d, RMSPropState(s=s)

    def step_inplace(state: RMSPropState, x: np.ndarray, g: np.ndarray, lr: float, hess=None):
        return _fused.rmsprop(state, x, g, lr, RMSPropState, delta, eps)

    return UpdateRule("rmsprop", init, step, {"decay_rate": delta, "eps": eps},
                      step_inplace=step_inplace)


class AdamState(NamedTuple):
    """m, v: first and second moment estimates (biased); t: the number of steps taken."""

    m: np.ndarray
    v: np.ndarray
    t: int


def adam(beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-7) -> UpdateRule:
    r"""Adam: momentum on the gradient (m) and RMSProp on its square (v), both bias-corrected.

    .. math::

        t &\leftarrow t + 1 \quad (t = 1 \text{ on the first step}) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) \nabla f(x_{t-1}) \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) \nabla f(x_{t-1})^2 \\
        \hat m_t &= m_t / (1 - \beta_1^t), \qquad \hat v_t = v_t / (1 - \beta_2^t) \\
        x_t &= x_{t-1} - \alpha \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},
        \qquad m_0 = v_0 = 0

    Equations::

        t     = t + 1                                  t = 0 in init, so t = 1 on the first step
        m     = beta1 * m + (1 - beta1) * g            g = grad f(x), elementwise; m_0 = 0
        v     = beta2 * v + (1 - beta2) * g**2         v_0 = 0
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        d     = -m_hat / (sqrt(v_hat) + eps)
        x     = x + alpha * d

        beta1: option beta1 (in [0, 1))
        beta2: option beta2 (in [0, 1))
        eps:   option eps (> 0), added after the square root of v_hat
        alpha: option lr

    Bias correction: on the first step m_hat = g and v_hat = g**2, so d = -g/(|g| + eps), a step
    of length about alpha in every coordinate. ``state.t`` is the number of steps taken.

    Source: lecture notes "Optimization" (seed 004), "Adam" (bias correction); seed 002, "Adam"
    (whose update line writes sqrt(v_t) where the bias-corrected v_hat is meant); D. P. Kingma,
    J. Ba, "Adam: a method for stochastic optimization", ICLR 2015, Algorithm 1.

    PyTorch: ``torch.optim.Adam(params, lr, betas=(beta1, beta2), eps=eps)`` with amsgrad=False,
    weight_decay=0, maximize=False takes the same steps up to round-off (torch computes
    ``(sqrt(v)/sqrt(1 - beta2**t)) + eps`` and ``lr/(1 - beta1**t)``, the same numbers in another
    order). Defaults differ: torch's eps is 1e-8 (here 1e-7, the notes' value) and its lr is 1e-3;
    the betas (0.9, 0.999) are the same.

    Examples
    --------
    >>> import numpy as np
    >>> rule = adam(eps=1e-12)
    >>> state = rule.init(np.zeros(2))
    >>> d, state = rule.step(state, np.zeros(2), np.array([0.01, -300.0]))
    >>> np.round(d, 6), state.t
    (array([-1.,  1.]), 1)

    step_inplace: fused, blocked, in place; same numbers as step.
    """
    beta1 = check_unit_interval("beta1", beta1)
    beta2 = check_unit_interval("beta2", beta2)
    eps = check_positive("eps", eps)

    def init(x0: np.ndarray) -> AdamState:
        return AdamState(m=state_zeros(x0), v=state_zeros(x0), t=0)

    def step(state: AdamState, x: np.ndarray, g: np.ndarray, hess=None):
        t = state.t + 1
        m = beta1 * state.m + (1 - beta1) * g
        v = beta2 * state.v + (1 - beta2) * (g * g)
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        d = -m_hat / (np.sqrt(v_hat) + eps)
        return d, AdamState(m=m, v=v, t=t)

    def step_inplace(state: AdamState, x: np.ndarray, g: np.ndarray, lr: float, hess=None):
        return _fused.adam(state, x, g, lr, AdamState, beta1, beta2, eps)

    return UpdateRule("adam", init, step, {"beta1": beta1, "beta2": beta2, "eps": eps},
                      step_inplace=step_inplace, defaults={"lr": 1e-3})
