"""a04_deep_network_application: reference solutions and hidden checks (instructors only).

The two graded functions train whole networks, so the hidden cases never rerun the
2,500 iterations on 12288 x 209 pictures: they draw small problems (3-20 inputs,
5-40 examples, 1-4 hidden layers, 5-60 iterations, random learning rates) from the
grading-time ``rng`` and compare the returned parameters with the reference's.

The models call the building blocks of assignment a03.  Students get those in the
locked ``setup_building_blocks`` cell of the a04 notebook (which the grading worker
runs before their functions); this module carries the same functions for the
reference, and ``tests/test_a04_deep_network_application.py`` proves that the two
copies compute the same numbers.  Because the a04 release hands out a03's answers,
it must be released only after a03 is due (``RELEASE_CONTAINS_ANSWERS_OF``).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from dlcourse.autograder.checks import Case
from dlcourse.utils.checks import a04_deep_network_application as public
from dlcourse.utils.deep_network import relu, relu_backward, sigmoid, sigmoid_backward

__all__ = ["initialize_parameters", "initialize_parameters_deep", "linear_forward",
           "linear_activation_forward", "L_model_forward", "compute_cost", "linear_backward",
           "linear_activation_backward", "L_model_backward", "update_parameters", "predict",
           "two_layer_model", "L_layer_model", "HIDDEN_CHECKS", "SIMULATED_MISTAKES",
           "RELEASE_CONTAINS_ANSWERS_OF", "BUILDING_BLOCKS"]

#: the audit lets the a04 release carry these assignments' answers (the building blocks)
RELEASE_CONTAINS_ANSWERS_OF = ["a03_deep_network_step_by_step"]

BUILDING_BLOCKS = ["initialize_parameters", "initialize_parameters_deep", "linear_forward",
                   "linear_activation_forward", "L_model_forward", "compute_cost",
                   "linear_backward", "linear_activation_backward", "L_model_backward",
                   "update_parameters", "predict"]


# ============================================================================================
# The building blocks (as in the notebook's setup_building_blocks cell)
# ============================================================================================

def initialize_parameters(n_x, n_h, n_y):
    np.random.seed(1)
    parameters = {"W1": np.random.randn(n_h, n_x) * 0.01, "b1": np.zeros((n_h, 1))}
    parameters["W2"] = np.random.randn(n_y, n_h) * 0.01
    parameters["b2"] = np.zeros((n_y, 1))
    return parameters


def initialize_parameters_deep(layer_dims):
    np.random.seed(1)
    parameters = {}
    for l in range(1, len(layer_dims)):
        n_in, n_out = layer_dims[l - 1], layer_dims[l]
        parameters["W" + str(l)] = np.random.randn(n_out, n_in) / np.sqrt(n_in)
        parameters["b" + str(l)] = np.zeros((n_out, 1))
    return parameters


def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    return Z, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "relu":
        A, activation_cache = relu(Z)
    elif activation == "sigmoid":
        A, activation_cache = sigmoid(Z)
    else:
        raise ValueError(f"activation must be 'relu' or 'sigmoid', not {activation!r}")
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters):
    L = len(parameters) // 2
    caches = []
    A = X
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)],
                                             parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)],
                                          parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    losses = Y * np.log(AL) + (1 - Y) * np.log(1 - AL)
    return float(-np.sum(losses) / m)


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.dot(dZ, A_prev.T) / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
    else:
        raise ValueError(f"activation must be 'relu' or 'sigmoid', not {activation!r}")
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    dA, grads["dW" + str(L)], grads["db" + str(L)] = \
        linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    for l in range(L - 1, 0, -1):  # the ReLU layers L-1, ..., 1
        grads["dA" + str(l)] = dA
        (A_prev, W, b), Z = caches[l - 1]
        dZ = relu_backward(dA, Z)
        m = A_prev.shape[1]
        grads["dW" + str(l)] = np.dot(dZ, A_prev.T) / m
        grads["db" + str(l)] = np.sum(dZ, axis=1, keepdims=True) / m
        if l > 1:  # dA0, the gradient for the input pictures, updates nothing
            dA = np.dot(W.T, dZ)
    return grads


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    updated = {}
    for l in range(1, L + 1):
        for name in ("W" + str(l), "b" + str(l)):
            updated[name] = parameters[name] - learning_rate * grads["d" + name]
    return updated


def predict(X, y, parameters):
    m = X.shape[1]
    probabilities, _ = L_model_forward(X, parameters)
    p = (probabilities > 0.5).astype(float)
    print("Accuracy: " + str(np.sum((p == y) / m)))
    return p


# ============================================================================================
# The graded models (reference)
# ============================================================================================

def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    np.random.seed(1)
    (n_x, n_h, n_y) = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        W1, b1 = parameters["W1"], parameters["b1"]
        W2, b2 = parameters["W2"], parameters["b2"]
        A1, cache1 = linear_activation_forward(X, W1, b1, "relu")
        A2, cache2 = linear_activation_forward(A1, W2, b2, "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        dA0, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        parameters = update_parameters(parameters, grads, learning_rate)
        if print_cost and i % 100 == 0:
            print("Cost after iteration {}: {}".format(i, cost))
    return parameters


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    np.random.seed(1)
    parameters = initialize_parameters_deep(layers_dims)
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if print_cost and i % 100 == 0:
            print("Cost after iteration %i: %f" % (i, cost))
    return parameters


# ============================================================================================
# Hidden cases (rng: numpy Generator seeded at grading time)
# ============================================================================================

def _int(rng, low, high):
    """An int in [low, high]."""
    return int(rng.integers(low, high + 1))


def _problem(rng, n_x, m, kind):
    """Inputs in [0, 1] like scaled pixels and 0/1 labels from a noisy linear rule
    (both classes present), as int64 (the data's dtype) or float labels."""
    X = rng.random((n_x, m))
    score = rng.normal(size=(1, n_x)) @ (X - 0.5) + 0.3 * rng.normal(size=(1, m))
    Y = (score > np.median(score)).astype(np.int64)
    return X, (Y if kind == "int" else Y.astype(np.float64))


def _kwargs(rng, default_rate: bool, print_cost: bool):
    kwargs = {"num_iterations": _int(rng, 5, 60)}
    if not default_rate:
        kwargs["learning_rate"] = float(10 ** rng.uniform(-2, np.log10(0.5)))
    if print_cost:
        kwargs["print_cost"] = True
    return kwargs


def _label(X, dims, kwargs):
    rate = kwargs.get("learning_rate")
    rate = "default learning rate" if rate is None else f"learning_rate = {rate:.4f}"
    return f"X {X.shape}, layers {list(dims)}, {kwargs['num_iterations']} iterations, {rate}"


def _two_layer_cases(rng):
    cases = []
    for k in range(5):
        n_x, m, n_h = _int(rng, 3, 20), _int(rng, 5, 40), _int(rng, 2, 9)
        X, Y = _problem(rng, n_x, m, "int" if k % 2 == 0 else "float")
        dims = (n_x, n_h, 1) if k != 3 else [n_x, n_h, 1]  # a tuple or a list
        kwargs = _kwargs(rng, default_rate=(k == 1), print_cost=(k == 2))
        cases.append(Case((X, Y, dims), kwargs, label=_label(X, dims, kwargs)))
    return cases


def _L_layer_cases(rng):
    cases = []
    for k, hidden in enumerate((1, 2, 3, 4, _int(rng, 1, 4))):
        n_x, m = _int(rng, 3, 20), _int(rng, 5, 40)
        dims = [n_x] + [_int(rng, 2, 8) for _ in range(hidden)] + [1]
        X, Y = _problem(rng, n_x, m, "int" if k % 2 == 0 else "float")
        kwargs = _kwargs(rng, default_rate=(k == 1), print_cost=(k == 2))
        cases.append(Case((X, Y, dims), kwargs, label=_label(X, dims, kwargs)))
    return cases


# ============================================================================================
# Diagnoses: realistic wrong implementations
# ============================================================================================

def _two_layer_variant(*, init="small", sign=-1.0, hidden="relu", stale=False, update=True,
                       fixed_rate=False, extra_iterations=0):
    def model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
        n_x, n_h, n_y = layers_dims
        parameters = (initialize_parameters(n_x, n_h, n_y) if init == "small"
                      else initialize_parameters_deep([n_x, n_h, n_y]))
        rate = 0.0075 if fixed_rate else learning_rate
        W1, b1, W2, b2 = (parameters[k] for k in ("W1", "b1", "W2", "b2"))
        for _ in range(num_iterations + extra_iterations):
            if not stale:
                W1, b1, W2, b2 = (parameters[k] for k in ("W1", "b1", "W2", "b2"))
            A1, cache1 = linear_activation_forward(X, W1, b1, hidden)
            A2, cache2 = linear_activation_forward(A1, W2, b2, "sigmoid")
            dA2 = sign * (np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
            dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
            _, dW1, db1 = linear_activation_backward(dA1, cache1, hidden)
            new = update_parameters(parameters, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2},
                                    rate)
            if update:
                parameters = new
        return parameters
    return model


def _L_layer_variant(*, init="deep", sign=-1.0, update=True, fixed_rate=False,
                     extra_iterations=0):
    def model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
        if init == "deep":
            parameters = initialize_parameters_deep(layers_dims)
        else:  # the step-by-step version: x 0.01 instead of / sqrt(n_prev)
            parameters = initialize_parameters_deep(layers_dims)
            np.random.seed(init)
            for l in range(1, len(layers_dims)):
                parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 0.01
        rate = 0.0075 if fixed_rate else learning_rate
        for _ in range(num_iterations + extra_iterations):
            AL, caches = L_model_forward(X, parameters)
            grads = L_model_backward(AL, Y, caches)
            if sign > 0:
                grads = {k: -v for k, v in grads.items()}
            new = update_parameters(parameters, grads, rate)
            if update:
                parameters = new
        return parameters
    return model


def _two_layer_initial(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000,
                       print_cost=False):
    return initialize_parameters(*layers_dims)


_NO_UPDATE = ("the parameters never change: assign what update_parameters returns, "
              "parameters = update_parameters(parameters, grads, learning_rate)")
_FIXED_RATE = "learning_rate is ignored: pass the argument on to update_parameters"
_ASCENT = ("the gradient has the wrong sign, so every step goes uphill: "
           "dJ/dAL = -(Y / AL - (1 - Y) / (1 - AL))")

_TWO_LAYER_DIAGNOSES = [
    (_two_layer_variant(update=False), _NO_UPDATE),
    (_two_layer_variant(stale=True),
     "W1, b1, W2, b2 are taken from parameters once, before the loop: take them again in "
     "every iteration, after the update"),
    (_two_layer_variant(sign=1.0), _ASCENT.replace("AL", "A2")),
    (_two_layer_variant(init="deep"),
     "the weights start as randn / sqrt(n_prev) (initialize_parameters_deep); the 2-layer "
     "model starts from initialize_parameters(n_x, n_h, n_y) (randn x 0.01)"),
    (_two_layer_variant(hidden="sigmoid"),
     "the hidden layer uses sigmoid: it is LINEAR -> RELU, only the output layer is a sigmoid"),
    (_two_layer_variant(fixed_rate=True), _FIXED_RATE),
    (_two_layer_variant(extra_iterations=1), "one iteration too many: loop num_iterations times"),
    (_two_layer_variant(extra_iterations=-1), "one iteration too few: loop num_iterations times"),
]

_L_LAYER_DIAGNOSES = [
    (_L_layer_variant(update=False), _NO_UPDATE),
    (_L_layer_variant(init=1), "the weights are scaled by 0.01: initialize_parameters_deep "
                               "(randn / sqrt(n_prev)) gives the starting point"),
    (_L_layer_variant(init=3), "these are the step-by-step weights (seed 3, x 0.01): use "
                               "initialize_parameters_deep of this notebook"),
    (_L_layer_variant(sign=1.0), "the gradients are added, so every step goes uphill: "
                                 "parameters = parameters - learning_rate * gradient"),
    (_L_layer_variant(fixed_rate=True), _FIXED_RATE),
    (_L_layer_variant(extra_iterations=1), "one iteration too many: loop num_iterations times"),
    (_L_layer_variant(extra_iterations=-1), "one iteration too few: loop num_iterations times"),
]

_ERROR_HINTS = [
    (r"KeyError: '(dW|db)\d+'", "update_parameters looks up the gradients as grads['dW1'], "
                                "grads['db1'], ...: check the keys of grads"),
    (r"KeyError: '(W|b)\d+'", "the parameters are stored as 'W1', 'b1', ...: a hard-coded or "
                              "misspelled layer name?"),
    (r"shapes .* not aligned|matmul: Input operand", "a matrix product has mismatched shapes: "
                                                     "check what goes into each layer"),
]

HIDDEN_CHECKS = [
    dataclasses.replace(public.TWO_LAYER_MODEL, reference=two_layer_model, cases=_two_layer_cases,
                        diagnoses=_TWO_LAYER_DIAGNOSES, error_hints=_ERROR_HINTS),
    dataclasses.replace(public.L_LAYER_MODEL, reference=L_layer_model, cases=_L_layer_cases,
                        diagnoses=_L_LAYER_DIAGNOSES, error_hints=_ERROR_HINTS),
]

#: the demo's partial student: two_layer_model climbs the cost, L_layer_model forgets the update
#: the demo's partial student: a sign slip in the 2-layer model; its L-layer model is right,
#: so it earns part of the points (each model has only one graded cell)
SIMULATED_MISTAKES = [
    ("two_layer_model", "dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))",
     "dA2 = np.divide(Y, A2) - np.divide(1 - Y, 1 - A2)"),
]
