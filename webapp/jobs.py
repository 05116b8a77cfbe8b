"""The one place that knows how trainings run: a bounded pool of worker threads in this process,
a first-in-first-out queue, stop requests, and live updates for whoever watches a run.

The web side only calls submit, stop, subscribe and position; a Celery pool could stand behind the
same calls later.
"""

from __future__ import annotations

import atexit
import json
import logging
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field

import nn

from .db import INTERRUPTED, Store, now

log = logging.getLogger(__name__)
WRITE_SECONDS = 1.0        # how often a running run's new loss points are written to the database
CHECKPOINT_SECONDS = 2.0   # how often its parameters are, so a crash loses at most this much training


@dataclass
class Live:
    """What watchers see of one run: its status and the loss points so far."""
    run_id: int
    status: str = "queued"
    epoch: int = 0
    epochs: int = 0
    train_loss: float | None = None
    test_loss: float | None = None
    history: list = field(default_factory=list)
    model: nn.Model | None = None      # the latest parameters, for the live network diagram
    version: int = 0

    @property
    def finished(self) -> bool:
        return self.status not in ("queued", "running")


class Subscription:
    """Coalescing mailbox: a watcher always gets the newest state, never a backlog."""

    def __init__(self, runner: Runner, run_id: int):
        self.runner, self.run_id = runner, run_id
        self._changed = threading.Event()
        self._seen = -1

    def notify(self):
        self._changed.set()

    def next(self, timeout: float) -> Live | None:
        """The run's state if it changed since the last call, else None after `timeout` seconds."""
        live = self.runner.live(self.run_id)
        if live is not None and live.version != self._seen:
            self._seen = live.version
            return live
        self._changed.wait(timeout)
        self._changed.clear()
        live = self.runner.live(self.run_id)
        if live is None or live.version == self._seen:
            return None
        self._seen = live.version
        return live

    def close(self):
        self.runner._unsubscribe(self)


