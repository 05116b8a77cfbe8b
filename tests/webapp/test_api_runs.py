"""POST /api/runs, GET /api/runs/<id>, stop and predict: training end to end and every bad input named."""

from __future__ import annotations

import json
import math

import pytest

from .helpers import (
    ACTIVE,
    assert_json_error,
    create_dataset,
    finite,
    get_run,
    post_json,
    post_raw,
    start_run,
    wait_finished,
    wait_run,
    wait_training,
)

RUN_KEYS = {"id", "dataset_id", "status", "epoch", "epochs", "train_loss", "test_loss", "history", "config", "error"}


# -- a full training through the API ---------------------------------------------------------------------
def test_train_the_notebook_task_and_ask_the_network(client, dataset_id):
    resp = post_json(client, "/api/runs", {"dataset_id": dataset_id, "epochs": 3000})
    assert resp.status_code == 202
    started = resp.get_json()
    assert isinstance(started["id"], int)
    assert started["status"] in ACTIVE

    run = wait_finished(client, started["id"])
    assert RUN_KEYS <= run.keys()
    assert run["status"] == "completed", run["error"]
    assert (run["id"], run["dataset_id"]) == (started["id"], dataset_id)
    assert run["epoch"] == run["epochs"] == 3000
    assert run["error"] is None
    assert run["config"] == dict(layers=[2, 2, 2], activations=["linear", "linear"], optimizer="adam",
                                 learning_rate=0.01, epochs=3000, batch_size=None, seed=0, normalize=True)

    history = run["history"]
    assert len(history) >= 2
    epochs = [p["epoch"] for p in history]
    assert epochs == sorted(set(epochs)), "epochs must increase"
    assert epochs[-1] == 3000
    assert all(finite(p["train_loss"]) and finite(p["test_loss"]) for p in history)
    assert history[-1]["test_loss"] < history[0]["test_loss"]
    assert run["test_loss"] < 1e-6
    assert run["train_loss"] < 1e-6

    answer = post_json(client, f"/api/runs/{run['id']}/predict", {"a": 15, "b": 4})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["inputs"] == [[15, 4]]
    assert body["expected"] == [[11, 19]]
    assert body["predictions"][0] == pytest.approx([11, 19], abs=0.01)

    rows = [[15, 4], [11, 0], [20.5, 9.5], [-3, 2]]
    answer = post_json(client, f"/api/runs/{run['id']}/predict", {"inputs": rows})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["inputs"] == rows
    assert body["expected"] == [[a - b, a + b] for a, b in rows]
    assert len(body["predictions"]) == len(rows)
    for got, want in zip(body["predictions"][:3], body["expected"][:3], strict=True):
        assert got == pytest.approx(want, abs=0.01)


def test_a_run_with_only_a_dataset_gets_the_default_network(client, dataset_id):
    run_id = start_run(client, dataset_id, epochs=5)
    cfg = get_run(client, run_id)["config"]
    assert cfg == dict(layers=[2, 2, 2], activations=["linear", "linear"], optimizer="adam", learning_rate=0.01,
                       epochs=5, batch_size=None, seed=0, normalize=True)
    assert wait_finished(client, run_id)["status"] == "completed"


def test_every_setting_sent_is_the_one_used(client):
    ds = create_dataset(client, task="sum", n=200)
    cfg = dict(layers=[2, 8, 4, 1], activations=["tanh", "relu", "linear"], optimizer="momentum",
               learning_rate=0.05, epochs=40, batch_size=32, seed=9, normalize=False)
    run_id = start_run(client, ds, **cfg)
    run = wait_finished(client, run_id)
    assert run["config"] == cfg
    assert run["dataset_id"] == ds
    assert run["epochs"] == 40


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "lm"])
def test_every_optimizer_trains(client, dataset_id, optimizer):
    run = wait_finished(client, start_run(client, dataset_id, optimizer=optimizer, epochs=20, learning_rate=0.01))
    assert run["status"] == "completed", run["error"]
    assert run["epoch"] == 20
    assert finite(run["test_loss"])


def test_a_wild_learning_rate_ends_diverged_with_a_reason(client, dataset_id):
    run = wait_finished(client, start_run(client, dataset_id, optimizer="sgd", learning_rate=50, epochs=3000))
    assert run["status"] == "diverged"
    assert isinstance(run["error"], str) and "learning rate" in run["error"]
    assert run["history"], "the history up to the blow-up is kept"
    assert all(finite(p["train_loss"]) for p in run["history"])


