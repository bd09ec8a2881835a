"""a06 regularization: the references reproduce the curriculum's unit values (section 6), the
generated football data make the unregularized model overfit and both regularizers help, the
original data.mat is used when present, the hidden checks catch realistic bugs (a dropout that
forgets the rescaling or drops output units earns nothing), the notebook keeps the authoring
layout, and the explorer drives the student's functions."""
from __future__ import annotations

import contextlib
import io
import re
import time

import numpy as np
import pytest

from dlcourse.autograder.hidden import grade_notebook_code, load_checks
from dlcourse.datasets import football
from dlcourse.datasets.football import load_2D_dataset, make_football_data
from dlcourse.utils import regularization as given
from dlcourse.utils.checks import a06_regularization as public
from tests.support import (ASSIGNMENTS, SOLUTIONS, hidden_report, mutate, reference_module,
                           solution_cells, source_notebook, release_cells)

AID = "a06_regularization"
FUNCTIONS = ["compute_cost_with_regularization", "backward_propagation_with_regularization",
             "forward_propagation_with_dropout", "backward_propagation_with_dropout"]
POINTS = {"compute_cost_with_regularization": 1, "backward_propagation_with_regularization": 2,
          "forward_propagation_with_dropout": 2, "backward_propagation_with_dropout": 2}

ref = reference_module(AID)
L2_FUNCTIONS = {"compute_cost_with_regularization": ref.compute_cost_with_regularization,
                "backward_propagation_with_regularization": ref.backward_propagation_with_regularization}
DROPOUT_FUNCTIONS = {"forward_propagation_with_dropout": ref.forward_propagation_with_dropout,
                     "backward_propagation_with_dropout": ref.backward_propagation_with_dropout}


def _quietly(fn, *args, **kwargs):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        value = fn(*args, **kwargs)
    return value, buf.getvalue()


# ============================================================================================
# (a) the data
# ============================================================================================

def test_generated_data_have_the_layout_of_data_mat():
    data = make_football_data()
    assert {k: v.shape for k, v in data.items()} == {"X": (211, 2), "y": (211, 1), "Xval": (200, 2),
                                                     "yval": (200, 1)}
    assert data["X"].dtype == np.float64 and data["y"].dtype == np.uint8
    assert set(np.unique(data["y"])) == {0, 1} and set(np.unique(data["yval"])) == {0, 1}
    train_X, train_Y, test_X, test_Y = load_2D_dataset(path="/nonexistent/data.mat")
    assert train_X.shape == (2, 211) and train_Y.shape == (1, 211)
    assert test_X.shape == (2, 200) and test_Y.shape == (1, 200)
    assert np.array_equal(train_X, data["X"].T) and np.array_equal(test_Y, data["yval"].T)


def test_generated_data_fingerprint_and_determinism():
    train_X, train_Y, test_X, test_Y = load_2D_dataset(path="/nonexistent/data.mat")
    np.testing.assert_allclose(train_X[:, 0], [0.09993217, -0.36862743], atol=1e-8)
    assert train_Y[0, :8].tolist() == [0, 1, 0, 0, 0, 1, 1, 0]
    assert (int(train_Y.sum()), int(test_Y.sum())) == (117, 107)
    assert train_X[0].min() >= -0.6 and train_X[0].max() <= 0.3
    assert train_X[1].min() >= -0.7 and train_X[1].max() <= 0.6
    again = make_football_data()
    assert all(np.array_equal(v, make_football_data()[k]) for k, v in again.items())
    assert not np.array_equal(make_football_data(seed=14)["X"], again["X"])
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    make_football_data()
    assert np.array_equal(np.random.get_state()[1], before)


