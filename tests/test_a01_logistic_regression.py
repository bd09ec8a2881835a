"""a01_logistic_regression: curriculum values, the cat data loader, and mutation tests.

(a) the reference solutions reproduce every expected value of curriculum section 1;
(b) on the original cat files (skipped when absent): sanity check, cost trace, accuracies
    and the learning-rate table;
(c) the loader: the default pictures (scikit-image's faces and non-faces: shapes, dtypes, keys,
    counts, split, determinism) and the original files read byte for byte;
(d) realistic bugs injected into the source notebook's solution cells are caught by the
    trusted hidden checks; the solution passes; a release-like notebook scores 0.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import dlcourse.datasets
from dlcourse.autograder.hidden import grade_notebook_code, load_checks
from dlcourse.datasets import cat as cat_data
from dlcourse.utils.checks import a01_logistic_regression as public
from tests.support import (hidden_report, mutate, OFFICIAL, reference_module, release_cells,
                           solution_cells, SOLUTIONS)

AID = "a01_logistic_regression"
FUNCTIONS = ["sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict", "model"]
POINTS = {"sigmoid": 1, "initialize_with_zeros": 1, "propagate": 3, "optimize": 2, "predict": 2,
          "model": 2}
#: answers graded by hand (tests/test_manual_cells.py): grade_id -> points
WRITTEN_ANSWERS = {"reflection": 1}
HAVE_OFFICIAL = (OFFICIAL / cat_data.TRAIN_FILE).is_file() and (OFFICIAL / cat_data.TEST_FILE).is_file()
needs_official = pytest.mark.skipif(
    not HAVE_OFFICIAL, reason=f"the original cat files are not in {OFFICIAL} (tests only)")


sol = reference_module(AID)


@pytest.fixture(scope="module")
def one_blas_thread():
    """Full-data training is several times faster on one BLAS thread on small shared machines."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1, user_api="blas"):
        yield


# ------------------------------------------------------------------------ (a) curriculum values
@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_checks_pass_on_reference(name, capsys):
    getattr(public, f"check_{name}")(getattr(sol, name))
    assert f"✓ All 1 public case(s) of {name} passed." in capsys.readouterr().out


def test_reference_reproduces_curriculum_values():
    np.testing.assert_allclose(sol.sigmoid(np.array([0, 2])), [0.5, 0.88079708], atol=1e-8)
    w, b = sol.initialize_with_zeros(2)
    assert w.shape == (2, 1) and not w.any() and b == 0 and isinstance(b, (int, float))

    w, b, X, Y = public._propagate_inputs()
    grads, cost = sol.propagate(w, b, X, Y)
    np.testing.assert_allclose(grads["dw"], [[0.99845601], [2.39507239]], atol=1e-8)
    assert grads["db"] == pytest.approx(0.00145557813678, abs=1e-13)
    assert cost == pytest.approx(5.801545319394553, rel=1e-12)
    assert np.shape(cost) == ()

    params, grads, costs = sol.optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009,
                                        print_cost=False)
    np.testing.assert_allclose(params["w"], [[0.19033591], [0.12259159]], atol=1e-8)
    assert params["b"] == pytest.approx(1.9253598300845747, rel=1e-12)
    np.testing.assert_allclose(grads["dw"], [[0.67752042], [1.41625495]], atol=1e-8)
    assert grads["db"] == pytest.approx(0.21919450454067652, rel=1e-12)
    assert costs == pytest.approx([5.801545319394553])
    assert w.tolist() == [[1.0], [2.0]]  # the caller's w is untouched

    pred = sol.predict(np.array([[0.1124579], [0.23106775]]), -0.3,
                       np.array([[1.0, -1.1, -3.2], [1.2, 2.0, 0.1]]))
    assert pred.tolist() == [[1.0, 1.0, 0.0]]


def test_optimize_prints_cost_every_100_iterations(capsys):
    w, b, X, Y = public._propagate_inputs()
    sol.optimize(w, b, X, Y, 201, 0.009, print_cost=True)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "Cost after iteration 0", "Cost after iteration 100", "Cost after iteration 200"]
    assert lines[0] == "Cost after iteration 0: 5.801545"


def test_model_public_case_values(capsys):
    d = sol.model(public.MODEL_X_TRAIN, public.MODEL_Y_TRAIN, public.MODEL_X_TEST,
                  public.MODEL_Y_TEST, num_iterations=201, learning_rate=0.1)
    out = capsys.readouterr().out
    assert "train accuracy: 87.5 %" in out and "test accuracy: 75.0 %" in out
    assert set(d) == set(public.MODEL_KEYS)
    assert d["costs"][0] == pytest.approx(np.log(2), rel=1e-15)


