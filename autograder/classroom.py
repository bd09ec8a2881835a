"""The classroom round trip through nbgrader's exchange, for ``dlcourse release / collect / feedback``.

Each step is nbgrader's own code, driven through the course's ``NbGraderAPI``
(:attr:`Course.api <dlcourse.autograder.course.Course.api>`):

* :func:`set_due_date` writes the assignment's due date into the gradebook, where nbgrader's
  late penalty (:mod:`.late`) and ``dlcourse watch`` read it;
* :func:`publish` is ``nbgrader release_assignment --force``: the release folder goes to
  ``<exchange>/<course>/outbound/<assignment>/``, replacing what was there, where the students'
  Assignments tab (``nbgrader fetch_assignment``) finds it;
* :func:`collect_exchange` is ``nbgrader collect --update``: each student's newest submission
  into ``submitted/<student>/<assignment>/``, a resubmission replacing the one collected before;
* :func:`collect_zip` is ``nbgrader zip_collect`` (:class:`nbgrader.apps.ZipCollectApp`) with
  :class:`LmsZipCollector`, for the zip an LMS hands out (every student's notebook in one file);
* :func:`release_feedback` is ``nbgrader release_feedback`` per student, for the students'
  Fetch Feedback.

Nothing here raises for one bad input: each function returns what happened, with an error the
instructor can act on, and the command line prints it.
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.plugins import FileNameCollectorPlugin
from traitlets import Unicode

from .course import Course, StepResult
from .logs import log_step

__all__ = ["parse_due", "set_due_date", "due_date", "outbound_path", "publish", "Collected",
           "collect_exchange", "collect_zip", "zip_assignment", "LmsZipCollector",
           "DEFAULT_ZIP_REGEX", "safe_student_id", "release_feedback", "FeedbackRelease",
           "formgrader_hint"]

#: a student id nbgrader may turn into a folder name: no path separators, no leading dot
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]*")

#: the LMS zip convention (docs/classroom.md): the student id, then either a folder
#: (``kim/anything.ipynb``, ``kim/sub/anything.ipynb``) or an underscore with optional
#: ``late_`` and numeric parts (Canvas: ``kim_late_12345_67890_numpy_basics.ipynb``;
#: ``kim_numpy_basics.ipynb``); the rest is the notebook's name.
DEFAULT_ZIP_REGEX = (r"^(?P<student_id>[A-Za-z0-9][A-Za-z0-9_.@-]*?)"
                     r"(?:/(?:[^/]+/)*|_(?:late_)?(?:[0-9]+_)*)"
                     r"(?P<file_id>[^/]+\.ipynb)$")


def safe_student_id(student_id: str) -> bool:
    """Whether ``student_id`` is a plain name (no ``/``, ``..``, glob or ``+`` characters)."""
    return bool(_SAFE_ID.fullmatch(student_id or ""))


# -- release -------------------------------------------------------------------------------
def parse_due(text: str) -> dt.datetime:
    """A due date as nbgrader reads it (``2026-12-18 17:00:00 UTC``, ``2026-12-18 18:00:00
    Europe/Paris``, no zone: UTC) as a naive UTC datetime; ValueError with the accepted forms."""
    from nbgrader.utils import parse_utc

    try:
        when = parse_utc(text.strip())
    except (ValueError, OverflowError, TypeError) as exc:
        raise ValueError(f"cannot read the due date {text!r} ({exc}); write it like "
                         "'2026-12-18 17:00:00 UTC' or '2026-12-18 18:00:00 Europe/Paris'") from None
    if when is None:
        raise ValueError(f"cannot read the due date {text!r}")
    return when


def set_due_date(course: Course, assignment_id: str, due: dt.datetime | str) -> dt.datetime:
    """Store ``due`` as the assignment's due date in the gradebook (created if missing)."""
    when = parse_due(due) if isinstance(due, str) else due
    with course.gradebook() as gb:
        gb.update_or_create_assignment(assignment_id, duedate=when)
    return when


def due_date(course: Course, assignment_id: str) -> dt.datetime | None:
    """The gradebook's due date of ``assignment_id`` (naive UTC), or None."""
    from nbgrader.api import MissingEntry

    try:
        with course.gradebook() as gb:
            return gb.find_assignment(assignment_id).duedate
    except MissingEntry:
        return None


def _exchange_course(course: Course) -> Path:
    return Path(course.config.Exchange.root) / course.config.CourseDirectory.course_id


