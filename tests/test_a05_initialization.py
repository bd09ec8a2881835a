"""a05 initialization: the data are the original course's, the references and the given model
reproduce the curriculum (section 5), the hidden checks catch realistic bugs, the notebook keeps
the authoring layout, and the explorer drives the student's functions."""
from __future__ import annotations

import contextlib
import io
import re
import time

import numpy as np
import pytest

from dlcourse.autograder.hidden import grade_notebook_code, load_checks
from dlcourse.datasets.circles import load_circles_dataset
from dlcourse.utils import initialization as given
from dlcourse.utils.checks import a05_initialization as public
from tests.support import (ASSIGNMENTS, SOLUTIONS, hidden_report, mutate, reference_module,
                           solution_cells, source_notebook, release_cells)

AID = "a05_initialization"
FUNCTIONS = ["initialize_parameters_zeros", "initialize_parameters_random", "initialize_parameters_he"]
POINTS = {"initialize_parameters_zeros": 1, "initialize_parameters_random": 1,
          "initialize_parameters_he": 2}

ref = reference_module(AID)


def _quietly(fn, *args, **kwargs):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        value = fn(*args, **kwargs)
    return value, buf.getvalue()


# ============================================================================================
# (a) the data and the curriculum values
# ============================================================================================

def test_circles_fingerprint():
    train_X, train_Y, test_X, test_Y = load_circles_dataset()
    assert train_X.shape == (2, 300) and train_Y.shape == (1, 300)
    assert test_X.shape == (2, 100) and test_Y.shape == (1, 100)
    np.testing.assert_allclose(train_X[:, 0], [-0.07741354, 0.85260226], atol=1e-8)
    np.testing.assert_allclose(train_X[:, 1], [0.4318696, -0.87214504], atol=1e-8)
    np.testing.assert_allclose(train_X[:, 2], [0.07916502, 0.8406611], atol=1e-8)
    assert train_Y[0, :5].tolist() == [1, 0, 1, 1, 0]
    np.testing.assert_allclose(test_X[:, 0], [-0.52423739, -0.60910361], atol=1e-8)
    assert test_Y[0, :5].tolist() == [1, 0, 1, 0, 0]
    assert int(train_Y.sum()) == 150 and int(test_Y.sum()) == 50


def test_circles_equal_the_global_seed_recipe_and_leave_the_global_state_alone():
    from sklearn.datasets import make_circles

    np.random.seed(1)
    X, y = make_circles(n_samples=300, noise=0.05)
    np.random.seed(2)
    Xt, yt = make_circles(n_samples=100, noise=0.05)
    train_X, train_Y, test_X, test_Y = load_circles_dataset()
    assert np.array_equal(train_X, X.T) and np.array_equal(train_Y, y.reshape(1, -1))
    assert np.array_equal(test_X, Xt.T) and np.array_equal(test_Y, yt.reshape(1, -1))
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    load_circles_dataset()
    assert np.array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_checks_pass_on_reference(name):
    _, out = _quietly(getattr(public, f"check_{name}"), getattr(ref, name))
    assert "✓ All 1 public case(s)" in out and "✗" not in out


def test_curriculum_values():
    """The expected values of curriculum 5.5, checked directly (not through the public module)."""
    p = ref.initialize_parameters_zeros([3, 2, 1])
    assert sorted(p) == ["W1", "W2", "b1", "b2"]
    assert p["W1"].shape == (2, 3) and p["b1"].shape == (2, 1) and p["W2"].shape == (1, 2)
    assert p["b2"].shape == (1, 1) and not any(v.any() for v in p.values())

    p = ref.initialize_parameters_random([3, 2, 1])
    np.testing.assert_allclose(p["W1"], [[17.88628473, 4.36509851, 0.96497468],
                                         [-18.63492703, -2.77388203, -3.54758979]], atol=6e-9)
    np.testing.assert_allclose(p["W2"], [[-0.82741481, -6.27000677]], atol=6e-9)
    assert not p["b1"].any() and p["b1"].shape == (2, 1) and p["b2"].shape == (1, 1)

    p = ref.initialize_parameters_he([2, 4, 1])
    np.testing.assert_allclose(p["W1"], [[1.78862847, 0.43650985], [0.09649747, -1.8634927],
                                         [-0.2773882, -0.35475898], [-0.08274148, -0.62700068]],
                               atol=6e-9)
    np.testing.assert_allclose(p["W2"], [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]],
                               atol=6e-9)
    assert p["b1"].shape == (4, 1) and not p["b1"].any() and p["b2"].shape == (1, 1)


