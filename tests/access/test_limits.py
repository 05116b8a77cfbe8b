"""Limits a class's lab needs, each a config value: too much is a clear 4xx naming what to change."""

import pytest

from tests.conftest import make_test_app, wait_for

LONG = 1_000_000


@pytest.fixture
def make_app(tmp_path):
    apps = []

    def make(**config):
        app = make_test_app(tmp_path / str(len(apps)), WTF_CSRF_ENABLED=False, **config)
        apps.append(app)
        return app
    yield make
    for app in apps:
        app.extensions["tinynet_runner"].shutdown()


def _start(client, dataset_id, epochs=LONG):
    return client.post("/api/runs", json={"dataset_id": dataset_id, "epochs": epochs})


def _stop_all(client, run_ids):
    for rid in run_ids:
        client.post(f"/api/runs/{rid}/stop", json={})
    wait_for(lambda: all(client.get(f"/api/runs/{r}").get_json()["status"] not in ("queued", "running")
                         for r in run_ids))


def test_one_owner_may_have_only_so_many_active_runs(make_app):
    app = make_app(MAX_ACTIVE_RUNS_PER_OWNER=2, WORKERS=1)
    alice, bob = app.test_client(), app.test_client()
    ds = alice.post("/api/datasets", json={"n": 200}).get_json()["id"]
    started = [_start(alice, ds).get_json()["id"] for _ in range(2)]
    refused = _start(alice, ds)
    assert refused.status_code == 429
    assert refused.get_json()["field"] == "runs" and "2 runs" in refused.get_json()["error"]
    page = alice.post("/runs/new", data={"dataset_id": str(ds), "layers": "2, 2, 2", "activations": ["linear"] * 2,
                                         "optimizer": "adam", "learning_rate": "0.01", "epochs": "10", "seed": "0"})
    assert page.status_code == 429 and "Stop one or wait" in page.get_data(as_text=True)
    # someone else is not held back by Alice's runs
    bob_ds = bob.post("/api/datasets", json={"n": 200}).get_json()["id"]
    bob_run = _start(bob, bob_ds, epochs=20)
    assert bob_run.status_code == 202
    # a finished or stopped run frees a place
    _stop_all(alice, started[:1])
    again = _start(alice, ds, epochs=20)
    assert again.status_code == 202
    _stop_all(alice, started[1:] + [again.get_json()["id"]])


def test_the_line_of_waiting_runs_is_bounded(make_app):
    app = make_app(MAX_QUEUED_RUNS=1, WORKERS=1)
    alice, bob = app.test_client(), app.test_client()
    ds = alice.post("/api/datasets", json={"n": 200}).get_json()["id"]
    running = _start(alice, ds).get_json()["id"]
    wait_for(lambda: alice.get(f"/api/runs/{running}").get_json()["status"] == "running")
    waiting = _start(alice, ds).get_json()["id"]
    bob_ds = bob.post("/api/datasets", json={"n": 200}).get_json()["id"]
    refused = _start(bob, bob_ds)
    assert refused.status_code == 429
    assert refused.get_json()["field"] == "queue" and "busy" in refused.get_json()["error"]
    _stop_all(alice, [waiting, running])


@pytest.mark.parametrize(("config", "body", "field"), [
    ({"MAX_SAMPLES": 500}, {"n": 501}, "n"),
    ({"MAX_EPOCHS": 100}, {"epochs": 101}, "epochs"),
    ({"MAX_UNITS": 4}, {"layers": [2, 5, 2], "activations": ["tanh", "linear"]}, "layers"),
    ({"MAX_WEIGHT_LAYERS": 2}, {"layers": [2, 3, 3, 2], "activations": ["tanh"] * 3}, "layers"),
    ({"MAX_LEARNING_RATE": 1.0}, {"learning_rate": 2.0}, "learning_rate"),
])
def test_each_size_limit_is_a_config_value(make_app, config, body, field):
    client = make_app(**config).test_client()
    if field == "n":
        resp = client.post("/api/datasets", json=body)
    else:
        ds = client.post("/api/datasets", json={"n": 200}).get_json()["id"]
        resp = client.post("/api/runs", json={"dataset_id": ds, **body})
    assert resp.status_code == 400
    assert resp.get_json()["field"] == field


def test_limits_come_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("TINYNET_MAX_SAMPLES", "300")
    client = make_app().test_client()
    assert client.post("/api/datasets", json={"n": 301}).status_code == 400
    assert client.post("/api/datasets", json={"n": 300}).status_code == 201
