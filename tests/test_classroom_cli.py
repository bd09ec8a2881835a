"""The instructor's command line for the classroom round trip, with late work and resubmissions.

One real round trip (module fixture, a00, three students who use the real `nbgrader
fetch_assignment / submit / fetch_feedback` commands, two more handed in as an LMS zip):

    dlcourse release                  -> the exchange; ada and cy submit on time
    dlcourse release --due <then>     -> released again, due between their submissions and ben's
    dlcourse collect / grade, export  -> ben's late penalty in grades.csv, none for ada
    ben resubmits; dlcourse collect --zip good.zip --zip bad.zip
                                      -> ben updated, the zip's two students new, the bad zip named
    dlcourse grade, export            -> ben, dee, eve graded (ada, cy skipped); ben's score rises
    dlcourse feedback --release       -> fetch_feedback brings home pages without hidden tests

The unit tests at the end (late penalty plugin, the zip naming convention, due dates, where
the Formgrader is) run no nbgrader command.
"""
from __future__ import annotations

import ast
import csv
import datetime as dt
import html
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from dlcourse.autograder.classroom import (DEFAULT_ZIP_REGEX, LmsZipCollector, formgrader_hint,
                                           parse_due, safe_student_id, zip_assignment)
from dlcourse.autograder.course import Course
from dlcourse.autograder.late import PercentPerDayLate
from dlcourse.autograder.ledger import read_record
from dlcourse.autograder.sandbox import Sandbox
from dlcourse.autograder.simulate import make_submission

from .support import ASSIGNMENTS, ROOT, SOLUTIONS, cli_env

AID, NB = "a00_numpy_basics", "numpy_basics.ipynb"
_NO_SANDBOX = Sandbox().problem()
roundtrip = [pytest.mark.nbgrader,
             pytest.mark.skipif(bool(_NO_SANDBOX), reason=f"no grading sandbox here: {_NO_SANDBOX}")]


# -- helpers -------------------------------------------------------------------------------
def _env() -> dict:
    return cli_env(DLCOURSE_CELL_TIMEOUT="10")


def _dlcourse(course: Course, *args: str, rc: int = 0) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "dlcourse.autograder.cli", "--course-dir",
                           str(course.root), *args], env=_env(), capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == rc, f"dlcourse {' '.join(args)}: rc {done.returncode}\n" + \
        done.stdout[-3000:] + done.stderr[-3000:]
    return done


