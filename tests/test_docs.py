"""The README's examples and the docstring examples print the numbers they claim."""
import doctest
import pathlib

import quantopt.rounding

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_readme_examples():
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False,
                              optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5
    assert result.failed == 0


def test_rounding_docstring_examples():
    result = doctest.testmod(quantopt.rounding, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
