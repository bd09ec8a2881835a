"""Teaching aids of a11 (an introduction to TensorFlow 2): probes, data, plots, the descent explorer.

* **Probes.**  The graded functions of a11 return TensorFlow tensors and ``tf.Variable``\\ s,
  which cannot leave the grading worker.  Each ``probe_*`` function calls a graded function
  (turning numpy arguments into tensors where the function expects tensors) and reduces what
  it returns to plain data: ``{"type": "tf.Tensor", "dtype": "float32", "value": array}``.
  They run in the student's kernel (public checks), in the grading worker (hidden checks) and
  on the reference in the grader.  :func:`kind` names what a function returned.
* **Data.**  :func:`flatten_and_encode` turns the SIGNS pictures of
  :mod:`dlcourse.datasets.signs` into the matrices of the network: one column per picture,
  pixels scaled to [0, 1], labels one-hot.
* **Figures.**  :func:`show_signs`, :func:`plot_costs`, :func:`show_predictions`,
  :func:`plot_descent`.
* **The descent explorer.**  :func:`gradient_descent` minimises
  ``a w**2 + b w + c`` with ``tf.GradientTape`` and plain gradient descent;
  :func:`descent_explorer` is an ipywidgets app around it (a step-size and a steps slider, the
  path of ``w`` drawn on the curve).

Nothing here implements a graded function of a11 or of any other assignment: the probes
convert and describe, they compute no answer (no forward pass, no cost, no initializer).
"""
from __future__ import annotations

import base64
import contextlib
import io
import math
import re
import time
from typing import Any, Callable, Sequence

import numpy as np

from .tf_runtime import tf

__all__ = ["kind", "tensor_summary", "numpy_state_kept", "probe_linear_function", "probe_sigmoid",
           "probe_cost", "probe_one_hot_matrix", "probe_ones", "probe_parameters", "parameter_description",
           "DESCRIPTION", "probe_forward",
           "probe_compute_cost", "probe_training", "training_report", "flatten_and_encode",
           "show_signs", "plot_costs", "show_predictions", "gradient_descent", "plot_descent",
           "descent_explorer", "DESCENT_COEFFICIENTS"]


# ============================================================================================
# What came back, as plain data
# ============================================================================================

def kind(value: Any, strict: bool = True) -> str:
    """A short name for what a function returned: ``"tf.Variable"``, ``"tf.Tensor"``,
    ``"numpy array"``, ``"numpy number"``, ``"Python number"``, ``"list"``, ...

    With ``strict=False`` a ``tf.Variable`` counts as a ``"tf.Tensor"`` (it is one, for every
    operation): only where the difference matters -- parameters -- is it kept.
    """
    if isinstance(value, tf.Variable):
        return "tf.Variable" if strict else "tf.Tensor"
    if tf.is_tensor(value):
        return "tf.Tensor"
    if isinstance(value, np.ndarray):
        return "numpy array"
    if isinstance(value, np.generic):
        return "numpy number"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "Python number"
    if value is None:
        return "None"
    return type(value).__name__


def _dtype(value: Any) -> str:
    if isinstance(value, tf.Variable) or tf.is_tensor(value):
        return value.dtype.name
    if isinstance(value, (np.ndarray, np.generic)):
        return str(value.dtype)
    return type(value).__name__


def _values(value: Any) -> Any:
    """The numbers of ``value`` as a numpy array (a float for a single number)."""
    if isinstance(value, tf.Variable) or tf.is_tensor(value):
        array = np.asarray(value.numpy())
    else:
        array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"the result holds {array.dtype} values, not numbers")
    if array.ndim == 0:
        return float(array)
    return array


def tensor_summary(value: Any, *, dtype: bool = True, strict: bool = False) -> dict:
    """``{"type": ..., "dtype": ..., "value": ...}`` (``dtype`` left out when it does not matter)."""
    out = {"type": kind(value, strict=strict)}
    if dtype:
        out["dtype"] = _dtype(value)
    out["value"] = _values(value)
    return out


@contextlib.contextmanager
def numpy_state_kept():
    """Run a block and put numpy's global random state back as it was afterwards."""
    state = np.random.get_state()
    try:
        yield
    finally:
        np.random.set_state(state)


def _short(message: str) -> str:
    """The first line of a TensorFlow error, without the ``{{function_node ...}}`` prefix."""
    line = str(message).strip().splitlines()[0] if str(message).strip() else str(message)
    line = re.sub(r"^\{\{function_node [^}]*\}\}\s*", "", line)
    return re.sub(r"\s*name:\s*$", "", line)


