"""a03 deep network step by step: the references reproduce the curriculum, the public checks name
the mistakes, the hidden checks catch realistic bugs (fixed depths, reversed loops, reordered
caches, a missing 1/m, the wrong activation), and the notebook follows the authoring rules."""
from __future__ import annotations

import contextlib
import io
import re

import numpy as np
import pytest

from dlcourse.autograder.hidden import grade_in_process, grade_notebook_code, load_checks
from dlcourse.utils import deep_network
from dlcourse.utils.checks import a03_deep_network_step_by_step as public
from tests.support import (ASSIGNMENTS, SOLUTIONS, hidden_report, mutate, reference_module,
                           solution_cells, source_notebook, release_cells)

AID = "a03_deep_network_step_by_step"
FUNCTIONS = ["initialize_parameters", "initialize_parameters_deep", "linear_forward",
             "linear_activation_forward", "L_model_forward", "compute_cost", "linear_backward",
             "linear_activation_backward", "L_model_backward", "update_parameters"]
POINTS = {"initialize_parameters": 1, "initialize_parameters_deep": 2, "linear_forward": 1,
          "linear_activation_forward": 2, "L_model_forward": 2, "compute_cost": 1,
          "linear_backward": 2, "linear_activation_backward": 2, "L_model_backward": 3,
          "update_parameters": 1}

ref = reference_module(AID)


def _quietly(fn, *args, **kwargs):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        value = fn(*args, **kwargs)
    return value, buf.getvalue()


