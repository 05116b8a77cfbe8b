"""What the HTML views and the JSON API both do: create datasets, start and stop runs, predict.

Views stay thin: they parse nothing by hand and call these with the raw request values.
"""

from __future__ import annotations

import secrets
import threading

import numpy as np
from flask import abort, current_app, g, session

import nn

from . import charts, forms
from .db import ACTIVE, RESUMABLE, Store, dataset_from_row
from .jobs import Runner


class NoModel(Exception):
    """The run has no trained parameters yet."""


class Refused(Exception):
    """A well-formed request the lab will not carry out now: (message, field, HTTP status)."""

    def __init__(self, message: str, field: str | None, status: int):
        super().__init__(message)
        self.message, self.field, self.status = message, field, status


def load_owner() -> None:
    """Every browser gets an anonymous owner id in its signed session cookie; its data is its own."""
    if "owner" not in session:
        session["owner"] = secrets.token_urlsafe(18)
        session.permanent = True
    g.owner = session["owner"]


def owner() -> str:
    return g.owner


def store() -> Store:
    return current_app.extensions["tinynet"]


def runner() -> Runner:
    return current_app.extensions["tinynet_runner"]


MAX_ID = 2**63 - 1   # SQLite's INTEGER; a longer number in a URL names nothing


def dataset_or_404(dataset_id: int):
    row = store().dataset_row(dataset_id) if dataset_id <= MAX_ID else None
    if row is None or row["owner"] != owner():   # someone else's is as absent as a missing one
        abort(404, description=f"There is no dataset {dataset_id}.")
    return row


def run_or_404(run_id: int):
    row = store().run(run_id) if run_id <= MAX_ID else None
    if row is None or row["owner"] != owner():
        abort(404, description=f"There is no run {run_id}.")
    return row


def shared_run_or_404(token: str):
    row = store().run_by_token(token) if token else None
    if row is None:
        abort(404, description="This share link does not lead to a run.")
    return row


def create_dataset(raw, source) -> int:
    values = forms.parse_dataset(raw, source, current_app.config["MAX_SAMPLES"])
    try:
        ds = forms.make_dataset(values)
    except nn.ConfigError as e:   # should not happen after parse_dataset; still a clear 4xx, not a 500
        raise forms.Invalid({_dataset_field(e.field): e.message}) from None
    return store().add_dataset(ds, owner())


def _dataset_field(field: str) -> str:
    return {"a_range": "a_max", "b_range": "b_max"}.get(field, field)


def check_run(raw, source) -> tuple[dict, nn.TrainConfig, nn.Dataset]:
    """Validate a run request against its dataset; raises forms.Invalid naming the field."""
    values = forms.parse_run(raw, source, current_app.config)
    row = store().dataset_row(values["dataset_id"])
    ds = None if row is None or row["owner"] != owner() else dataset_from_row(row)
    if ds is None:
        raise forms.Invalid({"dataset_id": f"there is no dataset {values['dataset_id']}"})
    try:
        cfg = nn.TrainConfig.from_dict(values).validated(ds)
    except nn.ConfigError as e:
        raise forms.Invalid({e.field: e.message}) from None
    return values, cfg, ds


def start_run(raw, source, draft: bool = False) -> int:
    """A new run: queued for training, or (draft) waiting to be stepped through one epoch at a time."""
    values, cfg, ds = check_run(raw, source)
    if not draft:
        _check_capacity()
    findings = [f.__dict__ for f in nn.diagnose(ds, cfg)]
    initial = None
    if draft:
        model = nn.initial_model(ds, cfg)
        initial = (model, model_losses(model, ds))
    config = cfg.to_dict()
    config.pop("target_loss")   # early stopping is the library's, not a choice the lab offers (yet)
    run_id = store().add_run(values["dataset_id"], config, findings, baseline_loss(ds), owner(),
                             draft=initial)
    if not draft:
        runner().submit(run_id, cfg.epochs)
    return run_id


def model_losses(model: nn.Model, ds: nn.Dataset) -> dict:
    """A model's train and test MSE on a dataset, in raw units, as history points record them."""
    def mse(x, y):
        return float(np.mean((model.predict(x) - y) ** 2))
    return dict(train_loss=mse(ds.x_train, ds.y_train), test_loss=mse(ds.x_test, ds.y_test))


_stepping = threading.Lock()   # one step at a time: two quick clicks must not both start from the same weights


def step_run(row) -> None:
    """Step mode: one more epoch of a draft run, keeping each weight's gradient and update to show."""
    with _stepping:
        row = store().run(row["id"])
        if row["status"] != "draft":
            raise Refused(f"Only a run that has not started can be stepped; this one is {row['status']}.",
                          "status", 409)
        if row["epoch"] >= row["epochs"]:
            raise Refused("Every epoch is done; there is nothing left to step.", "epochs", 409)
        ds = store().load_dataset(row["dataset_id"])
        cfg = nn.TrainConfig.from_dict(row["config"])
        result = nn.step(ds, cfg, store().model_of(row), row["step_state"], row["epoch"])
        point = dict(epoch=result.epoch, train_loss=result.train_loss, test_loss=result.test_loss)
        store().record_progress(row["id"], [point], (result.epoch, result.model), step_state=result.state,
                                last_step=_step_rows(row, result), message=_diverged(result))


