"""Public checks of a03 (a deep network, step by step): test cases and expected values.

Every ``*_test_case()`` rebuilds the inputs of the original course from the same
seeds, in the same draw order (``np.random.RandomState(seed)`` gives the
numbers ``np.random.seed(seed)`` + ``np.random.randn`` give, without touching
the global generator).  The expected values are the course's printed outputs;
where the course printed only part of a result (the caches, the extra keys of
``L_model_backward``) the values were recomputed once and are stored here.

Caches are shown by *name*: the check prints ``cache = '(A, W, b)'`` by
recognising which input (or which stored intermediate value) each entry of the
student's cache equals, so a reordered or missing entry reads as such.

Nothing here computes a graded function's answer.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from dlcourse.autograder.checks import Case, FunctionCheck, public_check

__all__ = [
    "initialize_parameters_test_case", "initialize_parameters_deep_test_case",
    "linear_forward_test_case", "linear_activation_forward_test_case",
    "L_model_forward_test_case_2hidden", "compute_cost_test_case", "linear_backward_test_case",
    "linear_activation_backward_test_case", "L_model_backward_test_case",
    "update_parameters_test_case",
    "check_initialize_parameters", "check_initialize_parameters_deep", "check_linear_forward",
    "check_linear_activation_forward", "check_L_model_forward", "check_compute_cost",
    "check_linear_backward", "check_linear_activation_backward", "check_L_model_backward",
    "check_update_parameters",
]


# --------------------------------------------------------------------------------------------
# Test cases (seeds and draw order of the original course)
# --------------------------------------------------------------------------------------------

def initialize_parameters_test_case() -> tuple[int, int, int]:
    """``(n_x, n_h, n_y) = (3, 2, 1)``."""
    return 3, 2, 1


def initialize_parameters_deep_test_case() -> list[int]:
    """``layer_dims = [5, 4, 3]``: 5 inputs, a hidden layer of 4 units, 3 output units."""
    return [5, 4, 3]


def linear_forward_test_case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seed 1: ``A`` (3, 2), then ``W`` (1, 3), then ``b`` (1, 1)."""
    rng = np.random.RandomState(1)
    A = rng.randn(3, 2)
    W = rng.randn(1, 3)
    b = rng.randn(1, 1)
    return A, W, b


