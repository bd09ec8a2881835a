"""Compare a returned value with an expected one and explain every mismatch.

In the spirit of ``numpy.testing``: :func:`compare` walks dicts, tuples and
lists recursively and returns a list of human-readable problems (empty when
the values agree).  Checks are ordered -- type, then shape, then dtype, then
values -- so the first message is the most useful one.

Equivalent answers are accepted: a Python float for a numpy scalar, a 0-d
array for a scalar, and 0./1. floats, ints or bools for label arrays.

``reveal=False`` keeps numbers of the expected value out of the messages; the
hidden checks use it so that feedback never leaks reference outputs.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = ["compare", "describe", "is_plain_number"]


def is_plain_number(x: Any) -> bool:
    """True for Python/numpy real numbers (bools excluded) and 0-d numeric arrays."""
    if isinstance(x, (bool, np.bool_)):
        return False
    if isinstance(x, numbers.Real):
        return True
    return isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "iuf"


def describe(x: Any) -> str:
    """Short description of a value's type (and shape): ``ndarray (2, 3) float64``."""
    if isinstance(x, np.ndarray):
        return f"ndarray of shape {x.shape} and dtype {x.dtype}"
    if isinstance(x, (tuple, list)):
        return f"{type(x).__name__} of length {len(x)}"
    if isinstance(x, dict):
        return f"dict with keys {sorted(map(str, x))}"
    return type(x).__name__


def _fmt(a: np.ndarray | float) -> str:
    return np.array2string(np.asarray(a), precision=8, separator=" ", threshold=20)


def _shape_hint(actual: tuple, expected: tuple) -> str:
    if len(actual) == 2 and actual == expected[::-1] and actual != expected:
        return " -- transposed? (check the order of the matrix product or a missing .T)"
    if int(np.prod(actual)) == int(np.prod(expected)):
        if expected and expected[-1] == 1 and len(actual) == len(expected) - 1:
            return " -- the column dimension is missing (keepdims=True or .reshape(-1, 1)?)"
        return " -- same number of entries, different layout (check reshape)"
    return ""


def _values_problem(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float,
                    path: str, reveal: bool, labels: bool = False) -> str | None:
    a = actual.astype(np.float64, copy=False)
    e = expected.astype(np.float64, copy=False)
    if not np.all(np.isfinite(a)) and np.all(np.isfinite(e)):
        return (f"{path} contains nan or inf -- an overflow or log(0)? "
                "Use a numerically stable formula.")
    close = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    bad = int((~close).sum())
    msg = f"{path}: {bad} of {close.size} values differ"
    finite = np.isfinite(a) & np.isfinite(e) & (np.abs(e) > 1e-12)
    if finite.sum() >= 2 and not labels:  # one value always has a "constant" ratio: no hint then
        ratio = a[finite] / e[finite]
        r0 = float(np.median(ratio))
        if abs(r0 - 1) > 1e-3 and np.allclose(ratio, r0, rtol=1e-4):
            if abs(r0 + 1) < 1e-4:
                msg += " -- the sign is flipped"
            else:
                factor = f" ({r0:.4g})" if reveal else ""  # the ratio would reveal the reference
                msg += (f" -- every value is off by the same factor{factor}: "
                        "a missing or extra scaling such as 1/m?")
            return msg
    if reveal:
        idx = np.unravel_index(int(np.argmax(~close)), close.shape) if close.ndim else ()
        got = a[idx] if close.ndim else a
        want = e[idx] if close.ndim else e
        where = f" at index {tuple(int(i) for i in idx)}" if close.ndim else ""
        msg += f"; first mismatch{where}: got {float(got):.8g}, expected {float(want):.8g}"
        msg += f" (tolerance rtol={rtol:g}, atol={atol:g})"
    return msg


