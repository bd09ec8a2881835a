"""The "moons" data of the optimization assignment (a08): two interleaving half circles.

:func:`load_dataset` generates them on the fly (no files, no network, well under a millisecond) in
the course layout: ``X`` of shape (2, 300), one example per column, and labels ``Y`` of shape
(1, 300).
"""
from __future__ import annotations

import numpy as np

__all__ = ["load_dataset", "make_moons"]


def make_moons(n_samples: int = 100, noise: float | None = None, rng=None):
    """Points on two interleaving half circles, as ``sklearn.datasets.make_moons`` draws them.

    The same arithmetic and the same random draws as scikit-learn's generator with
    ``shuffle=True`` (first a shuffle of the point order with ``rng.shuffle``, then the Gaussian
    noise with ``rng.normal``), written out so that the notebook does not pay for importing
    scikit-learn (a couple of seconds).  ``rng`` is a ``numpy.random.RandomState``.
    Returns ``(X, y)`` in scikit-learn's layout: X (n_samples, 2), y (n_samples,).
    """
    rng = np.random.RandomState() if rng is None else rng
    n_out = n_samples // 2
    n_in = n_samples - n_out
    angles_out = np.linspace(0, np.pi, n_out)
    angles_in = np.linspace(0, np.pi, n_in)
    X = np.vstack([np.append(np.cos(angles_out), 1 - np.cos(angles_in)),
                   np.append(np.sin(angles_out), 1 - np.sin(angles_in) - 0.5)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    order = np.arange(n_samples)
    rng.shuffle(order)
    X, y = X[order], y[order]
    if noise is not None:
        X += rng.normal(scale=noise, size=X.shape)
    return X, y


def load_dataset(seed: int = 3, n_samples: int = 300, noise: float = 0.2):
    """``train_X`` (2, n_samples) float64 and ``train_Y`` (1, n_samples) int64 with 0/1 labels.

    The moons of the original course: ``make_moons(n_samples=300, noise=0.2)`` drawn right after
    ``np.random.seed(3)``.  Here the draws come from a private ``np.random.RandomState(seed)``,
    which gives the same numbers without touching the global generator.  Half of the points have
    each label.  With the defaults, ``X[:, 0] == (-0.21687013, 1.01544937)`` and
    ``Y[0, :5] == (0, 1, 1, 1, 0)``.
    """
    X, y = make_moons(n_samples=n_samples, noise=noise, rng=np.random.RandomState(seed))
    return X.T.astype(np.float64), y.reshape(1, -1).astype(np.int64)
