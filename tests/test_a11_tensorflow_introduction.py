"""a11 TensorFlow introduction: the references reproduce the curriculum (sections 11 and 12, in
TensorFlow 2), the public checks print those values and name the mistakes, the hidden checks give
the solution full marks in the real worker and catch at least two realistic bugs per function
with a message that names them, ``model`` is graded only on deterministic runs or on properties,
the warm-up and the step-size explorer work, and the notebook follows the authoring rules.

Kept under a minute: two worker runs (the solution; one mutation in every function but
``model``), the rest in this process (``grade_in_process`` / ``judge``), with the notebook's
training step run eagerly where only its values matter.
"""
from __future__ import annotations

import dataclasses
import functools
import re

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from dlcourse.autograder.checks import call_in_process, judge  # noqa: E402
from dlcourse.autograder.hidden import (_rng, grade_in_process, grade_notebook_code,  # noqa: E402
                                        load_checks, worker_cells)
from dlcourse.utils import tf_introduction as ti  # noqa: E402
from dlcourse.utils.tf_runtime import keras  # noqa: E402
from dlcourse.utils.checks import a11_tensorflow_introduction as public  # noqa: E402
from tests.support import (fails_with, quietly, SOLUTIONS, mutate, reference_module, release_cells,  # noqa: E402
                           solution_cells, source_notebook)

AID = "a11_tensorflow_introduction"
FUNCTIONS = ["linear_function", "sigmoid", "cost", "one_hot_matrix", "ones", "initialize_parameters",
             "forward_propagation", "compute_cost", "model"]
POINTS = {"linear_function": 1, "sigmoid": 1, "cost": 1, "one_hot_matrix": 1, "ones": 1,
          "initialize_parameters": 2, "forward_propagation": 2, "compute_cost": 2, "model": 3}

ref = reference_module(AID)


_quietly = quietly


@functools.lru_cache(maxsize=None)
def _checks():
    return load_checks(AID, SOLUTIONS)


@functools.lru_cache(maxsize=None)
def _public_output(name: str) -> str:
    return _quietly(getattr(public, f"check_{name}"), getattr(ref, name))[1]


_fails = fails_with


def _namespace(cells):
    """Run worker cells (setup + solutions) here; the training step eagerly (same values, no
    tracing: the tiny runs of the checks are faster that way)."""
    ns: dict = {}
    for src in cells:
        exec(compile(src.replace("    @tf.function\n", ""), "<notebook cell>", "exec"), ns)
    return ns


# ============================================================================================
# (a) the references reproduce the curriculum
# ============================================================================================

def test_curriculum_values():
    Y = ref.linear_function()
    assert tf.is_tensor(Y) and Y.shape == (4, 1)
    np.testing.assert_allclose(Y.numpy(), [[-2.15657382], [2.95891446], [-1.08926781], [-0.84538042]],
                               atol=6e-9)
    rng = np.random.RandomState(1)
    X, W, b = rng.randn(3, 1), rng.randn(4, 3), rng.randn(4, 1)
    np.testing.assert_allclose(Y.numpy(), W @ X + b, rtol=1e-14)  # "RECOMPUTED with numpy identical"

    assert ref.sigmoid(0).dtype == tf.float32 and float(ref.sigmoid(0)) == 0.5
    assert f"{float(ref.sigmoid(12)):.6f}" == "0.999994"
    loss = ref.cost(tf.constant([0.2, 0.4, 0.7, 0.9]), tf.constant([0.0, 0.0, 1.0, 1.0]))
    np.testing.assert_allclose(loss.numpy(), [0.79813886, 0.91301525, 0.40318605, 0.34115386], rtol=1e-7)
    z, y = np.array([0.2, 0.4, 0.7, 0.9]), np.array([0, 0, 1, 1])
    np.testing.assert_allclose(loss.numpy(), np.maximum(z, 0) - z * y + np.log1p(np.exp(-abs(z))), rtol=1e-6)
    assert ref.one_hot_matrix([1, 2, 3, 0, 2, 1], 4).numpy().tolist() == [
        [0, 0, 0, 1, 0, 0], [1, 0, 0, 0, 0, 1], [0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 0, 0]]
    assert ref.ones([3]).numpy().tolist() == [1.0, 1.0, 1.0] and ref.ones([3]).dtype == tf.float32

    parameters = ref.initialize_parameters()
    shapes = {k: tuple(v.shape) for k, v in parameters.items()}
    assert shapes == {"W1": (25, 12288), "b1": (25, 1), "W2": (12, 25), "b2": (12, 1), "W3": (6, 12),
                      "b3": (6, 1)}
    assert all(isinstance(v, tf.Variable) and v.dtype == tf.float32 for v in parameters.values())
    assert all(not parameters[f"b{l}"].numpy().any() for l in (1, 2, 3))
    # Glorot: standard deviation sqrt(2 / (fan_in + fan_out)), a truncated normal (|w| < 2 sigma')
    W1 = parameters["W1"].numpy()
    assert abs(W1.std() / np.sqrt(2 / (25 + 12288)) - 1) < 0.02
    assert np.abs(W1).max() <= 2 * np.sqrt(2 / (25 + 12288)) / 0.87962566 + 1e-6
    again = ref.initialize_parameters()
    assert all(np.array_equal(again[k].numpy(), parameters[k].numpy()) for k in parameters)

    Z3 = ref.forward_propagation(tf.constant(np.ones((12288, 2)), tf.float32), parameters)
    assert Z3.shape == (6, 2)  # TF1: Tensor("Add_2:0", shape=(6, ?))
    J = ref.compute_cost(Z3, tf.constant(np.eye(6)[:, :2], tf.float32))
    assert J.shape == () and J.dtype == tf.float32  # TF1: Tensor("Mean:0", shape=())


