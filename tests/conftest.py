"""Run order of the suite: the longest test files first.

``make test`` spreads the files over every core (``pytest -n auto --dist loadfile``); a file that
takes minutes and starts last would leave the other cores idle at the end.  The files below are
the slowest on the 2-core CI machine (measured with ``--durations``), slowest first; every other
file keeps its collection order after them.
"""
from __future__ import annotations

from pathlib import Path

SLOWEST_FIRST = [
    "test_cli_demo.py",          # dlcourse demo: 50 submissions of the numpy track
    "test_cli_validate.py",      # dlcourse validate: a00 and the TensorFlow track
    "test_batch.py",             # dlcourse grade: serial, --jobs 2, kill and resume, two Dask clusters
    "test_watch.py",
    "test_classroom_cli.py",     # release, fetch, submit, collect, grade, late, zips, feedback
    "test_browser_classroom.py", # two JupyterLabs: student and instructor (Formgrader)
    "test_nbgrader_roundtrip.py",
    "test_sandbox_tamper.py",
    "test_course.py",
    "test_postgres_gradebook.py",
    "test_student_package.py",
    "test_multiuser.py",
    "test_browser_tf.py",
    "test_browser.py",
    "test_browser_a07_a08.py",
    "test_browser_a05_a06.py",
]


def pytest_collection_modifyitems(session, config, items):
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(Path(str(item.fspath)).name, len(rank)))
