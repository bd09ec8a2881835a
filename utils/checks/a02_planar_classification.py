"""Public checks of a02 -- planar data classification with one hidden layer.

Each ``check_<function>(fn)`` runs the visible test case of one graded function,
prints the student's values next to the expected ones and raises
``AssertionError`` naming the first problem.  The ``*_test_case()`` builders
re-create the original course's test inputs (same seeds, same draw order), so
the expected values below are the ones the original notebook printed.

Nothing here computes a correct answer: expected values and the outputs of a
few known mistakes are stored as numbers.
"""
from __future__ import annotations

import numpy as np

from dlcourse.autograder.checks import Case, FunctionCheck, public_check

__all__ = [
    "layer_sizes_test_case", "initialize_parameters_test_case", "forward_propagation_test_case",
    "compute_cost_test_case", "backward_propagation_test_case", "update_parameters_test_case",
    "nn_model_test_case", "predict_test_case",
    "check_layer_sizes", "check_initialize_parameters", "check_forward_propagation",
    "check_compute_cost", "check_backward_propagation", "check_update_parameters",
    "check_nn_model", "check_predict",
    "LAYER_SIZES", "INITIALIZE_PARAMETERS", "FORWARD_PROPAGATION", "COMPUTE_COST",
    "BACKWARD_PROPAGATION", "UPDATE_PARAMETERS", "NN_MODEL", "PREDICT",
]


# --------------------------------------------------------------------------------------------
# Test-case builders.  ``np.random.RandomState(1)`` draws exactly what ``np.random.seed(1)``
# followed by ``np.random.randn`` draws, without touching the global generator.
# --------------------------------------------------------------------------------------------

#: the weights ``initialize_parameters(2, 4, 1)`` returns (rounded as the course printed them)
_W1 = np.array([[-0.00416758, -0.00056267],
                [-0.02136196, 0.01640271],
                [-0.01793436, -0.00841747],
                [0.00502881, -0.01245288]])
_W2 = np.array([[-0.01057952, -0.00909008, 0.00551454, 0.02292208]])


def _small_parameters() -> dict:
    """``_W1``, ``_W2`` with zero biases: the parameters of the cost and backward cases."""
    return {"W1": _W1.copy(), "b1": np.zeros((4, 1)), "W2": _W2.copy(), "b2": np.zeros((1, 1))}


def _trained_parameters() -> dict:
    """Parameters after a few steps of training (inputs of the update and predict cases)."""
    return {
        "W1": np.array([[-0.00615039, 0.0169021],
                        [-0.02311792, 0.03137121],
                        [-0.0169217, -0.01752545],
                        [0.00935436, -0.05018221]]),
        "b1": np.array([[-8.97523455e-07], [8.15562092e-06], [6.04810633e-07], [-2.54560700e-06]]),
        "W2": np.array([[-0.0104319, -0.04019007, 0.01607211, 0.04440255]]),
        "b2": np.array([[9.14954378e-05]]),
    }


def layer_sizes_test_case() -> tuple[np.ndarray, np.ndarray]:
    """``X`` (5, 3) and ``Y`` (2, 3), both standard normal (seed 1, X drawn first)."""
    rng = np.random.RandomState(1)
    X = rng.randn(5, 3)
    Y = rng.randn(2, 3)
    return X, Y


def initialize_parameters_test_case() -> tuple[int, int, int]:
    """``(n_x, n_h, n_y) = (2, 4, 1)``."""
    return 2, 4, 1


def forward_propagation_test_case() -> tuple[np.ndarray, dict]:
    """``X`` (2, 3) and parameters with a random ``b1`` (seed 1: X, then b1) and ``b2 = -1.3``."""
    rng = np.random.RandomState(1)
    X = rng.randn(2, 3)
    b1 = rng.randn(4, 1)
    parameters = {"W1": _W1.copy(), "b1": b1, "W2": _W2.copy(), "b2": np.array([[-1.3]])}
    return X, parameters


def compute_cost_test_case() -> tuple[np.ndarray, np.ndarray, dict]:
    """``A2`` (1, 3), boolean labels ``Y = [[True, False, False]]`` (seed 1) and the parameters."""
    rng = np.random.RandomState(1)
    Y = rng.randn(1, 3) > 0
    A2 = np.array([[0.5002307, 0.49985831, 0.50023963]])
    return A2, Y, _small_parameters()


