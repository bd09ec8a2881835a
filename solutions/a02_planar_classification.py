"""a02 -- reference solution and hidden checks (instructors only, never released).

The reference functions carry the notebook's names so tests can import them.
``HIDDEN_CHECKS`` draws new shapes, values and seeds at grading time; the
diagnoses are realistic wrong implementations whose output, when a student's
matches it, names the likely mistake.
"""
from __future__ import annotations

import contextlib
import dataclasses
import io

import numpy as np

from dlcourse.autograder.checks import Case
from dlcourse.utils.checks import a02_planar_classification as public
from dlcourse.utils.planar import sigmoid

__all__ = ["layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost",
           "backward_propagation", "update_parameters", "nn_model", "predict", "HIDDEN_CHECKS"]


# ============================================================================================
# Reference implementation
# ============================================================================================

def layer_sizes(X, Y):
    return X.shape[0], 4, Y.shape[0]


def initialize_parameters(n_x, n_h, n_y):
    np.random.seed(2)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y, parameters):
    m = Y.shape[1]
    log_likelihood = Y * np.log(A2) + (1 - Y) * np.log(1 - A2)
    return float(-np.sum(log_likelihood) / m)


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2, W2 = cache["A1"], cache["A2"], parameters["W2"]
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * (1 - A1 ** 2)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    return {name: parameters[name] - learning_rate * grads["d" + name]
            for name in ("W1", "b1", "W2", "b2")}


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False):
    np.random.seed(3)
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        cost = compute_cost(A2, Y, parameters)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads)
        if print_cost and i % 1000 == 0:
            print("Cost after iteration %i: %f" % (i, cost))
    return parameters


def predict(parameters, X):
    A2, _ = forward_propagation(X, parameters)
    return A2 > 0.5


# ============================================================================================
# Hidden cases (rng: numpy Generator seeded at grading time)
# ============================================================================================

def _int(rng, low, high):
    """An int in [low, high]."""
    return int(rng.integers(low, high + 1))


def _labels(rng, shape, kind):
    """0/1 labels as bool, uint8 (the flower's dtype) or float."""
    y = rng.random(shape) > 0.5
    return {"bool": y, "uint8": y.astype(np.uint8), "float": y.astype(np.float64)}[kind]


def _random_parameters(rng, n_x, n_h, n_y=1, scale=1.0):
    return {"W1": rng.normal(size=(n_h, n_x)) * scale, "b1": rng.normal(size=(n_h, 1)) * scale,
            "W2": rng.normal(size=(n_y, n_h)) * scale, "b2": rng.normal(size=(n_y, 1)) * scale}


def _layer_sizes_cases(rng):
    cases = []
    for m in (_int(rng, 5, 40), _int(rng, 2, 9), 1):
        n_x, n_y = _int(rng, 1, 12), _int(rng, 1, 3)
        if n_x == m:
            n_x += 1
        while n_x == 4:  # n_x = 4 = n_h would hide a mix-up of the two
            n_x = _int(rng, 5, 12)
        cases.append(Case((rng.normal(size=(n_x, m)), rng.normal(size=(n_y, m))),
                          label=f"X ({n_x}, {m}), Y ({n_y}, {m})"))
    return cases


def _initialize_parameters_cases(rng):
    shapes = [(_int(rng, 1, 8), _int(rng, 1, 8), _int(rng, 1, 3)) for _ in range(3)]
    shapes.append((_int(rng, 2, 6), _int(rng, 5, 12), 1))
    return [Case(s, label=f"n_x = {s[0]}, n_h = {s[1]}, n_y = {s[2]}") for s in shapes]


def _forward_propagation_cases(rng):
    cases = []
    for m in (_int(rng, 2, 30), _int(rng, 2, 30), 1):
        n_x, n_h = _int(rng, 1, 6), _int(rng, 1, 8)
        X = rng.normal(size=(n_x, m))
        cases.append(Case((X, _random_parameters(rng, n_x, n_h)), label=f"X ({n_x}, {m}), n_h = {n_h}"))
    # large weights: tanh saturates and sigmoid sees large |z|
    n_x, n_h, m = _int(rng, 2, 4), _int(rng, 2, 6), _int(rng, 5, 15)
    cases.append(Case((rng.normal(size=(n_x, m)) * 3, _random_parameters(rng, n_x, n_h, scale=8.0)),
                      label=f"X ({n_x}, {m}), n_h = {n_h}, large weights"))
    return cases


