"""``dlcourse build-student-package``: one zip per assignment that runs outside the hub.

``<to>/<assignment>.zip`` unpacks to a folder ``<assignment>/`` holding the released
notebook(s) with the other files of ``release/<assignment>/``, the course's package as a
wheel and a ``README.txt`` saying how to install it (``pip install <wheel>``).  The wheel is
built (``pip wheel``, the project's own build backend) from a staged copy of the package
source that keeps only what a student's kernel imports:

* ``dlcourse.utils`` (helpers, widgets, the public checks) and ``dlcourse.datasets``, whole;
* of ``dlcourse.autograder`` only the modules that those and the released notebooks import
  (``kernel``, ``checks``, ``compare``): the visible-check engine and ``grade()``, which in a
  student's kernel only says that the hidden checks run when the notebook is graded;
* no console script and no instructor extras (``tf`` stays: the TensorFlow track needs it).

Nothing is written before a scan finds no secret in it (:func:`scan_wheel`,
:func:`scan_bundle`): no ``solutions`` module, no ``HIDDEN_CHECKS``, no solution or
hidden-test marker, no ``grade("...")`` line, no compiled or other non-text file, and no
three code lines in a row (the whole body, for shorter ones) of a graded reference
function or a hidden-case generator of ``solutions/<id>.py`` (less the scaffold that the
assignment's own notebook hands out), nor of a solution or hidden-test region of a source
notebook, of every assignment.  The released notebooks also pass the release audit
(:func:`~dlcourse.autograder.audit.check_release_secrets`).  A zip whose assignment hands
out an earlier one's answers by design (``RELEASE_CONTAINS_ANSWERS_OF``) may hold those in
its notebook, never in the wheel.
"""
from __future__ import annotations

import ast
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

import click
import nbformat

from .audit import check_release_secrets, secret_runs
from .hidden import GRADE_CALL
from .requirements import INSTALL_HINTS, declared_requirements

__all__ = ["PackageError", "Secrets", "course_secrets", "reference_functions", "scan_text",
           "scan_wheel", "scan_bundle", "student_autograder_modules", "student_pyproject",
           "stage_package", "build_wheel", "readme_text", "release_files", "write_bundle",
           "build_student_packages", "build_student_package"]

#: the package that holds the instructor tools; only the modules students import are shipped
INSTRUCTOR_PACKAGE = "dlcourse.autograder"
#: a window this many code lines long is an answer (a lone common line is not)
RUN = 3
_IPYTHON_LINE = re.compile(r"^\s*[%!]")
#: nbgrader's region markers (as :mod:`.audit` looks for them) and the regions they delimit
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
_REGION = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS).*?### END \1", re.S)


class PackageError(Exception):
    """Why no student package could be built, in words an instructor can act on."""


def _toml_loads(text: str) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise PackageError("reading pyproject.toml needs Python 3.11 or newer, or "
                               "`pip install tomli`") from None
    return tomllib.loads(text)


# -- what must not be shipped ----------------------------------------------------------------
def _code_lines(text: str) -> list[tuple[int, str]]:
    """(line number, stripped line) of every code line: the normalisation of :mod:`.audit`."""
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.strip().startswith("#")]


def _windows(lines: list[str]) -> set[tuple[str, ...]]:
    """Every RUN lines in a row holding one non-trivial line; a shorter body as a whole."""
    if len(lines) < RUN:
        return {tuple(lines)} if lines and sum(map(len, lines)) >= 20 else set()
    return {tuple(lines[i:i + RUN]) for i in range(len(lines) - RUN + 1)
            if any(len(line) >= 12 for line in lines[i:i + RUN])}


def _named(node: ast.AST) -> set[str]:
    """The names ``node`` hands on as values: ``f``, ``[f, g]``, ``{"a": f}``, ``wrap(f)`` give
    ``f`` (and ``g``), not the ``wrap`` that is called."""
    called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and id(n) not in called}


