"""a07 -- reference solution and hidden checks (instructors only, never released).

The reference functions carry the notebook's names so tests can import them; so does the
*repaired* ``backward_propagation_n`` (not graded: the notebook hands it out with two bugs
for the student to find, and a correct 3-layer backward pass is given code in other
assignments of the course).

Why the hidden cases look the way they do
------------------------------------------
``gradient_check`` (1-D) returns rounding noise, about 1e-10: a hard-coded value would pass a
comparison with an absolute tolerance.  The differences are therefore compared with a
relative tolerance only, on inputs where every correct way of writing the formula rounds the
same way: an epsilon that is a power of two (then dividing by ``2 * epsilon`` and multiplying
by ``1 / (2 * epsilon)`` are both exact), integer ``x`` and ``theta`` with the default
epsilon, and short binary fractions for which the difference is exactly 0.

``gradient_check_n`` runs on networks of random sizes, with the gradients either correct or
spoilt the way real backward passes go wrong (one block scaled, transposed blocks of a square
layer, a block of another layer): there the difference is large and moves a lot with any
mistake in the check (the factor 2, the norm in the denominator, the perturbed entry, a
perturbation left over from an earlier entry).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from dlcourse.autograder.checks import Case
from dlcourse.utils.checks import a07_gradient_checking as public
from dlcourse.utils.gradient_checking import (dictionary_to_vector, forward_propagation_n,
                                              gradients_to_vector, vector_to_dictionary)

__all__ = ["forward_propagation", "backward_propagation", "gradient_check", "gradient_check_n",
           "backward_propagation_n", "HIDDEN_CHECKS", "SIMULATED_MISTAKES"]


# ============================================================================================
# Reference implementation
# ============================================================================================

def forward_propagation(x, theta):
    return theta * x


def backward_propagation(x, theta):
    return x


def gradient_check(x, theta, epsilon=1e-7):
    theta_plus = theta + epsilon
    theta_minus = theta - epsilon
    J_plus = forward_propagation(x, theta_plus)
    J_minus = forward_propagation(x, theta_minus)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = backward_propagation(x, theta)
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    difference = numerator / denominator
    if difference < 1e-7:
        print("The gradient is correct!")
    else:
        print("The gradient is wrong!")
    return difference


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7):
    parameters_values, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))
    for i in range(num_parameters):
        theta_plus = np.copy(parameters_values)
        theta_plus[i] = theta_plus[i] + epsilon
        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus, parameters))
        theta_minus = np.copy(parameters_values)
        theta_minus[i] = theta_minus[i] - epsilon
        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus, parameters))
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    difference = numerator / denominator
    if difference > 2e-7:
        print("There is a mistake in the backward propagation! difference = " + str(difference))
    else:
        print("Your backward propagation works perfectly fine! difference = " + str(difference))
    return difference


def backward_propagation_n(X, Y, cache):
    """The repaired backward pass (not graded; used to build correct hidden gradients)."""
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = dZ3 @ A2.T / m
    db3 = dZ3.sum(axis=1, keepdims=True) / m
    dZ2 = (W3.T @ dZ3) * (A2 > 0)
    dW2 = 1 / m * dZ2 @ A1.T
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * (A1 > 0)
    dW1 = dZ1 @ X.T / m
    db1 = 1 / m * dZ1.sum(axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dZ1": dZ1, "dW1": dW1, "db1": db1}


# ============================================================================================
# Hidden cases (rng: numpy Generator seeded at grading time)
# ============================================================================================

def _int(rng, low, high):
    """An int in [low, high]."""
    return int(rng.integers(low, high + 1))


def _float(rng, scale=3.0):
    """A float of either sign, away from 0, with a random magnitude."""
    value = float(rng.uniform(0.3, 1.0) * scale * 10.0 ** rng.uniform(-1, 1))
    return value if rng.random() < 0.5 else -value


def _nonzero_int(rng, low, high):
    value = _int(rng, low, high)
    return value if value != 0 else high


def _forward_propagation_cases(rng):
    cases = [Case((_float(rng), _float(rng)), label="x and theta floats")]
    cases.append(Case((_nonzero_int(rng, -9, 9), _nonzero_int(rng, -9, 9)), label="x and theta ints"))
    x = _float(rng)
    cases.append(Case((x, 1.0), label="theta = 1"))
    cases.append(Case((0.0, _float(rng)), label="x = 0"))
    return cases


def _backward_propagation_cases(rng):
    x, theta = _float(rng), _float(rng)
    while abs(abs(x) - abs(theta)) < 0.1:
        theta = _float(rng)
    return [Case((x, theta), label="x and theta floats"),
            Case((_nonzero_int(rng, 2, 9), 1), label="theta = 1"),
            Case((_float(rng, 20.0), _float(rng, 0.2)), label="large x, small theta")]


def _dyadic(rng, bits=3, low=-20, high=20):
    """A short binary fraction k / 2**bits (exact in floating point)."""
    k = _int(rng, low, high)
    return (k if k != 0 else 3) / 2 ** bits


def _gradient_check_cases(rng):
    cases = []
    # power-of-two epsilon: every way of writing the two-sided difference rounds the same way
    for _ in range(3):
        k = _int(rng, 17, 26)
        x, theta = _float(rng), _float(rng)
        cases.append(Case((x, theta), {"epsilon": 2.0 ** -k},
                          label=f"x, theta floats, epsilon = 2**-{k}"))
    # the default epsilon on integers, like the public case
    x, theta = _nonzero_int(rng, 1, 9), _nonzero_int(rng, -9, 9)
    while (x, theta) == (2, 4):
        theta = _nonzero_int(rng, -9, 9)
    cases.append(Case((x, theta), label="x, theta ints, default epsilon"))
    # short binary fractions: nothing rounds, the difference is exactly 0
    k = _int(rng, 4, 12)
    cases.append(Case((_dyadic(rng), _dyadic(rng)), {"epsilon": 2.0 ** -k},
                      label=f"x, theta short binary fractions, epsilon = 2**-{k}"))
    return cases


def _random_network(rng, sizes, scale=1.0):
    parameters = {}
    for l in range(1, 4):
        parameters[f"W{l}"] = rng.normal(size=(sizes[l], sizes[l - 1])) * scale / np.sqrt(sizes[l - 1])
        parameters[f"b{l}"] = rng.normal(size=(sizes[l], 1)) * 0.3
    return parameters


def _labels(rng, m, one_d):
    y = (rng.random(m) > 0.5).astype(float)
    y[0], y[-1] = 1.0, 0.0  # both classes
    return y if one_d else y.reshape(1, m)


def _spoil(rng, gradients, sizes):
    """Gradients with one realistic mistake of a backward pass."""
    g = {k: np.array(v, dtype=float) for k, v in gradients.items() if k[:2] in ("dW", "db")}
    kind = _int(rng, 0, 3)
    if kind == 0:
        key, factor = ("dW2", 2.0) if rng.random() < 0.5 else ("db1", 4.0)
        g[key] = g[key] * factor
        what = f"{key} times {factor:g}"
    elif kind == 1:
        key = ["dW1", "dW2", "dW3", "db1", "db2", "db3"][_int(rng, 0, 5)]
        g[key] = -g[key]
        what = f"{key} with the wrong sign"
    elif kind == 2:
        key = ["dW1", "dW2", "dW3"][_int(rng, 0, 2)]
        g[key] = g[key] * float(rng.uniform(1.05, 1.6))
        what = f"{key} off by a factor"
    else:
        key = ["db1", "db2", "db3"][_int(rng, 0, 2)]
        g[key] = np.zeros_like(g[key])
        what = f"{key} left at zero"
    return g, what


def _network_case(rng, *, spoilt, one_d, epsilon=None, test_sizes=False):
    sizes = (4, 5, 3, 1) if test_sizes else (_int(rng, 2, 5), _int(rng, 2, 6), _int(rng, 2, 5), 1)
    m = 3 if test_sizes else _int(rng, 2, 8)
    for _ in range(20):  # a network where the ReLUs are not all dead and the gradient is not ~0
        X = rng.normal(size=(sizes[0], m))
        Y = _labels(rng, m, one_d)
        parameters = _random_network(rng, sizes)
        _, cache = forward_propagation_n(X, Y, parameters)
        gradients = backward_propagation_n(X, Y, cache)
        g = gradients_to_vector(gradients)
        if np.linalg.norm(g) > 1e-3 and np.count_nonzero(g) > g.size // 3:
            break
    what = "correct gradients"
    if spoilt:
        gradients, what = _spoil(rng, gradients, sizes)
    else:
        gradients = {k: v for k, v in gradients.items() if k[:2] in ("dW", "db")}
    n = int(sum(np.size(v) for v in parameters.values()))
    label = (f"{sizes[0]}-{sizes[1]}-{sizes[2]}-1 network ({n} parameters), m = {m}, {what}"
             + (", Y 1-D" if one_d else "") + (f", epsilon = {epsilon:g}" if epsilon else ""))
    kwargs = {} if epsilon is None else {"epsilon": epsilon}
    return Case((parameters, gradients, X, Y), kwargs, label=label)


def _gradient_check_n_cases(rng):
    return [
        _network_case(rng, spoilt=True, one_d=True, test_sizes=True),
        _network_case(rng, spoilt=True, one_d=False),
        _network_case(rng, spoilt=True, one_d=bool(rng.random() < 0.5),
                      epsilon=float(10.0 ** rng.uniform(-6, -5))),
        _network_case(rng, spoilt=False, one_d=False),
        _network_case(rng, spoilt=False, one_d=True, epsilon=1e-6),
    ]


# ============================================================================================
# Diagnoses: realistic wrong implementations
# ============================================================================================

def _forward_sum(x, theta):
    return theta + x


def _forward_square(x, theta):
    return theta * theta


def _backward_theta(x, theta):
    return theta


def _backward_returns_j(x, theta):
    return theta * x


def _gradient_check_with(*, two=True, denominator=True, perturb_x=False, one_sided=False):
    def check(x, theta, epsilon=1e-7):
        if perturb_x:
            J_plus, J_minus = forward_propagation(x + epsilon, theta), forward_propagation(x - epsilon, theta)
        elif one_sided:
            J_plus, J_minus = forward_propagation(x, theta + epsilon), forward_propagation(x, theta)
        else:
            J_plus, J_minus = forward_propagation(x, theta + epsilon), forward_propagation(x, theta - epsilon)
        gradapprox = (J_plus - J_minus) / ((2 if two and not one_sided else 1) * epsilon)
        grad = backward_propagation(x, theta)
        numerator = np.linalg.norm(grad - gradapprox)
        if not denominator:
            return numerator
        return numerator / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))
    return check


def _gradient_check_n_with(*, two=True, denominator=True, copy_once=False, wrong_entry=False,
                           minus_from_plus=False):
    def check(parameters, gradients, X, Y, epsilon=1e-7):
        values, _ = dictionary_to_vector(parameters)
        grad = gradients_to_vector(gradients)
        n = values.shape[0]
        gradapprox = np.zeros((n, 1))
        theta_plus, theta_minus = np.copy(values), np.copy(values)
        for i in range(n):
            if not copy_once:
                theta_plus, theta_minus = np.copy(values), np.copy(values)
            j = 0 if wrong_entry else i
            theta_plus[j] = theta_plus[j] + epsilon
            if minus_from_plus:
                theta_minus = np.copy(theta_plus)
            theta_minus[j] = theta_minus[j] - epsilon
            J_plus, _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus, parameters))
            J_minus, _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus, parameters))
            gradapprox[i] = (J_plus - J_minus) / ((2 if two else 1) * epsilon)
        numerator = np.linalg.norm(grad - gradapprox)
        if not denominator:
            return numerator
        return numerator / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))
    return check


# ============================================================================================

HIDDEN_CHECKS = [
    dataclasses.replace(
        public.FORWARD_PROPAGATION, reference=forward_propagation, cases=_forward_propagation_cases,
        diagnoses=[(_forward_sum, "J = theta + x: the cost of this model is the product theta * x"),
                   (_forward_square, "J = theta * theta: the cost is theta * x")]),
    dataclasses.replace(
        public.BACKWARD_PROPAGATION, reference=backward_propagation,
        cases=_backward_propagation_cases,
        diagnoses=[(_backward_theta, "returned theta: dJ/dtheta = x (theta is dJ/dx)"),
                   (_backward_returns_j, "returned J itself, not its derivative dJ/dtheta = x")]),
    dataclasses.replace(
        public.GRADIENT_CHECK, reference=gradient_check, cases=_gradient_check_cases,
        diagnoses=[(_gradient_check_with(two=False), "the two-sided difference must be divided "
                                                     "by 2 * epsilon, not epsilon"),
                   (_gradient_check_with(denominator=False), "the difference is not divided by "
                                                             "||grad|| + ||gradapprox||"),
                   (_gradient_check_with(perturb_x=True), "x is perturbed instead of theta"),
                   (_gradient_check_with(one_sided=True), "a one-sided difference "
                                                          "(J(theta + epsilon) - J(theta)) / epsilon "
                                                          "is used; use the two-sided one")]),
    dataclasses.replace(
        public.GRADIENT_CHECK_N, reference=gradient_check_n, cases=_gradient_check_n_cases,
        diagnoses=[(_gradient_check_n_with(two=False), "the numerical gradient is off by a factor "
                                                       "of 2: divide J_plus[i] - J_minus[i] by "
                                                       "2 * epsilon, not epsilon (and take "
                                                       "theta_plus and theta_minus as fresh copies "
                                                       "of the unperturbed parameters)"),
                   (_gradient_check_n_with(denominator=False), "the difference is not divided by "
                                                               "||grad|| + ||gradapprox||"),
                   (_gradient_check_n_with(copy_once=True), "theta_plus / theta_minus are copied "
                                                            "once, before the loop: the "
                                                            "perturbations of earlier entries are "
                                                            "still there; copy inside the loop"),
                   (_gradient_check_n_with(minus_from_plus=True), "theta_minus is copied from "
                                                                  "theta_plus (or from a vector "
                                                                  "that still carries the + "
                                                                  "epsilon): copy it from the "
                                                                  "unperturbed parameters"),
                   (_gradient_check_n_with(wrong_entry=True), "the same entry is perturbed in "
                                                              "every iteration: perturb entry i")]),
]

#: what the demo's "partial" student gets wrong: (function, exact text in the solution, replacement)
SIMULATED_MISTAKES = [  # mistakes that do not cascade into the other functions
    ("gradient_check", "(J_plus - J_minus) / (2 * epsilon)", "(J_plus - J_minus) / epsilon"),
    ("gradient_check_n", "difference = numerator / denominator", "difference = numerator"),
]
