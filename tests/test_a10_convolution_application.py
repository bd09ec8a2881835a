"""a10 convolutional networks with Keras: the references reproduce the curriculum's summary tables
and parameter counts, the public checks show those tables and name the mistakes, the hidden checks
give a correct submission full marks on random input shapes and catch the named mistakes (wrong
kernel size or stride, BatchNormalization missing, over axis 1 or after the ReLU, softmax and
sigmoid mixed up or missing, 'valid' for 'same', a hard-coded input shape), the model trains, the
data loader and the teaching aids work, and the notebook follows the authoring rules.

Most hidden-check tests judge in process with a probe that remembers the reports of the trusted
builders (reference and diagnoses), so that every wrong model is built once per case; two runs of
the real sandboxed worker check the solution and a pair of mutated cells end to end."""
from __future__ import annotations

import copy
import dataclasses
import re

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from dlcourse.autograder.hidden import _rng, grade_in_process, grade_notebook_code, load_checks  # noqa: E402
from dlcourse.datasets import happy as happy_data  # noqa: E402
from dlcourse.utils import conv_application as aids  # noqa: E402
from dlcourse.utils import keras_probe  # noqa: E402
from dlcourse.utils.checks import a10_convolution_application as public  # noqa: E402
from dlcourse.utils.tf_runtime import keras, layers  # noqa: E402
from tests.support import (fails_with, quietly, OFFICIAL, SOLUTIONS, mutate, reference_module, release_cells,  # noqa: E402
                           solution_cells, source_notebook)

AID = "a10_convolution_application"
FUNCTIONS = ["happyModel", "convolutional_model"]
POINTS = {"happyModel": 4, "convolutional_model": 4}

ref = reference_module(AID)
CHECKS = load_checks(AID, SOLUTIONS)

#: the curriculum's summary rows (section 10.3), written out here independently of the checks
HAPPY_ROWS = [
    ["ZeroPadding2D", (None, 70, 70, 3), 0, ((3, 3), (3, 3))],
    ["Conv2D", (None, 64, 64, 32), 4736, "valid", "linear", "GlorotUniform"],
    ["BatchNormalization", (None, 64, 64, 32), 128],
    ["ReLU", (None, 64, 64, 32), 0],
    ["MaxPooling2D", (None, 32, 32, 32), 0, (2, 2), (2, 2), "valid"],
    ["Flatten", (None, 32768), 0],
    ["Dense", (None, 1), 32769, "sigmoid"],
]
CONV_ROWS = [
    ["InputLayer", [(None, 64, 64, 3)], 0],
    ["Conv2D", (None, 64, 64, 8), 392, "same", "linear", "GlorotUniform"],
    ["ReLU", (None, 64, 64, 8), 0],
    ["MaxPooling2D", (None, 8, 8, 8), 0, (8, 8), (8, 8), "same"],
    ["Conv2D", (None, 8, 8, 16), 528, "same", "linear", "GlorotUniform"],
    ["ReLU", (None, 8, 8, 16), 0],
    ["MaxPooling2D", (None, 2, 2, 16), 0, (4, 4), (4, 4), "same"],
    ["Flatten", (None, 64), 0],
    ["Dense", (None, 6), 390, "softmax"],
]


_quietly = quietly


_fails = fails_with


# ---------------------------------------------------------------- a probe that remembers
_REPORTS: dict = {}
_TRUSTED = {id(f) for c in CHECKS.values() for f in [c.reference] + [d for d, _ in c.diagnoses]}


def _remembering_probe(builder, *args, **kwargs):
    """model_probe, computed once per (trusted builder, case): the reference and the diagnoses
    are rebuilt for every failing case otherwise, which makes these tests slow, not better."""
    if id(builder) not in _TRUSTED:
        return aids.model_probe(builder, *args, **kwargs)
    key = (id(builder), repr(args), repr(sorted(kwargs.items())))
    if key not in _REPORTS:
        _REPORTS[key] = aids.model_probe(builder, *args, **kwargs)
    return copy.deepcopy(_REPORTS[key])


FAST = {name: dataclasses.replace(check, probe=_remembering_probe) for name, check in CHECKS.items()}


def _grade(name, fn, seed=7):
    return grade_in_process(FAST[name], fn, seed=seed)


