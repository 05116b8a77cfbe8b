"""Issue #5 "Seeing inside", server side through Flask's test client: the diagram and formula in the HTML,
/compare's answers, model download and upload, and step mode's rules."""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest

import nn
from tests.conftest import make_test_app
from tests.webapp.helpers import (
    create_dataset,
    get_run,
    parse_html,
    post_json,
    start_run,
    wait_finished,
)

DEFAULT_FORM = dict(layers="2, 2, 2", activations=["linear", "linear"], optimizer="adam", learning_rate="0.01",
                    epochs="3000", seed="0", normalize="on")


@pytest.fixture
def dataset_id(client):
    return create_dataset(client)


@pytest.fixture
def finished(client, dataset_id):
    """The default run (2-2-2 linear, adam, 3000 epochs) on the notebook's data, finished."""
    run_id = start_run(client, dataset_id)
    assert wait_finished(client, run_id)["status"] == "completed"
    return run_id


def page_of(client, run_id):
    resp = client.get(f"/runs/{run_id}")
    assert resp.status_code == 200
    return parse_html(resp)


def make_draft(client, dataset_id, **fields) -> int:
    """Press "Step through it" in the builder: a draft run, waiting to be stepped."""
    form = dict(DEFAULT_FORM, dataset_id=str(dataset_id), mode="step", **fields)
    resp = client.post("/runs/new", data=form)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:500]
    run_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    assert get_run(client, run_id)["status"] == "draft"
    return run_id


def error_page(resp, status):
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:300])
    return parse_html(resp).one("#error-message").text


# -- the network diagram and the weights table -----------------------------------------------------------
@pytest.mark.parametrize("layers, activations, n_weights, n_biases", [
    ([2, 2, 2], ["linear", "linear"], 8, 4),
    ([2, 4, 3, 2], ["tanh", "tanh", "linear"], 8 + 12 + 6, 4 + 3 + 2),
    ([2, 8, 2], ["relu", "linear"], 16 + 16, 8 + 2),
])
def test_diagram_draws_one_edge_per_weight_and_the_table_lists_every_parameter(client, dataset_id, layers,
                                                                                activations, n_weights, n_biases):
    run_id = start_run(client, dataset_id, layers=layers, activations=activations, epochs=50)
    wait_finished(client, run_id)
    page = page_of(client, run_id)
    edges = page.select("svg.network line.edge")
    assert len(edges) == n_weights
    assert all(np.isfinite(float(e.get("data-value"))) for e in edges)
    # every non-input unit has a bias, named in its node's title
    titles = [t.text for t in page.select("svg.network g.node circle title")]
    assert len(titles) == sum(layers)
    assert sum(", bias " in t for t in titles) == n_biases
    assert len(page.select("#weights tbody tr.weight")) == n_weights
    assert len(page.select("#weights tbody tr.bias")) == n_biases
    assert f"All {n_weights + n_biases} weights and biases" in page.one("#weights summary").text


def test_diagram_edges_carry_the_models_weights(client, finished):
    """The diagram's numbers are the downloaded model's weights, edge by edge (a → h1.1 is W[0, 0], ...)."""
    model = nn.model_from_dict(json.loads(client.get(f"/runs/{finished}/model.json").get_data(as_text=True)))
    page = page_of(client, finished)
    shown = {e.one("title").text.split(":")[0]: float(e.get("data-value")) for e in page.select("line.edge")}
    names = [["a", "b"], ["h1.1", "h1.2"], ["difference", "sum"]]
    expected = {f"{names[li][i]} → {names[li + 1][j]}": float(w[i, j])
                for li, (w, _) in enumerate(model.params) for i in range(w.shape[0]) for j in range(w.shape[1])}
    assert shown == expected


