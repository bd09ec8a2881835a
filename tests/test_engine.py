"""Unit tests of the check engine: compare, plain-data transport, the worker, hidden runs."""
from __future__ import annotations

import json

import numpy as np
import pytest

from dlcourse.autograder import plaindata
from dlcourse.autograder.checks import Case, FunctionCheck, global_data_names, public_check
from dlcourse.autograder.compare import compare
from dlcourse.autograder.hidden import grade_notebook_code
from dlcourse.autograder.worker_client import Worker


# -- compare -------------------------------------------------------------------
def test_compare_accepts_equal_and_equivalent_values():
    assert compare(np.array([[1.0, 2.0]]), np.array([[1.0, 2.0 + 1e-12]])) == []
    assert compare(0.5, np.float64(0.5)) == []
    assert compare(np.array(0.5), 0.5) == []
    assert compare(np.array([[True, False]]), np.array([[1.0, 0.0]]), labels=True) == []
    assert compare({"a": (1.0, [2.0])}, {"a": (1.0, [2.0])}) == []


@pytest.mark.parametrize("actual, expected, fragment", [
    (np.zeros((3, 2)), np.zeros((2, 3)), "transposed"),
    (np.zeros(4), np.zeros((4, 1)), "keepdims"),
    ([1.0, 2.0], np.array([1.0, 2.0]), "Python list"),
    (np.array([2.0, 4.0]), np.array([1.0, 2.0]), "same factor"),
    (np.array([-1.0, -2.0]), np.array([1.0, 2.0]), "sign is flipped"),
    (np.array([np.nan, 1.0]), np.array([1.0, 1.0]), "nan or inf"),
    (np.ones((1, 1)), 1.0, "single number"),
    ({"dw": 1.0}, {"dw": 1.0, "db": 2.0}, "missing the key"),
    ((1.0,), (1.0, 2.0), "1 items, expected 2"),
    (np.array([1, 2]), np.array([0.5, 2.0]), "integer dtype"),
    (np.array([0.3, 1.0]), np.array([0.0, 1.0]), "0/1"),
])
def test_compare_names_the_likely_mistake(actual, expected, fragment):
    problems = compare(actual, expected, labels=fragment == "0/1")
    assert problems and fragment in problems[0], problems


def test_compare_quiet_mode_reveals_no_expected_numbers():
    problems = compare(np.array([1.0, 2.5]), np.array([1.0, 2.123456]), reveal=False)
    assert problems and "2.123" not in problems[0]
    assert "2.123" in compare(np.array([1.0, 2.5]), np.array([1.0, 2.123456]))[0]
    # a constant factor is named, but its value (which would give the answer away) is not
    quiet = compare(np.array([3.0, 6.0]), np.array([1.0, 2.0]), reveal=False)[0]
    assert "same factor" in quiet and "3" not in quiet.split("factor")[1]
    assert "no hint" not in compare(np.array([3.0]), np.array([1.0]))[0]
    assert "same factor" not in compare(np.array([3.0]), np.array([1.0]))[0]


def test_global_detection_ignores_attribute_names():
    namespace = {"np": np, "shape": (1, 2), "T": 3.0}
    exec("def f(x):\n    return x.T.reshape(x.shape[0], -1)", namespace)
    assert global_data_names(namespace["f"]) == []
    exec("def g(x):\n    return x * T", namespace)
    assert global_data_names(namespace["g"]) == ["T"]


def test_compare_rejects_objects_that_claim_equality():
    class AlwaysEqual:
        def __eq__(self, other):
            return True
    assert compare(AlwaysEqual(), np.array([1.0]))
    assert compare(AlwaysEqual(), 1.0)
    assert compare(AlwaysEqual(), {"a": 1})


# -- plain data ------------------------------------------------------------------
def test_plaindata_round_trip():
    value = {"W": np.arange(6.0).reshape(2, 3), "b": np.float32(1.5), "n": 3, "ok": True,
             "t": (1, [2.0, None, "x"]), "mask": np.array([True, False])}
    back = plaindata.loads(plaindata.dumps(value))
    assert compare(back, value, rtol=0) == []
    assert back["W"].dtype == np.float64 and isinstance(back["t"], tuple)