# ------------------------------------------------------------------------ (b) original cat files
@pytest.fixture(scope="module")
def official_data():
    if not HAVE_OFFICIAL:
        pytest.skip(f"the original cat files are not in {OFFICIAL} (tests only)")
    mp = pytest.MonkeyPatch()
    mp.setenv("DLCOURSE_DATA_DIR", str(OFFICIAL))
    try:
        data = cat_data.load_cat_dataset()
    finally:
        mp.undo()
    assert data.source == "official"
    assert data.location == OFFICIAL.resolve()
    train_x_orig, train_y, test_x_orig, test_y, classes = data
    flat_train = train_x_orig.reshape(train_x_orig.shape[0], -1).T
    flat_test = test_x_orig.reshape(test_x_orig.shape[0], -1).T
    return flat_train, train_y, flat_test, test_y, data


@needs_official
def test_official_sanity_check(official_data):
    flat_train, train_y, flat_test, test_y, data = official_data
    assert flat_train.shape == (12288, 209) and flat_test.shape == (12288, 50)
    assert flat_train[0:5, 0].tolist() == [17, 31, 56, 22, 33]
    assert "original course files" in data.description


# Curriculum 1.4 (RECOMPUTED trace, lr 0.005) and 1.5 (1500 iterations each).
TRACE_0005 = [0.693147, 0.584508, 0.466949, 0.376007, 0.331463, 0.303273, 0.279880, 0.260042,
              0.242941, 0.228004, 0.214820, 0.203078, 0.192544, 0.183033, 0.174399, 0.166521,
              0.159305, 0.152667, 0.146542, 0.140872]
LR_TABLE = {
    0.01: (99.52153110047847, 68.0,
           [0.693147, 0.823921, 0.418945, 0.61735, 0.522116, 0.387709, 0.236254, 0.154222,
            0.135328, 0.124971, 0.116478, 0.109193, 0.102804, 0.09713, 0.092043]),
    0.001: (88.99521531100478, 64.0,
            [0.693147, 0.591289, 0.555796, 0.528977, 0.506881, 0.48788, 0.471108, 0.456046,
             0.44235, 0.429782, 0.418164, 0.407362, 0.397269, 0.387802, 0.378888]),
    0.0001: (68.42105263157895, 36.0,
             [0.693147, 0.643677, 0.635737, 0.628572, 0.62204, 0.616029, 0.610455, 0.605248,
              0.600354, 0.595729, 0.591339, 0.587153, 0.583149, 0.579307, 0.575611]),
}


def _accuracies(out: str) -> tuple[float, float]:
    train = float(re.search(r"train accuracy: ([0-9.]+) %", out).group(1))
    test = float(re.search(r"test accuracy: ([0-9.]+) %", out).group(1))
    return train, test


@needs_official
def test_official_training_lr_0005(official_data, one_blas_thread, capsys):
    flat_train, train_y, flat_test, test_y, _ = official_data
    d = sol.model(flat_train / 255.0, train_y, flat_test / 255.0, test_y,
                  num_iterations=2000, learning_rate=0.005, print_cost=True)
    out = capsys.readouterr().out
    np.testing.assert_allclose(np.array(d["costs"], dtype=float), TRACE_0005, rtol=0, atol=1e-6)
    assert "Cost after iteration 0: 0.693147" in out
    assert "Cost after iteration 1900: 0.140872" in out
    assert "train accuracy: 99.04306220095694 %" in out
    assert "test accuracy: 70.0 %" in out


@needs_official
@pytest.mark.parametrize("learning_rate", sorted(LR_TABLE, reverse=True))
def test_official_learning_rate_table(official_data, one_blas_thread, capsys, learning_rate):
    flat_train, train_y, flat_test, test_y, _ = official_data
    train_acc, test_acc, trace = LR_TABLE[learning_rate]
    d = sol.model(flat_train / 255.0, train_y, flat_test / 255.0, test_y,
                  num_iterations=1500, learning_rate=learning_rate)
    assert _accuracies(capsys.readouterr().out) == (train_acc, test_acc)
    np.testing.assert_allclose(np.array(d["costs"], dtype=float), trace, rtol=0, atol=1e-6)


# ------------------------------------------------------------------------------- (c) the loader
@pytest.fixture
def no_official_files(tmp_path, monkeypatch):
    """Nowhere to find the h5 files: an empty $DLCOURSE_DATA_DIR, an empty cwd."""
    package_dir = Path(dlcourse.datasets.__file__).resolve().parent
    assert not list(package_dir.glob("*.h5")), \
        f"h5 files in {package_dir}: the original data must never be copied into the repository"
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("DLCOURSE_DATA_DIR", str(empty))
    monkeypatch.chdir(tmp_path)
    return empty


