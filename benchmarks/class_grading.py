"""Benchmark: grading a whole simulated class, stock nbgrader vs ``dlcourse grade`` on 1, 2 processes
and a Dask LocalCluster, vs the hidden checks alone (issue 10).

One run builds a scratch course (the release of each assignment plus a simulated class of
``--students`` submissions, the default class's variants repeated), gives it a course secret, and
copies that whole folder once per mode, so every mode grades byte-identical files with the same
secret (hence the same hidden-case seeds).  The modes:

* ``stock`` -- nbgrader 0.9.6's default autograde pipeline (no trusted step, no sandbox) with
  ``DLCOURSE_FULL_RUN=1``: the notebook's training cells run with the students' full budgets, one
  submission after another, in this process (as ``benchmarks/grading_speed.py`` does).  It is
  slow: ``--stock-students K`` grades only the first K submissions of each assignment and
  extrapolates (mean seconds per graded submission x class size; the output says so);
* ``jobs1`` / ``jobs2`` -- ``dlcourse --course-dir C grade AIDS --force --jobs 1`` / ``--jobs 2``,
  a subprocess, wall clock (interpreter start and pool start included);
* ``dask`` -- the same with ``--scheduler local --jobs 2`` (a LocalCluster of 2 workers);
* ``floor`` -- the trusted hidden checks alone on the same submissions after the same intake and
  salvage (no nbgrader, no kernel, no sandbox), as ``grading_speed.py`` measures it.

Prints the machine's core count, per mode the total and per-submission seconds, per assignment the
seconds per submission (stock and floor: wall; jobs1/jobs2/dask: the wall time inside the worker
recorded in the grading ledger, ``.dlcourse/graded/<aid>/<student>.json``), the ratios against the
issue's goals (stock / jobs2 >= 5 on the numpy track, jobs1 / jobs2 >= 1.6 on 2 cores, dask at most
15 % slower than jobs2) and each mode against the floor.  It then checks that jobs1, jobs2 and dask
gave every student identical scores (gradebook, per notebook and per cell); if not it says which,
and exits with status 1.

This is a benchmark, not a test: the machine is noisy, so compare the ratios, not the seconds.

    python benchmarks/class_grading.py                       # 40 students x a00-a09, all modes
    python benchmarks/class_grading.py --students 3 --stock-students 1 \\
        --assignments a00_numpy_basics,a01_logistic_regression --json build/class_grading.json
    python benchmarks/class_grading.py --modes jobs1,jobs2,dask --students 10

Options: ``--assignments`` (default: every assignment without ``REQUIRES`` in its solutions
module, i.e. the numpy track a00-a09), ``--students N`` (default 40), ``--stock-students K``
(default N), ``--modes`` (default all five), ``--json PATH``, ``--workdir DIR`` (keep the scratch
courses there), ``--unsafe-no-sandbox`` (grade the dlcourse modes without bubblewrap).

Duration on the project's 2-core machine (busy with other work): the small run above about
4 minutes; the full default run (400 submissions) roughly 3 hours, stock about 70 minutes of it
(400 x ~11 s), jobs1 about 50, jobs2 and dask about 30-40 each, floor about 5; with
``--stock-students 5`` about 2 hours.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from grading_speed import floor as checks_alone, scratch_course  # noqa: E402

warnings.filterwarnings("ignore")

MODES = ("stock", "jobs1", "jobs2", "dask", "floor")
#: the dlcourse modes: extra arguments of ``dlcourse grade``
DLCOURSE_ARGS = {"jobs1": ["--jobs", "1"], "jobs2": ["--jobs", "2"],
                 "dask": ["--scheduler", "local", "--jobs", "2"]}
#: (name, numerator, denominator, comparison, bound, what the goal says)
GOALS = [
    ("stock / jobs1", "stock", "jobs1", None, None, ""),
    ("stock / jobs2", "stock", "jobs2", ">=", 5.0, ">= 5x on the whole numpy track"),
    ("jobs1 / jobs2", "jobs1", "jobs2", ">=", 1.6, ">= 1.6x on 2 cores"),
    ("dask / jobs2", "dask", "jobs2", "<=", 1.15, "<= 1.15 (at most 15 % slower)"),
]
#: environment variables that would make a scratch course grade somewhere else, or differently
_FOREIGN_ENV = ("DLCOURSE_DB_URL", "DLCOURSE_COURSE_ROOT", "DLCOURSE_EXCHANGE", "DLCOURSE_FULL_RUN",
                "NBGRADER_EXECUTION", "DLCOURSE_UNSAFE_NO_SANDBOX")


@dataclass
class ModeResult:
    """One mode's timing.  ``total_s`` covers all ``submissions`` (extrapolated when
    ``graded < submissions``); ``per_assignment`` is seconds per submission by assignment id."""
    mode: str
    submissions: int = 0
    graded: int = 0
    total_s: float = 0.0
    measured_s: float = 0.0
    #: dlcourse modes: the sum of the ledger's per-submission seconds (time inside the workers)
    worker_s: float | None = None
    per_assignment: dict[str, float] = field(default_factory=dict)
    failed: int = 0
    error: str = ""

    @property
    def per_submission(self) -> float:
        return self.total_s / self.submissions if self.submissions else float("nan")

    @property
    def extrapolated(self) -> bool:
        return self.graded < self.submissions


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def numpy_track() -> list[str]:
    """Assignments whose solutions module declares no ``REQUIRES`` (a00-a09)."""
    from dlcourse.autograder.requirements import declared_requirements

    return sorted(p.name for p in (ROOT / "assignments").iterdir()
                  if p.is_dir() and any(p.glob("*.ipynb"))
                  and not declared_requirements(ROOT / "solutions", p.name))


def clean_env(unsafe: bool = False) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _FOREIGN_ENV}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONWARNINGS"] = "ignore"
    if unsafe:
        env["DLCOURSE_UNSAFE_NO_SANDBOX"] = "1"
    return env


# -- the course every mode grades ---------------------------------------------
def build_base(dest: Path, aids: list[str], variants: list[str]) -> dict[str, list[str]]:
    """Release ``aids`` in a scratch course at ``dest``, simulate the class, create the secret;
    returns assignment id -> student ids."""
    from dlcourse.autograder.course import Course
    from dlcourse.autograder.seeds import course_secret
    from dlcourse.autograder.simulate import simulate_class

    scratch_course(dest, aids)
    course = Course(dest)
    students = {}
    for aid in aids:
        r = course.release(aid)
        if not r.ok:
            raise SystemExit(f"releasing {aid} failed:\n{r.error or r.log}")
        students[aid] = simulate_class(dest, aid, variants)
    course_secret(dest)  # one secret, copied with the folder into every mode's course
    return students


def copy_course(base: Path, dest: Path) -> Path:
    shutil.copytree(base, dest, symlinks=True)
    return dest


# -- the modes -----------------------------------------------------------------
def run_stock(course_dir: Path, students: dict[str, list[str]], k: int) -> ModeResult:
    """nbgrader's default autograde pipeline, full budgets, the first ``k`` submissions each."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, Execute,
                                        IgnorePattern, LimitOutput, SaveAutoGrades)

    from dlcourse.autograder.course import Course

    course = Course(course_dir)
    # nbgrader 0.9.6's default autograde pipeline (no trusted step, no sandbox)
    course.config.Autograde.autograde_preprocessors = [
        Execute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
        AssignLatePenalties, CheckCellMetadata]
    res = ModeResult("stock")
    saved = {key: os.environ.pop(key) for key in _FOREIGN_ENV if key in os.environ}
    os.environ["DLCOURSE_FULL_RUN"] = "1"
    try:
        for aid, ids in students.items():
            graded = ids[:k]
            t_aid = 0.0
            for student in graded:
                t0 = time.perf_counter()
                r = course.autograde(aid, student)
                dt = time.perf_counter() - t0
                t_aid += dt
                res.failed += not r.ok
                say(f"  stock {aid}/{student}: {dt:.1f} s{'' if r.ok else ' (failed)'}")
            per = t_aid / max(len(graded), 1)
            res.per_assignment[aid] = per
            res.submissions += len(ids)
            res.graded += len(graded)
            res.measured_s += t_aid
            res.total_s += per * len(ids)
    finally:
        os.environ.pop("DLCOURSE_FULL_RUN", None)
        os.environ.update(saved)
    return res


