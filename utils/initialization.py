"""The given model, plots and explorer of a05 (initialization).

The network is fixed: ``LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID``
with layer sizes ``[n_x, 10, 5, 1]``.  Everything here is provided code, written
for exactly that network (three weight matrices, named ``W1``, ``W2``, ``W3``):

* :func:`forward_propagation`, :func:`backward_propagation` -- the passes of gradient
  descent, vectorised over the examples (the step itself and the cost are inside
  :func:`train`: nothing here is a general-purpose cost or update function);
* :func:`model` -- trains the network from the parameters *your* initialization
  function returns and prints the cost every 1000 iterations;
* :func:`predict`, :func:`predict_dec`, :func:`accuracy` -- labels and accuracies;
* :func:`plot_dataset`, :func:`plot_decision_boundary`, :func:`plot_costs`;
* :func:`initialization_explorer` -- an ipywidgets app that trains with your three
  initialization functions and shows the cost curve, the decision boundary and the
  distribution of every layer's activations at the start of training.

Shapes: ``X`` is (n_x, m), one example per column; labels ``Y`` are (1, m).
"""
from __future__ import annotations

import base64
import io
import time
import warnings
from typing import Callable

import numpy as np

__all__ = ["LAYERS", "sigmoid", "relu", "forward_propagation", "backward_propagation",
           "model", "train", "predict", "predict_dec",
           "accuracy", "layer_activations", "plot_dataset", "plot_decision_boundary",
           "plot_costs", "initialization_explorer", "EXPLORER_METHODS"]

#: hidden and output sizes of the fixed network: layers_dims = [n_x, 10, 5, 1]
LAYERS = (10, 5, 1)
_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")
_REGION_COLOURS = ("#f7c4b4", "#bcd3ef")


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

def forward_propagation(X, parameters):
    """Forward pass of the 3-layer network.

    X -- (n_x, m); parameters -- dict with W1 (10, n_x), b1 (10, 1), W2 (5, 10), b2 (5, 1),
    W3 (1, 5), b3 (1, 1).
    Returns ``a3`` (1, m), the probabilities, and the cache
    ``(z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)``.
    """
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    z1 = W1 @ X + b1
    a1 = relu(z1)
    z2 = W2 @ a1 + b2
    a2 = relu(z2)
    z3 = W3 @ a2 + b3
    a3 = sigmoid(z3)
    return a3, (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)


def backward_propagation(X, Y, cache):
    """Gradients of the cross-entropy cost for the cache of :func:`forward_propagation`.

    The 1/m of the cost is applied once, to ``dz3``; every later gradient inherits it.
    Returns a dict with ``dz3, dW3, db3, da2, dz2, dW2, db2, da1, dz1, dW1, db1``.
    """
    m = X.shape[1]
    (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3) = cache
    dz3 = 1.0 / m * (a3 - Y)
    dW3 = dz3 @ a2.T
    db3 = dz3.sum(axis=1, keepdims=True)
    da2 = W3.T @ dz3
    dz2 = da2 * (a2 > 0)
    dW2 = dz2 @ a1.T
    db2 = dz2.sum(axis=1, keepdims=True)
    da1 = W2.T @ dz2
    dz1 = da1 * (a1 > 0)
    dW1 = dz1 @ X.T
    db1 = dz1.sum(axis=1, keepdims=True)
    return {"dz3": dz3, "dW3": dW3, "db3": db3, "da2": da2, "dz2": dz2, "dW2": dW2, "db2": db2,
            "da1": da1, "dz1": dz1, "dW1": dW1, "db1": db1}


def _step(parameters, grads, learning_rate):
    """One gradient-descent step on exactly W1, b1, W2, b2, W3, b3; returns a new dict."""
    return {name: parameters[name] - learning_rate * grads["d" + name] for name in _NAMES}


def _recorded_cost(a3, Y) -> float:
    """The cost the model prints: ``(1/m) * nansum(-y log a3 - (1 - y) log(1 - a3))``.

    Where a saturated sigmoid gave exactly 0 or 1, a log is -inf; the 0 * inf
    products become nan and are skipped, the others make the cost inf.
    """
    m = Y.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
        return float(1.0 / m * np.nansum(logprobs))


