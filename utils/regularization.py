"""The given model, plots and explorer of a06 (regularization).

The network is fixed: ``LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID``
with layer sizes ``[n_x, 20, 3, 1]``.  Everything here is provided code for that
network only (three weight matrices ``W1``, ``W2``, ``W3``):

* :func:`forward_propagation`, :func:`backward_propagation` -- the *unregularized* passes,
  vectorised over the examples;
* :func:`model` -- trains the network (weights ``randn(n_l, n_prev) / sqrt(n_prev)`` after
  ``np.random.seed(3)``), with L2 regularization or dropout when you hand it *your*
  functions for them.  The gradient step and the printed cross-entropy are inside
  :func:`train`: nothing here is a general-purpose cost or update function;
* :func:`predict`, :func:`predict_dec`, :func:`accuracy`;
* :func:`plot_dataset`, :func:`plot_decision_boundary`, :func:`plot_costs`;
* :func:`regularization_explorer` -- an ipywidgets app that trains with your functions
  and shows the decision boundary next to the train and test accuracies.

Shapes: ``X`` is (n_x, m), one example per column; labels ``Y`` are (1, m).
"""
from __future__ import annotations

import base64
import hashlib
import io
import time
import warnings
from typing import Callable

import numpy as np

__all__ = ["LAYERS", "sigmoid", "relu", "forward_propagation", "backward_propagation", "model", "train",
           "predict", "predict_dec", "accuracy", "plot_dataset", "plot_decision_boundary",
           "plot_costs", "regularization_explorer", "EXPLORER_METHODS"]

#: hidden and output sizes of the fixed network: layers_dims = [n_x, 20, 3, 1]
LAYERS = (20, 3, 1)
_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")
_REGION_COLOURS = ("#f7c4b4", "#bcd3ef")
#: the part of the pitch the plots show
X_LIMITS, Y_LIMITS = (-0.75, 0.40), (-0.75, 0.65)


def sigmoid(x):
    """``1 / (1 + exp(-x))`` elementwise (``exp`` may overflow to inf, giving exactly 0)."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def relu(x):
    """``max(0, x)`` elementwise."""
    return np.maximum(0, x)


# ---------------------------------------------------------------------------------------------
# The fixed 3-layer model
# ---------------------------------------------------------------------------------------------

def _initial_parameters(n_x: int) -> dict:
    """The starting point of every run: ``randn(n_l, n_prev) / sqrt(n_prev)`` and zero biases for
    ``[n_x, 20, 3, 1]``, after ``np.random.seed(3)``, drawing W1, then W2, then W3."""
    n_1, n_2, n_3 = LAYERS
    np.random.seed(3)
    W1 = np.random.randn(n_1, n_x) / np.sqrt(n_x)
    W2 = np.random.randn(n_2, n_1) / np.sqrt(n_1)
    W3 = np.random.randn(n_3, n_2) / np.sqrt(n_2)
    return {"W1": W1, "b1": np.zeros((n_1, 1)), "W2": W2, "b2": np.zeros((n_2, 1)),
            "W3": W3, "b3": np.zeros((n_3, 1))}


def forward_propagation(X, parameters):
    """Forward pass without dropout.

    Returns ``A3`` (1, m) and the cache ``(Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)``.
    """
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)


def backward_propagation(X, Y, cache):
    """Gradients of the unregularized cost for a cache of :func:`forward_propagation`.

    Returns a dict with ``dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1``.
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def _recorded_cost(A3, Y) -> float:
    """The cross-entropy the model prints for the unregularized and the dropout runs,
    ``(1/m) * nansum(-y log a - (1 - y) log(1 - a))`` (nansum skips 0 * log(0))."""
    m = Y.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
        return float(1. / m * np.nansum(logprobs))


def _step(parameters, grads, learning_rate):
    """One gradient-descent step on exactly W1, b1, W2, b2, W3, b3; returns a new dict."""
    return {name: parameters[name] - learning_rate * grads["d" + name] for name in _NAMES}


def _need(fn, name: str, setting: str):
    if fn is None:
        raise TypeError(f"{setting} needs your {name}: pass {name}={name}")
    return fn