def _fails(check, fn, words):
    """``check(fn)`` raises AssertionError and prints ``words``; returns what it printed."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), pytest.raises(AssertionError):
        check(fn)
    out = buf.getvalue()
    assert words in out, out
    return out


# ============================================================================================
# (a) the references reproduce curriculum section 3
# ============================================================================================

def test_curriculum_values():
    """The expected numbers of curriculum 3.4, checked directly (not through the public module)."""
    p = ref.initialize_parameters(3, 2, 1)
    np.testing.assert_allclose(p["W1"], [[0.01624345, -0.00611756, -0.00528172],
                                         [-0.01072969, 0.00865408, -0.02301539]], atol=6e-9)
    np.testing.assert_allclose(p["W2"], [[0.01744812, -0.00761207]], atol=6e-9)
    assert p["b1"].shape == (2, 1) and not p["b1"].any() and p["b2"].shape == (1, 1)

    p = ref.initialize_parameters_deep([5, 4, 3])
    np.testing.assert_allclose(p["W1"][0], [0.01788628, 0.0043651, 0.00096497, -0.01863493,
                                            -0.00277388], atol=6e-9)
    np.testing.assert_allclose(p["W1"][3], [-0.00404677, -0.0054536, -0.01546477, 0.00982367,
                                            -0.01101068], atol=6e-9)
    np.testing.assert_allclose(p["W2"], [[-0.01185047, -0.0020565, 0.01486148, 0.00236716],
                                         [-0.01023785, -0.00712993, 0.00625245, -0.00160513],
                                         [-0.00768836, -0.00230031, 0.00745056, 0.01976111]], atol=6e-9)
    assert sorted(p) == ["W1", "W2", "b1", "b2"] and p["b1"].shape == (4, 1) and p["b2"].shape == (3, 1)

    Z, cache = ref.linear_forward(*public.linear_forward_test_case())
    np.testing.assert_allclose(Z, [[3.26295337, -1.23429987]], atol=6e-9)
    assert len(cache) == 3

    args = public.linear_activation_forward_test_case()
    np.testing.assert_allclose(ref.linear_activation_forward(*args, "sigmoid")[0],
                               [[0.96890023, 0.11013289]], atol=6e-9)
    np.testing.assert_allclose(ref.linear_activation_forward(*args, "relu")[0],
                               [[3.43896131, 0.0]], atol=6e-9)

    AL, caches = ref.L_model_forward(*public.L_model_forward_test_case_2hidden())
    np.testing.assert_allclose(AL, [[0.03921668, 0.70498921, 0.19734387, 0.04728177]], atol=6e-9)
    assert len(caches) == 3

    assert ref.compute_cost(*public.compute_cost_test_case()) == pytest.approx(0.2797765635793422,
                                                                               rel=1e-14)

    dA_prev, dW, db = ref.linear_backward(*public.linear_backward_test_case())
    np.testing.assert_allclose(dA_prev[1], [0.60345879, -3.72508701, 5.81700741, -3.84326836], atol=6e-9)
    np.testing.assert_allclose(dA_prev[4], [-2.52214926, 2.67882552, -0.67947465, 1.48119548], atol=6e-9)
    np.testing.assert_allclose(dW[2], [0.97913304, -0.24376494, -0.08839671, 0.55151192, -0.10290907],
                               atol=6e-9)
    np.testing.assert_allclose(db, [[-0.14713786], [-0.11313155], [-0.13209101]], atol=6e-9)

    dA, cache = public.linear_activation_backward_test_case()
    dA_prev, dW, db = ref.linear_activation_backward(dA, cache, "sigmoid")
    np.testing.assert_allclose(dA_prev, [[0.11017994, 0.01105339], [0.09466817, 0.00949723],
                                         [-0.05743092, -0.00576154]], atol=6e-9)
    np.testing.assert_allclose(dW, [[0.10266786, 0.09778551, -0.01968084]], atol=6e-9)
    np.testing.assert_allclose(db, [[-0.05729622]], atol=6e-9)
    dA_prev, dW, db = ref.linear_activation_backward(dA, cache, "relu")
    np.testing.assert_allclose(dA_prev, [[0.44090989, 0.0], [0.37883606, 0.0], [-0.2298228, 0.0]],
                               atol=6e-9)
    np.testing.assert_allclose(dW, [[0.44513824, 0.37371418, -0.10478989]], atol=6e-9)
    np.testing.assert_allclose(db, [[-0.20837892]], atol=6e-9)

    grads = ref.L_model_backward(*public.L_model_backward_test_case())
    assert sorted(grads) == ["dA0", "dA1", "dW1", "dW2", "db1", "db2"]
    np.testing.assert_allclose(grads["dW1"], [[0.41010002, 0.07807203, 0.13798444, 0.10502167],
                                              [0.0, 0.0, 0.0, 0.0],
                                              [0.05283652, 0.01005865, 0.01777766, 0.0135308]],
                               atol=6e-9)
    np.testing.assert_allclose(grads["db1"], [[-0.22007063], [0.0], [-0.02835349]], atol=6e-9)
    np.testing.assert_allclose(grads["dA1"], [[0.12913162, -0.44014127], [-0.14175655, 0.48317296],
                                              [0.01663708, -0.05670698]], atol=6e-9)
    # RECOMPUTED extra keys
    np.testing.assert_allclose(grads["dW2"], [[-0.39202432, -0.13325855, -0.04601089]], atol=6e-9)
    np.testing.assert_allclose(grads["db2"], [[0.15187861]], atol=6e-9)
    np.testing.assert_allclose(grads["dA0"], [[0.0, 0.52257901], [0.0, -0.3269206],
                                              [0.0, -0.32070404], [0.0, -0.74079187]], atol=6e-9)

    parameters, grads, learning_rate = public.update_parameters_test_case()
    assert learning_rate == 0.1
    new = ref.update_parameters(parameters, grads, learning_rate)
    np.testing.assert_allclose(new["W1"], [[-0.59562069, -0.09991781, -2.14584584, 1.82662008],
                                           [-1.76569676, -0.80627147, 0.51115557, -1.18258802],
                                           [-1.0535704, -0.86128581, 0.68284052, 2.20374577]], atol=6e-9)
    np.testing.assert_allclose(new["b1"], [[-0.04659241], [-1.28888275], [0.53405496]], atol=6e-9)
    np.testing.assert_allclose(new["W2"], [[-0.55569196, 0.0354055, 1.32964895]], atol=6e-9)
    np.testing.assert_allclose(new["b2"], [[-0.84610769]], atol=6e-9)


def test_test_cases_leave_the_global_generator_alone():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    for name in dir(public):
        if name.endswith("_test_case") or name.endswith("_test_case_2hidden"):
            getattr(public, name)()
    assert np.array_equal(np.random.get_state()[1], before)


def test_provided_activations_keep_their_contract():
    """a04 imports these four: names, return values and behaviour stay as they are."""
    Z = np.array([[-800.0, -1.0, 0.0, 2.0]])
    A, cache = deep_network.sigmoid(Z)
    assert cache is not None and np.array_equal(cache, Z)
    np.testing.assert_allclose(A, [[0.0, 0.26894142, 0.5, 0.88079708]], atol=1e-8)
    A, cache = deep_network.relu(Z)
    assert np.array_equal(A, [[0.0, 0.0, 0.0, 2.0]]) and np.array_equal(cache, Z)
    dA = np.ones_like(Z)
    assert np.array_equal(deep_network.relu_backward(dA, Z), [[0.0, 0.0, 0.0, 1.0]])
    assert np.array_equal(dA, np.ones_like(Z))  # a new array
    np.testing.assert_allclose(deep_network.sigmoid_backward(dA, Z),
                               [[0.0, 0.19661193, 0.25, 0.10499359]], atol=1e-8)


def test_numerical_gradient_matches_the_reference():
    """The numerical case's expected values agree with the analytic reference, far inside the
    tolerance, on many random networks (so that a correct student always passes it)."""
    check = load_checks(AID, SOLUTIONS)["L_model_backward"]
    worst = 0.0
    for seed in range(40):
        case = check.cases(np.random.default_rng(seed))[-1]
        assert case.has_expected and "numerical" in case.label
        analytic = ref.L_model_backward(*case.args)
        assert sorted(analytic) == sorted(case.expected)
        for key, value in case.expected.items():
            error = np.abs(analytic[key] - value) / (check.atol + check.rtol * np.abs(value))
            worst = max(worst, float(error.max()))
    assert worst < 0.2, worst


# ============================================================================================
# (b) the public checks: pass on the reference, name the mistakes, print the notebook's numbers
# ============================================================================================

@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_checks_pass_on_reference(name):
    _, out = _quietly(getattr(public, f"check_{name}"), getattr(ref, name))
    assert "✓ All" in out and "✗" not in out, out


@pytest.mark.parametrize("name", FUNCTIONS)
def test_notebook_shows_the_numbers_the_check_prints(name):
    """Every number the check prints as expected appears in the function's markdown cell."""
    _, out = _quietly(getattr(public, f"check_{name}"), getattr(ref, name))
    printed = {n for line in out.splitlines() if "expected" in line
               for n in re.findall(r"-?\d+\.\d+", line.split("expected", 1)[1])}
    nb = source_notebook(AID)
    text = next(c.source for c in nb.cells if c.metadata.nbgrader.grade_id == f"{name}_md")
    shown = set(re.findall(r"-?\d+\.\d+", text))
    assert printed and printed <= shown, sorted(printed - shown)


