r"""First-order update rules: gradient descent, SGD, Momentum, Nesterov.

Source: lecture notes "Optimization" (seed 004, in the style of EECS 498 / CS231n lecture 4).
Each rule returns a direction d; the driver moves x <- x + alpha*d with alpha = lr or the step a
line search accepts.

State arrays take x0's dtype when it is a float dtype (float32 stays float32) or ``object``
(numpy arrays of :class:`fractions.Fraction`, for exact arithmetic: these rules use no square
root, so a Fraction ``momentum`` and Fraction inputs give exact Fraction iterates); any other
dtype gives float64.

Weight decay (every rule here, torch's ``weight_decay``): L2 regularization coupled into the
gradient, as torch.optim.SGD does it, ``g <- g + weight_decay * x`` before the rule's update;
that is gradient descent on ``f(x) + weight_decay/2 * ||x||^2``. weight_decay = 0 (the default)
skips the line, as torch does (so ``0 * inf`` never makes a NaN). A Fraction weight_decay (or
dampening) keeps the exact path exact.

Each rule also has ``step_inplace(state, x, g, lr)`` (see :mod:`quantopt.optim.base`): the fused
step ``x <- x + lr*d`` done in place in cache-sized blocks, bit for bit the numbers of ``step``
followed by ``x + lr*d``. Its kernel (in the private module ``quantopt.optim._fused``) performs
the same IEEE operations, on the same operands in the same order, as those two lines, writing
into blocks of the state or block-sized scratch buffers: nothing proportional to n is allocated.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_exact_nonnegative, check_unit_interval
from . import _fused
from .base import UpdateRule, state_zeros


class GDState(NamedTuple):
    """Gradient descent keeps no state."""


def gd(weight_decay: float = 0.0) -> UpdateRule:
    r"""Gradient descent: step against the gradient (plus an optional L2 weight decay).

    .. math:: x_{t+1} = x_t - \alpha \left(\nabla f(x_t) + \lambda x_t\right)

    Equations::

        g_t     = grad f(x_t) + wd * x_t     (the line is skipped when wd = 0)
        d_t     = -g_t
        x_{t+1} = x_t + alpha * d_t

        wd:    option weight_decay (>= 0; torch's weight_decay, default 0)
        alpha: option lr (or the line search's step)

    Source: lecture notes "Optimization" (seed 004), "Gradient Descent". PyTorch:
    ``torch.optim.SGD(params, lr, weight_decay=wd)`` with momentum 0 takes the same steps
    (https://pytorch.org/docs/stable/generated/torch.optim.SGD.html).

    Examples
    --------
    >>> import numpy as np
    >>> rule = gd()
    >>> d, state = rule.step(rule.init(np.zeros(2)), np.zeros(2), np.array([1.0, -2.0]))
    >>> d
    array([-1.,  2.])
    >>> rule = gd(weight_decay=0.5)
    >>> d, state = rule.step(rule.init(np.zeros(2)), np.array([2.0, 4.0]), np.array([1.0, -1.0]))
    >>> d                                         # -(g + 0.5 x)
    array([-2., -1.])

    step_inplace: fused, blocked, in place, for every value of the options (no fallback to
    the generic step); same numbers as step.
    """
    wd = check_exact_nonnegative("weight_decay", weight_decay)

    def init(x0: np.ndarray) -> GDState:
        return GDState()

    def step(state: GDState, x: np.ndarray, g: np.ndarray, hess=None):
        if wd:
            g = g + wd * x
        return -g, state

    def step_inplace(state: GDState, x: np.ndarray, g: np.ndarray, lr: float, hess=None):
        return _fused.gd(state, x, g, lr, GDState, wd)

    return UpdateRule("gd", init, step, {"weight_decay": wd}, step_inplace=step_inplace)


def sgd(weight_decay: float = 0.0) -> UpdateRule:
    r"""Stochastic gradient descent: the gradient descent rule applied to a mini-batch gradient.

    .. math:: x_{t+1} = x_t - \alpha \left(\nabla f_{S_t}(x_t) + \lambda x_t\right)

    Equations::

        g_t     = g_t + wd * x_t             g_t: the mini-batch gradient the driver passes
        d_t     = -g_t                       (the first line is skipped when wd = 0)
        x_{t+1} = x_t + alpha * d_t

        wd:    option weight_decay (>= 0; torch's weight_decay, default 0)
        alpha: option lr

    The rule is the same as :func:`gd`; the driver (``quantopt.minimize(method="sgd")``) draws the
    mini-batch S_t and passes its gradient as ``g``.

    Source: lecture notes "Optimization" (seed 004), "Stochastic Gradient Descent (SGD)"; seed 002,
    "Stochastic Gradient Descent". PyTorch: ``torch.optim.SGD(params, lr, weight_decay=wd)``
    (momentum 0; https://pytorch.org/docs/stable/generated/torch.optim.SGD.html).

    Examples
    --------
    >>> import numpy as np
    >>> rule = sgd()
    >>> d, state = rule.step(rule.init(np.zeros(2)), np.zeros(2), np.array([0.5, -1.0]))
    >>> d
    array([-0.5,  1. ])

    step_inplace: fused, blocked, in place, with or without weight decay; same numbers as
    step (gd's kernel).
    """
    rule = gd(weight_decay)
    return rule._replace(name="sgd", minibatch=True)


class MomentumState(NamedTuple):
    """v: the velocity, a running sum of gradients with decay rho (the notes' right-hand form);
    t: the number of steps taken (dampening leaves the first step undamped, as torch does)."""

    v: np.ndarray
    t: int = 0


def momentum(momentum: float = 0.9, dampening: float = 0.0,
             weight_decay: float = 0.0) -> UpdateRule:
    r"""SGD + Momentum (heavy ball), in the form of the lecture notes and PyTorch.

    .. math::

        v_{t+1} = \rho v_t + (1 - \tau) g_t, \qquad
        x_{t+1} = x_t - \alpha v_{t+1}, \qquad v_0 = 0,
        \qquad g_t = \nabla f(x_t) + \lambda x_t

    with :math:`v_1 = g_0` (undamped) on the first step when :math:`\tau \ne 0`.

    Equations::

        g_t     = grad f(x_t) + wd * x_t          (skipped when wd = 0)
        v_{t+1} = rho * v_t + g_t                  if tau = 0 (or rho = 0); v_0 = 0
        v_{t+1} = g_t                              if tau != 0, on the first step (t = 0)
        v_{t+1} = rho * v_t + (1 - tau) * g_t      if tau != 0, afterwards
        d_t     = -v_{t+1}
        x_{t+1} = x_t + alpha * d_t

        rho:   option momentum (the notes' "friction"; in [0, 1); torch's momentum)
        tau:   option dampening (in [0, 1); torch's dampening, default 0)
        wd:    option weight_decay (>= 0; torch's weight_decay, default 0)
        alpha: option lr (or the line search's step)

    The notes prove that this form and the other form, ``v'_{t+1} = rho v'_t - alpha grad f(x_t)``,
    ``x_{t+1} = x_t + v'_{t+1}`` (Sutskever et al. 2013), give the same iterates: ``v' = -alpha v``
    when alpha is constant. With a varying step (line search, schedules) the two forms differ; this
    library uses the first. (CS231n's ``sgd_momentum`` is the other form: its velocity is
    ``-learning_rate * state.v``.)

    Dampening, as torch: the first step takes the gradient itself (``state.t`` counts the steps,
    so a state built by hand with ``t >= 1`` is damped from its first step); with momentum 0 torch
    keeps no buffer at all, so dampening has no effect there, here too. torch accepts dampening
    = 1, which would ignore every gradient after the first; it is refused here (ValueError).

    Source: lecture notes "Optimization" (seed 004), "SGD + Momentum" (both forms and the proof of
    their equivalence); B. T. Polyak, "Some methods of speeding up the convergence of iteration
    methods", 1964; I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of
    initialization and momentum in deep learning", ICML 2013.

    PyTorch: ``torch.optim.SGD(params, lr, momentum=rho, dampening=tau, weight_decay=wd)``
    (nesterov=False; https://pytorch.org/docs/stable/generated/torch.optim.SGD.html) takes the
    same steps: its buffer is ``b = g`` on the first step (the same as ``rho*0 + g`` when
    dampening is 0), then ``b = rho*b + (1 - tau)*g``, and ``p = p - lr*b``.

    Examples
    --------
    >>> import numpy as np
    >>> rule = momentum(momentum=0.5)
    >>> state = rule.init(np.zeros(2))
    >>> d, state = rule.step(state, np.zeros(2), np.array([1.0, 2.0]))
    >>> d, state = rule.step(state, np.zeros(2), np.array([1.0, 2.0]))
    >>> state.v
    array([1.5, 3. ])
    >>> d
    array([-1.5, -3. ])
    >>> rule = momentum(momentum=0.5, dampening=0.5)      # first step undamped
    >>> state = rule.init(np.zeros(1))
    >>> for _ in range(2):
    ...     d, state = rule.step(state, np.zeros(1), np.array([4.0]))
    >>> state.v, state.t                                   # 0.5*4 + 0.5*4
    (array([4.]), 2)

    step_inplace: fused, blocked, in place, for every value of the options (no fallback to
    the generic step); same numbers as step.
    """
    rho = check_unit_interval("momentum", momentum)
    tau = check_unit_interval("dampening", dampening)
    wd = check_exact_nonnegative("weight_decay", weight_decay)
    damped = tau != 0 and rho != 0

    def init(x0: np.ndarray) -> MomentumState:
        return MomentumState(v=state_zeros(x0), t=0)

    def step(state: MomentumState, x: np.ndarray, g: np.ndarray, hess=None):
        if wd:
            g = g + wd * x
        if not damped:
            v = rho * state.v + g
        elif state.t == 0:
            v = g.copy()
        else:
            v = rho * state.v + (1 - tau) * g
        d = -v
        return d, MomentumState(v=v, t=state.t + 1)

    def step_inplace(state: MomentumState, x: np.ndarray, g: np.ndarray, lr: float, hess=None):
        return _fused.momentum(state, x, g, lr, MomentumState, rho, tau, wd)

    return UpdateRule("momentum", init, step,
                      {"momentum": rho, "dampening": tau, "weight_decay": wd},
                      step_inplace=step_inplace)
class NesterovState(NamedTuple):
    """b: the momentum buffer of the x-tilde form: b = -v/alpha, v the look-ahead velocity."""

    b: np.ndarray


def nesterov(momentum: float = 0.9, weight_decay: float = 0.0) -> UpdateRule:
    r"""Nesterov momentum in the notes' change of variables: the driver's x is the look-ahead x̃.

    The look-ahead form evaluates the gradient at the look-ahead point,

    .. math::

        v_{t+1} = \rho v_t - \alpha \nabla f(x_t + \rho v_t), \qquad x_{t+1} = x_t + v_{t+1},

    and with :math:`\tilde x_t = x_t + \rho v_t` the notes rewrite it as
    :math:`\tilde x_{t+1} = \tilde x_t - \rho v_t + (1+\rho) v_{t+1}`. Writing :math:`v = -\alpha b`
    (a buffer without the step size, as in :func:`momentum`), this rule computes

    .. math::

        b_{t+1} = \rho b_t + \nabla f(\tilde x_t), \qquad
        \tilde x_{t+1} = \tilde x_t - \alpha \left(\nabla f(\tilde x_t) + \rho b_{t+1}\right),
        \qquad b_0 = 0

    Equations::

        g_t      = grad f(xt_t) + wd * xt_t             (skipped when wd = 0)
        b_{t+1}  = rho * b_t + g_t                      b_0 = 0, xt = x-tilde (the driver's x)
        d_t      = -(g_t + rho * b_{t+1})
        xt_{t+1} = xt_t + alpha * d_t

        rho:   option momentum (in [0, 1); torch's momentum)
        wd:    option weight_decay (>= 0; torch's weight_decay, default 0)
        alpha: option lr (or the line search's step)

    Why this is the notes' update: b_{t+1} - rho b_t = grad f(xt_t), so
    ``xt_t - rho v_t + (1+rho) v_{t+1} = xt_t - alpha((1+rho) b_{t+1} - rho b_t)
    = xt_t - alpha(grad f(xt_t) + rho b_{t+1})``. The identity needs a constant alpha; x̃_0 = x_0
    since v_0 = 0. The driver's ``path`` stores x̃.

    Source: lecture notes "Optimization" (seed 004), "Nesterov Momentum" (look-ahead and the x̃
    reformulation); Y. Nesterov, "A method of solving a convex programming problem with
    convergence rate O(1/k^2)", 1983; Sutskever et al., ICML 2013 (the momentum formulation).

    PyTorch: ``torch.optim.SGD(params, lr, momentum=rho, nesterov=True, weight_decay=wd)``
    (https://pytorch.org/docs/stable/generated/torch.optim.SGD.html) takes the same steps:
    ``g = g + wd*p; b = rho*b + g; g = g + rho*b; p = p - lr*g``. torch refuses nesterov with
    dampening != 0 (and with momentum 0), so this rule has no dampening option. The weight decay
    is applied at the driver's x, the look-ahead point x̃, as torch applies it at its parameter.

    Examples
    --------
    >>> import numpy as np
    >>> rule = nesterov(momentum=0.5)
    >>> state = rule.init(np.zeros(2))
    >>> d, state = rule.step(state, np.zeros(2), np.array([1.0, 2.0]))
    >>> d
    array([-1.5, -3. ])
    >>> state.b
    array([1., 2.])

    step_inplace: fused, blocked, in place, for every value of the options (no fallback to
    the generic step); same numbers as step.
    """
    rho = check_unit_interval("momentum", momentum)
    wd = check_exact_nonnegative("weight_decay", weight_decay)

    def init(x0: np.ndarray) -> NesterovState:
        return NesterovState(b=state_zeros(x0))

    def step(state: NesterovState, x: np.ndarray, g: np.ndarray, hess=None):
        if wd:
            g = g + wd * x
        b = rho * state.b + g
        d = -(g + rho * b)
        return d, NesterovState(b=b)

    def step_inplace(state: NesterovState, x: np.ndarray, g: np.ndarray, lr: float, hess=None):
        return _fused.nesterov(state, x, g, lr, NesterovState, rho, wd)

    return UpdateRule("nesterov", init, step, {"momentum": rho, "weight_decay": wd},
                      step_inplace=step_inplace)
