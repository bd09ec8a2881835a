"""Check specifications shared by the public checks (student kernel) and the hidden checks (grader).

A :class:`Case` is one call of a graded function with its inputs.  A
:class:`FunctionCheck` says how to judge the returned value: tolerances,
whether predictions are labels, whether inputs must stay untouched, and a list
of *diagnoses* -- known wrong implementations whose output, when matched,
names the student's likely mistake ("forgot the 1/m", "used tanh instead of
sigmoid").

:func:`judge` compares one result; :func:`public_check` runs the public cases
of a notebook's visible check cell and prints expected values next to the
student's.
"""
from __future__ import annotations

import contextlib
import copy
import dis
import io
import re
import types
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from .compare import compare

__all__ = ["Case", "FunctionCheck", "CallOutcome", "judge", "quiet", "public_check", "global_data_names",
           "apply_case", "probe_path"]

_MISSING = object()


@dataclass
class Case:
    """One call: ``fn(*args, **kwargs)``; ``expected`` is set for public cases only."""
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    label: str = ""
    expected: Any = _MISSING
    timeout: float = 10.0
    #: ``(wrong_value, message)``: values a known mistake gives on this case's inputs
    known_mistakes: Sequence[tuple[Any, str]] = ()

    @property
    def has_expected(self) -> bool:
        return self.expected is not _MISSING


@dataclass
class FunctionCheck:
    """How the result of one graded function is judged.

    ``transform`` maps a result (student's or reference) to what is compared,
    for example to drop a key that may legitimately differ.  ``diagnoses`` are
    ``(wrong_implementation, message)`` pairs called with the same arguments.
    ``cases`` builds the hidden cases from a ``numpy.random.Generator``
    seeded at grading time; ``reference`` computes their expected values (a
    hidden case that sets ``expected`` itself -- say, a numerical gradient --
    is judged against that instead).  ``error_hints`` are ``(regex, message)``
    pairs: when the student's function raises and the error text matches, the
    message names the likely mistake (``KeyError: 'W3'``: a hard-coded layer).

    ``probe`` is for functions whose result is not plain data (a Keras model, a
    tensor): ``probe(fn, *args, **kwargs)`` calls ``fn`` and reduces what it
    returns to plain data (say, a model's layer summary and its outputs on fixed
    inputs).  It runs wherever the function runs -- in the student's kernel for
    the public cases, in the grading worker for the hidden ones (so it must be a
    module-level function of the ``dlcourse`` package, imported there by name),
    and on the reference and the diagnoses in the grader.

    ``explain(actual, expected)`` turns a mismatch of such plain data into
    sentences a student can act on ("a Conv2D layer is missing", "the output
    shape is ..."); it runs in the grader and must not quote hidden values.
    When it returns nothing, the generic comparison message is kept.
    """
    name: str
    rtol: float = 1e-6
    atol: float = 1e-9
    labels: bool = False
    check_mutation: bool = True
    transform: Callable[[Any], Any] | None = None
    diagnoses: Sequence[tuple[Callable[..., Any], str]] = ()
    error_hints: Sequence[tuple[str, str]] = ()
    reference: Callable[..., Any] | None = None
    cases: Callable[[np.random.Generator], list[Case]] | None = None
    probe: Callable[..., Any] | None = None
    explain: Callable[[Any, Any], list[str]] | None = None


def apply_case(fn: Callable, case: Case, probe: Callable | None = None,
               args: tuple | None = None, kwargs: dict | None = None) -> Any:
    """``fn(*args, **kwargs)``, or ``probe(fn, *args, **kwargs)`` when a probe is given
    (``args``/``kwargs`` default to deep copies of the case's)."""
    args = copy.deepcopy(case.args) if args is None else args
    kwargs = copy.deepcopy(case.kwargs) if kwargs is None else kwargs
    return probe(fn, *args, **kwargs) if probe is not None else fn(*args, **kwargs)


def probe_path(probe: Callable) -> str:
    """``"module:qualname"`` of a probe, as the grading worker imports it."""
    module, qualname = getattr(probe, "__module__", ""), getattr(probe, "__qualname__", "")
    if not module.startswith("dlcourse.") or "<" in qualname:
        raise ValueError(f"probe {probe!r} must be a module-level function of the dlcourse package")
    return f"{module}:{qualname}"


@dataclass
class CallOutcome:
    """What came back from calling a student's function (in-process or in the worker)."""
    ok: bool
    value: Any = None
    args_after: tuple = ()
    kwargs_after: dict = field(default_factory=dict)
    error: str = ""


def _tf(check: FunctionCheck, value: Any) -> Any:
    return check.transform(value) if check.transform else value


@contextlib.contextmanager
def quiet():
    """Run trusted helper code (references, diagnoses) without stdout, stderr warnings or
    numpy floating-point warnings: any of them would land in a graded cell's output."""
    with warnings.catch_warnings(), np.errstate(all="ignore"), \
            contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


def judge(check: FunctionCheck, case: Case, outcome: CallOutcome, expected: Any,
          *, reveal: bool) -> list[str]:
    """Problems with one call's outcome (empty list: the case passes)."""
    with quiet():
        return _judge(check, case, outcome, expected, reveal)