# ============================================================================================
# (a) the references reproduce curriculum section 10
# ============================================================================================

def test_curriculum_summaries_and_parameter_counts():
    model = ref.happyModel()
    assert isinstance(model, keras.Sequential) and len(model.layers) == 7  # keras.Input: no row
    assert keras_probe.course_summary(model) == HAPPY_ROWS
    assert keras_probe.param_counts(model) == {"total": 37633, "trainable": 37569, "non_trainable": 64}
    model = ref.convolutional_model((64, 64, 3))
    assert not isinstance(model, keras.Sequential)
    assert keras_probe.course_summary(model) == CONV_ROWS
    assert keras_probe.param_counts(model) == {"total": 1310, "trainable": 1310, "non_trainable": 0}
    # the parameter arithmetic of the notebook
    assert (7 * 7 * 3 + 1) * 32 == 4736 and 4 * 32 == 128 and 32 * 32 * 32 + 1 == 32769
    assert (4 * 4 * 3 + 1) * 8 == 392 and (2 * 2 * 8 + 1) * 16 == 528 and (64 + 1) * 6 == 390


def test_public_tables_are_the_curriculum_and_the_references():
    assert aids.summary_rows(ref.happyModel(), input_row=False) == HAPPY_ROWS
    assert [public.HAPPY_SUMMARY[f"layer {k}"] for k in range(1, 8)] == HAPPY_ROWS
    assert [public.CONV_SUMMARY[f"layer {k}"] for k in range(1, 10)] == CONV_ROWS
    assert (public.HAPPY_SUMMARY["total params"], public.HAPPY_SUMMARY["trainable params"],
            public.HAPPY_SUMMARY["non-trainable params"]) == (37633, 37569, 64)
    assert public.CONV_SUMMARY["total params"] == 1310
    assert aids.sequential_summary(ref.happyModel) == public.HAPPY_SUMMARY
    assert aids.functional_summary(ref.convolutional_model, (64, 64, 3)) == public.CONV_SUMMARY
    assert aids.functional_summary(ref.convolutional_model, public.CONV_INPUT_SHAPE_2) == \
        public.CONV_SUMMARY_2
    assert public.CONV_SUMMARY_2["total params"] == 136 + 528 + 582 == 1246


def test_stored_mistake_tables_are_what_the_wrong_models_give():
    """The public known mistakes are data: each is the table of the diagnosis whose message
    starts the same way (the words before the first colon)."""
    diagnoses = {"happyModel": ref.HAPPY_DIAGNOSES, "convolutional_model": ref.CONV_DIAGNOSES}
    stored = [("happyModel", (), m) for m in public._HAPPY_MISTAKES] + \
             [("convolutional_model", ((64, 64, 3),), m) for m in public._CONV_MISTAKES] + \
             [("convolutional_model", (public.CONV_INPUT_SHAPE_2,), m) for m in public._CONV_MISTAKES_2]
    for name, args, (table, message) in stored:
        summary = aids.sequential_summary if name == "happyModel" else aids.functional_summary
        (builder,) = [b for b, m in diagnoses[name] if m.split(":")[0] == message.split(":")[0]]
        assert summary(builder, *args) == table, message
        assert table != summary(getattr(ref, name), *args), message


# ============================================================================================
# (b) public checks
# ============================================================================================

def test_public_checks_pass_on_the_references_and_print_the_tables():
    _, out = _quietly(public.check_happyModel, ref.happyModel)
    assert "✓ All 1 public case(s) of happyModel passed." in out and "✗" not in out
    assert "total params = 37633   expected 37633" in out
    _, out = _quietly(public.check_convolutional_model, ref.convolutional_model)
    assert "✓ All 2 public case(s) of convolutional_model passed." in out and "✗" not in out
    assert "layer 1 = ['InputLayer', [(None, 40, 72, 1)], 0]" in out


def test_notebook_shows_the_tables_the_checks_print():
    nb = source_notebook(AID)
    texts = {c.metadata.nbgrader.grade_id: c.source for c in nb.cells}
    for name, check, fn in (("happyModel", public.check_happyModel, ref.happyModel),
                            ("convolutional_model", public.check_convolutional_model,
                             ref.convolutional_model)):
        _, out = _quietly(check, fn)
        expected = [line.split("   expected ", 1) for line in out.splitlines() if "   expected " in line]
        assert expected
        for left, right in expected:
            key = left.strip().split(" = ")[0]
            assert f"{key} = {right}" in texts[f"{name}_md"], (key, right)


