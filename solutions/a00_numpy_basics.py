"""Reference solution and hidden checks of assignment a00 (Python basics with numpy).

Instructors only: never released.  The grader loads this file by path; tests
import the reference functions by their notebook names.

Every case generator draws new shapes and values from the ``rng`` it is given
and mixes ordinary inputs with edge cases: large |x| (overflow), a single row
or column, one-element vectors, non-square images, integer inputs.  The
diagnoses are realistic wrong implementations; when a student's value matches
one of them the report names the mistake.  Reference and diagnoses run in the
grader's process, so they silence numpy's floating-point warnings.
"""
from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np

from dlcourse.autograder.checks import Case
from dlcourse.utils.checks import a00_numpy_basics as public

__all__ = ["basic_sigmoid", "sigmoid", "sigmoid_derivative", "image2vector", "normalize_rows",
           "softmax", "L1", "L2", "HIDDEN_CHECKS"]


def _quiet(fn):
    """Run ``fn`` without numpy's overflow / invalid-value warnings (a fresh errstate per call)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)
    return wrapper


# ---------------------------------------------------------------------------
# Reference implementations
# ---------------------------------------------------------------------------
def basic_sigmoid(x):
    return 1 / (1 + math.exp(-x))


@_quiet
def sigmoid(x):
    # exp(-x) overflows to inf for x < -709; 1 / (1 + inf) = 0 is the right limit.
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(x):
    s = sigmoid(x)
    return s * (1 - s)


def image2vector(image):
    return image.reshape(image.shape[0] * image.shape[1] * image.shape[2], 1)


def normalize_rows(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def softmax(x):
    shifted = x - np.max(x, axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=1, keepdims=True)


def L1(yhat, y):
    return np.sum(np.abs(y - yhat))


def L2(yhat, y):
    return np.sum((y - yhat) ** 2)


# ---------------------------------------------------------------------------
# Hidden cases
# ---------------------------------------------------------------------------
def _basic_sigmoid_cases(rng):
    # math.exp overflows beyond ~709, so even the "large" inputs stay below that.
    xs = [
        (float(rng.normal(0, 2)), "a random float"),
        (float(rng.uniform(0.5, 4)), "a positive float"),
        (float(-rng.uniform(0.5, 4)), "a negative float"),
        (int(rng.integers(-6, 7)), "a Python int"),
        (float(rng.uniform(20, 40)), "a large positive x"),
        (float(-rng.uniform(20, 40)), "a large negative x"),
        (0.0, "x = 0"),
    ]
    return [Case((x,), label=label) for x, label in xs]


def _sigmoid_like_cases(rng):
    """Shared by sigmoid and sigmoid_derivative: any shape, ints, overflow-sized values."""
    n = int(rng.integers(3, 12))
    r, c = (int(v) for v in rng.integers(2, 7, size=2))
    big = rng.uniform(700, 1000, size=4) * np.array([1, -1, 1, -1])
    cases = [
        Case((rng.normal(0, 3, size=n),), label=f"vector of {n} floats"),
        Case((rng.normal(0, 3, size=(r, c + 1)),), label=f"matrix {r}x{c + 1}"),
        Case((rng.normal(0, 2, size=(2, r, c)),), label=f"3-d array 2x{r}x{c}"),
        Case((rng.integers(-8, 9, size=n),), label=f"vector of {n} ints"),
        Case((np.concatenate([big, rng.normal(0, 1, size=2)]),),
             label="large |x| (up to 1000) mixed with small values"),
        Case((float(rng.normal(0, 2)),), label="a single float"),
    ]
    return cases


def _image2vector_cases(rng):
    a, b, c = (int(v) for v in rng.choice(np.arange(2, 9), size=3, replace=False))
    h, w = (int(v) for v in rng.choice(np.arange(3, 12), size=2, replace=False))
    return [
        Case((rng.random((a, b, c)),), label=f"float image {a}x{b}x{c}"),
        Case((rng.integers(0, 256, size=(h, w, 3)).astype(np.uint8),),
             label=f"uint8 RGB image {h}x{w}x3"),
        Case((rng.normal(size=(b, a, 1)),), label=f"single-channel image {b}x{a}x1"),
        Case((rng.normal(size=(1, 1, 1)),), label="1x1x1 image"),
    ]


def _nonzero_ints(rng, shape):
    x = rng.integers(-9, 10, size=shape)
    x[x == 0] = 1  # no all-zero row: its norm would be 0
    return x


def _normalize_rows_cases(rng):
    m, n = (int(v) for v in rng.choice(np.arange(2, 8), size=2, replace=False))
    k = int(rng.integers(2, 6))
    return [
        Case((rng.normal(0, 5, size=(m, n)),), label=f"matrix {m}x{n}"),
        Case((rng.normal(0, 5, size=(k, k)),), label=f"square matrix {k}x{k}"),
        Case((rng.normal(0, 5, size=(1, n)),), label=f"a single row 1x{n}"),
        Case((rng.normal(0, 5, size=(m, 1)),), label=f"a single column {m}x1"),
        Case((_nonzero_ints(rng, (n, m)),), label=f"int matrix {n}x{m}"),
    ]


def _softmax_cases(rng):
    m, n = (int(v) for v in rng.choice(np.arange(2, 8), size=2, replace=False))
    k = int(rng.integers(2, 6))
    large = np.vstack([rng.uniform(900, 1000, size=n), -rng.uniform(900, 1000, size=n),
                       rng.normal(0, 2, size=n)])
    return [
        Case((rng.normal(0, 3, size=(m, n)),), label=f"matrix {m}x{n}"),
        Case((rng.normal(0, 3, size=(k, k)),), label=f"square matrix {k}x{k}"),
        Case((rng.normal(0, 3, size=(1, n)),), label=f"a single row 1x{n}"),
        Case((rng.normal(0, 3, size=(m, 1)),), label=f"a single column {m}x1"),
        Case((rng.integers(-5, 6, size=(m, n)),), label=f"int matrix {m}x{n}"),
        Case((large,), label=f"large |x| (rows near +1000 and -1000) 3x{n}"),
    ]


def _loss_cases(rng):
    m = int(rng.integers(4, 30))
    k = int(rng.integers(2, 10))
    return [
        Case((rng.random(m), (rng.random(m) > 0.5).astype(int)), label=f"m = {m}, int labels y"),
        Case((rng.random(k), rng.random(k)), label=f"m = {k}, float y"),
        Case((rng.normal(0, 3, size=m), rng.normal(0, 3, size=m)),
             label=f"m = {m}, values outside [0, 1]"),
        Case((rng.random(1), rng.random(1)), label="m = 1"),
    ]


# ---------------------------------------------------------------------------
# Diagnoses: realistic wrong implementations
# ---------------------------------------------------------------------------
def _basic_sigmoid_sign(x):
    return 1 / (1 + math.exp(x))


def _basic_sigmoid_precedence(x):
    return 1 / 1 + math.exp(-x)


@_quiet
def _sigmoid_sign(x):
    return 1 - sigmoid(x)


@_quiet
def _sigmoid_exp_ratio(x):
    return np.exp(x) / (1 + np.exp(x))  # inf / inf = nan for x > 709


def _sigmoid_derivative_s(x):
    return sigmoid(x)


def _sigmoid_derivative_of_x(x):
    return x * (1 - x)


def _sigmoid_derivative_one_minus_s(x):
    return 1 - sigmoid(x)


def _sigmoid_derivative_plus(x):
    s = sigmoid(x)
    return s * (1 + s)


def _image2vector_fortran(image):
    return image.reshape(-1, 1, order="F")


def _image2vector_channels_first(image):
    return np.transpose(image, (2, 0, 1)).reshape(-1, 1)


def _image2vector_flat(image):
    return image.reshape(-1)


def _image2vector_row(image):
    return image.reshape(1, -1)


@_quiet
def _normalize_by_columns(x):
    return x / np.linalg.norm(x, axis=0, keepdims=True)


@_quiet
def _normalize_no_keepdims(x):
    return x / np.linalg.norm(x, axis=1)  # broadcasts only for square x: wrong there


def _normalize_l1(x):
    return x / np.sum(np.abs(x), axis=1, keepdims=True)


def _normalize_squared(x):
    return x / np.sum(x ** 2, axis=1, keepdims=True)


def _normalize_frobenius(x):
    return x / np.linalg.norm(x)


@_quiet
def _softmax_columns(x):
    e = np.exp(x - np.max(x, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


@_quiet
def _softmax_columns_after_row_shift(x):
    e = np.exp(x - np.max(x, axis=1, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)  # stable numerator, column sums


@_quiet
def _softmax_whole(x):
    e = np.exp(x - np.max(x))
    return e / np.sum(e)


@_quiet
def _softmax_whole_after_row_shift(x):
    e = np.exp(x - np.max(x, axis=1, keepdims=True))
    return e / np.sum(e)  # stable numerator, but one sum over the whole matrix


@_quiet
def _softmax_no_keepdims(x):
    e = np.exp(x - np.max(x, axis=1, keepdims=True))
    return e / np.sum(e, axis=1)  # broadcasts only for square x


@_quiet
def _softmax_naive(x):
    e = np.exp(x)  # inf for x > 709, and 0 / 0 when a whole row is below -745
    return e / np.sum(e, axis=1, keepdims=True)


@_quiet
def _softmax_global_shift(x):
    e = np.exp(x - np.max(x))  # a row far below the global maximum underflows to 0 / 0
    return e / np.sum(e, axis=1, keepdims=True)


@_quiet
def _softmax_no_exp(x):
    return x / np.sum(x, axis=1, keepdims=True)


def _l1_squares(yhat, y):
    return np.sum((y - yhat) ** 2)


def _l1_no_abs(yhat, y):
    return np.sum(y - yhat)


def _l1_mean(yhat, y):
    return np.mean(np.abs(y - yhat))


def _l2_abs(yhat, y):
    return np.sum(np.abs(y - yhat))


def _l2_sqrt(yhat, y):
    return np.sqrt(np.sum((y - yhat) ** 2))


def _l2_mean(yhat, y):
    return np.mean((y - yhat) ** 2)


HIDDEN_CHECKS = [
    dataclasses.replace(
        public.BASIC_SIGMOID, reference=basic_sigmoid, cases=_basic_sigmoid_cases,
        diagnoses=[(_basic_sigmoid_sign, "the sign of the exponent is flipped: use exp(-x)"),
                   (_basic_sigmoid_precedence, "1 / 1 + exp(-x) is (1 / 1) + exp(-x): "
                                               "parenthesize the denominator")]),
    dataclasses.replace(
        public.SIGMOID, reference=sigmoid, cases=_sigmoid_like_cases,
        diagnoses=[(_sigmoid_sign, "the sign of the exponent is flipped: use np.exp(-x)"),
                   (_sigmoid_exp_ratio, "np.exp(x) overflows for large x (inf / inf = nan): "
                                        "use 1 / (1 + np.exp(-x))")]),
    dataclasses.replace(
        public.SIGMOID_DERIVATIVE, reference=sigmoid_derivative, cases=_sigmoid_like_cases,
        diagnoses=[
            (_sigmoid_derivative_s, "this is s = sigmoid(x); the derivative is s * (1 - s)"),
            (_sigmoid_derivative_one_minus_s, "this is 1 - s; the derivative is s * (1 - s)"),
            (_sigmoid_derivative_of_x, "this is x * (1 - x): apply sigmoid to x first"),
            (_sigmoid_derivative_plus, "this is s * (1 + s); the derivative is s * (1 - s)"),
        ]),
    dataclasses.replace(
        public.IMAGE2VECTOR, reference=image2vector, cases=_image2vector_cases,
        diagnoses=[(_image2vector_fortran, "the values are in column-major order (order='F' or "
                                           "a transpose before reshaping)"),
                   (_image2vector_channels_first, "the axes were reordered before reshaping; "
                                                  "reshape the image as it is"),
                   (_image2vector_flat, "a flat vector was returned; a column of shape (n, 1) is "
                                        "expected"),
                   (_image2vector_row, "a row of shape (1, n) was returned; a column of shape "
                                       "(n, 1) is expected")]),
    dataclasses.replace(
        public.NORMALIZE_ROWS, reference=normalize_rows, cases=_normalize_rows_cases,
        diagnoses=[(_normalize_by_columns, "each column was divided by its norm: use axis=1"),
                   (_normalize_no_keepdims, "the norms were not kept as a column (keepdims=True), "
                                            "so broadcasting divided the wrong entries"),
                   (_normalize_l1, "this divides by the L1 norm (sum of absolute values)"),
                   (_normalize_squared, "this divides by the squared norm: the square root is "
                                        "missing"),
                   (_normalize_frobenius, "the whole matrix was divided by one norm; each row "
                                          "needs its own")]),
    dataclasses.replace(
        public.SOFTMAX, reference=softmax, cases=_softmax_cases,
        diagnoses=[(_softmax_columns, "each column sums to 1: normalize over axis=1 (rows)"),
                   (_softmax_columns_after_row_shift, "each column is divided by its own sum: "
                                                      "sum over axis=1 (the rows)"),
                   (_softmax_whole, "the whole matrix sums to 1: each row must sum to 1"),
                   (_softmax_whole_after_row_shift, "the whole matrix is divided by one sum over "
                                                    "all entries: sum each row (axis=1, "
                                                    "keepdims=True)"),
                   (_softmax_no_keepdims, "the row sums were not kept as a column "
                                          "(keepdims=True), so broadcasting divided the wrong "
                                          "entries"),
                   (_softmax_naive, "np.exp overflowed or every entry of a row underflowed "
                                    "to 0: subtract each row's maximum before np.exp"),
                   (_softmax_global_shift, "subtracting the maximum of the whole matrix is not "
                                           "enough: a row far below it underflows to 0 / 0; "
                                           "subtract each row's own maximum (axis=1)"),
                   (_softmax_no_exp, "the exponential is missing: softmax divides exp(x) by "
                                     "the row sums of exp(x)")]),
    dataclasses.replace(
        public.L1_LOSS, reference=L1, cases=_loss_cases,
        diagnoses=[(_l1_squares, "this is the L2 loss (squares); L1 sums absolute values"),
                   (_l1_no_abs, "the absolute value is missing"),
                   (_l1_mean, "this is the mean; the L1 loss is the sum")]),
    dataclasses.replace(
        public.L2_LOSS, reference=L2, cases=_loss_cases,
        diagnoses=[(_l2_abs, "this is the L1 loss (absolute values); L2 sums squares"),
                   (_l2_sqrt, "this is the Euclidean norm: leave out the square root"),
                   (_l2_mean, "this is the mean; the L2 loss is the sum")]),
]


# Mistakes the simulated "partial" student of `dlcourse demo` makes:
# (function, text in the reference solution, replacement).
SIMULATED_MISTAKES = [
    ("normalize_rows", "axis=1, keepdims=True)", "axis=1)"),
    ("softmax", "np.sum(x_exp, axis=1, keepdims=True)", "np.sum(x_exp)"),
    ("L2", "np.sum((y - yhat) ** 2)", "np.sqrt(np.sum((y - yhat) ** 2))"),
]