def linear_activation_forward_test_case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seed 2: ``A_prev`` (3, 2), then ``W`` (1, 3), then ``b`` (1, 1)."""
    rng = np.random.RandomState(2)
    A_prev = rng.randn(3, 2)
    W = rng.randn(1, 3)
    b = rng.randn(1, 1)
    return A_prev, W, b


def L_model_forward_test_case_2hidden() -> tuple[np.ndarray, dict]:
    """Seed 6: ``X`` (5, 4), then W1 (4, 5), b1 (4, 1), W2 (3, 4), b2 (3, 1), W3 (1, 3), b3 (1, 1)."""
    rng = np.random.RandomState(6)
    X = rng.randn(5, 4)
    parameters = {}
    for l, (rows, cols) in enumerate([(4, 5), (3, 4), (1, 3)], start=1):
        parameters[f"W{l}"] = rng.randn(rows, cols)
        parameters[f"b{l}"] = rng.randn(rows, 1)
    return X, parameters


def compute_cost_test_case() -> tuple[np.ndarray, np.ndarray]:
    """``AL = [[0.8, 0.9, 0.4]]`` and ``Y = [[1, 1, 0]]`` (returned in the argument order AL, Y)."""
    Y = np.array([[1, 1, 0]])
    AL = np.array([[0.8, 0.9, 0.4]])
    return AL, Y


def linear_backward_test_case() -> tuple[np.ndarray, tuple]:
    """Seed 1: ``dZ`` (3, 4), then A_prev (5, 4), W (3, 5), b (3, 1); cache = (A_prev, W, b)."""
    rng = np.random.RandomState(1)
    dZ = rng.randn(3, 4)
    A = rng.randn(5, 4)
    W = rng.randn(3, 5)
    b = rng.randn(3, 1)
    return dZ, (A, W, b)


def linear_activation_backward_test_case() -> tuple[np.ndarray, tuple]:
    """Seed 2: ``dA`` (1, 2), A_prev (3, 2), W (1, 3), b (1, 1), Z (1, 2); cache = ((A_prev, W, b), Z)."""
    rng = np.random.RandomState(2)
    dA = rng.randn(1, 2)
    A = rng.randn(3, 2)
    W = rng.randn(1, 3)
    b = rng.randn(1, 1)
    Z = rng.randn(1, 2)
    return dA, ((A, W, b), Z)


def L_model_backward_test_case() -> tuple[np.ndarray, np.ndarray, tuple]:
    """Seed 3: ``AL`` (1, 2), ``Y = [[1, 0]]``, then the caches of a 2-layer network.

    Draw order: AL; A1 (4, 2), W1 (3, 4), b1 (3, 1), Z1 (3, 2); A2 (3, 2), W2 (1, 3), b2 (1, 1),
    Z2 (1, 2).  (The course's "A1" is the *input* of layer 1, i.e. X, and "A2" the input of
    layer 2; the arrays are random, not the result of a forward pass.)
    """
    rng = np.random.RandomState(3)
    AL = rng.randn(1, 2)
    Y = np.array([[1, 0]])
    layers = []
    for n_prev, n in [(4, 3), (3, 1)]:
        A_prev = rng.randn(n_prev, 2)
        W = rng.randn(n, n_prev)
        b = rng.randn(n, 1)
        Z = rng.randn(n, 2)
        layers.append(((A_prev, W, b), Z))
    return AL, Y, tuple(layers)


def update_parameters_test_case() -> tuple[dict, dict, float]:
    """Seed 2: W1 (3, 4), b1 (3, 1), W2 (1, 3), b2 (1, 1); seed 3: the same shapes for dW1 .. db2;
    learning rate 0.1."""
    shapes = [("W1", (3, 4)), ("b1", (3, 1)), ("W2", (1, 3)), ("b2", (1, 1))]
    rng = np.random.RandomState(2)
    parameters = {name: rng.randn(*shape) for name, shape in shapes}
    rng = np.random.RandomState(3)
    grads = {"d" + name: rng.randn(*shape) for name, shape in shapes}
    return parameters, grads, 0.1


# --------------------------------------------------------------------------------------------
# How results are compared
# --------------------------------------------------------------------------------------------

def _layout(value, known) -> str:
    """A nested cache written with names: ``((A_prev, W, b), Z)``.

    An array is named after the first entry of ``known`` (``[(name, array), ...]``) it equals;
    any other array is written ``array RxC``.  Tuples and lists are both written ``( )``.
    """
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_layout(v, known) for v in value) + ")"
    if isinstance(value, np.ndarray):
        for name, array in known:
            if array.shape == value.shape and value.dtype.kind in "biuf" and \
                    np.allclose(value, array, rtol=1e-6, atol=1e-8):
                return name
        return "array " + "x".join(str(n) for n in value.shape)
    return type(value).__name__


def _pair(result, first: str, second: str):
    """``result`` split into its two parts, or a ValueError that says what was expected."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise ValueError(f"return the pair ({first}, {second})")
    head, tail = result
    if isinstance(head, (tuple, list)):
        raise ValueError(f"{first} is a {type(head).__name__}, not an array: sigmoid(Z) and "
                         f"relu(Z) return a pair (A, Z); unpack it, A, activation_cache = relu(Z)")
    return head, tail


def _named_grads(result):
    """``(dA_prev, dW, db)`` -> a dict with those names (clearer messages)."""
    if isinstance(result, dict):
        return result
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise ValueError("return the three gradients (dA_prev, dW, db), in this order")
    return dict(zip(("dA_prev", "dW", "db"), result))


INITIALIZE_PARAMETERS = FunctionCheck("initialize_parameters", rtol=1e-6, atol=1e-8)
INITIALIZE_PARAMETERS_DEEP = FunctionCheck("initialize_parameters_deep", rtol=1e-6, atol=1e-8)
LINEAR_FORWARD = FunctionCheck("linear_forward", rtol=1e-6, atol=1e-8)
LINEAR_ACTIVATION_FORWARD = FunctionCheck("linear_activation_forward", rtol=1e-6, atol=1e-8)
L_MODEL_FORWARD = FunctionCheck("L_model_forward", rtol=1e-6, atol=1e-8)
COMPUTE_COST = FunctionCheck("compute_cost", rtol=1e-7, atol=1e-9)
LINEAR_BACKWARD = FunctionCheck("linear_backward", rtol=1e-6, atol=1e-8, transform=_named_grads)
LINEAR_ACTIVATION_BACKWARD = FunctionCheck("linear_activation_backward", rtol=1e-6, atol=1e-8,
                                           transform=_named_grads)