def _happy_layers(*middle, last="sigmoid"):
    return lambda: keras.Sequential([keras.Input((64, 64, 3)), layers.ZeroPadding2D((3, 3)),
                                     layers.Conv2D(32, 7), *middle, layers.MaxPool2D(),
                                     layers.Flatten(), layers.Dense(1, activation=last)])


PUBLIC_MISTAKES = [
    ("happyModel", _happy_layers(layers.ReLU(), layers.BatchNormalization(axis=3)), "ReLU comes before"),
    ("happyModel", _happy_layers(layers.BatchNormalization(axis=1), layers.ReLU()), "normalizes axis 1"),
    ("happyModel", _happy_layers(layers.ReLU()), "BatchNormalization is missing"),
    ("happyModel", _happy_layers(layers.BatchNormalization(), layers.ReLU(), last="softmax"),
     "the last Dense uses softmax"),
    ("happyModel", _happy_layers(layers.BatchNormalization(), layers.ReLU(), last=None), "no activation"),
    ("happyModel", _happy_layers(layers.BatchNormalization(), layers.ReLU(), layers.Dropout(0.2)),
     "the layers, in order, are ZeroPadding2D, Conv2D, BatchNormalization, ReLU, Dropout"),
    ("convolutional_model", ref._conv_with(conv_padding="valid"), "padding='valid'"),
    ("convolutional_model", ref._conv_with(last="sigmoid"), "the last Dense uses sigmoid"),
    ("convolutional_model", ref._conv_with(kernels=(2, 2, 4, 4)), "the kernel sizes are swapped"),
    ("convolutional_model", ref._conv_with(pool_strides=1), "move by 1"),
    ("convolutional_model", ref._conv_with(relu=False), "the ReLU layers are missing"),
    ("convolutional_model", lambda input_shape: ref.convolutional_model((64, 64, 3)),
     "the input shape is hard-coded to (64, 64, 3)"),
    ("convolutional_model", ref._conv_with(conv_strides=2),
     "layer 2 (Conv2D) is ['Conv2D', (None, 32, 32, 8), 392"),
]


@pytest.mark.parametrize("name, wrong, words", PUBLIC_MISTAKES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(PUBLIC_MISTAKES)])
def test_public_checks_fail_on_wrong_models_and_name_the_mistake(name, wrong, words):
    with __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore")
        _fails(getattr(public, f"check_{name}"), wrong, words)


def test_public_check_reports_an_unfinished_or_wrong_type_function():
    def not_done(*args):
        raise NotImplementedError()

    out = _fails(public.check_happyModel, not_done, "not implemented yet")
    assert "✗ 1 problem(s)" in out
    _fails(public.check_convolutional_model, lambda input_shape: None, "not a Keras model")
    no_input = lambda: keras.Sequential([layers.ZeroPadding2D(3), layers.Flatten(),  # noqa: E731
                                         layers.Dense(1, activation="sigmoid")])
    _fails(public.check_happyModel, no_input, "start it with keras.Input(shape=...)")
    report = _grade("happyModel", no_input)
    assert report.passed == 0 and "start it with keras.Input" in report.text(), report.text()


# ============================================================================================
# (c) equivalent formulations pass everywhere
# ============================================================================================

def _happy_functional():
    x = inputs = keras.Input(shape=(64, 64, 3))
    for layer in (layers.ZeroPadding2D(padding=3), layers.Conv2D(32, 7, strides=1),
                  layers.BatchNormalization(axis=-1), layers.Activation("relu"),
                  layers.MaxPooling2D(pool_size=2), layers.Flatten()):
        x = layer(x)
    return keras.Model(inputs, layers.Dense(1, activation=tf.nn.sigmoid)(x))


def _happy_input_shape_argument():  # the original course's TF 2.3 style
    return keras.Sequential([layers.ZeroPadding2D(padding=(3, 3), input_shape=(64, 64, 3)),
                             layers.Conv2D(32, (7, 7)), layers.BatchNormalization(axis=3),
                             layers.ReLU(), layers.MaxPool2D(), layers.Flatten(),
                             layers.Dense(1, activation="sigmoid")])


