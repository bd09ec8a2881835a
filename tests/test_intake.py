"""Intake: a submission's notebooks are found by their nbgrader cell ids and put under the
release name, whatever the student called them (no nbgrader run, no kernel)."""
from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from dlcourse.autograder.intake import Candidate, find_candidates, intake, match

STUB = "def {name}():\n    # YOUR CODE HERE\n    raise NotImplementedError()"
ANSWER = "def {name}():\n    return 42"


def _meta(grade_id: str, *, solution: bool = False, grade: bool = False, points: int = 0) -> dict:
    """nbgrader metadata of one cell."""
    meta = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": not solution,
            "schema_version": 3}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def release_notebook() -> nbformat.NotebookNode:
    """A small release notebook: intro, two solution cells each with its test cell, an outro."""
    return new_notebook(cells=[
        new_markdown_cell("# Functions\nWrite `f` and `g`.", metadata=_meta("intro")),
        new_code_cell(STUB.format(name="f"), metadata=_meta("f", solution=True)),
        new_code_cell("assert f() == 42", metadata=_meta("test_f", grade=True, points=1)),
        new_code_cell(STUB.format(name="g"), metadata=_meta("g", solution=True)),
        new_code_cell("assert g() == 42", metadata=_meta("test_g", grade=True, points=1)),
        new_markdown_cell("That's all.", metadata=_meta("outro")),
    ])


def answered(count: int) -> nbformat.NotebookNode:
    """A student copy of the release with its first ``count`` solution cells answered."""
    nb = release_notebook()
    for cell in [c for c in nb.cells if c.metadata.nbgrader["solution"]][:count]:
        cell.source = ANSWER.format(name=cell.metadata.nbgrader["grade_id"])
    return nb


def unrelated_notebook() -> nbformat.NotebookNode:
    """A student's own notebook, with no nbgrader cell ids."""
    return new_notebook(cells=[new_markdown_cell("my notes"), new_code_cell("x = 1")])


def write(path: Path, nb: nbformat.NotebookNode, mtime: float | None = None) -> bytes:
    """Write a notebook (and its modification time); return its bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = nbformat.writes(nb).encode()
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return data


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def release_dir(tmp_path: Path) -> Path:
    """``tmp_path/release/nb.ipynb``."""
    write(tmp_path / "release" / "nb.ipynb", release_notebook())
    return tmp_path / "release"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty submission folder."""
    (tmp_path / "submission").mkdir()
    return tmp_path / "submission"


def release_notebooks(release_dir: Path) -> dict[str, nbformat.NotebookNode]:
    return {"nb.ipynb": nbformat.read(release_dir / "nb.ipynb", as_version=4)}


# --- nothing to do ----------------------------------------------------------------------------

def test_correct_name_changes_nothing(release_dir, folder):
    write(folder / "nb.ipynb", answered(2))
    (folder / "plot.png").write_bytes(b"\x89PNG not really")
    before = snapshot(folder)
    report = intake(folder, release_dir)
    assert snapshot(folder) == before
    assert not report.changed and report.lines() == [] and report.moved == {}
    assert report.matched["nb.ipynb"].path == Path("nb.ipynb")
    assert report.overlap == {"nb.ipynb": (6, 6)}


# --- renamed, in a subfolder, in a zip --------------------------------------------------------

def test_renamed_notebook_is_written_under_the_release_name(release_dir, folder):
    data = write(folder / "Untitled-Copy1.ipynb", answered(1))
    report = intake(folder, release_dir)
    assert (folder / "nb.ipynb").read_bytes() == data
    assert (folder / ".intake" / "Untitled-Copy1.ipynb").read_bytes() == data
    assert not (folder / "Untitled-Copy1.ipynb").exists()
    assert report.changed
    assert report.moved == {"Untitled-Copy1.ipynb": ".intake/Untitled-Copy1.ipynb"}
    assert "nb.ipynb <- Untitled-Copy1.ipynb (6 of 6 cell ids match)" in report.lines()


