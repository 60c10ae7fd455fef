"""Adversarial inputs for the numerical public API: rounding, prox, grid, the update rules.

Issue 15 asked for a fuzz test "that would have found" the failures of its adversarial run.
The contract checked here, for every call:

* the call returns, and every number in its result is finite unless an input was non-finite
  (NaN in, NaN out is rounding's documented behaviour, as numpy's); or
* it raises TypeError, ValueError or OverflowError whose message names the argument that was
  bad (never another exception type, never an error naming nothing);
* no input array is modified;
* the same values given as a list, a read-only array or a strided view give the same result.

Two layers: an exhaustive sweep over a catalogue of bad values (every public function x every
argument x every bad value: a few thousand calls, each microseconds), and hypothesis strategies
over good-looking values that reach the hard cases (ties at half a grid step, one ulp from a
tie, huge magnitudes near 2**52/qp and the float range, negative values). The other public
modules have their own fuzz tests (tests/test_reliability.py: the driver, line searches,
gradcheck, problems, search, schedules; tests/test_proxquant_fuzz.py or test_proxquant.py:
proxquant).
"""
from __future__ import annotations

import inspect
import math
import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import quantopt as qo
from quantopt import grid as qgrid
from quantopt import prox
from quantopt.optim import RULES

X = np.array([-2.5, -0.75, 0.0, 0.3, 1.5, 7.25])
LEVELS = np.array([-1.0, 0.0, 1.0])


def _readonly(a):
    a = np.array(a)
    a.flags.writeable = False
    return a


def _strided(a):
    a = np.asarray(a)
    big = np.empty(a.shape[:-1] + (2 * a.shape[-1],), dtype=a.dtype) if a.ndim else None
    if big is None:
        return a
    big[..., ::2] = a
    return big[..., ::2]


#: name -> (function, good keyword arguments, the array-valued arguments)
SPECS = {
    "round_half_up": (qo.round_half_up, {"x": X}, ("x",)),
    "residual": (qo.residual, {"x": X}, ("x",)),
    "quantize": (qo.quantize, {"x": X, "qp": 4.0}, ("x",)),
    "quantize_qp3": (qo.quantize, {"x": X, "qp": 3}, ("x",)),
    "to_codes": (qo.to_codes, {"x": X, "qp": 4.0}, ("x",)),
    "from_codes": (qo.from_codes, {"k": np.array([-3, 0, 5]), "qp": 4.0}, ("k",)),
    "stochastic_round": (qo.stochastic_round, {"x": X, "qp": 4.0, "rng": 0}, ("x",)),
    "project": (prox.project, {"v": X, "levels": LEVELS}, ("v", "levels")),
    "soft_quantize": (prox.soft_quantize, {"v": X, "levels": LEVELS, "lam": 0.5},
                      ("v", "levels")),
    "binary": (prox.binary, {"v": X, "lam": 0.5}, ("v",)),
    "soft_threshold": (prox.soft_threshold, {"v": X, "lam": 0.5}, ("v",)),
    "soft_quantize_l2": (prox.soft_quantize_l2, {"v": X, "levels": LEVELS, "lam": 0.5},
                         ("v", "levels")),
    "project_grid": (prox.project_grid, {"v": X, "qp": 4.0, "lo": -1.0, "hi": 2.0}, ("v",)),
    "ternary": (prox.ternary, {"v": X, "delta": 0.5, "alpha_pos": 1.0, "alpha_neg": 2.0},
                ("v",)),
    "fit_ternary": (prox.fit_ternary, {"v": X, "threshold": 0.7, "symmetric": False}, ("v",)),
    "ternary_quantize": (prox.ternary_quantize, {"v": X, "threshold": 0.7}, ("v",)),
    "soft_ternary": (prox.soft_ternary, {"v": X, "lam": 0.5, "alpha_pos": 1.0,
                                         "alpha_neg": 2.0}, ("v",)),
    "multibit_codebook": (prox.multibit_codebook, {"alphas": np.array([1.0, 0.5])},
                          ("alphas",)),
    "multibit_assign": (prox.multibit_assign, {"v": X, "alphas": np.array([1.0, 0.5])},
                        ("v", "alphas")),
    "fit_multibit": (prox.fit_multibit, {"v": X, "bits": 2, "iters": 5}, ("v",)),
    "multibit_quantize": (prox.multibit_quantize, {"v": X, "bits": 2, "iters": 5}, ("v",)),
    "multibit_prox": (prox.multibit_prox, {"v": X, "bits": 2, "lam": 0.5}, ("v",)),
    "as_grid": (qgrid.as_grid, {"qp": 8}, ()),
}

