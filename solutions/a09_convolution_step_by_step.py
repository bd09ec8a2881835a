"""a09 -- reference solution and hidden checks (instructors only, never released).

The reference functions carry the notebook's names so tests can import them.  Besides the
loop versions of the notebook there are vectorized references (``conv_forward_fast``,
``pool_forward_fast`` are graded; ``conv_backward_fast`` and ``pool_backward_fast`` serve the
benchmark and the numerical gradients only).

How the hidden cases are drawn (``rng``: a numpy Generator seeded at grading time):

* every image is non-square, and so is every output (n_H != n_W), so a height/width mix-up
  fails every case;
* strides are 3 or 4: a function that ignores the stride (uses 1) or hard-codes the
  visible example's stride (1 or 2) fails every case.  Pads avoid the visible examples'
  values for the same reason; the one exception is the pad = 0 case of ``conv_backward``
  (pitfall 2, ``[pad:-pad]``), which a function that ignores the pad necessarily passes;
* every bias is non-zero and differs per filter, every volume has at least two channels;
* windows overlap (f > stride), leave gaps (f < stride) or tile (f = stride); max-pool
  windows with integer values tie;
* ``conv_backward`` and ``pool_backward`` each have cases judged against central
  differences of the forward pass (computed here, in the case builder), not the reference;
* ``conv_forward_fast`` and ``pool_forward_fast`` are graded on their values only, on the
  same kinds of cases as ``conv_forward`` and ``pool_forward`` (``pool_forward_fast`` also on
  one small batch of uint8 pixels); their speed is not graded, so a loop earns the same points.

Case sizes keep a correct loop implementation at a few milliseconds per call, so grading a
submission stays within seconds even when every function is a plain loop.  Every case has the
same generous timeout, ``_SMALL``, a thousand times what a correct loop needs: no score depends
on how loaded the grading machine is, only a runaway loop ever reaches it (and a timeout skips
the rest of that function's cases, so a hanging function costs one timeout).
"""
from __future__ import annotations

import dataclasses

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from dlcourse.autograder.checks import Case
from dlcourse.utils.checks import a09_convolution_step_by_step as public

__all__ = ["zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
           "create_mask_from_window", "distribute_value", "pool_backward", "conv_forward_fast",
           "pool_forward_fast", "conv_backward_fast", "pool_backward_fast",
           "numerical_conv_grads", "numerical_pool_grads", "HIDDEN_CHECKS", "SIMULATED_MISTAKES"]


# ============================================================================================
# Reference implementation (loops, as the notebook asks for them)
# ============================================================================================

def zero_pad(X, pad):
    widths = ((0, 0), (pad, pad), (pad, pad), (0, 0))
    return np.pad(X, widths, mode="constant", constant_values=0)


def conv_single_step(a_slice_prev, W, b):
    return np.sum(np.multiply(a_slice_prev, W)) + b.item()


def _windows(n_out, stride, f):
    """(start, end) of the windows along one axis."""
    return [(k * stride, k * stride + f) for k in range(n_out)]


def conv_forward(A_prev, W, b, hparameters):
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, n_C = W.shape[0], W.shape[3]
    stride, pad = hparameters["stride"], hparameters["pad"]
    n_H = (n_H_prev + 2 * pad - f) // stride + 1
    n_W = (n_W_prev + 2 * pad - f) // stride + 1
    padded = zero_pad(A_prev, pad)
    Z = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h, (top, bottom) in enumerate(_windows(n_H, stride, f)):
            for w, (left, right) in enumerate(_windows(n_W, stride, f)):
                window = padded[i, top:bottom, left:right, :]
                for c in range(n_C):
                    Z[i, h, w, c] = conv_single_step(window, W[..., c], b[..., c])
    return Z, (A_prev, W, b, hparameters)


def pool_forward(A_prev, hparameters, mode="max"):
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f, stride = hparameters["f"], hparameters["stride"]
    n_H, n_W = (n_H_prev - f) // stride + 1, (n_W_prev - f) // stride + 1
    reduce = {"max": np.max, "average": np.mean}[mode]
    A = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h, (top, bottom) in enumerate(_windows(n_H, stride, f)):
            for w, (left, right) in enumerate(_windows(n_W, stride, f)):
                for c in range(n_C):
                    A[i, h, w, c] = reduce(A_prev[i, top:bottom, left:right, c])
    return A, (A_prev, hparameters)


def conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    _, n_H_prev, n_W_prev, _ = A_prev.shape
    f = W.shape[0]
    m, n_H, n_W, n_C = dZ.shape
    padded = zero_pad(A_prev, pad)
    d_padded = np.zeros(padded.shape)
    dW, db = np.zeros(W.shape), np.zeros(b.shape)
    for i in range(m):
        for h, (top, bottom) in enumerate(_windows(n_H, stride, f)):
            for w, (left, right) in enumerate(_windows(n_W, stride, f)):
                for c in range(n_C):
                    g = dZ[i, h, w, c]
                    d_padded[i, top:bottom, left:right, :] += W[..., c] * g
                    dW[..., c] += padded[i, top:bottom, left:right, :] * g
                    db[..., c] += g
    # slice by length, not [pad:-pad]: that is empty for pad = 0
    return d_padded[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :], dW, db


def create_mask_from_window(x):
    return np.asarray(x) == np.max(x)


def distribute_value(dz, shape):
    n_H, n_W = shape
    return np.full((n_H, n_W), dz / (n_H * n_W), dtype=float)