def reference_functions(path: Path, graded: Iterable[str] = ()) -> dict[str, list[str]]:
    """Code lines of the secret functions of ``solutions/<id>.py`` (read with :mod:`ast`): the
    ``graded`` ones (the names of the notebook's ``grade("...")`` lines) and what its checks
    get as ``reference=`` or ``cases=`` (through module-level names: ``_CASES[name]``)."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    defs = {node.name: node for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    values = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
              for t in node.targets if isinstance(t, ast.Name)}
    todo = set(graded) | {name for kw in ast.walk(tree) if isinstance(kw, ast.keyword)
                          and kw.arg in ("reference", "cases") for name in _named(kw.value)}
    named, seen = set(), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in defs:
            named.add(name)
        elif name in values and name != "HIDDEN_CHECKS":
            todo |= _named(values[name])
    lines = source.splitlines()
    bodies = {}
    for name in sorted(named):
        node = defs[name]
        body = node.body
        if (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            body = body[1:]  # a docstring is no answer
        if body:
            text = "\n".join(lines[body[0].lineno - 1:node.end_lineno])
            bodies[name] = [line for _, line in _code_lines(text)]
    return bodies


@dataclass
class Secrets:
    """Code-line windows that must not be shipped, each with (assignment id, what it is)."""
    runs: dict[tuple[str, ...], list[tuple[str, str]]] = field(default_factory=dict)

    def add(self, run: tuple[str, ...], aid: str, what: str) -> None:
        self.runs.setdefault(run, []).append((aid, what))

    @property
    def sizes(self) -> set[int]:
        return {len(run) for run in self.runs}


def _given_runs(nb: nbformat.NotebookNode) -> set[tuple[str, ...]]:
    """Every 1 to RUN code lines in a row that a notebook hands out (its regions removed)."""
    runs: set[tuple[str, ...]] = set()
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and "BEGIN SOLUTION" not in cell.source:
            continue  # an answer cell without markers: the release replaces all of it
        lines = [line for _, line in _code_lines(_REGION.sub("", cell.source))]
        for size in range(1, RUN + 1):
            runs.update(tuple(lines[i:i + size]) for i in range(len(lines) - size + 1))
    return runs


def course_secrets(solutions_dirs: Iterable[Path], source_dirs: Iterable[Path]) -> Secrets:
    """The reference functions and hidden-case generators of every ``solutions/*.py`` and the
    solution and hidden-test regions of every source notebook (``<source>/<id>/*.ipynb``).

    Lines of a reference that the assignment's own notebook hands out anyway (the scaffold
    around its solution regions: a loop header, a print of the result) are no secret.
    """
    secrets = Secrets()
    given: dict[str, set[tuple[str, ...]]] = {}
    graded: dict[str, set[str]] = {}
    for folder in _unique(source_dirs):
        for nb_path in sorted(folder.glob("*/*.ipynb")):
            aid = nb_path.parent.name
            nb = nbformat.read(nb_path, as_version=4)
            given.setdefault(aid, set()).update(_given_runs(nb))
            graded.setdefault(aid, set()).update(n for cell in nb.cells
                                                 for n in GRADE_CALL.findall(cell.source))
            for run in secret_runs(nb, RUN):
                secrets.add(run, aid, f"a solution or hidden-test region of {aid}/{nb_path.name}")
    for folder in _unique(solutions_dirs):
        for path in sorted(folder.glob("*.py")):
            for name, lines in reference_functions(path, graded.get(path.stem, ())).items():
                for run in _windows(lines) - given.get(path.stem, set()):
                    secrets.add(run, path.stem, f"the reference {name} of solutions/{path.name}")
    return secrets


def _unique(folders: Iterable[Path]) -> list[Path]:
    seen, out = set(), []
    for folder in folders:
        if folder.is_dir() and folder.resolve() not in seen:
            seen.add(folder.resolve())
            out.append(folder)
    return out