def outbound_path(course: Course, assignment_id: str) -> Path:
    """Where the students' Assignments tab looks for a released assignment."""
    return _exchange_course(course) / "outbound" / assignment_id


def _result(raw: dict | None, what: str) -> StepResult:
    """A StepResult from nbgrader's ``capture_log`` dict, headed by nbgrader's own error line."""
    if raw is None:  # nbgrader's exchange does not run on Windows
        return StepResult(False, headline=f"{what}: nbgrader's exchange is not available here")
    r = StepResult(bool(raw.get("success")), raw.get("log", ""), raw.get("error", ""))
    if not r.ok:
        errors = [line[len("[ERROR] "):] for line in r.log.splitlines() if line.startswith("[ERROR]")]
        r.headline = f"{what}: {errors[-1] if errors else r.summary}"
    return r


def publish(course: Course, assignment_id: str) -> StepResult:
    """``nbgrader release_assignment --force``: release/<assignment>/ into the exchange's
    outbound folder, replacing an earlier release (students who fetched keep their copy)."""
    from nbgrader.utils import capture_log, temp_attrs

    api = course.api
    with temp_attrs(api.coursedir, assignment_id=assignment_id):
        app = api.exchange.ReleaseAssignment(coursedir=api.coursedir,
                                             authenticator=api.authenticator, parent=api)
        app.force = True
        return _result(capture_log(app), f"publishing {assignment_id} to the exchange")


# -- collect -------------------------------------------------------------------------------
@dataclass
class Collected:
    """What one collect (the exchange, or one zip) did for one assignment."""
    assignment: str
    source: str                 # "exchange" or the zip's file name
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: students or files left out, each with the reason
    refused: list[str] = field(default_factory=list)
    error: str = ""
    log: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def students(self) -> list[str]:
        return sorted(self.new + self.updated + self.unchanged)

    def line(self) -> str:
        """One line for the terminal."""
        if self.error:
            return f"{self.assignment} ({self.source}): {self.error}"
        return (f"{self.assignment} ({self.source}): {len(self.students)} student(s) collected: "
                f"{len(self.new)} new, {len(self.updated)} updated, "
                f"{len(self.unchanged)} unchanged")


