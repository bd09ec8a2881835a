"""Put a student's notebooks where nbgrader looks for them, before it reads the submission.

nbgrader autograde grades a submitted notebook only when its file name is the
release notebook's name; anything else is "Skipping unknown notebook" and a 0.
Students rename files, save copies (``Untitled-Copy1.ipynb``,
``numpy_basics (2).ipynb``), work in a subfolder, or hand in a zip from an LMS.

Intake recognises a notebook by its nbgrader cell ids, not by its file name:

* :func:`find_candidates` reads every notebook of a submission folder and of
  the zips in it (a cut-off notebook counts for the cells before the cut);
* :func:`match` gives each release notebook its most complete candidate
  (pure: it changes no file);
* :func:`intake` makes the folder what nbgrader expects: the chosen
  candidate's exact bytes under the release name, every original it touched
  kept under ``.intake/`` (nothing is ever deleted).

The :class:`IntakeReport` says, in one plain line per fact, what was done.
"""
from __future__ import annotations

import json
import os
import shutil
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat
from nbformat import NotebookNode

from .salvage import complete_cells

__all__ = ["Candidate", "IntakeReport", "find_candidates", "match", "intake", "ASIDE"]

#: Folder (inside the submission) where intake keeps every original it moved.
ASIDE = ".intake"
#: Zip members larger than this are not read (a notebook is far smaller; a zip bomb is not).
MAX_MEMBER_BYTES = 256 * 1024 * 1024
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError,
               RuntimeError, NotImplementedError, ValueError, zlib.error)


@dataclass
class Candidate:
    """One notebook found in a submission."""
    path: Path          # relative to the submission folder (zips: "<zipname>.zip/<member path>")
    grade_ids: set[str]
    answered: int       # solution cells whose source differs from the release's source
    mtime: float


@dataclass
class IntakeReport:
    """What :func:`match` found and :func:`intake` did with one submission folder."""
    matched: dict[str, Candidate] = field(default_factory=dict)
    overlap: dict[str, tuple[int, int]] = field(default_factory=dict)
    passed_over: dict[str, list[Candidate]] = field(default_factory=dict)
    unmatched: list[Candidate] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    moved: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """One plain-English line per fact, for the instructor's summary (empty: nothing to say)."""
        lines = []
        for name, chosen in self.matched.items():
            if _is_in_place(chosen, name) and not self.passed_over.get(name):
                continue
            shared, total = self.overlap[name]
            lines.append(f"{name} <- {chosen.path.as_posix()} ({shared} of {total} cell ids match)")
            for other in self.passed_over.get(name, []):
                lines.append(f"passed over for {name}: {other.path.as_posix()} "
                             f"({_passed_over_reason(other, chosen, name)})")
        for candidate in self.unmatched:
            lines.append(f"not graded: {candidate.path.as_posix()} matches no notebook of this assignment")
        for name in self.missing:
            lines.append(f"missing: {name} (no submitted notebook carries its cell ids)")
        for original, aside in self.moved.items():
            lines.append(f"original kept: {original} -> {aside}")
        return lines

    @property
    def changed(self) -> bool:
        """Anything renamed, moved or extracted, or any problem to report."""
        return bool(self.moved or self.passed_over or self.unmatched or self.missing
                    or any(not _is_in_place(c, name) for name, c in self.matched.items()))


# --- reading notebooks ------------------------------------------------------------------------

def _grade_id(cell: dict) -> str | None:
    """The nbgrader grade_id of a cell dict, or None."""
    grade_id = _nbgrader(cell).get("grade_id")
    return grade_id if isinstance(grade_id, str) else None


def _nbgrader(cell: dict) -> dict:
    """A cell dict's nbgrader metadata ({} where it has none or it is malformed)."""
    metadata = cell.get("metadata")
    nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return nbgrader if isinstance(nbgrader, dict) else {}


