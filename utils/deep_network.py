"""Provided helpers of the deep-network assignments (a03, a04): activations, each forward next to its backward.

Shapes: ``Z`` and ``dA`` are ``(n_l, m)`` arrays -- one row per unit of layer ``l``,
one column per example.  Every forward returns ``(A, cache)`` with ``cache = Z``;
its backward takes ``(dA, cache)`` and returns ``dZ = dA * g'(Z)`` of the same shape.
Nothing here is a graded function.

For a03 there are also teaching aids that compute no graded answer:

* :func:`layer_shapes` / :func:`print_layer_shapes` -- the shape of every W, b, Z and A of a
  network with the given layer sizes and m examples;
* :func:`describe_caches` -- what each entry of the ``caches`` list of a forward pass holds;
* :func:`plot_network_flow` -- a drawing of the forward and backward passes of an L-layer
  network, with what each layer caches on the way.
"""
from __future__ import annotations

import numpy as np

__all__ = ["sigmoid", "sigmoid_backward", "relu", "relu_backward",
           "layer_shapes", "print_layer_shapes", "describe_caches", "plot_network_flow"]


def sigmoid(Z):
    """``A = 1 / (1 + exp(-Z))`` elementwise; returns ``(A, cache)`` with ``cache = Z``."""
    Z = np.asarray(Z, dtype=float)
    A = np.empty_like(Z)
    positive = Z >= 0  # two branches: exp never overflows
    A[positive] = 1.0 / (1.0 + np.exp(-Z[positive]))
    e = np.exp(Z[~positive])
    A[~positive] = e / (1.0 + e)
    return A, Z


def sigmoid_backward(dA, cache):
    """``dZ = dA * s * (1 - s)`` with ``s = sigmoid(Z)``, ``Z = cache``."""
    s, _ = sigmoid(cache)
    return dA * s * (1.0 - s)


def relu(Z):
    """``A = max(0, Z)`` elementwise; returns ``(A, cache)`` with ``cache = Z``."""
    Z = np.asarray(Z, dtype=float)
    return np.maximum(0.0, Z), Z


def relu_backward(dA, cache):
    """``dZ = dA`` where ``Z > 0``, else 0 (``Z = cache``); a new array, ``dA`` is untouched."""
    dZ = np.array(dA, dtype=float, copy=True)
    dZ[np.asarray(cache) <= 0] = 0.0
    return dZ


# ============================================================================================
# Teaching aids (a03): shapes, caches, a picture of the passes
# ============================================================================================

def layer_shapes(layer_dims, m):
    """One row per layer l = 1 .. L: the shapes of W, b, Z and A for ``m`` examples.

    ``layer_dims[0]`` is the number of input features, ``layer_dims[l]`` the number of
    units of layer l.  Each row is a dict with keys ``layer``, ``W``, ``b``, ``Z``, ``A``
    (shape tuples) and ``parameters`` (the number of entries of W and b together).
    """
    dims = [int(n) for n in layer_dims]
    rows = []
    for l in range(1, len(dims)):
        n, n_prev = dims[l], dims[l - 1]
        rows.append({"layer": l, "W": (n, n_prev), "b": (n, 1), "Z": (n, m), "A": (n, m),
                     "parameters": n * n_prev + n})
    return rows


def print_layer_shapes(layer_dims, m):
    """Print the table of :func:`layer_shapes` (and the total number of parameters)."""
    rows = layer_shapes(layer_dims, m)
    print(f"input X = A0: {(int(layer_dims[0]), m)}")
    header = f"{'layer':>5}  {'W':>14}  {'b':>9}  {'Z and A':>11}  {'parameters':>10}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(f"{row['layer']:>5}  {str(row['W']):>14}  {str(row['b']):>9}  {str(row['Z']):>11}"
              f"  {row['parameters']:>10,}")
    print(f"{'':>5}  {'':>14}  {'':>9}  {'total':>11}  {sum(r['parameters'] for r in rows):>10,}")


def _shape(x):
    return "x".join(str(n) for n in np.shape(x)) if isinstance(x, np.ndarray) else type(x).__name__


def describe_caches(caches):
    """Print, layer by layer, the shapes of what a forward pass cached.

    Expects the course's layout: ``caches[l - 1] = ((A_prev, W, b), Z)`` for layer l.  Any
    other layout is printed as it is, so that a misplaced entry is easy to spot.
    """
    for l, cache in enumerate(caches, start=1):
        try:
            (A_prev, W, b), Z = cache
            print(f"layer {l}: linear_cache = (A_prev {_shape(A_prev)}, W {_shape(W)}, "
                  f"b {_shape(b)}),  activation_cache = Z {_shape(Z)}")
        except (TypeError, ValueError):
            print(f"layer {l}: not ((A_prev, W, b), Z) -- got {type(cache).__name__} "
                  f"of length {len(cache) if hasattr(cache, '__len__') else '?'}")


