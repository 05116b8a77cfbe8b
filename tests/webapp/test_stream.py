"""GET /runs/<id>/events: server-sent events with an HTML fragment each, `progress` while training and a
final `done`; heartbeat comments while nothing changes."""

from __future__ import annotations

import re

import pytest

from .helpers import (
    EventStream,
    create_dataset,
    get_run,
    parse_html,
    post_json,
    start_run,
    wait_finished,
    wait_run,
    wait_training,
)


def epoch_shown(fragment) -> int:
    match = re.search(r"epoch (\d+) of (\d+)", fragment.one("#epoch").text)
    assert match, fragment.one("#epoch").text
    return int(match.group(1))


def test_a_finished_run_streams_one_done_event(client, dataset_id):
    run_id = start_run(client, dataset_id, epochs=50)
    run = wait_finished(client, run_id)
    with EventStream(client, f"/runs/{run_id}/events") as stream:
        assert stream.response.status_code == 200
        assert stream.response.mimetype == "text/event-stream"
        assert stream.response.headers["X-Accel-Buffering"] == "no"
        events = stream.read_until("done")
        assert [e.event for e in events if e.event] == ["done"]
        fragment = parse_html(events[-1].data)
        assert fragment.one("#status").text == "completed"
        assert epoch_shown(fragment) == 50
        assert fragment.one("#test-loss").text not in ("", "–")
        assert float(fragment.one("#test-loss").text) == pytest.approx(run["test_loss"], rel=1e-2)
        assert not fragment.select("html"), "each event carries a fragment, not a page"
        assert stream.next_event() is None, "the stream ends after done"


def test_a_running_run_streams_progress_then_done(client, dataset_id):
    run_id = start_run(client, dataset_id, epochs=1_000_000)
    wait_training(client, run_id)
    with EventStream(client, f"/runs/{run_id}/events") as stream:
        assert stream.response.mimetype == "text/event-stream"
        assert stream.response.headers["X-Accel-Buffering"] == "no"
        shown = []
        for _ in range(3):
            event = stream.read_until("progress")[-1]
            fragment = parse_html(event.data)
            assert fragment.one("#status").text == "running"
            assert fragment.select("#stop")
            shown.append(epoch_shown(fragment))
        assert shown == sorted(shown) and shown[-1] > 0
        assert shown[-1] < 1_000_000

        post_json(client, f"/api/runs/{run_id}/stop", {})
        events = stream.read_until("done")
        assert all(e.event in (None, "progress") for e in events[:-1])
        fragment = parse_html(events[-1].data)
        assert fragment.one("#status").text == "stopped"
        assert "Stopped" in fragment.one("#verdict").text
        assert epoch_shown(fragment) == get_run(client, run_id)["epoch"] >= shown[-1]


def test_a_run_that_finishes_while_watched_streams_progress_then_done(client, dataset_id):
    run_id = start_run(client, dataset_id, epochs=200_000)
    with EventStream(client, f"/runs/{run_id}/events") as stream:
        events = stream.read_until("done")
    names = [e.event for e in events if e.event]
    assert names[-1] == "done"
    assert "progress" in names
    assert names.count("done") == 1
    final = parse_html(events[-1].data)
    assert final.one("#status").text == "completed"
    assert epoch_shown(final) == 200_000
    assert "learned" in final.one("#verdict").text


def test_two_watchers_both_get_done(client, dataset_id):
    run_id = start_run(client, dataset_id, epochs=1_000_000)
    wait_training(client, run_id)
    with EventStream(client, f"/runs/{run_id}/events") as one, EventStream(client, f"/runs/{run_id}/events") as two:
        one.read_until("progress")
        two.read_until("progress")
        post_json(client, f"/api/runs/{run_id}/stop", {})
        for stream in (one, two):
            fragment = parse_html(stream.read_until("done")[-1].data)
            assert fragment.one("#status").text == "stopped"


def test_a_waiting_run_streams_heartbeats_until_it_is_stopped(single_worker_client):
    client = single_worker_client   # SSE_HEARTBEAT_SECONDS=0.1
    ds = create_dataset(client)
    first = start_run(client, ds, epochs=1_000_000)
    wait_run(client, first, lambda r: r["status"] == "running")
    second = start_run(client, ds, epochs=1_000_000)
    with EventStream(client, f"/runs/{second}/events") as stream:
        first_event = stream.read_until("progress")[-1]
        assert "position 1" in parse_html(first_event.data).one("#status").text
        beats = 0
        while beats < 2:
            block = stream.next_event()
            assert block is not None and block.event is None, block
            beats += block.comment == "heartbeat"
        post_json(client, f"/api/runs/{second}/stop", {})
        done = stream.read_until("done", timeout=10)[-1]
        assert "stopped" in parse_html(done.data).one("#status").text
    post_json(client, f"/api/runs/{first}/stop", {})
    wait_finished(client, first)


def test_an_unknown_run_has_no_stream(client):
    assert client.get("/runs/1/events").status_code == 404
    assert client.get("/runs/0/events").status_code == 404


def test_a_waiting_runs_page_sees_its_place_in_line_move_up(single_worker_client):
    client = single_worker_client
    ds = create_dataset(client)
    first = start_run(client, ds, epochs=1_000_000)
    wait_run(client, first, lambda r: r["status"] == "running")
    second = start_run(client, ds, epochs=1_000_000)
    third = start_run(client, ds, epochs=1_000_000)
    assert get_run(client, third)["position"] == 2
    with EventStream(client, f"/runs/{third}/events") as stream:
        post_json(client, f"/api/runs/{second}/stop", {})   # the one ahead leaves the line
        moved = stream.read_until("progress", timeout=10)[-1]
        assert "position 1" in parse_html(moved.data).one("#status").text
        post_json(client, f"/api/runs/{first}/stop", {})    # the running one ends: the third starts
        started = stream.read_until("progress", timeout=20)[-1]
        while "running" not in parse_html(started.data).one("#status").text:
            started = stream.read_until("progress", timeout=20)[-1]
        post_json(client, f"/api/runs/{third}/stop", {})
        stream.read_until("done", timeout=20)
    wait_finished(client, first)
