"""Figures, picture loading and widgets of a04_deep_network_application.

Nothing here trains a network or implements a building block: every function that
needs a model takes *your* functions as arguments (``two_layer_model``,
``L_layer_model``, ``predict``, ``L_model_forward``), as the explorer of a02 does.

* :func:`show_picture`, :func:`show_gallery`, :func:`show_mislabeled` -- pictures with
  their labels (and predictions, wrong ones in red);
* :func:`train_and_record` -- runs a model and records the cost of every iteration by
  listening to the notebook's ``compute_cost``;
* :func:`plot_costs`, :func:`print_accuracies` -- learning curves and a results table;
* :func:`load_picture`, :func:`example_picture`, :func:`classify_picture`,
  :func:`picture_upload` -- any image file as a (64, 64, 3) picture and its label;
* :func:`depth_explorer` -- layer sizes, learning rate and iterations in, a live cost
  curve and the train / test accuracy out.

Arrays follow the course convention: pictures ``(m, 64, 64, 3)`` uint8, data ``X``
``(12288, m)`` with one picture per column, labels and predictions ``(1, m)``.
"""
from __future__ import annotations

import base64
import contextlib
import io
import time
import warnings
from pathlib import Path
from typing import Callable

import matplotlib.pyplot as plt
import numpy as np

# The picture helpers of a01 serve the same cat-file layout here.
from .logistic_regression import label_name, show_gallery
from .logistic_regression import show_image as show_picture

__all__ = ["label_name", "accuracy", "show_picture", "show_gallery", "show_mislabeled",
           "train_and_record", "plot_costs", "print_accuracies", "load_picture",
           "example_picture", "classify_picture", "picture_upload", "parse_layers",
           "depth_explorer"]


# ---------------------------------------------------------------------------------- pictures
def accuracy(predictions, labels) -> float:
    """Percentage of predictions equal to the labels (0/1 floats, ints or bools)."""
    predictions = np.asarray(predictions, dtype=np.float64).reshape(-1)
    labels = np.asarray(labels, dtype=np.float64).reshape(-1)
    return float(np.mean(predictions == labels) * 100)


def show_mislabeled(classes, images, labels, predictions, ncols: int = 5) -> list[int]:
    """Every picture the model got wrong, with what it said and what it is.

    ``images`` are the original pictures ``(m, 64, 64, 3)``, ``labels`` and
    ``predictions`` 0/1 arrays of shape ``(1, m)``.  Returns the indices shown.
    """
    labels = np.asarray(labels).reshape(-1).astype(int)
    guesses = np.asarray(predictions).reshape(-1).astype(int)
    wrong = np.flatnonzero(guesses != labels).tolist()
    if not wrong:
        print("no picture is misclassified")
        return wrong
    nrows = -(-len(wrong) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.3 * ncols, 2.6 * nrows), squeeze=False,
                             layout="constrained")
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong):
        ax.imshow(images[i])
        ax.set_title(f"#{i}: said {label_name(classes, guesses[i])}\n"
                     f"it is {label_name(classes, labels[i])}", fontsize=9, color="crimson")
    fig.suptitle(f"{len(wrong)} of {len(labels)} pictures misclassified")
    plt.show()
    return wrong


# ------------------------------------------------------------------------------ training runs
@contextlib.contextmanager
def _recording_costs(model: Callable, costs: list, on_cost: Callable[[int, float], None] | None = None):
    """While active, every call of the notebook's ``compute_cost`` (the one ``model`` sees
    as a global) appends its value to ``costs``.  The original is restored afterwards."""
    names = getattr(model, "__globals__", {})
    original = names.get("compute_cost")
    if original is None:
        yield
        return

    def recorded(*args, **kwargs):
        cost = original(*args, **kwargs)
        costs.append(float(np.squeeze(cost)))
        if on_cost is not None:
            on_cost(len(costs), costs[-1])
        return cost

    names["compute_cost"] = recorded
    try:
        yield
    finally:
        names["compute_cost"] = original


