"""What the HTML views and the JSON API both do: create datasets, start and stop runs, predict.

Views stay thin: they parse nothing by hand and call these with the raw request values.
"""

from __future__ import annotations

import numpy as np
from flask import abort, current_app

import nn

from . import forms
from .db import Store
from .jobs import Runner


class NoModel(Exception):
    """The run has no trained parameters yet."""


def store() -> Store:
    return current_app.extensions["tinynet"]


def runner() -> Runner:
    return current_app.extensions["tinynet_runner"]


def dataset_or_404(dataset_id: int):
    row = store().dataset_row(dataset_id)
    if row is None:
        abort(404, description=f"There is no dataset {dataset_id}.")
    return row


def run_or_404(run_id: int):
    row = store().run(run_id)
    if row is None:
        abort(404, description=f"There is no run {run_id}.")
    return row


def create_dataset(raw, source) -> int:
    values = forms.parse_dataset(raw, source, current_app.config["MAX_SAMPLES"])
    try:
        ds = forms.make_dataset(values)
    except nn.ConfigError as e:   # should not happen after parse_dataset; still a clear 4xx, not a 500
        raise forms.Invalid({_dataset_field(e.field): e.message}) from None
    return store().add_dataset(ds)


def _dataset_field(field: str) -> str:
    return {"a_range": "a_max", "b_range": "b_max"}.get(field, field)


def check_run(raw, source) -> tuple[dict, nn.TrainConfig, nn.Dataset]:
    """Validate a run request against its dataset; raises forms.Invalid naming the field."""
    values = forms.parse_run(raw, source, current_app.config)
    ds = store().load_dataset(values["dataset_id"])
    if ds is None:
        raise forms.Invalid({"dataset_id": f"there is no dataset {values['dataset_id']}"})
    try:
        cfg = forms.train_config(values).validated(ds)
    except nn.ConfigError as e:
        raise forms.Invalid({e.field: e.message}) from None
    return values, cfg, ds


def start_run(raw, source) -> int:
    values, cfg, ds = check_run(raw, source)
    findings = [f.__dict__ for f in nn.diagnose(ds, cfg)]
    run_id = store().add_run(values["dataset_id"], forms.config_dict(cfg), findings, baseline_loss(ds))
    runner().submit(run_id, cfg.epochs)
    return run_id


def baseline_loss(ds: nn.Dataset) -> float:
    """The test MSE of always answering the training mean: a network must beat this to have learned."""
    return float(((ds.y_test - ds.y_train.mean(axis=0)) ** 2).mean())


def predict(run_row, inputs: np.ndarray) -> dict:
    model = store().model(run_row["id"])
    if model is None:
        raise NoModel(f"Run {run_row['id']} has no trained model yet.")
    ds_row = store().dataset_row(run_row["dataset_id"])
    predictions = model.predict(inputs)
    expected = nn.true_outputs(ds_row["task"], inputs) if ds_row["task"] else None
    return dict(inputs=inputs.tolist(), predictions=predictions.tolist(),
                expected=None if expected is None else expected.astype(float).tolist(),
                outputs=list(ds_row["output_names"]))


def run_state(run_id: int) -> dict:
    """Everything a page or API client needs to show a run, live values preferred over stored ones."""
    row = run_or_404(run_id)
    live = runner().live(run_id)
    state = dict(id=row["id"], dataset_id=row["dataset_id"], status=row["status"], epoch=row["epoch"],
                 epochs=row["epochs"], train_loss=row["train_loss"], test_loss=row["test_loss"],
                 config=row["config"],
                 error=row["message"], findings=row["findings"], has_model=row["model"] is not None,
                 baseline_loss=row["baseline_loss"])
    if live is not None and not live.finished:   # while training, memory is ahead of the database
        state.update(status=live.status, epoch=live.epoch, train_loss=live.train_loss, test_loss=live.test_loss,
                     history=live.history)
    else:
        state["history"] = store().history(run_id)
    state["position"] = runner().position(run_id)
    return state
