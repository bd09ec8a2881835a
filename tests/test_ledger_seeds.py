"""The pieces of a reproducible, resumable batch, without running nbgrader: seeds from the course
secret, the ledger's digests and records, and copying a submission between gradebooks."""
from __future__ import annotations

import datetime
import io
import json
import os
import stat
import tarfile

import pytest

from dlcourse.autograder.batch import pack_tree, unpack_tree
from dlcourse.autograder.ledger import (assignment_digest, read_record, read_records,
                                        submission_digest, write_record)
from dlcourse.autograder.seeds import course_secret, secret_path, submission_seed


def test_the_secret_is_made_once_private_and_kept(tmp_path):
    first = course_secret(tmp_path)
    assert len(first) == 32
    assert stat.S_IMODE(secret_path(tmp_path).stat().st_mode) == 0o600
    assert stat.S_IMODE(secret_path(tmp_path).parent.stat().st_mode) == 0o700
    assert course_secret(tmp_path) == first
    assert course_secret(tmp_path / "other") != first


def test_a_short_secret_is_refused_with_what_to_do(tmp_path):
    secret_path(tmp_path).parent.mkdir()
    secret_path(tmp_path).write_bytes(b"short")
    with pytest.raises(ValueError, match="delete the file to make a new one"):
        course_secret(tmp_path)


def test_seeds_depend_on_every_id_and_the_secret_only():
    secret = b"k" * 32
    seed = submission_seed(secret, "a01", "alice", "nb")
    assert seed == submission_seed(secret, "a01", "alice", "nb")
    assert 0 <= seed < 2 ** 32
    others = {submission_seed(secret, "a02", "alice", "nb"), submission_seed(secret, "a01", "bob", "nb"),
              submission_seed(secret, "a01", "alice", "nb2"), submission_seed(b"j" * 32, "a01", "alice", "nb"),
              # the separator keeps ids from sliding into each other
              submission_seed(secret, "a01", "alic", "enb")}
    assert seed not in others and len(others) == 5


def _course(tmp_path):
    root = tmp_path / "course"
    (root / "assignments" / "a01").mkdir(parents=True)
    (root / "assignments" / "a01" / "nb.ipynb").write_text("{}")
    (root / "solutions").mkdir()
    (root / "solutions" / "a01.py").write_text("HIDDEN_CHECKS = []\n")
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    sub = root / "submitted" / "alice" / "a01"
    sub.mkdir(parents=True)
    (sub / "nb.ipynb").write_text('{"cells": []}')
    return root


def test_the_digest_changes_with_what_grading_depends_on_and_nothing_else(tmp_path):
    root = _course(tmp_path)

    def digest(seed=None):
        return submission_digest(root, "a01", "alice", assignment_digest(root, "assignments", "a01", seed))

    before = digest()
    assert digest() == before
    (root / "submitted" / "alice" / "a01" / ".ipynb_checkpoints").mkdir()
    (root / "submitted" / "alice" / "a01" / ".ipynb_checkpoints" / "nb-checkpoint.ipynb").write_text("x")
    (root / "solutions" / "a02.py").write_text("# another assignment's checks\n")
    assert digest() == before
    assert digest(seed=5) != before
    for path, text in [(root / "submitted" / "alice" / "a01" / "nb.ipynb", '{"cells": [1]}'),
                       (root / "solutions" / "a01.py", "HIDDEN_CHECKS = [1]\n"),
                       (root / "assignments" / "a01" / "nb.ipynb", '{"x": 1}'),
                       (root / "nbgrader_config.py", "c = get_config()\nc.X = 1\n")]:
        old = path.read_text()
        path.write_text(text)
        assert digest() != before, path
        path.write_text(old)
        assert digest() == before