def _checked(parameters, n_x: int) -> dict:
    """The parameters an initialization returned, after checking they fit [n_x, 10, 5, 1]."""
    if not isinstance(parameters, dict):
        raise TypeError(f"the initialization returned {type(parameters).__name__}, not a dict")
    sizes = (n_x,) + LAYERS
    for l in (1, 2, 3):
        for name, shape in ((f"W{l}", (sizes[l], sizes[l - 1])), (f"b{l}", (sizes[l], 1))):
            if name not in parameters:
                raise KeyError(f"the initialization returned no {name!r}")
            if np.shape(parameters[name]) != shape:
                raise ValueError(f"{name} has shape {np.shape(parameters[name])}, expected {shape}")
    return {name: np.array(parameters[name], dtype=float) for name in _NAMES}


def train(X, Y, initialization: Callable, learning_rate: float = 0.01, num_iterations: int = 15000,
          record_every: int = 1000, weight_scale: float = 1.0):
    """Gradient descent from ``initialization([n_x, 10, 5, 1])``, weights times ``weight_scale``.

    Returns ``(parameters, costs, initial)``: the trained parameters, the costs at
    iterations 0, record_every, 2 * record_every, ... and the starting parameters.
    """
    parameters = _checked(initialization([X.shape[0], *LAYERS]), X.shape[0])
    if weight_scale != 1.0:
        parameters = {k: v * weight_scale if k.startswith("W") else v for k, v in parameters.items()}
    initial = {k: v.copy() for k, v in parameters.items()}
    costs = []
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(num_iterations):
            a3, cache = forward_propagation(X, parameters)
            if i % record_every == 0:
                costs.append(_recorded_cost(a3, Y))
            grads = backward_propagation(X, Y, cache)
            parameters = _step(parameters, grads, learning_rate)
    return parameters, costs, initial


def model(X, Y, initialization: Callable, learning_rate: float = 0.01, num_iterations: int = 15000,
          print_cost: bool = True, plot_cost: bool = True):
    """Train the 3-layer network ``[n_x, 10, 5, 1]``; the weights start from ``initialization``.

    initialization -- one of your functions, e.g. ``initialize_parameters_he``; it is called
                      with ``layers_dims = [n_x, 10, 5, 1]``
    Prints ``Cost after iteration i: cost`` every 1000 iterations (if ``print_cost``), draws
    the cost curve (if ``plot_cost``) and returns the trained parameters.
    """
    if not callable(initialization):
        raise TypeError("pass the initialization function itself, e.g. "
                        "model(train_X, train_Y, initialization=initialize_parameters_he)")
    parameters, costs, _ = train(X, Y, initialization, learning_rate, num_iterations)
    if print_cost:
        for k, cost in enumerate(costs):
            print("Cost after iteration {}: {}".format(k * 1000, cost))
    if plot_cost:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 3.2))
        plot_costs(costs, learning_rate, ax=ax, title=getattr(initialization, "__name__", None))
        plt.show()
    return parameters


def predict_dec(parameters, X):
    """Boolean predictions ``a3 > 0.5``, shape (1, m) (used to draw decision boundaries)."""
    a3, _ = forward_propagation(X, parameters)
    return a3 > 0.5


def accuracy(parameters, X, Y) -> float:
    """Fraction of the columns of ``X`` whose prediction equals the label."""
    return float(np.mean(predict_dec(parameters, X) == Y))


def predict(X, y, parameters):
    """0/1 predictions (int, shape (1, m)); prints ``Accuracy: <fraction correct>``."""
    p = predict_dec(parameters, X).astype(int)
    print("Accuracy: " + str(float(np.mean(p == y))))
    return p


def layer_activations(X, parameters) -> list[tuple[str, np.ndarray]]:
    """``[("layer 1 (ReLU)", a1), ("layer 2 (ReLU)", a2), ("output (sigmoid)", a3)]`` on ``X``."""
    a3, cache = forward_propagation(X, parameters)
    return [("layer 1 (ReLU)", cache[1]), ("layer 2 (ReLU)", cache[5]), ("output (sigmoid)", a3)]


# ---------------------------------------------------------------------------------------------
# Plots
# ---------------------------------------------------------------------------------------------

def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt
        ax = plt.gca()
    return ax