@pytest.mark.parametrize("check, wrong, words", [
    ("check_initialize_parameters_he", lambda d: ref._seeded(lambda d, l: 10)(d),
     "W scaled by 10 instead of sqrt(2 / n_prev)"),
    ("check_initialize_parameters_he", lambda d: ref._seeded(lambda d, l: np.sqrt(2 / d[l]))(d),
     "the layer's own size"),
    ("check_initialize_parameters_he", lambda d: ref._seeded(lambda d, l: np.sqrt(1 / d[l - 1]))(d),
     "Xavier"),
    ("check_initialize_parameters_random", lambda d: ref._seeded(lambda d, l: 1)(d),
     "not multiplied by 10"),
    ("check_initialize_parameters_random", lambda d: ref._seeded(lambda d, l: 10, draw="rand")(d),
     "uniform"),
    ("check_initialize_parameters_zeros", lambda d: {"W1": np.zeros((3, 2)), "b1": np.zeros((2, 1)),
                                                     "W2": np.zeros((2, 1)), "b2": np.zeros((1, 1))},
     "transposed"),
    ("check_initialize_parameters_zeros", lambda d: np.zeros((d[1], d[0])), "a dict with keys"),
], ids=["he-x10", "he-own-size", "he-xavier", "random-x1", "random-uniform", "zeros-transposed",
        "zeros-not-a-dict"])
def test_public_checks_name_known_mistakes(check, wrong, words):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), pytest.raises(AssertionError):
        getattr(public, check)(wrong)
    assert words in buf.getvalue(), buf.getvalue()


def test_public_check_error_hint_for_a_shape_slip():
    def zeros(layers_dims):
        return {"W1": np.zeros(layers_dims[1], layers_dims[0])}

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), pytest.raises(AssertionError):
        public.check_initialize_parameters_zeros(zeros)
    assert "one tuple" in buf.getvalue(), buf.getvalue()


# ============================================================================================
# (a) the given model reproduces the headline table (curriculum 5.6)
# ============================================================================================

def _costs_from(out: str) -> dict[int, float]:
    return {int(i): float(c) for i, c in re.findall(r"Cost after iteration (\d+): (\S+)", out)}


@pytest.fixture(scope="module")
def trained():
    """The three 15000-iteration runs of the notebook (about 6 s together)."""
    data = load_circles_dataset()
    runs = {}
    for name in FUNCTIONS:
        parameters, out = _quietly(given.model, data[0], data[1], getattr(ref, name), plot_cost=False)
        runs[name] = (parameters, _costs_from(out))
    return data, runs


def _accuracies(parameters, data):
    train_X, train_Y, test_X, test_Y = data
    return given.accuracy(parameters, train_X, train_Y), given.accuracy(parameters, test_X, test_Y)


def test_headline_zeros(trained):
    data, runs = trained
    parameters, costs = runs["initialize_parameters_zeros"]
    assert sorted(costs) == list(range(0, 15000, 1000))
    assert all(c == pytest.approx(0.6931471805599453, rel=1e-14) for c in costs.values())
    assert _accuracies(parameters, data) == (0.5, 0.5)
    predictions, out = _quietly(given.predict, data[0], data[1], parameters)
    assert out == "Accuracy: 0.5\n" and not predictions.any() and predictions.dtype.kind == "i"