def train(X, Y, learning_rate: float = 0.3, num_iterations: int = 30000, lambd: float = 0.0,
          keep_prob: float = 1.0, *, compute_cost_with_regularization=None,
          backward_propagation_with_regularization=None, forward_propagation_with_dropout=None,
          backward_propagation_with_dropout=None, record_every: int = 1000):
    """Gradient descent on ``[n_x, 20, 3, 1]``; returns ``(parameters, costs)``.

    ``lambd > 0`` uses the two L2 functions, ``keep_prob < 1`` the two dropout functions
    (one of the two at a time).  ``costs`` holds the cost at iterations 0, record_every, ...
    """
    if lambd != 0 and keep_prob < 1:
        raise ValueError("use L2 regularization (lambd) or dropout (keep_prob), not both at once")
    if keep_prob < 1:
        forward = _need(forward_propagation_with_dropout, "forward_propagation_with_dropout",
                        "dropout (keep_prob < 1)")
        backward = _need(backward_propagation_with_dropout, "backward_propagation_with_dropout",
                         "dropout (keep_prob < 1)")
    elif lambd != 0:
        cost_l2 = _need(compute_cost_with_regularization, "compute_cost_with_regularization",
                        "L2 regularization (lambd > 0)")
        backward_l2 = _need(backward_propagation_with_regularization,
                            "backward_propagation_with_regularization", "L2 regularization (lambd > 0)")
    parameters = _initial_parameters(X.shape[0])
    costs = []
    for i in range(num_iterations):
        if keep_prob < 1:
            A3, cache = forward(X, parameters, keep_prob)
        else:
            A3, cache = forward_propagation(X, parameters)
        if i % record_every == 0:
            costs.append(float(cost_l2(A3, Y, parameters, lambd) if lambd != 0 else _recorded_cost(A3, Y)))
        if keep_prob < 1:
            grads = backward(X, Y, cache, keep_prob)
        elif lambd != 0:
            grads = backward_l2(X, Y, cache, lambd)
        else:
            grads = backward_propagation(X, Y, cache)
        parameters = _step(parameters, grads, learning_rate)
    return parameters, costs


# Finished runs, so that the explorer can show the notebook's own runs at once.  The key holds
# the data, the settings and the very function objects that were used: a function redefined in
# the notebook is a new object, hence a new run.
_RUNS: dict = {}
_FUNCTION_NAMES = ("compute_cost_with_regularization", "backward_propagation_with_regularization",
                   "forward_propagation_with_dropout", "backward_propagation_with_dropout")


def _digest(*arrays) -> str:
    h = hashlib.sha1()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str((a.shape, a.dtype)).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _train_memo(X, Y, learning_rate: float, num_iterations: int, lambd: float = 0.0,
                keep_prob: float = 1.0, **functions):
    """:func:`train`, remembered: the same data, settings and functions give the stored run."""
    used = tuple(functions.get(name) if (name.endswith("regularization") and lambd != 0)
                 or (name.endswith("dropout") and keep_prob < 1) else None for name in _FUNCTION_NAMES)
    key = (_digest(X, Y), float(learning_rate), int(num_iterations), float(lambd), float(keep_prob), used)
    if key not in _RUNS:
        parameters, costs = train(X, Y, learning_rate, num_iterations, lambd, keep_prob, **functions)
        if len(_RUNS) >= 16:
            _RUNS.pop(next(iter(_RUNS)))
        _RUNS[key] = (parameters, costs)
    parameters, costs = _RUNS[key]
    return {k: v.copy() for k, v in parameters.items()}, list(costs)


def model(X, Y, learning_rate: float = 0.3, num_iterations: int = 30000, print_cost: bool = True,
          lambd: float = 0, keep_prob: float = 1, *, compute_cost_with_regularization=None,
          backward_propagation_with_regularization=None, forward_propagation_with_dropout=None,
          backward_propagation_with_dropout=None, plot_cost: bool = True):
    """Train the 3-layer network ``[n_x, 20, 3, 1]`` with gradient descent.

    lambd -- L2 strength; when not 0, pass your ``compute_cost_with_regularization`` and
             ``backward_propagation_with_regularization``
    keep_prob -- probability of keeping a unit; when below 1, pass your
                 ``forward_propagation_with_dropout`` and ``backward_propagation_with_dropout``
    Prints ``Cost after iteration i: cost`` every 10000 iterations (if ``print_cost``),
    draws the cost recorded every 1000 iterations (if ``plot_cost``) and returns the
    trained parameters.  A run is remembered: calling ``model`` again with the same data,
    settings and function objects returns the same parameters at once (redefine a function
    and it trains again).
    """
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        warnings.simplefilter("ignore")
        parameters, costs = _train_memo(
            X, Y, learning_rate, num_iterations, lambd, keep_prob,
            compute_cost_with_regularization=compute_cost_with_regularization,
            backward_propagation_with_regularization=backward_propagation_with_regularization,
            forward_propagation_with_dropout=forward_propagation_with_dropout,
            backward_propagation_with_dropout=backward_propagation_with_dropout)
    if print_cost:
        for k in range(0, len(costs), 10):
            print("Cost after iteration {}: {}".format(k * 1000, costs[k]))
    if plot_cost:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 3.2))
        plot_costs(costs, learning_rate, ax=ax)
        plt.show()
    return parameters


