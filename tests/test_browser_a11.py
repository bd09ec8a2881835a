"""JupyterLab in a real browser for a11 (an introduction to TensorFlow 2).

One JupyterLab (module-scoped, on 127.0.0.1, in a scratch course with a11 released) and one
headless Debian Chromium driven by Playwright, with the helpers of ``test_browser.py``.  The
released notebook with the solutions filled in runs top to bottom ("Run All": the warm-up, every
check, the training run on SIGNS) without an error; then the step-size slider of the descent
explorer moves and the explorer's text and figure must change.  Screenshots go to
``build/screenshots/``.
"""
from __future__ import annotations

import re
import time

import pytest

pytest.importorskip("tensorflow")

from .support import ROOT  # noqa: E402
from .test_browser import (VISIBLE, _errors, _open, _run_all, chromium_page, running_lab,  # noqa: E402
                           solved_releases)

pytestmark = pytest.mark.browser

AID, NB = "a11_tensorflow_introduction", "tensorflow_introduction.ipynb"
SHOTS = ROOT / "build" / "screenshots"


@pytest.fixture(scope="module")
def lab11(tmp_path_factory):
    with running_lab(solved_releases(tmp_path_factory.mktemp("lab11"), {AID: NB}),
                     extra_env={"DLCOURSE_QUICK": "1"}) as base:  # training cut to 3 epochs
        yield base


@pytest.fixture(scope="module")
def page11(lab11):
    with chromium_page() as pg:
        yield pg


def _all_text(page) -> str:
    # textContent, not innerText: Lab 4 virtualises cells scrolled out of view
    return page.evaluate(f"() => [...document.querySelectorAll('{VISIBLE} .jp-OutputArea-output')]"
                         ".map(e => e.textContent).join('\\n')")


def _explorer(page) -> dict:
    out = page.locator(f"{VISIBLE} .widget-output").filter(has_text="steps of size").first
    img = out.locator("img").first.get_attribute("src") or ""
    return {"text": out.inner_text(), "img": img[-200:]}


def _wait_for_explorer_text(page, pattern: str, timeout_ms: int = 60_000) -> None:
    page.wait_for_function(
        "(p) => new RegExp(p).test([...document.querySelectorAll('.widget-output')]"
        ".map(e => e.innerText).join(' '))", arg=pattern, timeout=timeout_ms)


def test_a11_solved_runs_and_the_step_size_slider_moves_the_descent(lab11, page11):
    page = page11
    SHOTS.mkdir(parents=True, exist_ok=True)
    _open(page, lab11, f"student/{AID}/{NB}")
    t0 = time.monotonic()
    prompts = _run_all(page, timeout_s=300)
    seconds = time.monotonic() - t0
    assert all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), prompts  # every cell ran
    assert not _errors(page), _errors(page)[:2]
    text = _all_text(page)
    assert "Error" not in text.replace("AssertionError: ", "")
    assert "after 1000 more steps: 4.9999886" in text and "after 1000 more steps: 9.999977" in text
    assert text.count("✓ All") == 9 and "train accuracy:" in text and "test accuracy:" in text

    # the explorer sits in section 1 and Run All ends at the bottom: bring it back into view
    # (Lab 4 does not render cells scrolled far away, so innerText is empty there)
    page.locator(f"{VISIBLE} .widget-output").filter(has_text="steps of size").first.scroll_into_view_if_needed()
    _wait_for_explorer_text(page, "after 100 steps of size 0\\.01: w = 4\\.3369026")
    page.locator(f"{VISIBLE} .widget-output img").first.wait_for(timeout=60_000)
    before = _explorer(page)
    page.screenshot(path=str(SHOTS / "a11_explorer_before.png"))
    slider = page.locator(f"{VISIBLE} .widget-slider").filter(has_text="step size").first
    slider.scroll_into_view_if_needed()
    slider.locator(".noUi-handle").first.focus()
    for _ in range(20):  # 0.01 -> 0.1 (steps of 0.05 in log10)
        page.keyboard.press("ArrowRight")
    _wait_for_explorer_text(page, "steps of size 0\\.1:")
    page.wait_for_timeout(500)
    after = _explorer(page)
    page.screenshot(path=str(SHOTS / "a11_explorer_after.png"))
    assert after["text"] != before["text"] and "has converged" in after["text"]
    assert after["img"] != before["img"]
    (SHOTS / "a11_run_all_seconds.txt").write_text(f"{seconds:.1f}\n")
