"""``grade(name)``: the one line in every hidden-test region of a source notebook.

In the student's kernel nothing can be trusted, so this function never decides
a recorded grade:

* under ``nbgrader autograde`` it prints a notice and returns ``0.0``; the
  :class:`~dlcourse.autograder.preprocessor.TrustedHiddenChecks` step then
  replaces the cell's output with the score computed outside the kernel
  (if that step were ever left out of the configuration the cell would earn
  nothing: the design fails closed);
* anywhere else (``nbgrader validate``, an author running the source notebook)
  it previews the hidden cases on the live function when ``solutions/`` can be
  found, prints one line per case and raises ``AssertionError`` on a failure.
"""
from __future__ import annotations

import inspect
import os
from pathlib import Path

__all__ = ["grade", "find_solutions_dir"]


def find_solutions_dir(start: Path | None = None) -> Path | None:
    """``$DLCOURSE_SOLUTIONS_DIR`` or the nearest ``solutions/`` beside an ``nbgrader_config.py``."""
    env = os.environ.get("DLCOURSE_SOLUTIONS_DIR")
    if env:
        return Path(env)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "solutions").is_dir() and (folder / "nbgrader_config.py").is_file():
            return folder / "solutions"
    return None


def grade(name: str) -> float | None:
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        return 0.0  # replaced by the trusted grader's score
    solutions = find_solutions_dir()
    assignment_id = Path.cwd().name
    if solutions is None or not (solutions / f"{assignment_id}.py").is_file():
        print(f"{name}: hidden checks run when your notebook is graded.")
        return None
    from .hidden import grade_in_process, load_checks

    checks = load_checks(assignment_id, solutions)
    caller_globals = inspect.currentframe().f_back.f_globals
    report = grade_in_process(checks[name], caller_globals.get(name))
    print(report.text())
    if report.passed < report.total:
        raise AssertionError(f"{name}: {report.total - report.passed} hidden case(s) failed")
    return None