def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        for h, (top, bottom) in enumerate(_windows(n_H, stride, f)):
            for w, (left, right) in enumerate(_windows(n_W, stride, f)):
                for c in range(n_C):
                    g = dA[i, h, w, c]
                    if mode == "max":
                        share = create_mask_from_window(A_prev[i, top:bottom, left:right, c]) * g
                    else:
                        share = distribute_value(g, (f, f))
                    dA_prev[i, top:bottom, left:right, c] += share
    return dA_prev


# ============================================================================================
# Vectorized references
# ============================================================================================

def _strided_windows(X, f, stride):
    """All f x f windows of X (m, H, W, C) at the given stride: (m, n_H, n_W, C, f, f), a view."""
    return sliding_window_view(X, (f, f), axis=(1, 2))[:, ::stride, ::stride]


def conv_forward_fast(A_prev, W, b, hparameters):
    stride, pad = hparameters["stride"], hparameters["pad"]
    windows = _strided_windows(zero_pad(A_prev, pad), W.shape[0], stride)
    Z = np.tensordot(windows, W, axes=([4, 5, 3], [0, 1, 2])) + b.reshape(-1)
    return Z, (A_prev, W, b, hparameters)


def pool_forward_fast(A_prev, hparameters, mode="max"):
    windows = _strided_windows(A_prev, hparameters["f"], hparameters["stride"])
    A = windows.max(axis=(4, 5)) if mode == "max" else windows.mean(axis=(4, 5))
    return A.astype(float), (A_prev, hparameters)


def conv_backward_fast(dZ, cache):
    """conv_backward without loops over examples, positions or filters (one over the f x f
    offsets of the filter): dW from the windows, dA_prev by scattering dZ @ W[p, q].T."""
    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    f = W.shape[0]
    _, n_H_prev, n_W_prev, _ = A_prev.shape
    _, n_H, n_W, n_C = dZ.shape
    padded = zero_pad(A_prev, pad)
    windows = _strided_windows(padded, f, stride)
    dW = np.tensordot(windows, dZ, axes=([0, 1, 2], [0, 1, 2])).transpose(1, 2, 0, 3)
    db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, n_C)
    d_padded = np.zeros(padded.shape)
    for p in range(f):
        for q in range(f):
            d_padded[:, p:p + stride * n_H:stride, q:q + stride * n_W:stride, :] += dZ @ W[p, q].T
    return d_padded[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :], dW, db


def pool_backward_fast(dA, cache, mode="max"):
    """pool_backward with one loop over the f x f offsets of the window."""
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    _, n_H, n_W, _ = dA.shape
    windows = _strided_windows(A_prev, f, stride)  # (m, n_H, n_W, C, f, f)
    if mode == "max":
        share = (windows == windows.max(axis=(4, 5), keepdims=True)) * dA[..., None, None]
    else:
        share = np.broadcast_to((dA / (f * f))[..., None, None], windows.shape)
    dA_prev = np.zeros(A_prev.shape)
    for p in range(f):
        for q in range(f):
            dA_prev[:, p:p + stride * n_H:stride, q:q + stride * n_W:stride, :] += share[..., p, q]
    return dA_prev


# ============================================================================================
# Numerical gradients: central differences of the forward pass
# ============================================================================================

def _central_difference(f, x, eps):
    """d f / d x for every entry of the array ``x`` (changed in place, then restored)."""
    grad = np.zeros(x.shape)
    for idx in np.ndindex(*x.shape):
        keep = x[idx]
        x[idx] = keep + eps
        plus = f()
        x[idx] = keep - eps
        minus = f()
        x[idx] = keep
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


def numerical_conv_grads(A_prev, W, b, hparameters, dZ, eps=1e-4):
    """(dA_prev, dW, db) of the scalar sum(conv_forward(A_prev, W, b) * dZ), numerically:
    what conv_backward(dZ, cache) must return."""
    A_prev, W, b = (np.array(x, dtype=float) for x in (A_prev, W, b))

    def loss():
        return float(np.sum(conv_forward_fast(A_prev, W, b, hparameters)[0] * dZ))

    return tuple(_central_difference(loss, x, eps) for x in (A_prev, W, b))


def numerical_pool_grads(A_prev, hparameters, dA, mode, eps=1e-6):
    """dA_prev of the scalar sum(pool_forward(A_prev, mode) * dA), numerically."""
    A_prev = np.array(A_prev, dtype=float)

    def loss():
        return float(np.sum(pool_forward_fast(A_prev, hparameters, mode)[0] * dA))

    return _central_difference(loss, A_prev, eps)


# ============================================================================================
# Hidden cases
# ============================================================================================

# seconds, for every case: a correct loop needs milliseconds for any of them, so only a runaway
# loop reaches this, however loaded the grading machine is (scores must not depend on the load)
_SMALL = 5.0


def _int(rng, low, high):
    """An int in [low, high]."""
    return int(rng.integers(low, high + 1))


def _pick(rng, options):
    return options[int(rng.integers(len(options)))]


def _out(n, f, pad, stride):
    return (n + 2 * pad - f) // stride + 1


def _image_size(rng, f, pad, stride, low, high, min_out=1):
    """(n_H_prev, n_W_prev) with n_H_prev != n_W_prev, both outputs >= min_out and different."""
    for _ in range(1000):
        n_H, n_W = _int(rng, low, high), _int(rng, low, high)
        o_H, o_W = _out(n_H, f, pad, stride), _out(n_W, f, pad, stride)
        if n_H != n_W and o_H != o_W and min(o_H, o_W) >= min_out:
            return n_H, n_W
    raise RuntimeError("no image size fits")


