"""a12 residual networks: the references reproduce the curriculum (the identity block's constant-
initializer values, ResNet50's 23,600,006 parameters, layer counts, summary rows and stage
shapes), the public checks show those values and name the mistakes, the hidden checks give the
solution full marks on random shapes and catch the named mistakes (stride on the wrong conv, a
shortcut without stride, a missing BatchNormalization, BN over the wrong axis, the shortcut added
before the last BN, ReLU before the Add, `training` not passed on, the initializer ignored,
'valid' for 'same', a block of the wrong kind in a stage, no ZeroPadding2D, wrong filters), the
graph trace is independent of how equivalent layers are written, the data and teaching aids
work, and the notebook follows the authoring rules.

Cost: every ResNet50 build takes a few seconds (23 M weights), so the full model is built as
few times as possible: the course's model once (module fixture), each wrong model once, and the
trusted builders' reports are remembered across judgements.  Most diagnoses are judged in
process on one hidden case; two runs of the real sandboxed worker check the solution cells
(all three functions) and a notebook with one function released and one mutated."""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import pickle
import re
from collections import Counter

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from dlcourse.autograder.checks import CallOutcome, Case, judge  # noqa: E402
from dlcourse.autograder.hidden import _rng, grade_in_process, grade_notebook_code, load_checks  # noqa: E402
from dlcourse.utils import keras_probe, resnet  # noqa: E402
from dlcourse.utils.checks import a12_residual_networks as public  # noqa: E402
from dlcourse.utils.tf_runtime import keras, layers  # noqa: E402
from tests.support import (fails_with, quietly, SOLUTIONS, mutate, reference_module, release_cells,  # noqa: E402
                           solution_cells, source_notebook)

AID = "a12_residual_networks"
FUNCTIONS = ["identity_block", "convolutional_block", "ResNet50"]
POINTS = {"identity_block": 3, "convolutional_block": 3, "ResNet50": 4}

ref = reference_module(AID)
CHECKS = load_checks(AID, SOLUTIONS)


class _RememberingProbe:
    """check.probe, remembering the reports of trusted builders (reference, diagnoses).  The
    memo holds on to every function it saw, so that no id is reused by another function."""

    def __init__(self, probe):
        self.probe, self.memo = probe, {}

    @staticmethod
    def key(fn, args, kwargs):
        return (id(fn), hashlib.sha1(pickle.dumps((args, sorted(kwargs.items())))).hexdigest())

    def remember(self, fn, args, kwargs, report):
        self.memo[self.key(fn, args, kwargs)] = (fn, report)

    def __call__(self, fn, *args, **kwargs):
        key = self.key(fn, args, kwargs)
        if key not in self.memo or self.memo[key][0] is not fn:
            self.remember(fn, args, kwargs, self.probe(fn, *args, **kwargs))
        return self.memo[key][1]


#: the hidden checks with a remembering probe: in process, every trusted builder (the reference,
#: each diagnosis) is probed once per case however many judgements need it
REMEMBERING = {name: dataclasses.replace(check, probe=_RememberingProbe(check.probe))
               for name, check in CHECKS.items()}


_quietly = quietly


_fails = fails_with


@functools.lru_cache(maxsize=None)
def _course_model():
    keras.backend.clear_session()
    return ref.ResNet50(input_shape=(64, 64, 3), classes=6)


@functools.lru_cache(maxsize=None)
def _notebook():
    """The notebook's own functions (setup + solution cells, executed here)."""
    namespace: dict = {}
    for src in solution_cells(AID):
        exec(compile(src, "<notebook cell>", "exec"), namespace)
    return namespace


def _notebook_functions(cells):
    namespace: dict = {}
    for src in cells:
        exec(compile(src, "<notebook cell>", "exec"), namespace)
    return namespace


# ============================================================================================
# (a) the references reproduce curriculum section 13
# ============================================================================================