def test_the_original_file_is_used_when_an_instructor_places_it(tmp_path, monkeypatch):
    scipy_io = pytest.importorskip("scipy.io")
    rng = np.random.default_rng(0)
    original = {"X": rng.normal(size=(211, 2)), "y": (rng.random((211, 1)) > 0.5).astype(np.uint8),
                "Xval": rng.normal(size=(200, 2)), "yval": (rng.random((200, 1)) > 0.5).astype(np.uint8)}
    path = tmp_path / "data.mat"
    scipy_io.savemat(path, original)
    assert football.data_source(path) == "data.mat"
    train_X, train_Y, test_X, test_Y = load_2D_dataset(path)
    assert np.array_equal(train_X, original["X"].T) and np.array_equal(train_Y, original["y"].T)
    assert np.array_equal(test_X, original["Xval"].T) and np.array_equal(test_Y, original["yval"].T)
    # the default location is datasets/data.mat
    monkeypatch.setattr(football, "DATA_FILE", path)
    assert football.data_source() == "data.mat"
    assert np.array_equal(load_2D_dataset()[0], original["X"].T)
    # without scipy the file cannot be read: the generated data are used, nothing is downloaded
    monkeypatch.setattr(football, "_scipy_loadmat", lambda: None)
    assert football.data_source() == "generated"
    assert np.array_equal(load_2D_dataset()[0], make_football_data()["X"].T)


def test_no_data_file_is_shipped():
    assert football.DATA_FILE.name == "data.mat" and football.DATA_FILE.parent.name == "datasets"
    assert football.data_source() == "generated"  # this repository carries no data.mat


# ============================================================================================
# (a) the references reproduce curriculum 6.5
# ============================================================================================

@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_checks_pass_on_reference(name):
    _, out = _quietly(getattr(public, f"check_{name}"), getattr(ref, name))
    assert "✓ All 1 public case(s)" in out and "✗" not in out


def test_curriculum_values():
    A3, Y, parameters = public.compute_cost_with_regularization_test_case()
    assert ref.compute_cost_with_regularization(A3, Y, parameters, 0.1) == \
        pytest.approx(1.78648594516, abs=5e-12)
    assert ref.compute_cost_with_regularization(A3, Y, parameters, 0.1) == \
        pytest.approx(1.7864859451590758, rel=1e-13)

    X, Y, cache = public.backward_propagation_with_regularization_test_case()
    grads = ref.backward_propagation_with_regularization(X, Y, cache, 0.7)
    assert set(grads) == set(public.GRADIENT_NAMES)
    np.testing.assert_allclose(grads["dW1"], [[-0.25604646, 0.12298827, -0.28297129],
                                              [-0.17706303, 0.34536094, -0.4410571]], atol=6e-9)
    np.testing.assert_allclose(grads["dW2"], [[0.79276486, 0.85133918], [-0.0957219, -0.01720463],
                                              [-0.13100772, -0.03750433]], atol=6e-9)
    np.testing.assert_allclose(grads["dW3"], [[-1.77691347, -0.11832879, -0.09397446]], atol=6e-9)

    X, parameters = public.forward_propagation_with_dropout_test_case()
    A3, cache = ref.forward_propagation_with_dropout(X, parameters, keep_prob=0.7)
    np.testing.assert_allclose(A3, [[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]],
                               atol=6e-9)
    assert cache[1].tolist() == [[1, 0, 1, 1, 1], [1, 1, 1, 1, 1]]
    assert cache[6].tolist() == [[1, 1, 1, 0, 1], [1, 1, 1, 1, 1], [0, 0, 1, 1, 0]]

    X, Y, cache = public.backward_propagation_with_dropout_test_case()
    grads = ref.backward_propagation_with_dropout(X, Y, cache, 0.8)
    np.testing.assert_allclose(grads["dA1"], [[0.36544439, 0., -0.00188233, 0., -0.17408748],
                                              [0.65515713, 0., -0.00337459, 0., -0.]], atol=6e-9)
    np.testing.assert_allclose(grads["dA2"], [[0.58180856, 0., -0.00299679, 0., -0.27715731],
                                              [0., 0.53159854, -0., 0.53159854, -0.34089673],
                                              [0., 0., -0.00292733, 0., -0.]], atol=6e-9)


def _no_rescale_forward(X, parameters, keep_prob=0.5):
    return ref._forward_dropout(rescale=None)(X, parameters, keep_prob)


