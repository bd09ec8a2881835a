"""Safe transport of plain data between the trusted grader and the student worker.

Only arrays of numeric/bool dtypes, numbers, strings, bools, None, lists,
tuples and dicts with string keys can cross.  The format is JSON; arrays are
raw little-endian bytes in base64.  :func:`decode` never evaluates anything and
re-validates every field, so a worker that forges its answer can at most
send plain data -- never an object with a custom ``__eq__``.
"""
from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np

__all__ = ["encode", "decode", "dumps", "loads", "NotPlainData"]

_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
           "float16", "float32", "float64"}
MAX_DEPTH = 32
MAX_BYTES = 512 * 1024 * 1024


class NotPlainData(TypeError):
    """Raised when a value cannot cross the process boundary."""


def encode(obj: Any, _depth: int = 0) -> Any:
    """Turn plain data into JSON-compatible structures (raises :class:`NotPlainData`)."""
    if _depth > MAX_DEPTH:
        raise NotPlainData("value is nested too deeply")
    if obj is None or type(obj) in (bool, str):
        return obj
    if type(obj) is int:
        return {"__int__": str(obj)}
    if type(obj) is float:
        return {"__float__": repr(obj)}
    if isinstance(obj, np.generic) and type(obj).__module__ == "numpy":
        arr = np.asarray(obj)
        return {"__npscalar__": _encode_array(arr)}
    if type(obj) is np.ndarray:
        return {"__ndarray__": _encode_array(obj)}
    if type(obj) in (list, tuple):
        items = [encode(x, _depth + 1) for x in obj]
        return {"__list__": items} if type(obj) is list else {"__tuple__": items}
    if type(obj) is dict:
        out = []
        for k, v in obj.items():
            if type(k) is not str:
                raise NotPlainData(f"dict key {k!r} is not a string")
            out.append([k, encode(v, _depth + 1)])
        return {"__dict__": out}
    raise NotPlainData(f"an object of type {type(obj).__module__}.{type(obj).__qualname__} "
                       "is not plain data (expected numpy arrays, numbers, strings, "
                       "lists, tuples or dicts)")


def _encode_array(arr: np.ndarray) -> dict:
    if arr.dtype.name not in _DTYPES:
        raise NotPlainData(f"arrays of dtype {arr.dtype} are not supported")
    data = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
    return {"dtype": arr.dtype.name, "shape": list(arr.shape),
            "data": base64.b64encode(data).decode("ascii")}


def _decode_array(spec: Any) -> np.ndarray:
    if not isinstance(spec, dict) or set(spec) != {"dtype", "shape", "data"}:
        raise ValueError("malformed array")
    dtype, shape, data = spec["dtype"], spec["shape"], spec["data"]
    if dtype not in _DTYPES or not isinstance(shape, list) or not isinstance(data, str):
        raise ValueError("malformed array")
    if not all(type(n) is int and n >= 0 for n in shape):
        raise ValueError("malformed array shape")
    raw = base64.b64decode(data.encode("ascii"), validate=True)
    dt = np.dtype(dtype).newbyteorder("<")
    if len(raw) > MAX_BYTES or len(raw) != math.prod(shape) * dt.itemsize:
        raise ValueError("array byte length does not match its shape")
    return np.frombuffer(raw, dtype=dt).reshape(shape).astype(np.dtype(dtype)).copy()


def decode(obj: Any, _depth: int = 0) -> Any:
    """Inverse of :func:`encode`; raises ``ValueError`` on anything unexpected."""
    if _depth > MAX_DEPTH:
        raise ValueError("value is nested too deeply")
    if obj is None or type(obj) in (bool, str):
        return obj
    if type(obj) is not dict or len(obj) != 1:
        raise ValueError(f"unexpected {type(obj).__name__} in plain data")
    (tag, body), = obj.items()
    if tag == "__int__" and type(body) is str:
        if len(body) > 100:
            raise ValueError("integer too long")
        return int(body)
    if tag == "__float__" and type(body) is str:
        return float(body)
    if tag == "__ndarray__":
        return _decode_array(body)
    if tag == "__npscalar__":
        arr = _decode_array(body)
        if arr.ndim != 0:
            raise ValueError("numpy scalar with a shape")
        return arr[()]
    if tag in ("__list__", "__tuple__") and type(body) is list:
        items = [decode(x, _depth + 1) for x in body]
        return items if tag == "__list__" else tuple(items)
    if tag == "__dict__" and type(body) is list:
        out = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise ValueError("malformed dict entry")
            out[pair[0]] = decode(pair[1], _depth + 1)
        return out
    raise ValueError(f"unknown tag {tag!r} in plain data")


def dumps(obj: Any) -> str:
    return json.dumps(encode(obj))


def loads(text: str) -> Any:
    return decode(json.loads(text))
