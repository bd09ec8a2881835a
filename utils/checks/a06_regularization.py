"""Public checks of a06 -- regularization (L2 and dropout).

Each ``check_<function>(fn)`` runs the visible test case of one graded function,
prints the student's values next to the expected ones and raises
``AssertionError`` naming the first problem.  The ``*_test_case()`` builders
re-create the original course's test inputs (same seeds, same draw order, the
same stored caches), so the expected values below are the ones the original
notebook printed.  They do not depend on the football data.

Nothing here computes an answer: expected values and the outputs of a few
known mistakes are stored as numbers.
"""
from __future__ import annotations

import numpy as np

from dlcourse.autograder.checks import Case, FunctionCheck, public_check

__all__ = [
    "compute_cost_with_regularization_test_case", "backward_propagation_with_regularization_test_case",
    "forward_propagation_with_dropout_test_case", "backward_propagation_with_dropout_test_case",
    "check_compute_cost_with_regularization", "check_backward_propagation_with_regularization",
    "check_forward_propagation_with_dropout", "check_backward_propagation_with_dropout",
    "COMPUTE_COST_WITH_REGULARIZATION", "BACKWARD_PROPAGATION_WITH_REGULARIZATION",
    "FORWARD_PROPAGATION_WITH_DROPOUT", "BACKWARD_PROPAGATION_WITH_DROPOUT",
    "CACHE_NAMES", "DROPOUT_CACHE_NAMES", "GRADIENT_NAMES", "dropout_forward_summary",
]

#: the entries of the caches, in order
CACHE_NAMES = ("Z1", "A1", "W1", "b1", "Z2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")
DROPOUT_CACHE_NAMES = ("Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")
#: the keys of the gradient dicts
GRADIENT_NAMES = ("dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1")


# --------------------------------------------------------------------------------------------
# Test-case builders.  ``np.random.RandomState(1)`` draws exactly what ``np.random.seed(1)``
# followed by ``np.random.randn`` draws, without touching the global generator.
# --------------------------------------------------------------------------------------------

_Y = [[1, 1, 0, 1, 0]]
_W1 = [[-1.09989127, -0.17242821, -0.87785842], [0.04221375, 0.58281521, -1.10061918]]
_B1 = [[1.14472371], [0.90159072]]
_W2 = [[0.50249434, 0.90085595], [-0.68372786, -0.12289023], [-0.93576943, -0.26788808]]
_B2 = [[0.53035547], [-0.69166075], [-0.39675353]]
_W3 = [[-0.6871727, -0.84520564, -0.67124613]]
_B3 = [[-0.0126646]]
_Z1 = [[-1.52855314, 3.32524635, 2.13994541, 2.60700654, -0.75942115],
       [-1.98043538, 4.1600994, 0.79051021, 1.46493512, -0.45506242]]


def _random_parameters(rng) -> dict:
    """W1 (2, 3), b1 (2, 1), W2 (3, 2), b2 (3, 1), W3 (1, 3), b3 (1, 1), drawn in that order."""
    shapes = {"W1": (2, 3), "b1": (2, 1), "W2": (3, 2), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}
    return {name: rng.randn(*shape) for name, shape in shapes.items()}


def compute_cost_with_regularization_test_case() -> tuple[np.ndarray, np.ndarray, dict]:
    """``(A3, Y, parameters)``: labels ``[[1, 1, 0, 1, 0]]``, random parameters (seed 1), stored A3."""
    rng = np.random.RandomState(1)
    Y = np.array(_Y)
    parameters = _random_parameters(rng)
    A3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    return A3, Y, parameters


