"""Figures and the learning-rate explorer of a01_logistic_regression.

Nothing here implements the graded functions: the explorer calls the
student's own ``model``.
"""
from __future__ import annotations

import contextlib
import io
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["label_name", "accuracy", "draw_neuron", "show_image", "show_gallery", "show_flattening",
           "plot_sigmoid", "plot_costs", "plot_learning_rates", "learning_rate_explorer",
           "load_picture"]


def label_name(classes, label) -> str:
    """``b'cat'`` -> ``'cat'`` for a 0/1 label (int, float or a one-element array)."""
    name = classes[int(np.squeeze(label))]
    return name.decode("utf-8") if isinstance(name, bytes) else str(name)


def accuracy(predictions, labels) -> float:
    """Percentage of correct 0/1 predictions: ``100 - mean(|Y_hat - Y|) * 100``."""
    predictions = np.asarray(predictions, dtype=np.float64)
    return float(100 - np.mean(np.abs(predictions - np.asarray(labels))) * 100)


def show_image(images, labels, classes, index: int, ax=None) -> None:
    """One picture of an ``(m, 64, 64, 3)`` array with its label as the title."""
    own = ax is None
    if own:
        _, ax = plt.subplots(figsize=(3, 3))
    y = int(np.squeeze(labels[..., index]))
    ax.imshow(images[index])
    ax.set_title(f"#{index}: y = {y}, a '{label_name(classes, y)}' picture", fontsize=10)
    ax.axis("off")
    if own:
        plt.show()


def show_gallery(images, labels, classes, indices=None, predictions=None, ncols: int = 8,
                 title: str | None = None) -> None:
    """A grid of pictures with their labels.

    With ``predictions`` (shape ``(1, m)``) each title shows the prediction, in red
    when it is wrong.
    """
    labels = np.asarray(labels).reshape(-1)
    if indices is None:
        indices = range(min(len(labels), 2 * ncols))
    indices = list(indices)
    nrows = max(1, -(-len(indices) // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.6 * ncols, 1.85 * nrows + 0.4 * bool(title)),
                             squeeze=False, layout="constrained")
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, indices):
        ax.imshow(images[i])
        truth = label_name(classes, labels[i])
        if predictions is None:
            ax.set_title(f"#{i} {truth}", fontsize=9)
        else:
            guess = int(np.asarray(predictions).reshape(-1)[i])
            wrong = guess != int(labels[i])
            ax.set_title(f"#{i} said {label_name(classes, guess)}", fontsize=9,
                         color="crimson" if wrong else "black")
    if title:
        fig.suptitle(title)
    plt.show()