# -- stopping --------------------------------------------------------------------------------------------
def test_stop_a_long_run_keeps_its_history_and_model(client, dataset_id):
    run_id = start_run(client, dataset_id, epochs=1_000_000)
    wait_training(client, run_id)

    resp = post_json(client, f"/api/runs/{run_id}/stop", {})
    assert resp.status_code == 200
    assert resp.get_json()["id"] == run_id
    assert resp.get_json()["stopping"] is True

    run = wait_finished(client, run_id, timeout=30)
    assert run["status"] == "stopped"
    assert 0 < run["epoch"] < 1_000_000
    assert run["history"]
    assert run["history"][-1]["epoch"] == run["epoch"]
    assert all(finite(p["test_loss"]) for p in run["history"])

    answer = post_json(client, f"/api/runs/{run_id}/predict", {"a": 15, "b": 4})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["expected"] == [[11, 19]]
    assert all(finite(v) for v in body["predictions"][0])

    again = post_json(client, f"/api/runs/{run_id}/stop", {})
    assert again.status_code == 200
    assert again.get_json()["stopping"] is False
    assert get_run(client, run_id)["status"] == "stopped"


def test_stopping_a_finished_run_changes_nothing(client, dataset_id):
    run_id = start_run(client, dataset_id, epochs=10)
    done = wait_finished(client, run_id)
    resp = post_json(client, f"/api/runs/{run_id}/stop", {})
    assert resp.status_code == 200
    assert resp.get_json()["stopping"] is False
    assert resp.get_json()["status"] == "completed"
    assert get_run(client, run_id)["history"] == done["history"]


# -- bad run requests -------------------------------------------------------------------------------------
BAD_RUNS = [
    # layers
    ("layers", [2, 0, 2]), ("layers", [2, 65, 2]), ("layers", [2] * 10), ("layers", [2]), ("layers", []),
    ("layers", "2, 2, 2"), ("layers", 2), ("layers", {"sizes": [2, 2]}), ("layers", [2, "2", 2]),
    ("layers", [2, None, 2]), ("layers", [2, True, 2]), ("layers", [2, 2.5, 2]), ("layers", [2, -2, 2]),
    ("layers", [2, 10**30, 2]), ("layers", [3, 2, 2]), ("layers", [2, 2, 3]), ("layers", [[2], [2]]),
    # activations
    ("activations", ["linear"]), ("activations", ["linear"] * 3), ("activations", []),
    ("activations", ["softmax", "linear"]), ("activations", ["Linear", "linear"]), ("activations", "linear"),
    ("activations", [1, 2]), ("activations", {"0": "linear"}), ("activations", [None, "linear"]),
    # optimizer
    ("optimizer", "rmsprop"), ("optimizer", ""), ("optimizer", "ADAM"), ("optimizer", 1), ("optimizer", ["adam"]),
    ("optimizer", True),
    # learning rate
    ("learning_rate", 0), ("learning_rate", -1), ("learning_rate", 1e308), ("learning_rate", 101),
    ("learning_rate", "0.01"), ("learning_rate", True), ("learning_rate", [0.01]), ("learning_rate", 10**400),
    # epochs
    ("epochs", 0), ("epochs", 1.5), ("epochs", -5), ("epochs", 10**9), ("epochs", 1_000_001), ("epochs", "10"),
    ("epochs", True), ("epochs", [10]),
    # batch size
    ("batch_size", 0), ("batch_size", -1), ("batch_size", 1.5), ("batch_size", "32"), ("batch_size", 10**12),
    ("batch_size", False),
    # seed
    ("seed", -1), ("seed", 2**32), ("seed", 0.5), ("seed", "0"), ("seed", [0]),
    # normalize
    ("normalize", "yes"), ("normalize", "true"), ("normalize", 1), ("normalize", 0), ("normalize", [True]),
    # dataset
    ("dataset_id", 999), ("dataset_id", 0), ("dataset_id", -1), ("dataset_id", 1.5), ("dataset_id", "1"),
    ("dataset_id", True), ("dataset_id", [1]), ("dataset_id", {"id": 1}), ("dataset_id", 10**30),
]


@pytest.mark.parametrize(("field", "value"), BAD_RUNS, ids=[f"{f}={v!r}"[:40] for f, v in BAD_RUNS])
def test_a_bad_setting_is_a_400_naming_its_field(client, dataset_id, field, value):
    body = {"dataset_id": dataset_id, "epochs": 5, field: value}
    resp = post_json(client, "/api/runs", body)
    assert_json_error(resp, field)