#: values no argument of the functions above accepts as given, or accepts only with care
BAD = {
    "None": None,
    "str": "abc",
    "bytes": b"1",
    "complex": 1j,
    "complex array": np.array([1.0 + 1j, 2.0]),
    "bool": True,
    "bool array": np.array([True, False]),
    "object strings": np.array(["a", "b"], dtype=object),
    "str array": np.array(["1", "2"]),
    "ragged": [[1.0, 2.0], [3.0]],
    "nan": math.nan,
    "inf": math.inf,
    "-inf": -math.inf,
    "nan array": np.array([1.0, math.nan]),
    "inf array": np.array([math.inf, 1.0]),
    "huge": 1e308,
    "-huge": -1.7976931348623157e308,
    "huge array": np.array([1e308, -1e308, 3.0]),
    "huge int": 10**400,
    "int beyond 2**53": np.array([2**53 + 1]),
    "zero": 0,
    "negative": -1,
    "negative float": -0.5,
    "tiny": 5e-324,
    "empty": np.array([]),
    "2-D": np.ones((2, 3)),
    "float16 max": np.float16(65504),
    "dict": {"a": 1},
    "function": len,
}


def _all_finite(result) -> bool:
    """True if every number in result (arrays, scalars, tuples, Grid) is finite."""
    if isinstance(result, (tuple, list)):
        return all(_all_finite(r) for r in result)
    if isinstance(result, qgrid.Grid):
        return True
    if isinstance(result, (Fraction, int)):  # exact results (Python ints of any size)
        return True
    arr = np.asarray(result)
    if arr.dtype.kind in "fc":
        return bool(np.isfinite(arr).all())
    if arr.dtype == object:
        return all(_all_finite(r) for r in arr.ravel())
    return arr.dtype.kind in "iub"


def _non_finite_input(kwargs) -> bool:
    for value in kwargs.values():
        try:
            arr = np.asarray(value)
            if arr.dtype.kind in "fc" and not np.isfinite(arr).all():
                return True
        except (TypeError, ValueError):
            pass
    return False


def _names(message: str, arg: str) -> bool:
    return re.search(rf"(?<![A-Za-z_]){re.escape(arg)}(?![A-Za-z_])", message) is not None


def _snapshot(kwargs):
    return {k: np.array(v, copy=True) for k, v in kwargs.items() if isinstance(v, np.ndarray)}


def check_contract(func, kwargs, bad_arg=None):
    """Call func(**kwargs) and check the contract of the module docstring; return the result
    (or None if it raised)."""
    before = _snapshot(kwargs)
    try:
        result = func(**kwargs)
    except (TypeError, ValueError, OverflowError) as err:
        if bad_arg is not None and not _names(str(err), bad_arg):
            raise AssertionError(f"{func.__name__}({bad_arg}=...) raised {type(err).__name__} "
                                 f"naming not {bad_arg!r}: {err}") from None
        result = None
    else:
        if not (_all_finite(result) or _non_finite_input(kwargs)):
            raise AssertionError(f"{func.__name__} returned non-finite numbers from finite "
                                 f"input: {result!r}")
    for k, v in before.items():
        np.testing.assert_array_equal(kwargs[k], v, err_msg=f"{func.__name__} modified {k}")
    return result


@pytest.mark.parametrize("spec", sorted(SPECS))
def test_every_bad_value_for_every_argument(spec):
    """Exhaustive: each argument of each function replaced by each value of BAD."""
    func, good, _ = SPECS[spec]
    assert check_contract(func, dict(good)) is not None  # the good call itself works
    failures = []
    for arg in good:
        for label, bad in BAD.items():
            kwargs = dict(good, **{arg: bad})
            try:
                check_contract(func, kwargs, bad_arg=arg)
            except AssertionError as err:
                failures.append(f"{arg}={label}: {err}")
            except Exception as err:  # noqa: BLE001 - any other exception breaks the contract
                failures.append(f"{arg}={label}: {type(err).__name__}: {err}")
    assert not failures, "\n".join(failures)


def _same(a, b):
    if isinstance(a, tuple):
        return all(_same(x, y) for x, y in zip(a, b, strict=True))
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


@pytest.mark.parametrize("spec", sorted(SPECS))
def test_lists_readonly_and_strided_arrays_give_the_same_result(spec):
    func, good, arrays = SPECS[spec]
    if spec == "stochastic_round":
        good = dict(good, rng=123)
    base = func(**good)
    for arg in arrays:
        for variant in (lambda a: np.asarray(a).tolist(), _readonly, _strided):
            kwargs = dict(good, **{arg: variant(good[arg])})
            got = check_contract(func, kwargs)
            assert got is not None and _same(got, base), (spec, arg, variant)


# --- hypothesis: good-looking values that reach the hard cases -----------------------------
QPS = st.sampled_from([1, 2, 3, 4.0, 10, 0.5, 0.1, 2.0**-20, 2.0**30, 1e-300])


