"""Bad input never gives a wrong answer (issue 15): regression tests per item, then a
property-based fuzz of the public API of the driver's modules (minimize with every method and
line search, the line searches, gradcheck, the problem factories, search, schedules).

The contract checked for every call: it returns a result whose numbers are finite (or whose
status says truly why not: status 4 with the last finite iterate), or it raises TypeError,
ValueError or OverflowError whose message names the offending argument; never another
exception type (a user's own exception passes through unchanged); inputs are never modified.
"""
from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

import quantopt as qo
from quantopt import gradcheck, linesearch, optim, problems, schedules, search
from quantopt.noise import record_steps

FUZZ = settings(max_examples=200, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def quad_f(x, batch=None):
    return float(np.sum(x * x))


def quad_g(x, batch=None):
    return 2.0 * x


def quad_h(x, batch=None):
    return 2.0 * np.eye(np.size(x))


# ------------------------------------------------------------------------------- item 2 --
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("method, jac, hess, options, words", [
    ("gd", quad_g, None, {"lr": 1e308}, "lr*d"),
    ("sgd", lambda x, b=None: 2 * x if b is None else np.array([np.nan, 1.0]), None,
     {"n_samples": 4, "batch_size": 2}, "jac"),
    ("newton", quad_g, lambda x: np.full((2, 2), np.nan), {"lr": 0.5}, "hess"),
    ("gd", quad_g, None, {"lr": 1e308, "rounding": "stochastic", "seed": 0}, "lr*d"),
])
def test_item2_non_finite_step_on_the_grid_ends_with_status_4(method, jac, hess, options,
                                                              words):
    """issue 15 item 2: a non-finite step with qp ends with status 4, the last finite iterate
    (x, fun, jac: here the start, since the first step breaks), and a message naming what
    became non-finite."""
    x0 = np.array([1.0, 2.0])
    res = qo.minimize(quad_f, x0, jac=jac, hess=hess, method=method, qp=8, line_search=None,
                      options={"maxiter": 5, **options})
    assert res.status == 4 and not res.success
    assert np.array_equal(res.x, x0) and res.fun == 5.0 and np.array_equal(res.jac, 2 * x0)
    assert words in res.message


# ------------------------------------------------------------------------------- item 7 --
def test_item7_bfgs_update_ys_zero_and_nonfinite_refused():
    """issue 15 item 7: y^T s = 0 has no update (ValueError naming s and y), B with nan is
    refused naming B: never a NaN matrix from bfgs_update."""
    eye = np.eye(2)
    with pytest.raises(ValueError, match=r"y\^T s = 0"):
        optim.bfgs_update(eye, np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"y\^T s = 0"):  # exact arithmetic too
        F = np.array([Fraction(1), Fraction(0)], dtype=object)
        optim.bfgs_update(np.eye(2, dtype=int).astype(object), F, F[::-1].copy())
    with pytest.raises(ValueError, match="B must be finite"):
        optim.bfgs_update(np.full((2, 2), np.nan), np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="s must be finite"):
        optim.bfgs_update(eye, np.array([np.nan, 1.0]), np.ones(2))


@given(st.integers(-900, 900), st.integers(-900, 900), st.integers(0, 2**32 - 1))
@settings(max_examples=60, derandomize=True, deadline=None)
@example(600, -600, 0)
@example(-600, 600, 0)
def test_item7_bfgs_update_huge_or_tiny_pairs_against_fractions(ea, eb, seed):
    """issue 15 item 7: s scaled by 2^ea and y by 2^eb (huge or tiny, RuntimeWarnings and a NaN
    matrix before): the result is finite and equals the exact update in Fractions (rounded),
    or OverflowError where the exact B+ has an entry beyond float64's range."""
    rng = np.random.default_rng(seed)
    s0, y0 = rng.standard_normal(3), rng.standard_normal(3)
    y0 = y0 if y0 @ s0 > 0 else -y0
    M = rng.standard_normal((3, 3))
    B = M @ M.T + np.eye(3)
    s, y = np.ldexp(s0, ea), np.ldexp(y0, eb)
    obj = lambda a: np.array([Fraction(v) for v in a.ravel()], dtype=object).reshape(a.shape)  # noqa: E731
    exact = optim.bfgs_update(obj(B), obj(s), obj(y))
    biggest = max(abs(v) for v in exact.ravel())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning either
        if biggest > Fraction(np.finfo(float).max) / 2:
            with pytest.raises(OverflowError, match="s and y"):
                optim.bfgs_update(B, s, y)
            return
        got = optim.bfgs_update(B, s, y)
    expected = np.array([float(v) for v in exact.ravel()]).reshape(3, 3)
    assert np.all(np.isfinite(got))
    scale = float(biggest)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10 * scale)


