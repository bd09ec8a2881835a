"""nbgrader's gradebook in a real PostgreSQL server, driven through the course's own API.

One scratch course with a00, its gradebook URL pointing at a fresh PostgreSQL database
(``tests/pg_server.py`` starts it): release, a correct and a blank student autograded in the
sandbox, scores, feedback and the CSV export -- and the rows are in PostgreSQL, not in a
``gradebook.db`` beside the course.  nbgrader creates the schema itself in the empty database.
Then the class is graded with ``dlcourse grade --jobs 2`` (the batch process the one writer),
given feedback and exported through the command line, all in PostgreSQL.
"""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys

import pytest

from dlcourse.autograder.course import Course
from dlcourse.autograder.sandbox import Sandbox
from dlcourse.autograder.simulate import simulate_class

from .pg_server import postgres_server, postgres_unavailable, query, wait_for_connections_closed
from .support import ASSIGNMENTS, ROOT, SOLUTIONS, cli_env

pytestmark = [pytest.mark.nbgrader, pytest.mark.sandbox]
PG_PROBLEM = postgres_unavailable()
if PG_PROBLEM:
    pytestmark.append(pytest.mark.skip(reason=f"no PostgreSQL server here: {PG_PROBLEM}"))
SANDBOX_PROBLEM = Sandbox().problem()
if SANDBOX_PROBLEM:
    pytestmark.append(pytest.mark.skip(reason=f"no grading sandbox here: {SANDBOX_PROBLEM}"))

AID = "a00_numpy_basics"


def _scratch_course(root):
    (root / "assignments").mkdir(parents=True)
    shutil.copytree(ASSIGNMENTS / AID, root / "assignments" / AID)
    shutil.copytree(SOLUTIONS, root / "solutions")
    shutil.copy2(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")


def test_gradebook_lives_in_postgresql(tmp_path, monkeypatch):
    root = tmp_path / "course"
    _scratch_course(root)
    with postgres_server(tmp_path / "pg") as url:
        assert query(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
        monkeypatch.setenv("DLCOURSE_DB_URL", url)
        course = Course(root)
        course.config.CourseDirectory.db_url = url
        assert course.api.coursedir.db_url == url  # what nbgrader's API and converters open

        r = course.release(AID)
        assert r.ok, r.error[-3000:] or r.log[-3000:]
        # nbgrader made its schema in the empty database itself, stamped with alembic's head
        tables = {t for (t,) in query(url, "SELECT tablename FROM pg_tables "
                                           "WHERE schemaname = 'public'")}
        assert {"course", "assignment", "submitted_assignment", "grade",
                "alembic_version"} <= tables
        assert query(url, "SELECT count(*) FROM alembic_version") == [(1,)]
        assert ("dlcourse",) in query(url, "SELECT id FROM course")
        students = simulate_class(root, AID, ["correct", "blank"])
        assert students == ["s01_correct", "s02_blank"]
        for student in students:
            r = course.autograde(AID, student)
            assert r.ok, f"{student}: {r.summary}\n{r.error[-3000:] or r.log[-3000:]}"

        with course.gradebook() as gb:  # the course's own reads (scores, export) go there too
            assert gb.engine.url.render_as_string(hide_password=False) == url
        scores = {s.student: s for s in course.scores(AID)}
        assert set(scores) == set(students)
        assert scores["s01_correct"].score == scores["s01_correct"].max_score > 0
        assert scores["s02_blank"].score == 0
        assert scores["s02_blank"].max_score == scores["s01_correct"].max_score

        for student in students:
            r = course.feedback(AID, student)
            assert r.ok, r.error[-3000:] or r.log[-3000:]
            (html,) = (root / "feedback" / student / AID).glob("*.html")
            assert "BEGIN HIDDEN TESTS" not in html.read_text()

        with open(course.export_csv(tmp_path / "grades.csv")) as fh:
            rows = {r["student_id"]: r for r in csv.DictReader(fh) if r["assignment"] == AID}
        assert set(rows) == set(students)
        assert float(rows["s01_correct"]["score"]) == float(rows["s01_correct"]["max_score"]) > 0
        assert float(rows["s02_blank"]["score"]) == 0

        # the grades are really in PostgreSQL
        submitted = query(url, "SELECT s.student_id FROM submitted_assignment s "
                               "JOIN assignment a ON a.id = s.assignment_id "
                               "WHERE a.name = %s ORDER BY s.student_id", AID)
        assert submitted == [(s,) for s in students]
        autograded = query(url, "SELECT count(*) FROM grade WHERE auto_score IS NOT NULL")
        assert autograded[0][0] > 0
        # every Gradebook nbgrader and the course opened has let its connection go (a class of
        # hundreds must not exhaust the server's max_connections)
        assert wait_for_connections_closed(url) == 0

        # the class, graded in parallel (`dlcourse grade --jobs 2`): two worker processes, the
        # one batch process writing PostgreSQL; the serial scores stay as they were
        simulate_class(root, AID, ["correct", "blank", "partial", "broken_json"])
        env = cli_env(DLCOURSE_DB_URL=url)
        run = [sys.executable, "-m", "dlcourse.autograder.cli", "--course-dir", str(root)]
        r = subprocess.run([*run, "grade", AID, "--jobs", "2"], env=env, capture_output=True,
                           text=True, timeout=900)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
        assert "grading 4 submission(s) on 2 processes" in r.stdout
        parallel = {s.student: s for s in course.scores(AID)}
        assert {s: (v.score, v.cells) for s, v in parallel.items() if s in scores} == \
            {s: (v.score, v.cells) for s, v in scores.items()}
        assert 0 < parallel["s03_partial"].score < parallel["s03_partial"].max_score
        for command in (["feedback", AID], ["export"]):
            r = subprocess.run([*run, *command], env=env, capture_output=True, text=True,
                               timeout=600)
            assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
        with open(root / "grades.csv") as fh:
            exported = {r["student_id"]: float(r["score"]) for r in csv.DictReader(fh)}
        assert exported == {s: v.score for s, v in parallel.items()}
        assert len(list((root / "feedback").glob(f"*/{AID}/*.html"))) == 4
        assert query(url, "SELECT count(*) FROM submitted_assignment") == [(4,)]
        assert wait_for_connections_closed(url) == 0
    # ... and nothing went to SQLite in the course
    assert not (root / "gradebook.db").exists()
    assert list(root.rglob("*.db")) == []
