"""The shared course machine (docs/jupyterhub.md): one exchange, students as Unix users.

``test_student_lab_*`` starts a student's JupyterLab with ``deploy/student`` and checks over
HTTP that it lists the released assignments but has no Formgrader, Course List or Create
Assignment.  ``test_two_students_*`` (root only) creates an instructor and two students as
throwaway Unix users, builds the exchange with ``deploy/make-exchange.sh`` and runs the real
``nbgrader release_assignment / fetch_assignment / submit / collect / release_feedback /
fetch_feedback`` as those users, then checks who owns what and what each user can reach.
The users are deleted at the end, whatever happened.
"""
from __future__ import annotations

import contextlib
import copy
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from dlcourse.autograder.course import Course
from dlcourse.autograder.sandbox import Sandbox
from dlcourse.autograder.simulate import make_submission

from .support import ROOT, released_course

pytestmark = [pytest.mark.nbgrader]

AID, NB = "a07_gradient_checking", "gradient_checking.ipynb"
DEPLOY = ROOT / "deploy"
STUDENT_CONFIG = DEPLOY / "student"
VENV_BIN = Path(sys.executable).parent
INSTRUCTOR_UI = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                 "@jupyter/nbgrader:course-list"]
TOKEN = "multiuser"


@pytest.fixture(scope="module")
def base():
    """A scratch folder every user can enter (pytest's own tmp folder is root's alone)."""
    path = Path(tempfile.mkdtemp(prefix="dlc-multiuser-", dir="/tmp"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def course(base):
    """A scratch course with AID generated (release/), not yet in any exchange."""
    return released_course(base / "course", [AID])


def _release_to(course: Course, exchange: Path) -> None:
    """nbgrader's release_assignment of AID into ``exchange`` (in this process)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = copy.deepcopy(course.config)
    config.Exchange.root = str(exchange)
    result = NbGraderAPI(CourseDirectory(config=config), config=config).release_assignment(AID)
    assert result["success"], result.get("error")


# -- the student's JupyterLab ---------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _student_lab(home: Path, exchange: Path):
    """``jupyter lab`` configured as on the course machine: JUPYTER_CONFIG_PATH=deploy/student."""
    port, log = _free_port(), home / "lab.log"
    env = {"PATH": f"{VENV_BIN}{os.pathsep}/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "JUPYTER_CONFIG_PATH": str(STUDENT_CONFIG), "DLCOURSE_EXCHANGE": str(exchange)}
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
             f"--port={port}", f"--ServerApp.token={TOKEN}", "--allow-root",
             f"--ServerApp.root_dir={home}", "--LabApp.news_url=None"],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=home)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while _get(base_url, "/api/status")[0] != 200:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("JupyterLab did not start: " + log.read_text()[-3000:])
            time.sleep(0.5)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _get(base_url: str, path: str, body: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(
        base_url + path, headers={"Authorization": f"token {TOKEN}"},
        data=None if body is None else json.dumps(body).encode(),
        method="GET" if body is None else "POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


def test_student_lab_lists_assignments_without_instructor_ui(base, course):
    exchange, home = base / "lab_exchange", base / "lab_home"
    home.mkdir()
    _release_to(course, exchange)
    with _student_lab(home, exchange) as url:
        status, text = _get(url, "/assignments?course_id=dlcourse")
        assert status == 200, text
        listing = json.loads(text)
        assert listing["success"], listing
        assert [(a["assignment_id"], a["status"]) for a in listing["value"]] == [(AID, "released")]
        # the instructor's server extensions are not loaded at all
        for path in ("/formgrader", "/formgrader/api/assignments", "/formgraders"):
            assert _get(url, path)[0] == 404, path
        # the lab page tells the front end which plugins not to start
        status, page = _get(url, "/lab")
        assert status == 200
        config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">'
                                      r"(.*?)</script>", page, re.S).group(1))
        disabled = set(config["disabledExtensions"])
        assert set(INSTRUCTOR_UI) <= disabled, disabled
        assert "@jupyter/nbgrader:assignment-list" not in disabled
        assert "@jupyter/nbgrader" in [e["name"] for e in config["federated_extensions"]]
        # ... and the Plugin Manager will not turn them back on
        status, text = _get(url, "/lab/api/plugins",
                            {"cmd": "enable", "plugin_name": INSTRUCTOR_UI[0]})
        assert status == 500 and "locked" in text, (status, text)
    # the ids are the installed labextension's own (a rename on upgrade would make this moot)
    built = "".join(p.read_text(errors="replace") for p in
                    (VENV_BIN.parent / "share/jupyter/labextensions/@jupyter/nbgrader/static")
                    .glob("*.js"))
    for plugin in INSTRUCTOR_UI + ["@jupyter/nbgrader:assignment-list"]:
        assert f'"{plugin}"' in built, plugin


# -- Unix users ---------------------------------------------------------------------
def _why_no_users() -> str:
    if os.geteuid() != 0:
        return "creates Unix users: run the tests as root to check the shared-machine setup"
    for tool in ("useradd", "userdel", "setpriv", "unshare", "mount"):
        if not shutil.which(tool):
            return f"`{tool}` is not installed"
    problem = Sandbox().problem()
    return f"the grading sandbox cannot start here: {problem}" if problem else ""


def _blocked_folders() -> dict[Path, set[str]]:
    """Folders on the way to this Python, the venv and the repository that other users cannot
    enter (mode without o+x, e.g. /root for a pyenv Python), each with what lies below it."""
    blocked: dict[Path, set[str]] = {}
    for target in {sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable)),
                   str(ROOT)}:
        parts = Path(os.path.realpath(target)).parts
        for i in range(1, len(parts) + 1):
            folder = Path(*parts[:i])
            if not folder.stat().st_mode & stat.S_IXOTH:
                if i == len(parts):
                    raise PermissionError(f"{folder} cannot be entered by other users")
                blocked.setdefault(folder, set()).add(parts[i])
    for folder in blocked:
        if any(other in folder.parents for other in blocked):
            raise PermissionError(f"{folder} and a folder above it cannot be entered by others")
    return blocked


class Users:
    """Throwaway Unix users (``dlc_<random>_<role>``) and a way to run commands as them.

    On this machine the Python may live in a folder that only root can enter (pyenv under
    /root).  Their commands then run in a private mount namespace where that folder is
    replaced by one that shows only what Python needs -- nothing changes for the rest of
    the system.  On a real course machine the venv is world-readable (docs/jupyterhub.md).
    """

    def __init__(self, base: Path):
        self.base, self.tag, self.names = base, secrets.token_hex(3), []
        (base / "homes").mkdir()
        (base / "homes").chmod(0o755)
        self.blocked = _blocked_folders()
        self.mounts = []
        for i, (folder, children) in enumerate(sorted(self.blocked.items())):
            stage = base / f"view{i}"
            stage.mkdir(mode=0o711)
            for child in sorted(children):
                real = folder / child
                (stage / child).mkdir() if real.is_dir() else (stage / child).touch()
                self.mounts.append(f"mount --bind {shlex.quote(str(real))} "
                                   f"{shlex.quote(str(stage / child))}")
            self.mounts.append(f"mount --rbind {shlex.quote(str(stage))} "
                               f"{shlex.quote(str(folder))}")
        if self.mounts:
            tried = subprocess.run(["unshare", "--mount", "--propagation", "private", "--", "sh",
                                    "-c", " && ".join(self.mounts)],
                                   capture_output=True, text=True, timeout=60)
            if tried.returncode:
                raise PermissionError(f"{', '.join(map(str, self.blocked))} cannot be entered by "
                                      f"others, and no private mount namespace here to show "
                                      f"them: {tried.stderr.strip()[-300:]}")

    def add(self, role: str) -> pwd.struct_passwd:
        name = f"dlc_{self.tag}_{role}"
        home = self.base / "homes" / name
        done = subprocess.run(["useradd", "-m", "-d", str(home), "-s", "/bin/sh", "-U", name],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        self.names.append(name)
        home.chmod(0o700)  # a home of one's own, as on a hub
        return pwd.getpwnam(name)

    def delete_all(self) -> None:
        left = []
        for name in self.names:
            if subprocess.run(["userdel", "-r", name], capture_output=True,
                              timeout=60).returncode not in (0, 12):  # 12: home already gone
                subprocess.run(["userdel", "-r", "-f", name], capture_output=True, timeout=60)
            with contextlib.suppress(KeyError):
                pwd.getpwnam(name)
                left.append(name)
        assert not left, f"could not delete the users {left}"

    def command(self, user: pwd.struct_passwd, argv: list[str]) -> list[str]:
        cmd = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups",
               "--", *argv]
        if self.mounts:
            script = " && ".join(self.mounts) + ' && exec "$@"'
            cmd = ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script,
                   "sh", *cmd]
        return cmd

    def run(self, user: pwd.struct_passwd, argv: list[str], cwd: Path, **env: str) -> str:
        """``argv`` as ``user`` in ``cwd`` with a clean environment; its stdout (rc 0 asserted)."""
        full_env = {"PATH": f"{VENV_BIN}{os.pathsep}/usr/bin:/bin", "HOME": user.pw_dir,
                    "USER": user.pw_name, "LOGNAME": user.pw_name, "LANG": "C.UTF-8", **env}
        done = subprocess.run(self.command(user, argv), cwd=cwd, env=full_env,
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, (f"{argv} as {user.pw_name}: rc {done.returncode}\n"
                                      f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done.stdout


_PROBE = r"""
import errno, json, os, sys
out = {}
for name, op, *paths in json.loads(sys.argv[1]):
    try:
        if op == "list":
            os.listdir(paths[0])
        elif op == "read":
            open(paths[0], "rb").read(1)
        elif op == "rename":
            os.rename(paths[0], paths[1])
        elif op == "rmdir":
            os.rmdir(paths[0])
        elif op == "write":
            open(paths[0], "a").close()
        out[name] = "ok"
    except OSError as exc:
        out[name] = errno.errorcode.get(exc.errno, str(exc.errno))
print(json.dumps(out))
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _owner(path: Path) -> str:
    return pwd.getpwuid(path.stat().st_uid).pw_name


@pytest.fixture(scope="module")
def machine(base, course):
    """The whole round trip on a shared machine, as three Unix users; what it left behind."""
    why = _why_no_users()
    if why:
        pytest.skip(why)
    try:
        users = Users(base)
    except PermissionError as exc:
        pytest.skip(f"other users cannot reach this Python or repository: {exc}")
    try:
        yield _round_trip(base, course, users)
    finally:
        users.delete_all()


def _round_trip(base: Path, course: Course, users: Users) -> dict:
    teacher, a, b = users.add("i"), users.add("a"), users.add("b")
    exchange = base / "exchange"
    made = subprocess.run(["sh", str(DEPLOY / "make-exchange.sh"), str(exchange),
                           teacher.pw_name], capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stdout + made.stderr
    modes = {p: _mode(exchange / p) for p in ("", "dlcourse", "dlcourse/outbound",
                                               "dlcourse/inbound", "dlcourse/feedback")}
    # the course root: the instructor's alone, its exchange link pointing at the shared one
    root = course.root
    (root / ".exchange").rmdir()
    (root / ".exchange").symlink_to(exchange)
    subprocess.run(["chown", "-R", f"{teacher.pw_uid}:{teacher.pw_gid}", str(root)], check=True)
    root.chmod(0o700)

    student_env = {"JUPYTER_CONFIG_PATH": str(STUDENT_CONFIG), "DLCOURSE_EXCHANGE": str(exchange)}
    nbgrader = str(VENV_BIN / "nbgrader")

    def as_students(*args: str) -> None:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda u: users.run(u, [nbgrader, *args], Path(u.pw_dir),
                                              **student_env), (a, b)))

    users.run(teacher, [nbgrader, "release_assignment", AID], root)
    as_students("fetch_assignment", AID)
    fetched = {u.pw_name: Path(u.pw_dir) / AID / NB for u in (a, b)}
    # student a solves it, student b hands in the release untouched
    source = nbformat.read(root / "assignments" / AID / NB, as_version=4)
    solved = make_submission("correct", source, nbformat.read(fetched[a.pw_name], as_version=4),
                             AID, root / "solutions")
    nbformat.write(solved, fetched[a.pw_name])
    os.chown(fetched[a.pw_name], a.pw_uid, a.pw_gid)
    as_students("submit", AID)

    inbound = exchange / "dlcourse" / "inbound"
    submissions = {_owner(p): p for p in inbound.iterdir()}
    other = submissions[b.pw_name]
    probe = [("list inbound", "list", str(inbound)),
             ("list outbound", "list", str(exchange / "dlcourse" / "outbound")),
             ("list feedback", "list", str(exchange / "dlcourse" / "feedback")),
             ("read b's submission by its exact name", "read", str(other / NB)),
             ("rename b's submission", "rename", str(other), str(inbound / "stolen")),
             ("remove b's submission", "rmdir", str(other)),
             ("rename the course in the exchange", "rename", str(exchange / "dlcourse"),
              str(exchange / "fake")),
             ("write into outbound", "write", str(exchange / "dlcourse" / "outbound" / "x")),
             ("list b's home", "list", b.pw_dir),
             ("list the course root", "list", str(root))]
    seen_by_a = json.loads(users.run(a, [sys.executable, "-c", _PROBE, json.dumps(probe)],
                                     Path(a.pw_dir)).strip().splitlines()[-1])

    users.run(teacher, [nbgrader, "collect", AID], root)
    collected = {u.pw_name: (root / "submitted" / u.pw_name / AID / NB).is_file() for u in (a, b)}
    # grading here, as root; with the umask the instructor's own grading has (docs/jupyterhub.md)
    umask = os.umask(0o022)
    try:
        grader = Course(root)
        graded = grader.autograde(AID, a.pw_name)
        feedback = grader.feedback(AID, a.pw_name)
    finally:
        os.umask(umask)
    users.run(teacher, [nbgrader, "release_feedback", AID, f"--student={a.pw_name}"], root)
    users.run(a, [nbgrader, "fetch_feedback", AID], Path(a.pw_dir), **student_env)
    return {"a": a, "b": b, "teacher": teacher, "exchange": exchange, "modes": modes,
            "submissions": submissions, "seen_by_a": seen_by_a, "collected": collected,
            "graded": graded, "feedback": feedback,
            "scores": {s.student: s for s in grader.scores(AID)},
            "fetched_feedback": sorted((Path(a.pw_dir) / AID / "feedback").rglob("*.html"))}


def test_two_students_exchange_has_the_documented_modes(machine):
    assert machine["modes"] == {"": 0o1777, "dlcourse": 0o755, "dlcourse/outbound": 0o755,
                                "dlcourse/inbound": 0o3733, "dlcourse/feedback": 0o711}
    # nbgrader's release by the instructor kept them (it resets a root that is not ugo+rwx)
    exchange = machine["exchange"]
    assert _mode(exchange) == 0o1777 and _mode(exchange / "dlcourse" / "inbound") == 0o3733
    released = exchange / "dlcourse" / "outbound" / AID / NB
    assert _owner(released) == machine["teacher"].pw_name and _mode(released) == 0o644


def test_two_students_each_submission_is_owned_by_its_student(machine):
    subs, teacher = machine["submissions"], machine["teacher"]
    assert set(subs) == {machine["a"].pw_name, machine["b"].pw_name}
    for user, folder in subs.items():
        # <student>+<assignment>+<timestamp>+<12 random characters>: nobody can guess it
        assert re.fullmatch(rf"{user}\+{AID}\+[^+]+\+[A-Za-z0-9_-]{{12}}", folder.name), folder
        assert _mode(folder) == 0o777  # nbgrader's choice, "so the instructor can delete later"
        assert folder.stat().st_gid == teacher.pw_gid  # inbound's set-group-id bit
        for path in folder.rglob("*"):
            assert _owner(path) == user and _mode(path) == 0o644, path


def test_two_students_cannot_find_or_take_each_others_work(machine):
    assert machine["seen_by_a"] == {
        "list inbound": "EACCES",             # no student can see who submitted what
        "list outbound": "ok",
        "list feedback": "EACCES",            # a feedback file is found by a secret hash only
        # nbgrader's privacy is the name: whoever knows the full path can read the files
        "read b's submission by its exact name": "ok",
        "rename b's submission": "EPERM",     # inbound's sticky bit (deploy/make-exchange.sh)
        "remove b's submission": "EPERM",
        "rename the course in the exchange": "EPERM",  # the exchange root's sticky bit
        "write into outbound": "EACCES",
        "list b's home": "EACCES",            # b's nbgrader cache holds b's submission secret
        "list the course root": "EACCES",     # solutions, gradebook, everyone's work
    }


def test_two_students_instructor_collects_both_and_grades(machine):
    assert machine["collected"] == {machine["a"].pw_name: True, machine["b"].pw_name: True}
    assert machine["graded"].ok, machine["graded"].error[-3000:]
    score = machine["scores"][machine["a"].pw_name]
    assert score.score == score.max_score > 0


def test_two_students_feedback_reaches_only_its_student(machine):
    assert machine["feedback"].ok, machine["feedback"].error[-3000:]
    (page,) = machine["fetched_feedback"]
    assert page.name == NB.replace(".ipynb", ".html")
    assert _owner(page) == machine["a"].pw_name
    text = page.read_text()
    assert "BEGIN HIDDEN TESTS" not in text and "Score" in text
    released = list((machine["exchange"] / "dlcourse" / "feedback").iterdir())
    assert len(released) == 1 and re.fullmatch(r"[0-9a-f]{32}\.html", released[0].name)
