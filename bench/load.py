"""Load: 20 runs submitted at once by 5 owners to the production server (gunicorn, as `make serve`), while
people keep loading their home page and asking for predictions and a page watches each run live.
Target: every run finishes, and p95 of GET / and predict stays under 200 ms while they train.
The baseline is the same requests on the same server with nothing training, measured in this run."""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from pathlib import Path

from tests.server.client import Client, Server

from .common import title

OWNERS, RUNS_EACH = 5, 4
EPOCHS = 200_000          # ~1 s alone on one core; 20 of them queue on 2 workers
P95_TARGET_MS = 200.0


def _p95(ms: list[float]) -> float:
    return statistics.quantiles(ms, n=20)[-1] if len(ms) >= 20 else max(ms)


def _probe(owner: Client, run_id: int, until: threading.Event, out: dict):
    """One person: the home page, then a prediction, again and again, a short pause between."""
    while not until.is_set():
        _, _, t = owner.request("GET", "/")
        out["home"].append(1000 * t)
        status, _, t = owner.request("POST", f"/api/runs/{run_id}/predict", {"a": 15, "b": 4})
        assert status == 200, status
        out["predict"].append(1000 * t)
        time.sleep(0.05)


def _watch(owner: Client, run_id: int, until: threading.Event, events: list):
    """A run page left open: read its event stream until the run ends."""
    try:
        with owner.opener.open(f"{owner.base}/runs/{run_id}/events", timeout=120) as stream:
            for line in stream:
                if line.startswith(b"event: "):
                    events.append(line)
                if until.is_set() or line.startswith(b"event: done"):
                    return
    except OSError:
        return


def _measure(owners, probe_runs, seconds=None, until=None, threads_each=1):
    out = {"home": [], "predict": []}
    until = until or threading.Event()
    probes = [threading.Thread(target=_probe, args=(o, r, until, out)) for o, r in zip(owners, probe_runs, strict=True)
              for _ in range(threads_each)]
    for t in probes:
        t.start()
    if seconds:
        time.sleep(seconds)
        until.set()
    for t in probes:
        t.join()
    return out


def _finished_run(owner: Client) -> int:
    _, ds, _ = owner.request("POST", "/api/datasets", {})
    _, run, _ = owner.request("POST", "/api/runs", {"dataset_id": ds["id"], "epochs": 3000})
    while owner.get(f"/api/runs/{run['id']}")[1]["status"] != "completed":
        time.sleep(0.1)
    return ds["id"], run["id"]


def main() -> dict:
    title(f"4. load: {OWNERS * RUNS_EACH} runs from {OWNERS} owners, gunicorn, while pages and predictions go on")
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp) / "load.db").start()
        try:
            return _run(server)
        finally:
            server.stop()


def _run(server: Server) -> dict:
    owners = [Client(server.url) for _ in range(OWNERS)]
    setup = [_finished_run(o) for o in owners]
    idle = _measure(owners, [r for _, r in setup], seconds=5)

    started = time.perf_counter()
    submitted = []
    for owner, (ds_id, _) in zip(owners, setup, strict=True):
        for k in range(RUNS_EACH):
            status, run, _ = owner.request("POST", "/api/runs", {"dataset_id": ds_id, "epochs": EPOCHS, "seed": k})
            assert status == 202, (status, run)
            submitted.append((owner, run["id"]))
    done = threading.Event()
    events: list = []
    watchers = [threading.Thread(target=_watch, args=(owner, rid, done, events)) for owner, rid in submitted]
    for w in watchers:
        w.start()
    busy_out = {}
    prober = threading.Thread(target=lambda: busy_out.update(_measure(owners, [r for _, r in setup], until=done)))
    prober.start()
    statuses = _wait_all(submitted)
    took = time.perf_counter() - started
    done.set()
    prober.join()
    for w in watchers:
        w.join()
    print(f"  {len(watchers)} pages watched the runs live and received {len(events)} events")
    return _report(idle, busy_out, statuses, took)


def _wait_all(submitted, timeout=600):
    deadline = time.monotonic() + timeout
    statuses = {}
    while time.monotonic() < deadline and len(statuses) < len(submitted):
        for owner, rid in submitted:
            if rid not in statuses:
                s = owner.get(f"/api/runs/{rid}")[1]["status"]
                if s not in ("queued", "running"):
                    statuses[rid] = s
        time.sleep(0.5)
    return statuses


def _report(idle, busy, statuses, took) -> dict:
    completed = sum(s == "completed" for s in statuses.values())
    total = OWNERS * RUNS_EACH
    print(f"  runs completed: {completed} of {total} in {took:.1f} s")
    print(f"  {'request':<10}{'idle p50':>10}{'idle p95':>10}{'busy p50':>10}{'busy p95':>10}{'busy max':>10}"
          f"{'n busy':>8}{'p95 ratio':>11}")
    summary = {f"load: runs completed of {total}": f"{completed} in {took:.0f} s"}
    for name in ("home", "predict"):
        a, b = idle[name], busy[name]
        ratio = _p95(b) / _p95(a)
        print(f"  {name:<10}{statistics.median(a):>9.1f}ms{_p95(a):>8.1f}ms{statistics.median(b):>8.1f}ms"
              f"{_p95(b):>8.1f}ms{max(b):>8.1f}ms{len(b):>8}{ratio:>10.1f}x")
        verdict = "met" if _p95(b) < P95_TARGET_MS else "NOT met"
        summary[f"load: p95 {name} while training (target < {P95_TARGET_MS:.0f} ms)"] = \
            f"{_p95(b):.1f} ms ({verdict}; idle {_p95(a):.1f} ms)"
    return summary


if __name__ == "__main__":
    main()