@pytest.mark.parametrize("check, wrong, words", [
    ("check_compute_cost_with_regularization", ref._cost_with(lambda m, lambd: lambd / 2), "missing the 1/m"),
    ("check_compute_cost_with_regularization", ref._cost_with(lambda m, lambd: lambd / m), "missing the 1/2"),
    ("check_compute_cost_with_regularization", ref._cost_with(lambda m, lambd: 0.0), "plain cross-entropy"),
    ("check_backward_propagation_with_regularization", ref._backward_l2(lambda m, lambd: lambd),
     "missing the 1/m"),
    ("check_backward_propagation_with_regularization", ref._backward_l2(lambda m, lambd: lambd / (2 * m)),
     "not (lambd / 2m) * W"),
    ("check_forward_propagation_with_dropout", _no_rescale_forward, "forgot to rescale by keep_prob"),
    ("check_forward_propagation_with_dropout", ref._forward_dropout(output_layer=True),
     "dropout applied to the output layer"),
    ("check_forward_propagation_with_dropout", ref._forward_dropout(input_layer=True),
     "dropout applied to the input X"),
    ("check_forward_propagation_with_dropout", ref._forward_dropout(below=False), "reversed"),
    ("check_backward_propagation_with_dropout", ref._backward_dropout(scale=lambda kp: 1.0),
     "forgot to rescale by keep_prob"),
    ("check_backward_propagation_with_dropout", ref._backward_dropout(masks=(2,)), "dA1 is not masked"),
], ids=["cost-no-m", "cost-no-half", "cost-no-l2", "l2-no-m", "l2-half", "fwd-no-rescale",
        "fwd-output-layer", "fwd-input-layer", "fwd-reversed", "bwd-no-rescale", "bwd-dA1-unmasked"])
def test_public_checks_name_known_mistakes(check, wrong, words):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), pytest.raises(AssertionError):
        getattr(public, check)(wrong)
    assert words in buf.getvalue(), buf.getvalue()


# ============================================================================================
# (a) the headline table on the generated data
# ============================================================================================

#: what the notebook text and its conclusion table state: (train, test)
HEADLINE = {"none": (205 / 211, 0.93), "L2": (196 / 211, 0.96), "dropout": (199 / 211, 0.96)}


@pytest.fixture(scope="module")
def headline():
    """The notebook's three 30000-iteration runs (about 15 s together)."""
    train_X, train_Y, test_X, test_Y = load_2D_dataset()
    runs = {}
    for name, kwargs in (("none", {}), ("L2", dict(lambd=0.7, **L2_FUNCTIONS)),
                         ("dropout", dict(keep_prob=0.86, **DROPOUT_FUNCTIONS))):
        parameters, out = _quietly(given.model, train_X, train_Y, plot_cost=False, **kwargs)
        runs[name] = (given.accuracy(parameters, train_X, train_Y), given.accuracy(parameters, test_X, test_Y),
                      {int(i): float(c) for i, c in re.findall(r"Cost after iteration (\d+): (\S+)", out)})
    return runs


def test_unregularized_model_overfits(headline):
    train, test, costs = headline["none"]
    assert sorted(costs) == [0, 10000, 20000]
    assert costs[0] == pytest.approx(0.662396892702559, rel=1e-9)
    assert costs[20000] < costs[10000] < 0.2
    assert train - test >= 0.025, (train, test)  # clearly above: 97.2 % vs 93 %
    assert train == pytest.approx(HEADLINE["none"][0], abs=0.012)
    assert test == pytest.approx(HEADLINE["none"][1], abs=0.012)


@pytest.mark.parametrize("name", ["L2", "dropout"])
def test_both_regularizers_raise_the_test_accuracy(headline, name):
    plain_train, plain_test, _ = headline["none"]
    train, test, costs = headline[name]
    assert test >= plain_test + 0.015, (name, test, plain_test)  # 96 % vs 93 %
    assert train < plain_train  # the network no longer fits every training point
    assert train == pytest.approx(HEADLINE[name][0], abs=0.012)
    assert test == pytest.approx(HEADLINE[name][1], abs=0.012)
    first = {"L2": 0.7041040896675852, "dropout": 0.6578906501231793}[name]
    assert costs[0] == pytest.approx(first, rel=1e-9)


