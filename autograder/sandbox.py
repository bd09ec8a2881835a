"""The grading sandbox: bubblewrap around every process that runs student code at grading time.

During ``nbgrader autograde`` student code runs twice, in the notebook's kernel
(:mod:`dlcourse.autograder.sandboxed_kernel`) and in the hidden-check worker
(:mod:`dlcourse.autograder.worker_client`).  Both are started through
:meth:`Sandbox.command`, which wraps the command line in ``bwrap``
(https://github.com/containers/bubblewrap, Debian package ``bubblewrap``).

What the code inside can see is built up from nothing (default deny):

=========================================  ===========================================
``/usr``, ``/bin``, ``/lib*``, a few        read-only (the system's programs and libraries)
``/etc`` files
the Python installation and the venv        read-only
the course package (``dlcourse.*``)          read-only
the folder it runs in (the kernel's          read-only
autograded submission folder)
``/tmp``                                    an empty tmpfs of :attr:`Sandbox.scratch_bytes`:
                                            the only writable place (HOME and caches live there)
``/proc``, ``/dev``                         its own pid namespace, a minimal ``/dev``
network, System V IPC, hostname             new, empty namespaces: no network at all
=========================================  ===========================================

Nothing else exists inside: not ``solutions/``, the gradebook, the source
notebooks, ``submitted/`` or other students' folders, ``/root``, ``/home``,
the host's ``/tmp``.  :meth:`Sandbox.command` refuses a read-only path that
holds one of the ``secrets`` it is given, so a mistaken bind cannot expose them.

Inside, :mod:`dlcourse.autograder.confine` sets the resource limits (memory,
CPU time, processes, file size, open files) and, when grading runs as root,
drops to the unprivileged :attr:`Sandbox.uid` (a real uid, so the process limit
counts only sandboxed processes).  Run by an ordinary user, bwrap maps the uid
in a user namespace instead.  Environment variables are cleared (the grader's
secrets, database URLs and paths never reach student code); only a short list
is passed in.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterable

from traitlets import Bool, Integer, List, Unicode
from traitlets.config import LoggingConfigurable

__all__ = ["Sandbox", "SandboxUnavailable", "HOW_TO_FIX", "UNSAFE_WARNING"]

HOME = "/tmp/home"
CONFINE = Path(__file__).with_name("confine.py")
_ETC = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "fonts", "passwd", "group",
        "nsswitch.conf", "hosts", "mime.types", "alternatives"]

HOW_TO_FIX = (
    "Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install "
    "bubblewrap) and allow user namespaces where you grade as an ordinary user (sysctl "
    "kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 also "
    "kernel.apparmor_restrict_unprivileged_userns=0). To grade without isolation anyway, add "
    "--unsafe-no-sandbox (or set c.Sandbox.enabled = False); every report then says so.")
UNSAFE_WARNING = ("WARNING: graded WITHOUT the sandbox (--unsafe-no-sandbox): this student's code "
                  "could read and change the grader's files.")


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot start here; the message says why and how to fix it."""


def _gib(n: float) -> int:
    return int(n * 1024 ** 3)


