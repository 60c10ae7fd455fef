"""Tests of quantopt.proxquant: the models, the training loops, the paper's toy problems.

Oracles are independent of the code under test: scipy's finite differences
(``scipy.optimize.approx_fprime``) and a closed-form logistic-regression gradient written here;
a brute-force minimization (dense grid, then scipy's bounded scalar minimizer) for the prox of the
smoothed W; an elementwise loop for the sign-change count; the update equations re-implemented
here (with plain gradient descent, so that the whole trajectory can be rebuilt from what a spy
gradient function saw); closed forms for the toy problems, derived in the docstrings of
``f_plus``/``f_minus`` and ``lazy_prox_toy`` and re-checked here with the brute-force prox.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import approx_fprime, minimize_scalar

import quantopt.proxquant as pq
from quantopt.gradcheck import check_grad
from quantopt.optim import gd, momentum

SMALL = pq.make_dataset(60, 4, seed=3)  # 40 training, 20 test samples


def readonly(a):
    a = np.array(a)
    a.flags.writeable = False
    return a


def w_prox_reference(v, mu):
    """The W-shaped prox written out: soft threshold toward sign(v), sign(0) = +1."""
    s = np.where(v >= 0, 1.0, -1.0)
    return s + np.sign(v - s) * np.maximum(np.abs(v - s) - mu, 0.0)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ------------------------------------------------------------------------------------------------
# models

MODELS = {
    "logistic": lambda: pq.make_logistic(4),
    "softmax": lambda: pq.make_logistic(4, n_out=3),
    "mlp-tanh": lambda: pq.make_mlp(4, 6),
    "mlp-relu": lambda: pq.make_mlp(4, 6, activation="relu"),
    "mlp-3class": lambda: pq.make_mlp(4, 5, 3),
}


def labels_for(model, n, seed=0):
    return np.random.default_rng(seed).integers(0, max(2, model.sizes[-1]), n)


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_model_gradient_passes_gradcheck_and_matches_scipy(name, seed):
    model = MODELS[name]()
    X = SMALL.X_train[:25]
    y = labels_for(model, 25, seed)
    theta = model.init(seed) + 0.3 * np.random.default_rng(seed + 10).standard_normal(
        model.n_params)

    def f(t):
        return model.loss(t, X, y)

    def g(t):
        return model.grad(t, X, y)

    result = check_grad(f, g, theta)
    assert result.ok, (result.max_abs_err, result.worst_index)
    reference = approx_fprime(theta, f, 1e-7)
    np.testing.assert_allclose(g(theta), reference, rtol=1e-4, atol=1e-6)


def test_model_gradient_check_fails_for_a_wrong_gradient():
    model = pq.make_mlp(4, 6)
    X, y = SMALL.X_train, SMALL.y_train
    theta = model.init(0)
    wrong = lambda t: model.grad(t, X, y) * np.where(model.quantized_mask, 1.0, 0.5)  # noqa
    assert not check_grad(lambda t: model.loss(t, X, y), wrong, theta).ok


def test_logistic_gradient_closed_form():
    model = pq.make_logistic(4)
    X, y = SMALL.X_train, SMALL.y_train
    theta = np.random.default_rng(5).standard_normal(model.n_params)
    w, a, b = theta[:4], theta[4], theta[5]
    u = X @ w
    z = a * u + b
    r = (sigmoid(z) - y) / len(y)
    expected = np.concatenate([a * (X.T @ r), [r @ u], [r.sum()]])
    loss = np.mean(np.log1p(np.exp(z)) - y * z)
    np.testing.assert_allclose(model.grad(theta, X, y), expected, rtol=1e-12, atol=1e-15)
    assert model.loss(theta, X, y) == pytest.approx(loss, rel=1e-12)
    assert np.array_equal(model.predict(theta, X), (z > 0).astype(int))


def test_mlp_forward_matches_a_direct_computation():
    model = pq.make_mlp(4, 6, 3)
    theta = model.init(7)
    p = model.unpack(theta)
    X = SMALL.X_test
    h = np.tanh(p["a1"] * (X @ p["W1"]) + p["b1"])
    z = p["a2"] * (h @ p["W2"]) + p["b2"]
    y = labels_for(model, len(X), 1)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    assert model.loss(theta, X, y) == pytest.approx(-np.mean(logp[np.arange(len(y)), y]))
    assert np.array_equal(model.predict(theta, X), np.argmax(z, axis=1))


def test_quantized_mask_is_the_weights():
    mlp = pq.make_mlp(4, 6, 2)
    mask = mlp.quantized_mask
    assert mask.sum() == 4 * 6 + 6 * 2 and mlp.n_params == mask.sum() + 2 + 6 + 2
    for key, (sl, _) in mlp.layout.items():
        assert mask[sl].all() == key.startswith("W") and mask[sl].any() == key.startswith("W")
    with pytest.raises(ValueError):
        mask[0] = False  # read-only
    p = mlp.unpack(mlp.init(0))
    assert p["a1"] == 0.5 and p["a2"] == pytest.approx(1 / math.sqrt(6))  # 1/sqrt(fan_in)
    assert np.all(p["b1"] == 0) and np.all(p["b2"] == 0) and np.all(p["W1"] != 0)
    assert p["W1"].shape == (4, 6) and p["W2"].shape == (6, 2)


def test_models_do_not_modify_inputs():
    model = pq.make_mlp(4, 6)
    theta = readonly(model.init(0))
    X, y = readonly(SMALL.X_train), readonly(SMALL.y_train)
    copies = [theta.copy(), X.copy(), y.copy()]
    model.loss(theta, X, y), model.grad(theta, X, y), model.predict(theta, X)
    model.accuracy(theta, X, y)
    for a, c in zip((theta, X, y), copies):
        assert np.array_equal(a, c)


# ------------------------------------------------------------------------------------------------
# data


def test_dataset_is_deterministic_standardized_and_split():
    a = pq.make_dataset(300, 5, seed=4)
    b = pq.make_dataset(300, 5, seed=4)
    c = pq.make_dataset(300, 5, seed=5)
    for x, z in zip(a[:4], b[:4]):
        assert np.array_equal(x, z)
    assert not np.array_equal(a.X_train, c.X_train)
    assert a.X_train.shape == (200, 5) and a.X_test.shape == (100, 5)
    np.testing.assert_allclose(a.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(a.X_train.std(axis=0), 1, atol=1e-12)
    y = np.concatenate([a.y_train, a.y_test])
    assert y.sum() == 150  # balanced
    xor = pq.make_dataset(200, 2, kind="xor", noise=0.0, seed=0)
    X = np.concatenate([xor.X_train, xor.X_test])
    yy = np.concatenate([xor.y_train, xor.y_test])
    assert np.array_equal(yy, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))


# ------------------------------------------------------------------------------------------------
# sign changes

signed = st.floats(-3, 3)


@given(st.lists(st.tuples(st.sampled_from([-2.0, -0.0, 0.0, 0.5, -1e-300, 1e-300]) | signed,
                          st.sampled_from([-1.0, -0.0, 0.0, 2.0]) | signed, st.booleans()),
                min_size=1, max_size=30))
def test_sign_changes_against_a_loop(rows):
    theta = np.array([r[0] for r in rows])
    theta0 = np.array([r[1] for r in rows])
    mask = np.array([r[2] for r in rows])
    changed = total = 0
    for t, t0, m in rows:
        if m:
            total += 1
            plus_now = not (t < 0)
            plus_before = not (t0 < 0)
            changed += plus_now != plus_before
    expected = changed / total if total else 0.0
    assert pq.sign_changes(theta, theta0, mask) == expected
    assert pq.sign_changes(theta, theta0) == np.mean([(not a < 0) != (not b < 0)
                                                      for a, b, _ in rows])


def test_sign_changes_zero_counts_as_plus():
    assert pq.sign_changes([0.0, -0.0, 0.0], [1.0, 1.0, -1.0]) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="theta0"):
        pq.sign_changes([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="NaN"):
        pq.sign_changes([np.nan], [1.0])


# ------------------------------------------------------------------------------------------------
# the toy f+ / f- (Figure 1b)


def test_fplus_fminus_have_identical_gradients_on_the_binary_points():
    pts = np.array([-1.0, 1.0])
    assert np.array_equal(pq.f_plus_grad(pts), pq.f_minus_grad(pts))
    assert np.array_equal(pq.f_plus_grad(pts), [-1.0, 1.0])
    # ... but opposite minimizers on {-1, +1}
    assert pts[np.argmin(pq.f_plus(pts))] == -1.0 and pts[np.argmin(pq.f_minus(pts))] == 1.0
    x = np.linspace(-2, 2, 401)
    assert x[np.argmin(pq.f_plus(x))] == pytest.approx(-0.5)
    assert x[np.argmin(pq.f_minus(x))] == pytest.approx(0.5)


@settings(max_examples=40)
@given(st.floats(-1, 1), st.sampled_from([0.005, 0.01, 0.05, 0.25]), st.integers(1, 300))
def test_binaryconnect_runs_identically_on_fplus_and_fminus(theta0, lr, n_steps):
    a = pq.iterate("binaryconnect", pq.f_plus_grad, theta0, lr=lr, n_steps=n_steps)
    b = pq.iterate("binaryconnect", pq.f_minus_grad, theta0, lr=lr, n_steps=n_steps)
    assert np.array_equal(a.theta, b.theta) and np.array_equal(a.points, b.points)
    assert set(np.unique(a.points)) <= {-1.0, 1.0}  # it only ever sees {-1, +1}
    q = float(np.where(a.theta[-1] >= 0, 1.0, -1.0))
    # the same output on both problems: wrong (value 1 instead of 0) on one of them
    assert max(pq.f_plus(q), pq.f_minus(q)) == 1.0


@settings(max_examples=15)
@given(st.floats(-1, 1), st.sampled_from([0.005, 0.01, 0.02]))
def test_proxquant_and_gd_find_the_minimizer_of_each(theta0, lr):
    # homotopy lam_t = lam * t: lam_t reaches 1 (the prox beats the unit slope) at t = 500, after
    # the gradient steps have carried theta across to the minimizer's side (at most 1 = the sum
    # of lr (1 - lam t) over t, about 280 steps for lr = 0.005)
    for grad, x_star, q_star in ((pq.f_plus_grad, -0.5, -1.0), (pq.f_minus_grad, 0.5, 1.0)):
        path = pq.iterate("proxquant", grad, theta0, lr=lr, n_steps=1000, lam=2e-3)
        assert path.theta[-1] == q_star and np.all(path.theta[-100:] == q_star)
        fp = pq.iterate("gd", grad, theta0, lr=lr, n_steps=1000)
        assert abs(fp.theta[-1] - x_star) <= lr
        assert np.where(fp.theta[-1] >= 0, 1.0, -1.0) == q_star


# ------------------------------------------------------------------------------------------------
# the smoothed W and Theorem 5.2


def brute_prox(v, mu, delta):
    """argmin_x 1/2 (x - v)^2 + mu R_delta(x): a dense grid, then a bounded scalar search."""
    def obj(x):
        return 0.5 * (x - v) ** 2 + mu * pq.smoothed_w(x, delta)

    grid = np.linspace(-4.0, 4.0, 16001)
    i = int(np.argmin(obj(grid)))
    res = minimize_scalar(obj, bounds=(grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]),
                          method="bounded", options={"xatol": 1e-12})
    return (res.x, res.fun) if res.fun < obj(grid[i]) else (grid[i], obj(grid[i]))


def test_smoothed_w_pieces_and_distance_to_w():
    for delta in (0.05, 0.1, 0.5):
        x = np.linspace(-3, 3, 6001)
        r = pq.smoothed_w(x, delta)
        w = np.abs(np.abs(x) - 1)
        assert np.all(np.abs(r - w) <= delta / 2 + 1e-15)
        # continuous, with a continuous derivative: compare across each joint
        for joint in (delta, 1 - delta, 1 + delta):
            for s in (-1, 1):
                lo, hi = s * joint - 1e-9, s * joint + 1e-9
                assert abs(pq.smoothed_w(lo, delta) - pq.smoothed_w(hi, delta)) < 1e-8
                assert abs(pq.smoothed_w_grad(lo, delta) - pq.smoothed_w_grad(hi, delta)) < 1e-6
    assert np.array_equal(pq.smoothed_w(x, 0.0), np.abs(np.abs(x) - 1))


@given(st.floats(-2.5, 2.5), st.sampled_from([0.05, 0.1, 0.3, 0.5]))
def test_smoothed_w_grad_matches_finite_differences(x, delta):
    expected = approx_fprime(np.array([x]), lambda t: float(pq.smoothed_w(t[0], delta)), 1e-8)
    assert pq.smoothed_w_grad(x, delta) == pytest.approx(expected[0], abs=2e-6 / delta)


def check_prox_minimizes(v, mu, delta):
    x = float(pq.smoothed_w_prox(v, mu, delta))
    _, best = brute_prox(v, mu, delta)
    value = 0.5 * (x - v) ** 2 + mu * float(pq.smoothed_w(x, delta))
    assert value <= best + 1e-9
    assert x * v >= 0  # the sign of v (or 0)


@settings(max_examples=80)
@given(st.floats(-3, 3) | st.floats(-0.3, 0.3), st.floats(0, 3) | st.floats(0, 0.3),
       st.sampled_from([0.0, 0.02, 0.1, 0.25, 0.5]))
def test_smoothed_w_prox_is_the_minimizer(v, mu, delta):
    check_prox_minimizes(v, mu, delta)


@pytest.mark.parametrize("v", [0.01, -0.03, 0.05, 0.2, 0.97, 1.3])
@pytest.mark.parametrize("mu", [0.01, 0.05, 0.5])
@pytest.mark.parametrize("delta", [0.1, 0.25])
def test_smoothed_w_prox_on_every_piece(v, mu, delta):
    check_prox_minimizes(v, mu, delta)  # small v and mu < delta: the interior of the cap


def test_smoothed_w_prox_does_not_modify_input():
    v = readonly(np.linspace(-2, 2, 9))
    pq.smoothed_w_prox(v, 0.3, 0.1)
    assert np.array_equal(v, np.linspace(-2, 2, 9))


ETAS = [0.025, 0.03, 0.05, 0.1, 0.2, 0.24, 0.25, 0.26, 0.4, 0.5]


@pytest.mark.parametrize("eta", ETAS)
def test_lazy_prox_oscillates_between_two_nonstationary_points(eta):
    lam, delta = 4.0, 0.1
    toy = pq.lazy_prox_toy(eta, lam, delta)
    theta_c, mu = toy.theta_cycle, eta * lam
    # closed form, re-checked with the brute-force prox: p(theta*) = 2 theta*/eta
    p_brute, _ = brute_prox(theta_c, mu, delta)
    assert p_brute == pytest.approx(2 * theta_c / eta, abs=1e-6)
    # F'(theta*) = theta* + lam R'(theta*) is bounded away from 0: not stationary
    assert abs(theta_c + lam * pq.smoothed_w_grad(theta_c, delta)) > 0.1 * theta_c
    path = pq.iterate("lazy_prox", toy.loss_grad, theta_c, lr=eta, n_steps=800, lam=lam,
                      prox=toy.prox, homotopy="constant")
    alternating = theta_c * (-1.0) ** np.arange(801)
    np.testing.assert_allclose(path.theta, alternating, rtol=0, atol=1e-9)
    np.testing.assert_allclose(np.abs(path.points), 2 * theta_c / eta, rtol=1e-9)
    # ProxQuant with the same L, R, eta, lam converges to the stationary point lam/(lam+delta)
    pqp = pq.iterate("proxquant", toy.loss_grad, theta_c, lr=eta, n_steps=300, lam=lam,
                     prox=toy.prox, homotopy="constant")
    limit = lam / (lam + delta)
    assert toy.proxquant_limit == limit
    assert abs(pqp.theta[-1] - limit) < 1e-12 and abs(pqp.theta[-1] - pqp.theta[-2]) < 1e-12
    assert abs(limit + lam * pq.smoothed_w_grad(limit, delta)) < 1e-12


def test_both_regimes_of_the_two_cycle_occur():
    assert pq.lazy_prox_toy(0.05, 4.0, 0.1).regime == "linear"
    assert pq.lazy_prox_toy(0.25, 4.0, 0.1).regime == "huber"
    assert pq.lazy_prox_toy(0.05, 4.0, 0.1).theta_cycle == pytest.approx(0.05 * 0.2 / 1.95)


@settings(max_examples=10)
@given(st.floats(-2, 2), st.sampled_from([0.05, 0.25, 0.5]))
def test_lazy_cycle_attracts_and_proxquant_gaps_vanish(theta0, eta):
    toy = pq.lazy_prox_toy(eta, 4.0, 0.1)
    lazy = pq.iterate("lazy_prox", toy.loss_grad, theta0, lr=eta, n_steps=1000, lam=4.0,
                      prox=toy.prox, homotopy="constant")
    gaps = np.abs(np.diff(lazy.theta))
    assert np.all(gaps[-200:] > 1.9 * toy.theta_cycle)  # bounded away from 0 ...
    np.testing.assert_allclose(gaps[-10:], 2 * toy.theta_cycle, atol=1e-9)  # ... -> 2 theta*
    prox_q = pq.iterate("proxquant", toy.loss_grad, theta0, lr=eta, n_steps=400, lam=4.0,
                        prox=toy.prox, homotopy="constant")
    assert np.abs(np.diff(prox_q.theta))[-1] < 1e-12  # converges
    assert abs(prox_q.theta[-1]) == pytest.approx(toy.proxquant_limit, abs=1e-12)


def test_lazy_prox_with_the_exact_w_alternates_exactly():
    toy = pq.lazy_prox_toy(0.25, 4.0, 0.0)
    assert (toy.theta_cycle, toy.prox_cycle, toy.proxquant_limit) == (0.125, 1.0, 1.0)
    lazy = pq.iterate("lazy_prox", toy.loss_grad, 0.125, lr=0.25, n_steps=50, lam=4.0,
                      homotopy="constant")  # default prox: quantopt.prox.soft_quantize
    assert lazy.theta.tolist() == [0.125, -0.125] * 25 + [0.125]
    assert lazy.points.tolist() == [1.0, -1.0] * 25
    prox_q = pq.iterate("proxquant", toy.loss_grad, 0.125, lr=0.25, n_steps=5, lam=4.0,
                        homotopy="constant")
    assert prox_q.theta.tolist() == [0.125, 1.0, 1.0, 1.0, 1.0, 1.0]


def test_lazy_toy_rejects_constants_outside_the_closed_forms():
    with pytest.raises(ValueError, match="eta"):
        pq.lazy_prox_toy(0.6)
    with pytest.raises(ValueError, match="delta"):
        pq.lazy_prox_toy(delta=0.7)
    with pytest.raises(ValueError, match="lam"):
        pq.lazy_prox_toy(eta=0.01, lam=4.0, delta=0.1)  # mu < delta: no cycle of either form


# ------------------------------------------------------------------------------------------------
# the training loops: homotopy, hard quantization, where gradients are taken


class Spy:
    """Wraps model.grad, recording every point and the gradient returned."""

    def __init__(self, model):
        self.model, self.points, self.grads = model, [], []

    def __call__(self, theta, X, y):
        g = self.model.grad(theta, X, y)
        self.points.append(np.array(theta))
        self.grads.append(g.copy())
        return g

    def wrap(self):
        return self.model._replace(grad=self)


def test_homotopy_lambda_t_is_lambda_times_t():
    model = pq.make_mlp(4, 5)
    mus = []

    def prox(v, mu):
        mus.append(mu)
        return w_prox_reference(v, mu)

    lr, lam = 0.01, 3e-3
    res = pq.train_proxquant(model, SMALL, model.init(1), lr=lr, lam=lam, epochs=3,
                             batch_size=16, prox=prox, hard_quant_step=10**6, rng=2)
    total = 3 * 3  # ceil(40 / 16) = 3 steps per epoch
    assert len(mus) == total and res.hard_quant_step is None
    for t, mu in enumerate(mus):
        assert mu == pytest.approx(lr * lam * t, rel=1e-15, abs=0)
    assert res.history["lam"].tolist() == pytest.approx([0.0, lam * 2, lam * 5, lam * 8])

    mus.clear()
    pq.train_proxquant(model, SMALL, model.init(1), lr=lr, lam=lam, epochs=3, batch_size=16,
                       prox=prox, homotopy="epoch", hard_quant_step=10**6, rng=2)
    assert mus == pytest.approx([lr * lam * e for e in (0, 0, 0, 1, 1, 1, 2, 2, 2)])
    mus.clear()
    pq.train_proxquant(model, SMALL, model.init(1), lr=lr, lam=lam, epochs=1, batch_size=16,
                       prox=prox, homotopy="constant", hard_quant_step=10**6, rng=2)
    assert mus == pytest.approx([lr * lam] * 3)


@pytest.mark.parametrize("method", ["proxquant", "binaryconnect", "lazy_prox"])
def test_hard_quantization_fixes_the_weights_and_trains_the_rest(method):
    model = pq.make_mlp(4, 5)
    spy = Spy(model)
    hq = 7
    res = pq.TRAINERS[method](spy.wrap(), SMALL, model.init(3), epochs=5, batch_size=16,
                              hard_quant_step=hq, rng=4)
    mask = model.quantized_mask
    assert res.hard_quant_step == hq and len(spy.points) == 15
    after = np.array(spy.points[hq:])
    assert set(np.unique(after[:, mask])) <= {-1.0, 1.0}
    assert np.all(after[:, mask] == after[0, mask])           # frozen from then on
    assert not np.array_equal(after[0, ~mask], after[-1, ~mask])  # the rest keeps training
    assert np.array_equal(res.theta[mask], after[0, mask])
    assert np.array_equal(res.model_theta, res.theta)
    assert set(np.unique(res.theta[mask])) <= {-1.0, 1.0}
    assert res.history["frozen"].tolist() == [False, False, False, True, True, True]
    # default: 2/3 of the steps, the paper's epoch 200 of 300
    default = pq.TRAINERS[method](model, SMALL, model.init(3), epochs=6, batch_size=16, rng=4)
    assert default.hard_quant_step == 12


def test_binaryconnect_takes_gradients_at_the_quantized_point():
    """Rebuild BinaryConnect's trajectory from the spy's records with plain gradient descent."""
    model = pq.make_mlp(4, 5)
    mask = model.quantized_mask
    spy = Spy(model)
    lr = 0.05
    theta0 = 1.5 * model.init(5)
    res = pq.train_binaryconnect(spy.wrap(), SMALL, theta0, rule=gd(), lr=lr, epochs=4,
                                 batch_size=8, hard_quant_step=10**6, rng=6)
    theta = theta0.copy()
    for point, g in zip(spy.points, spy.grads):
        assert np.array_equal(point[mask], np.where(theta[mask] >= 0, 1.0, -1.0))
        assert np.array_equal(point[~mask], theta[~mask])
        theta = theta - lr * g
        theta[mask] = np.clip(theta[mask], -1.0, 1.0)
    assert np.array_equal(res.theta, theta)
    assert np.array_equal(res.model_theta[mask], np.where(theta[mask] >= 0, 1.0, -1.0))


def test_binaryconnect_with_adam_only_sees_binary_weights():
    model = pq.make_mlp(4, 5)
    spy = Spy(model)
    pq.train_binaryconnect(spy.wrap(), SMALL, model.init(0), epochs=3, batch_size=8, rng=1)
    pts = np.array(spy.points)[:, model.quantized_mask]
    assert set(np.unique(pts)) == {-1.0, 1.0}


def test_proxquant_and_lazy_prox_steps_rebuilt_with_gradient_descent():
    model = pq.make_mlp(4, 5)
    mask = model.quantized_mask
    lr, lam = 0.05, 0.02
    theta0 = model.init(8)
    for method in ("proxquant", "lazy_prox"):
        spy = Spy(model)
        res = pq.TRAINERS[method](spy.wrap(), SMALL, theta0, rule=gd(), lr=lr, lam=lam,
                                  epochs=3, batch_size=8, hard_quant_step=10**6, rng=9)
        theta = theta0.copy()
        for t, (point, g) in enumerate(zip(spy.points, spy.grads)):
            mu = lr * lam * t
            if method == "proxquant":
                np.testing.assert_allclose(point, theta, rtol=0, atol=1e-15)
                theta = theta - lr * g
                theta[mask] = w_prox_reference(theta[mask], mu)
            else:
                np.testing.assert_allclose(point[mask], w_prox_reference(theta[mask], mu),
                                           rtol=0, atol=1e-15)
                np.testing.assert_allclose(point[~mask], theta[~mask], rtol=0, atol=1e-15)
                theta = theta - lr * g
            theta[mask] = np.clip(theta[mask], -1.0, 1.0)
        np.testing.assert_allclose(res.theta, theta, rtol=0, atol=1e-13)


def test_lazy_prox_with_infinite_lambda_is_binaryconnect():
    """Section 2.2 of the paper: the straight-through gradient is lazy projection."""
    model = pq.make_mlp(4, 5)
    kw = dict(epochs=4, batch_size=8, hard_quant_step=20, rng=3, rule=momentum(0.9))
    a = pq.train_binaryconnect(model, SMALL, model.init(2), **kw)
    b = pq.train_lazy_prox(model, SMALL, model.init(2), lam=math.inf, **kw)
    assert np.array_equal(a.theta, b.theta)
    for key in ("loss", "test_acc", "sign_change"):
        assert np.array_equal(a.history[key], b.history[key])


def test_full_precision_training_lowers_the_loss_and_ignores_quantization():
    model = pq.make_mlp(4, 8)
    res = pq.train_full_precision(model, SMALL, epochs=20, batch_size=8, rng=0)
    assert res.history["loss"][-1] < 0.6 * res.history["loss"][0]
    assert np.array_equal(res.model_theta, res.theta) and res.hard_quant_step is None
    assert res.history["train_acc"][-1] > 0.85


# ------------------------------------------------------------------------------------------------
# the bench setting (bench/bench_proxquant.py, seed 0)


def test_bench_setting_binaryconnect_changes_more_signs_than_proxquant():
    data = pq.make_dataset(900, 4, noise=0.2, seed=0)
    mlp, logistic = pq.make_mlp(4, 32), pq.make_logistic(4)
    warm = pq.train_full_precision(mlp, data, lr=0.01, epochs=60, rng=0)
    warm_lr = pq.train_full_precision(logistic, data, lr=0.01, epochs=60, rng=0)
    # the data set is one where the MLP beats logistic regression, and binarizing costs accuracy
    assert warm.history["test_acc"][-1] > warm_lr.history["test_acc"][-1] + 0.05
    binarized = mlp.accuracy(pq.quantize_model(mlp, warm.theta), data.X_test, data.y_test)
    assert binarized < warm.history["test_acc"][-1] - 0.05
    prox_q = pq.train_proxquant(mlp, data, warm.theta, lr=0.01, lam=5e-3, epochs=60, rng=1000)
    bc = pq.train_binaryconnect(mlp, data, warm.theta, lr=0.01, epochs=60, rng=1000)
    assert bc.history["sign_change"][-1] > 1.5 * prox_q.history["sign_change"][-1]
    # both end with binary weights, well above chance and below full precision
    for res in (prox_q, bc):
        assert set(np.unique(res.theta[mlp.quantized_mask])) == {-1.0, 1.0}
        assert 0.75 < res.history["test_acc"][-1] < warm.history["test_acc"][-1]


# ------------------------------------------------------------------------------------------------
# reproducibility and input validation


def test_training_is_reproducible_with_a_seed():
    model = pq.make_mlp(4, 5)
    a = pq.train_proxquant(model, SMALL, epochs=3, batch_size=8, rng=11)
    b = pq.train_proxquant(model, SMALL, epochs=3, batch_size=8, rng=11)
    c = pq.train_proxquant(model, SMALL, epochs=3, batch_size=8, rng=12)
    d = pq.train_proxquant(model, SMALL, epochs=3, batch_size=8,
                           rng=np.random.default_rng(11))
    assert np.array_equal(a.theta, b.theta) and np.array_equal(a.theta, d.theta)
    assert all(np.array_equal(a.history[k], b.history[k]) for k in a.history)
    assert not np.array_equal(a.theta, c.theta)
    assert np.array_equal(a.theta0, model.init(11))


def test_training_does_not_modify_its_inputs():
    model = pq.make_mlp(4, 5)
    theta0 = readonly(model.init(0))
    data = pq.Dataset(*(readonly(a) for a in SMALL[:4]))
    before = [theta0.copy()] + [a.copy() for a in data[:4]]
    for method in pq.TRAINERS:
        pq.TRAINERS[method](model, data, theta0, epochs=2, batch_size=8)
    for a, b in zip([theta0, *data[:4]], before):
        assert np.array_equal(a, b)


def test_bad_inputs_raise_value_errors_naming_the_argument():
    model = pq.make_mlp(4, 5)
    th = model.init(0)
    with pytest.raises(ValueError, match="lam"):
        pq.train_proxquant(model, SMALL, th, lam=-1e-3)
    with pytest.raises(ValueError, match="lam"):
        pq.train_lazy_prox(model, SMALL, th, lam=float("nan"))
    with pytest.raises(ValueError, match="hard_quant_step"):
        pq.train_proxquant(model, SMALL, th, hard_quant_step=-1)
    with pytest.raises(ValueError, match="hard_quant_step"):
        pq.train_binaryconnect(model, SMALL, th, hard_quant_step=-5)
    empty = pq.Dataset(np.zeros((0, 4)), np.zeros(0, dtype=int), SMALL.X_test, SMALL.y_test)
    with pytest.raises(ValueError, match="X_train"):
        pq.train_full_precision(model, empty)
    short = pq.Dataset(SMALL.X_train, SMALL.y_train[:-1], SMALL.X_test, SMALL.y_test)
    with pytest.raises(ValueError, match="y_train"):
        pq.train_proxquant(model, short, th)
    wide = pq.Dataset(SMALL.X_train[:, :3], SMALL.y_train, SMALL.X_test, SMALL.y_test)
    with pytest.raises(ValueError, match="X_train"):
        pq.train_binaryconnect(model, wide, th)
    with pytest.raises(ValueError, match="theta0"):
        pq.train_proxquant(model, SMALL, th[:-1])
    with pytest.raises(ValueError, match="X"):
        model.loss(th, SMALL.X_train[:, :2], SMALL.y_train)
    with pytest.raises(ValueError, match="y"):
        model.grad(th, SMALL.X_train, SMALL.y_train + 2)
    with pytest.raises(ValueError, match="theta"):
        model.grad(th[:3], SMALL.X_train, SMALL.y_train)
    with pytest.raises(ValueError, match="lr"):
        pq.train_proxquant(model, SMALL, th, lr=0.0)
    with pytest.raises(ValueError, match="batch_size"):
        pq.train_proxquant(model, SMALL, th, batch_size=0)
    with pytest.raises(ValueError, match="epochs"):
        pq.train_proxquant(model, SMALL, th, epochs=-1)
    with pytest.raises(ValueError, match="homotopy"):
        pq.train_proxquant(model, SMALL, th, homotopy="linear")
    with pytest.raises(ValueError, match="levels"):
        pq.train_proxquant(model, SMALL, th, levels=[1.0, -1.0])
    with pytest.raises(ValueError, match="lam"):
        pq.iterate("proxquant", pq.f_plus_grad, 0.3, lr=0.1, n_steps=3, lam=-1.0)
    with pytest.raises(ValueError, match="method"):
        pq.iterate("adam", pq.f_plus_grad, 0.3, lr=0.1, n_steps=3)
    with pytest.raises(ValueError, match="test_fraction"):
        pq.make_dataset(10, 3, test_fraction=1.0)
    with pytest.raises(ValueError, match="mu"):
        pq.smoothed_w_prox(0.3, -1.0)


# the public names of quantopt/proxquant.py before it became a package (issue 15, Layout)
NAMES_BEFORE_THE_SPLIT = [
    "Model", "Dataset", "TrainResult", "Path", "LazyToy", "make_logistic", "make_mlp",
    "make_dataset", "train_full_precision", "train_proxquant", "train_binaryconnect",
    "train_lazy_prox", "TRAINERS", "iterate", "sign_changes", "quantize_model", "f_plus",
    "f_plus_grad", "f_minus", "f_minus_grad", "smoothed_w", "smoothed_w_grad",
    "smoothed_w_prox", "lazy_prox_toy", "BINARY_LEVELS"]


def test_the_package_keeps_every_public_name():
    # issue 15 Layout: quantopt.proxquant.X keeps working for every public X
    for name in NAMES_BEFORE_THE_SPLIT:
        assert hasattr(pq, name), name
    assert set(NAMES_BEFORE_THE_SPLIT) - {"BINARY_LEVELS"} <= set(pq.__all__)
    from quantopt.proxquant import iterate, train_proxquant  # noqa: F401
    assert pq.BINARY_LEVELS.tolist() == [-1.0, 1.0] and not pq.BINARY_LEVELS.flags.writeable
