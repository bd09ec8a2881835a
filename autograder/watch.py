"""``dlcourse watch``: grade every submission right after the student submits it.

A long-running service next to nbgrader's exchange (or ``--once`` from cron).
Each new folder in ``<exchange>/<course>/inbound/`` -- what ``nbgrader submit``
and JupyterLab's Assignments tab write -- becomes a job in a small SQLite queue
(``watch.db`` in the course root).  Worker threads take jobs one at a time and
run each in its own process (``python -m dlcourse.autograder.watch job ...``)
with a time limit, so a slow or hostile submission holds one worker and never
the others.  A job does what an instructor would do by hand, through the same
code as ``dlcourse grade``:

1. nbgrader's collect for that student,
2. intake, salvage and autograde in the sandbox (:meth:`Course.autograde`),
3. nbgrader's generate_feedback,
4. publishes, by the assignment's policy, the feedback, a page with the score
   only, or nothing until the deadline, where ``nbgrader fetch_feedback`` (the
   Assignments tab) finds it.

The queue survives restarts: a job that was running when the service died is
run again, a finished one never.  Older submissions of a student still waiting
are superseded by the newest; a daily limit per student and assignment can
hold graded submissions back; late submissions are marked.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from traitlets import Dict, Float, Integer, Unicode
from traitlets.config import LoggingConfigurable

__all__ = ["WatchSettings", "JobStore", "Job", "Watcher", "run_job", "POLICIES"]

POLICIES = ("feedback", "score", "none")
STATE_FILE = "watch.db"


class WatchSettings(LoggingConfigurable):
    """Policies of ``dlcourse watch`` (``c.Watch*`` in ``nbgrader_config.py``: ``c.WatchSettings``)."""

    release_policy = Dict({"*": "feedback"}, help=(
        "Per assignment ('*': every other one): 'feedback' releases the feedback right after "
        "grading, 'score' only a page with the scores, 'none' nothing until the deadline (then "
        "the feedback).")).tag(config=True)
    daily_limit = Dict({"*": 0}, help="Graded submissions per student, assignment and UTC day "
                                      "(0: no limit). Later ones wait for the instructor's "
                                      "batch.").tag(config=True)
    deadlines = Dict({}, help="Assignment -> due date, e.g. '2026-12-08 17:00:00 UTC'; without "
                              "one the gradebook's due date is used.").tag(config=True)
    interval = Float(2.0, help="Seconds between two looks at the exchange.").tag(config=True)
    workers = Integer(2, help="Submissions graded at the same time.").tag(config=True)
    job_timeout = Integer(900, help="Seconds one submission may take before it is stopped "
                                    "and marked failed.").tag(config=True)
    state_file = Unicode(STATE_FILE, help="Queue file, relative to the course root.").tag(config=True)

    def policy(self, assignment_id: str) -> str:
        value = self.release_policy.get(assignment_id, self.release_policy.get("*", "feedback"))
        if value not in POLICIES:
            raise ValueError(f"release_policy for {assignment_id}: {value!r} is not one of {POLICIES}")
        return value

    def limit(self, assignment_id: str) -> int:
        return int(self.daily_limit.get(assignment_id, self.daily_limit.get("*", 0)) or 0)

    def deadline(self, assignment_id: str, course) -> dt.datetime | None:
        """The due date in UTC (naive), from the settings or the gradebook, or None."""
        from nbgrader.utils import parse_utc

        if assignment_id in self.deadlines:
            return parse_utc(self.deadlines[assignment_id]).replace(tzinfo=None)
        try:
            with course.gradebook() as gb:
                due = gb.find_assignment(assignment_id).duedate
        except Exception:  # no such assignment in the gradebook yet
            return None
        return due.replace(tzinfo=None) if due else None


# -- the queue -------------------------------------------------------------------
@dataclass
class Job:
    entry: str          # the inbound folder: student+assignment+timestamp(+random)
    student: str
    assignment: str
    submitted_at: str   # UTC, ISO format
    state: str = "queued"
    attempts: int = 0
    late: bool = False
    score: float | None = None
    max_score: float | None = None
    released: str = ""
    message: str = ""


def parse_entry(name: str) -> Job | None:
    """A job for an inbound folder name, or None if it is not nbgrader's format."""
    from nbgrader.utils import parse_utc

    parts = name.split("+")
    if len(parts) < 3:
        return None
    try:
        when = parse_utc(parts[2]).replace(tzinfo=None)
    except (ValueError, TypeError):
        return None
    return Job(name, parts[0], parts[1], when.isoformat())


