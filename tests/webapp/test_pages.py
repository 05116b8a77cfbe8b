"""The HTML side: home, dataset form and page, the network builder, the run page, stop and predict forms.

Bad form input re-renders the form with status 422 and the message beside its field (#error-<field>).
"""

from __future__ import annotations

import re

import pytest

from .helpers import (
    create_dataset,
    field_error,
    get_run,
    parse_html,
    start_run,
    wait_finished,
    wait_training,
)

DATASET_FORM = dict(task="diff_sum", n="1000", a_min="11", a_max="21", b_min="0", b_max="10", noise="0",
                    test_percent="20", seed="0")


def builder_form(dataset_id, /, **changes):
    """What the builder posts for the default network, with changes (None leaves a field out)."""
    form = dict(dataset_id=str(dataset_id), layers="2, 2, 2", activations=["linear", "linear"], optimizer="adam",
                learning_rate="0.01", epochs="3000", batch_size="", seed="0", normalize="on")
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def run_id_from(resp) -> int:
    assert resp.status_code == 303, resp.get_data(as_text=True)[:500]
    match = re.search(r"/runs/(\d+)$", resp.headers["Location"])
    assert match, resp.headers["Location"]
    return int(match.group(1))


def selected(page, select_id) -> str | None:
    chosen = page.select(f"#{select_id} option[selected]")
    return chosen[0].get("value") if chosen else None


# -- home ----------------------------------------------------------------------------------------------
def test_the_home_page_starts_empty(client):
    resp = client.get("/")
    assert resp.status_code == 200
    page = parse_html(resp)
    assert not page.select("#runs tbody tr")
    assert not page.select("#datasets tbody tr")
    assert page.select('a[href="/datasets/new"]')


def test_the_home_page_lists_datasets_and_runs_newest_first(client):
    first_ds = create_dataset(client, n=100)
    second_ds = create_dataset(client, n=200, task="sum")
    first = wait_finished(client, start_run(client, first_ds, epochs=30))
    second = wait_finished(client, start_run(client, second_ds, epochs=30, layers=[2, 2, 1]))

    page = parse_html(client.get("/"))
    headers = page.texts("#runs thead th")
    rows = page.select("#runs tbody tr")
    assert [r.select("td")[headers.index("Run")].text for r in rows] == [f"#{second['id']}", f"#{first['id']}"]
    for row, run in zip(rows, (second, first), strict=True):
        cells = [td.text for td in row.select("td")]
        assert cells[headers.index("Status")] == "completed"
        assert float(cells[headers.index("Test loss")]) == pytest.approx(run["test_loss"], rel=1e-2)
        assert row.select(f'a[href="/runs/{run["id"]}"]')

    ds_rows = page.select("#datasets tbody tr")
    assert [r.select("td")[0].text for r in ds_rows] == [f"#{second_ds}", f"#{first_ds}"]
    assert ds_rows[0].select(f'a[href="/runs/new?dataset_id={second_ds}"]')
    assert "sum" in ds_rows[0].text and "diff_sum" in ds_rows[1].text
    assert "80 train / 20 test" in ds_rows[1].text


# -- datasets ------------------------------------------------------------------------------------------
def test_the_dataset_form_starts_with_the_notebooks_values(client):
    page = parse_html(client.get("/datasets/new"))
    assert selected(page, "task") == "diff_sum"
    for field, value in dict(n=1000, a_min=11, a_max=21, b_min=0, b_max=10, noise=0, test_percent=20, seed=0).items():
        assert float(page.one(f"#{field}").get("value")) == value, field


