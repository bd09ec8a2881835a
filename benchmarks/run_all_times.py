"""Measure the "Run All" time of every source notebook, as a student and under grading.

    python benchmarks/run_all_times.py [ASSIGNMENT...]

Executes each notebook with nbclient in its own folder (a fresh kernel each
time), once with grading mode off (what a student waits for in JupyterLab) and
once with ``NBGRADER_EXECUTION=autograde`` (what each submission costs the
grader's kernel).  Prints seconds; the machine is noisy, so treat them as rough.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def run_all(path: Path, grading: bool) -> float:
    nb = nbformat.read(path, as_version=4)
    old = os.environ.pop("NBGRADER_EXECUTION", None)
    if grading:
        os.environ["NBGRADER_EXECUTION"] = "autograde"
    try:
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=900, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        return time.perf_counter() - t0
    finally:
        os.environ.pop("NBGRADER_EXECUTION", None)
        if old is not None:
            os.environ["NBGRADER_EXECUTION"] = old


def main() -> None:
    aids = sys.argv[1:] or sorted(p.name for p in (ROOT / "assignments").iterdir() if p.is_dir())
    print(f"{'notebook':<50}{'student s':>10}{'grading s':>10}")
    for aid in aids:
        for path in sorted((ROOT / "assignments" / aid).glob("*.ipynb")):
            student = run_all(path, grading=False)
            grading = run_all(path, grading=True)
            print(f"{aid + '/' + path.name:<50}{student:>10.1f}{grading:>10.1f}")


if __name__ == "__main__":
    main()
