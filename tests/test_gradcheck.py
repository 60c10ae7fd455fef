"""quantopt.gradcheck: central differences against closed forms, and the allclose rule exactly.

Oracles: closed-form derivatives of polynomials (whose central-difference error is known in
closed form: for c*x**4 it is exactly 4*c*x*h**2), numpy.allclose (the same rule, |a - b| <=
atol + rtol*|b|), and dyadic inputs for which every float operation is exact.
"""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from quantopt.gradcheck import CheckResult, check_grad, check_hess, numeric_grad, numeric_hess

U = 2.0**-53
coords = st.floats(-3, 3, allow_nan=False, allow_infinity=False)
points3 = hnp.arrays(np.float64, 3, elements=coords)

C4 = np.array([0.5, -1.25, 2.0])


def quartic(x):
    """sum_i C4_i x_i^4 + x_0 x_1: the bilinear term is differenced exactly."""
    return np.sum(C4 * x**4) + x[0] * x[1]


def quartic_grad(x):
    return 4 * C4 * x**3 + np.array([x[1], x[0], 0.0])


def quartic_scale(x, h):
    """An upper bound on |f| and on the sum of |terms| of f near x (|step| <= h)."""
    return np.sum(np.abs(C4) * (np.abs(x) + h) ** 4) + (abs(x[0]) + h) * (abs(x[1]) + h)


def roundoff_bound(x, h):
    """Round-off of the difference quotient: each f value is a sum of 4 terms computed with
    relative error <= 8u each (powers, products, sums), so |fl(f) - f| <= 8u * scale; the
    difference of two such values divided by the step 2h contributes <= 8u * scale / h."""
    return 8 * U * quartic_scale(x, h) / h


def asymmetry_bound(x):
    """x_i +- h are rounded: the midpoint of the two points moves by <= ulp(x_i), which changes
    the quotient by <= |f''| * ulp(x_i) (|f''| <= 12 |c| (|x|+1)^2 + 1 for steps <= 1)."""
    return (12 * np.abs(C4) * (np.abs(x) + 1) ** 2 + 1) * np.spacing(np.abs(x) + 1)


# ---------------------------------------------------------------------------------------------
# numeric_grad: the truncation error h^2 f'''/6 and the round-off u|f|/h
# ---------------------------------------------------------------------------------------------
@given(points3)
def test_numeric_grad_within_truncation_plus_roundoff(x):
    h = 1e-6
    truncation = h**2 * np.abs(24 * C4 * (np.abs(x) + h)) / 6
    bound = truncation + roundoff_bound(x, h) + asymmetry_bound(x)
    err = np.abs(numeric_grad(quartic, x, h) - quartic_grad(x))
    assert np.all(err <= bound), (err, bound)


@given(points3)
def test_numeric_grad_error_is_the_predicted_truncation_term(x):
    """With h = 1e-3 truncation dominates, and the error is exactly 4 c x h^2 up to round-off:
    the error is O(h^2) with the predicted constant f'''/6 = 4 c x."""
    h = 2.0**-10
    predicted = 4 * C4 * x * h**2
    err = numeric_grad(quartic, x, h) - quartic_grad(x)
    assert np.all(np.abs(err - predicted) <= roundoff_bound(x, h) + asymmetry_bound(x))


def test_numeric_grad_roundoff_grows_when_eps_is_too_small():
    """exp at 1: error ~ h^2 e/6 + u e/h. eps = 1e-6 is near the optimum; 1e-13 and 1e-2 are
    dominated by round-off and by truncation respectively."""
    def f(x):
        return math.exp(x[0])

    def err(h):
        return abs(numeric_grad(f, [1.0], h)[0] - math.e)

    assert err(1e-6) < 1e-9
    assert err(1e-13) > 100 * err(1e-6)
    assert err(1e-2) > 100 * err(1e-6)
    assert err(1e-2) == pytest.approx(1e-4 * math.e / 6, rel=1e-3)


def test_numeric_grad_keeps_the_shape_of_a_matrix_argument():
    w = np.arange(6.0).reshape(2, 3) / 4
    g = numeric_grad(lambda m: np.sum(m**3), w)
    assert g.shape == (2, 3)
    np.testing.assert_allclose(g, 3 * w**2, rtol=1e-9, atol=1e-12)