def test_the_explorers_descent_is_the_warm_ups():
    """The explorer's helper takes the warm-up's steps: 0.099999994 after one (0.19999999 for the
    coefficients [1, -20, 100]); the distance to the minimum shrinks by 1 - 2 * rate per step."""
    path = ti.gradient_descent(0.01, 50)
    assert str(np.float32(path[1])) == "0.099999994" and len(path) == 51
    np.testing.assert_allclose(np.array(path) - 5, -5 * 0.98 ** np.arange(51), rtol=1e-5)
    assert str(np.float32(ti.gradient_descent(0.01, 1, (1.0, -20.0, 100.0))[1])) == "0.19999999"


def test_the_notebooks_warm_up_prints_the_values_of_its_text():
    """Curriculum 12: 1 step -> 0.099999994, 1000 more -> 4.999988 (TF2 float32: 4.9999886);
    coefficients [1, -20, 100]: 0.19999999, then 9.999976 (TF2: 9.999977); the TF1 warm-up's
    9, 20 and 86 without a session."""
    nb = source_notebook(AID)
    by_id = {c.metadata.nbgrader.grade_id: c for c in nb.cells}
    ns: dict = {}
    exec(compile(by_id["setup"].source.replace("%matplotlib inline", ""), "<setup>", "exec"), ns)
    out = {}
    for gid in ("tensors", "functions", "gradients", "optimizer"):
        out[gid] = _quietly(exec, compile(by_id[gid].source, gid, "exec"), ns)[1]
    assert "tf.Tensor(9, shape=(), dtype=int32)" in out["tensors"] and "loss = 9" in out["tensors"]
    assert "tf.Tensor(20, shape=(), dtype=int32)" in out["tensors"]
    assert out["functions"].count("tf.Tensor(86, shape=(), dtype=int64)") == 2
    for gid, lines in (("gradients", ["after 1 step: 0.099999994", "after 1000 more steps: 4.9999886"]),
                       ("optimizer", ["after 1 step: 0.19999999", "after 1000 more steps: 9.999977"])):
        assert out[gid].splitlines() == lines, out[gid]
        assert "\n".join(lines) in by_id[f"{gid}_md"].source


# ============================================================================================
# (b) the public checks
# ============================================================================================

@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_checks_pass_on_reference(name):
    out = _public_output(name)
    assert "✓ All" in out and "✗" not in out, out