def test_notebook_states_the_measured_table():
    text = "\n".join(c.source for c in source_notebook(AID).cells if c.cell_type == "markdown")
    for row in ("without regularization | 97.2 % | 93 % |", "($\\lambda = 0.7$) | 92.9 % | 96 % |",
                "(keep_prob = 0.86) | 94.3 % | 96 % |"):
        assert row in text, row
    for number in ("0.9715639810426541", "0.9289099526066351", "0.943127962085308",
                   "1.78648595", "0.36974721", "-0.25604646", "0.58180856", "0.65515713"):
        assert number in text, number


def test_model_needs_the_students_functions_and_one_regularizer_at_a_time():
    X, Y = np.zeros((2, 4)), np.zeros((1, 4))
    with pytest.raises(TypeError, match="compute_cost_with_regularization"):
        given.model(X, Y, lambd=0.7, num_iterations=2, print_cost=False, plot_cost=False)
    with pytest.raises(TypeError, match="forward_propagation_with_dropout"):
        given.model(X, Y, keep_prob=0.8, num_iterations=2, print_cost=False, plot_cost=False)
    with pytest.raises(ValueError, match="not both"):
        given.model(X, Y, lambd=0.7, keep_prob=0.8, num_iterations=2, print_cost=False, plot_cost=False,
                    **L2_FUNCTIONS, **DROPOUT_FUNCTIONS)


def test_given_code_answers_no_graded_function():
    import inspect

    source = inspect.getsource(given)
    # a03/a04/a08 graded names: no general cost, update, initialization or L-layer pass here
    for name in FUNCTIONS + ["compute_cost", "update_parameters", "initialize_parameters",
                             "initialize_parameters_deep", "L_model_forward", "L_model_backward",
                             "linear_forward", "linear_backward", "linear_activation_forward",
                             "linear_activation_backward", "L_layer_model", "two_layer_model",
                             "update_parameters_with_gd"]:
        assert not hasattr(given, name), name
    # no mask is drawn and no weight is penalised in the given code
    assert "np.random.rand(" not in source and "np.square" not in source and "lambd / m" not in source
    assert "range(1, L" not in source and "len(parameters) //" not in source
    p = given._initial_parameters(2)
    rng = np.random.RandomState(3)
    np.testing.assert_array_equal(p["W1"], rng.randn(20, 2) / np.sqrt(2))
    np.testing.assert_array_equal(p["W2"], rng.randn(3, 20) / np.sqrt(20))


def test_model_remembers_runs_with_the_same_functions():
    X, Y = load_2D_dataset()[:2]
    kwargs = dict(num_iterations=50, print_cost=False, plot_cost=False, lambd=0.7)
    first = given.model(X, Y, **kwargs, **L2_FUNCTIONS)
    calls = []

    def counting_cost(*args):
        calls.append(1)
        return ref.compute_cost_with_regularization(*args)

    again = given.model(X, Y, **kwargs, **L2_FUNCTIONS)
    assert all(np.array_equal(first[k], again[k]) for k in first)
    given.model(X, Y, **kwargs, compute_cost_with_regularization=counting_cost,
                backward_propagation_with_regularization=ref.backward_propagation_with_regularization)
    assert calls  # a new function object trains again


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


def test_hidden_dropout_cases_vary_keep_prob_and_never_use_1():
    checks = load_checks(AID, SOLUTIONS)
    seen = set()
    for seed in range(6):
        for name in ("forward_propagation_with_dropout", "backward_propagation_with_dropout"):
            where = 2 if name.startswith("forward") else 3
            for case in checks[name].cases(np.random.default_rng(seed)):
                keep_prob = case.args[where] if len(case.args) > where else 0.5
                assert 0.5 <= keep_prob < 1
                seen.add(keep_prob)
    assert len(seen) > 10