def test_numeric_grad_is_exact_for_linear_functions_with_dyadic_steps():
    c = np.array([1.0, -2.0, 0.0, 0.5])
    g = numeric_grad(lambda x: c @ x, np.zeros(4), 2.0**-20)
    assert np.array_equal(g, c)


# ---------------------------------------------------------------------------------------------
# check_grad accepts a correct gradient and rejects wrong ones
# ---------------------------------------------------------------------------------------------
def smooth(x):
    return x[0] ** 2 * x[1] + np.sin(x[2]) * x[0] + np.exp(x[1])


def smooth_grad(x):
    """d/dx1 = x0^2 + exp(x1) >= exp(-3) > 0.04 on the test box: never near 0."""
    return np.array([2 * x[0] * x[1] + np.sin(x[2]), x[0] ** 2 + np.exp(x[1]),
                     np.cos(x[2]) * x[0]])


@given(points3)
def test_check_grad_accepts_the_correct_gradient(x):
    result = check_grad(smooth, smooth_grad, x)
    assert result.ok and bool(result)
    assert result.max_abs_err < 1e-7


@given(points3)
def test_check_grad_rejects_a_factor_two_in_one_coordinate(x):
    def wrong(z):
        return smooth_grad(z) * np.array([1.0, 2.0, 1.0])

    result = check_grad(smooth, wrong, x)
    assert not result.ok and not result
    assert result.worst_index == (1,)
    assert result.max_abs_err == pytest.approx(smooth_grad(x)[1], rel=1e-6)


@given(points3)
def test_check_grad_rejects_a_sign_error(x):
    def wrong(z):
        return smooth_grad(z) * np.array([1.0, -1.0, 1.0])

    result = check_grad(smooth, wrong, x)
    assert not result.ok
    assert result.worst_index == (1,)
    rel1 = abs(result.analytic[1] - result.numeric[1]) / abs(result.numeric[1])
    assert rel1 == pytest.approx(2.0, rel=1e-6)
    assert result.max_rel_err >= rel1


def test_check_grad_on_a_matrix_argument_points_at_the_wrong_entry():
    w = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])

    def wrong(m):
        g = 2 * m
        g[1, 2] += 0.1
        return g

    assert check_grad(lambda m: np.sum(m**2), lambda m: 2 * m, w).ok
    result = check_grad(lambda m: np.sum(m**2), wrong, w)
    assert not result.ok and result.worst_index == (1, 2)


# ---------------------------------------------------------------------------------------------
# allclose semantics, on exactly constructed arrays
# ---------------------------------------------------------------------------------------------
C = np.array([1.0, -2.0, 0.0, 0.5])
ATOL, RTOL = 2.0**-10, 2.0**-4
ALLOWED = ATOL + RTOL * np.abs(C)  # exact: every value is a short dyadic
H = 2.0**-20  # numeric_grad of x -> C @ x at 0 with this step is exactly C


def check_linear(analytic, atol=ATOL, rtol=RTOL):
    return check_grad(lambda x: C @ x, lambda x: np.array(analytic), np.zeros(4), eps=H,
                      atol=atol, rtol=rtol)