def test_generate_the_default_dataset_and_see_it(client):
    resp = client.post("/datasets/new", data=DATASET_FORM)
    assert resp.status_code == 303
    assert re.search(r"/datasets/\d+$", resp.headers["Location"])
    resp = client.get(resp.headers["Location"])
    assert resp.status_code == 200
    page = parse_html(resp)
    dataset_id = int(resp.request.path.rsplit("/", 1)[1])

    assert "800 training and 200 test samples" in page.text
    stats = {row.select("td")[0].text: [float(td.text) for td in row.select("td")[1:]]
             for row in page.select("#stats tbody tr")}
    assert set(stats) == {"a", "b", "difference", "sum"}
    mean, _std, low, high = stats["a"]
    assert 15 < mean < 17 and 11 <= low and high <= 21
    mean, _std, low, high = stats["b"]
    assert 4 < mean < 6 and 0 <= low and high <= 10
    assert 10 < stats["difference"][0] < 12
    assert 20 < stats["sum"][0] < 22

    assert page.texts("#rows thead th") == ["a", "b", "difference", "sum"]
    rows = [[float(td.text) for td in tr.select("td")] for tr in page.select("#rows tbody tr")]
    assert len(rows) == 10
    for a, b, difference, total in rows:
        assert difference == pytest.approx(a - b, abs=0.002)
        assert total == pytest.approx(a + b, abs=0.002)

    dots = page.select("svg.scatter circle")
    assert 0 < len(dots) <= 1000
    link = page.one("#train-link")
    assert link.get("href") == f"/runs/new?dataset_id={dataset_id}"
    assert link.text == "Train a network"


def test_the_dataset_form_values_are_used(client):
    form = dict(DATASET_FORM, task="sum", n="50", test_percent="10", seed="3", a_min="-5", a_max="5")
    resp = client.post("/datasets/new", data=form, follow_redirects=True)
    assert resp.status_code == 200
    page = parse_html(resp)
    assert "45 training and 5 test samples" in page.text
    assert page.texts("#rows thead th") == ["a", "b", "sum"]
    dataset_id = int(resp.request.path.rsplit("/", 1)[1])
    made = client.get(f"/api/datasets/{dataset_id}").get_json()
    assert (made["task"], made["n"], made["test_fraction"], made["seed"]) == ("sum", 50, 0.1, 3)
    assert (made["a_min"], made["a_max"]) == (-5, 5)


def test_an_empty_dataset_form_uses_every_default(client):
    resp = client.post("/datasets/new", data={}, follow_redirects=True)
    assert resp.status_code == 200
    assert "800 training and 200 test samples" in parse_html(resp).text


def test_the_same_seed_makes_the_same_data(client):
    pages = [parse_html(client.post("/datasets/new", data=dict(DATASET_FORM, seed=seed), follow_redirects=True))
             for seed in ("5", "5", "6")]
    rows = [p.texts("#rows tbody tr") for p in pages]
    assert rows[0] == rows[1]
    assert rows[0] != rows[2]


BAD_DATASET_FORMS = [
    ("n", ""), ("n", "abc"), ("n", "1"), ("n", "0"), ("n", "1.5"), ("n", "nan"), ("n", "1e400"), ("n", "1000000000"),
    ("n", "-5"), ("a_min", "inf"), ("a_min", "-2000000"), ("a_min", "abc"), ("a_max", "x"), ("a_max", "1e308"),
    ("b_min", "NaN"), ("b_max", ""), ("noise", "-1"), ("noise", "abc"), ("noise", "Infinity"),
    ("test_percent", "0"), ("test_percent", "100"), ("test_percent", "abc"), ("test_percent", "-5"),
    ("test_percent", ""), ("seed", "-1"), ("seed", "1.5"), ("seed", "4294967296"), ("seed", "x"),
    ("task", "nope"), ("task", "<script>"),
]


@pytest.mark.parametrize(("field", "value"), BAD_DATASET_FORMS, ids=[f"{f}={v}" for f, v in BAD_DATASET_FORMS])
def test_a_bad_dataset_field_is_shown_beside_it(client, field, value):
    resp = client.post("/datasets/new", data=dict(DATASET_FORM, **{field: value}))
    assert resp.status_code == 422
    page = parse_html(resp)
    assert field_error(page, field)
    assert page.select('form[action="/datasets/new"]'), "the form is shown again"
    if field != "task":
        assert page.one(f"#{field}").get("value") == value, "what was typed is kept"
    assert client.get("/api/datasets/1").status_code == 404, "nothing was made"


