"""a02 planar classification: the references reproduce the curriculum, the hidden checks catch
realistic bugs, the data are the original course's, and the explorer works."""
from __future__ import annotations

import contextlib
import io
import re

import numpy as np
import pytest

from dlcourse.autograder.hidden import grade_notebook_code, load_checks
from dlcourse.datasets.planar import (EXTRA_DATASETS, load_extra_dataset, load_extra_datasets,
                                      load_planar_dataset)
from dlcourse.utils.checks import a02_planar_classification as public
from tests.support import (hidden_report, mutate, reference_module, release_cells, solution_cells,
                           SOLUTIONS, source_notebook)

AID = "a02_planar_classification"
FUNCTIONS = ["layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost",
             "backward_propagation", "update_parameters", "nn_model", "predict"]
POINTS = {"layer_sizes": 1, "initialize_parameters": 1, "forward_propagation": 2, "compute_cost": 1,
          "backward_propagation": 3, "update_parameters": 1, "nn_model": 2, "predict": 1}


ref = reference_module(AID)


def _quietly(fn, *args, **kwargs):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        value = fn(*args, **kwargs)
    return value, buf.getvalue()


# ============================================================================================
# (a) the data
# ============================================================================================

def test_flower_fingerprint():
    X, Y = load_planar_dataset()
    assert X.shape == (2, 400) and Y.shape == (1, 400) and Y.dtype == np.uint8
    np.testing.assert_allclose(X[:, 0], [1.20444229, 3.57611415], atol=1e-8)
    np.testing.assert_allclose(X[:, 1], [0.1587099, -1.4821709], atol=1e-8)
    np.testing.assert_allclose(X[:, -1], [0.73078083, 3.06832921], atol=1e-8)
    assert int(Y.sum()) == 200 and set(np.unique(Y)) == {0, 1}
    # private generator: the global numpy state is left alone
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    load_planar_dataset()
    assert np.array_equal(np.random.get_state()[1], before)


def test_extra_datasets_shapes_and_determinism():
    first, second = load_extra_datasets(), load_extra_datasets()
    assert len(first) == len(EXTRA_DATASETS) == 5
    for (Xa, ya), (Xb, yb) in zip(first, second):
        assert Xa.shape == (200, 2) and np.array_equal(Xa, Xb) and np.array_equal(ya, yb)
    assert not np.array_equal(load_extra_datasets(seed=7)[0][0], first[0][0])
    for name in ["noisy_circles", "noisy_moons", "blobs", "gaussian_quantiles"]:
        X, Y = load_extra_dataset(name)
        assert X.shape == (2, 200) and Y.shape == (1, 200), name
        assert set(np.unique(Y)) == {0, 1}, name
        X2, Y2 = load_extra_dataset(name)
        assert np.array_equal(X, X2) and np.array_equal(Y, Y2), name
    X, _ = load_extra_dataset("flower")
    assert X.shape == (2, 400)
    with pytest.raises(ValueError):
        load_extra_dataset("no_structure")


# ============================================================================================
# (a) the references reproduce curriculum section 2
# ============================================================================================

@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_checks_pass_on_reference(name):
    check = getattr(public, f"check_{name}")
    _, out = _quietly(check, getattr(ref, name))
    assert "✓ All 1 public case(s)" in out