def test_default_pictures(no_official_files):
    data = cat_data.load_cat_dataset()
    assert data.source == "default" and data.location.name == "lfw_subset.npy"
    assert "default pictures" in data.description and "faces" in data.description
    print(data.description)
    train_x, train_y, test_x, test_y, classes = data
    assert train_x.shape == (150, 64, 64, 3) and train_x.dtype == np.uint8
    assert test_x.shape == (50, 64, 64, 3) and test_x.dtype == np.uint8
    assert train_y.shape == (1, 150) and train_y.dtype == np.int64
    assert test_y.shape == (1, 50) and test_y.dtype == np.int64
    assert classes.tolist() == [b"non-face", b"face"]
    assert int(train_y.sum()) == 75 and int((train_y == 0).sum()) == 75
    assert int(test_y.sum()) == 25 and int((test_y == 0).sum()) == 25
    assert 20 < train_x.mean() < 235 and train_x.std() > 20  # real pictures, not blank
    # grey photographs in three equal channels
    assert np.array_equal(train_x[..., 0], train_x[..., 1]) and np.array_equal(train_x[..., 0], train_x[..., 2])


def test_default_pictures_are_the_lfw_subset_split_without_overlap(no_official_files):
    import skimage.data

    raw = skimage.data.lfw_subset()                   # what the loader reads, from the wheel
    assert raw.shape == (200, 25, 25)
    train_x, train_y, test_x, test_y, _ = cat_data.load_cat_dataset()
    small = np.concatenate([train_x, test_x])[:, ::8, ::8, 0]  # 8 x 8 thumbnails to match
    thumbs = np.stack([cat_data._enlarge(p)[::8, ::8, 0] for p in raw])
    index = [int(np.flatnonzero((thumbs == t).all(axis=(1, 2)))[0]) for t in small]
    assert len(set(index)) == 200                    # every picture once: no overlap
    labels = np.concatenate([train_y, test_y], axis=1).reshape(-1)
    assert all((i < 100) == bool(y) for i, y in zip(index, labels))  # first 100 are the faces


def test_default_pictures_keys_and_determinism(no_official_files):
    raw = cat_data.default_dataset()
    assert sorted(raw["train"]) == ["list_classes", "train_set_x", "train_set_y"]
    assert sorted(raw["test"]) == ["list_classes", "test_set_x", "test_set_y"]
    assert raw["train"]["train_set_y"].shape == (150,) and raw["test"]["test_set_y"].shape == (50,)
    np.random.seed(0)
    state = np.random.get_state()[1].copy()
    first = cat_data.load_cat_dataset()
    again = cat_data.load_cat_dataset()
    assert np.array_equal(np.random.get_state()[1], state)  # numpy's global state left alone
    for a, b in zip(first, again):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    np.testing.assert_array_equal(first[0], raw["train"]["train_set_x"])
    other = cat_data.load_cat_dataset(seed=2)
    assert not np.array_equal(other[0], first[0])
    assert sorted(other[1].reshape(-1).tolist()) == sorted(first[1].reshape(-1).tolist())


def test_default_pictures_are_learnable(no_official_files, one_blas_thread, capsys):
    train_x, train_y, test_x, test_y, _ = cat_data.load_cat_dataset()
    sol.model(train_x.reshape(150, -1).T / 255.0, train_y, test_x.reshape(50, -1).T / 255.0,
              test_y, num_iterations=300, learning_rate=0.005)
    train_acc, test_acc = _accuracies(capsys.readouterr().out)
    assert train_acc > 90 and test_acc > 80


@needs_official
def test_loader_reads_original_files_byte_for_byte(monkeypatch):
    import h5py

    monkeypatch.setenv("DLCOURSE_DATA_DIR", str(OFFICIAL))
    data = cat_data.load_cat_dataset()
    assert data.source == "official" and "original course files" in data.description
    with h5py.File(OFFICIAL / cat_data.TRAIN_FILE, "r") as f:
        expected_train = [f["train_set_x"][:], f["train_set_y"][:].reshape(1, -1)]
    with h5py.File(OFFICIAL / cat_data.TEST_FILE, "r") as f:
        expected_test = [f["test_set_x"][:], f["test_set_y"][:].reshape(1, -1), f["list_classes"][:]]
    expected = expected_train + expected_test
    for got, want in zip(data, expected):
        assert got.dtype == want.dtype and got.shape == want.shape
        assert got.tobytes() == want.tobytes()