class JobStore:
    """The jobs in ``watch.db`` (SQLite, one connection, a lock for the worker threads)."""

    COLUMNS = ("entry", "student", "assignment", "submitted_at", "state", "attempts", "late",
               "score", "max_score", "released", "message")

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS jobs (entry TEXT PRIMARY KEY, student TEXT, assignment TEXT,"
            " submitted_at TEXT, state TEXT, attempts INTEGER, late INTEGER, score REAL,"
            " max_score REAL, released TEXT, message TEXT, queued_at REAL, started_at REAL,"
            " finished_at REAL)")

    def close(self) -> None:
        self._db.close()

    def _job(self, row) -> Job:
        values = dict(zip(self.COLUMNS, row))
        values["late"] = bool(values["late"])
        return Job(**values)

    def add(self, jobs: list[Job]) -> int:
        """Queue the jobs not seen before; return how many were new."""
        with self._lock:
            before = self._db.total_changes
            self._db.executemany(
                "INSERT OR IGNORE INTO jobs VALUES (?, ?, ?, ?, 'queued', 0, 0, NULL, NULL, '', '',"
                " ?, NULL, NULL)",
                [(j.entry, j.student, j.assignment, j.submitted_at, time.time()) for j in jobs])
            return self._db.total_changes - before

    def requeue_interrupted(self) -> int:
        """Jobs that were running when the service stopped run again."""
        with self._lock:
            return self._db.execute("UPDATE jobs SET state = 'queued', message = 'restarted after "
                                    "an interruption' WHERE state = 'running'").rowcount

    def claim(self) -> Job | None:
        """The oldest queued job whose student is not being graded for that assignment.

        A queued submission with a newer one of the same student and assignment
        is marked ``superseded`` on the way (the newer one is graded instead).
        """
        with self._lock:
            rows = self._db.execute(f"SELECT {', '.join(self.COLUMNS)} FROM jobs WHERE state = "
                                    "'queued' ORDER BY submitted_at").fetchall()
            for row in rows:
                job = self._job(row)
                newer = self._db.execute(
                    "SELECT 1 FROM jobs WHERE student = ? AND assignment = ? AND submitted_at > ?"
                    " AND state NOT IN ('failed')", (job.student, job.assignment, job.submitted_at)
                ).fetchone()
                if newer:
                    self._db.execute("UPDATE jobs SET state = 'superseded', message = 'a newer "
                                     "submission is graded instead' WHERE entry = ?", (job.entry,))
                    continue
                busy = self._db.execute("SELECT 1 FROM jobs WHERE student = ? AND assignment = ? "
                                        "AND state = 'running'", (job.student, job.assignment)
                                        ).fetchone()
                if busy:
                    continue
                self._db.execute("UPDATE jobs SET state = 'running', attempts = attempts + 1, "
                                 "started_at = ? WHERE entry = ?", (time.time(), job.entry))
                job.state, job.attempts = "running", job.attempts + 1
                return job
            return None

    def graded_on_day(self, job: Job) -> int:
        """Graded submissions of this student and assignment on the job's (UTC) day."""
        with self._lock:
            return self._db.execute(
                "SELECT COUNT(*) FROM jobs WHERE student = ? AND assignment = ? AND state = 'done' "
                "AND substr(submitted_at, 1, 10) = ?",
                (job.student, job.assignment, job.submitted_at[:10])).fetchone()[0]

    def finish(self, job: Job) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET state = ?, late = ?, score = ?, max_score = ?, released = ?, "
                "message = ?, finished_at = ? WHERE entry = ?",
                (job.state, int(job.late), job.score, job.max_score, job.released, job.message,
                 time.time(), job.entry))

    def jobs(self, where: str = "1", args: tuple = ()) -> list[Job]:
        with self._lock:
            rows = self._db.execute(f"SELECT {', '.join(self.COLUMNS)} FROM jobs WHERE {where} "
                                    "ORDER BY submitted_at", args).fetchall()
        return [self._job(r) for r in rows]