def _zero_pad_cases(rng):
    cases = []
    for pad, m in ((1, _int(rng, 2, 4)), (_pick(rng, (4, 5)), _int(rng, 2, 3)), (1, 1),
                   (_pick(rng, (4, 5)), _int(rng, 1, 3))):
        n_H = _int(rng, 2, 6)
        n_W = n_H + _int(rng, 1, 2) * (-1 if n_H > 3 and rng.random() < 0.5 else 1)  # != n_H
        X = rng.normal(size=(m, n_H, n_W, _int(rng, 2, 4)))
        cases.append(Case((X, pad), label=f"X {X.shape}, pad = {pad}", timeout=_SMALL))
    X = rng.normal(size=(2, 1, 3, 2))  # a single row
    cases.append(Case((X, 1), label=f"X {X.shape}, pad = 1", timeout=_SMALL))
    return cases


def _conv_single_step_cases(rng):
    cases = []
    for f, n_C in ((_int(rng, 2, 5), _int(rng, 2, 4)), (_int(rng, 2, 5), _int(rng, 2, 4)),
                   (1, 1), (_int(rng, 3, 6), 1), (_int(rng, 2, 4), _int(rng, 5, 8))):
        a = rng.normal(size=(f, f, n_C))
        W = rng.normal(size=(f, f, n_C))
        b = (0.5 + np.abs(rng.normal(size=(1, 1, 1)))) * _pick(rng, (-1.0, 1.0))  # |b| >= 0.5
        cases.append(Case((a, W, b), label=f"a_slice_prev and W ({f}, {f}, {n_C})", timeout=_SMALL))
    return cases


def _conv_layer(rng, f, pad, stride, m, n_C_prev, n_C, low=5, high=12, min_out=1):
    n_H, n_W = _image_size(rng, f, pad, stride, low, high, min_out)
    A_prev = rng.normal(size=(m, n_H, n_W, n_C_prev))
    W = rng.normal(size=(f, f, n_C_prev, n_C)) / f
    b = rng.normal(size=(1, 1, 1, n_C))
    return A_prev, W, b, {"stride": stride, "pad": pad}


def _conv_label(A_prev, W, hparameters, note=""):
    f, s, p = W.shape[0], hparameters["stride"], hparameters["pad"]
    kind = "overlapping" if f > s else ("tiling" if f == s else "gaps between")
    return (f"A_prev {A_prev.shape}, W {W.shape}, pad = {p}, stride = {s} ({kind} windows)"
            + (f", {note}" if note else ""))


def _conv_forward_cases(rng):
    cases = []
    for f, pad, stride, m in ((_pick(rng, (4, 5)), 2, 3, _int(rng, 2, 3)),
                              (_pick(rng, (2, 3)), 3, _pick(rng, (3, 4)), _int(rng, 2, 3)),
                              (_pick(rng, (3, 4, 5)), 2, 4, 1),
                              (1, 2, 3, _int(rng, 2, 3)),
                              (_pick(rng, (3, 5)), _pick(rng, (2, 3)), 3, _int(rng, 2, 3))):
        A_prev, W, b, hp = _conv_layer(rng, f, pad, stride, m, _int(rng, 2, 3), _int(rng, 2, 4))
        cases.append(Case((A_prev, W, b, hp), label=_conv_label(A_prev, W, hp), timeout=_SMALL))
    return cases


def _conv_forward_fast_cases(rng):
    # graded on values only: the same kinds of cases as conv_forward (speed is not graded)
    return _conv_forward_cases(rng)


def _pool_input(rng, f, stride, m, n_C, integers=False, low=6, high=13):
    n_H, n_W = _image_size(rng, f, 0, stride, low, high, min_out=2)
    if integers == "uint8":  # 8-bit pixels, as images are stored
        return rng.integers(0, 256, size=(m, n_H, n_W, n_C), dtype=np.uint8)
    if integers:  # small integers: windows with tied maxima
        return rng.integers(-3, 4, size=(m, n_H, n_W, n_C)).astype(float)
    return rng.normal(size=(m, n_H, n_W, n_C))


def _pool_label(A_prev, hp, mode, note=""):
    f, s = hp["f"], hp["stride"]
    kind = "overlapping" if f > s else ("tiling" if f == s else "gaps between")
    shown = f'mode = "{mode}"' if mode else 'mode left at its default'
    return f"A_prev {A_prev.shape}, f = {f}, stride = {s} ({kind} windows), {shown}" + (
        f", {note}" if note else "")


def _pool_forward_cases(rng):
    cases = []
    for mode, f, stride, m in (("max", _pick(rng, (4, 5)), 3, _int(rng, 2, 3)),
                               ("average", _pick(rng, (4, 5)), 3, _int(rng, 2, 3)),
                               ("max", 2, _pick(rng, (3, 4)), _int(rng, 2, 3)),
                               ("average", _pick(rng, (3, 4)), _pick(rng, (3, 4)), 1),
                               (None, _pick(rng, (3, 4, 5)), 3, _int(rng, 2, 3))):
        hp = {"stride": stride, "f": f}
        A_prev = _pool_input(rng, f, stride, m, _int(rng, 2, 4))
        kwargs = {} if mode is None else {"mode": mode}
        cases.append(Case((A_prev, hp), kwargs, label=_pool_label(A_prev, hp, mode), timeout=_SMALL))
    return cases


def _pool_forward_fast_cases(rng):
    # graded on values only: the same kinds of cases as pool_forward (speed is not graded) ...
    cases = _pool_forward_cases(rng)
    # ... and a small batch of 8-bit pixels (the docstring allows integers): the mean of uint8
    # values is a float, not truncated to uint8
    hp = {"stride": 3, "f": _pick(rng, (3, 4))}
    A_prev = _pool_input(rng, hp["f"], 3, _int(rng, 2, 3), _int(rng, 2, 3), integers="uint8")
    cases.append(Case((A_prev, hp), {"mode": "average"}, timeout=_SMALL,
                      label=_pool_label(A_prev, hp, "average", "uint8 pixels")))
    return cases