def _is_solution(cell: dict) -> bool:
    """Whether a cell dict is an nbgrader solution cell."""
    return _nbgrader(cell).get("solution") is True


def _source(cell: dict) -> str:
    """A cell's source as one string (notebook JSON may store it as a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _cells_of(text: str) -> list[dict]:
    """The cell dicts of a notebook's JSON text; for text that is not valid JSON, the complete
    cells before the cut."""
    try:
        notebook = json.loads(text)
    except ValueError:
        return complete_cells(text)
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    return [c for c in cells if isinstance(c, dict)] if isinstance(cells, list) else []


def _release_ids(release_notebooks: dict[str, NotebookNode]) -> dict[str, set[str]]:
    """Release notebook name -> the grade_ids of its cells."""
    return {name: {gid for gid in map(_grade_id, nb.cells) if gid}
            for name, nb in sorted(release_notebooks.items())}


def _closest_release(grade_ids: set[str], release_ids: dict[str, set[str]]) -> str | None:
    """The release notebook sharing most grade_ids with ``grade_ids`` (None: none shared).
    Ties go to the larger share of the release notebook, then to the first name."""
    best, best_key = None, (0, 0.0)
    for name, ids in release_ids.items():
        shared = len(grade_ids & ids)
        key = (shared, shared / len(ids) if ids else 0.0)
        if shared and key > best_key:
            best, best_key = name, key
    return best


def _count_answered(cells: list[dict], release: NotebookNode) -> int:
    """Solution cells (of ``release``) whose source differs from the release's source."""
    stubs = {_grade_id(c): _source(c).strip() for c in release.cells if _is_solution(c) and _grade_id(c)}
    answered = {_grade_id(c) for c in cells
                if _grade_id(c) in stubs and _source(c).strip() != stubs[_grade_id(c)]}
    return len(answered)


def _candidate(path: Path, data: bytes, mtime: float,
               release_notebooks: dict[str, NotebookNode]) -> Candidate | None:
    """The candidate that the notebook bytes ``data`` make, or None where no cell can be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    cells = _cells_of(text)
    if not cells:
        return None
    grade_ids = {gid for gid in map(_grade_id, cells) if gid}
    closest = _closest_release(grade_ids, _release_ids(release_notebooks))
    answered = _count_answered(cells, release_notebooks[closest]) if closest else 0
    return Candidate(path, grade_ids, answered, mtime)


# --- finding notebooks in a folder and its zips -----------------------------------------------

@dataclass
class _Source:
    """Where a candidate's bytes are: a file of the folder, or a member of a zip in it."""
    file: Path
    member: str | None = None

    def read(self) -> bytes:
        """The exact bytes of the notebook."""
        if self.member is None:
            return self.file.read_bytes()
        with zipfile.ZipFile(self.file) as archive:
            return archive.read(self.member)


def _is_skipped(parts: tuple[str, ...]) -> bool:
    """Whether a path lies in a hidden folder (checkpoints, earlier intake) or macOS zip debris."""
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)


def _walk_files(folder: Path, suffix: str) -> list[Path]:
    """Regular files (no links) under ``folder`` ending in ``suffix``, outside skipped folders."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not _is_skipped((d,)))
        for name in sorted(files):
            path = Path(root, name)
            if name.lower().endswith(suffix) and not _is_skipped((name,)) \
                    and path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def _zip_member_path(name: str) -> PurePosixPath | None:
    """A zip member's path as found in the submission, or None where it is no notebook to read."""
    path = PurePosixPath(name.replace("\\", "/").lstrip("/"))
    if name.endswith("/") or not path.name.lower().endswith(".ipynb") or _is_skipped(path.parts):
        return None
    return path


def _zip_time(info: zipfile.ZipInfo) -> float:
    """A zip member's modification time in seconds since the epoch (0 where it is invalid)."""
    try:
        return time.mktime(info.date_time + (0, 0, -1))
    except (OverflowError, ValueError):
        return 0.0


