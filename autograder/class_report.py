"""What the class got right and wrong, read from the grading ledger (instructor only).

Every graded submission leaves one record in
``<course root>/.dlcourse/graded/<assignment_id>/<student_id>.json`` (see :mod:`.ledger`).  This
module turns those records into

* :func:`per_function_rows` / :func:`write_per_function_csv`: one CSV row per
  (assignment, student, notebook, graded function), for a spreadsheet;
* :func:`write_html_report`: one self-contained HTML page per assignment (plots embedded as
  base64 PNG): score distribution, pass rate per function, the most common diagnosed mistakes,
  the slowest submissions and the failed ones.

Only what the records hold is shown.  The hidden-case seeds are in the records but are left out
of both outputs (the CSV only says whether one was recorded); the instructor finds them in the
ledger.  Student ids, diagnoses and errors are untrusted text and are HTML-escaped.
"""
from __future__ import annotations

import base64
import csv
import html
import io
import math
import statistics
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from .ledger import ledger_dir, read_records
from .scores import round_points

__all__ = [
    "COLUMNS",
    "common_mistakes",
    "per_function_rows",
    "write_html_report",
    "write_per_function_csv",
]

#: columns of :func:`per_function_rows`, in CSV order
COLUMNS = (
    "assignment", "student", "notebook", "function", "score", "points", "passed", "total",
    "diagnosis", "seed_recorded", "graded_at", "ok",
)

_TOP = 10  # rows of the "most common mistakes" and "slowest submissions" sections


# ---------------------------------------------------------------------------------------------
# reading the ledger

def _first_line(text) -> str:
    lines = str(text or "").strip().splitlines()
    return lines[0].strip() if lines else ""


def _most_common(items) -> str:
    """The most frequent entry of ``items`` (ties: the first seen), ``""`` when empty."""
    counts = Counter(str(item) for item in items or ())
    return counts.most_common(1)[0][0] if counts else ""  # most_common keeps first-seen order on ties


# ---------------------------------------------------------------------------------------------
# per-function CSV

def per_function_rows(course_root: Path, assignment_ids: list[str]) -> list[dict]:
    """One dict per (assignment, student, notebook, function), keys :data:`COLUMNS` in order.

    ``score``/``points`` are the function's score and maximum, ``passed``/``total`` its hidden
    cases, ``diagnosis`` the most frequent known mistake among its failed cases (``""`` if
    none), ``seed_recorded`` ``"yes"``/``"no"`` (the seed itself is never copied), ``ok`` the
    record's bool.  A submission nbgrader could not complete (``ok`` false), or a notebook with
    no graded function, gives one row per notebook with ``function`` ``""``, the notebook's
    score and maximum, and ``diagnosis`` ``"not graded: <first line of the error>"``.
    Sorted by assignment, student, notebook, function.
    """
    rows = []
    for assignment_id in assignment_ids:
        for record in read_records(course_root, assignment_id):
            rows += _record_rows(assignment_id, record)
    rows.sort(key=lambda r: (r["assignment"], r["student"], r["notebook"], r["function"]))
    return rows


def _record_rows(assignment_id: str, record: dict) -> list[dict]:
    ok = bool(record.get("ok"))
    error = _first_line(record.get("error")) or "no graded function"
    common = {
        "assignment": str(record.get("assignment") or assignment_id),
        "student": str(record.get("student", "")),
        "graded_at": str(record.get("graded_at", "")),
        "ok": ok,
    }
    notebooks = record.get("notebooks") or {}
    if not notebooks and not ok:  # failed before any notebook was recorded
        notebooks = {"": {}}
    rows = []
    for notebook, nb in notebooks.items():
        nb = nb or {}
        base = dict(common, notebook=str(notebook),
                    seed_recorded="yes" if nb.get("seed") is not None else "no")
        functions = nb.get("functions") or {}
        if not ok or not functions:
            rows.append(_row(base, function="", score=nb.get("score", 0.0),
                             points=nb.get("max_score", ""), passed="", total="",
                             diagnosis=f"not graded: {error}"))
            continue
        for name, fn in functions.items():
            rows.append(_row(base, function=str(name), score=fn.get("score", ""),
                             points=fn.get("points", ""), passed=fn.get("passed", ""),
                             total=fn.get("total", ""),
                             diagnosis=_most_common(fn.get("diagnoses"))))
    return rows


def _row(base: dict, **values) -> dict:
    merged = dict(base, **values)
    return {key: merged[key] for key in COLUMNS}