def scan_text(name: str, text: str, secrets: Secrets, allowed: Iterable[str] = ()) -> list[str]:
    """Problems of one shipped text file ``name`` (a notebook is scanned cell by cell).

    ``allowed``: assignments whose answers this file may hold by design (a notebook that
    hands out an earlier assignment's solutions, ``RELEASE_CONTAINS_ANSWERS_OF``).
    """
    allowed = set(allowed)
    problems = [f"{name}: contains the marker {m!r}" for m in MARKERS if m in text]
    if "HIDDEN_CHECKS" in text:
        problems.append(f"{name}: contains HIDDEN_CHECKS (the hidden checks of solutions/)")
    parts = [(name, text)]
    if name.endswith(".ipynb"):
        try:
            nb = nbformat.reads(text, as_version=4)
            parts = [(f"{name} cell {i}", cell.source) for i, cell in enumerate(nb.cells)]
        except Exception:  # not a notebook: scanned as the text it is
            pass
    for where, source in parts:
        match = GRADE_CALL.search(source)
        if match:
            problems.append(f"{where}: contains a hidden-test line {match.group(0).strip()!r}")
        lines = _code_lines(source)
        found = 0
        for size in sorted(secrets.sizes, reverse=True):
            for k in range(len(lines) - size + 1):
                owners = [(aid, what) for aid, what in
                          secrets.runs.get(tuple(line for _, line in lines[k:k + size]), ())
                          if aid not in allowed]
                if owners:
                    found += 1
                    if found <= 3:
                        problems.append(f"{where}: line {lines[k][0]} on is code of {owners[0][1]}: "
                                        f"{lines[k][1][:60]!r}")
        if found > 3:
            problems.append(f"{where}: ... and {found - 3} more such line(s)")
    return problems


def _path_problem(name: str) -> str:
    path = PurePosixPath(name)
    if any(part == "solutions" or part.startswith("solutions.") for part in path.parts):
        return f"{name}: is a solutions module (solutions/ is for the grader only)"
    if ".." in path.parts or path.is_absolute():
        return f"{name}: points outside the package"
    return ""


def scan_wheel(data: bytes, name: str, secrets: Secrets) -> list[str]:
    """Problems of a wheel's every member (``data``: the wheel file; ``name`` labels them)."""
    try:
        wheel = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return [f"{name}: is not a wheel (not a zip file)"]
    problems = []
    with wheel:
        for info in wheel.infolist():
            if info.is_dir():
                continue
            where = f"{name}:{info.filename}"
            why = _path_problem(info.filename)
            if why:
                problems.append(f"{name}:{why}")
            try:
                text = wheel.read(info).decode("utf-8")
            except UnicodeDecodeError:
                problems.append(f"{where}: is not text (a compiled or binary file cannot be "
                                "checked for secrets)")
                continue
            problems += scan_text(where, text, secrets)
    return problems


def _declared_list(solutions_dir: Path, aid: str, name: str) -> list[str]:
    """``NAME = [...]`` of ``solutions/<aid>.py``, read with :mod:`ast` (no import)."""
    path = solutions_dir / f"{aid}.py"
    if not path.is_file():
        return []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name
                                                for t in node.targets):
            return list(ast.literal_eval(node.value))
    return []


