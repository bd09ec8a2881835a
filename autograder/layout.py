"""The cell layout of an assignment notebook, and the text that explains it to students.

Every source notebook carries one locked markdown cell, ``grade_id: how_graded``,
whose text is exactly :data:`HOW_GRADED`.  :func:`check_layout` proves that what
the text says is what the notebook does: one locked test cell right below each
graded function, the visible check first and the hidden tests in the same cell,
and any table of points in the prose equal to the cells' points.  It runs in
``dlcourse validate`` (through :func:`~dlcourse.autograder.audit.check_source_metadata`)
and in the tests, so a notebook and its explanation cannot drift apart.
``docs/authoring.md`` quotes the same text (a test keeps the two equal).
"""
from __future__ import annotations

import re

__all__ = ["HOW_GRADED", "HOW_GRADED_ID", "check_layout", "points_tables"]

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

# Wordings that describe a layout this course does not have (a separate, empty hidden-test cell).
_WRONG_LAYOUT = re.compile(r"hidden[\s*_-]*tests?[\s*_]*cells?|empty cell", re.I)
_GRADE = re.compile(r"""grade\(\s*["']([A-Za-z_]\w*)["']\s*\)""")
_TABLE_ROW = re.compile(r"^\s*\|(.+)\|\s*$")
_FIRST_NAME = re.compile(r"`([A-Za-z_]\w*)")


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


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
        if _norm(cell.source) != _norm(HOW_GRADED):
            problems.append(f"{name}: the {HOW_GRADED_ID!r} cell differs from "
                            "dlcourse.autograder.layout.HOW_GRADED; copy that text")
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
    return problems
