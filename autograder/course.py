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

__all__ = ["Course", "StepResult", "NotebookScore", "find_course_root"]


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


@dataclass
class StepResult:
    """Outcome of one nbgrader step for one student (or one assignment)."""
    ok: bool
    log: str = ""
    error: str = ""
    headline: str = ""

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
        config.Exchange.root = str(self.root / ".exchange")
        (self.root / ".exchange").mkdir(exist_ok=True)
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

    def autograde(self, assignment_id: str, student_id: str) -> StepResult:
        result = self._result(self.api.autograde(assignment_id, student_id, force=True))
        if result.ok:
            return result
        bad = self._unreadable_notebooks(assignment_id, student_id)
        if bad:
            result.headline = f"{bad}: not a valid notebook, nothing could be graded (scored 0)"
        return result

    def _unreadable_notebooks(self, assignment_id: str, student_id: str) -> str:
        import nbformat

        folder = self.root / "submitted" / student_id / assignment_id
        bad = []
        for path in sorted(folder.glob("*.ipynb")):
            try:
                nbformat.read(path, as_version=4)
            except Exception as exc:  # nbformat raises several types for broken JSON
                bad.append(f"{path.name} ({type(exc).__name__})")
        return ", ".join(bad)

    def feedback(self, assignment_id: str, student_id: str) -> StepResult:
        return self._result(self.api.generate_feedback(assignment_id, student_id, force=True))

    # -- gradebook -------------------------------------------------------------
    def gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.config.CourseDirectory.get(
            "db_url", f"sqlite:///{self.root / 'gradebook.db'}"))

    def scores(self, assignment_id: str) -> list[NotebookScore]:
        """Per student and notebook: total and per-cell autograded scores from the gradebook."""
        out = []
        with self.gradebook() as gb:
            assignment = gb.find_assignment(assignment_id)
            for submission in assignment.submissions:
                for nb in submission.notebooks:
                    cells = {g.name: (None if g.score is None else float(g.score)) for g in nb.grades}
                    out.append(NotebookScore(submission.student.id, nb.name, float(nb.score),
                                             float(nb.max_score), cells))
        return sorted(out, key=lambda s: (s.student, s.notebook))

    def export_csv(self, path: str | Path) -> Path:
        """Write nbgrader's CSV export (``nbgrader export``) to ``path``."""
        from nbgrader.plugins.export import CsvExportPlugin

        path = Path(path)
        with self.gradebook() as gb:
            CsvExportPlugin(to=str(path), config=self.config).export(gb)
        return path

