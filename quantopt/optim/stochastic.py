r"""Annealed Langevin dynamics: gradient descent plus Gaussian noise of a cooling temperature.

Source: S. Geman, C.-R. Hwang, "Diffusions for global optimization", SIAM J. Control Optim. 24(5),
1986 (the diffusion dX = -grad f dt + sqrt(2 T(t)) dW with T(t) ~ c / log t); T.-S. Chiang,
C.-R. Hwang, S.-J. Sheu, "Diffusion for global optimization in R^n", SIAM J. Control Optim. 25(3),
1987; M. Welling, Y. W. Teh, "Bayesian learning via stochastic gradient Langevin dynamics",
ICML 2011 (the discrete update). The default schedule is the annealing temperature of the
quantization-based optimization testbench (J. Seok, J.-S. Kim, "Nonlinear optimization
algorithm using monotonically increasing quantization resolution", ETRI J. 45(1), 2023, and
its published code; research note quantization_based_optimization.md, section 3A:
T(t) = 2^{2 alpha/(t+2)} C / ln(t+2), C = 1e-6, alpha = 20), which the testbench uses as a
floor on its grid resolution, Qp^-2 / 24 <= T(t).

Randomness without hidden state: the noise of step t is drawn from a generator made for that
step alone, the t-th child of ``numpy.random.SeedSequence(seed)`` (what ``SeedSequence.spawn``
would give as its child t: ``SeedSequence(seed, spawn_key=(t,))``), with numpy's default bit
generator PCG64. So ``step`` is a function of (state, x, g) like every rule's: the state holds
the counter t, no generator is advanced in place, the same seed gives the same run, and
distinct children are independent streams by SeedSequence's construction. A fresh generator per
step costs about 12 microseconds (n = 10; measured), small beside the driver's own work.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .._checks import check_nonnegative, check_positive, check_seed
from .base import UpdateRule

#: the testbench's annealing constants (research note, section 3A)
ALPHA, C = 20.0, 1e-6


def annealing_temperature(t: int, alpha: float = ALPHA, c: float = C) -> float:
    r"""The testbench's annealing temperature T(t) = 2^{2 alpha / (t + 2)} c / ln(t + 2).

    .. math:: T(t) = 2^{2\alpha/(t+2)} \, \frac{c}{\ln(t+2)}

    Equations::

        T(t) = 2 ** (2 alpha / (t + 2)) * c / ln(t + 2)       t = 0, 1, 2, ...

    A Geman-Hwang cooling c / ln(t + 2) times a transient factor 2^{2 alpha/(t+2)}, which is
    2^alpha at t = 0 and tends to 1 (the note's "speed control"). t is an int >= 0, alpha and
    c finite reals >= 0 (c = 0 gives T = 0). Source: research note
    quantization_based_optimization.md, section 3A (alpha = 20, C = 1e-6).

    Examples
    --------
    >>> round(annealing_temperature(0), 6)          # 2^20 * 1e-6 / ln 2
    1.512775
    >>> f"{annealing_temperature(10**6):.4e}"        # ~ 1e-6 / ln(10^6)
    '7.2384e-08'
    """
    t = _check_step_index(t)
    alpha = check_nonnegative("alpha", alpha)
    c = check_nonnegative("c", c)
    return 2.0 ** (2 * alpha / (t + 2)) * c / math.log(t + 2)


def _check_step_index(t: Any) -> int:
    if isinstance(t, (bool, np.bool_)) or not isinstance(t, numbers.Integral):
        raise TypeError(f"t must be an integer >= 0, got {type(t).__name__}")
    if t < 0:
        raise ValueError(f"t must be an integer >= 0, got {t!r}")
    return int(t)


def _seed_key(seed: Any) -> int:
    """The integer the noise streams derive from: seed itself (an int >= 0), fresh OS entropy
    for None (numpy's SeedSequence()), or one draw from numpy's generator for any other seed
    ``_checks.check_seed`` accepts (a Generator continues its stream; a SeedSequence or a
    BitGenerator makes one). Bad seeds raise naming seed (issue 15 item 13)."""
    seed = check_seed("seed", seed)
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, numbers.Integral):
        return int(seed)
    return int(np.random.default_rng(seed).integers(0, 2**63))


def langevin_noise(seed: int, t: int, shape, dtype=np.float64) -> np.ndarray:
    """xi_t ~ N(0, I) of the given shape: standard normals from the t-th child of
    ``SeedSequence(seed)`` (PCG64), in dtype float32 or float64."""
    ss = np.random.SeedSequence(seed, spawn_key=(t,))
    return np.random.Generator(np.random.PCG64(ss)).standard_normal(shape, dtype=dtype)


class LangevinState(NamedTuple):
    """t: steps taken since init (the schedule's and the noise stream's index); temperature:
    T(t) of the last step (0.0 before the first)."""

    t: int
    temperature: float


def langevin(lr: float = 1e-3, temperature: float | Callable[[int], float] | None = None,
             alpha: float = ALPHA, c: float = C, seed: int | np.random.Generator | None = None
             ) -> UpdateRule:
    r"""Annealed Langevin dynamics: a gradient step plus Gaussian noise of temperature T(t).

    .. math::

        x_{t+1} = x_t - \eta \nabla f(x_t) + \sqrt{2 \eta T(t)}\, \xi_t, \qquad
        \xi_t \sim \mathcal N(0, I)

    the Euler-Maruyama step of :math:`dX = -\nabla f(X)\,dt + \sqrt{2T(t)}\,dW` with
    :math:`dt = \eta`. The driver moves :math:`x \leftarrow x + \eta d`, so the rule returns

    .. math:: d_t = -\nabla f(x_t) + \sqrt{2 T(t) / \eta}\; \xi_t

    Equations::

        step(state, x, g):                          g = grad f(x_t), t = state.t
            T  = temperature                         a number >= 0
               = temperature(t)                      a callable t -> T >= 0
               = 2 ** (2 alpha / (t + 2)) * c / ln(t + 2)     None (annealing_temperature)
            if T == 0:  d = -g                       gradient descent, bit for bit; no draw
            else:       d = -g + sqrt(2 T / eta) * xi_t
                        xi_t = standard normals of the t-th child of SeedSequence(seed)
            t += 1
        x_{t+1} = x_t + eta * d  =  x_t - eta g + eta sqrt(2 T / eta) xi_t
                                 ~= x_t - eta g + sqrt(2 eta T) xi_t     (equal up to rounding)

        eta:         option lr (> 0; also the driver's step lr: the same value, so they agree)
        temperature: option temperature (None: the annealing schedule; a number; a callable)
        alpha, c:    option alpha, option c (>= 0; the schedule's, used when temperature is None)
        seed:        option seed (None: fresh OS entropy; an int >= 0; a numpy Generator,
                     SeedSequence or BitGenerator, from which one integer is drawn). The
                     integer used is rule.hyper["seed"].

    Default lr = 1e-3: Euler-Maruyama approximates the diffusion only for steps small against
    1/L (L the largest Hessian eigenvalue; the discrete chain's bias is O(eta)), and the
    gradient part is stable for eta < 2/L: 1e-3 is below 2/L = 2.0e-3 at Rosenbrock's
    minimizer (L = 1001.6), and of the order of the testbench's constant step (0.00212). The
    default line search is None, the fixed step: a line search along a random direction is not
    Langevin dynamics (with one, the driver searches along d and may restart the rule, which
    sets t back to 0; the noise stream and the schedule then start over).

    dtype: d is float32 for float32 g, else float64 (the noise is drawn in that dtype).

    Source: Geman & Hwang, SIAM J. Control Optim. 24(5), 1986; Welling & Teh, ICML 2011;
    schedule: research note quantization_based_optimization.md, section 3A. PyTorch has no
    Langevin optimizer.

    Examples
    --------
    >>> import numpy as np
    >>> rule = langevin(lr=0.1, temperature=0.0)         # T = 0: gradient descent
    >>> d, state = rule.step(rule.init(np.zeros(2)), np.zeros(2), np.array([1.0, -2.0]))
    >>> d, state.t
    (array([-1.,  2.]), 1)
    >>> rule = langevin(lr=0.5, temperature=0.25, seed=7)
    >>> g = np.zeros(3)
    >>> d, _ = rule.step(rule.init(g), g, g)            # sqrt(2 * 0.25 / 0.5) = 1: d = xi_0
    >>> bool(np.array_equal(d, langevin_noise(7, 0, 3)))
    True
    """
    eta = check_positive("lr", lr)
    alpha = check_nonnegative("alpha", alpha)
    c = check_nonnegative("c", c)
    try:
        T0 = annealing_temperature(0, alpha, c)    # the schedule's largest value
    except OverflowError:
        T0 = math.inf
    if not math.isfinite(T0):
        raise ValueError(f"alpha = {alpha!r} is too large: T(0) = 2^alpha c / ln 2 overflows")
    if temperature is None:
        def schedule(t: int) -> float:
            return annealing_temperature(t, alpha, c)
    elif callable(temperature):
        def schedule(t: int) -> float:
            value = temperature(t)
            try:
                return check_nonnegative("temperature", value)
            except (TypeError, ValueError) as err:
                raise type(err)(f"temperature({t}) must be a finite number >= 0, got "
                                f"{value!r}") from None
    else:
        constant = check_nonnegative("temperature", temperature)
        temperature = constant

        def schedule(t: int) -> float:
            return constant
    key = _seed_key(seed)

    def init(x0: np.ndarray) -> LangevinState:
        return LangevinState(t=0, temperature=0.0)

    def step(state: LangevinState, x: np.ndarray, g: np.ndarray, hess=None):
        g = np.asarray(g)
        dtype = np.float32 if g.dtype == np.float32 else np.float64
        T = schedule(state.t)
        d = -np.asarray(g, dtype=dtype)            # a new array: -g as gd returns it
        if T > 0:
            d += math.sqrt(2.0 * T / eta) * langevin_noise(key, state.t, g.shape, dtype)
        return d, LangevinState(t=state.t + 1, temperature=T)

    return UpdateRule("langevin", init, step,
                      {"lr": eta, "temperature": temperature, "alpha": alpha, "c": c,
                       "seed": key},
                      defaults={"lr": eta, "line_search": None}, noisy=True)


__all__ = ["langevin", "LangevinState", "annealing_temperature", "langevin_noise"]
