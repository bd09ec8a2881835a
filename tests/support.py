"""Helpers shared by the test modules: paths, notebooks, and mutation runs."""
from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat

from dlcourse.autograder.hidden import (FunctionReport, grade_notebook_code, load_checks,
                                        load_solution_module, worker_cells)

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ROOT / "assignments"
SOLUTIONS = ROOT / "solutions"
SHARED = Path(os.environ.get("DLCOURSE_SHARED", ROOT.parent / "shared"))
OFFICIAL = SHARED / "datasets" / "official"


def source_notebook(assignment_id: str) -> nbformat.NotebookNode:
    """The (single) source notebook of an assignment."""
    (path,) = sorted((ASSIGNMENTS / assignment_id).glob("*.ipynb"))
    return nbformat.read(path, as_version=4)


def solution_cells(assignment_id: str) -> list[str]:
    """What the worker runs for a perfect submission: setup + solution cells of the source."""
    return worker_cells(source_notebook(assignment_id))


_SOLUTION_REGION = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION[ \t]*$",
                              re.M | re.S)


def release_cells(cells: list[str]) -> list[str]:
    """What nbgrader's release does to each solution region (indentation kept): what students get."""
    return [_SOLUTION_REGION.sub(lambda m: f"{m.group(1)}# YOUR CODE HERE\n"
                                           f"{m.group(1)}raise NotImplementedError()", src)
            for src in cells]


def mutate(cells: list[str], function: str, old: str, new: str) -> list[str]:
    """Replace ``old`` by ``new`` (once) in the cell that defines ``function``."""
    pattern = re.compile(rf"^def {re.escape(function)}\(", re.M)
    out, done = [], False
    for src in cells:
        if not done and pattern.search(src):
            if old not in src:
                raise AssertionError(f"mutation target {old!r} not found in {function}")
            src, done = src.replace(old, new, 1), True
        out.append(src)
    if not done:
        raise AssertionError(f"no cell defines {function}")
    return out


def hidden_report(assignment_id: str, function: str, cells: list[str], seed: int = 1234) -> FunctionReport:
    """Run the trusted hidden checks of one function on ``cells`` (in a worker process)."""
    checks = load_checks(assignment_id, SOLUTIONS)
    return grade_notebook_code(checks, [function], cells, seed=seed)[function]


def reference_module(assignment_id: str):
    """The instructor's reference module ``solutions/<assignment_id>.py``."""
    return load_solution_module(assignment_id, SOLUTIONS)


def released_course(course: Path, aids: list[str], extra_config: str = ""):
    """A scratch course at ``course`` holding ``aids`` (source, solutions, config), released."""
    import shutil

    from dlcourse.autograder.course import Course

    for aid in aids:
        shutil.copytree(ASSIGNMENTS / aid, course / "assignments" / aid)
    shutil.copytree(SOLUTIONS, course / "solutions")
    (course / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text()
                                               + extra_config)
    c = Course(course)
    for aid in aids:
        assert c.release(aid).ok, aid
    return c


def cli_env(**extra: str) -> dict:
    """The environment for a `dlcourse`/`nbgrader` subprocess: this venv's tools first on PATH,
    grading in the sandbox (a stray DLCOURSE_UNSAFE_NO_SANDBOX is dropped)."""
    import sys

    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"],
               **extra)
    env.pop("DLCOURSE_UNSAFE_NO_SANDBOX", None)
    return env


class Listener:
    """A TCP server on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self):
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port, self.connections = self.sock.getsockname()[1], 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                self.sock.accept()[0].close()
            except OSError:
                return
            self.connections += 1


def quietly(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with stdout captured: ``(value, printed text)``."""
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        value = fn(*args, **kwargs)
    return value, buf.getvalue()


def fails_with(check, fn, words):
    """``check(fn)`` raises AssertionError and prints ``words``; returns what it printed."""
    import contextlib
    import io

    import pytest

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), pytest.raises(AssertionError):
        check(fn)
    out = buf.getvalue()
    assert words in out, out
    return out


def by_hand_points(assignment_id: str) -> float:
    """Points of the cells graded by hand (written answers) in an assignment's source notebooks:
    what even the reference solution does not earn at autograde (0 until a person scores them)."""
    from dlcourse.autograder.layout import graded_by_hand

    return sum(sum(graded_by_hand(nbformat.read(path, as_version=4)).values())
               for path in sorted((ASSIGNMENTS / assignment_id).glob("*.ipynb")))


def autograded_max(assignment_id: str, max_score: float) -> float:
    """Full marks on the autograded cells: ``max_score`` (a notebook's or the assignment's, one
    notebook per assignment) less the points graded by hand."""
    return round(max_score - by_hand_points(assignment_id), 2)
