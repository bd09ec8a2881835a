# The two commands of the README.  Both work on a fresh machine.
.PHONY: setup demo test bench lab

setup:
	bash scripts/setup.sh

# Set up, release every assignment, grade a simulated class, feedback, CSV, summary.
demo: setup
	PATH="$(CURDIR)/.venv/bin:$$PATH" .venv/bin/dlcourse demo

# Set up and run the whole test suite (what .ci/run runs), one test file per process on
# every core (--dist loadfile keeps each file's shared fixtures in one process), the slowest
# files first (tests/conftest.py orders them; --no-loadscope-reorder keeps that order).
test: setup
	PATH="$(CURDIR)/.venv/bin:$$PATH" .venv/bin/python -m pytest -q -n auto --dist loadfile --no-loadscope-reorder

bench: setup
	PATH="$(CURDIR)/.venv/bin:$$PATH" .venv/bin/python benchmarks/grading_speed.py

# JupyterLab on the repository (the assignments, with the nbgrader and widget extensions).
lab: setup
	PATH="$(CURDIR)/.venv/bin:$$PATH" .venv/bin/jupyter lab