def _conv_backward_cases(rng):
    cases = []
    for f, pad, stride, m in ((_pick(rng, (4, 5)), 1, 3, _int(rng, 2, 3)),
                              (2, 3, _pick(rng, (3, 4)), _int(rng, 2, 3)),
                              (_pick(rng, (4, 5)), 0, 3, _int(rng, 2, 3)),
                              (_pick(rng, (3, 5)), 1, 4, 1),
                              (3, 3, 3, _int(rng, 2, 3))):
        A_prev, W, b, hp = _conv_layer(rng, f, pad, stride, m, _int(rng, 2, 3), _int(rng, 2, 4),
                                       min_out=2)
        n_H, n_W = (_out(n, f, pad, stride) for n in A_prev.shape[1:3])
        dZ = rng.normal(size=(m, n_H, n_W, W.shape[3]))
        note = "pad = 0: no border to cut off" if pad == 0 else ""
        cases.append(Case((dZ, (A_prev, W, b, hp)), label=_conv_label(A_prev, W, hp, note),
                          timeout=_SMALL))
    # judged against central differences of conv_forward, not against the reference
    A_prev, W, b, hp = _conv_layer(rng, 4, 1, 3, 2, 2, 3, low=5, high=9, min_out=2)
    n_H, n_W = (_out(n, 4, 1, 3) for n in A_prev.shape[1:3])
    dZ = rng.normal(size=(2, n_H, n_W, 3))
    cases.append(Case((dZ, (A_prev, W, b, hp)), expected=numerical_conv_grads(A_prev, W, b, hp, dZ),
                      label=_conv_label(A_prev, W, hp, "numerical gradient of conv_forward"),
                      timeout=_SMALL))
    return cases


def _create_mask_cases(rng):
    cases = []
    x = rng.normal(size=(_int(rng, 2, 4), _int(rng, 5, 6)))
    cases.append(Case((x,), label=f"x {x.shape}, random values", timeout=_SMALL))
    x = -np.abs(rng.normal(size=(3, 3))) - 0.5
    cases.append(Case((x,), label="x (3, 3), every value negative", timeout=_SMALL))
    for shape in ((3, 3), (2, 4), (4, 4)):  # a tie for the maximum, at random places
        x = rng.integers(-4, 3, size=shape).astype(float)
        top = x.max() + _int(rng, 1, 3)
        spots = rng.choice(x.size, size=_int(rng, 2, 3), replace=False)
        x.flat[spots] = top
        cases.append(Case((x,), label=f"x {shape}, {len(spots)} entries tie for the maximum",
                          timeout=_SMALL))
    cases.append(Case((np.full((2, 3), float(_int(rng, -3, 3))),), label="x (2, 3), all equal",
                      timeout=_SMALL))
    cases.append(Case((np.array([[float(rng.normal())]]),), label="x (1, 1)", timeout=_SMALL))
    return cases


def _distribute_value_cases(rng):
    cases = []
    for dz, shape in ((float(rng.normal()) * 3, (_int(rng, 2, 3), _int(rng, 4, 5))),
                      (float(rng.normal()) * 3, (_int(rng, 4, 5), _int(rng, 2, 3))),
                      (_int(rng, 2, 9), (3, _pick(rng, (2, 4)))),
                      (np.float64(rng.normal()), (1, _int(rng, 3, 6))),
                      (-abs(float(rng.normal())) - 1, (_int(rng, 3, 6), 1))):
        cases.append(Case((dz, shape), label=f"dz of type {type(dz).__name__}, shape = {shape}",
                          timeout=_SMALL))
    return cases


def _well_separated(A_prev, f, stride, gap=1e-3):
    """No window of A_prev has two values within ``gap`` of its maximum (for a numerical
    gradient of max-pooling, which a tie makes ambiguous)."""
    windows = _strided_windows(A_prev, f, stride)
    ordered = np.sort(windows.reshape(*windows.shape[:4], -1), axis=-1)
    return bool(np.all(ordered[..., -1] - ordered[..., -2] > gap))


def _pool_backward_cases(rng):
    cases = []
    for mode, f, stride, m, integers in (("max", _pick(rng, (4, 5)), 3, _int(rng, 2, 3), False),
                                         ("max", _pick(rng, (4, 5)), 3, _int(rng, 2, 3), True),
                                         ("max", 3, 3, 1, True),
                                         ("average", _pick(rng, (4, 5)), 3, _int(rng, 2, 3), False),
                                         ("average", 2, _pick(rng, (3, 4)), _int(rng, 2, 3), False),
                                         ("max", 2, 4, _int(rng, 2, 3), False)):
        hp = {"stride": stride, "f": f}
        A_prev = _pool_input(rng, f, stride, m, _int(rng, 2, 3), integers=integers)
        n_H, n_W = (_out(n, f, 0, stride) for n in A_prev.shape[1:3])
        dA = rng.normal(size=(m, n_H, n_W, A_prev.shape[3]))
        note = "integer values: tied maxima" if integers else ""
        cases.append(Case((dA, (A_prev, hp)), {"mode": mode}, label=_pool_label(A_prev, hp, mode, note),
                          timeout=_SMALL))
    # judged against central differences of pool_forward
    for mode in ("max", "average"):
        hp = {"stride": 3, "f": 4}
        for _ in range(200):
            A_prev = _pool_input(rng, 4, 3, 2, 2, low=7, high=11)
            if mode == "average" or _well_separated(A_prev, 4, 3):
                break
        n_H, n_W = (_out(n, 4, 0, 3) for n in A_prev.shape[1:3])
        dA = rng.normal(size=(2, n_H, n_W, 2))
        cases.append(Case((dA, (A_prev, hp)), {"mode": mode},
                          expected=numerical_pool_grads(A_prev, hp, dA, mode),
                          label=_pool_label(A_prev, hp, mode, "numerical gradient of pool_forward"),
                          timeout=_SMALL))
    return cases


