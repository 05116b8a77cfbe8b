"""CSV download and upload through the pages and the JSON API, with Flask's test client."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pytest

import nn
from tests.conftest import make_test_app, wait_for


def generate(client, **params) -> int:
    resp = client.post("/api/datasets", json={"n": 200, "noise": 0.5, **params})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()["id"]


def download(client, dataset_id) -> str:
    resp = client.get(f"/datasets/{dataset_id}.csv")
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def upload(client, text: str | bytes, filename="data.csv", **fields):
    data = {"test_percent": "20", "seed": "0", **fields}
    if text is not None:
        data["file"] = (io.BytesIO(text.encode() if isinstance(text, str) else text), filename)
    return client.post("/datasets/upload", data=data, content_type="multipart/form-data")


def sorted_rows(text: str) -> tuple[list[str], list[list[str]]]:
    header, *rows = csv.reader(io.StringIO(text))
    return header, sorted(rows)


def field_error(html: str, name: str) -> str:
    m = re.search(rf'<span class="error" id="error-{name}">(.*?)</span>', html, re.S)
    assert m, f"no error shown for {name}"
    return m.group(1)


def new_id(resp) -> int:
    assert resp.status_code == 303, (resp.status_code, resp.get_data(as_text=True)[:800])
    m = re.fullmatch(r"/datasets/(\d+)", resp.headers["Location"])
    assert m, resp.headers["Location"]
    return int(m.group(1))


# -- download --------------------------------------------------------------------------------------------
def test_download_is_the_dataset_as_csv(app, client):
    dataset_id = generate(client, task="diff_sum")
    resp = client.get(f"/datasets/{dataset_id}.csv")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert resp.headers["Content-Disposition"] == f"attachment; filename=tinynet-dataset-{dataset_id}.csv"
    ds = app.extensions["tinynet"].load_dataset(dataset_id)
    assert resp.get_data(as_text=True) == nn.dataset_to_csv(ds)
    assert resp.get_data(as_text=True).startswith("a,b,difference,sum\n")


def test_dataset_page_links_to_the_download(client):
    dataset_id = generate(client)
    html = client.get(f"/datasets/{dataset_id}").get_data(as_text=True)
    assert re.search(rf'id="download-csv" href="/datasets/{dataset_id}\.csv"', html)


def test_another_owner_cannot_download(app):
    alice, bob = app.test_client(), app.test_client()
    dataset_id = generate(alice)
    assert alice.get(f"/datasets/{dataset_id}.csv").status_code == 200
    assert bob.get(f"/datasets/{dataset_id}.csv").status_code == 404
    assert alice.get("/datasets/999999.csv").status_code == 404
    assert alice.get(f"/datasets/{2**70}.csv").status_code == 404
    assert alice.get(f"/api/datasets/{dataset_id}.csv").status_code == 404


# -- upload ----------------------------------------------------------------------------------------------
def test_upload_page_is_linked_and_has_a_multipart_form(client):
    assert 'href="/datasets/upload"' in client.get("/datasets/new").get_data(as_text=True)
    resp = client.get("/datasets/upload")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and 'name="file"' in html and 'type="file"' in html


def test_download_upload_round_trip_keeps_the_rows(app, client):
    original = generate(client, task="diff_sum", n=300)
    text = download(client, original)
    copy = new_id(upload(client, text, test_percent="25", seed="3"))
    assert copy != original
    assert sorted_rows(download(client, copy)) == sorted_rows(text)

    info = client.get(f"/api/datasets/{copy}").get_json()
    assert info["task"] is None and info["noise"] is None
    assert info["outputs"] == ["difference", "sum"]
    assert (info["n"], info["n_train"], info["n_test"]) == (300, 225, 75)
    assert (info["test_fraction"], info["seed"]) == (0.25, 3)
    x = app.extensions["tinynet"].load_dataset(original).x
    assert np.float32(info["a_min"]) == x[:, 0].min() and np.float32(info["b_max"]) == x[:, 1].max()

    page = client.get(f"/datasets/{copy}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "imported" in html and "225 training and 75 test samples" in html


def test_upload_with_windows_line_endings_and_bom(client):
    resp = upload(client, "\ufeffa,b,y\r\n1,2,3\r\n4,5,6\r\n7,8,9\r\n10,11,12\r\n\r\n", test_percent="50")
    info = client.get(f"/api/datasets/{new_id(resp)}").get_json()
    assert (info["n_train"], info["n_test"], info["outputs"]) == (2, 2, ["y"])


@pytest.mark.parametrize("text, field, message", [
    (None, "file", "choose a CSV file"),
    ("", "file", "the file is empty"),
    ("a,b,s\n1,2,3\n4,abc,6\n", "file", "row 3: &#39;abc&#39; is not a number"),
    ("a,b,s,t\n1,2,3,4\n4,5\n", "file", "row 3 has 2 values, the header has 4"),
    ("x,y,s\n1,2,3\n4,5,6\n", "file", "the header must start with a,b"),
    ("a,b,s\n1,2,3\n4,inf,6\n", "file", "row 3: &#39;inf&#39; is not a finite number"),
    (b"a,b,s\n1,2,\xff\n", "file", "not UTF-8"),
])
def test_upload_errors_are_shown_next_to_the_file_field(client, text, field, message):
    resp = upload(client, text)
    assert resp.status_code == 422
    assert message in field_error(resp.get_data(as_text=True), field)


@pytest.mark.parametrize("fields, field", [
    (dict(test_percent="0"), "test_percent"), (dict(test_percent="abc"), "test_percent"),
    (dict(test_percent=""), "test_percent"), (dict(seed="-1"), "seed"), (dict(seed="1.5"), "seed"),
])
def test_upload_setting_errors_keep_the_values(client, fields, field):
    resp = upload(client, "a,b,s\n1,2,3\n4,5,6\n", **fields)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    field_error(html, field)
    value = next(iter(fields.values()))
    assert f'value="{value}"' in html


def test_too_few_rows_for_the_split_says_so(client):
    resp = upload(client, "a,b,s\n1,2,3\n4,5,6\n")   # 20% of 2 rows rounds to no test rows
    assert resp.status_code == 422
    assert "2 rows cannot be split" in field_error(resp.get_data(as_text=True), "file")


def test_row_limit_is_max_samples(tmp_path):
    app = make_test_app(tmp_path, WTF_CSRF_ENABLED=False, MAX_SAMPLES=10)
    try:
        client = app.test_client()
        rows = "".join(f"{i},{i},{i}\n" for i in range(11))
        resp = upload(client, "a,b,s\n" + rows)
        assert resp.status_code == 422
        assert "more than 10 rows" in field_error(resp.get_data(as_text=True), "file")
        assert new_id(upload(client, "a,b,s\n" + rows[rows.index("\n") + 1:]))
        api = client.post("/api/datasets", json={"csv": "a,b,s\n" + rows})
        assert api.status_code == 400 and "more than 10 rows" in api.get_json()["error"]
    finally:
        app.extensions["tinynet_runner"].shutdown()


def test_upload_over_the_body_limit_is_413_with_the_form(tmp_path):
    app = make_test_app(tmp_path, WTF_CSRF_ENABLED=False, MAX_CONTENT_LENGTH=1024)
    try:
        resp = upload(app.test_client(), "a,b,s\n" + "1.25,2.5,3.75\n" * 200)
        assert resp.status_code == 413
        assert "larger than 0.000976562 MiB" in field_error(resp.get_data(as_text=True), "file")
    finally:
        app.extensions["tinynet_runner"].shutdown()


def test_upload_needs_the_csrf_token(tmp_path):
    app = make_test_app(tmp_path)   # CSRF on, as in production
    try:
        client = app.test_client()
        resp = upload(client, "a,b,s\n1,2,3\n4,5,6\n7,8,9\n")
        assert resp.status_code == 400
        html = client.get("/datasets/upload").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        assert new_id(upload(client, "a,b,s\n1,2,3\n4,5,6\n7,8,9\n", csrf_token=token))
    finally:
        app.extensions["tinynet_runner"].shutdown()


# -- JSON API --------------------------------------------------------------------------------------------
def test_api_creates_a_dataset_from_csv(client):
    original = generate(client, task="diff_sum")
    text = download(client, original)
    resp = client.post("/api/datasets", json={"csv": text, "test_fraction": 0.5, "seed": 9})
    assert resp.status_code == 201
    body = resp.get_json()
    generated = client.get(f"/api/datasets/{original}").get_json()
    assert set(body) == set(generated)
    assert body["task"] is None and body["noise"] is None
    assert (body["n"], body["n_train"], body["n_test"]) == (200, 100, 100)
    assert (body["test_fraction"], body["seed"], body["outputs"]) == (0.5, 9, ["difference", "sum"])
    assert client.get(f"/api/datasets/{body['id']}").get_json() == body
    assert sorted_rows(download(client, body["id"])) == sorted_rows(text)


def test_api_csv_defaults(client):
    body = client.post("/api/datasets", json={"csv": "a,b,s\n" + "1,2,3\n" * 10}).get_json()
    assert (body["test_fraction"], body["seed"], body["n_test"]) == (0.2, 0, 2)


@pytest.mark.parametrize("body, field, message", [
    ({"csv": 5}, "csv", "must be a string"),
    ({"csv": None}, "csv", "must be a string"),
    ({"csv": ""}, "csv", "the file is empty"),
    ({"csv": "a,b,s\n1,2,3\n4,x,6\n"}, "csv", "row 3: 'x' is not a number"),
    ({"csv": "a,b,s\n1,2,3\n4,5\n"}, "csv", "row 3 has 2 values, the header has 3"),
    ({"csv": "a,b\n1,2\n"}, "csv", "the header must start with a,b"),
    ({"csv": "a,b,s\n1,2,3\n4,5,6\n"}, "csv", "2 rows cannot be split"),
    ({"csv": "a,b,s\n1,2,3\n4,5,6\n", "test_fraction": 1.5}, "test_fraction", "between"),
    ({"csv": "a,b,s\n1,2,3\n4,5,6\n", "test_fraction": "0.5"}, "test_fraction", "must be a number"),
    ({"csv": "a,b,s\n1,2,3\n4,5,6\n", "seed": 1.5}, "seed", "whole number"),
    ({"csv": "a,b,s\n1,2,3\n4,5,6\n", "n": 100}, "n", "does not apply"),
])
def test_api_csv_errors(client, body, field, message):
    resp = client.post("/api/datasets", json=body)
    assert resp.status_code == 400, resp.get_data(as_text=True)
    err = resp.get_json()
    assert err["field"] == field and message in err["error"], err


def test_api_csv_body_limit_is_413(tmp_path):
    app = make_test_app(tmp_path, WTF_CSRF_ENABLED=False, MAX_CONTENT_LENGTH=1024)
    try:
        resp = app.test_client().post("/api/datasets", json={"csv": "a,b,s\n" + "1,2,3\n" * 500})
        assert resp.status_code == 413 and resp.get_json()["field"] == "body"
    finally:
        app.extensions["tinynet_runner"].shutdown()


def test_api_without_csv_still_generates(client):
    body = client.post("/api/datasets", json={"task": "sum", "n": 50}).get_json()
    assert body["task"] == "sum" and body["n"] == 50


# -- training on imported data ---------------------------------------------------------------------------
def test_a_run_on_an_uploaded_diff_sum_csv_learns(client):
    text = download(client, generate(client, task="diff_sum", n=500, noise=0.0))
    dataset_id = new_id(upload(client, text))
    resp = client.post("/api/runs", json={"dataset_id": dataset_id, "epochs": 500})
    assert resp.status_code == 202, resp.get_data(as_text=True)
    run_id = resp.get_json()["id"]
    run = wait_for(lambda: (r := client.get(f"/api/runs/{run_id}").get_json())["status"] not in
                   ("queued", "running") and r, timeout=120)
    assert run["status"] == "completed", run
    assert run["epoch"] == 500 and run["test_loss"] < 1e-3   # the default 2-2-2 network learns a - b, a + b

    pred = client.post(f"/api/runs/{run_id}/predict", json={"a": 15, "b": 4})
    assert pred.status_code == 200
    body = pred.get_json()
    assert body["expected"] is None and body["outputs"] == ["difference", "sum"]
    assert body["predictions"][0] == pytest.approx([11, 19], abs=0.05)
    page = client.get(f"/runs/{run_id}")
    assert page.status_code == 200 and "imported" in page.get_data(as_text=True)
