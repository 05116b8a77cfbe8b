"""Issue #5 "Seeing inside" in real Chromium: the live network diagram, the learned formula, the diagnosis
as the builder changes, and how the network does beyond its training data."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .browser import EDGES_JS, finished_default_run, generate_dataset, predict, train, wait_status

FORMULA = re.compile(r"^(\w+) ≈ (−?)(\d+\.\d{3})·a ([+−]) (\d+\.\d{3})·b ([+−]) (\d+\.\d{3})")


def coefficients(text: str) -> tuple[str, float, float, float]:
    m = FORMULA.match(text)
    assert m, text
    name, sa, wa, sb, wb, sc, c = m.groups()
    return name, float(wa) * (-1 if sa else 1), float(wb) * (-1 if sb == "−" else 1), float(c) * (
        -1 if sc == "−" else 1)


# -- 1. the network diagram ------------------------------------------------------------------------------
def test_diagram_has_every_weight_and_moves_while_training(page: Page):
    generate_dataset(page)
    train(page, epochs=400_000)
    # two readings of the edges' values, both taken while the page says "running", must differ
    first = page.wait_for_function(f"""() => {{
        const running = document.querySelector('#status').textContent.trim() === 'running';
        const values = ({EDGES_JS})();
        return running && Object.keys(values).length ? values : null;
    }}""", timeout=30_000).json_value()
    assert len(first) == 8
    assert set(first) == {"a → h1.1", "a → h1.2", "b → h1.1", "b → h1.2",
                          "h1.1 → difference", "h1.1 → sum", "h1.2 → difference", "h1.2 → sum"}
    second = page.wait_for_function(f"""(before) => {{
        const running = document.querySelector('#status').textContent.trim() === 'running';
        const values = ({EDGES_JS})();
        return running && JSON.stringify(values) !== JSON.stringify(before) ? values : null;
    }}""", arg=first, timeout=30_000).json_value()
    assert set(second) == set(first) and second != first
    expect(page.locator("svg.network text.bias")).to_have_count(4)   # h1.1, h1.2, difference, sum

    page.locator("#stop").click()
    expect(page.locator("#status")).to_have_text(re.compile("stopped|completed"), timeout=30_000)
    expect(page.locator("svg.network line.edge")).to_have_count(8)
    titles = page.locator("svg.network g.node circle title").all_text_contents()
    assert sorted(t.split(",")[0] for t in titles if ", bias " in t) == ["difference", "h1.1", "h1.2", "sum"]

    page.locator("#weights summary").click()
    expect(page.locator("#weights summary")).to_have_text("All 12 weights and biases")
    rows = page.locator("#weights tbody tr")
    expect(rows).to_have_count(12)
    expect(page.locator("#weights tbody tr.weight")).to_have_count(8)
    expect(page.locator("#weights tbody tr.bias")).to_have_count(4)
    expect(rows.first).to_be_visible()
    # the table's weights are the diagram's, to the table's six decimals
    shown = {k: float(v) for k, v in page.evaluate(EDGES_JS).items()}
    table = {f"{c[1]} → {c[2]}": float(c[3]) for c in (
        r.locator("td").all_text_contents() for r in page.locator("#weights tbody tr.weight").all())}
    assert table.keys() == shown.keys()
    assert all(abs(table[k] - shown[k]) <= 5e-7 for k in shown), (table, shown)


def test_weights_table_stays_open_while_the_run_trains(page: Page):
    """Someone who opens "All 12 weights and biases" during a run should be able to read it."""
    generate_dataset(page)
    train(page, epochs=400_000)
    wait_status(page, "running", timeout=30_000)
    expect(page.locator("#weights")).to_have_count(1, timeout=30_000)
    page.locator("#weights summary").click()
    expect(page.locator("#weights")).to_have_attribute("open", "")
    before = page.evaluate(EDGES_JS)
    page.wait_for_function(f"(before) => JSON.stringify(({EDGES_JS})()) !== JSON.stringify(before)", arg=before,
                           timeout=30_000)   # at least one live update has replaced the fragment
    is_open = page.evaluate("document.querySelector('#weights').open")
    page.locator("#stop").click()
    expect(page.locator("#status")).to_have_text(re.compile("stopped|completed"), timeout=30_000)
    assert is_open, "the weights table snapped shut at the next live update"


def test_diagram_of_a_deeper_network(page: Page):
    generate_dataset(page)
    page.goto("/runs/new")
    page.fill("#layers", "2, 4, 3, 2")
    page.locator("#layers").press("Tab")   # a change: htmx re-renders the builder with three activations
    expect(page.locator("#act-3")).to_have_count(1)
    page.select_option("#act-1", "tanh")
    expect(page.locator("#act-1")).to_have_value("tanh")
    page.fill("#epochs", "300")
    page.locator("#train").click()
    wait_status(page, "completed")
    expect(page.locator("p.config")).to_contain_text("Network 2-4-3-2")
    expect(page.locator("svg.network line.edge")).to_have_count(2 * 4 + 4 * 3 + 3 * 2)
    expect(page.locator("svg.network text.bias")).to_have_count(4 + 3 + 2)
    expect(page.locator("#weights summary")).to_have_text("All 35 weights and biases")
    expect(page.locator("#weights tbody tr.weight")).to_have_count(26)
    expect(page.locator("#weights tbody tr.bias")).to_have_count(9)


# -- 2. the learned formula ------------------------------------------------------------------------------
def test_default_run_learns_the_tasks_formula(page: Page):
    finished_default_run(page)
    learned = page.locator("#formula ul.learned li")
    expect(learned).to_have_count(2)
    expect(learned).to_have_text(["difference ≈ 1.000·a − 1.000·b + 0.000", "sum ≈ 1.000·a + 1.000·b + 0.000"])
    truth = {"difference": (1, -1, 0), "sum": (1, 1, 0)}
    for text in learned.all_text_contents():
        name, wa, wb, c = coefficients(text.strip())
        assert all(abs(got - want) <= 0.01 for got, want in zip((wa, wb, c), truth[name], strict=True)), text
    expect(page.locator("#formula")).to_contain_text("Every layer is linear")
    error = page.locator("#coef-error strong").text_content()
    assert 0 <= float(error) < 0.01


def test_nonlinear_run_shows_the_closest_straight_line(page: Page):
    generate_dataset(page)
    train(page, preset="tanh_lm")
    wait_status(page, "completed")
    expect(page.locator("p.config")).to_contain_text("(tanh, linear) · lm")
    formula = page.locator("#formula")
    expect(formula).to_contain_text("This network is not linear")
    expect(formula).to_contain_text("The straight line closest to its answers on the test set")
    learned = page.locator("#formula ul.learned li")
    expect(learned).to_have_count(2)
    for text in learned.all_text_contents():
        name, *_ = coefficients(text.strip())
        assert name in ("difference", "sum")
        share = re.search(r"\(explains (\d+\.\d\d)% of it\)", text)
        assert share and 0 <= float(share.group(1)) <= 100, text


# -- 3. the diagnosis follows the builder ----------------------------------------------------------------
def test_diagnosis_updates_without_a_page_load(page: Page):
    generate_dataset(page)
    page.goto("/runs/new?preset=notebook")
    finding = page.locator("#findings [data-code=output_range]")
    expect(finding).to_be_visible()
    expect(finding).to_contain_text("sigmoid")
    page.evaluate("window.sameDocument = 'yes'")
    page.select_option("#act-2", "linear")
    expect(finding).to_have_count(0)
    expect(page.locator("#act-2")).to_have_value("linear")
    expect(page.locator("#act-1")).to_have_value("sigmoid")
    assert page.evaluate("window.sameDocument") == "yes", "the page was reloaded"
    page.select_option("#act-2", "sigmoid")   # and back: the explanation returns
    expect(finding).to_be_visible()
    assert page.evaluate("window.sameDocument") == "yes"


# -- 4 and 5. beyond the training data -------------------------------------------------------------------
def test_error_map_and_extrapolation_note(page: Page):
    finished_default_run(page)
    expect(page.locator("#error-map")).to_be_visible()
    assert page.locator("svg.error-map rect:not(.training-box)").count() >= 100
    expect(page.locator("svg.error-map rect.training-box")).to_have_count(1)

    predict(page, 40, 4)
    note = page.locator("#outside-range")
    expect(note).to_be_visible()
    expect(note).to_contain_text("a = 40 is outside the training range 11 to 21")
    expect(note).not_to_contain_text("b =")

    predict(page, 15, 4)
    expect(page.locator("#outside-range")).to_have_count(0)
    expect(page.locator("#prediction td.predicted")).to_have_text(["11.00", "19.00"])


def test_test_set_plot_per_output(page: Page):
    finished_default_run(page)
    figures = page.locator("figure.parity")
    expect(figures).to_have_count(2)
    assert [figures.nth(k).get_attribute("data-output") for k in range(2)] == ["difference", "sum"]
    for k in range(2):
        assert figures.nth(k).locator("circle").count() == 200   # the test set: 20% of 1000 samples
        expect(figures.nth(k).locator("figcaption")).to_contain_text("predicted against true")