def test_curriculum_values():
    """The expected numbers of curriculum 2.4, checked directly (not through the public module)."""
    assert ref.layer_sizes(*public.layer_sizes_test_case()) == (5, 4, 2)

    p = ref.initialize_parameters(2, 4, 1)
    np.testing.assert_allclose(p["W1"], [[-0.00416758, -0.00056267], [-0.02136196, 0.01640271],
                                         [-0.01793436, -0.00841747], [0.00502881, -0.01245288]],
                               atol=6e-9)
    np.testing.assert_allclose(p["W2"], [[-0.01057952, -0.00909008, 0.00551454, 0.02292208]], atol=6e-9)
    assert p["b1"].shape == (4, 1) and not p["b1"].any() and p["b2"].shape == (1, 1)

    A2, cache = ref.forward_propagation(*public.forward_propagation_test_case())
    means = [np.mean(cache["Z1"]), np.mean(cache["A1"]), np.mean(cache["Z2"]), np.mean(A2)]
    np.testing.assert_allclose(means, [0.26281864019752443, 0.09199904522700109,
                                       -1.3076660128732143, 0.21287768171914198], rtol=1e-12)
    np.testing.assert_allclose(means, [0.262818640198, 0.091999045227, -1.30766601287,
                                       0.212877681719], rtol=1e-10)

    A2, Y, parameters = public.compute_cost_test_case()
    assert Y.tolist() == [[True, False, False]]
    assert ref.compute_cost(A2, Y, parameters) == pytest.approx(0.6930587610394646, rel=1e-12)
    assert float(-np.sum(Y * np.log(A2))) == pytest.approx(0.6926858869721941, rel=1e-12)

    grads = ref.backward_propagation(*public.backward_propagation_test_case())
    np.testing.assert_allclose(grads["dW1"], [[0.00301023, -0.00747267], [0.00257968, -0.00641288],
                                              [-0.00156892, 0.003893], [-0.00652037, 0.01618243]],
                               atol=6e-9)
    np.testing.assert_allclose(grads["db1"], [[0.00176201], [0.00150995], [-0.00091736], [-0.00381422]],
                               atol=6e-9)
    np.testing.assert_allclose(grads["dW2"], [[0.00078841, 0.01765429, -0.00084166, -0.01022527]],
                               atol=6e-9)
    np.testing.assert_allclose(grads["db2"], [[-0.16655712]], atol=6e-9)

    new = ref.update_parameters(*public.update_parameters_test_case())
    np.testing.assert_allclose(new["W1"], [[-0.00643025, 0.01936718], [-0.02410458, 0.03978052],
                                           [-0.01653973, -0.02096177], [0.01046864, -0.05990141]],
                               atol=6e-9)
    np.testing.assert_allclose(new["b1"], [[-1.02420756e-06], [1.27373948e-05], [8.32996807e-07],
                                           [-3.20136836e-06]], rtol=1e-8)
    np.testing.assert_allclose(new["W2"], [[-0.01041081, -0.04463285, 0.01758031, 0.04747113]],
                               atol=6e-9)
    np.testing.assert_allclose(new["b2"], [[0.00010457]], atol=6e-9)

    params, out = _quietly(ref.nn_model, *public.nn_model_test_case(), 4,
                           num_iterations=10000, print_cost=True)
    assert out.splitlines()[0] == "Cost after iteration 0: 0.692739"
    assert out.splitlines()[1] == "Cost after iteration 1000: 0.000218"
    assert out.splitlines()[-1] == "Cost after iteration 9000: 0.000023"
    np.testing.assert_allclose(params["W1"], [[-0.65848169, 1.21866811], [-0.76204273, 1.39377573],
                                              [0.5792005, -1.10397703], [0.76773391, -1.41477129]],
                               atol=6e-9)
    np.testing.assert_allclose(params["b1"], [[0.287592], [0.3511264], [-0.2431246], [-0.35772805]],
                               atol=6e-9)
    np.testing.assert_allclose(params["W2"], [[-2.45566237, -3.27042274, 2.00784958, 3.36773273]],
                               atol=6e-9)
    np.testing.assert_allclose(params["b2"], [[0.20459656]], atol=6e-9)

    predictions = ref.predict(*public.predict_test_case())
    assert predictions.shape == (1, 3)
    assert float(np.mean(predictions)) == pytest.approx(0.666666666667)