def _conv_sequential(input_shape):
    return keras.Sequential([keras.Input(input_shape),
                             layers.Conv2D(8, 4, padding="same"), layers.Activation(tf.nn.relu),
                             layers.MaxPooling2D(8, padding="same"),
                             layers.Conv2D(16, 2, padding="same"), layers.ReLU(),
                             layers.MaxPool2D(4, padding="same"), layers.Flatten(),
                             layers.Dense(6, activation=tf.nn.softmax)])


@pytest.mark.parametrize("name, fn", [("happyModel", _happy_functional),
                                      ("happyModel", _happy_input_shape_argument),
                                      ("convolutional_model", _conv_sequential)])
def test_equivalent_formulations_earn_everything(name, fn):
    with __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore")
        _, out = _quietly(getattr(public, f"check_{name}"), fn)
        assert "✓ All" in out, out
        report = _grade(name, fn)
    assert report.passed == report.total, report.text()


# ============================================================================================
# (d) hidden checks
# ============================================================================================

@pytest.fixture(scope="module")
def cells():
    return solution_cells(AID)


def _hidden_cases(name, seed):
    return CHECKS[name].cases(_rng(seed, name))


def test_hidden_cases_draw_new_shapes_and_seeds():
    shapes, seeds = set(), set()
    for seed in range(8):
        cases = _hidden_cases("convolutional_model", seed)
        assert len(cases) == 3
        channels = sorted(c.args[0][2] for c in cases)
        assert channels[0] == 1 and set(channels) <= {1, 2, 3, 4}
        for case in cases:
            (h, w, c), = case.args
            assert h != w and h % 8 == 0 == w % 8 and 48 <= min(h, w) and max(h, w) <= 96
            assert case.timeout >= 30 and case.kwargs["probe_seed"] > 0
            shapes.add((h, w, c))
            seeds.add(case.kwargs["probe_seed"])
        happy = _hidden_cases("happyModel", seed)
        assert [c.args for c in happy] == [(), ()] and happy[1].kwargs["probe_training"] is True
        assert all(c.timeout >= 30 for c in happy)
        seeds.update(c.kwargs["probe_seed"] for c in happy)
    assert len(shapes) >= 16 and len(seeds) == 8 * 5


def test_reference_passes_hidden_checks_for_another_seed():
    """(The worker test below grades the notebook's solution cells with seed 2024.)"""
    for seed in (0,):
        for name in FUNCTIONS:
            report = _grade(name, getattr(ref, name), seed=seed)
            assert report.passed == report.total, report.text()


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_diagnosis_fails_and_is_named(name):
    """On the first hidden case of a seed (the mutations below see the others): each diagnosis
    fails, and the first diagnosis that matches it is itself (the messages are distinct)."""
    check = CHECKS[name]
    assert len(check.diagnoses) >= 2
    first = dataclasses.replace(FAST[name], cases=lambda rng: check.cases(rng)[:1])
    with __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore")
        for wrong, message in check.diagnoses:
            report = grade_in_process(first, wrong, seed=7)
            assert report.passed == 0 and message in report.lines[0], (message, report.text())


