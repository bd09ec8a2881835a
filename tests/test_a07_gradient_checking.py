"""a07 gradient checking: the references reproduce the curriculum, the handed-out backward pass
has exactly its two bugs, the hidden checks catch realistic mistakes, and the explorer reacts."""
from __future__ import annotations

import contextlib
import io
import re

import numpy as np
import pytest

from dlcourse.autograder.hidden import grade_notebook_code, load_checks
from dlcourse.utils import gradient_checking as gc
from dlcourse.utils.checks import a07_gradient_checking as public
from tests.support import (hidden_report, mutate, reference_module, release_cells, solution_cells,
                           SOLUTIONS, source_notebook)

AID = "a07_gradient_checking"
FUNCTIONS = ["forward_propagation", "backward_propagation", "gradient_check", "gradient_check_n"]
POINTS = {"forward_propagation": 1, "backward_propagation": 1, "gradient_check": 2,
          "gradient_check_n": 4}

ref = reference_module(AID)


def _quietly(fn, *args, **kwargs):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        value = fn(*args, **kwargs)
    return value, buf.getvalue()


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] == grade_id)


def _given_backward():
    """The notebook's handed-out ``backward_propagation_n`` (a locked cell), as a function."""
    namespace = {"np": np}
    exec(_cell(source_notebook(AID), "backward_propagation_n").source, namespace)
    return namespace["backward_propagation_n"]


# ============================================================================================
# (a) helpers, test case and curriculum values (section 7)
# ============================================================================================

def test_test_case_and_vector_helpers():
    X, Y, parameters = gc.gradient_check_n_test_case()
    assert X.shape == (4, 3) and Y.tolist() == [1, 1, 0]
    assert [parameters[k].shape for k in gc.PARAMETER_KEYS] == [(5, 4), (5, 1), (3, 5), (3, 1),
                                                                 (1, 3), (1, 1)]
    np.testing.assert_allclose(X[0], [1.62434536, -0.61175641, -0.52817175], atol=1e-8)
    theta, keys = gc.dictionary_to_vector(parameters)
    assert theta.shape == (47, 1) and len(keys) == 47
    assert keys[:20] == ["W1"] * 20 and keys[20:25] == ["b1"] * 5 and keys[-1] == "b3"
    back = gc.vector_to_dictionary(theta, parameters)
    assert all(np.array_equal(back[k], parameters[k]) for k in gc.PARAMETER_KEYS)
    back["W1"][0, 0] = 99.0  # a copy, not a view of theta
    assert theta[0, 0] != 99.0
    grads = {"d" + k: v * 2 for k, v in parameters.items()}
    np.testing.assert_array_equal(gc.gradients_to_vector(grads), theta * 2)
    with pytest.raises(ValueError, match="theta has 46 entries"):
        gc.vector_to_dictionary(theta[:-1], parameters)
    # private generator: the global numpy state is left alone
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    gc.gradient_check_n_test_case()
    assert np.array_equal(np.random.get_state()[1], before)


def test_curriculum_values():
    assert ref.forward_propagation(2, 4) == 8
    assert ref.backward_propagation(2, 4) == 2
    difference, out = _quietly(ref.gradient_check, 2, 4)
    assert out == "The gradient is correct!\n"
    assert difference == pytest.approx(2.919335883291695e-10, rel=1e-12)
    assert difference == pytest.approx(2.9193358103083e-10, rel=1e-6)  # the course's print

    X, Y, parameters = gc.gradient_check_n_test_case()
    cost, cache = gc.forward_propagation_n(X, Y, parameters)
    assert cost == pytest.approx(2.407833389834357, rel=1e-13)

    buggy = _given_backward()(X, Y, cache)
    difference, out = _quietly(ref.gradient_check_n, parameters, buggy, X, Y)
    assert difference == pytest.approx(0.2850931567761623, rel=1e-10)
    assert difference == pytest.approx(0.285093156781, rel=1e-6)
    assert out.startswith("There is a mistake in the backward propagation! difference = 0.28509315")

    repaired = ref.backward_propagation_n(X, Y, cache)
    difference, out = _quietly(ref.gradient_check_n, parameters, repaired, X, Y)
    assert difference < 2e-7
    assert difference == pytest.approx(1.1890913024229996e-07, rel=1e-6)
    assert out.startswith("Your backward propagation works perfectly fine!")


