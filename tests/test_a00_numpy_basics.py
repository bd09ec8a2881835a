"""Assignment a00 (Python basics with numpy): reference, public checks, hidden checks, notebook.

* the reference functions reproduce the curriculum's values through the public checks;
* the source notebook's solution cells earn every hidden case (several seeds);
* realistic bugs injected into those cells are caught, with the diagnosis we expect;
* the released notebook (every solution raises NotImplementedError) earns nothing;
* the notebook follows the authoring conventions and runs quickly under autograde.
"""
from __future__ import annotations

import re
import time

import numpy as np
import pytest

from dlcourse.autograder.hidden import grade_in_process, grade_notebook_code, load_checks
from dlcourse.utils.checks import a00_numpy_basics as public
from tests.support import (reference_module, ASSIGNMENTS, SOLUTIONS, hidden_report, mutate, solution_cells,
                           source_notebook)

AID = "a00_numpy_basics"
FUNCTIONS = ["basic_sigmoid", "sigmoid", "sigmoid_derivative", "image2vector",
             "normalize_rows", "softmax", "L1", "L2"]
POINTS = {"basic_sigmoid": 1, "sigmoid": 1, "sigmoid_derivative": 1, "image2vector": 1,
          "normalize_rows": 2, "softmax": 2, "L1": 1, "L2": 1}


REF = reference_module(AID)


# ---------------------------------------------------------------------------
# (a) the reference reproduces the curriculum through the public checks
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", FUNCTIONS)
def test_reference_passes_public_check(name, capsys):
    getattr(public, f"check_{name}")(getattr(REF, name))
    out = capsys.readouterr().out
    assert "✓ All" in out and "✗" not in out


def test_curriculum_values():
    x = np.array([1, 2, 3])
    np.testing.assert_allclose(REF.sigmoid(x), [0.73105858, 0.88079708, 0.95257413], atol=1e-8)
    np.testing.assert_allclose([REF.basic_sigmoid(v) for v in (1, 2, 3)],
                               [0.73105858, 0.88079708, 0.95257413], atol=1e-8)
    np.testing.assert_allclose(REF.sigmoid_derivative(x), [0.19661193, 0.10499359, 0.04517666],
                               atol=1e-8)
    np.testing.assert_allclose(REF.normalize_rows(np.array([[0, 3, 4], [1, 6, 4]])),
                               [[0, 0.6, 0.8], [0.13736056, 0.82416338, 0.54944226]], atol=1e-8)
    np.testing.assert_allclose(
        REF.softmax(np.array([[9, 2, 5, 0, 0], [7, 5, 0, 0, 0]])),
        [[9.80897665e-01, 8.94462891e-04, 1.79657674e-02, 1.21052389e-04, 1.21052389e-04],
         [8.78679856e-01, 1.18916387e-01, 8.01252314e-04, 8.01252314e-04, 8.01252314e-04]],
        rtol=1e-8, atol=1e-12)
    yhat, y = np.array([0.9, 0.2, 0.1, 0.4, 0.9]), np.array([1, 0, 0, 1, 1])
    assert REF.L1(yhat, y) == pytest.approx(1.1)
    assert REF.L2(yhat, y) == pytest.approx(0.43)
    image = np.random.default_rng(0).random((3, 4, 2))
    assert REF.image2vector(image).shape == (24, 1)


def test_reference_softmax_and_sigmoid_are_stable():
    big = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]])
    np.testing.assert_allclose(REF.softmax(big), [[0.09003057, 0.24472847, 0.66524096],
                                                  [0.66524096, 0.24472847, 0.09003057]], atol=1e-8)
    assert np.all(np.isfinite(REF.sigmoid(np.array([-1000.0, 1000.0]))))