def _call(fn: Callable, *args, **kwargs):
    """``fn(*args, **kwargs)``; a TensorFlow error is raised again with its first line only (the
    rest -- node definitions, allowed types -- would bury the message in a student's report)."""
    try:
        return fn(*args, **kwargs)
    except tf.errors.OpError as exc:
        short = type(exc)(exc.node_def, exc.op, _short(exc.message))
        raise short.with_traceback(exc.__traceback__) from None  # keeps the line that failed


def _tensor(x: Any, dtype=None):
    """numpy arrays (and lists) become tensors; numbers stay numbers."""
    if isinstance(x, (np.ndarray, list)):
        return tf.constant(x, dtype=dtype) if dtype is not None else tf.constant(x)
    return x


# ============================================================================================
# Probes (one per graded function)
# ============================================================================================

def probe_linear_function(fn: Callable, disturb_seed: int | None = None) -> dict:
    """``linear_function()``; with ``disturb_seed`` numpy's global generator is first moved
    somewhere else (seeded with it, then a few draws), so that only a function that seeds
    numpy itself finds the curriculum's numbers.  The global state is restored afterwards."""
    with numpy_state_kept():
        if disturb_seed is not None:
            np.random.seed(disturb_seed)
            np.random.randn(7)
        result = _call(fn)
    return tensor_summary(result, dtype=False)


def probe_sigmoid(fn: Callable, z: Any) -> dict:
    """``sigmoid(z)``: an array ``z`` is handed over as a tensor of the same dtype."""
    return tensor_summary(_call(fn, _tensor(z)))


def probe_cost(fn: Callable, logits: Any, labels: Any) -> dict:
    """``cost(logits, labels)`` with both as float32 tensors."""
    return tensor_summary(_call(fn, _tensor(logits, tf.float32), _tensor(labels, tf.float32)))


def probe_one_hot_matrix(fn: Callable, labels: Any, C: int) -> dict:
    """``one_hot_matrix(labels, C)``: an array of labels is handed over as an integer tensor."""
    return tensor_summary(_call(fn, _tensor(labels), C))


def probe_ones(fn: Callable, shape: Any) -> dict:
    """``ones(shape)``, the shape as given (a list or a tuple)."""
    return tensor_summary(_call(fn, shape))


#: the key of the one-line description in a ``report="summary"`` of a parameter
DESCRIPTION = "type, dtype, shape"


def _parameter(value: Any, full: bool) -> dict:
    name, dtype = kind(value, strict=True), _dtype(value)
    array = np.asarray(_values(value))
    shape = str(tuple(int(n) for n in array.shape))
    if full:
        return {"type": name, "dtype": dtype, "shape": shape, "value": array}
    flat = array.reshape(-1).astype(np.float64)
    return {DESCRIPTION: f"{name}, {dtype}, {shape}", "first values": flat[:3].copy(),
            "std": float(flat.std()) if flat.size else 0.0}


def parameter_description(entry: dict) -> tuple:
    """``(type, dtype, shape)`` of one parameter, from either kind of report."""
    if DESCRIPTION in entry:
        parts = str(entry[DESCRIPTION]).split(", ", 2)
        return tuple(parts + [""] * (3 - len(parts)))
    return entry.get("type"), entry.get("dtype"), entry.get("shape")


def probe_parameters(fn: Callable, *args, report: str = "full", **kwargs) -> dict:
    """``initialize_parameters(*args, **kwargs)``: per key its type (``tf.Variable`` is
    expected), dtype, shape and either all its values (``report="full"``) or, on one line, its
    type, dtype and shape, then its first three values and its standard deviation
    (``report="summary"``, what the notebook prints)."""
    result = _call(fn, *args, **kwargs)
    if not isinstance(result, dict):
        return {"returned": kind(result)}
    return {str(k): _parameter(v, report == "full") for k, v in result.items()}


def probe_forward(fn: Callable, X: Any, parameters: dict) -> dict:
    """``forward_propagation(X, parameters)``: X a float32 tensor, the parameters float32
    ``tf.Variable``\\ s (what ``initialize_parameters`` makes)."""
    variables = {k: tf.Variable(np.asarray(v, dtype=np.float32), name=k) for k, v in parameters.items()}
    return tensor_summary(_call(fn, _tensor(X, tf.float32), variables))


def probe_compute_cost(fn: Callable, Z3: Any, Y: Any) -> dict:
    """``compute_cost(Z3, Y)`` with both as float32 tensors."""
    return tensor_summary(_call(fn, _tensor(Z3, tf.float32), _tensor(Y, tf.float32)))