def _scan_zip(folder: Path, archive_path: Path,
              release_notebooks: dict[str, NotebookNode]) -> list[tuple[Candidate, _Source]]:
    """The notebooks inside one zip (none from a corrupt one), read without extracting."""
    prefix = Path(archive_path.relative_to(folder))
    found, seen = [], set()
    try:
        with zipfile.ZipFile(archive_path) as archive:
            for info in archive.infolist():
                member = _zip_member_path(info.filename)
                if member is None or member in seen or info.file_size > MAX_MEMBER_BYTES:
                    continue
                seen.add(member)
                candidate = _candidate(prefix / member, archive.read(info), _zip_time(info),
                                       release_notebooks)
                if candidate:
                    found.append((candidate, _Source(archive_path, info.filename)))
    except _ZIP_ERRORS:
        return []
    return found


def _scan_file(folder: Path, path: Path,
               release_notebooks: dict[str, NotebookNode]) -> tuple[Candidate, _Source] | None:
    """The candidate one notebook file makes (None: unreadable, or no cell in it)."""
    try:
        data, mtime = path.read_bytes(), path.stat().st_mtime
    except OSError:
        return None
    candidate = _candidate(path.relative_to(folder), data, mtime, release_notebooks)
    return (candidate, _Source(path)) if candidate else None


def _scan(folder: Path, release_notebooks: dict[str, NotebookNode]) -> list[tuple[Candidate, _Source]]:
    """Every candidate of the submission folder, with where its bytes are."""
    found = [hit for path in _walk_files(folder, ".ipynb")
             if (hit := _scan_file(folder, path, release_notebooks))]
    for archive_path in _walk_files(folder, ".zip"):
        found.extend(_scan_zip(folder, archive_path, release_notebooks))
    return found


def find_candidates(folder: Path, release_notebooks: dict[str, NotebookNode]) -> list[Candidate]:
    """Every notebook in ``folder`` (recursively) and in the zips in it, hidden folders and
    ``__MACOSX`` skipped; a cut-off notebook counts for the cells before the cut, a file that
    is not UTF-8 or has no readable cell does not count."""
    return [candidate for candidate, _ in _scan(Path(folder), release_notebooks)]


# --- matching ---------------------------------------------------------------------------------

def _is_in_place(candidate: Candidate, name: str) -> bool:
    """Whether the candidate already carries the release file name, at the top of the folder."""
    return candidate.path == Path(name)


def _belongs_to(candidate: Candidate, release_ids: dict[str, set[str]]) -> str | None:
    """The release notebook the candidate is a copy of: the largest overlap, if it is at least
    half of that notebook's ids -- or any overlap for a file already under that notebook's name
    (a notebook cut off early keeps few of its cells, and is still that notebook)."""
    name = _closest_release(candidate.grade_ids, release_ids)
    if not name:
        return None
    shared = len(candidate.grade_ids & release_ids[name])
    if 2 * shared >= len(release_ids[name]) or (shared and _is_in_place(candidate, name)):
        return name
    return None


def _completeness(candidate: Candidate, name: str) -> tuple:
    """Sort key, most complete first: most answers, then already carrying the release name,
    then the latest, then the path (for a stable order)."""
    return (-candidate.answered, not _is_in_place(candidate, name), -candidate.mtime,
            candidate.path.as_posix())


def _passed_over_reason(other: Candidate, chosen: Candidate, name: str) -> str:
    """Why ``other`` was not graded in favour of ``chosen``, in a few words."""
    if other.answered < chosen.answered:
        return f"fewer answers: {other.answered} vs {chosen.answered}"
    if _is_in_place(chosen, name):
        return f"same answers; {name} is the one under its own name"
    if other.mtime < chosen.mtime:
        return "same answers; an older copy"
    return "same answers and age; the first by path was graded"


