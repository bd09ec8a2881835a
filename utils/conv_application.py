"""Provided pieces of a10 (convolutional networks with Keras): probes, figures and a live trainer.

Nothing here builds a graded model.  The notebook's functions build them; this module

* reduces a model to plain data for the checks: :func:`summary_rows` (the original course's
  summary table, what the public checks compare) and :func:`model_probe` (layer settings,
  parameter counts and the output on a fixed input, what the hidden checks compare; it runs in
  the grading worker), with :func:`explain_summary` turning a wrong table into sentences;
* draws pictures and curves: :func:`show_examples`, :func:`plot_history`;
* trains a model you pass it while you watch: :func:`training_explorer`, an ipywidgets app
  whose loss and accuracy curves a Keras callback (:class:`LiveCurves`) redraws after every
  epoch (never displayed while grading: see the notebook).

Plots import matplotlib lazily and widgets import ipywidgets lazily; TensorFlow comes through
:mod:`dlcourse.utils.tf_runtime`, quietly.
"""
from __future__ import annotations

import base64
import io
import time
from collections import Counter
from typing import Any, Callable, Sequence

import numpy as np

from . import keras_probe
from .tf_runtime import keras, set_seed, tf

__all__ = ["summary_rows", "summary_table", "sequential_summary", "functional_summary",
           "model_probe", "explain_model", "explain_summary", "show_examples", "plot_history",
           "LiveCurves", "training_explorer", "EXPLORER_BATCH_SIZES"]


# ============================================================================================
# Models as plain data
# ============================================================================================

def _keras_activations(model) -> None:
    """Give every layer whose activation is a raw TensorFlow function (``tf.nn.softmax``,
    ``tf.nn.relu``) the Keras activation of the same name, which computes the same thing.

    Keras serializes such a function as ``{"class_name": "function", "config": "softmax_v2"}``,
    which :mod:`keras_probe` does not read as an activation name; after this the layer reads
    ``"softmax"`` like ``activation="softmax"`` does.  Functions Keras does not know are left.
    """
    for layer in model.layers:
        activation = getattr(layer, "activation", None)
        if activation is None or not callable(activation):
            continue
        try:
            config = layer.get_config().get("activation")
        except Exception:  # a layer that cannot describe itself: leave it to the probe
            continue
        if isinstance(config, dict) and isinstance(config.get("config"), str):
            name = config["config"].removesuffix("_v2")
            try:
                layer.activation = keras.activations.get(name)
            except (ValueError, TypeError):
                pass


def summary_rows(model, input_row: bool | None = None) -> list[list]:
    """The course's summary rows of ``model`` (:func:`keras_probe.course_summary`).

    ``input_row=False`` drops an ``InputLayer`` row, ``True`` makes sure there is one first
    (a ``Sequential`` model that starts with ``keras.Input`` lists none), ``None`` keeps
    what Keras lists.  So a Sequential and a functional model of the same layers give the same
    table; ``Activation("relu")`` is listed as ``ReLU``, and raw TensorFlow activations
    (``tf.nn.softmax``) by their Keras names.
    """
    model = keras_probe.as_model(model, "the function")
    _keras_activations(model)
    rows = keras_probe.course_summary(model)
    for layer, row in zip(model.layers, rows):  # Activation("relu") is a ReLU layer too
        if type(layer).__name__ == "Activation" and keras_probe.layer_row(layer)["kind"] == "ReLU":
            row[0] = "ReLU"
    has_input = bool(rows) and rows[0][0] == "InputLayer"
    if input_row is False and has_input:
        rows = rows[1:]
    elif input_row is True and not has_input:
        shape = tuple(None if d is None else int(d) for d in model.inputs[0].shape)
        rows = [["InputLayer", [shape], 0]] + rows
    return rows


def summary_table(model, input_row: bool | None = None) -> dict:
    """``{"layer 1": row, ..., "total params": n, "trainable params": n,
    "non-trainable params": n}``: :func:`summary_rows` and :func:`keras_probe.param_counts`
    keyed so that a check prints them one per line."""
    rows = summary_rows(model, input_row)
    counts = keras_probe.param_counts(model)
    table: dict[str, Any] = {f"layer {k}": row for k, row in enumerate(rows, 1)}
    table["total params"] = counts["total"]
    table["trainable params"] = counts["trainable"]
    table["non-trainable params"] = counts["non_trainable"]
    return table


def sequential_summary(builder: Callable, *args, **kwargs) -> dict:
    """Probe of the public checks for a builder of a ``Sequential`` model: its
    :func:`summary_table` without an ``InputLayer`` row (the course's table)."""
    return summary_table(builder(*args, **kwargs), input_row=False)


