"""Datasets in and out as CSV: download any of your datasets, upload a CSV to make a new one.

The CSV format is nn.dataset_to_csv's: header `a,b,<target names>`, one sample a row.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

import nn

from . import forms, services
from .db import dataset_from_row

bp = Blueprint("transfer", __name__)

UPLOAD_DEFAULTS = dict(test_percent=20, seed=0)
# make_dataset's settings: they mean nothing for data that arrives as CSV
GENERATOR_KEYS = ("task", "n", "a_min", "a_max", "b_min", "b_max", "noise")


@bp.get("/datasets/<int:dataset_id>.csv")
def download(dataset_id):
    row = services.dataset_or_404(dataset_id)
    text = nn.dataset_to_csv(dataset_from_row(row))
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=tinynet-dataset-{dataset_id}.csv"})


@bp.get("/datasets/upload")
def upload_form():
    return _page(UPLOAD_DEFAULTS, {})


@bp.post("/datasets/upload")
def upload():
    f = forms.Fields(request.form, forms.FORM)
    pct = f.number("test_percent", UPLOAD_DEFAULTS["test_percent"], 1, 99)
    seed = f.number("seed", UPLOAD_DEFAULTS["seed"], 0, 2**32 - 1, whole=True)
    file = request.files.get("file")
    if file is None or not file.filename:
        f.fail("file", "choose a CSV file to upload")
    try:
        f.done({})
        dataset_id = create_from_csv(file.read(), None if pct is None else pct / 100, seed, field="file")
    except forms.Invalid as e:
        return _page(request.form, e.errors), 422
    return redirect(url_for("datasets.show", dataset_id=dataset_id), code=303)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_e):
    """An upload over MAX_CONTENT_LENGTH: say so next to the file field, not on a bare error page."""
    limit = _mib()
    size = f"larger than {limit:g} MiB" if limit else "too large"
    return _page(UPLOAD_DEFAULTS, {"file": f"the upload is {size}: send fewer rows"}), 413


def parse_api(raw: Mapping) -> tuple[str, float, int]:
    """A JSON body {"csv": text, "test_fraction"?, "seed"?} -> (text, test_fraction, seed); raises Invalid."""
    f = forms.Fields(raw, forms.JSON)
    text = raw.get("csv")
    if not isinstance(text, str):
        f.fail("csv", "must be a string holding CSV text: a header a,b,<targets> and one row per sample")
    test_fraction = f.number("test_fraction", UPLOAD_DEFAULTS["test_percent"] / 100, 0.01, 0.99)
    seed = f.number("seed", UPLOAD_DEFAULTS["seed"], 0, 2**32 - 1, whole=True)
    for key in GENERATOR_KEYS:
        if key in raw:
            f.fail(key, "does not apply to a dataset made from CSV; leave it out")
    f.done({})
    return text, test_fraction, seed


def create_from_csv(text: str | bytes, test_fraction: float, seed: int, field: str = "csv") -> int:
    """Validate CSV text into a dataset owned by this browser and store it; raises Invalid naming `field`
    for a problem in the text ("test_fraction" and "seed" keep their own names)."""
    try:
        ds = nn.dataset_from_csv(text, test_fraction=test_fraction, seed=seed,
                                 max_rows=current_app.config["MAX_SAMPLES"])
    except nn.ConfigError as e:
        name = field if e.field == "csv" else e.field
        if field == "file" and name == "test_fraction":
            name = "test_percent"
        raise forms.Invalid({name: e.message}) from None
    return services.store().add_dataset(ds, services.owner())


def _mib() -> float | None:
    max_bytes = current_app.config.get("MAX_CONTENT_LENGTH")
    return None if max_bytes is None else max_bytes / 2**20


def _page(values, errors):
    return render_template("datasets/upload.html", values=values, errors=errors,
                           max_rows=current_app.config["MAX_SAMPLES"], max_mib=_mib())
