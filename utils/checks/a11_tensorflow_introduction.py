"""Public checks of a11 (an introduction to TensorFlow 2): test cases and expected values.

The graded functions return tensors and ``tf.Variable``\\ s, so each check has a probe
(:mod:`dlcourse.utils.tf_introduction`) that turns the result into plain data -- its type,
dtype and values -- before it is compared; the checks print those next to the expected ones.

Where the values are the original course's (``linear_function``, ``sigmoid``, ``cost``,
``one_hot_matrix``, ``ones``) they are its printed outputs.  The TensorFlow 1 course could not
show numbers for the rest (it printed symbolic tensors such as ``Tensor("Add_2:0", shape=(6,
?))``), and its seeded initializer cannot be reproduced in TensorFlow 2, so the expected values
of ``initialize_parameters``, ``forward_propagation``, ``compute_cost`` and ``model`` were
computed once with TensorFlow 2.21 / Keras 3.15 on the inputs built below and are stored here.

Nothing here computes a graded function's answer.
"""
from __future__ import annotations

import numpy as np

from dlcourse.autograder.checks import Case, FunctionCheck, public_check
from dlcourse.utils.tf_introduction import (DESCRIPTION, parameter_description, probe_compute_cost,
                                            probe_cost, probe_forward, probe_linear_function,
                                            probe_one_hot_matrix, probe_ones, probe_parameters,
                                            probe_sigmoid, probe_training)

__all__ = ["tiny_problem", "public_cases", "MODEL_RUNS", "SMALL_DIMS", "forward_propagation_test_case",
           "compute_cost_test_case", "explain_tensor", "explain_parameters", "explain_training",
           "MESSAGES", "CHECKS", "LINEAR_FUNCTION", "SIGMOID", "COST", "ONE_HOT_MATRIX", "ONES",
           "INITIALIZE_PARAMETERS", "FORWARD_PROPAGATION", "COMPUTE_COST", "MODEL",
           "check_linear_function", "check_sigmoid", "check_cost", "check_one_hot_matrix",
           "check_ones", "check_initialize_parameters", "check_forward_propagation",
           "check_compute_cost", "check_model"]


# --------------------------------------------------------------------------------------------
# Test inputs
# --------------------------------------------------------------------------------------------

def tiny_problem(seed: int, n_x: int = 4, n_y: int = 3, m_train: int = 24, m_test: int = 12):
    """A small classification problem in the layout of the notebook: ``(X_train (n_x, m_train),
    Y_train (n_y, m_train) one-hot, X_test, Y_test)``.  The inputs lie in [0, 1) like pixels;
    the label of a column is the largest entry of a fixed random linear map of it (plus a
    little noise), so a network can learn it.  Every class appears in the training set."""
    rng = np.random.RandomState(seed)
    A = rng.randn(n_y, n_x)
    m = m_train + m_test
    X = rng.rand(n_x, m)
    labels = np.argmax(A @ (X - 0.5) + 0.1 * rng.randn(n_y, m), axis=0)
    labels[:n_y] = np.arange(n_y)
    Y = np.eye(n_y)[labels].T
    return X[:, :m_train], Y[:, :m_train], X[:, m_train:], Y[:, m_train:]


def forward_propagation_test_case():
    """Seed 1: ``X`` (5, 3), then ``W1`` (4, 5), ``b1`` (4, 1), ``W2`` (3, 4), ``b2`` (3, 1),
    ``W3`` (2, 3), ``b3`` (2, 1), in this order (float64; the probe hands them over as float32
    tensors and variables)."""
    rng = np.random.RandomState(1)
    X = rng.randn(5, 3)
    parameters = {}
    for l, (rows, cols) in enumerate([(4, 5), (3, 4), (2, 3)], start=1):
        parameters[f"W{l}"] = rng.randn(rows, cols)
        parameters[f"b{l}"] = rng.randn(rows, 1)
    return X, parameters


def compute_cost_test_case():
    """Seed 2: ``Z3`` (6, 4) logits, then the labels 0-5 of 4 examples as one-hot columns (6, 4)."""
    rng = np.random.RandomState(2)
    Z3 = rng.randn(6, 4)
    labels = rng.randint(0, 6, size=4)
    return Z3, np.eye(6)[labels].T


# --------------------------------------------------------------------------------------------
# Explaining a mismatch (no hidden value is ever quoted: types, dtypes and shapes come from the
# case's arguments, not from the reference's result)
# --------------------------------------------------------------------------------------------

_NOT_TF = ("numpy array", "numpy number", "Python number", "list", "tuple")


def _type_advice(got: str, wanted: str, what: str = "the result") -> str:
    if wanted == "tf.Variable" and got == "tf.Tensor":
        return (f"{what} is a tf.Tensor, not a tf.Variable: wrap it, tf.Variable(...), so that "
                "GradientTape watches it and the optimizer can change it")
    if got in _NOT_TF:
        return (f"{what} is a {got}, not a {wanted}: keep the computation in TensorFlow "
                "(tf.* functions, no .numpy(), no np.*)")
    return f"{what} is a {got}, not a {wanted}"


