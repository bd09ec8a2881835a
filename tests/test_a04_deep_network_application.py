"""a04 deep network application: the references reproduce the curriculum, the provided building
blocks follow the formulas, the hidden checks catch realistic bugs, and the helpers work.

(a) the notebook: layout, the building-block cell (same numbers as the reference's copy,
    curriculum 3.4 values, a numerical gradient check), no a03 answer in the installed package;
(b) the public checks pass on the reference and print what the notebook text shows;
(c) on the original cat files (skipped when absent): cost traces, accuracies and the
    misclassified test pictures of curriculum 4.4 -- both models trained once, in one fixture;
(d) hidden checks: the solution passes, a release-like notebook scores 0, injected bugs are
    caught with a message naming them, the simulated partial student loses points;
(e) the helpers of ``dlcourse.utils.deep_application``: cost recording, pictures, widgets.
"""
from __future__ import annotations

import contextlib
import datetime
import io
import re

import nbformat
import numpy as np
import pytest

from dlcourse.autograder.hidden import grade_notebook_code, load_checks, worker_cells
from dlcourse.datasets import cat as cat_data
from dlcourse.utils import deep_application as app
from dlcourse.utils.checks import a04_deep_network_application as public
from tests.support import (OFFICIAL, ROOT, SOLUTIONS, hidden_report, mutate, reference_module,
                           solution_cells, source_notebook, release_cells)

AID = "a04_deep_network_application"
FUNCTIONS = ["two_layer_model", "L_layer_model"]
POINTS = {"two_layer_model": 2, "L_layer_model": 3}
#: the a03 answers that only the a04 release (never the installed package) may define
A03_ANSWERS = ["initialize_parameters_deep", "linear_forward", "linear_activation_forward",
               "L_model_forward", "linear_backward", "linear_activation_backward",
               "L_model_backward"]
HAVE_OFFICIAL = (OFFICIAL / cat_data.TRAIN_FILE).is_file() and (OFFICIAL / cat_data.TEST_FILE).is_file()

ref = reference_module(AID)


def _quietly(fn, *args, **kwargs):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), np.errstate(all="ignore"):
        value = fn(*args, **kwargs)
    return value, buf.getvalue()