def predict_dec(parameters, X):
    """Boolean predictions ``a3 > 0.5``, shape (1, m) (no dropout at test time)."""
    A3, _ = forward_propagation(X, parameters)
    return A3 > 0.5


def accuracy(parameters, X, Y) -> float:
    """Fraction of the columns of ``X`` whose prediction equals the label."""
    return float(np.mean(predict_dec(parameters, X) == Y))


def predict(X, y, parameters):
    """0/1 predictions (int, shape (1, m)); prints ``Accuracy: <fraction correct>``."""
    p = predict_dec(parameters, X).astype(int)
    print("Accuracy: " + str(float(np.mean(p == y))))
    return p


# ---------------------------------------------------------------------------------------------
# Plots
# ---------------------------------------------------------------------------------------------

def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt
        ax = plt.gca()
    return ax


def plot_dataset(X, Y, ax=None, title: str | None = None, marker: str = "o", size: float = 24):
    """Scatter plot of the positions ``X`` (2, m): blue for label 1 (France), red for 0."""
    import matplotlib.pyplot as plt

    ax = _axes(ax)
    ax.scatter(X[0, :], X[1, :], c=np.ravel(Y), s=size, marker=marker, cmap=plt.cm.Spectral,
               edgecolors="k", linewidths=0.3, vmin=0, vmax=1)
    ax.set_xlim(*X_LIMITS)
    ax.set_ylim(*Y_LIMITS)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


def plot_decision_boundary(model_fn: Callable, X, Y, ax=None, title: str | None = None,
                           resolution: int = 200):
    """Colour the pitch by the predicted class, then draw the points ``X``, ``Y``.

    ``model_fn`` receives grid points as *columns*, an array of shape (2, k), and returns
    k labels in any shape -- e.g. ``lambda pts: predict_dec(parameters, pts)``.
    """
    ax = _axes(ax)
    xx, yy = np.meshgrid(np.linspace(*X_LIMITS, resolution), np.linspace(*Y_LIMITS, resolution))
    labels = np.asarray(model_fn(np.vstack([xx.ravel(), yy.ravel()])), dtype=float).reshape(xx.shape)
    ax.contourf(xx, yy, labels, levels=[-0.5, 0.5, 1.5], colors=_REGION_COLOURS, alpha=0.9)
    return plot_dataset(X, Y, ax=ax, title=title)


def plot_costs(costs, learning_rate: float, ax=None, title: str | None = None, every: int = 1000):
    """The recorded costs against the iteration."""
    ax = _axes(ax)
    costs = np.asarray(costs, dtype=float)
    ax.plot(np.arange(len(costs)) * every, costs, ".-", color="tab:blue")
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost")
    ax.set_title(title or f"learning rate {learning_rate:g}")
    ax.grid(alpha=0.3)
    return ax


# ---------------------------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------------------------

#: the explorer's regularization methods
EXPLORER_METHODS = ("none", "L2", "dropout")


def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def _png_output(fig) -> dict:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=72, bbox_inches="tight")
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
                     "text/plain": "<decision boundary and accuracies>"}}