def test_item7_bfgs_in_the_driver_ends_with_status_4_when_the_update_overflows(monkeypatch):
    """issue 15 item 7: when the BFGS update's numbers leave float64 (bench_global's runs), the
    driver ends with status 4 and the last finite iterate, not a NaN matrix. The overflow is
    made real: the rule's pairs are passed to the true bfgs_update scaled by 2^1000 and
    2^-1000, whose exact B+ has entries near 2^2000."""
    from quantopt.optim import second_order

    true_update = second_order.bfgs_update
    monkeypatch.setattr(second_order, "bfgs_update",
                        lambda B, s, y: true_update(B, np.ldexp(s, 1000), np.ldexp(y, -1000)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no RuntimeWarning
        res = qo.minimize(quad_f, np.array([1.0, -2.0]), jac=quad_g, method="bfgs",
                          line_search=None, options={"lr": 0.1, "maxiter": 10})
    assert res.status == 4 and res.nit == 1
    assert "bfgs_update" in res.message and "s and y" in res.message
    x0 = np.array([1.0, -2.0])
    np.testing.assert_array_equal(res.x, x0 + 0.1 * -quad_g(x0))  # the first step, B_0 = I
    assert res.fun == quad_f(res.x) and np.array_equal(res.jac, quad_g(res.x))


# ------------------------------------------------------------------------------- item 8 --
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("call", [
    lambda: gradcheck.numeric_grad(lambda x: float(x @ x), [1e20]),
    lambda: gradcheck.numeric_hess(lambda x: 2 * x, [1e20]),
    lambda: gradcheck.check_grad(lambda x: float(x @ x), lambda x: 2 * x, [1.0, 1e20]),
    lambda: gradcheck.check_hess(lambda x: 2 * x, lambda x: 2 * np.eye(1), [1e20]),
    lambda: gradcheck.numeric_grad(lambda x: float(x @ x), [1e308], eps=1e300),
])
def test_item8_step_below_the_spacing_of_x_names_eps(call):
    """issue 15 item 8: x ± eps rounding back to x gave [nan]: now a ValueError naming eps."""
    with pytest.raises(ValueError, match="eps"):
        call()


def test_item8_numeric_grad_is_right_with_a_step_above_the_spacing():
    """The refusal is not over-eager: eps = 2**20 at x = 1e20 (spacing 2**14) is a real step;
    x ± eps are exact there, so the central difference of f(x) = x is exactly 1."""
    g = gradcheck.numeric_grad(lambda x: float(x[0]), [1e20], eps=2.0**20)
    assert g[0] == 1.0


# ------------------------------------------------------------------------------- item 9 --
@pytest.mark.parametrize("method, kw, name", [
    ("gd", {"jac": lambda x: (2 * x).astype(complex) + 1j}, "jac"),
    ("newton", {"hess": lambda x: np.eye(2) * (2 + 1j)}, "hess"),
    ("gd", {"jac": lambda x: ["a", "b"]}, "jac"),
    ("gd", {"jac": lambda x: None}, "jac"),
    ("gd", {"fun": lambda x: 1 + 1j}, "fun"),
    ("gd", {"fun": lambda x: True}, "fun"),
    ("sgd", {"fun": lambda x: float(x @ x), "jac": lambda x: 2 * x}, "jac(x, batch)"),
    ("gd", {"fun": lambda: 1.0}, "fun(x)"),
])
def test_item9_bad_callables_named(method, kw, name):
    """issue 15 item 9: a complex jac/hess is refused (its imaginary part was dropped), strings
    and None name the callable, a wrong arity names the callable and how it was called."""
    args = {"fun": quad_f, "jac": quad_g, "hess": quad_h, **kw}
    options = {"maxiter": 3, **({"n_samples": 3} if method == "sgd" else {})}
    with pytest.raises(TypeError, match=name.replace("(", r"\(").replace(")", r"\)")) as err:
        qo.minimize(args["fun"], [1.0, 2.0], jac=args["jac"], hess=args["hess"],
                    method=method, options=options)
    if "(" in name:
        assert isinstance(err.value.__cause__, TypeError)  # the user's traceback is kept


def test_item9_user_type_errors_pass_through():
    """A TypeError raised inside the user's own code is not re-labelled (its traceback is the
    user's)."""
    def f(x):
        return x + "a"

    with pytest.raises(TypeError) as err:
        qo.minimize(f, [1.0], jac=quad_g, method="gd")
    assert "fun could not be called" not in str(err.value)


# ------------------------------------------------------------------------------ item 12 --
@pytest.mark.parametrize("kw, exc, name", [
    ({"options": {"c1": "a"}}, TypeError, "options['c1']"),
    ({"options": {"shrink": None}, "line_search": "armijo"}, TypeError, "options['shrink']"),
    ({"options": {"shrink": 1.5}}, ValueError, "options['shrink']"),
    ({"qp": 2**60}, OverflowError, "x0"),
    ({"line_search": np.array(["armijo"])}, TypeError, "line_search"),
    ({"options": {"rounding": ["a"]}, "qp": 4}, TypeError, "options['rounding']"),
    ({"options": {"poll": 1}, "qp": 4}, TypeError, "options['poll']"),
    ({"options": {"maxls": 2.0}, "line_search": "armijo"}, TypeError, "options['maxls']"),
    ({"options": {"path": np.array([True])}}, TypeError, "options['path']"),
])
def test_item12_options_named(kw, exc, name):
    """issue 15 item 12: every option is checked up front, the error naming it."""
    with pytest.raises(exc) as err:
        qo.minimize(quad_f, [1.0, 2.0], jac=quad_g, method="gd", **kw)
    assert name in str(err.value)
    if exc is OverflowError:  # x0 too large for the grid: the message names qp too
        assert "qp" in str(err.value)


# ------------------------------------------------------------------------------ item 13 --
@pytest.mark.parametrize("seed, exc", [("abc", TypeError), (-1, ValueError), (1.5, TypeError)])
def test_item13_seeds_named(seed, exc):
    """issue 15 item 13: bad seeds name the argument (numpy's SeedSequence errors before)."""
    with pytest.raises(exc, match=r"options\['seed'\]"):
        qo.minimize(quad_f, [1.0], jac=quad_g, method="sgd", options={"seed": seed,
                                                                      "n_samples": 2})
    with pytest.raises(exc, match="seed"):
        problems.least_squares(seed=seed)
    with pytest.raises(exc, match="seed"):
        problems.quadratic(3, seed=seed)
    prop = search.gaussian_proposal(0.1)
    with pytest.raises(exc, match="rng"):
        search.simulated_annealing(quad_f, [1.0], prop, maxiter=2, rng=seed)


def test_item13_ragged_x0_and_method_list():
    """issue 15 item 13: a ragged x0 is a TypeError naming x0; a list as method names method
    (minimize and noise.record_steps go through optim.lookup)."""
    with pytest.raises(TypeError, match="x0"):
        qo.minimize(quad_f, [1.0, [2.0, 3.0]], jac=quad_g, method="gd")
    for call in (lambda m: qo.minimize(quad_f, [1.0], jac=quad_g, method=m),
                 lambda m: record_steps(quad_f, [1.0], jac=quad_g, method=m, qp=8)):
        with pytest.raises(TypeError, match="method"):
            call(["gd"])


# ------------------------------------------------------------------------------ item 15 --
@pytest.mark.parametrize("factory, kw, name", [
    (problems.quadratic, {"cond": 1e308}, "cond"),
    (problems.least_squares, {"noise": 1e308}, "noise"),
    (problems.logistic_regression, {"l2": 1e308}, "l2"),
    (problems.rosenbrock, {"b": 1e308}, "b"),
    (problems.extended_rosenbrock, {"a": 1e200}, "a"),
    (problems.quadratic, {"center": [1e300, 0.0]}, "center"),
])
def test_item15_huge_parameters_refused(factory, kw, name):
    """issue 15 item 15: finite but huge parameters gave inf/nan data: refused naming the
    parameter and the bound."""
    with pytest.raises(ValueError, match=name) as err:
        factory(**kw)
    assert "1e+100" in str(err.value)


@pytest.mark.parametrize("factory, kw", [
    (problems.quadratic, {"cond": 1e100, "n": 3}),
    (problems.least_squares, {"noise": 1e100}),
    (problems.rosenbrock, {"b": 1e100}),
])
def test_item15_parameters_at_the_bound_give_finite_data(factory, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prob = factory(**kw)
        assert math.isfinite(float(prob.f(prob.x0))) and np.all(np.isfinite(prob.grad(prob.x0)))


# ----------------------------------------------------------------------------- friction --
def test_friction_scipy_spelling_in_record_steps():
    """issue 15 friction: method="BFGS" (scipy's spelling) works wherever a method name is
    taken in the driver's modules (record_steps passes it to minimize, which folds case)."""
    prob = problems.rosenbrock(2)
    a, _ = record_steps(prob.f, prob.x0, jac=prob.grad, method="BFGS", qp=64,
                        options={"maxiter": 5})
    b, _ = record_steps(prob.f, prob.x0, jac=prob.grad, method="bfgs", qp=64,
                        options={"maxiter": 5})
    assert np.array_equal(a.path, b.path)


# ================================================================================= fuzz ==
class UserError(Exception):
    """What a user's callable raises on purpose: it must pass through unchanged."""


def _arrays():
    """Bad arrays and array-likes: dtypes, shapes, NaN/inf, huge values, ragged lists."""
    return st.sampled_from([
        np.array([1, 2], dtype=np.int64), np.array([1.0, 2.0], dtype=np.float16),
        np.array([1.0, 2.0], dtype=np.float32), np.array([1 + 1j, 2]), np.array([True, False]),
        np.array([Fraction(1, 2), 1], dtype=object), np.array(["a", "b"]),
        np.array([np.nan, 1.0]), np.array([np.inf, 1.0]), np.array([1e308, -1e308]),
        np.array([2**60, 1]), np.zeros((2, 2)), np.array([]), [1.0, [2.0, 3.0]], None, "ab",
        1.5, np.arange(6.0)[::3],
    ])


def _scalars():
    return st.sampled_from([None, "a", 1 + 1j, True, np.nan, np.inf, -1.0, 0, -1, 1e308,
                            2**70, np.array([1.0, 2.0]), [0.5], 1.5, 0.5, 3, Fraction(1, 3)])


def _bad_callable(kind: str, n: int, out: str):
    """A callable of the given kind; out says what it returns: 'f' a scalar, 'g' a vector of
    n, 'h' a matrix n x n. Bad from the first call."""
    good = {"f": lambda x: float(np.dot(x, x)), "g": lambda x: 2.0 * x,
            "h": lambda x: 2.0 * np.eye(n)}[out]
    table = {
        "none": lambda x: None, "str": lambda x: "a", "nan": lambda x: good(x) * np.nan,
        "complex": lambda x: good(x) * (1 + 1j), "shape": lambda x: np.zeros(n + 1),
        "bool": lambda x: np.asarray(good(x)) > 0, "raise": _raiser,
        "arity": lambda: 1.0, "f32": lambda x: np.asarray(good(x), dtype=np.float32),
    }
    calls = [0]

    def late_nan(x):  # good for two calls, then nan: a run that breaks mid-way (status 4)
        calls[0] += 1
        return good(x) if calls[0] <= 2 else good(x) * np.nan

    table["late_nan"] = late_nan
    fn = table[kind]
    return (lambda x, batch=None: fn(x)) if kind != "arity" else fn


def _raiser(x):
    raise UserError("on purpose")


METHODS = sorted(optim.RULES) + ["BFGS", "L-BFGS-B"]


def _valid_setup(method: str, line_search, qp):
    """A valid combination of method, line search and qp (so that a refusal can only come
    from the one argument the test corrupts)."""
    key = optim.lookup(method)
    rule = optim.RULES[key]()
    if rule.noisy:
        line_search = None
    if qp is not None and line_search == "wolfe":
        line_search = "armijo"
    options = {"maxiter": 4}
    if rule.minibatch:
        options["n_samples"] = 4
    return line_search, options, key


def _names_in(message: str, names) -> bool:
    return any(name in message for name in names)


@FUZZ
@given(method=st.sampled_from(METHODS), line_search=st.sampled_from([None, "auto", "armijo",
                                                                    "wolfe"]),
       qp=st.sampled_from([None, 8, 2**10]),
       corrupt=st.sampled_from(["none", "x0", "option", "fun", "jac", "hess", "qp",
                                "line_search", "method"]),
       option=st.sampled_from(["lr", "maxiter", "gtol", "c1", "c2", "shrink", "maxls", "xtol",
                               "stpmax", "path", "record_state", "seed"]),
       bad=_scalars(), bad_array=_arrays(),
       kind=st.sampled_from(["none", "str", "nan", "complex", "shape", "bool", "raise",
                             "arity", "f32", "late_nan"]))
@example(method="gd", line_search=None, qp=8, corrupt="option", option="lr", bad=1e308,
         bad_array=None, kind="none")
@example(method="sgd", line_search=None, qp=8, corrupt="jac", option="lr", bad=None,
         bad_array=None, kind="arity")
@example(method="gd", line_search=None, qp=None, corrupt="x0", option="lr", bad=None,
         bad_array=[1.0, [2.0, 3.0]], kind="none")
@example(method="gd", line_search=None, qp=None, corrupt="option", option="seed", bad="a",
         bad_array=None, kind="none")
def test_fuzz_minimize(method, line_search, qp, corrupt, option, bad, bad_array, kind):
    """issue 15: minimize under one corrupted argument keeps the contract (module docstring)."""
    line_search, options, key = _valid_setup(method, line_search, qp)
    n = 2
    x0 = np.array([1.0, -2.0])
    fun, jac, hess = quad_f, quad_g, quad_h
    names = ()
    if corrupt == "x0":
        x0, names = bad_array, ("x0",)
    elif corrupt == "option":
        if option == "maxiter" and isinstance(bad, int) and bad > 4:
            bad = 4  # a valid maxiter: kept small (no hang)
        options[option], names = bad, (f"options['{option}']", option)
    elif corrupt in ("fun", "jac", "hess"):
        made = _bad_callable(kind, n, {"fun": "f", "jac": "g", "hess": "h"}[corrupt])
        fun, jac, hess = (made if corrupt == c else v for c, v in
                          (("fun", fun), ("jac", jac), ("hess", hess)))
        names = (corrupt,)
    elif corrupt == "qp":
        qp, names = bad, ("qp",)
    elif corrupt == "line_search":
        line_search, names = bad, ("line_search",)
    elif corrupt == "method":
        method, names = bad, ("method",)
    x0_copy = None if not isinstance(x0, np.ndarray) else x0.copy()
    options_copy = dict(options)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # overflow on purpose (lr 1e308)
            res = qo.minimize(fun, x0, jac=jac, hess=hess, method=method, qp=qp,
                              line_search=line_search, options=options)
    except UserError:
        event("the user's exception passed through")
        assert corrupt in ("fun", "jac", "hess") and kind == "raise"
    except (TypeError, ValueError, OverflowError) as err:
        event(f"refused: {type(err).__name__}")
        assert names, f"a valid call was refused: {err!r}"
        assert _names_in(str(err), names), f"{err!r} does not name {names}"
    else:
        event(f"returned status {int(res.status)}")
        assert np.all(np.isfinite(res.x)) and math.isfinite(res.fun)
        assert np.all(np.isfinite(res.jac))
        if res.status != 4:  # status 4 says x is the last finite iterate; else it is honest
            assert res.status in (0, 1, 2, 3, 5, 6)
        assert res.nit <= 4
    if x0_copy is not None:
        assert np.array_equal(x0, x0_copy, equal_nan=x0.dtype.kind in "fc")
    assert options.keys() == options_copy.keys()
    assert all(options[k] is options_copy[k] for k in options)


@FUZZ
@given(which=st.sampled_from(["armijo", "wolfe", "wolfe_zoom"]),
       corrupt=st.sampled_from(["none", "alpha0", "c1", "c2", "maxls", "shrink", "fun"]),
       bad=_scalars(), kind=st.sampled_from(["none", "str", "nan", "complex", "raise", "f32"]))
def test_fuzz_line_searches(which, corrupt, bad, kind):
    """issue 15: the line searches under one corrupted parameter."""
    x = np.array([1.0, -2.0])
    fx, g = quad_f(x), quad_g(x)
    p = -g
    kw = {"alpha0": 1.0, "c1": 1e-4}
    if which != "armijo":
        kw["c2"] = 0.9
    if which == "armijo":
        kw["shrink"] = 0.5
    if which != "wolfe_zoom":
        kw["maxls"] = 10
    fun = quad_f
    names = ()
    if corrupt == "fun":
        fun, names = _bad_callable(kind, 2, "f"), ("fun", "f")
    elif corrupt in kw:
        kw[corrupt], names = bad, (corrupt,)
    copies = [a.copy() for a in (x, g, p)]
    call = getattr(linesearch, which)
    try:
        if which == "armijo":
            res = call(fun, x, fx, g, p, **kw)
        else:
            res = call(fun, quad_g, x, fx, g, p, **kw)
    except UserError:
        assert corrupt == "fun" and kind == "raise"
    except (TypeError, ValueError, OverflowError) as err:
        assert names, f"a valid call was refused: {err!r}"
        assert _names_in(str(err), names), f"{err!r} does not name {names}"
    else:
        assert np.all(np.isfinite(res.x)) and math.isfinite(res.fx)
    assert all(np.array_equal(a, b) for a, b in zip((x, g, p), copies))


@FUZZ
@given(which=st.sampled_from(["numeric_grad", "numeric_hess", "check_grad", "check_hess"]),
       corrupt=st.sampled_from(["none", "x", "eps", "f"]), bad=_scalars(), bad_array=_arrays(),
       kind=st.sampled_from(["none", "str", "nan", "complex", "shape", "bool", "raise",
                             "f32"]))
@example(which="numeric_grad", corrupt="x", bad=None, bad_array=np.array([1e308, -1e308]),
         kind="none")
def test_fuzz_gradcheck(which, corrupt, bad, bad_array, kind):
    """issue 15: gradcheck under one corrupted argument (x, eps, or the callable)."""
    x = np.array([1.0, -2.0])
    kw = {}
    f, g, h = quad_f, quad_g, lambda x: 2.0 * np.eye(2)
    names = ()
    if corrupt == "x":
        x, names = bad_array, ("x", "eps")  # a huge x makes eps unusable: named too
    elif corrupt == "eps":
        kw["eps"], names = bad, ("eps",)
    elif corrupt == "f":
        slot = {"numeric_grad": "f", "numeric_hess": "g", "check_grad": "f",
                "check_hess": "h"}[which]
        made = _bad_callable(kind, 2, slot)
        f, g, h = (made if slot == s else v for s, v in (("f", f), ("g", g), ("h", h)))
        names = {"f": ("f",), "g": ("grad",), "h": ("hess",)}[slot]
    x_copy = x.copy() if isinstance(x, np.ndarray) else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if which == "numeric_grad":
                out = gradcheck.numeric_grad(f, x, **kw)
            elif which == "numeric_hess":
                out = gradcheck.numeric_hess(g, x, **kw)
            elif which == "check_grad":
                out = gradcheck.check_grad(f, g, x, **kw).numeric
            else:
                out = gradcheck.check_hess(g, h, x, **kw).numeric
    except UserError:
        assert corrupt == "f" and kind == "raise"
    except (TypeError, ValueError, OverflowError) as err:
        assert names, f"a valid call was refused: {err!r}"
        assert _names_in(str(err), names), f"{err!r} does not name {names}"
    else:
        assert np.all(np.isfinite(out))
    if x_copy is not None:
        assert np.array_equal(x, x_copy, equal_nan=x.dtype.kind in "fc")


FACTORIES = {
    problems.quadratic: ("n", "cond", "seed", "center"),
    problems.least_squares: ("n_samples", "n_features", "noise", "seed"),
    problems.logistic_regression: ("n_samples", "n_features", "l2", "seed"),
    problems.rosenbrock: ("n", "a", "b"),
    problems.extended_rosenbrock: ("n", "a", "b"),
    problems.rastrigin: ("n",),
    problems.ackley: ("n",),
}


@FUZZ
@given(factory=st.sampled_from(sorted(FACTORIES, key=lambda f: f.__name__)),
       index=st.integers(0, 3), bad=_scalars())
def test_fuzz_problem_factories(factory, index, bad):
    """issue 15: the problem factories under one corrupted parameter: a finite problem (f and
    grad finite at x0) or an error naming the parameter."""
    params = FACTORIES[factory]
    name = params[index % len(params)]
    if name in ("n", "n_samples", "n_features") and isinstance(bad, int) and bad > 50:
        bad = 50  # a valid but big size: memory, not validation, would be tested
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # overflow in the data: a failure
            prob = factory(**{name: bad})
            fx, gx = prob.f(prob.x0), prob.grad(prob.x0)
    except (TypeError, ValueError, OverflowError) as err:
        assert name in str(err), f"{err!r} does not name {name}"
    else:
        assert np.all(np.isfinite(fx)) and np.all(np.isfinite(gx))


@FUZZ
@given(which=st.sampled_from(["quantized_acceptance", "simulated_annealing"]),
       corrupt=st.sampled_from(["none", "x0", "rng", "maxiter", "fun", "propose"]),
       bad=_scalars(), bad_array=_arrays(),
       kind=st.sampled_from(["none", "str", "nan", "complex", "raise", "f32"]))
def test_fuzz_search(which, corrupt, bad, bad_array, kind):
    """issue 15: the random searches under one corrupted argument."""
    x0 = np.array([1.0, -2.0])
    fun, propose = quad_f, search.gaussian_proposal(0.1)
    kw = {"maxiter": 5, "rng": 0}
    names = ()
    if corrupt == "x0":
        x0, names = bad_array, ("x0",)
    elif corrupt in ("rng", "maxiter"):
        if corrupt == "maxiter" and isinstance(bad, int) and bad > 5:
            bad = 5  # a valid maxiter: kept small (no hang)
        kw[corrupt], names = bad, (corrupt,)
    elif corrupt == "fun":
        fun, names = _bad_callable(kind, 2, "f"), ("fun",)
    elif corrupt == "propose":
        propose, names = _bad_callable(kind, 2, "g"), ("propose",)
    x0_copy = x0.copy() if isinstance(x0, np.ndarray) else None
    try:
        res = getattr(search, which)(fun, x0, propose, **kw)
    except UserError:
        assert corrupt in ("fun", "propose") and kind == "raise"
    except (TypeError, ValueError, OverflowError) as err:
        assert names, f"a valid call was refused: {err!r}"
        assert _names_in(str(err), names), f"{err!r} does not name {names}"
    else:
        assert np.all(np.isfinite(res.x)) and math.isfinite(res.fun)
    if x0_copy is not None:
        assert np.array_equal(x0, x0_copy, equal_nan=x0.dtype.kind in "fc")


@FUZZ
@given(which=st.sampled_from(["on_zero_step", "annealing"]),
       corrupt=st.sampled_from(["none", "qp0", "factor", "qp_max", "alpha", "c"]),
       bad=_scalars())
def test_fuzz_schedules(which, corrupt, bad):
    """issue 15: the resolution schedules under one corrupted argument, then used by minimize."""
    kw = {"qp0": 4, "factor": 2, "qp_max": 64}
    if which == "annealing":
        kw.update(alpha=20.0, c=1e-6)
    names = ()
    if corrupt in kw:
        kw[corrupt], names = bad, (corrupt, "qp")  # qp0 is checked as a grid's qp
    try:
        sched = getattr(schedules, which)(**kw)
        res = qo.minimize(quad_f, np.array([1.0, -2.0]), jac=quad_g, method="gd", qp=sched,
                          line_search=None, options={"maxiter": 5, "lr": 0.1})
    except (TypeError, ValueError, OverflowError) as err:
        assert names, f"a valid call was refused: {err!r}"
        assert _names_in(str(err), names), f"{err!r} does not name {names}"
    else:
        assert np.all(np.isfinite(res.x)) and math.isfinite(res.fun)


def test_lbfgs_inverse_hessian_names_gamma():
    """issue 15 item 7: gamma=nan gave a NaN matrix (then an error naming B, not gamma)."""
    from fractions import Fraction

    from quantopt.optim import lbfgs_inverse_hessian
    pair = [(np.array([1.0, 0.0]), np.array([2.0, 0.5]))]
    for bad, err in ((float("nan"), ValueError), (0.0, ValueError), (-1.0, ValueError),
                     ("a", TypeError), (Fraction(-1, 2), ValueError)):
        with pytest.raises(err, match="gamma"):
            lbfgs_inverse_hessian(pair, gamma=bad)
    exact = lbfgs_inverse_hessian([(np.array([Fraction(1), Fraction(0)]),
                                    np.array([Fraction(2), Fraction(1, 2)]))], gamma=Fraction(1, 3))
    assert all(isinstance(v, Fraction) for v in exact.ravel())


# ---------------------------------------- the adaptive rules' squared gradient (issue 15) --
_MAX = Fraction(np.finfo(np.float64).max)
_HALF_ULP_MAX = Fraction(2) ** 970  # half the spacing of floats at the largest float64


@pytest.mark.parametrize("name", ["adagrad", "rmsprop", "adam", "adamw"])
@given(big=st.floats(min_value=1e153, max_value=1e155))
@example(big=float(np.sqrt(np.finfo(np.float64).max)))
@example(big=float(np.nextafter(np.sqrt(np.finfo(np.float64).max), np.inf)))
def test_adaptive_rules_refuse_a_squared_gradient_beyond_float64(name, big):
    """g*g beyond float64 made v = inf and the step silently 0 (the run stood still and said
    maxiter). Oracle: g*g rounds to inf exactly when the exact square reaches the largest
    float plus half an ulp (round to nearest); then step and step_inplace raise OverflowError
    naming the rule, else the direction is finite."""
    from quantopt.optim import RULES
    rule = RULES[name]()
    x = np.array([0.5, -1.0])
    g = np.array([-big, 1.0])
    overflows = Fraction(big) ** 2 >= _MAX + _HALF_ULP_MAX
    if overflows:
        with pytest.raises(OverflowError, match=f"^{name}: .*g\\*g"):
            rule.step(rule.init(x), x, g)
        with pytest.raises(OverflowError, match=f"^{name}: "):
            rule.step_inplace(rule.init(x), x.copy(), g, 1e-3)
    else:
        d, state = rule.step(rule.init(x), x, g)
        assert np.isfinite(d).all() and d[0] > 0  # a real step, away from the gradient


def test_minimize_ends_with_status_4_when_the_squared_gradient_overflows():
    def f(x):
        return 1e160 * float(x @ x)

    def g(x):
        return 2e160 * x

    for method in ("adagrad", "rmsprop", "adam", "adamw"):
        r = qo.minimize(f, np.array([1.0, 2.0]), jac=g, method=method,
                     options={"lr": 0.1, "maxiter": 50})
        assert r.status == 4 and "g*g" in r.message, (method, r.message)
        np.testing.assert_array_equal(r.x, [1.0, 2.0])  # the last finite iterate: x0