def functional_summary(builder: Callable, *args, **kwargs) -> dict:
    """Probe of the public checks for a builder of a functional model: its
    :func:`summary_table` with the ``InputLayer`` row first (the course's table)."""
    return summary_table(builder(*args, **kwargs), input_row=True)


def model_probe(builder: Callable, *args, probe_seed: int = 0, probe_training: bool = False,
                **kwargs) -> dict:
    """Probe of the hidden checks: call ``builder(*args, **kwargs)`` and return
    :func:`keras_probe.model_report` of the model it returns.

    ``probe_seed`` picks the deterministic weights and the two fixed inputs the output is
    computed on; ``probe_training=True`` runs the model in training mode (BatchNormalization
    then normalizes with the statistics of the batch).  Runs in the grading worker.

    Unlike :func:`keras_probe.probe_model` it does not call ``keras.backend.clear_session()``
    first: that runs a full garbage collection, 0.3-0.5 s with TensorFlow loaded, several
    times what building and running these small models costs; nothing in the report depends
    on Keras's global state (layer names are not compared).
    """
    model = keras_probe.as_model(builder(*args, **kwargs),
                                 getattr(builder, "__name__", "the function"))
    _keras_activations(model)
    shape = tuple(int(d) for d in model.inputs[0].shape[1:])
    x = keras_probe.fixed_input(shape, n=2, seed=int(probe_seed))
    return keras_probe.model_report(model, x=x, seed=int(probe_seed), training=bool(probe_training))


#: settings compared layer kind by layer kind, as the notebook names them
_SETTINGS = ("filters", "kernel_size", "strides", "padding", "pool_size", "axis", "units",
             "activation", "use_bias", "rate")


def _listed(counts: Counter) -> str:
    """``"'same' (2 times), 'valid'"``: a multiset of settings (reprs) or layer kinds."""
    return ", ".join(k if n == 1 else f"{k} ({n} times)" for k, n in sorted(counts.items()))


def explain_model(actual: Any, expected: Any) -> list[str]:
    """Sentences for a :func:`model_probe` report that differs from the reference's (the
    ``explain`` of the hidden checks; it runs in the grader on plain data).

    One sentence naming the kinds of layers that are missing or not asked for, and the settings
    that differ, kind by kind (``Conv2D padding is 'same', 'valid'; the notebook asks for
    'same' (2 times)``): the student's own settings and the architecture the notebook asks for,
    never the reference's outputs, shapes or parameter counts.  When the layers and their
    settings agree (or the input shape differs) it leaves the sentence to
    :func:`keras_probe.explain_report` (input shape, order of the layers, connections).
    """
    if not isinstance(actual, dict) or not isinstance(expected, dict) or "layers" not in expected:
        return []
    if actual.get("input_shape") != expected.get("input_shape"):
        return keras_probe.explain_report(actual, expected)
    mine = [r for r in actual.get("layers", []) if isinstance(r, dict)]
    wanted = [r for r in expected["layers"] if isinstance(r, dict)]
    kinds_mine = Counter(str(r.get("kind")) for r in mine)
    kinds_wanted = Counter(str(r.get("kind")) for r in wanted)
    hints = []
    if kinds_wanted - kinds_mine:
        hints.append("missing: " + _listed(kinds_wanted - kinds_mine))
    if kinds_mine - kinds_wanted:
        hints.append("not asked for: " + _listed(kinds_mine - kinds_wanted))
    for kind in sorted(kinds_wanted):
        rows_mine = [r for r in mine if str(r.get("kind")) == kind]
        rows_wanted = [r for r in wanted if str(r.get("kind")) == kind]
        if len(rows_mine) != len(rows_wanted):  # already said: missing or not asked for
            continue
        for key in _SETTINGS:
            got = Counter(repr(r.get(key)) for r in rows_mine)
            asked = Counter(repr(r.get(key)) for r in rows_wanted)
            if got != asked:
                hints.append(f"{kind} {key} is {_listed(got)}; the notebook asks for "
                             f"{_listed(asked)}")
    if hints:
        return ["the layers differ from the architecture asked for -- " + " | ".join(hints)]
    return keras_probe.explain_report(actual, expected)


def _kinds(table: dict) -> list[str]:
    return [str(row[0]) if isinstance(row, (list, tuple)) and row else "?"
            for key, row in table.items() if key.startswith("layer ")]


