"""a09 convolution step by step: the references reproduce the curriculum, the public checks name
the mistakes, the hidden checks catch realistic bugs (ignored strides, pads, biases, height/width
mix-ups, pooling over channels, argmax masks, [pad:-pad]) and give the named ones no credit, the
backward passes agree with numerical gradients, the vectorized versions agree with the loops and
are graded on their values only (no score depends on the grading machine's load), the teaching aids
work, and the notebook follows the authoring rules."""
from __future__ import annotations

import contextlib
import functools
import io
import re

import numpy as np
import pytest

from dlcourse.autograder.checks import CallOutcome, judge
from dlcourse.autograder.hidden import grade_in_process, grade_notebook_code, load_checks, worker_cells
from dlcourse.utils import convolution
from dlcourse.utils.checks import a09_convolution_step_by_step as public
from tests.support import (ASSIGNMENTS, SOLUTIONS, hidden_report, mutate, reference_module,
                           solution_cells, source_notebook, release_cells)

AID = "a09_convolution_step_by_step"
FUNCTIONS = ["zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
             "create_mask_from_window", "distribute_value", "pool_backward", "conv_forward_fast",
             "pool_forward_fast"]
POINTS = {"zero_pad": 1, "conv_single_step": 1, "conv_forward": 3, "pool_forward": 2,
          "conv_backward": 3, "create_mask_from_window": 1, "distribute_value": 1,
          "pool_backward": 2, "conv_forward_fast": 2, "pool_forward_fast": 1}
#: seconds: no hidden case may time out sooner (a correct loop needs milliseconds on any of them)
MIN_TIMEOUT = 5.0

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


@functools.lru_cache(maxsize=None)
def _hidden_cases(name, seed):
    """The hidden cases of ``name`` for one seed (built once: several tests look at them)."""
    from dlcourse.autograder.hidden import _rng

    checks = load_checks(AID, SOLUTIONS)
    return tuple(checks[name].cases(_rng(seed, name)))


# ============================================================================================
# (a) the references reproduce curriculum section 9
# ============================================================================================

def test_curriculum_values():
    """The expected numbers of curriculum 9.3, checked directly (not through the public module)."""
    x, pad = public.zero_pad_test_case()
    x_pad = ref.zero_pad(x, pad)
    assert x.shape == (4, 3, 3, 2) and x_pad.shape == (4, 9, 9, 2)
    np.testing.assert_allclose(x[1, 1], [[0.90085595, -0.68372786], [-0.12289023, -0.93576943],
                                         [-0.26788808, 0.53035547]], atol=6e-9)
    assert not x_pad[1, 1].any() and x_pad[1, 1].shape == (9, 2)
    x, pad = public.zero_pad_test_case_2()
    x_pad = ref.zero_pad(x, pad)
    assert x_pad.shape == (5, 8, 8, 3) and np.array_equal(x_pad[:, 2:-2, 2:-2, :], x)
    assert np.count_nonzero(x_pad) == x.size

    Z = ref.conv_single_step(*public.conv_single_step_test_case())
    assert isinstance(Z, (float, np.floating)) and Z == pytest.approx(-6.999089450680221, rel=1e-13)
    assert ref.conv_single_step(*public.conv_single_step_test_case_2()) == \
        pytest.approx(-3.5443670581382474, rel=1e-13)

    Z, cache = ref.conv_forward(*public.conv_forward_test_case())
    assert Z.shape == (2, 3, 4, 8) and Z.mean() == pytest.approx(0.5511276474566768, rel=1e-12)
    np.testing.assert_allclose(Z[0, 2, 1], [-2.17796037, 8.07171329, -0.5772704, 3.36286738,
                                            4.48113645, -2.89198428, 10.99288867, 3.03171932], atol=6e-9)
    np.testing.assert_allclose(cache[0][1][2][3], [-1.1191154, 1.9560789, -0.3264995, -1.34267579],
                               atol=6e-9)
    shapes = [ref.conv_forward(*args)[0].shape for args in public.conv_forward_test_case_2()]
    assert shapes == [(2, 9, 11, 8), (2, 2, 3, 8), (2, 13, 15, 8)]
    Z, cache = ref.conv_forward(*public.conv_forward_test_case_2()[2])
    assert Z.mean() == pytest.approx(-0.5384027772160062, rel=1e-12)
    np.testing.assert_allclose(cache[0][1, 2][0], [1.98848968, 1.19505834, -0.0952376, -0.52718778],
                               atol=6e-9)

    A_prev = public.pool_forward_test_case()
    A, _ = ref.pool_forward(A_prev, {"stride": 1, "f": 3})
    assert A.shape == (2, 3, 3, 3)
    np.testing.assert_allclose(A[1, 1], [[1.96710175, 0.84616065, 1.27375593],
                                         [1.96710175, 0.84616065, 1.23616403],
                                         [1.62765075, 1.12141771, 1.2245077]], atol=6e-9)
    A, _ = ref.pool_forward(A_prev, {"stride": 1, "f": 3}, mode="average")
    np.testing.assert_allclose(A[1, 1], [[0.44497696, -0.00261695, -0.31040307],
                                         [0.50811474, -0.23493734, -0.23961183],
                                         [0.11872677, 0.17255229, -0.22112197]], atol=6e-9)
    A, _ = ref.pool_forward(A_prev, {"stride": 2, "f": 3})
    assert A.shape == (2, 2, 2, 3)
    np.testing.assert_allclose(A[0], public._POOL_S2_MAX_A0, atol=6e-9)
    A, _ = ref.pool_forward(A_prev, {"stride": 2, "f": 3}, mode="average")
    np.testing.assert_allclose(A[1], public._POOL_S2_AVERAGE_A1, atol=6e-9)
    A, _ = ref.pool_forward(A_prev, {"stride": 1, "f": 2})
    np.testing.assert_allclose(A[1, 1, 0], [1.19891788, 0.74055645, 0.07734007], atol=6e-9)
    A, _ = ref.pool_forward(A_prev, {"stride": 1, "f": 2}, mode="average")
    np.testing.assert_allclose(A[1, 1, 3], [-0.04092568, -0.01110394, 0.12495022], atol=6e-9)
    assert [ref.pool_forward(a, hp, mode)[0].shape for a, hp, mode in public.pool_forward_shape_cases()] \
        == [(2, 2, 3, 3), (4, 1, 3, 4)]

    dZ, cache = public.conv_backward_test_case()
    dA, dW, db = ref.conv_backward(dZ, cache)
    assert (dA.shape, dW.shape, db.shape) == ((10, 4, 4, 3), (2, 2, 3, 8), (1, 1, 1, 8))
    assert (dA.mean(), dW.mean(), db.mean()) == (pytest.approx(1.45243777754, abs=6e-12),
                                                 pytest.approx(1.72699145831, abs=6e-12),
                                                 pytest.approx(7.83923256462, abs=6e-12))

    x = public.create_mask_from_window_test_case()
    np.testing.assert_allclose(x, [[1.62434536, -0.61175641, -0.52817175],
                                   [-1.07296862, 0.86540763, -2.3015387]], atol=6e-9)
    assert ref.create_mask_from_window(x).tolist() == [[True, False, False], [False, False, False]]
    mask = ref.create_mask_from_window(np.array([[-1, 2, 3], [2, -3, 2], [1, 5, -2]]))
    assert np.argwhere(mask).tolist() == [[2, 1]]

    assert ref.distribute_value(2, (2, 2)).tolist() == [[0.5, 0.5], [0.5, 0.5]]
    assert ref.distribute_value(100, (10, 10)).sum() == pytest.approx(100)

    dA, cache = public.pool_backward_test_case()
    assert ref.pool_forward(*cache)[0].shape == (5, 4, 2, 2) == dA.shape
    assert dA.mean() == pytest.approx(0.145713902729, abs=6e-13)
    np.testing.assert_allclose(ref.pool_backward(dA, cache, mode="max")[1, 1],
                               [[0.0, 0.0], [5.05844394, -1.68282702], [0.0, 0.0]], atol=6e-9)
    np.testing.assert_allclose(ref.pool_backward(dA, cache, mode="average")[1, 1],
                               [[0.08485462, 0.2787552], [1.26461098, -0.25749373],
                                [1.17975636, -0.53624893]], atol=6e-9)


