"""quantopt.problems: the global-optimization benchmarks of issue 13 (item 4).

First the Problem.bounds field they need: optional, validated, frozen.
"""
import numpy as np
import pytest

from quantopt.problems import Problem, all_problems


def test_problem_bounds_is_optional_validated_and_frozen():
    f = lambda x: float(np.sum(np.asarray(x) ** 2))
    g = lambda x: 2 * np.asarray(x)
    old = Problem(f, g, None, [1.0, 2.0], [[0.0, 0.0]], 0.0, "plain")   # positional, as before
    assert old.bounds is None
    box = np.array([[-1, 1], [0, 3]])
    p = Problem(f, g, None, [1.0, 2.0], [[0.0, 0.0]], 0.0, "boxed", bounds=box)
    assert p.bounds.dtype == np.float64 and np.array_equal(p.bounds, box)
    box[0, 0] = 5                                      # a copy was kept
    assert p.bounds[0, 0] == -1.0
    with pytest.raises(ValueError):
        p.bounds[...] = 0.0
    bad_boxes = [(np.zeros((3, 2)), ValueError),              # wrong shape
                 (np.zeros(4), ValueError),
                 ([[1.0, 0.0], [0.0, 1.0]], ValueError),      # low > high
                 ([[np.nan, 1.0], [0.0, 1.0]], ValueError),
                 ([["a", "b"], ["c", "d"]], TypeError)]
    for bad, kind in bad_boxes:
        with pytest.raises(kind, match="bounds"):
            Problem(f, g, None, [1.0, 2.0], [[0.0, 0.0]], 0.0, "bad", bounds=bad)


def test_problems_without_a_box_have_bounds_none():
    assert all(p.bounds is None for p in all_problems().values())