def test_release_scores_zero(cells):
    released = release_cells(cells)
    assert sum(src.count("raise NotImplementedError()") for src in released) == 8  # 1 + 3 + 2 + 2 regions
    for src in released:
        compile(src, "<released cell>", "exec")
    reports = grade_notebook_code(load_checks(AID, SOLUTIONS), FUNCTIONS, released, seed=5)
    for name, report in reports.items():
        assert report.passed == 0 and "NotImplementedError" in report.text(), report.text()


_OUTPUT_MASK = ("    A3 = sigmoid(Z3)\n",
                "    A3 = sigmoid(Z3)\n    D3 = (np.random.rand(A3.shape[0], A3.shape[1]) < keep_prob).astype(int)\n"
                "    A3 = A3 * D3 / keep_prob\n")

# (function, [(old, new), ...], words expected in the report or None, passed must be 0)
MUTATIONS = [
    ("compute_cost_with_regularization", [("(1 / m) * (lambd / 2)", "(lambd / 2)")],
     "L2 term missing the 1/m", False),
    ("compute_cost_with_regularization", [("(1 / m) * (lambd / 2)", "(1 / m) * lambd")],
     "L2 term missing the lambda/2", False),
    ("compute_cost_with_regularization", [("np.sum(np.square(W3))", "0")], "W3 is left out", False),
    ("compute_cost_with_regularization", [("np.sum(np.square(W1))", "np.sum(W1)"),
                                          ("np.sum(np.square(W2))", "np.sum(W2)"),
                                          ("np.sum(np.square(W3))", "np.sum(W3)")], "squared", False),
    ("compute_cost_with_regularization", [("cost = cross_entropy_cost + L2_regularization_cost",
                                           "cost = L2_regularization_cost")], "only the L2 term", False),
    ("backward_propagation_with_regularization", [("(lambd / m) * W3", "lambd * W3"),
                                                  ("(lambd / m) * W2", "lambd * W2"),
                                                  ("(lambd / m) * W1", "lambd * W1")], "missing the 1/m", False),
    ("backward_propagation_with_regularization", [("(lambd / m) * W3", "(lambd / (2 * m)) * W3"),
                                                  ("(lambd / m) * W2", "(lambd / (2 * m)) * W2"),
                                                  ("(lambd / m) * W1", "(lambd / (2 * m)) * W1")],
     "not (lambd / 2m) * W", False),
    ("backward_propagation_with_regularization", [(" + (lambd / m) * W1", "")], "dW1 has no L2 term", False),
    ("backward_propagation_with_regularization", [(" + (lambd / m) * W3", "")], None, False),
    ("forward_propagation_with_dropout", [("    A1 = A1 / keep_prob\n", ""), ("    A2 = A2 / keep_prob\n", "")],
     "forgot to rescale by keep_prob", True),
    ("forward_propagation_with_dropout", [_OUTPUT_MASK], "dropout applied to the output layer", True),
    ("forward_propagation_with_dropout", [("(D1 < keep_prob)", "(D1 > keep_prob)"),
                                          ("(D2 < keep_prob)", "(D2 > keep_prob)")], "reversed", False),
    ("forward_propagation_with_dropout", [("A1 = A1 / keep_prob", "A1 = A1 * keep_prob"),
                                          ("A2 = A2 / keep_prob", "A2 = A2 * keep_prob")],
     "multiplied by keep_prob", False),
    ("forward_propagation_with_dropout", [("    A2 = A2 * D2\n    A2 = A2 / keep_prob\n", "")],
     "only A1 gets a mask", False),
    ("backward_propagation_with_dropout", [("    dA2 = dA2 / keep_prob\n", ""), ("    dA1 = dA1 / keep_prob\n", "")],
     "forgot to rescale by keep_prob", True),
    ("backward_propagation_with_dropout", [("    dA1 = dA1 * D1\n", "")], "dA1 is not masked", False),
    ("backward_propagation_with_dropout", [("dA2 = dA2 * D2", "dA2 = dA2 * D1")], "wrong shape", False),
]


@pytest.mark.parametrize("function, edits, words, earns_nothing", MUTATIONS,
                         ids=[f"{f}-{i}" for i, (f, *_) in enumerate(MUTATIONS)])
