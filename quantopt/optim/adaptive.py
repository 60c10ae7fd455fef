r"""Adaptive learning rates: AdaGrad, RMSProp, Adam (and AdamW).

Source: lecture notes "Optimization" (seed 004, "AdaGrad", "RMSProp", "Adam"; CS231n's code with
``1e-7`` added to the square root) and seed 002 ("Adaptive Learning Rates"). In all three, eps is
added AFTER the square root, as in the notes, the papers' implementations and PyTorch.

Defaults follow the notes (eps = 1e-7). PyTorch's defaults differ (see each rule); with the same
hyperparameters the iterates coincide with ``torch.optim`` up to round-off (checked against a
stored torch run in ``tests/test_optim.py``).

torch.optim's options are here under torch's names and semantics (each factory's docstring
maps quantopt's names to torch's and gives the full equations): ``weight_decay`` (L2, coupled
into the gradient, ``g <- g + weight_decay * x``, as torch's Adagrad, RMSprop and Adam do it),
AdaGrad's ``lr_decay`` and ``initial_accumulator_value``, RMSProp's ``centered`` and
``momentum``, Adam's ``amsgrad``, and :func:`adamw` (decoupled weight decay). Checked against
stored torch.optim runs in ``tests/test_optim.py``.

State arrays take x0's float dtype (float32 stays float32); other dtypes give float64.

The squared gradient g*g of every rule here is formed by ``_fused.square``: where it overflows
(|g_i| > 1.34e154 in float64, 1.84e19 in float32), step and step_inplace raise OverflowError
naming the rule, since the second moment would be inf and the step silently 0 (torch.optim
returns that zero step); :func:`quantopt.minimize` then ends with status 4.

Each rule also has ``step_inplace(state, x, g, lr)`` (see :mod:`quantopt.optim.base`): the fused
step ``x <- x + lr*d`` done in place in cache-sized blocks, bit for bit the numbers of ``step``
followed by ``x + lr*d``. Its kernel (in the private module ``quantopt.optim._fused``) performs
the same IEEE operations, on the same operands in the same order, as those lines, writing into
blocks of the state or block-sized scratch buffers: nothing proportional to n is allocated.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_bool, check_nonnegative, check_positive, check_unit_interval
from . import _fused
from .base import UpdateRule, state_zeros


class AdaGradState(NamedTuple):
    """G: the running sum of squared gradients (elementwise); t: the number of steps taken."""

    G: np.ndarray
    t: int = 0


def adagrad(eps: float = 1e-7, lr_decay: float = 0.0, initial_accumulator_value: float = 0.0,
            weight_decay: float = 0.0) -> UpdateRule:
    r"""AdaGrad: per-coordinate steps scaled by the root of the summed squared gradients.

    .. math::

        g_t = \nabla f(x_t) + \lambda x_t, \qquad G_{t+1} = G_t + g_t^2, \qquad
        x_{t+1} = x_t - \frac{\alpha}{1 + t\,\eta} \frac{g_t}{\sqrt{G_{t+1}} + \epsilon},
        \qquad G_0 = G_{init}

    Equations::

        t       = t + 1                          t = 0 in init, so t = 1 on the first step
        g_t     = grad f(x_t) + wd * x_t         (skipped when wd = 0)
        G_{t+1} = G_t + g_t**2                   elementwise, G_0 = G_init everywhere
        d_t     = -g_t / (sqrt(G_{t+1}) + eps)
        d_t     = d_t / (1 + (t - 1) * eta)      (skipped when eta = 0)
        x_{t+1} = x_t + alpha * d_t

        eps:    option eps (> 0), added after the square root; torch's eps
        eta:    option lr_decay (>= 0; torch's lr_decay, default 0)
        G_init: option initial_accumulator_value (>= 0; torch's name, default 0)
        wd:     option weight_decay (>= 0; torch's weight_decay, default 0)
        alpha:  option lr

    The effective step of coordinate i, alpha / ((1 + (t-1) eta)(sqrt(G_i) + eps)), only shrinks:
    G never decreases (the notes' "problem": AdaGrad can stall before the minimum). torch's
    ``clr = lr / (1 + (t - 1) * lr_decay)`` is alpha times the factor of the fifth line, which
    quantopt puts into d because the driver owns alpha.

    Source: lecture notes "Optimization" (seed 004), "AdaGrad"; seed 002, "AdaGrad" (the animated
    second moment G_t); J. Duchi, E. Hazan, Y. Singer, "Adaptive subgradient methods for online
    learning and stochastic optimization", JMLR 12, 2011 (diagonal version).

    PyTorch: ``torch.optim.Adagrad(params, lr, lr_decay=eta, weight_decay=wd,
    initial_accumulator_value=G_init, eps=eps)``
    (https://pytorch.org/docs/stable/generated/torch.optim.Adagrad.html) takes the same steps
    up to round-off. Defaults differ: torch's eps is 1e-10 (here 1e-7, the notes' value) and its
    lr is 1e-2.

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
    >>> rule = adagrad(initial_accumulator_value=16.0, lr_decay=1.0)
    >>> state = rule.init(np.zeros(1))
    >>> d, state = rule.step(state, np.zeros(1), np.array([3.0]))
    >>> d, state = rule.step(state, np.zeros(1), np.array([0.0]))
    >>> state.G, state.t
    (array([25.]), 2)

    step_inplace: fused, blocked, in place, for every value of the options (no fallback to
    the generic step); same numbers as step.
    """
    eps = check_positive("eps", eps)
    eta = check_nonnegative("lr_decay", lr_decay)
    G_init = check_nonnegative("initial_accumulator_value", initial_accumulator_value)
    wd = check_nonnegative("weight_decay", weight_decay)

    def init(x0: np.ndarray) -> AdaGradState:
        G = state_zeros(x0)
        G.fill(G_init)                   # G_0 = G_init everywhere (a new array, x0 untouched)
        return AdaGradState(G=G, t=0)

    def step(state: AdaGradState, x: np.ndarray, g: np.ndarray, hess=None):
        t = state.t + 1
        if wd:
            g = g + wd * x
        G = state.G + _fused.square(g, rule="adagrad")   # g * g
        d = -g / (np.sqrt(G) + eps)
        if eta:
            d = d / (1 + (t - 1) * eta)
        return d, AdaGradState(G=G, t=t)

    def step_inplace(state: AdaGradState, x: np.ndarray, g: np.ndarray, lr: float, hess=None):
        return _fused.adagrad(state, x, g, lr, AdaGradState, eps, eta, wd)

    return UpdateRule("adagrad", init, step,
                      {"eps": eps, "lr_decay": eta, "initial_accumulator_value": G_init,
                       "weight_decay": wd}, step_inplace=step_inplace)


class RMSPropState(NamedTuple):
    """s: the exponential moving average of squared gradients (elementwise); g_avg: that of the
    gradients (option centered; None otherwise); buf: the momentum buffer (option momentum > 0;
    None otherwise)."""

    s: np.ndarray
    g_avg: np.ndarray | None = None
    buf: np.ndarray | None = None


def rmsprop(decay_rate: float = 0.99, eps: float = 1e-7, momentum: float = 0.0,
            centered: bool = False, weight_decay: float = 0.0) -> UpdateRule:
    r"""RMSProp ("leaky AdaGrad"): an exponential moving average of squared gradients.

    .. math::

        s_{t+1} = \delta s_t + (1 - \delta) g_t^2, \qquad
        x_{t+1} = x_t - \alpha \frac{g_t}{\sqrt{s_{t+1}} + \epsilon}, \qquad s_0 = 0,
        \qquad g_t = \nabla f(x_t) + \lambda x_t

    and, centered (Graves 2013), :math:`\bar g_{t+1} = \delta \bar g_t + (1-\delta) g_t` with
    :math:`\sqrt{s_{t+1} - \bar g_{t+1}^2}` in the denominator; with momentum :math:`\mu > 0`,
    :math:`b_{t+1} = \mu b_t + g_t / (\sqrt{\cdot} + \epsilon)` and
    :math:`x_{t+1} = x_t - \alpha b_{t+1}`.

    Equations::

        g_t     = grad f(x_t) + wd * x_t                  (skipped when wd = 0)
        s_{t+1} = delta * s_t + (1 - delta) * g_t**2      elementwise, s_0 = 0
        den     = sqrt(s_{t+1}) + eps                     not centered
        a_{t+1} = delta * a_t + (1 - delta) * g_t         centered: a_0 = 0 (torch's grad_avg)
        den     = sqrt(max(s_{t+1} - a_{t+1}**2, 0)) + eps    centered
        d_t     = -g_t / den                              mu = 0
        b_{t+1} = mu * b_t + g_t / den                    mu > 0: b_0 = 0
        d_t     = -b_{t+1}                                mu > 0
        x_{t+1} = x_t + alpha * d_t

        delta:    option decay_rate (in [0, 1); torch's alpha)
        eps:      option eps (> 0), added after the square root; torch's eps
        mu:       option momentum (in [0, 1); torch's momentum, default 0)
        centered: option centered (bool; torch's centered, default False)
        wd:       option weight_decay (>= 0; torch's weight_decay, default 0)
        alpha:    option lr

    For a constant gradient g, s_t = (1 - delta**t) g**2: no bias correction, so the first steps
    are larger than ``alpha`` (by 1/sqrt(1 - delta) on the first step). Centered, s - a**2 is an
    estimate of the gradient's variance, >= 0 in exact arithmetic (Cauchy-Schwarz with weights
    summing to 1 - delta**t <= 1); round-off can make it slightly negative when the gradient is
    nearly constant, where torch takes the square root of a negative number (NaN): the max(., 0)
    here keeps it 0 (den = eps). That is the only place this rule departs from torch's numbers.

    Source: lecture notes "Optimization" (seed 004), "RMSProp" (decay_rate, 1e-7 in the
    denominator "so that it is never zero"); T. Tieleman, G. Hinton, "Lecture 6.5 - RMSProp:
    divide the gradient by a running average of its recent magnitude", COURSERA: Neural Networks
    for Machine Learning, 2012; centered: A. Graves, "Generating sequences with recurrent neural
    networks", arXiv:1308.0850, 2013, eqs. (38)-(41).

    PyTorch: ``torch.optim.RMSprop(params, lr, alpha=delta, eps=eps, weight_decay=wd,
    momentum=mu, centered=centered)``
    (https://pytorch.org/docs/stable/generated/torch.optim.RMSprop.html) takes the same steps up
    to round-off (torch updates its grad_avg by ``lerp``, the same number in another order).
    Defaults differ: torch's alpha is 0.99 (the same), its eps is 1e-8 (here 1e-7) and its lr is
    1e-2.

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
    >>> rule = rmsprop(decay_rate=0.75, centered=True, momentum=0.5)
    >>> state = rule.init(np.zeros(1))
    >>> d, state = rule.step(state, np.zeros(1), np.array([2.0]))
    >>> state.g_avg, np.round(state.buf, 6)          # sqrt(1 - 0.5**2) = sqrt(0.75)
    (array([0.5]), array([2.309401]))

    step_inplace: fused, blocked, in place, for every value of the options (no fallback to
    the generic step); same numbers as step.
    """
    delta = check_unit_interval("decay_rate", decay_rate)
    eps = check_positive("eps", eps)
    mu = check_unit_interval("momentum", momentum)
    centered = check_bool("centered", centered)
    wd = check_nonnegative("weight_decay", weight_decay)

    def init(x0: np.ndarray) -> RMSPropState:
        return RMSPropState(s=state_zeros(x0), g_avg=state_zeros(x0) if centered else None,
                            buf=state_zeros(x0) if mu else None)

    def step(state: RMSPropState, x: np.ndarray, g: np.ndarray, hess=None):
        if wd:
            g = g + wd * x
        s = delta * state.s + (1 - delta) * _fused.square(g, rule="rmsprop")   # g * g
        g_avg = buf = None
        if centered:
            g_avg = delta * state.g_avg + (1 - delta) * g
            den = np.sqrt(np.maximum(s - g_avg * g_avg, 0.0)) + eps
        else:
            den = np.sqrt(s) + eps
        if mu:
            buf = mu * state.buf + g / den
            d = -buf
        else:
            d = -g / den
        return d, RMSPropState(s=s, g_avg=g_avg, buf=buf)

    def step_inplace(state: RMSPropState, x: np.ndarray, g: np.ndarray, lr: float, hess=None):
        return _fused.rmsprop(state, x, g, lr, RMSPropState, delta, eps, mu, centered, wd)

    return UpdateRule("rmsprop", init, step,
                      {"decay_rate": delta, "eps": eps, "momentum": mu, "centered": centered,
                       "weight_decay": wd}, step_inplace=step_inplace)


class AdamState(NamedTuple):
    """m, v: first and second moment estimates (biased); t: the number of steps taken; v_max:
    the running maximum of v (option amsgrad; None otherwise)."""

    m: np.ndarray
    v: np.ndarray
    t: int
    v_max: np.ndarray | None = None


def _adam_rule(name: str, beta1: float, beta2: float, eps: float, weight_decay: float,
               amsgrad: bool, decoupled: bool) -> UpdateRule:
    """Adam and AdamW: the same moments; the weight decay coupled into g (adam) or decoupled,
    ``d = d - weight_decay * x`` (adamw). See :func:`adam` and :func:`adamw`."""
    beta1 = check_unit_interval("beta1", beta1)
    beta2 = check_unit_interval("beta2", beta2)
    eps = check_positive("eps", eps)
    wd = check_nonnegative("weight_decay", weight_decay)
    amsgrad = check_bool("amsgrad", amsgrad)

    def init(x0: np.ndarray) -> AdamState:
        return AdamState(m=state_zeros(x0), v=state_zeros(x0), t=0,
                         v_max=state_zeros(x0) if amsgrad else None)

    def step(state: AdamState, x: np.ndarray, g: np.ndarray, hess=None):
        t = state.t + 1
        if wd and not decoupled:
            g = g + wd * x
        m = beta1 * state.m + (1 - beta1) * g
        v = beta2 * state.v + (1 - beta2) * _fused.square(g, rule=name)   # g * g
        v_max = np.maximum(state.v_max, v) if amsgrad else None
        m_hat = m / (1 - beta1**t)
        v_hat = (v_max if amsgrad else v) / (1 - beta2**t)
        d = -m_hat / (np.sqrt(v_hat) + eps)
        if wd and decoupled:
            d = d - wd * x
        return d, AdamState(m=m, v=v, t=t, v_max=v_max)

    def step_inplace(state: AdamState, x: np.ndarray, g: np.ndarray, lr: float, hess=None):
        return _fused.adam(state, x, g, lr, AdamState, beta1, beta2, eps, wd, amsgrad, decoupled)

    return UpdateRule(name, init, step,
                      {"beta1": beta1, "beta2": beta2, "eps": eps, "weight_decay": wd,
                       "amsgrad": amsgrad}, step_inplace=step_inplace, defaults={"lr": 1e-3})


def adam(beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-7, weight_decay: float = 0.0,
         amsgrad: bool = False) -> UpdateRule:
    r"""Adam: momentum on the gradient (m) and RMSProp on its square (v), both bias-corrected.

    .. math::

        t &\leftarrow t + 1 \quad (t = 1 \text{ on the first step}) \\
        g &= \nabla f(x_{t-1}) + \lambda x_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g^2 \\
        \hat m_t &= m_t / (1 - \beta_1^t), \qquad \hat v_t = v_t / (1 - \beta_2^t)
        \quad (\text{amsgrad: } \hat v_t = \max_{k \le t} v_k / (1 - \beta_2^t)) \\
        x_t &= x_{t-1} - \alpha \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},
        \qquad m_0 = v_0 = 0

    Equations::

        t     = t + 1                                  t = 0 in init, so t = 1 on the first step
        g     = grad f(x) + wd * x                     (skipped when wd = 0)
        m     = beta1 * m + (1 - beta1) * g            elementwise; m_0 = 0
        v     = beta2 * v + (1 - beta2) * g**2         v_0 = 0
        v_max = max(v_max, v)                          amsgrad only; v_max_0 = 0
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)                     amsgrad: v_max / (1 - beta2**t)
        d     = -m_hat / (sqrt(v_hat) + eps)
        x     = x + alpha * d

        beta1:   option beta1 (in [0, 1); torch's betas[0])
        beta2:   option beta2 (in [0, 1); torch's betas[1])
        eps:     option eps (> 0), added after the square root of v_hat; torch's eps
        wd:      option weight_decay (>= 0; L2 coupled into g, torch Adam's weight_decay;
                 for the decoupled decay use :func:`adamw`)
        amsgrad: option amsgrad (bool; torch's amsgrad, default False)
        alpha:   option lr

    Bias correction: on the first step m_hat = g and v_hat = g**2, so d = -g/(|g| + eps), a step
    of length about alpha in every coordinate. ``state.t`` is the number of steps taken.
    AMSGrad divides by the largest second moment seen so far, so the effective step of a
    coordinate never grows (Reddi et al.'s fix of Adam's non-convergence).

    Source: lecture notes "Optimization" (seed 004), "Adam" (bias correction); seed 002, "Adam"
    (whose update line writes sqrt(v_t) where the bias-corrected v_hat is meant); D. P. Kingma,
    J. Ba, "Adam: a method for stochastic optimization", ICLR 2015, Algorithm 1; AMSGrad:
    S. J. Reddi, S. Kale, S. Kumar, "On the convergence of Adam and beyond", ICLR 2018 (torch's
    variant, as here: max of the biased v, then bias-corrected).

    PyTorch: ``torch.optim.Adam(params, lr, betas=(beta1, beta2), eps=eps, weight_decay=wd,
    amsgrad=amsgrad)`` (https://pytorch.org/docs/stable/generated/torch.optim.Adam.html) takes the
    same steps up to round-off (torch computes ``(sqrt(v)/sqrt(1 - beta2**t)) + eps`` and
    ``lr/(1 - beta1**t)``, the same numbers in another order). Defaults differ: torch's eps is
    1e-8 (here 1e-7, the notes' value) and its lr is 1e-3; the betas (0.9, 0.999) are the same.

    Examples
    --------
    >>> import numpy as np
    >>> rule = adam(eps=1e-12)
    >>> state = rule.init(np.zeros(2))
    >>> d, state = rule.step(state, np.zeros(2), np.array([0.01, -300.0]))
    >>> np.round(d, 6), state.t
    (array([-1.,  1.]), 1)
    >>> rule = adam(beta1=0.0, beta2=0.5, eps=1e-12, amsgrad=True)
    >>> state = rule.init(np.zeros(1))
    >>> d, state = rule.step(state, np.zeros(1), np.array([4.0]))
    >>> d, state = rule.step(state, np.zeros(1), np.array([0.0]))
    >>> state.v, state.v_max                 # v halves, v_max keeps the largest v
    (array([4.]), array([8.]))

    step_inplace: fused, blocked, in place, for every value of the options (no fallback to
    the generic step); same numbers as step.
    """
    return _adam_rule("adam", beta1, beta2, eps, weight_decay, amsgrad, decoupled=False)


def adamw(beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-7, weight_decay: float = 0.01,
          amsgrad: bool = False) -> UpdateRule:
    r"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter).

    .. math::

        x_t = x_{t-1} - \alpha \left( \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}
              + \lambda x_{t-1} \right)

    with :math:`\hat m_t, \hat v_t` Adam's (see :func:`adam`), computed from the gradient
    itself: the decay does not enter the moments.

    Equations::

        t     = t + 1                                  t = 0 in init, so t = 1 on the first step
        m     = beta1 * m + (1 - beta1) * g            g = grad f(x), elementwise; m_0 = 0
        v     = beta2 * v + (1 - beta2) * g**2         v_0 = 0
        v_max = max(v_max, v)                          amsgrad only; v_max_0 = 0
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)                     amsgrad: v_max / (1 - beta2**t)
        d     = -m_hat / (sqrt(v_hat) + eps) - wd * x
        x     = x + alpha * d

        beta1:   option beta1 (in [0, 1); torch's betas[0])
        beta2:   option beta2 (in [0, 1); torch's betas[1])
        eps:     option eps (> 0), added after the square root of v_hat; torch's eps
        wd:      option weight_decay (>= 0; torch's weight_decay, default 0.01 as torch)
        amsgrad: option amsgrad (bool; torch's amsgrad, default False)
        alpha:   option lr

    torch does ``p <- p * (1 - lr*wd)`` and then Adam's step; with the driver's form
    ``x <- x + alpha*d`` that is ``d = -wd*x + (Adam's direction at the same state)``, as above.
    With a line search, alpha scales the decay too (the decay is part of the direction).

    Source: I. Loshchilov, F. Hutter, "Decoupled weight decay regularization", ICLR 2019,
    Algorithm 2 (with the schedule multiplier eta_t = 1 and torch's convention of multiplying the
    decay by lr); AMSGrad: S. J. Reddi, S. Kale, S. Kumar, ICLR 2018.

    PyTorch: ``torch.optim.AdamW(params, lr, betas=(beta1, beta2), eps=eps, weight_decay=wd,
    amsgrad=amsgrad)`` (https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html) takes
    the same steps up to round-off. Defaults differ: torch's eps is 1e-8 (here 1e-7, as for
    :func:`adam`); weight_decay 0.01 and the betas are torch's.

    Examples
    --------
    >>> import numpy as np
    >>> rule = adamw(eps=1e-12, weight_decay=0.5)
    >>> state = rule.init(np.zeros(2))
    >>> d, state = rule.step(state, np.array([2.0, -4.0]), np.array([0.01, -300.0]))
    >>> np.round(d, 6)                       # -sign(g) - 0.5*x
    array([-2.,  3.])

    step_inplace: fused, blocked, in place, for every value of the options (no fallback to
    the generic step); same numbers as step.
    """
    return _adam_rule("adamw", beta1, beta2, eps, weight_decay, amsgrad, decoupled=True)
