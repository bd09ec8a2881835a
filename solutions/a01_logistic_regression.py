"""a01_logistic_regression: reference solutions and hidden checks (instructors only).

The reference functions carry the notebook's names.  ``HIDDEN_CHECKS`` extends
the public checks of ``dlcourse.utils.checks.a01_logistic_regression`` with a
reference, cases drawn from the grading-time ``rng`` and *diagnoses*: wrong
implementations students really write, used to name the likely mistake.
"""
from __future__ import annotations

import contextlib
import dataclasses
import io
import warnings

import numpy as np

from dlcourse.autograder.checks import Case
from dlcourse.utils.checks import a01_logistic_regression as public

__all__ = ["sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict", "model",
           "HIDDEN_CHECKS"]


# --------------------------------------------------------------------------- reference
def sigmoid(z):
    """1 / (1 + exp(-z)), elementwise; written as exp(-log(1 + exp(-z))) so it never overflows."""
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=np.float64)))


def initialize_with_zeros(dim):
    return np.zeros((dim, 1)), 0.0


def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dZ = A - Y
    return {"dw": X @ dZ.T / m, "db": np.sum(dZ) / m}, np.squeeze(cost)


def optimize(w, b, X, Y, num_iterations, learning_rate, print_cost=False):
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        dw, db = grads["dw"], grads["db"]
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print("Cost after iteration %i: %f" % (i, cost))
    return {"w": w, "b": b}, {"dw": dw, "db": db}, costs


