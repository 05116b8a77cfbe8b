"""The database: SQLAlchemy tables and every query the app makes. DATABASE_URL picks the engine."""

from __future__ import annotations

import io
import json
import secrets
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine, make_url

import nn

metadata = MetaData()

datasets = Table(
    "datasets", metadata,
    Column("id", Integer, primary_key=True),
    Column("owner", String(64), index=True),
    Column("created_at", DateTime, nullable=False),
    Column("task", String(32)),                 # None for imported data
    Column("params", JSON, nullable=False),     # what generated it: n, ranges, noise, test_fraction, seed
    Column("output_names", JSON, nullable=False),
    Column("n_train", Integer, nullable=False),
    Column("n_test", Integer, nullable=False),
    Column("arrays", LargeBinary, nullable=False),  # npz of x_train, y_train, x_test, y_test
)

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("owner", String(64), index=True),
    Column("dataset_id", ForeignKey("datasets.id"), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("config", JSON, nullable=False),
    Column("status", String(16), nullable=False),   # queued running completed stopped diverged failed interrupted
    Column("epoch", Integer, nullable=False, default=0),
    Column("epochs", Integer, nullable=False),
    Column("train_loss", Float),
    Column("test_loss", Float),
    Column("findings", JSON, nullable=False),       # nn.diagnose before training
    Column("baseline_loss", Float),                 # test MSE of always answering the mean
    Column("message", Text),                        # why it diverged or failed
    Column("model", Text),                          # nn.model_to_dict JSON: latest checkpoint or final
    Column("checkpoint_epoch", Integer),            # the epoch `model` was saved at
    Column("share_token", String(64), unique=True), # /share/<token>: read-only view for anyone with it
    Column("step_state", JSON),                     # step mode: the optimizer's memory between steps
    Column("last_step", JSON),                      # step mode: each weight's value, gradient and update
)

history = Table(
    "history", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("runs.id"), nullable=False, index=True),
    Column("epoch", Integer, nullable=False),
    Column("train_loss", Float, nullable=False),
    Column("test_loss", Float, nullable=False),
)

MODEL_CACHE_SIZE = 64
ACTIVE = ("queued", "running")
RESUMABLE = ("stopped", "interrupted")
INTERRUPTED = "The server stopped while this run was training. Resume continues from its last checkpoint."


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)   # a new lab starts in an empty folder
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record):
            # WAL: readers (pages, streams) never wait for the training threads' writes.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
    else:
        engine = create_engine(url, pool_pre_ping=True)
    metadata.create_all(engine)
    return engine


