"""The JSON API for scripts: the same validation and storage as the pages, answers in JSON.

Errors are {"error": message, "field": name-or-null} with a 4xx status, never an HTML page.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from . import forms
from .services import (
    NoModel,
    Refused,
    create_dataset,
    dataset_or_404,
    predict,
    resume_run,
    run_or_404,
    run_state,
    start_run,
    stop_run,
)

bp = Blueprint("api", __name__, url_prefix="/api")


def _error(message, field=None, status=400):
    return jsonify(error=message, field=field), status


@bp.errorhandler(forms.Invalid)
def _invalid(e: forms.Invalid):
    return _error(e.message, e.field)


@bp.errorhandler(Refused)
def _refused(e: Refused):
    return _error(e.message, e.field, e.status)


@bp.errorhandler(HTTPException)
def _http(e: HTTPException):
    field = "body" if e.code in (413, 415) else None
    return _error(e.description or e.name, field, e.code)


def _body() -> dict:
    """The request's JSON object. Only application/json is accepted: no cross-site form can send it."""
    if request.method != "POST":
        return {}
    if request.mimetype != "application/json":
        raise forms.Invalid({"body": "send a JSON object with Content-Type: application/json"})
    if not request.get_data():
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise forms.Invalid({"body": "the body must be a JSON object, e.g. {\"n\": 1000}"})
    return data


def _dataset_json(row) -> dict:
    p = row["params"]
    return dict(id=row["id"], task=row["task"], n=p["n"], a_min=p["a_range"][0], a_max=p["a_range"][1],
                b_min=p["b_range"][0], b_max=p["b_range"][1], noise=p["noise"],
                test_fraction=p["test_fraction"], seed=p["seed"], outputs=row["output_names"],
                n_train=row["n_train"], n_test=row["n_test"])


@bp.post("/datasets")
def create_dataset_api():
    body = _body()
    if "csv" in body:   # {"csv": text, "test_fraction"?, "seed"?}: a dataset from CSV, see transfer.py
        from . import transfer
        dataset_id = transfer.create_from_csv(*transfer.parse_api(body))
    else:
        dataset_id = create_dataset(body, forms.JSON)
    return jsonify(_dataset_json(dataset_or_404(dataset_id))), 201


@bp.get("/datasets/<int:dataset_id>")
def get_dataset(dataset_id):
    return jsonify(_dataset_json(dataset_or_404(dataset_id)))


_RUN_KEYS = ("id", "dataset_id", "status", "epoch", "epochs", "train_loss", "test_loss", "history", "config",
             "error", "findings", "position", "checkpoint_epoch")


def _run_json(run_id) -> dict:
    state = run_state(run_or_404(run_id))
    return {k: state[k] for k in _RUN_KEYS}


@bp.post("/runs")
def create_run():
    run_id = start_run(_body(), forms.JSON)
    return jsonify(id=run_id, status=_run_json(run_id)["status"]), 202


@bp.get("/runs/<int:run_id>")
def get_run(run_id):
    return jsonify(_run_json(run_id))


@bp.post("/runs/<int:run_id>/stop")
def stop_run_api(run_id):
    row = run_or_404(run_id)
    _body()
    stopping = stop_run(row)
    return jsonify(id=run_id, stopping=stopping, status=_run_json(run_id)["status"])


@bp.post("/runs/<int:run_id>/resume")
def resume_run_api(run_id):
    resume_run(run_or_404(run_id), _body(), forms.JSON)
    return jsonify(_run_json(run_id)), 202


@bp.post("/runs/<int:run_id>/predict")
def predict_api(run_id):
    row = run_or_404(run_id)
    inputs = forms.parse_prediction(_body(), forms.JSON)
    try:
        return jsonify(predict(row, inputs))
    except NoModel as e:
        return _error(str(e), None, 409)
