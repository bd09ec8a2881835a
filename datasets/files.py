"""Files an instructor places for the course, found and read the same way by every loader.

The original course files (``train_catvnoncat.h5``, ``train_signs.h5``, an ``alpaca/`` folder,
official weights) are looked for in

1. ``$DLCOURSE_DATA_DIR`` when that variable is set (and nowhere else), or else
2. the folder of this package (``dlcourse/datasets``), then
3. ``./datasets`` relative to the current working directory.

:func:`read_h5_pair` reads a train / test pair of h5 files in the original layout (keys
``train_set_x``, ``train_set_y``, ``test_set_x``, ``test_set_y``, ``list_classes``), and
:class:`SourcedData` is the tuple every loader returns, which also says where its data came from.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

__all__ = ["data_dirs", "find_pair", "read_h5_pair", "SourcedData", "DATA_DIR_ENV"]

DATA_DIR_ENV = "DLCOURSE_DATA_DIR"


def data_dirs(data_dir: str | Path | None = None) -> list[Path]:
    """The folders searched, in order: ``data_dir`` alone when given, else ``$DLCOURSE_DATA_DIR``
    alone when set, else this package's folder and ``./datasets``."""
    if data_dir is not None:
        return [Path(data_dir)]
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return [Path(env)]
    return [Path(__file__).resolve().parent, Path.cwd() / "datasets"]


def find_pair(train_file: str, test_file: str, data_dir: str | Path | None = None) -> Path | None:
    """The first folder of :func:`data_dirs` that holds both files, or None."""
    for folder in data_dirs(data_dir):
        if (folder / train_file).is_file() and (folder / test_file).is_file():
            return folder
    return None


def read_h5_pair(folder: str | Path, train_file: str, test_file: str) -> tuple:
    """``(train_x, train_y (1, m), test_x, test_y (1, m), classes)`` from the two files of
    ``folder``, as the original course's ``load_dataset()`` read them."""
    import h5py

    folder = Path(folder)
    with h5py.File(folder / train_file, "r") as f:
        train_x, train_y = np.array(f["train_set_x"][:]), np.array(f["train_set_y"][:])
    with h5py.File(folder / test_file, "r") as f:
        test_x, test_y = np.array(f["test_set_x"][:]), np.array(f["test_set_y"][:])
        classes = np.array(f["list_classes"][:])
    return train_x, train_y.reshape(1, -1), test_x, test_y.reshape(1, -1), classes


class SourcedData(tuple):
    """A loader's arrays (it unpacks like the original tuple) plus ``source`` (``"official"``:
    the instructor's files, or ``"default"``: the course's own data), ``location`` (the folder or
    file they were read from) and ``seed`` (of the default data's split)."""

    source: str
    location: Path | None
    seed: int | None

    def __new__(cls, arrays, source: str, location: Path | None = None, seed: int | None = None):
        self = super().__new__(cls, arrays)
        self.source, self.location, self.seed = source, location, seed
        return self
