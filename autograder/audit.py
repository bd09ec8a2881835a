"""Author-side audits: notebook metadata is valid and releases keep no secret.

Used by ``dlcourse validate`` and by the tests.  Each function returns a list
of problems (empty: all good), in the style of :func:`dlcourse.autograder.compare.compare`.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

from .hidden import GRADE_CALL, load_checks
from .layout import check_layout, graded_by_hand

__all__ = ["check_source_metadata", "check_release_secrets", "secret_lines", "secret_runs", "may_contain_answers_of"]

_SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)
_HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)
_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
#: what nbgrader's release puts in a markdown answer cell (``ClearSolutions.text_stub``)
_ANSWER_STUB = "YOUR ANSWER HERE"


def check_source_metadata(path: Path, solutions_dir: Path) -> list[str]:
    """nbformat-valid, nbgrader metadata complete, ids unique, each graded cell trusted, and the
    cell layout the one its "how this notebook is graded" text describes (:mod:`.layout`)."""
    problems: list[str] = []
    nb = nbformat.read(path, as_version=4)
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        problems.append(f"{path.name}: invalid notebook: {exc.message}")
    checks = load_checks(path.parent.name, solutions_dir)
    seen: set[str] = set()
    graded_names = []
    by_hand = graded_by_hand(nb)
    for i, cell in enumerate(nb.cells):
        where = f"{path.name} cell {i}"
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count):
            problems.append(f"{where}: outputs are committed; clear them")
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            problems.append(f"{where}: no nbgrader metadata")
            continue
        gid = meta.get("grade_id")
        if meta.get("schema_version") != 3:
            problems.append(f"{where}: nbgrader schema_version is not 3")
        if not gid or not re.fullmatch(r"[A-Za-z0-9_\-]+", str(gid)):
            problems.append(f"{where}: missing or malformed grade_id {gid!r}")
        elif gid in seen:
            problems.append(f"{where}: duplicate grade_id {gid!r}")
        seen.add(str(gid))
        if meta.get("grade") and str(gid) in by_hand:
            problems += _by_hand_problems(cell, where)  # a written answer, graded by hand
            continue
        if meta.get("grade"):
            if not meta.get("locked"):
                problems.append(f"{where}: autograded test cell {gid!r} is not locked")
            names = GRADE_CALL.findall(cell.source)
            if not names:
                problems.append(f"{where}: test cell {gid!r} has no grade(\"...\") line; "
                                "its score would come from the student's kernel")
            elif names[0] not in checks:
                problems.append(f"{where}: grade({names[0]!r}) has no hidden check in solutions/")
            elif "BEGIN HIDDEN TESTS" not in cell.source:
                problems.append(f"{where}: grade() is outside a hidden-test region")
            graded_names += names
            if not isinstance(meta.get("points"), (int, float)) or meta["points"] <= 0:
                problems.append(f"{where}: test cell {gid!r} needs positive points")
        if meta.get("solution") and cell.cell_type == "code" and "BEGIN SOLUTION" not in cell.source:
            problems.append(f"{where}: solution cell {gid!r} has no solution region")
    for name in checks:
        if name not in graded_names:
            problems.append(f"{path.name}: hidden check {name!r} is not graded by any cell")
    return problems + check_layout(nb, path.name)


def _by_hand_problems(cell, where: str) -> list[str]:
    """A cell graded by hand: positive points, open to the student, and an example answer
    (the instructor's, for the graders; the release replaces it by ``YOUR ANSWER HERE``)."""
    meta, problems = cell.metadata["nbgrader"], []
    gid = meta.get("grade_id")
    if not isinstance(meta.get("points"), (int, float)) or meta["points"] <= 0:
        problems.append(f"{where}: cell {gid!r}, graded by hand, needs positive points")
    if not meta.get("solution") or meta.get("locked"):
        problems.append(f"{where}: cell {gid!r}, graded by hand, must be a solution cell that is "
                        "not locked (solution: true, locked: false), or no student can answer it")
    answer = _SOLUTION.sub(lambda m: m.group(1), cell.source).strip()
    if not answer or answer == _ANSWER_STUB:
        problems.append(f"{where}: cell {gid!r}, graded by hand, holds no example answer; write "
                        "one (the graders' reference; students get 'YOUR ANSWER HERE')")
    return problems


def _regions(cell) -> list[str]:
    """The secret parts of a source cell: its solution and hidden-test regions, and the whole
    of a markdown answer without markers (nbgrader releases none of it)."""
    regions = _SOLUTION.findall(cell.source) + _HIDDEN.findall(cell.source)
    meta = cell.metadata.get("nbgrader", {})
    if cell.cell_type == "markdown" and meta.get("solution") and "BEGIN SOLUTION" not in cell.source:
        regions.append(cell.source)
    return regions


def secret_lines(source_nb: nbformat.NotebookNode) -> set[str]:
    """Non-trivial lines inside solution and hidden-test regions of a source notebook (and of
    its written example answers)."""
    lines: set[str] = set()
    for cell in source_nb.cells:
        for region in _regions(cell):
            for line in region.splitlines():
                line = line.strip()
                if len(line) >= 12 and not line.startswith("#"):
                    lines.add(line)
    return lines


def may_contain_answers_of(assignment_id: str, solutions_dir: Path) -> set[str]:
    """Assignments whose answers the release of ``assignment_id`` may ship (by design).

    ``solutions/<id>.py`` declares them as ``RELEASE_CONTAINS_ANSWERS_OF = ["a03_..."]``: a
    later assignment that hands out an earlier one's solutions as provided code, to be
    released only after the earlier one is due (see docs/authoring.md).
    """
    from .hidden import load_solution_module

    try:
        module = load_solution_module(assignment_id, solutions_dir)
    except FileNotFoundError:
        return set()
    return set(getattr(module, "RELEASE_CONTAINS_ANSWERS_OF", ()))


def _code_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def secret_runs(source_nb: nbformat.NotebookNode, n: int = 3) -> set[tuple[str, ...]]:
    """Every ``n`` consecutive code lines of the solution and hidden-test regions.

    Another assignment's release is checked for these runs rather than for
    single lines: a lone ``for i in range(num_iterations):`` is common to many
    notebooks, three lines of someone's solution in a row are an answer.
    """
    runs: set[tuple[str, ...]] = set()
    for cell in source_nb.cells:
        for region in _regions(cell):
            lines = _code_lines(region)
            runs.update(tuple(lines[i:i + n]) for i in range(len(lines) - n + 1)
                        if any(len(line) >= 12 for line in lines[i:i + n]))
    return runs


def check_release_secrets(source_dir: Path, release_dir: Path,
                          other_sources: dict[str, Path] | None = None,
                          allowed: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Nothing in ``release_dir`` may contain solution code, hidden tests or their outputs.

    Only notebooks may be released (``solutions/`` lives outside the source
    folder and any other file is flagged); no released cell may carry a line of
    a solution or hidden-test region, a ``grade()`` call, a marker or an output.
    ``other_sources`` (assignment id -> source folder) adds the answers of the
    other assignments (three solution lines in a row, :func:`secret_runs`),
    except those in ``allowed`` (:func:`may_contain_answers_of`): a release must
    not give away another assignment's answers either.
    """
    problems: list[str] = []
    secrets: set[str] = set()
    for nb_path in source_dir.glob("*.ipynb"):
        secrets |= secret_lines(nbformat.read(nb_path, as_version=4))
    others: dict[tuple[str, ...], str] = {}
    for aid, folder in sorted((other_sources or {}).items()):
        if aid in allowed or folder.resolve() == source_dir.resolve():
            continue
        for nb_path in folder.glob("*.ipynb"):
            for run in secret_runs(nbformat.read(nb_path, as_version=4)):
                others.setdefault(run, aid)
    files = [p for p in release_dir.rglob("*") if p.is_file()]
    if not files:
        problems.append(f"{release_dir}: the release is empty")
    for path in files:
        rel = path.relative_to(release_dir)
        if path.suffix != ".ipynb":
            problems.append(f"{rel}: only notebooks should be released (found a {path.suffix or 'plain'} file)")
            continue
        text = path.read_text(encoding="utf-8")
        nb = nbformat.reads(text, as_version=4)
        for marker in _MARKERS:
            if marker in text:
                problems.append(f"{rel}: contains the marker {marker!r}")
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and cell.outputs:
                problems.append(f"{rel} cell {i}: has outputs (reference values could leak)")
            if GRADE_CALL.search(cell.source):
                problems.append(f"{rel} cell {i}: contains a hidden grade() call")
            for line in cell.source.splitlines():
                if line.strip() in secrets:
                    problems.append(f"{rel} cell {i}: contains a secret line: {line.strip()[:60]!r}")
            lines = _code_lines(cell.source)
            for k in range(len(lines) - 2):
                owner = others.get(tuple(lines[k:k + 3]))
                if owner is not None:
                    problems.append(f"{rel} cell {i}: contains a solution of {owner}, from "
                                    f"{lines[k][:60]!r} on")
                    break
    return problems
