"""The course directory, driven through nbgrader's own Python API (``NbGraderAPI``).

One :class:`Course` per course root (the folder holding ``nbgrader_config.py``).
Every nbgrader step runs in this process -- no 2.5 s interpreter start per
student -- and each one returns a result instead of raising, so one broken
submission never stops a batch.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .scores import round_points

__all__ = ["Course", "StepResult", "NotebookScore", "find_course_root", "notebook_problem"]


def find_course_root(start: Path | None = None) -> Path:
    """The nearest folder (from ``start`` upwards) with an ``nbgrader_config.py``,
    else the repository this package was installed from."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file():
            return folder
    repo = Path(__file__).resolve().parents[1]
    if (repo / "nbgrader_config.py").is_file():
        return repo
    raise FileNotFoundError("no nbgrader_config.py here or above; pass --course-dir")


def _ensure_tools_on_path() -> None:
    # nbgrader runs `alembic` from PATH when it creates gradebook.db; a bare
    # `.venv/bin/dlcourse` call would otherwise leave a half-made database.
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def notebook_problem(path: Path) -> str:
    """Why ``path`` is not a readable notebook, in words an instructor can act on ("" if it is)."""
    import json

    import nbformat

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return f"is not text (byte {exc.start} is not UTF-8)"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if not text.strip():
        return "is empty (0 bytes of JSON)"
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        # a notebook always ends with "}": a file that does not was cut off (upload, full disk)
        ends = "; the file stops mid-way (cut off)" if not text.rstrip().endswith("}") else ""
        return f"is not valid JSON ({exc.msg}: line {exc.lineno}, column {exc.colno}){ends}"
    try:
        nbformat.validate(nbformat.reads(text, as_version=4))
    except Exception as exc:  # parses as JSON but is no notebook nbformat accepts
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return f"is JSON but not a notebook ({type(exc).__name__}: {message[:160]})"
    return ""


@dataclass
class StepResult:
    """Outcome of one nbgrader step for one student (or one assignment)."""
    ok: bool
    log: str = ""
    error: str = ""
    headline: str = ""
    #: what the instructor can do about a failure, and the command to run then (the summary shows both)
    advice: str = ""
    command: str = ""
    #: what the instructor should know although the step worked (a notebook salvaged after a cut)
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if self.headline:
            return self.headline
        text = (self.error or self.log).strip().splitlines()
        return text[-1] if text else ""


@dataclass
class NotebookScore:
    student: str
    notebook: str
    score: float
    max_score: float
    cells: dict[str, float | None] = field(default_factory=dict)


