"""What the browser tests of "Seeing inside" do again and again: make a dataset, train, read the diagram."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

RUN_URL = re.compile(r"/runs/(\d+)$")

# label ("a → h1.1") -> the data-value string of that edge, as the page holds it right now
EDGES_JS = """() => Object.fromEntries([...document.querySelectorAll('svg.network line.edge')].map(
    e => [e.querySelector('title').textContent.split(':')[0], e.getAttribute('data-value')]))"""


def generate_dataset(page: Page) -> int:
    """The notebook's dataset (the form's defaults)."""
    page.goto("/datasets/new")
    page.get_by_role("button", name="Generate").click()
    expect(page).to_have_url(re.compile(r"/datasets/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def run_id_of(page: Page) -> int:
    expect(page).to_have_url(RUN_URL)
    return int(RUN_URL.search(page.url).group(1))


def train(page: Page, preset: str | None = None, epochs: int | None = None) -> int:
    """Open the builder (optionally on a preset), set the epochs, press Train; -> the new run's id."""
    page.goto("/runs/new" + (f"?preset={preset}" if preset else ""))
    if epochs is not None:
        page.fill("#epochs", str(epochs))
    page.locator("#train").click()
    return run_id_of(page)


def wait_status(page: Page, status: str, timeout: float = 60_000) -> None:
    expect(page.locator("#status")).to_have_text(status, timeout=timeout)


def finished_default_run(page: Page, epochs: int = 3000) -> int:
    generate_dataset(page)
    run_id = train(page, epochs=epochs)
    wait_status(page, "completed")
    return run_id


def edges(page: Page) -> dict[str, float]:
    return {k: float(v) for k, v in page.evaluate(EDGES_JS).items()}


def predict(page: Page, a, b) -> list[str]:
    """Ask the network on the page; -> the full-precision outputs (the title of each predicted cell)."""
    page.fill("input[name=a]", str(a))
    page.fill("input[name=b]", str(b))
    page.get_by_role("button", name="Predict").click()
    expect(page.locator("#prediction")).to_contain_text(f"For a = {float(a)}, b = {float(b)}:")
    cells = page.locator("#prediction td.predicted")
    expect(cells).to_have_count(2)
    return [cells.nth(k).get_attribute("title") for k in range(2)]
