"""a03 -- reference solution and hidden checks (instructors only, never released).

The reference functions carry the notebook's names so tests can import them.
``HIDDEN_CHECKS`` draws new depths, widths and values at grading time: networks
of 1 to 5 layers (so code written for exactly two or three layers fails), both
activations, single examples (m = 1).  ``L_model_backward`` is also judged
against a numerical gradient of the cost.  The diagnoses are realistic wrong
implementations; when a student's output matches one, the report names the
mistake.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from dlcourse.autograder.checks import Case
from dlcourse.utils.checks import a03_deep_network_step_by_step as public
from dlcourse.utils.deep_network import relu, relu_backward, sigmoid, sigmoid_backward

__all__ = ["initialize_parameters", "initialize_parameters_deep", "linear_forward",
           "linear_activation_forward", "L_model_forward", "compute_cost", "linear_backward",
           "linear_activation_backward", "L_model_backward", "update_parameters",
           "numerical_grads", "HIDDEN_CHECKS", "SIMULATED_MISTAKES"]


# ============================================================================================
# Reference implementation
# ============================================================================================

def initialize_parameters(n_x, n_h, n_y):
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x) * 0.01
    W2 = np.random.randn(n_y, n_h) * 0.01
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}


def initialize_parameters_deep(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters[f"W{l}"] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return parameters


def linear_forward(A, W, b):
    return np.dot(W, A) + b, (A, W, b)


_ACTIVATIONS = {"sigmoid": (sigmoid, sigmoid_backward), "relu": (relu, relu_backward)}


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = _ACTIVATIONS[activation][0](Z)
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters):
    n_layers = len(parameters) // 2
    caches = []
    A = X
    for l in range(1, n_layers + 1):
        activation = "sigmoid" if l == n_layers else "relu"
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], activation)
        caches.append(cache)
    return A, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    total = np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    return float(np.squeeze(-total / m))


def linear_backward(dZ, cache):
    A_prev, W, _ = cache
    m = A_prev.shape[1]
    dW = np.dot(dZ, A_prev.T) / m
    db = dZ.sum(axis=1, keepdims=True) / m
    return np.dot(W.T, dZ), dW, db


def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    dZ = _ACTIVATIONS[activation][1](dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    n_layers = len(caches)
    Y = Y.reshape(AL.shape)
    grads = {}
    dA = -(Y / AL - (1 - Y) / (1 - AL))
    for l in range(n_layers, 0, -1):  # layer l, its cache is caches[l - 1]
        activation = "sigmoid" if l == n_layers else "relu"
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(dA, caches[l - 1], activation)
        grads[f"dA{l - 1}"] = dA
    return {key: grads[key] for key in _grad_keys(n_layers)}


def update_parameters(parameters, grads, learning_rate):
    updated = dict(parameters)
    for l in range(1, len(parameters) // 2 + 1):
        updated[f"W{l}"] = parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]
        updated[f"b{l}"] = parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]
    return updated


def _grad_keys(n_layers):
    """dA0 .. dA{L-1}, dW1 .. dWL, db1 .. dbL (the order the notebook fills them is irrelevant)."""
    return ([f"dA{l}" for l in range(n_layers)] + [f"dW{l}" for l in range(1, n_layers + 1)]
            + [f"db{l}" for l in range(1, n_layers + 1)])


# ============================================================================================
# The numerical gradient (central differences of the reference forward pass and cost)
# ============================================================================================

def _cost_from_layer(A, parameters, first, Y):
    """The cost when the activations A of layer ``first - 1`` are fed into layers first..L."""
    n_layers = len(parameters) // 2
    for l in range(first, n_layers + 1):
        A, _ = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"],
                                         "sigmoid" if l == n_layers else "relu")
    return compute_cost(A, Y)


def _central_difference(f, x, eps):
    """d f / d x for every entry of the array ``x`` (changed in place, then restored)."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        keep = x[idx]
        x[idx] = keep + eps
        plus = f()
        x[idx] = keep - eps
        minus = f()
        x[idx] = keep
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