def test_a_run_needs_a_dataset(client, dataset_id):
    assert_json_error(post_json(client, "/api/runs", {}), "dataset_id")
    assert_json_error(post_json(client, "/api/runs", {"epochs": 5, "layers": [2, 2, 2]}), "dataset_id")
    assert_json_error(post_json(client, "/api/runs", {"dataset_id": None, "epochs": 5}), "dataset_id")


def test_an_unknown_dataset_is_named(client, dataset_id):
    body = assert_json_error(post_json(client, "/api/runs", {"dataset_id": dataset_id + 1, "epochs": 5}),
                             "dataset_id")
    assert str(dataset_id + 1) in body["error"]


def test_lm_refuses_a_network_too_big_for_it(client, dataset_id):
    resp = post_json(client, "/api/runs", {"dataset_id": dataset_id, "optimizer": "lm", "epochs": 5,
                                           "layers": [2, 64, 64, 64, 2], "activations": ["tanh"] * 3 + ["linear"]})
    assert_json_error(resp, ("optimizer", "layers"))


def test_the_last_layer_must_match_a_one_output_task(client):
    ds = create_dataset(client, task="sum", n=50)
    assert_json_error(post_json(client, "/api/runs", {"dataset_id": ds, "epochs": 5}), "layers")
    ok = post_json(client, "/api/runs", {"dataset_id": ds, "epochs": 5, "layers": [2, 3, 1]})
    assert ok.status_code == 202
    wait_finished(client, ok.get_json()["id"])


@pytest.mark.parametrize("field", ["dataset_id", "learning_rate", "epochs", "seed", "batch_size"])
@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_settings_are_refused(client, dataset_id, field, literal):
    others = {k: v for k, v in {"dataset_id": dataset_id, "epochs": 5}.items() if k != field}
    resp = post_raw(client, "/api/runs", json.dumps(others)[:-1] + f', "{field}": {literal}}}')
    assert_json_error(resp, field)


@pytest.mark.parametrize("text", ["{bad", "[]", '[{"dataset_id": 1}]', '"x"', "null", "7"])
def test_a_run_body_must_be_a_json_object(client, dataset_id, text):
    assert_json_error(post_raw(client, "/api/runs", text), "body")


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain"])
def test_a_run_body_must_be_sent_as_json(client, dataset_id, content_type):
    resp = post_raw(client, "/api/runs", f'{{"dataset_id": {dataset_id}, "epochs": 5}}', content_type=content_type)
    assert 400 <= resp.status_code < 500
    assert_json_error(resp, "body", status=resp.status_code)


def test_refused_runs_do_not_start(client, dataset_id):
    post_json(client, "/api/runs", {"dataset_id": dataset_id, "epochs": 0})
    post_json(client, "/api/runs", {"dataset_id": dataset_id, "layers": [2, 65, 2]})
    assert client.get("/api/runs/1").status_code == 404


# -- unknown runs ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "path"), [("get", ""), ("post", "/stop"), ("post", "/predict")])
@pytest.mark.parametrize("run_id", [1, 42, 0])
def test_an_unknown_run_is_a_json_404(client, dataset_id, method, path, run_id):
    url = f"/api/runs/{run_id}{path}"
    resp = client.get(url) if method == "get" else post_json(client, url, {"a": 1, "b": 2})
    assert resp.status_code == 404
    assert resp.is_json
    assert resp.get_json()["error"]


@pytest.mark.parametrize(("method", "path"), [("get", ""), ("post", "/stop"), ("post", "/predict")])
def test_a_run_id_too_big_for_the_database_is_a_404(client, method, path):
    url = f"/api/runs/{10**20}{path}"
    resp = client.get(url) if method == "get" else post_json(client, url, {"a": 1, "b": 2})
    assert resp.status_code == 404


