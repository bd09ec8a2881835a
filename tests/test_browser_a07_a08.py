"""JupyterLab in a real browser for a07 (gradient checking) and a08 (optimization).

One JupyterLab (module-scoped, on 127.0.0.1, in a scratch course with both assignments
released) and one headless Debian Chromium driven by Playwright, as in ``test_browser.py``
(whose helpers this module reuses).  For each assignment the released notebook with the
solutions filled in runs top to bottom ("Run All"), without an error; then one control of the
explorer moves and the explorer's text and figure must change.  The a07 copy also holds the
repaired backward pass in a cell of the student's own, as section 3.4 asks.  Screenshots go to
``build/screenshots/``.
"""
from __future__ import annotations

import re
import time

import nbformat
import pytest

from .support import ROOT
from .test_browser import (VISIBLE, _errors, _open, _run_all, chromium_page, running_lab,
                           solved_releases)

pytestmark = pytest.mark.browser

NOTEBOOKS = {"a07_gradient_checking": "gradient_checking.ipynb",
             "a08_optimization": "optimization.ipynb"}
SHOTS = ROOT / "build" / "screenshots"


def _with_student_repair(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Insert, below the locked handed-out backward pass, the student's repaired copy (a plain
    cell without nbgrader metadata, as JupyterLab creates it)."""
    i = next(k for k, c in enumerate(nb.cells)
             if c.metadata.get("nbgrader", {}).get("grade_id") == "backward_propagation_n")
    fixed = nb.cells[i].source.replace("dW2 = 2 / m * dZ2 @ A1.T", "dW2 = dZ2 @ A1.T / m") \
                              .replace("db1 = 4 / m * dZ1.sum(axis=1, keepdims=True)",
                                       "db1 = dZ1.sum(axis=1, keepdims=True) / m")
    assert fixed != nb.cells[i].source
    nb.cells.insert(i + 1, nbformat.v4.new_code_cell(fixed))
    return nb


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A scratch course with a07 and a08 released; ``student/<aid>/`` holds the solved copies
    (a07's with the student's repaired backward pass in a cell of its own)."""
    def edit(aid, nb):
        return _with_student_repair(nb) if aid == "a07_gradient_checking" else nb
    return solved_releases(tmp_path_factory.mktemp("lab0708"), NOTEBOOKS, edit)


@pytest.fixture(scope="module")
def lab0708(workspace):
    with running_lab(workspace) as base:
        yield base


@pytest.fixture(scope="module")
def page0708(lab0708):
    with chromium_page() as pg:
        yield pg


def _all_text(page) -> str:
    # textContent, not innerText: Lab 4 virtualises cells scrolled out of view
    return page.evaluate(f"() => [...document.querySelectorAll('{VISIBLE} .jp-OutputArea-output')]"
                         ".map(e => e.textContent).join('\\n')")


def _explorer(page, marker: str) -> dict:
    out = page.locator(f"{VISIBLE} .widget-output").filter(has_text=marker).first
    img = out.locator("img").first.get_attribute("src") or ""
    return {"text": out.inner_text(), "img": img[-200:]}


def _wait_for_explorer_text(page, pattern: str, timeout_ms: int = 120_000) -> None:
    page.wait_for_function(
        "(p) => new RegExp(p).test([...document.querySelectorAll('.widget-output')]"
        ".map(e => e.innerText).join(' '))", arg=pattern, timeout=timeout_ms)


def _press(page, slider_text: str, key: str, times: int) -> None:
    slider = page.locator(f"{VISIBLE} .widget-slider").filter(has_text=slider_text).first
    slider.scroll_into_view_if_needed()
    handle = slider.locator(".noUi-handle").first
    handle.focus()
    for _ in range(times):
        page.keyboard.press(key)


def _run_solved(page, base: str, aid: str, timeout_s: int) -> float:
    _open(page, base, f"student/{aid}/{NOTEBOOKS[aid]}")
    t0 = time.monotonic()
    prompts = _run_all(page, timeout_s=timeout_s)
    seconds = time.monotonic() - t0
    assert all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), prompts  # every cell ran
    assert not _errors(page), _errors(page)[:2]
    assert "Error" not in _all_text(page).replace("AssertionError: ", "")
    return seconds


def test_a07_solved_and_repaired_runs_and_the_epsilon_slider_moves_the_check(lab0708, page0708):
    page = page0708
    SHOTS.mkdir(parents=True, exist_ok=True)
    seconds = _run_solved(page, lab0708, "a07_gradient_checking", timeout_s=300)
    text = _all_text(page)
    assert "There is a mistake in the backward propagation! difference = 0.2850931567761623" in text
    assert "Your backward propagation works perfectly fine! difference = 1.18909130" in text

    _wait_for_explorer_text(page, "difference = 1\\.189e-07 at epsilon = 1e-07")
    page.locator(f"{VISIBLE} .widget-output img").first.wait_for(timeout=60_000)
    before = _explorer(page, "difference =")
    page.screenshot(path=str(SHOTS / "a07_explorer_before.png"))
    _press(page, "epsilon", "ArrowRight", 8)  # 1e-7 -> 1e-3 (half decades)
    _wait_for_explorer_text(page, "at epsilon = 1e-03")
    page.wait_for_timeout(500)
    after = _explorer(page, "difference =")
    page.screenshot(path=str(SHOTS / "a07_explorer_after.png"))
    assert after["text"] != before["text"] and "at epsilon = 1e-03" in after["text"]
    assert after["img"] != before["img"]
    (SHOTS / "a07_run_all_seconds.txt").write_text(f"{seconds:.1f}\n")


def test_a08_solved_runs_and_the_learning_rate_slider_retrains(lab0708, page0708):
    page = page0708
    SHOTS.mkdir(parents=True, exist_ok=True)
    seconds = _run_solved(page, lab0708, "a08_optimization", timeout_s=420)
    text = _all_text(page)
    assert text.count("Accuracy: 0.7966666666666666") == 2 and "Accuracy: 0.94" in text

    _wait_for_explorer_text(page, "adam: accuracy .*learning rate 0\\.0007, mini-batch 64")
    page.locator(f"{VISIBLE} .widget-output img").first.wait_for(timeout=60_000)
    before = _explorer(page, "adam: accuracy")
    page.screenshot(path=str(SHOTS / "a08_explorer_before.png"))
    _press(page, "learning rate", "ArrowRight", 10)  # 0.0007 -> about 0.007 (tenths of a decade)
    _wait_for_explorer_text(page, "adam: accuracy .*learning rate 0\\.00[1-9]")
    page.wait_for_timeout(500)
    after = _explorer(page, "adam: accuracy")
    page.screenshot(path=str(SHOTS / "a08_explorer_after.png"))
    assert after["text"] != before["text"]
    assert after["img"] != before["img"]
    (SHOTS / "a08_run_all_seconds.txt").write_text(f"{seconds:.1f}\n")
