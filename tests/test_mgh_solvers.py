"""BFGS and L-BFGS at their defaults against scipy on the Moré-Garbow-Hillstrom problems.

The acceptance of issue 11: wherever scipy's BFGS reaches f* (or a local minimum the paper
lists), quantopt's BFGS and L-BFGS at their defaults reach one too; BFGS with at most 1.5x the
evaluations of scipy's BFGS, L-BFGS with at most 1.5x those of scipy's L-BFGS-B wherever L-BFGS-B
reaches a listed value (its counterpart, with the same Moré-Thuente search and memory m = 10).
Where L-BFGS-B does not reach one (Powell's badly scaled function, Jennrich-Sampson, Meyer),
L-BFGS must still reach it; its count there is reported by bench/bench_mgh.py, not bounded
here: on Meyer it takes 1.8x scipy BFGS's evaluations (see bench/README.md).

Oracle: the values printed in the paper (``prob.f_star``, ``prob.local_minima``), with the
bench's rule: |f - f_ref| <= 1e-4 |f_ref|, or f <= 1e-8 when f_ref = 0.
"""
import numpy as np
import pytest
from scipy.optimize import minimize as scipy_minimize

import quantopt as qo
from quantopt import problems

GTOL, MAXITER = 1e-6, 10000
# long trial steps overflow exp() in some problems (f = inf there): the searches back off
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")


def reached(prob, f):
    refs = [prob.f_star, *prob.local_minima]
    return any((f <= 1e-8) if ref == 0 else abs(f - ref) <= 1e-4 * abs(ref)
               for ref in refs if np.isfinite(ref))


def scipy_run(prob, method):
    if method == "BFGS":
        options = {"gtol": GTOL, "norm": np.inf, "maxiter": MAXITER}
    else:
        options = {"gtol": GTOL, "ftol": 0.0, "maxiter": MAXITER, "maxfun": 10 * MAXITER}
    return scipy_minimize(prob.f, prob.x0, jac=prob.grad, method=method, options=options)


@pytest.mark.parametrize("k", problems.MGH_PROBLEMS)
def test_bfgs_and_lbfgs_defaults_reach_what_scipy_reaches(k):
    prob = problems.mgh(k)
    options = {"gtol": GTOL, "maxiter": MAXITER, "path": False}
    ours_bfgs = qo.minimize(prob.f, prob.x0, jac=prob.grad, method="bfgs", options=options)
    ours_lbfgs = qo.minimize(prob.f, prob.x0, jac=prob.grad, method="lbfgs", options=options)
    for res in (ours_bfgs, ours_lbfgs):  # whatever is reached, the status tells the truth
        assert res.success == (np.max(np.abs(prob.grad(res.x))) <= GTOL)
    ref_bfgs = scipy_run(prob, "BFGS")
    if not reached(prob, ref_bfgs.fun):
        return  # Penalty II and Trigonometric at n = 10: scipy's BFGS reaches none either
    ref_lbfgsb = scipy_run(prob, "L-BFGS-B")
    assert reached(prob, ours_bfgs.fun), (ours_bfgs.fun, ours_bfgs.message)
    assert reached(prob, ours_lbfgs.fun), (ours_lbfgs.fun, ours_lbfgs.message)
    assert ours_bfgs.nfev <= 1.5 * ref_bfgs.nfev
    if reached(prob, ref_lbfgsb.fun):
        assert ours_lbfgs.nfev <= 1.5 * ref_lbfgsb.nfev