def explain_summary(actual: Any, expected: Any) -> list[str]:
    """Sentences for a :func:`summary_table` that differs from the expected one (public checks:
    the expected table is printed next to the student's anyway)."""
    if not isinstance(actual, dict) or not isinstance(expected, dict):
        return []
    mine, wanted = _kinds(actual), _kinds(expected)
    if mine != wanted:
        text = (f"the layers, in order, are {', '.join(mine) or 'none'}; the notebook asks for "
                f"{', '.join(wanted)}")
        if sorted(mine) == sorted(wanted):
            text += " (the same layers in another order)"
        return [text]
    for key in expected:
        if key.startswith("layer ") and actual.get(key) != expected[key]:
            return [f"{key} ({expected[key][0]}) is {actual.get(key)}, expected {expected[key]}"]
    return []


# ============================================================================================
# Figures
# ============================================================================================

def _label(y, classes) -> str:
    y = int(np.asarray(y).reshape(-1)[0])
    try:
        name = classes[y]
    except (IndexError, TypeError):
        return f"y = {y}"
    name = name.decode() if isinstance(name, bytes) else str(name)
    return f"y = {y}" if name == str(y) else f"y = {y} ({name})"


def show_examples(X, Y, classes, indices: Sequence[int], title: str | None = None):
    """Show the pictures ``X[indices]`` (uint8 or floats in [0, 1]) with their labels.

    ``Y`` holds the labels as (1, m) (the layout of the loaders) or (m,).  Returns the figure.
    """
    import matplotlib.pyplot as plt

    labels = np.asarray(Y).reshape(-1)
    indices = list(indices)
    fig, axes = plt.subplots(1, len(indices), figsize=(2.2 * len(indices), 2.6), squeeze=False)
    for ax, i in zip(axes[0], indices):
        ax.imshow(X[i])
        ax.set_title(f"#{i}: {_label(labels[i], classes)}", fontsize=9)
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def _history_dict(history) -> dict:
    if history is None:
        return {}
    return dict(getattr(history, "history", history))


#: where the legends go: losses fall, accuracies rise ("best" costs a search on every redraw)
_LEGEND = {"loss": "upper right", "accuracy": "lower right"}


def _draw_history(axes, curves: dict, epochs_planned: int | None = None) -> None:
    from matplotlib.ticker import MaxNLocator

    ax_loss, ax_acc = axes
    for ax, key, title in ((ax_loss, "loss", "Model loss"), (ax_acc, "accuracy", "Model accuracy")):
        for name, style, label in ((key, "-", "train"), (f"val_{key}", "--", "validation")):
            values = curves.get(name)
            if values:
                epochs = np.arange(1, len(values) + 1)
                ax.plot(epochs, values, style, marker="o", markersize=3, label=label)
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(key)
        if epochs_planned:
            ax.set_xlim(0.5, epochs_planned + 0.5)
        if key == "accuracy":
            ax.set_ylim(0, 1.02)
        if ax.lines:
            ax.legend(loc=_LEGEND[key], fontsize=8)
        ax.grid(alpha=0.3)


def plot_history(history):
    """Loss and accuracy per epoch, training against validation: a Keras ``History`` (what
    ``fit`` returns) or its ``.history`` dict.  ``None`` (no training run) prints a note and
    returns None; otherwise returns the figure."""
    curves = _history_dict(history)
    if not curves:
        print("(no training run to plot: training is skipped while grading)")
        return None
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    _draw_history(axes, curves)
    fig.tight_layout()
    return fig


# ============================================================================================
# The live trainer
# ============================================================================================

def _png_output(fig) -> dict:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)  # fixed margins: no tight layout, no tight bbox (fast)
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
                     "text/plain": "<loss and accuracy curves>"}}


def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def _curves_output(curves: dict, epochs_planned: int) -> dict:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 3.3))
    _draw_history(fig.subplots(1, 2), curves, epochs_planned)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.15, top=0.9, wspace=0.22)
    return _png_output(fig)


def _epoch_line(epoch: int, epochs: int, logs: dict) -> str:
    parts = [f"{key} {logs[key]:.4f}" for key in ("loss", "accuracy", "val_loss", "val_accuracy")
             if key in logs]
    return f"epoch {epoch}/{epochs}: " + ", ".join(parts)


class LiveCurves(keras.callbacks.Callback):
    """A Keras callback that redraws the loss and accuracy curves after every epoch.

    ``show(curves, line)`` receives the curves so far (``{"loss": [...], "accuracy": [...],
    "val_loss": [...], ...}``) and a line describing the epoch that just ended.
    """

    def __init__(self, epochs: int, show: Callable[[dict, str], None]):
        super().__init__()
        self.epochs, self.show = int(epochs), show
        self.curves: dict[str, list[float]] = {}

    def on_epoch_end(self, epoch, logs=None):
        logs = {k: float(v) for k, v in (logs or {}).items()}
        for key, value in logs.items():
            self.curves.setdefault(key, []).append(value)
        self.show(self.curves, _epoch_line(epoch + 1, self.epochs, logs))


