"""Hand signs for the digits 0-5, 64x64 RGB: the SIGNS data of the TensorFlow track (a10-a12).

:func:`load_signs_dataset` is the one entry point.  It returns the original
course's SIGNS pictures when it finds both ``train_signs.h5`` and
``test_signs.h5``, looking in

1. ``$DLCOURSE_DATA_DIR`` when that variable is set (and nowhere else), or else
2. the folder of this module (``dlcourse/datasets``), then
3. ``./datasets`` relative to the current working directory.

Without them it returns the *default* set, made from the handwritten digits
0-5 that ship inside scikit-learn (``sklearn.datasets.load_digits``: 1,083
pictures of 8x8 with grey levels 0-16).  Each is enlarged eight times (nearest
neighbour) to 64x64, scaled to 0-255 and copied into three channels, so the
arrays have the layout of the SIGNS files.  A seeded, stratified split keeps a
fifth of each digit for the test set.

=========  ==============================  ==============================
source     training set                    test set
=========  ==============================  ==============================
official   1,080 photos of hands           120 photos of hands
default    867 enlarged digits             216 enlarged digits
=========  ==============================  ==============================

The default needs no network, is the same on every machine for a given seed
and leaves numpy's global random state alone.

>>> data = load_signs_dataset()
>>> print(data.description)            # which pictures these are
>>> X_train_orig, Y_train_orig, X_test_orig, Y_test_orig, classes = data
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .files import SourcedData, find_pair, read_h5_pair

__all__ = ["load_signs_dataset", "SignsDataset", "find_signs_files", "default_signs",
           "read_signs_h5", "convert_to_one_hot", "TRAIN_FILE", "TEST_FILE", "DEFAULT_SEED",
           "N_CLASSES", "IMAGE_SIZE"]

TRAIN_FILE = "train_signs.h5"
TEST_FILE = "test_signs.h5"
DEFAULT_SEED = 1
N_CLASSES = 6
IMAGE_SIZE = 64
#: share of each digit kept for the default test set
DEFAULT_TEST_FRACTION = 0.2


class SignsDataset(SourcedData):
    """``(X_train_orig, Y_train_orig, X_test_orig, Y_test_orig, classes)`` plus their origin.

    ``source`` is ``"official"`` (the SIGNS files, read from ``location``) or
    ``"default"`` (scikit-learn's digits 0-5, split with ``seed``).  Pictures are
    ``(m, 64, 64, 3) uint8``, labels ``(1, m) int64`` with values 0-5, classes
    ``[0 1 2 3 4 5]`` -- the layout of the original ``load_dataset()``.
    """

    @property
    def description(self) -> str:
        counts = f"{self[1].shape[1]} training and {self[3].shape[1]} test pictures of 64x64x3"
        if self.source == "official":
            return f"the original SIGNS files (hands showing 0-5 fingers) from {self.location}: {counts}"
        return (f"the default pictures, scikit-learn's handwritten digits 0-5 enlarged to 64x64 "
                f"(split seed {self.seed}): {counts}. For the original hand signs put "
                f"{TRAIN_FILE} and {TEST_FILE} in ./datasets or $DLCOURSE_DATA_DIR")


def find_signs_files(data_dir: str | Path | None = None) -> Path | None:
    """The first folder that holds both SIGNS h5 files, or None."""
    return find_pair(TRAIN_FILE, TEST_FILE, data_dir)


def read_signs_h5(folder: str | Path) -> tuple:
    """Read the two SIGNS files of ``folder`` as the original course did (labels as (1, m) int64)."""
    train_x, train_y, test_x, test_y, classes = read_h5_pair(folder, TRAIN_FILE, TEST_FILE)
    return train_x, train_y.astype(np.int64), test_x, test_y.astype(np.int64), classes


def default_signs(seed: int = DEFAULT_SEED) -> tuple:
    """scikit-learn's digits 0-5 as SIGNS-like arrays, split with a private generator.

    Returns ``(X_train (867, 64, 64, 3) uint8, Y_train (1, 867) int64, X_test (216, 64, 64, 3)
    uint8, Y_test (1, 216) int64, classes [0..5])``.
    """
    from sklearn.datasets import load_digits

    digits = load_digits(n_class=N_CLASSES)
    scale = IMAGE_SIZE // 8
    grey = np.round(digits.images * (255.0 / 16.0)).astype(np.uint8)
    big = grey.repeat(scale, axis=1).repeat(scale, axis=2)
    pictures = np.repeat(big[..., None], 3, axis=3)
    labels = digits.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in range(N_CLASSES):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_test = int(round(DEFAULT_TEST_FRACTION * len(idx)))
        test.extend(idx[:n_test])
        train.extend(idx[n_test:])
    train, test = rng.permutation(train), rng.permutation(test)
    return (pictures[train], labels[train].reshape(1, -1), pictures[test],
            labels[test].reshape(1, -1), np.arange(N_CLASSES, dtype=np.int64))


def load_signs_dataset(data_dir: str | Path | None = None, seed: int = DEFAULT_SEED) -> SignsDataset:
    """The SIGNS pictures if the original files are found, else the default digits (``seed``
    picks their split).  See :class:`SignsDataset` for the layout."""
    folder = find_signs_files(data_dir)
    if folder is not None:
        return SignsDataset(read_signs_h5(folder), "official", folder.resolve())
    return SignsDataset(default_signs(seed), "default", None, seed)


def convert_to_one_hot(Y: np.ndarray, C: int) -> np.ndarray:
    """Labels ``(1, m)`` (or ``(m,)``) -> one-hot ``(C, m)`` floats: column j is ``e_{Y[j]}``."""
    return np.eye(C)[np.asarray(Y).reshape(-1)].T
