"""Benchmark: seconds per autograded submission, stock nbgrader vs the course's way.

Grades the same simulated class twice in one run, on a fresh scratch course:

* **stock** -- nbgrader's default autograde pipeline with grading mode off
  (``DLCOURSE_FULL_RUN=1``): every cell runs with the student's full budget
  (full training runs, studies), as plain nbgrader would;
* **course** -- the configured pipeline: reduced budgets under
  ``NBGRADER_EXECUTION`` plus the trusted hidden checks in a worker process;
* **floor** -- the trusted hidden checks alone, no nbgrader and no kernel.

Prints a table and the ratio stock / course.  Not a test: the machine is noisy,
so compare the ratio, not the seconds.

    python benchmarks/grading_speed.py [--students correct,partial,blank] [ASSIGNMENT...]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
warnings.filterwarnings("ignore")


def scratch_course(dest: Path, aids: list[str]) -> Path:
    (dest / "assignments").mkdir(parents=True)
    for aid in aids:
        shutil.copytree(ROOT / "assignments" / aid, dest / "assignments" / aid)
    shutil.copytree(ROOT / "solutions", dest / "solutions")
    shutil.copy2(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    return dest


def grade_class(course_dir: Path, aids: list[str], stock: bool) -> tuple[float, int]:
    from dlcourse.autograder.course import Course

    course = Course(course_dir)
    if stock:
        from nbconvert.preprocessors import ClearMetadataPreprocessor
        from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, Execute,
                                            IgnorePattern, LimitOutput, SaveAutoGrades)

        # nbgrader 0.9.6's default autograde pipeline (no trusted step)
        course.config.Autograde.autograde_preprocessors = [
            Execute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
            AssignLatePenalties, CheckCellMetadata]
        os.environ["DLCOURSE_FULL_RUN"] = "1"
    else:
        os.environ.pop("DLCOURSE_FULL_RUN", None)
    n, t0 = 0, time.perf_counter()
    for aid in aids:
        for student in course.students(aid):
            course.autograde(aid, student)
            n += 1
    os.environ.pop("DLCOURSE_FULL_RUN", None)
    return time.perf_counter() - t0, n


def floor(course_dir: Path, aids: list[str]) -> tuple[float, int]:
    from dlcourse.autograder.hidden import GRADE_CALL, grade_notebook_code, load_checks, worker_cells

    n, t0 = 0, time.perf_counter()
    for aid in aids:
        checks = load_checks(aid, course_dir / "solutions")
        for path in sorted((course_dir / "submitted").glob(f"*/{aid}/*.ipynb")):
            try:
                nb = nbformat.read(path, as_version=4)
            except Exception:
                continue
            names = [m for c in nbformat.read(next((course_dir / "assignments" / aid).glob("*.ipynb")),
                                              as_version=4).cells for m in GRADE_CALL.findall(c.source)]
            grade_notebook_code(checks, names, worker_cells(nb))
            n += 1
    return time.perf_counter() - t0, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--students", default="correct,partial,blank",
                        help="simulated variants to grade (comma separated)")
    args = parser.parse_args()
    from dlcourse.autograder.course import Course
    from dlcourse.autograder.simulate import simulate_class

    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    aids = args.assignments or sorted(p.name for p in (ROOT / "assignments").iterdir() if p.is_dir())
    variants = args.students.split(",")
    with tempfile.TemporaryDirectory(prefix="dlcourse-bench-") as tmp:
        rows = []
        for mode in ("stock", "course"):
            course_dir = scratch_course(Path(tmp) / mode, aids)
            course = Course(course_dir)
            for aid in aids:
                course.release(aid)
                simulate_class(course_dir, aid, variants)
            seconds, n = grade_class(course_dir, aids, stock=mode == "stock")
            rows.append((mode, seconds, n))
        seconds, n = floor(Path(tmp) / "course", aids)
        rows.append(("floor", seconds, n))
    per = {mode: s / max(n, 1) for mode, s, n in rows}
    print(f"assignments: {', '.join(aids)}; students per assignment: {', '.join(variants)}")
    print(f"{'mode':<8}{'submissions':>12}{'total s':>10}{'s/submission':>14}")
    for mode, s, n in rows:
        print(f"{mode:<8}{n:>12}{s:>10.1f}{per[mode]:>14.2f}")
    print(f"ratio stock / course: {per['stock'] / per['course']:.2f}x; "
          f"course / floor: {per['course'] / per['floor']:.2f}x")


if __name__ == "__main__":
    main()