class Sandbox(LoggingConfigurable):
    """Settings and command lines of the bubblewrap sandbox (configure as ``c.Sandbox.*``)."""

    enabled = Bool(True, help="Run student code in the sandbox. False runs it as the grader's own "
                              "user with full access (each report then carries a warning)."
                   ).tag(config=True)
    bwrap = Unicode("bwrap", help="The bubblewrap executable.").tag(config=True)
    memory_bytes = Integer(_gib(4), help="Address space of each sandboxed process (RLIMIT_AS)."
                           ).tag(config=True)
    cpu_seconds = Integer(600, help="CPU time of each sandboxed process (RLIMIT_CPU)."
                          ).tag(config=True)
    processes = Integer(128, help="Processes and threads one sandbox may add (RLIMIT_NPROC, on "
                                  "top of those its user already runs).").tag(config=True)
    file_bytes = Integer(64 * 1024 ** 2, help="Largest file a sandboxed process may write "
                                              "(RLIMIT_FSIZE).").tag(config=True)
    open_files = Integer(1024, help="Open files per process (RLIMIT_NOFILE).").tag(config=True)
    scratch_bytes = Integer(256 * 1024 ** 2, help="Size of the tmpfs on /tmp, the only writable "
                                                  "place inside.").tag(config=True)
    uid = Integer(65534, help="User the code runs as (when grading as root: a real uid with no "
                              "files of its own; else the uid seen inside a user namespace)."
                  ).tag(config=True)
    gid = Integer(65534, help="Group the code runs as.").tag(config=True)
    user_namespace = Bool(False, help="Map the uid in a user namespace even when grading as root "
                                      "(what an ordinary user always gets), instead of switching "
                                      "to the real uid.").tag(config=True)
    extra_readonly = List(Unicode(), help="More host paths to show read-only (data folders)."
                          ).tag(config=True)
    pass_env = List(Unicode(), ["NBGRADER_EXECUTION", "DLCOURSE_FULL_RUN", "DLCOURSE_DATA_DIR"],
                    help="Environment variables passed in from the grader (all others are "
                         "cleared).").tag(config=True)

    # -- what is visible ---------------------------------------------------------
    def readonly_paths(self) -> list[str]:
        """Host paths bound read-only: Python, the venv, the course package, extras."""
        paths = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}
        for entry in sys.path:
            real = os.path.realpath(entry) if entry else ""
            if real and os.path.exists(real) and any(
                    _inside(real, p) for p in (sys.prefix, sys.base_prefix)):
                paths.add(real)
        paths.update(_package_dirs())
        data_dir = os.environ.get("DLCOURSE_DATA_DIR")
        if data_dir and os.path.isdir(data_dir):
            paths.add(os.path.realpath(data_dir))
        paths.update(os.path.realpath(p) for p in self.extra_readonly if os.path.exists(p))
        # drop paths inside others (one bind covers them)
        return sorted(p for p in paths if not any(q != p and _inside(p, q) for q in paths))

    def environment(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {"PATH": f"{sys.prefix}/bin:/usr/local/bin:/usr/bin:/bin", "HOME": HOME,
               "TMPDIR": "/tmp", "LANG": "C.UTF-8", "IPYTHONDIR": f"{HOME}/.ipython",
               "MPLCONFIGDIR": f"{HOME}/.config/matplotlib", "XDG_CACHE_HOME": f"{HOME}/.cache",
               "XDG_CONFIG_HOME": f"{HOME}/.config", "PYTHONDONTWRITEBYTECODE": "1"}
        env.update({k: os.environ[k] for k in self.pass_env if k in os.environ})
        env.update(extra or {})
        return env

    # -- the command line -------------------------------------------------------
    def command(self, argv: list[str], *, cwd: str | None = None, readonly: Iterable[str] = (),
                writable: Iterable[str] = (), env: dict[str, str] | None = None,
                secrets: Iterable[str | Path] = ()) -> list[str]:
        """``argv`` wrapped in bwrap and :mod:`confine`.

        ``cwd`` (a host folder, shown read-only at the same path) is where the
        command starts, else ``/tmp``; ``readonly`` and ``writable`` are more
        host paths shown at the same place; ``secrets`` are paths that must stay
        hidden (a bind that would show one raises :class:`ValueError`).
        """
        root = self.switches_uid
        ro = self.readonly_paths() + [os.path.realpath(p) for p in readonly]
        if cwd:
            ro.append(os.path.realpath(cwd))
        rw = [os.path.realpath(p) for p in writable]
        for secret in secrets:
            secret = os.path.realpath(secret)
            for path in ro + rw:
                if _inside(secret, path):
                    raise ValueError(f"the sandbox would show {secret} (inside {path})")
        cmd = [self.bwrap, "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net",
               "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox"]
        if root:  # a real unprivileged uid: confine.py drops to it (bwrap keeps only these caps)
            cmd += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        else:
            cmd += ["--unshare-user", "--uid", str(self.uid), "--gid", str(self.gid)]
        cmd += ["--clearenv"]
        for key, value in self.environment(env).items():
            cmd += ["--setenv", key, value]
        cmd += ["--ro-bind", "/usr", "/usr"]
        for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if os.path.islink(top):
                cmd += ["--symlink", os.readlink(top), top]
            elif os.path.isdir(top):
                cmd += ["--ro-bind", top, top]
        cmd += ["--perms", "0755", "--dir", "/etc"]
        for name in _ETC:
            cmd += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
        cmd += ["--proc", "/proc", "--dev", "/dev",
                "--perms", "1777", "--size", str(self.scratch_bytes), "--tmpfs", "/tmp"]
        font_lists = _matplotlib_font_lists()
        cache = "/opt/dlcourse-cache/matplotlib"
        # bwrap makes missing parent folders mode 0700: make them 0755 first
        made = {"/", "/tmp", "/etc"}
        for path in ro + rw + ([cache + "/x"] if font_lists else []):
            for parent in reversed(Path(path).parents):
                if str(parent) not in made:
                    made.add(str(parent))
                    cmd += ["--perms", "0755", "--dir", str(parent)]
        for path in ro:
            cmd += ["--ro-bind", path, path]
        for path in rw:
            cmd += ["--bind", path, path]
        for font_list in font_lists:
            cmd += ["--ro-bind", str(font_list), f"{cache}/{font_list.name}"]
        copies = [[cache, f"{HOME}/.config/matplotlib"]] if font_lists else []
        cmd += ["--chdir", os.path.realpath(cwd) if cwd else "/tmp", "--"]
        settings = {"limits": self.limits(root), "uid": self.uid, "gid": self.gid,
                    "dirs": [HOME, f"{HOME}/.config/matplotlib", f"{HOME}/.cache"],
                    "copy": copies}
        return cmd + [sys.executable, "-I", "-S", str(CONFINE), json.dumps(settings)] + list(argv)

    def limits(self, root: bool | None = None) -> dict[str, int]:
        root = self.switches_uid if root is None else root
        owner = self.uid if root else os.getuid()
        return {"RLIMIT_AS": self.memory_bytes, "RLIMIT_CPU": self.cpu_seconds,
                "RLIMIT_FSIZE": self.file_bytes, "RLIMIT_NOFILE": self.open_files,
                "RLIMIT_CORE": 0, "RLIMIT_NPROC": _tasks_of(owner) + self.processes}

    @property
    def switches_uid(self) -> bool:
        """Whether the code runs as the real :attr:`uid` (grading as root), not a mapped one."""
        return os.geteuid() == 0 and not self.user_namespace

    def prepare_host_dir(self, path: str | Path) -> None:
        """Let the sandbox user write into a host folder bound read-write (grading as root)."""
        if self.switches_uid:
            os.chown(path, self.uid, self.gid)

    def open_for_reading(self, folder: str | Path) -> None:
        """Let the sandbox user read a folder bound read-only (grading as root with umask 077)."""
        if not self.switches_uid:
            return
        for path in [Path(folder), *Path(folder).rglob("*")]:
            mode = path.stat().st_mode
            wanted = mode | 0o004 | (0o001 if path.is_dir() else 0)
            if wanted != mode and not path.is_symlink():
                path.chmod(wanted)

    # -- can it start? -----------------------------------------------------------
    def problem(self) -> str:
        """"" when a sandbox starts here, else why not (the fix is in :data:`HOW_TO_FIX`).

        Probed once per process for each bwrap, uid and scratch size.
        """
        key = (self.bwrap, self.uid, self.scratch_bytes, os.geteuid(), self.user_namespace)
        if key not in _PROBED:
            _PROBED[key] = _probe(self.command(  # Python, numpy and the course package must load
                [sys.executable, "-I", "-c", "import os, numpy, dlcourse.autograder.plaindata; "
                                             "print(os.getuid())"]), str(self.uid))
        return _PROBED[key]

    def require(self) -> None:
        """Raise :class:`SandboxUnavailable` with the reason and the fix if it cannot start."""
        why = self.problem()
        if why:
            raise SandboxUnavailable(f"the grading sandbox cannot start: {why}. {HOW_TO_FIX}")


_PROBED: dict[tuple, str] = {}


def _probe(cmd: list[str], uid: str) -> str:
    if shutil.which(cmd[0]) is None:
        return f"{cmd[0]!r} (bubblewrap) is not installed"
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap did not run ({exc})"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return f"bwrap failed: {last}"
    if done.stdout.strip() != uid:
        return f"the sandboxed process runs as uid {done.stdout.strip()}, not {uid}"
    return ""


def _inside(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or lies below it."""
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _package_dirs() -> set[str]:
    """Folders of the installed course package (an editable install maps them into the repo)."""
    import importlib.util

    dirs = set()
    for name in ("dlcourse.autograder", "dlcourse.utils", "dlcourse.datasets"):
        spec = importlib.util.find_spec(name)
        for location in (spec.submodule_search_locations or []) if spec else []:
            dirs.add(os.path.realpath(location))
    return dirs


def _matplotlib_font_lists() -> list[Path]:
    """The grader's matplotlib font cache, so each sandbox need not rebuild it (about 1 s)."""
    folder = os.environ.get("MPLCONFIGDIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "matplotlib")
    return sorted(Path(folder).glob("fontlist-*.json"))


def _tasks_of(uid: int) -> int:
    """Processes and threads that ``uid`` runs now (what RLIMIT_NPROC counts)."""
    count = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("Uid", "").split()[:1] == [str(uid)]:
            count += int(fields.get("Threads", "1").strip() or 1)
    return count