def test_stored_dZ_is_the_output_of_the_course_forward_pass():
    """check_conv_backward ships Z as data (no convolution in the installed package): it must be
    exactly conv_forward on the course's inputs."""
    dZ, cache = public.conv_backward_test_case()
    assert dZ.shape == (10, 4, 4, 8) and dZ.dtype == np.float64 and dZ.flags.writeable
    assert np.array_equal(dZ, ref.conv_forward(*cache)[0])


def test_test_cases_leave_the_global_generator_alone():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    for name in public.__all__:
        if name.endswith(("_test_case", "_test_case_2", "_cases")):
            getattr(public, name)()
    assert np.array_equal(np.random.get_state()[1], before)


def test_numerical_gradients_match_the_reference():
    """The numerical cases' expected values agree with the analytic references far inside the
    tolerances, on many random layers (so that a correct student always passes them)."""
    rng = np.random.default_rng(0)
    worst = 0.0
    for _ in range(6):
        A_prev, W, b, hp = ref._conv_layer(rng, int(rng.integers(2, 5)), int(rng.integers(0, 3)),
                                           int(rng.integers(1, 4)), 2, 2, 3, low=4, high=8, min_out=2)
        n_H, n_W = (ref._out(n, W.shape[0], hp["pad"], hp["stride"]) for n in A_prev.shape[1:3])
        dZ = rng.normal(size=(2, n_H, n_W, 3))
        for num, exact in zip(ref.numerical_conv_grads(A_prev, W, b, hp, dZ),
                              ref.conv_backward(dZ, (A_prev, W, b, hp))):
            worst = max(worst, float(np.max(np.abs(num - exact) / (1e-8 + 1e-6 * np.abs(exact)))))
    for mode in ("max", "average"):
        for _ in range(4):
            A_prev = ref._pool_input(rng, 3, 2, 2, 2)
            hp = {"f": 3, "stride": 2}
            if mode == "max" and not ref._well_separated(A_prev, 3, 2):
                continue
            n_H, n_W = (ref._out(n, 3, 0, 2) for n in A_prev.shape[1:3])
            dA = rng.normal(size=(2, n_H, n_W, 2))
            num = ref.numerical_pool_grads(A_prev, hp, dA, mode)
            exact = ref.pool_backward(dA, (A_prev, hp), mode=mode)
            worst = max(worst, float(np.max(np.abs(num - exact) / (1e-7 + 1e-6 * np.abs(exact)))))
    assert worst < 0.05, worst  # in units of the tolerance


