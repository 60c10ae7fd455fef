r"""ProxQuant, BinaryConnect and the lazy prox-gradient method, on small NumPy models.

Training a quantized network means minimizing a loss :math:`L(\theta)` over parameters whose
quantized entries (here: the weights, not the biases) take values in a finite set of levels
:math:`Q` (binary: :math:`Q = \{-1, +1\}`). Three ways of doing it, all built on an optimizer
step (any :mod:`quantopt.optim` rule; Adam in the paper) that returns a direction
:math:`d_t` from a gradient :math:`g_t` (plain SGD: :math:`d_t = -g_t`):

.. math::

    \text{ProxQuant:}\quad & g_t = \nabla L(\theta_t), \quad
        \theta_{t+1} = \operatorname{prox}_{\eta\lambda_t R}\bigl(\theta_t + \eta\, d_t\bigr),
        \quad \lambda_t = \lambda\, t \\
    \text{BinaryConnect:}\quad & g_t = \nabla L(q(\theta_t)), \quad
        \theta_{t+1} = \theta_t + \eta\, d_t \quad\text{(straight-through; output } q(\theta_T))\\
    \text{lazy prox-gradient:}\quad & g_t = \nabla L\bigl(\operatorname{prox}_{\eta\lambda_t R}
        (\theta_t)\bigr), \quad \theta_{t+1} = \theta_t + \eta\, d_t \\
    \text{full precision:}\quad & g_t = \nabla L(\theta_t), \quad \theta_{t+1} = \theta_t
        + \eta\, d_t

with :math:`R(\theta) = \sum_j \operatorname{dist}(\theta_j, Q)` over the quantized entries (the
W-shaped regularizer for :math:`Q = \{\pm 1\}`), whose prox moves each entry toward its nearest
level by at most :math:`\eta\lambda_t` (:func:`quantopt.prox.soft_quantize`), and
:math:`q = \operatorname{proj}_Q` the nearest level (:func:`quantopt.prox.project`). The
projection is the prox with :math:`\lambda = \infty`, so BinaryConnect *is* the lazy
prox-gradient method with :math:`\lambda = \infty`: Nesterov's dual averaging (lazy projected
SGD) on :math:`Q^d`, the paper's section 2.2 (``train_lazy_prox(lam=inf)`` takes exactly
BinaryConnect's steps).

Equations::

    ProxQuant      g_t = grad L(theta_t)
                   theta_{t+1} = prox_{eta*lam_t*R}(theta_t + eta*d_t),   lam_t = lam * t
    BinaryConnect  g_t = grad L(q(theta_t));   theta_{t+1} = theta_t + eta*d_t;  model q(theta)
    lazy prox      g_t = grad L(prox_{eta*lam_t*R}(theta_t));   theta_{t+1} = theta_t + eta*d_t
    full precision g_t = grad L(theta_t);      theta_{t+1} = theta_t + eta*d_t
    (d_t, state) = rule.step(state, theta_t, g_t)         any quantopt.optim rule (Adam: paper)
    R(theta) = sum_{j quantized} min_{q in Q} |theta_j - q|      (W-shaped for Q = {-1, +1})
    prox_{mu R}(v)_j = q_j + sign(v_j - q_j) max(|v_j - q_j| - mu, 0),  q_j = project(v_j, Q)
    hard quantization at step hard_quant_step: theta_j <- q(theta_j) for every quantized j,
        frozen from then on; only the full-precision entries (biases, gains) keep training
    sign change = mean over quantized j of [sign(theta_j) != sign(theta0_j)],  sign(0) = +

    symbol      argument
    eta         lr                 (the optimizer's step size; the prox strength is lr*lam_t)
    lam         lam                (the regularization rate; lam_t = lam*t, the homotopy)
    t           the step count 0, 1, 2, ... (homotopy="step", Algorithm 1), or the epoch count
                0, 1, ... (homotopy="epoch", the authors' code), or lam_t = lam ("constant")
    Q           levels             (default [-1, 1])
    q           quantopt.prox.project(., levels)
    prox        prox               (default quantopt.prox.soft_quantize(., levels, .))
    the rule    rule               (default quantopt.optim.adam())

Details, and where they come from:

* **Levels.** The paper's binary set is :math:`\{\pm 1\}^d` with no scale (its ResNets have
  BatchNorm after each convolution, which absorbs the scale). These NumPy models have no
  BatchNorm, so each layer carries a *full-precision gain* ``a`` (a scalar, like BatchNorm's
  :math:`\gamma`): layer output ``a * (h @ W) + b``. The quantized entries are the weights W,
  with levels exactly ±1; gains and biases stay full precision, as the paper keeps biases and
  BatchNorm parameters at full precision.
* **Clipping.** BinaryConnect (Courbariaux et al. 2015) clips the real-valued weights to
  [-1, 1] after each step, and the authors' ProxQuant code clips after the prox as well; here
  ``clip=True`` (default) clips the quantized entries to [min Q, max Q] after every step, for
  all three quantized methods.
* **Homotopy.** Algorithm 1 indexes :math:`\lambda_t = \lambda t` by the step t = 0, 1, ...
  (so the first step has no prox); the released code multiplies the rate by the epoch index.
  Both are available (``homotopy``); the default is the paper's per-step form.
* **Hard quantization.** As in the paper's experiments (epoch 200 of 300), the quantized
  entries are set to :math:`q(\theta)` at a chosen step (``hard_quant_step``, default 2/3 of the
  run) and frozen; training continues on the full-precision entries. The same is done for
  BinaryConnect and lazy prox.
* **Lazy prox-gradient.** The paper's eq. (13): "gradients taken at proximal points but
  accumulated at the original sequence" (BinaryRelax, Yin et al. 2018). The prox strength is
  :math:`\eta\lambda_t`, the same as ProxQuant's, so the two methods differ only in where the
  gradient is taken and where it is accumulated. (The released code uses strength
  :math:`\lambda` for its lazy mode; with a constant :math:`\eta` that is a rescaling of
  :math:`\lambda`.)
* **Sign changes.** The paper's Appendix C measures the fraction of quantized weights whose
  sign differs from the full-precision warm start :math:`\theta_0`; sign 0 counts as + here,
  matching the prox's tie convention (0 is sent to +1).

The toy problems of the paper are here too: :func:`f_plus` / :func:`f_minus` (Figure 1b: two
functions with identical derivatives on {-1, +1} but opposite minimizers there, so
BinaryConnect cannot tell them apart), and :func:`lazy_prox_toy` (Theorem 5.2: L(θ) = θ²/2
with a smoothed W-shaped regularizer, on which the lazy prox-gradient method oscillates between
two non-stationary points while ProxQuant converges). :func:`iterate` runs any of the methods
deterministically on such problems.

Sources: Yu Bai, Yu-Xiang Wang, Edo Liberty, "ProxQuant: Quantized Neural Networks via Proximal
Operators", ICLR 2019 (arXiv:1810.00861; seed 003), Algorithm 1, sections 2.2, 3, 5 and
Appendix C, and the authors' code (github.com/allenbai01/ProxQuant: ``reg.py``,
``main_binary_reg.py``); M. Courbariaux, Y. Bengio, J.-P. David, "BinaryConnect", NeurIPS 2015;
P. Yin et al., "BinaryRelax", SIAM J. Imaging Sci. 11(4), 2018; Y. Nesterov, "Primal-dual
subgradient methods for convex problems", Math. Program. 120, 2009 (dual averaging).

Appendix D.2 of the paper (the exact constants of the Theorem 5.2 construction) was not
available in the copies consulted; :func:`lazy_prox_toy` is a construction of the form the main
text states (L = θ²/2, a smoothed W-shaped R, a constant step η ≤ 1/(2β), a specific θ0), with
its two-cycle and ProxQuant's limit derived in closed form in its docstring.

Layout (one concept per module; every public name is re-exported here)::

    models.py    Model, make_logistic, make_mlp: forward pass and backpropagation on a flat θ
    data.py      Dataset, make_dataset; the up-front check of (X_train, y_train, X_test, y_test)
    methods.py   the step, written once: where the gradient is taken, what follows the step
                 (identity / prox / projection), the λ_t schedules, the levels and the rule
    iterate.py   Path, iterate: the deterministic full-gradient iteration on any gradient
    train.py     TrainResult, train_full_precision, train_proxquant, train_binaryconnect,
                 train_lazy_prox, TRAINERS: mini-batch training loops
    metrics.py   sign_changes (Appendix C), quantize_model (q on the quantized entries)
    toys.py      f_plus, f_minus, smoothed_w (+ grad, prox), LazyToy, lazy_prox_toy

Inputs and errors: every argument is checked before the first step with :mod:`quantopt._checks`
(TypeError or ValueError naming it: data that are not finite or of the model's shapes name
X_train, y_train, X_test or y_test; seeds name rng or seed). During a run, a user's ``grad`` or
``prox`` that returns None, complex values or a wrong shape raises naming ``grad`` / ``prox``
(``model.grad`` in training); non-finite values from them raise naming them; an iterate (or a
training loss) that overflows to inf/NaN raises ValueError naming ``lr``. No result holds NaN
and no input is modified.

The small-scale benchmark against the paper (bench/bench_proxquant.py: test accuracy, sign
changes, flips before the hard quantization, over 5 seeds) is in ``docs/proxquant_results.md``.

Examples
--------
>>> from quantopt import proxquant as pq
>>> a = pq.iterate("binaryconnect", pq.f_plus_grad, 0.375, lr=0.25, n_steps=4)
>>> b = pq.iterate("binaryconnect", pq.f_minus_grad, 0.375, lr=0.25, n_steps=4)
>>> bool((a.theta == b.theta).all())  # BinaryConnect cannot tell f+ from f-
True
>>> float(pq.iterate("proxquant", pq.f_plus_grad, 0.3, lr=0.01, n_steps=1000, lam=2e-3).theta[-1])
-1.0
"""
from .data import Dataset, make_dataset
from .iterate import Path, iterate
from .metrics import quantize_model, sign_changes
from .methods import BINARY_LEVELS as BINARY_LEVELS  # noqa: F401 (a module-level name)
from .models import Model, ModelOverflow, make_logistic, make_mlp
from .toys import (LazyToy, f_minus, f_minus_grad, f_plus, f_plus_grad, lazy_prox_toy,
                   smoothed_w, smoothed_w_grad, smoothed_w_prox)
from .train import (TRAINERS, TrainResult, train_binaryconnect, train_full_precision,
                    train_lazy_prox, train_proxquant)

__all__ = [
    "Model",
    "ModelOverflow",
    "Dataset",
    "TrainResult",
    "Path",
    "LazyToy",
    "make_logistic",
    "make_mlp",
    "make_dataset",
    "train_full_precision",
    "train_proxquant",
    "train_binaryconnect",
    "train_lazy_prox",
    "TRAINERS",
    "iterate",
    "sign_changes",
    "quantize_model",
    "f_plus",
    "f_plus_grad",
    "f_minus",
    "f_minus_grad",
    "smoothed_w",
    "smoothed_w_grad",
    "smoothed_w_prox",
    "lazy_prox_toy",
]