def train_and_record(model: Callable, X, Y, layers_dims, **kwargs):
    """``model(X, Y, layers_dims, **kwargs)`` -- your ``two_layer_model`` or ``L_layer_model`` --
    and the cost of *every* iteration, recorded as the model calls ``compute_cost``.

    Returns ``(parameters, costs, seconds)``; ``costs`` is empty when the model never
    calls ``compute_cost``.
    """
    costs: list[float] = []
    start = time.perf_counter()
    with _recording_costs(model, costs):
        parameters = model(X, Y, layers_dims, **kwargs)
    return parameters, np.array(costs), time.perf_counter() - start


def plot_costs(costs, learning_rate: float = 0.0075, title: str | None = None, ax=None,
               label: str | None = None, **style) -> None:
    """A learning curve: the cost of every iteration, a dot every 100 iterations."""
    own = ax is None
    if own:
        _, ax = plt.subplots(figsize=(6.5, 3.6))
    costs = np.asarray(costs, dtype=np.float64).reshape(-1)
    costs = np.where(np.isfinite(costs), costs, np.nan)
    style = {"lw": 1.5, **style}
    line, = ax.plot(np.arange(len(costs)), costs, label=label, **style)
    ax.plot(np.arange(0, len(costs), 100), costs[::100], "o", ms=3, color=line.get_color())
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost J")
    ax.grid(alpha=0.3)
    if own:
        ax.set_title(title or f"learning curve (learning rate {learning_rate:g})")
        plt.show()


def print_accuracies(rows: dict) -> None:
    """``{"2-layer network": (train %, test %), ...}`` as an aligned table."""
    width = max(len(name) for name in rows)
    print(f"{'model':<{width}}   train    test")
    for name, (train, test) in rows.items():
        print(f"{name:<{width}}  {train:5.1f} %  {test:5.1f} %")


# ------------------------------------------------------------------------- your own pictures
def example_picture() -> Path:
    """``chelsea.png``, a photograph of a cat that ships with scikit-image."""
    import skimage.data

    return Path(skimage.data.__file__).resolve().parent / "chelsea.png"


def load_picture(source, num_px: int = 64):
    """An image (a file name or the bytes of a file) as
    ``(picture (num_px, num_px, 3) uint8, column (num_px * num_px * 3, 1) in [0, 1])``.

    The image is converted to RGB and resized to ``num_px`` x ``num_px`` (its
    proportions are not kept, as in the original course); the column is flattened
    in the order of the training data.
    """
    from PIL import Image

    if isinstance(source, (bytes, bytearray, memoryview)):
        source = io.BytesIO(bytes(source))
    with Image.open(source) as img:
        img = img.convert("RGB").resize((num_px, num_px), Image.Resampling.LANCZOS)
        picture = np.asarray(img, dtype=np.uint8)
    return picture, picture.reshape(1, -1).T / 255.0


def _verdict(source, forward: Callable, parameters, classes, num_px: int):
    picture, column = load_picture(source, num_px)
    with np.errstate(all="ignore"):
        probability = float(np.squeeze(forward(column, parameters)[0]))
    return picture, probability, label_name(classes, int(probability > 0.5))


def classify_picture(source, forward: Callable, parameters, classes, num_px: int = 64) -> str:
    """Show a picture and what the network says about it; returns the class name.

    ``forward`` is your ``L_model_forward``: ``forward(column, parameters)[0]`` is the
    probability of class 1.
    """
    picture, probability, name = _verdict(source, forward, parameters, classes, num_px)
    fig, ax = plt.subplots(figsize=(3, 3))
    ax.imshow(picture)
    ax.axis("off")
    ax.set_title(f"the network says: {name}\n(probability of '{label_name(classes, 1)}' "
                 f"{probability:.3f})", fontsize=10)
    plt.show()
    print(f"the network says \"{name}\" (probability of '{label_name(classes, 1)}': "
          f"{probability:.3f})")
    return name