def test_handed_out_backward_pass_has_exactly_the_two_bugs():
    """dW2 is doubled and db1 is four times too large; every other block is right, and the
    public check's copy of the buggy gradients is the notebook's."""
    X, Y, parameters = gc.gradient_check_n_test_case()
    _, cache = gc.forward_propagation_n(X, Y, parameters)
    given = _given_backward()(X, Y, cache)
    right = ref.backward_propagation_n(X, Y, cache)
    for key in ("dW1", "db2", "dW3", "db3"):
        np.testing.assert_allclose(given[key], right[key], rtol=1e-13)
    np.testing.assert_allclose(given["dW2"], 2 * right["dW2"], rtol=1e-13)
    np.testing.assert_allclose(given["db1"], 4 * right["db1"], rtol=1e-13)
    copy = public.given_buggy_gradients(X, Y, parameters)
    for key in copy:
        np.testing.assert_allclose(copy[key], given[key], rtol=1e-13)


def test_repairing_the_two_lines_passes_the_check():
    source = _cell(source_notebook(AID), "backward_propagation_n").source
    fixed = source.replace("dW2 = 2 / m * dZ2 @ A1.T", "dW2 = dZ2 @ A1.T / m") \
                  .replace("db1 = 4 / m * dZ1.sum(axis=1, keepdims=True)",
                           "db1 = dZ1.sum(axis=1, keepdims=True) / m")
    assert "2 / m" in source and "4 / m" in source
    assert "2 / m" not in fixed and "4 / m" not in fixed
    namespace = {"np": np}
    exec(fixed, namespace)
    X, Y, parameters = gc.gradient_check_n_test_case()
    _, cache = gc.forward_propagation_n(X, Y, parameters)
    difference, out = _quietly(ref.gradient_check_n, parameters,
                               namespace["backward_propagation_n"](X, Y, cache), X, Y)
    assert difference < 2e-7 and "works perfectly fine" in out


def test_reference_backward_pass_agrees_with_numerical_gradients_on_random_networks():
    rng = np.random.default_rng(3)
    for _ in range(5):
        sizes = [int(rng.integers(2, 6)) for _ in range(3)] + [1]
        m = int(rng.integers(2, 9))
        parameters = ref._random_network(rng, sizes)
        X = rng.normal(size=(sizes[0], m))
        Y = (rng.random((1, m)) > 0.5).astype(float)
        _, cache = gc.forward_propagation_n(X, Y, parameters)
        difference, _ = _quietly(ref.gradient_check_n, parameters,
                                 ref.backward_propagation_n(X, Y, cache), X, Y)
        assert difference < 2e-7


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_checks_pass_on_reference(name):
    _, out = _quietly(getattr(public, f"check_{name}"), getattr(ref, name))
    assert "✓ All 1 public case(s)" in out and "✗" not in out


def _gradient_check_no_two(x, theta, epsilon=1e-7):
    J_plus, J_minus = ref.forward_propagation(x, theta + epsilon), ref.forward_propagation(x, theta - epsilon)
    gradapprox = (J_plus - J_minus) / epsilon
    grad = ref.backward_propagation(x, theta)
    return abs(grad - gradapprox) / (abs(grad) + abs(gradapprox))


def _gradient_check_n_no_two(parameters, gradients, X, Y, epsilon=1e-7):
    return ref._gradient_check_n_with(two=False)(parameters, gradients, X, Y, epsilon)


def _gradient_check_n_no_template(parameters, gradients, X, Y, epsilon=1e-7):
    values, _ = gc.dictionary_to_vector(parameters)
    gc.vector_to_dictionary(values)  # the original course's one-argument call


