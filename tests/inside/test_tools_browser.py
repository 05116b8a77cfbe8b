"""Issue #5 "Seeing inside" in real Chromium: comparing runs, a model's round trip through a file, stepping a
run one epoch at a time, and a builder configuration that travels in its URL."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from .browser import edges, finished_default_run, generate_dataset, predict, run_id_of, train, wait_status


# -- 6. compare ------------------------------------------------------------------------------------------
def check_comparison(page: Page, a: int, b: int):
    expect(page.locator("h1")).to_have_text("Compare runs")
    expect(page.locator("svg.chart polyline")).to_have_count(2)
    legend = page.locator("#compare-chart p.legend")
    expect(legend).to_contain_text(f"#{a} 2-2-2 linear/linear adam")
    expect(legend).to_contain_text(f"#{b} 2-2-2 linear/linear sgd")
    expect(page.locator("#compared tbody tr")).to_have_count(2)


def test_compare_two_runs(page: Page):
    generate_dataset(page)
    a = train(page, epochs=500)
    wait_status(page, "completed")
    page.goto("/runs/new")
    page.select_option("#optimizer", "sgd")
    page.fill("#learning_rate", "0.1")
    page.fill("#epochs", "500")
    page.locator("#train").click()
    b = run_id_of(page)
    wait_status(page, "completed")
    expect(page.locator("p.config")).to_contain_text("sgd at learning rate 0.1")

    page.goto("/")
    boxes = page.locator("input[name=runs]")
    expect(boxes).to_have_count(2)
    page.check(f"input[name=runs][value='{a}']")
    page.check(f"input[name=runs][value='{b}']")
    page.get_by_role("button", name="Compare selected").click()
    expect(page).to_have_url(re.compile(r"/compare\?runs="))
    assert sorted(map(int, parse_qs(urlsplit(page.url).query)["runs"])) == sorted([a, b])
    check_comparison(page, *sorted([a, b]))

    page.goto(f"/compare?runs={a},{b}")
    check_comparison(page, a, b)


# -- 8. a model's round trip -----------------------------------------------------------------------------
def test_model_download_and_upload_predict_the_same(page: Page, tmp_path: Path):
    run_id = finished_default_run(page)
    page.reload()   # the link is only drawn on a page loaded once the run has a model (see the test below)
    dataset_id = page.locator("p.config a[href^='/datasets/']").get_attribute("href").rsplit("/", 1)[1]
    with page.expect_download() as info:
        page.locator("#download-model").click()
    download = info.value
    assert download.suggested_filename == f"tinynet-run-{run_id}-model.json"
    path = tmp_path / "model.json"
    download.save_as(path)
    original = predict(page, 15.5, 3.25)

    page.goto("/runs/upload")
    page.set_input_files("#file", path)
    page.select_option("#dataset_id", dataset_id)
    page.get_by_role("button", name="Upload").click()
    imported = run_id_of(page)
    assert imported != run_id
    wait_status(page, "imported")
    expect(page.locator("#imported-note")).to_be_visible()
    expect(page.locator("svg.network line.edge")).to_have_count(8)
    copy = predict(page, 15.5, 3.25)
    assert copy == original
    assert [round(float(v), 2) for v in copy] == [12.25, 18.75]


def test_download_link_appears_when_the_watched_run_finishes(page: Page):
    generate_dataset(page)
    train(page, epochs=200_000)
    expect(page.locator("#status")).to_have_text(re.compile("queued|running"))
    assert page.locator("#download-model").count() == 0   # no checkpoint yet when the page was drawn
    wait_status(page, "completed")
    expect(page.locator("#download-model")).to_be_visible(timeout=3_000)


# -- 9. step mode ----------------------------------------------------------------------------------------
STEP_ROWS_JS = """() => [...document.querySelectorAll('#step-table tbody tr')].map(r => {
    const td = [...r.querySelectorAll('td')].map(c => c.textContent.trim());
    return {src: td[1], dst: td[2], before: +r.dataset.before, update: +r.dataset.update, after: +r.dataset.after};
})"""

BIASES_JS = """() => Object.fromEntries([...document.querySelectorAll('#weights tbody tr.bias')].map(
    r => [r.children[2].textContent.trim(), +r.children[3].textContent]))"""


def test_step_through_three_epochs_then_train_the_rest(page: Page):
    generate_dataset(page)
    page.goto("/runs/new")
    page.locator("#step-through").click()
    run_id_of(page)
    wait_status(page, "draft")
    expect(page.locator("#epoch")).to_have_text("epoch 0 of 3000")
    expect(page.locator("#step-detail")).to_have_count(0)

    for epoch in (1, 2, 3):
        weights_before, biases_before = edges(page), page.evaluate(BIASES_JS)
        assert len(weights_before) == 8 and len(biases_before) == 4
        page.locator("#step").click()
        expect(page.locator("#step-detail h3")).to_contain_text(f"Epoch {epoch}:")
        expect(page.locator("#epoch")).to_have_text(f"epoch {epoch} of 3000")
        wait_status(page, "draft")
        weights_after, biases_after = edges(page), page.evaluate(BIASES_JS)
        rows = page.evaluate(STEP_ROWS_JS)
        assert len(rows) == 12
        assert sum(r["src"] == "bias" for r in rows) == 4
        for r in rows:
            assert abs(r["after"] - (r["before"] + r["update"])) <= 1e-6, r
            if r["src"] == "bias":   # the weights table shows six decimals
                assert abs(r["before"] - biases_before[r["dst"]]) <= 1e-6, r
                assert abs(r["after"] - biases_after[r["dst"]]) <= 1e-6, r
            else:
                label = f"{r['src']} → {r['dst']}"
                assert abs(r["before"] - weights_before[label]) <= 1e-6, (r, weights_before)
                assert abs(r["after"] - weights_after[label]) <= 1e-6, (r, weights_after)
        assert weights_after != weights_before

    page.locator("#start").click()
    expect(page.locator("#status")).to_have_text(re.compile("queued|running|completed"))
    wait_status(page, "completed")
    expect(page.locator("#epoch")).to_have_text("epoch 3000 of 3000")
    expect(page.locator("#step")).to_have_count(0)
    expect(page.locator("#verdict")).to_contain_text("It learned the task")


# -- 10. a configuration in the address bar --------------------------------------------------------------
SHARED = dict(layers="2,8,2", activations="tanh,linear", optimizer="sgd", learning_rate="0.05", epochs="700",
              batch_size="32", seed="3")


def query(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def wait_for_url(page: Page, **expected):
    """Until the address bar (pushed by htmx after each re-render) carries these values."""
    page.wait_for_function("""(want) => {
        const q = new URLSearchParams(location.search);
        return Object.entries(want).every(([k, v]) => v === null ? !q.has(k) : q.get(k) === v);
    }""", arg=expected)


def expect_fields(page: Page):
    expect(page.locator("#layers")).to_have_value("2, 8, 2")
    expect(page.locator("#act-1")).to_have_value("tanh")
    expect(page.locator("#act-2")).to_have_value("linear")
    expect(page.locator("#act-3")).to_have_count(0)
    expect(page.locator("#optimizer")).to_have_value("sgd")
    expect(page.locator("#learning_rate")).to_have_value("0.05")
    expect(page.locator("#epochs")).to_have_value("700")
    expect(page.locator("#batch_size")).to_have_value("32")
    expect(page.locator("#seed")).to_have_value("3")
    expect(page.locator("#normalize")).not_to_be_checked()


def build_shared_configuration(page: Page) -> str:
    page.goto("/runs/new")
    expect(page.locator("#normalize")).to_be_checked()
    page.fill("#layers", "2, 8, 2")
    page.locator("#layers").press("Tab")
    wait_for_url(page, layers="2,8,2")
    page.select_option("#act-1", "tanh")
    wait_for_url(page, activations="tanh,linear")
    page.select_option("#optimizer", "sgd")
    for field in ("learning_rate", "epochs", "batch_size", "seed"):
        page.fill(f"#{field}", SHARED[field])
        page.locator(f"#{field}").press("Tab")
    page.uncheck("#normalize")
    wait_for_url(page, **SHARED, normalize=None)
    url = page.url
    assert query(url) == dict(SHARED, dataset_id=query(url)["dataset_id"])
    assert query(page.locator("#config-link").get_attribute("href")) == query(url)
    assert urlsplit(page.locator("#config-link").get_attribute("href")).path == "/runs/new"
    expect_fields(page)   # the re-render kept what was typed
    return url


def test_configuration_travels_in_the_url(page: Page):
    generate_dataset(page)
    url = build_shared_configuration(page)
    fresh = page.context.new_page()
    fresh.goto(url)
    expect_fields(fresh)
    expect(fresh.locator("#dataset_id")).to_have_value(query(url)["dataset_id"])
    fresh.locator("#train").click()   # and it trains what the link says
    run_id_of(fresh)
    expect(fresh.locator("p.config")).to_contain_text(
        "Network 2-8-2 (tanh, linear) · sgd at learning rate 0.05 · 700 epochs · batches of 32 · seed 3 · "
        "not normalised")
    expect(fresh.locator("#status")).to_have_text(re.compile("completed|diverged"), timeout=60_000)


def test_configuration_link_opened_by_someone_else(page: Page, new_context):
    generate_dataset(page)
    url = build_shared_configuration(page)
    other = new_context().new_page()
    generate_dataset(other)   # their own dataset: the link's dataset is not theirs
    other.goto(url)
    expect_fields(other)
    other.locator("#train").click()   # it trains the linked network on their own dataset
    run_id_of(other)
    expect(other.locator("p.config")).to_contain_text("Network 2-8-2 (tanh, linear) · sgd at learning rate 0.05")
    expect(other.locator("#status")).to_have_text(re.compile("completed|diverged"), timeout=60_000)


def test_configuration_link_opened_by_a_newcomer(page: Page, new_context):
    generate_dataset(page)
    url = build_shared_configuration(page)
    newcomer = new_context().new_page()
    newcomer.goto(url)
    expect(newcomer.locator("#layers")).to_have_value("2, 8, 2", timeout=3_000)
