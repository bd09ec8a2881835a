"""Written answers graded by hand: a01's "what did you learn" cell, and the engine around it.

Cheap tests: the cell and its question are where and what docs/authoring.md says; ``check_layout``
and the metadata audit accept a01 and reject every way of getting it wrong (the ``how_graded``
text without its bullet about written answers, or with it and no such cell; a locked, code or
misplaced answer cell; points that disagree).  One real nbgrader round trip (module fixture):
``dlcourse validate``'s own function on a scratch course, then the gradebook, the scores table,
the leak audit, the simulated class and the feedback before and after a person scores the answer.
"""
from __future__ import annotations

import copy
import csv
import io
import re
import shutil

import nbformat
import pytest
from rich.console import Console

from dlcourse.autograder import cli
from dlcourse.autograder.audit import check_release_secrets, check_source_metadata, secret_lines
from dlcourse.autograder.course import Course
from dlcourse.autograder.layout import (HOW_GRADED, HOW_GRADED_BY_HAND, HOW_GRADED_ID,
                                        check_layout, graded_by_hand, how_graded_text)
from dlcourse.autograder.simulate import make_submission

from .support import ASSIGNMENTS, ROOT, SOLUTIONS, autograded_max, by_hand_points, source_notebook

# nbgrader 0.9.6 with SQLAlchemy 2 warns about its own session use; results are right (cli.py)
pytestmark = pytest.mark.filterwarnings("ignore:.*not in session")

AID, NB = "a01_logistic_regression", "logistic_regression.ipynb"
ANSWER_ID, QUESTION_ID = "reflection", "md_reflection"
STUB = "YOUR ANSWER HERE"
#: a phrase of the example answer that survives markdown-to-HTML unchanged
PHRASE = "so the whole learner needs no loop over examples"


def _index(nb, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells)
                if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


# -- the cells ---------------------------------------------------------------------------------
def test_a01_ends_with_a_question_and_a_written_answer_graded_by_hand():
    nb = source_notebook(AID)
    question, answer = nb.cells[-2:]
    assert question.cell_type == answer.cell_type == "markdown"
    assert question.metadata["nbgrader"] == {
        "grade": False, "grade_id": QUESTION_ID, "locked": True, "schema_version": 3,
        "solution": False, "task": False}
    assert answer.metadata["nbgrader"] == {
        "grade": True, "grade_id": ANSWER_ID, "locked": False, "points": 1, "schema_version": 3,
        "solution": True, "task": False}
    assert "What did you learn?" in question.source and "(1 point, graded by hand)" in question.source
    assert PHRASE in answer.source and STUB not in answer.source  # the graders' example answer
    assert graded_by_hand(nb) == {ANSWER_ID: 1.0} and by_hand_points(AID) == 1
    # the how_graded cell says so, and the layout and metadata audits accept the notebook
    how = nb.cells[_index(nb, HOW_GRADED_ID)].source
    assert how.strip() == how_graded_text(nb).strip() != HOW_GRADED.strip()
    assert HOW_GRADED_BY_HAND.strip() in how
    assert how.strip().endswith(HOW_GRADED.strip().splitlines()[-1])  # still the last bullet
    assert check_layout(nb, AID) == []
    assert check_source_metadata(ASSIGNMENTS / AID / NB, SOLUTIONS) == []


def test_no_other_notebook_has_written_answers_or_speaks_of_them():
    for folder in sorted(p for p in ASSIGNMENTS.iterdir() if p.is_dir() and p.name != AID):
        nb = source_notebook(folder.name)
        assert graded_by_hand(nb) == {}, folder.name
        assert how_graded_text(nb) == HOW_GRADED
        assert HOW_GRADED_BY_HAND.splitlines()[0] not in nb.cells[_index(nb, HOW_GRADED_ID)].source


def test_the_bullet_is_expected_exactly_when_a_cell_is_graded_by_hand():
    without = source_notebook(AID)
    without.cells[_index(without, HOW_GRADED_ID)].source = HOW_GRADED
    problems = check_layout(without)
    assert any("does not say that written answers are graded by hand" in p and "reflection" in p
               for p in problems), problems

    nb = source_notebook("a00_numpy_basics")
    nb.cells[_index(nb, HOW_GRADED_ID)].source = how_graded_text(source_notebook(AID))
    problems = check_layout(nb)
    assert any("speaks of written answers" in p and "no cell is graded by hand" in p
               for p in problems), problems

    reworded = source_notebook(AID)
    cell = reworded.cells[_index(reworded, HOW_GRADED_ID)]
    cell.source = cell.source.replace("scores them by hand", "skims them")
    assert any("differs from" in p and "how_graded_text" in p for p in check_layout(reworded))


