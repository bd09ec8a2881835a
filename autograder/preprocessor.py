"""nbgrader preprocessor that records hidden-check scores computed outside the student's kernel.

Configured in ``nbgrader_config.py`` right after ``Execute`` in
``Autograde.autograde_preprocessors``.  For every autograded test cell whose
(restored, trusted) source calls ``grade("<function>")`` it

1. collects the setup cells of the instructor's source notebook and the
   submission's solution cells,
2. runs them in a fresh worker process inside the grading sandbox
   (:mod:`dlcourse.autograder.sandbox`) and calls the function on hidden cases
   drawn from the submission's seed (:mod:`dlcourse.autograder.seeds`,
   :mod:`dlcourse.autograder.hidden`),
3. replaces the cell's outputs with what the visible checks printed, the
   hidden-check report (stdout) and the score as the cell's last expression --
   a plain float between 0 and the cell's points, which is what nbgrader's
   ``SaveAutoGrades`` reads.

The kernel's result, errors and stderr for that cell are discarded; only its
stdout (the public values the visible check printed) is kept for the feedback.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
from nbformat.v4 import new_output
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells
from traitlets import Bool, Integer, Unicode

from .hidden import GRADE_CALL, grade_notebook_code, load_checks, worker_cells
from .sandbox import UNSAFE_WARNING, Sandbox
from .sandboxed_kernel import grading_secrets
from .seeds import STATE_DIR, course_secret, submission_seed

__all__ = ["TrustedHiddenChecks", "RestoreMissingCells"]


class TrustedHiddenChecks(NbGraderPreprocessor):
    solutions_dir = Unicode(
        "", help="Folder with <assignment_id>.py reference modules (default: <course root>/solutions)"
    ).tag(config=True)
    seed = Integer(
        -1, help="Seed for the hidden cases of every notebook (dlcourse grade --seed); -1 derives "
                 "each submission's own from the course secret and the assignment, student and "
                 "notebook ids (dlcourse.autograder.seeds), so a regrade draws the same cases"
    ).tag(config=True)
    record_checks = Bool(
        True, help="Write what the hidden checks found (seed, cases passed, mistakes named) to "
                   "<course root>/.dlcourse/checks/<assignment>/<student>/<notebook>.json, which "
                   "the grading ledger and the class reports read"
    ).tag(config=True)

    def _root(self) -> Path:
        return Path(self.config.get("CourseDirectory", {}).get("root") or os.getcwd())

    def _seed_for(self, ids: dict) -> int:
        if self.seed >= 0:
            return self.seed
        return submission_seed(course_secret(self._root()), ids["assignment"], ids["student"],
                               ids["notebook"])

    def _record(self, ids: dict, seed: int, graded, reports) -> None:
        functions = {name: {"points": points, "score": reports[name].score(points),
                            "passed": reports[name].passed, "total": reports[name].total,
                            "diagnoses": list(reports[name].diagnoses)}
                     for _, name, points in graded}
        path = self._root() / STATE_DIR / "checks" / ids["assignment"] / ids["student"] \
            / f"{ids['notebook']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"seed": seed, "functions": functions}, indent=1))
        tmp.replace(path)

    def _solutions(self, resources) -> Path:
        if self.solutions_dir:
            return Path(self.solutions_dir)
        return self._root() / "solutions"

    def _source_notebook(self, assignment_id: str, notebook_id: str):
        """The instructor's source notebook (trusted setup cells), or None if not found."""
        coursedir = CourseDirectory(config=self.config)
        path = Path(coursedir.format_path(coursedir.source_directory, ".", assignment_id)) \
            / f"{notebook_id}.ipynb"
        return nbformat.read(path, as_version=4) if path.is_file() else None

    def preprocess(self, nb, resources):
        graded = []
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade"):
                names = GRADE_CALL.findall(cell.source)
                if names:
                    graded.append((cell, names[0], float(meta.get("points", 0))))
        if not graded:
            return nb, resources
        assignment_id = resources["nbgrader"]["assignment"]
        checks = load_checks(assignment_id, self._solutions(resources))
        cells = worker_cells(nb, self._source_notebook(assignment_id, resources["nbgrader"]["notebook"]))
        sandbox = Sandbox(parent=self)
        if sandbox.enabled:
            sandbox.require()
        ids = resources["nbgrader"]
        seed = self._seed_for(ids)
        reports = grade_notebook_code(checks, [n for _, n, _ in graded], cells, seed=seed,
                                      sandbox=sandbox if sandbox.enabled else None,
                                      secrets=grading_secrets(self.config, self._solutions(resources)))
        for cell, name, points in graded:
            report = reports[name]
            score = report.score(points)
            self.log.info("trusted hidden checks: %s %s/%s cases -> %s/%s points",
                          name, report.passed, report.total, score, points)
            # Keep what the visible checks printed in the kernel (public values, for the
            # feedback), drop errors and stderr, then the trusted report and score.
            visible = "".join(o.get("text", "") for o in cell.get("outputs", [])
                              if o.get("output_type") == "stream" and o.get("name") == "stdout")
            outputs = [new_output("stream", name="stdout", text=visible)] if visible.strip() else []
            text = report.text(points) + ("" if sandbox.enabled else f"\n{UNSAFE_WARNING}\n")
            cell.outputs = outputs + [
                new_output("stream", name="stdout", text=text),
                new_output("execute_result", data={"text/plain": repr(score)},
                           execution_count=cell.get("execution_count")),
            ]
        if self.record_checks and ids.get("student"):
            self._record(ids, seed, graded, reports)
        return nb, resources


class RestoreMissingCells(OverwriteCells):
    """``OverwriteCells`` whose re-insertion of deleted test cells tolerates any layout.

    nbgrader 0.9.6 re-inserts a deleted grade cell after the source cell that
    preceded it only if that cell is itself a grade or solution cell; with any
    other locked cell in between (a markdown explanation, a demo) it raises
    ``KeyError`` and the whole submission goes ungraded.  This version inserts it after the nearest
    preceding cell of the source notebook that is still present.
    """

    def add_missing_grade_cells(self, nb, resources):
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        source_cells = list(source_nb.source_cells)
        source_ids = [c.name for c in source_cells]
        solution_ids = {c.name for c in source_nb.solution_cells}
        for grade_cell in source_nb.grade_cells:
            present = {cell.metadata.get("nbgrader", {}).get("grade_id"): i
                       for i, cell in enumerate(nb.cells)}
            if grade_cell.name in present or grade_cell.name not in source_ids:
                continue
            self.log.warning("Missing grade cell %s encountered, adding to notebook", grade_cell.name)
            idx = source_ids.index(grade_cell.name)
            new_cell = self.missing_cell_transform(source_cells[idx], grade_cell.max_score,
                                                   is_solution=grade_cell.name in solution_ids)
            position = next((present[prev] + 1 for prev in reversed(source_ids[:idx])
                             if prev in present), 0)
            nb.cells.insert(position, new_cell)
        return nb, resources
