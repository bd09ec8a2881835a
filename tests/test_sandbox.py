"""The grading sandbox piece by piece: bwrap command lines, the worker and the kernel inside it,
refusal without bubblewrap, the unsafe switch, and salvaging cut-off notebooks.

Each attack is run twice where that is safe: without the sandbox (it works -- so the test can
fail) and inside it (it does not).  The whole class under attack is in test_sandbox_tamper.py.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from traitlets.config import Config

from dlcourse.autograder.course import Course
from dlcourse.autograder.salvage import complete_cells, salvage
from dlcourse.autograder.sandbox import UNSAFE_WARNING, Sandbox, SandboxUnavailable
from dlcourse.autograder.simulate import make_submission
from dlcourse.autograder.worker_client import Worker

from .support import ROOT, Listener, cli_env, released_course

PROBLEM = Sandbox().problem()
needs_sandbox = pytest.mark.skipif(bool(PROBLEM), reason=f"no grading sandbox here: {PROBLEM}")
SECRET_FILE = ROOT / "solutions" / "a00_numpy_basics.py"


# -- command lines ---------------------------------------------------------------
def test_a_bind_that_would_show_a_secret_is_refused():
    with pytest.raises(ValueError, match="would show"):
        Sandbox().command(["true"], readonly=[str(ROOT)], secrets=[ROOT / "solutions"])


def test_what_the_sandbox_shows_holds_no_course_secret():
    shown = Sandbox().readonly_paths()
    for secret in (ROOT, ROOT / "solutions", ROOT / "assignments", ROOT / "gradebook.db"):
        assert not any(str(secret) == p or str(secret).startswith(p + "/") for p in shown), shown


def test_the_environment_is_cleared_but_for_a_short_list(monkeypatch):
    monkeypatch.setenv("DLCOURSE_TEST_TOKEN", "s3cret")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    env = Sandbox().environment()
    assert "DLCOURSE_TEST_TOKEN" not in env and env["NBGRADER_EXECUTION"] == "autograde"
    cmd = Sandbox().command(["true"])
    assert "--clearenv" in cmd and "s3cret" not in cmd


def test_a_missing_bubblewrap_is_named_with_the_fix():
    sandbox = Sandbox(bwrap="/nonexistent/bwrap")
    assert "not installed" in sandbox.problem()
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap"):
        sandbox.require()


# -- the worker --------------------------------------------------------------------
READ_SECRET = f"def steal():\n    return open({str(SECRET_FILE)!r}).read()[:40]\n"


def _sandboxed(**kw) -> Worker:
    return Worker(sandbox=Sandbox(), secrets=[ROOT], **kw)


@needs_sandbox
def test_the_worker_reads_solutions_only_outside_the_sandbox():
    with Worker() as plain:
        plain.load([READ_SECRET])
        assert plain.call("steal").ok  # the attack is real
    with _sandboxed() as w:
        w.load([READ_SECRET])
        r = w.call("steal")
        assert not r.ok and "No such file" in r.error


@needs_sandbox
def test_the_worker_has_no_network():
    listener = Listener()
    code = (f"import socket\ndef leak():\n    socket.create_connection(('127.0.0.1', "
            f"{listener.port}), timeout=2).close()\n    return 1\n")
    with Worker() as plain:
        plain.load([code])
        assert plain.call("leak").ok  # the attack is real
    with _sandboxed() as w:
        w.load([code])
        assert not w.call("leak").ok
    time.sleep(0.5)  # let the listener thread count
    assert listener.connections == 1


@needs_sandbox
def test_the_worker_runs_unprivileged_with_limits_and_no_grader_environment(monkeypatch):
    monkeypatch.setenv("DLCOURSE_TEST_TOKEN", "s3cret")
    code = ("import os, resource\ndef who():\n    return [os.getuid(), os.getcwd(), "
            "os.environ.get('DLCOURSE_TEST_TOKEN', ''), resource.getrlimit(resource.RLIMIT_AS)[0], "
            "os.access('/usr/lib', os.W_OK)]\n")
    with _sandboxed() as w:
        w.load([code])
        uid, cwd, token, memory, writable = w.call("who").value
    assert uid == Sandbox().uid and cwd == "/tmp" and token == "" and not writable
    assert memory == Sandbox().memory_bytes


@needs_sandbox
def test_a_fork_bomb_stops_at_the_process_limit():
    code = ("import os, time\ndef bomb():\n    n = 0\n    try:\n        while n < 5000:\n"
            "            if os.fork() == 0:\n                time.sleep(60)\n                os._exit(0)\n"
            "            n += 1\n    except OSError:\n        pass\n    return n\n")
    with _sandboxed() as w:
        w.load([code])
        forks = w.call("bomb", timeout=60).value
    assert 0 < forks <= Sandbox().processes


@needs_sandbox
def test_a_cell_that_exits_or_hangs_at_load_is_skipped_and_the_rest_loads():
    cells = ["def a():\n    return 1", "import os\nos._exit(3)", "while True:\n    pass",
             "def b():\n    return 2"]
    with _sandboxed(load_timeout=3) as w:
        errors = dict(w.load(cells))
        assert w.call("a").value == 1 and w.call("b").value == 2
    assert "ended the grading process" in errors[1] and "took more than" in errors[2]


@needs_sandbox
def test_a_disk_filler_gets_only_its_scratch():
    code = ("def fill():\n    n = 0\n    try:\n        for i in range(1000):\n"
            "            with open('/tmp/f%d' % i, 'wb') as f:\n                f.write(b'0' * 2**20)\n"
            "            n += 1\n    except OSError:\n        pass\n    return n\n")
    with _sandboxed() as w:
        w.load([code])
        megabytes = w.call("fill", timeout=60).value
    assert megabytes <= Sandbox().scratch_bytes // 2**20


# -- the kernel ----------------------------------------------------------------------
def _execute(cells: list[str], folder: Path, timeout: int = 10, **config):
    from dlcourse.autograder.sandboxed_kernel import SandboxedExecute

    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    c = Config()
    c.Execute.timeout = timeout
    c.CourseDirectory.root = str(folder / "course")
    for key, value in config.items():
        section, name = key.split("__")
        c[section][name] = value
    work = folder / "course" / "autograded" / "s" / "a"
    work.mkdir(parents=True, exist_ok=True)
    nb, _ = SandboxedExecute(config=c).preprocess(nb, {"metadata": {"path": str(work)}})
    return [[o.get("text") or o.get("evalue") or o.get("ename") or "" for o in cell.outputs]
            for cell in nb.cells]


@needs_sandbox
def test_the_kernel_runs_unprivileged_without_network_or_course_files(tmp_path):
    (tmp_path / "course" / "solutions").mkdir(parents=True)
    (tmp_path / "course" / "solutions" / "x.py").write_text("ANSWER = 42")
    out = _execute([
        "import os; print(os.getuid(), os.path.exists(%r))" % str(tmp_path / "course" / "solutions"),
        "try:\n    open('here.txt', 'w')\nexcept OSError as e:\n    print('cwd', e.errno)",
        "import socket\ntry:\n    socket.create_connection(('127.0.0.1', 22), timeout=2)\n"
        "except OSError as e:\n    print('net', type(e).__name__)",
    ], tmp_path)
    assert out[0] == [f"{Sandbox().uid} False\n"]
    assert out[1] == ["cwd 30\n"]  # EROFS: the submission folder is read-only
    assert out[2][0].startswith("net ")


@needs_sandbox
def test_a_dying_kernel_is_reported_and_the_rest_is_not_run(tmp_path):
    out = _execute(["print('before')", "import os; os._exit(1)", "print('after')"], tmp_path)
    assert out[0] == ["before\n"] and out[2] == []
    assert "kernel stopped while running this cell" in out[1][-1]


@needs_sandbox
def test_a_huge_print_is_cut_and_a_hanging_cell_is_interrupted(tmp_path):
    out = _execute(["for i in range(20000):\n    print('y' * 999)", "while True:\n    pass",
                    "print('next')"], tmp_path, timeout=5)
    assert sum(len(t) for t in out[0]) < 1.1 * 2**20
    assert "dropped the rest of this cell's output" in out[0][-1]
    assert out[2] == ["next\n"]


def test_grading_without_bubblewrap_fails_closed(tmp_path):
    with pytest.raises(SandboxUnavailable):
        _execute(["print(1)"], tmp_path, Sandbox__bwrap="/nonexistent/bwrap")


# -- the command line: refusal and the unsafe switch --------------------------------
@pytest.mark.nbgrader
def test_grade_refuses_without_the_sandbox_and_unsafe_grades_with_a_warning(tmp_path):
    aid = "a00_numpy_basics"
    course = released_course(tmp_path / "course", [aid],
                             '\nc.Sandbox.bwrap = "/nonexistent/bwrap"\n').root
    (nb_path,) = (course / "release" / aid).glob("*.ipynb")
    source = nbformat.read(course / "assignments" / aid / nb_path.name, as_version=4)
    solved = make_submission("correct", source, nbformat.read(nb_path, as_version=4), aid,
                             course / "solutions")
    (course / "submitted" / "s1" / aid).mkdir(parents=True)
    nbformat.write(solved, course / "submitted" / "s1" / aid / nb_path.name)
    env = cli_env()
    cli = [sys.executable, "-m", "dlcourse.autograder.cli", "--course-dir", str(course), "grade"]

    refused = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2
    assert "Grading refused" in refused.stdout and "apt-get install bubblewrap" in refused.stdout
    assert "--unsafe-no-sandbox" in refused.stdout and not (course / "autograded").exists()

    unsafe = subprocess.run(cli + ["--unsafe-no-sandbox"], env=env, capture_output=True, text=True,
                            timeout=600)
    assert unsafe.returncode == 0, unsafe.stdout[-2000:]
    assert "WITHOUT the sandbox" in unsafe.stdout
    (score,) = Course(course).scores(aid)
    assert score.score == score.max_score
    graded = (course / "autograded" / "s1" / aid / nb_path.name).read_text()
    assert graded.count(UNSAFE_WARNING.split(":")[0]) >= len(score.cells)


# -- salvaging cut-off notebooks ----------------------------------------------------
def _small_release():
    def meta(gid, **kw):
        return {"nbgrader": {"grade_id": gid, "locked": not kw.get("solution"), "schema_version": 3,
                             "solution": False, "grade": False, **kw}}
    return new_notebook(cells=[
        new_markdown_cell("Intro", metadata=meta("intro")),
        new_code_cell("def f():\n    raise NotImplementedError()", metadata=meta("f", solution=True)),
        new_code_cell("assert f() == 1", metadata=meta("test_f", grade=True, points=1)),
        new_code_cell("def g():\n    raise NotImplementedError()", metadata=meta("g", solution=True)),
        new_code_cell("assert g() == 2", metadata=meta("test_g", grade=True, points=1)),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})


def test_complete_cells_never_fails_and_returns_a_prefix_at_any_cut():
    nb = _small_release()
    nb.cells[1].source, nb.cells[3].source = "def f():\n    return 1", "def g():\n    return 2"
    text = nbformat.writes(nb)
    whole = [c["source"] for c in json.loads(text)["cells"]]
    assert [c["source"] for c in complete_cells(text)] == whole
    seen = set()
    for cut in range(0, len(text), 7):
        got = [c["source"] for c in complete_cells(text[:cut])]
        assert got == whole[:len(got)]
        seen.add(len(got))
    assert seen >= set(range(len(whole)))  # every prefix length occurs at some cut


def test_salvage_keeps_what_came_takes_the_checkpoint_and_names_what_was_lost():
    release = _small_release()
    answered = nbformat.from_dict(json.loads(nbformat.writes(release)))
    answered.cells[1].source = "def f():\n    return 1"
    answered.cells[3].source = "def g():\n    return 2"
    text = nbformat.writes(answered)
    cut = text[: text.index('"test_g"')]  # cut inside the last test cell: f and g survive
    result = salvage(cut, release, name="n.ipynb")
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in result.notebook.cells]
    assert ids == [None, "intro", "f", "test_f", "g", "test_g"] and result.lost == []
    nbformat.validate(result.notebook)

    early = text[: text.index('"test_f"')]  # g is lost ...
    assert salvage(early, release).lost == ["g"]
    checkpoint = nbformat.from_dict(json.loads(text))  # ... unless the checkpoint has it
    rescued = salvage(early, release, checkpoint)
    assert rescued.lost == [] and rescued.from_checkpoint == ["g"]
    g = next(c for c in rescued.notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "g")
    assert "return 2" in g.source
    assert "**Lost**" in salvage("", release).notebook.cells[0].source


# -- the user-namespace mode (what an instructor gets grading as an ordinary user) ---------
@needs_sandbox
def test_the_user_namespace_mode_hides_the_same_things():
    sandbox = Sandbox(user_namespace=True)
    if sandbox.problem():
        pytest.skip(f"user namespaces are not available here: {sandbox.problem()}")
    code = READ_SECRET + "import os\ndef uid():\n    return os.getuid()\n"
    with Worker(sandbox=sandbox, secrets=[ROOT]) as w:
        w.load([code])
        assert w.call("uid").value == sandbox.uid
        r = w.call("steal")
        assert not r.ok and "No such file" in r.error
