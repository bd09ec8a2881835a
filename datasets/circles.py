"""The two-circles data set of the initialization assignment (a05).

Generated on the fly with scikit-learn (no files, no network): points on two
concentric circles with a little Gaussian noise, the outer circle labelled 0
and the inner one 1.  A straight line cannot separate them; a small network
with a good initialization can.

Arrays follow the course convention: one example per *column*.
"""
from __future__ import annotations

import numpy as np

__all__ = ["load_circles_dataset"]


def _circles(n_samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_circles

    # A private RandomState(seed) yields exactly the draws that ``np.random.seed(seed)``
    # followed by ``make_circles(...)`` takes from numpy's global generator, and leaves
    # that global generator alone.
    X, y = make_circles(n_samples=n_samples, noise=0.05, random_state=np.random.RandomState(seed))
    return X.T, y.reshape(1, -1)


def load_circles_dataset(n_train: int = 300, n_test: int = 100, train_seed: int = 1,
                         test_seed: int = 2):
    """``(train_X, train_Y, test_X, test_Y)``: ``X`` of shape (2, m), labels ``Y`` of shape (1, m).

    With the defaults these are the original course's data: 300 training points
    (seed 1) and 100 test points (seed 2), half of each on either circle, noise
    0.05.  Labels are int64 0/1 (1 = inner circle).  Fingerprint:
    ``train_X[:, 0] == (-0.07741354, 0.85260226)``, ``train_Y[0, :5] == [1, 0, 1, 1, 0]``,
    ``test_X[:, 0] == (-0.52423739, -0.60910361)``.
    """
    train_X, train_Y = _circles(n_train, train_seed)
    test_X, test_Y = _circles(n_test, test_seed)
    return train_X, train_Y, test_X, test_Y
