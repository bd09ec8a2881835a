"""a11 -- reference solution and hidden checks (instructors only, never released).

The reference functions carry the notebook's names so tests can import them.  Every graded
function returns TensorFlow objects, so every check has a *probe*
(:mod:`dlcourse.utils.tf_introduction`) that hands the function tensors where it expects
tensors and turns what comes back into plain data: its type (``tf.Tensor``, ``tf.Variable``,
numpy ...), its dtype and its values.

How the hidden cases are drawn (``rng``: a numpy Generator seeded at grading time):

* ``linear_function`` has no arguments: it is called after numpy's global generator has been
  moved somewhere else (a function that relies on the notebook's ``np.random.seed(1)`` instead
  of seeding itself gets other numbers), twice with different disturbances;
* ``sigmoid`` gets a float64 tensor with entries up to +-40, a Python number and an integer
  tensor: the result must be float32 every time (the integer inputs need the cast);
* ``cost`` gets logits up to +-60 in one case (the textbook formula with ``log(sigmoid)``
  overflows there) and soft labels in another;
* ``one_hot_matrix`` gets a depth other than 4 with unused classes, and a single label;
* ``initialize_parameters`` is called with its defaults (the course's network, seed 1) and
  with random layer sizes and seeds; all values are compared with the reference's for the
  same seed (Keras' seeded initializers are deterministic), so the right shapes, dtype,
  ``tf.Variable`` type, zero biases, Glorot scale and per-layer seeds are all needed;
* ``forward_propagation`` and ``compute_cost`` get random layer sizes, m = 1 included, with
  non-zero biases and the number of classes different from the number of examples;
* ``model`` is never graded on stochastic numbers.  Two cases train a tiny problem (a few
  features, a few epochs) with one mini-batch holding every example, where the result does
  not depend on the shuffling: the final parameters, every epoch's cost and both accuracies
  are compared with the reference's (SGD instead of Adam, an ignored learning rate or a cost
  divided by the mini-batch size all change them).  The third case has several mini-batches
  per epoch and is judged on properties only: one finite cost per epoch, the cost goes down,
  the parameters keep their shapes, the accuracies are fractions of the examples.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from dlcourse.autograder.checks import Case
from dlcourse.utils.checks import a11_tensorflow_introduction as public
from dlcourse.utils.tf_runtime import keras, tf

REQUIRES = ["tensorflow"]

__all__ = ["linear_function", "sigmoid", "cost", "one_hot_matrix", "ones", "initialize_parameters",
           "forward_propagation", "compute_cost", "model", "train", "HIDDEN_CHECKS", "DIAGNOSES",
           "SIMULATED_MISTAKES", "REQUIRES"]

COURSE_LAYERS = (12288, 25, 12, 6)


# ============================================================================================
# Reference implementation
# ============================================================================================

def linear_function():
    np.random.seed(1)
    X = tf.constant(np.random.randn(3, 1), name="X")
    W = tf.constant(np.random.randn(4, 3), name="W")
    b = tf.constant(np.random.randn(4, 1), name="b")
    return tf.matmul(W, X) + b


def sigmoid(z):
    return tf.math.sigmoid(tf.cast(z, tf.float32))


def cost(logits, labels):
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.cast(labels, tf.float32),
                                                   logits=tf.cast(logits, tf.float32))


def one_hot_matrix(labels, C):
    return tf.one_hot(labels, depth=C, axis=0)


def ones(shape):
    return tf.ones(shape)


def initialize_parameters(layer_dims=COURSE_LAYERS, seed=1):
    parameters = {}
    for l in range(1, len(layer_dims)):
        glorot = keras.initializers.GlorotNormal(seed=seed + l - 1)
        parameters[f"W{l}"] = tf.Variable(glorot(shape=(layer_dims[l], layer_dims[l - 1])), name=f"W{l}")
        parameters[f"b{l}"] = tf.Variable(tf.zeros((layer_dims[l], 1)), name=f"b{l}")
    return parameters


def forward_propagation(X, parameters):
    A = X
    for l in (1, 2):
        A = tf.nn.relu(tf.matmul(parameters[f"W{l}"], A) + parameters[f"b{l}"])
    return tf.matmul(parameters["W3"], A) + parameters["b3"]


def compute_cost(Z3, Y):
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=tf.transpose(Z3),
                                                                  labels=tf.transpose(Y)))


def _accuracy(parameters, X, Y, axis=0):
    Z3 = forward_propagation(tf.constant(X, tf.float32), parameters)
    right = tf.equal(tf.argmax(Z3, axis=axis), tf.argmax(tf.constant(Y, tf.float32), axis=axis))
    return float(tf.reduce_mean(tf.cast(right, tf.float32)))


def train(X_train, Y_train, X_test, Y_test, learning_rate=0.0001, num_epochs=30, minibatch_size=32,
          print_cost=True, seed=1, *, optimizer="adam", epoch_cost="weighted", record="epoch",
          accuracy_axis=0):
    """The reference ``model``; the keyword-only settings make the wrong variants the
    diagnoses need (``optimizer="sgd"`` / ``"adam_default"``, ``epoch_cost="per_minibatch_size"``,
    ``record="minibatch"``, ``accuracy_axis=1``)."""
    n_x, m = X_train.shape
    n_y = Y_train.shape[0]
    parameters = initialize_parameters((n_x, 25, 12, n_y), seed=seed)
    variables = list(parameters.values())
    if optimizer == "sgd":
        step_rule = keras.optimizers.SGD(learning_rate=learning_rate)
    elif optimizer == "adam_default":
        step_rule = keras.optimizers.Adam()
    else:
        step_rule = keras.optimizers.Adam(learning_rate=learning_rate)
    examples = tf.data.Dataset.from_tensor_slices((tf.constant(X_train.T, tf.float32),
                                                   tf.constant(Y_train.T, tf.float32)))

    def train_step(X, Y):
        with tf.GradientTape() as tape:
            loss = compute_cost(forward_propagation(X, parameters), Y)
        step_rule.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    if num_epochs * -(-m // minibatch_size) > 60:  # tracing pays off only for longer runs
        train_step = tf.function(train_step, reduce_retracing=True)
    costs = []
    for epoch in range(num_epochs):
        total = 0.0
        for X_rows, Y_rows in examples.shuffle(m, seed=seed + epoch).batch(minibatch_size):
            loss = float(train_step(tf.transpose(X_rows), tf.transpose(Y_rows)))
            size = int(X_rows.shape[0])
            if record == "minibatch":
                costs.append(loss)
            if epoch_cost == "per_minibatch_size":
                total += loss / minibatch_size
            else:
                total += loss * size
        if record == "epoch":
            costs.append(total / m if epoch_cost == "weighted" else total)
        if print_cost and (epoch % 10 == 0 or epoch == num_epochs - 1):
            print(f"cost after epoch {epoch}: {costs[-1]:f}")
    return {"parameters": parameters, "costs": costs,
            "train_accuracy": _accuracy(parameters, X_train, Y_train, accuracy_axis),
            "test_accuracy": _accuracy(parameters, X_test, Y_test, accuracy_axis)}


def model(X_train, Y_train, X_test, Y_test, learning_rate=0.0001, num_epochs=30, minibatch_size=32,
          print_cost=True, seed=1):
    return train(X_train, Y_train, X_test, Y_test, learning_rate, num_epochs, minibatch_size,
                 print_cost, seed)


# ============================================================================================
# Diagnoses: realistic wrong implementations
# ============================================================================================

def _linear_without_b():
    np.random.seed(1)
    X, W = tf.constant(np.random.randn(3, 1)), tf.constant(np.random.randn(4, 3))
    np.random.randn(4, 1)
    return tf.matmul(W, X)


def _linear_drawn_w_first():
    np.random.seed(1)
    W = tf.constant(np.random.randn(4, 3))
    X = tf.constant(np.random.randn(3, 1))
    b = tf.constant(np.random.randn(4, 1))
    return tf.matmul(W, X) + b


def _linear_unseeded():
    X = tf.constant(np.random.randn(3, 1))
    W = tf.constant(np.random.randn(4, 3))
    b = tf.constant(np.random.randn(4, 1))
    return tf.matmul(W, X) + b


def _linear_numpy():
    np.random.seed(1)
    X, W, b = np.random.randn(3, 1), np.random.randn(4, 3), np.random.randn(4, 1)
    return np.dot(W, X) + b


def _sigmoid_flipped(z):
    return 1 / (1 + tf.exp(tf.cast(z, tf.float32)))


def _sigmoid_tanh(z):
    return tf.tanh(tf.cast(z, tf.float32))


def _sigmoid_not_cast(z):
    return tf.sigmoid(z)


def _sigmoid_float64(z):
    return tf.sigmoid(tf.cast(z, tf.float64))


def _sigmoid_numpy(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=np.float32)))


def _cost_mean(logits, labels):
    return tf.reduce_mean(cost(logits, labels))


def _cost_swapped(logits, labels):
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.cast(logits, tf.float32),
                                                   logits=tf.cast(labels, tf.float32))


def _cost_of_sigmoid(logits, labels):
    return cost(tf.sigmoid(tf.cast(logits, tf.float32)), labels)


def _cost_textbook(logits, labels):
    a = tf.sigmoid(tf.cast(logits, tf.float32))
    y = tf.cast(labels, tf.float32)
    return -y * tf.math.log(a) - (1 - y) * tf.math.log(1 - a)


def _cost_softmax(logits, labels):
    return tf.nn.softmax_cross_entropy_with_logits(labels=tf.cast(labels, tf.float32),
                                                   logits=tf.cast(logits, tf.float32))


def _one_hot_rows(labels, C):
    return tf.one_hot(labels, depth=C, axis=1)


def _one_hot_depth_4(labels, C):
    return tf.one_hot(labels, depth=4, axis=0)


def _one_hot_int(labels, C):
    return tf.one_hot(labels, depth=C, axis=0, dtype=tf.int32)


def _one_hot_numpy(labels, C):
    return np.eye(C, dtype=np.float32)[np.asarray(labels)].T


def _ones_zeros(shape):
    return tf.zeros(shape)


def _ones_numpy(shape):
    return np.ones(shape, dtype=np.float32)


def _ones_int(shape):
    return tf.ones(shape, dtype=tf.int32)


def _ones_reversed(shape):
    return tf.ones(list(shape)[::-1])


def _params_with(*, init="normal", same_seed=False, transposed=False, flat_bias=False,
                 variables=True):
    def wrong(layer_dims=COURSE_LAYERS, seed=1):
        parameters = {}
        for l in range(1, len(layer_dims)):
            s = seed if same_seed else seed + l - 1
            glorot = (keras.initializers.GlorotUniform if init == "uniform"
                      else keras.initializers.GlorotNormal)(seed=s)
            shape = (layer_dims[l - 1], layer_dims[l]) if transposed else (layer_dims[l], layer_dims[l - 1])
            W, b = glorot(shape=shape), tf.zeros((layer_dims[l],) if flat_bias else (layer_dims[l], 1))
            parameters[f"W{l}"] = tf.Variable(W) if variables else W
            parameters[f"b{l}"] = tf.Variable(b) if variables else b
        return parameters
    return wrong


def _forward_with(*, last="linear", hidden="relu", bias=True):
    def wrong(X, parameters):
        act = {"relu": tf.nn.relu, "sigmoid": tf.sigmoid}[hidden]
        A = X
        for l in (1, 2):
            Z = tf.matmul(parameters[f"W{l}"], A)
            A = act(Z + parameters[f"b{l}"] if bias else Z)
        Z3 = tf.matmul(parameters["W3"], A)
        Z3 = Z3 + parameters["b3"] if bias else Z3
        if last == "relu":
            return tf.nn.relu(Z3)
        if last == "softmax":
            return tf.nn.softmax(Z3, axis=0)
        return Z3
    return wrong


def _compute_cost_untransposed(Z3, Y):
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=Z3, labels=Y))


def _compute_cost_sigmoid(Z3, Y):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=Z3, labels=Y))


def _compute_cost_sum(Z3, Y):
    return tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(logits=tf.transpose(Z3),
                                                                 labels=tf.transpose(Y)))


def _compute_cost_swapped(Z3, Y):
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=tf.transpose(Y),
                                                                  labels=tf.transpose(Z3)))


def _compute_cost_probabilities(Z3, Y):
    return tf.reduce_mean(keras.losses.categorical_crossentropy(tf.transpose(Y), tf.transpose(Z3)))


def _model_with(**variant):
    def wrong(X_train, Y_train, X_test, Y_test, learning_rate=0.0001, num_epochs=30,
              minibatch_size=32, print_cost=True, seed=1):
        return train(X_train, Y_train, X_test, Y_test, learning_rate, num_epochs, minibatch_size,
                     print_cost, seed, **variant)
    return wrong


# ============================================================================================
# Hidden cases
# ============================================================================================

_QUICK = 30.0      # seconds: a TensorFlow op needs milliseconds; a loaded machine is still far inside
_TRAINING = 120.0  # seconds: a tiny training run needs one or two (tf.function tracing included)


def _int(rng, low, high):
    return int(rng.integers(low, high + 1))


def _linear_function_cases(rng):
    return [Case(kwargs={"disturb_seed": _int(rng, 2, 10 ** 6)}, timeout=_QUICK,
                 label="numpy's global generator moved elsewhere first")
            for _ in range(2)]


def _sigmoid_cases(rng):
    shape = (_int(rng, 2, 4), _int(rng, 3, 6))
    z = rng.normal(scale=8.0, size=shape)
    z.flat[0], z.flat[1] = 40.0, -40.0
    ints = rng.integers(-20, 21, size=_int(rng, 3, 8))
    number = float(np.round(rng.normal(scale=3.0), 3))
    return [Case((z,), label=f"a float64 tensor of shape {shape}, entries up to +-40", timeout=_QUICK),
            Case((number,), label="a Python number", timeout=_QUICK),
            Case((ints,), label=f"an integer tensor of {ints.size} entries", timeout=_QUICK)]


def _cost_cases(rng):
    m = _int(rng, 3, 9)
    logits = rng.uniform(-3, 3, size=m)
    labels = (rng.random(m) > 0.5).astype(float)
    labels[:2] = [0.0, 1.0]
    k, n = _int(rng, 2, 4), _int(rng, 3, 6)
    big = rng.choice([-60.0, -25.0, 25.0, 60.0], size=(k, n)) + rng.normal(size=(k, n))
    big_labels = (rng.random((k, n)) > 0.5).astype(float)
    soft = rng.uniform(0, 1, size=(2, m))
    return [Case((logits, labels), label=f"{m} logits, 0/1 labels", timeout=_QUICK),
            Case((big, big_labels), label=f"logits of shape {(k, n)} with |logits| up to about 60",
                 timeout=_QUICK),
            Case((rng.normal(scale=2.0, size=(2, m)), soft), label="labels between 0 and 1",
                 timeout=_QUICK)]


def _one_hot_matrix_cases(rng):
    C = _int(rng, 5, 9)
    m = _int(rng, 5, 12)
    labels = rng.integers(0, C - 1, size=m)  # the last class never appears
    labels[0] = C - 2
    C2 = _int(rng, 3, 7)
    return [Case((labels, C), label=f"{m} labels, C = {C}", timeout=_QUICK),
            Case(([int(rng.integers(0, C2))], C2), label=f"one label, C = {C2}", timeout=_QUICK)]


def _ones_cases(rng):
    dims = [int(d) for d in rng.choice(np.arange(2, 7), size=_int(rng, 2, 3), replace=False)]
    return [Case((dims,), label=f"shape {dims}", timeout=_QUICK),
            Case(((_int(rng, 2, 4), _int(rng, 5, 7)),), label="a tuple shape", timeout=_QUICK),
            Case(([1],), label="shape [1]", timeout=_QUICK)]


def _initialize_parameters_cases(rng):
    small = (_int(rng, 6, 15), _int(rng, 4, 9), _int(rng, 3, 7), _int(rng, 2, 5))
    wide = (_int(rng, 200, 400), _int(rng, 20, 40), _int(rng, 10, 20), _int(rng, 3, 8))
    return [Case(kwargs={"report": "full"}, label="the defaults: the course's network, seed 1",
                 timeout=60.0),
            Case((small,), {"seed": _int(rng, 2, 999), "report": "full"},
                 label=f"layer_dims = {small}, another seed", timeout=_QUICK),
            Case((wide,), {"seed": _int(rng, 2, 999), "report": "full"},
                 label=f"layer_dims = {wide}, another seed", timeout=_QUICK)]


def _network(rng, dims, m):
    X = rng.uniform(-1, 1, size=(dims[0], m))
    parameters = {}
    for l in range(1, 4):
        parameters[f"W{l}"] = rng.normal(scale=0.8, size=(dims[l], dims[l - 1]))
        parameters[f"b{l}"] = rng.uniform(0.1, 0.5, size=(dims[l], 1)) * rng.choice([-1, 1], size=(dims[l], 1))
    return X, parameters


def _forward_propagation_cases(rng):
    cases = []
    for m, n_x in ((_int(rng, 3, 9), _int(rng, 3, 8)), (1, _int(rng, 3, 8)), (_int(rng, 2, 5), _int(rng, 40, 60))):
        dims = (n_x, _int(rng, 4, 8), _int(rng, 3, 6), _int(rng, 2, 5))
        X, parameters = _network(rng, dims, m)
        cases.append(Case((X, parameters), label=f"layer sizes {dims}, m = {m}", timeout=_QUICK))
    return cases


def _one_hot_columns(rng, C, m):
    labels = rng.integers(0, C, size=m)
    return np.eye(C)[labels].T


def _compute_cost_cases(rng):
    cases = []
    for C, m, scale in ((_int(rng, 3, 7), _int(rng, 8, 12), 2.0), (_int(rng, 3, 7), 1, 2.0),
                        (_int(rng, 3, 5), _int(rng, 6, 9), 30.0)):
        Z3 = rng.normal(scale=scale, size=(C, m))
        cases.append(Case((Z3, _one_hot_columns(rng, C, m)),
                          label=f"{C} classes, m = {m}" + (", large logits" if scale > 10 else ""),
                          timeout=_QUICK))
    return cases


def _model_cases(rng):
    cases = []
    for kind, epochs, rate in (("one mini-batch larger than m", 2, 0.01), ("one mini-batch of exactly m", 1, 0.003)):
        n_x, n_y, m_train, m_test = _int(rng, 3, 6), _int(rng, 2, 4), _int(rng, 12, 30), _int(rng, 6, 12)
        X_train, Y_train, X_test, Y_test = public.tiny_problem(int(rng.integers(10 ** 6)), n_x, n_y,
                                                               m_train, m_test)
        size = 64 if kind.endswith("than m") else m_train
        cases.append(Case((X_train, Y_train, X_test, Y_test),
                          {"learning_rate": rate, "num_epochs": epochs, "minibatch_size": size,
                           "print_cost": False, "seed": _int(rng, 1, 999), "report": "trajectory"},
                          label=f"{n_x} features, {n_y} classes, {m_train} examples, {kind}, "
                                f"{epochs} epochs, learning rate {rate:g}", timeout=_TRAINING))
    n_x, n_y, m_train, m_test = _int(rng, 3, 6), _int(rng, 2, 4), _int(rng, 36, 47), _int(rng, 8, 15)
    X_train, Y_train, X_test, Y_test = public.tiny_problem(int(rng.integers(10 ** 6)), n_x, n_y,
                                                           m_train, m_test)
    cases.append(Case((X_train, Y_train, X_test, Y_test),
                      {"learning_rate": 0.01, "num_epochs": 4, "minibatch_size": 16, "print_cost": False,
                       "seed": _int(rng, 1, 999), "report": "properties"},
                      label=f"{m_train} examples in mini-batches of 16, 4 epochs (judged on properties)",
                      timeout=_TRAINING))
    return cases


#: the diagnoses of every function: (wrong implementation, key of its message in public.MESSAGES)
DIAGNOSES = {
    "linear_function": [(_linear_without_b, "no_b"), (_linear_drawn_w_first, "w_first"),
                        (_linear_unseeded, "unseeded"), (_linear_numpy, "numpy")],
    "sigmoid": [(_sigmoid_flipped, "flipped"), (_sigmoid_tanh, "tanh"), (_sigmoid_not_cast, "not_cast"),
                (_sigmoid_float64, "float64"), (_sigmoid_numpy, "numpy")],
    "cost": [(_cost_mean, "mean"), (_cost_swapped, "swapped"), (_cost_of_sigmoid, "of_sigmoid"),
             (_cost_textbook, "textbook"), (_cost_softmax, "softmax")],
    "one_hot_matrix": [(_one_hot_rows, "rows"), (_one_hot_depth_4, "depth_4"), (_one_hot_int, "int"),
                       (_one_hot_numpy, "numpy")],
    "ones": [(_ones_zeros, "zeros"), (_ones_numpy, "numpy"), (_ones_int, "int"), (_ones_reversed, "reversed")],
    "initialize_parameters": [(_params_with(init="uniform"), "uniform"), (_params_with(same_seed=True), "same_seed"),
                              (_params_with(transposed=True), "transposed"), (_params_with(flat_bias=True), "flat_bias"),
                              (_params_with(variables=False), "tensors")],
    "forward_propagation": [(_forward_with(last="relu"), "relu_last"), (_forward_with(last="softmax"), "softmax"),
                            (_forward_with(bias=False), "no_bias"), (_forward_with(hidden="sigmoid"), "sigmoid_hidden")],
    "compute_cost": [(_compute_cost_untransposed, "untransposed"), (_compute_cost_sigmoid, "sigmoid"),
                     (_compute_cost_sum, "sum"), (_compute_cost_swapped, "swapped"),
                     (_compute_cost_probabilities, "probabilities")],
    "model": [(_model_with(optimizer="sgd"), "sgd"), (_model_with(optimizer="adam_default"), "default_rate"),
              (_model_with(epoch_cost="per_minibatch_size"), "per_minibatch_size"),
              (_model_with(record="minibatch"), "per_minibatch"), (_model_with(accuracy_axis=1), "accuracy_axis")],
}

_CASES = {"linear_function": _linear_function_cases, "sigmoid": _sigmoid_cases, "cost": _cost_cases,
          "one_hot_matrix": _one_hot_matrix_cases, "ones": _ones_cases,
          "initialize_parameters": _initialize_parameters_cases,
          "forward_propagation": _forward_propagation_cases, "compute_cost": _compute_cost_cases,
          "model": _model_cases}

HIDDEN_CHECKS = [
    dataclasses.replace(check, reference=globals()[check.name], cases=_CASES[check.name],
                        diagnoses=[(wrong, public.MESSAGES[check.name][key])
                                   for wrong, key in DIAGNOSES[check.name]])
    for check in public.CHECKS
]

#: (function, old, new): the "partial" student of ``dlcourse demo`` (applied to the notebook's solutions)
SIMULATED_MISTAKES = [
    ("cost", "loss = tf.nn.sigmoid_cross_entropy_with_logits(logits=logits, labels=labels)",
     "loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=logits, labels=labels))"),
    ("one_hot_matrix", "axis=0)", "axis=1)"),
    ("model", "optimizer = keras.optimizers.Adam(learning_rate=learning_rate)",
     "optimizer = keras.optimizers.SGD(learning_rate=learning_rate)"),
]