# ============================================================================================
# Diagnoses: realistic wrong implementations
# ============================================================================================

def _zero_pad_with(widths):
    def pad_fn(X, pad):
        return np.pad(X, widths(pad), mode="constant")
    return pad_fn


def _zero_pad_ones(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=1)


def _css_with(*, bias=1.0, reduce=np.sum):
    def step(a_slice_prev, W, b):
        return float(reduce(a_slice_prev * W) + bias * b.item())
    return step


def _conv_with(*, stride=None, pad=None, step="stride", step_axes="hw", no_pad=False, bias=True,
               bias_channel=None, swap_hw=False, cache="right", shape_pad=True):
    """conv_forward with one realistic mistake (the defaults give the right answer)."""
    def forward(A_prev, W, b, hparameters):
        s = hparameters["stride"] if stride is None else stride
        p = hparameters["pad"] if pad is None else pad
        m, n_H_prev, n_W_prev, _ = A_prev.shape
        f, n_C = W.shape[0], W.shape[3]
        q = p if shape_pad else 0
        n_H = (n_H_prev + 2 * q - f) // s + 1
        n_W = ((n_H_prev if swap_hw else n_W_prev) + 2 * q - f) // s + 1
        padded = A_prev if no_pad else zero_pad(A_prev, p)
        jump = {"stride": s, "one": 1, "f": f}[step]
        jump_h, jump_w = (jump if "h" in step_axes else s), (jump if "w" in step_axes else s)
        Z = np.zeros((m, n_H, n_W, n_C))
        for i in range(m):
            for h in range(n_H):
                for w in range(n_W):
                    window = padded[i, h * jump_h:h * jump_h + f, w * jump_w:w * jump_w + f, :]
                    for c in range(n_C):
                        bias_c = 0.0 if not bias else b[..., c if bias_channel is None else bias_channel].item()
                        Z[i, h, w, c] = np.sum(window * W[..., c]) + bias_c
        layout = {"right": (A_prev, W, b, hparameters), "padded": (zero_pad(A_prev, p), W, b, hparameters),
                  "reordered": (W, A_prev, b, hparameters), "no_b": (A_prev, W, hparameters)}[cache]
        return Z, layout
    return forward


def _pool_with(*, step="stride", step_axes="hw", stride=None, over_channels=False, mode_used=None,
               average="mean", swap_hw=False):
    def forward(A_prev, hparameters, mode="max"):
        f = hparameters["f"]
        s = hparameters["stride"] if stride is None else stride
        m, n_H_prev, n_W_prev, n_C = A_prev.shape
        n_H = (n_H_prev - f) // s + 1
        n_W = ((n_H_prev if swap_hw else n_W_prev) - f) // s + 1
        jump = {"stride": s, "one": 1, "f": f}[step]
        jump_h, jump_w = (jump if "h" in step_axes else s), (jump if "w" in step_axes else s)
        how = mode if mode_used is None else mode_used
        reduce = np.max if how == "max" else (np.mean if average == "mean" else np.sum)
        A = np.zeros((m, n_H, n_W, n_C))
        for i in range(m):
            for h in range(n_H):
                for w in range(n_W):
                    window = A_prev[i, h * jump_h:h * jump_h + f, w * jump_w:w * jump_w + f, :]
                    for c in range(n_C):
                        A[i, h, w, c] = reduce(window) if over_channels else reduce(window[..., c])
        return A, (A_prev, hparameters)
    return forward


def _conv_back_with(*, unpad="length", accumulate_dA=True, dW_from="padded", bias=True,
                    dW_per_example=False, step="stride", step_axes="hw", swap_hw=False):
    def backward(dZ, cache):
        A_prev, W, b, hparameters = cache
        s, p = hparameters["stride"], hparameters["pad"]
        _, n_H_prev, n_W_prev, _ = A_prev.shape
        f = W.shape[0]
        m, n_H, n_W, n_C = dZ.shape
        padded = zero_pad(A_prev, p)
        source = padded if dW_from == "padded" else A_prev
        d_padded = np.zeros(padded.shape)
        dW, db = np.zeros(W.shape), np.zeros(b.shape)
        jump = {"stride": s, "one": 1}[step]
        jump_h, jump_w = (jump if "h" in step_axes else s), (jump if "w" in step_axes else s)
        for i in range(m):
            if dW_per_example:
                dW = np.zeros(W.shape)
            rows, cols = (n_W, n_H) if swap_hw else (n_H, n_W)
            for h in range(rows):
                for w in range(cols):
                    top, left = h * jump_h, w * jump_w
                    for c in range(n_C):
                        g = dZ[i, h, w, c]
                        if accumulate_dA:
                            d_padded[i, top:top + f, left:left + f, :] += W[..., c] * g
                        else:
                            d_padded[i, top:top + f, left:left + f, :] = W[..., c] * g
                        dW[..., c] += source[i, top:top + f, left:left + f, :] * g
                        if bias:
                            db[..., c] += g
        if unpad == "minus":
            dA_prev = d_padded[:, p:-p, p:-p, :]
        elif unpad == "none":
            dA_prev = d_padded
        else:
            dA_prev = d_padded[:, p:p + n_H_prev, p:p + n_W_prev, :]
        return dA_prev, dW, db
    return backward