def scan_bundle(zip_path: Path, aid: str, secrets: Secrets, source_dir: Path,
                solutions_dir: Path) -> list[str]:
    """Problems of ``<aid>.zip``: every member lies in ``<aid>/``; the wheel passes
    :func:`scan_wheel`; the other files :func:`scan_text` and, the released files, the
    release audit of :mod:`.audit` (against every source assignment in ``source_dir``)."""
    label = zip_path.name
    problems: list[str] = []
    allowed = set(_declared_list(solutions_dir, aid, "RELEASE_CONTAINS_ANSWERS_OF"))
    with zipfile.ZipFile(zip_path) as bundle, tempfile.TemporaryDirectory() as tmp:
        released = Path(tmp) / aid
        released.mkdir()
        for info in bundle.infolist():
            if info.is_dir():
                continue
            where = f"{label}:{info.filename}"
            path = PurePosixPath(info.filename)
            why = _path_problem(info.filename)
            if why or path.parts[:1] != (aid,) or len(path.parts) < 2:
                problems.append(f"{label}:{why}" if why else f"{where}: lies outside {aid}/")
                continue
            data = bundle.read(info)
            inner = PurePosixPath(*path.parts[1:])
            if inner.suffix == ".whl" and len(inner.parts) == 1:
                problems += scan_wheel(data, where, secrets)
                continue
            if str(inner) == "README.txt":
                problems += scan_text(where, data.decode("utf-8", "replace"), secrets)
                continue
            target = released / inner
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            try:
                problems += scan_text(where, data.decode("utf-8"), secrets, allowed)
            except UnicodeDecodeError:
                pass  # the release audit names every file that is no notebook
        others = {p.name: p for p in source_dir.iterdir() if p.is_dir()}
        problems += [f"{label}:{aid}/{p}" for p in
                     check_release_secrets(source_dir / aid, released, others, allowed)]
    return problems


# -- the wheel --------------------------------------------------------------------------------
def _module_name(file: Path, package_dirs: dict[str, Path]) -> tuple[str, bool] | None:
    """(dotted name, is a package) of a source file under one of ``package_dirs``."""
    for package, folder in package_dirs.items():
        try:
            rel = file.resolve().relative_to(folder.resolve())
        except ValueError:
            continue
        parts = [package, *rel.with_suffix("").parts]
        if parts[-1] == "__init__":
            return ".".join(parts[:-1]), True
        return ".".join(parts), False
    return None


def _imports(tree: ast.AST, module: str, is_package: bool, top_level_only: bool) -> set[str]:
    """Dotted names imported in ``tree`` (``from x import y`` gives x and x.y); with
    ``top_level_only`` the imports inside function bodies (run only when called) are left out."""
    base = module.split(".") if is_package else module.split(".")[:-1]
    names: set[str] = set()

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if top_level_only and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if isinstance(child, ast.Import):
                names.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                root = base[:len(base) - child.level + 1] if child.level else []
                full = ".".join(root + (child.module.split(".") if child.module else []))
                names.add(full)
                names.update(f"{full}.{alias.name}" for alias in child.names)
            visit(child)

    visit(tree)
    return names


def _notebook_tree(path: Path) -> ast.Module:
    nb = nbformat.read(path, as_version=4)
    body = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        src = "\n".join("pass" if _IPYTHON_LINE.match(line) else line
                        for line in cell.source.splitlines())
        try:
            body += ast.parse(src).body
        except SyntaxError:
            continue
    return ast.Module(body=body, type_ignores=[])


def student_autograder_modules(package_dirs: dict[str, Path], notebooks: Iterable[Path]) -> set[str]:
    """The modules of :data:`INSTRUCTOR_PACKAGE` a student's kernel imports: those imported by
    the other packages (anywhere) and the ``notebooks``, then what they import on import."""
    instructor = package_dirs[INSTRUCTOR_PACKAGE]
    wanted: set[str] = set()
    for package, folder in package_dirs.items():
        if package == INSTRUCTOR_PACKAGE:
            continue
        for file in sorted(folder.rglob("*.py")):
            name, is_package = _module_name(file, package_dirs)
            wanted |= _imports(ast.parse(file.read_text(encoding="utf-8")), name, is_package, False)
    for nb_path in notebooks:
        wanted |= _imports(_notebook_tree(nb_path), "__main__", False, False)
    prefix = INSTRUCTOR_PACKAGE + "."
    todo = {n[len(prefix):].split(".")[0] for n in wanted if n.startswith(prefix)}
    shipped = {"__init__"}
    while todo:
        stem = todo.pop()
        file = instructor / f"{stem}.py"
        if stem in shipped or not file.is_file():
            continue
        shipped.add(stem)
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for n in _imports(tree, f"{INSTRUCTOR_PACKAGE}.{stem}", False, True):
            if n.startswith(prefix):
                todo.add(n[len(prefix):].split(".")[0])
    return shipped