# -- the learned formula ---------------------------------------------------------------------------------
def test_default_run_formula_is_the_task(client, finished):
    page = page_of(client, finished)
    assert page.texts("#formula ul.learned li") == ["difference ≈ 1.000·a − 1.000·b + 0.000",
                                                     "sum ≈ 1.000·a + 1.000·b + 0.000"]
    assert page.texts("#formula ul.truth li") == ["difference = a - b", "sum = a + b"]
    error = float(page.one("#coef-error strong").text)
    assert 0 <= error < 0.01


def test_nonlinear_run_shows_its_straight_line_fit(client, dataset_id):
    run_id = start_run(client, dataset_id, activations=["tanh", "linear"], optimizer="lm", epochs=200)
    assert wait_finished(client, run_id)["status"] == "completed"
    formula = page_of(client, run_id).one("#formula")
    assert "This network is not linear" in formula.text
    items = formula.texts("ul.learned li")
    assert [i.split(" ≈ ")[0] for i in items] == ["difference", "sum"]
    for item in items:
        share = re.search(r"explains (\d+\.\d\d)% of it", item)
        assert share and 90 <= float(share.group(1)) <= 100, item


# -- compare ---------------------------------------------------------------------------------------------
def test_compare_two_runs(client, dataset_id):
    a = start_run(client, dataset_id, epochs=500)
    b = start_run(client, dataset_id, optimizer="sgd", learning_rate=0.1, epochs=500)
    wait_finished(client, a)
    wait_finished(client, b)
    for url in (f"/compare?runs={a},{b}", f"/compare?runs={a}&runs={b}", f"/compare?runs={a},{b},{a}"):
        page = parse_html(client.get(url))
        assert len(page.select("svg.chart polyline")) == 2, url
        legend = page.one("#compare-chart p.legend").text
        assert f"#{a} 2-2-2 linear/linear adam" in legend and f"#{b} 2-2-2 linear/linear sgd" in legend
        assert [r.select("td")[1].text for r in page.select("#compared tbody tr")] == [f"#{a}", f"#{b}"]


def test_compare_rejects_what_is_not_a_run_number(client):
    for url in ("/compare?runs=x", "/compare?runs=1,2.5", "/compare?runs=1&runs=two"):
        assert error_page(client.get(url), 400), url


def test_compare_of_unknown_or_someone_elses_run_is_404(app, client, finished):
    assert error_page(client.get(f"/compare?runs={finished},{finished + 1000}"), 404) == \
        f"There is no run {finished + 1000}."
    other = app.test_client()
    assert error_page(other.get(f"/compare?runs={finished}"), 404) == f"There is no run {finished}."
    assert client.get(f"/compare?runs={finished}").status_code == 200


def test_compare_at_most_eight_runs(client, finished):
    nine = ",".join(str(finished + k) for k in range(9))
    assert error_page(client.get(f"/compare?runs={nine}"), 400)
    eight = ",".join(str(finished + k) for k in range(8))   # eight is allowed: then the unknown ones are 404
    assert error_page(client.get(f"/compare?runs={eight}"), 404) == f"There is no run {finished + 1}."


def test_compare_errors_say_what_was_wrong(client):
    assert "run numbers" in error_page(client.get("/compare?runs=x"), 400)
    nine = ",".join(str(k) for k in range(1, 10))
    assert "at most 8" in error_page(client.get(f"/compare?runs={nine}"), 400)


def test_compare_with_nothing_chosen_says_how(client):
    resp = client.get("/compare")
    assert resp.status_code == 200
    assert "Compare selected" in parse_html(resp).one("main").text


# -- model download --------------------------------------------------------------------------------------
def test_model_download(client, finished):
    resp = client.get(f"/runs/{finished}/model.json")
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    assert resp.headers["Content-Disposition"] == f'attachment; filename="tinynet-run-{finished}-model.json"'
    model = nn.model_from_dict(json.loads(resp.get_data(as_text=True)))
    assert list(model.layers) == [2, 2, 2]
    api = post_json(client, f"/api/runs/{finished}/predict", {"a": 15.5, "b": 3.25}).get_json()
    assert model.predict(np.array([[15.5, 3.25]])).tolist() == api["predictions"]
    assert page_of(client, finished).one("#download-model").get("href") == f"/runs/{finished}/model.json"


