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

Small-scale results vs the paper
--------------------------------
``bench/bench_proxquant.py``: 5 seeds; two interleaved moons (noise 0.2) plus 2 pure-noise
features, 600 training and 300 test points; logistic regression (4 binary weights) and an MLP
with 32 tanh units (192 binary weights); a full-precision warm start (60 epochs of Adam, lr
0.01), then 60 epochs of each method from it (Adam, lr 0.01, batch 32; λ = 2e-3 per step;
hard quantization at epoch 40). Test accuracy of the binary model, mean ± sd (%)::

    model     method                    test acc    sign change   flips in the epoch
                                                    from warm     before the freeze
    logistic  full precision (warm)   86.07 ± 2.17
    logistic  q(warm start), no train 76.07 ± 2.78
    logistic  ProxQuant               75.13 ± 1.86   5.0 ± 11.2    0.0 ±  0.0
    logistic  BinaryConnect           76.53 ± 3.29  20.0 ± 11.2   15.0 ± 13.7
    logistic  lazy prox               75.67 ± 3.03   0.0 ±  0.0    5.0 ± 11.2
    mlp       full precision (warm)   95.60 ± 1.23
    mlp       q(warm start), no train 81.93 ± 2.14
    mlp       ProxQuant               86.00 ± 1.75   3.1 ±  2.7    0.0 ±  0.0
    mlp       BinaryConnect           86.20 ± 2.34   8.9 ±  2.4    3.8 ±  1.3
    mlp       lazy prox               85.93 ± 2.58   9.4 ±  2.5    2.6 ±  1.2

Where this agrees with the paper:

* **Sign changes (Appendix C).** From the same warm start, BinaryConnect ends about three times
  farther from it in sign pattern than ProxQuant (MLP: 8.9 % vs 3.1 % of the weights; more on
  5 of 5 seeds), and its signs are still flipping in the epoch before the hard quantization
  (3.8 % of the weights in that one epoch), while ProxQuant's weights are already exactly ±1
  by then (the homotopy has made the prox dominate) and flip no more: Theorem 5.3's picture of
  BinaryConnect not settling on a sign pattern. The lazy prox-gradient method behaves like
  BinaryConnect here, as the paper groups it.
* **Retraining beats post-training binarization** for the MLP (86 % vs 82 % for q(warm start)).
* **The toy problems** come out exactly as the paper describes: BinaryConnect's iterates on
  f₊ and f₋ are bit-for-bit identical, so it is wrong on one of them, while ProxQuant lands on
  -1 and +1 respectively; on L = θ²/2 with a smoothed W the lazy prox-gradient iterates
  oscillate between ±θ* (non-stationary) while ProxQuant converges to λ/(λ + δ) (tests).

Where it does not, or cannot be told:

* **Accuracy.** The paper reports ProxQuant ahead of BinaryConnect by about 0.2 points on
  CIFAR-10 ResNets (and by a wide margin on binary LSTMs). Here the paired difference
  ProxQuant - BinaryConnect is -0.2 ± 1.3 points (MLP) and -1.4 ± 2.5 (logistic): no
  difference at this scale, where seed-to-seed spread is several times the paper's gap.
  Other λ (1e-3 to 5e-3 per step) moved ProxQuant's MLP mean by under 1 point.
* **Logistic regression** has only 4 binary weights, so its sign-change numbers move in steps
  of 25 % and retraining cannot recover the accuracy that binarization costs (two noise
  features must get weight ±1): both methods stay at the level of the binarized warm start.
* The scale, the architecture (gains instead of BatchNorm), the data and the per-step λ are
  ours; nothing here tests the paper's ternary or multi-bit results.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Callable, NamedTuple

import numpy as np

from . import prox as _prox
from ._checks import check_int, check_positive, check_real
from .optim import RULES, UpdateRule, adam

