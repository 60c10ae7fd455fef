r"""The methods: where the gradient is taken, what follows the optimizer step, and the one step
that :func:`~quantopt.proxquant.iterate` and the training loops both take.

Every method is one optimizer step :math:`(d_t, s) = \text{rule.step}(s, \theta_t, g_t)` on the
real-valued θ, framed by two maps on the quantized entries (``active``):

Equations::

    p_t         = grad_at(theta_t)                   where the gradient is taken
    g_t         = grad L(p_t)
    (d_t, s)    = rule.step(s, theta_t, g_t);   d_t <- 0 on frozen entries
    theta_{t+1} = after(theta_t + lr * d_t)          what follows the step
                  then clipped to [min Q, max Q] on the active entries if clip

    method          grad_at                 after                  mu_t
    full_precision  identity                identity               0
    proxquant       identity                prox_{mu_t R}          lr * lam_t
    binaryconnect   q = project(., Q)       identity               inf (the prox is q)
    lazy_prox       prox_{mu_t R}           identity               lr * lam_t

    lam_t = lam * t (homotopy "step", t = 0, 1, ... steps), lam * epoch ("epoch"), lam
            ("constant"); lam = inf: lam_t = inf, the prox is the projection q

Sources: Bai, Wang, Liberty, "ProxQuant", ICLR 2019, Algorithm 1 and eq. (13); Courbariaux,
Bengio, David, "BinaryConnect", NeurIPS 2015.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Callable, NamedTuple

import numpy as np

from .. import prox as _prox
from .._checks import check_choice, returned_real
from ..optim import RULES, UpdateRule, adam

BINARY_LEVELS = np.array([-1.0, 1.0])
BINARY_LEVELS.flags.writeable = False


class Quantizer(NamedTuple):
    """The levels Q and the prox of the regularizer: ``prox_fn(v, mu)`` or, when None,
    :func:`quantopt.prox.soft_quantize` with the levels; ``mu = inf`` is the projection q."""

    levels: np.ndarray
    prox_fn: Callable | None  # prox(v, mu); None: soft_quantize with levels

    def project(self, v: np.ndarray) -> np.ndarray:
        return np.asarray(_prox.project(v, self.levels), dtype=np.float64)

    def prox(self, v: np.ndarray, mu: float) -> np.ndarray:
        if mu == math.inf:
            return self.project(v)
        if self.prox_fn is None:
            return np.asarray(_prox.soft_quantize(v, self.levels, mu), dtype=np.float64)
        out = returned_real("prox", self.prox_fn(v, mu), v.shape)
        if not np.isfinite(out).all():
            raise ValueError(f"prox returned non-finite values (nan or inf) for finite input "
                             f"and mu={mu!r}")
        return out


def identity(theta, mask, mu, quant):
    return theta


def proxed(theta, mask, mu, quant):
    """θ with prox_{mu R} applied to the entries where mask is True (a new array)."""
    if not mask.any():
        return theta
    out = theta.copy()
    out[mask] = quant.prox(theta[mask], mu)
    return out


def projected(theta, mask, mu, quant):
    """θ with q = project(., Q) applied to the entries where mask is True (a new array)."""
    if not mask.any():
        return theta
    out = theta.copy()
    out[mask] = quant.project(theta[mask])
    return out


class Method(NamedTuple):
    name: str
    quantized: bool    # the evaluated model is q(theta); hard quantization applies
    uses_lam: bool     # mu_t = lr * lam_t; otherwise mu_t = fixed_mu
    fixed_mu: float    # the prox strength of a method without lam (0: none; inf: q)
    grad_at: Callable  # (theta, mask, mu, quant) -> the point where the gradient is taken
    after: Callable    # (theta, mask, mu, quant) -> theta after the optimizer step


METHODS = {
    "full_precision": Method("full_precision", False, False, 0.0, identity, identity),
    "proxquant": Method("proxquant", True, True, 0.0, identity, proxed),
    "binaryconnect": Method("binaryconnect", True, False, math.inf, projected, identity),
    "lazy_prox": Method("lazy_prox", True, True, 0.0, proxed, identity),
}
ALIASES = {"gd": "full_precision", "fp": "full_precision", "lazy": "lazy_prox",
           "bc": "binaryconnect", "pq": "proxquant"}


def get_method(name: Any) -> Method:
    """The Method for a name or an alias; TypeError/ValueError naming ``method`` otherwise."""
    check_choice("method", name, sorted(METHODS) + sorted(ALIASES))
    return METHODS[ALIASES.get(name, name)]


def check_lam(lam: Any) -> float:
    """λ >= 0 as a float; unlike ``_checks.check_nonnegative``, inf is allowed (the projection)."""
    if isinstance(lam, (bool, np.bool_)) or not isinstance(lam, numbers.Real):
        raise TypeError(f"lam must be a real number >= 0, got {type(lam).__name__}")
    lam = float(lam)
    if not lam >= 0:  # also NaN
        raise ValueError(f"lam must be >= 0 (inf allowed: the hard quantizer), got {lam!r}")
    return lam


def check_levels(levels: Any) -> np.ndarray:
    """The levels Q, validated by :func:`quantopt.prox.project` (1-D, finite, strictly
    increasing; errors name ``levels``), as a read-only float64 array."""
    _prox.project(0.0, levels)
    lev = np.array(levels, dtype=np.float64)
    lev.flags.writeable = False
    return lev


def check_rule(rule: Any) -> UpdateRule:
    """An UpdateRule (default Adam, the paper's) or the name of one in ``quantopt.optim.RULES``;
    rules that need a Hessian are refused."""
    if rule is None:
        return adam()
    if isinstance(rule, str):
        rule = RULES[check_choice("rule", rule, sorted(RULES))]()
    if not isinstance(rule, UpdateRule):
        raise TypeError(f"rule must be a quantopt.optim UpdateRule or a name, got "
                        f"{type(rule).__name__}")
    if rule.needs_hess:
        raise ValueError(f"rule {rule.name!r} needs a Hessian; use a first-order rule")
    return rule


def check_mask(mask: Any, shape: tuple, name: str = "mask") -> np.ndarray:
    """A boolean array of the given shape (None: all True), flattened (a new array)."""
    if mask is None:
        return np.ones(int(np.prod(shape, dtype=int)), dtype=bool)
    try:
        m = np.asarray(mask)
    except (TypeError, ValueError) as err:  # ragged nested lists
        raise TypeError(f"{name} must be a boolean array of shape {shape}: {err}") from err
    if m.dtype != bool:
        raise TypeError(f"{name} must be a boolean array of shape {shape}, got dtype {m.dtype}")
    if m.shape != tuple(shape):
        raise ValueError(f"{name} must be a boolean array of shape {shape}, got shape "
                         f"{m.shape}")
    return m.reshape(-1).copy()


HOMOTOPIES = ("step", "epoch", "constant")


def prox_strength(method: Method, lr: float, lam: float, homotopy: str, step: int,
                  epoch: int) -> tuple[float, float]:
    """(λ_t, μ_t) at a step: λ_t = λ·step, λ·epoch or λ (``homotopy``), μ_t = lr·λ_t (inf stays
    inf); a method without λ has λ_t = 0 and its fixed μ (0, or inf for BinaryConnect)."""
    if not method.uses_lam:
        return 0.0, method.fixed_mu
    if lam == math.inf or homotopy == "constant":
        lam_t = lam
    else:
        lam_t = lam * (step if homotopy == "step" else epoch)
    return lam_t, (math.inf if lam_t == math.inf else lr * lam_t)


def take_step(method: Method, quant: Quantizer, rule: UpdateRule, state: Any,
              theta: np.ndarray, gradient: Callable, *, lr: float, mu: float,
              active: np.ndarray, clip: bool, frozen: np.ndarray | None = None,
              t: int = 0, grad_name: str = "grad") -> tuple[np.ndarray, Any, np.ndarray]:
    """One step of ``method`` (see the module docstring): returns (θ_{t+1}, state, p_t).

    ``gradient(p)`` returns the (already shape-checked) gradient at p; ``active`` marks the
    quantized entries the maps act on, ``frozen`` those whose step is zeroed (hard
    quantization). A non-finite gradient at a finite point raises ValueError naming
    ``grad_name``; a non-finite θ_{t+1}, or an update rule that overflows (the adaptive
    rules' g*g), raises ValueError naming ``lr`` (the step overflowed).
    """
    point = method.grad_at(theta, active, mu, quant)
    g = gradient(point)
    if not np.isfinite(g).all():
        raise ValueError(f"{grad_name} returned non-finite values (nan or inf) at step {t}, at "
                         f"a finite point (max |theta| = {np.abs(theta).max():.3g}); if the "
                         f"iterates grew, lr={lr!r} is too large")
    try:
        d, state = rule.step(state, theta, g)
    except OverflowError as err:  # the adaptive rules' g*g beyond float64
        raise ValueError(f"the update rule overflowed at step {t} (max |theta| = "
                         f"{np.abs(theta).max():.3g}, max |g| = {np.abs(g).max():.3g}): if the "
                         f"iterates grew, lr={lr!r} is too large ({err})") from err
    if frozen is not None:
        d = np.where(frozen, 0.0, d)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below
        new = method.after(theta + lr * d, active, mu, quant)
    if clip and active.any():
        new = np.where(active, np.clip(new, quant.levels[0], quant.levels[-1]), new)
    if not np.isfinite(new).all():
        raise ValueError(f"the iterate became non-finite (overflow) at step {t} (max |theta| "
                         f"before the step {np.abs(theta).max():.3g}): lr={lr!r} is too large "
                         "for this problem")
    return new, state, point