def test_a_draft_has_a_model_to_download(client, dataset_id):
    run_id = make_draft(client, dataset_id)
    resp = client.get(f"/runs/{run_id}/model.json")
    assert resp.status_code == 200
    assert json.loads(resp.get_data(as_text=True))["format"] == "tinynet-model"


@pytest.fixture
def queued(tmp_path):
    """(client, id) of a run waiting in line, without a checkpoint, behind a long one on the only worker."""
    app = make_test_app(tmp_path, WTF_CSRF_ENABLED=False, WORKERS=1)
    client = app.test_client()
    try:
        ds = create_dataset(client)
        busy = start_run(client, ds, epochs=1_000_000)
        waiting = start_run(client, ds)
        assert get_run(client, waiting)["status"] == "queued"
        yield client, waiting
        for run_id in (waiting, busy):
            client.post(f"/api/runs/{run_id}/stop")
        wait_finished(client, busy)
    finally:
        app.extensions["tinynet_runner"].shutdown()


def test_queued_run_without_a_checkpoint_has_no_model_yet(queued):
    client, run_id = queued
    assert error_page(client.get(f"/runs/{run_id}/model.json"), 409)
    assert page_of(client, run_id).select("#download-model") == []


# -- model upload ----------------------------------------------------------------------------------------
def upload(client, dataset_id, content: bytes, filename="model.json"):
    return client.post("/runs/upload", data={"dataset_id": str(dataset_id), "file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def test_upload_makes_an_imported_run_that_predicts_the_same(client, dataset_id, finished):
    body = client.get(f"/runs/{finished}/model.json").get_data()
    resp = upload(client, dataset_id, body)
    assert resp.status_code == 303
    new_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    run = get_run(client, new_id)
    assert run["status"] == "imported"
    original = post_json(client, f"/api/runs/{finished}/predict", {"a": 15.5, "b": 3.25}).get_json()
    copy = post_json(client, f"/api/runs/{new_id}/predict", {"a": 15.5, "b": 3.25}).get_json()
    assert copy["predictions"] == original["predictions"]
    assert page_of(client, new_id).texts("#formula ul.learned li") == page_of(client, finished).texts(
        "#formula ul.learned li")


def upload_error(resp, field):
    assert resp.status_code == 422, resp.get_data(as_text=True)[:300]
    return parse_html(resp).one(f"#error-{field}").text


def test_upload_of_a_file_that_is_not_json(client, dataset_id):
    assert "not JSON" in upload_error(upload(client, dataset_id, b"a,b\n1,2\n"), "file")
    assert "not JSON" in upload_error(upload(client, dataset_id, b"\xff\xfe\x00"), "file")


def test_upload_of_json_that_is_not_a_model(client, dataset_id, finished):
    assert "not a tinynet model" in upload_error(upload(client, dataset_id, b'{"format": "keras"}'), "file")
    assert "not a tinynet model" in upload_error(upload(client, dataset_id, b"[1, 2]"), "file")
    good = json.loads(client.get(f"/runs/{finished}/model.json").get_data(as_text=True))
    for broken, words in ((dict(good, version=99), "version"), (dict(good, layers=[2, 3, 2]), "shape"),
                          (dict(good, activations=["linear", "softmax"]), "activations")):
        assert words in upload_error(upload(client, dataset_id, json.dumps(broken).encode()), "file"), broken


def test_upload_without_a_file(client, dataset_id):
    resp = client.post("/runs/upload", data={"dataset_id": str(dataset_id)}, content_type="multipart/form-data")
    assert "choose a model file" in upload_error(resp, "file")


def test_upload_onto_a_dataset_of_another_shape(client, finished):
    one_output = create_dataset(client, task="sum")
    body = client.get(f"/runs/{finished}/model.json").get_data()
    message = upload_error(upload(client, one_output, body), "dataset_id")
    assert "maps 2 inputs to 2 outputs" in message and "2 and 1" in message


def test_upload_onto_someone_elses_dataset(app, client, finished, dataset_id):
    body = client.get(f"/runs/{finished}/model.json").get_data()
    other = app.test_client()
    create_dataset(other)
    assert "your datasets" in upload_error(upload(other, dataset_id, body), "dataset_id")


# -- step mode -------------------------------------------------------------------------------------------
def test_step_shows_every_parameters_update(client, dataset_id):
    run_id = make_draft(client, dataset_id)
    before = {e.one("title").text.split(":")[0]: float(e.get("data-value"))
              for e in page_of(client, run_id).select("line.edge")}
    resp = client.post(f"/runs/{run_id}/step", headers={"HX-Request": "true"})
    assert resp.status_code == 200
    live = parse_html(resp)
    assert live.one("#step-detail h3").text.startswith("Epoch 1:")
    assert live.one("#epoch").text == "epoch 1 of 3000"
    rows = live.select("#step-table tbody tr")
    assert len(rows) == 8 + 4
    after = {e.one("title").text.split(":")[0]: float(e.get("data-value")) for e in live.select("line.edge")}
    for row in rows:
        cells = [td.text for td in row.select("td")]
        b, d, a = (float(row.get(k)) for k in ("data-before", "data-update", "data-after"))
        assert a == pytest.approx(b + d, abs=1e-6)
        assert d != 0   # adam moves every parameter on its first step
        if cells[1] != "bias":
            label = f"{cells[1]} → {cells[2]}"
            assert b == pytest.approx(before[label], abs=1e-6) and a == pytest.approx(after[label], abs=1e-6)
    assert get_run(client, run_id)["status"] == "draft"


def test_step_beyond_the_last_epoch_is_refused(client, dataset_id):
    run_id = make_draft(client, dataset_id, epochs="2")
    for epoch in (1, 2):
        resp = client.post(f"/runs/{run_id}/step")
        assert resp.status_code == 303
        assert get_run(client, run_id)["epoch"] == epoch
    resp = client.post(f"/runs/{run_id}/step")
    assert resp.status_code == 409
    page = parse_html(resp)
    assert "nothing left to step" in page.one("#action-error").text
    assert page.one("#step").get("disabled") is not None
    assert get_run(client, run_id)["epoch"] == 2


def test_step_on_a_run_that_has_started_is_refused(client, finished):
    resp = client.post(f"/runs/{finished}/step")
    assert resp.status_code == 409
    assert "completed" in parse_html(resp).one("#action-error").text
    assert get_run(client, finished)["epoch"] == 3000


def test_start_a_draft_once(client, dataset_id):
    run_id = make_draft(client, dataset_id, epochs="500")
    client.post(f"/runs/{run_id}/step")
    first = client.post(f"/runs/{run_id}/start")
    assert first.status_code == 303 and first.headers["Location"] == f"/runs/{run_id}"
    second = client.post(f"/runs/{run_id}/start")
    assert second.status_code == 409
    assert "already started" in parse_html(second).one("#action-error").text
    run = wait_finished(client, run_id)
    assert run["status"] == "completed" and run["epoch"] == 500
    assert client.post(f"/runs/{run_id}/start").status_code == 409


def test_another_owner_cannot_step_start_or_download(app, client, dataset_id):
    run_id = make_draft(client, dataset_id)
    other = app.test_client()
    assert other.post(f"/runs/{run_id}/step").status_code == 404
    assert other.post(f"/runs/{run_id}/start").status_code == 404
    assert other.get(f"/runs/{run_id}/model.json").status_code == 404
    run = get_run(client, run_id)
    assert run["status"] == "draft" and run["epoch"] == 0


def test_model_download_before_a_checkpoint_says_why(queued):
    client, run_id = queued
    assert "no model yet" in error_page(client.get(f"/runs/{run_id}/model.json"), 409)
