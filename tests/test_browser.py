"""JupyterLab in a real browser: a released notebook, solved, run top to bottom; the widget reacts.

Starts ``jupyter lab`` on 127.0.0.1 in a scratch course, drives Debian's
Chromium with Playwright (``executable_path``; no downloaded browser), runs all
cells of the released planar-classification notebook with the solutions filled
in, moves the "hidden units" slider and checks that the printed accuracy and
the plot change; the same for the deep-network application (a04) and its
"iterations" slider.  One JupyterLab server serves every test.  Screenshots go
to ``build/screenshots/``.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import nbformat
import pytest

from dlcourse.autograder.course import Course
from dlcourse.autograder.simulate import make_submission

from .support import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AID, NB = "a02_planar_classification", "planar_classification.ipynb"
A04, NB04 = "a04_deep_network_application", "deep_network_application.ipynb"
#: the released notebooks a student opens here, solved: folder under student/ -> (id, notebook)
SOLVED = {"solved": (AID, NB), "solved_a04": (A04, NB04)}
SHOTS = ROOT / "build" / "screenshots"
TOKEN = "dlcourse-test"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-quic"]
VISIBLE = ".jp-NotebookPanel:not(.lm-mod-hidden)"

if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright (pip) is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A scratch course with the release built; ``student/`` holds what a student has."""
    root = tmp_path_factory.mktemp("lab")
    course_dir = root / "course"
    (course_dir / "assignments").mkdir(parents=True)
    for aid in (AID, A04, "a00_numpy_basics"):
        shutil.copytree(ROOT / "assignments" / aid, course_dir / "assignments" / aid)
    shutil.copytree(ROOT / "solutions", course_dir / "solutions")
    shutil.copy2(ROOT / "nbgrader_config.py", course_dir / "nbgrader_config.py")
    course = Course(course_dir)
    for aid in (AID, A04, "a00_numpy_basics"):
        assert course.release(aid).ok
    student = root / "student"
    shutil.copytree(course_dir / "release" / AID, student / "blank")
    for folder, (aid, name) in SOLVED.items():
        source = nbformat.read(course_dir / "assignments" / aid / name, as_version=4)
        release = nbformat.read(course_dir / "release" / aid / name, as_version=4)
        (student / folder).mkdir()
        nbformat.write(make_submission("correct", source, release, aid, course_dir / "solutions"),
                       student / folder / name)
    return root


