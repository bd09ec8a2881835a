"""Reproducible hidden cases: each submission's seed derived from a course secret.

The seed of a notebook's hidden cases is ``HMAC-SHA256(secret, "assignment/student/notebook")``
cut to 32 bits, where ``secret`` is 32 random bytes kept in ``<course root>/.dlcourse/secret``
(created on first use, readable by the instructor only, never released: nbgrader ignores
dot-folders and the grading sandbox shows nothing of the course root).  So

* regrading the same submission draws the same cases and gives the same score, and a
  student's complaint can be replayed (the seed is recorded in the grading ledger);
* students cannot predict their cases without the secret.

``dlcourse grade --seed N`` overrides the derivation (``TrustedHiddenChecks.seed``).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

__all__ = ["STATE_DIR", "secret_path", "course_secret", "submission_seed"]

#: the instructor-only folder of a course root (secret, grading ledger)
STATE_DIR = ".dlcourse"


def secret_path(course_root: str | Path) -> Path:
    return Path(course_root) / STATE_DIR / "secret"


def course_secret(course_root: str | Path) -> bytes:
    """The course's secret (32 bytes), created with mode 0600 on first use."""
    path = secret_path(course_root)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        data = secrets.token_bytes(32)
        try:  # O_EXCL: two graders starting at once agree on one secret
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes()
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    if len(data) < 16:
        raise ValueError(f"{path} holds {len(data)} bytes; a course secret needs at least 16 "
                         "(delete the file to make a new one: every seed then changes)")
    return data


def submission_seed(secret: bytes, assignment_id: str, student_id: str, notebook_id: str) -> int:
    """The 32-bit seed of one notebook of one student's submission."""
    message = "/".join((assignment_id, student_id, notebook_id)).encode()
    return int.from_bytes(hmac.new(secret, message, hashlib.sha256).digest()[:4], "big")