@pytest.mark.parametrize(("lo", "hi"), [("21", "11"), ("5", "5")])
@pytest.mark.parametrize("axis", ["a", "b"])
def test_a_dataset_range_must_run_upwards(client, axis, lo, hi):
    resp = client.post("/datasets/new", data=dict(DATASET_FORM, **{f"{axis}_min": lo, f"{axis}_max": hi}))
    assert resp.status_code == 422
    page = parse_html(resp)
    assert page.select(f"#error-{axis}_min") or page.select(f"#error-{axis}_max")


def test_several_bad_fields_are_all_shown(client):
    resp = client.post("/datasets/new", data=dict(DATASET_FORM, n="x", noise="-1", seed="-1"))
    assert resp.status_code == 422
    page = parse_html(resp)
    for field in ("n", "noise", "seed"):
        assert field_error(page, field)


def test_an_unknown_dataset_page_is_a_404(client):
    assert client.get("/datasets/1").status_code == 404
    assert client.get("/datasets/0").status_code == 404


# -- the network builder -------------------------------------------------------------------------------
def test_the_builder_asks_for_a_dataset_first_and_keeps_the_configuration(client):
    resp = client.get("/runs/new?layers=2,8,2&activations=tanh,linear")
    page = parse_html(resp)
    assert "You need a dataset" in page.one("#need-dataset").text
    link = page.one("#generate-first").attrs["href"]
    assert link.startswith("/datasets/new?next=")
    assert "disabled" in page.one("#train").attrs
    assert page.one("#layers").attrs["value"] == "2, 8, 2"
    # generating the dataset from there comes back to the same configuration, now with the dataset
    form = parse_html(client.get(link))
    back = client.post("/datasets/new", data={**DATASET_FORM, "next": form.one("input[name=next]").attrs["value"]})
    assert back.status_code == 303
    assert back.location.startswith("/runs/new?") and "layers=2%2C8%2C2" in back.location
    assert "dataset_id=" in back.location
    builder = parse_html(client.get(back.location))
    assert builder.one("#layers").attrs["value"] == "2, 8, 2"
    assert builder.one("#act-1 option[selected]").text == "tanh"


def test_next_only_leads_back_to_the_builder(client):
    for target in ("https://evil.example/runs/new", "//evil.example/x", "/datasets/1", "javascript:alert(1)"):
        resp = client.post("/datasets/new", data={**DATASET_FORM, "next": target})
        assert resp.status_code == 303 and resp.location.startswith("/datasets/"), target


def test_posting_a_run_without_any_dataset_is_a_422(client):
    resp = client.post("/runs/new", data=builder_form(1, dataset_id=None))
    assert resp.status_code == 422
    assert parse_html(resp).one("#generate-first").attrs["href"].startswith("/datasets/new")


def test_the_builder_starts_with_the_default_network(client, dataset_id):
    page = parse_html(client.get(f"/runs/new?dataset_id={dataset_id}"))
    assert selected(page, "dataset_id") == str(dataset_id)
    assert page.one("#layers").get("value") == "2, 2, 2"
    assert [selected(page, f"act-{i}") for i in (1, 2)] == ["linear", "linear"]
    assert not page.select("#act-3")
    assert selected(page, "optimizer") == "adam"
    assert float(page.one("#learning_rate").get("value")) == 0.01
    assert page.one("#epochs").get("value") == "3000"
    assert page.one("#batch_size").get("value") == ""
    assert page.one("#seed").get("value") == "0"
    assert "checked" in page.one("#normalize").attrs
    assert not page.select("#findings .finding")
    for preset in ("default", "notebook", "tanh_lm"):
        href = page.one(f"a[data-preset={preset}]").get("href")
        assert f"preset={preset}" in href and f"dataset_id={dataset_id}" in href