def _fingerprint(folder: Path) -> str:
    """The files of a submission folder (dot-folders such as .intake/ left out), as one digest."""
    h = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(folder)
            if any(part.startswith(".") for part in rel.parts):
                continue
            h.update(rel.as_posix().encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _submitted(course: Course, student: str, assignment_id: str) -> Path:
    return course.root / "submitted" / student / assignment_id


def collect_exchange(course: Course, assignment_id: str) -> Collected:
    """``nbgrader collect --update`` for one assignment: the newest submission of each student
    in the exchange's inbound folder into submitted/, replacing an older one collected before.

    Inbound folders whose student id is not a plain name (``..``, ``a/b``, glob characters:
    anyone can write into inbound) are refused rather than handed to nbgrader, which would turn
    them into paths.
    """
    from nbgrader.utils import capture_log, temp_attrs

    out = Collected(assignment_id, "exchange")
    inbound = _exchange_course(course) / "inbound"
    names = sorted(p.name for p in inbound.glob(f"*+{assignment_id}+*")) if inbound.is_dir() else []
    students = sorted({name.split("+", 1)[0] for name in names})  # nbgrader ids hold no "+"
    safe = [s for s in students if safe_student_id(s)]
    out.refused = [f"{s!r}: not a plain student id" for s in students if s not in safe]
    if not safe:
        return out
    before = {s: _fingerprint(_submitted(course, s, assignment_id)) for s in safe
              if _submitted(course, s, assignment_id).is_dir()}
    api = course.api
    runs = ["*"] if len(safe) == len(students) else safe
    for student in runs:
        with temp_attrs(api.coursedir, assignment_id=assignment_id, student_id=student):
            app = api.exchange.Collect(coursedir=api.coursedir, authenticator=api.authenticator,
                                       parent=api)
            app.update = True
            r = _result(capture_log(app), f"collecting {assignment_id} from the exchange")
        out.log += r.log + r.error
        if not r.ok:
            out.error = r.headline
            return out
    for s in safe:
        folder = _submitted(course, s, assignment_id)
        if not folder.is_dir():
            out.refused.append(f"{s}: nbgrader did not collect it (see the log)")
        elif s not in before:
            out.new.append(s)
        elif before[s] != _fingerprint(folder):
            out.updated.append(s)
        else:
            out.unchanged.append(s)
    return out


class LmsZipCollector(FileNameCollectorPlugin):
    """nbgrader's file-name collector for LMS zips, matched against each notebook's path inside
    the zip (``kim/Untitled.ipynb``, ``kim_12345_numpy_basics.ipynb``) instead of the absolute
    path of its extracted copy, so ``named_regexp`` reads the LMS's names and nothing else.

    Files in dot-folders (``__MACOSX/``, ``.ipynb_checkpoints/``) are ignored; notebooks whose
    name does not match, or whose student id is not a plain name, are left out and listed in
    :attr:`skipped`.  Configure the convention with ``c.LmsZipCollector.named_regexp`` (or
    ``dlcourse collect --zip-regex``); it needs the groups ``student_id`` and ``file_id``, and
    may have ``timestamp`` (then nbgrader writes timestamp.txt and late penalties apply).
    """

    named_regexp = Unicode(DEFAULT_ZIP_REGEX, help=(
        "Regular expression matched against each notebook's path inside the zip ('/'-separated). "
        "Needs the named groups student_id and file_id; timestamp is optional.")).tag(config=True)
    extracted_root = Unicode("", help=(
        "The folder the zip was extracted to (set by dlcourse collect); paths are matched "
        "relative to it.")).tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.skipped: list[str] = []

    def relative(self, submitted_file: str) -> str:
        path = Path(submitted_file)
        if self.extracted_root:
            try:
                path = path.relative_to(self.extracted_root)
            except ValueError:
                pass
        return path.as_posix()

    def collect(self, submitted_file: str) -> dict | None:
        rel = self.relative(submitted_file)
        if any(part.startswith((".", "__MACOSX")) for part in rel.split("/")):
            return None
        info = super().collect(rel)
        if not rel.endswith(".ipynb"):
            return info  # not a notebook: nbgrader skips it (valid_ext)
        if not info:
            self.skipped.append(f"{rel}: the name does not follow the convention "
                                "(c.LmsZipCollector.named_regexp, docs/classroom.md)")
            return None
        if not safe_student_id(info.get("student_id") or ""):
            self.skipped.append(f"{rel}: {info.get('student_id')!r} is not a plain student id")
            return None
        return info


def zip_assignment(zip_path: Path, named: list[str], known: list[str]) -> str:
    """Which assignment a zip belongs to: the one named on the command line, else the one whose
    id is in the zip's file name; ValueError saying how to name it otherwise."""
    if len(named) == 1:
        return named[0]
    candidates = [a for a in (named or known) if a in zip_path.name]
    if len(candidates) == 1:
        return candidates[0]
    raise ValueError(f"{zip_path.name}: cannot tell which assignment it holds; name one: "
                     f"dlcourse collect ASSIGNMENT --zip {zip_path}")


def collect_zip(course: Course, assignment_id: str, zip_path: Path,
                regex: str | None = None) -> Collected:
    """``nbgrader zip_collect`` of one LMS zip into submitted/<student>/<assignment>/.

    nbgrader extracts the zip (nested zips too, no absolute or ``..`` paths), names each
    notebook with :class:`LmsZipCollector` and writes each student's folder -- into a staging
    folder, from which each student's submission is moved into the course: new ones added,
    changed ones replacing the one there, identical ones left as they are (so ``dlcourse grade``
    does not grade them again).  A broken zip changes nothing.
    """
    from nbgrader.apps import ZipCollectApp
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    out = Collected(assignment_id, zip_path.name)
    if not zip_path.is_file():
        out.error = f"{zip_path} does not exist"
        return out
    if not zipfile.is_zipfile(zip_path):
        out.error = f"{zip_path} is not a zip archive (damaged or another format); nothing collected from it"
        return out
    try:
        with zipfile.ZipFile(zip_path) as z:
            broken = z.testzip()
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        broken = f"({exc})"
    if broken:
        out.error = f"{zip_path} is damaged ({broken} cannot be read); nothing collected from it"
        return out
    with tempfile.TemporaryDirectory(prefix="dlcourse-zip-") as tmp:
        tmp = Path(tmp)
        archive = tmp / "downloaded" / assignment_id / "archive"
        archive.mkdir(parents=True)
        shutil.copyfile(zip_path, archive / "lms.zip")  # a fixed name: nbgrader extracts into lms/
        staged = tmp / "staged"
        config = copy.deepcopy(course.config)
        # nbgrader joins the course root with this template: an absolute one keeps it in tmp
        config.ZipCollectApp.collect_directory_structure = (
            f"{tmp}/{{downloaded}}/{{assignment_id}}/{{collect_step}}")
        config.ZipCollectApp.downloaded_directory = "downloaded"
        config.ZipCollectApp.collector_plugin = LmsZipCollector
        config.LmsZipCollector.extracted_root = str(tmp / "downloaded" / assignment_id
                                                    / "extracted" / "lms")
        if regex:
            config.LmsZipCollector.named_regexp = regex
        config.CourseDirectory.submitted_directory = str(staged)
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = assignment_id
        app = ZipCollectApp(coursedir=coursedir, config=config)
        r = _result(capture_log(app), f"{zip_path.name}")
        out.log = r.log + r.error
        skipped = getattr(app.collector_plugin_inst, "skipped", [])
        out.refused = list(skipped)
        if not r.ok:
            out.error = r.headline + "; nothing collected from it"
            return out
        students = sorted(p.name for p in staged.iterdir()) if staged.is_dir() else []
        if not students:
            out.error = (f"no notebook in {zip_path.name} follows the file-name convention, "
                         "nothing collected (see docs/classroom.md, or pass --zip-regex)"
                         + (f"; e.g. {skipped[0]}" if skipped else ""))
            return out
        for student in students:
            fresh, dest = staged / student / assignment_id, _submitted(course, student, assignment_id)
            if not dest.is_dir():
                out.new.append(student)
            elif _fingerprint(dest) == _fingerprint(fresh):
                out.unchanged.append(student)
                continue
            else:
                out.updated.append(student)
                shutil.rmtree(dest)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(fresh), str(dest))
    return out


