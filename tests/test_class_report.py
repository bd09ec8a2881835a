"""Class reports from synthetic ledger records (no nbgrader run)."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from dlcourse.autograder.ledger import read_records
from dlcourse.autograder.class_report import (
    COLUMNS, common_mistakes, per_function_rows, write_html_report, write_per_function_csv,
)

A1 = "a01_logistic_regression"
A2 = "a00_numpy_basics"
SEEDS = [7301958246 + 1111 * i for i in range(10)]  # distinctive, must never leak
EVIL_ID = "<script>alert('id')"
EVIL_DIAGNOSIS = "<script>alert(1)</script> & the cost lacks the 1/m factor"
MISTAKE = "the cost lacks the 1/m factor"


def _fn(points, score, passed, total, diagnoses=()):
    return {"points": points, "score": score, "passed": passed, "total": total,
            "diagnoses": list(diagnoses)}


def _record(assignment, student, seed, functions, *, seconds=1.0, ok=True, error="",
            notebook="logistic_regression"):
    score = sum(f["score"] for f in functions.values())
    max_score = sum(f["points"] for f in functions.values())
    return {
        "assignment": assignment, "student": student, "digest": "ab" * 32,
        "graded_at": "2026-12-01T18:40:00+00:00", "seconds": seconds, "ok": ok, "error": error,
        "score": score if ok else 0.0, "max_score": max_score if ok else 4.0,
        "notebooks": {notebook: {"seed": seed, "score": score if ok else 0.0,
                                 "max_score": max_score if ok else 4.0,
                                 "functions": functions if ok else {}}},
    }


def _write(root: Path, record: dict, filename: str | None = None):
    folder = root / ".dlcourse" / "graded" / record["assignment"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{filename or record['student']}.json").write_text(json.dumps(record))


@pytest.fixture
def course(tmp_path):
    """Two assignments; a01: 5 students (one failed, one with a hostile id)."""
    root = tmp_path / "course"
    a1 = [
        _record(A1, "s01_full", SEEDS[0], {
            "sigmoid": _fn(1.0, 1.0, 3, 3), "propagate": _fn(3.0, 3.0, 3, 3)}, seconds=2.0),
        _record(A1, "s02_partial", SEEDS[1], {
            "sigmoid": _fn(1.0, 1.0, 3, 3),
            "propagate": _fn(3.0, 1.0, 1, 3, ["other mistake", MISTAKE, MISTAKE])}, seconds=9.5),
        _record(A1, "s03_partial", SEEDS[2], {
            "sigmoid": _fn(1.0, 0.0, 0, 3, ["tie first", "tie second"]),
            "propagate": _fn(3.0, 2.0, 2, 3, [MISTAKE])}, seconds=4.0),
        _record(A1, EVIL_ID, SEEDS[3], {
            "sigmoid": _fn(1.0, 1.0, 3, 3),
            "propagate": _fn(3.0, 0.0, 0, 3, [EVIL_DIAGNOSIS, MISTAKE])}, seconds=3.0),
        _record(A1, "s05_broken", SEEDS[4], {}, ok=False, seconds=30.0,
                error="CellTimeoutError: <cell 3> took too long\nTraceback ..."),
    ]
    a2 = [
        _record(A2, "s01_full", SEEDS[5], {"basic_sigmoid": _fn(1.0, 1.0, 2, 2)},
                notebook="numpy_basics"),
        _record(A2, "s02_partial", SEEDS[6], {"basic_sigmoid": _fn(1.0, 0.5, 1, 2)},
                notebook="numpy_basics"),
    ]
    for record in a1 + a2:
        _write(root, record, "s04_evil" if record["student"] == EVIL_ID else None)
    return root


def test_rows_columns_order_and_diagnosis(course, tmp_path):
    rows = per_function_rows(course, [A1, A2])
    assert all(tuple(row) == COLUMNS for row in rows)
    keys = [(r["assignment"], r["student"], r["notebook"], r["function"]) for r in rows]
    assert keys == sorted(keys)
    assert len(rows) == 4 * 2 + 1 + 2  # four graded students x 2 functions, 1 failed, a00: 2
    by = {(r["assignment"], r["student"], r["function"]): r for r in rows}
    partial = by[(A1, "s02_partial", "propagate")]
    assert partial["diagnosis"] == MISTAKE  # most frequent, not first
    assert (partial["score"], partial["points"], partial["passed"], partial["total"]) == (1.0, 3.0, 1, 3)
    assert by[(A1, "s03_partial", "sigmoid")]["diagnosis"] == "tie first"
    assert by[(A1, "s01_full", "sigmoid")]["diagnosis"] == ""
    assert by[(A2, "s02_partial", "basic_sigmoid")]["notebook"] == "numpy_basics"
    assert all(r["seed_recorded"] == "yes" for r in rows)

    failed = [r for r in rows if r["student"] == "s05_broken"]
    assert len(failed) == 1
    assert failed[0]["function"] == "" and failed[0]["ok"] is False
    assert failed[0]["diagnosis"] == "not graded: CellTimeoutError: <cell 3> took too long"

    path = write_per_function_csv(rows, tmp_path / "out" / "functions.csv")
    text = path.read_text(encoding="utf-8")
    assert not any(str(seed) in text for seed in SEEDS)
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames) == COLUMNS
        back = list(reader)
    assert [(r["student"], r["function"]) for r in back] == [(r["student"], r["function"]) for r in rows]
    assert back[keys.index((A1, "s02_partial", "logistic_regression", "propagate"))]["diagnosis"] == MISTAKE


def test_csv_header_without_rows(tmp_path):
    path = write_per_function_csv([], tmp_path / "empty.csv")
    assert path.read_text(encoding="utf-8").strip() == ",".join(COLUMNS)
    assert per_function_rows(tmp_path, [A1]) == []


def test_common_mistakes_count_students_once(course):
    top = common_mistakes(read_records(course, A1))
    # s02 (twice), s03, evil: three students, not four cases
    assert top[0] == ("propagate", MISTAKE, 3)
    assert ("propagate", EVIL_DIAGNOSIS, 1) in top
    assert all(n == 1 for _, _, n in top[1:])


def test_html_report(course, tmp_path):
    path = write_html_report(course, A1, tmp_path / "report" / "a01.html")
    page = path.read_text(encoding="utf-8")
    assert len(re.findall(r'<img src="data:image/png;base64,', page)) >= 4
    assert not any(str(seed) in page for seed in SEEDS)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; the cost" in page
    assert html_escaped(EVIL_ID) in page
    assert "submissions graded: 4" in page and "failed (not graded): 1" in page
    # totals 4, 2, 2, 1 out of 4 (the failed one is not counted)
    assert "mean score: 2.25 / 4" in page and "median score: 2 / 4" in page
    mistakes = page.split('id="mistakes"')[1].split("</table>")[0]
    first = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td[^>]*>(.*?)</td></tr>", mistakes)[0]
    assert first == ("propagate", MISTAKE, "3")
    slowest = page.split('id="slowest"')[1].split("</table>")[0]
    assert re.findall(r"<tr><td>(.*?)</td>", slowest)[:2] == ["s05_broken", "s02_partial"]
    failed = page.split('id="failed"')[1].split("</table>")[0]
    assert "CellTimeoutError: &lt;cell 3&gt; took too long" in failed
    passrates = page.split('id="pass-rates"')[1].split("</table>")[0]
    assert re.findall(r"<tr><td>(.*?)</td>", passrates) == ["sigmoid", "propagate"]  # record order
    assert "<td class=\"num\">9 / 12</td>" in passrates  # sigmoid: 3 + 3 + 0 + 3 cases


def html_escaped(text: str) -> str:
    import html
    return html.escape(text, quote=True)


def test_html_report_without_records(tmp_path):
    folder = tmp_path / ".dlcourse" / "graded" / A1
    with pytest.raises(ValueError) as info:
        write_html_report(tmp_path, A1, tmp_path / "r.html")
    assert str(info.value) == (f"no graded submissions of {A1} in {folder}; "
                               f"run dlcourse grade {A1} first")
    assert not (tmp_path / "r.html").exists()