def _lf_cache_reordered(A, W, b):
    Z, _ = ref.linear_forward(A, W, b)
    return Z, (W, A, b)


def _laf_relu_only(A_prev, W, b, activation):
    return ref.linear_activation_forward(A_prev, W, b, "relu")


def _laf_pair(A_prev, W, b, activation):
    A, cache = ref.linear_activation_forward(A_prev, W, b, activation)
    return (A, cache[1]), cache


def _lmf_cache_reversed(X, parameters):
    AL, caches = ref.L_model_forward(X, parameters)
    return AL, [(Z, linear) for linear, Z in caches]


def _lmf_two_layers_hard_coded(X, parameters):
    A1, c1 = ref.linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
    AL, c2 = ref.linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
    return AL, [c1, c2]


def _lb_no_mean(dZ, cache):
    A_prev, W, b = cache
    return W.T @ dZ, dZ @ A_prev.T, np.sum(dZ, axis=1, keepdims=True)


def _lab_skipped(dA, cache, activation):
    return ref.linear_backward(dA, cache[0])


def _lmb_sign(AL, Y, caches):
    return {k: -v for k, v in ref.L_model_backward(AL, Y, caches).items()}


def _update_uphill(parameters, grads, learning_rate):
    return ref.update_parameters(parameters, grads, -learning_rate)


