r"""Models: small feed-forward classifiers on one flat parameter vector θ, with an explicit
forward pass and backpropagation (no autograd).

Equations::

    layer l:  z_l = a_l * (h_{l-1} @ W_l) + b_l,   h_l = act(z_l) on hidden layers, h_0 = X
    one output (n_out = 1):  L = mean(log(1 + e^z) - y z)             (binary cross-entropy)
    n_out >= 2:              L = -mean(log softmax(z)[y])            (softmax cross-entropy)
    quantized entries: the weights W_l; gains a_l and biases b_l stay full precision

The gains are the stand-in for BatchNorm's scale (the paper's ResNets binarize to ±1 with no
scale; BatchNorm after each convolution absorbs it). Inputs: θ, X and y are checked on every
call (θ and X real and finite, of the model's shapes; y integer labels), with errors naming
``theta``, ``X`` and ``y``; no input is modified.
"""
from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

import numpy as np

from .._checks import check_choice, check_int, check_real_array, check_rng


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
        ndarray`` of θ's shape (backpropagation). Neither modifies its inputs. θ and X must be
        real and finite (errors name ``theta``, ``X``, ``y``); a loss, gradient or logit that
        overflows at a huge θ raises :class:`ModelOverflow` (a ValueError) instead of
        returning inf or NaN.
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
    check_choice("activation", activation, tuple(_ACTIVATIONS))
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
        with np.errstate(over="ignore", invalid="ignore"):
            value = output_grad(forward(theta, X)[0], y)[0]
        return _finite(value, "loss", theta)

    def grad(theta: Any, X: Any, y: Any) -> np.ndarray:
        theta, X, y = _inputs(theta, X, y, n_params, sizes)
        with np.errstate(over="ignore", invalid="ignore"):
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
        return _finite(g, "gradient", theta)

    def predict(theta: Any, X: Any) -> np.ndarray:
        theta = _theta(theta, n_params)
        X = _features(X, sizes[0])
        with np.errstate(over="ignore", invalid="ignore"):
            z = _finite(forward(theta, X)[0], "output (logits)", theta)
        if n_out == 1:
            return (z[:, 0] > 0).astype(np.int64)
        return np.argmax(z, axis=1).astype(np.int64)

    def init(rng: Any = 0) -> np.ndarray:
        gen = check_rng("rng", rng)
        theta = np.zeros(n_params)
        for layer, fan_in in enumerate(sizes[:-1], start=1):
            sw, shw = layout[f"W{layer}"]
            theta[sw] = gen.standard_normal(int(np.prod(shw))).ravel()
            theta[layout[f"a{layer}"][0]] = 1.0 / math.sqrt(fan_in)
        return theta

    return Model(name, tuple(sizes), activation, n_params, mask, layout, loss, grad, predict,
                 init)


class ModelOverflow(ValueError):
    """A model's loss, gradient or logits overflowed to inf/NaN at finite but too large θ (or
    X); a ValueError. The training loops turn it into an error naming ``lr``."""


def _finite(value: Any, what: str, theta: np.ndarray) -> Any:
    if not np.isfinite(value).all():
        raise ModelOverflow(f"the model's {what} is not finite at this theta (overflow: max "
                            f"|theta| = {np.abs(theta).max():.3g}); theta or X is too large")
    return value


def _theta(theta: Any, n_params: int, name: str = "theta") -> np.ndarray:
    """θ as a new finite float64 array of shape (n_params,), or an error naming it."""
    return check_real_array(name, theta, shape=(n_params,))


def _features(X: Any, n_in: int, name: str = "X") -> np.ndarray:
    """X as a new finite float64 array of shape (n_samples >= 1, n_in), or an error naming it."""
    arr = check_real_array(name, X, ndim=2)
    if arr.shape[1] != n_in:
        raise ValueError(f"{name} must have shape (n_samples, {n_in}), got {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: it must have at least one sample")
    return arr


def _labels(y: Any, n_samples: int, n_out: int, name: str = "y",
            x_name: str = "X") -> np.ndarray:
    """y as int64 labels in 0 .. max(1, n_out - 1), one per sample of x_name, or an error
    naming it."""
    arr = check_real_array(name, y, ndim=1)
    if arr.shape[0] != n_samples:
        raise ValueError(f"{name} must have shape ({n_samples},) to match the {n_samples} "
                         f"samples of {x_name}, got {arr.shape}")
    n_classes = max(2, n_out)
    with np.errstate(invalid="ignore"):  # labels beyond int64 are caught just below
        labels = arr.astype(np.int64)
    if np.any(labels != arr) or labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"{name} must hold integer labels in 0..{n_classes - 1}")
    return labels


def _inputs(theta, X, y, n_params, sizes):
    X = _features(X, sizes[0])
    return _theta(theta, n_params), X, _labels(y, X.shape[0], sizes[-1])


