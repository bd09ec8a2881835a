"""Parent side of the student worker: start it, feed it code, call functions with a deadline.

Student code never runs in the grader's own process.  Each :class:`Worker`
owns one ``python -I -m dlcourse.autograder.worker`` child, inside the grading
sandbox (:class:`dlcourse.autograder.sandbox.Sandbox`: no files but Python and
the course package, no network, resource limits) unless it is given none.  A
call that overruns its deadline kills the child, and the next call starts a
fresh one and replays the loaded cells.  A cell that ends the process or never
finishes while loading is skipped (and reported), the others still load.
"""
from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import plaindata

__all__ = ["Worker", "CallResult"]

MEMORY_LIMIT_BYTES = 4 * 1024 ** 3
MAX_REPLY_BYTES = 256 * 1024 ** 2
WORKER_ENV = {"NBGRADER_EXECUTION": "autograde", "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
              "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass
class CallResult:
    """Outcome of one call made in the worker; ``value`` and ``args_after`` are decoded plain data."""
    ok: bool
    value: Any = None
    args_after: tuple = ()
    kwargs_after: dict = field(default_factory=dict)
    error: str = ""
    stdout: str = ""


def _limit_memory() -> None:  # runs in the child before exec (unsandboxed workers only)
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    except (ImportError, ValueError, OSError):
        pass
    os.setsid()


class Worker:
    """A restartable child process that runs student code.

    ``sandbox``: a :class:`~dlcourse.autograder.sandbox.Sandbox` to run it in
    (None: as the grader's own user, memory-capped only); ``secrets``: paths the
    sandbox must not show.

    >>> with Worker() as w:
    ...     w.load(["def f(x):\\n    return x + 1"])
    ...     w.call("f", (1,)).value
    """

    def __init__(self, load_timeout: float = 60.0, sandbox=None, secrets: Iterable = ()):
        self.load_timeout = load_timeout
        self.sandbox = sandbox
        self.secrets = list(secrets)
        self.cells: list[str] = []
        self.load_errors: list[tuple[int, str]] = []
        self._skipped: dict[int, str] = {}
        self._proc: subprocess.Popen | None = None
        self._buffer = b""
        self._scratch = tempfile.TemporaryDirectory(prefix="dlcourse-worker-")
        self._stderr = tempfile.TemporaryFile()

    # -- process management -------------------------------------------------
    def _start(self) -> None:
        argv = [sys.executable, "-I", "-m", "dlcourse.autograder.worker"]
        self._buffer = b""
        if self.sandbox is not None:
            self._proc = subprocess.Popen(
                self.sandbox.command(argv, env=WORKER_ENV, secrets=self.secrets),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                cwd=self._scratch.name, start_new_session=True)
            return
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "JUPYTER_"))}
        env.update(WORKER_ENV)
        self._proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            cwd=self._scratch.name, env=env, preexec_fn=_limit_memory,
        )

    def _kill(self) -> None:
        if self._proc is not None:
            try:
                os.killpg(self._proc.pid, 9)
            except (ProcessLookupError, PermissionError):
                pass
            self._proc.wait()
            for stream in (self._proc.stdin, self._proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            self._proc = None

    def close(self) -> None:
        self._kill()
        self._scratch.cleanup()
        self._stderr.close()

    def __enter__(self) -> "Worker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _died(self) -> dict:
        code = self._proc.poll() if self._proc is not None else None
        self._kill()
        return {"ok": False, "died": True,
                "error": f"the worker process died (exit code {code}); os._exit, a crash or "
                         "running out of memory?"}

    def _readline(self, deadline: float) -> bytes | None:
        """One line from the worker; None at the deadline; b"" when it closed its end."""
        fd = self._proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            sel = selectors.DefaultSelector()
            sel.register(fd, selectors.EVENT_READ)
            ready = sel.select(left)
            sel.close()
            if not ready:
                return None
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b""
            self._buffer += chunk
            if len(self._buffer) > MAX_REPLY_BYTES:
                return b""
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line + b"\n"

    def _request(self, payload: dict, timeout: float, progress: list | None = None) -> dict | None:
        """Send one request; return the decoded JSON reply, or None on timeout.

        Lines ``{"progress": i}`` (the worker starts cell ``i``) are appended to
        ``progress`` and restart the deadline.
        """
        assert self._proc is not None
        try:
            self._proc.stdin.write((json.dumps(payload) + "\n").encode())
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return self._died()
        deadline = time.monotonic() + timeout
        while True:
            line = self._readline(deadline)
            if line is None:
                self._kill()
                return None
            if not line:
                return self._died()
            try:
                reply = json.loads(line)
            except ValueError:
                return {"ok": False, "error": "the worker sent a malformed reply"}
            if not isinstance(reply, dict):
                return {"ok": False, "error": "malformed reply"}
            if "progress" in reply and progress is not None:
                progress.append(reply["progress"])
                deadline = time.monotonic() + timeout
                continue
            return reply

    # -- public API ---------------------------------------------------------
    def load(self, cells: list[str]) -> list[tuple[int, str]]:
        """Run ``cells`` (source strings) in a fresh namespace; return per-cell errors."""
        self.cells = list(cells)
        self._skipped = {}
        self._kill()
        return self._ensure_loaded()

    def _ensure_loaded(self) -> list[tuple[int, str]]:
        if self._proc is not None and self._proc.poll() is None:
            return self.load_errors
        while True:  # each round skips the cell that killed or hung the last one
            self._start()
            cells = ["" if i in self._skipped else c for i, c in enumerate(self.cells)]
            progress: list = []
            reply = self._request({"op": "load", "cells": cells}, self.load_timeout, progress)
            if reply is not None and reply.get("ok"):
                errors = [(int(i), str(e)) for i, e in reply.get("errors", [])]
                break
            culprit = progress[-1] if progress else None
            if not isinstance(culprit, int) or culprit in self._skipped \
                    or not 0 <= culprit < len(self.cells):
                errors = [(-1, "the worker could not start: " + str(
                    (reply or {}).get("error", f"no answer in {self.load_timeout:g} s")))]
                self._kill()
                self._start()  # an empty worker: every call then reports an undefined name
                self._request({"op": "load", "cells": []}, self.load_timeout)
                break
            self._skipped[culprit] = (
                f"running this cell took more than {self.load_timeout:g} s (an infinite loop at "
                "top level?); it was skipped" if reply is None else
                "this cell ended the grading process (os._exit, a crash or running out of "
                "memory); it was skipped")
        self.load_errors = sorted(errors + list(self._skipped.items()))
        return self.load_errors

    def call(self, name: str, args: tuple = (), kwargs: dict | None = None,
             timeout: float = 10.0, probe: str | None = None) -> CallResult:
        """Call ``name(*args, **kwargs)`` in the worker, waiting at most ``timeout`` seconds.

        With ``probe`` (``"dlcourse.module:function"``) the worker calls
        ``probe(name, *args, **kwargs)`` instead, which reduces a non-plain result
        (a Keras model) to plain data.
        """
        kwargs = kwargs or {}
        self._ensure_loaded()
        start = time.monotonic()
        request = {"op": "call", "name": name, "args": plaindata.encode(tuple(args)),
                   "kwargs": plaindata.encode(dict(kwargs))}
        if probe is not None:
            request["probe"] = probe
        reply = self._request(request, timeout)
        if reply is None:
            return CallResult(False, error=f"timed out after {timeout:g} s "
                                           f"({time.monotonic() - start:.0f} s) -- an infinite loop?")
        stdout = reply.get("stdout") if isinstance(reply.get("stdout"), str) else ""
        if not reply.get("ok"):
            return CallResult(False, error=str(reply.get("error", "unknown error"))[:600],
                              stdout=stdout)
        try:
            value = plaindata.decode(reply["result"])
            args_after = plaindata.decode(reply["args_after"])
            kwargs_after = plaindata.decode(reply["kwargs_after"])
        except (KeyError, ValueError, TypeError) as exc:
            return CallResult(False, error=f"the worker sent data that is not plain data ({exc})")
        if not isinstance(args_after, tuple) or not isinstance(kwargs_after, dict):
            return CallResult(False, error="the worker sent a malformed reply")
        return CallResult(True, value, args_after, kwargs_after, stdout=stdout)
