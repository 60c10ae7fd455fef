"""Regression tests for quantopt.proxquant's input checks and run-time failures (issue 15).

Each test names the issue item it covers. The oracles: the error type and the argument named in
its message; that no step was taken before a bad input was refused (a spy gradient that counts
its calls); and, for the bounds, the same call with a good value runs and returns finite numbers.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import quantopt.proxquant as pq

SMALL = pq.make_dataset(30, 3, seed=2)  # 20 training, 10 test samples
MODEL = pq.make_mlp(3, 4)


def with_field(data, **fields):
    """data with some of X_train, y_train, X_test, y_test replaced."""
    return pq.Dataset(*[fields.get(k, getattr(data, k)) for k in
                        ("X_train", "y_train", "X_test", "y_test")])


def with_nan(a, where=(0, 0), value=np.nan):
    a = np.array(a, dtype=float)
    a[where] = value
    return a


class CountingGrad:
    """model.grad, counting its calls (a bad input must be refused before the first step)."""

    def __init__(self, model):
        self.model, self.calls = model, 0

    def __call__(self, theta, X, y):
        self.calls += 1
        return self.model.grad(theta, X, y)


# ------------------------------------------------------------------------------------------------
# issue 15 item 11: data checked up front, naming the array


@pytest.mark.parametrize("field", ["X_train", "X_test"])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("method", sorted(pq.TRAINERS))
def test_nonfinite_features_are_refused_before_the_first_step(field, value, method):
    # issue 15 item 11: NaN in X_test was accepted; NaN in X_train failed late, naming neither
    spy = CountingGrad(MODEL)
    data = with_field(SMALL, **{field: with_nan(getattr(SMALL, field), (3, 1), value)})
    with pytest.raises(ValueError, match=field):
        pq.TRAINERS[method](MODEL._replace(grad=spy), data, epochs=1)
    assert spy.calls == 0
    pq.TRAINERS[method](MODEL._replace(grad=spy), SMALL, epochs=1)  # the clean data run
    assert spy.calls > 0


@pytest.mark.parametrize("field", ["y_train", "y_test"])
def test_bad_labels_are_refused_naming_them(field):
    # issue 15 item 11: labels checked up front, naming y_train / y_test
    y = getattr(SMALL, field)
    for bad, err in ((with_nan(y, 0), ValueError), (y + 0.5, ValueError), (y[:-1], ValueError),
                     (y - 1, ValueError), (y.astype(bool), TypeError),
                     (y.astype(complex), TypeError)):
        with pytest.raises(err, match=field):
            pq.train_proxquant(MODEL, with_field(SMALL, **{field: bad}), epochs=1)


def test_model_calls_refuse_nonfinite_X_and_theta():
    # issue 15 item 11: the model's own calls name X and theta
    th = MODEL.init(0)
    for call in (lambda X: MODEL.loss(th, X, SMALL.y_train),
                 lambda X: MODEL.grad(th, X, SMALL.y_train), lambda X: MODEL.predict(th, X)):
        with pytest.raises(ValueError, match="X"):
            call(with_nan(SMALL.X_train))
    with pytest.raises(ValueError, match="theta"):
        MODEL.grad(with_nan(th, 2, np.inf), SMALL.X_train, SMALL.y_train)
    with pytest.raises(TypeError, match="theta"):
        MODEL.loss(th.astype(complex), SMALL.X_train, SMALL.y_train)


# ------------------------------------------------------------------------------------------------
# issue 15 item 11: a user's prox and grad are checked, naming them


@pytest.mark.parametrize("bad_prox, err", [
    (lambda v, mu: v[:-1], ValueError),  # wrong shape (was numpy's boolean-index error)
    (lambda v, mu: None, TypeError),
    (lambda v, mu: v + 0j, TypeError),
    (lambda v, mu: np.full_like(v, np.nan), ValueError),
    (lambda v, mu: v.reshape(1, -1), ValueError),
])
def test_a_user_prox_with_a_bad_result_is_named(bad_prox, err):
    # issue 15 item 11
    with pytest.raises(err, match="prox"):
        pq.train_proxquant(MODEL, SMALL, epochs=1, prox=bad_prox)
    with pytest.raises(err, match="prox"):
        pq.train_lazy_prox(MODEL, SMALL, epochs=1, lam=1e-2, prox=bad_prox)
    with pytest.raises(err, match="prox"):
        pq.iterate("proxquant", pq.f_plus_grad, [0.3, -0.2], lr=0.1, n_steps=3, lam=1.0,
                   prox=bad_prox)


@pytest.mark.parametrize("method", ["gd", "proxquant", "binaryconnect", "lazy_prox"])
@pytest.mark.parametrize("bad_grad, err", [
    (lambda t: None, TypeError),                      # was a NaN path without a word
    (lambda t: "x", TypeError),
    (lambda t: t + 1j, TypeError),
    (lambda t: np.zeros(3), ValueError),
    (lambda t: t * np.nan, ValueError),
    (lambda t: np.full_like(t, np.inf), ValueError),
])
def test_iterate_names_a_gradient_that_breaks_its_contract(method, bad_grad, err):
    # issue 15 item 11: iterate('gd', lambda t: None, ...) returned a NaN path
    with pytest.raises(err, match="grad"):
        pq.iterate(method, bad_grad, [0.3, -0.7], lr=0.1, n_steps=5, lam=1e-2)


def test_iterate_stops_with_an_error_naming_grad_at_its_first_nonfinite_value():
    # issue 15 item 11: a gradient that is finite for a while, then NaN
    def grad(t):
        return np.where(t > 2.0, np.nan, -1.0)   # pushes theta up by lr per step

    with pytest.raises(ValueError, match="grad returned non-finite values .* step 10"):
        pq.iterate("gd", grad, 1.05, lr=0.1, n_steps=50)
    assert pq.iterate("gd", grad, 1.05, lr=0.1, n_steps=9).theta[-1] == pytest.approx(1.95)


def test_a_model_grad_with_a_bad_result_is_named():
    # issue 15 item 11: in training, the callable is model.grad
    for bad, err in ((lambda t, X, y: None, TypeError), (lambda t, X, y: t[:-1], ValueError),
                     (lambda t, X, y: t * np.nan, ValueError)):
        with pytest.raises(err, match="model.grad"):
            pq.train_full_precision(MODEL._replace(grad=bad), SMALL, epochs=1)


# ------------------------------------------------------------------------------------------------
# issue 15 item 11: a run whose iterate overflows says so, naming lr


def test_iterate_overflow_names_lr():
    # issue 15 item 11: gd on L = x^2/2 with lr = 1e300: x1 = 1 - 1e300, x2 overflows
    with pytest.raises(ValueError, match=r"lr=1e\+300"):
        pq.iterate("gd", lambda t: t, 1.0, lr=1e300, n_steps=3)
    # the same problem with lr < 2 (stable: x_t = (1 - lr)^t) runs, with the closed form
    path = pq.iterate("gd", lambda t: t, 1.0, lr=1.5, n_steps=6)
    np.testing.assert_allclose(path.theta, (-0.5) ** np.arange(7), rtol=0, atol=0)
    # a slow overflow: lr = 3 doubles |x| each step, overflowing after about 1024 steps
    with pytest.raises(ValueError, match="lr=3"):
        pq.iterate("gd", lambda t: t, 1.0, lr=3.0, n_steps=1100)
    assert np.isfinite(pq.iterate("gd", lambda t: t, 1.0, lr=3.0, n_steps=1000).theta).all()


@pytest.mark.parametrize("method, rule, lr", [(m, "adam", 1e308) for m in sorted(pq.TRAINERS)]
                         + [("full_precision", "gd", 1e200),
                            ("full_precision", "momentum", 1e250)])
def test_training_overflow_names_lr(method, rule, lr):
    # issue 15 item 11: a too large lr gave NaN histories without a word. (With gd or momentum
    # the quantized methods keep the weights in [-1, 1] (clip, prox), so a huge lr there gives
    # huge but finite gains and losses, not an overflow.)
    with pytest.raises(ValueError, match=re.escape(f"lr={lr!r}")):
        pq.TRAINERS[method](MODEL, SMALL, epochs=3, rule=rule, lr=lr)
    res = pq.TRAINERS[method](MODEL, SMALL, epochs=3, rule=rule, lr=1e-2)
    for key in ("loss", "train_acc", "test_acc", "sign_change", "quant_gap"):
        assert np.isfinite(res.history[key]).all()
    assert np.isfinite(res.theta).all()


def test_model_overflow_is_a_value_error_naming_theta():
    # issue 15 item 11: a finite but huge theta overflows the logits
    th = np.full(MODEL.n_params, 1e200)
    for call in (lambda: MODEL.loss(th, SMALL.X_train, SMALL.y_train),
                 lambda: MODEL.grad(th, SMALL.X_train, SMALL.y_train),
                 lambda: MODEL.predict(th, SMALL.X_train)):
        with pytest.raises(pq.ModelOverflow, match="theta"):
            call()
    assert issubclass(pq.ModelOverflow, ValueError)
    # a large theta that does not overflow is fine: logits up to ~1e150 give finite losses
    assert math.isfinite(MODEL.loss(np.full(MODEL.n_params, 1e50), SMALL.X_train,
                                    SMALL.y_train))


# ------------------------------------------------------------------------------------------------
# issue 15 item 9 (part): real arrays, not silently coerced


@pytest.mark.parametrize("call, name", [
    (lambda v: pq.sign_changes(v, [1.0]), "theta"),
    (lambda v: pq.sign_changes([1.0], v), "theta0"),
    (lambda v: pq.f_plus(v), "x"),
    (lambda v: pq.f_minus(v), "x"),
    (lambda v: pq.f_plus_grad(v), "x"),
    (lambda v: pq.f_minus_grad(v), "x"),
    (lambda v: pq.smoothed_w(v), "theta"),
    (lambda v: pq.smoothed_w_grad(v), "theta"),
    (lambda v: pq.smoothed_w_prox(v, 0.1), "v"),
    (lambda v: pq.iterate("gd", pq.f_plus_grad, v, lr=0.1, n_steps=2), "theta0"),
    (lambda v: pq.lazy_prox_toy().loss(v), "theta"),
])
@pytest.mark.parametrize("bad", [[1j], None, "abc", [True], [[1.0], [1.0, 2.0]]])
def test_non_real_input_raises_type_error_naming_it(call, name, bad):
    # issue 15 item 9: sign_changes([1j], [1.0]) returned 0.0, f_plus(None) returned nan
    with pytest.raises(TypeError, match=rf"\b{name}\b"):
        call(bad)


@pytest.mark.parametrize("call, name", [
    (lambda v: pq.f_plus(v), "x"),
    (lambda v: pq.smoothed_w(v), "theta"),
    (lambda v: pq.smoothed_w_prox(v, 0.1), "v"),
])
@pytest.mark.parametrize("bad", [np.nan, [0.5, np.inf]])
def test_nonfinite_toy_input_raises_value_error_naming_it(call, name, bad):
    # issue 15 item 9
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        call(bad)


def test_sign_changes_accepts_infinite_but_not_nan():
    # issue 15 item 9: inf has a sign (counted), NaN has none (refused)
    assert pq.sign_changes([np.inf, -np.inf], [1.0, 1.0]) == 0.5
    with pytest.raises(ValueError, match="NaN"):
        pq.sign_changes([1.0, np.nan], [1.0, 1.0])
    with pytest.raises(TypeError, match="mask"):
        pq.sign_changes([1.0, 2.0], [1.0, 1.0], mask=[1, 0])


# ------------------------------------------------------------------------------------------------
# issue 15 item 13 (part): seeds and rngs; item 15: make_dataset's noise bound

BAD_SEEDS = [("abc", TypeError), (-1, ValueError), (1.5, TypeError), (True, TypeError),
             (np.nan, TypeError), ([1, 2], TypeError)]


@pytest.mark.parametrize("seed, err", BAD_SEEDS)
def test_bad_seeds_are_named(seed, err):
    # issue 15 item 13: 'abc', -1, 1.5 surfaced numpy's SeedSequence errors
    with pytest.raises(err, match=r"\bseed\b"):
        pq.make_dataset(20, 3, seed=seed)
    with pytest.raises(err, match=r"\brng\b"):
        MODEL.init(seed)
    for method in pq.TRAINERS:
        with pytest.raises(err, match=r"\brng\b"):
            pq.TRAINERS[method](MODEL, SMALL, epochs=1, rng=seed)


def test_good_seeds_are_accepted_and_a_generator_continues():
    # issue 15 item 13: None, ints, SeedSequence, BitGenerator and Generator are all seeds
    a = pq.make_dataset(20, 3, seed=np.random.SeedSequence(4))
    b = pq.make_dataset(20, 3, seed=4)
    assert np.array_equal(a.X_train, b.X_train)
    assert pq.make_dataset(20, 3, seed=None).X_train.shape == (13, 3)
    gen = np.random.default_rng(7)
    first, second = MODEL.init(gen), MODEL.init(gen)
    assert not np.array_equal(first, second)  # the stream continues
    assert np.array_equal(first, MODEL.init(np.random.PCG64(7)))


@pytest.mark.parametrize("noise", [1e101, 1e200, 1e308])
def test_make_dataset_refuses_noise_that_would_overflow(noise):
    # issue 15 item 15: make_dataset(noise=1e308) made inf/NaN data
    with pytest.raises(ValueError, match="noise"):
        pq.make_dataset(20, 3, noise=noise)


@settings(max_examples=30, deadline=None)
@given(noise=st.floats(0, 1e100) | st.sampled_from([0.0, 5e-324, 1e-300, 1e50, 1e100]),
       kind=st.sampled_from(["moons", "xor"]), n=st.integers(2, 40), seed=st.integers(0, 2**32))
@example(noise=1e100, kind="moons", n=40, seed=0)
@example(noise=1e100, kind="xor", n=2, seed=0)
def test_make_dataset_is_finite_for_every_accepted_noise(noise, kind, n, seed):
    # issue 15 item 15: finite parameters give finite, standardized data
    d = pq.make_dataset(n, 3, kind=kind, noise=noise, test_fraction=0.5, seed=seed)
    for a in d[:4]:
        assert np.isfinite(a).all()


# ------------------------------------------------------------------------------------------------
# found by tests/test_proxquant_fuzz.py (issue 15, the fuzz asked for with item 11)


def test_test_fraction_must_be_below_one():
    # issue 15 fuzz: test_fraction=1e308 raised "cannot convert float infinity to integer"
    for bad in (1e308, 1.0, 2.0):
        with pytest.raises(ValueError, match="test_fraction"):
            pq.make_dataset(20, 3, test_fraction=bad)
    assert pq.make_dataset(20, 3, test_fraction=0.25).X_test.shape == (5, 3)


def test_a_ragged_mask_and_an_array_as_data_are_named():
    # issue 15 fuzz: a ragged mask gave numpy's inhomogeneous-shape error; an array passed as
    # data was unpacked row by row and the error named X_train
    with pytest.raises(TypeError, match="mask"):
        pq.iterate("gd", pq.f_plus_grad, [0.1, 0.2], lr=0.1, n_steps=2, mask=[[True], [1, 2]])
    with pytest.raises(TypeError, match="data"):
        pq.train_proxquant(MODEL, np.ones((5, 3)), epochs=1)
    with pytest.raises(ValueError, match="X_test"):  # names both arrays of the mismatch
        pq.train_proxquant(MODEL, with_field(SMALL, X_test=SMALL.X_test[:2]), epochs=1)


@pytest.mark.parametrize("u, mu", [(1e200, 1e199), (1e300, 3e299), (5e307, 1e307)])
def test_smoothed_w_prox_of_huge_values(u, mu):
    # issue 15 fuzz: the objective overflowed to inf for every candidate, all tied, and the
    # prox returned 0. For u - mu >= 1 + delta the minimizer is on the outer linear piece,
    # x = u - mu (there R = x - 1: the objective's derivative x - u + mu vanishes), and the sign
    # of v is kept.
    assert pq.smoothed_w_prox(u, mu, 0.1) == u - mu
    assert pq.smoothed_w_prox(-u, mu, 0.1) == -(u - mu)
    # and a huge mu sends a moderate v to the nearest minimizer of R, the level +-1
    assert pq.smoothed_w_prox(0.3, 1e300, 0.1) == 1.0
    assert pq.smoothed_w_prox(-0.3, 1e300, 0.1) == -1.0
