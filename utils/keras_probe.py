"""Keras models reduced to plain data, so that graded builder functions can be checked.

A graded function of the TensorFlow track returns a Keras model (or a tensor).
Neither can leave the grading worker, and neither can be compared as it is.
This module turns one into plain data (strings, ints, tuples, numpy arrays):

* :func:`layer_row` / :func:`layer_rows`: per layer, its kind, output shape,
  parameter count and the settings that matter (filters, kernel size, strides,
  padding, activation, BatchNormalization axis, dropout rate, ...).  Equivalent
  formulations give the same row: ``layers.ReLU()`` and
  ``layers.Activation("relu")`` are both ``"ReLU"``, ``MaxPool2D`` *is*
  ``MaxPooling2D``, and the ``InputLayer`` of a functional model (or of a
  ``Sequential`` that starts with ``keras.Input``) is left out.
* :func:`set_deterministic_weights`: every weight set from a seeded stream that
  depends only on the variable's role (kernel, bias, gamma, ...) and shape, so
  two models of the same architecture get the same numbers whatever order their
  layers were created in.
* :func:`model_report`: the rows (sorted: a functional model may list parallel
  branches in either order), the parameter totals and the model's output on a
  fixed input after :func:`set_deterministic_weights` -- a wrong layer order,
  a missing layer or a wrong setting changes that output.
* :func:`probe_model` is the ``probe`` of a :class:`~dlcourse.autograder.checks.FunctionCheck`
  whose function builds a model; :func:`course_summary` gives the original
  course's layer-by-layer summary rows (what the notebooks print).

Shapes use ``None`` for the batch dimension, as Keras prints them.
"""
from __future__ import annotations

import zlib
from typing import Any, Callable

import numpy as np

from .tf_runtime import keras, tf

__all__ = ["layer_row", "layer_rows", "course_summary", "set_deterministic_weights",
           "fixed_input", "model_output", "model_report", "probe_model", "as_model",
           "param_counts", "describe_row", "explain_report"]


def _shape(shape) -> tuple:
    return tuple(None if d is None else int(d) for d in shape)


def _output_shape(layer) -> Any:
    try:
        out = layer.output
    except (AttributeError, ValueError):
        return None
    if isinstance(out, (list, tuple)):
        return [_shape(o.shape) for o in out]
    return _shape(out.shape)


def _activation_name(value) -> str:
    if value is None:
        return "linear"
    if isinstance(value, dict):  # a serialized activation: {"config": "softmax_v2"} or {"config": {"name": ...}}
        config = value.get("config")
        name = config if isinstance(config, str) else (config or {}).get("name", value.get("class_name", "?"))
        return _activation_name(str(name))
    name = value if isinstance(value, str) else getattr(value, "__name__", type(value).__name__)
    return name[:-3] if name.endswith("_v2") else name


def _tuple(value) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_tuple(v) for v in value)
    return value


def _axis(layer) -> Any:
    axis = layer.get_config().get("axis")
    rank = len(layer.input.shape) if hasattr(layer, "input") else None
    if isinstance(axis, (list, tuple)):
        return tuple(a % rank if rank else a for a in axis)
    if isinstance(axis, int) and rank:
        return axis % rank
    return axis


def _kind(layer) -> str:
    name = type(layer).__name__
    config = layer.get_config()
    if name == "Activation" and _activation_name(config.get("activation")) == "relu":
        return "ReLU"
    if name == "ReLU" and config.get("max_value") is None and not config.get("negative_slope") \
            and not config.get("threshold"):
        return "ReLU"
    if isinstance(layer, keras.Model):
        return "Model"
    return name


def _settings(layer) -> dict:
    """The settings that decide what a layer computes, by kind."""
    config = layer.get_config()
    kind = type(layer).__name__
    out: dict[str, Any] = {}
    if _kind(layer) == "ReLU":  # layers.ReLU() and Activation("relu") alike
        return out
    if kind in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose"):
        for key in ("filters", "kernel_size", "strides", "padding", "dilation_rate", "use_bias"):
            if key in config:
                out[key] = _tuple(config[key])
        out["activation"] = _activation_name(config.get("activation"))
    elif kind in ("MaxPooling2D", "AveragePooling2D"):
        for key in ("pool_size", "strides", "padding"):
            out[key] = _tuple(config.get(key))
    elif kind == "BatchNormalization":
        out["axis"] = _axis(layer)
        out["center"], out["scale"] = bool(config.get("center")), bool(config.get("scale"))
        out["epsilon"] = float(config.get("epsilon"))
    elif kind == "Dense":
        out["units"] = int(config["units"])
        out["activation"] = _activation_name(config.get("activation"))
        out["use_bias"] = bool(config.get("use_bias"))
    elif kind == "Dropout":
        out["rate"] = float(config["rate"])
    elif kind == "ZeroPadding2D":
        out["padding"] = _tuple(config["padding"])
    elif kind == "Activation":
        out["activation"] = _activation_name(config.get("activation"))
    elif kind in ("RandomFlip",):
        out["mode"] = config.get("mode")
    elif kind in ("RandomRotation",):
        out["factor"] = _tuple(config.get("factor"))
    elif kind == "Rescaling":
        out["scale"], out["offset"] = float(config["scale"]), float(config["offset"])
    elif kind == "Flatten":
        pass
    return out