def run_dlcourse(mode: str, course_dir: Path, students: dict[str, list[str]], log: Path,
                 unsafe: bool) -> ModeResult:
    """``dlcourse grade`` in a subprocess; per-assignment seconds from the grading ledger."""
    from dlcourse.autograder.ledger import read_records

    cmd = [sys.executable, "-m", "dlcourse.autograder.cli", "--course-dir", str(course_dir),
           "grade", *students, "--force", *DLCOURSE_ARGS[mode]]
    say(f"  {mode}: {' '.join(cmd[1:])}")
    res = ModeResult(mode, submissions=sum(map(len, students.values())))
    with open(log, "w") as fh:
        t0 = time.perf_counter()
        rc = subprocess.call(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=course_dir,
                             env=clean_env(unsafe))
        res.total_s = res.measured_s = time.perf_counter() - t0
    if rc != 0:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        res.error = f"dlcourse grade exited with {rc} (log {log}):\n" + "\n".join(tail)
    for aid, ids in students.items():
        records = read_records(course_dir, aid)
        res.graded += len(records)
        res.failed += sum(not r.get("ok") for r in records) + len(set(ids) - {r["student"] for r in records})
        if records:
            seconds = sum(r.get("seconds", 0.0) for r in records)
            res.worker_s = (res.worker_s or 0.0) + seconds
            res.per_assignment[aid] = seconds / len(records)
    say(f"  {mode}: {res.total_s:.1f} s")
    return res


