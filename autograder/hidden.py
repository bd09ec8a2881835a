"""Hidden checks: randomized cases judged against ``solutions/`` outside the student's kernel.

``solutions/<assignment_id>.py`` (instructor only) defines the reference
functions and ``HIDDEN_CHECKS``, a list of :class:`~dlcourse.autograder.checks.FunctionCheck`
with ``reference`` and ``cases`` set.  :func:`grade_notebook_code` runs the
student's code in a :class:`~dlcourse.autograder.worker_client.Worker`, calls each
function on fresh cases drawn from a seed chosen at grading time, and compares
the plain data that comes back with the reference -- in this process, where no
student code ever ran.

Report lines name what went wrong (shape, type, likely mistake) but never show
a reference value, so feedback can go to students as it is.
"""
from __future__ import annotations

import importlib.util
import re
import secrets
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from .checks import CallOutcome, Case, FunctionCheck, apply_case, call_in_process, judge, probe_path, quiet
from .worker_client import Worker
from .scores import round_points

__all__ = ["FunctionReport", "load_checks", "load_solution_module", "worker_cells",
           "grade_notebook_code", "grade_in_process", "GRADE_CALL"]

#: the one line a hidden-test region holds: ``grade("propagate")``
GRADE_CALL = re.compile(r"""^\s*grade\(\s*["']([A-Za-z_]\w*)["']\s*\)\s*;?\s*$""", re.M)
_MAGIC = re.compile(r"^\s*[%!]")


@dataclass
class FunctionReport:
    """Result of the hidden cases of one function: ``fraction`` in [0, 1]."""
    name: str
    passed: int = 0
    total: int = 0
    lines: list[str] = field(default_factory=list)
    #: per failed case, the known mistake it matched (the message the line shows); no values
    diagnoses: list[str] = field(default_factory=list)

    @property
    def fraction(self) -> float:
        return self.passed / self.total if self.total else 0.0

    def score(self, points: float) -> float:
        """Points earned, as the plain float nbgrader needs (0 <= score <= points), rounded to
        the two decimals nbgrader shows so totals, exports and feedback agree."""
        return round_points(min(max(points * self.fraction, 0.0), float(points)))

    def text(self, points: float | None = None) -> str:
        tail = f" -> {self.score(points):g} / {points:g} points" if points is not None else ""
        head = f"{self.name}: {self.passed}/{self.total} hidden cases passed{tail}"
        return "\n".join([head] + self.lines) + "\n"


