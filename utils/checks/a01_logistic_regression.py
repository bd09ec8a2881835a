"""Public checks of a01_logistic_regression (logistic regression as a single neuron).

Each ``check_<name>(fn)`` calls the student's function on the visible case(s)
of the notebook, prints the returned values next to the expected ones and
raises ``AssertionError`` naming the first problem.  The ``FunctionCheck``
objects say how results are compared; the hidden checks reuse them.
"""
from __future__ import annotations

import numpy as np

from dlcourse.autograder.checks import Case, FunctionCheck, public_check

__all__ = ["check_sigmoid", "check_initialize_with_zeros", "check_propagate", "check_optimize",
           "check_predict", "check_model", "SIGMOID", "INITIALIZE_WITH_ZEROS", "PROPAGATE",
           "OPTIMIZE", "PREDICT", "MODEL", "MODEL_KEYS"]

# Expected values are printed with 8 significant decimals: rtol/atol accept that rounding.
_TOL = dict(rtol=1e-7, atol=1e-8)


def _as_float_array(values):
    """A list of costs (floats, numpy scalars, 0-d arrays) as one float array, when possible."""
    if isinstance(values, (list, tuple, np.ndarray)):
        try:
            return np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            return values
    return values


def _optimize_view(result):
    """(params, grads, costs) with the costs as an array (printed compactly, compared by shape)."""
    if isinstance(result, tuple) and len(result) == 3:
        return (result[0], result[1], _as_float_array(result[2]))
    return result


MODEL_KEYS = ("costs", "Y_prediction_test", "Y_prediction_train", "w", "b",
              "learning_rate", "num_iterations")


def _model_view(result):
    """The dict that ``model`` returns, reduced to the required keys.

    Predictions become float arrays (0./1. floats, ints and bools are all fine) and
    the cost list an array; other keys a student adds are ignored.
    """
    if not isinstance(result, dict):
        return result
    view = {}
    for key in MODEL_KEYS:
        if key not in result:
            continue
        value = result[key]
        if key == "costs":
            value = _as_float_array(value)
        elif key.startswith("Y_prediction") and isinstance(value, np.ndarray) \
                and value.dtype.kind in "biuf":
            value = value.astype(np.float64)
        view[key] = value
    return view


SIGMOID = FunctionCheck("sigmoid", **_TOL)
INITIALIZE_WITH_ZEROS = FunctionCheck("initialize_with_zeros", rtol=0, atol=0)
PROPAGATE = FunctionCheck("propagate", **_TOL)
OPTIMIZE = FunctionCheck("optimize", transform=_optimize_view, **_TOL)
PREDICT = FunctionCheck("predict", labels=True, rtol=0, atol=0)
MODEL = FunctionCheck("model", transform=_model_view, **_TOL)


# The small example used by propagate and optimize (curriculum values).
def _propagate_inputs():
    w = np.array([[1.0], [2.0]])
    b = 2.0
    X = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]])
    Y = np.array([[1, 0, 1]])
    return w, b, X, Y


def check_sigmoid(fn) -> None:
    public_check(fn, SIGMOID, [
        Case((np.array([0, 2]),), expected=np.array([0.5, 0.88079708]),
             label="z = np.array([0, 2])",
             known_mistakes=[(np.array([0.5, 0.11920292]),
                              "this is sigmoid(-z): the exponent should be exp(-z)")]),
    ])


def check_initialize_with_zeros(fn) -> None:
    public_check(fn, INITIALIZE_WITH_ZEROS, [
        Case((2,), expected=(np.array([[0.0], [0.0]]), 0), label="dim = 2"),
    ])


def check_propagate(fn) -> None:
    public_check(fn, PROPAGATE, [
        Case(_propagate_inputs(),
             expected=({"dw": np.array([[0.99845601], [2.39507239]]), "db": 0.00145557813678},
                       5.801545319394553),
             label="w (2, 1), b = 2.0, X (2, 3), Y (1, 3)",
             known_mistakes=[
                 (({"dw": np.array([[2.99536804], [7.18521717]]), "db": 0.004366734410352735},
                   17.40463595818366), "the 1/m average is missing"),
                 (({"dw": np.array([[0.99845601], [2.39507239]]), "db": 0.00145557813678},
                   -5.801545319394553), "the cost is missing its minus sign"),
             ]),
    ])


def check_optimize(fn) -> None:
    w, b, X, Y = _propagate_inputs()
    public_check(fn, OPTIMIZE, [
        Case((w, b, X, Y), dict(num_iterations=100, learning_rate=0.009, print_cost=False),
             expected=({"w": np.array([[0.19033591], [0.12259159]]), "b": 1.92535983008},
                       {"dw": np.array([[0.67752042], [1.41625495]]), "db": 0.219194504541},
                       [5.801545319394553]),
             label="the propagate example, 100 iterations, learning_rate = 0.009"),
    ])


def check_predict(fn) -> None:
    public_check(fn, PREDICT, [
        Case((np.array([[0.1124579], [0.23106775]]), -0.3,
              np.array([[1.0, -1.1, -3.2], [1.2, 2.0, 0.1]])),
             expected=np.array([[1.0, 1.0, 0.0]]), label="w (2, 1), b = -0.3, X (2, 3)",
             known_mistakes=[(np.array([[0.0, 0.0, 1.0]]), "the labels are inverted: "
                                                            "1 means A > 0.5")]),
    ])


# A tiny, fixed data set for model: 3 features, 8 training and 4 test examples.
MODEL_X_TRAIN = np.array([[1.0, 2.0, -1.0, 0.5, -2.0, 1.5, -0.5, 3.0],
                          [0.5, -1.0, 2.0, 1.0, -0.5, -2.0, 1.5, 0.0],
                          [-1.5, 0.5, 1.0, -1.0, 2.0, 0.0, -2.0, 1.0]])
MODEL_Y_TRAIN = np.array([[1, 1, 0, 1, 0, 1, 0, 0]])
MODEL_X_TEST = np.array([[2.0, -1.5, 0.0, 1.0],
                         [0.0, 1.0, -1.0, 2.0],
                         [1.0, -0.5, 0.5, -2.0]])
MODEL_Y_TEST = np.array([[0, 0, 1, 1]])


def check_model(fn) -> None:
    public_check(fn, MODEL, [
        Case((MODEL_X_TRAIN, MODEL_Y_TRAIN, MODEL_X_TEST, MODEL_Y_TEST),
             dict(num_iterations=201, learning_rate=0.1),
             expected={"costs": [0.6931471805599453, 0.35202396484724385, 0.3109063277740131],
                       "Y_prediction_test": np.array([[0.0, 0.0, 1.0, 0.0]]),
                       "Y_prediction_train": np.array([[1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]]),
                       "w": np.array([[0.40101589], [-1.60590951], [-1.40408454]]),
                       "b": -0.20539272417970708,
                       "learning_rate": 0.1, "num_iterations": 201},
             label="8 training / 4 test examples, 201 iterations, learning_rate = 0.1"),
    ])
