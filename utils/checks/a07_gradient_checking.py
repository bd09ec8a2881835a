"""Public checks of a07 (gradient checking): the original course's test cases and expected values.

The 1-D cases use ``x, theta = 2, 4``.  The N-D case is the course's 4 -> 5 -> 3 -> 1 network
(:func:`dlcourse.utils.gradient_checking.gradient_check_n_test_case`) with the gradients of the
backward pass *as it is handed out*, with its two bugs (the notebook's ``backward_propagation_n``
before you repair it): the expected difference is the course's 0.285093156781.

About the tolerances.  ``gradient_check`` returns a tiny number (about 3e-10): a comparison with
numpy's default absolute tolerance (1e-8) would accept *any* small number, a hard-coded one
included, so the differences are compared with a relative tolerance only (``atol=0``).  For
``gradient_check_n``, forgetting the 2 of ``2 * epsilon`` moves the difference only from 0.2851
to 0.2884, so the check compares the value to six significant digits, not just the verdict.

Nothing here computes a graded function's answer.
"""
from __future__ import annotations

import numpy as np

from dlcourse.autograder.checks import Case, FunctionCheck, public_check
from dlcourse.utils.gradient_checking import forward_propagation_n, gradient_check_n_test_case

__all__ = ["FORWARD_PROPAGATION", "BACKWARD_PROPAGATION", "GRADIENT_CHECK", "GRADIENT_CHECK_N",
           "VECTOR_HINTS", "given_buggy_gradients", "check_forward_propagation",
           "check_backward_propagation", "check_gradient_check", "check_gradient_check_n"]

#: messages for the errors a gradient_check_n raises when it calls the vector helpers wrongly
VECTOR_HINTS = [
    (r"missing 1 required positional argument: 'template'",
     "vector_to_dictionary needs the parameters dict as its second argument, for the shapes: "
     "vector_to_dictionary(theta_plus, parameters)"),
    (r"vector_to_dictionary: theta has \d+ entries",
     "the vector given to vector_to_dictionary does not have one entry per parameter of the "
     "template network"),
]

FORWARD_PROPAGATION = FunctionCheck("forward_propagation", rtol=1e-9, atol=0.0)
BACKWARD_PROPAGATION = FunctionCheck("backward_propagation", rtol=1e-9, atol=0.0)
# relative tolerance only: see the module docstring
GRADIENT_CHECK = FunctionCheck("gradient_check", rtol=1e-6, atol=0.0)
GRADIENT_CHECK_N = FunctionCheck("gradient_check_n", rtol=1e-6, atol=0.0, error_hints=VECTOR_HINTS)


def given_buggy_gradients(X, Y, parameters) -> dict:
    """The gradients of the backward pass as handed out in the notebook, bugs included.

    (The same arithmetic as the notebook's ``backward_propagation_n`` before the repair; only
    dW1 ... db3 are returned, the entries ``gradients_to_vector`` reads.)
    """
    _, cache = forward_propagation_n(X, Y, parameters)
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    delta3 = A3 - Y
    delta2 = (W3.T @ delta3) * (A2 > 0)
    delta1 = (W2.T @ delta2) * (A1 > 0)
    return {"dW1": delta1 @ X.T / m, "db1": 4 / m * delta1.sum(axis=1, keepdims=True),
            "dW2": 2 / m * delta2 @ A1.T, "db2": delta2.sum(axis=1, keepdims=True) / m,
            "dW3": delta3 @ A2.T / m, "db3": delta3.sum(axis=1, keepdims=True) / m}


def check_forward_propagation(fn) -> None:
    """``forward_propagation(x=2, theta=4)`` must give ``J = 8``."""
    public_check(fn, FORWARD_PROPAGATION, [Case(
        (2, 4), expected=8, label="x = 2, theta = 4",
        known_mistakes=[(6, "J = theta + x: the cost of this 1-D model is the product theta * x"),
                        (16, "J = theta ** 2 (or theta * theta): the cost is theta * x")])])


def check_backward_propagation(fn) -> None:
    """``backward_propagation(x=2, theta=4)`` must give ``dtheta = 2``."""
    public_check(fn, BACKWARD_PROPAGATION, [Case(
        (2, 4), expected=2, label="x = 2, theta = 4",
        known_mistakes=[(4, "dtheta = theta is the derivative with respect to x; "
                            "dJ/dtheta = x"),
                        (8, "that is J itself; return its derivative dJ/dtheta = x")])])


def check_gradient_check(fn) -> None:
    """``gradient_check(x=2, theta=4)`` (epsilon = 1e-7): difference 2.9193358103083e-10."""
    public_check(fn, GRADIENT_CHECK, [Case(
        (2, 4), expected=2.9193358103083e-10, label="x = 2, theta = 4, epsilon = 1e-7",
        known_mistakes=[
            (1 / 3, "the numerical gradient comes out twice as large as it should: the two-sided "
                    "difference divides by 2 * epsilon (and perturbs theta, not x)"),
            (1.0, "the numerical gradient has the wrong sign: J_plus - J_minus, in this order"),
            (1.167734353657579e-09, "this is only the numerator: divide ||grad - gradapprox|| by "
                                    "||grad|| + ||gradapprox||"),
            (1.4021566110735082e-09, "a one-sided difference (J(theta + epsilon) - J(theta)) / "
                                     "epsilon; use the two-sided one, divided by 2 * epsilon")])])


def check_gradient_check_n(fn) -> None:
    """The course's 4-5-3-1 network with the handed-out (buggy) gradients: 0.285093156781."""
    X, Y, parameters = gradient_check_n_test_case()
    gradients = given_buggy_gradients(X, Y, parameters)
    public_check(fn, GRADIENT_CHECK_N, [Case(
        (parameters, gradients, X, Y), expected=0.285093156781,
        label="4-5-3-1 network, 3 examples, gradients of the handed-out backward pass",
        known_mistakes=[
            (0.28807918174985225, "the numerical gradient is twice too large: divide "
                                  "J_plus[i] - J_minus[i] by 2 * epsilon"),
            (2.3225406048733928, "this is only the numerator: divide ||grad - gradapprox|| by "
                                 "||grad|| + ||gradapprox||"),
            (0.8290770585967594, "theta_plus and theta_minus are copied once, before the loop: "
                                 "the perturbations of the earlier entries are still in them; "
                                 "make fresh copies inside the loop"),
            (0.5177906384974295, "theta_minus is copied from theta_plus: copy both from the "
                                 "unperturbed parameters_values"),
            (0.7862093414339403, "the same entry is perturbed in every iteration: perturb "
                                 "entry i"),
            (1.0, "the numerical gradient is zero (or has the wrong sign): theta_plus[i] gets "
                  "+ epsilon and theta_minus[i] gets - epsilon")])])
