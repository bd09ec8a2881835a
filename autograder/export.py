"""``nbgrader export`` with scores at the precision nbgrader shows (see :mod:`.scores`)."""
from __future__ import annotations

import csv
import io

from nbgrader.plugins.export import CsvExportPlugin

from .scores import round_points

__all__ = ["RoundedCsvExportPlugin"]

_SCORE_COLUMNS = ("raw_score", "late_submission_penalty", "score", "max_score")


class RoundedCsvExportPlugin(CsvExportPlugin):
    """nbgrader's CSV export with every score column rounded to :data:`DECIMALS`."""

    def export(self, gradebook):
        target = self.to or "grades.csv"
        super().export(gradebook)
        with open(target, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
            fields = list(rows[0].keys()) if rows else None
        if not rows:
            return
        for row in rows:
            for key in _SCORE_COLUMNS:
                if row.get(key) not in (None, ""):
                    row[key] = repr(round_points(float(row[key])))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        with open(target, "w", encoding="utf-8", newline="") as fh:
            fh.write(out.getvalue())