def _number(value: Any) -> Any:
    try:
        return float(np.asarray(value.numpy() if tf.is_tensor(value) else value).reshape(()))
    except (TypeError, ValueError, AttributeError):
        return kind(value)


def training_report(result: Any, report: str, m_train: int, m_test: int) -> dict:
    """What ``model`` returned, reduced to plain data.

    * ``"trajectory"``: the returned keys, every parameter's values, the costs and both
      accuracies (compared with the reference on a problem whose result does not depend on
      the order of the mini-batches);
    * ``"summary"``: the same with each parameter reduced to its mean absolute value (what
      the notebook prints);
    * ``"properties"``: facts that hold for any correct run -- one cost per epoch, finite, the
      last below the first, parameters of the right shapes, accuracies that are fractions of
      the examples -- for problems where the shuffling order changes the numbers.
    """
    if not isinstance(result, dict):
        return {"returned": kind(result)}
    keys = sorted(str(k) for k in result)
    params = result.get("parameters")
    params = params if isinstance(params, dict) else {}
    try:
        costs = np.array([_number(c) for c in result.get("costs", [])], dtype=np.float64)
    except (TypeError, ValueError):
        costs = np.array([np.nan])
    train, test = _number(result.get("train_accuracy")), _number(result.get("test_accuracy"))
    if report == "properties":
        accuracies = [a for a in (train, test) if isinstance(a, float)]
        fractions = all(abs(a * m - round(a * m)) < 1e-4
                        for a, m in zip((train, test), (m_train, m_test)) if isinstance(a, float))
        return {
            "keys": keys,
            "parameters": {str(k): f"{kind(v)}, {tuple(int(n) for n in np.shape(v))}"
                           for k, v in params.items()},
            "number of costs": int(costs.size),
            "costs are finite": bool(costs.size > 0 and np.all(np.isfinite(costs))),
            "the cost went down": bool(costs.size > 1 and costs[-1] < costs[0]),
            "accuracies in [0, 1]": bool(len(accuracies) == 2 and all(0 <= a <= 1 for a in accuracies)),
            "accuracies are fractions of the examples": bool(len(accuracies) == 2 and fractions),
        }
    out = {"keys": keys}
    if report == "summary":
        out["mean |parameter|"] = {str(k): float(np.mean(np.abs(_values(v)))) for k, v in params.items()}
    else:
        out["parameters"] = {str(k): np.asarray(_values(v)) for k, v in params.items()}
    out.update({"costs": costs, "train_accuracy": train, "test_accuracy": test})
    return out


def probe_training(fn: Callable, X_train, Y_train, X_test, Y_test, report: str = "trajectory",
                   **kwargs) -> dict:
    """``model(X_train, Y_train, X_test, Y_test, **kwargs)`` (numpy arrays in), reduced by
    :func:`training_report`."""
    result = _call(fn, X_train, Y_train, X_test, Y_test, **kwargs)
    return training_report(result, report, int(np.shape(X_train)[1]), int(np.shape(X_test)[1]))


# ============================================================================================
# Data
# ============================================================================================

def flatten_and_encode(data) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """SIGNS pictures -> ``(X_train, Y_train, X_test, Y_test)`` for the network.

    Every picture (64, 64, 3) becomes one column of 12288 values in [0, 1]
    (``X_orig.reshape(m, -1).T / 255``); the labels (1, m) become one-hot columns (6, m)
    (``convert_to_one_hot``).  ``data`` is what ``load_signs_dataset()`` returns.
    """
    from dlcourse.datasets.signs import N_CLASSES, convert_to_one_hot

    X_train_orig, Y_train_orig, X_test_orig, Y_test_orig, _ = data
    X_train = X_train_orig.reshape(X_train_orig.shape[0], -1).T / 255.0
    X_test = X_test_orig.reshape(X_test_orig.shape[0], -1).T / 255.0
    return (X_train, convert_to_one_hot(Y_train_orig, N_CLASSES), X_test,
            convert_to_one_hot(Y_test_orig, N_CLASSES))


# ============================================================================================
# Figures
# ============================================================================================