__all__ = [
    "Model",
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

BINARY_LEVELS = np.array([-1.0, 1.0])
BINARY_LEVELS.flags.writeable = False


# =============================================================================================
# Models: a flat parameter vector, explicit forward and backward
# =============================================================================================
class Model(NamedTuple):
    """A small feed-forward classifier on one flat parameter vector θ.

    Layer l computes ``z_l = a_l * (h_{l-1} @ W_l) + b_l`` with a scalar full-precision gain
    ``a_l`` (the stand-in for BatchNorm's scale, see the module docstring), then an activation
    (tanh or ReLU) on hidden layers. One output (``n_out = 1``): the logit of P(y = 1), with the
    mean binary cross-entropy ``mean(log(1 + e^z) - y z)``; ``n_out >= 2``: softmax
    cross-entropy. Labels are integers 0 .. max(1, n_out - 1).

    Attributes
    ----------
    name : str
    sizes : tuple of int
        Layer widths, input first: ``(n_in, n_out)`` for logistic regression.
    activation : str
        ``"tanh"`` or ``"relu"`` (hidden layers only).
    n_params : int
        The length of θ.
    quantized_mask : ndarray of bool, read-only
        True on the entries of θ that are quantized: the weight matrices. Biases and gains are
        False (full precision).
    layout : dict
        ``name -> (slice, shape)`` for ``W1, a1, b1, W2, ...``; see :meth:`unpack`.
    loss, grad : callable
        ``loss(theta, X, y) -> float`` (the mean cross-entropy) and ``grad(theta, X, y) ->
        ndarray`` of θ's shape (backpropagation). Neither modifies its inputs.
    predict : callable
        ``predict(theta, X) -> ndarray of int`` labels.
    init : callable
        ``init(rng) -> theta``: weights ~ N(0, 1) (the scale of the levels ±1), gains
        ``1/sqrt(fan_in)``, biases 0. ``rng`` is a seed or a ``numpy.random.Generator``.
    """

    name: str
    sizes: tuple
    activation: str
    n_params: int
    quantized_mask: np.ndarray
    layout: dict
    loss: Callable
    grad: Callable
    predict: Callable
    init: Callable

    def accuracy(self, theta: Any, X: Any, y: Any) -> float:
        """The fraction of samples whose predicted label equals y."""
        pred = self.predict(theta, X)
        return float(np.mean(pred == _labels(y, pred.shape[0], self.sizes[-1])))

    def unpack(self, theta: Any) -> dict:
        """The named parameter arrays of θ (copies): ``W1, a1, b1, W2, a2, b2, ...``."""
        theta = _theta(theta, self.n_params)
        return {k: theta[s].reshape(shape).copy() for k, (s, shape) in self.layout.items()}


_ACTIVATIONS = {
    "tanh": (np.tanh, lambda z, h: 1.0 - h * h),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, h: (z > 0).astype(z.dtype)),
}


def make_logistic(n_features: int, n_out: int = 1) -> Model:
    r"""Logistic regression: ``z = a * (X @ W) + b``; W (``n_features x n_out``) quantized.

    .. math:: P(y = 1 \mid x) = \sigma(a\, x^\top w + b), \qquad
              L = \tfrac1n \sum_i \log(1 + e^{z_i}) - y_i z_i

    ``n_out >= 2`` gives multinomial (softmax) regression. See :class:`Model`.

    Examples
    --------
    >>> m = make_logistic(3)
    >>> m.n_params, m.quantized_mask.astype(int).tolist()
    (5, [1, 1, 1, 0, 0])
    """
    return _feedforward("logistic", (check_int("n_features", n_features, 1),
                                     check_int("n_out", n_out, 1)), "tanh")


def make_mlp(n_in: int, n_hidden: int, n_out: int = 1, activation: str = "tanh") -> Model:
    r"""A one-hidden-layer perceptron: ``h = act(a1 * (X @ W1) + b1)``, ``z = a2 * (h @ W2) +
    b2``.

    .. math:: h = \phi(a_1 X W_1 + b_1), \qquad z = a_2 h W_2 + b_2

    W1 (``n_in x n_hidden``) and W2 (``n_hidden x n_out``) are quantized; the gains a1, a2 and
    biases b1, b2 are full precision. ``activation`` is ``"tanh"`` (smooth, the paper's Remark
    5.1) or ``"relu"``. See :class:`Model`.

    Examples
    --------
    >>> m = make_mlp(2, 4)
    >>> m.n_params, int(m.quantized_mask.sum())
    (19, 12)
    >>> sorted(m.layout)
    ['W1', 'W2', 'a1', 'a2', 'b1', 'b2']
    """
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
    sizes = (check_int("n_in", n_in, 1), check_int("n_hidden", n_hidden, 1),
             check_int("n_out", n_out, 1))
    return _feedforward("mlp", sizes, activation)


