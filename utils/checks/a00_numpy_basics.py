"""Public checks of assignment a00 (Python basics with numpy).

Each ``check_<name>(fn)`` runs the visible case(s) of one graded function,
prints the student's values next to the expected ones and raises
``AssertionError`` naming the first problem.  Expected values are the
curriculum's, as printed there (8 significant decimals); wrong values listed
under ``known_mistakes`` are what common slips give on the same inputs.
"""
from __future__ import annotations

import numpy as np

from dlcourse.autograder.checks import Case, FunctionCheck, public_check

__all__ = [
    "check_basic_sigmoid", "check_sigmoid", "check_sigmoid_derivative", "check_image2vector",
    "check_normalize_rows", "check_softmax", "check_L1", "check_L2",
]

# Printed expected values carry 8 decimals: atol=1e-8 accepts their rounding.
BASIC_SIGMOID = FunctionCheck("basic_sigmoid", rtol=1e-6, atol=1e-8)
SIGMOID = FunctionCheck("sigmoid", rtol=1e-6, atol=1e-8)
SIGMOID_DERIVATIVE = FunctionCheck("sigmoid_derivative", rtol=1e-6, atol=1e-8)
# A reshape moves values without changing them: they must come back exactly.
IMAGE2VECTOR = FunctionCheck("image2vector", rtol=0.0, atol=0.0)
NORMALIZE_ROWS = FunctionCheck("normalize_rows", rtol=1e-6, atol=1e-8)
SOFTMAX = FunctionCheck("softmax", rtol=1e-6, atol=1e-8)
L1_LOSS = FunctionCheck("L1", rtol=1e-6, atol=1e-9)
L2_LOSS = FunctionCheck("L2", rtol=1e-6, atol=1e-9)

_SIGMOID_123 = np.array([0.73105858, 0.88079708, 0.95257413])
_ONE_MINUS_SIGMOID_123 = np.array([0.26894142, 0.11920292, 0.04742587])


def check_basic_sigmoid(fn) -> None:
    """basic_sigmoid on the numbers 1, 2 and 3."""
    slips = {  # x: (sign error, 1 / 1 + exp(-x) precedence slip)
        1: (0.2689414214, 1.3678794412),
        2: (0.1192029220, 1.1353352832),
        3: (0.0474258732, 1.0497870684),
    }
    cases = [
        Case((x,), expected=float(expected), label=f"x = {x}",
             known_mistakes=[(slips[x][0], "the sign of the exponent is flipped: use exp(-x)"),
                             (slips[x][1], "1 / 1 + exp(-x) is (1 / 1) + exp(-x): "
                                           "put the denominator in parentheses")])
        for x, expected in zip((1, 2, 3), _SIGMOID_123)
    ]
    public_check(fn, BASIC_SIGMOID, cases)


def check_sigmoid(fn) -> None:
    """sigmoid on the vector [1, 2, 3]."""
    public_check(fn, SIGMOID, [
        Case((np.array([1, 2, 3]),), expected=_SIGMOID_123, label="x = np.array([1, 2, 3])",
             known_mistakes=[(_ONE_MINUS_SIGMOID_123,
                              "the sign of the exponent is flipped: use np.exp(-x)")]),
    ])


def check_sigmoid_derivative(fn) -> None:
    """sigmoid_derivative on the vector [1, 2, 3]."""
    public_check(fn, SIGMOID_DERIVATIVE, [
        Case((np.array([1, 2, 3]),), expected=np.array([0.19661193, 0.10499359, 0.04517666]),
             label="x = np.array([1, 2, 3])",
             known_mistakes=[
                 (_SIGMOID_123, "this is s = sigmoid(x) itself; the derivative is s * (1 - s)"),
                 (_ONE_MINUS_SIGMOID_123, "this is 1 - s; the derivative is s * (1 - s)"),
                 (np.array([0.0, -2.0, -6.0]),
                  "this is x * (1 - x): compute s = sigmoid(x) first, then s * (1 - s)"),
             ]),
    ])