def _cell(grade_id: str) -> nbformat.NotebookNode:
    return next(c for c in source_notebook(AID).cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.fixture(scope="module")
def blocks() -> dict:
    """The namespace of the notebook's setup cells (what the grading worker runs first)."""
    namespace: dict = {}
    for src in worker_cells(source_notebook(AID))[:2]:
        exec(compile(src, "<setup>", "exec"), namespace)
    assert "L_model_backward" in namespace and "grade" in namespace
    return namespace


# ============================================================================================
# (a) the notebook and its building blocks
# ============================================================================================

def test_notebook_specifics():
    """The common layout is checked in tests/test_notebooks.py; here what is special to a04."""
    ids = [c.metadata.nbgrader.grade_id for c in source_notebook(AID).cells]
    assert ids[3:5] == ["md_building_blocks", "setup_building_blocks"]
    # the ungraded training runs shrink under grading
    for gid in ("train_two", "train_four"):
        assert "budget(2500, 10)" in _cell(gid).source
    for gid in ("upload", "explorer"):
        assert "is_grading()" in _cell(gid).source


def test_release_may_carry_a03_answers_and_says_so():
    assert ref.RELEASE_CONTAINS_ANSWERS_OF == ["a03_deep_network_step_by_step"]
    from dlcourse.autograder.audit import may_contain_answers_of
    assert may_contain_answers_of(AID, SOLUTIONS) == {"a03_deep_network_step_by_step"}


def test_no_a03_answer_in_the_installed_package():
    """The building blocks are a03's answers: students install utils/, datasets/ and
    autograder/ on day one, so none of them may define one (only the a04 release does)."""
    pattern = re.compile(r"^\s*def (" + "|".join(A03_ANSWERS) + r")\s*\(", re.M)
    found = []
    for folder in ("utils", "datasets", "autograder"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for match in pattern.finditer(path.read_text(encoding="utf-8")):
                found.append(f"{path.relative_to(ROOT)}: def {match.group(1)}")
    assert not found, found


def test_building_block_cell_defines_everything_and_only_imports_activations():
    src = _cell("setup_building_blocks").source
    for name in ref.BUILDING_BLOCKS:
        assert re.search(rf"^def {name}\(", src, re.M), name
    imports = [line for line in src.splitlines() if line.startswith(("import", "from"))]
    assert imports == ["from dlcourse.utils.deep_network import relu, relu_backward, sigmoid, "
                       "sigmoid_backward"]


def _random_network(rng, dims):
    return {k: v for l in range(1, len(dims)) for k, v in
            ((f"W{l}", rng.normal(size=(dims[l], dims[l - 1]))),
             (f"b{l}", rng.normal(size=(dims[l], 1))))}


def test_building_block_cell_computes_what_the_reference_computes(blocks):
    rng = np.random.default_rng(7)
    for dims in ([5, 4, 1], [3, 6, 2, 4, 1], [7, 1]):
        m = int(rng.integers(1, 12))
        X = rng.random((dims[0], m))
        Y = (rng.random((1, m)) > 0.5).astype(np.int64)
        parameters = _random_network(rng, dims)
        for name in ("initialize_parameters_deep",):
            a, b = blocks[name](dims), getattr(ref, name)(dims)
            assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
        if len(dims) == 3:
            a, b = blocks["initialize_parameters"](*dims), ref.initialize_parameters(*dims)
            assert all(np.array_equal(a[k], b[k]) for k in a)
        AL, caches = blocks["L_model_forward"](X, parameters)
        AL_ref, _ = ref.L_model_forward(X, parameters)
        assert np.array_equal(AL, AL_ref)
        assert blocks["compute_cost"](AL, Y) == ref.compute_cost(AL, Y)
        g, g_ref = blocks["L_model_backward"](AL, Y, caches), ref.L_model_backward(AL, Y, caches)
        assert g.keys() == g_ref.keys() and all(np.array_equal(g[k], g_ref[k]) for k in g)
        new, new_ref = (f(parameters, g, 0.1) for f in (blocks["update_parameters"],
                                                        ref.update_parameters))
        assert all(np.array_equal(new[k], new_ref[k]) for k in new)
        p, out = _quietly(blocks["predict"], X, Y, parameters)
        p_ref, out_ref = _quietly(ref.predict, X, Y, parameters)
        assert np.array_equal(p, p_ref) and out == out_ref and out.startswith("Accuracy: ")
    # and the models, trained with either copy, end at the same parameters
    X, Y = public.model_test_case()
    for name, dims in (("two_layer_model", (4, 3, 1)), ("L_layer_model", [4, 5, 2, 1])):
        namespace = dict(blocks)
        exec(compile(_cell(name).source, name, "exec"), namespace)
        a, _ = _quietly(namespace[name], X, Y, dims, learning_rate=0.2, num_iterations=57)
        b, _ = _quietly(getattr(ref, name), X, Y, dims, learning_rate=0.2, num_iterations=57)
        assert all(np.array_equal(a[k], b[k]) for k in b)


def test_building_blocks_reproduce_curriculum_step_by_step_values(blocks):
    """Curriculum 3.4 (the application's initialize_parameters_deep differs: seed 1, 1/sqrt)."""
    p = blocks["initialize_parameters"](3, 2, 1)
    np.testing.assert_allclose(p["W1"], [[0.01624345, -0.00611756, -0.00528172],
                                         [-0.01072969, 0.00865408, -0.02301539]], atol=6e-9)
    np.testing.assert_allclose(p["W2"], [[0.01744812, -0.00761207]], atol=6e-9)
    assert not p["b1"].any() and p["b1"].shape == (2, 1) and p["b2"].shape == (1, 1)

    rs = np.random.RandomState(1)
    A, W, b = rs.randn(3, 2), rs.randn(1, 3), rs.randn(1, 1)
    np.testing.assert_allclose(blocks["linear_forward"](A, W, b)[0], [[3.26295337, -1.23429987]],
                               atol=6e-9)
    rs = np.random.RandomState(2)
    A, W, b = rs.randn(3, 2), rs.randn(1, 3), rs.randn(1, 1)
    np.testing.assert_allclose(blocks["linear_activation_forward"](A, W, b, "sigmoid")[0],
                               [[0.96890023, 0.11013289]], atol=6e-9)
    np.testing.assert_allclose(blocks["linear_activation_forward"](A, W, b, "relu")[0],
                               [[3.43896131, 0.0]], atol=6e-9)

    rs = np.random.RandomState(6)
    X = rs.randn(5, 4)
    parameters = {"W1": rs.randn(4, 5), "b1": rs.randn(4, 1), "W2": rs.randn(3, 4),
                  "b2": rs.randn(3, 1), "W3": rs.randn(1, 3), "b3": rs.randn(1, 1)}
    AL, caches = blocks["L_model_forward"](X, parameters)
    np.testing.assert_allclose(AL, [[0.03921668, 0.70498921, 0.19734387, 0.04728177]], atol=6e-9)
    assert len(caches) == 3

    assert blocks["compute_cost"](np.array([[0.8, 0.9, 0.4]]), np.array([[1, 1, 0]])) == \
        pytest.approx(0.2797765635793422, rel=1e-12)

    rs = np.random.RandomState(1)
    dZ, A, W, b = rs.randn(3, 4), rs.randn(5, 4), rs.randn(3, 5), rs.randn(3, 1)
    dA_prev, dW, db = blocks["linear_backward"](dZ, (A, W, b))
    np.testing.assert_allclose(db, [[-0.14713786], [-0.11313155], [-0.13209101]], atol=6e-9)
    np.testing.assert_allclose(dW[0], [0.07313866, -0.0976715, -0.87585828, 0.73763362, 0.00785716],
                               atol=6e-9)
    np.testing.assert_allclose(dA_prev[0], [-1.15171336, 0.06718465, -0.3204696, 2.09812712],
                               atol=6e-9)

    rs = np.random.RandomState(2)
    dA, A, W, b, Z = rs.randn(1, 2), rs.randn(3, 2), rs.randn(1, 3), rs.randn(1, 1), rs.randn(1, 2)
    dA_prev, dW, db = blocks["linear_activation_backward"](dA, ((A, W, b), Z), "relu")
    np.testing.assert_allclose(dW, [[0.44513824, 0.37371418, -0.10478989]], atol=6e-9)
    np.testing.assert_allclose(db, [[-0.20837892]], atol=6e-9)
    dA_prev, dW, db = blocks["linear_activation_backward"](dA, ((A, W, b), Z), "sigmoid")
    np.testing.assert_allclose(dW, [[0.10266786, 0.09778551, -0.01968084]], atol=6e-9)
    np.testing.assert_allclose(db, [[-0.05729622]], atol=6e-9)

    rs = np.random.RandomState(3)
    AL, Y = rs.randn(1, 2), np.array([[1, 0]])
    A1, W1, b1, Z1 = rs.randn(4, 2), rs.randn(3, 4), rs.randn(3, 1), rs.randn(3, 2)
    A2, W2, b2, Z2 = rs.randn(3, 2), rs.randn(1, 3), rs.randn(1, 1), rs.randn(1, 2)
    grads = blocks["L_model_backward"](AL, Y, (((A1, W1, b1), Z1), ((A2, W2, b2), Z2)))
    np.testing.assert_allclose(grads["dW1"], [[0.41010002, 0.07807203, 0.13798444, 0.10502167],
                                              [0.0, 0.0, 0.0, 0.0],
                                              [0.05283652, 0.01005865, 0.01777766, 0.0135308]],
                               atol=6e-9)
    np.testing.assert_allclose(grads["db1"], [[-0.22007063], [0.0], [-0.02835349]], atol=6e-9)
    np.testing.assert_allclose(grads["dA1"], [[0.12913162, -0.44014127], [-0.14175655, 0.48317296],
                                              [0.01663708, -0.05670698]], atol=6e-9)
    np.testing.assert_allclose(grads["dW2"], [[-0.39202432, -0.13325855, -0.04601089]], atol=6e-9)
    assert "dA0" not in grads  # skipped on purpose: no parameter needs it

    rs = np.random.RandomState(2)
    parameters = {"W1": rs.randn(3, 4), "b1": rs.randn(3, 1), "W2": rs.randn(1, 3), "b2": rs.randn(1, 1)}
    rs = np.random.RandomState(3)
    grads = {"dW1": rs.randn(3, 4), "db1": rs.randn(3, 1), "dW2": rs.randn(1, 3), "db2": rs.randn(1, 1)}
    before = {k: v.copy() for k, v in parameters.items()}
    new = blocks["update_parameters"](parameters, grads, 0.1)
    np.testing.assert_allclose(new["W2"], [[-0.55569196, 0.0354055, 1.32964895]], atol=6e-9)
    np.testing.assert_allclose(new["b1"], [[-0.04659241], [-1.28888275], [0.53405496]], atol=6e-9)
    np.testing.assert_allclose(new["b2"], [[-0.84610769]], atol=6e-9)
    assert all(np.array_equal(parameters[k], before[k]) for k in before)  # a new dict


def test_building_blocks_pass_a_numerical_gradient_check(blocks):
    """L_model_backward's dW, db equal centred differences of compute_cost(L_model_forward(...))."""
    rng = np.random.default_rng(3)
    dims, m = [4, 5, 3, 1], 7
    X = rng.normal(size=(dims[0], m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    parameters = _random_network(rng, dims)
    AL, caches = blocks["L_model_forward"](X, parameters)
    grads = blocks["L_model_backward"](AL, Y, caches)

    def cost(p):
        return blocks["compute_cost"](blocks["L_model_forward"](X, p)[0], Y)

    eps = 1e-6
    for name, value in parameters.items():
        numeric = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in parameters.items()}
            minus = {k: v.copy() for k, v in parameters.items()}
            plus[name][idx] += eps
            minus[name][idx] -= eps
            numeric[idx] = (cost(plus) - cost(minus)) / (2 * eps)
        np.testing.assert_allclose(grads["d" + name], numeric, rtol=1e-5, atol=1e-8, err_msg=name)
    # dA1 of the first hidden layer: perturb A1 and run the rest of the network
    A1 = caches[1][0][0]
    rest = {"W1": parameters["W2"], "b1": parameters["b2"], "W2": parameters["W3"], "b2": parameters["b3"]}
    numeric = np.zeros_like(A1)
    for idx in np.ndindex(A1.shape):
        plus, minus = A1.copy(), A1.copy()
        plus[idx] += eps
        minus[idx] -= eps
        numeric[idx] = (blocks["compute_cost"](blocks["L_model_forward"](plus, rest)[0], Y) -
                        blocks["compute_cost"](blocks["L_model_forward"](minus, rest)[0], Y)) / (2 * eps)
    # the course's dA carries no 1/m (it enters with dW and db): dA1 = m * dJ/dA1
    np.testing.assert_allclose(grads["dA1"] / m, numeric, rtol=1e-5, atol=1e-8)


# ============================================================================================
# (b) public checks
# ============================================================================================

@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_checks_pass_on_reference_and_print_what_the_notebook_shows(name):
    _, out = _quietly(getattr(public, f"check_{name}"), getattr(ref, name))
    assert f"✓ All 1 public case(s) of {name} passed." in out
    text = _cell(f"md_{'two_layer' if name == 'two_layer_model' else 'L_layer'}").source
    shown = re.search(r"```\n(.*?)```", text, re.S).group(1).splitlines()
    printed = [re.sub(r"\s+expected .*$", "", line) for line in out.splitlines()]
    for line in shown:
        assert line in printed, (line, printed)


def test_public_checks_name_known_mistakes():
    X, Y = public.model_test_case()

    def forgets_update(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
        return ref.initialize_parameters_deep(layers_dims)

    with pytest.raises(AssertionError, match="never assigned back"):
        _quietly(public.check_L_layer_model, forgets_update)
    with pytest.raises(AssertionError, match="initialize_parameters_deep"):
        _quietly(public.check_two_layer_model, ref._TWO_LAYER_DIAGNOSES[3][0])
    with pytest.raises(AssertionError, match="uphill"):
        _quietly(public.check_L_layer_model, ref._L_LAYER_DIAGNOSES[3][0])

    def returns_costs_too(*args, **kwargs):  # later course versions return (parameters, costs)
        return ref.L_layer_model(*args, **kwargs), [0.7]

    _, out = _quietly(public.check_L_layer_model, returns_costs_too)
    assert "passed" in out


# ============================================================================================
# (c) the original cat files: curriculum 4.4 (both models trained once)
# ============================================================================================

# Curriculum 4.4, STUDENT trace of the 2-layer model (full precision) and of the 4-layer (%f).
TRACE_2 = [0.6930497356599888, 0.6464320953428849, 0.6325140647912677, 0.6015024920354665,
           0.5601966311605747, 0.5158304772764729, 0.47549013139433255, 0.43391631512257495,
           0.400797753620389, 0.3580705011323798, 0.3394281538366411, 0.3052753636196264,
           0.2749137728213018, 0.24681768210614854, 0.19850735037466094, 0.17448318112556666,
           0.17080762978096128, 0.11306524562164724, 0.09629426845937152, 0.08342617959726856,
           0.07439078704319078, 0.06630748132267927, 0.05919329501038164, 0.05336140348560553,
           0.048554785628770115]
TRACE_4 = [0.771749, 0.672053, 0.648263, 0.611507, 0.567047, 0.540138, 0.527930, 0.465477,
           0.369126, 0.391747, 0.315187, 0.272700, 0.237419, 0.199601, 0.189263, 0.161189,
           0.148214, 0.137775, 0.129740, 0.121225, 0.113821, 0.107839, 0.102855, 0.100897,
           0.092878]
WRONG_4 = [5, 11, 13, 19, 28, 29, 34, 38, 44, 45]


@pytest.fixture(scope="module")
def official_runs():
    """Both models trained once on the original files, 2500 iterations, as the notebook does."""
    if not HAVE_OFFICIAL:
        pytest.skip(f"the original cat files are not in {OFFICIAL} (tests only)")
    from threadpoolctl import threadpool_limits

    data = cat_data.load_cat_dataset(OFFICIAL)
    assert data.source == "official"
    train_x_orig, train_y, test_x_orig, test_y, _ = data
    # as the notebook's flatten cell: (12288, m), stored row by row, scaled to [0, 1]
    train_x = np.ascontiguousarray(train_x_orig.reshape(train_x_orig.shape[0], -1).T) / 255.0
    test_x = np.ascontiguousarray(test_x_orig.reshape(test_x_orig.shape[0], -1).T) / 255.0
    runs = {}
    with threadpool_limits(limits=1, user_api="blas"):
        for name, dims in (("two_layer_model", (12288, 7, 1)),
                           ("L_layer_model", [12288, 20, 7, 5, 1])):
            parameters, costs, _ = app.train_and_record(getattr(ref, name), train_x, train_y, dims,
                                                        num_iterations=2500)
            (p_train, out_train), (p_test, out_test) = (
                _quietly(ref.predict, x, y, parameters) for x, y in ((train_x, train_y),
                                                                     (test_x, test_y)))
            runs[name] = {"costs": costs, "p_train": p_train, "p_test": p_test,
                          "out": out_train + out_test, "train_y": train_y, "test_y": test_y}
    return runs


@pytest.mark.skipif(not HAVE_OFFICIAL, reason=f"the original cat files are not in {OFFICIAL} (tests only)")
def test_official_two_layer_model_reproduces_the_curriculum(official_runs):
    run = official_runs["two_layer_model"]
    assert len(run["costs"]) == 2500
    # "RECOMPUTED agrees to ~1e-15; last digits depend on BLAS"
    np.testing.assert_allclose(run["costs"][::100], TRACE_2, rtol=1e-9, atol=0)
    assert app.accuracy(run["p_train"], run["train_y"]) == 100.0
    assert app.accuracy(run["p_test"], run["test_y"]) == 72.0
    train_line, test_line = run["out"].splitlines()
    assert float(train_line.split(": ")[1]) == pytest.approx(1.0, abs=1e-12)
    assert float(test_line.split(": ")[1]) == pytest.approx(0.72, abs=1e-12)


@pytest.mark.skipif(not HAVE_OFFICIAL, reason=f"the original cat files are not in {OFFICIAL} (tests only)")
def test_official_L_layer_model_reproduces_the_curriculum(official_runs):
    run = official_runs["L_layer_model"]
    np.testing.assert_allclose(run["costs"][::100], TRACE_4, rtol=0, atol=5.1e-7)
    train_line, test_line = run["out"].splitlines()
    assert float(train_line.split(": ")[1]) == pytest.approx(0.985645933014, abs=1e-12)
    assert float(test_line.split(": ")[1]) == pytest.approx(0.8, abs=1e-12)
    wrong = np.flatnonzero(run["p_test"].reshape(-1) != run["test_y"].reshape(-1)).tolist()
    assert wrong == WRONG_4


@pytest.mark.skipif(not HAVE_OFFICIAL, reason=f"the original cat files are not in {OFFICIAL} (tests only)")
def test_official_print_cost_lines(official_runs):
    """The first lines the notebook prints with print_cost=True (10 iterations are enough)."""
    data = cat_data.load_cat_dataset(OFFICIAL)
    x = data[0].reshape(209, -1).T / 255.0
    _, out2 = _quietly(ref.two_layer_model, x, data[1], (12288, 7, 1), num_iterations=1,
                       print_cost=True)
    _, out4 = _quietly(ref.L_layer_model, x, data[1], [12288, 20, 7, 5, 1], num_iterations=1,
                       print_cost=True)
    assert out2 == "Cost after iteration 0: 0.6930497356599888\n" or \
        out2.startswith("Cost after iteration 0: 0.69304973565998")
    assert out4 == "Cost after iteration 0: 0.771749\n"


# ============================================================================================
# (d) hidden checks and mutations
# ============================================================================================

@pytest.fixture(scope="module")
def cells():
    return solution_cells(AID)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_solution_cells_pass_every_hidden_case(cells, seed):
    reports = grade_notebook_code(load_checks(AID, SOLUTIONS), FUNCTIONS, cells, seed=seed)
    for name in FUNCTIONS:
        assert reports[name].total == 5, reports[name].text()
        assert reports[name].passed == reports[name].total, reports[name].text()


def test_hidden_cases_are_small_new_every_run_and_cover_the_brief():
    checks = load_checks(AID, SOLUTIONS)
    seen = set()
    for seed in range(12):
        for name in FUNCTIONS:
            cases = checks[name].cases(np.random.default_rng(seed))
            for case in cases:
                X, Y, dims = case.args
                assert 3 <= X.shape[0] <= 20 and 5 <= X.shape[1] <= 40
                assert Y.shape == (1, X.shape[1]) and set(np.unique(Y)) == {0, 1}
                assert dims[0] == X.shape[0] and dims[-1] == 1
                assert 5 <= case.kwargs["num_iterations"] <= 60
                if name == "L_layer_model":
                    assert 1 <= len(dims) - 2 <= 4
                seen.add((name, X.shape, tuple(dims), round(case.kwargs.get("learning_rate", 0), 6)))
            depths = {len(c.args[2]) - 2 for c in cases}
            if name == "L_layer_model":
                assert {1, 2, 3, 4} <= depths
            assert any("learning_rate" not in c.kwargs for c in cases)  # the default is tested
    assert len(seen) > 100


def test_every_diagnosis_differs_from_the_reference():
    """A diagnosis that returned the reference's numbers would blame correct code."""
    checks = load_checks(AID, SOLUTIONS)
    for name in FUNCTIONS:
        check = checks[name]
        for case in check.cases(np.random.default_rng(5)):
            expected, _ = _quietly(check.reference, *case.args, **case.kwargs)
            for wrong, message in check.diagnoses:
                if "learning_rate is ignored" in message and "learning_rate" not in case.kwargs:
                    continue  # with the default rate, ignoring the argument changes nothing
                value, _ = _quietly(wrong, *case.args, **case.kwargs)
                same = all(np.allclose(value[k], expected[k], rtol=check.rtol, atol=check.atol)
                           for k in expected) if value.keys() == expected.keys() else False
                assert not same, (name, message, case.label)


def test_release_like_notebook_scores_zero(cells):
    reports = grade_notebook_code(load_checks(AID, SOLUTIONS), FUNCTIONS, release_cells(cells), seed=5)
    for name in FUNCTIONS:
        assert reports[name].passed == 0, reports[name].text()
        assert "NotImplementedError" in reports[name].text()


# (function, [(old, new), ...], text expected in the report or None)
MUTATIONS = [
    ("two_layer_model", [("parameters = update_parameters(parameters, grads, learning_rate)",
                          "update_parameters(parameters, grads, learning_rate)")], "never change"),
    ("two_layer_model", [("dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))",
                          "dA2 = np.divide(Y, A2) - np.divide(1 - Y, 1 - A2)")], "wrong sign"),
    ("two_layer_model", [('linear_activation_forward(X, W1, b1, "relu")',
                          'linear_activation_forward(X, W1, b1, "sigmoid")'),
                         ('linear_activation_backward(dA1, cache1, "relu")',
                          'linear_activation_backward(dA1, cache1, "sigmoid")')], "hidden layer uses sigmoid"),
    ("two_layer_model", [("parameters = initialize_parameters(n_x, n_h, n_y)",
                          "parameters = initialize_parameters_deep([n_x, n_h, n_y])")],
     "initialize_parameters_deep"),
    ("two_layer_model", [("for i in range(num_iterations):", "for i in range(num_iterations + 1):")],
     "one iteration too many"),
    ("two_layer_model", [("parameters = update_parameters(parameters, grads, learning_rate)",
                          "parameters = update_parameters(parameters, grads, 0.0075)")],
     "learning_rate is ignored"),
    ("two_layer_model", [('grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}',
                          'grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "b2": db2}')], "keys of grads"),
    ("two_layer_model", [('W1, b1 = parameters["W1"], parameters["b1"]',
                          'W1, b1 = parameters["W1"], parameters["b1"]\n        b1 = np.zeros_like(b1)')],
     None),
    ("L_layer_model", [("parameters = update_parameters(parameters, grads, learning_rate)",
                        "update_parameters(parameters, grads, learning_rate)")], "never change"),
    ("L_layer_model", [("for i in range(num_iterations):", "for i in range(1, num_iterations):")],
     "one iteration too few"),
    ("L_layer_model", [("parameters = update_parameters(parameters, grads, learning_rate)",
                        "parameters = update_parameters(parameters, grads, 0.0075)")],
     "learning_rate is ignored"),
    ("L_layer_model", [("parameters = initialize_parameters_deep(layers_dims)",
                        "parameters = {}\n"
                        "    for l in range(1, len(layers_dims)):\n"
                        "        parameters['W' + str(l)] = np.random.randn(layers_dims[l], "
                        "layers_dims[l - 1]) * 0.01\n"
                        "        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))")],
     "scaled by 0.01"),
    ("L_layer_model", [("grads = L_model_backward(AL, Y, caches)",
                        "grads = L_model_backward(AL, Y, caches)\n"
                        "        grads = {k: -v for k, v in grads.items()}")], "uphill"),
    ("L_layer_model", [("grads = L_model_backward(AL, Y, caches)",
                        "grads = L_model_backward(Y, AL, caches)")], None),
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


def test_every_function_has_two_mutations_with_named_mistakes():
    counts = {name: sum(f == name and m is not None for f, _, m in MUTATIONS) for name in FUNCTIONS}
    assert min(counts.values()) >= 2, counts


def test_simulated_partial_student_earns_part_of_the_points(cells):
    """The demo's partial student: the 2-layer model has a sign slip, the L-layer model is right."""
    from dlcourse.autograder.simulate import _solution_sources

    answers = _solution_sources(source_notebook(AID))
    assert {f for f, _, _ in ref.SIMULATED_MISTAKES} == {"two_layer_model"}
    mutated = cells
    for function, old, new in ref.SIMULATED_MISTAKES:
        assert old in answers[function]
        mutated = mutate(mutated, function, old, new)
    reports = grade_notebook_code(load_checks(AID, SOLUTIONS), FUNCTIONS, mutated, seed=3)
    assert "wrong sign" in reports["two_layer_model"].text()
    assert reports["two_layer_model"].passed == 0, reports["two_layer_model"].text()
    assert reports["L_layer_model"].passed == reports["L_layer_model"].total


def test_hidden_report_shows_no_reference_value(cells):
    mutated = mutate(cells, "L_layer_model", "for i in range(num_iterations):",
                     "for i in range(num_iterations + 1):")
    report = hidden_report(AID, "L_layer_model", mutated, seed=4)
    assert "expected" not in report.text().replace("expected value", "")
    assert not re.search(r"got -?\d\.\d+, expected", report.text())


# ============================================================================================
# (e) helpers of dlcourse.utils.deep_application
# ============================================================================================

def _tiny(seed=0, n_x=6, m=20):
    rng = np.random.default_rng(seed)
    X = rng.random((n_x, m))
    Y = (X[:1] + X[1:2] > 1).astype(np.int64)
    return X, Y


def test_train_and_record_records_every_cost_and_restores_compute_cost(blocks):
    namespace = dict(blocks)
    exec(compile(_cell("L_layer_model").source, "L_layer_model", "exec"), namespace)
    model = namespace["L_layer_model"]
    X, Y = _tiny()
    parameters, costs, seconds = app.train_and_record(model, X, Y, [6, 3, 1], num_iterations=37,
                                                      learning_rate=0.1)
    assert len(costs) == 37 and seconds >= 0 and np.all(np.diff(costs[:5]) < 0)
    assert namespace["compute_cost"] is blocks["compute_cost"]  # restored
    again, _ = _quietly(model, X, Y, [6, 3, 1], num_iterations=37, learning_rate=0.1)
    assert all(np.array_equal(parameters[k], again[k]) for k in again)


def test_parse_layers():
    assert app.parse_layers("20, 7, 5", 12288) == [12288, 20, 7, 5, 1]
    assert app.parse_layers(" 7 ", 10) == [10, 7, 1]
    assert app.parse_layers("", 10) == [10, 1]
    for bad in ("0", "a, b", "-3", "1000"):
        with pytest.raises(ValueError):
            app.parse_layers(bad, 10)


def test_load_picture_and_classify_any_image(tmp_path, blocks):
    picture, column = app.load_picture(app.example_picture())
    assert picture.shape == (64, 64, 3) and picture.dtype == np.uint8
    assert column.shape == (12288, 1) and 0 <= column.min() and column.max() <= 1
    assert np.array_equal(column[:3, 0] * 255, picture[0, 0])  # same order as the training data
    from PIL import Image
    Image.new("L", (30, 90), color=200).save(tmp_path / "grey.png")   # grey, not square
    small, col = app.load_picture(tmp_path / "grey.png", num_px=8)
    assert small.shape == (8, 8, 3) and col.shape == (192, 1)
    same, _ = app.load_picture((tmp_path / "grey.png").read_bytes(), num_px=8)
    assert np.array_equal(same, small)
    import matplotlib
    matplotlib.use("Agg")
    parameters = blocks["initialize_parameters_deep"]([12288, 3, 1])
    _, out = _quietly(app.classify_picture, app.example_picture(), blocks["L_model_forward"],
                      parameters, cat_data.CAT_CLASSES)
    assert re.search(r'the network says "(cat|non-cat)"', out)


def test_picture_upload_labels_the_uploaded_file(blocks):
    parameters = blocks["initialize_parameters_deep"]([12288, 3, 1])
    box = app.picture_upload(blocks["L_model_forward"], parameters, cat_data.FACE_CLASSES)
    box.upload.value = ({"name": "chelsea.png", "type": "image/png", "size": 1,
                         "content": memoryview(app.example_picture().read_bytes()),
                         "last_modified": datetime.datetime(2024, 1, 1)},)
    texts = [o.get("text", "") for o in box.output.outputs]
    assert any(re.search(r'the network says "(face|non-face)"', t) for t in texts), texts
    assert any("image/png" in o.get("data", {}) for o in box.output.outputs)
    box.upload.value = ({"name": "notes.txt", "type": "text/plain", "size": 1,
                         "content": memoryview(b"not a picture"), "last_modified": datetime.datetime(2024, 1, 1)},)
    assert "could not classify notes.txt" in box.output.outputs[0]["text"]


def test_depth_explorer_drives_the_students_model_and_reacts(blocks):
    namespace = dict(blocks)
    exec(compile(_cell("L_layer_model").source, "L_layer_model", "exec"), namespace)
    X, Y = _tiny(1)
    Xt, Yt = _tiny(2)
    box = app.depth_explorer(namespace["L_layer_model"], namespace["predict"], X, Y, Xt, Yt,
                             max_iterations=500)

    def line():
        return next(o["text"] for o in box.output.outputs if o.get("output_type") == "stream")

    first = line()
    assert re.match(r"train accuracy \d+\.\d %, test accuracy \d+\.\d % \| layers \[6, 20, 7, 5, 1\]",
                    first), first
    assert any("image/png" in o.get("data", {}) for o in box.output.outputs)
    box.controls["iterations"].value = 400
    assert line() != first and "400 iterations" in line()
    box.controls["hidden layers"].value = ""
    assert "layers [6, 1]" in line()          # logistic regression
    box.controls["hidden layers"].value = "x"
    assert "layers [6, 1]" in line()          # a bad entry leaves the last run shown
    assert namespace["compute_cost"] is blocks["compute_cost"]

    def broken(*args, **kwargs):
        raise NotImplementedError()
    box = app.depth_explorer(broken, namespace["predict"], X, Y, Xt, Yt)
    assert "raised NotImplementedError" in box.output.outputs[0]["text"]


def test_show_mislabeled_returns_the_wrong_ones():
    import matplotlib
    matplotlib.use("Agg")
    images = np.zeros((6, 64, 64, 3), dtype=np.uint8)
    y = np.array([[1, 0, 1, 1, 0, 0]])
    p = np.array([[1.0, 1.0, 1.0, 0.0, 0.0, 0.0]])
    assert app.show_mislabeled(cat_data.CAT_CLASSES, images, y, p) == [1, 3]
    _, out = _quietly(app.show_mislabeled, cat_data.CAT_CLASSES, images, y, y)
    assert "no picture is misclassified" in out