class Course:
    """nbgrader operations on one course root."""

    def __init__(self, root: str | Path | None = None):
        _ensure_tools_on_path()
        from traitlets.config import Config
        from traitlets.config.loader import PyFileConfigLoader

        self.root = Path(root).resolve() if root else find_course_root()
        cwd = os.getcwd()
        os.chdir(self.root)  # nbgrader resolves relative paths against the cwd
        try:
            config = Config()
            config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config())
        finally:
            os.chdir(cwd)
        config.CourseDirectory.root = str(self.root)
        # the course's own exchange, unless the machine shares one (DLCOURSE_EXCHANGE, as
        # nbgrader_config.py reads it: docs/jupyterhub.md)
        exchange = Path(os.environ.get("DLCOURSE_EXCHANGE") or self.root / ".exchange")
        config.Exchange.root = str(exchange)
        exchange.mkdir(parents=True, exist_ok=True)
        self.config = config
        self._api = None

    @property
    def api(self):
        if self._api is None:
            from nbgrader.apps import NbGraderAPI
            from nbgrader.coursedir import CourseDirectory

            coursedir = CourseDirectory(config=self.config)
            self._api = NbGraderAPI(coursedir, config=self.config)
        return self._api

    @property
    def source_dir(self) -> Path:
        return self.root / self.config.CourseDirectory.get("source_directory", "source")

    def assignments(self) -> list[str]:
        """Assignment ids in the source folder, sorted."""
        return sorted(p.name for p in self.source_dir.iterdir()
                      if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.ipynb")))

    def unavailable_reason(self, assignment_id: str) -> str | None:
        """Why ``assignment_id`` cannot be graded here (an optional dependency it declares in
        ``REQUIRES`` is missing, with the install command), or None."""
        from .requirements import unavailable_reason

        return unavailable_reason(self.root / "solutions", assignment_id)

    def students(self, assignment_id: str) -> list[str]:
        sub = self.root / "submitted"
        if not sub.is_dir():
            return []
        return sorted(p.name for p in sub.iterdir() if (p / assignment_id).is_dir())

    # -- nbgrader steps --------------------------------------------------------
    @staticmethod
    def _result(raw: dict) -> StepResult:
        return StepResult(bool(raw.get("success")), raw.get("log", ""), raw.get("error", ""))

    def release(self, assignment_id: str) -> StepResult:
        return self._result(self.api.generate_assignment(assignment_id, force=True))

    def salvage_submission(self, assignment_id: str, student_id: str) -> list[str]:
        """Rebuild every cut-off notebook of a submission in place (:mod:`.salvage`).

        The file as received is kept in ``.salvaged/<name>.cut-off`` beside it
        (nbgrader ignores dot-folders); returns one line per salvaged notebook.
        """
        import nbformat

        from .salvage import salvage

        folder = self.root / "submitted" / student_id / assignment_id
        notes = []
        for path in sorted(folder.glob("*.ipynb")):
            why = notebook_problem(path)
            release = self.root / "release" / assignment_id / path.name
            if not ("not valid JSON" in why or "is empty" in why) or not release.is_file():
                continue
            checkpoint = folder / ".ipynb_checkpoints" / f"{path.stem}-checkpoint.ipynb"
            saved = (nbformat.read(checkpoint, as_version=4)
                     if checkpoint.is_file() and not notebook_problem(checkpoint) else None)
            result = salvage(path.read_text(encoding="utf-8"), nbformat.read(release, as_version=4),
                             saved, path.name)
            kept = folder / ".salvaged" / f"{path.name}.cut-off"
            kept.parent.mkdir(exist_ok=True)
            if not kept.exists():
                path.replace(kept)
            nbformat.write(result.notebook, path)
            notes.append(f"{path.name} {why}; salvaged: {result.summary()}. The file as received "
                         f"is kept in {kept.relative_to(self.root)}")
        return notes

    def intake_submission(self, assignment_id: str, student_id: str) -> list[str]:
        """Match the submitted notebooks to the release by cell ids (:mod:`.intake`).

        Renamed copies, subfolders and zips are put where nbgrader looks; the
        originals go to ``.intake/``, and ``.intake/names.json`` records under which
        name each graded notebook was handed in (``dlcourse watch`` releases the
        feedback under that name too).  Returns the lines for the summary.
        """
        import json

        from .intake import intake

        folder = self.root / "submitted" / student_id / assignment_id
        release = self.root / "release" / assignment_id
        if not folder.is_dir() or not release.is_dir():
            return []
        report = intake(folder, release)
        if not report.changed:
            return []
        names_file = folder / ".intake" / "names.json"
        names = json.loads(names_file.read_text()) if names_file.is_file() else {}
        names.update({str(c.path): graded for graded, c in report.matched.items()
                      if str(c.path) != graded})
        names_file.parent.mkdir(exist_ok=True)
        names_file.write_text(json.dumps(names, indent=1))
        return report.lines()

    def autograde(self, assignment_id: str, student_id: str) -> StepResult:
        notes = self.intake_submission(assignment_id, student_id)
        notes += self.salvage_submission(assignment_id, student_id)
        result = self._result(self.api.autograde(assignment_id, student_id, force=True))
        result.notes = notes
        if result.ok:
            return result
        result.command = f"dlcourse grade {assignment_id} --student {student_id}"
        bad = self._unreadable_notebooks(assignment_id, student_id)
        if bad:
            result.headline = f"{bad}; nothing could be graded, scored 0"
            result.advice = ("The file is cut off or corrupted (a crashed upload, a full disk). Ask "
                             "the student to submit it again, or repair it in "
                             f"submitted/{student_id}/{assignment_id}/, then regrade:")
        else:
            result.advice = (f"nbgrader stopped on this submission; the whole message is in "
                             f"{self.log_path} (search for 'autograde {assignment_id}/{student_id}'). "
                             "Fix the cause, then regrade:")
        return result

    def _unreadable_notebooks(self, assignment_id: str, student_id: str) -> str:
        """Why each notebook of a submission cannot be read ("" when all can)."""
        folder = self.root / "submitted" / student_id / assignment_id
        return "; ".join(f"{path.name} {why}" for path in sorted(folder.glob("*.ipynb"))
                         if (why := notebook_problem(path)))

    def feedback(self, assignment_id: str, student_id: str) -> StepResult:
        return self._result(self.api.generate_feedback(assignment_id, student_id, force=True))

    @property
    def log_path(self) -> Path:
        """Where the CLI writes nbgrader's log and every warning of a run (appended)."""
        return self.root / "logs" / "dlcourse.log"

    # -- gradebook -------------------------------------------------------------
    def gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.config.CourseDirectory.get(
            "db_url", f"sqlite:///{self.root / 'gradebook.db'}"),
            course_id=self.config.CourseDirectory.get("course_id", "default_course"))

    def scores(self, assignment_id: str) -> list[NotebookScore]:
        """Per student and notebook: total and per-cell autograded scores from the gradebook."""
        out = []
        with self.gradebook() as gb:
            assignment = gb.find_assignment(assignment_id)
            for submission in assignment.submissions:
                for nb in submission.notebooks:
                    cells = {g.name: (None if g.score is None else round_points(g.score))
                             for g in nb.grades}
                    out.append(NotebookScore(submission.student.id, nb.name, round_points(nb.score),
                                             round_points(nb.max_score), cells))
        return sorted(out, key=lambda s: (s.student, s.notebook))

    def export_csv(self, path: str | Path) -> Path:
        """Write nbgrader's CSV export (``nbgrader export``), scores rounded, to ``path``."""
        from .export import RoundedCsvExportPlugin

        path = Path(path)
        with self.gradebook() as gb:
            RoundedCsvExportPlugin(to=str(path), config=self.config).export(gb)
        return path