def predict(w, b, X):
    A = sigmoid(w.reshape(X.shape[0], 1).T @ X + b)
    return (A > 0.5).astype(np.float64)


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
          print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate,
                                    print_cost)
    w, b = params["w"], params["b"]
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)
    print("train accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100))
    print("test accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100))
    return {"costs": costs, "Y_prediction_test": Y_prediction_test,
            "Y_prediction_train": Y_prediction_train, "w": w, "b": b,
            "learning_rate": learning_rate, "num_iterations": num_iterations}


def _quiet(fn):
    """``fn`` without prints or numpy warnings: references and diagnoses run in the
    grader's own process (and in the author's kernel when previewing), where stray
    output would be noise -- or, for the reference, reveal expected values."""
    def wrapper(*args, **kwargs):
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(), \
                np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)
    wrapper.__name__ = fn.__name__
    return wrapper


def _diagnoses(*pairs):
    return [(_quiet(fn), message) for fn, message in pairs]


# --------------------------------------------------------------------------- sigmoid
def _sigmoid_cases(rng):
    big = np.array([-1000.0, -745.0, -60.0, -30.0, 0.0, 30.0, 60.0, 745.0, 1000.0])
    big = np.concatenate([big, rng.uniform(-800, 800, size=4)])
    shape = (int(rng.integers(1, 6)), int(rng.integers(1, 8)))
    return [
        Case((float(rng.normal(0, 3)),), label="a Python float"),
        Case((rng.normal(0, 4, size=int(rng.integers(1, 12))),), label="1-D array"),
        Case((rng.normal(0, 4, size=shape),), label=f"2-D array {shape}"),
        Case((rng.permutation(big),), label="large |z| (must stay finite, in [0, 1])"),
        Case((rng.integers(-6, 7, size=int(rng.integers(2, 9))),), label="integer array"),
    ]


def _sigmoid_sign(z):
    return 1 / (1 + np.exp(np.asarray(z, dtype=float)))


def _sigmoid_minus(z):
    return 1 / (1 - np.exp(-np.asarray(z, dtype=float)))


def _sigmoid_unstable(z):
    e = np.exp(np.asarray(z, dtype=float))
    return e / (1 + e)


# ------------------------------------------------------------------ initialize_with_zeros
def _init_cases(rng):
    return [Case((1,), label="dim = 1"),
            Case((int(rng.integers(2, 10)),), label="small dim"),
            Case((int(rng.integers(500, 13000)),), label="large dim")]


def _init_flat(dim):
    return np.zeros(dim), 0.0


def _init_row(dim):
    return np.zeros((1, dim)), 0.0


def _init_b_array(dim):
    return np.zeros((dim, 1)), np.zeros((1, 1))


# ----------------------------------------------------------------------------- propagate
def _labels(rng, m, as_int):
    Y = (rng.random((1, m)) > 0.5)
    return Y.astype(np.int64) if as_int else Y.astype(np.float64)


def _propagate_cases(rng):
    shapes = [(int(rng.integers(2, 9)), int(rng.integers(2, 30))),
              (int(rng.integers(1, 6)), 1),
              (1, int(rng.integers(2, 12))),
              (int(rng.integers(20, 60)), int(rng.integers(30, 80)))]
    cases = []
    for k, (n, m) in enumerate(shapes):
        w = rng.normal(0, 1 / np.sqrt(n), size=(n, 1))
        X = rng.normal(size=(n, m))
        cases.append(Case((w, float(rng.normal()), X, _labels(rng, m, as_int=k % 2 == 0)),
                          label=f"w ({n}, 1), X ({n}, {m})"))
    return cases


def _prop_parts(w, b, X, Y):
    A = sigmoid(w.T @ X + b)
    logs = np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    return A, logs, X.shape[1]


def _propagate_no_m(w, b, X, Y):
    A, logs, m = _prop_parts(w, b, X, Y)
    return {"dw": X @ (A - Y).T, "db": np.sum(A - Y)}, -logs


def _propagate_no_m_grads(w, b, X, Y):
    A, logs, m = _prop_parts(w, b, X, Y)
    return {"dw": X @ (A - Y).T, "db": np.sum(A - Y)}, -logs / m


def _propagate_no_m_cost(w, b, X, Y):
    A, logs, m = _prop_parts(w, b, X, Y)
    return {"dw": X @ (A - Y).T / m, "db": np.sum(A - Y) / m}, -logs


def _propagate_dw_transposed(w, b, X, Y):
    A, logs, m = _prop_parts(w, b, X, Y)
    return {"dw": (A - Y) @ X.T / m, "db": np.sum(A - Y) / m}, -logs / m


def _propagate_y_not_residual(w, b, X, Y):
    A, logs, m = _prop_parts(w, b, X, Y)
    return {"dw": X @ Y.T / m, "db": np.sum(Y) / m}, -logs / m


def _propagate_a_not_residual(w, b, X, Y):
    A, logs, m = _prop_parts(w, b, X, Y)
    return {"dw": X @ A.T / m, "db": np.sum(A) / m}, -logs / m


def _propagate_grad_sign(w, b, X, Y):
    A, logs, m = _prop_parts(w, b, X, Y)
    return {"dw": X @ (Y - A).T / m, "db": np.sum(Y - A) / m}, -logs / m


def _propagate_cost_sign(w, b, X, Y):
    A, logs, m = _prop_parts(w, b, X, Y)
    return {"dw": X @ (A - Y).T / m, "db": np.sum(A - Y) / m}, logs / m


def _propagate_no_b(w, b, X, Y):
    return propagate(w, 0.0, X, Y)


# ------------------------------------------------------------------------------ optimize
def _problem(rng, n, m):
    w = rng.normal(0, 0.5 / np.sqrt(n), size=(n, 1))
    X = rng.normal(size=(n, m))
    Y = (X[0:1] + rng.normal(0, 1, size=(1, m)) > 0).astype(np.float64)
    return w, float(rng.normal(0, 0.5)), X, Y


def _optimize_cases(rng):
    plans = [(int(rng.integers(2, 7)), int(rng.integers(5, 30)), int(rng.integers(30, 51))),
             (int(rng.integers(2, 7)), int(rng.integers(5, 30)), int(rng.integers(2, 30))),
             (int(rng.integers(1, 5)), 1, int(rng.integers(5, 51))),
             (int(rng.integers(2, 7)), int(rng.integers(5, 30)), 1)]
    cases = []
    for n, m, iters in plans:
        w, b, X, Y = _problem(rng, n, m)
        lr = float(10 ** rng.uniform(-3, np.log10(0.5)))
        cases.append(Case((w, b, X, Y), dict(num_iterations=iters, learning_rate=lr,
                                             print_cost=False),
                          label=f"X ({n}, {m}), {iters} iteration(s), learning rate {lr:.3g}"))
    return cases


def _optimize_variant(update_b_with_dw=False, ascent=False, extra_iteration=False,
                      every_iteration=False, late_costs=False, grads_after=False,
                      fixed_lr=None):
    def wrong(w, b, X, Y, num_iterations, learning_rate, print_cost=False):
        lr = learning_rate if fixed_lr is None else fixed_lr
        sign = -1 if ascent else 1
        costs = []
        for i in range(num_iterations + (1 if extra_iteration else 0)):
            grads, cost = propagate(w, b, X, Y)
            dw, db = grads["dw"], grads["db"]
            w = w - sign * lr * dw
            b = b - sign * lr * (dw if update_b_with_dw else db)
            if every_iteration or (late_costs and (i + 1) % 100 == 0) or \
                    (not late_costs and i % 100 == 0):
                costs.append(cost)
        if grads_after:
            grads, _ = propagate(w, b, X, Y)
            dw, db = grads["dw"], grads["db"]
        return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
    return wrong


# ------------------------------------------------------------------------------- predict
def _predict_cases(rng):
    cases = []
    for n, m in [(int(rng.integers(2, 9)), int(rng.integers(2, 40))), (int(rng.integers(1, 6)), 1)]:
        w = rng.normal(size=(n, 1))
        cases.append(Case((w, float(rng.normal(0, 0.5)), rng.normal(size=(n, m))),
                          label=f"w ({n}, 1), X ({n}, {m})"))
    # A tie: small integers make w.T x + b exactly 0 for one column, so sigmoid is exactly
    # 0.5 there and "> 0.5" (label 0) differs from ">= 0.5" (label 1).
    n, m = int(rng.integers(2, 6)), int(rng.integers(4, 12))
    w = rng.integers(-3, 4, size=(n, 1)).astype(np.float64)
    w[0, 0] = 2.0
    X = rng.integers(-3, 4, size=(n, m)).astype(np.float64)
    j = int(rng.integers(m))
    b = -float(w[:, 0] @ X[:, j])
    cases.append(Case((w, b, X), label=f"X ({n}, {m}) with an example exactly on the boundary"))
    # the bias decides: small weights, |b| large, so a forgotten b flips every label
    n, m = int(rng.integers(2, 6)), int(rng.integers(3, 20))
    cases.append(Case((rng.normal(0, 0.05, size=(n, 1)), float(rng.choice([-1, 1]) * rng.uniform(1, 3)),
                       rng.normal(size=(n, m))), label=f"X ({n}, {m}), small w, large |b|"))
    # saturated activations
    n, m = int(rng.integers(2, 6)), int(rng.integers(3, 20))
    cases.append(Case((rng.normal(0, 50, size=(n, 1)), float(rng.normal(0, 50)),
                       rng.normal(size=(n, m))), label=f"X ({n}, {m}), large |w|"))
    return cases


def _predict_ge(w, b, X):
    return (sigmoid(w.reshape(X.shape[0], 1).T @ X + b) >= 0.5).astype(float)


def _predict_inverted(w, b, X):
    return (sigmoid(w.reshape(X.shape[0], 1).T @ X + b) < 0.5).astype(float)


def _predict_no_b(w, b, X):
    return predict(w, 0.0, X)


# --------------------------------------------------------------------------------- model
def _model_cases(rng):
    plans = [(int(rng.integers(2, 7)), int(rng.integers(5, 30)), int(rng.integers(2, 10)),
              int(rng.integers(101, 351))),
             (int(rng.integers(2, 7)), int(rng.integers(5, 30)), 1, int(rng.integers(1, 100))),
             (int(rng.integers(1, 5)), 1, int(rng.integers(1, 5)), int(rng.integers(1, 250)))]
    cases = []
    for n, m_train, m_test, iters in plans:
        X = rng.normal(size=(n, m_train + m_test))
        Y = (X[0:1] + rng.normal(0, 0.8, size=(1, m_train + m_test)) > 0).astype(np.int64)
        lr = float(10 ** rng.uniform(-3, -0.5))
        cases.append(Case((X[:, :m_train], Y[:, :m_train], X[:, m_train:], Y[:, m_train:]),
                          dict(num_iterations=iters, learning_rate=lr, print_cost=False),
                          label=f"{m_train} training / {m_test} test example(s), n = {n}, "
                                f"{iters} iterations, learning rate {lr:.3g}"))
    return cases


def _model_variant(untrained=False, on_test=False, ignore_args=False):
    def wrong(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
              print_cost=False):
        w, b = initialize_with_zeros(X_train.shape[0])
        Xo, Yo = (X_test, Y_test) if on_test else (X_train, Y_train)
        iters, lr = (2000, 0.5) if ignore_args else (num_iterations, learning_rate)
        params, _, costs = optimize(w, b, Xo, Yo, iters, lr)
        if not untrained:
            w, b = params["w"], params["b"]
        return {"costs": costs, "Y_prediction_test": predict(w, b, X_test),
                "Y_prediction_train": predict(w, b, X_train), "w": w, "b": b,
                "learning_rate": learning_rate, "num_iterations": num_iterations}
    return wrong


# ------------------------------------------------------------------------------- checks
HIDDEN_CHECKS = [
    dataclasses.replace(
        public.SIGMOID, reference=_quiet(sigmoid), cases=_sigmoid_cases,
        diagnoses=_diagnoses(
            (_sigmoid_sign, "this is sigmoid(-z): the exponent should be exp(-z)"),
            (_sigmoid_minus, "the denominator is 1 - exp(-z); it should be 1 + exp(-z)"),
            (_sigmoid_unstable, "exp(z) / (1 + exp(z)) gives inf/inf = nan for large z; "
                                "use 1 / (1 + exp(-z))"))),
    dataclasses.replace(
        public.INITIALIZE_WITH_ZEROS, reference=initialize_with_zeros, cases=_init_cases,
        diagnoses=_diagnoses(
            (_init_flat, "w must be a column vector of shape (dim, 1), not (dim,)"),
            (_init_row, "w must be a column vector of shape (dim, 1), not a row (1, dim)"),
            (_init_b_array, "b should be the number 0, not an array"))),
    dataclasses.replace(
        public.PROPAGATE, reference=_quiet(propagate), cases=_propagate_cases,
        diagnoses=_diagnoses(
            (_propagate_no_m, "the 1/m average is missing (cost and gradients)"),
            (_propagate_no_m_grads, "the 1/m factor is missing in dw and db"),
            (_propagate_no_m_cost, "the 1/m factor is missing in the cost"),
            (_propagate_dw_transposed, "dw is transposed: use X (A - Y)^T, which has the shape of w"),
            (_propagate_y_not_residual, "the gradients use Y instead of A - Y"),
            (_propagate_a_not_residual, "the gradients use A instead of A - Y"),
            (_propagate_grad_sign, "the gradients use Y - A instead of A - Y (the sign is flipped)"),
            (_propagate_cost_sign, "the cost is missing its minus sign"),
            (_propagate_no_b, "b is not added to w^T X"))),
    dataclasses.replace(
        public.OPTIMIZE, reference=_quiet(optimize), cases=_optimize_cases,
        diagnoses=_diagnoses(
            (_optimize_variant(update_b_with_dw=True), "b is updated with dw instead of db"),
            (_optimize_variant(ascent=True),
             "the update climbs the cost: subtract learning_rate * gradient"),
            (_optimize_variant(extra_iteration=True), "the loop runs num_iterations + 1 times"),
            (_optimize_variant(every_iteration=True),
             "the cost is recorded at every iteration; record it when i % 100 == 0"),
            (_optimize_variant(late_costs=True),
             "the costs are recorded at the wrong iterations; record them when i % 100 == 0"),
            (_optimize_variant(grads_after=True),
             "grads should be the ones computed in the last iteration, before the last update"),
            (_optimize_variant(fixed_lr=0.009),
             "the learning rate is fixed at 0.009; use the learning_rate argument"))),
    dataclasses.replace(
        public.PREDICT, reference=_quiet(predict), cases=_predict_cases,
        diagnoses=_diagnoses(
            (_predict_ge, "an activation of exactly 0.5 must give label 0: use A > 0.5, "
                          "not A >= 0.5"),
            (_predict_no_b, "b is not added to w^T X"),
            # last: with a single example any wrong label is also "inverted"
            (_predict_inverted, "the labels are inverted: 1 means A > 0.5"))),
    dataclasses.replace(
        public.MODEL, reference=_quiet(model), cases=_model_cases,
        diagnoses=_diagnoses(
            (_model_variant(untrained=True),
             "the predictions and w, b come from the zero initialisation; take w and b from "
             "the params that optimize returns"),
            (_model_variant(on_test=True),
             "the model is trained on the test set; optimize must use X_train, Y_train"),
            (_model_variant(ignore_args=True),
             "num_iterations and learning_rate are not passed on to optimize"))),
]


# Mistakes the simulated "partial" student of `dlcourse demo` makes:
# (function, text in the reference solution, replacement).
SIMULATED_MISTAKES = [
    ("initialize_with_zeros", "b = 0.0", "b = np.zeros((1, 1))"),
    ("propagate", "dw = np.dot(X, dZ.T) / m", "dw = np.dot(X, dZ.T)"),
    ("predict", "A > 0.5", "A >= 0.5"),
]
