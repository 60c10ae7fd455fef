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
    value = float(value)
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
