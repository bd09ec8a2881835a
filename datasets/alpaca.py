"""Two folders of photographs for the transfer-learning notebook (a13), read as ``tf.data`` datasets.

:func:`load_alpaca_dataset` is the one entry point.  It reads an image folder with
``keras.utils.image_dataset_from_directory`` (one sub-folder per class, 160 x 160
pictures, a seeded 80 / 20 split into training and validation sets), and it
chooses the folder as follows:

1. the original course's ``alpaca/`` folder (sub-folders ``alpaca`` and
   ``not alpaca``: 327 photos) when an instructor put it in ``$DLCOURSE_DATA_DIR``
   (and only there, when that variable is set), else in the folder of this module
   (``dlcourse/datasets``) or in ``./datasets``;
2. otherwise the *default* folder, which this module writes once on first use
   (see :func:`default_folder`): 320 JPEG pictures of 160 x 160 cut from the
   photographs that ship inside scikit-image and scikit-learn.  Class ``cat``
   holds 150 crops of ``skimage.data.chelsea()`` (a tabby cat, filling its
   frame); class ``not cat`` holds 170 crops of eight other photos: the
   astronaut, a cup of coffee, a rocket on its pad, a tissue stain, the Hubble deep
   field, a retina (skimage), a Chinese pagoda and a dahlia (scikit-learn).  Each
   crop is a random square of 35-100 % of the photo's shorter side, resized to 160
   x 160, flipped at random and slightly brightened or darkened.  Several
   non-cat photos share the cat's orange-brown tones, so the colour alone does
   not tell the classes apart.

=========  ==============================  =======================================
source     classes                         pictures (training / validation)
=========  ==============================  =======================================
official   ``alpaca``, ``not alpaca``      327 (262 / 65)
default    ``cat``, ``not cat``            320 (256 / 64)
=========  ==============================  =======================================

The default folder goes to ``$DLCOURSE_CACHE_DIR``, else ``~/.cache/dlcourse``,
else the system's temporary folder (the first that can be written: under grading
only ``/tmp`` can), in a sub-folder named after its version and seed; a complete
folder is reused, never rewritten.  The pictures are the same on every machine
for a given seed, and numpy's global random state is left alone.

>>> data = load_alpaca_dataset()
>>> print(data.description)            # which pictures these are
>>> train_dataset, validation_dataset, class_names = data
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .files import data_dirs

__all__ = ["load_alpaca_dataset", "AlpacaData", "find_alpaca_folder", "default_folder",
           "data_dirs", "cache_dir", "ALPACA_FOLDER", "IMAGE_SIZE", "DEFAULT_CLASSES",
           "DEFAULT_SEED", "SPLIT_SEED", "VALIDATION_SPLIT", "BATCH_SIZE"]

ALPACA_FOLDER = "alpaca"
IMAGE_SIZE = (160, 160)
DEFAULT_CLASSES = ("cat", "not cat")
DEFAULT_SEED = 1
#: the split of the course: 20 % for validation, seed 42
SPLIT_SEED = 42
VALIDATION_SPLIT = 0.2
BATCH_SIZE = 32
#: pictures of each default class
DEFAULT_COUNTS = {"cat": 150, "not cat": 170}
_VERSION = 1
#: a crop is a square of this share of the photo's shorter side
_SCALE = (0.35, 1.0)
_READY = "READY"
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif")


class AlpacaData(tuple):
    """``(train_dataset, validation_dataset, class_names)`` plus where the pictures came from.

    ``source`` is ``"official"`` (the course's alpaca folder) or ``"default"`` (the folder
    written by :func:`default_folder`); ``location`` is the folder read; ``counts`` the number
    of pictures per class.
    """

    source: str
    location: Path
    counts: dict

    def __new__(cls, train, validation, class_names, source: str, location: Path, counts: dict):
        self = super().__new__(cls, (train, validation, list(class_names)))
        self.source, self.location, self.counts = source, location, dict(counts)
        return self

    @property
    def description(self) -> str:
        total = sum(self.counts.values())
        per_class = ", ".join(f"{n} {name!r}" for name, n in self.counts.items())
        if self.source == "official":
            return (f"the original course's alpaca photos from {self.location}: {total} pictures "
                    f"({per_class})")
        return (f"the default pictures: {total} crops of 160x160 ({per_class}) cut from the photos "
                f"that ship with scikit-image and scikit-learn (seed {DEFAULT_SEED}), written to "
                f"{self.location}. For the course's alpaca photos put the folder "
                f"{ALPACA_FOLDER}/ (two class sub-folders) in ./datasets or $DLCOURSE_DATA_DIR")


def _class_dirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _count(folder: Path) -> int:
    return sum(1 for p in folder.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES)


def find_alpaca_folder() -> Path | None:
    """The course's ``alpaca/`` folder (exactly two class sub-folders with pictures), or None."""
    for folder in data_dirs():
        candidate = folder / ALPACA_FOLDER
        if candidate.is_dir():
            classes = _class_dirs(candidate)
            if len(classes) == 2 and all(_count(c) for c in classes):
                return candidate
    return None


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder):
            pass
        return True
    except OSError:
        return False