class Store:
    """Reads and writes datasets, runs and loss history. One instance per app, safe across threads."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._models: OrderedDict = OrderedDict()   # (run id, checkpoint epoch, status) -> nn.Model
        self._models_lock = threading.Lock()

    # -- datasets --------------------------------------------------------------------------------------
    def add_dataset(self, ds: nn.Dataset, owner: str | None = None) -> int:
        buf = io.BytesIO()
        np.savez(buf, x_train=ds.x_train, y_train=ds.y_train, x_test=ds.x_test, y_test=ds.y_test)
        with self.engine.begin() as c:
            return c.execute(insert(datasets).values(
                owner=owner, created_at=now(), task=ds.task, params=_jsonable(ds.meta),
                output_names=list(ds.output_names), n_train=len(ds.x_train), n_test=len(ds.x_test),
                arrays=buf.getvalue())).inserted_primary_key[0]

    def dataset_row(self, dataset_id: int):
        with self.engine.connect() as c:
            return c.execute(select(datasets).where(datasets.c.id == dataset_id)).mappings().first()

    def dataset_info(self, dataset_id: int):
        """A dataset's row without its arrays: what pages and live updates need, several times a second."""
        columns = [col for col in datasets.c if col.name != "arrays"]
        with self.engine.connect() as c:
            return c.execute(select(*columns).where(datasets.c.id == dataset_id)).mappings().first()

    def load_dataset(self, dataset_id: int) -> nn.Dataset | None:
        row = self.dataset_row(dataset_id)
        return None if row is None else dataset_from_row(row)

    def list_datasets(self, owner: str | None = None):
        q = select(datasets.c.id, datasets.c.created_at, datasets.c.task, datasets.c.params,
                   datasets.c.n_train, datasets.c.n_test, datasets.c.output_names).order_by(datasets.c.id.desc())
        with self.engine.connect() as c:
            return c.execute(_owned(q, datasets, owner)).mappings().all()

    # -- runs ------------------------------------------------------------------------------------------
    def add_run(self, dataset_id: int, config: dict, findings: list[dict], baseline_loss: float,
                owner: str | None = None, draft: tuple[nn.Model, dict] | None = None) -> int:
        """A queued run, or with draft=(initial model, its losses at epoch 0) one waiting to be stepped."""
        values = dict(owner=owner, dataset_id=dataset_id, created_at=now(), config=config, status="queued",
                      epoch=0, epochs=config["epochs"], findings=findings, baseline_loss=baseline_loss)
        if draft is not None:
            values.update(status="draft", model=json.dumps(nn.model_to_dict(draft[0])), checkpoint_epoch=0,
                          **draft[1])
        with self.engine.begin() as c:
            run_id = c.execute(insert(runs).values(**values)).inserted_primary_key[0]
            if draft is not None:
                c.execute(insert(history), [dict(run_id=run_id, epoch=0, **draft[1])])
            return run_id

    def add_imported_run(self, dataset_id: int, model: nn.Model, config: dict, losses: dict, baseline_loss: float,
                         owner: str | None = None) -> int:
        """An uploaded model: a finished run that never trained here, with one loss point on its dataset."""
        with self.engine.begin() as c:
            run_id = c.execute(insert(runs).values(
                owner=owner, dataset_id=dataset_id, created_at=now(), finished_at=now(), config=config,
                status="imported", epochs=0, findings=[], baseline_loss=baseline_loss,
                checkpoint_epoch=0, model=json.dumps(nn.model_to_dict(model)), **losses)).inserted_primary_key[0]
            c.execute(insert(history), [dict(run_id=run_id, **losses)])
            return run_id

    def run(self, run_id: int):
        with self.engine.connect() as c:
            return c.execute(select(runs).where(runs.c.id == run_id)).mappings().first()

    def run_by_token(self, token: str):
        with self.engine.connect() as c:
            return c.execute(select(runs).where(runs.c.share_token == token)).mappings().first()

    def share(self, run_id: int) -> str:
        """The run's share token, made on first use."""
        with self.engine.begin() as c:
            token = c.execute(select(runs.c.share_token).where(runs.c.id == run_id)).scalar_one()
            if token is None:
                token = secrets.token_urlsafe(24)
                c.execute(update(runs).where(runs.c.id == run_id).values(share_token=token))
            return token

    def list_runs(self, owner: str | None = None):
        q = select(runs.c.id, runs.c.dataset_id, runs.c.created_at, runs.c.config, runs.c.status,
                   runs.c.epoch, runs.c.epochs, runs.c.train_loss, runs.c.test_loss).order_by(runs.c.id.desc())
        with self.engine.connect() as c:
            return c.execute(_owned(q, runs, owner)).mappings().all()

    def update_run(self, run_id: int, **values) -> None:
        with self.engine.begin() as c:
            c.execute(update(runs).where(runs.c.id == run_id).values(**values))

    def record_progress(self, run_id: int, points: list[dict], checkpoint: tuple[int, nn.Model] | None = None,
                        **values) -> None:
        """Append loss points, maybe save a checkpoint (epoch, model), move the run on: one transaction."""
        if points:
            last = points[-1]
            values.update(epoch=last["epoch"], train_loss=_finite(last["train_loss"]),
                          test_loss=_finite(last["test_loss"]))
        if checkpoint is not None:
            values.update(checkpoint_epoch=checkpoint[0], model=json.dumps(nn.model_to_dict(checkpoint[1])))
        with self.engine.begin() as c:
            if points:
                c.execute(insert(history), [dict(run_id=run_id, epoch=p["epoch"], train_loss=p["train_loss"],
                                                 test_loss=p["test_loss"]) for p in points])
            if values:
                c.execute(update(runs).where(runs.c.id == run_id).values(**values))

    def replace_history(self, run_id: int, points: list[dict], since_epoch: int = 0) -> None:
        """Replace the loss points from since_epoch on (a resumed run keeps what came before)."""
        with self.engine.begin() as c:
            c.execute(delete(history).where(history.c.run_id == run_id, history.c.epoch >= since_epoch))
            if points:
                c.execute(insert(history), [dict(run_id=run_id, **p) for p in points])

    def finish_run(self, run_id: int, points: list[dict], since_epoch: int, checkpoint: tuple[int, nn.Model],
                   **values) -> None:
        """A run's end in one transaction: its full history from since_epoch, final model and status."""
        values.update(checkpoint_epoch=checkpoint[0], model=json.dumps(nn.model_to_dict(checkpoint[1])))
        with self.engine.begin() as c:
            c.execute(delete(history).where(history.c.run_id == run_id, history.c.epoch >= since_epoch))
            c.execute(insert(history), [dict(run_id=run_id, **p) for p in points])
            c.execute(update(runs).where(runs.c.id == run_id).values(**values))

    def history(self, run_id: int) -> list[dict]:
        q = (select(history.c.epoch, history.c.train_loss, history.c.test_loss)
             .where(history.c.run_id == run_id).order_by(history.c.epoch, history.c.id))
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(q).mappings()]

    def model_of(self, row) -> nn.Model | None:
        """The run row's saved model, parsed once per checkpoint: predictions come in bursts."""
        if row["model"] is None:
            return None
        key = (row["id"], row["checkpoint_epoch"], row["status"])
        with self._models_lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
        model = nn.model_from_dict(json.loads(row["model"]))
        with self._models_lock:
            self._models[key] = model
            while len(self._models) > MODEL_CACHE_SIZE:
                self._models.popitem(last=False)
        return model

    def interrupt_active_runs(self) -> list[int]:
        """After a restart nothing is training: queued or running runs were cut off."""
        with self.engine.begin() as c:
            ids = list(c.execute(select(runs.c.id).where(runs.c.status.in_(ACTIVE))).scalars())
            if ids:
                c.execute(update(runs).where(runs.c.id.in_(ids)).values(status="interrupted", message=INTERRUPTED))
            return ids

    def count_runs(self, **where) -> int:
        q = select(func.count()).select_from(runs)
        for k, v in where.items():
            q = q.where(runs.c[k].in_(v) if isinstance(v, (list, tuple)) else runs.c[k] == v)
        with self.engine.connect() as c:
            return c.execute(q).scalar_one()


def dataset_from_row(row) -> nn.Dataset:
    with np.load(io.BytesIO(row["arrays"])) as z:
        parts = [z[k] for k in ("x_train", "y_train", "x_test", "y_test")]
    return nn.Dataset(*parts, task=row["task"], output_names=tuple(row["output_names"]), meta=dict(row["params"]))


def _owned(q, table, owner):
    return q if owner is None else q.where(table.c.owner == owner)


def _finite(v):
    return v if v is not None and np.isfinite(v) else None


def _jsonable(meta: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in meta.items()}
