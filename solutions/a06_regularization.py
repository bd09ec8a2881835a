"""a06 -- reference solution and hidden checks (instructors only, never released).

The reference functions carry the notebook's names so tests can import them.
``HIDDEN_CHECKS`` draws new layer sizes (always the 3-layer network of the
assignment), new m, new values, new lambda and keep_prob at grading time.  The
dropout cases keep the assignment's seeded masks (``np.random.seed(1)`` at the
start of the forward pass) but vary ``keep_prob``, never using 1; every case is
redrawn until forgetting the rescaling or dropping units of the output layer
changes the result, so those two mistakes earn nothing.  The diagnoses are
realistic wrong implementations; when a student's output matches one, the
report names the mistake.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from dlcourse.autograder.checks import Case
from dlcourse.autograder.compare import compare
from dlcourse.utils.checks import a06_regularization as public
from dlcourse.utils.regularization import forward_propagation, relu, sigmoid

__all__ = ["compute_cost_with_regularization", "backward_propagation_with_regularization",
           "forward_propagation_with_dropout", "backward_propagation_with_dropout",
           "HIDDEN_CHECKS", "SIMULATED_MISTAKES"]


# ============================================================================================
# Reference implementation
# ============================================================================================

def _cross_entropy(A3, Y):
    """The given part of the cost (as the notebook's cell computes it)."""
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    return 1. / m * np.nansum(logprobs)


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    squares = sum(np.sum(np.square(parameters[name])) for name in ("W1", "W2", "W3"))
    return _cross_entropy(A3, Y) + (1 / m) * (lambd / 2) * squares


def _backward(X, Y, cache, *, l2=0.0, l2_layers=(1, 2, 3), masks=None, dA_scale=None,
              scaled=(1, 2)):
    """The 3-layer backward pass; ``l2`` is the factor of W added to the chosen dW, ``masks``
    lists the layers (1, 2) whose dA is multiplied by its mask, ``dA_scale`` is the factor of
    the dA of the ``scaled`` layers."""
    m = X.shape[1]
    if masks is None:
        (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    else:
        (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
        masks = {layer: {1: D1, 2: D2}[layer] for layer in masks}

    def penalty(layer, W):
        return l2 * W if layer in l2_layers else 0.0

    def dropout(layer, dA):
        if masks is None:
            return dA
        if layer in masks:
            dA = dA * masks[layer]
        return dA * dA_scale if layer in scaled else dA

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T) + penalty(3, W3)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = dropout(2, np.dot(W3.T, dZ3))
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T) + penalty(2, W2)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = dropout(1, np.dot(W2.T, dZ2))
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T) + penalty(1, W1)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def backward_propagation_with_regularization(X, Y, cache, lambd):
    return _backward(X, Y, cache, l2=lambd / X.shape[1])


def _forward_dropout(*, layers=(1, 2), rescale="divide", below=True, threshold=None, draw="rand",
                     output_layer=False, input_layer=False):
    """``np.random.seed(1)``, then the 3-layer forward pass with masks on ``layers``; the
    keyword arguments switch on one realistic mistake at a time."""
    def forward(X, parameters, keep_prob=0.5):
        np.random.seed(1)
        limit = keep_prob if threshold is None else threshold(keep_prob)

        def mask(A):
            r = np.random.rand(A.shape[0], A.shape[1]) if draw == "rand" else \
                np.random.randn(A.shape[0], A.shape[1])
            D = ((r < limit) if below else (r > limit)).astype(int)
            A = A * D
            if rescale == "divide":
                A = A / keep_prob
            elif rescale == "multiply":
                A = A * keep_prob
            return A, D

        W1, b1 = parameters["W1"], parameters["b1"]
        W2, b2 = parameters["W2"], parameters["b2"]
        W3, b3 = parameters["W3"], parameters["b3"]
        if input_layer:
            X, _ = mask(X)
        Z1 = np.dot(W1, X) + b1
        A1 = relu(Z1)
        D1 = np.ones(A1.shape, dtype=int)
        if 1 in layers:
            A1, D1 = mask(A1)
        Z2 = np.dot(W2, A1) + b2
        A2 = relu(Z2)
        D2 = np.ones(A2.shape, dtype=int)
        if 2 in layers:
            A2, D2 = mask(A2)
        Z3 = np.dot(W3, A2) + b3
        A3 = sigmoid(Z3)
        if output_layer:
            A3, _ = mask(A3)
        return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return forward


