"""Public checks of a08 (optimization methods): the course's test cases and expected values.

Every parameter / gradient test case draws, after seed 1 and in this order, W1 (2, 3), b1 (2, 1),
W2 (3, 3), b2 (3, 1), dW1 (2, 3), db1 (2, 1), dW2 (3, 3), db2 (3, 1) (a private
``np.random.RandomState(1)``: the same numbers as ``np.random.seed(1)`` + ``randn``).  The
expected values are the course's printed outputs, 8 decimals, so values are compared with an
absolute tolerance of 6e-9 (the printed precision) rather than a relative one: the Adam ``s``
values are as small as 1.6e-07.

**Adam's epsilon.**  The course writes the update as
``theta - lr * v_corrected / (sqrt(s_corrected) + epsilon)`` (epsilon outside the square root), but
the values it prints come from ``... / sqrt(s_corrected + epsilon)`` (inside).  Both are common;
both are accepted.  :func:`check_update_parameters_with_adam` compares your result with *both*
expected results, explicitly, and tells you which one it matched -- it does not widen a
tolerance until both happen to pass (on the course's case they differ by 4.6e-7, on inputs with
tiny gradients by much more).

Nothing here computes a graded function's answer; the wrong results of typical mistakes are
stored numbers.
"""
from __future__ import annotations

import contextlib
import copy
import io
import warnings

import numpy as np

from dlcourse.autograder.checks import Case, FunctionCheck, public_check, quiet
from dlcourse.autograder.compare import compare

__all__ = [
    "parameters_and_grads_test_case", "update_parameters_with_gd_test_case",
    "random_mini_batches_test_case", "initialize_velocity_test_case",
    "update_parameters_with_momentum_test_case", "initialize_adam_test_case",
    "update_parameters_with_adam_test_case",
    "UPDATE_PARAMETERS_WITH_GD", "RANDOM_MINI_BATCHES", "INITIALIZE_VELOCITY",
    "UPDATE_PARAMETERS_WITH_MOMENTUM", "INITIALIZE_ADAM", "UPDATE_PARAMETERS_WITH_ADAM",
    "EXPONENTIAL_LR_DECAY", "SCHEDULED_LR_DECAY", "mini_batches_summary",
    "check_update_parameters_with_gd", "check_random_mini_batches", "check_initialize_velocity",
    "check_update_parameters_with_momentum", "check_initialize_adam",
    "check_update_parameters_with_adam", "check_exponential_lr_decay", "check_scheduled_lr_decay",
]


# --------------------------------------------------------------------------------------------
# Test cases (seed and draw order of the original course)
# --------------------------------------------------------------------------------------------

def parameters_and_grads_test_case() -> tuple[dict, dict]:
    """Seed 1: W1 (2, 3), b1 (2, 1), W2 (3, 3), b2 (3, 1), then dW1, db1, dW2, db2 of the same shapes."""
    rng = np.random.RandomState(1)
    parameters, grads = {}, {}
    for target, prefix in ((parameters, ""), (grads, "d")):
        for l, (rows, cols) in ((1, (2, 3)), (2, (3, 3))):
            target[f"{prefix}W{l}"] = rng.randn(rows, cols)
            target[f"{prefix}b{l}"] = rng.randn(rows, 1)
    return parameters, grads


def update_parameters_with_gd_test_case() -> tuple[dict, dict, float]:
    """``(parameters, grads, learning_rate = 0.01)``."""
    parameters, grads = parameters_and_grads_test_case()
    return parameters, grads, 0.01


def random_mini_batches_test_case() -> tuple[np.ndarray, np.ndarray, int]:
    """Seed 1: ``X = randn(12288, 148)``, then ``Y = randn(1, 148) < 0.5``; mini-batches of 64."""
    rng = np.random.RandomState(1)
    X = rng.randn(12288, 148)
    Y = rng.randn(1, 148) < 0.5
    return X, Y, 64


def initialize_velocity_test_case() -> dict:
    """The parameters W1, b1, W2, b2 of :func:`parameters_and_grads_test_case`."""
    return parameters_and_grads_test_case()[0]


def _zeros_like(parameters: dict) -> dict:
    return {"d" + k: np.zeros_like(v) for k, v in parameters.items()}


def update_parameters_with_momentum_test_case() -> tuple[dict, dict, dict]:
    """``(parameters, grads, v)`` with ``v`` all zeros; the check uses beta 0.9, learning rate 0.01."""
    parameters, grads = parameters_and_grads_test_case()
    return parameters, grads, _zeros_like(parameters)


def initialize_adam_test_case() -> dict:
    """The parameters W1, b1, W2, b2 of :func:`parameters_and_grads_test_case`."""
    return parameters_and_grads_test_case()[0]


