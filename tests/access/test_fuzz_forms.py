"""Fuzzing every HTML form with any text in any field: never a 500; a refusal is a 422 page that shows the
message beside the field it names. Runs that do start are short, and stopped at the end."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import wait_for

# What people and scripts type: numbers of every shape, words, unicode, blanks, huge and tiny values.
TYPED = st.one_of(
    st.text(max_size=12),
    st.integers(-10**30, 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", " ", "nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e-320", "0", "-1", "1_000",
                     "２", "١٢", "1,5", "0x10", "2, 2, 2", "2,,2", "∞", "<script>", "💥", "1" * 400]),
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])

DATASET = {"task": "diff_sum", "n": "300", "a_min": "11", "a_max": "21", "b_min": "0", "b_max": "10",
           "noise": "0", "test_percent": "20", "seed": "0"}
RUN = {"layers": "2, 2, 2", "optimizer": "adam", "learning_rate": "0.01", "epochs": "20", "batch_size": "",
       "seed": "0", "normalize": "on"}
RUN_SHORT = {"epochs"}   # fuzzed values for epochs may be valid and large: keep those runs short


def spoiled(valid: dict):
    """The valid form with one or two fields replaced by typed junk."""
    return st.lists(st.tuples(st.sampled_from(sorted(valid)), TYPED), min_size=1, max_size=2).map(
        lambda pairs: {**valid, **dict(pairs)})


def assert_refused_clearly(resp, sent: dict):
    assert resp.status_code in (200, 303, 422), resp.status_code
    if resp.status_code == 422:
        html = resp.get_data(as_text=True)
        fields = re.findall(r'class="error" id="error-([a-z_]+)"', html)
        assert fields, "a 422 page must say what is wrong"
        assert set(fields) <= set(sent) | {"dataset_id", "activations"}, fields


@pytest.fixture
def dataset_id(client):
    return client.post("/api/datasets", json={"n": 300}).get_json()["id"]


@FUZZ
@given(form=spoiled(DATASET))
def test_fuzz_dataset_form(client, form):
    assert_refused_clearly(client.post("/datasets/new", data=form), form)


@FUZZ
@given(form=spoiled(RUN), activation=st.one_of(st.sampled_from(["linear", "tanh", "relu", "sigmoid"]), TYPED))
def test_fuzz_run_form(client, dataset_id, form, activation):
    data = {**form, "dataset_id": str(dataset_id), "activations": [activation, "linear"]}
    try:
        epochs_ok = 1 <= float(form["epochs"]) <= 200
    except ValueError:
        epochs_ok = False
    check = client.post("/runs/check", data=data, headers={"HX-Request": "true"})
    assert check.status_code == 200
    if not epochs_ok and "epochs" in form and form["epochs"] != RUN["epochs"]:
        data["epochs"] = "20"   # a valid-looking huge epoch count would start a long run: check it, don't start it
    resp = client.post("/runs/new", data=data)
    assert_refused_clearly(resp, data)
    if resp.status_code == 303:
        run_id = int(resp.location.rsplit("/", 1)[1])
        client.post(f"/api/runs/{run_id}/stop", json={})
        wait_for(lambda: client.get(f"/api/runs/{run_id}").get_json()["status"] not in ("queued", "running"))


@pytest.fixture
def finished_run(client, dataset_id):
    run_id = client.post("/api/runs", json={"dataset_id": dataset_id, "epochs": 50}).get_json()["id"]
    wait_for(lambda: client.get(f"/api/runs/{run_id}").get_json()["status"] == "completed")
    return run_id


@FUZZ
@given(a=TYPED, b=TYPED)
def test_fuzz_prediction_form(client, finished_run, a, b):
    for headers in ({}, {"HX-Request": "true"}):
        resp = client.post(f"/runs/{finished_run}/predict", data={"a": a, "b": b}, headers=headers)
        assert resp.status_code in (200, 422), resp.status_code
        if resp.status_code == 422:
            assert re.search(r'class="error" data-field="(a|b)"', resp.get_data(as_text=True))


@FUZZ
@given(epochs=TYPED)
def test_fuzz_resume_form(client, finished_run, epochs):
    resp = client.post(f"/runs/{finished_run}/resume", data={"epochs": epochs})
    assert resp.status_code in (409, 422), resp.status_code   # a completed run is not resumable
    assert "resumed" in resp.get_data(as_text=True)
