"""Grading a whole class: nbgrader autograde on N processes or a Dask cluster, one gradebook writer.

A :class:`Batch` turns ``submitted/`` into :class:`Task` objects, one per submission.  A task
carries everything grading needs -- the assignment's files, the one submission, a private
SQLite gradebook holding only the assignment, the course secret -- so it runs the same way in
this process (``--jobs 1``), in a pool of worker processes (``--jobs N``) or on any Dask worker
(``--scheduler``): :func:`run_task` unpacks it into a scratch course and calls nbgrader's own
autograde there (:meth:`~dlcourse.autograder.course.Course.autograde`, sandbox included).  What
comes back -- the autograded notebooks, the private gradebook, what the hidden checks found --
is written into the course by this process alone (:func:`~dlcourse.autograder.gradebook_copy.copy_submission`),
then recorded in the grading ledger (:mod:`dlcourse.autograder.ledger`).

So the course's gradebook (SQLite or PostgreSQL) has one writer whatever N is; a batch killed at
any moment resumes where it stopped (recorded submissions are skipped unless their files
changed); and a submission's hidden cases come from its own seed (:mod:`.seeds`), so every mode
gives every submission the same score.
"""
from __future__ import annotations

import fcntl
import io
import json
import os
import shutil
import socket
import sys
import tarfile
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from fnmatch import fnmatch
from pathlib import Path
from typing import Callable, Iterator

from .course import Course, StepResult
from .ledger import assignment_digest, checks_dir, read_record, submission_digest, write_record
from .seeds import STATE_DIR, course_secret

__all__ = ["Task", "TaskResult", "Batch", "run_task", "default_jobs", "BatchLocked",
           "pack_tree", "unpack_tree"]


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


