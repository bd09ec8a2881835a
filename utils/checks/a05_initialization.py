"""Public checks of a05 -- initialization.

Each ``check_<function>(fn)`` runs the visible test case of one graded function,
prints the student's values next to the expected ones and raises
``AssertionError`` naming the first problem.  The cases are the original
course's (the same layer sizes; the functions seed numpy themselves), so the
expected values below are the ones the original notebook printed.

Nothing here computes an answer: the expected weights and the weights a few
typical mistakes produce are stored as numbers.
"""
from __future__ import annotations

import numpy as np

from dlcourse.autograder.checks import Case, FunctionCheck, public_check

__all__ = [
    "initialize_parameters_zeros_test_case", "initialize_parameters_random_test_case",
    "initialize_parameters_he_test_case",
    "check_initialize_parameters_zeros", "check_initialize_parameters_random",
    "check_initialize_parameters_he",
    "INITIALIZE_PARAMETERS_ZEROS", "INITIALIZE_PARAMETERS_RANDOM", "INITIALIZE_PARAMETERS_HE",
    "SHAPE_ERROR_HINTS",
]


# --------------------------------------------------------------------------------------------
# Test cases: the layer sizes the course used
# --------------------------------------------------------------------------------------------

def initialize_parameters_zeros_test_case() -> list[int]:
    """``layers_dims = [3, 2, 1]``: 3 inputs, 2 hidden units, 1 output."""
    return [3, 2, 1]


def initialize_parameters_random_test_case() -> list[int]:
    """``layers_dims = [3, 2, 1]``."""
    return [3, 2, 1]


def initialize_parameters_he_test_case() -> list[int]:
    """``layers_dims = [2, 4, 1]``."""
    return [2, 4, 1]


# --------------------------------------------------------------------------------------------
# How results are compared
# --------------------------------------------------------------------------------------------

#: errors that name a typical slip with numpy's shape arguments
SHAPE_ERROR_HINTS = [
    (r"Cannot interpret .* as a data type|data type .* not understood",
     "np.zeros takes the shape as one tuple: np.zeros((n_l, n_prev)), with two pairs of parentheses"),
    (r"'tuple' object cannot be interpreted as an integer",
     "np.random.randn takes the sizes as separate numbers: np.random.randn(n_l, n_prev), not a tuple"),
    (r"KeyError: 'W\d'|KeyError: 'b\d'",
     "the keys are 'W1', 'b1', 'W2', ... : 'W' + str(l) for l = 1 .. L"),
]

INITIALIZE_PARAMETERS_ZEROS = FunctionCheck("initialize_parameters_zeros", rtol=0.0, atol=0.0,
                                            error_hints=SHAPE_ERROR_HINTS)
INITIALIZE_PARAMETERS_RANDOM = FunctionCheck("initialize_parameters_random", rtol=1e-6, atol=1e-7,
                                             error_hints=SHAPE_ERROR_HINTS)
INITIALIZE_PARAMETERS_HE = FunctionCheck("initialize_parameters_he", rtol=1e-6, atol=1e-8,
                                         error_hints=SHAPE_ERROR_HINTS)


# --------------------------------------------------------------------------------------------
# Expected values (the original course's printed outputs) and known mistakes
# --------------------------------------------------------------------------------------------

def _with_zero_biases(W1, W2) -> dict:
    W1, W2 = np.array(W1), np.array(W2)
    return {"W1": W1, "b1": np.zeros((W1.shape[0], 1)), "W2": W2, "b2": np.zeros((W2.shape[0], 1))}


def check_initialize_parameters_zeros(fn) -> None:
    """``initialize_parameters_zeros([3, 2, 1])``: four arrays of zeros."""
    expected = _with_zero_biases(np.zeros((2, 3)), np.zeros((1, 2)))
    public_check(fn, INITIALIZE_PARAMETERS_ZEROS, [Case(
        (initialize_parameters_zeros_test_case(),), expected=expected,
        label="layers_dims = [3, 2, 1]")])