def _mask_argmax(x):
    mask = np.zeros(np.shape(x), dtype=bool)
    mask[np.unravel_index(int(np.argmax(x)), np.shape(x))] = True
    return mask


def _mask_column_max(x):
    return x == np.max(x, axis=0)


def _mask_positive(x):
    return x > 0


def _distribute_with(divide):
    def distribute(dz, shape):
        n_H, n_W = shape
        return np.ones(shape) * dz / divide(n_H, n_W)
    return distribute


def _pool_back_with(*, step="stride", step_axes="hw", accumulate=True, over_channels=False,
                    tie="all", mode_used=None, spread="f", average_divides=True):
    def backward(dA, cache, mode="max"):
        A_prev, hparameters = cache
        f, s = hparameters["f"], hparameters["stride"]
        m, n_H, n_W, n_C = dA.shape
        jump = {"stride": s, "one": 1}[step]
        jump_h, jump_w = (jump if "h" in step_axes else s), (jump if "w" in step_axes else s)
        how = mode if mode_used is None else mode_used
        dA_prev = np.zeros(A_prev.shape)
        for i in range(m):
            for h in range(n_H):
                for w in range(n_W):
                    top, left = h * jump_h, w * jump_w
                    for c in range(n_C):
                        g = dA[i, h, w, c]
                        if how == "max":
                            window = A_prev[i, top:top + f, left:left + f, :]
                            if over_channels:
                                mask = window[..., c] == np.max(window)
                            elif tie == "first":
                                mask = _mask_argmax(window[..., c])
                            else:
                                mask = window[..., c] == np.max(window[..., c])
                            share = mask * g
                        else:
                            shape = (f, f) if spread == "f" else (n_H, n_W)
                            share = np.ones((f, f)) * g / (shape[0] * shape[1] if average_divides else 1)
                        if accumulate:
                            dA_prev[i, top:top + f, left:left + f, c] += share
                        else:
                            dA_prev[i, top:top + f, left:left + f, c] = share
        return dA_prev
    return backward


# ============================================================================================

_BROADCAST = (r"could not be broadcast|shapes? .* (mismatch|not aligned)",
              "a window and the filter have different shapes (the input not padded, or height and "
              "width mixed up?): take f rows and f columns of the *padded* input, "
              "a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :], and filter c, W[:, :, :, c]")
_ITEM = public._BIAS_OF_ALL_FILTERS
_OUT_OF_RANGE = (r"index \d+ is out of bounds",
                 "an index runs past the end of an array (height and width mixed up?): n_H comes "
                 "from n_H_prev (axis 1) and n_W from n_W_prev (axis 2), and the loops run for h in "
                 "range(n_H), w in range(n_W)")
_EMPTY_WINDOW = (r"zero-size array",
                 "a window is empty, it starts past the edge of the image (height and width mixed "
                 "up?): n_W comes from n_W_prev (axis 2), and window (h, w) starts at row "
                 "h * stride, column w * stride")

_CONV_DIAGNOSES = [
    (_conv_with(step="one"), "the stride is ignored where the windows start: window h starts "
                             "at row h * stride (vert_start = h * stride), not at row h"),
    (_conv_with(step="one", step_axes="h"), "the stride is ignored for the rows: vert_start = "
                                            "h * stride, as horiz_start = w * stride"),
    (_conv_with(step="one", step_axes="w"), "the stride is ignored for the columns: horiz_start = "
                                            "w * stride, as vert_start = h * stride"),
    (_conv_with(step="f"), "the windows move by f (the filter size); they move by the stride: "
                           "vert_start = h * stride"),
    (_conv_with(stride=1), "the stride is ignored (taken as 1): read it from "
                           "hparameters['stride'], for n_H, n_W and the windows"),
    (_conv_with(stride=2), "the stride is fixed at 2 (the example's value): read it from "
                           "hparameters['stride']"),
    (_conv_with(pad=1), "the pad is fixed at 1 (the example's value): read it from "
                        "hparameters['pad']"),
    (_conv_with(pad=0), "the input is not padded (pad taken as 0): read it from "
                        "hparameters['pad'] and pad with zero_pad"),
    (_conv_with(shape_pad=False), "n_H and n_W leave out the padding: "
                                  "n_H = (n_H_prev + 2 * pad - f) // stride + 1"),
    (_conv_with(swap_hw=True), "height and width are mixed up: n_W comes from n_W_prev "
                               "(A_prev.shape[2]), n_H from n_H_prev (A_prev.shape[1])"),
    (_conv_with(bias=False), "the bias is missing: every output gets b[:, :, :, c] added "
                             "(conv_single_step does it)"),
    (_conv_with(bias_channel=0), "every filter gets the bias of filter 0: filter c uses "
                                 "b[:, :, :, c]"),
    (_conv_with(cache="padded"), "the cache must hold A_prev as it came in, not padded: "
                                 "cache = (A_prev, W, b, hparameters)"),
    (_conv_with(cache="reordered"), "the cache must be (A_prev, W, b, hparameters), in this order"),
    (_conv_with(cache="no_b"), "the cache must be (A_prev, W, b, hparameters), all four"),
]

