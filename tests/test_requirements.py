"""Engine parts for optional dependencies and probes that need no TensorFlow: ``REQUIRES`` is read
without importing, the commands skip (or refuse, when named) an assignment that cannot run here,
and the grading worker refuses a probe from outside the course package."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dlcourse.autograder.checks import probe_path
from dlcourse.autograder.requirements import (declared_requirements, missing_requirements,
                                              unavailable_reason)
from dlcourse.autograder.worker_client import Worker

def test_requires_is_read_without_importing_the_module(tmp_path):
    (tmp_path / "a98_x.py").write_text("import no_such_module_anywhere\n"
                                       "REQUIRES = ['no_such_module_anywhere', 'json']\n")
    (tmp_path / "a99_y.py").write_text("X = 1\n")
    assert declared_requirements(tmp_path, "a98_x") == ["no_such_module_anywhere", "json"]
    assert missing_requirements(tmp_path, "a98_x") == ["no_such_module_anywhere"]
    reason = unavailable_reason(tmp_path, "a98_x")
    assert "needs no_such_module_anywhere" in reason and "pip install" in reason
    assert declared_requirements(tmp_path, "a99_y") == [] and unavailable_reason(tmp_path, "a99_y") is None
    assert unavailable_reason(tmp_path, "a97_absent") is None


def test_tensorflow_hint_names_the_extra(tmp_path):
    (tmp_path / "a98_x.py").write_text("REQUIRES = ['tensorflow_not_here']\n")
    from dlcourse.autograder import requirements
    requirements.INSTALL_HINTS["tensorflow_not_here"] = "pip install 'dlcourse[tf]'"
    try:
        assert "pip install 'dlcourse[tf]'" in unavailable_reason(tmp_path, "a98_x")
    finally:
        del requirements.INSTALL_HINTS["tensorflow_not_here"]


def test_commands_skip_an_assignment_whose_requirements_are_missing(tmp_path):
    import shutil

    from .support import ASSIGNMENTS, ROOT, cli_env

    (tmp_path / "assignments" / "a98_x").mkdir(parents=True)
    for nb in (ASSIGNMENTS / "a00_numpy_basics").glob("*.ipynb"):
        shutil.copy2(nb, tmp_path / "assignments" / "a98_x" / nb.name)
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "a98_x.py").write_text("REQUIRES = ['no_such_module_anywhere']\n")
    shutil.copy2(ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")

    def dlcourse(*args):
        return subprocess.run([sys.executable, "-m", "dlcourse.autograder.cli", "--course-dir",
                               str(tmp_path), *args], env=cli_env(), capture_output=True,
                              text=True, timeout=300)
    quiet = dlcourse("validate")
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert "skipped a98_x: needs no_such_module_anywhere" in quiet.stdout
    named = dlcourse("grade", "a98_x")
    assert named.returncode == 2 and "a98_x needs no_such_module_anywhere" in named.stderr


def test_worker_refuses_a_probe_from_outside_the_course_package():
    with Worker() as worker:
        worker.load(["def f():\n    return 1\n"])
        result = worker.call("f", probe="os:system")
        assert not result.ok and "refusing probe" in result.error
        assert worker.call("f").value == 1  # the worker is still fine


def test_probe_path_needs_a_course_function():
    with pytest.raises(ValueError):
        probe_path(len)
    with pytest.raises(ValueError):
        probe_path(lambda fn: fn())