def test_records_are_written_whole_and_read_back_sorted(tmp_path):
    for student in ("bob", "alice"):
        write_record(tmp_path, {"assignment": "a01", "student": student, "digest": "d", "score": 1})
    (tmp_path / ".dlcourse" / "graded" / "a01" / "broken.json").write_text("{not json")
    assert [r["student"] for r in read_records(tmp_path, "a01")] == ["alice", "bob"]
    assert read_record(tmp_path, "a01", "alice")["score"] == 1
    assert read_record(tmp_path, "a01", "nobody") is None
    assert not [p for p in (tmp_path / ".dlcourse" / "graded" / "a01").iterdir()
                if p.name.endswith(".tmp")]
    assert json.loads((tmp_path / ".dlcourse" / "graded" / "a01" / "bob.json").read_text())["digest"] == "d"


def test_packed_folders_round_trip_and_hostile_archives_are_refused(tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("a")
    (src / "sub" / "b.txt").write_text("b")
    (src / ".hidden").write_text("h")
    data = pack_tree(src, skip=lambda rel: rel.name.startswith("."))
    unpack_tree(data, tmp_path / "dest")
    assert sorted(p.relative_to(tmp_path / "dest").as_posix() for p in (tmp_path / "dest").rglob("*")
                  if p.is_file()) == ["a.txt", "sub/b.txt"]

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("../escaped.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(tarfile.TarError):
        unpack_tree(buf.getvalue(), tmp_path / "dest2")
    assert not (tmp_path / "escaped.txt").exists()


def test_copying_a_submission_keeps_manual_grades_and_follows_nbgraders_rule(tmp_path, monkeypatch):
    import sys

    from nbgrader.api import Gradebook

    # nbgrader runs `alembic` from PATH when it creates a gradebook
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])

    from dlcourse.autograder.gradebook_copy import copy_assignment, copy_student, copy_submission

    main = Gradebook(f"sqlite:///{tmp_path / 'main.db'}", "course")
    main.add_assignment("a01", duedate="2026-12-01 12:00:00")
    main.add_notebook("nb", "a01")
    for name in ("auto", "essay"):
        main.add_grade_cell(name, "nb", "a01", max_score=2, cell_type="code")
        main.add_source_cell(name, "nb", "a01", cell_type="code", source=f"# {name}", locked=True)
    main.add_solution_cell("essay", "nb", "a01")
    main.add_student("alice", first_name="Alice")
    main.add_submission("a01", "alice", extension=datetime.timedelta(hours=1))
    essay = main.find_grade("essay", "nb", "a01", "alice")
    essay.manual_score = 1.5
    main.db.commit()

    task = Gradebook(f"sqlite:///{tmp_path / 'task.db'}", "course")
    copy_assignment(main, task, "a01")
    copy_student(main, task, "a01", "alice")
    assert task.find_student("alice").first_name == "Alice"
    assert task.find_submission("a01", "alice").extension == main.find_submission("a01", "alice").extension
    assert [c.source for c in task.find_notebook("nb", "a01").source_cells] == ["# auto", "# essay"]
    # what autograde writes in the task's gradebook
    for name, score in (("auto", 2.0), ("essay", 0.0)):
        g = task.find_grade(name, "nb", "a01", "alice")
        g.auto_score, g.needs_manual_grade = score, False
    task.find_submission_notebook("nb", "a01", "alice").late_submission_penalty = 0.5
    task.find_comment("essay", "nb", "a01", "alice").auto_comment = "No response."
    task.db.commit()

    assert copy_submission(task, main, "a01", "alice")
    auto = main.find_grade("auto", "nb", "a01", "alice")
    essay = main.find_grade("essay", "nb", "a01", "alice")
    assert (auto.auto_score, auto.needs_manual_grade) == (2.0, False)
    assert (essay.auto_score, essay.manual_score, essay.needs_manual_grade) == (0.0, 1.5, True)
    assert main.find_submission_notebook("nb", "a01", "alice").late_submission_penalty == 0.5
    assert main.find_comment("essay", "nb", "a01", "alice").auto_comment == "No response."
    assert not copy_submission(task, main, "a01", "nobody")
    task.close()
    main.close()
    assert os.path.exists(tmp_path / "main.db")
