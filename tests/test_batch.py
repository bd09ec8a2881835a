"""Grading a class with `dlcourse grade`: every mode gives every submission the serial score.

One released course with a simulated class of a00 (correct, partial, blank, cut-off JSON) is
graded once the old serial way (``Course.autograde`` in place, one after another); each test
grades a copy of it another way and compares the whole gradebook with that reference:
``--jobs 2`` (worker processes), a Dask ``LocalCluster``, and a ``dask scheduler`` plus two
``dask worker`` processes on 127.0.0.1.  A batch killed with SIGKILL mid-way is resumed by the
same command (``--jobs 1``), which grades only what is left; a resubmission is regraded alone.
"""
from __future__ import annotations

import csv
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from dlcourse.autograder.course import Course
from dlcourse.autograder.ledger import read_records, record_path
from dlcourse.autograder.seeds import course_secret, submission_seed
from dlcourse.autograder.simulate import simulate_class

from .support import SOLUTIONS, cli_env, released_course

pytestmark = pytest.mark.nbgrader

AID = "a00_numpy_basics"
NOTEBOOK = "numpy_basics"
CLASS = ["correct", "partial", "blank", "broken_json"]
STUDENTS = [f"s{n:02d}_{v}" for n, v in enumerate(CLASS, 1)]


def _dlcourse(root: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dlcourse.autograder.cli", "--course-dir",
                           str(root), *args], env=cli_env(), capture_output=True, text=True,
                          timeout=timeout)


def _grade(root: Path, *args: str) -> str:
    r = _dlcourse(root, "grade", AID, *args)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r.stdout


def gradebook_state(root: Path) -> dict:
    """Everything autograde decides, per student: cell scores, flags, penalties, comments."""
    state = {}
    with Course(root).gradebook() as gb:
        for sub in gb.find_assignment(AID).submissions:
            for nb in sub.notebooks:
                state[(sub.student.id, nb.name, "late penalty")] = nb.late_submission_penalty
                for g in nb.grades:
                    state[(sub.student.id, nb.name, g.name)] = (g.auto_score, g.needs_manual_grade)
                for c in nb.comments:
                    state[(sub.student.id, nb.name, "comment " + c.name)] = c.auto_comment
    return state


def hidden_lines(root: Path, students: list[str] = STUDENTS) -> dict:
    """The hidden-check report lines of every autograded notebook (same seed: same lines)."""
    out = {}
    for student in students:
        path = root / "autograded" / student / AID / f"{NOTEBOOK}.ipynb"
        nb = nbformat.read(path, as_version=4)
        out[student] = [line for cell in nb.cells if cell.cell_type == "code"
                        for o in cell.get("outputs", []) for line in o.get("text", "").splitlines()
                        if "hidden case" in line]
    return out


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("batch") / "base"
    released_course(root, [AID])
    simulate_class(root, AID, CLASS)
    course_secret(root)  # every copy shares one secret, so seeds agree
    return root


@pytest.fixture(scope="module")
def serial(base, tmp_path_factory) -> dict:
    """The reference: the old serial path, in place, one submission after another."""
    root = tmp_path_factory.mktemp("serial") / "course"
    shutil.copytree(base, root)
    course = Course(root)
    for student in STUDENTS:
        assert course.autograde(AID, student).ok, student
    state = gradebook_state(root)
    assert {k[0] for k in state} == set(STUDENTS)
    return {"state": state, "lines": hidden_lines(root), "root": root}


def _copy(base: Path, dest: Path) -> Path:
    shutil.copytree(base, dest)
    return dest


