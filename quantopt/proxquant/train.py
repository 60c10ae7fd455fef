r"""The training loops: mini-batch training of a :class:`~quantopt.proxquant.Model` with any
method, one :func:`~quantopt.proxquant.methods.take_step` per mini-batch.

Equations::

    for each epoch: a permutation of the training set (from rng), cut into batches B_t
        (lam_t, mu_t) = prox_strength(method, lr, lam, homotopy, t, epoch)
        theta_{t+1}   = take_step(theta_t, grad L_{B_t}; mu_t)          (see methods.py)
        at step hard_quant_step (quantized methods): quantized entries <- q(theta), frozen
    evaluated model: q(theta) on the quantized entries (quantized methods), theta otherwise

Inputs are checked before the first step (data finite and of the model's shapes, naming
X_train, y_train, X_test, y_test; theta0, lr, lam, rng, ...); during the run a non-finite
gradient raises ValueError naming model.grad, a non-finite iterate or loss ValueError naming lr.
"""
from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

import numpy as np

from .._checks import (check_bool, check_callable, check_choice, check_int, check_positive,
                       check_rng, returned_real)
from .data import check_data
from .methods import (BINARY_LEVELS, HOMOTOPIES, Quantizer, check_lam, check_levels,
                      check_rule, get_method, projected, prox_strength, take_step)
from .metrics import sign_changes
from .models import Model, ModelOverflow, _theta


class TrainResult(NamedTuple):
    """The outcome of a training loop.

    Attributes
    ----------
    method : str
        ``"full_precision"``, ``"proxquant"``, ``"binaryconnect"`` or ``"lazy_prox"``.
    theta : ndarray
        The final real-valued iterate θ_T (for BinaryConnect and lazy prox, before q).
    model_theta : ndarray
        The parameters of the model that is evaluated and deployed: θ_T for full precision,
        θ_T with its quantized entries replaced by q(θ_T) for the quantized methods (equal to
        θ_T once the hard quantization has happened).
    theta0 : ndarray
        The starting point (the warm start), from which sign changes are measured.
    history : dict of ndarray
        One entry per epoch, index 0 before training: ``epoch``, ``step`` (optimizer steps so
        far), ``loss`` (training loss of the evaluated model), ``train_acc``, ``test_acc`` (of
        the evaluated model), ``test_acc_fp`` (of θ itself, unquantized), ``sign_change``
        (:func:`sign_changes` of θ from θ0 on the quantized entries), ``quant_gap`` (mean
        distance of the quantized entries of θ to their nearest level), ``lam`` (λ_t at the
        last step of the epoch), ``frozen`` (whether the hard quantization has happened), and
        with ``record_theta=True`` also ``theta`` (θ at the end of each epoch, one row each).
    hard_quant_step : int or None
        The step before which the quantized entries were fixed to q(θ) (None: never, or not a
        quantized method).
    hyper : dict
        The hyperparameters of the run.
    """

    method: str
    theta: np.ndarray
    model_theta: np.ndarray
    theta0: np.ndarray
    history: dict
    hard_quant_step: int | None
    hyper: dict