def numerical_grads(X, Y, parameters, eps=1e-6):
    """Every key of ``L_model_backward``'s result, by central differences of the cost.

    dW_l and db_l are dJ/dW_l and dJ/db_l.  The course's dA_l carries no 1/m (the 1/m is
    applied in dW and db), so dA_l = m * dJ/dA_l, with A_l held fixed and fed into the
    layers after it; dA0 is the gradient with respect to X.
    """
    parameters = {k: np.array(v, dtype=float) for k, v in parameters.items()}
    n_layers, m = len(parameters) // 2, X.shape[1]
    grads = {}
    for l in range(1, n_layers + 1):
        for name in ("W", "b"):
            grads[f"d{name}{l}"] = _central_difference(
                lambda: _cost_from_layer(X, parameters, 1, Y), parameters[f"{name}{l}"], eps)
    A = np.array(X, dtype=float)
    for l in range(n_layers):  # A is the output of layer l (A0 = X)
        grads[f"dA{l}"] = m * _central_difference(
            lambda: _cost_from_layer(A, parameters, l + 1, Y), A, eps)
        A, _ = linear_activation_forward(A, parameters[f"W{l + 1}"], parameters[f"b{l + 1}"],
                                         "relu")
    return {key: grads[key] for key in _grad_keys(n_layers)}


# ============================================================================================
# Hidden cases (rng: numpy Generator seeded at grading time)
# ============================================================================================

def _int(rng, low, high):
    """An int in [low, high]."""
    return int(rng.integers(low, high + 1))


def _layer_dims(rng, n_layers, n_last=None, low=1, high=7):
    dims = [_int(rng, low, high) for _ in range(n_layers + 1)]
    if n_last is not None:
        dims[-1] = n_last
    return dims


def _random_parameters(rng, dims, scale=1.0):
    """W_l ~ N(0, 1/n_{l-1}) (times ``scale``), b_l ~ N(0, 0.25): activations stay O(1)."""
    parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = rng.normal(size=(dims[l], dims[l - 1])) * scale / np.sqrt(dims[l - 1])
        parameters[f"b{l}"] = rng.normal(size=(dims[l], 1)) * 0.5
    return parameters


def _labels(rng, m, kind="float"):
    y = (rng.random((1, m)) > 0.5)
    if m > 1:  # at least one example of each class
        y[0, 0], y[0, -1] = True, False
    return y.astype(np.int64 if kind == "int" else np.float64)


def _depths(rng):
    """Depths 1, 2, 3 and one of 4-5: every fixed-depth shortcut fails somewhere."""
    return [1, 2, 3, _int(rng, 4, 5)]


def _initialize_parameters_cases(rng):
    shapes = [(_int(rng, 1, 8), _int(rng, 1, 8), _int(rng, 1, 3)) for _ in range(3)]
    shapes.append((_int(rng, 2, 6), _int(rng, 5, 10), 1))
    return [Case(s, label=f"n_x = {s[0]}, n_h = {s[1]}, n_y = {s[2]}") for s in shapes]


def _initialize_parameters_deep_cases(rng):
    cases = []
    for n_layers in _depths(rng):
        dims = _layer_dims(rng, n_layers, low=1, high=8)
        cases.append(Case((dims,), label=f"layer_dims = {dims} (L = {n_layers})"))
    return cases


def _linear_forward_cases(rng):
    cases = []
    for m in (_int(rng, 2, 9), _int(rng, 2, 9), 1):
        n_prev, n = _int(rng, 1, 7), _int(rng, 1, 7)
        A, W, b = rng.normal(size=(n_prev, m)), rng.normal(size=(n, n_prev)), rng.normal(size=(n, 1))
        cases.append(Case((A, W, b), label=f"A ({n_prev}, {m}), W ({n}, {n_prev})"))
    n = _int(rng, 2, 5)  # all square: W * A and A @ W run without an error
    cases.append(Case((rng.normal(size=(n, n)), rng.normal(size=(n, n)), rng.normal(size=(n, 1))),
                      label=f"A ({n}, {n}), W ({n}, {n})"))
    return cases


