"""Update rules, one family per module, each an init/step pair (see :mod:`quantopt.optim.base`).

``RULES`` maps each ``method`` name of :func:`quantopt.minimize` to its factory: the one
registry of methods (:func:`lookup` also takes scipy's spellings, in any case). Every rule also
has ``rule.step_inplace(state, x, g, lr)``, the step ``x <- x + lr*d`` done in place with the same
numbers (fused and blocked for the elementwise rules; see :mod:`quantopt.optim.base`).
"""
from .adaptive import adagrad, adam, adamw, rmsprop
from .base import UpdateRule
from .conjugate import cg
from .first_order import gd, momentum, nesterov, sgd
from .second_order import bfgs, bfgs_update, lbfgs, lbfgs_inverse_hessian, newton
from .stochastic import annealing_temperature, langevin

RULES = {
    "gd": gd,
    "sgd": sgd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
    "adamw": adamw,
    "newton": newton,
    "bfgs": bfgs,
    "lbfgs": lbfgs,
    "cg": cg,
    "langevin": langevin,
}

#: other spellings of the method names (scipy's among them), matched case-insensitively
ALIASES = {"l-bfgs": "lbfgs", "l-bfgs-b": "lbfgs"}


def lookup(method) -> str:
    """The registry key for ``method`` (a name of RULES or an alias, any case).

    Raises TypeError if method is not a string and ValueError listing the valid names if it is
    unknown.
    """
    if not isinstance(method, str):
        raise TypeError(f"method must be a string (one of {', '.join(RULES)}), got "
                        f"{type(method).__name__}")
    key = method.lower()
    key = ALIASES.get(key, key)
    if key not in RULES:
        raise ValueError(f"unknown method {method!r}; valid methods: {', '.join(RULES)} "
                         f"(also {', '.join(ALIASES)}; case is ignored)")
    return key


__all__ = [
    "UpdateRule",
    "RULES",
    "ALIASES",
    "lookup",
    "gd",
    "sgd",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adam",
    "adamw",
    "newton",
    "bfgs",
    "lbfgs",
    "cg",
    "langevin",
    "bfgs_update",
    "lbfgs_inverse_hessian",
    "annealing_temperature",
]