def test_public_checks_name_known_mistakes():
    def cost_student(A2, Y, parameters):  # the curriculum's STUDENT deviation
        return float(-np.sum(Y * np.log(A2)))

    def init_no_factor_on_w2(n_x, n_h, n_y):
        p = ref.initialize_parameters(n_x, n_h, n_y)
        return dict(p, W2=p["W2"] * 100)

    def forward_sigmoid_hidden(X, parameters):
        Z1 = parameters["W1"] @ X + parameters["b1"]
        A1 = ref.sigmoid(Z1)
        Z2 = parameters["W2"] @ A1 + parameters["b2"]
        A2 = ref.sigmoid(Z2)
        return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}

    for check, fn, words in [(public.check_compute_cost, cost_student, "only the y*log(a)"),
                             (public.check_initialize_parameters, init_no_factor_on_w2,
                              "W2 is not scaled by 0.01"),
                             (public.check_forward_propagation, forward_sigmoid_hidden,
                              "hidden layer uses sigmoid")]:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), pytest.raises(AssertionError, match=re.escape(words)):
            check(fn)
        assert words in buf.getvalue()


def test_logistic_regression_baseline_is_47_percent():
    import warnings

    from sklearn.linear_model import LogisticRegressionCV

    X, Y = load_planar_dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        classifier = LogisticRegressionCV(scoring="accuracy").fit(X.T, Y.ravel())
    accuracy = float(np.mean(classifier.predict(X.T) == Y.ravel()) * 100)
    assert round(accuracy) == 47


def test_nn_model_on_the_flower():
    X, Y = load_planar_dataset()
    params, out = _quietly(ref.nn_model, X, Y, 4, num_iterations=10000, print_cost=True)
    costs = {int(i): float(c) for i, c in re.findall(r"Cost after iteration (\d+): ([\d.]+)", out)}
    assert sorted(costs) == list(range(0, 10000, 1000))
    recomputed = {0: 0.693048, 1000: 0.288083, 2000: 0.254385, 3000: 0.233864, 4000: 0.226792,
                  5000: 0.222644, 6000: 0.219731, 7000: 0.217504}
    for i, cost in recomputed.items():
        assert costs[i] == pytest.approx(cost, abs=1.5e-6), i
    # chaotic after ~7000 iterations: published copies differ in the 4th decimal
    assert costs[8000] == pytest.approx(0.21944, abs=1e-3)
    assert costs[9000] == pytest.approx(0.218607, abs=1e-3)
    accuracy = float(np.mean(ref.predict(params, X) == Y) * 100)
    assert 90.0 <= accuracy <= 91.0


# ============================================================================================
# (b) hidden checks: the solution passes, bugs are caught, a release scores 0
# ============================================================================================

@pytest.fixture(scope="module")
def cells():
    return solution_cells(AID)


def test_notebook_has_its_explorer():
    """The common layout is checked in tests/test_notebooks.py; this notebook also has the explorer."""
    assert "explorer" in [c.metadata["nbgrader"]["grade_id"] for c in source_notebook(AID).cells]


def test_solution_passes_every_hidden_case(cells):
    checks = load_checks(AID, SOLUTIONS)
    assert set(checks) == set(FUNCTIONS)
    for seed in (1, 2024, 987654):
        reports = grade_notebook_code(checks, FUNCTIONS, cells, seed=seed)
        for name, report in reports.items():
            assert report.total >= 3 and report.passed == report.total, report.text()


def test_release_scores_zero(cells):
    released = release_cells(cells)
    assert sum(src.count("raise NotImplementedError()") for src in released) == len(FUNCTIONS)
    for src in released:  # what students get must at least be valid Python
        compile(src, "<released cell>", "exec")
    reports = grade_notebook_code(load_checks(AID, SOLUTIONS), FUNCTIONS, released, seed=5)
    for name, report in reports.items():
        assert report.passed == 0, report.text()