@pytest.mark.parametrize("name", FUNCTIONS)
def test_notebook_shows_the_numbers_the_check_prints(name):
    printed = {n for line in _public_output(name).splitlines() if "expected" in line
               for n in re.findall(r"-?\d+\.\d+", line.split("expected", 1)[1])}
    text = next(c.source for c in source_notebook(AID).cells if c.metadata.nbgrader.grade_id == f"{name}_md")
    assert printed <= set(re.findall(r"-?\d+\.\d+", text)), sorted(printed - set(text.split()))


def test_public_values_are_the_curriculums():
    assert "expected [[-2.15657382] [ 2.95891446] [-1.08926781] [-0.84538042]]" in _public_output("linear_function")
    assert "expected 0.999994" in _public_output("sigmoid") and "expected 0.5" in _public_output("sigmoid")
    assert "expected [0.79813886 0.91301525 0.40318605 0.34115386]" in _public_output("cost")
    assert ("expected [[0. 0. 0. 1. 0. 0.] [1. 0. 0. 0. 0. 1.] [0. 1. 0. 0. 1. 0.] [0. 0. 1. 0. 0. 0.]]"
            in _public_output("one_hot_matrix"))
    assert "expected [1. 1. 1.]" in _public_output("ones")
    out = _public_output("initialize_parameters")
    for key, shape in (("W1", "(25, 12288)"), ("b1", "(25, 1)"), ("W2", "(12, 25)"), ("b2", "(12, 1)"),
                       ("W3", "(6, 12)"), ("b3", "(6, 1)")):
        assert f"expected 'tf.Variable, float32, {shape}'" in out, key


def _linear_xw():
    np.random.seed(1)
    X, W, b = (tf.constant(np.random.randn(*s)) for s in ((3, 1), (4, 3), (4, 1)))
    return tf.matmul(X, W) + b


def _params_float64(layer_dims=ref.COURSE_LAYERS, seed=1):
    return {k: tf.Variable(tf.cast(v, tf.float64)) for k, v in ref.initialize_parameters(layer_dims, seed).items()}


PUBLIC_MISTAKES = [
    ("linear_function", ref._linear_without_b, "b is not added"),
    ("linear_function", ref._linear_unseeded, "np.random.seed(1) is missing"),
    ("linear_function", ref._linear_numpy, "keep the computation in TensorFlow"),
    ("linear_function", _linear_xw, "it is tf.matmul(W, X)"),
    ("sigmoid", lambda z: tf.sigmoid(z), "cast the input first"),
    ("sigmoid", ref._sigmoid_flipped, "the sign in the exponent is flipped"),
    ("cost", ref._cost_mean, "the mean is taken"),
    ("cost", ref._cost_swapped, "labels and logits are swapped"),
    ("one_hot_matrix", ref._one_hot_rows, "has shape (6, 4), expected (4, 6) -- transposed?"),
    ("one_hot_matrix", ref._one_hot_int, "the result has dtype int32, expected float32"),
    ("ones", ref._ones_numpy, "the result is a numpy array, not a tf.Tensor"),
    ("ones", ref._ones_zeros, "zeros instead of ones"),
    ("initialize_parameters", ref._params_with(variables=False), "wrap it, tf.Variable(...)"),
    ("initialize_parameters", ref._params_with(init="uniform"), "GlorotUniform instead of GlorotNormal"),
    ("initialize_parameters", ref._params_with(transposed=True), "W1 has shape (12288, 25), expected (25, 12288)"),
    ("initialize_parameters", _params_float64, "W1 has dtype float64, expected float32"),
    ("forward_propagation", ref._forward_with(last="softmax"), "the softmax is applied"),
    ("forward_propagation", ref._forward_with(bias=False), "the biases are not added"),
    ("compute_cost", ref._compute_cost_untransposed, "not transposed"),
    ("compute_cost", ref._compute_cost_sigmoid, "sigmoid cross-entropy instead of softmax"),
    ("model", ref._model_with(optimizer="sgd"), "plain gradient descent (SGD) instead of Adam"),
    ("model", ref._model_with(record="minibatch"), "costs has 15 entries: one per epoch is expected (5 epochs)"),
]


@pytest.mark.parametrize("name, wrong, words", PUBLIC_MISTAKES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(PUBLIC_MISTAKES)])
def test_public_checks_fail_on_wrong_code_and_name_the_mistake(name, wrong, words):
    _fails(getattr(public, f"check_{name}"), wrong, words)


