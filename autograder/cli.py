"""``dlcourse``: the instructor's command line, built on nbgrader's own API.

    dlcourse release [ASSIGNMENT...]     nbgrader generate_assignment, then release_assignment
    dlcourse collect [ASSIGNMENT...]     nbgrader collect from the exchange, zip_collect (--zip)
    dlcourse simulate [ASSIGNMENT...]    write a simulated class into submitted/
    dlcourse grade [ASSIGNMENT...]       nbgrader autograde on N processes or Dask, resumable
    dlcourse feedback [ASSIGNMENT...]    nbgrader generate_feedback (hidden tests stripped),
                                         release_feedback with --release
    dlcourse watch [--once]              grade each submission as it arrives, release feedback
    dlcourse export [--to grades.csv]    nbgrader's CSV export, and one row per student x function
    dlcourse report [ASSIGNMENT...]      HTML page per assignment: distribution, pass rates, mistakes
    dlcourse validate [ASSIGNMENT...]    author CI: full marks, zero for the release, no leaks
    dlcourse build-student-package       one zip per assignment (release + wheel) for students off the hub
    dlcourse demo                        all of the above on a fresh copy of the course

Every command works on the course root (``--course-dir``, default: the folder
with ``nbgrader_config.py`` above the current directory, else this repository).
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from tqdm import tqdm

from .course import Course, StepResult, find_course_root
from .logs import log_step, terminal_and_log
from .sandbox import HOW_TO_FIX, UNSAFE_WARNING, Sandbox

console = Console(highlight=False)
# nbgrader 0.9.6 with SQLAlchemy 2 warns about its own session use; results are right.
warnings.filterwarnings("ignore", message=".*not in session.*")


def _course(ctx: click.Context) -> Course:
    return Course(ctx.obj["course_dir"])


def _pick(course: Course, assignment_ids: tuple[str, ...], runnable: bool = False) -> list[str]:
    """The named assignments (all when none is named).  With ``runnable``, an assignment whose
    optional dependencies (``REQUIRES``) are missing is skipped with a note when it was not named,
    and refused when it was."""
    known = course.assignments()
    unknown = [a for a in assignment_ids if a not in known]
    if unknown:
        raise click.BadParameter(f"unknown assignment(s) {unknown}; known: {known}")
    picked = list(assignment_ids) or known
    if not runnable:
        return picked
    reasons = {a: course.unavailable_reason(a) for a in picked}
    if assignment_ids and any(reasons.values()):
        raise click.UsageError("; ".join(f"{a} {r}" for a, r in reasons.items() if r))
    for aid, reason in reasons.items():
        if reason:
            console.print(f"skipped {aid}: {reason}", soft_wrap=True)
    return [a for a in picked if not reasons[a]]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--course-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Course root (holds nbgrader_config.py).")
@click.pass_context
def main(ctx: click.Context, course_dir: Path | None) -> None:
    """Instructor tools for the deep-learning course (nbgrader 0.9.6)."""
    ctx.ensure_object(dict)
    ctx.obj["course_dir"] = course_dir or find_course_root()


# -- release -------------------------------------------------------------------
def _bar(items, desc: str, unit: str, terminal):
    return tqdm(items, desc=desc, unit=unit, file=terminal or sys.stderr)


def release_all(course: Course, assignment_ids: list[str], terminal=None) -> dict[str, StepResult]:
    results = {}
    for aid in _bar(assignment_ids, "release", "assignment", terminal):
        results[aid] = course.release(aid)
        log_step(f"release {aid}", results[aid].ok, results[aid].log + results[aid].error)
    return results


def _due_option(value):
    if value is None:
        return None
    from .classroom import parse_due

    try:
        return parse_due(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--due") from None


@main.command()
@click.argument("assignment_ids", nargs=-1)
@click.option("--due", "due", default=None, metavar="'YYYY-MM-DD HH:MM:SS ZONE'",
              callback=lambda ctx, param, value: _due_option(value),
              help="Set the due date in the gradebook first, e.g. '2026-12-18 17:00:00 UTC' "
                   "(late work is penalized from it, see docs/classroom.md).")
@click.option("--no-exchange", is_flag=True,
              help="Only build release/; do not publish to the students' exchange.")
@click.pass_context
def release(ctx, assignment_ids, due, no_exchange):
    """Build release/<assignment>/ (nbgrader generate_assignment) and publish it to the exchange
    (nbgrader release_assignment; an earlier release there is replaced)."""
    from .classroom import outbound_path, publish, set_due_date

    course = _course(ctx)
    aids = _pick(course, assignment_ids)
    published: dict[str, StepResult] = {}
    with terminal_and_log(course.log_path, "dlcourse release") as terminal:
        results = release_all(course, aids, terminal)
        for aid in (a for a in aids if results[a].ok):
            if due is not None:
                set_due_date(course, aid, due)
            if not no_exchange:
                published[aid] = publish(course, aid)
                log_step(f"release_assignment {aid}", published[aid].ok,
                         published[aid].log + published[aid].error)
    failed = False
    for aid, r in results.items():
        p = published.get(aid)
        if not r.ok or (p is not None and not p.ok):
            failed = True
            console.print(f"✗ {aid}: {r.summary if not r.ok else p.summary}", markup=False,
                          soft_wrap=True)
            continue
        where = f"published to {outbound_path(course, aid)}" if p else "not published (--no-exchange)"
        when = f"; due {due:%Y-%m-%d %H:%M:%S} UTC" if due is not None else ""
        console.print(f"✓ {aid}: released to {course.root / 'release' / aid}, {where}{when}",
                      markup=False, soft_wrap=True)
    if failed:
        console.print(f"log: {course.log_path}", soft_wrap=True)
    sys.exit(1 if failed else 0)


# -- collect -------------------------------------------------------------------
@main.command()
@click.argument("assignment_ids", nargs=-1)
@click.option("--zip", "zips", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="An LMS download: one zip with every student's notebook (repeatable). File "
                   "names: <student>/<any>.ipynb or <student>_<digits_...><notebook>.ipynb "
                   "(docs/classroom.md). The assignment: the one named, else the id in the "
                   "zip's name.")
@click.option("--zip-regex", default=None, metavar="REGEX",
              help="Another convention for the zips' file names (groups student_id, file_id, "
                   "optional timestamp); default: c.LmsZipCollector.named_regexp.")
@click.option("--no-exchange", is_flag=True, help="Only the zips; leave the exchange alone.")
@click.pass_context
def collect(ctx, assignment_ids, zips, zip_regex, no_exchange):
    """Collect submissions into submitted/<student>/<assignment>/: the newest of each student
    from the exchange (nbgrader collect --update: a resubmission replaces the one collected
    before), and every --zip (nbgrader zip_collect)."""
    import re

    from .classroom import Collected, collect_exchange, collect_zip, zip_assignment

    course = _course(ctx)
    aids = _pick(course, assignment_ids)
    if zip_regex:
        try:
            if not {"student_id", "file_id"} <= set(re.compile(zip_regex).groupindex):
                raise re.error("needs the groups (?P<student_id>...) and (?P<file_id>...)")
        except re.error as exc:
            raise click.BadParameter(str(exc), param_hint="--zip-regex") from None
    done: list[Collected] = []
    with terminal_and_log(course.log_path, "dlcourse collect"):
        if not no_exchange:
            for aid in aids:
                c = collect_exchange(course, aid)
                log_step(f"collect {aid}", c.ok, c.log)
                if assignment_ids or c.students or c.refused or c.error:
                    done.append(c)
        for path in zips:
            try:
                aid = zip_assignment(path, list(assignment_ids), course.assignments())
            except ValueError as exc:
                done.append(Collected("?", path.name, error=str(exc)))
                continue
            c = collect_zip(course, aid, path, zip_regex)
            log_step(f"zip_collect {aid} {path}", c.ok, c.log)
            done.append(c)
    if not done:
        console.print(f"nothing to collect: no submission in {course.config.Exchange.root} "
                      "(students submit from the Assignments tab or with nbgrader submit)",
                      markup=False, soft_wrap=True)
    for c in done:
        console.print(f"{'✓' if c.ok else '✗'} {c.line()}", markup=False, soft_wrap=True)
        for why in c.refused:
            console.print(f"    left out: {why}", markup=False, soft_wrap=True)
    collected = sorted({c.assignment for c in done if c.ok and (c.new or c.updated)})
    if collected:
        console.print(f"submissions in {course.root / 'submitted'}; next: dlcourse grade "
                      f"{' '.join(collected)}", markup=False, soft_wrap=True)
    if any(not c.ok for c in done):
        console.print(f"log: {course.log_path}", soft_wrap=True)
        sys.exit(1)


# -- simulate ------------------------------------------------------------------
@main.command()
@click.argument("assignment_ids", nargs=-1)
@click.option("--variant", "variants", multiple=True,
              help="Kinds of student (default: correct, partial, blank, broken_json, tampered).")
@click.pass_context
def simulate(ctx, assignment_ids, variants):
    """Write a simulated class into submitted/ (needs release/ first)."""
    from .simulate import simulate_class

    course = _course(ctx)
    for aid in _pick(course, assignment_ids):
        students = simulate_class(course.root, aid, list(variants) or None,
                                  course.source_dir.name)
        console.print(f"{aid}: {', '.join(students)}")


# -- the sandbox ---------------------------------------------------------------
def unsafe_option(command):
    return click.option(
        "--unsafe-no-sandbox", "unsafe", is_flag=True,
        help="Grade without the bubblewrap sandbox: student code can then read and change your "
             "files. Every report says so.")(command)


def require_sandbox(course: Course, unsafe: bool) -> None:
    """Stop before grading anything if the sandbox cannot start (or warn when it is off)."""
    if unsafe:
        os.environ["DLCOURSE_UNSAFE_NO_SANDBOX"] = "1"  # course copies read nbgrader_config.py again
        course.config.Sandbox.enabled = False
    sandbox = Sandbox(config=course.config)
    if not sandbox.enabled:
        console.print(f"[yellow]{UNSAFE_WARNING}[/yellow]")
        return
    why = sandbox.problem()
    if why:
        console.print(f"[red]Grading refused: the grading sandbox cannot start here ({why}).[/red]",
                      soft_wrap=True)
        console.print(HOW_TO_FIX, soft_wrap=True)
        sys.exit(2)


# -- grade ---------------------------------------------------------------------
def grade_all(course: Course, assignment_ids: list[str], student_glob: str = "*",
              terminal=None, jobs: int | None = None, scheduler: str | None = None,
              force: bool = False, seed: int | None = None) -> dict[tuple[str, str], StepResult]:
    """Autograde every submission not graded yet (or changed since; all with ``force``) on
    ``jobs`` processes or a Dask cluster; failures are collected, never raised."""
    from .batch import Batch, BatchLocked, default_jobs

    unsafe = os.environ.get("DLCOURSE_UNSAFE_NO_SANDBOX", "") == "1"
    try:
        with Batch(course, assignment_ids, student_glob, force=force, seed=seed,
                   unsafe=unsafe) as batch:
            return batch.run(jobs or default_jobs(), scheduler, terminal,
                             say=lambda line: console.print(line, markup=False, soft_wrap=True))
    except (BatchLocked, RuntimeError) as exc:
        console.print(f"[red]{exc}[/red]", soft_wrap=True)
        sys.exit(2)


def _report_failures(course: Course, results: dict[tuple[str, str], StepResult], what: str) -> None:
    """What intake and salvage did, then the whole reason for every failure and what to do."""
    repaired = {k: r for k, r in results.items() if r.notes}
    if repaired:
        console.print(f"[yellow]{len(repaired)} {what} were handed in under other names, in "
                      "folders or zips, or cut off; each was graded as far as it goes:[/yellow]")
        for (aid, student), r in repaired.items():
            console.print(f"! {aid}/{student}", style="bold")
            for note in r.notes:
                console.print(f"  {note}", markup=False, soft_wrap=True)
    failed = {k: r for k, r in results.items() if not r.ok}
    if not failed:
        return
    console.print(f"[yellow]{len(failed)} {what} could not be completed (the others were):[/yellow]")
    for (aid, student), r in failed.items():
        console.print(f"✗ {aid}/{student}", style="bold")
        console.print(f"  what went wrong: {r.summary or '(no message)'}", markup=False)
        console.print(f"  what you can do: {r.advice or f'see {course.log_path}'}", markup=False)
        if r.command:
            console.print(f"      {r.command}", markup=False, soft_wrap=True)


def jobs_option(command):
    return click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                        help="Submissions graded at once (default: the number of cores).")(command)


@main.command()
@click.argument("assignment_ids", nargs=-1)
@click.option("--student", "student_glob", default="*", help="Only students matching this glob.")
@jobs_option
@click.option("--scheduler", default=None, metavar="ADDRESS|local",
              help="Grade on a Dask cluster: the scheduler's address (tcp://HOST:8786), or "
                   "'local' for a LocalCluster of --jobs workers on this machine.")
@click.option("--force", is_flag=True,
              help="Regrade every submission, also those graded before and unchanged since.")
@click.option("--seed", type=click.IntRange(min=0, max=2**32 - 1), default=None,
              help="Draw every notebook's hidden cases from this seed instead of the "
                   "submission's own (derived from the course secret).")
@unsafe_option
@click.pass_context
def grade(ctx, assignment_ids, student_glob, jobs, scheduler, force, seed, unsafe):
    """Autograde submitted/ in the sandbox, in parallel; resumes where a stopped run ended.

    Each submission is graded once: a rerun skips those recorded in the grading ledger
    (.dlcourse/graded/) whose files, assignment and checks have not changed since.  One
    broken submission never stops the batch.
    """
    course = _course(ctx)
    require_sandbox(course, unsafe)
    aids = _pick(course, assignment_ids, runnable=True)
    with terminal_and_log(course.log_path, "dlcourse grade") as terminal:
        results = grade_all(course, aids, student_glob, terminal, jobs=jobs, scheduler=scheduler,
                            force=force, seed=seed)
    print_scores(course, aids, results)
    _report_failures(course, results, "submission(s)")
    console.print(f"log: {course.log_path}", soft_wrap=True)


# -- watch ---------------------------------------------------------------------
@main.command()
@click.option("--once", is_flag=True, help="Grade what is waiting in the exchange, then exit (cron).")
@click.option("--status", is_flag=True, help="Print the queue and exit.")
@click.option("--workers", type=int, default=None, help="Submissions graded at once (default 2).")
@click.option("--interval", type=float, default=None, help="Seconds between looks (default 2).")
@unsafe_option
@click.pass_context
def watch(ctx, once, status, workers, interval, unsafe):
    """Grade each submission in the exchange right after it arrives and release its feedback."""
    import signal

    from .watch import Watcher, WatchSettings

    course = _course(ctx)
    settings = WatchSettings(config=course.config)
    if workers:
        settings.workers = workers
    if interval:
        settings.interval = interval
    watcher = Watcher(course, settings, say=lambda line: console.print(line, markup=False,
                                                                       soft_wrap=True))
    if status:
        table = Table(title="dlcourse watch: submissions", title_justify="left")
        for column in ("submitted (UTC)", "student", "assignment", "state", "score", "released",
                       "tries", "note"):
            table.add_column(column, overflow="fold")
        for job in watcher.store.jobs():
            table.add_row(job.submitted_at[:19], job.student, job.assignment,
                          job.state + (" (late)" if job.late else ""),
                          "" if job.score is None else f"{job.score:g}/{job.max_score:g}",
                          job.released, str(job.attempts), job.message)
        console.print(table)
        return
    require_sandbox(course, unsafe)
    signal.signal(signal.SIGTERM, lambda *_: watcher.stop())
    console.print(f"watching {watcher.inbound} ({settings.workers} worker(s), every "
                  f"{settings.interval:g} s); queue: {watcher.store.path}; log: {course.log_path}",
                  soft_wrap=True)
    try:
        watcher.run(once=once)
    except KeyboardInterrupt:
        watcher.stop()


# -- feedback / export ---------------------------------------------------------
def feedback_all(course: Course, assignment_ids: list[str], terminal=None
                 ) -> dict[tuple[str, str], StepResult]:
    jobs = [(a, s) for a in assignment_ids for s in course.students(a)
            if (course.root / "autograded" / s / a).is_dir()]
    results = {}
    for aid, student in _bar(jobs, "feedback", "submission", terminal):
        r = course.feedback(aid, student)
        if not r.ok:
            r.advice = f"See {course.log_path}, fix the cause, then run again:"
            r.command = f"dlcourse feedback {aid}"
        results[(aid, student)] = r
        log_step(f"feedback {aid}/{student}", r.ok, r.log + r.error)
    return results


@main.command()
@click.argument("assignment_ids", nargs=-1)
@click.option("--release", "release_", is_flag=True,
              help="Then release it to the exchange (nbgrader release_feedback), where the "
                   "students' Fetch Feedback finds it.")
@click.pass_context
def feedback(ctx, assignment_ids, release_):
    """Generate feedback/<student>/<assignment>/*.html (no hidden tests inside); with --release,
    publish it to the students."""
    from .classroom import release_feedback

    course = _course(ctx)
    aids = _pick(course, assignment_ids)
    releases = []
    with terminal_and_log(course.log_path, "dlcourse feedback") as terminal:
        results = feedback_all(course, aids, terminal)
        if release_:
            for aid in aids:
                made = sorted(s for (a, s), r in results.items() if a == aid and r.ok)
                if made:
                    releases.append(release_feedback(course, aid, made))
    _report_failures(course, results, "feedback report(s)")
    console.print(f"{sum(r.ok for r in results.values())} feedback report(s) in "
                  f"{course.root / 'feedback'}")
    if not release_:
        return
    for rel in releases:
        console.print(f"{'✓' if rel.released else '✗'} {rel.assignment}: feedback of "
                      f"{len(rel.released)} student(s) ({rel.notebooks} notebook(s)) released to "
                      f"the exchange; the students' Fetch Feedback brings it home",
                      markup=False, soft_wrap=True)
        for student, why in sorted(rel.not_released.items()):
            console.print(f"    not released: {student}: {why}", markup=False, soft_wrap=True)
    if not releases:
        console.print("no feedback to release", markup=False)


@main.command()
@click.option("--to", "to", default="grades.csv", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV file to write (relative to the course root).")
@click.option("--by-function", "by_function", default="grades_by_function.csv",
              type=click.Path(dir_okay=False, path_type=Path), show_default=True,
              help="Second CSV: one row per student and graded function (score, hidden cases "
                   "passed, the mistake named), from the grading ledger.")
@click.pass_context
def export(ctx, to, by_function):
    """Export the gradebook to CSV (nbgrader's CsvExportPlugin), and the per-function CSV."""
    from .class_report import per_function_rows, write_per_function_csv

    course = _course(ctx)
    path = course.export_csv(to if to.is_absolute() else course.root / to)
    console.print(f"grades written to {path}")
    rows = per_function_rows(course.root, course.assignments())
    target = by_function if by_function.is_absolute() else course.root / by_function
    write_per_function_csv(rows, target)
    console.print(f"{len(rows)} row(s) per student and function written to {target}")


@main.command()
@click.argument("assignment_ids", nargs=-1)
@click.option("--to", "folder", default="reports", type=click.Path(file_okay=False, path_type=Path),
              show_default=True, help="Folder for report-<assignment>.html (relative to the course root).")
@click.pass_context
def report(ctx, assignment_ids, folder):
    """An HTML page per assignment: score distribution, pass rate per function, the most
    common mistakes, the slowest submissions (instructor only; no reference values)."""
    from .class_report import write_html_report

    course = _course(ctx)
    folder = folder if folder.is_absolute() else course.root / folder
    failed = False
    for aid in _pick(course, assignment_ids):
        try:
            path = write_html_report(course.root, aid, folder / f"report-{aid}.html")
        except ValueError as exc:
            if assignment_ids:
                console.print(f"✗ {exc}", markup=False, soft_wrap=True)
                failed = True
            continue
        console.print(f"✓ {aid}: {path}", soft_wrap=True)
    sys.exit(1 if failed else 0)


def print_scores(course: Course, assignment_ids: list[str],
                 results: dict[tuple[str, str], StepResult] | None = None) -> None:
    """One table per assignment: every student, score / max, graded or not, and the written
    answers still to be graded by hand (in Formgrader; their points are not in the score yet)."""
    import nbformat

    from .layout import graded_by_hand

    for aid in assignment_ids:
        try:
            scores = {s.student: s for s in course.scores(aid)}
        except Exception:  # no gradebook entry yet
            scores = {}
        by_hand = {gid for path in sorted((course.source_dir / aid).glob("*.ipynb"))
                   for gid in graded_by_hand(nbformat.read(path, as_version=4))}
        to_grade: dict[str, list[str]] = {}
        if by_hand and scores:
            with course.gradebook() as gb:
                for submission in gb.find_assignment(aid).submissions:
                    to_grade[submission.student.id] = [
                        g.name for nb in submission.notebooks for g in nb.grades
                        if g.name in by_hand and g.needs_manual_grade]
        table = Table(title=f"Autograded scores: {aid}", title_justify="left")
        table.add_column("student", overflow="fold")
        table.add_column("score", justify="right")
        table.add_column("max", justify="right")
        table.add_column("status", overflow="fold")
        for student in course.students(aid):
            r = (results or {}).get((aid, student))
            status = ("graded" if r is None or (r.ok and not r.notes) else
                      "[yellow]graded, see the notes below[/yellow]" if r.ok else
                      "[red]not graded (see below)[/red]")
            waiting = to_grade.get(student) if r is None or r.ok else None
            if waiting:
                status += (f"; {len(waiting)} cell{'s' if len(waiting) > 1 else ''} to grade by "
                           f"hand: {', '.join(waiting)}")
            sc = scores.get(student)
            table.add_row(student, f"{sc.score:g}" if sc else "-",
                          f"{sc.max_score:g}" if sc else "-", status)
        console.print(table)


# -- validate ------------------------------------------------------------------
def _copy_course(src: Course, dest: Path, assignment_ids: list[str]) -> Course:
    (dest / src.source_dir.name).mkdir(parents=True)
    for aid in assignment_ids:
        shutil.copytree(src.source_dir / aid, dest / src.source_dir.name / aid)
    shutil.copytree(src.root / "solutions", dest / "solutions")
    shutil.copy2(src.root / "nbgrader_config.py", dest / "nbgrader_config.py")
    return Course(dest)


def validate_assignment(course: Course, aid: str, all_sources: dict[str, Path] | None = None
                        ) -> list[str]:
    """Author CI for one assignment in ``course`` (a scratch copy): list of problems.

    ``all_sources`` (assignment id -> source folder, every assignment of the
    course) lets the leak audit look for the other assignments' answers too.
    Cells graded by hand (written answers, :func:`~dlcourse.autograder.layout.graded_by_hand`)
    are not autograded: "full marks" is then the sum of the other cells, and they are named
    on the terminal ("1 cell graded by hand: reflection").
    """
    import nbformat

    from .audit import check_release_secrets, check_source_metadata, may_contain_answers_of
    from .layout import graded_by_hand
    from .simulate import simulate_class

    problems = []
    by_hand: dict[str, dict[str, float]] = {}  # notebook -> {grade_id: points}
    for nb_path in sorted((course.source_dir / aid).glob("*.ipynb")):
        problems += check_source_metadata(nb_path, course.root / "solutions")
        by_hand[nb_path.stem] = graded_by_hand(nbformat.read(nb_path, as_version=4))
    r = course.release(aid)
    if not r.ok:
        return problems + [f"generate_assignment failed: {r.summary}"]
    problems += check_release_secrets(course.source_dir / aid, course.root / "release" / aid,
                                      all_sources, may_contain_answers_of(aid, course.root / "solutions"))
    simulate_class(course.root, aid, ["correct", "blank"], course.source_dir.name)
    for student in ("s01_correct", "s02_blank"):
        r = course.autograde(aid, student)
        if not r.ok:
            problems.append(f"autograde of {student} failed: {r.summary}")
    for sc in course.scores(aid):
        manual = by_hand.get(sc.notebook, {})
        if sc.student == "s01_correct":
            earned = round(sc.score - sum(sc.cells.get(g) or 0 for g in manual), 2)
            out_of = round(sc.max_score - sum(manual.values()), 2)
            if earned != out_of:
                problems.append(f"{sc.notebook}: the solution earns {earned:g}/{out_of:g}"
                                f"{' on its autograded cells' if manual else ''}; cells below full "
                                f"marks: {_below_full(course, aid, sc, set(manual))}")
        elif sc.student == "s02_blank":
            earning = {k: v for k, v in sc.cells.items() if v}
            if earning:
                problems.append(f"{sc.notebook}: the release earns points in {earning}")
    manual = [g for cells in by_hand.values() for g in cells]
    if manual:
        console.print(f"  {aid}: {len(manual)} cell{'s' if len(manual) > 1 else ''} graded by "
                      f"hand: {', '.join(manual)} (not autograded, so not in the solution's full "
                      "marks; score them in Formgrader)", markup=False, soft_wrap=True)
    return problems


def _below_full(course: Course, aid: str, sc, by_hand: set[str] = frozenset()) -> list[str]:
    """The autograded cells of ``sc``'s notebook below full marks (cells in ``by_hand`` aside)."""
    with course.gradebook() as gb:
        nb = gb.find_submission_notebook(sc.notebook, aid, sc.student)
        return [g.name for g in nb.grades if g.name not in by_hand
                and (g.score is None or g.score < g.max_score)]


@main.command()
@click.argument("assignment_ids", nargs=-1)
@unsafe_option
@click.pass_context
def validate(ctx, assignment_ids, unsafe):
    """Prove each assignment: metadata valid, solution = full marks, release = 0, no leaks."""
    course = _course(ctx)
    require_sandbox(course, unsafe)
    aids = _pick(course, assignment_ids, runnable=True)
    failed = False
    with tempfile.TemporaryDirectory(prefix="dlcourse-validate-") as tmp, \
            terminal_and_log(course.log_path, "dlcourse validate"):
        scratch = _copy_course(course, Path(tmp) / "course", aids)
        all_sources = {a: course.source_dir / a for a in course.assignments()}
        for aid in aids:
            t0 = time.perf_counter()
            problems = validate_assignment(scratch, aid, all_sources)
            took = time.perf_counter() - t0
            if problems:
                failed = True
                console.print(f"✗ {aid} ({took:.0f} s)")
                for p in problems:
                    console.print(f"    {p}")
            else:
                console.print(f"✓ {aid}: metadata valid, solution full marks, release zero, "
                              f"no secrets released ({took:.0f} s)")
    console.print(f"log: {course.log_path}", soft_wrap=True)
    sys.exit(1 if failed else 0)


# -- demo ----------------------------------------------------------------------
@main.command()
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("build/demo"), show_default=True,
              help="Fresh course copy to run in (deleted first).")
@click.argument("assignment_ids", nargs=-1)
@jobs_option
@unsafe_option
@click.pass_context
def demo(ctx, workdir, assignment_ids, jobs, unsafe):
    """Release the assignments (default: every one that can run here), grade a simulated class,
    write feedback and grades.csv."""
    from .classroom import formgrader_hint
    from .simulate import DEFAULT_CLASS, simulate_class

    source = _course(ctx)
    require_sandbox(source, unsafe)
    aids = _pick(source, assignment_ids, runnable=True)
    workdir = workdir if workdir.is_absolute() else source.root / workdir
    if workdir.exists():
        shutil.rmtree(workdir)
    t0 = time.perf_counter()
    course = _copy_course(source, workdir, aids)
    console.print(f"course copy: {workdir}  assignments: {', '.join(aids)}", soft_wrap=True)
    with terminal_and_log(course.log_path, "dlcourse demo") as terminal:
        released = release_all(course, aids, terminal)
        bad = [a for a, r in released.items() if not r.ok]
        aids = [a for a in aids if a not in bad]
        for aid in aids:
            simulate_class(course.root, aid, DEFAULT_CLASS, course.source_dir.name)
        t_grade = time.perf_counter()
        results = grade_all(course, aids, terminal=terminal, jobs=jobs)
        t_grade = time.perf_counter() - t_grade
        feedback = feedback_all(course, aids, terminal)
        csv = course.export_csv(course.root / "grades.csv")
    for aid in bad:
        console.print(f"✗ release of {aid} failed: {released[aid].summary} (see {course.log_path})")
    print_scores(course, aids, results)
    _report_failures(course, results, "submission(s)")
    _report_failures(course, feedback, "feedback report(s)")
    n = len(results)
    console.print(f"graded {n} submissions in {t_grade:.1f} s ({t_grade / max(n, 1):.1f} s each)")
    console.print(f"feedback: {course.root / 'feedback'}", soft_wrap=True)
    console.print(f"grades:   {csv}", soft_wrap=True)
    console.print(f"log:      {course.log_path}", soft_wrap=True)
    console.print(formgrader_hint(course.root), markup=False, soft_wrap=True)
    console.print(f"total {time.perf_counter() - t0:.0f} s")
    sys.exit(1 if bad else 0)


from .student_package import build_student_package  # noqa: E402 - a command of its own module

main.add_command(build_student_package)

if __name__ == "__main__":
    main()
