"""The student worker: the only process in which submitted code runs during grading.

Started by :class:`dlcourse.autograder.worker_client.Worker` as
``python -I -m dlcourse.autograder.worker``.  It reads one JSON request per
line from a private copy of stdin and writes one JSON response per line to a
private copy of stdout; the real fds 0/1 are pointed at /dev/null and stderr so
that student code can neither read requests nor corrupt the channel by
printing.

Requests::

    {"op": "load", "cells": ["code", ...]}     -> {"progress": 0}, {"progress": 1}, ... (one per cell)
                                                  {"ok": true, "errors": [[i, "ValueError: ..."], ...]}
    {"op": "call", "name": "f", "args": ..., "kwargs": ..., ["probe": "dlcourse.mod:fn"]}
        -> {"ok": true, "result": ..., "args_after": ..., "kwargs_after": ..., "stdout": "..."}
        (with a probe the worker calls ``fn(f, *args, **kwargs)``: it reduces a result that
        is not plain data, such as a Keras model, to plain data)
        or {"ok": false, "error": "ZeroDivisionError: ..."}

Nothing sent back is trusted: the grader decodes it with
:func:`dlcourse.autograder.plaindata.decode` and compares it with the reference
in its own process.
"""
from __future__ import annotations

import contextlib
import io
import json
import linecache
import os
import sys
import traceback
import types
import warnings

MAX_STDOUT = 2000


def _short_error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 500 else text[:497] + "..."


def _location(exc: BaseException) -> str:
    """Line of the student's code where ``exc`` was raised, for the report."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith("<cell")]
    if not frames:
        return ""
    f = frames[-1]
    return f" (in {f.name}, line {f.lineno}: {f.line})" if f.line else f" (in {f.name})"


def _probe(path: str):
    """The probe function ``"dlcourse.module:qualname"`` (only the course package's)."""
    import importlib

    module_name, _, qualname = path.partition(":")
    if not module_name.startswith("dlcourse.") or not qualname:
        raise ValueError(f"refusing probe {path!r}: not a function of the dlcourse package")
    target = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def main() -> None:
    req_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    resp_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull)

    warnings.filterwarnings("ignore")
    from dlcourse.autograder import plaindata  # imported before student code can patch it

    module = types.ModuleType("__main__")
    sys.modules["__main__"] = module
    namespace = module.__dict__

    def reply(payload: dict) -> None:
        resp_out.write(json.dumps(payload) + "\n")
        resp_out.flush()

    for line in req_in:
        try:
            req = json.loads(line)
        except ValueError:
            reply({"ok": False, "error": "malformed request"})
            continue
        op = req.get("op")
        if op == "load":
            errors = []
            for i, src in enumerate(req["cells"]):
                reply({"progress": i})  # the parent skips this cell if the process dies in it
                buf = io.StringIO()
                filename = f"<cell {i}>"
                # so tracebacks can quote the student's line
                linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
                try:
                    code = compile(src, filename, "exec")
                    with contextlib.redirect_stdout(buf):
                        exec(code, namespace)
                except BaseException as exc:  # noqa: BLE001 - report and go on
                    errors.append([i, _short_error(exc)])
            reply({"ok": True, "errors": errors})
        elif op == "call":
            name = req["name"]
            fn = namespace.get(name)
            if fn is None:
                reply({"ok": False, "error": f"NameError: `{name}` is not defined -- was its cell "
                                             "deleted, renamed or did it fail to run?"})
                continue
            if not callable(fn):
                reply({"ok": False, "error": f"TypeError: `{name}` is not a function"})
                continue
            buf = io.StringIO()
            try:
                args = plaindata.decode(req["args"])
                kwargs = plaindata.decode(req["kwargs"])
                with contextlib.redirect_stdout(buf):
                    if req.get("probe"):
                        result = _probe(req["probe"])(fn, *args, **kwargs)
                    else:
                        result = fn(*args, **kwargs)
                payload = {"ok": True, "result": plaindata.encode(result),
                           "args_after": plaindata.encode(args),
                           "kwargs_after": plaindata.encode(kwargs)}
            except plaindata.NotPlainData as exc:
                payload = {"ok": False, "error": f"returned {exc}"}
            except BaseException as exc:  # noqa: BLE001
                payload = {"ok": False, "error": _short_error(exc) + _location(exc)}
            payload["stdout"] = buf.getvalue()[:MAX_STDOUT]
            reply(payload)
        elif op == "quit":
            break
        else:
            reply({"ok": False, "error": f"unknown op {op!r}"})


if __name__ == "__main__":
    main()
