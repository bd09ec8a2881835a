"""Plots and the interactive explorer of a02 (planar data classification).

* :func:`sigmoid` -- the logistic function, safe for large negative inputs;
* :func:`plot_planar_data` -- scatter plot of 2-D points coloured by label;
* :func:`plot_decision_boundary` -- the regions a classifier assigns to each class;
* :func:`planar_explorer` -- an ipywidgets app that trains a one-hidden-layer
  network with *your* building blocks and redraws its decision boundary and
  cost curve whenever a control changes.

Arrays follow the course convention: ``X`` has shape (2, m), one example per
column; labels ``Y`` have shape (1, m).
"""
from __future__ import annotations

import base64
import io
import time
import warnings
from typing import Callable

import numpy as np

__all__ = ["sigmoid", "plot_planar_data", "plot_decision_boundary", "planar_explorer",
           "EXPLORER_DATASETS"]

#: data sets offered by the explorer's drop-down
EXPLORER_DATASETS = ("flower", "noisy_circles", "noisy_moons", "blobs", "gaussian_quantiles")


#: background colours of the two decision regions (label 0, label 1)
_REGION_COLOURS = ("#f7c4b4", "#bcd3ef")


def sigmoid(z):
    """``1 / (1 + exp(-z))`` elementwise; very negative ``z`` gives 0 without a warning."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt
        ax = plt.gca()
    return ax


def plot_planar_data(X, Y, ax=None, title: str | None = None):
    """Scatter plot of the columns of ``X`` (2, m); red for label 0, blue for label 1."""
    import matplotlib.pyplot as plt

    ax = _axes(ax)
    ax.scatter(X[0, :], X[1, :], c=np.ravel(Y), s=30, cmap=plt.cm.Spectral, edgecolors="k",
               linewidths=0.3, vmin=0, vmax=1)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


def plot_decision_boundary(model: Callable[[np.ndarray], np.ndarray], X, Y, ax=None,
                           title: str | None = None, resolution: int = 300, margin: float = 1.0):
    """Colour the plane by the class ``model`` predicts, then draw the data on top.

    ``model`` receives the grid points as *rows*, an array of shape (k, 2),
    and returns k labels in any shape, for example
    ``lambda pts: predict(parameters, pts.T)``.  The grid extends ``margin``
    beyond the data and has ``resolution`` points along its longer side.
    """
    ax = _axes(ax)
    x_min, x_max = X[0, :].min() - margin, X[0, :].max() + margin
    y_min, y_max = X[1, :].min() - margin, X[1, :].max() + margin
    step = max(x_max - x_min, y_max - y_min) / resolution
    xx, yy = np.meshgrid(np.arange(x_min, x_max, step), np.arange(y_min, y_max, step))
    labels = np.asarray(model(np.c_[xx.ravel(), yy.ravel()]), dtype=float).reshape(xx.shape)
    # light red where the model says 0, light blue where it says 1 (the points are darker)
    ax.contourf(xx, yy, labels, levels=[-0.5, 0.5, 1.5], colors=_REGION_COLOURS, alpha=0.9)
    plot_planar_data(X, Y, ax=ax, title=title)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    return ax


# ---------------------------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------------------------

def _load(name: str):
    from dlcourse.datasets.planar import load_extra_dataset, load_planar_dataset

    return load_planar_dataset() if name == "flower" else load_extra_dataset(name)


def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def _png_output(fig) -> dict:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
                     "text/plain": "<decision boundary and cost curve>"}}


def _train_with(nn_model, X, Y, n_h: int, learning_rate: float, num_iterations: int):
    """Run the student's ``nn_model`` with a chosen learning rate; record its costs.

    ``nn_model`` has no learning-rate argument, so for the duration of the call
    the names it uses from the notebook are wrapped: ``update_parameters`` gets
    ``learning_rate`` and ``compute_cost`` records every cost it returns.  The
    notebook's functions are restored afterwards, whatever happens.
    """
    names = nn_model.__globals__
    saved = {k: names[k] for k in ("update_parameters", "compute_cost") if k in names}
    costs: list[float] = []
    if "update_parameters" in saved:
        update = saved["update_parameters"]
        names["update_parameters"] = \
            lambda parameters, grads, *args, **kwargs: update(parameters, grads, learning_rate=learning_rate)
    if "compute_cost" in saved:
        cost_fn = saved["compute_cost"]

        def recorded_cost(*args, **kwargs):
            cost = cost_fn(*args, **kwargs)
            costs.append(float(cost))
            return cost
        names["compute_cost"] = recorded_cost
    try:
        parameters = nn_model(X, Y, n_h, num_iterations=num_iterations, print_cost=False)
    finally:
        names.update(saved)
    return parameters, np.array(costs)


def planar_explorer(nn_model, predict, *, max_iterations: int = 4000):
    """An interactive playground for the one-hidden-layer network, built from your functions.

    Pass your ``nn_model`` and ``predict``.  The explorer trains with them,
    using the learning rate, number of iterations, hidden-layer size and data
    set chosen with the controls, then shows the decision boundary, the cost
    curve and one line::

        accuracy: 90.50 % (n_h = 4, learning rate 1.2, 2000 iterations, dataset flower)

    Controls (continuous_update off: the network retrains when you release a
    slider): "hidden units" 1..50, "learning rate" 0.001..10 (log scale),
    "iterations" 100..``max_iterations`` (capped so a redraw stays around
    a couple of seconds), "dataset".  Returns the widget (a ``VBox``); its
    ``controls`` attribute maps names to the control widgets and ``output``
    is the ``Output`` widget that holds the figure and the accuracy line.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    style = {"description_width": "initial"}
    layout = widgets.Layout(width="360px")
    hidden = widgets.IntSlider(value=4, min=1, max=50, step=1, description="hidden units",
                               continuous_update=False, style=style, layout=layout)
    rate = widgets.FloatLogSlider(value=1.2, base=10, min=-3, max=1, step=0.05,
                                  description="learning rate", readout_format=".3g",
                                  continuous_update=False, style=style, layout=layout)
    iterations = widgets.IntSlider(value=min(2000, max_iterations), min=100, max=max_iterations,
                                   step=100, description="iterations", continuous_update=False,
                                   style=style, layout=layout)
    dataset = widgets.Dropdown(options=list(EXPLORER_DATASETS), value="flower",
                               description="dataset", style=style, layout=layout)
    status = widgets.HTML(value="")
    output = widgets.Output(layout=widgets.Layout(min_height="330px"))

    def redraw(change=None):
        n_h, lr, n_it, name = hidden.value, float(rate.value), iterations.value, dataset.value
        status.value = "<i>training...</i>"
        start = time.perf_counter()
        try:
            X, Y = _load(name)
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                parameters, costs = _train_with(nn_model, X, Y, n_h, lr, n_it)
                predictions = np.asarray(predict(parameters, X), dtype=float).reshape(Y.shape)
                accuracy = float(np.mean(predictions == Y) * 100)
                fig = Figure(figsize=(10, 4))
                ax_boundary, ax_cost = fig.subplots(1, 2)
                plot_decision_boundary(lambda pts: predict(parameters, pts.T), X, Y, ax=ax_boundary,
                                       title=f"{name}, n_h = {n_h}: {accuracy:.2f} %", resolution=200)
                ax_cost.plot(np.arange(len(costs)), costs, color="tab:blue")
                ax_cost.set_xlabel("iteration")
                ax_cost.set_ylabel("cost $J$")
                ax_cost.set_title(f"training cost (learning rate {lr:g})")
                ax_cost.grid(alpha=0.3)
                fig.tight_layout()
                image = _png_output(fig)
            line = (f"accuracy: {accuracy:.2f} % (n_h = {n_h}, learning rate {lr:g}, "
                    f"{n_it} iterations, dataset {name})\n")
            output.outputs = (image, _stream(line))
            status.value = f"<small>trained and drawn in {time.perf_counter() - start:.1f} s</small>"
        except Exception as exc:  # show the student's error where they are looking
            output.outputs = (_stream(f"error while training: {type(exc).__name__}: {exc}\n"),)
            status.value = ""

    for control in (hidden, rate, iterations, dataset):
        control.observe(redraw, names="value")
    redraw()

    box = widgets.VBox([widgets.HBox([hidden, rate]), widgets.HBox([iterations, dataset]),
                        status, output])
    box.controls = {"hidden units": hidden, "learning rate": rate, "iterations": iterations,
                    "dataset": dataset}
    box.output = output
    box.redraw = redraw
    return box