def test_jobs_2_matches_serial_and_records_every_seed(base, serial, tmp_path):
    root = _copy(base, tmp_path / "course")
    out = _grade(root, "--jobs", "2")
    assert "grading 4 submission(s) on 2 processes" in out
    assert gradebook_state(root) == serial["state"]
    assert hidden_lines(root) == serial["lines"]
    secret = course_secret(root)
    records = read_records(root, AID)
    assert [r["student"] for r in records] == STUDENTS
    for r in records:
        nb = r["notebooks"][NOTEBOOK]
        assert nb["seed"] == submission_seed(secret, AID, r["student"], NOTEBOOK)
        assert r["ok"] and r["seconds"] > 0
    partial = next(r for r in records if r["student"] == "s02_partial")["notebooks"][NOTEBOOK]
    assert 0 < partial["score"] < partial["max_score"]
    assert any(f["diagnoses"] for f in partial["functions"].values()), partial
    assert not any(f["diagnoses"] for f in
                   records[0]["notebooks"][NOTEBOOK]["functions"].values())

    # the same command again grades nothing; --force grades everything
    again = _grade(root, "--jobs", "2")
    assert "4 submission(s) already graded and unchanged" in again and "grading" not in again
    # a changed seed is a change: --seed regrades, records it, and may change nothing else
    seeded = _grade(root, "--jobs", "1", "--seed", "12345", "--student", "s01_*")
    assert "grading 1 submission(s)" in seeded
    record = json.loads(record_path(root, AID, "s01_correct").read_text())
    assert record["notebooks"][NOTEBOOK]["seed"] == 12345

    # per-function CSV and the HTML report, from the ledger
    r = _dlcourse(root, "export")
    assert r.returncode == 0, r.stderr[-2000:]
    with open(root / "grades_by_function.csv") as fh:
        rows = list(csv.DictReader(fh))
    functions = set(records[0]["notebooks"][NOTEBOOK]["functions"])
    assert {(row["student"], row["function"]) for row in rows} == \
        {(s, f) for s in STUDENTS for f in functions}
    r = _dlcourse(root, "report", AID)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    page = (root / "reports" / f"report-{AID}.html").read_text()
    assert page.count("data:image/png;base64,") >= 4
    _assert_no_reference_values(root, page + (root / "grades_by_function.csv").read_text())


def _assert_no_reference_values(root: Path, text: str) -> None:
    """Recompute each student's hidden cases from the recorded seed: none of their expected
    values (nor a seed) appears in what the instructor's reports show."""
    import numpy as np

    from dlcourse.autograder.checks import apply_case, quiet
    from dlcourse.autograder.hidden import _rng, load_checks

    checks = load_checks(AID, SOLUTIONS)
    numbers = set()
    for record in read_records(root, AID):
        seed = record["notebooks"][NOTEBOOK]["seed"]
        assert str(seed) not in text
        for name in record["notebooks"][NOTEBOOK]["functions"]:
            for case in checks[name].cases(_rng(seed, name)):
                with quiet():
                    expected = case.expected if case.has_expected else \
                        apply_case(checks[name].reference, case, checks[name].probe)
                values = np.ravel(np.asarray(expected, dtype=float)) \
                    if np.size(expected) < 10_000 else []
                numbers.update(f"{v:.6g}" for v in values
                               if np.isfinite(v) and len(f"{abs(v):.6g}".replace(".", "")) >= 5)
    assert numbers, "no reference values were recomputed"
    leaked = sorted(n for n in numbers if re.search(rf"(?<![\d.]){re.escape(n)}(?!\d)", text))
    assert not leaked, leaked[:10]


