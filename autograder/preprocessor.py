"""nbgrader preprocessor that records hidden-check scores computed outside the student's kernel.

Configured in ``nbgrader_config.py`` right after ``Execute`` in
``Autograde.autograde_preprocessors``.  For every autograded test cell whose
(restored, trusted) source calls ``grade("<function>")`` it

1. collects the submission's setup and solution cells,
2. runs them in a fresh worker process and calls the function on hidden cases
   drawn at grading time (:mod:`dlcourse.autograder.hidden`),
3. replaces the cell's outputs with the report (stdout) and the score as the
   cell's last expression -- a plain float between 0 and the cell's points,
   which is what nbgrader's ``SaveAutoGrades`` reads.

Whatever the kernel printed or returned for that cell is discarded.
"""
from __future__ import annotations

import os
from pathlib import Path

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer, Unicode

from .hidden import GRADE_CALL, grade_notebook_code, load_checks, worker_cells

__all__ = ["TrustedHiddenChecks"]


class TrustedHiddenChecks(NbGraderPreprocessor):
    solutions_dir = Unicode(
        "", help="Folder with <assignment_id>.py reference modules (default: <course root>/solutions)"
    ).tag(config=True)
    seed = Integer(
        -1, help="Seed for the hidden cases; -1 draws a new one for every submission"
    ).tag(config=True)

    def _solutions(self, resources) -> Path:
        if self.solutions_dir:
            return Path(self.solutions_dir)
        root = self.config.get("CourseDirectory", {}).get("root") or os.getcwd()
        return Path(root) / "solutions"

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
        reports = grade_notebook_code(checks, [n for _, n, _ in graded], worker_cells(nb),
                                      seed=None if self.seed < 0 else self.seed)
        for cell, name, points in graded:
            report = reports[name]
            score = report.score(points)
            self.log.info("trusted hidden checks: %s %s/%s cases -> %s/%s points",
                          name, report.passed, report.total, score, points)
            cell.outputs = [
                new_output("stream", name="stdout", text=report.text(points)),
                new_output("execute_result", data={"text/plain": repr(score)},
                           execution_count=cell.get("execution_count")),
            ]
        return nb, resources