def test_headline_random(trained):
    data, runs = trained
    parameters, costs = runs["initialize_parameters_random"]
    assert costs[0] == float("inf")
    student = {1000: 0.6242434241539614, 2000: 0.5978811277755388, 3000: 0.5636242569764779,
               4000: 0.5500958254523324, 5000: 0.544339206192789, 6000: 0.5373584514307651,
               7000: 0.469574666760224, 8000: 0.39766324943219844, 9000: 0.3934423376823982,
               10000: 0.3920158992175907, 11000: 0.38913979237487845, 12000: 0.3861261344766218,
               13000: 0.3849694511273874, 14000: 0.3827489017191917}
    for i, cost in student.items():  # agrees to about 3 decimals (overflow handling)
        assert costs[i] == pytest.approx(cost, abs=1e-3), i
    train, test = _accuracies(parameters, data)
    assert (train, test) == (pytest.approx(0.83), pytest.approx(0.86))


def test_headline_he(trained):
    data, runs = trained
    parameters, costs = runs["initialize_parameters_he"]
    expected = [0.8830537463419761, 0.6879825919728063, 0.6751286264523371, 0.6526117768893807,
                0.6082958970572938, 0.5304944491717495, 0.4138645817071794, 0.3117803464844441,
                0.23696215330322562, 0.18597287209206834, 0.15015556280371806, 0.12325079292273546,
                0.09917746546525934, 0.08457055954024278, 0.07357895962677369]
    np.testing.assert_allclose([costs[i] for i in range(0, 15000, 1000)], expected, rtol=1e-10)
    train, test = _accuracies(parameters, data)
    assert train == pytest.approx(0.993333333333) and test == pytest.approx(0.96)


def test_given_model_is_specific_to_the_three_layer_network():
    """The given code answers no graded function of a03/a04: no generic L-layer loops."""
    import inspect

    source = inspect.getsource(given)
    for name in ("L_model_forward", "L_model_backward", "linear_forward", "linear_backward",
                 "linear_activation_forward", "linear_activation_backward", "initialize_parameters_deep",
                 "L_layer_model", "two_layer_model", "compute_cost", "update_parameters",
                 "initialize_parameters", "update_parameters_with_gd", "compute_loss"):
        assert not hasattr(given, name), name
    assert "range(1, L" not in source and "len(parameters) //" not in source
    # a fourth layer is ignored: the forward pass is written for W1, W2, W3 only
    p = ref.initialize_parameters_he([2, 10, 5, 1])
    X = np.random.default_rng(0).normal(size=(2, 7))
    extra = dict(p, W4=np.ones((1, 1)), b4=np.ones((1, 1)))
    assert np.array_equal(given.forward_propagation(X, p)[0], given.forward_propagation(X, extra)[0])


def test_backward_matches_a_numerical_gradient():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2, 6))
    Y = (rng.random((1, 6)) > 0.5).astype(float)
    p = ref.initialize_parameters_he([2, 10, 5, 1])
    p = {k: v + 0.1 * rng.normal(size=v.shape) for k, v in p.items()}
    grads = given.backward_propagation(X, Y, given.forward_propagation(X, p)[1])

    def loss(parameters):
        a3 = given.forward_propagation(X, parameters)[0]
        return float(-np.mean(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)))

    eps = 1e-6
    for name in ("W1", "b2", "W3", "b3"):
        numeric = np.zeros_like(p[name])
        for idx in np.ndindex(p[name].shape):
            plus = {k: v.copy() for k, v in p.items()}
            minus = {k: v.copy() for k, v in p.items()}
            plus[name][idx] += eps
            minus[name][idx] -= eps
            numeric[idx] = (loss(plus) - loss(minus)) / (2 * eps)
        np.testing.assert_allclose(grads["d" + name], numeric, rtol=1e-5, atol=1e-8)


# ============================================================================================
# (b) hidden checks: the solution passes, bugs are caught, a release scores 0
# ============================================================================================

@pytest.fixture(scope="module")
def cells():
    return solution_cells(AID)


def test_solution_passes_every_hidden_case_quickly(cells):
    checks = load_checks(AID, SOLUTIONS)
    assert set(checks) == set(FUNCTIONS)
    for seed in (1, 2024, 987654):
        start = time.monotonic()
        reports = grade_notebook_code(checks, FUNCTIONS, cells, seed=seed)
        assert time.monotonic() - start < 5
        for name, report in reports.items():
            assert report.total >= 4 and report.passed == report.total, report.text()
            assert report.score(POINTS[name]) == POINTS[name]


