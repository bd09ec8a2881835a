"""JupyterLab in a real browser for a10 (convolutional networks with Keras).

One JupyterLab (module-scoped, on 127.0.0.1, in a scratch course with a10 released) and one
headless Debian Chromium driven by Playwright, as in ``test_browser.py`` (whose helpers this
module reuses).  The released notebook with the solutions filled in runs top to bottom ("Run
All") without an error, in a quick run (``DLCOURSE_QUICK=1``: the two training cells get the
grading budget, the widgets are shown as for a student); then the training
explorer's "epochs" slider moves one step and a click on "Train" must retrain the student's
``convolutional_model``: the epoch lines and the curves of the widget change, one epoch at a
time.  Screenshots go to ``build/screenshots/``.
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

AID, NB = "a10_convolution_application", "convolution_application.ipynb"
SHOTS = ROOT / "build" / "screenshots"


@pytest.fixture(scope="module")
def lab10(tmp_path_factory):
    workspace = solved_releases(tmp_path_factory.mktemp("lab10"), {AID: NB})
    with running_lab(workspace, extra_env={"DLCOURSE_QUICK": "1"}) as base:
        yield base


@pytest.fixture(scope="module")
def page10(lab10):
    with chromium_page() as pg:
        yield pg


def _all_text(page) -> str:
    # textContent, not innerText: Lab 4 virtualises cells scrolled out of view
    return page.evaluate(f"() => [...document.querySelectorAll('{VISIBLE} .jp-OutputArea-output')]"
                         ".map(e => e.textContent).join('\\n')")


def _explorer(page) -> dict:
    out = page.locator(f"{VISIBLE} .widget-output").filter(
        has_text=re.compile(r"press Train|epoch \d+/\d+")).first
    img = out.locator("img").first.get_attribute("src") or ""
    return {"text": out.inner_text(), "img": img[-200:]}


def _wait_for_explorer_text(page, pattern: str, timeout_ms: int = 120_000) -> None:
    page.wait_for_function(
        "(p) => new RegExp(p).test([...document.querySelectorAll('.widget-output')]"
        ".map(e => e.innerText).join(' '))", arg=pattern, timeout=timeout_ms)


def test_a10_solved_runs_and_the_train_button_retrains_with_the_new_setting(lab10, page10):
    page = page10
    SHOTS.mkdir(parents=True, exist_ok=True)
    _open(page, lab10, f"student/{AID}/{NB}")
    t0 = time.monotonic()
    prompts = _run_all(page, timeout_s=420)
    seconds = time.monotonic() - t0
    assert all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), prompts  # every cell ran
    assert not _errors(page), _errors(page)[:2]
    text = _all_text(page)
    assert "Error" not in text.replace("AssertionError: ", "")
    assert "✓ All 1 public case(s) of happyModel passed." in text
    assert "✓ All 2 public case(s) of convolutional_model passed." in text
    assert "Data: the default pictures" in text
    assert "test accuracy" in text

    _wait_for_explorer_text(page, "no training run yet: press Train")
    page.locator(f"{VISIBLE} .widget-output img").last.wait_for(timeout=60_000)
    before = _explorer(page)
    page.screenshot(path=str(SHOTS / "a10_explorer_before.png"))

    slider = page.locator(f"{VISIBLE} .widget-slider").filter(has_text="epochs").first
    slider.scroll_into_view_if_needed()
    slider.locator(".noUi-handle").first.focus()
    page.keyboard.press("ArrowRight")  # 5 -> 6 epochs
    button = page.locator(f"{VISIBLE} .widget-button").filter(has_text="Train").first
    button.click()
    _wait_for_explorer_text(page, "epoch 1/6: loss ")  # the curves grow epoch by epoch
    page.wait_for_function("() => [...document.querySelectorAll('.widget-html')]"
                           ".some(e => /done: epoch 6\\/6/.test(e.innerText))", timeout=180_000)
    page.wait_for_timeout(500)
    after = _explorer(page)
    page.screenshot(path=str(SHOTS / "a10_explorer_after.png"))
    assert "epoch 6/6: loss " in after["text"] and "val_accuracy" in after["text"]
    assert after["text"] != before["text"]
    assert after["img"] != before["img"]
    (SHOTS / "a10_run_all_seconds.txt").write_text(f"{seconds:.1f}\n")