def test_allclose_boundary_is_inclusive():
    for sign in (1.0, -1.0):
        result = check_linear(C + sign * ALLOWED)
        assert np.array_equal(result.numeric, C)
        assert np.array_equal(np.abs(result.analytic - result.numeric), ALLOWED)
        assert result.ok
        assert result.max_abs_err == ALLOWED.max()
        assert np.allclose(result.analytic, result.numeric, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("i", range(4))
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_allclose_just_outside_fails_at_that_entry(i, sign):
    analytic = C.copy()
    analytic[i] += sign * (ALLOWED[i] + 2.0**-30)
    result = check_linear(analytic)
    assert not result.ok
    assert result.worst_index == (i,)
    assert result.max_abs_err == ALLOWED[i] + 2.0**-30
    assert not np.allclose(result.analytic, result.numeric, rtol=RTOL, atol=ATOL)
    inside = C.copy()
    inside[i] += sign * (ALLOWED[i] - 2.0**-30)
    assert check_linear(inside).ok


def test_reference_is_the_numeric_gradient():
    """|a - n| = 1: within rtol*|a| = 1 but not within rtol*|n| = 0.5; the numeric value is
    'other' in |input - other| <= atol + rtol*|other|, so this fails."""
    result = check_linear([2.0, -2.0, 0.0, 0.5], atol=0.0, rtol=0.5)
    assert not result.ok and result.worst_index == (0,)
    swapped = check_linear([0.5, -2.0, 0.0, 0.5], atol=0.0, rtol=1.0)
    assert swapped.ok  # |0.5 - 1| <= 1 * |1|, though > 1 * |0.5|


def test_zero_tolerances_demand_equality_and_report_relative_errors():
    assert check_linear(C, atol=0.0, rtol=0.0).ok
    result = check_linear(C + np.array([0.0, 0.0, 2.0**-12, 0.0]), atol=0.0, rtol=0.0)
    assert not result.ok and result.worst_index == (2,)
    assert result.max_rel_err == math.inf  # the numeric entry is 0
    result = check_linear(C * np.array([1.0, 1.5, 1.0, 1.0]), atol=0.0, rtol=0.25)
    assert result.max_rel_err == 0.5 and not result.ok


def test_nan_gradient_fails():
    result = check_linear([1.0, np.nan, 0.0, 0.5], atol=1.0, rtol=1.0)
    assert not result.ok and result.worst_index == (1,)


def test_result_is_a_named_tuple_with_the_documented_fields():
    result = check_linear(C)
    assert isinstance(result, CheckResult)
    assert result._fields == ("ok", "max_abs_err", "max_rel_err", "worst_index", "numeric",
                              "analytic")
    assert result.ok is True and isinstance(result.max_abs_err, float)


# ---------------------------------------------------------------------------------------------
# numeric_hess and check_hess
# ---------------------------------------------------------------------------------------------
A = np.array([[4.0, 1.0, -2.0], [1.0, 3.0, 0.5], [-2.0, 0.5, 5.0]])
B = np.array([1.0, -1.0, 0.25])


def quad_grad(x):
    return A @ x + B


@given(points3)
def test_numeric_hess_of_a_quadratic_is_exact_up_to_roundoff(x):
    """grad is affine, so central differences have no truncation error; each gradient entry
    (a sum of 4 terms) carries round-off <= 4u * (|A|(|x| + h) + |B|), so the difference of
    two, divided by the step 2h, is off by <= 4u * scale / h; a factor 2 covers any summation
    order (BLAS)."""
    h = 1e-5
    scale = np.abs(A) @ (np.abs(x) + h) + np.abs(B)
    bound = 8 * U * scale.max() / h
    num = numeric_hess(quad_grad, x, h)
    assert np.array_equal(num, num.T)
    assert np.max(np.abs(num - A)) <= bound
    assert check_hess(quad_grad, lambda z: A, x).ok


@given(points3)
def test_check_hess_rejects_a_wrong_entry(x):
    wrong = A.copy()
    wrong[0, 2] = wrong[2, 0] = -1.9
    result = check_hess(quad_grad, lambda z: wrong, x)
    assert not result.ok and result.worst_index in {(0, 2), (2, 0)}


def test_check_hess_rejects_a_non_symmetric_hessian():
    nonsym = A + np.array([[0.0, 0.1, 0.0], [-0.1, 0.0, 0.0], [0.0, 0.0, 0.0]])
    result = check_hess(quad_grad, lambda z: nonsym, np.ones(3))
    assert not result.ok
    assert result.max_abs_err == pytest.approx(0.1, rel=1e-6)


@given(points3)
def test_numeric_hess_of_a_cubic_matches_the_closed_form(x):
    def grad(z):
        return np.array([3 * z[0] ** 2 * z[1], z[0] ** 3 + z[2], z[1]])

    hess = np.array([[6 * x[0] * x[1], 3 * x[0] ** 2, 0.0], [3 * x[0] ** 2, 0.0, 1.0],
                     [0.0, 1.0, 0.0]])
    assert check_hess(grad, lambda z: hess, x).ok
    h = 1e-5  # truncation h^2 * |d^3 grad| / 6 = h^2 * 6|x1| / 6 or h^2 * 6 / 6, round-off tiny
    np.testing.assert_allclose(numeric_hess(grad, x, h), hess, rtol=0,
                               atol=h**2 * (abs(x[1]) + 1) + 1e-8)


def test_docstring_examples():
    import doctest

    import quantopt.gradcheck

    result = doctest.testmod(quantopt.gradcheck, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# ---------------------------------------------------------------------------------------------
# Argument validation, and inputs left alone
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("eps", [0.0, -1e-6, math.nan, math.inf])
def test_bad_eps_raises_value_error(eps):
    with pytest.raises(ValueError, match="eps"):
        numeric_grad(quartic, np.ones(3), eps)
    with pytest.raises(ValueError, match="eps"):
        check_hess(quad_grad, lambda z: A, np.ones(3), eps=eps)


@pytest.mark.parametrize("eps", ["1e-6", True, None])
def test_non_numeric_eps_raises_type_error(eps):
    with pytest.raises(TypeError, match="eps"):
        numeric_grad(quartic, np.ones(3), eps)


@pytest.mark.parametrize("name", ["atol", "rtol"])
@pytest.mark.parametrize("value", [-1e-9, math.nan, math.inf])
def test_bad_tolerances_raise(name, value):
    with pytest.raises(ValueError, match=name):
        check_grad(quartic, quartic_grad, np.ones(3), **{name: value})
    with pytest.raises(ValueError, match=name):
        check_hess(quad_grad, lambda z: A, np.ones(3), **{name: value})


@pytest.mark.parametrize("x", [[1.0, np.nan, 0.0], [np.inf, 0.0, 0.0], []])
def test_bad_x_raises_value_error(x):
    with pytest.raises(ValueError, match="x"):
        numeric_grad(quartic, x)
    with pytest.raises(ValueError, match="x"):
        check_grad(quartic, quartic_grad, x)


def test_non_real_x_raises_type_error():
    with pytest.raises(TypeError, match="x"):
        numeric_grad(quartic, ["a", "b", "c"])
    with pytest.raises(TypeError, match="x"):
        numeric_grad(quartic, np.ones(3) + 1j)


def test_hessian_needs_a_vector():
    with pytest.raises(ValueError, match="x"):
        numeric_hess(lambda z: z, np.ones((2, 2)))
    with pytest.raises(ValueError, match="x"):
        check_hess(lambda z: z, lambda z: np.eye(4), np.ones((2, 2)))


def test_f_must_return_a_real_scalar():
    with pytest.raises(TypeError, match="f must return"):
        numeric_grad(lambda x: x**2, np.ones(3))
    with pytest.raises(TypeError, match="f must return"):
        check_grad(lambda x: 1j * x[0], lambda x: x, np.ones(3))


def test_grad_and_hess_must_return_the_right_shape():
    with pytest.raises(ValueError, match="grad"):
        check_grad(quartic, lambda x: x[:2], np.ones(3))
    with pytest.raises(ValueError, match="grad"):
        numeric_hess(lambda x: x[:2], np.ones(3))
    with pytest.raises(ValueError, match="hess"):
        check_hess(quad_grad, lambda x: np.eye(2), np.ones(3))


def test_functions_must_be_callable():
    with pytest.raises(TypeError, match="f"):
        numeric_grad(3.0, np.ones(3))
    with pytest.raises(TypeError, match="grad"):
        check_grad(quartic, "grad", np.ones(3))
    with pytest.raises(TypeError, match="hess"):
        check_hess(quad_grad, None, np.ones(3))


def test_inputs_are_not_modified_and_f_cannot_modify_them():
    x = np.array([0.5, -1.0, 2.0])
    x.flags.writeable = False
    check_grad(quartic, quartic_grad, x)
    check_hess(quad_grad, lambda z: A, x)
    assert np.array_equal(x, [0.5, -1.0, 2.0])

    def mutating(z):
        z[0] = 0.0
        return 0.0

    y = np.array([0.5, -1.0, 2.0])
    with pytest.raises(ValueError):
        numeric_grad(mutating, y)
    assert np.array_equal(y, [0.5, -1.0, 2.0])
