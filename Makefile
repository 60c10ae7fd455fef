# The two commands of the README. Each does its own set-up: a .venv with the package installed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,notebooks]"
	touch $(STAMP)

demo: $(STAMP)
	MPLBACKEND=Agg $(PY) -m quantopt.demo

test: $(STAMP)
	HYPOTHESIS_PROFILE=ci $(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
