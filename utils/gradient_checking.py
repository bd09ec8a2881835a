"""Provided pieces of a07 (gradient checking): the 3-layer network, vector helpers, the explorer.

* :func:`sigmoid`, :func:`relu` -- the activations;
* :func:`forward_propagation_n` -- the cost of a LINEAR -> RELU -> LINEAR -> RELU -> LINEAR ->
  SIGMOID network (the function whose gradient you check);
* :func:`dictionary_to_vector`, :func:`vector_to_dictionary`, :func:`gradients_to_vector` --
  flatten a parameter (or gradient) dict into one column vector and back;
* :func:`gradient_check_n_test_case` -- the original course's 4 -> 5 -> 3 -> 1 test network;
* :func:`gradient_check_explorer` -- an ipywidgets app that runs *your* ``gradient_check_n``
  on the gradients of *your* ``backward_propagation_n`` for a whole range of epsilons.

Nothing here computes a numerical gradient or a backward pass: those are yours to write (and
to repair).  Arrays follow the course convention: ``X`` has shape (n_x, m), one example per
column.
"""
from __future__ import annotations

import base64
import contextlib
import io
import time
import warnings

import numpy as np

__all__ = ["sigmoid", "relu", "forward_propagation_n", "dictionary_to_vector",
           "vector_to_dictionary", "gradients_to_vector", "gradient_check_n_test_case",
           "explorer_network", "EXPLORER_NETWORKS", "EXPLORER_GRADIENTS", "gradient_check_explorer"]

#: the order in which the parameters of the 3-layer network are stacked into one vector
PARAMETER_KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")