def test_a_written_answer_out_of_place_or_of_the_wrong_kind_is_caught():
    base = source_notebook(AID)
    i = _index(base, ANSWER_ID)

    locked = copy.deepcopy(base)
    locked.cells[i].metadata.nbgrader["locked"] = True
    assert any("must be a markdown answer cell" in p for p in check_layout(locked))

    code = copy.deepcopy(base)
    code.cells[i] = nbformat.v4.new_code_cell("answer = 42", metadata=base.cells[i].metadata)
    assert any("must be a markdown answer cell" in p for p in check_layout(code))

    moved = copy.deepcopy(base)
    moved.cells.insert(3, moved.cells.pop(i))  # right after the setup cell: no question above
    assert any("right after the locked markdown cell that asks its question" in p
               for p in check_layout(moved))

    points = copy.deepcopy(base)
    points.cells[i].metadata.nbgrader["points"] = 2
    problems = check_layout(points)
    assert any("the question gives 'reflection' 1 point(s), its answer cell 2" in p
               for p in problems), problems


def test_the_metadata_audit_checks_written_answers(tmp_path):
    folder = tmp_path / AID  # the audit finds the hidden checks by the folder's name
    folder.mkdir()

    def problems_with(change) -> list[str]:
        nb = source_notebook(AID)
        change(nb.cells[_index(nb, ANSWER_ID)])
        nbformat.write(nb, folder / NB)
        return check_source_metadata(folder / NB, SOLUTIONS)

    assert problems_with(lambda cell: None) == []
    assert any("needs positive points" in p
               for p in problems_with(lambda cell: cell.metadata.nbgrader.update(points=0)))
    assert any("must be a solution cell that is not locked" in p
               for p in problems_with(lambda cell: cell.metadata.nbgrader.update(solution=False)))
    assert any("holds no example answer" in p
               for p in problems_with(lambda cell: setattr(cell, "source", STUB)))
    assert any("holds no example answer" in p
               for p in problems_with(lambda cell: setattr(cell, "source", "  \n")))


def test_the_example_answer_is_a_secret_and_the_stub_is_not():
    secrets = secret_lines(source_notebook(AID))
    answer = source_notebook(AID).cells[-1].source
    assert {line.strip() for line in answer.splitlines() if len(line.strip()) >= 12} <= secrets
    assert STUB not in secrets


# -- one real round trip -----------------------------------------------------------------------
def _quiet_console(monkeypatch) -> io.StringIO:
    out = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=out, width=250, highlight=False))
    return out


def _scores_table(course: Course, monkeypatch) -> dict[str, str]:
    """student -> the row ``print_scores`` prints for them (wide console, no wrapping)."""
    out = _quiet_console(monkeypatch)
    cli.print_scores(course, [AID])
    return {m.group(1): line for line in out.getvalue().splitlines()
            if (m := re.search(r"│ (s\d\d_\w+)", line))}


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """``validate_assignment`` (what ``dlcourse validate a01`` runs) on a scratch course."""
    mp = pytest.MonkeyPatch()
    out = _quiet_console(mp)
    course = cli._copy_course(Course(ROOT), tmp_path_factory.mktemp("manual") / "course", [AID])
    sources = {p.name: p for p in ASSIGNMENTS.iterdir() if p.is_dir()}
    problems = cli.validate_assignment(course, AID, sources)
    mp.undo()
    return {"course": course, "problems": problems, "printed": out.getvalue()}


