r"""The paper's toy problems, with their closed forms.

* :func:`f_plus` / :func:`f_minus` (Figure 1b): f_{±1}(x) = |x ± 1/2| - 1/2 have identical
  derivatives on {-1, +1} but opposite minimizers there, so BinaryConnect (which sees gradients
  only at q(θ) ∈ {-1, +1}) runs identically on both and is wrong on one of them.
* :func:`smoothed_w`, :func:`smoothed_w_grad`, :func:`smoothed_w_prox`: a continuously
  differentiable W-shaped regularizer R_δ (Remark 5.1), its derivative and its exact prox.
* :func:`lazy_prox_toy` (Theorem 5.2): L(θ) = θ²/2 with R_δ, on which the lazy prox-gradient
  method oscillates between ±θ* (non-stationary) while ProxQuant converges.

Inputs are real and finite (NaN, inf, complex, bool, None and strings raise ValueError or
TypeError naming the argument); outputs are new float64 arrays (scalars for scalar input).
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from .. import prox as _prox
from .._checks import check_positive, check_real, check_real_array


def f_plus(x: Any) -> Any:
    r"""The paper's :math:`f_1(x) = |x + 1/2| - 1/2` (Figure 1b). On {-1, +1} its minimizer is
    -1 (f = 0 there, 1 at +1); over the reals, x = -1/2.

    Examples
    --------
    >>> f_plus(np.array([-1.0, -0.5, 1.0]))
    array([ 0. , -0.5,  1. ])
    """
    return np.abs(check_real_array("x", x) + 0.5) - 0.5


def f_plus_grad(x: Any) -> Any:
    """The derivative of :func:`f_plus`: sign(x + 1/2) (0 at the kink x = -1/2, a subgradient)."""
    return np.sign(check_real_array("x", x) + 0.5)


def f_minus(x: Any) -> Any:
    r"""The paper's :math:`f_{-1}(x) = |x - 1/2| - 1/2`. On {-1, +1} its minimizer is +1.

    Its derivative sign(x - 1/2) equals :func:`f_plus_grad` at x = ±1 (-1 at -1, +1 at +1), so
    an algorithm that sees gradients only on {-1, +1} (BinaryConnect) runs identically on both
    functions and must fail on one of them.

    Examples
    --------
    >>> f_minus(np.array([-1.0, 0.5, 1.0]))
    array([ 1. , -0.5,  0. ])
    """
    return np.abs(check_real_array("x", x) - 0.5) - 0.5


def f_minus_grad(x: Any) -> Any:
    """The derivative of :func:`f_minus`: sign(x - 1/2)."""
    return np.sign(check_real_array("x", x) - 0.5)


def _check_delta(delta: Any) -> float:
    delta = check_real("delta", delta, minimum=0.0)
    if delta > 0.5:
        raise ValueError(f"delta must be in [0, 1/2], got {delta!r}")
    return delta


def smoothed_w(theta: Any, delta: float = 0.1) -> Any:
    r"""A continuously differentiable W-shaped regularizer :math:`R_\delta`, within δ/2 of
    :math:`R(\theta) = \bigl||\theta| - 1\bigr|` (the distance to {-1, +1}).

    With u = |θ|, the kink at 0 is replaced by a concave parabola and the kinks at ±1 by Huber
    parabolas, each over a width δ (0 <= δ <= 1/2; δ = 0 is R itself):

    .. math::

        R_\delta(\theta) = \begin{cases}
            1 - \delta/2 - u^2/(2\delta) & u \le \delta \\
            1 - u & \delta \le u \le 1 - \delta \\
            (u - 1)^2/(2\delta) + \delta/2 & |u - 1| \le \delta \\
            u - 1 & u \ge 1 + \delta \end{cases}

    Equations::

        u = |theta|
        R = 1 - delta/2 - u^2/(2 delta)     if u <= delta
          = 1 - u                           if delta <= u <= 1 - delta
          = (u - 1)^2/(2 delta) + delta/2   if |u - 1| <= delta
          = u - 1                           if u >= 1 + delta

    The pieces agree in value and slope where they meet, so R_δ' is continuous and
    (1/δ)-Lipschitz; R_δ is "a smoothed version of the W-shaped regularizer that is
    differentiable and point-wise arbitrarily close to R" (the paper's Remark 5.1).

    Examples
    --------
    >>> smoothed_w(np.array([0.0, 0.5, 1.0, 2.0]), 0.1)
    array([0.95, 0.5 , 0.05, 1.  ])
    """
    delta = _check_delta(delta)
    u = np.abs(check_real_array("theta", theta))
    if delta == 0:
        return np.abs(u - 1.0)
    with np.errstate(over="ignore"):  # only in pieces that are not selected (huge u)
        return np.select(
            [u <= delta, u <= 1 - delta, u <= 1 + delta],
            [1 - delta / 2 - u * u / (2 * delta), 1 - u, (u - 1) ** 2 / (2 * delta) + delta / 2],
            u - 1)


def smoothed_w_grad(theta: Any, delta: float = 0.1) -> Any:
    r"""The derivative of :func:`smoothed_w`: sign(θ)·r(|θ|) with r(u) = -u/δ, -1, (u - 1)/δ, 1
    on the four pieces (for δ = 0: the subgradient sign(θ)·sign(|θ| - 1), 0 at the kinks).
    """
    delta = _check_delta(delta)
    t = check_real_array("theta", theta)
    u = np.abs(t)
    if delta == 0:
        return np.sign(t) * np.sign(u - 1.0)
    with np.errstate(over="ignore"):  # only in pieces that are not selected (huge u)
        r = np.select([u <= delta, u <= 1 - delta, u <= 1 + delta],
                      [-u / delta, -np.ones_like(u), (u - 1) / delta], np.ones_like(u))
    return np.sign(t) * r


def smoothed_w_prox(v: Any, mu: float, delta: float = 0.1) -> Any:
    r"""The exact prox of :math:`\mu R_\delta` (:func:`smoothed_w`), elementwise.

    .. math:: \operatorname{prox}_{\mu R_\delta}(v) = \arg\min_x \tfrac12 (x - v)^2
              + \mu R_\delta(x)

    R_δ is even, so the minimizer has the sign of v (flipping the sign of x keeps R_δ and does
    not increase the quadratic); for v = 0 both signs tie and the + side is taken (the tie
    convention of :mod:`quantopt.prox`). For u = |v|, the minimizer over x >= 0 is the best of
    the minimizers of the four pieces, each in closed form and clipped to its interval:

    Equations::

        cap    [0, delta]:          0, delta, and u*delta/(delta - mu) if mu < delta
        linear [delta, 1 - delta]:  clip(u + mu, delta, 1 - delta)
        Huber  [1-delta, 1+delta]:  clip((u*delta + mu)/(delta + mu), 1 - delta, 1 + delta)
        linear [1 + delta, inf):    max(u - mu, 1 + delta)
        prox = sign(v) * argmin over these candidates of 1/2 (x - u)^2 + mu R_delta(x)
               (the objective is compared divided by max(1, u, mu)^2, so that it stays finite)

    For δ = 0 this is :func:`quantopt.prox.binary` (which is called).

    Examples
    --------
    >>> smoothed_w_prox(np.array([-0.5, 0.0, 0.5, 3.0]), 0.2, 0.1)
    array([-0.7,  0.2,  0.7,  2.8])
    """
    delta = _check_delta(delta)
    mu = check_real("mu", mu, minimum=0.0)
    v64 = check_real_array("v", v)
    if delta == 0:
        return np.asarray(_prox.binary(v64, mu), dtype=np.float64)
    if mu == 0:
        return v64.copy()
    u = np.abs(v64)[..., None]
    with np.errstate(over="ignore"):  # mu just below delta: cap = inf, clipped to delta
        cap = u * delta / (delta - mu) if mu < delta else np.zeros_like(u)
    cand = np.concatenate([
        np.zeros_like(u), np.full_like(u, delta), np.clip(cap, 0.0, delta),
        np.clip(u + mu, delta, 1 - delta),
        np.clip((u * delta + mu) / (delta + mu), 1 - delta, 1 + delta),
        np.maximum(u - mu, 1 + delta)], axis=-1)
    # the objective divided by s^2, s = max(1, u, mu): the same argmin, and no overflow to inf
    # (which would make all candidates tie) for huge u or mu; s = 1 for u, mu <= 1
    s = np.maximum(np.maximum(u, mu), 1.0)
    obj = 0.5 * ((cand - u) / s) ** 2 + (mu / s) * (smoothed_w(cand, delta) / s)
    x = np.take_along_axis(cand, np.argmin(obj, axis=-1)[..., None], axis=-1)[..., 0]
    return np.where(v64 < 0, -x, x)


class LazyToy(NamedTuple):
    r"""The one-dimensional example of Theorem 5.2, with its closed-form answers.

    L(θ) = θ²/2 (β = 1), R = R_δ (:func:`smoothed_w`), F = L + λR, a constant step η and a
    constant λ (prox strength μ = ηλ). See :func:`lazy_prox_toy`.

    Attributes
    ----------
    eta, lam, delta, mu : float
    regime : str
        ``"huber"`` (the lazy gradient points lie on the Huber piece around ±1) or
        ``"linear"`` (on the linear piece between δ and 1 - δ).
    theta_cycle : float
        θ* > 0: from θ0 = θ*, the lazy prox-gradient iterates alternate θ*, -θ*, θ*, ...
    prox_cycle : float
        prox_{μR_δ}(θ*) = 2θ*/η, the point where the lazy method takes its gradients.
    proxquant_limit : float
        ProxQuant's limit from θ0 = θ*, a stationary point of F: λ/(λ + δ) if λ + δ >= 1,
        else λ.
    loss, loss_grad, reg, reg_grad, prox : callable
        L, L' = θ, R_δ, R_δ', and ``prox(v, mu)`` = ``smoothed_w_prox(v, mu, delta)``.
    """

    eta: float
    lam: float
    delta: float
    mu: float
    regime: str
    theta_cycle: float
    prox_cycle: float
    proxquant_limit: float
    loss: Callable
    loss_grad: Callable
    reg: Callable
    reg_grad: Callable
    prox: Callable


def lazy_prox_toy(eta: float = 0.25, lam: float = 4.0, delta: float = 0.1) -> LazyToy:
    r"""Theorem 5.2's example: the lazy prox-gradient method oscillates, ProxQuant converges.

    L(θ) = θ²/2 and R = R_δ (:func:`smoothed_w`): L is 1-smooth and R_δ differentiable, as
    Theorem 5.1 assumes. Take a constant step η <= 1/(2β) = 1/2 and a constant λ; let μ = ηλ and
    p = prox_{μR_δ}. Since ∇L(x) = x, the lazy method is θ_{t+1} = θ_t - η p(θ_t). R_δ is even,
    so p is odd, and θ → -θ → θ is a two-cycle exactly when p(θ) = 2θ/η. For small θ > 0, p(θ)
    is affine on one piece of R_δ, which gives θ* in closed form:

    .. math::

        \text{Huber piece } (p(\theta) = \tfrac{\theta\delta + \mu}{\delta + \mu}):\quad
            \theta^* = \frac{\eta\mu}{2(\delta + \mu) - \eta\delta}; \qquad
        \text{linear piece } (p(\theta) = \theta + \mu):\quad
            \theta^* = \frac{\eta\mu}{2 - \eta}.

    The Huber case holds for μ of order 1 and more, the linear one for smaller μ; with λ = 4,
    δ = 0.1 one of the two holds for every η in [δ/λ, 1/2] (μ >= δ; checked in the tests), so
    for a fixed L and R every such step size has its oscillating start, as the theorem states.
    (For μ < δ the prox leaves small values in the smooth cap around 0 and the lazy iterates
    converge to the stationary point 0: the smoothing width must be small against ηλ.) Neither
    ±θ* is stationary: F'(θ*) = θ* + λR_δ'(θ*) ≠ 0. The cycle attracts: near it the lazy map is
    θ → cθ ∓ ηa with 0 < c < 1 (Huber: a = μ/(δ + μ), c = 1 - ηδ/(δ + μ); linear: a = μ,
    c = 1 - η), whose second iterate contracts by c² toward ±θ*; the gap
    |θ_{t+1} - θ_t| tends to 2θ* > 0, not to 0.

    ProxQuant with the same constants is θ_{t+1} = p((1 - η)θ_t). For λ + δ >= 1 its fixed
    point on the Huber piece is the stationary point of F

    .. math:: \theta_\infty = \frac{\mu}{\mu + \eta\delta} = \frac{\lambda}{\lambda + \delta},
              \qquad F'(\theta_\infty) = \theta_\infty + \lambda(\theta_\infty - 1)/\delta = 0,

    (for δ <= λ < 1 - δ: θ_∞ = λ on the linear piece, F'(λ) = λ - λ = 0), reached from θ*
    with |θ_{t+1} - θ_t| → 0. For δ = 0 (the unsmoothed W, prox = :func:`quantopt.prox.binary`)
    and μ >= 1 the numbers are exact: θ* = η/2, p(θ*) = 1, θ_∞ = 1.

    Equations::

        L(theta) = theta^2 / 2,   R = smoothed_w(., delta),   mu = eta * lam
        lazy:       theta_{t+1} = theta_t - eta * prox_{mu R}(theta_t)
        ProxQuant:  theta_{t+1} = prox_{mu R}((1 - eta) * theta_t)
        theta*      = eta*mu / (2 (delta + mu) - eta*delta)   (Huber)   lazy cycle +-theta*
                    = eta*mu / (2 - eta)                      (linear)
        p(theta*)   = 2 theta* / eta                          the lazy gradient points
        theta_inf   = lam / (lam + delta)  if lam + delta >= 1,  lam  if delta <= lam < 1-delta

    Raises ValueError (naming the parameters) when the constants leave the regimes of the
    closed forms (each is checked against :func:`smoothed_w_prox`).

    Examples
    --------
    >>> toy = lazy_prox_toy(eta=0.25, lam=4.0, delta=0.1)
    >>> toy.regime, round(toy.theta_cycle, 6), round(toy.prox_cycle, 6)
    ('huber', 0.114943, 0.91954)
    >>> round(toy.proxquant_limit, 6)
    0.97561
    >>> from quantopt.proxquant import iterate
    >>> p = iterate("lazy_prox", toy.loss_grad, toy.theta_cycle, lr=toy.eta, n_steps=4,
    ...             lam=toy.lam, prox=toy.prox, homotopy="constant")
    >>> np.round(p.theta, 6).tolist()
    [0.114943, -0.114943, 0.114943, -0.114943, 0.114943]
    """
    eta = check_positive("eta", eta)
    if eta > 0.5:
        raise ValueError(f"eta must be in (0, 1/2] (eta <= 1/(2 beta), beta = 1), got {eta!r}")
    lam = check_positive("lam", lam)
    delta = _check_delta(delta)
    mu = eta * lam

    def prox(v, m):
        return smoothed_w_prox(v, m, delta)

    cycles = {"huber": (eta * mu / (2 * (delta + mu) - eta * delta), (1 - delta, 1 + delta)),
              "linear": (eta * mu / (2 - eta), (delta, 1 - delta))}
    regime = theta_c = p_c = None
    for name, (theta, (lo, hi)) in cycles.items():
        p_expected = 2 * theta / eta
        if (lo <= p_expected <= hi and abs(float(prox(theta, mu)) - p_expected) <= 1e-12
                and theta + lam * float(smoothed_w_grad(theta, delta)) != 0):
            regime, theta_c, p_c = name, theta, p_expected
            break
    if regime is None:
        raise ValueError(f"no closed-form lazy two-cycle for eta={eta!r}, lam={lam!r}, "
                         f"delta={delta!r}: the prox of small positive values must land on the "
                         "Huber or the linear piece of R_delta (increase lam)")
    if lam + delta >= 1:
        limit = lam / (lam + delta)
    elif lam >= delta:
        limit = lam
    else:
        raise ValueError(f"lam must be >= delta for a nonzero ProxQuant limit, got lam={lam!r}, "
                         f"delta={delta!r}")
    if abs(float(prox((1 - eta) * limit, mu)) - limit) > 1e-12:
        raise ValueError(f"ProxQuant's fixed point is not in closed form for eta={eta!r}, "
                         f"lam={lam!r}, delta={delta!r}")
    return LazyToy(eta, lam, delta, mu, regime, theta_c, p_c, limit,
                   lambda x: 0.5 * check_real_array("theta", x) ** 2,
                   lambda x: check_real_array("theta", x),
                   lambda x: smoothed_w(x, delta), lambda x: smoothed_w_grad(x, delta), prox)
