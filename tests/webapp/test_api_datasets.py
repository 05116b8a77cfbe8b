"""POST /api/datasets and GET /api/datasets/<id>: defaults, echoes, and a named field for every bad value."""

from __future__ import annotations

import pytest

from tests.conftest import make_test_app

from .helpers import assert_json_error, post_json, post_raw

NOTEBOOK = dict(task="diff_sum", n=1000, a_min=11.0, a_max=21.0, b_min=0.0, b_max=10.0, noise=0.0,
                test_fraction=0.2, seed=0)


def test_an_empty_object_makes_the_notebooks_dataset(client):
    resp = post_json(client, "/api/datasets", {})
    assert resp.status_code == 201
    body = resp.get_json()
    assert isinstance(body["id"], int)
    for key, value in NOTEBOOK.items():
        assert body[key] == value, key
    assert (body["n_train"], body["n_test"]) == (800, 200)

    again = client.get(f"/api/datasets/{body['id']}")
    assert again.status_code == 200
    assert again.get_json() == body


def test_an_empty_body_with_the_json_content_type_means_all_defaults(client):
    resp = post_raw(client, "/api/datasets", "")
    assert resp.status_code == 201
    assert resp.get_json()["n"] == 1000


def test_values_sent_are_used_and_missing_ones_default(client):
    sent = dict(task="product", n=50, a_min=-5, a_max=5.5, noise=0.5, test_fraction=0.1, seed=7)
    resp = post_json(client, "/api/datasets", sent)
    assert resp.status_code == 201
    body = resp.get_json()
    for key, value in sent.items():
        assert body[key] == value, key
    assert (body["b_min"], body["b_max"]) == (0.0, 10.0)   # not sent: the notebook's
    assert (body["n_train"], body["n_test"]) == (45, 5)


def test_each_dataset_gets_its_own_id(client):
    first = post_json(client, "/api/datasets", {"n": 10}).get_json()
    second = post_json(client, "/api/datasets", {"n": 20}).get_json()
    assert first["id"] != second["id"]
    assert client.get(f"/api/datasets/{first['id']}").get_json()["n"] == 10
    assert client.get(f"/api/datasets/{second['id']}").get_json()["n"] == 20


@pytest.mark.parametrize("task", ["diff_sum", "sum", "difference", "mean", "product", "max"])
def test_every_task_in_the_catalogue(client, task):
    resp = post_json(client, "/api/datasets", {"task": task, "n": 20})
    assert resp.status_code == 201
    assert resp.get_json()["task"] == task


BAD_VALUES = [
    # wrong types
    ("n", "1000"), ("n", [1000]), ("n", {"value": 1000}), ("n", True), ("n", 1.5),
    ("task", 3), ("task", ["diff_sum"]), ("task", {"name": "sum"}), ("task", True),
    ("a_min", "11"), ("a_max", [21]), ("b_min", False), ("b_max", {"v": 1}),
    ("noise", "0"), ("test_fraction", "0.2"), ("test_fraction", True), ("seed", "0"), ("seed", 0.5),
    ("seed", True),
    # out of range
    ("n", 1), ("n", 0), ("n", -10), ("n", 10**9), ("n", 10**400), ("n", 1e308),
    ("task", "nope"), ("task", ""), ("task", "DIFF_SUM"),
    ("a_min", -2e6), ("a_max", 1e308), ("b_min", -1e308), ("b_max", 10**30),
    ("noise", -1), ("noise", -1e-9), ("noise", 1e308),
    ("test_fraction", 0), ("test_fraction", 1), ("test_fraction", -0.5), ("test_fraction", 1.5),
    ("test_fraction", 0.0001),
    ("seed", -1), ("seed", 2**32), ("seed", 10**30),
]


@pytest.mark.parametrize(("field", "value"), BAD_VALUES, ids=[f"{f}={v!r}"[:40] for f, v in BAD_VALUES])
def test_a_bad_value_is_a_400_naming_its_field(client, field, value):
    resp = post_json(client, "/api/datasets", {field: value})
    assert_json_error(resp, field)


@pytest.mark.parametrize("field", ["n", "a_min", "a_max", "b_min", "b_max", "noise", "test_fraction", "seed"])
@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_are_refused(client, field, literal):
    resp = post_raw(client, "/api/datasets", f'{{"{field}": {literal}}}')
    body = assert_json_error(resp, field)
    assert "finite" in body["error"] or "between" in body["error"] or "number" in body["error"]