def test_notebook_in_a_subfolder(release_dir, folder):
    data = write(folder / "work" / "nb.ipynb", answered(2))
    (folder / "work" / "data.csv").write_text("1,2\n")
    report = intake(folder, release_dir)
    assert (folder / "nb.ipynb").read_bytes() == data
    assert (folder / ".intake" / "work" / "nb.ipynb").read_bytes() == data
    assert (folder / "work" / "data.csv").read_text() == "1,2\n", "non-notebook files stay"
    assert "nb.ipynb <- work/nb.ipynb (6 of 6 cell ids match)" in report.lines()


def test_zip_from_an_lms(release_dir, folder):
    data = nbformat.writes(answered(2)).encode()
    with zipfile.ZipFile(folder / "submission.zip", "w") as archive:
        archive.writestr("Homework/nb-final.ipynb", data)
        archive.writestr("__MACOSX/Homework/._nb-final.ipynb", b"\x00\x05\x16\x07AppleDouble")
        archive.writestr("__MACOSX/._nb-final.ipynb", b"\x00\x05\x16\x07AppleDouble")
    zip_bytes = (folder / "submission.zip").read_bytes()
    found = find_candidates(folder, release_notebooks(release_dir))
    assert [c.path for c in found] == [Path("submission.zip/Homework/nb-final.ipynb")]
    report = intake(folder, release_dir)
    assert (folder / "nb.ipynb").read_bytes() == data
    assert (folder / ".intake" / "submission.zip").read_bytes() == zip_bytes
    assert not (folder / "submission.zip").exists()
    assert not (folder / "Homework").exists(), "nothing is extracted into the folder"
    lines = report.lines()
    assert "nb.ipynb <- submission.zip/Homework/nb-final.ipynb (6 of 6 cell ids match)" in lines
    assert "original kept: submission.zip -> .intake/submission.zip" in lines


def test_a_notebook_cut_off_early_under_its_own_name_is_still_that_notebook(release_dir, folder):
    text = nbformat.writes(answered(2))
    second = text.index('"cell_type"', text.index('"cell_type"') + 1)
    data = text[:text.index('"cell_type"', second + 1)].encode()  # two complete cells of six
    (folder / "nb.ipynb").write_bytes(data)
    report = intake(folder, release_dir)
    assert "nb.ipynb" in report.matched and not report.unmatched
    assert (folder / "nb.ipynb").read_bytes() == data  # left for the salvage step


# --- more than one candidate ------------------------------------------------------------------

def test_more_complete_copy_is_graded_over_the_right_name(release_dir, folder):
    fewer = write(folder / "nb.ipynb", answered(1))
    more = write(folder / "nb (2).ipynb", answered(2))
    report = intake(folder, release_dir)
    assert (folder / "nb.ipynb").read_bytes() == more
    assert (folder / ".intake" / "nb.ipynb").read_bytes() == fewer
    assert (folder / ".intake" / "nb (2).ipynb").read_bytes() == more
    assert [c.path for c in report.passed_over["nb.ipynb"]] == [Path("nb.ipynb")]
    lines = report.lines()
    assert "nb.ipynb <- nb (2).ipynb (6 of 6 cell ids match)" in lines
    assert "passed over for nb.ipynb: nb.ipynb (fewer answers: 1 vs 2)" in lines


def test_less_complete_copy_is_passed_over(release_dir, folder):
    more = write(folder / "nb.ipynb", answered(2))
    fewer = write(folder / "nb (2).ipynb", answered(1))
    report = intake(folder, release_dir)
    assert (folder / "nb.ipynb").read_bytes() == more
    assert (folder / ".intake" / "nb (2).ipynb").read_bytes() == fewer
    assert not (folder / "nb (2).ipynb").exists()
    assert report.moved == {"nb (2).ipynb": ".intake/nb (2).ipynb"}
    assert "passed over for nb.ipynb: nb (2).ipynb (fewer answers: 1 vs 2)" in report.lines()