def backward_propagation_test_case() -> tuple[dict, dict, np.ndarray, np.ndarray]:
    """``(parameters, cache, X, Y)``: X (2, 3), then boolean Y (seed 1), a stored forward cache."""
    rng = np.random.RandomState(1)
    X = rng.randn(2, 3)
    Y = rng.randn(1, 3) > 0
    cache = {
        "A1": np.array([[-0.00616578, 0.0020626, 0.00349619],
                        [-0.05225116, 0.02725659, -0.02646251],
                        [-0.02009721, 0.0036869, 0.02883756],
                        [0.02152675, -0.01385234, 0.02599885]]),
        "A2": np.array([[0.5002307, 0.49985831, 0.50023963]]),
        "Z1": np.array([[-0.00616586, 0.0020626, 0.0034962],
                        [-0.05229879, 0.02726335, -0.02646869],
                        [-0.02009991, 0.00368692, 0.02884556],
                        [0.02153007, -0.01385322, 0.02600471]]),
        "Z2": np.array([[0.00092281, -0.00056678, 0.00095853]]),
    }
    return _small_parameters(), cache, X, Y


def update_parameters_test_case() -> tuple[dict, dict]:
    """``(parameters, grads)``; the update uses the default learning rate 1.2."""
    grads = {
        "dW1": np.array([[0.00023322, -0.00205423],
                         [0.00082222, -0.00700776],
                         [-0.00031831, 0.0028636],
                         [-0.00092857, 0.00809933]]),
        "db1": np.array([[1.05570087e-07], [-3.81814487e-06], [-1.90155145e-07], [5.46467802e-07]]),
        "dW2": np.array([[-1.75740039e-05, 3.70231337e-03, -1.25683095e-03, -2.55715317e-03]]),
        "db2": np.array([[-1.08923140e-05]]),
    }
    return _trained_parameters(), grads


def nn_model_test_case() -> tuple[np.ndarray, np.ndarray]:
    """``X`` (2, 3) standard normal, then boolean ``Y`` (1, 3) (seed 1)."""
    rng = np.random.RandomState(1)
    X = rng.randn(2, 3)
    Y = rng.randn(1, 3) > 0
    return X, Y


def predict_test_case() -> tuple[dict, np.ndarray]:
    """``(parameters, X)``: the parameters of the update case, ``X`` (2, 3) (seed 1)."""
    rng = np.random.RandomState(1)
    X = rng.randn(2, 3)
    return _trained_parameters(), X


# --------------------------------------------------------------------------------------------
# How results are compared
# --------------------------------------------------------------------------------------------

def _named_sizes(result):
    """``(n_x, n_h, n_y)`` -> ``{"n_x": ..., "n_h": ..., "n_y": ...}`` (for clearer messages)."""
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise ValueError("return the three numbers n_x, n_h, n_y as a tuple")
    return dict(zip(("n_x", "n_h", "n_y"), result))


def _forward_summary(result):
    """``(A2, cache)`` -> the shapes and the means of Z1, A1, Z2, A2 that the course prints.

    A dict that is already a summary (the stored outputs of known mistakes) is returned as is.
    """
    if isinstance(result, dict) and "mean(A2)" in result:
        return result
    A2, cache = result
    shapes = ", ".join(f"{k} {np.shape(cache[k])}" for k in ("Z1", "A1", "Z2")) + f", A2 {np.shape(A2)}"
    return {"shapes": shapes,
            **{f"mean({k})": float(np.mean(cache[k])) for k in ("Z1", "A1", "Z2")},
            "mean(A2)": float(np.mean(A2))}


def _with_mean(predictions):
    """Predictions next to their mean (the number the course prints)."""
    return {"predictions": predictions, "mean": float(np.mean(np.asarray(predictions, dtype=float)))}


LAYER_SIZES = FunctionCheck("layer_sizes", rtol=0.0, atol=0.0, transform=_named_sizes)
INITIALIZE_PARAMETERS = FunctionCheck("initialize_parameters", rtol=1e-6, atol=1e-8)
FORWARD_PROPAGATION = FunctionCheck("forward_propagation", rtol=1e-6, atol=1e-9,
                                    transform=_forward_summary)
COMPUTE_COST = FunctionCheck("compute_cost", rtol=1e-7, atol=1e-9)
BACKWARD_PROPAGATION = FunctionCheck("backward_propagation", rtol=1e-6, atol=1e-8)
# Updating the dict (or the arrays) in place is a legitimate way to do gradient descent.
UPDATE_PARAMETERS = FunctionCheck("update_parameters", rtol=1e-6, atol=1e-8, check_mutation=False)
NN_MODEL = FunctionCheck("nn_model", rtol=1e-5, atol=1e-8)
PREDICT = FunctionCheck("predict", rtol=0.0, atol=0.0, labels=True, transform=_with_mean)


