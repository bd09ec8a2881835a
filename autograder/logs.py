"""Keep the terminal for the progress bar and the summary; everything else goes to a log file.

While a batch runs, warnings come from three places that all write to file
descriptor 2: nbgrader's own log, libraries inside this process (SQLAlchemy,
traitlets) and the kernel processes nbgrader starts, which inherit the
descriptor ("Kernel is running over TCP without encryption", "KeyboardInterrupt
caught in kernel").  :func:`terminal_and_log` points descriptor 2 at the log
file for the duration of a command and hands back a stream to the real
terminal for the progress bar, so nothing else reaches the screen and nothing
is lost.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path
from typing import Iterator, TextIO

__all__ = ["terminal_and_log", "log_step"]


@contextlib.contextmanager
def terminal_and_log(path: Path, title: str) -> Iterator[TextIO]:
    """Redirect stderr (the descriptor, so child processes too) to ``path``, appending.

    Yields a text stream that still writes to the terminal's stderr: give it
    to the progress bar.  The descriptor is restored on exit, also on errors.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    terminal = os.fdopen(os.dup(saved), "w", buffering=1, encoding="utf-8", errors="replace")
    with open(path, "a", buffering=1, encoding="utf-8") as log:
        log.write(f"\n===== {time.strftime('%Y-%m-%d %H:%M:%S')} {title}\n")
        log.flush()
        os.dup2(log.fileno(), 2)
        try:
            with contextlib.redirect_stderr(log):  # also when sys.stderr is not fd 2
                yield terminal
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            terminal.close()


def log_step(what: str, ok: bool, text: str) -> None:
    """Write one step's captured nbgrader log to stderr (the log file, inside :func:`terminal_and_log`)."""
    body = text.rstrip()
    print(f"--- {what}: {'ok' if ok else 'FAILED'}" + (f"\n{body}" if body else ""),
          file=sys.stderr, flush=True)