def _diverged(result) -> str | None:
    return ("That step made the loss blow up; the weights shown are the last good ones. Lower the learning "
            "rate." if result.diverged else None)


def _step_rows(row, result) -> dict:
    """Per weight: its value before, its gradient, its update and its value after, to the last bit."""
    outputs = store().dataset_info(row["dataset_id"])["output_names"]
    names = charts.node_names(result.model.layers, ("a", "b"), outputs)
    rows = []
    for li, ((w, b), (gw, gb), (uw, ub)) in enumerate(zip(result.model.params, result.gradient, result.update,
                                                          strict=True)):
        for j in range(w.shape[1]):
            for i in range(w.shape[0]):
                rows.append(_step_row(li, names[li][i], names[li + 1][j], w[i, j], gw[i, j], uw[i, j]))
            rows.append(_step_row(li, "bias", names[li + 1][j], b[j], gb[j], ub[j]))
    return dict(epoch=result.epoch, loss_before=result.loss_before, rows=rows)


def _step_row(layer, src, dst, after, gradient, update) -> dict:
    after, update = np.float32(after), np.float32(update)
    return dict(layer=layer + 1, src=src, dst=dst, before=float(after - update), gradient=float(gradient),
                delta=float(update), after=float(after))


def start_draft(row) -> None:
    """Train the rest of a stepped run: it continues from the weights the steps reached."""
    if row["status"] != "draft":
        raise Refused(f"This run has already started ({row['status']}).", "status", 409)
    _check_capacity()
    store().update_run(row["id"], status="queued")
    runner().submit(row["id"], row["epochs"])


def _check_capacity() -> None:
    """One person cannot fill the machine, and the line cannot grow without end."""
    limit = current_app.config["MAX_ACTIVE_RUNS_PER_OWNER"]
    if store().count_runs(owner=owner(), status=ACTIVE) >= limit:
        raise Refused(f"You already have {limit} runs training or waiting, the most one person may have. "
                      f"Stop one or wait for one to finish.", "runs", 429)
    queue_limit = current_app.config["MAX_QUEUED_RUNS"]
    if runner().queue_length() >= queue_limit:
        raise Refused(f"The lab is busy: {queue_limit} runs are already waiting. Try again in a minute.",
                      "queue", 429)


def stop_run(row) -> bool:
    return runner().stop(row["id"])


def resume_run(row, raw, source) -> None:
    """Continue a stopped or interrupted run from its last checkpoint, to its (or newly asked) epochs."""
    if row["status"] not in RESUMABLE:
        raise Refused(f"Only a stopped or interrupted run can be resumed; this one is {row['status']}.",
                      "status", 409)
    epochs = forms.parse_resume(raw, source, row["checkpoint_epoch"] or 0, current_app.config["MAX_EPOCHS"],
                                row["epochs"])
    _check_capacity()
    config = dict(row["config"], epochs=epochs)
    store().update_run(row["id"], status="queued", epochs=epochs, config=config, finished_at=None, message=None)
    runner().submit(row["id"], epochs)


def baseline_loss(ds: nn.Dataset) -> float:
    """The test MSE of always answering the training mean: a network must beat this to have learned."""
    return float(((ds.y_test - ds.y_train.mean(axis=0)) ** 2).mean())


def _model(row) -> nn.Model:
    if row["model"] is None:
        raise NoModel(f"Run {row['id']} has no trained model yet: wait for its first checkpoint.")
    return store().model_of(row)


def predict(run_row, inputs: np.ndarray) -> dict:
    model = _model(run_row)
    ds_row = store().dataset_info(run_row["dataset_id"])
    predictions = model.predict(inputs)
    expected = nn.true_outputs(ds_row["task"], inputs) if ds_row["task"] else None
    return dict(inputs=inputs.tolist(), predictions=predictions.tolist(),
                expected=None if expected is None else expected.astype(float).tolist(),
                outputs=list(ds_row["output_names"]), outside=[_outside(ds_row["params"], row) for row in inputs])


def _outside(params, row) -> list[str]:
    """Which inputs lie beyond what the network saw in training: there it extrapolates."""
    notes = []
    for name, value, (lo, hi) in zip(("a", "b"), row, (params["a_range"], params["b_range"]), strict=True):
        if not lo <= value <= hi:
            notes.append(f"{name} = {value:g} is outside the training range {lo:g} to {hi:g}")
    return notes


def run_state(row) -> dict:
    """Everything a page or API client needs to show a run, live values preferred over stored ones."""
    run_id = row["id"]
    live = runner().live(run_id)
    state = dict(id=row["id"], dataset_id=row["dataset_id"], status=row["status"], epoch=row["epoch"],
                 epochs=row["epochs"], train_loss=row["train_loss"], test_loss=row["test_loss"],
                 config=row["config"],
                 error=row["message"], findings=row["findings"], has_model=row["model"] is not None,
                 checkpoint_epoch=row["checkpoint_epoch"], share_token=row["share_token"], last_step=row["last_step"],
                 baseline_loss=row["baseline_loss"])
    if live is not None and not live.finished:   # while training, memory is ahead of the database
        state.update(status=live.status, epoch=live.epoch, train_loss=live.train_loss, test_loss=live.test_loss,
                     history=live.history, model=live.model)
    else:
        state.update(history=store().history(run_id), model=_model(row) if row["model"] else None)
    state["position"] = runner().position(run_id)
    return state