# source edits of the notebook's solution cells: every mistake the issue names, and more
MUTATIONS = [
    ("happyModel", [("layers.Conv2D(32, (7, 7), strides=(1, 1))", "layers.Conv2D(32, (3, 3), strides=(1, 1))")],
     "the Conv2D filters are 3x3"),
    ("happyModel", [("layers.Conv2D(32, (7, 7), strides=(1, 1))", "layers.Conv2D(32, (7, 7), strides=(2, 2))")],
     "the Conv2D moves by 2 pixels"),
    ("happyModel", [("        layers.BatchNormalization(axis=3),\n", "")], "BatchNormalization is missing"),
    ("happyModel", [("layers.BatchNormalization(axis=3)", "layers.BatchNormalization(axis=1)")],
     "normalizes axis 1"),
    ("happyModel", [("layers.BatchNormalization(axis=3),\n        layers.ReLU(),",
                     "layers.ReLU(),\n        layers.BatchNormalization(axis=3),")], "ReLU comes before"),
    ("happyModel", [('activation="sigmoid"', 'activation="softmax"')], "the last Dense uses softmax"),
    ("happyModel", [('layers.Dense(1, activation="sigmoid")', "layers.Dense(1)")], "has no activation"),
    ("happyModel", [("layers.MaxPool2D(),", "layers.AveragePooling2D(pool_size=(2, 2)),")],
     "missing: MaxPooling2D | not asked for: AveragePooling2D"),
    ("convolutional_model", [("keras.Input(shape=input_shape)", "keras.Input(shape=(64, 64, 3))")],
     "the input shape is hard-coded to (64, 64, 3)"),
    ("convolutional_model", [('kernel_size=(4, 4), strides=(1, 1), padding="same"',
                              'kernel_size=(4, 4), strides=(1, 1), padding="valid"')],
     "Conv2D padding is 'same', 'valid'; the notebook asks for 'same' (2 times)"),
    ("convolutional_model", [('strides=(8, 8), padding="same"', "strides=(8, 8)"),
                             ('strides=(4, 4), padding="same"', "strides=(4, 4)")],
     "a MaxPool2D uses padding='valid'"),
    ("convolutional_model", [('activation="softmax"', 'activation="sigmoid"')], "the last Dense uses sigmoid"),
    ("convolutional_model", [('layers.Dense(units=6, activation="softmax")', "layers.Dense(units=6)")],
     "has no activation"),
    ("convolutional_model", [("kernel_size=(2, 2)", "kernel_size=(3, 3)")],
     "Conv2D kernel_size is (3, 3), (4, 4); the notebook asks for (2, 2), (4, 4)"),
    ("convolutional_model", [("pool_size=(8, 8), strides=(8, 8)", "pool_size=(8, 8), strides=(1, 1)")],
     "MaxPooling2D strides is (1, 1), (4, 4); the notebook asks for (4, 4), (8, 8)"),
    ("convolutional_model", [("A2 = layers.ReLU()(Z2)", "A2 = Z2")], "missing: ReLU"),
]


def _namespace(src_cells):
    namespace: dict = {}
    for src in src_cells:
        exec(compile(src, "<notebook cell>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("function, edits, words", MUTATIONS,
                         ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(MUTATIONS)])
def test_mutation_is_caught_and_named(cells, function, edits, words):
    mutated = cells
    for old, new in edits:
        mutated = mutate(mutated, function, old, new)
    with __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore")
        report = _grade(function, _namespace(mutated)[function])
    assert report.passed == 0, report.text()
    assert words in report.text(), report.text()


def test_errors_of_wrong_models_are_explained():
    from dlcourse.autograder.checks import CallOutcome, judge

    case = _hidden_cases("convolutional_model", 1)[0]
    error = ("ValueError: Exception encountered when calling MaxPooling2D.call(). Computed output "
             "size would be zero or negative. Received: `inputs.shape=[None 3 7 16]`")
    (problem,) = judge(CHECKS["convolutional_model"], case, CallOutcome(False, error=error), None,
                       reveal=False)
    assert "check padding='same'" in problem
    (problem,) = judge(CHECKS["happyModel"], case, CallOutcome(
        False, error="TypeError: happyModel returned NoneType, not a Keras model"), None, reveal=False)
    assert "return the model itself" in problem


def test_every_function_has_two_mutations():
    counts = {name: sum(1 for f, _, _ in MUTATIONS if f == name) for name in FUNCTIONS}
    assert min(counts.values()) >= 2, counts


def _renamed(cells, function, new_name, old, new):
    """The cell of ``function`` with one edit, defining ``new_name`` instead (an extra cell)."""
    (src,) = [m for m, c in zip(mutate(cells, function, old, new), cells) if m != c]
    return src.replace(f"def {function}(", f"def {new_name}(", 1)


