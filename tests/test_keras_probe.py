"""The engine's support for the TensorFlow track: probes, explanations, quiet imports.

Graded Keras builders return models, which cannot leave the grading worker:
a check's ``probe`` reduces them to plain data there (``utils/keras_probe.py``).
These tests prove that equivalent formulations compare equal, that real
mistakes do not, that the weights set for comparison do not depend on the
order layers were created in, that a probe works through the real worker, and
that TensorFlow imports without a word on stderr.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from dlcourse.autograder.checks import Case, FunctionCheck
from dlcourse.autograder.compare import compare

tf = pytest.importorskip("tensorflow")
from dlcourse.utils import keras_probe as kp  # noqa: E402
from dlcourse.utils.tf_runtime import keras, layers  # noqa: E402


def _happy_sequential():
    return keras.Sequential([keras.Input((16, 16, 3)), layers.ZeroPadding2D(1), layers.Conv2D(4, 3),
                             layers.BatchNormalization(axis=3), layers.ReLU(), layers.MaxPool2D(),
                             layers.Flatten(), layers.Dense(1, activation="sigmoid")])


def _happy_functional():
    inputs = keras.Input((16, 16, 3))
    x = layers.ZeroPadding2D((1, 1))(inputs)
    x = layers.Conv2D(4, (3, 3), strides=(1, 1), padding="valid")(x)
    x = layers.BatchNormalization(axis=-1)(x)
    x = layers.Activation("relu")(x)
    x = layers.MaxPooling2D(pool_size=(2, 2))(x)
    x = layers.Flatten()(x)
    return keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x))


def _variant(**changes):
    def build():
        conv = layers.Conv2D(4, changes.get("kernel", 3), strides=changes.get("stride", 1))
        bn = layers.BatchNormalization(axis=changes.get("axis", 3))
        body = [conv, bn, layers.ReLU()] if not changes.get("relu_first") else [conv, layers.ReLU(), bn]
        return keras.Sequential([keras.Input((16, 16, 3)), layers.ZeroPadding2D(1), *body,
                                 layers.MaxPool2D(), layers.Flatten(),
                                 layers.Dense(1, activation=changes.get("activation", "sigmoid"))])
    return build


def _same(a, b):
    return compare(a, b, rtol=1e-4, atol=1e-5, path="result", reveal=False) == []


def test_equivalent_formulations_give_the_same_report():
    reference = kp.probe_model(_happy_sequential)
    assert _same(kp.probe_model(_happy_functional), reference)
    assert reference["params"] == {"total": 385, "trainable": 377, "non_trainable": 8}
    assert reference["output"].shape == (2, 1)


@pytest.mark.parametrize("changes, words", [
    ({"axis": 1}, "BatchNormalization(axis=1"),
    ({"kernel": 5}, "kernel_size=(5, 5)"),
    ({"stride": 2}, "strides=(2, 2)"),
    ({"activation": "softmax"}, "activation='softmax'"),
    ({"relu_first": True}, "order of the layers"),
])
@pytest.mark.filterwarnings("ignore:You are using a softmax over axis")
def test_real_mistakes_differ_and_are_explained(changes, words):
    reference = kp.probe_model(_happy_sequential)
    wrong = kp.probe_model(_variant(**changes))
    assert not _same(wrong, reference)
    text = " ".join(kp.explain_report(wrong, reference))
    assert words in text, text


def test_deterministic_weights_do_not_depend_on_creation_order():
    def two_branches(first_left):
        inputs = keras.Input((8, 8, 3))
        convs = [layers.Conv2D(4, 1), layers.Conv2D(4, 3, padding="same")]
        left, right = (convs if first_left else convs[::-1])
        a, b = (left(inputs), right(inputs)) if first_left else (right(inputs), left(inputs))
        return keras.Model(inputs, layers.Add()([a, b]))
    assert _same(kp.probe_model(two_branches, True), kp.probe_model(two_branches, False))


def test_course_summary_rows_are_the_courses_format():
    rows = kp.course_summary(_happy_sequential())
    assert rows[1] == ["Conv2D", (None, 16, 16, 4), 112, "valid", "linear", "GlorotUniform"]
    assert rows[4] == ["MaxPooling2D", (None, 8, 8, 4), 0, (2, 2), (2, 2), "valid"]
    assert rows[-1] == ["Dense", (None, 1), 257, "sigmoid"]


def test_a_probe_runs_in_the_real_worker_and_the_grader_explains():
    from dlcourse.autograder.hidden import grade_notebook_code

    src = ("def build(size):\n    return keras.Sequential([keras.Input((size, size, 3)), "
           "layers.Conv2D(4, 3), layers.ReLU(), layers.Flatten(), layers.Dense(2)])\n")
    namespace = {"keras": keras, "layers": layers}
    exec(src, namespace)
    check = FunctionCheck("build", rtol=1e-4, atol=1e-5, reference=namespace["build"],
                          cases=lambda rng: [Case((int(rng.integers(8, 12)),), timeout=60)],
                          probe=kp.probe_model, explain=kp.explain_report)
    setup = "from dlcourse.utils.tf_runtime import tf, keras, layers"
    wrong = src.replace("layers.ReLU()", "layers.Activation('tanh')")
    reports = [grade_notebook_code({"build": check}, ["build"], [setup, code], seed=3)["build"]
               for code in (src, wrong)]
    assert reports[0].passed == reports[0].total == 1
    assert reports[1].passed == 0 and "Activation(activation='tanh')" in reports[1].text()


def test_tensorflow_imports_without_a_word_on_stderr():
    result = subprocess.run([sys.executable, "-c", "from dlcourse.utils.tf_runtime import tf, keras\n"
                             "keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stderr == "", result.stderr[-2000:]
