"""Building a run: the network builder form, its live diagnosis, presets, and its shareable URL."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

import nn

from . import forms
from .services import Refused, check_run, owner, start_run, store

bp = Blueprint("builder", __name__)


# The builder's state is always what its form would submit; the same keys make its shareable URL.
CONFIG_KEYS = ("dataset_id", "layers", "activations", "optimizer", "learning_rate", "epochs", "batch_size", "seed",
               "normalize")


def _builder(form: MultiDict, errors, status=200):
    findings = []
    if not errors:
        try:
            _, cfg, ds = check_run(form, forms.FORM)
            findings = nn.diagnose(ds, cfg)
        except forms.Invalid as e:
            errors = e.errors
    values = _display(form)
    config_url = _config_url(values)
    partial = request.headers.get("HX-Request")
    html = render_template("runs/_builder.html" if partial else "runs/new.html", values=values, errors=errors,
                           findings=findings, datasets=store().list_datasets(owner()), presets=forms.PRESETS,
                           activations=nn.ACTIVATIONS, optimizers=nn.OPTIMIZERS, config_url=config_url)
    return html, status, {"HX-Push-Url": config_url} if partial else {}


def _display(form: MultiDict) -> dict:
    """What the form shows: one activation select per weight layer, even while the layer count changes."""
    values = {k: form.get(k, "") for k in CONFIG_KEYS}
    layers = form.get("layers", "").replace(",", " ").split()
    acts = form.getlist("activations")
    n = len(layers) - 1
    if n >= 1 and len(acts) != n:
        acts = ((acts or ["linear"]) + [(acts or ["linear"])[-1]] * n)[:n]
    values.update(layers=", ".join(layers), activations=acts, normalize="normalize" in form)
    return values


def _config_url(values: dict) -> str:
    query = {k: values[k] for k in CONFIG_KEYS if values[k] not in ("", None, False, [])}
    query.update(layers=values["layers"].replace(" ", ""), activations=",".join(values["activations"]))
    if values["normalize"]:
        query["normalize"] = "on"
    return url_for("builder.new", **query)


def _preset_form(name: str | None, dataset_id) -> MultiDict:
    p = forms.preset(name)
    form = MultiDict(dict(dataset_id=dataset_id or "", layers=",".join(map(str, p["layers"])),
                          optimizer=p["optimizer"], learning_rate=f"{p['learning_rate']:g}", epochs=str(p["epochs"]),
                          batch_size="" if p["batch_size"] is None else str(p["batch_size"]), seed=str(p["seed"])))
    form.setlist("activations", p["activations"])
    if p["normalize"]:
        form["normalize"] = "on"
    return form


def _query_form(args) -> MultiDict:
    """A shared configuration URL: /runs/new?layers=2,8,2&activations=tanh,linear&optimizer=adam&..."""
    form = MultiDict((k, v) for k, v in args.items(multi=True) if k in CONFIG_KEYS and k != "activations")
    form.setlist("activations", [a for v in args.getlist("activations") for a in v.split(",") if a])
    return form


@bp.get("/runs/new")
def new():
    dataset_id = _own_dataset_id(request.args.get("dataset_id"))
    if any(k in request.args for k in CONFIG_KEYS if k != "dataset_id"):
        form = _query_form(request.args)
        form["dataset_id"] = dataset_id or ""
    else:
        form = _preset_form(request.args.get("preset"), dataset_id)
    return _builder(form, {})


def _own_dataset_id(asked):
    """The dataset asked for if it is yours; else your newest (a shared link names the sharer's dataset)."""
    rows = store().list_datasets(owner())
    ids = {str(r["id"]) for r in rows}
    return asked if asked in ids else (rows[0]["id"] if rows else None)


@bp.post("/runs/check")
def check():
    """htmx: the builder re-rendered for the current values, with what diagnose says of them."""
    return _builder(request.form, {})


@bp.post("/runs/new")
def create():
    try:
        run_id = start_run(request.form, forms.FORM, draft=request.form.get("mode") == "step")
    except forms.Invalid as e:
        return _builder(request.form, e.errors, 422)
    except Refused as e:
        return _builder(request.form, {e.field: e.message}, e.status)
    return redirect(url_for("runs.show", run_id=run_id), code=303)
