r"""Nonlinear conjugate gradient: Fletcher-Reeves, Polak-Ribiere and PR+ (Polak-Ribiere-Powell).

Source: J. Nocedal, S. J. Wright, *Numerical Optimization*, 2nd ed., Springer 2006, section 5.1
(linear CG: conjugate directions, termination in at most n steps) and section 5.2 (Algorithm
5.4, FR-CG; the Polak-Ribiere and PR+ betas; restarts); R. Fletcher, C. M. Reeves, "Function
minimization by conjugate gradients", Comput. J. 7, 1964; E. Polak, G. Ribiere, "Note sur la
convergence de methodes de directions conjuguees", RIRO 3(16), 1969; B. T. Polyak, "The
conjugate gradient method in extremal problems", USSR Comput. Math. Math. Phys. 9(4), 1969;
M. J. D. Powell, "Nonconvex minimization calculations and the conjugate gradient method",
Lecture Notes in Mathematics 1066, 1984 (PR+);
J. C. Gilbert, J. Nocedal, "Global convergence properties of conjugate gradient methods for
optimization", SIAM J. Optim. 2, 1992 (PR+ with a descent safeguard). The line-search constants
mirror scipy's ``_minimize_cg`` (scipy/optimize/_optimize.py; read, not copied).

The driver calls ``step(state, x, g)`` once per iterate with g = grad f(x); the rule keeps the
previous direction and gradient in its state (as BFGS keeps x_prev and g_prev), so the
recursion's d_{k-1} and g_{k-1} are those of the previous call. x may have any shape; the rule
works on flattened copies and returns d in x's shape. It takes no square root, so numpy object
arrays of :class:`fractions.Fraction` give exact directions (the tests compare them with a
hand-written Fraction recursion, and check the n-step termination on quadratics).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_int
from .base import UpdateRule, state_zeros
from .second_order import _flat_copy

#: the beta formulas by name (see cg's docstring)
BETAS = ("fr", "pr", "pr+")


class CGState(NamedTuple):
    """d_prev, g_prev: the previous direction and gradient (flattened; zeros before the first
    step); k: steps taken since init; since: directions taken since the last steepest-descent
    one (d = -g: the first, a restart, or beta = 0), including it; n_restarts_cg: steps k >= 1
    whose direction the rule reset to -g (periodic or not a descent direction); n_not_descent:
    those of them reset because -g + beta d_prev was not a descent direction."""

    d_prev: np.ndarray
    g_prev: np.ndarray
    k: int
    since: int
    n_restarts_cg: int
    n_not_descent: int


def cg(beta: str = "pr+", restart: int | None = 0) -> UpdateRule:
    r"""Nonlinear conjugate gradient with the Fletcher-Reeves, Polak-Ribiere or PR+ beta.

    .. math::

        d_0 = -g_0, \qquad d_k = -g_k + \beta_k d_{k-1}, \qquad x_{k+1} = x_k + \alpha_k d_k

        \beta_k^{FR} = \frac{g_k^\top g_k}{g_{k-1}^\top g_{k-1}}, \qquad
        \beta_k^{PR} = \frac{g_k^\top (g_k - g_{k-1})}{g_{k-1}^\top g_{k-1}}, \qquad
        \beta_k^{PR+} = \max(\beta_k^{PR}, 0)

    Equations::

        step(state, x, g):                        g = g_k = grad f(x_k)
            if k == 0:  d = -g                    d_0 = -g_0 (also after the driver's restart)
            elif r > 0 and since >= r:            periodic restart, every r directions
                d = -g;  n_restarts_cg += 1
            elif g_prev^T g_prev == 0:            no beta (only if the driver runs on at g = 0)
                d = -g;  n_restarts_cg += 1
            else:
                y    = g - g_prev
                beta = (g^T g) / (g_prev^T g_prev)          "fr"   Fletcher-Reeves
                beta = (y^T g) / (g_prev^T g_prev)          "pr"   Polak-Ribiere
                beta = max((y^T g) / (g_prev^T g_prev), 0)  "pr+"  PR+ (scipy's CG)
                d    = -g + beta * d_prev
                if not g^T d < 0:                 not a descent direction
                    d = -g;  n_restarts_cg += 1;  n_not_descent += 1
            since = 1 if d = -g was taken above or beta == 0, else since + 1
            d_prev, g_prev = d, g;  k += 1
        x_{k+1} = x_k + alpha_k * d               alpha_k: the line search's step (or lr)

        beta:  option beta ("fr", "pr" or "pr+")
        r:     option restart (0, the default: no periodic restart, as scipy's CG; None:
               r = n = x.size, the dimension, the textbook's; an int >= 1: every r directions)
        lr:    option lr: the first trial step's cap (1) under a line search, else the step

    Restarts. With restart=None every n-th direction is -g, n the dimension, as Nocedal &
    Wright (section 5.2) describe (on a quadratic with exact searches, n conjugate directions
    reach the minimizer; restarting every n steps gives n-step quadratic convergence near a
    minimizer); the default, restart=0, never restarts periodically, as scipy's CG (PR+'s
    beta = 0 already restarts where beta_PR < 0). Always -g is any candidate -g + beta d_prev
    that is not a descent direction, by the plain test g^T d < 0, which a line search needs
    (PR and PR+ directions can point uphill after an inexact search; FR directions cannot
    under a strong Wolfe search with c2 < 1/2, M. Al-Baali, IMA J. Numer. Anal. 5, 1985, but
    can with Armijo or a fixed step). scipy's CG asks instead for sufficient descent,
    g^T d <= -0.01 g^T g (Gilbert & Nocedal's safeguard), inside its line search: a step after
    which the test fails is rejected and the search goes on (line_search_wolfe2). The driver's
    search has no such hook, so here the next direction is reset. The counters count the whole
    run: when the driver restarts the rule with a fresh state (k = 0) after a failed search, it
    carries the counters over, as for every rule.

    Measured on the 26 Moré-Garbow-Hillstrom problems (bench/bench_cg.py, gtol 1e-6): with
    restart=0 (the default), 12735 evaluations in all (scipy's CG: 9687), and every value scipy
    reaches is reached at gtol 1e-8; with restart=None (r = n), 60722, and Osborne 1 (n = 5: a
    restart every 5 directions on a problem that needs about 1400 iterations) is not solved in
    10000 iterations. That measurement made scipy's choice the default.

    Defaults as scipy's CG (``_minimize_cg``): the Wolfe search (``line_search="wolfe"``) with
    c2 = 0.4 (scipy's CG default; 0.9 is the quasi-Newton one), and scipy's line-search limits
    xtol = 1e-14, stpmax (amax) = 1e100 and 100 trials; the first trial step is Nocedal &
    Wright's (3.60), as in scipy's CG, which passes the previous f (old_old_fval; at the start
    f_0 + ||g_0||_2 / 2) to its Wolfe search exactly as scipy's BFGS does:
    ``alpha0 = min(lr, 2.02 (f_k - f_{k-1}) / (g_k^T d_k))``, with f_{-1} = f_0 + ||g_0||_2 / 2
    at the first iteration, computed in that order as scipy does (see ``_cg_first_trial``).
    With restart=0 and beta="pr+" this is scipy's CG but for the descent test above and, when
    the Moré-Thuente search fails, the driver's fallback (its best point first, where scipy goes
    to line_search_wolfe2). Where neither comes into play the iterates are scipy's to the bit,
    with the same nit and nfev (14 of the MGH problems and 8 of 10 of the library's small ones).
    Without a line search the step is lr (default 1e-2): CG then has no convergence guarantee,
    and with Armijo (which never lengthens a step) it is much slower than with Wolfe.

    Examples
    --------
    >>> import numpy as np
    >>> rule = cg(beta="fr")
    >>> A = np.array([[2.0, 0.0], [0.0, 4.0]])           # f(x) = x^T A x / 2
    >>> x = np.array([1.0, 1.0])
    >>> state = rule.init(x)
    >>> d, state = rule.step(state, x, A @ x)           # d_0 = -g_0
    >>> d
    array([-2., -4.])
    >>> alpha = -(A @ x) @ d / (d @ A @ d)              # the exact line search
    >>> x = x + alpha * d
    >>> d, state = rule.step(state, x, A @ x)           # conjugate to d_0: d_1^T A d_0 = 0
    >>> x = x + (-(A @ x) @ d / (d @ A @ d)) * d
    >>> bool(np.allclose(A @ x, 0)), state.k            # n = 2 steps reach the minimizer
    (True, 2)
    """
    if not isinstance(beta, str):
        raise TypeError(f"beta must be one of {', '.join(map(repr, BETAS))}, got "
                        f"{type(beta).__name__}")
    if beta.lower() not in BETAS:
        raise ValueError(f"beta must be one of {', '.join(map(repr, BETAS))}, got {beta!r}")
    beta = beta.lower()
    if restart is not None:
        restart = check_int("restart", restart, 0)

    def init(x0: np.ndarray) -> CGState:
        z = state_zeros(x0, shape=(np.asarray(x0).size,))
        return CGState(d_prev=z, g_prev=z.copy(), k=0, since=0, n_restarts_cg=0,
                       n_not_descent=0)

    def step(state: CGState, x: np.ndarray, g: np.ndarray, hess=None):
        shape = np.shape(x)
        gf = _flat_copy(g, state.g_prev.dtype)
        period = gf.size if restart is None else restart
        n_restarts, n_not_descent = state.n_restarts_cg, state.n_not_descent
        steepest = True                       # d = -g this step
        if state.k == 0:
            d = -gf
        elif period > 0 and state.since >= period:
            d = -gf
            n_restarts += 1
        else:
            gg_prev = np.dot(state.g_prev, state.g_prev)
            if gg_prev == 0:
                d = -gf
                n_restarts += 1
            else:
                if beta == "fr":
                    b = np.dot(gf, gf) / gg_prev
                else:
                    b = np.dot(gf - state.g_prev, gf) / gg_prev
                    if beta == "pr+":
                        b = max(0, b)             # scipy's order: 0 (not -0.0) when b <= 0
                d = -gf + b * state.d_prev
                if not np.dot(gf, d) < 0:
                    d = -gf
                    n_restarts += 1
                    n_not_descent += 1
                else:
                    steepest = b == 0
        new = CGState(d_prev=d, g_prev=gf, k=state.k + 1,
                      since=1 if steepest else state.since + 1,
                      n_restarts_cg=n_restarts, n_not_descent=n_not_descent)
        return d.reshape(shape).copy(), new    # the state keeps its own d (d_prev)

    return UpdateRule("cg", init, step, {"beta": beta, "restart": restart},
                      counters=("n_restarts_cg", "n_not_descent"),
                      defaults={"line_search": "wolfe", "c2": 0.4, "xtol": 1e-14,
                                "stpmax": 1e100, "maxls": 100},
                      first_trial=_cg_first_trial)


def _cg_first_trial(state, lr: float, f: float, f_prev: float | None, g: np.ndarray,
                    d: np.ndarray) -> float:
    """CG's first trial step: Nocedal & Wright (3.60), computed as scipy's CG computes it.

    Equations::

        f_prev = f_0 + ||g_0||_2 / 2       at the first iteration (None): scipy's fictitious
                                           old_old_fval ("sets the initial step guess to dx ~ 1")
        alpha0 = min(lr, 2.02 (f_k - f_prev) / (g_k . d_k))     lr if that is <= 0 or
                                                                g_k . d_k == 0 (underflow)

    At the first iteration this is 1.01 / ||d_0||_2 in exact arithmetic (d_0 = -g_0), the
    value BFGS's first trial takes directly; here it goes through f_0 + ||g_0||_2 / 2 in floats,
    as scipy does, so that the first step, and the paths after it, are scipy's to the bit (the
    two roundings differ in the last bit at 15 of the 26 MGH starts).
    """
    if f_prev is None:
        f_prev = f + float(np.linalg.norm(g)) / 2
    slope = float(np.dot(g, d))
    if slope == 0:                          # scipy: alpha1 = 1.0 when derphi0 == 0
        return lr
    guess = 1.01 * 2 * (f - f_prev) / slope
    return min(lr, guess) if guess > 0 else lr


__all__ = ["cg", "CGState", "BETAS"]
