"""`dlcourse watch` end to end: students submit with the real `nbgrader submit`, the service
grades in the sandbox and releases feedback that `nbgrader fetch_feedback` brings home.

One service run (module fixture) sees a slow submission and a correct one submitted right
after it, a renamed notebook, and is killed with `kill -9` mid-grade and restarted.  A second
course checks the policies with `--once`: score only, a daily limit, a late mark, nothing
until the deadline.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from dlcourse.autograder.course import Course
from dlcourse.autograder.sandbox import Sandbox
from dlcourse.autograder.simulate import make_submission

from .support import cli_env, released_course

pytestmark = [pytest.mark.nbgrader]
if Sandbox().problem():
    pytestmark.append(pytest.mark.skip(reason=f"no grading sandbox here: {Sandbox().problem()}"))

AID, NB = "a00_numpy_basics", "numpy_basics.ipynb"
FAST = "a07_gradient_checking"


def _env() -> dict:
    return cli_env(DLCOURSE_CELL_TIMEOUT="10")


def _course(tmp: Path, aids: list[str], extra_config: str = "") -> Course:
    c = released_course(tmp / "course", aids, extra_config)
    for aid in aids:
        assert c.api.release_assignment(aid)["success"]  # into the exchange's outbound
    return c


class Student:
    """A student's home folder, driven with the real nbgrader exchange commands."""

    def __init__(self, course: Course, name: str, tmp: Path):
        self.course, self.name = course, name
        self.home = tmp / "homes" / name
        self.home.mkdir(parents=True)
        self.flags = ["--course", "dlcourse", f"--student={name}",
                      f"--Exchange.root={course.config.Exchange.root}",
                      f"--Exchange.cache={tmp / 'caches' / name}"]

    def nbgrader(self, *args) -> subprocess.CompletedProcess:
        done = subprocess.run(["nbgrader", *args, *self.flags], cwd=self.home, env=_env(),
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done

    def hand_in(self, aid: str, variant: str = "correct", name: str | None = None) -> float:
        """Write the notebook (as ``name``) into ~/<aid>/, submit; return when the submit ended."""
        folder = self.home / aid
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        (release_path,) = (self.course.root / "release" / aid).glob("*.ipynb")
        source = nbformat.read(self.course.source_dir / aid / release_path.name, as_version=4)
        nb = make_submission(variant, source, nbformat.read(release_path, as_version=4), aid,
                             self.course.root / "solutions")
        nbformat.write(nb, folder / (name or release_path.name))
        self.nbgrader("submit", aid)
        return time.monotonic()

    def fetched_feedback(self, aid: str) -> list[Path]:
        self.nbgrader("fetch_feedback", aid)
        return sorted((self.home / aid / "feedback").rglob("*.html"))


def _jobs(course: Course) -> list[dict]:
    path = course.root / "watch.db"
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute("SELECT * FROM jobs ORDER BY submitted_at")]


def _wait(predicate, timeout: float, what: str, service=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        if service is not None and service.poll() is not None:
            raise AssertionError(f"the service stopped while waiting for {what}: "
                                 f"{service.stdout.read()[-2000:]}")
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def _state(course, student, aid=AID):
    return [j["state"] for j in _jobs(course) if j["student"] == student and j["assignment"] == aid]


def _start(course: Course) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dlcourse.autograder.cli", "--course-dir",
                             str(course.root), "watch", "--interval", "1", "--workers", "2"],
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("watch")
    course = _course(tmp, [AID])
    students = {n: Student(course, n, tmp) for n in ("s1_fast", "s2_slow", "s3_renamed", "s4_killed")}
    service = _start(course)
    out = {"course": course, "students": students}
    try:
        students["s2_slow"].hand_in(AID, "infinite_loop")
        submitted = students["s1_fast"].hand_in(AID)
        _wait(lambda: _state(course, "s1_fast") == ["done"], 240, "s1's grade", service)
        out["latency"] = time.monotonic() - submitted
        out["s2_while_s1_done"] = _state(course, "s2_slow")
        students["s3_renamed"].hand_in(AID, name="Untitled-Copy1.ipynb")
        students["s4_killed"].hand_in(AID)
        _wait(lambda: _state(course, "s4_killed") == ["running"], 120, "s4 to start", service)
        time.sleep(2)
        os.killpg(service.pid, signal.SIGKILL)  # the service and everything it started
        service.wait()
        out["s4_after_kill"] = _state(course, "s4_killed")
        # on a loaded machine s3 may still be running beside s4 when the service dies
        out["running_at_kill"] = {s for s in students if "running" in _state(course, s)}
        service = _start(course)
        _wait(lambda: all(_state(course, s) and _state(course, s)[-1] in ("done", "failed")
                          for s in students), 400, "every submission", service)
    finally:
        service.send_signal(signal.SIGTERM)
        try:
            out["log"] = service.communicate(timeout=60)[0]
        except subprocess.TimeoutExpired:
            os.killpg(service.pid, signal.SIGKILL)
            out["log"] = service.communicate()[0]
    out["jobs"] = _jobs(course)
    out["scores"] = {s.student: s for s in course.scores(AID)}
    return out