def test_public_check_reports_an_unfinished_function():
    def not_done(*args, **kwargs):
        raise NotImplementedError()

    out = _fails(public.check_forward_propagation, not_done, "not implemented yet")
    assert "✗ 1 problem(s)" in out


def test_test_inputs_leave_the_global_generator_alone():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    public.tiny_problem(3)
    public.forward_propagation_test_case()
    public.compute_cost_test_case()
    ti.probe_linear_function(ref.linear_function, disturb_seed=5)  # the probe restores it too
    assert np.array_equal(np.random.get_state()[1], before)


# ============================================================================================
# (c) hidden checks: the solution passes in the worker, bugs are caught and named
# ============================================================================================

@pytest.fixture(scope="module")
def cells():
    return solution_cells(AID)


#: one mutation in every function but model, graded in the same worker run as the solution
WORKER_MUTATIONS = [
    ("linear_function", "Y = tf.add(tf.matmul(W, X), b)", "Y = tf.matmul(W, X)", "b is not added"),
    ("sigmoid", "a = tf.sigmoid(z)", "a = 1 / (1 + tf.exp(z))", "the sign in the exponent is flipped"),
    ("cost", "loss = tf.nn.sigmoid_cross_entropy_with_logits(logits=logits, labels=labels)",
     "loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=logits, labels=labels))",
     "the mean is taken"),
    ("one_hot_matrix", "axis=0)", "axis=1)", "one row per label"),
    ("ones", "result = tf.ones(shape)", "result = tf.zeros(shape)", "zeros instead of ones"),
    ("initialize_parameters", "initializer = keras.initializers.GlorotNormal(",
     "initializer = keras.initializers.GlorotUniform(", "GlorotUniform instead of GlorotNormal"),
    ("forward_propagation", "Z3 = tf.add(tf.matmul(W3, A2), b3)", "Z3 = tf.nn.relu(tf.add(tf.matmul(W3, A2), b3))",
     "a ReLU is applied to Z3"),
    ("compute_cost", "logits = tf.transpose(Z3)\n    labels = tf.transpose(Y)", "logits = Z3\n    labels = Y",
     "not transposed"),
]
MUTANT = "{}__mutant"


@pytest.fixture(scope="module")
def worker_reports(cells):
    """One worker (one TensorFlow import) grades the solution and, under other names, one mutant
    of every function but model: ``linear_function__mutant`` is the mutated cell, renamed."""
    checks = dict(_checks())
    extra = []
    for function, old, new, _ in WORKER_MUTATIONS:
        (src,) = [c for c in mutate(cells, function, old, new) if c not in cells]
        extra.append(src.replace(f"def {function}(", f"def {MUTANT.format(function)}(", 1))
        checks[MUTANT.format(function)] = dataclasses.replace(checks[function], name=MUTANT.format(function))
    names = FUNCTIONS + [MUTANT.format(m[0]) for m in WORKER_MUTATIONS]
    return grade_notebook_code(checks, names, cells + extra, seed=2024)


def test_solution_passes_every_hidden_case_in_the_worker(worker_reports):
    assert set(_checks()) == set(FUNCTIONS)
    for name in FUNCTIONS:
        report = worker_reports[name]
        assert report.total >= 2 and report.passed == report.total, report.text()


@pytest.mark.parametrize("function, old, new, words", WORKER_MUTATIONS,
                         ids=[m[0] for m in WORKER_MUTATIONS])
def test_mutation_is_caught_in_the_worker(worker_reports, function, old, new, words):
    report = worker_reports[MUTANT.format(function)]
    assert report.passed < report.total and words in report.text(), report.text()


def test_hidden_reports_never_show_reference_values(worker_reports):
    for function, *_ in WORKER_MUTATIONS:
        report = worker_reports[MUTANT.format(function)]
        text = "\n".join(line.split("): ", 1)[1] for line in report.lines if "✗" in line)
        assert not re.search(r"\d\.\d{3,}", text), text


def test_reference_passes_hidden_checks_for_more_seeds():
    for seed in range(3):
        for name, check in _checks().items():
            if name == "model":
                continue  # the worker run and the model tests below cover it
            report = grade_in_process(check, getattr(ref, name), seed=seed)
            assert report.passed == report.total, report.text()