@pytest.mark.parametrize("obj", [object(), np.array([object()]), {1: 2}, lambda: 1,
                                 type("Sub", (np.ndarray,), {})((2,))])
def test_plaindata_refuses_non_plain_objects(obj):
    with pytest.raises(plaindata.NotPlainData):
        plaindata.encode(obj)


@pytest.mark.parametrize("payload", [
    {"__ndarray__": {"dtype": "object", "shape": [1], "data": ""}},
    {"__ndarray__": {"dtype": "float64", "shape": [3], "data": "AAAA"}},
    {"__pickle__": "gASV"},
    {"__dict__": [[1, 2]]},
    [1, 2],
])
def test_plaindata_decoder_rejects_forged_payloads(payload):
    with pytest.raises(ValueError):
        plaindata.decode(payload)


# -- worker ----------------------------------------------------------------------
def test_worker_runs_code_and_returns_plain_data():
    with Worker() as w:
        assert w.load(["import numpy as np\ndef f(x):\n    print('hi')\n    return x * 2"]) == []
        r = w.call("f", (np.ones(3),))
        assert r.ok and np.array_equal(r.value, 2 * np.ones(3)) and r.stdout == "hi\n"


def test_worker_reports_errors_with_the_students_line():
    with Worker() as w:
        w.load(["def f(x):\n    return 1 / 0"])
        r = w.call("f", (1,))
        assert not r.ok and "ZeroDivisionError" in r.error and "return 1 / 0" in r.error


def test_worker_survives_infinite_loops_and_hard_exits():
    with Worker() as w:
        w.load(["import os\ndef spin():\n    while True:\n        pass\n"
                "def die():\n    os._exit(3)\ndef ok():\n    return 1"])
        r = w.call("spin", timeout=1)
        assert not r.ok and "timed out" in r.error
        assert w.call("ok").value == 1  # restarted and reloaded
        r = w.call("die")
        assert not r.ok and "died" in r.error
        assert w.call("ok").value == 1


def test_worker_refuses_custom_objects_and_reports_cell_errors():
    with Worker() as w:
        errors = w.load(["class E:\n    def __eq__(self, o):\n        return True\n"
                         "def f():\n    return E()", "raise ValueError('broken cell')"])
        assert errors and "broken cell" in errors[0][1]
        r = w.call("f")
        assert not r.ok and "not plain data" in r.error
        assert "not defined" in w.call("missing").error


def test_worker_student_cannot_read_requests_or_forge_the_channel():
    with Worker() as w:
        w.load(["import sys, os\ndef f():\n    print('{\"ok\": true, \"result\": 1}')\n"
                "    os.write(1, b'garbage\\n')\n    return sys.stdin.read()"])
        r = w.call("f")
        assert r.ok and r.value == ""


def test_top_level_infinite_loop_in_a_cell_is_reported():
    with Worker(load_timeout=2) as w:
        errors = w.load(["while True:\n    pass"])
        assert errors and "took more than" in errors[0][1]
        assert not w.call("anything").ok


# -- hidden runs -----------------------------------------------------------------
def _double(x):
    return 2 * x


DOUBLE = FunctionCheck("double", reference=_double,
                       cases=lambda rng: [Case((rng.normal(size=(int(rng.integers(1, 5)), 2)),))
                                          for _ in range(3)],
                       diagnoses=[(lambda x: x + x + 1, "added one by mistake")])


@pytest.mark.parametrize("code, passed, fragment", [
    ("def double(x):\n    return x + x", 3, ""),
    ("def double(x):\n    return x + x + 1", 0, "added one by mistake"),
    ("import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.isclose = np.allclose\n"
     "def double(x):\n    return x", 0, "values differ"),
    ("def double(x):\n    x *= 2\n    return x", 0, "modified its input"),
    ("def double(x):\n    return [list(r) for r in 2 * x]", 0, "Python list"),
    ("def double(x):\n    return DATA", 0, "NameError"),
])
def test_hidden_checks_judge_outside_the_student_process(code, passed, fragment):
    report = grade_notebook_code({"double": DOUBLE}, ["double"], [code], seed=7)["double"]
    assert report.passed == passed, report.text()
    assert fragment in report.text()
    assert report.score(2) == pytest.approx(2 * passed / 3, abs=1e-4)
    assert isinstance(report.score(2), float)