def test_numerical_cases_are_judged_by_the_numerical_gradient_not_the_reference():
    checks = load_checks(AID, SOLUTIONS)
    for name in ("conv_backward", "pool_backward"):
        cases = [c for c in checks[name].cases(np.random.default_rng(7)) if c.has_expected]
        assert cases and all("numerical gradient" in c.label for c in cases), name
        for case in cases:
            right = ref.pool_backward(*case.args, **case.kwargs) if name == "pool_backward" \
                else ref.conv_backward(*case.args)
            assert judge(checks[name], case, CallOutcome(True, right, case.args, case.kwargs),
                         case.expected, reveal=False) == []
            halved = right / 2 if name == "pool_backward" else tuple(g / 2 for g in right)
            problems = judge(checks[name], case, CallOutcome(True, halved, case.args, case.kwargs),
                             case.expected, reveal=False)
            assert problems and "same factor" in problems[0]


# ============================================================================================
# (b) the vectorized versions agree with the loops
# ============================================================================================

def test_vectorized_references_equal_the_loops_on_random_layers():
    rng = np.random.default_rng(3)
    for _ in range(12):
        f, stride, pad = int(rng.integers(1, 5)), int(rng.integers(1, 4)), int(rng.integers(0, 3))
        A_prev, W, b, hp = ref._conv_layer(rng, f, pad, stride, int(rng.integers(1, 3)),
                                           int(rng.integers(1, 4)), int(rng.integers(1, 4)), low=4, high=9)
        Z, cache = ref.conv_forward(A_prev, W, b, hp)
        Z_fast, cache_fast = ref.conv_forward_fast(A_prev, W, b, hp)
        np.testing.assert_allclose(Z_fast, Z, rtol=1e-12, atol=1e-12)
        assert all(x is y for x, y in zip(cache, cache_fast))
        dZ = rng.normal(size=Z.shape)
        for fast, loop in zip(ref.conv_backward_fast(dZ, cache), ref.conv_backward(dZ, cache)):
            np.testing.assert_allclose(fast, loop, rtol=1e-12, atol=1e-12)
        hp_pool = {"f": int(rng.integers(1, 4)), "stride": int(rng.integers(1, 4))}
        A_pool = ref._pool_input(rng, hp_pool["f"], hp_pool["stride"], 2, 3, integers=bool(rng.random() < 0.5))
        for mode in ("max", "average"):
            A, cache = ref.pool_forward(A_pool, hp_pool, mode)
            np.testing.assert_allclose(ref.pool_forward_fast(A_pool, hp_pool, mode)[0], A, rtol=1e-12)
            dA = rng.normal(size=A.shape)
            np.testing.assert_allclose(ref.pool_backward_fast(dA, cache, mode),
                                       ref.pool_backward(dA, cache, mode), rtol=1e-12, atol=1e-12)


def _notebook_namespace():
    namespace: dict = {}
    for src in solution_cells(AID):
        exec(compile(src, "<notebook cell>", "exec"), namespace)
    return namespace


def test_the_notebooks_fast_functions_equal_its_loops():
    nb = _notebook_namespace()
    rng = np.random.default_rng(11)
    for _ in range(8):
        f, stride, pad = int(rng.integers(1, 5)), int(rng.integers(1, 4)), int(rng.integers(0, 3))
        A_prev, W, b, hp = ref._conv_layer(rng, f, pad, stride, 2, 3, 4, low=4, high=9)
        np.testing.assert_allclose(nb["conv_forward_fast"](A_prev, W, b, hp)[0],
                                   nb["conv_forward"](A_prev, W, b, hp)[0], rtol=1e-12, atol=1e-12)
        hp_pool = {"f": int(rng.integers(1, 4)), "stride": int(rng.integers(1, 4))}
        A_pool = ref._pool_input(rng, hp_pool["f"], hp_pool["stride"], 2, 3)
        for mode in ("max", "average"):
            np.testing.assert_allclose(nb["pool_forward_fast"](A_pool, hp_pool, mode)[0],
                                       nb["pool_forward"](A_pool, hp_pool, mode)[0], rtol=1e-12)


# ============================================================================================
# (c) the public checks: pass on the reference, name the mistakes, print the notebook's numbers
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
    assert printed <= shown, sorted(printed - shown)


def _css_float_b(a_slice_prev, W, b):
    return float(np.sum(a_slice_prev * W)) + float(b)  # TypeError on numpy 2


def _conv_cache_reordered(A_prev, W, b, hparameters):
    Z, _ = ref.conv_forward(A_prev, W, b, hparameters)
    return Z, (W, A_prev, b, hparameters)


def _fast(fn):
    """A wrong loop function, presented as a *_fast one (the public check cares only about values)."""
    return lambda *args, **kwargs: fn(*args, **kwargs)


