"""Late work: nbgrader's late-submission penalty as a share of the score per started day.

nbgrader decides *whether* a notebook is late: at autograde, ``AssignLatePenalties`` compares
the submission's ``timestamp.txt`` (written by ``nbgrader submit``) with the assignment's due
date in the gradebook (``dlcourse release --due ...``, or ``nbgrader db assignment add ID
--duedate=...``) plus any extension, and asks its plugin *how much* to take off.  This module
is that plugin; ``nbgrader_config.py`` selects it::

    c.AssignLatePenalties.plugin_class = PercentPerDayLate
    c.PercentPerDayLate.per_day = 0.1        # a tenth of the notebook's score per started day
    c.PercentPerDayLate.max_fraction = 1.0   # at most the whole score

nbgrader stores the penalty per notebook (``late_submission_penalty``), subtracts it in the
feedback ("Late submission penalty (Score: -0.8)") and in the CSV export (``raw_score``,
``late_submission_penalty``, ``score``).
"""
from __future__ import annotations

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

from .scores import round_points

__all__ = ["PercentPerDayLate", "SECONDS_PER_DAY"]

SECONDS_PER_DAY = 24 * 60 * 60


class PercentPerDayLate(LateSubmissionPlugin):
    """Take ``per_day`` of the notebook's score for every started day late, up to
    ``max_fraction`` of it: 1 second to 24 hours late is one day, 24 h 1 s is two."""

    per_day = Float(0.1, min=0.0, max=1.0, help=(
        "Fraction of the notebook's score lost per started day late (0.1: 10 % per day; "
        "0: no penalty).")).tag(config=True)
    max_fraction = Float(1.0, min=0.0, max=1.0, help=(
        "The most a late notebook can lose, as a fraction of its score (1.0: everything; "
        "0.5: late work keeps at least half its points).")).tag(config=True)

    def days_late(self, total_seconds_late: float) -> int:
        """Started days late: 0 when on time."""
        if not total_seconds_late or total_seconds_late <= 0:
            return 0
        return math.ceil(total_seconds_late / SECONDS_PER_DAY)

    def fraction(self, total_seconds_late: float) -> float:
        """The share of the score taken off."""
        return min(self.max_fraction, self.per_day * self.days_late(total_seconds_late))

    def late_submission_penalty(self, student_id: str, score: float,
                                total_seconds_late: float) -> float:
        """Points taken off a notebook scored ``score`` and handed in ``total_seconds_late``
        after the due date, at the two decimals nbgrader shows (so raw score, penalty and
        final score add up in the export and the feedback)."""
        days = self.days_late(total_seconds_late)
        penalty = round_points(max(score or 0.0, 0.0) * self.fraction(total_seconds_late))
        self.log.info("%s: %d day(s) late, %.0f %% of %s points taken off: %s", student_id, days,
                      100 * self.fraction(total_seconds_late), score, penalty)
        return penalty