def test_release_scores_zero(cells):
    released = release_cells(cells)
    assert sum(src.count("raise NotImplementedError()") for src in released) == len(FUNCTIONS)
    reports = grade_notebook_code(load_checks(AID, SOLUTIONS), FUNCTIONS, released, seed=5)
    for name, report in reports.items():
        assert report.passed == 0 and "NotImplementedError" in report.text(), report.text()


# (function, old, new, words expected in the report or None)
MUTATIONS = [
    ("initialize_parameters_zeros", "np.zeros((layers_dims[l], layers_dims[l - 1]))",
     "np.zeros((layers_dims[l - 1], layers_dims[l]))", "rows for the units of layer l"),
    ("initialize_parameters_zeros", "np.zeros((layers_dims[l], 1))", "np.zeros(layers_dims[l])",
     "not a flat vector"),
    ("initialize_parameters_zeros", "for l in range(1, L + 1):", "for l in range(1, L):",
     "the last layer is missing"),
    ("initialize_parameters_zeros", "np.zeros((layers_dims[l], layers_dims[l - 1]))",
     "np.zeros(layers_dims[l], layers_dims[l - 1])", "one tuple"),
    ("initialize_parameters_random", "= np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10",
     "= np.random.randn(layers_dims[l], layers_dims[l - 1])", "not multiplied by 10"),
    ("initialize_parameters_random", "= np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10",
     "= np.random.randn(layers_dims[l], layers_dims[l - 1]) * 0.01", "multiplied by 0.01"),
    ("initialize_parameters_random", "= np.random.randn(layers_dims[l], layers_dims[l - 1])",
     "= np.random.randn(layers_dims[l - 1], layers_dims[l]).T", "the draw is transposed"),
    ("initialize_parameters_random", "= np.random.randn(", "= np.random.rand(", "uniform"),
    ("initialize_parameters_random", "= np.zeros((layers_dims[l], 1))",
     "= np.random.randn(layers_dims[l], 1) * 10", "the biases are random"),
    ("initialize_parameters_he", "np.sqrt(2 / layers_dims[l - 1])", "10",
     "W scaled by 10 instead of sqrt(2 / n_prev)"),
    ("initialize_parameters_he", "np.sqrt(2 / layers_dims[l - 1])", "np.sqrt(2 / layers_dims[l])",
     "the layer's own size"),
    ("initialize_parameters_he", "np.sqrt(2 / layers_dims[l - 1])", "np.sqrt(1 / layers_dims[l - 1])",
     "Xavier"),
    ("initialize_parameters_he", "np.sqrt(2 / layers_dims[l - 1])", "np.sqrt(2) / layers_dims[l - 1]",
     "cover the whole fraction"),
    ("initialize_parameters_he", "        ### BEGIN SOLUTION\n",
     "        ### BEGIN SOLUTION\n        np.random.seed(3)\n", "inside the loop"),
]


@pytest.mark.parametrize("function, old, new, words", MUTATIONS,
                         ids=[f"{f}-{i}" for i, (f, _, _, _) in enumerate(MUTATIONS)])
def test_mutation_is_caught(cells, function, old, new, words):
    report = hidden_report(AID, function, mutate(cells, function, old, new), seed=31)
    assert report.passed < report.total, report.text()
    if words:
        assert words in report.text(), report.text()


def test_every_function_has_two_mutations():
    counts = {name: sum(1 for f, *_ in MUTATIONS if f == name) for name in FUNCTIONS}
    assert min(counts.values()) >= 2, counts


def test_simulated_partial_student_scores_between_zero_and_full(cells):
    mutated = cells
    for function, old, new in ref.SIMULATED_MISTAKES:
        mutated = mutate(mutated, function, old, new)
    reports = grade_notebook_code(load_checks(AID, SOLUTIONS), FUNCTIONS, mutated, seed=8)
    score = sum(r.score(POINTS[n]) for n, r in reports.items())
    assert 0 < score < sum(POINTS.values()), {n: r.passed for n, r in reports.items()}


# ============================================================================================
# (c) the notebook
# ============================================================================================

def test_setup_cell():
    """The common layout is checked in tests/test_notebooks.py; here the setup cell of a05."""
    setup = source_notebook(AID).cells[2].source
    assert "from dlcourse.autograder.kernel import grade" in setup
    assert 'warnings.filterwarnings("ignore")' in setup


