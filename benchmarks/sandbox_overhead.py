"""Benchmark: seconds per autograded submission with and without the grading sandbox.

Releases the assignments into one scratch course, simulates a class and grades
it ``--rounds`` times in each mode, alternating (sandbox, none, sandbox, none,
...) so that a slow spell of the machine hits both.  Reports the median
seconds per submission of each mode and their ratio: compare the ratio, not
the seconds (the machine is noisy).  Goal: at most 1.10.

    python benchmarks/sandbox_overhead.py [--rounds 3] [--students correct,partial,blank] [ASSIGNMENT...]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grading_speed import scratch_course  # noqa: E402

warnings.filterwarnings("ignore")


def grade_once(course_dir: Path, aids: list[str], sandbox: bool) -> tuple[float, int]:
    from dlcourse.autograder.course import Course
    from dlcourse.autograder.logs import terminal_and_log

    course = Course(course_dir)
    course.config.Sandbox.enabled = sandbox
    n, t0 = 0, time.perf_counter()
    with terminal_and_log(course.log_path, f"benchmark, sandbox {sandbox}"):  # kernel warnings
        for aid in aids:
            for student in course.students(aid):
                result = course.autograde(aid, student)
                if not result.ok:
                    raise SystemExit(f"{aid}/{student} was not graded: {result.summary}")
                n += 1
    return time.perf_counter() - t0, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--students", default="correct,partial,blank",
                        help="simulated variants to grade (comma separated)")
    args = parser.parse_args()
    from dlcourse.autograder.course import Course
    from dlcourse.autograder.sandbox import Sandbox
    from dlcourse.autograder.simulate import simulate_class

    problem = Sandbox().problem()
    if problem:
        raise SystemExit(f"the sandbox cannot start here: {problem}")
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    aids = args.assignments or ["a00_numpy_basics", "a03_deep_network_step_by_step",
                                "a09_convolution_step_by_step"]
    variants = args.students.split(",")
    per: dict[str, list[float]] = {"sandbox": [], "none": []}
    with tempfile.TemporaryDirectory(prefix="dlcourse-bench-") as tmp:
        course_dir = scratch_course(Path(tmp) / "course", aids)
        course = Course(course_dir)
        for aid in aids:
            course.release(aid)
            simulate_class(course_dir, aid, variants)
        for _ in range(args.rounds):
            for mode in ("sandbox", "none"):
                seconds, n = grade_once(course_dir, aids, sandbox=mode == "sandbox")
                per[mode].append(seconds / n)
                print(f"  {mode:<8} {n} submissions, {seconds / n:.2f} s each", flush=True)
    med = {mode: statistics.median(v) for mode, v in per.items()}
    print(f"assignments: {', '.join(aids)}; students per assignment: {', '.join(variants)}; "
          f"rounds: {args.rounds}")
    print(f"{'mode':<9}{'median s/submission':>20}{'min':>8}{'max':>8}")
    for mode, values in per.items():
        print(f"{mode:<9}{med[mode]:>20.2f}{min(values):>8.2f}{max(values):>8.2f}")
    print(f"sandbox overhead: {med['sandbox'] / med['none']:.3f}x (goal <= 1.10x)")


if __name__ == "__main__":
    main()