# (function, [(old, new), ...], words expected in the report or None)
MUTATIONS = [
    ("layer_sizes", [("n_x = X.shape[0]", "n_x = X.shape[1]")], None),
    ("layer_sizes", [("n_h = 4", "n_h = X.shape[0]")], "n_h is fixed"),
    ("layer_sizes", [("n_y = Y.shape[0]", "n_y = Y.shape[1]")], None),
    ("initialize_parameters", [("W2 = np.random.randn(n_y, n_h) * 0.01", "W2 = np.random.randn(n_y, n_h)")],
     "W2 is not multiplied by 0.01"),
    ("initialize_parameters", [("b1 = np.zeros((n_h, 1))", "b1 = np.zeros(n_h)")], "shape"),
    ("initialize_parameters", [("np.random.randn(n_h, n_x)", "np.random.rand(n_h, n_x)")], None),
    ("forward_propagation", [("A1 = np.tanh(Z1)", "A1 = sigmoid(Z1)")], "hidden layer uses sigmoid"),
    ("forward_propagation", [("A2 = sigmoid(Z2)", "A2 = np.tanh(Z2)")], "output layer uses tanh"),
    ("forward_propagation", [("Z2 = W2 @ A1 + b2", "Z2 = W2 @ Z1 + b2")], "not Z1"),
    ("forward_propagation", [("Z1 = W1 @ X + b1", "Z1 = W1 @ X")], None),
    ("compute_cost", [("log_likelihood = Y * np.log(A2) + (1 - Y) * np.log(1 - A2)",
                       "log_likelihood = Y * np.log(A2)"),
                      ("cost = -np.sum(log_likelihood) / m", "cost = -np.sum(log_likelihood)")],
     "only the y*log(a) part"),
    ("compute_cost", [("cost = -np.sum(log_likelihood) / m", "cost = -np.sum(log_likelihood)")],
     "not divided by m"),
    ("compute_cost", [("(1 - Y) * np.log(1 - A2)", "(1 - Y) * np.log(A2)")], None),
    ("compute_cost", [("cost = -np.sum", "cost = np.sum")], "sign"),
    ("backward_propagation", [("(1 - A1 ** 2)", "(1 - A1)")], "not 1 - A1"),
    ("backward_propagation", [("(1 - A1 ** 2)", '(1 - cache["Z1"] ** 2)')], "uses Z1"),
    ("backward_propagation", [("(1 - A1 ** 2)", "A1 * (1 - A1)")], "sigmoid's derivative"),
    ("backward_propagation", [("W2.T @ dZ2", "W2 @ dZ2")], "raised"),
    ("backward_propagation", [("db2 = np.sum(dZ2, axis=1, keepdims=True) / m",
                               "db2 = np.sum(dZ2, axis=1) / m")], None),
    ("backward_propagation", [("dW1 = (dZ1 @ X.T) / m", "dW1 = dZ1 @ X.T")], "same factor"),
    ("update_parameters", [("W1 = W1 - learning_rate * dW1", "W1 = W1 + learning_rate * dW1")], None),
    ("update_parameters", [("b2 = b2 - learning_rate * db2", "b2 = b2")], None),
    ("update_parameters", [("W2 = W2 - learning_rate * dW2", "W2 = W2 - 1.2 * dW2")], None),
    ("nn_model", [("initialize_parameters(n_x, n_h, n_y)", "initialize_parameters(n_x, 4, n_y)")],
     "n_h argument is ignored"),
    ("nn_model", [("for i in range(num_iterations):", "for i in range(1, num_iterations):")],
     "one gradient step too few"),
    ("nn_model", [("parameters = update_parameters(parameters, grads)",
                   "parameters = update_parameters(parameters, grads, learning_rate=0.5)")], None),
    ("predict", [("predictions = A2 > 0.5", "predictions = A2 >= 0.5")], "exactly 0.5"),
    ("predict", [("predictions = A2 > 0.5", "predictions = A2")], "0/1"),
    ("predict", [("predictions = A2 > 0.5", "predictions = A2 < 0.5")], "inverted"),
]


@pytest.mark.parametrize("function, edits, words", MUTATIONS,
                         ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(MUTATIONS)])