def test_hidden_cases_differ_between_grading_runs():
    seen = set()
    for _ in range(3):
        rng = np.random.default_rng()
        seen.add(DOUBLE.cases(rng)[0].args[0].shape + (round(float(DOUBLE.cases(rng)[0].args[0].flat[0]), 6),))
    assert len(seen) > 1


def test_public_check_prints_expected_values_and_raises_on_mistakes(capsys):
    check = FunctionCheck("double")
    public_check(_double, check, [Case((np.array([1.0]),), expected=np.array([2.0]))])
    out = capsys.readouterr().out
    assert "expected [2.]" in out and "✓" in out
    with pytest.raises(AssertionError, match="same factor"):
        public_check(lambda x: 3 * x, check,
                     [Case((np.array([1.0, 2.0]),), expected=np.array([2.0, 4.0]))])


def test_public_check_flags_functions_reading_notebook_globals(capsys):
    namespace = {"np": np}
    exec("M = 3.0\ndef scale(x):\n    return x * M", namespace)
    with pytest.raises(AssertionError, match="notebook variable"):
        public_check(namespace["scale"], FunctionCheck("scale"),
                     [Case((np.array([1.0]),), expected=np.array([3.0]))])


def test_report_never_exceeds_points_and_is_json_safe():
    report = grade_notebook_code({"double": DOUBLE}, ["double"],
                                 ["def double(x):\n    return 2 * x"], seed=1)["double"]
    assert report.score(1.5) == 1.5
    json.dumps(report.text())


# -- error hints and case-supplied expected values -------------------------------------------
LAYERS = FunctionCheck(
    "last_weight", error_hints=[(r"KeyError: '[Wb]\d+'", "reads a fixed layer such as W3")],
    reference=lambda params: params[f"W{len(params)}"].sum(),
    cases=lambda rng: [Case(({f"W{i}": rng.normal(size=(2, 2)) for i in range(1, n + 1)},),
                            label=f"L={n}") for n in (1, 2, 4)])


def test_error_hint_names_the_mistake_in_hidden_and_public_checks(capsys):
    hard_coded = "def last_weight(params):\n    return params['W3'].sum()\n"
    report = grade_notebook_code({"last_weight": LAYERS}, ["last_weight"], [hard_coded], seed=1)
    report = report["last_weight"]
    assert report.passed == 0 and all("reads a fixed layer" in line for line in report.lines[:2])
    case = Case(({"W1": np.eye(2)},), expected=2.0)

    def fixed(params):
        return params["W3"].sum()
    with pytest.raises(AssertionError):
        public_check(fixed, LAYERS, [case])
    assert "reads a fixed layer such as W3 (raised KeyError: 'W3')" in capsys.readouterr().out


def test_hidden_case_with_its_own_expected_value_is_judged_against_it():
    """A case builder may compute the truth itself (a numerical gradient, say)."""
    check = FunctionCheck("double", reference=lambda x: 2 * x,
                          cases=lambda rng: [Case((1.0,)), Case((1.0,), expected=3.0)])
    report = grade_notebook_code({"double": check}, ["double"],
                                 ["def double(x):\n    return 2 * x\n"], seed=0)["double"]
    assert (report.passed, report.total) == (1, 2)


def test_setup_cells_get_the_longer_setup_timeout():
    """A locked setup cell imports the heavy libraries (TensorFlow: 5-15 s on a loaded machine):
    it may run up to ``setup_timeout``; every other cell keeps the cell timeout."""
    from nbformat.v4 import new_code_cell

    from dlcourse.autograder.sandboxed_kernel import SandboxedExecute

    ex = SandboxedExecute(timeout=5, setup_timeout=90)
    setup = new_code_cell("import tensorflow", metadata={"nbgrader": {"grade_id": "setup"}})
    other = new_code_cell("f()", metadata={"nbgrader": {"grade_id": "test_f"}})
    assert ex._get_timeout(setup) == 90 and ex._get_timeout(other) == 5
    assert ex._get_timeout(new_code_cell("x = 1")) == 5
