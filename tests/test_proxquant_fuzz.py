"""A property-based fuzz of quantopt.proxquant's public functions (issue 15 item 11 and the
conventions): one argument of a valid call is replaced by a bad or odd value (wrong types, NaN,
inf, wrong shapes, huge or negative numbers); read-only arrays are passed everywhere else.

Property: the call either raises TypeError, ValueError or OverflowError whose message names the
replaced argument, or returns a result whose numbers are all finite (except the fields that are
documented to hold inf: a prox strength mu or a lam of inf); the inputs are never modified.
"""
from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import quantopt.proxquant as pq


def ro(a, dtype=float):
    a = np.array(a, dtype=dtype)
    a.flags.writeable = False
    return a


DATA = pq.make_dataset(16, 3, seed=1)     # 11 training, 5 test samples
MLP = pq.make_mlp(3, 2)                   # 13 parameters, 8 of them quantized
THETA = ro(MLP.init(0))

# Bad and odd values: most are refused; some are valid for some arguments (None: a default;
# 0 and inf for lam; 1e308 for lr), and then the result must be finite.
BAD = [None, "abc", 1j, [1j], True, np.nan, np.inf, -np.inf, -1, 0, 0.5, 1e308, -1e308,
       [[1.0, 2.0], [3.0]], ro(np.zeros((2, 3))), ro(np.zeros(0)), ro(np.zeros((1, 1, 1))),
       ro([np.nan, 1.0]), ro([1.0, np.inf]), ro([2**60, 1], dtype=np.int64), object(),
       ro([True, False], dtype=bool), ro(np.ones(MLP.n_params, dtype=complex), dtype=complex)]


def data_with(**fields):
    return pq.Dataset(*[fields.get(k, getattr(DATA, k)) for k in
                        ("X_train", "y_train", "X_test", "y_test")])


def train(method):
    def call(model=MLP, data=DATA, theta0=THETA, **kw):
        kw = {"epochs": 1, "batch_size": 4, **kw}
        return pq.TRAINERS[method](model, data, theta0, **kw)
    return call


def model_call(name):
    def call(theta=THETA, X=DATA.X_train, y=DATA.y_train):
        fn = getattr(MLP, name)
        return fn(theta, X) if name == "predict" else fn(theta, X, y)
    return call


def train_with_data(method):
    """A trainer whose data fields are separate arguments (so that errors must name them)."""
    def call(**fields):
        return train(method)(data=data_with(**fields))
    return call


FUNCTIONS = {
    # name: (callable, the arguments that are fuzzed, valid values for them)
    "make_logistic": (pq.make_logistic, {"n_features": 3, "n_out": 1}),
    "make_mlp": (pq.make_mlp, {"n_in": 3, "n_hidden": 2, "n_out": 1, "activation": "tanh"}),
    "make_dataset": (pq.make_dataset, {"n_samples": 12, "n_features": 3, "kind": "moons",
                                       "noise": 0.2, "test_fraction": 0.25, "seed": 0}),
    "sign_changes": (pq.sign_changes, {"theta": ro([1.0, -2.0, 0.0]),
                                       "theta0": ro([1.0, 1.0, -1.0]), "mask": None}),
    "quantize_model": (pq.quantize_model, {"model": MLP, "theta": THETA,
                                           "levels": ro([-1.0, 1.0])}),
    "f_plus": (pq.f_plus, {"x": ro([0.3, -1.0])}),
    "f_minus_grad": (pq.f_minus_grad, {"x": ro([0.3, -1.0])}),
    "smoothed_w": (pq.smoothed_w, {"theta": ro([0.3, -1.0]), "delta": 0.1}),
    "smoothed_w_grad": (pq.smoothed_w_grad, {"theta": ro([0.3, -1.0]), "delta": 0.1}),
    "smoothed_w_prox": (pq.smoothed_w_prox, {"v": ro([0.3, -1.0]), "mu": 0.2, "delta": 0.1}),
    "lazy_prox_toy": (pq.lazy_prox_toy, {"eta": 0.25, "lam": 4.0, "delta": 0.1}),
    "iterate": (pq.iterate, {"method": "proxquant", "grad": pq.f_plus_grad,
                             "theta0": ro([0.3, -0.4]), "lr": 0.1, "n_steps": 4, "lam": 0.01,
                             "levels": ro([-1.0, 1.0]), "prox": None, "homotopy": "step",
                             "rule": "gd", "mask": None, "clip": False}),
    "model.loss": (model_call("loss"), {"theta": THETA, "X": DATA.X_train, "y": DATA.y_train}),
    "model.grad": (model_call("grad"), {"theta": THETA, "X": DATA.X_train, "y": DATA.y_train}),
    "model.predict": (model_call("predict"), {"theta": THETA, "X": DATA.X_train}),
    "model.init": (MLP.init, {"rng": 0}),
}
TRAIN_ARGS = {"model": MLP, "data": DATA, "theta0": THETA, "rule": None, "lr": 0.01,
              "epochs": 1, "batch_size": 4, "rng": 0, "record_theta": False, "clip": True,
              "levels": ro([-1.0, 1.0]), "hard_quant_step": None, "lam": 2e-3, "prox": None,
              "homotopy": "step"}