def _feedforward(name: str, sizes: tuple, activation: str) -> Model:
    layout: dict = {}
    mask_parts = []
    offset = 0
    for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        for key, shape, quantized in ((f"W{layer}", (fan_in, fan_out), True),
                                      (f"a{layer}", (), False),
                                      (f"b{layer}", (fan_out,), False)):
            size = int(np.prod(shape, dtype=int))
            layout[key] = (slice(offset, offset + size), shape)
            mask_parts.append(np.full(size, quantized))
            offset += size
    n_params = offset
    mask = np.concatenate(mask_parts)
    mask.flags.writeable = False
    n_layers = len(sizes) - 1
    act, act_grad = _ACTIVATIONS[activation]
    n_out = sizes[-1]

    def params(theta: np.ndarray):
        out = []
        for layer in range(1, n_layers + 1):
            (sw, shw), (sa, _), (sb, _) = (layout[f"W{layer}"], layout[f"a{layer}"],
                                           layout[f"b{layer}"])
            out.append((theta[sw].reshape(shw), theta[sa][0], theta[sb]))
        return out

    def forward(theta: np.ndarray, X: np.ndarray):
        hs, pre, lin = [X], [], []
        layers = params(theta)
        for layer, (W, a, b) in enumerate(layers):
            u = hs[-1] @ W
            z = a * u + b
            lin.append(u)
            pre.append(z)
            if layer < n_layers - 1:
                hs.append(act(z))
        return pre[-1], hs, pre, lin, layers

    def output_grad(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """Mean cross-entropy and its gradient with respect to the logits z."""
        n = z.shape[0]
        if n_out == 1:
            zz = z[:, 0]
            loss = float(np.mean(np.logaddexp(0.0, zz) - y * zz))
            p = np.exp(-np.logaddexp(0.0, -zz))  # sigmoid, no overflow
            return loss, ((p - y) / n)[:, None]
        zmax = z.max(axis=1, keepdims=True)
        logp = z - zmax - np.log(np.sum(np.exp(z - zmax), axis=1, keepdims=True))
        loss = float(-np.mean(logp[np.arange(n), y]))
        dz = np.exp(logp)
        dz[np.arange(n), y] -= 1.0
        return loss, dz / n

    def loss(theta: Any, X: Any, y: Any) -> float:
        theta, X, y = _inputs(theta, X, y, n_params, sizes)
        return output_grad(forward(theta, X)[0], y)[0]

    def grad(theta: Any, X: Any, y: Any) -> np.ndarray:
        theta, X, y = _inputs(theta, X, y, n_params, sizes)
        z, hs, pre, lin, layers = forward(theta, X)
        dz = output_grad(z, y)[1]
        g = np.empty(n_params)
        for layer in range(n_layers, 0, -1):
            W, a, _ = layers[layer - 1]
            h_in = hs[layer - 1]
            g[layout[f"W{layer}"][0]] = (a * (h_in.T @ dz)).ravel()
            g[layout[f"a{layer}"][0]] = np.sum(dz * lin[layer - 1])
            g[layout[f"b{layer}"][0]] = dz.sum(axis=0)
            if layer > 1:
                dh = a * (dz @ W.T)
                dz = dh * act_grad(pre[layer - 2], h_in)
        return g

    def predict(theta: Any, X: Any) -> np.ndarray:
        theta = _theta(theta, n_params)
        X = _features(X, sizes[0])
        z = forward(theta, X)[0]
        if n_out == 1:
            return (z[:, 0] > 0).astype(np.int64)
        return np.argmax(z, axis=1).astype(np.int64)

    def init(rng: Any = 0) -> np.ndarray:
        gen = np.random.default_rng(rng)
        theta = np.zeros(n_params)
        for layer, fan_in in enumerate(sizes[:-1], start=1):
            sw, shw = layout[f"W{layer}"]
            theta[sw] = gen.standard_normal(int(np.prod(shw))).ravel()
            theta[layout[f"a{layer}"][0]] = 1.0 / math.sqrt(fan_in)
        return theta

    return Model(name, tuple(sizes), activation, n_params, mask, layout, loss, grad, predict,
                 init)


def _theta(theta: Any, n_params: int, name: str = "theta") -> np.ndarray:
    arr = np.asarray(theta)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of reals, got dtype {arr.dtype}")
    if arr.shape != (n_params,):
        raise ValueError(f"{name} must have shape ({n_params},), got {arr.shape}")
    return arr.astype(np.float64, copy=False)


def _features(X: Any, n_in: int, name: str = "X") -> np.ndarray:
    arr = np.asarray(X)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of reals, got dtype {arr.dtype}")
    if arr.ndim != 2 or arr.shape[1] != n_in:
        raise ValueError(f"{name} must have shape (n_samples, {n_in}), got {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: it must have at least one sample")
    return arr.astype(np.float64, copy=False)


def _labels(y: Any, n_samples: int, n_out: int, name: str = "y") -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim != 1 or (n_samples >= 0 and arr.shape[0] != n_samples):
        raise ValueError(f"{name} must have shape ({n_samples},) to match X, got {arr.shape}")
    if arr.dtype.kind not in "iuf" or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty array of integer labels")
    n_classes = max(2, n_out)
    labels = arr.astype(np.int64)
    if np.any(labels != arr) or labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"{name} must hold integer labels in 0..{n_classes - 1}")
    return labels