def test_the_notebook_preset_is_diagnosed_before_training(client, dataset_id):
    page = parse_html(client.get(f"/runs/new?dataset_id={dataset_id}&preset=notebook"))
    assert [selected(page, f"act-{i}") for i in (1, 2)] == ["sigmoid", "sigmoid"]
    assert selected(page, "optimizer") == "sgd"
    assert float(page.one("#learning_rate").get("value")) == 10
    assert "checked" not in page.one("#normalize").attrs
    finding = page.one("#findings [data-code=output_range]")
    assert "sigmoid" in finding.text


def test_the_tanh_lm_preset(client, dataset_id):
    page = parse_html(client.get(f"/runs/new?dataset_id={dataset_id}&preset=tanh_lm"))
    assert [selected(page, f"act-{i}") for i in (1, 2)] == ["tanh", "linear"]
    assert selected(page, "optimizer") == "lm"


def test_the_builder_picks_the_dataset_asked_for(client):
    older, newer = create_dataset(client, n=50), create_dataset(client, n=60)
    assert selected(parse_html(client.get(f"/runs/new?dataset_id={older}")), "dataset_id") == str(older)
    assert selected(parse_html(client.get("/runs/new")), "dataset_id") == str(newer)


def test_the_live_check_returns_the_builder_with_its_diagnosis(client, dataset_id):
    headers = {"HX-Request": "true"}
    resp = client.post("/runs/check", data=builder_form(dataset_id), headers=headers)
    assert resp.status_code == 200
    fragment = parse_html(resp)
    assert not fragment.select("html")
    assert fragment.one("#dynamic")
    assert not fragment.select("#findings .finding")

    form = builder_form(dataset_id, activations=["sigmoid", "sigmoid"], normalize=None, optimizer="sgd",
                        learning_rate="10")
    fragment = parse_html(client.post("/runs/check", data=form, headers=headers))
    codes = {li.get("data-code") for li in fragment.select("#findings .finding")}
    assert {"output_range", "saturation"} <= codes

    # more layers: one activation select per weight layer, kept in step
    fragment = parse_html(client.post("/runs/check", data=builder_form(dataset_id, layers="2, 8, 8, 2",
                                                                       activations=["tanh", "linear"]),
                                      headers=headers))
    assert len(fragment.select("#dynamic select[name=activations]")) == 3
    assert selected(fragment, "act-1") == "tanh"


@pytest.mark.parametrize(("field", "value"), [("layers", "2, x, 2"), ("learning_rate", "abc"), ("epochs", "0"),
                                              ("dataset_id", "999")])
def test_the_live_check_shows_bad_values_beside_their_field(client, dataset_id, field, value):
    resp = client.post("/runs/check", data=builder_form(dataset_id, **{field: value}),
                       headers={"HX-Request": "true"})
    assert resp.status_code in (200, 422)
    assert field_error(parse_html(resp), field)


BAD_RUN_FORMS = [
    ("layers", "2, x, 2"), ("layers", ""), ("layers", "2"), ("layers", "2, 65, 2"), ("layers", "2, 0, 2"),
    ("layers", ", ".join(["2"] * 10)), ("layers", "3, 2, 2"), ("layers", "2, 2, 3"), ("layers", "2, -1, 2"),
    ("layers", "2, 1.5, 2"), ("learning_rate", "abc"), ("learning_rate", "0"), ("learning_rate", "-1"),
    ("learning_rate", "1e308"), ("learning_rate", ""), ("learning_rate", "nan"), ("learning_rate", "inf"),
    ("epochs", "0"), ("epochs", "1.5"), ("epochs", ""), ("epochs", "abc"), ("epochs", "1000001"),
    ("epochs", "-3"), ("seed", "-1"), ("seed", "x"), ("seed", "1e20"), ("batch_size", "0"), ("batch_size", "x"),
    ("batch_size", "1.5"), ("optimizer", "nope"), ("activations", ["foo", "linear"]), ("dataset_id", "999"),
    ("dataset_id", "abc"), ("dataset_id", ""), ("dataset_id", "0"),
]