PUBLIC_MISTAKES = [
    ("initialize_parameters", lambda n_x, n_h, n_y: {k: v * 100 for k, v in
                                                     ref.initialize_parameters(n_x, n_h, n_y).items()},
     "the weights are not multiplied by 0.01"),
    ("initialize_parameters_deep", lambda dims: {k: v * 100 for k, v in
                                                 ref.initialize_parameters_deep(dims).items()},
     "the weights are not multiplied by 0.01"),
    ("linear_forward", _lf_cache_reordered, "cache = '(W, A, b)'   expected '(A, W, b)'"),
    ("linear_forward", lambda A, W, b: (W @ A, (A, W, b)), "b is not added"),
    ("linear_activation_forward", _laf_relu_only, 'activation = "sigmoid" must apply sigmoid, not relu'),
    ("linear_activation_forward", _laf_pair, "unpack it, A, activation_cache = relu(Z)"),
    ("L_model_forward", _lmf_cache_reversed,
     "caches = '(Z1, (X, W1, b1)), (Z2, (A1, W2, b2)), (Z3, (A2, W3, b3))'"),
    ("L_model_forward", _lmf_two_layers_hard_coded, "len(caches) = 2   expected 3"),
    ("L_model_forward", lambda X, p: (np.maximum(ref.L_model_forward(X, p)[1][-1][1], 0),
                                      ref.L_model_forward(X, p)[1]),
     "the output layer must use sigmoid, not relu"),
    ("compute_cost", lambda AL, Y: ref.compute_cost(AL, Y) * Y.shape[1], "not divided by m"),
    ("compute_cost", lambda AL, Y: -ref.compute_cost(AL, Y), "the sign is flipped"),
    ("linear_backward", _lb_no_mean, "dW and db are not divided by m"),
    ("linear_activation_backward", _lab_skipped, "the activation's derivative is skipped"),
    ("L_model_backward", _lmb_sign, "dAL has the wrong sign"),
    ("update_parameters", _update_uphill, "the step goes uphill"),
]


@pytest.mark.parametrize("name, wrong, words", PUBLIC_MISTAKES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(PUBLIC_MISTAKES)])
def test_public_checks_fail_on_wrong_code_and_name_the_mistake(name, wrong, words):
    _fails(getattr(public, f"check_{name}"), wrong, words)


def test_public_check_reports_an_unfinished_function():
    def not_done(*args):
        raise NotImplementedError()

    out = _fails(public.check_L_model_backward, not_done, "not implemented yet")
    assert "✗ 1 problem(s)" in out


# ============================================================================================
# (c) hidden checks: the solution passes, bugs are caught, a release scores 0
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
            assert report.total >= 4 and report.passed == report.total, report.text()


def test_reference_passes_hidden_checks_for_many_seeds():
    checks = load_checks(AID, SOLUTIONS)
    for seed in range(25):
        for name, check in checks.items():
            report = grade_in_process(check, getattr(ref, name), seed=seed)
            assert report.passed == report.total, report.text()


