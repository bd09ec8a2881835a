"""Pictures for the "Happy House" of the Keras assignment (a10): 64x64 RGB, labelled 1 or 0.

:func:`load_happy_dataset` is the one entry point.  It returns the original
course's pictures of smiling (1) and not smiling (0) faces when it finds both
``train_happy.h5`` and ``test_happy.h5``, looking in

1. ``$DLCOURSE_DATA_DIR`` when that variable is set (and nowhere else), or else
2. the folder of this module (``dlcourse/datasets``), then
3. ``./datasets`` relative to the current working directory.

Without them it returns the *default* set, a binary task on real photographs
that ship inside the scikit-image wheel: the faces (1) and non-faces (0) of
``skimage.data.lfw_subset()``, enlarged to 64x64 and copied into three colour
channels by :mod:`dlcourse.datasets.cat` (this module reuses its pictures and
its seeded split, 75 + 75 training and 25 + 25 test pictures).  Each training
picture is also added mirrored left to right -- a mirrored face is still a
face -- which doubles the training set to 300; the test pictures are left as
they are.

=========  ===============================  ===============================
source     training set                     test set
=========  ===============================  ===============================
official   600 pictures (smiling or not)    150 pictures
default    300 pictures: 150 faces, 150     50 pictures: 25 faces, 25
           non-faces (half of them          non-faces
           mirrored copies)
=========  ===============================  ===============================

The default needs no network, is the same on every machine for a given seed
and leaves numpy's global random state alone.

>>> data = load_happy_dataset()
>>> print(data.description)            # which pictures these are
>>> X_train_orig, Y_train_orig, X_test_orig, Y_test_orig, classes = data
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from . import cat
from .files import SourcedData, find_pair, read_h5_pair

__all__ = ["load_happy_dataset", "HappyDataset", "find_happy_files", "read_happy_h5",
           "default_happy", "TRAIN_FILE", "TEST_FILE", "DEFAULT_SEED", "FACE_CLASSES"]

TRAIN_FILE = "train_happy.h5"
TEST_FILE = "test_happy.h5"
DEFAULT_SEED = cat.DEFAULT_SEED
FACE_CLASSES = cat.FACE_CLASSES


class HappyDataset(SourcedData):
    """``(X_train_orig, Y_train_orig, X_test_orig, Y_test_orig, classes)`` plus their origin.

    ``source`` is ``"official"`` (the Happy House files, read from ``location``) or
    ``"default"`` (scikit-image's faces and non-faces, split with ``seed``; ``location`` is
    the file they were read from).  Pictures are ``(m, 64, 64, 3) uint8``, labels ``(1, m)``
    -- the layout of the original ``load_happy_dataset()``.
    """

    @property
    def description(self) -> str:
        train_y, test_y = self[1], self[3]
        counts = (f"{train_y.shape[1]} training pictures ({int(train_y.sum())} labelled 1), "
                  f"{test_y.shape[1]} test pictures ({int(test_y.sum())} labelled 1), 64x64x3")
        if self.source == "official":
            return (f"the original Happy House files (smiling = 1, not smiling = 0) from "
                    f"{self.location}: {counts}")
        return (f"the default pictures, scikit-image's faces (1) and non-faces (0) from Labeled "
                f"Faces in the Wild, every training picture also mirrored (split seed "
                f"{self.seed}): {counts}. For the original Happy House pictures put "
                f"{TRAIN_FILE} and {TEST_FILE} in ./datasets or $DLCOURSE_DATA_DIR")


def find_happy_files(data_dir: str | Path | None = None) -> Path | None:
    """The first folder that holds both Happy House h5 files, or None."""
    return find_pair(TRAIN_FILE, TEST_FILE, data_dir)


def read_happy_h5(folder: str | Path) -> tuple:
    """Read the two Happy House files of ``folder`` as the original course did (labels (1, m))."""
    return read_h5_pair(folder, TRAIN_FILE, TEST_FILE)


def default_happy(seed: int = DEFAULT_SEED) -> tuple:
    """The default pictures: :func:`dlcourse.datasets.cat.default_dataset` (faces and non-faces,
    split with ``seed``), each training picture followed by its mirror image.

    Returns ``(X_train (300, 64, 64, 3) uint8, Y_train (1, 300) int64, X_test (50, 64, 64, 3)
    uint8, Y_test (1, 50) int64, classes [b'non-face', b'face'])``.
    """
    data = cat.default_dataset(seed)
    train_x, train_y = data["train"]["train_set_x"], data["train"]["train_set_y"]
    mirrored = train_x[:, :, ::-1, :]
    # each training picture is followed by its mirror image
    both_x = np.stack([train_x, mirrored], axis=1).reshape(-1, *train_x.shape[1:])
    both_y = np.repeat(train_y, 2)
    return (np.ascontiguousarray(both_x), both_y.reshape(1, -1),
            data["test"]["test_set_x"], data["test"]["test_set_y"].reshape(1, -1),
            data["train"]["list_classes"])


def load_happy_dataset(data_dir: str | Path | None = None,
                       seed: int = DEFAULT_SEED) -> HappyDataset:
    """The Happy House pictures if the original files are found, else the default faces and
    non-faces (``seed`` picks their split).  See :class:`HappyDataset` for the layout."""
    folder = find_happy_files(data_dir)
    if folder is not None:
        return HappyDataset(read_happy_h5(folder), "official", folder.resolve())
    return HappyDataset(default_happy(seed), "default", cat._lfw_file(), seed)