_POOL_DIAGNOSES = [
    (_pool_with(over_channels=True), "the window is pooled over every channel at once: pool each "
                                     "channel c on its own, A_prev[i, vert_start:vert_end, "
                                     "horiz_start:horiz_end, c]"),
    (_pool_with(step="one"), "the stride is ignored where the windows start: window h starts at "
                             "row h * stride, not at row h"),
    (_pool_with(step="one", step_axes="h"), "the stride is ignored for the rows: vert_start = "
                                            "h * stride, as horiz_start = w * stride"),
    (_pool_with(step="one", step_axes="w"), "the stride is ignored for the columns: horiz_start = "
                                            "w * stride, as vert_start = h * stride"),
    (_pool_with(step="f"), "the windows move by f (the window size); they move by the stride"),
    (_pool_with(stride=1), "the stride is ignored (taken as 1): read it from "
                           "hparameters['stride'], for n_H, n_W and the windows"),
    (_pool_with(stride=2), "the stride is fixed at 2: read it from hparameters['stride']"),
    (_pool_with(swap_hw=True), "height and width are mixed up: n_W comes from n_W_prev"),
    (_pool_with(mode_used="max"), "mode is ignored: mode = 'average' must take the mean (np.mean)"),
    (_pool_with(mode_used="average"), "mode is ignored: mode = 'max' must take the maximum"),
    (_pool_with(average="sum"), "mode = 'average' sums the window: take the mean (np.mean)"),
]

_PAD_MINUS_PAD = ("da_prev_pad[pad:-pad, pad:-pad, :] is empty for pad = 0 (-0 is 0, so the slice "
                  "ends before it starts): slice pad:pad + n_H_prev and pad:pad + n_W_prev")

_POOL_ERRORS = [(r"UnboundLocalError|NameError", "a name is used before it is set: is every mode "
                                                 "('max' and 'average') handled?"), _OUT_OF_RANGE,
                _EMPTY_WINDOW]