def test_hidden_cases_cover_depths_one_to_five_and_single_examples():
    checks = load_checks(AID, SOLUTIONS)
    for name in ("initialize_parameters_deep", "L_model_forward", "L_model_backward",
                 "update_parameters"):
        depths, singles = set(), 0
        for seed in range(12):
            for case in checks[name].cases(np.random.default_rng(seed)):
                depths.add(int(re.search(r"L = (\d)", case.label).group(1)))
                singles += "m = 1" in case.label
        assert depths == {1, 2, 3, 4, 5}, (name, depths)
        assert singles or name in ("initialize_parameters_deep", "update_parameters"), name


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
    ("initialize_parameters", [("W2 = np.random.randn(n_y, n_h) * 0.01", "W2 = np.random.randn(n_y, n_h)")],
     "W2 is not multiplied by 0.01"),
    ("initialize_parameters", [("b1 = np.zeros((n_h, 1))", "b1 = np.zeros(n_h)")], "shape"),
    ("initialize_parameters", [("W1 = np.random.randn(n_h, n_x) * 0.01\n    b1 = np.zeros((n_h, 1))\n"
                                "    W2 = np.random.randn(n_y, n_h) * 0.01",
                                "W2 = np.random.randn(n_y, n_h) * 0.01\n    b1 = np.zeros((n_h, 1))\n"
                                "    W1 = np.random.randn(n_h, n_x) * 0.01")], "draw W1 before W2"),
    ("initialize_parameters_deep", [(" * 0.01", "")], "not multiplied by 0.01"),
    ("initialize_parameters_deep", [("for l in range(1, L):", "for l in range(1, L - 1):")],
     "the last layer is missing"),
    ("initialize_parameters_deep", [("for l in range(1, L):", "for l in range(1, 3):")],
     "only W1, b1, W2, b2 are created"),
    ("initialize_parameters_deep", [("np.random.randn(layer_dims[l], layer_dims[l - 1])",
                                     "np.random.randn(layer_dims[l - 1], layer_dims[l])")], "transposed"),
    ("linear_forward", [("Z = np.dot(W, A) + b", "Z = np.dot(W, A)")], "b is not added"),
    ("linear_forward", [("cache = (A, W, b)", "cache = (W, A, b)")], "the cache must be (A, W, b)"),
    ("linear_forward", [("cache = (A, W, b)", "cache = (A, W)")], "must hold b too"),
    ("linear_forward", [("np.dot(W, A)", "W * A")], "entry by entry"),
    ("linear_activation_forward", [("A, activation_cache = sigmoid(Z)", "A, activation_cache = relu(Z)")],
     "the wrong activation"),
    ("linear_activation_forward", [("cache = (linear_cache, activation_cache)",
                                    "cache = (activation_cache, linear_cache)")], "in this order"),
    ("linear_activation_forward", [("A, activation_cache = relu(Z)",
                                    "A = relu(Z)\n        activation_cache = Z")], "unpack it"),
    ("linear_activation_forward", [("cache = (linear_cache, activation_cache)", "cache = (linear_cache, A)")],
     "not A"),
    ("L_model_forward", [('linear_activation_forward(A, W, b, "sigmoid")',
                          'linear_activation_forward(A, W, b, "relu")')], "must use sigmoid"),
    ("L_model_forward", [('W, b = parameters["W" + str(L)], parameters["b" + str(L)]',
                          'W, b = parameters["W3"], parameters["b3"]')],
     "reads a layer the network does not have"),
    ("L_model_forward", [("    caches.append(cache)\n    ### END SOLUTION", "    ### END SOLUTION")],
     "the output layer's cache is missing"),
    ("L_model_forward", [('linear_activation_forward(A, W, b, "relu")',
                          'linear_activation_forward(A, W, b, "sigmoid")')], "must use relu"),
    ("compute_cost", [("(1 - Y) * np.log(1 - AL)) / m", "(1 - Y) * np.log(1 - AL))")], "not divided by m"),
    ("compute_cost", [("Y * np.log(AL) + (1 - Y) * np.log(1 - AL)", "Y * np.log(AL)")],
     "(1 - y) * log(1 - a) part"),
    ("compute_cost", [("cost = -np.sum", "cost = np.sum")], "sign is flipped"),
    ("compute_cost", [("(1 - Y) * np.log(1 - AL)", "(1 - Y) * np.log(AL)")], None),
    ("linear_backward", [("dW = np.dot(dZ, A_prev.T) / m", "dW = np.dot(dZ, A_prev.T)")],
     "dW is not divided by m"),
    ("linear_backward", [("m = A_prev.shape[1]", "m = A_prev.shape[0]")], "m is the number of examples"),
    ("linear_backward", [("np.sum(dZ, axis=1, keepdims=True) / m", "np.sum(dZ) / m")],
     "db sums over the examples only"),
    ("linear_backward", [("np.sum(dZ, axis=1, keepdims=True)", "np.sum(dZ, axis=1)")],
     "the column dimension is missing"),
    ("linear_backward", [("dA_prev = np.dot(W.T, dZ)", "dA_prev = np.dot(W.T, dZ) / m")], "has no 1/m"),
    ("linear_activation_backward", [("dZ = relu_backward(dA, activation_cache)",
                                     "dZ = sigmoid_backward(dA, activation_cache)")], "the wrong activation"),
    ("linear_activation_backward", [("linear_cache, activation_cache = cache",
                                     "activation_cache, linear_cache = cache")], "unpack it in this order"),
    ("linear_activation_backward", [("linear_backward(dZ, linear_cache)", "linear_backward(dA, linear_cache)")],
     "the activation's derivative is skipped"),
    ("L_model_backward", [("dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))",
                           "dAL = np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)")], "dAL has the wrong sign"),
    ("L_model_backward", [("dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))", "dAL = AL - Y")],
     "AL - Y is dZ of the output layer"),
    ("L_model_backward", [("for l in reversed(range(L - 1)):", "for l in range(L - 1):")],
     "reads a gradient that is not computed yet"),
    ("L_model_backward", [('caches[L - 1], "sigmoid")', 'caches[L - 1], "relu")')],
     "goes back through 'sigmoid'"),
    ("L_model_backward", [("caches[L - 1]", "caches[1]")], "caches has one entry per layer"),
    ("L_model_backward", [('grads["dA" + str(L - 1)] = dA_prev', 'grads["dA" + str(L)] = dA_prev')], None),
    ("update_parameters", [("for l in range(1, L + 1):", "for l in range(1, L):")],
     "the last layer is not updated"),
    ("update_parameters", [("learning_rate * grads", "0.1 * grads"), ("learning_rate * grads", "0.1 * grads")],
     "the learning_rate argument is ignored"),
    ("update_parameters", [('        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate'
                            ' * grads["db" + str(l)]\n', "")], "the biases b1 .. bL must be updated too"),
    ("update_parameters", [('parameters["W" + str(l)] - learning_rate', 'parameters["W" + str(l)] + learning_rate'),
                           ('parameters["b" + str(l)] - learning_rate', 'parameters["b" + str(l)] + learning_rate')],
     "the step goes uphill"),
    ("update_parameters", [("for l in range(1, L + 1):", "for l in range(1, 3):")],
     "only W1, b1, W2, b2 are updated"),
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