def test_curriculum_identity_block_values():
    """13.4: the constant-initializer values of the course (TF 2.3), within 1e-4 under Keras 3,
    including the recovered public test's third case (f = 3, lambda seed=7: constant(1))."""
    X = public.course_X()
    assert X.shape == (3, 4, 4, 3) and X.dtype == np.float32
    one = lambda seed=0: keras.initializers.Constant(value=1)  # noqa: E731
    A3 = np.asarray(ref.identity_block(X, f=2, filters=[4, 4, 3], initializer=one, training=False))
    resume = np.around(A3[:, (0, -1), :, :].mean(axis=3), 5)
    np.testing.assert_allclose(resume, [
        [[0, 0, 0, 0], [0, 0, 0, 0]],
        [[192.71234, 192.71234, 192.71234, 96.85617], [96.85617, 96.85617, 96.85617, 48.92808]],
        [[578.1371, 578.1371, 578.1371, 290.5685], [290.5685, 290.5685, 290.5685, 146.78426]]],
        atol=1e-4)
    assert resume[1, 1, 0] == pytest.approx(96.85617, abs=1e-4)
    # the recovered public test's own values, at its atol of 1e-5 (TF 2.21 matches these closer)
    np.testing.assert_allclose(resume[1:, :, :], [
        [[192.71236, 192.71236, 192.71236, 96.85619], [96.85619, 96.85619, 96.85619, 48.9281]],
        [[578.1371, 578.1371, 578.1371, 290.56854], [290.56854, 290.56854, 290.56854, 146.78427]]],
        atol=6e-5)
    A4 = np.asarray(ref.identity_block(X, f=2, filters=[3, 3, 3], initializer=one, training=True))
    np.testing.assert_allclose(np.around(A4[:, (0, -1), :, :].mean(axis=3), 5), [
        [[0, 0, 0, 0], [0, 0, 0, 0]], [[0.40739] * 4, [0.40739] * 4],
        [[4.99991, 4.99991, 4.99991, 3.25948], [3.25948, 3.25948, 3.25948, 2.40739]]], atol=1e-4)
    seven = lambda seed=7: keras.initializers.Constant(value=1)  # noqa: E731
    A5 = np.asarray(ref.identity_block(X, f=3, filters=[3, 3, 3], initializer=seven, training=True))
    np.testing.assert_allclose(A5[:, (0, -1), :, :].mean(axis=3), [
        [[0] * 4, [0] * 4], [[0.37394285] * 4, [0.37394285] * 4],
        [[3.2379014, 4.1394243, 4.1394243, 3.2379014], [3.2379014, 4.1394243, 4.1394243, 3.2379014]]],
        atol=1e-4)
    A = np.asarray(ref.convolutional_block(X, f=2, filters=[2, 4, 6], training=False))
    assert A.shape == (3, 2, 2, 6)


def test_curriculum_resnet50():
    """13.3: 23,600,006 parameters (23,546,886 trainable), 177 layers in Keras 3's model.layers
    (53 Conv2D, 53 BatchNormalization, 49 Activation, 16 Add, one each of InputLayer,
    ZeroPadding2D, MaxPooling2D, AveragePooling2D, Flatten, Dense), the course's first and last
    summary rows, the conv-block order, and the stage shapes."""
    model = _course_model()
    assert keras_probe.param_counts(model) == {"total": 23600006, "trainable": 23546886,
                                                "non_trainable": 53120}
    assert len(model.layers) == 177
    assert Counter(type(layer).__name__ for layer in model.layers) == {
        "Conv2D": 53, "BatchNormalization": 53, "Activation": 49, "Add": 16, "InputLayer": 1,
        "ZeroPadding2D": 1, "MaxPooling2D": 1, "AveragePooling2D": 1, "Flatten": 1, "Dense": 1}
    rows = keras_probe.course_summary(model)
    assert rows[:6] == [
        ["InputLayer", [(None, 64, 64, 3)], 0],
        ["ZeroPadding2D", (None, 70, 70, 3), 0, ((3, 3), (3, 3))],
        ["Conv2D", (None, 32, 32, 64), 9472, "valid", "linear", "GlorotUniform"],
        ["BatchNormalization", (None, 32, 32, 64), 256],
        ["Activation", (None, 32, 32, 64), 0],
        ["MaxPooling2D", (None, 15, 15, 64), 0, (3, 3), (2, 2), "valid"]]
    assert rows[-3:] == [["AveragePooling2D", (None, 1, 1, 2048), 0], ["Flatten", (None, 2048), 0],
                         ["Dense", (None, 6), 12294, "softmax"]]
    # within a conv block: main conv 3, then the shortcut conv, then the two BNs
    assert [r[0] for r in rows[6:18]] == ["Conv2D", "BatchNormalization", "Activation", "Conv2D",
                                          "BatchNormalization", "Activation", "Conv2D", "Conv2D",
                                          "BatchNormalization", "BatchNormalization", "Add",
                                          "Activation"]
    inits = {r[5] for r in rows if r[0] == "Conv2D"}
    assert inits == {"GlorotUniform", "RandomUniform"}
    assert resnet.stage_shapes(model) == public.RESNET50_EXPECTED["shapes"]
    assert public.RESNET50_EXPECTED["shapes"].split(" → ")[1:] == [
        "70x70x3", "32x32x64", "15x15x64", "15x15x256", "8x8x512", "4x4x1024", "2x2x2048",
        "1x1x2048", "6"]