def check_initialize_parameters_random(fn) -> None:
    """``initialize_parameters_random([3, 2, 1])`` after ``np.random.seed(3)``: weights times 10."""
    expected = _with_zero_biases([[17.88628473, 4.36509851, 0.96497468],
                                  [-18.63492703, -2.77388203, -3.54758979]],
                                 [[-0.82741481, -6.27000677]])
    unscaled = _with_zero_biases([[1.78862847343, 0.436509850512, 0.096497468072],
                                  [-1.86349270336, -0.277388202514, -0.354758979269]],
                                 [[-0.0827414814825, -0.627000676824]])
    hundredth = _with_zero_biases([[0.0178862847343, 0.00436509850512, 0.00096497468072],
                                   [-0.0186349270336, -0.00277388202514, -0.00354758979269]],
                                  [[-0.000827414814825, -0.00627000676824]])
    uniform = _with_zero_biases([[5.50797902575, 7.08147822618, 2.90904738913],
                                 [5.10827605198, 8.92946954348, 8.96293088933]],
                                [[1.25585310464, 2.07242878138]])
    transposed = _with_zero_biases([[17.8862847343, 0.96497468072, -2.77388202514],
                                    [4.36509850512, -18.6349270336, -3.54758979269]],
                                   [[-0.827414814825, -6.27000676824]])
    public_check(fn, INITIALIZE_PARAMETERS_RANDOM, [Case(
        (initialize_parameters_random_test_case(),), expected=expected,
        label="layers_dims = [3, 2, 1]",
        known_mistakes=[(unscaled, "the weights are not multiplied by 10 (this exercise wants them large)"),
                        (hundredth, "the weights are multiplied by 0.01; this exercise multiplies by 10"),
                        (uniform, "np.random.rand is uniform on [0, 1); use np.random.randn"),
                        (transposed, "the draw is transposed: use np.random.randn(layers_dims[l], "
                                     "layers_dims[l - 1]) directly")])])


def check_initialize_parameters_he(fn) -> None:
    """``initialize_parameters_he([2, 4, 1])`` after ``np.random.seed(3)``."""
    expected = _with_zero_biases([[1.78862847, 0.43650985],
                                  [0.09649747, -1.8634927],
                                  [-0.2773882, -0.35475898],
                                  [-0.08274148, -0.62700068]],
                                 [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]])
    times_ten = _with_zero_biases([[17.8862847343, 4.36509850512],
                                   [0.96497468072, -18.6349270336],
                                   [-2.77388202514, -3.54758979269],
                                   [-0.827414814825, -6.27000676824]],
                                  [[-0.438181689759, -4.7721803036, -13.1386475336, 8.846223805]])
    own_size = _with_zero_biases([[1.26475132259, 0.308659075352],
                                  [0.068234014041, -1.31768832724],
                                  [-0.196143079019, -0.250852479928],
                                  [-0.0585070626417, -0.443356430391]],
                                 [[-0.0619682488441, -0.674888210743, -1.85808535333, 1.25104496808]])
    xavier = _with_zero_biases([[1.26475132259, 0.308659075352],
                                [0.068234014041, -1.31768832724],
                                [-0.196143079019, -0.250852479928],
                                [-0.0585070626417, -0.443356430391]],
                               [[-0.021909084488, -0.23860901518, -0.656932376681, 0.44231119025]])
    no_sqrt = _with_zero_biases(expected["W1"],
                                [[-0.021909084488, -0.23860901518, -0.656932376681, 0.44231119025]])
    reseeded = _with_zero_biases(expected["W1"],
                                 [[1.26475132259, 0.308659075352, 0.068234014041, -1.31768832724]])
    public_check(fn, INITIALIZE_PARAMETERS_HE, [Case(
        (initialize_parameters_he_test_case(),), expected=expected, label="layers_dims = [2, 4, 1]",
        known_mistakes=[(times_ten, "W scaled by 10 instead of sqrt(2 / n_prev)"),
                        (own_size, "the factor uses the layer's own size: He scales by "
                                   "sqrt(2 / layers_dims[l - 1]), the size of the previous layer"),
                        (xavier, "sqrt(1 / n_prev) is Xavier initialization; He uses sqrt(2 / n_prev)"),
                        (no_sqrt, "the square root is missing: multiply by np.sqrt(2 / n_prev)"),
                        (reseeded, "np.random.seed(3) runs inside the loop: seed once, before it")])])
