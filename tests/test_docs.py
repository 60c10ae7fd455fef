"""The README's examples and every docstring example print the numbers they claim."""
import doctest
import importlib
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODULES = ["quantopt.rounding", "quantopt.grid", "quantopt.schedules", "quantopt.problems",
           "quantopt.gradcheck", "quantopt.linesearch", "quantopt.steps", "quantopt.minimize",
           "quantopt.optim.base", "quantopt.optim.first_order", "quantopt.optim.adaptive",
           "quantopt.optim.second_order", "quantopt.prox", "quantopt.proxquant",
           "quantopt.search", "quantopt.noise", "quantopt.optim.stochastic"]


def test_readme_examples():
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False,
                              optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10
    assert result.failed == 0


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