def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def _png(fig, text: str) -> dict:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
                     "text/plain": text}}


def picture_upload(forward: Callable, parameters, classes, num_px: int = 64):
    """A file-upload button: the chosen image is resized to ``num_px`` x ``num_px`` and
    labelled by the network (``forward`` is your ``L_model_forward``)."""
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    upload = widgets.FileUpload(accept="image/*", multiple=False, description="picture")
    output = widgets.Output()

    def show(change=None):
        if not upload.value:
            return
        item = upload.value[0]
        try:
            picture, probability, name = _verdict(item["content"], forward, parameters,
                                                  classes, num_px)
        except Exception as exc:  # not an image, or the network is not trained yet
            output.outputs = (_stream(f"could not classify {item['name']}: "
                                      f"{type(exc).__name__}: {exc}\n"),)
            return
        fig = Figure(figsize=(3, 3))
        ax = fig.subplots()
        ax.imshow(picture)
        ax.axis("off")
        ax.set_title(f"{item['name']}\nthe network says: {name}", fontsize=10)
        output.outputs = (_png(fig, f"<{item['name']}>"),
                          _stream(f"the network says \"{name}\" (probability of "
                                  f"'{label_name(classes, 1)}': {probability:.3f})\n"))

    upload.observe(show, names="value")
    box = widgets.VBox([widgets.HTML("<b>Your own picture:</b> choose an image file "
                                     "(it is resized to 64 x 64)."), upload, output])
    box.upload, box.output, box.show = upload, output, show
    return box