#: batch sizes offered by the explorer
EXPLORER_BATCH_SIZES = (16, 32, 64, 128)


def training_explorer(build_model: Callable, X_train, Y_train, X_test, Y_test, *,
                      max_epochs: int = 15, seed: int = 1):
    """Train ``build_model(input_shape)`` on the given data while its curves grow, epoch by epoch.

    ``build_model`` is your ``convolutional_model``; the labels are one-hot.  Controls:
    "learning rate" (Adam's, log scale), "epochs" (at most ``max_epochs``, so that one run takes
    seconds), "batch size", and a "Train" button that builds a fresh model (seeded with
    ``seed``), compiles it with Adam and categorical cross-entropy and trains it on ``tf.data``
    datasets.  After each epoch a :class:`LiveCurves` callback redraws the loss and accuracy
    of the training and the test set and writes a line such as::

        epoch 3/5: loss 1.2345, accuracy 0.5678, val_loss 1.1111, val_accuracy 0.6111

    Returns the widget (a ``VBox``); ``controls`` maps names to controls, ``button`` is the
    Train button, ``status`` the line under the controls and ``output`` the ``Output`` widget
    with the figure and the epoch lines; ``train()`` does what a click does.
    """
    import ipywidgets as widgets

    X_train, X_test = np.asarray(X_train, np.float32), np.asarray(X_test, np.float32)
    Y_train, Y_test = np.asarray(Y_train, np.float32), np.asarray(Y_test, np.float32)
    style = {"description_width": "initial"}
    wide = widgets.Layout(width="330px")
    rate = widgets.FloatLogSlider(value=0.01, base=10, min=-4, max=-1, step=0.25,
                                  description="learning rate", readout_format=".2g",
                                  continuous_update=False, style=style, layout=wide)
    epochs = widgets.IntSlider(value=min(5, max_epochs), min=1, max=max_epochs, step=1,
                               description="epochs", continuous_update=False, style=style,
                               layout=wide)
    batch = widgets.Dropdown(options=list(EXPLORER_BATCH_SIZES), value=64, description="batch size",
                             style=style, layout=wide)
    button = widgets.Button(description="Train", button_style="primary", icon="play",
                            tooltip="build a fresh model and train it with these settings")
    status = widgets.HTML(value="<small>set the controls, then press Train</small>")
    output = widgets.Output(layout=widgets.Layout(min_height="300px"))
    output.outputs = (_curves_output({}, int(epochs.value)),
                      _stream("no training run yet: press Train\n"))

    def train(_=None):
        lr, n, size = float(rate.value), int(epochs.value), int(batch.value)
        setting = f"learning rate {lr:.2g}, batch size {size}, {n} epochs"
        button.disabled = True
        status.value = f"<i>training ({setting})...</i>"
        lines: list[str] = []
        start = time.perf_counter()

        def show(curves, line):
            lines.append(line + "\n")
            output.outputs = (_curves_output(curves, n), _stream("".join(lines)))
            status.value = f"<small>{line} ({setting})</small>"

        try:
            set_seed(seed)
            model = build_model(X_train.shape[1:])
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr),
                          loss="categorical_crossentropy", metrics=["accuracy"])
            train_ds = tf.data.Dataset.from_tensor_slices((X_train, Y_train)) \
                .shuffle(len(X_train), seed=seed).batch(size)
            test_ds = tf.data.Dataset.from_tensor_slices((X_test, Y_test)).batch(size)
            model.fit(train_ds, epochs=n, validation_data=test_ds, shuffle=False, verbose=0,
                      callbacks=[LiveCurves(n, show)])
            status.value = (f"<small>done: {lines[-1].strip() if lines else 'no epoch ran'} "
                            f"({setting}; {time.perf_counter() - start:.1f} s)</small>")
        except Exception as exc:  # show the student's error where they are looking
            output.outputs = (_stream(f"error while training: {type(exc).__name__}: {exc}\n"),)
            status.value = ""
        finally:
            button.disabled = False

    button.on_click(train)
    controls = widgets.HBox([widgets.VBox([rate, epochs, batch]), button])
    box = widgets.VBox([controls, status, output])
    box.controls = {"learning rate": rate, "epochs": epochs, "batch size": batch}
    box.button, box.status, box.output, box.train = button, status, output, train
    return box