PUBLIC_MISTAKES = [
    ("zero_pad", ref._zero_pad_with(lambda p: p), "every axis is padded"),
    ("zero_pad", ref._zero_pad_with(lambda p: ((0, 0), (p, p), (0, 0), (0, 0))), "only the height is padded"),
    ("conv_single_step", ref._css_with(bias=0.0), "the bias is missing"),
    ("conv_single_step", lambda a, W, b: np.sum(a * W) + b, "Z is an array of shape (1, 1, 1)"),
    ("conv_single_step", _css_float_b, "float(b) fails on numpy 2"),
    ("conv_forward", ref._conv_with(bias=False), "the bias is missing"),
    ("conv_forward", ref._conv_with(step="one"), "the stride is ignored"),
    ("conv_forward", _conv_cache_reordered, "cache = '(W, A_prev, b, hparameters)'"),
    ("conv_forward", ref._conv_with(swap_hw=True), "Z.shape = '(2, 3, 3, 8)'   expected '(2, 3, 4, 8)'"),
    ("pool_forward", ref._pool_with(over_channels=True), "pooled over every channel at once"),
    ("pool_forward", ref._pool_with(mode_used="max"), 'mode = "average" returned the maxima'),
    ("conv_backward", ref._conv_back_with(unpad="none"), "dA_prev still has the padding"),
    ("conv_backward", ref._conv_back_with(accumulate_dA=False), "da_prev_pad is overwritten"),
    ("conv_backward", ref._conv_back_with(bias=False), "db is missing"),
    ("create_mask_from_window", ref._mask_argmax, "only one entry is True"),
    ("distribute_value", ref._distribute_with(lambda h, w: 1), "dz is copied to every entry"),
    ("distribute_value", ref._distribute_with(lambda h, w: h * h), "height and width are mixed up"),
    ("pool_backward", ref._pool_back_with(accumulate=False), "dA_prev is overwritten"),
    ("pool_backward", ref._pool_back_with(mode_used="max"), 'mode = "average" went back the max way'),
    ("pool_backward", ref._pool_back_with(average_divides=False), "gets all of dA"),
    ("conv_forward_fast", _fast(ref._conv_with(bias=False)), "the bias is missing"),
    ("pool_forward_fast", _fast(ref._pool_with(over_channels=True)), "pooled over every channel"),
]


@pytest.mark.parametrize("name, wrong, words", PUBLIC_MISTAKES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(PUBLIC_MISTAKES)])
def test_public_checks_fail_on_wrong_code_and_name_the_mistake(name, wrong, words):
    _fails(getattr(public, f"check_{name}"), wrong, words)


def test_public_check_reports_an_unfinished_function():
    def not_done(*args, **kwargs):
        raise NotImplementedError()

    out = _fails(public.check_conv_backward, not_done, "not implemented yet")
    assert "✗ 1 problem(s)" in out


# ============================================================================================
# (d) hidden checks: the solution passes, bugs are caught, a release scores 0
# ============================================================================================

@pytest.fixture(scope="module")
def cells():
    return solution_cells(AID)


def test_solution_passes_every_hidden_case(cells):
    """In the worker, with the real timeouts."""
    checks = load_checks(AID, SOLUTIONS)
    assert set(checks) == set(FUNCTIONS)
    for seed in (2024,):  # more seeds, in-process: test_reference_passes_hidden_checks_for_many_seeds
        reports = grade_notebook_code(checks, FUNCTIONS, cells, seed=seed)
        for name, report in reports.items():
            assert report.total >= 5 and report.passed == report.total, report.text()


def test_reference_passes_hidden_checks_for_many_seeds():
    checks = load_checks(AID, SOLUTIONS)
    for seed in range(8):
        for name, check in checks.items():
            report = grade_in_process(check, getattr(ref, name), seed=seed)
            assert report.passed == report.total, report.text()


def test_hidden_cases_cover_the_edge_cases():
    """Non-square images and outputs everywhere, strides 3-4, pads other than the visible
    examples', pad = 0 for conv_backward, overlapping windows, ties, m = 1, channels >= 2."""
    seen = {k: 0 for k in ("pad0", "overlap", "gaps", "tie_pool", "tie_mask", "m1_conv", "m1_pool")}
    for seed in range(6):
        for name in ("conv_forward", "conv_backward", "conv_forward_fast"):
            for case in _hidden_cases(name, seed):
                A_prev, W, b, hp = case.args if name != "conv_backward" else case.args[1]
                n_H, n_W = (ref._out(n, W.shape[0], hp["pad"], hp["stride"]) for n in A_prev.shape[1:3])
                assert A_prev.shape[1] != A_prev.shape[2] and n_H != n_W, case.label
                assert hp["stride"] in (3, 4) and A_prev.shape[3] >= 2 and W.shape[3] >= 2, case.label
                assert np.all(b != 0) and len(set(b.ravel())) == b.size
                if name == "conv_backward":
                    assert hp["pad"] in (0, 1, 3), case.label
                    seen["pad0"] += hp["pad"] == 0
                    seen["overlap"] += W.shape[0] > hp["stride"]
                else:
                    assert hp["pad"] in (2, 3), case.label
                seen["m1_conv"] += A_prev.shape[0] == 1
        for name in ("pool_forward", "pool_backward", "pool_forward_fast"):
            for case in _hidden_cases(name, seed):
                A_prev, hp = case.args if name != "pool_backward" else case.args[1]
                n_H, n_W = (ref._out(n, hp["f"], 0, hp["stride"]) for n in A_prev.shape[1:3])
                assert A_prev.shape[1] != A_prev.shape[2] and n_H != n_W, case.label
                assert hp["stride"] in (3, 4) and A_prev.shape[3] >= 2, case.label
                seen["gaps"] += hp["f"] < hp["stride"]
                seen["m1_pool"] += A_prev.shape[0] == 1
                if name == "pool_backward" and case.kwargs.get("mode") == "max":
                    windows = ref._strided_windows(A_prev, hp["f"], hp["stride"])
                    tops = (windows == windows.max(axis=(4, 5), keepdims=True)).sum(axis=(4, 5))
                    seen["tie_pool"] += bool((tops > 1).any())
        for case in _hidden_cases("create_mask_from_window", seed):
            x = case.args[0]
            seen["tie_mask"] += int((x == x.max()).sum() > 1)
        for case in _hidden_cases("zero_pad", seed):
            X, pad = case.args
            assert X.shape[1] != X.shape[2] and pad in (1, 4, 5), case.label
        for case in _hidden_cases("distribute_value", seed):
            assert case.args[1][0] != case.args[1][1], case.label
    assert all(seen.values()), seen
    assert seen["tie_mask"] >= 18  # at least three tie cases per seed