@pytest.mark.parametrize(("lo", "hi"), [(21, 11), (5, 5), (-1, -1.5)])
@pytest.mark.parametrize("axis", ["a", "b"])
def test_a_range_must_run_upwards(client, axis, lo, hi):
    resp = post_json(client, "/api/datasets", {f"{axis}_min": lo, f"{axis}_max": hi})
    assert_json_error(resp, (f"{axis}_min", f"{axis}_max"))


def test_a_min_above_the_default_a_max_names_a_min(client):
    # The user sent only a_min; the message must point at what they sent, not at a field they never wrote.
    assert_json_error(post_json(client, "/api/datasets", {"a_min": 30}), "a_min")


def test_too_few_samples_to_split_names_n(client):
    assert_json_error(post_json(client, "/api/datasets", {"n": 2}), ("n", "test_fraction"))
    ok = post_json(client, "/api/datasets", {"n": 2, "test_fraction": 0.5})
    assert ok.status_code == 201
    assert (ok.get_json()["n_train"], ok.get_json()["n_test"]) == (1, 1)


def test_the_largest_allowed_values_are_accepted(client):
    resp = post_json(client, "/api/datasets", {"n": 100_000, "a_min": -1e6, "a_max": 1e6, "seed": 2**32 - 1,
                                               "test_fraction": 0.99})
    assert resp.status_code == 201
    assert resp.get_json()["n_test"] == 99_000


# -- the body itself -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["{bad", '{"n": 5,}', "{'n': 5}", '{"n": 5', "nul"])
def test_invalid_json_is_a_400_about_the_body(client, text):
    assert_json_error(post_raw(client, "/api/datasets", text), "body")


@pytest.mark.parametrize("text", ["[1, 2]", "[]", '"n"', "42", "true", "null", '[{"n": 5}]'])
def test_a_body_that_is_not_an_object_is_refused(client, text):
    assert_json_error(post_raw(client, "/api/datasets", text), "body")


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", "text/html",
                                          "multipart/form-data; boundary=x", "application/xml"])
def test_only_application_json_is_accepted(client, content_type):
    resp = post_raw(client, "/api/datasets", '{"n": 5}', content_type=content_type)
    assert 400 <= resp.status_code < 500
    assert_json_error(resp, "body", status=resp.status_code)


def test_a_post_with_no_body_and_no_content_type_is_refused(client):
    resp = client.post("/api/datasets")
    assert 400 <= resp.status_code < 500
    assert_json_error(resp, "body", status=resp.status_code)


def test_a_refused_request_creates_nothing(client):
    post_json(client, "/api/datasets", {"n": -1})
    post_raw(client, "/api/datasets", "n=5", content_type="application/x-www-form-urlencoded")
    made = post_json(client, "/api/datasets", {}).get_json()
    assert made["id"] == 1


# -- reading one back ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dataset", [1, 2, 999, 0])
def test_an_unknown_dataset_is_a_json_404(client, dataset):
    resp = client.get(f"/api/datasets/{dataset}")
    assert resp.status_code == 404
    assert resp.is_json
    assert resp.get_json()["error"]


def test_an_id_too_big_for_the_database_is_a_404(client):
    resp = client.get("/api/datasets/99999999999999999999")
    assert resp.status_code == 404
    assert resp.is_json


@pytest.mark.parametrize("url", ["/api/datasets/abc", "/api/datasets/-1", "/api/no-such-thing"])
def test_addresses_that_match_nothing_still_answer_json(client, url):
    resp = client.get(url)
    assert resp.status_code == 404
    assert resp.is_json and resp.get_json()["error"]


def test_a_body_over_the_size_limit_is_refused_as_json(client):
    text = '{"n": 10, "padding": "' + "x" * client.application.config["MAX_CONTENT_LENGTH"] + '"}'
    resp = post_raw(client, "/api/datasets", text)
    assert resp.status_code == 413
    assert_json_error(resp, "body", status=413)


def test_the_api_needs_no_csrf_token_but_the_forms_do(tmp_path):
    app = make_test_app(tmp_path)   # CSRF protection on, as in production
    try:
        client = app.test_client()
        assert post_json(client, "/api/datasets", {"n": 10}).status_code == 201
        resp = client.post("/datasets/new", data={"n": "10"})
        assert resp.status_code == 400
        assert client.get("/api/datasets/2").status_code == 404, "the form made nothing"
    finally:
        app.extensions["tinynet_runner"].shutdown()