def test_release_scores_zero(cells):
    released = release_cells(cells)
    assert sum(src.count("raise NotImplementedError()") for src in released) == len(FUNCTIONS)
    ns = _namespace(released)  # the release compiles and its setup runs
    for name in FUNCTIONS:
        report = grade_in_process(_checks()[name], ns[name], seed=5)
        assert report.passed == 0, report.text()


#: more mutations of the notebook's code, judged in this process
MUTATIONS = [
    ("linear_function", [('X = tf.constant(np.random.randn(3, 1), name="X")\n    W = tf.constant(np.random.randn(4, 3), name="W")',
                          'W = tf.constant(np.random.randn(4, 3), name="W")\n    X = tf.constant(np.random.randn(3, 1), name="X")')],
     "W was drawn before X"),
    ("linear_function", [("    np.random.seed(1)\n    ### BEGIN SOLUTION\n", "    ### BEGIN SOLUTION\n")],
     "np.random.seed(1) is missing inside the function"),
    ("linear_function", [("Y = tf.add(tf.matmul(W, X), b)", "Y = tf.add(tf.matmul(X, W), b)")],
     "it is tf.matmul(W, X)"),
    ("sigmoid", [("z = tf.cast(z, tf.float32)\n    a = tf.sigmoid(z)", "a = tf.sigmoid(z)")], "z is not cast to float32"),
    ("sigmoid", [("a = tf.sigmoid(z)", "a = tf.tanh(z)")], "tanh instead of the sigmoid"),
    ("cost", [("logits=logits, labels=labels)", "logits=labels, labels=logits)")], "labels and logits are swapped"),
    ("cost", [("loss = tf.nn.sigmoid_cross_entropy_with_logits(logits=logits, labels=labels)",
               "loss = -labels * tf.math.log(tf.sigmoid(logits)) - (1 - labels) * tf.math.log(1 - tf.sigmoid(logits))")],
     "overflows for large |z|"),
    ("one_hot_matrix", [("depth=C", "depth=4")], "the depth is fixed at 4"),
    ("one_hot_matrix", [("axis=0)", "axis=0, dtype=tf.int32)")], "holds integers"),
    ("ones", [("result = tf.ones(shape)", "result = np.ones(shape)")], "is a numpy array, not a tf.Tensor"),
    ("ones", [("result = tf.ones(shape)", "result = tf.ones(shape, dtype=tf.int32)")], "the ones are integers"),
    ("initialize_parameters", [("initializer = keras.initializers.GlorotNormal(seed=seed + l - 1)",
                                "initializer = keras.initializers.GlorotNormal(seed=seed)")],
     "every layer used the same seed"),
    ("initialize_parameters", [("tf.Variable(weights, name=", "(lambda t, name: t)(weights, name=")],
     "wrap it, tf.Variable(...)"),
    ("initialize_parameters", [("tf.zeros((layer_dims[l], 1))", "tf.zeros((layer_dims[l],))")],
     "the biases are 1-D"),
    ("initialize_parameters", [("initializer = keras.initializers.GlorotNormal(seed=seed + l - 1)",
                                "initializer = keras.initializers.RandomNormal(seed=seed + l - 1)")],
     "times too large for Glorot initialization"),
    ("forward_propagation", [("Z3 = tf.add(tf.matmul(W3, A2), b3)", "Z3 = tf.nn.softmax(tf.add(tf.matmul(W3, A2), b3), axis=0)")],
     "the softmax is applied"),
    ("forward_propagation", [("A1 = tf.nn.relu(Z1)", "A1 = tf.sigmoid(Z1)"), ("A2 = tf.nn.relu(Z2)", "A2 = tf.sigmoid(Z2)")],
     "sigmoid instead of ReLU"),
    ("forward_propagation", [("tf.matmul(W1, X)", "tf.matmul(X, W1)")], "it is tf.matmul(W, X)"),
    ("compute_cost", [("tf.nn.softmax_cross_entropy_with_logits", "tf.nn.sigmoid_cross_entropy_with_logits")],
     "sigmoid cross-entropy instead of softmax"),
    ("compute_cost", [("tf.reduce_mean(", "tf.reduce_sum(")], "the losses are summed"),
    ("compute_cost", [("tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=labels))",
                       "tf.reduce_mean(keras.losses.categorical_crossentropy(labels, logits))")],
     "treated as probabilities"),
]