def _count(weights) -> int:
    return int(sum(int(np.prod(w.shape)) for w in weights))


def layer_row(layer) -> dict:
    """One layer as plain data: ``kind``, ``output_shape``, ``params``, ``trainable_params`` and
    its settings (see :func:`_settings`)."""
    row = {"kind": _kind(layer), "output_shape": _output_shape(layer),
           "params": int(layer.count_params()) if layer.built else 0,
           "trainable_params": _count(layer.trainable_weights)}
    row.update(_settings(layer))
    return row


def layer_rows(model) -> list[dict]:
    """:func:`layer_row` of every layer of ``model`` except its ``InputLayer``, in model order."""
    return [layer_row(layer) for layer in model.layers
            if type(layer).__name__ != "InputLayer"]


def _initializer_name(layer) -> str:
    init = getattr(layer, "kernel_initializer", None)
    return type(init).__name__ if init is not None else ""


def course_summary(model) -> list[list]:
    """The original course's summary rows: ``[class name, output shape, parameters, extras...]``.

    Extras: Conv2D -> padding, activation, kernel initializer class; MaxPooling2D
    -> pool size, strides, padding; Dropout -> rate; ZeroPadding2D -> padding;
    Dense -> activation.  An ``InputLayer`` (listed only by functional models)
    shows its shape in a list, as the course printed it.
    """
    rows = []
    for layer in model.layers:
        kind = type(layer).__name__
        config = layer.get_config()
        if kind == "InputLayer":
            rows.append([kind, [_shape(layer.output.shape)], 0])
            continue
        row = [kind, _output_shape(layer), int(layer.count_params())]
        if kind == "Conv2D":
            row += [config["padding"], _activation_name(config.get("activation")),
                    _initializer_name(layer)]
        elif kind in ("MaxPooling2D",):
            row += [_tuple(config["pool_size"]), _tuple(config["strides"]), config["padding"]]
        elif kind == "Dropout":
            row += [float(config["rate"])]
        elif kind == "ZeroPadding2D":
            row += [_tuple(config["padding"])]
        elif kind == "Dense":
            row += [_activation_name(config.get("activation"))]
        rows.append(row)
    return rows


def param_counts(model) -> dict:
    """``{"total": ..., "trainable": ..., "non_trainable": ...}`` as ``model.summary()`` shows."""
    trainable = _count(model.trainable_weights)
    total = int(model.count_params())
    return {"total": total, "trainable": trainable, "non_trainable": total - trainable}


_ROLES = ("moving_variance", "moving_mean", "depthwise_kernel", "pointwise_kernel", "kernel",
          "bias", "gamma", "beta")


def _role(variable) -> str:
    path = getattr(variable, "path", None) or getattr(variable, "name", "")
    leaf = str(path).rsplit("/", 1)[-1].split(":")[0]
    for role in _ROLES:
        if leaf == role or leaf.endswith(role):
            return role
    return leaf


def _values(role: str, shape: tuple, seed: int) -> np.ndarray:
    rng = np.random.default_rng([seed, zlib.crc32(role.encode()), *[int(d) for d in shape]])
    if role in ("gamma", "moving_variance"):
        return rng.uniform(0.5, 1.5, size=shape)
    if role in ("bias", "beta", "moving_mean"):
        return rng.normal(0.0, 0.1, size=shape)
    fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
    return rng.normal(0.0, 1.0 / np.sqrt(max(fan_in, 1)), size=shape)


def set_deterministic_weights(model, seed: int = 0) -> None:
    """Give every variable of ``model`` values that depend only on ``seed``, its role and its shape.

    Kernels ~ N(0, 1/fan_in), biases, betas and moving means ~ N(0, 0.1), gammas and
    moving variances ~ U(0.5, 1.5): the outputs stay of order one through deep nets.
    """
    for variable in model.variables:
        shape = tuple(int(d) for d in variable.shape)
        role = _role(variable)
        if role not in _ROLES:  # seed generators, counters: not weights
            continue
        variable.assign(_values(role, shape, seed).astype(variable.dtype))