def backward_propagation_with_regularization_test_case() -> tuple[np.ndarray, np.ndarray, tuple]:
    """``(X, Y, cache)``: X (3, 5) standard normal (seed 1), the labels and a stored forward cache."""
    rng = np.random.RandomState(1)
    X = rng.randn(3, 5)
    Y = np.array(_Y)
    A1 = [[0., 3.32524635, 2.13994541, 2.60700654, 0.], [0., 4.1600994, 0.79051021, 1.46493512, 0.]]
    Z2 = [[0.53035547, 5.94892323, 2.31780174, 3.16005701, 0.53035547],
          [-0.69166075, -3.47645987, -2.25194702, -2.65416996, -0.69166075],
          [-0.39675353, -4.62285846, -2.61101729, -3.22874921, -0.39675353]]
    A2 = [[0.53035547, 5.94892323, 2.31780174, 3.16005701, 0.53035547], [0.] * 5, [0.] * 5]
    Z3 = [[-0.3771104, -4.10060224, -1.60539468, -2.18416951, -0.3771104]]
    A3 = [[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]]
    cache = tuple(np.array(v) for v in (_Z1, A1, _W1, _B1, Z2, A2, _W2, _B2, Z3, A3, _W3, _B3))
    return X, Y, cache


def forward_propagation_with_dropout_test_case() -> tuple[np.ndarray, dict]:
    """``(X, parameters)``: X (3, 5), then the parameters, all standard normal (seed 1)."""
    rng = np.random.RandomState(1)
    X = rng.randn(3, 5)
    return X, _random_parameters(rng)


def backward_propagation_with_dropout_test_case() -> tuple[np.ndarray, np.ndarray, tuple]:
    """``(X, Y, cache)``: X (3, 5) (seed 1), the labels and a stored dropout cache (boolean masks)."""
    rng = np.random.RandomState(1)
    X = rng.randn(3, 5)
    Y = np.array(_Y)
    T, F = True, False
    D1 = [[T, F, T, T, T], [T, T, T, T, F]]
    A1 = [[0., 0., 4.27989081, 5.21401307, 0.], [0., 8.32019881, 1.58102041, 2.92987024, 0.]]
    Z2 = [[0.53035547, 8.02565606, 4.10524802, 5.78975856, 0.53035547],
          [-0.69166075, -1.71413186, -3.81223329, -4.61667916, -0.69166075],
          [-0.39675353, -2.62563561, -4.82528105, -6.0607449, -0.39675353]]
    D2 = [[T, F, T, F, T], [F, T, F, T, T], [F, F, T, F, F]]
    A2 = [[1.06071093, 0., 8.21049603, 0., 1.06071093], [0.] * 5, [0.] * 5]
    Z3 = [[-0.7415562, -0.0126646, -5.65469333, -0.0126646, -0.7415562]]
    A3 = [[0.32266394, 0.49683389, 0.00348883, 0.49683389, 0.32266394]]
    cache = tuple(np.array(v) for v in (_Z1, D1, A1, _W1, _B1, Z2, D2, A2, _W2, _B2, Z3, A3, _W3, _B3))
    return X, Y, cache


# --------------------------------------------------------------------------------------------
# How results are compared
# --------------------------------------------------------------------------------------------

def _pick(*keys):
    """Keep the named entries of a gradient dict (a missing one stays missing: compare names it)."""
    def pick(grads):
        if not isinstance(grads, dict):
            raise ValueError("return the gradients as a dict")
        return {k: grads[k] for k in keys if k in grads}
    pick.__name__ = "pick_" + "_".join(keys)
    return pick


def dropout_forward_summary(result, keys=("A3", "D1", "D2")):
    """``(A3, cache)`` -> ``{"A3": ..., "D1": ..., ...}`` with the masks as 0./1. floats.

    A dict (the stored outputs of the known mistakes) is returned as is.
    """
    if isinstance(result, dict):
        return result
    A3, cache = result
    if len(cache) != len(DROPOUT_CACHE_NAMES):
        raise ValueError(f"the cache must have {len(DROPOUT_CACHE_NAMES)} entries "
                         f"{DROPOUT_CACHE_NAMES}, not {len(cache)}")
    named = dict(zip(DROPOUT_CACHE_NAMES, cache), A3=A3)
    return {k: (np.asarray(named[k], dtype=float) if k.startswith("D") else named[k]) for k in keys}


COMPUTE_COST_WITH_REGULARIZATION = FunctionCheck("compute_cost_with_regularization", rtol=1e-9,
                                                 atol=1e-12)
