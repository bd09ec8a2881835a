"""nbgrader's ``Execute`` with the notebook's kernel inside the grading sandbox.

:class:`SandboxedExecute` replaces ``Execute`` in ``Autograde.autograde_preprocessors``.
Its :class:`SandboxedKernelManager` starts ipykernel through
:meth:`dlcourse.autograder.sandbox.Sandbox.command`:

* the kernel talks to nbgrader over jupyter_client's ``ipc`` transport (Unix
  sockets in a private folder, the only host folder it can write to, locked
  once the kernel is up), because inside the sandbox there is no network;
* it starts in the autograded submission folder, shown read-only;
* its stdout/stderr go to a file in that private folder (at most
  ``Sandbox.file_bytes``), whose start is copied to the grader's log.

What a hostile notebook can still throw at nbgrader is bounded here:

* a message bigger than ``max_message_bytes`` (``print`` of a 1 GB string) is
  refused by ZeroMQ before it is read (``ZMQ_MAXMSGSIZE``);
* a cell keeps at most ``max_output_bytes`` of output, the rest is dropped with
  a notice;
* a kernel that dies (``os._exit``, a crash, out of memory) ends the execution
  with an error in that cell instead of failing the whole submission; the
  trusted hidden checks then grade the functions as usual.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import zmq
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import DeadKernelError
from nbclient.util import run_sync
from nbformat.v4 import new_output
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
from traitlets import Any, Bool, Integer, List

from .sandbox import UNSAFE_WARNING, Sandbox

__all__ = ["SandboxedExecute", "SandboxedKernelManager", "grading_secrets"]

KERNEL_STDERR_LOGGED = 20_000


def grading_secrets(config, solutions_dir: str | Path | None = None) -> list[str]:
    """Paths no sandbox may show: the course root and what it holds for the grader."""
    coursedir = CourseDirectory(config=config)
    root = Path(coursedir.root)
    paths = [root, root / "solutions", root / "gradebook.db", root / coursedir.source_directory,
             root / coursedir.submitted_directory, root / coursedir.autograded_directory,
             root / coursedir.feedback_directory, root / ".exchange", root / ".dlcourse"]
    exchange = config.get("Exchange", {}).get("root") if hasattr(config, "get") else None
    paths += [Path(p) for p in (solutions_dir, exchange) if p]
    return [str(p) for p in paths]


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels start inside the sandbox (``sandbox`` None: as usual)."""

    sandbox = Any(None, help="The Sandbox to start kernels in; None starts them unconfined.")
    secrets = List(help="Paths the sandbox must not show.")
    max_message_bytes = Integer(32 * 1024 ** 2, help="Largest message accepted from the kernel.")

    _jail_dir = None
    _stderr = None

    async def _async_pre_start_kernel(self, **kw):
        if self.sandbox is None:
            return await super()._async_pre_start_kernel(**kw)
        self._jail_dir = tempfile.mkdtemp(prefix="dlcourse-kernel-")
        self.sandbox.prepare_host_dir(self._jail_dir)
        self.transport = "ipc"
        self.connection_file = os.path.join(self._jail_dir, "kernel.json")
        self.ip = os.path.join(self._jail_dir, "ipc")
        cwd = kw.pop("cwd", None)
        if cwd:
            self.sandbox.open_for_reading(cwd)
        self._stderr = open(os.path.join(self._jail_dir, "output.txt"), "wb")
        kw.update(stdout=self._stderr, stderr=self._stderr)
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        if self.sandbox.switches_uid:
            os.chown(self.connection_file, self.sandbox.uid, self.sandbox.gid)
        # SIGINT to the sandbox would stop bwrap itself: interrupt through the control channel
        self.kernel_spec.interrupt_mode = "message"
        cmd = self.sandbox.command(cmd, cwd=cwd, writable=[self._jail_dir], secrets=self.secrets)
        kw["cwd"] = self._jail_dir
        return cmd, kw

    def lock_jail(self) -> None:
        """Once the kernel answers its sockets exist: the sandbox user may create no more files."""
        if self._jail_dir and self.sandbox is not None and self.sandbox.switches_uid:
            os.chown(self._jail_dir, 0, 0)
            os.chmod(self._jail_dir, 0o755)

    def client(self, **kwargs):
        kc = super().client(**kwargs)
        kc.context.setsockopt(zmq.MAXMSGSIZE, self.max_message_bytes)
        return kc

    def kernel_output(self) -> str:
        """The start of what the kernel process wrote to its stdout/stderr."""
        if not self._jail_dir:
            return ""
        try:
            with open(os.path.join(self._jail_dir, "output.txt"), "rb") as f:
                return f.read(KERNEL_STDERR_LOGGED).decode("utf-8", "replace")
        except OSError:
            return ""

    def remove_jail(self) -> None:
        if self._stderr is not None:
            self._stderr.close()
        if self._jail_dir:
            shutil.rmtree(self._jail_dir, ignore_errors=True)
            self._jail_dir = None


