"""Scores at the precision nbgrader shows (two decimals), everywhere they appear.

nbgrader's feedback and formgrader print scores with ``round(2)``, but its
gradebook adds the per-cell floats in SQL, so a total such as
``5 + 0.7333`` comes out as ``5.733300000000001`` in the CSV export.  Partial
credit is therefore rounded where it is computed (:func:`round_points`, used by
the hidden checks), and every total is rounded again where it is read
(:class:`dlcourse.autograder.export.RoundedCsvExportPlugin`, :meth:`dlcourse.autograder.course.Course.scores`),
so the export, the gradebook, the summary table and the feedback agree to the digit.
"""
from __future__ import annotations

__all__ = ["DECIMALS", "round_points"]

#: decimals nbgrader's feedback and formgrader show
DECIMALS = 2


def round_points(value: float) -> float:
    """``value`` rounded to :data:`DECIMALS`, as a plain float (``-0.0`` becomes ``0.0``)."""
    return float(round(float(value), DECIMALS)) + 0.0
