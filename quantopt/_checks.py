"""Validation of scalar arguments, shared by every module: errors name the argument and range."""
from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any

import numpy as np


def check_real(name: str, value: Any, *, minimum: float | None = None,
               strict: bool = False) -> float:
    """A finite real number (>= minimum, or > minimum when strict), as a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    try:
        value = float(value)
    except OverflowError:  # an int or Fraction beyond the float range
        raise OverflowError(f"{name} is too large for a float64: {value!r:.40}") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if minimum is not None and (value < minimum or (strict and value == minimum)):
        relation = ">" if strict else ">="
        raise ValueError(f"{name} must be {relation} {minimum}, got {value!r}")
    return value


def check_positive(name: str, value: Any) -> float:
    """A finite number > 0."""
    return check_real(name, value, minimum=0.0, strict=True)


def check_nonnegative(name: str, value: Any) -> float:
    """A finite number >= 0."""
    return check_real(name, value, minimum=0.0)


def check_int(name: str, value: Any, minimum: int) -> int:
    """An integer >= minimum (bool refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_unit_interval(name: str, value: Any, *, closed_left: bool = True):
    """A number in [0, 1) (or (0, 1) with closed_left=False), like momentum or beta.

    A Fraction stays a Fraction, so that rules without square roots run in exact arithmetic on
    object arrays of Fractions; any other real becomes a float.
    """
    if not isinstance(value, Fraction):
        value = check_real(name, value)
    low_ok = value >= 0 if closed_left else value > 0
    if not (low_ok and value < 1):
        interval = "[0, 1)" if closed_left else "(0, 1)"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """True or False (numpy's bool_ too); 0, 1, None and strings are refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_choice(name: str, value: Any, choices: Any) -> str:
    """One of the strings in choices (case-sensitive); any other type or string is refused,
    naming the argument and listing the choices."""
    listed = ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {listed}, got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")
    return value


def check_callable(name: str, value: Any) -> Any:
    """A callable (a function, a lambda, an object with __call__)."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {type(value).__name__}")
    return value


def check_seed(name: str, value: Any) -> Any:
    """A source of randomness as numpy's ``default_rng`` takes it: None (fresh OS entropy), an
    integer >= 0, a ``numpy.random.SeedSequence``, a BitGenerator or a ``Generator``. Returned
    unchanged; bool, floats, strings and negative integers are refused naming the argument."""
    if value is None or isinstance(value, (np.random.Generator, np.random.BitGenerator,
                                           np.random.SeedSequence)):
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be None, an integer >= 0, a numpy.random.SeedSequence or "
                        f"a numpy.random.Generator, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be an integer >= 0 (a seed), got {value!r}")
    return value


def check_rng(name: str, value: Any) -> np.random.Generator:
    """numpy's Generator for a checked seed (see :func:`check_seed`); a Generator is returned
    itself, so that its stream continues."""
    return np.random.default_rng(check_seed(name, value))


def check_real_array(name: str, value: Any, *, finite: bool = True, ndim: int | None = None,
                     shape: tuple | None = None, min_size: int = 0) -> np.ndarray:
    """value as a new float64 array (never the caller's array), or a clear error naming it.

    Accepted: Python or numpy reals (int, float; float16/32/64), nested lists of them and real
    arrays. Refused with TypeError: bool, complex, strings, objects and None; ragged lists.
    Refused with ValueError: a wrong ndim or shape, fewer than min_size elements, and (when
    ``finite``) NaN or inf.
    """
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        raise TypeError(f"{name} must be real numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as err:  # ragged nested lists and the like
        raise TypeError(f"{name} must be a real number or a (rectangular) array of reals: "
                        f"{err}") from err
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be real numbers (int or float), got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if shape is not None and arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {arr.shape}")
    if arr.size < min_size:
        raise ValueError(f"{name} must have at least {min_size} element(s), got {arr.size}")
    if arr.dtype.kind in "iu" and arr.size and int(np.abs(arr).max()) > 2**53:
        raise OverflowError(f"{name} holds an integer beyond 2**53 in magnitude, which float64 "
                            "cannot represent exactly")
    out = np.array(arr, dtype=np.float64)  # always a new array
    if finite and not np.isfinite(out).all():
        raise ValueError(f"{name} must be finite (no nan or inf)")
    return out


def check_out(name: str, out: Any, shape: tuple, dtype: Any) -> np.ndarray:
    """An output array: an ndarray of the given shape and dtype that can be written to."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, got {type(out).__name__}")
    if out.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {out.shape}")
    if out.dtype != np.dtype(dtype):
        raise TypeError(f"{name} must have dtype {np.dtype(dtype)}, got {out.dtype}")
    if not out.flags.writeable:
        raise ValueError(f"{name} is read-only; the result cannot be written into it")
    return out


def returned_real(name: str, value: Any, shape: tuple | None = None) -> np.ndarray:
    """What a user's callable returned, checked to be real (int or float; not complex, bool,
    strings or objects) and of the given shape: a new float64 array. ``name`` names the
    callable (``"jac"``), so the error says which one broke its contract."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must return real numbers: {err}") from err
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must return real numbers, got {type(value).__name__} of "
                        f"dtype {arr.dtype}")
    if shape is not None and arr.shape != tuple(shape):
        raise ValueError(f"{name} must return an array of shape {tuple(shape)}, got shape "
                         f"{arr.shape}")
    return np.array(arr, dtype=np.float64)


def check_exact_nonnegative(name: str, value: Any):
    """A finite number >= 0, like a weight decay; a Fraction stays a Fraction (as in
    :func:`check_unit_interval`), so that rules without square roots run in exact arithmetic
    on object arrays of Fractions; any other real becomes a float."""
    if not isinstance(value, Fraction):
        return check_nonnegative(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value