def plot_dataset(X, Y, ax=None, title: str | None = None, limits=(-1.5, 1.5)):
    """Scatter plot of the columns of ``X``: red for label 0 (outer circle), blue for 1."""
    import matplotlib.pyplot as plt

    ax = _axes(ax)
    ax.scatter(X[0, :], X[1, :], c=np.ravel(Y), s=22, cmap=plt.cm.Spectral, edgecolors="k",
               linewidths=0.3, vmin=0, vmax=1)
    ax.set_xlim(*limits)
    ax.set_ylim(*limits)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


def plot_decision_boundary(model_fn: Callable, X, Y, ax=None, title: str | None = None,
                           limits=(-1.5, 1.5), resolution: int = 200):
    """Colour the square ``limits`` x ``limits`` by the predicted class, then draw the data.

    ``model_fn`` receives grid points as *columns*, an array of shape (2, k), and
    returns k labels in any shape -- e.g. ``lambda pts: predict_dec(parameters, pts)``.
    """
    ax = _axes(ax)
    grid = np.linspace(limits[0], limits[1], resolution)
    xx, yy = np.meshgrid(grid, grid)
    labels = np.asarray(model_fn(np.vstack([xx.ravel(), yy.ravel()])), dtype=float).reshape(xx.shape)
    ax.contourf(xx, yy, labels, levels=[-0.5, 0.5, 1.5], colors=_REGION_COLOURS, alpha=0.9)
    return plot_dataset(X, Y, ax=ax, title=title, limits=limits)


def plot_costs(costs, learning_rate: float, ax=None, title: str | None = None, every: int = 1000):
    """The recorded costs against the iteration (non-finite costs are left out of the line)."""
    ax = _axes(ax)
    costs = np.asarray(costs, dtype=float)
    iterations = np.arange(len(costs)) * every
    finite = np.isfinite(costs)
    ax.plot(iterations[finite], costs[finite], ".-", color="tab:blue")
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost")
    ax.set_title(title or f"learning rate {learning_rate:g}")
    ax.grid(alpha=0.3)
    return ax


# ---------------------------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------------------------

#: the explorer's methods: label -> position of the function in its arguments
EXPLORER_METHODS = {"zeros": 0, "random (x10)": 1, "He": 2}


def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def _png_output(fig) -> dict:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=72, bbox_inches="tight")
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
                     "text/plain": "<cost curve, decision boundary and activations>"}}


def _distinct_rows(W, b) -> int:
    """How many hidden units of a layer differ (rows of [W | b], to 1e-9)."""
    rows = np.hstack([W, b])
    scale = max(float(np.max(np.abs(rows))), 1e-300)
    return len(np.unique(np.round(rows / scale, 9), axis=0))


def _activation_panel(ax, name: str, values: np.ndarray) -> None:
    values = np.ravel(values)
    if name.startswith("output"):
        ax.hist(values, bins=25, range=(0, 1), color="tab:purple")
        saturated = float(np.mean((values < 1e-3) | (values > 1 - 1e-3)) * 100)
        ax.set_title(f"{name}\n{saturated:.0f} % saturated (< 0.001 or > 0.999)", fontsize=9)
    else:
        span = (float(values.min()), float(values.max()))
        if span[0] == span[1]:
            span = (span[0] - 0.5, span[1] + 0.5)
        ax.hist(values, bins=30, range=span, color="tab:green")
        ax.set_title(f"{name}\nmean {values.mean():.3g}, std {values.std():.3g}, "
                     f"{np.mean(values > 0) * 100:.0f} % > 0", fontsize=9)
    ax.set_yticks([])
    ax.set_xlabel("activation at the start")