def cache_dir() -> Path:
    """The first writable of ``$DLCOURSE_CACHE_DIR``, ``~/.cache/dlcourse`` and the system's
    temporary folder (``/tmp/dlcourse-<user id>``)."""
    candidates = []
    if os.environ.get("DLCOURSE_CACHE_DIR"):
        candidates.append(Path(os.environ["DLCOURSE_CACHE_DIR"]))
    with_home = Path(os.path.expanduser("~"))
    if str(with_home) not in ("~", "/"):
        candidates.append(with_home / ".cache" / "dlcourse")
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    candidates.append(Path(tempfile.gettempdir()) / f"dlcourse-{uid}")
    for folder in candidates:
        if _writable(folder):
            return folder
    raise OSError(f"no writable folder for the default pictures among {[str(c) for c in candidates]}")


def _photos() -> dict[str, list[np.ndarray]]:
    """The source photographs of each default class (uint8 RGB arrays)."""
    from skimage import data as skdata
    from sklearn.datasets import load_sample_images

    china, flower = load_sample_images().images
    return {"cat": [skdata.chelsea()],
            "not cat": [skdata.astronaut(), skdata.coffee(), skdata.rocket(),
                        skdata.immunohistochemistry(), skdata.hubble_deep_field(),
                        skdata.retina(), china, flower]}


def _crop(photo: np.ndarray, rng: np.random.Generator, size: tuple[int, int]):
    """One random square crop of 35-100 % of the shorter side, resized, maybe flipped and
    brightened or darkened by up to 15 %."""
    from PIL import Image

    h, w = photo.shape[:2]
    side = int(round(min(h, w) * rng.uniform(*_SCALE)))
    top, left = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
    window = photo[top:top + side, left:left + side]
    picture = Image.fromarray(np.ascontiguousarray(window)).resize(size[::-1], Image.BILINEAR)
    pixels = np.asarray(picture, dtype=np.float64)
    if rng.random() < 0.5:
        pixels = pixels[:, ::-1]
    pixels = np.clip(pixels * rng.uniform(0.85, 1.15), 0, 255)
    return Image.fromarray(pixels.round().astype(np.uint8))


def default_folder(seed: int = DEFAULT_SEED, root: str | Path | None = None) -> Path:
    """The default picture folder, written on first use (about a second), then reused.

    ``root`` defaults to :func:`cache_dir`.  The folder is built beside its final place and
    renamed into it when complete, so an interrupted or concurrent run never leaves half a
    folder behind.
    """
    root = Path(root) if root is not None else cache_dir()
    target = root / f"alpaca-default-v{_VERSION}-seed{seed}"
    if (target / _READY).is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".alpaca-", dir=root))
    try:
        rng = np.random.default_rng([seed, _VERSION])
        photos = _photos()
        for name, count in DEFAULT_COUNTS.items():
            (work / name).mkdir()
            sources = photos[name]
            for k in range(count):
                picture = _crop(sources[k % len(sources)], rng, IMAGE_SIZE)
                picture.save(work / name / f"{name.replace(' ', '_')}_{k:03d}.jpg", quality=90)
        (work / _READY).write_text(f"{sum(DEFAULT_COUNTS.values())} pictures\n")
        try:
            os.rename(work, target)
        except OSError:  # someone else finished first (or a stale incomplete folder is there)
            if not (target / _READY).is_file():
                shutil.rmtree(target, ignore_errors=True)
                os.rename(work, target)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return target


def load_alpaca_dataset(image_size=IMAGE_SIZE, batch_size: int = BATCH_SIZE,
                        seed: int = SPLIT_SEED, folder: str | Path | None = None) -> AlpacaData:
    """The training and validation datasets, as the course read them.

    ``keras.utils.image_dataset_from_directory(folder, shuffle=True, batch_size=batch_size,
    image_size=image_size, validation_split=0.2, subset=..., seed=seed)`` on the course's alpaca
    folder when one is found, else on the default folder (``folder`` forces a folder).  Batches
    are ``(images float32 (batch, 160, 160, 3) in 0-255, labels int32 (batch,))``; label ``k``
    is ``class_names[k]`` (the sub-folders in alphabetical order).  Keras prints how many files
    it found and uses.
    """
    from dlcourse.utils.tf_runtime import keras

    if folder is not None:
        location, source = Path(folder), "official"
    else:
        found = find_alpaca_folder()
        location, source = (found, "official") if found is not None else (default_folder(), "default")
    datasets = [keras.utils.image_dataset_from_directory(
        str(location), shuffle=True, batch_size=batch_size, image_size=tuple(image_size),
        validation_split=VALIDATION_SPLIT, subset=subset, seed=seed)
        for subset in ("training", "validation")]
    class_names = datasets[0].class_names
    counts = {c.name: _count(c) for c in _class_dirs(location)}
    return AlpacaData(datasets[0], datasets[1], class_names, source, location.resolve(), counts)