def student_extras() -> set[str]:
    """The extras a student may need: those the install hints of :mod:`.requirements` name."""
    return {extra for hint in INSTALL_HINTS.values()
            for group in re.findall(r"dlcourse\[([\w,\-]+)\]", hint) for extra in group.split(",")}


def _toml(data: dict) -> str:
    """TOML for the subset a pyproject needs (strings, booleans, lists, tables)."""
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        raise TypeError(f"cannot write {type(v).__name__} to pyproject.toml")

    out: list[str] = []

    def table(name: list[str], t: dict):
        plain = {k: v for k, v in t.items() if not isinstance(v, dict)}
        if plain or not t or not name:
            if name:
                out.append("[" + ".".join(json.dumps(k) for k in name) + "]")
            out.extend(f"{json.dumps(k)} = {value(v)}" for k, v in plain.items())
            out.append("")
        for k, v in t.items():
            if isinstance(v, dict):
                table(name + [k], v)

    table([], data)
    text = "\n".join(out)
    if _toml_loads(text) != data:
        raise PackageError("could not write the staged pyproject.toml faithfully")
    return text


def student_pyproject(pyproject: dict, readme: str) -> dict:
    """The project table of a student wheel: no scripts, only the student extras, a student
    ``readme``; the build system and setuptools' package layout as they are."""
    project = {k: v for k, v in pyproject["project"].items()
               if k not in ("scripts", "gui-scripts", "entry-points", "readme")}
    project["readme"] = readme
    project["description"] = (f"The student package of {project['name']}: the helpers, data "
                              "loaders and visible checks its notebooks import")
    extras = {k: v for k, v in project.get("optional-dependencies", {}).items()
              if k in student_extras()}
    project.pop("optional-dependencies", None)
    if extras:
        project["optional-dependencies"] = extras
    return {"build-system": pyproject["build-system"], "project": project,
            "tool": {"setuptools": pyproject["tool"]["setuptools"]}}


def _package_dirs(package_dir: Path, pyproject: dict) -> dict[str, Path]:
    try:
        setup = pyproject["tool"]["setuptools"]
        mapping = setup["package-dir"]
        packages = setup["packages"]
    except KeyError as exc:
        raise PackageError(f"{package_dir / 'pyproject.toml'} has no [tool.setuptools] "
                           f"{exc.args[0]!r}: cannot tell which folders the package holds") from None
    if INSTRUCTOR_PACKAGE not in mapping:
        raise PackageError(f"{package_dir / 'pyproject.toml'}: no folder for {INSTRUCTOR_PACKAGE}")
    missing = [p for p in packages if not any(p == top or p.startswith(top + ".") for top in mapping)]
    if missing:
        raise PackageError(f"{package_dir / 'pyproject.toml'}: packages without a folder: {missing}")
    return {package: package_dir / folder for package, folder in mapping.items()}


def read_pyproject(package_dir: Path) -> dict:
    path = package_dir / "pyproject.toml"
    if not path.is_file():
        raise PackageError(f"{package_dir} has no pyproject.toml: pass --package-dir, the source "
                           "tree of the course's package")
    return _toml_loads(path.read_text(encoding="utf-8"))


