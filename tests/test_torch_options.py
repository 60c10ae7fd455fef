"""torch.optim's options in quantopt.optim (issue 15, "torch.optim's options").

The stored torch.optim runs (tests/data/torch_reference.json) are compared in
tests/test_optim.py; here: the CS231n / EECS 498 FullyConnectedNets optimizer checks reproduced
from their published arrays, exact Fraction runs of the options against an independent
transcription of torch's SGD algorithm, argument validation, the options reached through
``quantopt.minimize``, and fused in-place steps for every option.
"""
from __future__ import annotations

import inspect
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import quantopt.optim as optim
from quantopt import minimize
from quantopt.optim import adagrad, adam, adamw, gd, momentum, nesterov, rmsprop, sgd
from quantopt.optim.adaptive import AdamState, RMSPropState
from quantopt.optim.first_order import MomentumState

# ------------------------------------------------------------------------------------------------
# 1. CS231n's FullyConnectedNets optimizer checks (Stanford CS231n, Winter 2016, assignment 2,
#    FullyConnectedNets.ipynb, cells "sgd_momentum", "Test RMSProp implementation" and "Test Adam
#    implementation"; as published in the assignment, copied here from the student repository
#    github.com/shijiaxin/cs231n_winter2016, assignment2/FullyConnectedNets.ipynb, commit
#    cd751a4). The published expected_* arrays are the oracle. CS231n's defaults (cs231n/optim.py
#    of the same assignment): sgd_momentum momentum 0.9; rmsprop decay_rate 0.99, epsilon 1e-8;
#    adam beta1 0.9, beta2 0.999, epsilon 1e-8.

N, D = 4, 5
W = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
DW = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)


def rel_error(x, y):
    """The assignment's own error measure (FullyConnectedNets.ipynb, first cell)."""
    return np.max(np.abs(x - y) / (np.maximum(1e-8, np.abs(x) + np.abs(y))))


def check_published(ours, expected, criterion):
    """The assignment's criterion, and the published arrays' own precision: they are printed
    with 8 decimals, so each entry is within 0.5e-8 of the true value (plus float64 round-off
    of our step, far below)."""
    assert rel_error(ours, expected) < criterion
    assert np.max(np.abs(ours - expected)) <= 0.5e-8 + 1e-15