@pytest.mark.parametrize("check, wrong, message", [
    ("check_softmax", lambda x: np.exp(x) / np.exp(x).sum(axis=0, keepdims=True), "axis=1"),
    ("check_normalize_rows", lambda x: x / np.linalg.norm(x, axis=0, keepdims=True), "axis=1"),
    ("check_sigmoid_derivative", lambda x: 1 / (1 + np.exp(-x)), "s * (1 - s)"),
    ("check_L2", lambda yhat, y: np.sum(np.abs(y - yhat)), "L1 loss"),
    ("check_image2vector", lambda im: im.reshape(-1, 1, order="F"), "column-major"),
], ids=["softmax-axis0", "normalize-columns", "derivative-is-s", "L2-is-L1", "image-order-F"])
def test_public_checks_name_known_mistakes(check, wrong, message, capsys):
    with pytest.raises(AssertionError, match=re.escape(message)):
        getattr(public, check)(wrong)


def test_public_check_reports_not_implemented(capsys):
    def sigmoid(x):
        raise NotImplementedError()
    with pytest.raises(AssertionError):
        public.check_sigmoid(sigmoid)
    assert "not implemented yet" in capsys.readouterr().out


# ---------------------------------------------------------------------------
# (b) hidden checks: full marks for the solution, bugs caught with a diagnosis
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cells():
    return solution_cells(AID)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5, 6, 7])
@pytest.mark.parametrize("name", FUNCTIONS)
def test_reference_passes_hidden_cases_in_process(name, seed):
    checks = load_checks(AID, SOLUTIONS)
    report = grade_in_process(checks[name], getattr(REF, name), seed=seed)
    assert report.passed == report.total, report.text()


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_notebook_solution_earns_full_marks(cells, seed):
    checks = load_checks(AID, SOLUTIONS)
    reports = grade_notebook_code(checks, FUNCTIONS, cells, seed=seed)
    for name in FUNCTIONS:
        assert reports[name].passed == reports[name].total > 0, reports[name].text()
        assert reports[name].score(POINTS[name]) == POINTS[name]


# (function, text in the solution cell, its buggy replacement, a phrase the report must contain)
MUTATIONS = [
    ("basic_sigmoid", "math.exp(-x)", "math.exp(x)", "sign of the exponent"),
    ("basic_sigmoid", "1 / (1 + math.exp(-x))", "1 / 1 + math.exp(-x)", "parenthesize"),
    ("sigmoid", "np.exp(-x)", "np.exp(x)", "sign of the exponent"),
    ("sigmoid", "1 / (1 + np.exp(-x))", "np.exp(x) / (1 + np.exp(x))", "overflows"),
    ("sigmoid", "np.exp(-x)", "math.exp(-x)", "raised TypeError"),
    ("sigmoid_derivative", "ds = s * (1 - s)", "ds = s", "this is s = sigmoid(x)"),
    ("sigmoid_derivative", "s = sigmoid(x)", "s = x", "x * (1 - x)"),
    ("sigmoid_derivative", "s * (1 - s)", "s * (1 + s)", "s * (1 + s)"),
    ("image2vector", "image.reshape(", "image.T.reshape(", "column-major"),
    ("image2vector", "image.shape[2], 1)", "image.shape[2])", "flat vector"),
    ("image2vector", "image.reshape(image.shape[0] * image.shape[1] * image.shape[2], 1)",
     "np.transpose(image, (2, 0, 1)).reshape(-1, 1)", "axes were reordered"),
    ("image2vector", "image.shape[0] * image.shape[1] * image.shape[2]",
     "image.shape[0] * image.shape[1] * 3", "raised ValueError"),
    ("normalize_rows", "axis=1", "axis=0", "each column was divided"),
    ("normalize_rows", "axis=1, keepdims=True)", "axis=1)", "keepdims"),
    ("normalize_rows", "x_normalized = x / x_norm", "x /= x_norm\n    x_normalized = x",
     "modified its input"),
    ("normalize_rows", "np.linalg.norm(x, axis=1, keepdims=True)",
     "np.sum(x ** 2, axis=1, keepdims=True)", "square root is missing"),
    ("softmax", "np.sum(x_exp, axis=1, keepdims=True)", "np.sum(x_exp, axis=0, keepdims=True)",
     "each column is divided by its own sum"),
    ("softmax", "np.sum(x_exp, axis=1, keepdims=True)", "np.sum(x_exp)",
     "one sum over all entries"),
    ("softmax", "np.sum(x_exp, axis=1, keepdims=True)", "np.sum(x_exp, axis=1)", "keepdims"),
    ("softmax", "np.exp(x_shifted)", "np.exp(x)", "subtract each row's maximum"),
    ("softmax", "np.max(x, axis=1, keepdims=True)", "np.max(x)", "each row's own maximum"),
    ("L1", "np.sum(np.abs(y - yhat))", "np.sum((y - yhat) ** 2)", "this is the L2 loss"),
    ("L1", "np.sum(np.abs(y - yhat))", "np.sum(y - yhat)", "absolute value is missing"),
    ("L1", "np.sum(np.abs(y - yhat))", "np.mean(np.abs(y - yhat))", "this is the mean"),
    ("L1", "np.sum(np.abs(y - yhat))", "np.abs(y - yhat)", "a single number is expected"),
    ("L2", "np.sum((y - yhat) ** 2)", "np.sum(np.abs(y - yhat))", "this is the L1 loss"),
    ("L2", "np.sum((y - yhat) ** 2)", "np.sqrt(np.sum((y - yhat) ** 2))", "Euclidean norm"),
    ("L2", "np.sum((y - yhat) ** 2)", "np.mean((y - yhat) ** 2)", "this is the mean"),
]