def _accuracy_panel(ax, rows: list[tuple[str, float, float]]) -> None:
    """Grouped bars: train and test accuracy (%) of each (label, train, test)."""
    positions = np.arange(len(rows))
    width = 0.38
    train = [r[1] for r in rows]
    test = [r[2] for r in rows]
    bars_train = ax.bar(positions - width / 2, train, width, label="train", color="tab:blue")
    bars_test = ax.bar(positions + width / 2, test, width, label="test", color="tab:orange")
    for bars in (bars_train, bars_test):
        for bar in bars:
            ax.annotate(f"{bar.get_height():.1f}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=9)
    ax.set_xticks(positions, [r[0] for r in rows])
    low = min(train + test)
    ax.set_ylim(max(0.0, low - 8.0), 101.0)
    ax.set_ylabel("accuracy (%)")
    ax.set_title("train and test accuracy")
    ax.legend(loc="lower right")
    ax.grid(axis="y", alpha=0.3)


def regularization_explorer(compute_cost_with_regularization, backward_propagation_with_regularization,
                            forward_propagation_with_dropout, backward_propagation_with_dropout, *,
                            iterations: int = 30000, max_iterations: int = 30000):
    """Train the 3-layer model on the football data with *your* functions and compare.

    Controls (continuous_update off: training restarts when a slider is released):

    * "regularization" -- none, L2 (your two L2 functions) or dropout (your two dropout
      functions);
    * "lambda" -- the L2 strength (used with L2);
    * "keep_prob" -- the probability of keeping a hidden unit (used with dropout);
    * "iterations" -- gradient-descent steps (learning rate 0.3), up to ``max_iterations``.

    The output shows the decision boundary (training points as dots, test points as
    crosses) next to bars of the train and test accuracy of this model and of the
    unregularized one, and a line::

        L2, lambda = 0.7: train accuracy 92.89 %, test accuracy 96.00 % (no regularization: ...)

    Returns the widget (a ``VBox``); ``controls`` maps names to the control widgets and
    ``output`` is the ``Output`` widget.  Results are cached: returning to a setting
    redraws at once.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    from dlcourse.datasets.football import load_2D_dataset

    yours = {"compute_cost_with_regularization": compute_cost_with_regularization,
             "backward_propagation_with_regularization": backward_propagation_with_regularization,
             "forward_propagation_with_dropout": forward_propagation_with_dropout,
             "backward_propagation_with_dropout": backward_propagation_with_dropout}
    train_X, train_Y, test_X, test_Y = load_2D_dataset()
    style = {"description_width": "initial"}
    layout = widgets.Layout(width="360px")
    method = widgets.ToggleButtons(options=list(EXPLORER_METHODS), value="L2",
                                   description="regularization", style=style)
    lambd = widgets.FloatSlider(value=0.7, min=0.05, max=3.0, step=0.05, description="lambda",
                                readout_format=".2f", continuous_update=False, style=style,
                                layout=layout)
    keep = widgets.FloatSlider(value=0.86, min=0.5, max=0.99, step=0.01, description="keep_prob",
                               readout_format=".2f", continuous_update=False, style=style,
                               layout=layout)
    n_iter = widgets.IntSlider(value=min(iterations, max_iterations), min=1000, max=max_iterations,
                               step=1000, description="iterations", continuous_update=False,
                               style=style, layout=layout)
    status = widgets.HTML(value="")
    output = widgets.Output(layout=widgets.Layout(min_height="380px"))
    cache: dict = {}

    def setting() -> tuple:
        if method.value == "L2":
            return ("L2", round(float(lambd.value), 4), 1.0)
        if method.value == "dropout":
            return ("dropout", 0.0, round(float(keep.value), 4))
        return ("none", 0.0, 1.0)

    def compute(label: str, lam: float, kp: float, steps: int):
        key = (label, lam, kp, steps)
        if key not in cache:
            parameters, _ = _train_memo(train_X, train_Y, 0.3, steps, lam, kp, **yours)
            cache[key] = (parameters, accuracy(parameters, train_X, train_Y) * 100,
                          accuracy(parameters, test_X, test_Y) * 100)
        return cache[key]

    def describe(label: str, lam: float, kp: float) -> str:
        return {"none": "no regularization", "L2": f"L2, lambda = {lam:g}",
                "dropout": f"dropout, keep_prob = {kp:g}"}[label]

    def redraw(change=None):
        lambd.disabled = method.value != "L2"
        keep.disabled = method.value != "dropout"
        label, lam, kp = setting()
        steps = int(n_iter.value)
        status.value = "<i>training...</i>"
        start = time.perf_counter()
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                parameters, train_acc, test_acc = compute(label, lam, kp, steps)
                _, plain_train, plain_test = compute("none", 0.0, 1.0, steps)
                fig = Figure(figsize=(11, 4.3))
                ax_boundary, ax_bars = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
                plot_decision_boundary(lambda pts: predict_dec(parameters, pts), train_X, train_Y,
                                       ax=ax_boundary, resolution=150,
                                       title=f"{describe(label, lam, kp)} ({steps} iterations)")
                plot_dataset(test_X, test_Y, ax=ax_boundary, marker="X", size=30)
                rows = [("this model", train_acc, test_acc)]
                if label != "none":
                    rows.append(("no regularization", plain_train, plain_test))
                _accuracy_panel(ax_bars, rows)
                fig.tight_layout()
                image = _png_output(fig)
            baseline = ("" if label == "none" else
                        f"; no regularization: {plain_train:.2f} % / {plain_test:.2f} %")
            line = (f"{describe(label, lam, kp)}: train accuracy {train_acc:.2f} %, test accuracy "
                    f"{test_acc:.2f} % ({steps} iterations{baseline})\n")
            output.outputs = (image, _stream(line))
            status.value = f"<small>trained and drawn in {time.perf_counter() - start:.1f} s</small>"
        except Exception as exc:  # show the student's error where they are looking
            output.outputs = (_stream(f"error while training: {type(exc).__name__}: {exc}\n"),)
            status.value = ""

    for control in (method, lambd, keep, n_iter):
        control.observe(redraw, names="value")
    redraw()

    box = widgets.VBox([method, widgets.HBox([lambd, keep]), n_iter, status, output])
    box.controls = {"regularization": method, "lambda": lambd, "keep_prob": keep, "iterations": n_iter}
    box.output = output
    box.redraw = redraw
    return box