def test_solution_cells_pass_and_mutated_cells_fail_in_the_worker(cells):
    """End to end, in the sandboxed worker with the real probe and timeouts: the solution cells
    earn everything; a copy of each function with a named mistake (loaded in the same worker
    under another name, so that TensorFlow is imported once) earns nothing and is named."""
    extra = {"happyModel_relu_first": _renamed(
                 cells, "happyModel", "happyModel_relu_first",
                 "layers.BatchNormalization(axis=3),\n        layers.ReLU(),",
                 "layers.ReLU(),\n        layers.BatchNormalization(axis=3),"),
             "conv_fixed_shape": _renamed(
                 cells, "convolutional_model", "conv_fixed_shape", "keras.Input(shape=input_shape)",
                 "keras.Input(shape=(64, 64, 3))")}
    checks = dict(CHECKS, happyModel_relu_first=dataclasses.replace(
        CHECKS["happyModel"], name="happyModel_relu_first"), conv_fixed_shape=dataclasses.replace(
        CHECKS["convolutional_model"], name="conv_fixed_shape"))
    reports = grade_notebook_code(checks, FUNCTIONS + list(extra), cells + list(extra.values()),
                                  seed=2024)
    for name in FUNCTIONS:
        assert reports[name].total >= 2 and reports[name].passed == reports[name].total, \
            reports[name].text()
    happy, conv = reports["happyModel_relu_first"], reports["conv_fixed_shape"]
    assert happy.passed == 0 and "ReLU comes before" in happy.text(), happy.text()
    assert conv.passed == 0 and "hard-coded to (64, 64, 3)" in conv.text(), conv.text()


def test_hidden_reports_never_show_reference_values(cells):
    """No report line holds a number of the reference's outputs (or any long decimal)."""
    name = "convolutional_model"
    case = _hidden_cases(name, 7)[0]
    expected = aids.model_probe(ref.convolutional_model, *case.args, **case.kwargs)
    shown = {f"{v:.4f}" for v in np.asarray(expected["output"]).ravel()}
    wrong = _namespace(mutate(cells, name, "kernel_size=(2, 2)", "kernel_size=(3, 3)"))[name]
    for fn in (wrong, ref._conv_with(pools=(4, 8)), ref._conv_with(last=None)):
        report = _grade(name, fn)
        text = "\n".join(line.split("): ", 1)[1] for line in report.lines if "✗" in line)
        assert text and not re.search(r"\d\.\d{3,}", text), text
        assert not any(s in text for s in shown)


def test_release_scores_zero(cells):
    released = release_cells(cells)
    assert sum(src.count("raise NotImplementedError()") for src in released) == len(FUNCTIONS)
    namespace = _namespace(released)
    for name in FUNCTIONS:
        report = _grade(name, namespace[name])
        assert report.passed == 0 and "NotImplementedError" in report.text()


def test_simulated_mistake_applies_to_the_solution(cells):
    for function, old, new in ref.SIMULATED_MISTAKES:
        mutated = _namespace(mutate(cells, function, old, new))[function]
        assert _grade(function, mutated).passed == 0


# ============================================================================================
# (e) training, data, official files
# ============================================================================================

def test_convolutional_model_learns_the_default_digits_quickly():
    from dlcourse.datasets.signs import convert_to_one_hot, load_signs_dataset

    X_train_orig, Y_train_orig, X_test_orig, Y_test_orig, _ = load_signs_dataset()
    X_train, X_test = X_train_orig / 255.0, X_test_orig / 255.0
    Y_train, Y_test = convert_to_one_hot(Y_train_orig, 6).T, convert_to_one_hot(Y_test_orig, 6).T
    keras.utils.set_random_seed(1)
    model = ref.convolutional_model((64, 64, 3))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    train = tf.data.Dataset.from_tensor_slices((X_train, Y_train)).batch(32)
    model.fit(train, epochs=3, verbose=0, shuffle=False)  # a few seconds (0.94 measured)
    _, accuracy = model.evaluate(X_test, Y_test, verbose=0)
    assert accuracy > 0.6, accuracy  # chance: 1/6


@pytest.mark.skipif(not (OFFICIAL / "test_signs.h5").is_file(),
                    reason="the official SIGNS test file is not in the shared datasets folder")
def test_official_signs_file_goes_through_the_notebooks_preprocessing():
    import h5py

    with h5py.File(OFFICIAL / "test_signs.h5", "r") as f:  # as datasets.signs.read_signs_h5 does
        X = np.array(f["test_set_x"][:])
        Y = np.array(f["test_set_y"][:]).reshape(1, -1).astype(np.int64)
    from dlcourse.datasets.signs import convert_to_one_hot

    cell = next(c.source for c in source_notebook(AID).cells
                if c.metadata.nbgrader.grade_id == "signs_preprocess")
    namespace = {"np": np, "convert_to_one_hot": convert_to_one_hot, "X_train_orig": X,
                 "Y_train_orig": Y, "X_test_orig": X, "Y_test_orig": Y}
    _quietly(exec, cell, namespace)
    X_test, Y_test = namespace["X_test"], namespace["Y_test"]
    assert X_test.shape == (120, 64, 64, 3) and Y_test.shape == (120, 6)
    assert 0.0 <= X_test.min() and X_test.max() <= 1.0
    assert np.array_equal(Y_test.argmax(axis=1), Y.ravel()) and np.all(Y_test.sum(axis=1) == 1)
    probabilities = ref.convolutional_model((64, 64, 3)).predict(X_test[:8], verbose=0)
    assert probabilities.shape == (8, 6) and np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)