@pytest.mark.parametrize("function, edits, words", MUTATIONS, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(MUTATIONS)])
def test_mutation_is_caught(cells, function, edits, words):
    mutated = cells
    for old, new in edits:
        mutated = mutate(mutated, function, old, new)
    fn = _namespace(mutated)[function]
    report = grade_in_process(_checks()[function], fn, seed=7)
    assert report.passed < report.total, report.text()
    if words:
        assert words in report.text(), report.text()


def test_every_function_has_two_mutations():
    counts = {name: sum(f == name for f, _, _ in MUTATIONS) + sum(m[0] == name for m in WORKER_MUTATIONS)
              for name in FUNCTIONS}
    counts["model"] = len(MODEL_MUTATIONS)
    assert min(counts.values()) >= 2, counts


def test_equivalent_formulations_pass():
    """Accepted ways of writing the same thing: @, +, keras activations and losses, tf.math."""
    checks = _checks()
    def linear_with_at():
        np.random.seed(1)
        X, W, b = (tf.constant(np.random.randn(*s)) for s in ((3, 1), (4, 3), (4, 1)))
        return W @ X + b

    variants = {
        "linear_function": linear_with_at,
        "sigmoid": lambda z: keras.activations.sigmoid(tf.cast(z, tf.float32)),
        "cost": lambda logits, labels: tf.maximum(logits, 0) - logits * labels
                                       + tf.math.log1p(tf.exp(-tf.abs(logits))),
        "one_hot_matrix": lambda labels, C: tf.transpose(tf.one_hot(labels, C)),
        "forward_propagation": lambda X, p: p["W3"] @ tf.nn.relu(p["W2"] @ tf.nn.relu(p["W1"] @ X + p["b1"])
                                                                  + p["b2"]) + p["b3"],
        "compute_cost": lambda Z3, Y: tf.reduce_mean(keras.losses.categorical_crossentropy(
            tf.transpose(Y), tf.transpose(Z3), from_logits=True)),
    }
    for name, fn in variants.items():
        report = grade_in_process(checks[name], fn, seed=3)
        assert report.passed == report.total, report.text()



# ============================================================================================
# (d) model: deterministic cases, properties, mistakes
# ============================================================================================

def test_model_hidden_cases():
    """Two tiny runs whose single mini-batch holds every example (the shuffling changes nothing),
    then one with several mini-batches judged on properties; every one cheap."""
    for seed in range(3):
        cases = _checks()["model"].cases(_rng(seed, "model"))
        assert [c.kwargs["report"] for c in cases] == ["trajectory", "trajectory", "properties"]
        for case in cases[:2]:
            assert case.kwargs["minibatch_size"] >= case.args[0].shape[1], case.label
            assert case.kwargs["learning_rate"] != 0.001  # Adam's default would pass otherwise
        m, size = cases[2].args[0].shape[1], cases[2].kwargs["minibatch_size"]
        assert m > 2 * size and m % size, cases[2].label  # several mini-batches, a smaller last one
        assert all(c.args[0].shape[0] <= 6 and c.timeout >= 60 for c in cases)


def test_model_results_do_not_depend_on_the_shuffle_where_they_are_compared():
    """On a trajectory case, a student who shuffles differently (or not at all), or who runs the
    step eagerly, still matches the reference; the properties case passes for a correct run on
    every seed tried."""
    check = _checks()["model"]
    cases = check.cases(_rng(4, "model"))
    expected = ti.probe_training(ref.model, *cases[0].args, **cases[0].kwargs)

    def unshuffled(X_train, Y_train, X_test, Y_test, learning_rate=0.0001, num_epochs=30,
                   minibatch_size=32, print_cost=True, seed=1):
        order = np.arange(X_train.shape[1])[::-1]
        return ref.model(X_train[:, order], Y_train[:, order], X_test, Y_test, learning_rate,
                         num_epochs, minibatch_size, print_cost, seed)

    outcome = call_in_process(unshuffled, cases[0], check.probe)
    assert judge(check, cases[0], outcome, expected, reveal=False) == []
    for seed in range(5, 7):
        case = check.cases(_rng(seed, "model"))[2]
        report = ti.probe_training(ref.model, *case.args, **case.kwargs)
        assert report["the cost went down"] and report["accuracies are fractions of the examples"]


