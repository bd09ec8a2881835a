"""The grading ledger: what was graded, from which files, with which seed, and how it went.

One JSON record per graded submission, ``<course root>/.dlcourse/graded/<assignment>/<student>.json``,
written atomically (a temporary file renamed over the old one) *after* the submission's scores
are committed to the gradebook and its autograded notebooks are in place.  So a batch killed at
any moment leaves each submission either recorded (done, skipped by the next run) or not (graded
again: its seed is fixed, so the result is the same).

``digest`` fingerprints everything the result depends on -- the submitted files, the assignment's
source notebooks, its ``solutions/`` module, ``nbgrader_config.py`` and a ``--seed`` override --
so a resubmission, or a change to the checks, is graded again and nothing else is.

Record format (plain JSON)::

    {"assignment": "a01_...", "student": "s02", "digest": "<sha256>", "graded_at": "<ISO UTC>",
     "seconds": 4.2, "ok": true, "error": "", "score": 7.5, "max_score": 10.0,
     "notebooks": {"<notebook id>": {"seed": 3141592653, "score": 7.5, "max_score": 10.0,
                   "functions": {"<name>": {"points": 3.0, "score": 1.0, "passed": 1,
                                            "total": 3, "diagnoses": ["<known mistake>"]}}}}}
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .seeds import STATE_DIR

__all__ = ["ledger_dir", "record_path", "read_record", "read_records", "write_record",
           "submission_digest", "assignment_digest", "checks_dir"]


def ledger_dir(course_root: str | Path, assignment_id: str) -> Path:
    return Path(course_root) / STATE_DIR / "graded" / assignment_id


def checks_dir(course_root: str | Path, assignment_id: str, student_id: str) -> Path:
    """Where :class:`~dlcourse.autograder.preprocessor.TrustedHiddenChecks` writes one JSON per
    notebook (seed and what the hidden checks found)."""
    return Path(course_root) / STATE_DIR / "checks" / assignment_id / student_id


def record_path(course_root: str | Path, assignment_id: str, student_id: str) -> Path:
    return ledger_dir(course_root, assignment_id) / f"{student_id}.json"


def read_record(course_root: str | Path, assignment_id: str, student_id: str) -> dict | None:
    """The record of one submission, or None (never graded, or the file is unreadable)."""
    try:
        return json.loads(record_path(course_root, assignment_id, student_id).read_text())
    except (OSError, ValueError):
        return None


def read_records(course_root: str | Path, assignment_id: str) -> list[dict]:
    """Every record of one assignment, sorted by student."""
    out = []
    for path in sorted(ledger_dir(course_root, assignment_id).glob("*.json")):
        try:
            out.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    return sorted(out, key=lambda r: r.get("student", ""))


def write_record(course_root: str | Path, record: dict) -> Path:
    path = record_path(course_root, record["assignment"], record["student"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(record, fh, indent=1, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def _hash_tree(h, folder: Path, label: str) -> None:
    if not folder.exists():
        h.update(f"{label}: absent\0".encode())
        return
    if folder.is_file():
        h.update(f"{label}\0".encode())
        h.update(folder.read_bytes())
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file()
                       and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts):
        h.update(f"{label}/{path.relative_to(folder).as_posix()}\0".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())


def assignment_digest(course_root: str | Path, source_dir: str, assignment_id: str,
                      seed: int | None = None) -> str:
    """Fingerprint of what grading an assignment depends on besides the submission."""
    root = Path(course_root)
    h = hashlib.sha256()
    _hash_tree(h, root / source_dir / assignment_id, "source")
    _hash_tree(h, root / "solutions" / f"{assignment_id}.py", "solutions")
    _hash_tree(h, root / "nbgrader_config.py", "config")
    h.update(f"seed={seed}".encode())
    return h.hexdigest()


def submission_digest(course_root: str | Path, assignment_id: str, student_id: str,
                      assignment_part: str) -> str:
    """Fingerprint of one submission's files (``submitted/<student>/<assignment>/``, every file)
    combined with :func:`assignment_digest`."""
    h = hashlib.sha256(assignment_part.encode())
    _hash_tree(h, Path(course_root) / "submitted" / student_id / assignment_id, "submitted")
    return h.hexdigest()