# loose enough for a numerical gradient (hidden case), tight enough for every real mistake
L_MODEL_BACKWARD = FunctionCheck("L_model_backward", rtol=1e-5, atol=1e-7)
# updating the dict (or its arrays) in place is a legitimate way to take the step
UPDATE_PARAMETERS = FunctionCheck("update_parameters", rtol=1e-6, atol=1e-8, check_mutation=False)


# --------------------------------------------------------------------------------------------
# Expected values (the original course's printed outputs; cache contents recomputed once)
# --------------------------------------------------------------------------------------------

_INIT_W1 = np.array([[0.01624345, -0.00611756, -0.00528172],
                     [-0.01072969, 0.00865408, -0.02301539]])
_INIT_W2 = np.array([[0.01744812, -0.00761207]])

#: the same draws without the factor 0.01 (what the known mistakes return)
_INIT_W1_UNSCALED = np.array([[1.62434536, -0.61175641, -0.52817175],
                              [-1.07296862, 0.86540763, -2.3015387]])
_INIT_W2_UNSCALED = np.array([[1.74481176, -0.7612069]])

_DEEP_W1 = np.array([[0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388],
                     [-0.00354759, -0.00082741, -0.00627001, -0.00043818, -0.00477218],
                     [-0.01313865, 0.00884622, 0.00881318, 0.01709573, 0.00050034],
                     [-0.00404677, -0.0054536, -0.01546477, 0.00982367, -0.01101068]])
_DEEP_W2 = np.array([[-0.01185047, -0.0020565, 0.01486148, 0.00236716],
                     [-0.01023785, -0.00712993, 0.00625245, -0.00160513],
                     [-0.00768836, -0.00230031, 0.00745056, 0.01976111]])
_DEEP_W1_UNSCALED = np.array([[1.78862847, 0.43650985, 0.09649747, -1.8634927, -0.2773882],
                              [-0.35475898, -0.08274148, -0.62700068, -0.04381817, -0.47721803],
                              [-1.31386475, 0.88462238, 0.88131804, 1.70957306, 0.05003364],
                              [-0.40467741, -0.54535995, -1.54647732, 0.98236743, -1.10106763]])
_DEEP_W2_UNSCALED = np.array([[-1.18504653, -0.2056499, 1.48614836, 0.23671627],
                              [-1.02378514, -0.7129932, 0.62524497, -0.16051336],
                              [-0.76883635, -0.23003072, 0.74505627, 1.97611078]])

#: Z = W A + b of the linear_forward case (course output) and without b (a known mistake)
_LF_Z = np.array([[3.26295337, -1.23429987]])
_LF_Z_NO_B = np.array([[3.51232375, -0.98492949]])

#: the linear_activation_forward case: Z, then A for each activation (course output)
_LAF_Z = np.array([[3.43896131, -2.08938436]])
_LAF_A = {"sigmoid": np.array([[0.96890023, 0.11013289]]), "relu": np.array([[3.43896131, 0.0]])}

#: the intermediate values of the L_model_forward case (recomputed; the course printed AL only)
_LMF_Z1 = np.array([[-5.2382571359, 3.1804013645, 0.4074500965, -1.8861272064],
                    [-2.7735823443, -0.5617731559, 3.1814162305, -0.9920943195],
                    [4.1850091613, -1.7800690897, -0.1450261917, 2.7214163843],
                    [5.0585080175, -1.2567408232, -3.5456665432, 3.8232185196]])
_LMF_Z2 = np.array([[2.2644602967, 1.0997129815, -2.9029802677, 1.5403633456],
                    [6.3372256943, -2.3811624606, -4.1122880642, 4.485823829],
                    [10.3750834204, -0.6659146815, 1.6363518505, 8.1787016948]])
_LMF_Z3 = np.array([[-3.1986467642, 0.8711705538, -1.4029786357, -3.0031943487]])
_LMF_AL = np.array([[0.03921668, 0.70498921, 0.19734387, 0.04728177]])
_LMF_CACHES = "((X, W1, b1), Z1), ((A1, W2, b2), Z2), ((A2, W3, b3), Z3)"

_COST = 0.2797765635793422