def test_default_happy_data():
    before = np.random.get_state()[1].copy()
    data = happy_data.load_happy_dataset(data_dir="/nonexistent")
    assert np.array_equal(np.random.get_state()[1], before)
    X_train, Y_train, X_test, Y_test, classes = data
    assert data.source == "default" and "mirrored" in data.description
    assert X_train.shape == (300, 64, 64, 3) and X_test.shape == (50, 64, 64, 3)
    assert X_train.dtype == X_test.dtype == np.uint8 and Y_train.shape == (1, 300) and Y_test.shape == (1, 50)
    assert Y_train.sum() == 150 and Y_test.sum() == 25 and list(classes) == [b"non-face", b"face"]
    assert np.array_equal(X_train[1::2], X_train[0::2, :, ::-1]) and np.array_equal(Y_train[0, 1::2], Y_train[0, 0::2])
    from dlcourse.datasets.cat import default_dataset

    faces = default_dataset(happy_data.DEFAULT_SEED)
    assert np.array_equal(X_train[0::2], faces["train"]["train_set_x"])
    assert np.array_equal(X_test, faces["test"]["test_set_x"])
    other = happy_data.load_happy_dataset(data_dir="/nonexistent", seed=2)
    assert not np.array_equal(other[0], X_train)


def test_official_happy_files_are_read_as_the_course_did(tmp_path, monkeypatch):
    import h5py

    rng = np.random.default_rng(0)
    for name, prefix, m in (("train_happy.h5", "train", 6), ("test_happy.h5", "test", 4)):
        with h5py.File(tmp_path / name, "w") as f:
            f[f"{prefix}_set_x"] = rng.integers(0, 256, size=(m, 64, 64, 3), dtype=np.uint8)
            f[f"{prefix}_set_y"] = np.arange(m) % 2
            f["list_classes"] = np.array([0, 1])
    monkeypatch.setenv("DLCOURSE_DATA_DIR", str(tmp_path))
    data = happy_data.load_happy_dataset()
    assert data.source == "official" and str(tmp_path) in data.description
    assert [a.shape for a in data] == [(6, 64, 64, 3), (1, 6), (4, 64, 64, 3), (1, 4), (2,)]
    assert data[1].tolist() == [[0, 1, 0, 1, 0, 1]]


# ============================================================================================
# (f) teaching aids
# ============================================================================================

def test_figures_and_history_plot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = happy_data.load_happy_dataset(data_dir="/nonexistent")
    fig = aids.show_examples(data[0], data[1], data[4], [0, 1, 2], title="t")
    assert [ax.get_title() for ax in fig.axes][:2] == ["#0: y = 0 (non-face)", "#1: y = 0 (non-face)"]
    plt.close(fig)
    fig = aids.plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.4, 0.8],
                             "val_accuracy": [0.3, 0.7]})
    assert [ax.get_title() for ax in fig.axes] == ["Model loss", "Model accuracy"]
    assert [len(ax.lines) for ax in fig.axes] == [2, 2]
    plt.close(fig)
    value, out = _quietly(aids.plot_history, None)
    assert value is None and "skipped while grading" in out


def _stream_text(box) -> str:
    return "".join(o.get("text", "") for o in box.output.outputs if o["output_type"] == "stream")


def _image(box) -> str:
    return next(o["data"]["image/png"] for o in box.output.outputs if o["output_type"] == "display_data")