def initialization_explorer(initialize_parameters_zeros, initialize_parameters_random,
                            initialize_parameters_he, *, iterations: int = 15000,
                            max_iterations: int = 15000):
    """Train the 3-layer model on the circles from *your* initializations and look inside.

    Controls (continuous_update off: training restarts when a slider is released):

    * "method" -- which of your three functions provides the starting weights;
    * "weight scale" -- the weights it returns are multiplied by this factor (1 = as
      returned; try He x 10 or random x 0.1);
    * "iterations" -- gradient-descent steps (learning rate 0.01), up to ``max_iterations``.

    The output shows the cost curve, the decision boundary with the test points, and a
    histogram of each layer's activations on the training set *before* training, then a line::

        train accuracy 99.33 %, test accuracy 96.00 % (He, weight scale 1, 15000 iterations) ...

    Returns the widget (a ``VBox``); ``controls`` maps names to the control widgets and
    ``output`` is the ``Output`` widget with the figure and the line.  Results are cached,
    so returning to a setting redraws at once.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    from dlcourse.datasets.circles import load_circles_dataset

    functions = (initialize_parameters_zeros, initialize_parameters_random, initialize_parameters_he)
    train_X, train_Y, test_X, test_Y = load_circles_dataset()
    style = {"description_width": "initial"}
    layout = widgets.Layout(width="380px")
    method = widgets.ToggleButtons(options=list(EXPLORER_METHODS), value="He", description="method",
                                   style=style)
    scale = widgets.FloatLogSlider(value=1.0, base=10, min=-2, max=2, step=0.25,
                                   description="weight scale", readout_format=".3g",
                                   continuous_update=False, style=style, layout=layout)
    n_iter = widgets.IntSlider(value=min(iterations, max_iterations), min=1000, max=max_iterations,
                               step=1000, description="iterations", continuous_update=False,
                               style=style, layout=layout)
    status = widgets.HTML(value="")
    output = widgets.Output(layout=widgets.Layout(min_height="520px"))
    cache: dict = {}

    def compute(label: str, factor: float, steps: int):
        key = (label, factor, steps)
        if key not in cache:
            init = functions[EXPLORER_METHODS[label]]
            parameters, costs, initial = train(train_X, train_Y, init, 0.01, steps,
                                               record_every=100, weight_scale=factor)
            cache[key] = (parameters, costs, initial)
        return cache[key]

    def redraw(change=None):
        label, factor, steps = method.value, float(scale.value), int(n_iter.value)
        status.value = "<i>training...</i>"
        start = time.perf_counter()
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                parameters, costs, initial = compute(label, factor, steps)
                train_acc = accuracy(parameters, train_X, train_Y) * 100
                test_acc = accuracy(parameters, test_X, test_Y) * 100
                distinct = _distinct_rows(parameters["W1"], parameters["b1"])
                fig = Figure(figsize=(11, 7.2))
                grid = fig.add_gridspec(2, 6, height_ratios=[1.25, 1])
                ax_cost = fig.add_subplot(grid[0, :3])
                ax_boundary = fig.add_subplot(grid[0, 3:])
                plot_costs(costs, 0.01, ax=ax_cost, every=100,
                           title=f"cost ({label}, weights x {factor:g})")
                if not np.isfinite(costs[0]):
                    ax_cost.annotate("cost at iteration 0 is inf:\nlog(0) of a saturated sigmoid",
                                     xy=(0.35, 0.85), xycoords="axes fraction", fontsize=9)
                plot_decision_boundary(lambda pts: predict_dec(parameters, pts), test_X, test_Y,
                                       ax=ax_boundary, resolution=150,
                                       title=f"test set: {test_acc:.1f} % (train {train_acc:.1f} %)")
                for k, (name, values) in enumerate(layer_activations(train_X, initial)):
                    _activation_panel(fig.add_subplot(grid[1, 2 * k:2 * k + 2]), name, values)
                fig.tight_layout()
                image = _png_output(fig)
            line = (f"train accuracy {train_acc:.2f} %, test accuracy {test_acc:.2f} % "
                    f"({label}, weight scale {factor:g}, {steps} iterations); "
                    f"distinct units in layer 1 after training: {distinct} of {LAYERS[0]}\n")
            output.outputs = (image, _stream(line))
            status.value = f"<small>trained and drawn in {time.perf_counter() - start:.1f} s</small>"
        except Exception as exc:  # show the student's error where they are looking
            output.outputs = (_stream(f"error while training: {type(exc).__name__}: {exc}\n"),)
            status.value = ""

    for control in (method, scale, n_iter):
        control.observe(redraw, names="value")
    redraw()

    box = widgets.VBox([method, widgets.HBox([scale, n_iter]), status, output])
    box.controls = {"method": method, "weight scale": scale, "iterations": n_iter}
    box.output = output
    box.redraw = redraw
    return box