_LB = {"dA_prev": np.array([[-1.15171336, 0.06718465, -0.3204696, 2.09812712],
                            [0.60345879, -3.72508701, 5.81700741, -3.84326836],
                            [-0.4319552, -1.30987417, 1.72354705, 0.05070578],
                            [-0.38981415, 0.60811244, -1.25938424, 1.47191593],
                            [-2.52214926, 2.67882552, -0.67947465, 1.48119548]]),
       "dW": np.array([[0.07313866, -0.0976715, -0.87585828, 0.73763362, 0.00785716],
                       [0.85508818, 0.37530413, -0.59912655, 0.71278189, -0.58931808],
                       [0.97913304, -0.24376494, -0.08839671, 0.55151192, -0.10290907]]),
       "db": np.array([[-0.14713786], [-0.11313155], [-0.13209101]])}

_LAB = {"sigmoid": {"dA_prev": np.array([[0.11017994, 0.01105339],
                                         [0.09466817, 0.00949723],
                                         [-0.05743092, -0.00576154]]),
                    "dW": np.array([[0.10266786, 0.09778551, -0.01968084]]),
                    "db": np.array([[-0.05729622]])},
        "relu": {"dA_prev": np.array([[0.44090989, 0.0],
                                      [0.37883606, 0.0],
                                      [-0.2298228, 0.0]]),
                 "dW": np.array([[0.44513824, 0.37371418, -0.10478989]]),
                 "db": np.array([[-0.20837892]])}}
#: linear_backward(dA, linear_cache) on the same case: the activation's derivative left out
_LAB_SKIPPED = {"dA_prev": np.array([[0.44090989, 0.05952761],
                                     [0.37883606, 0.05114697],
                                     [-0.2298228, -0.03102857]]),
                "dW": np.array([[0.39899183, 0.3973954, -0.06975568]]),
                "db": np.array([[-0.23651234]])}

#: dW1, db1, dA1: the course's output; dW2, db2, dA0: recomputed
_LMB = {"dA0": np.array([[0.0, 0.52257901], [0.0, -0.3269206], [0.0, -0.32070404], [0.0, -0.74079187]]),
        "dA1": np.array([[0.12913162, -0.44014127], [-0.14175655, 0.48317296], [0.01663708, -0.05670698]]),
        "dW1": np.array([[0.41010002, 0.07807203, 0.13798444, 0.10502167], [0.0, 0.0, 0.0, 0.0],
                         [0.05283652, 0.01005865, 0.01777766, 0.0135308]]),
        "dW2": np.array([[-0.39202432, -0.13325855, -0.04601089]]),
        "db1": np.array([[-0.22007063], [0.0], [-0.02835349]]),
        "db2": np.array([[0.15187861]])}
#: the same case when the backward pass starts from AL - Y instead of dAL (a known mistake)
_LMB_FROM_AL_MINUS_Y = {
    "dA0": np.array([[0.0, 0.12853824], [0.0, -0.08041233], [0.0, -0.07888325], [0.0, -0.18221184]]),
    "dA1": np.array([[-0.18214833, -0.10826111], [0.19995659, 0.11884557], [-0.02346765, -0.01394816]]),
    "dW1": np.array([[0.10087189, 0.0192033, 0.03393989, 0.02583208], [0.0, 0.0, 0.0, 0.0],
                     [0.01299615, 0.00247412, 0.00437275, 0.00332816]]),
    "dW2": np.array([[0.11000119, -0.09821377, -0.26401773]]),
    "db1": np.array([[-0.05413055], [0.0], [-0.00697408]]),
    "db2": np.array([[0.14181869]])}

_UPDATED = {"W1": np.array([[-0.59562069, -0.09991781, -2.14584584, 1.82662008],
                            [-1.76569676, -0.80627147, 0.51115557, -1.18258802],
                            [-1.0535704, -0.86128581, 0.68284052, 2.20374577]]),
            "b1": np.array([[-0.04659241], [-1.28888275], [0.53405496]]),
            "W2": np.array([[-0.55569196, 0.0354055, 1.32964895]]),
            "b2": np.array([[-0.84610769]])}


# --------------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------------