def explain_tensor(actual, expected) -> list[str]:
    """Type and dtype first (the generic comparison covers shapes and values)."""
    if not (isinstance(actual, dict) and isinstance(expected, dict)):
        return []
    lines = []
    if actual.get("type") != expected.get("type"):
        lines.append(_type_advice(actual.get("type"), expected.get("type")))
    elif "dtype" in expected and actual.get("dtype") != expected["dtype"]:
        lines.append(f"the result has dtype {actual.get('dtype')}, expected {expected['dtype']}: "
                     f"cast with tf.cast(..., tf.{expected['dtype']}) or create it with that dtype")
    return lines


def _shape_text(a: str, e: str) -> str:
    hint = " -- transposed?" if a.strip("()").split(", ")[::-1] == e.strip("()").split(", ") else ""
    return f"shape {a}, expected {e}{hint}"


def explain_parameters(actual, expected) -> list[str]:
    """What is wrong with the dict ``initialize_parameters`` returned, parameter by parameter."""
    if not (isinstance(actual, dict) and isinstance(expected, dict)):
        return []
    if "returned" in actual:
        return [f"initialize_parameters returned a {actual['returned']}, not a dict of tf.Variables"]
    if set(actual) != set(expected):
        return []  # the generic message names the missing and extra keys
    lines = []
    for key, want in expected.items():
        got = actual[key]
        if not isinstance(got, dict):
            continue
        (g_type, g_dtype, g_shape), (w_type, w_dtype, w_shape) = (parameter_description(got),
                                                                  parameter_description(want))
        if g_type != w_type:
            lines.append(_type_advice(g_type, w_type, key))
        elif g_dtype != w_dtype:
            lines.append(f"{key} has dtype {g_dtype}, expected {w_dtype}")
        elif g_shape != w_shape:
            lines.append(f"{key} has {_shape_text(g_shape, w_shape)}")
        else:
            lines += _explain_values(key, got, want)
    return lines


def _spread(entry: dict) -> float | None:
    if "value" in entry:
        values = np.asarray(entry["value"], dtype=np.float64)
        return float(values.std()) if values.size else None
    return entry.get("std")


def _explain_values(key: str, got: dict, want: dict) -> list[str]:
    mine, theirs = _spread(got), _spread(want)
    if mine is None or theirs is None:
        return []
    if key.startswith("b"):
        values = np.asarray(got.get("value", got.get("first values", [])), dtype=np.float64)
        if mine > 0 or np.any(values != 0):
            return [f"{key} is not all zeros: the biases start at zero (tf.zeros)"]
        return []
    if theirs > 0 and not 0.8 < mine / theirs < 1.25:
        size = "large" if mine > theirs else "small"
        return [f"{key}'s values are {mine / theirs:.2g} times too {size} for Glorot initialization "
                "(standard deviation sqrt(2 / (fan_in + fan_out)))"]
    return [f"{key} has the Glorot scale but other numbers: use "
            "keras.initializers.GlorotNormal(seed=seed + l - 1) for layer l"]


def explain_training(actual, expected) -> list[str]:
    """What is wrong with the dict ``model`` returned (keys, number of costs, properties)."""
    if not (isinstance(actual, dict) and isinstance(expected, dict)):
        return []
    if "returned" in actual:
        return [f"model returned a {actual['returned']}, not the dict its docstring describes"]
    if actual.get("keys") != expected.get("keys"):
        return [f"the returned dict has the keys {actual.get('keys')}; expected {expected.get('keys')}"]
    lines = []
    n_got = actual.get("number of costs", np.size(actual.get("costs", [])))
    n_want = expected.get("number of costs", np.size(expected.get("costs", [])))
    if n_got != n_want:
        lines.append(f"costs has {n_got} entries: one per epoch is expected ({n_want} epochs)")
    for fact in ("costs are finite", "the cost went down", "accuracies in [0, 1]",
                 "accuracies are fractions of the examples"):
        if fact in expected and actual.get(fact) != expected[fact]:
            lines.append(f"it is not true that {fact}" + {
                "the cost went down": ": are the gradients applied (optimizer.apply_gradients)?",
                "accuracies are fractions of the examples": ": compare argmax over the classes "
                "(axis 0) for every example and take the mean"}.get(fact, ""))
    got, want = actual.get("parameters"), expected.get("parameters")
    if isinstance(got, dict) and isinstance(want, dict):
        if set(got) != set(want):
            lines.append(f"the parameters are {sorted(got)}; expected {sorted(want)}")
        else:  # in a properties report: "tf.Variable, (25, 4)" -- from the arguments, not secret
            lines += [f"{key} is {got[key]}, expected {value}" for key, value in want.items()
                      if isinstance(value, str) and got[key] != value]
    return lines


# --------------------------------------------------------------------------------------------
# The mistakes the checks name (public cases: stored wrong outputs; hidden cases: the same
# messages, attached to wrong implementations in solutions/)
# --------------------------------------------------------------------------------------------

