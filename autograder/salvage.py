"""Rebuild a notebook that reached the grader cut off (a crashed upload, a full disk).

nbformat writes the cells first, one JSON object each, so everything before
the cut is still there: :func:`complete_cells` reads the cells one by one with
``json.JSONDecoder.raw_decode`` and stops at the first that is incomplete.
:func:`salvage` then puts the notebook back together in the order of the
release the student started from:

* cells recovered before the cut are kept as the student wrote them;
* a solution cell lost in the cut is taken from the student's last checkpoint
  (``.ipynb_checkpoints/<name>-checkpoint.ipynb``) when it has one, else from
  the release (the empty stub: that function earns nothing);
* a locked cell lost in the cut comes from the release (nbgrader then restores
  its trusted text from the gradebook, as for any submission);
* a first markdown cell tells the student what happened and which cells were lost.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

__all__ = ["complete_cells", "salvage", "Salvage"]

_CELLS = re.compile(r'"cells"\s*:\s*\[')


def complete_cells(text: str) -> list[dict]:
    """The complete cell objects at the start of a (possibly cut-off) notebook's JSON text."""
    match = _CELLS.search(text)
    if not match:
        return []
    decoder, pos, cells = json.JSONDecoder(), match.end(), []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return cells
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except ValueError:
            return cells
        if isinstance(obj, dict) and obj.get("cell_type") in ("code", "markdown", "raw"):
            cells.append(obj)


def _cell(raw: dict):
    """A clean nbformat v4 cell from a recovered dict (outputs dropped: they are re-made)."""
    source = raw.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    metadata = raw.get("metadata") if isinstance(raw.get("metadata"), dict) else {}
    make = {"code": new_code_cell, "markdown": new_markdown_cell, "raw": new_raw_cell}[raw["cell_type"]]
    cell = make(source=source, metadata=metadata)
    if isinstance(raw.get("id"), str) and re.fullmatch(r"[a-zA-Z0-9-_]{1,64}", raw["id"]):
        cell["id"] = raw["id"]
    return cell


def _grade_id(cell) -> str | None:
    return (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")


def _is_solution(cell) -> bool:
    return bool((cell.get("metadata", {}).get("nbgrader") or {}).get("solution"))


@dataclass
class Salvage:
    """What :func:`salvage` did, for the report and the feedback."""
    notebook: nbformat.NotebookNode
    recovered: int = 0
    from_checkpoint: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.recovered} cell(s) recovered before the cut"]
        if self.from_checkpoint:
            parts.append(f"from the last checkpoint: {', '.join(self.from_checkpoint)}")
        parts.append(f"lost: {', '.join(self.lost)}" if self.lost else "no answer cell lost")
        return "; ".join(parts)


def salvage(text: str, release: nbformat.NotebookNode,
            checkpoint: nbformat.NotebookNode | None = None, name: str = "notebook") -> Salvage:
    """Rebuild the cut-off notebook ``text`` (see the module docstring)."""
    cells = [_cell(raw) for raw in complete_cells(text)]
    result = Salvage(new_notebook(cells=cells, metadata=dict(release.metadata)), len(cells))
    nb_cells = result.notebook.cells
    saved = {_grade_id(c): c for c in (checkpoint.cells if checkpoint else []) if _grade_id(c)}
    order = [_grade_id(c) for c in release.cells]
    for index, cell in enumerate(release.cells):
        gid = _grade_id(cell)
        if not gid or any(_grade_id(c) == gid for c in nb_cells):
            continue
        if _is_solution(cell):
            if gid in saved:
                result.from_checkpoint.append(gid)
                cell = saved[gid]
            else:
                result.lost.append(gid)
        before = set(order[:index])
        position = max((i + 1 for i, c in enumerate(nb_cells) if _grade_id(c) in before), default=0)
        nb_cells.insert(position, _cell(cell))
    lines = [f"**This notebook reached the grader cut off** (`{name}` stops in the middle, as after "
             f"a crashed upload or a full disk). The grader kept the {result.recovered} complete "
             "cell(s) before the cut and put the locked cells back from the assignment."]
    if result.from_checkpoint:
        lines.append("Taken from your last saved checkpoint: "
                     + ", ".join(f"`{g}`" for g in result.from_checkpoint) + ".")
    if result.lost:
        lines.append("**Lost** (graded as not answered): "
                     + ", ".join(f"`{g}`" for g in result.lost) + ".")
    else:
        lines.append("None of your answer cells was lost.")
    nb_cells.insert(0, new_markdown_cell("\n\n".join(lines), metadata={"dlcourse": "salvage"}))
    return result