def show_signs(X_orig: np.ndarray, Y_orig: np.ndarray, indices: Sequence[int], title: str = ""):
    """A row of pictures with their labels (``X_orig`` (m, 64, 64, 3), ``Y_orig`` (1, m))."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(indices), figsize=(1.8 * len(indices), 2.2))
    for ax, i in zip(np.atleast_1d(axes), indices):
        ax.imshow(X_orig[i])
        ax.set_title(f"#{i}: y = {int(np.ravel(Y_orig)[i])}", fontsize=9)
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_costs(costs: Sequence[float], learning_rate: float | None = None, ax=None):
    """The cost of every epoch (a list of floats, as ``model`` returns it)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    values = np.asarray([float(c) for c in costs])
    ax.plot(np.arange(len(values)), values, marker="." if len(values) < 60 else None)
    ax.set_xlabel("epoch")
    ax.set_ylabel("cost")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    if learning_rate is not None:
        ax.set_title(f"learning rate = {learning_rate:g}")
    return ax.figure


def show_predictions(X_orig: np.ndarray, Y_orig: np.ndarray, predictions: Any, count: int = 12):
    """The first ``count`` pictures with the label and the network's prediction (red: wrong)."""
    import matplotlib.pyplot as plt

    predictions = np.ravel(np.asarray(predictions))
    labels = np.ravel(Y_orig)
    count = min(count, len(labels))
    cols = min(count, 6)
    rows = int(math.ceil(count / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.8 * cols, 2.1 * rows))
    for k, ax in enumerate(np.ravel(np.atleast_1d(axes))):
        ax.axis("off")
        if k >= count:
            continue
        ax.imshow(X_orig[k])
        right = int(predictions[k]) == int(labels[k])
        ax.set_title(f"y = {int(labels[k])}, predicted {int(predictions[k])}", fontsize=8,
                     color="black" if right else "red")
    fig.tight_layout()
    return fig


# ============================================================================================
# Gradient descent on a parabola, with GradientTape
# ============================================================================================

#: the warm-up cost w**2 - 10 w + 25 = (w - 5)**2, as coefficients (a, b, c) of a w**2 + b w + c
DESCENT_COEFFICIENTS = (1.0, -10.0, 25.0)


_DESCENT: dict = {}


def _descent_step():
    """One traced step ``w <- w - rate * d(a w**2 + b w + c)/dw`` on a module-level float32
    variable (made and traced once per process, so that the explorer redraws quickly)."""
    if not _DESCENT:
        w = tf.Variable(0.0, dtype=tf.float32, trainable=True)

        @tf.function
        def step(a, b, c, rate):
            with tf.GradientTape() as tape:
                cost = a * w ** 2 + b * w + c
            w.assign_sub(rate * tape.gradient(cost, w))
            return w.read_value()

        _DESCENT.update(w=w, step=step)
    return _DESCENT["w"], _DESCENT["step"]


def gradient_descent(learning_rate: float = 0.01, steps: int = 1000,
                     coefficients: Sequence[float] = DESCENT_COEFFICIENTS, w0: float = 0.0) -> list[float]:
    """Minimise ``a w**2 + b w + c`` from ``w0`` with ``steps`` steps of plain gradient descent.

    Every step records the cost on a ``tf.GradientTape``, asks it for d cost / d w and moves
    ``w`` (a float32 ``tf.Variable``) by ``-learning_rate`` times that -- the descent of the
    notebook's warm-up.  Returns the path: the value of ``w`` before the first step and after
    every step (float32 numbers, as Python floats).  Stops early if ``w`` overflows (a step
    size that is too large).
    """
    a, b, c = (tf.constant(float(x), dtype=tf.float32) for x in coefficients)
    rate = tf.constant(float(learning_rate), dtype=tf.float32)
    w, step = _descent_step()
    w.assign(float(w0))
    path = [float(w.numpy())]
    for _ in range(int(steps)):
        value = float(step(a, b, c, rate).numpy())
        path.append(value)
        if not math.isfinite(value) or abs(value) > 1e30:
            break
    return path


def _behaviour(path: Sequence[float], minimum: float) -> str:
    """How the descent went, in words."""
    last, first = path[-1], path[0]
    if not math.isfinite(last) or abs(last - minimum) > 10 * max(1.0, abs(first - minimum)):
        return "diverges: every step overshoots further than the one before"
    gaps = np.asarray(path[-4:]) - minimum
    alternating = len(gaps) > 2 and bool(np.all(gaps[:-1] * gaps[1:] < 0))
    if abs(last - minimum) < 1e-3:
        if alternating:
            return "has converged, jumping from one side of the minimum to the other"
        return "has converged to the minimum"
    if alternating:
        return "oscillates around the minimum (every step jumps to the other side)"
    return "is still on its way to the minimum, from one side"