def test_stored_conv_expected_values_are_the_references():
    """The convolutional_block values the check stores were computed with the reference and the
    deterministic initializer (they replace the course's irreproducible glorot_uniform values)."""
    X = public.course_X()
    for training, expected in zip((False, True), public.CONV_EXPECTED):
        report = resnet.probe_convolutional_block_public(ref.convolutional_block, X, 2, [2, 4, 6],
                                                         s=2, training=training,
                                                         initializer="deterministic")
        np.testing.assert_allclose(report["A[-1]"], expected["A[-1]"], atol=1e-5)
        assert {k: v for k, v in report.items() if k != "A[-1]"} == \
            {k: v for k, v in expected.items() if k != "A[-1]"}


def test_the_deterministic_initializer_is_reproducible():
    init = resnet.deterministic_initializer(seed=0)
    a = np.asarray(init((2, 2, 3, 4)))
    b = np.asarray(resnet.deterministic_initializer(seed=0)((2, 2, 3, 4)))
    assert np.array_equal(a, b) and a.dtype == np.float32
    limit = np.sqrt(6 / (2 * 2 * 3 + 2 * 2 * 4))
    assert np.abs(a).max() <= limit and a.std() > limit / 4
    assert not np.array_equal(a, np.asarray(resnet.deterministic_initializer(seed=1)((2, 2, 3, 4))))
    spec = resnet.make_initializer("deterministic:5")
    assert np.array_equal(np.asarray(spec(seed=0)((3, 3))),
                          np.asarray(resnet.deterministic_initializer(5)((3, 3))))
    assert np.all(np.asarray(resnet.make_initializer("constant:2")(seed=0)((2, 2))) == 2)


# ============================================================================================
# (b) the graph trace: equivalent layers read the same, the structure is what it should be
# ============================================================================================

def test_trace_ignores_how_equivalent_layers_are_written():
    """ReLU() for Activation("relu"), `+` for Add(), the shortcut built first, 'same' on a 1x1
    conv, axis=-1 for axis=3: the same text and the same output."""
    def variant(X, f, filters, s=2, training=True, initializer=keras.initializers.glorot_uniform):
        F1, F2, F3 = filters
        shortcut = layers.Conv2D(F3, (1, 1), strides=(s, s), padding="same",
                                 kernel_initializer=initializer(seed=0))(X)
        shortcut = layers.BatchNormalization(axis=-1)(shortcut, training=training)
        X = layers.Conv2D(F1, 1, strides=s, kernel_initializer=initializer(seed=0))(X)
        X = layers.ReLU()(layers.BatchNormalization()(X, training=training))
        X = layers.Conv2D(F2, (f, f), padding="same", kernel_initializer=initializer(seed=0))(X)
        X = layers.ReLU()(layers.BatchNormalization(axis=3)(X, training=training))
        X = layers.Conv2D(F3, 1, padding="same", kernel_initializer=initializer(seed=0))(X)
        X = layers.BatchNormalization(axis=3)(X, training=training)
        return layers.ReLU()(shortcut + X)

    X = np.random.default_rng(0).normal(size=(2, 5, 7, 3))
    for training in (True, False):
        kwargs = {"s": 2, "training": training, "initializer": "deterministic:4"}
        mine = resnet.probe_block(variant, X, 3, [2, 3, 4], **kwargs)
        theirs = resnet.probe_block(ref.convolutional_block, X, 3, [2, 3, 4], **kwargs)
        assert {k: v for k, v in mine.items() if k != "A"} == \
            {k: v for k, v in theirs.items() if k != "A"}
        np.testing.assert_allclose(mine["A"], theirs["A"], rtol=1e-5, atol=1e-5)
    assert theirs["A.shape"] == "(2, 3, 4, 4)"