def fixed_input(shape: tuple, n: int = 2, seed: int = 0, low: float = 0.0,
                high: float = 1.0) -> np.ndarray:
    """``n`` inputs of ``shape`` (no batch dimension), uniform in [low, high), float32."""
    rng = np.random.default_rng([seed, 7])
    return rng.uniform(low, high, size=(n, *shape)).astype(np.float32)


def model_output(model, x: np.ndarray, training: bool = False) -> np.ndarray:
    """``model(x, training=training)`` as a float64 numpy array."""
    return np.asarray(model(tf.constant(x), training=training), dtype=np.float64)


def as_model(value: Any, what: str = "the function") -> Any:
    """``value`` if it is a Keras model; a ``TypeError`` saying what came back otherwise."""
    if not isinstance(value, keras.Model):
        raise TypeError(f"{what} returned {type(value).__name__}, not a Keras model "
                        "(keras.Sequential or keras.Model)")
    return value


def _sort_key(row: dict) -> str:
    return repr(sorted(row.items()))


def model_report(model, x: np.ndarray | None = None, seed: int = 0,
                 training: bool = False) -> dict:
    """Plain data describing ``model``: its layer rows (sorted), their count, parameter totals,
    input and output shapes, and its output on ``x`` (default :func:`fixed_input` of the model's
    input shape) after :func:`set_deterministic_weights`."""
    rows = layer_rows(model)
    input_shape = _shape(model.inputs[0].shape)
    set_deterministic_weights(model, seed)
    if x is None:
        x = fixed_input(input_shape[1:])
    return {"layers": sorted(rows, key=_sort_key), "n_layers": len(rows),
            "params": param_counts(model), "input_shape": input_shape,
            "output_shape": _shape(model.outputs[0].shape),
            "output": model_output(model, x, training=training)}


def probe_model(builder: Callable, *args, **kwargs) -> dict:
    """Probe for a graded function that builds a model: call it, then :func:`model_report`.

    (No ``keras.backend.clear_session()`` first: it costs more than the build of a small model,
    and nothing in the report depends on layer names.)"""
    model = as_model(builder(*args, **kwargs), getattr(builder, "__name__", "the function"))
    return model_report(model)


def describe_row(row: dict) -> str:
    """A layer row in words: ``Conv2D(filters=8, kernel_size=(4, 4), ...) -> (None, 64, 64, 8)``."""
    settings = ", ".join(f"{k}={v!r}" for k, v in row.items()
                         if k not in ("kind", "output_shape", "params", "trainable_params"))
    return f"{row.get('kind')}({settings})"


def explain_report(actual: Any, expected: Any) -> list[str]:
    """Sentences for a :func:`model_report` that differs from the reference's (for the
    ``explain`` of a check).  They name layers the student's model has in excess or lacks --
    the architecture the notebook text asks for -- never the hidden outputs."""
    if not isinstance(actual, dict) or not isinstance(expected, dict) or "layers" not in expected:
        return []
    problems: list[str] = []
    if actual.get("input_shape") != expected.get("input_shape"):
        problems.append(f"the model's input shape is {actual.get('input_shape')}: build it on the "
                        "input shape the function was given")
    mine = [describe_row(r) for r in actual.get("layers", [])]
    wanted = [describe_row(r) for r in expected["layers"]]
    extra = [d for d in mine if d not in wanted or mine.count(d) > wanted.count(d)]
    missing = [d for d in wanted if d not in mine or wanted.count(d) > mine.count(d)]
    if extra or missing:
        parts = []
        if missing:
            parts.append("missing or set differently: " + "; ".join(sorted(set(missing))[:3]))
        if extra:
            parts.append("not expected: " + "; ".join(sorted(set(extra))[:3]))
        problems.append("the layers differ from the architecture asked for -- " + " | ".join(parts))
    elif actual.get("layers") != expected["layers"]:
        problems.append("a layer has the right settings but a different output shape or parameter "
                        "count (check the order of the layers and the input shape)")
    elif actual.get("output_shape") != expected.get("output_shape"):
        problems.append(f"the model's output shape is {actual.get('output_shape')}")
    elif actual.get("params") != expected.get("params"):
        problems.append("the trainable / non-trainable parameter counts differ (a layer frozen or "
                        "left trainable by mistake?)")
    if not problems:
        problems.append("the layers are right, but the output on a fixed input differs: check the "
                        "order of the layers and how they are connected")
    return problems