@st.composite
def hard_floats(draw, qp):
    """Ties at half a grid step and one ulp from them, huge magnitudes near 2**52/qp and the
    float range, negative values, zeros of both signs."""
    kind = draw(st.sampled_from(["tie", "near tie", "huge", "boundary", "plain"]))
    q = float(qp)
    if kind in ("tie", "near tie"):
        k = draw(st.integers(-10**6, 10**6))
        x = (k + 0.5) / q
        if kind == "near tie":
            x = np.nextafter(x, draw(st.sampled_from([-math.inf, math.inf])))
        return float(x)
    if kind == "huge":
        return draw(st.floats(min_value=-1.7e308, max_value=1.7e308, allow_nan=False))
    if kind == "boundary":  # around |qp*x| = 2**52, the exact domain's edge for non-dyadic qp
        x = 2.0**52 / q * draw(st.sampled_from([-1, 1]))
        return float(np.nextafter(x, x * draw(st.sampled_from([0.0, 2.0]))))
    return draw(st.floats(-1e6, 1e6, allow_nan=False))


@st.composite
def calls(draw):
    qp = draw(QPS)
    xs = np.array(draw(st.lists(hard_floats(qp), min_size=1, max_size=8)))
    name = draw(st.sampled_from(["quantize", "to_codes", "round_half_up", "residual",
                                 "stochastic_round", "project_grid", "project",
                                 "soft_quantize", "fit_ternary", "ternary_quantize",
                                 "fit_multibit", "binary"]))
    func, good, _ = SPECS[name]
    first = "x" if "x" in good else "v"
    kwargs = dict(good, **{first: xs})
    if "qp" in kwargs:
        kwargs["qp"] = qp
    return func, kwargs


@given(calls())
@example((qo.quantize, {"x": np.array([float.fromhex("0x1.5555555555555p+50")]), "qp": 3}))
@example((prox.fit_ternary, {"v": np.array([1e308, -1e308, 3, 0.5]), "threshold": 0.7,
                             "symmetric": False}))
@example((qo.quantize, {"x": np.array([1.7976931348623157e308]), "qp": 2.0**-1000}))
def test_hard_values_keep_the_contract(call):
    func, kwargs = call
    result = check_contract(func, kwargs, bad_arg=None)
    if result is None:  # it refused: the refusal must name x/v or qp (the only inputs here)
        try:
            func(**kwargs)
        except (TypeError, ValueError, OverflowError) as err:
            assert any(_names(str(err), a) for a in kwargs), str(err)


# --- the update rules: init and step with bad state, x, g ------------------------------------
def _rule(name):
    factory = RULES[name]
    return factory()


STEP_RULES = sorted(RULES)


@pytest.mark.parametrize("name", STEP_RULES)
def test_update_rule_steps_refuse_bad_arguments_naming_them(name):
    rule = _rule(name)
    x = np.array([0.5, -1.0, 2.0])
    g = np.array([1.0, 0.25, -3.0])
    hess = np.eye(3)
    state = rule.init(x)
    d, _ = rule.step(state, x, g, hess)
    assert np.isfinite(d).all()
    bad_steps = {
        "state": [None, "abc", (1, 2)],
        "g": [None, "abc", np.array([1.0]), np.ones((3, 1)), np.array([1j, 0, 0]),
              [[1.0], [2.0, 3.0]]],
        "x": [None, "abc", np.array([1.0, 2.0])],
    }
    failures = []
    for arg, values in bad_steps.items():
        for bad in values:
            args = {"state": state, "x": x, "g": g, arg: bad}
            snapshot = (x.copy(), g.copy())
            try:
                rule.step(args["state"], args["x"], args["g"], hess)
                failures.append(f"step({arg}={bad!r}) was accepted")
            except (TypeError, ValueError) as err:
                if not _names(str(err), arg):
                    failures.append(f"step({arg}={bad!r}): error names not {arg}: {err}")
            except Exception as err:  # noqa: BLE001
                failures.append(f"step({arg}={bad!r}): {type(err).__name__}: {err}")
            np.testing.assert_array_equal(x, snapshot[0])
            np.testing.assert_array_equal(g, snapshot[1])
    for bad in (None, "abc", np.array([1j]), [[1.0], [2.0, 3.0]]):  # empty x0 is allowed, as torch
        try:
            rule.init(bad)
            failures.append(f"init({bad!r}) was accepted")
        except (TypeError, ValueError) as err:
            if not _names(str(err), "x0"):
                failures.append(f"init({bad!r}): error names not x0: {err}")
        except Exception as err:  # noqa: BLE001
            failures.append(f"init({bad!r}): {type(err).__name__}: {err}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", STEP_RULES)
def test_update_rule_hyperparameters_refuse_bad_values_naming_them(name):
    factory = RULES[name]
    failures = []
    for param in inspect.signature(factory).parameters:
        for label in ("None", "str", "nan", "inf", "complex", "dict"):
            bad = BAD[label]
            try:
                factory(**{param: bad})
                if label != "None":  # None may mean "the default" for some options
                    failures.append(f"{param}={label} was accepted")
            except (TypeError, ValueError) as err:
                if not _names(str(err), param):
                    failures.append(f"{param}={label}: error names not {param}: {err}")
            except Exception as err:  # noqa: BLE001
                failures.append(f"{param}={label}: {type(err).__name__}: {err}")
    assert not failures, "\n".join(failures)