def test_hidden_cases_stay_small_enough_for_naive_loops():
    """A correct loop implementation makes at most a few thousand inner iterations per case, so
    grading a submission stays within seconds, and a loop is far inside every timeout -- the
    *_fast functions included."""
    for seed in range(6):
        for name in FUNCTIONS:
            for case in _hidden_cases(name, seed):
                if name in ("conv_forward", "conv_backward", "conv_forward_fast"):
                    args = case.args if name != "conv_backward" else case.args[1]
                    Z, _ = ref.conv_forward_fast(*args)
                    assert Z.size <= 1000, (name, case.label)
                if name in ("pool_forward", "pool_backward", "pool_forward_fast"):
                    A_prev, hp = case.args if name != "pool_backward" else case.args[1]
                    assert ref.pool_forward_fast(A_prev, hp)[0].size <= 1000, (name, case.label)


def test_grading_does_not_depend_on_the_machines_load():
    """Grading a correct submission twice, on a quiet and on a loaded machine, cannot differ: every
    hidden case of every a09 function allows at least MIN_TIMEOUT seconds (a thousand times what a
    correct loop needs), and no check turns a timeout into advice about speed."""
    checks = load_checks(AID, SOLUTIONS)
    assert set(checks) == set(FUNCTIONS)
    for seed in range(6):
        for name in FUNCTIONS:
            cases = _hidden_cases(name, seed)
            assert cases and all(case.timeout >= MIN_TIMEOUT for case in cases), \
                (name, [(c.label, c.timeout) for c in cases if c.timeout < MIN_TIMEOUT])
    for name, check in checks.items():
        for pattern, hint in check.error_hints:
            assert not re.search(pattern, "timed out after 5 s"), (name, pattern)
            assert "timed out" not in pattern and "too slow" not in hint, (name, pattern, hint)
    assert not hasattr(ref, "_FAST") and ref._SMALL >= MIN_TIMEOUT


