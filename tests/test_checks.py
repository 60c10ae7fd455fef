"""The shared validation vocabulary (quantopt._checks): every error names the argument."""
import numpy as np
import pytest

from quantopt import _checks as C


@pytest.mark.parametrize("bad, err", [(1, TypeError), (None, TypeError), ("yes", TypeError)])
def test_check_bool_refuses_non_bools(bad, err):
    with pytest.raises(err, match="flag"):
        C.check_bool("flag", bad)
    assert C.check_bool("flag", np.bool_(True)) is True


def test_check_choice():
    assert C.check_choice("method", "gd", ("gd", "adam")) == "gd"
    with pytest.raises(TypeError, match="method must be one of 'gd', 'adam', got list"):
        C.check_choice("method", ["gd"], ("gd", "adam"))
    with pytest.raises(ValueError, match="method must be one of .*got 'GD'"):
        C.check_choice("method", "GD", ("gd", "adam"))


@pytest.mark.parametrize("bad, err", [("abc", TypeError), (1.5, TypeError), (True, TypeError),
                                      (-1, ValueError), ([1, 2], TypeError)])
def test_check_seed_names_the_argument(bad, err):
    with pytest.raises(err, match="^rng must"):
        C.check_rng("rng", bad)


def test_check_rng_keeps_a_generator_stream_and_matches_default_rng():
    g = np.random.default_rng(5)
    assert C.check_rng("rng", g) is g
    a = C.check_rng("rng", 7).standard_normal(3)
    np.testing.assert_array_equal(a, np.random.default_rng(7).standard_normal(3))
    ss = np.random.SeedSequence(3)
    assert C.check_seed("seed", ss) is ss
    assert C.check_seed("seed", np.int64(4)) == 4


@pytest.mark.parametrize("bad, err, text", [
    ([[1, 2], [3]], TypeError, "rectangular"),
    ([1j], TypeError, "complex"),
    (["a"], TypeError, "dtype <U1"),
    (None, TypeError, "NoneType"),
    (True, TypeError, "bool"),
    ([np.nan], ValueError, "finite"),
    ([np.inf], ValueError, "finite"),
    (np.array([2**53 + 1]), OverflowError, "2\\*\\*53"),
])
def test_check_real_array_refusals(bad, err, text):
    with pytest.raises(err, match=f"^x0 .*{text}"):
        C.check_real_array("x0", bad)


def test_check_real_array_copies_and_checks_shape():
    a = np.arange(3.0)
    out = C.check_real_array("x", a)
    assert out is not a and out.dtype == np.float64
    out[0] = 9.0
    assert a[0] == 0.0
    with pytest.raises(ValueError, match="x must be 2-dimensional"):
        C.check_real_array("x", a, ndim=2)
    with pytest.raises(ValueError, match=r"x must have shape \(2,\)"):
        C.check_real_array("x", a, shape=(2,))
    with pytest.raises(ValueError, match="x must have at least 1 element"):
        C.check_real_array("x", [], min_size=1)
    assert np.isnan(C.check_real_array("x", [np.nan], finite=False)[0])


def test_check_out():
    out = np.zeros(3)
    assert C.check_out("out", out, (3,), np.float64) is out
    out.flags.writeable = False
    with pytest.raises(ValueError, match="out is read-only"):
        C.check_out("out", out, (3,), np.float64)
    with pytest.raises(TypeError, match="out must have dtype float64"):
        C.check_out("out", np.zeros(3, np.float32), (3,), np.float64)
    with pytest.raises(ValueError, match=r"out must have shape \(3,\)"):
        C.check_out("out", np.zeros(2), (3,), np.float64)


def test_returned_real_names_the_callable():
    with pytest.raises(TypeError, match="jac must return real numbers.*complex"):
        C.returned_real("jac", np.array([1 + 1j]), (1,))
    with pytest.raises(TypeError, match="jac must return real numbers"):
        C.returned_real("jac", ["a", "b"], (2,))
    with pytest.raises(ValueError, match=r"jac must return an array of shape \(2,\)"):
        C.returned_real("jac", [1.0], (2,))
    assert C.returned_real("fun", 3, ()).dtype == np.float64


def test_check_real_names_an_int_beyond_the_float_range():
    with pytest.raises(OverflowError, match="^lam is too large for a float64"):
        C.check_real("lam", 10**400)
    with pytest.raises(OverflowError, match="^lr is too large"):
        C.check_positive("lr", -(10**400))


def test_check_exact_nonnegative_keeps_fractions():
    """issue 15 (torch.optim's options): weight_decay of the exact first-order rules."""
    from fractions import Fraction
    assert C.check_exact_nonnegative("weight_decay", Fraction(1, 3)) == Fraction(1, 3)
    assert type(C.check_exact_nonnegative("weight_decay", Fraction(1, 3))) is Fraction
    assert type(C.check_exact_nonnegative("weight_decay", 0)) is float
    with pytest.raises(ValueError, match="weight_decay must be >= 0"):
        C.check_exact_nonnegative("weight_decay", Fraction(-1, 3))
    with pytest.raises(ValueError, match="weight_decay must be >= 0"):
        C.check_exact_nonnegative("weight_decay", -1e-3)
    with pytest.raises(ValueError, match="weight_decay must be finite"):
        C.check_exact_nonnegative("weight_decay", float("inf"))
    with pytest.raises(TypeError, match="weight_decay must be a real number"):
        C.check_exact_nonnegative("weight_decay", True)