# -- feedback ------------------------------------------------------------------------------
@dataclass
class FeedbackRelease:
    """What ``release_feedback`` did for one assignment."""
    assignment: str
    released: dict[str, int] = field(default_factory=dict)   # student -> notebooks released
    not_released: dict[str, str] = field(default_factory=dict)  # student -> why not

    @property
    def notebooks(self) -> int:
        return sum(self.released.values())


def release_feedback(course: Course, assignment_id: str, students: list[str]) -> FeedbackRelease:
    """``nbgrader release_feedback`` for each student's feedback/<student>/<assignment>/: into
    ``<exchange>/<course>/feedback/``, where the student's Fetch Feedback finds it.

    Only a submission that came through the exchange can be matched to its student there (by
    the ``submission_secret.txt`` nbgrader submit wrote); feedback of one collected from a zip
    is not released, and the reason says where it is instead.
    """
    from nbgrader.utils import capture_log, temp_attrs

    out = FeedbackRelease(assignment_id)
    api = course.api
    for student in students:
        folder = course.root / "feedback" / student / assignment_id
        pages = sorted(folder.glob("*.html"))
        if not pages:
            out.not_released[student] = "no feedback generated"
            continue
        if not (folder / "submission_secret.txt").is_file() or not (folder / "timestamp.txt").is_file():
            out.not_released[student] = (f"not submitted through the exchange (a zip?); hand them "
                                         f"{folder.relative_to(course.root)}/ another way")
            continue
        with temp_attrs(api.coursedir, assignment_id=assignment_id, student_id=student):
            app = api.exchange.ReleaseFeedback(coursedir=api.coursedir,
                                               authenticator=api.authenticator, parent=api)
            r = _result(capture_log(app), "release_feedback")
        log_step(f"release_feedback {assignment_id}/{student}", r.ok, r.log + r.error)
        if r.ok:
            out.released[student] = len(pages)
        else:
            out.not_released[student] = r.headline
    return out


# -- where the Formgrader is ---------------------------------------------------------------
def formgrader_hint(course_root: Path, port: int = 8888) -> str:
    """How to open nbgrader's Formgrader on ``course_root``: JupyterLab started there, then the
    Nbgrader menu (the ``@jupyter/nbgrader`` lab extension), or the server page ``/formgrader``."""
    jupyter = Path(sys.executable).with_name("jupyter")
    command = str(jupyter) if jupyter.exists() else "jupyter"
    return (f"Formgrader: cd {course_root} && {command} lab, then Nbgrader > Formgrader "
            f"(or http://localhost:{port}/formgrader, with the token jupyter lab prints)")
