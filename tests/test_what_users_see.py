"""What students and instructors read: the grading text, quiet terminals, scores, failure reasons.

Cheap unit tests; the real nbgrader runs that show the same things end to end are
``test_course.py::test_demo_grades_a_simulated_class`` and
``test_nbgrader_roundtrip.py::test_scores_agree_to_the_digit``.
"""
from __future__ import annotations

import copy
import itertools
import subprocess
import sys

import nbformat
import pytest

from dlcourse.autograder.course import notebook_problem
from dlcourse.autograder.hidden import FunctionReport
from dlcourse.autograder.layout import (HOW_GRADED, HOW_GRADED_BY_HAND, HOW_GRADED_ID, check_layout,
                                        how_graded_text, points_tables)
from dlcourse.autograder.logs import terminal_and_log
from dlcourse.autograder.scores import round_points

from .support import ROOT, source_notebook

AIDS = sorted(p.name for p in (ROOT / "assignments").iterdir() if p.is_dir())


def _gid(cell) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")


def _index(nb, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if _gid(c) == grade_id)


# -- the "how this notebook is graded" text ------------------------------------------------
@pytest.mark.parametrize("aid", AIDS)
def test_every_notebook_explains_grading_with_the_one_text_and_keeps_its_layout(aid):
    nb = source_notebook(aid)
    assert check_layout(nb, aid) == []
    assert nb.cells[_index(nb, HOW_GRADED_ID)].source.strip() == how_graded_text(nb).strip()


def test_authoring_guide_quotes_the_same_text():
    guide = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    assert HOW_GRADED.strip() in guide
    assert HOW_GRADED_BY_HAND.strip() in guide  # the bullet of notebooks with written answers


def test_the_old_wrong_description_is_caught():
    """a02 used to promise a separate, empty-looking hidden-test cell below the check cell."""
    nb = source_notebook("a02_planar_classification")
    nb.cells[0].source += ("\n\n2. a **hidden-test cell** (it looks empty) holds the hidden tests.")
    problems = check_layout(nb)
    assert any("hidden-test cell" in p for p in problems), problems
    edited = copy.deepcopy(nb)
    edited.cells[_index(edited, HOW_GRADED_ID)].source = "### How this notebook is graded\n\nSomehow."
    assert any("differs from" in p for p in check_layout(edited))


def test_a_test_cell_away_from_its_function_is_caught():
    nb = source_notebook("a00_numpy_basics")
    i = _index(nb, "test_sigmoid")
    nb.cells.insert(i - 1, nb.cells.pop(i))  # check cell above the function it checks
    problems = check_layout(nb)
    assert any("test_sigmoid" in p and "right after" in p for p in problems), problems


def test_a_test_cell_without_visible_check_is_caught():
    nb = source_notebook("a00_numpy_basics")
    cell = nb.cells[_index(nb, "test_L1")]
    cell.source = "\n".join(line for line in cell.source.splitlines()
                            if not line.startswith("check_L1"))
    assert any("no visible check" in p for p in check_layout(nb))


def test_points_in_the_text_must_match_the_cells():
    nb = source_notebook("a02_planar_classification")
    intro = nb.cells[0]
    assert points_tables(intro.source) and points_tables(intro.source)[0]["backward_propagation"] == 3
    wrong = copy.deepcopy(nb)
    wrong.cells[0].source = intro.source.replace("| `backward_propagation` | 3 |",
                                                 "| `backward_propagation` | 4 |")
    assert any("backward_propagation 4 point(s)" in p for p in check_layout(wrong))
    short = copy.deepcopy(nb)
    short.cells[0].source = intro.source.replace("| `predict` | 1 |\n", "")
    assert any("leaves out ['predict']" in p for p in check_layout(short))


def test_a_notebook_without_the_text_is_caught():
    nb = source_notebook("a01_logistic_regression")
    del nb.cells[_index(nb, HOW_GRADED_ID)]
    assert any("exactly one markdown cell" in p for p in check_layout(nb))


# -- scores at the precision nbgrader shows ------------------------------------------------
def _decimals(x: float) -> int:
    text = repr(x)
    return len(text.split(".")[1]) if "." in text else 0


def test_partial_credit_and_its_sums_carry_no_float_noise():
    scores = [FunctionReport("f", passed, total).score(points)
              for total in range(1, 13) for passed in range(total + 1) for points in (1, 2, 3, 5)]
    assert all(_decimals(s) <= 2 for s in scores)
    assert FunctionReport("f", 11, 15).score(1) == 0.73  # was 0.7333
    # a gradebook total is a float sum of cells; read back rounded it is exact to the digit
    for combo in itertools.islice(itertools.combinations(scores, 5), 0, 20000, 7):
        assert _decimals(round_points(sum(combo))) <= 2
    assert repr(round_points(5 + 0.7333)) == "5.73"
    assert repr(round_points(-0.0)) == "0.0"


# -- reasons a submission could not be graded ----------------------------------------------
def test_unreadable_notebooks_are_explained(tmp_path):
    good = source_notebook("a00_numpy_basics")
    text = nbformat.writes(good)
    cases = {
        "ok.ipynb": text,
        "cut.ipynb": text[: len(text) // 2],
        "empty.ipynb": "",
        "notnb.ipynb": '{"hello": 1}',
        "midway.ipynb": text.replace('"cells": [', '"cells": [!!', 1),
    }
    for name, body in cases.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    (tmp_path / "binary.ipynb").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert notebook_problem(tmp_path / "ok.ipynb") == ""
    assert "not valid JSON" in notebook_problem(tmp_path / "cut.ipynb")
    assert "cut off" in notebook_problem(tmp_path / "cut.ipynb")
    assert "line " in notebook_problem(tmp_path / "midway.ipynb")
    assert "cut off" not in notebook_problem(tmp_path / "midway.ipynb")
    assert "empty" in notebook_problem(tmp_path / "empty.ipynb")
    assert "not a notebook" in notebook_problem(tmp_path / "notnb.ipynb")
    assert "not UTF-8" in notebook_problem(tmp_path / "binary.ipynb")


# -- the terminal keeps only the progress bar ----------------------------------------------
def test_stderr_of_this_process_and_its_children_goes_to_the_log(tmp_path, capfd):
    log = tmp_path / "logs" / "run.log"
    with terminal_and_log(log, "test run") as terminal:
        subprocess.run([sys.executable, "-c",
                        "import sys; print('[IPKernelApp] WARNING | kernel noise', file=sys.stderr)"],
                       check=True)
        print("a library warning", file=sys.stderr)
        terminal.write("autograde: 1/1\n")
    captured = capfd.readouterr()
    assert captured.err == "autograde: 1/1\n"
    text = log.read_text()
    assert "kernel noise" in text and "a library warning" in text and "test run" in text
    print("after", file=sys.stderr)  # stderr is restored
    assert capfd.readouterr().err == "after\n"
