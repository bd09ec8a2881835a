"""A simulated class: submissions made from the release and the source notebook.

Each *variant* turns the released notebook into what one kind of student hands
in.  ``dlcourse demo`` grades the default class; the tests use the others.

=================  ==============================================================
``correct``        every solution cell filled in with the reference solution (written
                   answers with the source's example answer)
``partial``        correct, then the assignment's ``SIMULATED_MISTAKES`` applied
                   (or, without them, every other function left blank); written
                   answers left as released (``YOUR ANSWER HERE``)
``blank``          the release as it was handed out
``broken_json``    a notebook file cut off mid-way (not valid JSON)
``tampered``       blank functions plus a cell that rebinds ``grade`` and patches
                   ``np.allclose`` -- must earn nothing
``infinite_loop``  correct, but the first function never returns
``deleted_cell``   correct, with the first hidden-test cell deleted
=================  ==============================================================
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

from .hidden import load_solution_module
from .layout import graded_by_hand

__all__ = ["VARIANTS", "DEFAULT_CLASS", "make_submission", "simulate_class"]

_MARKER_LINE = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)
DEFAULT_CLASS = ["correct", "partial", "blank", "broken_json", "tampered"]


def _solution_sources(source: nbformat.NotebookNode) -> dict[str, str]:
    """grade_id -> solution cell source without the solution markers (what a student writes)."""
    out = {}
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            out[meta["grade_id"]] = _MARKER_LINE.sub("", cell.source)
    return out


def _fill(release: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


def _mistakes(assignment_id: str, solutions_dir: Path) -> list[tuple[str, str, str]]:
    module = load_solution_module(assignment_id, solutions_dir)
    return list(getattr(module, "SIMULATED_MISTAKES", []))


def make_submission(variant: str, source: nbformat.NotebookNode, release: nbformat.NotebookNode,
                    assignment_id: str, solutions_dir: Path) -> nbformat.NotebookNode | str:
    """The notebook (or, for ``broken_json``, the raw text) that ``variant`` hands in."""
    answers = _solution_sources(source)
    if variant == "correct":
        return _fill(release, answers)
    if variant == "blank":
        return copy.deepcopy(release)
    if variant == "partial":
        for gid in graded_by_hand(source):  # not answered: what a hurried student hands in
            answers.pop(gid, None)
        mistakes = _mistakes(assignment_id, solutions_dir)
        if mistakes:
            for function, old, new in mistakes:
                if old not in answers.get(function, ""):
                    raise ValueError(f"SIMULATED_MISTAKES of {assignment_id}: {old!r} is not in "
                                     f"the solution of {function}")
                answers[function] = answers[function].replace(old, new, 1)
        else:
            answers = {k: v for i, (k, v) in enumerate(answers.items()) if i % 2 == 0}
        return _fill(release, answers)
    if variant == "broken_json":
        text = nbformat.writes(_fill(release, answers))
        return text[: len(text) // 2]
    if variant == "tampered":
        nb = copy.deepcopy(release)
        cheat = new_code_cell(
            "import numpy as np\n"
            "np.allclose = lambda *a, **k: True\n"
            "np.isclose = lambda a, b, *args, **k: np.ones(np.shape(a), dtype=bool)\n"
            "def grade(name):\n    return 1000.0\n"
            "class AlwaysEqual:\n    def __eq__(self, other):\n        return True\n")
        nb.cells.insert(1, cheat)
        return nb
    if variant == "infinite_loop":
        first = next(gid for gid, code in answers.items() if re.search(r"^def ", code, re.M))
        answers[first] = re.sub(r"(def \w+\(.*?\):\n)", r"\1    while True:\n        pass\n",
                                answers[first], count=1, flags=re.S)
        return _fill(release, answers)
    if variant == "deleted_cell":
        nb = _fill(release, answers)
        by_hand = graded_by_hand(source)
        for i, cell in enumerate(nb.cells):
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and meta.get("grade_id") not in by_hand:
                del nb.cells[i]
                break
        return nb
    raise ValueError(f"unknown variant {variant!r}; choose from {sorted(VARIANTS)}")


VARIANTS: dict[str, str] = {
    "correct": "reference solution", "partial": "some realistic mistakes", "blank": "nothing done",
    "broken_json": "file cut off (invalid JSON)", "tampered": "patches the checker, no work",
    "infinite_loop": "a function that never returns", "deleted_cell": "a test cell deleted",
}


def simulate_class(course_root: Path, assignment_id: str, variants: list[str] | None = None,
                   source_dir: str = "assignments") -> list[str]:
    """Write ``submitted/<NN>_<variant>/<assignment_id>/`` for each variant; return the student ids."""
    variants = variants or DEFAULT_CLASS
    src_dir = course_root / source_dir / assignment_id
    rel_dir = course_root / "release" / assignment_id
    students = []
    for n, variant in enumerate(variants, 1):
        student = f"s{n:02d}_{variant}"
        out_dir = course_root / "submitted" / student / assignment_id
        out_dir.mkdir(parents=True, exist_ok=True)
        for src_path in sorted(src_dir.glob("*.ipynb")):
            source = nbformat.read(src_path, as_version=4)
            release = nbformat.read(rel_dir / src_path.name, as_version=4)
            result = make_submission(variant, source, release, assignment_id,
                                     course_root / "solutions")
            target = out_dir / src_path.name
            if isinstance(result, str):
                target.write_text(result, encoding="utf-8")
            else:
                nbformat.write(result, target)
        students.append(student)
    return students