def test_trace_of_a_graph_that_is_not_one_block():
    X = np.ones((2, 4, 4, 3), dtype=np.float32)

    def no_add(X, f, filters, training=True, initializer=None):
        return layers.Activation("relu")(layers.Conv2D(3, 1)(X))

    def two_adds(X, f, filters, training=True, initializer=None):
        Y = layers.Add()([X, layers.Conv2D(3, 1)(X)])
        return layers.Add()([Y, layers.Conv2D(3, 1)(Y)])

    def late_shortcut(X, f, filters, training=True, initializer=None):
        X = layers.Conv2D(3, 1)(X)
        return layers.Add()([X, layers.Conv2D(3, 1)(X)])

    expected = resnet.probe_block(ref.identity_block, X, 2, [2, 2, 3])
    for fn, words in ((no_add, "never added back"), (two_adds, "2 Adds"),
                      (late_shortcut, "the shortcut starts after X → Conv2D")):
        report = resnet.probe_block(fn, X, 2, [2, 2, 3])
        assert words in " ".join(resnet.explain_block(report, expected)), report


# ============================================================================================
# (c) the public checks: pass on the reference, print the notebook's numbers, name mistakes
# ============================================================================================

def _public_pass_outputs():
    out = {}
    for name in ("identity_block", "convolutional_block"):
        _, out[name] = _quietly(getattr(public, f"check_{name}"), getattr(ref, name))
    model = _course_model()

    def course_resnet(input_shape=(64, 64, 3), classes=6):
        return model

    _, out["ResNet50"] = _quietly(public.check_ResNet50, course_resnet)
    return out


@functools.lru_cache(maxsize=None)
def _public_outputs():
    return _public_pass_outputs()


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_checks_pass_on_reference(name):
    out = _public_outputs()[name]
    assert "✓ All" in out and "✗" not in out, out


@pytest.mark.parametrize("name", FUNCTIONS)
def test_notebook_shows_the_numbers_the_check_prints(name):
    """Every number (and every layer line) the check prints as expected is in the markdown."""
    out = _public_outputs()[name]
    nb = source_notebook(AID)
    text = next(c.source for c in nb.cells if c.metadata.nbgrader.grade_id == f"{name}_md")
    printed = {n for line in out.splitlines() if "expected" in line
               for n in re.findall(r"-?\d+\.\d+", line.split("expected", 1)[1])}
    assert printed <= set(re.findall(r"-?\d+\.\d+", text)), sorted(printed - set(re.findall(r"-?\d+\.\d+", text)))
    for line in out.splitlines():
        if "expected '" in line:
            assert line.split("expected ", 1)[1] in text, line


def _graph_wrong_valid_middle(X, f, filters, training=True, initializer=None):
    init = initializer or keras.initializers.random_uniform
    F1, F2, F3 = filters
    Y = layers.Activation("relu")(layers.BatchNormalization(axis=3)(
        layers.Conv2D(F1, 1, kernel_initializer=init(seed=0))(X), training=training))
    Y = layers.Activation("relu")(layers.BatchNormalization(axis=3)(
        layers.Conv2D(F2, f, padding="valid", kernel_initializer=init(seed=0))(Y), training=training))
    Y = layers.BatchNormalization(axis=3)(layers.Conv2D(F3, 1, kernel_initializer=init(seed=0))(Y),
                                          training=training)
    return layers.Activation("relu")(layers.Add()([X, Y]))


def _tf_function_block(X, f, filters, training=True, initializer=None):
    return tf.nn.relu(X)


PUBLIC_MISTAKES = [
    ("identity_block", ref._block_with(add_before_bn=True), "the shortcut is added before"),
    ("identity_block", ref._block_with(bn_axis=1), "normalizes over axis 1"),
    ("identity_block", _graph_wrong_valid_middle, "reach the Add with different shapes"),
    ("identity_block", _tf_function_block, "use Keras layers"),
    ("convolutional_block", ref._block_with(kind="conv", stride_on="second"),
     "Conv2D number 1 of the main path has stride 1, expected 2"),
    ("convolutional_block", ref._block_with(kind="conv", shortcut_stride=False),
     "reach the Add with different shapes"),
    ("convolutional_block", ref._block_with(kind="conv", pass_training=False),
     "is `training` passed to every BatchNormalization"),
]


@pytest.mark.parametrize("name, wrong, words", PUBLIC_MISTAKES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(PUBLIC_MISTAKES)])
def test_public_checks_fail_on_wrong_code_and_name_the_mistake(name, wrong, words):
    _fails(getattr(public, f"check_{name}"), wrong, words)