@pytest.mark.parametrize(("field", "value"), BAD_RUN_FORMS, ids=[f"{f}={v}" for f, v in BAD_RUN_FORMS])
def test_a_bad_run_field_is_shown_beside_it(client, dataset_id, field, value):
    resp = client.post("/runs/new", data=builder_form(dataset_id, **{"epochs": "5", field: value}))
    assert resp.status_code == 422
    page = parse_html(resp)
    assert field_error(page, field)
    assert page.select("#builder #train"), "the builder is shown again"
    if field in ("layers", "learning_rate", "epochs", "seed", "batch_size"):
        assert page.one(f"#{field}").get("value") == value, "what was typed is kept"
    assert client.get("/api/runs/1").status_code == 404, "nothing started"


def test_lm_on_a_big_network_is_refused_beside_the_optimizer(client, dataset_id):
    form = builder_form(dataset_id, optimizer="lm", layers="2, 64, 64, 64, 2", activations=["tanh"] * 3 + ["linear"])
    resp = client.post("/runs/new", data=form)
    assert resp.status_code == 422
    page = parse_html(resp)
    assert page.select("#error-optimizer") or page.select("#error-layers")


def test_batch_size_and_normalise_from_the_form(client, dataset_id):
    full = run_id_from(client.post("/runs/new", data=builder_form(dataset_id, epochs="5")))
    batched = run_id_from(client.post("/runs/new", data=builder_form(dataset_id, epochs="5", batch_size="32",
                                                                      normalize=None)))
    assert get_run(client, full)["config"]["batch_size"] is None
    assert get_run(client, full)["config"]["normalize"] is True
    assert get_run(client, batched)["config"]["batch_size"] == 32
    assert get_run(client, batched)["config"]["normalize"] is False
    for run_id in (full, batched):
        wait_finished(client, run_id)
    assert "full batch" in parse_html(client.get(f"/runs/{full}")).text
    text = parse_html(client.get(f"/runs/{batched}")).text
    assert "batches of 32" in text and "not normalised" in text


# -- a whole session in the browser's shoes ------------------------------------------------------------
def test_generate_train_and_predict_through_the_pages(client):
    resp = client.post("/datasets/new", data=DATASET_FORM, follow_redirects=True)
    dataset_page = parse_html(resp)
    builder_url = dataset_page.one("#train-link").get("href")
    builder = parse_html(client.get(builder_url))
    dataset_id = selected(builder, "dataset_id")
    assert builder_url.endswith(f"dataset_id={dataset_id}")

    run_id = run_id_from(client.post("/runs/new", data=builder_form(dataset_id, epochs="3000")))
    page = parse_html(client.get(f"/runs/{run_id}"))
    assert page.one("#status").text.split()[0] in ("queued", "running", "completed")
    wait_finished(client, run_id)

    resp = client.get(f"/runs/{run_id}")
    assert resp.status_code == 200
    page = parse_html(resp)
    assert page.one("#status").text == "completed"
    assert page.one("#epoch").text == "epoch 3000 of 3000"
    assert page.one("#progress").get("value") == page.one("#progress").get("max") == "3000"
    assert float(page.one("#test-loss").text) < 1e-6
    assert "It learned the task" in page.one("#verdict").text
    assert page.select("svg.chart polyline")
    assert not page.select("#stop"), "nothing to stop"
    assert not page.select("[sse-connect]"), "a finished run is not streamed"

    resp = client.post(f"/runs/{run_id}/predict", data={"a": "15", "b": "4"})
    assert resp.status_code == 200
    page = parse_html(resp)
    assert page.select("html") and page.one("#status").text == "completed"
    assert page.texts("#prediction td.predicted") == ["11.00", "19.00"]
    assert page.texts("#prediction td.expected") == ["11.00", "19.00"]
    headers = page.texts("#prediction thead th")
    for row in page.select("#prediction tbody tr"):
        cells = [td.text for td in row.select("td")]
        got, want, error = (float(cells[headers.index(h)]) for h in ("Network", "True", "Error"))
        assert error == pytest.approx(got - want, abs=1e-4)
        assert abs(error) < 0.01
    assert "15" in page.one("#prediction").text and "4" in page.one("#prediction").text
    assert page.one("#predict-form input[name=a]").get("value") == "15"

    resp = client.post(f"/runs/{run_id}/predict", data={"a": "15", "b": "4"}, headers={"HX-Request": "true"})
    assert resp.status_code == 200
    fragment = parse_html(resp)
    top = [el for el in fragment.children if not isinstance(el, str)]
    assert [(el.tag, el.get("id")) for el in top] == [("div", "prediction")]
    assert fragment.texts("td.predicted") == ["11.00", "19.00"]
    assert fragment.texts("td.expected") == ["11.00", "19.00"]

    home = parse_html(client.get("/"))
    row = home.one("#runs tbody tr")
    assert "completed" in row.text