MESSAGES = {
    "linear_function": {
        "no_b": "b is not added: Y = W X + b",
        "w_first": "W was drawn before X: draw X, then W, then b",
        "unseeded": "np.random.seed(1) is missing inside the function",
        "numpy": "computed in numpy: build X, W and b with tf.constant and use tf.matmul"},
    "sigmoid": {
        "flipped": "the sign in the exponent is flipped: sigmoid(z) = 1 / (1 + exp(-z))",
        "tanh": "tanh instead of the sigmoid",
        "not_cast": "z is not cast to float32 (tf.cast(z, tf.float32))",
        "float64": "z is cast to float64, not float32",
        "numpy": "computed in numpy: use tf.sigmoid on a tensor"},
    "cost": {
        "mean": "the mean is taken: cost returns one loss per entry",
        "swapped": "labels and logits are swapped",
        "of_sigmoid": "the sigmoid is applied to the logits first: sigmoid_cross_entropy_with_logits "
                      "takes the raw logits",
        "textbook": "-y log(sigmoid(z)) - (1 - y) log(1 - sigmoid(z)) overflows for large |z|: use "
                    "tf.nn.sigmoid_cross_entropy_with_logits",
        "softmax": "softmax instead of sigmoid cross-entropy"},
    "one_hot_matrix": {
        "rows": "one row per label: the classes must run down the rows (axis=0), one column per label",
        "depth_4": "the depth is fixed at 4: use C",
        "int": "the one-hot matrix holds integers: keep tf.one_hot's float32",
        "numpy": "computed in numpy: use tf.one_hot"},
    "ones": {
        "zeros": "zeros instead of ones",
        "numpy": "np.ones makes a numpy array: use tf.ones",
        "int": "the ones are integers: tf.ones makes float32 by default",
        "reversed": "the shape is reversed"},
    "initialize_parameters": {
        "uniform": "GlorotUniform instead of GlorotNormal",
        "same_seed": "every layer used the same seed: layer l uses seed + l - 1",
        "transposed": "the weights are transposed: W_l has shape (n_l, n_(l-1))",
        "flat_bias": "the biases are 1-D: b_l has shape (n_l, 1)",
        "tensors": "the parameters are plain tensors: wrap each in tf.Variable"},
    "forward_propagation": {
        "relu_last": "a ReLU is applied to Z3: the last layer stays linear",
        "softmax": "the softmax is applied: forward_propagation stops at Z3",
        "no_bias": "the biases are not added",
        "sigmoid_hidden": "sigmoid instead of ReLU in the hidden layers"},
    "compute_cost": {
        "untransposed": "Z3 and Y are not transposed: the softmax ran over the examples instead of the classes",
        "sigmoid": "sigmoid cross-entropy instead of softmax cross-entropy",
        "sum": "the losses are summed: take their mean",
        "swapped": "labels and logits are swapped",
        "probabilities": "Z3 was treated as probabilities: these are logits (from_logits=True)"},
    "model": {
        "sgd": "plain gradient descent (SGD) instead of Adam",
        "default_rate": "the learning rate is ignored (Adam's default 0.001 was used)",
        "per_minibatch_size": "the mini-batch costs are divided by minibatch_size (the TF1 notebook's "
                              "habit): weight each by its number of examples and divide the sum by m",
        "per_minibatch": "one cost per mini-batch was recorded: one per epoch is expected",
        "accuracy_axis": "the accuracy compares argmax over axis 1 (the examples): the classes run "
                         "along axis 0"},
}


# --------------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------------

_MATMUL_ORDER = (r"Matrix size-incompatible",
                 "the shapes do not fit a matrix product: it is tf.matmul(W, X) -- the weights "
                 "first, W (n_out, n_in) times X (n_in, m)")
_ELEMENTWISE = (r"Incompatible shapes",
                "`*` multiplies entry by entry; the matrix product is tf.matmul (or @)")
_NEEDS_FLOAT = (r"Value for attr 'T' of int\d+ is not in the list",
                "this operation needs floats: cast the input first, tf.cast(z, tf.float32)")
_MIXED_DTYPES = (r"expected to be a (float|double) tensor but is a (double|float) tensor|"
                 r"cannot compute \w+ as input #\d+\(zero-based\) was expected to be a",
                 "a float32 and a float64 tensor meet in one operation: cast with tf.cast(..., tf.float32)")

LINEAR_FUNCTION = FunctionCheck("linear_function", rtol=1e-6, atol=1e-7, probe=probe_linear_function,
                                explain=explain_tensor, error_hints=[_MATMUL_ORDER, _ELEMENTWISE])
SIGMOID = FunctionCheck("sigmoid", rtol=1e-6, atol=1e-7, probe=probe_sigmoid, explain=explain_tensor,
                        error_hints=[_NEEDS_FLOAT])
COST = FunctionCheck("cost", rtol=1e-6, atol=1e-7, probe=probe_cost, explain=explain_tensor)
ONE_HOT_MATRIX = FunctionCheck("one_hot_matrix", rtol=0, atol=1e-7, probe=probe_one_hot_matrix,
                               explain=explain_tensor)
ONES = FunctionCheck("ones", rtol=0, atol=1e-7, probe=probe_ones, explain=explain_tensor)
INITIALIZE_PARAMETERS = FunctionCheck("initialize_parameters", rtol=1e-5, atol=1e-7,
                                      probe=probe_parameters, explain=explain_parameters)
FORWARD_PROPAGATION = FunctionCheck("forward_propagation", rtol=1e-5, atol=1e-6, probe=probe_forward,
                                    explain=explain_tensor, error_hints=[_MATMUL_ORDER, _MIXED_DTYPES])