def test_killed_batch_resumes_and_ends_like_an_uninterrupted_run(base, serial, tmp_path):
    root = _copy(base, tmp_path / "course")
    proc = subprocess.Popen([sys.executable, "-m", "dlcourse.autograder.cli", "--course-dir",
                             str(root), "grade", AID, "--jobs", "2"], env=cli_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 600
    while not read_records(root, AID) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole process group: the batch and its workers
    proc.wait()
    done = len(read_records(root, AID))
    assert 1 <= done < len(STUDENTS), f"{done} graded before the kill: no mid-batch kill to test"

    out = _grade(root, "--jobs", "1")
    assert f"{done} submission(s) already graded and unchanged" in out
    assert f"grading {len(STUDENTS) - done} submission(s) on 1 process" in out
    assert gradebook_state(root) == serial["state"]
    assert hidden_lines(root) == serial["lines"]
    assert "grading" not in _grade(root, "--jobs", "1")


def _only(state: dict, students: list[str]) -> dict:
    return {k: v for k, v in state.items() if k[0] in students}


def test_dask_local_cluster_matches_serial(base, serial, tmp_path):
    # two students keep the suite short; the other modes grade the whole class
    root = _copy(base, tmp_path / "course")
    out = _grade(root, "--scheduler", "local", "--jobs", "2", "--student", "s0[12]_*")
    assert re.search(r"grading 2 submission\(s\) on Dask, 2 worker\(s\) at tcp://127\.0\.0\.1:\d+",
                     out), out
    graded = STUDENTS[:2]
    assert gradebook_state(root) == _only(serial["state"], graded)
    assert {s: v for s, v in hidden_lines(root, graded).items()} == \
        {s: serial["lines"][s] for s in graded}


@pytest.fixture
def dask_cluster(tmp_path):
    """A `dask scheduler` and two `dask worker` processes on 127.0.0.1; yields the address."""
    dask = shutil.which("dask", path=str(Path(sys.executable).parent))
    if dask is None:
        pytest.skip("the dask command is not installed (pip install 'dlcourse[scale]')")
    info = tmp_path / "scheduler.json"
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(info)],
                              env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)]
    try:
        deadline = time.monotonic() + 120
        while not info.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        for n in range(2):
            procs.append(subprocess.Popen(
                [dask, "worker", address, "--nthreads", "1", "--no-dashboard", "--name", f"w{n}",
                 "--local-directory", str(tmp_path / f"w{n}")], env=cli_env(),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for p in reversed(procs):
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()


def test_dask_scheduler_and_worker_processes_match_serial_and_regrade_a_resubmission(
        base, serial, tmp_path, dask_cluster):
    root = _copy(base, tmp_path / "course")
    graded = ["s01_correct", "s03_blank"]
    out = _grade(root, "--scheduler", dask_cluster, "--student", "s0[13]_*")
    assert f"grading 2 submission(s) on Dask, 2 worker(s) at {dask_cluster}" in out
    assert gradebook_state(root) == _only(serial["state"], graded)
    assert hidden_lines(root, graded) == {s: serial["lines"][s] for s in graded}
    assert all(r["host"] for r in read_records(root, AID))

    # s03 hands in again, now the correct notebook: only that submission is graded again
    folder = root / "submitted" / "s03_blank" / AID
    shutil.copy(root / "submitted" / "s01_correct" / AID / f"{NOTEBOOK}.ipynb", folder)
    before = json.loads(record_path(root, AID, "s03_blank").read_text())
    out = _grade(root, "--scheduler", dask_cluster, "--student", "s0[13]_*")
    assert "1 submission(s) already graded and unchanged" in out
    assert "grading 1 submission(s)" in out
    after = json.loads(record_path(root, AID, "s03_blank").read_text())
    assert after["digest"] != before["digest"]
    assert after["score"] == after["max_score"] > before["score"] == 0
    scores = {s.student: s.score for s in Course(root).scores(AID)}
    assert scores["s03_blank"] == scores["s01_correct"]


def test_a_second_batch_on_the_same_course_is_refused(base, tmp_path):
    root = _copy(base, tmp_path / "course")
    lock = root / ".dlcourse" / "grade.lock"
    with open(lock, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fh.write("pid 4242, started 10:00:00 UTC\n")
        fh.flush()
        r = _dlcourse(root, "grade", AID, "--jobs", "1")
    assert r.returncode == 2
    assert "another grading batch is running" in r.stdout and "pid 4242" in r.stdout
    assert not read_records(root, AID)


def test_the_secret_stays_with_the_instructor(base, serial):
    root = serial["root"]
    secret = root / ".dlcourse" / "secret"
    assert secret.stat().st_mode & 0o077 == 0
    data = secret.read_bytes()
    for folder in ("release", "autograded"):
        for path in (root / folder).rglob("*"):
            assert ".dlcourse" not in path.parts
            if path.is_file():
                body = path.read_bytes()
                assert data not in body and data.hex().encode() not in body, path