def sigmoid(x):
    """``1 / (1 + exp(-x))`` elementwise."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def relu(x):
    """``max(0, x)`` elementwise."""
    return np.maximum(0, x)


def forward_propagation_n(X, Y, parameters):
    """Cost of the 3-layer network LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID.

    X -- inputs, shape (n_x, m)
    Y -- 0/1 labels, shape (1, m) or (m,)
    parameters -- dict with W1 (n_1, n_x), b1 (n_1, 1), W2 (n_2, n_1), b2 (n_2, 1),
                  W3 (1, n_2), b3 (1, 1); any layer sizes
    Returns (cost, cache): the mean logistic loss over the m examples (a float) and the tuple
    ``(Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)`` that a backward pass needs.
    """
    m = X.shape[1]
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]

    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)

    with np.errstate(divide="ignore"):
        losses = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    cost = float(1.0 / m * np.sum(losses))
    cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
    return cost, cache


def dictionary_to_vector(parameters):
    """Stack W1, b1, W2, b2, W3, b3 (in this order, each flattened row by row) into one column.

    Returns ``(theta, keys)``: ``theta`` of shape (number of parameters, 1), and ``keys``, a list
    with the name of the array each entry of ``theta`` comes from (``keys[i] == "W2"`` ...).
    """
    pieces = [np.asarray(parameters[k], dtype=float).reshape(-1, 1) for k in PARAMETER_KEYS]
    keys = [k for k, piece in zip(PARAMETER_KEYS, pieces) for _ in range(piece.shape[0])]
    return np.concatenate(pieces, axis=0), keys


def vector_to_dictionary(theta, template):
    """The inverse of :func:`dictionary_to_vector`: cut ``theta`` back into W1, b1, ..., b3.

    theta -- column vector of shape (number of parameters, 1) (a flat vector works too)
    template -- a parameters dict; only the *shapes* of its arrays are used, so that networks
                of any size can be rebuilt. Pass the ``parameters`` you flattened.
    Returns a new dict whose arrays have the template's shapes and the values of ``theta``.
    """
    theta = np.asarray(theta, dtype=float).reshape(-1)
    shapes = [np.shape(template[k]) for k in PARAMETER_KEYS]
    sizes = [int(np.prod(s)) for s in shapes]
    if theta.size != sum(sizes):
        raise ValueError(f"vector_to_dictionary: theta has {theta.size} entries, but the template "
                         f"network has {sum(sizes)} parameters; pass the parameters dict whose "
                         "vector theta is as the template")
    out, start = {}, 0
    for key, shape, size in zip(PARAMETER_KEYS, shapes, sizes):
        out[key] = theta[start:start + size].reshape(shape).copy()
        start += size
    return out


def gradients_to_vector(gradients):
    """Stack dW1, db1, dW2, db2, dW3, db3 into one column, in the order of :func:`dictionary_to_vector`.

    Other entries of ``gradients`` (dZ3, dA2, ...) are ignored.
    """
    return np.concatenate([np.asarray(gradients["d" + k], dtype=float).reshape(-1, 1)
                           for k in PARAMETER_KEYS], axis=0)


def gradient_check_n_test_case():
    """``(X, Y, parameters)`` of the original course: a 4 -> 5 -> 3 -> 1 network, 3 examples.

    Seed 1, in this order: X = randn(4, 3); Y = [1, 1, 0] (a 1-D array); W1 = randn(5, 4);
    b1 = randn(5, 1); W2 = randn(3, 5); b2 = randn(3, 1); W3 = randn(1, 3); b3 = randn(1, 1).
    A private ``RandomState`` draws them: the global numpy generator is left alone.
    """
    rng = np.random.RandomState(1)
    X = rng.randn(4, 3)
    Y = np.array([1, 1, 0])
    parameters = {}
    for l, (rows, cols) in enumerate([(5, 4), (3, 5), (1, 3)], start=1):
        parameters[f"W{l}"] = rng.randn(rows, cols)
        parameters[f"b{l}"] = rng.randn(rows, 1)
    return X, Y, parameters


# ---------------------------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------------------------

#: networks offered by the explorer: name -> (layer sizes n_x, n_1, n_2, n_y; examples m; seed)
EXPLORER_NETWORKS = {
    "test case (4-5-3-1, 3 examples)": None,
    "wider (3-12-8-1, 20 examples)": ((3, 12, 8, 1), 20, 7),
    "deeper inputs (10-6-4-1, 50 examples)": ((10, 6, 4, 1), 50, 11),
}

#: what the explorer can do to the gradients of your backward pass before checking them
EXPLORER_GRADIENTS = {
    "yours, as they are": None,
    "yours, with dW1 doubled": ("dW1", 2.0),
    "yours, with db3 times 4": ("db3", 4.0),
    "yours, with dW3 off by 0.1 %": ("dW3", 1.001),
    "yours, with db2 left at zero": ("db2", 0.0),
}

#: epsilons of the sweep (decades from 1e-1 down to 1e-12)
_SWEEP = 10.0 ** -np.arange(1.0, 12.01, 1.0)


def explorer_network(name: str):
    """``(X, Y, parameters)`` of one of :data:`EXPLORER_NETWORKS` (seeded, so always the same)."""
    spec = EXPLORER_NETWORKS[name]
    if spec is None:
        return gradient_check_n_test_case()
    sizes, m, seed = spec
    rng = np.random.RandomState(seed)
    X = rng.randn(sizes[0], m)
    Y = (rng.rand(1, m) > 0.5).astype(float)
    parameters = {}
    for l in range(1, 4):
        parameters[f"W{l}"] = rng.randn(sizes[l], sizes[l - 1]) / np.sqrt(sizes[l - 1])
        parameters[f"b{l}"] = rng.randn(sizes[l], 1) * 0.1
    return X, Y, parameters


def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def _png_output(fig) -> dict:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
                     "text/plain": "<difference against epsilon>"}}


def _quiet_call(fn, *args, **kwargs):
    """Call a student's function without letting its prints reach the explorer's output."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(), \
            np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _checked_gradients(backward_propagation_n, X, Y, parameters, change):
    _, cache = forward_propagation_n(X, Y, parameters)
    gradients = dict(_quiet_call(backward_propagation_n, X, Y, cache))
    if change is not None:
        key, factor = change
        gradients[key] = np.asarray(gradients[key], dtype=float) * factor
    return gradients


