"""rule.step_inplace: the fused, blocked, in-place step (quantopt.optim.base, issue 6).

The oracle is the pure step and the driver's update, ``d, new = rule.step(state, x, g);
x + lr*d`` (the readable, already verified implementation: tests/test_optim.py checks it against
exact Fraction runs and a stored torch.optim run). The in-place step must give the same bits:
values, signed zeros, infinities, and the state's arrays, for float32 and float64, across block
boundaries (the block length is set small here so that small arrays cross many of them).
"""
from __future__ import annotations

import contextlib
import tracemalloc
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import quantopt.optim as optim
import quantopt.optim._fused as fused
from quantopt.optim.base import UpdateRule, generic_step_inplace

FUSED = ["gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]

# hyperparameter sets per rule, including the edge values 0 (no memory) and large eps
HYPER = {
    "gd": [{}, {"weight_decay": 0.5}],
    "sgd": [{}, {"weight_decay": 1e-3}],
    "momentum": [{"momentum": r} for r in (0.9, 0.0, 0.5, 0.99)]
    + [{"momentum": 0.9, "dampening": 0.5}, {"momentum": 0.5, "weight_decay": 0.1},
       {"momentum": 0.9, "dampening": 0.1, "weight_decay": 2.0},
       {"momentum": 0.0, "dampening": 0.5}],
    "nesterov": [{"momentum": r} for r in (0.9, 0.0, 0.5, 0.99)]
    + [{"momentum": 0.9, "weight_decay": 0.1}],
    "adagrad": [{"eps": e} for e in (1e-7, 1e-10, 1.0)]
    + [{"lr_decay": 0.1}, {"initial_accumulator_value": 0.5, "weight_decay": 0.1},
       {"eps": 1e-10, "lr_decay": 0.5, "initial_accumulator_value": 1.0, "weight_decay": 1e-3}],
    "rmsprop": [{"decay_rate": 0.99, "eps": 1e-7}, {"decay_rate": 0.0, "eps": 1e-8},
                {"decay_rate": 0.9, "eps": 1.0}, {"centered": True},
                {"momentum": 0.9}, {"decay_rate": 0.5, "centered": True, "momentum": 0.5},
                {"decay_rate": 0.0, "centered": True, "weight_decay": 0.1},
                {"centered": True, "momentum": 0.9, "weight_decay": 2.0}],
    "adam": [{}, {"beta1": 0.0, "beta2": 0.0, "eps": 1e-8}, {"beta1": 0.5, "beta2": 0.9,
                                                             "eps": 1.0},
             {"amsgrad": True}, {"weight_decay": 0.1}, {"beta2": 0.5, "amsgrad": True,
                                                         "weight_decay": 2.0}],
    "adamw": [{}, {"amsgrad": True}, {"weight_decay": 0.0}, {"beta2": 0.0, "weight_decay": 2.0,
                                                              "amsgrad": True}],
}

HARD = [0.0, -0.0, 1.0, -1.0, 0.5, 1e-7, -3.0, 5e-324, -5e-324, 1e-45, -1e-45,
        2.2250738585072014e-308, 1.1754944e-38, 1 + 2**-52, 1 + 2**-23, 1 - 2**-24,
        1e300, -1e300, 1.7976931348623157e308, 3.4028235e38, -3.4028235e38, 1e19, -1e19]

values_st = st.lists(st.one_of(st.sampled_from(HARD),
                               st.floats(allow_nan=False, allow_infinity=False)),
                     min_size=1, max_size=6)
SHAPES = ["0d", "1", "2", "3b+5", "2d"]


@contextlib.contextmanager
def block_length(b, dtype):
    """Blocks of b elements of dtype (None: the library's default) for the duration."""
    old = fused.BLOCK_BYTES
    itemsize = np.dtype(dtype).itemsize
    fused.BLOCK_BYTES = old if b is None else b * itemsize
    try:
        yield fused.BLOCK_BYTES // itemsize
    finally:
        fused.BLOCK_BYTES = old


def shape_for(kind, b):
    return {"0d": (), "1": (1,), "2": (2,), "3b+5": (3 * b + 5,), "2d": (3, b + 2)}[kind]


def make_array(values, shape, dtype, rng):
    """Entries from the drawn hard values (the first ones in order, the rest at random) mixed
    with random normals of random magnitude; cast to dtype (beyond float32's range: +-max)."""
    size = int(np.prod(shape))
    vals = np.array(values, dtype=np.float64)
    pick = vals[rng.integers(len(vals), size=size)]
    pick[:min(size, len(vals))] = vals[:size]
    noise = rng.normal(size=size) * 10.0 ** rng.integers(-30, 30, size=size)
    use_noise = rng.random(size) < 0.3
    use_noise[:len(vals)] = False
    a = np.where(use_noise, noise, pick)
    if dtype == np.float32:
        big = np.finfo(np.float32).max
        a = np.clip(a, -big, big)  # clip keeps -0.0 and 0.0
    return a.astype(dtype).reshape(shape)


def same_bits(a, b, unspecified=None):
    """Same values and bits. ``unspecified``: a mask of elements where only NaN-ness is
    compared (see run_both)."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    assert np.array_equal(a, b, equal_nan=True)
    if unspecified is not None and np.any(unspecified):
        keep = ~np.asarray(unspecified)
        a, b = np.where(keep, a, 0), np.where(keep, b, 0)
    assert np.array_equal(np.signbit(a), np.signbit(b))
    uint = {4: np.uint32, 8: np.uint64}[a.dtype.itemsize]
    assert np.array_equal(a.view(uint), b.view(uint))


def assert_same_state(pure, inplace, unspecified=None):
    assert type(pure) is type(inplace)
    for field in pure._fields:
        p, q = getattr(pure, field), getattr(inplace, field)
        if isinstance(p, (np.ndarray, np.generic)):  # a 0-d x gives numpy scalars in step
            assert isinstance(q, np.ndarray)
            same_bits(p, q, unspecified)
        else:
            assert p == q and type(p) is type(q), field


def run_both(name, hyper, dtype, shape, values, seed, steps, lr):
    """Several steps of step + x + lr*d and of step_inplace from the same start; compare."""
    rng = np.random.default_rng(seed)
    rule = optim.RULES[name](**hyper)
    x0 = make_array(values, shape, dtype, rng)
    gs = [make_array(values[::-1] if k % 2 else values, shape, dtype, rng) for k in range(steps)]
    x_pure, state_pure = x0.copy(), rule.init(x0)
    x_in, state_in = x0.copy(), rule.init(x0)
    with np.errstate(all="ignore"):  # huge values overflow to inf on purpose
        for g in gs:
            g_before = g.copy()
            # With weight decay, x feeds into d and the state, so where x is already NaN two
            # NaNs meet in the additions (x + lr*d, mu*buf + g/den, ...). Which operand's NaN
            # a sum keeps is numpy's loop choice (in place or not, one element or more, a
            # numpy scalar operand: measured with numpy 2.4), not IEEE's, so at those elements
            # only NaN-ness is compared (issue 15, torch.optim's options). Without weight decay
            # every bit is compared, as before.
            nan_x = np.isnan(x_pure) if rule.hyper.get("weight_decay") else None
            try:
                d, state_pure = rule.step(state_pure, x_pure, g)
            except OverflowError as err:  # g*g beyond the float range: the adaptive rules
                assert name in ("adagrad", "rmsprop", "adam", "adamw") and "g*g" in str(err)
                with pytest.raises(OverflowError, match=r"g\*g"):  # step_inplace refuses too
                    rule.step_inplace(state_in, x_in, g, lr)
                return
            x_pure = np.asarray(x_pure + lr * d)
            old_arrays = [a for a in state_in if isinstance(a, np.ndarray)]
            x_id = id(x_in)
            state_in = rule.step_inplace(state_in, x_in, g, lr)
            assert id(x_in) == x_id
            same_bits(g, g_before)  # g is only read
            same_bits(x_pure, x_in, nan_x)
            assert_same_state(state_pure, state_in, nan_x)
            # the returned state shares the arrays it was given (overwritten, not reallocated)
            new_arrays = [a for a in state_in if isinstance(a, np.ndarray)]
            assert all(a is b for a, b in zip(old_arrays, new_arrays))
    assert x_in.dtype == dtype


@pytest.mark.parametrize("name", FUSED)
@given(dtype=st.sampled_from([np.float32, np.float64]), block=st.sampled_from([1, 3, 8, None]),
       kind=st.sampled_from(SHAPES), values=values_st, seed=st.integers(0, 2**32 - 1),
       steps=st.integers(1, 4),
       lr=st.one_of(st.sampled_from([1e-3, 0.1, 1.0, 3.0, 1e39]), st.floats(1e-6, 10.0)),
       hyper_index=st.integers(0, 7))
@settings(max_examples=80)
@example(dtype=np.float32, block=3, kind="3b+5", values=[3.4028235e38, -0.0, 0.0], seed=0,
         steps=4, lr=1.0, hyper_index=0)
@example(dtype=np.float64, block=None, kind="3b+5", values=[1e300, -1e300, -0.0, 5e-324],
         seed=1, steps=3, lr=3.0, hyper_index=1)
@example(dtype=np.float64, block=1, kind="0d", values=[-0.0], seed=2, steps=2, lr=0.1,
         hyper_index=2)
@example(dtype=np.float32, block=8, kind="2d", values=[1e-45, -1e-45, 1 + 2**-23], seed=3,
         steps=4, lr=1e-3, hyper_index=3)
@example(dtype=np.float32, block=2, kind="3b+5", values=[1.0, -2.5, 0.0], seed=4, steps=2,
         lr=1e39, hyper_index=0)  # lr beyond float32's range: inf in both (NEP 50 cast)
def test_step_inplace_bit_for_bit(name, dtype, block, kind, values, seed, steps, lr,
                                  hyper_index):
    hyper = HYPER[name][hyper_index % len(HYPER[name])]
    with block_length(block, dtype) as b:
        run_both(name, hyper, dtype, shape_for(kind, b), values, seed, steps, lr)


@pytest.mark.parametrize("name", FUSED)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_step_inplace_fortran_order_and_default_block(name, dtype):
    """All-Fortran-contiguous arrays work too (elementwise in memory order), at the real block
    length, over several blocks with a ragged last one."""
    rng = np.random.default_rng(7)
    n = 3 * (fused.BLOCK_BYTES // np.dtype(dtype).itemsize) + 5
    x0 = np.asfortranarray(rng.normal(size=(5, n // 5 + 1)).astype(dtype))
    rule = optim.RULES[name]()
    state_pure = rule.init(x0)
    state_in = type(state_pure)(*(np.asfortranarray(a) if isinstance(a, np.ndarray) else a
                                  for a in state_pure))
    x_pure, x_in = x0.copy(order="F"), x0.copy(order="F")
    for _ in range(3):
        g = np.asfortranarray(rng.normal(size=x0.shape).astype(dtype))
        d, state_pure = rule.step(state_pure, x_pure, g)
        x_pure = x_pure + 0.01 * d
        state_in = rule.step_inplace(state_in, x_in, g, 0.01)
        same_bits(x_pure, x_in)
        assert_same_state(state_pure, state_in)


# ---------------------------------------------------------------------------------------------
# Bad arguments: clear errors naming the argument, raised before anything is written.


def fresh(name="adam", dtype=np.float64, n=4):
    rule = optim.RULES[name]()
    x = np.linspace(-1.0, 1.0, n).astype(dtype)
    g = np.linspace(0.5, 2.0, n).astype(dtype)
    return rule, rule.init(x), x, g


@pytest.mark.parametrize("name", FUSED)
@pytest.mark.parametrize("bad, exc, match", [
    ([0.0, 1.0, 2.0, 3.0], TypeError, "x must be a numpy.ndarray"),
    (np.arange(4), TypeError, "x must have dtype float32 or float64"),
    (np.array([Fraction(1, 3)] * 4, dtype=object), TypeError, "object arrays"),
    (np.zeros(4, dtype=np.float16), TypeError, "x must have dtype"),
])
def test_bad_x_type(name, bad, exc, match):
    rule, state, x, g = fresh(name)
    with pytest.raises(exc, match=match):
        rule.step_inplace(state, bad, g, 0.1)


@pytest.mark.parametrize("name", FUSED)
def test_read_only_x(name):
    rule, state, x, g = fresh(name)
    x.flags.writeable = False
    with pytest.raises(ValueError, match="x must be a writeable"):
        rule.step_inplace(state, x, g, 0.1)


@pytest.mark.parametrize("name", FUSED)
def test_bad_g(name):
    rule, state, x, g = fresh(name)
    with pytest.raises(ValueError, match="g must have x's shape"):
        rule.step_inplace(state, x, g[:3], 0.1)
    with pytest.raises(TypeError, match="g must have x's dtype"):
        rule.step_inplace(state, x, g.astype(np.float32), 0.1)
    with pytest.raises(TypeError, match="g must be a numpy.ndarray"):
        rule.step_inplace(state, x, list(g), 0.1)


@pytest.mark.parametrize("name", FUSED)
@pytest.mark.parametrize("lr, exc", [(0.0, ValueError), (-0.1, ValueError),
                                     (float("nan"), ValueError), (float("inf"), ValueError),
                                     ("0.1", TypeError), (None, TypeError)])
def test_bad_lr(name, lr, exc):
    rule, state, x, g = fresh(name)
    x_before = x.copy()
    with pytest.raises(exc, match="lr"):
        rule.step_inplace(state, x, g, lr)
    same_bits(x, x_before)


STATEFUL = ["momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]


@pytest.mark.parametrize("name", STATEFUL)
def test_bad_state(name):
    rule, state, x, g = fresh(name, dtype=np.float32)
    field = state._fields[0]
    wrong_dtype = state._replace(**{field: getattr(state, field).astype(np.float64)})
    with pytest.raises(TypeError, match=f"state.{field} must have x's dtype"):
        rule.step_inplace(wrong_dtype, x, g, 0.1)
    wrong_shape = state._replace(**{field: np.zeros(5, dtype=np.float32)})
    with pytest.raises(ValueError, match=f"state.{field} must have x's shape"):
        rule.step_inplace(wrong_shape, x, g, 0.1)
    with pytest.raises(TypeError, match="state must be a"):
        rule.step_inplace(tuple(state), x, g, 0.1)
    ro = getattr(state, field).copy()
    ro.flags.writeable = False
    with pytest.raises(ValueError, match=f"state.{field} must be writeable"):
        rule.step_inplace(state._replace(**{field: ro}), x, g, 0.1)
    shared = state._replace(**{field: g})
    with pytest.raises(ValueError, match="share memory"):
        rule.step_inplace(shared, x, g, 0.1)
    # nothing was written by any of the refused calls
    same_bits(x, np.linspace(-1.0, 1.0, 4).astype(np.float32))
    same_bits(g, np.linspace(0.5, 2.0, 4).astype(np.float32))


@pytest.mark.parametrize("name", FUSED)
def test_layout_and_overlap(name):
    rule, state, x, g = fresh(name, n=8)
    with pytest.raises(ValueError, match="share memory"):
        rule.step_inplace(rule.init(x), x, x, 0.1)
    with pytest.raises(ValueError, match="x is not C-contiguous"):
        rule.step_inplace(rule.init(x[::2]), x[::2], g[::2], 0.1)
    with pytest.raises(ValueError, match="g is not C-contiguous"):
        rule.step_inplace(rule.init(x[:4]), x[:4], g[::2], 0.1)
    # C-ordered x with a Fortran-ordered g: the element orders differ, so it is refused
    x2 = np.arange(6.0).reshape(2, 3)
    g2 = np.asfortranarray(np.ones((2, 3)))
    with pytest.raises(ValueError, match="g is not C-contiguous"):
        rule.step_inplace(rule.init(x2), x2, g2, 0.1)


def test_adam_state_t_and_fraction_hyper():
    rule, state, x, g = fresh("adam")
    with pytest.raises(TypeError, match="state.t must be a Python int"):
        rule.step_inplace(state._replace(t=np.int64(0)), x, g, 0.1)
    with pytest.raises(TypeError, match="state.t"):
        rule.step_inplace(state._replace(t=1.0), x, g, 0.1)
    for factory, kw, label in [(optim.momentum, {"momentum": Fraction(1, 2)}, "momentum"),
                               (optim.nesterov, {"momentum": Fraction(1, 2)}, "momentum"),
                               (optim.rmsprop, {"decay_rate": Fraction(1, 2)}, "decay_rate"),
                               (optim.adam, {"beta1": Fraction(1, 2)}, "beta1")]:
        r = factory(**kw)
        with pytest.raises(TypeError, match=f"{label} is a Fraction"):
            r.step_inplace(r.init(x), x, g, 0.1)


# ---------------------------------------------------------------------------------------------
# No allocation proportional to n (tracemalloc sees numpy's buffers: the pure step's peak,
# measured the same way, is several arrays of n, which shows the measurement works).


def peak(fn):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", ["momentum", "rmsprop", "adam"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_step_inplace_allocates_nothing_proportional_to_n(name, dtype):
    n = 10**6
    rng = np.random.default_rng(3)
    x = rng.normal(size=n).astype(dtype)
    g = rng.normal(size=n).astype(dtype)
    rule = optim.RULES[name]()
    state = rule.init(x)
    state = rule.step_inplace(state, x, g, 1e-3)  # not the first call: no lazy set-up counted
    one_array = n * np.dtype(dtype).itemsize
    box = {}
    assert peak(lambda: box.setdefault("s", rule.step_inplace(state, x, g, 1e-3))) < one_array / 8

    def pure():
        d, new = rule.step(state, x, g)
        return x + 1e-3 * d

    assert peak(pure) >= 2 * one_array  # the contrast: the measurement sees numpy's arrays


# ---------------------------------------------------------------------------------------------
# The generic default (rules without a fused kernel): same numbers as step + x + lr*d.


@pytest.mark.parametrize("name", ["newton", "bfgs", "lbfgs"])
def test_generic_step_inplace_matches_step(name):
    rng = np.random.default_rng(11)
    n = 6
    A = rng.normal(size=(n, n))
    H = A @ A.T + n * np.eye(n)  # a quadratic 1/2 x^T H x - b^T x
    b = rng.normal(size=n)
    rule = optim.RULES[name]()
    x_pure = rng.normal(size=n)
    x_in = x_pure.copy()
    state_pure, state_in = rule.init(x_pure), rule.init(x_in)
    for _ in range(5):
        g = H @ x_in - b
        g_before = g.copy()
        hess = H if rule.needs_hess else None
        d, state_pure = rule.step(state_pure, x_pure, H @ x_pure - b, hess)
        x_pure = x_pure + 0.5 * d
        state_in = rule.step_inplace(state_in, x_in, g, 0.5, hess)
        same_bits(g, g_before)
        same_bits(x_pure, x_in)
        for field in state_pure._fields:
            p, q = getattr(state_pure, field), getattr(state_in, field)
            if isinstance(p, np.ndarray):
                same_bits(p, q)
            elif isinstance(p, (int, float)):
                assert p == q


def test_generic_default_follows_step_and_refuses_promotion():
    def step(state, x, g, hess=None):
        return -2 * g, state + 1

    rule = UpdateRule("toy", lambda x0: 0, step, {})
    x, g = np.array([1.0, -0.0]), np.array([0.25, 0.0])
    assert rule.step_inplace(0, x, g, 0.5) == 1
    same_bits(x, np.array([0.75, -0.0]))  # -0.0 + 0.5*(-2*0.0) = -0.0 + -0.0 = -0.0
    # _replace(step=...) is followed by the default step_inplace
    rule3 = rule._replace(step=lambda state, x, g, hess=None: (-3 * g, state))
    rule3.step_inplace(0, x, g, 1.0)
    same_bits(x, np.array([0.0, -0.0]))
    # a float64 direction for a float32 x: x + lr*d would be float64, so refuse (x untouched)
    promoting = UpdateRule("toy64", lambda x0: 0, lambda s, x, g, h=None: (g.astype(float), s),
                           {})
    x32 = np.ones(2, dtype=np.float32)
    with pytest.raises(TypeError, match="cannot be written into x"):
        promoting.step_inplace(0, x32, np.ones(2, dtype=np.float32), 0.1)
    same_bits(x32, np.ones(2, dtype=np.float32))
    with pytest.raises(TypeError, match="object arrays"):
        rule.step_inplace(0, np.array([Fraction(1)], dtype=object),
                          np.array([Fraction(1)], dtype=object), 0.1)


def test_generic_passes_copies_so_a_state_keeping_x_is_safe():
    kept = {}

    def step(state, x, g, hess=None):
        kept["x"], kept["g"] = x, g
        return -g, state

    rule = UpdateRule("keeper", lambda x0: None, step, {})
    x, g = np.array([1.0, 2.0]), np.array([1.0, 1.0])
    rule.step_inplace(None, x, g, 0.5)
    same_bits(kept["x"], np.array([1.0, 2.0]))  # the copy the step saw is not overwritten
    same_bits(x, np.array([0.5, 1.5]))
    assert generic_step_inplace(step) is not None


def test_fused_rules_have_their_own_kernel_and_second_order_the_default():
    for name in FUSED:
        assert tuple.__getitem__(optim.RULES[name](), 6) is not None, name
    for name in ["newton", "bfgs", "lbfgs"]:
        assert tuple.__getitem__(optim.RULES[name](), 6) is None, name
