r"""First-order update rules: gradient descent, SGD, Momentum, Nesterov.

Source: lecture notes "Optimization" (seed 004, in the style of EECS 498 / CS231n lecture 4).
Each rule returns a direction d; the driver moves x <- x + alpha*d with alpha = lr or the step a
line search accepts.

State arrays take x0's dtype when it is a float dtype (float32 stays float32) or ``object``
(numpy arrays of :class:`fractions.Fraction`, for exact arithmetic: these rules use no square
root, so a Fraction ``momentum`` and Fraction inputs give exact Fraction iterates); any other
dtype gives float64.

Each rule also has ``step_inplace(state, x, g, lr)`` (see :mod:`quantopt.optim.base`): the fused
step ``x <- x + lr*d`` done in place in cache-sized blocks, bit for bit the numbers of ``step``
followed by ``x + lr*d``. Its kernel (in the private module ``quantopt.optim._fused``) performs
the same IEEE operations, on the same operands in the same order, as those two lines, writing
into blocks of the state or block-sized scratch buffers: nothing proportional to n is allocated.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_unit_interval
from . import _fused
from .base import UpdateRule, state_zeros


class GDState(NamedTuple):
    """Gradient descent keeps no state."""


def gd() -> UpdateRule:
    r"""Gradient descent: step against the gradient.

    .. math:: x_{t+1} = x_t - \alpha \nabla f(x_t)

    Equations::

        d_t     = -grad f(x_t)
        x_{t+1} = x_t + alpha * d_t          alpha: option lr (or the line search's step)

    Source: lecture notes "Optimization" (seed 004), "Gradient Descent". PyTorch:
    ``torch.optim.SGD(params, lr)`` with momentum 0 takes the same steps.

    Examples
    --------
    >>> import numpy as np
    >>> rule = gd()
    >>> d, state = rule.step(rule.init(np.zeros(2)), np.zeros(2), np.array([1.0, -2.0]))
    >>> d
    array([-1.,  2.])

    step_inplace: fused, blocked, in place; same numbers as step.
    """

    def init(x0: np.ndarray) -> GDState:
        return GDState()

    def step(state: GDState, x: np.ndarray, g: np.ndarray, hess=None):
        return -g, state

    def step_inplace(state: GDState, x: np.ndarray, g: np.ndarray, lr: float, hess=None):
        return _fused.gd(state, x, g, lr, GDState)

    return UpdateRule("gd", init, step, {}, step_inplace=step_inplace)


def sgd() -> UpdateRule:
    r"""Stochastic gradient descent: the gradient descent rule applied to a mini-batch gradient.

    .. math:: x_{t+1} = x_t - \alpha \nabla f_{S_t}(x_t)

    Equations::

        d_t     = -g_t                       g_t: the mini-batch gradient the driver passes
        x_{t+1} = x_t + alpha * d_t          alpha: option lr

    The rule is the same as :func:`gd`; the driver (``quantopt.minimize(method="sgd")``) draws the
    mini-batch S_t and passes its gradient as ``g``.

    Source: lecture notes "Optimization" (seed 004), "Stochastic Gradient Descent (SGD)"; seed 002,
    "Stochastic Gradient Descent". PyTorch: ``torch.optim.SGD(params, lr)`` (momentum 0).

    Examples
    --------
    >>> import numpy as np
    >>> rule = sgd()
    >>> d, state = rule.step(rule.init(np.zeros(2)), np.zeros(2), np.array([0.5, -1.0]))
    >>> d
    array([-0.5,  1. ])

    step_inplace: fused, blocked, in place; same numbers as step (gd's kernel).
    """
    rule = gd()
    return rule._replace(name="sgd", minibatch=True)


class MomentumState(NamedTuple):
    """v: the velocity, a running sum of gradients with decay rho (the notes' right-hand form)."""

    v: np.ndarray


def momentum(momentum: float = 0.9) -> UpdateRule:
    r"""SGD + Momentum (heavy ball), in the form of the lecture notes and PyTorch.

    .. math::

        v_{t+1} = \rho v_t + \nabla f(x_t), \qquad
        x_{t+1} = x_t - \alpha v_{t+1}, \qquad v_0 = 0

    Equations::

        v_{t+1} = rho * v_t + grad f(x_t)        v_0 = 0
        d_t     = -v_{t+1}
        x_{t+1} = x_t + alpha * d_t

        rho:   option momentum (the notes' "friction"; in [0, 1))
        alpha: option lr (or the line search's step)

    The notes prove that this form and the other form, ``v'_{t+1} = rho v'_t - alpha grad f(x_t)``,
    ``x_{t+1} = x_t + v'_{t+1}`` (Sutskever et al. 2013), give the same iterates: ``v' = -alpha v``
    when alpha is constant. With a varying step (line search, schedules) the two forms differ; this
    library uses the first.

    Source: lecture notes "Optimization" (seed 004), "SGD + Momentum" (both forms and the proof of
    their equivalence); B. T. Polyak, "Some methods of speeding up the convergence of iteration
    methods", 1964; I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of
    initialization and momentum in deep learning", ICML 2013.

    PyTorch: ``torch.optim.SGD(params, lr, momentum=rho)`` (dampening=0, nesterov=False, no weight
    decay) takes the same steps: its buffer is ``b = rho*b + g`` (``b = g`` on the first step,
    which is the same as starting from 0) and ``p = p - lr*b``.

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

    step_inplace: fused, blocked, in place; same numbers as step.
    """
    rho = check_unit_interval("momentum", momentum)

    def init(x0: np.ndarray) -> MomentumState:
        return MomentumState(v=state_zeros(x0))

    def step(state: MomentumState, x: np.ndarray, g: np.ndarray, hess=None):
        v = rho * state.v + g
        d = -v
        return d, MomentumState(v=v)

    def step_inplace(state: MomentumState, x: np.ndarray, g: np.ndarray, lr: float, hess=None):
        return _fused.momentum(state, x, g, lr, MomentumState, rho)

    return UpdateRule("momentum", init, step, {"momentum": rho}, step_inplace=step_inplace)


class NesterovState(NamedTuple):
    """b: the momentum buffer of the x-tilde form: b = -v/alpha, v the look-ahead velocity."""

    b: np.ndarray


def nesterov(momentum: float = 0.9) -> UpdateRule:
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

        b_{t+1}  = rho * b_t + grad f(xt_t)             b_0 = 0, xt = x-tilde (the driver's x)
        d_t      = -(grad f(xt_t) + rho * b_{t+1})
        xt_{t+1} = xt_t + alpha * d_t

        rho:   option momentum (in [0, 1))
        alpha: option lr (or the line search's step)

    Why this is the notes' update: b_{t+1} - rho b_t = grad f(xt_t), so
    ``xt_t - rho v_t + (1+rho) v_{t+1} = xt_t - alpha((1+rho) b_{t+1} - rho b_t)
    = xt_t - alpha(grad f(xt_t) + rho b_{t+1})``. The identity needs a constant alpha; x̃_0 = x_0
    since v_0 = 0. The driver's ``path`` stores x̃.

    Source: lecture notes "Optimization" (seed 004), "Nesterov Momentum" (look-ahead and the x̃
    reformulation); Y. Nesterov, "A method of solving a convex programming problem with
    convergence rate O(1/k^2)", 1983; Sutskever et al., ICML 2013 (the momentum formulation).

    PyTorch: ``torch.optim.SGD(params, lr, momentum=rho, nesterov=True)`` (dampening=0, no weight
    decay) takes the same steps: ``b = rho*b + g; g = g + rho*b; p = p - lr*g``.

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

    step_inplace: fused, blocked, in place; same numbers as step.
    """
    rho = check_unit_interval("momentum", momentum)

    def init(x0: np.ndarray) -> NesterovState:
        return NesterovState(b=state_zeros(x0))

    def step(state: NesterovState, x: np.ndarray, g: np.ndarray, hess=None):
        b = rho * state.b + g
        d = -(g + rho * b)
        return d, NesterovState(b=b)

    def step_inplace(state: NesterovState, x: np.ndarray, g: np.ndarray, lr: float, hess=None):
        return _fused.nesterov(state, x, g, lr, NesterovState, rho)

    return UpdateRule("nesterov", init, step, {"momentum": rho}, step_inplace=step_inplace)