def test_mutation_is_caught(cells, function, edits, words, earns_nothing):
    mutated = cells
    for old, new in edits:
        mutated = mutate(mutated, function, old, new)
    report = hidden_report(AID, function, mutated, seed=31)
    assert report.passed < report.total, report.text()
    if earns_nothing:
        assert report.passed == 0, report.text()
    if words:
        assert words in report.text(), report.text()


@pytest.mark.parametrize("seed", [1, 7, 99])
def test_dropout_that_forgets_the_rescaling_or_masks_the_output_earns_nothing(cells, seed):
    for function, edits in [("forward_propagation_with_dropout", [("    A1 = A1 / keep_prob\n", ""),
                                                                  ("    A2 = A2 / keep_prob\n", "")]),
                            ("forward_propagation_with_dropout", [_OUTPUT_MASK]),
                            ("backward_propagation_with_dropout", [("    dA2 = dA2 / keep_prob\n", ""),
                                                                   ("    dA1 = dA1 / keep_prob\n", "")])]:
        mutated = cells
        for old, new in edits:
            mutated = mutate(mutated, function, old, new)
        report = hidden_report(AID, function, mutated, seed=seed)
        assert report.passed == 0, report.text()


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
    """The common layout is checked in tests/test_notebooks.py; here the setup cell of a06."""
    setup = source_notebook(AID).cells[2].source
    assert "from dlcourse.autograder.kernel import grade" in setup
    assert 'warnings.filterwarnings("ignore")' in setup


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
    calls: list[str] = []

    def counted(fn):
        def wrapper(*args, **kwargs):
            calls.append(fn.__name__)
            return fn(*args, **kwargs)
        wrapper.__name__ = fn.__name__
        return wrapper

    mine = {name: counted(fn) for name, fn in {**L2_FUNCTIONS, **DROPOUT_FUNCTIONS}.items()}
    box = given.regularization_explorer(*(mine[n] for n in FUNCTIONS), iterations=2000)
    assert isinstance(box, widgets.VBox)
    controls = box.controls
    assert list(controls["regularization"].options) == ["none", "L2", "dropout"]
    assert controls["regularization"].value == "L2"
    assert controls["lambda"].value == 0.7 and controls["keep_prob"].value == 0.86
    assert controls["iterations"].max == 30000
    assert not controls["lambda"].disabled and controls["keep_prob"].disabled

    def walk(w):
        yield w
        for child in getattr(w, "children", ()):
            yield from walk(child)
    inside = list(walk(box))
    assert all(any(c is w for w in inside) for c in controls.values())

    first, image = _line(box), _png(box)
    assert re.fullmatch(r"L2, lambda = 0\.7: train accuracy \d+\.\d\d %, test accuracy \d+\.\d\d % "
                        r"\(2000 iterations; no regularization: \d+\.\d\d % / \d+\.\d\d %\)", first), first
    assert set(calls) == {"compute_cost_with_regularization", "backward_propagation_with_regularization"}

    calls.clear()
    controls["regularization"].value = "dropout"
    dropout = _line(box)
    assert dropout.startswith("dropout, keep_prob = 0.86: ") and _png(box) != image
    assert set(calls) == {"forward_propagation_with_dropout", "backward_propagation_with_dropout"}
    assert controls["lambda"].disabled and not controls["keep_prob"].disabled

    controls["keep_prob"].value = 0.6
    assert _line(box).startswith("dropout, keep_prob = 0.6: ")
    controls["regularization"].value = "none"
    assert _line(box).startswith("no regularization: ") and "; no regularization" not in _line(box)
    calls.clear()
    controls["regularization"].value = "L2"  # seen before: from the cache
    assert _line(box) == first and not calls


def test_explorer_shows_student_errors():
    import matplotlib

    matplotlib.use("Agg")

    def not_done(*args, **kwargs):
        raise NotImplementedError()

    box = given.regularization_explorer(not_done, not_done, not_done, not_done, iterations=1000)
    assert "NotImplementedError" in box.output.outputs[0]["text"]
    box.controls["regularization"].value = "dropout"
    assert "NotImplementedError" in box.output.outputs[0]["text"]
