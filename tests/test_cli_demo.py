"""`dlcourse demo` -- the README's main job -- on the numpy track: release, a simulated class of
five per assignment (correct, partial, blank, cut-off JSON, tampered), feedback, CSV, summary.

The TensorFlow track takes about 20 s per submission (two TensorFlow imports: the kernel's and
the grading worker's), so the suite proves its nbgrader round trip through `dlcourse validate`
(``test_cli_validate.py``); `make demo` grades it too (the README gives the figures).
"""
from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dlcourse.autograder.requirements import declared_requirements

from .support import ROOT, SOLUTIONS, autograded_max

AIDS = sorted(p.name for p in (ROOT / "assignments").iterdir() if p.is_dir())
#: the TensorFlow track (and any other assignment with optional dependencies)
HEAVY = [a for a in AIDS if declared_requirements(SOLUTIONS, a)]
#: the numpy track: needs nothing beyond the base install
LIGHT = [a for a in AIDS if a not in HEAVY]


def _env() -> dict:
    return dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])


@pytest.mark.nbgrader
def test_demo_grades_a_simulated_class(tmp_path):
    workdir = tmp_path / "demo"
    result = subprocess.run([sys.executable, "-m", "dlcourse.autograder.cli", "demo",
                             "--workdir", str(workdir), *LIGHT],
                            cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Autograded scores" in result.stdout
    with open(workdir / "grades.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 5 * len(LIGHT)
    for aid in LIGHT:
        score = {r["student_id"]: (float(r["score"]), float(r["max_score"]))
                 for r in rows if r["assignment"] == aid}
        # full marks on the autograded cells (written answers wait for a person)
        full = autograded_max(aid, score["s01_correct"][1])
        assert score["s01_correct"][0] == full > 0, (aid, score["s01_correct"])
        assert 0 < score["s02_partial"][0] < full
        assert score["s03_blank"][0] == 0 and score["s05_tampered"][0] == 0
        assert score["s04_broken_json"][0] < score["s04_broken_json"][1]
    # the cut-off notebooks were salvaged: graded as far as they go, the file as received kept
    assert any(float(r["score"]) > 0 for r in rows if r["student_id"] == "s04_broken_json")
    feedback = list((workdir / "feedback").rglob("*.html"))
    assert len(feedback) >= 4 * len(LIGHT)
    assert not any("BEGIN HIDDEN TESTS" in p.read_text() for p in feedback)
    for aid in LIGHT:
        assert f"! {aid}/s04_broken_json" in result.stdout
        kept = workdir / "submitted" / "s04_broken_json" / aid / ".salvaged"
        assert len(list(kept.glob("*.ipynb.cut-off"))) == 1
        (html,) = (workdir / "feedback" / "s04_broken_json" / aid).glob("*.html")
        assert "reached the grader cut off" in html.read_text()
    assert "is not valid JSON" in result.stdout and "salvaged:" in result.stdout
    # scores at the two decimals nbgrader shows, in the CSV and in the summary
    for row in rows:
        for key in ("raw_score", "score", "max_score"):
            assert re.fullmatch(r"\d+\.\d{1,2}", row[key]), (key, row[key])
    assert not re.search(r"\d\.\d{5,}", result.stdout)
    # the terminal got progress bars only; kernel and library warnings went to the log
    noise = [line for line in re.split(r"[\r\n]+", result.stderr)
             if line.strip() and not re.match(r"(release|autograde|feedback):", line)]
    assert noise == [], noise[:5]
    log = (workdir / "logs" / "dlcourse.log").read_text()
    assert f"--- autograde {LIGHT[0]}/s01_correct: ok" in log
    assert f"--- autograde {LIGHT[0]}/s04_broken_json: ok" in log
    assert f"log:      {workdir / 'logs' / 'dlcourse.log'}" in result.stdout