BAD_QUESTIONS = [
    ({"a": "", "b": "4"}, "a"), ({"a": "x", "b": "4"}, "a"), ({"a": "15"}, "b"), ({"b": "4"}, "a"),
    ({"a": "nan", "b": "4"}, "a"), ({"a": "15", "b": "inf"}, "b"), ({"a": "1e10", "b": "4"}, "a"),
    ({"a": "15", "b": "-1e400"}, "b"), ({"a": "1,5", "b": "4"}, "a"),
]


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(("form", "field"), BAD_QUESTIONS, ids=[str(f) for f, _ in BAD_QUESTIONS])
def test_a_bad_question_is_answered_beside_the_form(trained, form, field, htmx):
    client, run_id = trained
    resp = client.post(f"/runs/{run_id}/predict", data=form, headers={"HX-Request": "true"} if htmx else {})
    assert resp.status_code == 422
    page = parse_html(resp)
    assert page.one(f"#prediction .error[data-field={field}]").text
    assert not page.select("#prediction td.predicted")
    assert bool(page.select("html")) is not htmx


def test_the_predict_form_keeps_what_was_typed(trained):
    client, run_id = trained
    page = parse_html(client.post(f"/runs/{run_id}/predict", data={"a": "abc", "b": "4"}))
    assert page.one("#predict-form input[name=a]").get("value") == "abc"
    assert page.one("#predict-form input[name=b]").get("value") == "4"


# -- watching, stopping, and runs that go wrong ----------------------------------------------------------
def test_stop_a_run_from_its_page(client, dataset_id):
    run_id = run_id_from(client.post("/runs/new", data=builder_form(dataset_id, epochs="1000000")))
    wait_training(client, run_id)
    page = parse_html(client.get(f"/runs/{run_id}"))
    assert page.one("#status").text == "running"
    assert page.one("[sse-connect]").get("sse-connect") == f"/runs/{run_id}/events"
    stop_form = page.one("#stop").parent
    assert stop_form.get("action") == f"/runs/{run_id}/stop"

    resp = client.post(f"/runs/{run_id}/stop")
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"/runs/{run_id}")
    run = wait_finished(client, run_id)
    assert run["status"] == "stopped"

    page = parse_html(client.get(f"/runs/{run_id}"))
    assert page.one("#status").text == "stopped"
    assert f"Stopped at epoch {run['epoch']}" in page.one("#verdict").text
    assert not page.select("#stop")
    assert page.select("svg.chart polyline"), "the loss history is kept"
    resp = client.post(f"/runs/{run_id}/predict", data={"a": "15", "b": "4"})
    assert resp.status_code == 200
    assert len(parse_html(resp).select("#prediction td.predicted")) == 2