def stage_package(package_dir: Path, stage: Path, notebooks: Iterable[Path]) -> set[str]:
    """Copy what a student wheel holds to ``stage`` (the ``.py`` files of the package folders,
    of :data:`INSTRUCTOR_PACKAGE` only :func:`student_autograder_modules`), with a student
    pyproject.toml and README.md; returns the instructor-package modules kept."""
    pyproject = read_pyproject(package_dir)
    dirs = _package_dirs(package_dir, pyproject)
    kept = student_autograder_modules(dirs, notebooks)
    for package, folder in dirs.items():
        rel = Path(pyproject["tool"]["setuptools"]["package-dir"][package])
        for file in sorted(folder.rglob("*.py")):
            if "__pycache__" in file.parts:
                continue
            if package == INSTRUCTOR_PACKAGE and (file.parent != folder or file.stem not in kept):
                continue
            target = stage / rel / file.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)
    name = pyproject["project"]["name"]
    (stage / "README.md").write_text(
        f"# {name}: the student package\n\nThe helpers, data loaders and visible checks that the "
        f"notebooks of the course import.\nEach assignment comes as a zip with its notebook, "
        f"this wheel and a README.txt that says how to install it.\n", encoding="utf-8")
    (stage / "pyproject.toml").write_text(_toml(student_pyproject(pyproject, "README.md")),
                                          encoding="utf-8")
    return kept


def build_wheel(stage: Path, out_dir: Path, isolation: bool = True) -> Path:
    """``pip wheel --no-deps`` of ``stage`` into ``out_dir``; the one wheel built."""
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
           "-q", "-w", str(out_dir), str(stage)]
    if not isolation:
        cmd.insert(4, "--no-build-isolation")
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        raise PackageError("pip wheel did not finish in 10 minutes") from None
    wheels = sorted(out_dir.glob("*.whl"))
    if run.returncode != 0 or len(wheels) != 1:
        lines = [line.strip() for line in (run.stderr + run.stdout).splitlines() if line.strip()]
        said = [line for line in lines if re.search(r"\w+Error\b|^error:|^ERROR:", line)
                and not line.startswith("raise ")][:4]
        said += [line for line in lines[-2:] if line not in said]
        requires = read_pyproject(stage).get("build-system", {}).get("requires", [])
        if isolation:
            hint = (f"pip installs the build backend ({', '.join(requires)}) from your package "
                    "index; offline, install it here and pass --no-build-isolation")
        else:
            hint = (f"without build isolation pip builds with this environment's "
                    f"{_installed('setuptools')}; pyproject.toml asks for {', '.join(requires)}")
        raise PackageError(f"pip wheel failed (exit {run.returncode}):\n  " + "\n  ".join(said)
                           + f"\n({hint})")
    return wheels[0]