@pytest.mark.parametrize("check, wrong, words", [
    ("check_forward_propagation", lambda x, theta: theta + x, "product theta * x"),
    ("check_backward_propagation", lambda x, theta: theta, "derivative with respect to x"),
    ("check_gradient_check", _gradient_check_no_two, "twice as large"),
    ("check_gradient_check", lambda x, theta, epsilon=1e-7: 1e-9, "differ"),
    ("check_gradient_check_n", _gradient_check_n_no_two, "twice too large"),
    ("check_gradient_check_n", ref._gradient_check_n_with(copy_once=True), "copied once"),
    ("check_gradient_check_n", ref._gradient_check_n_with(denominator=False), "only the numerator"),
    ("check_gradient_check_n", _gradient_check_n_no_template, "second argument"),
], ids=["forward-sum", "backward-theta", "check-no-2", "check-hardcoded-other", "check-n-no-2",
        "check-n-copy-once", "check-n-no-denominator", "check-n-no-template"])
def test_public_checks_fail_on_wrong_code(check, wrong, words):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), pytest.raises(AssertionError):
        getattr(public, check)(wrong)
    assert words in buf.getvalue(), buf.getvalue()


# ============================================================================================
# (b) hidden checks: the solution passes, bugs are caught, a release scores 0
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


def test_hidden_cases_change_with_the_seed():
    checks = load_checks(AID, SOLUTIONS)
    a = checks["gradient_check_n"].cases(np.random.default_rng(1))
    b = checks["gradient_check_n"].cases(np.random.default_rng(2))
    assert [c.label for c in a] != [c.label for c in b]
    sizes = {tuple(c.args[0]["W1"].shape) + tuple(c.args[0]["W2"].shape) for c in a + b}
    assert len(sizes) >= 3  # networks of several sizes


_COPY_ONCE = [("        theta_plus = np.copy(parameters_values)\n", ""),
              ("        theta_minus = np.copy(parameters_values)\n", ""),
              ("    for i in range(num_parameters):\n",
               "    theta_plus = np.copy(parameters_values)\n"
               "    theta_minus = np.copy(parameters_values)\n"
               "    for i in range(num_parameters):\n")]