def check_initialize_parameters(fn) -> None:
    """``initialize_parameters(3, 2, 1)`` (the function seeds numpy with 1)."""
    zeros = {"b1": np.zeros((2, 1)), "b2": np.zeros((1, 1))}
    expected = {"W1": _INIT_W1, "b1": zeros["b1"], "W2": _INIT_W2, "b2": zeros["b2"]}
    public_check(fn, INITIALIZE_PARAMETERS, [Case(
        initialize_parameters_test_case(), expected=expected, label="n_x = 3, n_h = 2, n_y = 1",
        known_mistakes=[(dict(expected, W1=_INIT_W1_UNSCALED, W2=_INIT_W2_UNSCALED),
                         "the weights are not multiplied by 0.01"),
                        (dict(expected, W2=_INIT_W2_UNSCALED), "W2 is not multiplied by 0.01"),
                        (dict(expected, W1=_INIT_W1_UNSCALED), "W1 is not multiplied by 0.01")])])


def check_initialize_parameters_deep(fn) -> None:
    """``initialize_parameters_deep([5, 4, 3])`` (the function seeds numpy with 3)."""
    expected = {"W1": _DEEP_W1, "b1": np.zeros((4, 1)), "W2": _DEEP_W2, "b2": np.zeros((3, 1))}
    public_check(fn, INITIALIZE_PARAMETERS_DEEP, [Case(
        (initialize_parameters_deep_test_case(),), expected=expected, label="layer_dims = [5, 4, 3]",
        known_mistakes=[(dict(expected, W1=_DEEP_W1_UNSCALED, W2=_DEEP_W2_UNSCALED),
                         "the weights are not multiplied by 0.01")])])


def check_linear_forward(fn) -> None:
    """``Z = W A + b`` and ``cache = (A, W, b)`` on the course's case."""
    A, W, b = linear_forward_test_case()

    def summary(result):
        if isinstance(result, dict):
            return result
        Z, cache = _pair(result, "Z", "cache")
        return {"Z": Z, "cache": _layout(cache, [("A", A), ("W", W), ("b", b), ("Z", Z)])}

    check = dataclasses.replace(LINEAR_FORWARD, transform=summary)
    public_check(fn, check, [Case(
        (A, W, b), expected={"Z": _LF_Z, "cache": "(A, W, b)"}, label="A (3, 2), W (1, 3), b (1, 1)",
        known_mistakes=[({"Z": _LF_Z_NO_B, "cache": "(A, W, b)"}, "b is not added: Z = W @ A + b")])])


def check_linear_activation_forward(fn) -> None:
    """The same layer with ``activation="sigmoid"``, then with ``activation="relu"``."""
    A_prev, W, b = linear_activation_forward_test_case()
    cases = []
    for activation, other in (("sigmoid", "relu"), ("relu", "sigmoid")):
        cases.append(Case(
            (A_prev, W, b, activation), label=f'activation = "{activation}"',
            expected={"A": _LAF_A[activation], "cache": "((A_prev, W, b), Z)"},
            known_mistakes=[({"A": _LAF_A[other], "cache": "((A_prev, W, b), Z)"},
                             f'activation = "{activation}" must apply {activation}, not {other}')]))

    def summary(result):
        if isinstance(result, dict):
            return result
        A, cache = _pair(result, "A", "cache")
        known = [("A_prev", A_prev), ("W", W), ("b", b), ("Z", _LAF_Z), ("A", A)]
        return {"A": A, "cache": _layout(cache, known)}

    public_check(fn, dataclasses.replace(LINEAR_ACTIVATION_FORWARD, transform=summary), cases)


def check_L_model_forward(fn) -> None:
    """A 3-layer network (two relu layers, one sigmoid layer) on 4 examples: AL and the caches."""
    X, parameters = L_model_forward_test_case_2hidden()
    stored = [("Z1", _LMF_Z1), ("A1", np.maximum(_LMF_Z1, 0)), ("Z2", _LMF_Z2),
              ("A2", np.maximum(_LMF_Z2, 0)), ("Z3", _LMF_Z3)]

    def summary(result):
        if isinstance(result, dict):
            return result
        AL, caches = _pair(result, "AL", "caches")
        if not isinstance(caches, (list, tuple)):
            raise ValueError("caches must be a list with one cache per layer")
        known = [("X", X)] + sorted(parameters.items()) + stored + [("AL", AL)]
        return {"AL": AL, "len(caches)": len(caches),
                "caches": ", ".join(_layout(cache, known) for cache in caches)}

    expected = {"AL": _LMF_AL, "len(caches)": 3, "caches": _LMF_CACHES}
    relu_output = dict(expected, AL=np.maximum(_LMF_Z3, 0))
    public_check(fn, dataclasses.replace(L_MODEL_FORWARD, transform=summary), [Case(
        (X, parameters), expected=expected, label="X (5, 4), layer_dims [5, 4, 3, 1]",
        known_mistakes=[(relu_output, "the output layer must use sigmoid, not relu")])])


