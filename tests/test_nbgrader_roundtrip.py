"""The real nbgrader commands on a scratch course: release, autograde a class, feedback, export.

One class is graded once (module fixture) with the real ``nbgrader`` command
line; every test reads the gradebook, the autograded notebooks or the feedback.
"""
from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from dlcourse.autograder.course import Course
from dlcourse.autograder.simulate import make_submission

from .support import ROOT, autograded_max

pytestmark = pytest.mark.nbgrader

AID = "a00_numpy_basics"
NB = "numpy_basics.ipynb"
FUNCTIONS = ["basic_sigmoid", "sigmoid", "sigmoid_derivative", "image2vector",
             "normalize_rows", "softmax", "L1", "L2"]

# Each tampering student solves everything correctly except one function, where it cheats.
TAMPER = {
    # patches numpy in the kernel and in its own cell; the function is wrong
    "t_monkeypatch": ("normalize_rows", "import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                                        "np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)\n"
                                        "np.testing.assert_allclose = lambda *a, **k: None\n"
                                        "def normalize_rows(x):\n    return x\n"),
    # returns an object that claims to equal anything
    "t_always_equal": ("L1", "class Anything:\n    def __eq__(self, other):\n        return True\n"
                             "    __hash__ = None\n"
                             "def L1(yhat, y):\n    return Anything()\n"),
    # hard-codes the public expected output
    "t_hardcoded": ("softmax", "import numpy as np\ndef softmax(x):\n    return np.array("
                               "[[9.80897665e-01, 8.94462891e-04, 1.79657674e-02, 1.21052389e-04, "
                               "1.21052389e-04], [8.78679856e-01, 1.18916387e-01, 8.01252314e-04, "
                               "8.01252314e-04, 8.01252314e-04]])\n"),
    # reads a notebook global defined in a cell it added
    "t_global": ("L2", "def L2(yhat, y):\n    return float(SECRET_ANSWER)\n"),
    # imports the reference from disk (plain `nbgrader autograde` runs it in the sandbox too)
    "t_reads_solutions": ("L1", "import importlib.util\ndef L1(yhat, y):\n"
                                f"    for p in ['../../../solutions/{AID}.py', "
                                f"{str(ROOT / 'solutions' / (AID + '.py'))!r}]:\n"
                                "        try:\n"
                                "            spec = importlib.util.spec_from_file_location('ref', p)\n"
                                "            ref = importlib.util.module_from_spec(spec)\n"
                                "            spec.loader.exec_module(ref)\n"
                                "            return ref.L1(yhat, y)\n"
                                "        except Exception:\n            pass\n"
                                "    return -1.0\n"),
}


def _nbgrader(course: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"],
               DLCOURSE_CELL_TIMEOUT="5")
    return subprocess.run(["nbgrader", *args], cwd=course, env=env, capture_output=True,
                          text=True, timeout=timeout)


