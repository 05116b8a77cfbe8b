"""A server restart (a new app on the same database): runs cut off are marked, finished ones stay watchable."""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest

from tests.conftest import make_test_app

from .helpers import (
    EventStream,
    create_dataset,
    get_run,
    parse_html,
    post_json,
    start_run,
    wait_finished,
    wait_training,
)


@contextmanager
def lab(tmp_path, cookie=None, **config):
    """An app on tmp_path's database and a client; `cookie` carries the browser's session across a restart."""
    app = make_test_app(tmp_path, WTF_CSRF_ENABLED=False, **config)
    try:
        client = app.test_client()
        if cookie is not None:
            client.set_cookie(cookie.key, cookie.value)
        yield client
    finally:
        app.extensions["tinynet_runner"].shutdown()


def session_cookie(client):
    return client.get_cookie("session")


def test_a_run_cut_off_by_a_restart_is_interrupted_with_its_history(tmp_path):
    with lab(tmp_path) as client:
        run_id = start_run(client, create_dataset(client), epochs=1_000_000)
        wait_training(client, run_id)
        cookie = session_cookie(client)
    # the server is down; a new one starts on the same database
    with lab(tmp_path, cookie) as client:
        run = get_run(client, run_id)
        assert run["status"] == "interrupted"
        assert run["error"]
        assert run["history"] and 0 < run["epoch"] < 1_000_000
        page = parse_html(client.get(f"/runs/{run_id}"))
        assert page.one("#status").text == "interrupted"
        assert "Interrupted" in page.one("#verdict").text


def test_a_finished_run_keeps_its_results_across_a_restart(tmp_path):
    with lab(tmp_path) as client:
        run_id = start_run(client, create_dataset(client), epochs=300)
        before = wait_finished(client, run_id)
        answer = post_json(client, f"/api/runs/{run_id}/predict", {"a": 15, "b": 4}).get_json()
        cookie = session_cookie(client)
    with lab(tmp_path, cookie) as client:
        after = get_run(client, run_id)
        assert after == before
        again = post_json(client, f"/api/runs/{run_id}/predict", {"a": 15, "b": 4})
        assert again.status_code == 200
        assert again.get_json()["predictions"][0] == pytest.approx(answer["predictions"][0])


def test_after_a_restart_a_finished_runs_stream_ends_at_once(tmp_path):
    with lab(tmp_path) as client:
        run_id = start_run(client, create_dataset(client), epochs=50)
        wait_finished(client, run_id)
        cookie = session_cookie(client)
    # A browser tab left open reconnects its EventSource to the new server.
    with lab(tmp_path, cookie, SSE_HEARTBEAT_SECONDS=3.0) as client:
        started = time.monotonic()
        with EventStream(client, f"/runs/{run_id}/events") as stream:
            done = stream.read_until("done")[-1]
        assert parse_html(done.data).one("#status").text == "completed"
        assert time.monotonic() - started < 1.0


def test_two_labs_in_one_process_answer_with_their_own_networks(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with lab(tmp_path / "a") as linear, lab(tmp_path / "b") as notebook:
        # both databases get a run 1 trained for 301 epochs (a count no other test uses); only the networks differ
        one = start_run(linear, create_dataset(linear), epochs=301)
        two = start_run(notebook, create_dataset(notebook), epochs=301, activations=["sigmoid", "sigmoid"],
                        optimizer="sgd", learning_rate=10, normalize=False)
        assert one == two
        wait_finished(linear, one)
        wait_finished(notebook, two)
        sigmoid = post_json(notebook, f"/api/runs/{two}/predict", {"a": 15, "b": 4}).get_json()["predictions"][0]
        assert all(0 <= v <= 1 for v in sigmoid), "a sigmoid output stays within [0, 1]"
        learned = post_json(linear, f"/api/runs/{one}/predict", {"a": 15, "b": 4}).get_json()["predictions"][0]
        assert learned == pytest.approx([11, 19], abs=0.5)