# ---------------------------------------------------------------------------------- explorer
def parse_layers(text: str, n_x: int) -> list[int]:
    """``"20, 7, 5"`` -> ``[n_x, 20, 7, 5, 1]``; an empty text gives ``[n_x, 1]`` (logistic
    regression).  Raises ``ValueError`` for anything but positive whole numbers."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    sizes = [int(p) for p in parts]
    if any(s < 1 for s in sizes):
        raise ValueError("layer sizes must be positive whole numbers")
    if len(sizes) > 8 or any(s > 200 for s in sizes):
        raise ValueError("at most 8 hidden layers of at most 200 units each")
    return [int(n_x)] + sizes + [1]


def depth_explorer(L_layer_model: Callable, predict: Callable, train_x, train_y, test_x, test_y,
                   *, max_iterations: int = 2500, keep: int = 4):
    """An interactive playground for your ``L_layer_model``.

    Controls: "hidden layers" (sizes separated by commas, e.g. ``20, 7, 5``; empty
    for logistic regression; press Enter), "learning rate" (log scale) and
    "iterations" (sliders retrain when released).  While your model trains, its
    cost curve is redrawn live next to the last few runs (faint); then one line
    gives the accuracies, computed with your ``predict``::

        train accuracy 100.0 %, test accuracy 80.0 % | layers [12288, 20, 7, 5, 1], ...

    Results are cached, so going back to a setting is instant.  Returns the widget
    (a ``VBox``); ``controls`` maps names to the control widgets, ``output`` is the
    ``Output`` widget with the figure and the accuracy line.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    style = {"description_width": "initial"}
    layout = widgets.Layout(width="340px")
    layers = widgets.Text(value="20, 7, 5", description="hidden layers", continuous_update=False,
                          style=style, layout=layout)
    rate = widgets.FloatLogSlider(value=0.0075, base=10, min=-4, max=0, step=0.05,
                                  description="learning rate", readout_format=".4f",
                                  continuous_update=False, style=style, layout=layout)
    iterations = widgets.IntSlider(value=min(300, max_iterations), min=100, max=max_iterations,
                                   step=100, description="iterations", continuous_update=False,
                                   style=style, layout=layout)
    status = widgets.HTML(value="")
    output = widgets.Output(layout=widgets.Layout(min_height="320px"))
    n_x = train_x.shape[0]
    cache: dict[tuple, dict] = {}
    history: list[tuple] = []

    def figure(current, key, n_it):
        fig = Figure(figsize=(7.5, 3.6))
        ax = fig.subplots()
        for old in history[-keep:]:
            if old != key:
                plot_costs(cache[old]["costs"], ax=ax, alpha=0.35, lw=1,
                           label=f"{list(old[0])}, lr {old[1]:.4g}, {old[2]} it.")
        if len(current):
            plot_costs(current, ax=ax, lw=2.2, color="black",
                       label=f"{list(key[0])}, lr {key[1]:.4g} (now)")
        ax.set_xlim(-20, max(n_it, 100))
        ax.set_title("training cost of your L_layer_model")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
        fig.tight_layout()
        return _png(fig, "<cost curve>")

    def train(key):
        dims, lr, n_it = list(key[0]), key[1], key[2]
        costs: list[float] = []
        last = [0.0]

        def live(n, cost):
            now = time.perf_counter()
            if now - last[0] > 0.5:  # redraw at most twice a second
                last[0] = now
                try:
                    image = figure(np.array(costs), key, n_it)
                except Exception:  # a drawing problem must not stop the training
                    return
                output.outputs = (image, _stream(f"training {dims}: iteration {n} of {n_it}, "
                                                 f"cost {cost:.4f}\n"))

        start = time.perf_counter()
        with warnings.catch_warnings(), np.errstate(all="ignore"), \
                contextlib.redirect_stdout(io.StringIO()), _recording_costs(L_layer_model, costs, live):
            warnings.simplefilter("ignore")
            parameters = L_layer_model(train_x, train_y, dims, learning_rate=lr,
                                       num_iterations=n_it, print_cost=False)
            train_acc = accuracy(predict(train_x, train_y, parameters), train_y)
            test_acc = accuracy(predict(test_x, test_y, parameters), test_y)
        return {"costs": np.array(costs), "train": train_acc, "test": test_acc,
                "seconds": time.perf_counter() - start}

    def redraw(change=None):
        try:
            dims = parse_layers(layers.value, n_x)
        except ValueError as exc:
            status.value = f"<span style='color:crimson'>hidden layers: {exc}</span>"
            return
        key = (tuple(dims), round(float(rate.value), 8), int(iterations.value))
        status.value = "<i>training...</i>"
        try:
            if key not in cache:
                cache[key] = train(key)
        except Exception as exc:  # the student's model is still being written
            output.outputs = (_stream(f"L_layer_model raised {type(exc).__name__}: {exc}\n"),)
            status.value = ""
            return
        if key in history:
            history.remove(key)
        history.append(key)
        del history[:-keep]
        run = cache[key]
        line = (f"train accuracy {run['train']:.1f} %, test accuracy {run['test']:.1f} % | "
                f"layers {list(key[0])}, learning rate {key[1]:.4g}, {key[2]} iterations\n")
        if len(run["costs"]) and not np.all(np.isfinite(run["costs"])):
            line += ("some costs are inf or nan (not drawn): a probability reached 0 or 1 "
                     "exactly. The steps are too large; try a smaller learning rate.\n")
        if not len(run["costs"]):
            line += "(no cost curve: your L_layer_model never called compute_cost)\n"
        output.outputs = (figure(run["costs"], key, key[2]), _stream(line))
        status.value = f"<small>trained in {run['seconds']:.1f} s</small>"

    for control in (layers, rate, iterations):
        control.observe(redraw, names="value")
    redraw()
    note = widgets.HTML("<i>Type hidden-layer sizes and press Enter (empty: logistic regression); "
                        "release a slider to retrain. Each run trains your L_layer_model on "
                        "all training pictures: one to two seconds per 100 iterations.</i>")
    box = widgets.VBox([widgets.HBox([layers, rate]), widgets.HBox([iterations, status]), note,
                        output])
    box.controls = {"hidden layers": layers, "learning rate": rate, "iterations": iterations}
    box.output = output
    box.redraw = redraw
    return box