def plot_descent(path: Sequence[float], learning_rate: float,
                 coefficients: Sequence[float] = DESCENT_COEFFICIENTS, ax=None):
    """The parabola, and the points ``w`` visited on it, joined in order (first green, last red)."""
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(7, 3.6)).subplots()
    a, b, c = (float(x) for x in coefficients)
    minimum = -b / (2 * a)
    shown = [p for p in path if math.isfinite(p) and abs(p - minimum) < 1e6]
    lo, hi = min(shown + [minimum - 1]), max(shown + [minimum + 1])
    pad = 0.08 * (hi - lo)
    grid = np.linspace(lo - pad, hi + pad, 400)
    ax.plot(grid, a * grid ** 2 + b * grid + c, color="0.6", lw=1.2, label="cost(w)")
    pts = np.asarray(shown)
    costs = a * pts ** 2 + b * pts + c
    ax.plot(pts, costs, "-o", color="tab:blue", ms=3, lw=0.8, alpha=0.8, label="path of w")
    ax.plot(pts[:1], costs[:1], "o", color="tab:green", ms=7, label=f"start w = {pts[0]:g}")
    ax.plot(pts[-1:], costs[-1:], "o", color="tab:red", ms=7, label=f"last w = {_float32_text(pts[-1])}")
    ax.axvline(minimum, color="0.8", ls=":", lw=1)
    ax.set_xlabel("w")
    ax.set_ylabel("cost")
    ax.set_title(f"{len(path) - 1} steps of size {learning_rate:.3g}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper center")
    return ax.figure


def _float32_text(value: float) -> str:
    """A float32 value as numpy prints it (``4.9999886``), in scientific notation when huge."""
    v = np.float32(value)
    return str(v) if abs(value) < 1e7 else np.format_float_scientific(v, precision=4)


def _png_output(fig) -> dict:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
                     "text/plain": "<descent on the parabola>"}}


def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def descent_explorer(learning_rate: float = 0.01, steps: int = 100,
                     coefficients: Sequence[float] = DESCENT_COEFFICIENTS, max_steps: int = 500):
    """Gradient descent on ``w**2 - 10 w + 25`` with ``tf.GradientTape``, from ``w = 0``.

    Controls (continuous_update off: it recomputes when you release a slider): "step size"
    (log scale, 0.001 to 1.2) and "steps" (1 to ``max_steps``).  Shows the path of ``w`` on the
    curve and one line::

        after 100 steps of size 0.01: w = 4.3369026 (the minimum is w = 5); it is still on its way ...

    Returns the widget (a ``VBox``); ``controls`` maps names to the sliders and ``output`` is the
    ``Output`` widget with the figure and the line.
    """
    import ipywidgets as widgets

    style = {"description_width": "initial"}
    wide = widgets.Layout(width="420px")
    rate = widgets.FloatLogSlider(value=learning_rate, base=10, min=-3, max=math.log10(1.2), step=0.05,
                                  description="step size", readout_format=".3g",
                                  continuous_update=False, style=style, layout=wide)
    count = widgets.IntSlider(value=min(steps, max_steps), min=1, max=max_steps, step=1,
                              description="steps", continuous_update=False, style=style, layout=wide)
    status = widgets.HTML(value="")
    output = widgets.Output(layout=widgets.Layout(min_height="300px"))
    a, b, _ = (float(x) for x in coefficients)
    minimum = -b / (2 * a)

    def redraw(change=None):
        lr, n = float(rate.value), int(count.value)
        start = time.perf_counter()
        try:
            path = gradient_descent(lr, n, coefficients)
            fig = plot_descent(path, lr, coefficients)
            image = _png_output(fig)
            done = len(path) - 1
            line = (f"after {done} steps of size {lr:.3g}: w = {_float32_text(path[-1])} "
                    f"(the minimum is w = {minimum:g}); it {_behaviour(path, minimum)}\n")
            if done < n:
                line += f"(stopped after {done} steps: w overflowed)\n"
            output.outputs = (image, _stream(line))
            status.value = f"<small>computed and drawn in {time.perf_counter() - start:.2f} s</small>"
        except Exception as exc:  # shown where the student is looking
            output.outputs = (_stream(f"error: {type(exc).__name__}: {exc}\n"),)
            status.value = ""

    for control in (rate, count):
        control.observe(redraw, names="value")
    redraw()
    box = widgets.VBox([rate, count, status, output])
    box.controls = {"step size": rate, "steps": count}
    box.output = output
    box.redraw = redraw
    return box
