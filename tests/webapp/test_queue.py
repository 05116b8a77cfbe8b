"""With one worker, runs wait in line: their position shows, they can be stopped while waiting, and a
run that never trained has nothing to predict with (409)."""

from __future__ import annotations

from .helpers import (
    assert_json_error,
    create_dataset,
    get_run,
    parse_html,
    post_json,
    start_run,
    wait_finished,
    wait_run,
)


def test_runs_wait_in_line_and_can_leave_it(single_worker_client):
    client = single_worker_client
    ds = create_dataset(client)
    first = start_run(client, ds, epochs=1_000_000)
    wait_run(client, first, lambda r: r["status"] == "running")

    resp = post_json(client, "/api/runs", {"dataset_id": ds, "epochs": 1_000_000})
    assert resp.status_code == 202
    assert resp.get_json()["status"] == "queued"
    second = resp.get_json()["id"]
    third = start_run(client, ds, epochs=1_000_000)

    run = get_run(client, second)
    assert run["status"] == "queued"
    assert run["position"] == 1
    assert run["epoch"] == 0
    assert get_run(client, third)["position"] == 2

    page = parse_html(client.get(f"/runs/{second}"))
    status = page.one("#status").text
    assert "queued" in status and "position 1" in status
    assert page.select("#stop"), "a waiting run can be stopped from its page"
    assert "position 2" in parse_html(client.get(f"/runs/{third}")).one("#status").text

    home = parse_html(client.get("/"))
    assert "queued" in home.one("#runs").text

    # it has never trained: nothing to predict with, through the API or the page
    resp = post_json(client, f"/api/runs/{second}/predict", {"a": 15, "b": 4})
    assert_json_error(resp, (None, "model", "run", "status"), status=409)
    resp = client.post(f"/runs/{second}/predict", data={"a": "15", "b": "4"})
    assert resp.status_code == 409
    assert parse_html(resp).select("#prediction .error")
    resp = client.post(f"/runs/{second}/predict", data={"a": "15", "b": "4"}, headers={"HX-Request": "true"})
    assert resp.status_code == 409
    assert parse_html(resp).one("#prediction .error").text

    # leaving the line: stopped at once, and the one behind moves up
    resp = post_json(client, f"/api/runs/{second}/stop", {})
    assert resp.status_code == 200
    assert resp.get_json()["stopping"] is True
    stopped = wait_run(client, second, lambda r: r["status"] == "stopped", timeout=10)
    assert stopped["position"] is None
    assert stopped["epoch"] == 0
    assert get_run(client, third)["position"] == 1
    assert get_run(client, first)["status"] == "running"
    assert post_json(client, f"/api/runs/{second}/predict", {"a": 15, "b": 4}).status_code == 409
    assert "stopped" in parse_html(client.get(f"/runs/{second}")).one("#status").text

    # the running one ends, the next in line starts
    post_json(client, f"/api/runs/{first}/stop", {})
    assert wait_finished(client, first)["status"] == "stopped"
    wait_run(client, third, lambda r: r["status"] == "running")
    assert get_run(client, third)["position"] is None
    post_json(client, f"/api/runs/{third}/stop", {})
    assert wait_finished(client, third)["status"] == "stopped"


def test_a_waiting_run_stopped_from_its_page(single_worker_client):
    client = single_worker_client
    ds = create_dataset(client)
    first = start_run(client, ds, epochs=1_000_000)
    wait_run(client, first, lambda r: r["status"] == "running")
    second = start_run(client, ds, epochs=1_000_000)
    assert get_run(client, second)["status"] == "queued"

    resp = client.post(f"/runs/{second}/stop", headers={"HX-Request": "true"})
    assert resp.status_code == 200
    fragment = parse_html(resp)
    assert not fragment.select("html")
    assert "stopped" in fragment.one("#status").text
    assert not fragment.select("#stop"), "a stopped run offers no Stop button"
    assert get_run(client, second)["status"] == "stopped"

    resp = client.post(f"/runs/{first}/stop")
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"/runs/{first}")
    assert wait_finished(client, first)["status"] == "stopped"
