"""Pictures for the image-classification assignments: 64x64 RGB, labelled 1 or 0.

:func:`load_cat_dataset` is the one entry point.  It returns the original
course's cat / non-cat pictures when it finds both files
``train_catvnoncat.h5`` and ``test_catvnoncat.h5``, looking in

1. ``$DLCOURSE_DATA_DIR`` when that variable is set (and nowhere else), or else
2. the folder of this module (``dlcourse/datasets``), then
3. ``./datasets`` relative to the current working directory.

Without them it returns the *default* set, made of real photographs that ship
inside the scikit-image wheel: its face / non-face subset of "Labeled Faces in
the Wild" (``skimage.data.lfw_subset()``, 100 grey 25x25 face crops and 100
crops of the backgrounds around them).  Each picture is enlarged to 64x64,
copied into the three colour channels and stored as uint8, so the arrays have
the layout of the cat files; 1 means *face*, 0 *non-face*.  A seeded split puts
75 faces and 75 non-faces in the training set and 25 + 25 in the test set.

=========  =============================  ===============================
source     training set                   test set
=========  =============================  ===============================
official   209 pictures: 72 cats, 137     50 pictures: 33 cats, 17
           non-cats                       non-cats
default    150 pictures: 75 faces, 75     50 pictures: 25 faces, 25
           non-faces                      non-faces
=========  =============================  ===============================

The default needs no network, is the same on every machine for a given seed
and leaves numpy's global random state alone.

>>> data = load_cat_dataset()
>>> print(data.description)            # which pictures these are
>>> train_x_orig, train_y, test_x_orig, test_y, classes = data
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .files import SourcedData, find_pair, read_h5_pair

__all__ = ["load_cat_dataset", "CatDataset", "find_cat_files", "default_dataset",
           "read_cat_h5", "TRAIN_FILE", "TEST_FILE", "CAT_CLASSES", "FACE_CLASSES",
           "DEFAULT_SEED", "DEFAULT_TRAIN_PER_CLASS", "DEFAULT_TEST_PER_CLASS"]

TRAIN_FILE = "train_catvnoncat.h5"
TEST_FILE = "test_catvnoncat.h5"
CAT_CLASSES = np.array([b"non-cat", b"cat"])
FACE_CLASSES = np.array([b"non-face", b"face"])
DEFAULT_SEED = 1
IMAGE_SIZE = 64
#: pictures of each class in the default training and test sets (100 of each exist)
DEFAULT_TRAIN_PER_CLASS = 75
DEFAULT_TEST_PER_CLASS = 25
_LFW_FILE = "lfw_subset.npy"      # inside the skimage.data package folder


class CatDataset(SourcedData):
    """``(train_x_orig, train_y, test_x_orig, test_y, classes)`` plus where they came from.

    ``source`` is ``"official"`` (the original cat files, read from ``location``)
    or ``"default"`` (scikit-image's faces and non-faces, split with ``seed``;
    ``location`` is the file they were read from).  It unpacks like the plain
    5-tuple of the original ``load_dataset()``.
    """

    @property
    def description(self) -> str:
        train_y, test_y = self[1], self[3]
        counts = (f"{train_y.shape[1]} training pictures ({int(train_y.sum())} labelled 1), "
                  f"{test_y.shape[1]} test pictures ({int(test_y.sum())} labelled 1)")
        if self.source == "official":
            return f"the original course files (cats = 1, non-cats = 0) from {self.location}: {counts}"
        return (f"the default pictures, scikit-image's faces (1) and non-faces (0) from Labeled "
                f"Faces in the Wild (split seed {self.seed}): {counts}. For the original cat "
                f"pictures put {TRAIN_FILE} and {TEST_FILE} in ./datasets or $DLCOURSE_DATA_DIR")


# ----------------------------------------------------------------------------- files
def find_cat_files(data_dir: str | Path | None = None) -> Path | None:
    """The first folder that holds both original h5 files, or None."""
    return find_pair(TRAIN_FILE, TEST_FILE, data_dir)


def read_cat_h5(folder: str | Path) -> tuple:
    """Read the two h5 files of ``folder`` exactly as the original course did."""
    return read_h5_pair(folder, TRAIN_FILE, TEST_FILE)


# ---------------------------------------------------------------------- default pictures
def _lfw_file() -> Path:
    import skimage.data

    return Path(skimage.data.__file__).resolve().parent / _LFW_FILE


def _enlarge(picture: np.ndarray) -> np.ndarray:
    """One grey picture with values in [0, 1] -> (64, 64, 3) uint8, the grey in all channels."""
    from PIL import Image

    grey = np.round(np.clip(picture, 0.0, 1.0) * 255).astype(np.uint8)
    big = np.asarray(Image.fromarray(grey).resize((IMAGE_SIZE, IMAGE_SIZE),
                                                             Image.Resampling.BICUBIC))
    return np.repeat(big[:, :, None], 3, axis=2)


def default_dataset(seed: int = DEFAULT_SEED) -> dict[str, dict[str, np.ndarray]]:
    """The default pictures in the layout of the original h5 files.

    Reads the file behind ``skimage.data.lfw_subset()`` straight from the
    installed wheel (the first 100 pictures are faces, the last 100 are not),
    enlarges each to (64, 64, 3) uint8 and draws, with a private generator
    seeded by ``seed``, 75 + 75 training and 25 + 25 test pictures in a
    shuffled order.  Returns ``{"train": {"train_set_x", "train_set_y",
    "list_classes"}, "test": {"test_set_x", "test_set_y", "list_classes"}}``:
    pictures ``(m, 64, 64, 3) uint8``, labels ``(m,) int64`` and classes
    ``[b'non-face', b'face']``.
    """
    raw = np.load(_lfw_file())
    if raw.shape != (200, 25, 25):
        raise ValueError(f"{_lfw_file()}: expected 200 pictures of 25x25, found {raw.shape}")
    pictures = np.stack([_enlarge(p) for p in raw])
    labels = np.r_[np.ones(100, dtype=np.int64), np.zeros(100, dtype=np.int64)]
    rng = np.random.default_rng(seed)
    faces, others = rng.permutation(100), 100 + rng.permutation(100)
    n = DEFAULT_TRAIN_PER_CLASS
    train = rng.permutation(np.r_[faces[:n], others[:n]])
    test = rng.permutation(np.r_[faces[n:n + DEFAULT_TEST_PER_CLASS],
                                 others[n:n + DEFAULT_TEST_PER_CLASS]])
    return {"train": {"train_set_x": pictures[train], "train_set_y": labels[train],
                      "list_classes": FACE_CLASSES.copy()},
            "test": {"test_set_x": pictures[test], "test_set_y": labels[test],
                     "list_classes": FACE_CLASSES.copy()}}


# ------------------------------------------------------------------------------ loader
def load_cat_dataset(data_dir: str | Path | None = None, seed: int = DEFAULT_SEED) -> CatDataset:
    """The pictures of the image-classification assignments: the original cat files if
    found, else the default faces and non-faces (``seed`` picks their split).

    Returns a :class:`CatDataset` that unpacks as ``train_x_orig (m_train, 64, 64, 3)
    uint8, train_y (1, m_train) int64, test_x_orig (m_test, 64, 64, 3) uint8,
    test_y (1, m_test) int64, classes (2,)`` -- 209 / 50 cat pictures or 150 / 50
    face pictures; ``.source`` and ``.description`` say which.
    """
    folder = find_cat_files(data_dir)
    if folder is not None:
        return CatDataset(read_cat_h5(folder), "official", folder.resolve())
    data = default_dataset(seed)
    tr, te = data["train"], data["test"]
    arrays = (tr["train_set_x"], tr["train_set_y"].reshape(1, -1),
              te["test_set_x"], te["test_set_y"].reshape(1, -1), tr["list_classes"])
    return CatDataset(arrays, "default", _lfw_file(), seed)