# (function, [(old, new), ...], words expected in the report or None)
MUTATIONS = [
    ("forward_propagation", [("J = theta * x", "J = theta + x")], "product theta * x"),
    ("forward_propagation", [("J = theta * x", "J = theta * theta")], "theta * theta"),
    ("forward_propagation", [("J = theta * x", "J = 8")], None),
    ("backward_propagation", [("dtheta = x", "dtheta = theta")], "returned theta"),
    ("backward_propagation", [("dtheta = x", "dtheta = theta * x")], "returned J itself"),
    ("gradient_check", [("/ (2 * epsilon)", "/ epsilon")], "2 * epsilon, not epsilon"),
    ("gradient_check", [("difference = numerator / denominator", "difference = numerator")],
     "not divided by"),
    ("gradient_check", [("difference = numerator / denominator",
                         "difference = 2.9193358103083e-10")], None),  # hard-coded (pitfall 5)
    ("gradient_check", [("theta_plus = theta + epsilon", "theta_plus = theta + 1e-7"),
                        ("theta_minus = theta - epsilon", "theta_minus = theta - 1e-7"),
                        ("(2 * epsilon)", "(2 * 1e-7)")], None),  # ignores the epsilon argument
    ("gradient_check", [("J_plus = forward_propagation(x, theta_plus)",
                         "J_plus = forward_propagation(x + epsilon, theta)"),
                        ("J_minus = forward_propagation(x, theta_minus)",
                         "J_minus = forward_propagation(x - epsilon, theta)")], "x is perturbed"),
    ("gradient_check_n", [("/ (2 * epsilon)", "/ epsilon")], "2 * epsilon, not epsilon"),
    ("gradient_check_n", [("difference = numerator / denominator", "difference = numerator")],
     "not divided by"),
    ("gradient_check_n", _COPY_ONCE, "copied once"),
    ("gradient_check_n", [("theta_minus = np.copy(parameters_values)", "theta_minus = np.copy(theta_plus)")],
     "copied from theta_plus"),
    ("gradient_check_n", [("theta_plus[i] = theta_plus[i] + epsilon", "theta_plus[0] = theta_plus[0] + epsilon"),
                          ("theta_minus[i] = theta_minus[i] - epsilon", "theta_minus[0] = theta_minus[0] - epsilon")],
     "same entry"),
    ("gradient_check_n", [("theta_plus = np.copy(parameters_values)", "theta_plus = parameters_values")], None),
    ("gradient_check_n", [("theta_minus[i] = theta_minus[i] - epsilon", "theta_minus[i] = theta_minus[i] + epsilon")],
     None),
    ("gradient_check_n", [("vector_to_dictionary(theta_plus, parameters)", "vector_to_dictionary(theta_plus)")],
     "second argument"),
    ("gradient_check_n", [("difference = numerator / denominator", "difference = 0.2850931567761623")], None),
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


# ============================================================================================
# (c) the notebook
# ============================================================================================

def test_notebook_specifics():
    """The common layout is checked in tests/test_notebooks.py; here what is special to a07."""
    nb = source_notebook(AID)
    assert "explorer" in [c.metadata.nbgrader.grade_id for c in nb.cells]
    setup = _cell(nb, "setup").source
    assert "from dlcourse.autograder.kernel import grade" in setup
    assert 'warnings.filterwarnings("ignore")' in setup


def test_notebook_text_shows_the_expected_numbers():
    text = "\n".join(c.source for c in source_notebook(AID).cells if c.cell_type == "markdown")
    for number in ("`result = 8`", "`result = 2`", "2.91933588e-10", "2.9193358103083e-10",
                   "0.2850931567761623", "0.285093156781", "1.1890913024", "2.407833389834357",
                   "2 \\cdot 10^{-7}", "10^{-7}"):
        assert number in text, number
    intro = _cell(source_notebook(AID), "intro").source
    assert "earns\nno points" in intro or "earns no points" in intro


# ============================================================================================
# (d) the explorer
# ============================================================================================

def _line(box) -> str:
    texts = [o.get("text", "") for o in box.output.outputs if o.get("output_type") == "stream"]
    lines = [line for text in texts for line in text.splitlines() if line]
    assert len(lines) == 1, lines
    return lines[0]


def test_explorer_builds_and_reacts():
    import ipywidgets as widgets
    import matplotlib

    matplotlib.use("Agg")
    box = gc.gradient_check_explorer(ref.gradient_check_n, ref.backward_propagation_n)
    assert isinstance(box, widgets.VBox)
    controls = box.controls
    assert isinstance(controls["epsilon"], widgets.FloatLogSlider)
    assert controls["epsilon"].continuous_update is False
    assert list(controls["gradients"].options)[0] == "yours, as they are"
    first = _line(box)
    assert re.fullmatch(r"difference = 1\.189e-07 at epsilon = 1e-07: below 2e-7, the gradients "
                        r"agree \(test case .*\)", first), first
    assert any("image/png" in o.get("data", {}) for o in box.output.outputs)

    controls["epsilon"].value = 1e-3
    coarse = _line(box)
    assert "epsilon = 1e-03" in coarse and coarse != first
    controls["epsilon"].value = 1e-12
    assert "above 2e-7" in _line(box)  # rounding dominates

    controls["epsilon"].value = 1e-7
    controls["gradients"].value = "yours, with dW1 doubled"
    assert "above 2e-7, the check reports a mistake" in _line(box)
    controls["network"].value = list(gc.EXPLORER_NETWORKS)[1]
    assert "wider" in _line(box)


def test_explorer_with_the_handed_out_backward_pass_and_with_errors():
    import matplotlib

    matplotlib.use("Agg")
    box = gc.gradient_check_explorer(ref.gradient_check_n, _given_backward())
    assert _line(box).startswith("difference = 0.2851 at epsilon = 1e-07: above 2e-7")

    def not_done(*args, **kwargs):
        raise NotImplementedError()

    box = gc.gradient_check_explorer(not_done, ref.backward_propagation_n)
    assert "NotImplementedError" in box.output.outputs[0]["text"]