def _linear_activation_forward_cases(rng):
    cases = []
    for activation, m, scale in (("sigmoid", _int(rng, 2, 9), 1.0), ("relu", _int(rng, 2, 9), 1.0),
                                 ("relu", 1, 1.0), ("sigmoid", 1, 1.0),
                                 ("sigmoid", _int(rng, 3, 9), 15.0)):
        n_prev, n = _int(rng, 1, 6), _int(rng, 1, 6)
        A_prev = rng.normal(size=(n_prev, m))
        W, b = rng.normal(size=(n, n_prev)) * scale, rng.normal(size=(n, 1))
        extra = ", large |Z|" if scale > 1 else ""
        cases.append(Case((A_prev, W, b, activation),
                          label=f"{activation}, A_prev ({n_prev}, {m}), W ({n}, {n_prev}){extra}"))
    return cases


def _L_model_forward_cases(rng):
    cases = []
    for n_layers, m in [(d, _int(rng, 2, 8)) for d in _depths(rng)] + [(_int(rng, 2, 5), 1)]:
        dims = _layer_dims(rng, n_layers, n_last=1)
        X = rng.normal(size=(dims[0], m))
        cases.append(Case((X, _random_parameters(rng, dims)),
                          label=f"L = {n_layers}, layer_dims = {dims}, m = {m}"))
    return cases


def _compute_cost_cases(rng):
    cases = []
    for m, kind in ((_int(rng, 2, 40), "float"), (_int(rng, 2, 40), "int"),
                    (_int(rng, 2, 40), "float"), (1, "float")):
        AL = rng.uniform(0.02, 0.98, size=(1, m))
        Y = _labels(rng, m, kind)
        cases.append(Case((AL, Y), label=f"m = {m}, {kind} labels"))
    return cases


def _linear_backward_cases(rng):
    cases = []
    for m in (_int(rng, 2, 9), _int(rng, 2, 9), 1):
        n_prev, n = _int(rng, 1, 7), _int(rng, 1, 7)
        if n_prev == m:  # keep A_prev.shape[0] != A_prev.shape[1] (a mix-up would go unseen)
            n_prev += 1
        cache = (rng.normal(size=(n_prev, m)), rng.normal(size=(n, n_prev)), rng.normal(size=(n, 1)))
        cases.append(Case((rng.normal(size=(n, m)), cache), label=f"dZ ({n}, {m}), A_prev ({n_prev}, {m})"))
    n, m = _int(rng, 2, 5), _int(rng, 6, 9)  # W square
    cache = (rng.normal(size=(n, m)), rng.normal(size=(n, n)), rng.normal(size=(n, 1)))
    cases.append(Case((rng.normal(size=(n, m)), cache), label=f"dZ ({n}, {m}), W ({n}, {n})"))
    return cases


def _linear_activation_backward_cases(rng):
    cases = []
    for activation, m in (("relu", _int(rng, 2, 9)), ("sigmoid", _int(rng, 2, 9)), ("relu", 1),
                          ("sigmoid", 1), ("relu", _int(rng, 2, 9))):
        n_prev, n = _int(rng, 1, 6), _int(rng, 1, 6)
        if n_prev == m:
            n_prev += 1
        A_prev = rng.normal(size=(n_prev, m))
        W, b = rng.normal(size=(n, n_prev)), rng.normal(size=(n, 1))
        Z = rng.normal(size=(n, m))
        if activation == "relu" and m > 1:  # both signs present
            Z[0, 0], Z[-1, -1] = abs(Z[0, 0]) + 0.1, -abs(Z[-1, -1]) - 0.1
        cases.append(Case((rng.normal(size=(n, m)), ((A_prev, W, b), Z), activation),
                          label=f"{activation}, dA ({n}, {m}), A_prev ({n_prev}, {m})"))
    return cases