class SandboxedExecute(Execute):
    """``Execute`` whose kernel runs in the grading sandbox (see the module docstring)."""

    max_output_bytes = Integer(
        1024 ** 2, help="Output one cell may keep; the rest is dropped with a notice."
    ).tag(config=True)
    raise_on_iopub_timeout = Bool(
        False, help="A kernel whose output was refused (too big) must not stop the notebook."
    ).tag(config=True)
    setup_timeout = Integer(
        180, help="Seconds a locked setup cell (grade_id 'setup...') may run, when that is more "
                  "than the timeout of the other cells: it imports the heavy libraries "
                  "(TensorFlow alone takes 5-15 s on a loaded grading machine), and a timeout "
                  "there would fail every function of the notebook."
    ).tag(config=True)

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        grade_id = str(((cell or {}).get("metadata", {}).get("nbgrader") or {}).get("grade_id", ""))
        if timeout is not None and grade_id.startswith("setup"):
            return max(timeout, self.setup_timeout)
        return timeout

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._sandbox = Sandbox(parent=self)
        if self._sandbox.enabled:
            self._sandbox.require()
        else:
            self.log.warning(UNSAFE_WARNING)
        self._secrets = grading_secrets(self.config)
        self._output_bytes: dict[int, int] = {}
        self._kernel_lost = False
        self._managers: list[SandboxedKernelManager] = []
        try:
            return super().preprocess(nb, resources, km)
        finally:
            for manager in self._managers:
                output = manager.kernel_output().strip()
                if output:
                    self.log.info("what the sandboxed kernel wrote to stderr:\n%s", output)
                manager.remove_jail()

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if isinstance(km, SandboxedKernelManager):
            km.sandbox = self._sandbox if self._sandbox.enabled else None
            km.secrets = self._secrets
            self._managers.append(km)
        return km

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        if isinstance(self.km, SandboxedKernelManager):
            self.km.lock_jail()
        return kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def preprocess_cell(self, cell, resources, index):
        if self._kernel_lost:  # the rest of the notebook cannot run; it is still graded
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._kernel_lost = True
            cell.outputs.append(new_output(
                "error", ename="KernelDied",
                evalue="the kernel stopped while running this cell (os._exit, a crash or running "
                       "out of memory); the cells after it were not run. Your functions are "
                       "still graded by the hidden checks.",
                traceback=[]))
            return cell, resources

    def output(self, outs, msg, display_id, cell_index):
        size = _content_size(msg.get("content", {}))
        used = self._output_bytes.get(cell_index, 0)
        self._output_bytes[cell_index] = used + size
        if used + size > self.max_output_bytes:
            if used <= self.max_output_bytes:
                outs.append(new_output("stream", name="stdout", text=(
                    f"\n[the grader dropped the rest of this cell's output: more than "
                    f"{self.max_output_bytes // 1024} KB]\n")))
            return None
        return super().output(outs, msg, display_id, cell_index)


def _content_size(content: dict) -> int:
    size = len(content.get("text", "") or "")
    for value in (content.get("data") or {}).values():
        size += len(value) if isinstance(value, str) else len(json.dumps(value))
    return size