def update_parameters_with_adam_test_case() -> tuple[dict, dict, dict, dict, int]:
    """``(parameters, grads, v, s, t)``: ``v``, ``s`` all zeros and ``t = 2``; default hyperparameters."""
    parameters, grads = parameters_and_grads_test_case()
    return parameters, grads, _zeros_like(parameters), _zeros_like(parameters), 2


# --------------------------------------------------------------------------------------------
# How results are compared
# --------------------------------------------------------------------------------------------

def mini_batches_summary(result):
    """What the check compares of a list of ``(mini_batch_X, mini_batch_Y)``: the number of
    mini-batches, their shapes, the course's "sanity check" entries and, to see the shuffle,
    the sum of each mini-batch."""
    if isinstance(result, dict) and "number of mini-batches" in result:
        return result
    batches = [tuple(b) for b in result]
    return {
        "number of mini-batches": len(batches),
        "shapes of mini_batch_X": [tuple(int(n) for n in np.shape(x)) for x, _ in batches],
        "shapes of mini_batch_Y": [tuple(int(n) for n in np.shape(y)) for _, y in batches],
        "mini_batches[0][0][0][0:3]": np.asarray(batches[0][0], dtype=float)[0, 0:3],
        "sum of each mini_batch_X": np.array([float(np.sum(x)) for x, _ in batches]),
        "labels 1 in each mini_batch_Y": [int(np.sum(np.asarray(y, dtype=float))) for _, y in batches],
    }


# In-place updates of the dicts are what the course does: no mutation check for the updates.
UPDATE_PARAMETERS_WITH_GD = FunctionCheck("update_parameters_with_gd", rtol=1e-7, atol=6e-9,
                                          check_mutation=False)
RANDOM_MINI_BATCHES = FunctionCheck("random_mini_batches", rtol=1e-9, atol=6e-9,
                                    transform=mini_batches_summary)
INITIALIZE_VELOCITY = FunctionCheck("initialize_velocity", rtol=0.0, atol=0.0)
UPDATE_PARAMETERS_WITH_MOMENTUM = FunctionCheck("update_parameters_with_momentum", rtol=1e-7,
                                                atol=6e-9, check_mutation=False)
INITIALIZE_ADAM = FunctionCheck("initialize_adam", rtol=0.0, atol=0.0)
UPDATE_PARAMETERS_WITH_ADAM = FunctionCheck("update_parameters_with_adam", rtol=1e-7, atol=6e-9,
                                            check_mutation=False)
EXPONENTIAL_LR_DECAY = FunctionCheck("exponential_lr_decay", rtol=1e-9, atol=0.0)
SCHEDULED_LR_DECAY = FunctionCheck("scheduled_lr_decay", rtol=1e-9, atol=0.0)


# --------------------------------------------------------------------------------------------
# Expected values (the course's printed outputs) and known mistakes
# --------------------------------------------------------------------------------------------

_A = np.array

_GD = {"W1": _A([[1.63535156, -0.62320365, -0.53718766], [-1.07799357, 0.85639907, -2.29470142]]),
       "b1": _A([[1.74604067], [-0.75184921]]),
       "W2": _A([[0.32171798, -0.25467393, 1.46902454], [-2.05617317, -0.31554548, -0.3756023],
                 [1.1404819, -1.09976462, -0.1612551]]),
       "b2": _A([[-0.88020257], [0.02561572], [0.57539477]])}
#: the step taken uphill: theta + learning_rate * dtheta
_GD_PLUS = {"W1": _A([[1.61333917, -0.60030918, -0.51915585], [-1.06794368, 0.87441619, -2.30837598]]),
            "b1": _A([[1.74358286], [-0.7705646]]),
            "W2": _A([[0.31636022, -0.24406682, 1.45519133], [-2.06410824, -0.32928893, -0.39250641],
                      [1.12705698, -1.10001791, -0.18360131]]),
            "b2": _A([[-0.87551426], [0.05881177], [0.59023566]])}

_MOMENTUM_PARAMETERS = {
    "W1": _A([[1.62544598, -0.61290114, -0.52907334], [-1.07347112, 0.86450677, -2.30085497]]),
    "b1": _A([[1.74493465], [-0.76027113]]),
    "W2": _A([[0.31930698, -0.24990073, 1.4627996], [-2.05974396, -0.32173003, -0.38320915],
              [1.13444069, -1.0998786, -0.1713109]]),
    "b2": _A([[-0.87809283], [0.04055394], [0.58207317]])}
_V = {"dW1": _A([[-0.11006192, 0.11447237, 0.09015907], [0.05024943, 0.09008559, -0.06837279]]),
      "db1": _A([[-0.01228902], [-0.09357694]]),
      "dW2": _A([[-0.02678881, 0.05303555, -0.06916608], [-0.03967535, -0.06871727, -0.08452056],
                 [-0.06712461, -0.00126646, -0.11173103]]),
      "db2": _A([[0.02344157], [0.16598022], [0.07420442]])}