# -- publishing where fetch_feedback looks -------------------------------------------
def feedback_folder(course) -> Path:
    return Path(course.config.Exchange.root) / course.config.CourseDirectory.course_id / "feedback"


def publish(course, secret: str, notebook_ids: list[str], page: str) -> list[Path]:
    """Write ``page`` where ``nbgrader fetch_feedback`` finds it for each of ``notebook_ids``.

    nbgrader 0.9 names released feedback by ``md5(submission secret + notebook
    id)``; the student's side computes the same from its copy of the
    submission, so a notebook handed in under another name gets the page under
    that name too (``notebook_ids`` holds both).
    """
    from nbgrader.utils import notebook_hash

    folder = feedback_folder(course)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for notebook_id in dict.fromkeys(notebook_ids):
        target = folder / f"{notebook_hash(secret=secret, notebook_id=notebook_id)}.html"
        tmp = target.with_suffix(".tmp")
        tmp.write_text(page, encoding="utf-8")
        os.chmod(tmp, 0o644)
        tmp.replace(target)  # atomic: a student never fetches half a page
        written.append(target)
    return written


def score_page(student: str, assignment: str, scores, late_note: str, extra: str = "") -> str:
    """A page with the scores only (no tests, no outputs)."""
    rows = "".join(f"<tr><td>{html.escape(name)}</td><td>{'-' if s is None else f'{s:g}'}</td></tr>"
                   for sc in scores for name, s in sorted(sc.cells.items()))
    totals = "".join(f"<p><b>{html.escape(sc.notebook)}</b>: {sc.score:g} / {sc.max_score:g}</p>"
                     for sc in scores)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(assignment)}"
            f"</title></head><body><h1>{html.escape(assignment)}: your score</h1>"
            f"<p>Student {html.escape(student)}. {html.escape(late_note)}</p>{totals}{extra}"
            f"<table border='1'><tr><th>question</th><th>points</th></tr>{rows}</table>"
            "<p>The full feedback is released after the deadline.</p></body></html>")


def notice_page(assignment: str, text: str) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(assignment)}"
            f"</title></head><body><h1>{html.escape(assignment)}</h1><p>{html.escape(text)}</p>"
            "</body></html>")