forward_propagation_with_dropout = _forward_dropout()
forward_propagation_with_dropout.__name__ = "forward_propagation_with_dropout"


def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    return _backward(X, Y, cache, masks=(1, 2), dA_scale=1 / keep_prob)


# ============================================================================================
# Hidden cases (rng: numpy Generator seeded at grading time)
# ============================================================================================

def _int(rng, low, high):
    """An int in [low, high]."""
    return int(rng.integers(low, high + 1))


def _sizes(rng):
    """``(n_x, n_1, n_2)`` with n_1 != n_2 (so the two masks cannot be swapped unnoticed)."""
    n_x, n_1, n_2 = _int(rng, 1, 5), _int(rng, 2, 8), _int(rng, 1, 5)
    if n_1 == n_2:
        n_1 += 1
    return n_x, n_1, n_2


def _parameters(rng, n_x, n_1, n_2, scale=1.5):
    """Random weights of a sensible size and slightly positive biases (live ReLUs)."""
    shapes = {"W1": (n_1, n_x), "W2": (n_2, n_1), "W3": (1, n_2)}
    out = {}
    for l, (name, shape) in enumerate(shapes.items(), 1):
        out[name] = rng.normal(size=shape) * scale / np.sqrt(shape[1])
        out[f"b{l}"] = rng.normal(size=(shape[0], 1)) * 0.3 + 0.2
    return {k: out[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3")}


def _labels(rng, m, kind):
    y = rng.random((1, m)) > 0.5
    return {"uint8": y.astype(np.uint8), "int": y.astype(np.int64), "float": y.astype(np.float64)}[kind]


def _keep_prob(rng):
    return round(float(rng.uniform(0.5, 0.95)), 3)


def _compute_cost_with_regularization_cases(rng):
    cases = []
    for m, kind, lambd in ((_int(rng, 2, 40), "uint8", float(rng.uniform(0.05, 1.5))),
                           (_int(rng, 2, 40), "float", float(rng.uniform(0.05, 1.5))),
                           (1, "int", float(rng.uniform(0.05, 1.5))),
                           (_int(rng, 5, 40), "float", float(rng.uniform(2.0, 6.0)))):
        n_x, n_1, n_2 = _sizes(rng)
        A3 = rng.uniform(0.02, 0.98, size=(1, m))
        cases.append(Case((A3, _labels(rng, m, kind), _parameters(rng, n_x, n_1, n_2), lambd),
                          label=f"layers [{n_x}, {n_1}, {n_2}, 1], m = {m}, lambd = {lambd:.3f}"))
    return cases


def _backward_propagation_with_regularization_cases(rng):
    cases = []
    for m in (_int(rng, 2, 30), _int(rng, 2, 30), 1, _int(rng, 5, 30)):
        n_x, n_1, n_2 = _sizes(rng)
        X = rng.normal(size=(n_x, m))
        parameters = _parameters(rng, n_x, n_1, n_2)
        _, cache = forward_propagation(X, parameters)
        lambd = float(rng.uniform(0.05, 3.0))
        cases.append(Case((X, _labels(rng, m, "float" if m % 2 else "uint8"), cache, lambd),
                          label=f"X ({n_x}, {m}), layers [{n_x}, {n_1}, {n_2}, 1], lambd = {lambd:.3f}"))
    return cases


def _differs(right, wrongs, case, check) -> bool:
    """True when every function in ``wrongs`` gives another result than ``right`` on ``case``."""
    expected = check.transform(right(*case.args, **case.kwargs))
    for wrong in wrongs:
        value = check.transform(wrong(*case.args, **case.kwargs))
        if not compare(value, expected, rtol=check.rtol, atol=check.atol):
            return False
    return True


def _forward_propagation_with_dropout_cases(rng):
    check = _FORWARD_CHECK
    cases = []
    for m, default in ((_int(rng, 3, 30), False), (_int(rng, 3, 30), False), (1, False),
                       (_int(rng, 3, 30), True)):
        for _ in range(30):  # redraw until the mistakes that must earn nothing show
            n_x, n_1, n_2 = _sizes(rng)
            X = rng.normal(size=(n_x, m))
            parameters = _parameters(rng, n_x, n_1, n_2)
            keep_prob = 0.5 if default else _keep_prob(rng)
            case = Case((X, parameters) if default else (X, parameters, keep_prob),
                        label=f"X ({n_x}, {m}), layers [{n_x}, {n_1}, {n_2}, 1], " +
                              ("keep_prob = 0.5 (the default)" if default else f"keep_prob = {keep_prob}"))
            if _differs(forward_propagation_with_dropout, _MUST_FAIL_FORWARD, case, check):
                break
        cases.append(case)
    return cases


def _backward_propagation_with_dropout_cases(rng):
    check = _BACKWARD_DROPOUT_CHECK
    cases = []
    for m, boolean in ((_int(rng, 3, 30), False), (_int(rng, 3, 30), True), (1, False),
                       (_int(rng, 3, 30), False)):
        for _ in range(30):
            n_x, n_1, n_2 = _sizes(rng)
            X = rng.normal(size=(n_x, m))
            parameters = _parameters(rng, n_x, n_1, n_2)
            keep_prob = _keep_prob(rng)
            _, cache = forward_propagation_with_dropout(X, parameters, keep_prob)
            if boolean:  # masks as the course's stored case has them
                cache = tuple(c.astype(bool) if i in (1, 6) else c for i, c in enumerate(cache))
            Y = _labels(rng, m, "float" if m % 2 else "uint8")
            case = Case((X, Y, cache, keep_prob),
                        label=f"X ({n_x}, {m}), layers [{n_x}, {n_1}, {n_2}, 1], keep_prob = {keep_prob}"
                              + (", boolean masks" if boolean else ""))
            if _differs(backward_propagation_with_dropout, _MUST_FAIL_BACKWARD, case, check):
                break
        cases.append(case)
    return cases


# ============================================================================================
# Diagnoses: realistic wrong implementations
# ============================================================================================

def _cost_with(factor=lambda m, lambd: lambd / (2 * m), *, cross_entropy=True, penalty=np.square,
               names=("W1", "W2", "W3"), norm=False):
    def cost(A3, Y, parameters, lambd):
        m = Y.shape[1]
        if norm:
            total = sum(np.linalg.norm(parameters[n]) for n in names)
        else:
            total = sum(np.sum(penalty(parameters[n])) for n in names)
        return (_cross_entropy(A3, Y) if cross_entropy else 0.0) + factor(m, lambd) * total
    return cost


def _backward_l2(factor, layers=(1, 2, 3)):
    def backward(X, Y, cache, lambd):
        return _backward(X, Y, cache, l2=factor(X.shape[1], lambd), l2_layers=layers)
    return backward


def _backward_dropout(masks=(1, 2), scale=lambda kp: 1 / kp, scaled=(1, 2)):
    def backward(X, Y, cache, keep_prob):
        return _backward(X, Y, cache, masks=masks, dA_scale=scale(keep_prob), scaled=scaled)
    return backward


_NO_RESCALE_FORWARD = _forward_dropout(rescale=None)
_OUTPUT_LAYER_FORWARD = _forward_dropout(output_layer=True)
_MUST_FAIL_FORWARD = (_NO_RESCALE_FORWARD, _OUTPUT_LAYER_FORWARD)
_NO_RESCALE_BACKWARD = _backward_dropout(scale=lambda kp: 1.0)
_MUST_FAIL_BACKWARD = (_NO_RESCALE_BACKWARD,)


def _forward_transform(result):
    """Everything the dropout forward pass returns: A3 and each cache entry (masks as floats)."""
    return public.dropout_forward_summary(result, keys=("A3",) + public.DROPOUT_CACHE_NAMES)


def _all_gradients(grads):
    if not isinstance(grads, dict):
        raise ValueError("return the gradients as a dict")
    return {k: grads[k] for k in public.GRADIENT_NAMES if k in grads}


_MASK_HINTS = [(r"operands could not be broadcast",
                "a mask has the wrong shape: D1 goes with A1 / dA1, D2 with A2 / dA2")]

_FORWARD_CHECK = dataclasses.replace(
    public.FORWARD_PROPAGATION_WITH_DROPOUT, reference=forward_propagation_with_dropout,
    transform=_forward_transform, error_hints=_MASK_HINTS,
    diagnoses=[(_NO_RESCALE_FORWARD, "forgot to rescale by keep_prob: after A = A * D, divide A by "
                                     "keep_prob (inverted dropout keeps the expected value of A)"),
               (_forward_dropout(rescale="multiply"), "A is multiplied by keep_prob; inverted dropout "
                                                      "divides by it"),
               (_OUTPUT_LAYER_FORWARD, "dropout applied to the output layer: only the hidden layers "
                                       "A1 and A2 get a mask"),
               (_forward_dropout(input_layer=True), "dropout applied to the input layer X: only the "
                                                    "hidden layers A1 and A2 get a mask"),
               (_forward_dropout(below=False), "the masks are reversed: keep a unit when its random "
                                               "number is below keep_prob (D = D < keep_prob)"),
               (_forward_dropout(threshold=lambda kp: 1 - kp),
                "the threshold is 1 - keep_prob: keep_prob is the probability of *keeping* a unit, "
                "D = (D < keep_prob)"),
               (_forward_dropout(layers=(1,)), "only A1 gets a mask: apply dropout to A2 as well (D2)"),
               (_forward_dropout(layers=(2,)), "only A2 gets a mask: apply dropout to A1 as well (D1)"),
               (_forward_dropout(draw="randn"), "the masks use np.random.randn; draw them with "
                                                "np.random.rand (uniform on [0, 1))")])

_BACKWARD_DROPOUT_CHECK = dataclasses.replace(
    public.BACKWARD_PROPAGATION_WITH_DROPOUT, reference=backward_propagation_with_dropout,
    transform=_all_gradients, error_hints=_MASK_HINTS,
    diagnoses=[(_NO_RESCALE_BACKWARD, "forgot to rescale by keep_prob: after dA = dA * D, divide dA "
                                      "by keep_prob, as in the forward pass"),
               (_backward_dropout(scale=lambda kp: kp), "dA is multiplied by keep_prob; divide by it, "
                                                        "as in the forward pass"),
               (_backward_dropout(masks=()), "the masks are not applied: dA1 = dA1 * D1 and "
                                             "dA2 = dA2 * D2, then divide by keep_prob"),
               (_backward_dropout(masks=(2,)), "dA1 is not masked: shut down the same units of layer 1 "
                                               "as in the forward pass (D1)"),
               (_backward_dropout(masks=(1,)), "dA2 is not masked: shut down the same units of layer 2 "
                                               "as in the forward pass (D2)"),
               (_backward_dropout(masks=(2,), scaled=(2,)), "dA1 is neither masked nor rescaled: "
                                                            "dA1 = dA1 * D1, then dA1 / keep_prob"),
               (_backward_dropout(masks=(1,), scaled=(1,)), "dA2 is neither masked nor rescaled: "
                                                            "dA2 = dA2 * D2, then dA2 / keep_prob"),
               (_backward_dropout(masks=(), scale=lambda kp: 1.0),
                "dropout is ignored in the backward pass: the gradients of the dropped units must be 0")])

HIDDEN_CHECKS = [
    dataclasses.replace(
        public.COMPUTE_COST_WITH_REGULARIZATION, reference=compute_cost_with_regularization,
        cases=_compute_cost_with_regularization_cases,
        diagnoses=[(_cost_with(lambda m, lambd: lambd / 2), "L2 term missing the 1/m: it is "
                                                            "(1/m) * (lambd/2) * (sum of squares)"),
                   (_cost_with(lambda m, lambd: lambd / m), "L2 term missing the lambda/2 (it has lambda "
                                                            "without the 1/2): (1/m) * (lambd/2) * ..."),
                   (_cost_with(lambda m, lambd: lambd), "L2 term missing the 1/m and the 1/2: "
                                                        "(1/m) * (lambd/2) * (sum of squares)"),
                   (_cost_with(lambda m, lambd: 1 / (2 * m)), "L2 term missing the lambda: "
                                                              "(1/m) * (lambd/2) * (sum of squares)"),
                   (_cost_with(cross_entropy=False), "only the L2 term is returned: add the "
                                                     "cross-entropy cost (cross_entropy_cost)"),
                   (_cost_with(lambda m, lambd: 0.0), "the L2 term is missing: this is the plain "
                                                      "cross-entropy"),
                   (_cost_with(norm=True), "the Frobenius norm must be squared: np.sum(np.square(W))"),
                   (_cost_with(penalty=lambda W: W), "the weights must be squared before summing: "
                                                     "np.sum(np.square(W))"),
                   (_cost_with(penalty=np.abs), "np.abs gives L1 regularization; L2 sums the squares"),
                   (_cost_with(names=("W1", "W2")), "W3 is left out: the L2 term sums over W1, W2 and W3"),
                   (_cost_with(names=("W3",)), "only W3 is penalised: the L2 term sums over W1, W2 and W3")],
        error_hints=[(r"KeyError: 'W4'", "the network has three layers: W1, W2, W3")]),
    dataclasses.replace(
        public.BACKWARD_PROPAGATION_WITH_REGULARIZATION, reference=backward_propagation_with_regularization,
        cases=_backward_propagation_with_regularization_cases, transform=_all_gradients,
        diagnoses=[(_backward_l2(lambda m, lambd: 0.0), "the L2 term is missing: add (lambd / m) * W to "
                                                        "each dW"),
                   (_backward_l2(lambda m, lambd: lambd), "the L2 term is missing the 1/m: (lambd / m) * W"),
                   (_backward_l2(lambda m, lambd: lambd / (2 * m)),
                    "the derivative of (lambd / 2m) * W**2 is (lambd / m) * W, not (lambd / 2m) * W"),
                   (_backward_l2(lambda m, lambd: 2 * lambd / m), "the L2 term is 2 * lambd / m * W; "
                                                                  "the 2 of the derivative cancels the "
                                                                  "1/2: (lambd / m) * W"),
                   (_backward_l2(lambda m, lambd: -lambd / m), "the L2 term has the wrong sign: "
                                                               "+ (lambd / m) * W"),
                   (_backward_l2(lambda m, lambd: lambd / m, layers=(3,)),
                    "the L2 term is added to dW3 only; dW2 and dW1 need theirs too"),
                   (_backward_l2(lambda m, lambd: lambd / m, layers=(2, 3)),
                    "dW1 has no L2 term: add (lambd / m) * W1")]),
    dataclasses.replace(_FORWARD_CHECK, cases=_forward_propagation_with_dropout_cases),
    dataclasses.replace(_BACKWARD_DROPOUT_CHECK, cases=_backward_propagation_with_dropout_cases),
]

#: what the simulated "partial" student of ``dlcourse demo`` gets wrong: (function, old, new)
SIMULATED_MISTAKES = [
    ("compute_cost_with_regularization", "(1 / m) * (lambd / 2)", "(lambd / 2)"),
    ("forward_propagation_with_dropout", "A2 = A2 / keep_prob", "A2 = A2"),
]