HIDDEN_CHECKS = [
    dataclasses.replace(
        public.ZERO_PAD, reference=zero_pad, cases=_zero_pad_cases, transform=None,
        diagnoses=[(_zero_pad_with(lambda p: p), "every axis is padded, the examples and the "
                                                 "channels too: pad only axes 1 and 2, "
                                                 "((0, 0), (pad, pad), (pad, pad), (0, 0))"),
                   (_zero_pad_with(lambda p: ((0, 0), (p, p), (0, 0), (0, 0))),
                    "only the height is padded: axes 1 (height) and 2 (width) get (pad, pad) each"),
                   (_zero_pad_with(lambda p: ((0, 0), (0, 0), (p, p), (0, 0))),
                    "only the width is padded: axes 1 (height) and 2 (width) get (pad, pad) each"),
                   (_zero_pad_with(lambda p: ((0, 0), (0, 0), (p, p), (p, p))),
                    "the last two axes are padded: the layout is (m, n_H, n_W, n_C), pad axes 1 and 2"),
                   (_zero_pad_with(lambda p: ((0, 0), (p, 0), (p, 0), (0, 0))),
                    "only one side is padded: (pad, pad) adds pad rows at the top *and* the bottom"),
                   (_zero_pad_with(lambda p: ((0, 0), (3, 3), (3, 3), (0, 0))),
                    "the pad is fixed at 3 (the example's value): use the argument pad"),
                   (_zero_pad_ones, "the border must be zeros (constant_values=0)")]),
    dataclasses.replace(
        public.CONV_SINGLE_STEP, reference=conv_single_step, cases=_conv_single_step_cases,
        diagnoses=[(_css_with(bias=0.0), "the bias is missing: Z = sum(a_slice_prev * W) + b"),
                   (_css_with(bias=-1.0), "the bias is subtracted: Z = sum(a_slice_prev * W) + b"),
                   (_css_with(reduce=np.mean), "np.mean divides by the number of entries: Z is "
                                               "the sum, np.sum")],
        error_hints=[public._FLOAT_OF_ARRAY,
                     (r"could not be broadcast", "a_slice_prev and W have the same shape "
                                                 "(f, f, n_C_prev): multiply them entry by entry")]),
    dataclasses.replace(
        public.CONV_FORWARD, reference=conv_forward, cases=_conv_forward_cases,
        diagnoses=_CONV_DIAGNOSES, error_hints=[_ITEM, public._FLOAT_OF_ARRAY, _BROADCAST, _OUT_OF_RANGE]),
    dataclasses.replace(
        public.POOL_FORWARD, reference=pool_forward, cases=_pool_forward_cases,
        diagnoses=_POOL_DIAGNOSES, error_hints=_POOL_ERRORS),
    dataclasses.replace(
        public.CONV_BACKWARD, reference=conv_backward, cases=_conv_backward_cases,
        diagnoses=[(_conv_back_with(unpad="minus"), _PAD_MINUS_PAD),
                   (_conv_back_with(unpad="none"), "dA_prev still has the padding: remove pad rows "
                                                   "and columns on each side"),
                   (_conv_back_with(accumulate_dA=False), "da_prev_pad is overwritten: windows overlap "
                                                          "and every filter adds to them, use +="),
                   (_conv_back_with(dW_from="unpadded"), "dW takes its windows from A_prev; they come "
                                                         "from the padded A_prev_pad, as in conv_forward"),
                   (_conv_back_with(bias=False), "db, the gradient of the bias, is missing: "
                                                 "db[:, :, :, c] += dZ[i, h, w, c]"),
                   (_conv_back_with(dW_per_example=True), "dW keeps only the last example: it sums "
                                                          "over all m examples"),
                   (_conv_back_with(step="one"), "the stride is ignored: window h starts at row "
                                                 "h * stride, as in conv_forward"),
                   (_conv_back_with(step="one", step_axes="h"), "the stride is ignored for the rows: "
                                                                "vert_start = h * stride"),
                   (_conv_back_with(step="one", step_axes="w"), "the stride is ignored for the "
                                                                "columns: horiz_start = w * stride"),
                   (_conv_back_with(swap_hw=True), "height and width are mixed up: h runs over "
                                                   "n_H = dZ.shape[1], w over n_W = dZ.shape[2]")],
        error_hints=[(r"broadcast input array from shape \(0,", _PAD_MINUS_PAD),
                     (r"broadcast input array from shape", "dA_prev[i] is da_prev_pad without its "
                                                           "border: cut pad rows and columns off "
                                                           "each side, da_prev_pad[pad:pad + n_H_prev, "
                                                           "pad:pad + n_W_prev, :]"),
                     _BROADCAST, _OUT_OF_RANGE,
                     (r"values to unpack", "the cache is (A_prev, W, b, hparameters): unpack it "
                                           "in this order")]),
    dataclasses.replace(
        public.CREATE_MASK_FROM_WINDOW, reference=create_mask_from_window, cases=_create_mask_cases,
        diagnoses=[(_mask_argmax, "only one entry is True: when several entries tie for the "
                                  "maximum each of them is True (x == np.max(x)); np.argmax picks "
                                  "the first one only"),
                   (_mask_column_max, "the maximum is taken per column (axis=0): it is the "
                                      "maximum of the whole window, np.max(x)"),
                   (_mask_positive, "the mask marks the positive entries: it marks the maximum, "
                                    "x == np.max(x)")]),
    dataclasses.replace(
        public.DISTRIBUTE_VALUE, reference=distribute_value, cases=_distribute_value_cases,
        diagnoses=[(_distribute_with(lambda h, w: 1), "dz is copied to every entry: each gets "
                                                      "dz / (n_H * n_W)"),
                   (_distribute_with(lambda h, w: h), "dz is divided by n_H only: by n_H * n_W"),
                   (_distribute_with(lambda h, w: w), "dz is divided by n_W only: by n_H * n_W"),
                   (_distribute_with(lambda h, w: h * h), "height and width are mixed up: divide by "
                                                          "n_H * n_W"),
                   (_distribute_with(lambda h, w: h + w), "dz is divided by n_H + n_W: by n_H * n_W")],
        error_hints=[(r"unsupported operand|can't multiply|not iterable|cannot unpack",
                      "shape is a tuple (n_H, n_W): unpack it, (n_H, n_W) = shape")]),
    dataclasses.replace(
        public.POOL_BACKWARD, reference=pool_backward, cases=_pool_backward_cases,
        diagnoses=[(_pool_back_with(step="one"), "the stride is ignored: window h starts at row "
                                                 "h * stride, as in pool_forward"),
                   (_pool_back_with(step="one", step_axes="h"), "the stride is ignored for the rows: "
                                                                "vert_start = h * stride"),
                   (_pool_back_with(step="one", step_axes="w"), "the stride is ignored for the "
                                                                "columns: horiz_start = w * stride"),
                   (_pool_back_with(accumulate=False), "dA_prev is overwritten where windows "
                                                       "overlap: add with +="),
                   (_pool_back_with(over_channels=True), "the mask is taken over every channel of "
                                                         "the window: use channel c alone, "
                                                         "a_prev[vert_start:vert_end, "
                                                         "horiz_start:horiz_end, c]"),
                   (_pool_back_with(tie="first"), "only one entry of a window gets the gradient: "
                                                  "every entry that ties for the maximum does "
                                                  "(create_mask_from_window)"),
                   (_pool_back_with(mode_used="max"), "mode is ignored: mode = 'average' spreads "
                                                      "dA evenly (distribute_value)"),
                   (_pool_back_with(mode_used="average"), "mode is ignored: mode = 'max' sends dA "
                                                          "to the maximum (create_mask_from_window)"),
                   (_pool_back_with(spread="dA"), "the average is spread over shape (n_H, n_W) of "
                                                  "dA: it is spread over the window, (f, f)"),
                   (_pool_back_with(average_divides=False), "mode = 'average' copies dA to every "
                                                            "entry: each gets dA / (f * f)")],
        error_hints=_POOL_ERRORS + [(r"values to unpack", "the cache is (A_prev, hparameters): "
                                                          "unpack it in this order"),
                                    (r"could not be broadcast", "what a window gets back must have "
                                                                "the window's shape (f, f): the mask "
                                                                "of channel c alone, or "
                                                                "distribute_value(dA[i, h, w, c], (f, f))")]),
    dataclasses.replace(
        public.CONV_FORWARD_FAST, reference=conv_forward_fast, cases=_conv_forward_fast_cases,
        diagnoses=_CONV_DIAGNOSES, error_hints=[_ITEM, public._FLOAT_OF_ARRAY, _BROADCAST]),
    dataclasses.replace(
        public.POOL_FORWARD_FAST, reference=pool_forward_fast, cases=_pool_forward_fast_cases,
        diagnoses=_POOL_DIAGNOSES, error_hints=_POOL_ERRORS),
]

#: what the simulated "partial" student of ``dlcourse demo`` gets wrong: (function, old, new)
SIMULATED_MISTAKES = [
    # pitfall 2: right for every pad but 0
    ("conv_backward", "dA_prev[i, :, :, :] = da_prev_pad[pad:pad + n_H_prev, pad:pad + n_W_prev, :]",
     "dA_prev[i, :, :, :] = da_prev_pad[pad:-pad, pad:-pad, :]"),
    # np.argmax picks one maximum: wrong wherever a window has a tie
    ("create_mask_from_window", "mask = x == np.max(x)",
     "mask = np.zeros(x.shape, dtype=bool)\n    mask[np.unravel_index(np.argmax(x), x.shape)] = True"),
]
