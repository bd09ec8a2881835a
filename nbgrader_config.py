"""nbgrader configuration of the course (nbgrader 0.9.6).

The course directory is this repository: ``assignments/`` is nbgrader's source
folder; ``release/``, ``submitted/``, ``autograded/``, ``feedback/`` and
``gradebook.db`` are created beside it (and ignored by git).  Every setting
below answers a behaviour described in docs/grading.md.
"""
import os
from pathlib import Path

from dlcourse.autograder.feedback import StripGradeTracebacks
from dlcourse.autograder.preprocessor import RestoreMissingCells, TrustedHiddenChecks
from dlcourse.autograder.export import RoundedCsvExportPlugin
from dlcourse.autograder.late import PercentPerDayLate
from dlcourse.autograder.sandboxed_kernel import SandboxedExecute
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from dlcourse.autograder.fast_metadata import install as compile_metadata_schema_once
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearHiddenTests,
                                    ClearOutput, DeduplicateIds, GetGrades, IgnorePattern,
                                    LimitOutput, OverwriteKernelspec, SaveAutoGrades)

c = get_config()  # noqa: F821 - provided by traitlets when this file is loaded
# nbgrader re-checks its metadata JSON schema on every cell (a tenth of each autograde):
# check it once per process instead; the validation is the same.
compile_metadata_schema_once()
HERE = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "dlcourse"
c.CourseDirectory.root = os.environ.get("DLCOURSE_COURSE_ROOT", str(HERE))
c.CourseDirectory.source_directory = "assignments"
# The gradebook: SQLite in the course root by default; a server database for large classes,
# e.g. DLCOURSE_DB_URL=postgresql://grader@dbhost/dlcourse (see docs/scale.md).
if os.environ.get("DLCOURSE_DB_URL"):
    c.CourseDirectory.db_url = os.environ["DLCOURSE_DB_URL"]
# Never release author-side files that may sit next to a notebook.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                            "*.py", "*.md", ".*"]

# Per-cell time limit.  Training cells shrink under NBGRADER_EXECUTION (none
# takes 3 s on a 2-core machine), so this only bites on runaway student code --
# e.g. a (n,) weight vector broadcast against (n, 1) gradients, which makes
# every step an n x n matrix.
c.Execute.timeout = int(os.environ.get("DLCOURSE_CELL_TIMEOUT", "30"))
# Deleted test cells come back and are graded (instead of "needs manual grade"),
# wherever they sat (nbgrader's own re-insertion fails after a locked check cell).
c.OverwriteCells.add_missing_cells = True
c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec,
                                      RestoreMissingCells, CheckCellMetadata]

# Student code runs in the grading sandbox (bubblewrap: no files but Python and the course
# package, no network, resource limits), in the kernel and in the hidden-check worker.
# Without bubblewrap grading refuses to start; DLCOURSE_UNSAFE_NO_SANDBOX=1 (what
# `dlcourse grade --unsafe-no-sandbox` sets) grades unconfined, with a warning in every report.
c.Sandbox.enabled = os.environ.get("DLCOURSE_UNSAFE_NO_SANDBOX", "") != "1"

# Hidden checks are scored outside the student's kernel, right after execution.
c.TrustedHiddenChecks.solutions_dir = str(HERE / "solutions")
c.Autograde.autograde_preprocessors = [
    SandboxedExecute,
    TrustedHiddenChecks,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]

# Late work (docs/classroom.md): a submission after the assignment's due date in the gradebook
# (`dlcourse release --due "2026-12-18 17:00:00 UTC"`) loses 10 % of each notebook's score per
# started day late, at most all of it; the export shows raw_score, late_submission_penalty, score.
c.AssignLatePenalties.plugin_class = PercentPerDayLate
c.PercentPerDayLate.per_day = 0.1
c.PercentPerDayLate.max_fraction = 1.0

# Feedback goes to students: no hidden-test source, no tracebacks quoting it.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, StripGradeTracebacks,
                                    CSSHTMLHeaderPreprocessor]

# `nbgrader export` (and `dlcourse export`): scores at the two decimals nbgrader shows,
# not the float noise of the gradebook's SQL sums (5.733300000000001).
c.ExportApp.plugin_class = RoundedCsvExportPlugin

# Students' Assignment List needs an existing exchange folder.
c.Exchange.root = os.environ.get("DLCOURSE_EXCHANGE", str(HERE / ".exchange"))
try:
    Path(c.Exchange.root).mkdir(parents=True, exist_ok=True)
except OSError:  # read-only checkout: the Assignment List then says so itself
    pass