COMPUTE_COST = FunctionCheck("compute_cost", rtol=1e-5, atol=1e-6, probe=probe_compute_cost,
                             explain=explain_tensor)
MODEL = FunctionCheck("model", rtol=1e-4, atol=1e-5, probe=probe_training, explain=explain_training,
                      error_hints=[_MATMUL_ORDER, _MIXED_DTYPES])
CHECKS = [LINEAR_FUNCTION, SIGMOID, COST, ONE_HOT_MATRIX, ONES, INITIALIZE_PARAMETERS,
          FORWARD_PROPAGATION, COMPUTE_COST, MODEL]


def _tensor(value, dtype: str | None = "float32", kind: str = "tf.Tensor") -> dict:
    out = {"type": kind}
    if dtype is not None:
        out["dtype"] = dtype
    out["value"] = value if isinstance(value, float) else np.array(value, dtype=np.float64)
    return out


def _parameter(shape: tuple, first: list, std: float) -> dict:
    return {DESCRIPTION: f"tf.Variable, float32, {shape}", "first values": np.array(first), "std": std}


def _parameters(dims: tuple, stored: dict) -> dict:
    out = {}
    for l in range(1, len(dims)):
        first, std = stored[f"W{l}"]
        out[f"W{l}"] = _parameter((dims[l], dims[l - 1]), first, std)
        out[f"b{l}"] = _parameter((dims[l], 1), [0.0] * min(3, dims[l]), 0.0)
    return out


#: TensorFlow 2.21 / Keras 3.15: the first three values of W_l (row 0) and the standard deviation
_DEFAULT_WEIGHTS = {"W1": ([0.0018350226, -0.0071432637, 0.0091452543], 0.0127602525),
                    "W2": ([-0.16900861, -0.04942778, -0.21897034], 0.2182037414),
                    "W3": ([-0.25449643, 0.63513774, -0.35782096], 0.3188618565)}
_SMALL_WEIGHTS = {"W1": ([-0.30996549, -0.09065164, -0.4015964], 0.3730947494),
                  "W2": ([-0.35991231, 0.89822042, -0.50603521], 0.4017603366),
                  "W3": ([-0.35357225, 0.5258531, -0.9517259], 0.6260714140)}
SMALL_DIMS = (6, 5, 4, 3)

_FORWARD_Z3 = [[-0.75439793, 1.67985511, 3.34603739], [1.25286818, 3.68295956, 5.38212299]]
_COMPUTE_COST = 2.11968517

#: the public training runs: tiny_problem(seed) and the arguments of model
MODEL_RUNS = [
    (0, dict(learning_rate=0.01, num_epochs=3, minibatch_size=32, print_cost=False, seed=1,
             report="summary")),
    (1, dict(learning_rate=0.01, num_epochs=5, minibatch_size=8, print_cost=False, seed=2,
             report="properties")),
]
_KEYS = ["costs", "parameters", "test_accuracy", "train_accuracy"]
_MODEL_SUMMARY = {"keys": _KEYS,
                  "mean |parameter|": {"W1": 0.19336483, "b1": 0.0170972, "W2": 0.18078987,
                                       "b2": 0.02206172, "W3": 0.28926414, "b3": 0.02975532},
                  "costs": np.array([1.18526411, 1.12766373, 1.08775997]),
                  "train_accuracy": 0.375, "test_accuracy": 0.25}


def _trained_shapes(n_x: int, n_y: int) -> dict:
    dims = (n_x, 25, 12, n_y)
    out = {}
    for l in range(1, 4):
        out[f"W{l}"] = f"tf.Variable, {(dims[l], dims[l - 1])}"
        out[f"b{l}"] = f"tf.Variable, {(dims[l], 1)}"
    return out


_MODEL_PROPERTIES = {"keys": _KEYS, "parameters": _trained_shapes(4, 3), "number of costs": 5,
                     "costs are finite": True, "the cost went down": True, "accuracies in [0, 1]": True,
                     "accuracies are fractions of the examples": True}