def check_image2vector(fn) -> None:
    """image2vector on a (2, 3, 2) image holding 0, 1, ..., 11 in memory order."""
    image = np.arange(12.0).reshape(2, 3, 2)
    column_major = np.array([0, 6, 2, 8, 4, 10, 1, 7, 3, 9, 5, 11], dtype=float).reshape(12, 1)
    channels_first = np.array([0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11], dtype=float).reshape(12, 1)
    public_check(fn, IMAGE2VECTOR, [
        Case((image,), expected=np.arange(12.0).reshape(12, 1),
             label="image of shape (2, 3, 2) with values 0..11",
             known_mistakes=[
                 (column_major, "the values come out in column-major order (order='F' or a "
                                ".T before reshaping); keep numpy's default order"),
                 (channels_first, "the channel axis was moved to the front before reshaping; "
                                  "reshape the image as it is"),
             ]),
    ])


def check_normalize_rows(fn) -> None:
    """normalize_rows on [[0, 3, 4], [1, 6, 4]]."""
    public_check(fn, NORMALIZE_ROWS, [
        Case((np.array([[0.0, 3.0, 4.0], [1.0, 6.0, 4.0]]),),
             expected=np.array([[0.0, 0.6, 0.8], [0.13736056, 0.82416338, 0.54944226]]),
             label="x of shape (2, 3)",
             known_mistakes=[
                 (np.array([[0.0, 0.4472135955, 0.7071067812], [1.0, 0.894427191, 0.7071067812]]),
                  "each column was divided by its norm: use axis=1 for the rows"),
                 (np.array([[0.0, 0.4285714286, 0.5714285714],
                            [0.0909090909, 0.5454545455, 0.3636363636]]),
                  "this divides by the sum of absolute values (L1 norm); use the L2 norm"),
                 (np.array([[0.0, 0.12, 0.16], [0.0188679245, 0.1132075472, 0.0754716981]]),
                  "this divides by the squared norm: the square root is missing"),
             ]),
    ])


def check_softmax(fn) -> None:
    """softmax on [[9, 2, 5, 0, 0], [7, 5, 0, 0, 0]]."""
    public_check(fn, SOFTMAX, [
        Case((np.array([[9, 2, 5, 0, 0], [7, 5, 0, 0, 0]]),),
             expected=np.array([
                 [9.80897665e-01, 8.94462891e-04, 1.79657674e-02, 1.21052389e-04, 1.21052389e-04],
                 [8.78679856e-01, 1.18916387e-01, 8.01252314e-04, 8.01252314e-04, 8.01252314e-04],
             ]),
             label="x of shape (2, 5)",
             known_mistakes=[
                 (np.array([[0.880797078, 0.0474258732, 0.9933071491, 0.5, 0.5],
                            [0.119202922, 0.9525741268, 0.0066928509, 0.5, 0.5]]),
                  "each column sums to 1: sum over axis=1 (the rows), not axis=0"),
                 (np.array([[8.5215495655e-01, 7.7706473674e-04, 1.5607762461e-02,
                             1.0516427624e-04, 1.0516427624e-04],
                            [1.1532663241e-01, 1.5607762461e-02, 1.0516427624e-04,
                             1.0516427624e-04, 1.0516427624e-04]]),
                  "the whole matrix sums to 1: sum each row separately (axis=1, keepdims=True)"),
             ]),
    ])


_YHAT = np.array([0.9, 0.2, 0.1, 0.4, 0.9])
_Y = np.array([1, 0, 0, 1, 1])


def check_L1(fn) -> None:
    """L1 loss of yhat = [.9, .2, .1, .4, .9] against y = [1, 0, 0, 1, 1]."""
    public_check(fn, L1_LOSS, [
        Case((_YHAT, _Y), expected=1.1, label="m = 5",
             known_mistakes=[(0.43, "this is the L2 loss (squares); L1 sums absolute values"),
                             (0.5, "the absolute value is missing"),
                             (0.22, "this is the mean; the L1 loss is the sum")]),
    ])


def check_L2(fn) -> None:
    """L2 loss of yhat = [.9, .2, .1, .4, .9] against y = [1, 0, 0, 1, 1]."""
    public_check(fn, L2_LOSS, [
        Case((_YHAT, _Y), expected=0.43, label="m = 5",
             known_mistakes=[(1.1, "this is the L1 loss (absolute values); L2 sums squares"),
                             (0.6557438524, "this is the Euclidean norm: leave out the "
                                            "square root"),
                             (0.086, "this is the mean; the L2 loss is the sum")]),
    ])
