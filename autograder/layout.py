"""The cell layout of an assignment notebook, and the text that explains it to students.

Every source notebook carries one locked markdown cell, ``grade_id: how_graded``,
whose text is exactly :data:`HOW_GRADED`.  :func:`check_layout` proves that what
the text says is what the notebook does: one locked test cell right below each
graded function, the visible check first and the hidden tests in the same cell,
and any table of points in the prose equal to the cells' points.  It runs in
``dlcourse validate`` (through :func:`~dlcourse.autograder.audit.check_source_metadata`)
and in the tests, so a notebook and its explanation cannot drift apart.
``docs/authoring.md`` quotes the same text (a test keeps the two equal).

A notebook may also ask for **written answers graded by hand** (nbgrader's manually graded
answers: :func:`graded_by_hand`).  Its text then carries one more bullet,
:data:`HOW_GRADED_BY_HAND`, before the last one (:func:`how_graded_text`), and
:func:`check_layout` expects that bullet exactly when the notebook has such cells: each one a
markdown answer cell right below the locked markdown cell that asks its question.
"""
from __future__ import annotations

import re

__all__ = ["HOW_GRADED", "HOW_GRADED_BY_HAND", "HOW_GRADED_ID", "check_layout", "graded_by_hand",
           "how_graded_text", "points_tables"]

HOW_GRADED_ID = "how_graded"

#: What students read about grading; true of every notebook that passes :func:`check_layout`.
HOW_GRADED = """\
### How this notebook is graded

* **Your code** goes in the function cells, where it says `# YOUR CODE HERE`: replace that line and
  `raise NotImplementedError()` with your solution. Keep each function's name and arguments, and use
  only its arguments: the grader runs the setup cell at the top and your function cells, and nothing
  else from this notebook.
* **One test cell follows each function** (it is locked). It runs the visible check on a small
  example, prints your values next to the expected ones and stops with an `AssertionError` that names
  the first problem. "Run All" therefore stops at the first function that is not done yet, and
  JupyterLab's **Validate** button runs the same checks.
* **The same test cell holds the hidden tests.** They are removed from your copy and put back when
  your notebook is graded: your function is then called, outside this notebook, on new shapes and
  values drawn at grading time. It earns its points in proportion to the hidden cases it passes, so
  make it work for every input its docstring allows, not only for the visible example.
* Everything else (figures, training runs, sliders) is there for you to explore and earns no points.
"""

#: The bullet a notebook with written answers adds before the last one of :data:`HOW_GRADED`.
HOW_GRADED_BY_HAND = """\
* **Written answers** go in the answer cells that say `YOUR ANSWER HERE` (double-click the cell to
  edit it): replace that line with your answer, in your own words. No test runs on them and the
  autograder gives them no points: your instructor reads them and scores them by hand, and their
  points appear in your feedback once that is done.
"""

# Wordings that describe a layout this course does not have (a separate, empty hidden-test cell).
_WRONG_LAYOUT = re.compile(r"hidden[\s*_-]*tests?[\s*_]*cells?|empty cell", re.I)
_GRADE = re.compile(r"""grade\(\s*["']([A-Za-z_]\w*)["']\s*\)""")
_TABLE_ROW = re.compile(r"^\s*\|(.+)\|\s*$")
_FIRST_NAME = re.compile(r"`([A-Za-z_]\w*)")


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def graded_by_hand(nb) -> dict[str, float]:
    """``{grade_id: points}`` of the cells a person scores, in notebook order.

    These are nbgrader's manually graded answers: graded cells that are also solution cells
    (a student writes in them) or are not code (no output to score).  The autograder leaves
    them ungraded (``needs_manual_grade``) once answered, and gives them 0 while they still
    hold the release's text.
    """
    out: dict[str, float] = {}
    for cell in nb.cells:
        meta = _meta(cell)
        if meta.get("grade") and (meta.get("solution") or cell.cell_type != "code"):
            out[str(meta.get("grade_id"))] = float(meta.get("points") or 0)
    return out


def how_graded_text(nb) -> str:
    """What the ``how_graded`` cell of ``nb`` must say: :data:`HOW_GRADED`, with the
    :data:`HOW_GRADED_BY_HAND` bullet before its last bullet when ``nb`` has written answers."""
    if not graded_by_hand(nb):
        return HOW_GRADED
    head, sep, last = HOW_GRADED.rpartition("\n* ")
    return head + "\n" + HOW_GRADED_BY_HAND + sep.lstrip("\n") + last


