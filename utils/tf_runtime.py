"""TensorFlow and Keras, imported quietly, for the notebooks of the TensorFlow track (a10-a13).

A setup cell writes ``from dlcourse.utils.tf_runtime import tf, keras, layers``.
nbgrader scores a test cell 0 when anything lands on stderr, and TensorFlow
writes there at import time from C++ (the oneDNN notice, the CPU-feature
guard, an absl line), which no Python logging setting reaches.  So this module

* sets ``TF_CPP_MIN_LOG_LEVEL=2`` (unless already set) before the import,
* points file descriptor 2 at /dev/null around ``import tensorflow`` and
  ``import keras`` only, and puts it back afterwards (errors raised later
  still reach the student),
* quiets the ``absl`` and ``tensorflow`` loggers, and filters the Keras
  warnings that correct code triggers (``input_shape`` on a first layer,
  ``shuffle`` ignored for a ``tf.data`` dataset).

TensorFlow is an optional dependency (``pip install 'dlcourse[tf]'``): importing
this module without it raises an ``ImportError`` that says how to install it.
"""
from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings

__all__ = ["tf", "keras", "layers", "silenced_fd2", "INSTALL_HINT", "set_seed"]

INSTALL_HINT = ("TensorFlow is not installed: the TensorFlow notebooks (a10-a13) need "
                "`pip install 'dlcourse[tf]'` (it installs tensorflow-cpu and Keras 3)")

#: warnings that correct Keras code triggers; none of them says anything to a student
_HARMLESS_WARNINGS = [
    r"Do not pass an `input_shape`/`input_dim` argument to a layer",
    r".*shuffle=True. was passed, but will be ignored",
    r"The structure of `inputs` doesn't match the expected structure",
    r"Your `PyDataset` class should call",
    r"Argument `decay` is no longer supported",
    r"You are saving your model as an HDF5 file",
]


@contextlib.contextmanager
def silenced_fd2():
    """Send whatever is written to file descriptor 2 (C++ included) to /dev/null, then restore it."""
    try:
        sys.stderr.flush()
    except (AttributeError, ValueError):
        pass
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _import():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        with silenced_fd2():
            import tensorflow as tf_module
            import keras as keras_module
    except ImportError as exc:
        raise ImportError(f"{INSTALL_HINT} ({exc})") from exc
    for name in ("absl", "tensorflow"):
        logging.getLogger(name).setLevel(logging.ERROR)
    for pattern in _HARMLESS_WARNINGS:
        warnings.filterwarnings("ignore", message=pattern)
    return tf_module, keras_module


tf, keras = _import()
layers = keras.layers


def set_seed(seed: int) -> None:
    """Seed Python, numpy and TensorFlow at once (``keras.utils.set_random_seed``)."""
    keras.utils.set_random_seed(seed)
