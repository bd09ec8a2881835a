"""The layout of every source notebook, as docs/authoring.md defines it (one test, all assignments).

Each ``tests/test_<assignment>.py`` declares ``FUNCTIONS`` (the graded functions, in notebook
order) and ``POINTS`` (function -> points), and ``WRITTEN_ANSWERS`` (grade_id -> points of the
answers graded by hand) where it has any; this module checks the notebook against them.  What is
special to one assignment (a widget cell, a provided-code cell) stays in that assignment's file.
"""
from __future__ import annotations

import importlib

import pytest

from dlcourse.autograder.layout import check_layout, graded_by_hand, how_graded_text

from .support import ASSIGNMENTS, source_notebook

AIDS = sorted(p.name for p in ASSIGNMENTS.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def _declared(aid: str) -> tuple[list[str], dict[str, float], dict[str, float]]:
    module = importlib.import_module(f"tests.test_{aid}")
    return (list(module.FUNCTIONS), dict(module.POINTS),
            dict(getattr(module, "WRITTEN_ANSWERS", {})))


@pytest.mark.parametrize("aid", AIDS)
def test_notebook_layout(aid):
    functions, points, written = _declared(aid)
    nb = source_notebook(aid)
    assert nb.nbformat == 4 and nb.nbformat_minor >= 5
    assert nb.metadata.kernelspec == {"name": "python3", "display_name": "Python 3",
                                      "language": "python"}
    ids = [c.metadata.nbgrader.grade_id for c in nb.cells]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    assert len({c.id for c in nb.cells}) == len(nb.cells), "cell ids must be unique"
    assert ids[:3] == ["intro", "how_graded", "setup"]
    assert nb.cells[1].source.strip() == how_graded_text(nb).strip()
    assert check_layout(nb, aid) == []
    assert graded_by_hand(nb) == written, "written answers as declared in WRITTEN_ANSWERS"
    for cell in nb.cells:
        meta = cell.metadata.nbgrader
        where = f"{aid} cell {meta.grade_id!r}"
        assert meta.schema_version == 3, where
        if meta.grade_id in written:  # a markdown answer cell, graded by hand
            assert cell.cell_type == "markdown", where
            assert (meta.locked, meta.grade, meta.solution) == (False, True, True), where
            assert meta.points == written[meta.grade_id] > 0, where
            assert "BEGIN SOLUTION" not in cell.source and "YOUR ANSWER HERE" not in cell.source, where
            continue
        if cell.cell_type == "markdown":
            assert (meta.locked, meta.grade, meta.solution) == (True, False, False), where
            assert "BEGIN SOLUTION" not in cell.source and "HIDDEN TESTS" not in cell.source, where
            continue
        assert cell.outputs == [] and cell.execution_count is None, f"{where}: outputs committed"
        if meta.solution:
            assert meta.locked is False and not meta.grade, where
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source, where
            assert '"""' in cell.source, f"{where}: a graded function needs a docstring"
        else:
            assert meta.locked is True, where
    graded = {c.metadata.nbgrader.grade_id: c for c in nb.cells
              if c.metadata.nbgrader.grade and c.metadata.nbgrader.grade_id not in written}
    assert set(graded) == {f"test_{name}" for name in functions}
    assert [i for i in ids if i in functions] == functions, "functions in the declared order"
    for name in functions:
        cell = graded[f"test_{name}"]
        assert cell.metadata.nbgrader.points == points[name], name
        assert cell.source.splitlines()[1:] == [f"check_{name}({name})", "### BEGIN HIDDEN TESTS",
                                                f'grade("{name}")', "### END HIDDEN TESTS"], name
        assert ids[ids.index(name) + 1] == f"test_{name}", name


@pytest.mark.parametrize("aid", AIDS)
def test_assignment_folder_holds_only_its_notebook(aid):
    """Nothing but the source notebook sits in an assignment folder (nothing else can leak)."""
    files = sorted(p.name for p in (ASSIGNMENTS / aid).iterdir() if not p.name.startswith("."))
    assert len(files) == 1 and files[0].endswith(".ipynb"), files