def test_a_fixed_depth_forward_pass_fails_at_every_other_depth(cells):
    """The curriculum's student hard-coded W3/b3: right for L = 3, wrong for every other depth."""
    mutated = mutate(cells, "L_model_forward", 'W, b = parameters["W" + str(L)], parameters["b" + str(L)]',
                     'W, b = parameters["W3"], parameters["b3"]')
    for seed in (3, 4, 5):
        report = hidden_report(AID, "L_model_forward", mutated, seed=seed)
        for line in report.lines:
            if "L = 3," in line and "m = 1" not in line:
                assert "✓" in line, report.text()
            elif "L = 1," in line or "L = 2," in line:
                assert "✗" in line, report.text()


def test_numerical_case_catches_a_gradient_the_reference_also_gets_wrong():
    """The numerical case is judged against finite differences, not against the reference."""
    check = load_checks(AID, SOLUTIONS)["L_model_backward"]
    case = check.cases(np.random.default_rng(7))[-1]
    halved = {k: v / 2 for k, v in ref.L_model_backward(*case.args).items()}
    from dlcourse.autograder.checks import CallOutcome, judge
    problems = judge(check, case, CallOutcome(True, halved, case.args, case.kwargs), case.expected,
                     reveal=False)
    assert problems and "same factor" in problems[0]


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