def _mutation_id(m):
    name, old, new, _ = m
    return f"{name}: {old.strip()} -> {new.strip()}".replace("\n", " ")


@pytest.mark.parametrize("name, old, new, phrase", MUTATIONS,
                         ids=[_mutation_id(m) for m in MUTATIONS])
def test_mutation_is_caught(cells, name, old, new, phrase):
    report = hidden_report(AID, name, mutate(cells, name, old, new), seed=2024)
    assert report.passed < report.total, report.text()
    assert phrase in report.text(), report.text()


def test_every_function_has_two_mutations():
    counts = {name: sum(m[0] == name for m in MUTATIONS) for name in FUNCTIONS}
    assert min(counts.values()) >= 2, counts


# ---------------------------------------------------------------------------
# (c) the released notebook earns nothing
# ---------------------------------------------------------------------------
_SOLUTION_REGION = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?### END SOLUTION[^\n]*",
                              re.S | re.M)


def _released(cells: list[str]) -> list[str]:
    return [_SOLUTION_REGION.sub(r"\1raise NotImplementedError()", src) for src in cells]


def test_released_notebook_earns_zero(cells):
    released = _released(cells)
    assert sum("raise NotImplementedError()" in src for src in released) == len(FUNCTIONS)
    checks = load_checks(AID, SOLUTIONS)
    reports = grade_notebook_code(checks, FUNCTIONS, released, seed=99)
    for name in FUNCTIONS:
        assert reports[name].total > 0
        assert reports[name].passed == 0, reports[name].text()
        assert "NotImplementedError" in reports[name].text()


def test_hidden_report_helper_on_released(cells):
    report = hidden_report(AID, "softmax", _released(cells))
    assert (report.passed, report.score(2)) == (0, 0.0)


# ---------------------------------------------------------------------------
# (d) notebook conventions and autograde speed
# ---------------------------------------------------------------------------
def test_notebook_runs_under_autograde(monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    nb = source_notebook(AID)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    start = time.monotonic()
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(ASSIGNMENTS / AID)}}).execute()
    elapsed = time.monotonic() - start
    assert elapsed < 30, elapsed
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        for out in c.outputs:
            assert out.output_type != "error", (c.metadata.nbgrader.grade_id, out)
            assert not (out.output_type == "stream" and out.name == "stderr"), \
                (c.metadata.nbgrader.grade_id, out.text)
