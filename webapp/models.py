"""Models in and out: download a run's network as JSON (nn.save_model's format), or upload one into a new
read-only run that predicts and shows what it computes."""

from __future__ import annotations

import json

import numpy as np
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

import nn

from . import forms
from .services import baseline_loss, model_losses, owner, run_or_404, shared_run_or_404, store

bp = Blueprint("models", __name__)


@bp.get("/runs/<int:run_id>/model.json")
def download(run_id):
    return _download(run_or_404(run_id))


@bp.get("/share/<token>/model.json")
def shared_download(token):
    return _download(shared_run_or_404(token))


def _download(row):
    if row["model"] is None:
        abort(409, description=f"Run {row['id']} has no model yet: wait for its first checkpoint.")
    body = json.dumps(json.loads(row["model"]), indent=1)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="tinynet-run-{row["id"]}-model.json"'})


@bp.get("/runs/upload")
def upload_form():
    return _form({}, {})


@bp.post("/runs/upload")
def upload():
    try:
        run_id = _import(request.files.get("file"), request.form)
    except forms.Invalid as e:
        return _form(request.form, e.errors, 422)
    return redirect(url_for("runs.show", run_id=run_id), code=303)


def _form(values, errors, status=200):
    datasets = store().list_datasets(owner())
    return render_template("runs/upload.html", values=values, errors=errors, datasets=datasets), status


def _import(upload, form) -> int:
    """Check the file and the dataset it is meant for; store it as a finished, read-only run."""
    values = forms.Fields(form, forms.FORM)
    dataset_id = values.number("dataset_id", None, 1, 2**53, whole=True)
    values.done({})
    if upload is None or not upload.filename:
        raise forms.Invalid({"file": "choose a model file (.json) to upload"})
    try:
        model = nn.model_from_dict(json.loads(upload.read(current_app.config["MAX_CONTENT_LENGTH"])))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise forms.Invalid({"file": "this file is not JSON; upload a model downloaded from tinynet"}) from None
    except nn.ConfigError as e:
        raise forms.Invalid({"file": e.message}) from None
    row = store().dataset_row(dataset_id) if dataset_id else None
    if row is None or row["owner"] != owner():
        raise forms.Invalid({"dataset_id": "choose one of your datasets to test the model on"})
    ds = store().load_dataset(dataset_id)
    if model.layers[0] != ds.n_inputs or model.layers[-1] != ds.n_outputs:
        raise forms.Invalid({"dataset_id": f"the model maps {model.layers[0]} inputs to {model.layers[-1]} outputs; "
                                           f"this dataset has {ds.n_inputs} and {ds.n_outputs}"})
    return store().add_imported_run(dataset_id, model, _config(model), dict(epoch=0, **model_losses(model, ds)),
                                      baseline_loss(ds), owner())


def _config(model: nn.Model) -> dict:
    normalized = not (np.all(model.x_scaler.mean == 0) and np.all(model.x_scaler.std == 1))
    return dict(layers=list(model.layers), activations=list(model.activations), optimizer="uploaded",
                learning_rate=0.0, epochs=0, batch_size=None, seed=0, normalize=bool(normalized))