def write_per_function_csv(rows: list[dict], path: Path) -> Path:
    """Write :func:`per_function_rows` to ``path`` (UTF-8, header always); returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS), extrasaction="ignore",
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


# ---------------------------------------------------------------------------------------------
# summaries behind the HTML page

def _function_keys(records: list[dict]) -> list[tuple[str, str]]:
    """(notebook, function) pairs in the order the records list them (first seen first)."""
    keys = {}
    for record in records:
        for notebook, nb in (record.get("notebooks") or {}).items():
            for name in ((nb or {}).get("functions") or {}):
                keys.setdefault((str(notebook), str(name)), None)
    return list(keys)


def _labeller(records: list[dict]):
    """``function`` alone, or ``notebook: function`` when the assignment has several notebooks."""
    notebooks = {nb for nb, _ in _function_keys(records)}
    if len(notebooks) <= 1:
        return lambda notebook, function: function
    return lambda notebook, function: f"{notebook}: {function}"


def common_mistakes(records: list[dict], limit: int = _TOP) -> list[tuple[str, str, int]]:
    """The ``limit`` most common diagnosed mistakes: ``(function, mistake, students)`` triples.

    A student counts once per function and mistake, however many hidden cases it failed.  Most
    students first; ties in the order first seen.  ``function`` is ``notebook: function`` when
    the records hold several notebooks.
    """
    label = _labeller(records)
    counts = Counter()
    for record in records:
        if not record.get("ok"):
            continue
        for notebook, nb in (record.get("notebooks") or {}).items():
            for name, fn in ((nb or {}).get("functions") or {}).items():
                for mistake in dict.fromkeys(str(d) for d in fn.get("diagnoses") or ()):
                    counts[(label(str(notebook), str(name)), mistake)] += 1
    return [(fn, mistake, n) for (fn, mistake), n in counts.most_common(limit)]


def _pass_rates(records: list[dict]) -> list[tuple[str, int, int, int, int]]:
    """Per function: ``(label, cases passed, cases, students with full marks, students)``.

    Over the completed submissions that list the function.
    """
    label = _labeller(records)
    out = []
    for notebook, name in _function_keys(records):
        passed = total = full = students = 0
        for record in records:
            if not record.get("ok"):
                continue
            nb = (record.get("notebooks") or {}).get(notebook) or {}
            fn = (nb.get("functions") or {}).get(name)
            if fn is None:
                continue
            students += 1
            passed += int(fn.get("passed") or 0)
            total += int(fn.get("total") or 0)
            full += float(fn.get("score") or 0.0) >= float(fn.get("points") or 0.0) - 1e-9
        out.append((label(notebook, name), passed, total, full, students))
    return out


# ---------------------------------------------------------------------------------------------
# plots (matplotlib, Agg, embedded as base64 PNG)

def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _png(fig) -> str:
    plt = _pyplot()
    try:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    finally:
        plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="">'


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def _score_histogram(scores: list[float], max_score: float) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.2))
    top = max_score if max_score > 0 else max(scores + [1.0])
    bins = max(1, math.ceil(top / 0.5 - 1e-9)) if top <= 10 else 20  # half points up to 10
    ax.hist(scores, bins=bins, range=(0.0, top), color="#4c72b0", edgecolor="white")
    ax.set_xlim(0.0, top)
    ax.set_xlabel(f"total score (out of {_num(top)})")
    ax.set_ylabel("submissions")
    ax.yaxis.get_major_locator().set_params(integer=True)
    return _png(fig)


def _barh(labels: list[str], series: list[tuple[str, list[float]]], xlabel: str,
          xmax: float | None = None) -> str:
    """Horizontal bars, first label on top; ``series`` = [(legend, values)] side by side."""
    plt = _pyplot()
    n = len(labels)
    fig, ax = plt.subplots(figsize=(7, 0.9 + 0.35 * n * max(1, len(series))))
    height = 0.8 / len(series)
    for i, (legend, values) in enumerate(series):
        ys = [y + (i - (len(series) - 1) / 2) * height for y in range(n)]
        ax.barh(ys, values, height=height, label=legend)
    ax.set_yticks(range(n), [_short(label) for label in labels], parse_math=False)
    ax.invert_yaxis()
    if xmax is not None:
        ax.set_xlim(0.0, xmax)
    ax.set_xlabel(xlabel)
    if len(series) > 1:
        ax.legend(loc="lower right", fontsize="small")
    return _png(fig)


# ---------------------------------------------------------------------------------------------
# HTML

_CSS = """
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.num { text-align: right; }
th { background: #f0f0f0; }
img { max-width: 100%; }
.error { white-space: pre-wrap; font-family: monospace; }
"""


def _num(value) -> str:
    return f"{round_points(value):g}"


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _table(headers: list[str], rows: list[list], numeric: set[int] = frozenset(),
           css_id: str = "") -> str:
    id_attr = f' id="{_e(css_id)}"' if css_id else ""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="num">{_e(cell)}</td>' if i in numeric else f"<td>{_e(cell)}</td>"
            for i, cell in enumerate(row)) + "</tr>\n"
        for row in rows)
    return f"<table{id_attr}>\n<tr>{head}</tr>\n{body}</table>\n"


def write_html_report(course_root: Path, assignment_id: str, to: Path) -> Path:
    """Write the class report of ``assignment_id`` to the HTML file ``to``; returns ``to``.

    One self-contained page (no external files): a header (submissions graded and failed,
    mean/median score of the graded ones out of the maximum, when generated), the score
    histogram, the pass rate per function, the most common diagnosed mistakes, the slowest
    submissions and the failed ones.  Raises :class:`ValueError` when the ledger holds no record
    of the assignment.
    """
    records = read_records(course_root, assignment_id)
    if not records:
        folder = ledger_dir(course_root, assignment_id)
        raise ValueError(f"no graded submissions of {assignment_id} in {folder}; "
                         f"run dlcourse grade {assignment_id} first")
    graded = [r for r in records if r.get("ok")]
    failed = [r for r in records if not r.get("ok")]
    scores = [float(r.get("score") or 0.0) for r in graded]
    max_score = max((float(r.get("max_score") or 0.0) for r in records), default=0.0)
    generated = datetime.now(timezone.utc).replace(microsecond=0).isoformat()

    parts = [
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        f"<title>Class report: {_e(assignment_id)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n",
        f"<h1>Class report: {_e(assignment_id)}</h1>\n",
        "<ul>\n",
        f"<li>submissions graded: {len(graded)}</li>\n",
        f"<li>failed (not graded): {len(failed)}</li>\n",
    ]
    if scores:
        parts += [
            f"<li>mean score: {_e(_num(statistics.fmean(scores)))} / {_e(_num(max_score))}</li>\n",
            f"<li>median score: {_e(_num(statistics.median(scores)))} / {_e(_num(max_score))}</li>\n",
        ]
    parts += [f"<li>generated: {_e(generated)}</li>\n", "</ul>\n"]

    parts.append("<h2>Score distribution</h2>\n")
    if scores:
        parts.append(_score_histogram(scores, max_score))
    else:
        parts.append("<p>No submission was graded.</p>\n")

    parts.append("<h2>Pass rate per function</h2>\n")
    rates = _pass_rates(records)
    if rates:
        parts.append(_barh(
            [label for label, *_ in rates],
            [("hidden cases passed", [p / t if t else 0.0 for _, p, t, _, _ in rates]),
             ("students with full marks", [f / s if s else 0.0 for _, _, _, f, s in rates])],
            "fraction of the class", xmax=1.0))
        parts.append(_table(
            ["function", "hidden cases passed", "fraction", "students with full marks", "fraction"],
            [[label, f"{p} / {t}", f"{p / t:.0%}" if t else "-",
              f"{f} / {s}", f"{f / s:.0%}" if s else "-"] for label, p, t, f, s in rates],
            numeric={1, 2, 3, 4}, css_id="pass-rates"))
    else:
        parts.append("<p>No graded function in the records.</p>\n")

    parts.append(f"<h2>Most common diagnosed mistakes (top {_TOP})</h2>\n")
    mistakes = common_mistakes(records, _TOP)
    if mistakes:
        parts.append(_barh([f"{fn}: {m}" for fn, m, _ in mistakes],
                           [("students", [n for *_, n in mistakes])], "students"))
        parts.append(_table(["function", "mistake", "students"],
                            [list(m) for m in mistakes], numeric={2}, css_id="mistakes"))
    else:
        parts.append("<p>No failed hidden case matched a known mistake.</p>\n")

    parts.append(f"<h2>Slowest submissions (top {_TOP})</h2>\n")
    slowest = sorted(records, key=lambda r: -float(r.get("seconds") or 0.0))[:_TOP]
    parts.append(_barh([str(r.get("student", "")) for r in slowest],
                       [("seconds", [float(r.get("seconds") or 0.0) for r in slowest])],
                       "seconds to autograde"))
    parts.append(_table(
        ["student", "seconds", "score"],
        [[r.get("student", ""), f"{float(r.get('seconds') or 0.0):.1f}",
          f"{_num(r.get('score') or 0.0)} / {_num(r.get('max_score') or 0.0)}"
          if r.get("ok") else "not graded"] for r in slowest],
        numeric={1, 2}, css_id="slowest"))

    if failed:
        parts.append("<h2>Failed submissions</h2>\n")
        parts.append('<table id="failed">\n<tr><th>student</th><th>error</th></tr>\n')
        for r in failed:
            parts.append(f"<tr><td>{_e(r.get('student', ''))}</td>"
                         f"<td class=\"error\">{_e(str(r.get('error') or '').strip())}</td></tr>\n")
        parts.append("</table>\n")

    parts.append("</body>\n</html>\n")
    to = Path(to)
    to.parent.mkdir(parents=True, exist_ok=True)
    to.write_text("".join(parts), encoding="utf-8")
    return to