def _network(rng, n_layers, m, margin=0.0, tries=200):
    """X, Y, parameters and the reference forward pass of a random network.

    With ``margin`` > 0 it redraws until every pre-activation is at least ``margin`` away from
    the relu kink and the output stays away from 0 and 1 (for the numerical gradient).
    """
    for _ in range(tries):
        dims = _layer_dims(rng, n_layers, n_last=1, low=2, high=6)
        parameters = _random_parameters(rng, dims)
        X = rng.normal(size=(dims[0], m))
        AL, caches = L_model_forward(X, parameters)
        hidden_Z = [cache[1] for cache in caches[:-1]]
        if margin == 0 or (all(np.min(np.abs(Z)) > margin for Z in hidden_Z)
                           and 0.02 < AL.min() and AL.max() < 0.98):
            break
    else:
        raise RuntimeError("no well-conditioned network found")
    return X, _labels(rng, m, "int" if m % 2 else "float"), parameters, dims, AL, caches


def _L_model_backward_cases(rng):
    cases = []
    for n_layers, m in [(d, _int(rng, 2, 8)) for d in _depths(rng)] + [(_int(rng, 2, 5), 1)]:
        _, Y, _, dims, AL, caches = _network(rng, n_layers, m)
        cases.append(Case((AL, Y, caches), label=f"L = {n_layers}, layer_dims = {dims}, m = {m}"))
    # judged against central differences of the cost, not against the reference
    n_layers, m = _int(rng, 2, 4), _int(rng, 3, 6)
    X, Y, parameters, dims, AL, caches = _network(rng, n_layers, m, margin=0.05)
    cases.append(Case((AL, Y, caches), expected=numerical_grads(X, Y, parameters),
                      label=f"numerical gradient, L = {n_layers}, layer_dims = {dims}, m = {m}"))
    return cases


def _update_parameters_cases(rng):
    cases = []
    for n_layers in _depths(rng):
        dims = _layer_dims(rng, n_layers)
        parameters = _random_parameters(rng, dims)
        grads = {"d" + k: v for k, v in _random_parameters(rng, dims).items()}
        if n_layers % 2:  # as L_model_backward returns them: with the dA keys too
            grads.update({f"dA{l}": rng.normal(size=(dims[l], 3)) for l in range(n_layers)})
        lr = float(rng.uniform(0.01, 1.5))
        cases.append(Case((parameters, grads, lr), label=f"L = {n_layers}, learning_rate = {lr:.3f}"))
    return cases


# ============================================================================================
# Diagnoses: realistic wrong implementations
# ============================================================================================

def _init_with(*, scale=0.01, draw=np.random.randn, w2_scale=None, w2_first=False):
    def init(n_x, n_h, n_y):
        np.random.seed(1)
        if w2_first:
            W2 = draw(n_y, n_h) * scale
            W1 = draw(n_h, n_x) * scale
        else:
            W1 = draw(n_h, n_x) * scale
            W2 = draw(n_y, n_h) * (scale if w2_scale is None else w2_scale)
        return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}
    return init


def _init_deep_with(*, scale=0.01, draw=np.random.randn, random_biases=False, stop=0):
    def init(layer_dims):
        np.random.seed(3)
        parameters = {}
        for l in range(1, len(layer_dims) - stop):
            parameters[f"W{l}"] = draw(layer_dims[l], layer_dims[l - 1]) * scale
            parameters[f"b{l}"] = (np.random.randn(layer_dims[l], 1) * scale if random_biases
                                   else np.zeros((layer_dims[l], 1)))
        return parameters
    return init


def _init_deep_two_layers(layer_dims):
    np.random.seed(3)
    return {"W1": np.random.randn(layer_dims[1], layer_dims[0]) * 0.01,
            "b1": np.zeros((layer_dims[1], 1)),
            "W2": np.random.randn(layer_dims[2], layer_dims[1]) * 0.01,
            "b2": np.zeros((layer_dims[2], 1))}