def _cases(name: str) -> list[Case]:
    """The public cases of ``name``, with their expected values (no known mistakes yet)."""
    if name == "linear_function":
        return [Case(kwargs={"disturb_seed": 0},
                     expected=_tensor([[-2.15657382], [2.95891446], [-1.08926781], [-0.84538042]], dtype=None),
                     label="X (3, 1), W (4, 3), b (4, 1) drawn after np.random.seed(1)")]
    if name == "sigmoid":
        return [Case((0,), expected=_tensor(0.5), label="z = 0"),
                Case((12,), expected=_tensor(0.999994), label="z = 12")]
    if name == "cost":
        return [Case((np.array([0.2, 0.4, 0.7, 0.9]), np.array([0.0, 0.0, 1.0, 1.0])),
                     expected=_tensor([0.79813886, 0.91301525, 0.40318605, 0.34115386]),
                     label="logits [0.2, 0.4, 0.7, 0.9], labels [0, 0, 1, 1]")]
    if name == "one_hot_matrix":
        return [Case((np.array([1, 2, 3, 0, 2, 1]), 4),
                     expected=_tensor([[0, 0, 0, 1, 0, 0], [1, 0, 0, 0, 0, 1], [0, 1, 0, 0, 1, 0],
                                       [0, 0, 1, 0, 0, 0]]),
                     label="labels [1, 2, 3, 0, 2, 1], C = 4")]
    if name == "ones":
        return [Case(([3],), expected=_tensor([1.0, 1.0, 1.0]), label="shape [3]")]
    if name == "initialize_parameters":
        return [Case(kwargs={"report": "summary"}, expected=_parameters((12288, 25, 12, 6), _DEFAULT_WEIGHTS),
                     label="initialize_parameters(): layer_dims (12288, 25, 12, 6), seed 1"),
                Case((SMALL_DIMS,), {"seed": 2, "report": "summary"},
                     expected=_parameters(SMALL_DIMS, _SMALL_WEIGHTS),
                     label=f"initialize_parameters({SMALL_DIMS}, seed=2)")]
    if name == "forward_propagation":
        return [Case(forward_propagation_test_case(), expected=_tensor(_FORWARD_Z3),
                     label="seed 1: X (5, 3); W1 (4, 5), W2 (3, 4), W3 (2, 3) and their biases")]
    if name == "compute_cost":
        return [Case(compute_cost_test_case(), expected=_tensor(_COMPUTE_COST),
                     label="seed 2: Z3 (6, 4), Y one-hot (6, 4)")]
    if name == "model":
        (seed0, kw0), (seed1, kw1) = MODEL_RUNS
        return [Case(tiny_problem(seed0), kw0, expected=_MODEL_SUMMARY,
                     label="tiny_problem(0): 4 features, 3 classes, 24 examples in one mini-batch, "
                           "3 epochs, learning rate 0.01"),
                Case(tiny_problem(seed1), kw1, expected=_MODEL_PROPERTIES,
                     label="tiny_problem(1): 24 examples in mini-batches of 8, 5 epochs (properties only)")]
    raise KeyError(name)


def public_cases(name: str) -> list[Case]:
    """The public cases of ``name`` with the stored outputs of its known mistakes attached."""
    cases = _cases(name)
    for i, case in enumerate(cases):
        case.known_mistakes = [(value, MESSAGES[name][key]) for key, value in _KNOWN.get((name, i), [])]
    return cases


def check_linear_function(fn):
    public_check(fn, LINEAR_FUNCTION, public_cases("linear_function"))


def check_sigmoid(fn):
    public_check(fn, SIGMOID, public_cases("sigmoid"))


def check_cost(fn):
    public_check(fn, COST, public_cases("cost"))


def check_one_hot_matrix(fn):
    public_check(fn, ONE_HOT_MATRIX, public_cases("one_hot_matrix"))


def check_ones(fn):
    public_check(fn, ONES, public_cases("ones"))


def check_initialize_parameters(fn):
    public_check(fn, INITIALIZE_PARAMETERS, public_cases("initialize_parameters"))


def check_forward_propagation(fn):
    public_check(fn, FORWARD_PROPAGATION, public_cases("forward_propagation"))


def check_compute_cost(fn):
    public_check(fn, COMPUTE_COST, public_cases("compute_cost"))


def check_model(fn):
    public_check(fn, MODEL, public_cases("model"))


# --------------------------------------------------------------------------------------------
# What the known mistakes return on the public cases: (function, case index) -> [(key of the
# message in MESSAGES, the probe's output)], computed once from the wrong implementations of
# solutions/ (TensorFlow 2.21, Keras 3.15) and stored as data
# --------------------------------------------------------------------------------------------