MODEL_MUTATIONS = [
    ([("optimizer = keras.optimizers.Adam(learning_rate=learning_rate)",
       "optimizer = keras.optimizers.SGD(learning_rate=learning_rate)")], "plain gradient descent (SGD)"),
    ([("keras.optimizers.Adam(learning_rate=learning_rate)", "keras.optimizers.Adam()")],
     "the learning rate is ignored"),
    ([("epoch_cost += float(minibatch_cost) * X_rows.shape[0]", "epoch_cost += float(minibatch_cost) / minibatch_size"),
      ("costs.append(epoch_cost / m)", "costs.append(epoch_cost)")], "divided by minibatch_size"),
    ([("tf.argmax(Z3, axis=0), tf.argmax(Y, axis=0)", "tf.argmax(Z3, axis=1), tf.argmax(Y, axis=1)")],
     "argmax over axis 1"),
]


@pytest.mark.parametrize("edits, words", MODEL_MUTATIONS, ids=[w.split()[0] for _, w in MODEL_MUTATIONS])
def test_model_mutation_is_caught_on_the_first_case(cells, edits, words):
    mutated = cells
    for old, new in edits:
        mutated = mutate(mutated, "model", old, new)
    fn = _namespace(mutated)["model"]
    check = _checks()["model"]
    case = check.cases(_rng(11, "model"))[0]
    expected = ti.probe_training(ref.model, *case.args, **case.kwargs)
    problems = judge(check, case, call_in_process(fn, case, check.probe), expected, reveal=False)
    assert problems and words in problems[0], problems


def test_one_cost_per_minibatch_fails_the_properties_case():
    check = _checks()["model"]
    wrong = ref._model_with(record="minibatch")
    check = dataclasses.replace(check, diagnoses=[d for d in check.diagnoses if "per mini-batch" in d[1]])
    case = check.cases(_rng(2, "model"))[2]
    expected = ti.probe_training(ref.model, *case.args, **case.kwargs)
    problems = judge(check, case, call_in_process(wrong, case, check.probe), expected, reveal=False)
    assert problems and "one cost per mini-batch was recorded" in problems[0], problems


# ============================================================================================
# (e) probes, teaching aids, the explorer
# ============================================================================================

def test_probes_name_what_came_back():
    assert ti.kind(tf.Variable(1.0)) == "tf.Variable" and ti.kind(tf.Variable(1.0), strict=False) == "tf.Tensor"
    assert [ti.kind(x) for x in (tf.constant(1), np.ones(2), np.float32(1), 1.0, None, [1])] == [
        "tf.Tensor", "numpy array", "numpy number", "Python number", "None", "list"]
    summary = ti.tensor_summary(tf.constant([[1.0, 2.0]]))
    assert summary["type"] == "tf.Tensor" and summary["dtype"] == "float32" and summary["value"].shape == (1, 2)
    assert ti.tensor_summary(tf.constant(3.0))["value"] == 3.0
    assert ti.probe_parameters(lambda: [1, 2]) == {"returned": "list"}
    assert ti.training_report(None, "trajectory", 1, 1) == {"returned": "None"}


def test_installed_package_computes_no_answer():
    """utils/ is installed for every student: the probes and the public checks call no
    initializer, loss, activation, matrix product, one-hot encoding or optimizer (their advice
    may *name* them)."""
    import ast
    from pathlib import Path

    answers = {"one_hot", "GlorotNormal", "GlorotUniform", "softmax_cross_entropy_with_logits",
               "sigmoid_cross_entropy_with_logits", "relu", "matmul", "Adam", "SGD", "apply_gradients",
               "reduce_mean", "softmax", "sigmoid", "categorical_crossentropy", "ones"}
    for path in (Path(ti.__file__), Path(public.__file__)):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        called = {node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                  for node in ast.walk(tree) if isinstance(node, ast.Call)}
        assert not called & answers, (path.name, called & answers)