@functools.lru_cache(maxsize=None)
def _wrong_model(kind):
    keras.backend.clear_session()
    if kind == "no_padding":
        return ref._resnet_no_padding((64, 64, 3), 6)
    if kind == "swapped":  # stage 4 with a convolutional_block where an identity block belongs
        return ref._resnet((64, 64, 3), 6, id_block=_id_or_conv())
    raise KeyError(kind)


STAGE4_FILTERS = [256, 256, 1024]


def _id_or_conv():
    """An identity_block that, on its third call in stage 4, is a convolutional_block (s=1)."""
    calls = {"n": 0}

    def block(X, f, filters, training=True, initializer=keras.initializers.random_uniform):
        if filters == STAGE4_FILTERS:
            calls["n"] += 1
            if calls["n"] == 3:
                return ref.convolutional_block(X, f, filters, s=1)
        return ref.identity_block(X, f, filters, training, initializer)
    return block


def test_public_resnet_check_names_the_missing_padding():
    model = _wrong_model("no_padding")

    def no_padding(input_shape=(64, 64, 3), classes=6):
        return model

    out = _fails(public.check_ResNet50, no_padding, "the input is not zero-padded")
    assert "params['total'] = 23600006" in out  # the padding has no parameters


# ============================================================================================
# (d) hidden checks
# ============================================================================================

@pytest.fixture(scope="module")
def cells():
    return solution_cells(AID)


def _renamed(cells, function, new_name):
    """The cell that defines ``function``, with the function renamed (the others dropped)."""
    (src,) = [c for c in cells if re.search(rf"^def {function}\(", c, re.M)]
    return src.replace(f"def {function}(", f"def {new_name}(", 1)


def test_the_worker_gives_the_solution_full_marks_and_a_release_nothing(cells):
    """One run of the real sandboxed worker, with the real checks and timeouts: the solution
    cells get full marks for all three functions; in the same run, identity_block as released
    gets 0 and a convolutional_block with its stride on the f x f conv gets 0 and is named
    (both under other names, so that ResNet50 still uses the solution's blocks)."""
    released = release_cells(cells)
    for src in released:
        compile(src, "<released cell>", "exec")
    assert sum(src.count("raise NotImplementedError()") for src in released) == len(FUNCTIONS)
    mutated = mutate(cells, "convolutional_block",
                     'X = Conv2D(F2, (f, f), padding="same",',
                     'X = Conv2D(F2, (f, f), strides=(s, s), padding="same",')
    mutated = mutate(mutated, "convolutional_block",
                     'X = Conv2D(filters=F1, kernel_size=1, strides=(s, s), padding="valid",',
                     'X = Conv2D(filters=F1, kernel_size=1, strides=(1, 1), padding="valid",')
    extra = [_renamed(released, "identity_block", "identity_block_released"),
             _renamed(mutated, "convolutional_block", "convolutional_block_mutated")]
    checks = dict(CHECKS)
    for name, new_name in (("identity_block", "identity_block_released"),
                           ("convolutional_block", "convolutional_block_mutated")):
        cases = CHECKS[name].cases
        checks[new_name] = dataclasses.replace(CHECKS[name], name=new_name,
                                               cases=lambda rng, cases=cases: cases(rng)[:1])
    # ResNet50 on its second hidden case only (the random non-square input; each case costs two
    # builds of 23 M weights): `dlcourse validate` grades both
    resnet_cases = CHECKS["ResNet50"].cases
    checks["ResNet50"] = dataclasses.replace(CHECKS["ResNet50"],
                                             cases=lambda rng: resnet_cases(rng)[1:])
    names = FUNCTIONS + ["identity_block_released", "convolutional_block_mutated"]
    reports = grade_notebook_code(checks, names, cells + extra, seed=2024)
    for name in FUNCTIONS:
        report = reports[name]
        assert report.total >= 1 and report.passed == report.total, report.text()
    assert "input_shape = (" in reports["ResNet50"].text() and "(64, 64, 3)" not in reports["ResNet50"].text()
    assert reports["identity_block_released"].passed == 0
    assert "NotImplementedError" in reports["identity_block_released"].text()
    conv = reports["convolutional_block_mutated"]
    assert conv.passed == 0 and "the stride s is on the f x f conv" in conv.text(), conv.text()


