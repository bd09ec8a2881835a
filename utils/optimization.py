"""Provided pieces of a08 (optimization methods): the fixed 3-layer model, plots, the explorer.

The model is the course's LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID network with
``layers_dims = [2, 5, 2, 1]`` on the moons data (:mod:`dlcourse.datasets.moons`):

* :func:`initialize_parameters` -- its He-initialised starting point (seed 3, as in the course);
* :func:`forward_propagation`, :func:`compute_cost`, :func:`backward_propagation`,
  :func:`predict`, :func:`predict_dec` -- the forward pass, the *summed* logistic loss of a
  mini-batch, the gradients, and predictions;
* :func:`model` -- the training loop: mini-batches, one optimizer step per mini-batch,
  optional learning-rate decay.  The steps themselves are *your* functions: pass them in as
  ``functions`` (a dict by name);
* :func:`plot_moons`, :func:`plot_decision_boundary`, :func:`plot_costs` -- figures;
* :func:`optimization_explorer` -- an ipywidgets app that trains with your functions and
  overlays the cost curves of several optimizers on one plot.

Nothing here implements a graded function of this or any other assignment: the optimizer
updates, the mini-batches and the decay schedules come from the caller, and the starting
weights are stored numbers (the course drew them once with seed 3), not an initialisation rule.
Arrays follow the course convention: ``X`` has shape (2, m), one example per column.
"""
from __future__ import annotations

import base64
import contextlib
import io
import time
import warnings
from typing import Callable, Mapping

import numpy as np

__all__ = ["LAYERS_DIMS", "OPTIMIZERS", "FUNCTION_NAMES", "initialize_parameters",
           "forward_propagation", "compute_cost", "backward_propagation", "predict", "predict_dec",
           "model", "plot_moons", "plot_decision_boundary", "plot_costs", "optimization_explorer"]

#: the network of the assignment: 2 inputs, hidden layers of 5 and 2 units, 1 output
LAYERS_DIMS = (2, 5, 2, 1)

#: the optimizers ``model`` knows, and the functions (by name) each one needs
OPTIMIZERS = {
    "gd": ("update_parameters_with_gd",),
    "momentum": ("initialize_velocity", "update_parameters_with_momentum"),
    "adam": ("initialize_adam", "update_parameters_with_adam"),
}
#: every function ``model`` may take from ``functions``
FUNCTION_NAMES = ("random_mini_batches",) + tuple(n for names in OPTIMIZERS.values() for n in names)

# He-initialised weights of the [2, 5, 2, 1] network exactly as the course drew them
# (np.random.seed(3), then randn(5, 2), randn(2, 5), randn(1, 2), each times sqrt(2 / fan-in)).
_START = {
    "W1": [[1.7886284734303186, 0.43650985051198943],
           [0.09649746807200862, -1.8634927033644908],
           [-0.27738820251439905, -0.35475897926898675],
           [-0.08274148148245977, -0.6270006768238473],
           [-0.04381816897592824, -0.47721803035950267]],
    "W2": [[-0.8309610316082895, 0.5594843183077617, 0.5573944712752409, 1.0812289415230667,
            0.03164405378254869],
           [-0.25594046955341887, -0.3449159158215677, -0.9780781334050371, 0.6213037182863017,
            -0.696376313807212]],
    "W3": [[-1.1850465270201729, -0.20564989942254108]],
}


def initialize_parameters(layers_dims=LAYERS_DIMS):
    """The starting parameters of the [2, 5, 2, 1] network (He initialisation, seed 3).

    Returns a new dict W1 (5, 2), b1 (5, 1), W2 (2, 5), b2 (2, 1), W3 (1, 2), b3 (1, 1); the
    biases are zeros.  Only ``layers_dims = [2, 5, 2, 1]`` is available.
    """
    if tuple(layers_dims) != LAYERS_DIMS:
        raise ValueError(f"only the course's network {list(LAYERS_DIMS)} is provided, "
                         f"not {list(layers_dims)}")
    parameters = {}
    for l in (1, 2, 3):
        parameters[f"W{l}"] = np.array(_START[f"W{l}"])
        parameters[f"b{l}"] = np.zeros((LAYERS_DIMS[l], 1))
    return parameters