def run_floor(course_dir: Path, students: dict[str, list[str]]) -> ModeResult:
    """The hidden checks alone, after the intake and salvage ``dlcourse grade`` applies."""
    from dlcourse.autograder.course import Course

    course = Course(course_dir)
    for aid, ids in students.items():
        for student in ids:
            course.intake_submission(aid, student)
            course.salvage_submission(aid, student)
    res = ModeResult("floor")
    saved = {key: os.environ.pop(key) for key in _FOREIGN_ENV if key in os.environ}
    try:
        for aid, ids in students.items():
            seconds, n = checks_alone(course_dir, [aid])
            res.per_assignment[aid] = seconds / max(n, 1)
            res.submissions += len(ids)
            res.graded += n
            res.failed += len(ids) - n
            res.measured_s += seconds
            res.total_s += seconds / max(n, 1) * len(ids)
    finally:
        os.environ.update(saved)
    say(f"  floor: {res.total_s:.1f} s")
    return res


# -- checks and report ---------------------------------------------------------
def class_scores(course_dir: Path, aids: list[str]) -> dict[tuple, tuple]:
    """(assignment, student, notebook) -> (score, max score, per-cell scores) from the gradebook."""
    from dlcourse.autograder.course import Course

    course = Course(course_dir)
    out = {}
    for aid in aids:
        try:
            rows = course.scores(aid)
        except Exception as exc:  # no gradebook entry: the mode failed before grading
            out[(aid, "*", "*")] = (f"no scores: {type(exc).__name__}: {exc}",)
            continue
        for s in rows:
            out[(aid, s.student, s.notebook)] = (s.score, s.max_score, tuple(sorted(s.cells.items())))
    return out


def compare_scores(scores: dict[str, dict]) -> tuple[bool, list[str]]:
    """Whether every dlcourse mode gave the same scores as the first; lines saying where not."""
    modes = list(scores)
    if len(modes) < 2:
        return True, []
    ref_mode, ref = modes[0], scores[modes[0]]
    problems = []
    for mode in modes[1:]:
        other = scores[mode]
        for key in sorted(set(ref) | set(other)):
            if ref.get(key) != other.get(key):
                problems.append(f"{'/'.join(key)}: {ref_mode} {ref.get(key)} != {mode} {other.get(key)}")
    return not problems, problems