def test_data_preparation():
    data = (np.arange(2 * 4 * 4 * 3, dtype=np.uint8).reshape(2, 4, 4, 3), np.array([[1, 5]]),
            np.zeros((1, 4, 4, 3), np.uint8), np.array([[0]]), np.arange(6))
    X_train, Y_train, X_test, Y_test = ti.flatten_and_encode(data)
    assert X_train.shape == (48, 2) and X_test.shape == (48, 1) and Y_train.shape == (6, 2)
    assert X_train[:, 1].tolist() == (np.arange(48, 96) / 255).tolist()
    assert Y_train[:, 1].tolist() == [0, 0, 0, 0, 0, 1] and Y_test[:, 0].tolist() == [1, 0, 0, 0, 0, 0]


def test_figures():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pictures = np.zeros((3, 64, 64, 3), np.uint8)
    fig = ti.show_signs(pictures, np.array([[0, 1, 2]]), range(3))
    assert [ax.get_title() for ax in fig.axes] == ["#0: y = 0", "#1: y = 1", "#2: y = 2"]
    plt.close(fig)
    fig = ti.show_predictions(pictures, np.array([[0, 1, 2]]), [0, 2, 2])
    assert [ax.title.get_color() for ax in fig.axes[:3]] == ["black", "red", "black"]
    plt.close(fig)
    plt.close(ti.plot_costs([1.0, 0.5, 0.25], learning_rate=0.01))
    fig = ti.plot_descent(ti.gradient_descent(1.05, 40), 1.05)
    assert "40 steps of size 1.05" in fig.axes[0].get_title()


def _text(box) -> str:
    return "".join(o.get("text", "") for o in box.output.outputs if o.get("output_type") == "stream")


def _image(box) -> str:
    return next(o["data"]["image/png"] for o in box.output.outputs if o["output_type"] == "display_data")


def test_descent_explorer_follows_its_sliders():
    box = ti.descent_explorer(learning_rate=0.01, steps=100)
    assert "after 100 steps of size 0.01: w = 4.3369026" in _text(box) and "on its way" in _text(box)
    before = _image(box)
    box.controls["step size"].value = 0.8
    assert "w = 4.9999995" in _text(box) and "jumping from one side" in _text(box)
    assert _image(box) != before
    box.controls["steps"].value = 1
    box.controls["step size"].value = 0.5
    assert "after 1 steps of size 0.5: w = 5.0" in _text(box)
    box.controls["step size"].value = 1.2
    box.controls["steps"].value = 500
    assert "diverges" in _text(box) and "w overflowed" in _text(box)


# ============================================================================================
# (f) the notebook
# ============================================================================================

def test_notebook_specifics():
    nb = source_notebook(AID)
    ids = [c.metadata.nbgrader.grade_id for c in nb.cells]
    for name in FUNCTIONS:
        assert ids[ids.index(name) - 1] == f"{name}_md"
    assert sum(POINTS.values()) == 14
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for words in ("no `create_placeholders`", "cannot be reproduced in TensorFlow 2", "How `model` is graded",
                  "0.099999994", "4.9999886", "0.19999999", "9.999977"):
        assert words in text, words
    by_id = {c.metadata.nbgrader.grade_id: c.source for c in nb.cells}
    assert "print(\"data:\", data.description)" in by_id["load_data"]
    assert "from dlcourse.utils.tf_runtime import tf, keras" in by_id["setup"]
    assert "@tf.function" in by_id["model"]
    for c in nb.cells:  # widgets and the training run never run while grading
        if c.cell_type == "code" and not c.metadata.nbgrader.solution and (
                "display(" in c.source or "model(X_train" in c.source):
            assert c.source.startswith("if is_grading():"), c.metadata.nbgrader.grade_id


def test_worker_cells_are_setup_and_solutions_only():
    cells = worker_cells(source_notebook(AID))
    assert len(cells) == 1 + len(FUNCTIONS)
    assert not any(w in src for src in cells[1:] for w in ("display(", "plot_", "load_signs_dataset"))


def test_solutions_module_declares_tensorflow():
    assert ref.REQUIRES == ["tensorflow"]