def points_tables(markdown: str) -> list[dict[str, float]]:
    """``{function: points}`` for every markdown table with a ``points`` column.

    The function of a row is the first backticked name in it (``sigmoid`` in
    ``| `sigmoid(z)` | 2 |``).
    """
    tables, header, rows = [], None, {}
    for line in markdown.splitlines() + [""]:
        match = _TABLE_ROW.match(line)
        if not match:
            if header is not None and rows:
                tables.append(rows)
            header, rows = None, {}
            continue
        cells = [c.strip() for c in match.group(1).split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if "points" not in header or set("".join(cells)) <= set("-: "):
            continue
        name = _FIRST_NAME.search(" ".join(cells))
        try:
            rows[name.group(1)] = float(cells[header.index("points")])
        except (AttributeError, ValueError, IndexError):
            continue
    return tables


def check_layout(nb, name: str = "notebook") -> list[str]:
    """Problems with the cell layout of a source notebook (empty list: layout as documented)."""
    problems: list[str] = []
    cells = nb.cells
    explained = [i for i, c in enumerate(cells) if _meta(c).get("grade_id") == HOW_GRADED_ID]
    first_solution = next((i for i, c in enumerate(cells) if _meta(c).get("solution")), len(cells))
    if len(explained) != 1:
        problems.append(f"{name}: needs exactly one markdown cell with grade_id {HOW_GRADED_ID!r} "
                        f"(found {len(explained)})")
    else:
        cell = cells[explained[0]]
        if cell.cell_type != "markdown" or not _meta(cell).get("locked"):
            problems.append(f"{name}: the {HOW_GRADED_ID!r} cell must be locked markdown")
        if _norm(cell.source) != _norm(how_graded_text(nb)):
            problems.append(_how_graded_mismatch(nb, cell.source, name))
        if explained[0] > first_solution:
            problems.append(f"{name}: the {HOW_GRADED_ID!r} cell must come before the first function")

    points: dict[str, float] = {}
    for i, cell in enumerate(cells):
        meta = _meta(cell)
        if cell.cell_type == "markdown" and meta.get("grade_id") != HOW_GRADED_ID:
            wrong = _WRONG_LAYOUT.search(cell.source)
            if wrong:
                problems.append(f"{name} cell {i}: the text speaks of a {wrong.group(0)!r}; "
                                "hidden tests sit in the test cell of each function")
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        gid = meta.get("grade_id")
        called = _GRADE.findall(cell.source)
        if not called:
            continue  # audit.check_source_metadata reports test cells without grade()
        function = called[0]
        points[function] = float(meta.get("points", 0))
        before = cells[i - 1] if i else None
        if before is None or not _meta(before).get("solution") or \
                not re.search(rf"^def {re.escape(function)}\(", before.source, re.M):
            problems.append(f"{name} cell {i}: test cell {gid!r} must come right after the "
                            f"solution cell that defines {function}()")
        visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
        code = [line for line in re.sub(r'"""(.*?)"""', "", visible, flags=re.S).splitlines()
                if line.strip() and not line.strip().startswith("#")]
        if not code:
            problems.append(f"{name} cell {i}: test cell {gid!r} has no visible check before its "
                            "hidden tests")

    for cell in cells:
        if cell.cell_type != "markdown":
            continue
        for table in points_tables(cell.source):
            for function, shown in table.items():
                if function in points and shown != points[function]:
                    problems.append(f"{name}: the text gives {function} {shown:g} point(s), its "
                                    f"test cell {points[function]:g}")
            missing = sorted(set(points) - set(table))
            if missing:
                problems.append(f"{name}: the points table leaves out {missing}")
    return problems + _written_answer_problems(nb, name)


def _how_graded_mismatch(nb, text: str, name: str) -> str:
    """Why the ``how_graded`` text is not :func:`how_graded_text` of ``nb``, and what to copy."""
    by_hand = sorted(graded_by_hand(nb))
    says_by_hand = _norm(HOW_GRADED_BY_HAND).splitlines()[0] in _norm(text)
    if by_hand and not says_by_hand:
        return (f"{name}: the {HOW_GRADED_ID!r} cell does not say that written answers are graded "
                f"by hand, but cells {by_hand} are; copy "
                "dlcourse.autograder.layout.how_graded_text(nb) (HOW_GRADED with HOW_GRADED_BY_HAND)")
    if says_by_hand and not by_hand:
        return (f"{name}: the {HOW_GRADED_ID!r} cell speaks of written answers graded by hand, but "
                "no cell is graded by hand; copy dlcourse.autograder.layout.HOW_GRADED")
    return (f"{name}: the {HOW_GRADED_ID!r} cell differs from "
            f"dlcourse.autograder.layout.{'how_graded_text(nb)' if by_hand else 'HOW_GRADED'}; "
            "copy that text")


_POINTS_IN_TEXT = re.compile(r"\b(\d+(?:\.\d+)?) points?\b")


def _written_answer_problems(nb, name: str) -> list[str]:
    """Each cell graded by hand is what :data:`HOW_GRADED_BY_HAND` promises: a markdown answer
    cell (not locked, a solution cell) right below the locked markdown cell that asks its
    question, and any "N point(s)" in that question equal to the cell's points."""
    problems: list[str] = []
    by_hand = graded_by_hand(nb)
    for i, cell in enumerate(nb.cells):
        meta = _meta(cell)
        gid = meta.get("grade_id")
        if str(gid) not in by_hand or not meta.get("grade"):
            continue
        if cell.cell_type != "markdown" or not meta.get("solution") or meta.get("locked"):
            problems.append(f"{name} cell {i}: {gid!r} is graded by hand, so it must be a markdown "
                            "answer cell (solution: true, locked: false): the text promises "
                            "written answers only")
            continue
        before = nb.cells[i - 1] if i else None
        if before is None or before.cell_type != "markdown" or not _meta(before).get("locked") \
                or _meta(before).get("grade_id") == HOW_GRADED_ID:
            problems.append(f"{name} cell {i}: written answer {gid!r} must come right after the "
                            "locked markdown cell that asks its question")
            continue
        stated = {float(n) for n in _POINTS_IN_TEXT.findall(before.source)}
        if stated and stated != {by_hand[str(gid)]}:
            problems.append(f"{name} cell {i - 1}: the question gives {gid!r} "
                            f"{', '.join(f'{n:g}' for n in sorted(stated))} point(s), its answer "
                            f"cell {by_hand[str(gid)]:g}")
    return problems
