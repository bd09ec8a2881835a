"""Two-dimensional toy data sets for the planar-classification assignment (a02).

Everything is generated on the fly: no files, no network, well under a second.

* :func:`load_planar_dataset` -- the "flower": 400 points on eight petals, two
  classes that no straight line can separate.
* :func:`load_extra_datasets` -- four scikit-learn generators (circles, moons,
  blobs, Gaussian quantiles) plus pure noise, for the optional section.
* :func:`load_extra_dataset` -- one of those, already in the course layout
  ``X (2, m)``, ``Y (1, m)`` with 0/1 labels.

Arrays follow the course convention: one example per *column*.
"""
from __future__ import annotations

import numpy as np

__all__ = ["load_planar_dataset", "load_extra_datasets", "load_extra_dataset", "EXTRA_DATASETS"]

#: names accepted by :func:`load_extra_dataset`, in the order :func:`load_extra_datasets` returns them
EXTRA_DATASETS = ("noisy_circles", "noisy_moons", "blobs", "gaussian_quantiles", "no_structure")


def load_planar_dataset(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The flower: ``X`` of shape (2, 400) (float64) and labels ``Y`` of shape (1, 400) (uint8).

    Each class is a set of petals of the curve ``r = 4 sin(4 t)`` in polar
    coordinates: class 0 follows the angles t in [0, 3.12], class 1 the angles
    in [3.12, 6.24], 200 points each.  Both the angle and the radius get
    Gaussian noise (standard deviation 0.2).

    The draws come from a private ``np.random.RandomState(seed)`` (the global
    numpy generator is left alone); for each class the angle noise is drawn
    before the radius noise.  With the default seed the data are exactly the
    original course's flower: ``X[:, 0] == (1.20444229, 3.57611415)``.
    """
    rng = np.random.RandomState(seed)
    m, per_class, radius = 400, 200, 4
    X = np.zeros((m, 2))
    Y = np.zeros((m, 1), dtype="uint8")
    for label in (0, 1):
        rows = slice(per_class * label, per_class * (label + 1))
        t = np.linspace(label * 3.12, (label + 1) * 3.12, per_class) + rng.randn(per_class) * 0.2
        r = radius * np.sin(4 * t) + rng.randn(per_class) * 0.2
        X[rows] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[rows] = label
    return X.T, Y.T


def load_extra_datasets(seed: int = 0, n_samples: int = 200):
    """Five small 2-D data sets, each as ``(X, y)`` with ``X`` (n, 2) and ``y`` (n,) (scikit-learn layout).

    Returns the tuple ``(noisy_circles, noisy_moons, blobs, gaussian_quantiles,
    no_structure)``:

    * ``noisy_circles``: ``make_circles(factor=0.5, noise=0.3)``;
    * ``noisy_moons``: ``make_moons(noise=0.2)``;
    * ``blobs``: ``make_blobs(centers=6, random_state=5)`` -- six labels 0..5
      (:func:`load_extra_dataset` folds them to 0/1 with ``% 2``);
    * ``gaussian_quantiles``: ``make_gaussian_quantiles(cov=0.5, n_classes=2)``;
    * ``no_structure``: uniform points with uniform (non-binary) "labels" -- nothing to learn.

    Reproducibility: the original course left these generators unseeded, so
    every run drew different points.  Here each generator gets its own fixed
    ``random_state``, ``seed + k`` for the k-th data set (the blobs keep the
    original ``random_state=5``), so the same ``seed`` always gives the same
    data and plots, and no global random state is touched.
    """
    from sklearn.datasets import make_blobs, make_circles, make_gaussian_quantiles, make_moons

    n = n_samples
    noisy_circles = make_circles(n_samples=n, factor=0.5, noise=0.3, random_state=seed)
    noisy_moons = make_moons(n_samples=n, noise=0.2, random_state=seed + 1)
    blobs = make_blobs(n_samples=n, random_state=5, n_features=2, centers=6)
    gaussian_quantiles = make_gaussian_quantiles(mean=None, cov=0.5, n_samples=n, n_features=2,
                                                 n_classes=2, shuffle=True, random_state=seed + 3)
    rng = np.random.RandomState(seed + 4)
    no_structure = (rng.rand(n, 2), rng.rand(n, 2))
    return noisy_circles, noisy_moons, blobs, gaussian_quantiles, no_structure


def load_extra_dataset(name: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """One extra data set in the course layout: ``X`` (2, 200) float64 and ``Y`` (1, 200) int64 in {0, 1}.

    ``name`` is one of ``"noisy_circles"``, ``"noisy_moons"``, ``"blobs"``
    (six blobs, labels taken modulo 2) and ``"gaussian_quantiles"``;
    ``"flower"`` returns :func:`load_planar_dataset` instead.  ``"no_structure"``
    is refused: its labels are not classes.
    """
    if name == "flower":
        return load_planar_dataset()
    if name not in EXTRA_DATASETS or name == "no_structure":
        raise ValueError(f"unknown data set {name!r}; choose one of "
                         f"{['flower'] + [n for n in EXTRA_DATASETS if n != 'no_structure']}")
    X, y = dict(zip(EXTRA_DATASETS, load_extra_datasets(seed)))[name]
    y = np.asarray(y).astype(np.int64)
    if name == "blobs":
        y = y % 2
    return X.T.astype(np.float64), y.reshape(1, -1)
