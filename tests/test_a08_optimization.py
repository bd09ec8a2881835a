"""a08 optimization methods: the references reproduce the curriculum (unit cases and the
GD / momentum / Adam headline), the moons are the course's, both placements of Adam's epsilon
are accepted explicitly, the hidden checks catch realistic bugs, and the explorer reacts."""
from __future__ import annotations

import contextlib
import copy
import io
import re

import numpy as np
import pytest

from dlcourse.autograder.hidden import grade_in_process, grade_notebook_code, load_checks
from dlcourse.datasets.moons import load_dataset
from dlcourse.utils import optimization as opt
from dlcourse.utils.checks import a08_optimization as public
from tests.support import (hidden_report, mutate, reference_module, release_cells, solution_cells,
                           SOLUTIONS, source_notebook)

AID = "a08_optimization"
FUNCTIONS = ["update_parameters_with_gd", "random_mini_batches", "initialize_velocity",
             "update_parameters_with_momentum", "initialize_adam", "update_parameters_with_adam",
             "exponential_lr_decay", "scheduled_lr_decay"]
POINTS = {"update_parameters_with_gd": 1, "random_mini_batches": 2, "initialize_velocity": 1,
          "update_parameters_with_momentum": 2, "initialize_adam": 1,
          "update_parameters_with_adam": 3, "exponential_lr_decay": 1, "scheduled_lr_decay": 1}

ref = reference_module(AID)


def _quietly(fn, *args, **kwargs):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        value = fn(*args, **kwargs)
    return value, buf.getvalue()


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] == grade_id)


# ============================================================================================
# (a) the data and the given model
# ============================================================================================

def test_moons_fingerprint_and_sklearn_equality():
    X, Y = load_dataset()
    assert X.shape == (2, 300) and Y.shape == (1, 300) and int(Y.sum()) == 150
    np.testing.assert_allclose(X[:, 0], [-0.21687013, 1.01544937], atol=1e-8)
    np.testing.assert_allclose(X[:, 1], [0.80505015, -0.5579734], atol=1e-8)
    np.testing.assert_allclose(X[:, 2], [0.71127451, -0.41006024], atol=1e-8)
    assert Y[0, :5].tolist() == [0, 1, 1, 1, 0]
    # the course's recipe: np.random.seed(3), then an unseeded sklearn make_moons
    from sklearn.datasets import make_moons

    np.random.seed(3)
    X_sk, y_sk = make_moons(n_samples=300, noise=0.2)
    np.testing.assert_array_equal(X_sk.T, X)
    np.testing.assert_array_equal(y_sk, Y[0])
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    load_dataset()
    assert np.array_equal(np.random.get_state()[1], before)  # the global generator is left alone


def test_given_starting_point_is_he_initialisation_with_seed_3():
    np.random.seed(3)
    dims = [2, 5, 2, 1]
    parameters = opt.initialize_parameters(dims)
    for l in range(1, 4):
        W = np.random.randn(dims[l], dims[l - 1]) * np.sqrt(2 / dims[l - 1])
        np.testing.assert_array_equal(parameters[f"W{l}"], W)
        assert parameters[f"b{l}"].shape == (dims[l], 1) and not parameters[f"b{l}"].any()
    assert opt.initialize_parameters()["W1"] is not opt.initialize_parameters()["W1"]
    with pytest.raises(ValueError, match="only the course's network"):
        opt.initialize_parameters([2, 4, 1])