def _judge(check: FunctionCheck, case: Case, outcome: CallOutcome, expected: Any,
           reveal: bool) -> list[str]:
    if not outcome.ok:
        for pattern, message in check.error_hints:
            if re.search(pattern, outcome.error):
                return [f"{message} (raised {outcome.error})"]
        return [f"raised {outcome.error}"]
    try:
        actual = _tf(check, outcome.value)
    except Exception as exc:  # the student's value has the wrong structure for transform
        return [f"returned {type(outcome.value).__name__} of an unexpected structure ({exc})"]
    problems = compare(actual, _tf(check, expected), rtol=check.rtol, atol=check.atol,
                       path="result", reveal=reveal, labels=check.labels)
    if problems and check.explain is not None:
        try:
            problems = list(check.explain(actual, _tf(check, expected))) or problems
        except Exception:  # the student's value has a shape explain does not know
            pass
    if problems:
        for wrong_value, message in case.known_mistakes:
            if not compare(actual, _tf(check, wrong_value), rtol=check.rtol, atol=check.atol,
                           labels=check.labels):
                return [f"{message} ({problems[0]})"]
        for wrong, message in check.diagnoses:
            try:
                wrong_value = apply_case(wrong, case, check.probe)
            except Exception:
                continue
            if not compare(actual, _tf(check, wrong_value), rtol=check.rtol, atol=check.atol,
                           labels=check.labels):
                return [f"{message} ({problems[0]})"]
    if not problems and check.check_mutation:
        if compare(outcome.args_after, tuple(case.args), rtol=0, atol=0) or \
                compare(outcome.kwargs_after, dict(case.kwargs), rtol=0, atol=0):
            problems.append("the function modified its input arguments in place; "
                            "work on a copy (e.g. w = w - ..., not w -= ...)")
    return problems


def global_data_names(fn: Callable) -> list[str]:
    """Names of notebook-level *data* (arrays, numbers) that ``fn`` reads as globals.

    A function that reads ``X`` or ``m`` from the notebook instead of its
    arguments passes on the notebook's own data and fails on any other.
    """
    code = getattr(fn, "__code__", None)
    glb = getattr(fn, "__globals__", {})
    if code is None:
        return []
    names: set[str] = set()
    stack = [code]
    while stack:
        c = stack.pop()
        # only real global reads: attribute names (x.shape, np.dot) are not globals
        names.update(ins.argval for ins in dis.get_instructions(c)
                     if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME"))
        stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    data_types = (np.ndarray, int, float, list, dict, tuple)
    return sorted(n for n in names if not n.startswith("_") and n in glb
                  and isinstance(glb[n], data_types) and not isinstance(glb[n], bool))


def _leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            out += _leaves(v, f"{path}[{k!r}]" if path else str(k))
        return out
    if isinstance(value, tuple) and not isinstance(value, np.ndarray):
        out = []
        for i, v in enumerate(value):
            out += _leaves(v, f"{path}[{i}]" if path else f"[{i}]")
        return out
    return [(path or "result", value)]


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray) or isinstance(value, (float, np.floating)):
        text = np.array2string(np.asarray(value), precision=8, separator=" ",
                               threshold=50, max_line_width=200)
        return " ".join(text.split())
    if isinstance(value, list):
        items = [_show(v) for v in value[:6]]
        more = f", ... ({len(value)} items)" if len(value) > 6 else ""
        return "[" + ", ".join(items) + more + "]"
    return repr(value)


def call_in_process(fn: Callable, case: Case, probe: Callable | None = None) -> CallOutcome:
    """Call ``fn`` (through ``probe`` when given) on deep copies of the case's inputs, keeping
    what it did to them."""
    args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
    try:
        value = apply_case(fn, case, probe, args, kwargs)
    except Exception as exc:
        return CallOutcome(False, error=f"{type(exc).__name__}: {exc}")
    return CallOutcome(True, value, tuple(args), dict(kwargs))


def public_check(fn: Callable, check: FunctionCheck, cases: Sequence[Case]) -> None:
    """Run the visible checks of one graded function and print a report (stdout only).

    Prints the student's values next to the expected ones; raises
    ``AssertionError`` naming the first problem when any case fails, so that
    "Run All" stops at the function to fix.
    """
    name = check.name
    if not callable(fn):
        raise AssertionError(f"{name} is {type(fn).__name__}, not a function")
    failures: list[str] = []
    for n, case in enumerate(cases, 1):
        print(f"{name} -- public case {n}{': ' + case.label if case.label else ''}")
        outcome = call_in_process(fn, case, check.probe)
        if not outcome.ok:
            if outcome.error.startswith("NotImplementedError"):
                print("  not implemented yet: replace `raise NotImplementedError()` with your code")
            else:  # "raised ...", or the error hint that names the likely mistake
                print(f"  ✗ {judge(check, case, outcome, None, reveal=True)[0]}")
            failures.append(f"case {n} raised {outcome.error}")
            continue
        problems = judge(check, case, outcome, case.expected, reveal=True)
        try:
            shown = _leaves(_tf(check, outcome.value))
            wanted = dict(_leaves(_tf(check, case.expected)))
        except Exception:
            shown, wanted = [("result", outcome.value)], {}
        for path, value in shown:
            mark = "" if path not in wanted else f"   expected {_show(wanted[path])}"
            print(f"  {path} = {_show(value)}{mark}")
        for p in problems:
            print(f"  ✗ {p}")
        if problems:
            failures.append(f"case {n}: {problems[0]}")
    used = global_data_names(fn)
    if used:
        msg = (f"{name} reads the notebook variable(s) {used} instead of its arguments; "
               "it will fail on the hidden cases")
        print(f"  ✗ {msg}")
        failures.append(msg)
    if failures:
        print(f"✗ {len(failures)} problem(s) in {name}.")
        raise AssertionError(f"{name}: {failures[0]}")
    print(f"✓ All {len(cases)} public case(s) of {name} passed.")