def test_feedback_reaches_the_student_soon_after_submitting(served):
    (page,) = served["students"]["s1_fast"].fetched_feedback(AID)
    text = page.read_text()
    assert page.name == NB.replace(".ipynb", ".html") and "BEGIN HIDDEN TESTS" not in text
    s = served["scores"]["s1_fast"]
    assert s.score == s.max_score > 0
    print(f"submit-to-feedback latency: {served['latency']:.1f} s")
    assert served["latency"] < 240


def test_a_slow_submission_does_not_block_the_next(served):
    assert served["s2_while_s1_done"] == ["running"]
    s = served["scores"]["s2_slow"]
    assert 0 < s.score < s.max_score  # the looping function earns nothing, the rest is graded


def test_a_renamed_notebook_is_graded_and_its_feedback_found_under_its_name(served):
    s = served["scores"]["s3_renamed"]
    assert s.score == s.max_score
    names = [p.name for p in served["students"]["s3_renamed"].fetched_feedback(AID)]
    assert "Untitled-Copy1.html" in names


def test_a_killed_service_regrades_the_interrupted_submission_once(served):
    assert served["s4_after_kill"] == ["running"]
    (job,) = [j for j in served["jobs"] if j["student"] == "s4_killed"]
    assert job["state"] == "done" and job["attempts"] == 2
    assert served["scores"]["s4_killed"].score == served["scores"]["s4_killed"].max_score
    assert "interrupted last time" in served["log"]


def test_nothing_is_graded_twice(served):
    done = [j["entry"] for j in served["jobs"] if j["state"] == "done"]
    assert len(done) == len(set(done)) == 4
    assert all(j["attempts"] == 1 for j in served["jobs"]
               if j["student"] not in served["running_at_kill"] | {"s2_slow"})


# -- policies ------------------------------------------------------------------------
def _once(course: Course) -> str:
    done = subprocess.run([sys.executable, "-m", "dlcourse.autograder.cli", "--course-dir",
                           str(course.root), "watch", "--once"], env=_env(), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def test_policies_score_only_daily_limit_late_and_held_until_the_deadline(tmp_path):
    past = (dt.datetime.utcnow() - dt.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S UTC")
    config = ("\nc.WatchSettings.release_policy = {%r: 'score', %r: 'none'}\n"
              "c.WatchSettings.daily_limit = {%r: 1}\n"
              "c.WatchSettings.deadlines = {%r: %r, %r: '2099-01-01 00:00:00 UTC'}\n"
              % (AID, FAST, AID, AID, past, FAST))
    course = _course(tmp_path, [AID, FAST], config)
    kim = Student(course, "kim", tmp_path)

    kim.hand_in(AID)
    kim.hand_in(FAST)
    _once(course)
    (page,) = kim.fetched_feedback(AID)
    text = page.read_text()
    assert "your score" in text and "Submitted LATE" in text and "def " not in text
    s = next(s for s in course.scores(AID) if s.student == "kim")
    assert f"{s.score:g} / {s.max_score:g}" in text
    assert kim.fetched_feedback(FAST) == []  # held until the deadline
    (fast_job,) = [j for j in _jobs(course) if j["assignment"] == FAST]
    assert fast_job["state"] == "done" and fast_job["released"] == "held"
    assert any(j["late"] for j in _jobs(course) if j["assignment"] == AID)

    kim.hand_in(AID, "blank")  # the second graded submission today: over the limit
    _once(course)
    states = [j["state"] for j in _jobs(course) if j["assignment"] == AID]
    assert states == ["done", "limited"]
    assert next(s for s in course.scores(AID) if s.student == "kim").score == s.score  # not regraded

    (course.root / "nbgrader_config.py").write_text(
        (course.root / "nbgrader_config.py").read_text().replace("2099-01-01", "2000-01-01"))
    _once(course)  # the deadline has passed: the held feedback is released
    (released,) = kim.fetched_feedback(FAST)
    assert "BEGIN HIDDEN TESTS" not in released.read_text()