def test_training_explorer_redraws_after_every_epoch():
    rng = np.random.default_rng(0)
    X, labels = rng.random((48, 24, 32, 1)), rng.integers(0, 6, 48)
    Y = np.eye(6)[labels]
    def small(input_shape):  # the explorer trains whatever it is given: a quick one here
        return keras.Sequential([keras.Input(input_shape), layers.Flatten(),
                                 layers.Dense(6, activation="softmax")])

    box = aids.training_explorer(small, X, Y, X[:16], Y[:16], max_epochs=4)
    assert "no training run yet" in _stream_text(box) and box.controls["epochs"].max == 4
    first_image = _image(box)
    seen = []
    original = aids._curves_output

    def spy(curves, planned):
        seen.append(len(curves.get("loss", [])))
        return original(curves, planned)

    aids._curves_output = spy
    try:
        box.controls["epochs"].value = 2
        box.controls["batch size"].value = 16
        box.button.click()
    finally:
        aids._curves_output = original
    assert seen == [1, 2]  # live: one redraw per epoch
    text = _stream_text(box)
    assert text.count("epoch ") == 2 and "epoch 2/2: loss " in text and "val_accuracy" in text
    assert "done: epoch 2/2" in box.status.value and "batch size 16" in box.status.value
    assert _image(box) != first_image and not box.button.disabled

    def not_done(input_shape):
        raise NotImplementedError()

    broken = aids.training_explorer(not_done, X, Y, X, Y)
    broken.train()
    assert "error while training: NotImplementedError" in _stream_text(broken)


def test_explain_model_names_settings_not_reference_outputs():
    case = _hidden_cases("convolutional_model", 3)[0]
    expected = aids.model_probe(ref.convolutional_model, *case.args, **case.kwargs)
    valid = aids.model_probe(ref._conv_with(pool_padding="valid"), *case.args, **case.kwargs)
    (text,) = aids.explain_model(valid, expected)
    assert "MaxPooling2D padding is 'valid' (2 times); the notebook asks for 'same' (2 times)" in text
    assert "output" not in text and not re.search(r"\d\.\d", text)
    same = aids.explain_model(expected, expected)
    assert same and "order" in same[0]  # identical layers: only the order can differ
    assert aids.explain_model(None, expected) == []


# ============================================================================================
# (g) the notebook
# ============================================================================================

def test_notebook_specifics():
    nb = source_notebook(AID)
    ids = [c.metadata.nbgrader.grade_id for c in nb.cells]
    for name in FUNCTIONS:
        assert ids[ids.index(name) - 1] == f"{name}_md"
    assert ids.index("happy_data") < ids.index("happyModel") < ids.index("happy_fit")
    assert ids.index("signs_preprocess") < ids.index("convolutional_model") < ids.index("conv_fit") \
        < ids.index("conv_curves") < ids.index("conv_explorer")
    sources = {c.metadata.nbgrader.grade_id: c.source for c in nb.cells}
    assert 'print("Data:", happy.description)' in sources["happy_data"]
    assert 'print("Data:", signs.description)' in sources["signs_data"]
    assert "budget(10, 0)" in sources["happy_fit"] and "batch_size=16" in sources["happy_fit"]
    assert "budget(30, 0)" in sources["conv_fit"] and ".batch(64)" in sources["conv_fit"]
    assert 'loss="binary_crossentropy"' in sources["happy_build"]


def test_setup_cell_imports_only():
    setup = source_notebook(AID).cells[2].source
    assert "from dlcourse.autograder.kernel import grade" in setup
    assert "from dlcourse.utils.tf_runtime import tf, keras, layers" in setup
    assert "matplotlib.pyplot" not in setup  # the worker runs this cell for every submission
    for line in setup.splitlines():
        assert (not line.strip() or line.startswith(("%", "import ", "from ", " ", ")"))
                or line.strip() == "np.random.seed(1)"), line


def test_widgets_are_never_displayed_while_grading():
    for c in source_notebook(AID).cells:
        if c.cell_type == "code" and "display(" in c.source:
            assert c.source.startswith("if is_grading():"), c.metadata.nbgrader.grade_id


def test_installed_package_builds_no_graded_model():
    """utils/ is installed for every student: no Conv2D, pooling or padding layer is built there."""
    from pathlib import Path

    for path in (Path(aids.__file__), Path(public.__file__)):
        text = path.read_text(encoding="utf-8")
        for word in ("layers.Conv2D", "layers.MaxPool", "layers.ZeroPadding2D", "layers.Batch",
                     "keras.Sequential(", "keras.Model(", "layers.Dense"):
            assert word not in text, (path.name, word)
