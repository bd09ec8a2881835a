"""Teaching aids of a09 (convolution, step by step): figures, widgets and a timing race.

Nothing here is a graded function, and nothing here convolves or pools: the figures draw
*where* the windows of a layer sit (from its sizes alone), :func:`plot_pool_routing` and
:func:`race` call the functions you pass them.

* :func:`output_size` / :func:`explain_output_size` -- the arithmetic
  ``n_out = (n + 2 * pad - f) // stride + 1``, written out step by step;
* :func:`plot_padding` -- an image before and after zero-padding;
* :func:`plot_window` / :func:`plot_window_steps` -- the f x f window of one output position
  on the padded input, next to the output grid;
* :func:`plot_pool_routing` -- where the gradient of one pooling window goes, max and average;
* :func:`output_size_calculator` and :func:`sliding_window_explorer` -- ipywidgets apps
  (never displayed while grading: see the notebook);
* :func:`race` -- times functions on the same inputs and checks that they agree.

Plots import matplotlib lazily, so importing this module stays cheap (the grader's worker
imports it with the setup cell).
"""
from __future__ import annotations

import base64
import io
import time
from typing import Callable

import numpy as np

__all__ = ["output_size", "explain_output_size", "plot_padding", "plot_window", "plot_window_steps",
           "plot_pool_routing", "output_size_calculator", "sliding_window_explorer", "race"]

_INPUT, _PAD, _WINDOW, _OUTPUT, _DONE = "#dce8f7", "#eeeeee", "#d9480f", "#fff3bf", "#f1f3f5"


# ============================================================================================
# Output-size arithmetic
# ============================================================================================

def output_size(n: int, f: int, pad: int = 0, stride: int = 1) -> int:
    """How many windows of size ``f`` fit along an axis of ``n`` entries padded by ``pad`` on
    each side, moving by ``stride``: ``(n + 2 * pad - f) // stride + 1``.

    Raises ValueError when the window is larger than the padded axis (no window fits).
    """
    n, f, pad, stride = int(n), int(f), int(pad), int(stride)
    if f < 1 or stride < 1 or pad < 0 or n < 1:
        raise ValueError("need n >= 1, f >= 1, pad >= 0 and stride >= 1")
    if f > n + 2 * pad:
        raise ValueError(f"a window of size {f} does not fit in {n} + 2 * {pad} = {n + 2 * pad} entries")
    return (n + 2 * pad - f) // stride + 1


def _explain_axis(name: str, n: int, f: int, pad: int, stride: int) -> list[str]:
    span = n + 2 * pad - f
    out = span // stride + 1
    lines = [f"{name} = floor(({n} + 2*{pad} - {f}) / {stride}) + 1 = floor({span} / {stride}) + 1 = {out}"]
    covered = (out - 1) * stride + f  # rows of the padded input that some window touches
    if covered < n + 2 * pad:
        left = n + 2 * pad - covered
        lines.append(f"    ({left} of the {n + 2 * pad} padded entries along this axis "
                     f"{'is' if left == 1 else 'are'} never covered: {span} / {stride} is not whole)")
    if f > stride:
        lines.append(f"    (neighbouring windows overlap by {f - stride})")
    elif f < stride:
        lines.append(f"    ({stride - f} entr{'y' if stride - f == 1 else 'ies'} between neighbouring "
                     f"windows {'is' if stride - f == 1 else 'are'} skipped)")
    return lines


def explain_output_size(n_H_prev: int, n_W_prev: int, f: int, pad: int, stride: int,
                        quiet: bool = False) -> str | None:
    """The output size of a conv (or, with pad = 0, a pooling) layer, written out: printed, or
    with ``quiet=True`` returned instead."""
    for n in (n_H_prev, n_W_prev):
        output_size(n, f, pad, stride)  # raises when no window fits
    lines = [f"input {n_H_prev} x {n_W_prev}, f = {f}, pad = {pad}, stride = {stride}:"]
    lines += _explain_axis("n_H", n_H_prev, f, pad, stride)
    lines += _explain_axis("n_W", n_W_prev, f, pad, stride)
    n_H, n_W = output_size(n_H_prev, f, pad, stride), output_size(n_W_prev, f, pad, stride)
    same = " -- a 'same' convolution: the output keeps the input's size" if \
        (n_H, n_W) == (n_H_prev, n_W_prev) else ""
    lines.append(f"output {n_H} x {n_W}{same}")
    text = "\n".join(lines)
    if quiet:
        return text
    print(text)
    return None