def forward_propagation(X, parameters):
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID on the columns of ``X``.

    Returns ``(a3, cache)``: the output probabilities (1, m) and the tuple
    ``(z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)`` for :func:`backward_propagation`.
    """
    W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    z1 = W1 @ X + b1
    a1 = np.maximum(z1, 0)
    z2 = W2 @ a1 + b2
    a2 = np.maximum(z2, 0)
    z3 = W3 @ a2 + b3
    a3 = 1 / (1 + np.exp(-z3))
    return a3, (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)


def compute_cost(a3, Y):
    """The **sum** (not the mean) of the logistic losses of the examples of a mini-batch.

    The training loop adds these sums over an epoch and divides by m once, so every epoch's
    cost is the mean over all examples whatever the size of the last mini-batch.
    """
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return float(np.sum(logprobs))


def backward_propagation(X, Y, cache):
    """Gradients of the *mean* loss over the mini-batch ``X`` (2, m), ``Y`` (1, m).

    Returns a dict with dz3, dW3, db3, da2, dz2, dW2, db2, da1, dz1, dW1, db1.
    """
    m = X.shape[1]
    (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3) = cache
    # (written for speed: the training loop calls this 50,000 times per run)
    row_sums = np.add.reduce  # np.sum(..., axis=1, keepdims=True) without its Python wrapper
    dz3 = 1.0 / m * (a3 - Y)
    dW3 = dz3 @ a2.T
    db3 = row_sums(dz3, axis=1, keepdims=True)
    da2 = W3.T @ dz3
    dz2 = da2 * (a2 > 0)
    dW2 = dz2 @ a1.T
    db2 = row_sums(dz2, axis=1, keepdims=True)
    da1 = W2.T @ dz2
    dz1 = da1 * (a1 > 0)
    dW1 = dz1 @ X.T
    db1 = row_sums(dz1, axis=1, keepdims=True)
    return {"dz3": dz3, "dW3": dW3, "db3": db3, "da2": da2, "dz2": dz2, "dW2": dW2, "db2": db2,
            "da1": da1, "dz1": dz1, "dW1": dW1, "db1": db1}


def predict_dec(parameters, X):
    """0/1 predictions (bool, shape (1, m)) for the columns of ``X``: output above 0.5."""
    a3, _ = forward_propagation(X, parameters)
    return a3 > 0.5


def predict(X, y, parameters, print_accuracy=True):
    """Predictions (0/1 ints, shape (1, m)) and, printed, the accuracy ``Accuracy: 0.94``."""
    predictions = predict_dec(parameters, X).astype(int)
    accuracy = float(np.mean(predictions[0, :] == np.ravel(y)))
    if print_accuracy:
        print("Accuracy: " + str(accuracy))
    return predictions


# ---------------------------------------------------------------------------------------------
# The training loop
# ---------------------------------------------------------------------------------------------

def _need(functions: Mapping[str, Callable], optimizer: str) -> dict:
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, not {optimizer!r}")
    needed = ("random_mini_batches",) + OPTIMIZERS[optimizer]
    missing = [n for n in needed if n not in functions]
    if missing:
        raise ValueError(f"functions lacks {missing} (pass a dict with your functions by name)")
    return {n: functions[n] for n in needed}


def model(X, Y, layers_dims, optimizer, learning_rate=0.0007, mini_batch_size=64, beta=0.9,
          beta1=0.9, beta2=0.999, epsilon=1e-8, num_epochs=10000, print_cost=True,
          decay=None, decay_rate=1.0, *, functions, record_every=100):
    """Train the [2, 5, 2, 1] network with mini-batches and the chosen optimizer.

    X, Y -- data (2, m) and labels (1, m)
    layers_dims -- [2, 5, 2, 1] (the only network provided)
    optimizer -- "gd", "momentum" or "adam"
    learning_rate, mini_batch_size, beta (momentum), beta1, beta2, epsilon (Adam) -- as usual
    num_epochs -- passes over the data; before epoch i (i = 0, 1, ...) the data are reshuffled
                  with ``random_mini_batches(X, Y, mini_batch_size, seed)``, seed = 11 + i
    print_cost -- print "Cost after epoch i: cost" every 1000 epochs
    decay -- None, or a schedule ``decay(learning_rate0, epoch_num, decay_rate)`` that gives the
             learning rate of epoch i (``learning_rate`` is then the initial rate)
    functions -- dict of your functions by name: random_mini_batches and those of the optimizer
                 (update_parameters_with_gd; initialize_velocity, update_parameters_with_momentum;
                 initialize_adam, update_parameters_with_adam)
    record_every -- the cost is computed every ``record_every`` epochs (and at every printed
                    epoch): computing it costs as much time as the update itself
    Returns ``(parameters, costs)``: the trained parameters and a dict ``{epoch: cost}`` of the
    recorded epochs, the cost of an epoch being the mean logistic loss over the m examples
    (the summed losses of its mini-batches, each taken before that mini-batch's update, over m).

    Adam's step counter t starts at 0 and grows by one before every update.
    """
    fns = _need(functions, optimizer)
    m = X.shape[1]
    parameters = initialize_parameters(layers_dims)
    learning_rate0 = learning_rate
    costs = {}
    seed = 10
    t = 0
    if optimizer == "momentum":
        v = fns["initialize_velocity"](parameters)
    elif optimizer == "adam":
        v, s = fns["initialize_adam"](parameters)
    random_mini_batches = fns["random_mini_batches"]
    for i in range(num_epochs):
        seed = seed + 1
        if decay is not None:
            learning_rate = decay(learning_rate0, i, decay_rate)
        record = (i % record_every == 0) or (print_cost and i % 1000 == 0)
        cost_total = 0.0
        for minibatch_X, minibatch_Y in random_mini_batches(X, Y, mini_batch_size, seed):
            a3, cache = forward_propagation(minibatch_X, parameters)
            if record:
                cost_total += compute_cost(a3, minibatch_Y)
            grads = backward_propagation(minibatch_X, minibatch_Y, cache)
            if optimizer == "gd":
                parameters = fns["update_parameters_with_gd"](parameters, grads, learning_rate)
            elif optimizer == "momentum":
                parameters, v = fns["update_parameters_with_momentum"](parameters, grads, v, beta,
                                                                       learning_rate)
            else:
                t = t + 1
                parameters, v, s = fns["update_parameters_with_adam"](
                    parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon)
        if record:
            costs[i] = cost_total / m
        if print_cost and i % 1000 == 0:
            print("Cost after epoch %i: %f" % (i, costs[i]))
    return parameters, costs


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------

#: colours and line styles of the optimizers in every figure (momentum dashed: on the course's
#: settings its curve lies on top of gradient descent's)
COLOURS = {"gd": "tab:blue", "momentum": "tab:orange", "adam": "tab:green"}
STYLES = {"momentum": "--"}


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt
        ax = plt.gca()
    return ax


def plot_moons(X, Y, ax=None, title: str | None = None):
    """Scatter plot of the columns of ``X`` (2, m); red for label 0, blue for label 1."""
    import matplotlib.pyplot as plt

    ax = _axes(ax)
    ax.scatter(X[0, :], X[1, :], c=np.ravel(Y), s=25, cmap=plt.cm.Spectral, edgecolors="k",
               linewidths=0.3, vmin=0, vmax=1)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


def plot_decision_boundary(parameters, X, Y, ax=None, title: str | None = None,
                           xlim=(-1.5, 2.5), ylim=(-1.0, 1.5), resolution: int = 200):
    """Colour the plane by the class the trained network predicts, then draw the data on top.

    The axes span the course's window x in [-1.5, 2.5], y in [-1, 1.5].
    """
    ax = _axes(ax)
    xx, yy = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    labels = predict_dec(parameters, np.vstack([xx.ravel(), yy.ravel()])).reshape(xx.shape)
    ax.contourf(xx, yy, labels.astype(float), levels=[-0.5, 0.5, 1.5],
                colors=("#f7c4b4", "#bcd3ef"), alpha=0.9)
    plot_moons(X, Y, ax=ax, title=title)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return ax


def plot_costs(costs: Mapping[str, Mapping[int, float]], ax=None, title: str | None = None):
    """Overlay cost curves on one plot: ``{label: {epoch: cost}}`` (what :func:`model` returns;
    a plain sequence of costs is drawn against 0, 1, 2, ...)."""
    ax = _axes(ax)
    for label, curve in costs.items():
        if isinstance(curve, Mapping):
            epochs, values = np.array(list(curve.keys())), np.array(list(curve.values()), dtype=float)
        else:
            values = np.asarray(curve, dtype=float)
            epochs = np.arange(len(values))
        name = str(label).split()[0].rstrip(",:")
        ax.plot(epochs, values, label=str(label), color=COLOURS.get(name), ls=STYLES.get(name, "-"),
                lw=1.2)
    ax.set_xlabel("epoch")
    ax.set_ylabel("cost")
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return ax


# ---------------------------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------------------------

def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def _png_output(fig) -> dict:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
                     "text/plain": "<cost curves>"}}


#: mini-batch sizes offered by the explorer (300: the whole data set, batch gradient descent)
EXPLORER_BATCH_SIZES = (1, 16, 32, 64, 128, 300)


def optimization_explorer(functions: Mapping[str, Callable], X=None, Y=None, *,
                          max_epochs: int = 3000):
    """Train the [2, 5, 2, 1] network with *your* functions and overlay the cost curves.

    ``functions`` maps names to your functions (see :func:`model`).  Controls (continuous_update
    off: training restarts when you release a slider): "optimizers" (any of gd, momentum, adam),
    "learning rate" (log scale), "mini-batch size", "beta" (momentum), "beta1", "beta2" (Adam),
    "epochs" (capped by ``max_epochs`` to keep a redraw to a few seconds).  Shows one plot with a
    cost curve per optimizer and one line per optimizer::

        adam: accuracy 89.00 %, final cost 0.3687 (learning rate 0.0007, mini-batch 64, 300 epochs)

    Returns the widget (a ``VBox``); ``controls`` maps names to controls and ``output`` is the
    ``Output`` widget with the figure and the lines.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    if X is None or Y is None:
        from dlcourse.datasets.moons import load_dataset

        X, Y = load_dataset()
    style = {"description_width": "initial"}
    wide = widgets.Layout(width="330px")
    chosen = widgets.SelectMultiple(options=list(OPTIMIZERS), value=tuple(OPTIMIZERS),
                                    description="optimizers", rows=3, style=style)
    rate = widgets.FloatLogSlider(value=0.0007, base=10, min=-4, max=0, step=0.1,
                                  description="learning rate", readout_format=".2g",
                                  continuous_update=False, style=style, layout=wide)
    batch = widgets.Dropdown(options=list(EXPLORER_BATCH_SIZES), value=64,
                             description="mini-batch size", style=style, layout=wide)
    beta = widgets.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01, description="beta",
                               continuous_update=False, style=style, layout=wide)
    beta1 = widgets.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01, description="beta1",
                                continuous_update=False, style=style, layout=wide)
    beta2 = widgets.FloatSlider(value=0.999, min=0.9, max=0.9999, step=0.0001, description="beta2",
                                readout_format=".4f", continuous_update=False, style=style,
                                layout=wide)
    epochs = widgets.IntSlider(value=min(300, max_epochs), min=100, max=max_epochs, step=100,
                               description="epochs", continuous_update=False, style=style,
                               layout=wide)
    status = widgets.HTML(value="")
    output = widgets.Output(layout=widgets.Layout(min_height="330px"))

    def redraw(change=None):
        names = list(chosen.value)
        lr, size, n = float(rate.value), int(batch.value), int(epochs.value)
        status.value = "<i>training...</i>"
        start = time.perf_counter()
        try:
            curves, lines = {}, []
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(), \
                    np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                for name in names:
                    parameters, costs = model(X, Y, list(LAYERS_DIMS), name, learning_rate=lr,
                                              mini_batch_size=size, beta=float(beta.value),
                                              beta1=float(beta1.value), beta2=float(beta2.value),
                                              num_epochs=n, print_cost=False, functions=functions,
                                              record_every=max(1, n // 100))
                    accuracy = float(np.mean(predict_dec(parameters, X) == Y) * 100)
                    curves[name] = costs
                    final = list(costs.values())[-1]
                    lines.append(f"{name}: accuracy {accuracy:.2f} %, final cost {final:.4f} "
                                 f"(learning rate {lr:.2g}, mini-batch {size}, {n} epochs)\n")
                fig = Figure(figsize=(8, 4))
                ax = fig.subplots()
                if curves:
                    plot_costs(curves, ax=ax, title="cost per epoch")
                    values = np.array([c for curve in curves.values() for c in curve.values()])
                    values = values[np.isfinite(values)]
                    top = float(values.max()) if values.size else 1.0
                    ax.set_ylim(0, min(top * 1.05, 2.0))
                fig.tight_layout()
                image = _png_output(fig)
            if not lines:
                lines = ["choose at least one optimizer\n"]
            output.outputs = (image, _stream("".join(lines)))
            status.value = f"<small>trained and drawn in {time.perf_counter() - start:.1f} s</small>"
        except Exception as exc:  # show the student's error where they are looking
            output.outputs = (_stream(f"error while training: {type(exc).__name__}: {exc}\n"),)
            status.value = ""

    for control in (chosen, rate, batch, beta, beta1, beta2, epochs):
        control.observe(redraw, names="value")
    redraw()

    box = widgets.VBox([widgets.HBox([chosen, widgets.VBox([rate, batch, epochs])]),
                        widgets.HBox([beta, beta1, beta2]), status, output])
    box.controls = {"optimizers": chosen, "learning rate": rate, "mini-batch size": batch,
                    "beta": beta, "beta1": beta1, "beta2": beta2, "epochs": epochs}
    box.output = output
    box.redraw = redraw
    return box
