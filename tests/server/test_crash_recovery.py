"""kill -9 in the middle of training: the next start keeps the run's history and checkpoint, predicts from
it, and resumes it to the end. A real gunicorn process, a real SQLite file."""

import pytest

from tests.conftest import wait_for
from tests.server.client import Client, Server


@pytest.fixture
def db(tmp_path):
    return tmp_path / "crash.db"


def test_run_survives_sigkill_and_resumes(db):
    first = Server(db).start()
    try:
        browser = Client(first.url)
        status, ds = browser.post("/api/datasets", {})
        assert status == 201
        status, run = browser.post("/api/runs", {"dataset_id": ds["id"], "epochs": 1_000_000})
        assert status == 202
        rid = run["id"]

        def checkpointed():
            s, r = browser.get(f"/api/runs/{rid}")
            return r if r["status"] == "running" and (r["checkpoint_epoch"] or 0) > 0 else None
        before = wait_for(checkpointed, timeout=90)
    finally:
        first.kill()

    second = Server(db, port=first.port).start()   # same address: the browser's cookie still applies
    try:
        status, after = browser.get(f"/api/runs/{rid}")
        assert status == 200
        assert after["status"] == "interrupted"
        assert "stopped while this run was training" in after["error"]
        assert after["checkpoint_epoch"] >= before["checkpoint_epoch"] > 0
        epochs = [p["epoch"] for p in after["history"]]
        assert epochs[0] == 0 and epochs[-1] >= after["checkpoint_epoch"]

        status, answer = browser.post(f"/api/runs/{rid}/predict", {"a": 15, "b": 4})
        assert status == 200
        assert answer["predictions"][0] == pytest.approx([11, 19], abs=0.1)

        status, resumed = browser.post(f"/api/runs/{rid}/resume")
        assert status == 202
        assert resumed["status"] in ("queued", "running")

        def finished():
            s, r = browser.get(f"/api/runs/{rid}")
            return r if r["status"] not in ("queued", "running") else None
        done = wait_for(finished, timeout=180)
        assert done["status"] == "completed"
        assert done["epoch"] == 1_000_000
        epochs = [p["epoch"] for p in done["history"]]
        assert epochs == sorted(epochs) and epochs[0] == 0 and epochs[-1] == 1_000_000
        assert len(epochs) == len(set(epochs))
        # the history from before the crash is still there, up to the checkpoint it resumed from
        assert after["checkpoint_epoch"] in epochs
        assert done["test_loss"] < 1e-3
    finally:
        second.stop()