def test_the_fast_functions_are_graded_on_their_values_only(cells):
    """The same kinds of cases as the loop versions (plus one small uint8 batch for pooling), so a
    loop version submitted as conv_forward_fast / pool_forward_fast earns every point."""
    for fast, loop in (("conv_forward_fast", "conv_forward"), ("pool_forward_fast", "pool_forward")):
        for seed in range(4):
            cases, loop_cases = _hidden_cases(fast, seed), _hidden_cases(loop, seed)
            extra = [c for c in cases if "uint8" in c.label]
            assert len(cases) == len(loop_cases) + len(extra), fast
            assert len(extra) == (fast == "pool_forward_fast"), fast
            for case in extra:
                assert case.args[0].dtype == np.uint8 and case.kwargs == {"mode": "average"}
    checks = load_checks(AID, SOLUTIONS)
    for seed in range(4):
        for fast, loop in (("conv_forward_fast", ref.conv_forward), ("pool_forward_fast", ref.pool_forward)):
            report = grade_in_process(checks[fast], loop, seed=seed)
            assert report.passed == report.total, report.text()
    looped = mutate(cells, "conv_forward_fast", "    cache = (A_prev, W, b, hparameters)\n    return Z, cache",
                    "    return conv_forward(A_prev, W, b, hparameters)")
    looped = mutate(looped, "pool_forward_fast", "    cache = (A_prev, hparameters)\n    return A, cache",
                    "    return pool_forward(A_prev, hparameters, mode)")
    reports = grade_notebook_code(checks, ["conv_forward_fast", "pool_forward_fast"], looped, seed=3)
    for report in reports.values():
        assert report.passed == report.total, report.text()


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
    ("zero_pad", [("((0, 0), (pad, pad), (pad, pad), (0, 0))", "pad")], "every axis is padded"),
    ("zero_pad", [("((0, 0), (pad, pad), (pad, pad), (0, 0))", "((0, 0), (pad, pad), (0, 0), (0, 0))")],
     "only the height is padded"),
    ("zero_pad", [("(pad, pad), (pad, pad)", "(pad, 0), (pad, 0)")], "only one side is padded"),
    ("conv_single_step", [("Z = Z + b.item()", "Z = Z + float(b)")], "float(b) fails on numpy 2"),
    ("conv_single_step", [("Z = Z + b.item()", "Z = Z")], "the bias is missing"),
    ("conv_single_step", [("Z = np.sum(s)", "Z = np.mean(s)")], "np.mean divides"),
    ("conv_forward", [("vert_start = h * stride", "vert_start = h")], "the stride is ignored for the rows"),
    ("conv_forward", [("vert_start = h * stride", "vert_start = h"),
                      ("horiz_start = w * stride", "horiz_start = w")], "the stride is ignored where"),
    ("conv_forward", [('stride, pad = hparameters["stride"], hparameters["pad"]',
                       'stride, pad = 2, hparameters["pad"]')], "the stride is fixed at 2"),
    ("conv_forward", [('stride, pad = hparameters["stride"], hparameters["pad"]',
                       'stride, pad = hparameters["stride"], 1')], "the pad is fixed at 1"),
    ("conv_forward", [("n_W = (n_W_prev + 2 * pad - f) // stride + 1",
                       "n_W = (n_H_prev + 2 * pad - f) // stride + 1")], "height and width are mixed up"),
    ("conv_forward", [("conv_single_step(a_slice_prev, W[:, :, :, c], b[:, :, :, c])",
                       "np.sum(a_slice_prev * W[:, :, :, c])")], "the bias is missing"),
    ("conv_forward", [("b[:, :, :, c])", "b)")], "b.item() got more than one number"),
    ("pool_forward", [("A_prev[i, vert_start:vert_end, horiz_start:horiz_end, c]",
                       "A_prev[i, vert_start:vert_end, horiz_start:horiz_end, :]")],
     "pooled over every channel at once"),
    ("pool_forward", [("vert_start = h * stride", "vert_start = h"),
                      ("horiz_start = w * stride", "horiz_start = w")], "the stride is ignored"),
    ("pool_forward", [("np.mean(a_prev_slice)", "np.sum(a_prev_slice)")], "sums the window"),
    ("pool_forward", [('elif mode == "average":', 'elif mode == "avg":')], None),
    ("conv_backward", [("da_prev_pad[pad:pad + n_H_prev, pad:pad + n_W_prev, :]",
                        "da_prev_pad[pad:-pad, pad:-pad, :]")], "is empty for pad = 0"),
    ("conv_backward", [("horiz_start:horiz_end, :] += W[:, :, :, c]", "horiz_start:horiz_end, :] = W[:, :, :, c]")],
     "da_prev_pad is overwritten"),
    ("conv_backward", [("                    db[:, :, :, c] += dZ[i, h, w, c]\n", "")], "the gradient of the bias"),
    ("conv_backward", [("a_slice = a_prev_pad[", "a_slice = A_prev[i, ")], "f rows and f columns of the *padded* input"),
    ("conv_backward", [("vert_start = h * stride", "vert_start = h"),
                       ("horiz_start = w * stride", "horiz_start = w")], "the stride is ignored"),
    ("create_mask_from_window", [("mask = x == np.max(x)", "mask = np.zeros(x.shape, dtype=bool)\n"
                                  "    mask[np.unravel_index(np.argmax(x), x.shape)] = True")],
     "only one entry is True"),
    ("create_mask_from_window", [("mask = x == np.max(x)", "mask = x == np.max(x, axis=0)")],
     "the maximum is taken per column"),
    ("distribute_value", [("average = dz / (n_H * n_W)", "average = dz / n_H")], "divided by n_H only"),
    ("distribute_value", [("average = dz / (n_H * n_W)", "average = dz / (n_H * n_H)")],
     "height and width are mixed up"),
    ("distribute_value", [("average = dz / (n_H * n_W)", "average = dz")], "copied to every entry"),
    ("pool_backward", [("horiz_start:horiz_end, c] += mask", "horiz_start:horiz_end, c] = mask"),
                       ("horiz_start:horiz_end, c] += distribute_value", "horiz_start:horiz_end, c] = distribute_value")],
     "overwritten where windows overlap"),
    ("pool_backward", [("vert_start = h * stride", "vert_start = h"),
                       ("horiz_start = w * stride", "horiz_start = w")], "the stride is ignored"),
    ("pool_backward", [("a_prev[vert_start:vert_end, horiz_start:horiz_end, c]",
                        "a_prev[vert_start:vert_end, horiz_start:horiz_end, :]")], "the window's shape (f, f)"),
    ("pool_backward", [("distribute_value(da, (f, f))", "distribute_value(da, (n_H, n_W))")],
     "the window's shape (f, f)"),
    ("conv_forward_fast", [(" + b[0, 0, 0]", "")], "the bias is missing"),
    ("conv_forward_fast", [("[:, ::stride, ::stride]", "[:, ::2, ::2]")], "the stride is fixed at 2"),
    ("conv_forward_fast", [("[:, ::stride, ::stride]", "")], "the stride is ignored (taken as 1)"),
    ("pool_forward_fast", [("np.mean(windows, axis=(4, 5))", "np.sum(windows, axis=(4, 5))")],
     "sums the window"),
    ("pool_forward_fast", [("A = np.max(windows, axis=(4, 5))",
                            "A = np.max(windows, axis=(3, 4, 5))[..., None] + 0 * windows[..., 0, 0]")],
     "pooled over every channel"),
    ("pool_forward_fast", [("[:, ::stride, ::stride]", "")], "the stride is ignored (taken as 1)"),
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


# the named mistakes of the issue: no credit at all, and the report names them
NO_CREDIT = [
    ("conv_forward", ref._conv_with(step="one"), "the stride is ignored"),
    ("conv_forward", ref._conv_with(stride=1), "the stride is ignored (taken as 1)"),
    ("conv_forward", ref._conv_with(stride=2), "the stride is fixed at 2"),
    ("conv_forward", ref._conv_with(pad=1), "the pad is fixed at 1"),
    ("conv_forward", ref._conv_with(pad=0), "the input is not padded"),
    ("conv_forward", ref._conv_with(swap_hw=True), "height and width"),
    ("conv_forward", ref._conv_with(bias=False), "the bias is missing"),
    ("conv_single_step", ref._css_with(bias=0.0), "the bias is missing"),
    ("zero_pad", ref._zero_pad_with(lambda p: ((0, 0), (p, p), (0, 0), (0, 0))), "only the height"),
    ("zero_pad", ref._zero_pad_with(lambda p: ((0, 0), (3, 3), (3, 3), (0, 0))), "the pad is fixed at 3"),
    ("pool_forward", ref._pool_with(over_channels=True), "pooled over every channel"),
    ("pool_forward", ref._pool_with(step="one"), "the stride is ignored"),
    ("pool_forward", ref._pool_with(stride=2), "the stride is fixed at 2"),
    ("pool_forward", ref._pool_with(swap_hw=True), "height and width"),
    ("conv_backward", ref._conv_back_with(step="one"), "the stride is ignored"),
    ("conv_backward", ref._conv_back_with(swap_hw=True), "height and width"),
    ("conv_backward", ref._conv_back_with(bias=False), "db, the gradient of the bias, is missing"),
    ("pool_backward", ref._pool_back_with(step="one"), "the stride is ignored"),
    ("distribute_value", ref._distribute_with(lambda h, w: h * h), "height and width are mixed up"),
]