# ============================================================================================
# Figures
# ============================================================================================

def _new_axes(ax, figsize, ncols=1):
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=figsize)
    return fig, axes


def plot_padding(x, x_pad, example: int = 0, channel: int = 0):
    """``x[example, :, :, channel]`` next to ``x_pad[example, :, :, channel]``, with the values."""
    fig, (left, right) = _new_axes(None, (10, 4.4), ncols=2)
    for ax, image, title in ((left, np.asarray(x)[example, :, :, channel], "x"),
                             (right, np.asarray(x_pad)[example, :, :, channel], "x_pad")):
        limit = 1.6 * (float(np.max(np.abs(image))) or 1.0)  # pale colours: the numbers stay readable
        ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit)
        rows, cols = image.shape
        for r in range(rows):
            for c in range(cols):
                ax.text(c, r, f"{image[r, c]:.1f}", ha="center", va="center", fontsize=8,
                        color="#212529" if image[r, c] else "#adb5bd")
        ax.set_xticks(range(cols))
        ax.set_yticks(range(rows))
        ax.set_xticks(np.arange(-0.5, cols, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
        ax.grid(which="minor", color="white", linewidth=1.5)
        ax.tick_params(which="both", length=0, labelsize=8)
        ax.set_xlabel("column (width axis)", fontsize=8)
        ax.set_ylabel("row (height axis)", fontsize=8)
        ax.set_title(f"{title}[{example}, :, :, {channel}]  ({rows} x {cols})")
    fig.tight_layout()
    return fig


def _grid(ax, x0, y0, rows, cols, face, pad=0, label=None):
    """A grid of unit cells with its top-left corner at (x0, y0); the outer ``pad`` ring grey."""
    from matplotlib.patches import Rectangle

    for r in range(rows):
        for c in range(cols):
            border = r < pad or c < pad or r >= rows - pad or c >= cols - pad
            ax.add_patch(Rectangle((x0 + c, y0 - r - 1), 1, 1, facecolor=_PAD if border else face,
                                   edgecolor="#868e96", linewidth=0.6))
            if border:
                ax.text(x0 + c + 0.5, y0 - r - 0.5, "0", ha="center", va="center", fontsize=6,
                        color="#adb5bd")
    if label:
        ax.text(x0 + cols / 2, y0 + 0.5, label, ha="center", va="bottom", fontsize=9)


def plot_window(n_H_prev: int, n_W_prev: int, f: int, pad: int, stride: int, h: int = 0, w: int = 0,
                ax=None):
    """The window of output position (h, w) on the padded input (left) and that position on
    the output grid (right), with vert_start, vert_end, horiz_start and horiz_end."""
    from matplotlib.patches import Rectangle

    n_H, n_W = output_size(n_H_prev, f, pad, stride), output_size(n_W_prev, f, pad, stride)
    if not (0 <= h < n_H and 0 <= w < n_W):
        raise ValueError(f"(h, w) = ({h}, {w}) is outside the {n_H} x {n_W} output")
    rows, cols = n_H_prev + 2 * pad, n_W_prev + 2 * pad
    fig, ax = _new_axes(ax, (0.42 * (cols + n_W) + 2.4, 0.42 * max(rows, n_H) + 1.9))
    _grid(ax, 0, 0, rows, cols, _INPUT, pad, f"padded input {rows} x {cols}")
    gap = 2.5
    _grid(ax, cols + gap, 0, n_H, n_W, _OUTPUT, 0, f"output {n_H} x {n_W}")
    for r in range(n_H):  # positions already visited, in the order of the loops
        for c in range(n_W):
            if (r, c) < (h, w):
                ax.add_patch(Rectangle((cols + gap + c, -r - 1), 1, 1, facecolor=_DONE,
                                       edgecolor="#868e96", linewidth=0.6))
    vert_start, horiz_start = h * stride, w * stride
    ax.add_patch(Rectangle((horiz_start, -vert_start - f), f, f, fill=False, edgecolor=_WINDOW,
                           linewidth=2.6))
    ax.add_patch(Rectangle((cols + gap + w, -h - 1), 1, 1, facecolor=_WINDOW, alpha=0.85,
                           edgecolor=_WINDOW))
    ax.annotate("", xy=(cols + gap + w, -h - 0.5), xytext=(horiz_start + f, -vert_start - f / 2),
                arrowprops=dict(arrowstyle="-|>", color=_WINDOW, lw=1.3, connectionstyle="arc3,rad=-0.2"))
    ax.text(0, -rows - 0.5,
            f"(h, w) = ({h}, {w}): rows {vert_start}:{vert_start + f}, vert_start = h * stride = "
            f"{vert_start}\n{' ' * 17}columns {horiz_start}:{horiz_start + f}, horiz_start = "
            f"w * stride = {horiz_start}", fontsize=8.5, va="top", family="monospace")
    ax.set_xlim(-0.5, cols + gap + n_W + 0.5)
    ax.set_ylim(-max(rows, n_H) - 2.4, 1.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"f = {f}, pad = {pad}, stride = {stride}", fontsize=10)
    return fig


def plot_window_steps(n_H_prev: int, n_W_prev: int, f: int, pad: int, stride: int, positions=None):
    """Four :func:`plot_window` panels, in the order of the loops: by default the first two
    positions of the first row, the first of the second row and the last one."""
    import matplotlib.pyplot as plt

    n_H, n_W = output_size(n_H_prev, f, pad, stride), output_size(n_W_prev, f, pad, stride)
    if positions is None:
        positions = list(dict.fromkeys([(0, 0), (0, min(1, n_W - 1)), (min(1, n_H - 1), 0),
                                        (n_H - 1, n_W - 1)]))
    rows, cols = n_H_prev + 2 * pad, n_W_prev + 2 * pad
    ncols = 2 if len(positions) > 1 else 1
    nrows = -(-len(positions) // ncols)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False,
                             figsize=(ncols * (0.36 * (cols + n_W) + 1.8), nrows * (0.36 * max(rows, n_H) + 1.9)))
    for ax, (h, w) in zip(axes.flat, positions):
        plot_window(n_H_prev, n_W_prev, f, pad, stride, h, w, ax=ax)
    for ax in list(axes.flat)[len(positions):]:
        ax.axis("off")
    fig.tight_layout()
    return fig


def _values(ax, grid, title, fmt="{:.2f}", cmap="Blues", highlight=None):
    grid = np.asarray(grid, dtype=float)
    top = float(np.max(np.abs(grid))) or 1.0
    ax.imshow(grid, cmap=cmap, vmin=-0.3 * top, vmax=2.0 * top)  # pale: the numbers stay readable
    for (r, c), v in np.ndenumerate(grid):
        bold = highlight is not None and bool(highlight[r, c])
        ax.text(c, r, fmt.format(v), ha="center", va="center", fontsize=11,
                fontweight="bold" if bold else "normal", color="#111111")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9.5)


def plot_pool_routing(window, dz: float, create_mask_from_window: Callable, distribute_value: Callable):
    """One pooling window, then where its gradient ``dz`` goes: through your
    ``create_mask_from_window`` (max pooling) and your ``distribute_value`` (average pooling)."""
    window = np.asarray(window, dtype=float)
    mask = np.asarray(create_mask_from_window(window))
    spread = np.asarray(distribute_value(dz, window.shape), dtype=float)
    fig, axes = _new_axes(None, (12, 3.6), ncols=4)
    _values(axes[0], window, f"window {window.shape[0]} x {window.shape[1]} (maximum in bold)", "{:g}",
            highlight=window == np.max(window))
    _values(axes[1], mask.astype(float), "mask = create_mask_from_window(window)", "{:g}", cmap="Oranges")
    _values(axes[2], mask * dz, f"max pooling: mask * dz, dz = {dz:g}", "{:g}", cmap="Oranges")
    _values(axes[3], spread, f"average: distribute_value(dz, {window.shape})", "{:.3g}", cmap="Greens")
    fig.tight_layout()
    return fig


# ============================================================================================
# Widgets
# ============================================================================================

def _png(fig) -> dict:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
                     "text/plain": "<figure>"}}