def _compute_cost_cases(rng):
    cases = []
    for m, kind in ((_int(rng, 2, 50), "bool"), (_int(rng, 2, 50), "uint8"),
                    (_int(rng, 2, 50), "float"), (1, "float")):
        A2 = rng.uniform(0.02, 0.98, size=(1, m))
        Y = _labels(rng, (1, m), kind)
        if m == 1:  # a single red point: only the (1 - y) log(1 - a) term is non-zero
            Y = np.zeros((1, 1))
        parameters = _random_parameters(rng, _int(rng, 1, 4), _int(rng, 1, 5))
        cases.append(Case((A2, Y, parameters), label=f"m = {m}, {kind} labels"))
    return cases


def _backward_propagation_cases(rng):
    cases = []
    for m, kind in ((_int(rng, 2, 30), "bool"), (_int(rng, 2, 30), "float"),
                    (_int(rng, 2, 30), "uint8"), (1, "float")):
        n_x, n_h = _int(rng, 1, 6), _int(rng, 2, 8)
        X = rng.normal(size=(n_x, m))
        Y = _labels(rng, (1, m), kind)
        parameters = _random_parameters(rng, n_x, n_h, scale=0.7)
        _, cache = forward_propagation(X, parameters)  # a consistent cache: A1 = tanh(Z1)
        cases.append(Case((parameters, cache, X, Y), label=f"X ({n_x}, {m}), n_h = {n_h}"))
    return cases


def _update_parameters_cases(rng):
    cases = []
    for lr in (None, None, float(rng.uniform(0.01, 0.9)), float(rng.uniform(1.5, 3.0))):
        n_x, n_h, n_y = _int(rng, 1, 6), _int(rng, 1, 8), _int(rng, 1, 2)
        parameters = _random_parameters(rng, n_x, n_h, n_y)
        grads = {"d" + k: v for k, v in _random_parameters(rng, n_x, n_h, n_y).items()}
        kwargs = {} if lr is None else {"learning_rate": lr}
        label = f"n_x = {n_x}, n_h = {n_h}, " + ("default learning rate" if lr is None
                                                  else f"learning_rate = {lr:.3f}")
        cases.append(Case((parameters, grads), kwargs, label=label))
    return cases


def _insensitive(X, Y, n_h, num_iterations):
    """True when training barely reacts to rounding: a 1e-12 relative nudge of X moves no
    parameter by more than 1e-10.  At learning rate 1.2 some random problems are chaotic,
    and there two correct implementations that round differently would disagree."""
    a = nn_model(X, Y, n_h, num_iterations)
    b = nn_model(X * (1 + 1e-12), Y, n_h, num_iterations)
    return all(np.max(np.abs(a[k] - b[k])) <= 1e-10 for k in a)


def _nn_model_cases(rng):
    cases = []
    for n_h, low, high in ((4, 50, 200), (_int(rng, 1, 3), 20, 120), (_int(rng, 5, 8), 20, 120)):
        for _ in range(50):  # redraw the data until the run is well conditioned
            n_x, m, iters = _int(rng, 2, 4), _int(rng, 5, 40), _int(rng, low, high)
            X = rng.normal(size=(n_x, m))
            # labels from a curved rule so that there is something to learn
            Y = X[0:1] * X[-1:] + 0.3 * rng.normal(size=(1, m)) > 0
            if _insensitive(X, Y, n_h, iters):
                break
        if m % 2:
            Y = Y.astype(np.uint8)
        cases.append(Case((X, Y, n_h), {"num_iterations": iters, "print_cost": not cases},
                          label=f"X ({n_x}, {m}), n_h = {n_h}, {iters} iterations", timeout=20.0))
    X = rng.normal(size=(2, 1))
    cases.append(Case((X, np.array([[True]]), 3), {"num_iterations": 30},
                      label="a single example, n_h = 3, 30 iterations", timeout=20.0))
    return cases


def _quiet(fn):
    """``fn`` with its printing swallowed: the reference runs in the grader's process."""
    def quiet(*args, **kwargs):
        with contextlib.redirect_stdout(io.StringIO()):
            return fn(*args, **kwargs)
    return quiet


def _predict_cases(rng):
    cases = []
    for m in (_int(rng, 5, 40), _int(rng, 5, 40), 1):
        n_x, n_h = _int(rng, 1, 5), _int(rng, 1, 6)
        cases.append(Case((_random_parameters(rng, n_x, n_h), rng.normal(size=(n_x, m))),
                          label=f"X ({n_x}, {m}), n_h = {n_h}"))
    # W2 = 0 and b2 = 0: every probability is exactly 0.5, which is *not* above 0.5
    n_x, n_h, m = _int(rng, 2, 4), _int(rng, 2, 5), _int(rng, 3, 10)
    parameters = _random_parameters(rng, n_x, n_h)
    parameters["W2"] = np.zeros((1, n_h))
    parameters["b2"] = np.zeros((1, 1))
    cases.append(Case((parameters, rng.normal(size=(n_x, m))), label=f"X ({n_x}, {m}), A2 exactly 0.5"))
    return cases