def _box(ax, x, y, w, h, text, face, edge="#333333", size=10):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.08",
                                facecolor=face, edgecolor=edge, linewidth=1.2))
    ax.text(x, y, text, ha="center", va="center", fontsize=size)


def _arrow(ax, start, end, colour, style="-|>", dashed=False, width=1.6):
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle=style, color=colour, lw=width,
                                linestyle="--" if dashed else "-", shrinkA=0, shrinkB=0))


def plot_network_flow(n_layers=3, ax=None):
    """Draw the forward pass (top, left to right) and the backward pass (bottom, right to
    left) of an ``n_layers``-layer network [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID.

    Dashed arrows carry each layer's cache from its forward box to its backward box; the
    backward boxes hand out dW and db.  Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    L = int(n_layers)
    if L < 1:
        raise ValueError("n_layers must be at least 1")
    if ax is None:
        _, ax = plt.subplots(figsize=(2.8 * L + 4.5, 5.6))
    fig = ax.figure
    forward, backward, cache_c = "#1f5fa8", "#b8421d", "#6b6b6b"
    top, bottom, w, h, step = 3.2, 0.6, 2.0, 0.95, 2.8
    xs = [2.0 + step * (l - 1) for l in range(1, L + 1)]

    # forward pass
    ax.text(0.0, top, "X = A[0]", ha="center", va="center", fontsize=11)
    ax.text(xs[-1] + 1.8, top, "AL = ŷ", ha="center", va="center", fontsize=11)
    _box(ax, xs[-1] + 3.35, top, 1.2, 0.75, "cost\nJ(AL, Y)", "#f2f2f2")
    for l, x in enumerate(xs, start=1):
        act = "SIGMOID" if l == L else "RELU"
        _box(ax, x, top, w, h, f"layer {l}\nLINEAR → {act}", "#dce8f7")
        left = 0.55 if l == 1 else xs[l - 2] + w / 2
        _arrow(ax, (left, top), (x - w / 2, top), forward)
        if l > 1:
            ax.text((left + x - w / 2) / 2, top + 0.22, f"A[{l - 1}]", ha="center", fontsize=9,
                    color=forward)
    _arrow(ax, (xs[-1] + w / 2, top), (xs[-1] + 1.4, top), forward)
    _arrow(ax, (xs[-1] + 2.25, top), (xs[-1] + 2.72, top), forward)

    # backward pass
    ax.text(xs[-1] + 1.8, bottom, "dAL", ha="center", va="center", fontsize=11, color=backward)
    _arrow(ax, (xs[-1] + 3.35, top - 0.4), (xs[-1] + 2.1, bottom + 0.05), backward)
    ax.text(0.0, bottom, "dA[0]", ha="center", va="center", fontsize=11, color=backward)
    for l, x in enumerate(xs, start=1):
        act = "SIGMOID" if l == L else "RELU"
        _box(ax, x, bottom, w, h, f"layer {l} backward\n{act}′ → LINEAR", "#f7e0d6")
        right = xs[l] - w / 2 if l < L else xs[-1] + 1.45
        _arrow(ax, (right, bottom), (x + w / 2, bottom), backward)
        if l < L:
            ax.text((right + x + w / 2) / 2, bottom + 0.22, f"dA[{l}]", ha="center", fontsize=9,
                    color=backward)
        _arrow(ax, (x, bottom - h / 2), (x, bottom - h / 2 - 0.45), backward, width=1.2)
        ax.text(x, bottom - h / 2 - 0.62, f"dW[{l}], db[{l}]", ha="center", va="center",
                fontsize=9, color=backward)
        # the cache travels down from the forward box to the backward box
        _arrow(ax, (x, top - h / 2), (x, bottom + h / 2), cache_c, dashed=True, width=1.1)
        ax.text(x + 0.07, (top + bottom) / 2, f"cache {l}:\n((A[{l - 1}], W[{l}], b[{l}]),\n Z[{l}])",
                ha="left", va="center", fontsize=8, color=cache_c)
    _arrow(ax, (xs[0] - w / 2, bottom), (0.45, bottom), backward)

    ax.text(-0.5, top + 0.85, "forward: L_model_forward, one linear_activation_forward per layer",
            fontsize=10, color=forward, ha="left")
    ax.text(-0.5, bottom - 1.45, "backward: L_model_backward, one linear_activation_backward "
            "per layer, from L down to 1", fontsize=10, color=backward, ha="left")
    ax.set_xlim(-0.7, xs[-1] + 4.1)
    ax.set_ylim(bottom - 1.7, top + 1.1)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig
