"""Parent side of the student worker: start it, feed it code, call functions with a deadline.

Student code never runs in the grader's own process.  Each :class:`Worker`
owns one ``python -I -m dlcourse.autograder.worker`` child in a scratch
directory with a memory cap; a call that overruns its deadline kills the child,
and the next call starts a fresh one and replays the loaded cells.
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
from typing import Any

from . import plaindata

__all__ = ["Worker", "CallResult"]

MEMORY_LIMIT_BYTES = 4 * 1024 ** 3


@dataclass
class CallResult:
    """Outcome of one call made in the worker; ``value`` and ``args_after`` are decoded plain data."""
    ok: bool
    value: Any = None
    args_after: tuple = ()
    kwargs_after: dict = field(default_factory=dict)
    error: str = ""
    stdout: str = ""


def _limit_memory() -> None:  # runs in the child before exec
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    except (ImportError, ValueError, OSError):
        pass
    os.setsid()


class Worker:
    """A restartable child process that runs student code.

    >>> with Worker() as w:
    ...     w.load(["def f(x):\\n    return x + 1"])
    ...     w.call("f", (1,)).value
    """

    def __init__(self, load_timeout: float = 60.0):
        self.load_timeout = load_timeout
        self.cells: list[str] = []
        self.load_errors: list[tuple[int, str]] = []
        self._proc: subprocess.Popen | None = None
        self._scratch = tempfile.TemporaryDirectory(prefix="dlcourse-worker-")
        self._stderr = tempfile.TemporaryFile()

    # -- process management -------------------------------------------------
    def _start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "JUPYTER_"))}
        env.update(NBGRADER_EXECUTION="autograde", MPLBACKEND="Agg", PYTHONHASHSEED="0",
                   OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-m", "dlcourse.autograder.worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            cwd=self._scratch.name, env=env, preexec_fn=_limit_memory, text=True,
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

    def _request(self, payload: dict, timeout: float) -> dict | None:
        """Send one request; return the decoded JSON reply, or None on timeout/crash."""
        assert self._proc is not None
        try:
            self._proc.stdin.write(json.dumps(payload) + "\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self._kill()
            return {"ok": False, "error": "the worker process died (os._exit, a crash or "
                                          "running out of memory?)"}
        sel = selectors.DefaultSelector()
        sel.register(self._proc.stdout, selectors.EVENT_READ)
        ready = sel.select(timeout)
        sel.close()
        if not ready:
            self._kill()
            return None
        line = self._proc.stdout.readline()
        if not line:
            code = self._proc.poll()
            self._kill()
            return {"ok": False, "error": f"the worker process died (exit code {code}); "
                                          "os._exit, a crash or running out of memory?"}
        try:
            reply = json.loads(line)
        except ValueError:
            return {"ok": False, "error": "the worker sent a malformed reply"}
        return reply if isinstance(reply, dict) else {"ok": False, "error": "malformed reply"}

    # -- public API ---------------------------------------------------------
    def load(self, cells: list[str]) -> list[tuple[int, str]]:
        """Run ``cells`` (source strings) in a fresh namespace; return per-cell errors."""
        self.cells = list(cells)
        self._kill()
        return self._ensure_loaded()

    def _ensure_loaded(self) -> list[tuple[int, str]]:
        if self._proc is not None and self._proc.poll() is None:
            return self.load_errors
        self._start()
        reply = self._request({"op": "load", "cells": self.cells}, self.load_timeout)
        if reply is None:
            self.load_errors = [(-1, f"running the notebook's code took more than "
                                     f"{self.load_timeout:g} s (an infinite loop at top level?)")]
            self._start()  # an empty worker: every call then reports an undefined name
            self._request({"op": "load", "cells": []}, self.load_timeout)
        elif not reply.get("ok"):
            self.load_errors = [(-1, str(reply.get("error")))]
        else:
            self.load_errors = [(int(i), str(e)) for i, e in reply.get("errors", [])]
        return self.load_errors

    def call(self, name: str, args: tuple = (), kwargs: dict | None = None,
             timeout: float = 10.0) -> CallResult:
        """Call ``name(*args, **kwargs)`` in the worker, waiting at most ``timeout`` seconds."""
        kwargs = kwargs or {}
        self._ensure_loaded()
        start = time.monotonic()
        reply = self._request({"op": "call", "name": name, "args": plaindata.encode(tuple(args)),
                               "kwargs": plaindata.encode(dict(kwargs))}, timeout)
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