# ============================================================================================
# Diagnoses: realistic wrong implementations
# ============================================================================================

def _layer_sizes_examples_axis(X, Y):
    return X.shape[1], 4, Y.shape[1]


def _layer_sizes_nh_is_nx(X, Y):
    return X.shape[0], X.shape[0], Y.shape[0]


def _init_no_scaling(n_x, n_h, n_y):
    np.random.seed(2)
    return {"W1": np.random.randn(n_h, n_x), "b1": np.zeros((n_h, 1)),
            "W2": np.random.randn(n_y, n_h), "b2": np.zeros((n_y, 1))}


def _init_w2_not_scaled(n_x, n_h, n_y):
    p = initialize_parameters(n_x, n_h, n_y)
    return dict(p, W2=p["W2"] * 100)


def _init_zeros(n_x, n_h, n_y):
    return {"W1": np.zeros((n_h, n_x)), "b1": np.zeros((n_h, 1)),
            "W2": np.zeros((n_y, n_h)), "b2": np.zeros((n_y, 1))}


def _init_uniform(n_x, n_h, n_y):
    np.random.seed(2)
    return {"W1": np.random.rand(n_h, n_x) * 0.01, "b1": np.zeros((n_h, 1)),
            "W2": np.random.rand(n_y, n_h) * 0.01, "b2": np.zeros((n_y, 1))}


def _init_w2_drawn_first(n_x, n_h, n_y):  # W2 drawn before W1
    np.random.seed(2)
    W2 = np.random.randn(n_y, n_h) * 0.01
    W1 = np.random.randn(n_h, n_x) * 0.01
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}


def _forward_with(hidden, output, *, biases=True, z1_into_layer2=False):
    def forward(X, parameters):
        b1 = parameters["b1"] if biases else 0.0
        b2 = parameters["b2"] if biases else 0.0
        Z1 = parameters["W1"] @ X + b1
        A1 = hidden(Z1)
        Z2 = parameters["W2"] @ (Z1 if z1_into_layer2 else A1) + b2
        A2 = output(Z2)
        return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return forward


def _cost_y_log_a_only(A2, Y, parameters):
    return float(-np.sum(Y * np.log(A2)))


def _cost_y_log_a_only_mean(A2, Y, parameters):
    return float(-np.sum(Y * np.log(A2)) / Y.shape[1])


def _cost_no_mean(A2, Y, parameters):
    return float(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))


def _cost_sign_flipped(A2, Y, parameters):
    return -compute_cost(A2, Y, parameters)


def _backward_with(derivative=lambda A1, Z1: 1 - A1 ** 2, *, scale=True, keepdims=True,
                   sum_all=False):
    def backward(parameters, cache, X, Y):
        m = X.shape[1]
        s = 1 / m if scale else 1.0
        A1, A2 = cache["A1"], cache["A2"]

        def col_sum(dZ):
            if sum_all:
                return s * np.sum(dZ)
            return s * np.sum(dZ, axis=1, keepdims=keepdims)

        dZ2 = A2 - Y
        dZ1 = (parameters["W2"].T @ dZ2) * derivative(A1, cache["Z1"])
        return {"dW1": s * dZ1 @ X.T, "db1": col_sum(dZ1), "dW2": s * dZ2 @ A1.T, "db2": col_sum(dZ2)}
    return backward


def _update_plus(parameters, grads, learning_rate=1.2):
    return {k: parameters[k] + learning_rate * grads["d" + k] for k in ("W1", "b1", "W2", "b2")}


def _update_fixed_rate(parameters, grads, learning_rate=1.2):
    return update_parameters(parameters, grads)


def _update_weights_only(parameters, grads, learning_rate=1.2):
    new = update_parameters(parameters, grads, learning_rate)
    return dict(new, b1=parameters["b1"], b2=parameters["b2"])


def _nn_model_fixed_n_h(X, Y, n_h, num_iterations=10000, print_cost=False):
    return nn_model(X, Y, 4, num_iterations)


def _nn_model_one_step_short(X, Y, n_h, num_iterations=10000, print_cost=False):
    return nn_model(X, Y, n_h, max(num_iterations - 1, 0))


def _predict_at_least_half(parameters, X):
    A2, _ = forward_propagation(X, parameters)
    return A2 >= 0.5


def _predict_inverted(parameters, X):
    A2, _ = forward_propagation(X, parameters)
    return A2 < 0.5


# ============================================================================================