class Runner:
    def __init__(self, store: Store, workers: int = 2):
        self.store = store
        self.workers = max(1, workers)
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)
        self._queue: deque[int] = deque()
        self._live: dict[int, Live] = {}
        self._stopping: set[int] = set()
        self._subscribers: dict[int, set[Subscription]] = {}
        self._threads: list[threading.Thread] = []
        self._closing = threading.Event()
        # A thread still inside XLA when the interpreter exits aborts the process: stop cleanly first.
        atexit.register(self.shutdown)

    # -- the web side's calls --------------------------------------------------------------------------
    def submit(self, run_id: int, epochs: int) -> None:
        with self._work:
            self._live[run_id] = Live(run_id, epochs=epochs)
            self._queue.append(run_id)
            self._start_workers()
            self._work.notify()
        self._publish(run_id)

    def stop(self, run_id: int) -> bool:
        """Ask a queued or running run to stop; it keeps its history and model. False if not active."""
        with self._lock:
            if run_id in self._queue:
                self._queue.remove(run_id)
                queued, moved_up = True, list(self._queue)
            elif run_id in self._live and not self._live[run_id].finished:
                self._stopping.add(run_id)
                return True
            else:
                return False
        if queued:
            self.store.update_run(run_id, status="stopped", finished_at=now())
            self._update(run_id, status="stopped")
            for waiting in moved_up:
                self._update(waiting)
        return True

    def subscribe(self, run_id: int) -> Subscription:
        """A mailbox that wakes on every change after now (the caller reads the current state itself)."""
        sub = Subscription(self, run_id)
        with self._lock:
            self._subscribers.setdefault(run_id, set()).add(sub)
            live = self._live.get(run_id)
            sub._seen = -1 if live is None else live.version
        return sub

    def position(self, run_id: int) -> int | None:
        """1 for the next run to start; None if the run is not waiting."""
        with self._lock:
            try:
                return self._queue.index(run_id) + 1
            except ValueError:
                return None

    def queue_length(self) -> int:
        with self._lock:
            return len(self._queue)

    def live(self, run_id: int) -> Live | None:
        with self._lock:
            return self._live.get(run_id)

    def shutdown(self, timeout: float = 30.0) -> None:
        """Stop every training (marked interrupted, history and checkpoint kept) and end the workers."""
        self._closing.set()
        with self._work:
            self._work.notify_all()
        for t in self._threads:
            t.join(timeout)

    # -- inside ----------------------------------------------------------------------------------------
    def _forget_old_runs(self):
        finished = [rid for rid, live in self._live.items() if live.finished and rid not in self._subscribers]
        for rid in finished[:-KEEP_FINISHED]:
            del self._live[rid]

    def _unsubscribe(self, sub: Subscription):
        with self._lock:
            subs = self._subscribers.get(sub.run_id, set())
            subs.discard(sub)
            if not subs:
                self._subscribers.pop(sub.run_id, None)

    def _publish(self, run_id: int):
        with self._lock:
            subs = list(self._subscribers.get(run_id, ()))
        for sub in subs:
            sub.notify()

    def _update(self, run_id: int, points=(), **values):
        with self._lock:
            live = self._live.setdefault(run_id, Live(run_id))
            for k, v in values.items():
                setattr(live, k, v)
            if points:
                live.history = live.history + list(points)   # a new list: readers may hold the old one
                last = points[-1]
                live.epoch, live.train_loss, live.test_loss = last["epoch"], last["train_loss"], last["test_loss"]
            live.version += 1
            if live.finished:
                self._stopping.discard(run_id)
        self._publish(run_id)

    def _start_workers(self):
        while len(self._threads) < self.workers:
            t = threading.Thread(target=self._work_loop, name=f"tinynet-worker-{len(self._threads)}", daemon=True)
            self._threads.append(t)
            t.start()

    def _work_loop(self):
        while True:
            with self._work:
                while not self._queue and not self._closing.is_set():
                    self._work.wait()
                if self._closing.is_set():
                    return
                run_id = self._queue.popleft()
                moved_up = list(self._queue)
            for waiting in moved_up:   # their pages show their place in line: it just changed
                self._update(waiting)
            try:
                self._train(run_id)
            except Exception as e:  # a bug must fail the run, never kill the worker or hide the cause
                log.exception("run %s failed", run_id)
                self.store.update_run(run_id, status="failed", finished_at=now(),
                                      message=f"Training failed: {e.__class__.__name__}: {e}")
                self._update(run_id, status="failed")
                traceback.clear_frames(e.__traceback__)

    def _train(self, run_id: int):
        row = self.store.run(run_id)
        ds = self.store.load_dataset(row["dataset_id"])
        cfg = nn.TrainConfig.from_dict(row["config"])
        init, start = None, 0
        if row["model"] is not None and row["checkpoint_epoch"]:   # resuming from a checkpoint
            init, start = nn.model_from_dict(json.loads(row["model"])), row["checkpoint_epoch"]
        self.store.replace_history(run_id, [], since_epoch=start)   # training reports `start` again
        self.store.update_run(run_id, status="running", epoch=start, message=None, finished_at=None)
        self._update(run_id, status="running", epoch=start, history=self.store.history(run_id))
        pending: list[dict] = []
        last_write = last_checkpoint = time.monotonic()

        def on_progress(p):
            point = dict(epoch=p["epoch"], train_loss=p["train_loss"], test_loss=p["test_loss"])
            pending.append(point)
            self._update(run_id, [point])

        def on_model(epoch, model):
            nonlocal last_write, last_checkpoint
            self._update(run_id, model=model)
            now_ = time.monotonic()
            if now_ - last_write < WRITE_SECONDS:
                return
            checkpoint = (epoch, model) if now_ - last_checkpoint >= CHECKPOINT_SECONDS else None
            self.store.record_progress(run_id, pending[:], checkpoint)
            pending.clear()
            last_write = now_
            if checkpoint:
                last_checkpoint = now_

        def should_stop():
            return run_id in self._stopping or self._closing.is_set()

        result = nn.train(ds, cfg, on_progress=on_progress, should_stop=should_stop, on_model=on_model,
                          init=init, start_epoch=start)
        if result.status == "stopped" and run_id not in self._stopping:
            result.status, result.message = "interrupted", INTERRUPTED
        self._finish(run_id, result, start)

    def _finish(self, run_id: int, result: nn.TrainResult, start: int):
        last = result.history[-1]
        final = dict(epoch=last["epoch"], train_loss=last["train_loss"], test_loss=last["test_loss"])
        # every chunk's loss point replaces the throttled live ones
        self.store.finish_run(run_id, result.history, start, (last["epoch"], result.model), status=result.status,
                              message=result.message, finished_at=now(), **final)
        with self._lock:
            self._live[run_id].history = self.store.history(run_id)
            self._live[run_id].model = result.model
            self._forget_old_runs()
        self._update(run_id, status=result.status, **final)


KEEP_FINISHED = 100   # finished runs kept in memory for late watchers; the database has them all