# -- predictions: one trained run, many questions ------------------------------------------------------------
BAD_PREDICTIONS = [
    ({}, ("a", "b")), ({"a": 1}, "b"), ({"b": 1}, "a"), ({"a": "15", "b": 4}, "a"), ({"a": 15, "b": [4]}, "b"),
    ({"a": True, "b": 4}, "a"), ({"a": None, "b": 4}, "a"), ({"a": {"v": 1}, "b": 4}, "a"),
    ({"a": 1e10, "b": 4}, "a"), ({"a": 1, "b": -1e308}, "b"), ({"a": 10**400, "b": 1}, "a"),
    ({"inputs": []}, "inputs"), ({"inputs": "15,4"}, "inputs"), ({"inputs": [15, 4]}, "inputs"),
    ({"inputs": [[15]]}, "inputs"), ({"inputs": [[15, 4, 1]]}, "inputs"), ({"inputs": [[15, "4"]]}, "inputs"),
    ({"inputs": [[15, None]]}, "inputs"), ({"inputs": [[True, 4]]}, "inputs"), ({"inputs": {"a": 15}}, "inputs"),
    ({"inputs": [[15, 4]] * 1001}, "inputs"), ({"inputs": [[15, 4], [1e12, 0]]}, "inputs"),
    ({"inputs": None}, "inputs"), ({"inputs": [[15, 4], "x"]}, "inputs"),
]


@pytest.mark.parametrize(("body", "field"), BAD_PREDICTIONS, ids=[str(b)[:40] for b, _ in BAD_PREDICTIONS])
def test_a_bad_question_is_a_400_naming_its_field(trained, body, field):
    client, run_id = trained
    assert_json_error(post_json(client, f"/api/runs/{run_id}/predict", body), field)


@pytest.mark.parametrize(("text", "field"), [('{"a": NaN, "b": 4}', "a"), ('{"a": 15, "b": Infinity}', "b"),
                                             ('{"a": -Infinity, "b": 4}', "a"), ('{"inputs": [[NaN, 4]]}', "inputs"),
                                             ('{"inputs": [[15, 4], [1, Infinity]]}', "inputs")])
def test_non_finite_questions_are_refused(trained, text, field):
    client, run_id = trained
    assert_json_error(post_raw(client, f"/api/runs/{run_id}/predict", text), field)


@pytest.mark.parametrize(("text", "content_type"), [("{bad", "application/json"), ("[15, 4]", "application/json"),
                                                    ("a=15&b=4", "application/x-www-form-urlencoded")])
def test_a_question_must_be_a_json_object(trained, text, content_type):
    client, run_id = trained
    resp = post_raw(client, f"/api/runs/{run_id}/predict", text, content_type=content_type)
    assert 400 <= resp.status_code < 500
    assert_json_error(resp, "body", status=resp.status_code)


def test_the_largest_inputs_and_a_full_batch_of_rows_are_answered(trained):
    client, run_id = trained
    resp = post_json(client, f"/api/runs/{run_id}/predict", {"inputs": [[1e9, -1e9]] + [[15, 4]] * 999})
    assert resp.status_code == 200
    body = resp.get_json()
    assert len(body["predictions"]) == 1000
    assert body["expected"][0] == [2e9, 0]
    assert all(finite(v) for row in body["predictions"] for v in row)


def test_a_question_answers_with_the_tasks_truth(trained):
    client, run_id = trained
    body = post_json(client, f"/api/runs/{run_id}/predict", {"a": 12.5, "b": 0.25}).get_json()
    assert body["expected"] == [[12.25, 12.75]]
    assert all(math.isfinite(v) for v in body["predictions"][0])


def test_the_run_is_unchanged_by_questions(trained):
    client, run_id = trained
    before = get_run(client, run_id)
    post_json(client, f"/api/runs/{run_id}/predict", {"a": 1, "b": 2})
    post_json(client, f"/api/runs/{run_id}/predict", {"a": "x"})
    assert get_run(client, run_id) == before


def test_a_run_still_training_reports_progress(client, dataset_id):
    run_id = start_run(client, dataset_id, epochs=1_000_000)
    run = wait_training(client, run_id)
    assert run["status"] == "running"
    assert 0 < run["epoch"] < run["epochs"] == 1_000_000
    later = wait_run(client, run_id, lambda r: r["epoch"] > run["epoch"])
    assert later["history"] and later["history"][-1]["epoch"] <= later["epoch"]
    post_json(client, f"/api/runs/{run_id}/stop", {})
    assert wait_finished(client, run_id)["status"] == "stopped"


def test_the_true_values_are_exact(trained):
    client, run_id = trained
    body = post_json(client, f"/api/runs/{run_id}/predict", {"inputs": [[123456789, 0], [0.1, 0.2]]}).get_json()
    assert body["expected"][0] == [123456789, 123456789]
    assert body["expected"][1] == pytest.approx([-0.1, 0.3], rel=1e-12)