def test_release_scores_zero_on_the_blocks(cells):
    released = _notebook_functions(release_cells(cells))
    for name in ("identity_block", "convolutional_block"):
        report = grade_in_process(REMEMBERING[name], released[name], seed=1)
        assert report.passed == 0 and "NotImplementedError" in report.text(), report.text()


def test_hidden_cases_are_drawn_as_documented():
    for seed in range(6):
        ident = CHECKS["identity_block"].cases(_rng(seed, "identity_block"))
        conv = CHECKS["convolutional_block"].cases(_rng(seed, "convolutional_block"))
        nets = CHECKS["ResNet50"].cases(_rng(seed, "ResNet50"))
        for case in ident + conv:
            X, f, filters = case.args
            assert X.shape[1] != X.shape[2] and X.shape[0] >= 2 and 2 <= f <= 4, case.label
            assert case.timeout >= 30
        assert [c.kwargs["training"] for c in ident] == [True, False, True]
        assert [c.kwargs.get("initializer", "")[:13] for c in ident] == ["deterministic"] * 2 + [""]
        assert all(c.args[2][2] == c.args[0].shape[3] for c in ident)  # F3 = n_C_prev
        assert all(c.args[2][2] != c.args[0].shape[3] for c in conv)   # the shortcut conv matters
        assert [c.kwargs.get("s") for c in conv] == [2, 3, None]
        assert len(nets) == 2 and all(c.timeout >= 90 for c in nets)
        (shape1, k1), (shape2, k2) = (c.args for c in nets)
        assert shape1 == (64, 64, 3) and k1 != 6 and k2 != 6
        assert shape2[0] != shape2[1] and min(shape2[:2]) >= 72 and shape2[2] in (1, 2, 4)


def _first_case(name, seed=1):
    return CHECKS[name].cases(_rng(seed, name))[0]


def _judged(name, wrong, case, expected):
    check = REMEMBERING[name]
    value = check.probe(wrong, *case.args, **case.kwargs)
    return judge(check, case, CallOutcome(True, value, case.args, case.kwargs), expected,
                 reveal=False)


#: (function, wrong implementation, words in the hidden report): every named mistake of the issue
_ID, _CONV = [d for d, _ in ref._ID_DIAGNOSES], [d for d, _ in ref._CONV_DIAGNOSES]

#: (function, wrong implementation, words in the hidden report): every named mistake of the issue
#: (the diagnoses themselves, and variants no diagnosis matches, named by the explanation)
BLOCK_DIAGNOSES = [
    ("identity_block", _ID[0], "without training=training"),
    ("identity_block", _ID[1], "added before the last BatchNormalization"),
    ("identity_block", _ID[2], "ReLU is applied to the main path before the Add"),
    ("identity_block", _ID[3], "BatchNormalization after the third Conv2D is missing"),
    ("identity_block", _ID[4], "BatchNormalization(axis=1) normalizes over the rows"),
    ("identity_block", ref._block_with(bn_axis=2), "normalizes over axis 2"),
    ("identity_block", _ID[5], "uses a 1x1 kernel instead of f x f"),
    ("identity_block", _ID[6], "the `initializer` argument is ignored"),
    ("identity_block", ref._block_with(fixed_init=ref._fixed(keras.initializers.glorot_uniform)),
     "kernel initializers are GlorotUniform"),
    ("convolutional_block", _CONV[0], "the stride s is on the f x f conv"),
    ("convolutional_block", _CONV[1], "the shortcut's BatchNormalization is missing"),
    ("convolutional_block", _CONV[2], "without training=training"),
    ("convolutional_block", _CONV[3], "added before the main path's last"),
    ("convolutional_block", _CONV[4], "ReLU is applied to the main path"),
    ("convolutional_block", _CONV[5], "normalizes over the rows"),
    ("convolutional_block", _CONV[6], "the `initializer` argument is ignored"),
    ("convolutional_block", ref._block_with(kind="conv", middle_kernel=1),
     "Conv2D number 2 of the main path has a 1x1 kernel"),
]


@pytest.mark.parametrize("name, wrong, words", BLOCK_DIAGNOSES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(BLOCK_DIAGNOSES)])
def test_named_block_mistakes_fail_and_are_named(name, wrong, words):
    """On the first hidden case (training mode, a deterministic initializer): no credit, and the
    report names the mistake."""
    case = _first_case(name)
    expected = REMEMBERING[name].probe(getattr(ref, name), *case.args, **case.kwargs)
    problems = _judged(name, wrong, case, expected)
    assert problems and words in problems[0], problems