def load_solution_module(assignment_id: str, solutions_dir: str | Path):
    """Import ``solutions/<assignment_id>.py`` by path (it is never installed)."""
    path = Path(solutions_dir) / f"{assignment_id}.py"
    if not path.is_file():
        raise FileNotFoundError(f"no hidden checks for assignment {assignment_id!r}: {path} is missing")
    mod_name = f"_dlcourse_solutions_{assignment_id}"
    spec = importlib.util.spec_from_file_location(mod_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    spec.loader.exec_module(module)
    return module


def load_checks(assignment_id: str, solutions_dir: str | Path) -> dict[str, FunctionCheck]:
    """The ``HIDDEN_CHECKS`` of ``solutions/<assignment_id>.py``, by function name."""
    module = load_solution_module(assignment_id, solutions_dir)
    checks = {c.name: c for c in getattr(module, "HIDDEN_CHECKS")}
    for c in checks.values():
        if c.reference is None or c.cases is None:
            raise ValueError(f"{module.__file__}: check {c.name!r} needs a reference and cases")
    return checks


def _strip_magics(src: str) -> str:
    return "\n".join("pass  # (IPython magic removed)" if _MAGIC.match(line) else line
                     for line in src.splitlines())


def _code_cells(nb, keep) -> list[str]:
    return [_strip_magics(cell.source) for cell in nb.cells
            if cell.cell_type == "code" and keep(cell.metadata.get("nbgrader", {}))]


def _is_setup(meta) -> bool:
    return str(meta.get("grade_id", "")).startswith("setup")


def worker_cells(nb, source_nb=None) -> list[str]:
    """The code the worker runs: the ``setup*`` cells, then the solution cells, in order.

    With ``source_nb`` (the instructor's notebook) the setup cells come from
    there, so a student who deleted or edited them changes nothing.  Everything
    else (visible checks, training, widgets, cells a student added) stays out,
    so a function that leans on notebook globals fails here.
    """
    setup = _code_cells(source_nb if source_nb is not None else nb, _is_setup)
    return setup + _code_cells(nb, lambda meta: bool(meta.get("solution")))


Caller = Callable[[FunctionCheck, Case], CallOutcome]


def _run_check(check: FunctionCheck, caller: Caller, rng: np.random.Generator) -> FunctionReport:
    report = FunctionReport(check.name)
    cases = list(check.cases(rng))
    report.total = len(cases)
    timed_out = False
    for n, case in enumerate(cases, 1):
        label = f"hidden case {n}/{len(cases)}" + (f" ({case.label})" if case.label else "")
        if timed_out:  # do not spend another full timeout on a function that hangs
            report.lines.append(f"  ✗ {label}: not run, an earlier case timed out")
            continue
        if case.has_expected:  # computed by the case builder (e.g. a numerical gradient)
            expected = case.expected
        else:
            with quiet():  # the reference must not print into the report
                expected = apply_case(check.reference, case, check.probe)
        outcome = caller(check, case)
        timed_out = not outcome.ok and outcome.error.startswith("timed out")
        problems = judge(check, case, outcome, expected, reveal=False)
        if problems:
            report.lines.append(f"  ✗ {label}: {problems[0]}")
            named = _diagnosis(check, case, problems[0])
            if named:
                report.diagnoses.append(named)
        else:
            report.passed += 1
            report.lines.append(f"  ✓ {label}")
    return report


def _diagnosis(check: FunctionCheck, case: Case, problem: str) -> str:
    """The known mistake a failed case's problem names ("" when it names none)."""
    known = [m for _, m in case.known_mistakes] + [m for _, m in check.diagnoses] + \
        [m for _, m in check.error_hints]
    return next((m for m in known if m and problem.startswith(m)), "")


def _seed(seed: int | None) -> int:
    return secrets.randbits(32) if seed is None else seed


def _rng(seed: int, name: str) -> np.random.Generator:
    """One stream per (grading seed, function): the same cases whatever else is graded."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def grade_notebook_code(checks: dict[str, FunctionCheck], names: Iterable[str],
                        cells: list[str], seed: int | None = None, sandbox=None,
                        secrets: Iterable = ()) -> dict[str, FunctionReport]:
    """Run ``cells`` in a fresh worker and judge each function in ``names``.

    ``sandbox`` (a :class:`~dlcourse.autograder.sandbox.Sandbox`) confines the
    worker; ``secrets`` are the paths it must not show.
    """
    seed = _seed(seed)
    reports: dict[str, FunctionReport] = {}
    with Worker(sandbox=sandbox, secrets=secrets) as worker:
        load_errors = worker.load(cells)

        def caller(check: FunctionCheck, case: Case) -> CallOutcome:
            probe = probe_path(check.probe) if check.probe is not None else None
            r = worker.call(check.name, case.args, case.kwargs, timeout=case.timeout, probe=probe)
            return CallOutcome(r.ok, r.value, r.args_after, r.kwargs_after, r.error)

        for name in names:
            if name not in checks:
                reports[name] = FunctionReport(name, 0, 1, [f"  ✗ no hidden checks are defined "
                                                            f"for {name!r} (course error)"])
                continue
            report = _run_check(checks[name], caller, _rng(seed, name))
            if report.passed < report.total and load_errors:
                report.lines += [f"  note: one of your code cells raised {err}"
                                 for _, err in load_errors[:3]]
            reports[name] = report
    return reports


def grade_in_process(check: FunctionCheck, fn: Callable, seed: int | None = None) -> FunctionReport:
    """Judge a live function object in this process (instructor previews, tests).

    Not a trusted path: use it only on code you trust, never to record grades.
    """
    return _run_check(check, lambda chk, case: call_in_process(fn, case, chk.probe),
                      _rng(_seed(seed), check.name))