def test_cs231n_sgd_momentum():
    """CS231n: v' = 0.9 v' - lr dw, next_w = w + v' ("errors less than 1e-8"). quantopt's
    velocity has no step size in it: v' = -lr * state.v, so the state starts at -v'/lr."""
    lr = 1e-3
    v_cs = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    expected_next_w = np.asarray([
        [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
        [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
        [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
        [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096]])
    expected_velocity = np.asarray([
        [0.5406, 0.55475789, 0.56891579, 0.58307368, 0.59723158],
        [0.61138947, 0.62554737, 0.63970526, 0.65386316, 0.66802105],
        [0.68217895, 0.69633684, 0.71049474, 0.72465263, 0.73881053],
        [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096]])
    rule = momentum(momentum=0.9)
    d, state = rule.step(MomentumState(v=-v_cs / lr), W, DW)
    check_published(W + lr * d, expected_next_w, 1e-8)
    check_published(-lr * state.v, expected_velocity, 1e-8)


def test_cs231n_rmsprop():
    """CS231n: cache = 0.99 cache + 0.01 dw^2, next_w = w - lr dw / (sqrt(cache) + 1e-8)
    ("errors less than 1e-7"). quantopt's s is CS231n's cache."""
    cache = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    expected_next_w = np.asarray([
        [-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247],
        [-0.132737, -0.08078555, -0.02881884, 0.02316247, 0.07515774],
        [0.12716641, 0.17918792, 0.23122175, 0.28326742, 0.33532447],
        [0.38739248, 0.43947102, 0.49155973, 0.54365823, 0.59576619]])
    expected_cache = np.asarray([
        [0.5976, 0.6126277, 0.6277108, 0.64284931, 0.65804321],
        [0.67329252, 0.68859723, 0.70395734, 0.71937285, 0.73484377],
        [0.75037008, 0.7659518, 0.78158892, 0.79728144, 0.81302936],
        [0.82883269, 0.84469141, 0.86060554, 0.87657507, 0.8926]])
    rule = rmsprop(decay_rate=0.99, eps=1e-8)
    d, state = rule.step(RMSPropState(s=cache), W, DW)
    check_published(W + 1e-2 * d, expected_next_w, 1e-7)
    check_published(state.s, expected_cache, 1e-7)


def test_cs231n_adam():
    """CS231n: t = t + 1 first, then Adam with bias correction ("errors around 1e-7 or
    less"). Its config t = 5 is the number of steps taken, quantopt's state.t = 5: both use
    t = 6 in 1 - beta**t (state.t = 4 gives an error of 1.5e-3). The criterion 2e-7: the
    assignment's "around 1e-7"; the printed next_w has an entry 0.01971428, whose 8-decimal
    rounding alone is a relative error of up to 0.5e-8 / 0.0394 = 1.3e-7."""
    m = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    v = np.linspace(0.7, 0.5, num=N * D).reshape(N, D)
    expected_next_w = np.asarray([
        [-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977],
        [-0.1380274, -0.08544591, -0.03286534, 0.01971428, 0.0722929],
        [0.1248705, 0.17744702, 0.23002243, 0.28259667, 0.33516969],
        [0.38774145, 0.44031188, 0.49288093, 0.54544852, 0.59801459]])
    expected_v = np.asarray([
        [0.69966, 0.68908382, 0.67851319, 0.66794809, 0.65738853],
        [0.64683452, 0.63628604, 0.6257431, 0.61520571, 0.60467385],
        [0.59414753, 0.58362676, 0.57311152, 0.56260183, 0.55209767],
        [0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966]])
    expected_m = np.asarray([
        [0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474],
        [0.57736842, 0.59684211, 0.61631579, 0.63578947, 0.65526316],
        [0.67473684, 0.69421053, 0.71368421, 0.73315789, 0.75263158],
        [0.77210526, 0.79157895, 0.81105263, 0.83052632, 0.85]])
    rule = adam(beta1=0.9, beta2=0.999, eps=1e-8)
    d, state = rule.step(AdamState(m=m, v=v, t=5), W, DW)
    check_published(W + 1e-2 * d, expected_next_w, 2e-7)
    check_published(state.v, expected_v, 1e-7)
    check_published(state.m, expected_m, 1e-7)
    assert state.t == 6
    d4, _ = rule.step(AdamState(m=m, v=v, t=4), W, DW)
    assert rel_error(W + 1e-2 * d4, expected_next_w) > 1e-4  # the counter convention matters


# ------------------------------------------------------------------------------------------------
# 2. Exact runs: torch's SGD algorithm (its documentation's pseudo-code, transcribed per
#    element in Fractions) against quantopt's rules on object arrays of Fractions.


def torch_sgd_exact(x0, grads, lr, mu, tau, wd, nesterov_flag):
    """torch.optim.SGD's documented algorithm, one coordinate at a time, in Fractions."""
    x = list(x0)
    buf = [None] * len(x)
    path = [list(x)]
    for g in grads:
        for i in range(len(x)):
            gi = g[i] + wd * x[i] if wd != 0 else g[i]
            if mu != 0:
                buf[i] = gi if buf[i] is None else mu * buf[i] + (1 - tau) * gi
                gi = gi + mu * buf[i] if nesterov_flag else buf[i]
            x[i] = x[i] - lr * gi
        path.append(list(x))
    return path


fractions = st.fractions(min_value=-4, max_value=4, max_denominator=16)
unit = st.fractions(min_value=0, max_value=F(15, 16), max_denominator=16)


@given(x0=st.lists(fractions, min_size=1, max_size=3).flatmap(
           lambda x: st.tuples(st.just(x), st.lists(st.lists(fractions, min_size=len(x),
                                                             max_size=len(x)),
                                                    min_size=1, max_size=4))),
       lr=st.fractions(min_value=F(1, 16), max_value=1, max_denominator=16),
       mu=unit, tau=unit, wd=st.fractions(min_value=0, max_value=2, max_denominator=8),
       method=st.sampled_from(["gd", "sgd", "momentum", "nesterov"]))
@settings(max_examples=60, deadline=None)
def test_first_order_options_exact_against_torch_algorithm(x0, lr, mu, tau, wd, method):
    """issue 15 (torch.optim's options): weight_decay, dampening and nesterov in exact
    arithmetic: every iterate equals torch's algorithm exactly (Fractions; no rounding)."""
    x0, grads = x0
    kwargs = {"weight_decay": wd}
    if method in ("momentum", "nesterov"):
        kwargs["momentum"] = mu
    if method == "momentum":
        kwargs["dampening"] = tau
    rule = optim.RULES[method](**kwargs)
    x = np.array(x0, dtype=object)
    state = rule.init(x)
    ours = [list(x)]
    for g in grads:
        d, state = rule.step(state, x, np.array(g, dtype=object))
        x = x + lr * d
        assert all(isinstance(v, F) for v in x)
        ours.append(list(x))
    mu_t = mu if method in ("momentum", "nesterov") else 0
    tau_t = tau if method == "momentum" else 0
    assert ours == torch_sgd_exact(x0, grads, lr, mu_t, tau_t, wd, method == "nesterov")


def test_dampening_first_step_undamped_and_counted():
    """torch: buf = g on the first step, then buf = mu*buf + (1-tau)*g; state.t counts."""
    rule = momentum(momentum=F(1, 2), dampening=F(1, 4))
    x = np.array([F(0)], dtype=object)
    state = rule.init(x)
    assert state.t == 0
    _, state = rule.step(state, x, np.array([F(8)], dtype=object))
    assert state.v[0] == 8 and state.t == 1       # not 6 = (1 - 1/4) * 8
    _, state = rule.step(state, x, np.array([F(8)], dtype=object))
    assert state.v[0] == 4 + 6 and state.t == 2   # 1/2 * 8 + 3/4 * 8
    # momentum 0: torch keeps no buffer, dampening has no effect
    rule0 = momentum(momentum=0.0, dampening=0.5)
    s0 = rule0.init(np.zeros(1))
    for _ in range(3):
        d, s0 = rule0.step(s0, np.zeros(1), np.array([2.0]))
    assert d[0] == -2.0


# ------------------------------------------------------------------------------------------------
# 3. The options' semantics in closed form


def test_adagrad_lr_decay_and_initial_accumulator_closed_form():
    """d_t = -g_t / (sqrt(G_init + sum g^2) + eps) / (1 + (t-1) lr_decay)."""
    grads = [3.0, -1.0, 2.0, 0.5]
    rule = adagrad(eps=1e-7, lr_decay=0.25, initial_accumulator_value=7.0)
    state = rule.init(np.zeros(1))
    assert state.G[0] == 7.0
    total = 7.0
    for t, g in enumerate(grads, start=1):
        d, state = rule.step(state, np.zeros(1), np.array([g]))
        total += g * g
        expected = -g / (np.sqrt(total) + 1e-7) / (1 + (t - 1) * 0.25)
        np.testing.assert_allclose(d[0], expected, rtol=4e-16)
        assert state.t == t


def test_rmsprop_centered_divides_by_the_variance():
    """Centered with a constant gradient g: s_t = (1-delta^t) g^2, a_t = (1-delta^t) g, so
    s - a^2 = (1-delta^t) delta^t g^2 (exact in Fractions) and d = -g/(sqrt(.) + eps)."""
    delta, g = 0.5, 3.0
    rule = rmsprop(decay_rate=delta, centered=True, eps=1e-12)
    state = rule.init(np.zeros(1))
    for t in range(1, 6):
        d, state = rule.step(state, np.zeros(1), np.array([g]))
        p = F(delta) ** t
        var = (1 - p) * p * F(g) ** 2
        np.testing.assert_allclose(d[0], -g / (np.sqrt(float(var)) + 1e-12), rtol=1e-14)


def test_rmsprop_centered_never_takes_the_root_of_a_negative_number():
    """With a constant gradient and delta near 1 the variance estimate s - a^2 cancels to a
    round-off residue, which can be negative (torch would give NaN); max(., 0) keeps d finite."""
    rule = rmsprop(decay_rate=0.9, centered=True)
    state = rule.init(np.zeros(64))
    g = np.linspace(0.1, 7.0, 64)
    negative = False
    for _ in range(400):
        d, state = rule.step(state, np.zeros(64), g)
        negative |= bool(np.any(state.s - state.g_avg * state.g_avg < 0))
        assert np.all(np.isfinite(d))
    assert negative  # the case the guard is for does occur


def test_amsgrad_keeps_the_largest_second_moment():
    rule = adam(beta1=0.0, beta2=0.5, eps=1e-12, amsgrad=True)
    plain = adam(beta1=0.0, beta2=0.5, eps=1e-12)
    s, p = rule.init(np.zeros(1)), plain.init(np.zeros(1))
    for g in [4.0, 0.5, 0.25]:
        d, s = rule.step(s, np.zeros(1), np.array([g]))
        dp, p = plain.step(p, np.zeros(1), np.array([g]))
    assert s.v_max[0] == 8.0 and s.v[0] == p.v[0]   # max over v_1 = 8, v_2, v_3 (biased)
    assert abs(d[0]) < abs(dp[0])                     # the larger denominator


def test_adamw_is_adam_plus_decoupled_decay():
    """d_adamw = d_adam(g) - wd*x at the same state; adam's coupled decay is d_adam(g + wd*x)."""
    rng = np.random.default_rng(5)
    x, g = rng.normal(size=6), rng.normal(size=6)
    d_w, _ = adamw(weight_decay=0.3).step(adamw(weight_decay=0.3).init(x), x, g)
    d_a, _ = adam().step(adam().init(x), x, g)
    np.testing.assert_array_equal(d_w, d_a - 0.3 * x)
    d_c, _ = adam(weight_decay=0.3).step(adam().init(x), x, g)
    d_ref, _ = adam().step(adam().init(x), x, g + 0.3 * x)
    np.testing.assert_array_equal(d_c, d_ref)
    assert adamw().hyper["weight_decay"] == 0.01  # torch's default


# ------------------------------------------------------------------------------------------------
# 4. Validation of the new arguments (errors name the argument)


@pytest.mark.parametrize("factory, kwargs, exc, name", [
    (gd, {"weight_decay": -0.1}, ValueError, "weight_decay"),
    (sgd, {"weight_decay": float("nan")}, ValueError, "weight_decay"),
    (momentum, {"weight_decay": F(-1, 2)}, ValueError, "weight_decay"),
    (momentum, {"dampening": 1.0}, ValueError, "dampening"),
    (momentum, {"dampening": -0.5}, ValueError, "dampening"),
    (momentum, {"dampening": "0.5"}, TypeError, "dampening"),
    (nesterov, {"weight_decay": None}, TypeError, "weight_decay"),
    (adagrad, {"lr_decay": -1.0}, ValueError, "lr_decay"),
    (adagrad, {"initial_accumulator_value": -1.0}, ValueError, "initial_accumulator_value"),
    (adagrad, {"initial_accumulator_value": float("inf")}, ValueError,
     "initial_accumulator_value"),
    (adagrad, {"weight_decay": True}, TypeError, "weight_decay"),
    (rmsprop, {"centered": 1}, TypeError, "centered"),
    (rmsprop, {"centered": "yes"}, TypeError, "centered"),
    (rmsprop, {"momentum": 1.0}, ValueError, "momentum"),
    (rmsprop, {"weight_decay": -1e-3}, ValueError, "weight_decay"),
    (adam, {"amsgrad": None}, TypeError, "amsgrad"),
    (adam, {"weight_decay": -1.0}, ValueError, "weight_decay"),
    (adamw, {"weight_decay": -0.01}, ValueError, "weight_decay"),
    (adamw, {"amsgrad": 0}, TypeError, "amsgrad"),
    (adamw, {"beta1": 1.0}, ValueError, "beta1"),
])
def test_new_options_are_validated_by_name(factory, kwargs, exc, name):
    """issue 15 (torch.optim's options): bad values raise naming the argument."""
    with pytest.raises(exc, match=name):
        factory(**kwargs)


def test_adamw_is_registered():
    assert optim.RULES["adamw"] is adamw and "adamw" in optim.__all__
    assert optim.lookup("AdamW") == "adamw"


# ------------------------------------------------------------------------------------------------
# 5. The options through quantopt.minimize, and fused in-place steps for every option


def quadratic(x):
    return 0.5 * float(np.sum(np.arange(1, x.size + 1) * x * x))


def quadratic_grad(x):
    return np.arange(1, x.size + 1) * x


@pytest.mark.parametrize("method, hyper", [
    ("momentum", {"momentum": 0.8, "dampening": 0.3, "weight_decay": 0.1}),
    ("nesterov", {"momentum": 0.8, "weight_decay": 0.1}),
    ("adagrad", {"lr_decay": 0.05, "initial_accumulator_value": 0.5, "weight_decay": 0.1}),
    ("rmsprop", {"momentum": 0.5, "centered": True, "weight_decay": 0.1}),
    ("adam", {"amsgrad": True, "weight_decay": 0.1}),
    ("adamw", {"amsgrad": True, "weight_decay": 0.1}),
])
def test_minimize_passes_every_option(method, hyper):
    """minimize(..., options={...}) builds the rule with every keyword of its factory: its
    iterates equal a hand loop of the same rule (and differ from the rule without them)."""
    assert set(hyper) <= set(inspect.signature(optim.RULES[method]).parameters)
    x0 = np.array([1.0, -2.0, 0.5])
    lr, steps = 0.05, 12
    res = minimize(quadratic, x0, jac=quadratic_grad, method=method, line_search=None,
                   options={"lr": lr, "maxiter": steps, "gtol": 0.0, "path": True, **hyper})
    rule = optim.RULES[method](**hyper)
    x, state = x0.copy(), rule.init(x0)
    for _ in range(steps):
        d, state = rule.step(state, x, quadratic_grad(x))
        x = x + lr * d
    np.testing.assert_array_equal(res.x, x)
    plain = minimize(quadratic, x0, jac=quadratic_grad, method=method, line_search=None,
                     options={"lr": lr, "maxiter": steps, "gtol": 0.0})
    assert np.max(np.abs(plain.x - res.x)) > 1e-6


@pytest.mark.parametrize("method", ["gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop",
                                    "adam", "adamw"])
def test_every_option_combination_has_a_fused_kernel(method):
    """No option falls back to generic_step_inplace: each rule keeps its own kernel for every
    value of its options (bit-for-bit equality is tested in tests/test_optim_inplace.py)."""
    bools = {"centered", "amsgrad"}
    params = inspect.signature(optim.RULES[method]).parameters
    on = {k: (True if k in bools else 0.5) for k in params if k not in ("eps",)}
    if method in ("adam", "adamw"):
        on.update(beta1=0.9, beta2=0.999)
    if method == "rmsprop":
        on.update(decay_rate=0.9)
    for kwargs in ({}, on):
        rule = optim.RULES[method](**kwargs)
        assert tuple.__getitem__(rule, 6) is not None  # its own kernel
        assert rule.fused == (not rule.hyper.get("weight_decay"))  # see the next test
        x = np.linspace(-1.0, 1.0, 5)
        state = rule.init(x)
        d, _ = rule.step(state, x, x + 1.0)
        rule.step_inplace(rule.init(x), x, np.linspace(0.0, 1.0, 5), 0.1)
        assert np.all(np.isfinite(x))


@pytest.mark.parametrize("method", ["gd", "momentum", "adam", "adamw"])
def test_weight_decay_on_the_grid_at_large_n_keeps_the_decay(method):
    """The driver's fixed grid step forms lr*d by step_inplace on a zero buffer when the rule
    is ``fused`` (n >= 4096): with weight decay d reads x, so that would drop the decay. The
    run with recorded states (always the pure step) is the oracle: the same path."""
    n = 4096
    x0 = np.linspace(-1.0, 1.0, n)
    options = {"lr": 0.05, "maxiter": 4, "gtol": 0.0, "weight_decay": 0.5, "path": True}
    fused = minimize(quadratic, x0, jac=quadratic_grad, method=method, qp=2**12,
                     line_search=None, options=options)
    pure = minimize(quadratic, x0, jac=quadratic_grad, method=method, qp=2**12,
                    line_search=None, options={**options, "record_state": True})
    np.testing.assert_array_equal(fused.path, pure.path)
    assert not optim.RULES[method](weight_decay=0.5).fused


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
                                    "adamw"])
def test_weight_decay_float_steps_at_large_n_run_the_fused_kernel(method):
    """Without a grid, the fused step writes into x's own buffer, so a weight-decayed rule keeps
    its kernel (steps.FusedStep); the same path, bit for bit, as the pure steps (recorded
    states force them)."""
    from quantopt import steps
    n = 4096
    x0 = np.linspace(-1.0, 1.0, n)
    options = {"lr": 0.05, "maxiter": 4, "gtol": 0.0, "weight_decay": 0.5, "path": True}
    fused = minimize(quadratic, x0, jac=quadratic_grad, method=method, line_search=None,
                     options=options)
    pure = minimize(quadratic, x0, jac=quadratic_grad, method=method, line_search=None,
                    options={**options, "record_state": True})
    np.testing.assert_array_equal(fused.path, pure.path)
    rule = optim.RULES[method](weight_decay=0.5)
    policy = steps.choose(rule, None, None, {"lr": 0.05}, np.random.default_rng(0), n, True)
    assert isinstance(policy, steps.FusedStep)