def _inputs(theta, X, y, n_params, sizes):
    X = _features(X, sizes[0])
    return _theta(theta, n_params), X, _labels(y, X.shape[0], sizes[-1])


# =============================================================================================
# Data
# =============================================================================================
class Dataset(NamedTuple):
    """A train/test split: ``X_train (n, d)``, ``y_train (n,)`` int labels, and the test pair."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    name: str = ""


def _moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = rng.permutation(np.arange(n) % 2)
    t = rng.uniform(0.0, np.pi, n)
    x = np.where(y == 0, np.cos(t), 1.0 - np.cos(t))
    z = np.where(y == 0, np.sin(t), 0.5 - np.sin(t))
    X = np.stack([x, z], axis=1) + noise * rng.standard_normal((n, 2))
    return X, y


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    corner = rng.integers(0, 4, n)
    centers = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    X = centers[corner] + noise * rng.standard_normal((n, 2))
    return X, (corner >= 2).astype(np.int64)


_DATASETS = {"moons": _moons, "xor": _xor}


def make_dataset(n_samples: int = 600, n_features: int = 10, *, kind: str = "moons",
                 noise: float = 0.2, test_fraction: float = 1 / 3, seed: Any = 0) -> Dataset:
    r"""A nonlinearly separable binary problem, generated here (no downloads).

    The first two features carry the classes: ``kind="moons"``, two interleaved half circles
    (class 0: (cos t, sin t); class 1: (1 - cos t, 1/2 - sin t), t ~ U[0, π]) or ``"xor"``,
    four Gaussian blobs at (±1, ±1) labelled by the XOR of the signs; both with Gaussian noise of
    standard deviation ``noise``. Features 3 .. n_features are pure N(0, 1) noise: a full-precision
    model learns to ignore them, a binary one (weights ±1) cannot weight them by zero, so
    binarization costs accuracy. The first ``round(test_fraction * n)`` samples are the test set;
    all features are standardized with the training mean and standard deviation. Classes are
    balanced (the labels are a permutation of 0, 1, 0, 1, ...). Everything is drawn from
    ``numpy.random.default_rng(seed)``.

    Examples
    --------
    >>> d = make_dataset(30, 4, seed=1)
    >>> d.X_train.shape, d.X_test.shape, sorted(set(d.y_train.tolist()))
    ((20, 4), (10, 4), [0, 1])
    """
    n = check_int("n_samples", n_samples, 2)
    d = check_int("n_features", n_features, 2)
    if kind not in _DATASETS:
        raise ValueError(f"kind must be one of {sorted(_DATASETS)}, got {kind!r}")
    noise = check_real("noise", noise, minimum=0.0)
    frac = check_real("test_fraction", test_fraction, minimum=0.0, strict=True)
    n_test = int(round(frac * n))
    if not 1 <= n_test <= n - 1:
        raise ValueError(f"test_fraction must leave at least one training and one test "
                         f"sample, got {test_fraction!r} for n_samples={n}")
    rng = np.random.default_rng(seed)
    X2, y = _DATASETS[kind](n, noise, rng)
    X = np.concatenate([X2, rng.standard_normal((n, d - 2))], axis=1)
    X_test, X_train = X[:n_test], X[n_test:]
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return Dataset((X_train - mean) / std, y[n_test:].astype(np.int64), (X_test - mean) / std,
                   y[:n_test].astype(np.int64), kind)


# =============================================================================================
# The methods: where the gradient is taken, what follows the step
# =============================================================================================
class _Quantizer(NamedTuple):
    levels: np.ndarray
    prox_fn: Callable | None  # prox(v, mu); None: soft_quantize with levels

    def project(self, v: np.ndarray) -> np.ndarray:
        return np.asarray(_prox.project(v, self.levels), dtype=np.float64)

    def prox(self, v: np.ndarray, mu: float) -> np.ndarray:
        if mu == math.inf:
            return self.project(v)
        if self.prox_fn is not None:
            return np.asarray(self.prox_fn(v, mu), dtype=np.float64)
        return np.asarray(_prox.soft_quantize(v, self.levels, mu), dtype=np.float64)


def _identity(theta, mask, mu, quant):
    return theta


def _proxed(theta, mask, mu, quant):
    if not mask.any():
        return theta
    out = theta.copy()
    out[mask] = quant.prox(theta[mask], mu)
    return out


def _projected(theta, mask, mu, quant):
    if not mask.any():
        return theta
    out = theta.copy()
    out[mask] = quant.project(theta[mask])
    return out


class _Method(NamedTuple):
    name: str
    quantized: bool    # the evaluated model is q(theta); hard quantization applies
    uses_lam: bool
    grad_at: Callable  # (theta, mask, mu, quant) -> the point where the gradient is taken
    after: Callable    # (theta, mask, mu, quant) -> theta after the optimizer step


_METHODS = {
    "full_precision": _Method("full_precision", False, False, _identity, _identity),
    "proxquant": _Method("proxquant", True, True, _identity, _proxed),
    "binaryconnect": _Method("binaryconnect", True, False, _projected, _identity),
    "lazy_prox": _Method("lazy_prox", True, True, _proxed, _identity),
}
_ALIASES = {"gd": "full_precision", "fp": "full_precision", "lazy": "lazy_prox",
            "bc": "binaryconnect", "pq": "proxquant"}


def _method(name: Any) -> _Method:
    key = _ALIASES.get(name, name)
    if key not in _METHODS:
        raise ValueError(f"method must be one of {sorted(_METHODS) + sorted(_ALIASES)}, "
                         f"got {name!r}")
    return _METHODS[key]


def _check_lam(lam: Any) -> float:
    if isinstance(lam, (bool, np.bool_)) or not isinstance(lam, numbers.Real):
        raise TypeError(f"lam must be a real number >= 0, got {type(lam).__name__}")
    lam = float(lam)
    if not lam >= 0:  # also NaN
        raise ValueError(f"lam must be >= 0 (inf allowed: the hard quantizer), got {lam!r}")
    return lam


def _check_levels(levels: Any) -> np.ndarray:
    _prox.project(0.0, levels)  # validates: 1-D, finite, strictly increasing (names "levels")
    lev = np.array(levels, dtype=np.float64)
    lev.flags.writeable = False
    return lev


def _check_rule(rule: Any) -> UpdateRule:
    if rule is None:
        return adam()
    if isinstance(rule, str):
        if rule not in RULES:
            raise ValueError(f"rule must be an UpdateRule or one of {sorted(RULES)}, "
                             f"got {rule!r}")
        rule = RULES[rule]()
    if not isinstance(rule, UpdateRule):
        raise TypeError(f"rule must be a quantopt.optim UpdateRule or a name, got "
                        f"{type(rule).__name__}")
    if rule.needs_hess:
        raise ValueError(f"rule {rule.name!r} needs a Hessian; use a first-order rule")
    return rule


_HOMOTOPIES = ("step", "epoch", "constant")


def _lam_t(lam: float, homotopy: str, step: int, epoch: int) -> float:
    if lam == math.inf or homotopy == "constant":
        return lam
    return lam * (step if homotopy == "step" else epoch)


def _mu(lr: float, lam_t: float) -> float:
    """The prox strength eta * lam_t (inf stays inf; 0 * inf does not arise: lr > 0)."""
    return math.inf if lam_t == math.inf else lr * lam_t


def sign_changes(theta: Any, theta0: Any, mask: Any = None) -> float:
    r"""The fraction of quantized entries whose sign differs between θ and θ0.

    .. math:: \operatorname{SignChange}(\theta_0, \theta) = \frac{1}{|M|}\sum_{j \in M}
              \mathbb 1[\operatorname{sign}(\theta_j) \ne \operatorname{sign}(\theta_{0,j})]

    the paper's Appendix C metric (a rescaled Hamming distance between the binarizations), over
    the entries M where ``mask`` is True (all entries if ``mask`` is None). Sign 0 counts as +
    (the prox's tie convention: 0 is quantized to +1), so it compares ``theta >= 0`` with
    ``theta0 >= 0``. An empty mask gives 0.0.

    Equations::

        sign_changes = mean_{j in mask} [ (theta_j >= 0) != (theta0_j >= 0) ]

    Examples
    --------
    >>> sign_changes([1.0, -2.0, 0.0, 3.0], [0.5, 1.0, -0.0, -1.0])
    0.5
    """
    t = np.asarray(theta, dtype=np.float64)
    t0 = np.asarray(theta0, dtype=np.float64)
    if t.shape != t0.shape:
        raise ValueError(f"theta and theta0 must have the same shape, got {t.shape} and "
                         f"{t0.shape}")
    if np.isnan(t).any() or np.isnan(t0).any():
        raise ValueError("theta and theta0 must not contain NaN (their sign is undefined)")
    if mask is None:
        m = np.ones(t.shape, dtype=bool)
    else:
        m = np.asarray(mask)
        if m.dtype != bool or m.shape != t.shape:
            raise ValueError(f"mask must be a boolean array of shape {t.shape}, got "
                             f"{m.dtype} {m.shape}")
    if not m.any():
        return 0.0
    return float(np.mean((t[m] >= 0) != (t0[m] >= 0)))


def quantize_model(model: Model, theta: Any, levels: Any = BINARY_LEVELS) -> np.ndarray:
    """θ with its quantized entries replaced by their nearest level q(θ) (a new array).

    Examples
    --------
    >>> m = make_logistic(2)
    >>> quantize_model(m, np.array([0.3, -2.0, 0.7, 0.1]))
    array([ 1. , -1. ,  0.7,  0.1])
    """
    theta = _theta(theta, model.n_params).copy()
    mask = model.quantized_mask
    theta[mask] = np.asarray(_prox.project(theta[mask], _check_levels(levels)))
    return theta


# =============================================================================================
# Deterministic iterations on any gradient (the toy problems)
# =============================================================================================
class Path(NamedTuple):
    """The iterates of :func:`iterate`.

    Attributes
    ----------
    theta : ndarray, shape (n_steps + 1, *theta0.shape)
        θ_0 .. θ_T, the sequence the method updates (the real-valued vector).
    points : ndarray, shape (n_steps, *theta0.shape)
        Where the gradient was evaluated at each step: θ_t (full precision, ProxQuant), q(θ_t)
        (BinaryConnect), prox(θ_t) (lazy prox).
    mu : ndarray, shape (n_steps,)
        The prox strength η·λ_t used at each step (inf for BinaryConnect, 0 for full precision).
    """

    theta: np.ndarray
    points: np.ndarray
    mu: np.ndarray


def iterate(method: str, grad: Callable, theta0: Any, *, lr: float, n_steps: int,
            lam: float = 0.0, levels: Any = BINARY_LEVELS, prox: Callable | None = None,
            homotopy: str = "step", rule: Any = "gd", mask: Any = None,
            clip: bool = False) -> Path:
    r"""Run one of the methods deterministically (full gradient) on ``grad``, for the toys.

    The same step as the training loops (see the module docstring), without data or
    mini-batches: ``method`` is ``"full_precision"`` (alias ``"gd"``), ``"proxquant"``,
    ``"binaryconnect"`` or ``"lazy_prox"``; ``rule`` is plain gradient descent by default
    (``d = -g``), so e.g. ProxQuant is exactly
    :math:`\theta_{t+1} = \operatorname{prox}_{\eta\lambda_t R}(\theta_t - \eta\nabla
    L(\theta_t))`. ``homotopy`` is ``"step"`` (:math:`\lambda_t = \lambda t`, t = 0, 1, ...)
    or ``"constant"`` (:math:`\lambda_t = \lambda`, the setting of Theorems 5.1 and 5.2).
    ``prox(v, mu)`` replaces the default prox (``soft_quantize(v, levels, mu)``); ``mask``
    selects the quantized entries (default: all). ``lam = inf`` makes the prox the projection.

    Equations::

        p_t         = theta_t | q(theta_t) | prox_{mu_t R}(theta_t)     (FP, PQ | BC | lazy)
        d_t         = rule direction at theta_t from g_t = grad(p_t)    (gd: d_t = -g_t)
        theta_{t+1} = prox_{mu_t R}(theta_t + lr d_t)   (ProxQuant)   or theta_t + lr d_t
        mu_t        = lr * lam * t   (homotopy "step")   or  lr * lam   ("constant")

    Examples
    --------
    BinaryConnect sees the same gradients on f₊ and f₋ (both are sign(x) on {-1, +1}):

    >>> a = iterate("binaryconnect", f_plus_grad, 0.375, lr=0.25, n_steps=4)
    >>> b = iterate("binaryconnect", f_minus_grad, 0.375, lr=0.25, n_steps=4)
    >>> a.theta.tolist(), a.points.tolist(), bool(np.array_equal(a.theta, b.theta))
    ([0.375, 0.125, -0.125, 0.125, -0.125], [1.0, 1.0, -1.0, 1.0], True)
    """
    spec = _method(method)
    lr = check_positive("lr", lr)
    n_steps = check_int("n_steps", n_steps, 0)
    lam = _check_lam(lam)
    if homotopy not in ("step", "constant"):
        raise ValueError(f"homotopy must be 'step' or 'constant' here, got {homotopy!r}")
    if not callable(grad):
        raise TypeError(f"grad must be callable, got {type(grad).__name__}")
    if prox is not None and not callable(prox):
        raise TypeError(f"prox must be callable or None, got {type(prox).__name__}")
    quant = _Quantizer(_check_levels(levels), prox)
    rule = _check_rule(rule)
    x0 = np.asarray(theta0)
    if x0.dtype.kind not in "iuf":
        raise TypeError(f"theta0 must be real numbers, got dtype {x0.dtype}")
    theta = np.array(theta0, dtype=np.float64)
    if not np.all(np.isfinite(theta)):
        raise ValueError("theta0 must be finite")
    shape = theta.shape
    theta = theta.reshape(-1)
    if mask is None:
        m = np.ones(theta.shape, dtype=bool)
    else:
        m = np.asarray(mask)
        if m.dtype != bool or m.shape != shape:
            raise ValueError(f"mask must be a boolean array of shape {shape}, got {m.dtype} "
                             f"{m.shape}")
        m = m.reshape(-1)
    lo, hi = quant.levels[0], quant.levels[-1]
    state = rule.init(theta)
    path = np.empty((n_steps + 1, theta.size))
    points = np.empty((n_steps, theta.size))
    mus = np.empty(n_steps)
    path[0] = theta
    for t in range(n_steps):
        mu = _mu(lr, _lam_t(lam, homotopy, t, 0)) if spec.uses_lam else (
            math.inf if spec.name == "binaryconnect" else 0.0)
        point = spec.grad_at(theta, m, mu, quant)
        g = np.asarray(grad(point.reshape(shape).copy()), dtype=np.float64).reshape(-1)
        if g.shape != theta.shape:
            raise ValueError(f"grad must return an array of shape {shape}, got {g.shape}")
        d, state = rule.step(state, theta, g)
        theta = spec.after(theta + lr * d, m, mu, quant)
        if clip and spec.quantized:
            theta = np.where(m, np.clip(theta, lo, hi), theta)
        path[t + 1], points[t], mus[t] = theta, point, mu
    return Path(path.reshape((n_steps + 1,) + shape), points.reshape((n_steps,) + shape), mus)


# =============================================================================================
# Training loops
# =============================================================================================
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


def _check_data(model: Model, data: Any) -> Dataset:
    try:
        X_train, y_train, X_test, y_test = tuple(data)[:4]
    except (TypeError, ValueError) as exc:
        raise TypeError("data must be a Dataset (X_train, y_train, X_test, y_test)") from exc
    n_in, n_out = model.sizes[0], model.sizes[-1]
    X_train = _features(X_train, n_in, "X_train")
    X_test = _features(X_test, n_in, "X_test")
    y_train = _labels(y_train, X_train.shape[0], n_out, "y_train")
    y_test = _labels(y_test, X_test.shape[0], n_out, "y_test")
    return Dataset(X_train, y_train, X_test, y_test, getattr(data, "name", ""))


def _train(method: str, model: Model, data: Any, theta0: Any, *, rule: Any, lr: float,
           epochs: int, batch_size: int, lam: float = 0.0, levels: Any = BINARY_LEVELS,
           prox: Callable | None = None, homotopy: str = "step",
           hard_quant_step: Any = None, clip: bool = True, rng: Any = 0,
           record_theta: bool = False) -> TrainResult:
    spec = _method(method)
    if not isinstance(model, Model):
        raise TypeError(f"model must be a Model (make_logistic, make_mlp), got "
                        f"{type(model).__name__}")
    data = _check_data(model, data)
    rule = _check_rule(rule)
    lr = check_positive("lr", lr)
    epochs = check_int("epochs", epochs, 0)
    batch_size = check_int("batch_size", batch_size, 1)
    lam = _check_lam(lam)
    if homotopy not in _HOMOTOPIES:
        raise ValueError(f"homotopy must be one of {_HOMOTOPIES}, got {homotopy!r}")
    if prox is not None and not callable(prox):
        raise TypeError(f"prox must be callable or None, got {type(prox).__name__}")
    quant = _Quantizer(_check_levels(levels), prox)
    gen = np.random.default_rng(rng)
    theta0 = model.init(gen) if theta0 is None else _theta(theta0, model.n_params, "theta0")
    if not np.all(np.isfinite(theta0)):
        raise ValueError("theta0 must be finite")
    theta0 = np.array(theta0, dtype=np.float64)

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
    lo, hi = quant.levels[0], quant.levels[-1]
    theta = theta0.copy()
    state = rule.init(theta)
    frozen = False
    hist: dict = {k: [] for k in ("epoch", "step", "loss", "train_acc", "test_acc",
                                  "test_acc_fp", "sign_change", "quant_gap", "lam", "frozen")}
    if record_theta:
        hist["theta"] = []

    def freeze(theta: np.ndarray) -> np.ndarray:
        theta = _projected(theta, mask, math.inf, quant)
        active[:] = False
        return theta

    def record(epoch: int, step: int, lam_t: float) -> None:
        evaluated = _projected(theta, mask, math.inf, quant) if spec.quantized else theta
        hist["epoch"].append(epoch)
        hist["step"].append(step)
        hist["loss"].append(model.loss(evaluated, X, y))
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
            lam_t = _lam_t(lam, homotopy, step, epoch) if spec.uses_lam else 0.0
            mu = math.inf if spec.name == "binaryconnect" else _mu(lr, lam_t)
            point = spec.grad_at(theta, active, mu, quant)
            g = model.grad(point, X[idx], y[idx])
            d, state = rule.step(state, theta, g)
            if frozen:
                d = np.where(mask, 0.0, d)
            theta = spec.after(theta + lr * d, active, mu, quant)
            if clip and active.any():
                theta = np.where(active, np.clip(theta, lo, hi), theta)
            step += 1
        if spec.quantized and not frozen and step == hq:
            theta, frozen = freeze(theta), True
        record(epoch + 1, step, lam_t)

    model_theta = _projected(theta, mask, math.inf, quant) if spec.quantized else theta.copy()
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


# =============================================================================================
# The toy problems of the paper
# =============================================================================================
def f_plus(x: Any) -> Any:
    r"""The paper's :math:`f_1(x) = |x + 1/2| - 1/2` (Figure 1b). On {-1, +1} its minimizer is
    -1 (f = 0 there, 1 at +1); over the reals, x = -1/2.

    Examples
    --------
    >>> f_plus(np.array([-1.0, -0.5, 1.0]))
    array([ 0. , -0.5,  1. ])
    """
    return np.abs(np.asarray(x, dtype=np.float64) + 0.5) - 0.5


def f_plus_grad(x: Any) -> Any:
    """The derivative of :func:`f_plus`: sign(x + 1/2) (0 at the kink x = -1/2, a subgradient)."""
    return np.sign(np.asarray(x, dtype=np.float64) + 0.5)


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
    return np.abs(np.asarray(x, dtype=np.float64) - 0.5) - 0.5


def f_minus_grad(x: Any) -> Any:
    """The derivative of :func:`f_minus`: sign(x - 1/2)."""
    return np.sign(np.asarray(x, dtype=np.float64) - 0.5)


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
    u = np.abs(np.asarray(theta, dtype=np.float64))
    if delta == 0:
        return np.abs(u - 1.0)
    return np.select(
        [u <= delta, u <= 1 - delta, u <= 1 + delta],
        [1 - delta / 2 - u * u / (2 * delta), 1 - u, (u - 1) ** 2 / (2 * delta) + delta / 2],
        u - 1)


def smoothed_w_grad(theta: Any, delta: float = 0.1) -> Any:
    r"""The derivative of :func:`smoothed_w`: sign(θ)·r(|θ|) with r(u) = -u/δ, -1, (u - 1)/δ, 1
    on the four pieces (for δ = 0: the subgradient sign(θ)·sign(|θ| - 1), 0 at the kinks).
    """
    delta = _check_delta(delta)
    t = np.asarray(theta, dtype=np.float64)
    u = np.abs(t)
    if delta == 0:
        return np.sign(t) * np.sign(u - 1.0)
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

    For δ = 0 this is :func:`quantopt.prox.binary` (which is called).

    Examples
    --------
    >>> smoothed_w_prox(np.array([-0.5, 0.0, 0.5, 3.0]), 0.2, 0.1)
    array([-0.7,  0.2,  0.7,  2.8])
    """
    delta = _check_delta(delta)
    mu = check_real("mu", mu, minimum=0.0)
    v64 = np.asarray(v, dtype=np.float64)
    if np.isnan(v64).any():
        raise ValueError("v contains NaN; the prox is not defined there")
    if delta == 0:
        return np.asarray(_prox.binary(v64, mu), dtype=np.float64)
    if mu == 0:
        return v64.copy()
    u = np.abs(v64)[..., None]
    cap = u * delta / (delta - mu) if mu < delta else np.zeros_like(u)
    cand = np.concatenate([
        np.zeros_like(u), np.full_like(u, delta), np.clip(cap, 0.0, delta),
        np.clip(u + mu, delta, 1 - delta),
        np.clip((u * delta + mu) / (delta + mu), 1 - delta, 1 + delta),
        np.maximum(u - mu, 1 + delta)], axis=-1)
    obj = 0.5 * (cand - u) ** 2 + mu * smoothed_w(cand, delta)
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
                   lambda x: 0.5 * np.asarray(x, dtype=np.float64) ** 2,
                   lambda x: np.asarray(x, dtype=np.float64).copy(),
                   lambda x: smoothed_w(x, delta), lambda x: smoothed_w_grad(x, delta), prox)
