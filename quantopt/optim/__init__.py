"""Update rules, one family per module, each an init/step pair (see :mod:`quantopt.optim.base`).

``RULES`` maps each ``method`` name of :func:`quantopt.minimize` to its factory. Every rule also
has ``rule.step_inplace(state, x, g, lr)``, the step ``x <- x + lr*d`` done in place with the same
numbers (fused and blocked for the elementwise rules; see :mod:`quantopt.optim.base`).
"""
from .adaptive import adagrad, adam, rmsprop
from .base import UpdateRule
from .first_order import gd, momentum, nesterov, sgd
from .second_order import bfgs, bfgs_update, lbfgs, lbfgs_inverse_hessian, newton

RULES = {
    "gd": gd,
    "sgd": sgd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
    "newton": newton,
    "bfgs": bfgs,
    "lbfgs": lbfgs,
}

__all__ = [
    "UpdateRule",
    "RULES",
    "gd",
    "sgd",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adam",
    "newton",
    "bfgs",
    "lbfgs",
    "bfgs_update",
    "lbfgs_inverse_hessian",
]