def _train(method: str, model: Model, data: Any, theta0: Any, *, rule: Any, lr: float,
           epochs: int, batch_size: int, lam: float = 0.0, levels: Any = BINARY_LEVELS,
           prox: Callable | None = None, homotopy: str = "step",
           hard_quant_step: Any = None, clip: bool = True, rng: Any = 0,
           record_theta: bool = False) -> TrainResult:
    spec = get_method(method)
    if not isinstance(model, Model):
        raise TypeError(f"model must be a Model (make_logistic, make_mlp), got "
                        f"{type(model).__name__}")
    data = check_data(data, model.sizes[0], model.sizes[-1])
    rule = check_rule(rule)
    lr = check_positive("lr", lr)
    epochs = check_int("epochs", epochs, 0)
    batch_size = check_int("batch_size", batch_size, 1)
    lam = check_lam(lam)
    check_choice("homotopy", homotopy, HOMOTOPIES)
    if prox is not None:
        check_callable("prox", prox)
    clip = check_bool("clip", clip)
    record_theta = check_bool("record_theta", record_theta)
    quant = Quantizer(check_levels(levels), prox)
    gen = check_rng("rng", rng)
    theta0 = model.init(gen) if theta0 is None else _theta(theta0, model.n_params, "theta0")

    X, y = data.X_train, data.y_train
    n = X.shape[0]
    steps_per_epoch = -(-n // batch_size)
    total = epochs * steps_per_epoch
    if not spec.quantized:
        hq = None
    elif hard_quant_step is None:
        hq = int(round(2 * total / 3))
    else:
        hq = check_int("hard_quant_step", hard_quant_step, 0)

    mask = np.array(model.quantized_mask)
    active = mask.copy() if spec.quantized else np.zeros_like(mask)
    theta = theta0.copy()
    state = rule.init(theta)
    frozen = False
    hist: dict = {k: [] for k in ("epoch", "step", "loss", "train_acc", "test_acc",
                                  "test_acc_fp", "sign_change", "quant_gap", "lam", "frozen")}
    if record_theta:
        hist["theta"] = []

    def freeze(theta: np.ndarray) -> np.ndarray:
        theta = projected(theta, mask, math.inf, quant)
        active[:] = False
        return theta

    def record(epoch: int, step: int, lam_t: float) -> None:
        evaluated = projected(theta, mask, math.inf, quant) if spec.quantized else theta
        try:
            loss = model.loss(evaluated, X, y)
        except ModelOverflow as err:
            raise ValueError(f"the training loss overflowed at epoch {epoch} (max |theta| = "
                             f"{np.abs(theta).max():.3g}): lr={lr!r} is too large") from err
        if not math.isfinite(loss):  # a user's model
            raise ValueError(f"model.loss returned {loss} at epoch {epoch} (max |theta| = "
                             f"{np.abs(theta).max():.3g}); if theta grew, lr={lr!r} is too large")
        hist["epoch"].append(epoch)
        hist["step"].append(step)
        hist["loss"].append(loss)
        hist["train_acc"].append(model.accuracy(evaluated, X, y))
        hist["test_acc"].append(model.accuracy(evaluated, data.X_test, data.y_test))
        hist["test_acc_fp"].append(model.accuracy(theta, data.X_test, data.y_test))
        hist["sign_change"].append(sign_changes(theta, theta0, mask))
        w = theta[mask]
        hist["quant_gap"].append(float(np.mean(np.abs(w - quant.project(w)))) if w.size
                                 else 0.0)
        hist["lam"].append(lam_t)
        hist["frozen"].append(frozen)
        if record_theta:
            hist["theta"].append(theta.copy())

    step = 0
    lam_t = 0.0
    record(0, 0, lam_t)
    for epoch in range(epochs):
        perm = gen.permutation(n)
        for start in range(0, n, batch_size):
            if spec.quantized and not frozen and step == hq:
                theta, frozen = freeze(theta), True
            idx = perm[start:start + batch_size]

            def gradient(point: np.ndarray) -> np.ndarray:
                try:
                    g = model.grad(point, X[idx], y[idx])
                except ModelOverflow as err:
                    raise ValueError(f"the gradient overflowed at step {step} (max |theta| = "
                                     f"{np.abs(point).max():.3g}): lr={lr!r} is too large"
                                     ) from err
                return returned_real("model.grad", g, (model.n_params,))

            lam_t, mu = prox_strength(spec, lr, lam, homotopy, step, epoch)
            theta, state, _ = take_step(spec, quant, rule, state, theta, gradient, lr=lr,
                                        mu=mu, active=active, clip=clip,
                                        frozen=mask if frozen else None, t=step,
                                        grad_name="model.grad")
            step += 1
        if spec.quantized and not frozen and step == hq:
            theta, frozen = freeze(theta), True
        record(epoch + 1, step, lam_t)

    model_theta = projected(theta, mask, math.inf, quant) if spec.quantized else theta.copy()
    history = {k: np.array(v) for k, v in hist.items()}
    hyper = {"rule": rule.name, **rule.hyper, "lr": lr, "epochs": epochs,
             "batch_size": batch_size}
    if spec.quantized:
        hyper.update(levels=quant.levels.tolist(), clip=clip)
    if spec.uses_lam:
        hyper.update(lam=lam, homotopy=homotopy)
    return TrainResult(spec.name, theta, model_theta, theta0, history,
                       hq if (hq is not None and frozen) else None, hyper)


def train_full_precision(model: Model, data: Any, theta0: Any = None, *, rule: Any = None,
                         lr: float = 0.01, epochs: int = 30, batch_size: int = 32,
                         rng: Any = 0, record_theta: bool = False) -> TrainResult:
    r"""Full-precision mini-batch training: :math:`\theta_{t+1} = \theta_t + \eta\, d_t`,
    :math:`d_t` from ``rule`` (default Adam) at :math:`g_t = \nabla L_{B_t}(\theta_t)`.

    The warm start of the paper's experiments. Mini-batches: a fresh permutation of the
    training set each epoch, drawn from ``rng`` (a seed or a ``numpy.random.Generator``;
    ``theta0=None`` draws ``model.init`` from it first); the last batch of an epoch may be
    smaller. ``rule`` is a :mod:`quantopt.optim` UpdateRule or its name.

    Equations::

        for each epoch: a permutation of the training set, cut into batches B_t
            g_t = grad L_{B_t}(theta_t);  (d_t, s) = rule.step(s, theta_t, g_t)
            theta_{t+1} = theta_t + lr * d_t

    Returns a :class:`TrainResult`.
    """
    return _train("full_precision", model, data, theta0, rule=rule, lr=lr, epochs=epochs,
                  batch_size=batch_size, rng=rng, record_theta=record_theta)


def train_proxquant(model: Model, data: Any, theta0: Any = None, *, rule: Any = None,
                    lr: float = 0.01, epochs: int = 30, batch_size: int = 32,
                    lam: float = 2e-3, levels: Any = BINARY_LEVELS,
                    prox: Callable | None = None, homotopy: str = "step",
                    hard_quant_step: int | None = None, clip: bool = True,
                    rng: Any = 0, record_theta: bool = False) -> TrainResult:
    r"""ProxQuant (Algorithm 1): an optimizer step on θ, then the prox of :math:`\eta\lambda_t
    R` on the quantized entries, with the homotopy :math:`\lambda_t = \lambda t`.

    .. math:: \theta_{t+1} = \operatorname{prox}_{\eta\lambda_t R}(\theta_t + \eta\, d_t),
              \qquad d_t = \text{rule}(\nabla L_{B_t}(\theta_t)), \qquad \lambda_t = \lambda t

    Equations::

        lam_t       = lam * t          t = 0, 1, ... steps ("step"); epochs ("epoch"); or lam
        g_t         = grad L_{B_t}(theta_t)                      (all entries)
        (d_t, s)    = rule.step(s, theta_t, g_t)                 (default Adam, as the paper)
        v           = theta_t + lr * d_t
        theta_{t+1} = prox_{lr*lam_t*R}(v) on the quantized entries, v elsewhere
                      then clipped to [min Q, max Q] on the quantized entries if clip
        at step hard_quant_step: quantized entries <- q(theta) and frozen

    Parameters
    ----------
    model, data
        A :class:`Model` and a :class:`Dataset` (or any (X_train, y_train, X_test, y_test)).
    theta0 : array, optional
        The warm start (the paper starts from a trained full-precision net); None: model.init.
    rule : UpdateRule or str
        Default ``quantopt.optim.adam()``.
    lr, epochs, batch_size
        Step size η (> 0), epochs (>= 0), mini-batch size (>= 1).
    lam : float
        The regularization rate λ >= 0. Per step (the default homotopy), λ_t = λt reaches 1,
        where the prox's pull η·λ_t equals an Adam step η, at t = 1/λ (500 steps for the
        default 2e-3, the bench's value). The paper used 1e-4 per *epoch* (Adam, lr 0.01) over
        300 epochs of 390 steps; per step that is 1e-4/390, for runs 100 times longer.
    levels : 1-D array
        The quantization levels Q (default [-1, 1]).
    prox : callable, optional
        ``prox(v, mu)`` for the quantized entries; default ``soft_quantize(v, levels, mu)``.
        E.g. ``lambda v, mu: quantopt.prox.soft_quantize_l2(v, levels, mu)`` for the squared
        L2 regularizer.
    homotopy : str
        ``"step"`` (Algorithm 1), ``"epoch"`` (the authors' code) or ``"constant"``.
    hard_quant_step : int, optional
        The step (counting optimizer steps from 0) before which the quantized entries are set
        to q(θ) and frozen; default round(2/3 of all steps), the paper's 200 of 300 epochs; a
        value beyond the last step means never (the evaluated model is q(θ) regardless).
    clip : bool
        Clip quantized entries to [min Q, max Q] after each step (the authors' code).
    rng : seed or Generator
        For the mini-batch permutations (and model.init if theta0 is None).
    record_theta : bool
        Also keep θ at the end of every epoch in ``history["theta"]``.

    Returns
    -------
    TrainResult
    """
    return _train("proxquant", model, data, theta0, rule=rule, lr=lr, epochs=epochs,
                  batch_size=batch_size, lam=lam, levels=levels, prox=prox, homotopy=homotopy,
                  hard_quant_step=hard_quant_step, clip=clip, rng=rng,
                  record_theta=record_theta)


def train_binaryconnect(model: Model, data: Any, theta0: Any = None, *, rule: Any = None,
                        lr: float = 0.01, epochs: int = 30, batch_size: int = 32,
                        levels: Any = BINARY_LEVELS, hard_quant_step: int | None = None,
                        clip: bool = True, rng: Any = 0,
                        record_theta: bool = False) -> TrainResult:
    r"""BinaryConnect: the straight-through gradient. The gradient is taken at q(θ) and applied
    to θ; the model is q(θ).

    .. math:: \theta_{t+1} = \theta_t + \eta\, d_t, \qquad d_t = \text{rule}\bigl(\nabla
              L_{B_t}(\tilde\theta_t)\bigr), \qquad \tilde\theta_t = q(\theta_t)
              \text{ on the quantized entries, } \theta_t \text{ elsewhere}

    Equations::

        p_t         = theta_t with its quantized entries replaced by q(theta_t) = project(., Q)
        g_t         = grad L_{B_t}(p_t);   (d_t, s) = rule.step(s, theta_t, g_t)
        theta_{t+1} = theta_t + lr * d_t, clipped to [min Q, max Q] on the quantized entries
        model       = q(theta);   at step hard_quant_step: quantized entries <- q(theta), frozen

    This is dual averaging (lazy projected SGD) on Q^d, the paper's section 2.2, and equals
    :func:`train_lazy_prox` with ``lam=inf``. Parameters as in :func:`train_proxquant`.
    """
    return _train("binaryconnect", model, data, theta0, rule=rule, lr=lr, epochs=epochs,
                  batch_size=batch_size, levels=levels, hard_quant_step=hard_quant_step,
                  clip=clip, rng=rng, record_theta=record_theta)


def train_lazy_prox(model: Model, data: Any, theta0: Any = None, *, rule: Any = None,
                    lr: float = 0.01, epochs: int = 30, batch_size: int = 32,
                    lam: float = 2e-3, levels: Any = BINARY_LEVELS,
                    prox: Callable | None = None, homotopy: str = "step",
                    hard_quant_step: int | None = None, clip: bool = True,
                    rng: Any = 0, record_theta: bool = False) -> TrainResult:
    r"""The lazy prox-gradient method (the paper's eq. 13; BinaryRelax): the gradient is taken
    at the prox point, the step accumulates on θ.

    .. math:: \theta_{t+1} = \theta_t + \eta\, d_t, \qquad d_t = \text{rule}\bigl(\nabla
              L_{B_t}(\operatorname{prox}_{\eta\lambda_t R}(\theta_t))\bigr)

    Equations::

        p_t         = prox_{lr*lam_t*R}(theta_t) on the quantized entries, theta_t elsewhere
        g_t         = grad L_{B_t}(p_t);   (d_t, s) = rule.step(s, theta_t, g_t)
        theta_{t+1} = theta_t + lr * d_t  (clipped on the quantized entries if clip)
        model       = q(theta) (= q(p_t): the prox keeps the nearest level)
        lam = inf:  p_t = q(theta_t), BinaryConnect exactly

    Parameters as in :func:`train_proxquant`.
    """
    return _train("lazy_prox", model, data, theta0, rule=rule, lr=lr, epochs=epochs,
                  batch_size=batch_size, lam=lam, levels=levels, prox=prox, homotopy=homotopy,
                  hard_quant_step=hard_quant_step, clip=clip, rng=rng,
                  record_theta=record_theta)


TRAINERS = {
    "full_precision": train_full_precision,
    "proxquant": train_proxquant,
    "binaryconnect": train_binaryconnect,
    "lazy_prox": train_lazy_prox,
}


