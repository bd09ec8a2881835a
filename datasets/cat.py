"""Cat / non-cat pictures: 64x64 RGB images labelled 1 (cat) or 0 (non-cat).

:func:`load_cat_dataset` prefers the original course files
``train_catvnoncat.h5`` and ``test_catvnoncat.h5`` when it can find both of
them, looking in

1. ``$DLCOURSE_DATA_DIR`` when that variable is set (and nowhere else), or else
2. the folder of this module (``dlcourse/datasets``), then
3. ``./datasets`` relative to the current working directory.

Without them it builds a *generated default*: random crops of photographs
that ship with scikit-image (Chelsea the cat for the cats; an astronaut, a
rocket, coffee, coins, a motorbike, ... for the non-cats), flipped, slightly
re-coloured and resized to 64x64, with the same shapes, dtypes and label
counts as the original files (train: 72 cats / 137 non-cats, test: 33 / 17).
The default is fully determined by its seed and never touches the network.

>>> data = load_cat_dataset()
>>> print(data.description)            # where the pictures came from
>>> train_x_orig, train_y, test_x_orig, test_y, classes = data
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

__all__ = ["load_cat_dataset", "CatDataset", "find_cat_files", "generate_cat_dataset",
           "read_cat_h5", "TRAIN_FILE", "TEST_FILE", "CLASSES", "DEFAULT_SEED"]

TRAIN_FILE = "train_catvnoncat.h5"
TEST_FILE = "test_catvnoncat.h5"
CLASSES = np.array([b"non-cat", b"cat"])
DEFAULT_SEED = 1
IMAGE_SIZE = 64
# (number of non-cats, number of cats), as in the original files
TRAIN_COUNTS = (137, 72)
TEST_COUNTS = (17, 33)

# scikit-image's bundled photographs (read straight from its package folder).
_CAT_PHOTOS = ["chelsea.png"]
# Non-cats seen in training; the test set adds a few photographs never seen in training.
_TRAIN_NONCAT_PHOTOS = ["astronaut.png", "coffee.png", "rocket.jpg", "motorcycle_left.png",
                        "hubble_deep_field.jpg", "ihc.png", "camera.png", "coins.png",
                        "grass.png", "brick.png", "page.png", "moon.png", "horse.png",
                        "color.png", "clock_motion.png", "cell.png"]
_TEST_NONCAT_PHOTOS = ["astronaut.png", "coffee.png", "rocket.jpg", "retina.jpg",
                       "gravel.png", "logo.png", "text.png", "microaneurysms.png"]
# Chelsea fills the left ~390 columns of her 300x451 photo; cat crops stay there.
_CAT_BOX = (0, 0, 390, 300)  # (left, top, right, bottom)


class CatDataset(tuple):
    """``(train_x_orig, train_y, test_x_orig, test_y, classes)`` plus where they came from.

    ``source`` is ``"official"`` (the original course files, read from
    ``location``) or ``"generated"`` (the seeded default, ``location`` is None).
    It unpacks like the plain 5-tuple of the original ``load_dataset()``.
    """

    source: str
    location: Path | None
    seed: int | None

    def __new__(cls, arrays, source: str, location: Path | None = None, seed: int | None = None):
        self = super().__new__(cls, arrays)
        self.source, self.location, self.seed = source, location, seed
        return self

    @property
    def description(self) -> str:
        if self.source == "official":
            return f"using the original course files from {self.location}"
        return (f"using the generated default dataset (scikit-image photographs, seed {self.seed}); "
                f"put {TRAIN_FILE} and {TEST_FILE} in ./datasets or $DLCOURSE_DATA_DIR "
                "to use the original pictures")


# ----------------------------------------------------------------------------- files
def _search_dirs(data_dir: str | Path | None = None) -> list[Path]:
    if data_dir is not None:
        return [Path(data_dir)]
    env = os.environ.get("DLCOURSE_DATA_DIR")
    if env:
        return [Path(env)]
    return [Path(__file__).resolve().parent, Path.cwd() / "datasets"]


def find_cat_files(data_dir: str | Path | None = None) -> Path | None:
    """The first folder that holds both original h5 files, or None."""
    for folder in _search_dirs(data_dir):
        if (folder / TRAIN_FILE).is_file() and (folder / TEST_FILE).is_file():
            return folder
    return None


def read_cat_h5(folder: str | Path) -> tuple:
    """Read the two h5 files of ``folder`` exactly as the original course did."""
    import h5py

    folder = Path(folder)
    with h5py.File(folder / TRAIN_FILE, "r") as f:
        train_x = np.array(f["train_set_x"][:])
        train_y = np.array(f["train_set_y"][:])
    with h5py.File(folder / TEST_FILE, "r") as f:
        test_x = np.array(f["test_set_x"][:])
        test_y = np.array(f["test_set_y"][:])
        classes = np.array(f["list_classes"][:])
    return train_x, train_y.reshape(1, -1), test_x, test_y.reshape(1, -1), classes


# ------------------------------------------------------------------- generated default
def _photo(name: str):
    """A bundled scikit-image photograph as an RGB PIL image, longest side <= 320 px."""
    import skimage.data
    from PIL import Image

    img = Image.open(Path(skimage.data.__file__).parent / name)
    img = img.convert("RGB")              # grey, palette and RGBA photos -> RGB
    if name == "chelsea.png":
        img = img.crop(_CAT_BOX)
    img.thumbnail((320, 320), Image.Resampling.LANCZOS)
    return img


def _crop(img, rng: np.random.Generator, min_frac: float) -> np.ndarray:
    """A random square crop, maybe mirrored, slightly re-coloured, resized to 64x64 uint8."""
    from PIL import Image

    w, h = img.size
    side = int(min(h, w) * rng.uniform(min_frac, 1.0))
    top = int(rng.integers(0, h - side + 1))
    left = int(rng.integers(0, w - side + 1))
    patch = img.crop((left, top, left + side, top + side))
    patch = patch.resize((IMAGE_SIZE, IMAGE_SIZE), Image.Resampling.LANCZOS)
    patch = np.asarray(patch, dtype=np.float64) / 255.0
    if rng.random() < 0.5:
        patch = patch[:, ::-1]
    gain = rng.normal(1.0, 0.06, size=3)          # colour jitter per channel
    shift = rng.normal(0.0, 0.04)                 # brightness
    patch = np.clip(patch * gain + shift, 0.0, 1.0)
    return np.round(patch * 255).astype(np.uint8)


def _split(rng, photos, counts, noncat_names) -> tuple[np.ndarray, np.ndarray]:
    n_noncat, n_cat = counts
    images, labels = [], []
    for k in range(n_cat):
        images.append(_crop(photos[_CAT_PHOTOS[k % len(_CAT_PHOTOS)]], rng, 0.55))
        labels.append(1)
    for k in range(n_noncat):
        name = noncat_names[int(rng.integers(len(noncat_names)))]
        images.append(_crop(photos[name], rng, 0.3))
        labels.append(0)
    order = rng.permutation(len(labels))
    return np.stack(images)[order], np.array(labels, dtype=np.int64)[order]


def generate_cat_dataset(seed: int = DEFAULT_SEED) -> dict[str, dict[str, np.ndarray]]:
    """The seeded default in the layout of the original files.

    Returns ``{"train": {"train_set_x", "train_set_y", "list_classes"},
    "test": {"test_set_x", "test_set_y", "list_classes"}}`` with images
    ``(m, 64, 64, 3) uint8``, labels ``(m,) int64`` and classes ``[b'non-cat', b'cat']``.
    """
    names = sorted(set(_CAT_PHOTOS + _TRAIN_NONCAT_PHOTOS + _TEST_NONCAT_PHOTOS))
    photos = {name: _photo(name) for name in names}
    rng = np.random.default_rng(seed)
    train_x, train_y = _split(rng, photos, TRAIN_COUNTS, _TRAIN_NONCAT_PHOTOS)
    test_x, test_y = _split(rng, photos, TEST_COUNTS, _TEST_NONCAT_PHOTOS)
    return {"train": {"train_set_x": train_x, "train_set_y": train_y, "list_classes": CLASSES.copy()},
            "test": {"test_set_x": test_x, "test_set_y": test_y, "list_classes": CLASSES.copy()}}


# ------------------------------------------------------------------------------ loader
def load_cat_dataset(data_dir: str | Path | None = None, seed: int = DEFAULT_SEED) -> CatDataset:
    """Load the cat / non-cat data: the original files if found, else the generated default.

    Returns a :class:`CatDataset` that unpacks as
    ``train_x_orig (209, 64, 64, 3) uint8, train_y (1, 209) int64,
    test_x_orig (50, 64, 64, 3) uint8, test_y (1, 50) int64, classes (2,) |S7``;
    ``.source`` / ``.description`` say which data it is.
    """
    folder = find_cat_files(data_dir)
    if folder is not None:
        return CatDataset(read_cat_h5(folder), "official", folder.resolve())
    data = generate_cat_dataset(seed)
    tr, te = data["train"], data["test"]
    arrays = (tr["train_set_x"], tr["train_set_y"].reshape(1, -1),
              te["test_set_x"], te["test_set_y"].reshape(1, -1), tr["list_classes"])
    return CatDataset(arrays, "generated", None, seed)