def show_flattening(image, n_values: int = 24) -> None:
    """How ``reshape(m, -1).T`` orders one picture's numbers: pixel by pixel, R, G, B."""
    column = np.asarray(image).reshape(-1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3), gridspec_kw={"width_ratios": [1, 3]})
    left.imshow(image)
    left.add_patch(plt.Rectangle((-0.5, -0.5), n_values // 3, 1, fill=False, color="yellow", lw=2))
    left.set_title("the first pixels of row 0 (yellow)", fontsize=10)
    left.axis("off")
    colours = ["tab:red", "tab:green", "tab:blue"] * (n_values // 3 + 1)
    right.bar(range(n_values), column[:n_values], color=colours[:n_values])
    right.set_xticks(range(n_values))
    right.set_xticklabels(["RGB"[k % 3] for k in range(n_values)])
    right.set_xlabel("entry of the column vector (R, G, B of pixel 0, then of pixel 1, ...)")
    right.set_ylabel("value (0-255)")
    right.set_title(f"the first {n_values} of the {column.size} numbers of the column", fontsize=10)
    fig.tight_layout()
    plt.show()


def draw_neuron(n_inputs: int = 4) -> None:
    """The single neuron: inputs x_1..x_n, weights w_j, the sum z = w^T x + b, then sigmoid."""
    # 10 x 4 data units on an 8 x 3.2 inch canvas: circles stay round
    fig, ax = plt.subplots(figsize=(8, 3.2))
    ys = np.linspace(3.3, 0.5, n_inputs)
    names = [f"$x_{{{j}}}$" for j in range(1, n_inputs)] + ["$x_{n_x}$"]
    weights = [f"$w_{{{j}}}$" for j in range(1, n_inputs)] + ["$w_{n_x}$"]
    centre = (5.0, 1.9)
    for y, name, weight in zip(ys, names, weights):
        ax.add_patch(plt.Circle((1.0, y), 0.3, facecolor="#dbe9f6", edgecolor="#3b6ea5"))
        ax.text(1.0, y, name, ha="center", va="center", fontsize=12)
        ax.annotate("", xy=(centre[0] - 0.95, centre[1]), xytext=(1.3, y),
                    arrowprops=dict(arrowstyle="->", color="#555555"))
        ax.text(2.4, y + (centre[1] - y) * 0.35 + 0.2, weight, fontsize=11, color="#3b6ea5")
    if n_inputs > 3:
        ax.text(1.0, (ys[-2] + ys[-1]) / 2, r"$\vdots$", ha="center", va="center", fontsize=12)
    ax.add_patch(plt.Circle(centre, 0.9, facecolor="#fde7c8", edgecolor="#c77c11"))
    ax.text(*centre, "$z = w^Tx + b$\n\n$a = \\sigma(z)$", ha="center", va="center", fontsize=11)
    ax.annotate("", xy=(7.2, centre[1]), xytext=(centre[0] + 0.95, centre[1]),
                arrowprops=dict(arrowstyle="->", color="#555555", lw=1.5))
    ax.text(7.35, centre[1], "$\\hat{y} = a$\ncat if $a > 0.5$", va="center", fontsize=11)
    ax.text(1.0, 3.95, "one picture = $n_x$ = 12288 numbers", ha="center", va="top", fontsize=9)
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4)
    ax.axis("off")
    plt.show()


def plot_sigmoid(sigmoid_fn) -> None:
    """The student's sigmoid on [-8, 8], with the 0.5 decision threshold."""
    z = np.linspace(-8, 8, 321)
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(z, sigmoid_fn(z), lw=2, label=r"$\sigma(z)$")
    ax.axhline(0.5, color="grey", ls="--", lw=1)
    ax.axvline(0.0, color="grey", ls=":", lw=1)
    ax.set_xlabel("z")
    ax.set_ylim(-0.05, 1.05)
    ax.set_title("sigmoid: any real number in, a probability out")
    ax.legend(loc="upper left")
    fig.tight_layout()
    plt.show()


def plot_costs(costs, learning_rate, ax=None, label=None, **style) -> None:
    """The learning curve: one cost every 100 iterations."""
    own = ax is None
    if own:
        _, ax = plt.subplots(figsize=(6, 3.5))
    costs = np.asarray(costs, dtype=np.float64).reshape(-1)
    costs = np.where(np.isfinite(costs), costs, np.nan)  # inf/nan (log 0) are left out
    ax.plot(np.arange(len(costs)) * 100, costs, marker="o", ms=3,
            label=label or f"learning rate {learning_rate:g}", **style)
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost J")
    if own:
        ax.set_title(f"learning curve (learning rate {learning_rate:g})")
        ax.grid(alpha=0.3)
        plt.show()


def plot_learning_rates(results: dict) -> None:
    """Learning curves of several runs: ``{learning_rate: model(...) dict}``."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for lr, result in results.items():
        plot_costs(result["costs"], lr, ax=ax)
    ax.set_title("the same model, three learning rates")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    plt.show()


def load_picture(path, num_px: int = 64):
    """An image file as ``(picture (num_px, num_px, 3) uint8, column (num_px*num_px*3, 1) in [0, 1])``."""
    from PIL import Image

    img = Image.open(Path(path)).convert("RGB").resize((num_px, num_px),
                                                       Image.Resampling.LANCZOS)
    picture = np.asarray(img)
    return picture, picture.reshape(1, -1).T / 255.0


@contextlib.contextmanager
def _one_blas_thread():
    """Matrix-vector products this small run faster on one thread (and the widget stays snappy)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def learning_rate_explorer(model_fn, train_x, train_y, test_x, test_y, *,
                           max_iterations: int = 1000, keep: int = 4):
    """An interactive explorer: pick a learning rate (log scale) and a number of iterations.

    Every change trains ``model_fn(train_x, train_y, test_x, test_y, num_iterations=...,
    learning_rate=...)`` -- your ``model`` -- redraws its learning curve next to the
    last few runs (faint) and prints the train / test accuracy.  Results are cached,
    so going back to a setting is instant.  Returns the widget to ``display``.
    """
    import ipywidgets as widgets

    lr_slider = widgets.FloatLogSlider(value=0.005, base=10, min=-4, max=-1, step=0.1,
                                       description="learning rate", readout_format=".4f",
                                       continuous_update=False,
                                       style={"description_width": "initial"})
    it_slider = widgets.IntSlider(value=min(500, max_iterations), min=100, max=max_iterations,
                                  step=100, description="iterations", continuous_update=False)
    cache: dict[tuple[float, int], dict] = {}
    history: list[tuple[float, int]] = []

    def run(learning_rate: float, iterations: int) -> None:
        key = (round(float(learning_rate), 10), int(iterations))
        if key not in cache:
            start = time.perf_counter()
            try:
                with contextlib.redirect_stdout(io.StringIO()), _one_blas_thread(), \
                        np.errstate(all="ignore"):
                    result = model_fn(train_x, train_y, test_x, test_y, num_iterations=int(iterations),
                                      learning_rate=float(learning_rate), print_cost=False)
            except Exception as exc:  # the student's model is still being written
                print(f"model raised {type(exc).__name__}: {exc}")
                return
            cache[key] = {"costs": np.asarray(result["costs"], dtype=np.float64).reshape(-1),
                          "train": accuracy(result["Y_prediction_train"], train_y),
                          "test": accuracy(result["Y_prediction_test"], test_y),
                          "seconds": time.perf_counter() - start}
        if key in history:
            history.remove(key)
        history.append(key)
        del history[:-keep]

        fig, ax = plt.subplots(figsize=(7, 3.6))
        for old in history[:-1]:
            plot_costs(cache[old]["costs"], old[0], ax=ax, alpha=0.35, lw=1,
                       label=f"lr {old[0]:.4g}, {old[1]} it.")
        now = cache[key]
        plot_costs(now["costs"], key[0], ax=ax, lw=2.5, color="black",
                   label=f"lr {key[0]:.4g}, {key[1]} it. (now)")
        ax.set_xlim(-20, max_iterations)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        plt.show()
        print(f"train accuracy {now['train']:.1f} %   test accuracy {now['test']:.1f} %   "
              f"(final cost {now['costs'][-1]:.4f}; trained in {now['seconds']:.1f} s)")
        if not np.all(np.isfinite(now["costs"])):
            print("some costs are inf or nan (not drawn): a probability reached exactly 0 or 1 "
                  "and log(0) = -inf. The steps are too large; try a smaller learning rate.")

    out = widgets.interactive_output(run, {"learning_rate": lr_slider, "iterations": it_slider})
    note = widgets.HTML("<i>Move a slider and release it: the model retrains (≤ 1000 iterations, "
                        "a second or two) and the curve is drawn over the last runs.</i>")
    return widgets.VBox([widgets.HBox([lr_slider, it_slider]), note, out])
