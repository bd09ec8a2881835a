"""Teaching aids and probes of a12 (residual networks): data, initializers, graph traces, plots.

Nothing here builds a residual block or a ResNet: the notebook's graded functions do.  This
module only *looks at* what they build, and prepares what they are trained on.

* :func:`load_signs` -- the SIGNS pictures scaled to [0, 1] with one-hot labels, and a line
  saying which pictures they are (the original files or the default digits);
* :func:`deterministic_initializer`, :func:`make_initializer` -- kernel initializers whose
  values depend only on a seed and the kernel's shape (drawn with numpy, the same on every
  machine and Keras version), and the plain specs the checks pass (``"constant:1"``,
  ``"deterministic:3"``, ``None`` for the function's default);
* :func:`trace` -- a model's graph as text: the chain of layers before the first residual
  block, each block's *main path* and *shortcut* (from the block's input to its ``Add``),
  and the layers after the last block.  Parallel paths are described in a fixed order, so the
  order in which the layers were created does not matter; ``layers.ReLU()`` and
  ``Activation("relu")`` are both ``ReLU``, a ``+`` between tensors is an ``Add`` like
  ``layers.Add()``, and a 1x1 convolution is ``valid`` whatever padding it was given (the
  two compute the same);
* the probes of the checks (:func:`probe_block`, :func:`probe_identity_block_public`,
  :func:`probe_convolutional_block_public`, :func:`probe_resnet`,
  :func:`probe_resnet_public`) turn what a graded function returns into plain data, and
  :func:`explain_block` / :func:`explain_resnet` turn a mismatch into sentences;
* :func:`stage_shapes`, :func:`gradient_flow`, :func:`batch_statistics_accuracy`,
  :func:`recalibrate_batch_norm` and the plots (:func:`plot_signs`, :func:`plot_gradient_flow`, :func:`plot_prediction`,
  :func:`plot_history`) for the ungraded parts of the notebook.

matplotlib is imported lazily (the grader's worker imports this module with the setup cell).
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Any, Callable

import numpy as np

from .tf_runtime import keras, tf

__all__ = ["load_signs", "DeterministicUniform", "deterministic_initializer", "make_initializer",
           "describe_initializer", "trace", "TraceError", "block_report", "probe_block",
           "probe_identity_block_public", "probe_convolutional_block_public", "model_structure",
           "probe_resnet", "probe_resnet_public", "explain_block", "explain_resnet",
           "stage_shapes", "gradient_flow", "batch_statistics_accuracy", "recalibrate_batch_norm",
           "plot_signs",
           "plot_gradient_flow", "plot_prediction", "plot_history", "ARROW", "IDENTITY_SUMMARY",
           "CONV_SUMMARY"]

#: joins the layers of a path in every description
ARROW = " → "


# ============================================================================================
# Data
# ============================================================================================

def load_signs(data_dir=None, seed: int | None = None, quiet: bool = False):
    """``(X_train, Y_train, X_test, Y_test, classes)``: SIGNS pictures as float32 in [0, 1],
    shape (m, 64, 64, 3), and one-hot labels (m, 6), as the original notebook prepared them
    (``X / 255`` and ``convert_to_one_hot(Y, 6).T``).  Prints which pictures these are."""
    from ..datasets.signs import DEFAULT_SEED, N_CLASSES, convert_to_one_hot, load_signs_dataset

    data = load_signs_dataset(data_dir, DEFAULT_SEED if seed is None else seed)
    if not quiet:
        print("Data:", data.description)
    X_train_orig, Y_train_orig, X_test_orig, Y_test_orig, classes = data
    X_train = (X_train_orig / 255.0).astype(np.float32)
    X_test = (X_test_orig / 255.0).astype(np.float32)
    Y_train = convert_to_one_hot(Y_train_orig, N_CLASSES).T.astype(np.float32)
    Y_test = convert_to_one_hot(Y_test_orig, N_CLASSES).T.astype(np.float32)
    return X_train, Y_train, X_test, Y_test, classes


# ============================================================================================
# Initializers the checks use
# ============================================================================================

class DeterministicUniform(keras.initializers.Initializer):
    """Glorot-uniform values drawn with numpy from ``(seed, *shape)``: the same numbers on every
    machine and every Keras version, and for every layer of the same kernel shape."""

    def __init__(self, seed: int = 0):
        self.seed = int(seed)

    def __call__(self, shape, dtype=None):
        shape = tuple(int(d) for d in shape)
        receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
        fan_in = shape[-2] * receptive if len(shape) >= 2 else shape[0]
        fan_out = shape[-1] * receptive if len(shape) >= 2 else shape[0]
        limit = np.sqrt(6.0 / max(fan_in + fan_out, 1))
        rng = np.random.default_rng([self.seed, 12, *shape])
        values = rng.uniform(-limit, limit, size=shape)
        return tf.constant(values, dtype=dtype or "float32")

    def get_config(self):
        return {"seed": self.seed}


def deterministic_initializer(seed: int = 0) -> DeterministicUniform:
    """Use it like ``glorot_uniform``: ``initializer(seed=0)`` gives a kernel initializer."""
    return DeterministicUniform(seed)


def make_initializer(spec):
    """The ``initializer`` argument a plain spec stands for:

    * ``"constant:1"`` -> ``lambda seed=0: constant(value=1.0)`` (any number after the colon);
    * ``"deterministic"`` / ``"deterministic:3"`` -> :func:`deterministic_initializer`, whose
      values are offset by 3 (``seed + 3``);
    * ``"random_uniform"`` / ``"glorot_uniform"`` -> those Keras initializers.
    """
    if callable(spec):
        return spec
    name, _, value = str(spec).partition(":")
    if name == "constant":
        number = float(value or 1.0)
        return lambda seed=0: keras.initializers.Constant(value=number)
    if name == "deterministic":
        offset = int(value or 0)
        return lambda seed=0: DeterministicUniform((0 if seed is None else int(seed)) + offset)
    if name == "random_uniform":
        return keras.initializers.RandomUniform
    if name == "glorot_uniform":
        return keras.initializers.GlorotUniform
    raise ValueError(f"unknown initializer spec {spec!r}")


def describe_initializer(spec) -> str:
    """How the notebook writes the initializer a spec stands for."""
    if spec is None:
        return "the default initializer"
    name, _, value = str(spec).partition(":")
    if name == "constant":
        return f"initializer = lambda seed=0: constant(value={float(value or 1.0):g})"
    if name == "deterministic":
        return "initializer = deterministic_initializer" + (f" (offset {value})" if value else "")
    return f"initializer = {name}"


# ============================================================================================
# A graph as text
# ============================================================================================

class TraceError(ValueError):
    """The graph is not a chain of layers and residual blocks."""


def _shape(tensor) -> tuple:
    return tuple(None if d is None else int(d) for d in tensor.shape)


def _producer(tensor):
    """(operation, its input tensors) that made ``tensor``; (None, []) for a plain value.

    Reads Keras 3's graph bookkeeping (``_keras_history``, ``_inbound_nodes``), which every
    symbolic tensor and operation carries (checked against Keras 3.15)."""
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return None, []
    operation, node_index = history[0], history[1]
    node = operation._inbound_nodes[node_index]
    return operation, list(node.input_tensors)


def _is_input(operation) -> bool:
    return operation is None or type(operation).__name__ == "InputLayer"


def _activation_name(value) -> str:
    if value is None:
        return "linear"
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return str(value.get("config", {}).get("name", value.get("class_name", "?")))
    return getattr(value, "__name__", type(value).__name__)


def _pair(value) -> tuple:
    if isinstance(value, (list, tuple)):
        return tuple(int(v) for v in value)
    return (int(value), int(value))


def _size(pair: tuple) -> str:
    return "x".join(str(v) for v in pair)


def _stride(pair: tuple) -> str:
    return str(pair[0]) if len(set(pair)) == 1 else _size(pair)


def _token(operation, source) -> str:
    """One layer in words (``source``: its input tensor, for the rank of BatchNorm's axis)."""
    kind = type(operation).__name__
    try:
        config = operation.get_config()
    except Exception:  # an operation without a config
        config = {}
    if kind == "Conv2D":
        kernel, strides = _pair(config["kernel_size"]), _pair(config["strides"])
        padding = "valid" if kernel == (1, 1) else config["padding"]  # the same for 1x1
        text = f"Conv2D({config['filters']}, {_size(kernel)}, stride {_stride(strides)}, {padding}"
        activation = _activation_name(config.get("activation"))
        if activation != "linear":
            text += f", {activation}"
        if _pair(config.get("dilation_rate", 1)) != (1, 1):
            text += f", dilation {_stride(_pair(config['dilation_rate']))}"
        return text + ")"
    if kind == "BatchNormalization":
        axis = config.get("axis")
        rank = len(source.shape) if source is not None else None
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        if isinstance(axis, int) and rank:
            axis = axis % rank
        text = f"BatchNorm(axis {axis}"
        epsilon = float(config.get("epsilon", 1e-3))
        if abs(epsilon - 1e-3) > 1e-12:
            text += f", epsilon {epsilon:g}"
        if not config.get("center", True) or not config.get("scale", True):
            text += ", no beta/gamma"
        return text + ")"
    if kind in ("Activation", "ReLU", "Softmax"):
        if kind == "ReLU":
            plain = config.get("max_value") is None and not config.get("negative_slope") \
                and not config.get("threshold")
            return "ReLU" if plain else "ReLU(clipped or leaky)"
        name = "softmax" if kind == "Softmax" else _activation_name(config.get("activation"))
        return "ReLU" if name == "relu" else f"Activation({name})"
    if kind == "ZeroPadding2D":
        padding = tuple(_pair(p) for p in config["padding"])
        flat = {v for p in padding for v in p}
        return f"ZeroPadding2D({flat.pop()})" if len(flat) == 1 else f"ZeroPadding2D({padding})"
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        pool = _pair(config["pool_size"])
        strides = _pair(config.get("strides") or pool)
        text = f"{kind}({_size(pool)}, stride {_stride(strides)}"
        return text + (", same)" if config.get("padding") == "same" else ")")
    if kind == "Dense":
        return f"Dense({config['units']}, {_activation_name(config.get('activation'))})"
    if kind in ("Add", "Subtract", "Multiply", "Concatenate", "Average", "Maximum"):
        return kind
    if kind == "Flatten":
        return "Flatten"
    return kind


def _walk(tensor) -> list:
    """``[(tensor, token of the layer that made it), ...]`` back to the first tensor that is a
    model input or the output of a layer with several inputs (its token: None)."""
    steps = []
    while True:
        operation, inputs = _producer(tensor)
        if _is_input(operation) or len(inputs) != 1:
            steps.append((tensor, None))
            return steps
        steps.append((tensor, _token(operation, inputs[0])))
        tensor = inputs[0]
    # not reached


def _entries(steps: list) -> list:
    """The layers of a walk, first to last, as ``(token, output shape)``."""
    return [(token, _shape(t)) for t, token in steps[:-1]][::-1]


def trace(output) -> dict:
    """The graph that leads to the symbolic tensor ``output``, as plain data.

    Returns ``{"stem": [...], "blocks": [...], "tail": [...]}``: every entry of ``stem`` and
    ``tail`` is ``(token, output shape)``; each block is ``{"main": [...], "shortcut": [...],
    "join": token, "output_shape": shape, "after": [...]}`` where ``main`` (the longer path)
    and ``shortcut`` lead from the block's input to its ``join`` (``Add``), and ``after``
    holds the layers between the join and the next block.  ``tail`` is what follows the
    last join (for a single block: its final ReLU).  Raises :class:`TraceError` when a join
    has other than two inputs or its two paths do not start from one tensor.
    """
    steps = _walk(output)
    after = _entries(steps)
    tensor = steps[-1][0]
    blocks: list[dict] = []
    while True:
        operation, inputs = _producer(tensor)
        if _is_input(operation):
            break
        join = _token(operation, None)
        if len(inputs) != 2:
            raise TraceError(f"a {join} layer has {len(inputs)} inputs; a residual block adds "
                             "exactly two tensors: the main path and the shortcut")
        walks = [_walk(x) for x in inputs]
        first = {id(t): i for i, (t, _) in enumerate(walks[0])}
        meet = next(((first[id(t)], j) for j, (t, _) in enumerate(walks[1]) if id(t) in first),
                    None)
        if meet is None:
            raise TraceError(f"the two tensors added by a {join} layer do not both start from "
                             "the block's input X")
        i, j = meet
        paths = [_entries(walks[0][:i] + [walks[0][i]]), _entries(walks[1][:j] + [walks[1][j]])]
        main, shortcut = sorted(paths, key=lambda p: (-len(p), ARROW.join(t for t, _ in p)))
        blocks.append({"main": main, "shortcut": shortcut, "join": join,
                       "output_shape": _shape(tensor), "after": after})
        steps = _walk(walks[0][i][0])
        after = _entries(steps)
        tensor = steps[-1][0]
    blocks.reverse()
    # ``after`` now holds the layers from the model's input to the first block's input, and
    # each block's "after" the layers between its join and the next block (the last one's: the
    # layers after the last join, returned as the tail)
    stem, tail = after, []
    if blocks:
        tail, blocks[-1]["after"] = blocks[-1]["after"], []
    else:
        stem, tail = [], after
    return {"stem": stem, "blocks": blocks, "tail": tail}


def _path_text(entries: list, start: str = "X") -> str:
    return ARROW.join([start] + [token for token, _ in entries])


# ============================================================================================
# Probes of the two blocks
# ============================================================================================

def _as_array(value, name: str) -> np.ndarray:
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    if isinstance(value, keras.KerasTensor):
        raise TypeError(f"{name} returned a symbolic tensor for a concrete input")
    try:
        return np.asarray(value, dtype=np.float64)
    except Exception as exc:
        raise TypeError(f"{name} returned {type(value).__name__}, not a tensor") from exc


def _kernel_initializers(model) -> str:
    names = [type(layer.kernel_initializer).__name__ for layer in model.layers
             if type(layer).__name__ == "Conv2D"]
    if not names:
        return "(no Conv2D layer)"
    counts = Counter(names)
    if len(counts) == 1:
        return f"{names[0]} (all {len(names)} Conv2D)"
    return ", ".join(f"{name} x {n}" for name, n in sorted(counts.items()))


def _block_structure(output) -> dict:
    """The block's layers, traced from its symbolic output."""
    try:
        graph = trace(output)
    except TraceError as exc:
        return {"main path": f"(not one residual block: {exc})", "shortcut": "(none)",
                "after the Add": "(none)"}
    blocks = graph["blocks"]
    if not blocks:
        return {"main path": _path_text(graph["tail"]),
                "shortcut": "(none: X is never added back)", "after the Add": "(no Add)"}
    if len(blocks) > 1:
        text = " | ".join(f"block {k + 1}: {_path_text(b['main'])}" for k, b in enumerate(blocks))
        return {"main path": f"(not one residual block: {len(blocks)} Adds; {text})",
                "shortcut": "(none)", "after the Add": "(none)"}
    if graph["stem"]:
        return {"main path": "(not one residual block: the shortcut starts after "
                             f"{_path_text(graph['stem'])}, not at X)",
                "shortcut": "(none)", "after the Add": "(none)"}
    block = blocks[0]
    return {"main path": _path_text(block["main"]),
            "shortcut": _path_text(block["shortcut"]),
            "after the Add": ARROW.join([block["join"]] + [t for t, _ in graph["tail"]])}


def block_report(fn, X, *args, **kwargs) -> dict:
    """Build the block ``fn`` on a ``keras.Input`` of X's shape (its layers, traced), then call it
    on ``tf.constant(X)``, as the notebook does, for its output.  (The built model is not
    used for the output: inside a model a BatchNormalization called without ``training``
    inherits the mode of the first layer called with one, while a direct call runs it in
    inference mode -- a forgotten ``training=training`` shows only there.)
    ``kwargs["initializer"]`` is a spec for :func:`make_initializer`; ``training`` and the
    rest go to ``fn`` as they are."""
    name = getattr(fn, "__name__", "the block")
    kwargs = dict(kwargs)
    if "initializer" in kwargs:
        kwargs["initializer"] = make_initializer(kwargs["initializer"])
    X = np.asarray(X, dtype=np.float32)
    inputs = keras.Input(shape=X.shape[1:])
    output = fn(inputs, *args, **kwargs)
    if isinstance(output, (list, tuple)) and len(output) == 1:
        output = output[0]
    if not isinstance(output, keras.KerasTensor):
        raise TypeError(f"{name} must return the output tensor of its last layer, not "
                        f"{type(output).__name__}")
    structure = {**_block_structure(output),
                 "kernel initializers": _kernel_initializers(keras.Model(inputs, output))}
    A = _as_array(fn(tf.constant(X), *args, **kwargs), name)
    return {"A.shape": str(tuple(int(d) for d in A.shape)), "A": A, **structure}


def probe_block(fn, X, *args, **kwargs) -> dict:
    """Probe of the hidden checks of both blocks: :func:`block_report` (the whole output)."""
    return block_report(fn, X, *args, **kwargs)


def _view(report: dict, key: str, summary: Callable[[np.ndarray], Any]) -> dict:
    out = {"A.shape": report["A.shape"]}
    try:
        out[key] = summary(report["A"])
    except Exception:  # an output of another rank
        out[key] = None
    out.update({k: v for k, v in report.items() if k not in ("A", "A.shape")})
    return out


IDENTITY_SUMMARY = "np.around(A[:, (0, -1), :, :].mean(axis=3), 5)"
CONV_SUMMARY = "A[-1]"


def probe_identity_block_public(fn, X, *args, **kwargs) -> dict:
    """Probe of the visible identity_block check: the course's summary of the output (the
    first and last rows, averaged over the channels, rounded to 5 decimals) and the layers."""
    report = block_report(fn, X, *args, **kwargs)
    return _view(report, IDENTITY_SUMMARY,
                 lambda A: np.around(A[:, (0, -1), :, :].mean(axis=3), 5))


def probe_convolutional_block_public(fn, X, *args, **kwargs) -> dict:
    """Probe of the visible convolutional_block check: the last example's output and the layers."""
    report = block_report(fn, X, *args, **kwargs)
    return _view(report, CONV_SUMMARY, lambda A: A[-1])


# ============================================================================================
# Probes of the whole model
# ============================================================================================

def _filters(entries: list) -> list:
    return [int(re.match(r"Conv2D\((\d+)", t).group(1)) for t, _ in entries if t.startswith("Conv2D(")]


def _first_stride(entries: list) -> str:
    for token, _ in entries:
        m = re.match(r"Conv2D\(\d+, [\dx]+, stride ([\dx]+)", token)
        if m:
            return m.group(1)
    return "?"


def _block_kind(block: dict) -> str:
    return "conv" if block["shortcut"] else "identity"


def _stages(blocks: list) -> list[list[dict]]:
    """Blocks grouped into stages: runs of consecutive blocks with the same output shape."""
    stages: list[list[dict]] = []
    for block in blocks:
        if not stages or block["output_shape"] != stages[-1][-1]["output_shape"]:
            stages.append([])
        stages[-1].append(block)
    return stages


def _stage_text(stage: list[dict]) -> str:
    parts: list[str] = []
    for block in stage:
        kind = _block_kind(block)
        text = f"{kind} {_filters(block['main'])}"
        if kind == "conv":
            text += f" s={_first_stride(block['main'])}"
        parts.append(text)
    grouped: list[str] = []
    k = 0
    while k < len(parts):
        n = 1
        while k + n < len(parts) and parts[k + n] == parts[k]:
            n += 1
        grouped.append(parts[k] if n == 1 else f"{n} x {parts[k]}")
        k += n
    return ", ".join(grouped)


def _shape_text(shape: tuple) -> str:
    return "x".join(str(d) for d in shape[1:])


def _head_split(tail: list) -> tuple[list, list]:
    """The last block's own layers (its ReLU) and the head after it."""
    k = 0
    while k < len(tail) and (tail[k][0] == "ReLU" or tail[k][0].startswith("Activation(")
                             and tail[k][0] != "Activation(softmax)"):
        k += 1
    return tail[:k], tail[k:]


def _merge_softmax(entries: list) -> list:
    """``Dense(k, linear) → Activation(softmax)`` is written ``Dense(k, softmax)``."""
    out = []
    for token, shape in entries:
        if token == "Activation(softmax)" and out and out[-1][0].endswith(", linear)"):
            out[-1] = (out[-1][0].replace(", linear)", ", softmax)"), shape)
        else:
            out.append((token, shape))
    return out


_SHAPE_KINDS = ("ZeroPadding2D", "Conv2D", "MaxPooling2D", "AveragePooling2D", "Dense")


def model_structure(model) -> dict:
    """A whole ResNet as plain data: its input shape, parameter counts, layer counts, the
    shapes after each stage, the stem, the stages, the head and every block's paths."""
    from .keras_probe import param_counts

    graph = trace(model.outputs[0])
    blocks = graph["blocks"]
    last_own, head = _head_split(graph["tail"]) if blocks else ([], graph["tail"])
    head = _merge_softmax(head)
    tokens = [t for t, _ in graph["stem"]] + [t for t, _ in head]
    for k, block in enumerate(blocks):
        own_after = block["after"] if k < len(blocks) - 1 else last_own
        tokens += [t for t, _ in block["main"] + block["shortcut"] + own_after] + [block["join"]]
    counts = Counter(re.match(r"[A-Za-z0-9]+", t).group(0) for t in tokens)
    order = ["Conv2D", "BatchNorm", "ReLU", "Add", "ZeroPadding2D", "MaxPooling2D",
             "AveragePooling2D", "Flatten", "Dense"]
    kinds = sorted(counts, key=lambda k: (order.index(k) if k in order else len(order), k))
    shapes = [_shape_text(_shape(model.inputs[0]))]
    shapes += [_shape_text(s) for t, s in graph["stem"] if t.startswith(_SHAPE_KINDS)]
    stages = _stages(blocks)
    shapes += [_shape_text(stage[-1]["output_shape"]) for stage in stages]
    shapes += [_shape_text(s) for t, s in head if t.startswith(_SHAPE_KINDS)]
    described = []
    for k, block in enumerate(blocks):
        own_after = block["after"] if k < len(blocks) - 1 else last_own
        described.append(f"main: {_path_text(block['main'])} | shortcut: "
                         f"{_path_text(block['shortcut'])} | then: "
                         + ARROW.join([block["join"]] + [t for t, _ in own_after]))
    return {"input shape": _shape_text(_shape(model.inputs[0])),
            "params": param_counts(model),
            "layers": ", ".join(f"{counts[k]} {k}" for k in kinds),
            "shapes": ARROW.join(shapes),
            "stem": ARROW.join(t for t, _ in graph["stem"]) or "(nothing)",
            "stages": {f"stage {k + 2}": _stage_text(stage) for k, stage in enumerate(stages)},
            "head": ARROW.join(t for t, _ in head) or "(nothing)",
            "blocks": tuple(described)}


def _build(fn, *args, **kwargs):
    from .keras_probe import as_model

    keras.backend.clear_session()
    return as_model(fn(*args, **kwargs), getattr(fn, "__name__", "the function"))


def probe_resnet(fn, *args, **kwargs) -> dict:
    """Probe of the hidden ResNet50 checks: :func:`model_structure` of the model ``fn`` builds
    (no weights are compared: the structure fixes everything the model computes)."""
    return model_structure(_build(fn, *args, **kwargs))


def probe_resnet_public(fn, *args, **kwargs) -> dict:
    """Probe of the visible ResNet50 check: :func:`model_structure` without the per-block detail."""
    report = model_structure(_build(fn, *args, **kwargs))
    report.pop("blocks")
    return report


def stage_shapes(model) -> str:
    """``'64x64x3 → 70x70x3 → 32x32x64 → ...'``: the shapes after the padding, the first conv,
    the max-pool, each stage, the average pool and the Dense layer."""
    return model_structure(model)["shapes"]


# ============================================================================================
# Explanations of a mismatch (they describe the architecture asked for, never hidden values)
# ============================================================================================

def _tokens(path: str) -> list[str]:
    return [t for t in path.split(ARROW)] if isinstance(path, str) else []


def _kind_of(token: str) -> str:
    m = re.match(r"[A-Za-z0-9]+", token)
    return m.group(0) if m else token


def _convs(tokens: list[str]) -> list[tuple]:
    """(filters, kernel, stride, padding) of every Conv2D token."""
    out = []
    for token in tokens:
        m = re.match(r"Conv2D\((\d+), ([\dx]+), stride ([\dx]+), (\w+)", token)
        if m:
            out.append((int(m.group(1)), m.group(2), m.group(3), m.group(4)))
    return out


def _path_problems(actual: list[str], expected: list[str], where: str) -> list[str]:
    """Sentences for one path (``where``: "the main path", "the shortcut") that differs."""
    problems = []
    count = lambda tokens, kind: sum(_kind_of(t) == kind for t in tokens)  # noqa: E731
    for kind, name in (("BatchNorm", "BatchNormalization"), ("Conv2D", "Conv2D"), ("ReLU", "ReLU")):
        a, e = count(actual, kind), count(expected, kind)
        if a < e:
            problems.append(f"{where} has {a} {name} layer(s), expected {e}: "
                            f"{'one is' if e - a == 1 else 'some are'} missing")
        elif a > e:
            problems.append(f"{where} has {a} {name} layer(s), expected {e}")
    axes = sorted({t for t in actual if t.startswith("BatchNorm(") and t not in expected})
    for token in axes:
        m = re.match(r"BatchNorm\(axis (\S+?)[,)]", token)
        if m and f"BatchNorm(axis {m.group(1)})" not in expected:
            problems.append(f"{where} normalizes over axis {m.group(1)}: BatchNormalization(axis=3) "
                            "normalizes each channel (the last axis)")
            break
    a_convs, e_convs = _convs(actual), _convs(expected)
    if len(a_convs) == len(e_convs):
        for k, (a, e) in enumerate(zip(a_convs, e_convs)):
            label = f"Conv2D number {k + 1} of {where}"
            if a[1] != e[1]:
                problems.append(f"{label} has a {a[1]} kernel, expected {e[1]}")
            if a[2] != e[2]:
                problems.append(f"{label} has stride {a[2]}, expected {e[2]}"
                                + (": the stride s belongs on the first 1x1 conv of the main "
                                   "path (and on the shortcut's conv), every other conv uses 1"
                                   if e[2] == "1" or a[2] == "1" else ""))
            if a[3] != e[3]:
                problems.append(f"{label} uses padding '{a[3]}', expected '{e[3]}'")
            if a[0] != e[0]:
                problems.append(f"{label} has {a[0]} filters, expected {e[0]} "
                                "(filters = [F1, F2, F3], in that order)")
    if not problems and [_kind_of(t) for t in actual] != [_kind_of(t) for t in expected]:
        problems.append(f"the layers of {where} are in another order than "
                        f"{ARROW.join(_kind_of(t) for t in expected)}")
    return problems


def explain_block(actual: Any, expected: Any) -> list[str]:
    """Why a block's report differs from the expected one, most specific reason first."""
    if not isinstance(actual, dict) or not isinstance(expected, dict):
        return []
    problems: list[str] = []
    a_main, e_main = actual.get("main path", ""), expected.get("main path", "")
    a_after, e_after = actual.get("after the Add", ""), expected.get("after the Add", "")
    a_short, e_short = actual.get("shortcut", ""), expected.get("shortcut", "")
    if isinstance(a_main, str) and a_main.startswith("(not one residual block"):
        problems.append("the block is not one main path and one shortcut joined by a single Add "
                        + a_main[len("(not one residual block"):].rstrip(")").lstrip(":"))
    elif a_after == "(no Add)":
        problems.append("the shortcut X is never added back: join the main path and the shortcut "
                        "with Add()([X, X_shortcut]) before the last ReLU")
    else:
        main_t, e_main_t = _tokens(a_main), _tokens(e_main)
        after_t, e_after_t = _tokens(a_after), _tokens(e_after)
        if any(t.startswith("BatchNorm") for t in after_t) and \
                not any(t.startswith("BatchNorm") for t in e_after_t):
            problems.append("the shortcut is added before the main path's last "
                            "BatchNormalization: apply BatchNormalization to the third conv's "
                            "output, then Add, then ReLU")
        elif main_t and main_t[-1] == "ReLU" and e_main_t and e_main_t[-1] != "ReLU":
            problems.append("ReLU is applied to the main path before the Add: add the shortcut "
                            "first, then apply ReLU to the sum")
        elif a_after != e_after:
            problems.append(f"after the Add comes {a_after!r}, expected {e_after!r}")
        if a_main != e_main:
            problems += [p for p in _path_problems(main_t[1:], e_main_t[1:], "the main path")
                         if not (problems and "ReLU layer" in p and "ReLU" in problems[0])]
        if a_short != e_short:
            if e_short == "X":
                problems.append(f"the shortcut of an identity block is X itself, unchanged; "
                                f"here it is {a_short!r}")
            else:
                short = _path_problems(_tokens(a_short)[1:], _tokens(e_short)[1:], "the shortcut")
                if any("stride" in p for p in short) and _convs(_tokens(a_short)) and \
                        _convs(_tokens(a_short))[0][2] == "1":
                    short = ["the shortcut's Conv2D has no stride: it needs strides=(s, s), like "
                             "the first conv of the main path, or the two paths do not have the "
                             "same shape"] + [p for p in short if "stride" not in p]
                problems += short or [f"the shortcut is {a_short!r}, expected {e_short!r}"]
    a_init, e_init = actual.get("kernel initializers"), expected.get("kernel initializers")
    if isinstance(a_init, str) and isinstance(e_init, str) and a_init != e_init:
        wanted = e_init.split(" (")[0]
        problems.append(f"the Conv2D layers' kernel initializers are {a_init}, expected {e_init}: "
                        f"pass kernel_initializer=initializer(seed=0) to every Conv2D "
                        f"(here the initializer makes {wanted})")
    if not problems and actual.get("A.shape") != expected.get("A.shape"):
        problems.append(f"the output has shape {actual.get('A.shape')}, expected "
                        f"{expected.get('A.shape')}")
    if not problems:
        problems.append("the layers and their order are right, but the values differ: is "
                        "`training` passed to every BatchNormalization call "
                        "(BatchNormalization(axis=3)(X, training=training)), and is every Conv2D "
                        "given kernel_initializer=initializer(seed=0)?")
    return problems


def explain_resnet(actual: Any, expected: Any) -> list[str]:
    """Why a ResNet's structure differs from the expected one, most specific reason first."""
    if not isinstance(actual, dict) or not isinstance(expected, dict):
        return []
    problems: list[str] = []
    if actual.get("input shape") != expected.get("input shape"):
        problems.append(f"the model's input is {actual.get('input shape')}: build it on "
                        "Input(input_shape), the shape the function was given")
    a_stem, e_stem = actual.get("stem", ""), expected.get("stem", "")
    if a_stem != e_stem:
        if "ZeroPadding2D" in e_stem and "ZeroPadding2D" not in a_stem:
            problems.append("the input is not zero-padded: ZeroPadding2D((3, 3)) comes first, "
                            "before the 7x7 Conv2D")
        else:
            problems.append(f"stage 1 is {a_stem!r}, expected {e_stem!r}")
    a_stages, e_stages = actual.get("stages") or {}, expected.get("stages") or {}
    if isinstance(a_stages, dict) and isinstance(e_stages, dict):
        if len(a_stages) != len(e_stages):
            problems.append(f"the model has {len(a_stages)} stage(s) of residual blocks after "
                            f"stage 1, expected {len(e_stages)} (stages 2-5, each starting with "
                            "a convolutional_block)")
        for name, e_text in e_stages.items():
            a_text = a_stages.get(name)
            if a_text is None or a_text == e_text:
                continue
            problems.append(_stage_problem(name, a_text, e_text))
    a_head, e_head = actual.get("head", ""), expected.get("head", "")
    if a_head != e_head:
        problems.append(f"the layers after stage 5 are {a_head!r}, expected {e_head!r}")
    if not problems and actual.get("blocks") != expected.get("blocks"):
        problems.append("the stages are right, but the layers inside some blocks differ from what "
                        "identity_block and convolutional_block should build: fix those first "
                        "(their checks say how)")
    if not problems and actual.get("shapes") != expected.get("shapes"):
        problems.append("the layers are right, but the shapes between the stages differ")
    if not problems and actual.get("params") != expected.get("params"):
        problems.append("the layers are right, but the parameter counts differ")
    return problems


def _stage_problem(name: str, actual: str, expected: str) -> str:
    def kinds(text):
        out = []
        for part in text.split(", "):
            m = re.match(r"(?:(\d+) x )?(conv|identity)", part)
            if m:
                out += [m.group(2)] * int(m.group(1) or 1)
        return out

    a_kinds, e_kinds = kinds(actual), kinds(expected)
    if a_kinds != e_kinds:
        n_conv, n_id = a_kinds.count("conv"), a_kinds.count("identity")
        e_id = e_kinds.count("identity")
        if n_conv != 1 or a_kinds[:1] != ["conv"]:
            return (f"{name} is made of {n_conv} convolutional and {n_id} identity block(s): a "
                    f"stage is one convolutional_block followed by identity_blocks only "
                    f"({e_id} in {name})")
        return f"{name} has {n_id} identity block(s), expected {e_id}"
    a_filters = re.findall(r"\[[\d, ]+\]", actual)
    e_filters = re.findall(r"\[[\d, ]+\]", expected)
    if a_filters != e_filters:
        return f"{name} uses the filters {', '.join(dict.fromkeys(a_filters))}, expected " \
               f"{', '.join(dict.fromkeys(e_filters))}"
    a_s, e_s = re.findall(r"s=(\S+)", actual), re.findall(r"s=(\S+)", expected)
    if a_s != e_s:
        return f"{name}'s convolutional_block uses s={a_s[0] if a_s else '?'}, expected " \
               f"s={e_s[0] if e_s else '?'}"
    return f"{name} is {actual!r}, expected {expected!r}"


# ============================================================================================
# Why residual connections: gradients through a deep stack
# ============================================================================================

def gradient_flow(depth: int = 20, width: int = 32, n: int = 64, seed: int = 0) -> dict:
    """The gradient that reaches each layer of a deep stack of sigmoid layers at initialization,
    without and with identity shortcuts.

    Plain: ``h = sigmoid(h @ W_l)``; residual: ``h = h + sigmoid(h @ W_l)``; the same weights
    ``W_l ~ N(0, 1/width)`` for both, a squared-error loss on random data.  Returns
    ``{"plain": array (depth,), "residual": array (depth,)}``: the norm of ``dL/dW_l`` for
    l = 1 (next to the input) ... depth (next to the output).
    """
    rng = np.random.default_rng(seed)
    x = tf.constant(rng.normal(size=(n, width)), dtype=tf.float32)
    y = tf.constant(rng.normal(size=(n, width)), dtype=tf.float32)
    weights = [tf.Variable(rng.normal(0.0, 1.0 / np.sqrt(width), size=(width, width)),
                           dtype=tf.float32) for _ in range(depth)]
    out = {}
    for kind in ("plain", "residual"):
        with tf.GradientTape() as tape:
            h = x
            for W in weights:
                step = tf.sigmoid(h @ W)
                h = h + step if kind == "residual" else step
            loss = tf.reduce_mean((h - y) ** 2)
        grads = tape.gradient(loss, weights)
        out[kind] = np.array([float(tf.norm(g)) for g in grads])
    return out


def plot_gradient_flow(norms: dict):
    """Log-scale plot of :func:`gradient_flow`'s two curves."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.2))
    for kind, style in (("plain", "o-"), ("residual", "s-")):
        values = np.maximum(norms[kind], 1e-30)  # an underflow to 0 cannot be drawn on a log axis
        ax.semilogy(np.arange(1, len(values) + 1), values, style, markersize=3, label=kind)
    ax.set_xlabel("layer (1 = closest to the input)")
    ax.set_ylabel("gradient norm of its weights")
    ax.set_title("Gradients reaching each layer at initialization")
    ax.legend()
    fig.tight_layout()
    return fig


# ============================================================================================
# Pictures, training curves, predictions
# ============================================================================================

def plot_signs(X: np.ndarray, Y: np.ndarray, n: int = 8, title: str = ""):
    """The first ``n`` pictures of ``X`` with their labels (``Y`` one-hot or integer)."""
    import matplotlib.pyplot as plt

    labels = np.argmax(Y, axis=1) if np.ndim(Y) == 2 else np.ravel(Y)
    fig, axes = plt.subplots(1, n, figsize=(1.5 * n, 1.9))
    for k, ax in enumerate(np.atleast_1d(axes)):
        ax.imshow(np.clip(X[k], 0, 1) if X.dtype.kind == "f" else X[k])
        ax.set_title(f"y = {int(labels[k])}", fontsize=9)
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_history(history):
    """Loss and accuracy per epoch of a ``model.fit`` run."""
    import matplotlib.pyplot as plt

    hist = history.history if hasattr(history, "history") else dict(history)
    epochs = np.arange(1, len(hist["loss"]) + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 2.8))
    left.plot(epochs, hist["loss"], "o-")
    left.set_xlabel("epoch")
    left.set_ylabel("training loss")
    right.plot(epochs, hist.get("accuracy", [np.nan] * len(epochs)), "o-")
    right.set_xlabel("epoch")
    right.set_ylabel("training accuracy")
    for ax in (left, right):
        ax.set_xticks(epochs)
    fig.tight_layout()
    return fig


def batch_statistics_accuracy(model, X: np.ndarray, Y: np.ndarray, batch_size: int = 72):
    """Accuracy and predicted probabilities of ``model`` on (X, Y) when every
    BatchNormalization normalizes with the statistics of the batch it sees (``training=True``),
    as the original course's model did at test time, instead of its moving averages.  The
    moving averages are left as they were."""
    saved = [v.numpy() for v in model.non_trainable_variables]
    probabilities = []
    for start in range(0, len(X), batch_size):
        probabilities.append(np.asarray(model(tf.constant(X[start:start + batch_size]),
                                              training=True)))
    for v, value in zip(model.non_trainable_variables, saved):
        v.assign(value)
    probabilities = np.concatenate(probabilities)
    accuracy = float(np.mean(np.argmax(probabilities, axis=1) == np.argmax(Y, axis=1)))
    return accuracy, probabilities


def recalibrate_batch_norm(model, X: np.ndarray, batch_size: int = 256) -> None:
    """Set the moving mean and variance of every BatchNormalization of ``model`` to the
    statistics of the first ``batch_size`` pictures of ``X``: one forward pass with
    ``training=True`` while every momentum is 0, then the momenta are put back.  The weights
    are not changed; afterwards ``evaluate`` and ``predict`` normalize with these statistics."""
    norms = [layer for layer in model.layers
             if isinstance(layer, keras.layers.BatchNormalization)]
    momenta = [layer.momentum for layer in norms]
    try:
        for layer in norms:
            layer.momentum = 0.0
        model(tf.constant(X[:batch_size]), training=True)
    finally:
        for layer, momentum in zip(norms, momenta):
            layer.momentum = momentum


def plot_prediction(image: np.ndarray, probabilities: np.ndarray, label: int | None = None):
    """A picture next to the probabilities the model gives each class."""
    import matplotlib.pyplot as plt

    probabilities = np.ravel(probabilities)
    guess = int(np.argmax(probabilities))
    fig, (left, right) = plt.subplots(1, 2, figsize=(6.5, 2.6),
                                      gridspec_kw={"width_ratios": [1, 1.6]})
    left.imshow(np.clip(image, 0, 1))
    left.set_title("label " + ("?" if label is None else str(int(label))), fontsize=10)
    left.axis("off")
    bars = right.bar(np.arange(len(probabilities)), probabilities, color="#adb5bd")
    bars[guess].set_color("#d9480f")
    right.set_xticks(np.arange(len(probabilities)))
    right.set_ylim(0, 1)
    right.set_xlabel("class")
    right.set_ylabel("probability")
    right.set_title(f"prediction: {guess}", fontsize=10)
    fig.tight_layout()
    return fig