@pytest.mark.nbgrader
def test_validate_passes_and_names_the_cell_graded_by_hand(validated):
    assert validated["problems"] == []
    assert f"{AID}: 1 cell graded by hand: reflection" in validated["printed"]
    course = validated["course"]
    scores = {s.student: s for s in course.scores(AID)}
    correct, blank = scores["s01_correct"], scores["s02_blank"]
    # full marks on the autograded cells; the written answer is not scored yet
    assert correct.max_score == 12 and correct.score == autograded_max(AID, 12) == 11
    assert correct.cells[ANSWER_ID] == 0 and blank.score == 0
    with course.gradebook() as gb:
        written = gb.find_grade(ANSWER_ID, "logistic_regression", AID, "s01_correct")
        untouched = gb.find_grade(ANSWER_ID, "logistic_regression", AID, "s02_blank")
        # answered: left for a person; still the release's stub: 0, nothing to grade
        assert (written.auto_score, written.needs_manual_grade) == (None, True)
        assert (untouched.auto_score, untouched.needs_manual_grade) == (0, False)


@pytest.mark.nbgrader
def test_the_release_asks_for_the_answer_and_keeps_the_example_answer_back(validated, tmp_path):
    course = validated["course"]
    release = course.root / "release" / AID
    nb = nbformat.read(release / NB, as_version=4)
    assert nb.cells[_index(nb, ANSWER_ID)].source.strip() == STUB
    assert PHRASE not in (release / NB).read_text()
    assert check_release_secrets(course.source_dir / AID, release) == []  # the stub is no leak

    answer = source_notebook(AID).cells[-1].source
    for leaked in (answer, next(line for line in answer.splitlines() if PHRASE in line)):
        copy_dir = tmp_path / f"leak{len(leaked)}"
        shutil.copytree(release, copy_dir)
        bad = nbformat.read(copy_dir / NB, as_version=4)
        bad.cells[_index(bad, ANSWER_ID)].source = leaked
        nbformat.write(bad, copy_dir / NB)
        problems = check_release_secrets(course.source_dir / AID, copy_dir)
        assert any("contains a secret line" in p and "cell" in p for p in problems), problems


@pytest.mark.nbgrader
def test_simulated_students_answer_or_leave_the_stub(validated):
    course = validated["course"]
    source = nbformat.read(course.source_dir / AID / NB, as_version=4)
    release = nbformat.read(course.root / "release" / AID / NB, as_version=4)
    written = {}
    for variant in ("correct", "partial", "blank"):
        nb = make_submission(variant, source, release, AID, course.root / "solutions")
        written[variant] = nb.cells[_index(nb, ANSWER_ID)].source
    assert written["correct"] == source.cells[_index(source, ANSWER_ID)].source
    assert written["partial"].strip() == written["blank"].strip() == STUB


@pytest.mark.nbgrader
def test_scores_table_feedback_and_export_follow_the_hand_grade(validated, monkeypatch):
    course = validated["course"]
    rows = _scores_table(course, monkeypatch)
    assert "graded; 1 cell to grade by hand: reflection" in rows["s01_correct"]
    assert "to grade by hand" not in rows["s02_blank"] and "graded" in rows["s02_blank"]

    def feedback() -> str:
        assert course.feedback(AID, "s01_correct").ok
        (page,) = (course.root / "feedback" / "s01_correct" / AID).glob("*.html")
        html = page.read_text()
        assert "BEGIN HIDDEN TESTS" not in html and 'grade("' not in html
        assert "grade(&quot;" not in html
        return html

    before = feedback()
    assert PHRASE in before  # the student's written answer is in the feedback
    assert "Written response</a> (Score: 0.0 / 1.0)" in before
    assert "(Score: 11.0 / 12.0)" in before

    # what Formgrader's grade API does when a grader enters 1 point (nbgrader's GradeHandler.put)
    with course.gradebook() as gb:
        grade = gb.find_grade(ANSWER_ID, "logistic_regression", AID, "s01_correct")
        grade.manual_score = 1.0
        grade.needs_manual_grade = False
        gb.db.commit()
    rows = _scores_table(course, monkeypatch)
    assert "to grade by hand" not in rows["s01_correct"]
    assert re.search(r"│\s+12 │\s+12 │ graded", rows["s01_correct"]), rows["s01_correct"]
    after = feedback()
    assert PHRASE in after
    assert "Written response</a> (Score: 1.0 / 1.0)" in after
    assert "(Score: 12.0 / 12.0)" in after
    with open(course.export_csv(course.root / "grades.csv")) as fh:
        row = next(r for r in csv.DictReader(fh) if r["student_id"] == "s01_correct")
    assert (float(row["score"]), float(row["max_score"])) == (12, 12), row
