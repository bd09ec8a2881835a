"""The 2-D "football" data set of the regularization assignment (a06).

The story: the French goalkeeper kicks the ball up the pitch, and each point is a
position where a player headed it -- blue (label 1) if a French player won the
header, red (label 0) if an opponent did.  The two teams meet along a wavy line,
the region near it is contested, and a few headers land on the "wrong" side.
A network with enough capacity can draw islands around those few points: the
training accuracy goes up and the test accuracy goes down -- overfitting, which
the assignment then cures with L2 regularization and dropout.

The original course shipped the points as ``datasets/data.mat`` (keys ``X``
(211, 2), ``y`` (211, 1), ``Xval`` (200, 2), ``yval`` (200, 1)).  That file is
not part of this course.  :func:`make_football_data` generates points with the
same keys, shapes and layout from a fixed seed, in a few milliseconds;
:func:`load_2D_dataset` uses the original file instead when an instructor puts
it at ``datasets/data.mat`` (and scipy is installed to read it).

Arrays returned by :func:`load_2D_dataset` follow the course convention: one
example per *column*.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["make_football_data", "load_2D_dataset", "data_source", "DATA_FILE", "SEED"]

#: where an instructor may place the original file
DATA_FILE = Path(__file__).resolve().parent / "data.mat"
#: the seed of the generated data
SEED = 13

_N_TRAIN, _N_TEST = 211, 200
_FIELD_X, _FIELD_Y = (-0.6, 0.3), (-0.7, 0.6)


def make_football_data(seed: int = SEED) -> dict[str, np.ndarray]:
    """Generated points with the keys and shapes of the original ``data.mat``.

    Returns ``{"X": (211, 2), "y": (211, 1), "Xval": (200, 2), "yval": (200, 1)}``:
    float64 positions, uint8 labels, one example per *row* (as ``scipy.io.loadmat``
    gives them).

    Recipe (a private ``np.random.RandomState(seed)``; the global generator is left
    alone): 411 positions, first every x-coordinate uniform on [-0.6, 0.3], then
    every y-coordinate uniform on [-0.7, 0.6]; the teams meet along the line
    ``y = 0.15 sin(6x) + 0.6x + 0.05``; a point is blue when its height above the
    line plus Gaussian noise (standard deviation 0.056, one draw per point) is
    positive; finally each label flips with probability 0.023 (one uniform draw per
    point).  The first 211 points are the training set, the other 200 the test set.
    """
    rng = np.random.RandomState(seed)
    n = _N_TRAIN + _N_TEST
    positions = np.c_[rng.uniform(*_FIELD_X, n), rng.uniform(*_FIELD_Y, n)]
    x, y = positions[:, 0], positions[:, 1]
    height = y - (0.15 * np.sin(6.0 * x) + 0.6 * x + 0.05)
    labels = (height + 0.056 * rng.randn(n) > 0).astype(np.uint8)
    flipped = rng.rand(n) < 0.023
    labels[flipped] = 1 - labels[flipped]
    labels = labels.reshape(-1, 1)
    return {"X": positions[:_N_TRAIN], "y": labels[:_N_TRAIN],
            "Xval": positions[_N_TRAIN:], "yval": labels[_N_TRAIN:]}


def _scipy_loadmat():
    try:
        from scipy.io import loadmat
    except ImportError:
        return None
    return loadmat


def data_source(path: str | Path | None = None) -> str:
    """``"data.mat"`` if :func:`load_2D_dataset` reads the original file, else ``"generated"``."""
    path = Path(path) if path is not None else DATA_FILE
    return "data.mat" if path.is_file() and _scipy_loadmat() is not None else "generated"


def load_2D_dataset(path: str | Path | None = None, seed: int = SEED):
    """``(train_X, train_Y, test_X, test_Y)`` with ``X`` of shape (2, m) and ``Y`` of shape (1, m).

    Reads ``path`` (default: ``datasets/data.mat`` beside this module) with
    ``scipy.io.loadmat`` when that file exists and scipy can be imported; otherwise
    uses :func:`make_football_data` (``seed``).  Either way the arrays are the
    transposes of the file's ``X``, ``y``, ``Xval``, ``yval``: 211 training and 200
    test examples.  Nothing is downloaded.
    """
    path = Path(path) if path is not None else DATA_FILE
    if data_source(path) == "data.mat":
        data = _scipy_loadmat()(str(path))
    else:
        data = make_football_data(seed)
    return data["X"].T, data["y"].T, data["Xval"].T, data["yval"].T