def match(candidates: list[Candidate], release_notebooks: dict[str, NotebookNode]) -> IntakeReport:
    """Give each release notebook its most complete candidate (changes no file)."""
    release_ids = _release_ids(release_notebooks)
    groups: dict[str, list[Candidate]] = {name: [] for name in release_ids}
    report = IntakeReport()
    for candidate in candidates:
        name = _belongs_to(candidate, release_ids)
        (groups[name] if name else report.unmatched).append(candidate)
    for name, group in groups.items():
        if not group:
            report.missing.append(name)
            continue
        chosen, *others = sorted(group, key=lambda c: _completeness(c, name))
        report.matched[name] = chosen
        report.overlap[name] = (len(chosen.grade_ids & release_ids[name]), len(release_ids[name]))
        if others:
            report.passed_over[name] = others
    return report


# --- changing the folder ----------------------------------------------------------------------

def _read_release(release_dir: Path) -> dict[str, NotebookNode]:
    """The release notebooks of an assignment, by file name."""
    return {path.name: nbformat.read(path, as_version=4)
            for path in sorted(Path(release_dir).glob("*.ipynb"))}


def _has_nothing_to_do(report: IntakeReport, sources: list[_Source]) -> bool:
    """Every chosen candidate already in place, no zip, nothing passed over or unmatched."""
    return (all(_is_in_place(c, name) for name, c in report.matched.items())
            and not any(s.member for s in sources)
            and not report.passed_over and not report.unmatched)


def _free_aside_path(folder: Path, relative: Path) -> Path:
    """Where in ``.intake/`` to keep ``relative``, never over an earlier kept file."""
    target = folder / ASIDE / relative
    number = 1
    while target.exists() or target.is_symlink():
        target = folder / ASIDE / relative.with_name(f"{relative.stem}~{number}{relative.suffix}")
        number += 1
    return target


def _move_aside(folder: Path, path: Path, moved: dict[str, str]) -> None:
    """Move a file of the submission into ``.intake/`` and note where it went."""
    relative = path.relative_to(folder)
    target = _free_aside_path(folder, relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(path), str(target))
    moved[relative.as_posix()] = target.relative_to(folder).as_posix()


def _files_to_move(folder: Path, report: IntakeReport, sources: dict[str, _Source]) -> list[Path]:
    """The original files intake touches: zips it read from, candidates not in place, passed-over
    and unmatched notebooks, and whatever else stands at a release name it writes."""
    files: list[Path] = []
    for name, chosen in report.matched.items():
        if not _is_in_place(chosen, name):
            files.append(sources[chosen.path.as_posix()].file)
            files.append(folder / name)
    passed_over = [c for others in report.passed_over.values() for c in others]
    for candidate in [*passed_over, *report.unmatched]:
        files.append(sources[candidate.path.as_posix()].file)
    files.extend(s.file for s in sources.values() if s.member)
    unique = dict.fromkeys(files)
    return [path for path in unique if path.exists() or path.is_symlink()]


def intake(folder: Path, release_dir: Path) -> IntakeReport:
    """Make the submission ``folder`` what nbgrader expects for the release in ``release_dir``:
    each release notebook's most complete candidate written, byte for byte, under the release
    name; every original touched kept in ``.intake/``; non-notebook files left where they are."""
    folder = Path(folder)
    release_notebooks = _read_release(Path(release_dir))
    scanned = _scan(folder, release_notebooks)
    sources = {candidate.path.as_posix(): source for candidate, source in scanned}
    report = match([candidate for candidate, _ in scanned], release_notebooks)
    if _has_nothing_to_do(report, list(sources.values())):
        return report
    chosen_bytes = {name: sources[c.path.as_posix()].read() for name, c in report.matched.items()
                    if not _is_in_place(c, name)}
    for path in _files_to_move(folder, report, sources):
        _move_aside(folder, path, report.moved)
    for name, data in chosen_bytes.items():
        (folder / name).write_bytes(data)
    return report