def _lf_no_bias(A, W, b):
    return W @ A, (A, W, b)


def _lf_cache(order):
    def forward(A, W, b):
        parts = {"A": A, "W": W, "b": b, "Z": W @ A + b}
        return parts["Z"], tuple(parts[k] for k in order)
    return forward


def _lf_elementwise(A, W, b):
    return W * A + b, (A, W, b)


def _lf_reversed_product(A, W, b):
    return A @ W + b, (A, W, b)


_OTHER = {"sigmoid": "relu", "relu": "sigmoid"}


def _laf_with(*, swap=False, layout="right", keep_pair=False):
    def forward(A_prev, W, b, activation):
        Z = W @ A_prev + b
        pair = _ACTIVATIONS[_OTHER[activation] if swap else activation][0](Z)
        A = pair[0]
        linear_cache = (A_prev, W, b)
        cache = {"right": (linear_cache, Z), "reversed": (Z, linear_cache), "A": (linear_cache, A),
                 "flat": (A_prev, W, b, Z)}[layout]
        return (pair if keep_pair else A), cache
    return forward


def _lmf_with(*, hidden="relu", output="sigmoid", keep_last_cache=True, reverse_caches=False):
    def forward(X, parameters):
        n_layers = len(parameters) // 2
        caches, A = [], X
        for l in range(1, n_layers + 1):
            activation = output if l == n_layers else hidden
            A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], activation)
            if l < n_layers or keep_last_cache:
                caches.append(cache)
        return A, caches[::-1] if reverse_caches else caches
    return forward