def test_stop_with_htmx_returns_the_live_part(client, dataset_id):
    run_id = start_run(client, dataset_id, epochs=1_000_000)
    wait_training(client, run_id)
    resp = client.post(f"/runs/{run_id}/stop", headers={"HX-Request": "true"})
    assert resp.status_code == 200
    fragment = parse_html(resp)
    assert not fragment.select("html")
    assert fragment.one("#status").text in ("running", "stopped")
    assert wait_finished(client, run_id)["status"] == "stopped"


def test_the_notebook_network_completes_without_learning_and_says_why(client, dataset_id):
    form = builder_form(dataset_id, activations=["sigmoid", "sigmoid"], optimizer="sgd", learning_rate="10",
                        epochs="300", normalize=None)
    run_id = run_id_from(client.post("/runs/new", data=form))
    run = wait_finished(client, run_id)
    assert run["status"] == "completed"
    page = parse_html(client.get(f"/runs/{run_id}"))
    assert page.one("#status").text == "completed"
    verdict = page.one("#verdict").text
    assert "It did not learn" in verdict
    assert "sigmoid" in verdict
    finding = page.one("#diagnosis [data-code=output_range]")
    assert "sigmoid" in finding.text and "linear output" in finding.text


def test_a_diverging_run_says_so(client, dataset_id):
    form = builder_form(dataset_id, optimizer="sgd", learning_rate="50", epochs="3000")
    run_id = run_id_from(client.post("/runs/new", data=form))
    run = wait_finished(client, run_id)
    assert run["status"] == "diverged"
    assert run["error"]
    page = parse_html(client.get(f"/runs/{run_id}"))
    assert page.one("#status").text == "diverged"
    verdict = page.one("#verdict").text
    assert "diverged" in verdict
    assert " ".join(run["error"].split()) in verdict
    home = parse_html(client.get("/"))
    assert "diverged" in home.one("#runs tbody tr").text


@pytest.mark.parametrize(("method", "url"), [("get", "/runs/1"), ("get", "/runs/0"), ("post", "/runs/1/stop"),
                                             ("post", "/runs/1/predict"), ("get", "/runs/1/events")])
def test_an_unknown_run_is_a_404_page(client, dataset_id, method, url):
    resp = getattr(client, method)(url, data={"a": "1", "b": "2"} if method == "post" else None)
    assert resp.status_code == 404


@pytest.mark.parametrize(("method", "url"), [("get", "/datasets/{}"), ("get", "/runs/{}"), ("get", "/runs/{}/events"),
                                             ("post", "/runs/{}/stop"), ("post", "/runs/{}/predict")])
def test_a_page_id_too_big_for_the_database_is_a_404(client, method, url):
    resp = getattr(client, method)(url.format(10**20))
    assert resp.status_code == 404


SCRIPT = '"><script>alert(1)</script>'


def test_typed_text_is_shown_back_escaped(client, dataset_id):
    pages = [
        client.post("/datasets/new", data=dict(DATASET_FORM, n=SCRIPT, task=SCRIPT)),
        client.post("/runs/new", data=builder_form(dataset_id, layers=SCRIPT, epochs=SCRIPT,
                                                   activations=[SCRIPT, "linear"], optimizer=SCRIPT)),
        client.post("/runs/check", data=builder_form(dataset_id, layers=SCRIPT), headers={"HX-Request": "true"}),
    ]
    run_id = wait_finished(client, start_run(client, dataset_id, epochs=5))["id"]
    pages.append(client.post(f"/runs/{run_id}/predict", data={"a": SCRIPT, "b": SCRIPT}))
    for resp in pages:
        assert resp.status_code in (200, 422)
        assert "<script>" not in resp.get_data(as_text=True)
    assert parse_html(pages[0]).one("#n").get("value") == SCRIPT