@pytest.mark.parametrize("function, wrong, words", NO_CREDIT,
                         ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(NO_CREDIT)])
def test_named_mistakes_earn_no_credit(function, wrong, words):
    check = load_checks(AID, SOLUTIONS)[function]
    for seed in range(4):
        with np.errstate(all="ignore"), __import__("warnings").catch_warnings():
            __import__("warnings").simplefilter("ignore")
            report = grade_in_process(check, wrong, seed=seed)
        assert report.passed == 0, report.text()
        assert words in report.text(), report.text()


def test_a_max_pool_mask_over_all_channels_fails_every_max_case():
    """In average mode pool_backward takes no maximum, so only the max cases can show it."""
    check = load_checks(AID, SOLUTIONS)["pool_backward"]
    for seed in range(4):
        report = grade_in_process(check, ref._pool_back_with(over_channels=True), seed=seed)
        for line in report.lines:  # (small tied integers may have the same maximum in every channel)
            if 'mode = "max"' in line and "integer values" not in line:
                assert "✗" in line and "taken over every channel" in line, report.text()
            elif 'mode = "average"' in line:
                assert "✓" in line, report.text()


def test_a_backward_pass_that_ignores_the_pad_passes_only_the_pad_0_case():
    """The one exception, by construction: at pad = 0 ignoring the pad changes nothing."""
    def no_pad(dZ, cache):
        A_prev, W, b, hparameters = cache
        return ref.conv_backward(dZ, (A_prev, W, b, dict(hparameters, pad=0)))

    check = load_checks(AID, SOLUTIONS)["conv_backward"]
    for seed in range(4):
        report = grade_in_process(check, no_pad, seed=seed)
        assert report.passed == 1 and report.total >= 5, report.text()
        assert all(("pad = 0," in line) == ("✓" in line) for line in report.lines), report.text()


def test_an_argmax_mask_fails_every_tie():
    check = load_checks(AID, SOLUTIONS)["create_mask_from_window"]
    for seed in range(4):
        report = grade_in_process(check, ref._mask_argmax, seed=seed)
        for line in report.lines:
            assert ("✗" in line) == ("tie" in line or "all equal" in line), report.text()


def test_simulated_partial_student_scores_between_zero_and_full(cells):
    mutated = cells
    for function, old, new in ref.SIMULATED_MISTAKES:
        mutated = mutate(mutated, function, old, new)
    reports = grade_notebook_code(load_checks(AID, SOLUTIONS), FUNCTIONS, mutated, seed=8)
    score = sum(r.score(POINTS[n]) for n, r in reports.items())
    assert 0 < score < sum(POINTS.values()), {n: r.passed for n, r in reports.items()}
    assert 0 < reports["conv_backward"].passed < reports["conv_backward"].total
    assert "is empty for pad = 0" in reports["conv_backward"].text()
    assert "only one entry is True" in reports["create_mask_from_window"].text()


@pytest.mark.parametrize("function, old, new", [
    ("conv_forward", "vert_start = h * stride", "vert_start = h"),
    ("conv_backward", "db[:, :, :, c] += dZ[i, h, w, c]", "db[:, :, :, c] += 2 * dZ[i, h, w, c]"),
    ("distribute_value", "average = dz / (n_H * n_W)", "average = dz / (n_H * n_W + 1)"),
])
def test_hidden_reports_never_show_reference_values(cells, function, old, new):
    report = hidden_report(AID, function, mutate(cells, function, old, new), seed=11)
    assert report.passed < report.total
    text = "\n".join(line.split("): ", 1)[1] for line in report.lines if "✗" in line)  # no labels
    assert not re.search(r"\d\.\d{3,}", text), text


# ============================================================================================
# (e) the notebook
# ============================================================================================

def test_notebook_specifics():
    """The common layout is checked in tests/test_notebooks.py; here what is special to a09."""
    ids = [c.metadata.nbgrader.grade_id for c in source_notebook(AID).cells]
    for name in FUNCTIONS:
        assert ids[ids.index(name) - 1] == f"{name}_md"
    # the vectorized functions are graded answers of their own, placed after the loop versions
    assert ids.index("conv_forward_fast") > max(ids.index(n) for n in FUNCTIONS[:8])
    assert sum(POINTS.values()) == 17


def test_setup_cell_imports_only():
    nb = source_notebook(AID)
    setup = nb.cells[2].source
    assert "from dlcourse.autograder.kernel import grade" in setup
    assert "sliding_window_view" in setup
    assert "matplotlib.pyplot" not in setup  # the worker runs this cell for every submission
    for line in setup.splitlines():
        assert (not line.strip() or line.startswith(("%", "import ", "from ", "#", " ", ")"))
                or line.strip() in ('warnings.filterwarnings("ignore")  # nothing may print to stderr '
                                    'in a graded cell', "np.random.seed(1)")), line


def test_widgets_are_never_displayed_while_grading():
    nb = source_notebook(AID)
    for c in nb.cells:
        if c.cell_type == "code" and "display(" in c.source:
            assert c.source.startswith("if is_grading():"), c.metadata.nbgrader.grade_id