def test_mutation_is_caught(cells, function, edits, words):
    mutated = cells
    for old, new in edits:
        mutated = mutate(mutated, function, old, new)
    report = hidden_report(AID, function, mutated, seed=31)
    assert report.passed < report.total, report.text()
    if words:
        assert words in report.text(), report.text()


def test_simulated_partial_student_scores_between_zero_and_full(cells):
    mutated = cells
    for function, old, new in ref.SIMULATED_MISTAKES:
        mutated = mutate(mutated, function, old, new)
    reports = grade_notebook_code(load_checks(AID, SOLUTIONS), FUNCTIONS, mutated, seed=8)
    score = sum(r.score(POINTS[n]) for n, r in reports.items())
    assert 0 < score < sum(POINTS.values()), {n: r.passed for n, r in reports.items()}


def test_every_function_has_two_mutations():
    counts = {name: sum(1 for f, _, _ in MUTATIONS if f == name) for name in FUNCTIONS}
    assert min(counts.values()) >= 2, counts


# ============================================================================================
# (c) the explorer
# ============================================================================================

def _accuracy_line(box) -> str:
    texts = [o.get("text", "") for o in box.output.outputs if o.get("output_type") == "stream"]
    lines = [line for text in texts for line in text.splitlines() if line]
    assert len(lines) == 1, lines
    return lines[0]


def test_explorer_builds_and_reacts():
    import ipywidgets as widgets
    import matplotlib

    matplotlib.use("Agg")
    from dlcourse.utils.planar import planar_explorer

    box = planar_explorer(ref.nn_model, ref.predict)
    assert isinstance(box, widgets.VBox)
    controls = box.controls
    hidden = controls["hidden units"]
    assert isinstance(hidden, widgets.IntSlider) and hidden.description == "hidden units"
    assert (hidden.min, hidden.max, hidden.value, hidden.continuous_update) == (1, 50, 4, False)
    assert isinstance(controls["learning rate"], widgets.FloatLogSlider)
    assert isinstance(controls["iterations"], widgets.IntSlider)
    assert controls["iterations"].max <= 5000
    assert list(controls["dataset"].options) == ["flower", "noisy_circles", "noisy_moons", "blobs",
                                                 "gaussian_quantiles"]
    # every control is somewhere inside the box
    def walk(w):
        yield w
        for child in getattr(w, "children", ()):
            yield from walk(child)
    inside = list(walk(box))
    assert all(any(c is w for w in inside) for c in controls.values())
    assert any(w is box.output for w in inside)

    first = _accuracy_line(box)
    assert re.fullmatch(r"accuracy: \d+\.\d\d % \(n_h = 4, learning rate 1\.2, 2000 iterations, "
                        r"dataset flower\)", first), first
    assert any("image/png" in o.get("data", {}) for o in box.output.outputs)

    controls["iterations"].value = 500
    hidden.value = 1
    second = _accuracy_line(box)
    assert second.startswith("accuracy: ") and "(n_h = 1," in second and "500 iterations" in second
    assert second != first

    controls["dataset"].value = "noisy_moons"
    assert _accuracy_line(box).endswith("dataset noisy_moons)")

    # the learning rate reaches the student's update_parameters (nn_model has no such argument)
    controls["dataset"].value = "flower"
    hidden.value = 4
    at_default = _accuracy_line(box)
    controls["learning rate"].value = 0.001
    slow = _accuracy_line(box)
    assert "learning rate 0.001" in slow and slow.split(" %")[0] != at_default.split(" %")[0]
    assert ref.update_parameters.__name__ == "update_parameters"  # restored afterwards
    assert ref.nn_model.__globals__["compute_cost"] is ref.compute_cost


def test_explorer_shows_student_errors():
    import matplotlib

    matplotlib.use("Agg")
    from dlcourse.utils.planar import planar_explorer

    def not_done(*args, **kwargs):
        raise NotImplementedError()

    box = planar_explorer(not_done, ref.predict)
    assert "NotImplementedError" in box.output.outputs[0]["text"]