def test_given_backward_pass_agrees_with_numerical_gradients():
    """The given gradients are those of the mean loss (compute_cost / m) of the mini-batch."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 7))
    Y = (rng.random((1, 7)) > 0.5).astype(float)
    parameters = {k: v + rng.normal(size=v.shape) * 0.1 for k, v in opt.initialize_parameters().items()}
    a3, cache = opt.forward_propagation(X, parameters)
    grads = opt.backward_propagation(X, Y, cache)
    eps = 1e-6
    for key in parameters:
        numerical = np.zeros_like(parameters[key])
        for idx in np.ndindex(parameters[key].shape):
            plus, minus = copy.deepcopy(parameters), copy.deepcopy(parameters)
            plus[key][idx] += eps
            minus[key][idx] -= eps
            numerical[idx] = (opt.compute_cost(opt.forward_propagation(X, plus)[0], Y)
                              - opt.compute_cost(opt.forward_propagation(X, minus)[0], Y)) / (2 * eps * 7)
        np.testing.assert_allclose(grads["d" + key], numerical, rtol=1e-5, atol=1e-8)


def test_model_uses_the_functions_it_is_given_and_the_decay():
    X, Y = load_dataset()
    seen = {"batches": 0, "rates": set()}

    def batches(X, Y, mini_batch_size=64, seed=0):
        seen["batches"] += 1
        return ref.random_mini_batches(X, Y, mini_batch_size, seed)

    def gd(parameters, grads, learning_rate):
        seen["rates"].add(round(learning_rate, 12))
        return ref.update_parameters_with_gd(parameters, grads, learning_rate)

    functions = {"random_mini_batches": batches, "update_parameters_with_gd": gd}
    _, costs = opt.model(X, Y, [2, 5, 2, 1], "gd", learning_rate=0.5, num_epochs=3, print_cost=False,
                         decay=ref.exponential_lr_decay, decay_rate=0.5, functions=functions,
                         record_every=1)
    assert seen["batches"] == 3 and seen["rates"] == {0.5, 0.25, 0.125}
    assert sorted(costs) == [0, 1, 2]
    with pytest.raises(ValueError, match="update_parameters_with_adam"):
        opt.model(X, Y, [2, 5, 2, 1], "adam", num_epochs=1, functions=functions)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        opt.model(X, Y, [2, 5, 2, 1], "rmsprop", num_epochs=1, functions=ref.FUNCTIONS)


# ============================================================================================
# (b) the references reproduce curriculum section 8
# ============================================================================================

@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_checks_pass_on_reference(name):
    _, out = _quietly(getattr(public, f"check_{name}"), getattr(ref, name))
    assert "✓ All" in out and "✗" not in out


def test_curriculum_values():
    parameters, grads = public.parameters_and_grads_test_case()
    np.testing.assert_allclose(parameters["W1"], [[1.62434536, -0.61175641, -0.52817175],
                                                  [-1.07296862, 0.86540763, -2.3015387]], atol=6e-9)
    np.testing.assert_allclose(grads["db2"], [[0.2344157], [1.65980218], [0.74204416]], atol=6e-9)

    new = ref.update_parameters_with_gd(copy.deepcopy(parameters), grads, 0.01)
    np.testing.assert_allclose(new["W1"], [[1.63535156, -0.62320365, -0.53718766],
                                           [-1.07799357, 0.85639907, -2.29470142]], atol=6e-9)
    np.testing.assert_allclose(new["b2"], [[-0.88020257], [0.02561572], [0.57539477]], atol=6e-9)

    X, Y, size = public.random_mini_batches_test_case()
    batches = ref.random_mini_batches(X, Y, size)
    assert [b[0].shape for b in batches] == [(12288, 64), (12288, 64), (12288, 20)]
    assert [b[1].shape for b in batches] == [(1, 64), (1, 64), (1, 20)]
    np.testing.assert_allclose(batches[0][0][0][0:3], [0.90085595, -0.7612069, 0.2344157], atol=6e-9)

    v = ref.initialize_velocity(parameters)
    assert {k: a.shape for k, a in v.items()} == {"dW1": (2, 3), "db1": (2, 1), "dW2": (3, 3), "db2": (3, 1)}
    assert not any(a.any() for a in v.values())

    new, v = ref.update_parameters_with_momentum(copy.deepcopy(parameters), grads, v, 0.9, 0.01)
    np.testing.assert_allclose(new["W2"][2], [1.13444069, -1.0998786, -0.1713109], atol=6e-9)
    np.testing.assert_allclose(v["db2"], [[0.02344157], [0.16598022], [0.07420442]], atol=6e-9)

    args = public.update_parameters_with_adam_test_case()
    inside = ref.update_parameters_with_adam_epsilon_inside(*copy.deepcopy(args))
    outside = ref.update_parameters_with_adam(*copy.deepcopy(args))
    # the course's printed values are those of epsilon inside the square root ...
    assert inside[0]["W2"][2, 1] == pytest.approx(-1.09245036, abs=5e-9)
    assert inside[0]["b2"][0, 0] == pytest.approx(-0.88529978, abs=5e-9)
    # ... epsilon outside (the formula as written) moves these two entries by up to 4.6e-7
    assert outside[0]["W2"][2, 1] == pytest.approx(-1.09244991, abs=5e-9)
    assert outside[0]["b2"][0, 0] == pytest.approx(-0.88529979, abs=5e-9)
    np.testing.assert_allclose(inside[2]["dW2"][2], [4.50571368e-04, 1.60392066e-07, 1.24838242e-03],
                               rtol=0, atol=5e-9)
    np.testing.assert_allclose(inside[2]["db1"], [[1.51020075e-05], [8.75664434e-04]], rtol=0, atol=5e-12)

    assert ref.exponential_lr_decay(0.1, 1000, 0.999) == pytest.approx(0.1 * 0.999 ** 1000)
    assert ref.scheduled_lr_decay(0.5, 2500, 0.3) == pytest.approx(0.3125)
    assert ref.scheduled_lr_decay(0.1, 1999, 1.0) == pytest.approx(0.05)
    assert ref.scheduled_lr_decay(0.1, 2000, 1.0) == pytest.approx(0.1 / 3)


def _epoch_costs(out: str) -> dict[int, float]:
    return {int(i): float(c) for i, c in re.findall(r"Cost after epoch (\d+): ([\d.]+)", out)}


# curriculum 8.5 (RECOMPUTED; epsilon outside the root for Adam)
HEADLINE = {
    "gd": ([0.702405, 0.668101, 0.635288, 0.600491, 0.573367, 0.551977, 0.532370, 0.514007,
            0.496472, 0.468014], 0.7966666666666666),
    "momentum": ([0.702413, 0.668167, 0.635388, 0.600591, 0.573444, 0.552058, 0.532458, 0.514101,
                  0.496652, 0.468160], 0.7966666666666666),
    "adam": ([0.702166, 0.167845, 0.141316, 0.138788, 0.136066, 0.134240, 0.131127, 0.130216,
              0.129623, 0.129118], 0.94),
}


@pytest.mark.parametrize("optimizer", list(HEADLINE))
def test_headline_table(optimizer):
    """GD 79.7 %, momentum 79.7 %, Adam 94 % after 10000 epochs (the printed cost trace too)."""
    X, Y = load_dataset()
    (parameters, costs), out = _quietly(opt.model, X, Y, [2, 5, 2, 1], optimizer, functions=ref.FUNCTIONS)
    printed = _epoch_costs(out)
    assert sorted(printed) == list(range(0, 10000, 1000))
    trace, accuracy = HEADLINE[optimizer]
    np.testing.assert_allclose([printed[i] for i in range(0, 10000, 1000)], trace, atol=1.5e-6)
    assert sorted(costs) == list(range(0, 10000, 100))
    predictions, out = _quietly(opt.predict, X, Y, parameters)
    assert float(np.mean(predictions == Y)) == pytest.approx(accuracy, abs=1e-9)
    assert out == f"Accuracy: {accuracy}\n"
    assert round(accuracy * 100, 1) == {"gd": 79.7, "momentum": 79.7, "adam": 94.0}[optimizer]


def test_adam_with_epsilon_inside_follows_the_other_trace():
    """Curriculum 8.5: with epsilon inside the root the Adam cost at epoch 1000 is 0.167966."""
    X, Y = load_dataset()
    functions = dict(ref.FUNCTIONS, update_parameters_with_adam=ref.update_parameters_with_adam_epsilon_inside)
    (_, costs), out = _quietly(opt.model, X, Y, [2, 5, 2, 1], "adam", num_epochs=1001, functions=functions)
    assert _epoch_costs(out) == {0: 0.702166, 1000: 0.167966}


# ============================================================================================
# (c) Adam's epsilon: both placements accepted, explicitly
# ============================================================================================

def test_public_adam_check_accepts_both_placements_and_says_which():
    _, out = _quietly(public.check_update_parameters_with_adam, ref.update_parameters_with_adam)
    assert "✓ All 1 public case(s)" in out and "(epsilon outside the square root)" in out
    _, out = _quietly(public.check_update_parameters_with_adam,
                      ref.update_parameters_with_adam_epsilon_inside)
    assert "✓ All 1 public case(s)" in out and "epsilon inside the square root" in out


def test_hidden_adam_check_accepts_both_placements_without_a_wide_tolerance():
    checks = load_checks(AID, SOLUTIONS)
    adam = checks["update_parameters_with_adam"]
    for seed in (3, 4, 5):
        for fn in (ref.update_parameters_with_adam, ref.update_parameters_with_adam_epsilon_inside):
            report = grade_in_process(adam, fn, seed=seed)
            assert report.passed == report.total, report.text()
    # on the tiny-gradient case the two placements differ far beyond the tolerance
    case = next(c for c in adam.cases(np.random.default_rng(3)) if "1e-4" in c.label)
    a = ref.update_parameters_with_adam(*copy.deepcopy(case.args))
    b = ref.update_parameters_with_adam_epsilon_inside(*copy.deepcopy(case.args))
    relative = max(float(np.max(np.abs(a[0][k] - b[0][k]) / np.abs(a[0][k]))) for k in a[0])
    assert relative > 1000 * adam.rtol
    # ... and a wrong answer is not let through by the second reference
    for wrong in (ref._adam_with(correct=False), ref._adam_with(square=False)):
        with np.errstate(all="ignore"):  # sqrt of a negative "s": that mistake's own warning
            report = grade_in_process(adam, wrong, seed=3)
        assert report.passed < report.total, report.text()
    assert ref._either_epsilon("not a result") == "not a result"


# ============================================================================================
# (d) hidden checks: the solution passes, bugs are caught, a release scores 0
# ============================================================================================

@pytest.fixture(scope="module")
def cells():
    return solution_cells(AID)


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
    reports = grade_notebook_code(load_checks(AID, SOLUTIONS), FUNCTIONS, released, seed=5)
    assert all(r.passed == 0 for r in reports.values()), {n: r.text() for n, r in reports.items()}


def test_notebook_adam_with_epsilon_inside_earns_full_marks(cells):
    mutated = mutate(cells, "update_parameters_with_adam", "np.sqrt(s_corrected[key]) + epsilon)",
                     "np.sqrt(s_corrected[key] + epsilon))")
    for seed in (31, 32):
        report = hidden_report(AID, "update_parameters_with_adam", mutated, seed=seed)
        assert report.passed == report.total, report.text()


_W = 'parameters["W" + str(l)]'
# (function, [(old, new), ...], words expected in the report or None)
MUTATIONS = [
    ("update_parameters_with_gd", [(f"{_W} - learning_rate", f"{_W} + learning_rate"),
                                   ('parameters["b" + str(l)] - learning_rate',
                                    'parameters["b" + str(l)] + learning_rate')], "uphill"),
    ("update_parameters_with_gd", [("learning_rate * grads", "0.01 * grads")], None),
    ("update_parameters_with_gd", [('        parameters["b" + str(l)] = parameters["b" + str(l)] - '
                                    'learning_rate * grads["db" + str(l)]\n', "")], "biases b are not updated"),
    ("update_parameters_with_gd", [("for l in range(1, L + 1):", "for l in range(1, L):")],
     "last layer is not updated"),
    ("random_mini_batches", [("shuffled_Y = Y[:, permutation]", "shuffled_Y = Y[:, list(np.random.permutation(m))]")],
     "two different permutations"),
    ("random_mini_batches", [("if m % mini_batch_size != 0:", "if False:")], "last, smaller mini-batch is missing"),
    ("random_mini_batches", [("if m % mini_batch_size != 0:", "if True:")], "no extra (empty)"),
    ("random_mini_batches", [("permutation = list(np.random.permutation(m))", "permutation = list(range(m))")],
     "not shuffled"),
    ("random_mini_batches", [("math.floor(m / mini_batch_size)", "math.ceil(m / mini_batch_size)")], None),
    ("initialize_velocity", [('v["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape)',
                              'v["db" + str(l)] = np.zeros(parameters["W" + str(l)].shape)')], "shape"),
    ("initialize_velocity", [('v["dW" + str(l)] =', 'v["W" + str(l)] =')], "missing the key"),
    ("initialize_velocity", [("for l in range(1, L + 1):", "for l in range(1, L):")], "missing the key"),
    ("update_parameters_with_momentum", [('(1 - beta) * grads["dW" + str(l)]', 'grads["dW" + str(l)]'),
                                         ('(1 - beta) * grads["db" + str(l)]', 'grads["db" + str(l)]')],
     "weight is (1 - beta)"),
    ("update_parameters_with_momentum", [('learning_rate * v["dW" + str(l)]', 'learning_rate * grads["dW" + str(l)]'),
                                         ('learning_rate * v["db" + str(l)]', 'learning_rate * grads["db" + str(l)]')],
     "along the gradient"),
    ("update_parameters_with_momentum", [('beta * v["dW" + str(l)] + (1 - beta)', '(1 - beta) * v["dW" + str(l)] + beta')],
     None),
    ("initialize_adam", [('        s["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape)\n', "")],
     "missing the key"),
    ("initialize_adam", [('s["dW" + str(l)] = np.zeros(parameters["W" + str(l)].shape)',
                          's["dW" + str(l)] = np.zeros(parameters["b" + str(l)].shape)')], "shape"),
    ("update_parameters_with_adam", [("v_corrected[key] = v[key] / (1 - beta1 ** t)", "v_corrected[key] = v[key]"),
                                     ("s_corrected[key] = s[key] / (1 - beta2 ** t)", "s_corrected[key] = s[key]")],
     "bias corrections are missing"),
    ("update_parameters_with_adam", [("(1 - beta1 ** t)", "(1 - beta1 ** (t + 1))"),
                                     ("(1 - beta2 ** t)", "(1 - beta2 ** (t + 1))")], "use t"),
    ("update_parameters_with_adam", [("np.square(grads[key])", "grads[key]")], "not their squares"),
    ("update_parameters_with_adam", [("(1 - beta2 ** t)", "(1 - beta1 ** t)")], "use beta2"),
    ("update_parameters_with_adam", [("np.sqrt(s_corrected[key]) + epsilon)", "np.sqrt(s_corrected[key]) + 1e-8)")],
     None),  # the epsilon argument ignored
    ("exponential_lr_decay", [("learning_rate = learning_rate0 * decay_rate ** epoch_num",
                               "learning_rate = learning_rate0 * np.exp(-decay_rate * epoch_num)")],
     "another base"),
    ("exponential_lr_decay", [("learning_rate = learning_rate0 * decay_rate ** epoch_num",
                               "learning_rate = learning_rate0 / (1 + decay_rate * epoch_num)")],
     "inverse-time"),
    ("exponential_lr_decay", [("learning_rate = learning_rate0 * decay_rate ** epoch_num",
                               "learning_rate = learning_rate0 * decay_rate ** (epoch_num + 1)")],
     "off by one"),
    ("scheduled_lr_decay", [("np.floor(epoch_num / time_interval)", "epoch_num / time_interval")],
     "rounded down (np.floor)"),
    ("scheduled_lr_decay", [("np.floor(epoch_num / time_interval)", "round(epoch_num / time_interval)")],
     "not to the nearest"),
    ("scheduled_lr_decay", [("decay_rate * np.floor(epoch_num / time_interval)",
                             "decay_rate * epoch_num // time_interval")], "put the floor"),
    ("scheduled_lr_decay", [("np.floor(epoch_num / time_interval)", "np.floor(epoch_num / 1000)")],
     "time_interval argument is ignored"),
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


def test_every_function_has_two_mutations():
    counts = {name: sum(1 for f, _, _ in MUTATIONS if f == name) for name in FUNCTIONS}
    assert min(counts.values()) >= 2, counts


def test_simulated_partial_student_scores_between_zero_and_full(cells):
    mutated = cells
    for function, old, new in ref.SIMULATED_MISTAKES:
        mutated = mutate(mutated, function, old, new)
    reports = grade_notebook_code(load_checks(AID, SOLUTIONS), FUNCTIONS, mutated, seed=8)
    score = sum(r.score(POINTS[n]) for n, r in reports.items())
    assert 0 < score < sum(POINTS.values()), {n: r.passed for n, r in reports.items()}


@pytest.mark.parametrize("check, wrong, words", [
    ("check_update_parameters_with_gd", ref._gd_plus, "uphill"),
    ("check_random_mini_batches", ref._mb_drop_last, "last, smaller mini-batch"),
    ("check_update_parameters_with_momentum", ref._momentum_with(one_minus=False), "(1 - beta)"),
    ("check_update_parameters_with_adam", ref._adam_with(correct=False), "bias corrections are missing"),
    ("check_exponential_lr_decay", ref._exp_inverse_time, "inverse-time"),
    ("check_scheduled_lr_decay", ref._sched_no_floor, "rounded down"),
    ("check_scheduled_lr_decay", ref._sched_precedence, "decay is not applied"),
], ids=["gd-plus", "batches-no-last", "momentum-no-1-beta", "adam-no-correction", "exp-inverse",
        "sched-no-floor", "sched-precedence"])
def test_public_checks_fail_on_wrong_code(check, wrong, words):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), pytest.raises(AssertionError):
        getattr(public, check)(wrong)
    assert words in buf.getvalue(), buf.getvalue()


# ============================================================================================
# (e) the notebook
# ============================================================================================

def test_notebook_specifics():
    """The common layout is checked in tests/test_notebooks.py; here what is special to a08."""
    nb = source_notebook(AID)
    assert "explorer" in [c.metadata.nbgrader.grade_id for c in nb.cells]
    setup = _cell(nb, "setup").source
    assert "from dlcourse.autograder.kernel import grade" in setup
    assert 'warnings.filterwarnings("ignore")' in setup
    # training runs shrink while grading; the explorer is never shown then
    for gid in ("functions", "decay_demo"):
        assert "budget(" in _cell(nb, gid).source
    assert "is_grading()" in _cell(nb, "explorer").source


def test_notebook_text_shows_the_expected_numbers():
    text = "\n".join(c.source for c in source_notebook(AID).cells if c.cell_type == "markdown")
    for number in ("1.63535156", "0.90085595", "1.62544598", "-0.11006192", "-1.09244991",
                   "-1.09245036", "-0.88529979", "-0.88529978", "1.60392066e-07", "0.03676954",
                   "0.3125", "0.02", "0.702405", "0.468014", "0.468160", "0.167845", "0.167966",
                   "0.129118", "0.7966666666666666", "Accuracy: 0.94", "79.7 %", "94 %"):
        assert number in text, number
    adam = _cell(source_notebook(AID), "adam_update_md").source
    assert "Both are accepted" in adam and "inside" in adam and "outside" in adam


# ============================================================================================
# (f) the explorer
# ============================================================================================

def _lines(box) -> list[str]:
    texts = [o.get("text", "") for o in box.output.outputs if o.get("output_type") == "stream"]
    return [line for text in texts for line in text.splitlines() if line]


def test_explorer_builds_overlays_and_reacts():
    import ipywidgets as widgets
    import matplotlib

    matplotlib.use("Agg")
    box = opt.optimization_explorer(ref.FUNCTIONS)
    assert isinstance(box, widgets.VBox)
    controls = box.controls
    assert set(controls) == {"optimizers", "learning rate", "mini-batch size", "beta", "beta1",
                             "beta2", "epochs"}
    assert controls["optimizers"].value == ("gd", "momentum", "adam")
    assert isinstance(controls["learning rate"], widgets.FloatLogSlider)
    assert controls["epochs"].max <= 3000
    first = _lines(box)
    assert [line.split(":")[0] for line in first] == ["gd", "momentum", "adam"]
    assert re.fullmatch(r"adam: accuracy \d+\.\d\d %, final cost \d\.\d{4} \(learning rate "
                        r"0\.0007, mini-batch 64, 300 epochs\)", first[2]), first
    assert sum("image/png" in o.get("data", {}) for o in box.output.outputs) == 1  # one overlay plot

    controls["epochs"].value = 100
    controls["optimizers"].value = ("gd", "adam")
    controls["learning rate"].value = 0.01
    second = _lines(box)
    assert len(second) == 2 and all("learning rate 0.01," in line for line in second)
    assert second[1] != first[2]
    controls["mini-batch size"].value = 300
    assert "mini-batch 300" in _lines(box)[0]
    controls["beta1"].value = 0.5
    assert _lines(box)[1] != second[1]


def test_explorer_shows_student_errors():
    import matplotlib

    matplotlib.use("Agg")

    def not_done(*args, **kwargs):
        raise NotImplementedError()

    box = opt.optimization_explorer(dict(ref.FUNCTIONS, random_mini_batches=not_done))
    assert "NotImplementedError" in box.output.outputs[0]["text"]