@pytest.mark.parametrize("function, old, new", [
    ("linear_backward", "m = A_prev.shape[1]", "m = A_prev.shape[0]"),
    ("L_model_backward", "dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))", "dAL = AL - Y"),
    ("compute_cost", "(1 - Y) * np.log(1 - AL)) / m", "(1 - Y) * np.log(1 - AL)) / 2"),
])
def test_hidden_reports_never_show_reference_values(cells, function, old, new):
    report = hidden_report(AID, function, mutate(cells, function, old, new), seed=11)
    assert report.passed < report.total
    text = "\n".join(line.split("): ", 1)[1] for line in report.lines if "✗" in line)  # no labels
    assert not re.search(r"\d\.\d{3,}", text), text


# ============================================================================================
# (d) the notebook
# ============================================================================================

def test_setup_cell_imports_only():
    nb = source_notebook(AID)
    setup = nb.cells[2].source
    assert "from dlcourse.autograder.kernel import grade" in setup
    assert "from dlcourse.utils.deep_network import" in setup
    assert "matplotlib.pyplot" not in setup  # the worker runs this cell for every submission
    for line in setup.splitlines():
        assert (not line.strip() or line.startswith(("%", "import ", "from ", "#", " ", ")"))
                or line.strip() in ('warnings.filterwarnings("ignore")  # nothing may print to stderr '
                                    'in a graded cell', "np.random.seed(1)")), line


def test_teaching_aids():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = deep_network.layer_shapes([12288, 20, 7, 5, 1], 209)
    assert [r["W"] for r in rows] == [(20, 12288), (7, 20), (5, 7), (1, 5)]
    assert [r["b"] for r in rows] == [(20, 1), (7, 1), (5, 1), (1, 1)]
    assert [r["Z"] for r in rows] == [(20, 209), (7, 209), (5, 209), (1, 209)] == [r["A"] for r in rows]
    assert sum(r["parameters"] for r in rows) == 245973
    _, out = _quietly(deep_network.print_layer_shapes, [12288, 20, 7, 5, 1], 209)
    assert "(20, 12288)" in out and "245,973" in out
    _, caches = ref.L_model_forward(np.ones((4, 5)), ref.initialize_parameters_deep([4, 3, 2, 1]))
    _, out = _quietly(deep_network.describe_caches, caches)
    assert out.splitlines()[0] == ("layer 1: linear_cache = (A_prev 4x5, W 3x4, b 3x1),  "
                                   "activation_cache = Z 3x5")
    _, out = _quietly(deep_network.describe_caches, [(np.ones(2), (1, 2, 3))])
    assert "not ((A_prev, W, b), Z)" in out
    for depth in (1, 3, 5):
        fig = deep_network.plot_network_flow(depth)
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert sum("backward" in t for t in texts) >= depth
        assert any(f"cache {depth}:" in t for t in texts)
        plt.close(fig)


def test_notebook_runs_under_autograde(monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    nb = source_notebook(AID)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(ASSIGNMENTS / AID)}}).execute()
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        for out in c.outputs:
            assert out.output_type != "error", (c.metadata.nbgrader.grade_id, out)
            assert not (out.output_type == "stream" and out.name == "stderr"), \
                (c.metadata.nbgrader.grade_id, out.text)
    demo = next(c for c in nb.cells if c.metadata.nbgrader.grade_id == "caches_demo")
    text = "".join(o.get("text", "") for o in demo.outputs)
    expected = next(c.source for c in nb.cells if c.metadata.nbgrader.grade_id == "caches_md")
    for line in text.splitlines()[1:]:
        assert line in expected, line