def gradient_check_explorer(gradient_check_n, backward_propagation_n):
    """How the difference of *your* gradient check depends on epsilon, the network and the bug.

    Pass your ``gradient_check_n`` and your ``backward_propagation_n``.  The explorer computes
    the gradients of the chosen network with your backward pass (optionally spoilt on purpose),
    runs your gradient check for every epsilon from 1e-1 down to 1e-12, and draws the difference
    against epsilon on log-log axes with the 2e-7 threshold, plus one line::

        difference = 1.189e-07 at epsilon = 1e-07: below 2e-7, the gradients agree (...)

    Controls: "epsilon" (log slider, the point marked on the curve), "network", "gradients".
    Returns the widget (a ``VBox``); ``controls`` maps names to the controls and ``output`` is
    the ``Output`` widget with the figure and the line.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    style = {"description_width": "initial"}
    epsilon = widgets.FloatLogSlider(value=1e-7, base=10, min=-12, max=-1, step=0.5,
                                     description="epsilon", readout_format=".0e",
                                     continuous_update=False, style=style,
                                     layout=widgets.Layout(width="360px"))
    network = widgets.Dropdown(options=list(EXPLORER_NETWORKS), description="network",
                               style=style, layout=widgets.Layout(width="360px"))
    gradients_choice = widgets.Dropdown(options=list(EXPLORER_GRADIENTS), description="gradients",
                                        style=style, layout=widgets.Layout(width="360px"))
    status = widgets.HTML(value="")
    output = widgets.Output(layout=widgets.Layout(min_height="330px"))
    sweep: dict = {}

    def compute_sweep():
        X, Y, parameters = explorer_network(network.value)
        gradients = _checked_gradients(backward_propagation_n, X, Y, parameters,
                                       EXPLORER_GRADIENTS[gradients_choice.value])
        diffs = [float(_quiet_call(gradient_check_n, parameters, gradients, X, Y, epsilon=float(e)))
                 for e in _SWEEP]
        sweep.update(key=(network.value, gradients_choice.value), data=(X, Y, parameters, gradients),
                     diffs=np.array(diffs))

    def redraw(change=None):
        start = time.perf_counter()
        status.value = "<i>checking...</i>"
        try:
            if sweep.get("key") != (network.value, gradients_choice.value):
                compute_sweep()
            X, Y, parameters, gradients = sweep["data"]
            eps = float(epsilon.value)
            here = float(_quiet_call(gradient_check_n, parameters, gradients, X, Y, epsilon=eps))
            diffs = sweep["diffs"]
            fig = Figure(figsize=(7.5, 4))
            ax = fig.subplots()
            shown = np.where(diffs > 0, diffs, np.nan)
            ax.loglog(_SWEEP, shown, "o-", color="tab:blue", ms=4, label="your gradient_check_n")
            ax.axhline(2e-7, color="tab:red", ls="--", lw=1, label="threshold 2e-7")
            if here > 0:
                ax.loglog([eps], [here], "o", color="tab:orange", ms=10, label=f"epsilon = {eps:.0e}")
            ax.set_xlabel("epsilon")
            ax.set_ylabel("difference")
            ax.grid(alpha=0.3, which="both")
            ax.set_title(f"{network.value}: {gradients_choice.value}")
            ax.legend(loc="best", fontsize=8)
            fig.tight_layout()
            verdict = ("below 2e-7, the gradients agree" if here < 2e-7
                       else "above 2e-7, the check reports a mistake")
            line = (f"difference = {here:.4g} at epsilon = {eps:.0e}: {verdict} "
                    f"({network.value}; gradients {gradients_choice.value})\n")
            output.outputs = (_png_output(fig), _stream(line))
            status.value = f"<small>checked and drawn in {time.perf_counter() - start:.1f} s</small>"
        except Exception as exc:  # show the student's error where they are looking
            sweep.clear()
            output.outputs = (_stream(f"error while checking: {type(exc).__name__}: {exc}\n"),)
            status.value = ""

    for control in (epsilon, network, gradients_choice):
        control.observe(redraw, names="value")
    redraw()

    box = widgets.VBox([epsilon, widgets.HBox([network, gradients_choice]), status, output])
    box.controls = {"epsilon": epsilon, "network": network, "gradients": gradients_choice}
    box.output = output
    box.redraw = redraw
    return box