BACKWARD_PROPAGATION_WITH_REGULARIZATION = FunctionCheck(
    "backward_propagation_with_regularization", rtol=1e-6, atol=1e-8, transform=_pick("dW1", "dW2", "dW3"))
FORWARD_PROPAGATION_WITH_DROPOUT = FunctionCheck("forward_propagation_with_dropout", rtol=1e-6, atol=1e-8,
                                                 transform=dropout_forward_summary)
BACKWARD_PROPAGATION_WITH_DROPOUT = FunctionCheck("backward_propagation_with_dropout", rtol=1e-6,
                                                  atol=1e-8, transform=_pick("dA1", "dA2"))


# --------------------------------------------------------------------------------------------
# Expected values (the original course's printed outputs) and known mistakes
# --------------------------------------------------------------------------------------------

def _arrays(**values) -> dict:
    return {k: np.array(v) for k, v in values.items()}


#: gradients (dW1, dW2, dW3) that typical mistakes give on the L2 case
_KNOWN_BACKWARD_L2 = {
    "plain": _arrays(dW1=[[-0.10206168052, 0.14712821857, -0.16007110835],
                          [-0.18297295083, 0.263766814, -0.28697041717]],
                     dW2=[[0.72241565474, 0.72521935082], [0.0, 0.0], [0.0, 0.0]],
                     dW3=[[-1.68070929404, 0.0, 0.0]]),
    "no_m": _arrays(dW1=[[-0.87198556952, 0.02642847157, -0.77457200235],
                         [-0.15342332583, 0.671737461, -1.05740384317]],
                    dW2=[[1.07416169274, 1.35581851582], [-0.478609502, -0.086023161],
                         [-0.655038601, -0.187521656]],
                    dW3=[[-2.16173018404, -0.591643948, -0.469872291]]),
    "half": _arrays(dW1=[[-0.17905406942, 0.13505824387, -0.22152119775],
                         [-0.18001798833, 0.3045638787, -0.36401375977]],
                    dW2=[[0.75759025854, 0.78827926732], [-0.0478609502, -0.0086023161],
                         [-0.0655038601, -0.0187521656]],
                    dW3=[[-1.72881138304, -0.0591643948, -0.0469872291]]),
    "only_dW3": _arrays(dW1=[[-0.10206168052, 0.14712821857, -0.16007110835],
                             [-0.18297295083, 0.263766814, -0.28697041717]],
                        dW2=[[0.72241565474, 0.72521935082], [0.0, 0.0], [0.0, 0.0]],
                        dW3=[[-1.77691347204, -0.1183287896, -0.0939744582]]),
}

#: gradients (dA1, dA2) that typical mistakes give on the dropout case
_KNOWN_BACKWARD_DROPOUT = {
    "no_rescale": _arrays(dA1=[[0.23388440727, 0.0, -0.00120469437, 0.0, -0.11141598508],
                               [0.41930056347, 0.0, -0.00215973794, 0.0, -0.0]],
                          dA2=[[0.46544684916, 0.0, -0.00239742873, 0.0, -0.22172585084],
                               [0.0, 0.42527883403, -0.0, 0.42527883403, -0.27271738191],
                               [0.0, 0.0, -0.00234186364, 0.0, -0.0]]),
    "times": _arrays(dA1=[[0.14968602065, 0.0, -0.0007710044, 0.0, -0.07130623045],
                          [0.26835236062, 0.0, -0.00138223228, 0.0, -0.0]],
                     dA2=[[0.37235747933, 0.0, -0.00191794298, 0.0, -0.17738068067],
                          [0.0, 0.34022306722, -0.0, 0.34022306722, -0.21817390553],
                          [0.0, 0.0, -0.00187349091, 0.0, -0.0]]),
    "no_mask": _arrays(dA1=[[0.23388440727, 0.0, -0.00120469437, 0.0, -0.11141598508],
                            [0.41930056347, 0.0, -0.00215973794, 0.0, -0.199743052]],
                       dA2=[[0.46544684916, 0.34576201436, -0.00239742873, 0.34576201436, -0.22172585084],
                            [0.57248825809, 0.42527883403, -0.00294877879, 0.42527883403, -0.27271738191],
                            [0.45465920898, 0.33774830408, -0.00234186364, 0.33774830408, -0.21658692102]]),
    "unmasked_dA1": _arrays(dA1=[[0.36544438636, 0.0, -0.00188233495, 0.0, -0.17408747669],
                                 [0.65515713043, 0.0, -0.00337459053, 0.0, -0.31209851875]],
                            dA2=[[0.58180856145, 0.0, -0.00299678591, 0.0, -0.27715731355],
                                 [0.0, 0.53159854254, -0.0, 0.53159854254, -0.34089672739],
                                 [0.0, 0.0, -0.00292732954, 0.0, -0.0]]),
    "no_dA1": _arrays(dA1=[[0.29235550909, 0.0, -0.00150586796, 0.0, -0.13926998135],
                           [0.52412570434, 0.0, -0.00269967242, 0.0, -0.249678815]],
                      dA2=[[0.58180856145, 0.0, -0.00299678591, 0.0, -0.27715731355],
                           [0.0, 0.53159854254, -0.0, 0.53159854254, -0.34089672739],
                           [0.0, 0.0, -0.00292732954, 0.0, -0.0]]),
}


