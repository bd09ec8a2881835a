"""Benchmark: the loop and the vectorized convolutions of a09 against a library convolution.

    python benchmarks/convolution_speed.py [--batch M] [--size N] [--repeats R] [--threads T]

On the same inputs, in one run, for the forward and the backward pass of a conv layer (and,
for comparison, the forward pass of max pooling):

* **loop** -- the reference of the notebook's loop version (``solutions/a09_...``:
  ``conv_forward``, ``conv_backward``, ``pool_forward``), timed once;
* **vectorized** -- the vectorized references (``conv_forward_fast``, ``conv_backward_fast``,
  ``pool_forward_fast``): sliding windows and ``np.tensordot``, best of ``--repeats``;
* **library** -- ``scipy.signal.correlate`` / ``scipy.signal.convolve`` (one call per filter;
  stride > 1 by subsampling the stride-1 result, the backward pass through a dilated ``dZ``)
  and ``scipy.ndimage.maximum_filter`` for pooling, best of ``--repeats``.

Prints seconds and two ratios per row: loop / vectorized (goal >= 50) and vectorized / library
(goal <= 3: within three times the library's time), and the largest difference between the
three results.  Not a test: the machine is noisy, so read the ratios, not the seconds.  The
vectorized versions live in ``solutions/`` (instructors only), never in the installed package.

BLAS runs on one thread unless ``--threads`` says otherwise: as in the grader's worker, fair to
scipy (single-threaded), and without the stalls of threads competing on a shared machine.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def _threads_from_argv(default: str = "1") -> str:
    """``--threads`` must act before numpy is imported (BLAS reads it once)."""
    argv = sys.argv[1:]
    for k, arg in enumerate(argv):
        if arg == "--threads" and k + 1 < len(argv):
            return argv[k + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return default


for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads_from_argv()

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
AID = "a09_convolution_step_by_step"


def _reference():
    from dlcourse.autograder.hidden import load_solution_module

    return load_solution_module(AID, ROOT / "solutions")


# ---------------------------------------------------------------------------------------------
# The library versions (scipy)
# ---------------------------------------------------------------------------------------------

def _padded(A, pad):
    return np.pad(A, ((0, 0), (pad, pad), (pad, pad), (0, 0)))


def scipy_conv_forward(A_prev, W, b, hparameters):
    """Z of a conv layer: one ``scipy.signal.correlate`` per filter over the whole batch."""
    from scipy import signal

    stride, pad = hparameters["stride"], hparameters["pad"]
    A_pad = _padded(A_prev, pad)
    n_C = W.shape[3]
    outputs = [signal.correlate(A_pad, W[None, :, :, :, c], mode="valid")[:, ::stride, ::stride, 0]
               for c in range(n_C)]
    return np.stack(outputs, axis=-1) + b.reshape(-1)


def scipy_conv_backward(dZ, cache):
    """(dA_prev, dW, db): dA_prev as the full convolution of the dilated dZ with each filter,
    dW as the correlation of the padded input with it (one scipy call each per filter)."""
    from scipy import signal

    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    f, n_C = W.shape[0], W.shape[3]
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    _, n_H, n_W, _ = dZ.shape
    A_pad = _padded(A_prev, pad)
    dilated = np.zeros((m, stride * (n_H - 1) + 1, stride * (n_W - 1) + 1, n_C))
    dilated[:, ::stride, ::stride] = dZ
    dA_pad, dW = np.zeros(A_pad.shape), np.zeros(W.shape)
    for c in range(n_C):
        full = signal.convolve(dilated[..., c:c + 1], W[None, :, :, :, c], mode="full")
        dA_pad[:, :full.shape[1], :full.shape[2], :] += full
        dW[..., c] = signal.correlate(A_pad, dilated[..., c:c + 1], mode="valid")[0, :f, :f, :]
    db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, n_C)
    return dA_pad[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :], dW, db


def scipy_pool_forward(A_prev, hparameters, mode="max"):
    """Max pooling: ``scipy.ndimage.maximum_filter`` over height and width, then subsampled."""
    from scipy import ndimage

    f, stride = hparameters["f"], hparameters["stride"]
    full = ndimage.maximum_filter(A_prev, size=(1, f, f, 1), origin=(0, -(f // 2), -(f // 2), 0),
                                  mode="constant", cval=-np.inf)
    n_H = (A_prev.shape[1] - f) // stride + 1
    n_W = (A_prev.shape[2] - f) // stride + 1
    return full[:, :stride * (n_H - 1) + 1:stride, :stride * (n_W - 1) + 1:stride, :]


# ---------------------------------------------------------------------------------------------

def _best(fn, args, repeats):
    best, value = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, value


def _result(value, backward):
    """What is compared: all three gradients of a backward pass, else Z (or A) without the cache."""
    if backward:
        return tuple(value)
    return (value[0] if isinstance(value, tuple) else value,)


def _difference(a, b):
    return max(float(np.max(np.abs(np.asarray(x) - np.asarray(y)))) for x, y in zip(a, b))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=8, help="examples m (default 8)")
    parser.add_argument("--size", type=int, default=28, help="image height n_H_prev (width + 4; default 28)")
    parser.add_argument("--repeats", type=int, default=15, help="runs of the fast versions (best counts)")
    parser.add_argument("--threads", default="1", help="BLAS threads (default 1)")
    args = parser.parse_args()
    try:
        import scipy  # noqa: F401
        have_scipy = True
    except ImportError:
        have_scipy = False
        print("scipy is not importable: the library column is left out")

    ref = _reference()
    rng = np.random.default_rng(0)
    m, n_H_prev, n_W_prev, n_C_prev, n_C, f = args.batch, args.size, args.size + 4, 8, 16, 3
    A_prev = rng.normal(size=(m, n_H_prev, n_W_prev, n_C_prev))
    W = rng.normal(size=(f, f, n_C_prev, n_C)) / f
    b = rng.normal(size=(1, 1, 1, n_C))
    print(f"A_prev {A_prev.shape}, W {W.shape}, b {b.shape}; BLAS threads {args.threads}; numpy {np.__version__}"
          + (f", scipy {__import__('scipy').__version__}" if have_scipy else ""))

    rows = []
    for hp in ({"stride": 1, "pad": 1}, {"stride": 2, "pad": 1}):
        label = f"pad {hp['pad']}, stride {hp['stride']}"
        forward = [("forward, " + label, ref.conv_forward, ref.conv_forward_fast, scipy_conv_forward,
                    (A_prev, W, b, hp))]
        Z, cache = ref.conv_forward_fast(A_prev, W, b, hp)
        dZ = rng.normal(size=Z.shape)
        backward = [("backward, " + label, ref.conv_backward, ref.conv_backward_fast, scipy_conv_backward,
                     (dZ, cache))]
        rows += forward + backward
    hp_pool = {"f": 2, "stride": 2}
    rows.append(("max pool forward, f 2, stride 2", ref.pool_forward, ref.pool_forward_fast,
                 scipy_pool_forward, (A_prev, hp_pool)))

    print(f"{'':<32}{'loop s':>9}{'vector s':>10}{'library s':>11}{'loop/vector':>13}"
          f"{'vector/library':>16}   largest difference")
    worst_speedup, worst_library = float("inf"), 0.0
    for name, loop, fast, library, inputs in rows:
        backward = name.startswith("backward")
        t_loop, v_loop = _best(loop, inputs, 1)
        t_fast, v_fast = _best(fast, inputs, args.repeats)
        v_loop, v_fast = _result(v_loop, backward), _result(v_fast, backward)
        speedup = t_loop / t_fast
        worst_speedup = min(worst_speedup, speedup)
        diff = _difference(v_fast, v_loop)
        line = f"{name:<32}{t_loop:>9.3f}{t_fast:>10.4f}"
        if have_scipy:
            t_lib, v_lib = _best(library, inputs, args.repeats)
            diff = max(diff, _difference(_result(v_lib, backward), v_loop))
            versus = t_fast / t_lib
            worst_library = max(worst_library, versus)
            line += f"{t_lib:>11.4f}{speedup:>12.0f}x{versus:>15.2f}x"
        else:
            line += f"{'-':>11}{speedup:>12.0f}x{'-':>16}"
        print(f"{line}   {diff:.1e}")
    print(f"slowest speed-up of the vectorized version over the loops: {worst_speedup:.0f}x "
          f"(goal >= 50x): {'met' if worst_speedup >= 50 else 'NOT met'}")
    if have_scipy:
        print(f"vectorized / library, worst row: {worst_library:.2f}x (goal <= 3x): "
              f"{'met' if worst_library <= 3 else 'NOT met'}")


if __name__ == "__main__":
    sys.exit(main())