def _installed(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{name} {version(name)}"
    except PackageNotFoundError:
        return f"no {name}"


# -- the bundle -------------------------------------------------------------------------------
def _extra_of(requirement: str) -> str | None:
    found = re.search(r"dlcourse\[([\w,\-]+)\]", INSTALL_HINTS.get(requirement, ""))
    return found.group(1) if found else None


def readme_text(aid: str, files: list[str], wheel_name: str, solutions_dir: Path,
                course_id: str, requires_python: str = "") -> str:
    """README.txt of ``<aid>.zip``: what is inside, how to install it, which extra it needs."""
    requires = declared_requirements(solutions_dir, aid)
    extras = sorted({e for r in requires if (e := _extra_of(r))})
    target = f'"{wheel_name}[{",".join(extras)}]"' if extras else wheel_name
    others = [INSTALL_HINTS.get(r, f"pip install {r}") for r in requires if not _extra_of(r)]
    notebooks = [f for f in files if f.endswith(".ipynb")]
    python = f" (Python {requires_python.lstrip('>=')} or newer)" if requires_python.startswith(">=") else ""
    lines = [f"Assignment {aid} of the course {course_id}", "",
             "In this folder:",
             *[f"  {f}" for f in files],
             f"  {wheel_name}   the course's Python package: helpers, data, visible checks", "",
             f"Set up once, in this folder{python}:",
             "  python -m venv .venv",
             f"  .venv/bin/pip install {target} jupyterlab"]
    lines += [f"  .venv/bin/{hint}" for hint in others]
    if extras:
        lines += ["", f"This assignment needs the optional extra [{','.join(extras)}] "
                  f"({', '.join(r for r in requires if _extra_of(r))}): keep the quotes and brackets."]
    lines += ["(On Windows write .venv\\Scripts\\ instead of .venv/bin/.)", "",
              "Then start JupyterLab here and open the notebook:",
              "  .venv/bin/jupyter lab", "",
              "Write your code where it says YOUR CODE HERE. Each test cell runs a visible check on "
              "a small example;",
              "the hidden tests run only when your notebook is graded. Hand in "
              f"{', '.join(notebooks) or 'the notebook'} as your instructor says.", ""]
    return "\n".join(lines)


def release_files(release_dir: Path) -> list[str]:
    """The files of ``release/<aid>/`` a student gets (relative, POSIX; no hidden folders)."""
    return sorted(p.relative_to(release_dir).as_posix() for p in release_dir.rglob("*")
                  if p.is_file() and not any(part.startswith(".")
                                             for part in p.relative_to(release_dir).parts))


def write_bundle(target: Path, aid: str, release_dir: Path, wheel: Path, readme: str) -> None:
    """Write ``target``: a zip of the folder ``<aid>/`` with the release, README.txt, the wheel."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for rel in release_files(release_dir):
            bundle.write(release_dir / rel, f"{aid}/{rel}")
        bundle.writestr(f"{aid}/README.txt", readme)
        bundle.write(wheel, f"{aid}/{wheel.name}")


@dataclass
class PackageResult:
    wheel: Path | None = None
    bundles: dict[str, Path] = field(default_factory=dict)
    refused: dict[str, list[str]] = field(default_factory=dict)


def _default_package_dir(course_root: Path) -> Path:
    if (course_root / "pyproject.toml").is_file():
        return course_root
    return Path(__file__).resolve().parents[1]  # the source tree this dlcourse runs from


def _stale(source: Path, release: Path) -> bool:
    newest = max((p.stat().st_mtime for p in release.rglob("*.ipynb")), default=0.0)
    return any(p.stat().st_mtime > newest for p in source.glob("*.ipynb"))


def build_student_packages(course_root: Path, assignment_ids: list[str], to: Path,
                           package_dir: Path | None = None, wheel: Path | None = None,
                           isolation: bool = True, say: Callable[[str], None] = print
                           ) -> PackageResult:
    """Build (or take ``wheel``), scan and write the wheel and one zip per assignment to ``to``.

    ``assignment_ids``: default every released one.  Raises :class:`PackageError` for what
    stops everything (nothing released, a build failure); a wheel that fails the scan is
    refused (``result.refused["wheel"]``) and nothing is written; a bundle that fails it is
    not written (an older one at its place is removed).
    """
    from .course import Course

    course = Course(course_root)
    solutions = course.root / "solutions"
    known = course.assignments()
    unknown = [a for a in assignment_ids if a not in known]
    if unknown:
        raise PackageError(f"unknown assignment(s) {unknown}; known: {known}")
    release_root = course.root / "release"
    aids = list(assignment_ids) or [a for a in known if (release_root / a).is_dir()]
    if not aids:
        raise PackageError(f"nothing is released in {release_root}: run `dlcourse release` first")
    unreleased = [a for a in aids if not any((release_root / a).glob("*.ipynb"))]
    if unreleased:
        raise PackageError(f"not released: {', '.join(unreleased)} ({release_root}/<assignment>/ "
                           f"has no notebook): run `dlcourse release {' '.join(unreleased)}` first")
    for aid in aids:
        if _stale(course.source_dir / aid, release_root / aid):
            say(f"! {aid}: its source notebook changed after the release; run `dlcourse release "
                f"{aid}` to ship the current version")
    package_dir = (package_dir or _default_package_dir(course.root)).resolve()
    secrets = course_secrets([solutions, package_dir / "solutions"],
                             [course.source_dir, package_dir / "assignments"])
    result = PackageResult()
    with tempfile.TemporaryDirectory(prefix="dlcourse-student-") as tmp:
        tmp = Path(tmp)
        if wheel is None:
            pyproject = read_pyproject(package_dir)
            kept = stage_package(package_dir, tmp / "stage",
                                 [p for a in known for p in (release_root / a).glob("*.ipynb")])
            (tmp / "wheel").mkdir()
            built = build_wheel(tmp / "stage", tmp / "wheel", isolation)
            say(f"wheel {built.name} built from {package_dir} (version "
                f"{pyproject['project']['version']}); of {INSTRUCTOR_PACKAGE} only "
                f"{', '.join(sorted(kept))}")
        else:
            built = tmp / wheel.name
            shutil.copyfile(wheel, built)
        problems = scan_wheel(built.read_bytes(), built.name, secrets)
        if problems:
            result.refused["wheel"] = problems
            return result
        with zipfile.ZipFile(built) as z:
            members = [i.filename for i in z.infolist() if not i.is_dir()]
            meta = next((z.read(n).decode() for n in members if n.endswith(".dist-info/METADATA")), "")
        requires_python = next((line.split(":", 1)[1].strip() for line in meta.splitlines()
                                if line.startswith("Requires-Python:")), "")
        say(f"✓ {built.name}: {len(members)} files scanned: no solutions module, hidden checks, "
            "reference code or solution regions")
        to.mkdir(parents=True, exist_ok=True)
        result.wheel = to / built.name
        shutil.copyfile(built, result.wheel)
        course_id = str(course.config.CourseDirectory.get("course_id", "") or "")
        for aid in aids:
            files = release_files(release_root / aid)
            readme = readme_text(aid, files, built.name, solutions, course_id, requires_python)
            partial = tmp / f"{aid}.zip"
            write_bundle(partial, aid, release_root / aid, built, readme)
            problems = scan_bundle(partial, aid, secrets, course.source_dir, solutions)
            target = to / f"{aid}.zip"
            if problems:
                result.refused[aid] = problems
                if target.exists():
                    target.unlink()
                    problems.append(f"(the older {target} was removed)")
                continue
            shutil.move(partial, target)
            result.bundles[aid] = target
            extras = sorted({e for r in declared_requirements(solutions, aid) if (e := _extra_of(r))})
            need = f"; needs the extra [{','.join(extras)}]" if extras else ""
            say(f"✓ {aid}: {target} ({', '.join(files)}, README.txt, {built.name}){need}")
    return result


@click.command("build-student-package")
@click.argument("assignment_ids", nargs=-1)
@click.option("--to", "to", default="dist/students", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for <assignment>.zip and the wheel (relative to the course root).")
@click.option("--package-dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=None, help="Source tree of the course's package (holds pyproject.toml); "
                                 "default: the course root if it has one, else the tree this "
                                 "dlcourse runs from.")
@click.option("--wheel", "wheel", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="Bundle this wheel instead of building one (it is scanned all "
                                 "the same).")
@click.option("--build-isolation/--no-build-isolation", "isolation", default=True, show_default=True,
              help="Let pip install the build backend of pyproject.toml in an isolated environment "
                   "(from your package index), or use this environment's.")
def build_student_package(assignment_ids, to, package_dir, wheel, isolation):
    """One zip per released assignment for students outside the hub: the notebook, the course's
    package as a wheel (no solutions, no hidden tests: scanned) and a README.txt."""
    course_dir = Path(click.get_current_context().find_root().obj["course_dir"])
    to = to if to.is_absolute() else course_dir / to
    try:
        result = build_student_packages(course_dir, list(assignment_ids), to, package_dir, wheel,
                                        isolation, say=click.echo)
    except PackageError as exc:
        raise click.ClickException(str(exc)) from None
    for what, problems in result.refused.items():
        if what == "wheel":
            click.echo("✗ refused: the wheel holds what students must not get; nothing was written:")
        else:
            click.echo(f"✗ refused: {what}.zip holds what students must not get; not written:")
        for problem in problems:
            click.echo(f"    {problem}")
    if result.refused:
        sys.exit(1)
    click.echo(f"{len(result.bundles)} student package(s) in {to}; install: "
               "see README.txt in each")