def _write(course: Path, student: str, nb) -> None:
    folder = course / "submitted" / student / AID
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / NB
    if isinstance(nb, str):
        target.write_text(nb, encoding="utf-8")
    else:
        nbformat.write(nb, target)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "assignments" / AID, course / "assignments" / AID)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    shutil.copy2(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")

    gen = _nbgrader(course, "generate_assignment", AID, "--force")
    assert gen.returncode == 0, gen.stderr[-3000:]

    source = nbformat.read(course / "assignments" / AID / NB, as_version=4)
    release = nbformat.read(course / "release" / AID / NB, as_version=4)
    sol = course / "solutions"
    for variant in ["correct", "partial", "blank", "broken_json", "infinite_loop", "deleted_cell",
                    "tampered"]:
        _write(course, variant, make_submission(variant, source, release, AID, sol))
    for student, (function, code) in TAMPER.items():
        nb = make_submission("correct", source, release, AID, sol)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == function:
                cell.source = code
        # a cell of its own that rebinds the grading function and defines a global
        nb.cells.insert(2, new_code_cell("grade = lambda name: 99.0\nSECRET_ANSWER = 0.43\n"))
        _write(course, student, nb)

    auto = _nbgrader(course, "autograde", AID, "--force")
    fb = _nbgrader(course, "generate_feedback", AID, "--force")
    exp = _nbgrader(course, "export", "--to", "grades.csv")
    assert exp.returncode == 0, exp.stderr[-2000:]
    c = Course(course)
    scores = {s.student: s for s in c.scores(AID)}
    return {"course": course, "autograde": auto, "feedback": fb, "scores": scores}


def _cell(score, function):
    return score.cells[f"test_{function}"]


def _max(graded, function):
    return max(_cell(s, function) or 0 for s in graded["scores"].values())


def test_solution_earns_full_marks(graded):
    s = graded["scores"]["correct"]
    assert s.max_score > 0 and s.score == autograded_max(AID, s.max_score), s.cells


def test_blank_release_earns_zero_everywhere(graded):
    s = graded["scores"]["blank"]
    assert s.score == 0 and all(v == 0 for v in s.cells.values()), s.cells


def test_buggy_submission_earns_partial_credit(graded):
    s = graded["scores"]["partial"]
    assert 0 < s.score < s.max_score, s.cells


def test_checker_tampering_earns_nothing(graded):
    s = graded["scores"]["tampered"]
    assert s.score == 0, s.cells


@pytest.mark.parametrize("student", sorted(TAMPER))
def test_tampered_function_earns_nothing_and_others_keep_their_marks(graded, student):
    function = TAMPER[student][0]
    s = graded["scores"][student]
    assert _cell(s, function) == 0, s.cells
    others = [f for f in FUNCTIONS if f != function]
    assert all(_cell(s, f) == _cell(graded["scores"]["correct"], f) for f in others), s.cells


def test_infinite_loop_is_cut_and_the_rest_is_graded(graded):
    s = graded["scores"]["infinite_loop"]
    assert _cell(s, FUNCTIONS[0]) == 0
    assert s.score == autograded_max(AID, s.max_score) - _cell(graded["scores"]["correct"],
                                                               FUNCTIONS[0]), s.cells


def test_deleted_test_cell_is_restored_and_graded(graded):
    s = graded["scores"]["deleted_cell"]
    assert s.score == autograded_max(AID, s.max_score), s.cells
    nb = nbformat.read(graded["course"] / "autograded" / "deleted_cell" / AID / NB, as_version=4)
    assert sum(c.metadata.get("nbgrader", {}).get("grade", False) for c in nb.cells) == len(FUNCTIONS)


def test_invalid_json_is_reported_and_does_not_stop_the_batch(graded):
    auto = graded["autograde"]
    assert "broken_json" in auto.stdout + auto.stderr
    s = graded["scores"].get("broken_json")
    assert s is None or s.score == 0
    assert len(graded["scores"]) >= 7 + len(TAMPER) - 1  # everybody else was graded


def test_recorded_score_is_the_trusted_one(graded):
    nb = nbformat.read(graded["course"] / "autograded" / "t_monkeypatch" / AID / NB, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_normalize_rows")
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    assert "hidden cases passed" in text
    assert [o.data["text/plain"] for o in cell.outputs if o.output_type == "execute_result"] == ["0.0"]


def test_feedback_contains_scores_but_no_hidden_tests(graded):
    assert graded["feedback"].returncode == 0, graded["feedback"].stderr[-2000:]
    pages = list((graded["course"] / "feedback").rglob("*.html"))
    assert len(pages) >= 7
    for page in pages:
        html = page.read_text()
        assert "BEGIN HIDDEN TESTS" not in html and "grade(&quot;" not in html and 'grade("' not in html
        assert "Score" in html


def test_csv_export_lists_every_student(graded):
    with open(graded["course"] / "grades.csv") as fh:
        rows = list(csv.DictReader(fh))
    by_student = {r["student_id"]: float(r["score"]) for r in rows}
    assert by_student["correct"] == autograded_max(AID, graded["scores"]["correct"].max_score)
    assert by_student["blank"] == 0


def test_scores_agree_to_the_digit(graded):
    """CSV export, gradebook and feedback show the same two-decimal score (no 5.733300000000001)."""
    with open(graded["course"] / "grades.csv") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    partial = graded["scores"]["partial"]
    assert 0 < partial.score < partial.max_score
    checked = 0
    for student, score in graded["scores"].items():
        row = rows[student]
        assert re.fullmatch(r"\d+\.\d{1,2}", row["score"]), row
        assert float(row["score"]) == score.score
        assert all(v is None or v == round(v, 2) for v in score.cells.values()), score.cells
        pages = list((graded["course"] / "feedback" / student / AID).glob("*.html"))
        if pages:
            shown = re.search(r"\(Score: ([\d.]+) / ([\d.]+)\)", pages[0].read_text())
            assert shown and shown.group(1) == row["score"], (student, shown and shown.group(0), row)
            checked += 1
    assert checked >= 7