def check_compute_cost_with_regularization(fn) -> None:
    """``compute_cost_with_regularization(A3, Y, parameters, lambd=0.1)`` = 1.78648594516."""
    A3, Y, parameters = compute_cost_with_regularization_test_case()
    public_check(fn, COMPUTE_COST_WITH_REGULARIZATION, [Case(
        (A3, Y, parameters, 0.1), expected=1.7864859451590758, label="m = 5, lambd = 0.1",
        known_mistakes=[
            (2.522423306766089, "the L2 term is missing the 1/m: it is (1/m) * (lambd/2) * (sum of squares)"),
            (1.9704702855608291, "the L2 term is missing the 1/2: it is (1/m) * (lambd/2) * (sum of squares)"),
            (3.442345008774855, "the L2 term is missing the lambda: (1/m) * (lambd/2) * (sum of squares)"),
            (0.18398434040175324, "only the L2 term is returned: add the cross-entropy cost"),
            (1.6025016047573226, "the L2 term is missing: this is the plain cross-entropy"),
            (1.6715056244212008, "the Frobenius norm must be squared: np.sum(np.square(W))"),
            (1.5673781291572533, "the weights must be squared before summing: np.sum(np.square(W))"),
            (1.8600868656272131, "the biases are included; L2 regularization sums the squares of "
                                 "W1, W2, W3 only")])])


def check_backward_propagation_with_regularization(fn) -> None:
    """Gradients with the L2 term on the course's stored cache, ``lambd = 0.7``."""
    X, Y, cache = backward_propagation_with_regularization_test_case()
    expected = {"dW1": np.array([[-0.25604646, 0.12298827, -0.28297129], [-0.17706303, 0.34536094, -0.4410571]]),
                "dW2": np.array([[0.79276486, 0.85133918], [-0.0957219, -0.01720463], [-0.13100772, -0.03750433]]),
                "dW3": np.array([[-1.77691347, -0.11832879, -0.09397446]])}
    public_check(fn, BACKWARD_PROPAGATION_WITH_REGULARIZATION, [Case(
        (X, Y, cache, 0.7), expected=expected, label="X (3, 5), lambd = 0.7",
        known_mistakes=[(_KNOWN_BACKWARD_L2["plain"], "the L2 term is missing: add (lambd / m) * W to each dW"),
                        (_KNOWN_BACKWARD_L2["no_m"], "the L2 term is missing the 1/m: (lambd / m) * W"),
                        (_KNOWN_BACKWARD_L2["half"], "the derivative of (lambd / 2m) * W**2 is (lambd / m) * W, "
                                                     "not (lambd / 2m) * W"),
                        (_KNOWN_BACKWARD_L2["only_dW3"], "the L2 term is added to dW3 only; dW2 and dW1 "
                                                         "need theirs too")])])


