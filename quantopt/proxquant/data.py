r"""Data: a generated train/test split (two interleaved moons or XOR blobs plus pure-noise
features), and the check of a user's (X_train, y_train, X_test, y_test).

Equations::

    moons:  class 0: (cos t, sin t),  class 1: (1 - cos t, 1/2 - sin t),  t ~ U[0, pi]
    xor:    centres (±1, ±1), label = [sign(x1) != sign(x2)]
    x       = (the two class features) + noise * N(0, I_2),   then n_features - 2 N(0, 1) columns
    every column standardized with the training mean and standard deviation
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._checks import check_choice, check_int, check_real, check_rng, check_unit_interval
from .models import _features, _labels


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

#: The largest accepted ``noise``: N(0, 1) draws are far below 1e10 in magnitude, so the data stay
#: below 1e110 and their squares (the standard deviation) below 1e220, finite in float64.
MAX_NOISE = 1e100


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
    ``numpy.random.default_rng(seed)`` (``seed``: None, an integer >= 0, a SeedSequence or a
    Generator).

    Inputs: n_samples >= 2 and n_features >= 2 integers; 0 <= noise <= 1e100 (larger noise
    would overflow the standardization: the data are then finite for every accepted input);
    0 < test_fraction < 1, leaving at least one training and one test sample. Anything else raises
    TypeError or ValueError naming the argument.

    Examples
    --------
    >>> d = make_dataset(30, 4, seed=1)
    >>> d.X_train.shape, d.X_test.shape, sorted(set(d.y_train.tolist()))
    ((20, 4), (10, 4), [0, 1])
    """
    n = check_int("n_samples", n_samples, 2)
    d = check_int("n_features", n_features, 2)
    check_choice("kind", kind, tuple(_DATASETS))
    noise = check_real("noise", noise, minimum=0.0)
    if noise > MAX_NOISE:
        raise ValueError(f"noise must be <= {MAX_NOISE:g} (so that the data and their squares "
                         f"stay finite), got {noise!r}")
    frac = check_unit_interval("test_fraction", test_fraction, closed_left=False)
    n_test = int(round(frac * n))
    if not 1 <= n_test <= n - 1:
        raise ValueError(f"test_fraction must leave at least one training and one test "
                         f"sample, got {test_fraction!r} for n_samples={n}")
    rng = check_rng("seed", seed)
    X2, y = _DATASETS[kind](n, noise, rng)
    X = np.concatenate([X2, rng.standard_normal((n, d - 2))], axis=1)
    X_test, X_train = X[:n_test], X[n_test:]
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return Dataset((X_train - mean) / std, y[n_test:].astype(np.int64), (X_test - mean) / std,
                   y[:n_test].astype(np.int64), kind)




def check_data(data: Any, n_in: int, n_out: int) -> Dataset:
    """A Dataset (or a tuple or list (X_train, y_train, X_test, y_test)) checked up front for a
    model with n_in inputs and n_out outputs: real, finite, 2-D X with n_in columns and at least
    one sample, integer labels one per sample. Errors name data, X_train, y_train, X_test or
    y_test. New arrays."""
    if not isinstance(data, (tuple, list)) or len(data) < 4:
        raise TypeError(f"data must be a Dataset or a tuple (X_train, y_train, X_test, y_test), "
                        f"got {type(data).__name__}")
    X_train, y_train, X_test, y_test = tuple(data)[:4]
    X_train = _features(X_train, n_in, "X_train")
    X_test = _features(X_test, n_in, "X_test")
    y_train = _labels(y_train, X_train.shape[0], n_out, "y_train", "X_train")
    y_test = _labels(y_test, X_test.shape[0], n_out, "y_test", "X_test")
    return Dataset(X_train, y_train, X_test, y_test, getattr(data, "name", ""))