def ratios(results: dict[str, ModeResult]) -> list[dict]:
    out = []
    for name, num, den, op, bound, goal in GOALS:
        if num not in results or den not in results:
            continue
        value = results[num].per_submission / results[den].per_submission
        met = None if op is None else (value >= bound if op == ">=" else value <= bound)
        out.append({"ratio": name, "value": round(value, 3), "goal": goal, "met": met})
    return out


def report(results: dict[str, ModeResult], aids: list[str], args, ratio_rows: list[dict],
           same: bool | None, problems: list[str], n_scores: int) -> None:
    floor = results.get("floor")
    print(f"machine: {cores()} core(s) usable ({os.cpu_count()} online), {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}")
    print(f"class: {args.students} submissions per assignment x {len(aids)} assignment(s) "
          f"({', '.join(aids)})")
    stock = results.get("stock")
    if stock and stock.extrapolated:
        from dlcourse.autograder.simulate import DEFAULT_CLASS

        sample = sorted(set(DEFAULT_CLASS[:args.stock_students]), key=DEFAULT_CLASS.index)
        print(f"stock graded only the first {args.stock_students} submission(s) of each assignment "
              f"({stock.graded} of {stock.submissions}, {stock.measured_s:.1f} s measured); its total "
              "is extrapolated: mean seconds per graded submission x class size, per assignment")
        if len(sample) < len(DEFAULT_CLASS):
            print(f"  (the sample holds only the variant(s) {', '.join(sample)} of "
                  f"{', '.join(DEFAULT_CLASS)}: use --stock-students {len(DEFAULT_CLASS)} or a "
                  "multiple for the class's mix)")
    print()
    print(f"{'mode':<7}{'submissions':>12}{'graded':>8}{'total s':>10}{'s/submission':>14}"
          f"{'x floor':>9}{'failed':>8}{'in workers s':>14}")
    for mode, r in results.items():
        vs_floor = (f"{r.per_submission / floor.per_submission:.1f}"
                    if floor and floor.per_submission else "-")
        total = f"{r.total_s:.1f}" + ("*" if r.extrapolated and mode == "stock" else "")
        worker = f"{r.worker_s:.1f}" if r.worker_s is not None else "-"
        print(f"{mode:<7}{r.submissions:>12}{r.graded:>8}{total:>10}{r.per_submission:>14.2f}"
              f"{vs_floor:>9}{r.failed:>8}{worker:>14}")
    if stock and stock.extrapolated:
        print("* extrapolated")
    if any(r.worker_s is not None for r in results.values()):
        print("in workers s: the sum of the ledger's per-submission seconds (with N workers it can "
              "exceed the wall total;\n  with 1, total - in workers is the time outside the "
              "workers: CLI start, planning, packing tasks, merging)")
    print()
    print("seconds per submission by assignment (stock, floor: wall clock; jobs1, jobs2, dask: "
          "wall time inside the worker, from the ledger)")
    width = max(len(a) for a in aids) + 2
    print(f"{'assignment':<{width}}" + "".join(f"{m:>9}" for m in results))
    for aid in aids:
        cells = [results[m].per_assignment.get(aid) for m in results]
        print(f"{aid:<{width}}" + "".join(f"{c:>9.2f}" if c is not None else f"{'-':>9}"
                                          for c in cells))
    if ratio_rows:
        print()
        print(f"{'ratio (s/submission)':<22}{'measured':>9}  {'goal':<32}result")
    for row in ratio_rows:
        verdict = {None: "", True: "met", False: "NOT met"}[row["met"]]
        print(f"{row['ratio']:<22}{row['value']:>8.2f}x  {row['goal'] or '-':<32}{verdict}")
    if any(r["ratio"] == "jobs1 / jobs2" for r in ratio_rows) and cores() < 2:
        print(f"  (this machine has {cores()} usable core(s): the jobs1 / jobs2 goal assumes 2)")
    print()
    if same is None:
        print("scores: fewer than two of jobs1, jobs2, dask ran; nothing compared")
    elif same:
        print(f"scores: {', '.join(m for m in results if m in DLCOURSE_ARGS)} gave identical "
              f"per-student scores ({n_scores} notebook scores, per cell)")
    else:
        print(f"SCORES DIFFER between the dlcourse modes ({len(problems)} notebook score(s)):")
        for line in problems[:20]:
            print(f"  {line}")
    for mode, r in results.items():
        if r.error:
            print(f"{mode} FAILED: {r.error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40, help="submissions per assignment")
    parser.add_argument("--stock-students", type=int, default=None,
                        help="stock grades only the first K per assignment and extrapolates "
                             "(default: all)")
    parser.add_argument("--assignments", default="",
                        help="comma separated (default: those without REQUIRES, a00-a09)")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma separated, of {MODES}")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="build the scratch courses here and keep them (default: a temp dir)")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="grade the dlcourse modes without bubblewrap")
    args = parser.parse_args(argv)
    from dlcourse.autograder.simulate import DEFAULT_CLASS

    modes = [m for m in args.modes.split(",") if m]
    unknown = set(modes) - set(MODES)
    if unknown or not modes:
        parser.error(f"unknown mode(s) {sorted(unknown)}; choose from {','.join(MODES)}")
    aids = [a for a in args.assignments.split(",") if a] or numpy_track()
    missing = [a for a in aids if not (ROOT / "assignments" / a).is_dir()]
    if missing:
        parser.error(f"unknown assignment(s) {missing}")
    if args.students < 1:
        parser.error("--students must be at least 1")
    args.stock_students = min(args.stock_students or args.students, args.students)
    variants = (DEFAULT_CLASS * (args.students // len(DEFAULT_CLASS) + 1))[:args.students]
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]

    work = args.workdir or Path(tempfile.mkdtemp(prefix="dlcourse-class-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if any(work.iterdir()):
        parser.error(f"--workdir {work} is not empty")
    t_start = time.perf_counter()
    try:
        say(f"building the class: {args.students} x {len(aids)} in {work}/base")
        students = build_base(work / "base", aids, variants)
        results: dict[str, ModeResult] = {}
        scores: dict[str, dict] = {}
        for mode in modes:
            course_dir = copy_course(work / "base", work / mode)
            say(f"{mode}:")
            if mode == "stock":
                results[mode] = run_stock(course_dir, students, args.stock_students)
            elif mode == "floor":
                results[mode] = run_floor(course_dir, students)
            else:
                results[mode] = run_dlcourse(mode, course_dir, students, work / f"{mode}.log",
                                             args.unsafe_no_sandbox)
                scores[mode] = class_scores(course_dir, aids)
        same, problems = compare_scores(scores)
        if len(scores) < 2:
            same = None
        ratio_rows = ratios(results)
        n_scores = len(next(iter(scores.values()))) if scores else 0
        report(results, aids, args, ratio_rows, same, problems, n_scores)
        elapsed = time.perf_counter() - t_start
        print(f"\nbenchmark wall time: {elapsed / 60:.1f} min")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({
                "machine": {"cores": cores(), "cpu_count": os.cpu_count(),
                            "python": platform.python_version(), "platform": platform.platform()},
                "assignments": aids, "students": args.students,
                "stock_students": args.stock_students, "sandbox": not args.unsafe_no_sandbox,
                "modes": {m: {"submissions": r.submissions, "graded": r.graded,
                              "total_s": round(r.total_s, 3), "measured_s": round(r.measured_s, 3),
                              "per_submission_s": round(r.per_submission, 4),
                              "extrapolated": r.extrapolated, "failed": r.failed,
                              "worker_s": None if r.worker_s is None else round(r.worker_s, 3),
                              "x_floor": (round(r.per_submission / results["floor"].per_submission, 3)
                                          if "floor" in results else None),
                              "per_assignment_s": {a: round(v, 4) for a, v in r.per_assignment.items()},
                              "per_assignment_source": ("ledger (inside the worker)"
                                                        if m in DLCOURSE_ARGS else "wall clock"),
                              "error": r.error}
                          for m, r in results.items()},
                "ratios": ratio_rows,
                "scores_identical": same, "score_mismatches": problems,
                "benchmark_wall_s": round(elapsed, 1),
            }, indent=1))
            print(f"results: {args.json}")
        return 0 if same is not False and not any(r.error for r in results.values()) else 1
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
