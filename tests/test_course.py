"""Every assignment: metadata, release secrets, a solved student copy runs, and the CLI works."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from dlcourse.autograder.audit import check_release_secrets, check_source_metadata
from dlcourse.autograder.course import Course
from dlcourse.autograder.requirements import unavailable_reason
from dlcourse.autograder.simulate import make_submission

from .support import ROOT, SOLUTIONS

AIDS = sorted(p.name for p in (ROOT / "assignments").iterdir() if p.is_dir())


def _skip_unless_runnable(aid: str) -> None:
    reason = unavailable_reason(SOLUTIONS, aid)
    if reason:
        pytest.skip(f"{aid} {reason}")


def _env() -> dict:
    return dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A scratch course with every assignment released by nbgrader."""
    course_dir = tmp_path_factory.mktemp("released")
    shutil.copytree(ROOT / "assignments", course_dir / "assignments")
    shutil.copytree(ROOT / "solutions", course_dir / "solutions")
    shutil.copy2(ROOT / "nbgrader_config.py", course_dir / "nbgrader_config.py")
    course = Course(course_dir)
    for aid in AIDS:
        result = course.release(aid)
        assert result.ok, result.error[-2000:]
    return course_dir


@pytest.mark.parametrize("aid", AIDS)
def test_source_notebook_metadata_is_valid(aid):
    for path in (ROOT / "assignments" / aid).glob("*.ipynb"):
        assert check_source_metadata(path, SOLUTIONS) == []


@pytest.mark.parametrize("aid", AIDS)
def test_release_contains_no_secret(released, aid):
    assert check_release_secrets(released / "assignments" / aid, released / "release" / aid) == []


def test_secret_scan_catches_a_leak(released, tmp_path):
    """The audit itself must be able to fail: plant a solution line in a release copy."""
    aid = AIDS[0]
    leak = tmp_path / aid
    shutil.copytree(released / "release" / aid, leak)
    (path,) = leak.glob("*.ipynb")
    nb = nbformat.read(path, as_version=4)
    source = nbformat.read(released / "assignments" / aid / path.name, as_version=4)
    solution = next(c for c in source.cells if c.metadata.get("nbgrader", {}).get("solution"))
    nb.cells.append(nbformat.v4.new_code_cell(solution.source))
    nbformat.write(nb, path)
    (leak / "notes.py").write_text("x = 1\n")
    problems = check_release_secrets(released / "assignments" / aid, leak)
    assert any("BEGIN SOLUTION" in p for p in problems)
    assert any("notes.py" in p for p in problems)


def test_secret_scan_knows_which_answers_a_release_may_carry(released, tmp_path):
    """Another assignment's answers leak too, unless that release declares it hands them out."""
    aid, other = AIDS[0], AIDS[-1]
    leak = tmp_path / aid
    shutil.copytree(released / "release" / aid, leak)
    (path,) = leak.glob("*.ipynb")
    nb = nbformat.read(path, as_version=4)
    (other_nb,) = (released / "assignments" / other).glob("*.ipynb")
    solution = max((c for c in nbformat.read(other_nb, as_version=4).cells
                    if c.metadata.get("nbgrader", {}).get("solution")),
                   key=lambda c: len(c.source.splitlines()))  # a whole answer, many lines
    nb.cells.append(nbformat.v4.new_code_cell(solution.source.replace("### BEGIN SOLUTION", "")
                                              .replace("### END SOLUTION", "")))
    nbformat.write(nb, path)
    sources = {a: released / "assignments" / a for a in AIDS}
    problems = check_release_secrets(released / "assignments" / aid, leak, sources)
    assert any(f"contains a solution of {other}" in p for p in problems), problems
    assert check_release_secrets(released / "assignments" / aid, leak, sources, {other}) == []
    assert check_release_secrets(released / "assignments" / aid, released / "release" / aid,
                                 sources) == []


@pytest.mark.parametrize("aid", AIDS)
def test_solved_student_copy_runs_outside_the_course(released, aid, tmp_path):
    """A student's copy (no course files around it) runs top to bottom with its imports."""
    _skip_unless_runnable(aid)
    for path in (released / "release" / aid).glob("*.ipynb"):
        source = nbformat.read(released / "assignments" / aid / path.name, as_version=4)
        release = nbformat.read(path, as_version=4)
        nb = make_submission("correct", source, release, aid, released / "solutions")
        home = tmp_path / "student-home" / aid
        home.mkdir(parents=True)
        os.environ["NBGRADER_EXECUTION"] = "validate"  # reduced budgets; same code paths
        try:
            NotebookClient(nb, timeout=300, kernel_name="python3",
                           resources={"metadata": {"path": str(home)}}).execute()
        finally:
            os.environ.pop("NBGRADER_EXECUTION", None)
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                  if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr"
                                                  and "Error" in o.text)]
        assert not errors, errors[:1]


@pytest.mark.nbgrader
def test_students_validate_button_tells_blank_from_solved(released, tmp_path):
    """What JupyterLab's Validate button runs: fails on the blank release, passes once solved."""
    aid = "a00_numpy_basics"
    (path,) = (released / "release" / aid).glob("*.ipynb")
    source = nbformat.read(released / "assignments" / aid / path.name, as_version=4)
    solved = make_submission("correct", source, nbformat.read(path, as_version=4), aid,
                             released / "solutions")
    home = tmp_path / aid
    home.mkdir()
    shutil.copy2(path, home / "blank.ipynb")
    nbformat.write(solved, home / "solved.ipynb")
    outputs = {}
    for name in ("blank", "solved"):
        run = subprocess.run(["nbgrader", "validate", f"{name}.ipynb"], cwd=home, env=_env(),
                             capture_output=True, text=True, timeout=600)
        outputs[name] = run.stdout + run.stderr
    assert "VALIDATION FAILED" in outputs["blank"] and "NotImplementedError" in outputs["blank"]
    assert "Success! Your notebook passes all the tests." in outputs["solved"], outputs["solved"][-2000:]