@contextlib.contextmanager
def running_lab(root: Path, extra_env: dict | None = None) -> Iterator[str]:
    """``jupyter lab`` on 127.0.0.1 serving ``root`` (log in ``root/lab.log``); yields its URL.

    ``extra_env`` goes to the server and its kernels (``{"DLCOURSE_QUICK": "1"}``: training
    cut to the grading budget, widgets still shown)."""
    port = _free_port()
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    env.pop("NBGRADER_EXECUTION", None)
    env.update(extra_env or {})
    with open(root / "lab.log", "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
             f"--ServerApp.token={TOKEN}", "--allow-root", f"--ServerApp.root_dir={root}",
             "--LabApp.news_url=None", "--ServerApp.open_browser=False"],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            proc.kill()
            pytest.fail("JupyterLab did not start: " + (root / "lab.log").read_text()[-2000:])
        try:
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@contextlib.contextmanager
def chromium_page():
    """A page of Debian's headless Chromium, driven by Playwright (no downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
        finally:
            browser.close()


def solved_releases(root: Path, notebooks: dict[str, str], edit=None) -> Path:
    """A scratch course under ``root/course`` with ``notebooks`` (id -> file) released, and each
    release solved at ``root/student/<id>/<file>`` (``edit(aid, nb)`` may change it first)."""
    course_dir = root / "course"
    (course_dir / "assignments").mkdir(parents=True)
    for aid in notebooks:
        shutil.copytree(ROOT / "assignments" / aid, course_dir / "assignments" / aid)
    shutil.copytree(ROOT / "solutions", course_dir / "solutions")
    shutil.copy2(ROOT / "nbgrader_config.py", course_dir / "nbgrader_config.py")
    course = Course(course_dir)
    for aid, name in notebooks.items():
        assert course.release(aid).ok
        source = nbformat.read(course_dir / "assignments" / aid / name, as_version=4)
        release = nbformat.read(course_dir / "release" / aid / name, as_version=4)
        solved = make_submission("correct", source, release, aid, course_dir / "solutions")
        (root / "student" / aid).mkdir(parents=True)
        nbformat.write(edit(aid, solved) if edit else solved, root / "student" / aid / name)
    return root


@pytest.fixture(scope="module")
def lab(workspace):
    with running_lab(workspace) as base:
        yield base


@pytest.fixture(scope="module")
def page(lab):
    with chromium_page() as pg:
        yield pg


def _open(page, base: str, path: str) -> None:
    page.goto(f"{base}/lab/tree/{path}?token={TOKEN}&reset")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
    page.wait_for_selector(f"{VISIBLE} .jp-Notebook-ExecutionIndicator[data-status='idle']",
                           state="attached", timeout=120_000)
    news = page.locator(".jp-toast-button:has-text('No')")
    if news.count():
        news.first.click()


_PROMPTS = (f"[...document.querySelectorAll('{VISIBLE} .jp-CodeCell .jp-InputArea-prompt')]"
            ".map(e => e.textContent.trim())")


def _run_all(page, timeout_s: int) -> list[str]:
    """Run All from the menu, once the kernel is really connected, and wait until it is done.

    Right after a notebook opens its kernel may still be connecting although the execution
    indicator reads idle; a Run All clicked then marks every cell and runs none.  So wait for the
    status bar's "Idle" and click again if no cell has started after a while.  Done means: idle,
    nothing queued, and either every cell ran or one stopped with an error (on a loaded machine
    the kernel can be idle for a moment between two queued cells).
    """
    page.wait_for_function("() => [...document.querySelectorAll('#jp-main-statusbar *')]"
                           ".some(e => /\\|\\s*Idle\\s*$/.test(e.textContent || ''))",
                           timeout=120_000, polling=250)
    for attempt in range(3):
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        try:
            page.wait_for_function(f"() => {_PROMPTS}.some(t => t !== '[ ]:')", timeout=20_000,
                                   polling=250)
            break
        except Exception:
            if attempt == 2:
                raise
    page.wait_for_function(f"""() => {{
        const ind = document.querySelector('{VISIBLE} .jp-Notebook-ExecutionIndicator');
        const ps = {_PROMPTS};
        const ran = ps.map(t => /^\\[\\d+\\]:$/.test(t));
        const failed = document.querySelector(
            "{VISIBLE} [data-mime-type='application/vnd.jupyter.stderr']") !== null;
        return ind && ind.dataset.status === 'idle' && ps.length > 0 && ran[0]
               && !ps.some(t => t.includes('*')) && (ran.every(Boolean) || failed);
    }}""", timeout=timeout_s * 1000, polling=500)
    return page.evaluate(f"() => {_PROMPTS}")


def _errors(page) -> list[str]:
    return page.evaluate(f"() => [...document.querySelectorAll(\"{VISIBLE} .jp-OutputArea-output"
                         "[data-mime-type='application/vnd.jupyter.stderr']\")].map(e => e.textContent)")


def _explorer_state(page) -> dict:
    out = page.locator(f"{VISIBLE} .widget-output").filter(has_text="accuracy:").first
    text = out.inner_text()
    img = out.locator("img").first.get_attribute("src") or ""
    return {"accuracy": re.search(r"accuracy: .*", text).group(0), "img": img[-200:]}


def test_solved_release_runs_top_to_bottom_and_the_explorer_reacts(lab, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    _open(page, lab, f"student/solved/{NB}")
    t0 = time.monotonic()
    prompts = _run_all(page, timeout_s=420)
    run_all_s = time.monotonic() - t0
    assert all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), prompts  # every cell ran
    assert not _errors(page), _errors(page)[:2]

    slider = page.locator(f"{VISIBLE} .widget-slider").filter(has_text="hidden units").first
    slider.scroll_into_view_if_needed()
    page.wait_for_function("() => /accuracy: /.test([...document.querySelectorAll('.widget-output')]"
                           ".map(e => e.innerText).join(' '))", timeout=120_000)
    page.locator(f"{VISIBLE} .widget-output img").first.wait_for(timeout=60_000)
    before = _explorer_state(page)
    assert "(n_h = 4" in before["accuracy"]
    page.screenshot(path=str(SHOTS / "explorer_before.png"))

    handle = slider.locator(".noUi-handle").first
    handle.focus()
    for _ in range(16):  # 4 -> 20 hidden units
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => /accuracy: .*\\(n_h = 20/.test([...document.querySelectorAll("
                           "'.widget-output')].map(e => e.innerText).join(' '))", timeout=120_000)
    page.wait_for_timeout(500)
    after = _explorer_state(page)
    page.screenshot(path=str(SHOTS / "explorer_after.png"))
    assert after["accuracy"] != before["accuracy"]
    assert after["img"] != before["img"]
    (SHOTS / "run_all_seconds.txt").write_text(f"{run_all_s:.1f}\n")


def _depth_explorer_state(page) -> dict:
    out = page.locator(f"{VISIBLE} .widget-output").filter(has_text="test accuracy").first
    text = out.inner_text()
    img = out.locator("img").first.get_attribute("src") or ""
    return {"accuracy": re.search(r"train accuracy .*", text).group(0), "img": img[-200:]}


def test_solved_a04_runs_and_its_explorer_retrains_the_students_model(lab, page):
    """a04: Run All trains both networks for real (2500 iterations each, no grading budget),
    then one step of the explorer's "iterations" slider retrains the student's L_layer_model."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    _open(page, lab, f"student/solved_a04/{NB04}")
    t0 = time.monotonic()
    prompts = _run_all(page, timeout_s=480)
    run_all_s = time.monotonic() - t0
    assert all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), prompts
    assert not _errors(page), _errors(page)[:2]

    slider = page.locator(f"{VISIBLE} .widget-slider").filter(has_text="iterations").first
    slider.scroll_into_view_if_needed()
    page.wait_for_function("() => /test accuracy .* 300 iterations/.test([...document.querySelectorAll("
                           "'.widget-output')].map(e => e.innerText).join(' '))", timeout=120_000)
    before = _depth_explorer_state(page)
    assert "layers [12288, 20, 7, 5, 1]" in before["accuracy"] and before["img"]
    page.screenshot(path=str(SHOTS / "a04_explorer_before.png"))

    handle = slider.locator(".noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowRight")  # 300 -> 400 iterations
    page.wait_for_function("() => /test accuracy .* 400 iterations/.test([...document.querySelectorAll("
                           "'.widget-output')].map(e => e.innerText).join(' '))", timeout=120_000)
    page.wait_for_timeout(500)
    after = _depth_explorer_state(page)
    page.screenshot(path=str(SHOTS / "a04_explorer_after.png"))
    assert after["accuracy"] != before["accuracy"]
    assert after["img"] != before["img"]  # a new cost curve
    (SHOTS / "a04_run_all_seconds.txt").write_text(f"{run_all_s:.1f}\n")


def test_blank_release_imports_work_and_stops_at_the_first_exercise(lab, page):
    _open(page, lab, f"student/blank/{NB}")
    prompts = _run_all(page, timeout_s=180)
    page.screenshot(path=str(SHOTS / "blank_release.png"))
    assert re.fullmatch(r"\[\d+\]:", prompts[0])  # the setup cell ran: imports work
    # textContent, not innerText: Lab 4 virtualises cells scrolled out of view
    errors = page.evaluate(f"() => [...document.querySelectorAll('{VISIBLE} .jp-OutputArea-output')]"
                           ".map(e => e.textContent).join(' ')")
    assert "NotImplementedError" in errors or "not implemented yet" in errors
    assert "ModuleNotFoundError" not in errors and "ImportError" not in errors


def test_lab_lists_the_course_folders(lab, page):
    page.goto(f"{lab}/lab/tree/course?token={TOKEN}&reset")
    page.wait_for_selector(".jp-DirListing-item", timeout=60_000)
    names = page.locator(".jp-DirListing-itemText").all_inner_texts()
    assert "assignments" in names and "release" in names