NOT_TAKEN = {"proxquant": (), "lazy_prox": (), "binaryconnect": ("lam", "prox", "homotopy"),
             "full_precision": ("lam", "prox", "homotopy", "clip", "levels", "hard_quant_step")}
for _m, _skip in NOT_TAKEN.items():
    FUNCTIONS["train_" + _m] = (train(_m), {k: v for k, v in TRAIN_ARGS.items()
                                            if k not in _skip})
    FUNCTIONS["train_" + _m + " data"] = (train_with_data(_m), {
        "X_train": ro(DATA.X_train), "y_train": ro(DATA.y_train, dtype=np.int64),
        "X_test": ro(DATA.X_test), "y_test": ro(DATA.y_test, dtype=np.int64)})

# arguments that may legitimately hold inf in a result: mu (BinaryConnect's prox strength), lam
INF_FIELDS = {"mu", "lam"}
EXPECTED = (TypeError, ValueError, OverflowError)


def finite(value, key=""):
    """Every number in value is finite (recursing into tuples, lists and dicts)."""
    if key in INF_FIELDS:
        return True
    if isinstance(value, dict):
        return all(finite(v, k) for k, v in value.items())
    if hasattr(value, "_fields"):
        return all(finite(v, k) for k, v in zip(value._fields, value))
    if isinstance(value, (list, tuple)):
        return all(finite(v, key) for v in value)
    if isinstance(value, (float, int, np.ndarray, np.number)) and not isinstance(value, bool):
        arr = np.asarray(value)
        return arr.dtype.kind not in "fc" or bool(np.isfinite(arr).all())
    return True


def snapshot(args):
    return {k: np.array(v, copy=True) for k, v in args.items() if isinstance(v, np.ndarray)}


# counts: a huge valid value would make a run (or an allocation) huge, so they get small integers
COUNTS = {"n_features", "n_out", "n_in", "n_hidden", "n_samples", "n_steps", "epochs",
          "batch_size", "hard_quant_step"}


def readonly(a):
    a.flags.writeable = False
    return a


# arrays of any of these dtypes (numpy's default elements: NaN and inf included for floats) and
# shapes, read-only so that a write into an input fails loudly
arrays = hnp.arrays(st.sampled_from([np.float64, np.float32, np.int64, np.bool_, np.complex128]),
                    hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)
                    ).map(readonly)
float_arrays = hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=5),
                          elements=st.floats(allow_nan=True, allow_infinity=True)).map(readonly)


def values_for(arg):
    small = st.integers(-5, 20)
    scalars = (st.floats(allow_nan=True, allow_infinity=True) | small
               | st.sampled_from([True, None, "abc", 1j, 2**53 + 1, 2**70]))
    if arg in COUNTS:
        scalars = st.floats(allow_nan=True, allow_infinity=True) | small | st.sampled_from(
            [True, None, "abc", 1j])
    return st.sampled_from(BAD) | scalars | arrays | float_arrays


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(FUNCTIONS)), st.data())
def test_fuzz_public_functions(name, data):
    fn, valid = FUNCTIONS[name]
    arg = data.draw(st.sampled_from(sorted(valid)), label="argument")
    bad = data.draw(values_for(arg), label="value")
    args = dict(valid, **{arg: bad})
    before = snapshot(args)
    try:
        result = fn(**args)
    except EXPECTED as err:
        # the message names the argument (model.grad's own arguments: theta, X, y)
        assert re.search(rf"\b{re.escape(arg)}\b", str(err)), (name, arg, bad, str(err))
    else:
        assert finite(result), (name, arg, bad)
    for key, copy in before.items():
        assert np.array_equal(args[key], copy, equal_nan=True), (name, key)


def test_the_valid_calls_return_finite_results():
    """The baseline of the fuzz: every valid call runs and is finite (so that the property
    above is about the replaced argument)."""
    for name, (fn, valid) in FUNCTIONS.items():
        before = snapshot(valid)
        assert finite(fn(**valid)), name
        for key, copy in before.items():
            assert np.array_equal(valid[key], copy), (name, key)


def test_sweep_every_argument_with_every_bad_value():
    """The same property as the fuzz, exhaustively: every (function, argument, value) triple."""
    failures = []
    for name, (fn, valid) in sorted(FUNCTIONS.items()):
        for arg in sorted(valid):
            for bad in BAD:
                args = dict(valid, **{arg: bad})
                before = snapshot(args)
                try:
                    result = fn(**args)
                except EXPECTED as err:
                    if not re.search(rf"\b{re.escape(arg)}\b", str(err)):
                        failures.append((name, arg, repr(bad), str(err)))
                else:
                    if not finite(result):
                        failures.append((name, arg, repr(bad), "non-finite result"))
                for key, copy in before.items():
                    if not np.array_equal(args[key], copy, equal_nan=True):
                        failures.append((name, arg, repr(bad), f"{key} modified"))
    assert not failures, failures[:10]