@pytest.mark.parametrize("name, wrong", [
    ("identity_block", _graph_wrong_valid_middle),
    ("convolutional_block", ref._block_with(kind="conv", shortcut_stride=False)),
])
def test_shape_mistakes_are_named_when_the_function_raises(name, wrong):
    """'valid' for 'same' in the f x f conv, a shortcut without stride: Keras refuses the Add."""
    check, case = CHECKS[name], _first_case(name)
    try:
        check.probe(wrong, *case.args, **case.kwargs)
    except ValueError as exc:
        error = f"{type(exc).__name__}: {exc}"
    else:
        raise AssertionError("expected the Add to refuse the shapes")
    problems = judge(check, case, CallOutcome(False, error=error), None, reveal=False)
    assert "reach the Add with different shapes" in problems[0], problems


def test_training_mistake_passes_only_the_inference_case():
    report = grade_in_process(REMEMBERING["identity_block"], BLOCK_DIAGNOSES[0][1], seed=1)
    assert [("✓" in line) for line in report.lines] == [False, True, False], report.text()


def test_resnet_mistakes_are_named():
    """A missing ZeroPadding2D (a diagnosis), a convolutional block where an identity block
    belongs (the explanation, on a real model) and wrong filters in a stage (the explanation, on
    an edited report): judged against the course's model."""
    check = CHECKS["ResNet50"]
    case = Case(((64, 64, 3), 6), label="input_shape = (64, 64, 3), classes = 6")
    expected = resnet.model_structure(_course_model())
    remembering = dataclasses.replace(check, probe=_RememberingProbe(check.probe))
    no_pad = resnet.model_structure(_wrong_model("no_padding"))
    # _wrong_model("no_padding") is ref._resnet_no_padding((64, 64, 3), 6): the diagnosis's
    # own report for this case, remembered instead of built a second time
    remembering.probe.remember(ref._resnet_no_padding, case.args, {}, no_pad)
    problems = judge(remembering, case, CallOutcome(True, no_pad, case.args, {}), expected, reveal=False)
    assert problems[0].startswith("ZeroPadding2D((3, 3)) is missing"), problems
    swapped = check.explain(resnet.model_structure(_wrong_model("swapped")), expected)
    assert "stage 4 is made of 2 convolutional and 4 identity block(s)" in swapped[0], swapped
    wrong = dict(expected, stages=dict(expected["stages"], **{
        "stage 3": "conv [128, 128, 256] s=2, 3 x identity [128, 128, 256]"}))
    filters = check.explain(wrong, expected)  # (the probe's side is tested on real models above)
    assert "stage 3 uses the filters [128, 128, 256], expected [128, 128, 512]" in filters[0], filters
    for text in swapped + filters:
        assert not re.search(r"\d\.\d{3,}", text)


def test_resnet_shape_errors_are_named():
    check = CHECKS["ResNet50"]
    for error in ("ValueError: Inputs have incompatible shapes. Received shapes (8, 8, 256) and "
                  "(8, 8, 512)", "ValueError: Computed output size would be negative: -1"):
        problems = judge(check, Case(((64, 64, 3), 6)), CallOutcome(False, error=error), None,
                         reveal=False)
        assert "every stage starts with a convolutional_block" in problems[0] or \
            "shrinks to nothing" in problems[0], problems


def test_hidden_block_reports_never_show_reference_values():
    """No number with 3 decimals in a hidden report line (the labels aside), for every named
    mistake, on the first hidden case (reports show problems[0] of each case)."""
    for name, wrong, _ in BLOCK_DIAGNOSES:
        case = _first_case(name)
        expected = REMEMBERING[name].probe(getattr(ref, name), *case.args, **case.kwargs)
        problems = _judged(name, wrong, case, expected)
        assert problems and not re.search(r"\d\.\d{3,}", problems[0]), problems[0]


def test_every_function_has_two_diagnoses_and_generous_timeouts():
    for name in FUNCTIONS:
        assert len(CHECKS[name].diagnoses) >= 2, name
    assert ref._BLOCK_TIMEOUT >= 30 and ref._RESNET_TIMEOUT >= 90


def test_simulated_mistakes_apply_to_the_solution(cells):
    mutated = cells
    for function, old, new in ref.SIMULATED_MISTAKES:
        mutated = mutate(mutated, function, old, new)
    fns = _notebook_functions(mutated)
    report = grade_in_process(REMEMBERING["convolutional_block"], fns["convolutional_block"], seed=1)
    assert 0 < report.passed < report.total, report.text()