_ADAM_COMMON = {"W1": _A([[1.63178673, -0.61919778, -0.53561312], [-1.08040999, 0.85796626, -2.29409733]]),
                "b1": _A([[1.75225313], [-0.75376553]])}
#: the course's printed values: epsilon inside the square root
_ADAM_INSIDE = dict(_ADAM_COMMON,
                    W2=_A([[0.32648046, -0.25681174, 1.46954931], [-2.05269934, -0.31497584, -0.37661299],
                           [1.14121081, -1.09245036, -0.16498684]]),
                    b2=_A([[-0.88529978], [0.03477238], [0.57537385]]))
#: the same case with epsilon outside the square root (recomputed; the two entries that differ
#: at 8 decimals are W2[2, 1] and b2[0, 0])
_ADAM_OUTSIDE = dict(_ADAM_COMMON,
                     W2=_A([[0.32648046, -0.25681174, 1.46954931], [-2.05269934, -0.31497584, -0.37661299],
                            [1.14121081, -1.09244991, -0.16498684]]),
                     b2=_A([[-0.88529979], [0.03477238], [0.57537385]]))
_S = {"dW1": _A([[0.00121136, 0.00131039, 0.00081287], [0.0002525, 0.00081154, 0.00046748]]),
      "db1": _A([[1.51020075e-05], [8.75664434e-04]]),
      "dW2": _A([[7.17640232e-05, 2.81276921e-04, 4.78394595e-04],
                 [1.57413361e-04, 4.72206320e-04, 7.14372576e-04],
                 [4.50571368e-04, 1.60392066e-07, 1.24838242e-03]]),
      "db2": _A([[5.49507194e-05], [2.75494327e-03], [5.50629536e-04]])}
#: Adam without the bias corrections (epsilon outside the root)
_ADAM_NO_CORRECTION = {
    "W1": _A([[1.65596813, -0.64337918, -0.55979452], [-1.10459138, 0.83378486, -2.26991593]]),
    "b1": _A([[1.77643446], [-0.72958413]]),
    "W2": _A([[0.35066184, -0.28099313, 1.4937307], [-2.02851796, -0.29079444, -0.35243159],
              [1.1653922, -1.06826928, -0.14080544]]),
    "b2": _A([[-0.90948115], [0.01059098], [0.55119245]])}


def _zeros(shapes) -> dict:
    return {k: np.zeros(s) for k, s in shapes}


_SHAPES = [("dW1", (2, 3)), ("db1", (2, 1)), ("dW2", (3, 3)), ("db2", (3, 1))]


def check_update_parameters_with_gd(fn) -> None:
    """One step of gradient descent with learning rate 0.01."""
    parameters, grads, learning_rate = update_parameters_with_gd_test_case()
    public_check(fn, UPDATE_PARAMETERS_WITH_GD, [Case(
        (parameters, grads, learning_rate), expected=_GD, label="2 layers, learning_rate = 0.01",
        known_mistakes=[(_GD_PLUS, "the step goes uphill: W = W - learning_rate * dW")])])


def check_random_mini_batches(fn) -> None:
    """``random_mini_batches(X (12288, 148), Y (1, 148), 64)`` with the default seed 0."""
    X, Y, size = random_mini_batches_test_case()
    expected = {
        "number of mini-batches": 3,
        "shapes of mini_batch_X": [(12288, 64), (12288, 64), (12288, 20)],
        "shapes of mini_batch_Y": [(1, 64), (1, 64), (1, 20)],
        "mini_batches[0][0][0][0:3]": _A([0.90085595, -0.7612069, 0.2344157]),
        "sum of each mini_batch_X": _A([-631.8398713199589, 1077.2882056989233, -382.8769922959767]),
        "labels 1 in each mini_batch_Y": [43, 48, 15],
    }
    no_last = {k: (v[:2] if isinstance(v, (list, np.ndarray)) and k != "mini_batches[0][0][0][0:3]"
                   else v) for k, v in expected.items()}
    no_last["number of mini-batches"] = 2
    public_check(fn, RANDOM_MINI_BATCHES, [Case(
        (X, Y, size), expected=expected, label="X (12288, 148), Y (1, 148), mini_batch_size = 64",
        known_mistakes=[(no_last, "the last, smaller mini-batch (148 - 2 * 64 = 20 examples) is "
                                  "missing")])])


def check_initialize_velocity(fn) -> None:
    """Zeros shaped like W1, b1, W2, b2, under the keys dW1, db1, dW2, db2."""
    public_check(fn, INITIALIZE_VELOCITY, [Case(
        (initialize_velocity_test_case(),), expected=_zeros(_SHAPES), label="2 layers")])