def _compare_arrays(actual: Any, expected: np.ndarray, rtol: float, atol: float, path: str,
                    reveal: bool, labels: bool) -> list[str]:
    if not isinstance(actual, np.ndarray):
        if isinstance(actual, (list, tuple)):
            return [f"{path} is a Python {type(actual).__name__}; a numpy array is expected "
                    f"(shape {expected.shape})"]
        return [f"{path} is {describe(actual)}; a numpy array of shape {expected.shape} is expected"]
    if actual.shape != expected.shape:
        return [f"{path} has shape {actual.shape}, expected {expected.shape}"
                + _shape_hint(actual.shape, expected.shape)]
    kinds_numeric = "biuf"
    if actual.dtype.kind not in kinds_numeric:
        return [f"{path} has dtype {actual.dtype}; a numeric array is expected"]
    if expected.dtype.kind == "f" and actual.dtype.kind in "iu" and not labels:
        if not np.all(np.equal(np.mod(expected, 1), 0)):
            return [f"{path} has integer dtype {actual.dtype}, expected floats -- "
                    "integer division or an int array initialised with np.zeros(..., dtype=int)?"]
    if labels:
        if not np.all(np.isin(actual.astype(np.float64), (0.0, 1.0))):
            return [f"{path} should only contain 0/1 (or False/True) labels"]
    problem = _values_problem(actual, expected, rtol, atol, path, reveal, labels)
    return [problem] if problem else []


def compare(actual: Any, expected: Any, *, rtol: float = 1e-7, atol: float = 0.0,
            path: str = "result", reveal: bool = True, labels: bool = False) -> list[str]:
    """Return the list of problems found when comparing ``actual`` with ``expected``.

    ``expected`` drives the comparison: a dict asks for the same keys, a tuple or
    list for the same length, an array for the same shape and close values
    (``np.isclose(actual, expected, rtol, atol)``), a number for a real number
    (Python, numpy scalar or 0-d array).  ``labels=True`` accepts bool, int and
    float 0/1 arrays as equivalent predictions.
    """
    kw = dict(rtol=rtol, atol=atol, reveal=reveal, labels=labels)
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path} is {describe(actual)}; a dict with keys {sorted(expected)} is expected"]
        problems = []
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        if missing:
            problems.append(f"{path} is missing the key(s) {missing}")
        if extra:
            problems.append(f"{path} has unexpected key(s) {sorted(map(str, extra))}")
        for key in expected:
            if key in actual:
                problems += compare(actual[key], expected[key], path=f"{path}[{key!r}]", **kw)
        return problems
    if isinstance(expected, (tuple, list)):
        if not isinstance(actual, (tuple, list)):
            return [f"{path} is {describe(actual)}; a {type(expected).__name__} of "
                    f"{len(expected)} items is expected"]
        if len(actual) != len(expected):
            return [f"{path} has {len(actual)} items, expected {len(expected)}"]
        problems = []
        for i, (a, e) in enumerate(zip(actual, expected)):
            problems += compare(a, e, path=f"{path}[{i}]", **kw)
        return problems
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        return _compare_arrays(actual, expected, path=path, **kw)
    if isinstance(expected, (bool, np.bool_)):
        if isinstance(actual, (bool, np.bool_)) and bool(actual) == bool(expected):
            return []
        return [f"{path} is {actual!r}, expected {bool(expected)!r}" if reveal
                else f"{path} is not the expected boolean"]
    if is_plain_number(expected):
        if isinstance(actual, np.ndarray) and actual.ndim > 0:
            return [f"{path} is an array of shape {actual.shape}; a single number is expected "
                    "(use float(...) or np.squeeze)"]
        if not is_plain_number(actual) and not (labels and isinstance(actual, (bool, np.bool_))):
            return [f"{path} is {describe(actual)}; a number is expected"]
        problem = _values_problem(np.asarray(actual, dtype=np.float64),
                                  np.asarray(expected, dtype=np.float64), rtol, atol, path, reveal)
        return [problem] if problem else []
    if isinstance(expected, str) or expected is None:
        if actual == expected and type(actual) is type(expected):
            return []
        return [f"{path} is {actual!r}, expected {expected!r}" if reveal
                else f"{path} is not the expected value"]
    raise TypeError(f"compare() cannot use an expected value of type {type(expected).__name__}")