def test_ties_go_to_the_release_name_then_to_the_latest(release_dir):
    release = release_notebooks(release_dir)
    ids = {"intro", "f", "test_f", "g", "test_g", "outro"}
    in_place, newer, older = (Candidate(Path("nb.ipynb"), ids, 1, 100.0),
                              Candidate(Path("copy.ipynb"), ids, 1, 300.0),
                              Candidate(Path("old.ipynb"), ids, 1, 200.0))
    assert match([newer, in_place, older], release).matched["nb.ipynb"] is in_place
    report = match([older, newer], release)
    assert report.matched["nb.ipynb"] is newer
    assert "passed over for nb.ipynb: old.ipynb (same answers; an older copy)" in report.lines()


def test_answers_are_counted_against_the_release(release_dir, folder):
    write(folder / "a.ipynb", answered(0))
    write(folder / "b.ipynb", answered(2))
    found = {c.path.name: c.answered for c in find_candidates(folder, release_notebooks(release_dir))}
    assert found == {"a.ipynb": 0, "b.ipynb": 2}


# --- notebooks that are not graded, and notebooks that are missing ----------------------------

def test_unrelated_notebook_is_moved_aside_not_deleted(release_dir, folder):
    graded = write(folder / "nb.ipynb", answered(2))
    notes = write(folder / "notes.ipynb", unrelated_notebook())
    report = intake(folder, release_dir)
    assert (folder / "nb.ipynb").read_bytes() == graded
    assert (folder / ".intake" / "notes.ipynb").read_bytes() == notes
    assert not (folder / "notes.ipynb").exists()
    assert [c.path for c in report.unmatched] == [Path("notes.ipynb")]
    assert "not graded: notes.ipynb matches no notebook of this assignment" in report.lines()


def test_cut_off_copy_is_still_matched(release_dir, folder):
    text = nbformat.writes(answered(2))
    cut = text[:text.index('"grade_id": "outro"')]
    with pytest.raises(ValueError):
        json.loads(cut)
    (folder / "nb-copy.ipynb").write_text(cut)
    report = intake(folder, release_dir)
    assert (folder / "nb.ipynb").read_text() == cut, "the exact bytes, for salvage to rebuild"
    assert report.matched["nb.ipynb"].answered == 2
    assert "nb.ipynb <- nb-copy.ipynb (5 of 6 cell ids match)" in report.lines()


def test_missing_notebook_is_reported(release_dir, folder):
    few = release_notebook()
    few.cells = few.cells[:2]   # 2 of 6 ids: less than half, not a copy of nb.ipynb
    write(folder / "scratch.ipynb", few)
    report = intake(folder, release_dir)
    assert report.missing == ["nb.ipynb"] and report.changed
    lines = report.lines()
    assert "missing: nb.ipynb (no submitted notebook carries its cell ids)" in lines
    assert "not graded: scratch.ipynb matches no notebook of this assignment" in lines
    assert not (folder / "nb.ipynb").exists()


def test_empty_folder_reports_missing(release_dir, folder):
    report = intake(folder, release_dir)
    assert report.lines() == ["missing: nb.ipynb (no submitted notebook carries its cell ids)"]
    assert snapshot(folder) == {}


# --- what intake skips, and running it again --------------------------------------------------

def test_checkpoints_and_unreadable_files_are_skipped(release_dir, folder):
    graded = write(folder / "nb.ipynb", answered(1))
    write(folder / ".ipynb_checkpoints" / "nb-checkpoint.ipynb", answered(2))
    (folder / "latin1.ipynb").write_bytes("caf\xe9".encode("latin-1"))
    found = find_candidates(folder, release_notebooks(release_dir))
    assert [c.path for c in found] == [Path("nb.ipynb")]
    before = snapshot(folder)
    report = intake(folder, release_dir)
    assert snapshot(folder) == before and not report.changed
    assert (folder / "nb.ipynb").read_bytes() == graded


def test_second_intake_changes_nothing(release_dir, folder):
    write(folder / "Untitled-Copy1.ipynb", answered(2))
    write(folder / "notes.ipynb", unrelated_notebook())
    with zipfile.ZipFile(folder / "old.zip", "w") as archive:
        archive.writestr("nb.ipynb", nbformat.writes(answered(1)))
    first = intake(folder, release_dir)
    assert first.changed and len(first.moved) == 3
    after_first = snapshot(folder)
    second = intake(folder, release_dir)
    assert snapshot(folder) == after_first
    assert not second.changed and second.lines() == [] and second.moved == {}
    assert second.matched["nb.ipynb"].path == Path("nb.ipynb")