def check_update_parameters_with_momentum(fn) -> None:
    """One momentum step from v = 0 with beta = 0.9 and learning rate 0.01."""
    parameters, grads, v = update_parameters_with_momentum_test_case()
    grads_as_v = {"d" + k[1:]: grads[k] for k in grads}
    public_check(fn, UPDATE_PARAMETERS_WITH_MOMENTUM, [Case(
        (parameters, grads, v, 0.9, 0.01), expected=(_MOMENTUM_PARAMETERS, _V),
        label="2 layers, v = 0, beta = 0.9, learning_rate = 0.01",
        known_mistakes=[((_GD, grads_as_v), "v = beta * v + grad makes the first step a full gradient "
                                             "step: the new gradient gets the weight (1 - beta)"),
                        ((_GD, _V), "the parameters move along the gradient, not along the "
                                    "velocity v")])])


def check_initialize_adam(fn) -> None:
    """``(v, s)``: two dicts of zeros shaped like W1, b1, W2, b2, under the keys dW1, db1, ..."""
    public_check(fn, INITIALIZE_ADAM, [Case(
        (initialize_adam_test_case(),), expected=(_zeros(_SHAPES), _zeros(_SHAPES)),
        label="2 layers")])


def _matches(fn, args, expected) -> bool:
    """Does ``fn`` (called quietly on copies of ``args``) return ``expected``?"""
    try:
        with quiet(), contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = fn(*copy.deepcopy(args))
        return not compare(value, expected, rtol=UPDATE_PARAMETERS_WITH_ADAM.rtol,
                           atol=UPDATE_PARAMETERS_WITH_ADAM.atol)
    except Exception:
        return False


def check_update_parameters_with_adam(fn) -> None:
    """One Adam step (t = 2, default hyperparameters): epsilon inside or outside the square root."""
    args = update_parameters_with_adam_test_case()
    inside, outside = (_ADAM_INSIDE, _V, _S), (_ADAM_OUTSIDE, _V, _S)
    if callable(fn) and not _matches(fn, args, inside) and _matches(fn, args, outside):
        expected, where = outside, "epsilon outside the square root"
    else:
        expected, where = inside, "epsilon inside the square root, as the course printed it"
    public_check(fn, UPDATE_PARAMETERS_WITH_ADAM, [Case(
        args, expected=expected, label=f"2 layers, t = 2, default hyperparameters ({where})",
        known_mistakes=[((_ADAM_NO_CORRECTION, _V, _S), "the bias corrections are missing: divide "
                                                        "v by (1 - beta1**t) and s by "
                                                        "(1 - beta2**t) before the update")])])
    print(f"  (compared with the expected values for {where}; both placements are accepted)")


def check_exponential_lr_decay(fn) -> None:
    """``learning_rate0 * decay_rate ** epoch_num``: 0.1 * 0.999**1000 and the rate of epoch 0."""
    public_check(fn, EXPONENTIAL_LR_DECAY, [
        Case((0.1, 1000, 0.999), expected=0.03676954247709637,
             label="learning_rate0 = 0.1, epoch_num = 1000, decay_rate = 0.999",
             known_mistakes=[(1e-4, "that is 0.1 / (1 + 0.999 * 1000), the inverse-time decay; "
                                    "the exponential decay multiplies by decay_rate once per epoch"),
                             (99.9, "decay_rate * epoch_num multiplies; use the power "
                                    "decay_rate ** epoch_num")]),
        Case((0.5, 0, 0.95), expected=0.5, label="epoch_num = 0: the initial learning rate")])


def check_scheduled_lr_decay(fn) -> None:
    """``learning_rate0 / (1 + decay_rate * floor(epoch_num / time_interval))``."""
    public_check(fn, SCHEDULED_LR_DECAY, [
        Case((0.5, 2500, 0.3), expected=0.3125,
             label="learning_rate0 = 0.5, epoch_num = 2500, decay_rate = 0.3 (time_interval 1000)",
             known_mistakes=[(0.2857142857142857, "epoch_num / time_interval must be rounded down "
                                                  "(np.floor or //): the rate changes only every "
                                                  "time_interval epochs"),
                             (0.5, "the decay is not applied (decay_rate * epoch_num // "
                                   "time_interval computes (decay_rate * epoch_num) // "
                                   "time_interval)")]),
        Case((0.1, 1000, 2.0), {"time_interval": 500}, expected=0.02,
             label="learning_rate0 = 0.1, epoch_num = 1000, decay_rate = 2, time_interval = 500"),
        Case((0.1, 999, 2.0), expected=0.1,
             label="epoch_num = 999 < time_interval: still the initial learning rate")])