def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def _strip(ax, n: int, f: int, pad: int, stride: int):
    """Every window along one padded axis, one line each (the output-size calculator's picture)."""
    from matplotlib.patches import Rectangle

    total = n + 2 * pad
    count = output_size(n, f, pad, stride)
    for k in range(total):
        ax.add_patch(Rectangle((k, 0), 1, 1, facecolor=_PAD if (k < pad or k >= total - pad) else _INPUT,
                               edgecolor="#868e96", linewidth=0.6))
    for j in range(count):
        start = j * stride
        ax.add_patch(Rectangle((start + 0.08, -0.9 - 0.55 * j), f - 0.16, 0.4, facecolor=_WINDOW,
                               alpha=0.75, edgecolor="none"))
        ax.text(start - 0.3, -0.7 - 0.55 * j, str(j), ha="right", va="center", fontsize=7)
    ax.set_xlim(-1.2, total + 0.5)
    ax.set_ylim(-1.0 - 0.55 * count, 1.4)
    ax.text(0, 1.15, f"{total} entries (pad = {pad} on each side), {count} windows of size {f}, "
                     f"stride {stride}", fontsize=9)
    ax.set_aspect("equal")
    ax.axis("off")


def output_size_calculator(n: int = 7, f: int = 3, pad: int = 1, stride: int = 2):
    """Sliders for n, f, pad and stride; shows ``(n + 2 * pad - f) // stride + 1`` worked out
    and every window along the padded axis.

    Returns a ``VBox``; ``.controls`` maps "n", "f", "pad", "stride" to the sliders and
    ``.output`` is the ``Output`` widget with the text and the picture.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    style = {"description_width": "initial"}
    sliders = {name: widgets.IntSlider(value=value, min=low, max=high, description=name, style=style,
                                       continuous_update=False, layout=widgets.Layout(width="300px"))
               for name, value, low, high in (("n", n, 1, 32), ("f", f, 1, 11), ("pad", pad, 0, 8),
                                              ("stride", stride, 1, 6))}
    output = widgets.Output(layout=widgets.Layout(min_height="160px"))

    def redraw(change=None):
        v = {name: s.value for name, s in sliders.items()}
        try:
            lines = _explain_axis("n_out", v["n"], v["f"], v["pad"], v["stride"])
            output_size(v["n"], v["f"], v["pad"], v["stride"])
        except ValueError as exc:
            output.outputs = (_stream(f"no window fits: {exc}\n"),)
            return
        fig = Figure(figsize=(min(14, 0.32 * (v["n"] + 2 * v["pad"]) + 2), 1.2 + 0.2 *
                              output_size(v["n"], v["f"], v["pad"], v["stride"])))
        _strip(fig.subplots(), v["n"], v["f"], v["pad"], v["stride"])
        output.outputs = (_stream("\n".join(lines) + "\n"), _png(fig))

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    box = widgets.VBox([widgets.HBox(list(sliders.values())[:2]), widgets.HBox(list(sliders.values())[2:]),
                        output])
    box.controls, box.output, box.redraw = sliders, output, redraw
    return box


def sliding_window_explorer(n_H_prev: int = 5, n_W_prev: int = 7, f: int = 3, pad: int = 1,
                            stride: int = 2):
    """The window of a conv layer, moving over the padded input in the order of the loops
    (row by row): press play, or drag "step"; change the layer with the other sliders.

    Returns a ``VBox``; ``.controls`` maps "step", "n_H_prev", "n_W_prev", "f", "pad", "stride"
    to the sliders, ``.play`` is the ``Play`` widget and ``.output`` holds the figure.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    style = {"description_width": "initial"}
    layout = widgets.Layout(width="260px")
    sizes = {name: widgets.IntSlider(value=value, min=low, max=high, description=name, style=style,
                                     continuous_update=False, layout=layout)
             for name, value, low, high in (("n_H_prev", n_H_prev, 1, 12), ("n_W_prev", n_W_prev, 1, 12),
                                            ("f", f, 1, 7), ("pad", pad, 0, 4), ("stride", stride, 1, 4))}
    step = widgets.IntSlider(value=0, min=0, max=0, description="step", style=style,
                             layout=widgets.Layout(width="420px"))
    play = widgets.Play(value=0, min=0, max=0, interval=700, description="play")
    widgets.jslink((play, "value"), (step, "value"))
    status = widgets.HTML(value="")
    output = widgets.Output(layout=widgets.Layout(min_height="260px"))

    def layer():
        v = {name: s.value for name, s in sizes.items()}
        n_H = output_size(v["n_H_prev"], v["f"], v["pad"], v["stride"])
        n_W = output_size(v["n_W_prev"], v["f"], v["pad"], v["stride"])
        return v, n_H, n_W

    def redraw(change=None):
        try:
            v, n_H, n_W = layer()
        except ValueError as exc:
            output.outputs = (_stream(f"no window fits: {exc}\n"),)
            status.value = ""
            return
        h, w = divmod(min(step.value, n_H * n_W - 1), n_W)
        rows, cols = v["n_H_prev"] + 2 * v["pad"], v["n_W_prev"] + 2 * v["pad"]
        fig = Figure(figsize=(0.42 * (cols + n_W) + 2.4, 0.42 * max(rows, n_H) + 1.9))
        plot_window(v["n_H_prev"], v["n_W_prev"], v["f"], v["pad"], v["stride"], h, w, ax=fig.subplots())
        output.outputs = (_png(fig),)
        status.value = (f"<code>Z[i, {h}, {w}, c]</code> = conv_single_step(window, W[:, :, :, c], "
                        f"b[:, :, :, c]) for every filter c: position {h * n_W + w + 1} of {n_H * n_W}")

    def resize(change=None):
        try:
            _, n_H, n_W = layer()
        except ValueError:
            redraw()
            return
        last = n_H * n_W - 1
        play.max = last
        clamped = step.value > last
        step.max = last  # a smaller max also lowers the value, which redraws
        if not clamped:
            redraw()

    step.observe(redraw, names="value")
    for s in sizes.values():
        s.observe(resize, names="value")
    resize()
    names = list(sizes)
    box = widgets.VBox([widgets.HBox([play, step]),
                        widgets.HBox([sizes[n] for n in names[:3]]),
                        widgets.HBox([sizes[n] for n in names[3:]]), status, output])
    box.controls = {"step": step, **sizes}
    box.play, box.output, box.status, box.redraw = play, output, status, redraw
    return box