def test_earlier_kept_file_is_not_overwritten(release_dir, folder):
    (folder / ".intake").mkdir()
    (folder / ".intake" / "Untitled.ipynb").write_bytes(b"earlier")
    data = write(folder / "Untitled.ipynb", answered(1))
    report = intake(folder, release_dir)
    assert (folder / ".intake" / "Untitled.ipynb").read_bytes() == b"earlier"
    assert (folder / ".intake" / "Untitled~1.ipynb").read_bytes() == data
    assert report.moved == {"Untitled.ipynb": ".intake/Untitled~1.ipynb"}


def test_corrupt_zip_does_not_raise(release_dir, folder):
    (folder / "submission.zip").write_bytes(b"PK\x03\x04 this is not a zip at all")
    data = write(folder / "Untitled.ipynb", answered(1))
    found = find_candidates(folder, release_notebooks(release_dir))
    assert [c.path for c in found] == [Path("Untitled.ipynb")]
    report = intake(folder, release_dir)
    assert (folder / "nb.ipynb").read_bytes() == data
    assert (folder / "submission.zip").exists(), "a zip with no notebook is left where it is"
    assert "nb.ipynb <- Untitled.ipynb (6 of 6 cell ids match)" in report.lines()


# -- through the real nbgrader round trip (`dlcourse grade`) -----------------------------
@pytest.mark.nbgrader
def test_dlcourse_grade_matches_notebooks_by_cell_ids(tmp_path):
    import subprocess
    import sys

    from dlcourse.autograder.course import Course
    from dlcourse.autograder.sandbox import Sandbox
    from dlcourse.autograder.simulate import make_submission

    from .support import cli_env, released_course

    aid, name = "a00_numpy_basics", "numpy_basics.ipynb"
    course = released_course(tmp_path / "course", [aid]).root
    release = nbformat.read(course / "release" / aid / name, as_version=4)
    source = nbformat.read(course / "assignments" / aid / name, as_version=4)
    solved = nbformat.writes(make_submission("correct", source, release, aid, course / "solutions"))
    blank = nbformat.writes(release)

    def hand_in(student: str, files: dict[str, str]) -> None:
        for rel, text in files.items():
            path = course / "submitted" / student / aid / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if rel.endswith(".zip"):
                with zipfile.ZipFile(path, "w") as z:
                    z.writestr("Homework 0/numpy_basics-final.ipynb", text)
            else:
                path.write_text(text)

    hand_in("renamed", {"Untitled-Copy1.ipynb": solved})
    hand_in("subfolder", {"work/numpy_basics.ipynb": solved})
    hand_in("zip_from_lms", {"submission.zip": solved})
    hand_in("two_candidates", {name: blank, "numpy_basics (2).ipynb": solved})
    hand_in("extra_notebook", {name: solved, "notes.ipynb": nbformat.writes(new_notebook(
        cells=[new_markdown_cell("my notes")]))})
    env = cli_env()
    cli = [sys.executable, "-m", "dlcourse.autograder.cli", "--course-dir", str(course), "grade", aid]
    if Sandbox().problem():
        cli.append("--unsafe-no-sandbox")
    done = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    scores = {s.student: s for s in Course(course).scores(aid)}
    for student in ("renamed", "subfolder", "zip_from_lms", "two_candidates", "extra_notebook"):
        assert scores[student].score == scores[student].max_score > 0, (student, done.stdout[-2000:])
    out = " ".join(done.stdout.split())  # the summary wraps long lines
    assert "numpy_basics.ipynb <- Untitled-Copy1.ipynb" in out
    assert "numpy_basics.ipynb <- work/numpy_basics.ipynb" in out
    assert "submission.zip/Homework 0/numpy_basics-final.ipynb" in out
    assert "passed over for numpy_basics.ipynb: numpy_basics.ipynb (fewer answers" in out
    assert "not graded: notes.ipynb matches no notebook of this assignment" in out
    assert (course / "submitted" / "extra_notebook" / aid / ".intake" / "notes.ipynb").is_file()