def test_installed_package_holds_no_convolution():
    """utils/ is installed for every student: no sliding windows, no tensordot, no scipy there."""
    from pathlib import Path

    for path in (Path(convolution.__file__), Path(public.__file__)):
        text = path.read_text(encoding="utf-8")
        for word in ("sliding_window_view", "tensordot", "einsum", "scipy", "as_strided", "np.pad("):
            assert word not in text, (path.name, word)


def test_teaching_aids():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    assert convolution.output_size(5, 3, 1, 2) == 3 and convolution.output_size(7, 3, 1, 2) == 4
    assert convolution.output_size(5, 5, 6, 1) == 13 and convolution.output_size(9, 2, 0, 3) == 3
    with pytest.raises(ValueError):
        convolution.output_size(3, 5, 0, 1)
    text = convolution.explain_output_size(5, 7, 3, 1, 2, quiet=True)
    assert "floor((5 + 2*1 - 3) / 2) + 1 = floor(4 / 2) + 1 = 3" in text and text.endswith("output 3 x 4")
    assert "never covered" in convolution.explain_output_size(9, 14, 2, 0, 3, quiet=True)
    assert "'same'" in convolution.explain_output_size(5, 7, 3, 1, 1, quiet=True)

    x, pad = public.zero_pad_test_case()
    plt.close(convolution.plot_padding(x, ref.zero_pad(x, pad)))
    fig = convolution.plot_window(5, 7, 3, 1, 2, 1, 2)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "rows 2:5" in texts and "columns 4:7" in texts and "output 3 x 4" in texts
    plt.close(fig)
    with pytest.raises(ValueError):
        convolution.plot_window(5, 7, 3, 1, 2, 3, 0)
    fig = convolution.plot_window_steps(5, 7, 3, 1, 2)
    assert sum(ax.axison is False for ax in fig.axes) == 4
    plt.close(fig)
    fig = convolution.plot_pool_routing(np.array([[1.0, 3.0], [3.0, 0.0]]), 2.0,
                                        ref.create_mask_from_window, ref.distribute_value)
    shown = [t.get_text() for t in fig.axes[2].texts]
    assert shown.count("2") == 2 and shown.count("0") == 2
    plt.close(fig)


def _text(box) -> str:
    return "".join(o.get("text", "") for o in box.output.outputs if o.get("output_type") == "stream")


def test_output_size_calculator_follows_its_sliders():
    box = convolution.output_size_calculator(n=7, f=3, pad=1, stride=2)
    assert "= 4" in _text(box) and any(o["output_type"] == "display_data" for o in box.output.outputs)
    box.controls["stride"].value = 1
    assert "floor(6 / 1) + 1 = 7" in _text(box)
    box.controls["f"].value = 11
    assert "no window fits" in _text(box)


def test_sliding_window_explorer_follows_its_sliders():
    box = convolution.sliding_window_explorer(n_H_prev=5, n_W_prev=7, f=3, pad=1, stride=2)
    assert box.controls["step"].max == 11 and box.play.max == 11  # 3 x 4 positions
    box.controls["step"].value = 5
    assert "Z[i, 1, 1, c]" in box.status.value
    box.controls["stride"].value = 1  # 5 x 7 positions
    assert box.controls["step"].max == 34
    box.controls["step"].value = 34
    assert "Z[i, 4, 6, c]" in box.status.value
    box.controls["stride"].value = 3  # back to 2 x 3: the step is clamped
    assert box.controls["step"].max == 5 and box.controls["step"].value == 5
    assert "Z[i, 1, 2, c]" in box.status.value
    box.controls["f"].value = 7
    box.controls["pad"].value = 0
    assert "no window fits" in _text(box)


def test_race_times_and_compares():
    rng = np.random.default_rng(0)
    args = (rng.normal(size=(1, 6, 7, 2)), rng.normal(size=(3, 3, 2, 3)), rng.normal(size=(1, 1, 1, 3)),
            {"stride": 1, "pad": 1})
    times, out = _quietly(convolution.race, {"loop": ref.conv_forward, "fast": ref.conv_forward_fast}, args)
    assert set(times) == {"loop", "fast"} and all(t > 0 for t in times.values())
    assert "fast and loop agree" in out
    wrong = lambda *a: (ref.conv_forward_fast(*a)[0] + 1, None)  # noqa: E731
    _, out = _quietly(convolution.race, {"loop": ref.conv_forward, "wrong": wrong}, args)
    assert "DIFFER" in out

    def not_done(*a):
        raise NotImplementedError()
    times, out = _quietly(convolution.race, {"loop": ref.conv_forward, "todo": not_done}, args)
    assert np.isnan(times["todo"]) and "raised NotImplementedError" in out


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
    race_out = "".join(o.get("text", "") for c in nb.cells if c.metadata.nbgrader.grade_id == "race_conv"
                       for o in c.outputs)
    assert "conv_forward_fast and conv_forward (loops) agree" in race_out, race_out
    padding = "".join(o.get("text", "") for c in nb.cells if c.metadata.nbgrader.grade_id == "padding_figure"
                      for o in c.outputs)
    assert "x_pad.shape = (4, 9, 9, 2)" in padding and "0.90085595" in padding


def test_worker_cells_are_setup_and_solutions_only():
    cells = worker_cells(source_notebook(AID))
    assert len(cells) == 1 + len(FUNCTIONS)
    assert not any(word in src for src in cells[1:] for word in ("race(", "display(", "plot_"))