def _late_note(job: Job, deadline: dt.datetime | None) -> str:
    if deadline is None:
        return ""
    late = dt.datetime.fromisoformat(job.submitted_at) - deadline
    if late <= dt.timedelta(0):
        return "Submitted on time."
    minutes = int(late.total_seconds() // 60)
    return f"Submitted LATE: {minutes // 60} h {minutes % 60} min after the deadline."


# -- one job (runs in its own process) -------------------------------------------------
def run_job(course_root: Path, entry: str, mode: str = "grade") -> dict:
    """Collect, grade, write feedback and publish one inbound submission; a JSON-able result.

    ``mode`` ``release`` only publishes the feedback of a job graded earlier
    (its deadline passed); ``limited`` publishes the daily-limit notice.
    """
    from nbgrader.utils import capture_log, temp_attrs

    from .course import Course

    course = Course(course_root)
    settings = WatchSettings(config=course.config)
    job = parse_entry(entry)
    aid, student = job.assignment, job.student
    deadline = settings.deadline(aid, course)
    late_note = _late_note(job, deadline)
    job.late = late_note.startswith("Submitted LATE")
    inbound = Path(course.config.Exchange.root) / course.config.CourseDirectory.course_id / "inbound"
    if mode == "limited":
        secret = (inbound / entry / "submission_secret.txt").read_text()
        names = [p.stem for p in (inbound / entry).rglob("*.ipynb")]
        publish(course, secret, names, notice_page(aid, (
            f"Not graded now: you have used your {settings.limit(aid)} graded submission(s) of "
            f"{aid} for today (UTC). Your latest submission will be graded by the instructor.")))
        return {"state": "limited", "released": "limit notice", "late": job.late,
                "message": "daily limit reached"}
    submission = course.root / "submitted" / student / aid
    if mode == "grade":
        api = course.api
        with temp_attrs(api.coursedir, assignment_id=aid, student_id=student):
            app = api.exchange.Collect(coursedir=api.coursedir, authenticator=api.authenticator,
                                       parent=api)
            app.update = True
            collected = capture_log(app)
        if not collected.get("success"):
            return {"state": "failed", "message": "collect failed: " + (collected.get("error") or
                                                                         collected.get("log", ""))[-500:]}
        graded = course.autograde(aid, student)
        if not graded.ok:
            return {"state": "failed", "late": job.late, "message": graded.summary,
                    "notes": graded.notes}
        made = course.feedback(aid, student)
        if not made.ok:
            return {"state": "failed", "late": job.late, "message": "feedback: " + made.summary}
    scores = [s for s in course.scores(aid) if s.student == student]
    secret = (submission / "submission_secret.txt").read_text()
    policy = settings.policy(aid)
    due = deadline is not None and dt.datetime.utcnow() >= deadline
    released = ""
    for sc in scores:
        aliases = [sc.notebook] + _original_names(submission, sc.notebook)
        feedback_html = course.root / "feedback" / student / aid / f"{sc.notebook}.html"
        if policy == "feedback" or (policy == "none" and due) or mode == "release":
            page = feedback_html.read_text(encoding="utf-8")
            if late_note:
                page = page.replace("<body>", f"<body><p><b>{html.escape(late_note)}</b></p>", 1)
            publish(course, secret, aliases, page)
            released = "feedback"
        elif policy == "score":
            publish(course, secret, aliases, score_page(student, aid, [sc], late_note))
            released = "score"
        else:
            released = "held"
    return {"state": "done", "late": job.late, "released": released,
            "score": sum(s.score for s in scores), "max_score": sum(s.max_score for s in scores),
            "message": late_note}


def _original_names(submission: Path, notebook: str) -> list[str]:
    """Names the student handed this notebook in under (intake keeps them in ``.intake/``)."""
    record = submission / ".intake" / "names.json"
    if not record.is_file():
        return []
    try:
        names = json.loads(record.read_text())
    except ValueError:
        return []
    return [Path(original).stem for original, graded in names.items()
            if Path(graded).stem == notebook]


# -- the service ---------------------------------------------------------------------------
class Watcher:
    """Scan the exchange, keep the queue, run jobs on worker threads (see the module docstring)."""

    def __init__(self, course, settings: WatchSettings | None = None, say=print):
        self.course = course
        self.settings = settings or WatchSettings(config=course.config)
        self.store = JobStore(course.root / self.settings.state_file)
        self.say = say
        self._stop = threading.Event()
        self._running: dict[str, subprocess.Popen] = {}
        self._lock = threading.Lock()

    @property
    def inbound(self) -> Path:
        return (Path(self.course.config.Exchange.root) / self.course.config.CourseDirectory.course_id
                / "inbound")

    def scan(self) -> int:
        """Queue every inbound submission not seen before; return how many."""
        if not self.inbound.is_dir():
            return 0
        jobs = [job for p in self.inbound.iterdir() if p.is_dir()
                and (p / "timestamp.txt").is_file() and (job := parse_entry(p.name))]
        return self.store.add(jobs)

    def _spawn(self, job: Job, mode: str) -> dict:
        cmd = [sys.executable, "-m", "dlcourse.autograder.watch", "job", str(self.course.root),
               job.entry, mode]
        log = self.course.log_path
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a") as errors:  # nbgrader's log and the kernels' warnings
            errors.write(f"\n--- watch {mode} {job.entry}\n")
            errors.flush()
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors, text=True,
                                    start_new_session=True)
        with self._lock:
            self._running[job.entry] = proc
        try:
            out, _ = proc.communicate(timeout=self.settings.job_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return {"state": "failed", "message": f"grading took more than "
                                                  f"{self.settings.job_timeout} s; stopped"}
        finally:
            with self._lock:
                self._running.pop(job.entry, None)
        if self._stop.is_set() and proc.returncode < 0:
            return {"state": "interrupted"}
        lines = [line for line in out.splitlines() if line.startswith("{")]
        if proc.returncode != 0 or not lines:
            return {"state": "failed", "message": f"the grading process failed (exit code "
                                                  f"{proc.returncode}); see {self.course.log_path}"}
        return json.loads(lines[-1])

    def process(self, job: Job) -> Job:
        """Run one claimed job to its end and record it."""
        limit = self.settings.limit(job.assignment)
        mode = "limited" if limit and self.store.graded_on_day(job) >= limit else "grade"
        t0 = time.monotonic()
        result = self._spawn(job, mode)
        if result.get("state") == "interrupted":  # the service is stopping: run it next time
            return job
        for key in ("state", "late", "score", "max_score", "released", "message"):
            if key in result:
                setattr(job, key, result[key])
        self.store.finish(job)
        score = "" if job.score is None else f" {job.score:g}/{job.max_score:g}"
        self.say(f"{job.state}: {job.assignment}/{job.student}{score} in "
                 f"{time.monotonic() - t0:.1f} s{', late' if job.late else ''}"
                 f"{', released ' + job.released if job.released else ''}"
                 f"{'' if job.state == 'done' else ' (' + job.message + ')'}")
        return job

    def release_due(self) -> None:
        """Publish held feedback whose deadline has passed."""
        now = dt.datetime.utcnow()
        for job in self.store.jobs("state = 'done' AND released = 'held'"):
            deadline = self.settings.deadline(job.assignment, self.course)
            if deadline is not None and now >= deadline:
                result = self._spawn(job, "release")
                job.released = result.get("released", job.released)
                self.store.finish(job)

    def _work(self) -> None:
        while not self._stop.is_set():
            job = self.store.claim()
            if job is None:
                self._stop.wait(self.settings.interval / 2)
                continue
            self.process(job)

    def run(self, once: bool = False) -> None:
        """Serve until stopped (SIGTERM, SIGINT); ``once``: until the queue is empty."""
        requeued = self.store.requeue_interrupted()
        if requeued:
            self.say(f"{requeued} submission(s) interrupted last time: grading them again")
        self.scan()
        if once:
            while (job := self.store.claim()) is not None:
                self.process(job)
            self.release_due()
            return
        threads = [threading.Thread(target=self._work, daemon=True)
                   for _ in range(max(1, self.settings.workers))]
        for thread in threads:
            thread.start()
        try:
            while not self._stop.is_set():
                new = self.scan()
                if new:
                    self.say(f"{new} new submission(s)")
                self.release_due()
                self._stop.wait(self.settings.interval)
        finally:
            self.stop()
            for thread in threads:
                thread.join(timeout=5)

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            for proc in self._running.values():
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def _job_main(argv: list[str]) -> None:
    """``python -m dlcourse.autograder.watch job COURSE_ROOT ENTRY [MODE]``: one JSON line out."""
    import warnings

    warnings.filterwarnings("ignore")
    root, entry = Path(argv[0]), argv[1]
    mode = argv[2] if len(argv) > 2 else "grade"
    try:
        result = run_job(root, entry, mode)
    except Exception as exc:  # reported as this job's failure; the service goes on
        result = {"state": "failed", "message": f"{type(exc).__name__}: {exc}"[:600]}
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["job"]:
        _job_main(sys.argv[2:])