def _new_course(root: Path) -> Course:
    """A scratch course holding a00 (source, solutions, config), nothing released yet."""
    shutil.copytree(ASSIGNMENTS / AID, root / "assignments" / AID)
    shutil.copytree(SOLUTIONS, root / "solutions")
    shutil.copy2(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    return Course(root)


def _notebook(course: Course, variant: str) -> nbformat.NotebookNode:
    source = nbformat.read(course.source_dir / AID / NB, as_version=4)
    release = nbformat.read(course.root / "release" / AID / NB, as_version=4)
    return make_submission(variant, source, release, AID, course.root / "solutions")


class Student:
    """A student's home, driven with the real nbgrader exchange commands."""

    def __init__(self, course: Course, name: str, tmp: Path):
        self.course, self.name = course, name
        self.home = tmp / "homes" / name
        self.home.mkdir(parents=True)
        self.flags = ["--course", "dlcourse", f"--student={name}",
                      f"--Exchange.root={course.config.Exchange.root}",
                      f"--Exchange.cache={tmp / 'caches' / name}"]

    def nbgrader(self, *args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(["nbgrader", *args, *self.flags], cwd=self.home, env=_env(),
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done

    def fetch(self) -> Path:
        self.nbgrader("fetch_assignment", AID)
        return self.home / AID / NB

    def hand_in(self, variant: str) -> dt.datetime:
        """Fill the fetched notebook in as ``variant``, submit; nbgrader's timestamp (UTC)."""
        from nbgrader.utils import parse_utc

        nbformat.write(_notebook(self.course, variant), self.home / AID / NB)
        self.nbgrader("submit", AID)
        inbound = Path(self.course.config.Exchange.root) / "dlcourse" / "inbound"
        stamps = [parse_utc((p / "timestamp.txt").read_text().strip())
                  for p in inbound.glob(f"{self.name}+{AID}+*")]
        return max(stamps)

    def fetched_feedback(self) -> list[Path]:
        self.nbgrader("fetch_feedback", AID)
        return sorted((self.home / AID / "feedback").rglob("*.html"))


def _export(course: Course) -> dict[str, dict]:
    """What `dlcourse export` writes to grades.csv (nbgrader's CSV export), by student."""
    path = course.export_csv(course.root / "grades.csv")
    with open(path, newline="") as fh:
        return {r["student_id"]: r for r in csv.DictReader(fh) if r["assignment"] == AID}


def _zip(course: Course, path: Path) -> None:
    """An LMS download: Canvas-style flat names, a folder per student, and the usual junk."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("dee_4711_90210_numpy_basics.ipynb", nbformat.writes(_notebook(course, "correct")))
        z.writestr("eve/Untitled.ipynb", nbformat.writes(_notebook(course, "partial")))
        z.writestr("stray.ipynb", nbformat.writes(_notebook(course, "correct")))
        z.writestr("__MACOSX/eve/._Untitled.ipynb", b"\0\5\26\7")
        z.writestr("eve/.ipynb_checkpoints/Untitled-checkpoint.ipynb",
                   nbformat.writes(_notebook(course, "blank")))
        z.writestr("index.html", "<html>Downloaded submissions</html>")


# -- the round trip ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trip(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("classroom")
    course = _new_course(tmp / "course")
    out: dict = {"course": course, "seconds": {}}
    t0 = time.monotonic()

    def lap(name):
        out["seconds"][name] = round(time.monotonic() - t0, 1)

    out["release"] = _dlcourse(course, "release", AID)
    students = {n: Student(course, n, tmp) for n in ("ada", "ben", "cy")}
    out["fetched"] = {n: s.fetch().is_file() for n, s in students.items()}
    stamps = {"ada": students["ada"].hand_in("correct"), "cy": students["cy"].hand_in("blank")}
    # the due date falls between the on-time submissions and ben's
    due = (max(stamps.values()) + dt.timedelta(seconds=1)).replace(microsecond=0)
    while dt.datetime.utcnow() <= due + dt.timedelta(milliseconds=200):
        time.sleep(0.1)
    out["release_due"] = _dlcourse(course, "release", AID, "--due", f"{due:%Y-%m-%d %H:%M:%S} UTC")
    stamps["ben"] = students["ben"].hand_in("partial")
    out["due"], out["stamps"] = due, stamps
    lap("released, fetched, submitted")

    out["collect1"] = _dlcourse(course, "collect", AID)
    out["grade1"] = _dlcourse(course, "grade", AID, "--jobs", "1")
    out["csv1"] = _export(course)
    out["graded_at1"] = {s: read_record(course.root, AID, s)["graded_at"] for s in students}
    lap("collected, graded, exported")

    # ben resubmits; an LMS zip brings two more students, and a broken zip comes along
    out["stamps"]["ben2"] = students["ben"].hand_in("correct")
    good, bad = tmp / "lms-download.zip", tmp / "bad.zip"
    _zip(course, good)
    bad.write_bytes(b"PK\3\4 this download was cut off")
    out["collect2"] = _dlcourse(course, "collect", AID, "--zip", str(good), "--zip", str(bad), rc=1)
    out["zip_files"] = {s: sorted(p.name for p in (course.root / "submitted" / s / AID).iterdir())
                        for s in ("dee", "eve")}
    out["grade2"] = _dlcourse(course, "grade", AID, "--jobs", "1")
    out["csv2"] = _export(course)
    out["graded_at2"] = {s: read_record(course.root, AID, s)["graded_at"] for s in students}
    lap("resubmission and zips collected, graded")

    out["feedback"] = _dlcourse(course, "feedback", AID, "--release")
    out["pages"] = {n: students[n].fetched_feedback() for n in ("ben", "cy")}
    lap("feedback released, fetched")
    out["scores"] = {s.student: s for s in course.scores(AID)}
    print("timings (s since start):", out["seconds"])
    return out


@pytest.mark.usefixtures("trip")
class TestRoundTrip:
    pytestmark = roundtrip

    def test_release_publishes_to_the_exchange_and_again_with_a_due_date(self, trip):
        course = trip["course"]
        outbound = Path(course.config.Exchange.root) / "dlcourse" / "outbound" / AID
        assert f"published to {outbound}" in trip["release"].stdout
        assert (outbound / NB).is_file()
        assert trip["fetched"] == {"ada": True, "ben": True, "cy": True}
        due = trip["due"]
        assert f"due {due:%Y-%m-%d %H:%M:%S} UTC" in trip["release_due"].stdout
        assert f"published to {outbound}" in trip["release_due"].stdout  # replaced, not refused
        with course.gradebook() as gb:
            assert gb.find_assignment(AID).duedate == due
        assert trip["stamps"]["ada"] < due and trip["stamps"]["cy"] < due < trip["stamps"]["ben"]

    def test_collect_counts_new_updated_and_unchanged(self, trip):
        assert f"{AID} (exchange): 3 student(s) collected: 3 new, 0 updated, 0 unchanged" \
            in trip["collect1"].stdout
        assert f"{AID} (exchange): 3 student(s) collected: 0 new, 1 updated, 2 unchanged" \
            in trip["collect2"].stdout
        stamp = (trip["course"].root / "submitted" / "ben" / AID / "timestamp.txt").read_text()
        from nbgrader.utils import parse_utc
        assert parse_utc(stamp.strip()) == trip["stamps"]["ben2"]  # the resubmission replaced it

    def test_the_late_submission_is_penalized_in_the_export(self, trip):
        rows = trip["csv1"]
        ada, ben, cy = rows["ada"], rows["ben"], rows["cy"]
        assert float(ada["late_submission_penalty"]) == 0.0
        assert float(ada["score"]) == float(ada["raw_score"]) == float(ada["max_score"]) > 0
        raw = float(ben["raw_score"])
        assert 0 < raw < float(ben["max_score"])
        # a few seconds late: one started day, 10 % of the score
        assert float(ben["late_submission_penalty"]) == round(0.1 * raw, 2) > 0
        assert float(ben["score"]) == round(raw - round(0.1 * raw, 2), 2)
        assert float(cy["raw_score"]) == float(cy["late_submission_penalty"]) == 0.0
        assert ben["duedate"].startswith(f"{trip['due']:%Y-%m-%d %H:%M:%S}")

    def test_a_resubmission_is_regraded_alone_and_its_score_rises(self, trip):
        out = trip["grade2"].stdout
        # ada and cy unchanged; ben's resubmission and the zip's dee and eve are graded
        assert "2 submission(s) already graded and unchanged" in out
        assert "grading 3 submission(s)" in out
        for s in ("ada", "cy"):
            assert trip["graded_at2"][s] == trip["graded_at1"][s]
        assert trip["graded_at2"]["ben"] != trip["graded_at1"]["ben"]
        before, after = trip["csv1"]["ben"], trip["csv2"]["ben"]
        assert float(after["raw_score"]) == float(after["max_score"]) > float(before["raw_score"])
        assert float(after["score"]) > float(before["score"])
        assert float(after["late_submission_penalty"]) == round(0.1 * float(after["max_score"]), 2)
        assert float(trip["csv2"]["ada"]["late_submission_penalty"]) == 0.0

    def test_an_lms_zip_is_collected_and_graded_and_a_bad_zip_is_named(self, trip):
        out = trip["collect2"].stdout
        assert "(lms-download.zip): 2 student(s) collected: 2 new, 0 updated, 0 unchanged" in out
        assert "bad.zip is not a zip archive" in out and "nothing collected from it" in out
        assert "left out: stray.ipynb: the name does not follow the convention" in out
        assert trip["zip_files"] == {"dee": ["numpy_basics.ipynb"], "eve": ["Untitled.ipynb"]}
        scores = trip["scores"]
        assert scores["dee"].score == scores["dee"].max_score > 0
        assert 0 < scores["eve"].score < scores["eve"].max_score
        rows = trip["csv2"]
        assert float(rows["dee"]["late_submission_penalty"]) == 0.0  # no time stamp: never late

    def test_feedback_is_released_and_fetched_without_hidden_tests_or_solutions(self, trip):
        out = trip["feedback"].stdout
        assert f"{AID}: feedback of 3 student(s) (3 notebook(s)) released" in out
        assert "not released: dee: not submitted through the exchange" in out
        assert "not released: eve: not submitted through the exchange" in out
        (ben,), (cy,) = trip["pages"]["ben"], trip["pages"]["cy"]
        hidden, solution = _hidden_lines(), _solution_lines()
        for page in (ben, cy):
            text = _plain(page.read_text(encoding="utf-8"))
            assert "BEGIN HIDDEN TESTS" not in text and 'grade("' not in text
            assert [line for line in hidden if line in text] == []
            assert "Score" in text
        assert "Late submission penalty" in _plain(ben.read_text(encoding="utf-8"))
        cy_text = _plain(cy.read_text(encoding="utf-8"))
        assert [line for line in solution if line in cy_text] == []  # cy handed in a blank release
        assert "Late submission penalty" not in cy_text


def _plain(page: str) -> str:
    """The text of a feedback page as a student reads it (tags and highlighting removed)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _region_lines(pattern: str) -> set[str]:
    nb = nbformat.read(ASSIGNMENTS / AID / NB, as_version=4)
    lines = set()
    for cell in nb.cells:
        for region in re.findall(pattern, cell.source, re.S):
            lines |= {ln.strip() for ln in region.splitlines()
                      if len(ln.strip()) >= 12 and not ln.strip().startswith("#")}
    return lines


def _hidden_lines() -> set[str]:
    """The hidden-test lines of a00's source notebook (the grade("...") calls among them)."""
    lines = _region_lines(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS")
    assert any('grade("' in line for line in lines)
    return lines


def _solution_lines() -> set[str]:
    """Lines of a00's solution regions and of the reference functions in solutions/."""
    lines = _region_lines(r"### BEGIN SOLUTION(.*?)### END SOLUTION")
    source = (SOLUTIONS / f"{AID}.py").read_text()
    tree = ast.parse(source)
    public = next(node for node in tree.body if isinstance(node, ast.Assign)
                  and getattr(node.targets[0], "id", "") == "__all__")
    names = set(ast.literal_eval(public.value)) - {"HIDDEN_CHECKS"}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in names:
            for stmt in node.body:
                lines |= {ln.strip() for ln in ast.get_source_segment(source, stmt).splitlines()
                          if len(ln.strip()) >= 12 and not ln.strip().startswith("#")}
    assert len(lines) > 8
    return lines


# -- the late penalty (no nbgrader run) --------------------------------------------------------
DAY = 24 * 3600


@pytest.mark.parametrize("seconds, fraction", [
    (0, 0.0), (1, 0.1), (DAY, 0.1), (DAY + 1, 0.2), (3 * DAY, 0.3), (9.5 * DAY, 1.0), (40 * DAY, 1.0)])
def test_a_tenth_of_the_score_per_started_day(seconds, fraction):
    plugin = PercentPerDayLate()
    assert plugin.late_submission_penalty("kim", 8.0, seconds) == round(8.0 * fraction, 2)


def test_the_penalty_has_nbgraders_two_decimals_and_a_cap():
    from traitlets.config import Config

    config = Config()
    config.PercentPerDayLate.per_day = 0.25
    config.PercentPerDayLate.max_fraction = 0.5
    plugin = PercentPerDayLate(config=config)
    assert plugin.late_submission_penalty("kim", 5.7333, 10) == 1.43  # 25 % of 5.7333
    assert plugin.late_submission_penalty("kim", 5.7333, 5 * DAY) == 2.87  # capped at half
    assert plugin.late_submission_penalty("kim", 0.0, 5 * DAY) == 0.0
    with pytest.raises(Exception, match="per_day"):
        PercentPerDayLate(per_day=-0.1)
    with pytest.raises(Exception, match="max_fraction"):
        PercentPerDayLate(max_fraction=1.5)


def test_the_course_config_selects_the_plugin():
    from nbgrader.preprocessors import AssignLatePenalties

    config = Course(ROOT).config
    step = AssignLatePenalties(config=config)
    assert step.plugin_class is PercentPerDayLate
    step.init_plugin()
    assert (step.plugin_inst.per_day, step.plugin_inst.max_fraction) == (0.1, 1.0)


# -- the zip convention, due dates, the Formgrader (no nbgrader run) --------------------------
@pytest.mark.parametrize("path, student, file_id", [
    ("kim_numpy_basics.ipynb", "kim", "numpy_basics.ipynb"),
    ("kim_12345_67890_numpy_basics.ipynb", "kim", "numpy_basics.ipynb"),   # Canvas
    ("kim_late_12345_67890_numpy_basics-1.ipynb", "kim", "numpy_basics-1.ipynb"),
    ("s1_fast/Untitled.ipynb", "s1_fast", "Untitled.ipynb"),               # a folder per student
    ("kim.lee@uni.edu/work/numpy_basics.ipynb", "kim.lee@uni.edu", "numpy_basics.ipynb"),
])
def test_the_zip_convention(path, student, file_id):
    collector = LmsZipCollector(extracted_root="/tmp/x/extracted/lms")
    info = collector.collect(f"/tmp/x/extracted/lms/{path}")
    assert (info["student_id"], info["file_id"]) == (student, file_id)
    assert collector.skipped == []


@pytest.mark.parametrize("path, why", [
    ("stray.ipynb", "does not follow the convention"),
    ("Kim Lee/numpy_basics.ipynb", "does not follow the convention"),
])
def test_names_outside_the_convention_are_left_out_with_the_reason(path, why):
    collector = LmsZipCollector(extracted_root="/x")
    assert collector.collect(f"/x/{path}") is None
    (line,) = collector.skipped
    assert line.startswith(path) and why in line


def test_junk_and_unsafe_student_ids_never_become_folders():
    collector = LmsZipCollector(extracted_root="/x", named_regexp=r"(?P<student_id>.*)/(?P<file_id>[^/]+)$")
    assert collector.collect("/x/__MACOSX/kim/._a.ipynb") is None
    assert collector.collect("/x/kim/.ipynb_checkpoints/a-checkpoint.ipynb") is None
    assert collector.collect("/x/kim/notes.txt") is None
    assert collector.collect("/x/../kim/n.ipynb") is None
    assert collector.collect("/x/a/b/n.ipynb") is None  # the regex says "a/b": refused
    assert collector.skipped == ["a/b/n.ipynb: 'a/b' is not a plain student id"]
    assert collector.collect("/x/kim/n.ipynb")["student_id"] == "kim"
    assert not any(safe_student_id(s) for s in ("..", ".", "a/b", "*", "a+b", "", "-x"))
    assert re.compile(DEFAULT_ZIP_REGEX).groupindex.keys() >= {"student_id", "file_id"}


def test_which_assignment_a_zip_holds():
    known = ["a00_numpy_basics", "a01_logistic_regression"]
    assert zip_assignment(Path("any.zip"), ["a01_logistic_regression"], known) == known[1]
    assert zip_assignment(Path("a00_numpy_basics-submissions.zip"), [], known) == known[0]
    with pytest.raises(ValueError, match="dlcourse collect ASSIGNMENT --zip"):
        zip_assignment(Path("download.zip"), [], known)


def test_due_dates_are_read_as_nbgrader_reads_them():
    assert parse_due("2026-12-18 17:00:00 UTC") == dt.datetime(2026, 12, 18, 17, 0)
    assert parse_due("2026-12-18 18:00:00 Europe/Paris") == dt.datetime(2026, 12, 18, 17, 0)
    assert parse_due("2026-12-18 17:00") == dt.datetime(2026, 12, 18, 17, 0)
    with pytest.raises(ValueError, match="write it like '2026-12-18 17:00:00 UTC'"):
        parse_due("next friday-ish")


def test_the_cli_refuses_a_bad_due_date_before_doing_anything(tmp_path):
    from click.testing import CliRunner

    from dlcourse.autograder.cli import main

    result = CliRunner().invoke(main, ["--course-dir", str(tmp_path), "release", "--due", "soon"])
    assert result.exit_code == 2 and "cannot read the due date 'soon'" in result.output
    assert not (tmp_path / "release").exists()


def test_the_formgrader_hint_names_nbgraders_real_page(tmp_path):
    from nbgrader.server_extensions.formgrader.handlers import default_handlers

    hint = formgrader_hint(tmp_path)
    assert hint.startswith(f"Formgrader: cd {tmp_path} && ") and " lab, then Nbgrader > Formgrader" in hint
    path = re.search(r"http://localhost:\d+(/[\w/]+)", hint).group(1)
    assert any(re.fullmatch(pattern, path) for pattern, *_ in default_handlers)
    lab = Path(sys.prefix) / "share/jupyter/labextensions/@jupyter/nbgrader/static"
    bundle = "".join(p.read_text(errors="ignore") for p in lab.glob("*.js"))
    assert 'label="Nbgrader"' in bundle and 'label:"Formgrader"' in bundle
    assert re.search(r'baseUrl,"formgrader"\)', bundle)  # the menu opens <base>/formgrader
