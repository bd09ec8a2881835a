"""Feedback preprocessing: keep hidden tests out of the HTML students receive."""
from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

__all__ = ["StripGradeTracebacks"]


class StripGradeTracebacks(NbGraderPreprocessor):
    """Shorten tracebacks of autograded test cells to ``ename: evalue``.

    nbgrader's ``ClearHiddenTests`` removes hidden source lines, but a traceback
    still quotes the line that failed; this removes that last trace.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
            for out in cell.get("outputs", []):
                if out.output_type == "error":
                    out.traceback = [f"{out.ename}: {out.evalue}"]
        return cell, resources