# --------------------------------------------------------------------------------------------
# Expected values (the original course's printed outputs) and known mistakes
# --------------------------------------------------------------------------------------------

#: the same draws without the 0.01 factor (what the known mistakes below return)
_W1_UNSCALED = np.array([[-0.41675785, -0.05626683],
                         [-2.1361961, 1.64027081],
                         [-1.79343559, -0.84174737],
                         [0.50288142, -1.24528809]])
_W2_UNSCALED = np.array([[-1.05795222, -0.90900761, 0.55145404, 2.29220801]])


def _init_expected(W1: np.ndarray = _W1, W2: np.ndarray = _W2) -> dict:
    return {"W1": W1, "b1": np.zeros((4, 1)), "W2": W2, "b2": np.zeros((1, 1))}


def check_layer_sizes(fn) -> None:
    """``layer_sizes(X (5, 3), Y (2, 3))`` must give ``(5, 4, 2)``."""
    X, Y = layer_sizes_test_case()
    public_check(fn, LAYER_SIZES, [Case(
        (X, Y), expected=(5, 4, 2), label="X (5, 3), Y (2, 3)",
        known_mistakes=[((3, 4, 3), "n_x and n_y are the numbers of *rows* (shape[0]); "
                                    "shape[1] is the number of examples"),
                        ((5, 5, 2), "n_h is not computed from the data: set n_h = 4")])])


def check_initialize_parameters(fn) -> None:
    """``initialize_parameters(2, 4, 1)`` after ``np.random.seed(2)``."""
    public_check(fn, INITIALIZE_PARAMETERS, [Case(
        initialize_parameters_test_case(), expected=_init_expected(),
        label="n_x = 2, n_h = 4, n_y = 1",
        known_mistakes=[(_init_expected(W2=_W2_UNSCALED), "W2 is not scaled by 0.01"),
                        (_init_expected(W1=_W1_UNSCALED), "W1 is not scaled by 0.01"),
                        (_init_expected(_W1_UNSCALED, _W2_UNSCALED),
                         "the weights are not scaled by 0.01")])])


def check_forward_propagation(fn) -> None:
    """Means of Z1, A1, Z2, A2 on the course's forward case."""
    X, parameters = forward_propagation_test_case()
    shapes = "Z1 (4, 3), A1 (4, 3), Z2 (1, 3), A2 (1, 3)"
    expected = {"shapes": shapes, "mean(Z1)": 0.26281864019752443, "mean(A1)": 0.09199904522700109,
                "mean(Z2)": -1.3076660128732143, "mean(A2)": 0.21287768171914198}
    sigmoid_hidden = {"shapes": shapes, "mean(Z1)": 0.26281864019752443,
                      "mean(A1)": 0.5467063759561029, "mean(Z2)": -1.2985649936838486,
                      "mean(A2)": 0.21440662653851184}
    relu_hidden = {"shapes": shapes, "mean(Z1)": 0.26281864019752443,
                   "mean(A1)": 0.5169481739557227, "mean(Z2)": -1.316674923043789,
                   "mean(A2)": 0.21137203181362854}
    tanh_output = dict(expected, **{"mean(A2)": -0.8636835876611545})
    public_check(fn, FORWARD_PROPAGATION, [Case(
        (X, parameters), expected=expected, label="X (2, 3), n_h = 4",
        known_mistakes=[(sigmoid_hidden, "the hidden layer uses sigmoid; it should use np.tanh"),
                        (relu_hidden, "the hidden layer uses ReLU; it should use np.tanh"),
                        (tanh_output, "the output layer uses tanh; it should use sigmoid")])])


def check_compute_cost(fn) -> None:
    """Cross-entropy cost of ``A2 = [[0.5002307, 0.49985831, 0.50023963]]``, ``Y = [[1, 0, 0]]``."""
    A2, Y, parameters = compute_cost_test_case()
    public_check(fn, COMPUTE_COST, [Case(
        (A2, Y, parameters), expected=0.6930587610394646, label="m = 3",
        known_mistakes=[(0.6926858869721941, "only the y*log(a) part is summed: the "
                                             "(1 - y)*log(1 - a) part and the 1/m are missing"),
                        (0.23089529565739805, "the (1 - y)*log(1 - a) part of the loss is missing")])])


