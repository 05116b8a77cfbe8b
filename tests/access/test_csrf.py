"""Every state-changing HTML form needs its CSRF token; the JSON API needs a JSON body instead."""

import io
import re

import pytest

from tests.conftest import make_test_app, wait_for


@pytest.fixture
def csrf_app(tmp_path):
    app = make_test_app(tmp_path)   # CSRF on, as in production
    yield app
    app.extensions["tinynet_runner"].shutdown()


@pytest.fixture
def setup(csrf_app):
    client = csrf_app.test_client()
    ds = client.post("/api/datasets", json={"n": 200}).get_json()
    rid = client.post("/api/runs", json={"dataset_id": ds["id"], "epochs": 100}).get_json()["id"]
    wait_for(lambda: client.get(f"/api/runs/{rid}").get_json()["status"] == "completed")
    page = client.post(f"/runs/{rid}/share", data={"csrf_token": _token(client, f"/runs/{rid}")},
                       follow_redirects=True).get_data(as_text=True)
    link = re.search(r'id="share-link" href="http://[^/]+(/share/[^"]+)"', page).group(1)
    return client, ds["id"], rid, link


def _token(client, path) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


DATASET_FORM = {"task": "diff_sum", "n": "100", "a_min": "11", "a_max": "21", "b_min": "0", "b_max": "10",
                "noise": "0", "test_percent": "20", "seed": "0"}


def _forms(d, r, link):
    run_form = {"dataset_id": str(d), "layers": "2, 2, 2", "activations": ["linear", "linear"],
                "optimizer": "adam", "learning_rate": "0.01", "epochs": "10", "seed": "0", "normalize": "on"}
    csv = (io.BytesIO(b"a,b,sum\n1,2,3\n2,3,5\n3,4,7\n4,5,9\n5,6,11\n"), "data.csv")
    model = (io.BytesIO(b"{}"), "model.json")
    return [("/datasets/new", DATASET_FORM), ("/runs/new", run_form), ("/runs/check", run_form),
            (f"/runs/{r}/stop", {}), (f"/runs/{r}/resume", {}), (f"/runs/{r}/share", {}),
            (f"/runs/{r}/predict", {"a": "15", "b": "4"}), (f"{link}/predict", {"a": "15", "b": "4"}),
            (f"/runs/{r}/step", {}), (f"/runs/{r}/start", {}),
            ("/datasets/upload", {"file": csv, "test_percent": "20", "seed": "0"}),
            ("/runs/upload", {"file": model, "dataset_id": str(d)})]


FORMS = 12


@pytest.mark.parametrize("index", range(FORMS))
def test_form_without_or_with_wrong_token_is_refused(setup, index):
    client, d, r, link = setup
    path, data = _forms(d, r, link)[index]
    for token in (None, "forged-token"):
        body = _fresh(data) if token is None else dict(_fresh(data), csrf_token=token)
        resp = client.post(path, data=body)
        assert resp.status_code == 400, path
        assert "security token" in resp.get_data(as_text=True)


@pytest.mark.parametrize("index", range(FORMS))
def test_form_with_its_token_is_accepted(setup, index):
    client, d, r, link = setup
    path, data = _forms(d, r, link)[index]
    resp = client.post(path, data=dict(_fresh(data), csrf_token=_token(client, f"/runs/{r}")))
    assert resp.status_code != 400, path


def _fresh(data: dict) -> dict:
    """A form may carry file uploads, which are read once: give each request its own copy."""
    return {k: (io.BytesIO(v[0].getvalue()), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}


def test_htmx_requests_carry_the_token_in_a_header(setup):
    client, d, r, _ = setup
    # the page hands htmx its token in hx-headers (tokens are time-stamped: take it from the page itself)
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    resp = client.post(f"/runs/{r}/predict", data={"a": "15", "b": "4"},
                       headers={"HX-Request": "true", "X-CSRFToken": token})
    assert resp.status_code == 200 and "11.00" in resp.get_data(as_text=True)


def test_json_api_is_exempt_but_takes_only_json(setup):
    client, *_ = setup
    assert client.post("/api/datasets", json={"n": 100}).status_code == 201
    resp = client.post("/api/datasets", data={"n": "100"})   # what a cross-site form could send
    assert resp.status_code == 400
    assert resp.get_json()["field"] == "body"
