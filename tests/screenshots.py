"""`make screenshots`: drive the same Chromium as the browser tests through a finished default run and a
notebook run, and save the pictures the README shows into docs/screenshots/."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from tests.live import CHROMIUM, CHROMIUM_ARGS, LiveServer
from webapp import create_app

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def _new_run(page, base, preset=None, epochs=None):
    page.goto(f"{base}/datasets/new")
    page.get_by_role("button", name="Generate").click()
    expect(page).to_have_url(re.compile(r"/datasets/\d+$"))
    page.get_by_role("link", name="Train a network").click()
    if preset:
        page.locator(f"[data-preset={preset}]").click()
    if epochs:
        page.fill("#epochs", str(epochs))
    page.get_by_role("button", name="Train").click()
    expect(page.locator("#status")).to_have_text(re.compile("completed|diverged"), timeout=120_000)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/shots.db", "SECRET_KEY": "screenshots"})
        with LiveServer(app) as server:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            base = server.url
            _new_run(page, base)
            page.fill("input[name=a]", "15")
            page.fill("input[name=b]", "4")
            page.get_by_role("button", name="Predict").click()
            expect(page.locator("#prediction td.predicted")).to_have_count(2)
            page.screenshot(path=OUT / "run.png", full_page=True)
            _new_run(page, base, preset="notebook")
            page.screenshot(path=OUT / "notebook-run.png", full_page=True)
            _new_run(page, base, preset="tanh_lm")
            page.goto(f"{base}/compare?runs=1,2,3")
            page.screenshot(path=OUT / "compare.png", full_page=True)
            page.goto(f"{base}/datasets/1")
            page.screenshot(path=OUT / "dataset.png", full_page=True)
            page.goto(f"{base}/runs/new?dataset_id=1&preset=notebook")
            page.screenshot(path=OUT / "diagnosis.png", full_page=True)
            page.get_by_role("button", name="Step through it").click()
            for k in (1, 2):
                page.get_by_role("button", name="Step one epoch").click()
                expect(page.locator("#step-detail h3")).to_contain_text(f"Epoch {k}")
            page.screenshot(path=OUT / "step.png", full_page=True)
            page.goto(f"{base}/")
            page.screenshot(path=OUT / "home.png", full_page=True)
            browser.close()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
