"""JupyterLab in a real browser for a05 (initialization) and a06 (regularization).

One JupyterLab for both assignments, started on 127.0.0.1 in a scratch course
(modelled on ``test_browser.py``, whose page helpers it reuses).  For each
assignment the released notebook, solved, runs top to bottom with "Run All";
then one explorer control moves (a05: the "method" buttons, a06: a value typed
into the "lambda" slider's readout) and the explorer's accuracy line and plot must change.  Screenshots go
to ``build/screenshots/``.
"""
from __future__ import annotations

import re
import time

import pytest

from .support import ROOT
from .test_browser import (VISIBLE, _errors, _open, _run_all, chromium_page, running_lab,
                           solved_releases)

pytestmark = pytest.mark.browser

NOTEBOOKS = {"a05_initialization": "initialization.ipynb", "a06_regularization": "regularization.ipynb"}
SHOTS = ROOT / "build" / "screenshots"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A scratch course with both releases built; ``student/<aid>/`` holds the solved copies."""
    return solved_releases(tmp_path_factory.mktemp("lab_a05_a06"), NOTEBOOKS)


@pytest.fixture(scope="module")
def lab(workspace):
    with running_lab(workspace) as base:
        yield base


@pytest.fixture(scope="module")
def page(lab):
    with chromium_page() as pg:
        yield pg


def _explorer_state(page, marker: str) -> dict:
    """The explorer's text line (the one containing ``marker``) and the end of its image."""
    out = page.locator(f"{VISIBLE} .widget-output").filter(has_text=marker).first
    text = out.inner_text()
    img = out.locator("img").first.get_attribute("src") or ""
    return {"line": re.search(rf"^.*{re.escape(marker)}.*$", text, re.M).group(0), "img": img[-200:]}


def _wait_for_text(page, pattern: str, timeout_s: int = 120) -> None:
    page.wait_for_function(
        "(p) => new RegExp(p).test([...document.querySelectorAll('.widget-output')]"
        ".map(e => e.innerText).join(' '))", arg=pattern, timeout=timeout_s * 1000, polling=250)


def _state(page) -> str:
    return page.evaluate(f"""() => {{
        const p = document.querySelector('{VISIBLE}');
        if (!p) return 'no visible notebook panel';
        const ind = p.querySelector('.jp-Notebook-ExecutionIndicator');
        const prompts = [...p.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(e => e.textContent.trim());
        const dialogs = [...document.querySelectorAll('.jp-Dialog')].map(e => e.innerText.slice(0, 200));
        return JSON.stringify({{status: ind && ind.dataset.status, prompts, dialogs}});
    }}""")


def _run_solved(page, lab, aid: str) -> float:
    _open(page, lab, f"student/{aid}/{NOTEBOOKS[aid]}")
    t0 = time.monotonic()
    try:
        prompts = _run_all(page, timeout_s=180)
    except Exception:
        page.screenshot(path=str(SHOTS / f"{aid}_run_all_timeout.png"))
        (SHOTS / f"{aid}_run_all_timeout.txt").write_text(_state(page) + "\n")
        raise
    seconds = time.monotonic() - t0
    assert all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), prompts  # every cell ran
    assert not _errors(page), _errors(page)[:2]
    return seconds


def test_a05_solved_release_runs_and_the_explorer_reacts(lab, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    seconds = _run_solved(page, lab, "a05_initialization")
    _wait_for_text(page, r"train accuracy .*\(He, weight scale 1, 15000 iterations\)")
    page.locator(f"{VISIBLE} .widget-output img").first.wait_for(timeout=60_000)
    before = _explorer_state(page, "train accuracy")
    assert before["line"].endswith("10 of 10")
    page.screenshot(path=str(SHOTS / "a05_explorer_before.png"))

    button = page.locator(f"{VISIBLE} button.widget-toggle-button:text-is('zeros')").first
    button.scroll_into_view_if_needed()
    button.click()
    _wait_for_text(page, r"train accuracy 50\.00 %, test accuracy 50\.00 % \(zeros")
    page.wait_for_timeout(500)
    after = _explorer_state(page, "train accuracy")
    page.screenshot(path=str(SHOTS / "a05_explorer_after.png"))
    assert after["line"] != before["line"] and after["line"].endswith("1 of 10")
    assert after["img"] != before["img"]
    (SHOTS / "a05_run_all_seconds.txt").write_text(f"{seconds:.1f}\n")


def test_a06_solved_release_runs_and_the_explorer_reacts(lab, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    seconds = _run_solved(page, lab, "a06_regularization")
    _wait_for_text(page, r"L2, lambda = 0\.7: train accuracy")
    page.locator(f"{VISIBLE} .widget-output img").first.wait_for(timeout=60_000)
    before = _explorer_state(page, "train accuracy")
    assert "(30000 iterations; no regularization: " in before["line"]
    page.screenshot(path=str(SHOTS / "a06_explorer_before.png"))

    slider = page.locator(f"{VISIBLE} .widget-slider").filter(has_text="lambda").first
    slider.scroll_into_view_if_needed()
    readout = slider.locator(".widget-readout").first  # editable in ipywidgets 8: one change, one run
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("1.5")
    page.keyboard.press("Enter")
    _wait_for_text(page, r"L2, lambda = 1\.5: train accuracy", timeout_s=180)
    page.wait_for_timeout(500)
    after = _explorer_state(page, "train accuracy")
    page.screenshot(path=str(SHOTS / "a06_explorer_after.png"))
    assert after["line"] != before["line"]
    assert after["img"] != before["img"]
    (SHOTS / "a06_run_all_seconds.txt").write_text(f"{seconds:.1f}\n")