def check_compute_cost(fn) -> None:
    """Cross-entropy of ``AL = [[0.8, 0.9, 0.4]]`` against ``Y = [[1, 1, 0]]``."""
    public_check(fn, COMPUTE_COST, [Case(
        compute_cost_test_case(), expected=_COST, label="m = 3",
        known_mistakes=[(0.8393296907380268, "the sum is not divided by m (forgot the 1/m)"),
                        (-_COST, "the sign is flipped: J = -(1/m) * sum(...)"),
                        (0.10950135565734533, "the (1 - y) * log(1 - a) part of the loss is missing")])])


def check_linear_backward(fn) -> None:
    """``dA_prev``, ``dW``, ``db`` on the course's case (m = 4 examples)."""
    unscaled = dict(_LB, dW=_LB["dW"] * 4, db=_LB["db"] * 4)
    wrong_m = dict(_LB, dW=_LB["dW"] * 4 / 5, db=_LB["db"] * 4 / 5)
    public_check(fn, LINEAR_BACKWARD, [Case(
        linear_backward_test_case(), expected=_LB, label="dZ (3, 4), A_prev (5, 4), W (3, 5)",
        known_mistakes=[(unscaled, "dW and db are not divided by m (forgot the 1/m)"),
                        (dict(_LB, db=_LB["db"] * 4), "db is not divided by m (forgot the 1/m)"),
                        (dict(_LB, dW=_LB["dW"] * 4), "dW is not divided by m (forgot the 1/m)"),
                        (wrong_m, "m is the number of examples, A_prev.shape[1], "
                                  "not A_prev.shape[0]")])])


def check_linear_activation_backward(fn) -> None:
    """The same cache through ``activation="sigmoid"``, then ``activation="relu"``."""
    dA, cache = linear_activation_backward_test_case()
    cases = []
    for activation, other in (("sigmoid", "relu"), ("relu", "sigmoid")):
        cases.append(Case(
            (dA, cache, activation), expected=_LAB[activation], label=f'activation = "{activation}"',
            known_mistakes=[(_LAB[other], f'activation = "{activation}" must go back through '
                                          f"{activation}_backward, not {other}_backward"),
                            (_LAB_SKIPPED, "the activation's derivative is skipped: first "
                                           f"dZ = {activation}_backward(dA, activation_cache), "
                                           "then linear_backward(dZ, linear_cache)")]))
    public_check(fn, LINEAR_ACTIVATION_BACKWARD, cases)


def check_L_model_backward(fn) -> None:
    """The gradients of the course's 2-layer case: every key dA0, dA1, dW1, dW2, db1, db2."""
    AL, Y, caches = L_model_backward_test_case()
    flipped = {k: -v for k, v in _LMB.items()}
    public_check(fn, L_MODEL_BACKWARD, [Case(
        (AL, Y, caches), expected=_LMB, label="2 layers, m = 2",
        known_mistakes=[(flipped, "dAL has the wrong sign: dAL = -(Y/AL - (1 - Y)/(1 - AL))"),
                        (_LMB_FROM_AL_MINUS_Y, "AL - Y is dZ of the output layer, not dA: start "
                                               "from dAL = -(Y/AL - (1 - Y)/(1 - AL))")])])


def check_update_parameters(fn) -> None:
    """One step of gradient descent with learning rate 0.1."""
    parameters, grads, learning_rate = update_parameters_test_case()
    uphill = {k: 2 * parameters[k] - v for k, v in _UPDATED.items()}  # the step taken backwards
    public_check(fn, UPDATE_PARAMETERS, [Case(
        (parameters, grads, learning_rate), expected=_UPDATED, label="learning_rate = 0.1",
        known_mistakes=[(uphill, "the step goes uphill: theta = theta - learning_rate * d_theta"),
                        (dict(_UPDATED, b1=parameters["b1"], b2=parameters["b2"]),
                         "the biases b1, b2 must be updated too")])])