@needs_official
def test_loader_search_order(tmp_path, monkeypatch):
    """Without $DLCOURSE_DATA_DIR, ./datasets (relative to the cwd) is searched."""
    folder = tmp_path / "datasets"
    folder.mkdir()
    for name in (cat_data.TRAIN_FILE, cat_data.TEST_FILE):
        (folder / name).symlink_to(OFFICIAL / name)
    monkeypatch.delenv("DLCOURSE_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert cat_data.find_cat_files() == folder
    assert cat_data.load_cat_dataset().source == "official"
    # an explicit $DLCOURSE_DATA_DIR wins, even when it has no files
    monkeypatch.setenv("DLCOURSE_DATA_DIR", str(tmp_path / "nothing"))
    assert cat_data.find_cat_files() is None


# ---------------------------------------------------------------------- (d) hidden checks, mutations
@pytest.fixture(scope="module")
def cells():
    return solution_cells(AID)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_solution_cells_pass_every_hidden_case(cells, seed):
    reports = grade_notebook_code(load_checks(AID, SOLUTIONS), FUNCTIONS, cells, seed=seed)
    for name in FUNCTIONS:
        report = reports[name]
        assert report.total >= 3, report.text()
        assert report.passed == report.total, report.text()


def test_release_like_notebook_scores_zero(cells):
    released = release_cells(cells)
    assert sum("NotImplementedError" in src for src in released) == len(FUNCTIONS)
    reports = grade_notebook_code(load_checks(AID, SOLUTIONS), FUNCTIONS, released, seed=5)
    for name in FUNCTIONS:
        assert reports[name].passed == 0, reports[name].text()
        assert "NotImplementedError" in reports[name].text()


# (function, [(old, new), ...], text expected in the report or None)
MUTATIONS = [
    ("sigmoid", [("np.exp(-z)", "np.exp(z)")], "the exponent should be exp(-z)"),
    ("sigmoid", [("1 / (1 + np.exp(-z))", "1 / (1 - np.exp(-z))")], "1 + exp(-z)"),
    ("sigmoid", [("1 / (1 + np.exp(-z))", "np.exp(z) / (1 + np.exp(z))")], "nan"),
    ("sigmoid", [("s = 1 / (1 + np.exp(-z))", "z *= -1\n    s = 1 / (1 + np.exp(z))")],
     "in place"),
    ("initialize_with_zeros", [("np.zeros((dim, 1))", "np.zeros(dim)")], "not (dim,)"),
    ("initialize_with_zeros", [("np.zeros((dim, 1))", "np.zeros((1, dim))")], "not a row"),
    ("initialize_with_zeros", [("b = 0.0", "b = np.zeros((1, 1))")], "the number 0"),
    ("propagate", [("dw = np.dot(X, dZ.T) / m", "dw = np.dot(X, dZ.T)"),
                   ("db = np.sum(dZ) / m", "db = np.sum(dZ)")], "1/m factor is missing in dw and db"),
    ("propagate", [("np.dot(X, dZ.T)", "np.dot(dZ, X.T)")], "dw is transposed"),
    ("propagate", [("dZ = A - Y", "dZ = Y")], "Y instead of A - Y"),
    ("propagate", [("cost = -np.sum", "cost = np.sum")], "minus sign"),
    ("optimize", [("b = b - learning_rate * db", "b = b - learning_rate * dw")], None),
    ("optimize", [("w = w - learning_rate * dw", "w = w + learning_rate * dw"),
                  ("b = b - learning_rate * db", "b = b + learning_rate * db")], "climbs the cost"),
    ("optimize", [("if i % 100 == 0:", "if i % 10 == 0:")], None),
    ("optimize", [("range(num_iterations)", "range(num_iterations + 1)")], "num_iterations + 1"),
    ("optimize", [("w = w - learning_rate * dw", "w -= learning_rate * dw")], "in place"),
    ("predict", [("A > 0.5", "A >= 0.5")], "not A >= 0.5"),
    ("predict", [("A > 0.5", "A < 0.5")], "inverted"),
    ("predict", [("np.dot(w.T, X) + b", "np.dot(w.T, X)")], "b is not added"),
    ("model", [("w, b = initialize_with_zeros(X_train.shape[0])",
                "w, b = np.random.randn(X_train.shape[0], 1) * 0.01, 0.0")], None),
    ("model", [("optimize(w, b, X_train, Y_train,", "optimize(w, b, X_test, Y_test,")],
     "trained on the test set"),
    ("model", [('w = params["w"]', "pass"), ('b = params["b"]', "pass")],
     "come from the zero initialisation"),
]


@pytest.mark.parametrize("function, edits, message", MUTATIONS,
                         ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(MUTATIONS)])
def test_mutation_is_caught(cells, function, edits, message):
    mutated = cells
    for old, new in edits:
        mutated = mutate(mutated, function, old, new)
    report = hidden_report(AID, function, mutated, seed=11)
    assert report.passed < report.total, report.text()
    if message is not None:
        assert message in report.text(), report.text()


def test_every_function_has_two_mutations():
    counts = {name: sum(f == name for f, _, _ in MUTATIONS) for name in FUNCTIONS}
    assert min(counts.values()) >= 2, counts