def test_notebook_text_shows_the_public_expected_values():
    text = "\n".join(c.source for c in source_notebook(AID).cells if c.cell_type == "markdown")
    for number in ("17.88628473", "-6.27000677", "-0.03098412", "0.62552248", "-1.8634927",
                   "0.6931471805599453", "0.8830537463419761", "99.3 %", "83 %", "86 %", "96 %"):
        assert number in text, number


def test_notebook_runs_quickly_under_autograde(monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    nb = source_notebook(AID)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    start = time.monotonic()
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(ASSIGNMENTS / AID)}}).execute()
    assert time.monotonic() - start < 30
    for c in nb.cells:
        for out in c.get("outputs", []):
            assert out.output_type != "error", (c.metadata.nbgrader.grade_id, out)
            assert not (out.output_type == "stream" and out.name == "stderr"), out.text
    explorer = next(c for c in nb.cells if c.metadata.nbgrader.grade_id == "explorer")
    assert "skipped while grading" in explorer.outputs[0].text


# ============================================================================================
# (d) the explorer
# ============================================================================================

def _line(box) -> str:
    texts = [o.get("text", "") for o in box.output.outputs if o.get("output_type") == "stream"]
    lines = [line for text in texts for line in text.splitlines() if line]
    assert len(lines) == 1, lines
    return lines[0]


def _png(box) -> str:
    return next(o["data"]["image/png"] for o in box.output.outputs if "image/png" in o.get("data", {}))


def test_explorer_builds_and_reacts():
    import ipywidgets as widgets
    import matplotlib

    matplotlib.use("Agg")
    calls = []

    def counted(fn):
        def wrapper(layers_dims):
            calls.append(fn.__name__)
            return fn(layers_dims)
        wrapper.__name__ = fn.__name__
        return wrapper

    box = given.initialization_explorer(counted(ref.initialize_parameters_zeros),
                                        counted(ref.initialize_parameters_random),
                                        counted(ref.initialize_parameters_he), iterations=1000)
    assert isinstance(box, widgets.VBox)
    controls = box.controls
    assert list(controls["method"].options) == ["zeros", "random (x10)", "He"]
    assert controls["method"].value == "He" and controls["weight scale"].value == 1.0
    assert isinstance(controls["weight scale"], widgets.FloatLogSlider)
    assert controls["iterations"].max == 15000 and not controls["iterations"].continuous_update

    def walk(w):
        yield w
        for child in getattr(w, "children", ()):
            yield from walk(child)
    inside = list(walk(box))
    assert all(any(c is w for w in inside) for c in controls.values())

    first, image = _line(box), _png(box)
    assert re.fullmatch(r"train accuracy \d+\.\d\d %, test accuracy \d+\.\d\d % \(He, weight scale 1, "
                        r"1000 iterations\); distinct units in layer 1 after training: 10 of 10", first), first
    assert calls == ["initialize_parameters_he"]  # the student's function is what trains

    controls["method"].value = "zeros"
    zeros = _line(box)
    assert zeros.startswith("train accuracy 50.00 %, test accuracy 50.00 % (zeros")
    assert zeros.endswith("1 of 10") and _png(box) != image
    assert calls[-1] == "initialize_parameters_zeros"

    controls["method"].value = "random (x10)"
    controls["weight scale"].value = 0.1
    assert "(random (x10), weight scale 0.1, 1000 iterations)" in _line(box)
    n_calls = len(calls)
    controls["method"].value = "He"
    controls["weight scale"].value = 1.0  # seen before: redrawn from the cache
    assert _line(box) == first and len(calls) == n_calls + 1  # only (He, 0.1) was new


def test_explorer_shows_student_errors():
    import matplotlib

    matplotlib.use("Agg")

    def not_done(layers_dims):
        raise NotImplementedError()

    box = given.initialization_explorer(not_done, not_done, not_done, iterations=1000)
    assert "NotImplementedError" in box.output.outputs[0]["text"]
    box.controls["method"].value = "zeros"
    assert "NotImplementedError" in box.output.outputs[0]["text"]