# ============================================================================================
# (e) data, teaching aids, notebook
# ============================================================================================

def test_load_signs_prepares_the_data(capsys):
    X_train, Y_train, X_test, Y_test, classes = resnet.load_signs()
    out = capsys.readouterr().out
    assert out.startswith("Data: ") and ("default pictures" in out or "original SIGNS" in out)
    assert X_train.dtype == np.float32 and X_train.shape[1:] == (64, 64, 3)
    assert 0.0 <= X_train.min() and X_train.max() <= 1.0
    assert Y_train.shape == (X_train.shape[0], 6) and np.all(Y_train.sum(axis=1) == 1)
    assert Y_test.shape == (X_test.shape[0], 6) and list(classes) == [0, 1, 2, 3, 4, 5]


def test_teaching_aids():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    norms = resnet.gradient_flow(depth=12)
    assert norms["plain"][0] < 1e-4 * norms["plain"][-1]  # vanishes towards the input
    assert norms["residual"][0] > 0.01 * norms["residual"][-1]
    for fig in (resnet.plot_gradient_flow(norms),
                resnet.plot_signs(np.random.default_rng(0).random((3, 8, 8, 3)), np.eye(6)[:3], n=3),
                resnet.plot_prediction(np.zeros((8, 8, 3)), np.eye(6)[2], label=2),
                resnet.plot_history({"loss": [2.0, 1.0], "accuracy": [0.3, 0.6]})):
        plt.close(fig)


def test_batch_statistics_accuracy_and_recalibration():
    inputs = keras.Input((4, 4, 2))
    x = layers.BatchNormalization(axis=3)(inputs)
    outputs = layers.Dense(3, activation="softmax")(layers.Flatten()(x))
    model = keras.Model(inputs, outputs)
    before = [v.numpy().copy() for v in model.non_trainable_variables]
    X = np.random.default_rng(0).normal(size=(10, 4, 4, 2)).astype(np.float32) + 3
    Y = np.eye(3)[np.arange(10) % 3]
    accuracy, probabilities = resnet.batch_statistics_accuracy(model, X, Y, batch_size=4)
    assert 0 <= accuracy <= 1 and probabilities.shape == (10, 3)
    assert all(np.array_equal(b, v.numpy()) for b, v in zip(before, model.non_trainable_variables))
    # recalibration: the moving statistics become those of the first 8 pictures, momentum kept
    norm = model.layers[1]
    resnet.recalibrate_batch_norm(model, X, batch_size=8)
    assert norm.momentum == 0.99
    np.testing.assert_allclose(norm.moving_mean.numpy(), X[:8].mean(axis=(0, 1, 2)), rtol=1e-5)
    np.testing.assert_allclose(norm.moving_variance.numpy(), X[:8].var(axis=(0, 1, 2)), rtol=1e-4)


def test_notebook_specifics():
    """The common layout is checked in tests/test_notebooks.py; here what is special to a12."""
    nb = source_notebook(AID)
    ids = [c.metadata.nbgrader.grade_id for c in nb.cells]
    for name in FUNCTIONS:
        assert ids[ids.index(name) - 1] == f"{name}_md"
    setup = nb.cells[2].source
    assert "from dlcourse.autograder.kernel import grade" in setup
    lines = setup.splitlines()
    first_tf = next(i for i, line in enumerate(lines) if "tf_runtime" in line)
    assert all(i > first_tf for i, line in enumerate(lines) if "keras" in line and i != first_tf)
    assert "matplotlib.pyplot" not in setup and "load_signs(" not in setup
    by_id = {c.metadata.nbgrader.grade_id: c.source for c in nb.cells}
    for gid in ("train", "evaluate", "predict"):
        assert "is_grading()" in by_id[gid] or "probabilities is None" in by_id[gid], gid
    assert "budget(192, 0)" in by_id["train"] and "skipped while grading" in by_id["train"]
    text = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for words in ("deterministic_initializer", "TensorFlow 2.3", "1e-4", "2 epochs",
                  "benchmarks/resnet_gpu.py", "23,600,006"):
        assert words in text, words


def test_worker_cells_are_setup_and_solutions_only(cells):
    assert len(cells) == 1 + len(FUNCTIONS)
    assert not any(word in src for src in cells[1:] for word in ("fit(", "summary(", "plot_"))