HIDDEN_CHECKS = [
    dataclasses.replace(
        public.LAYER_SIZES, reference=layer_sizes, cases=_layer_sizes_cases,
        diagnoses=[(_layer_sizes_examples_axis, "n_x and n_y are numbers of rows (shape[0]); "
                                                "shape[1] counts the examples"),
                   (_layer_sizes_nh_is_nx, "n_h is fixed: set n_h = 4")]),
    dataclasses.replace(
        public.INITIALIZE_PARAMETERS, reference=initialize_parameters,
        cases=_initialize_parameters_cases,
        diagnoses=[(_init_no_scaling, "the weights are not multiplied by 0.01"),
                   (_init_w2_not_scaled, "W2 is not multiplied by 0.01"),
                   (_init_zeros, "the weights are zeros: use np.random.randn(...) * 0.01"),
                   (_init_uniform, "np.random.rand is uniform on [0, 1); use np.random.randn"),
                   (_init_w2_drawn_first, "draw W1 before W2 (the order of the random draws matters)")]),
    dataclasses.replace(
        public.FORWARD_PROPAGATION, reference=forward_propagation, cases=_forward_propagation_cases,
        transform=None,
        diagnoses=[(_forward_with(sigmoid, sigmoid), "the hidden layer uses sigmoid; use np.tanh"),
                   (_forward_with(lambda z: np.maximum(z, 0), sigmoid),
                    "the hidden layer uses ReLU; use np.tanh"),
                   (_forward_with(np.tanh, np.tanh), "the output layer uses tanh; use sigmoid"),
                   (_forward_with(np.tanh, sigmoid, biases=False), "the biases b1, b2 are not added"),
                   (_forward_with(np.tanh, sigmoid, z1_into_layer2=True),
                    "the second layer must take A1 = tanh(Z1) as input, not Z1")]),
    dataclasses.replace(
        public.COMPUTE_COST, reference=compute_cost, cases=_compute_cost_cases,
        diagnoses=[(_cost_y_log_a_only, "only the y*log(a) part is summed: the (1 - y)*log(1 - a) "
                                        "part and the 1/m are missing"),
                   (_cost_y_log_a_only_mean, "the (1 - y)*log(1 - a) part of the loss is missing"),
                   (_cost_no_mean, "the sum is not divided by m"),
                   (_cost_sign_flipped, "the sign is flipped: J = -(1/m) * sum(...), and the "
                                        "logs of probabilities are negative")]),
    dataclasses.replace(
        public.BACKWARD_PROPAGATION, reference=backward_propagation, cases=_backward_propagation_cases,
        diagnoses=[(_backward_with(lambda A1, Z1: 1 - A1), "the derivative of tanh is 1 - A1**2, not 1 - A1"),
                   (_backward_with(lambda A1, Z1: 1 - Z1 ** 2),
                    "the derivative of tanh is 1 - A1**2 with A1 = tanh(Z1); 1 - Z1**2 uses Z1"),
                   (_backward_with(lambda A1, Z1: A1 * (1 - A1)),
                    "A1 * (1 - A1) is the sigmoid's derivative; tanh needs 1 - A1**2"),
                   (_backward_with(scale=False), "the gradients are not divided by m"),
                   (_backward_with(keepdims=False), "db1/db2 lost their column dimension: "
                                                    "np.sum(..., axis=1, keepdims=True)"),
                   (_backward_with(sum_all=True), "db1/db2 must be summed along axis=1 (per unit, "
                                                  "keepdims=True), not over the whole array")]),
    dataclasses.replace(
        public.UPDATE_PARAMETERS, reference=update_parameters, cases=_update_parameters_cases,
        diagnoses=[(_update_plus, "the step goes uphill: use theta = theta - learning_rate * dtheta"),
                   (_update_fixed_rate, "the learning_rate argument is ignored (1.2 is only its default)"),
                   (_update_weights_only, "the biases b1, b2 must be updated too")]),
    dataclasses.replace(
        public.NN_MODEL, reference=_quiet(nn_model), cases=_nn_model_cases,
        diagnoses=[(_nn_model_fixed_n_h, "the n_h argument is ignored (layer_sizes's 4 is only for "
                                         "the layer_sizes exercise)"),
                   (_nn_model_one_step_short, "one gradient step too few: loop "
                                              "for i in range(num_iterations)")]),
    dataclasses.replace(
        public.PREDICT, reference=predict, cases=_predict_cases, transform=None,
        diagnoses=[(_predict_at_least_half, "a probability of exactly 0.5 is not above 0.5: use A2 > 0.5"),
                   (_predict_inverted, "the labels are inverted: predict 1 when A2 > 0.5")]),
]

#: what the simulated "partial" student of ``dlcourse demo`` gets wrong: (function, old, new)
SIMULATED_MISTAKES = [
    ("compute_cost", "cost = -np.sum(log_likelihood) / m", "cost = -np.sum(log_likelihood)"),
    ("backward_propagation", "(1 - A1 ** 2)", "(1 - A1)"),
    ("predict", "predictions = A2 > 0.5", "predictions = A2 >= 0.5"),
]
