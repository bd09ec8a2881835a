"""`dlcourse validate` -- the course author's one command -- on a numpy assignment and on every
assignment of the TensorFlow track.

validate releases each assignment and autogrades the solution and the blank release with the real
nbgrader commands in the grading sandbox: these runs are the TensorFlow assignments' nbgrader
round trip in the test suite.  The numpy assignments' round trip is the demo's
(``test_cli_demo.py``: the solution earns full marks, the release none, for every one of them),
and test_course.py checks every assignment's metadata and release secrets, so one numpy
assignment here is enough to prove the command itself.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dlcourse.autograder.requirements import declared_requirements, unavailable_reason

from .support import ROOT, SOLUTIONS

AIDS = sorted(p.name for p in (ROOT / "assignments").iterdir() if p.is_dir())
#: the TensorFlow track (and any other assignment with optional dependencies)
HEAVY = [a for a in AIDS if declared_requirements(SOLUTIONS, a)]
#: the numpy track: needs nothing beyond the base install
LIGHT = [a for a in AIDS if a not in HEAVY]


def _env() -> dict:
    return dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])

#: what this run proves: one numpy assignment, then every heavy one that can run here
PROVEN = LIGHT[:1] + [a for a in HEAVY if unavailable_reason(SOLUTIONS, a) is None]


@pytest.mark.nbgrader
def test_validate_command_proves_the_tensorflow_track_and_a_numpy_assignment():
    result = subprocess.run([sys.executable, "-m", "dlcourse.autograder.cli", "validate", *PROVEN],
                            cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=1500)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for aid in PROVEN:
        assert f"✓ {aid}" in result.stdout
    missing = [a for a in HEAVY if a not in PROVEN]
    if missing:
        pytest.skip(f"not validated here: {missing} ({unavailable_reason(SOLUTIONS, missing[0])})")