def check_forward_propagation_with_dropout(fn) -> None:
    """``A3`` and the masks of the course's dropout case, ``keep_prob = 0.7``."""
    X, parameters = forward_propagation_with_dropout_test_case()
    D1 = np.array([[1., 0., 1., 1., 1.], [1., 1., 1., 1., 1.]])
    D2 = np.array([[1., 1., 1., 0., 1.], [1., 1., 1., 1., 1.], [0., 0., 1., 1., 0.]])

    def summary(A3, d1=D1, d2=D2):
        return {"A3": np.array([A3]), "D1": d1, "D2": d2}

    expected = summary([0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721])
    public_check(fn, FORWARD_PROPAGATION_WITH_DROPOUT, [Case(
        (X, parameters, 0.7), expected=expected, label="X (3, 5), keep_prob = 0.7",
        known_mistakes=[
            (summary([0.4068240227829598, 0.04962351597654332, 0.1672289837891084, 0.4968338925883705,
                      0.4068240227829598]),
             "forgot to rescale by keep_prob: after A = A * D, divide A by keep_prob"),
            (summary([0.4334530035633483, 0.1780426594783078, 0.29533005755654806, 0.4968338925883705,
                      0.4334530035633483]),
             "A is multiplied by keep_prob; inverted dropout divides by it"),
            (summary([0.0, 0.004359654478071096, 0.06521570481920272, 0.7097627036976722, 0.0]),
             "dropout applied to the output layer: only the hidden layers A1 and A2 get a mask"),
            (summary([0.4968338925883705, 0.4968338925883705, 0.4968338925883705, 0.36974720617815354,
                      0.4968338925883705], 1 - D1, 1 - D2),
             "the masks are reversed: keep a unit when its random number is below keep_prob "
             "(D = D < keep_prob)"),
            (summary([0.4968338925883705, 0.054282057212360034, 0.036248698128681284,
                      0.020521798295548885, 0.4968338925883705],
                     np.array([[1., 1., 1., 1., 1.], [0., 0., 1., 1., 0.]]),
                     np.array([[0., 1., 1., 1., 0.], [1., 1., 0., 1., 1.], [1., 1., 0., 1., 0.]])),
             "dropout applied to the input X: only the hidden layers A1 and A2 get a mask")])])


def check_backward_propagation_with_dropout(fn) -> None:
    """``dA1`` and ``dA2`` on the course's stored dropout cache, ``keep_prob = 0.8``."""
    X, Y, cache = backward_propagation_with_dropout_test_case()
    expected = {"dA1": np.array([[0.36544439, 0., -0.00188233, 0., -0.17408748],
                                 [0.65515713, 0., -0.00337459, 0., -0.]]),
                "dA2": np.array([[0.58180856, 0., -0.00299679, 0., -0.27715731],
                                 [0., 0.53159854, -0., 0.53159854, -0.34089673],
                                 [0., 0., -0.00292733, 0., -0.]])}
    public_check(fn, BACKWARD_PROPAGATION_WITH_DROPOUT, [Case(
        (X, Y, cache, 0.8), expected=expected, label="X (3, 5), keep_prob = 0.8",
        known_mistakes=[(_KNOWN_BACKWARD_DROPOUT["no_rescale"],
                         "forgot to rescale by keep_prob: after dA = dA * D, divide dA by keep_prob"),
                        (_KNOWN_BACKWARD_DROPOUT["times"],
                         "dA is multiplied by keep_prob; divide by it, as in the forward pass"),
                        (_KNOWN_BACKWARD_DROPOUT["no_mask"],
                         "the masks are not applied: dA1 = dA1 * D1 and dA2 = dA2 * D2 (then / keep_prob)"),
                        (_KNOWN_BACKWARD_DROPOUT["unmasked_dA1"],
                         "dA1 is not masked: shut down the same units of layer 1 as in the forward pass"),
                        (_KNOWN_BACKWARD_DROPOUT["no_dA1"],
                         "dA1 is neither masked nor rescaled: dA1 = dA1 * D1, then dA1 / keep_prob")])])