# ============================================================================================
# The race
# ============================================================================================

def _main_value(result):
    """What the race compares: the first item of a (value, cache) pair, else the result."""
    if isinstance(result, (tuple, list)) and result:
        return result[0]
    return result


def race(contenders: dict[str, Callable], args: tuple, kwargs: dict | None = None,
         repeats: int = 3, quiet: bool = False) -> dict[str, float]:
    """Time each function of ``contenders`` (name -> function) on the same ``args``.

    Each runs ``repeats`` times (the first contender, usually the slow loop, once); the best
    time counts.  Prints a table with each time and how many times faster than the first it
    is, then the largest difference between the results (of a ``(value, cache)`` pair, the
    value).  Returns ``{name: seconds}`` (``nan`` for one that raised).
    """
    kwargs = dict(kwargs or {})
    times: dict[str, float] = {}
    results: dict[str, object] = {}
    for k, (name, fn) in enumerate(contenders.items()):
        best = float("inf")
        try:
            for _ in range(1 if k == 0 else max(1, int(repeats))):
                start = time.perf_counter()
                value = fn(*args, **kwargs)
                best = min(best, time.perf_counter() - start)
            results[name] = _main_value(value)
        except Exception as exc:  # a contender that is not done yet
            best = float("nan")
            if not quiet:
                print(f"{name}: raised {type(exc).__name__}: {exc}")
        times[name] = best
    if not quiet:
        first = next(iter(times.values()))
        width = max(len(name) for name in times) + 2
        print(f"{'':<{width}}{'seconds':>10}   compared with {next(iter(times))}")
        for k, (name, seconds) in enumerate(times.items()):
            ratio = first / seconds if seconds and np.isfinite(seconds) and np.isfinite(first) else float("nan")
            print(f"{name:<{width}}{seconds:>10.4f}   " + ("(the reference)" if k == 0 else f"{ratio:.1f}x faster"))
        values = list(results.items())
        for name, value in values[1:]:
            try:
                diff = float(np.max(np.abs(np.asarray(value, dtype=float)
                                           - np.asarray(values[0][1], dtype=float))))
                verdict = "agree" if diff <= 1e-8 * max(1.0, float(np.max(np.abs(values[0][1])))) \
                    else "DIFFER"
                print(f"{name} and {values[0][0]} {verdict}: largest difference {diff:.2e}")
            except (ValueError, TypeError):
                print(f"{name} and {values[0][0]} DIFFER: results of different shapes")
    return times
