"""The README's examples and every docstring example print the numbers they claim."""
import doctest
import importlib
import pathlib
import pkgutil

import pytest

import quantopt

ROOT = pathlib.Path(__file__).resolve().parent.parent
#: every module of the package, found by walking it (a new module cannot be forgotten);
#: doctest.testmod on a package sees only its __init__
MODULES = sorted(m.name for m in pkgutil.walk_packages(quantopt.__path__, "quantopt.")
                 if m.name != "quantopt.demo")


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


def test_every_module_is_doctested():
    for name in ("quantopt.proxquant.train", "quantopt.proxquant.toys", "quantopt.rounding",
                 "quantopt.optim.first_order", "quantopt.viz"):
        assert name in MODULES
    attempted = sum(doctest.testmod(importlib.import_module(m)).attempted
                    for m in MODULES if m.startswith("quantopt.proxquant"))
    assert attempted > 15  # the package's examples moved with their code