def _cost_no_mean(AL, Y):
    return float(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


def _cost_y_log_a_only(AL, Y):
    return float(-np.sum(Y * np.log(AL)) / Y.shape[1])


def _cost_sign_flipped(AL, Y):
    return -compute_cost(AL, Y)


def _lb_with(*, scale_dW=True, scale_db=True, m_axis=1, db_sum_all=False, scale_dA=False):
    def backward(dZ, cache):
        A_prev, W, b = cache
        m = A_prev.shape[m_axis]
        dW = dZ @ A_prev.T / (m if scale_dW else 1)
        db = (np.sum(dZ) if db_sum_all else np.sum(dZ, axis=1, keepdims=True)) / (m if scale_db else 1)
        dA_prev = W.T @ dZ / (m if scale_dA else 1)
        return dA_prev, dW, db
    return backward


def _lab_with(*, swap=False, skip=False):
    def backward(dA, cache, activation):
        linear_cache, activation_cache = cache
        if skip:
            dZ = dA
        else:
            dZ = _ACTIVATIONS[_OTHER[activation] if swap else activation][1](dA, activation_cache)
        return linear_backward(dZ, linear_cache)
    return backward


def _lmb_with(*, dAL="right", hidden="relu", output="sigmoid", shift_dA=False, unscaled=False):
    def backward(AL, Y, caches):
        n_layers = len(caches)
        Y = Y.reshape(AL.shape)
        dA = {"right": -(Y / AL - (1 - Y) / (1 - AL)), "sign": Y / AL - (1 - Y) / (1 - AL),
              "dZ": AL - Y}[dAL]
        grads = {}
        for l in range(n_layers, 0, -1):
            activation = output if l == n_layers else hidden
            linear_cache, activation_cache = caches[l - 1]
            dZ = _ACTIVATIONS[activation][1](dA, activation_cache)
            m = 1 if unscaled else linear_cache[0].shape[1]
            grads[f"dW{l}"] = dZ @ linear_cache[0].T / m
            grads[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True) / m
            dA = linear_cache[1].T @ dZ
            grads[f"dA{l if shift_dA else l - 1}"] = dA
        return grads
    return backward


def _lmb_two_layers(AL, Y, caches):
    """Written for exactly two layers: caches[1] is the sigmoid layer, caches[0] the relu one."""
    Y = Y.reshape(AL.shape)
    grads = {}
    dAL = -(Y / AL - (1 - Y) / (1 - AL))
    grads["dA1"], grads["dW2"], grads["db2"] = linear_activation_backward(dAL, caches[1], "sigmoid")
    grads["dA0"], grads["dW1"], grads["db1"] = linear_activation_backward(grads["dA1"], caches[0], "relu")
    return grads


def _update_with(*, sign=-1.0, biases=True, stop=0, only_two=False, fixed_rate=None):
    def update(parameters, grads, learning_rate):
        lr = learning_rate if fixed_rate is None else fixed_rate
        new = dict(parameters)
        n_layers = 2 if only_two else len(parameters) // 2 - stop
        for l in range(1, n_layers + 1):
            new[f"W{l}"] = parameters[f"W{l}"] + sign * lr * grads[f"dW{l}"]
            if biases:
                new[f"b{l}"] = parameters[f"b{l}"] + sign * lr * grads[f"db{l}"]
        return new
    return update


# ============================================================================================

_FIXED_LAYER = (r"KeyError: '[Wb]\d+'",
                "reads a layer the network does not have, e.g. a fixed parameters['W3']: loop "
                "over the L = len(parameters) // 2 layers and build the keys with str(l)")
_MISMATCHED_PRODUCT = (r"matmul|not aligned|could not be broadcast",
                       "a product got incompatible shapes: layer l uses W{l}, b{l} and the output "
                       "A of layer l - 1 (are the layers hard-coded, or A not passed on?)")

HIDDEN_CHECKS = [
    dataclasses.replace(
        public.INITIALIZE_PARAMETERS, reference=initialize_parameters,
        cases=_initialize_parameters_cases,
        diagnoses=[(_init_with(scale=1.0), "the weights are not multiplied by 0.01"),
                   (_init_with(w2_scale=1.0), "W2 is not multiplied by 0.01"),
                   (_init_with(scale=0.0), "the weights are zeros: use np.random.randn(...) * 0.01"),
                   (_init_with(draw=np.random.rand), "np.random.rand is uniform on [0, 1); use "
                                                     "np.random.randn"),
                   (_init_with(w2_first=True), "draw W1 before W2 (the order of the random draws "
                                               "matters)")]),
    dataclasses.replace(
        public.INITIALIZE_PARAMETERS_DEEP, reference=initialize_parameters_deep,
        cases=_initialize_parameters_deep_cases,
        diagnoses=[(_init_deep_with(scale=1.0), "the weights are not multiplied by 0.01"),
                   (_init_deep_two_layers, "only W1, b1, W2, b2 are created: loop over every layer, "
                                           "for l in range(1, len(layer_dims))"),
                   (_init_deep_with(stop=1), "the last layer is missing: the loop must run to "
                                             "l = len(layer_dims) - 1, range(1, len(layer_dims))"),
                   (_init_deep_with(random_biases=True), "the biases must be zeros, "
                                                         "np.zeros((layer_dims[l], 1))"),
                   (_init_deep_with(draw=np.random.rand), "np.random.rand is uniform on [0, 1); "
                                                          "use np.random.randn")],
        error_hints=[(r"IndexError", "reads layer_dims past its end: there are len(layer_dims) - 1 "
                                     "layers, loop for l in range(1, len(layer_dims))")]),
    dataclasses.replace(
        public.LINEAR_FORWARD, reference=linear_forward, cases=_linear_forward_cases, transform=None,
        diagnoses=[(_lf_no_bias, "b is not added: Z = W @ A + b"),
                   (_lf_elementwise, "W * A multiplies entry by entry; Z needs the matrix product "
                                     "W @ A (np.dot(W, A))"),
                   (_lf_reversed_product, "the product is the wrong way round: Z = W @ A, not A @ W"),
                   (_lf_cache("WAb"), "the cache must be (A, W, b), in this order"),
                   (_lf_cache("AbW"), "the cache must be (A, W, b), in this order"),
                   (_lf_cache("AW"), "the cache must hold b too: cache = (A, W, b)"),
                   (_lf_cache("AWbZ"), "the cache holds the inputs only: cache = (A, W, b)")]),
    dataclasses.replace(
        public.LINEAR_ACTIVATION_FORWARD, reference=linear_activation_forward,
        cases=_linear_activation_forward_cases, transform=None,
        diagnoses=[(_laf_with(swap=True), "the wrong activation: activation == 'sigmoid' must apply "
                                          "sigmoid, 'relu' must apply relu"),
                   (_laf_with(keep_pair=True), "sigmoid(Z) and relu(Z) return a pair (A, Z): unpack "
                                               "it, A, activation_cache = relu(Z)"),
                   (_laf_with(layout="reversed"), "the cache must be (linear_cache, activation_cache)"
                                                  " = ((A_prev, W, b), Z), in this order"),
                   (_laf_with(layout="A"), "the activation cache must be Z (the cache sigmoid/relu "
                                           "return), not A"),
                   (_laf_with(layout="flat"), "the cache must be nested: (linear_cache, "
                                              "activation_cache) = ((A_prev, W, b), Z)")],
        error_hints=[(r"UnboundLocalError|NameError", "a name is used before it is set: is every "
                                                      "activation ('sigmoid' and 'relu') handled?")]),
    dataclasses.replace(
        public.L_MODEL_FORWARD, reference=L_model_forward, cases=_L_model_forward_cases, transform=None,
        diagnoses=[(_lmf_with(output="relu"), "the output layer L must use sigmoid"),
                   (_lmf_with(hidden="sigmoid"), "the hidden layers 1 .. L-1 must use relu"),
                   (_lmf_with(keep_last_cache=False), "the output layer's cache is missing: caches "
                                                      "holds one cache per layer, L in all"),
                   (_lmf_with(reverse_caches=True), "caches must be in layer order: caches[0] is "
                                                    "layer 1's cache (append as you go)")],
        error_hints=[_FIXED_LAYER, _MISMATCHED_PRODUCT,
                     (r"AssertionError.*assert AL\.shape",
                      "AL does not have the output layer's shape (1, m): the last layer is layer "
                      "L = len(parameters) // 2, read with str(L), not a fixed name such as 'W3'")]),
    dataclasses.replace(
        public.COMPUTE_COST, reference=compute_cost, cases=_compute_cost_cases,
        diagnoses=[(_cost_no_mean, "the sum is not divided by m (forgot the 1/m)"),
                   (_cost_y_log_a_only, "the (1 - y) * log(1 - a) part of the loss is missing"),
                   (_cost_sign_flipped, "the sign is flipped: J = -(1/m) * sum(...), and the logs "
                                        "of probabilities are negative")]),
    dataclasses.replace(
        public.LINEAR_BACKWARD, reference=linear_backward, cases=_linear_backward_cases,
        diagnoses=[(_lb_with(scale_dW=False, scale_db=False), "dW and db are not divided by m "
                                                              "(forgot the 1/m)"),
                   (_lb_with(scale_db=False), "db is not divided by m (forgot the 1/m)"),
                   (_lb_with(scale_dW=False), "dW is not divided by m (forgot the 1/m)"),
                   (_lb_with(m_axis=0), "m is the number of examples, A_prev.shape[1] "
                                        "(shape[0] counts the units of the previous layer)"),
                   (_lb_with(db_sum_all=True), "db sums over the examples only: "
                                               "np.sum(dZ, axis=1, keepdims=True) / m"),
                   (_lb_with(scale_dA=True), "dA_prev = W.T @ dZ has no 1/m")]),
    dataclasses.replace(
        public.LINEAR_ACTIVATION_BACKWARD, reference=linear_activation_backward,
        cases=_linear_activation_backward_cases,
        diagnoses=[(_lab_with(swap=True), "the wrong activation: activation == 'relu' goes back "
                                          "through relu_backward, 'sigmoid' through sigmoid_backward"),
                   (_lab_with(skip=True), "the activation's derivative is skipped: first dZ = "
                                          "relu_backward(dA, activation_cache) (or sigmoid_backward), "
                                          "then linear_backward(dZ, linear_cache)")],
        error_hints=[(r"values to unpack|inhomogeneous|array element with a sequence",
                      "the cache is (linear_cache, activation_cache) = ((A_prev, W, b), Z): "
                      "unpack it in this order"),
                     (r"UnboundLocalError|NameError", "a name is used before it is set: is every "
                                                      "activation ('sigmoid' and 'relu') handled?")]),
    dataclasses.replace(
        public.L_MODEL_BACKWARD, reference=L_model_backward, cases=_L_model_backward_cases,
        diagnoses=[(_lmb_two_layers, "written for exactly two layers: loop over the "
                                     "L = len(caches) layers"),
                   (_lmb_with(dAL="sign"), "dAL has the wrong sign: dAL = -(Y/AL - (1 - Y)/(1 - AL))"),
                   (_lmb_with(dAL="dZ"), "AL - Y is dZ of the output layer, not dA: start from "
                                         "dAL = -(Y/AL - (1 - Y)/(1 - AL)) and go through sigmoid_backward"),
                   (_lmb_with(output="relu"), "the output layer L goes back through 'sigmoid'"),
                   (_lmb_with(hidden="sigmoid"), "the hidden layers go back through 'relu'"),
                   (_lmb_with(shift_dA=True), "the dA keys are shifted: layer l gives "
                                              "grads['dA' + str(l - 1)] (the gradient of its input)"
                                              ", so the output layer fills dA{L-1} and layer 1 dA0"),
                   (_lmb_with(unscaled=True), "the gradients are not divided by m (forgot the 1/m, "
                                              "in linear_backward?)")],
        error_hints=[(r"KeyError: 'dA\d+'", "reads a gradient that is not computed yet: go "
                                            "backwards, for l in reversed(range(L - 1)), starting "
                                            "from dA{L-1} of the output layer"),
                     (r"IndexError", "caches has one entry per layer, caches[0] (layer 1) to "
                                     "caches[L - 1] (layer L): is a layer index fixed or off by "
                                     "one? L = len(caches)"),
                     (r"KeyError: 'd?[Wb]\d+'", "reads a layer that does not exist: "
                                                "L = len(caches)")]),
    dataclasses.replace(
        public.UPDATE_PARAMETERS, reference=update_parameters, cases=_update_parameters_cases,
        diagnoses=[(_update_with(sign=1.0), "the step goes uphill: theta = theta - "
                                            "learning_rate * d_theta"),
                   (_update_with(fixed_rate=0.1), "the learning_rate argument is ignored (0.1 is "
                                                  "only the example's value)"),
                   (_update_with(biases=False), "the biases b1 .. bL must be updated too"),
                   (_update_with(stop=1), "the last layer is not updated: loop "
                                          "for l in range(1, L + 1)"),
                   (_update_with(only_two=True), "only W1, b1, W2, b2 are updated: loop over the "
                                                 "L = len(parameters) // 2 layers")],
        error_hints=[(r"KeyError: 'd?[Wb]\d+'", "reads a layer the network does not have: "
                                                "L = len(parameters) // 2 and l runs from 1 to L")]),
]

#: what the simulated "partial" student of ``dlcourse demo`` gets wrong: (function, old, new)
SIMULATED_MISTAKES = [
    ("initialize_parameters", "W2 = np.random.randn(n_y, n_h) * 0.01", "W2 = np.random.randn(n_y, n_h)"),
    ("compute_cost", "(1 - Y) * np.log(1 - AL)) / m", "(1 - Y) * np.log(1 - AL))"),
]