def check_backward_propagation(fn) -> None:
    """Gradients on the course's stored cache."""
    parameters, cache, X, Y = backward_propagation_test_case()
    dW2 = np.array([[0.00078841, 0.01765429, -0.00084166, -0.01022527]])
    db2 = np.array([[-0.16655712]])
    expected = {"dW1": np.array([[0.00301023, -0.00747267],
                                 [0.00257968, -0.00641288],
                                 [-0.00156892, 0.003893],
                                 [-0.00652037, 0.01618243]]),
                "db1": np.array([[0.00176201], [0.00150995], [-0.00091736], [-0.00381422]]),
                "dW2": dW2, "db2": db2}
    one_minus_a1 = {"dW1": np.array([[0.003029014105, -0.007467125718],
                                     [0.002668628375, -0.006562134082],
                                     [-0.00161103528, 0.003851075897],
                                     [-0.006473603079, 0.015919998023]]),
                    "db1": np.array([[0.00177043534], [0.001674496461],
                                     [-0.000913844545], [-0.003583451165]]),
                    "dW2": dW2, "db2": db2}
    sigmoid_derivative = {"dW1": np.array([[-1.878369195223e-05, -5.540206077478e-06],
                                           [-8.895012804258e-05, 1.492494530647e-04],
                                           [4.211623999171e-05, 4.192613659887e-05],
                                           [-4.676379341212e-05, 2.624313497127e-04]]),
                          "db1": np.array([[-8.422002989926e-06], [-1.645484563451e-04],
                                           [-3.518845008275e-06], [-2.307667086900e-04]]),
                          "dW2": dW2, "db2": db2}
    public_check(fn, BACKWARD_PROPAGATION, [Case(
        (parameters, cache, X, Y), expected=expected, label="X (2, 3), n_h = 4",
        known_mistakes=[(one_minus_a1, "the derivative of tanh is 1 - A1**2, not 1 - A1"),
                        (sigmoid_derivative, "A1 * (1 - A1) is the derivative of the sigmoid; "
                                             "for tanh use 1 - A1**2")])])


def check_update_parameters(fn) -> None:
    """One gradient-descent step with the default learning rate 1.2."""
    parameters, grads = update_parameters_test_case()
    expected = {"W1": np.array([[-0.00643025, 0.01936718],
                                [-0.02410458, 0.03978052],
                                [-0.01653973, -0.02096177],
                                [0.01046864, -0.05990141]]),
                "b1": np.array([[-1.02420756e-06], [1.27373948e-05], [8.32996807e-07], [-3.20136836e-06]]),
                "W2": np.array([[-0.01041081, -0.04463285, 0.01758031, 0.04747113]]),
                "b2": np.array([[0.00010457]])}
    plus = {"W1": np.array([[-0.005870526, 0.014437024],
                            [-0.022131256, 0.022961898],
                            [-0.017303672, -0.01408913],
                            [0.008240076, -0.040463014]]),
            "b1": np.array([[-7.708393506e-07], [3.573847076e-06], [3.76624459e-07], [-1.8898456376e-06]]),
            "W2": np.array([[-0.010452988805, -0.035747293956, 0.01456391286, 0.041333966196]]),
            "b2": np.array([[7.8424661e-05]])}
    public_check(fn, UPDATE_PARAMETERS, [Case(
        (parameters, grads), expected=expected, label="learning_rate = 1.2 (default)",
        known_mistakes=[(plus, "the step goes uphill: use theta = theta - learning_rate * dtheta")])])


def check_nn_model(fn) -> None:
    """``nn_model(X (2, 3), Y, n_h=4, num_iterations=10000, print_cost=True)``: about a second."""
    X, Y = nn_model_test_case()
    expected = {"W1": np.array([[-0.65848169, 1.21866811],
                                [-0.76204273, 1.39377573],
                                [0.5792005, -1.10397703],
                                [0.76773391, -1.41477129]]),
                "b1": np.array([[0.287592], [0.3511264], [-0.2431246], [-0.35772805]]),
                "W2": np.array([[-2.45566237, -3.27042274, 2.00784958, 3.36773273]]),
                "b2": np.array([[0.20459656]])}
    public_check(fn, NN_MODEL, [Case(
        (X, Y, 4), {"num_iterations": 10000, "print_cost": True}, expected=expected,
        label="X (2, 3), n_h = 4, 10000 iterations", timeout=60.0)])


def check_predict(fn) -> None:
    """Predictions on 3 examples: ``[[True, False, True]]``, mean 0.666666666667."""
    parameters, X = predict_test_case()
    public_check(fn, PREDICT, [Case(
        (parameters, X), expected=np.array([[True, False, True]]), label="X (2, 3)")])
