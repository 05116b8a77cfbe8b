"""The lab as a person uses it, in real Chromium against the real server."""

import re

from playwright.sync_api import Page, expect


def generate_default_dataset(page: Page) -> str:
    page.goto("/datasets/new")
    page.get_by_role("button", name="Generate").click()
    expect(page).to_have_url(re.compile(r"/datasets/\d+$"))
    return page.url


def test_default_run_streams_loss_and_predicts(page: Page):
    generate_default_dataset(page)
    page.get_by_role("link", name="Train a network").click()
    expect(page.locator("#layers")).to_have_value("2, 2, 2")
    # long enough (~1-2 s) that updates stream in while it trains
    page.fill("#epochs", "200000")
    page.get_by_role("button", name="Train").click()
    expect(page).to_have_url(re.compile(r"/runs/\d+$"))
    expect(page.locator("#progress")).to_be_visible()
    page.wait_for_function("""() => {
        const bar = document.querySelector('#progress');
        const running = document.querySelector('#status').textContent.trim() === 'running';
        return running && +bar.value > 0 && +bar.value < +bar.max
            && document.querySelector('#test-loss').textContent.trim() !== '–';
    }""", timeout=30_000)
    expect(page.locator("#status")).to_have_text("completed", timeout=60_000)
    expect(page.locator("#epoch")).to_have_text("epoch 200000 of 200000")

    page.fill("input[name=a]", "15")
    page.fill("input[name=b]", "4")
    page.get_by_role("button", name="Predict").click()
    predicted = page.locator("#prediction td.predicted")
    expect(predicted).to_have_text(["11.00", "19.00"])


def test_notebook_preset_explains_why_it_cannot_learn(page: Page):
    generate_default_dataset(page)
    page.get_by_role("link", name="Train a network").click()
    page.get_by_role("link", name="Notebook (sigmoid, SGD, lr 10)").click()
    expect(page.locator("#act-2")).to_have_value("sigmoid")
    expect(page.locator("#findings [data-code=output_range]")).to_be_visible()
    page.get_by_role("button", name="Train").click()
    expect(page.locator("#status")).to_have_text("completed", timeout=60_000)
    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text("It did not learn")
    expect(verdict).to_contain_text("sigmoid, which can only produce between 0 and 1")


def test_stop_keeps_history(page: Page):
    generate_default_dataset(page)
    page.get_by_role("link", name="Train a network").click()
    page.fill("#epochs", "1000000")
    page.get_by_role("button", name="Train").click()
    expect(page.locator("#status")).to_have_text("running", timeout=20_000)
    expect(page.locator("#epoch")).not_to_have_text("epoch 0 of 1000000", timeout=20_000)
    page.get_by_role("button", name="Stop").click()
    expect(page.locator("#status")).to_have_text("stopped", timeout=20_000)
    expect(page.locator("svg.chart polyline.train")).to_have_count(1)
    page.reload()   # the finished page is complete without the stream
    expect(page.locator("#status")).to_have_text("stopped")
    expect(page.locator("svg.chart polyline.train")).to_have_count(1)