_KNOWN: dict = {
    ('linear_function', 0): [
        ('no_b', {
            'type': 'tf.Tensor',
            'value': np.array([[-1.05668255], [3.13134267], [-0.211409393], [-0.887594169]]),
        }),
        ('w_first', {
            'type': 'tf.Tensor',
            'value': np.array([[-1.98748544], [-2.76826248], [-0.786354145], [-2.77463846]]),
        }),
        ('unseeded', {
            'type': 'tf.Tensor',
            'value': np.array([[1.00500667], [-0.669390286], [2.19333632], [-0.793200634]]),
        }),
        ('numpy', {
            'type': 'numpy array',
            'value': np.array([[-2.15657382], [2.95891446], [-1.08926781], [-0.845380422]]),
        }),
    ],
    ('sigmoid', 0): [
        ('tanh', {'type': 'tf.Tensor', 'dtype': 'float32', 'value': 0.0}),
        ('float64', {'type': 'tf.Tensor', 'dtype': 'float64', 'value': 0.5}),
        ('numpy', {'type': 'numpy number', 'dtype': 'float32', 'value': 0.5}),
    ],
    ('sigmoid', 1): [
        ('flipped', {'type': 'tf.Tensor', 'dtype': 'float32', 'value': 6.14417422e-06}),
        ('tanh', {'type': 'tf.Tensor', 'dtype': 'float32', 'value': 1.0}),
        ('float64', {'type': 'tf.Tensor', 'dtype': 'float64', 'value': 0.999993856}),
        ('numpy', {'type': 'numpy number', 'dtype': 'float32', 'value': 0.999993801}),
    ],
    ('cost', 0): [
        ('mean', {'type': 'tf.Tensor', 'dtype': 'float32', 'value': 0.613873482}),
        ('swapped', {
            'type': 'tf.Tensor',
            'dtype': 'float32',
            'value': np.array([0.693147182, 0.693147182, 0.6132617, 0.413261712]),
        }),
        ('of_sigmoid', {
            'type': 'tf.Tensor',
            'dtype': 'float32',
            'value': np.array([1.00538719, 1.03664088, 0.413854301, 0.399566144]),
        }),
        ('softmax', {'type': 'tf.Tensor', 'dtype': 'float32', 'value': 2.34443188}),
    ],
    ('one_hot_matrix', 0): [
        ('rows', {
            'type': 'tf.Tensor',
            'dtype': 'float32',
            'value': np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0]]),
        }),
        ('int', {
            'type': 'tf.Tensor',
            'dtype': 'int32',
            'value': np.array([[0.0, 0.0, 0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]]),
        }),
        ('numpy', {
            'type': 'numpy array',
            'dtype': 'float32',
            'value': np.array([[0.0, 0.0, 0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]]),
        }),
    ],
    ('ones', 0): [
        ('zeros', {'type': 'tf.Tensor', 'dtype': 'float32', 'value': np.array([0.0, 0.0, 0.0])}),
        ('numpy', {'type': 'numpy array', 'dtype': 'float32', 'value': np.array([1.0, 1.0, 1.0])}),
        ('int', {'type': 'tf.Tensor', 'dtype': 'int32', 'value': np.array([1.0, 1.0, 1.0])}),
    ],
    ('initialize_parameters', 0): [
        ('uniform', {
            'W1': {
                'type, dtype, shape': 'tf.Variable, float32, (25, 12288)',
                'first values': np.array([0.0167099833, -0.00176684372, 0.00442778692]),
                'std': 0.012748503,
            },
            'b1': {
                'type, dtype, shape': 'tf.Variable, float32, (25, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W2': {
                'type, dtype, shape': 'tf.Variable, float32, (12, 25)',
                'first values': np.array([0.24240464, 0.164876282, 0.158804834]),
                'std': 0.217371002,
            },
            'b2': {
                'type, dtype, shape': 'tf.Variable, float32, (12, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W3': {
                'type, dtype, shape': 'tf.Variable, float32, (6, 12)',
                'first values': np.array([-0.351129591, 0.507312179, 0.0372681618]),
                'std': 0.341872287,
            },
            'b3': {
                'type, dtype, shape': 'tf.Variable, float32, (6, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
        }),
        ('same_seed', {
            'W1': {
                'type, dtype, shape': 'tf.Variable, float32, (25, 12288)',
                'first values': np.array([0.00183502259, -0.00714326371, 0.00914525427]),
                'std': 0.0127602525,
            },
            'b1': {
                'type, dtype, shape': 'tf.Variable, float32, (25, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W2': {
                'type, dtype, shape': 'tf.Variable, float32, (12, 25)',
                'first values': np.array([0.0334751457, -0.130309999, 0.166831031]),
                'std': 0.220617676,
            },
            'b2': {
                'type, dtype, shape': 'tf.Variable, float32, (12, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W3': {
                'type, dtype, shape': 'tf.Variable, float32, (6, 12)',
                'first values': np.array([0.0479940139, -0.186828181, 0.239189133]),
                'std': 0.291158628,
            },
            'b3': {
                'type, dtype, shape': 'tf.Variable, float32, (6, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
        }),
        ('transposed', {
            'W1': {
                'type, dtype, shape': 'tf.Variable, float32, (12288, 25)',
                'first values': np.array([0.00183502259, -0.00714326371, 0.00914525427]),
                'std': 0.0127602525,
            },
            'b1': {
                'type, dtype, shape': 'tf.Variable, float32, (25, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W2': {
                'type, dtype, shape': 'tf.Variable, float32, (25, 12)',
                'first values': np.array([-0.169008613, -0.049427785, -0.218970343]),
                'std': 0.218203741,
            },
            'b2': {
                'type, dtype, shape': 'tf.Variable, float32, (12, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W3': {
                'type, dtype, shape': 'tf.Variable, float32, (12, 6)',
                'first values': np.array([-0.254496425, 0.635137737, -0.357820958]),
                'std': 0.318861856,
            },
            'b3': {
                'type, dtype, shape': 'tf.Variable, float32, (6, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
        }),
        ('flat_bias', {
            'W1': {
                'type, dtype, shape': 'tf.Variable, float32, (25, 12288)',
                'first values': np.array([0.00183502259, -0.00714326371, 0.00914525427]),
                'std': 0.0127602525,
            },
            'b1': {
                'type, dtype, shape': 'tf.Variable, float32, (25,)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W2': {
                'type, dtype, shape': 'tf.Variable, float32, (12, 25)',
                'first values': np.array([-0.169008613, -0.049427785, -0.218970343]),
                'std': 0.218203741,
            },
            'b2': {
                'type, dtype, shape': 'tf.Variable, float32, (12,)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W3': {
                'type, dtype, shape': 'tf.Variable, float32, (6, 12)',
                'first values': np.array([-0.254496425, 0.635137737, -0.357820958]),
                'std': 0.318861856,
            },
            'b3': {
                'type, dtype, shape': 'tf.Variable, float32, (6,)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
        }),
        ('tensors', {
            'W1': {
                'type, dtype, shape': 'tf.Tensor, float32, (25, 12288)',
                'first values': np.array([0.00183502259, -0.00714326371, 0.00914525427]),
                'std': 0.0127602525,
            },
            'b1': {
                'type, dtype, shape': 'tf.Tensor, float32, (25, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W2': {
                'type, dtype, shape': 'tf.Tensor, float32, (12, 25)',
                'first values': np.array([-0.169008613, -0.049427785, -0.218970343]),
                'std': 0.218203741,
            },
            'b2': {
                'type, dtype, shape': 'tf.Tensor, float32, (12, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W3': {
                'type, dtype, shape': 'tf.Tensor, float32, (6, 12)',
                'first values': np.array([-0.254496425, 0.635137737, -0.357820958]),
                'std': 0.318861856,
            },
            'b3': {
                'type, dtype, shape': 'tf.Tensor, float32, (6, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
        }),
    ],
    ('initialize_parameters', 1): [
        ('uniform', {
            'W1': {
                'type, dtype, shape': 'tf.Variable, float32, (5, 6)',
                'first values': np.array([0.444575489, 0.302386701, 0.2912516]),
                'std': 0.346524287,
            },
            'b1': {
                'type, dtype, shape': 'tf.Variable, float32, (5, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W2': {
                'type, dtype, shape': 'tf.Variable, float32, (4, 5)',
                'first values': np.array([-0.496572286, 0.717447758, 0.0527051687]),
                'std': 0.473299271,
            },
            'b2': {
                'type, dtype, shape': 'tf.Variable, float32, (4, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W3': {
                'type, dtype, shape': 'tf.Variable, float32, (3, 4)',
                'first values': np.array([0.14923811, 0.751374841, -0.393212378]),
                'std': 0.455200317,
            },
            'b3': {
                'type, dtype, shape': 'tf.Variable, float32, (3, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
        }),
        ('same_seed', {
            'W1': {
                'type, dtype, shape': 'tf.Variable, float32, (5, 6)',
                'first values': np.array([-0.309965491, -0.0906516388, -0.401596397]),
                'std': 0.373094749,
            },
            'b1': {
                'type, dtype, shape': 'tf.Variable, float32, (5, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W2': {
                'type, dtype, shape': 'tf.Variable, float32, (4, 5)',
                'first values': np.array([-0.342679739, -0.100219153, -0.443981528]),
                'std': 0.380637708,
            },
            'b2': {
                'type, dtype, shape': 'tf.Variable, float32, (4, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W3': {
                'type, dtype, shape': 'tf.Variable, float32, (3, 4)',
                'first values': np.array([-0.388562322, -0.11363785, -0.503427744]),
                'std': 0.369688767,
            },
            'b3': {
                'type, dtype, shape': 'tf.Variable, float32, (3, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
        }),
        ('transposed', {
            'W1': {
                'type, dtype, shape': 'tf.Variable, float32, (6, 5)',
                'first values': np.array([-0.309965491, -0.0906516388, -0.401596397]),
                'std': 0.373094749,
            },
            'b1': {
                'type, dtype, shape': 'tf.Variable, float32, (5, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W2': {
                'type, dtype, shape': 'tf.Variable, float32, (5, 4)',
                'first values': np.array([-0.359912306, 0.89822042, -0.506035209]),
                'std': 0.401760337,
            },
            'b2': {
                'type, dtype, shape': 'tf.Variable, float32, (4, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W3': {
                'type, dtype, shape': 'tf.Variable, float32, (4, 3)',
                'first values': np.array([-0.353572249, 0.525853097, -0.9517259]),
                'std': 0.626071414,
            },
            'b3': {
                'type, dtype, shape': 'tf.Variable, float32, (3, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
        }),
        ('flat_bias', {
            'W1': {
                'type, dtype, shape': 'tf.Variable, float32, (5, 6)',
                'first values': np.array([-0.309965491, -0.0906516388, -0.401596397]),
                'std': 0.373094749,
            },
            'b1': {
                'type, dtype, shape': 'tf.Variable, float32, (5,)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W2': {
                'type, dtype, shape': 'tf.Variable, float32, (4, 5)',
                'first values': np.array([-0.359912306, 0.89822042, -0.506035209]),
                'std': 0.401760337,
            },
            'b2': {
                'type, dtype, shape': 'tf.Variable, float32, (4,)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W3': {
                'type, dtype, shape': 'tf.Variable, float32, (3, 4)',
                'first values': np.array([-0.353572249, 0.525853097, -0.9517259]),
                'std': 0.626071414,
            },
            'b3': {
                'type, dtype, shape': 'tf.Variable, float32, (3,)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
        }),
        ('tensors', {
            'W1': {
                'type, dtype, shape': 'tf.Tensor, float32, (5, 6)',
                'first values': np.array([-0.309965491, -0.0906516388, -0.401596397]),
                'std': 0.373094749,
            },
            'b1': {
                'type, dtype, shape': 'tf.Tensor, float32, (5, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W2': {
                'type, dtype, shape': 'tf.Tensor, float32, (4, 5)',
                'first values': np.array([-0.359912306, 0.89822042, -0.506035209]),
                'std': 0.401760337,
            },
            'b2': {
                'type, dtype, shape': 'tf.Tensor, float32, (4, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
            'W3': {
                'type, dtype, shape': 'tf.Tensor, float32, (3, 4)',
                'first values': np.array([-0.353572249, 0.525853097, -0.9517259]),
                'std': 0.626071414,
            },
            'b3': {
                'type, dtype, shape': 'tf.Tensor, float32, (3, 1)',
                'first values': np.array([0.0, 0.0, 0.0]),
                'std': 0.0,
            },
        }),
    ],
    ('forward_propagation', 0): [
        ('relu_last', {
            'type': 'tf.Tensor',
            'dtype': 'float32',
            'value': np.array([[0.0, 1.67985511, 3.34603739], [1.25286818, 3.68295956, 5.38212299]]),
        }),
        ('softmax', {
            'type': 'tf.Tensor',
            'dtype': 'float32',
            'value': np.array([[0.118442126, 0.118877344, 0.115465917], [0.881557822, 0.881122589, 0.884534061]]),
        }),
        ('no_bias', {
            'type': 'tf.Tensor',
            'dtype': 'float32',
            'value': np.array([[0.0, 3.05186057, 4.46096373], [0.0, 2.84648752, 4.17751074]]),
        }),
        ('sigmoid_hidden', {
            'type': 'tf.Tensor',
            'dtype': 'float32',
            'value': np.array([[-0.256963015, 0.195541322, 0.215453923], [2.04339504, 2.39079452, 2.37702131]]),
        }),
    ],
    ('compute_cost', 0): [
        ('untransposed', {'type': 'tf.Tensor', 'dtype': 'float32', 'value': 1.3802954}),
        ('sigmoid', {'type': 'tf.Tensor', 'dtype': 'float32', 'value': 0.717045248}),
        ('sum', {'type': 'tf.Tensor', 'dtype': 'float32', 'value': 8.47874069}),
        ('swapped', {'type': 'tf.Tensor', 'dtype': 'float32', 'value': -2.89720488}),
        ('probabilities', {'type': 'tf.Tensor', 'dtype': 'float32', 'value': 12.4286842}),
    ],
    ('model', 0): [
        ('sgd', {
            'keys': ['costs', 'parameters', 'test_accuracy', 'train_accuracy'],
            'mean |parameter|': {
                'W1': 0.195335299,
                'b1': 0.000972563226,
                'W2': 0.180826664,
                'b2': 0.00174744998,
                'W3': 0.285323918,
                'b3': 0.0051214206,
            },
            'costs': np.array([1.18526411, 1.18020427, 1.17530644]),
            'train_accuracy': 0.333333343,
            'test_accuracy': 0.25,
        }),
        ('default_rate', {
            'keys': ['costs', 'parameters', 'test_accuracy', 'train_accuracy'],
            'mean |parameter|': {
                'W1': 0.195072129,
                'b1': 0.00217591063,
                'W2': 0.180825934,
                'b2': 0.00270921853,
                'W3': 0.285291106,
                'b3': 0.00299833715,
            },
            'costs': np.array([1.18526411, 1.17789924, 1.17074251]),
            'train_accuracy': 0.333333343,
            'test_accuracy': 0.25,
        }),
        ('per_minibatch_size', {
            'keys': ['costs', 'parameters', 'test_accuracy', 'train_accuracy'],
            'mean |parameter|': {
                'W1': 0.193364829,
                'b1': 0.0170971975,
                'W2': 0.180789873,
                'b2': 0.022061713,
                'W3': 0.289264143,
                'b3': 0.0297553185,
            },
            'costs': np.array([0.0370395035, 0.0352394916, 0.0339924991]),
            'train_accuracy': 0.375,
            'test_accuracy': 0.25,
        }),
        ('accuracy_axis', {
            'keys': ['costs', 'parameters', 'test_accuracy', 'train_accuracy'],
            'mean |parameter|': {
                'W1': 0.193364829,
                'b1': 0.0170971975,
                'W2': 0.180789873,
                'b2': 0.022061713,
                'W3': 0.289264143,
                'b3': 0.0297553185,
            },
            'costs': np.array([1.18526411, 1.12766373, 1.08775997]),
            'train_accuracy': 0.0,
            'test_accuracy': 0.0,
        }),
    ],
    ('model', 1): [
        ('per_minibatch', {
            'keys': ['costs', 'parameters', 'test_accuracy', 'train_accuracy'],
            'parameters': {
                'W1': 'tf.Variable, (25, 4)',
                'b1': 'tf.Variable, (25, 1)',
                'W2': 'tf.Variable, (12, 25)',
                'b2': 'tf.Variable, (12, 1)',
                'W3': 'tf.Variable, (3, 12)',
                'b3': 'tf.Variable, (3, 1)',
            },
            'number of costs': 15,
            'costs are finite': True,
            'the cost went down': True,
            'accuracies in [0, 1]': True,
            'accuracies are fractions of the examples': True,
        }),
    ],
}