# -- moving folders as bytes ---------------------------------------------------
def pack_tree(folder: Path, skip: Callable[[Path], bool] = lambda p: False) -> bytes:
    """A folder as gzip'd tar bytes (paths relative to ``folder``; ``skip`` drops entries)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                rel = path.relative_to(folder)
                if path.is_file() and not path.is_symlink() and not skip(rel):
                    tar.add(path, arcname=rel.as_posix(), recursive=False)
    return buf.getvalue()


def unpack_tree(data: bytes, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(dest, filter="data")  # refuses absolute paths, .., links out


def _dotted(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)


# -- what travels --------------------------------------------------------------
@dataclass
class Task:
    """One submission to autograde, self-contained (it may run on another machine)."""
    assignment: str
    student: str
    #: gzip'd tar of nbgrader_config.py, solutions/ and the assignment's source folder
    base: bytes
    #: digest of ``base``: a worker process unpacks each base once
    base_key: str
    #: gzip'd tar of submitted/<student>/<assignment>/ (after intake and salvage)
    submission: bytes
    #: a SQLite gradebook holding the assignment and this student (nothing of anyone else)
    template: bytes
    secret: bytes
    source_dir: str = "assignments"
    seed: int | None = None
    unsafe: bool = False


@dataclass
class TaskResult:
    assignment: str
    student: str
    ok: bool
    error: str = ""
    headline: str = ""
    advice: str = ""
    log: str = ""
    seconds: float = 0.0
    #: gzip'd tar of autograded/<student>/<assignment>/ ("" when nbgrader wrote none)
    autograded: bytes = b""
    #: the task's gradebook after autograde (SQLite file bytes)
    gradebook: bytes = b""
    #: notebook id -> what TrustedHiddenChecks recorded (seed, functions)
    checks: dict = field(default_factory=dict)
    host: str = ""


# -- the worker side -----------------------------------------------------------
_BASES: dict[str, Path] = {}


def _base_dir(task: Task) -> Path:
    folder = _BASES.get(task.base_key)
    if folder is None or not folder.is_dir():
        folder = Path(tempfile.mkdtemp(prefix="dlcourse-base-"))
        unpack_tree(task.base, folder)
        _BASES[task.base_key] = folder
    return folder


def run_task(task: Task) -> TaskResult:
    """Autograde one submission in a scratch course; never raises for a bad submission."""
    t0 = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="dlcourse-task-"))
    root = scratch / "course"
    try:
        shutil.copytree(_base_dir(task), root)
        unpack_tree(task.submission, root / "submitted" / task.student / task.assignment)
        (root / "gradebook.db").write_bytes(task.template)
        secret = root / STATE_DIR / "secret"
        secret.parent.mkdir(mode=0o700)
        secret.write_bytes(task.secret)
        secret.chmod(0o600)
        course = Course(root)
        course.config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
        course.config.Sandbox.enabled = not task.unsafe
        if task.seed is not None:
            course.config.TrustedHiddenChecks.seed = task.seed
        try:
            r = course.autograde(task.assignment, task.student)
        except Exception as exc:  # nbgrader itself blew up: report, go on
            r = StepResult(False, error=f"{type(exc).__name__}: {exc}")
        out = root / "autograded" / task.student / task.assignment
        checks = {p.stem: json.loads(p.read_text())
                  for p in sorted(checks_dir(root, task.assignment, task.student).glob("*.json"))}
        return TaskResult(task.assignment, task.student, r.ok, r.error, r.headline, r.advice,
                          r.log, time.perf_counter() - t0,
                          pack_tree(out) if out.is_dir() else b"",
                          (root / "gradebook.db").read_bytes(), checks, socket.gethostname())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


#: what every task imports: loaded once per worker before the first task arrives
WARM_MODULES = ["nbgrader.apps", "nbgrader.api", "nbconvert.preprocessors", "jupyter_client",
                "dlcourse.autograder.course", "dlcourse.autograder.preprocessor",
                "dlcourse.autograder.sandboxed_kernel"]


def worker_problem(unsafe: bool) -> str | None:
    """Why this machine cannot grade (run on each Dask worker before the batch), or None.
    Also imports what grading needs, so the first task does not pay for it."""
    try:
        import importlib

        for name in WARM_MODULES:
            importlib.import_module(name)
        from .sandbox import Sandbox

        if unsafe:
            return None
        from traitlets.config import Config

        return Sandbox(config=Config()).problem() or None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


# -- executors -----------------------------------------------------------------
class _InProcess:
    name = "1 process"

    def __init__(self):
        self._done: list = []

    def submit(self, task):
        self._done.append((task, run_task(task), None))

    def next_done(self):
        return self._done.pop(0)

    def close(self):
        pass


class _Pool:
    """``concurrent.futures`` worker processes, reused from task to task.  They fork from a
    single-threaded fork server that has already imported nbgrader and the grader
    (:data:`WARM_MODULES`), so a worker starts in milliseconds, not seconds."""

    def __init__(self, jobs: int):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.jobs = jobs
        self.name = f"{jobs} processes"
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["dlcourse.autograder.batch", *WARM_MODULES])
        self._make = lambda: ProcessPoolExecutor(jobs, mp_context=context)
        self._pool = self._make()
        self._pending: dict = {}

    def submit(self, task):
        from concurrent.futures.process import BrokenProcessPool

        try:
            self._pending[self._pool.submit(run_task, task)] = task
        except BrokenProcessPool:  # a worker died: start a new pool, resubmit
            self._pool = self._make()
            self._pending[self._pool.submit(run_task, task)] = task

    def next_done(self):
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        done, _ = wait(list(self._pending), return_when=FIRST_COMPLETED)
        future = next(iter(done))
        task = self._pending.pop(future)
        try:
            return task, future.result(), None
        except BrokenProcessPool as exc:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._make()
            return task, None, f"the grading process died ({exc})"
        except Exception as exc:
            return task, None, f"{type(exc).__name__}: {exc}"

    def close(self):
        self._pool.shutdown(wait=True, cancel_futures=True)


class _Dask:
    """A Dask cluster: ``address`` of a running scheduler, or ``"local"`` for a LocalCluster."""

    def __init__(self, address: str, jobs: int, unsafe: bool):
        from distributed import Client, LocalCluster, as_completed

        self._cluster = None
        if address == "local":
            self._cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                         dashboard_address=None, host="127.0.0.1")
            self.client = Client(self._cluster)
        else:
            self.client = Client(address, timeout="30s")
        workers = self.client.scheduler_info()["workers"]
        if not workers:
            self.close()
            raise RuntimeError(f"the Dask scheduler at {address} has no workers")
        problems = {w: p for w, p in self.client.run(worker_problem, unsafe).items() if p}
        if problems:
            self.close()
            raise RuntimeError("these Dask workers cannot grade: " + "; ".join(
                f"{w}: {p}" for w, p in problems.items()))
        self.name = f"Dask, {len(workers)} worker(s) at {self.client.scheduler.address}"
        self.jobs = sum(w.get("nthreads", 1) for w in workers.values())
        self._ac = as_completed()
        self._tasks: dict = {}

    def submit(self, task):
        future = self.client.submit(run_task, task, pure=False,
                                    key=f"autograde-{task.assignment}-{task.student}-{time.time_ns()}")
        self._tasks[future.key] = task
        self._ac.add(future)

    def next_done(self):
        future = next(self._ac)
        task = self._tasks.pop(future.key)
        try:
            return task, future.result(), None
        except Exception as exc:  # KilledWorker, lost connection: not recorded, retried next run
            return task, None, f"{type(exc).__name__}: {exc}"
        finally:
            future.release()

    def close(self):
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


# -- the batch -----------------------------------------------------------------
class BatchLocked(RuntimeError):
    pass


@dataclass
class Job:
    assignment: str
    student: str
    digest: str
    notes: list[str] = field(default_factory=list)


class Batch:
    """Autograde the submissions of ``assignment_ids`` (students matching ``student_glob``)."""

    def __init__(self, course: Course, assignment_ids: list[str], student_glob: str = "*",
                 force: bool = False, seed: int | None = None, unsafe: bool = False):
        self.course = course
        self.assignment_ids = assignment_ids
        self.student_glob = student_glob
        self.force = force
        self.seed = seed
        self.unsafe = unsafe
        self.skipped: list[tuple[str, str]] = []
        self._parts: dict[str, str] = {}
        self._lock_fh = None

    # -- one batch per course at a time
    def __enter__(self):
        path = self.course.root / STATE_DIR / "grade.lock"
        path.parent.mkdir(mode=0o700, exist_ok=True)
        self._lock_fh = open(path, "a+")
        try:
            fcntl.flock(self._lock_fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_fh.seek(0)
            holder = self._lock_fh.read().strip() or "another process"
            self._lock_fh.close()
            raise BatchLocked(f"another grading batch is running on {self.course.root} ({holder}); "
                              "wait for it to end, or stop it and run this again (it resumes)")
        self._lock_fh.seek(0)
        self._lock_fh.truncate()
        self._lock_fh.write(f"pid {os.getpid()}, started {datetime.now(timezone.utc):%H:%M:%S} UTC\n")
        self._lock_fh.flush()
        return self

    def __exit__(self, *exc):
        if self._lock_fh:
            self._lock_fh.close()

    # -- plan
    def _assignment_part(self, aid: str) -> str:
        """What every submission's digest of ``aid`` shares (hashed once per batch)."""
        if aid not in self._parts:
            self._parts[aid] = assignment_digest(self.course.root, self.course.source_dir.name,
                                                 aid, self.seed)
        return self._parts[aid]

    def _graded_in_gradebook(self, aid: str) -> set[str]:
        try:
            with self.course.gradebook() as gb:
                return {s.student.id for s in gb.find_assignment(aid).submissions}
        except Exception:
            return set()

    def plan(self) -> list[Job]:
        """The submissions to grade: not recorded, changed since, or all with ``force``."""
        jobs = []
        for aid in self.assignment_ids:
            part = self._assignment_part(aid)
            in_gradebook = self._graded_in_gradebook(aid)
            for student in self.course.students(aid):
                if not fnmatch(student, self.student_glob):
                    continue
                digest = submission_digest(self.course.root, aid, student, part)
                record = read_record(self.course.root, aid, student)
                if (not self.force and record and record.get("digest") == digest
                        and student in in_gradebook
                        and (self.course.root / "autograded" / student / aid).is_dir()):
                    self.skipped.append((aid, student))
                    continue
                jobs.append(Job(aid, student, digest))
        return jobs

    # -- this process's part before and after each task
    def _base(self, aid: str) -> tuple[bytes, str]:
        import hashlib

        root = self.course.root
        with tempfile.TemporaryDirectory() as tmp:
            base = Path(tmp)
            shutil.copy2(root / "nbgrader_config.py", base / "nbgrader_config.py")
            shutil.copytree(root / "solutions", base / "solutions",
                            ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copytree(self.course.source_dir / aid, base / self.course.source_dir.name / aid,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
            data = pack_tree(base)
        return data, hashlib.sha256(data).hexdigest()

    def _template(self, aid: str, students: list[str]) -> Callable[[str], bytes]:
        """Per student: a SQLite gradebook with the assignment and that student only."""
        from nbgrader.api import Gradebook

        from .gradebook_copy import copy_assignment, copy_student

        course_id = self.course.config.CourseDirectory.get("course_id", "default_course")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "assignment.db"
            with self.course.gradebook() as src, Gradebook(f"sqlite:///{path}", course_id) as dst:
                copy_assignment(src, dst, aid)
            empty = path.read_bytes()

        def for_student(student: str) -> bytes:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "gradebook.db"
                path.write_bytes(empty)
                with self.course.gradebook() as src, Gradebook(f"sqlite:///{path}", course_id) as dst:
                    copy_student(src, dst, aid, student)
                return path.read_bytes()

        return for_student

    def tasks(self, jobs: list[Job]) -> Iterator[Task]:
        """Build each job's task just before it is sent (memory stays flat for any class size)."""
        secret = course_secret(self.course.root)
        by_aid: dict[str, list[Job]] = {}
        for job in jobs:
            by_aid.setdefault(job.assignment, []).append(job)
        for aid, aid_jobs in by_aid.items():
            base, key = self._base(aid)
            template = self._template(aid, [j.student for j in aid_jobs])
            for job in aid_jobs:
                job.notes = (self.course.intake_submission(aid, job.student)
                             + self.course.salvage_submission(aid, job.student))
                job.digest = submission_digest(self.course.root, aid, job.student,
                                               self._assignment_part(aid))
                folder = self.course.root / "submitted" / job.student / aid
                yield Task(aid, job.student, base, key, pack_tree(folder, skip=_dotted),
                           template(job.student), secret, self.course.source_dir.name,
                           self.seed, self.unsafe)

    def merge(self, job: Job, result: TaskResult, gradebook) -> StepResult:
        """Write one task's outcome into the course: notebooks, gradebook, then the ledger."""
        from nbgrader.api import Gradebook

        from .gradebook_copy import copy_submission

        root, aid, student = self.course.root, job.assignment, job.student
        if result.autograded:
            final = root / "autograded" / student / aid
            fresh = final.with_name(f".{aid}.incoming")
            old = final.with_name(f".{aid}.replaced")
            for leftover in (fresh, old):
                shutil.rmtree(leftover, ignore_errors=True)
            unpack_tree(result.autograded, fresh)
            if final.exists():
                final.rename(old)
            fresh.rename(final)
            shutil.rmtree(old, ignore_errors=True)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "task.db"
            path.write_bytes(result.gradebook)
            with Gradebook(f"sqlite:///{path}") as src:
                copy_submission(src, gradebook, aid, student)
        r = StepResult(result.ok, result.log, result.error, result.headline, result.advice,
                       notes=job.notes)
        if not r.ok:
            r.command = f"dlcourse grade {aid} --student {student} --force"
        write_record(root, self._record(job, result, gradebook))
        return r

    def _record(self, job: Job, result: TaskResult, gradebook) -> dict:
        from nbgrader.api import MissingEntry

        from .scores import round_points

        notebooks, score, max_score = {}, 0.0, 0.0
        try:
            submission = gradebook.find_submission(job.assignment, job.student)
            for nb in submission.notebooks:
                checks = result.checks.get(nb.name, {})
                notebooks[nb.name] = {"seed": checks.get("seed"), "score": round_points(nb.score),
                                      "max_score": round_points(nb.max_score),
                                      "functions": checks.get("functions", {})}
            score, max_score = round_points(submission.score), round_points(submission.max_score)
        except MissingEntry:
            pass
        return {"assignment": job.assignment, "student": job.student, "digest": job.digest,
                "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "seconds": round(result.seconds, 3), "ok": result.ok,
                "error": (result.headline or result.error).strip()[:2000],
                "score": score, "max_score": max_score, "notebooks": notebooks,
                "host": result.host}

    # -- run
    def run(self, jobs: int = 1, scheduler: str | None = None, terminal=None,
            say: Callable[[str], None] = print) -> dict[tuple[str, str], StepResult]:
        """Grade what :meth:`plan` finds; returns a result per graded submission."""
        from tqdm import tqdm

        from .logs import log_step

        todo = self.plan()
        if self.skipped:
            say(f"{len(self.skipped)} submission(s) already graded and unchanged: skipped "
                "(--force regrades them)")
        results: dict[tuple[str, str], StepResult] = {}
        if not todo:
            return results
        if scheduler:
            executor = _Dask(scheduler, jobs, self.unsafe)
        elif jobs > 1 and len(todo) > 1:
            executor = _Pool(min(jobs, len(todo)))
        else:
            executor = _InProcess()
        say(f"grading {len(todo)} submission(s) on {executor.name}")
        by_key = {(j.assignment, j.student): j for j in todo}
        in_flight = 2 * getattr(executor, "jobs", 1)
        counts = Counter()
        bar = tqdm(total=len(todo), desc="autograde", unit="submission", file=terminal or sys.stderr)
        tasks = self.tasks(todo)
        try:
            with self.course.gradebook() as gradebook:
                pending = 0
                for task in tasks:
                    executor.submit(task)
                    pending += 1
                    if pending >= in_flight:
                        pending -= self._collect(executor, by_key, gradebook, results, counts, bar,
                                                 log_step)
                while pending:
                    pending -= self._collect(executor, by_key, gradebook, results, counts, bar,
                                             log_step)
        finally:
            bar.close()
            executor.close()
        return results

    def _collect(self, executor, by_key, gradebook, results, counts, bar, log_step) -> int:
        task, result, crash = executor.next_done()
        key = (task.assignment, task.student)
        job = by_key[key]
        if crash is not None:  # the machinery failed, not the submission: not recorded
            r = StepResult(False, error=crash, notes=job.notes,
                           advice="The grading process was lost; nothing was recorded for this "
                                  "submission. Run the same command again to grade it:",
                           command=f"dlcourse grade {task.assignment} --student {task.student}")
        else:
            try:
                r = self.merge(job, result, gradebook)
            except Exception as exc:  # a result we cannot write: report, go on
                gradebook.db.rollback()
                r = StepResult(False, error=f"writing the result failed: {type(exc).__name__}: {exc}",
                               notes=job.notes, command=f"dlcourse grade {task.assignment} "
                                                        f"--student {task.student}")
        results[key] = r
        log_step(f"autograde {task.assignment}/{task.student}", r.ok, r.log + r.error)
        counts["done" if r.ok else "failed"] += 1
        bar.set_postfix(done=counts["done"], failed=counts["failed"],
                        left=bar.total - bar.n - 1, refresh=False)
        bar.update(1)
        return 1
